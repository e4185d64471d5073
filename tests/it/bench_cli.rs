//! `flowsim bench SCENARIO`: prints the medians of a tiny scenario and names a missing file.
//! Figures are not checked (speed is measured in BENCHMARKS.md, never in tests).

use crate::common::{Scratch, assert_success, flowsim, text};

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

/// `--scaling` grows scenarios with LETFs too: their table has `funds`, not a `count`, and
/// each fund is split. The LETF table gives no funds, so it relies on the default list (four
/// funds); the one-hour session needs its own execution window.
#[test]
fn bench_scaling_grows_a_scenario_with_letfs() {
    let s = Scratch::new("bench-scaling-letf");
    let scenario = format!(
        "{TINY}
[agents.letf]
execution = {{ style = \"twap\", start = \"10:00\", end = \"10:20\", slices = 5 }}
"
    );
    let path = s.write("letf.toml", &scenario);
    let out = flowsim([
        "bench",
        path.to_str().unwrap(),
        "--runs",
        "1",
        "--scaling",
        "--scaling-days",
        "1",
    ]);
    assert_success(&out, "bench --scaling");
    let stdout = text(&out.stdout);
    // 1 market maker + 5 noise traders + 4 default LETF funds.
    assert!(stdout.contains("per run: 10 agents"), "{stdout}");
    assert!(stdout.contains("split each LETF fund"), "{stdout}");
    // | grown | × | days | instruments | agents | …
    let row = |grown: &str, factor: u32| {
        let prefix = format!("| {grown} | {factor} | ");
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no row {prefix:?} in:\n{stdout}"));
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        (
            cells[3].parse::<u32>().unwrap(),
            cells[4].parse::<usize>().unwrap(),
            cells[5].parse::<usize>().unwrap(),
        )
    };
    assert_eq!(row("agents", 1), (1, 1, 10));
    assert_eq!(row("agents", 4), (1, 1, 40));
    assert_eq!(row("agents", 16), (1, 1, 160));
    assert_eq!(row("days", 16), (16, 1, 10));
    // Per-instrument tables follow the instruments; the LETF funds stay on X, split 16 ways.
    assert_eq!(row("instruments", 16), (1, 16, 16 * 6 + 16 * 4));
}
