//! The sweep table: one row per finished run (point, parameters, seed, key metrics from its
//! `summary.json`, and intraday statistics from its bars: momentum slope, t and R²,
//! volatility, pinning), written as `sweep.csv` and `sweep.parquet`; `points.csv`, one row
//! per point with its seeds' days pooled into one momentum regression (a run's days are too
//! few for a significant slope); and `failures.csv`.
//!
//! The table is a function of the sweep file and the run folders only: columns come from the
//! sweep (its parameters, and the instruments of its points), rows are in run order, and
//! nothing records which thread, shard or machine ran what. So a merge of shards writes the
//! same bytes as an unsharded sweep.
//!
//! Charts of a sweep (drawdowns per point, fan charts, a metric against a parameter with
//! bands across seeds) are drawn by [`super::charts`] from what [`aggregate`] returns: the
//! [`Table`] and each run's daily closes. This module only assembles the numbers.

use super::error::SweepError;
use super::intraday::{self, Intraday};
use super::layout::{self, Layout};
use super::plan::{self, RunId};
use super::resume::{self, RunSummary, State};
use super::table::{Cell, Column, Kind, Table};
use crate::analysis::momentum::Ols;
use crate::analysis::path::PricePath;
use crate::analysis::pinning::Pinning;
use crate::record::RunRecords;
use crate::scenario::Sweep;

/// What [`aggregate`] found and wrote.
#[derive(Debug)]
pub struct Aggregate {
    pub table: Table,
    /// One row per point, its finished runs pooled (`points.csv`).
    pub points: Table,
    /// The instruments of all points, in order of first appearance: the order of the
    /// per-instrument columns and of each entry of `closes`.
    pub symbols: Vec<String>,
    /// Per row of `table`, per symbol of the sweep: the run's daily closes as (day, close),
    /// empty where the run has no such instrument. Read with the bars for the intraday
    /// statistics, so the charts do not read every run folder again.
    pub closes: Vec<Vec<Vec<(f64, f64)>>>,
    /// Runs that failed, with their recorded errors, in run order.
    pub failures: Vec<(RunId, String)>,
    pub total: usize,
}

/// Per-run counts in the table, in order.
const COUNTS: [&str; 7] = [
    "orders",
    "rejected",
    "cancels",
    "trades",
    "halts",
    "events",
    "closed_days",
];

/// Per-instrument metrics in the table, in order; each column is `<symbol>_<metric>`.
const METRICS: [(&str, Kind); 6] = [
    ("total_return", Kind::F64),
    ("max_drawdown", Kind::F64),
    ("min_price", Kind::F64),
    ("final_close", Kind::F64),
    ("final_fundamental", Kind::F64),
    ("volume_units", Kind::U64),
];

/// Per-instrument intraday statistics, `<symbol>_<metric>`: of a run in `sweep.csv`, and of a
/// point's runs pooled in `points.csv`, which alone carries the slope's standard error
/// (`POOLED_ONLY`). The pinning columns are empty for an instrument without dealers.
const INTRADAY: [(&str, Kind); 10] = [
    ("mom_days", Kind::U64),
    ("mom_slope", Kind::F64),
    ("mom_se", Kind::F64),
    ("mom_t", Kind::F64),
    ("mom_r2", Kind::F64),
    ("intraday_vol", Kind::F64),
    ("pin_days", Kind::U64),
    ("pin_distance", Kind::F64),
    ("pin_share_near", Kind::F64),
    ("pin_ticks", Kind::F64),
];
const POOLED_ONLY: &str = "mom_se";

/// The [`INTRADAY`] columns of one table.
fn intraday_columns(pooled: bool) -> impl Iterator<Item = (&'static str, Kind)> {
    INTRADAY
        .into_iter()
        .filter(move |&(m, _)| pooled || m != POOLED_ONLY)
}

