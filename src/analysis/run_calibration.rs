//! The calibration summary of a simulated run, from the book observations the run streams out,
//! so that a simulated book and a real (LOBSTER) book are described by the same numbers.

use super::calibration::{
    CalibrationBuilder, CalibrationSummary, Event, EventKind, Level, Observation, TradeKind,
};
use super::market_day::{MarketDay, MarketDayBuilder};
use crate::market::time::{Calendar, DAY};
use crate::record::{
    BarRow, BookObservation, EventRow, FlowRow, ObservedKind, PositionRow, RecordSink, TradeRow,
};

/// A record sink that keeps one calibration builder per instrument.
///
/// It keeps the size of every order, cancel and trade for the quantiles, so its memory grows
/// with the number of orders: about 8 bytes per event.
pub struct CalibrationRecorder {
    builders: Vec<CalibrationBuilder>,
    /// The day-level numbers (volume, closing auction, spread and depth at bar ends, daily
    /// volatility), per instrument.
    days: Vec<MarketDayBuilder>,
    /// Time of day of the closing auction's call: auction trades from it on are the close's.
    close_auction: u64,
    /// Trading window of each day (from the pre-open to the close, ns after midnight): nights
    /// are cut out of the clock so that rates are per second of trading.
    window: (u64, u64),
    bids: Vec<Level>,
    asks: Vec<Level>,
}

impl CalibrationRecorder {
    /// `instruments` gives each instrument's tick size and dollars per point per unit.
    pub fn new(instruments: &[(f64, f64)], levels: usize, calendar: &Calendar) -> Self {
        CalibrationRecorder {
            window: (calendar.preopen, calendar.close),
            builders: instruments
                .iter()
                .map(|_| CalibrationBuilder::new(levels))
                .collect(),
            days: instruments
                .iter()
                .map(|&(tick, notional)| MarketDayBuilder::new(tick, notional))
                .collect(),
            close_auction: calendar.close_auction,
            bids: Vec::with_capacity(levels),
            asks: Vec::with_capacity(levels),
        }
    }

    pub fn finish(self) -> (Vec<CalibrationSummary>, Vec<MarketDay>) {
        (
            self.builders.into_iter().map(|b| b.finish()).collect(),
            self.days.iter().map(|d| d.finish()).collect(),
        )
    }
}

impl CalibrationRecorder {
    fn trading_time(&self, t: u64) -> u64 {
        let (start, end) = self.window;
        let len = end - start;
        let tod = (t % DAY).clamp(start, end);
        (t / DAY) * len + (tod - start)
    }
}

impl RecordSink for CalibrationRecorder {
    fn trade(&mut self, _: &TradeRow) -> std::io::Result<()> {
        Ok(())
    }
    fn bar(&mut self, b: &BarRow) -> std::io::Result<()> {
        if let Some(d) = self.days.get_mut(b.instrument as usize) {
            d.bar(b);
        }
        Ok(())
    }
    fn flow(&mut self, _: &FlowRow) -> std::io::Result<()> {
        Ok(())
    }
    fn position(&mut self, _: &PositionRow) -> std::io::Result<()> {
        Ok(())
    }
    fn event(&mut self, _: &EventRow) -> std::io::Result<()> {
        Ok(())
    }
    fn wants_book(&self) -> bool {
        true
    }
    fn book(&mut self, o: &BookObservation<'_>) -> std::io::Result<()> {
        let kind = match o.kind {
            ObservedKind::Add => EventKind::Add,
            ObservedKind::Cancel => EventKind::Cancel { full: true },
            ObservedKind::Trade => EventKind::Trade(TradeKind::Visible),
            ObservedKind::AuctionTrade => EventKind::Trade(TradeKind::Auction),
            ObservedKind::Halt => EventKind::Halt,
        };
        self.bids.clear();
        self.bids.extend(o.bids.iter().map(|l| Level {
            price: l.price,
            qty: l.qty,
        }));
        self.asks.clear();
        self.asks.extend(o.asks.iter().map(|l| Level {
            price: l.price,
            qty: l.qty,
        }));
        if o.kind == ObservedKind::AuctionTrade
            && o.time_ns % DAY >= self.close_auction
            && let Some(d) = self.days.get_mut(o.instrument as usize)
        {
            d.closing_auction((o.time_ns / DAY) as u32 + 1, o.size);
        }
        let time_ns = self.trading_time(o.time_ns);
        if let Some(b) = self.builders.get_mut(o.instrument as usize) {
            b.observe(&Observation {
                time_ns,
                event: Event {
                    kind,
                    side: o.side,
                    price: o.price,
                    size: o.size,
                },
                bids: &self.bids,
                asks: &self.asks,
            });
        }
        Ok(())
    }
}
