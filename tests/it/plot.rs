//! Charts and the HTML report: every figure kind renders to PNG and SVG of the asked size, with
//! its text drawn from the embedded font, the same bytes every time, and no panic on empty or
//! NaN data.
//!
//! To look at the charts, set `FLOWSIM_PLOT_OUT=some/dir`: the gallery test writes there too.

use std::path::{Path, PathBuf};

use crate::common::Scratch;
use flowsim::plot::{
    Axis, Band, BarChart, BarSeries, Block, BoxChart, BoxGroup, BoxSummary, Figure, FitLine,
    Format, Grid, Level, LineChart, Marker, PlotError, PointSeries, Report, ScatterChart, Section,
    Series, Stack, Table, format_value, palette, render,
};
use proptest::prelude::*;

/// Decoded RGB pixels, to check that glyphs were really drawn.
fn png_pixels(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// A deterministic wiggle, so the test needs no random numbers.
fn wave(i: usize, period: f64) -> f64 {
    (i as f64 / period).sin()
}

fn price_chart() -> LineChart {
    let days = 20;
    let per_day = 26;
    let n = days * per_day;
    let x = |i: usize| i as f64 / per_day as f64;
    let fundamental: Vec<(f64, f64)> = (0..n)
        .map(|i| (x(i), if x(i) < 5.0 { 4500.0 } else { 4280.0 }))
        .collect();
    let price: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let t = x(i);
            let drop = if t < 5.0 {
                0.0
            } else {
                -380.0 * (-(t - 5.0) / 2.0).exp() - 220.0
            };
            (t, 4500.0 + drop + 12.0 * wave(i, 3.0))
        })
        .collect();
    let band: Vec<(f64, f64, f64)> = price
        .iter()
        .map(|&(t, p)| (t, p - 40.0 - 4.0 * t, p + 40.0 + 4.0 * t))
        .collect();
    LineChart {
        title: "Price & fundamental <S&P-like index>".into(),
        x: Axis::new("trading day"),
        y: Axis::new("index level").format(Format::Thousands),
        bands: vec![Band {
            name: "5–95% across seeds".into(),
            color: 0,
            points: band,
        }],
        series: vec![
            Series::new("price", 0, price),
            Series::new("fundamental", 7, fundamental).dashed(),
            Series::new(
                "CTA trigger",
                1,
                (0..days)
                    .map(|d| (d as f64, 4300.0 - 5.0 * d as f64))
                    .collect(),
            )
            .step(),
        ],
        markers: vec![
            Marker {
                x: 5.0,
                label: "vol shock".into(),
                color: Some(1),
            },
            Marker {
                x: 5.2,
                label: "halt (−7%)".into(),
                color: None,
            },
            Marker {
                x: 5.35,
                label: "reopen".into(),
                color: None,
            },
        ],
        levels: vec![Level {
            y: 4150.0,
            label: "gamma flip".into(),
            color: Some(4),
        }],
    }
}

fn flows_chart(days: usize) -> BarChart {
    let classes = ["vol-target", "LETF", "CTA", "dealers", "real money"];
    BarChart {
        title: "Net flows by class".into(),
        x: Axis::new("trading day"),
        y: Axis::new("net flow ($)").format(Format::Dollars),
        categories: (0..days).map(|d| format!("D{}", d + 1)).collect(),
        positions: (0..days).map(|d| d as f64 + 0.5).collect(),
        series: classes
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let values = (0..days)
                    .map(|d| {
                        let sign = if (d + k) % 3 == 0 { 1.0 } else { -1.0 };
                        sign * (1.0 + k as f64) * 2.1e9 * (1.0 + wave(d * (k + 1), 2.0).abs())
                    })
                    .collect();
                BarSeries::new(*name, k, values)
            })
            .collect(),
        ..BarChart::default()
    }
}

