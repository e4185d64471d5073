//! `flowsim monitor`: the mechanical classes' rules on real index histories, open-loop.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use flowsim::history::{Columns, DailyHistory, parse_date, read_daily};
use flowsim::monitor::{self, MonitorConfig, MonitorInput, default_episodes};

use super::progress_bar;

#[derive(Args)]
pub struct MonitorArgs {
    /// A daily index history, `SYMBOL=FILE` (a CSV with a date and a close column); repeat for
    /// several indices. The first is the default instrument of the vol-target, LETF and
    /// pension tables. Example: --history SPX=data/history/sp500.csv
    #[arg(long = "history", value_name = "SYMBOL=FILE", required = true)]
    histories: Vec<String>,
    /// VIX closes (a CSV with a date and a `vix` column), drawn beside σ̂.
    #[arg(long, value_name = "FILE")]
    vix: Option<PathBuf>,
    /// A bond total-return series (date and close) for the balanced funds' month-end
    /// rebalance; without it they are left out, and the report says so.
    #[arg(long, value_name = "FILE")]
    bonds: Option<PathBuf>,
    /// First date reported (YYYY-MM-DD). Earlier days still warm the estimators up and fill
    /// the percentile history.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last date reported (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Sizes and parameters (monitor.toml: [vol_target], [cta], [letf], [pension] tables as in
    /// a scenario, percentile_lookback_days, [ladder], [[episodes]]); default: the scenario
    /// defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The flow ladder's date (default: the config's ladder.date, else the last reported day).
    #[arg(long, value_name = "DATE")]
    ladder_date: Option<String>,
    /// Name of the date column in every history (default `date`, or `day`).
    #[arg(long, value_name = "NAME")]
    date_column: Option<String>,
    /// Name of the close column in the index histories.
    #[arg(long, value_name = "NAME", default_value = "close")]
    close_column: String,
    /// Output folder, written atomically.
    #[arg(long, value_name = "DIR", default_value = "runs/monitor")]
    out: PathBuf,
    /// Replace the output folder if it is an earlier monitor's (never a file or another
    /// folder).
    #[arg(long)]
    force: bool,
    /// No progress bar and no summary on stdout.
    #[arg(short, long)]
    quiet: bool,
}

/// `SYMBOL=FILE` into its parts.
pub fn symbol_file(s: &str) -> Result<(String, PathBuf)> {
    match s.split_once('=') {
        Some((sym, file)) if !sym.trim().is_empty() && !file.trim().is_empty() => {
            Ok((sym.trim().to_string(), PathBuf::from(file.trim())))
        }
        _ => bail!("--history {s:?}: expected SYMBOL=FILE, e.g. SPX=data/history/sp500.csv"),
    }
}

fn date_arg(flag: &str, v: &Option<String>) -> Result<Option<chrono::NaiveDate>> {
    v.as_deref()
        .map(|d| parse_date(d).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
        .transpose()
}

/// Reads every `SYMBOL=FILE` history with the same columns.
pub fn read_histories(specs: &[String], cols: &Columns) -> Result<Vec<(String, DailyHistory)>> {
    let specs = specs
        .iter()
        .map(|s| symbol_file(s))
        .collect::<Result<Vec<_>>>()?;
    Ok(monitor::read_histories(&specs, cols)?)
}

pub fn run(a: MonitorArgs) -> Result<()> {
    let cols = Columns {
        date: a.date_column.clone(),
        ..Columns::close(&a.close_column)
    };
    let histories = read_histories(&a.histories, &cols)?;
    let symbols: Vec<String> = histories.iter().map(|(s, _)| s.clone()).collect();
    let mut cfg = match &a.config {
        Some(p) => MonitorConfig::load(p, &symbols)?,
        None => MonitorConfig::default(),
    };
    if let Some(d) = &a.ladder_date {
        parse_date(d).map_err(|e| anyhow::anyhow!("--ladder-date: {e}"))?;
        cfg.ladder.date = Some(d.clone());
    }
    if cfg.episodes.is_empty() {
        cfg.episodes = default_episodes();
    }
    let window = monitor::window(date_arg("from", &a.from)?, date_arg("to", &a.to)?)?;
    let vix = a
        .vix
        .as_deref()
        .map(|p| monitor::read_vix(p, a.date_column.clone()))
        .transpose()?;
    let bonds = a
        .bonds
        .as_deref()
        .map(|p| read_daily(p, &cols))
        .transpose()?;
    // --force replaces only an earlier monitor folder, never a file or another folder.
    monitor::check_replaceable(&a.out, a.force)?;
    let input = MonitorInput {
        histories,
        vix,
        bonds,
    };
    let pb = progress_bar(
        a.quiet,
        None,
        "{spinner} monitor {bar:30} {pos}/{len} days [{elapsed}]",
    );
    let positioning = monitor::run(&input, &cfg, window, &mut |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })?;
    pb.finish_and_clear();
    let header = monitor::report_header(&input, window, a.config.as_deref());
    let out = monitor::write(&positioning, &cfg.episodes, header, &a.out)
        .with_context(|| format!("writing {}", a.out.display()))?;
    if !a.quiet {
        println!(
            "{} rows, ladder from {}: {}",
            positioning.rows.len(),
            positioning
                .ladder_date
                .map_or("–".into(), |d| d.to_string()),
            out.join("report.html").display()
        );
    }
    Ok(())
}
