//! Market data that agents read, computed once per event for everyone.
//!
//! Agents never query the book: they read these quotes, bars and statistics. Daily
//! statistics (EWMA volatility, lookback returns) update once at each close.

use super::ewma;
use crate::book::{LevelView, Price, Qty};

/// Levels per side published in the depth snapshot.
pub const DEPTH_LEVELS: usize = 5;

/// One bar of trading in one instrument.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bar {
    pub open: Price,
    pub high: Price,
    pub low: Price,
    pub close: Price,
    pub volume: Qty,
    pub trades: u32,
    /// Sum of price × qty, for the VWAP.
    pub notional_ticks: u128,
}

impl Bar {
    fn start(p: Price) -> Self {
        Bar {
            open: p,
            high: p,
            low: p,
            close: p,
            ..Default::default()
        }
    }
    pub fn vwap(&self) -> Option<f64> {
        (self.volume > 0).then(|| self.notional_ticks as f64 / self.volume as f64)
    }
}

/// One day of an instrument: prices in ticks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DailyBar {
    pub open: Price,
    pub high: Price,
    pub low: Price,
    pub close: Price,
    pub volume: Qty,
}

/// Everything published about one instrument.
#[derive(Clone, Debug)]
pub struct InstrumentData {
    pub symbol: String,
    pub tick_size: f64,
    pub notional_per_unit: f64,
    /// Cents moved per (tick × unit) traded.
    pub cents_per_tick_unit: i128,
    pub best_bid: Option<(Price, Qty)>,
    pub best_ask: Option<(Price, Qty)>,
    /// The best [`DEPTH_LEVELS`] aggregated levels of each side, best first. Taken at each
    /// bar and, during the session, refreshed before the wake-up of an agent whose
    /// `Agent::reads_depth` says it looks (no agent kind does today: a snapshot per wake-up
    /// cost 3% of a run for nobody).
    pub bid_depth: Vec<LevelView>,
    pub ask_depth: Vec<LevelView>,
    pub last_price: Price,
    /// Close of the previous day (the circuit breakers' reference).
    pub prev_close: Price,
    /// Bars completed today, and the one in progress.
    pub bars: Vec<Bar>,
    pub current_bar: Option<Bar>,
    /// Daily history, pre-history included.
    pub daily: Vec<DailyBar>,
    /// `daily`'s closes in dollars, kept beside it so that funds reading whole windows of
    /// closes (trend signals, trailing lows) share one copy instead of keeping their own.
    closes_usd: Vec<f64>,
    today: Option<DailyBar>,
    /// EWMA of squared daily log returns (a daily variance).
    pub ewma_var: f64,
    pub ewma_lambda: f64,
    /// Sum of squared bar log returns today (intraday realised variance).
    pub intraday_rv: f64,
    /// Fundamental value in dollars (public in this model: value traders read it with noise).
    pub fundamental: f64,
    /// Volume traded today, units.
    pub volume_today: Qty,
    /// Whole ticks public news has moved the book so far (`news_moves_book`): an agent that
    /// remembers the prices of its resting orders finds them this much further on.
    pub news_ticks: Price,
}

impl InstrumentData {
    pub fn new(
        symbol: String,
        tick_size: f64,
        notional_per_unit: f64,
        cents_per_tick_unit: i128,
        history: Vec<DailyBar>,
        ewma_lambda: f64,
        fundamental: f64,
    ) -> Self {
        let last = history.last().map_or(1, |d| d.close);
        let closes_usd = history.iter().map(|d| d.close as f64 * tick_size).collect();
        let mut d = InstrumentData {
            symbol,
            tick_size,
            notional_per_unit,
            cents_per_tick_unit,
            best_bid: None,
            best_ask: None,
            bid_depth: Vec::with_capacity(DEPTH_LEVELS),
            ask_depth: Vec::with_capacity(DEPTH_LEVELS),
            last_price: last,
            prev_close: last,
            bars: Vec::new(),
            current_bar: None,
            daily: history,
            closes_usd,
            today: None,
            ewma_var: 0.0,
            ewma_lambda,
            intraday_rv: 0.0,
            fundamental,
            volume_today: 0,
            news_ticks: 0,
        };
        d.ewma_var = d.ewma_from_history();
        d
    }

    /// EWMA variance of the history's log returns, seeded with the mean square of the first.
    fn ewma_from_history(&self) -> f64 {
        let r: Vec<f64> = self
            .daily
            .windows(2)
            .map(|w| (w[1].close as f64 / w[0].close as f64).ln())
            .collect();
        ewma::ewma_last(&r, self.ewma_lambda)
    }

    pub fn price_usd(&self, p: Price) -> f64 {
        p as f64 * self.tick_size
    }

