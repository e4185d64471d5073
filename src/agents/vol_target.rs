//! Volatility-targeting funds (docs/model.md §1): exposure = min(L_max, σ_target / σ̂).
//!
//! The fund estimates volatility after each close, waits its lag, and trades into the close
//! (or over a window) when the target leaves its no-trade band. Only |r| enters the estimate,
//! so a run of large up days forces selling just as a run of large down days does; the lag and
//! the slow EWMA are why vol-control selling persists for days after a shock.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::daily::{Daily, DailyDecision, Target};
use super::execution::Plan;
use super::state::{Metric, StateSample};
use super::stats::{self, History};
use super::{AgentClass, Context};
use crate::book::Motive;
use crate::market::data::InstrumentData;
use crate::scenario::VolTargetCfg;

/// Exposure for a volatility estimate: σ_target/σ̂ clamped to [min, max].
pub fn target_exposure(target_vol: f64, sigma: f64, min: f64, max: f64) -> f64 {
    if sigma > 0.0 && sigma.is_finite() {
        (target_vol / sigma).clamp(min, max)
    } else {
        max
    }
}

/// One fund's estimator and exposure rule, apart from any book: the agent trades with it and
/// the positioning monitor (`crate::monitor`) runs it open-loop on real closes, so both give
/// the same σ̂ and targets for the same closes.
#[derive(Clone, Debug)]
pub struct VolTargetRule {
    pub target_vol: f64,
    pub min_leverage: f64,
    pub max_leverage: f64,
    lambdas: Vec<f64>,
    pub lag: usize,
    pub band: f64,
    pub max_daily_change: f64,
    /// Daily EWMA variances, one per λ.
    vars: Vec<f64>,
    /// Annualised estimate after each close, newest last (the lag reads back into it).
    sigmas: Vec<f64>,
}

impl VolTargetRule {
    /// A fund of `cfg` with its own target and lag (drawn by the agent, spread by the monitor).
    pub fn new(cfg: &VolTargetCfg, target_vol: f64, lag: usize) -> Self {
        VolTargetRule {
            target_vol,
            min_leverage: cfg.min_leverage,
            max_leverage: cfg.max_leverage,
            lambdas: cfg.ewma_lambdas.clone(),
            lag: lag.max(1),
            band: cfg.band,
            max_daily_change: cfg.max_daily_change,
            vars: Vec::new(),
            sigmas: Vec::new(),
        }
    }

    /// Runs the estimators over a history's daily returns, pushing one σ̂ per return; returns
    /// the target exposure after each (the fund's history before the run).
    pub fn seed(&mut self, returns: &[f64]) -> Vec<f64> {
        let paths: Vec<Vec<f64>> = self
            .lambdas
            .iter()
            .map(|&l| stats::ewma_path(returns, l))
            .collect();
        let mut exposures = Vec::with_capacity(returns.len());
        for k in 0..returns.len() {
            let sigma = paths
                .iter()
                .map(|p| stats::annualise(p[k]))
                .fold(0.0, f64::max);
            self.sigmas.push(sigma);
            exposures.push(self.exposure_for(sigma));
        }
        self.vars = paths
            .iter()
            .map(|p| p.last().copied().unwrap_or(stats::DEFAULT_DAILY_VAR))
            .collect();
        exposures
    }

    /// After a close: the estimators take the day's return; returns the new σ̂.
    pub fn close(&mut self, r: Option<f64>) -> f64 {
        if let Some(r) = r {
            for (v, &l) in self.vars.iter_mut().zip(&self.lambdas) {
                *v = stats::ewma_update(*v, l, r);
            }
        }
        let sigma = self.sigma_now();
        self.sigmas.push(sigma);
        sigma
    }

    /// The estimate the fund acts on today: the one from `lag` closes ago.
    pub fn lagged_sigma(&self) -> f64 {
        let n = self.sigmas.len();
        if n == 0 {
            return stats::annualise(stats::DEFAULT_DAILY_VAR);
        }
        self.sigmas[n.saturating_sub(self.lag)]
    }

    /// The highest of the fund's estimates after the last close.
    pub fn sigma_now(&self) -> f64 {
        self.vars
            .iter()
            .map(|&v| stats::annualise(v))
            .fold(0.0, f64::max)
    }

