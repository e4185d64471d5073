//! The Parquet copies of a run's tables, through the real binary: every table read back with the
//! parquet crate's row reader holds exactly the CSV's columns, rows and values; the column types
//! are the documented ones; a long run is cut into row groups of 65,536 rows; two runs of the
//! same seed give byte-identical files; and `[record] parquet = false` writes none.
//!
//! Every test works in its own folder under the system temp dir, removed when the test ends.

use crate::common::{Scratch, entries, read_csv, run_ok};
use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;

use parquet::basic::{LogicalType, Repetition, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

const TABLES: [&str; 5] = ["trades", "bars", "flows", "positions", "events"];

use flowsim::record::ROW_GROUP_ROWS;

/// The tiny market (tests/common) with a shock, so that `events` has a row with an instrument.
fn tiny() -> String {
    format!(
        "{}{}",
        crate::common::TINY,
        r#"
[[shocks]]
day = 2
time = "11:00"
instrument = "SPX"
fundamental_jump = -0.02
"#
    )
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn reader(path: &Path) -> SerializedFileReader<File> {
    let f = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SerializedFileReader::new(f).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A Parquet file: its column names and its rows, through the crate's row iterator.
fn read_parquet(path: &Path) -> (Vec<String>, Vec<Vec<Field>>) {
    let r = reader(path);
    let names = r
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let rows = r
        .get_row_iter(None)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|row| {
            row.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .get_column_iter()
                .map(|(_, f)| f.clone())
                .collect()
        })
        .collect();
    (names, rows)
}

/// Whether a Parquet value is the one the CSV cell spells. Floats must be equal exactly: the
/// CSV writes the shortest text that reads back as the same `f64`.
fn same(field: &Field, cell: &str) -> bool {
    match field {
        Field::Null => cell.is_empty(),
        Field::Str(s) => s == cell,
        Field::Double(x) => cell.parse::<f64>().is_ok_and(|c| c == *x),
        Field::Long(x) if !cell.contains('T') => cell.parse::<i64>().is_ok_and(|c| c == *x),
        Field::UInt(x) => cell.parse::<u32>().is_ok_and(|c| c == *x),
        Field::ULong(x) => cell.parse::<u64>().is_ok_and(|c| c == *x),
        // The `time` column: a UTC instant in nanoseconds against the CSV's ISO 8601 stamp.
        Field::Long(x) if cell.contains('T') => chrono::DateTime::parse_from_rfc3339(cell)
            .is_ok_and(|t| t.timestamp_nanos_opt() == Some(*x)),
        // The `date` column: days since 1970-01-01 against the CSV's ISO date.
        Field::Date(x) => chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").is_ok_and(|d| {
            (d - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days() == i64::from(*x)
        }),
        _ => false,
    }
}

/// Every table's Parquet copy has the CSV's header, row count and every value.
fn assert_tables_match_csv(run: &Path) {
    for t in TABLES {
        let (header, csv_rows) = read_csv(&run.join(format!("{t}.csv")));
        let (names, pq_rows) = read_parquet(&run.join(format!("{t}.parquet")));
        assert_eq!(names, header, "{t}: columns");
        assert_eq!(pq_rows.len(), csv_rows.len(), "{t}: row count");
        for (i, (p, c)) in pq_rows.iter().zip(&csv_rows).enumerate() {
            assert_eq!(p.len(), c.len(), "{t} row {i}: width");
            for ((field, cell), col) in p.iter().zip(c).zip(&header) {
                assert!(
                    same(field, cell),
                    "{t} row {i} column {col}: parquet {field:?}, csv {cell:?}"
                );
            }
        }
    }
}

fn column<'a>(names: &[String], rows: &'a [Vec<Field>], col: &str) -> Vec<&'a Field> {
    let i = names
        .iter()
        .position(|n| n == col)
        .unwrap_or_else(|| panic!("no column {col}"));
    rows.iter().map(|r| &r[i]).collect()
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn parquet_tables_hold_the_csv_rows_and_values() {
    let s = Scratch::new("values");
    let scenario = s.write("tiny.toml", &tiny());
    let run = s.path("run");
    run_ok(&scenario, &run, &["--quiet"]);

    let files = entries(&run);
    for t in TABLES {
        assert!(files.contains(&format!("{t}.csv")), "{t}.csv missing");
        assert!(
            files.contains(&format!("{t}.parquet")),
            "{t}.parquet missing"
        );
    }
    assert_tables_match_csv(&run);

    // The same facts spelled out for the columns people read most.
    let (_, trades_csv) = read_csv(&run.join("trades.csv"));
    let (names, trades) = read_parquet(&run.join("trades.parquet"));
    assert!(trades.len() > 500, "only {} trades", trades.len());
    let prices: Vec<f64> = column(&names, &trades, "price")
        .into_iter()
        .map(|f| match f {
            Field::Double(x) => *x,
            other => panic!("price {other:?}"),
        })
        .collect();
    let csv_prices: Vec<f64> = trades_csv.iter().map(|r| r[4].parse().unwrap()).collect();
    assert_eq!(prices, csv_prices);
    let qty: Vec<u64> = column(&names, &trades, "qty")
        .into_iter()
        .map(|f| match f {
            Field::ULong(x) => *x,
            other => panic!("qty {other:?}"),
        })
        .collect();
    let csv_qty: Vec<u64> = trades_csv.iter().map(|r| r[5].parse().unwrap()).collect();
    assert_eq!(qty, csv_qty);
    assert!(
        column(&names, &trades, "instrument")
            .iter()
            .all(|f| **f == Field::Str("SPX".into()))
    );
    let aggressors: BTreeSet<String> = column(&names, &trades, "aggressor")
        .iter()
        .map(|f| match f {
            Field::Null => String::new(),
            Field::Str(s) => s.clone(),
            other => panic!("aggressor {other:?}"),
        })
        .collect();
    assert!(
        aggressors.is_subset(&["".into(), "buy".into(), "sell".into()].into()),
        "{aggressors:?}"
    );
    assert!(aggressors.contains("buy") && aggressors.contains("sell"));

    let (_, bars_csv) = read_csv(&run.join("bars.csv"));
    let (names, bars) = read_parquet(&run.join("bars.parquet"));
    let closes: Vec<&Field> = column(&names, &bars, "close");
    let csv_closes: Vec<Field> = bars_csv
        .iter()
        .map(|r| Field::Double(r[7].parse().unwrap()))
        .collect();
    assert_eq!(closes, csv_closes.iter().collect::<Vec<_>>());

    // The shock is an event about an instrument; the auctions and closes may have none.
    let (names, events) = read_parquet(&run.join("events.parquet"));
    let kinds = column(&names, &events, "kind");
    let instruments = column(&names, &events, "instrument");
    let shock = kinds
        .iter()
        .position(|k| **k == Field::Str("shock".into()))
        .expect("a shock event");
    assert_eq!(instruments[shock], &Field::Str("SPX".into()));
}

