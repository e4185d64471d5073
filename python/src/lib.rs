//! `flowsim._flowsim`: the native module of the `flowsim` Python package.
//!
//! Every function here converts Python arguments into the library's types, calls the same
//! library function the command line calls (`run::execute`, `counterfactual::ablate_run`,
//! `sweep::run_slice` and `sweep::aggregate`, `monitor::run` and `monitor::write`,
//! `score::score`), and returns paths, JSON text or plain columns. The Python side
//! (`flowsim/__init__.py`) turns those into pandas DataFrames from the files the library wrote;
//! nothing is simulated or analysed in Python. Long work runs with the GIL released
//! (`Python::detach`, PyO3's name for `allow_threads`).

use std::path::{Path, PathBuf};

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use flowsim::history::{Columns, parse_date, read_daily};
use flowsim::monitor::{self, MonitorConfig, MonitorInput, default_episodes};
use flowsim::run::RunOptions;
use flowsim::scenario::overrides::{self, ParamPath};
use flowsim::scenario::{self, LoadedScenario, ablate};
use flowsim::sweep::{self as sweeps, Layout, Shard, error_chain};

create_exception!(
    flowsim,
    FlowsimError,
    PyException,
    "Base class of every error flowsim raises."
);
create_exception!(
    flowsim,
    ScenarioError,
    FlowsimError,
    "A scenario, sweep or settings file (or dict, or overrides) that cannot be read or is \
     invalid. The message is the command line's: `file:line: `field`: problem`, one line per \
     problem."
);
create_exception!(
    flowsim,
    RunError,
    FlowsimError,
    "A run, ablation or sweep that could not be built, run or written (a missing pre-history \
     file, an output folder that may not be replaced, failed runs of a sweep)."
);
create_exception!(
    flowsim,
    CostError,
    FlowsimError,
    "Work estimated above the limits (1 hour of wall time, 16 GB of memory or 100 GB of disk); \
     pass yes=True to start it anyway."
);
create_exception!(
    flowsim,
    HistoryError,
    FlowsimError,
    "A history file, monitor setting or catalogue that cannot be read: `file:line: column: \
     problem`."
);

/// An error and its causes on one line, each cause once: what the command line prints after
/// `error: `.
fn chain(e: &dyn std::error::Error) -> String {
    error_chain(e)
}

fn scenario_err(e: &dyn std::error::Error) -> PyErr {
    ScenarioError::new_err(chain(e))
}

fn run_err(e: &dyn std::error::Error) -> PyErr {
    RunError::new_err(chain(e))
}

fn history_err(e: &dyn std::error::Error) -> PyErr {
    HistoryError::new_err(chain(e))
}

/// A Python value as a TOML value: dicts (string keys) to tables, lists and tuples to arrays,
/// bool, int, float and str as themselves. `at` names the place for errors.
fn to_toml(v: &Bound<'_, PyAny>, at: &str) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        let i: i64 = v.extract().map_err(|_| {
            ScenarioError::new_err(format!("{at}: integer out of the range of TOML's 64 bits"))
        })?;
        return Ok(toml::Value::Integer(i));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            let key: String = k.extract().map_err(|_| {
                ScenarioError::new_err(format!("{at}: keys must be strings, not {k}"))
            })?;
            let place = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            t.insert(key, to_toml(&x, &place)?);
        }
        return Ok(toml::Value::Table(t));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut a = Vec::new();
        for (i, x) in v.try_iter()?.enumerate() {
            a.push(to_toml(&x?, &format!("{at}.{i}"))?);
        }
        return Ok(toml::Value::Array(a));
    }
    let ty = v.get_type().name()?;
    Err(ScenarioError::new_err(format!(
        "{}: a {ty} cannot be written in a scenario (use dict, list, str, int, float or bool)",
        if at.is_empty() { "scenario" } else { at }
    )))
}

