//! Charts (PNG and SVG) and the static HTML report.
//!
//! Data in, files out: callers hand over numbers `analysis` has already computed, as plain
//! structs ([`LineChart`], [`BarChart`], [`ScatterChart`], [`BoxChart`], panels of them in a
//! [`Stack`] or [`Grid`]), and [`render`] writes `stem.png` and `stem.svg`. Nothing here
//! computes a statistic, so a chart can never disagree with the table beside it.
//!
//! Text is drawn with DejaVu Sans embedded in the binary, so charts look the same on a laptop,
//! in CI and on a cluster node with no fonts installed; output is byte-for-byte deterministic.
//! Non-finite values are skipped (a NaN breaks a line), and a chart with no data says so
//! instead of failing.
//!
//! ```no_run
//! use flowsim::plot::{Axis, Figure, Format, LineChart, Marker, Series, render};
//!
//! let chart = LineChart {
//!     title: "Price and fundamental".into(),
//!     x: Axis::new("day"),
//!     y: Axis::new("index level").format(Format::Thousands),
//!     series: vec![
//!         Series::new("price", 0, vec![(0.0, 4500.0), (1.0, 4390.0), (2.0, 4420.0)]),
//!         Series::new("fundamental", 7, vec![(0.0, 4500.0), (2.0, 4450.0)]).dashed(),
//!     ],
//!     markers: vec![Marker { x: 1.0, label: "halt".into(), color: None }],
//!     ..LineChart::default()
//! };
//! let files = render(&Figure::from(chart), "out".as_ref(), "price", (1200, 700))?;
//! # Ok::<(), flowsim::plot::PlotError>(())
//! ```

mod bars;
mod boxes;
mod clip;
mod format;
mod frame;
mod layout;
mod line;
mod raster;
mod render;
pub mod report;
mod scatter;
mod spec;
mod style;

pub use format::{Format, format_value};
pub use render::{MAX_SIDE, MIN_SIZE, PlotError, render};
pub use report::{Block, Report, Section, Table};
pub use spec::{
    Axis, Band, BarChart, BarSeries, BoxChart, BoxGroup, BoxSummary, Dash, Figure, FitLine, Grid,
    Level, LineChart, Marker, PointSeries, ScatterChart, Series, Stack,
};
pub use style::{CLASS_BASE, PALETTE, Rgb, class_color, palette};
