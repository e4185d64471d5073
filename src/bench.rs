//! Scenario benchmarks: a scenario run in memory, timed, repeated, and scaled.
//!
//! A benchmark run builds the simulation and runs it into a [`NullSink`] that drops every row,
//! so the figures measure the simulation (agents, market, matching) and not CSV or Parquet
//! writing. Only `Simulation::run` is timed; building (pre-history, agents) is timed apart.
//! `flowsim bench SCENARIO` prints these figures; `BENCHMARKS.md` records them.

use std::path::Path;
use std::time::Instant;

use thiserror::Error;

use crate::analysis::distribution::median;
use crate::market::{RunCounts, SimError};
use crate::record::{BarRow, EventRow, FlowRow, PositionRow, RecordSink, StateRow, TradeRow};
use crate::scenario::build::{self, BuildError};
use crate::scenario::{LoadedScenario, ScenarioError};

#[derive(Debug, Error)]
pub enum BenchError {
    #[error("building {file}")]
    Build {
        file: String,
        #[source]
        source: BuildError,
    },
    #[error("running {file}")]
    Sim {
        file: String,
        #[source]
        source: SimError,
    },
    #[error("{file}: cannot edit the scenario for scaling: {message}")]
    Edit { file: String, message: String },
    #[error("the scaled scenario is not valid")]
    Scaled(#[source] ScenarioError),
    #[error("runs must be at least 1")]
    NoRuns,
}

/// A sink that drops every row, so a benchmark measures the simulation and not the writers.
/// It does not ask for book observations either.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

impl RecordSink for NullSink {
    fn trade(&mut self, _row: &TradeRow) -> std::io::Result<()> {
        Ok(())
    }
    fn bar(&mut self, _row: &BarRow) -> std::io::Result<()> {
        Ok(())
    }
    fn flow(&mut self, _row: &FlowRow) -> std::io::Result<()> {
        Ok(())
    }
    fn position(&mut self, _row: &PositionRow) -> std::io::Result<()> {
        Ok(())
    }
    fn event(&mut self, _row: &EventRow) -> std::io::Result<()> {
        Ok(())
    }
    fn state(&mut self, _row: &StateRow) -> std::io::Result<()> {
        Ok(())
    }
}

/// One timed run.
#[derive(Clone, Copy, Debug)]
pub struct Measurement {
    /// Seconds spent building the simulation (pre-history, agents, books).
    pub build_secs: f64,
    /// Seconds spent in `Simulation::run`.
    pub run_secs: f64,
    pub counts: RunCounts,
    pub agents: usize,
}

/// Builds `loaded` with `seed` and runs it into a [`NullSink`], timing both parts.
pub fn run_once(loaded: &LoadedScenario, seed: u64) -> Result<Measurement, BenchError> {
    let file = || loaded.path.display().to_string();
    let t = Instant::now();
    let mut sim = build::build(loaded, seed).map_err(|source| BenchError::Build {
        file: file(),
        source,
    })?;
    let build_secs = t.elapsed().as_secs_f64();
    let agents = sim.agent_count();
    let t = Instant::now();
    let outcome = sim
        .run(&mut NullSink, &mut |_, _| {})
        .map_err(|source| BenchError::Sim {
            file: file(),
            source,
        })?;
    let run_secs = t.elapsed().as_secs_f64();
    std::hint::black_box(&sim);
    Ok(Measurement {
        build_secs,
        run_secs,
        counts: outcome.counts,
        agents,
    })
}

/// Medians over repeated runs of one scenario.
#[derive(Clone, Debug)]
pub struct Summary {
    pub runs: usize,
    pub days: u32,
    pub instruments: usize,
    pub agents: usize,
    /// Counts of the first run (every run uses the same seed, so they agree).
    pub counts: RunCounts,
    pub build_secs: f64,
    pub run_secs: f64,
    pub secs_per_day: f64,
    pub orders_per_sec: f64,
    pub events_per_sec: f64,
    pub trades_per_sec: f64,
    /// Peak resident memory of the process (VmHWM) after the runs, in KiB; `None` where
    /// `/proc/self/status` does not exist.
    pub peak_rss_kib: Option<u64>,
}

/// Runs `loaded` `runs` times with `seed` and reports medians. Rates are medians of the
/// per-run rates (each run's count divided by its own `Simulation::run` time).
pub fn bench(loaded: &LoadedScenario, seed: u64, runs: usize) -> Result<Summary, BenchError> {
    if runs == 0 {
        return Err(BenchError::NoRuns);
    }
    let ms = (0..runs)
        .map(|_| run_once(loaded, seed))
        .collect::<Result<Vec<_>, _>>()?;
    let days = loaded.scenario.days.max(1);
    let med = |f: &dyn Fn(&Measurement) -> f64| median(&ms.iter().map(f).collect::<Vec<_>>());
    let rate = |n: u64, m: &Measurement| n as f64 / m.run_secs.max(1e-12);
    Ok(Summary {
        runs,
        days: loaded.scenario.days,
        instruments: loaded.scenario.instruments.len(),
        agents: ms[0].agents,
        counts: ms[0].counts,
        build_secs: med(&|m| m.build_secs),
        run_secs: med(&|m| m.run_secs),
        secs_per_day: med(&|m| m.run_secs / days as f64),
        orders_per_sec: med(&|m| rate(m.counts.orders, m)),
        events_per_sec: med(&|m| rate(m.counts.events, m)),
        trades_per_sec: med(&|m| rate(m.counts.trades, m)),
        peak_rss_kib: peak_rss_kib(),
    })
}

/// Peak resident set size of this process in KiB (`VmHWM` in `/proc/self/status`), or `None`
/// where that file does not exist (not Linux).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets the process's peak RSS to its current RSS (Linux: writes 5 to
/// `/proc/self/clear_refs`), so the next [`peak_rss_kib`] describes what follows. Returns
/// whether it worked; where it does not, the peak stays the process's peak so far.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// What a scaling row grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// The `count` of every agent table, and the LETF funds (which have no count): each is
    /// split into as many funds with an equal share of its assets. Background tables (market
    /// makers, noise and value traders) size each agent, so their flow grows with the count;
    /// the flow tables (LETFs included) size the class, split among its agents, so their
    /// dollar flow stays the same.
    Agents,
    /// Simulated days.
    Days,
    /// Instruments: the list is repeated with suffixed symbols. Background tables (market
    /// makers, noise and value traders) are per instrument, so they grow with it; every other
    /// agent table is grown as for [`Axis::Agents`] (those agents stay on their instrument).
    Instruments,
}