/// Reads every run of the sweep from `layout` and writes the tables. Every run must have
/// finished or failed; runs that never ran (a shard not run yet, a killed process) make it an
/// error that lists them, and nothing is written.
pub fn aggregate(sweep: &Sweep, layout: &Layout) -> Result<Aggregate, SweepError> {
    let runs = plan::runs(sweep);
    let states = resume::scan(sweep, layout, &runs)?;
    let missing: Vec<String> = runs
        .iter()
        .zip(&states)
        .filter(|(_, s)| matches!(s, State::Pending))
        .map(|(r, _)| r.name())
        .collect();
    if !missing.is_empty() {
        return Err(SweepError::Missing {
            out: layout.root().to_path_buf(),
            missing: missing.len(),
            total: runs.len(),
            runs: missing,
        });
    }

    let symbols = symbols(sweep);
    let kinds: Vec<Kind> = (0..sweep.parameters.len())
        .map(|k| param_kind(sweep, k))
        .collect();
    let stats = read_bars(sweep, layout, &runs, &states, &symbols)?;
    let table = build_table(sweep, &runs, &states, &stats, &symbols, &kinds);
    let points = build_points(sweep, &runs, &stats, &symbols, &kinds);
    let closes = stats
        .into_iter()
        .flatten()
        .map(|run| {
            run.into_iter()
                .map(|b| b.map_or_else(Vec::new, |b| b.closes))
                .collect()
        })
        .collect();
    let failures: Vec<(RunId, String)> = runs
        .iter()
        .zip(&states)
        .filter_map(|(r, s)| match s {
            State::Failed(e) => Some((r.clone(), e.clone())),
            _ => None,
        })
        .collect();
    let failure_table = Table {
        columns: vec![
            col("point", Kind::U64),
            col("run", Kind::Str),
            col("seed", Kind::U64),
            col("error", Kind::Str),
        ],
        rows: failures
            .iter()
            .map(|(r, e)| {
                vec![
                    Cell::U64(r.point as u64),
                    Cell::Str(r.name()),
                    Cell::U64(r.seed),
                    Cell::Str(e.clone()),
                ]
            })
            .collect(),
    };

    // Leftovers of a killed earlier aggregation.
    let own = ["sweep.csv", "sweep.parquet", "failures.csv", "points.csv"];
    layout::remove_partials(layout.root(), |n| own.contains(&n))?;
    layout::write_atomic_with(&layout.table_csv(), |p| table.write_csv(p))?;
    layout::write_atomic_with(&layout.table_parquet(), |p| table.write_parquet(p))?;
    layout::write_atomic_with(&layout.failures_csv(), |p| failure_table.write_csv(p))?;
    layout::write_atomic_with(&layout.points_csv(), |p| points.write_csv(p))?;
    Ok(Aggregate {
        table,
        points,
        symbols,
        closes,
        failures,
        total: runs.len(),
    })
}

fn col(name: &str, kind: Kind) -> Column {
    Column {
        name: name.to_string(),
        kind,
    }
}

/// The instruments of all points, in order of first appearance.
fn symbols(sweep: &Sweep) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in &sweep.points {
        for ins in &p.scenario.scenario.instruments {
            if !out.contains(&ins.symbol) {
                out.push(ins.symbol.clone());
            }
        }
    }
    out
}

/// The column kind of a parameter: integers if every value is one, numbers if every value
/// is a number, text otherwise.
fn param_kind(sweep: &Sweep, k: usize) -> Kind {
    let values = || sweep.points.iter().filter_map(|p| p.values[k].as_ref());
    if values().all(|v| v.is_integer()) {
        Kind::I64
    } else if values().all(|v| v.is_integer() || v.is_float()) {
        Kind::F64
    } else {
        Kind::Str
    }
}

fn param_cell(v: Option<&toml::Value>, kind: Kind) -> Cell {
    match (v, kind) {
        (None, _) => Cell::Null,
        (Some(toml::Value::Integer(i)), Kind::I64) => Cell::I64(*i),
        (Some(toml::Value::Integer(i)), Kind::F64) => Cell::F64(*i as f64),
        (Some(toml::Value::Float(x)), Kind::F64) => Cell::F64(*x),
        (Some(toml::Value::String(s)), _) => Cell::Str(s.clone()),
        (Some(other), _) => Cell::Str(crate::scenario::overrides::display_value(other)),
    }
}

/// One instrument of one finished run, from its bars.
struct FromBars {
    intraday: Intraday,
    /// Daily closes as (day, close), for the sweep charts.
    closes: Vec<(f64, f64)>,
}

/// Per run (`None` unless it finished), per symbol of the sweep (`None` where the run has no
/// such instrument): what its bars give.
type RunStats = Vec<Option<Vec<Option<FromBars>>>>;

/// Reads each finished run's bars once, for the intraday statistics and the charts' closes.
fn read_bars(
    sweep: &Sweep,
    layout: &Layout,
    runs: &[RunId],
    states: &[State],
    symbols: &[String],
) -> Result<RunStats, SweepError> {
    runs.iter()
        .zip(states)
        .map(|(r, s)| {
            if !matches!(s, State::Done(_)) {
                return Ok(None);
            }
            let dir = layout.run_dir(r);
            let records = RunRecords::read_bars(&dir)
                .map_err(|source| SweepError::Records { path: dir, source })?;
            let scenario = &sweep.points[r.point].scenario.scenario;
            Ok(Some(
                symbols
                    .iter()
                    .map(|sym| {
                        let i = records.symbols.iter().position(|s| s == sym)? as u16;
                        let path = PricePath::new(&records.bars, i);
                        Some(FromBars {
                            intraday: intraday::of_run(scenario, &records.bars, i, sym),
                            closes: path
                                .days()
                                .into_iter()
                                .map(f64::from)
                                .zip(path.daily_closes())
                                .collect(),
                        })
                    })
                    .collect(),
            ))
        })
        .collect()
}

/// `point`, `run`, the parameters' columns and `seed`.
fn key_columns(sweep: &Sweep, kinds: &[Kind], with_run: bool) -> Vec<Column> {
    let mut columns = vec![col("point", Kind::U64)];
    if with_run {
        columns.push(col("run", Kind::Str));
    }
    columns.extend(
        sweep
            .parameters
            .iter()
            .zip(kinds)
            .map(|(p, &kind)| col(p.as_str(), kind)),
    );
    columns
}

