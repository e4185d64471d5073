//! `flowsim facts`: the daily stylized facts of simulated runs side by side with a real daily
//! index history (by default the S&P 500 of 2010–2018), so a calibration can be judged on
//! fat tails, volatility clustering and the leverage effect at the daily horizon.
//!
//! A run's daily closes are the last bar close of each simulated day (`bars.csv`); the real
//! closes go through the one history reader. The simulated runs must be seeds of one scenario
//! (the same `scenario_sha256` in their `summary.json`): their spread is then the seeds' noise
//! and nothing else. The real side is the whole sample and every window of it as long as a
//! run (`analysis::facts_compare` says why). Everything is computed before anything is
//! written, and any problem is an error naming the file it concerns.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use thiserror::Error;

use crate::analysis::daily_facts::{DailyFacts, daily_facts, log_returns, windows};
use crate::analysis::facts_compare::{FactRow, compare};
use crate::analysis::path::PricePath;
use crate::history::{Columns, HistoryError, read_daily};
use crate::record::{RecordError, RunRecords};

/// The real history compared with by default.
pub const DEFAULT_REAL: &str = "data/history/sp500.csv";
/// The real sample's default first and last dates (inclusive).
pub const DEFAULT_FROM: &str = "2010-01-01";
pub const DEFAULT_TO: &str = "2018-12-31";
/// Default distance between the starts of consecutive real windows, in trading days (about a
/// month): overlapping windows are all like-sized real samples, and more of them give steadier
/// 5% and 95% quantiles than the eight or nine disjoint years of the default sample.
pub const DEFAULT_STEP: usize = 21;
/// Fewest simulated days of a run (two daily returns).
pub const MIN_DAYS: usize = 3;

#[derive(Debug, Error)]
pub enum FactsError {
    #[error("{path}: no such folder")]
    Missing { path: String },
    #[error(
        "{path}: neither a run folder (no summary.json) nor a sweep's output folder (no runs/)"
    )]
    NotARun { path: String },
    #[error("{path}: a sweep's output folder without a finished run in runs/")]
    EmptySweep { path: String },
    #[error("{path}: cannot list the folder")]
    List {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a run's summary: {message}")]
    Summary { path: String, message: String },
    #[error(transparent)]
    Records(#[from] RecordError),
    #[error("{path}: no instrument {symbol:?} (the run has {have})")]
    NoSymbol {
        path: String,
        symbol: String,
        have: String,
    },
    #[error(
        "{path}: {days} simulated day(s) give {returns} daily return(s); the daily facts need \
         runs of at least {MIN_DAYS} days"
    )]
    TooShort {
        path: String,
        days: usize,
        returns: usize,
    },
    #[error(
        "{first} and {other} are runs of different scenarios (their summary.json's \
         scenario_sha256 differ): compare the seeds of one scenario, for a sweep the run \
         folders of one point (DIR/runs/p0003-seed*)"
    )]
    MixedScenarios { first: String, other: String },
    #[error("{first} and {other} are the same run (seed {seed} of the same scenario)")]
    SameRun {
        first: String,
        other: String,
        seed: u64,
    },
    #[error("no run folder given")]
    NoRuns,
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("the real sample's first date {from} is after its last date {to}")]
    Dates { from: NaiveDate, to: NaiveDate },
    #[error("{file}: {closes} close(s) from {from} to {to}; the real sample needs at least two")]
    RealEmpty {
        file: String,
        from: NaiveDate,
        to: NaiveDate,
        closes: usize,
    },
    #[error(
        "{file}: the real sample from {first} to {last} has {returns} daily returns, fewer \
         than one window of {window} (set a shorter window or a longer sample)"
    )]
    WindowTooLong {
        file: String,
        first: NaiveDate,
        last: NaiveDate,
        returns: usize,
        window: usize,
    },
    #[error("a real window needs at least 2 returns and a step of at least 1 day")]
    BadWindow,
}

/// What to compare.
#[derive(Clone, Debug)]
pub struct FactsSpec {
    /// Run folders, or sweep output folders (every finished run under `runs/`).
    pub inputs: Vec<PathBuf>,
    /// The instrument; default: the first run's first instrument.
    pub symbol: Option<String>,
    /// The real daily history (a date and a close column).
    pub real: PathBuf,
    /// The real sample's first and last dates, inclusive; `None`: the file's own.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Returns per real window; `None`: the runs' median number of returns.
    pub window: Option<usize>,
    /// Trading days between the starts of consecutive real windows.
    pub step: usize,
}

