//! The calibration summary of a real book: LOBSTER messages turned into the neutral
//! observations of [`crate::analysis::calibration`], with the book after each message taken
//! from the orderbook file (the real book, in ticks).

use crate::analysis::calibration::{
    CalibrationBuilder, CalibrationSummary, Event, EventKind, Level, Observation, TradeKind,
};
use crate::book::Side;

use super::lobster::{Message, MessageFile, MessageType, OrderbookFile};

/// The observation event of one message (prices in ticks).
pub fn event_of(m: &Message, tick: i64) -> Event {
    let side = m.side();
    let (kind, side) = match m.kind {
        MessageType::Add => (EventKind::Add, side),
        MessageType::PartialCancel => (EventKind::Cancel { full: false }, side),
        MessageType::Delete => (EventKind::Cancel { full: true }, side),
        // the direction of an execution is the resting order's side: the aggressor is opposite
        MessageType::ExecuteVisible => (
            EventKind::Trade(TradeKind::Visible),
            side.map(Side::opposite),
        ),
        MessageType::ExecuteHidden => (
            EventKind::Trade(TradeKind::Hidden),
            side.map(Side::opposite),
        ),
        MessageType::Cross => (EventKind::Trade(TradeKind::Auction), None),
        MessageType::Halt => (EventKind::Halt, None),
    };
    Event {
        kind,
        side,
        // a hidden execution may trade between ticks (midpoint): its price is left out
        price: (m.kind.has_price() && m.price % tick == 0).then(|| m.price / tick),
        size: m.size,
    }
}

/// Summarises the real book of a pair of LOBSTER files (assumed row-aligned; extra rows of
/// either are ignored). `tick` is in LOBSTER price units.
pub fn lobster_calibration(
    messages: &MessageFile,
    book: &OrderbookFile,
    tick: i64,
) -> CalibrationSummary {
    let tick = tick.max(1);
    let levels = book.levels;
    let mut b = CalibrationBuilder::new(levels);
    let (mut bids, mut asks) = (Vec::with_capacity(levels), Vec::with_capacity(levels));
    for (i, m) in messages.messages.iter().enumerate().take(book.rows()) {
        let row = book.row(i);
        asks.clear();
        bids.clear();
        for lvl in row.chunks_exact(4) {
            if lvl[1] > 0 {
                asks.push(Level {
                    price: lvl[0] / tick,
                    qty: lvl[1] as u64,
                });
            }
            if lvl[3] > 0 {
                bids.push(Level {
                    price: lvl[2] / tick,
                    qty: lvl[3] as u64,
                });
            }
        }
        b.observe(&Observation {
            time_ns: m.time_ns,
            event: event_of(m, tick),
            bids: &bids,
            asks: &asks,
        });
    }
    b.finish()
}
