//! `flowsim facts`: the daily stylized facts of the real S&P 500 of 2010–2018 (the figures the
//! calibration issue quotes), and the command end to end on tiny runs: the table and its CSV,
//! a sweep's output folder, and located refusals that leave nothing written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::NaiveDate;
use flowsim::facts::real_sample;

use crate::common::{
    Scratch, TINY, assert_success, entries, flowsim, flowsim_in, num, read_csv_maps, run_ok, text,
};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sp500() -> PathBuf {
    root().join("data/history/sp500.csv")
}

fn date(s: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

#[test]
fn the_real_sp500_of_2010_to_2018_has_the_quoted_daily_facts() {
    let real = real_sample(&sp500(), date("2010-01-01"), date("2018-12-31"), 249, 21).unwrap();
    let f = real.facts;
    assert_eq!(
        (real.first, real.last),
        (date("2010-01-04").unwrap(), date("2018-12-31").unwrap())
    );
    assert_eq!(f.returns, 2263);
    // The figures, to the precision it quotes them: kurtosis ≈ 4.6, ACF of |r| ≈ 0.22
    // and 0.21, leverage ≈ −0.1 (the mean over ten lags; the correlation with the next ten
    // days' mean |r| is stronger, about −0.17).
    assert!((f.excess_kurtosis - 4.6).abs() < 0.05, "{f:?}");
    assert!((f.abs_acf_1 - 0.22).abs() < 0.005, "{f:?}");
    assert!((f.abs_acf_10 - 0.21).abs() < 0.005, "{f:?}");
    assert!((f.leverage - -0.1).abs() < 0.01, "{f:?}");
    assert!(
        f.leverage_mean_abs < -0.15 && f.leverage_mean_abs > -0.18,
        "{f:?}"
    );
    assert!((f.annual_sd - 0.150).abs() < 0.001, "{f:?}");
    // Windows of a year, a month apart: 96 of them. A single year's sample kurtosis and ACF
    // at lag 10 sit well below the nine-year figures, and the leverage of a year is negative
    // in at least 95% of them.
    assert_eq!(real.windows.len(), 96);
    let median = |g: fn(&flowsim::analysis::daily_facts::DailyFacts) -> f64| {
        flowsim::analysis::distribution::median(&real.windows.iter().map(g).collect::<Vec<_>>())
    };
    let k = median(|w| w.excess_kurtosis);
    assert!(k > 1.0 && k < 2.5, "median kurtosis of a year {k}");
    let a10 = median(|w| w.abs_acf_10);
    assert!(
        a10 > 0.03 && a10 < 0.15,
        "median ACF|r| lag 10 of a year {a10}"
    );
    let quantiles = flowsim::analysis::distribution::quantiles(
        &real.windows.iter().map(|w| w.leverage).collect::<Vec<_>>(),
        &[0.95],
    );
    assert!(quantiles[0] < 0.0, "{quantiles:?}");
}

/// TINY for `days` days.
fn tiny(days: u32) -> String {
    TINY.replacen("days = 2\n", &format!("days = {days}\n"), 1)
}

/// `flowsim run` of `scenario` with `seed` into `out`, bars and flows only.
fn run_seed(scenario: &Path, out: &Path, seed: u64) {
    run_ok(
        scenario,
        out,
        &["--seed", &seed.to_string(), "--tables", "sweep", "--quiet"],
    );
}

/// `flowsim facts ARGS`, run from the repository root so the default real file is found.
fn facts(args: &[&Path]) -> Output {
    let mut all: Vec<&std::ffi::OsStr> = vec!["facts".as_ref()];
    all.extend(args.iter().map(|p| p.as_os_str()));
    flowsim_in(Some(root()), all)
}

/// The daily closes of SPX in a run folder, read from bars.csv by this test: the last bar of
/// each day.
fn closes(dir: &Path) -> Vec<f64> {
    let mut last: BTreeMap<u32, f64> = BTreeMap::new();
    for row in read_csv_maps(&dir.join("bars.csv")) {
        last.insert(num(&row, "day"), num(&row, "close"));
    }
    last.into_values().collect()
}

#[test]
fn facts_of_three_seeds_print_the_table_and_write_the_csv() {
    let s = Scratch::new("facts-cli");
    let scenario = s.write("tiny.toml", &tiny(16));
    let dirs: Vec<PathBuf> = (1..=3).map(|k| s.path(&format!("seed{k}"))).collect();
    for (k, d) in dirs.iter().enumerate() {
        run_seed(&scenario, d, k as u64 + 1);
    }
    let csv = s.path("facts.csv");
    let mut args: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    args.extend([Path::new("--out"), csv.as_path()]);
    let o = facts(&args);
    assert_success(&o, "flowsim facts");
    let out = text(&o.stdout);
    for want in [
        "excess kurtosis",
        "ACF |r| lag 10",
        "leverage (mean of 10 lags)",
        "real 2010-01-04 to 2018-12-31",
        "real 15-return windows",
        "min, max], 3 seed",
    ] {
        assert!(out.contains(want), "no {want:?} in\n{out}");
    }
    let rows = read_csv_maps(&csv);
    let names: Vec<&str> = rows.iter().map(|r| r["statistic"].as_str()).collect();
    assert_eq!(
        names,
        [
            "returns",
            "daily_sd",
            "annual_sd",
            "excess_kurtosis",
            "abs_acf_1",
            "abs_acf_10",
            "leverage",
            "leverage_mean_abs"
        ]
    );
    let row = |name: &str| rows.iter().find(|r| r["statistic"] == name).unwrap();
    // 16 days, 15 returns per run; real windows of 15 returns a month apart.
    assert_eq!(row("returns")["seed_2"], "15");
    assert_eq!(row("returns")["real_windows_median"], "15");
    assert_eq!(row("returns")["real_full"], "2263");
    assert_eq!(row("returns")["real_windows"], "108");
    assert_eq!(row("daily_sd")["flowsim_interval"], "min-max");
    assert_eq!(row("daily_sd")["seeds"], "3");
    // Each seed's s.d. from the bars, recomputed here: log returns of the last bar's close.
    let mut sds = Vec::new();
    for (k, d) in dirs.iter().enumerate() {
        let c = closes(d);
        assert_eq!(c.len(), 16);
        let r: Vec<f64> = c.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        let m = r.iter().sum::<f64>() / r.len() as f64;
        let sd = (r.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (r.len() - 1) as f64).sqrt();
        let got: f64 = num(row("daily_sd"), &format!("seed_{}", k + 1));
        assert!(
            (got - sd).abs() < 1e-12 * sd.max(1e-300),
            "seed {}: {got} vs {sd}",
            k + 1
        );
        sds.push(sd);
    }
    sds.sort_by(f64::total_cmp);
    let sd_row = row("daily_sd");
    assert_eq!(num::<f64>(sd_row, "flowsim_lo"), sds[0]);
    assert_eq!(num::<f64>(sd_row, "flowsim_median"), sds[1]);
    assert_eq!(num::<f64>(sd_row, "flowsim_hi"), sds[2]);
    // The real full sample does not depend on the window.
    let full = real_sample(&sp500(), date("2010-01-01"), date("2018-12-31"), 15, 21).unwrap();
    assert_eq!(
        num::<f64>(row("leverage"), "real_full"),
        full.facts.leverage
    );
    // The same command gives the same bytes.
    let again = s.path("again.csv");
    let mut args: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    args.extend([Path::new("--out"), again.as_path()]);
    assert_success(&facts(&args), "flowsim facts again");
    crate::common::assert_same_file(&csv, &again);
}

#[test]
fn a_sweep_output_folder_stands_for_its_finished_runs() {
    let s = Scratch::new("facts-sweep");
    let scenario = s.write("tiny.toml", &tiny(4));
    let sweep = s.path("sweep");
    for seed in [1, 2] {
        run_seed(
            &scenario,
            &sweep.join(format!("runs/p0000-seed{seed}")),
            seed,
        );
    }
    // A run still being written (hidden, no summary yet) is left out.
    std::fs::create_dir_all(sweep.join("runs/.p0000-seed3.partial-1-0")).unwrap();
    let csv = s.path("facts.csv");
    let o = facts(&[&sweep, Path::new("--out"), &csv]);
    assert_success(&o, "flowsim facts SWEEP");
    let rows = read_csv_maps(&csv);
    let returns = rows.iter().find(|r| r["statistic"] == "returns").unwrap();
    assert_eq!(returns["seeds"], "2");
    assert_eq!(
        (returns["seed_1"].as_str(), returns["seed_2"].as_str()),
        ("3", "3")
    );
    assert!(!returns.contains_key("seed_3"));
    // Three returns give no kurtosis (it needs four): an empty cell, not a number.
    let kurtosis = rows
        .iter()
        .find(|r| r["statistic"] == "excess_kurtosis")
        .unwrap();
    assert_eq!(kurtosis["seed_1"], "");
    assert_eq!(kurtosis["real_windows"], "0");
}

/// The command failed, its message contains every one of `want`, and the scratch folder holds
/// exactly `before` (no CSV, no partial file).
#[track_caller]
fn refused(s: &Scratch, o: &Output, want: &[&str], before: &std::collections::BTreeSet<String>) {
    assert!(!o.status.success(), "should fail:\n{}", text(&o.stdout));
    let err = text(&o.stderr);
    for w in want {
        assert!(err.contains(w), "message lacks {w:?}:\n{err}");
    }
    assert_eq!(&s.entries(), before, "something was written");
}

#[test]
fn bad_input_is_refused_with_its_location_and_nothing_written() {
    let s = Scratch::new("facts-bad");
    let scenario = s.write("tiny.toml", &tiny(4));
    let (a, b) = (s.path("a"), s.path("b"));
    run_seed(&scenario, &a, 1);
    run_seed(&scenario, &b, 2);
    let other = s.write("other.toml", &tiny(4).replace("count = 30", "count = 31"));
    let c = s.path("c");
    run_seed(&other, &c, 3);
    let short = s.write("short.toml", &tiny(2));
    let d = s.path("d");
    run_seed(&short, &d, 4);
    let bad_real = s.write(
        "real.csv",
        "date,close\n2010-01-04,100\n2010-01-06,101\n2010-01-05,102\n",
    );
    let broken = s.path("broken");
    run_seed(&scenario, &broken, 5);
    let bars = std::fs::read_to_string(broken.join("bars.csv")).unwrap();
    let mut lines: Vec<String> = bars.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(",SPX,", ",SPX,abc", 1);
    std::fs::write(broken.join("bars.csv"), lines.join("\n") + "\n").unwrap();
    let csv = s.path("facts.csv");
    let before = s.entries();
    let out = [Path::new("--out"), csv.as_path()];
    let with = |args: &[&Path]| {
        let mut v = args.to_vec();
        v.extend(out);
        facts(&v)
    };
    let shown = |p: &Path| p.display().to_string();

    let missing = s.path("nowhere");
    refused(
        &s,
        &with(&[&missing]),
        &[&shown(&missing), "no such folder"],
        &before,
    );
    refused(&s, &with(&[&s.dir]), &["neither a run folder"], &before);
    refused(
        &s,
        &with(&[&a, &c]),
        &[&shown(&a), &shown(&c), "different scenarios"],
        &before,
    );
    refused(
        &s,
        &with(&[&a, &b, &a]),
        &["the same run", "seed 1"],
        &before,
    );
    refused(
        &s,
        &with(&[&d]),
        &[&shown(&d), "2 simulated day(s)", "at least 3 days"],
        &before,
    );
    refused(
        &s,
        &with(&[&broken]),
        &[&format!("{}:3", shown(&broken.join("bars.csv")))],
        &before,
    );
    refused(
        &s,
        &with(&[&a, Path::new("--symbol"), Path::new("NDX")]),
        &[&shown(&a.join("bars.csv")), "NDX", "SPX"],
        &before,
    );
    refused(
        &s,
        &with(&[&a, Path::new("--real"), &bad_real]),
        &[&format!("{}:4: date", shown(&bad_real))],
        &before,
    );
    refused(
        &s,
        &with(&[&a, Path::new("--from"), Path::new("2018-02-30")]),
        &["--from", "2018-02-30"],
        &before,
    );
    refused(
        &s,
        &with(&[
            &a,
            Path::new("--from"),
            Path::new("2018-01-01"),
            Path::new("--to"),
            Path::new("2017-01-01"),
        ]),
        &["2018-01-01 is after its last date 2017-01-01"],
        &before,
    );
    refused(
        &s,
        &with(&[&a, Path::new("--window"), Path::new("5000")]),
        &["2263 daily returns", "fewer than one window of 5000"],
        &before,
    );
    refused(
        &s,
        &with(&[&a, Path::new("--step"), Path::new("0")]),
        &["--step"],
        &before,
    );
    refused(
        &s,
        &with(&[&a, Path::new("--window"), Path::new("-3")]),
        &["--window"],
        &before,
    );
    // --out naming a folder is refused before anything is read.
    let o = facts(&[&a, Path::new("--out"), &s.dir]);
    refused(&s, &o, &["is a folder"], &before);
    assert!(entries(&a).contains("summary.json"));
    assert!(flowsim(["facts"]).status.code() == Some(2));
}
