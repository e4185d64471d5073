//! Scenario files: the serde schema with its defaults, validation with located errors, and
//! the conversion of dollar sizes into the integer units the simulation runs on.
//!
//! This module never runs anything: it turns text into a checked [`Scenario`].

pub mod build;
mod error;
mod load;
pub mod schema;
mod validate;

pub use error::{Problem, ScenarioError};
pub use load::{LoadedScenario, load, parse};
pub use schema::*;
