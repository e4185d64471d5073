//! The report of one run: analysis of its records drawn as charts and gathered in a static
//! `report.html` beside them. It reads only the run folder (the records, `summary.json`, and
//! the calendar from the copy of the scenario, `scenario.toml`), so `flowsim report DIR` gives
//! the same report as the run that wrote DIR.
//!
//! Numbers come from `analysis`; this module only chooses what to show and hands plain data to
//! `plot`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::agents::{AgentClass, Metric};
use crate::analysis::feedback::FeedbackGraph;
use crate::analysis::flows::{Dollars, FlowAttribution, TimeBucket};
use crate::analysis::momentum::{intraday_momentum, window_bars};
use crate::analysis::path::{PricePath, max_drawdown, max_gap, max_rally, retracement};
use crate::analysis::state::{daily_mean, daily_sum};
use crate::analysis::stylized::{ABS_LAGS, stylized_facts, volume_profile};
use crate::market::time::{Calendar, MINUTE, SECOND};
use crate::plot::{
    Axis, BarChart, BarSeries, Block, Dash, Figure, FitLine, Format, Grid, Level, LineChart,
    Marker, PlotError, PointSeries, Report, ScatterChart, Section, Series, Stack, Table,
    format_value, render,
};
use crate::record::{EventKind, RecordError, RunRecords};
use crate::scenario::ScenarioError;

