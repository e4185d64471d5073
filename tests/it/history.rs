//! Real daily history: the reader's located errors, the trading calendar against the real
//! S&P 500 dates, the monitor against a simulation on the same closes, `flowsim monitor` and
//! `flowsim score` end to end on the shipped data.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::common::*;
use chrono::NaiveDate;
use flowsim::agents::AgentClass;
use flowsim::agents::state::Metric;
use flowsim::history::{Columns, DailyHistory, TradingCalendar, read_daily};
use flowsim::monitor::{self, MonitorConfig, MonitorInput, Window};
use flowsim::record::MemorySink;
use flowsim::scenario::{self, build};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/history")
        .join(name)
}

/// Every consecutive pair of dates in the real S&P 500 file (1999–2018) is one trading day
/// apart by the calendar: no holiday missed, none invented.
#[test]
fn calendar_matches_every_date_of_the_real_sp500() {
    let h = read_daily(&data("sp500.csv"), &Columns::default()).expect("shipped data reads");
    assert_eq!(h.len(), 5031);
    for w in h.dates.windows(2) {
        assert_eq!(TradingCalendar::next_after(w[0]), w[1], "after {}", w[0]);
    }
}

/// Each kind of bad history gives `file:line: column: problem`, exit code 1, and no output
/// folder.
#[test]
fn bad_history_files_are_refused_at_their_line_and_write_nothing() {
    let s = Scratch::new("bad-history");
    let head = "date,open,high,low,close,volume\n";
    let good = |d: &str, c: &str| format!("{d},1,1,1,{c},100\n");
    let cases: Vec<(&str, String, Option<usize>, &str, &str)> = vec![
        (
            "unsorted",
            format!(
                "{head}{}{}",
                good("2018-01-03", "10"),
                good("2018-01-02", "11")
            ),
            Some(3),
            "date",
            "sorted",
        ),
        (
            "duplicate",
            format!(
                "{head}{}{}",
                good("2018-01-02", "10"),
                good("2018-01-02", "11")
            ),
            Some(3),
            "date",
            "repeats",
        ),
        (
            "nan",
            format!(
                "{head}{}{}",
                good("2018-01-02", "10"),
                good("2018-01-03", "NaN")
            ),
            Some(3),
            "close",
            "finite",
        ),
        (
            "zero",
            format!(
                "{head}{}{}",
                good("2018-01-02", "0"),
                good("2018-01-03", "1")
            ),
            Some(2),
            "close",
            "positive",
        ),
        (
            "negative",
            format!(
                "{head}{}{}",
                good("2018-01-02", "10"),
                good("2018-01-03", "-2")
            ),
            Some(3),
            "close",
            "positive",
        ),
        (
            "impossible-date",
            format!(
                "{head}{}{}",
                good("2018-01-02", "10"),
                good("2024-02-30", "11")
            ),
            Some(3),
            "date",
            "calendar date",
        ),
        (
            "missing-column",
            "date,open\n2018-01-02,1\n2018-01-03,2\n".to_string(),
            Some(1),
            "close",
            "no such column",
        ),
        ("empty", String::new(), None, "", "empty"),
        (
            "one-row",
            format!("{head}{}", good("2018-01-02", "10")),
            None,
            "",
            "at least two",
        ),
    ];
    for (tag, body, line, column, problem) in cases {
        let file = s.write(&format!("{tag}.csv"), &body);
        let out = s.path(&format!("out-{tag}"));
        let o = flowsim([
            OsStr::new("monitor"),
            OsStr::new("--history"),
            OsStr::new(&format!("SPX={}", file.display())),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("-q"),
        ]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{tag}: {err}");
        let at = match line {
            Some(l) => format!("{}:{l}: {column}:", file.display()),
            None => format!("{}:", file.display()),
        };
        assert!(err.contains(&at), "{tag}: wants {at:?} in\n{err}");
        assert!(err.contains(problem), "{tag}: wants {problem:?} in\n{err}");
        assert!(!err.contains("panicked"), "{tag}: {err}");
        assert!(!out.exists(), "{tag}: wrote {}", out.display());
    }
    // Nothing but the inputs is left in the folder (no hidden partial output either).
    assert!(
        s.entries().iter().all(|e| e.ends_with(".csv")),
        "{:?}",
        s.entries()
    );
}

/// A simulated run and the monitor on the simulation's own daily closes agree on the numbers
/// the rules compute from closes: σ̂ and target exposure of a vol-target fund, and a CTA's
/// signals, trigger levels and target position, to the last bit or nearly.
#[test]
fn a_monitor_day_and_a_simulated_day_on_the_same_closes_agree() {
    let src = format!(
        r#"
name = "same-closes"
days = 4
[[instruments]]
symbol = "SPX"
initial_price = 2872.0
tick_size = 1.0
notional_per_unit = 50.0
annual_vol = 0.12
[prehistory]
kind = "history"
until = "2018-01-26"
days = 300
[prehistory.files]
SPX = {sp:?}
[agents.market_maker]
count = 2
quote_usd = 50e6
[agents.noise]
count = 20
orders_per_day = 40
order_usd = 2e6
[agents.vol_target]
count = 1
target_vol_dispersion = 0.0
lag_days = 1
lag_days_max = 1
aum_usd = 100e9
[agents.cta]
count = 1
lookback_dispersion = 0.0
capital_usd = 30e9
"#,
        sp = data("sp500.csv").display().to_string()
    );
    let s = scenario::parse(Path::new("same.toml"), &src).expect("valid scenario");
    let mut sim = build::build_with(&s, Path::new("."), 7, false).expect("builds");
    let mut sink = MemorySink::default();
    sim.run(&mut sink, &mut |_, _| {}).expect("runs");
    let daily = &sim.data()[0].daily;
    assert_eq!(daily.len(), 304);
    // The simulation's closes (ticks of one dollar), dated as the real calendar dates them.
    let real = read_daily(&data("sp500.csv"), &Columns::default()).unwrap();
    let real = real.until(NaiveDate::from_ymd_opt(2018, 1, 26).unwrap());
    let mut dates = real.dates[real.len() - 300..].to_vec();
    dates.extend(TradingCalendar::days_after(dates[299], 4));
    let h = DailyHistory {
        file: "sim".into(),
        dates: dates.clone(),
        close: daily.iter().map(|d| d.close as f64).collect(),
        open: None,
        high: None,
        low: None,
        volume: None,
    };
    let cfg = MonitorConfig {
        vol_target: s.agents.vol_target.clone().unwrap(),
        cta: s.agents.cta.clone().unwrap(),
        ..MonitorConfig::default()
    };
    let input = MonitorInput {
        histories: vec![("SPX".into(), h)],
        ..MonitorInput::default()
    };
    let p = monitor::run(&input, &cfg, Window::default(), &mut |_, _| {}).expect("monitor");
    let sim_value = |day: u32, class: AgentClass, metric: Metric, at: Option<f64>| {
        sink.state
            .iter()
            .find(|r| r.day == day && r.class == class && r.metric == metric && r.at == at)
            .map(|r| r.value)
            .unwrap_or_else(|| panic!("no {metric:?} on day {day}"))
    };
    let close = |a: f64, b: f64, what: &str| {
        assert!(
            (a - b).abs() <= 1e-12 * a.abs().max(1.0),
            "{what}: sim {a} vs monitor {b}"
        );
    };
    for day in 1..=4u32 {
        let date = dates[299 + day as usize];
        let m = |class: &str, metric: &str| p.value(date, "SPX", class, metric).unwrap();
        let vt = AgentClass::VolTarget;
        close(
            sim_value(day, vt, Metric::VolEstimate, None),
            m("vol_target", "sigma"),
            "σ̂",
        );
        let target =
            sim_value(day, vt, Metric::TargetUsd, None) / sim_value(day, vt, Metric::Nav, None);
        close(
            target,
            m("vol_target", "target_exposure"),
            "target exposure",
        );
        let cta = AgentClass::Cta;
        close(
            sim_value(day, cta, Metric::VolEstimate, None),
            m("cta", "sigma"),
            "CTA σ̂",
        );
        close(
            sim_value(day, cta, Metric::TargetUsd, None),
            m("cta", "target_usd"),
            "CTA target",
        );
        for h in [21u32, 63, 252] {
            let at = Some(h as f64);
            close(
                sim_value(day, cta, Metric::Signal, at),
                m("cta", &format!("signal_{h}d")),
                "signal",
            );
            close(
                sim_value(day, cta, Metric::Trigger, at),
                m("cta", &format!("trigger_{h}d")),
                "trigger",
            );
        }
    }
}

/// `flowsim monitor` on the shipped S&P 500 writes its tables, charts and report; the
/// vol-target exposure falls through Feb 2018 from a high to a low percentile.
#[test]
fn monitor_writes_its_report_on_the_real_sp500() {
    let s = Scratch::new("monitor");
    let out = s.path("mon");
    let o = flowsim([
        OsStr::new("monitor"),
        OsStr::new("--history"),
        OsStr::new(&format!("SPX={}", data("sp500.csv").display())),
        OsStr::new("--vix"),
        data("vix.csv").as_os_str(),
        OsStr::new("--from"),
        OsStr::new("2017-06-01"),
        OsStr::new("--to"),
        OsStr::new("2018-12-31"),
        OsStr::new("--ladder-date"),
        OsStr::new("2018-02-05"),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("-q"),
    ]);
    assert_success(&o, "flowsim monitor");
    for f in [
        "positioning.csv",
        "positioning.parquet",
        "ladder.csv",
        "report.html",
        "charts/exposure_SPX.png",
        "charts/cta_SPX.png",
        "charts/letf.png",
        "charts/ladder.png",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let rows = read_csv_maps(&out.join("positioning.csv"));
    let pct = |date: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| {
                r["date"] == date
                    && r["class"] == "vol_target"
                    && r["metric"] == "exposure_percentile"
            })
            .expect("percentile row");
        num(r, "value")
    };
    let (before, after) = (pct("2018-01-26"), pct("2018-02-09"));
    assert!(before > 75.0 && after < 30.0, "{before} → {after}");
    assert!(
        rows.iter()
            .all(|r| r["date"].as_str() >= "2017-06-01" && r["date"].as_str() <= "2018-12-31")
    );
    // The ladder: LETFs sell on every fall and buy on every rise, in proportion to the move.
    let ladder = read_csv_maps(&out.join("ladder.csv"));
    assert_eq!(ladder[0]["date"], "2018-02-05");
    for r in ladder.iter().filter(|r| r["class"] == "letf") {
        let m: f64 = num(r, "move");
        let f: f64 = num(r, "tomorrow_usd");
        assert!(m * f >= 0.0 && (f - 3.5e11 * m).abs() < 1.0, "{r:?}");
    }
}

