//! `flowsim run` and `flowsim validate` end to end through the real binary: determinism of the
//! result folder, the seed override and `summary.json`, located errors for bad scenarios (and
//! no output folder, not even a hidden staging one, when a run is refused), the protection of
//! an existing folder, what the run prints, and the consistency of the files it writes.
//!
//! Every test works in its own folder under the system temp dir, removed when the test ends;
//! failure messages carry the full paths.

use crate::common::{
    Scratch, TINY, assert_located, assert_same_tree, assert_success, entries, flowsim, flowsim_in,
    line_of, num, read_csv_maps, run_ok, text,
};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The files every finished run folder holds, and nothing else.
const RUN_FILES: [&str; 17] = [
    "bars.csv",
    "bars.parquet",
    "calendar.csv",
    "charts",
    "events.csv",
    "events.parquet",
    "flows.csv",
    "flows.parquet",
    "positions.csv",
    "positions.parquet",
    "report.html",
    "scenario.toml",
    "state.csv",
    "state.parquet",
    "summary.json",
    "trades.csv",
    "trades.parquet",
];

/// Two instruments with different ticks and contract sizes, and no borrow fee so that cash is
/// conserved exactly between the classes.
const TWO_INSTRUMENTS: &str = r#"name = "pair"
seed = 9
days = 3

[market]
borrow_fee_annual = 0.0

[prehistory]
kind = "synthetic"
days = 30

[[instruments]]
symbol = "SPX"
initial_price = 5000.0
tick_size = 0.25
notional_per_unit = 50.0

[[instruments]]
symbol = "ETF"
initial_price = 500.0
tick_size = 0.01
notional_per_unit = 1.0

[[shocks]]
day = 2
time = "11:00"
instrument = "ETF"
fundamental_jump = -0.03

[agents.market_maker]
count = 2

[agents.noise]
count = 30

[agents.value]
count = 5
"#;

// ---------------------------------------------------------------------------------------------
// Helpers

fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

fn stderr(o: &Output) -> String {
    text(&o.stderr)
}

/// The text with `from` replaced by `to`; `from` must occur.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} is not in the scenario");
    text.replacen(from, to, 1)
}