#[derive(Debug, Error)]
pub enum ReportError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error("reading the run's calendar")]
    Scenario(#[source] ScenarioError),
    #[error(
        "{0} holds only the sweep tables (bars and flows, `tables = \"sweep\"`): a report needs \
         every table; rerun with `--tables all`"
    )]
    SweepTables(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

const SIZE: (u32, u32) = (1200, 700);
const TALL: (u32, u32) = (1200, 900);

/// A stable colour per class.
fn color(c: AgentClass) -> usize {
    crate::plot::class_color(c.index())
}

fn bn(x: f64) -> String {
    format_value(x, Format::Dollars)
}

fn pct(x: f64) -> String {
    format_value(x, Format::Percent)
}

/// Fractional day of each bar: day d, bar k of n → d + k/n, so trading day d spans [d, d + 1)
/// on the axis and its label sits where it starts.
fn day_x(day: u32, bar: u32, bars_per_day: u32) -> f64 {
    day as f64 + bar as f64 / bars_per_day as f64
}

/// A class's daily state series as chart points.
fn class_daily(
    r: &RunRecords,
    class: AgentClass,
    metric: Metric,
    instrument: u16,
    sum: bool,
) -> Vec<(f64, f64)> {
    let series = if sum {
        daily_sum(&r.state, class, metric, instrument)
    } else {
        daily_mean(&r.state, class, metric, instrument, true)
    };
    series.into_iter().map(|(d, v)| (d as f64, v)).collect()
}

/// The calendar of the run in `dir`, from the copy of its scenario there.
pub fn run_calendar(dir: &Path) -> Result<Calendar, ReportError> {
    let loaded =
        crate::scenario::load(&dir.join("scenario.toml")).map_err(ReportError::Scenario)?;
    let s = &loaded.scenario;
    Ok(crate::scenario::build::calendar(&s.calendar, s.days))
}

/// Writes `charts/` and `report.html` into `dir` from the run's files; returns the report path.
///
/// When the folder is the `with/` run of an ablation (`flowsim ablate`), the report also shows
/// the counterfactual beside it in `../without/`.
pub fn write_run_report(dir: &Path) -> Result<PathBuf, ReportError> {
    if dir.join("bars.csv").is_file() && !dir.join("state.csv").is_file() {
        return Err(ReportError::SweepTables(dir.to_path_buf()));
    }
    let cal = run_calendar(dir)?;
    let r = RunRecords::read(dir)?;
    write_report(&r, &cal, dir)
}

/// The counterfactual run beside `dir`, when `dir` is the `with/` run of an ablation folder.
fn counterfactual_of(dir: &Path) -> Option<PathBuf> {
    let parent = dir.parent()?;
    (dir.file_name()? == "with"
        && parent.join("ablation.json").is_file()
        && parent.join("without/bars.csv").is_file())
    .then(|| parent.join("without"))
}

/// Price with and without the removed classes overlaid, the fundamental, and below the
/// difference path (with / without − 1) in percent.
fn counterfactual_figure(
    with: &[crate::record::BarRow],
    without: &[crate::record::BarRow],
    instrument: u16,
    sym: &str,
    bars_per_day: u32,
    removed: &str,
) -> Figure {
    let ab = crate::analysis::ablation::Ablation::new(with, without, instrument);
    let fundamental = PricePath::new(with, instrument);
    let x: Vec<f64> = ab
        .at
        .iter()
        .map(|&(d, b)| day_x(d, b, bars_per_day))
        .collect();
    let line =
        |v: &[f64]| -> Vec<(f64, f64)> { x.iter().copied().zip(v.iter().copied()).collect() };
    let price = LineChart {
        title: format!("{sym}: price with and without {removed}"),
        x: Axis::new("trading day"),
        y: Axis::new("price").format(Format::Thousands),
        series: vec![
            Series::new("with the classes", 0, line(&ab.with)),
            Series::new(format!("without {removed}"), 1, line(&ab.without)),
            Series::new(
                "fundamental",
                7,
                line(&fundamental.fundamental[..ab.at.len().min(fundamental.fundamental.len())]),
            )
            .dotted(),
        ],
        ..LineChart::default()
    };
    let diff: Vec<f64> = ab.difference().iter().map(|d| d * 100.0).collect();
    let difference = LineChart {
        title: format!("{sym}: price with ÷ price without − 1"),
        x: Axis::new("trading day"),
        y: Axis::new("difference (%)"),
        series: vec![Series::new("difference", 4, line(&diff))],
        levels: vec![Level {
            y: 0.0,
            label: String::new(),
            color: None,
        }],
        ..LineChart::default()
    };
    Figure::Stack(Stack {
        title: String::new(),
        charts: vec![price.into(), difference.into()],
        heights: vec![3, 2],
        share_x: true,
    })
}

/// What `flowsim ablate` removed, from its `ablation.json`.
fn removed_classes(ablation_dir: &Path) -> String {
    std::fs::read_to_string(ablation_dir.join("ablation.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v["without"].as_array().map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        })
        .unwrap_or_else(|| "the removed classes".into())
}

/// The run report's section on its counterfactual.
fn counterfactual_section(
    r: &RunRecords,
    cal: &Calendar,
    without_dir: &Path,
    charts: &Path,
) -> Result<Section, ReportError> {
    let without = RunRecords::read_bars(without_dir)?;
    let removed = removed_classes(without_dir.parent().unwrap_or(without_dir));
    let mut blocks = vec![Block::Paragraph(format!(
        "This run is the factual half of an ablation: the same scenario and seed were run \
         without {removed} (../without/), every other agent keeping its random stream. The \
         ablation's own report (../report.html) has the amplification and the flows."
    ))];
    for (i, sym) in r.symbols.iter().enumerate() {
        let fig = counterfactual_figure(
            &r.bars,
            &without.bars,
            i as u16,
            sym,
            cal.bars_per_day(),
            &removed,
        );
        let stem = format!("counterfactual_{sym}");
        render(&fig, charts, &stem, TALL)?;
        blocks.push(Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption: format!(
                "{sym}: bar closes of this run and of the run without {removed}, the \
                 fundamental (dotted); below, the relative difference (negative: the price with \
                 the classes is lower)."
            ),
        });
    }
    Ok(Section {
        heading: "Counterfactual".into(),
        blocks,
    })
}

/// Writes `charts/` and `report.html` of an ablation folder (`with/`, `without/`,
/// `ablation.json`), and rewrites the `with/` run's report with its counterfactual.
pub fn write_ablation_report(
    dir: &Path,
    summary: &crate::counterfactual::AblationSummary,
) -> Result<PathBuf, ReportError> {
    let with_dir = dir.join("with");
    let cal = run_calendar(&with_dir)?;
    let with = RunRecords::read(&with_dir)?;
    let without = RunRecords::read_bars(&dir.join("without"))?;
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| ReportError::Io {
        path: charts.clone(),
        source,
    })?;
    let removed = summary.without.join(", ");
    let bpd = cal.bars_per_day();
    let mut blocks = vec![
        Block::Paragraph(format!(
            "The scenario {} was run twice with seed {}: once as written (with/) and once \
             without {removed} (without/). Every other agent keeps its id and random stream, \
             so the difference between the two paths is what the removed classes did, \
             directly and through everyone's reaction to them.",
            summary.scenario, summary.seed
        )),
        Block::Paragraph(
            "Definitions. Drawdown: the largest fall of a bar close below the highest close \
             before it, as a fraction of that high; the first bar's close counts as a high, \
             so a fall from the start is a drawdown. Amplification: the drawdown with the \
             classes divided by the drawdown without them (above 1, the classes deepened the \
             fall; 2 means twice as deep). Rally amplification is the same for the largest rise \
             from a low. Difference: price with ÷ price without − 1 at the same bar; \
             negative when the price with the classes is lower."
                .into(),
        ),
    ];
    let rows = summary
        .instruments
        .iter()
        .map(|i| {
            vec![
                i.symbol.clone(),
                pct(i.drawdown_with),
                pct(i.drawdown_without),
                format!(
                    "×{}",
                    format_value(i.drawdown_amplification, Format::Fixed(2))
                ),
                pct(i.rally_with),
                pct(i.rally_without),
                format!("×{}", format_value(i.rally_amplification, Format::Fixed(2))),
                format!(
                    "{} (day {} bar {})",
                    pct(i.largest_difference),
                    i.largest_difference_day,
                    i.largest_difference_bar
                ),
                pct(i.final_difference),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        caption: "Amplification".into(),
        headers: [
            "instrument",
            "drawdown with",
            "drawdown without",
            "amplification",
            "rally with",
            "rally without",
            "rally amplification",
            "largest difference",
            "final difference",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }));
    // Drawdowns side by side.
    let mut categories = Vec::new();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in &summary.instruments {
        categories.push(format!("{} with", i.symbol));
        categories.push(format!("{} without", i.symbol));
        a.extend([i.drawdown_with * 100.0, 0.0]);
        b.extend([0.0, i.drawdown_without * 100.0]);
    }
    let amp = BarChart {
        title: format!(
            "Max drawdown with and without the removed classes: amplification {}",
            summary
                .instruments
                .iter()
                .map(|i| format!(
                    "{} ×{}",
                    i.symbol,
                    format_value(i.drawdown_amplification, Format::Fixed(2))
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        x: Axis::new("instrument and run"),
        y: Axis::new("max drawdown (%)"),
        categories,
        series: vec![
            BarSeries::new("with the classes", 0, a),
            BarSeries::new(format!("without {removed}"), 1, b),
        ],
        ..BarChart::default()
    };
    render(&amp.into(), &charts, "amplification", SIZE)?;
    blocks.push(Block::Figure {
        src: "charts/amplification.svg".into(),
        caption: format!(
            "Max drawdown of bar closes with and without {removed}; amplification = with ÷ \
             without: {}.",
            summary
                .instruments
                .iter()
                .map(|i| format!(
                    "{} ×{}",
                    i.symbol,
                    format_value(i.drawdown_amplification, Format::Fixed(2))
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    let mut sections = vec![Section {
        heading: "Amplification".into(),
        blocks,
    }];
    for (k, sym) in with.symbols.iter().enumerate() {
        let k = k as u16;
        let mut blocks = Vec::new();
        let fig = counterfactual_figure(&with.bars, &without.bars, k, sym, bpd, &removed);
        let stem = format!("price_{sym}");
        render(&fig, &charts, &stem, TALL)?;
        blocks.push(Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption: format!(
                "{sym}: bar closes with and without {removed} and the fundamental (dotted); \
                 below, the difference path (with ÷ without − 1, %)."
            ),
        });
        let cum = cumulative_flow_chart(&with.flows, k, sym, bpd, None);
        if !cum.series.is_empty() {
            let stem = format!("cumulative_flows_{sym}");
            render(&cum.into(), &charts, &stem, SIZE)?;
            blocks.push(Block::Figure {
                src: format!("charts/{stem}.svg"),
                caption: format!(
                    "{sym}: cumulative net flow by class in the run with {removed} (dollars at \
                     each bar's VWAP): what the removed classes traded, and who took the other \
                     side."
                ),
            });
        }
        sections.push(Section {
            heading: sym.clone(),
            blocks,
        });
    }
    let report = Report {
        title: format!(
            "{} — seed {} — without {removed}",
            summary.scenario, summary.seed
        ),
        header: vec![
            ("scenario".into(), summary.scenario.clone()),
            ("seed".into(), summary.seed.to_string()),
            ("without".into(), removed.clone()),
        ],
        sections,
    };
    let path = dir.join("report.html");
    report.write(&path)?;
    // The runs' own reports, the factual one with its counterfactual.
    write_run_report(&with_dir)?;
    write_run_report(&dir.join("without"))?;
    Ok(path)
}

/// The bar length as the report names it: `1-minute`, `5-minute`, `30-second`.
fn bar_length(bar_seconds: u32) -> String {
    if bar_seconds % 60 == 0 {
        format!("{}-minute", bar_seconds / 60)
    } else {
        format!("{bar_seconds}-second")
    }
}

/// Minutes as an axis label: `5`, `2.5`.
fn minutes(m: f64) -> String {
    format!("{m}")
}

/// As [`write_run_report`], from records already read and the run's calendar. The title and
/// header come from the folder's `summary.json`.
pub fn write_report(r: &RunRecords, cal: &Calendar, dir: &Path) -> Result<PathBuf, ReportError> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| ReportError::Io {
        path: charts.clone(),
        source,
    })?;
    let mut header = Vec::new();
    let mut title = dir.display().to_string();
    if let Ok(text) = std::fs::read_to_string(dir.join("summary.json")) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            title = format!(
                "{} — seed {}",
                v["scenario"].as_str().unwrap_or("?"),
                v["seed"]
            );
            for key in [
                "scenario",
                "seed",
                "days",
                "start_date",
                "agents",
                "scenario_sha256",
                "flowsim_version",
            ] {
                let value = match &v[key] {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                header.push((key.replace('_', " "), value));
            }
        }
    }
    let mut sections = Vec::new();
    let all = FlowAttribution::new(&r.flows, None, cal.bars_per_day(), flow_bar_minutes(cal));
    sections.push(flow_tables(&all));
    let paths: Vec<PricePath> = (0..r.symbols.len())
        .map(|i| PricePath::new(&r.bars, i as u16))
        .collect();
    for (i, (sym, path)) in r.symbols.iter().zip(&paths).enumerate() {
        sections.push(instrument_section(r, i as u16, sym, path, cal, &charts)?);
    }
    if let Some(s) = agents_section(r, &paths, &charts)? {
        sections.push(s);
    }
    if let Some(without) = counterfactual_of(dir) {
        sections.push(counterfactual_section(r, cal, &without, &charts)?);
    }
    let report = Report {
        title,
        header,
        sections,
    };
    let path = dir.join("report.html");
    report.write(&path)?;
    Ok(path)
}

/// Whole minutes per bar, as [`FlowAttribution`] counts them into half hours (at least one:
/// bars shorter than a minute are counted as minutes).
fn flow_bar_minutes(cal: &Calendar) -> u32 {
    ((cal.bar / MINUTE) as u32).max(1)
}

fn flow_tables(a: &FlowAttribution) -> Section {
    let mut blocks = vec![Block::Paragraph(
        "Dollars bought and sold by each class over the run (all instruments), valued at each \
         bar's VWAP; the closing-auction share is the part of a class's gross trading done at \
         the closing uncross."
            .into(),
    )];
    let rows = a
        .classes()
        .into_iter()
        .map(|c| {
            let d = a.by_class[&c];
            vec![
                c.as_str().to_string(),
                bn(d.bought),
                bn(d.sold),
                bn(d.net()),
                pct(a.close_share(c)),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        caption: "Flows by class".into(),
        headers: ["class", "bought", "sold", "net", "at the close"]
            .map(String::from)
            .to_vec(),
        rows,
    }));
    let rows = a
        .by_class_motive
        .iter()
        .map(|((c, m), d)| {
            vec![
                c.as_str().to_string(),
                m.as_str().to_string(),
                bn(d.bought),
                bn(d.sold),
                bn(d.net()),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        caption: "Flows by class and motive".into(),
        headers: ["class", "motive", "bought", "sold", "net"]
            .map(String::from)
            .to_vec(),
        rows,
    }));
    Section {
        heading: "Who bought and sold".into(),
        blocks,
    }
}

fn instrument_section(
    r: &RunRecords,
    i: u16,
    sym: &str,
    path: &PricePath,
    cal: &Calendar,
    charts: &Path,
) -> Result<Section, ReportError> {
    let bars_per_day = cal.bars_per_day();
    let bar_seconds = (cal.bar / SECOND) as u32;
    let bar_minutes = bar_seconds as f64 / 60.0;
    let mut blocks = Vec::new();
    // Price and fundamental, with halts and shocks marked, over daily net flows by class.
    let x: Vec<f64> = path
        .at
        .iter()
        .map(|&(d, b)| day_x(d, b, bars_per_day))
        .collect();
    let price = Series::new(
        "price",
        0,
        x.iter().copied().zip(path.close.iter().copied()).collect(),
    );
    let fundamental = Series::new(
        "fundamental",
        7,
        x.iter()
            .copied()
            .zip(path.fundamental.iter().copied())
            .collect(),
    )
    .dashed();
    let markers = r
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Halt | EventKind::Shock | EventKind::ClosedForDay
            ) && e.instrument.is_none_or(|k| k == i)
        })
        .map(|e| Marker {
            x: e.day as f64 + cal.session_fraction(e.time_ns),
            label: match e.kind {
                EventKind::Halt => "halt".into(),
                EventKind::Shock => format!("shock {:+.1}%", e.value * 100.0),
                _ => "closed".into(),
            },
            color: None,
        })
        .collect();
    let price_chart = LineChart {
        title: format!("{sym}: price and fundamental value"),
        x: Axis::new("trading day"),
        y: Axis::new("price").format(Format::Thousands),
        series: vec![price, fundamental],
        markers,
        ..LineChart::default()
    };
    let att = FlowAttribution::new(&r.flows, Some(i), bars_per_day, flow_bar_minutes(cal));
    let days = path.days();
    let flow_chart = BarChart {
        title: format!("{sym}: net flow by class per day"),
        x: Axis::new("trading day"),
        y: Axis::new("net flow").format(Format::Dollars),
        categories: days.iter().map(|d| d.to_string()).collect(),
        positions: days.iter().map(|&d| d as f64 + 0.5).collect(),
        series: att
            .classes()
            .into_iter()
            .filter(|c| !matches!(c, AgentClass::Noise | AgentClass::MarketMaker))
            .map(|c| {
                BarSeries::new(
                    c.as_str(),
                    color(c),
                    days.iter().map(|&d| att.net(c, d)).collect(),
                )
            })
            .collect(),
        ..BarChart::default()
    };
    let stem = format!("price_flows_{sym}");
    render(
        &Figure::Stack(Stack {
            title: String::new(),
            charts: vec![price_chart.into(), flow_chart.into()],
            heights: vec![3, 2],
            share_x: true,
        }),
        charts,
        &stem,
        TALL,
    )?;
    blocks.push(Block::Figure {
        src: format!("charts/{stem}.svg"),
        caption: format!(
            "{sym}: bar closes and the fundamental value (dashed), with halts and shocks marked; \
             below, each class's net flow per day (buying above zero, selling below)."
        ),
    });
    // Cumulative net flow by class.
    let cum = cumulative_flow_chart(&r.flows, i, sym, bars_per_day, None);
    if !cum.series.is_empty() {
        let stem = format!("cumulative_flows_{sym}");
        render(&cum.into(), charts, &stem, SIZE)?;
        blocks.push(Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption: format!(
                "{sym}: each class's net flow added up bar by bar since the start of the run \
                 (dollars at each bar's VWAP; a falling line is a class selling)."
            ),
        });
    }
    // Each shock day bar by bar.
    if let Some(zoom) = shock_zooms(r, i, sym, cal) {
        let stem = format!("shock_days_{sym}");
        let rows = zoom.charts.len().div_ceil(2) as u32;
        render(&zoom.into(), charts, &stem, (1200, (460 * rows).max(520)))?;
        blocks.push(Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption: format!(
                "{sym}: the day of each shock at {} resolution, price (bar closes) and the \
                 fundamental (dashed), with the shock's time marked.",
                bar_length(bar_seconds)
            ),
        });
    }
    // The quoted spread and the book's depth over the run.
    if let Some(book) = spread_chart(r, i, sym, bars_per_day) {
        let stem = format!("book_{sym}");
        render(&book.into(), charts, &stem, TALL)?;
        blocks.push(Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption: format!(
                "{sym}: the quoted spread at the end of each bar, in basis points of the mid \
                 (bars with a one-sided or empty book are left out), and the units resting on \
                 the best five price levels of each side (bars.csv: bid_depth, ask_depth)."
            ),
        });
    }
    // Drawdown, overshoot and reversal.
    let dd = max_drawdown(&path.close);
    let up = max_rally(&path.close);
    let (below, at_below) = max_gap(&path.close, &path.fundamental, false);
    let (above, at_above) = max_gap(&path.close, &path.fundamental, true);
    let last = *path.close.last().unwrap_or(&0.0);
    let start = path.close.first().copied().unwrap_or(0.0);
    let rows = vec![
        vec!["max drawdown (bar closes)".into(), pct(dd.depth)],
        vec!["max rally from a low".into(), pct(up.depth)],
        vec![
            "largest gap below value".into(),
            format!(
                "{} (day {})",
                pct(below),
                path.at.get(at_below).map_or(0, |a| a.0)
            ),
        ],
        vec![
            "largest gap above value".into(),
            format!(
                "{} (day {})",
                pct(above),
                path.at.get(at_above).map_or(0, |a| a.0)
            ),
        ],
        vec![
            "share of the drawdown recovered by the end".into(),
            pct(if dd.depth > 0.0 {
                // The share of the fall from the peak to the low that the end has won back.
                retracement(path.close[dd.peak_index], path.close[dd.trough_index], last)
            } else {
                0.0
            }),
        ],
        vec![
            "share of the largest rally given back by the end".into(),
            pct(if up.depth > 0.0 {
                retracement(path.close[up.trough_index], path.close[up.peak_index], last)
            } else {
                0.0
            }),
        ],
        vec![
            "return over the run".into(),
            pct(if start > 0.0 { last / start - 1.0 } else { 0.0 }),
        ],
        vec!["days".into(), path.day_ends.len().to_string()],
    ];
    blocks.push(Block::Table(Table {
        caption: format!("{sym}: drawdown, overshoot and reversal"),
        headers: vec!["measure".into(), "value".into()],
        rows,
    }));
    // Flows by time of day.
    let buckets: Vec<TimeBucket> = {
        let mut b: Vec<TimeBucket> = att.by_class_time.keys().map(|(_, t)| *t).collect();
        b.sort();
        b.dedup();
        b
    };
    // Gross and net trading of the mechanical classes and real money by half hour.
    let by_time = |title: &str, y: &str, value: fn(&Dollars) -> f64| BarChart {
        title: format!("{sym}: {title} by time of day (whole run)"),
        x: Axis::new("half hour starting"),
        y: Axis::new(y).format(Format::Dollars),
        categories: buckets
            .iter()
            .map(|b| b.label((cal.open / MINUTE) as u32))
            .collect(),
        series: att
            .classes()
            .into_iter()
            .filter(|c| AgentClass::MECHANICAL.contains(c) || *c == AgentClass::RealMoney)
            .map(|c| {
                BarSeries::new(
                    c.as_str(),
                    color(c),
                    buckets
                        .iter()
                        .map(|b| att.by_class_time.get(&(c, *b)).map_or(0.0, value))
                        .collect(),
                )
            })
            .collect(),
        ..BarChart::default()
    };
    let charts_by_time = [
        (
            by_time("gross trading", "bought + sold", |d| d.bought + d.sold),
            format!("time_of_day_{sym}"),
            format!("{sym}: when in the day the mechanical flows and real money trade."),
        ),
        (
            by_time("net flow", "bought − sold", Dollars::net),
            format!("net_time_of_day_{sym}"),
            format!(
                "{sym}: net flow of the mechanical classes and real money per half hour, \
                 summed over the run: buying above zero, selling below; \"close\" is the \
                 closing auction."
            ),
        ),
    ];
    for (chart, stem, caption) in charts_by_time {
        if !buckets.is_empty() && !chart.series.is_empty() {
            render(&chart.into(), charts, &stem, SIZE)?;
            blocks.push(Block::Figure {
                src: format!("charts/{stem}.svg"),
                caption,
            });
        }
    }
    // Intraday momentum.
    let m = intraday_momentum(&r.bars, i, window_bars(bar_seconds));
    if m.fit.n >= 3 {
        let pts: Vec<(f64, f64)> = m
            .rest_of_day
            .iter()
            .zip(&m.last_window)
            .map(|(a, b)| (a * 100.0, b * 100.0))
            .collect();
        let scatter = ScatterChart {
            title: format!("{sym}: last half hour against the rest of the day"),
            x: Axis::new("rest-of-day return (%)"),
            y: Axis::new("last-30-minute return (%)"),
            series: vec![PointSeries {
                name: "days".into(),
                color: 0,
                points: pts,
            }],
            fits: vec![FitLine {
                label: format!(
                    "slope {:.3} (t {:.2}), R² {:.3}",
                    m.fit.slope, m.fit.t, m.fit.r2
                ),
                color: 5,
                intercept: m.fit.intercept * 100.0,
                slope: m.fit.slope,
            }],
        };
        let stem = format!("momentum_{sym}");
        render(&scatter.into(), charts, &stem, SIZE)?;
        blocks.push(Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption: format!(
                "{sym}: intraday momentum over {} days: slope {:.3}, t {:.2}, R² {:.3}.",
                m.fit.n, m.fit.slope, m.fit.t, m.fit.r2
            ),
        });
    }
    // Stylized facts.
    let f = stylized_facts(&r.bars, i);
    if f.returns > 60 {
        let length = bar_length(bar_seconds);
        let acf = BarChart {
            title: format!("ACF of {length} returns"),
            x: Axis::new("lag (minutes)"),
            y: Axis::new("autocorrelation"),
            categories: (1..=f.acf.len())
                .map(|l| minutes(l as f64 * bar_minutes))
                .collect(),
            series: vec![BarSeries::new("returns", 0, f.acf.clone())],
            ..BarChart::default()
        };
        let abs = BarChart {
            title: "ACF of absolute returns".into(),
            x: Axis::new("lag (minutes)"),
            y: Axis::new("autocorrelation"),
            categories: ABS_LAGS
                .iter()
                .map(|&l| minutes(l as f64 * bar_minutes))
                .collect(),
            series: vec![BarSeries::new("|returns|", 1, f.abs_acf.clone())],
            ..BarChart::default()
        };
        let v = volume_profile(&r.bars, i, 1.0 / bar_minutes);
        let vol = LineChart {
            title: if bar_seconds == 60 {
                "Mean volume by minute of the day".into()
            } else {
                format!("Mean volume per {length} bar of the day")
            },
            x: Axis::new("minute after the open"),
            y: Axis::new("units").format(Format::Compact),
            series: vec![Series::new(
                "volume",
                2,
                v.per_bar
                    .iter()
                    .enumerate()
                    .map(|(k, &u)| (k as f64 * bar_minutes, u))
                    .collect(),
            )],
            ..LineChart::default()
        };
        let stem = format!("stylized_{sym}");
        render(
            &Figure::Grid(Grid {
                title: format!("{sym}: stylized facts"),
                columns: 2,
                charts: vec![acf.into(), abs.into(), vol.into()],
            }),
            charts,
            &stem,
            TALL,
        )?;
        blocks.push(Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption: format!(
                "{sym}: {} {} returns; excess kurtosis {:.1}, Hill tail index {:.2}, \
                 largest |ACF| at lags 5–30 {:.3}; first and last half hour carry {:.1}× and \
                 {:.1}× the midday volume.",
                f.returns,
                if bar_seconds == 60 {
                    "one-minute"
                } else {
                    &length
                },
                f.excess_kurtosis,
                f.hill_tail_index,
                f.max_abs_acf_from(5),
                v.first_half_hour_ratio,
                v.last_half_hour_ratio
            ),
        });
    }
    // Feedback loops.
    let g = FeedbackGraph::measure(r, i, path, &att);
    if g.graph.edge_count() > 0 {
        let dot = charts.join(format!("feedback_{sym}.dot"));
        std::fs::write(&dot, g.to_dot()).map_err(|source| ReportError::Io {
            path: dot.clone(),
            source,
        })?;
        let rows = g
            .loops
            .iter()
            .map(|l| {
                vec![
                    format!("{} → price", l.nodes.join(" → ")),
                    format!("{:.3}", l.gain),
                ]
            })
            .collect();
        blocks.push(Block::Paragraph(
            "A feedback loop is a cycle from the price through market state and the classes \
             back to the price, each edge a sensitivity measured in this run by a regression \
             across days or bars (returns in percent, flows in $bn, volatility in percentage \
             points, trend signals in [−1, 1], so the units cancel around a cycle). Its gain k \
             is the product of the edge weights: the share of a 1% move that the loop sends \
             back into the price as a further move. k > 0 amplifies (alone, a loop of gain k \
             turns a move into 1/(1 − k) of it), k < 0 dampens, |k| ≥ 1 would not settle."
                .into(),
        ));
        blocks.push(Block::Table(Table {
            caption: format!(
                "{sym}: feedback loops through the price and their measured gains (edges in \
                 charts/feedback_{sym}.dot)"
            ),
            headers: vec!["loop".into(), "gain k".into()],
            rows,
        }));
    }
    Ok(Section {
        heading: sym.to_string(),
        blocks,
    })
}