impl Axis {
    pub const ALL: [Axis; 3] = [Axis::Agents, Axis::Days, Axis::Instruments];

    pub fn name(self) -> &'static str {
        match self {
            Axis::Agents => "agents",
            Axis::Days => "days",
            Axis::Instruments => "instruments",
        }
    }
}

/// Background agent tables, whose `count` is per instrument.
const PER_INSTRUMENT: [&str; 3] = ["market_maker", "noise", "value"];

/// `loaded` with `days` simulated days.
pub fn with_days(loaded: &LoadedScenario, days: u32) -> Result<LoadedScenario, BenchError> {
    edit(loaded, |t| {
        t.insert("days".into(), toml::Value::Integer(days as i64));
        Ok(())
    })
}

/// `loaded` grown `factor` times along `axis` (factor 1 returns an unchanged copy).
pub fn scaled(
    loaded: &LoadedScenario,
    axis: Axis,
    factor: u32,
) -> Result<LoadedScenario, BenchError> {
    if factor <= 1 {
        return Ok(loaded.clone());
    }
    let k = factor as i64;
    let agents = || {
        toml::Value::try_from(&loaded.scenario.agents)
            .map_err(|e| format!("cannot re-read the parsed agent tables: {e}"))
    };
    match axis {
        Axis::Days => with_days(loaded, loaded.scenario.days.saturating_mul(factor)),
        Axis::Agents => edit(loaded, |t| scale_counts(t, &agents()?, k, &[])),
        Axis::Instruments => edit(loaded, |t| {
            if !matches!(
                loaded.scenario.prehistory,
                crate::scenario::PrehistoryCfg::Synthetic { .. }
            ) {
                return Err("instrument scaling needs a synthetic pre-history (a file has one series per symbol)".into());
            }
            let Some(toml::Value::Array(list)) = t.get_mut("instruments") else {
                return Err("no [[instruments]] list".into());
            };
            let originals = list.clone();
            for copy in 2..=k {
                for ins in &originals {
                    let mut ins = ins.clone();
                    if let Some(toml::Value::String(sym)) =
                        ins.as_table_mut().and_then(|t| t.get_mut("symbol"))
                    {
                        *sym = format!("{sym}_{copy}");
                    }
                    list.push(ins);
                }
            }
            scale_counts(t, &agents()?, k, &PER_INSTRUMENT)
        }),
    }
}