/// Runs a scenario that must be refused: a plain failure (not a panic), nothing on stdout, a
/// message on stderr, no output folder and no hidden staging folder left beside it. Returns the
/// scenario's path and the message.
fn refused(scratch: &Scratch, text: &str) -> (PathBuf, String) {
    let scenario = scratch.write("scenario.toml", text);
    let before = scratch.entries();
    let out = scratch.path("out");
    let o = flowsim([
        OsStr::new("run"),
        scenario.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "expected a refusal (exit 1), got {:?}\nstderr:\n{err}",
        o.status
    );
    assert!(
        !err.contains("panicked"),
        "panic instead of an error:\n{err}"
    );
    assert!(err.starts_with("error: "), "stderr:\n{err}");
    assert_eq!(stdout(&o), "", "a refused run prints nothing on stdout");
    assert!(!out.exists(), "a refused run created {}", out.display());
    assert_eq!(
        scratch.entries(),
        before,
        "a refused run left something in the output's parent"
    );
    (scenario, err)
}

fn summary(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

// ---------------------------------------------------------------------------------------------
// 1. Determinism

#[test]
fn same_scenario_and_seed_give_byte_identical_folders_and_another_seed_differs() {
    let s = Scratch::new("determinism");
    let scenario = s.write("tiny.toml", TINY);
    let (a, b, c) = (s.path("a"), s.path("b"), s.path("c"));
    run_ok(&scenario, &a, &["--quiet"]);
    run_ok(&scenario, &b, &["--quiet"]);
    run_ok(&scenario, &c, &["--quiet", "--seed", "6"]);

    let expected: BTreeSet<String> = RUN_FILES.iter().map(|f| f.to_string()).collect();
    assert_eq!(entries(&a), expected);
    assert_eq!(entries(&b), expected);
    assert_same_tree(&a, &b);
    let trades_a = std::fs::read(a.join("trades.csv")).unwrap();
    let trades_c = std::fs::read(c.join("trades.csv")).unwrap();
    assert!(
        read_csv_maps(&a.join("trades.csv")).len() > 1000,
        "too few trades to compare"
    );
    assert_ne!(trades_a, trades_c, "seeds 5 and 6 gave the same trades");
}

// ---------------------------------------------------------------------------------------------
// 2. Seed override and summary.json

/// Every agent kind, so that the agents' state, events and rolls are part of what must repeat.
#[test]
fn runs_with_every_agent_kind_are_byte_identical() {
    let s = Scratch::new("determinism-flows");
    let text = format!(
        "{TINY}\n[agents.vol_target]\nband = 0.0\n[agents.letf]\n[agents.cta]\n[agents.dealer]\n[agents.short_seller]\ninitial_short_usd = 5e9\n[agents.hedger]\n[agents.pension]\n[agents.long_term]\n"
    );
    let scenario = s.write("flows.toml", &text);
    let (a, b) = (s.path("a"), s.path("b"));
    run_ok(&scenario, &a, &["--quiet"]);
    run_ok(&scenario, &b, &["--quiet"]);
    assert_same_tree(&a, &b);
    let state = read_csv_maps(&a.join("state.csv"));
    let classes: BTreeSet<String> = state.iter().map(|r| r["class"].clone()).collect();
    for c in [
        "vol_target",
        "letf",
        "cta",
        "dealer",
        "short_seller",
        "hedger",
        "real_money",
    ] {
        assert!(classes.contains(c), "no state rows for {c}: {classes:?}");
    }
}

#[test]
fn seed_flag_overrides_the_scenario_seed_and_summary_records_the_run() {
    let s = Scratch::new("summary");
    let scenario = s.write("tiny.toml", TINY);
    let (own, flag) = (s.path("own"), s.path("flag"));
    run_ok(&scenario, &own, &["--quiet"]);
    run_ok(&scenario, &flag, &["--quiet", "--seed", "77"]);
    let (own_sum, flag_sum) = (summary(&own), summary(&flag));

    assert_eq!(own_sum["seed"], 5, "the scenario's seed is the default");
    assert_eq!(flag_sum["seed"], 77, "--seed overrides the scenario's seed");

    let want_hash: String = {
        use sha2::Digest;
        sha2::Sha256::digest(TINY.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    for (dir, sum) in [(&own, &own_sum), (&flag, &flag_sum)] {
        assert_eq!(sum["flowsim_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(sum["scenario"], "tiny");
        let hash = sum["scenario_sha256"].as_str().expect("scenario_sha256");
        assert!(
            hash.len() == 64
                && hash
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "not a SHA-256 in hex: {hash:?}"
        );
        assert_eq!(hash, want_hash, "hash of the scenario file's bytes");
        assert_eq!(
            std::fs::read_to_string(dir.join("scenario.toml")).unwrap(),
            TINY,
            "the run folder keeps the scenario as written"
        );
        assert_eq!(sum["days"], 2);
        assert_eq!(sum["agents"], 37);
        let counts = &sum["counts"];
        let trades = read_csv_maps(&dir.join("trades.csv")).len() as u64;
        assert_eq!(counts["trades"].as_u64(), Some(trades), "{counts}");
        assert!(counts["orders"].as_u64().unwrap() > trades, "{counts}");
        assert!(counts["events"].as_u64().unwrap() > 0, "{counts}");
        assert_eq!(counts["halts"], 0, "{counts}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Bad scenarios: refused with a located message and no output

#[test]
fn wrong_type_is_refused_at_its_line() {
    let s = Scratch::new("wrong-type");
    let text = edit(TINY, "days = 2", "days = \"ten\"");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "\"ten\""), "\"ten\"");
}

/// The type error of a value gives the line and column but not the key: a user with a long
/// file sees `invalid type: string "ten", expected u32` without the word `days`. The scenario
/// error docs promise "each names the file, the line and the field". A repeated key gives only
/// `scenario.toml:4:1: duplicate key`. toml's own Display quotes the offending line, but
/// `scenario::load` keeps `message()` only.
#[test]
fn wrong_type_message_names_the_field() {
    let s = Scratch::new("wrong-type-field");
    let text = edit(TINY, "days = 2", "days = \"ten\"");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "\"ten\""), "days");

    let s = Scratch::new("wrong-type-field-nested");
    let text = edit(TINY, "count = 30", "count = \"many\"");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "\"many\""), "count");

    let s = Scratch::new("duplicate-key-field");
    let text = edit(TINY, "days = 2\n", "days = 2\ndays = 3\n");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "days = 3"), "days");
}

#[test]
fn unknown_top_level_key_is_refused() {
    let s = Scratch::new("unknown-top");
    let text = edit(TINY, "days = 2\n", "days = 2\ncolour = \"blue\"\n");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "colour"), "`colour`");
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn unknown_key_inside_agents_noise_is_refused() {
    let s = Scratch::new("unknown-noise");
    let text = edit(TINY, "count = 30\n", "count = 30\nspeed = 3\n");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "speed"), "`speed`");
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn unknown_agent_kind_is_refused() {
    let s = Scratch::new("wizard");
    let text = format!("{TINY}\n[agents.wizard]\ncount = 3\n");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "[agents.wizard]"), "wizard");
    // Says which kinds exist.
    assert!(
        err.contains("market_maker") && err.contains("noise"),
        "{err}"
    );
}

