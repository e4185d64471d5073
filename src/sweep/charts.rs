//! The sweep's summary charts and `report.html`, drawn after the table is written (by a
//! sweep, or by `--merge` of its shards):
//!
//! ```text
//! OUT/charts/drawdown-SPX.png|svg       max drawdown per grid point: box and every seed
//! OUT/charts/fan-SPX.png|svg            daily closes across seeds, one panel per point
//! OUT/charts/param-K-SPX.png|svg        max drawdown and total return against parameter K
//! OUT/report.html                       the grid, where the tables are, and the charts
//! ```
//!
//! Everything comes from the [`Aggregate`]: the metrics of its [`Table`](super::Table) (rows
//! in run order) and the daily closes read with each run's bars, so no run folder is read
//! again; statistics come from [`crate::analysis::distribution`]. Nothing depends on which
//! thread or shard ran what, and no absolute path is written, so a merged sweep's charts are
//! byte-identical to an unsharded one's. The charts folder is drawn under a hidden name and
//! renamed into place when complete.

use std::path::{Path, PathBuf};

use super::Aggregate;
use super::error::{SweepError, io};
use super::layout::{self, Layout};
use super::table::{Cell, Kind};
use crate::analysis::distribution::{FiveNumbers, fan, five_numbers, quantiles};
use crate::plot::{
    Axis, Band, Block, BoxChart, BoxGroup, BoxSummary, Figure, Format, Grid, LineChart, Report,
    Section, Series, Table as HtmlTable, format_value, render,
};
use crate::scenario::Sweep;

const SIZE: (u32, u32) = (1200, 700);
/// Height of one row of fan-chart panels.
const FAN_ROW: u32 = 320;
/// Width of one column of fan-chart panels.
const FAN_COLUMN: u32 = 450;
/// Percentiles of the fan: 10, 25, 50, 75, 90.
const FAN: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];
/// Percentiles of a metric against a parameter: 10, 50, 90.
const BAND: [f64; 3] = [0.1, 0.5, 0.9];

/// What [`draw`] wrote.
#[derive(Clone, Debug)]
pub struct Charts {
    /// `OUT/charts`.
    pub dir: PathBuf,
    /// `OUT/report.html`.
    pub report: PathBuf,
    /// Chart files written (PNG and SVG each), in order.
    pub files: Vec<PathBuf>,
}

/// One finished run, from the table.
struct Run<'a> {
    point: usize,
    /// Per symbol: max drawdown and total return.
    drawdown: Vec<f64>,
    total_return: Vec<f64>,
    /// Per symbol: (day, close) of each day, from the run folder's bars.
    closes: &'a [Vec<(f64, f64)>],
}

fn number(c: &Cell) -> f64 {
    match c {
        Cell::F64(x) => *x,
        Cell::I64(x) => *x as f64,
        Cell::U64(x) => *x as f64,
        _ => f64::NAN,
    }
}

/// Short names of the parameters: the last part of the dotted path, or the whole path when
/// two parameters share that last part.
fn short_names(sweep: &Sweep) -> Vec<String> {
    let last: Vec<&str> = sweep
        .parameters
        .iter()
        .map(|p| p.as_str().rsplit('.').next().unwrap_or(p.as_str()))
        .collect();
    sweep
        .parameters
        .iter()
        .zip(&last)
        .map(|(p, l)| {
            if last.iter().filter(|m| *m == l).count() > 1 {
                p.as_str().to_string()
            } else {
                l.to_string()
            }
        })
        .collect()
}

fn show(v: Option<&toml::Value>) -> String {
    match v {
        None => "–".into(),
        Some(toml::Value::Float(x)) if x.abs() >= 1e4 => format_value(*x, Format::Compact),
        Some(toml::Value::Integer(i)) if i.unsigned_abs() >= 10_000 => {
            format_value(*i as f64, Format::Compact)
        }
        Some(v) => crate::scenario::overrides::display_value(v),
    }
}

