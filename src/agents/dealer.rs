//! Options dealers (docs/model.md §4): a book of options positions the scenario sets (strikes by
//! moneyness, expiries, signed contracts), delta-hedged in the underlying through the order
//! book on a schedule, when the unhedged delta leaves a band, and into the close, in market
//! orders; optionally also through a ladder of resting limit orders that hedges as the price
//! moves, which only a book long gamma can keep (its hedges trade against the move).
//!
//! The options themselves are not traded on the simulated book and their premia are not in the
//! ledger: only the hedge is, because the hedge is the flow that moves the price. A dealer
//! long gamma sells rallies and buys dips (dampening, pinning at large strikes near expiry);
//! short gamma, it trades with the move. Series that expire are settled and relisted at the
//! same moneyness and tenor; customers can monetise puts as the market rallies, which makes the
//! dealer buy back its hedge (§4.5).
//!
//! Settlement is in cash by default: the expiring series' hedge is then lifted market-on-close.
//! Physically settled, series that close strictly in the money are exercised by delivering the
//! underlying at the strike against the options customers' ledger account; a close exactly at
//! the strike is not exercised. The delivery unwinds the hedge, so there is no closing lift and
//! the resting ladder stays in the closing auction (where the pinning force acts). With
//! `hedge_to_payoff`, the last check before an expiry's closing auction replaces the expiring
//! long-gamma series' part of that ladder by their payoff's step at the strike (see
//! [`Dealer::expiry_step`]).

use rand_chacha::ChaCha8Rng;

use super::execution::{limit, market, market_on_close};
use super::state::{AgentEvent, AgentEventKind, Metric, StateSample};
use super::{Action, Agent, AgentClass, Context, DayPhase, Delivery};
use crate::book::{Motive, Price, Side, TimeInForce};
use crate::market::data::InstrumentData;
use crate::market::time::{Calendar, MINUTE, Nanos, SECOND, parse_hhmm};
use crate::pricing::{BsInputs, OptionKind, VolSurface, black_scholes, exposure};
use crate::scenario::{DealerCfg, OptionKindCfg, SeriesCfg, SettlementCfg};

/// Trading days per year: option time runs on the trading clock, like the simulated volatility
/// (annualised over 252 days). docs/model.md §4.4's per-contract figures use a 365-day calendar
/// year; on this clock the same tenor in trading days carries a little less gamma.
const YEAR_DAYS: f64 = 252.0;

/// One listed series as the dealer holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Series {
    pub kind: OptionKind,
    pub strike: f64,
    /// Simulated day (0-based) at whose close the series expires.
    pub expiry_day: u32,
    /// Contracts held by this dealer (negative = short).
    pub contracts: f64,
    /// Index of the scenario series it was listed from.
    pub source: usize,
}

/// The dealer's options book and how it prices it.
#[derive(Clone, Debug)]
pub struct OptionsBook {
    pub series: Vec<Series>,
    pub multiplier: f64,
    pub rate: f64,
    pub dividend_yield: f64,
    pub surface: VolSurface,
    /// Spot at which the surface's ATM level is `atm_vol`.
    pub reference_spot: f64,
}

/// Aggregate greeks of a book at one spot.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BookGreeks {
    /// Units of underlying (index points × multiplier) the options are worth per point.
    pub delta: f64,
    pub gamma: f64,
    pub dollar_delta: f64,
    pub dollar_gamma_per_pct: f64,
}

impl OptionsBook {
    /// Greeks of the whole book at `spot` with `years(expiry_day)` to each expiry.
    pub fn greeks(&self, spot: f64, years: impl Fn(u32) -> f64) -> BookGreeks {
        let mut g = BookGreeks::default();
        for s in &self.series {
            let (delta, gamma) = self.delta_gamma(s, spot, years(s.expiry_day));
            g.delta += delta * s.contracts * self.multiplier;
            g.gamma += gamma * s.contracts * self.multiplier;
            g.dollar_delta += exposure::dollar_delta(delta, s.contracts, self.multiplier, spot);
            g.dollar_gamma_per_pct +=
                exposure::dollar_gamma_per_pct(gamma, s.contracts, self.multiplier, spot);
        }
        g
    }

    /// Delta and gamma of one contract of `s` at `spot` with `t` years left: only the two
    /// greeks the hedge needs, since this runs at every check and ladder level.
    fn delta_gamma(&self, s: &Series, spot: f64, t: f64) -> (f64, f64) {
        let vol = self.surface.vol(s.strike, spot, self.reference_spot, t);
        let inputs = BsInputs {
            spot,
            strike: s.strike,
            rate: self.rate,
            dividend_yield: self.dividend_yield,
            vol,
            years_to_expiry: t,
        };
        black_scholes::delta_gamma(s.kind, inputs)
    }

    /// The book once the series expiring at or before `day`'s close have settled.
    pub fn after(&self, day: u32) -> OptionsBook {
        let mut book = self.clone();
        book.series.retain(|s| s.expiry_day > day);
        book
    }

    /// Dollar gamma per 1% across a grid of spots, and the spot nearest `spot` where it
    /// changes sign (the gamma flip), by linear interpolation.
    pub fn gamma_profile(
        &self,
        spot: f64,
        grid: &[f64],
        years: impl Fn(u32) -> f64 + Copy,
    ) -> (Vec<(f64, f64)>, Option<f64>) {
        let profile: Vec<(f64, f64)> = grid
            .iter()
            .map(|&x| (x, self.greeks(x, years).dollar_gamma_per_pct))
            .collect();
        let flip = profile
            .windows(2)
            .filter(|w| w[0].1.signum() != w[1].1.signum() && w[0].1 != 0.0 && w[1].1 != 0.0)
            .map(|w| {
                let (x0, y0, x1, y1) = (w[0].0, w[0].1, w[1].0, w[1].1);
                x0 + (x1 - x0) * y0 / (y0 - y1)
            })
            .min_by(|a, b| (a - spot).abs().total_cmp(&(b - spot).abs()));
        (profile, flip)
    }
}

