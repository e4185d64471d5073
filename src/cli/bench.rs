//! `flowsim bench`: throughput measurements reported as medians over repeated runs.
//!
//! `flowsim bench book` times the matching engine alone; `flowsim bench SCENARIO` (or
//! `flowsim bench scenario SCENARIO`) times whole simulations in memory (`flowsim::bench`).

use anyhow::{Context, Result, ensure};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Instant;

use flowsim::bench::{self as sb, Axis};

use flowsim::book::OrderBook;
use flowsim::book::flat::FlatBook;
use flowsim::book::reference::ReferenceBook;
use flowsim::book::stream::{self, Stream, StreamEngine, StreamTotals};

use super::book_stream;

#[derive(Subcommand)]
#[command(
    subcommand_value_name = "SCENARIO|COMMAND",
    after_help = "flowsim bench SCENARIO [--runs N] [--seed S] [--scaling]: a scenario path in place of \
a command is `flowsim bench scenario SCENARIO`."
)]
pub enum BenchTarget {
    /// Matching-engine throughput on the seeded benchmark stream (see BENCHMARKS.md), compared
    /// with a minimal flat-array price-time book and with the naive reference book on the same
    /// stream (both must give the same fills).
    #[command(after_help = STREAM_FILE_HELP)]
    Book(BookArgs),
    /// Run a scenario in memory (no files: rows go to a sink that drops them) and report
    /// medians over runs: wall time per simulated day, orders/s, events/s, trades/s and peak
    /// memory. `flowsim bench SCENARIO` is the same command.
    Scenario(ScenarioArgs),
    /// `flowsim bench SCENARIO [OPTIONS]`: a scenario path in place of a subcommand.
    #[command(external_subcommand)]
    Path(Vec<String>),
}

/// Options of `flowsim bench book`.
#[derive(Args, Debug)]
pub struct BookArgs {
    /// Operations in the stream (limit orders, market orders and cancels).
    #[arg(long, default_value_t = 2_000_000, allow_hyphen_values = true,
          value_parser = super::at_most(1, 100_000_000))]
    pub orders: usize,
    /// Seed of the stream.
    #[arg(long, default_value_t = 1, allow_hyphen_values = true, value_parser = super::seed)]
    pub seed: u64,
    /// Timed runs of the flowsim book, each followed by one of the flat-array book; the
    /// medians are reported.
    #[arg(long, default_value_t = 5, allow_hyphen_values = true,
          value_parser = super::at_most(1, 1000))]
    pub runs: usize,
    /// Timed runs of the reference book (0 skips it).
    #[arg(long, default_value_t = 1, allow_hyphen_values = true,
          value_parser = super::at_most(0, 1000))]
    pub reference_runs: usize,
    /// Share of cancels in the stream. The standard 0.45 keeps the book nearly empty;
    /// lower values build a standing book (0.25: about 900 resting orders).
    #[arg(long, default_value_t = stream::DEFAULT_CANCEL_SHARE, allow_hyphen_values = true)]
    pub cancel_share: f64,
    /// Also write the generated stream to FILE (the format is below), so that another engine
    /// can be timed on the same operations.
    #[arg(long, value_name = "FILE")]
    pub write_stream: Option<PathBuf>,
    /// Time the engines on the stream in FILE instead of generating one (the format is below).
    #[arg(long, value_name = "FILE",
          conflicts_with_all = ["orders", "seed", "cancel_share", "write_stream"])]
    pub read_stream: Option<PathBuf>,
}

