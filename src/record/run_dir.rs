//! A run folder written atomically: everything goes into a hidden temporary folder beside the
//! destination, which is renamed into place only when the run has finished. A failed or
//! interrupted run never leaves a half result under the final name, and an existing finished
//! run is never overwritten unless asked.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::clock::RecordClock;
use super::parquet::ParquetTables;
use super::rows::*;
use super::sink::RecordSink;

#[derive(Debug, Error)]
pub enum RecordError {
    #[error("{0} already exists: choose another --out, or pass --force to replace it")]
    Exists(PathBuf),
    #[error(
        "{0} exists and is not a run folder (no summary.json): --force replaces only a run \
         folder; choose another --out"
    )]
    NotARun(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A table that cannot be read; `line` 0 when the problem is not on one line.
    #[error("{}{}: {message}", .path.display(), if *.line > 0 { format!(":{}", .line) } else { String::new() })]
    Read {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecordError + '_ {
    move |source| RecordError::Io {
        path: path.to_path_buf(),
        source,
    }
}

type Csv = csv::Writer<BufWriter<File>>;

/// Streams a run's rows into CSV files (and, when asked, Parquet files) in a temporary folder.
pub struct RunWriter {
    tmp: PathBuf,
    dest: PathBuf,
    force: bool,
    symbols: Vec<String>,
    /// `None` when the run writes only the sweep tables ([`Tables::Sweep`]).
    trades: Option<Csv>,
    bars: Csv,
    flows: Csv,
    positions: Option<Csv>,
    events: Option<Csv>,
    state: Option<Csv>,
    /// The dates of the run's days, for the `time` and `date` columns.
    clock: RecordClock,
    /// The Parquet copies of the six tables, when the run writes them.
    parquet: Option<ParquetTables>,
    finished: bool,
}

fn csv_file(dir: &Path, name: &str, header: &[&str]) -> Result<Csv, RecordError> {
    let path = dir.join(name);
    let f = File::create(&path).map_err(io(&path))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, f));
    w.write_record(header).map_err(|e| RecordError::Io {
        path: path.clone(),
        source: e.into(),
    })?;
    Ok(w)
}

/// Which tables a run writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tables {
    /// Every table: trades, bars, flows, positions, events and state.
    #[default]
    All,
    /// Only what a sweep aggregates: bars and flows (with the summary, the scenario copy and
    /// the calendar, which every run writes). No report can be drawn from them.
    Sweep,
}

impl Tables {
    pub fn as_str(self) -> &'static str {
        match self {
            Tables::All => "all",
            Tables::Sweep => "sweep",
        }
    }
}

impl RunWriter {
    /// A writer of every table (see [`RunWriter::create_with`]).
    pub fn create(
        dest: &Path,
        symbols: Vec<String>,
        force: bool,
        parquet: bool,
    ) -> Result<Self, RecordError> {
        Self::create_with(dest, symbols, force, parquet, Tables::All)
    }