/// One simulated run.
#[derive(Clone, Debug, PartialEq)]
pub struct SimRun {
    pub dir: PathBuf,
    pub seed: u64,
    pub days: usize,
    pub facts: DailyFacts,
}

/// The real side.
#[derive(Clone, Debug, PartialEq)]
pub struct RealSample {
    pub file: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub facts: DailyFacts,
    /// Returns per window, and the distance between window starts.
    pub window: usize,
    pub step: usize,
    pub windows: Vec<DailyFacts>,
}

/// The comparison: the runs, the real sample and a row per statistic.
#[derive(Clone, Debug, PartialEq)]
pub struct FactsReport {
    pub symbol: String,
    pub runs: Vec<SimRun>,
    pub real: RealSample,
    pub rows: Vec<FactRow>,
}

/// The run folders named by `inputs`: a run folder (it holds `summary.json`) as it is, a
/// sweep's output folder as its finished runs under `runs/` in name order (hidden partial
/// folders and unfinished runs left out).
pub fn run_folders(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, FactsError> {
    let mut out = Vec::new();
    for p in inputs {
        let path = p.display().to_string();
        if !p.is_dir() {
            return Err(FactsError::Missing { path });
        }
        if p.join("summary.json").is_file() {
            out.push(p.clone());
            continue;
        }
        let runs = p.join("runs");
        if !runs.is_dir() {
            return Err(FactsError::NotARun { path });
        }
        let list = |source| FactsError::List {
            path: runs.display().to_string(),
            source,
        };
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&runs).map_err(list)? {
            let dir = entry.map_err(list)?.path();
            let hidden = dir
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !hidden && dir.join("summary.json").is_file() {
                found.push(dir);
            }
        }
        if found.is_empty() {
            return Err(FactsError::EmptySweep { path });
        }
        found.sort();
        out.extend(found);
    }
    if out.is_empty() {
        return Err(FactsError::NoRuns);
    }
    Ok(out)
}

/// The parts of `summary.json` that say which run a folder is.
#[derive(Deserialize)]
struct Identity {
    scenario_sha256: String,
    seed: u64,
}

fn identity(dir: &Path) -> Result<Identity, FactsError> {
    let path = dir.join("summary.json");
    let err = |message: String| FactsError::Summary {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

/// The daily closes of `symbol` (default: the run's first instrument) in a run folder, and the
/// symbol read.
pub fn run_closes(dir: &Path, symbol: Option<&str>) -> Result<(String, Vec<f64>), FactsError> {
    let records = RunRecords::read_bars(dir)?;
    let symbol = symbol.unwrap_or(&records.symbols[0]).to_string();
    let Some(i) = records.symbols.iter().position(|s| *s == symbol) else {
        return Err(FactsError::NoSymbol {
            path: dir.join("bars.csv").display().to_string(),
            symbol,
            have: records.symbols.join(", "),
        });
    };
    let closes = PricePath::new(&records.bars, i as u16).daily_closes();
    Ok((symbol, closes))
}

fn read_runs(dirs: &[PathBuf], symbol: Option<&str>) -> Result<(String, Vec<SimRun>), FactsError> {
    let mut symbol = symbol.map(String::from);
    let mut runs: Vec<SimRun> = Vec::with_capacity(dirs.len());
    let mut ids: Vec<Identity> = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let id = identity(dir)?;
        let shown = |d: &Path| d.display().to_string();
        if let Some(first) = ids.first() {
            if first.scenario_sha256 != id.scenario_sha256 {
                return Err(FactsError::MixedScenarios {
                    first: shown(&runs[0].dir),
                    other: shown(dir),
                });
            }
        }
        if let Some(k) = ids.iter().position(|o| o.seed == id.seed) {
            return Err(FactsError::SameRun {
                first: shown(&runs[k].dir),
                other: shown(dir),
                seed: id.seed,
            });
        }
        let (sym, closes) = run_closes(dir, symbol.as_deref())?;
        symbol = Some(sym);
        let returns = log_returns(&closes);
        if closes.len() < MIN_DAYS {
            return Err(FactsError::TooShort {
                path: shown(dir),
                days: closes.len(),
                returns: returns.len(),
            });
        }
        runs.push(SimRun {
            dir: dir.clone(),
            seed: id.seed,
            days: closes.len(),
            facts: daily_facts(&returns),
        });
        ids.push(id);
    }
    Ok((symbol.unwrap_or_default(), runs))
}

/// The real sample from `from` to `to` (inclusive) and its windows of `window` returns.
pub fn real_sample(
    file: &Path,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    window: usize,
    step: usize,
) -> Result<RealSample, FactsError> {
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(FactsError::Dates { from, to });
        }
    }
    if window < 2 || step == 0 {
        return Err(FactsError::BadWindow);
    }
    let h = read_daily(file, &Columns::default())?;
    let lo = from.map_or(0, |d| h.dates.partition_point(|&x| x < d));
    let hi = to.map_or(h.len(), |d| h.dates.partition_point(|&x| x <= d));
    let hi = hi.max(lo);
    if hi - lo < 2 {
        return Err(FactsError::RealEmpty {
            from: from.unwrap_or(h.dates[0]),
            to: to.unwrap_or(h.dates[h.len() - 1]),
            closes: hi - lo,
            file: h.file,
        });
    }
    let returns = log_returns(&h.close[lo..hi]);
    let (first, last) = (h.dates[lo], h.dates[hi - 1]);
    if returns.len() < window {
        return Err(FactsError::WindowTooLong {
            file: h.file,
            first,
            last,
            returns: returns.len(),
            window,
        });
    }
    Ok(RealSample {
        file: h.file,
        first,
        last,
        facts: daily_facts(&returns),
        window,
        step,
        windows: windows(&returns, window, step),
    })
}

