//! Stacked bars that diverge from zero: net buying above the axis, selling below.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::clip::Window;
use super::frame::{
    Chart, DrawResult, Extent, Frame, Layout, LegendItem, Swatch, draw_frame, err, resolve, usable,
};
use super::spec::BarChart;
use super::style::{AXIS, Theme, palette};

/// Bar centres, with the index of the values each one draws.
fn positions(c: &BarChart) -> Vec<(usize, f64)> {
    if c.positions.is_empty() {
        let n = if c.categories.is_empty() {
            c.series.iter().map(|s| s.values.len()).max().unwrap_or(0)
        } else {
            c.categories.len()
        };
        (0..n).map(|i| (i, i as f64)).collect()
    } else {
        c.positions
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, p)| usable(*p))
            .collect()
    }
}

/// The smallest gap between neighbouring bars: the unit a bar's width is a fraction of.
fn spacing(pos: &[(usize, f64)]) -> f64 {
    let mut xs: Vec<f64> = pos.iter().map(|p| p.1).collect();
    xs.sort_by(f64::total_cmp);
    xs.windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))))
        .unwrap_or(1.0)
}

/// The top of the positive stack and the bottom of the negative stack of bar `i`.
fn stack_ends(c: &BarChart, i: usize) -> (f64, f64) {
    let mut up = 0.0;
    let mut down = 0.0;
    for v in c.series.iter().filter_map(|s| s.values.get(i).copied()) {
        if usable(v) {
            if v >= 0.0 {
                up += v;
            } else {
                down += v;
            }
        }
    }
    (up, down)
}

fn has_values(c: &BarChart) -> bool {
    c.series
        .iter()
        .any(|s| s.values.iter().any(|v| usable(*v) && *v != 0.0))
}

pub(crate) fn x_range(c: &BarChart) -> Option<(f64, f64)> {
    x_range_at(c, &positions(c))
}

/// [`x_range`] for bars at `pos` (the chart's [`positions`]).
fn x_range_at(c: &BarChart, pos: &[(usize, f64)]) -> Option<(f64, f64)> {
    let half = spacing(pos) / 2.0;
    let mut x = Extent::default();
    for (_, p) in pos {
        x.add(p - half);
        x.add(p + half);
    }
    resolve(&c.x, x, 0.0, false)
}

pub(crate) fn y_range(c: &BarChart) -> (f64, f64) {
    y_range_at(c, &positions(c))
}

/// [`y_range`] for bars at `pos` (the chart's [`positions`]).
fn y_range_at(c: &BarChart, pos: &[(usize, f64)]) -> (f64, f64) {
    let mut y = Extent::default();
    y.add(0.0);
    for &(i, _) in pos {
        let (up, down) = stack_ends(c, i);
        y.add(up);
        y.add(down);
    }
    resolve(&c.y, y, 0.05, true).unwrap_or((0.0, 1.0))
}

pub(crate) fn draw<DB: DrawingBackend>(
    c: &BarChart,
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    layout: &Layout,
) -> DrawResult {
    let pos = positions(c);
    let x_range = layout
        .x_range
        .or_else(|| x_range_at(c, &pos))
        .unwrap_or((-0.5, 0.5));
    let y_range = y_range_at(c, &pos);
    let empty = !has_values(c);
    let legend = c
        .series
        .iter()
        .filter(|s| !s.name.is_empty())
        .map(|s| LegendItem {
            label: s.name.clone(),
            swatch: Swatch::Bar(palette(s.color)),
        })
        .collect();
    let categories = (!c.categories.is_empty()).then(|| {
        let mut at = vec![f64::NAN; c.categories.len()];
        for &(i, p) in &pos {
            if let Some(slot) = at.get_mut(i) {
                *slot = p;
            }
        }
        (c.categories.as_slice(), at)
    });
    let frame = Frame {
        title: &c.title,
        x: &c.x,
        y: &c.y,
        x_range,
        y_range,
        categories,
        legend,
        empty,
    };
    let width = spacing(&pos) * c.bar_width.clamp(0.05, 1.0);
    let window = Window {
        x: x_range,
        y: y_range,
    };
    draw_frame(area, &frame, theme, layout, |chart| {
        draw_bars(chart, c, &pos, width, &window)?;
        if !empty && y_range.0 <= 0.0 && y_range.1 >= 0.0 {
            let zero = vec![(x_range.0, 0.0), (x_range.1, 0.0)];
            chart
                .draw_series(LineSeries::new(zero, AXIS.stroke_width(1)))
                .map_err(err)?;
        }
        Ok(())
    })
}

fn draw_bars<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    c: &BarChart,
    pos: &[(usize, f64)],
    width: f64,
    window: &Window,
) -> DrawResult {
    let separator = WHITE.stroke_width(1);
    for &(i, x) in pos {
        let (left, right) = (x - width / 2.0, x + width / 2.0);
        let mut up = 0.0;
        let mut down = 0.0;
        for s in &c.series {
            let Some(v) = s.values.get(i).copied().filter(|v| usable(*v) && *v != 0.0) else {
                continue;
            };
            let (lo, hi) = if v > 0.0 {
                up += v;
                (up - v, up)
            } else {
                down += v;
                (down, down - v)
            };
            let Some(corners) = window.rect((left, lo), (right, hi)) else {
                continue;
            };
            let fill = palette(s.color).plotters().filled();
            chart
                .draw_series([
                    Rectangle::new(corners, fill),
                    Rectangle::new(corners, separator),
                ])
                .map_err(err)?;
        }
    }
    Ok(())
}