/// Years to the close of `expiry_day` seen from `now` on the trading clock: whole trading days
/// left plus the rest of today's session.
pub fn years_to_expiry(cal: &Calendar, now: Nanos, today: u32, expiry_day: u32) -> f64 {
    if expiry_day < today {
        return 0.0;
    }
    let tod = cal.time_of_day(now);
    let left_today = if tod >= cal.close {
        0.0
    } else if tod <= cal.open {
        1.0
    } else {
        (cal.close - tod) as f64 / cal.session() as f64
    };
    ((expiry_day - today) as f64 + left_today) / YEAR_DAYS
}

/// Units of the underlying the holder of `contracts` of a series receives when it is exercised
/// at `close` (negative: delivers; ticks throughout), each contract being `units_per_contract`
/// units. Only a series strictly in the money is exercised: at the strike the holder is
/// indifferent, and not exercising keeps a close at a large strike free of a delivery.
pub fn exercise_units(
    kind: OptionKind,
    contracts: f64,
    units_per_contract: f64,
    strike: Price,
    close: Price,
) -> i64 {
    let (in_the_money, sign) = match kind {
        OptionKind::Call => (close > strike, 1.0),
        OptionKind::Put => (close < strike, -1.0),
    };
    if !in_the_money {
        return 0;
    }
    let u = (sign * contracts * units_per_contract).round();
    if u.is_finite() {
        u.clamp(-9.0e18, 9.0e18) as i64
    } else {
        0
    }
}

/// Units of `instrument` that make `book` delta-neutral were the price `spot` now.
fn hedge_units(book: &OptionsBook, ctx: &Context, instrument: usize, spot: f64) -> i64 {
    let g = book.greeks(spot, |e| years_to_expiry(ctx.calendar, ctx.now, ctx.day, e));
    ctx.instruments[instrument].units_for_usd_at(-g.dollar_delta, spot)
}

pub struct Dealer {
    instrument: usize,
    cfg: DealerCfg,
    /// This dealer's share of each scenario series.
    share: f64,
    book: OptionsBook,
    check: Nanos,
    interval: Nanos,
    close_hedge: Nanos,
    last_hedge: Nanos,
    /// The last hedge order was capped: the rest goes at the next check.
    last_hedge_partial: bool,
    closed_hedged: bool,
    /// Morning housekeeping (expiries, listings, monetisation) done today.
    housekept: bool,
    /// The last two closes, for the previous day's return.
    closes: [f64; 2],
}

fn kind_of(k: OptionKindCfg) -> OptionKind {
    match k {
        OptionKindCfg::Call => OptionKind::Call,
        OptionKindCfg::Put => OptionKind::Put,
    }
}

impl Dealer {
    pub fn new(instrument: usize, cfg: &DealerCfg, share: f64) -> Self {
        let surface = VolSurface {
            atm_vol: cfg.atm_vol,
            skew: cfg.skew,
            spot_beta: cfg.spot_beta,
            floor: cfg.vol_floor,
            cap: cfg.vol_cap,
        };
        Dealer {
            instrument,
            share,
            book: OptionsBook {
                series: Vec::new(),
                multiplier: cfg.multiplier,
                rate: cfg.rate,
                dividend_yield: cfg.dividend_yield,
                surface,
                reference_spot: 0.0,
            },
            check: cfg.check_minutes.max(1) as Nanos * MINUTE,
            interval: cfg.hedge_interval_minutes.max(1) as Nanos * MINUTE,
            close_hedge: parse_hhmm(&cfg.close_hedge).unwrap_or(57_000) as Nanos * SECOND,
            last_hedge: 0,
            last_hedge_partial: false,
            closed_hedged: false,
            housekept: false,
            closes: [0.0; 2],
            cfg: cfg.clone(),
        }
    }

    fn list(&self, k: usize, c: &SeriesCfg, spot: f64, listing_day: i64) -> Series {
        let step = self.cfg.strike_step.max(1e-9);
        let days = c.expiry_days as i64;
        Series {
            kind: kind_of(c.kind),
            strike: ((c.moneyness * spot) / step).round().max(1.0) * step,
            expiry_day: (listing_day + days).max(0) as u32,
            contracts: c.contracts * self.share,
            source: k,
        }
    }

    /// Hedge position (units of the instrument) that makes the book delta-neutral were the
    /// price `spot` now.
    fn hedge_target(&self, ctx: &Context, spot: f64) -> i64 {
        hedge_units(&self.book, ctx, self.instrument, spot)
    }

