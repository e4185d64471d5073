//! Sweep files: a base scenario, parameters named by dotted path as a cartesian grid and/or a
//! list of explicit points, and the seeds every point runs with.
//!
//! ```toml
//! scenario = "baseline.toml"          # relative to this file
//! seeds = { first = 1, count = 10 }   # or seeds = [1, 2, 3]; default: the scenario's seed
//!
//! [grid]                              # every combination; the first parameter varies slowest
//! "agents.noise.count" = [100, 200]
//! "instruments.0.annual_vol" = [0.12, 0.20]
//!
//! [[points]]                          # explicit points, after the grid's
//! "agents.noise.count" = 400
//! ```
//!
//! Every point is checked before anything runs: its overrides are written into the base
//! scenario's text and the result must pass the same validation as a scenario file. Problems
//! are reported against the sweep file, at the line of the parameter that caused them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;
use toml::de::{DeTable, DeValue};
use toml_edit::DocumentMut;

use super::error::{Problem, ScenarioError};
use super::load::{self, LoadedScenario, Unreadable, line_col};
use super::overrides::{self, ParamPath};

/// The most points a sweep may have: each holds its scenario's text in memory.
pub const MAX_POINTS: usize = 100_000;
/// The most runs (points × seeds) a sweep may have.
pub const MAX_RUNS: usize = 10_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// The base scenario, relative to the sweep file.
    pub scenario: String,
    #[serde(default)]
    pub description: String,
    /// Seeds every point runs with (default: the base scenario's `seed`).
    pub seeds: Option<SeedsCfg>,
    /// Parameter path → list of values; every combination is a point, the first parameter
    /// varying slowest.
    #[serde(default)]
    pub grid: toml::Table,
    /// Explicit points (parameter path → value), run after the grid's.
    #[serde(default)]
    pub points: Vec<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a list of seeds such as [1, 2, 3], or a range such as { first = 1, count = 100 }"
)]
pub enum SeedsCfg {
    List(Vec<u64>),
    Range(SeedRange),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRange {
    pub first: u64,
    pub count: u64,
}

#[derive(Debug, Error)]
pub enum SweepFileError {
    /// The sweep file itself: unreadable, bad syntax, or points that are not valid scenarios.
    #[error(transparent)]
    File(#[from] ScenarioError),
    #[error("{sweep}:{line}: `scenario`: the base scenario is not valid")]
    Base {
        sweep: PathBuf,
        line: usize,
        #[source]
        source: ScenarioError,
    },
}

/// A checked sweep: every point is a valid scenario.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub path: PathBuf,
    /// The sweep file's text, copied into the sweep's output folder.
    pub source: String,
    pub description: String,
    pub base: LoadedScenario,
    /// Every parameter any point sets, grid parameters first, in the order written.
    pub parameters: Vec<ParamPath>,
    pub seeds: Vec<u64>,
    pub points: Vec<SweepPoint>,
}

impl Sweep {
    pub fn runs(&self) -> usize {
        self.points.len() * self.seeds.len()
    }
}

/// One point of a sweep: the base scenario with some parameters set.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    pub overrides: Vec<(ParamPath, toml::Value)>,
    /// The overridden scenario. Its `path` is the base scenario's, so relative paths in it
    /// resolve as they do for the base; its `source` is the overridden text.
    pub scenario: LoadedScenario,
    /// The value of each of [`Sweep::parameters`] in this point's checked scenario, defaults
    /// included (`None` for an optional part the scenario leaves out).
    pub values: Vec<Option<toml::Value>>,
}

/// Whether the file at `path` is a sweep file rather than a scenario: it is TOML naming a
/// base `scenario`. Unreadable or malformed files are not, so that loading them as a scenario
/// reports the problem.
pub fn is_sweep_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|t| t.get("scenario").is_some_and(toml::Value::is_str))
}

