//! The rows a run writes. Each is plain data; writers decide the file format.

use serde::{Deserialize, Serialize};

use crate::agents::AgentClass;
use crate::agents::state::{AgentEventKind, Metric};
use crate::book::{LevelView, Motive, Price, Qty, Side};

/// One execution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TradeRow {
    /// Nanoseconds since the start of day 1.
    pub time_ns: u64,
    pub day: u32,
    pub instrument: u16,
    pub price_ticks: i64,
    pub price: f64,
    pub qty: u64,
    /// `None` for an auction uncross.
    pub aggressor: Option<Side>,
    pub buyer: u64,
    pub seller: u64,
    pub buyer_class: AgentClass,
    pub seller_class: AgentClass,
    pub buy_motive: Motive,
    pub sell_motive: Motive,
}

/// One bar of one instrument.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BarRow {
    pub day: u32,
    /// Bar number in the day, 1-based; the bar ends at `time_ns`.
    pub bar: u32,
    pub time_ns: u64,
    pub instrument: u16,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: u64,
    pub trades: u32,
    pub vwap: Option<f64>,
    pub fundamental: f64,
    pub best_bid: Option<f64>,
    pub best_ask: Option<f64>,
    /// Units resting on the best five price levels of each side at the bar's end.
    pub bid_depth: u64,
    pub ask_depth: u64,
    /// Units resting within 1% of the mid on each side at the bar's end (the displayed book a
    /// large order would walk; 0 when the side is empty or there is no mid).
    pub bid_depth_1pct: u64,
    pub ask_depth_1pct: u64,
}

#[cfg(test)]
impl BarRow {
    /// A bar of instrument 0 from `open` to `close`, for analysis tests.
    pub(crate) fn test(day: u32, bar: u32, open: f64, close: f64) -> BarRow {
        BarRow {
            day,
            bar,
            time_ns: 0,
            instrument: 0,
            open,
            high: open.max(close),
            low: open.min(close),
            close,
            volume: 1,
            trades: 1,
            vwap: None,
            fundamental: open,
            best_bid: None,
            best_ask: None,
            bid_depth: 0,
            ask_depth: 0,
            bid_depth_1pct: 0,
            ask_depth_1pct: 0,
        }
    }
}

/// Net flow of one agent class and motive in one bar.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FlowRow {
    pub day: u32,
    pub bar: u32,
    pub time_ns: u64,
    pub instrument: u16,
    pub class: AgentClass,
    pub motive: Motive,
    pub buy_units: u64,
    pub sell_units: u64,
    pub net_units: i64,
    /// Each side valued at the bar's VWAP (or close), in dollars.
    pub buy_usd: f64,
    pub sell_usd: f64,
    /// Net flow valued at the bar's VWAP (or close), in dollars.
    pub net_usd: f64,
}

/// Position of one agent class in one instrument at a day's close.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PositionRow {
    pub day: u32,
    pub instrument: u16,
    pub class: AgentClass,
    pub agents: u32,
    pub position_units: i64,
    pub exposure_usd: f64,
    /// Cash of the class in dollars (across all instruments, repeated per instrument row).
    pub cash_usd: f64,
}

/// Something that happened to the market: halts, shocks, closes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRow {
    pub time_ns: u64,
    pub day: u32,
    pub kind: EventKind,
    /// Instrument index, when the event concerns one.
    pub instrument: Option<u16>,
    pub value: f64,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Halt,
    Reopen,
    ClosedForDay,
    Shock,
    FlowProgramme,
    OpeningAuction,
    ClosingAuction,
    /// The call auction that ends a halt.
    ReopeningAuction,
    /// Reported by agents (see [`crate::agents::state::AgentEventKind`]).
    MarginCall,
    StopOut,
    OptionExpiry,
    OptionListing,
    PutMonetisation,
    /// Options exercised by delivery at a close; `value` is the units the dealer received
    /// (negative: delivered), `detail` the series, strike and the cash that moved.
    OptionExercise,
}

impl From<AgentEventKind> for EventKind {
    fn from(k: AgentEventKind) -> Self {
        match k {
            AgentEventKind::MarginCall => EventKind::MarginCall,
            AgentEventKind::StopOut => EventKind::StopOut,
            AgentEventKind::OptionExpiry => EventKind::OptionExpiry,
            AgentEventKind::OptionListing => EventKind::OptionListing,
            AgentEventKind::PutMonetisation => EventKind::PutMonetisation,
        }
    }
}

/// One number an agent reported about itself at a close (exposure, signal, trigger level,
/// greeks): the long format keeps every agent kind in one table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StateRow {
    pub day: u32,
    pub time_ns: u64,
    pub agent: u64,
    pub class: AgentClass,
    pub instrument: u16,
    pub metric: Metric,
    /// The metric's coordinate (a lookback in days, a spot level), when it has one.
    pub at: Option<f64>,
    pub value: f64,
}

/// One change of a book with the book after it: what calibration statistics (spreads, depth,
/// arrival, cancel and trade rates) are computed from. Only sent to sinks that ask for it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BookObservation<'a> {
    pub time_ns: u64,
    pub instrument: u16,
    pub kind: ObservedKind,
    /// The order's side for adds and cancels, the aggressor's for trades (none in auctions).
    pub side: Option<Side>,
    pub price: Option<Price>,
    pub size: Qty,
    /// The book after the operation that caused this change, best levels first.
    pub bids: &'a [LevelView],
    pub asks: &'a [LevelView],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObservedKind {
    Add,
    Cancel,
    Trade,
    AuctionTrade,
    Halt,
}

/// One number of the positioning monitor: a class's metric on one index on one date (the long
/// table of `positioning.csv` and `positioning.parquet`).
#[derive(Clone, Debug, PartialEq)]
pub struct PositioningRow {
    pub date: chrono::NaiveDate,
    pub symbol: String,
    pub class: &'static str,
    pub metric: String,
    pub value: f64,
}
