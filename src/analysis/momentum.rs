//! Intraday momentum (docs/model.md §8.4, Gao et al. 2018, Baltussen et al. 2021): does the
//! return of the rest of the day predict the last half hour's? Dealers short gamma and LETFs
//! hedge with the move late in the day, which makes the slope positive; long gamma makes it
//! negative or zero.

use crate::record::BarRow;

/// Ordinary least squares of y on x with an intercept.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Ols {
    pub n: usize,
    pub slope: f64,
    pub intercept: f64,
    pub r2: f64,
    /// Standard error of the slope (homoskedastic) and its t statistic.
    pub slope_se: f64,
    pub t: f64,
}

pub fn ols(x: &[f64], y: &[f64]) -> Ols {
    let n = x.len().min(y.len());
    if n < 3 {
        return Ols {
            n,
            ..Ols::default()
        };
    }
    let nf = n as f64;
    let mx = x[..n].iter().sum::<f64>() / nf;
    let my = y[..n].iter().sum::<f64>() / nf;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx <= 0.0 {
        return Ols {
            n,
            intercept: my,
            ..Ols::default()
        };
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse = (syy - slope * sxy).max(0.0);
    let r2 = if syy > 0.0 { 1.0 - sse / syy } else { 0.0 };
    let slope_se = (sse / (nf - 2.0) / sxx).sqrt();
    Ols {
        n,
        slope,
        intercept,
        r2,
        slope_se,
        t: if slope_se > 0.0 {
            slope / slope_se
        } else {
            0.0
        },
    }
}

/// Per day: the rest-of-day return (previous close to the start of the last window) and the
/// last window's return, both log.
#[derive(Clone, Debug, Default)]
pub struct IntradayMomentum {
    pub days: Vec<u32>,
    pub rest_of_day: Vec<f64>,
    pub last_window: Vec<f64>,
    pub fit: Ols,
}

/// The last window of the momentum regression: the last half hour, in seconds.
pub const LAST_WINDOW_SECONDS: u32 = 1800;

/// Bars of `bar_seconds` in the last window (the last half hour), at least one: 30 of one
/// minute, 6 of five minutes.
pub fn window_bars(bar_seconds: u32) -> u32 {
    (LAST_WINDOW_SECONDS / bar_seconds.max(1)).max(1)
}

/// The regression r_last = a + b·r_rest over days, with the last window the final
/// `window_bars` bars of each day (see [`window_bars`]: 30 one-minute bars for the last half
/// hour). The first day
/// has no previous close in the bars and is measured from its first bar's open.
pub fn intraday_momentum(bars: &[BarRow], instrument: u16, window_bars: u32) -> IntradayMomentum {
    let mut m = IntradayMomentum::default();
    let mut prev_close: Option<f64> = None;
    let mut day_bars: Vec<&BarRow> = Vec::new();
    let mut flush = |day_bars: &mut Vec<&BarRow>, prev_close: &mut Option<f64>| {
        if day_bars.len() as u32 > window_bars {
            let close = day_bars[day_bars.len() - 1].close;
            let split = day_bars[day_bars.len() - 1 - window_bars as usize].close;
            let start = prev_close.unwrap_or(day_bars[0].open);
            if start > 0.0 && split > 0.0 && close > 0.0 {
                m.days.push(day_bars[0].day);
                m.rest_of_day.push((split / start).ln());
                m.last_window.push((close / split).ln());
            }
            *prev_close = Some(close);
        }
        day_bars.clear();
    };
    for b in bars.iter().filter(|b| b.instrument == instrument) {
        if day_bars.last().is_some_and(|l| l.day != b.day) {
            flush(&mut day_bars, &mut prev_close);
        }
        day_bars.push(b);
    }
    flush(&mut day_bars, &mut prev_close);
    m.fit = ols(&m.rest_of_day, &m.last_window);
    m
}

impl IntradayMomentum {
    /// The regression over the days of several runs together (the seeds of one sweep point):
    /// each run's days are independent observations of the same regime, so pooling them gives
    /// the slope's standard error over all of them, as Baltussen et al. pool years of days.
    pub fn pooled<'a>(runs: impl IntoIterator<Item = &'a IntradayMomentum>) -> Ols {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for m in runs {
            x.extend_from_slice(&m.rest_of_day);
            y.extend_from_slice(&m.last_window);
        }
        ols(&x, &y)
    }
}

