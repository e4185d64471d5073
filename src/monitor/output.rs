//! The monitor's folder: `positioning.csv` and `.parquet` (the long table), `ladder.csv`, the
//! charts and `report.html`, appearing under the final name only when all are written.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::config::Episode;
use super::{MonitorError, Positioning, charts};
use crate::plot::{Block, Format, Report, Section, Table, format_value};
use crate::record::write_positioning;

/// Writes `p` into the folder `out` (replaced if it exists). `header` is shown at the top of
/// the report (files, dates, settings).
pub fn write(
    p: &Positioning,
    episodes: &[Episode],
    header: Vec<(String, String)>,
    out: &Path,
) -> Result<PathBuf, MonitorError> {
    let io = |path: &Path, source| MonitorError::Io {
        path: path.to_path_buf(),
        source,
    };
    crate::atomic::create_dir_via(out, io, |dir| {
        write_tables(p, dir)?;
        let figures = charts::draw(p, episodes, dir)?;
        let report = report(p, header, figures);
        report.write(&dir.join("report.html"))?;
        Ok(())
    })?;
    Ok(out.to_path_buf())
}

fn write_tables(p: &Positioning, dir: &Path) -> Result<(), MonitorError> {
    let io = |path: PathBuf| move |source| MonitorError::Io { path, source };
    let path = dir.join("positioning.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io(path.clone()))?);
    let mut text = String::with_capacity(64);
    writeln!(w, "date,symbol,class,metric,value").map_err(io(path.clone()))?;
    for r in &p.rows {
        text.clear();
        use std::fmt::Write as _;
        let _ = write!(
            text,
            "{},{},{},{},{}",
            r.date, r.symbol, r.class, r.metric, r.value
        );
        writeln!(w, "{text}").map_err(io(path.clone()))?;
    }
    w.flush().map_err(io(path.clone()))?;
    write_positioning(dir, &p.rows)?;
    let path = dir.join("ladder.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io(path.clone()))?);
    writeln!(
        w,
        "date,move,symbol,class,tomorrow_usd,following_days_usd,total_usd"
    )
    .map_err(io(path.clone()))?;
    let date = p.ladder_date.map_or(String::new(), |d| d.to_string());
    for r in &p.ladder {
        writeln!(
            w,
            "{date},{},{},{},{},{},{}",
            r.move_pct,
            r.symbol,
            r.class,
            r.tomorrow_usd,
            r.following_usd,
            r.total_usd()
        )
        .map_err(io(path.clone()))?;
    }
    w.flush().map_err(io(path))
}

fn report(p: &Positioning, header: Vec<(String, String)>, figures: Vec<Block>) -> Report {
    let mut sections = Vec::new();
    let last = p.rows.iter().map(|r| r.date).max();
    if let Some(last) = last {
        let mut rows = Vec::new();
        for sym in p.symbols() {
            let v = |class: &str, metric: &str, f: Format| {
                p.value(last, &sym, class, metric)
                    .map_or("–".into(), |x| format_value(x, f))
            };
            let mut row = vec![
                sym.clone(),
                v("market", "close", Format::Thousands),
                v("vol_target", "sigma", Format::Percent),
                v("vol_target", "exposure", Format::Percent),
                v("vol_target", "exposure_percentile", Format::Fixed(1)),
                v("cta", "position_usd", Format::Dollars),
                v("cta", "signal", Format::Fixed(2)),
            ];
            let triggers: Vec<String> = p
                .rows
                .iter()
                .filter(|r| r.date == last && r.symbol == sym && r.metric.starts_with("trigger_"))
                .map(|r| {
                    format!(
                        "{}: {}",
                        &r.metric["trigger_".len()..],
                        format_value(r.value, Format::Thousands)
                    )
                })
                .collect();
            row.push(triggers.join(", "));
            row.push(v("letf", "dollar_gamma_usd", Format::Dollars));
            rows.push(row);
        }
        sections.push(Section {
            heading: format!("Where the classes stand on {last}"),
            blocks: vec![
                Block::Paragraph(
                    "Each class's rule run open-loop on the real closes: the funds trade exactly \
                     to their targets at the close, at the configured assets. σ̂ is the estimate \
                     the vol-target funds act on; the percentile ranks the class's exposure \
                     against its own history; CTA triggers are the closes each lookback's return \
                     is measured against tomorrow."
                        .into(),
                ),
                Block::Table(Table {
                    caption: String::new(),
                    headers: [
                        "index",
                        "close",
                        "vol-target σ̂",
                        "vol-target exposure",
                        "exposure percentile",
                        "CTA position",
                        "CTA signal",
                        "CTA triggers",
                        "LETF $ gamma",
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows,
                }),
            ],
        });
    }
    sections.push(Section {
        heading: "Charts".into(),
        blocks: figures,
    });
    if let Some(date) = p.ladder_date {
        let mut moves: Vec<f64> = p.ladder.iter().map(|r| r.move_pct).collect();
        moves.dedup();
        let classes = ["vol_target", "cta", "letf"];
        let rows = moves
            .iter()
            .map(|m| {
                let by = |c: &str| -> f64 {
                    p.ladder
                        .iter()
                        .filter(|r| r.move_pct == *m && r.class == c)
                        .map(|r| r.total_usd())
                        .sum()
                };
                let mut row = vec![format_value(*m, Format::Percent)];
                let mut total = 0.0;
                for c in classes {
                    total += by(c);
                    row.push(format_value(by(c), Format::Dollars));
                }
                row.push(format_value(total, Format::Dollars));
                row
            })
            .collect();
        sections.push(Section {
            heading: format!("Flow ladder from {date}"),
            blocks: vec![
                Block::Paragraph(
                    "For each hypothetical index move tomorrow (every index moving alike), what \
                     each class would trade tomorrow and over the following days with the index \
                     flat (ladder.days_after, default 2), in dollars (positive buys). Vol-target funds act on a lagged estimate, so most \
                     of their response comes the day after; CTAs decide on the previous closes."
                        .into(),
                ),
                Block::Table(Table {
                    caption: String::new(),
                    headers: ["move", "vol-target", "CTA", "LETF", "all"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                }),
            ],
        });
    }
    if !p.notes.is_empty() {
        sections.push(Section {
            heading: "Left out".into(),
            blocks: p
                .notes
                .iter()
                .map(|n| Block::Paragraph(n.clone()))
                .collect(),
        });
    }
    Report {
        title: "Positioning monitor".into(),
        header,
        sections,
    }
}
