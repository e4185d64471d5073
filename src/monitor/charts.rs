//! The monitor's charts, from its own table: exposure and percentile with episodes shaded, CTA
//! position and trigger levels against the index, LETF rebalances, and the flow ladder.

use std::path::Path;

use chrono::NaiveDate;

use super::config::Episode;
use super::{LadderRow, Positioning};
use crate::agents::AgentClass;
use crate::history::parse_date;
use crate::plot::{
    Axis, Band, BarChart, BarSeries, Block, Figure, Format, LineChart, Marker, PlotError, Series,
    Stack, render,
};

const WIDE: (u32, u32) = (1400, 1000);
const SIZE: (u32, u32) = (1200, 700);

/// Days since 1970-01-01, the x of every dated chart (drawn with `Format::Date`).
fn x(d: NaiveDate) -> f64 {
    (d - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days() as f64
}

fn color(c: AgentClass) -> usize {
    crate::plot::class_color(c.index())
}

fn points(s: &[(NaiveDate, f64)], scale: f64) -> Vec<(f64, f64)> {
    s.iter().map(|&(d, v)| (x(d), v * scale)).collect()
}

/// Grey bands over the episodes that overlap the data, from `lo` to `hi`.
fn episode_bands(episodes: &[Episode], first: f64, last: f64, lo: f64, hi: f64) -> Vec<Band> {
    episodes
        .iter()
        .filter_map(|e| {
            let a = x(parse_date(&e.from).ok()?).max(first);
            let b = x(parse_date(&e.to).ok()?).min(last);
            (a < b).then(|| Band {
                name: String::new(),
                color: 7,
                points: vec![(a, lo, hi), (b, lo, hi)],
            })
        })
        .collect()
}

fn extent(s: &[(f64, f64)]) -> (f64, f64) {
    let ys = s.iter().map(|p| p.1).filter(|v| v.is_finite());
    let lo = ys.clone().fold(f64::INFINITY, f64::min);
    let hi = ys.fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() {
        let pad = (hi - lo).max(1e-9) * 0.05;
        (lo - pad, hi + pad)
    } else {
        (0.0, 1.0)
    }
}

/// Draws every chart into `dir/charts` and returns the report blocks that show them.
pub fn draw(p: &Positioning, episodes: &[Episode], dir: &Path) -> Result<Vec<Block>, PlotError> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| PlotError::Io {
        path: charts.clone(),
        source,
    })?;
    let mut blocks = Vec::new();
    let mut fig = |figure: Figure, stem: &str, size, caption: String| -> Result<(), PlotError> {
        render(&figure, &charts, stem, size)?;
        blocks.push(Block::Figure {
            src: format!("charts/{stem}.svg"),
            caption,
        });
        Ok(())
    };
    let vt_color = color(AgentClass::VolTarget);
    for sym in p.symbols() {
        let exposure = p.series(&sym, "vol_target", "exposure");
        if exposure.is_empty() {
            continue;
        }
        let e = points(&exposure, 1.0);
        let (first, last) = (e[0].0, e[e.len() - 1].0);
        let (lo, hi) = extent(&e);
        let pct = points(&p.series(&sym, "vol_target", "exposure_percentile"), 1.0);
        let sigma = points(&p.series(&sym, "vol_target", "sigma"), 100.0);
        let mut sig_series = vec![Series::new("σ̂ the funds act on", vt_color, sigma.clone())];
        let vix = points(&p.series("VIX", "market", "vix"), 1.0);
        if !vix.is_empty() {
            sig_series.push(Series::new("VIX", 1, vix.clone()).dashed());
        }
        let (slo, shi) = extent(&[sigma.clone(), vix].concat());
        let marks: Vec<Marker> = episodes
            .iter()
            .filter_map(|ep| {
                let a = x(parse_date(&ep.from).ok()?);
                (a >= first && a <= last).then(|| Marker {
                    x: a,
                    label: ep.name.clone(),
                    color: None,
                })
            })
            .collect();
        let panel = |title: &str, y: Axis, series: Vec<Series>, lo, hi| LineChart {
            title: title.into(),
            x: Axis::new("date").format(Format::Date),
            y,
            bands: episode_bands(episodes, first, last, lo, hi),
            series,
            ..LineChart::default()
        };
        fig(
            Stack {
                title: format!("Vol-target funds on {sym}: exposure, its percentile and σ̂"),
                charts: vec![
                    LineChart {
                        markers: marks,
                        ..panel(
                            "exposure (position / assets)",
                            Axis::new("exposure").format(Format::Percent).range(lo, hi),
                            vec![Series::new("class exposure", vt_color, e)],
                            lo,
                            hi,
                        )
                    }
                    .into(),
                    panel(
                        "exposure percentile against the funds' own history",
                        Axis::new("percentile").range(0.0, 100.0),
                        vec![Series::new("percentile", vt_color, pct)],
                        0.0,
                        100.0,
                    )
                    .into(),
                    panel(
                        "volatility, % a year",
                        Axis::new("σ̂, %").range(slo, shi),
                        sig_series,
                        slo,
                        shi,
                    )
                    .into(),
                ],
                heights: vec![3, 2, 2],
                share_x: true,
            }
            .into(),
            &format!("exposure_{sym}"),
            WIDE,
            format!(
                "{sym}: the vol-target class's exposure after each day's rebalance, its percentile \
                 rank against the class's own history, and the estimate it acts on; grey bands \
                 are the configured episodes."
            ),
        )?;
    }
    for sym in p.symbols() {
        let close = points(&p.series(&sym, "market", "close"), 1.0);
        if close.is_empty() {
            continue;
        }
        let mut triggers: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for r in p
            .rows
            .iter()
            .filter(|r| r.symbol == sym && r.class == "cta")
        {
            if let Some(h) = r.metric.strip_prefix("trigger_") {
                match triggers.iter_mut().find(|(n, _)| n == h) {
                    Some((_, v)) => v.push((x(r.date), r.value)),
                    None => triggers.push((h.to_string(), vec![(x(r.date), r.value)])),
                }
            }
        }
        let mut series = vec![Series::new(format!("{sym} close"), 7, close)];
        for (k, (h, pts)) in triggers.into_iter().enumerate() {
            series.push(Series::new(format!("{h} trigger"), [0usize, 1, 2, 4][k % 4], pts).step());
        }
        let pos = points(&p.series(&sym, "cta", "position_usd"), 1.0);
        fig(
            Stack {
                title: format!("CTAs on {sym}: trigger levels and position"),
                charts: vec![
                    LineChart {
                        title: "index and the level at which each lookback's signal flips tomorrow"
                            .into(),
                        x: Axis::new("date").format(Format::Date),
                        y: Axis::new("index level").format(Format::Thousands),
                        series,
                        ..LineChart::default()
                    }
                    .into(),
                    LineChart {
                        title: "modelled CTA position".into(),
                        x: Axis::new("date").format(Format::Date),
                        y: Axis::new("position").format(Format::Dollars),
                        series: vec![Series::new("position", 0, pos).step()],
                        ..LineChart::default()
                    }
                    .into(),
                ],
                heights: vec![3, 2],
                share_x: true,
            }
            .into(),
            &format!("cta_{sym}"),
            WIDE,
            format!(
                "{sym}: close and the CTA trigger levels (the close each lookback's return is \
                 measured against tomorrow: below it, that signal is short); below, the class's \
                 position after each day's trade."
            ),
        )?;
    }
    let letf: Vec<(String, Vec<(NaiveDate, f64)>)> = p
        .symbols()
        .into_iter()
        .map(|s| {
            let v = p.series(&s, "letf", "flow_usd");
            (s, v)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if !letf.is_empty() {
        let dates: Vec<NaiveDate> = letf[0].1.iter().map(|p| p.0).collect();
        let chart = BarChart {
            title: "Leveraged and inverse ETFs: rebalance into each close".into(),
            x: Axis::new("date").format(Format::Date),
            y: Axis::new("rebalance").format(Format::Dollars),
            categories: dates.iter().map(|d| d.to_string()).collect(),
            positions: dates.iter().map(|&d| x(d)).collect(),
            series: letf
                .iter()
                .enumerate()
                .map(|(k, (s, v))| {
                    let by_date: std::collections::BTreeMap<_, _> = v.iter().copied().collect();
                    BarSeries::new(
                        s.clone(),
                        [0usize, 1][k % 2],
                        dates
                            .iter()
                            .map(|d| by_date.get(d).copied().unwrap_or(f64::NAN))
                            .collect(),
                    )
                })
                .collect(),
            bar_width: 0.9,
        };
        fig(
            chart.into(),
            "letf",
            SIZE,
            "The leveraged and inverse ETFs' daily rebalance, Σ L(L−1)·A·r, per index at the \
             configured assets (buying above zero, selling below)."
                .into(),
        )?;
    }
    if !p.ladder.is_empty() {
        fig(
            ladder_chart(&p.ladder, p.ladder_date).into(),
            "ladder",
            SIZE,
            "The flow ladder: what each class would trade tomorrow and over the following \
             days (index flat) for each hypothetical move tomorrow, summed over indices."
                .into(),
        )?;
    }
    Ok(blocks)
}

fn ladder_chart(rows: &[LadderRow], date: Option<NaiveDate>) -> BarChart {
    let mut moves: Vec<f64> = rows.iter().map(|r| r.move_pct).collect();
    moves.dedup();
    let classes = [
        ("vol_target", AgentClass::VolTarget),
        ("cta", AgentClass::Cta),
        ("letf", AgentClass::Letf),
    ];
    BarChart {
        title: format!(
            "Flow ladder from {}: flows set off by tomorrow's move",
            date.map_or("?".into(), |d| d.to_string())
        ),
        x: Axis::new("index move tomorrow"),
        y: Axis::new("flow over tomorrow and the following days").format(Format::Dollars),
        categories: moves
            .iter()
            .map(|m| crate::plot::format_value(*m, Format::Percent))
            .collect(),
        positions: Vec::new(),
        series: classes
            .iter()
            .map(|(name, c)| {
                BarSeries::new(
                    *name,
                    color(*c),
                    moves
                        .iter()
                        .map(|m| {
                            rows.iter()
                                .filter(|r| r.move_pct == *m && r.class == *name)
                                .map(LadderRow::total_usd)
                                .sum()
                        })
                        .collect(),
                )
            })
            .collect(),
        bar_width: 0.8,
    }
}
