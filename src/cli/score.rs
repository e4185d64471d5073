//! `flowsim score`: the published estimates of the catalogue against the monitor on real
//! history.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use flowsim::history::{Columns, read_daily};
use flowsim::monitor::{MonitorConfig, MonitorInput};
use flowsim::plot::{Format, format_value};
use flowsim::score::{self, Catalogue, Quantity, Verdict};

use super::monitor::read_histories;

#[derive(Args)]
pub struct ScoreArgs {
    /// The catalogue of published estimates.
    #[arg(long, value_name = "FILE", default_value = "validation/estimates.toml")]
    catalogue: PathBuf,
    /// Daily index histories, `SYMBOL=FILE` (repeatable). Default: the shipped S&P 500 and
    /// NASDAQ Composite (standing in for the Nasdaq-100), SPX=data/history/sp500.csv and
    /// NDX=data/history/nasdaq.csv.
    #[arg(long = "history", value_name = "SYMBOL=FILE")]
    histories: Vec<String>,
    /// A bond total-return series (date and close) for the pension entries.
    #[arg(long, value_name = "FILE")]
    bonds: Option<PathBuf>,
    /// Class sizes and parameters (monitor.toml); default: the scenario defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Also write the table as CSV.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

fn units(q: Quantity, v: f64) -> String {
    match q {
        Quantity::FlowUsd | Quantity::PositionUsd | Quantity::FlowPer1pctUsd => {
            format_value(v, Format::Dollars)
        }
        Quantity::FlowPctAssets | Quantity::Exposure => format_value(v, Format::Percent),
        _ => format!("{} pct", format_value(v, Format::Fixed(1))),
    }
}

pub fn run(a: ScoreArgs) -> Result<()> {
    let cat = Catalogue::load(&a.catalogue)?;
    let specs = if a.histories.is_empty() {
        flowsim::monitor::DEFAULT_SCORE_HISTORIES
            .iter()
            .map(|(sym, file)| format!("{sym}={file}"))
            .collect()
    } else {
        a.histories.clone()
    };
    let histories = read_histories(&specs, &Columns::default())?;
    let symbols: Vec<String> = histories.iter().map(|(s, _)| s.clone()).collect();
    let cfg = match &a.config {
        Some(p) => MonitorConfig::load(p, &symbols)?,
        None => MonitorConfig::default(),
    };
    let bonds = a
        .bonds
        .as_deref()
        .map(|p| read_daily(p, &Columns::default()))
        .transpose()?;
    let input = MonitorInput {
        histories,
        vix: None,
        bonds,
    };
    let scored = score::score(&cat, &input, &cfg)?;
    let mut table = vec![[
        "entry".to_string(),
        "published".into(),
        "flowsim".into(),
        "ratio".into(),
        "verdict".into(),
    ]];
    let mut csv = String::from("entry,quantity,published,flowsim,ratio,verdict,calibration\n");
    for s in &scored {
        let verdict = match &s.verdict {
            Verdict::Pass => "pass".to_string(),
            Verdict::Fail => "FAIL".to_string(),
            Verdict::NeedsData(n) => format!("needs data: {n}"),
        };
        let id = if s.calibration {
            format!("{} (calibration)", s.id)
        } else {
            s.id.clone()
        };
        table.push([
            id,
            units(s.quantity, s.published),
            s.flowsim.map_or("–".into(), |v| units(s.quantity, v)),
            s.ratio()
                .map_or("–".into(), |r| format_value(r, Format::Fixed(2))),
            verdict.clone(),
        ]);
        let q = serde_json::to_value(s.quantity)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        csv.push_str(&format!(
            "{},{q},{},{},{},\"{}\",{}\n",
            s.id,
            s.published,
            s.flowsim.map_or(String::new(), |v| v.to_string()),
            s.ratio().map_or(String::new(), |v| v.to_string()),
            verdict.replace('"', "'"),
            s.calibration
        ));
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in &table {
        let mut line = String::new();
        for c in 0..4 {
            let cell = &r[c];
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
            line.push_str("  ");
        }
        line.push_str(&r[4]);
        println!("{line}");
    }
    let (passed, failed, need) = score::tally(&scored);
    if let Some(path) = &a.csv {
        flowsim::atomic::write_bytes(path, csv.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?;
    }
    println!("{passed} passed, {failed} failed, {need} need data");
    if failed > 0 {
        bail!(
            "{failed} estimate{} outside tolerance",
            if failed == 1 { "" } else { "s" }
        );
    }
    Ok(())
}
