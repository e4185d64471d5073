//! Fundamental (value) traders: each observes the fundamental value with a fixed bias and a
//! fresh error at every decision, and trades towards a position proportional to the
//! mispricing: either one order at value ± threshold ([`ValueLimit::Edge`]) or its whole
//! demand schedule as a ladder of limit orders ([`ValueLimit::Schedule`]); the ladder can also
//! go into the closing auction.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::activity::IntradayActivity;
use super::execution::limit;
use super::latent::{LatentBook, LatentParams};
use super::state::{Metric, StateSample};
use super::{Action, Agent, AgentClass, Context, DayPhase};
use crate::book::{Motive, Price, Side, TimeInForce};
use crate::market::data::InstrumentData;
use crate::market::time::{Calendar, Nanos, SECOND};
use crate::scenario::{ValueCfg, ValueLimit};

pub struct ValueTrader {
    instrument: usize,
    cfg: ValueCfg,
    /// Log bias of this trader's estimate, drawn once.
    bias: f64,
    /// Today's closing ladder has been entered (or was not due).
    ladder_sent: bool,
    /// The instrument's calm volatility, when the trader keeps a risk budget.
    calm_vol: Option<f64>,
    /// The intraday decision shape (from `cfg.u_shape`, built once).
    arrivals: IntradayActivity,
    /// The latent order book, with `limit = "latent"`.
    latent: Option<Latent>,
}

/// A latent trader's book and what it has displayed of it.
struct Latent {
    params: LatentParams,
    /// Built around the mid at the first decision.
    book: Option<LatentBook>,
    /// Orders shown at the last decision: (side, price, units). The market keeps one order per
    /// (side, price) for this trader, so what is missing from it at the next decision traded.
    posted: Vec<(Side, Price, u64)>,
    /// How far public news had moved the book when `posted` went in (`news_ticks`): the
    /// orders have moved with it since.
    posted_news: Price,
    /// The position when the closing auction orders went in (their fills are read from the
    /// position change, since the orders expire at the close).
    auction_position: Option<i64>,
    /// Log fundamental at the last decision.
    value_log: Option<f64>,
    /// Session time (days) of the last density update.
    evolved_at: Option<f64>,
    /// The position the valuation last leaned on (`elasticity_usd_per_pct`).
    held: Option<i64>,
}

impl ValueTrader {
    /// `annual_vol` is the instrument's: with `risk_budget` the trader's configured depth holds
    /// at that volatility.
    pub fn new(instrument: usize, cfg: ValueCfg, annual_vol: f64, rng: &mut ChaCha8Rng) -> Self {
        let bias = Normal::new(0.0, cfg.estimate_noise.max(0.0)).map_or(0.0, |n| n.sample(rng));
        let calm_vol = cfg.risk_budget.then_some(annual_vol);
        let arrivals = IntradayActivity::new(cfg.u_shape, 0.0);
        ValueTrader {
            instrument,
            cfg,
            bias,
            ladder_sent: false,
            calm_vol,
            arrivals,
            latent: None,
        }
    }

    /// A trader in `limit = "latent"` mode holds this share of the class's latent book.
    pub fn with_latent(mut self, params: LatentParams) -> Self {
        self.latent = Some(Latent {
            params,
            book: None,
            posted: Vec::new(),
            posted_news: 0,
            auction_position: None,
            value_log: None,
            evolved_at: None,
            held: None,
        });
        self
    }

    /// Does this trader send orders into the closing auction?
    fn at_close(&self) -> bool {
        match &self.latent {
            Some(_) => self.cfg.latent.close_reveal_ticks > 0,
            None => self.cfg.close_speed > 0.0,
        }
    }

    /// The next decision or, after the last one, the closing auction (when the trader takes
    /// part in it).
    fn next(&self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        self.next_decision(ctx, rng).or_else(|| {
            // A second in, so the market has switched to the auction when the trader wakes.
            (self.at_close() && !self.ladder_sent)
                .then(|| ctx.today_at(ctx.calendar.close_auction) + SECOND)
        })
    }

    fn next_decision(&self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        let cal = ctx.calendar;
        self.arrivals.next_arrival(
            ctx.now,
            self.cfg.decisions_per_day,
            cal.close_auction,
            cal,
            rng,
        )
    }
}

impl Agent for ValueTrader {
    fn class(&self) -> AgentClass {
        AgentClass::Value
    }