fn build_table(
    sweep: &Sweep,
    runs: &[RunId],
    states: &[State],
    stats: &RunStats,
    symbols: &[String],
    kinds: &[Kind],
) -> Table {
    let mut columns = key_columns(sweep, kinds, true);
    columns.push(col("seed", Kind::U64));
    columns.extend(COUNTS.iter().map(|c| col(c, Kind::U64)));
    for s in symbols {
        for (m, kind) in METRICS {
            columns.push(col(&format!("{s}_{m}"), kind));
        }
    }
    for s in symbols {
        for (m, kind) in intraday_columns(false) {
            columns.push(col(&format!("{s}_{m}"), kind));
        }
    }

    let rows = runs
        .iter()
        .zip(states)
        .zip(stats)
        .filter_map(|((r, s), st)| match (s, st) {
            (State::Done(summary), Some(st)) => {
                let mut cells = row(sweep, r, summary, kinds, symbols);
                cells.extend(st.iter().flat_map(|b| {
                    let i = b.as_ref().map(|b| &b.intraday);
                    intraday_cells(i.map(|i| (&i.momentum.fit, i.vol, i.pin.as_ref())), false)
                }));
                Some(cells)
            }
            _ => None,
        })
        .collect();
    Table { columns, rows }
}

/// The [`intraday_columns`] cells for a regression, a volatility and pinning; all empty
/// without statistics.
fn intraday_cells(stats: Option<(&Ols, f64, Option<&Pinning>)>, pooled: bool) -> Vec<Cell> {
    let Some((f, vol, pin)) = stats else {
        return intraday_columns(pooled).map(|_| Cell::Null).collect();
    };
    let mut cells = vec![Cell::U64(f.n as u64), Cell::F64(f.slope)];
    if pooled {
        cells.push(Cell::F64(f.slope_se));
    }
    cells.extend([Cell::F64(f.t), Cell::F64(f.r2), Cell::F64(vol)]);
    cells.extend(match pin {
        Some(p) => [
            Cell::U64(p.days as u64),
            Cell::F64(p.grid_distance),
            Cell::F64(p.share_near),
            Cell::F64(p.open_strike_ticks),
        ],
        None => [Cell::Null, Cell::Null, Cell::Null, Cell::Null],
    });
    cells
}

/// `points.csv`: per point, its parameters, how many runs finished, and per instrument the
/// pooled statistics of those runs.
fn build_points(
    sweep: &Sweep,
    runs: &[RunId],
    stats: &RunStats,
    symbols: &[String],
    kinds: &[Kind],
) -> Table {
    let mut columns = key_columns(sweep, kinds, false);
    columns.push(col("runs", Kind::U64));
    for s in symbols {
        for (m, kind) in intraday_columns(true) {
            columns.push(col(&format!("{s}_{m}"), kind));
        }
    }
    let rows = sweep
        .points
        .iter()
        .enumerate()
        .map(|(p, point)| {
            let mut row = vec![Cell::U64(p as u64)];
            row.extend(
                point
                    .values
                    .iter()
                    .zip(kinds)
                    .map(|(v, &kind)| param_cell(v.as_ref(), kind)),
            );
            let done: Vec<&Vec<Option<FromBars>>> = runs
                .iter()
                .zip(stats)
                .filter(|(r, _)| r.point == p)
                .filter_map(|(_, st)| st.as_ref())
                .collect();
            row.push(Cell::U64(done.len() as u64));
            for k in 0..symbols.len() {
                let these: Vec<&Intraday> = done
                    .iter()
                    .filter_map(|st| st[k].as_ref().map(|b| &b.intraday))
                    .collect();
                let pooled = (!these.is_empty()).then(|| intraday::pooled(&these));
                let stats = pooled.as_ref().map(|p| (&p.fit, p.vol, p.pin.as_ref()));
                row.extend(intraday_cells(stats, true));
            }
            row
        })
        .collect();
    Table { columns, rows }
}

fn row(sweep: &Sweep, r: &RunId, s: &RunSummary, kinds: &[Kind], symbols: &[String]) -> Vec<Cell> {
    let point = &sweep.points[r.point];
    let mut row = vec![Cell::U64(r.point as u64), Cell::Str(r.name())];
    row.extend(
        point
            .values
            .iter()
            .zip(kinds)
            .map(|(v, &kind)| param_cell(v.as_ref(), kind)),
    );
    row.push(Cell::U64(r.seed));
    let c = &s.counts;
    row.extend(
        [
            c.orders,
            c.rejected,
            c.cancels,
            c.trades,
            c.halts,
            c.events,
            c.closed_days,
        ]
        .map(Cell::U64),
    );
    for sym in symbols {
        match s.instruments.iter().find(|i| &i.symbol == sym) {
            Some(i) => row.extend([
                Cell::F64(i.total_return),
                Cell::F64(i.max_drawdown),
                Cell::F64(i.min_price),
                Cell::F64(i.final_close),
                Cell::F64(i.final_fundamental),
                Cell::U64(i.volume_units),
            ]),
            None => row.extend(METRICS.iter().map(|_| Cell::Null)),
        }
    }
    row
}
