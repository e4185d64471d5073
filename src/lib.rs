//! flowsim: an agent-based market microstructure simulator for mechanical flows.
//!
//! Data flows one way: scenario → simulation → records → analysis → charts. This crate's
//! modules follow that order; `ARCHITECTURE.md` gives the map.

pub mod agents;
pub mod analysis;
pub mod atomic;
pub mod bench;
pub mod book;
pub mod claims;
pub mod counterfactual;
pub mod episode;
pub mod estimate;
pub mod facts;
pub mod history;
pub mod impact;
pub mod market;
pub mod monitor;
pub mod plot;
pub mod pricing;
pub mod record;
pub mod replay;
pub mod report;
pub mod run;
pub mod scenario;
pub mod score;
pub mod sweep;
