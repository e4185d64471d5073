//! flowsim: an agent-based market microstructure simulator for mechanical flows.
//!
//! Data flows one way: scenario → simulation → records → analysis → charts. This crate's
//! modules follow that order; `ARCHITECTURE.md` gives the map.

pub mod analysis;
pub mod book;
pub mod replay;
