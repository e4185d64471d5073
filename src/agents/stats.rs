//! Daily statistics the mechanical agents keep for themselves.
//!
//! Market data publishes one EWMA with the market's λ; funds each run their own estimators
//! (their λ, their lag, simple returns as in the RiskMetrics worked examples of docs/model.md §1.6),
//! so they keep them here.

use crate::market::data::DailyBar;

/// Simple daily close-to-close returns of a daily history.
pub fn daily_returns(daily: &[DailyBar]) -> impl Iterator<Item = f64> + '_ {
    daily
        .windows(2)
        .map(|w| w[1].close as f64 / w[0].close as f64 - 1.0)
}

pub use crate::market::ewma::{DEFAULT_DAILY_VAR, annualise, ewma_path, ewma_update};

/// The EWMA variance after the last day of a daily history ([`DEFAULT_DAILY_VAR`] without
/// returns): where a fund's estimator starts when the run begins.
pub fn ewma_last(daily: &[DailyBar], lambda: f64) -> f64 {
    let returns: Vec<f64> = daily_returns(daily).collect();
    crate::market::ewma::ewma_last(&returns, lambda)
}

/// An empirical distribution that answers percentile ranks: `pct = #{s ≤ x} / N × 100`.
#[derive(Clone, Debug, Default)]
pub struct History {
    sorted: Vec<f64>,
}

impl History {
    pub fn push(&mut self, x: f64) {
        if x.is_finite() {
            let k = self.sorted.partition_point(|&s| s <= x);
            self.sorted.insert(k, x);
        }
    }

    /// Removes one value equal to `x`, if any (a rolling window's oldest).
    pub fn remove(&mut self, x: f64) {
        let k = self.sorted.partition_point(|&s| s < x);
        if self.sorted.get(k) == Some(&x) {
            self.sorted.remove(k);
        }
    }

    /// Percentile rank of `x` (0–100) in the history; 50 when the history is empty.
    pub fn percentile(&self, x: f64) -> f64 {
        if self.sorted.is_empty() {
            return 50.0;
        }
        let k = self.sorted.partition_point(|&s| s <= x);
        100.0 * k as f64 / self.sorted.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_the_empirical_cdf() {
        let mut h = History::default();
        for x in [1.0, 2.0, 3.0, 4.0] {
            h.push(x);
        }
        assert_eq!(h.percentile(2.0), 50.0);
        assert_eq!(h.percentile(0.5), 0.0);
        assert_eq!(h.percentile(4.0), 100.0);
    }
}
