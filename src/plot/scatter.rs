//! Scatter plots with fitted lines given by the caller.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::clip::Window;
use super::frame::{
    DrawResult, Extent, Frame, Layout, LegendItem, Swatch, draw_frame, err, resolve, usable,
};
use super::line::draw_path;
use super::spec::{Dash, ScatterChart};
use super::style::{Theme, palette};

fn extents(c: &ScatterChart) -> (Extent, Extent) {
    let (mut x, mut y) = (Extent::default(), Extent::default());
    for &(px, py) in c.series.iter().flat_map(|s| &s.points) {
        if usable(px) && usable(py) {
            x.add(px);
            y.add(py);
        }
    }
    (x, y)
}

pub(crate) fn x_range(c: &ScatterChart) -> Option<(f64, f64)> {
    x_range_of(c, extents(c).0)
}

fn x_range_of(c: &ScatterChart, x: Extent) -> Option<(f64, f64)> {
    resolve(&c.x, x, 0.04, false)
}

/// Fitted lines do not widen the y range: they are clipped to the points' range, where the fit
/// has support.
pub(crate) fn y_range(c: &ScatterChart) -> (f64, f64) {
    y_range_of(c, extents(c).1)
}

fn y_range_of(c: &ScatterChart, y: Extent) -> (f64, f64) {
    resolve(&c.y, y, 0.05, false).unwrap_or((0.0, 1.0))
}

pub(crate) fn draw<DB: DrawingBackend>(
    c: &ScatterChart,
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    layout: &Layout,
) -> DrawResult {
    let (x, y) = extents(c);
    let empty = x.get().is_none();
    let (x0, x1) = layout
        .x_range
        .or_else(|| x_range_of(c, x))
        .unwrap_or((0.0, 1.0));
    let mut legend: Vec<LegendItem> = c
        .series
        .iter()
        .filter(|s| !s.name.is_empty())
        .map(|s| LegendItem {
            label: s.name.clone(),
            swatch: Swatch::Point(palette(s.color)),
        })
        .collect();
    legend.extend(
        c.fits
            .iter()
            .filter(|f| !f.label.is_empty())
            .map(|f| LegendItem {
                label: f.label.clone(),
                swatch: Swatch::Line(palette(f.color), Dash::Solid),
            }),
    );
    let frame = Frame {
        title: &c.title,
        x: &c.x,
        y: &c.y,
        x_range: (x0, x1),
        y_range: y_range_of(c, y),
        categories: None,
        legend,
        empty,
    };
    // Dense clouds (thousands of days across seeds) stay readable with small translucent dots.
    let radius = (theme.line + 1) as i32;
    let window = Window {
        x: (x0, x1),
        y: frame.y_range,
    };
    draw_frame(area, &frame, theme, layout, |chart| {
        for s in &c.series {
            let style = palette(s.color).plotters().mix(0.6).filled();
            let dots = s
                .points
                .iter()
                .filter(|p| window.contains(**p))
                .map(|&p| Circle::new(p, radius, style));
            chart.draw_series(dots).map_err(err)?;
        }
        if !empty {
            for f in c
                .fits
                .iter()
                .filter(|f| usable(f.slope) && usable(f.intercept))
            {
                let line = [
                    (x0, f.intercept + f.slope * x0),
                    (x1, f.intercept + f.slope * x1),
                ];
                if line.iter().all(|p| usable(p.1)) {
                    let color = palette(f.color);
                    draw_path(chart, &window, &line, color, Dash::Solid, theme.line + 1)?;
                }
            }
        }
        Ok(())
    })
}
