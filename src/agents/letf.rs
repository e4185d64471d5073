//! Leveraged and inverse ETFs (docs/model.md §2): a fund with NAV A and multiple L must hold
//! L·A of exposure after every close, so after an index return r it trades
//! L(L−1)·A·r + L·F (Cheng & Madhavan 2009), with the sign of r for every L ∉ {0, 1}.
//!
//! The fund decides late in the day from the return so far, sends the trade as market-on-close
//! orders (or over a closing window), and marks its NAV with the day's leveraged return at the
//! close. What the estimate missed (the last minutes' move, a fill short of target) is part of
//! the next day's trade, as for a real fund.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::daily::{Daily, DailyDecision, Target};
use super::execution::Plan;
use super::state::{Metric, StateSample};
use super::{AgentClass, Context};
use crate::book::Motive;
use crate::market::data::InstrumentData;
use crate::scenario::{ExecutionCfg, LetfFundCfg};

/// The rebalancing trade in dollars: L(L−1)·A·r + L·F.
pub fn rebalance_usd(leverage: f64, nav: f64, r: f64, net_creations: f64) -> f64 {
    leverage * (leverage - 1.0) * nav * r + leverage * net_creations
}

/// NAV after a day with index return `r` and net creations `f`.
pub fn nav_after(leverage: f64, nav: f64, r: f64, net_creations: f64) -> f64 {
    nav * (1.0 + leverage * r) + net_creations
}

/// A leveraged or inverse ETF: its multiple, NAV and creations.
pub struct LetfDecision {
    instrument: usize,
    leverage: f64,
    nav: f64,
    flow_beta: f64,
    flow_noise: f64,
    /// Yesterday's close in dollars: today's return is measured from it.
    prev_close: f64,
    /// Net creations decided today, dollars.
    creations: f64,
    rebalance_usd: f64,
}

pub type LeveragedEtf = Daily<LetfDecision>;

impl LeveragedEtf {
    pub fn new(instrument: usize, fund: &LetfFundCfg, execution: &ExecutionCfg) -> Self {
        Daily::with_plan(
            Plan::from_cfg(execution),
            LetfDecision {
                instrument,
                leverage: fund.leverage as f64,
                nav: fund.aum_usd,
                flow_beta: fund.flow_beta,
                flow_noise: fund.flow_noise,
                prev_close: 0.0,
                creations: 0.0,
                rebalance_usd: 0.0,
            },
        )
    }
}

impl DailyDecision for LetfDecision {
    const CLASS: AgentClass = AgentClass::Letf;

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        self.prev_close = d.close_usd();
        vec![(self.instrument, d.units_for_usd(self.leverage * self.nav))]
    }

    fn start_day(&mut self, _ctx: &Context) -> bool {
        self.creations = 0.0;
        self.rebalance_usd = 0.0;
        true
    }

    fn decide(&mut self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Target> {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let r = d.last_usd() / self.prev_close - 1.0;
        let noise = Normal::new(0.0, self.flow_noise.max(0.0)).map_or(0.0, |n| n.sample(rng));
        self.creations = (self.flow_beta * r + noise) * self.nav;
        // Exposure the fund must hold at the close if the index closes where it is now.
        let nav = nav_after(self.leverage, self.nav, r, self.creations).max(0.0);
        let target = d.units_for_usd(self.leverage * nav);
        self.rebalance_usd = d.units_usd(target - ctx.position(i));
        (target != ctx.position(i)).then_some(Target {
            instrument: i,
            units: target,
            motive: Motive::Rebalance,
        })
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let close = d.close_usd();
        let r = close / self.prev_close - 1.0;
        self.nav = nav_after(self.leverage, self.nav, r, self.creations).max(0.0);
        self.prev_close = close;
        let position = ctx.position_usd(i);
        out.extend([
            StateSample::new(i, Metric::Nav, self.nav),
            StateSample::new(
                i,
                Metric::Exposure,
                if self.nav > 0.0 {
                    position / self.nav
                } else {
                    0.0
                },
            ),
            StateSample::new(i, Metric::PositionUsd, position),
            StateSample::new(i, Metric::TargetUsd, self.leverage * self.nav),
            StateSample::new(i, Metric::RebalanceUsd, self.rebalance_usd),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/model.md §2.4 fact 1: after a −5% day on $10bn, 3× sells $3.0bn, −3× sells $6.0bn,
    /// 2× and −1× sell $1.0bn, −2× sells $3.0bn.
    #[test]
    fn rebalance_after_a_minus_five_percent_day() {
        for (l, want) in [
            (3.0, -3.0e9),
            (-3.0, -6.0e9),
            (2.0, -1.0e9),
            (-1.0, -1.0e9),
            (-2.0, -3.0e9),
        ] {
            let q = rebalance_usd(l, 10e9, -0.05, 0.0);
            assert!((q - want).abs() < 1.0, "L={l}: {q}");
        }
    }

    /// The trade to the new target exposure equals the closed form, and sign(Q) = sign(r).
    #[test]
    fn target_trade_matches_closed_form_and_sign() {
        for l in [2.0, 3.0, -1.0, -2.0, -3.0] {
            for r in [-0.07, -0.01, 0.004, 0.05] {
                let (a, f) = (10e9, 0.0);
                let held = l * a * (1.0 + r);
                let target = l * nav_after(l, a, r, f);
                let q = rebalance_usd(l, a, r, f);
                assert!((target - held - q).abs() < 1e-3);
                assert_eq!(q.signum(), r.signum());
            }
        }
        // §2.4 fact 3: creations can reverse the sign: 3×, r = +2%, F = −$1bn ⇒ −$1.8bn.
        assert!((rebalance_usd(3.0, 10e9, 0.02, -1e9) + 1.8e9).abs() < 1.0);
        // §2.4 fact 5: +10% then −9.0909% leaves 3× at 0.94545 and −3× at 0.89091.
        let path = |l: f64| nav_after(l, nav_after(l, 1.0, 0.10, 0.0), -1.0 / 11.0, 0.0);
        assert!((path(3.0) - 0.94545).abs() < 1e-5);
        assert!((path(-3.0) - 0.89091).abs() < 1e-5);
    }
}