/// `flowsim score` on the shipped data scores the Feb 2018 vol-control estimates and says
/// what every other entry needs.
#[test]
fn score_on_the_shipped_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = flowsim_in(Some(root), ["score"]);
    assert_success(&o, "flowsim score");
    let out = text(&o.stdout);
    let last = out.lines().last().unwrap_or("");
    assert!(last.ends_with("need data"), "{out}");
    for id in ["barclays-2018-02", "goldman-2018-02"] {
        let line = out.lines().find(|l| l.starts_with(id)).expect(id);
        assert!(line.ends_with("pass"), "{line}");
    }
    assert!(last.starts_with("2 passed, 0 failed"), "{out}");
}

/// A bad monitor.toml or catalogue is refused at its line and field, writing nothing.
#[test]
fn bad_monitor_settings_and_catalogues_are_located() {
    let s = Scratch::new("bad-settings");
    let cfg = s.write(
        "monitor.toml",
        "percentile_lookback_days = 0\n[vol_target]\ntarget_vol = -1.0\n",
    );
    let out = s.path("out");
    let o = flowsim([
        OsStr::new("monitor"),
        OsStr::new("--history"),
        OsStr::new(&format!("SPX={}", data("sp500.csv").display())),
        OsStr::new("--config"),
        cfg.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("-q"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_located(&text(&o.stderr), &cfg, 3, "vol_target.target_vol");
    assert!(!out.exists());

    let cat = s.write(
        "estimates.toml",
        "[[estimate]]\nid = \"x\"\nsource = \"s\"\nclass = \"vol_target\"\nindex = \"SPX\"\n\
         quantity = \"flow_usd\"\nfrom = \"2018-02-30\"\nto = \"2018-03-01\"\npublished = -1e9\n",
    );
    let o = flowsim([
        OsStr::new("score"),
        OsStr::new("--catalogue"),
        cat.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_located(&text(&o.stderr), &cat, 7, "estimate[0].from");
}

/// The pre-history reader checks dates: a CSV pre-history with days out of order, repeated
/// or impossible is refused by `validate` at its line.
#[test]
fn a_prehistory_with_bad_dates_is_refused_at_its_line() {
    let s = Scratch::new("prehistory-dates");
    for (tag, rows, line) in [
        ("reversed", "2018-01-03,100\n2018-01-02,101\n", 3),
        ("repeated", "2018-01-02,100\n2018-01-02,101\n", 3),
        ("impossible", "2018-01-02,100\n2024-02-30,101\n", 3),
    ] {
        let csv = s.write(&format!("{tag}.csv"), &format!("date,SPX\n{rows}"));
        let scenario = s.write(
            &format!("{tag}.toml"),
            &format!(
                "name = \"t\"\ndays = 1\n[[instruments]]\nsymbol = \"SPX\"\ninitial_price = 100.0\n\
                 notional_per_unit = 1.0\n[prehistory]\nkind = \"csv\"\nfile = \"{tag}.csv\"\n\
                 [agents.noise]\ncount = 1\n"
            ),
        );
        let o = flowsim([OsStr::new("validate"), scenario.as_os_str()]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{tag}: {err}");
        assert!(
            err.contains(&format!("{}:{line}: date:", csv.display())),
            "{tag}: {err}"
        );
    }
}

/// With a bond series, balanced funds rebalance on each month's last trading day only, against
/// the month's move: they sell equities after January 2018 (+5.6%) and buy after December
/// 2018 (−9.2%).
#[test]
fn balanced_funds_rebalance_at_month_ends_against_the_move() {
    let s = Scratch::new("bonds");
    let spx = read_daily(&data("sp500.csv"), &Columns::default()).unwrap();
    let mut bonds = String::from("date,close\n");
    for (k, d) in spx.dates.iter().enumerate() {
        bonds.push_str(&format!(
            "{d},{}\n",
            100.0 * (1.0f64 + 0.04 / 252.0).powi(k as i32)
        ));
    }
    let bonds = s.write("bonds.csv", &bonds);
    let out = s.path("mon");
    let o = flowsim([
        OsStr::new("monitor"),
        OsStr::new("--history"),
        OsStr::new(&format!("SPX={}", data("sp500.csv").display())),
        OsStr::new("--bonds"),
        bonds.as_os_str(),
        OsStr::new("--from"),
        OsStr::new("2018-01-01"),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("-q"),
    ]);
    assert_success(&o, "flowsim monitor --bonds");
    let rows = read_csv_maps(&out.join("positioning.csv"));
    let pension: Vec<_> = rows.iter().filter(|r| r["class"] == "pension").collect();
    let dates: Vec<&str> = pension.iter().map(|r| r["date"].as_str()).collect();
    assert_eq!(dates.len(), 12, "{dates:?}");
    assert_eq!(dates[0], "2018-01-31");
    assert_eq!(dates[11], "2018-12-31");
    let flow = |d: &str| -> f64 { num(pension.iter().find(|r| r["date"] == d).unwrap(), "value") };
    assert!(flow("2018-01-31") < 0.0 && flow("2018-12-31") > 0.0);
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!report.contains("Balanced funds are left out"));
}
