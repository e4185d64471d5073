//! Panels: charts stacked with a shared x axis, and grids.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{DrawResult, Extent, Layout, err, text_style, title_strip, y_axis_width};
use super::spec::{Figure, Grid, Stack};
use super::style::{MUTED, Theme};
use super::{bars, boxes, line, scatter};

pub(crate) fn draw_figure<DB: DrawingBackend>(
    figure: &Figure,
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    layout: &Layout,
) -> DrawResult {
    match figure {
        Figure::Line(c) => line::draw(c, area, theme, layout),
        Figure::Bars(c) => bars::draw(c, area, theme, layout),
        Figure::Scatter(c) => scatter::draw(c, area, theme, layout),
        Figure::Boxes(c) => boxes::draw(c, area, theme, layout),
        Figure::Stack(s) => stack(s, area, theme, layout),
        Figure::Grid(g) => grid(g, area, theme, layout),
    }
}

/// The x range a chart would choose alone; panels and categorical charts have none to share.
fn own_x_range(figure: &Figure) -> Option<(f64, f64)> {
    match figure {
        Figure::Line(c) => line::x_range(c),
        Figure::Bars(c) => bars::x_range(c),
        Figure::Scatter(c) => scatter::x_range(c),
        Figure::Boxes(_) | Figure::Stack(_) | Figure::Grid(_) => None,
    }
}

fn own_y_axis_width(figure: &Figure, theme: &Theme) -> Option<u32> {
    match figure {
        Figure::Line(c) => Some(y_axis_width(line::y_range(c), &c.y, theme)),
        Figure::Bars(c) => Some(y_axis_width(bars::y_range(c), &c.y, theme)),
        Figure::Scatter(c) => Some(y_axis_width(scatter::y_range(c), &c.y, theme)),
        Figure::Boxes(c) => Some(y_axis_width(boxes::y_range(c), &c.y, theme)),
        Figure::Stack(_) | Figure::Grid(_) => None,
    }
}

fn no_charts<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, theme: &Theme) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let style = text_style(theme.label, MUTED, HPos::Center, VPos::Center);
    area.draw_text("no data", &style, (w as i32 / 2, h as i32 / 2))
        .map_err(err)
}

fn stack<DB: DrawingBackend>(
    s: &Stack,
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    layout: &Layout,
) -> DrawResult {
    let area = title_strip(area, &s.title, layout.title_size(theme))?;
    let n = s.charts.len();
    if n == 0 {
        return no_charts(&area, theme);
    }
    let weights: Vec<u64> = if s.heights.len() == n && s.heights.iter().any(|h| *h > 0) {
        s.heights.iter().map(|h| u64::from(*h)).collect()
    } else {
        vec![1; n]
    };
    let total: u64 = weights.iter().sum();
    let height = u64::from(area.dim_in_pixel().1);
    let mut acc = 0;
    let breaks: Vec<i32> = weights[..n - 1]
        .iter()
        .map(|w| {
            acc += w;
            (height * acc / total) as i32
        })
        .collect();
    let parts = area.split_by_breakpoints(Vec::<i32>::new(), breaks);

    let (x_range, y_axis_width) = if s.share_x {
        let mut x = Extent::default();
        for (lo, hi) in s.charts.iter().filter_map(own_x_range) {
            x.add(lo);
            x.add(hi);
        }
        let w = s
            .charts
            .iter()
            .filter_map(|c| own_y_axis_width(c, theme))
            .max();
        (x.get(), w)
    } else {
        (None, None)
    };
    for (i, (chart, part)) in s.charts.iter().zip(&parts).enumerate() {
        let child = Layout {
            x_range,
            y_axis_width,
            hide_x_label: s.share_x && i + 1 < n,
            nested: true,
        };
        draw_figure(chart, part, theme, &child)?;
    }
    Ok(())
}

fn grid<DB: DrawingBackend>(
    g: &Grid,
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    layout: &Layout,
) -> DrawResult {
    let area = title_strip(area, &g.title, layout.title_size(theme))?;
    let n = g.charts.len();
    if n == 0 {
        return no_charts(&area, theme);
    }
    let columns = g.columns.clamp(1, n);
    let rows = n.div_ceil(columns);
    let cells = area.split_evenly((rows, columns));
    let child = Layout {
        nested: true,
        ..Layout::default()
    };
    for (chart, cell) in g.charts.iter().zip(&cells) {
        let cell = cell.margin(theme.pad / 2, theme.pad / 2, theme.pad / 2, theme.pad / 2);
        draw_figure(chart, &cell, theme, &child)?;
    }
    Ok(())
}
