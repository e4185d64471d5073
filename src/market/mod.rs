//! The venue: event loop and clock, trading calendar, circuit breakers, the ledger, and the
//! market data agents read. It decides nothing: agents decide, books match, the market
//! delivers and books the results.

pub mod data;
pub mod ewma;
pub mod fundamental;
pub mod ledger;
mod open_orders;
pub mod queue;
pub mod rejects;
pub mod sim;
pub mod time;

pub use sim::{MarketSettings, RunCounts, RunOutcome, SimError, Simulation};
