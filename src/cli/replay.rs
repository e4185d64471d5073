//! `flowsim replay`: replays a LOBSTER message file through the book, writes the replayed book
//! in LOBSTER's orderbook layout, reports the speed and the match with LOBSTER's own book, and
//! prints a calibration summary of the real book.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use clap::Args;
use serde::Serialize;

use flowsim::analysis::calibration::CalibrationSummary;
use flowsim::replay::{
    self, MatchReport, ReplayConfig, ReplayStats, lobster::PRICE_UNITS_PER_DOLLAR,
};

use flowsim::analysis::distribution::median;

#[derive(Args)]
pub struct ReplayArgs {
    /// LOBSTER message file (N rows: Time,Type,OrderID,Size,Price,Direction; no header).
    #[arg(long, value_name = "MESSAGE.csv")]
    lobster: PathBuf,
    /// LOBSTER orderbook file of the same N rows (4·L columns; no header).
    #[arg(long, value_name = "ORDERBOOK.csv")]
    orderbook: PathBuf,
    /// Levels to write; at most the orderbook file's L (default: L).
    #[arg(long, value_name = "L", allow_hyphen_values = true,
          value_parser = super::at_most(1, 1000))]
    levels: Option<usize>,
    /// Where to write the replayed book (LOBSTER orderbook layout), atomically.
    #[arg(long, value_name = "OUT.csv")]
    out: PathBuf,
    /// Tick size in LOBSTER price units (dollars × 10 000; 100 = one cent). Default: detected
    /// as the greatest common divisor of the book's prices (orderbook levels, adds, cancels
    /// and visible executions; hidden executions may trade at half ticks).
    #[arg(long, allow_hyphen_values = true,
          value_parser = clap::value_parser!(i64).range(1..=1_000_000_000))]
    tick: Option<i64>,
    /// Do not apply the depth-window rule: a pure message-driven replay, which drifts wherever
    /// a level enters the window from depth the message file never described.
    #[arg(long)]
    no_window: bool,
    /// Timed replay runs; the median speed is reported (the output is the same every run).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Also write the calibration summary, match rates and replay statistics as JSON.
    #[arg(long, value_name = "PATH")]
    summary_json: Option<PathBuf>,
}

#[derive(Serialize)]
struct Timing {
    /// Reading, checking and converting both files to ticks.
    parse_s: f64,
    /// Median replay time: book building, the window rule and the output rows in memory;
    /// excludes parsing, checking and writing.
    replay_s: f64,
    messages_per_s: f64,
    runs: usize,
    write_s: f64,
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    messages_file: String,
    orderbook_file: String,
    levels: usize,
    window_levels: usize,
    tick_price_units: i64,
    tick_dollars: f64,
    window_rule: bool,
    timing: Timing,
    replay: &'a ReplayStats,
    matching: &'a MatchReport,
    calibration: &'a CalibrationSummary,
}

fn rate_line(label: &str, n: usize, rep: &MatchReport) -> String {
    format!(
        "  {label:<34} {n:>9} / {}  {:>9.4}%",
        rep.rows,
        100.0 * rep.rate(n)
    )
}