/// Reads, expands and checks a sweep file.
pub fn load_sweep(path: &Path) -> Result<Sweep, SweepFileError> {
    let source = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let file: SweepFile =
        load::deserialize(&source).map_err(|f| Unreadable::Syntax(f).into_error(path))?;
    let at = Locator::new(&source);
    let invalid = |problems: Vec<Problem>| ScenarioError::Invalid {
        file: path.to_path_buf(),
        problems,
    };

    let mut problems = Vec::new();
    let grid = read_grid(&file, &at, &mut problems);
    let points = read_points(&file, &at, &mut problems);
    let seeds = match &file.seeds {
        Some(cfg) => read_seeds(cfg, at.key("seeds"), &mut problems),
        None => Vec::new(),
    };
    if !problems.is_empty() {
        return Err(invalid(problems).into());
    }

    let base_path = path.parent().unwrap_or(Path::new(".")).join(&file.scenario);
    let base = load::load(&base_path).map_err(|source| SweepFileError::Base {
        sweep: path.to_path_buf(),
        line: at.key("scenario"),
        source,
    })?;
    let seeds = if file.seeds.is_some() {
        seeds
    } else {
        vec![base.scenario.seed]
    };

    let combos = if grid.is_empty() && !points.is_empty() {
        Some(0)
    } else {
        grid_size(&grid)
    };
    let sizes = combos
        .and_then(|g| Some((g, g.checked_add(points.len())?)))
        .filter(|&(_, n)| n <= MAX_POINTS);
    let Some((combos, n_points)) = sizes else {
        return Err(invalid(vec![Problem {
            line: at.key("grid"),
            field: "grid".into(),
            message: format!("more than {MAX_POINTS} points; split the sweep"),
        }])
        .into());
    };
    if n_points.saturating_mul(seeds.len()) > MAX_RUNS {
        return Err(invalid(vec![Problem {
            line: at.key("seeds"),
            field: "seeds".into(),
            message: format!(
                "{n_points} points × {} seeds is more than {MAX_RUNS} runs; split the sweep",
                seeds.len()
            ),
        }])
        .into());
    }

    let mut parameters: Vec<ParamPath> = grid.iter().map(|g| g.path.clone()).collect();
    for p in &points {
        for (path, _, _) in &p.values {
            if !parameters.contains(path) {
                parameters.push(path.clone());
            }
        }
    }

    let doc: DocumentMut = base.source.parse().map_err(|e| {
        invalid(vec![Problem {
            line: at.key("scenario"),
            field: "scenario".into(),
            message: format!("the base scenario cannot be edited: {e}"),
        }])
    })?;
    let mut expanded = Vec::with_capacity(n_points);
    let mut report = Report::default();
    for index in 0..n_points {
        let (wanted, point_line) = if index < combos {
            (grid_point(&grid, index), at.key("grid"))
        } else {
            let p = &points[index - combos];
            let wanted = p
                .values
                .iter()
                .map(|(path, v, line)| Wanted {
                    path: path.clone(),
                    value: v.clone(),
                    line: *line,
                })
                .collect();
            (wanted, p.line)
        };
        match build_point(&base, &doc, &wanted, &parameters) {
            Ok(p) => expanded.push(p),
            Err(failures) => {
                for f in failures {
                    let (line, field) = match f.param {
                        Some(k) => (wanted[k].line, wanted[k].path.to_string()),
                        None => (point_line, describe_point(index, &wanted)),
                    };
                    report.add(line, field, f.message, index);
                }
            }
        }
    }
    if !report.problems.is_empty() {
        return Err(invalid(report.finish()).into());
    }
    Ok(Sweep {
        path: path.to_path_buf(),
        source,
        description: file.description,
        base,
        parameters,
        seeds,
        points: expanded,
    })
}

/// One grid parameter and its values.
struct GridParam {
    path: ParamPath,
    values: Vec<toml::Value>,
    line: usize,
}

/// One explicit point: parameter, value and line of each entry, and the point's own line.
struct ListedPoint {
    values: Vec<(ParamPath, toml::Value, usize)>,
    line: usize,
}

/// A parameter to set in one point, with where the sweep file asks for it.
struct Wanted {
    path: ParamPath,
    value: toml::Value,
    line: usize,
}

fn param_path(name: &str, line: usize, problems: &mut Vec<Problem>) -> Option<ParamPath> {
    let refuse = |problems: &mut Vec<Problem>, message: String| {
        problems.push(Problem {
            line,
            field: name.to_string(),
            message,
        })
    };
    match ParamPath::parse(name) {
        Ok(p) if p.as_str() == "seed" => {
            refuse(
                problems,
                "the seed is not a parameter: list seeds in `seeds`".into(),
            );
            None
        }
        Ok(p) => Some(p),
        Err(e) => {
            refuse(problems, e);
            None
        }
    }
}

