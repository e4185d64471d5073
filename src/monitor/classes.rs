//! Each mechanical class as an open-loop book of funds on a real path: the agents' own rule
//! structs and functions (`VolTargetRule`, `CtaRule`, `letf::rebalance_usd`,
//! `real_money::rebalance_trade`), fed closes instead of a market, trading exactly to their
//! targets at the close.
//!
//! Assets are held at the configured size (the sell-side convention: flows are today's assets
//! times the change in exposure), and a class's spread of targets, lags and lookbacks is laid
//! out evenly over the range the agents draw from, so the output does not depend on a seed.

use crate::agents::cta::{CtaRule, lookback_sign, scale_lookback, trigger};
use crate::agents::letf::rebalance_usd;
use crate::agents::real_money::rebalance_trade;
use crate::agents::stats::History;
use crate::agents::vol_target::VolTargetRule;
use crate::scenario::{CtaCfg, LetfFundCfg, VolTargetCfg};

/// Returns the rules are seeded with before the first reported day (the agents' estimators
/// seed on the mean square of up to 20 returns).
pub const SEED_RETURNS: usize = 20;

/// The k-th of n points spread evenly over (centre − d, centre + d).
pub fn spread(centre: f64, d: f64, k: usize, n: usize) -> f64 {
    if d <= 0.0 || n <= 1 {
        centre
    } else {
        centre + d * (2.0 * (k as f64 + 0.5) / n as f64 - 1.0)
    }
}

/// Percentile ranks against the last `window` values (0 = all).
#[derive(Clone, Debug, Default)]
pub struct Ranks {
    all: History,
    order: std::collections::VecDeque<f64>,
    window: usize,
}

impl Ranks {
    pub fn new(window: usize) -> Self {
        Ranks {
            window,
            ..Ranks::default()
        }
    }

    /// Adds `x` and returns its percentile rank among the values kept (itself included).
    pub fn push(&mut self, x: f64) -> f64 {
        if !x.is_finite() {
            return f64::NAN;
        }
        self.all.push(x);
        self.order.push_back(x);
        if self.window > 0 && self.order.len() > self.window {
            if let Some(old) = self.order.pop_front() {
                self.all.remove(old);
            }
        }
        self.all.percentile(x)
    }
}

/// One day of the vol-target class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VolTargetDay {
    pub flow_usd: f64,
    /// Class exposure (position over assets) after the day's trade, at the close.
    pub exposure: f64,
    pub percentile: f64,
    /// The class's target exposure for tomorrow (on each fund's lagged estimate).
    pub target: f64,
    /// σ̂ the funds act on (the highest estimator) and each estimator's, after the close.
    pub sigma: f64,
    pub sigmas: Vec<f64>,
}

#[derive(Clone, Debug)]
struct VtFund {
    rule: VolTargetRule,
    assets: f64,
    exposure: f64,
}

/// The vol-target class on one index.
#[derive(Clone, Debug)]
pub struct VolTargetBook {
    funds: Vec<VtFund>,
    assets: f64,
    ranks: Ranks,
}

impl VolTargetBook {
    pub fn new(cfg: &VolTargetCfg, window: usize) -> Self {
        let n = cfg.count.max(1) as usize;
        let lags = cfg.lag_days_max.max(cfg.lag_days) - cfg.lag_days + 1;
        let funds = (0..n)
            .map(|k| VtFund {
                rule: VolTargetRule::new(
                    cfg,
                    spread(cfg.target_vol, cfg.target_vol_dispersion, k, n),
                    (cfg.lag_days + k as u32 % lags) as usize,
                ),
                assets: cfg.aum_usd / n as f64,
                exposure: 0.0,
            })
            .collect();
        VolTargetBook {
            funds,
            assets: cfg.aum_usd,
            ranks: Ranks::new(window),
        }
    }