/// Options of `flowsim bench SCENARIO`.
#[derive(Args, Debug)]
pub struct ScenarioArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Timed runs; the medians over them are reported (default 5, or 3 with --scaling).
    #[arg(long, allow_hyphen_values = true, value_parser = super::at_most(1, 1000))]
    pub runs: Option<usize>,
    /// Seed (default: the scenario's own).
    #[arg(long, allow_hyphen_values = true, value_parser = super::seed)]
    pub seed: Option<u64>,
    /// Also print a scaling table: agents, days and instruments grown ×1, ×4 and ×16 one at
    /// a time. Agents: every table's count is multiplied, and each LETF fund (the LETF table
    /// has funds, not a count) is split into as many funds with an equal share of its assets;
    /// market makers, noise and value traders each keep their size (so their flow grows),
    /// the flow agents share their class's size (so its dollar flow stays the same).
    /// Instruments: the list is repeated with suffixed symbols, the per-instrument tables
    /// follow, and every other table is grown as for agents. The scaling base runs
    /// --scaling-days days (so days ×16 stays short), or up to the scenario's last dated
    /// shock or flow if that is later.
    #[arg(long)]
    pub scaling: bool,
    /// Days of the scaling base (the scenario's own days when fewer; longer when the scenario
    /// dates something later).
    #[arg(long, default_value_t = 2)]
    pub scaling_days: u32,
    #[arg(long, short = 'y', help = super::YES_HELP)]
    pub yes: bool,
}

/// `flowsim bench SCENARIO …` parsed from the words after `bench`.
#[derive(Parser)]
#[command(name = "flowsim bench", about = "Benchmark a scenario in memory")]
struct PathCli {
    #[command(flatten)]
    args: ScenarioArgs,
}

const STREAM_FILE_HELP: &str = "Stream files (--write-stream, --read-stream) are CSV: the header \
line `op,side,price,qty,limit_no`, then one line per operation with five fields, empty where one \
does not apply:
  limit,SIDE,PRICE,QTY,      a limit order: SIDE buy or sell, PRICE in ticks (1 to 2^63-1), QTY \
in units (1 to 2^32-1)
  market,SIDE,,QTY,          a market order: the rest of it that does not fill is cancelled
  cancel,,,,LIMIT_NO         a cancel of the LIMIT_NO-th limit line of the file (0 for the first)
Every order comes from one agent, with self-trade prevention off; a cancel of an order that has \
already traded away is refused and changes nothing. A bad line is reported with its line number \
and field.";

pub fn run(target: BenchTarget) -> Result<()> {
    match target {
        BenchTarget::Book(args) => bench_book(args),
        BenchTarget::Scenario(args) => bench_scenario(args),
        BenchTarget::Path(words) => {
            let argv = std::iter::once("flowsim bench".to_string()).chain(words);
            let cli = PathCli::try_parse_from(argv).unwrap_or_else(|e| e.exit());
            bench_scenario(cli.args)
        }
    }
}

fn bench_scenario(args: ScenarioArgs) -> Result<()> {
    let runs = args.runs.unwrap_or(if args.scaling { 3 } else { 5 });
    ensure!(runs > 0, "--runs must be positive");
    ensure!(args.scaling_days > 0, "--scaling-days must be positive");
    let loaded = flowsim::scenario::load(&args.scenario)?;
    let seed = args.seed.unwrap_or(loaded.scenario.seed);
    let s = &loaded.scenario;
    println!(
        "scenario {} ({}): {} days, {} instruments, seed {seed}, {runs} runs in memory (rows dropped, no files)",
        s.name,
        args.scenario.display(),
        s.days,
        s.instruments.len()
    );
    // Runs in memory, one after the other: no disk.
    let mut est = flowsim::estimate::runs(std::iter::repeat_n(s, runs), 1, 1);
    est.disk_bytes = 0.0;
    println!("estimate: {est}");
    let over = est.excess(&flowsim::estimate::Limits::default());
    ensure!(
        over.is_empty() || args.yes,
        "bench of {} is estimated at {est}: above the limits ({}); pass --yes to start \
         anyway, or lower --runs",
        args.scenario.display(),
        over.join("; ")
    );
    sb::reset_peak_rss();
    let sum = sb::bench(&loaded, seed, runs)
        .with_context(|| format!("benchmarking {}", args.scenario.display()))?;
    let c = sum.counts;
    println!(
        "per run: {} agents, {} orders, {} events, {} trades, {} cancels",
        sum.agents, c.orders, c.events, c.trades, c.cancels
    );
    println!("medians over {runs} runs:");
    println!(
        "  wall time per simulated day  {}",
        fmt_secs(sum.secs_per_day)
    );
    println!(
        "  wall time per run            {} (build {} not included)",
        fmt_secs(sum.run_secs),
        fmt_secs(sum.build_secs)
    );
    println!(
        "  orders/s                     {}",
        fmt_rate(sum.orders_per_sec)
    );
    println!(
        "  events/s                     {}",
        fmt_rate(sum.events_per_sec)
    );
    println!(
        "  trades/s                     {}",
        fmt_rate(sum.trades_per_sec)
    );
    println!(
        "  peak memory (process VmHWM)  {}",
        fmt_mem(sum.peak_rss_kib)
    );
    if args.scaling {
        scaling(&loaded, seed, runs, args.scaling_days)?;
    }
    Ok(())
}

