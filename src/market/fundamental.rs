//! The fundamental value of each instrument: a jump diffusion with overnight gaps, driven by a
//! common market factor so that instruments can be correlated.
//!
//! Fundamentals are latent: they are floating-point log values, never prices in the book.
//! They draw from their own ChaCha stream, so adding or removing agents never changes them.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

/// Parameters of one instrument's process, per trading day.
#[derive(Clone, Copy, Debug)]
pub struct FundamentalParams {
    /// Daily volatility of log value (σ_annual / √252).
    pub daily_vol: f64,
    pub factor_loading: f64,
    pub overnight_share: f64,
    pub jumps_per_day: f64,
    pub jump_mean: f64,
    pub jump_sd: f64,
    /// Stationary standard deviation of log volatility (0: constant volatility).
    pub vol_of_vol: f64,
    /// Mean-reversion time of log volatility, in trading days.
    pub vol_half_life_days: f64,
    /// Correlation of log-volatility shocks with return shocks (negative: the leverage effect).
    pub vol_leverage: f64,
    /// Degrees of freedom of intraday news bursts (0: none). Each burst of `burst_steps`
    /// session steps, counted from the open, scales its variance by (ν − 2)/χ²_ν, an
    /// inverse-gamma draw with mean 1: the move over a burst is Student-t with ν degrees of
    /// freedom, while a day, hundreds of bursts, stays near-Gaussian and keeps its variance.
    pub burst_nu: f64,
    pub burst_steps: u32,
}

pub struct Fundamentals {
    log_value: Vec<f64>,
    /// Log values the fundamental must reach at each day's last step, per instrument (empty:
    /// free). A given path turns each day into a Brownian bridge from the last close to the
    /// target: the intraday wiggles keep their volatility, the closes are the path's.
    targets: Vec<Vec<f64>>,
    /// The trading day in progress (0 until the first night) and the share of its variance
    /// time already elapsed (the night's share, on day 0, which has no night).
    day: usize,
    elapsed: Vec<f64>,
    /// Log volatility multiplier per instrument (an Ornstein–Uhlenbeck process around 0).
    log_vol: Vec<f64>,
    /// The current news burst's variance multiplier and the session steps it has left, and
    /// the χ²_ν its multipliers are drawn from (none: no bursts).
    burst: Vec<(f64, u32)>,
    burst_chi2: Vec<Option<ChiSquared<f64>>>,
    params: Vec<FundamentalParams>,
    rng: ChaCha8Rng,
}

impl Fundamentals {
    pub fn new(initial: &[f64], params: Vec<FundamentalParams>, rng: ChaCha8Rng) -> Self {
        let elapsed = params.iter().map(|p| p.overnight_share).collect();
        Fundamentals {
            log_value: initial.iter().map(|v| v.ln()).collect(),
            targets: vec![Vec::new(); initial.len()],
            day: 0,
            elapsed,
            log_vol: vec![0.0; initial.len()],
            burst: vec![(1.0, 0); initial.len()],
            burst_chi2: params
                .iter()
                .map(|p| (p.burst_nu > 2.0).then(|| ChiSquared::new(p.burst_nu).ok())?)
                .collect(),
            params,
            rng,
        }
    }

    /// Makes instrument `i` close day `d` at `closes[d]` (dollars), for the days the path
    /// covers; later days are free again. Jumps are off on those days (the path has its own).
    pub fn follow(&mut self, i: usize, closes: &[f64]) {
        self.targets[i] = closes.iter().map(|v| v.ln()).collect();
    }

    pub fn value(&self, i: usize) -> f64 {
        self.log_value[i].exp()
    }

    /// Advances by `frac` of a trading session (intraday share of the daily variance).
    pub fn step(&mut self, frac: f64) {
        self.advance(frac, false);
    }

    /// Applies the overnight gap, which starts a new trading day.
    pub fn overnight(&mut self) {
        self.day += 1;
        self.elapsed.iter_mut().for_each(|e| *e = 0.0);
        // Bursts are counted from the open: the night's gap is one move of its own.
        self.burst.iter_mut().for_each(|b| b.1 = 0);
        self.advance(1.0, true);
    }

