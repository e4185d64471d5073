//! `flowsim facts`: daily stylized facts of simulated runs beside the real index.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use flowsim::analysis::facts_compare::{Interval, Spread, Stat};
use flowsim::facts::{self, FactsReport, FactsSpec};
use flowsim::history::parse_date;
use flowsim::plot::{Format, format_value};

#[derive(Args)]
pub struct FactsArgs {
    /// Run folders, one per seed of one scenario, or a sweep's output folder (its finished
    /// runs under runs/; a sweep over several points needs one point's run folders,
    /// e.g. OUT/runs/p0002-seed*).
    #[arg(value_name = "RUN_DIR", required = true)]
    runs: Vec<PathBuf>,
    /// The real daily history: a CSV with a date and a close column.
    #[arg(long, value_name = "FILE", default_value = facts::DEFAULT_REAL)]
    real: PathBuf,
    /// First date of the real sample (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE", default_value = facts::DEFAULT_FROM)]
    from: String,
    /// Last date of the real sample (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE", default_value = facts::DEFAULT_TO)]
    to: String,
    /// The simulated instrument (default: the runs' first).
    #[arg(long, value_name = "SYMBOL")]
    symbol: Option<String>,
    /// Daily returns per real window (default: the runs' median number of returns, so a
    /// 250-day run, 249 returns, meets real windows of 249 returns).
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = super::at_most(2, 100_000))]
    window: Option<usize>,
    /// Trading days between the starts of consecutive real windows (21, about a month, by
    /// default; the window's length for windows that do not overlap).
    #[arg(long, value_name = "N", default_value_t = facts::DEFAULT_STEP,
          allow_hyphen_values = true, value_parser = super::at_most(1, 100_000))]
    step: usize,
    /// Also write the table as CSV (written whole or not at all).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn date(flag: &str, v: &str) -> Result<chrono::NaiveDate> {
    parse_date(v).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
}

/// How a statistic reads in the printed table.
fn show(stat: Stat, v: f64) -> String {
    match stat {
        Stat::Returns => format_value(v, Format::Fixed(0)),
        Stat::DailySd | Stat::AnnualSd => format_value(v, Format::Percent),
        _ => format_value(v, Format::Fixed(3)),
    }
}

fn spread(stat: Stat, s: &Spread) -> String {
    format!(
        "{} [{}, {}]",
        show(stat, s.median),
        show(stat, s.lo),
        show(stat, s.hi)
    )
}

/// Prints rows of cells, the first column left-aligned and the others right-aligned.
fn print_table(rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, s)| {
                let pad = " ".repeat(widths[c] - s.chars().count());
                if c == 0 {
                    format!("{s}{pad}")
                } else {
                    format!("{pad}{s}")
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}

fn print(report: &FactsReport) {
    let real = &report.real;
    let seeds = report.runs.len();
    let interval = report
        .rows
        .first()
        .map_or(Interval::MinMax, |r| r.sim.interval);
    let sim_head = match interval {
        Interval::Bootstrap95 => format!("flowsim median [95% CI], {seeds} seeds"),
        _ => format!("flowsim median [min, max], {seeds} seed(s)"),
    };
    let mut table = vec![vec![
        format!("{} daily", report.symbol),
        sim_head,
        format!("real {} to {}", real.first, real.last),
        format!(
            "real {}-return windows median [5%, 95%], {} windows",
            real.window,
            real.windows.len()
        ),
    ]];
    for row in &report.rows {
        table.push(vec![
            row.stat.label().to_string(),
            spread(row.stat, &row.sim),
            show(row.stat, row.real_full),
            spread(row.stat, &row.real_windows),
        ]);
    }
    println!("Daily stylized facts (real: {})", real.file);
    print_table(&table);
    println!();
    let mut per = vec![vec!["seed".to_string(), "run".to_string()]];
    per[0].extend(Stat::ALL.iter().map(|s| s.name().to_string()));
    for (k, run) in report.runs.iter().enumerate() {
        let mut r = vec![run.seed.to_string(), run.dir.display().to_string()];
        r.extend(
            report
                .rows
                .iter()
                .map(|row| show(row.stat, row.per_seed[k])),
        );
        per.push(r);
    }
    print_table(&per);
}

pub fn run(a: FactsArgs) -> Result<()> {
    let spec = FactsSpec {
        inputs: a.runs.clone(),
        symbol: a.symbol.clone(),
        real: a.real.clone(),
        from: Some(date("from", &a.from)?),
        to: Some(date("to", &a.to)?),
        window: a.window,
        step: a.step,
    };
    if let Some(out) = &a.out {
        if out.is_dir() {
            bail!("--out {}: is a folder, not a file name", out.display());
        }
    }
    let report = facts::measure(&spec)?;
    if let Some(out) = &a.out {
        flowsim::atomic::write_bytes(out, &report.csv())
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", out.display()))?;
    }
    print(&report);
    Ok(())
}