/// Grows every `[agents.*]` table except those named in `skip` `k` times: a table with a
/// `count` has it multiplied; the LETF table (a list of `funds`, no count) has each fund split
/// into `k` funds with `1/k` of its assets. Counts and funds are read from `agents`, the
/// parsed scenario's agent tables (defaults filled in), and written into `t`, the scenario's
/// TOML, which may leave them to their defaults.
fn scale_counts(
    t: &mut toml::Table,
    agents: &toml::Value,
    k: i64,
    skip: &[&str],
) -> Result<(), String> {
    let Some(toml::Value::Table(tables)) = t.get_mut("agents") else {
        return Err("no [agents] table".into());
    };
    for (name, table) in tables.iter_mut() {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let Some(table) = table.as_table_mut() else {
            return Err(format!("agents.{name} is not a table"));
        };
        let parsed = agents.get(name.as_str());
        if let Some(n) = parsed
            .and_then(|a| a.get("count"))
            .and_then(|c| c.as_integer())
        {
            table.insert("count".into(), toml::Value::Integer(n * k));
        } else if let Some(funds) = parsed
            .and_then(|a| a.get("funds"))
            .and_then(|f| f.as_array())
        {
            table.insert("funds".into(), toml::Value::Array(split_funds(funds, k)?));
        } else {
            return Err(format!("agents.{name}: neither a count nor funds to scale"));
        }
    }
    Ok(())
}

/// Each fund of `funds` as `k` funds with `1/k` of its `aum_usd`, so the funds' summed assets
/// (and their rebalancing flow, linear in assets) stay the same while the agents multiply.
fn split_funds(funds: &[toml::Value], k: i64) -> Result<Vec<toml::Value>, String> {
    let mut out = Vec::with_capacity(funds.len() * k as usize);
    for fund in funds {
        let mut part = fund.clone();
        let aum = part
            .get_mut("aum_usd")
            .ok_or("agents.letf: a fund without aum_usd")?;
        let total = aum
            .as_float()
            .or_else(|| aum.as_integer().map(|a| a as f64))
            .ok_or("agents.letf: aum_usd is not a number")?;
        *aum = toml::Value::Float(total / k as f64);
        out.extend(std::iter::repeat_n(part, k as usize));
    }
    Ok(out)
}

/// Applies `f` to the scenario's TOML and re-checks the result (so a scaled scenario obeys
/// the same validation as a file).
pub(crate) fn edit(
    loaded: &LoadedScenario,
    f: impl FnOnce(&mut toml::Table) -> Result<(), String>,
) -> Result<LoadedScenario, BenchError> {
    let file = loaded.path.display().to_string();
    let mut table: toml::Table = toml::from_str(&loaded.source).map_err(|e| BenchError::Edit {
        file: file.clone(),
        message: e.to_string(),
    })?;
    f(&mut table).map_err(|message| BenchError::Edit {
        file: file.clone(),
        message,
    })?;
    let source = toml::to_string(&table).map_err(|e| BenchError::Edit {
        file,
        message: e.to_string(),
    })?;
    let scenario =
        crate::scenario::parse(Path::new(&loaded.path), &source).map_err(BenchError::Scaled)?;
    Ok(LoadedScenario {
        scenario,
        path: loaded.path.clone(),
        source,
    })
}
