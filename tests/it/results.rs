//! The committed reference results (`results/`) are what the experiments produce: every
//! experiment listed in `results/EXPERIMENTS` is rerun at its documented seed and its
//! `summary.json` must come out byte for byte the same. `scripts/refresh-results.sh` rewrites
//! them after a change that moves the numbers. The reruns are also checked for a sound market
//! (both sides quoted; the rallies' volatility near their value's), which a change of the
//! reference market must keep.

use crate::common::{Scratch, run_ok};
use flowsim::record::BarRow;
use std::path::Path;

#[test]
fn experiments_reproduce_their_committed_summaries() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("results/EXPERIMENTS")).expect("results list");
    let names: Vec<&str> = list.split_whitespace().collect();
    assert!(names.len() >= 5, "{names:?}");
    let scratch = Scratch::new("results");
    // Two at a time (CI machines have two cores). Every table is written, as the committed
    // runs were: `--tables` is part of the run's scenario, and so of its summary's hash.
    let check = |name: &str| {
        let out = scratch.path(name);
        let scenario = root.join(format!("experiments/{name}.toml"));
        run_ok(&scenario, &out, &["--quiet", "--no-report"]);
        let got = std::fs::read_to_string(out.join("summary.json")).expect("new summary");
        let want = std::fs::read_to_string(root.join(format!("results/{name}/summary.json")))
            .expect("committed summary");
        assert!(
            got == want,
            "{name}: the summary differs from results/{name}/summary.json \
             (rerun scripts/refresh-results.sh if the change is meant to move results)\n\
             got:\n{got}"
        );
        let bars = flowsim::record::RunRecords::read_bars(&out).expect("bars");
        both_sides_are_quoted(name, &bars.bars);
        if name.starts_with("flow_rally") {
            rally_volatility_is_the_fundamentals(name, &scenario, &bars.bars);
        }
        for part in ["report.html", "charts"] {
            assert!(
                root.join(format!("results/{name}/{part}")).exists(),
                "{name}/{part}"
            );
        }
    };
    for pair in names.chunks(2) {
        std::thread::scope(|s| {
            for name in pair {
                s.spawn(|| check(name));
            }
        });
    }
}

/// Every experiment's market keeps both sides quoted at 99% of bar ends or more, on every
/// instrument (the calibrated-market issue: the rally's market before the reference market had
/// bar ends without an ask). The reference market gives 99.8–100% on every experiment here (the
/// trades-only market before it 99.5–100%); the elastic candidate's background
/// (`experiments/markets/spx_elastic.toml`) gave 96.7% in the cascade and 91–94% in the rallies
/// (`experiments/markets/spx.md`).
fn both_sides_are_quoted(name: &str, bars: &[BarRow]) {
    let instruments: std::collections::BTreeSet<u16> = bars.iter().map(|b| b.instrument).collect();
    for i in instruments {
        let of: Vec<_> = bars.iter().filter(|b| b.instrument == i).collect();
        let quoted = of
            .iter()
            .filter(|b| b.best_bid.is_some() && b.best_ask.is_some())
            .count();
        let share = quoted as f64 / of.len() as f64;
        assert!(
            share >= 0.99,
            "{name}, instrument {i}: both sides quoted at {share:.3} of bar ends"
        );
    }
}

/// The rally's price is as volatile as its value, not several times more: before the
/// reference market its realised volatility was four times its 5% fundamental's. Close to
/// close, the price's daily volatility stays within 1.5 times the fundamental's. The limit
/// sits between the markets measured: the reference market gives 1.21–1.32 over seeds 1, 2 and
/// 42 with and without real money (the trades-only market before it 1.07–1.14); the elastic
/// candidate's background, where a $0.7bn hedge moved the price 1.6%, gave 1.9–3.5
/// (`experiments/markets/spx.md`).
fn rally_volatility_is_the_fundamentals(name: &str, scenario: &Path, bars: &[BarRow]) {
    let loaded = flowsim::scenario::load(scenario).expect("the scenario");
    // The rally experiments trade one instrument; the first is the one measured.
    let ins = &loaded.scenario.instruments[0];
    let mut day =
        flowsim::analysis::market_day::MarketDayBuilder::new(ins.tick_size, ins.notional_per_unit);
    bars.iter()
        .filter(|b| b.instrument == 0)
        .for_each(|b| day.bar(b));
    let m = day.finish();
    assert!(m.days >= 10, "{name}: {} days", m.days);
    assert!(
        m.vol_ratio() <= 1.5,
        "{name}: daily volatility {:.2}% against the fundamental's {:.2}%",
        100.0 * m.daily_vol,
        100.0 * m.fundamental_daily_vol
    );
}
