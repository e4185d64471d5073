//! Real time stamps for the records: trading day `d` of a run is the `d`-th date of its
//! calendar, and a record's `time_ns` (nanoseconds since midnight of the run's first trading
//! day, 86,400 s per trading day, so `time_ns` modulo a day is the time of day) gives the time. The session clock is New York time; a stamp is
//! written in CSV as ISO 8601 with the New York UTC offset of that date, and in Parquet as a UTC
//! instant (`TIMESTAMP(NANOS, isAdjustedToUTC)`).

use chrono::{Datelike, Days, FixedOffset, NaiveDate, TimeDelta, Weekday};

use crate::history::{TradingCalendar, is_trading_day};
use crate::market::time::DAY;

/// The default first trading day of a run without a dated pre-history or a `start_date`.
pub const DEFAULT_START: &str = "2024-01-02";

/// The trading dates of a run's days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordClock {
    /// `dates[k]` is trading day `k + 1`.
    dates: Vec<NaiveDate>,
}

impl Default for RecordClock {
    /// One trading day from [`DEFAULT_START`] (later days continue the calendar).
    fn default() -> Self {
        let start = NaiveDate::parse_from_str(DEFAULT_START, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
        RecordClock::starting(start, 1)
    }
}

impl RecordClock {
    /// A clock for the given dates (day 1 first).
    pub fn new(dates: Vec<NaiveDate>) -> Self {
        RecordClock { dates }
    }

    /// `days` trading days starting on `start` (or the first trading day after it, when it is
    /// a weekend or a holiday).
    pub fn starting(start: NaiveDate, days: u32) -> Self {
        let first = if is_trading_day(start) {
            start
        } else {
            TradingCalendar::next_after(start)
        };
        let mut dates = vec![first];
        dates.extend(TradingCalendar::days_after(
            first,
            days.saturating_sub(1) as usize,
        ));
        RecordClock { dates }
    }

    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// The date of trading day `day` (1-based); days past the calendar continue it.
    pub fn date(&self, day: u32) -> Option<NaiveDate> {
        let k = (day as usize).checked_sub(1)?;
        if let Some(d) = self.dates.get(k) {
            return Some(*d);
        }
        let last = *self.dates.last()?;
        TradingCalendar::days_after(last, k + 1 - self.dates.len())
            .last()
            .copied()
    }

    /// The instant of a record of trading day `day` at `time_ns` (its time of day is
    /// `time_ns` modulo a day), in New York time.
    pub fn instant(&self, day: u32, time_ns: u64) -> Option<chrono::DateTime<FixedOffset>> {
        let date = self.date(day)?;
        let tod = (time_ns % DAY) as i64;
        let local = date.and_hms_opt(0, 0, 0)? + TimeDelta::nanoseconds(tod);
        let offset = new_york_offset(date);
        local.and_local_timezone(offset).single()
    }

