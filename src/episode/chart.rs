//! The episode drawn: for each instrument, the real closes, the inferred fundamental and the
//! flow-free path across seeds above, and each class's contribution to the price below.

use chrono::NaiveDate;

use crate::agents::AgentClass;
use crate::analysis::distribution::quantile_sorted;
use crate::plot::{Axis, Band, Figure, Format, Grid, LineChart, Series, Stack, class_color};

use super::table::{from_start, window};
use super::{ALL_REMOVED, SeedResult, Spec};

/// Chart size in pixels: one column per instrument.
pub fn size(spec: &Spec) -> (u32, u32) {
    (760 * spec.symbols().len().max(1) as u32 + 40, 1000)
}

fn epoch_days(d: NaiveDate) -> f64 {
    (d - NaiveDate::default()).num_days() as f64
}

/// Quantiles `qs` across seeds of `value(seed, day)` at each day (day 0 = the start).
fn across(
    results: &[SeedResult],
    days: usize,
    qs: &[f64],
    value: impl Fn(&SeedResult, usize) -> f64,
) -> Vec<Vec<f64>> {
    (0..=days)
        .map(|d| {
            let mut v: Vec<f64> = results
                .iter()
                .map(|r| value(r, d))
                .filter(|v| v.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            qs.iter().map(|&q| quantile_sorted(&v, q)).collect()
        })
        .collect()
}

pub fn figure(spec: &Spec, results: &[SeedResult], title: &str) -> Figure {
    let xs: Vec<f64> = std::iter::once(spec.start_date)
        .chain(spec.dates.iter().copied())
        .map(epoch_days)
        .collect();
    let days = spec.dates.len();
    let mut cells = Vec::new();
    for (i, sym) in spec.symbols().iter().enumerate() {
        let real = from_start(spec.start[i], &spec.real[i]);
        let start = spec.start[i];
        let at = |v: &[f64], d: usize| if d == 0 { start } else { v[d - 1] };
        let free = across(results, days, &[0.1, 0.5, 0.9], |r, d| {
            r.without(ALL_REMOVED)
                .map_or(f64::NAN, |c| at(&c[i], d) / real[d] - 1.0)
        });
        let fund = across(results, days, &[0.5], |r, d| {
            at(&r.fundamental[i], d) / real[d] - 1.0
        });
        let tracked = across(results, days, &[0.5], |r, d| {
            at(&r.full.closes[i], d) / real[d] - 1.0
        });
        // Everything on the real path's scale: a path's level is real × (1 + its gap).
        let level = |q: &[Vec<f64>], k: usize| -> Vec<(f64, f64)> {
            (0..=days)
                .map(|d| (xs[d], real[d] * (1.0 + q[d][k])))
                .collect()
        };
        let w = window(spec, i);
        let price = LineChart {
            title: format!(
                "{sym}: real closes and flow-free path ({} seeds; fall {:.1}%)",
                results.len(),
                100.0 * w.depth
            ),
            x: Axis::new("date").format(Format::Date),
            y: Axis::new("index level (rescaled to the start)").format(Format::Thousands),
            bands: vec![Band {
                name: "flow-free, 10–90% of seeds".into(),
                color: 5,
                points: (0..=days)
                    .map(|d| {
                        (
                            xs[d],
                            real[d] * (1.0 + free[d][0]),
                            real[d] * (1.0 + free[d][2]),
                        )
                    })
                    .collect(),
            }],
            series: vec![
                Series::new(
                    "real close",
                    7,
                    (0..=days).map(|d| (xs[d], real[d])).collect(),
                ),
                Series::new("flow-free path (median)", 0, level(&free, 1)).dashed(),
                Series::new("inferred fundamental (median)", 2, level(&fund, 0)).dotted(),
                Series::new("every agent, tracked (median)", 1, level(&tracked, 0)).dotted(),
            ],
            ..LineChart::default()
        };
        let mut series = Vec::new();
        for rm in spec.removals() {
            let q = across(results, days, &[0.5], |r, d| {
                r.without(&rm.label).map_or(f64::NAN, |c| {
                    (at(&r.full.closes[i], d) - at(&c[i], d)) / real[d]
                })
            });
            let points = (0..=days).map(|d| (xs[d], q[d][0])).collect();
            let s = match AgentClass::parse(&rm.label) {
                Some(c) => Series::new(rm.label.clone(), class_color(c.index()), points),
                None => Series::new("all mechanical classes", 7, points).dashed(),
            };
            series.push(s);
        }
        let contributions = LineChart {
            title: "each class's contribution (median of seeds)".into(),
            x: Axis::new("date").format(Format::Date),
            y: Axis::new("% of the close").format(Format::Percent),
            series,
            levels: vec![crate::plot::Level {
                y: 0.0,
                label: String::new(),
                color: None,
            }],
            ..LineChart::default()
        };
        cells.push(Figure::from(Stack {
            title: String::new(),
            charts: vec![Figure::from(price), Figure::from(contributions)],
            heights: vec![3, 2],
            share_x: true,
        }));
    }
    Figure::from(Grid {
        title: title.to_string(),
        columns: cells.len().max(1),
        charts: cells,
    })
}
