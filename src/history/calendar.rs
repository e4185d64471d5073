//! The US equity trading calendar: weekdays less NYSE holidays and the market's unscheduled
//! closures, so simulated days after a real pre-history carry the dates they would have had.
//!
//! Rules as the exchange applies them: a holiday on a Sunday is observed on the Monday, on a
//! Saturday on the Friday, except New Year's Day (a Saturday New Year is not observed on the
//! Friday before, the last trading day of the year). Checked against every date of the real
//! S&P 500 file shipped in `data/history/` (1999–2018) in `tests/it/history.rs`.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Days the exchange closed outside its holiday rules (national mourning, 9/11, storms).
const UNSCHEDULED: [(i32, u32, u32); 11] = [
    (1994, 4, 27),
    (2001, 9, 11),
    (2001, 9, 12),
    (2001, 9, 13),
    (2001, 9, 14),
    (2004, 6, 11),
    (2007, 1, 2),
    (2012, 10, 29),
    (2012, 10, 30),
    (2018, 12, 5),
    (2025, 1, 9),
];

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with days that exist.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The `n`-th (1-based) `wd` of a month.
fn nth_weekday(y: i32, m: u32, wd: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(y, m, wd, n).unwrap_or(NaiveDate::MIN)
}

fn last_weekday(y: i32, m: u32, wd: Weekday) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let mut d = ymd(ny, nm, 1) - Days::new(1);
    while d.weekday() != wd {
        d = d - Days::new(1);
    }
    d
}

/// Easter Sunday (the anonymous Gregorian computus).
fn easter(y: i32) -> NaiveDate {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(y, month as u32, day as u32)
}

/// A fixed-date holiday moved off the weekend.
fn observed(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d - Days::new(1),
        Weekday::Sun => d + Days::new(1),
        _ => d,
    }
}

fn is_holiday(d: NaiveDate) -> bool {
    let y = d.year();
    let new_year = ymd(y, 1, 1);
    if d == new_year || (new_year.weekday() == Weekday::Sun && d == ymd(y, 1, 2)) {
        return true;
    }
    let mut fixed = vec![ymd(y, 7, 4), ymd(y, 12, 25)];
    if y >= 2022 {
        fixed.push(ymd(y, 6, 19));
    }
    if fixed.into_iter().any(|h| observed(h) == d) {
        return true;
    }
    let mut floating = vec![
        nth_weekday(y, 2, Weekday::Mon, 3),
        last_weekday(y, 5, Weekday::Mon),
        nth_weekday(y, 9, Weekday::Mon, 1),
        nth_weekday(y, 11, Weekday::Thu, 4),
        easter(y) - Days::new(2),
    ];
    if y >= 1998 {
        floating.push(nth_weekday(y, 1, Weekday::Mon, 3));
    }
    floating.contains(&d) || UNSCHEDULED.iter().any(|&(yy, m, dd)| ymd(yy, m, dd) == d)
}

/// Whether the US equity market trades on `d`.
pub fn is_trading_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(d)
}

/// Trading days after a start date, one per simulated day.
#[derive(Clone, Copy, Debug)]
pub struct TradingCalendar;

impl TradingCalendar {
    /// The first trading day strictly after `d`.
    pub fn next_after(d: NaiveDate) -> NaiveDate {
        let mut t = d;
        loop {
            t = t.succ_opt().unwrap_or(NaiveDate::MAX);
            if t == NaiveDate::MAX || is_trading_day(t) {
                return t;
            }
        }
    }

    /// The `n` trading days that follow `d`.
    pub fn days_after(d: NaiveDate, n: usize) -> Vec<NaiveDate> {
        let mut out = Vec::with_capacity(n);
        let mut t = d;
        for _ in 0..n {
            t = Self::next_after(t);
            out.push(t);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holidays_of_2018() {
        let closed = [
            (1, 1),
            (1, 15),
            (2, 19),
            (3, 30),
            (5, 28),
            (7, 4),
            (9, 3),
            (11, 22),
            (12, 5),
            (12, 25),
        ];
        for (m, d) in closed {
            assert!(!is_trading_day(ymd(2018, m, d)), "2018-{m}-{d}");
        }
        assert!(is_trading_day(ymd(2018, 2, 5)));
        assert_eq!(easter(2018), ymd(2018, 4, 1));
        // 2022: New Year on a Saturday is not observed on Friday 31 Dec 2021; Juneteenth on a
        // Sunday is observed on Monday 20 June.
        assert!(is_trading_day(ymd(2021, 12, 31)));
        assert!(!is_trading_day(ymd(2022, 6, 20)));
        assert_eq!(
            TradingCalendar::next_after(ymd(2018, 1, 26)),
            ymd(2018, 1, 29)
        );
    }
}
