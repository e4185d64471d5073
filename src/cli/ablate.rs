//! `flowsim ablate`: a scenario with and without some agent classes, same seed.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use clap::Args;
use flowsim::counterfactual::ablate_run;
use flowsim::scenario::{self, ablate};

#[derive(Args)]
pub struct AblateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Classes to remove, comma-separated: vol_target, letf, cta, dealer, short_seller,
    /// hedger, real_money, market_maker, noise, value, exogenous, options_customer (the
    /// dealers' customers stop unwinding physical deliveries), or `mechanical` for all the
    /// mechanical-flow classes.
    #[arg(long, required = true)]
    pub without: String,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long, allow_hyphen_values = true, value_parser = super::seed)]
    pub seed: Option<u64>,
    /// Output folder (default: runs/<name>-without-<classes>-seed<seed>). It holds `with/` and
    /// `without/` run folders (each with its report; the factual one shows the
    /// counterfactual), `ablation.json`, `difference.csv`, and `report.html` with `charts/`
    /// (price with and without, the difference path, cumulative flows by class, the
    /// amplification and its definition); it appears when complete.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists and is an ablation folder (one holding ablation.json); a regular file or any
    /// other folder is never replaced.
    #[arg(long)]
    pub force: bool,
    /// Skip the charts and the reports (the ablation's `report.html` and both runs').
    #[arg(long)]
    pub no_report: bool,
    /// No progress bar and no summary on stdout, nor the cost estimate on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, short = 'y', help = super::YES_HELP)]
    pub yes: bool,
}

pub fn run(args: AblateArgs) -> Result<()> {
    let classes = ablate::parse_classes(&args.without).map_err(|e| anyhow!("--without: {e}"))?;
    let loaded = scenario::load(&args.scenario)?;
    let s = &loaded.scenario;
    let seed = args.seed.unwrap_or(s.seed);
    let tag = classes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join("-");
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("runs").join(format!("{}-without-{tag}-seed{seed}", s.name)));
    // Two runs, one after the other: with and without.
    let est = flowsim::estimate::runs([s, s], 1, 1);
    super::check_cost(
        &format!("the ablation of {}", args.scenario.display()),
        &est,
        args.yes,
        args.quiet,
    )?;
    let bar = super::progress_bar(
        args.quiet,
        Some(2 * s.days as u64),
        "{bar:30} day {pos}/{len} (both runs)  ETA {eta}",
    );
    let (dest, summary) = ablate_run(
        &loaded,
        &classes,
        seed,
        &out,
        args.force,
        !args.no_report,
        &mut |d| bar.set_position(d as u64),
    )?;
    bar.finish_and_clear();
    if !args.quiet {
        println!(
            "ablation: {} (seed {seed}) without {}",
            s.name,
            summary.without.join(", ")
        );
        for i in &summary.instruments {
            println!(
                "  {}: drawdown {:.2}% with, {:.2}% without (×{:.2}); rally {:.2}% with, {:.2}% without; largest price difference {:+.2}% on day {} bar {} (price with the classes {} than without)",
                i.symbol,
                i.drawdown_with * 100.0,
                i.drawdown_without * 100.0,
                i.drawdown_amplification,
                i.rally_with * 100.0,
                i.rally_without * 100.0,
                i.largest_difference * 100.0,
                i.largest_difference_day,
                i.largest_difference_bar,
                if i.largest_difference < 0.0 {
                    "lower"
                } else {
                    "higher"
                }
            );
        }
        println!("results: {}", dest.display());
    }
    Ok(())
}
