//! Intraday momentum (`DOMAIN.md` §8.4, Gao et al. 2018, Baltussen et al. 2021): does the
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

/// The regression r_last = a + b·r_rest over days, with the last window the final
/// `window_bars` bars of each day (30 one-minute bars for the last half hour). The first day
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

#[cfg(test)]
mod tests {
    use super::*;

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
