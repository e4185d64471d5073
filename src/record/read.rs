//! Reading a finished run folder back: the tables analysis and reports are computed from, so
//! `flowsim report DIR` gives the same result as the run that wrote DIR, from the files alone.
//! Trades are not read (they are the largest table and nothing downstream needs them).

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::rows::*;
use super::run_dir::RecordError;
use crate::agents::AgentClass;
use crate::agents::state::Metric;
use crate::book::Motive;

/// The tables of one run, with instruments as indices into `symbols`.
#[derive(Clone, Debug, Default)]
pub struct RunRecords {
    pub dir: PathBuf,
    /// Instrument symbols in index order.
    pub symbols: Vec<String>,
    pub bars: Vec<BarRow>,
    pub flows: Vec<FlowRow>,
    pub positions: Vec<PositionRow>,
    pub events: Vec<EventRow>,
    pub state: Vec<StateRow>,
}

type BarCsv = (
    u32,
    u32,
    u64,
    String,
    f64,
    f64,
    f64,
    f64,
    u64,
    u32,
    Option<f64>,
    f64,
    Option<f64>,
    Option<f64>,
    // time (ISO 8601; not needed: `time_ns` and the day are), bid and ask depth (best five
    // levels, then within 1% of the mid). Nested: serde's tuples stop at 16 elements, and csv
    // reads a nested tuple's fields in line.
    (Option<String>, u64, u64, u64, u64),
);
type FlowCsv = (
    u32,
    u32,
    u64,
    String,
    AgentClass,
    Motive,
    u64,
    u64,
    i64,
    f64,
    f64,
    f64,
    Option<String>,
);
type PositionCsv = (u32, String, AgentClass, u32, i64, f64, f64, Option<String>);
type EventCsv = (
    u64,
    u32,
    EventKind,
    Option<String>,
    f64,
    String,
    Option<String>,
);
type StateCsv = (
    u32,
    u64,
    u64,
    AgentClass,
    String,
    Metric,
    Option<f64>,
    f64,
    Option<String>,
);

fn read_table<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Vec<T>, RecordError> {
    let path = dir.join(name);
    let mut rdr = csv::Reader::from_path(&path).map_err(|e| RecordError::Read {
        path: path.clone(),
        line: 0,
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for rec in rdr.deserialize() {
        let row: T = rec.map_err(|e| RecordError::Read {
            path: path.clone(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        out.push(row);
    }
    Ok(out)
}

impl RunRecords {
    /// Reads `bars.csv`, `flows.csv`, `positions.csv`, `events.csv` and `state.csv` from `dir`.
    pub fn read(dir: &Path) -> Result<Self, RecordError> {
        let mut r = Self::read_bars(dir)?;
        r.read_rest()?;
        Ok(r)
    }

    /// Reads only `bars.csv` (and the symbols): what price-path statistics across many runs
    /// need, without parsing the other tables.
    pub fn read_bars(dir: &Path) -> Result<Self, RecordError> {
        let bars_raw: Vec<BarCsv> = read_table(dir, "bars.csv")?;
        if bars_raw.is_empty() {
            return Err(RecordError::Read {
                path: dir.join("bars.csv"),
                line: 0,
                message: "holds no bars: a finished run has a bar per instrument per bar \
                          interval (is the run folder complete?)"
                    .into(),
            });
        }
        // Bars are written for every instrument in index order, so the first bar of the run
        // lists them all in order, until a symbol repeats.
        let mut symbols: Vec<String> = Vec::new();
        for b in &bars_raw {
            if symbols.contains(&b.3) {
                break;
            }
            symbols.push(b.3.clone());
        }
        let mut r = RunRecords {
            dir: dir.to_path_buf(),
            symbols,
            ..RunRecords::default()
        };
        let index = |sym: &str, table: &str| r.index(sym, table);
        let bars = bars_raw
            .iter()
            .map(|b| {
                Ok(BarRow {
                    day: b.0,
                    bar: b.1,
                    time_ns: b.2,
                    instrument: index(&b.3, "bars.csv")?,
                    open: b.4,
                    high: b.5,
                    low: b.6,
                    close: b.7,
                    volume: b.8,
                    trades: b.9,
                    vwap: b.10,
                    fundamental: b.11,
                    best_bid: b.12,
                    best_ask: b.13,
                    bid_depth: b.14.1,
                    ask_depth: b.14.2,
                    bid_depth_1pct: b.14.3,
                    ask_depth_1pct: b.14.4,
                })
            })
            .collect::<Result<_, RecordError>>()?;
        r.bars = bars;
        Ok(r)
    }

    /// The symbol's instrument index, or an error naming the table.
    fn index(&self, sym: &str, table: &str) -> Result<u16, RecordError> {
        self.symbols
            .iter()
            .position(|s| s == sym)
            .map(|k| k as u16)
            .ok_or_else(|| RecordError::Read {
                path: self.dir.join(table),
                line: 0,
                message: format!(
                    "instrument {sym:?} is not one of the run's bars ({:?})",
                    self.symbols
                ),
            })
    }

    /// Reads the tables other than bars, once the symbols are known.
    fn read_rest(&mut self) -> Result<(), RecordError> {
        let dir = self.dir.clone();
        let dir = dir.as_path();
        let index = |sym: &str, table: &str| self.index(sym, table);
        let flows = read_table::<FlowCsv>(dir, "flows.csv")?
            .into_iter()
            .map(|f| {
                Ok(FlowRow {
                    day: f.0,
                    bar: f.1,
                    time_ns: f.2,
                    instrument: index(&f.3, "flows.csv")?,
                    class: f.4,
                    motive: f.5,
                    buy_units: f.6,
                    sell_units: f.7,
                    net_units: f.8,
                    buy_usd: f.9,
                    sell_usd: f.10,
                    net_usd: f.11,
                })
            })
            .collect::<Result<_, RecordError>>()?;
        let positions = read_table::<PositionCsv>(dir, "positions.csv")?
            .into_iter()
            .map(|p| {
                Ok(PositionRow {
                    day: p.0,
                    instrument: index(&p.1, "positions.csv")?,
                    class: p.2,
                    agents: p.3,
                    position_units: p.4,
                    exposure_usd: p.5,
                    cash_usd: p.6,
                })
            })
            .collect::<Result<_, RecordError>>()?;
        let events = read_table::<EventCsv>(dir, "events.csv")?
            .into_iter()
            .map(|e| {
                Ok(EventRow {
                    time_ns: e.0,
                    day: e.1,
                    kind: e.2,
                    instrument: e
                        .3
                        .as_deref()
                        .map(|sym| index(sym, "events.csv"))
                        .transpose()?,
                    value: e.4,
                    detail: e.5,
                })
            })
            .collect::<Result<_, RecordError>>()?;
        let state = read_table::<StateCsv>(dir, "state.csv")?
            .into_iter()
            .map(|s| {
                Ok(StateRow {
                    day: s.0,
                    time_ns: s.1,
                    agent: s.2,
                    class: s.3,
                    instrument: index(&s.4, "state.csv")?,
                    metric: s.5,
                    at: s.6,
                    value: s.7,
                })
            })
            .collect::<Result<_, RecordError>>()?;
        self.flows = flows;
        self.positions = positions;
        self.events = events;
        self.state = state;
        Ok(())
    }
}
