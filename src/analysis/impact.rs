//! Metaorder impact: the fit I = Y·σ_d·(Q/V)^δ across programme sizes, and how much of the
//! peak is left at the next close (relaxation), with intervals from resampling seeds.
//!
//! The square-root law (δ ≈ 1/2, Y of order 1) and a decay of impact after the metaorder to
//! about two-thirds of its peak are the empirical targets (Tóth et al. 2011; Bucci et al. 2019
//! for the decay); a linear, permanent impact gives δ = 1 and a relaxation of 1.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::distribution::quantiles;
use super::momentum::ols;

/// One programme against its counterfactual on one seed. Impacts are log-price moves in the
/// programme's direction (positive: the price moved the way it traded).
#[derive(Clone, Debug, PartialEq)]
pub struct ImpactPoint {
    pub size_usd: f64,
    pub seed: u64,
    pub executed_usd: f64,
    /// The part of `executed_usd` traded by the end of the window; the rest went to that day's
    /// closing auction, so the peak does not show it.
    pub in_window_usd: f64,
    /// Executed dollars over the counterfactual's average daily dollar volume.
    pub q_over_v: f64,
    /// At the end of the programme's window.
    pub peak: f64,
    /// At the close of the programme's day.
    pub close: f64,
    /// At the next day's close.
    pub next_close: f64,
}

/// The fit with 95% intervals (percentiles of the seed bootstrap).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImpactFit {
    pub delta: f64,
    pub delta_ci: (f64, f64),
    pub y: f64,
    pub y_ci: (f64, f64),
    /// Σ next-close impact / Σ peak impact.
    pub relaxation: f64,
    pub relaxation_ci: (f64, f64),
    /// Seeds and sizes the fit used.
    pub seeds: usize,
    pub sizes: usize,
}

/// One programme size's means over its seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct SizeMeans {
    pub size_usd: f64,
    pub executed_usd: f64,
    pub in_window_usd: f64,
    pub q_over_v: f64,
    pub peak: f64,
    pub close: f64,
    pub next_close: f64,
    pub seeds: usize,
}

/// Per size, ascending, the means over its seeds.
pub fn by_size(points: &[ImpactPoint]) -> Vec<SizeMeans> {
    let mut sizes: Vec<f64> = points.iter().map(|p| p.size_usd).collect();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    sizes
        .into_iter()
        .map(|s| {
            let ps: Vec<&ImpactPoint> = points.iter().filter(|p| p.size_usd == s).collect();
            let n = ps.len().max(1) as f64;
            let mean = |f: fn(&ImpactPoint) -> f64| ps.iter().map(|p| f(p)).sum::<f64>() / n;
            SizeMeans {
                size_usd: s,
                executed_usd: mean(|p| p.executed_usd),
                in_window_usd: mean(|p| p.in_window_usd),
                q_over_v: mean(|p| p.q_over_v),
                peak: mean(|p| p.peak),
                close: mean(|p| p.close),
                next_close: mean(|p| p.next_close),
                seeds: ps.len(),
            }
        })
        .collect()
}

/// δ, Y and relaxation of the seeds' mean impacts; `None` when a size's mean peak is not
/// positive (no impact to take the log of) or fewer than two sizes remain.
fn point_fit(points: &[ImpactPoint], sigma_d: f64) -> Option<(f64, f64, f64)> {
    let rows = by_size(points);
    if rows.len() < 2 || rows.iter().any(|r| !(r.q_over_v > 0.0 && r.peak > 0.0)) {
        return None;
    }
    let x: Vec<f64> = rows.iter().map(|r| r.q_over_v.ln()).collect();
    let y: Vec<f64> = rows.iter().map(|r| r.peak.ln()).collect();
    let (slope, intercept) = if rows.len() == 2 {
        let s = (y[1] - y[0]) / (x[1] - x[0]);
        (s, y[0] - s * x[0])
    } else {
        let f = ols(&x, &y);
        (f.slope, f.intercept)
    };
    let peak: f64 = points.iter().map(|p| p.peak).sum();
    let next: f64 = points.iter().map(|p| p.next_close).sum();
    Some((slope, intercept.exp() / sigma_d, next / peak))
}

