//! Scenario files that extend a base file, and `flowsim impact` end to end.

use std::ffi::OsStr;

use crate::common::*;

const BASE: &str = r#"name = "market"
days = 3
[[instruments]]
symbol = "SPX"
initial_price = 5000.0
tick_size = 0.25
notional_per_unit = 50.0
annual_vol = 0.16
[prehistory]
kind = "synthetic"
days = 30
[agents.market_maker]
count = 2
quote_usd = 50e6
layers = 3
[agents.noise]
count = 40
orders_per_day = 60
order_usd = 5e6
[agents.value]
count = 5
usd_per_pct = 5e9
"#;

/// A scenario that extends a base runs as the merged file: its own keys win, tables merge,
/// and the run folder's scenario.toml stands alone.
#[test]
fn an_extending_scenario_overrides_keys_and_merges_tables() {
    let s = Scratch::new("extends");
    std::fs::create_dir_all(s.path("markets")).unwrap();
    s.write("markets/base.toml", BASE);
    let child = s.write(
        "child.toml",
        "extends = \"markets/base.toml\"\nname = \"child\"\ndays = 2\n[agents.noise]\ncount = 10\n",
    );
    let o = flowsim([OsStr::new("validate"), child.as_os_str()]);
    assert_success(&o, "validate");
    let out = s.path("run");
    run_ok(&child, &out, &["--no-report", "-q"]);
    let copy = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    let merged: toml::Table = toml::from_str(&copy).unwrap();
    assert_eq!(merged["name"].as_str(), Some("child"));
    assert_eq!(merged["days"].as_integer(), Some(2));
    let noise = merged["agents"]["noise"].as_table().unwrap();
    assert_eq!(noise["count"].as_integer(), Some(10));
    assert_eq!(
        noise["orders_per_day"].as_integer(),
        Some(60),
        "merged from the base"
    );
    assert!(merged.get("extends").is_none());
    // The copy runs on its own, to the same summary.
    let again = s.path("again");
    run_ok(&out.join("scenario.toml"), &again, &["--no-report", "-q"]);
    assert_same_file(&out.join("summary.json"), &again.join("summary.json"));
    // Run by a relative path from its own folder, the same scenario gives the same bytes: the
    // merged text names files, not the folders they were reached through.
    let o = flowsim_in(
        Some(&s.path("")),
        [
            "run",
            "child.toml",
            "--out",
            "relative",
            "--no-report",
            "-q",
        ],
    );
    assert_success(&o, "run by a relative path");
    assert_same_file(
        &out.join("summary.json"),
        &s.path("relative").join("summary.json"),
    );
    assert_same_file(
        &out.join("scenario.toml"),
        &s.path("relative").join("scenario.toml"),
    );
}

