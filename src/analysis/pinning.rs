//! Pinning at expiry (docs/model.md §4.4, Ni, Pearson & Poteshman 2005; Avellaneda & Lipkin
//! 2003): do closes on expiry days cluster at strikes?
//!
//! Two measures over the chosen days, both from the bars alone:
//! - the distance of the close to the nearest strike on the grid of `strike_step`, in strikes.
//!   A close that knows nothing of the grid lands uniformly between two strikes, so the mean
//!   is 1/4 and the share within 1/10 of a strike is 1/5; pinning pulls both down;
//! - the distance of the close from the strike nearest the day's opening price, in ticks: for
//!   a same-day series listed at the money each morning, that is the strike holding the open
//!   interest. It falls with pinning, but also with lower volatility, so compare it with a
//!   control at the same depth rather than read it alone.

use crate::record::BarRow;

/// Share of closes within this fraction of a strike counted as "at the strike".
pub const NEAR: f64 = 0.1;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pinning {
    /// Days measured (days of `days` with bars).
    pub days: usize,
    /// Mean distance of the close to the nearest strike, in strikes (uniform: 0.25).
    pub grid_distance: f64,
    /// Share of closes within [`NEAR`] of a strike (uniform: 0.2).
    pub share_near: f64,
    /// Mean |close − strike nearest the open|, in ticks.
    pub open_strike_ticks: f64,
}

/// Distance of `price` to the nearest multiple of `step`, in multiples of `step` (0 to 0.5).
pub fn grid_distance(price: f64, step: f64) -> f64 {
    let x = price / step;
    (x - x.round()).abs()
}

/// Pinning of `instrument`'s closes on `days` (record days, 1-based; `None`: every day), with
/// strikes every `strike_step` and prices in ticks of `tick_size`. Zero days, or a step or
/// tick that is not positive, give the default (all zeros, `days` 0).
pub fn pinning(
    bars: &[BarRow],
    instrument: u16,
    strike_step: f64,
    tick_size: f64,
    days: Option<&[u32]>,
) -> Pinning {
    if !(strike_step > 0.0 && tick_size > 0.0) {
        return Pinning::default();
    }
    // (open of the day's first bar, close of its last bar) per day, in order.
    let mut daily: Vec<(u32, f64, f64)> = Vec::new();
    for b in bars.iter().filter(|b| b.instrument == instrument) {
        match daily.last_mut() {
            Some(last) if last.0 == b.day => last.2 = b.close,
            _ => daily.push((b.day, b.open, b.close)),
        }
    }
    let chosen: Vec<(f64, f64)> = daily
        .into_iter()
        .filter(|(d, _, _)| days.is_none_or(|ds| ds.contains(d)))
        .map(|(_, open, close)| (open, close))
        .collect();
    if chosen.is_empty() {
        return Pinning::default();
    }
    let n = chosen.len() as f64;
    let (mut dist, mut near, mut ticks) = (0.0, 0.0, 0.0);
    for &(open, close) in &chosen {
        let g = grid_distance(close, strike_step);
        dist += g;
        if g < NEAR {
            near += 1.0;
        }
        let strike = (open / strike_step).round() * strike_step;
        ticks += (close - strike).abs() / tick_size;
    }
    Pinning {
        days: chosen.len(),
        grid_distance: dist / n,
        share_near: near / n,
        open_strike_ticks: ticks / n,
    }
}

/// Record days (1-based) in `1..=days` on which a series expires: every day for a same-day
/// series (`tenor` 0); otherwise `first`, `first + tenor`, … (the dealer lists a series before
/// the run to expire `first` days in, and relists it at the same tenor when it expires).
pub fn expiry_days(tenor: u32, first: u32, days: u32) -> Vec<u32> {
    if tenor == 0 {
        return (1..=days).collect();
    }
    (0..)
        .map(|k| first.max(1) + k * tenor)
        .take_while(|&d| d <= days)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32, open: f64, close: f64) -> [BarRow; 2] {
        [
            BarRow::test(d, 0, open, open),
            BarRow::test(d, 1, open, close),
        ]
    }

    /// Closes on strikes are at distance 0, closes half-way between at 1/2; a close 3 ticks
    /// above the strike nearest a 4990.5 open (5000 with strikes every 25) is 3 ticks away.
    #[test]
    fn known_distances() {
        let mut bars = Vec::new();
        bars.extend(day(1, 4990.5, 5025.0)); // on a strike; 100 ticks from 5000
        bars.extend(day(2, 5000.0, 5012.5)); // half-way; 50 ticks
        bars.extend(day(3, 4990.5, 5000.75)); // 0.03 strikes; 3 ticks
        let p = pinning(&bars, 0, 25.0, 0.25, None);
        assert_eq!(p.days, 3);
        assert!(
            (p.grid_distance - (0.0 + 0.5 + 0.03) / 3.0).abs() < 1e-12,
            "{p:?}"
        );
        assert!((p.share_near - 2.0 / 3.0).abs() < 1e-12);
        assert!((p.open_strike_ticks - (100.0 + 50.0 + 3.0) / 3.0).abs() < 1e-9);
        // Only day 2.
        let q = pinning(&bars, 0, 25.0, 0.25, Some(&[2]));
        assert_eq!(q.days, 1);
        assert!((q.grid_distance - 0.5).abs() < 1e-12 && q.share_near == 0.0);
        // Another instrument has no bars.
        assert_eq!(pinning(&bars, 1, 25.0, 0.25, None), Pinning::default());
    }

    /// Closes spread evenly over a strike interval (no pinning) give the uniform values:
    /// mean distance 1/4, share within 1/10 of a strike 1/5.
    #[test]
    fn closes_that_ignore_the_grid_are_uniform() {
        let n = 1000;
        let bars: Vec<BarRow> = (0..n)
            .flat_map(|k| day(k + 1, 5000.0, 5000.0 + 25.0 * (k as f64 + 0.5) / n as f64))
            .collect();
        let p = pinning(&bars, 0, 25.0, 0.25, None);
        assert_eq!(p.days, n as usize);
        assert!((p.grid_distance - 0.25).abs() < 1e-9, "{p:?}");
        assert!((p.share_near - 0.2).abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn expiry_schedule() {
        assert_eq!(expiry_days(0, 0, 3), [1, 2, 3]);
        assert_eq!(expiry_days(21, 21, 40), [21]);
        assert_eq!(expiry_days(5, 5, 20), [5, 10, 15, 20]);
        assert_eq!(expiry_days(5, 2, 12), [2, 7, 12]);
        assert!(expiry_days(21, 21, 20).is_empty());
    }
}
