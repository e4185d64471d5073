//! The PNG backend: plotters' bitmap backend with text and wide lines drawn properly.
//!
//! plotters 0.3.7 draws ab_glyph text ignoring each glyph's left side bearing and with the
//! baseline at half the font size: letters sit unevenly ("reop en", "LE TF") and a rotated
//! y-axis label is cut at the image edge. `Png` draws text itself with the same font and
//! advances plotters uses to measure it, so layout is unchanged and only the glyphs move to
//! where they belong. It also strokes wide lines itself (see `draw_path`). SVG needs neither:
//! the viewer lays out `<text>` and strokes `<polyline>`.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::backend::BitMapBackend;
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
};

type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

fn embedded(style: FontStyle) -> Option<&'static FontRef<'static>> {
    static REGULAR: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    static BOLD: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    match style {
        FontStyle::Bold => BOLD.get_or_init(|| FontRef::try_from_slice(dejavu::sans::bold()).ok()),
        _ => REGULAR.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok()),
    }
    .as_ref()
}

pub(crate) struct Png<'a>(pub BitMapBackend<'a>);

impl DrawingBackend for Png<'_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    /// Wide paths segment by segment, with round joins.
    ///
    /// plotters turns a wide path into one outline polygon and fills it; on a dense, jagged
    /// series (thousands of points, a few per pixel) that outline crosses itself and the fill
    /// leaves holes, so a price line looks hatched. Filling each segment's own quad has no
    /// such holes.
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        let width = style.stroke_width();
        if width <= 1 || style.color().alpha < 1.0 {
            // Overlapping quads would darken a translucent line at every joint.
            return self.0.draw_path(path, style);
        }
        let mut points: Vec<BackendCoord> = path.into_iter().collect();
        points.dedup();
        if let [only] = points[..] {
            return self.0.draw_circle(only, width / 2, style, true);
        }
        for pair in points.windows(2) {
            self.0.draw_line(pair[0], pair[1], style)?;
        }
        if width > 2 {
            for &joint in points.iter().skip(1).take(points.len().saturating_sub(2)) {
                self.0.draw_circle(joint, width / 2, style, true)?;
            }
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        let color = style.color();
        let Some(font) = embedded(style.style()) else {
            return self.0.draw_text(text, style, pos);
        };
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let scale = PxScale::from(style.size() as f32);
        let scaled = font.as_scaled(scale);
        let mut caret = 0.0f32;
        let mut prev = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(caret, scaled.ascent())));
            caret += scaled.h_advance(id);
            prev = Some(id);
        }
        let width = caret.round() as i32;
        let height = (scaled.ascent() - scaled.descent()).round() as i32;
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0,
            HPos::Center => -width / 2,
            HPos::Right => -width,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let mut pixels = Vec::new();
        for glyph in glyphs {
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                let (x0, y0) = (bounds.min.x as i32 + dx, bounds.min.y as i32 + dy);
                outline.draw(|x, y, coverage| {
                    if coverage > 0.0 {
                        let (tx, ty) = transform.transform(x0 + x as i32, y0 + y as i32);
                        pixels.push(((pos.0 + tx, pos.1 + ty), coverage.min(1.0)));
                    }
                });
            }
        }
        for (at, coverage) in pixels {
            let shade = BackendColor {
                alpha: color.alpha * f64::from(coverage),
                rgb: color.rgb,
            };
            self.0.draw_pixel(at, shade)?;
        }
        Ok(())
    }
}
