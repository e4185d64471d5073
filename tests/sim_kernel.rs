//! The simulation kernel end to end through the library: invariants on multi-day runs,
//! determinism, and the background market's stylized facts.

use std::path::Path;

use flowsim::record::MemorySink;
use flowsim::scenario::{self, build};

fn run_checked(src: &str, seed: u64) -> (MemorySink, flowsim::market::RunOutcome) {
    let s = scenario::parse(Path::new("test.toml"), src).expect("valid scenario");
    let mut sim = build::build_with(&s, Path::new("."), seed, true).expect("builds");
    let mut sink = MemorySink {
        keep_trades: true,
        ..Default::default()
    };
    let out = sim
        .run(&mut sink, &mut |_, _| {})
        .expect("run keeps its invariants");
    (sink, out)
}

const SMALL: &str = r#"
name = "small"
days = 3
[[instruments]]
symbol = "SPX"
initial_price = 5000.0
tick_size = 0.25
notional_per_unit = 50.0
[agents.market_maker]
count = 2
[agents.noise]
count = 50
[agents.value]
count = 10
"#;

#[test]
fn multi_day_run_keeps_invariants() {
    let (sink, out) = run_checked(SMALL, 7);
    assert!(out.counts.trades > 1000, "{:?}", out.counts);
    assert_eq!(sink.bars.len(), 3 * 390);
}