/// A problem is located in the file that set the key, base or scenario; a cycle is refused.
#[test]
fn problems_are_located_in_the_file_that_set_them() {
    let s = Scratch::new("extends-bad");
    let base = s.write(
        "base.toml",
        &BASE.replace("orders_per_day = 60", "orders_per_day = -1"),
    );
    let child = s.write(
        "child.toml",
        "extends = \"base.toml\"\nname = \"c\"\n\n[agents.value]\ncount = 0\nusd_per_pct = -5.0\n",
    );
    let o = flowsim([OsStr::new("validate"), child.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_located(
        &err,
        &base,
        line_of(BASE, "orders_per_day"),
        "agents.noise.orders_per_day",
    );
    assert_located(&err, &child, 6, "agents.value.usd_per_pct");
    let a = s.write("a.toml", "extends = \"b.toml\"\nname = \"a\"\n");
    s.write("b.toml", "extends = \"a.toml\"\nname = \"b\"\n");
    let o = flowsim([OsStr::new("validate"), a.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("cycle"), "{}", text(&o.stderr));
    // A base that cannot be read is reported at the `extends` line of the file naming it.
    let orphan = s.write("orphan.toml", "name = \"o\"\nextends = \"missing.toml\"\n");
    let o = flowsim([OsStr::new("validate"), orphan.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_located(&err, &orphan, 2, "extends");
    assert!(err.contains("missing.toml"), "{err}");
}

/// `flowsim impact` measures each size against the same seeds without it: bigger programmes
/// move the price more, the output has a row per (size, seed), and the last line is the fit.
#[test]
fn impact_measures_programmes_against_their_counterfactual() {
    let s = Scratch::new("impact");
    let sc = s.write("m.toml", BASE);
    let out = s.path("imp");
    let o = flowsim([
        OsStr::new("impact"),
        sc.as_os_str(),
        // Out of order and repeated: the tables list each size once, ascending.
        OsStr::new("--sizes"),
        OsStr::new("2e10,2e9,2e10"),
        OsStr::new("--seeds"),
        OsStr::new("2"),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("-q"),
    ]);
    assert_success(&o, "flowsim impact");
    let stdout = text(&o.stdout);
    assert!(
        stdout.lines().last().unwrap_or("").starts_with("delta = "),
        "{stdout}"
    );
    assert!(stdout.contains("share of the peak left"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.trim_start().starts_with("LLOB")),
        "{stdout}"
    );
    let rows = read_csv_maps(&out.join("impact.csv"));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["size_usd"], "2000000000", "{rows:?}");
    let mean_peak = |size: &str| -> f64 {
        rows.iter()
            .filter(|r| r["size_usd"] == size)
            .map(|r| num::<f64>(r, "peak"))
            .sum::<f64>()
            / 2.0
    };
    assert!(
        mean_peak("20000000000") > mean_peak("2000000000"),
        "{rows:?}"
    );
    for r in &rows {
        let size: f64 = num(r, "size_usd");
        let exec: f64 = num(r, "executed_usd");
        // Dollars are turned into units at the decision price and valued at the fills' VWAP.
        assert!(exec > 0.5 * size && exec <= 1.02 * size, "{r:?}");
    }
    assert!(out.join("impact.png").is_file());
    // The path: per size, every bar from the one before the window to the next day's close.
    // Before the programme the run is the counterfactual itself, and at the window's end the
    // path's mean is the peak the table reports.
    let path = read_csv_maps(&out.join("impact_path.csv"));
    for size in ["2000000000", "20000000000"] {
        let p: Vec<_> = path.iter().filter(|r| r["size_usd"] == size).collect();
        // 09:30-16:00 in one-minute bars: bars 30 to 390 of the programme's day (the one
        // before 10:00 included) and the 390 of the next.
        assert_eq!(p.len(), 361 + 390, "{size}");
        assert_eq!(num::<f64>(p[0], "hours"), 0.0, "{:?}", p[0]);
        assert_eq!(num::<f64>(p[0], "impact"), 0.0, "{:?}", p[0]);
        let end = p
            .iter()
            .find(|r| num::<f64>(r, "hours") == 1.0)
            .expect("a bar at the window's end");
        assert!(
            (num::<f64>(end, "impact") - mean_peak(size)).abs() < 1e-15,
            "{end:?}"
        );
        assert!(
            (num::<f64>(end, "share_of_peak") - 1.0).abs() < 1e-12,
            "{end:?}"
        );
        let last = p.last().unwrap();
        assert_eq!(last["day"], "3", "{last:?}");
        let hours: Vec<f64> = p.iter().map(|r| num(r, "hours")).collect();
        assert!(hours.windows(2).all(|w| w[1] > w[0]), "hours must rise");
    }
    assert_eq!(path.len(), 2 * (361 + 390));
    assert!(out.join("impact_path.png").is_file());
    // A window that does not end on a bar is refused, and so is one that ends after the
    // close; either way with exit 1 and nothing written.
    let refused = |window: &str, dir: &str| {
        let o = flowsim([
            OsStr::new("impact"),
            sc.as_os_str(),
            OsStr::new("--window"),
            OsStr::new(window),
            OsStr::new("--out"),
            s.path(dir).as_os_str(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{window}");
        assert!(!s.path(dir).exists(), "{window}");
        text(&o.stderr)
    };
    refused("10:00-10:30:30", "bad");
    let late = refused("15:00-16:30", "late");
    assert!(late.contains("ends after the close"), "{late}");
}