#[test]
fn parquet_columns_have_the_documented_types() {
    let s = Scratch::new("types");
    let scenario = s.write("tiny.toml", &tiny());
    let run = s.path("run");
    run_ok(&scenario, &run, &["--quiet"]);

    let r = reader(&run.join("trades.parquet"));
    let meta = r.metadata().file_metadata();
    assert_eq!(
        meta.created_by(),
        Some(concat!("flowsim ", env!("CARGO_PKG_VERSION")))
    );
    let schema = meta.schema_descr();
    let col = |name: &str| {
        schema
            .columns()
            .iter()
            .find(|c| c.name() == name)
            .unwrap_or_else(|| panic!("no column {name}"))
            .clone()
    };
    let unsigned64 = Some(LogicalType::integer(64, false));
    for (name, physical, logical, nullable) in [
        ("time_ns", PhysicalType::INT64, unsigned64.clone(), false),
        (
            "day",
            PhysicalType::INT32,
            Some(LogicalType::integer(32, false)),
            false,
        ),
        (
            "instrument",
            PhysicalType::BYTE_ARRAY,
            Some(LogicalType::String),
            false,
        ),
        ("price_ticks", PhysicalType::INT64, None, false),
        ("price", PhysicalType::DOUBLE, None, false),
        ("qty", PhysicalType::INT64, unsigned64.clone(), false),
        (
            "aggressor",
            PhysicalType::BYTE_ARRAY,
            Some(LogicalType::String),
            true,
        ),
        ("buyer", PhysicalType::INT64, unsigned64, false),
        (
            "buy_motive",
            PhysicalType::BYTE_ARRAY,
            Some(LogicalType::String),
            false,
        ),
    ] {
        let c = col(name);
        assert_eq!(c.physical_type(), physical, "{name}");
        assert_eq!(c.logical_type_ref(), logical.as_ref(), "{name}");
        let rep = c.self_type().get_basic_info().repetition();
        let want = if nullable {
            Repetition::OPTIONAL
        } else {
            Repetition::REQUIRED
        };
        assert_eq!(rep, want, "{name}");
    }
    let bars = reader(&run.join("bars.parquet"));
    for name in ["vwap", "best_bid", "best_ask"] {
        let schema = bars.metadata().file_metadata().schema_descr_ptr();
        let c = schema.columns().iter().find(|c| c.name() == name).unwrap();
        assert_eq!(
            c.self_type().get_basic_info().repetition(),
            Repetition::OPTIONAL,
            "bars.{name}"
        );
    }
    // Every column chunk is Snappy-compressed.
    for t in TABLES {
        let r = reader(&run.join(format!("{t}.parquet")));
        for g in r.metadata().row_groups() {
            for c in g.columns() {
                assert_eq!(
                    c.compression(),
                    parquet::basic::Compression::SNAPPY,
                    "{t}.{}",
                    c.column_path()
                );
            }
        }
    }
}

