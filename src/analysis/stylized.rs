//! Stylized facts of returns (Cont 2001) and the intraday volume profile, from a run's bars.
//!
//! Returns are intraday bar-to-bar log returns of the bar closes; overnight returns are left
//! out so that gaps do not masquerade as fat tails.

use serde::Serialize;

use crate::record::BarRow;

/// Lags (in bars) at which the autocorrelation of absolute returns is reported.
pub const ABS_LAGS: [usize; 6] = [1, 5, 10, 30, 60, 120];

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StylizedFacts {
    pub returns: usize,
    pub std_dev: f64,
    /// Excess kurtosis (0 for a normal distribution).
    pub excess_kurtosis: f64,
    /// Hill estimator of the tail index on the largest 5% of absolute returns.
    pub hill_tail_index: f64,
    /// Autocorrelation of returns at lags 1..=30.
    pub acf: Vec<f64>,
    /// Autocorrelation of absolute returns at [`ABS_LAGS`].
    pub abs_acf: Vec<f64>,
    /// The 95% band of an autocorrelation under independence, 2/√n.
    pub noise_band: f64,
    /// Heteroskedasticity-robust 95% bands of the return ACF at lags 1..=30,
    /// 2·√(Σ x_t² x_{t−l}²) / Σ x_t² (Taylor 1984): with volatility clustering the i.i.d.
    /// band 2/√n is too narrow and flags spurious autocorrelation.
    pub acf_band: Vec<f64>,
}

impl StylizedFacts {
    /// Largest |ACF| of returns at lags `from..=30`.
    pub fn max_abs_acf_from(&self, from: usize) -> f64 {
        self.acf[from - 1..].iter().fold(0.0, |m, x| m.max(x.abs()))
    }

    /// Lags in `from..=30` whose ACF lies outside its robust 95% band.
    pub fn significant_lags_from(&self, from: usize) -> Vec<usize> {
        (from..=30)
            .filter(|&l| self.acf[l - 1].abs() > self.acf_band[l - 1])
            .collect()
    }
}

/// Bar log returns within each day of one instrument, in time order.
pub fn intraday_returns(bars: &[BarRow], instrument: u16) -> Vec<Vec<f64>> {
    let mut days: Vec<Vec<f64>> = Vec::new();
    let mut last: Option<(u32, f64)> = None;
    for b in bars.iter().filter(|b| b.instrument == instrument) {
        match last {
            Some((d, p)) if d == b.day => days
                .last_mut()
                .expect("day started")
                .push((b.close / p).ln()),
            _ => days.push(Vec::new()),
        }
        last = Some((b.day, b.close));
    }
    days
}

/// Autocorrelation at `lag`, computed within days (pairs never straddle a night).
fn acf_within(days: &[Vec<f64>], lag: usize, mean: f64, var: f64) -> f64 {
    let mut num = 0.0;
    let mut n = 0usize;
    for d in days {
        for i in lag..d.len() {
            num += (d[i] - mean) * (d[i - lag] - mean);
            n += 1;
        }
    }
    if n == 0 || var == 0.0 {
        0.0
    } else {
        num / n as f64 / var
    }
}

fn robust_band(days: &[Vec<f64>], lag: usize, mean: f64) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for d in days {
        for i in 0..d.len() {
            let x = d[i] - mean;
            den += x * x;
            if i >= lag {
                let y = d[i - lag] - mean;
                num += x * x * y * y;
            }
        }
    }
    if den == 0.0 {
        0.0
    } else {
        2.0 * num.sqrt() / den
    }
}

pub fn stylized_facts(bars: &[BarRow], instrument: u16) -> StylizedFacts {
    let days = intraday_returns(bars, instrument);
    let all: Vec<f64> = days.iter().flatten().copied().collect();
    let n = all.len().max(1) as f64;
    let mean = all.iter().sum::<f64>() / n;
    let var = all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let m4 = all.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
    let excess_kurtosis = if var > 0.0 {
        m4 / (var * var) - 3.0
    } else {
        0.0
    };
    let acf = (1..=30).map(|l| acf_within(&days, l, mean, var)).collect();
    let abs_days: Vec<Vec<f64>> = days
        .iter()
        .map(|d| d.iter().map(|x| x.abs()).collect())
        .collect();
    let amean = all.iter().map(|x| x.abs()).sum::<f64>() / n;
    let avar = all.iter().map(|x| (x.abs() - amean).powi(2)).sum::<f64>() / n;
    let abs_acf = ABS_LAGS
        .iter()
        .map(|&l| acf_within(&abs_days, l, amean, avar))
        .collect();
    StylizedFacts {
        returns: all.len(),
        std_dev: var.sqrt(),
        excess_kurtosis,
        hill_tail_index: hill(&all, 0.05),
        acf,
        abs_acf,
        noise_band: 2.0 / n.sqrt(),
        acf_band: (1..=30).map(|l| robust_band(&days, l, mean)).collect(),
    }
}

/// Hill estimator of the tail index from the largest `share` of absolute values.
pub fn hill(x: &[f64], share: f64) -> f64 {
    let mut a: Vec<f64> = x.iter().map(|v| v.abs()).filter(|v| *v > 0.0).collect();
    a.sort_by(|p, q| q.total_cmp(p));
    let k = ((a.len() as f64 * share) as usize).min(a.len().saturating_sub(1));
    if k < 2 {
        return f64::NAN;
    }
    let xk = a[k];
    let s: f64 = a[..k].iter().map(|v| (v / xk).ln()).sum();
    k as f64 / s
}

/// Where in the day volume trades, relative to midday.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct VolumeProfile {
    /// Mean volume per bar over the whole session, by bar of the day.
    pub per_bar: Vec<f64>,
    /// Mean bar volume in the first 30 minutes over that of 12:00–14:00.
    pub first_half_hour_ratio: f64,
    /// Mean bar volume in the last 30 minutes (closing auction included) over midday.
    pub last_half_hour_ratio: f64,
}

/// Volume profile of one instrument; `bars_per_minute` converts minutes to bars.
pub fn volume_profile(bars: &[BarRow], instrument: u16, bars_per_minute: f64) -> VolumeProfile {
    let mut sum: Vec<f64> = Vec::new();
    let mut count: Vec<f64> = Vec::new();
    for b in bars.iter().filter(|b| b.instrument == instrument) {
        let k = b.bar as usize - 1;
        if sum.len() <= k {
            sum.resize(k + 1, 0.0);
            count.resize(k + 1, 0.0);
        }
        sum[k] += b.volume as f64;
        count[k] += 1.0;
    }
    let per_bar: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(s, c)| s / c.max(1.0))
        .collect();
    let n = per_bar.len();
    let half = ((30.0 * bars_per_minute).round() as usize).clamp(1, n.max(1));
    let mean = |r: std::ops::Range<usize>| {
        let r = r.start.min(n)..r.end.min(n);
        let len = r.len().max(1) as f64;
        per_bar[r].iter().sum::<f64>() / len
    };
    // Midday: from 2.5 to 4.5 hours into a 6.5-hour session, scaled to its length.
    let midday = mean(n * 5 / 13..n * 9 / 13).max(f64::MIN_POSITIVE);
    VolumeProfile {
        first_half_hour_ratio: mean(0..half) / midday,
        last_half_hour_ratio: mean(n.saturating_sub(half)..n) / midday,
        per_bar,
    }
}
