//! What is already on disk for a sweep's runs: finished, failed, or still to do.
//!
//! A run folder exists only when its run finished (the run writer renames it into place), so
//! existence is completeness. It must also be *this* sweep's run: its `summary.json` must
//! carry the seed and the SHA-256 of the scenario text the sweep would run now; a folder left
//! by an edited sweep is an error, never silently reused.

use serde::Deserialize;

use super::error::{SweepError, io};
use super::layout::Layout;
use super::plan::RunId;
use crate::record::sha256_hex;
use crate::scenario::Sweep;

/// The parts of a run's `summary.json` a sweep reads. Other fields are ignored, so the
/// summary can grow without breaking sweeps.
#[derive(Clone, Debug, Deserialize)]
pub struct RunSummary {
    pub scenario_sha256: String,
    pub seed: u64,
    pub counts: RunCounts,
    pub instruments: Vec<InstrumentSummary>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
pub struct RunCounts {
    pub events: u64,
    pub orders: u64,
    pub rejected: u64,
    pub cancels: u64,
    pub trades: u64,
    pub halts: u64,
    pub closed_days: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct InstrumentSummary {
    pub symbol: String,
    pub final_close: f64,
    pub total_return: f64,
    pub max_drawdown: f64,
    pub min_price: f64,
    pub final_fundamental: f64,
    pub volume_units: u64,
}

/// Where one run stands.
#[derive(Clone, Debug)]
pub enum State {
    Done(Box<RunSummary>),
    /// It ran and failed with this error; it is tried again by the next sweep over it.
    Failed(String),
    Pending,
}

/// The state of each of `runs`, in order. Fails if a run folder belongs to another sweep.
pub fn scan(sweep: &Sweep, layout: &Layout, runs: &[RunId]) -> Result<Vec<State>, SweepError> {
    let hashes: Vec<String> = sweep
        .points
        .iter()
        .map(|p| sha256_hex(p.scenario.source.as_bytes()))
        .collect();
    let mut states = Vec::with_capacity(runs.len());
    let mut foreign = Vec::new();
    for run in runs {
        let dir = layout.run_dir(run);
        let failure = layout.failure_file(run);
        let state = match std::fs::read_to_string(dir.join("summary.json")) {
            Ok(text) => match serde_json::from_str::<RunSummary>(&text) {
                Ok(s) if s.seed == run.seed && s.scenario_sha256 == hashes[run.point] => {
                    if failure.exists() {
                        // It failed once and finished later: the record is stale.
                        std::fs::remove_file(&failure).map_err(io(&failure))?;
                    }
                    State::Done(Box::new(s))
                }
                _ => {
                    foreign.push(run.name());
                    continue;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !dir.exists() => {
                match std::fs::read_to_string(&failure) {
                    Ok(text) => State::Failed(text.trim_end().to_string()),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::Pending,
                    Err(e) => return Err(io(failure)(e)),
                }
            }
            Err(_) => {
                // A folder without a readable summary was not written by a sweep run.
                foreign.push(run.name());
                continue;
            }
        };
        states.push(state);
    }
    if !foreign.is_empty() {
        return Err(SweepError::Foreign {
            out: layout.root().to_path_buf(),
            runs: foreign,
        });
    }
    Ok(states)
}