fn read_grid(file: &SweepFile, at: &Locator, problems: &mut Vec<Problem>) -> Vec<GridParam> {
    let mut out = Vec::new();
    for (name, value) in &file.grid {
        let line = at.in_table("grid", name);
        let Some(path) = param_path(name, line, problems) else {
            continue;
        };
        match value {
            toml::Value::Array(values) if !values.is_empty() => out.push(GridParam {
                path,
                values: values.clone(),
                line,
            }),
            toml::Value::Array(_) => problems.push(Problem {
                line,
                field: name.clone(),
                message: "a grid parameter needs at least one value".into(),
            }),
            other => problems.push(Problem {
                line,
                field: name.clone(),
                message: format!(
                    "a grid parameter takes a list of values, such as [{other}]; \
                     a single value belongs in the base scenario or in [[points]]"
                ),
            }),
        }
    }
    out
}

fn read_points(file: &SweepFile, at: &Locator, problems: &mut Vec<Problem>) -> Vec<ListedPoint> {
    file.points
        .iter()
        .enumerate()
        .map(|(i, table)| ListedPoint {
            line: at.point(i, None),
            values: table
                .iter()
                .filter_map(|(name, v)| {
                    let line = at.point(i, Some(name));
                    param_path(name, line, problems).map(|p| (p, v.clone(), line))
                })
                .collect(),
        })
        .collect()
}

fn read_seeds(cfg: &SeedsCfg, line: usize, problems: &mut Vec<Problem>) -> Vec<u64> {
    let mut refuse = |message: String| {
        problems.push(Problem {
            line,
            field: "seeds".into(),
            message,
        })
    };
    let seeds: Vec<u64> = match cfg {
        SeedsCfg::List(list) => list.clone(),
        SeedsCfg::Range(SeedRange { first, count }) => {
            if *count as u128 > MAX_RUNS as u128 {
                refuse(format!("more than {MAX_RUNS} seeds"));
                return Vec::new();
            }
            if first.checked_add(count.saturating_sub(1)).is_none() {
                refuse(format!(
                    "seeds {first} to {first}+{count}-1 go past the largest seed"
                ));
                return Vec::new();
            }
            (0..*count).map(|k| first + k).collect()
        }
    };
    if seeds.is_empty() {
        refuse("needs at least one seed".into());
    }
    let mut seen = BTreeSet::new();
    if let Some(dup) = seeds.iter().find(|s| !seen.insert(**s)) {
        refuse(format!("seed {dup} is listed twice"));
    }
    seeds
}

/// Number of grid combinations (1 for an empty grid: the base scenario alone, used when no
/// points are listed either), or `None` if it overflows.
fn grid_size(grid: &[GridParam]) -> Option<usize> {
    if grid.is_empty() {
        return Some(1);
    }
    grid.iter()
        .try_fold(1usize, |n, g| n.checked_mul(g.values.len()))
}

/// The grid combination `index`: mixed-radix digits, the last parameter varying fastest.
fn grid_point(grid: &[GridParam], mut index: usize) -> Vec<Wanted> {
    let mut out: Vec<Wanted> = grid
        .iter()
        .rev()
        .map(|g| {
            let k = index % g.values.len();
            index /= g.values.len();
            Wanted {
                path: g.path.clone(),
                value: g.values[k].clone(),
                line: g.line,
            }
        })
        .collect();
    out.reverse();
    out
}

/// What is wrong with one point, and which of its parameters it is about, if one is.
struct Failure {
    param: Option<usize>,
    message: String,
}

