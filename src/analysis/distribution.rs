//! Distributions of a metric across seeds: quantiles, box-plot summaries and percentile fans
//! over a path. Sweep charts draw these numbers; `plot` never computes them.
//!
//! Quantiles interpolate linearly between order statistics (Hyndman and Fan's type 7, the
//! default of R and NumPy): the p-quantile of n sorted values sits at position p·(n − 1).
//! Non-finite values are left out everywhere, so a run without a number does not move a band.

/// The finite values of `values`, sorted ascending.
pub fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The `p`-quantile (0 ≤ p ≤ 1, clamped) of values already sorted ascending, interpolated
/// linearly (type 7); `NaN` for no values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let pos = p.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let w = pos - lo as f64;
            sorted[lo] + w * (sorted[hi] - sorted[lo])
        }
    }
}

/// Quantiles of the finite values at each of `probs`; `NaN`s when there are none.
pub fn quantiles(values: &[f64], probs: &[f64]) -> Vec<f64> {
    let s = sorted_finite(values);
    probs.iter().map(|&p| quantile_sorted(&s, p)).collect()
}

/// The median of the finite values (`NaN` for none).
pub fn median(values: &[f64]) -> f64 {
    quantile_sorted(&sorted_finite(values), 0.5)
}

/// The five numbers of a box plot. Whiskers reach the smallest and largest values (not
/// 1.5 IQR): with a handful of seeds per point every run matters, and the points are drawn
/// beside the box anyway.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FiveNumbers {
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

/// Min, quartiles and max of the finite values; `None` when there are none.
pub fn five_numbers(values: &[f64]) -> Option<FiveNumbers> {
    let s = sorted_finite(values);
    let (&min, &max) = (s.first()?, s.last()?);
    Some(FiveNumbers {
        min,
        q1: quantile_sorted(&s, 0.25),
        median: quantile_sorted(&s, 0.5),
        q3: quantile_sorted(&s, 0.75),
        max,
    })
}

/// Quantiles across paths at each step: `paths` are series of `(x, value)` (daily closes of
/// each seed by day); the result has one `(x, quantiles at probs)` per x any path has, in
/// ascending x, each from the paths that have a finite value at that x.
pub fn fan(paths: &[Vec<(f64, f64)>], probs: &[f64]) -> Vec<(f64, Vec<f64>)> {
    let mut at: Vec<(f64, f64)> = paths.iter().flatten().copied().collect();
    at.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out = Vec::new();
    let mut i = 0;
    while i < at.len() {
        let x = at[i].0;
        let mut j = i;
        while j < at.len() && at[j].0.total_cmp(&x).is_eq() {
            j += 1;
        }
        let values: Vec<f64> = at[i..j].iter().map(|p| p.1).collect();
        let s = sorted_finite(&values);
        if !s.is_empty() {
            out.push((x, probs.iter().map(|&p| quantile_sorted(&s, p)).collect()));
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_7_quantiles_match_numpy() {
        // numpy.quantile([1, 2, 3, 4], [0, .1, .25, .5, .75, .9, 1])
        let q = quantiles(
            &[4.0, 1.0, 3.0, 2.0],
            &[0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0],
        );
        let want = [1.0, 1.3, 1.75, 2.5, 3.25, 3.7, 4.0];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
        assert_eq!(median(&[5.0, f64::NAN, 1.0, 3.0]), 3.0);
        assert_eq!(median(&[7.0]), 7.0);
        assert!(median(&[]).is_nan());
        assert!(median(&[f64::NAN]).is_nan());
    }

    #[test]
    fn five_numbers_have_whiskers_at_the_extremes() {
        let f = five_numbers(&[0.1, 0.5, 0.2, 0.4, 0.3, f64::INFINITY]).unwrap();
        assert_eq!((f.min, f.max), (0.1, 0.5));
        assert!((f.q1 - 0.2).abs() < 1e-12 && (f.median - 0.3).abs() < 1e-12);
        assert!((f.q3 - 0.4).abs() < 1e-12);
        assert_eq!(five_numbers(&[f64::NAN]), None);
    }

    #[test]
    fn fan_aligns_paths_by_x_and_uses_the_paths_present() {
        let paths = vec![
            vec![(1.0, 10.0), (2.0, 20.0), (3.0, 30.0)],
            vec![(1.0, 12.0), (2.0, f64::NAN)],
            vec![(2.0, 22.0), (1.0, 14.0)],
        ];
        let f = fan(&paths, &[0.0, 0.5, 1.0]);
        assert_eq!(
            f,
            vec![
                (1.0, vec![10.0, 12.0, 14.0]),
                (2.0, vec![20.0, 21.0, 22.0]),
                (3.0, vec![30.0, 30.0, 30.0]),
            ]
        );
    }
}
