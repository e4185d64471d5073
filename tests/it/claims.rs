//! `flowsim claims` end to end: a small claims file runs, resumes, gives the same table on any
//! number of threads, and its figures are what independent code reads from the run folders;
//! bad claims files are refused with file, line and field; the committed table
//! (`results/claims/`) is what its values give, and one committed run's values reproduce.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{
    Scratch, assert_located, assert_success, flowsim, line_of, read_csv_maps, text, tiny,
};

/// A tiny market with vol-targeters, four days, a −5% fall in value on day 2.
fn scenario() -> String {
    tiny(
        "name = \"claims-tiny\"\nseed = 1\ndays = 4",
        r#"
[[shocks]]
day = 2
time = "10:30"
instrument = "SPX"
fundamental_jump = -0.05

[agents.vol_target]
count = 4
aum_usd = 2e9
"#,
    )
}

const CLAIMS: &str = r#"description = "A test of the claims command."
seeds = { first = 3, count = 20 }

[experiments.fall]
scenario = "tiny.toml"
[experiments.fall.variants.no_shock]
set = { "shocks.0.fundamental_jump" = 0.0 }
[experiments.fall.variants.no_vt]
without = "vol_target"

[[claims]]
id = 1
note = "test"
claim = "Vol-targeters sell after the fall"
figure = "$0–1bn"
experiment = "fall"
statistic = { kind = "flow", classes = "vol_target", days = "2-4", side = "sold" }
null = "no_shock"
expect = { within = [0.0, 1.0] }
imposed = "Imposed: the rule. Emerges: the sale."

[[claims]]
id = 2
note = "test"
claim = "They deepen the fall"
experiment = "fall"
statistic = { kind = "drawdown", instrument = "SPX", days = "2-4" }
null = "no_vt"
expect = { effect = { sign = "positive" } }
imposed = "Imposed: the fall. Emerges: the extra drawdown."

[[claims]]
id = 3
note = "test"
claim = "Something the simulator cannot say"
not_testable = "no such market here"
imposed = "Nothing."
"#;

fn claims(file: &Path, out: &Path, runs: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "claims".to_string(),
        file.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--runs".into(),
        runs.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    flowsim(&args)
}

#[test]
fn a_claims_file_runs_resumes_and_gives_the_same_table_on_any_thread_count() {
    let s = Scratch::new("claims-e2e");
    s.write("tiny.toml", &scenario());
    let file = s.write("claims.toml", CLAIMS);
    let seeds = ["--seeds", "6", "--quiet"];
    let o = claims(
        &file,
        &s.path("out1"),
        &s.path("runs1"),
        &[&seeds[..], &["--threads", "1"]].concat(),
    );
    assert_success(&o, "claims on one thread");
    let o = claims(
        &file,
        &s.path("out2"),
        &s.path("runs2"),
        &[&seeds[..], &["--threads", "2"]].concat(),
    );
    assert_success(&o, "claims on two threads");
    for f in ["CLAIMS.md", "claims.csv", "values.csv"] {
        crate::common::assert_same_file(&s.path("out1").join(f), &s.path("out2").join(f));
    }

    // Again into the same runs: nothing is run, the table is the same.
    let o = claims(&file, &s.path("out3"), &s.path("runs1"), &["--seeds", "6"]);
    assert_success(&o, "claims resumed");
    assert!(
        text(&o.stdout).contains("(18 already done, 0 run now)"),
        "{}",
        text(&o.stdout)
    );
    crate::common::assert_same_file(
        &s.path("out1").join("claims.csv"),
        &s.path("out3").join("claims.csv"),
    );

    // Claim 1's values are the vol-targeters' net sales read from each run's flows.csv by
    // this test's own code, and the median is theirs.
    let values = read_csv_maps(&s.path("out1").join("values.csv"));
    let mut mine = Vec::new();
    for seed in 3..9u64 {
        let dir = s.path(&format!("runs1/fall/factual/runs/p0000-seed{seed}"));
        let net: f64 = read_csv_maps(&dir.join("flows.csv"))
            .iter()
            .filter(|r| {
                r["class"] == "vol_target" && (2..=4).contains(&r["day"].parse::<u32>().unwrap())
            })
            .map(|r| r["net_usd"].parse::<f64>().unwrap())
            .sum();
        let theirs: f64 = values
            .iter()
            .find(|r| r["id"] == "1" && r["variant"] == "factual" && r["seed"] == seed.to_string())
            .expect("a value per seed")["value"]
            .parse()
            .unwrap();
        assert!(
            (theirs - (-net / 1e9)).abs() < 1e-9 * theirs.abs().max(1.0),
            "seed {seed}: {theirs} vs {}",
            -net / 1e9
        );
        mine.push(-net / 1e9);
    }
    mine.sort_by(f64::total_cmp);
    let median = (mine[2] + mine[3]) / 2.0;
    let rows = read_csv_maps(&s.path("out1").join("claims.csv"));
    let row: &BTreeMap<String, String> = &rows[0];
    let got: f64 = row["median"].parse().unwrap();
    assert!(
        (got - median).abs() < 1e-9 * median.abs().max(1.0),
        "{got} vs {median}"
    );
    assert_eq!(row["seeds"], "6");
    let lo: f64 = row["lo"].parse().unwrap();
    let hi: f64 = row["hi"].parse().unwrap();
    assert!(
        lo <= got && got <= hi && mine[0] <= lo && hi <= mine[5],
        "{lo} {got} {hi} {mine:?}"
    );
    assert_eq!(rows[2]["verdict"], "not testable here");
    assert_eq!(rows[2]["reason"], "no such market here");
    let md = std::fs::read_to_string(s.path("out1").join("CLAIMS.md")).unwrap();
    assert!(
        md.contains("| 3 | Something the simulator cannot say |"),
        "{md}"
    );
}

