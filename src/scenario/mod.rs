//! Scenario files: the serde schema with its defaults, validation with located errors, and
//! the conversion of dollar sizes into the integer units the simulation runs on.
//!
//! Sweep files (a base scenario, parameters by dotted path, seeds) are read and checked here
//! too, into one checked scenario per point.
//!
//! This module never runs anything: it turns text into a checked [`Scenario`].

pub mod build;
mod error;
mod load;
pub mod overrides;
pub mod schema;
pub mod sweep;
mod validate;

pub use error::{Problem, ScenarioError};
pub use load::{LoadedScenario, load, parse};
pub use schema::*;
pub use sweep::{Sweep, SweepFileError, SweepPoint, load_sweep};