#[test]
fn negative_size_is_refused() {
    let s = Scratch::new("negative");
    let text = edit(TINY, "count = 30\n", "count = 30\norder_usd = -5\n");
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "order_usd"),
        "agents.noise.order_usd",
    );
    assert!(err.contains("positive"), "{err}");
}

#[test]
fn letf_leverage_outside_the_allowed_multiples_is_refused() {
    let s = Scratch::new("letf-leverage");
    let text = format!(
        "{TINY}\n[[agents.letf.funds]]\nleverage = 3\naum_usd = 1e9\n\n[[agents.letf.funds]]\nleverage = 4\naum_usd = 1e9\n"
    );
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "leverage = 4"),
        "agents.letf.funds[1].leverage",
    );
    assert!(err.contains("2, 3, -1, -2 or -3"), "{err}");
}

#[test]
fn closing_ladder_share_above_one_unknown_limit_and_a_numeric_risk_budget_are_refused() {
    let s = Scratch::new("value-close");
    let text = edit(TINY, "count = 5\n", "count = 5\nclose_speed = 1.5\n");
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "close_speed"),
        "agents.value.close_speed",
    );
    assert!(err.contains("between 0 and 1"), "{err}");
    let text = edit(TINY, "count = 5\n", "count = 5\nlimit = \"middle\"\n");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "limit"), "agents.value.limit");
    assert!(err.contains("edge") && err.contains("schedule"), "{err}");
    let text = edit(TINY, "count = 5\n", "count = 5\nrisk_budget = 0.12\n");
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "risk_budget"),
        "agents.value.risk_budget",
    );
    // A risk budget scales depth by annual_vol / σ̂: a zero-volatility instrument has none.
    let text = edit(
        &edit(TINY, "count = 5\n", "count = 5\nrisk_budget = true\n"),
        "notional_per_unit = 50.0\n",
        "notional_per_unit = 50.0\nannual_vol = 0.0\n",
    );
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "risk_budget"),
        "agents.value.risk_budget",
    );
    assert!(err.contains("annual_vol above 0"), "{err}");
}

#[test]
fn implausible_prehistory_drift_is_refused() {
    let s = Scratch::new("drift");
    let text = edit(TINY, "days = 30\n", "days = 30\nannual_drift = 3.0\n");
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "annual_drift"),
        "prehistory.annual_drift",
    );
}

#[test]
fn ewma_lambda_of_one_is_refused() {
    let s = Scratch::new("vt-lambda");
    let text = format!("{TINY}\n[agents.vol_target]\newma_lambdas = [0.94, 1.0]\n");
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "ewma_lambdas"),
        "agents.vol_target.ewma_lambdas",
    );
    assert!(err.contains("strictly between 0 and 1"), "{err}");
}

#[test]
fn execution_window_ending_before_it_starts_is_refused() {
    let s = Scratch::new("exec-window");
    let text = format!(
        "{TINY}\n[agents.cta]\nexecution = {{ style = \"twap\", start = \"15:00\", end = \"14:00\" }}\n"
    );
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "execution ="),
        "agents.cta.execution.end",
    );
    assert!(err.contains("after start"), "{err}");
}

#[test]
fn unknown_option_kind_is_refused() {
    let s = Scratch::new("option-kind");
    let text = format!(
        "{TINY}\n[[agents.dealer.series]]\nkind = \"straddle\"\nmoneyness = 1.0\nexpiry_days = 21\ncontracts = 1000\n"
    );
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "straddle"), "kind");
}

#[test]
fn mechanical_agent_on_an_unknown_instrument_is_refused() {
    let s = Scratch::new("unknown-instrument-agent");
    let text = format!("{TINY}\n[agents.short_seller]\ninstrument = \"NDX\"\n");
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "instrument = \"NDX\""),
        "agents.short_seller.instrument",
    );
    assert!(err.contains("unknown instrument"), "{err}");
}