/// `paths[i]` is the price path of instrument `i`.
fn agents_section(
    r: &RunRecords,
    paths: &[PricePath],
    charts: &Path,
) -> Result<Option<Section>, ReportError> {
    let mut panels: Vec<Figure> = Vec::new();
    let mut blocks = Vec::new();
    let present: std::collections::BTreeSet<AgentClass> = r.state.iter().map(|s| s.class).collect();
    let has = |c: AgentClass| present.contains(&c);
    let last_day = r.state.iter().map(|s| s.day).max().unwrap_or(0);
    for (i, (sym, path)) in r.symbols.iter().zip(paths).enumerate() {
        let i = i as u16;
        if has(AgentClass::VolTarget) {
            let e = class_daily(r, AgentClass::VolTarget, Metric::Exposure, i, false);
            let p = class_daily(
                r,
                AgentClass::VolTarget,
                Metric::ExposurePercentile,
                i,
                false,
            );
            if !e.is_empty() {
                panels.push(
                    LineChart {
                        title: format!("{sym}: vol-targeters' exposure (mean) and its percentile"),
                        x: Axis::new("trading day"),
                        y: Axis::new("exposure / percentile ÷ 100"),
                        series: vec![
                            Series::new("exposure", color(AgentClass::VolTarget), e).step(),
                            Series::new(
                                "percentile / 100",
                                7,
                                p.into_iter().map(|(d, v)| (d, v / 100.0)).collect(),
                            )
                            .dashed()
                            .step(),
                        ],
                        ..LineChart::default()
                    }
                    .into(),
                );
            }
        }
        if has(AgentClass::VolTarget) {
            let v = class_daily(r, AgentClass::VolTarget, Metric::VolEstimate, i, false);
            if !v.is_empty() {
                panels.push(
                    LineChart {
                        title: format!("{sym}: the volatility the vol-targeters act on (σ̂, mean)"),
                        x: Axis::new("trading day"),
                        y: Axis::new("annualised σ̂").format(Format::Percent),
                        series: vec![Series::new("σ̂", color(AgentClass::VolTarget), v).step()],
                        ..LineChart::default()
                    }
                    .into(),
                );
            }
        }
        if has(AgentClass::Cta) {
            let pos = class_daily(r, AgentClass::Cta, Metric::PositionUsd, i, true);
            if !pos.is_empty() {
                // CTAs' lookbacks differ a little (dispersion): one CTA's triggers are shown, so
                // there is one line per lookback.
                let first = r
                    .state
                    .iter()
                    .filter(|s| s.class == AgentClass::Cta && s.instrument == i)
                    .map(|s| s.agent)
                    .min();
                // Each lookback's trigger as it moves: the level set at day d's close is the
                // one day d + 1's close is compared with, so it is drawn at d + 1.
                let mut levels: BTreeMap<u64, Vec<(f64, f64)>> = BTreeMap::new();
                for s in r.state.iter().filter(|s| {
                    s.class == AgentClass::Cta
                        && s.metric == Metric::Trigger
                        && s.instrument == i
                        && Some(s.agent) == first
                }) {
                    levels
                        .entry(s.at.unwrap_or(0.0) as u64)
                        .or_default()
                        .push(((s.day + 1) as f64, s.value));
                }
                let close = path.daily_closes();
                let dashes = [Dash::Dashed, Dash::Dotted, Dash::Solid];
                let mut series = vec![Series::new(
                    "close",
                    7,
                    close
                        .iter()
                        .enumerate()
                        .map(|(k, c)| ((k + 1) as f64, *c))
                        .collect(),
                )];
                series.extend(levels.into_iter().enumerate().map(|(k, (h, pts))| {
                    let mut s =
                        Series::new(format!("{h}-day trigger"), color(AgentClass::Cta), pts).step();
                    s.dash = dashes[k % dashes.len()];
                    s
                }));
                panels.push(
                    LineChart {
                        title: format!(
                            "{sym}: daily close and one CTA's trigger levels (each day's level \
                             set at the previous close)"
                        ),
                        x: Axis::new("trading day"),
                        y: Axis::new("price").format(Format::Thousands),
                        series,
                        ..LineChart::default()
                    }
                    .into(),
                );
                panels.push(
                    LineChart {
                        title: format!("{sym}: CTA net position"),
                        x: Axis::new("trading day"),
                        y: Axis::new("position").format(Format::Dollars),
                        series: vec![Series::new("CTAs", color(AgentClass::Cta), pos).step()],
                        ..LineChart::default()
                    }
                    .into(),
                );
            }
        }
        if has(AgentClass::Dealer) {
            let g = class_daily(r, AgentClass::Dealer, Metric::DollarGammaPerPct, i, true);
            if !g.is_empty() {
                panels.push(
                    LineChart {
                        title: format!("{sym}: dealers' gamma ($ of hedging per 1% move)"),
                        x: Axis::new("trading day"),
                        y: Axis::new("dollar gamma per 1%").format(Format::Dollars),
                        series: vec![Series::new("dealers", color(AgentClass::Dealer), g).step()],
                        levels: vec![Level {
                            y: 0.0,
                            label: "long above, short below".into(),
                            color: None,
                        }],
                        ..LineChart::default()
                    }
                    .into(),
                );
                // The gamma profile across spot on the last day, with the flip.
                let mut prof: BTreeMap<i64, f64> = BTreeMap::new();
                for s in r.state.iter().filter(|s| {
                    s.class == AgentClass::Dealer
                        && s.metric == Metric::GammaProfile
                        && s.instrument == i
                        && s.day == last_day
                }) {
                    *prof
                        .entry((s.at.unwrap_or(0.0) * 100.0).round() as i64)
                        .or_insert(0.0) += s.value;
                }
                let flip = r.state.iter().find(|s| {
                    s.class == AgentClass::Dealer
                        && s.metric == Metric::GammaFlip
                        && s.instrument == i
                        && s.day == last_day
                });
                let spot = path.close.last().copied();
                let chart = LineChart {
                    title: format!("{sym}: dealers' gamma profile against spot (day {last_day})"),
                    x: Axis::new("spot").format(Format::Thousands),
                    y: Axis::new("dollar gamma per 1%").format(Format::Dollars),
                    series: vec![Series::new(
                        "gamma profile",
                        color(AgentClass::Dealer),
                        prof.iter().map(|(x, y)| (*x as f64 / 100.0, *y)).collect(),
                    )],
                    markers: flip
                        .map(|f| Marker {
                            x: f.value,
                            label: format!("flip {:.0}", f.value),
                            color: Some(color(AgentClass::Dealer)),
                        })
                        .into_iter()
                        .chain(spot.map(|s| Marker {
                            x: s,
                            label: "spot".into(),
                            color: None,
                        }))
                        .collect(),
                    levels: vec![Level {
                        y: 0.0,
                        label: String::new(),
                        color: None,
                    }],
                    ..LineChart::default()
                };
                let stem = format!("gamma_profile_{sym}");
                render(&chart.into(), charts, &stem, SIZE)?;
                blocks.push(Block::Figure {
                    src: format!("charts/{stem}.svg"),
                    caption: format!(
                        "{sym}: dollar gamma per 1% the dealers would carry at each spot level \
                         at the last close; the flip is where it changes sign."
                    ),
                });
            }
        }
        // Value capital under a risk budget: the share of its calm depth it offers.
        let depth = class_daily(r, AgentClass::Value, Metric::RiskScale, i, false);
        if !depth.is_empty() {
            panels.push(
                LineChart {
                    title: format!("{sym}: value capital's depth under its risk budget"),
                    x: Axis::new("trading day"),
                    y: Axis::new("annual vol / σ̂"),
                    series: vec![
                        Series::new("depth scale", color(AgentClass::Value), depth).step(),
                    ],
                    levels: vec![Level {
                        y: 1.0,
                        label: "calm depth".into(),
                        color: None,
                    }],
                    ..LineChart::default()
                }
                .into(),
            );
        }
    }
    if panels.is_empty() {
        return Ok(None);
    }
    let n = panels.len();
    let stem = "exposures";
    render(
        &Figure::Stack(Stack {
            title: "Mechanical agents' state".into(),
            charts: panels,
            heights: Vec::new(),
            share_x: false,
        }),
        charts,
        stem,
        (1200, (380 * n as u32 + 60).clamp(600, 5000)),
    )?;
    blocks.insert(
        0,
        Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption: "Vol-targeters' exposure and its percentile in their own history and \
                      the volatility estimate σ̂ they act on, CTA trigger levels as they move \
                      (from state.csv) and CTA positions, dealers' gamma and, where value \
                      traders keep a risk budget, the share of their calm depth they offer."
                .into(),
        },
    );
    Ok(Some(Section {
        heading: "Mechanical agents".into(),
        blocks,
    }))
}