    /// The hedge the book's gamma calls for at each ladder level above and below `spot`, as
    /// limit orders; `hedged` is the hedge target at `spot`.
    ///
    /// The levels lie on a fixed grid of prices `step` apart (in ticks), the first strictly
    /// beyond `spot` on each side: a grid anchored to the price would move away with every
    /// drift smaller than a step and never fill. If the price got to a level the hedge target
    /// would move there, so on the sell side the cumulative sale out to level k is
    /// `target(spot) − target_k` and each level posts what that adds to the levels inside it
    /// (and the mirror on the buy side). Where the book is long gamma this is a sell ladder
    /// above and a buy ladder below, a supply and demand curve that hedges as the price moves
    /// and damps it; where it is short gamma the hedge chases the move, nothing can rest and
    /// nothing is posted. A gap already open between the position and `target(spot)` is not the
    /// ladder's: the schedule, the band and the close hedge it, in market orders.
    fn hedge_ladder(
        &self,
        book: &OptionsBook,
        ctx: &Context,
        spot: f64,
        hedged: i64,
        out: &mut Vec<Action>,
    ) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let step = ((spot * self.cfg.ladder_step) / d.tick_size)
            .round()
            .max(1.0) as Price;
        let here = d.to_ticks(spot);
        // First grid price strictly above and strictly below the price.
        let above = (here.div_euclid(step) + 1) * step;
        let below = (here + step - 1).div_euclid(step) * step - step;
        for (side, first, dir) in [(Side::Sell, above, 1), (Side::Buy, below, -1)] {
            let mut posted = 0;
            for k in 0..self.cfg.ladder_levels as Price {
                let ticks = first + dir * k * step;
                if ticks < 1 {
                    break;
                }
                let target = hedge_units(book, ctx, i, d.price_usd(ticks));
                let need = match side {
                    Side::Sell => hedged - target,
                    Side::Buy => target - hedged,
                };
                if need > posted {
                    let qty = (need - posted) as u64;
                    out.push(limit(i, side, ticks, qty, TimeInForce::Day, Motive::Hedge));
                    posted = need;
                }
            }
        }
    }

    /// The payoff hedge of the series expiring today, as limit orders at their strikes, for the
    /// closing auction.
    ///
    /// Physically settled, what the dealer holds after the close is its position plus what
    /// exercise delivers, and exercise is a step at the strike: a long call's holder receives
    /// its units if the close is strictly above, nothing otherwise (a put mirrors it). To be
    /// flat after exercise at whatever price the auction clears, the hedge of an expiring
    /// series must be minus that step, not the Black–Scholes delta it holds now, which is the
    /// step smoothed over the minutes left. The difference between the two is a demand curve
    /// with one jump at the strike: for long calls, sell what delta still lacks of the full
    /// units at one tick above the strike and buy back what is held at the strike (for long
    /// puts, buy one tick below and sell at it). This is the shape the long-gamma ladder tends
    /// to as time runs out, and the mechanism Avellaneda & Lipkin (2003) give for pinning:
    /// hedging a long-gamma position as T → 0 sells above the strike and buys below it, so the
    /// strike attracts the price. An order on the far side of the price from the strike is
    /// marketable, and trades at once down (or up) to the strike and no further.
    ///
    /// Only series long gamma post their step. Short, the step asks for trades with the move
    /// (buy above the strike, sell below), which no resting limit order can express, as for the
    /// short-gamma ladder: those series keep their market-order hedge and leave the rest to the
    /// delivery. Sizes are relative to the series' Black–Scholes hedge at `spot`, which the
    /// schedule and the band keep the position at; a gap from it is theirs, in market orders.
    fn expiry_step(&self, ctx: &Context, spot: f64, out: &mut Vec<Action>) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let per_contract = self.book.multiplier / d.notional_per_unit;
        let t = years_to_expiry(ctx.calendar, ctx.now, ctx.day, ctx.day);
        for s in &self.book.series {
            if s.expiry_day != ctx.day || s.contracts <= 0.0 {
                continue;
            }
            let (delta, _) = self.book.delta_gamma(s, spot, t);
            let usd = exposure::dollar_delta(delta, s.contracts, self.book.multiplier, spot);
            let held = d.units_for_usd_at(-usd, spot);
            let strike = d.to_ticks(s.strike);
            // The last price at which the step is at its low side, and the first on its high.
            let below = match s.kind {
                OptionKind::Call => strike,
                OptionKind::Put => strike - 1,
            };
            let above = below + 1;
            let low = -exercise_units(s.kind, s.contracts, per_contract, strike, below);
            let high = -exercise_units(s.kind, s.contracts, per_contract, strike, above);
            let buy = low - held;
            if buy > 0 && below >= 1 {
                let q = buy as u64;
                out.push(limit(
                    i,
                    Side::Buy,
                    below,
                    q,
                    TimeInForce::Day,
                    Motive::Hedge,
                ));
            }
            let sell = held - high;
            if sell > 0 {
                let q = sell as u64;
                out.push(limit(
                    i,
                    Side::Sell,
                    above,
                    q,
                    TimeInForce::Day,
                    Motive::Hedge,
                ));
            }
        }
    }

    /// Expiries, relistings, 0DTE listings and put monetisation, once each morning.
    fn housekeeping(&mut self, ctx: &Context, out: &mut Vec<Action>) {
        let i = self.instrument;
        let spot = ctx.instruments[i].last_usd();
        let mut expired = 0.0;
        let mut relist = Vec::new();
        self.book.series.retain(|s| {
            if s.expiry_day < ctx.day {
                expired += s.contracts.abs();
                relist.push((s.source, s.expiry_day));
                false
            } else {
                true
            }
        });
        if expired > 0.0 {
            out.push(Action::Note(AgentEvent {
                kind: AgentEventKind::OptionExpiry,
                instrument: i,
                value: expired,
            }));
        }
        let mut listed = 0.0;
        for (k, c) in self.cfg.series.iter().enumerate() {
            // A same-day series is listed every morning; a rolled one keeps its tenor: it
            // expires `expiry_days` sessions after the one it replaces.
            let expiry = if c.expiry_days == 0 {
                Some(ctx.day)
            } else {
                relist
                    .iter()
                    .find(|(source, _)| *source == k)
                    .map(|(_, old)| old + c.expiry_days)
            };
            if let (Some(expiry_day), true) = (expiry, c.roll) {
                let mut s = self.list(k, c, spot, ctx.day as i64);
                s.expiry_day = expiry_day;
                listed += s.contracts.abs();
                self.book.series.push(s);
            }
        }
        if listed > 0.0 {
            out.push(Action::Note(AgentEvent {
                kind: AgentEventKind::OptionListing,
                instrument: i,
                value: listed,
            }));
        }
        // Customers sell puts back after an up day (dealers short those puts buy back hedges).
        let r = if self.closes[0] > 0.0 {
            self.closes[1] / self.closes[0] - 1.0
        } else {
            0.0
        };
        if self.cfg.put_monetisation_per_pct > 0.0 && r > 0.0 {
            let f = (self.cfg.put_monetisation_per_pct * r * 100.0).min(1.0);
            let mut sold_back = 0.0;
            for s in &mut self.book.series {
                if s.kind == OptionKind::Put && s.contracts < 0.0 {
                    sold_back += -s.contracts * f;
                    s.contracts *= 1.0 - f;
                }
            }
            if sold_back > 0.0 {
                out.push(Action::Note(AgentEvent {
                    kind: AgentEventKind::PutMonetisation,
                    instrument: i,
                    value: sold_back,
                }));
            }
        }
    }
}

