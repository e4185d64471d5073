//! CTAs / trend followers (docs/model.md §3): the sign of the return over each lookback
//! (1, 3 and 12 months by default), equally weighted, times a volatility-scaled notional.
//!
//! Because the signal moves in steps (±1/3 with three lookbacks), "CTAs flip" in stages,
//! short-term first; each lookback's trigger is the close it is measured against tomorrow, so
//! researchers can read the pivot levels the way sell-side desks publish them. Vol scaling
//! means a CTA that stays long still sells when volatility rises.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::daily::{Daily, DailyDecision, Target};
use super::execution::Plan;
use super::state::{Metric, StateSample};
use super::stats;
use super::{AgentClass, Context};
use crate::book::Motive;
use crate::market::data::InstrumentData;
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
/// tomorrow, P_{t+1−h} (docs/model.md §3.3).
pub fn trigger(closes: &[f64], h: usize) -> Option<f64> {
    let n = closes.len();
    (h >= 1 && n >= h).then(|| closes[n - h])
}

/// A lookback of `h` days scaled by a CTA's factor `f` (rounded, at least one day).
pub fn scale_lookback(h: u32, f: f64) -> usize {
    ((h as f64 * f).round() as usize).max(1)
}

/// One CTA's trend and sizing rule, apart from any book: the agent trades with it and the
/// positioning monitor (`crate::monitor`) runs it open-loop on real closes.
#[derive(Clone, Debug)]
pub struct CtaRule {
    pub capital: f64,
    vol_target: f64,
    max_leverage: f64,
    pub lookbacks: Vec<usize>,
    weights: Vec<f64>,
    lambda: f64,
    band: f64,
    /// Daily EWMA variance of returns.
    var: f64,
}

impl CtaRule {
    /// A CTA of `cfg` with `capital` and its own lookbacks (scaled by the agent's draw or the
    /// monitor's spread).
    pub fn new(cfg: &CtaCfg, capital: f64, lookbacks: Vec<usize>) -> Self {
        let n = lookbacks.len();
        let raw: Vec<f64> = if cfg.weights.len() == n {
            cfg.weights.clone()
        } else {
            vec![1.0; n]
        };
        let sum: f64 = raw.iter().map(|w| w.abs()).sum();
        CtaRule {
            capital,
            vol_target: cfg.vol_target,
            max_leverage: cfg.max_leverage,
            lookbacks,
            weights: raw.iter().map(|w| w / sum.max(f64::MIN_POSITIVE)).collect(),
            lambda: cfg.ewma_lambda,
            band: cfg.band,
            var: stats::DEFAULT_DAILY_VAR,
        }
    }

    /// Starts the volatility estimate from a history's daily returns.
    pub fn seed(&mut self, returns: &[f64]) {
        self.var = crate::market::ewma::ewma_last(returns, self.lambda);
    }

    /// After a close with return `r`.
    pub fn close(&mut self, r: f64) {
        self.var = stats::ewma_update(self.var, self.lambda, r);
    }

    /// Annualised volatility estimate.
    pub fn sigma(&self) -> f64 {
        stats::annualise(self.var)
    }

    /// Leverage on capital: vol_target/σ̂, capped.
    pub fn leverage(&self) -> f64 {
        let sigma = self.sigma();
        if sigma > 0.0 {
            (self.vol_target / sigma).min(self.max_leverage)
        } else {
            self.max_leverage
        }
    }

    /// Each lookback's sign on `closes`.
    pub fn signs(&self, closes: &[f64]) -> Vec<f64> {
        self.lookbacks
            .iter()
            .map(|&h| lookback_sign(closes, h))
            .collect()
    }

    /// The weighted signal in [−1, 1].
    pub fn signal(&self, closes: &[f64]) -> f64 {
        trend_signal(closes, &self.lookbacks, &self.weights)
    }

    /// Target position in dollars on `closes`.
    pub fn target(&self, closes: &[f64]) -> f64 {
        self.capital * self.signal(closes) * self.leverage()
    }

    /// Whether a gap (dollars) between target and position is inside the no-trade band.
    pub fn in_band(&self, gap_usd: f64) -> bool {
        gap_usd.abs() <= self.band * self.capital * self.max_leverage
    }
}

/// A CTA: its [`CtaRule`] and the signs it last traded on. Its closes are the market's
/// (`InstrumentData::closes_usd`, pre-history included).
pub struct CtaDecision {
    instrument: usize,
    rule: CtaRule,
    /// Each lookback's sign at the last decision (a change is a signal flip).
    last_signs: Vec<f64>,
}

pub type Cta = Daily<CtaDecision>;

impl Cta {
    pub fn new(instrument: usize, cfg: &CtaCfg, capital: f64, rng: &mut ChaCha8Rng) -> Self {
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
                scale_lookback(h, f)
            })
            .collect();
        let n = cfg.lookbacks.len();
        Daily::with_plan(
            Plan::from_cfg(&cfg.execution),
            CtaDecision {
                instrument,
                rule: CtaRule::new(cfg, capital, lookbacks),
                last_signs: vec![0.0; n],
            },
        )
    }
}

impl DailyDecision for CtaDecision {
    const CLASS: AgentClass = AgentClass::Cta;

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        let d = &data[self.instrument];
        let returns: Vec<f64> = stats::daily_returns(&d.daily).collect();
        self.rule.seed(&returns);
        let closes = d.closes_usd();
        self.last_signs = self.rule.signs(closes);
        vec![(self.instrument, d.units_for_usd(self.rule.target(closes)))]
    }

    fn decide(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Target> {
        let i = self.instrument;
        let d = &ctx.instruments[i];
        // Today's close is not in the data yet: the signals are on yesterday's.
        let closes = d.closes_usd();
        let signs = self.rule.signs(closes);
        // Compared with the signs of the last trade, so a flip inside the band is still
        // labelled a flip when it is finally traded.
        let flipped = signs != self.last_signs;
        let units = d.units_for_usd(self.rule.target(closes));
        let gap = d.units_usd(units - ctx.position(i)).abs();
        if self.rule.in_band(gap) {
            return None;
        }
        let motive = if flipped {
            Motive::SignalFlip
        } else {
            Motive::Rebalance
        };
        self.last_signs = signs;
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
        if let [.., prev, close] = *closes {
            self.rule.close(close / prev - 1.0);
        }
        let position = ctx.position_usd(i);
        out.extend([
            StateSample::new(i, Metric::PositionUsd, position),
            StateSample::new(i, Metric::TargetUsd, self.rule.target(closes)),
            StateSample::new(i, Metric::Exposure, position / self.rule.capital),
            StateSample::new(i, Metric::VolEstimate, self.rule.sigma()),
        ]);
        for &h in &self.rule.lookbacks {
            out.push(StateSample::at(
                i,
                Metric::Signal,
                h as f64,
                lookback_sign(closes, h),
            ));
            if let Some(p) = trigger(closes, h) {
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

    /// docs/model.md §3.5 fact 1 and §9.6 fact 3: 12m +20%, 3m +2%, 1m −5% ⇒ +1/3; as the 3m and
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
        let mut c = Cta::new(0, &cfg, 1.0, &mut rng).decision.rule;
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
