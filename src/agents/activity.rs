//! When agents act: Poisson arrivals whose rate follows a U-shape through the session, busy at
//! the open and the close and quiet at midday, the best-documented intraday regularity
//! (docs/model.md §8.3). Noise and value traders share it.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};

use crate::market::time::{Calendar, Nanos};

/// Width of the open and close activity bumps, as a fraction of the session.
const BUMP: f64 = 0.04;

/// Bands of distance from the nearer end of the session, over [0, 0.5], in which the shape has a
/// precomputed upper bound (see `IntradayActivity::upper`).
const BANDS: usize = 16;

/// Relative margin on the precomputed upper bounds: far above the few ulps by which the shape's
/// own rounding can exceed the exact value, far below anything that would let a rejection
/// skip a candidate the exact rate accepts.
const MARGIN: f64 = 1e-9;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IntradayActivity {
    /// Rate at the open and the close relative to midday (1 = flat).
    u_shape: f64,
    /// Rate during the pre-open relative to the session average (0 = inactive).
    preopen: f64,
    /// The shape's normalising mean and its peak (the larger of the open's and the close's
    /// intensity), computed once: they depend only on `u_shape`.
    mean: f64,
    peak: f64,
    /// 1/mean, the shape's floor for a U-shape (see `accepts`).
    floor: f64,
    /// `upper[j]` bounds `shape(x)` from above wherever x is at least j/(2·BANDS) from both ends
    /// of the session (for a U-shape, `u_shape` ≥ 1): thinning rejects most candidates against
    /// it, and accepts most of the rest against the shape's floor 1/mean, without the two
    /// exponentials of the exact shape. Decisions are the exact ones (`accepts`).
    upper: [f64; BANDS + 1],
}

/// The band of `tod` (at or after the open): ⌊2·BANDS·d⌋ for its distance d from the nearer end
/// of the session as a fraction of it, in integers, so never above the exact band; the bounds'
/// margin covers the rounding of the fraction the shape is computed from.
#[inline]
fn band(tod: Nanos, cal: &Calendar) -> usize {
    let d = (tod - cal.open).min(cal.close.saturating_sub(tod));
    ((d * (2 * BANDS) as Nanos / cal.session().max(1)) as usize).min(BANDS)
}

impl IntradayActivity {
    pub fn new(u_shape: f64, preopen: f64) -> Self {
        let u = u_shape - 1.0;
        let mean = 1.0 + u * 2.0 * BUMP * (1.0 - (-1.0 / BUMP).exp());
        let mut a = IntradayActivity {
            u_shape,
            preopen,
            mean,
            peak: 0.0,
            floor: 1.0 / mean,
            upper: [f64::INFINITY; BANDS + 1],
        };
        a.peak = a.shape(0.0).max(a.shape(1.0));
        if u >= 0.0 {
            // The bumps' sum e^(−x/B) + e^(−(1−x)/B) is largest at the band's ends.
            for (j, up) in a.upper.iter_mut().enumerate() {
                let d = j as f64 / (2 * BANDS) as f64;
                let raw = 1.0 + u * ((-d / BUMP).exp() + (-(1.0 - d) / BUMP).exp());
                *up = raw / mean * (1.0 + MARGIN);
            }
        }
        a
    }

    /// Whether a thinning candidate at time of day `tod` (in the session) with uniform draw
    /// `draw` (already scaled by the peak rate) is accepted, exactly as
    /// `draw <= base * shape(session fraction)` decides, but computing the fraction and the
    /// shape only when the draw falls between the shape's bounds.
    #[inline]
    fn accepts(&self, draw: f64, base: f64, tod: Nanos, cal: &Calendar) -> bool {
        if self.u_shape >= 1.0 {
            // The shape's numerator is 1 plus non-negative terms, so after rounding it is at
            // least 1, and the rate at least base·(1/mean): rounding is monotone.
            if draw <= base * self.floor {
                return true;
            }
            if draw > base * self.upper[band(tod, cal)] {
                return false;
            }
        }
        draw <= base * self.shape(cal.session_fraction_at(tod))
    }

