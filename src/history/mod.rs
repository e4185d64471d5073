//! Real daily history: the one reader of daily CSV files (scenario pre-histories, the
//! positioning monitor, the score against published estimates) and the US equity trading
//! calendar that dates simulated days after a real pre-history.
//!
//! A history is read whole or refused whole: every problem names the file, the line and the
//! column, so a researcher never gets a monitor built on a silently skipped row.

mod calendar;
mod reader;

pub use calendar::{TradingCalendar, is_trading_day};
pub use reader::{Columns, DailyHistory, HistoryError, parse_date, read_columns, read_daily};
