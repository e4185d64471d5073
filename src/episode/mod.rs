//! `flowsim episode`: a real episode decomposed by class.
//!
//! The scenario starts from a real state (a dated history pre-history) and runs the trading
//! days that follow it. For each seed the fundamental value is inferred so that the market
//! with every agent closes where the real index closed (`track`); the same fundamental path is
//! then run without each mechanical class and without all of them, and what each removal
//! changes is that class's share of the real move (`table`, `chart`). The split is the model's:
//! the inferred fundamental absorbs whatever the agents do not explain.

pub mod chart;
pub mod table;
pub mod track;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use thiserror::Error;

pub use track::{Closes, Iteration, Outcome, SeedResult};

use crate::agents::AgentClass;
use crate::history::{Columns, TradingCalendar, read_daily};
use crate::scenario::{LoadedScenario, PrehistoryCfg, ablate, build};

#[derive(Debug, Error)]
pub enum EpisodeError {
    #[error("{}: `{field}` {message}", .file.display())]
    Scenario {
        file: PathBuf,
        field: String,
        message: String,
    },
    #[error(transparent)]
    Build(build::BuildError),
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
    #[error("seed {seed}: {source}")]
    Sim {
        seed: u64,
        #[source]
        source: crate::market::sim::SimError,
    },
    #[error("seed {seed}: the run ended before its last day")]
    ShortRun { seed: u64 },
    #[error("no iteration was run (max_iterations is 0)")]
    NoIterations,
    #[error(
        "{}: written for another episode (other scenario text, classes or settings); \
         choose another --out or remove the folder",
        .path.display()
    )]
    Foreign { path: PathBuf },
    #[error("{}: {message}", .path.display())]
    Corrupt { path: PathBuf, message: String },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
}

/// A set of classes removed together, with the label its rows and columns carry.
#[derive(Clone, Debug, PartialEq)]
pub struct Removal {
    pub label: String,
    pub classes: Vec<AgentClass>,
}

/// An episode ready to run: the scenario, the real closes it must track and the settings.
#[derive(Clone, Debug)]
pub struct Spec {
    pub loaded: LoadedScenario,
    /// The simulated days' dates (the trading days after the pre-history's last date).
    pub dates: Vec<NaiveDate>,
    /// The last pre-history date and each instrument's initial price (the close on that date,
    /// to which the real closes are rescaled).
    pub start_date: NaiveDate,
    pub start: Vec<f64>,
    /// Real closes of each instrument on the simulated days, on the scale of the initial price.
    pub real: Closes,
    /// The classes removed one at a time (all of them together are removed too).
    pub classes: Vec<AgentClass>,
    pub tolerance: f64,
    pub max_iterations: usize,
    /// Digest of everything a seed's result depends on but its seed.
    pub key: String,
}

impl Spec {
    /// Each class alone, then all of them (`mechanical`) when there is more than one.
    pub fn removals(&self) -> Vec<Removal> {
        let mut out: Vec<Removal> = self
            .classes
            .iter()
            .map(|&c| Removal {
                label: c.as_str().to_string(),
                classes: vec![c],
            })
            .collect();
        if self.classes.len() > 1 {
            out.push(Removal {
                label: ALL_REMOVED.into(),
                classes: self.classes.clone(),
            });
        }
        out
    }

    pub fn symbols(&self) -> Vec<String> {
        self.loaded
            .scenario
            .instruments
            .iter()
            .map(|i| i.symbol.clone())
            .collect()
    }
}

/// The label of the run without every removed class: the flow-free path.
pub const ALL_REMOVED: &str = "mechanical";

/// Settings a user chooses on the command line.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The classes to remove one at a time (those the scenario lacks are skipped); `None`:
    /// every mechanical class.
    pub classes: Option<Vec<AgentClass>>,
    pub tolerance: f64,
    pub max_iterations: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            classes: None,
            tolerance: 0.001,
            max_iterations: 20,
        }
    }
}

