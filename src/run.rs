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
        CalibrationRecorder::new(
            s.instruments.len(),
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
        sim.agents().len(),
        outcome,
    );
    writer.write_file("summary.json", summary.to_json().as_bytes())?;
    let calibration = match recorder {
        Some(r) => {
            let summaries = r.finish();
            let mut text = String::new();
            for (ins, c) in s.instruments.iter().zip(&summaries) {
                text.push_str(&format!(
                    "calibration summary of {} (ticks of {}):\n{c}\n",
                    ins.symbol, ins.tick_size
                ));
            }
            let json = serde_json::to_string_pretty(&summaries).map_err(RunError::Encode)? + "\n";
            writer.write_file("calibration.json", json.as_bytes())?;
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
