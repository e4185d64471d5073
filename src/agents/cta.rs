//! CTAs / trend followers (`DOMAIN.md` §3): the sign of the return over each lookback
//! (1, 3 and 12 months by default), equally weighted, times a volatility-scaled notional.
//!
//! Because the signal moves in steps (±1/3 with three lookbacks), "CTAs flip" in stages,
//! short-term first; each lookback's trigger is the close it is measured against tomorrow, so
//! researchers can read the pivot levels the way sell-side desks publish them. Vol scaling
//! means a CTA that stays long still sells when volatility rises.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::execution::{DailyWorker, Plan};
use super::state::{Metric, StateSample};
use super::stats;
use super::{Action, Agent, AgentClass, Context};
use crate::book::Motive;
use crate::market::data::InstrumentData;
use crate::market::time::Nanos;
use crate::scenario::CtaCfg;

/// Sign of the return over `h` days ending at the last close (0 without enough history).
pub fn lookback_sign(closes: &[f64], h: usize) -> f64 {
    let n = closes.len();
    if h == 0 || n <= h {
        return 0.0;
    }
    let r = closes[n - 1] / closes[n - 1 - h] - 1.0;
    if r > 0.0 {
        1.0
    } else if r < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The weighted trend signal in [−1, 1].
pub fn trend_signal(closes: &[f64], lookbacks: &[usize], weights: &[f64]) -> f64 {
    lookbacks
        .iter()
        .zip(weights)
        .map(|(&h, &w)| w * lookback_sign(closes, h))
        .sum()
}

/// The close at which lookback `h`'s signal flips tomorrow: the close `h` days before
/// tomorrow, P_{t+1−h} (`DOMAIN.md` §3.3).
pub fn trigger(closes: &[f64], h: usize) -> Option<f64> {
    let n = closes.len();
    (h >= 1 && n >= h).then(|| closes[n - h])
}

pub struct Cta {
    instrument: usize,
    capital: f64,
    vol_target: f64,
    max_leverage: f64,
    lookbacks: Vec<usize>,
    weights: Vec<f64>,
    lambda: f64,
    band: f64,
    var: f64,
    /// Daily closes in dollars, pre-history included.
    closes: Vec<f64>,
    /// Each lookback's sign at the last decision (a change is a signal flip).
    last_signs: Vec<f64>,
    worker: DailyWorker,
}

impl Cta {
    pub fn new(instrument: usize, cfg: &CtaCfg, capital: f64, rng: &mut ChaCha8Rng) -> Self {
        let n = cfg.lookbacks.len();
        let d = cfg.lookback_dispersion;
        let lookbacks = cfg
            .lookbacks
            .iter()
            .map(|&h| {
                let f = if d > 0.0 {
                    1.0 + rng.random_range(-d..d)
                } else {
                    1.0
                };
                ((h as f64 * f).round() as usize).max(1)
            })
            .collect();
        let raw: Vec<f64> = if cfg.weights.len() == n {
            cfg.weights.clone()
        } else {
            vec![1.0; n]
        };
        let sum: f64 = raw.iter().map(|w| w.abs()).sum();
        Cta {
            instrument,
            capital,
            vol_target: cfg.vol_target,
            max_leverage: cfg.max_leverage,
            lookbacks,
            weights: raw.iter().map(|w| w / sum.max(f64::MIN_POSITIVE)).collect(),
            lambda: cfg.ewma_lambda,
            band: cfg.band,
            var: stats::DEFAULT_DAILY_VAR,
            closes: Vec::new(),
            last_signs: vec![0.0; n],
            worker: DailyWorker::new(Plan::from_cfg(&cfg.execution)),
        }
    }

    fn signs(&self) -> Vec<f64> {
        self.lookbacks
            .iter()
            .map(|&h| lookback_sign(&self.closes, h))
            .collect()
    }

    /// Leverage on capital: vol_target/σ̂, capped.
    pub fn leverage(&self) -> f64 {
        let sigma = stats::annualise(self.var);
        if sigma > 0.0 {
            (self.vol_target / sigma).min(self.max_leverage)
        } else {
            self.max_leverage
        }
    }

    /// Target position in dollars from the closes so far.
    pub fn target(&self) -> f64 {
        let s = trend_signal(&self.closes, &self.lookbacks, &self.weights);
        self.capital * s * self.leverage()
    }
}

impl Agent for Cta {
    fn class(&self) -> AgentClass {
        AgentClass::Cta
    }

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        self.closes = stats::closes_usd(&d.daily, d.tick_size);
        self.var = stats::ewma_last(&d.daily, self.lambda);
        self.last_signs = self.signs();
        vec![(self.instrument, d.units_for_usd(self.target()))]
    }

    fn start_day(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Nanos> {
        self.worker.start_day(ctx)
    }

    fn wake(
        &mut self,
        ctx: &Context,
        _rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        if self.worker.decision_due(ctx) {
            let i = self.instrument;
            let d = &ctx.instruments[i];
            let signs = self.signs();
            // Compared with the signs of the last trade, so a flip inside the band is still
            // labelled a flip when it is finally traded.
            let flipped = signs != self.last_signs;
            let units = d.units_for_usd(self.target());
            let gap = d.units_usd(units - ctx.position(i)).abs();
            if gap <= self.band * self.capital * self.max_leverage {
                self.worker.skip();
                return None;
            }
            let motive = if flipped {
                Motive::SignalFlip
            } else {
                Motive::Rebalance
            };
            self.last_signs = signs;
            self.worker.begin(ctx, i, units, motive);
        }
        self.worker.step(ctx, out)
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        let close = d.close_usd();
        if let Some(&prev) = self.closes.last() {
            self.var = stats::ewma_update(self.var, self.lambda, close / prev - 1.0);
        }
        self.closes.push(close);
        let position = ctx.position_usd(i);
        out.extend([
            StateSample::new(i, Metric::PositionUsd, position),
            StateSample::new(i, Metric::TargetUsd, self.target()),
            StateSample::new(i, Metric::Exposure, position / self.capital),
            StateSample::new(i, Metric::VolEstimate, stats::annualise(self.var)),
        ]);
        for &h in &self.lookbacks {
            out.push(StateSample::at(
                i,
                Metric::Signal,
                h as f64,
                lookback_sign(&self.closes, h),
            ));
            if let Some(p) = trigger(&self.closes, h) {
                out.push(StateSample::at(i, Metric::Trigger, h as f64, p));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: [usize; 3] = [21, 63, 252];
    const W: [f64; 3] = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0];

    /// A path of 253 closes with the given returns over 12 months, 3 months and 1 month.
    fn path(r12: f64, r3: f64, r1: f64) -> Vec<f64> {
        let mut c = vec![0.0; 253];
        let last = 100.0;
        c[252] = last;
        c[252 - 21] = last / (1.0 + r1);
        c[252 - 63] = last / (1.0 + r3);
        c[0] = last / (1.0 + r12);
        // Fill the rest by linear interpolation between the anchors.
        let anchors = [0, 252 - 63, 252 - 21, 252];
        for w in anchors.windows(2) {
            let (a, b) = (w[0], w[1]);
            for k in a + 1..b {
                let t = (k - a) as f64 / (b - a) as f64;
                c[k] = c[a] + t * (c[b] - c[a]);
            }
        }
        c
    }

    /// DOMAIN.md §3.5 fact 1 and §9.6 fact 3: 12m +20%, 3m +2%, 1m −5% ⇒ +1/3; as the 3m and
    /// then the 12m signals turn, the position steps +1 → +1/3 → −1/3 → −1, each step 2/3.
    #[test]
    fn position_steps_as_lookbacks_flip() {
        let s = |c: &[f64]| trend_signal(c, &LB, &W);
        let steps = [
            s(&path(0.20, 0.05, 0.02)),
            s(&path(0.20, 0.02, -0.05)),
            s(&path(0.20, -0.03, -0.05)),
            s(&path(-0.04, -0.03, -0.05)),
        ];
        let want = [1.0, 1.0 / 3.0, -1.0 / 3.0, -1.0];
        for (got, want) in steps.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{steps:?}");
        }
        for w in steps.windows(2) {
            assert!((w[0] - w[1] - 2.0 / 3.0).abs() < 1e-12);
        }
    }

    /// §3.5 fact 2: tomorrow's 63-day signal is measured against P_{t−62}.
    #[test]
    fn trigger_is_the_close_h_days_before_tomorrow() {
        let closes: Vec<f64> = (0..300).map(|k| 100.0 + k as f64).collect();
        let t = closes.len() - 1;
        assert_eq!(trigger(&closes, 63), Some(closes[t - 62]));
        // Tomorrow's close above the trigger makes the 63-day sign positive, below negative.
        let mut up = closes.clone();
        up.push(closes[t - 62] + 0.01);
        assert_eq!(lookback_sign(&up, 63), 1.0);
        let mut down = closes.clone();
        down.push(closes[t - 62] - 0.01);
        assert_eq!(lookback_sign(&down, 63), -1.0);
    }

    /// §3.5 facts 3 and 4: 40% target at 16% vol is 2.5× leverage, at 8% 5×, at 30% 1.33×; a
    /// doubling of volatility halves the notional of a CTA that stays long.
    #[test]
    fn vol_scaling() {
        let cfg = CtaCfg {
            max_leverage: 10.0,
            ..CtaCfg::default()
        };
        let mut rng = rand::SeedableRng::seed_from_u64(1);
        let mut c = Cta::new(0, &cfg, 1.0, &mut rng);
        for (sigma, lev) in [(0.16, 2.5), (0.08, 5.0), (0.30, 1.3333)] {
            c.var = sigma * sigma / 252.0;
            assert!((c.leverage() - lev).abs() < 1e-3, "{sigma}");
        }
        c.var = 0.15f64.powi(2) / 252.0;
        let a = c.leverage();
        c.var = 0.30f64.powi(2) / 252.0;
        assert!((c.leverage() / a - 0.5).abs() < 1e-12);
    }
}
