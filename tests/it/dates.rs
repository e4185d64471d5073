//! Runs carry real dates: `start_date` and the US trading calendar, `calendar.csv`, ISO 8601
//! `time` columns in CSV and UTC timestamps in Parquet across a daylight-saving change; the
//! `sweep` tables option writes only what a sweep needs; and no recorded trade pairs an agent
//! with itself, auctions included.

use crate::common::{Scratch, entries, flowsim, read_csv, run_ok, text, tiny};
use std::fs::File;

use parquet::basic::LogicalType;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

/// Three days from Friday 8 March 2024: New York moves to daylight saving time on Sunday the
/// 10th, so day 1 is at UTC−5 and days 2 and 3 (Monday 11th, Tuesday 12th) at UTC−4.
fn scenario(extra: &str) -> String {
    // `extra` is line 4, where the located-error test looks for it.
    tiny(
        &format!("name = \"dated\"\nseed = 3\ndays = 3\n{extra}"),
        "limit = \"schedule\"\nclose_speed = 1.0\n",
    )
}

fn column(path: &std::path::Path, name: &str) -> Vec<String> {
    let (h, rows) = read_csv(path);
    let i = h
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("{}: no column {name} in {h:?}", path.display()));
    rows.into_iter().map(|mut r| r.swap_remove(i)).collect()
}