/// Reads the runs and the real history and compares them.
pub fn measure(spec: &FactsSpec) -> Result<FactsReport, FactsError> {
    let dirs = run_folders(&spec.inputs)?;
    let (symbol, runs) = read_runs(&dirs, spec.symbol.as_deref())?;
    let window = spec.window.unwrap_or_else(|| {
        let mut n: Vec<usize> = runs.iter().map(|r| r.facts.returns).collect();
        n.sort_unstable();
        n[(n.len() - 1) / 2]
    });
    let real = real_sample(&spec.real, spec.from, spec.to, window, spec.step)?;
    let sim: Vec<DailyFacts> = runs.iter().map(|r| r.facts).collect();
    let rows = compare(&sim, &real.facts, &real.windows);
    Ok(FactsReport {
        symbol,
        runs,
        real,
        rows,
    })
}

impl FactsReport {
    /// The table as CSV: a row per statistic (`statistic`, the flowsim median, interval and
    /// its kind, seeds, the real full sample, the real windows' median, 5% and 95% and count,
    /// then a `seed_N` column per run); an undefined value is an empty cell.
    pub fn csv(&self) -> Vec<u8> {
        let cell = |v: f64| {
            if v.is_finite() {
                v.to_string()
            } else {
                String::new()
            }
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = [
            "statistic",
            "flowsim_median",
            "flowsim_lo",
            "flowsim_hi",
            "flowsim_interval",
            "seeds",
            "real_full",
            "real_windows_median",
            "real_windows_p05",
            "real_windows_p95",
            "real_windows",
        ]
        .map(String::from)
        .to_vec();
        header.extend(self.runs.iter().map(|r| format!("seed_{}", r.seed)));
        let mut records = vec![header];
        for row in &self.rows {
            let mut rec = vec![
                row.stat.name().to_string(),
                cell(row.sim.median),
                cell(row.sim.lo),
                cell(row.sim.hi),
                row.sim.interval.name().to_string(),
                row.sim.count.to_string(),
                cell(row.real_full),
                cell(row.real_windows.median),
                cell(row.real_windows.lo),
                cell(row.real_windows.hi),
                row.real_windows.count.to_string(),
            ];
            rec.extend(row.per_seed.iter().map(|&v| cell(v)));
            records.push(rec);
        }
        for rec in &records {
            w.write_record(rec).expect("writing CSV into memory");
        }
        w.into_inner().expect("writing CSV into memory")
    }
}