    /// Intensity at session fraction `x`, normalised to mean 1 over the session.
    pub fn shape(&self, x: f64) -> f64 {
        let u = self.u_shape - 1.0;
        let raw = 1.0 + u * ((-x / BUMP).exp() + (-(1.0 - x) / BUMP).exp());
        raw / self.mean
    }

    /// The next arrival after `now` of a process with `per_day` events per session on average,
    /// before `end` (a time of day); thinning of a Poisson process at the peak rate.
    pub fn next_arrival(
        &self,
        now: Nanos,
        per_day: f64,
        end: Nanos,
        cal: &Calendar,
        rng: &mut ChaCha8Rng,
    ) -> Option<Nanos> {
        let day_start = cal.day_start(cal.day_of(now));
        let day_end = day_start + end;
        let base = per_day / cal.session() as f64;
        let max = base * self.peak.max(self.preopen);
        let exp = Exp::new(max).ok()?;
        let mut t = now as f64;
        loop {
            t += exp.sample(rng).max(1.0);
            if t >= day_end as f64 {
                return None;
            }
            let at = t as Nanos;
            // `at` is before `day_end`, on the day of `now`: its time of day without a division.
            let tod = at - day_start;
            let draw = rng.random::<f64>() * max;
            let accepted = if tod < cal.open {
                draw <= base * self.preopen
            } else {
                self.accepts(draw, base, tod, cal)
            };
            if accepted {
                return Some(at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Thinning as it was written before the bounds: the shape computed for every candidate.
    fn next_arrival_exact(
        a: &IntradayActivity,
        now: Nanos,
        per_day: f64,
        end: Nanos,
        cal: &Calendar,
        rng: &mut ChaCha8Rng,
    ) -> Option<Nanos> {
        let day_end = cal.day_start(cal.day_of(now)) + end;
        let base = per_day / cal.session() as f64;
        let max = base * a.peak.max(a.preopen);
        let exp = Exp::new(max).ok()?;
        let mut t = now as f64;
        loop {
            t += exp.sample(rng).max(1.0);
            if t >= day_end as f64 {
                return None;
            }
            let at = t as Nanos;
            let rate = if cal.time_of_day(at) < cal.open {
                base * a.preopen
            } else {
                base * a.shape(cal.session_fraction(at))
            };
            if rng.random::<f64>() * max <= rate {
                return Some(at);
            }
        }
    }

    /// The bounded decision is the exact one: the same arrivals from the same streams, over
    /// whole days, for flat, U-shaped and inverted shapes, with and without a pre-open.
    #[test]
    fn bounded_thinning_gives_the_exact_arrivals() {
        let cal = crate::agents::testkit::calendar();
        for (u_shape, preopen) in [(1.0, 0.0), (3.0, 0.0), (10.0, 0.5), (40.0, 0.5), (0.5, 0.2)] {
            let a = IntradayActivity::new(u_shape, preopen);
            for seed in 0..4 {
                let mut fast = ChaCha8Rng::seed_from_u64(seed);
                let mut exact = fast.clone();
                let (mut t1, mut t2) = (cal.day_start(0), cal.day_start(0));
                let mut n = 0;
                loop {
                    let x = a.next_arrival(t1, 5_000.0, cal.close, &cal, &mut fast);
                    let y = next_arrival_exact(&a, t2, 5_000.0, cal.close, &cal, &mut exact);
                    assert_eq!(x, y, "u_shape {u_shape}, seed {seed}, arrival {n}");
                    match x {
                        Some(t) => (t1, t2) = (t, t),
                        None => break,
                    }
                    n += 1;
                }
                assert!(n > 1_000, "{n} arrivals");
            }
        }
    }

    /// The precomputed bounds hold the shape between them everywhere in the session.
    #[test]
    fn the_bounds_hold_the_shape() {
        let cal = crate::agents::testkit::calendar();
        for u_shape in [1.0, 3.0, 10.0, 40.0] {
            let a = IntradayActivity::new(u_shape, 0.0);
            for k in 0..=100_000 {
                let tod = cal.open + cal.session() * k / 100_000;
                let s = a.shape(cal.session_fraction_at(tod));
                assert!(
                    s >= a.floor && s <= a.upper[band(tod, &cal)],
                    "u {u_shape}, tod {tod}"
                );
            }
        }
    }
}