#[test]
fn nan_is_refused() {
    let s = Scratch::new("nan");
    let text = edit(
        TINY,
        "notional_per_unit = 50.0\n",
        "notional_per_unit = 50.0\nannual_vol = nan\n",
    );
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "annual_vol"),
        "instruments[0].annual_vol",
    );
    assert!(err.contains("finite"), "{err}");
}

#[test]
fn zero_agents_are_refused() {
    // Every count 0.
    let s = Scratch::new("zero-counts");
    let text = TINY
        .replace("count = 2", "count = 0")
        .replace("count = 30", "count = 0")
        .replace("count = 5", "count = 0");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "[agents."), "`agents`");
    assert!(err.contains("no agents"), "{err}");

    // An empty [agents] table.
    let s = Scratch::new("empty-agents");
    let head = &TINY[..TINY.find("[agents.").unwrap()];
    let text = format!("{head}[agents]\n");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "[agents]"), "`agents`");

    // No agents table at all.
    let s = Scratch::new("no-agents");
    let (file, err) = refused(&s, head);
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("`agents`"), "{err}");
}

#[test]
fn close_before_open_is_refused() {
    let s = Scratch::new("close-before-open");
    let text = format!("{TINY}\n[calendar]\nopen = \"10:00\"\nclose = \"09:00\"\n");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "close = "), "calendar.close");
}

#[test]
fn closing_auction_as_long_as_the_session_is_refused() {
    let s = Scratch::new("auction-long");
    let text = format!(
        "{TINY}\n[calendar]\nopen = \"09:30\"\nclose = \"16:00\"\nclosing_auction_minutes = 390\n"
    );
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "closing_auction_minutes"),
        "calendar.closing_auction_minutes",
    );
}

#[test]
fn impossible_time_of_day_is_refused() {
    let s = Scratch::new("25h");
    let text = format!("{TINY}\n[calendar]\nopen = \"25:00\"\n");
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "25:00"), "calendar.open");
    assert!(err.contains("25:00"), "{err}");
}

/// A key missing from the top level is named as such, not pinned on the file's first key.
#[test]
fn a_missing_top_level_table_is_named_at_the_top_level() {
    let s = Scratch::new("no-agents");
    let text = &TINY[..TINY.find("[agents.").unwrap()];
    let (file, err) = refused(&s, text);
    assert!(err.contains(&format!("{}:1:1:", file.display())), "{err}");
    assert!(
        err.contains("missing field `agents` at the top level of the file"),
        "{err}"
    );
    assert!(!err.contains("`name`"), "{err}");
}

#[test]
fn missing_instruments_are_refused() {
    // No [[instruments]] at all.
    let s = Scratch::new("no-instruments");
    let start = TINY.find("[[instruments]]").unwrap();
    let end = TINY.find("[agents.").unwrap();
    let text = format!("{}{}", &TINY[..start], &TINY[end..]);
    let (file, err) = refused(&s, &text);
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("`instruments`"), "{err}");

    // An empty list.
    let s = Scratch::new("empty-instruments");
    let text = format!(
        "{}instruments = []\n{}{}",
        &TINY[..TINY.find("\n[prehistory]").unwrap() + 1],
        &TINY[TINY.find("\n[prehistory]").unwrap()..start],
        &TINY[end..]
    );
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "instruments = []"),
        "instruments",
    );
}

#[test]
fn duplicate_symbol_is_refused() {
    let s = Scratch::new("duplicate");
    let text = edit(
        TINY,
        "[agents.market_maker]",
        "[[instruments]]\nsymbol = \"SPX\"\ninitial_price = 100.0\nnotional_per_unit = 1.0\n\n[agents.market_maker]",
    );
    let (file, err) = refused(&s, &text);
    let second = text.match_indices("symbol = \"SPX\"").nth(1).unwrap().0;
    let line = text[..second].matches('\n').count() + 1;
    assert_located(&err, &file, line, "instruments[1].symbol");
    assert!(err.contains("duplicate"), "{err}");
}

const SHOCK: &str =
    "\n[[shocks]]\nday = DAY\ntime = \"10:00\"\ninstrument = \"SYM\"\nfundamental_jump = -0.05\n";

#[test]
fn shock_after_the_last_day_is_refused() {
    let s = Scratch::new("shock-day");
    let text = format!("{TINY}{}", SHOCK.replace("DAY", "3").replace("SYM", "SPX"));
    let (file, err) = refused(&s, &text);
    assert_located(&err, &file, line_of(&text, "day = 3"), "shocks[0].day");
}

