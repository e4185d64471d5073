//! The market a day at a time: how much trades, how much of it in the closing auction, how
//! wide and deep the displayed book is, and how volatile the daily closes are beside the
//! fundamental's. These are the numbers a reference market is calibrated to (real-size
//! volume, a one-tick spread, a thin displayed book, a real closing auction), so they are
//! computed from the run's own bars and auction trades, as they stream out.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::daily_facts::{log_returns, sample_sd};
use crate::record::BarRow;

/// One instrument's accumulator.
#[derive(Clone, Debug)]
pub struct MarketDayBuilder {
    tick: f64,
    notional: f64,
    days: BTreeMap<u32, DayTotals>,
    bar_ends: u64,
    two_sided: u64,
    one_tick: u64,
    spread_ticks: f64,
    depth_bid_usd: f64,
    depth_ask_usd: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct DayTotals {
    volume_units: u64,
    volume_usd: f64,
    closing_units: u64,
    close: f64,
    fundamental: f64,
}

/// The summary of a run's days for one instrument.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MarketDay {
    pub days: usize,
    /// Mean daily traded value, dollars.
    pub adv_usd: f64,
    pub adv_units: f64,
    /// Closing-auction volume over all volume.
    pub closing_auction_share: f64,
    /// Share of bar ends with a one-tick spread, among those with a two-sided, uncrossed book.
    pub one_tick_share: f64,
    pub mean_spread_ticks: f64,
    /// Mean displayed dollars within 1% of the mid at bar ends, each side.
    pub depth_1pct_bid_usd: f64,
    pub depth_1pct_ask_usd: f64,
    /// Standard deviation of daily close-to-close log returns (days − 1 of them).
    pub daily_vol: f64,
    /// The same for the fundamental at each close.
    pub fundamental_daily_vol: f64,
}

impl MarketDay {
    /// Daily volatility of the closes over the fundamental's.
    pub fn vol_ratio(&self) -> f64 {
        self.daily_vol / self.fundamental_daily_vol
    }
}

impl MarketDayBuilder {
    /// `tick` is the tick size and `notional` the dollars per point per unit.
    pub fn new(tick: f64, notional: f64) -> Self {
        MarketDayBuilder {
            tick,
            notional,
            days: BTreeMap::new(),
            bar_ends: 0,
            two_sided: 0,
            one_tick: 0,
            spread_ticks: 0.0,
            depth_bid_usd: 0.0,
            depth_ask_usd: 0.0,
        }
    }

    pub fn bar(&mut self, b: &BarRow) {
        let day = self.days.entry(b.day).or_default();
        day.volume_units += b.volume;
        day.volume_usd += b.volume as f64 * b.vwap.unwrap_or(b.close) * self.notional;
        day.close = b.close;
        day.fundamental = b.fundamental;
        self.bar_ends += 1;
        // A locked or crossed book only happens while orders collect for an auction.
        if let (Some(bid), Some(ask)) = (b.best_bid, b.best_ask)
            && ask > bid
        {
            let mid = 0.5 * (bid + ask);
            let ticks = ((ask - bid) / self.tick).round();
            self.two_sided += 1;
            self.spread_ticks += ticks;
            if ticks == 1.0 {
                self.one_tick += 1;
            }
            let usd = mid * self.notional;
            self.depth_bid_usd += b.bid_depth_1pct as f64 * usd;
            self.depth_ask_usd += b.ask_depth_1pct as f64 * usd;
        }
    }

    /// Units traded in day `day`'s closing auction.
    pub fn closing_auction(&mut self, day: u32, units: u64) {
        self.days.entry(day).or_default().closing_units += units;
    }