#[test]
fn bad_claims_files_are_refused_with_file_line_and_field() {
    let s = Scratch::new("claims-bad");
    s.write("tiny.toml", &scenario());
    let cases: [(&str, &str, &str, &str); 7] = [
        (
            "scenario = \"tiny.toml\"",
            "scenario = \"missing.toml\"",
            "missing.toml",
            "scenario",
        ),
        (
            "seeds = { first = 3, count = 20 }",
            "seeds = { first = 3, count = 5 }",
            "count = 5",
            "seeds.count",
        ),
        (
            "experiment = \"fall\"\nstatistic = { kind = \"flow\"",
            "experiment = \"fell\"\nstatistic = { kind = \"flow\"",
            "experiment = \"fell\"",
            "experiment",
        ),
        (
            "classes = \"vol_target\", days = \"2-4\"",
            "classes = \"vol_targets\", days = \"2-4\"",
            "vol_targets",
            "classes",
        ),
        (
            "null = \"no_vt\"",
            "null = \"no_dealer\"",
            "no_dealer",
            "null",
        ),
        (
            "without = \"vol_target\"",
            "without = \"dealer\"",
            "without = \"dealer\"",
            "without",
        ),
        (
            "expect = { within = [0.0, 1.0] }",
            "expect = { within = [1.0, 0.0] }",
            "within = [1.0, 0.0]",
            "within",
        ),
    ];
    for (from, to, line_with, field) in cases {
        assert!(CLAIMS.contains(from), "{from}");
        let bad = CLAIMS.replacen(from, to, 1);
        let file = s.write("bad.toml", &bad);
        let out = s.path("out");
        let o = claims(&file, &out, &s.path("runs"), &["--quiet"]);
        assert!(!o.status.success(), "{to} was accepted");
        assert_located(&text(&o.stderr), &file, line_of(&bad, line_with), field);
        assert!(
            !out.exists() && !s.path("runs").exists(),
            "{to}: something was written"
        );
    }
}

/// The claims file `experiments/NAME.toml` and its committed values, after checking that
/// `results/NAME/` (values.csv, claims.csv, CLAIMS.md) is what those values give, byte for byte.
fn committed_table(name: &str) -> (flowsim::claims::Claims, flowsim::claims::Values) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = root.join("results").join(name);
    let mut c =
        flowsim::claims::load(&root.join(format!("experiments/{name}.toml"))).expect("claims file");
    // A table committed from the file's first N seeds (`--seeds N`) is checked as such.
    let seeds: std::collections::BTreeSet<String> = read_csv_maps(&committed.join("values.csv"))
        .into_iter()
        .map(|r| r["seed"].clone())
        .collect();
    c.reduce_seeds(seeds.len());
    let values_text = std::fs::read_to_string(committed.join("values.csv")).expect("values.csv");
    let values = flowsim::claims::parse_values(&c, &values_text).expect("values parse");
    assert_eq!(flowsim::claims::values_csv(&c, &values), values_text);
    let rows = flowsim::claims::rows(&c, &values);
    for (file, text) in [
        ("claims.csv", flowsim::claims::claims_csv(&c, &rows)),
        ("CLAIMS.md", flowsim::claims::claims_md(&c, &rows)),
    ] {
        let want = std::fs::read_to_string(committed.join(file)).expect("committed table");
        assert!(
            text == want,
            "{file} differs from results/{name}/{file}: rerun `flowsim claims \
             experiments/{name}.toml --out results/{name}`\n{text}"
        );
    }
    (c, values)
}