/// The scenario as the Python side hands it over: `("path", str)`, `("text", str)` or
/// `("dict", dict)`, with `overrides` (dotted path to value) applied to its text.
fn load_scenario(
    kind: &str,
    value: &Bound<'_, PyAny>,
    overrides: Option<&Bound<'_, PyDict>>,
) -> PyResult<LoadedScenario> {
    let (path, source) = match kind {
        "path" => {
            let path = PathBuf::from(value.extract::<String>()?);
            match overrides {
                // The file's own errors (unreadable, invalid) are reported as the CLI would.
                None => return scenario::load(&path).map_err(|e| scenario_err(&e)),
                Some(_) => {
                    let source = std::fs::read_to_string(&path).map_err(|source| {
                        scenario_err(&scenario::ScenarioError::Io {
                            file: path.clone(),
                            source,
                        })
                    })?;
                    (path, source)
                }
            }
        }
        "text" => (PathBuf::from("<string>"), value.extract::<String>()?),
        "dict" => {
            let table = to_toml(value, "")?;
            let text = toml::to_string(&table).map_err(|e| {
                ScenarioError::new_err(format!("<dict>: cannot be written as TOML: {e}"))
            })?;
            (PathBuf::from("<dict>"), text)
        }
        _ => {
            return Err(FlowsimError::new_err(format!(
                "internal: unknown scenario kind {kind}"
            )));
        }
    };
    let mut set = Vec::new();
    let source = match overrides {
        None => source,
        Some(o) if o.is_empty() => source,
        Some(o) => {
            let mut doc: toml_edit::DocumentMut = source.parse().map_err(|e| {
                // Not valid TOML: the scenario's own parser says where.
                match scenario::parse(&path, &source) {
                    Err(se) => scenario_err(&se),
                    Ok(_) => ScenarioError::new_err(format!("{}: {e}", path.display())),
                }
            })?;
            for (k, v) in o.iter() {
                let name: String = k.extract().map_err(|_| {
                    ScenarioError::new_err(format!("overrides: keys are dotted paths, not {k}"))
                })?;
                let p = ParamPath::parse(&name)
                    .map_err(|e| ScenarioError::new_err(format!("overrides: `{name}`: {e}")))?;
                let value = to_toml(&v, &name)?;
                overrides::apply(&mut doc, &p, &value)
                    .map_err(|e| ScenarioError::new_err(format!("overrides: `{name}`: {e}")))?;
                set.push(format!("{name} = {}", overrides::display_value(&value)));
            }
            doc.to_string()
        }
    };
    let scenario = scenario::parse(&path, &source).map_err(|e| {
        let mut msg = chain(&e);
        if !set.is_empty() {
            msg.push_str(&format!(" (with overrides {})", set.join(", ")));
        }
        ScenarioError::new_err(msg)
    })?;
    Ok(LoadedScenario {
        scenario,
        path,
        source,
    })
}

/// Runs a scenario into `out`; returns the finished folder.
#[pyfunction]
#[pyo3(signature = (kind, value, out, seed=None, overrides=None, force=false, report=false, calibration=false, yes=false))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    kind: &str,
    value: &Bound<'_, PyAny>,
    out: PathBuf,
    seed: Option<u64>,
    overrides: Option<&Bound<'_, PyDict>>,
    force: bool,
    report: bool,
    calibration: bool,
    yes: bool,
) -> PyResult<String> {
    let mut loaded = load_scenario(kind, value, overrides)?;
    // The package reads the tables from Parquet: always written (CSV is written anyway).
    loaded.scenario.record.parquet = true;
    let seed = seed.unwrap_or(loaded.scenario.seed);
    flowsim::record::replaceable(&out, force).map_err(|e| run_err(&e))?;
    flowsim::estimate::run(&loaded.scenario)
        .refusal(
            &format!("the run of {}", loaded.path.display()),
            yes,
            "yes=True",
        )
        .map_err(CostError::new_err)?;
    let options = RunOptions {
        force,
        calibration,
        report,
        tables: None,
    };
    let finished = py
        .detach(|| flowsim::run::execute(&loaded, seed, &out, options, &mut |_, _| {}))
        .map_err(|e| run_err(&e))?;
    Ok(finished.dest.display().to_string())
}

