//! Hedgers (docs/model.md §5.3): holders of a long portfolio off the book who keep part of it
//! protected with a short index position, and unwind that protection as the market rallies
//! from its low or volatility falls (and put it back on when volatility rises).
//!
//! Unwinding protection is buying; like short covering it is a finite stock, spent once the
//! hedge is gone. Protection bought as puts is modelled on the dealer's side (customers
//! monetising puts, `dealer.rs`), since the dealer's re-hedge is the flow that reaches the book.

use rand_chacha::ChaCha8Rng;

use super::daily::{Daily, DailyDecision, Target};
use super::execution::Plan;
use super::state::{Metric, StateSample};
use super::stats;
use super::{AgentClass, Context};
use crate::book::Motive;
use crate::market::data::InstrumentData;
use crate::scenario::HedgerCfg;

/// Hedge ratio for a volatility estimate and a rally from the trailing low:
/// h₀·(σ̂/σ_ref)^s·max(0, 1 − rally/unwind_rally), capped at `max`.
pub fn hedge_ratio(cfg: &HedgerCfg, sigma: f64, rally: f64) -> f64 {
    let vol = if cfg.vol_ref > 0.0 && sigma > 0.0 {
        (sigma / cfg.vol_ref).powf(cfg.vol_sensitivity)
    } else {
        1.0
    };
    let rally_left = if cfg.unwind_rally > 0.0 {
        (1.0 - rally.max(0.0) / cfg.unwind_rally).max(0.0)
    } else {
        1.0
    };
    (cfg.hedge_ratio * vol * rally_left).clamp(0.0, cfg.max_hedge_ratio)
}

/// A hedger: the protected portfolio and its volatility estimate. The trailing low is read
/// from the market's closes (`InstrumentData::closes_usd`, pre-history included).
pub struct HedgerDecision {
    instrument: usize,
    cfg: HedgerCfg,
    /// The protected portfolio's value at the starting price (it moves with the index).
    portfolio_usd: f64,
    start_price: f64,
    var: f64,
}

pub type Hedger = Daily<HedgerDecision>;

impl Hedger {
    pub fn new(instrument: usize, cfg: &HedgerCfg, portfolio_usd: f64) -> Self {
        Daily::with_plan(
            Plan::from_cfg(&cfg.execution),
            HedgerDecision {
                instrument,
                cfg: cfg.clone(),
                portfolio_usd,
                start_price: 0.0,
                var: stats::DEFAULT_DAILY_VAR,
            },
        )
    }
}

impl HedgerDecision {
    fn portfolio_at(&self, price: f64) -> f64 {
        if self.start_price > 0.0 {
            self.portfolio_usd * price / self.start_price
        } else {
            self.portfolio_usd
        }
    }

    /// The rise of `price` from the lowest of the last `rally_lookback_days` `closes`.
    fn rally(&self, closes: &[f64], price: f64) -> f64 {
        let n = closes.len();
        let window = &closes[n.saturating_sub(self.cfg.rally_lookback_days as usize)..];
        window
            .iter()
            .copied()
            .reduce(f64::min)
            .map_or(0.0, |low| price / low - 1.0)
    }

    fn target_ratio(&self, closes: &[f64], price: f64) -> f64 {
        hedge_ratio(
            &self.cfg,
            stats::annualise(self.var),
            self.rally(closes, price),
        )
    }
}

impl DailyDecision for HedgerDecision {
    const CLASS: AgentClass = AgentClass::Hedger;

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        self.var = stats::ewma_last(&d.daily, self.cfg.ewma_lambda);
        let price = d.close_usd();
        self.start_price = price;
        vec![(
            self.instrument,
            d.units_for_usd(-self.target_ratio(d.closes_usd(), price) * self.portfolio_usd),
        )]
    }

    fn decide(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Target> {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let price = d.last_usd();
        let portfolio = self.portfolio_at(price);
        // The low is over the closes up to yesterday's (today's is not in the data yet).
        let units = d.units_for_usd(-self.target_ratio(d.closes_usd(), price) * portfolio);
        let delta = units - ctx.position(i);
        if d.units_usd(delta).abs() <= self.cfg.band * portfolio {
            return None;
        }
        // Buying back protection is an unwind; selling more is hedging.
        let motive = if delta > 0 {
            Motive::Unwind
        } else {
            Motive::Hedge
        };
        Some(Target {
            instrument: i,
            units,
            motive,
        })
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        // The data has today's close now.
        let closes = d.closes_usd();
        let close = d.close_usd();
        if let [.., prev, _] = *closes {
            self.var = stats::ewma_update(self.var, self.cfg.ewma_lambda, close / prev - 1.0);
        }
        let portfolio = self.portfolio_at(close);
        let position = ctx.position_usd(i);
        out.extend([
            StateSample::new(i, Metric::PositionUsd, position),
            StateSample::new(i, Metric::HedgeRatio, -position / portfolio),
            StateSample::new(
                i,
                Metric::TargetUsd,
                -self.target_ratio(closes, close) * portfolio,
            ),
            StateSample::new(i, Metric::VolEstimate, stats::annualise(self.var)),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protection_unwinds_with_rallies_and_falling_vol() {
        let cfg = HedgerCfg::default();
        let base = hedge_ratio(&cfg, cfg.vol_ref, 0.0);
        assert!((base - cfg.hedge_ratio).abs() < 1e-12);
        assert!(
            (hedge_ratio(&cfg, cfg.vol_ref, cfg.unwind_rally / 2.0) - base / 2.0).abs() < 1e-12
        );
        assert_eq!(hedge_ratio(&cfg, cfg.vol_ref, cfg.unwind_rally * 1.5), 0.0);
        assert!(hedge_ratio(&cfg, cfg.vol_ref / 2.0, 0.0) < base);
        assert_eq!(
            hedge_ratio(&cfg, cfg.vol_ref * 10.0, 0.0),
            cfg.max_hedge_ratio
        );
    }
}