    fn advance(&mut self, frac: f64, overnight: bool) {
        let zm: f64 = StandardNormal.sample(&mut self.rng);
        for i in 0..self.log_value.len() {
            let p = self.params[i];
            let zi: f64 = StandardNormal.sample(&mut self.rng);
            let share = if overnight {
                p.overnight_share
            } else {
                1.0 - p.overnight_share
            };
            // Information arrives in bursts: the variance multiplier exp(2h − 2ξ²) has mean 1,
            // so the long-run volatility stays `daily_vol` while its level clusters in time.
            let l = p.factor_loading;
            let z = l * zm + (1.0 - l * l).max(0.0).sqrt() * zi;
            let mut h = self.log_vol[i];
            if p.vol_of_vol > 0.0 && p.vol_half_life_days > 0.0 {
                // The volatility clock runs one trading day per trading day: the session's
                // steps carry its intraday share of the day, the night the rest (the same
                // split as the variance), so a half-life in trading days is one.
                let dt = share * frac;
                let theta = std::f64::consts::LN_2 / p.vol_half_life_days;
                let a = (-theta * dt).exp();
                let fresh: f64 = StandardNormal.sample(&mut self.rng);
                // With leverage the step's volatility shock leans on its return shock, so a
                // fall raises volatility from this step on (ρ = 0 leaves the draws as they were).
                let rho = p.vol_leverage;
                let zh = if rho == 0.0 {
                    fresh
                } else {
                    rho * z + (1.0 - rho * rho).max(0.0).sqrt() * fresh
                };
                h = a * h + p.vol_of_vol * (1.0 - a * a).sqrt() * zh;
                self.log_vol[i] = h;
            }
            let mut mult = (2.0 * h - 2.0 * p.vol_of_vol * p.vol_of_vol).exp();
            if let (false, Some(chi2)) = (overnight, &self.burst_chi2[i]) {
                let (burst, left) = &mut self.burst[i];
                if *left == 0 {
                    let c: f64 = chi2.sample(&mut self.rng);
                    *burst = (p.burst_nu - 2.0) / c.max(f64::MIN_POSITIVE);
                    *left = p.burst_steps.max(1);
                }
                *left -= 1;
                mult *= *burst;
            }
            let var = p.daily_vol * p.daily_vol * share * frac * mult;
            if let Some(&target) = self.targets[i].get(self.day) {
                // The bridge: of the time left to the close, this step takes the share
                // dt / left of the way to the target, with the noise a bridge keeps.
                let dt = share * frac;
                let left = (1.0 - self.elapsed[i]).max(0.0);
                self.elapsed[i] += dt;
                let x = self.log_value[i];
                self.log_value[i] = if left - dt <= 1e-9 {
                    target
                } else {
                    let sd = (var * (left - dt) / left).sqrt();
                    x + (target - x) * dt / left + sd * z
                };
                continue;
            }
            let mut dx = -0.5 * var + var.sqrt() * z;
            // Jumps arrive intraday only, as a Bernoulli approximation of the Poisson count
            // (steps are short).
            if !overnight && p.jumps_per_day > 0.0 {
                let prob = (p.jumps_per_day * frac).min(1.0);
                if self.rng.random_bool(prob) {
                    let j: f64 = StandardNormal.sample(&mut self.rng);
                    dx += p.jump_mean + p.jump_sd * j;
                }
            }
            self.log_value[i] += dx;
        }
    }

    /// A scheduled jump of log value.
    pub fn jump(&mut self, i: usize, log_jump: f64) {
        self.log_value[i] += log_jump;
    }
}