    /// Stages a run folder for `dest` writing `tables` as CSV (and Parquet with `parquet`).
    /// Records are dated from [`clock::DEFAULT_START`](super::clock::DEFAULT_START) until
    /// [`RunWriter::set_clock`] gives the run's own dates.
    pub fn create_with(
        dest: &Path,
        symbols: Vec<String>,
        force: bool,
        parquet: bool,
        tables: Tables,
    ) -> Result<Self, RecordError> {
        let full = tables == Tables::All;
        replaceable(dest, force)?;
        // Finished by `finish`, or removed by `drop` (or just below, if creating fails).
        let tmp = crate::atomic::stage_dir(dest).map_err(io(dest))?;
        let writer = (|| {
            Ok::<_, RecordError>(RunWriter {
                trades: full
                    .then(|| {
                        csv_file(
                            &tmp,
                            "trades.csv",
                            &[
                                "time_ns",
                                "day",
                                "instrument",
                                "price_ticks",
                                "price",
                                "qty",
                                "aggressor",
                                "buyer",
                                "seller",
                                "buyer_class",
                                "seller_class",
                                "buy_motive",
                                "sell_motive",
                                "time",
                            ],
                        )
                    })
                    .transpose()?,
                bars: csv_file(
                    &tmp,
                    "bars.csv",
                    &[
                        "day",
                        "bar",
                        "time_ns",
                        "instrument",
                        "open",
                        "high",
                        "low",
                        "close",
                        "volume",
                        "trades",
                        "vwap",
                        "fundamental",
                        "best_bid",
                        "best_ask",
                        "time",
                        "bid_depth",
                        "ask_depth",
                        "bid_depth_1pct",
                        "ask_depth_1pct",
                    ],
                )?,
                flows: csv_file(
                    &tmp,
                    "flows.csv",
                    &[
                        "day",
                        "bar",
                        "time_ns",
                        "instrument",
                        "class",
                        "motive",
                        "buy_units",
                        "sell_units",
                        "net_units",
                        "buy_usd",
                        "sell_usd",
                        "net_usd",
                        "time",
                    ],
                )?,
                positions: full
                    .then(|| {
                        csv_file(
                            &tmp,
                            "positions.csv",
                            &[
                                "day",
                                "instrument",
                                "class",
                                "agents",
                                "position_units",
                                "exposure_usd",
                                "cash_usd",
                                "date",
                            ],
                        )
                    })
                    .transpose()?,
                events: full
                    .then(|| {
                        csv_file(
                            &tmp,
                            "events.csv",
                            &[
                                "time_ns",
                                "day",
                                "kind",
                                "instrument",
                                "value",
                                "detail",
                                "time",
                            ],
                        )
                    })
                    .transpose()?,
                state: full
                    .then(|| {
                        csv_file(
                            &tmp,
                            "state.csv",
                            &[
                                "day",
                                "time_ns",
                                "agent",
                                "class",
                                "instrument",
                                "metric",
                                "at",
                                "value",
                                "time",
                            ],
                        )
                    })
                    .transpose()?,
                parquet: if parquet {
                    Some(ParquetTables::create_tables(&tmp, &symbols, tables)?)
                } else {
                    None
                },
                clock: RecordClock::default(),
                tmp: tmp.clone(),
                dest: dest.to_path_buf(),
                force,
                symbols,
                finished: false,
            })
        })();
        if writer.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        writer
    }

    /// Writes an extra file (the scenario copy, the summary) into the run folder.
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> Result<(), RecordError> {
        let path = self.tmp.join(name);
        std::fs::write(&path, bytes).map_err(io(&path))
    }

    /// The temporary folder, for writers of other files (charts, reports).
    pub fn staging_dir(&self) -> &Path {
        &self.tmp
    }

    /// Dates the records: trading day `d` is `clock`'s `d`-th date.
    pub fn set_clock(&mut self, clock: RecordClock) {
        if let Some(p) = &mut self.parquet {
            p.set_clock(clock.clone());
        }
        self.clock = clock;
    }

    /// Flushes the CSV tables, so what is staged can be read back (for the report) before the
    /// folder is finished.
    pub fn flush_csv(&mut self) -> Result<(), RecordError> {
        for (name, w) in [
            ("trades.csv", self.trades.as_mut()),
            ("bars.csv", Some(&mut self.bars)),
            ("flows.csv", Some(&mut self.flows)),
            ("positions.csv", self.positions.as_mut()),
            ("events.csv", self.events.as_mut()),
            ("state.csv", self.state.as_mut()),
        ] {
            if let Some(w) = w {
                let path = self.tmp.join(name);
                w.flush().map_err(io(&path))?;
            }
        }
        Ok(())
    }

    /// Flushes everything and moves the folder into place.
    pub fn finish(mut self) -> Result<PathBuf, RecordError> {
        self.flush_csv()?;
        if let Some(tables) = self.parquet.take() {
            tables.finish()?;
        }
        let dest = self.dest.clone();
        replaceable(&dest, self.force)?;
        crate::atomic::replace_dir(&self.tmp, &dest).map_err(io(&dest))?;
        self.finished = true;
        crate::atomic::unstage(&self.tmp);
        Ok(dest)
    }

    fn symbol(&self, i: u16) -> &str {
        self.symbols.get(i as usize).map_or("?", |s| s.as_str())
    }
}

/// Whether a run may be written to `dest`: it does not exist, or `force` is given and it is a
/// run folder (a real folder, not a link, holding `summary.json`). A regular file or any other
/// folder is never replaced.
pub fn replaceable(dest: &Path, force: bool) -> Result<(), RecordError> {
    let Ok(meta) = std::fs::symlink_metadata(dest) else {
        return Ok(());
    };
    if !force {
        return Err(RecordError::Exists(dest.to_path_buf()));
    }
    if meta.is_dir() && dest.join("summary.json").is_file() {
        Ok(())
    } else {
        Err(RecordError::NotARun(dest.to_path_buf()))
    }
}

