//! Reading daily CSV files: a date column and one or more price columns.
//!
//! The same rules hold for every caller: ISO dates (`YYYY-MM-DD`), strictly increasing (so
//! no duplicates), prices positive and finite, volumes finite and not negative, and at least
//! two rows. A file is accepted whole or refused with `file:line: column: problem`.

use std::path::Path;

use chrono::NaiveDate;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum HistoryError {
    #[error("{file}: cannot read the history")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}: {column}: {problem}")]
    At {
        file: String,
        line: u64,
        column: String,
        problem: String,
    },
    #[error("{file}: {problem}")]
    File { file: String, problem: String },
}

/// Which columns hold what. Names are matched exactly after trimming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    /// The date column; `None` takes `date`, or `day` when there is no `date`.
    pub date: Option<String>,
    pub close: String,
    /// Optional columns: read when named here or, for the default names, when the header has
    /// them.
    pub open: Option<String>,
    pub high: Option<String>,
    pub low: Option<String>,
    pub volume: Option<String>,
    /// A value that marks a day without one (FRED's files write `.` on holidays): rows whose
    /// close is exactly this are skipped. `None`: every row must have a number.
    pub missing: Option<String>,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            date: None,
            close: "close".into(),
            open: None,
            high: None,
            low: None,
            volume: None,
            missing: None,
        }
    }
}

impl Columns {
    /// Only a date and one close column.
    pub fn close(name: &str) -> Self {
        Columns {
            close: name.into(),
            ..Columns::default()
        }
    }
}

/// One daily series: dates ascending, closes and whatever else the file had.
#[derive(Clone, Debug, PartialEq)]
pub struct DailyHistory {
    /// Where it was read from, for messages.
    pub file: String,
    pub dates: Vec<NaiveDate>,
    pub close: Vec<f64>,
    pub open: Option<Vec<f64>>,
    pub high: Option<Vec<f64>>,
    pub low: Option<Vec<f64>>,
    pub volume: Option<Vec<f64>>,
}

impl DailyHistory {
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// Index of the last date on or before `date`.
    pub fn index_on_or_before(&self, date: NaiveDate) -> Option<usize> {
        self.dates.partition_point(|&d| d <= date).checked_sub(1)
    }

    /// The history up to and including `date`.
    pub fn until(&self, date: NaiveDate) -> DailyHistory {
        let n = self.dates.partition_point(|&d| d <= date);
        let cut = |v: &Option<Vec<f64>>| v.as_ref().map(|v| v[..n].to_vec());
        DailyHistory {
            file: self.file.clone(),
            dates: self.dates[..n].to_vec(),
            close: self.close[..n].to_vec(),
            open: cut(&self.open),
            high: cut(&self.high),
            low: cut(&self.low),
            volume: cut(&self.volume),
        }
    }
}

/// Parses an ISO date, `YYYY-MM-DD`, refusing impossible days such as `2024-02-30`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    let shaped = t.len() == 10
        && t.bytes().enumerate().all(|(k, b)| {
            if k == 4 || k == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(format!("{t:?} is not a date (YYYY-MM-DD)"));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| format!("{t:?} is not a calendar date"))
}

/// Reads one daily series.
pub fn read_daily(path: &Path, cols: &Columns) -> Result<DailyHistory, HistoryError> {
    let mut wanted: Vec<(String, bool, bool)> = vec![(cols.close.clone(), true, true)];
    let optional = [
        (&cols.open, "open", true),
        (&cols.high, "high", true),
        (&cols.low, "low", true),
        (&cols.volume, "volume", false),
    ];
    for (named, default, is_price) in &optional {
        match named {
            Some(n) => wanted.push((n.clone(), true, *is_price)),
            None => wanted.push((default.to_string(), false, *is_price)),
        }
    }
    let (file, dates, mut values) =
        read_table(path, cols.date.as_deref(), &wanted, cols.missing.as_deref())?;
    let mut take = |k: usize| values[k].take();
    let close = take(0).unwrap_or_default();
    Ok(DailyHistory {
        file,
        dates,
        close,
        open: take(1),
        high: take(2),
        low: take(3),
        volume: take(4),
    })
}