/// Synthetic daily closes (in dollars) of length `days`, ending exactly at each instrument's
/// `end`, drawn from the same process (one path per instrument, common factor shared) plus a
/// daily log drift.
pub fn synthetic_history(
    end: &[f64],
    params: &[FundamentalParams],
    days: usize,
    daily_drift: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<f64>> {
    let n = end.len();
    // Simulate backwards in log space: x_{t-1} = x_t − r_t.
    let mut paths = vec![Vec::with_capacity(days); n];
    let mut x: Vec<f64> = end.iter().map(|v| v.ln()).collect();
    for _ in 0..days {
        for (i, p) in paths.iter_mut().enumerate() {
            p.push(x[i].exp());
        }
        let zm: f64 = StandardNormal.sample(rng);
        for i in 0..n {
            let pr = params[i];
            let zi: f64 = StandardNormal.sample(rng);
            let l = pr.factor_loading;
            let z = l * zm + (1.0 - l * l).max(0.0).sqrt() * zi;
            x[i] -= pr.daily_vol * z + daily_drift;
        }
    }
    for p in &mut paths {
        p.reverse();
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// 1% a day, a 20% night, all on the market factor; no jumps, stochastic volatility or
    /// bursts unless a test turns them on.
    fn params() -> FundamentalParams {
        FundamentalParams {
            daily_vol: 0.01,
            factor_loading: 1.0,
            overnight_share: 0.2,
            jumps_per_day: 0.0,
            jump_mean: 0.0,
            jump_sd: 0.0,
            vol_of_vol: 0.0,
            vol_half_life_days: 5.0,
            vol_leverage: 0.0,
            burst_nu: 0.0,
            burst_steps: 1,
        }
    }

    /// A trading day — the session's steps and the night — carries the whole daily variance,
    /// and the volatility clock advances by one trading day: log volatility's one-day
    /// autocorrelation is 2^(−1/half-life). (The clock used to count a day for the session and
    /// another for the night, and the last step before the close was missing.)
    #[test]
    fn a_trading_day_carries_its_variance_and_one_day_of_volatility_clock() {
        let p = FundamentalParams {
            factor_loading: 0.0,
            vol_of_vol: 0.5,
            vol_half_life_days: 2.0,
            ..params()
        };
        let mut f = Fundamentals::new(&[100.0], vec![p], ChaCha8Rng::seed_from_u64(11));
        let steps = 78;
        let (mut hh, mut h0h0, mut r2) = (0.0, 0.0, 0.0);
        let days = 4000;
        for _ in 0..days {
            let h0 = f.log_vol[0];
            let x0 = f.log_value[0];
            for _ in 0..steps {
                f.step(1.0 / steps as f64);
            }
            f.overnight();
            let h1 = f.log_vol[0];
            hh += h0 * h1;
            h0h0 += h0 * h0;
            let r = f.log_value[0] - x0;
            r2 += r * r;
        }
        let rho = hh / h0h0;
        let want = 0.5f64.powf(1.0 / 2.0);
        assert!(
            (rho - want).abs() < 0.05,
            "one-day autocorrelation {rho}, want {want}"
        );
        let var = r2 / days as f64;
        assert!((var / 1e-4 - 1.0).abs() < 0.12, "daily variance {var}");
    }

    /// News bursts make the move over a burst Student-t (ν = 3: excess kurtosis far above a
    /// normal's 0, tail index near 3) and leave the daily variance and the day's near-Gaussian
    /// shape as they were; without bursts the same steps give a normal's tails. 1,000 days of
    /// 780 steps in bursts of 2, so a day has 390 bursts, as a session of one-minute bursts
    /// does. (A replica of the multipliers alone puts 95% of 2,263-day samples' added excess
    /// kurtosis under 2.2.)
    #[test]
    fn news_bursts_fatten_short_moves_and_keep_the_daily_variance() {
        let run = |nu: f64| {
            let p = FundamentalParams {
                burst_nu: nu,
                burst_steps: 2,
                ..params()
            };
            let mut f = Fundamentals::new(&[100.0], vec![p], ChaCha8Rng::seed_from_u64(7));
            let (mut bursts, mut days) = (Vec::new(), Vec::new());
            for _ in 0..1000 {
                let x0 = f.log_value[0];
                for _ in 0..390 {
                    let b0 = f.log_value[0];
                    for _ in 0..2 {
                        f.step(1.0 / 780.0);
                    }
                    bursts.push(f.log_value[0] - b0);
                }
                f.overnight();
                days.push(f.log_value[0] - x0);
            }
            (bursts, days)
        };
        // The statistics the project reports for returns (`flowsim facts`, `flowsim report`).
        let kurtosis = crate::analysis::daily_facts::excess_kurtosis;
        let hill = |r: &[f64]| crate::analysis::stylized::hill(r, 0.05);
        let (bursts, days) = run(3.0);
        let (plain, plain_days) = run(0.0);
        let (kb, hb, kp, hp) = (
            kurtosis(&bursts),
            hill(&bursts),
            kurtosis(&plain),
            hill(&plain),
        );
        assert!(
            kb > 5.0 && (2.0..4.0).contains(&hb),
            "bursts: kurtosis {kb}, tail {hb}"
        );
        assert!(
            kp.abs() < 0.2 && hp > 5.0,
            "plain: kurtosis {kp}, tail {hp}"
        );
        let var = |r: &[f64]| r.iter().map(|x| x * x).sum::<f64>() / r.len() as f64;
        for (what, r) in [("bursts", &days), ("plain", &plain_days)] {
            let v = var(r);
            assert!((v / 1e-4 - 1.0).abs() < 0.15, "{what}: daily variance {v}");
        }
        assert!(kurtosis(&days) < 3.0, "daily kurtosis {}", kurtosis(&days));
    }

    /// Bursts are counted from the open: a session of 6 steps holds one burst of 4 steps and
    /// two steps of the next, and the next day starts a fresh burst rather than finishing it.
    #[test]
    fn news_bursts_start_at_each_open() {
        let p = FundamentalParams {
            burst_nu: 3.0,
            burst_steps: 4,
            ..params()
        };
        let mut f = Fundamentals::new(&[100.0], vec![p], ChaCha8Rng::seed_from_u64(1));
        let mut last = None;
        for day in 0..3 {
            if day > 0 {
                f.overnight();
            }
            let mut mults = Vec::new();
            for k in 0..6 {
                f.step(1.0 / 6.0);
                assert_eq!(f.burst[0].1, [3, 2, 1, 0, 3, 2][k], "day {day}, step {k}");
                mults.push(f.burst[0].0);
            }
            assert!(mults[..4].iter().all(|&m| m == mults[0]), "{mults:?}");
            assert!(mults[4] == mults[5] && mults[4] != mults[3], "{mults:?}");
            assert!(
                last != Some(mults[0]),
                "day {day} continued yesterday's burst"
            );
            last = Some(mults[5]);
        }
    }

    /// Daily returns and the mean absolute return over the next ten days correlate negatively
    /// with leverage (ρ = −0.8) and not without it; 4,000 days of 78 steps each.
    #[test]
    fn leverage_makes_falls_raise_later_volatility() {
        let corr_for = |rho: f64| {
            let p = FundamentalParams {
                vol_of_vol: 0.55,
                vol_half_life_days: 20.0,
                vol_leverage: rho,
                ..params()
            };
            let mut f = Fundamentals::new(&[100.0], vec![p], ChaCha8Rng::seed_from_u64(5));
            let r: Vec<f64> = (0..4000)
                .map(|_| {
                    let x0 = f.log_value[0];
                    for _ in 0..78 {
                        f.step(1.0 / 78.0);
                    }
                    f.overnight();
                    f.log_value[0] - x0
                })
                .collect();
            let n = r.len() - 10;
            let x = &r[..n];
            let y: Vec<f64> = (0..n)
                .map(|t| r[t + 1..=t + 10].iter().map(|v| v.abs()).sum::<f64>() / 10.0)
                .collect();
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let (mx, my) = (mean(x), mean(&y));
            let cov: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
            let sx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum::<f64>().sqrt();
            let sy: f64 = y.iter().map(|b| (b - my).powi(2)).sum::<f64>().sqrt();
            cov / (sx * sy)
        };
        let with = corr_for(-0.8);
        let without = corr_for(0.0);
        assert!(with < -0.08, "with leverage {with}");
        assert!(without.abs() < 0.06, "without leverage {without}");
    }

    /// A given path is met exactly at each day's last step, the day still moves inside (a
    /// bridge, not a straight line: intraday variance about what a free day has), and the days
    /// past the path are free again.
    #[test]
    fn a_followed_path_is_met_at_each_close_with_intraday_noise() {
        let p = FundamentalParams {
            jumps_per_day: 5.0,
            jump_mean: -0.01,
            jump_sd: 0.02,
            ..params()
        };
        let path: Vec<f64> = (0..300)
            .map(|d| 100.0 * (1.0 + 0.3 * ((d as f64) / 40.0).sin()))
            .collect();
        let mut f = Fundamentals::new(&[100.0], vec![p], ChaCha8Rng::seed_from_u64(3));
        f.follow(0, &path);
        let steps = 78;
        let mut mid_dev = 0.0;
        for (d, &want) in path.iter().enumerate() {
            if d > 0 {
                f.overnight();
            }
            let start = if d == 0 { 100f64 } else { path[d - 1] }.ln();
            for k in 0..steps {
                f.step(1.0 / steps as f64);
                if k == steps / 2 - 1 {
                    // Halfway through the session the straight line sits at (start + target)/2
                    // less the night's share; the bridge's spread there is about
                    // σ²·(0.4)(0.6)/1 of a day for a 0.2 night.
                    let frac = 0.2 + 0.8 * 0.5;
                    let line = start + (want.ln() - start) * frac;
                    mid_dev += (f.log_value[0] - line).powi(2);
                }
            }
            assert!(
                (f.value(0) / want - 1.0).abs() < 1e-12,
                "day {d}: {} against {want}",
                f.value(0)
            );
        }
        let var = mid_dev / path.len() as f64;
        let want = 1e-4 * 0.6 * 0.4;
        assert!(
            (var / want - 1.0).abs() < 0.25,
            "mid-session variance {var}, want {want}"
        );
        // Past the path the process is free: its closes move off the last target.
        let last = f.value(0);
        f.overnight();
        for _ in 0..steps {
            f.step(1.0 / steps as f64);
        }
        assert!((f.value(0) / last - 1.0).abs() > 1e-9);
    }
}
