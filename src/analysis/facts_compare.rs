//! Simulated runs against the real index on the daily facts of `daily_facts`, one row per
//! statistic: the seeds' median with an interval, the real full sample, and the spread over
//! real windows as long as a run.
//!
//! A 250-day sample is noisy (a single real year's kurtosis ranges from about 1 to 6), so a
//! run is judged against real samples of its own size, not against the full nine years alone.
//! The two intervals answer different questions: across seeds, how well the seeds pin down
//! the simulated median (a percentile bootstrap of the median, or the seeds' range when there
//! are too few of them to resample); across real windows, how far one real window of that
//! size strays (5% to 95% of the windows). The per-seed values are kept so that the seeds'
//! own spread can be read against the second.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::daily_facts::DailyFacts;
use super::distribution::{quantile_sorted, sorted_finite};

/// Fewest seeds for a bootstrap interval; below it the interval is the seeds' min–max.
pub const MIN_SEEDS_FOR_BOOTSTRAP: usize = 5;

/// Resamples of the seeds' bootstrap, drawn from a fixed stream so the table is reproducible.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// The statistics compared, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    Returns,
    DailySd,
    AnnualSd,
    ExcessKurtosis,
    AbsAcf1,
    AbsAcf10,
    Leverage,
    LeverageMeanAbs,
}

impl Stat {
    pub const ALL: [Stat; 8] = [
        Stat::Returns,
        Stat::DailySd,
        Stat::AnnualSd,
        Stat::ExcessKurtosis,
        Stat::AbsAcf1,
        Stat::AbsAcf10,
        Stat::Leverage,
        Stat::LeverageMeanAbs,
    ];

    /// The name in CSV files.
    pub fn name(self) -> &'static str {
        match self {
            Stat::Returns => "returns",
            Stat::DailySd => "daily_sd",
            Stat::AnnualSd => "annual_sd",
            Stat::ExcessKurtosis => "excess_kurtosis",
            Stat::AbsAcf1 => "abs_acf_1",
            Stat::AbsAcf10 => "abs_acf_10",
            Stat::Leverage => "leverage",
            Stat::LeverageMeanAbs => "leverage_mean_abs",
        }
    }

    /// What a reader of the printed table sees.
    pub fn label(self) -> &'static str {
        match self {
            Stat::Returns => "daily returns",
            Stat::DailySd => "daily s.d.",
            Stat::AnnualSd => "annualised s.d.",
            Stat::ExcessKurtosis => "excess kurtosis",
            Stat::AbsAcf1 => "ACF |r| lag 1",
            Stat::AbsAcf10 => "ACF |r| lag 10",
            Stat::Leverage => "leverage (mean of 10 lags)",
            Stat::LeverageMeanAbs => "leverage (10-day mean |r|)",
        }
    }

    pub fn of(self, f: &DailyFacts) -> f64 {
        match self {
            Stat::Returns => f.returns as f64,
            Stat::DailySd => f.daily_sd,
            Stat::AnnualSd => f.annual_sd,
            Stat::ExcessKurtosis => f.excess_kurtosis,
            Stat::AbsAcf1 => f.abs_acf_1,
            Stat::AbsAcf10 => f.abs_acf_10,
            Stat::Leverage => f.leverage,
            Stat::LeverageMeanAbs => f.leverage_mean_abs,
        }
    }
}

/// What the `lo`–`hi` of a [`Spread`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Interval {
    /// The 2.5% and 97.5% percentiles of the median over bootstrap resamples of the values.
    Bootstrap95,
    /// The smallest and largest value.
    MinMax,
    /// The 5% and 95% quantiles of the values.
    Quantiles5To95,
}

impl Interval {
    pub fn name(self) -> &'static str {
        match self {
            Interval::Bootstrap95 => "bootstrap95",
            Interval::MinMax => "min-max",
            Interval::Quantiles5To95 => "p05-p95",
        }
    }
}

/// A median and an interval of the finite values among `count` of them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    pub lo: f64,
    pub hi: f64,
    pub interval: Interval,
    /// Finite values the spread is computed from.
    pub count: usize,
}

/// The seeds' median with a 95% percentile-bootstrap interval of the median
/// ([`BOOTSTRAP_RESAMPLES`] resamples), or the min–max when fewer than
/// [`MIN_SEEDS_FOR_BOOTSTRAP`] values are finite. `NaN`s for none.
pub fn across_seeds(values: &[f64]) -> Spread {
    let sorted = sorted_finite(values);
    let n = sorted.len();
    let median = quantile_sorted(&sorted, 0.5);
    if n < MIN_SEEDS_FOR_BOOTSTRAP {
        return Spread {
            median,
            lo: sorted.first().copied().unwrap_or(f64::NAN),
            hi: sorted.last().copied().unwrap_or(f64::NAN),
            interval: Interval::MinMax,
            count: n,
        };
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0xfac75);
    let mut medians = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut sample = vec![0.0; n];
    for _ in 0..BOOTSTRAP_RESAMPLES {
        for s in sample.iter_mut() {
            *s = sorted[rng.random_range(0..n)];
        }
        sample.sort_by(f64::total_cmp);
        medians.push(quantile_sorted(&sample, 0.5));
    }
    medians.sort_by(f64::total_cmp);
    Spread {
        median,
        lo: quantile_sorted(&medians, 0.025),
        hi: quantile_sorted(&medians, 0.975),
        interval: Interval::Bootstrap95,
        count: n,
    }
}