/// `count=20, annual_vol=0.1` for point `p`, over the parameters `which`.
fn point_label(sweep: &Sweep, short: &[String], p: usize, which: &[usize]) -> String {
    which
        .iter()
        .map(|&k| format!("{}={}", short[k], show(sweep.points[p].values[k].as_ref())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The finished runs' metrics from the table and their daily closes from the aggregation.
fn read_runs(agg: &Aggregate) -> Vec<Run<'_>> {
    let table = &agg.table;
    let Some(point_col) = table.column("point") else {
        return Vec::new();
    };
    // Per symbol, the columns of its two metrics (NaN where a column is missing).
    let columns = |m: &str| -> Vec<Option<usize>> {
        agg.symbols
            .iter()
            .map(|sym| table.column(&format!("{sym}_{m}")))
            .collect()
    };
    let (drawdown, total_return) = (columns("max_drawdown"), columns("total_return"));
    let values = |row: &[Cell], cols: &[Option<usize>]| -> Vec<f64> {
        cols.iter()
            .map(|c| c.map_or(f64::NAN, |i| number(&row[i])))
            .collect()
    };
    table
        .rows
        .iter()
        .zip(&agg.closes)
        .map(|(row, closes)| Run {
            point: number(&row[point_col]) as usize,
            drawdown: values(row, &drawdown),
            total_return: values(row, &total_return),
            closes,
        })
        .collect()
}

/// A box plot's five numbers: the whiskers at the smallest and largest value.
impl From<FiveNumbers> for BoxSummary {
    fn from(f: FiveNumbers) -> Self {
        BoxSummary {
            low: f.min,
            q1: f.q1,
            median: f.median,
            q3: f.q3,
            high: f.max,
        }
    }
}

/// File-name-safe form of a symbol or parameter.
fn stem_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn drawdown_chart(sweep: &Sweep, runs: &[Run], s: usize, sym: &str) -> BoxChart {
    let groups = (0..sweep.points.len())
        .map(|p| {
            let values: Vec<f64> = runs
                .iter()
                .filter(|r| r.point == p)
                .map(|r| r.drawdown[s])
                .collect();
            BoxGroup {
                name: format!("p{p}"),
                color: 0,
                summary: five_numbers(&values).map(BoxSummary::from),
                values,
            }
        })
        .collect();
    BoxChart {
        title: format!(
            "{sym}: max drawdown per grid point across seeds (box: quartiles; whiskers: min and max)"
        ),
        x: Axis::new("grid point"),
        y: Axis::new("max drawdown").format(Format::Percent),
        groups,
    }
}

fn fan_chart(
    sweep: &Sweep,
    short: &[String],
    runs: &[Run],
    s: usize,
    sym: &str,
) -> (Figure, (u32, u32)) {
    let all: Vec<usize> = (0..sweep.parameters.len()).collect();
    let fans: Vec<Vec<(f64, Vec<f64>)>> = (0..sweep.points.len())
        .map(|p| {
            let paths: Vec<Vec<(f64, f64)>> = runs
                .iter()
                .filter(|r| r.point == p)
                .map(|r| r.closes[s].clone())
                .collect();
            fan(&paths, &FAN)
        })
        .collect();
    // One y range for every panel, so points compare by eye.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (_, q) in fans.iter().flatten() {
        lo = lo.min(q[0]);
        hi = hi.max(q[4]);
    }
    let y = if lo.is_finite() && hi.is_finite() && hi > lo {
        let pad = (hi - lo) * 0.05;
        Axis::new("daily close")
            .format(Format::Thousands)
            .range(lo - pad, hi + pad)
    } else {
        Axis::new("daily close").format(Format::Thousands)
    };
    let charts: Vec<Figure> = fans
        .iter()
        .enumerate()
        .map(|(p, f)| {
            let label = point_label(sweep, short, p, &all);
            let seeds = runs.iter().filter(|r| r.point == p).count();
            let band = |name: &str, a: usize, b: usize| Band {
                name: name.into(),
                color: 0,
                points: f.iter().map(|(x, q)| (*x, q[a], q[b])).collect(),
            };
            Figure::from(LineChart {
                title: if label.is_empty() {
                    format!("p{p} ({seeds} seeds)")
                } else {
                    format!("p{p}: {label}")
                },
                x: Axis::new("day"),
                y: y.clone(),
                bands: vec![band("10–90%", 0, 4), band("25–75%", 1, 3)],
                series: vec![Series::new(
                    "median",
                    0,
                    f.iter().map(|(x, q)| (*x, q[2])).collect(),
                )],
                ..LineChart::default()
            })
        })
        .collect();
    let columns = charts.len().clamp(1, 3);
    let rows = charts.len().div_ceil(columns).max(1) as u32;
    let height = (rows * FAN_ROW + 60).clamp(SIZE.1 / 2, crate::plot::MAX_SIDE);
    let width = (columns as u32 * FAN_COLUMN + 150).max(SIZE.0);
    let grid = Grid {
        title: format!("{sym}: daily closes across seeds per grid point (median, 25–75%, 10–90%)"),
        columns,
        charts,
    };
    (Figure::from(grid), (width, height))
}

/// A metric against parameter `k`: one line per combination of the other parameters, at
/// each value of `k` the median across seeds, with the 10–90% band.
fn param_chart(
    sweep: &Sweep,
    short: &[String],
    runs: &[Run],
    k: usize,
    metric: impl Fn(&Run) -> f64,
    name: &str,
) -> LineChart {
    let others: Vec<usize> = (0..sweep.parameters.len()).filter(|&j| j != k).collect();
    // Combinations of the other parameters, in order of first appearance.
    let mut combos: Vec<String> = Vec::new();
    // (combination, x, metric) of each run with a numeric value of `k`.
    let mut points: Vec<(usize, f64, f64)> = Vec::new();
    for r in runs {
        let Some(x) = sweep.points[r.point].values[k]
            .as_ref()
            .and_then(|v| match v {
                toml::Value::Integer(i) => Some(*i as f64),
                toml::Value::Float(f) => Some(*f),
                _ => None,
            })
        else {
            continue;
        };
        let label = point_label(sweep, short, r.point, &others);
        let c = match combos.iter().position(|c| *c == label) {
            Some(c) => c,
            None => {
                combos.push(label);
                combos.len() - 1
            }
        };
        points.push((c, x, metric(r)));
    }
    let mut bands = Vec::new();
    let mut series = Vec::new();
    for (c, label) in combos.iter().enumerate() {
        let mut xs: Vec<f64> = points.iter().filter(|p| p.0 == c).map(|p| p.1).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let q: Vec<(f64, Vec<f64>)> = xs
            .iter()
            .map(|&x| {
                let v: Vec<f64> = points
                    .iter()
                    .filter(|p| p.0 == c && p.1 == x)
                    .map(|p| p.2)
                    .collect();
                (x, quantiles(&v, &BAND))
            })
            .collect();
        bands.push(Band {
            // One legend entry for the band when the lines are not told apart by colour.
            name: if combos.len() == 1 {
                "10–90%".into()
            } else {
                String::new()
            },
            color: c,
            points: q.iter().map(|(x, q)| (*x, q[0], q[2])).collect(),
        });
        series.push(Series::new(
            if label.is_empty() { "median" } else { label },
            c,
            q.iter().map(|(x, q)| (*x, q[1])).collect(),
        ));
    }
    // Large values (dollar sizes) in compact form: 25m rather than 25000000.
    let large = points.iter().any(|p| p.1.abs() >= 1e4);
    LineChart {
        title: format!("{name}: median and 10–90% across seeds"),
        x: Axis::new(sweep.parameters[k].as_str()).format(if large {
            Format::Compact
        } else {
            Format::Auto
        }),
        y: Axis::new(name).format(Format::Percent),
        bands,
        series,
        ..LineChart::default()
    }
}

/// Draws the charts into `OUT/charts` and writes `OUT/report.html`. `agg` is what
/// [`aggregate`](super::aggregate) returned for the same sweep and output folder.
pub fn draw(sweep: &Sweep, layout: &Layout, agg: &Aggregate) -> Result<Charts, SweepError> {
    let root = layout.root();
    let dir = root.join("charts");
    layout::remove_partials(root, |n| n == "charts")?;
    let (blocks, names) =
        crate::atomic::create_dir_via(&dir, |p, e| io(p)(e), |tmp| draw_into(sweep, agg, tmp))?;
    let report_path = root.join("report.html");
    report(sweep, agg, blocks)
        .write(&report_path)
        .map_err(SweepError::Chart)?;
    Ok(Charts {
        files: names.iter().map(|n| dir.join(n)).collect(),
        dir,
        report: report_path,
    })
}

type Drawn = (Vec<Section>, Vec<String>);

fn draw_into(sweep: &Sweep, agg: &Aggregate, dir: &Path) -> Result<Drawn, SweepError> {
    let runs = read_runs(agg);
    let short = short_names(sweep);
    let mut files = Vec::new();
    let mut put = |figure: Figure, stem: String, size: (u32, u32)| -> Result<String, SweepError> {
        let written = render(&figure, dir, &stem, size).map_err(SweepError::Chart)?;
        files.extend(
            written
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())),
        );
        Ok(format!("charts/{stem}.svg"))
    };

    let mut drawdowns = Vec::new();
    let mut fans = Vec::new();
    let mut params = Vec::new();
    for (s, sym) in agg.symbols.iter().enumerate() {
        let part = stem_part(sym);
        let src = put(
            drawdown_chart(sweep, &runs, s, sym).into(),
            format!("drawdown-{part}"),
            SIZE,
        )?;
        drawdowns.push(Block::Figure {
            src,
            caption: format!(
                "{sym}: maximum drawdown of each run (points) and its distribution across seeds \
                 per grid point: box from the 25th to the 75th percentile, line at the median, \
                 whiskers at the smallest and largest run."
            ),
        });
        let (figure, size) = fan_chart(sweep, &short, &runs, s, sym);
        let src = put(figure, format!("fan-{part}"), size)?;
        fans.push(Block::Figure {
            src,
            caption: format!(
                "{sym}: close of each day across the {} seeds, per grid point: median line, \
                 25–75% and 10–90% bands (percentiles of the seeds that reached that day).",
                sweep.seeds.len()
            ),
        });
        for (k, p) in sweep.parameters.iter().enumerate() {
            let numeric = agg
                .table
                .column(p.as_str())
                .is_some_and(|i| matches!(agg.table.columns[i].kind, Kind::I64 | Kind::F64));
            if !numeric {
                continue;
            }
            let grid = Grid {
                title: format!("{sym}: against {p}"),
                columns: 2,
                charts: vec![
                    param_chart(sweep, &short, &runs, k, |r| r.drawdown[s], "max drawdown").into(),
                    param_chart(
                        sweep,
                        &short,
                        &runs,
                        k,
                        |r| r.total_return[s],
                        "total return",
                    )
                    .into(),
                ],
            };
            let src = put(
                grid.into(),
                format!("param-{}-{part}", stem_part(p.as_str())),
                (SIZE.0, SIZE.1 * 3 / 4),
            )?;
            params.push(Block::Figure {
                src,
                caption: format!(
                    "{sym}: max drawdown and total return against {p}, one line per combination \
                     of the other parameters: median across seeds, band from the 10th to the \
                     90th percentile."
                ),
            });
        }
    }
    if params.is_empty() {
        params.push(Block::Paragraph(
            "No swept parameter is numeric, so there is no metric-against-parameter chart.".into(),
        ));
    }
    let finished: Vec<usize> = (0..sweep.points.len())
        .map(|p| runs.iter().filter(|r| r.point == p).count())
        .collect();
    let mut headers = vec!["point".to_string()];
    headers.extend(sweep.parameters.iter().map(|p| p.as_str().to_string()));
    headers.push("finished runs".into());
    let grid_table = HtmlTable {
        caption: format!(
            "{} points × {} seeds ({}); names as in the charts (p3 is runs/p0003-seed*).",
            sweep.points.len(),
            sweep.seeds.len(),
            sweep
                .seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        headers,
        rows: (0..sweep.points.len())
            .map(|p| {
                let mut row = vec![format!("p{p}")];
                row.extend(sweep.points[p].values.iter().map(|v| show(v.as_ref())));
                row.push(format!("{} of {}", finished[p], sweep.seeds.len()));
                row
            })
            .collect(),
    };
    let sections = vec![
        Section {
            heading: "Grid".into(),
            blocks: vec![
                Block::Table(grid_table),
                Block::Paragraph(
                    "The table of runs is sweep.csv (and sweep.parquet) in this folder: one row \
                     per finished run in (point, seed) order with its parameters, seed, counts \
                     and, per instrument, total return, max drawdown, min price, final close and \
                     fundamental, and volume. Failed runs are listed in failures.csv; each run's \
                     own folder and report are under runs/."
                        .into(),
                ),
            ],
        },
        Section {
            heading: "Max drawdown per grid point".into(),
            blocks: drawdowns,
        },
        Section {
            heading: "Price paths across seeds".into(),
            blocks: fans,
        },
        Section {
            heading: "Metrics against parameters".into(),
            blocks: params,
        },
    ];
    Ok((sections, files))
}

fn report(sweep: &Sweep, agg: &Aggregate, sections: Vec<Section>) -> Report {
    let file = sweep
        .path
        .file_name()
        .map_or("sweep".into(), |n| n.to_string_lossy().into_owned());
    let mut header = vec![(
        "sweep file".into(),
        format!("{file} (copied as sweep.toml)"),
    )];
    if !sweep.description.is_empty() {
        header.push(("description".into(), sweep.description.clone()));
    }
    header.extend([
        ("base scenario".into(), sweep.base.scenario.name.clone()),
        ("points".into(), sweep.points.len().to_string()),
        ("seeds".into(), sweep.seeds.len().to_string()),
        (
            "runs".into(),
            format!(
                "{} finished, {} failed, {} in all",
                agg.table.rows.len(),
                agg.failures.len(),
                agg.total
            ),
        ),
        ("table".into(), "sweep.csv, sweep.parquet".into()),
    ]);
    Report {
        title: format!("Sweep {file}"),
        header,
        sections,
    }
}