#[test]
fn same_seed_gives_byte_identical_parquet_files() {
    let s = Scratch::new("determinism");
    let scenario = s.write("tiny.toml", &tiny());
    let (a, b, c) = (s.path("a"), s.path("b"), s.path("c"));
    run_ok(&scenario, &a, &["--quiet"]);
    run_ok(&scenario, &b, &["--quiet"]);
    run_ok(&scenario, &c, &["--quiet", "--seed", "6"]);
    for t in TABLES {
        let f = format!("{t}.parquet");
        let (x, y) = (
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs of the same seed");
    }
    assert_ne!(
        std::fs::read(a.join("trades.parquet")).unwrap(),
        std::fs::read(c.join("trades.parquet")).unwrap(),
        "another seed gave the same trades"
    );
}

#[test]
fn parquet_false_writes_no_parquet_files() {
    let s = Scratch::new("off");
    let scenario = s.write(
        "off.toml",
        &format!("{}\n[record]\nparquet = false\n", tiny()),
    );
    let run = s.path("run");
    run_ok(&scenario, &run, &["--quiet"]);
    let files = entries(&run);
    assert!(
        files.iter().all(|f| !f.ends_with(".parquet")),
        "parquet files written with parquet = false: {files:?}"
    );
    for t in TABLES {
        assert!(files.contains(&format!("{t}.csv")), "{t}.csv missing");
    }
    // Nothing is left beside the run either (no staging folder).
    assert_eq!(
        entries(&s.dir),
        ["off.toml", "run"].map(String::from).into()
    );
}

/// A run longer than one row group: the trades are cut into full groups of 65,536 rows and a
/// last partial one, and still equal the CSV.
#[test]
fn long_run_is_written_in_row_groups_of_65536() {
    let s = Scratch::new("groups");
    let long = tiny().replacen("days = 2\n", "days = 40\n", 1);
    assert_ne!(long, tiny());
    let scenario = s.write("long.toml", &long);
    let run = s.path("run");
    run_ok(&scenario, &run, &["--quiet"]);

    let r = reader(&run.join("trades.parquet"));
    let groups: Vec<usize> = r
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows() as usize)
        .collect();
    let total: usize = groups.iter().sum();
    assert!(
        total > ROW_GROUP_ROWS,
        "only {total} trades: lengthen the run so that it needs two row groups"
    );
    let (last, full) = groups.split_last().unwrap();
    assert!(full.iter().all(|&n| n == ROW_GROUP_ROWS), "{groups:?}");
    assert!(*last > 0 && *last <= ROW_GROUP_ROWS, "{groups:?}");
    assert_tables_match_csv(&run);
}
