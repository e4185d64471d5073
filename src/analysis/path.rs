//! The price path against the fundamental: drawdowns, overshoot below (or above) fundamental
//! value, and how much of a move reverses afterwards. These are the numbers that say whether a
//! flow-driven move was "mechanical": a price that falls further than value and comes back.

use crate::record::BarRow;

/// One instrument's bars, in order, with the day boundaries.
#[derive(Clone, Debug, Default)]
pub struct PricePath {
    /// Bar closes and the fundamental at each bar.
    pub close: Vec<f64>,
    pub fundamental: Vec<f64>,
    /// (day, bar) of each point.
    pub at: Vec<(u32, u32)>,
    /// Index of each day's last bar in the vectors above.
    pub day_ends: Vec<usize>,
}

impl PricePath {
    pub fn new(bars: &[BarRow], instrument: u16) -> Self {
        let mut p = PricePath::default();
        for b in bars.iter().filter(|b| b.instrument == instrument) {
            if let Some(&(d, _)) = p.at.last() {
                if d != b.day {
                    p.day_ends.push(p.close.len() - 1);
                }
            }
            p.close.push(b.close);
            p.fundamental.push(b.fundamental);
            p.at.push((b.day, b.bar));
        }
        if !p.close.is_empty() {
            p.day_ends.push(p.close.len() - 1);
        }
        p
    }

    /// Closes of each day.
    pub fn daily_closes(&self) -> Vec<f64> {
        self.day_ends.iter().map(|&i| self.close[i]).collect()
    }

    pub fn daily_fundamental(&self) -> Vec<f64> {
        self.day_ends.iter().map(|&i| self.fundamental[i]).collect()
    }

    pub fn days(&self) -> Vec<u32> {
        self.day_ends.iter().map(|&i| self.at[i].0).collect()
    }
}

/// The largest fall from a running peak.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Drawdown {
    /// Fraction of the peak (0.1 = 10%).
    pub depth: f64,
    pub peak_index: usize,
    pub trough_index: usize,
}

/// Largest peak-to-trough fall of `prices`, measured from a peak that may be the first price.
pub fn max_drawdown(prices: &[f64]) -> Drawdown {
    let mut best = Drawdown::default();
    let mut peak = 0;
    for (i, &p) in prices.iter().enumerate() {
        if p > prices[peak] {
            peak = i;
        }
        let dd = 1.0 - p / prices[peak];
        if dd > best.depth {
            best = Drawdown {
                depth: dd,
                peak_index: peak,
                trough_index: i,
            };
        }
    }
    best
}

/// The largest rise from a running trough (the mirror of [`max_drawdown`]).
pub fn max_rally(prices: &[f64]) -> Drawdown {
    let mut best = Drawdown::default();
    let mut low = 0;
    for (i, &p) in prices.iter().enumerate() {
        if p < prices[low] {
            low = i;
        }
        let up = p / prices[low] - 1.0;
        if up > best.depth {
            best = Drawdown {
                depth: up,
                peak_index: i,
                trough_index: low,
            };
        }
    }
    best
}

/// Largest gap of price below fundamental, as a fraction of fundamental (positive = price
/// below value), and where it happened. `above` measures the gap the other way.
pub fn max_gap(price: &[f64], fundamental: &[f64], above: bool) -> (f64, usize) {
    let mut best = (0.0, 0);
    for (i, (&p, &v)) in price.iter().zip(fundamental).enumerate() {
        if v > 0.0 {
            let gap = if above { p / v - 1.0 } else { 1.0 - p / v };
            if gap > best.0 {
                best = (gap, i);
            }
        }
    }
    best
}

/// Share of the move from `from` to `extreme` given back by `later` (0 = none, 1 = all of it,
/// more than 1 = beyond the starting level).
pub fn retracement(from: f64, extreme: f64, later: f64) -> f64 {
    let moved = extreme - from;
    if moved == 0.0 {
        0.0
    } else {
        (extreme - later) / moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawdown_rally_gap_and_retracement() {
        let p = [100.0, 110.0, 99.0, 88.0, 95.0, 120.0];
        let dd = max_drawdown(&p);
        assert!((dd.depth - 0.2).abs() < 1e-12);
        assert_eq!((dd.peak_index, dd.trough_index), (1, 3));
        let up = max_rally(&p);
        assert!((up.depth - (120.0 / 88.0 - 1.0)).abs() < 1e-12);
        assert_eq!((up.trough_index, up.peak_index), (3, 5));
        let (gap, at) = max_gap(&[100.0, 90.0, 97.0], &[100.0, 100.0, 98.0], false);
        assert!((gap - 0.1).abs() < 1e-12 && at == 1);
        // Up 100 → 130, back to 120: a third of the gain retraced.
        assert!((retracement(100.0, 130.0, 120.0) - 1.0 / 3.0).abs() < 1e-12);
        // Down 100 → 80, back to 90: half of the fall recovered.
        assert!((retracement(100.0, 80.0, 90.0) - 0.5).abs() < 1e-12);
    }
}