    fn exposure_for(&self, sigma: f64) -> f64 {
        target_exposure(self.target_vol, sigma, self.min_leverage, self.max_leverage)
    }

    /// Target exposure today (on the lagged estimate).
    pub fn exposure_target(&self) -> f64 {
        self.exposure_for(self.lagged_sigma())
    }

    /// The exposure to trade to from `current`, or `None` inside the no-trade band; the daily
    /// change is capped when the fund caps it.
    pub fn trade_to(&self, current: f64) -> Option<f64> {
        let target = self.exposure_target();
        if (target - current).abs() <= self.band {
            return None;
        }
        Some(if self.max_daily_change > 0.0 {
            current + (target - current).clamp(-self.max_daily_change, self.max_daily_change)
        } else {
            target
        })
    }

    /// The fund's EWMA λs.
    pub fn lambdas(&self) -> &[f64] {
        &self.lambdas
    }

    /// Annualised estimate per λ after the last close.
    pub fn sigma_per_lambda(&self) -> impl Iterator<Item = f64> + '_ {
        self.vars.iter().map(|&v| stats::annualise(v))
    }
}

/// A vol-target fund: the [`VolTargetRule`] and the fund's assets.
pub struct VolTargetDecision {
    instrument: usize,
    rule: VolTargetRule,
    /// Exposures over the fund's history, for the percentile.
    history: History,
    /// Net assets outside the instrument when the run started (cash, bonds).
    sleeve_usd: f64,
    aum_usd: f64,
    rebalance_usd: f64,
}

pub type VolTarget = Daily<VolTargetDecision>;

impl VolTarget {
    pub fn new(instrument: usize, cfg: &VolTargetCfg, aum_usd: f64, rng: &mut ChaCha8Rng) -> Self {
        let d = cfg.target_vol_dispersion;
        let target_vol = if d > 0.0 {
            cfg.target_vol + rng.random_range(-d..d)
        } else {
            cfg.target_vol
        };
        let lag = rng.random_range(cfg.lag_days..=cfg.lag_days_max.max(cfg.lag_days)) as usize;
        Daily::with_plan(
            Plan::from_cfg(&cfg.execution),
            VolTargetDecision {
                instrument,
                rule: VolTargetRule::new(cfg, target_vol, lag),
                history: History::default(),
                sleeve_usd: aum_usd,
                aum_usd,
                rebalance_usd: 0.0,
            },
        )
    }
}

impl VolTargetDecision {
    /// Net assets at the last price: the off-book sleeve, the trading cash and the position.
    fn nav(&self, ctx: &Context) -> f64 {
        self.sleeve_usd + ctx.cash_usd() + ctx.position_usd(self.instrument)
    }
}