/// The committed table (`results/claims/`) is what its committed values give, byte for byte,
/// and the values of one committed run come out again: the rally's own run of seed 1 (the
/// cheapest experiment), every claim measured on it.
#[test]
fn the_committed_claims_table_reproduces() {
    let (c, values) = committed_table("claims");
    let rows = flowsim::claims::rows(&c, &values);
    assert!(rows.len() >= 18, "every claim has its row");

    let e = c
        .experiments
        .iter()
        .position(|e| e.name == "rally")
        .expect("the rally experiment");
    let s = Scratch::new("claims-committed");
    let dir = s.path("run");
    flowsim::run::execute(
        &c.experiments[e].variants[0].scenario,
        1,
        &dir,
        flowsim::run::RunOptions::default(),
        &mut |_, _| {},
    )
    .expect("the rally runs");
    let records = flowsim::record::RunRecords::read(&dir).expect("its tables");
    let mut checked = 0;
    for claim in &c.claims {
        if let flowsim::claims::Test::Measured {
            experiment,
            statistic,
            ..
        } = &claim.test
        {
            if *experiment == e {
                let want = values[&(claim.id, "factual".to_string())][0];
                let got = statistic.value(&records);
                assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "claim {}: {got} against the committed {want}",
                    claim.id
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "{checked}");
}

/// The committed sweep of the rally's departures from the defaults
/// (`results/rally_departures/`, a file of measures only) is what its committed values give.
#[test]
fn the_committed_rally_departures_reproduce() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (c, _) = committed_table("rally_departures");
    assert!(c.claims.iter().all(|c| c.measure) && c.claims.len() >= 20);
    assert!(
        flowsim::claims::is_claims_file(&root.join("experiments/rally_departures.toml")),
        "validate must read it as a claims file"
    );
}

/// A class held static keeps its starting positions and never trades, and since holdings
/// move nothing in the simulated market, the run is the run without the class, bar for bar:
/// the two counterfactuals answer different questions but coincide here (docs/claims.md).
#[test]
fn static_holders_keep_their_positions_and_never_trade() {
    let s = Scratch::new("claims-static");
    let held = s.write(
        "held.toml",
        &scenario().replace(
            "[agents.vol_target]",
            "[agents]\nstatic_holders = [\"vol_target\"]\n\n[agents.vol_target]",
        ),
    );
    let o = flowsim([
        "run",
        held.to_str().unwrap(),
        "--out",
        s.path("held").to_str().unwrap(),
        "--no-report",
        "--quiet",
    ]);
    assert_success(&o, "run with static vol-targeters");
    let base = s.write("base.toml", &scenario());
    let o = flowsim([
        "ablate",
        base.to_str().unwrap(),
        "--without",
        "vol_target",
        "--out",
        s.path("abl").to_str().unwrap(),
        "--no-report",
        "--quiet",
    ]);
    assert_success(&o, "ablate without vol-targeters");
    crate::common::assert_same_file(&s.path("held/bars.csv"), &s.path("abl/without/bars.csv"));
    let flows = read_csv_maps(&s.path("held/flows.csv"));
    assert!(
        !flows.iter().any(|r| r["class"] == "vol_target"),
        "a static holder traded"
    );
    let positions = read_csv_maps(&s.path("held/positions.csv"));
    let held_units: Vec<&str> = positions
        .iter()
        .filter(|r| r["class"] == "vol_target")
        .map(|r| r["position_units"].as_str())
        .collect();
    assert!(
        held_units.len() == 4 && held_units.iter().all(|u| *u == held_units[0] && *u != "0"),
        "{held_units:?}"
    );

    // Only classes that start with positions can be held static; names are checked.
    for (bad, why) in [
        ("noise", "cannot be held static"),
        ("vol_targets", "unknown agent class"),
    ] {
        let text = scenario().replace(
            "[agents.vol_target]",
            &format!("[agents]\nstatic_holders = [\"{bad}\"]\n\n[agents.vol_target]"),
        );
        let file = s.write("bad.toml", &text);
        let o = flowsim(["validate", file.to_str().unwrap()]);
        assert!(!o.status.success(), "{bad} accepted");
        let err = text_of(&o);
        assert_located(
            &err,
            &file,
            line_of(&text, "static_holders"),
            "static_holders",
        );
        assert!(err.contains(why), "{err}");
    }
}

fn text_of(o: &std::process::Output) -> String {
    text(&o.stderr) + &text(&o.stdout)
}
