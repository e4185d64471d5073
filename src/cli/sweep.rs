//! `flowsim sweep`: runs a sweep file's (point, seed) runs on worker threads, a shard of them,
//! merges shards, or prints a Slurm job-array script. Parsing, progress and messages only.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use flowsim::scenario::{self, Sweep};
use flowsim::sweep::{self, Layout, Progress, Shard, SlurmJob};

/// Slurm's default `MaxArraySize` is 1001, so arrays are kept to 1000 tasks unless asked.
const DEFAULT_MAX_SHARDS: usize = 1000;

#[derive(Args)]
pub struct SweepArgs {
    /// Sweep file (TOML): a base scenario, parameters by dotted path as a grid and/or a list
    /// of points, and seeds. See README.md, "Sweeps".
    pub sweep: PathBuf,
    /// Worker threads (default: the machine's cores; in an --emit-slurm script, 1 per array
    /// task). Results do not depend on it.
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = super::at_most(1, 4096))]
    pub threads: Option<usize>,
    /// Output folder (default: runs/<sweep file name>). Rerunning into the same folder skips
    /// finished runs and retries failed ones. It is locked while the sweep runs: a second
    /// sweep or a merge into it is refused (the shards of one sweep share it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run only shard I of N (0 <= I < N; runs dealt round-robin), e.g. one task of a
    /// cluster job array. Shards do not aggregate: run --merge when all have ended.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true, conflicts_with_all = ["merge", "emit_slurm"])]
    pub shard: Option<Shard>,
    /// Aggregate the runs already in the output folder (from shards) into sweep.csv,
    /// sweep.parquet, points.csv and failures.csv; fails, listing them, if any run is missing.
    #[arg(long, conflicts_with = "emit_slurm")]
    pub merge: bool,
    /// Print an sbatch script that runs the sweep as a Slurm job array (one task per shard)
    /// instead of running it.
    #[arg(long)]
    pub emit_slurm: bool,
    /// Array tasks in the --emit-slurm script (default: one per run, at most 1000).
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        value_parser = super::at_most(1, 1_000_000),
        requires = "emit_slurm",
        conflicts_with = "merge"
    )]
    pub shards: Option<usize>,
    /// Do not draw the sweep's charts and report.html after aggregating (the tables are still
    /// written).
    #[arg(long, conflicts_with = "emit_slurm")]
    pub no_charts: bool,
    /// Which tables each run writes, overriding the scenario's `[record] tables`: `all`, or
    /// `sweep` for only what the sweep aggregates (bars and flows, with summary.json,
    /// scenario.toml and calendar.csv): a small fraction of the disk.
    #[arg(long, value_enum)]
    pub tables: Option<super::TablesArg>,
    /// No progress bar and no summary on stdout, nor the cost estimate on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, short = 'y', help = super::YES_HELP)]
    pub yes: bool,
}