/// The median and the 5% and 95% quantiles (linear interpolation) of the finite values.
pub fn across_windows(values: &[f64]) -> Spread {
    let sorted = sorted_finite(values);
    Spread {
        median: quantile_sorted(&sorted, 0.5),
        lo: quantile_sorted(&sorted, 0.05),
        hi: quantile_sorted(&sorted, 0.95),
        interval: Interval::Quantiles5To95,
        count: sorted.len(),
    }
}

/// One statistic side by side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactRow {
    pub stat: Stat,
    /// Each simulated run's value, in the order the runs were given.
    pub per_seed: Vec<f64>,
    pub sim: Spread,
    pub real_full: f64,
    pub real_windows: Spread,
}

/// A row per [`Stat`]: `sim` holds one run's facts per seed, `real_windows` the facts of the
/// real windows.
pub fn compare(
    sim: &[DailyFacts],
    real_full: &DailyFacts,
    real_windows: &[DailyFacts],
) -> Vec<FactRow> {
    Stat::ALL
        .iter()
        .map(|&stat| {
            let per_seed: Vec<f64> = sim.iter().map(|f| stat.of(f)).collect();
            let windows: Vec<f64> = real_windows.iter().map(|f| stat.of(f)).collect();
            FactRow {
                stat,
                sim: across_seeds(&per_seed),
                per_seed,
                real_full: stat.of(real_full),
                real_windows: across_windows(&windows),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::daily_facts::daily_facts;

    #[test]
    fn few_seeds_give_their_range() {
        let s = across_seeds(&[3.0, 1.0, f64::NAN, 2.0]);
        assert_eq!((s.median, s.lo, s.hi, s.count), (2.0, 1.0, 3.0, 3));
        assert_eq!(s.interval, Interval::MinMax);
        let none = across_seeds(&[f64::NAN]);
        assert!(none.median.is_nan() && none.lo.is_nan() && none.count == 0);
    }

    #[test]
    fn many_seeds_give_a_bootstrap_interval_of_the_median_inside_their_range() {
        let v: Vec<f64> = (0..9).map(f64::from).collect();
        let s = across_seeds(&v);
        assert_eq!(s.interval, Interval::Bootstrap95);
        assert_eq!(s.median, 4.0);
        // The median of a resample of 9 is one of the values; its 95% interval is narrower than
        // the range and contains the median.
        assert!(
            s.lo >= 0.0 && s.lo < 4.0 && s.hi > 4.0 && s.hi <= 8.0,
            "{s:?}"
        );
        assert!(s.hi - s.lo < 8.0, "{s:?}");
        // Reproducible: a fixed stream.
        assert_eq!(across_seeds(&v), s);
        // Equal values leave nothing to resample.
        let flat = across_seeds(&[0.5; 6]);
        assert_eq!((flat.lo, flat.median, flat.hi), (0.5, 0.5, 0.5));
    }

    #[test]
    fn windows_give_their_quantiles() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        let s = across_windows(&v);
        assert_eq!((s.median, s.lo, s.hi, s.count), (50.0, 5.0, 95.0, 101));
        assert_eq!(s.interval, Interval::Quantiles5To95);
    }

    #[test]
    fn a_row_per_statistic_with_every_seed() {
        let a = daily_facts(&[0.01, -0.02, 0.005, 0.0, 0.01, -0.01]);
        let b = daily_facts(&[0.02, -0.01, 0.0, 0.004, -0.03, 0.01]);
        let rows = compare(&[a, b], &a, &[a, b, b]);
        assert_eq!(rows.len(), Stat::ALL.len());
        let sd = rows.iter().find(|r| r.stat == Stat::DailySd).unwrap();
        assert_eq!(sd.per_seed, vec![a.daily_sd, b.daily_sd]);
        assert_eq!(sd.real_full, a.daily_sd);
        assert_eq!(sd.real_windows.median, b.daily_sd);
        assert_eq!(sd.real_windows.count, 3);
        let n = rows.iter().find(|r| r.stat == Stat::Returns).unwrap();
        assert_eq!((n.sim.median, n.real_full), (6.0, 6.0));
    }
}
