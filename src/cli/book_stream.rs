//! Stream files of `flowsim bench book` (`--write-stream`, `--read-stream`): the benchmark's
//! operations as CSV, so that other engines can be timed on exactly the same ones.
//!
//! The format (also in `BENCHMARKS.md` and `flowsim bench book --help`): a header line
//! `op,side,price,qty,limit_no`, then one line per operation with five fields, empty where a
//! field does not apply:
//!
//! | op | side | price | qty | limit_no |
//! |---|---|---|---|---|
//! | `limit` | `buy` or `sell` | ticks, 1 to 2^63 − 1 | units, 1 to 2^32 − 1 | empty |
//! | `market` | `buy` or `sell` | empty | units, 1 to 2^32 − 1 | empty |
//! | `cancel` | empty | empty | empty | number of an earlier `limit` line, 0 for the first |
//!
//! Every order comes from one agent with self-trade prevention off; a cancel of an order that
//! has already traded away is refused by the engine and changes nothing. The quantity bound keeps
//! any engine's resting total far below 2^64 for the 100 million operations a run may have.

use std::fmt::Display;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use flowsim::book::stream::StreamOp;
use flowsim::book::{Price, Qty, Side};
use thiserror::Error;

pub const HEADER: &str = "op,side,price,qty,limit_no";
const FIELDS: [&str; 5] = ["op", "side", "price", "qty", "limit_no"];
const MAX_QTY: Qty = u32::MAX as Qty;
/// As many operations as `--orders` allows.
pub const MAX_OPS: usize = 100_000_000;

/// Why a stream file could not be read, located at its line and field.
#[derive(Debug, Error)]
pub enum StreamFileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: not readable as CSV: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}:1: the header is {found:?}; a stream file starts with {HEADER:?}")]
    Header { path: PathBuf, found: String },
    #[error("{path}: no operations after the header")]
    Empty { path: PathBuf },
    #[error("{path}:{line}: more than {MAX_OPS} operations, the most a benchmark runs")]
    TooLong { path: PathBuf, line: usize },
    #[error("{path}:{line}: {found} fields; every line has 5 ({HEADER})")]
    Fields {
        path: PathBuf,
        line: usize,
        found: usize,
    },
    #[error("{path}:{line}: field `{field}`: {problem}")]
    Field {
        path: PathBuf,
        line: usize,
        field: &'static str,
        problem: String,
    },
}

/// Writes `ops` to `path` in the stream-file format.
pub fn write(path: &Path, ops: &[StreamOp]) -> Result<()> {
    let side = |s: Side| match s {
        Side::Buy => "buy",
        Side::Sell => "sell",
    };
    (|| -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_path(path)?;
        w.write_record(FIELDS)?;
        for op in ops {
            match *op {
                StreamOp::Limit {
                    side: s,
                    price,
                    qty,
                } => {
                    w.write_record(["limit", side(s), &price.to_string(), &qty.to_string(), ""])?
                }
                StreamOp::Market { side: s, qty } => {
                    w.write_record(["market", side(s), "", &qty.to_string(), ""])?
                }
                StreamOp::Cancel { limit_no } => {
                    w.write_record(["cancel", "", "", "", &limit_no.to_string()])?
                }
            }
        }
        w.flush()?;
        Ok(())
    })()
    .with_context(|| format!("writing the stream file {}", path.display()))
}