    /// ISO 8601 with the UTC offset, nanosecond precision: `2024-01-02T09:30:00.000000000-05:00`.
    /// Empty when the day has no date.
    pub fn iso(&self, day: u32, time_ns: u64) -> String {
        let Some(date) = self.date(day) else {
            return String::new();
        };
        let tod = time_ns % DAY;
        let (s, ns) = (tod / 1_000_000_000, tod % 1_000_000_000);
        let offset = new_york_offset(date).local_minus_utc() / 60;
        format!(
            "{date}T{:02}:{:02}:{:02}.{ns:09}{}{:02}:{:02}",
            s / 3600,
            s / 60 % 60,
            s % 60,
            if offset < 0 { '-' } else { '+' },
            offset.abs() / 60,
            offset.abs() % 60
        )
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z (a Parquet UTC timestamp).
    pub fn utc_nanos(&self, day: u32, time_ns: u64) -> Option<i64> {
        self.instant(day, time_ns)?.timestamp_nanos_opt()
    }
}

/// New York's offset from UTC on `date`: −4 h under daylight saving time, −5 h otherwise. The
/// US rule since 2007 runs from the second Sunday of March to the first Sunday of November,
/// from 1987 to 2006 from the first Sunday of April to the last Sunday of October (the clocks
/// change at 02:00 on a Sunday, when no session is open).
pub fn new_york_offset(date: NaiveDate) -> FixedOffset {
    let y = date.year();
    let sunday = |m: u32, n: u8| {
        NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Sun, n).unwrap_or(NaiveDate::MIN)
    };
    let (start, end) = if y >= 2007 {
        (sunday(3, 2), sunday(11, 1))
    } else {
        let last_october = {
            let mut d = NaiveDate::from_ymd_opt(y, 10, 31).unwrap_or(NaiveDate::MIN);
            while d.weekday() != Weekday::Sun {
                d = d - Days::new(1);
            }
            d
        };
        (sunday(4, 1), last_october)
    };
    let hours = if date >= start && date < end { -4 } else { -5 };
    FixedOffset::east_opt(hours * 3600).unwrap_or(FixedOffset::east_opt(0).expect("UTC"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn new_york_daylight_saving() {
        assert_eq!(new_york_offset(d(2024, 1, 2)).local_minus_utc(), -5 * 3600);
        assert_eq!(new_york_offset(d(2024, 3, 8)).local_minus_utc(), -5 * 3600);
        assert_eq!(new_york_offset(d(2024, 3, 11)).local_minus_utc(), -4 * 3600);
        assert_eq!(new_york_offset(d(2024, 11, 1)).local_minus_utc(), -4 * 3600);
        assert_eq!(new_york_offset(d(2024, 11, 4)).local_minus_utc(), -5 * 3600);
        // The pre-2007 rule: 2 April 2006 to 29 October 2006.
        assert_eq!(new_york_offset(d(2006, 3, 31)).local_minus_utc(), -5 * 3600);
        assert_eq!(new_york_offset(d(2006, 4, 3)).local_minus_utc(), -4 * 3600);
        assert_eq!(
            new_york_offset(d(2006, 10, 30)).local_minus_utc(),
            -5 * 3600
        );
    }

    #[test]
    fn stamps_of_a_run() {
        // 2024-01-01 is a holiday: the run starts on the 2nd; the 15th is Martin Luther King Day.
        let c = RecordClock::starting(d(2024, 1, 1), 12);
        assert_eq!(c.dates()[0], d(2024, 1, 2));
        assert!(!c.dates().contains(&d(2024, 1, 15)));
        assert_eq!(c.dates().len(), 12);
        // Day 1's 09:30: time_ns counts from midnight of the first trading day.
        let open = 34_200 * 1_000_000_000;
        assert_eq!(c.iso(1, open), "2024-01-02T09:30:00.000000000-05:00");
        assert_eq!(
            c.iso(2, open + 86_400 * 1_000_000_000 + 6_390_000_000_123),
            "2024-01-03T11:16:30.000000123-05:00"
        );
        let summer = RecordClock::starting(d(2024, 7, 3), 2);
        assert_eq!(summer.dates()[1], d(2024, 7, 5), "the 4th is a holiday");
        assert_eq!(summer.iso(2, open), "2024-07-05T09:30:00.000000000-04:00");
        assert_eq!(
            summer.instant(2, open).map(|t| t.to_rfc3339()),
            Some("2024-07-05T09:30:00-04:00".to_string())
        );
        assert_eq!(
            c.utc_nanos(1, open),
            Some(
                d(2024, 1, 2)
                    .and_hms_opt(14, 30, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp_nanos_opt()
                    .unwrap()
            )
        );
        // Past the calendar, dates continue on trading days.
        assert_eq!(c.date(13), Some(TradingCalendar::next_after(c.dates()[11])));
        assert_eq!(c.date(0), None);
    }
}