/// Reads the real closes of the days after the scenario's pre-history and checks that the
/// scenario can be an episode.
pub fn prepare(loaded: LoadedScenario, settings: &Settings) -> Result<Spec, EpisodeError> {
    let s = &loaded.scenario;
    let refuse = |field: &str, message: String| EpisodeError::Scenario {
        file: loaded.path.clone(),
        field: field.into(),
        message,
    };
    let (files, close_column) = match &s.prehistory {
        PrehistoryCfg::History {
            files,
            close_column,
            ..
        } => (files, close_column),
        _ => {
            return Err(refuse(
                "prehistory.kind",
                "must be \"history\": an episode tracks the real closes that follow the \
                 pre-history in its files"
                    .into(),
            ));
        }
    };
    if !s.shocks.is_empty() || !s.flows.is_empty() {
        return Err(refuse(
            if s.shocks.is_empty() {
                "flows"
            } else {
                "shocks"
            },
            "must be empty: an episode's news is the inferred fundamental path".into(),
        ));
    }
    if let Some(ins) = s
        .instruments
        .iter()
        .find(|i| !i.fundamental_closes.is_empty())
    {
        return Err(refuse(
            "instruments.fundamental_closes",
            format!(
                "is set for {}: an episode infers the fundamental path itself",
                ins.symbol
            ),
        ));
    }
    let pre = build::real_prehistory(s, loaded.base_dir()).map_err(EpisodeError::Build)?;
    let dates = TradingCalendar::days_after(pre.last_date, s.days as usize);
    let mut real = Vec::new();
    let mut start = Vec::new();
    for ins in &s.instruments {
        let path = loaded
            .base_dir()
            .join(files.get(&ins.symbol).map_or("", String::as_str));
        let h = read_daily(&path, &Columns::close(close_column))?;
        let at = h.dates.partition_point(|&d| d <= pre.last_date);
        let last = h.close[at - 1];
        let after = &h.dates[at..];
        if after.len() < dates.len() || after[..dates.len()] != dates[..] {
            let have = after.iter().zip(&dates).take_while(|(a, b)| a == b).count();
            return Err(refuse(
                "days",
                format!(
                    "asks for {} trading days after {}, but {} has {} of them{}",
                    dates.len(),
                    pre.last_date,
                    h.file,
                    have,
                    dates
                        .get(have)
                        .map_or(String::new(), |d| format!(" (none for {d})"))
                ),
            ));
        }
        let scale = ins.initial_price / last;
        real.push(
            h.close[at..at + dates.len()]
                .iter()
                .map(|c| c * scale)
                .collect(),
        );
        start.push(ins.initial_price);
    }
    // As in `flowsim ablate`: classes the scenario lacks are skipped, none left is an error.
    let asked = settings
        .classes
        .clone()
        .unwrap_or_else(|| AgentClass::MECHANICAL.to_vec());
    let classes: Vec<AgentClass> = asked
        .iter()
        .copied()
        .filter(|&c| ablate::has(s, c))
        .collect();
    if classes.is_empty() {
        return Err(refuse(
            "agents",
            format!(
                "has none of the classes to remove ({}): an episode splits the move among them",
                asked
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let key = crate::record::sha256_hex(
        format!(
            "{}\n{:?}\n{}\n{}",
            loaded.source,
            classes.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            settings.tolerance,
            settings.max_iterations
        )
        .as_bytes(),
    );
    Ok(Spec {
        start_date: pre.last_date,
        dates,
        start,
        real,
        classes,
        tolerance: settings.tolerance,
        max_iterations: settings.max_iterations,
        key,
        loaded,
    })
}

/// Where seed `seed`'s result is kept inside the output folder.
pub fn seed_file(out: &Path, seed: u64) -> PathBuf {
    out.join("seeds").join(format!("seed-{seed:04}.json"))
}

/// The result already in `out` for `seed`, if there is one; a result of another episode is an
/// error, not a miss.
pub fn finished(spec: &Spec, out: &Path, seed: u64) -> Result<Option<SeedResult>, EpisodeError> {
    let path = seed_file(out, seed);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(EpisodeError::Io { path, source }),
    };
    let r: SeedResult = serde_json::from_str(&text).map_err(|e| EpisodeError::Corrupt {
        path: path.clone(),
        message: e.to_string(),
    })?;
    if r.key != spec.key || r.seed != seed {
        return Err(EpisodeError::Foreign { path });
    }
    Ok(Some(r))
}

/// What a worker reports as it goes.
pub enum Progress<'a> {
    /// A seed already in the folder, read instead of run.
    Reused(u64),
    Done(&'a SeedResult),
}

/// Runs every seed not already in `out` on `threads` threads, writing each seed's result as it
/// finishes (so a killed command loses at most the seeds in flight), and returns all of them
/// in seed order.
pub fn run(
    spec: &Spec,
    seeds: &[u64],
    out: &Path,
    threads: usize,
    on: &mut dyn FnMut(Progress),
) -> Result<Vec<SeedResult>, EpisodeError> {
    let dir = out.join("seeds");
    std::fs::create_dir_all(&dir).map_err(|source| EpisodeError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut results: Vec<Option<SeedResult>> = Vec::with_capacity(seeds.len());
    let mut todo = Vec::new();
    for &s in seeds {
        let r = finished(spec, out, s)?;
        if r.is_some() {
            on(Progress::Reused(s));
        } else {
            todo.push(s);
        }
        results.push(r);
    }
    let mut first_error = None;
    crate::sweep::pool::for_each(
        &todo,
        threads,
        |&s| track::seed(spec, s),
        |&s, r| match r {
            Ok(r) => {
                let path = seed_file(out, s);
                let written = serde_json::to_string(&r)
                    .map_err(|e| std::io::Error::other(e.to_string()))
                    .and_then(|text| crate::atomic::write_bytes(&path, text.as_bytes()));
                match written {
                    Ok(()) => {
                        on(Progress::Done(&r));
                        if let Some(k) = seeds.iter().position(|&x| x == s) {
                            results[k] = Some(r);
                        }
                    }
                    Err(source) => {
                        first_error.get_or_insert(EpisodeError::Io { path, source });
                    }
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        },
    );
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(results.into_iter().flatten().collect())
}

/// The text files of `results`, by name: the decomposition, the paths, the iterations and the
/// summary. A function of the seeds' results alone, so the committed ones can be checked.
pub fn tables(
    spec: &Spec,
    results: &[SeedResult],
) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let lines = table::lines(spec, results);
    Ok(vec![
        ("decomposition.csv", table::decomposition_csv(&lines)?),
        ("paths.csv", table::paths_csv(spec, results)?),
        (
            "tracking.csv",
            table::tracking_csv(&spec.symbols(), results)?,
        ),
        (
            "EPISODE.md",
            table::episode_md(spec, results, &lines, &title(spec)),
        ),
    ])
}

/// The chart's title: the scenario's description, or its name.
pub fn title(spec: &Spec) -> String {
    match spec.loaded.scenario.description.as_str() {
        "" => spec.loaded.scenario.name.clone(),
        d => d.to_string(),
    }
}

/// Writes the tables, the summary and the chart of `results` into `out`, each file whole.
pub fn write(spec: &Spec, results: &[SeedResult], out: &Path) -> Result<(), EpisodeError> {
    let files = tables(spec, results).map_err(|e| EpisodeError::Io {
        path: out.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    for (name, text) in files {
        let path = out.join(name);
        crate::atomic::write_bytes(&path, text.as_bytes())
            .map_err(|source| EpisodeError::Io { path, source })?;
    }
    crate::plot::render(
        &chart::figure(spec, results, &title(spec)),
        out,
        "episode",
        chart::size(spec),
    )?;
    Ok(())
}