/// Each class's net dollar flow in `instrument`, cumulated bar by bar (x as [`day_x`]); `only`
/// keeps just those classes. Classes with no flow are left out.
pub(crate) fn cumulative_flow_chart(
    flows: &[crate::record::FlowRow],
    instrument: u16,
    sym: &str,
    bars_per_day: u32,
    only: Option<&[AgentClass]>,
) -> LineChart {
    let mut per: BTreeMap<AgentClass, BTreeMap<(u32, u32), f64>> = BTreeMap::new();
    for f in flows.iter().filter(|f| f.instrument == instrument) {
        if only.is_some_and(|o| !o.contains(&f.class)) {
            continue;
        }
        *per.entry(f.class)
            .or_default()
            .entry((f.day, f.bar))
            .or_insert(0.0) += f.net_usd;
    }
    let series = per
        .into_iter()
        .map(|(c, bars)| {
            let mut total = 0.0;
            let points = bars
                .into_iter()
                .map(|((d, b), v)| {
                    total += v;
                    (day_x(d, b, bars_per_day), total)
                })
                .collect();
            Series::new(c.as_str(), color(c), points).step()
        })
        .collect();
    LineChart {
        title: format!("{sym}: cumulative net flow by class"),
        x: Axis::new("trading day"),
        y: Axis::new("net bought since the start").format(Format::Dollars),
        series,
        levels: vec![Level {
            y: 0.0,
            label: String::new(),
            color: None,
        }],
        ..LineChart::default()
    }
}