/// Writes `charts/` and `report.html` into the run folder `dir` from its own files.
#[pyfunction]
fn report(py: Python<'_>, dir: PathBuf) -> PyResult<String> {
    let html = py
        .detach(|| flowsim::report::write_run_report(&dir))
        .map_err(|e| run_err(&e))?;
    Ok(html.display().to_string())
}

/// Runs a scenario with and without `without` (class names) into `out`; returns the folder
/// and the comparison as JSON.
#[pyfunction]
#[pyo3(signature = (kind, value, without, out, seed=None, overrides=None, force=false, yes=false))]
#[allow(clippy::too_many_arguments)]
fn ablate_run(
    py: Python<'_>,
    kind: &str,
    value: &Bound<'_, PyAny>,
    without: &str,
    out: PathBuf,
    seed: Option<u64>,
    overrides: Option<&Bound<'_, PyDict>>,
    force: bool,
    yes: bool,
) -> PyResult<(String, String)> {
    let classes = ablate::parse_classes(without)
        .map_err(|e| ScenarioError::new_err(format!("without: {e}")))?;
    let mut loaded = load_scenario(kind, value, overrides)?;
    loaded.scenario.record.parquet = true;
    let s = &loaded.scenario;
    let seed = seed.unwrap_or(s.seed);
    flowsim::estimate::runs([s, s], 1, 1)
        .refusal(
            &format!("the ablation of {}", loaded.path.display()),
            yes,
            "yes=True",
        )
        .map_err(CostError::new_err)?;
    let (dest, summary) = py
        .detach(|| {
            // With the ablation's report and charts, as the command line writes by default.
            flowsim::counterfactual::ablate_run(
                &loaded,
                &classes,
                seed,
                &out,
                force,
                true,
                &mut |_| {},
            )
        })
        .map_err(|e| run_err(&e))?;
    let json = serde_json::to_string(&summary)
        .map_err(|e| FlowsimError::new_err(format!("encoding the ablation summary: {e}")))?;
    Ok((dest.display().to_string(), json))
}

