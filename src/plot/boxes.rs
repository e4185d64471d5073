//! Box and strip plots of a distribution per group.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::clip::Window;
use super::frame::{DrawResult, Extent, Frame, Layout, draw_frame, err, resolve, usable};
use super::line::draw_path;
use super::spec::{BoxChart, BoxGroup, BoxSummary, Dash};
use super::style::{Theme, palette};

const BOX_WIDTH: f64 = 0.5;
const STRIP_WIDTH: f64 = 0.36;

fn summary_values(s: &BoxSummary) -> [f64; 5] {
    [s.low, s.q1, s.median, s.q3, s.high]
}

/// A summary with a non-finite number is drawn not at all: a box with a missing quartile
/// would misstate the distribution.
fn usable_summary(g: &BoxGroup) -> Option<BoxSummary> {
    g.summary
        .filter(|s| summary_values(s).into_iter().all(usable))
}

fn y_extent(c: &BoxChart) -> Extent {
    let mut y = Extent::default();
    for g in &c.groups {
        if let Some(s) = usable_summary(g) {
            summary_values(&s).into_iter().for_each(|v| y.add(v));
        }
        g.values.iter().for_each(|v| y.add(*v));
    }
    y
}

pub(crate) fn y_range(c: &BoxChart) -> (f64, f64) {
    y_range_of(c, y_extent(c))
}

fn y_range_of(c: &BoxChart, y: Extent) -> (f64, f64) {
    resolve(&c.y, y, 0.05, false).unwrap_or((0.0, 1.0))
}

/// Sideways offset of the k-th strip point: the golden-ratio sequence spreads points evenly
/// without random numbers, so the same data always gives the same picture.
fn jitter(k: usize) -> f64 {
    let golden = 0.618_033_988_749_895_f64;
    ((k as f64 * golden).fract() - 0.5) * STRIP_WIDTH
}

pub(crate) fn draw<DB: DrawingBackend>(
    c: &BoxChart,
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    layout: &Layout,
) -> DrawResult {
    let n = c.groups.len();
    let names: Vec<String> = c.groups.iter().map(|g| g.name.clone()).collect();
    let y = y_extent(c);
    let frame = Frame {
        title: &c.title,
        x: &c.x,
        y: &c.y,
        x_range: (-0.5, n.max(1) as f64 - 0.5),
        y_range: y_range_of(c, y),
        categories: Some((&names, (0..n).map(|i| i as f64).collect())),
        legend: Vec::new(),
        empty: y.get().is_none(),
    };
    let radius = (theme.line + 1) as i32;
    // Groups are categories: a panel's shared x range means nothing here.
    let layout = Layout {
        x_range: None,
        ..*layout
    };
    let window = Window {
        x: frame.x_range,
        y: frame.y_range,
    };
    draw_frame(area, &frame, theme, &layout, |chart| {
        for (i, g) in c.groups.iter().enumerate() {
            let x = i as f64;
            let g_color = palette(g.color);
            let color = g_color.plotters();
            let summary = usable_summary(g);
            if let Some(s) = summary {
                let stroke = color.stroke_width(theme.line);
                let (l, r) = (x - BOX_WIDTH / 2.0, x + BOX_WIDTH / 2.0);
                let (q_lo, q_hi) = (s.q1.min(s.q3), s.q1.max(s.q3));
                let cap = BOX_WIDTH / 4.0;
                let lines = [
                    [(x, s.low), (x, q_lo)],
                    [(x, q_hi), (x, s.high)],
                    [(x - cap, s.low), (x + cap, s.low)],
                    [(x - cap, s.high), (x + cap, s.high)],
                ];
                for line in lines {
                    draw_path(chart, &window, &line, g_color, Dash::Solid, theme.line)?;
                }
                if let Some(corners) = window.rect((l, q_lo), (r, q_hi)) {
                    chart
                        .draw_series([
                            Rectangle::new(corners, color.mix(0.2).filled()),
                            Rectangle::new(corners, stroke),
                        ])
                        .map_err(err)?;
                }
            }
            let dots = g
                .values
                .iter()
                .filter(|v| usable(**v))
                .enumerate()
                .map(|(k, v)| (x + jitter(k), *v))
                .filter(|p| window.contains(*p))
                .map(|p| Circle::new(p, radius, color.mix(0.5).filled()));
            chart.draw_series(dots).map_err(err)?;
            if let Some(s) = summary {
                let (l, r) = (x - BOX_WIDTH / 2.0, x + BOX_WIDTH / 2.0);
                let median = [(l, s.median), (r, s.median)];
                draw_path(
                    chart,
                    &window,
                    &median,
                    g_color,
                    Dash::Solid,
                    theme.line * 2,
                )?;
            }
        }
        Ok(())
    })
}
