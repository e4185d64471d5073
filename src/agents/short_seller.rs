//! Short sellers (docs/model.md §5): open shorts on a rule, pay borrow (the market charges it
//! daily), and cover on a stop, on a profit target, or in a forced buy-in when Reg T
//! maintenance margin fails.
//!
//! Covering is a finite stock: once every seller has covered, the buying stops, which is why a
//! covering-driven rally runs out of fuel (§9.5). Stops are dispersed across sellers so a
//! rally triggers them in sequence, not all at one price.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::daily::DailyWorker;
use super::execution::Plan;
use super::state::{AgentEvent, AgentEventKind, Metric, StateSample};
use super::{Action, Agent, AgentClass, Context, DayPhase};
use crate::book::Motive;
use crate::market::data::InstrumentData;
use crate::market::time::{MINUTE, Nanos};
use crate::scenario::{ShortRule, ShortSellerCfg};

/// Price at which a short entered at `entry` with Reg T `initial` margin (1.5 = 150%) hits
/// `maintenance` (equity / short value): (initial·entry − P)/P = m ⇒ P = initial·entry/(1+m).
pub fn margin_call_price(entry: f64, initial: f64, maintenance: f64) -> f64 {
    initial * entry / (1.0 + maintenance)
}

/// Equity over short value for a short entered at `entry`, now at `price`.
pub fn margin_ratio(entry: f64, price: f64, initial: f64) -> f64 {
    (initial * entry - price) / price
}

/// FINRA 4210 maintenance requirement for a short of `shares` at `price`: max(30%, $5/share)
/// at $5 and above, max(100%, $2.50/share) below.
pub fn maintenance_requirement(shares: f64, price: f64) -> f64 {
    if price >= 5.0 {
        (0.30 * shares * price).max(5.0 * shares)
    } else {
        (shares * price).max(2.5 * shares)
    }
}

pub struct ShortSeller {
    instrument: usize,
    rule: ShortRule,
    entry_threshold: f64,
    trend_lookback: usize,
    position_usd: f64,
    initial_short_usd: f64,
    stop: f64,
    profit_target: f64,
    initial_margin: f64,
    maintenance: f64,
    check: Nanos,
    cooldown_days: u32,
    /// Average entry price of the open short, dollars.
    entry: f64,
    /// Short units and cash (cents) seen at the last look: new short fills are priced from the
    /// cash they brought in.
    seen_short: i64,
    seen_cash: i128,
    /// No new short before this day.
    cooldown_until: u32,
    /// Why the seller is covering, while it is (a cover that did not fill completely is
    /// retried at the next check).
    covering: Option<Motive>,
    worker: DailyWorker,
}

impl ShortSeller {
    pub fn new(
        instrument: usize,
        cfg: &ShortSellerCfg,
        initial_short_usd: f64,
        rng: &mut ChaCha8Rng,
    ) -> Self {
        let d = cfg.stop_dispersion;
        let stop = if d > 0.0 {
            cfg.stop_loss + rng.random_range(-d..d)
        } else {
            cfg.stop_loss
        };
        ShortSeller {
            instrument,
            rule: cfg.rule,
            entry_threshold: cfg.entry_threshold,
            trend_lookback: cfg.trend_lookback_days as usize,
            position_usd: cfg.position_usd,
            initial_short_usd,
            stop: stop.max(0.001),
            profit_target: cfg.profit_target,
            initial_margin: cfg.initial_margin,
            maintenance: cfg.maintenance_margin,
            check: cfg.check_minutes.max(1) as Nanos * MINUTE,
            cooldown_days: cfg.cooldown_days,
            entry: 0.0,
            seen_short: 0,
            seen_cash: 0,
            cooldown_until: 0,
            covering: None,
            worker: DailyWorker::new(Plan::from_cfg(&cfg.execution)),
        }
    }

    /// Averages newly sold short units into the entry price, at the price the cash they
    /// brought in implies (`fallback` if the account shows none).
    fn track_entry(&mut self, ctx: &Context, fallback: f64) {
        let i = self.instrument;
        let short = (-ctx.position(i)).max(0);
        let cash = ctx.account.cash_cents;
        if short > self.seen_short {
            let added = (short - self.seen_short) as f64;
            let npu = ctx.instruments[i].notional_per_unit;
            let received = (cash - self.seen_cash) as f64 / 100.0;
            let price = if received > 0.0 {
                received / (added * npu)
            } else {
                fallback
            };
            self.entry = (self.entry * self.seen_short as f64 + price * added) / short as f64;
        }
        if short == 0 {
            self.entry = 0.0;
        }
        self.seen_short = short;
        self.seen_cash = cash;
    }

    fn wants_short(&self, d: &InstrumentData, price: f64) -> bool {
        match self.rule {
            ShortRule::Overvaluation => price / d.fundamental - 1.0 > self.entry_threshold,
            ShortRule::Trend => d
                .lookback_return(self.trend_lookback)
                .is_some_and(|r| r < -self.entry_threshold),
        }
    }

