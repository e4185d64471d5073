//! Command definitions (clap) and dispatch.

mod ablate;
mod bench;
mod book_stream;
mod claims;
mod episode;
mod facts;
mod impact;
mod monitor;
mod replay;
mod run;
mod score;
mod sweep;

use std::io::IsTerminal;

use anyhow::Result;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Parser)]
#[command(
    name = "flowsim",
    version,
    about = "Agent-based market microstructure simulator: mechanical flows on an exact limit order book",
    long_about = "flowsim runs seeded, reproducible agent-based market simulations on an exact \
integer limit-order-book matching engine with call auctions and circuit breakers. Its agents are the \
background market (market makers, noise traders, value traders), scheduled flow programmes, \
the mechanical flows (vol-targeters, leveraged ETFs, CTAs, options dealers, short sellers, \
hedgers) and real money (pension funds, long-term managers). See README.md and ARCHITECTURE.md. \
Every scenario value has a range (README.md, \"Ranges, cost estimates and interrupts\"); runs, \
sweeps and ablations print a cost estimate first and refuse above 1 hour, 16 GB of memory or \
100 GB of disk unless --yes; SIGINT and SIGTERM remove what was half-written."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its records into a result folder.
    Run(run::RunArgs),
    /// Run every (point, seed) of a sweep file in parallel, resumably; a shard of it for a
    /// cluster job array (--shard, --emit-slurm); or merge the shards (--merge). Writes one
    /// run folder per run (records and summary, as `flowsim run --no-report`; `flowsim report
    /// DIR` draws a run's charts on demand), a table with a row per run (sweep.csv,
    /// sweep.parquet) and one with a row per point, its seeds pooled (points.csv).
    Sweep(sweep::SweepArgs),
    /// Run a scenario with and without some agent classes (same seed, the other agents' draws
    /// unchanged) and compare: drawdown and rally amplification, price difference path.
    Ablate(ablate::AblateArgs),
    /// Check scenario, sweep and claims files without running them: syntax, types, every value
    /// within its range (README.md, "Ranges, cost estimates and interrupts"), every reference
    /// of a claims file, and a build; prints each file's cost estimate.
    Validate(run::ValidateArgs),
    /// Print the summary (and calibration summary, if computed) of a finished run, and write
    /// its charts (charts/) and report.html from the run's own files.
    Report(run::ReportArgs),
    /// Measure speed: the matching engine (`bench book`) or a scenario (`bench SCENARIO`:
    /// medians per simulated day, orders/s, events/s, peak memory; `--scaling` for how cost
    /// grows with agents, days and instruments).
    Bench {
        #[command(subcommand)]
        what: bench::BenchTarget,
    },
    /// Replay real LOBSTER data through the book, check it against LOBSTER's own book, and
    /// print a calibration summary of the real book.
    Replay(replay::ReplayArgs),
    /// Run the mechanical classes' own rules open-loop on real daily index histories: σ̂,
    /// exposure and its percentile, CTA signals and trigger levels, LETF rebalances per day,
    /// and the flow ladder for a hypothetical move tomorrow (positioning.csv/.parquet,
    /// ladder.csv, charts, report.html).
    Monitor(monitor::MonitorArgs),
    /// Score the monitor against published estimates of mechanical flows
    /// (validation/estimates.toml): a table of entry, published, flowsim, ratio and verdict,
    /// and a last line `N passed, N failed, N need data`; exits non-zero if any failed.
    Score(score::ScoreArgs),
    /// Measure metaorder impact: sell (or buy) programmes of several sizes against the same
    /// seeds without them, and the square-root fit.
    ///
    /// Each programme is worked in market-order slices every 10 s across its window; per
    /// size the executed dollars (and the part traded within the window: what the book could
    /// not supply by its end goes to that day's closing auction) and the impact at the window's end,
    /// the close and the next close, next close over peak and next close per $1bn (basis
    /// points); the fit I = Y·σ_d·(Q/V)^δ and the relaxation (next-close impact over peak, all
    /// sizes pooled), with 95% intervals from resampling seeds (impact.csv; impact.png and .svg).
    /// Then the path: each size's mean impact bar by bar from the last bar before the window to
    /// the next close (impact_path.csv; impact_path.png and .svg), and the share of its peak left
    /// 5 minutes and an hour after the window, at the close, the next open and the next close,
    /// beside what a latent book without information gives a programme slower than its own flow
    /// (√t − √(t − T); faster programmes keep more).
    Impact(impact::ImpactArgs),
    /// Compare the daily stylized facts of simulated runs with a real index (default: the S&P
    /// 500 of 2010-2018): s.d., excess kurtosis, ACF of |r| at lags 1 and 10, leverage.
    ///
    /// Takes the run folders of one scenario's seeds, or a sweep's output folder, and the real
    /// daily closes (default data/history/sp500.csv from 2010-01-01 to 2018-12-31). Returns
    /// are close-to-close log returns of each simulated day's last bar. Prints, per statistic
    /// (number of daily returns, daily and annualised s.d., excess kurtosis, ACF of |r| at
    /// lags 1 and 10, and the leverage effect: the mean over k = 1..10 of corr(r_t, |r_t+k|),
    /// and corr(r_t, mean |r_t+1..t+10|)), the seeds' median with a 95% bootstrap interval of
    /// the median (the min-max below 5 seeds), the real full sample, and the median and 5-95%
    /// range over real windows as long as the runs (a 250-day sample is noisy: compare like
    /// with like); then every seed's values. --out writes the same table as CSV.
    /// Definitions and the real figures: docs/daily_facts.md.
    Facts(facts::FactsArgs),
    /// Measure the seed notes' claims (experiments/claims.toml): each claim's statistic on its
    /// experiment and on its null (the same seeds with the mechanism removed), over 20 or more
    /// seeds on every core, resumably; writes CLAIMS.md, claims.csv (median with a 95%
    /// bootstrap interval, the null's, the effect, a verdict and its reason) and values.csv
    /// (every seed's value).
    Claims(claims::ClaimsArgs),
    /// Decompose a real episode: each mechanical class's share of a real fall, across seeds.
    ///
    /// Infers, per seed, the fundamental path under which the market
    /// with every agent closes on the real closes of the days after the scenario's real
    /// pre-history (within --tolerance a day), then reruns that path without each mechanical
    /// class and without all of them; writes each class's share of the real drawdown with a
    /// 95% bootstrap interval across seeds (EPISODE.md, decomposition.csv), every seed's paths
    /// (paths.csv), the iterations (tracking.csv) and a chart (episode.png). Resumable.
    Episode(episode::EpisodeArgs),
}

