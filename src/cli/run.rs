//! `flowsim run` and `flowsim validate`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use flowsim::run::RunOptions;
use flowsim::scenario::{self, build};

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long, allow_hyphen_values = true, value_parser = super::seed)]
    pub seed: Option<u64>,
    /// Output folder (default: runs/<scenario name>-seed<seed>). Written atomically.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists and is a run folder (one holding summary.json); a regular file or any
    /// other folder is never replaced.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary on stdout, nor the cost estimate on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also compute the book calibration summary (spreads, depth, arrival, cancel and trade
    /// rates; the same numbers `flowsim replay` gives for real LOBSTER data) and write it as
    /// calibration.json and calibration.txt, with the market by day (dollar volume,
    /// closing-auction share, spread and depth within 1% of the mid at bar ends, daily
    /// volatility against the fundamental's) in calibration.txt and market.json. Costs memory
    /// of about 8 bytes per order.
    #[arg(long)]
    pub calibration: bool,
    /// Skip the charts (charts/*.png, *.svg) and report.html a run writes by default.
    #[arg(long)]
    pub no_report: bool,
    /// Which tables to write, overriding the scenario's `[record] tables`: `all`, or `sweep`
    /// for only bars and flows (with summary.json, scenario.toml and calendar.csv; no trades,
    /// positions, events, state, nor report).
    #[arg(long, value_enum)]
    pub tables: Option<super::TablesArg>,
    #[arg(long, short = 'y', help = super::YES_HELP)]
    pub yes: bool,
}

#[derive(Args)]
pub struct ReportArgs {
    /// A run folder (written by `flowsim run`, or one of a sweep's `runs/`).
    pub run_dir: PathBuf,
}

#[derive(Args)]
pub struct ValidateArgs {
    /// Scenario or sweep files to check. A scenario is parsed, validated and built (agents,
    /// pre-history; nothing is simulated). A sweep file (recognised by its `scenario` key) is
    /// parsed and validated, and the scenario of every one of its points is validated and
    /// built with the sweep's first seed.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

pub fn run(args: RunArgs) -> Result<()> {
    let mut loaded = scenario::load(&args.scenario)?;
    if let Some(t) = args.tables {
        loaded.scenario.record.tables = t.into();
    }
    let s = &loaded.scenario;
    let seed = args.seed.unwrap_or(s.seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("runs").join(format!("{}-seed{seed}", s.name)));
    // What would refuse the run anyway is reported before the estimate: an output that may
    // not be replaced, a pre-history file that cannot be read.
    flowsim::record::replaceable(&out, args.force)?;
    if !matches!(s.prehistory, scenario::PrehistoryCfg::Synthetic { .. }) {
        build::build(&loaded, seed)
            .with_context(|| format!("building {}", args.scenario.display()))?;
    }
    super::check_cost(
        &format!("the run of {}", args.scenario.display()),
        &flowsim::estimate::run(s),
        args.yes,
        args.quiet,
    )?;

    let bar = super::progress_bar(
        args.quiet,
        Some(s.days as u64),
        "{bar:30} day {pos}/{len}  {msg}  ETA {eta}",
    );
    let started = Instant::now();
    let options = RunOptions {
        force: args.force,
        calibration: args.calibration,
        report: !args.no_report,
        tables: None,
    };
    let finished = flowsim::run::execute(&loaded, seed, &out, options, &mut |day, counts| {
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        bar.set_position(day as u64);
        bar.set_message(format!(
            "{:.2}M events/s",
            counts.events as f64 / secs / 1e6
        ));
    })?;
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    if !args.quiet {
        let summary = &finished.summary;
        let counts = summary.counts;
        println!(
            "run: {} (seed {seed}), {} days, {} agents",
            s.name, s.days, summary.agents
        );
        for ins in &summary.instruments {
            println!(
                "  {}: {:.2} -> {:.2} ({:+.2}%), max drawdown {:.2}%, volume {} units",
                ins.symbol,
                ins.initial_price,
                ins.final_close,
                ins.total_return * 100.0,
                ins.max_drawdown * 100.0,
                ins.volume_units
            );
        }
        println!(
            "  {} orders ({} rejected), {} trades, {} halts; {:.2} s wall, {:.0} orders/s, {:.1} days/s, {:.2}M events/s",
            counts.orders,
            counts.rejected,
            counts.trades,
            counts.halts,
            wall,
            counts.orders as f64 / wall,
            s.days as f64 / wall,
            counts.events as f64 / wall / 1e6
        );
        if let Some(text) = &finished.calibration {
            print!("{text}");
        }
        println!("results: {}", finished.dest.display());
        if options.report {
            println!("report: {}", finished.dest.join("report.html").display());
        }
    }
    Ok(())
}

/// Prints what a finished run folder holds: its summary and, if computed, its calibration.
pub fn report(args: ReportArgs) -> Result<()> {
    let dir = &args.run_dir;
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{} is not a flowsim run folder (no summary.json)",
            dir.display()
        )
    })?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not valid JSON", path.display()))?;
    // A summary is an object with these fields (record/summary.rs); anything else is not one.
    for key in ["scenario", "seed", "days", "counts", "instruments"] {
        if v.get(key).is_none() {
            anyhow::bail!(
                "{}: not a flowsim run summary (no `{key}`): is {} a run folder?",
                path.display(),
                dir.display()
            );
        }
    }
    println!(
        "run {} of scenario {} (seed {}, {} days, flowsim {})",
        dir.display(),
        v["scenario"].as_str().unwrap_or("?"),
        v["seed"],
        v["days"],
        v["flowsim_version"].as_str().unwrap_or("?")
    );
    if let Some(list) = v["instruments"].as_array() {
        for ins in list {
            println!(
                "  {}: {:.2} -> {:.2} ({:+.2}%), max drawdown {:.2}%, volume {} units",
                ins["symbol"].as_str().unwrap_or("?"),
                ins["initial_price"].as_f64().unwrap_or(f64::NAN),
                ins["final_close"].as_f64().unwrap_or(f64::NAN),
                ins["total_return"].as_f64().unwrap_or(f64::NAN) * 100.0,
                ins["max_drawdown"].as_f64().unwrap_or(f64::NAN) * 100.0,
                ins["volume_units"]
            );
        }
    }
    println!("  counts: {}", v["counts"]);
    match std::fs::read_to_string(dir.join("calibration.txt")) {
        Ok(c) => print!("{c}"),
        Err(_) => println!(
            "  (no calibration summary: run with `flowsim run --calibration` to compute one)"
        ),
    }
    let html = flowsim::report::write_run_report(dir)
        .with_context(|| format!("writing the report of {}", dir.display()))?;
    println!("report: {}", html.display());
    Ok(())
}

pub fn validate(args: ValidateArgs) -> Result<()> {
    let mut failed = 0;
    for path in &args.scenarios {
        match flowsim::run::validate_file(path) {
            Ok(line) => println!("ok: {} ({line})", path.display()),
            Err(e) => {
                eprintln!("error: {}", flowsim::sweep::error_chain(&e));
                failed += 1;
            }
        }
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} of {} files are invalid",
        args.scenarios.len()
    );
    Ok(())
}