#[test]
fn shock_on_an_unknown_instrument_is_refused() {
    let s = Scratch::new("shock-instrument");
    let text = format!("{TINY}{}", SHOCK.replace("DAY", "1").replace("SYM", "NDX"));
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "\"NDX\""),
        "shocks[0].instrument",
    );
    assert!(err.contains("NDX"), "{err}");
}

fn with_csv_prehistory(file: &str) -> String {
    edit(
        TINY,
        "kind = \"synthetic\"\ndays = 30",
        &format!("kind = \"csv\"\nfile = \"{file}\""),
    )
}

#[test]
fn missing_prehistory_csv_is_refused() {
    let s = Scratch::new("csv-missing");
    let (file, err) = refused(&s, &with_csv_prehistory("closes.csv"));
    let csv = s.path("closes.csv");
    assert!(
        err.contains(&csv.display().to_string()),
        "names the CSV:\n{err}"
    );
    assert!(
        err.contains(&file.display().to_string()),
        "names the scenario:\n{err}"
    );
}

#[test]
fn non_numeric_close_in_prehistory_csv_is_refused_at_its_line() {
    let s = Scratch::new("csv-bad");
    let csv = s.write(
        "closes.csv",
        "day,SPX\n2018-01-02,4000\n2018-01-03,4050.5\n2018-01-04,abc\n2018-01-05,4100\n",
    );
    let (_, err) = refused(&s, &with_csv_prehistory("closes.csv"));
    assert!(
        err.contains(&format!("{}:4:", csv.display())),
        "names the CSV and line 4:\n{err}"
    );
    assert!(err.contains("abc") && err.contains("SPX"), "{err}");
}

/// The positive control for the two tests above: a good CSV, named relative to the scenario
/// file, run from another working directory.
#[test]
fn prehistory_csv_is_read_relative_to_the_scenario() {
    let s = Scratch::new("csv-good");
    s.write(
        "closes.csv",
        "day,SPX\n2018-01-02,4000\n2018-01-03,4050.5\n2018-01-04,4025\n2018-01-05,4100\n",
    );
    let scenario = s.write("tiny.toml", &with_csv_prehistory("closes.csv"));
    let elsewhere = Scratch::new("csv-good-cwd");
    let out = s.path("out");
    let o = flowsim_in(
        Some(&elsewhere.dir),
        [
            OsStr::new("run"),
            scenario.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--quiet"),
        ],
    );
    assert_success(&o, "run with a CSV pre-history");
    assert!(out.join("trades.csv").exists());
}

#[test]
fn tick_value_not_a_whole_number_of_cents_is_refused() {
    // 0.25 × 0.3 = $0.075 per tick and unit.
    let s = Scratch::new("cents");
    let text = edit(TINY, "notional_per_unit = 50.0", "notional_per_unit = 0.3");
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "notional_per_unit"),
        "instruments[0].notional_per_unit",
    );
    assert!(err.contains("cents"), "{err}");

    // Below one cent: 0.001 × 1.
    let s = Scratch::new("sub-cent");
    let text = edit(TINY, "tick_size = 0.25", "tick_size = 0.001")
        .replace("notional_per_unit = 50.0", "notional_per_unit = 1.0");
    let (file, err) = refused(&s, &text);
    assert_located(
        &err,
        &file,
        line_of(&text, "notional_per_unit"),
        "notional_per_unit",
    );
}

