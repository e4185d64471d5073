//! The limit order book: price-time priority matching, call auctions, and nothing else.
//!
//! The book does no I/O, uses no floating point and knows nothing of agents' strategies or of
//! the clock. See `ARCHITECTURE.md` for the invariants it keeps.

mod engine;
pub mod flat;
mod ladder;
mod list;
mod order_book;
pub mod reference;
pub mod stream;
mod types;
pub use engine::MatchingEngine;

pub use order_book::{AuctionOutcome, BookConfig, BookCounters, OrderBook};
pub use types::*;
