//! When agents act: Poisson arrivals whose rate follows a U-shape through the session, busy at
//! the open and the close and quiet at midday, the best-documented intraday regularity
//! (docs/model.md §8.3). Noise and value traders share it.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};

use crate::market::time::{Calendar, Nanos};

/// Width of the open and close activity bumps, as a fraction of the session.
const BUMP: f64 = 0.04;

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
        };
        a.peak = a.shape(0.0).max(a.shape(1.0));
        a
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
        let day_end = cal.day_start(cal.day_of(now)) + end;
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
            let rate = if cal.time_of_day(at) < cal.open {
                base * self.preopen
            } else {
                base * self.shape(cal.session_fraction(at))
            };
            if rng.random::<f64>() * max <= rate {
                return Some(at);
            }
        }
    }
}
