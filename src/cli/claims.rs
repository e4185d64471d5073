//! `flowsim claims`: the seed claims measured over many seeds, with their nulls.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use flowsim::claims::{self, Verdict};
use flowsim::sweep::Progress;

#[derive(Args)]
pub struct ClaimsArgs {
    /// The claims file (experiments/claims.toml): experiments with their nulls, and one
    /// table per claim (statistic, null, expected figure or effect).
    #[arg(value_name = "CLAIMS_TOML")]
    file: PathBuf,
    /// Where the table goes: CLAIMS.md, claims.csv and values.csv (each written whole).
    #[arg(long, value_name = "DIR", default_value = "results/claims")]
    out: PathBuf,
    /// Where the runs go, one folder per experiment and variant; runs already there are
    /// reused, so a killed command resumes (a folder from an edited file is refused).
    #[arg(long, value_name = "DIR", default_value = "runs/claims")]
    runs: PathBuf,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = super::at_most(1, 1024))]
    threads: Option<usize>,
    /// Only the file's first N seeds: a reduced check of the same claims. The table says
    /// how many seeds it rests on; a claim needs 20 for the committed table.
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = super::at_most(1, 10_000))]
    seeds: Option<usize>,
    #[arg(long, help = super::YES_HELP)]
    yes: bool,
    /// No progress bar, estimate or summary.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: ClaimsArgs) -> Result<()> {
    let mut c = claims::load(&args.file)?;
    if let Some(n) = args.seeds {
        c.reduce_seeds(n);
    }
    let threads = match args.threads {
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let needed = claims::needed(&c);
    let est = flowsim::estimate::runs(
        needed
            .iter()
            .map(|&(e, v)| &c.experiments[e].variants[v].scenario.scenario),
        c.seeds.len() as u64,
        threads,
    );
    // Only what is left to run: a finished run is read, not run again.
    let total = needed.len() * c.seeds.len();
    let left = claims::pending(&c, &args.runs);
    let est = est.scaled(left as f64 / total.max(1) as f64);
    super::check_cost(
        &format!(
            "the claims of {} ({left} of {total} runs left)",
            args.file.display()
        ),
        &est,
        args.yes,
        args.quiet,
    )?;
    let bar = super::progress_bar(
        args.quiet,
        Some((needed.len() * c.seeds.len()) as u64),
        "{bar:30} {pos}/{len} runs  {msg}  ETA {eta}",
    );
    let started = Instant::now();
    let outcome = claims::run(&c, &args.runs, threads, &mut |label, p| match p {
        Progress::Start { skipped, .. } => {
            bar.set_message(label.to_string());
            bar.inc(skipped as u64);
        }
        Progress::Ended { run, error } => {
            if let Some(e) = error {
                if !flowsim::atomic::interrupted() {
                    bar.suspend(|| eprintln!("run {label}/{} failed: {e}", run.name()));
                }
            }
            bar.inc(1);
        }
    })?;
    bar.finish_and_clear();
    let values = claims::collect(&c, &args.runs)?;
    let rows = claims::write(&c, &values, &args.out)
        .with_context(|| format!("writing the table into {}", args.out.display()))?;
    if !args.quiet {
        println!(
            "{} runs ({} already done, {} run now) in {:.0} s on {threads} thread{}",
            outcome.planned,
            outcome.skipped,
            outcome.finished,
            started.elapsed().as_secs_f64(),
            if threads == 1 { "" } else { "s" }
        );
        for (claim, row) in c.claims.iter().zip(&rows) {
            if !claim.measure {
                println!(
                    "{:>3}  {:<18} {}",
                    claim.id,
                    row.verdict.as_str(),
                    row.reason
                );
            }
        }
        let count = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
        println!(
            "{} claims: {} reproduced, {} partly, {} contradicted, {} not testable here; \
             {} measures; table: {}",
            c.claims.iter().filter(|c| !c.measure).count(),
            count(Verdict::Reproduced),
            count(Verdict::Partly),
            count(Verdict::Contradicted),
            count(Verdict::NotTestable),
            count(Verdict::Measured),
            args.out.join("CLAIMS.md").display()
        );
    }
    Ok(())
}