/// Reads a date column and several required price columns from one file (a pre-history with
/// a column per instrument).
pub fn read_columns(
    path: &Path,
    date: Option<&str>,
    columns: &[&str],
) -> Result<(Vec<NaiveDate>, Vec<Vec<f64>>), HistoryError> {
    let wanted: Vec<(String, bool, bool)> = columns
        .iter()
        .map(|c| (c.to_string(), true, true))
        .collect();
    let (_, dates, values) = read_table(path, date, &wanted, None)?;
    Ok((
        dates,
        values.into_iter().map(Option::unwrap_or_default).collect(),
    ))
}

/// A file read: its name, the dates, and each wanted column's values (`None`: absent).
type Table = (String, Vec<NaiveDate>, Vec<Option<Vec<f64>>>);

/// (name, required, is a price) per wanted column; absent optional columns come back `None`.
fn read_table(
    path: &Path,
    date: Option<&str>,
    wanted: &[(String, bool, bool)],
    missing: Option<&str>,
) -> Result<Table, HistoryError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| HistoryError::Io {
        file: file.clone(),
        source,
    })?;
    let at = |line: u64, column: &str, problem: String| HistoryError::At {
        file: file.clone(),
        line,
        column: column.to_string(),
        problem,
    };
    let mut rdr =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| at(1, "header", e.to_string()))?
        .clone();
    let names: Vec<&str> = headers.iter().map(str::trim).collect();
    if names.iter().all(|n| n.is_empty()) {
        return Err(HistoryError::File {
            file,
            problem: "is empty (it needs a header and at least two rows)".into(),
        });
    }
    let listed = names.join(", ");
    let find = |n: &str| names.iter().position(|h| *h == n);
    let date_name = match date {
        Some(d) => d.to_string(),
        None if find("date").is_none() && find("day").is_some() => "day".into(),
        None => "date".into(),
    };
    let date_col = find(&date_name).ok_or_else(|| {
        at(
            1,
            &date_name,
            format!("no such column (the header has: {listed})"),
        )
    })?;
    let mut cols: Vec<Option<usize>> = Vec::with_capacity(wanted.len());
    for (name, required, _) in wanted {
        match find(name) {
            Some(c) => cols.push(Some(c)),
            None if *required => {
                return Err(at(
                    1,
                    name,
                    format!("no such column (the header has: {listed})"),
                ));
            }
            None => cols.push(None),
        }
    }
    let mut dates: Vec<NaiveDate> = Vec::new();
    let mut values: Vec<Option<Vec<f64>>> = cols.iter().map(|c| c.map(|_| Vec::new())).collect();
    let mut last_line = 1u64;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(last_line + 1, |p| p.line());
            at(line, "row", e.to_string())
        })?;
        let line = rec.position().map_or(last_line + 1, |p| p.line());
        last_line = line;
        let field = |c: usize| rec.get(c).unwrap_or("").trim();
        let d = parse_date(field(date_col)).map_err(|p| at(line, &date_name, p))?;
        if let Some(&prev) = dates.last() {
            if d == prev {
                return Err(at(
                    line,
                    &date_name,
                    format!("{d} repeats the previous row's date"),
                ));
            }
            if d < prev {
                return Err(at(
                    line,
                    &date_name,
                    format!("{d} comes after {prev}: dates must be sorted ascending"),
                ));
            }
        }
        if let (Some(m), Some(Some(c))) = (missing, cols.first())
            && field(*c) == m
        {
            continue;
        }
        dates.push(d);
        for ((c, out), (name, _, is_price)) in cols.iter().zip(values.iter_mut()).zip(wanted) {
            let (Some(c), Some(out)) = (c, out) else {
                continue;
            };
            let s = field(*c);
            let v: f64 = s
                .parse()
                .map_err(|_| at(line, name, format!("{s:?} is not a number")))?;
            if !v.is_finite() {
                return Err(at(line, name, format!("{s:?} is not a finite number")));
            }
            if *is_price && v <= 0.0 {
                return Err(at(line, name, format!("prices must be positive, got {s}")));
            }
            if !*is_price && v < 0.0 {
                return Err(at(line, name, format!("must not be negative, got {s}")));
            }
            out.push(v);
        }
    }
    if dates.len() < 2 {
        return Err(HistoryError::File {
            file,
            problem: format!(
                "has {} row{} of data; a daily history needs at least two",
                dates.len(),
                if dates.len() == 1 { "" } else { "s" }
            ),
        });
    }
    Ok((file, dates, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_and_real() {
        assert!(parse_date("2018-02-05").is_ok());
        assert!(parse_date("2024-02-30").unwrap_err().contains("calendar"));
        assert!(parse_date("2/5/2018").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_date("1").is_err());
    }
}