pub fn run(args: SweepArgs) -> Result<()> {
    let mut sweep = scenario::load_sweep(&args.sweep)?;
    if let Some(t) = args.tables {
        // Only what is written changes: the runs' scenario text, hash and results do not.
        for p in &mut sweep.points {
            p.scenario.scenario.record.tables = t.into();
        }
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .sweep
            .file_stem()
            .map_or("sweep".into(), |s| s.to_string_lossy().into_owned());
        Path::new("runs").join(stem)
    });
    let layout = Layout::new(&out);
    if args.emit_slurm {
        return emit_slurm(&args, &sweep, &out);
    }
    if args.merge {
        if !layout.root().is_dir() {
            bail!(
                "{}: no such sweep output folder (pass the --out the shards used)",
                layout.root().display()
            );
        }
        let _lock = sweep::lock(&layout, true)?;
        return finish(&args, &sweep, &layout);
    }
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let shard = args.shard.unwrap_or(Shard::ALL);
    sweep::preflight(&sweep)?;
    let mut est = flowsim::estimate::runs(
        sweep.points.iter().map(|p| &p.scenario.scenario),
        sweep.seeds.len() as u64,
        threads,
    );
    // This shard's share of the runs (dealt round-robin).
    let share = if shard.is_all() {
        1.0
    } else {
        sweep.runs().div_ceil(shard.count) as f64 / sweep.runs().max(1) as f64
    };
    if !shard.is_all() {
        est = est.scaled(share);
    }
    let what = if shard.is_all() {
        format!("the sweep {}", args.sweep.display())
    } else {
        format!("shard {shard} of the sweep {}", args.sweep.display())
    };
    let full = sweep
        .points
        .iter()
        .any(|p| p.scenario.scenario.record.tables == flowsim::record::Tables::All);
    if full && est.disk_bytes > super::SWEEP_DISK_WARNING {
        let lean = flowsim::estimate::runs_sweep_tables(
            sweep.points.iter().map(|p| &p.scenario.scenario),
            sweep.seeds.len() as u64,
            threads,
        )
        .scaled(share);
        eprintln!(
            "warning: {what} will write about {} of run folders with every table; \
             `--tables sweep` (or `[record] tables = \"sweep\"`) keeps only what the sweep \
             needs (summary, bars, flows): about {}",
            flowsim::estimate::bytes(est.disk_bytes),
            flowsim::estimate::bytes(lean.disk_bytes)
        );
    }
    super::check_cost(&what, &est, args.yes, args.quiet)?;
    // Held until the command ends: a second sweep into this folder is refused.
    let _lock = sweep::lock(&layout, shard.is_all())?;

    let bar = super::progress_bar(
        args.quiet,
        None,
        "{bar:30} {pos}/{len} runs  {msg}  ETA {eta}",
    );
    let started = Instant::now();
    let mut failed = 0;
    let outcome = sweep::run_slice(&sweep, &layout, shard, threads, &mut |p| match p {
        Progress::Start {
            planned, skipped, ..
        } => {
            bar.set_length(planned as u64);
            bar.set_position(skipped as u64);
            bar.reset_eta();
            bar.set_message("0 failed");
        }
        Progress::Ended { run, error } => {
            if let Some(e) = error {
                failed += 1;
                bar.set_message(format!("{failed} failed"));
                // Runs failing because the process is being interrupted are not news.
                if !flowsim::atomic::interrupted() {
                    bar.suspend(|| eprintln!("run {} failed: {e}", run.name()));
                }
            }
            bar.inc(1);
        }
    })?;
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    if !args.quiet {
        let what = if shard.is_all() {
            format!("sweep {}", args.sweep.display())
        } else {
            format!("sweep {} shard {shard}", args.sweep.display())
        };
        println!(
            "{what}: {} runs ({} already done), {} finished, {} failed; {wall:.2} s wall on {threads} thread{}",
            outcome.planned,
            outcome.skipped,
            outcome.finished,
            outcome.failed.len(),
            if threads == 1 { "" } else { "s" }
        );
    }
    if !shard.is_all() {
        if !args.quiet {
            println!(
                "runs: {}; when every shard has ended: flowsim sweep {} --out {} --merge",
                layout.runs_dir().display(),
                args.sweep.display(),
                out.display()
            );
        }
        if !outcome.failed.is_empty() {
            bail!(
                "{} of {} runs of shard {shard} failed (errors in {})",
                outcome.failed.len(),
                outcome.planned,
                layout.failed_dir().display()
            );
        }
        return Ok(());
    }
    finish(&args, &sweep, &layout)
}

/// Aggregates a complete output folder and reports; fails if any run failed.
fn finish(args: &SweepArgs, sweep: &Sweep, layout: &Layout) -> Result<()> {
    let agg = sweep::aggregate(sweep, layout)
        .with_context(|| format!("aggregating {}", layout.root().display()))?;
    if !args.quiet {
        println!(
            "results: {} ({} rows), {}, {} ({} points)",
            layout.table_csv().display(),
            agg.table.rows.len(),
            layout.table_parquet().display(),
            layout.points_csv().display(),
            agg.points.rows.len()
        );
    }
    if !args.no_charts {
        let started = Instant::now();
        let charts = sweep::draw_charts(sweep, layout, &agg)
            .with_context(|| format!("drawing the charts of {}", layout.root().display()))?;
        if !args.quiet {
            println!(
                "charts: {} ({} files), report: {} ({:.2} s)",
                charts.dir.display(),
                charts.files.len(),
                charts.report.display(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    if !agg.failures.is_empty() {
        bail!(
            "{} of {} runs failed (listed in {}); rerun the sweep to retry them",
            agg.failures.len(),
            agg.total,
            layout.failures_csv().display()
        );
    }
    Ok(())
}

fn emit_slurm(args: &SweepArgs, sweep: &Sweep, out: &Path) -> Result<()> {
    let runs = sweep.runs();
    let shards = match args.shards {
        Some(0) => bail!("--shards must be at least 1"),
        Some(n) => n,
        None => runs.clamp(1, DEFAULT_MAX_SHARDS),
    };
    let binary = std::env::current_exe().context("finding the flowsim binary")?;
    let sweep_path = std::path::absolute(&args.sweep)
        .with_context(|| format!("{}: cannot make the path absolute", args.sweep.display()))?;
    let out = std::path::absolute(out)
        .with_context(|| format!("{}: cannot make the path absolute", out.display()))?;
    let name = args
        .sweep
        .file_stem()
        .map_or("sweep".into(), |s| s.to_string_lossy().into_owned());
    print!(
        "{}",
        sweep::sbatch_script(&SlurmJob {
            binary: &binary,
            sweep: &sweep_path,
            out: &out,
            name: &name,
            shards,
            threads: args.threads.unwrap_or(1).max(1),
            runs,
        })
    );
    Ok(())
}