#[test]
fn run_of_a_nonexistent_file_fails_naming_it() {
    let s = Scratch::new("nonexistent");
    let missing = s.path("nope.toml");
    let out = s.path("out");
    let o = flowsim([
        OsStr::new("run"),
        missing.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("cannot read"), "{err}");
    assert!(s.entries().is_empty(), "left {:?}", s.entries());
}

/// `error: /x/nope.toml: cannot read the scenario: No such file or directory (os error 2): No
/// such file or directory (os error 2)`: the I/O error is both in the Display string and the
/// `#[source]`, and `{:#}` prints the chain. Same for the pre-history CSV (BuildError::PrehistoryIo).
#[test]
fn unreadable_file_message_states_the_os_error_once() {
    let s = Scratch::new("os-error-once");
    let missing = s.path("nope.toml");
    let o = flowsim([OsStr::new("run"), missing.as_os_str()]);
    let err = stderr(&o);
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");

    let (_, err) = refused(&s, &with_csv_prehistory("closes.csv"));
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

#[test]
fn validate_accepts_a_good_file_and_locates_problems_in_a_bad_one() {
    let s = Scratch::new("validate");
    let good = s.write("good.toml", TINY);
    let bad_text = edit(TINY, "count = 30\n", "count = 30\norder_usd = -5\n");
    let bad = s.write("bad.toml", &bad_text);

    let o = flowsim([OsStr::new("validate"), good.as_os_str()]);
    assert_success(&o, "validate good.toml");
    let out = stdout(&o);
    assert!(out.starts_with("ok: "), "{out}");
    assert!(out.contains(&good.display().to_string()), "{out}");
    assert!(out.contains("tiny") && out.contains("2 days"), "{out}");
    assert_eq!(stderr(&o), "");

    let o = flowsim([OsStr::new("validate"), bad.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_located(
        &stderr(&o),
        &bad,
        line_of(&bad_text, "order_usd"),
        "agents.noise.order_usd",
    );

    // Several files: each is reported, and one bad file fails the command.
    let missing = s.path("missing.toml");
    let o = flowsim([
        OsStr::new("validate"),
        good.as_os_str(),
        bad.as_os_str(),
        missing.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(&good.display().to_string()));
    let err = stderr(&o);
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("2 of 3"), "{err}");

    // validate writes nothing.
    let expected: BTreeSet<String> = ["bad.toml", "good.toml"].map(String::from).into();
    assert_eq!(s.entries(), expected);
}

/// `validate` also builds the scenario, so problems only the build sees (a pre-history CSV)
/// are reported too.
#[test]
fn validate_reports_a_bad_prehistory_csv() {
    let s = Scratch::new("validate-csv");
    let csv = s.write("closes.csv", "day,SPX\n2018-01-02,4000\n2018-01-03,x\n");
    let scenario = s.write("tiny.toml", &with_csv_prehistory("closes.csv"));
    let o = flowsim([OsStr::new("validate"), scenario.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&format!("{}:3:", csv.display())), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 4. Existing output folder

#[test]
fn existing_output_folder_is_kept_without_force_and_replaced_with_force() {
    let s = Scratch::new("force");
    let scenario = s.write("tiny.toml", TINY);
    let out = s.path("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "my earlier run").unwrap();
    // An earlier run folder (it has a summary): `--force` replaces only such a folder.
    std::fs::write(out.join("summary.json"), "{}").unwrap();
    let parent_before = s.entries();

    let o = flowsim([
        OsStr::new("run"),
        scenario.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&out.display().to_string()), "{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        entries(&out),
        BTreeSet::from(["notes.txt".to_string(), "summary.json".to_string()]),
        "the old folder was touched"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "my earlier run"
    );
    assert_eq!(
        s.entries(),
        parent_before,
        "left something beside the folder"
    );

    run_ok(&scenario, &out, &["--quiet", "--force"]);
    let expected: BTreeSet<String> = RUN_FILES.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        entries(&out),
        expected,
        "the folder is replaced, not merged"
    );
    assert_eq!(
        s.entries(),
        parent_before,
        "no staging or old folder is left"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. What a run prints

#[test]
fn run_prints_a_results_line_and_quiet_prints_nothing() {
    let s = Scratch::new("stdout");
    let scenario = s.write("tiny.toml", TINY);
    let loud = s.path("loud");
    let o = run_ok(&scenario, &loud, &[]);
    let out = stdout(&o);
    let results: Vec<&str> = out.lines().filter(|l| l.starts_with("results:")).collect();
    assert_eq!(
        results,
        [format!("results: {}", loud.display())],
        "stdout:\n{out}"
    );
    assert!(out.contains("seed 5"), "{out}");

    let quiet = s.path("quiet");
    let o = run_ok(&scenario, &quiet, &["--quiet"]);
    assert_eq!(stdout(&o), "", "--quiet prints nothing on stdout");
    assert!(quiet.join("summary.json").exists(), "--quiet still writes");
}

#[test]
fn default_output_folder_is_runs_name_seed_in_the_working_directory() {
    let s = Scratch::new("default-out");
    let scenario = s.write("tiny.toml", TINY);
    let o = flowsim_in(
        Some(&s.dir),
        [
            OsStr::new("run"),
            scenario.as_os_str(),
            OsStr::new("--seed"),
            OsStr::new("11"),
        ],
    );
    assert_success(&o, "run without --out");
    let dir = s.path("runs").join("tiny-seed11");
    assert!(dir.join("summary.json").exists(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!(
            "results: {}",
            Path::new("runs").join("tiny-seed11").display()
        )),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        entries(&s.path("runs")),
        BTreeSet::from(["tiny-seed11".to_string()])
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Contents

#[test]
fn run_files_are_consistent() {
    let s = Scratch::new("contents");
    let scenario = s.write("pair.toml", TWO_INSTRUMENTS);
    let out = s.path("out");
    run_ok(&scenario, &out, &["--quiet"]);
    let days = 3u32;
    let ticks: BTreeMap<&str, f64> = [("SPX", 0.25), ("ETF", 0.01)].into();

    // Bars: one per minute of the 09:30–16:00 session, per day and instrument, numbered 1..=390.
    let bars = read_csv_maps(&out.join("bars.csv"));
    assert_eq!(bars.len(), (days * 390) as usize * ticks.len());
    let mut per_day: BTreeMap<(u32, String), Vec<u32>> = BTreeMap::new();
    let mut bar_volume: BTreeMap<String, u64> = BTreeMap::new();
    for b in &bars {
        per_day
            .entry((num(b, "day"), b["instrument"].clone()))
            .or_default()
            .push(num(b, "bar"));
        *bar_volume.entry(b["instrument"].clone()).or_default() += num::<u64>(b, "volume");
        let (lo, hi): (f64, f64) = (num(b, "low"), num(b, "high"));
        for col in ["open", "close"] {
            let p: f64 = num(b, col);
            assert!(lo <= p && p <= hi, "{col} outside low–high in {b:?}");
        }
    }
    assert_eq!(per_day.len(), days as usize * ticks.len());
    for (key, numbers) in &per_day {
        assert_eq!(*numbers, (1..=390).collect::<Vec<u32>>(), "bars of {key:?}");
    }

    // Trades: on the tick grid, positive, in time order, and adding up to the bars' volume
    // and the summary's.
    let trades = read_csv_maps(&out.join("trades.csv"));
    assert!(trades.len() > 1000, "only {} trades", trades.len());
    let mut trade_volume: BTreeMap<String, u64> = BTreeMap::new();
    let mut last_time = 0u64;
    for t in &trades {
        let tick = ticks[t["instrument"].as_str()];
        let (price, price_ticks): (f64, i64) = (num(t, "price"), num(t, "price_ticks"));
        assert!(price_ticks > 0, "{t:?}");
        assert!(
            (price - price_ticks as f64 * tick).abs() < 1e-9 * price,
            "price is not price_ticks × tick: {t:?}"
        );
        let in_ticks = price / tick;
        assert!(
            (in_ticks - in_ticks.round()).abs() < 1e-6,
            "price off the tick grid: {t:?}"
        );
        let qty: u64 = num(t, "qty");
        assert!(qty > 0, "{t:?}");
        *trade_volume.entry(t["instrument"].clone()).or_default() += qty;
        let time: u64 = num(t, "time_ns");
        assert!(time >= last_time, "trades out of time order at {t:?}");
        last_time = time;
        let day: u32 = num(t, "day");
        assert!((1..=days).contains(&day), "{t:?}");
    }
    assert_eq!(trade_volume, bar_volume);
    let sum = summary(&out);
    for ins in sum["instruments"].as_array().unwrap() {
        let sym = ins["symbol"].as_str().unwrap();
        assert_eq!(
            ins["volume_units"].as_u64(),
            Some(trade_volume[sym]),
            "{sym}"
        );
    }

    // Positions: shares are conserved across classes every day, cash too (no borrow fee),
    // and each class's position is the running sum of its flows.
    let positions = read_csv_maps(&out.join("positions.csv"));
    let mut units: BTreeMap<(u32, String), i64> = BTreeMap::new();
    let mut cash: BTreeMap<(u32, String), f64> = BTreeMap::new();
    let mut by_class: BTreeMap<(u32, String, String), i64> = BTreeMap::new();
    for p in &positions {
        let day: u32 = num(p, "day");
        let ins = p["instrument"].clone();
        let class = p["class"].clone();
        *units.entry((day, ins.clone())).or_default() += num::<i64>(p, "position_units");
        // Cash is per class, repeated on each instrument's row.
        cash.insert((day, class.clone()), num(p, "cash_usd"));
        by_class.insert((day, ins, class), num(p, "position_units"));
    }
    assert_eq!(units.len(), days as usize * ticks.len(), "{units:?}");
    for (key, total) in &units {
        assert_eq!(*total, 0, "units not conserved on {key:?}");
    }
    for day in 1..=days {
        let total: f64 = cash
            .iter()
            .filter(|((d, _), _)| *d == day)
            .map(|(_, c)| c)
            .sum();
        assert!(
            total.abs() < 0.005,
            "cash not conserved on day {day}: {total}"
        );
    }
    let mut flow_by_day: BTreeMap<(u32, String, String), i64> = BTreeMap::new();
    for f in read_csv_maps(&out.join("flows.csv")) {
        *flow_by_day
            .entry((num(&f, "day"), f["instrument"].clone(), f["class"].clone()))
            .or_default() += num::<i64>(&f, "net_units");
    }
    let mut running: BTreeMap<(String, String), i64> = BTreeMap::new();
    for ((day, ins, class), position) in &by_class {
        let so_far = running.entry((ins.clone(), class.clone())).or_default();
        *so_far += flow_by_day
            .get(&(*day, ins.clone(), class.clone()))
            .copied()
            .unwrap_or(0);
        assert_eq!(
            *so_far, *position,
            "position of {class} in {ins} on day {day} is not the sum of its flows"
        );
    }

    // Events: both auctions every day for both instruments, and the shock.
    let events = read_csv_maps(&out.join("events.csv"));
    let count = |kind: &str| events.iter().filter(|e| e["kind"] == kind).count();
    assert_eq!(count("opening_auction"), days as usize * ticks.len());
    assert_eq!(count("closing_auction"), days as usize * ticks.len());
    assert_eq!(count("shock"), 1);
}

/// `--calibration` adds the same book summary `flowsim replay` prints for real data, and
/// `flowsim report` shows it back from the folder.
#[test]
fn calibration_summary_of_a_simulated_run_and_report() {
    let s = Scratch::new("calibration");
    let scenario = s.write("tiny.toml", TINY);
    let out = s.path("run");
    let o = run_ok(&scenario, &out, &["--calibration"]);
    assert!(
        stdout(&o).contains("calibration summary of SPX"),
        "{}",
        stdout(&o)
    );
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("calibration.json")).unwrap())
            .unwrap();
    let first = &c[0];
    // Only continuous trading is observed, so the book is never crossed: spreads ≥ 1 tick.
    let p10 = first["spread"]["quantiles"]["p10"]
        .as_f64()
        .expect("spread quantiles");
    assert!(p10 >= 1.0, "{first}");
    assert!(first["arrivals"]["adds"].as_u64().unwrap() > 0);
    assert!(first["trades"]["volume"].as_u64().expect("trade volume") > 0);
    assert!(first["trades"]["auction"].as_u64().expect("auction trades") > 0);
    let r = flowsim(["report".as_ref(), out.as_os_str()]);
    assert_success(&r, "flowsim report");
    assert!(stdout(&r).contains("calibration summary of SPX"));
    assert!(stdout(&r).contains("max drawdown"));
    // Without --calibration the report says how to get one; a folder that is not a run fails.
    let plain = s.path("plain");
    run_ok(&scenario, &plain, &["--quiet"]);
    assert!(!plain.join("calibration.json").exists());
    let r = flowsim(["report".as_ref(), plain.as_os_str()]);
    assert!(stdout(&r).contains("--calibration"));
    let r = flowsim(["report".as_ref(), s.path("nothing").as_os_str()]);
    assert!(!r.status.success());
    assert!(stderr(&r).contains("summary.json"), "{}", stderr(&r));
}

/// The report is a function of the run folder: `flowsim report DIR` on a run written without
/// one draws the same charts and HTML, byte for byte, as the run that wrote its own.
#[test]
fn report_from_the_folder_equals_the_one_the_run_wrote() {
    let s = Scratch::new("report");
    let text = format!("{TINY}\n[agents.vol_target]\n[agents.letf]\n[agents.dealer]\n");
    let scenario = s.write("r.toml", &text);
    let (a, b) = (s.path("with-report"), s.path("without-report"));
    let o = run_ok(&scenario, &a, &[]);
    assert!(stdout(&o).contains("report: "), "{}", stdout(&o));
    run_ok(&scenario, &b, &["--quiet", "--no-report"]);
    assert!(!b.join("report.html").exists() && !b.join("charts").exists());
    let o = flowsim([OsStr::new("report"), b.as_os_str()]);
    assert_success(&o, "flowsim report");
    assert!(stdout(&o).contains("report.html"), "{}", stdout(&o));
    assert_same_tree(&a, &b);
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    for needle in [
        "charts/price_flows_SPX.svg",
        "Flows by class",
        "letf",
        "gamma",
    ] {
        assert!(html.contains(needle), "report lacks {needle:?}");
    }
}
