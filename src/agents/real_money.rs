//! Real-money accounts (docs/model.md §6): the slow, stabilising side of the market whose
//! absence makes flow-driven rallies fragile (§9.5).
//!
//! * [`Pension`]: a balanced fund rebalancing to fixed weights at each period end and when its
//!   equity weight drifts out of a band. It sells after equities outperform and buys after
//!   they fall: it trades against the move.
//! * [`LongTermManager`]: a value-anchored manager whose equity weight leans towards a slow
//!   average of fundamental value, with performance-chasing fund flows, trading a small share
//!   of its assets a day.
//!
//! Both keep the part of their assets that is not in the instrument off the book (a bond or
//! cash sleeve), so their weights and trades are in dollars of a whole portfolio.

use rand_chacha::ChaCha8Rng;

use super::daily::{Daily, DailyDecision, Target};
use super::execution::Plan;
use super::state::{Metric, StateSample};
use super::{AgentClass, Context};
use crate::book::Motive;
use crate::market::data::InstrumentData;
use crate::scenario::{LongTermCfg, PensionCfg};

/// Dollars of equity to trade to restore weight `w` (positive = buy): w·(E + B) − E.
pub fn rebalance_trade(w: f64, equity_usd: f64, other_usd: f64) -> f64 {
    w * (equity_usd + other_usd) - equity_usd
}

/// Assets of a fund that holds units of one instrument (at its last price) and the rest off
/// the book: (equity, everything else).
fn equity_and_other(ctx: &Context, i: usize, sleeve: f64) -> (f64, f64) {
    (ctx.position_usd(i), sleeve + ctx.cash_usd())
}

/// A balanced fund: its equity weight, rebalancing calendar and bond sleeve.
pub struct PensionDecision {
    instrument: usize,
    weight: f64,
    daily_bond_return: f64,
    every: u32,
    band: f64,
    aum_usd: f64,
    /// The off-book sleeve (bonds), accruing its return; trading cash is in the ledger.
    sleeve_usd: f64,
}

pub type Pension = Daily<PensionDecision>;

impl Pension {
    pub fn new(instrument: usize, cfg: &PensionCfg, aum_usd: f64) -> Self {
        Daily::with_plan(
            Plan::from_cfg(&cfg.execution),
            PensionDecision {
                instrument,
                weight: cfg.equity_weight,
                daily_bond_return: cfg.bond_return_annual / 252.0,
                every: cfg.rebalance_every_days.max(1),
                band: cfg.drift_band,
                aum_usd,
                sleeve_usd: aum_usd,
            },
        )
    }
}

impl DailyDecision for PensionDecision {
    const CLASS: AgentClass = AgentClass::RealMoney;

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        let units = d.units_for_usd(self.weight * self.aum_usd);
        self.sleeve_usd = self.aum_usd - d.units_usd(units);
        vec![(self.instrument, units)]
    }

    fn decide(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Target> {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let (equity, other) = equity_and_other(ctx, i, self.sleeve_usd);
        let total = equity + other;
        let drift = if total > 0.0 {
            (equity / total - self.weight).abs()
        } else {
            0.0
        };
        let period_end = (ctx.day + 1) % self.every == 0;
        if !(period_end || drift > self.band) || total <= 0.0 {
            return None;
        }
        let trade = d.units_for_usd(rebalance_trade(self.weight, equity, other));
        (trade != 0).then(|| Target {
            instrument: i,
            units: ctx.position(i) + trade,
            motive: Motive::Rebalance,
        })
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        // The bond return accrues on everything outside equities, trading cash included.
        self.sleeve_usd += (self.sleeve_usd + ctx.cash_usd()) * self.daily_bond_return;
        let (equity, other) = equity_and_other(ctx, i, self.sleeve_usd);
        let total = equity + other;
        out.extend([
            StateSample::new(i, Metric::Nav, total),
            StateSample::new(i, Metric::PositionUsd, equity),
            StateSample::new(
                i,
                Metric::EquityWeight,
                if total > 0.0 { equity / total } else { 0.0 },
            ),
        ]);
    }
}

/// A value-anchored manager: its weights, slow value anchor and sleeve.
pub struct LongTermDecision {
    instrument: usize,
    cfg: LongTermCfg,
    aum_usd: f64,
    sleeve_usd: f64,
    /// Slow average of the fundamental value (dollars).
    anchor: f64,
}

pub type LongTermManager = Daily<LongTermDecision>;

impl LongTermManager {
    pub fn new(instrument: usize, cfg: &LongTermCfg, aum_usd: f64) -> Self {
        Daily::with_plan(
            Plan::from_cfg(&cfg.execution),
            LongTermDecision {
                instrument,
                cfg: cfg.clone(),
                aum_usd,
                sleeve_usd: aum_usd,
                anchor: 0.0,
            },
        )
    }
}

impl LongTermDecision {
    /// Target equity weight at `price`: leans towards value, buys below it.
    pub fn target_weight(&self, price: f64) -> f64 {
        let value = self.anchor * (1.0 + self.cfg.value_premium);
        let tilt = if value > 0.0 && price > 0.0 {
            self.cfg.value_sensitivity * (value / price).ln()
        } else {
            0.0
        };
        (self.cfg.base_weight * (1.0 + tilt)).clamp(0.0, self.cfg.max_weight)
    }
}