    /// Seeds the estimators on the first returns; each fund starts at its target, and the
    /// class's exposure history starts with the targets along the seed, as the agents' does.
    pub fn seed(&mut self, returns: &[f64]) {
        let mut class = vec![0.0; returns.len()];
        for f in &mut self.funds {
            for (c, e) in class.iter_mut().zip(f.rule.seed(returns)) {
                *c += e * f.assets / self.assets;
            }
            f.exposure = f.rule.exposure_target();
        }
        for c in class {
            self.ranks.push(c);
        }
    }

    /// A day with return `r`: exposures drift with the price, each fund trades to its rule's
    /// target at the close (outside its band), then the estimators take the return.
    pub fn step(&mut self, r: f64) -> VolTargetDay {
        let mut day = VolTargetDay::default();
        for f in &mut self.funds {
            let drifted = f.exposure * (1.0 + r) / (1.0 + f.exposure * r);
            let new = f.rule.trade_to(drifted).unwrap_or(drifted);
            day.flow_usd += f.assets * (new - drifted);
            f.exposure = new;
            f.rule.close(Some(r));
            day.exposure += new * f.assets / self.assets;
            day.target += f.rule.exposure_target() * f.assets / self.assets;
        }
        day.percentile = self.ranks.push(day.exposure);
        if let Some(f) = self.funds.first() {
            day.sigma = f.rule.sigma_now();
            day.sigmas = f.rule.sigma_per_lambda().collect();
        }
        day
    }

    pub fn assets(&self) -> f64 {
        self.assets
    }

    /// The funds' EWMA λs (shared by the class).
    pub fn lambdas(&self) -> Vec<f64> {
        self.funds
            .first()
            .map_or(Vec::new(), |f| f.rule.lambdas().to_vec())
    }
}

/// One day of the CTA class on one index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CtaDay {
    /// Traded today on yesterday's closes (the agents decide in the morning).
    pub flow_usd: f64,
    /// Position at today's close, dollars.
    pub position_usd: f64,
    pub percentile: f64,
    /// Tomorrow's target position on today's closes.
    pub target_usd: f64,
    /// The class's weighted signal on today's closes, and each configured lookback's sign and
    /// trigger level (the close at which it flips tomorrow).
    pub signal: f64,
    pub lookbacks: Vec<(usize, f64, f64)>,
    pub sigma: f64,
}

#[derive(Clone, Debug)]
struct CtaFund {
    rule: CtaRule,
    /// Position in index units (dollars per unit of the index level).
    units: f64,
}

/// The CTA class on one index.
#[derive(Clone, Debug)]
pub struct CtaBook {
    funds: Vec<CtaFund>,
    lookbacks: Vec<usize>,
    capital: f64,
    ranks: Ranks,
}

impl CtaBook {
    pub fn new(cfg: &CtaCfg, capital: f64, window: usize) -> Self {
        let n = cfg.count.max(1) as usize;
        let funds = (0..n)
            .map(|k| {
                let f = spread(1.0, cfg.lookback_dispersion, k, n);
                let lookbacks = cfg
                    .lookbacks
                    .iter()
                    .map(|&h| scale_lookback(h, f))
                    .collect();
                CtaFund {
                    rule: CtaRule::new(cfg, capital / n as f64, lookbacks),
                    units: 0.0,
                }
            })
            .collect();
        CtaBook {
            funds,
            lookbacks: cfg.lookbacks.iter().map(|&h| h as usize).collect(),
            capital,
            ranks: Ranks::new(window),
        }
    }

    /// Seeds the estimators on `closes` (the first days); each CTA starts at its target.
    pub fn seed(&mut self, closes: &[f64]) {
        let returns: Vec<f64> = closes.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
        let last = closes.last().copied().unwrap_or(1.0);
        for f in &mut self.funds {
            f.rule.seed(&returns);
            f.units = f.rule.target(closes) / last;
        }
    }