fn momentum_scatter() -> ScatterChart {
    let points = |k: f64| -> Vec<(f64, f64)> {
        (0..300)
            .map(|i| {
                let x = wave(i, 1.7) * 0.02;
                (x, k * x + 0.004 * wave(i * 7, 0.9))
            })
            .collect()
    };
    ScatterChart {
        title: "Last 30 minutes vs rest of day".into(),
        x: Axis::new("rest-of-day return").format(Format::Percent),
        y: Axis::new("last-30-min return").format(Format::Percent),
        series: vec![
            PointSeries {
                name: "short gamma".into(),
                color: 1,
                points: points(0.3),
            },
            PointSeries {
                name: "long gamma".into(),
                color: 0,
                points: points(0.0),
            },
        ],
        fits: vec![
            FitLine {
                label: "short: slope 0.30, R² 0.62".into(),
                color: 1,
                intercept: 0.0,
                slope: 0.3,
            },
            FitLine {
                label: "long: slope 0.00, R² 0.00".into(),
                color: 0,
                intercept: 0.0,
                slope: 0.0,
            },
        ],
    }
}

fn drawdown_boxes() -> BoxChart {
    BoxChart {
        title: "Drawdown per grid point".into(),
        x: Axis::new("CTA size"),
        y: Axis::new("max drawdown").format(Format::Percent),
        groups: (0..6)
            .map(|g| {
                let values: Vec<f64> = (0..40)
                    .map(|i| -0.05 - 0.02 * g as f64 - 0.03 * wave(i * 3 + g, 1.3).abs())
                    .collect();
                BoxGroup {
                    name: format!("${}bn", 50 * (g + 1)),
                    color: g,
                    summary: Some(BoxSummary {
                        low: -0.08 - 0.02 * g as f64,
                        q1: -0.07 - 0.02 * g as f64,
                        median: -0.065 - 0.02 * g as f64,
                        q3: -0.055 - 0.02 * g as f64,
                        high: -0.05 - 0.02 * g as f64,
                    }),
                    values,
                }
            })
            .collect(),
    }
}

fn price_over_flows() -> Stack {
    Stack {
        title: "Deleveraging cascade, seed 7".into(),
        charts: vec![price_chart().into(), flows_chart(20).into()],
        heights: vec![3, 2],
        share_x: true,
    }
}

fn stylized_grid() -> Grid {
    Grid {
        title: "Stylized facts".into(),
        columns: 2,
        charts: vec![
            LineChart {
                title: "Autocorrelation of returns".into(),
                x: Axis::new("lag"),
                y: Axis::new("ACF"),
                series: vec![Series::new(
                    "returns",
                    0,
                    (1..30).map(|l| (l as f64, 0.05 * wave(l, 0.7))).collect(),
                )],
                levels: vec![
                    Level {
                        y: 0.04,
                        label: "95% band".into(),
                        color: None,
                    },
                    Level {
                        y: -0.04,
                        label: String::new(),
                        color: None,
                    },
                ],
                ..LineChart::default()
            }
            .into(),
            LineChart {
                title: "Autocorrelation of |returns|".into(),
                x: Axis::new("lag"),
                y: Axis::new("ACF"),
                series: vec![Series::new(
                    "|returns|",
                    2,
                    (1..30)
                        .map(|l| (l as f64, 0.3 / (l as f64).sqrt()))
                        .collect(),
                )],
                ..LineChart::default()
            }
            .into(),
            flows_chart(5).into(),
            drawdown_boxes().into(),
        ],
    }
}

fn gallery() -> Vec<(&'static str, Figure)> {
    vec![
        ("line", price_chart().into()),
        ("bars", flows_chart(20).into()),
        ("bars_categorical", {
            let mut c = flows_chart(78);
            c.positions.clear();
            c.categories = (0..78)
                .map(|i| format!("{:02}:{:02}", 9 + (30 + 5 * i) / 60, (30 + 5 * i) % 60))
                .collect();
            c.x = Axis::new("time of day");
            c.into()
        }),
        ("scatter", momentum_scatter().into()),
        ("boxes", drawdown_boxes().into()),
        ("stack", price_over_flows().into()),
        ("grid", stylized_grid().into()),
    ]
}

