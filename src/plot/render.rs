//! Figures to files: PNG and SVG side by side, each appearing under its final name only when
//! complete.

use std::io;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use thiserror::Error;

use super::frame::Layout;
use super::layout::draw_figure;
use super::raster::Png;
use super::spec::Figure;
use super::style::{Theme, ensure_fonts};

/// Smaller figures cannot fit a title, axes and a plot.
pub const MIN_SIZE: (u32, u32) = (160, 120);
/// Larger figures are a mistake rather than a wish: a 16384² RGB buffer is already 800 MB.
pub const MAX_SIDE: u32 = 16_384;

/// A chart or report that could not be written. Every variant names the file concerned.
#[derive(Debug, Error)]
pub enum PlotError {
    /// The I/O error is the source (printed by the error chain).
    #[error("{}: cannot write", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: drawing failed: {message}", .path.display())]
    Draw { path: PathBuf, message: String },
    #[error(
        "{}: size {width}×{height} px is outside {}×{} ..= {MAX_SIDE}×{MAX_SIDE}",
        .path.display(), MIN_SIZE.0, MIN_SIZE.1
    )]
    Size {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error("{}: {stem:?} is not a plain file name (empty, hidden, or with a path separator)", .dir.display())]
    Stem { dir: PathBuf, stem: String },
    #[error("{}: the embedded font could not be loaded", .path.display())]
    Font { path: PathBuf },
    /// Reports load nothing from outside their folder, so they can be moved and archived whole.
    #[error("{}: figure {src:?} is not a relative path inside the report's folder", .path.display())]
    FigurePath { path: PathBuf, src: String },
}

/// Writes `figure` as `dir/stem.png` and `dir/stem.svg`, `size` pixels each, and returns the
/// two paths (PNG first).
///
/// Same figure, same bytes: nothing in the output depends on the clock, the machine's fonts or
/// hash order, so rendered charts can be committed and compared.
pub fn render(
    figure: &Figure,
    dir: &Path,
    stem: &str,
    size: (u32, u32),
) -> Result<Vec<PathBuf>, PlotError> {
    if stem.is_empty() || stem.starts_with('.') || stem.contains(['/', '\\']) {
        return Err(PlotError::Stem {
            dir: dir.to_path_buf(),
            stem: stem.to_string(),
        });
    }
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let (w, h) = size;
    if w < MIN_SIZE.0 || h < MIN_SIZE.1 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(PlotError::Size {
            path: png,
            width: w,
            height: h,
        });
    }
    if !ensure_fonts() {
        return Err(PlotError::Font { path: png });
    }
    let bytes = png_bytes(figure, size).map_err(|message| PlotError::Draw {
        path: png.clone(),
        message,
    })?;
    write_atomic(&png, &bytes)?;
    let text = svg_string(figure, size).map_err(|message| PlotError::Draw {
        path: svg.clone(),
        message,
    })?;
    write_atomic(&svg, text.as_bytes())?;
    Ok(vec![png, svg])
}

fn png_bytes(figure: &Figure, (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = Png(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw_figure(figure, &root, &Theme::for_size(w, h), &Layout::default())?;
        root.present().map_err(|e| e.to_string())?;
    }
    // Encoded here rather than by plotters' file writer, so the file can be written atomically
    // and without pulling in the `image` crate.
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

fn svg_string(figure: &Figure, (w, h): (u32, u32)) -> Result<String, String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw_figure(figure, &root, &Theme::for_size(w, h), &Layout::default())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(text)
}

/// Writes `bytes` atomically (see [`crate::atomic`]), so a reader (a browser refreshing the
/// report, a sweep collecting charts) never sees half a file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    crate::atomic::write_bytes(path, bytes).map_err(|source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    })
}
