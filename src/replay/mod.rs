//! Replay of real market data through the book.
//!
//! LOBSTER (lobsterdata.com) files are read by [`lobster`], replayed order by order through
//! [`crate::book::OrderBook`] by [`book_replay`], compared row by row with LOBSTER's own
//! reconstruction by [`compare`], and summarised for calibration by [`calibrate`] (which feeds
//! [`crate::analysis::calibration`], the code that also summarises simulated runs).
//!
//! ```no_run
//! use flowsim::replay::{compare, read_messages, read_orderbook, replay, ReplayConfig};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let msgs = read_messages("AAPL_message_10.csv".as_ref())?;
//! let book = read_orderbook("AAPL_orderbook_10.csv".as_ref())?;
//! let out = replay(&msgs, &book, &ReplayConfig::default())?;
//! let report = compare(&out.values, out.levels, &book).expect("same shape");
//! assert_eq!(report.window_aware, report.rows);
//! # Ok(()) }
//! ```

pub mod book_replay;
pub mod calibrate;
pub mod compare;
pub mod lobster;

pub use book_replay::{
    Prepared, ReplayConfig, ReplayError, ReplayOutput, ReplayStats, Trade, detect_tick, prepare,
    replay,
};
pub use calibrate::lobster_calibration;
pub use compare::{MatchReport, Mismatch, compare};
pub use lobster::{
    LobsterError, Message, MessageFile, MessageType, OrderbookFile, read_messages, read_orderbook,
    write_atomic, write_orderbook,
};
