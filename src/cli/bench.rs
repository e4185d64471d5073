//! `flowsim bench`: throughput measurements reported as medians over repeated runs.

use anyhow::{Result, ensure};
use clap::Subcommand;
use std::time::Instant;

use flowsim::book::reference::ReferenceBook;
use flowsim::book::stream::{self, Stream, StreamTotals};
use flowsim::book::{MatchingEngine, OrderBook};

#[derive(Subcommand)]
pub enum BenchTarget {
    /// Matching-engine throughput on the seeded benchmark stream (see BENCHMARKS.md), compared
    /// with the naive reference book on the same stream.
    Book {
        /// Operations in the stream (limit orders, market orders and cancels).
        #[arg(long, default_value_t = 2_000_000)]
        orders: usize,
        /// Seed of the stream.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Timed runs of the fast book; the median is reported.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Timed runs of the reference book (0 skips it).
        #[arg(long, default_value_t = 1)]
        reference_runs: usize,
        /// Share of cancels in the stream. The standard 0.45 keeps the book nearly empty;
        /// lower values build a standing book (0.35 for a deep-book run).
        #[arg(long, default_value_t = stream::DEFAULT_CANCEL_SHARE)]
        cancel_share: f64,
    },
}

pub fn run(target: BenchTarget) -> Result<()> {
    match target {
        BenchTarget::Book {
            orders,
            seed,
            runs,
            reference_runs,
            cancel_share,
        } => bench_book(orders, seed, runs, reference_runs, cancel_share),
    }
}

/// Times `runs` passes of the stream through fresh engines made by `make`; returns the
/// per-run seconds and the totals of the last run.
fn time_runs<E: MatchingEngine>(
    stream: &Stream,
    runs: usize,
    make: impl Fn() -> E,
) -> (Vec<f64>, StreamTotals) {
    let mut secs = Vec::with_capacity(runs);
    let mut totals = StreamTotals::default();
    for _ in 0..runs {
        let mut engine = make();
        let t = Instant::now();
        totals = stream::run(&mut engine, stream);
        secs.push(t.elapsed().as_secs_f64());
        std::hint::black_box(&engine);
    }
    (secs, totals)
}

pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn bench_book(
    orders: usize,
    seed: u64,
    runs: usize,
    reference_runs: usize,
    cancel_share: f64,
) -> Result<()> {
    ensure!(
        (0.0..=0.9).contains(&cancel_share),
        "--cancel-share must be between 0 and 0.9"
    );
    ensure!(orders > 0, "--orders must be positive");
    ensure!(runs > 0, "--runs must be positive");
    let t = Instant::now();
    let s = stream::generate_with(orders, seed, cancel_share);
    let (mut limits, mut markets, mut cancels) = (0, 0, 0);
    for op in &s.ops {
        match op {
            stream::StreamOp::Limit { .. } => limits += 1,
            stream::StreamOp::Market { .. } => markets += 1,
            stream::StreamOp::Cancel { .. } => cancels += 1,
        }
    }
    println!(
        "stream: {orders} operations, seed {seed} ({limits} limit, {markets} market, {cancels} cancel), {:.0} resting orders on average, generated in {:.2} s",
        s.mean_live,
        t.elapsed().as_secs_f64()
    );
    let (secs, totals) = time_runs(&s, runs, || {
        OrderBook::with_capacity(stream::config(), 1 << 16)
    });
    let med = median(&secs);
    println!(
        "flowsim book:   {:>8.2} M ops/s  {:>8.1} ns/op  (median of {runs}; runs {})",
        orders as f64 / med / 1e6,
        med * 1e9 / orders as f64,
        fmt_runs(&secs)
    );
    println!(
        "                trades {}, traded quantity {}, cancellations {}",
        totals.trades, totals.traded_qty, totals.cancels
    );
    if reference_runs > 0 {
        let (rsecs, rtotals) =
            time_runs(&s, reference_runs, || ReferenceBook::new(stream::config()));
        ensure!(
            rtotals == totals,
            "the reference book disagrees with the fast book on this stream: {rtotals:?} vs {totals:?}"
        );
        let rmed = median(&rsecs);
        println!(
            "reference book: {:>8.2} M ops/s  {:>8.1} ns/op  (median of {reference_runs}; same fills)",
            orders as f64 / rmed / 1e6,
            rmed * 1e9 / orders as f64
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
