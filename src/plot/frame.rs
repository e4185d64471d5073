//! The parts every x–y chart shares: ranges, title, legend, axes, category labels and the
//! "no data" note. Chart modules only draw their data into the frame this builds.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{Format, format_value};
use super::spec::{Axis, Dash};
use super::style::{AXIS, FAMILY, GRID, MUTED, Rgb, TEXT, Theme};

pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
/// Backend errors differ in type between PNG and SVG; as text they carry everything the
/// caller needs, and the file name is added where the error leaves the module.
pub(crate) type DrawResult<T = ()> = Result<T, String>;

pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Values beyond this are treated like NaN: pixel mapping of a range near `f64::MAX`
/// overflows, and no quantity in a simulation is that large.
const LIMIT: f64 = 1e100;

pub(crate) fn usable(v: f64) -> bool {
    v.is_finite() && v.abs() <= LIMIT
}

/// What a panel decides for one of its charts.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Layout {
    pub x_range: Option<(f64, f64)>,
    pub y_axis_width: Option<u32>,
    pub hide_x_label: bool,
    /// A chart inside a panel gets a smaller title than the panel's own.
    pub nested: bool,
}

impl Layout {
    /// Size of the title of a chart or panel drawn with this layout: smaller when nested.
    pub fn title_size(&self, theme: &Theme) -> f64 {
        if self.nested {
            theme.label + 1.0
        } else {
            theme.title
        }
    }
}

/// The smallest interval holding every usable value added.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extent(Option<(f64, f64)>);

impl Extent {
    pub fn add(&mut self, v: f64) {
        if usable(v) {
            self.0 = Some(match self.0 {
                Some((lo, hi)) => (lo.min(v), hi.max(v)),
                None => (v, v),
            });
        }
    }

    pub fn get(self) -> Option<(f64, f64)> {
        self.0
    }
}

/// The axis range to draw: the caller's fixed range if it is usable, else the data's extent
/// widened by `pad` of its span on each side (but never past zero when `anchor_zero`, so bars
/// start on the axis). `None` when there is neither.
pub(crate) fn resolve(
    axis: &Axis,
    data: Extent,
    pad: f64,
    anchor_zero: bool,
) -> Option<(f64, f64)> {
    if let Some((a, b)) = axis.range
        && usable(a)
        && usable(b)
        && wide_enough(a, b)
    {
        return Some((a, b));
    }
    let (mut lo, mut hi) = data.get()?;
    if !wide_enough(lo, hi) {
        let mid = lo / 2.0 + hi / 2.0;
        let half = if mid.abs() < 1e-90 {
            1.0
        } else {
            mid.abs() * 0.05
        };
        return Some((mid - half, mid + half));
    }
    let margin = (hi - lo) * pad;
    if !(anchor_zero && lo == 0.0) {
        lo -= margin;
    }
    if !(anchor_zero && hi == 0.0) {
        hi += margin;
    }
    Some((lo, hi))
}

/// Whether plotters can put ticks on `lo..hi`. Its tick search divides by a power of ten
/// below the span: for a span near the smallest floats that power is zero and the search
/// overflows (or, in release builds, never ends), and a span lost in the rounding of its
/// endpoints gives no ticks at all. Such a range is replaced by one around its middle.
fn wide_enough(lo: f64, hi: f64) -> bool {
    let span = hi - lo;
    span.is_finite() && span > 1e-90_f64.max(lo.abs().max(hi.abs()) * 1e-9)
}

/// About `target` round-numbered ticks (steps of 1, 2 or 5 × 10ⁿ) inside `lo..=hi`; used to
/// size the y axis before plotters picks its own, similar, ticks.
fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return vec![lo];
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let step = mag
        * if norm <= 1.0 {
            1.0
        } else if norm <= 2.0 {
            2.0
        } else if norm <= 5.0 {
            5.0
        } else {
            10.0
        };
    let mut ticks = Vec::new();
    let mut k = (lo / step).ceil();
    while k * step <= hi + step * 1e-9 && ticks.len() < 50 {
        ticks.push(k * step);
        k += 1.0;
    }
    ticks
}

