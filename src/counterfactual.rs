//! Counterfactual ablation: a scenario run twice with the same seed, with and without some
//! agent classes. Every remaining agent keeps its random stream, so the difference between the
//! two price paths is what the removed classes did, directly and through everyone's reaction.
//!
//! The result is one folder holding both run folders (`with/`, `without/`), the comparison
//! (`ablation.json`) and the price difference path (`difference.csv`); like a run folder it
//! appears only when complete.

use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::agents::AgentClass;
use crate::analysis::ablation::Ablation;
use crate::record::{RecordError, RunRecords};
use crate::run::{self, Finished, RunError, RunOptions};
use crate::scenario::{LoadedScenario, ablate};

#[derive(Debug, Error)]
pub enum AblateError {
    #[error("{0} already exists: choose another --out, or pass --force to replace it")]
    Exists(PathBuf),
    #[error(
        "{0} exists and is not an ablation folder (no ablation.json): --force replaces only \
         an ablation folder; choose another --out"
    )]
    NotAnAblation(PathBuf),
    #[error("the scenario has no {0} agents to remove")]
    Absent(&'static str),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error("encoding the counterfactual scenario: {0}")]
    Encode(String),
}

/// The comparison of one instrument.
#[derive(Clone, Debug, Serialize)]
pub struct InstrumentAblation {
    pub symbol: String,
    pub drawdown_with: f64,
    pub drawdown_without: f64,
    /// Drawdown with the classes over drawdown without (> 1: they amplified the fall).
    pub drawdown_amplification: f64,
    pub rally_with: f64,
    pub rally_without: f64,
    pub rally_amplification: f64,
    /// Largest |price with / price without − 1| along the path, and the final one.
    pub max_abs_difference: f64,
    pub final_difference: f64,
    /// The signed difference (price with / price without − 1) where its size is largest:
    /// negative when the price with the classes is lower. Ties go to the earliest bar.
    pub largest_difference: f64,
    /// Day and bar of [`Self::largest_difference`].
    pub largest_difference_day: u32,
    pub largest_difference_bar: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct AblationSummary {
    pub scenario: String,
    pub seed: u64,
    pub without: Vec<&'static str>,
    pub instruments: Vec<InstrumentAblation>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AblateError + '_ {
    move |source| AblateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Index of the difference of largest size (the first of equals), `None` for an empty path.
pub fn largest_index(diff: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (k, d) in diff.iter().enumerate() {
        if best.is_none_or(|b| d.abs() > diff[b].abs()) {
            best = Some(k);
        }
    }
    best
}

/// `loaded` without the agents of `classes`, with its text: the scenario as TOML under a
/// comment naming its source, which the run copies and hashes (so `flowsim ablate` and
/// `flowsim claims` write the same counterfactual for the same scenario).
pub fn without(
    loaded: &LoadedScenario,
    classes: &[AgentClass],
) -> Result<LoadedScenario, AblateError> {
    let counter = ablate::without(&loaded.scenario, classes);
    let text = toml::to_string(&counter).map_err(|e| AblateError::Encode(e.to_string()))?;
    let source = format!(
        "# Counterfactual of {} without {} (written by flowsim ablate).\n{text}",
        loaded.path.display(),
        classes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(LoadedScenario {
        scenario: counter,
        path: loaded.path.clone(),
        source,
    })
}

/// Runs `loaded` with and without `classes` (classes the scenario lacks are skipped; all of
/// them lacking is an error) into `out`; with `report`, also the ablation's `report.html` and
/// charts, and the factual run's report with its counterfactual.
pub fn ablate_run(
    loaded: &LoadedScenario,
    classes: &[AgentClass],
    seed: u64,
    out: &Path,
    force: bool,
    report: bool,
    on_day: &mut dyn FnMut(u32),
) -> Result<(PathBuf, AblationSummary), AblateError> {
    let removed: Vec<AgentClass> = classes
        .iter()
        .copied()
        .filter(|&c| ablate::has(&loaded.scenario, c))
        .collect();
    if removed.is_empty() {
        return Err(AblateError::Absent(
            classes.first().map_or("any", |c| c.as_str()),
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(out) {
        if !force {
            return Err(AblateError::Exists(out.to_path_buf()));
        }
        if !(meta.is_dir() && out.join("ablation.json").is_file()) {
            return Err(AblateError::NotAnAblation(out.to_path_buf()));
        }
    }
    let counter = without(loaded, &removed)?;
    let io_error = |path: &Path, e| io(path)(e);
    let summary = crate::atomic::create_dir_via(out, io_error, |tmp| {
        // Reports are drawn once both runs exist (the factual one shows its counterfactual).
        let opts = RunOptions::default();
        let days = loaded.scenario.days;
        let a: Finished =
            run::execute(loaded, seed, &tmp.join("with"), opts, &mut |d, _| on_day(d))?;
        let b: Finished = run::execute(&counter, seed, &tmp.join("without"), opts, &mut |d, _| {
            on_day(days + d)
        })?;
        // The comparison needs only the price paths.
        let ra = RunRecords::read_bars(&a.dest)?;
        let rb = RunRecords::read_bars(&b.dest)?;
        let mut instruments = Vec::new();
        let mut csv = String::from("instrument,day,bar,price_with,price_without,difference\n");
        for (i, sym) in ra.symbols.iter().enumerate() {
            let ab = Ablation::new(&ra.bars, &rb.bars, i as u16);
            let diff = ab.difference();
            let largest = largest_index(&diff);
            for (k, d) in diff.iter().enumerate() {
                let (day, bar) = ab.at[k];
                csv.push_str(&format!(
                    "{sym},{day},{bar},{},{},{d}\n",
                    ab.with[k], ab.without[k]
                ));
            }
            instruments.push(InstrumentAblation {
                symbol: sym.clone(),
                drawdown_with: ab.drawdown_with,
                drawdown_without: ab.drawdown_without,
                drawdown_amplification: ab.drawdown_amplification(),
                rally_with: ab.rally_with,
                rally_without: ab.rally_without,
                rally_amplification: ab.rally_amplification(),
                max_abs_difference: diff.iter().fold(0.0, |m, d| m.max(d.abs())),
                final_difference: diff.last().copied().unwrap_or(0.0),
                largest_difference: largest.map_or(0.0, |k| diff[k]),
                largest_difference_day: largest.map_or(0, |k| ab.at[k].0),
                largest_difference_bar: largest.map_or(0, |k| ab.at[k].1),
            });
        }
        let summary = AblationSummary {
            scenario: loaded.scenario.name.clone(),
            seed,
            without: removed.iter().map(|c| c.as_str()).collect(),
            instruments,
        };
        let json = serde_json::to_string_pretty(&summary)
            .map_err(|e| AblateError::Encode(e.to_string()))?
            + "\n";
        let p = tmp.join("ablation.json");
        std::fs::write(&p, json).map_err(io(&p))?;
        let p = tmp.join("difference.csv");
        std::fs::write(&p, csv).map_err(io(&p))?;
        if report {
            crate::report::write_ablation_report(tmp, &summary)?;
        }
        Ok::<_, AblateError>(summary)
    })?;
    Ok((out.to_path_buf(), summary))
}
