//! The Parquet copies of a run's tables: `trades.parquet`, `bars.parquet`, `flows.parquet`,
//! `positions.parquet`, `events.parquet` and `state.parquet`, with the same columns as the CSV files.
//!
//! Rows are buffered column by column and written as a row group every [`ROW_GROUP_ROWS`] rows
//! (and at [`ParquetTables::finish`]), so memory does not grow with the length of a run. Pages
//! are Snappy-compressed. The bytes are a pure function of the rows: the writer's `created_by`
//! is fixed to `flowsim <version>` and nothing else variable goes into the metadata.
//!
//! Column types: the instrument is its symbol and enums are their snake_case names, as UTF-8
//! strings; `u32` columns are INT32 and `u64` columns INT64, both annotated unsigned; `i64` is
//! plain INT64; `f64` is DOUBLE; `Option` fields are optional (nullable) columns.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as PhysicalType};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::clock::RecordClock;
use super::rows::*;
use super::run_dir::Tables;
use super::run_dir::{RecordError, io};
use crate::book::Side;

/// Rows per row group: the most a table buffers before writing.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// What the files say wrote them. Fixed, so that equal rows give equal bytes.
const CREATED_BY: &str = concat!("flowsim ", env!("CARGO_PKG_VERSION"));

/// The logical type of a column as the row structs hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    U32,
    U64,
    I64,
    F64,
    Str,
    /// Days since 1970-01-01 (Parquet DATE).
    Date,
    /// Nanoseconds since 1970-01-01T00:00:00Z (Parquet TIMESTAMP(NANOS), adjusted to UTC).
    Timestamp,
}

