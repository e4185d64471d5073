//! Reading the monitor's inputs and deciding whether its output folder may be replaced: shared
//! by `flowsim monitor`, `flowsim score` and the Python package, so they refuse the same
//! things with the same messages.

use std::path::{Path, PathBuf};

use crate::history::{Columns, DailyHistory, read_daily};

use super::MonitorError;

/// The index histories the score reads by default: the shipped S&P 500 and NASDAQ Composite
/// (standing in for the Nasdaq-100), relative to the repository root.
pub const DEFAULT_SCORE_HISTORIES: [(&str, &str); 2] = [
    ("SPX", "data/history/sp500.csv"),
    ("NDX", "data/history/nasdaq.csv"),
];

/// Reads every `(symbol, file)` history with the same columns; a symbol given twice is
/// refused.
pub fn read_histories(
    specs: &[(String, PathBuf)],
    cols: &Columns,
) -> Result<Vec<(String, DailyHistory)>, MonitorError> {
    let mut out: Vec<(String, DailyHistory)> = Vec::new();
    for (sym, file) in specs {
        if sym.trim().is_empty() {
            return Err(MonitorError::Input(format!(
                "history {}: the symbol is empty",
                file.display()
            )));
        }
        if out.iter().any(|(o, _)| o == sym) {
            return Err(MonitorError::Input(format!(
                "--history: symbol {sym:?} is given twice"
            )));
        }
        out.push((sym.clone(), read_daily(file, cols)?));
    }
    Ok(out)
}

/// Reads VIX closes: a date column and a `vix` column; FRED-style files mark days without a
/// close (holidays) with `.`.
pub fn read_vix(path: &Path, date_column: Option<String>) -> Result<DailyHistory, MonitorError> {
    let c = Columns {
        date: date_column,
        missing: Some(".".into()),
        ..Columns::close("vix")
    };
    Ok(read_daily(path, &c)?)
}

/// Whether the monitor may write into `out`: it does not exist, or it is an earlier monitor's
/// folder (holding `positioning.csv`) and `force` is set. A file or any other folder is never
/// replaced.
pub fn check_replaceable(out: &Path, force: bool) -> Result<(), MonitorError> {
    if let Ok(meta) = std::fs::symlink_metadata(out) {
        if !force {
            return Err(MonitorError::Input(format!(
                "{}: already exists (pass --force to replace it)",
                out.display()
            )));
        }
        if !(meta.is_dir() && out.join("positioning.csv").is_file()) {
            return Err(MonitorError::Input(format!(
                "{}: is not a monitor folder (no positioning.csv): --force replaces only those",
                out.display()
            )));
        }
    }
    Ok(())
}

/// The dates to report, `from` not after `to`.
pub fn window(
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<super::Window, MonitorError> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(MonitorError::Input(format!("--from {f} is after --to {t}")));
    }
    Ok(super::Window { from, to })
}

/// The lines at the top of the monitor's report: the files read, the dates reported and the
/// settings file (`None`: the scenario defaults).
pub fn report_header(
    input: &super::MonitorInput,
    window: super::Window,
    config: Option<&Path>,
) -> Vec<(String, String)> {
    let mut header = Vec::new();
    for (s, h) in &input.histories {
        header.push((format!("history {s}"), h.file.clone()));
    }
    if let Some(v) = &input.vix {
        header.push(("VIX".into(), v.file.clone()));
    }
    header.push((
        "dates reported".into(),
        format!(
            "{} to {}",
            window.from.map_or("start".into(), |d| d.to_string()),
            window.to.map_or("end".into(), |d| d.to_string())
        ),
    ));
    header.push((
        "settings".into(),
        config.map_or("scenario defaults".into(), |p| p.display().to_string()),
    ));
    header
}
