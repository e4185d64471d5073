//! `flowsim claims`: each claim of the seed notes measured on its experiment and its null,
//! over many seeds, into one table with intervals and verdicts.
//!
//! The runs are sweeps (one per experiment and variant, a single point each), so they run on
//! every core, resume where a killed command stopped, and are each `run::execute` of their
//! scenario and seed like any other run. The table is then a function of the run folders
//! alone: every claim's statistic is read from each run's tables (`statistic`), the seeds'
//! values are summarised and judged (`verdict`) and written out (`table`).

mod file;
pub mod statistic;
mod table;
mod verdict;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use file::{
    Claim, Claims, EffectSign, Expect, Experiment, FACTUAL, MIN_SEEDS, Test, Variant, load,
};
pub use table::{Row, Values, claims_csv, claims_md, parse_values, rows, values_csv};
pub use verdict::{Measured, Verdict, judge, measure, num};

use crate::record::RunRecords;
use crate::scenario::{Sweep, SweepPoint};
use crate::sweep::{self, Layout, Progress, RunId, Shard, SweepError};

#[derive(Debug, Error)]
pub enum ClaimsError {
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(
        "{} runs failed ({}); their errors are in the `failed/` folder of each variant under {}",
        .runs.len(),
        .runs.join(", "),
        .dir.display()
    )]
    Failed { dir: PathBuf, runs: Vec<String> },
    #[error("{}: cannot read the run's tables", .path.display())]
    Records {
        path: PathBuf,
        #[source]
        source: crate::record::RecordError,
    },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Whether the file at `path` is a claims file rather than a scenario: TOML with a list of
/// `[[claims]]` or `[[measures]]`. Unreadable or malformed files are not, so that loading them
/// as a scenario reports the problem.
pub fn is_claims_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|t| {
            ["claims", "measures"]
                .iter()
                .any(|k| t.get(*k).is_some_and(toml::Value::is_array))
        })
}

/// The (experiment, variant) pairs some claim reads, in file order: the factual scenario of
/// every experiment a claim uses, and each null named.
pub fn needed(claims: &Claims) -> Vec<(usize, usize)> {
    let mut set = BTreeSet::new();
    for c in &claims.claims {
        if let Test::Measured {
            experiment, null, ..
        } = &c.test
        {
            set.insert((*experiment, 0));
            if let Some(n) = null {
                set.insert((*experiment, *n));
            }
        }
    }
    set.into_iter().collect()
}

/// The folder of one variant's runs under `runs`.
pub fn variant_dir(runs: &Path, e: &Experiment, v: &Variant) -> PathBuf {
    runs.join(&e.name).join(&v.name)
}

/// How many of the runs the claims need are not finished under `runs` yet (a run folder
/// exists only once its run is complete), so a resumed command is costed for what is left.
pub fn pending(claims: &Claims, runs: &Path) -> usize {
    needed(claims)
        .into_iter()
        .map(|(e, v)| {
            let layout = Layout::new(variant_dir(
                runs,
                &claims.experiments[e],
                &claims.experiments[e].variants[v],
            ));
            claims
                .seeds
                .iter()
                .enumerate()
                .filter(|&(k, &seed)| {
                    let id = RunId {
                        index: k,
                        point: 0,
                        seed,
                    };
                    !layout.run_dir(&id).join("summary.json").is_file()
                })
                .count()
        })
        .sum()
}

/// A variant as a one-point sweep, so the sweep machinery runs, resumes and checks it.
fn as_sweep(claims: &Claims, v: &Variant) -> Sweep {
    Sweep {
        path: claims.path.clone(),
        source: claims.source.clone(),
        description: v.describe.clone(),
        base: v.scenario.clone(),
        parameters: Vec::new(),
        seeds: claims.seeds.clone(),
        points: vec![SweepPoint {
            overrides: Vec::new(),
            scenario: v.scenario.clone(),
            values: Vec::new(),
        }],
    }
}

/// What running the claims did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub planned: usize,
    pub skipped: usize,
    pub finished: usize,
}

/// Runs every run the claims need that is not already in `runs` (on `threads` threads),
/// telling `progress` which variant is running. Fails, after every run was tried, if any
/// failed: a table with missing seeds would be a different table.
pub fn run(
    claims: &Claims,
    runs: &Path,
    threads: usize,
    progress: &mut dyn FnMut(&str, Progress<'_>),
) -> Result<Outcome, ClaimsError> {
    let mut outcome = Outcome::default();
    let mut failed = Vec::new();
    for (e, v) in needed(claims) {
        let (exp, var) = (&claims.experiments[e], &claims.experiments[e].variants[v]);
        let layout = Layout::new(variant_dir(runs, exp, var));
        let _lock = sweep::lock(&layout, true)?;
        let s = as_sweep(claims, var);
        sweep::preflight(&s)?;
        let label = format!("{}/{}", exp.name, var.name);
        let slice = sweep::run_slice(&s, &layout, Shard::ALL, threads, &mut |p| {
            progress(&label, p)
        })?;
        outcome.planned += slice.planned;
        outcome.skipped += slice.skipped;
        outcome.finished += slice.finished;
        failed.extend(
            slice
                .failed
                .iter()
                .map(|(r, _)| format!("{label}/{}", r.name())),
        );
    }
    if !failed.is_empty() {
        return Err(ClaimsError::Failed {
            dir: runs.to_path_buf(),
            runs: failed,
        });
    }
    Ok(outcome)
}

/// Every claim's statistic in every run it reads, from the run folders under `runs`.
pub fn collect(claims: &Claims, runs: &Path) -> Result<Values, ClaimsError> {
    let mut values = Values::new();
    for (e, v) in needed(claims) {
        let (exp, var) = (&claims.experiments[e], &claims.experiments[e].variants[v]);
        let readers: Vec<&Claim> = claims
            .claims
            .iter()
            .filter(|c| match &c.test {
                Test::Measured {
                    experiment, null, ..
                } => *experiment == e && (v == 0 || *null == Some(v)),
                Test::NotTestable(_) => false,
            })
            .collect();
        let layout = Layout::new(variant_dir(runs, exp, var));
        for (k, &seed) in claims.seeds.iter().enumerate() {
            let dir = layout.run_dir(&RunId {
                index: k,
                point: 0,
                seed,
            });
            let records = RunRecords::read(&dir).map_err(|source| ClaimsError::Records {
                path: dir.clone(),
                source,
            })?;
            for c in &readers {
                if let Test::Measured { statistic, .. } = &c.test {
                    values
                        .entry((c.id, var.name.clone()))
                        .or_insert_with(|| vec![f64::NAN; claims.seeds.len()])[k] =
                        statistic.value(&records);
                }
            }
        }
    }
    Ok(values)
}

/// Writes `CLAIMS.md`, `claims.csv` and `values.csv` into `out` (created if needed), each
/// file atomically.
pub fn write(claims: &Claims, values: &Values, out: &Path) -> Result<Vec<Row>, ClaimsError> {
    let rows = rows(claims, values);
    std::fs::create_dir_all(out).map_err(|source| ClaimsError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    for (name, text) in [
        ("CLAIMS.md", claims_md(claims, &rows)),
        ("claims.csv", claims_csv(claims, &rows)),
        ("values.csv", values_csv(claims, values)),
    ] {
        let path = out.join(name);
        crate::atomic::write_bytes(&path, text.as_bytes())
            .map_err(|source| ClaimsError::Io { path, source })?;
    }
    Ok(rows)
}