/// A tick value as text; values within rounding noise of zero print as `0`.
fn tick_text(v: f64, format: Format, span: f64) -> String {
    let v = if v.abs() < span.abs() * 1e-9 { 0.0 } else { v };
    format_value(v, format)
}

pub(crate) fn font(size: f64) -> FontDesc<'static> {
    (FAMILY, size).into_font()
}

pub(crate) fn text_style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    font(size).color(&color).pos(Pos::new(h, v))
}

/// Width of `text` in pixels, from the embedded font's metrics.
pub(crate) fn text_width(text: &str, size: f64) -> i32 {
    match font(size).box_size(text) {
        Ok((w, _)) => w as i32,
        Err(_) => (text.chars().count() as f64 * size * 0.6) as i32,
    }
}

/// Pixels left of the plot for the y tick labels and the y label.
pub(crate) fn y_axis_width(y_range: (f64, f64), y: &Axis, theme: &Theme) -> u32 {
    let span = y_range.1 - y_range.0;
    let widest = nice_ticks(y_range.0, y_range.1, 10)
        .into_iter()
        .chain([y_range.0, y_range.1])
        .map(|v| text_width(&tick_text(v, y.format, span), theme.tick))
        .max()
        .unwrap_or(0);
    let label = if y.label.is_empty() {
        0.0
    } else {
        theme.label * 1.6
    };
    (f64::from(widest) + theme.tick * 1.2 + label).ceil() as u32
}

/// How an entry looks in the legend.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    Line(Rgb, Dash),
    Area(Rgb),
    Bar(Rgb),
    Point(Rgb),
}

#[derive(Clone, Debug)]
pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

/// Everything about a chart except its data.
pub(crate) struct Frame<'a> {
    pub title: &'a str,
    pub x: &'a Axis,
    pub y: &'a Axis,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    /// Labels at x positions, drawn instead of numeric x ticks.
    pub categories: Option<(&'a [String], Vec<f64>)>,
    pub legend: Vec<LegendItem>,
    /// Nothing to draw: the frame says so instead of showing an empty grid.
    pub empty: bool,
}

/// Draws `title` centred in a strip at the top of `area` and returns the rest of the area.
pub(crate) fn title_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    size: f64,
) -> DrawResult<DrawingArea<DB, Shift>> {
    if title.is_empty() {
        return Ok(area.clone());
    }
    let strip = (size * 1.7).round() as i32;
    let (top, rest) = area.split_vertically(strip);
    let (w, h) = top.dim_in_pixel();
    let style = (FAMILY, size, FontStyle::Bold)
        .into_font()
        .color(&TEXT)
        .pos(Pos::new(HPos::Center, VPos::Center));
    top.draw_text(title, &style, (w as i32 / 2, h as i32 / 2))
        .map_err(err)?;
    Ok(rest)
}

