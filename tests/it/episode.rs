//! `flowsim episode` end to end on a tiny market and a made-up history: the inferred
//! fundamental makes the market track the history's closes, the tracked closes are what a plain
//! run of that fundamental gives, the decomposition is what independent code computes from the
//! paths, the output is the same on any thread count, a second command resumes, and a folder
//! or scenario that cannot be an episode is refused with its file and field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{Scratch, assert_located, assert_success, flowsim, read_csv_maps, text, tiny};

const PRE_DAYS: usize = 40;
const EPISODE_DAYS: usize = 4;

/// A made-up daily history: a gentle wave for the pre-history, then a rise and a 4% fall over
/// the episode's four days (peak on day 1, trough on day 3).
fn history(s: &Scratch) -> (PathBuf, chrono::NaiveDate) {
    let start = chrono::NaiveDate::from_ymd_opt(2017, 1, 3).unwrap();
    let dates = flowsim::history::TradingCalendar::days_after(start, PRE_DAYS + EPISODE_DAYS);
    let mut csv = String::from("date,close\n");
    for (k, d) in dates.iter().enumerate() {
        let close = if k < PRE_DAYS {
            5000.0 * (1.0 + 0.01 * (k as f64 / 3.0).sin())
        } else {
            let last = 5000.0 * (1.0 + 0.01 * ((PRE_DAYS - 1) as f64 / 3.0).sin());
            last * [1.01, 0.99, 0.97, 0.975][k - PRE_DAYS]
        };
        csv.push_str(&format!("{d},{close:.2}\n"));
    }
    (s.write("hist.csv", &csv), dates[PRE_DAYS - 1])
}

fn scenario(until: chrono::NaiveDate, days: usize) -> String {
    tiny(
        &format!("name = \"episode-tiny\"\nseed = 1\ndays = {days}"),
        r#"
[agents.vol_target]
count = 4
aum_usd = 4e9

[agents.cta]
count = 2
capital_usd = 2e9
"#,
    )
    .replace(
        "[prehistory]\nkind = \"synthetic\"\ndays = 30\n",
        &format!(
            "[prehistory]\nkind = \"history\"\nuntil = \"{until}\"\ndays = 30\n[prehistory.files]\nSPX = \"hist.csv\"\n"
        ),
    )
}

fn episode(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "episode".to_string(),
        file.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--seeds".into(),
        "2".into(),
        "--tolerance".into(),
        "0.002".into(),
        "--quiet".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    flowsim(&args)
}

const OUTPUTS: [&str; 7] = [
    "EPISODE.md",
    "decomposition.csv",
    "paths.csv",
    "tracking.csv",
    "episode.png",
    "seeds/seed-0001.json",
    "seeds/seed-0002.json",
];

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|e| panic!("{col} = {:?}: {e}", row[col]))
}

