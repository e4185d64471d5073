//! Daily stylized facts of one close-to-close return series: the numbers a calibrated market
//! should share with the real index at the daily horizon (Cont 2001): fat tails, volatility
//! clustering and the leverage effect.
//!
//! Returns are log returns of consecutive daily closes, r_t = ln(C_t / C_{t−1}), so N closes
//! give N − 1 returns. Moments are the plain sample moments about the mean (divided by n), with
//! no small-sample correction: a 250-day window of fat-tailed returns underestimates the
//! population kurtosis far more than any correction would fix, which is why real 250-day
//! windows are the yardstick for a 250-day run (see `facts_compare`).
//!
//! A statistic that the series cannot give (too short, or constant) is `NaN`, never a panic:
//! a correlation needs at least [`MIN_PAIRS`] pairs and some variation on both sides.

use serde::Serialize;

/// Lags (in trading days) of the reported autocorrelation of |r|.
pub const ABS_LAGS: [usize; 2] = [1, 10];

/// Days ahead over which the leverage effect is measured.
pub const LEVERAGE_HORIZON: usize = 10;

/// Trading days per year, to annualise the daily standard deviation.
pub const TRADING_DAYS_PER_YEAR: f64 = 252.0;

/// Fewest pairs a correlation is computed from; below it the statistic is `NaN`.
pub const MIN_PAIRS: usize = 3;

/// The daily facts of one series.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct DailyFacts {
    /// Number of daily returns.
    pub returns: usize,
    /// Sample standard deviation of the daily log returns (divided by n − 1).
    pub daily_sd: f64,
    /// `daily_sd` · √252.
    pub annual_sd: f64,
    /// m₄ / m₂² − 3 of the returns (0 for a normal distribution).
    pub excess_kurtosis: f64,
    /// Sample autocorrelation of |r| at lag 1 (see [`acf`]).
    pub abs_acf_1: f64,
    /// Sample autocorrelation of |r| at lag 10.
    pub abs_acf_10: f64,
    /// The leverage effect: (1/10) · Σ_{k=1..10} corr_t(r_t, |r_{t+k}|), each correlation the
    /// Pearson correlation of the n − k pairs (see [`leverage`]).
    pub leverage: f64,
    /// corr_t(r_t, (1/10) · Σ_{k=1..10} |r_{t+k}|) over the n − 10 days with ten days ahead
    /// (see [`leverage_mean_abs`]).
    pub leverage_mean_abs: f64,
}

/// Log returns of consecutive closes. Closes that are not positive and finite give non-finite
/// returns; callers read closes through checked readers.
pub fn log_returns(closes: &[f64]) -> Vec<f64> {
    closes.windows(2).map(|w| (w[1] / w[0]).ln()).collect()
}

/// Every fact of `returns`.
pub fn daily_facts(returns: &[f64]) -> DailyFacts {
    let abs: Vec<f64> = returns.iter().map(|r| r.abs()).collect();
    let daily_sd = sample_sd(returns);
    DailyFacts {
        returns: returns.len(),
        daily_sd,
        annual_sd: daily_sd * TRADING_DAYS_PER_YEAR.sqrt(),
        excess_kurtosis: excess_kurtosis(returns),
        abs_acf_1: acf(&abs, ABS_LAGS[0]),
        abs_acf_10: acf(&abs, ABS_LAGS[1]),
        leverage: leverage(returns, LEVERAGE_HORIZON),
        leverage_mean_abs: leverage_mean_abs(returns, LEVERAGE_HORIZON),
    }
}