/// Realised intraday volatility of `instrument`, annualised over 252 days: the square root of
/// 252 times the mean over days of the day's sum of squared log returns from bar to bar (the
/// first bar from its open), so overnight gaps are left out. Zero without bars.
pub fn intraday_volatility(bars: &[BarRow], instrument: u16) -> f64 {
    let (mut sum, mut days) = (0.0, 0u32);
    let mut last: Option<(u32, f64)> = None;
    for b in bars.iter().filter(|b| b.instrument == instrument) {
        let from = match last {
            Some((day, close)) if day == b.day => close,
            _ => {
                days += 1;
                b.open
            }
        };
        if from > 0.0 && b.close > 0.0 {
            sum += (b.close / from).ln().powi(2);
        }
        last = Some((b.day, b.close));
    }
    if days == 0 {
        return 0.0;
    }
    (252.0 * sum / f64::from(days)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two days of four bars whose closes alternate ±1% in log terms: each day's sum of
    /// squares is 4·0.01², so the annualised volatility is √(252·4)·1% = 31.75%. The overnight
    /// gap (day 2 opens 10% higher) is not counted.
    #[test]
    fn intraday_volatility_by_hand() {
        let u = 0.01f64.exp();
        let mut bars = Vec::new();
        for (day, base) in [(1, 100.0), (2, 110.0)] {
            let mut prev = base;
            for k in 1..=4 {
                let close = if k % 2 == 1 { base * u } else { base };
                bars.push(BarRow::test(day, k, prev, close));
                prev = close;
            }
        }
        let v = intraday_volatility(&bars, 0);
        assert!((v - (252.0f64 * 4.0).sqrt() * 0.01).abs() < 1e-12, "{v}");
        assert_eq!(intraday_volatility(&bars, 1), 0.0);
    }

    /// The last window's return is half the rest of the day's on every day but one of each
    /// run: the regression finds slope 1/2, and pooling two runs adds their days.
    #[test]
    fn momentum_regression_and_pooling() {
        // Days of 40 one-minute bars: the first 10 carry the rest-of-day move r, the last 30
        // (the window) carry r/2 (plus a perturbation on day 3, so R² < 1).
        let run = |moves: &[f64]| {
            let mut bars = Vec::new();
            let mut p = 100.0f64;
            for (d, &r) in moves.iter().enumerate() {
                let day = d as u32 + 1;
                let extra = if day == 3 { 0.001 } else { 0.0 };
                for k in 1..=40u32 {
                    let step = if k <= 10 {
                        r / 10.0
                    } else {
                        (r / 2.0 + extra) / 30.0
                    };
                    let next = p * step.exp();
                    bars.push(BarRow::test(day, k, p, next));
                    p = next;
                }
            }
            intraday_momentum(&bars, 0, 30)
        };
        let a = run(&[0.01, -0.02, 0.005, 0.015, -0.01]);
        assert_eq!(a.days, [1, 2, 3, 4, 5]);
        // Day 1 starts at its open; later days at the previous close: r exactly.
        for (x, want) in a.rest_of_day.iter().zip([0.01, -0.02, 0.005, 0.015, -0.01]) {
            assert!((x - want).abs() < 1e-12, "{x} {want}");
        }
        assert!((a.fit.slope - 0.5).abs() < 0.05 && a.fit.r2 < 1.0 && a.fit.r2 > 0.9);
        let b = run(&[-0.005, 0.02, 0.01]);
        let pooled = IntradayMomentum::pooled([&a, &b]);
        assert_eq!(pooled.n, 8);
        assert!(
            (pooled.slope - 0.5).abs() < 0.05 && pooled.t > 5.0,
            "{pooled:?}"
        );
    }

    #[test]
    fn the_last_window_is_half_an_hour_of_bars() {
        assert_eq!(window_bars(60), 30);
        assert_eq!(window_bars(300), 6);
        assert_eq!(window_bars(1), 1800);
        // Bars longer than the window: the last bar alone.
        assert_eq!(window_bars(3600), 1);
        assert_eq!(window_bars(0), 1800);
    }

    #[test]
    fn ols_recovers_a_line_and_its_fit() {
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 + 0.5 * v).collect();
        let f = ols(&x, &y);
        assert!((f.slope - 0.5).abs() < 1e-12 && (f.intercept - 2.0).abs() < 1e-12);
        assert!((f.r2 - 1.0).abs() < 1e-12);
        // Alternating noise around the line lowers R² and leaves the slope.
        let y2: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(i, v)| v + if i % 2 == 0 { 3.0 } else { -3.0 })
            .collect();
        let g = ols(&x, &y2);
        assert!((g.slope - 0.5).abs() < 0.01 && g.r2 < 0.9 && g.t > 5.0);
    }
}