#[test]
fn an_episode_tracks_the_real_closes_and_splits_the_fall_the_same_on_any_thread_count() {
    let s = Scratch::new("episode-e2e");
    let (_, until) = history(&s);
    let file = s.write("ep.toml", &scenario(until, EPISODE_DAYS));
    let o = episode(&file, &s.path("out1"), &["--threads", "1"]);
    assert_success(&o, "episode on one thread");
    let o = episode(&file, &s.path("out2"), &["--threads", "2"]);
    assert_success(&o, "episode on two threads");
    for f in OUTPUTS {
        crate::common::assert_same_file(&s.path("out1").join(f), &s.path("out2").join(f));
    }

    // A second command into the same folder runs nothing and writes the same tables.
    let o = flowsim([
        "episode",
        file.to_str().unwrap(),
        "--out",
        s.path("out1").to_str().unwrap(),
        "--seeds",
        "2",
        "--tolerance",
        "0.002",
    ]);
    assert_success(&o, "episode resumed");
    assert_eq!(
        text(&o.stderr).matches("already in").count(),
        2,
        "{}",
        text(&o.stderr)
    );
    crate::common::assert_same_file(
        &s.path("out1").join("decomposition.csv"),
        &s.path("out2").join("decomposition.csv"),
    );

    // Every seed's kept path tracks the history within the tolerance, and a plain run of the
    // inferred fundamental (the scenario with `fundamental_closes`) closes on the same prices.
    let paths = read_csv_maps(&s.path("out1").join("paths.csv"));
    let tracking = read_csv_maps(&s.path("out1").join("tracking.csv"));
    for seed in ["1", "2"] {
        let kept: Vec<_> = tracking
            .iter()
            .filter(|r| r["seed"] == seed && r["kept"] == "true")
            .collect();
        assert_eq!(kept.len(), 1);
        let rows: Vec<_> = paths
            .iter()
            .filter(|r| r["seed"] == seed && r["day"] != "0")
            .collect();
        assert_eq!(rows.len(), EPISODE_DAYS);
        let mut worst: f64 = 0.0;
        for r in &rows {
            worst = worst.max((num(r, "real") / num(r, "all_agents")).ln().abs());
        }
        assert!(
            (worst - num(kept[0], "max_miss")).abs() < 2e-6,
            "seed {seed}: largest miss {worst} against tracking.csv's {}",
            kept[0]["max_miss"]
        );
        assert!(worst <= 0.002, "seed {seed} missed by {worst}");

        let closes = rows
            .iter()
            .map(|r| r["fundamental"].clone())
            .collect::<Vec<_>>()
            .join(", ");
        // paths.csv keeps every digit, so a run of the inferred path is the tracked run.
        let text = scenario(until, EPISODE_DAYS).replace(
            "notional_per_unit = 50.0\n",
            &format!("notional_per_unit = 50.0\nfundamental_closes = [{closes}]\n"),
        );
        let f = s.write(&format!("replay-{seed}.toml"), &text);
        let dir = s.path(&format!("replay-{seed}"));
        let o = flowsim([
            "run",
            f.to_str().unwrap(),
            "--seed",
            seed,
            "--out",
            dir.to_str().unwrap(),
            "--no-report",
            "--quiet",
        ]);
        assert_success(&o, "the inferred fundamental run on its own");
        let bars = read_csv_maps(&dir.join("bars.csv"));
        for r in &rows {
            let day = &r["day"];
            let last = bars
                .iter()
                .rfind(|b| &b["day"] == day)
                .expect("the day's bars");
            assert!(
                (num(last, "fundamental") / num(r, "fundamental") - 1.0).abs() < 1e-9,
                "seed {seed} day {day}: fundamental {} against {}",
                last["fundamental"],
                r["fundamental"]
            );
            assert_eq!(
                num(last, "close"),
                num(r, "all_agents"),
                "seed {seed} day {day}: a plain run closes elsewhere than the tracked run"
            );
        }
    }

    // The decomposition is what the paths give: the real fall's peak and trough, each seed's
    // fall with every agent and without each class, the median of two seeds being their mean.
    let real: Vec<f64> = paths
        .iter()
        .filter(|r| r["seed"] == "1")
        .map(|r| num(r, "real"))
        .collect();
    let (mut peak, mut best) = (0, (0.0, 0, 0));
    for (k, &p) in real.iter().enumerate() {
        if p > real[peak] {
            peak = k;
        }
        if 1.0 - p / real[peak] > best.0 {
            best = (1.0 - p / real[peak], peak, k);
        }
    }
    let (depth, p, t) = best;
    assert!(
        (depth - (1.0 - 0.97 / 1.01)).abs() < 1e-3,
        "real fall {depth}"
    );
    let dec = read_csv_maps(&s.path("out1").join("decomposition.csv"));
    let get = |measure: &str, of: &str| {
        dec.iter()
            .find(|r| r["measure"] == measure && r["of"] == of)
            .map(|r| num(r, "median"))
            .unwrap_or_else(|| panic!("no {measure} of {of}"))
    };
    assert!((get("drawdown", "real") - depth).abs() < 1e-6);
    let fall = |seed: &str, col: &str| {
        let v: Vec<f64> = paths
            .iter()
            .filter(|r| r["seed"] == seed)
            .map(|r| num(r, col))
            .collect();
        1.0 - v[t] / v[p]
    };
    for class in ["vol_target", "cta", "mechanical"] {
        let col = format!("without_{class}");
        let effect: f64 = ["1", "2"]
            .iter()
            .map(|s| fall(s, "all_agents") - fall(s, &col))
            .sum::<f64>()
            / 2.0;
        assert!(
            (get("effect", class) - effect).abs() < 1e-5,
            "{class}: {} against {effect}",
            get("effect", class)
        );
        assert!((get("share", class) - effect / depth).abs() < 1e-4);
    }
}