fn scaling(
    loaded: &flowsim::scenario::LoadedScenario,
    seed: u64,
    runs: usize,
    max_days: u32,
) -> Result<()> {
    // The shortest cut from `max_days` up that still validates: a scenario that dates a
    // shock or a flow later than that needs its base to reach it.
    let shortest = loaded.scenario.days.min(max_days);
    let (base_days, base) = (shortest..loaded.scenario.days)
        .find_map(|d| sb::with_days(loaded, d).ok().map(|b| (d, b)))
        .map_or_else(
            || {
                let days = loaded.scenario.days;
                sb::with_days(loaded, days).map(|b| (days, b))
            },
            Ok,
        )
        .context("shortening the scenario for the scaling base")?;
    println!();
    println!(
        "scaling (base: {base_days} days; medians of {runs} runs; memory is the peak of each row where the kernel lets it be reset, else of the process so far):"
    );
    if loaded.scenario.agents.letf.is_some() {
        println!(
            "(agents and instruments ×N split each LETF fund into N funds with 1/N of its assets)"
        );
    }
    println!(
        "| grown | × | days | instruments | agents | s/run | s/day | orders/s | events/s | trades/s | peak memory |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for axis in Axis::ALL {
        for factor in [1, 4, 16] {
            let scen = sb::scaled(&base, axis, factor)
                .with_context(|| format!("scaling {} ×{factor}", axis.name()))?;
            sb::reset_peak_rss();
            let m = sb::bench(&scen, seed, runs)?;
            println!(
                "| {} | {factor} | {} | {} | {} | {:.3} | {:.4} | {} | {} | {} | {} |",
                axis.name(),
                m.days,
                m.instruments,
                m.agents,
                m.run_secs,
                m.secs_per_day,
                fmt_rate(m.orders_per_sec),
                fmt_rate(m.events_per_sec),
                fmt_rate(m.trades_per_sec),
                fmt_mem(m.peak_rss_kib)
            );
        }
    }
    Ok(())
}

fn fmt_secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.3} s")
    }
}

fn fmt_rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M", r / 1e6)
    } else {
        format!("{:.1} k", r / 1e3)
    }
}

fn fmt_mem(kib: Option<u64>) -> String {
    match kib {
        Some(k) => format!("{:.1} MiB", k as f64 / 1024.0),
        None => "n/a".into(),
    }
}

/// Times one pass of the stream through a fresh engine made by `make`; returns the seconds and
/// the totals.
fn time_run<E: StreamEngine>(stream: &Stream, make: impl Fn() -> E) -> (f64, StreamTotals) {
    let mut engine = make();
    let t = Instant::now();
    let totals = stream::run(&mut engine, stream);
    let secs = t.elapsed().as_secs_f64();
    std::hint::black_box(&engine);
    (secs, totals)
}

use flowsim::analysis::distribution::median;

