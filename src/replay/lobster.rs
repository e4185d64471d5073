//! LOBSTER files: reading the message and orderbook files, writing the orderbook layout.
//!
//! The format (LOBSTER ReadMe, version of 1 Sept 2013; `tests/data/lobster/` holds samples):
//!
//! * message file, N rows × 6 columns, no header: `Time` (seconds after midnight with up to nine
//!   decimals), `Type` (1 to 7), `OrderID`, `Size` (shares), `Price` (dollars × 10 000),
//!   `Direction` (1 buy, −1 sell; for executions the side of the *resting* order);
//! * orderbook file, N rows × 4L columns, no header: `AskPrice1, AskSize1, BidPrice1, BidSize1,
//!   AskPrice2, …, BidSizeL`, row i being the book after message i. A missing level is written as
//!   ask price 9 999 999 999 / bid price −9 999 999 999 with size 0.
//!
//! Every error names the file, the 1-based line and, for a bad value, the column and its name.
//! Nothing here panics on bad input.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::book::Side;

/// LOBSTER's price of a missing ask level.
pub const EMPTY_ASK: i64 = 9_999_999_999;
/// LOBSTER's price of a missing bid level.
pub const EMPTY_BID: i64 = -9_999_999_999;
/// LOBSTER price units per dollar.
pub const PRICE_UNITS_PER_DOLLAR: i64 = 10_000;
/// The largest size accepted (shares): far above any real order, low enough that sums of sizes
/// cannot overflow.
pub const MAX_SIZE: u64 = 1_000_000_000_000;

const MESSAGE_FIELDS: [&str; 6] = ["Time", "Type", "OrderID", "Size", "Price", "Direction"];
const BOOK_FIELDS: [&str; 4] = ["AskPrice", "AskSize", "BidPrice", "BidSize"];

/// A problem with a LOBSTER file.
#[derive(Debug, Error)]
pub enum LobsterError {
    /// The path; the I/O error is the source (printed by the error chain).
    #[error("{}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}:{line}: not readable as CSV: {message}", .path.display())]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: the file has no rows", .path.display())]
    Empty { path: PathBuf },
    #[error("{}:{line}: {found} columns, expected {expected} ({what})", .path.display())]
    Columns {
        path: PathBuf,
        line: u64,
        found: usize,
        expected: usize,
        what: &'static str,
    },
    #[error("{}:{line}: column {column} ({field}) {problem}: {value:?}", .path.display())]
    Field {
        path: PathBuf,
        line: u64,
        column: usize,
        field: String,
        value: String,
        problem: &'static str,
    },
    #[error(
        "{}:{line}: column 2 (Type): unknown message type {value:?} (LOBSTER types are 1 to 7)",
        .path.display()
    )]
    UnknownType {
        path: PathBuf,
        line: u64,
        value: String,
    },
    #[error(
        "{} has {book_rows} rows but {} has {message_rows}: the two files must be row-aligned \
         (orderbook row i is the book after message i)",
        .orderbook.display(), .messages.display()
    )]
    RowCount {
        messages: PathBuf,
        message_rows: usize,
        orderbook: PathBuf,
        book_rows: usize,
    },
}

/// The seven LOBSTER event types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageType {
    /// 1: a new limit order.
    Add,
    /// 2: part of a resting order cancelled (size = cancelled shares).
    PartialCancel,
    /// 3: a resting order deleted (size = its remaining shares).
    Delete,
    /// 4: a visible resting order executed.
    ExecuteVisible,
    /// 5: a hidden order executed; the visible book does not change.
    ExecuteHidden,
    /// 6: a cross trade (auction); the visible book does not change.
    Cross,
    /// 7: trading halt (price −1), quoting resumes (0), trading resumes (1).
    Halt,
}