/// Fits the points; intervals resample whole seeds (all sizes of a seed together, since they
/// share its market) 1,000 times with a fixed stream, so the output is reproducible.
pub fn fit(points: &[ImpactPoint], sigma_d: f64) -> Option<ImpactFit> {
    let (delta, y, relaxation) = point_fit(points, sigma_d)?;
    let mut seeds: Vec<u64> = points.iter().map(|p| p.seed).collect();
    seeds.sort_unstable();
    seeds.dedup();
    let mut rng = ChaCha8Rng::seed_from_u64(0x1a9ac7);
    let (mut ds, mut ys, mut rs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..1000 {
        let mut sample = Vec::with_capacity(points.len());
        for _ in 0..seeds.len() {
            let s = seeds[rng.random_range(0..seeds.len())];
            sample.extend(points.iter().filter(|p| p.seed == s).cloned());
        }
        if let Some((d, yy, r)) = point_fit(&sample, sigma_d) {
            ds.push(d);
            ys.push(yy);
            rs.push(r);
        }
    }
    let ci = |v: &[f64]| {
        let q = quantiles(v, &[0.025, 0.975]);
        (q[0], q[1])
    };
    Some(ImpactFit {
        delta,
        delta_ci: ci(&ds),
        y,
        y_ci: ci(&ys),
        relaxation,
        relaxation_ci: ci(&rs),
        seeds: seeds.len(),
        sizes: by_size(points).len(),
    })
}

/// Where one bar of the impact path sits: its day, its 1-based number in that day, and the
/// trading hours from the programme's start to the bar's end (the night counts as no time).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathBar {
    pub day: u32,
    pub bar: u32,
    pub hours: f64,
}

/// One size's impact bar by bar, from the programme's start to the next day's close: the mean
/// over seeds and its standard error, one value per bar of the measurement's `PathBar`s (the
/// same for every size, so held once beside the paths).
#[derive(Clone, Debug, PartialEq)]
pub struct ImpactPath {
    pub size_usd: f64,
    pub seeds: usize,
    /// The mean at the window's last bar (the mean peak), which the shares divide by.
    pub peak: f64,
    pub mean: Vec<f64>,
    /// Sample standard deviation over √seeds; NaN with one seed.
    pub se: Vec<f64>,
}

/// Averages the seeds' impact paths of one size; `runs[s][i]` is seed s at bar i, all runs
/// the same length, and bar `end` is the window's last.
pub fn mean_path(size_usd: f64, end: usize, runs: &[Vec<f64>]) -> ImpactPath {
    let n = runs.len();
    let len = runs.first().map_or(0, Vec::len);
    let (mut mean, mut se) = (Vec::with_capacity(len), Vec::with_capacity(len));
    for i in 0..len {
        let m = runs.iter().map(|r| r[i]).sum::<f64>() / n.max(1) as f64;
        let e = if n > 1 {
            let var = runs.iter().map(|r| (r[i] - m).powi(2)).sum::<f64>() / (n - 1) as f64;
            (var / n as f64).sqrt()
        } else {
            f64::NAN
        };
        mean.push(m);
        se.push(e);
    }
    ImpactPath {
        size_usd,
        seeds: n,
        peak: mean.get(end).copied().unwrap_or(f64::NAN),
        mean,
        se,
    }
}

impl ImpactPath {
    /// Whether the mean peak is positive: a small programme's seeds' noise can outweigh its
    /// impact, and a share of nothing is no decay.
    pub fn has_peak(&self) -> bool {
        self.peak > 0.0
    }

    /// The mean at bar `i` over the mean peak; NaN without a positive peak.
    pub fn share(&self, i: usize) -> f64 {
        if self.has_peak() {
            self.mean[i] / self.peak
        } else {
            f64::NAN
        }
    }
}

/// Means of `values` over buckets of `width` trading hours from the programme's start, as
/// (bucket centre, mean), leaving out the bars at or before the start. A single size's path is
/// noisy bar by bar at small sizes; bucket means show its decay.
pub fn bucket_means(bars: &[PathBar], values: &[f64], width: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    let (mut key, mut sum, mut n) = (i64::MIN, 0.0, 0usize);
    for (b, &v) in bars.iter().zip(values) {
        if b.hours <= 0.0 {
            continue;
        }
        // A bar ending exactly on a boundary belongs to the bucket it closes.
        let k = (b.hours / width - 1e-9).floor() as i64;
        if k != key && n > 0 {
            out.push(((key as f64 + 0.5) * width, sum / n as f64));
            (sum, n) = (0.0, 0);
        }
        key = k;
        sum += v;
        n += 1;
    }
    if n > 0 {
        out.push(((key as f64 + 0.5) * width, sum / n as f64));
    }
    out
}