pub fn run() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Ablate(args) => ablate::run(args),
        Command::Validate(args) => run::validate(args),
        Command::Report(args) => run::report(args),
        Command::Bench { what } => bench::run(what),
        Command::Replay(args) => replay::run(args),
        Command::Monitor(args) => monitor::run(args),
        Command::Score(args) => score::run(args),
        Command::Impact(args) => impact::run(args),
        Command::Facts(args) => facts::run(args),
        Command::Claims(args) => claims::run(args),
        Command::Episode(args) => episode::run(args),
    }
}

/// A progress bar on stderr with `template`, hidden with `--quiet` or when stderr is not a
/// terminal (so logs and pipes get no control characters).
fn progress_bar(quiet: bool, len: Option<u64>, template: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    pb.set_style(ProgressStyle::with_template(template).expect("valid template"));
    pb
}

/// An error and its causes on one line, each cause once (an OS error is often both in a
/// message and its source).
pub fn one_line(e: &anyhow::Error) -> String {
    flowsim::sweep::error_chain(e.as_ref())
}

/// Text of `--yes` for the commands that estimate their cost first.
pub const YES_HELP: &str = "Run even when the cost estimate printed before starting is above \
the limits (1 hour of wall time, 16 GB of memory or 100 GB of disk); without it such a run is \
refused before anything is written";

/// Prints the cost estimate on stderr (unless `quiet`) and refuses what is above the limits
/// unless `yes`.
/// `--tables`: which tables a run writes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum TablesArg {
    /// Every table (trades, bars, flows, positions, events, state) and the report.
    All,
    /// Only bars and flows, beside summary.json, scenario.toml and calendar.csv.
    Sweep,
}

impl From<TablesArg> for flowsim::record::Tables {
    fn from(t: TablesArg) -> Self {
        match t {
            TablesArg::All => flowsim::record::Tables::All,
            TablesArg::Sweep => flowsim::record::Tables::Sweep,
        }
    }
}

/// Above this much disk, a sweep that writes every table is warned about.
pub const SWEEP_DISK_WARNING: f64 = 3e9;

pub fn check_cost(
    what: &str,
    est: &flowsim::estimate::Estimate,
    yes: bool,
    quiet: bool,
) -> Result<()> {
    if !quiet {
        eprintln!("estimate for {what}: {est}");
    }
    est.refusal(what, yes, "--yes")
        .map_err(anyhow::Error::msg)?;
    Ok(())
}

/// A `--seed`: a whole number from 0 to 2^64 - 1 (a negative one is named as such rather than
/// taken for an option).
pub fn seed(s: &str) -> std::result::Result<u64, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("must be a whole number from 0 to {}", u64::MAX))
}

/// A count option from `lo` to `hi`.
pub fn at_most(lo: u64, hi: u64) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(lo..=hi)
}