    fn start_day(&mut self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        self.ladder_sent = false;
        if let Some(l) = &mut self.latent {
            l.settle_auction(ctx.position(self.instrument));
        }
        self.next(ctx, rng)
    }

    fn wake(
        &mut self,
        ctx: &Context,
        rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        let i = self.instrument;
        let data = &ctx.instruments[i];
        if let Some(l) = &mut self.latent {
            return match ctx.phase {
                DayPhase::Continuous => {
                    l.decide(ctx, i, &self.cfg, false, out);
                    self.next(ctx, rng)
                }
                DayPhase::ClosingAuction if !self.ladder_sent => {
                    self.ladder_sent = true;
                    l.decide(ctx, i, &self.cfg, true, out);
                    None
                }
                DayPhase::Closed | DayPhase::ClosingAuction => None,
                _ => self.next(ctx, rng),
            };
        }
        if ctx.phase == DayPhase::ClosingAuction && !self.ladder_sent {
            self.ladder_sent = true;
            if self.cfg.close_speed > 0.0 {
                let estimate = self.estimate(data, rng);
                self.replace_with_ladder(ctx, estimate, self.cfg.close_speed, out);
            }
            return None;
        }
        if ctx.phase != DayPhase::Continuous {
            return if ctx.phase == DayPhase::Closed {
                None
            } else {
                self.next(ctx, rng)
            };
        }
        let estimate = self.estimate(data, rng);
        match self.cfg.limit {
            ValueLimit::Edge => self.decide_at_edge(ctx, estimate, out),
            // The schedule as a ladder: the orders on the far side of the touch take liquidity
            // until the trader holds its target at the price reached, and the rest rest.
            ValueLimit::Schedule => self.replace_with_ladder(ctx, estimate, self.cfg.speed, out),
            // Handled above (a latent trader never reaches here).
            ValueLimit::Latent => {}
        }
        self.next(ctx, rng)
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        if self.calm_vol.is_some() {
            let i = self.instrument;
            let scale = risk_scale(self.calm_vol, &ctx.instruments[i]);
            out.push(StateSample::new(i, Metric::RiskScale, scale));
        }
    }
}

impl ValueTrader {
    /// One limit order for `speed` of the gap to the target at the mid, at value less (buying)
    /// or plus (selling) the threshold.
    fn decide_at_edge(&self, ctx: &Context, estimate: f64, out: &mut Vec<Action>) {
        let i = self.instrument;
        let data = &ctx.instruments[i];
        let mid = data.price_usd(data.mid().round() as i64);
        let mispricing = (estimate / mid).ln();
        if mispricing.abs() < self.cfg.threshold {
            return;
        }
        let cfg = scaled(&self.cfg, risk_scale(self.calm_vol, data));
        let target = target_units(&cfg, data, mispricing, mid);
        // Each decision replaces the trader's resting order: what is left of it after taking
        // liquidity rests at the trader's price, so when the market has run away from value
        // the trader's offer (or bid) becomes the new touch.
        if !ctx.open_orders.is_empty() {
            out.push(Action::CancelAll { instrument: i });
        }
        let gap = target - ctx.position(i);
        let delta = if self.cfg.speed >= 1.0 {
            gap
        } else {
            let part = (gap as f64 * self.cfg.speed).round() as i64;
            if part == 0 { gap.signum() } else { part }
        };
        if delta != 0 {
            let side = if delta > 0 { Side::Buy } else { Side::Sell };
            // Never pay more (or sell for less) than value less the threshold.
            let edge = match side {
                Side::Buy => estimate * (1.0 - self.cfg.threshold),
                Side::Sell => estimate * (1.0 + self.cfg.threshold),
            };
            let price = data.to_ticks(edge).max(1);
            out.push(limit(
                i,
                side,
                price,
                delta.unsigned_abs(),
                TimeInForce::Day,
                Motive::Value,
            ));
        }
    }

    /// Cancels the trader's resting orders and posts its schedule, for `share` of its gap.
    fn replace_with_ladder(&self, ctx: &Context, estimate: f64, share: f64, out: &mut Vec<Action>) {
        let i = self.instrument;
        if !ctx.open_orders.is_empty() {
            out.push(Action::CancelAll { instrument: i });
        }
        let position = ctx.position(i);
        let data = &ctx.instruments[i];
        let cfg = scaled(&self.cfg, risk_scale(self.calm_vol, data));
        ladder(i, data, estimate, position, share, &cfg, out);
    }