fn check_files(files: &[PathBuf], stem: &str, size: (u32, u32)) -> (Vec<u8>, String) {
    assert_eq!(files.len(), 2);
    assert!(files[0].ends_with(format!("{stem}.png")), "{files:?}");
    assert!(files[1].ends_with(format!("{stem}.svg")), "{files:?}");
    let png = std::fs::read(&files[0]).expect("read PNG");
    // Decoding the whole image checks the signature, the header and every pixel row.
    let (w, h, _) = png_pixels(&png);
    assert_eq!((w, h), size, "{stem}.png size");
    let svg = std::fs::read_to_string(&files[1]).expect("read SVG");
    assert!(
        svg.starts_with("<svg"),
        "{stem}.svg starts {:?}",
        &svg[..20.min(svg.len())]
    );
    assert!(
        svg.contains(&format!("width=\"{}\" height=\"{}\"", size.0, size.1)),
        "{stem}.svg size"
    );
    (png, svg)
}

#[test]
fn every_figure_kind_renders_png_and_svg_of_the_asked_size_with_text_as_text() {
    let scratch = Scratch::new("plot-gallery");
    let keep = std::env::var_os("FLOWSIM_PLOT_OUT").map(PathBuf::from);
    for (stem, figure) in gallery() {
        let size = (1000, 600);
        let files = render(&figure, &scratch.dir, stem, size).expect("render");
        let (_, svg) = check_files(&files, stem, size);
        let title = match &figure {
            Figure::Line(c) => c.title.clone(),
            Figure::Bars(c) => c.title.clone(),
            Figure::Scatter(c) => c.title.clone(),
            Figure::Boxes(c) => c.title.clone(),
            Figure::Stack(s) => s.title.clone(),
            Figure::Grid(g) => g.title.clone(),
        };
        // plotters escapes text for XML; the title must be a text element, not outlines.
        let escaped = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            svg.contains(&format!(">\n{escaped}\n</text>")),
            "{stem}: title {escaped:?} as <text>"
        );
        if let Some(dir) = &keep {
            std::fs::create_dir_all(dir).expect("FLOWSIM_PLOT_OUT");
            render(&figure, dir, stem, (1200, 700)).expect("render to FLOWSIM_PLOT_OUT");
        }
    }
    // Palette colours reach the files: the price line's blue in the SVG.
    let svg = std::fs::read_to_string(scratch.path("line.svg")).expect("line.svg");
    let p = palette(0);
    assert!(
        svg.contains(&format!("#{:02X}{:02X}{:02X}", p.0, p.1, p.2)),
        "palette blue"
    );
    // Only the finished files remain: no temporary files left beside them.
    assert!(
        scratch.entries().iter().all(|n| !n.starts_with('.')),
        "{:?}",
        scratch.entries()
    );
}

#[test]
fn text_is_drawn_from_the_embedded_font_into_the_png() {
    // No system font is looked up (plotters is built without font-kit), so dark pixels in the
    // title strip can only come from the embedded DejaVu Sans.
    let scratch = Scratch::new("plot-font");
    let chart = LineChart {
        title: "TITLE".into(),
        ..LineChart::default()
    };
    let files = render(&chart.into(), &scratch.dir, "t", (400, 300)).expect("render");
    let (w, h, rgb) = png_pixels(&std::fs::read(&files[0]).expect("read"));
    assert_eq!((w, h), (400, 300));
    let dark_in_title = (0..30 * w as usize)
        .filter(|p| rgb[p * 3] < 128 && rgb[p * 3 + 1] < 128 && rgb[p * 3 + 2] < 128)
        .count();
    assert!(
        dark_in_title > 50,
        "only {dark_in_title} dark pixels where the title is"
    );
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let a = Scratch::new("plot-det-a");
    let b = Scratch::new("plot-det-b");
    for (stem, figure) in [
        ("stack", Figure::from(price_over_flows())),
        ("grid", stylized_grid().into()),
    ] {
        let fa = render(&figure, &a.dir, stem, (900, 600)).expect("render a");
        let fb = render(&figure, &b.dir, stem, (900, 600)).expect("render b");
        for (pa, pb) in fa.iter().zip(&fb) {
            assert!(
                std::fs::read(pa).expect("a") == std::fs::read(pb).expect("b"),
                "{} differs between renders",
                pa.display()
            );
        }
    }
}