fn bench_book(o: BookArgs) -> Result<()> {
    // --orders and --runs are at least 1 by their parsers.
    ensure!(
        (0.0..=0.9).contains(&o.cancel_share),
        "--cancel-share must be between 0 and 0.9"
    );
    let t = Instant::now();
    let (s, origin) = match &o.read_stream {
        Some(path) => {
            let ops = book_stream::read(path)?;
            (
                Stream::from_ops(ops),
                format!("read from {}", path.display()),
            )
        }
        None => (
            stream::generate_with(o.orders, o.seed, o.cancel_share),
            format!("seed {}, cancel share {}", o.seed, o.cancel_share),
        ),
    };
    let n = s.ops.len();
    let (mut limits, mut markets, mut cancels) = (0, 0, 0);
    for op in &s.ops {
        match op {
            stream::StreamOp::Limit { .. } => limits += 1,
            stream::StreamOp::Market { .. } => markets += 1,
            stream::StreamOp::Cancel { .. } => cancels += 1,
        }
    }
    println!(
        "stream: {n} operations, {origin} ({limits} limit, {markets} market, {cancels} cancel), {:.0} resting orders on average, ready in {:.2} s",
        s.mean_live,
        t.elapsed().as_secs_f64()
    );
    if let Some(path) = &o.write_stream {
        book_stream::write(path, &s.ops)?;
        println!("stream written to {}", path.display());
    }
    // The two fast books take turns, so that a change in the machine's load falls on both.
    let (mut secs, mut flat_secs) = (Vec::new(), Vec::new());
    let (mut totals, mut flat_totals) = (StreamTotals::default(), StreamTotals::default());
    for _ in 0..o.runs {
        let (t, tot) = time_run(&s, || OrderBook::with_capacity(stream::config(), 1 << 16));
        secs.push(t);
        totals = tot;
        let (t, tot) = time_run(&s, || FlatBook::with_capacity(n));
        flat_secs.push(t);
        flat_totals = tot;
    }
    // The fills are compared by digest in untimed runs, so the timed loop is the one earlier
    // figures were measured with.
    let checked = stream::run_checked(&mut OrderBook::with_capacity(stream::config(), 1 << 16), &s);
    let flat_checked = stream::run_checked(&mut FlatBook::with_capacity(n), &s);
    ensure!(
        flat_totals == totals && flat_checked == checked,
        "the flat-array book disagrees with the flowsim book on this stream: {flat_checked:?} vs {checked:?}"
    );
    let runs = o.runs;
    let per_op = |secs: f64| (n as f64 / secs / 1e6, secs * 1e9 / n as f64);
    let med = median(&secs);
    let (rate, ns) = per_op(med);
    println!(
        "flowsim book:   {rate:>8.2} M ops/s  {ns:>8.1} ns/op  (median of {runs}; runs {})",
        fmt_runs(&secs)
    );
    println!(
        "                trades {}, traded quantity {}, cancellations {}",
        totals.trades, totals.traded_qty, totals.cancels
    );
    let flat_med = median(&flat_secs);
    let (rate, ns) = per_op(flat_med);
    println!(
        "flat book:      {rate:>8.2} M ops/s  {ns:>8.1} ns/op  (median of {runs}, alternating with the flowsim book; same fills; runs {})",
        fmt_runs(&flat_secs)
    );
    println!(
        "flowsim / flat: {:.2}x the time per operation",
        med / flat_med
    );
    if o.reference_runs > 0 {
        let mut rsecs = Vec::new();
        let mut rtotals = StreamTotals::default();
        for _ in 0..o.reference_runs {
            let (t, tot) = time_run(&s, || ReferenceBook::new(stream::config()));
            rsecs.push(t);
            rtotals = tot;
        }
        let rchecked = stream::run_checked(&mut ReferenceBook::new(stream::config()), &s);
        ensure!(
            rtotals == totals && rchecked == checked,
            "the reference book disagrees with the fast book on this stream: {rtotals:?} vs {totals:?}"
        );
        let rmed = median(&rsecs);
        let (rate, ns) = per_op(rmed);
        println!(
            "reference book: {rate:>8.2} M ops/s  {ns:>8.1} ns/op  (median of {}; same fills)",
            o.reference_runs
        );
        println!("speed-up over the reference: {:.1}x", rmed / med);
    }
    Ok(())
}

fn fmt_runs(secs: &[f64]) -> String {
    secs.iter()
        .map(|s| format!("{:.3}s", s))
        .collect::<Vec<_>>()
        .join(" ")
}
