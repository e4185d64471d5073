//! What a chart shows, as plain data.
//!
//! These types carry numbers already computed by `analysis`; drawing them never derives a
//! statistic (a box plot is given its quartiles, a scatter its fitted line). Non-finite
//! numbers are allowed anywhere and are left out of the drawing, so a caller can pass a series
//! with gaps (a halted session, a day with no trades) without cleaning it first.

use super::format::Format;

/// One axis: its label, tick format and, optionally, a fixed range.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axis {
    pub label: String,
    pub format: Format,
    /// `None` fits the data. A fixed range lets several charts be compared by eye.
    pub range: Option<(f64, f64)>,
}

impl Axis {
    pub fn new(label: impl Into<String>) -> Axis {
        Axis {
            label: label.into(),
            ..Axis::default()
        }
    }

    pub fn format(mut self, format: Format) -> Axis {
        self.format = format;
        self
    }

    pub fn range(mut self, lo: f64, hi: f64) -> Axis {
        self.range = Some((lo, hi));
        self
    }
}

/// How a line is stroked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dash {
    #[default]
    Solid,
    Dashed,
    Dotted,
}

/// Lines over a numeric x axis: price paths, exposures, fan charts across seeds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    /// Drawn first, under the lines.
    pub bands: Vec<Band>,
    pub series: Vec<Series>,
    /// Vertical event markers (halts, shocks).
    pub markers: Vec<Marker>,
    /// Horizontal reference levels (gamma flip, CTA triggers).
    pub levels: Vec<Level>,
}

/// A named line. Points are drawn in the order given; a non-finite point breaks the line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Shown in the legend; an empty name keeps the series out of it.
    pub name: String,
    /// Palette index (see [`palette`](super::palette)).
    pub color: usize,
    pub dash: Dash,
    /// Hold each value until the next x (positions, exposures, trigger states change in jumps,
    /// and a sloped line between two daily values would invent intermediate states).
    pub step: bool,
    pub points: Vec<(f64, f64)>,
}

impl Series {
    pub fn new(name: impl Into<String>, color: usize, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            color,
            points,
            ..Series::default()
        }
    }

    pub fn dashed(mut self) -> Series {
        self.dash = Dash::Dashed;
        self
    }

    pub fn dotted(mut self) -> Series {
        self.dash = Dash::Dotted;
        self
    }

    pub fn step(mut self) -> Series {
        self.step = true;
        self
    }
}

/// A shaded area between a lower and an upper bound at each x (a percentile fan across seeds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Band {
    pub name: String,
    pub color: usize,
    /// `(x, lower, upper)`.
    pub points: Vec<(f64, f64, f64)>,
}

/// A vertical line across the plot at `x`, labelled at the top.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub label: String,
    /// Palette index; `None` draws it in neutral grey.
    pub color: Option<usize>,
}

/// A horizontal dashed line at `y`, labelled at its right end.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Level {
    pub y: f64,
    pub label: String,
    pub color: Option<usize>,
}

/// Stacked bars: positive values stack up from zero and negative values down from it, in
/// series order, so buying and selling by class read above and below the axis.
#[derive(Clone, Debug, PartialEq)]
pub struct BarChart {
    pub title: String,
    /// The label; the format and range apply only when bars sit at numeric `positions`.
    pub x: Axis,
    pub y: Axis,
    /// Tick labels, one per bar (days, time-of-day buckets). Thinned when they would overlap.
    pub categories: Vec<String>,
    /// Bar centres on a numeric x axis, so bars can share an x range with a line chart in a
    /// [`Stack`]. Empty: bar `i` sits at `i`.
    pub positions: Vec<f64>,
    /// One value per bar in each series; missing or non-finite values draw nothing.
    pub series: Vec<BarSeries>,
    /// Bar width as a fraction of the smallest gap between neighbouring positions.
    pub bar_width: f64,
}

impl Default for BarChart {
    fn default() -> BarChart {
        BarChart {
            title: String::new(),
            x: Axis::default(),
            y: Axis::default(),
            categories: Vec::new(),
            positions: Vec::new(),
            series: Vec::new(),
            bar_width: 0.8,
        }
    }
}

/// One stacked component of a bar chart (an agent class).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarSeries {
    pub name: String,
    pub color: usize,
    pub values: Vec<f64>,
}

impl BarSeries {
    pub fn new(name: impl Into<String>, color: usize, values: Vec<f64>) -> BarSeries {
        BarSeries {
            name: name.into(),
            color,
            values,
        }
    }
}

/// Points with optional fitted lines (the intraday-momentum regression).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScatterChart {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<PointSeries>,
    pub fits: Vec<FitLine>,
}

/// A named group of points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointSeries {
    pub name: String,
    pub color: usize,
    pub points: Vec<(f64, f64)>,
}

/// `y = intercept + slope · x`, drawn across the chart; `label` (say "slope 0.42, R² 0.31")
/// goes in the legend.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FitLine {
    pub label: String,
    pub color: usize,
    pub intercept: f64,
    pub slope: f64,
}

/// A distribution per group (drawdowns per grid point): a box from a given summary, the raw
/// values as a strip of points, or both.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoxChart {
    pub title: String,
    /// Only the label is used: groups are categories.
    pub x: Axis,
    pub y: Axis,
    pub groups: Vec<BoxGroup>,
}

/// One group of a [`BoxChart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoxGroup {
    pub name: String,
    pub color: usize,
    pub summary: Option<BoxSummary>,
    /// Drawn as points spread sideways by a fixed pattern (not random, so output is stable).
    pub values: Vec<f64>,
}

/// The five numbers of a box plot, computed by the caller (which whisker rule, which quantile
/// definition, is an analysis decision).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BoxSummary {
    pub low: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub high: f64,
}

/// Charts stacked top to bottom (price over flows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stack {
    /// Drawn once above all panels; empty for none.
    pub title: String,
    pub charts: Vec<Figure>,
    /// Relative heights, one per chart; empty or mismatched means equal heights.
    pub heights: Vec<u32>,
    /// Give every chart the union of their x ranges and the same y-axis width, so the same x
    /// sits at the same pixel column in every panel; only the bottom panel keeps its x label.
    pub share_x: bool,
}

/// Charts in rows of `columns` (a 2×2 stylized-facts panel).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    pub title: String,
    pub columns: usize,
    pub charts: Vec<Figure>,
}

/// Anything [`render`](super::render) can draw. Panels nest: a grid cell can be a stack.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    Line(LineChart),
    Bars(BarChart),
    Scatter(ScatterChart),
    Boxes(BoxChart),
    Stack(Stack),
    Grid(Grid),
}

impl From<LineChart> for Figure {
    fn from(c: LineChart) -> Figure {
        Figure::Line(c)
    }
}

impl From<BarChart> for Figure {
    fn from(c: BarChart) -> Figure {
        Figure::Bars(c)
    }
}

impl From<ScatterChart> for Figure {
    fn from(c: ScatterChart) -> Figure {
        Figure::Scatter(c)
    }
}

impl From<BoxChart> for Figure {
    fn from(c: BoxChart) -> Figure {
        Figure::Boxes(c)
    }
}

impl From<Stack> for Figure {
    fn from(c: Stack) -> Figure {
        Figure::Stack(c)
    }
}

impl From<Grid> for Figure {
    fn from(c: Grid) -> Figure {
        Figure::Grid(c)
    }
}