#[test]
fn nan_infinite_and_empty_data_render_without_panicking() {
    let scratch = Scratch::new("plot-nan");
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let empty_line = LineChart {
        title: "empty".into(),
        ..LineChart::default()
    };
    let all_nan = LineChart {
        title: "all NaN".into(),
        series: vec![Series::new(
            "s",
            0,
            vec![(nan, nan), (inf, 1.0), (1.0, -inf)],
        )],
        bands: vec![Band {
            name: "b".into(),
            color: 1,
            points: vec![(nan, 0.0, 1.0)],
        }],
        markers: vec![Marker {
            x: nan,
            label: "m".into(),
            color: None,
        }],
        levels: vec![Level {
            y: inf,
            label: "l".into(),
            color: None,
        }],
        y: Axis::new("y").range(nan, 3.0),
        ..LineChart::default()
    };
    let gappy = LineChart {
        title: "gaps".into(),
        series: vec![
            Series::new(
                "gappy",
                0,
                vec![(0.0, 1.0), (1.0, nan), (2.0, 2.0), (3.0, 1e300)],
            ),
            Series::new("one point", 1, vec![(1.5, 1.5)])
                .step()
                .dotted(),
        ],
        bands: vec![Band {
            name: "band".into(),
            color: 2,
            points: vec![
                (0.0, 0.5, 1.5),
                (1.0, nan, 2.0),
                (2.0, 1.0, 3.0),
                (3.0, 1.0, 2.5),
            ],
        }],
        ..LineChart::default()
    };
    let flat = LineChart {
        title: "flat".into(),
        series: vec![Series::new("flat", 0, vec![(1.0, 5.0), (1.0, 5.0)])],
        ..LineChart::default()
    };
    let bars_nan = BarChart {
        title: "bars with NaN".into(),
        categories: vec!["a".into(), "b".into()],
        positions: vec![nan, 1.0, 2.0],
        series: vec![BarSeries::new("x", 0, vec![nan, inf, -1.0, 7.0])],
        ..BarChart::default()
    };
    let figures: Vec<Figure> = vec![
        empty_line.into(),
        all_nan.into(),
        gappy.into(),
        flat.into(),
        BarChart::default().into(),
        bars_nan.into(),
        ScatterChart {
            fits: vec![FitLine {
                label: "fit".into(),
                color: 0,
                intercept: nan,
                slope: 1.0,
            }],
            series: vec![PointSeries {
                name: "p".into(),
                color: 0,
                points: vec![(nan, 1.0)],
            }],
            ..ScatterChart::default()
        }
        .into(),
        BoxChart {
            groups: vec![BoxGroup {
                name: "g".into(),
                color: 0,
                summary: Some(BoxSummary {
                    low: nan,
                    ..BoxSummary::default()
                }),
                values: vec![nan, inf],
            }],
            ..BoxChart::default()
        }
        .into(),
        BoxChart::default().into(),
        Stack::default().into(),
        Stack {
            share_x: true,
            charts: vec![LineChart::default().into(), BarChart::default().into()],
            heights: vec![0, 0],
            ..Stack::default()
        }
        .into(),
        Stack {
            charts: vec![LineChart::default().into(), BarChart::default().into()],
            heights: vec![1, 0],
            ..Stack::default()
        }
        .into(),
        Grid::default().into(),
        Grid {
            columns: 0,
            charts: vec![BoxChart::default().into(), Grid::default().into()],
            ..Grid::default()
        }
        .into(),
    ];
    for (i, figure) in figures.iter().enumerate() {
        let stem = format!("f{i}");
        let files = render(figure, &scratch.dir, &stem, (400, 300))
            .unwrap_or_else(|e| panic!("figure {i}: {e}"));
        let (_, svg) = check_files(&files, &stem, (400, 300));
        let has_data = matches!(i, 2 | 3 | 5);
        assert_eq!(
            svg.contains("no data"),
            !has_data,
            "figure {i}: 'no data' note"
        );
    }
}