/// Legend entries laid out left to right from `left`, wrapping at `right`: one row per
/// `(item index, x)` list.
fn legend_rows(
    items: &[LegendItem],
    left: i32,
    right: i32,
    theme: &Theme,
) -> Vec<Vec<(usize, i32)>> {
    let (swatch, gap) = theme.legend_swatch();
    let spacing = (theme.legend * 1.3) as i32;
    let mut rows: Vec<Vec<(usize, i32)>> = Vec::new();
    let mut x = left;
    for (i, item) in items.iter().enumerate() {
        let w = swatch + gap + text_width(&item.label, theme.legend);
        if rows.is_empty() || (x + w > right && x > left) {
            rows.push(Vec::new());
            x = left;
        }
        if let Some(row) = rows.last_mut() {
            row.push((i, x));
        }
        x += w + spacing;
    }
    rows
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    (x, y): (i32, i32),
    theme: &Theme,
) -> DrawResult {
    let (w, _) = theme.legend_swatch();
    let h = (theme.legend * 0.7) as i32;
    let r = |c: Rgb| c.plotters();
    match swatch {
        Swatch::Line(c, dash) => {
            let style = r(c).stroke_width(theme.line + 1);
            let segments: Vec<(i32, i32)> = match dash {
                Dash::Solid => vec![(0, w)],
                Dash::Dashed => vec![(0, w * 2 / 5), (w * 3 / 5, w)],
                Dash::Dotted => (0..4)
                    .map(|k| (k * w / 4, k * w / 4 + w / 10 + 1))
                    .collect(),
            };
            for (a, b) in segments {
                area.draw(&PathElement::new(vec![(x + a, y), (x + b, y)], style))
                    .map_err(err)?;
            }
        }
        Swatch::Area(c) => {
            area.draw(&Rectangle::new(
                [(x, y - h / 2), (x + w, y + h / 2)],
                r(c).mix(0.25).filled(),
            ))
            .map_err(err)?;
            area.draw(&PathElement::new(
                vec![(x, y), (x + w, y)],
                r(c).stroke_width(theme.line),
            ))
            .map_err(err)?;
        }
        Swatch::Bar(c) => {
            area.draw(&Rectangle::new(
                [(x + w / 4, y - h / 2 - 1), (x + w * 3 / 4, y + h / 2 + 1)],
                r(c).filled(),
            ))
            .map_err(err)?;
        }
        Swatch::Point(c) => {
            area.draw(&Circle::new((x + w / 2, y), h / 2, r(c).filled()))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Draws the frame of a chart into `area` and hands the chart context to `body` for the data.
///
/// The legend sits in its own strip above the plot rather than inside it, so it can never
/// hide data; markers and levels are labelled where they are drawn.
pub(crate) fn draw_frame<DB, F>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame<'_>,
    theme: &Theme,
    layout: &Layout,
    body: F,
) -> DrawResult
where
    DB: DrawingBackend,
    F: FnOnce(&mut Chart<'_, DB>) -> DrawResult,
{
    let rest = title_strip(area, frame.title, layout.title_size(theme))?;
    let y_w = layout
        .y_axis_width
        .unwrap_or_else(|| y_axis_width(frame.y_range, frame.y, theme));
    let right_margin = (theme.tick * 2.5) as i32;
    let (w, _) = rest.dim_in_pixel();

    let plot_area = if frame.legend.is_empty() {
        rest
    } else {
        let left = y_w as i32 + theme.pad / 2;
        let rows = legend_rows(&frame.legend, left, w as i32 - right_margin, theme);
        let row_h = (theme.legend * 1.5) as i32;
        let (strip, below) = rest.split_vertically(row_h * rows.len() as i32 + theme.pad / 2);
        let style = text_style(theme.legend, TEXT, HPos::Left, VPos::Center);
        let (swatch_w, gap) = theme.legend_swatch();
        for (r, row) in rows.iter().enumerate() {
            let y = row_h * r as i32 + row_h / 2;
            for &(i, x) in row {
                let item = &frame.legend[i];
                draw_swatch(&strip, item.swatch, (x, y), theme)?;
                strip
                    .draw_text(&item.label, &style, (x + swatch_w + gap, y))
                    .map_err(err)?;
            }
        }
        below
    };

    let show_x_label = !frame.x.label.is_empty() && !layout.hide_x_label;
    let x_area = theme.tick * 1.9 + if show_x_label { theme.label * 1.7 } else { 0.0 };
    let (x0, x1) = frame.x_range;
    let (y0, y1) = frame.y_range;
    let mut chart = ChartBuilder::on(&plot_area)
        .margin_top(theme.pad)
        .margin_left(theme.pad / 2)
        .margin_right(right_margin)
        .margin_bottom(theme.pad / 2)
        .x_label_area_size(x_area.round() as u32)
        .y_label_area_size(y_w)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;

    let (plot_w, plot_h) = chart.plotting_area().dim_in_pixel();
    let x_span = x1 - x0;
    let y_span = y1 - y0;
    let (x_format, y_format) = (frame.x.format, frame.y.format);
    let x_fmt = move |v: &f64| tick_text(*v, x_format, x_span);
    let y_fmt = move |v: &f64| tick_text(*v, y_format, y_span);
    let widest_x = nice_ticks(x0, x1, 10)
        .into_iter()
        .map(|v| text_width(&x_fmt(&v), theme.tick))
        .max()
        .unwrap_or(0);
    let n_x =
        (f64::from(plot_w) / (f64::from(widest_x) + theme.tick * 2.5)).clamp(2.0, 12.0) as usize;
    let n_y = (f64::from(plot_h) / (theme.tick * 1.8)).clamp(2.0, 10.0) as usize;

    {
        let mut mesh = chart.configure_mesh();
        mesh.y_labels(n_y)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(font(theme.tick).color(&TEXT))
            .axis_desc_style(font(theme.label).color(&TEXT))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS.stroke_width(1))
            .set_all_tick_mark_size((theme.pad / 2).max(2));
        if frame.categories.is_some() {
            mesh.x_labels(0).disable_x_mesh();
        } else {
            mesh.x_labels(n_x);
        }
        if show_x_label {
            mesh.x_desc(frame.x.label.as_str());
        }
        if !frame.y.label.is_empty() {
            mesh.y_desc(frame.y.label.as_str());
        }
        mesh.draw().map_err(err)?;
    }

    if let Some((labels, positions)) = &frame.categories {
        let visible: Vec<f64> = positions
            .iter()
            .map(|&p| if p >= x0 && p <= x1 { p } else { f64::NAN })
            .collect();
        draw_categories(&plot_area, &chart, labels, &visible, y0, theme)?;
    }

    body(&mut chart)?;

    if frame.empty {
        let style = text_style(theme.label, MUTED, HPos::Center, VPos::Center);
        chart
            .plotting_area()
            .draw(&Text::new(
                "no data",
                ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
                style,
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// Category names under the x axis, every k-th one when all of them would overlap.
fn draw_categories<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<'_, DB>,
    labels: &[String],
    positions: &[f64],
    y0: f64,
    theme: &Theme,
) -> DrawResult {
    let (bx, by) = area.get_base_pixel();
    let pixels: Vec<(usize, (i32, i32))> = positions
        .iter()
        .enumerate()
        .take(labels.len())
        .filter(|(_, p)| usable(**p))
        .map(|(i, p)| (i, chart.backend_coord(&(*p, y0))))
        .collect();
    let spacing = pixels
        .windows(2)
        .map(|w| (w[1].1.0 - w[0].1.0).abs())
        .filter(|d| *d > 0)
        .min()
        .unwrap_or(i32::MAX);
    let widest = pixels
        .iter()
        .map(|(i, _)| text_width(&labels[*i], theme.tick))
        .max()
        .unwrap_or(0);
    let needed = widest + (theme.tick * 0.8) as i32;
    let every = if spacing >= needed {
        1
    } else {
        (needed + spacing - 1) / spacing.max(1)
    }
    .max(1) as usize;
    let style = text_style(theme.tick, TEXT, HPos::Center, VPos::Top);
    let tick = AXIS.stroke_width(1);
    for (k, (i, (px, py))) in pixels.iter().enumerate() {
        if k % every != 0 {
            continue;
        }
        let (x, y) = (px - bx, py - by);
        area.draw(&PathElement::new(
            vec![(x, y), (x, y + theme.pad / 2)],
            tick,
        ))
        .map_err(err)?;
        area.draw_text(&labels[*i], &style, (x, y + theme.pad))
            .map_err(err)?;
    }
    Ok(())
}