    pub fn to_ticks(&self, usd: f64) -> Price {
        (usd / self.tick_size).round() as Price
    }

    /// Midpoint when both sides are quoted, else the last price.
    pub fn mid(&self) -> f64 {
        match (self.best_bid, self.best_ask) {
            (Some((b, _)), Some((a, _))) => (b + a) as f64 / 2.0,
            _ => self.last_price as f64,
        }
    }

    /// Dollar value of `units` at the last price.
    pub fn units_usd(&self, units: i64) -> f64 {
        units as f64 * self.price_usd(self.last_price) * self.notional_per_unit
    }

    /// Units worth `usd` at the last price (at least 1 when `usd` > 0).
    pub fn usd_units(&self, usd: f64) -> Qty {
        let u = usd / (self.price_usd(self.last_price) * self.notional_per_unit);
        if u.is_finite() && u > 0.0 {
            (u.round() as Qty).max(1)
        } else {
            0
        }
    }

    /// Signed units worth `usd` at the last price, rounded (targets of funds sized in dollars).
    pub fn units_for_usd(&self, usd: f64) -> i64 {
        self.units_for_usd_at(usd, self.last_usd())
    }

    /// Signed units worth `usd` were the price `price` dollars.
    pub fn units_for_usd_at(&self, usd: f64, price: f64) -> i64 {
        let u = usd / (price * self.notional_per_unit);
        if u.is_finite() {
            u.round().clamp(-9.0e18, 9.0e18) as i64
        } else {
            0
        }
    }

    /// Last price in dollars.
    pub fn last_usd(&self) -> f64 {
        self.price_usd(self.last_price)
    }

    /// Last daily close in dollars (today's once the day has closed).
    pub fn close_usd(&self) -> f64 {
        self.price_usd(self.daily.last().map_or(self.last_price, |d| d.close))
    }

    /// Daily closes in dollars, pre-history included: today's only once the day has closed.
    pub fn closes_usd(&self) -> &[f64] {
        &self.closes_usd
    }

    /// Annualised EWMA volatility.
    pub fn ewma_vol(&self) -> f64 {
        ewma::annualise(self.ewma_var)
    }

    /// Simple return of the close over the last `days` days (None without enough history).
    pub fn lookback_return(&self, days: usize) -> Option<f64> {
        let n = self.daily.len();
        (n > days)
            .then(|| self.daily[n - 1].close as f64 / self.daily[n - 1 - days].close as f64 - 1.0)
    }

    /// Close `bars_back` bars ago today (0 = the last completed bar).
    pub fn bar_close_back(&self, bars_back: usize) -> Option<Price> {
        let n = self.bars.len();
        (n > bars_back).then(|| self.bars[n - 1 - bars_back].close)
    }

    pub(crate) fn on_trade(&mut self, price: Price, qty: Qty) {
        self.last_price = price;
        self.volume_today += qty;
        let bar = self.current_bar.get_or_insert_with(|| Bar::start(price));
        bar.high = bar.high.max(price);
        bar.low = bar.low.min(price);
        bar.close = price;
        bar.volume += qty;
        bar.trades += 1;
        bar.notional_ticks += price as u128 * qty as u128;
        let t = self.today.get_or_insert(DailyBar {
            open: price,
            high: price,
            low: price,
            close: price,
            volume: 0,
        });
        t.high = t.high.max(price);
        t.low = t.low.min(price);
        t.close = price;
        t.volume += qty;
    }

    /// Closes the current bar (a bar without trades repeats the last price).
    pub(crate) fn roll_bar(&mut self) -> Bar {
        let bar = self
            .current_bar
            .take()
            .unwrap_or_else(|| Bar::start(self.last_price));
        let prev = self.bars.last().map_or(self.prev_close, |b| b.close);
        let r = (bar.close as f64 / prev as f64).ln();
        self.intraday_rv += r * r;
        self.bars.push(bar);
        bar
    }

    /// Ends the day: appends the daily bar, updates the EWMA, resets intraday state.
    pub(crate) fn close_day(&mut self) -> DailyBar {
        let last = self.last_price;
        let day = self.today.take().unwrap_or(DailyBar {
            open: last,
            high: last,
            low: last,
            close: last,
            volume: 0,
        });
        let r = (day.close as f64 / self.prev_close as f64).ln();
        self.ewma_var = ewma::ewma_update(self.ewma_var, self.ewma_lambda, r);
        self.daily.push(day);
        self.closes_usd.push(self.price_usd(day.close));
        self.prev_close = day.close;
        self.bars.clear();
        self.current_bar = None;
        self.intraday_rv = 0.0;
        self.volume_today = 0;
        day
    }
}