/// Reads a stream file, checking every field (and that each cancel names an earlier limit
/// order), so that no engine is ever handed an operation it could panic on.
pub fn read(path: &Path) -> Result<Vec<StreamOp>, StreamFileError> {
    let path_buf = || path.to_path_buf();
    let csv_error = |e: csv::Error| {
        let (line, message) = (e.position().map_or(0, |p| p.line()), e.to_string());
        match e.into_kind() {
            csv::ErrorKind::Io(source) => StreamFileError::Io {
                path: path_buf(),
                source,
            },
            _ => StreamFileError::Csv {
                path: path_buf(),
                line,
                message,
            },
        }
    };
    // Records are checked here, header and field counts included, so that each problem is
    // reported in the format's own words.
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(csv_error)?;
    let mut records = r.records();
    let header = records
        .next()
        .transpose()
        .map_err(csv_error)?
        .map(|h| h.iter().collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    if header != HEADER {
        return Err(StreamFileError::Header {
            path: path_buf(),
            found: header.chars().take(80).collect(),
        });
    }
    let mut ops = Vec::new();
    let mut limits: u64 = 0;
    for record in records {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line()) as usize;
        if ops.len() == MAX_OPS {
            return Err(StreamFileError::TooLong {
                path: path_buf(),
                line,
            });
        }
        let op = parse_record(&record, limits).map_err(|e| match e {
            LineError::Fields(found) => StreamFileError::Fields {
                path: path_buf(),
                line,
                found,
            },
            LineError::Field(field, problem) => StreamFileError::Field {
                path: path_buf(),
                line,
                field,
                problem,
            },
        })?;
        limits += matches!(op, StreamOp::Limit { .. }) as u64;
        ops.push(op);
    }
    if ops.is_empty() {
        return Err(StreamFileError::Empty { path: path_buf() });
    }
    Ok(ops)
}

enum LineError {
    Fields(usize),
    Field(&'static str, String),
}

fn bad(field: &'static str, problem: impl Display) -> LineError {
    LineError::Field(field, problem.to_string())
}

/// One operation from its record; `limits` is how many limit orders came before it.
fn parse_record(record: &csv::StringRecord, limits: u64) -> Result<StreamOp, LineError> {
    if record.len() != FIELDS.len() {
        return Err(LineError::Fields(record.len()));
    }
    let [op, side, price, qty, limit_no] = [0, 1, 2, 3, 4].map(|k| &record[k]);
    let empty = |name: &'static str, v: &str, op: &str| {
        if v.is_empty() {
            Ok(())
        } else {
            Err(bad(name, format!("{v:?} given, but a {op} has none")))
        }
    };
    let side_of = |v: &str| match v {
        "buy" => Ok(Side::Buy),
        "sell" => Ok(Side::Sell),
        _ => Err(bad("side", format!("{v:?}: expected buy or sell"))),
    };
    let qty_of = |v: &str| match v.parse::<Qty>() {
        Ok(q) if (1..=MAX_QTY).contains(&q) => Ok(q),
        _ => Err(bad(
            "qty",
            format!("{v:?}: expected a whole number of units from 1 to {MAX_QTY}"),
        )),
    };
    match op {
        "limit" => {
            empty("limit_no", limit_no, op)?;
            let price = match price.parse::<Price>() {
                Ok(p) if p >= 1 => p,
                _ => {
                    return Err(bad(
                        "price",
                        format!(
                            "{price:?}: expected a whole number of ticks from 1 to {}",
                            Price::MAX
                        ),
                    ));
                }
            };
            Ok(StreamOp::Limit {
                side: side_of(side)?,
                price,
                qty: qty_of(qty)?,
            })
        }
        "market" => {
            empty("price", price, op)?;
            empty("limit_no", limit_no, op)?;
            Ok(StreamOp::Market {
                side: side_of(side)?,
                qty: qty_of(qty)?,
            })
        }
        "cancel" => {
            empty("side", side, op)?;
            empty("price", price, op)?;
            empty("qty", qty, op)?;
            match limit_no.parse::<u32>() {
                Ok(k) if (k as u64) < limits => Ok(StreamOp::Cancel { limit_no: k }),
                _ if limits == 0 => Err(bad(
                    "limit_no",
                    format!("{limit_no:?}: no limit order comes before this cancel"),
                )),
                _ => Err(bad(
                    "limit_no",
                    format!(
                        "{limit_no:?}: expected the number of an earlier limit order, 0 to {}",
                        limits - 1
                    ),
                )),
            }
        }
        _ => Err(bad(
            "op",
            format!("{op:?}: expected limit, market or cancel"),
        )),
    }
}