    /// This decision's estimate of value: the fundamental seen through the trader's own bias
    /// and a fresh observation error.
    fn estimate(&self, data: &InstrumentData, rng: &mut ChaCha8Rng) -> f64 {
        let noise =
            Normal::new(0.0, self.cfg.observation_noise.max(0.0)).map_or(0.0, |n| n.sample(rng));
        data.fundamental * (self.bias + noise).exp()
    }
}

impl Latent {
    /// One decision: settle what traded, move the intentions with value, update the density
    /// when due, and show the book anew (in the closing auction: everything within
    /// `close_reveal_ticks` of the last price).
    fn decide(
        &mut self,
        ctx: &Context,
        i: usize,
        cfg: &ValueCfg,
        auction: bool,
        out: &mut Vec<Action>,
    ) {
        let data = &ctx.instruments[i];
        let mid = if auction {
            data.last_price as f64
        } else {
            data.mid()
        };
        let params = self.params;
        let book = self
            .book
            .get_or_insert_with(|| LatentBook::new(params, mid));
        // The orders are found where news has moved them since; what traded of them is taken
        // from the book at the prices they were posted at, before the book follows value.
        let news = data.news_ticks - self.posted_news;
        for (side, price, qty) in self.posted.drain(..) {
            let now_at = Some(price + news);
            let left: u64 = ctx
                .open_orders
                .iter()
                .filter(|o| o.instrument == i && o.side == side && o.price == now_at)
                .map(|o| o.qty)
                .sum();
            book.executed(side, price, qty.saturating_sub(left) as f64);
        }
        let v = data.fundamental.ln();
        let mut moved = self.value_log.map_or(0.0, |last| (v - last) * mid);
        self.value_log = Some(v);
        // A finite elasticity: what the trader has bought since it last leaned marks its
        // valuation down (sold, up), and its intentions move with its valuation.
        if params.lean_per_unit > 0.0 {
            let position = ctx.position(i);
            let bought = position - self.held.unwrap_or(position);
            moved -= bought as f64 * params.lean_per_unit * mid;
            self.held = Some(position);
        }
        book.follow(moved, mid);
        let now = session_days(ctx.now, ctx.calendar);
        let since = now - self.evolved_at.unwrap_or(now);
        if self.evolved_at.is_none()
            || since * session_seconds(ctx.calendar) >= cfg.latent.evolve_seconds
        {
            book.evolve(since, mid);
            self.evolved_at = Some(now);
        }
        book.annihilate();
        if !ctx.open_orders.is_empty() {
            out.push(Action::CancelAll { instrument: i });
        }
        let (reveal, share) = if auction {
            (cfg.latent.close_reveal_ticks as f64, 1.0)
        } else {
            (cfg.latent.reveal_ticks as f64, cfg.latent.reveal_share)
        };
        self.posted_news = data.news_ticks;
        let posted = &mut self.posted;
        book.orders(mid, reveal, share, |side, price, qty| {
            if price > 0 {
                out.push(limit(i, side, price, qty, TimeInForce::Day, Motive::Value));
                posted.push((side, price, qty));
            }
        });
        self.auction_position = auction.then(|| ctx.position(i));
    }

    /// The closing auction's fills, read from the position change since the orders went in:
    /// the auction clears at one price and the trader's bids sit below its offers, so only one
    /// side traded, the most aggressive orders first.
    fn settle_auction(&mut self, position: i64) {
        let Some(before) = self.auction_position.take() else {
            self.posted.clear();
            return;
        };
        let Some(book) = &mut self.book else {
            return;
        };
        let traded = position - before;
        let side = if traded > 0 { Side::Buy } else { Side::Sell };
        let mut left = traded.unsigned_abs();
        let mut orders: Vec<_> = self.posted.drain(..).filter(|o| o.0 == side).collect();
        // Bids from the highest, offers from the lowest.
        orders.sort_by_key(|o| if side == Side::Buy { -o.1 } else { o.1 });
        for (s, price, qty) in orders {
            if left == 0 {
                break;
            }
            let q = qty.min(left);
            book.executed(s, price, q as f64);
            left -= q;
        }
    }
}

/// Session time in days: whole days plus the elapsed share of today's session (so a latent
/// book ages in trading time and stands still overnight).
fn session_days(t: Nanos, cal: &Calendar) -> f64 {
    let day = cal.day_of(t) as f64;
    let tod = cal.time_of_day(t);
    let into = tod.saturating_sub(cal.open).min(cal.session()) as f64;
    day + into / cal.session().max(1) as f64
}