impl MessageType {
    pub fn code(self) -> u8 {
        match self {
            MessageType::Add => 1,
            MessageType::PartialCancel => 2,
            MessageType::Delete => 3,
            MessageType::ExecuteVisible => 4,
            MessageType::ExecuteHidden => 5,
            MessageType::Cross => 6,
            MessageType::Halt => 7,
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "1" => MessageType::Add,
            "2" => MessageType::PartialCancel,
            "3" => MessageType::Delete,
            "4" => MessageType::ExecuteVisible,
            "5" => MessageType::ExecuteHidden,
            "6" => MessageType::Cross,
            "7" => MessageType::Halt,
            _ => return None,
        })
    }

    /// Does the message carry a trade or order price (types 1 to 6)?
    pub fn has_price(self) -> bool {
        self != MessageType::Halt
    }
}

/// One row of a message file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// Nanoseconds after midnight, parsed exactly from the decimal seconds.
    pub time_ns: u64,
    pub kind: MessageType,
    pub order_id: u64,
    pub size: u64,
    /// Dollars × 10 000 (for a halt: −1, 0 or 1).
    pub price: i64,
    /// 1 buy, −1 sell (for a halt or a cross LOBSTER may also write 0).
    pub direction: i8,
    /// The 1-based line of the file it came from.
    pub line: u64,
}

impl Message {
    /// The side of the order the message is about (the resting order for an execution).
    pub fn side(&self) -> Option<Side> {
        match self.direction {
            1 => Some(Side::Buy),
            -1 => Some(Side::Sell),
            _ => None,
        }
    }
}

/// A parsed message file.
#[derive(Clone, Debug)]
pub struct MessageFile {
    pub path: PathBuf,
    pub messages: Vec<Message>,
}

/// A parsed orderbook file: `rows × 4·levels` integers in LOBSTER units, row-major.
#[derive(Clone, Debug)]
pub struct OrderbookFile {
    pub path: PathBuf,
    pub levels: usize,
    pub values: Vec<i64>,
    /// The 1-based line of each row.
    pub lines: Vec<u64>,
}

impl OrderbookFile {
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Row `i` (0-based): `4·levels` values.
    pub fn row(&self, i: usize) -> &[i64] {
        let w = 4 * self.levels;
        &self.values[i * w..(i + 1) * w]
    }
}

/// The name of orderbook column `j` (0-based), e.g. `BidSize3`.
pub fn book_column_name(j: usize) -> String {
    format!("{}{}", BOOK_FIELDS[j % 4], j / 4 + 1)
}

fn reader(path: &Path) -> Result<csv::Reader<File>, LobsterError> {
    let file = File::open(path).map_err(|source| LobsterError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(file))
}

/// Reads the next record, mapping CSV errors to the file and line. `Ok(false)` at the end.
fn next_record(
    rdr: &mut csv::Reader<File>,
    rec: &mut csv::StringRecord,
    path: &Path,
    last_line: u64,
) -> Result<bool, LobsterError> {
    rdr.read_record(rec).map_err(|e| {
        let line = e.position().map_or(last_line + 1, |p| p.line());
        let message = match e.kind() {
            csv::ErrorKind::Utf8 { err, .. } => {
                format!("invalid UTF-8 in column {}", err.field() + 1)
            }
            _ => e.to_string(),
        };
        match e.into_kind() {
            csv::ErrorKind::Io(source) => LobsterError::Io {
                path: path.to_path_buf(),
                source,
            },
            _ => LobsterError::Csv {
                path: path.to_path_buf(),
                line,
                message,
            },
        }
    })
}

fn field_error(
    path: &Path,
    line: u64,
    column: usize,
    field: impl Into<String>,
    value: &str,
    problem: &'static str,
) -> LobsterError {
    LobsterError::Field {
        path: path.to_path_buf(),
        line,
        column: column + 1,
        field: field.into(),
        value: value.to_string(),
        problem,
    }
}