    /// The day whose close is the last of `closes`: each CTA trades to its target on the
    /// closes before today (outside its band), then its estimator takes today's return.
    pub fn step(&mut self, closes: &[f64]) -> CtaDay {
        let n = closes.len();
        let mut day = CtaDay::default();
        if n < 2 {
            return day;
        }
        let (before, c_prev, c) = (&closes[..n - 1], closes[n - 2], closes[n - 1]);
        for f in &mut self.funds {
            let target = f.rule.target(before);
            let current = f.units * c_prev;
            if !f.rule.in_band(target - current) {
                day.flow_usd += target - current;
                f.units = target / c_prev;
            }
            f.rule.close(c / c_prev - 1.0);
            day.position_usd += f.units * c;
            day.target_usd += f.rule.target(closes);
            day.sigma = f.rule.sigma();
        }
        day.percentile = self.ranks.push(day.position_usd);
        let w = 1.0 / self.lookbacks.len().max(1) as f64;
        for &h in &self.lookbacks {
            let s = lookback_sign(closes, h);
            day.signal += w * s;
            day.lookbacks
                .push((h, s, trigger(closes, h).unwrap_or(f64::NAN)));
        }
        day
    }

    pub fn capital(&self) -> f64 {
        self.capital
    }
}

/// The leveraged and inverse ETFs on one index, at their configured assets.
#[derive(Clone, Debug)]
pub struct LetfBook {
    funds: Vec<LetfFundCfg>,
}

impl LetfBook {
    pub fn new(funds: Vec<LetfFundCfg>) -> Self {
        LetfBook { funds }
    }

    /// Today's rebalance for an index return `r` (contrarian creations included, their noise
    /// left out: it has no sign).
    pub fn step(&self, r: f64) -> f64 {
        self.funds
            .iter()
            .map(|f| {
                let l = f.leverage as f64;
                rebalance_usd(l, f.aum_usd, r, f.flow_beta * r * f.aum_usd)
            })
            .sum()
    }

    /// Dollar gamma Σ A·L(L−1): the rebalance per unit of index return.
    pub fn dollar_gamma(&self) -> f64 {
        self.funds
            .iter()
            .map(|f| {
                let l = f.leverage as f64;
                f.aum_usd * l * (l - 1.0)
            })
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.funds.is_empty()
    }
}

/// A balanced fund's month-end trade: equity and bonds have returned `re` and `rb` since the
/// last rebalance at weight `w` on assets `a`; positive buys equity.
pub fn month_end_trade(w: f64, a: f64, re: f64, rb: f64) -> f64 {
    rebalance_trade(w, w * a * (1.0 + re), (1.0 - w) * a * (1.0 + rb))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 60/40 facts of the real-money rule: equities +10%, bonds 0% ⇒ sell 2.40% of the
    /// initial assets; equities −10%, bonds +2% ⇒ buy 2.88%.
    #[test]
    fn month_end_trade_is_the_sixty_forty_rule() {
        assert!((month_end_trade(0.6, 100.0, 0.10, 0.0) + 2.40).abs() < 1e-9);
        assert!((month_end_trade(0.6, 100.0, -0.10, 0.02) - 2.88).abs() < 1e-9);
    }

    #[test]
    fn spread_is_even_and_centred() {
        let xs: Vec<f64> = (0..4).map(|k| spread(0.10, 0.02, k, 4)).collect();
        assert!((xs.iter().sum::<f64>() / 4.0 - 0.10).abs() < 1e-12);
        assert!(xs[0] > 0.08 && xs[3] < 0.12);
        assert_eq!(spread(0.10, 0.02, 0, 1), 0.10);
    }

    #[test]
    fn ranks_forget_beyond_the_window() {
        let mut r = Ranks::new(3);
        for x in [10.0, 1.0, 2.0, 3.0] {
            r.push(x);
        }
        // 10 has left the window: 4 is the highest of {2, 3, 4}.
        assert_eq!(r.push(4.0), 100.0);
    }
}