/// One column of a table: name, kind, and whether it may be null.
type ColumnSpec = (&'static str, Kind, bool);

const TRADES: &[ColumnSpec] = &[
    ("time_ns", Kind::U64, false),
    ("day", Kind::U32, false),
    ("instrument", Kind::Str, false),
    ("price_ticks", Kind::I64, false),
    ("price", Kind::F64, false),
    ("qty", Kind::U64, false),
    ("aggressor", Kind::Str, true),
    ("buyer", Kind::U64, false),
    ("seller", Kind::U64, false),
    ("buyer_class", Kind::Str, false),
    ("seller_class", Kind::Str, false),
    ("buy_motive", Kind::Str, false),
    ("sell_motive", Kind::Str, false),
    ("time", Kind::Timestamp, true),
];

const BARS: &[ColumnSpec] = &[
    ("day", Kind::U32, false),
    ("bar", Kind::U32, false),
    ("time_ns", Kind::U64, false),
    ("instrument", Kind::Str, false),
    ("open", Kind::F64, false),
    ("high", Kind::F64, false),
    ("low", Kind::F64, false),
    ("close", Kind::F64, false),
    ("volume", Kind::U64, false),
    ("trades", Kind::U32, false),
    ("vwap", Kind::F64, true),
    ("fundamental", Kind::F64, false),
    ("best_bid", Kind::F64, true),
    ("best_ask", Kind::F64, true),
    ("time", Kind::Timestamp, true),
    ("bid_depth", Kind::U64, false),
    ("ask_depth", Kind::U64, false),
    ("bid_depth_1pct", Kind::U64, false),
    ("ask_depth_1pct", Kind::U64, false),
];

const FLOWS: &[ColumnSpec] = &[
    ("day", Kind::U32, false),
    ("bar", Kind::U32, false),
    ("time_ns", Kind::U64, false),
    ("instrument", Kind::Str, false),
    ("class", Kind::Str, false),
    ("motive", Kind::Str, false),
    ("buy_units", Kind::U64, false),
    ("sell_units", Kind::U64, false),
    ("net_units", Kind::I64, false),
    ("buy_usd", Kind::F64, false),
    ("sell_usd", Kind::F64, false),
    ("net_usd", Kind::F64, false),
    ("time", Kind::Timestamp, true),
];

const POSITIONS: &[ColumnSpec] = &[
    ("day", Kind::U32, false),
    ("instrument", Kind::Str, false),
    ("class", Kind::Str, false),
    ("agents", Kind::U32, false),
    ("position_units", Kind::I64, false),
    ("exposure_usd", Kind::F64, false),
    ("cash_usd", Kind::F64, false),
    ("date", Kind::Date, true),
];

const EVENTS: &[ColumnSpec] = &[
    ("time_ns", Kind::U64, false),
    ("day", Kind::U32, false),
    ("kind", Kind::Str, false),
    ("instrument", Kind::Str, true),
    ("value", Kind::F64, false),
    ("detail", Kind::Str, false),
    ("time", Kind::Timestamp, true),
];

const STATE: &[ColumnSpec] = &[
    ("day", Kind::U32, false),
    ("time_ns", Kind::U64, false),
    ("agent", Kind::U64, false),
    ("class", Kind::Str, false),
    ("instrument", Kind::Str, false),
    ("metric", Kind::Str, false),
    ("at", Kind::F64, true),
    ("value", Kind::F64, false),
    ("time", Kind::Timestamp, true),
];

const POSITIONING: &[ColumnSpec] = &[
    ("date", Kind::Date, false),
    ("symbol", Kind::Str, false),
    ("class", Kind::Str, false),
    ("metric", Kind::Str, false),
    ("value", Kind::F64, false),
];

/// Writes the monitor's long table as `dir/positioning.parquet`.
pub fn write_positioning(dir: &Path, rows: &[PositioningRow]) -> Result<(), RecordError> {
    let mut t = Table::create(dir, "positioning", POSITIONING, ROW_GROUP_ROWS)?;
    let epoch = chrono::DateTime::UNIX_EPOCH.date_naive();
    let bytes = |s: &str| Some(Value::Bytes(ByteArray::from(s)));
    for r in rows {
        let days = (r.date - epoch).num_days() as i32;
        t.push([
            Some(Value::I32(days)),
            bytes(&r.symbol),
            bytes(r.class),
            bytes(&r.metric),
            Some(Value::F64(r.value)),
        ])?;
    }
    t.finish()
}

fn side_str(s: Side) -> &'static str {
    match s {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

fn event_kind_str(k: EventKind) -> &'static str {
    match k {
        EventKind::Halt => "halt",
        EventKind::Reopen => "reopen",
        EventKind::ClosedForDay => "closed_for_day",
        EventKind::Shock => "shock",
        EventKind::FlowProgramme => "flow_programme",
        EventKind::OpeningAuction => "opening_auction",
        EventKind::ClosingAuction => "closing_auction",
        EventKind::ReopeningAuction => "reopening_auction",
        EventKind::MarginCall => "margin_call",
        EventKind::StopOut => "stop_out",
        EventKind::OptionExpiry => "option_expiry",
        EventKind::OptionListing => "option_listing",
        EventKind::PutMonetisation => "put_monetisation",
        EventKind::OptionExercise => "option_exercise",
    }
}

/// A buffered column: its values (nulls are not stored) and, for a nullable column, one
/// definition level per row (1 = value, 0 = null).
enum Values {
    I32(Vec<i32>),
    I64(Vec<i64>),
    F64(Vec<f64>),
    Bytes(Vec<ByteArray>),
}

struct Column {
    name: &'static str,
    nullable: bool,
    values: Values,
    defs: Vec<i16>,
}

/// One value handed to a column.
enum Value {
    I32(i32),
    I64(i64),
    F64(f64),
    Bytes(ByteArray),
}

/// A Parquet failure, located at its file.
fn perr(path: &Path) -> impl FnOnce(ParquetError) -> RecordError + '_ {
    move |e| RecordError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// A refused row or a schema mismatch: a bug in this module, reported rather than panicking.
fn fail(path: &Path, msg: String) -> RecordError {
    RecordError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(msg),
    }
}

/// A [`RecordError`] as the `io::Error` that [`super::RecordSink`] methods return: the same
/// kind, and a message naming the file.
fn to_io(e: RecordError) -> std::io::Error {
    let kind = match &e {
        RecordError::Io { source, .. } => source.kind(),
        RecordError::Exists(_) | RecordError::NotARun(_) => std::io::ErrorKind::AlreadyExists,
        RecordError::Read { .. } => std::io::ErrorKind::InvalidData,
    };
    std::io::Error::new(kind, e)
}

/// One Parquet file being written.
struct Table {
    path: PathBuf,
    writer: SerializedFileWriter<BufWriter<File>>,
    columns: Vec<Column>,
    /// Rows buffered since the last row group.
    rows: usize,
    row_group_rows: usize,
    /// Set when a row was pushed only in part: the buffers no longer line up.
    broken: bool,
}

