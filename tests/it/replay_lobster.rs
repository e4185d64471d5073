//! Replay of real LOBSTER samples (NASDAQ, 2012-06-21; `tests/data/lobster/`) through the book,
//! checked row by row against LOBSTER's own orderbook file; and the `flowsim replay` binary on
//! the samples and on malformed files.
//!
//! The acceptance rule (see the data's README): levels 1 to L−1 must match on every row, and
//! all L levels must match on every row once a difference at level L is forgiven where that
//! level just entered the window from depth the message file never describes.

use crate::common::{assert_success, entries, flowsim, text};
use std::path::{Path, PathBuf};
use std::process::Output;

use flowsim::replay::{self, ReplayConfig, compare, read_messages, read_orderbook};

const GOOG_MSG: &str = "GOOG_2012-06-21_34200000_57600000_message_5.first20000.csv";
const GOOG_BOOK: &str = "GOOG_2012-06-21_34200000_57600000_orderbook_5.first20000.csv";
const AAPL_MSG: &str = "AAPL_2012-06-21_34200000_57600000_message_10.first998.csv";
const AAPL_BOOK: &str = "AAPL_2012-06-21_34200000_57600000_orderbook_10.first998.csv";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lobster")
        .join(name)
}

/// A fresh, empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("replay_lobster_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Replays a sample through the library and checks the acceptance rule; returns
/// (rows, rows forgiven by the window rule).
fn replay_sample(msg: &str, book: &str, levels: usize, rows: usize) -> (usize, usize) {
    let messages = read_messages(&data(msg)).unwrap();
    let file = read_orderbook(&data(book)).unwrap();
    assert_eq!(file.levels, levels);
    assert_eq!(messages.messages.len(), rows);
    let out = replay::replay(&messages, &file, &ReplayConfig::default()).unwrap();
    assert_eq!(out.tick, 100, "one cent");
    assert_eq!(out.rows(), rows);
    let rep = compare(&out.values, out.levels, &file).unwrap();
    assert_eq!(rep.rows, rows);
    assert_eq!(
        rep.upper_levels, rows,
        "levels 1..L-1 must match on every row; first mismatch {:?}",
        rep.first_upper_mismatch
    );
    assert_eq!(
        rep.window_aware, rows,
        "all L levels must match with the window rule; first mismatch {:?}",
        rep.first_window_mismatch
    );
    assert_eq!(rep.level1, rows);
    // a consistent file needs none of the replay's repairs
    let s = out.stats;
    assert_eq!(
        (
            s.shortfalls,
            s.unattributed_reductions,
            s.deletion_size_mismatches,
            s.duplicate_ids,
            s.stale_levels_uncrossed
        ),
        (0, 0, 0, 0, 0),
        "{s:?}"
    );
    assert_eq!(s.messages, rows);
    // every forgiven row re-seeded a level from depth, and nothing else did
    assert_eq!(rep.forgiven, s.reseeded_levels);
    (rows, rep.forgiven)
}

#[test]
fn goog_5_levels_replays_to_lobsters_book() {
    let (_, forgiven) = replay_sample(GOOG_MSG, GOOG_BOOK, 5, 20_000);
    // the same count as the Python reference replay (replay_levels.py --window)
    assert_eq!(forgiven, 7108);
}

#[test]
fn aapl_10_levels_replays_to_lobsters_book() {
    // 999 rows: the sample is named "first998" but its last line has no newline
    let (_, forgiven) = replay_sample(AAPL_MSG, AAPL_BOOK, 10, 999);
    assert_eq!(forgiven, 318);
}

/// Without the window rule the replay drifts wherever a deep level re-enters (the README's
/// reason for the rule): the best quotes are wrong on most GOOG rows.
#[test]
fn without_the_window_rule_goog_drifts() {
    let messages = read_messages(&data(GOOG_MSG)).unwrap();
    let file = read_orderbook(&data(GOOG_BOOK)).unwrap();
    let config = ReplayConfig {
        window: false,
        ..ReplayConfig::default()
    };
    let out = replay::replay(&messages, &file, &config).unwrap();
    let rep = compare(&out.values, out.levels, &file).unwrap();
    assert!(rep.rate(rep.level1) < 0.5, "{rep:?}");
}