fn build_point(
    base: &LoadedScenario,
    doc: &DocumentMut,
    wanted: &[Wanted],
    parameters: &[ParamPath],
) -> Result<SweepPoint, Vec<Failure>> {
    let source = if wanted.is_empty() {
        base.source.clone()
    } else {
        let mut doc = doc.clone();
        let mut failures = Vec::new();
        for (k, w) in wanted.iter().enumerate() {
            if let Err(message) = overrides::apply(&mut doc, &w.path, &w.value) {
                failures.push(Failure {
                    param: Some(k),
                    message,
                });
            }
        }
        if !failures.is_empty() {
            return Err(failures);
        }
        doc.to_string()
    };
    let whose =
        |field: Option<&str>| field.and_then(|f| wanted.iter().position(|w| w.path.concerns(f)));
    let scenario = load::check(&source).map_err(|e| match e {
        Unreadable::Syntax(f) => {
            let param = whose(f.field.as_deref());
            let message = match (&f.field, param) {
                (Some(field), None) => format!("`{field}`: {}", f.message),
                _ => f.message,
            };
            vec![Failure { param, message }]
        }
        Unreadable::Invalid(problems) => problems
            .into_iter()
            .map(|p| {
                let param = whose(Some(&p.field));
                let message = match param {
                    Some(_) => p.message,
                    None => format!("`{}`: {}", p.field, p.message),
                };
                Failure { param, message }
            })
            .collect(),
    })?;
    let tree = toml::Value::try_from(&scenario).map_err(|e| {
        vec![Failure {
            param: None,
            message: format!("internal: cannot re-read the checked scenario: {e}"),
        }]
    })?;
    let values = parameters
        .iter()
        .map(|p| overrides::lookup(&tree, p).cloned())
        .collect();
    Ok(SweepPoint {
        overrides: wanted
            .iter()
            .map(|w| (w.path.clone(), w.value.clone()))
            .collect(),
        scenario: LoadedScenario {
            scenario,
            path: base.path.clone(),
            source,
        },
        values,
    })
}

fn describe_point(index: usize, wanted: &[Wanted]) -> String {
    let set: Vec<String> = wanted
        .iter()
        .map(|w| format!("{} = {}", w.path, overrides::display_value(&w.value)))
        .collect();
    if set.is_empty() {
        format!("point {index}")
    } else {
        format!("point {index} ({})", set.join(", "))
    }
}

/// Problems found in many points, each reported once with the first point that has it.
#[derive(Default)]
struct Report {
    /// (line, field, message, first point, how many points).
    problems: Vec<(usize, String, String, usize, usize)>,
}

impl Report {
    fn add(&mut self, line: usize, field: String, message: String, point: usize) {
        match self
            .problems
            .iter_mut()
            .find(|p| p.0 == line && p.1 == field && p.2 == message)
        {
            Some(p) => p.4 += 1,
            None => self.problems.push((line, field, message, point, 1)),
        }
    }

    fn finish(self) -> Vec<Problem> {
        self.problems
            .into_iter()
            .map(|(line, field, message, first, n)| Problem {
                line,
                message: if field.starts_with("point ") {
                    message
                } else if n == 1 {
                    format!("{message} (in point {first})")
                } else {
                    format!("{message} (in point {first} and {} more)", n - 1)
                },
                field,
            })
            .collect()
    }
}

/// Lines of keys in the sweep file, for locating problems.
struct Locator<'a> {
    source: &'a str,
    table: Option<toml::Spanned<DeTable<'a>>>,
}

impl<'a> Locator<'a> {
    fn new(source: &'a str) -> Self {
        Locator {
            source,
            table: DeTable::parse(source).ok(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        line_col(self.source, offset).0
    }

    fn entry(&self, key: &str) -> Option<(usize, &DeValue<'a>)> {
        let t = self.table.as_ref()?;
        t.get_ref()
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(k, v)| (k.span().start, v.get_ref()))
    }

    /// Line of a top-level key (0 if absent).
    fn key(&self, key: &str) -> usize {
        self.entry(key).map_or(0, |(off, _)| self.line(off))
    }

    /// Line of `key` inside the top-level table `table`.
    fn in_table(&self, table: &str, key: &str) -> usize {
        match self.entry(table) {
            Some((off, DeValue::Table(t))) => t
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == key)
                .map_or(self.line(off), |(k, _)| self.line(k.span().start)),
            Some((off, _)) => self.line(off),
            None => 0,
        }
    }

    /// Line of the `i`-th `[[points]]` entry, or of `key` inside it.
    fn point(&self, i: usize, key: Option<&str>) -> usize {
        let Some((off, DeValue::Array(items))) = self.entry("points") else {
            return self.key("points");
        };
        let Some(item) = items.get(i) else {
            return self.line(off);
        };
        let found = match (key, item.get_ref()) {
            (Some(key), DeValue::Table(t)) => t
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == key)
                .map(|(k, _)| k.span().start),
            _ => None,
        };
        self.line(found.unwrap_or(item.span().start))
    }
}