impl DailyDecision for LongTermDecision {
    const CLASS: AgentClass = AgentClass::RealMoney;

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        self.anchor = d.fundamental;
        let w = self.target_weight(d.close_usd());
        let units = d.units_for_usd(w * self.aum_usd);
        self.sleeve_usd = self.aum_usd - d.units_usd(units);
        vec![(self.instrument, units)]
    }

    fn decide(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Target> {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let price = d.last_usd();
        let (equity, other) = equity_and_other(ctx, i, self.sleeve_usd);
        let total = equity + other;
        let cap = self.cfg.max_daily_trade * total.max(0.0);
        let trade = (self.target_weight(price) * total - equity).clamp(-cap, cap);
        let units = d.units_for_usd(trade);
        (units != 0).then(|| Target {
            instrument: i,
            units: ctx.position(i) + units,
            motive: Motive::Value,
        })
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let hl = self.cfg.value_half_life_days.max(1e-9);
        let alpha = 1.0 - 0.5f64.powf(1.0 / hl);
        self.anchor += alpha * (d.fundamental - self.anchor);
        // Performance-chasing flows arrive as cash into (or out of) the sleeve.
        let year = d.lookback_return(252).unwrap_or(0.0);
        let (equity, other) = equity_and_other(ctx, i, self.sleeve_usd);
        let total = equity + other;
        self.sleeve_usd += self.cfg.flow_sensitivity * year * total / 252.0;
        out.extend([
            StateSample::new(i, Metric::Nav, total),
            StateSample::new(i, Metric::PositionUsd, equity),
            StateSample::new(
                i,
                Metric::EquityWeight,
                if total > 0.0 { equity / total } else { 0.0 },
            ),
            StateSample::new(
                i,
                Metric::TargetUsd,
                self.target_weight(d.close_usd()) * total,
            ),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calendar rebalancing: a fund inside its drift band trades only on the last day of each
    /// period (every `rebalance_every_days` trading days), towards its target weight.
    #[test]
    fn pension_rebalances_at_period_ends_and_on_drift() {
        use crate::agents::testkit;
        use crate::agents::{Agent, DayPhase};
        use crate::market::time::SECOND;
        let cal = testkit::calendar();
        let mut data = [testkit::market(&[5000.0; 30])];
        let cfg = PensionCfg {
            rebalance_every_days: 5,
            ..PensionCfg::default()
        };
        let mut p = Pension::new(0, &cfg, 100e9);
        let held = p.initial_positions(&data)[0].1;
        // Equities up 1%: weight 60.24%, inside the 2% band.
        data[0].last_price = (5050.0 / 0.25) as i64;
        let acc = testkit::account(held);
        let decide = |p: &mut Pension, data: &[InstrumentData], day: u32| {
            let ctx = testkit::context(
                &cal,
                data,
                &acc,
                day,
                11 * 3600 * SECOND,
                DayPhase::Continuous,
            );
            let mut rng = rand::SeedableRng::seed_from_u64(1);
            p.start_day(&ctx, &mut rng);
            let mut out = Vec::new();
            p.wake(&ctx, &mut rng, &mut out);
            out
        };
        for day in [0, 1, 2, 3, 5, 6] {
            assert!(decide(&mut p, &data, day).is_empty(), "traded on day {day}");
        }
        // Day index 4 is the 5th trading day: a period end. The fund sells back to 60%.
        let out = decide(&mut p, &data, 4);
        match out.as_slice() {
            [crate::agents::Action::Submit { side, qty, .. }, ..] => {
                assert_eq!(*side, crate::book::Side::Sell);
                // 0.6·(E+B) − E with E up 1% (about 0.24% of AUM, ~950 units), worked in 35
                // slices from 11:00 to 15:50: the first slice is a 35th of it, rounded up.
                let equity = held as f64 * 5050.0 * 50.0;
                let other = 100e9 - held as f64 * 5000.0 * 50.0;
                let units = (rebalance_trade(0.6, equity, other) / (5050.0 * 50.0)).round();
                assert!((900.0..1000.0).contains(&-units), "{units}");
                assert_eq!(*qty, (-units as u64).div_ceil(35));
            }
            other => panic!("no rebalancing order: {other:?}"),
        }
        // Equities up 15%: weight 63.3%, outside the band: it trades on any day.
        data[0].last_price = (5750.0 / 0.25) as i64;
        assert!(!decide(&mut p, &data, 6).is_empty());
    }

    /// docs/model.md §6.4 facts 1–3: 60/40 after equities +10%, bonds 0%: weight 62.26%, sell
    /// 2.40% of initial AUM; after equities −10%, bonds +2%: buy 2.88%; the trade is
    /// w(1−w)·A·(r_b − r_e) and largest at w = 0.5.
    #[test]
    fn sixty_forty_rebalancing() {
        let (e, b): (f64, f64) = (66.0, 40.0);
        assert!((e / (e + b) - 0.6226).abs() < 1e-4);
        assert!((rebalance_trade(0.6, e, b) + 2.40).abs() < 1e-9);
        assert!((rebalance_trade(0.6, 54.0, 40.8) - 2.88).abs() < 1e-9);
        for (re, rb) in [(0.10, 0.0), (-0.10, 0.02), (0.03, -0.01)] {
            let w: f64 = 0.6;
            let closed = -w * (1.0 - w) * 100.0 * (re - rb);
            let exact = rebalance_trade(w, 60.0 * (1.0 + re), 40.0 * (1.0 + rb));
            assert!((exact - closed).abs() < 1e-9, "{exact} vs {closed}");
        }
        let t = |w: f64| rebalance_trade(w, 100.0 * w * 1.1, 100.0 * (1.0 - w)).abs();
        assert!(t(0.5) > t(0.6) && t(0.5) > t(0.4));
    }
}
