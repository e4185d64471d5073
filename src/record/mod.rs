//! What a run writes: trades, bars, flows by class and motive, daily positions, events, and
//! `summary.json`. Rows stream to disk as they happen, so memory does not grow with run length.
//! CSV files are always written; Parquet copies of the tables too when the scenario asks.

pub mod clock;
mod parquet;
mod read;
mod rows;
mod run_dir;
mod sink;
mod summary;

pub use clock::RecordClock;
pub use parquet::{ParquetTables, ROW_GROUP_ROWS, write_positioning};
pub use read::RunRecords;
pub use rows::*;
pub use run_dir::{RecordError, RunWriter, Tables, replaceable};
pub use sink::{MemorySink, RecordSink, Tee};
pub use summary::{Summary, sha256_hex};
