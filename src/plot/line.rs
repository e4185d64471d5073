//! Line charts: series, fan bands, event markers and reference levels.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::clip::Window;
use super::frame::{
    Chart, DrawResult, Extent, Frame, Layout, LegendItem, Swatch, draw_frame, err, resolve,
    text_style, text_width, usable,
};
use super::spec::{Dash, LineChart, Marker};
use super::style::{NEUTRAL, Rgb, Theme, palette};

fn extents(c: &LineChart) -> (Extent, Extent) {
    let (mut x, mut y) = (Extent::default(), Extent::default());
    for s in &c.series {
        for &(px, py) in &s.points {
            if usable(px) && usable(py) {
                x.add(px);
                y.add(py);
            }
        }
    }
    for b in &c.bands {
        for &(px, lo, hi) in &b.points {
            if usable(px) && usable(lo) && usable(hi) {
                x.add(px);
                y.add(lo);
                y.add(hi);
            }
        }
    }
    (x, y)
}

/// The x range this chart would draw on its own; `None` when it has nothing to place.
pub(crate) fn x_range(c: &LineChart) -> Option<(f64, f64)> {
    x_range_of(c, extents(c).0)
}

/// [`x_range`] from the data's x extent.
fn x_range_of(c: &LineChart, mut x: Extent) -> Option<(f64, f64)> {
    if x.get().is_some() {
        // Markers outside the data still matter (a shock just before the window starts).
        for m in &c.markers {
            x.add(m.x);
        }
    }
    resolve(&c.x, x, 0.0, false)
}

/// The y range; reference levels are included so a trigger level is never silently off-chart.
pub(crate) fn y_range(c: &LineChart) -> (f64, f64) {
    y_range_of(c, extents(c).1)
}

/// [`y_range`] from the data's y extent.
fn y_range_of(c: &LineChart, mut y: Extent) -> (f64, f64) {
    if y.get().is_some() {
        for l in &c.levels {
            y.add(l.y);
        }
    }
    resolve(&c.y, y, 0.05, false).unwrap_or((0.0, 1.0))
}

/// Runs of consecutive usable points: a NaN is a gap in the line, not a jump across it.
fn runs<T: Copy>(points: &[T], ok: impl Fn(&T) -> bool) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for p in points {
        if ok(p) {
            cur.push(*p);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn steps(run: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(run.len() * 2);
    for (i, &(x, y)) in run.iter().enumerate() {
        if i > 0 {
            out.push((x, run[i - 1].1));
        }
        out.push((x, y));
    }
    out
}

/// Draws a polyline cut to `window`; a piece that is a single point (a value between two
/// gaps) is drawn as a dot, since a one-point line would vanish.
pub(crate) fn draw_path<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    window: &Window,
    points: &[(f64, f64)],
    color: Rgb,
    dash: Dash,
    width: u32,
) -> DrawResult {
    let style = color.plotters().stroke_width(width);
    let w = width as i32;
    for piece in window.polyline(points) {
        match (piece.len(), dash) {
            (0, _) => Ok(()),
            (1, _) => chart
                .draw_series(std::iter::once(Circle::new(
                    piece[0],
                    w + 1,
                    style.filled(),
                )))
                .map(|_| ()),
            (_, Dash::Solid) => chart.draw_series(LineSeries::new(piece, style)).map(|_| ()),
            (_, Dash::Dashed) => chart
                .draw_series(DashedLineSeries::new(piece, 4 * w + 4, 3 * w + 2, style))
                .map(|_| ()),
            (_, Dash::Dotted) => chart
                .draw_series(DashedLineSeries::new(piece, w + 1, 2 * w + 2, style))
                .map(|_| ()),
        }
        .map_err(err)?;
    }
    Ok(())
}

pub(crate) fn draw<DB: DrawingBackend>(
    c: &LineChart,
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    layout: &Layout,
) -> DrawResult {
    let (x, y) = extents(c);
    let empty = x.get().is_none();
    let x_range = layout
        .x_range
        .or_else(|| x_range_of(c, x))
        .unwrap_or((0.0, 1.0));
    let y_range = y_range_of(c, y);

    let mut legend = Vec::new();
    for b in c.bands.iter().filter(|b| !b.name.is_empty()) {
        legend.push(LegendItem {
            label: b.name.clone(),
            swatch: Swatch::Area(palette(b.color)),
        });
    }
    for s in c.series.iter().filter(|s| !s.name.is_empty()) {
        legend.push(LegendItem {
            label: s.name.clone(),
            swatch: Swatch::Line(palette(s.color), s.dash),
        });
    }
    let frame = Frame {
        title: &c.title,
        x: &c.x,
        y: &c.y,
        x_range,
        y_range,
        categories: None,
        legend,
        empty,
    };
    let window = Window {
        x: x_range,
        y: y_range,
    };
    draw_frame(area, &frame, theme, layout, |chart| {
        for b in &c.bands {
            let color = palette(b.color).plotters().mix(0.22).filled();
            for run in runs(&b.points, |&(x, lo, hi)| {
                usable(x) && usable(lo) && usable(hi)
            }) {
                let mut outline: Vec<(f64, f64)> = run.iter().map(|&(x, _, hi)| (x, hi)).collect();
                outline.extend(run.iter().rev().map(|&(x, lo, _)| (x, lo)));
                let outline = window.polygon(outline);
                if outline.len() < 3 {
                    continue;
                }
                chart
                    .draw_series(std::iter::once(Polygon::new(outline, color)))
                    .map_err(err)?;
            }
        }
        for s in &c.series {
            for run in runs(&s.points, |&(x, y)| usable(x) && usable(y)) {
                let path = if s.step { steps(&run) } else { run };
                draw_path(chart, &window, &path, palette(s.color), s.dash, theme.line)?;
            }
        }
        draw_levels(chart, c, &window, theme)?;
        draw_markers(chart, c, &window, theme)
    })
}

fn draw_levels<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    c: &LineChart,
    window: &Window,
    theme: &Theme,
) -> DrawResult {
    let (x0, x1) = window.x;
    let (y0, y1) = window.y;
    for l in c
        .levels
        .iter()
        .filter(|l| usable(l.y) && l.y >= y0 && l.y <= y1)
    {
        let color = l.color.map_or(NEUTRAL, palette);
        draw_path(
            chart,
            window,
            &[(x0, l.y), (x1, l.y)],
            color,
            Dash::Dashed,
            1,
        )?;
        if !l.label.is_empty() {
            // On a white ground, as the markers' labels: series drawn before cross the label.
            let style = text_style(theme.tick, color.plotters(), HPos::Right, VPos::Bottom);
            let w = text_width(&l.label, theme.tick);
            let ground = label_ground((-4 - w - 3, -3 - line_height(theme)), (-1, -1));
            let label =
                EmptyElement::at((x1, l.y)) + ground + Text::new(l.label.clone(), (-4, -3), style);
            chart.draw_series(std::iter::once(label)).map_err(err)?;
        }
    }
    Ok(())
}