/// The date of each day from the run's `calendar.csv` (empty if it has none).
fn run_dates(dir: &Path) -> BTreeMap<u32, String> {
    std::fs::read_to_string(dir.join("calendar.csv"))
        .map(|text| {
            text.lines()
                .skip(1)
                .filter_map(|l| {
                    let (d, date) = l.split_once(',')?;
                    Some((d.parse().ok()?, date.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One panel per day with a shock on `instrument` (or on all): bar closes and the fundamental
/// against minutes after the open, the shocks marked.
fn shock_zooms(r: &RunRecords, instrument: u16, sym: &str, cal: &Calendar) -> Option<Grid> {
    let shocks: Vec<&crate::record::EventRow> = r
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Shock && e.instrument.is_none_or(|k| k == instrument))
        .collect();
    let mut days: Vec<u32> = shocks.iter().map(|e| e.day).collect();
    days.dedup();
    if days.is_empty() {
        return None;
    }
    let bar_minutes = (cal.bar / SECOND) as f64 / 60.0;
    let session_minutes = (cal.session() / MINUTE) as f64;
    let dates = run_dates(&r.dir);
    let charts = days
        .iter()
        .map(|&day| {
            let bars: Vec<&crate::record::BarRow> = r
                .bars
                .iter()
                .filter(|b| b.instrument == instrument && b.day == day)
                .collect();
            let x = |b: &crate::record::BarRow| b.bar as f64 * bar_minutes;
            LineChart {
                title: match dates.get(&day) {
                    Some(date) => format!("{sym}: day {day}, {date}"),
                    None => format!("{sym}: day {day}"),
                },
                x: Axis::new("minutes after the open"),
                y: Axis::new("price").format(Format::Thousands),
                series: vec![
                    Series::new("price", 0, bars.iter().map(|b| (x(b), b.close)).collect()),
                    Series::new(
                        "fundamental",
                        7,
                        bars.iter().map(|b| (x(b), b.fundamental)).collect(),
                    )
                    .dashed(),
                ],
                markers: shocks
                    .iter()
                    .filter(|e| e.day == day)
                    .map(|e| Marker {
                        x: cal.session_fraction(e.time_ns) * session_minutes,
                        label: format!("shock {:+.1}%", e.value * 100.0),
                        color: None,
                    })
                    .collect(),
                ..LineChart::default()
            }
            .into()
        })
        .collect();
    Some(Grid {
        title: format!("{sym}: shock days"),
        columns: 2,
        charts,
    })
}

/// The quoted spread at each bar's end in basis points of the mid, and below it the depth on
/// the best five levels of each side, over the run.
fn spread_chart(r: &RunRecords, instrument: u16, sym: &str, bars_per_day: u32) -> Option<Stack> {
    let bars: Vec<&crate::record::BarRow> = r
        .bars
        .iter()
        .filter(|b| b.instrument == instrument)
        .collect();
    let points: Vec<(f64, f64)> = bars
        .iter()
        .filter_map(|b| {
            let (bid, ask) = (b.best_bid?, b.best_ask?);
            let mid = (bid + ask) / 2.0;
            (mid > 0.0 && ask >= bid)
                .then(|| (day_x(b.day, b.bar, bars_per_day), (ask - bid) / mid * 1e4))
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let spread = LineChart {
        title: format!("{sym}: quoted spread"),
        x: Axis::new("trading day"),
        y: Axis::new("spread (bp of mid)"),
        series: vec![Series::new(
            "spread",
            color(AgentClass::MarketMaker),
            points,
        )],
        ..LineChart::default()
    };
    let side = |f: fn(&crate::record::BarRow) -> u64| -> Vec<(f64, f64)> {
        bars.iter()
            .map(|b| (day_x(b.day, b.bar, bars_per_day), f(b) as f64))
            .collect()
    };
    let depth = LineChart {
        title: format!("{sym}: depth on the best five levels"),
        x: Axis::new("trading day"),
        y: Axis::new("units resting").format(Format::Compact),
        series: vec![
            Series::new("bid side", 2, side(|b| b.bid_depth)),
            Series::new("ask side", 1, side(|b| b.ask_depth)),
        ],
        ..LineChart::default()
    };
    Some(Stack {
        title: String::new(),
        charts: vec![spread.into(), depth.into()],
        heights: vec![1, 1],
        share_x: true,
    })
}