/// Ordinary numbers mixed with the values that break naive range and tick code.
fn awkward() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -1e4..1e4f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(1e-310),
        1 => Just(f64::MAX),
        1 => Just(1e99),
        1 => Just(-1e15),
        1 => Just(5e-324),
    ]
}

/// Every chart kind in one stack, built from the same awkward numbers, rendered into `scratch`
/// and checked as any figure is: a decodable PNG and an SVG of the asked size.
fn render_awkward(
    scratch: &Scratch,
    xs: Vec<f64>,
    ys: Vec<f64>,
    fixed: Option<(f64, f64)>,
    size: (u32, u32),
    share_x: bool,
) -> Result<Vec<PathBuf>, PlotError> {
    let points: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
    let mut y = Axis::new("y").format(Format::Dollars);
    y.range = fixed;
    let line = LineChart {
        title: "t".into(),
        y: y.clone(),
        series: vec![Series::new("s", 0, points.clone()).step()],
        bands: vec![Band {
            name: "b".into(),
            color: 1,
            points: points.iter().map(|&(a, b)| (a, b, b + 1.0)).collect(),
        }],
        markers: xs
            .iter()
            .map(|&x| Marker {
                x,
                label: "m".into(),
                color: None,
            })
            .collect(),
        levels: ys
            .iter()
            .map(|&y| Level {
                y,
                label: "l".into(),
                color: Some(2),
            })
            .collect(),
        ..LineChart::default()
    };
    let bars = BarChart {
        y: y.clone(),
        categories: ys.iter().map(|v| format!("{v}")).collect(),
        positions: xs.clone(),
        series: vec![
            BarSeries::new("a", 0, ys.clone()),
            BarSeries::new("b", 1, xs.clone()),
        ],
        ..BarChart::default()
    };
    let scatter = ScatterChart {
        y: y.clone(),
        series: vec![PointSeries {
            name: "p".into(),
            color: 0,
            points,
        }],
        fits: vec![FitLine {
            label: "f".into(),
            color: 1,
            intercept: ys.first().copied().unwrap_or(0.0),
            slope: xs.first().copied().unwrap_or(1.0),
        }],
        ..ScatterChart::default()
    };
    let boxes = BoxChart {
        y,
        groups: vec![BoxGroup {
            name: "g".into(),
            color: 0,
            summary: (ys.len() >= 5).then(|| BoxSummary {
                low: ys[0],
                q1: ys[1],
                median: ys[2],
                q3: ys[3],
                high: ys[4],
            }),
            values: xs,
        }],
        ..BoxChart::default()
    };
    let figure = Figure::Stack(Stack {
        title: "stack".into(),
        charts: vec![line.into(), bars.into(), scatter.into(), boxes.into()],
        heights: vec![],
        share_x,
    });
    let files = render(&figure, &scratch.dir, "p", size)?;
    check_files(&files, "p", size);
    Ok(files)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_numbers_never_panic_or_fail_to_render(
        xs in prop::collection::vec(awkward(), 0..12),
        ys in prop::collection::vec(awkward(), 0..12),
        fixed in prop::option::of((awkward(), awkward())),
        size in (160u32..400, 120u32..300),
        share_x in any::<bool>(),
    ) {
        let scratch = Scratch::new("plot-awkward");
        let files = render_awkward(&scratch, xs, ys, fixed, size, share_x);
        prop_assert!(files.is_ok(), "{:?}", files.err());
    }
}

/// Found by the property test: plotters maps a point far outside the plotted range to pixels
/// with `i32` arithmetic that overflows (a panic here, a wrapped coordinate in release), and a
/// clipped segment whose far end rounds to "not moved" still reached it.
#[test]
fn values_far_outside_a_fixed_range_do_not_overflow_pixel_mapping() {
    let cases = [
        (
            vec![0.0, 0.0, 0.0],
            vec![-1e15],
            (-5805.66, 0.0),
            (160, 186),
        ),
        (
            vec![0.0, 0.0, 1e99, 0.0],
            vec![1e99, -1e15],
            (-9381.53, 5e-324),
            (160, 264),
        ),
    ];
    let scratch = Scratch::new("plot-far-outside");
    for (xs, ys, fixed, size) in cases {
        render_awkward(&scratch, xs, ys, Some(fixed), size, true).expect("render");
    }
}