/// The height of a line of tick-sized text, in pixels.
fn line_height(theme: &Theme) -> i32 {
    (theme.tick * 1.2) as i32
}

/// A label's white ground between two corners (pixels from the label's anchor), so lines drawn
/// before it do not cross its text.
fn label_ground(a: (i32, i32), b: (i32, i32)) -> Rectangle<(i32, i32)> {
    Rectangle::new([a, b], WHITE.mix(0.9).filled())
}

fn draw_markers<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    c: &LineChart,
    window: &Window,
    theme: &Theme,
) -> DrawResult {
    let (x0, x1) = window.x;
    let (y0, y1) = window.y;
    let row = (theme.tick * 1.3) as i32;
    let visible = c
        .markers
        .iter()
        .filter(|m| usable(m.x) && m.x >= x0 && m.x <= x1);
    let visible: Vec<&Marker> = visible.collect();
    // Every line first, then every label on a white ground, so the next marker's line never
    // crosses a label.
    for m in &visible {
        let color = m.color.map_or(NEUTRAL, palette);
        draw_path(
            chart,
            window,
            &[(m.x, y0), (m.x, y1)],
            color,
            Dash::Dashed,
            1,
        )?;
    }
    for (k, m) in visible.iter().enumerate() {
        if m.label.is_empty() {
            continue;
        }
        let color = m.color.map_or(NEUTRAL, palette);
        // Neighbouring markers (a halt and its reopening) would print on top of each other:
        // labels cycle through three rows, and flip to the left of the line near the right edge.
        let dy = 4 + row * (k % 3) as i32;
        let right_side = m.x > x0 + (x1 - x0) * 0.8;
        let (h, dx) = if right_side {
            (HPos::Right, -6)
        } else {
            (HPos::Left, 6)
        };
        let w = text_width(&m.label, theme.tick);
        let (left, right) = if right_side {
            (dx - w - 3, dx + 3)
        } else {
            (dx - 3, dx + w + 3)
        };
        let ground = label_ground((left, dy - 2), (right, dy + line_height(theme)));
        let style = text_style(theme.tick, color.plotters(), h, VPos::Top);
        let label =
            EmptyElement::at((m.x, y1)) + ground + Text::new(m.label.clone(), (dx, dy), style);
        chart.draw_series(std::iter::once(label)).map_err(err)?;
    }
    Ok(())
}