/// The share of the peak left at `z` programme durations after its start, for a programme at
/// a constant rate into a latent book that carries no information and never forgets (the
/// locally linear order book), when the programme is slower than the book's own flow into the
/// price: √z while it trades, √z − √(z − 1) after. It has no parameter. A faster programme
/// digs a hole wider than the book diffuses over its duration, so the same book keeps more
/// of it (`scripts/llob-decay.py` solves the book for any speed): the curve is the least an
/// uninformed latent book keeps, not what it must keep.
pub fn latent_book_decay(z: f64) -> f64 {
    if z <= 0.0 {
        0.0
    } else if z <= 1.0 {
        z.sqrt()
    } else {
        z.sqrt() - (z - 1.0).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(law: impl Fn(f64) -> f64, relax: f64) -> Vec<ImpactPoint> {
        let mut out = Vec::new();
        for seed in 1..=5u64 {
            for q in [0.001, 0.003, 0.01, 0.03, 0.1] {
                let noise = 1.0 + 0.02 * ((seed as f64) - 3.0);
                let peak = law(q) * noise;
                out.push(ImpactPoint {
                    size_usd: q * 1e12,
                    seed,
                    executed_usd: q * 1e12,
                    in_window_usd: q * 1e12,
                    q_over_v: q,
                    peak,
                    close: peak,
                    next_close: relax * peak,
                });
            }
        }
        out
    }

    /// A square-root law with Y = 0.7 at σ_d = 1% comes back as δ = 1/2, Y = 0.7; a linear
    /// permanent one as δ = 1 and a relaxation of 1.
    #[test]
    fn the_fit_recovers_the_law_it_was_given() {
        let f = fit(&points(|q| 0.7 * 0.01 * q.sqrt(), 0.66), 0.01).unwrap();
        assert!((f.delta - 0.5).abs() < 1e-9, "{f:?}");
        assert!((f.y - 0.7).abs() < 0.01, "{f:?}");
        assert!((f.relaxation - 0.66).abs() < 1e-9);
        assert!(f.delta_ci.0 <= 0.5 && 0.5 <= f.delta_ci.1 + 1e-9);
        let lin = fit(&points(|q| 0.05 * q, 1.0), 0.01).unwrap();
        assert!((lin.delta - 1.0).abs() < 1e-9 && (lin.relaxation - 1.0).abs() < 1e-9);
        // No impact at some size: no log-log fit.
        assert!(fit(&points(|_| 0.0, 1.0), 0.01).is_none());
    }

    /// The path's mean and standard error are the seeds' plain mean and s.d./√n.
    #[test]
    fn the_path_averages_seeds_bar_by_bar() {
        let p = mean_path(1e9, 1, &[vec![0.0, 1.0, 2.0], vec![0.0, 3.0, 2.0]]);
        assert_eq!(p.mean, vec![0.0, 2.0, 2.0]);
        assert_eq!(p.peak, 2.0);
        assert_eq!(p.share(1), 1.0);
        assert_eq!(p.se[0], 0.0);
        assert!((p.se[1] - 1.0).abs() < 1e-12, "{:?}", p.se);
        let one = mean_path(1e9, 2, &[vec![1.0, 1.0, -1.0]]);
        assert!(one.se[0].is_nan());
        // A peak at or below zero has no share to give.
        assert!(!one.has_peak() && one.share(0).is_nan());
    }

    /// √z up to the programme's end, then √z − √(z − 1): 1 at the end, 0.414 one duration
    /// later, 0.144 eleven and a half durations after it ends.
    #[test]
    fn the_latent_book_decay_is_the_square_root_difference() {
        assert_eq!(latent_book_decay(0.25), 0.5);
        assert_eq!(latent_book_decay(1.0), 1.0);
        assert!((latent_book_decay(2.0) - 0.41421).abs() < 1e-5);
        assert!((latent_book_decay(12.5) - 0.14437).abs() < 1e-5);
        assert_eq!(latent_book_decay(-1.0), 0.0);
    }

    /// Bars are grouped by the bucket they end in; the bar at the start is left out.
    #[test]
    fn bucket_means_group_bars_by_the_bucket_they_close() {
        let bars: Vec<PathBar> = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
            .iter()
            .map(|&h| PathBar {
                day: 1,
                bar: 1,
                hours: h,
            })
            .collect();
        let b = bucket_means(&bars, &[9.0, 1.0, 3.0, 5.0, 7.0, 4.0], 1.0);
        assert_eq!(b, vec![(0.5, 2.0), (1.5, 6.0), (2.5, 4.0)]);
    }
}
