//! Running a slice of a sweep: the runs not already finished, on worker threads, each into its
//! own atomic run folder through the same [`crate::run::execute`] as `flowsim run`.

use std::collections::BTreeSet;

use super::error::{SweepError, chain};
use super::layout::{self, Layout};
use super::plan::{self, RunId, Shard};
use super::pool;
use super::resume::{self, State};
use crate::run::{self, RunOptions};
use crate::scenario::Sweep;

/// What a slice did.
#[derive(Debug, Default)]
pub struct SliceOutcome {
    /// Runs in the slice.
    pub planned: usize,
    /// Runs already finished before this call, skipped.
    pub skipped: usize,
    /// Runs that finished in this call.
    pub finished: usize,
    /// Runs that failed in this call, with their errors, in run order.
    pub failed: Vec<(RunId, String)>,
}

/// Progress of a slice, for a progress bar. It never changes what is written.
#[derive(Debug)]
pub enum Progress<'a> {
    /// About to run `pending` runs; `skipped` of the slice's `planned` are already done.
    Start {
        planned: usize,
        skipped: usize,
        pending: usize,
    },
    /// One run ended; `error` is set when it failed.
    Ended {
        run: &'a RunId,
        error: Option<&'a str>,
    },
}

/// Runs every unfinished run of `shard` on `threads` threads. Runs that failed before are
/// tried again. A failing run is recorded in `failed/` and does not stop the others; the
/// caller decides what failures mean for its exit code.
pub fn run_slice(
    sweep: &Sweep,
    layout: &Layout,
    shard: Shard,
    threads: usize,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<SliceOutcome, SweepError> {
    let runs: Vec<RunId> = plan::runs(sweep)
        .into_iter()
        .filter(|r| shard.contains(r))
        .collect();
    layout.create()?;
    layout::write_atomic(&layout.sweep_copy(), sweep.source.as_bytes())?;
    let states = resume::scan(sweep, layout, &runs)?;

    // Leftovers of a killed earlier attempt at these runs: their staging folders and records.
    let names: BTreeSet<String> = runs.iter().map(RunId::name).collect();
    layout::remove_partials(&layout.runs_dir(), |n| names.contains(n))?;
    layout::remove_partials(&layout.failed_dir(), |n| {
        n.strip_suffix(".txt").is_some_and(|n| names.contains(n))
    })?;

    let pending: Vec<RunId> = runs
        .iter()
        .zip(&states)
        .filter(|(_, s)| !matches!(s, State::Done(_)))
        .map(|(r, _)| r.clone())
        .collect();
    let mut outcome = SliceOutcome {
        planned: runs.len(),
        skipped: runs.len() - pending.len(),
        ..SliceOutcome::default()
    };
    progress(Progress::Start {
        planned: outcome.planned,
        skipped: outcome.skipped,
        pending: pending.len(),
    });
    let mut record_error = None;
    pool::for_each(
        &pending,
        threads,
        |r| one_run(sweep, layout, r),
        |r, result| {
            let error = match result {
                Ok(()) => {
                    outcome.finished += 1;
                    None
                }
                Err(RunFailure::Run(e)) => Some(e),
                Err(RunFailure::Record(e)) => {
                    let text = chain(&e);
                    record_error.get_or_insert(e);
                    Some(text)
                }
            };
            progress(Progress::Ended {
                run: r,
                error: error.as_deref(),
            });
            if let Some(e) = error {
                outcome.failed.push((r.clone(), e));
            }
        },
    );
    outcome.failed.sort_by_key(|(r, _)| r.index);
    match record_error {
        // The failure itself could not be recorded: the folder is unusable, say so.
        Some(e) => Err(e),
        None => Ok(outcome),
    }
}

enum RunFailure {
    /// The run failed, and its failure record was written.
    Run(String),
    /// The run's outcome could not be recorded.
    Record(SweepError),
}

/// One run into its folder; a failure is written to its failure record.
fn one_run(sweep: &Sweep, layout: &Layout, r: &RunId) -> Result<(), RunFailure> {
    let point = &sweep.points[r.point];
    let failure = layout.failure_file(r);
    match run::execute(
        &point.scenario,
        r.seed,
        &layout.run_dir(r),
        RunOptions::default(),
        &mut |_, _| {},
    ) {
        Ok(_) => match std::fs::remove_file(&failure) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(RunFailure::Record(super::error::io(failure)(e))),
        },
        Err(e) => {
            let text = chain(&e);
            layout::write_atomic(&failure, format!("{text}\n").as_bytes())
                .map_err(RunFailure::Record)?;
            Err(RunFailure::Run(text))
        }
    }
}

/// What `validate` would refuse in the base scenario of a sweep: a pre-history file that
/// cannot be read, on which every run would fail. (A point that sets another file is tried
/// and, if it fails, recorded as a failed run like any other.)
pub fn preflight(sweep: &Sweep) -> Result<(), SweepError> {
    let base = &sweep.base;
    if !matches!(
        base.scenario.prehistory,
        crate::scenario::PrehistoryCfg::Synthetic { .. }
    ) {
        crate::scenario::build::build(base, sweep.seeds[0]).map_err(|source| SweepError::Base {
            sweep: sweep.path.clone(),
            base: base.path.clone(),
            source: Box::new(source),
        })?;
    }
    Ok(())
}