/// Runs every (point, seed) of a sweep file into `out` (resuming what is there) on `threads`
/// threads and aggregates the table; returns the folder.
#[pyfunction]
#[pyo3(signature = (path, out, threads=None, charts=true, yes=false))]
fn sweep(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    threads: Option<usize>,
    charts: bool,
    yes: bool,
) -> PyResult<String> {
    let sweep = scenario::load_sweep(&path).map_err(|e| scenario_err(&e))?;
    let threads = match threads {
        Some(0) => return Err(RunError::new_err("threads must be at least 1")),
        Some(n) => n.min(4096),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    sweeps::preflight(&sweep).map_err(|e| run_err(&e))?;
    flowsim::estimate::runs(
        sweep.points.iter().map(|p| &p.scenario.scenario),
        sweep.seeds.len() as u64,
        threads,
    )
    .refusal(&format!("the sweep {}", path.display()), yes, "yes=True")
    .map_err(CostError::new_err)?;
    let layout = Layout::new(&out);
    py.detach(|| -> Result<(), String> {
        let _lock = sweeps::lock(&layout, true).map_err(|e| chain(&e))?;
        sweeps::run_slice(&sweep, &layout, Shard::ALL, threads, &mut |_| {})
            .map_err(|e| chain(&e))?;
        let agg = sweeps::aggregate(&sweep, &layout)
            .map_err(|e| format!("aggregating {}: {}", layout.root().display(), chain(&e)))?;
        if charts {
            sweeps::draw_charts(&sweep, &layout, &agg).map_err(|e| {
                format!(
                    "drawing the charts of {}: {}",
                    layout.root().display(),
                    chain(&e)
                )
            })?;
        }
        if !agg.failures.is_empty() {
            return Err(format!(
                "{} of {} runs failed (listed in {}); run the sweep again to retry them",
                agg.failures.len(),
                agg.total,
                layout.failures_csv().display()
            ));
        }
        Ok(())
    })
    .map_err(RunError::new_err)?;
    Ok(out.display().to_string())
}

/// Checks scenario and sweep files as `flowsim validate` does; returns one description per
/// file, or raises listing every invalid file.
#[pyfunction]
fn validate(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<Vec<String>> {
    let results: Vec<Result<String, String>> = py.detach(|| {
        paths
            .iter()
            .map(|p| flowsim::run::validate_file(p).map_err(|e| chain(&e)))
            .collect()
    });
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().cloned())
        .collect();
    if !errors.is_empty() {
        return Err(ScenarioError::new_err(errors.join("\n")));
    }
    Ok(results.into_iter().filter_map(Result::ok).collect())
}

fn date(flag: &str, v: Option<&str>) -> PyResult<Option<chrono::NaiveDate>> {
    v.map(|d| parse_date(d).map_err(|e| HistoryError::new_err(format!("{flag}: {e}"))))
        .transpose()
}

/// The monitor's settings: `config` (a monitor.toml) or the scenario defaults, with the
/// default episodes when it names none.
fn monitor_config(config: Option<&Path>, symbols: &[String]) -> PyResult<MonitorConfig> {
    match config {
        Some(p) => MonitorConfig::load(p, symbols).map_err(|e| scenario_err(&e)),
        None => Ok(MonitorConfig::default()),
    }
}

/// Runs the monitor on real histories and writes its folder `out`; returns the folder and the
/// ladder's date.
#[pyfunction]
#[pyo3(signature = (histories, out, vix=None, bonds=None, start=None, end=None, config=None, ladder_date=None, date_column=None, close_column="close", force=false))]
#[allow(clippy::too_many_arguments)]
fn monitor_run(
    py: Python<'_>,
    histories: Vec<(String, PathBuf)>,
    out: PathBuf,
    vix: Option<PathBuf>,
    bonds: Option<PathBuf>,
    start: Option<&str>,
    end: Option<&str>,
    config: Option<PathBuf>,
    ladder_date: Option<&str>,
    date_column: Option<String>,
    close_column: &str,
    force: bool,
) -> PyResult<(String, Option<String>)> {
    if histories.is_empty() {
        return Err(HistoryError::new_err(
            "histories: give at least one, e.g. {\"SPX\": \"data/history/sp500.csv\"}",
        ));
    }
    let cols = Columns {
        date: date_column.clone(),
        ..Columns::close(close_column)
    };
    let window =
        monitor::window(date("start", start)?, date("end", end)?).map_err(|e| history_err(&e))?;
    let ladder = date("ladder_date", ladder_date)?;
    py.detach(|| -> Result<(String, Option<String>), PyErr> {
        let histories = monitor::read_histories(&histories, &cols).map_err(|e| history_err(&e))?;
        let symbols: Vec<String> = histories.iter().map(|(s, _)| s.clone()).collect();
        let mut cfg = monitor_config(config.as_deref(), &symbols)?;
        if let Some(d) = ladder {
            cfg.ladder.date = Some(d.to_string());
        }
        if cfg.episodes.is_empty() {
            cfg.episodes = default_episodes();
        }
        let vix = vix
            .as_deref()
            .map(|p| monitor::read_vix(p, date_column.clone()))
            .transpose()
            .map_err(|e| history_err(&e))?;
        let bonds = bonds
            .as_deref()
            .map(|p| read_daily(p, &cols))
            .transpose()
            .map_err(|e| history_err(&e))?;
        monitor::check_replaceable(&out, force).map_err(|e| run_err(&e))?;
        let input = MonitorInput {
            histories,
            vix,
            bonds,
        };
        let positioning =
            monitor::run(&input, &cfg, window, &mut |_, _| {}).map_err(|e| history_err(&e))?;
        let header = monitor::report_header(&input, window, config.as_deref());
        let dest =
            monitor::write(&positioning, &cfg.episodes, header, &out).map_err(|e| run_err(&e))?;
        Ok((
            dest.display().to_string(),
            positioning.ladder_date.map(|d| d.to_string()),
        ))
    })
}

/// Scores the monitor against a catalogue of published estimates. Returns the table as
/// columns: entry, quantity, published, flowsim, ratio, verdict, missing, calibration.
#[pyfunction]
#[pyo3(signature = (catalogue, histories=None, bonds=None, config=None))]
fn score<'py>(
    py: Python<'py>,
    catalogue: PathBuf,
    histories: Option<Vec<(String, PathBuf)>>,
    bonds: Option<PathBuf>,
    config: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let specs = histories.unwrap_or_else(|| {
        monitor::DEFAULT_SCORE_HISTORIES
            .iter()
            .map(|(s, f)| (s.to_string(), PathBuf::from(f)))
            .collect()
    });
    let scored = py.detach(|| -> Result<Vec<flowsim::score::Scored>, PyErr> {
        let cat = flowsim::score::Catalogue::load(&catalogue).map_err(|e| scenario_err(&e))?;
        let histories =
            monitor::read_histories(&specs, &Columns::default()).map_err(|e| history_err(&e))?;
        let symbols: Vec<String> = histories.iter().map(|(s, _)| s.clone()).collect();
        let cfg = monitor_config(config.as_deref(), &symbols)?;
        let bonds = bonds
            .as_deref()
            .map(|p| read_daily(p, &Columns::default()))
            .transpose()
            .map_err(|e| history_err(&e))?;
        let input = MonitorInput {
            histories,
            vix: None,
            bonds,
        };
        flowsim::score::score(&cat, &input, &cfg).map_err(|e| history_err(&e))
    })?;
    let d = PyDict::new(py);
    let quantity: Vec<String> = scored
        .iter()
        .map(|s| {
            serde_json::to_value(s.quantity)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        })
        .collect();
    let verdict: Vec<&str> = scored
        .iter()
        .map(|s| match s.verdict {
            flowsim::score::Verdict::Pass => "pass",
            flowsim::score::Verdict::Fail => "fail",
            flowsim::score::Verdict::NeedsData(_) => "needs data",
        })
        .collect();
    let missing: Vec<Option<String>> = scored
        .iter()
        .map(|s| match &s.verdict {
            flowsim::score::Verdict::NeedsData(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    d.set_item(
        "entry",
        scored.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
    )?;
    d.set_item("quantity", quantity)?;
    d.set_item(
        "published",
        scored.iter().map(|s| s.published).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "flowsim",
        scored.iter().map(|s| s.flowsim).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "ratio",
        scored.iter().map(|s| s.ratio()).collect::<Vec<_>>(),
    )?;
    d.set_item("verdict", verdict)?;
    d.set_item("missing", missing)?;
    d.set_item(
        "calibration",
        scored.iter().map(|s| s.calibration).collect::<Vec<_>>(),
    )?;
    Ok(d)
}

/// The agent class names `ablate` takes, and `mechanical`.
#[pyfunction]
fn agent_classes() -> Vec<&'static str> {
    flowsim::agents::AgentClass::ALL
        .iter()
        .map(|c| c.as_str())
        .collect()
}

#[pymodule]
fn _flowsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("FlowsimError", py.get_type::<FlowsimError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("RunError", py.get_type::<RunError>())?;
    m.add("CostError", py.get_type::<CostError>())?;
    m.add("HistoryError", py.get_type::<HistoryError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(ablate_run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(monitor_run, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(agent_classes, m)?)?;
    Ok(())
}
