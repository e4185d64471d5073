//! `flowsim bench SCENARIO`: prints the medians of a tiny scenario and names a missing file.
//! Figures are not checked (speed is measured in BENCHMARKS.md, never in tests).

mod common;
use common::{Scratch, assert_success, flowsim, text};

/// A one-day scenario with a handful of agents and a short session.
const TINY: &str = r#"name = "tiny"
days = 1

[calendar]
open = "09:30"
close = "10:30"
preopen_minutes = 5
closing_auction_minutes = 5

[[instruments]]
symbol = "X"
initial_price = 100.0
tick_size = 0.01
notional_per_unit = 1.0
annual_vol = 0.2

[prehistory]
kind = "synthetic"
days = 30

[agents.market_maker]
count = 1

[agents.noise]
count = 5
"#;

#[test]
fn bench_scenario_prints_medians() {
    let s = Scratch::new("bench-cli");
    let path = s.write("tiny.toml", TINY);
    let out = flowsim(["bench", path.to_str().unwrap(), "--runs", "2"]);
    assert_success(&out, "flowsim bench");
    let stdout = text(&out.stdout);
    for needle in [
        "medians over 2 runs",
        "wall time per simulated day",
        "orders/s",
        "events/s",
        "trades/s",
        "peak memory",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    // The same command as a named subcommand.
    let out = flowsim(["bench", "scenario", path.to_str().unwrap(), "--runs", "1"]);
    assert_success(&out, "flowsim bench scenario");
    assert!(text(&out.stdout).contains("medians over 1 runs"));
}

#[test]
fn bench_missing_scenario_fails_naming_the_file() {
    let out = flowsim(["bench", "no/such/scenario_file.toml", "--runs", "2"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no/such/scenario_file.toml"),
        "stderr: {stderr}"
    );
}