    pub fn finish(&self) -> MarketDay {
        let n = self.days.len().max(1) as f64;
        let volume: u64 = self.days.values().map(|d| d.volume_units).sum();
        let closing: u64 = self.days.values().map(|d| d.closing_units).sum();
        let sided = self.two_sided.max(1) as f64;
        let closes: Vec<f64> = self.days.values().map(|d| d.close).collect();
        let values: Vec<f64> = self.days.values().map(|d| d.fundamental).collect();
        MarketDay {
            days: self.days.len(),
            adv_usd: self.days.values().map(|d| d.volume_usd).sum::<f64>() / n,
            adv_units: volume as f64 / n,
            closing_auction_share: if volume > 0 {
                closing as f64 / volume as f64
            } else {
                0.0
            },
            one_tick_share: self.one_tick as f64 / sided,
            mean_spread_ticks: self.spread_ticks / sided,
            depth_1pct_bid_usd: self.depth_bid_usd / sided,
            depth_1pct_ask_usd: self.depth_ask_usd / sided,
            daily_vol: sample_sd(&log_returns(&closes)),
            fundamental_daily_vol: sample_sd(&log_returns(&values)),
        }
    }
}

impl fmt::Display for MarketDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "market by day ({} days, from bars and auctions)",
            self.days
        )?;
        writeln!(
            f,
            "  volume            ${:.0}bn a day ({:.0} units)",
            self.adv_usd / 1e9,
            self.adv_units
        )?;
        writeln!(
            f,
            "  closing auction   {:.1}% of volume",
            100.0 * self.closing_auction_share
        )?;
        writeln!(
            f,
            "  spread at bar ends  one tick {:.1}%, mean {:.2} ticks",
            100.0 * self.one_tick_share,
            self.mean_spread_ticks
        )?;
        writeln!(
            f,
            "  displayed within 1% of mid  bid ${:.2}bn, ask ${:.2}bn",
            self.depth_1pct_bid_usd / 1e9,
            self.depth_1pct_ask_usd / 1e9
        )?;
        writeln!(
            f,
            "  daily volatility  {:.2}% (fundamental {:.2}%, ratio {:.2})",
            100.0 * self.daily_vol,
            100.0 * self.fundamental_daily_vol,
            self.vol_ratio()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two days of two bars: $ volume at the bars' VWAPs, the closing auction's share, spreads
    /// and depth at bar ends.
    #[test]
    fn a_day_is_summarised_from_its_bars() {
        let mut b = MarketDayBuilder::new(0.25, 50.0);
        for (day, close, fundamental) in [(1, 5000.0, 5000.0), (2, 5050.0, 5100.0)] {
            for k in 1..=2 {
                let mut bar = BarRow::test(day, k, close, close);
                bar.volume = 100;
                bar.vwap = Some(close);
                bar.fundamental = fundamental;
                bar.best_bid = Some(close - 0.125);
                bar.best_ask = Some(close + if k == 1 { 0.125 } else { 0.375 });
                bar.bid_depth_1pct = 1000;
                bar.ask_depth_1pct = 2000;
                b.bar(&bar);
            }
            b.closing_auction(day, 20);
        }
        let m = b.finish();
        assert_eq!(m.days, 2);
        assert_eq!(m.adv_units, 200.0);
        assert!((m.adv_usd - (200.0 * 5000.0 + 200.0 * 5050.0) * 50.0 / 2.0).abs() < 1e-3);
        assert!((m.closing_auction_share - 0.1).abs() < 1e-12);
        assert!((m.one_tick_share - 0.5).abs() < 1e-12);
        assert!((m.mean_spread_ticks - 1.5).abs() < 1e-12);
        assert!(m.depth_1pct_bid_usd > 2.5e8 && m.depth_1pct_ask_usd > 5e8);
        // One return each: the sample s.d. needs two, so it is not defined.
        assert!(m.daily_vol.is_nan());
    }

    /// Daily volatility is the s.d. of the daily closes' log returns (the last bar of each day).
    #[test]
    fn daily_volatility_is_the_sd_of_log_returns() {
        let mut b = MarketDayBuilder::new(0.25, 50.0);
        for (day, close) in [(1, 100.0), (2, 101.0), (3, 100.0), (4, 101.0)] {
            b.bar(&BarRow::test(day, 1, close, close));
        }
        let r = (101.0f64 / 100.0).ln();
        // Returns r, −r, r: mean r/3, deviations 2r/3, −4r/3, 2r/3.
        let sd = ((4.0 + 16.0 + 4.0) / 9.0 * r * r / 2.0).sqrt();
        assert!((b.finish().daily_vol - sd).abs() < 1e-15);
    }
}
