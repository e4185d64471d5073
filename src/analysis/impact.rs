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
}