fn session_seconds(cal: &Calendar) -> f64 {
    cal.session() as f64 / SECOND as f64
}

/// How much of its configured demand a trader offers at the market's current volatility:
/// `calm_vol / σ̂` with a risk budget, else all of it.
fn risk_scale(calm_vol: Option<f64>, data: &InstrumentData) -> f64 {
    match calm_vol {
        Some(v) if data.ewma_var > 0.0 => v / data.ewma_vol(),
        _ => 1.0,
    }
}

/// The configuration with its demand (`usd_per_pct` and the cap) scaled by `scale`.
fn scaled(cfg: &ValueCfg, scale: f64) -> ValueCfg {
    ValueCfg {
        usd_per_pct: cfg.usd_per_pct * scale,
        max_position_usd: cfg.max_position_usd * scale,
        ..cfg.clone()
    }
}

/// The position (units) a trader wants when the price is `price` dollars and its log
/// mispricing is `mispricing`: `usd_per_pct` per 1%, capped at `max_position_usd`.
fn target_units(cfg: &ValueCfg, data: &InstrumentData, mispricing: f64, price: f64) -> i64 {
    let usd =
        (cfg.usd_per_pct * mispricing * 100.0).clamp(-cfg.max_position_usd, cfg.max_position_usd);
    (usd / (price * data.notional_per_unit)).round() as i64
}