impl Drop for RunWriter {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.tmp);
            crate::atomic::unstage(&self.tmp);
        }
    }
}

fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

impl RecordSink for RunWriter {
    fn trade(&mut self, r: &TradeRow) -> std::io::Result<()> {
        let sym = self
            .symbols
            .get(r.instrument as usize)
            .map_or("?", |s| s.as_str());
        let Some(trades) = self.trades.as_mut() else {
            return Ok(());
        };
        trades
            .serialize((
                r.time_ns,
                r.day,
                sym,
                r.price_ticks,
                r.price,
                r.qty,
                r.aggressor,
                r.buyer,
                r.seller,
                r.buyer_class,
                r.seller_class,
                r.buy_motive,
                r.sell_motive,
                self.clock.iso(r.day, r.time_ns),
            ))
            .map_err(csv_err)?;
        if let Some(p) = &mut self.parquet {
            p.trade(r)?;
        }
        Ok(())
    }

    fn bar(&mut self, r: &BarRow) -> std::io::Result<()> {
        let sym = self
            .symbols
            .get(r.instrument as usize)
            .map_or("?", |s| s.as_str());
        self.bars
            .serialize((
                r.day,
                r.bar,
                r.time_ns,
                sym,
                r.open,
                r.high,
                r.low,
                r.close,
                r.volume,
                r.trades,
                r.vwap,
                r.fundamental,
                r.best_bid,
                r.best_ask,
                // serde's tuples stop at 16 elements; csv flattens the nested one.
                (
                    self.clock.iso(r.day, r.time_ns),
                    r.bid_depth,
                    r.ask_depth,
                    r.bid_depth_1pct,
                    r.ask_depth_1pct,
                ),
            ))
            .map_err(csv_err)?;
        if let Some(p) = &mut self.parquet {
            p.bar(r)?;
        }
        Ok(())
    }

    fn flow(&mut self, r: &FlowRow) -> std::io::Result<()> {
        let sym = self
            .symbols
            .get(r.instrument as usize)
            .map_or("?", |s| s.as_str());
        self.flows
            .serialize((
                r.day,
                r.bar,
                r.time_ns,
                sym,
                r.class,
                r.motive,
                r.buy_units,
                r.sell_units,
                r.net_units,
                r.buy_usd,
                r.sell_usd,
                r.net_usd,
                self.clock.iso(r.day, r.time_ns),
            ))
            .map_err(csv_err)?;
        if let Some(p) = &mut self.parquet {
            p.flow(r)?;
        }
        Ok(())
    }

    fn position(&mut self, r: &PositionRow) -> std::io::Result<()> {
        let sym = self
            .symbols
            .get(r.instrument as usize)
            .map_or("?", |s| s.as_str());
        let Some(positions) = self.positions.as_mut() else {
            return Ok(());
        };
        positions
            .serialize((
                r.day,
                sym,
                r.class,
                r.agents,
                r.position_units,
                r.exposure_usd,
                r.cash_usd,
                self.clock.date(r.day).map(|d| d.to_string()),
            ))
            .map_err(csv_err)?;
        if let Some(p) = &mut self.parquet {
            p.position(r)?;
        }
        Ok(())
    }

    fn event(&mut self, r: &EventRow) -> std::io::Result<()> {
        let sym = r.instrument.map(|i| self.symbol(i).to_string());
        let time = self.clock.iso(r.day, r.time_ns);
        let Some(events) = self.events.as_mut() else {
            return Ok(());
        };
        events
            .serialize((r.time_ns, r.day, r.kind, sym, r.value, &r.detail, time))
            .map_err(csv_err)?;
        if let Some(p) = &mut self.parquet {
            p.event(r)?;
        }
        Ok(())
    }

    fn state(&mut self, r: &StateRow) -> std::io::Result<()> {
        let sym = self
            .symbols
            .get(r.instrument as usize)
            .map_or("?", |s| s.as_str());
        let Some(state) = self.state.as_mut() else {
            return Ok(());
        };
        state
            .serialize((
                r.day,
                r.time_ns,
                r.agent,
                r.class,
                sym,
                r.metric,
                r.at,
                r.value,
                self.clock.iso(r.day, r.time_ns),
            ))
            .map_err(csv_err)?;
        if let Some(p) = &mut self.parquet {
            p.state(r)?;
        }
        Ok(())
    }
}
