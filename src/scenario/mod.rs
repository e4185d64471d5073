//! Scenario files: the serde schema with its defaults, validation with located errors, and
//! the conversion of dollar sizes into the integer units the simulation runs on.
//!
//! Sweep files (a base scenario, parameters by dotted path, seeds) are read and checked here
//! too, into one checked scenario per point.
//!
//! This module never runs anything: it turns text into a checked [`Scenario`].

pub mod ablate;
pub mod build;
mod error;
mod extends;
pub mod flow_schema;
mod load;
pub mod overrides;
pub mod schema;
pub mod sweep;
mod validate;
mod validate_flows;

pub use error::{Problem, ScenarioError};
pub use flow_schema::*;
pub use load::{
    LoadedScenario, class_table_problems, load, located_problems, parse, parse_checked,
};
pub use overrides::ParamPath;
pub use schema::*;
pub use sweep::{SeedRange, Sweep, SweepFileError, SweepPoint, is_sweep_file, load_sweep};