impl DailyDecision for VolTargetDecision {
    const CLASS: AgentClass = AgentClass::VolTarget;

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        let returns: Vec<f64> = stats::daily_returns(&d.daily).collect();
        for e in self.rule.seed(&returns) {
            self.history.push(e);
        }
        let units = d.units_for_usd(self.rule.exposure_target() * self.aum_usd);
        self.sleeve_usd = self.aum_usd - d.units_usd(units);
        vec![(self.instrument, units)]
    }

    fn start_day(&mut self, _ctx: &Context) -> bool {
        self.rebalance_usd = 0.0;
        true
    }

    fn decide(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Target> {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let nav = self.nav(ctx);
        let current = d.units_usd(ctx.position(i)) / nav;
        let target = self.rule.trade_to(current).filter(|_| nav > 0.0)?;
        let units = d.units_for_usd(target * nav);
        self.rebalance_usd = d.units_usd(units - ctx.position(i));
        Some(Target {
            instrument: i,
            units,
            motive: Motive::Rebalance,
        })
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let sigma = self.rule.close(d.lookback_return(1));
        let nav = self.nav(ctx);
        let position = ctx.position_usd(i);
        let exposure = if nav > 0.0 { position / nav } else { 0.0 };
        self.history.push(exposure);
        let pct = self.history.percentile(exposure);
        out.extend([
            StateSample::new(i, Metric::Exposure, exposure),
            StateSample::new(i, Metric::ExposurePercentile, pct),
            StateSample::new(i, Metric::VolEstimate, sigma),
            StateSample::new(i, Metric::Nav, nav),
            StateSample::new(i, Metric::PositionUsd, position),
            StateSample::new(i, Metric::TargetUsd, self.rule.exposure_target() * nav),
            StateSample::new(i, Metric::RebalanceUsd, self.rebalance_usd),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/model.md §1.6 fact 2: λ = 0.94 from 10% vol; −3% days give 15.17%, 18.77%, 21.62% and
    /// exposures 0.659, 0.533, 0.463 at a 10% target.
    #[test]
    fn exposure_after_minus_three_percent_days() {
        let mut var = 0.10f64.powi(2) / 252.0;
        let expected = [(0.1517, 0.659), (0.1877, 0.533), (0.2162, 0.463)];
        for (sigma_want, e_want) in expected {
            var = stats::ewma_update(var, 0.94, -0.03);
            let sigma = stats::annualise(var);
            assert!((sigma - sigma_want).abs() < 5e-5, "σ̂ {sigma}");
            let e = target_exposure(0.10, sigma, 0.0, 1.5);
            assert!((e - e_want).abs() < 5e-4, "E {e}");
        }
    }

    /// The fund's σ̂ path is seeded with the mean square of the first 20 returns, and a fund
    /// with a lag of 2 acts on the estimate from two closes ago, not on the latest one.
    #[test]
    fn estimate_seeding_and_lag() {
        use crate::agents::{Agent, testkit};
        // 30 days of ±1% moves, then two −3% days.
        let mut closes = vec![5000.0];
        for k in 0..30 {
            let r = if k % 2 == 0 { 0.01 } else { -0.01 };
            closes.push(closes[closes.len() - 1] * (1.0 + r));
        }
        for _ in 0..2 {
            closes.push(closes[closes.len() - 1] * 0.97);
        }
        let data = [testkit::market(&closes)];
        let cfg = VolTargetCfg {
            target_vol_dispersion: 0.0,
            ..VolTargetCfg::default()
        };
        let mut rng = rand::SeedableRng::seed_from_u64(3);
        let mut vt = VolTarget::new(0, &cfg, 1e9, &mut rng);
        vt.decision.rule.lag = 2;
        vt.initial_positions(&data);
        let rule = &mut vt.decision.rule;
        let returns: Vec<f64> = stats::daily_returns(&data[0].daily).collect();
        // Seed: the first 20 returns are ±1% (tick rounding aside).
        assert!(
            (rule.sigmas[0] - stats::annualise(1e-4)).abs() < 2e-3,
            "{}",
            rule.sigmas[0]
        );
        let path = stats::ewma_path(&returns, 0.94);
        let n = path.len();
        assert_eq!(rule.sigmas.len(), n);
        assert_eq!(rule.lagged_sigma(), stats::annualise(path[n - 2]));
        rule.lag = 1;
        assert_eq!(rule.lagged_sigma(), stats::annualise(path[n - 1]));
        assert!(stats::annualise(path[n - 1]) > stats::annualise(path[n - 2]));
    }

    /// §1.6 facts 1, 3, 5, 6: halving, constant |r| levels, symmetry and the cap.
    #[test]
    fn exposure_rule_facts() {
        assert!((target_exposure(0.10, 0.10, 0.0, 1.5) - 1.0).abs() < 1e-12);
        assert!((target_exposure(0.10, 0.20, 0.0, 1.5) - 0.5).abs() < 1e-12);
        // Constant |r| = 0.5% ⇒ 7.94% ⇒ 1.26; 1% ⇒ 15.87% ⇒ 0.630; 2% ⇒ 31.7% ⇒ 0.315.
        for (r, e_want) in [(0.005, 1.26), (0.01, 0.630), (0.02, 0.315)] {
            let sigma = stats::annualise(r * r);
            let e = target_exposure(0.10, sigma, 0.0, 10.0);
            assert!((e - e_want).abs() < 5e-3, "|r| {r}: E {e}");
        }
        // One RiskMetrics step from 1% a day through a ±3% day: 0.94·1e-4 + 0.06·9e-4.
        for r in [0.03, -0.03] {
            let var = stats::ewma_update(1e-4, 0.94, r);
            assert!((var - 1.48e-4).abs() < 1e-15, "{var}");
        }
        assert_eq!(target_exposure(0.10, 0.0666, 0.0, 1.5), 1.5);
        assert!(target_exposure(0.10, 0.0667, 0.0, 1.5) < 1.5);
    }
}