fn schema(name: &str, specs: &[ColumnSpec]) -> Result<Type, ParquetError> {
    let fields = specs
        .iter()
        .map(|&(col, kind, nullable)| {
            let (physical, logical) = match kind {
                Kind::U32 => (PhysicalType::INT32, Some(LogicalType::integer(32, false))),
                Kind::U64 => (PhysicalType::INT64, Some(LogicalType::integer(64, false))),
                Kind::I64 => (PhysicalType::INT64, None),
                Kind::F64 => (PhysicalType::DOUBLE, None),
                Kind::Str => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
                Kind::Date => (PhysicalType::INT32, Some(LogicalType::Date)),
                Kind::Timestamp => (
                    PhysicalType::INT64,
                    Some(LogicalType::timestamp(true, TimeUnit::NANOS)),
                ),
            };
            let repetition = if nullable {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            };
            Type::primitive_type_builder(col, physical)
                .with_repetition(repetition)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Type::group_type_builder(name).with_fields(fields).build()
}

impl Table {
    fn create(
        dir: &Path,
        name: &str,
        specs: &[ColumnSpec],
        row_group_rows: usize,
    ) -> Result<Table, RecordError> {
        let path = dir.join(format!("{name}.parquet"));
        let schema = Arc::new(schema(name, specs).map_err(perr(&path))?);
        let props = WriterProperties::builder()
            .set_created_by(CREATED_BY.to_string())
            .set_compression(Compression::SNAPPY)
            // Row groups are cut here, at `row_group_rows`; the writer must not cut them again.
            .set_max_row_group_row_count(Some(row_group_rows.max(1)))
            .build();
        let file = File::create(&path).map_err(io(&path))?;
        let writer = SerializedFileWriter::new(
            BufWriter::with_capacity(1 << 16, file),
            schema,
            props.into(),
        )
        .map_err(perr(&path))?;
        let columns = specs
            .iter()
            .map(|&(name, kind, nullable)| Column {
                name,
                nullable,
                values: match kind {
                    Kind::U32 | Kind::Date => Values::I32(Vec::new()),
                    Kind::U64 | Kind::I64 | Kind::Timestamp => Values::I64(Vec::new()),
                    Kind::F64 => Values::F64(Vec::new()),
                    Kind::Str => Values::Bytes(Vec::new()),
                },
                defs: Vec::new(),
            })
            .collect();
        Ok(Table {
            path,
            writer,
            columns,
            rows: 0,
            row_group_rows: row_group_rows.max(1),
            broken: false,
        })
    }

    /// Appends one row, given as one value (or null) per column in order.
    fn push<const N: usize>(&mut self, row: [Option<Value>; N]) -> Result<(), RecordError> {
        if self.broken {
            return Err(fail(&self.path, "an earlier row was refused".into()));
        }
        if N != self.columns.len() {
            return Err(fail(
                &self.path,
                format!("row of {N} values for {} columns", self.columns.len()),
            ));
        }
        for (col, value) in self.columns.iter_mut().zip(row) {
            match (&mut col.values, value) {
                (_, None) if col.nullable => {
                    col.defs.push(0);
                    continue;
                }
                (Values::I32(v), Some(Value::I32(x))) => v.push(x),
                (Values::I64(v), Some(Value::I64(x))) => v.push(x),
                (Values::F64(v), Some(Value::F64(x))) => v.push(x),
                (Values::Bytes(v), Some(Value::Bytes(x))) => v.push(x),
                _ => {
                    self.broken = true;
                    return Err(fail(
                        &self.path,
                        format!("wrong type or null for column {}", col.name),
                    ));
                }
            }
            if col.nullable {
                col.defs.push(1);
            }
        }
        self.rows += 1;
        if self.rows >= self.row_group_rows {
            self.flush_row_group()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group and empties the buffers.
    fn flush_row_group(&mut self) -> Result<(), RecordError> {
        if self.rows == 0 {
            return Ok(());
        }
        let path = &self.path;
        let mut rg = self.writer.next_row_group().map_err(perr(path))?;
        let mut columns = self.columns.iter_mut();
        while let Some(mut cw) = rg.next_column().map_err(perr(path))? {
            let col = columns
                .next()
                .ok_or_else(|| fail(path, "more columns in the schema than buffered".into()))?;
            let defs = col.nullable.then_some(col.defs.as_slice());
            let written = match (cw.untyped(), &col.values) {
                (ColumnWriter::Int32ColumnWriter(w), Values::I32(v)) => {
                    w.write_batch(v, defs, None)
                }
                (ColumnWriter::Int64ColumnWriter(w), Values::I64(v)) => {
                    w.write_batch(v, defs, None)
                }
                (ColumnWriter::DoubleColumnWriter(w), Values::F64(v)) => {
                    w.write_batch(v, defs, None)
                }
                (ColumnWriter::ByteArrayColumnWriter(w), Values::Bytes(v)) => {
                    w.write_batch(v, defs, None)
                }
                _ => {
                    return Err(fail(
                        path,
                        format!("column {} does not match its schema type", col.name),
                    ));
                }
            };
            written.map_err(perr(path))?;
            cw.close().map_err(perr(path))?;
            col.defs.clear();
            match &mut col.values {
                Values::I32(v) => v.clear(),
                Values::I64(v) => v.clear(),
                Values::F64(v) => v.clear(),
                Values::Bytes(v) => v.clear(),
            }
        }
        rg.close().map_err(perr(path))?;
        self.rows = 0;
        Ok(())
    }

    /// Writes the last row group and the footer, and flushes the file.
    fn finish(mut self) -> Result<(), RecordError> {
        if self.broken {
            return Err(fail(&self.path, "an earlier row was refused".into()));
        }
        self.flush_row_group()?;
        let path = self.path;
        let mut buf = self.writer.into_inner().map_err(perr(&path))?;
        buf.flush().map_err(io(&path))
    }
}

/// The Parquet tables of a run, fed the same rows as the CSV files (`None`: a table the run
/// does not write).
pub struct ParquetTables {
    trades: Option<Table>,
    bars: Table,
    flows: Table,
    positions: Option<Table>,
    events: Option<Table>,
    state: Option<Table>,
    clock: RecordClock,
    /// Each instrument's symbol, ready to store (cloning shares the bytes).
    symbols: Vec<ByteArray>,
    unknown_symbol: ByteArray,
    /// Enum names, stored once and shared by every row that uses them.
    names: BTreeMap<&'static str, ByteArray>,
}

impl ParquetTables {
    /// Creates the six files in `dir`. `symbols[i]` names instrument `i`.
    pub fn create(dir: &Path, symbols: &[String]) -> Result<Self, RecordError> {
        Self::with_row_group_rows(dir, symbols, ROW_GROUP_ROWS)
    }

    /// As [`ParquetTables::create`], writing only `tables`.
    pub fn create_tables(
        dir: &Path,
        symbols: &[String],
        tables: Tables,
    ) -> Result<Self, RecordError> {
        let mut t = Self::with_row_group_rows(dir, symbols, ROW_GROUP_ROWS)?;
        if tables == Tables::Sweep {
            for (name, table) in [
                ("trades", t.trades.take()),
                ("positions", t.positions.take()),
                ("events", t.events.take()),
                ("state", t.state.take()),
            ] {
                drop(table);
                let path = dir.join(format!("{name}.parquet"));
                std::fs::remove_file(&path).map_err(io(&path))?;
            }
        }
        Ok(t)
    }

    /// Dates the records (see [`RecordClock`]).
    pub fn set_clock(&mut self, clock: RecordClock) {
        self.clock = clock;
    }

    /// As [`ParquetTables::create`], cutting row groups every `row_group_rows` rows.
    pub fn with_row_group_rows(
        dir: &Path,
        symbols: &[String],
        row_group_rows: usize,
    ) -> Result<Self, RecordError> {
        Ok(ParquetTables {
            trades: Some(Table::create(dir, "trades", TRADES, row_group_rows)?),
            bars: Table::create(dir, "bars", BARS, row_group_rows)?,
            flows: Table::create(dir, "flows", FLOWS, row_group_rows)?,
            positions: Some(Table::create(dir, "positions", POSITIONS, row_group_rows)?),
            events: Some(Table::create(dir, "events", EVENTS, row_group_rows)?),
            state: Some(Table::create(dir, "state", STATE, row_group_rows)?),
            clock: RecordClock::default(),
            symbols: symbols
                .iter()
                .map(|s| ByteArray::from(s.as_str()))
                .collect(),
            unknown_symbol: ByteArray::from("?"),
            names: BTreeMap::new(),
        })
    }

    /// Writes the buffered rows and the footers. Every file is complete when this returns `Ok`.
    pub fn finish(self) -> Result<(), RecordError> {
        self.bars.finish()?;
        self.flows.finish()?;
        for t in [self.trades, self.positions, self.events, self.state]
            .into_iter()
            .flatten()
        {
            t.finish()?;
        }
        Ok(())
    }

    fn time(&self, day: u32, time_ns: u64) -> Option<Value> {
        self.clock.utc_nanos(day, time_ns).map(Value::I64)
    }

    fn symbol(&self, i: u16) -> Option<Value> {
        let s = self.symbols.get(i as usize).unwrap_or(&self.unknown_symbol);
        Some(Value::Bytes(s.clone()))
    }

    fn name(&mut self, s: &'static str) -> Option<Value> {
        let b = self.names.entry(s).or_insert_with(|| ByteArray::from(s));
        Some(Value::Bytes(b.clone()))
    }

    pub fn trade(&mut self, r: &TradeRow) -> std::io::Result<()> {
        let row = [
            u64v(r.time_ns),
            u32v(r.day),
            self.symbol(r.instrument),
            i64v(r.price_ticks),
            f64v(r.price),
            u64v(r.qty),
            match r.aggressor {
                Some(s) => self.name(side_str(s)),
                None => None,
            },
            u64v(r.buyer),
            u64v(r.seller),
            self.name(r.buyer_class.as_str()),
            self.name(r.seller_class.as_str()),
            self.name(r.buy_motive.as_str()),
            self.name(r.sell_motive.as_str()),
            self.time(r.day, r.time_ns),
        ];
        match &mut self.trades {
            Some(t) => t.push(row).map_err(to_io),
            None => Ok(()),
        }
    }

    pub fn bar(&mut self, r: &BarRow) -> std::io::Result<()> {
        let row = [
            u32v(r.day),
            u32v(r.bar),
            u64v(r.time_ns),
            self.symbol(r.instrument),
            f64v(r.open),
            f64v(r.high),
            f64v(r.low),
            f64v(r.close),
            u64v(r.volume),
            u32v(r.trades),
            r.vwap.and_then(f64v),
            f64v(r.fundamental),
            r.best_bid.and_then(f64v),
            r.best_ask.and_then(f64v),
            self.time(r.day, r.time_ns),
            u64v(r.bid_depth),
            u64v(r.ask_depth),
            u64v(r.bid_depth_1pct),
            u64v(r.ask_depth_1pct),
        ];
        self.bars.push(row).map_err(to_io)
    }

    pub fn flow(&mut self, r: &FlowRow) -> std::io::Result<()> {
        let row = [
            u32v(r.day),
            u32v(r.bar),
            u64v(r.time_ns),
            self.symbol(r.instrument),
            self.name(r.class.as_str()),
            self.name(r.motive.as_str()),
            u64v(r.buy_units),
            u64v(r.sell_units),
            i64v(r.net_units),
            f64v(r.buy_usd),
            f64v(r.sell_usd),
            f64v(r.net_usd),
            self.time(r.day, r.time_ns),
        ];
        self.flows.push(row).map_err(to_io)
    }

    pub fn position(&mut self, r: &PositionRow) -> std::io::Result<()> {
        let row = [
            u32v(r.day),
            self.symbol(r.instrument),
            self.name(r.class.as_str()),
            u32v(r.agents),
            i64v(r.position_units),
            f64v(r.exposure_usd),
            f64v(r.cash_usd),
            self.clock.date(r.day).map(|d| {
                Value::I32((d - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days() as i32)
            }),
        ];
        match &mut self.positions {
            Some(t) => t.push(row).map_err(to_io),
            None => Ok(()),
        }
    }

    pub fn event(&mut self, r: &EventRow) -> std::io::Result<()> {
        let row = [
            u64v(r.time_ns),
            u32v(r.day),
            self.name(event_kind_str(r.kind)),
            r.instrument.and_then(|i| self.symbol(i)),
            f64v(r.value),
            Some(Value::Bytes(ByteArray::from(r.detail.as_str()))),
            self.time(r.day, r.time_ns),
        ];
        match &mut self.events {
            Some(t) => t.push(row).map_err(to_io),
            None => Ok(()),
        }
    }

    pub fn state(&mut self, r: &StateRow) -> std::io::Result<()> {
        let row = [
            u32v(r.day),
            u64v(r.time_ns),
            u64v(r.agent),
            self.name(r.class.as_str()),
            self.symbol(r.instrument),
            self.name(r.metric.as_str()),
            r.at.and_then(f64v),
            f64v(r.value),
            self.time(r.day, r.time_ns),
        ];
        match &mut self.state {
            Some(t) => t.push(row).map_err(to_io),
            None => Ok(()),
        }
    }
}

fn u32v(x: u32) -> Option<Value> {
    // Stored as the same 32 bits; the column is annotated unsigned.
    Some(Value::I32(x as i32))
}

fn u64v(x: u64) -> Option<Value> {
    // Stored as the same 64 bits; the column is annotated unsigned.
    Some(Value::I64(x as i64))
}

fn i64v(x: i64) -> Option<Value> {
    Some(Value::I64(x))
}

fn f64v(x: f64) -> Option<Value> {
    Some(Value::F64(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::AgentClass;
    use crate::book::Motive;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("flowsim-parquet-unit-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn trade(i: u64) -> TradeRow {
        TradeRow {
            time_ns: 1_000 + i,
            day: 1 + (i / 4) as u32,
            instrument: (i % 3) as u16,
            price_ticks: 20_000 - i as i64,
            price: (20_000 - i as i64) as f64 * 0.25,
            qty: u64::MAX - i,
            aggressor: match i % 3 {
                0 => None,
                1 => Some(Side::Buy),
                _ => Some(Side::Sell),
            },
            buyer: i,
            seller: i + 1,
            buyer_class: AgentClass::Noise,
            seller_class: AgentClass::MarketMaker,
            buy_motive: Motive::SignalFlip,
            sell_motive: Motive::Liquidity,
        }
    }

    /// Ten rows with row groups of four: three row groups (4, 4, 2), every value read back,
    /// including the null aggressor, an unknown instrument and a `u64` above `i64::MAX`.
    #[test]
    fn row_groups_are_cut_every_n_rows_and_values_round_trip() {
        let dir = scratch("groups");
        let symbols = vec!["SPX".to_string(), "ETF".to_string()];
        let mut t = ParquetTables::with_row_group_rows(&dir, &symbols, 4).unwrap();
        for i in 0..10 {
            t.trade(&trade(i)).unwrap();
        }
        t.finish().unwrap();

        let reader =
            SerializedFileReader::new(File::open(dir.join("trades.parquet")).unwrap()).unwrap();
        let meta = reader.metadata();
        let groups: Vec<i64> = meta.row_groups().iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, [4, 4, 2]);
        assert_eq!(meta.file_metadata().created_by(), Some(CREATED_BY));
        let rows: Vec<_> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(rows.len(), 10);
        for (i, row) in rows.iter().enumerate() {
            let want = trade(i as u64);
            let cols: Vec<(&String, &Field)> = row.get_column_iter().collect();
            let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
            let expected: Vec<&str> = TRADES.iter().map(|c| c.0).collect();
            assert_eq!(names, expected);
            assert_eq!(cols[0].1, &Field::ULong(want.time_ns));
            assert_eq!(cols[1].1, &Field::UInt(want.day));
            let sym = ["SPX", "ETF", "?"][i % 3];
            assert_eq!(cols[2].1, &Field::Str(sym.into()));
            assert_eq!(cols[3].1, &Field::Long(want.price_ticks));
            assert_eq!(cols[4].1, &Field::Double(want.price));
            assert_eq!(cols[5].1, &Field::ULong(want.qty));
            let aggr = want
                .aggressor
                .map_or(Field::Null, |s| Field::Str(side_str(s).into()));
            assert_eq!(cols[6].1, &aggr);
            assert_eq!(cols[9].1, &Field::Str("noise".into()));
            assert_eq!(cols[12].1, &Field::Str("liquidity".into()));
        }
        for empty in ["bars", "flows", "positions", "events"] {
            let r = SerializedFileReader::new(
                File::open(dir.join(format!("{empty}.parquet"))).unwrap(),
            )
            .unwrap();
            assert_eq!(r.metadata().file_metadata().num_rows(), 0, "{empty}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