impl Agent for Dealer {
    fn class(&self) -> AgentClass {
        AgentClass::Dealer
    }

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        let spot = d.close_usd();
        self.book.reference_spot = spot;
        self.closes = [spot, spot];
        for (k, c) in self.cfg.series.iter().enumerate() {
            if c.expiry_days > 0 {
                // Listed before the run: the first expiry is `first_expiry_days` trading days on.
                let first = c.first_expiry_days.unwrap_or(c.expiry_days) as i64;
                let mut s = self.list(k, c, spot, -1);
                s.expiry_day = (first - 1).max(0) as u32;
                self.book.series.push(s);
            }
        }
        // The hedge before day 0 opens: the whole first day ahead.
        let g = self.book.greeks(spot, |e| (e as f64 + 1.0) / YEAR_DAYS);
        vec![(self.instrument, d.units_for_usd(-g.dollar_delta))]
    }

    fn start_day(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Nanos> {
        self.housekept = false;
        self.closed_hedged = false;
        Some(ctx.today_at(ctx.calendar.open) + SECOND)
    }

    fn wake(
        &mut self,
        ctx: &Context,
        _rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        let close_auction = ctx.today_at(ctx.calendar.close_auction);
        match ctx.phase {
            DayPhase::Continuous => {}
            // Hedges go in continuous trading only: after a halt that runs into the closing
            // auction, the dealer is done for the day.
            DayPhase::Closed | DayPhase::ClosingAuction => return None,
            DayPhase::PreOpen | DayPhase::Halted => {
                let next = ctx.now + self.check;
                return (next < close_auction).then_some(next);
            }
        }
        if !self.housekept {
            self.housekeeping(ctx, out);
            self.housekept = true;
        }
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let spot = d.last_usd();
        let target = self.hedge_target(ctx, spot);
        let position = ctx.position(i);
        let gap = target - position;
        let ladder = self.cfg.ladder_levels > 0;
        // The ladder is rebuilt at every check; the old one goes first, so that a market hedge
        // never meets the dealer's own resting orders.
        if (ladder || self.cfg.hedge_to_payoff) && !ctx.open_orders.is_empty() {
            out.push(Action::CancelAll { instrument: i });
        }
        let into_close = !self.closed_hedged && ctx.now >= ctx.today_at(self.close_hedge);
        let gap_usd = d.units_usd(gap).abs();
        let due = (ctx.now >= self.last_hedge + self.interval && gap_usd >= self.cfg.min_hedge_usd)
            || gap_usd > self.cfg.delta_band_usd
            || into_close;
        // A gap larger than one order keeps the hedge due until it is worked off.
        let cap = d.usd_units(self.cfg.max_order_usd).max(1);
        let working = self.last_hedge_partial;
        let mut sent = 0;
        if (due || working) && gap != 0 {
            let qty = gap.unsigned_abs().min(cap);
            let side = if gap > 0 { Side::Buy } else { Side::Sell };
            out.push(market(i, side, qty, Motive::Hedge));
            sent = qty as i64 * gap.signum();
            self.last_hedge_partial = qty < gap.unsigned_abs();
        } else {
            self.last_hedge_partial = false;
        }
        let next = ctx.now + self.check;
        let last = next >= close_auction;
        let expiry = last && self.book.series.iter().any(|s| s.expiry_day == ctx.day);
        let cash_expiry = self.cfg.settlement == SettlementCfg::Cash && expiry;
        let payoff_expiry =
            self.cfg.settlement == SettlementCfg::Physical && self.cfg.hedge_to_payoff && expiry;
        if last && cash_expiry {
            // The options are cash-settled at the closing price, so the hedge of the series
            // expiring today is lifted in the closing auction, at that price: what is left is
            // the hedge of the rest of the book. (Unwound the next morning instead, a large
            // expiry's hedge would be a day of one-sided market orders.)
            let rest = hedge_units(&self.book.after(ctx.day), ctx, i, spot);
            let lift = rest - (position + sent);
            if lift != 0 {
                let side = if lift > 0 { Side::Buy } else { Side::Sell };
                out.push(market_on_close(i, side, lift.unsigned_abs(), Motive::Hedge));
            }
        } else if last && payoff_expiry {
            // Into the closing auction the expiring series are hedged to their payoff, the rest
            // of the book keeps its Black–Scholes ladder.
            if ladder {
                let rest = self.book.after(ctx.day);
                let rest_target = hedge_units(&rest, ctx, i, spot);
                self.hedge_ladder(&rest, ctx, spot, rest_target, out);
            }
            self.expiry_step(ctx, spot, out);
        } else if ladder {
            // Physically settled, an expiring series' ladder rests into the closing auction as
            // on any other day: the delivery at the close takes the place of its hedge, and
            // what the two leave (the delta's last drift, never traded) is hedged next morning,
            // unless `hedge_to_payoff` trades it into the close (above).
            self.hedge_ladder(&self.book, ctx, spot, target, out);
        }
        if due {
            self.last_hedge = ctx.now;
        }
        if into_close {
            self.closed_hedged = true;
        }
        (!last).then_some(next)
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let spot = d.close_usd();
        self.closes = [self.closes[1], spot];
        let years = |e| years_to_expiry(ctx.calendar, ctx.now, ctx.day, e);
        // Exercised series are now underlying in the account, no longer options (a cash-settled
        // one is reported at expiry, its payoff still open until the cash is counted).
        // The profile is tomorrow's book: series expiring today have settled.
        let tomorrow = self.book.after(ctx.day);
        let book = if self.cfg.settlement == SettlementCfg::Physical {
            &tomorrow
        } else {
            &self.book
        };
        let g = book.greeks(spot, years);
        let hedge = ctx.position_usd(i);
        let grid: Vec<f64> = (0..=40).map(|k| spot * (0.8 + 0.01 * k as f64)).collect();
        let (profile, flip) = tomorrow.gamma_profile(spot, &grid, years);
        out.extend([
            StateSample::new(i, Metric::OptionsDeltaUsd, g.dollar_delta),
            StateSample::new(i, Metric::PositionUsd, hedge),
            StateSample::new(i, Metric::NetDeltaUsd, g.dollar_delta + hedge),
            StateSample::new(i, Metric::NetGamma, g.gamma),
            StateSample::new(i, Metric::DollarGammaPerPct, g.dollar_gamma_per_pct),
            StateSample::new(
                i,
                Metric::ImpliedVol,
                self.book
                    .surface
                    .vol(spot, spot, self.book.reference_spot, 0.0),
            ),
            StateSample::new(
                i,
                Metric::OpenContracts,
                book.series.iter().map(|s| s.contracts).sum(),
            ),
        ]);
        if let Some(f) = flip {
            out.push(StateSample::new(i, Metric::GammaFlip, f));
        }
        for (x, y) in profile {
            out.push(StateSample::at(i, Metric::GammaProfile, x, y));
        }
    }

    fn settle(&mut self, ctx: &Context, out: &mut Vec<Delivery>) {
        if self.cfg.settlement != SettlementCfg::Physical {
            return;
        }
        let i = self.instrument;
        let d = &ctx.instruments[i];
        // Settlement runs after the close: `prev_close` is today's closing price.
        let close = d.prev_close;
        let per_contract = self.book.multiplier / d.notional_per_unit;
        for s in self.book.series.iter().filter(|s| s.expiry_day == ctx.day) {
            let strike = d.to_ticks(s.strike);
            let units = exercise_units(s.kind, s.contracts, per_contract, strike, close);
            if units != 0 {
                out.push(Delivery {
                    instrument: i,
                    units,
                    price: strike,
                    kind: s.kind,
                    contracts: s.contracts,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_book(spot: f64) -> OptionsBook {
        let cfg = DealerCfg::default();
        let d = Dealer::new(0, &cfg, 1.0);
        let mut book = d.book.clone();
        book.reference_spot = spot;
        for (k, c) in cfg.series.iter().enumerate() {
            book.series.push(d.list(k, c, spot, 0));
        }
        book
    }

    /// docs/model.md §10: dealers' default gamma is about +$5bn per 1% at a 5000 index, with a
    /// month to expiry.
    #[test]
    fn default_book_is_long_about_five_billion_per_pct() {
        let book = default_book(5000.0);
        let g = book.greeks(5000.0, |e| e as f64 / YEAR_DAYS);
        let gex = g.dollar_gamma_per_pct;
        assert!((4.5e9..5.5e9).contains(&gex), "{gex:e}");
    }

    /// A short-gamma book's profile is negative at spot, and the flip lies where the sign
    /// changes; a long book's dollar gamma per 1% is the negative of the short one's.
    #[test]
    fn gamma_profile_and_flip() {
        let mut book = default_book(5000.0);
        let years = |e: u32| e as f64 / YEAR_DAYS;
        let grid: Vec<f64> = (0..=40).map(|k| 5000.0 * (0.8 + 0.01 * k as f64)).collect();
        let (profile, flip) = book.gamma_profile(5000.0, &grid, years);
        let flip = flip.expect("long calls above, short puts below: gamma changes sign");
        // Below the flip the short puts dominate (negative), above it the long calls.
        let at = |b: &OptionsBook, x: f64| b.greeks(x, years).dollar_gamma_per_pct;
        assert!(
            at(&book, flip - 25.0) < 0.0 && at(&book, flip + 25.0) > 0.0,
            "flip {flip}"
        );
        assert_eq!(profile.len(), 41);
        let long = at(&book, 5000.0);
        for s in &mut book.series {
            s.contracts = -s.contracts;
        }
        assert!((at(&book, 5000.0) + long).abs() < 1e-6 * long.abs());
    }

    /// A long-gamma book's ladder sells above the price and buys below it: wherever the price
    /// goes within the ladder, what has filled brings the hedge to the book's target there. A
    /// hedged short-gamma book posts nothing (its hedges chase the move).
    #[test]
    fn a_long_gamma_ladder_hedges_at_every_level() {
        use crate::agents::testkit::{self, fill_at};
        let series = |contracts| SeriesCfg {
            kind: OptionKindCfg::Call,
            moneyness: 1.0,
            expiry_days: 21,
            contracts,
            first_expiry_days: None,
            roll: true,
        };
        let cal = testkit::calendar();
        let data = [testkit::market(&[5000.0])];
        for contracts in [100_000.0, -100_000.0] {
            let cfg = DealerCfg {
                ladder_levels: 10,
                ladder_step: 0.001,
                series: vec![series(contracts)],
                ..DealerCfg::default()
            };
            let mut d = Dealer::new(0, &cfg, 1.0);
            d.initial_positions(&data);
            let account = testkit::account(0);
            let ctx = testkit::context(&cal, &data, &account, 0, cal.open, DayPhase::Continuous);
            let hedged = d.hedge_target(&ctx, 5000.0);
            // Long calls are hedged short: about 0.5 × 100,000 × 100 / 50 units.
            assert!((-105_000..-95_000).contains(&(hedged * contracts.signum() as i64)));
            let mut out = Vec::new();
            d.hedge_ladder(&d.book, &ctx, 5000.0, hedged, &mut out);
            if contracts < 0.0 {
                assert!(out.is_empty(), "{out:?}");
                continue;
            }
            assert_eq!(out.len(), 20);
            // Levels every 5 points (20 ticks) either side of 5000 (20,000 ticks).
            for k in 1..=10 {
                for ticks in [20_000 + 20 * k, 20_000 - 20 * k] {
                    let want = d.hedge_target(&ctx, ticks as f64 * 0.25) - hedged;
                    assert_eq!(fill_at(&out, ticks), want, "at {ticks}");
                    assert!(want.signum() == (20_000 - ticks).signum());
                }
            }
        }
    }

    /// On an expiry day the last check before the closing auction lifts the expiring series'
    /// hedge market-on-close (the options settle at the closing price): with nothing else in
    /// the book, the dealer's orders bring its position to zero, and it does not wake again.
    #[test]
    fn an_expiring_hedge_is_lifted_at_the_close() {
        use crate::agents::testkit;
        use crate::book::OrderKind;
        use rand::SeedableRng;
        let cfg = DealerCfg {
            ladder_levels: 10,
            series: vec![SeriesCfg {
                kind: OptionKindCfg::Call,
                moneyness: 1.0,
                expiry_days: 1,
                contracts: 100_000.0,
                first_expiry_days: None,
                roll: true,
            }],
            ..DealerCfg::default()
        };
        let mut d = Dealer::new(0, &cfg, 1.0);
        let data = [testkit::market(&[5000.0])];
        let (_, hedge) = d.initial_positions(&data)[0];
        assert!(hedge < -90_000, "{hedge}");
        let cal = testkit::calendar();
        let account = testkit::account(hedge);
        let ctx = testkit::context(
            &cal,
            &data,
            &account,
            0,
            cal.close_auction - 30 * SECOND,
            DayPhase::Continuous,
        );
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = Vec::new();
        assert_eq!(d.wake(&ctx, &mut rng, &mut out), None);
        let mut traded = 0;
        let mut at_close = 0;
        for a in &out {
            match *a {
                Action::Submit {
                    side,
                    kind: OrderKind::Market,
                    qty,
                    tif,
                    ..
                } => {
                    let q = if side == Side::Buy {
                        qty as i64
                    } else {
                        -(qty as i64)
                    };
                    traded += q;
                    if tif == TimeInForce::AtClose {
                        at_close += q;
                    }
                }
                Action::Submit { .. } => panic!("no ladder into an expiry close: {a:?}"),
                _ => {}
            }
        }
        assert_eq!(traded, -hedge);
        assert!(at_close > 90_000, "{at_close}");
    }

    /// Exercise moves the underlying only for a series strictly in the money, from the short
    /// side to the long side: a long call receives, a long put delivers, a short call
    /// delivers, a short put receives; a close at the strike exercises nothing.
    #[test]
    fn exercise_units_by_kind_side_and_moneyness() {
        use OptionKind::{Call, Put};
        // 20,000 ticks strike, 2 units a contract (SPX: $100 a point over $50 a unit).
        let cases = [
            (Call, 1_000.0, 20_004, 2_000),
            (Call, 1_000.0, 19_996, 0),
            (Call, 1_000.0, 20_000, 0),
            (Call, -1_000.0, 20_004, -2_000),
            (Call, -1_000.0, 19_996, 0),
            (Put, 1_000.0, 19_996, -2_000),
            (Put, 1_000.0, 20_004, 0),
            (Put, 1_000.0, 20_000, 0),
            (Put, -1_000.0, 19_996, 2_000),
            (Put, -1_000.0, 20_004, 0),
            (Call, -1_000.0, 20_000, 0),
            (Put, -1_000.0, 20_000, 0),
        ];
        for (kind, contracts, close, want) in cases {
            assert_eq!(
                exercise_units(kind, contracts, 2.0, 20_000, close),
                want,
                "{kind:?} {contracts} closing at {close}"
            );
        }
        // A dealer's share of a series is fractional: units round to the nearest.
        assert_eq!(exercise_units(Call, 333.3, 2.0, 100, 101), 667);
        assert_eq!(exercise_units(Put, 333.3, 2.0, 100, 99), -667);
    }

    fn expiring(kind: OptionKindCfg, moneyness: f64, contracts: f64) -> SeriesCfg {
        SeriesCfg {
            kind,
            moneyness,
            expiry_days: 1,
            contracts,
            first_expiry_days: None,
            roll: true,
        }
    }

    /// Physically settled, the series expiring today deliver at their strike (in ticks) at the
    /// close, each by its own moneyness; a later series and a cash-settled book deliver nothing.
    #[test]
    fn physical_settlement_delivers_the_expiring_series_at_the_strike() {
        use crate::agents::testkit;
        let mut later = expiring(OptionKindCfg::Call, 0.9, 7_000.0);
        later.expiry_days = 5;
        let series = vec![
            expiring(OptionKindCfg::Call, 1.0, 10_000.0),
            expiring(OptionKindCfg::Put, 1.02, -3_000.0),
            expiring(OptionKindCfg::Put, 0.98, 4_000.0),
            later,
        ];
        let cal = testkit::calendar();
        let account = testkit::account(0);
        let close = [testkit::market(&[5000.0, 5010.0])];
        for (settlement, want) in [
            // Strikes 5000, 5100 and 4900 (20,000, 20,400 and 19,600 ticks); close 5010.
            (
                SettlementCfg::Physical,
                vec![
                    (20_000, 20_000, OptionKind::Call),
                    (6_000, 20_400, OptionKind::Put),
                ],
            ),
            (SettlementCfg::Cash, vec![]),
        ] {
            let cfg = DealerCfg {
                series: series.clone(),
                settlement,
                ..DealerCfg::default()
            };
            let mut d = Dealer::new(0, &cfg, 1.0);
            d.initial_positions(&[testkit::market(&[5000.0])]);
            let ctx = testkit::context(&cal, &close, &account, 0, cal.close, DayPhase::Closed);
            let mut out = Vec::new();
            d.settle(&ctx, &mut out);
            let got: Vec<_> = out.iter().map(|x| (x.units, x.price, x.kind)).collect();
            assert_eq!(got, want, "{settlement:?}");
            assert!(out.iter().all(|x| x.instrument == 0));
            // Tomorrow it settles nothing more.
            let ctx = testkit::context(&cal, &close, &account, 1, cal.close, DayPhase::Closed);
            out.clear();
            d.settle(&ctx, &mut out);
            assert!(out.is_empty(), "{out:?}");
        }
    }

    /// Physically settled, the last check before an expiry close sends no market-on-close
    /// lift: the dealer keeps hedging the whole book and leaves its ladder in the book for
    /// the closing auction, as on any other day.
    #[test]
    fn a_physically_settled_expiry_keeps_the_ladder_into_the_close() {
        use crate::agents::testkit;
        use crate::book::OrderKind;
        use rand::SeedableRng;
        let cfg = DealerCfg {
            ladder_levels: 10,
            ladder_step: 0.0002,
            settlement: SettlementCfg::Physical,
            series: vec![expiring(OptionKindCfg::Call, 1.0, 100_000.0)],
            ..DealerCfg::default()
        };
        let mut d = Dealer::new(0, &cfg, 1.0);
        let data = [testkit::market(&[5000.0])];
        let (_, hedge) = d.initial_positions(&data)[0];
        let cal = testkit::calendar();
        let account = testkit::account(hedge);
        let now = cal.close_auction - 30 * SECOND;
        let ctx = testkit::context(&cal, &data, &account, 0, now, DayPhase::Continuous);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = Vec::new();
        assert_eq!(d.wake(&ctx, &mut rng, &mut out), None);
        let mut limits = 0;
        for a in &out {
            if let Action::Submit { tif, kind, .. } = *a {
                assert_ne!(tif, TimeInForce::AtClose, "no closing lift: {a:?}");
                if let OrderKind::Limit(_) = kind {
                    assert_eq!(tif, TimeInForce::Day);
                    limits += 1;
                }
            }
        }
        // An at-the-money book (200,000 units of delta at expiry) five and a half minutes
        // from expiry: the ladder is the expiry's step smoothed over those minutes, about
        // 28,000 units within 2 points of the strike and most of the half step within 10.
        assert!(limits >= 2, "{out:?}");
        for (ticks, least) in [(8, 20_000), (40, 80_000)] {
            let up = testkit::fill_at(&out, 20_000 + ticks);
            let down = testkit::fill_at(&out, 20_000 - ticks);
            assert!(up < -least && down > least, "±{ticks} ticks: {up} {down}");
        }
    }

    /// The last check before an expiry's closing auction with `hedge_to_payoff`: the orders
    /// (`out`) and the Black–Scholes hedge target at 5000 they are relative to.
    fn last_check(series: Vec<SeriesCfg>, hedge_to_payoff: bool) -> (Vec<Action>, Dealer, i64) {
        use crate::agents::testkit;
        use rand::SeedableRng;
        let cfg = DealerCfg {
            ladder_levels: 10,
            ladder_step: 0.0002,
            settlement: SettlementCfg::Physical,
            hedge_to_payoff,
            series,
            ..DealerCfg::default()
        };
        let mut d = Dealer::new(0, &cfg, 1.0);
        let data = [testkit::market(&[5000.0])];
        d.initial_positions(&data);
        let cal = testkit::calendar();
        let now = cal.close_auction - 30 * SECOND;
        let probe = testkit::account(0);
        let ctx = testkit::context(&cal, &data, &probe, 0, now, DayPhase::Continuous);
        let target = d.hedge_target(&ctx, 5000.0);
        // Hedged already: no market order, only the resting orders.
        let account = testkit::account(target);
        let ctx = testkit::context(&cal, &data, &account, 0, now, DayPhase::Continuous);
        let mut out = Vec::new();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(d.wake(&ctx, &mut rng, &mut out), None);
        (out, d, target)
    }

    fn limits(out: &[Action]) -> Vec<(Side, Price, u64)> {
        out.iter()
            .filter_map(|a| match *a {
                Action::Submit {
                    side,
                    kind: crate::book::OrderKind::Limit(p),
                    qty,
                    ..
                } => Some((side, p, qty)),
                _ => None,
            })
            .collect()
    }

    /// Long calls expiring at this close, hedged to their payoff: a sell one tick above the
    /// strike and a buy at it, no other ladder; their sizes are the step's change of the
    /// post-exercise target (together the 200,000 units the calls deliver), so wherever the
    /// auction clears the hedge plus what fills plus what exercise delivers is flat.
    #[test]
    fn long_calls_are_hedged_to_the_step_at_the_strike() {
        use crate::agents::testkit::fill_at;
        let (out, _, target) =
            last_check(vec![expiring(OptionKindCfg::Call, 1.0, 100_000.0)], true);
        let got = limits(&out);
        assert_eq!(got.len(), 2, "{got:?}");
        // About half the delta is still to sell above the strike, half to buy back at it.
        let (buy_at_strike, sell_above) = (-target, 200_000 + target);
        assert!((80_000..120_000).contains(&buy_at_strike), "{target}");
        assert!(
            got.contains(&(Side::Sell, 20_001, sell_above as u64)),
            "{got:?}"
        );
        assert!(
            got.contains(&(Side::Buy, 20_000, buy_at_strike as u64)),
            "{got:?}"
        );
        for close in [19_900, 19_999, 20_000, 20_001, 20_002, 20_100] {
            let delivered = exercise_units(OptionKind::Call, 100_000.0, 2.0, 20_000, close);
            assert_eq!(
                target + fill_at(&out, close) + delivered,
                0,
                "closing at {close}"
            );
        }
        // Without the option, the Black–Scholes ladder on the one-point grid instead.
        let (out, _, _) = last_check(vec![expiring(OptionKindCfg::Call, 1.0, 100_000.0)], false);
        let got = limits(&out);
        assert_eq!(got.len(), 20, "{got:?}");
        assert!(got.iter().all(|&(_, p, _)| (p - 20_000) % 4 == 0));
    }

    /// Long puts mirror it: a buy one tick below the strike, a sell at it.
    #[test]
    fn long_puts_are_hedged_to_the_step_at_the_strike() {
        use crate::agents::testkit::fill_at;
        let (out, _, target) = last_check(vec![expiring(OptionKindCfg::Put, 1.0, 50_000.0)], true);
        let got = limits(&out);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got.contains(&(Side::Buy, 19_999, (100_000 - target) as u64)),
            "{got:?}"
        );
        assert!(
            got.contains(&(Side::Sell, 20_000, target as u64)),
            "{got:?}"
        );
        for close in [19_900, 19_998, 19_999, 20_000, 20_001, 20_100] {
            let delivered = exercise_units(OptionKind::Put, 50_000.0, 2.0, 20_000, close);
            assert_eq!(
                target + fill_at(&out, close) + delivered,
                0,
                "closing at {close}"
            );
        }
    }

    /// A series that does not expire today keeps its Black–Scholes ladder on the grid (the
    /// same orders as a dealer holding only that series), and the expiring one adds its step
    /// and nothing else.
    #[test]
    fn later_series_keep_their_ladder_beside_the_step() {
        let mut later = expiring(OptionKindCfg::Call, 1.02, 60_000.0);
        later.expiry_days = 5;
        let today = expiring(OptionKindCfg::Call, 1.0, 100_000.0);
        let (out, _, _) = last_check(vec![today.clone(), later.clone()], true);
        let (alone, _, _) = last_check(vec![later], true);
        let mut got = limits(&out);
        let want = limits(&alone);
        assert!(want.len() >= 10, "{want:?}");
        let step: Vec<_> = got
            .iter()
            .copied()
            .filter(|&(_, p, _)| p == 20_000 || p == 20_001)
            .collect();
        assert_eq!(step.len(), 2, "{got:?}");
        got.retain(|x| !step.contains(x));
        assert_eq!(got, want);
    }

    /// Short gamma: the step would buy above the strike and sell below, which cannot rest, so
    /// (as the short-gamma ladder) nothing is posted for the expiring short series.
    #[test]
    fn short_gamma_posts_no_step() {
        for kind in [OptionKindCfg::Call, OptionKindCfg::Put] {
            let (out, _, _) = last_check(vec![expiring(kind, 1.0, -100_000.0)], true);
            assert!(limits(&out).is_empty(), "{kind:?}: {out:?}");
        }
    }

    /// Before the last check the expiring series keeps its Black–Scholes ladder.
    #[test]
    fn the_step_waits_for_the_last_check() {
        use crate::agents::testkit;
        use rand::SeedableRng;
        let cfg = DealerCfg {
            ladder_levels: 10,
            ladder_step: 0.0002,
            settlement: SettlementCfg::Physical,
            hedge_to_payoff: true,
            series: vec![expiring(OptionKindCfg::Call, 1.0, 100_000.0)],
            ..DealerCfg::default()
        };
        let mut d = Dealer::new(0, &cfg, 1.0);
        let data = [testkit::market(&[5000.0])];
        let (_, hedge) = d.initial_positions(&data)[0];
        let cal = testkit::calendar();
        let account = testkit::account(hedge);
        let now = cal.close_auction - 10 * MINUTE;
        let ctx = testkit::context(&cal, &data, &account, 0, now, DayPhase::Continuous);
        let mut out = Vec::new();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!(d.wake(&ctx, &mut rng, &mut out).is_some());
        let got = limits(&out);
        assert_eq!(got.len(), 20, "{got:?}");
    }

    #[test]
    fn time_runs_on_the_trading_clock() {
        let cal = crate::agents::testkit::calendar();
        // Before the open of day 3, a series expiring at the close of day 5 has 3 days left.
        let t = years_to_expiry(&cal, cal.day_start(3) + cal.preopen, 3, 5);
        assert!((t - 3.0 / 252.0).abs() < 1e-15);
        // Half-way through the expiry day's session: half a day.
        let mid = cal.day_start(5) + cal.open + cal.session() / 2;
        assert!((years_to_expiry(&cal, mid, 5, 5) - 0.5 / 252.0).abs() < 1e-15);
        assert_eq!(
            years_to_expiry(&cal, cal.day_start(5) + cal.close, 5, 5),
            0.0
        );
        assert_eq!(years_to_expiry(&cal, cal.day_start(6), 6, 5), 0.0);
    }
}
