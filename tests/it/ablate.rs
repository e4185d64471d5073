//! `flowsim ablate` end to end: both runs in one folder, the factual run identical to a plain
//! `flowsim run`, the counterfactual without the classes, and clear refusals.

use crate::common::{Scratch, assert_same_file, assert_success, flowsim, run_ok, text, tiny};

/// The tiny market with a 4% fall on day 2 and two flow classes, three days.
fn small() -> String {
    tiny(
        "name = \"small_flows\"\nseed = 4\ndays = 3",
        r#"
[[shocks]]
day = 2
time = "11:00"
instrument = "SPX"
fundamental_jump = -0.04

[agents.letf]

[agents.vol_target]
"#,
    )
}

#[test]
fn ablation_writes_both_runs_and_the_comparison() {
    let s = Scratch::new("ablate");
    let scenario = s.write("small.toml", &small());
    let out = s.path("abl");
    let o = flowsim([
        "ablate",
        scenario.to_str().unwrap(),
        "--without",
        "letf",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_success(&o, "flowsim ablate");
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("without letf") && stdout.contains("SPX: drawdown"),
        "{stdout}"
    );
    for f in ["with", "without", "ablation.json", "difference.csv"] {
        assert!(out.join(f).exists(), "missing {f}");
    }
    // The factual run is the plain run, byte for byte.
    let plain = s.path("plain");
    run_ok(&scenario, &plain, &["-q"]);
    for f in ["bars.csv", "flows.csv", "state.csv", "summary.json"] {
        assert_same_file(&plain.join(f), &out.join("with").join(f));
    }
    // The counterfactual has no LETF flows and keeps the vol-targeters.
    let flows = std::fs::read_to_string(out.join("without/flows.csv")).unwrap();
    assert!(!flows.contains(",letf,"));
    assert!(flows.contains(",vol_target,"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("ablation.json")).unwrap()).unwrap();
    let spx = &json["instruments"][0];
    let (w, wo) = (
        spx["drawdown_with"].as_f64().unwrap(),
        spx["drawdown_without"].as_f64().unwrap(),
    );
    assert!((spx["drawdown_amplification"].as_f64().unwrap() - w / wo).abs() < 1e-12);
    // No staging folder left beside the result.
    let leftovers: Vec<_> = s
        .entries()
        .into_iter()
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn unknown_or_absent_classes_are_refused() {
    let s = Scratch::new("ablate-bad");
    let scenario = s.write("small.toml", &small());
    let out = s.path("abl");
    let o = flowsim([
        "ablate",
        scenario.to_str().unwrap(),
        "--without",
        "letfs",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("unknown agent class \"letfs\""), "{err}");
    let o = flowsim([
        "ablate",
        scenario.to_str().unwrap(),
        "--without",
        "cta",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("no cta agents"), "{err}");
    assert!(!out.exists());
}