/// The facts of each window of `len` returns, windows starting every `step` returns from the
/// first (the last ones may leave a few returns at the end unused). None if `len` or `step` is
/// zero or the series is shorter than one window.
pub fn windows(returns: &[f64], len: usize, step: usize) -> Vec<DailyFacts> {
    if len == 0 || step == 0 || returns.len() < len {
        return Vec::new();
    }
    (0..=returns.len() - len)
        .step_by(step)
        .map(|start| daily_facts(&returns[start..start + len]))
        .collect()
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// √(Σ(x − x̄)² / (n − 1)); `NaN` for fewer than two values.
pub fn sample_sd(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

/// m₄ / m₂² − 3 with central moments divided by n; `NaN` for fewer than four values or no
/// variation.
pub fn excess_kurtosis(x: &[f64]) -> f64 {
    if x.len() < 4 {
        return f64::NAN;
    }
    let m = mean(x);
    let n = x.len() as f64;
    let m2 = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    let m4 = x.iter().map(|v| (v - m).powi(4)).sum::<f64>() / n;
    if m2 > 0.0 {
        m4 / (m2 * m2) - 3.0
    } else {
        f64::NAN
    }
}

/// The sample autocorrelation at `lag`, the textbook estimator (Box and Jenkins):
/// Σ_{t=1..n−lag} (x_t − x̄)(x_{t+lag} − x̄) / Σ_{t=1..n} (x_t − x̄)², with x̄ the mean of the whole
/// series. `NaN` with fewer than [`MIN_PAIRS`] pairs or a constant series.
pub fn acf(x: &[f64], lag: usize) -> f64 {
    if lag == 0 || x.len() < lag + MIN_PAIRS {
        return f64::NAN;
    }
    let m = mean(x);
    let den: f64 = x.iter().map(|v| (v - m).powi(2)).sum();
    let num: f64 = (lag..x.len()).map(|t| (x[t] - m) * (x[t - lag] - m)).sum();
    if den > 0.0 { num / den } else { f64::NAN }
}

/// The Pearson correlation of the pairs; `NaN` with fewer than [`MIN_PAIRS`] of them or no
/// variation on either side.
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < MIN_PAIRS {
        return f64::NAN;
    }
    let (a, b) = (&a[..n], &b[..n]);
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa > 0.0 && sbb > 0.0 {
        sab / (saa * sbb).sqrt()
    } else {
        f64::NAN
    }
}

/// The leverage effect over `horizon` days: the mean over k = 1..=horizon of the leverage
/// correlation function corr_t(r_t, |r_{t+k}|) (Cont 2001's L(τ) with |r| in place of r², as
/// in Bouchaud, Matacz and Potters 2001's normalised form). Negative when falls are followed
/// by larger moves. Lags whose correlation is `NaN` (too few pairs) make the whole `NaN`.
///
/// This is the definition the calibration issue's real figure (≈ −0.1 on the S&P 500 of
/// 2010–2018) comes from: [`leverage_mean_abs`], the correlation with the mean of the next ten
/// |r|, averages away the noise of single days and gives about −0.17 on the same data.
pub fn leverage(r: &[f64], horizon: usize) -> f64 {
    if horizon == 0 {
        return f64::NAN;
    }
    let abs: Vec<f64> = r.iter().map(|v| v.abs()).collect();
    let sum: f64 = (1..=horizon)
        .map(|k| {
            if r.len() <= k {
                return f64::NAN;
            }
            correlation(&r[..r.len() - k], &abs[k..])
        })
        .sum();
    sum / horizon as f64
}

/// corr_t(r_t, (1/h) · Σ_{k=1..h} |r_{t+k}|) over the days t with `horizon` = h days ahead:
/// today's return against the realised volatility of the next h days.
pub fn leverage_mean_abs(r: &[f64], horizon: usize) -> f64 {
    if horizon == 0 || r.len() <= horizon {
        return f64::NAN;
    }
    let n = r.len() - horizon;
    let ahead: Vec<f64> = (0..n)
        .map(|t| r[t + 1..=t + horizon].iter().map(|v| v.abs()).sum::<f64>() / horizon as f64)
        .collect();
    correlation(&r[..n], &ahead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    fn normals(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect::<Vec<f64>>()
    }

    #[test]
    fn log_returns_of_closes() {
        let r = log_returns(&[100.0, 110.0, 99.0]);
        assert_eq!(r.len(), 2);
        assert!((r[0] - 1.1f64.ln()).abs() < 1e-15);
        assert!((r[1] - 0.9f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn moments_of_a_small_series_by_hand() {
        // Mean 0, m2 = 0.5, m4 = 0.5: kurtosis 0.5 / 0.25 − 3 = −1.
        let x = [1.0, -1.0, 0.0, 0.0];
        assert!((excess_kurtosis(&x) - -1.0).abs() < 1e-12);
        assert!((sample_sd(&x) - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
        // Two equal halves: ±1 with equal weight has m4 / m2² = 1, kurtosis −2.
        assert!((excess_kurtosis(&[1.0, -1.0, 1.0, -1.0]) - -2.0).abs() < 1e-12);
    }

    #[test]
    fn acf_by_hand() {
        // x = 1, 2, 3, 4: mean 2.5, Σ(x − x̄)² = 5, lag 1: (−1.5·−0.5) + (−0.5·0.5) + (0.5·1.5) = 1.25.
        assert!((acf(&[1.0, 2.0, 3.0, 4.0], 1) - 0.25).abs() < 1e-12);
        // An alternating series is perfectly anti-correlated at lag 1 (up to the n − 1 pairs).
        let alt: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        assert!((acf(&alt, 1) - -0.99).abs() < 1e-12);
        assert!((acf(&alt, 2) - 0.98).abs() < 1e-12);
    }

    #[test]
    fn too_short_or_constant_series_give_nan_not_a_panic() {
        let f = daily_facts(&[]);
        assert_eq!(f.returns, 0);
        assert!(f.daily_sd.is_nan() && f.excess_kurtosis.is_nan() && f.leverage.is_nan());
        // A price that never moves: every return is exactly 0.
        let f = daily_facts(&[0.0; 30]);
        assert_eq!(f.daily_sd, 0.0);
        assert!(f.excess_kurtosis.is_nan() && f.abs_acf_1.is_nan() && f.leverage.is_nan());
        let f = daily_facts(&normals(12, 1));
        assert!(f.abs_acf_1.is_finite() && f.abs_acf_10.is_nan());
        assert!(f.leverage.is_nan() && f.leverage_mean_abs.is_nan());
    }

    #[test]
    fn iid_normal_returns_have_no_excess_kurtosis_clustering_or_leverage() {
        // n = 20,000: the s.e. of the kurtosis is √(24/n) ≈ 0.035 and of a correlation
        // 1/√n ≈ 0.007, so these bounds are five standard errors or more and could fail on a
        // broken estimator (a skipped −3, a missing mean, a wrong lag).
        let r: Vec<f64> = normals(20_000, 7).iter().map(|z| 0.01 * z).collect();
        let f = daily_facts(&r);
        assert_eq!(f.returns, 20_000);
        assert!((f.daily_sd - 0.01).abs() < 0.0003, "{f:?}");
        assert!((f.annual_sd - 0.01 * 252f64.sqrt()).abs() < 0.005, "{f:?}");
        assert!(f.excess_kurtosis.abs() < 0.2, "{f:?}");
        assert!(
            f.abs_acf_1.abs() < 0.04 && f.abs_acf_10.abs() < 0.04,
            "{f:?}"
        );
        assert!(
            f.leverage.abs() < 0.02 && f.leverage_mean_abs.abs() < 0.04,
            "{f:?}"
        );
    }

    /// Returns whose volatility switches between a calm and a stormy regime that lasts about
    /// 50 days: fat tails and slowly decaying clustering, but no leverage.
    fn regimes(n: usize, seed: u64) -> Vec<f64> {
        let z = normals(2 * n, seed);
        let mut stormy = false;
        (0..n)
            .map(|t| {
                // Switch with probability 2% a day, from the second stream of draws.
                if z[n + t] > 2.054 {
                    stormy = !stormy;
                }
                z[t] * if stormy { 0.03 } else { 0.008 }
            })
            .collect()
    }

    #[test]
    fn a_regime_series_has_fat_tails_and_clustering_at_both_lags() {
        let f = daily_facts(&regimes(20_000, 3));
        assert!(f.excess_kurtosis > 1.5, "{f:?}");
        assert!(f.abs_acf_1 > 0.15 && f.abs_acf_10 > 0.1, "{f:?}");
        assert!(f.abs_acf_10 < f.abs_acf_1, "{f:?}");
        assert!(f.leverage.abs() < 0.03, "{f:?}");
    }

    #[test]
    fn a_garch_series_has_positive_acf_of_abs_returns() {
        // GARCH(1,1) with ω = 1e-6, α = 0.15, β = 0.8: unconditional variance 2e-5, excess
        // kurtosis 2.6 in theory (sample kurtosis of such tails falls short of it).
        let z = normals(20_000, 11);
        let mut var: f64 = 2e-5;
        let r: Vec<f64> = z
            .iter()
            .map(|e| {
                let x = var.sqrt() * e;
                var = 1e-6 + 0.15 * x * x + 0.8 * var;
                x
            })
            .collect();
        let f = daily_facts(&r);
        assert!(f.excess_kurtosis > 0.5, "{f:?}");
        assert!(f.abs_acf_1 > 0.1 && f.abs_acf_10 > 0.03, "{f:?}");
        assert!(f.leverage.abs() < 0.03, "{f:?}");
    }

    #[test]
    fn falls_that_raise_future_volatility_give_a_negative_leverage() {
        // GJR-like: only negative returns feed the variance, so a fall is followed by larger
        // moves and a rise by calmer ones.
        let z = normals(20_000, 13);
        let mut var: f64 = 1e-4;
        let r: Vec<f64> = z
            .iter()
            .map(|e| {
                let x = var.sqrt() * e;
                let down = if x < 0.0 { x * x } else { 0.0 };
                var = 5e-6 + 0.2 * down + 0.85 * var;
                x
            })
            .collect();
        let f = daily_facts(&r);
        assert!(f.leverage < -0.03, "{f:?}");
        assert!(f.leverage_mean_abs < -0.06, "{f:?}");
        // Mirrored (rises raise volatility), the sign flips.
        let up: Vec<f64> = r.iter().map(|x| -x).collect();
        let g = daily_facts(&up);
        assert!((g.leverage + f.leverage).abs() < 1e-12, "{g:?}");
        assert!((g.leverage_mean_abs + f.leverage_mean_abs).abs() < 1e-12);
    }

    #[test]
    fn leverage_definitions_by_hand() {
        // A fall of 2% followed by two larger moves, otherwise small ones.
        let r = [-0.02, 0.03, -0.03, 0.001, 0.001, -0.001, 0.002, 0.0];
        let abs: Vec<f64> = r.iter().map(|x: &f64| x.abs()).collect();
        let want = (1..=2)
            .map(|k| correlation(&r[..r.len() - k], &abs[k..]))
            .sum::<f64>()
            / 2.0;
        assert!((leverage(&r, 2) - want).abs() < 1e-15);
        let ahead: Vec<f64> = (0..6).map(|t| (abs[t + 1] + abs[t + 2]) / 2.0).collect();
        assert!((leverage_mean_abs(&r, 2) - correlation(&r[..6], &ahead)).abs() < 1e-15);
        assert!(leverage(&r, 2) < 0.0 && leverage_mean_abs(&r, 2) < 0.0);
    }

    #[test]
    fn windows_start_every_step_and_fit_inside_the_series() {
        let r = normals(1000, 5);
        let w = windows(&r, 250, 125);
        assert_eq!(w.len(), 7);
        assert!(w.iter().all(|f| f.returns == 250));
        assert_eq!(w[1], daily_facts(&r[125..375]));
        assert_eq!(windows(&r, 250, 250).len(), 4);
        assert_eq!(windows(&r, 1000, 1).len(), 1);
        assert!(windows(&r, 1001, 1).is_empty());
        assert!(windows(&r, 0, 1).is_empty() && windows(&r, 10, 0).is_empty());
    }
}
