//! A static HTML report gathering a run's charts and tables.
//!
//! One self-contained file beside the images: inline CSS, no JavaScript, nothing fetched from
//! elsewhere, so a run folder can be archived, mailed or opened offline and shows the same
//! thing years later. Every text is escaped, since labels and scenario names come from files
//! users write.

use std::fmt::Write as _;
use std::path::{Component, Path};

use super::render::{PlotError, write_atomic};

/// A report: a title, a block of key facts (scenario, seed, hash) and sections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub title: String,
    /// Shown as a two-column list under the title.
    pub header: Vec<(String, String)>,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// Section content, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Paragraph(String),
    /// An image by its path relative to the report's folder (`charts/price.svg`), shown at page
    /// width and linked to itself for full size.
    Figure {
        src: String,
        caption: String,
    },
    Table(Table),
}

/// A table of preformatted cells (use [`format_value`](super::format_value) for numbers).
/// Cells that start like a number are right-aligned, so columns of figures line up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI','DejaVu Sans',Helvetica,Arial,sans-serif;\
color:#222;background:#fff;margin:0;line-height:1.5}\
main{max-width:1200px;margin:0 auto;padding:24px 32px 64px}\
h1{font-size:1.8em;margin:0 0 12px}\
h2{font-size:1.35em;margin:40px 0 12px;padding-bottom:4px;border-bottom:1px solid #ddd}\
dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0 0 16px;\
padding:12px 16px;background:#f6f6f6;border-radius:4px}\
dl.meta dt{font-weight:600;color:#555}dl.meta dd{margin:0;font-family:ui-monospace,'DejaVu Sans Mono',monospace}\
nav ol{margin:0;padding-left:20px}\
figure{margin:16px 0 24px}figure img{display:block;max-width:100%;height:auto;border:1px solid #eee}\
figcaption{color:#555;font-size:.92em;margin-top:6px}\
table{border-collapse:collapse;margin:12px 0 24px;font-size:.92em}\
caption{text-align:left;color:#555;padding-bottom:6px}\
th,td{padding:4px 12px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}\
th{border-bottom:2px solid #bbb;background:#fafafa}\
td.num{text-align:right;font-variant-numeric:tabular-nums}\
";

/// Escapes text for element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn looks_numeric(cell: &str) -> bool {
    cell.trim()
        .trim_start_matches(['-', '+', '−'])
        .trim_start_matches('$')
        .starts_with(|c: char| c.is_ascii_digit())
}

/// A figure path must stay inside the report's folder: relative, no `..`, no URL scheme.
fn local_path(src: &str) -> bool {
    !src.is_empty()
        && !src.contains(':')
        && !src.starts_with(['/', '\\'])
        && Path::new(src)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

impl Report {
    /// The page as HTML. Figure paths are escaped but not checked; [`Report::write`] checks them.
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        let e = escape_html;
        // `write!` into a String cannot fail.
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
            e(&self.title),
            e(&self.title)
        );
        if !self.header.is_empty() {
            h.push_str("<dl class=\"meta\">\n");
            for (k, v) in &self.header {
                let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", e(k), e(v));
            }
            h.push_str("</dl>\n");
        }
        if self.sections.len() > 1 {
            h.push_str("<nav><ol>\n");
            for (i, s) in self.sections.iter().enumerate() {
                let _ = writeln!(h, "<li><a href=\"#s{}\">{}</a></li>", i + 1, e(&s.heading));
            }
            h.push_str("</ol></nav>\n");
        }
        for (i, s) in self.sections.iter().enumerate() {
            let _ = writeln!(h, "<section id=\"s{}\">\n<h2>{}</h2>", i + 1, e(&s.heading));
            for b in &s.blocks {
                match b {
                    Block::Paragraph(p) => {
                        let _ = writeln!(h, "<p>{}</p>", e(p));
                    }
                    Block::Figure { src, caption } => {
                        let _ = writeln!(
                            h,
                            "<figure><a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\"></a>\
                             <figcaption>{1}</figcaption></figure>",
                            e(src),
                            e(caption)
                        );
                    }
                    Block::Table(t) => table(&mut h, t),
                }
            }
            h.push_str("</section>\n");
        }
        h.push_str("</main>\n</body>\n</html>\n");
        h
    }

    /// Writes the page to `path` atomically (a reader never sees half a report), after checking
    /// that every figure path is relative and inside the report's folder.
    pub fn write(&self, path: &Path) -> Result<(), PlotError> {
        for s in &self.sections {
            for b in &s.blocks {
                if let Block::Figure { src, .. } = b
                    && !local_path(src)
                {
                    return Err(PlotError::FigurePath {
                        path: path.to_path_buf(),
                        src: src.clone(),
                    });
                }
            }
        }
        write_atomic(path, self.to_html().as_bytes())
    }
}

fn table(h: &mut String, t: &Table) {
    let e = escape_html;
    h.push_str("<table>\n");
    if !t.caption.is_empty() {
        let _ = writeln!(h, "<caption>{}</caption>", e(&t.caption));
    }
    if !t.headers.is_empty() {
        h.push_str("<thead><tr>");
        for c in &t.headers {
            let _ = write!(h, "<th>{}</th>", e(c));
        }
        h.push_str("</tr></thead>\n");
    }
    h.push_str("<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for c in row {
            if looks_numeric(c) {
                let _ = write!(h, "<td class=\"num\">{}</td>", e(c));
            } else {
                let _ = write!(h, "<td>{}</td>", e(c));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}