/// Parses LOBSTER's decimal seconds after midnight into exact nanoseconds (digits beyond the
/// ninth decimal are dropped). `None` unless the text is `digits[.digits]`.
pub fn parse_time_ns(s: &str) -> Option<u64> {
    let (secs, frac) = match s.split_once('.') {
        Some((a, b)) => (a, b),
        None => (s, ""),
    };
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (s.contains('.') && frac.is_empty()) {
        return None;
    }
    let secs: u64 = secs.parse().ok()?;
    let mut ns: u64 = 0;
    for i in 0..9 {
        let d = frac.as_bytes().get(i).map_or(0, |b| u64::from(b - b'0'));
        ns = ns * 10 + d;
    }
    secs.checked_mul(1_000_000_000)?.checked_add(ns)
}

/// Reads a message file. Types 1 to 6 must have a positive size and price and a direction of
/// 1 or −1 (types 6 and 7 may also have direction 0).
pub fn read_messages(path: &Path) -> Result<MessageFile, LobsterError> {
    let mut rdr = reader(path)?;
    let mut rec = csv::StringRecord::new();
    let mut messages = Vec::new();
    let mut line = 0;
    while next_record(&mut rdr, &mut rec, path, line)? {
        line = rec.position().map_or(line + 1, |p| p.line());
        if rec.len() != MESSAGE_FIELDS.len() {
            return Err(LobsterError::Columns {
                path: path.to_path_buf(),
                line,
                found: rec.len(),
                expected: MESSAGE_FIELDS.len(),
                what: "a message row is Time,Type,OrderID,Size,Price,Direction",
            });
        }
        let bad = |col: usize, problem: &'static str| {
            field_error(path, line, col, MESSAGE_FIELDS[col], &rec[col], problem)
        };
        let time_ns = parse_time_ns(&rec[0])
            .ok_or_else(|| bad(0, "is not a time in seconds (digits[.digits])"))?;
        let kind = match MessageType::from_code(&rec[1]) {
            Some(k) => k,
            None if rec[1].parse::<i64>().is_ok() => {
                return Err(LobsterError::UnknownType {
                    path: path.to_path_buf(),
                    line,
                    value: rec[1].to_string(),
                });
            }
            None => return Err(bad(1, "is not an integer")),
        };
        let order_id: u64 = rec[2]
            .parse()
            .map_err(|_| bad(2, "is not a non-negative integer"))?;
        let size: u64 = rec[3]
            .parse()
            .map_err(|_| bad(3, "is not a non-negative integer"))?;
        if size > MAX_SIZE {
            return Err(bad(3, "is implausibly large (over 10^12)"));
        }
        let price: i64 = rec[4].parse().map_err(|_| bad(4, "is not an integer"))?;
        let direction: i8 = match &rec[5] {
            "1" => 1,
            "-1" => -1,
            "0" if matches!(kind, MessageType::Cross | MessageType::Halt) => 0,
            _ => return Err(bad(5, "is not 1 (buy) or -1 (sell)")),
        };
        if kind.has_price() {
            if size == 0 {
                return Err(bad(3, "must be positive for message types 1 to 6"));
            }
            if price <= 0 {
                return Err(bad(4, "must be positive for message types 1 to 6"));
            }
        }
        messages.push(Message {
            time_ns,
            kind,
            order_id,
            size,
            price,
            direction,
            line,
        });
    }
    if messages.is_empty() {
        return Err(LobsterError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(MessageFile {
        path: path.to_path_buf(),
        messages,
    })
}

/// Reads an orderbook file. Every row must have the same number of columns, a positive
/// multiple of 4; sizes must be non-negative and a level with a positive size must have a
/// positive price.
pub fn read_orderbook(path: &Path) -> Result<OrderbookFile, LobsterError> {
    let mut rdr = reader(path)?;
    let mut rec = csv::StringRecord::new();
    let mut values = Vec::new();
    let mut lines = Vec::new();
    let mut width = 0;
    let mut line = 0;
    while next_record(&mut rdr, &mut rec, path, line)? {
        line = rec.position().map_or(line + 1, |p| p.line());
        if width == 0 {
            if rec.is_empty() || rec.len() % 4 != 0 {
                return Err(LobsterError::Columns {
                    path: path.to_path_buf(),
                    line,
                    found: rec.len(),
                    expected: 4 * rec.len().div_ceil(4).max(1),
                    what: "an orderbook row has 4 columns per level",
                });
            }
            width = rec.len();
            values.reserve(width * 1024);
        } else if rec.len() != width {
            return Err(LobsterError::Columns {
                path: path.to_path_buf(),
                line,
                found: rec.len(),
                expected: width,
                what: "as many as the first row",
            });
        }
        for (col, text) in rec.iter().enumerate() {
            let v: i64 = text.parse().map_err(|_| {
                field_error(
                    path,
                    line,
                    col,
                    book_column_name(col),
                    text,
                    "is not an integer",
                )
            })?;
            if col % 2 == 1 && !(0..=MAX_SIZE as i64).contains(&v) {
                return Err(field_error(
                    path,
                    line,
                    col,
                    book_column_name(col),
                    text,
                    "is not a size between 0 and 10^12",
                ));
            }
            values.push(v);
        }
        for lvl in 0..width / 4 {
            for c in [4 * lvl, 4 * lvl + 2] {
                let (p, q) = (
                    values[values.len() - width + c],
                    values[values.len() - width + c + 1],
                );
                if q > 0 && p <= 0 {
                    return Err(field_error(
                        path,
                        line,
                        c,
                        book_column_name(c),
                        &rec[c],
                        "must be a positive price where the size is positive",
                    ));
                }
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        return Err(LobsterError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(OrderbookFile {
        path: path.to_path_buf(),
        levels: width / 4,
        values,
        lines,
    })
}

/// Checks that the two files are row-aligned.
pub fn check_aligned(messages: &MessageFile, book: &OrderbookFile) -> Result<(), LobsterError> {
    if messages.messages.len() != book.rows() {
        return Err(LobsterError::RowCount {
            messages: messages.path.clone(),
            message_rows: messages.messages.len(),
            orderbook: book.path.clone(),
            book_rows: book.rows(),
        });
    }
    Ok(())
}

/// Writes a file atomically (see [`crate::atomic`]): on any error `path` is untouched.
pub fn write_atomic<F>(path: &Path, write: F) -> Result<(), LobsterError>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    // A killed earlier replay's leftover of this file goes first (a live process's stays).
    let _ = crate::atomic::remove_dead_partials(path);
    crate::atomic::write_with(path, write).map_err(|source| LobsterError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes rows in LOBSTER's orderbook layout (`4·levels` integers per row, no header),
/// atomically.
pub fn write_orderbook(path: &Path, levels: usize, values: &[i64]) -> Result<(), LobsterError> {
    let width = 4 * levels;
    write_atomic(path, |w| {
        let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(w);
        let mut buf = itoa_buf::Buf::default();
        let mut record = csv::ByteRecord::with_capacity(16 * width, width);
        if width > 0 {
            for row in values.chunks_exact(width) {
                record.clear();
                for &v in row {
                    record.push_field(buf.format(v));
                }
                csv.write_byte_record(&record)?;
            }
        }
        csv.flush()
    })
}

/// A tiny integer formatter that reuses one buffer (the csv writer wants bytes).
mod itoa_buf {
    use std::fmt::Write;

    #[derive(Default)]
    pub struct Buf(String);

    impl Buf {
        pub fn format(&mut self, v: i64) -> &[u8] {
            self.0.clear();
            let _ = write!(self.0, "{v}");
            self.0.as_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_parsed_exactly() {
        assert_eq!(parse_time_ns("34200.004241176"), Some(34_200_004_241_176));
        assert_eq!(parse_time_ns("34200.00426064"), Some(34_200_004_260_640));
        assert_eq!(parse_time_ns("34200"), Some(34_200_000_000_000));
        assert_eq!(parse_time_ns("1.0000000019"), Some(1_000_000_001));
        for bad in ["", ".5", "1.", "1e3", "-1.0", "1.2.3", "12a"] {
            assert_eq!(parse_time_ns(bad), None, "{bad}");
        }
    }
}
