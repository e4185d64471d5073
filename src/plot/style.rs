//! Colours, the embedded font and the sizes every chart shares.

use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor, register_font};

/// The font family every text element names. SVG viewers substitute their own sans-serif;
/// the PNG and all text measurements use the embedded DejaVu Sans, so layout never depends on
/// the fonts a machine happens to have.
pub(crate) const FAMILY: &str = "sans-serif";

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The palette: indices 0–7 are the Okabe–Ito colours for generic series (Okabe & Ito,
/// "Color Universal Design", 2008), indices 8–19 one fixed colour per agent class
/// ([`class_color`]), drawn from Paul Tol's colour-blind-safe "vibrant", "muted" and "bright"
/// schemes (Tol, "Colour Schemes", SRON/EPS/TN/09-002). All stay distinct under the common
/// colour-vision deficiencies; none of the class colours is yellow, so each reads as a thin
/// line on white.
///
/// Ordered so the first colours are the strongest on white; yellow (index 6) is pale, so give
/// it to a series drawn as a filled area rather than a thin line.
pub const PALETTE: [Rgb; 20] = [
    Rgb(0x00, 0x72, 0xB2), // blue
    Rgb(0xD5, 0x5E, 0x00), // vermillion
    Rgb(0x00, 0x9E, 0x73), // bluish green
    Rgb(0xE6, 0x9F, 0x00), // orange
    Rgb(0xCC, 0x79, 0xA7), // reddish purple
    Rgb(0x56, 0xB4, 0xE9), // sky blue
    Rgb(0xF0, 0xE4, 0x42), // yellow
    Rgb(0x00, 0x00, 0x00), // black
    // One per agent class, in `AgentClass::ALL` order.
    Rgb(0x66, 0x66, 0x66), // market_maker: dark grey
    Rgb(0xAA, 0xAA, 0xAA), // noise: grey
    Rgb(0x11, 0x77, 0x33), // value: green (Tol muted)
    Rgb(0x99, 0x99, 0x33), // exogenous: olive (Tol muted)
    Rgb(0x33, 0x22, 0x88), // vol_target: indigo (Tol muted)
    Rgb(0xEE, 0x77, 0x33), // letf: orange (Tol vibrant)
    Rgb(0xEE, 0x33, 0x77), // cta: magenta (Tol vibrant)
    Rgb(0x88, 0x22, 0x55), // dealer: wine (Tol muted)
    Rgb(0xCC, 0x33, 0x11), // short_seller: red (Tol vibrant)
    Rgb(0x33, 0xBB, 0xEE), // hedger: cyan (Tol vibrant)
    Rgb(0x44, 0xAA, 0x99), // real_money: teal (Tol muted)
    Rgb(0xAA, 0x44, 0x99), // options_customer: purple (Tol muted)
];

/// Where the class colours start in [`PALETTE`].
pub const CLASS_BASE: usize = 8;

/// The palette index of the class at position `class_index` of `AgentClass::ALL`: the same
/// colour for a class in every chart of every report.
pub fn class_color(class_index: usize) -> usize {
    CLASS_BASE + class_index % (PALETTE.len() - CLASS_BASE)
}

/// The palette colour for a stable index, so a series keeps its colour from chart to chart;
/// indices past the end wrap around the generic colours (0–7).
pub fn palette(index: usize) -> Rgb {
    PALETTE
        .get(index)
        .copied()
        .unwrap_or(PALETTE[index % CLASS_BASE])
}

/// Reference lines and markers: neutral so they never read as another series.
pub(crate) const NEUTRAL: Rgb = Rgb(0x44, 0x44, 0x44);
pub(crate) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub(crate) const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(crate) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

impl Rgb {
    pub(crate) fn plotters(self) -> RGBColor {
        RGBColor(self.0, self.1, self.2)
    }
}

/// Registers DejaVu Sans (regular and bold) with plotters, once per process.
///
/// plotters keeps fonts in a process-wide table; registering on every render would be harmless
/// but takes a write lock each time, so the result is remembered.
pub(crate) fn ensure_fonts() -> bool {
    static LOADED: OnceLock<bool> = OnceLock::new();
    *LOADED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    })
}

/// Text sizes and stroke widths for one figure, scaled with its pixel area so a 2400×1400
/// export looks like a 1200×700 one printed larger.
///
/// Sizes are plotters font sizes; plotters writes them to SVG divided by 1.24, so the title's
/// 24 shows as about 19 CSS pixels and the labels' 17 as about 14.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Theme {
    pub title: f64,
    pub label: f64,
    pub tick: f64,
    pub legend: f64,
    pub line: u32,
    pub pad: i32,
}

impl Theme {
    /// The theme of a `width` × `height` figure.
    ///
    /// A tall figure (panels stacked higher than three quarters of its width) is sized as if
    /// it were that high: its extra height goes to the panels, not to larger text, so a stack
    /// of many panels keeps readable plots with several ticks each.
    pub fn for_size(width: u32, height: u32) -> Theme {
        let height = f64::from(height).min(f64::from(width) * 0.75);
        let scale = ((f64::from(width) * height) / (1200.0 * 700.0))
            .sqrt()
            .clamp(0.6, 4.0);
        Theme {
            title: 24.0 * scale,
            label: 17.0 * scale,
            tick: 15.0 * scale,
            legend: 15.0 * scale,
            line: (2.0 * scale).round().max(1.0) as u32,
            pad: (8.0 * scale).round() as i32,
        }
    }

    /// Width of a legend entry's swatch and the gap between it and the label, in pixels.
    pub fn legend_swatch(&self) -> (i32, i32) {
        ((self.legend * 1.8) as i32, (self.legend * 0.4) as i32)
    }
}