#[test]
fn records_carry_dates_and_new_york_times() {
    let s = Scratch::new("dates");
    let file = s.write("dated.toml", &scenario(r#"start_date = "2024-03-08""#));
    let run = s.path("run");
    run_ok(&file, &run, &["-q", "--no-report"]);
    assert_eq!(
        std::fs::read_to_string(run.join("calendar.csv")).unwrap(),
        "day,date\n1,2024-03-08\n2,2024-03-11\n3,2024-03-12\n"
    );
    let summary = std::fs::read_to_string(run.join("summary.json")).unwrap();
    assert!(
        summary.contains("\"start_date\": \"2024-03-08\""),
        "{summary}"
    );

    // Bars: the first bar of day 1 ends at 09:31 New York time (UTC−5), day 2's at UTC−4.
    let times = column(&run.join("bars.csv"), "time");
    let days = column(&run.join("bars.csv"), "day");
    let ns = column(&run.join("bars.csv"), "time_ns");
    assert_eq!(times[0], "2024-03-08T09:31:00.000000000-05:00");
    let k = days.iter().position(|d| d == "2").unwrap();
    assert_eq!(times[k], "2024-03-11T09:31:00.000000000-04:00");
    // The time of day in `time` is `time_ns` modulo a day.
    for (t, n) in times.iter().zip(&ns) {
        let n: u64 = n.parse().unwrap();
        let tod = n % 86_400_000_000_000;
        let want = format!(
            "{:02}:{:02}:{:02}",
            tod / 3_600_000_000_000,
            tod / 60_000_000_000 % 60,
            tod / 1_000_000_000 % 60
        );
        assert_eq!(&t[11..19], want, "{t} against {n}");
    }
    // Every table with a time_ns has a time; positions have the date.
    let (state_header, _) = read_csv(&run.join("state.csv"));
    assert_eq!(state_header.last().map(String::as_str), Some("time"));
    for t in ["trades", "flows", "events"] {
        let times = column(&run.join(format!("{t}.csv")), "time");
        assert!(
            !times.is_empty() && times.iter().all(|x| x.starts_with("2024-03-")),
            "{t}"
        );
    }
    let dates = column(&run.join("positions.csv"), "date");
    assert!(dates.iter().all(|d| d.starts_with("2024-03-")), "{dates:?}");

    // Parquet: TIMESTAMP(NANOS) adjusted to UTC, the same instant as the CSV's stamp.
    let f = File::open(run.join("bars.parquet")).unwrap();
    let r = SerializedFileReader::new(f).unwrap();
    let schema = r.metadata().file_metadata().schema_descr();
    let col = schema
        .columns()
        .iter()
        .position(|c| c.name() == "time")
        .expect("time column");
    let want = LogicalType::timestamp(true, parquet::basic::TimeUnit::NANOS);
    assert_eq!(schema.column(col).logical_type_ref(), Some(&want));
    let first = r.get_row_iter(None).unwrap().next().unwrap().unwrap();
    let (_, v) = first
        .get_column_iter()
        .find(|(n, _)| n.as_str() == "time")
        .unwrap();
    let utc = chrono::NaiveDate::from_ymd_opt(2024, 3, 8)
        .unwrap()
        .and_hms_opt(14, 31, 0)
        .unwrap()
        .and_utc()
        .timestamp_nanos_opt()
        .unwrap();
    assert_eq!(*v, Field::Long(utc));
}

#[test]
fn a_weekend_start_moves_to_monday_and_the_default_is_2024() {
    let s = Scratch::new("dates-default");
    let weekend = s.write("w.toml", &scenario(r#"start_date = "2024-07-06""#));
    let run = s.path("w");
    run_ok(&weekend, &run, &["-q", "--no-report"]);
    assert_eq!(
        std::fs::read_to_string(run.join("calendar.csv")).unwrap(),
        "day,date\n1,2024-07-08\n2,2024-07-09\n3,2024-07-10\n"
    );
    let plain = s.write("p.toml", &scenario(""));
    let run = s.path("p");
    run_ok(&plain, &run, &["-q", "--no-report"]);
    let cal = std::fs::read_to_string(run.join("calendar.csv")).unwrap();
    assert!(
        cal.starts_with("day,date\n1,2024-01-02\n2,2024-01-03\n"),
        "{cal}"
    );
}

#[test]
fn a_bad_start_date_is_refused_at_its_line() {
    let s = Scratch::new("dates-bad");
    let file = s.write("bad.toml", &scenario(r#"start_date = "2024-02-30""#));
    let o = flowsim(["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("bad.toml:4") && err.contains("start_date"),
        "{err}"
    );
}

#[test]
fn sweep_tables_write_only_what_a_sweep_needs() {
    let s = Scratch::new("tables");
    let file = s.write("t.toml", &scenario(""));
    let run = s.path("run");
    run_ok(&file, &run, &["-q", "--tables", "sweep"]);
    let want: std::collections::BTreeSet<String> = [
        "bars.csv",
        "bars.parquet",
        "calendar.csv",
        "flows.csv",
        "flows.parquet",
        "scenario.toml",
        "summary.json",
    ]
    .map(String::from)
    .into();
    assert_eq!(entries(&run), want);
    // The same numbers as a full run: only what is written differs.
    let full = s.path("full");
    run_ok(&file, &full, &["-q", "--no-report"]);
    for f in ["bars.csv", "flows.csv", "summary.json"] {
        crate::common::assert_same_file(&full.join(f), &run.join(f));
    }
    // In the scenario file too.
    let in_file = s.write(
        "t2.toml",
        &format!("{}\n[record]\ntables = \"sweep\"\n", scenario("")),
    );
    let run2 = s.path("run2");
    run_ok(&in_file, &run2, &["-q"]);
    assert_eq!(entries(&run2), want);
    // No report can be drawn from them, and `flowsim report` says why.
    let o = flowsim(["report", run.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("only the sweep tables"), "{err}");
}

#[test]
fn no_trade_pairs_an_agent_with_itself() {
    // Value traders post their whole schedule into the closing auction, on both sides of value,
    // where an uncross can meet an agent's own orders.
    let s = Scratch::new("self-trades");
    let file = s.write("st.toml", &scenario(""));
    let run = s.path("run");
    run_ok(&file, &run, &["-q", "--no-report"]);
    let buyers = column(&run.join("trades.csv"), "buyer");
    let sellers = column(&run.join("trades.csv"), "seller");
    assert!(buyers.len() > 100);
    let selfs = buyers.iter().zip(&sellers).filter(|(b, s)| b == s).count();
    assert_eq!(selfs, 0, "{selfs} self-trades recorded");
}
