//! One run: a checked scenario and a seed in, a finished run folder out.
//!
//! `flowsim run` and every run of a sweep go through [`execute`], so a sweep's run folder is
//! byte-identical to the same scenario and seed run alone: there is only one way to make one.
//! Nothing here depends on the thread, the process or the clock except the progress callback,
//! which is told about days and never changes what is written.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::analysis::run_calibration::CalibrationRecorder;
use crate::market::{RunCounts, SimError};
use crate::record::{RecordError, RecordSink, RunWriter, Summary, Tee};
use crate::scenario::LoadedScenario;
use crate::scenario::build::{self, BuildError};

/// Levels of depth the calibration summary describes.
const CALIBRATION_LEVELS: usize = 5;

#[derive(Debug, Error)]
pub enum RunError {
    #[error("building {file}")]
    Build {
        file: PathBuf,
        #[source]
        source: BuildError,
    },
    #[error("running {file}")]
    Sim {
        file: PathBuf,
        #[source]
        source: SimError,
    },
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("encoding the calibration summary")]
    Encode(#[source] serde_json::Error),
    #[error("writing the report")]
    Report(#[source] crate::report::ReportError),
}

/// How a run is written, beyond its scenario and seed.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Replace an existing folder at the destination.
    pub force: bool,
    /// Also compute the book calibration summary (`calibration.json`, `calibration.txt`).
    pub calibration: bool,
    /// Also draw the charts and write `report.html` (analysis of the run's own files). Not
    /// with [`Tables::Sweep`](crate::record::Tables::Sweep), which lacks the tables it needs.
    pub report: bool,
    /// Override the scenario's `[record] tables`.
    pub tables: Option<crate::record::Tables>,
}

/// What a finished run wrote and its key numbers.
#[derive(Debug)]
pub struct Finished {
    pub dest: PathBuf,
    pub summary: Summary,
    /// The calibration summary as text, when it was asked for.
    pub calibration: Option<String>,
}

/// Runs `loaded` with `seed` into the folder `out`, which appears only when the run is
/// complete. The scenario's text is copied into the folder as `scenario.toml` and hashed into
/// `summary.json`, so a folder says exactly what produced it. `on_day` is called after each
/// simulated day with the counts so far (for progress bars).
pub fn execute(
    loaded: &LoadedScenario,
    seed: u64,
    out: &Path,
    options: RunOptions,
    on_day: &mut dyn FnMut(u32, &RunCounts),
) -> Result<Finished, RunError> {
    let s = &loaded.scenario;
    // Build before creating the folder, so a scenario that cannot be built leaves nothing.
    let mut sim = build::build(loaded, seed).map_err(|source| RunError::Build {
        file: loaded.path.clone(),
        source,
    })?;
    let dates = build::simulated_dates(s, loaded.base_dir()).map_err(|source| RunError::Build {
        file: loaded.path.clone(),
        source,
    })?;
    let symbols = s.instruments.iter().map(|i| i.symbol.clone()).collect();
    let tables = options.tables.unwrap_or(s.record.tables);
    let mut writer = RunWriter::create_with(out, symbols, options.force, s.record.parquet, tables)?;
    writer.write_file("scenario.toml", loaded.source.as_bytes())?;
    // Day k of the records is the k-th date of the run's calendar (after a dated pre-history,
    // the k-th trading day after its last date; otherwise from `start_date`).
    let mut text = String::from("day,date\n");
    for (k, d) in dates.iter().enumerate() {
        text.push_str(&format!("{},{d}\n", k + 1));
    }
    writer.write_file("calendar.csv", text.as_bytes())?;
    let start_date = dates.first().map(|d| d.to_string());
    writer.set_clock(crate::record::RecordClock::new(dates));

    let mut recorder = options.calibration.then(|| {
        let sizes: Vec<(f64, f64)> = s
            .instruments
            .iter()
            .map(|i| (i.tick_size, i.notional_per_unit))
            .collect();
        CalibrationRecorder::new(
            &sizes,
            CALIBRATION_LEVELS,
            &build::calendar(&s.calendar, s.days),
        )
    });
    let mut tee;
    let sink: &mut dyn RecordSink = match recorder.as_mut() {
        Some(r) => {
            tee = Tee {
                first: &mut writer,
                second: r,
            };
            &mut tee
        }
        None => &mut writer,
    };
    let outcome = sim.run(sink, on_day).map_err(|source| RunError::Sim {
        file: loaded.path.clone(),
        source,
    })?;
    let summary = Summary::new(
        &s.name,
        &loaded.source,
        seed,
        s.days,
        start_date,
        sim.agent_count(),
        outcome,
    );
    writer.write_file("summary.json", summary.to_json().as_bytes())?;
    let calibration = match recorder {
        Some(r) => {
            let (summaries, days) = r.finish();
            let mut text = String::new();
            for ((ins, c), d) in s.instruments.iter().zip(&summaries).zip(&days) {
                text.push_str(&format!(
                    "calibration summary of {} (ticks of {}):\n{c}\n{d}\n",
                    ins.symbol, ins.tick_size
                ));
            }
            let json = serde_json::to_string_pretty(&summaries).map_err(RunError::Encode)? + "\n";
            writer.write_file("calibration.json", json.as_bytes())?;
            let json = serde_json::to_string_pretty(&days).map_err(RunError::Encode)? + "\n";
            writer.write_file("market.json", json.as_bytes())?;
            writer.write_file("calibration.txt", text.as_bytes())?;
            Some(text)
        }
        None => None,
    };
    if options.report && tables == crate::record::Tables::All {
        writer.flush_csv()?;
        crate::report::write_run_report(writer.staging_dir()).map_err(RunError::Report)?;
    }
    let dest = writer.finish()?;
    Ok(Finished {
        dest,
        summary,
        calibration,
    })
}

