//! Sweeps: every (point, seed) run of a checked [`Sweep`](crate::scenario::Sweep), in
//! parallel on worker threads, resumable, sliceable into shards for cluster job arrays, and
//! aggregated into tables (one row per run, one per point) with summary charts and a report.
//!
//! A run's result never depends on which thread or shard ran it: each run is a pure function
//! of (scenario, seed) written by [`crate::run::execute`], the same code as `flowsim run`, and
//! the table is assembled in run order from the run folders alone.

mod aggregate;
mod charts;
mod error;
mod execute;
mod intraday;
mod layout;
mod plan;
pub(crate) mod pool;
mod resume;
mod slurm;
mod table;

pub use aggregate::{Aggregate, aggregate};
pub use charts::{Charts, draw as draw_charts};
pub use error::{SweepError, chain as error_chain};
pub use execute::{Progress, SliceOutcome, preflight, run_slice};
pub use layout::{Layout, SweepLock, lock};
pub use plan::{RunId, Shard, runs};
pub use resume::{InstrumentSummary, RunCounts, RunSummary, State};
pub use slurm::{SlurmJob, sbatch_script};
pub use table::{Cell, Column, Kind, Table};
