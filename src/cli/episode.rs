//! `flowsim episode`: a real episode decomposed by class.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use flowsim::episode::{self, Progress, Settings};
use flowsim::scenario::ablate;

/// Runs a seed's inversion took, median over the 24 seeds of the two 2018 episodes.
const TYPICAL_RUNS: usize = 12;

#[derive(Args)]
pub struct EpisodeArgs {
    /// A scenario with a real-history pre-history (`[prehistory] kind = "history"`): the run's
    /// days are the trading days after its `until`, and their real closes are the target.
    #[arg(value_name = "SCENARIO")]
    scenario: PathBuf,
    /// Where the results go: seeds/ (one file per seed, so a killed command resumes),
    /// EPISODE.md, decomposition.csv, paths.csv, tracking.csv and episode.png/.svg.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Seeds 1..=N (each infers its own fundamental path).
    #[arg(long, value_name = "N", default_value_t = 12, allow_hyphen_values = true,
          value_parser = super::at_most(1, 10_000))]
    seeds: usize,
    /// The classes removed one at a time (comma-separated; `mechanical` for all six); those
    /// the scenario lacks are skipped. Default: every mechanical class the scenario has.
    #[arg(long, value_name = "CLASSES")]
    remove: Option<String>,
    /// The largest daily miss (log) of the tracked closes that ends the inversion of a seed.
    #[arg(long, value_name = "X", default_value_t = 0.001)]
    tolerance: f64,
    /// The most runs spent inverting one seed's fundamental; the best is kept either way.
    #[arg(long, value_name = "N", default_value_t = 20, allow_hyphen_values = true,
          value_parser = super::at_most(1, 100))]
    max_iterations: usize,
    #[arg(long, help = super::YES_HELP)]
    yes: bool,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = super::at_most(1, 1024))]
    threads: Option<usize>,
    /// No progress lines or summary.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: EpisodeArgs) -> Result<()> {
    if !(args.tolerance.is_finite() && args.tolerance > 0.0 && args.tolerance < 0.1) {
        anyhow::bail!(
            "--tolerance: must be above 0 and below 0.1, got {}",
            args.tolerance
        );
    }
    let classes = args
        .remove
        .as_deref()
        .map(ablate::parse_classes)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--remove: {e}"))?;
    let loaded = flowsim::scenario::load(&args.scenario)?;
    let settings = Settings {
        classes,
        tolerance: args.tolerance,
        max_iterations: args.max_iterations,
    };
    let spec = episode::prepare(loaded, &settings)?;
    let threads = match args.threads {
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let seeds: Vec<u64> = (1..=args.seeds as u64).collect();
    // A seed costs about TYPICAL_RUNS runs to track (the median measured on both 2018
    // episodes), then one per removal; the runs are in memory and write one small file each.
    // Counted by file only: `episode::run` reads and checks the finished ones.
    let left = seeds
        .iter()
        .filter(|&&s| !episode::seed_file(&args.out, s).exists())
        .count();
    let per_seed = TYPICAL_RUNS + spec.removals().len();
    let mut est = flowsim::estimate::runs(
        std::iter::once(&spec.loaded.scenario),
        (left * per_seed) as u64,
        threads,
    );
    est.disk_bytes = 0.0;
    super::check_cost(
        &format!(
            "the episode of {} ({left} of {} seeds left, about {per_seed} runs each)",
            args.scenario.display(),
            seeds.len()
        ),
        &est,
        args.yes,
        args.quiet,
    )?;
    let started = Instant::now();
    let quiet = args.quiet;
    let results = episode::run(&spec, &seeds, &args.out, threads, &mut |p| {
        if quiet {
            return;
        }
        match p {
            Progress::Reused(s) => eprintln!("seed {s}: already in {}", args.out.display()),
            Progress::Done(r) => {
                let it = r.iterations[r.best];
                eprintln!(
                    "seed {}: {} iterations, largest daily miss {:.3}% ({}), {:.0} s so far",
                    r.seed,
                    r.iterations.len(),
                    100.0 * it.max_miss,
                    if r.tracked(spec.tolerance) {
                        "tracked"
                    } else {
                        "NOT within the tolerance"
                    },
                    started.elapsed().as_secs_f64()
                );
            }
        }
    })?;
    episode::write(&spec, &results, &args.out)
        .with_context(|| format!("writing the tables into {}", args.out.display()))?;
    if !args.quiet {
        let md = std::fs::read_to_string(args.out.join("EPISODE.md")).unwrap_or_default();
        println!("{md}");
    }
    Ok(())
}