/// Why [`validate_file`] refused a file.
#[derive(Debug, Error)]
pub enum ValidateError {
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    #[error(transparent)]
    Sweep(#[from] crate::scenario::SweepFileError),
    #[error(transparent)]
    Build(Box<BuildError>),
    #[error("{file}: building {point} with seed {seed}")]
    Point {
        file: PathBuf,
        point: String,
        seed: u64,
        #[source]
        source: Box<BuildError>,
    },
}

/// Checks a scenario, sweep or claims file without running it (`flowsim validate`): a
/// scenario is parsed, validated and built (agents, pre-history); a sweep file (recognised by
/// its `scenario` key) is parsed and validated, and every point's scenario built with the
/// sweep's first seed; a claims file (recognised by its `[[claims]]`) is checked as `flowsim
/// claims` checks it, and every variant it runs built with its first seed. Returns a line describing the file and its cost estimate.
pub fn validate_file(path: &Path) -> Result<String, ValidateError> {
    if crate::scenario::is_sweep_file(path) {
        validate_sweep(path)
    } else if crate::claims::is_claims_file(path) {
        validate_claims(path)
    } else {
        validate_scenario(path)
    }
}

fn validate_claims(path: &Path) -> Result<String, ValidateError> {
    let c = crate::claims::load(path)?;
    let needed = crate::claims::needed(&c);
    for &(e, v) in &needed {
        let variant = &c.experiments[e].variants[v];
        build::build(&variant.scenario, c.seeds[0]).map_err(|source| ValidateError::Point {
            file: path.to_path_buf(),
            point: format!("{}/{}", c.experiments[e].name, variant.name),
            seed: c.seeds[0],
            source: Box::new(source),
        })?;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let est = crate::estimate::runs(
        needed
            .iter()
            .map(|&(e, v)| &c.experiments[e].variants[v].scenario.scenario),
        c.seeds.len() as u64,
        threads,
    );
    Ok(format!(
        "claims: {} claims and measures on {} experiment variants × {} seeds; {est} on {threads} thread{}",
        c.claims.len(),
        needed.len(),
        c.seeds.len(),
        if threads == 1 { "" } else { "s" }
    ))
}

fn validate_scenario(path: &Path) -> Result<String, ValidateError> {
    let l = crate::scenario::load(path)?;
    build::build(&l, l.scenario.seed).map_err(|e| ValidateError::Build(Box::new(e)))?;
    Ok(format!(
        "{}: {} days, {} instruments; {}",
        l.scenario.name,
        l.scenario.days,
        l.scenario.instruments.len(),
        crate::estimate::run(&l.scenario)
    ))
}

fn validate_sweep(path: &Path) -> Result<String, ValidateError> {
    use crate::scenario::overrides::display_value;
    let s = crate::scenario::load_sweep(path)?;
    let seed = s.seeds[0];
    for (i, point) in s.points.iter().enumerate() {
        build::build(&point.scenario, seed).map_err(|source| {
            let set: Vec<String> = point
                .overrides
                .iter()
                .map(|(p, v)| format!("{p} = {}", display_value(v)))
                .collect();
            let point = if set.is_empty() {
                format!("point {i}")
            } else {
                format!("point {i} ({})", set.join(", "))
            };
            ValidateError::Point {
                file: path.to_path_buf(),
                point,
                seed,
                source: Box::new(source),
            }
        })?;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let est = crate::estimate::runs(
        s.points.iter().map(|p| &p.scenario.scenario),
        s.seeds.len() as u64,
        threads,
    );
    Ok(format!(
        "sweep of {}: {} points x {} seeds = {} runs; {est} on {threads} threads",
        s.base.path.display(),
        s.points.len(),
        s.seeds.len(),
        s.runs()
    ))
}