/// Fewer output levels than the file: the window is still the file's, so every level written
/// is inside it and matches exactly.
#[test]
fn aapl_top_5_of_10_levels_match_exactly() {
    let messages = read_messages(&data(AAPL_MSG)).unwrap();
    let file = read_orderbook(&data(AAPL_BOOK)).unwrap();
    let config = ReplayConfig {
        levels: Some(5),
        ..ReplayConfig::default()
    };
    let out = replay::replay(&messages, &file, &config).unwrap();
    let rep = compare(&out.values, 5, &file).unwrap();
    assert_eq!(rep.exact, rep.rows);
}

#[test]
fn calibration_summary_of_the_real_book() {
    let messages = read_messages(&data(GOOG_MSG)).unwrap();
    let file = read_orderbook(&data(GOOG_BOOK)).unwrap();
    let s = replay::lobster_calibration(&messages, &file, 100);
    assert_eq!(s.events, 20_000);
    assert_eq!(s.levels, 5);
    // counts straight from the message file: 9817 adds, 4 + 8831 cancels, 742 + 606 trades
    assert_eq!(s.arrivals.adds, 9817);
    assert_eq!((s.cancels.partial, s.cancels.full), (4, 8831));
    assert_eq!((s.trades.visible, s.trades.hidden), (742, 606));
    // 09:30:00.015 to about 10:19:55
    assert!((2990.0..3000.0).contains(&s.duration_s), "{}", s.duration_s);
    // GOOG at about $580 quoted wide: the spread is tens of cents, always two-sided here
    let q = s.spread.quantiles.unwrap();
    assert!(q.p10 >= 1 && q.p50 > q.p10 && q.p90 > q.p50, "{q:?}");
    assert_eq!(s.spread.two_sided_share, Some(1.0));
    assert!(s.depth.iter().all(|d| d.bid_mean.unwrap() > 0.0));
    let text = s.to_string();
    for needle in [
        "spread",
        "depth per level",
        "order arrival",
        "cancellations",
        "trades",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
}

// ----- the binary ------------------------------------------------------------------------------

fn run_replay(msg: &Path, book: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "replay".as_ref(),
        "--lobster".as_ref(),
        msg.as_os_str(),
        "--orderbook".as_ref(),
        book.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    flowsim(&args)
}

/// The names in a folder, in order.
fn files_in(dir: &Path) -> Vec<String> {
    entries(dir).into_iter().collect()
}

#[test]
fn binary_replays_both_samples() {
    for (name, msg, book, levels) in [
        ("goog", GOOG_MSG, GOOG_BOOK, 5),
        ("aapl", AAPL_MSG, AAPL_BOOK, 10),
    ] {
        let dir = scratch(&format!("bin_{name}"));
        let out = dir.join("replayed.csv");
        let json = dir.join("summary.json");
        let o = run_replay(
            &data(msg),
            &data(book),
            &out,
            &[
                "--levels",
                &levels.to_string(),
                "--runs",
                "1",
                "--summary-json",
                json.to_str().unwrap(),
            ],
        );
        assert_success(&o, &format!("flowsim replay {name}"));
        let stdout = text(&o.stdout);
        for needle in [
            "messages/s",
            &format!("levels 1..{}", levels - 1),
            "window-aware",
            "100.0000%",
            "spread",
            "depth per level",
        ] {
            assert!(stdout.contains(needle), "{needle:?} missing from\n{stdout}");
        }
        // the written file is LOBSTER's book under the acceptance rule
        let ours = read_orderbook(&out).unwrap();
        let file = read_orderbook(&data(book)).unwrap();
        let rep = compare(&ours.values, ours.levels, &file).unwrap();
        assert_eq!(rep.upper_levels, rep.rows);
        assert_eq!(rep.window_aware, rep.rows);
        // the summary is JSON with the figures printed
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert_eq!(v["matching"]["rows"], rep.rows);
        assert_eq!(v["matching"]["window_aware"], rep.rows);
        assert!(v["timing"]["messages_per_s"].as_f64().unwrap() > 0.0);
        assert!(v["calibration"]["spread"]["histogram"].is_array());
        // nothing else was left in the directory
        assert_eq!(files_in(&dir), ["replayed.csv", "summary.json"]);
    }
}

/// Writes the first `n` lines of a sample.
fn head(src: &str, dst: &Path, n: usize) {
    let text = std::fs::read_to_string(data(src)).unwrap();
    let lines: Vec<&str> = text.lines().take(n).collect();
    std::fs::write(dst, lines.join("\n") + "\n").unwrap();
}

/// Writes the first `n` lines of a sample with line `line` (1-based) replaced by `with`.
fn corrupt(src: &str, dst: &Path, n: usize, line: usize, with: &str) {
    let text = std::fs::read_to_string(data(src)).unwrap();
    let mut lines: Vec<&str> = text.lines().take(n).collect();
    lines[line - 1] = with;
    std::fs::write(dst, lines.join("\n") + "\n").unwrap();
}

/// Runs the binary on a broken pair and checks: failure, a message naming the file and the
/// line, and no output (nor temporary file) left behind.
fn assert_rejected(name: &str, msg: &Path, book: &Path, dir: &Path, expect: &[&str]) {
    let out = dir.join("replayed.csv");
    let before = files_in(dir);
    let o = run_replay(msg, book, &out, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{name}: should fail\n{stderr}");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{name}: a clean error exit, not a crash\n{stderr}"
    );
    for needle in expect {
        assert!(
            stderr.contains(needle),
            "{name}: {needle:?} missing from {stderr:?}"
        );
    }
    assert!(!out.exists(), "{name}: output left behind");
    assert_eq!(files_in(dir), before, "{name}: stray files");
}

#[test]
fn malformed_message_files_stop_with_file_and_line() {
    let dir = scratch("bad_messages");
    let book = dir.join("book.csv");
    head(AAPL_BOOK, &book, 20);
    let cases = [
        (
            "wrong column count",
            5,
            "34200.189608,1,11885113,21,5853600",
            vec![":5:", "5 columns, expected 6"],
        ),
        (
            "bad number",
            7,
            "34200.189608,1,11885113,2x1,5853600,1",
            vec![":7:", "column 4 (Size)", "\"2x1\""],
        ),
        (
            "bad time",
            3,
            "9:30,1,11885113,21,5853600,1",
            vec![":3:", "column 1 (Time)"],
        ),
        (
            "unknown type",
            9,
            "34200.189608,9,11885113,21,5853600,1",
            vec![":9:", "unknown message type \"9\""],
        ),
        (
            "bad direction",
            11,
            "34200.189608,1,11885113,21,5853600,2",
            vec![":11:", "column 6 (Direction)"],
        ),
    ];
    for (name, line, text, expect) in cases {
        let msg = dir.join(format!("{}.csv", name.replace(' ', "_")));
        corrupt(AAPL_MSG, &msg, 20, line, text);
        let shown = msg.display().to_string();
        let mut expect = expect;
        expect.push(&shown);
        assert_rejected(name, &msg, &book, &dir, &expect);
    }
}

#[test]
fn malformed_orderbook_files_stop_with_file_and_line() {
    let dir = scratch("bad_books");
    let msg = dir.join("messages.csv");
    head(AAPL_MSG, &msg, 20);
    let full = std::fs::read_to_string(data(AAPL_BOOK)).unwrap();
    let row4: Vec<&str> = full.lines().nth(3).unwrap().split(',').collect();
    let short = row4[..39].join(",");
    let mut bad_num = row4.clone();
    bad_num[6] = "5853O00";
    let bad_num = bad_num.join(",");
    for (name, line, text, expect) in [
        (
            "wrong column count",
            4,
            short.as_str(),
            vec![":4:", "39 columns, expected 40"],
        ),
        (
            "bad number",
            6,
            bad_num.as_str(),
            vec![":6:", "column 7 (BidPrice2)", "5853O00"],
        ),
    ] {
        let book = dir.join(format!("{}.csv", name.replace(' ', "_")));
        corrupt(AAPL_BOOK, &book, 20, line, text);
        let shown = book.display().to_string();
        let mut expect = expect;
        expect.push(&shown);
        assert_rejected(name, &msg, &book, &dir, &expect);
    }
    // row counts that differ are refused before anything is written
    let book = dir.join("short_book.csv");
    let first_19: Vec<&str> = full.lines().take(19).collect();
    std::fs::write(&book, first_19.join("\n") + "\n").unwrap();
    assert_rejected(
        "row counts",
        &msg,
        &book,
        &dir,
        &["19 rows", "20", "row-aligned"],
    );
}

#[test]
fn an_existing_output_survives_a_failed_run() {
    let dir = scratch("keep_output");
    let out = dir.join("replayed.csv");
    std::fs::write(&out, "previous result\n").unwrap();
    let msg = dir.join("messages.csv");
    corrupt(AAPL_MSG, &msg, 20, 2, "34200.1,4,1,1,1,1,1");
    let o = run_replay(&msg, &data(AAPL_BOOK), &out, &[]);
    assert!(!o.status.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous result\n");
    assert_eq!(files_in(&dir), ["messages.csv", "replayed.csv"]);
}

// ----- robustness: inconsistent files never panic -----------------------------------------------

mod fuzz {
    use flowsim::replay::lobster::{EMPTY_ASK, EMPTY_BID};
    use flowsim::replay::{
        Message, MessageFile, MessageType, OrderbookFile, ReplayConfig, compare, replay,
    };
    use proptest::prelude::*;

    const TYPES: [MessageType; 7] = [
        MessageType::Add,
        MessageType::PartialCancel,
        MessageType::Delete,
        MessageType::ExecuteVisible,
        MessageType::ExecuteHidden,
        MessageType::Cross,
        MessageType::Halt,
    ];

    fn message() -> impl Strategy<Value = (usize, u64, u64, i64, bool)> {
        (
            0..7usize,
            1..12u64,
            1..400u64,
            9_990..10_010i64,
            any::<bool>(),
        )
    }

    /// One orderbook level pair: present or not, price offset, size.
    fn level() -> impl Strategy<Value = (bool, i64, i64)> {
        (any::<bool>(), 0..15i64, 1..500i64)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Random, mutually inconsistent message and orderbook files (unknown ids, crossing
        /// adds, over-large cancels, levels that appear from nowhere) replay without error or
        /// panic, and the replayed book is never crossed.
        #[test]
        fn inconsistent_files_replay_without_panicking(
            msgs in prop::collection::vec(message(), 1..60),
            levels in prop::collection::vec(level(), 60 * 4),
            window in any::<bool>(),
        ) {
            let n = msgs.len();
            let messages = MessageFile {
                path: "fuzz_message.csv".into(),
                messages: msgs
                    .iter()
                    .enumerate()
                    .map(|(i, &(t, id, size, price, buy))| Message {
                        time_ns: 34_200_000_000_000 + i as u64 * 1_000,
                        kind: TYPES[t],
                        order_id: id,
                        size,
                        price: if TYPES[t] == MessageType::Halt { -1 } else { price * 100 },
                        direction: if buy { 1 } else { -1 },
                        line: i as u64 + 1,
                    })
                    .collect(),
            };
            let l = 2;
            let mut values = Vec::new();
            for r in 0..n {
                for k in 0..2 * l {
                    let (present, off, size) = levels[r * 2 * l + k];
                    let ask = k % 2 == 0;
                    let price = if ask { 10_005 + off } else { 10_004 - off } * 100;
                    match (present, ask) {
                        (true, _) => values.extend([price, size]),
                        (false, true) => values.extend([EMPTY_ASK, 0]),
                        (false, false) => values.extend([EMPTY_BID, 0]),
                    }
                }
            }
            let book = OrderbookFile {
                path: "fuzz_orderbook.csv".into(),
                levels: l,
                values,
                lines: (1..=n as u64).collect(),
            };
            let config = ReplayConfig { window, ..ReplayConfig::default() };
            let out = replay(&messages, &book, &config);
            prop_assert!(out.is_ok(), "{:?}", out.err());
            let out = out.unwrap();
            prop_assert_eq!(out.rows(), n);
            prop_assert!(compare(&out.values, out.levels, &book).is_some());
            for row in out.values.chunks_exact(4 * l) {
                if row[1] > 0 && row[3] > 0 {
                    prop_assert!(row[2] < row[0], "crossed row {:?}", row);
                }
            }
        }
    }
}