pub fn run(args: ReplayArgs) -> Result<()> {
    ensure!(args.runs > 0, "--runs must be positive");
    let t = Instant::now();
    let messages = replay::read_messages(&args.lobster).context("reading the message file")?;
    let book = replay::read_orderbook(&args.orderbook).context("reading the orderbook file")?;
    let n = messages.messages.len();

    let config = ReplayConfig {
        levels: args.levels,
        tick: args.tick,
        window: !args.no_window,
    };
    let prepared = replay::prepare(&messages, &book, &config).context("checking the files")?;
    let parse_s = t.elapsed().as_secs_f64();
    let mut secs = Vec::with_capacity(args.runs);
    let mut output = None;
    for _ in 0..args.runs {
        let t = Instant::now();
        let out = prepared.run().context("replaying")?;
        secs.push(t.elapsed().as_secs_f64());
        output = Some(out);
    }
    let out = output.context("no replay run")?;
    let replay_s = median(&secs);
    let messages_per_s = n as f64 / replay_s.max(1e-12);

    let t = Instant::now();
    replay::write_orderbook(&args.out, out.levels, &out.values)
        .context("writing the replayed book")?;
    let write_s = t.elapsed().as_secs_f64();

    let report = replay::compare(&out.values, out.levels, &book)
        .context("the replayed book and the orderbook file differ in shape")?;
    let calibration = replay::lobster_calibration(&messages, &book, out.tick);

    let l = out.levels;
    println!(
        "replay: {} ({n} messages) against {} ({} levels)",
        args.lobster.display(),
        args.orderbook.display(),
        book.levels
    );
    println!(
        "tick: {} price units = ${:.4}{}; depth-window rule: {}",
        out.tick,
        out.tick as f64 / PRICE_UNITS_PER_DOLLAR as f64,
        if args.tick.is_some() {
            " (given)"
        } else {
            " (detected)"
        },
        if config.window { "on" } else { "off" }
    );
    println!("parsed and checked both files (tick grid, prices to ticks) in {parse_s:.3} s");
    println!(
        "replayed {n} messages in {:.4} s: {:.0} messages/s ({:.2} M/s; median of {} runs; \
         book building, window rule and output rows in memory; excluding parsing, checking and \
         writing)",
        replay_s,
        messages_per_s,
        messages_per_s / 1e6,
        args.runs
    );
    println!(
        "wrote {} ({} rows x {} columns) in {write_s:.3} s",
        args.out.display(),
        out.rows(),
        4 * l
    );
    println!("match with the orderbook file:");
    println!(
        "{}",
        rate_line("level 1 (best bid and ask)", report.level1, &report)
    );
    let upper = if l > 1 {
        format!("levels 1..{}", l - 1)
    } else {
        "levels 1..0 (none)".to_string()
    };
    println!("{}", rate_line(&upper, report.upper_levels, &report));
    println!(
        "{}",
        rate_line(&format!("all {l} levels, exact"), report.exact, &report)
    );
    println!(
        "{}  ({} rows forgiven: level {l} entered from depth)",
        rate_line(
            &format!("all {l} levels, window-aware"),
            report.window_aware,
            &report
        ),
        report.forgiven
    );
    for (what, m) in [
        ("levels 1..L-1", &report.first_upper_mismatch),
        ("window-aware", &report.first_window_mismatch),
    ] {
        if let Some(m) = m {
            println!(
                "  first {what} mismatch: row {}, {} ours {} file {}",
                m.row, m.column, m.ours, m.file
            );
        }
    }
    let s = &out.stats;
    println!(
        "messages: {} adds, {} partial cancels, {} deletions, {} visible executions, {} hidden \
         executions, {} crosses, {} halts",
        s.adds,
        s.partial_cancels,
        s.deletions,
        s.visible_executions,
        s.hidden_executions,
        s.crosses,
        s.halts
    );
    println!(
        "book: {} seed levels, {} levels re-seeded from depth, {} levels forgotten beyond the \
         window, {} reductions of orders never seen, peak {} orders",
        s.seed_levels,
        s.reseeded_levels,
        s.forgotten_levels,
        s.unseen_order_reductions,
        s.peak_orders
    );
    println!(
        "inconsistencies: {} shortfalls, {} unattributed reductions, {} deletion size \
         mismatches, {} duplicate ids, {} stale levels uncrossed",
        s.shortfalls,
        s.unattributed_reductions,
        s.deletion_size_mismatches,
        s.duplicate_ids,
        s.stale_levels_uncrossed
    );
    println!();
    print!("{calibration}");

    if let Some(path) = &args.summary_json {
        let summary = SummaryFile {
            messages_file: args.lobster.display().to_string(),
            orderbook_file: args.orderbook.display().to_string(),
            levels: l,
            window_levels: out.window_levels,
            tick_price_units: out.tick,
            tick_dollars: out.tick as f64 / PRICE_UNITS_PER_DOLLAR as f64,
            window_rule: config.window,
            timing: Timing {
                parse_s,
                replay_s,
                messages_per_s,
                runs: args.runs,
                write_s,
            },
            replay: &out.stats,
            matching: &report,
            calibration: &calibration,
        };
        let json = serde_json::to_vec_pretty(&summary).context("encoding the summary")?;
        replay::write_atomic(path, |w| std::io::Write::write_all(w, &json))
            .context("writing the summary")?;
        println!("summary written to {}", path.display());
    }
    Ok(())
}