/// Pixel points of every SVG polyline stroked in `color`.
fn polylines(svg: &str, color: &str) -> Vec<Vec<(i32, i32)>> {
    svg.lines()
        .filter(|l| l.starts_with("<polyline") && l.contains(&format!("stroke=\"{color}\"")))
        .map(|l| {
            let points = l
                .split("points=\"")
                .nth(1)
                .expect("points")
                .split('"')
                .next();
            points
                .expect("points")
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').expect("x,y");
                    (x.parse().expect("x"), y.parse().expect("y"))
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_line_leaving_a_fixed_range_is_cut_where_it_crosses_not_bent_along_the_border() {
    // plotters clamps points to the plot: unclipped, this line would run along the top border
    // to the right edge instead of leaving the plot at x = 0.01.
    let scratch = Scratch::new("plot-clip");
    let chart = LineChart {
        title: "clip".into(),
        x: Axis::new("x").range(0.0, 1.0),
        y: Axis::new("y").range(0.0, 1.0),
        // Unnamed: no legend swatch in the same colour.
        series: vec![Series::new("", 0, vec![(0.0, 0.0), (1.0, 100.0)])],
        ..LineChart::default()
    };
    let files = render(&chart.into(), &scratch.dir, "clip", (800, 500)).expect("render");
    let svg = std::fs::read_to_string(&files[1]).expect("svg");
    let p = palette(0);
    let lines = polylines(&svg, &format!("#{:02X}{:02X}{:02X}", p.0, p.1, p.2));
    assert_eq!(lines.len(), 1, "{lines:?}");
    let xs: Vec<i32> = lines[0].iter().map(|p| p.0).collect();
    let span = xs.iter().max().unwrap() - xs.iter().min().unwrap();
    assert!(
        span <= 10,
        "the line spans {span} px across: bent along the border"
    );
}

#[test]
fn bad_names_sizes_and_folders_are_errors_naming_the_file() {
    let scratch = Scratch::new("plot-errors");
    let fig: Figure = LineChart::default().into();
    for stem in ["", ".hidden", "a/b"] {
        match render(&fig, &scratch.dir, stem, (400, 300)) {
            Err(PlotError::Stem { .. }) => {}
            other => panic!("stem {stem:?}: {other:?}"),
        }
    }
    for size in [(0, 300), (400, 10), (100_000, 300)] {
        let e = render(&fig, &scratch.dir, "s", size).expect_err("bad size");
        assert!(matches!(e, PlotError::Size { .. }), "{e:?}");
        assert!(e.to_string().contains("s.png"), "{e}");
    }
    let missing = scratch.path("no/such/dir");
    let e = render(&fig, &missing, "chart", (400, 300)).expect_err("missing dir");
    assert!(matches!(e, PlotError::Io { .. }), "{e:?}");
    assert!(e.to_string().contains("chart.png"), "{e}");
}

#[test]
fn formats_write_readable_axis_numbers() {
    assert_eq!(format_value(0.1 + 0.2, Format::Auto), "0.3");
    assert_eq!(format_value(4523.1234, Format::Auto), "4523.12");
    assert_eq!(format_value(-0.0000001, Format::Fixed(2)), "0.00");
    assert_eq!(format_value(1234567.0, Format::Thousands), "1,234,567");
    assert_eq!(format_value(-1234.5, Format::Thousands), "-1,234.5");
    assert_eq!(format_value(27e9, Format::Dollars), "$27bn");
    assert_eq!(format_value(-3.5e8, Format::Dollars), "-$350m");
    assert_eq!(format_value(1.25e9, Format::Compact), "1.25bn");
    assert_eq!(format_value(999_999.0, Format::Compact), "1m");
    assert_eq!(format_value(12_500.0, Format::Compact), "12.5k");
    assert_eq!(format_value(0.0, Format::Dollars), "$0");
    assert_eq!(format_value(0.053, Format::Percent), "5.3%");
    assert_eq!(format_value(f64::NAN, Format::Auto), "n/a");
    assert_eq!(
        palette(3),
        palette(8 * 4 + 3),
        "indices past the end wrap to the generic colours"
    );
    // Every agent class has its own colour, dark enough for a thin line on white (no yellow).
    let n = flowsim::agents::AgentClass::ALL.len();
    let colours: std::collections::BTreeSet<(u8, u8, u8)> = (0..n)
        .map(|k| {
            let c = palette(flowsim::plot::class_color(k));
            (c.0, c.1, c.2)
        })
        .collect();
    assert_eq!(colours.len(), n, "{colours:?}");
    for &(r, g, b) in &colours {
        let lin = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
        assert!(luminance < 0.5, "({r}, {g}, {b}) is too pale for a line");
    }
}

fn sample_report() -> Report {
    Report {
        title: "Cascade <script>alert(1)</script>".into(),
        header: vec![
            ("scenario".into(), "deleveraging_cascade.toml".into()),
            ("seed".into(), "7".into()),
        ],
        sections: vec![
            Section {
                heading: "Price".into(),
                blocks: vec![
                    Block::Paragraph("The price fell 8% & overshot <b>the</b> fundamental.".into()),
                    Block::Figure {
                        src: "charts/price.svg".into(),
                        caption: "Price and \"fundamental\"".into(),
                    },
                ],
            },
            Section {
                heading: "Flows".into(),
                blocks: vec![
                    Block::Figure {
                        src: "charts/flows.png".into(),
                        caption: "Flows".into(),
                    },
                    Block::Table(Table {
                        caption: "Selling by class".into(),
                        headers: vec!["class".into(), "day 1".into()],
                        rows: vec![vec!["vol-target".into(), "-$27bn".into()]],
                    }),
                ],
            },
        ],
    }
}

#[test]
fn report_escapes_text_references_figures_and_is_self_contained() {
    let scratch = Scratch::new("plot-report");
    // An older report is replaced whole.
    let path = scratch.write("report.html", "stale");
    sample_report().write(&path).expect("write report");
    let html = std::fs::read_to_string(&path).expect("read report");
    assert!(!html.contains("<script"), "unescaped script tag");
    assert!(html.contains("Cascade &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("overshot &lt;b&gt;the&lt;/b&gt;"));
    assert!(html.contains("<img src=\"charts/price.svg\""));
    assert!(html.contains("<img src=\"charts/flows.png\""));
    assert!(html.contains("Price and &quot;fundamental&quot;"));
    assert!(html.contains("<td class=\"num\">-$27bn</td>"));
    // Nothing fetched from elsewhere: no scripts, no remote or absolute links.
    for forbidden in ["http:", "https:", "src=\"/", "href=\"/", "@import", "url("] {
        assert!(!html.contains(forbidden), "report contains {forbidden:?}");
    }
    assert_eq!(
        crate::common::entries(&scratch.dir).len(),
        1,
        "only report.html remains"
    );
    assert_eq!(sample_report().to_html(), html, "same report, same bytes");
}

#[test]
fn report_refuses_figures_outside_its_folder() {
    let scratch = Scratch::new("plot-report-paths");
    for src in [
        "/etc/x.png",
        "../x.png",
        "https://example.com/x.png",
        "a/../../x.png",
        "",
    ] {
        let mut r = sample_report();
        r.sections[0].blocks.push(Block::Figure {
            src: src.into(),
            caption: String::new(),
        });
        let path = scratch.path("r.html");
        match r.write(&path) {
            Err(PlotError::FigurePath { path: p, .. }) => assert_eq!(p, path),
            other => panic!("{src:?}: {other:?}"),
        }
        assert!(!Path::new(&path).exists());
    }
}