    fn next_check(&self, ctx: &Context) -> Option<Nanos> {
        let t = ctx.now + self.check;
        (t < ctx.today_at(ctx.calendar.close_auction)).then_some(t)
    }

    fn cover(
        &mut self,
        ctx: &Context,
        motive: Motive,
        note: Option<AgentEventKind>,
        out: &mut Vec<Action>,
    ) {
        let i = self.instrument;
        if let Some(kind) = note {
            out.push(Action::Note(AgentEvent {
                kind,
                instrument: i,
                value: ctx.instruments[i].last_usd(),
            }));
        }
        self.covering = Some(motive);
        self.cooldown_until = ctx.day + 1 + self.cooldown_days;
        // Passive entry orders still resting would re-open the short.
        out.push(Action::CancelAll { instrument: i });
        self.worker.begin_now(i, 0, motive);
    }
}

fn earliest(a: Option<Nanos>, b: Option<Nanos>) -> Option<Nanos> {
    a.into_iter().chain(b).min()
}

impl Agent for ShortSeller {
    fn class(&self) -> AgentClass {
        AgentClass::ShortSeller
    }

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        let units = d.units_for_usd(self.initial_short_usd).max(0);
        self.entry = d.close_usd();
        self.seen_short = units;
        vec![(self.instrument, -units)]
    }

    fn start_day(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Nanos> {
        let decision = self.worker.start_day(ctx);
        let open_check = ctx.today_at(ctx.calendar.open) + self.check;
        if ctx.position(self.instrument) < 0 {
            earliest(decision, Some(open_check))
        } else {
            decision
        }
    }

    fn wake(
        &mut self,
        ctx: &Context,
        _rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let price = d.last_usd();
        let short = (-ctx.position(i)).max(0);
        self.track_entry(ctx, price);
        if short == 0 {
            self.covering = None;
        }
        if short > 0 && ctx.phase == DayPhase::Continuous && self.entry > 0.0 {
            if let Some(motive) = self.covering {
                if !self.worker.working() {
                    self.worker.begin_now(i, 0, motive);
                }
            } else if margin_ratio(self.entry, price, self.initial_margin) < self.maintenance {
                self.cover(
                    ctx,
                    Motive::MarginCall,
                    Some(AgentEventKind::MarginCall),
                    out,
                );
            } else if price >= self.entry * (1.0 + self.stop) {
                self.cover(ctx, Motive::StopOut, Some(AgentEventKind::StopOut), out);
            } else if price <= self.entry * (1.0 - self.profit_target) {
                self.cover(ctx, Motive::Unwind, None, out);
            }
        }
        if self.worker.decision_due(ctx) {
            if short == 0 && ctx.day >= self.cooldown_until && self.wants_short(d, price) {
                let units = d.units_for_usd(self.position_usd).max(1);
                self.worker.begin(ctx, i, -units, Motive::SignalFlip);
            } else {
                self.worker.skip();
            }
        }
        let work = self.worker.step(ctx, out);
        let check = if short > 0 || self.worker.working() {
            self.next_check(ctx)
        } else {
            None
        };
        earliest(work, check)
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let close = d.close_usd();
        let short = (-ctx.position(i)).max(0);
        self.track_entry(ctx, close);
        out.push(StateSample::new(
            i,
            Metric::PositionUsd,
            ctx.position_usd(i),
        ));
        if short > 0 {
            out.push(StateSample::new(
                i,
                Metric::MarginRatio,
                margin_ratio(self.entry, close, self.initial_margin),
            ));
            out.push(StateSample::new(
                i,
                Metric::MarginCallPrice,
                margin_call_price(self.entry, self.initial_margin, self.maintenance),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/model.md §5.4 fact 1 and §5.2: a Reg T short entered at $100 gets a margin call at
    /// $115.38 (1.5/1.3 of entry), where the margin ratio reaches 30%.
    #[test]
    fn reg_t_margin_call_price() {
        let p = margin_call_price(100.0, 1.5, 0.30);
        assert!((p - 115.3846).abs() < 1e-4, "{p}");
        assert!((margin_ratio(100.0, p, 1.5) - 0.30).abs() < 1e-12);
        assert!(margin_ratio(100.0, p - 0.01, 1.5) > 0.30);
        assert!(margin_ratio(100.0, p + 0.01, 1.5) < 0.30);
    }

    /// §5.4 fact 2: 1,000 sh at $50 need $15,000; 10,000 sh at $4.50 need $45,000.
    #[test]
    fn finra_maintenance() {
        assert_eq!(maintenance_requirement(1000.0, 50.0), 15_000.0);
        assert_eq!(maintenance_requirement(10_000.0, 4.5), 45_000.0);
    }
}