#[test]
fn a_scenario_or_folder_that_cannot_be_an_episode_is_refused() {
    let s = Scratch::new("episode-bad");
    let (_, until) = history(&s);
    let fails = |file: &Path, out: &str, extra: &[&str]| {
        let o = episode(file, &s.path(out), extra);
        assert!(!o.status.success(), "{}", text(&o.stdout));
        text(&o.stderr)
    };

    // A synthetic pre-history has no real closes to track.
    let f = s.write(
        "synthetic.toml",
        &tiny(
            "name = \"x\"\nseed = 1\ndays = 3",
            "[agents.vol_target]\ncount = 2\n",
        ),
    );
    let err = fails(&f, "o1", &[]);
    assert!(
        err.contains("synthetic.toml") && err.contains("prehistory.kind"),
        "{err}"
    );

    // More days than the history has after its `until`.
    let f = s.write("long.toml", &scenario(until, EPISODE_DAYS + 3));
    let err = fails(&f, "o2", &[]);
    assert!(
        err.contains("long.toml") && err.contains("`days`") && err.contains("has 4 of them"),
        "{err}"
    );

    // No mechanical class to split the move among.
    let f = s.write(
        "none.toml",
        &scenario(until, EPISODE_DAYS)
            .replace("[agents.vol_target]\ncount = 4\naum_usd = 4e9\n", "")
            .replace("[agents.cta]\ncount = 2\ncapital_usd = 2e9\n", ""),
    );
    let err = fails(&f, "o3", &[]);
    assert!(
        err.contains("none.toml") && err.contains("`agents`"),
        "{err}"
    );

    // A folder written with other settings is not mixed with this one's seeds.
    let f = s.write("ep.toml", &scenario(until, 2));
    assert_success(&episode(&f, &s.path("o4"), &[]), "a two-day episode");
    let err = fails(&f, "o4", &["--max-iterations", "3"]);
    assert!(
        err.contains("seed-0001.json") && err.contains("written for another episode"),
        "{err}"
    );

    // A fundamental path longer than the run is located in the scenario.
    let f = s.write(
        "path.toml",
        &tiny("name = \"x\"\nseed = 1\ndays = 2", "").replace(
            "notional_per_unit = 50.0\n",
            "notional_per_unit = 50.0\nfundamental_closes = [5000.0, 5010.0, 4990.0]\n",
        ),
    );
    let o = flowsim(["validate", f.to_str().unwrap()]);
    assert!(!o.status.success());
    assert_located(
        &text(&o.stderr),
        &f,
        14,
        "instruments[0].fundamental_closes",
    );
}

/// The committed episodes (`results/episode_feb2018/`, `results/episode_oct2018/`) are what
/// their seeds' committed results give, byte for byte, and the first three days of seed 1's
/// tracked run come out again from its inferred fundamental.
#[test]
fn the_committed_episodes_reproduce() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["episode_feb2018", "episode_oct2018"] {
        let loaded = flowsim::scenario::load(&root.join(format!("experiments/{name}.toml")))
            .expect("the episode's scenario");
        let spec = flowsim::episode::prepare(loaded, &flowsim::episode::Settings::default())
            .expect("an episode");
        let dir = root.join("results").join(name);
        let count = std::fs::read_dir(dir.join("seeds"))
            .expect("seeds/")
            .count() as u64;
        assert!(count >= 10, "{name}: {count} seeds");
        let results: Vec<_> = (1..=count)
            .map(|s| {
                flowsim::episode::finished(&spec, &dir, s)
                    .expect("a result of this episode and its default settings")
                    .expect("every seed from 1")
            })
            .collect();
        for (file, text) in flowsim::episode::tables(&spec, &results).expect("tables") {
            let want = std::fs::read_to_string(dir.join(file)).expect("committed table");
            assert!(
                text == want,
                "{file} differs from results/{name}/{file}: rerun `flowsim episode \
                 experiments/{name}.toml --out results/{name} --seeds {count}`"
            );
        }

        let r = &results[0];
        let mut s = spec.loaded.clone();
        s.scenario.days = 3;
        for (ins, path) in s.scenario.instruments.iter_mut().zip(&r.fundamental) {
            ins.fundamental_closes = path[..3].to_vec();
        }
        let scratch = Scratch::new("episode-committed");
        let out = scratch.path("run");
        flowsim::run::execute(
            &s,
            r.seed,
            &out,
            flowsim::run::RunOptions::default(),
            &mut |_, _| {},
        )
        .expect("the tracked run's first days");
        let bars = read_csv_maps(&out.join("bars.csv"));
        for (i, sym) in spec.symbols().iter().enumerate() {
            for day in 1..=3usize {
                let last = bars
                    .iter()
                    .rfind(|b| b["day"] == day.to_string() && b["instrument"] == *sym)
                    .expect("the day's last bar");
                assert_eq!(
                    num(last, "close"),
                    r.full.closes[i][day - 1],
                    "{name} {sym} day {day}"
                );
            }
        }
    }
}