/// The trader's demand schedule as limit orders, for `share` of its gap at every price.
///
/// Levels sit at log mispricings ±(threshold + k·step) around the estimate; at level j the
/// trader wants to hold its target `D_j` for that price, and its trade if the price reaches
/// that level is `n_j = share·(D_j − position)`, which grows as the price falls. A buy at a
/// level fills at any clearing price at or under it and a sell at any price at or over it, so
/// buys are the increments of `n⁺` going down in price and sells those of `(−n)⁺` going up:
/// whatever price an auction clears at (or a sweep reaches) the trader's fill is its schedule
/// there, and the book sees a demand curve, not one price. With [`ValueLimit::Edge`] the trader
/// only buys below value and sells above it, as it does in the continuous session; with
/// [`ValueLimit::Schedule`] it trades towards its schedule at any price (selling inventory
/// below value once the price is above where it would hold that much).
fn ladder(
    i: usize,
    data: &InstrumentData,
    estimate: f64,
    position: i64,
    share: f64,
    cfg: &ValueCfg,
    out: &mut Vec<Action>,
) {
    let k = cfg.ladder_levels as i64;
    // When the market is further from value than the ladder reaches, the outermost level on
    // that side moves to the market's price: the trader's demand there is in the book, and a
    // discount of any size meets the schedule instead of an empty book beyond its last level.
    let at_market = (estimate / data.price_usd(data.mid().round() as i64)).ln();
    // Level j in -k..k, from the highest price down: sell-side levels (j < 0) from the
    // outermost in, then buy-side levels outwards.
    let level = |j: i64| {
        let steps = if j >= 0 { j } else { -j - 1 } as f64;
        let mut m = (cfg.threshold + steps * cfg.ladder_step) * if j >= 0 { 1.0 } else { -1.0 };
        if (j == k - 1 && at_market > m) || (j == -k && at_market < m) {
            m = at_market;
        }
        let price = estimate * (-m).exp();
        let want = target_units(cfg, data, m, price);
        let n = (share * (want - position) as f64).round() as i64;
        (data.to_ticks(price).max(1), n)
    };
    // At the edge each side's sums start where the trader's side of value begins.
    let edge = cfg.limit == ValueLimit::Edge;
    let counts = |a: i64, b: i64| !edge || (a >= 0) == (b >= 0);
    let mut prev: Option<i64> = None;
    let mut cur = level(-k);
    for j in -k..k {
        let next = (j + 1 < k).then(|| level(j + 1));
        let (price, n) = cur;
        let below = j >= 0;
        let before = prev.filter(|_| counts(j - 1, j)).map_or(0, |m| m.max(0));
        let after = next
            .filter(|_| counts(j + 1, j))
            .map_or(0, |(_, m)| (-m).max(0));
        let buy = if edge && !below { 0 } else { n.max(0) - before };
        let sell = if edge && below {
            0
        } else {
            (-n).max(0) - after
        };
        for (side, qty) in [(Side::Buy, buy), (Side::Sell, sell)] {
            if qty > 0 {
                out.push(limit(
                    i,
                    side,
                    price,
                    qty as u64,
                    TimeInForce::Day,
                    Motive::Value,
                ));
            }
        }
        prev = Some(n);
        if let Some(nx) = next {
            cur = nx;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{self, fill_at};
    use crate::book::OrderKind;

    fn closing(limit: ValueLimit, position: i64) -> (ValueCfg, InstrumentData, Vec<Action>) {
        let cfg = ValueCfg {
            usd_per_pct: 5e9,
            max_position_usd: 40e9,
            threshold: 0.003,
            limit,
            close_speed: 0.5,
            ladder_levels: 8,
            ladder_step: 0.005,
            ..ValueCfg::default()
        };
        let data = testkit::market(&[5000.0]);
        let mut out = Vec::new();
        ladder(0, &data, 5000.0, position, cfg.close_speed, &cfg, &mut out);
        (cfg, data, out)
    }

    /// At every level, whatever the auction's price, a schedule trader's fill is
    /// close_speed·(target − position): $5bn per 1% below value at 5000 × $50 is 20,000 units per
    /// 1%, capped at 160,000 ($40bn), so 4% below value a flat trader buys half of 80,000.
    #[test]
    fn the_ladder_fills_the_demand_schedule_at_each_level() {
        let (cfg, data, out) = closing(ValueLimit::Schedule, 30_000);
        for k in 0..cfg.ladder_levels {
            for sign in [1.0, -1.0] {
                let m = sign * (cfg.threshold + k as f64 * cfg.ladder_step);
                let price = 5000.0 * (-m).exp();
                let want = target_units(&cfg, &data, m, price);
                let expected = (0.5 * (want - 30_000) as f64).round() as i64;
                assert_eq!(fill_at(&out, data.to_ticks(price)), expected, "level {m}");
            }
        }
        let m = 0.003 + 0.005 * 7.0; // 3.8% below value: $19bn
        let want = target_units(&cfg, &data, m, 5000.0 * (-m).exp());
        assert!((want - 78_500).abs() < 1_000, "{want}");
        // Far below the ladder the trader is capped at its outermost level (3.8% below value).
        assert_eq!(
            fill_at(&out, 1),
            (0.5 * (want - 30_000) as f64).round() as i64
        );
    }

    /// With a risk budget a trader on a 12%-volatility instrument offers its whole schedule
    /// when the market's σ̂ is 12% and half of it at 24%: 2.3% under value, $5bn × 2.3 =
    /// $11.5bn is about 47,000 units at 4886, so about 23,500 at 24%.
    #[test]
    fn a_risk_budget_scales_the_schedule_with_volatility() {
        let cfg = closing(ValueLimit::Schedule, 0).0;
        let mut data = testkit::market(&[5000.0]);
        data.ewma_var = 0.12f64.powi(2) / 252.0;
        assert!((risk_scale(Some(0.12), &data) - 1.0).abs() < 1e-12);
        data.ewma_var = 0.24f64.powi(2) / 252.0;
        let scale = risk_scale(Some(0.12), &data);
        assert!((scale - 0.5).abs() < 1e-12);
        assert_eq!(risk_scale(None, &data), 1.0);
        let mut out = Vec::new();
        ladder(0, &data, 5000.0, 0, 1.0, &scaled(&cfg, scale), &mut out);
        let m = cfg.threshold + 4.0 * cfg.ladder_step;
        let p = data.to_ticks(5000.0 * (-m).exp());
        let half = fill_at(&out, p);
        assert!((23_400..23_700).contains(&half), "{half}");
        let mut full = Vec::new();
        ladder(0, &data, 5000.0, 0, 1.0, &cfg, &mut full);
        assert!((2 * half - fill_at(&full, p)).abs() <= 2);
    }

    /// The scale the trader acts on is the one it reports at the close, and only with a
    /// risk budget.
    #[test]
    fn a_trader_with_a_risk_budget_reports_its_depth_scale() {
        use rand::SeedableRng;
        let cal = testkit::calendar();
        let mut data = testkit::market(&[5000.0]);
        data.ewma_var = 0.16f64.powi(2) / 252.0;
        let data = [data];
        let account = testkit::account(0);
        let ctx = testkit::context(&cal, &data, &account, 2, 57_600 * SECOND, DayPhase::Closed);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (budget, expected) in [(true, Some(0.75)), (false, None)] {
            let cfg = ValueCfg {
                risk_budget: budget,
                ..ValueCfg::default()
            };
            let mut trader = ValueTrader::new(0, cfg, 0.12, &mut rng);
            let mut out = Vec::new();
            trader.end_day(&ctx, &mut out);
            let got = out
                .iter()
                .find(|s| s.metric == Metric::RiskScale)
                .map(|s| s.value);
            match (got, expected) {
                (Some(g), Some(e)) => assert!((g - e).abs() < 1e-12, "{g}"),
                (g, e) => assert_eq!(g, e),
            }
        }
    }

    /// 5% under value, beyond the ladder's 3.8% reach, the trader's outermost buy moves from
    /// 3.8% to the market's price and holds its schedule there: $5bn × 5.13% at 4750 is about
    /// 108,000 units (at 3.8% it would have stopped at about 79,000); the level inside it
    /// (3.3%, about 68,000) stays where it was.
    #[test]
    fn the_ladder_reaches_a_market_beyond_its_last_level() {
        let (cfg, _, _) = closing(ValueLimit::Schedule, 0);
        let data = testkit::market(&[4750.0]);
        let mut out = Vec::new();
        ladder(0, &data, 5000.0, 0, 1.0, &cfg, &mut out);
        let at_market = fill_at(&out, data.to_ticks(4750.0));
        assert!((107_500..108_500).contains(&at_market), "{at_market}");
        let reach = cfg.threshold + 7.0 * cfg.ladder_step;
        let regular = fill_at(&out, data.to_ticks(5000.0 * (-reach).exp()));
        let inside = cfg.threshold + 6.0 * cfg.ladder_step;
        assert_eq!(
            regular,
            fill_at(&out, data.to_ticks(5000.0 * (-inside).exp()))
        );
        assert!((67_500..68_500).contains(&regular), "{regular}");
        // Between the last regular level and the market nothing more is bid: the moved
        // level sits at the market, not at 3.8%.
        assert_eq!(fill_at(&out, data.to_ticks(4760.0)), regular);
    }

    /// At the edge a trader never sells below its value (it keeps a long position until the
    /// price comes back) nor buys above it.
    #[test]
    fn an_edge_trader_keeps_its_side_of_value() {
        let (cfg, data, out) = closing(ValueLimit::Edge, 30_000);
        let value = data.to_ticks(5000.0);
        for a in &out {
            if let Action::Submit {
                side,
                kind: OrderKind::Limit(p),
                ..
            } = *a
            {
                match side {
                    Side::Buy => assert!(p < value),
                    Side::Sell => assert!(p > value),
                }
            }
        }
        // Holding 30,000 (1.5% worth), it sells none of it 1% below value but buys more 3%
        // below, up to half its gap.
        assert_eq!(fill_at(&out, data.to_ticks(5000.0 * 0.99)), 0);
        let m = cfg.threshold + 5.0 * cfg.ladder_step; // 2.8%
        let want = target_units(&cfg, &data, m, 5000.0 * (-m).exp());
        assert_eq!(
            fill_at(&out, data.to_ticks(5000.0 * (-m).exp())),
            (0.5 * (want - 30_000) as f64).round() as i64
        );
        // Above value it sells: its whole position and a short beyond it.
        assert!(fill_at(&out, data.to_ticks(5000.0 * 1.02)) < -30_000);
    }

    /// After value falls 5% under the market, a schedule trader's orders reach through the
    /// bid (taking liquidity down towards value) instead of resting at the touch.
    #[test]
    fn a_schedule_trader_takes_liquidity_when_value_moves() {
        use rand::SeedableRng;
        let cfg = ValueCfg {
            limit: ValueLimit::Schedule,
            observation_noise: 0.0,
            estimate_noise: 0.0,
            ..ValueCfg::default()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut trader = ValueTrader::new(0, cfg, 0.12, &mut rng);
        let cal = testkit::calendar();
        let mut data = testkit::market(&[5000.0]);
        data.fundamental = 4750.0;
        let data = [data];
        let account = testkit::account(0);
        let ctx = testkit::context(
            &cal,
            &data,
            &account,
            2,
            40_000 * SECOND,
            DayPhase::Continuous,
        );
        let mut out = Vec::new();
        trader.wake(&ctx, &mut rng, &mut out);
        let bid = data[0].best_bid.unwrap().0;
        let through: u64 = out
            .iter()
            .map(|a| match *a {
                Action::Submit {
                    side: Side::Sell,
                    kind: OrderKind::Limit(p),
                    qty,
                    ..
                } if p <= bid => qty,
                Action::Submit {
                    side: Side::Buy,
                    kind: OrderKind::Limit(p),
                    ..
                } if p > data[0].to_ticks(4750.0) => panic!("buys above value: {a:?}"),
                _ => 0,
            })
            .sum();
        // The market is 5.1% over value, beyond the ladder's 0.05% + 11 × 0.25% = 2.8%, so the
        // outermost level moves to the market (5000, inside the spread) and holds the trader's
        // 5.1% schedule there; the levels out to 2.55% (4872.7), all under the 5000 bid, offer
        // $5bn per 1% × 2.55% = $12.75bn, about 52,300 units, through the bid.
        assert!((51_800..52_800).contains(&through), "{through}");
        assert_eq!(
            fill_at(&out, data[0].to_ticks(5000.0)),
            -target_units(&trader.cfg, &data[0], (5000.0f64 / 4750.0).ln(), 5000.0)
        );
    }

    /// A latent trader holding the whole class's book, and its random stream.
    fn latent_trader() -> (ValueTrader, ChaCha8Rng) {
        latent_trader_with(0.0)
    }

    /// The same, marking its valuation down 1% for each `elasticity` dollars it buys.
    fn latent_trader_with(elasticity: f64) -> (ValueTrader, ChaCha8Rng) {
        use rand::SeedableRng;
        let mut cfg = ValueCfg {
            limit: ValueLimit::Latent,
            count: 1,
            ..ValueCfg::default()
        };
        cfg.latent.elasticity_usd_per_pct = elasticity;
        let params = LatentParams::new(&cfg.latent, 1, 5000.0, 0.25, 50.0);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let trader = ValueTrader::new(0, cfg, 0.16, &mut rng).with_latent(params);
        (trader, rng)
    }

    /// The limit orders among `out`: (side, price, units).
    fn limits(out: &[Action]) -> Vec<(Side, i64, u64)> {
        out.iter()
            .filter_map(|a| match *a {
                Action::Submit {
                    side,
                    kind: OrderKind::Limit(p),
                    qty,
                    ..
                } => Some((side, p, qty)),
                _ => None,
            })
            .collect()
    }

    /// Latent units in `t`'s book on `side` at `p`.
    fn latent_at(t: &ValueTrader, side: Side, p: i64) -> f64 {
        t.latent
            .as_ref()
            .unwrap()
            .book
            .as_ref()
            .unwrap()
            .at(side, p)
    }

    /// `shown` as the market holds it `moved` ticks on, the bid at `bid` 30 units short.
    fn resting(shown: &[(Side, i64, u64)], bid: i64, moved: i64) -> Vec<crate::agents::OpenOrder> {
        shown
            .iter()
            .enumerate()
            .map(|(k, &(side, p, q))| crate::agents::OpenOrder {
                id: crate::book::OrderId(k as u64 + 1),
                instrument: 0,
                side,
                price: Some(p + moved),
                qty: if p == bid && side == Side::Buy {
                    q - 30
                } else {
                    q
                },
                tif: TimeInForce::Day,
                motive: Motive::Value,
                placed_at: 0,
            })
            .collect()
    }

    /// With a finite elasticity a trader that has bought marks its valuation down, and its
    /// latent intentions move down with it: $250m per 1% and 100 units ($25m) bought move
    /// them 0.1%, 20 ticks at the 20000 mid; 100 sold move them 20 ticks up. Without it the
    /// same purchase leaves them in place.
    #[test]
    fn a_latent_trader_with_finite_elasticity_leans_on_what_it_bought() {
        let cal = testkit::calendar();
        let data = [testkit::market(&[5000.0])];
        let accounts = [0, 100, -100].map(testkit::account);
        let [flat, long, short] = &accounts;
        let at = |account, s: u64| {
            testkit::context(&cal, &data, account, 2, s * SECOND, DayPhase::Continuous)
        };
        for (elasticity, traded, moved) in [(250e6, long, 20), (250e6, short, -20), (0.0, long, 0)]
        {
            let (mut trader, mut rng) = latent_trader_with(elasticity);
            let mut out = Vec::new();
            trader.wake(&at(flat, 40_000), &mut rng, &mut out);
            let (bid, ask) = (19_700, 20_300);
            let before = (
                latent_at(&trader, Side::Buy, bid),
                latent_at(&trader, Side::Sell, ask),
            );
            assert!(before.0 > 1.0 && before.1 > 1.0);
            out.clear();
            trader.wake(&at(traded, 40_010), &mut rng, &mut out);
            let after = (
                latent_at(&trader, Side::Buy, bid - moved),
                latent_at(&trader, Side::Sell, ask - moved),
            );
            assert_eq!(after, before, "elasticity {elasticity}, moved {moved}");
            if moved != 0 {
                assert!(latent_at(&trader, Side::Sell, ask) != before.1);
            }
        }
    }

    /// A latent trader shows its intentions near the mid, and what traded of them (read from
    /// what is left of its orders at the next decision) leaves its latent book: a bid cut from
    /// q to q − 30 removes 30 units at that price and nothing elsewhere.
    #[test]
    fn a_latent_trader_removes_what_traded_from_its_book() {
        let (mut trader, mut rng) = latent_trader();
        let cal = testkit::calendar();
        let data = [testkit::market(&[5000.0])];
        let account = testkit::account(0);
        let at =
            |s: u64| testkit::context(&cal, &data, &account, 2, s * SECOND, DayPhase::Continuous);
        let mut out = Vec::new();
        trader.wake(&at(40_000), &mut rng, &mut out);
        // Bids and offers within 8 ticks of the 20000 mid, none beyond it.
        let shown = limits(&out);
        assert!(!shown.is_empty());
        for &(side, p, _) in &shown {
            match side {
                Side::Buy => assert!((19_992..20_000).contains(&p), "bid at {p}"),
                Side::Sell => assert!((20_001..=20_008).contains(&p), "offer at {p}"),
            }
        }
        let (_, bid, qty) = *shown.iter().find(|o| o.0 == Side::Buy).unwrap();
        let before = latent_at(&trader, Side::Buy, bid);
        let other = latent_at(&trader, Side::Sell, 20_004);
        // Ten seconds later every order is still there, the chosen bid with 30 units gone.
        let open = resting(&shown, bid, 0);
        let mut ctx = at(40_010);
        ctx.open_orders = &open;
        out.clear();
        trader.wake(&ctx, &mut rng, &mut out);
        assert!(qty > 30);
        let after = latent_at(&trader, Side::Buy, bid);
        assert!((before - after - 30.0).abs() < 1e-9, "{before} -> {after}");
        assert_eq!(latent_at(&trader, Side::Sell, 20_004), other);
        assert!(matches!(out[0], Action::CancelAll { instrument: 0 }));
    }

    /// Public news moved the book 3 ticks up between two decisions: the trader's orders are
    /// found 3 ticks higher, where its latent book has moved too, and a bid cut by 30 units
    /// there removes 30 units of intention at its new price, nothing elsewhere.
    #[test]
    fn a_latent_trader_finds_its_orders_where_the_news_moved_them() {
        let (mut trader, mut rng) = latent_trader();
        let cal = testkit::calendar();
        let account = testkit::account(0);
        let first = [testkit::market(&[5000.0])];
        let mut out = Vec::new();
        let ctx = testkit::context(
            &cal,
            &first,
            &account,
            2,
            40_000 * SECOND,
            DayPhase::Continuous,
        );
        trader.wake(&ctx, &mut rng, &mut out);
        let shown = limits(&out);
        let (_, bid, qty) = *shown.iter().find(|o| o.0 == Side::Buy).unwrap();
        assert!(qty > 30);
        let before = latent_at(&trader, Side::Buy, bid);
        let other = latent_at(&trader, Side::Sell, 20_004);
        // Value rose 3 ticks at the 20000 mid; the book, quotes included, moved with it.
        let mut moved = testkit::market(&[5000.0]);
        moved.fundamental = first[0].fundamental * (3.0f64 / 20_000.0).exp();
        moved.news_ticks = 3;
        moved.best_bid = moved.best_bid.map(|(p, q)| (p + 3, q));
        moved.best_ask = moved.best_ask.map(|(p, q)| (p + 3, q));
        let second = [moved];
        let open = resting(&shown, bid, 3);
        let mut ctx = testkit::context(
            &cal,
            &second,
            &account,
            2,
            40_010 * SECOND,
            DayPhase::Continuous,
        );
        ctx.open_orders = &open;
        out.clear();
        trader.wake(&ctx, &mut rng, &mut out);
        let after = latent_at(&trader, Side::Buy, bid + 3);
        assert!((before - after - 30.0).abs() < 1e-6, "{before} -> {after}");
        assert!((latent_at(&trader, Side::Sell, 20_007) - other).abs() < 1e-6);
    }
}
