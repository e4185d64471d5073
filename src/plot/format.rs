//! Number formats for axis ticks and report tables.
//!
//! Flows are reported in dollars that run from thousands to tens of billions, and a tick label
//! like `27000000000` is unreadable; the caller picks the format per axis, so the same number
//! reads the same on a chart and in a report table.

/// How a number is written on an axis or in a table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Up to six significant digits, trailing zeros dropped: `4523.25`, `0.3`.
    ///
    /// Six digits keep index levels and returns exact enough to read while hiding the
    /// floating-point noise of computed tick values (`0.30000000000000004`).
    #[default]
    Auto,
    /// A fixed number of decimals: `Fixed(2)` writes `1.50`.
    Fixed(u8),
    /// Like `Auto`, with thousands separators: `12,345,678`.
    Thousands,
    /// Compact units, three significant digits: `12.5k`, `350m`, `1.2bn`, `3tn`.
    Compact,
    /// `Compact` with a dollar sign: `$1.2bn`, `-$350m`.
    Dollars,
    /// A fraction as a percentage: `0.053` writes `5.3%`.
    Percent,
    /// Days since 1970-01-01 as a calendar date, `2018-02-05` (x axes of daily series).
    Date,
}

/// Writes `value` in `format`; non-finite values write as `n/a`.
pub fn format_value(value: f64, format: Format) -> String {
    if !value.is_finite() {
        return "n/a".to_string();
    }
    match format {
        Format::Auto => significant(value, 6),
        Format::Fixed(decimals) => {
            let s = format!("{value:.*}", usize::from(decimals.min(12)));
            negative_zero(s)
        }
        Format::Thousands => group_thousands(&significant(value, 6)),
        Format::Compact => compact(value, ""),
        Format::Dollars => compact(value, "$"),
        Format::Percent => format!("{}%", significant(value * 100.0, 4)),
        Format::Date => chrono::DateTime::UNIX_EPOCH
            .date_naive()
            .checked_add_signed(chrono::TimeDelta::days(value.round() as i64))
            .map_or_else(|| "n/a".to_string(), |d| d.to_string()),
    }
}

/// Rounds to `digits` significant digits and drops trailing zeros.
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-9..15).contains(&magnitude) {
        return format!("{value:.*e}", (digits - 1).max(0) as usize);
    }
    let decimals = (digits - 1 - magnitude).clamp(0, 15) as usize;
    negative_zero(trim_zeros(format!("{value:.decimals$}")))
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Rounding can leave `-0`; a tick labelled `-0` next to `0` reads like a bug.
fn negative_zero(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    if rest.contains('e') {
        return s.to_string();
    }
    let (int, frac) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

fn compact(value: f64, prefix: &str) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")];
    let sign = if value < 0.0 { "-" } else { "" };
    let abs = value.abs();
    // Rounding can carry a value over a unit boundary (999,999 → "1000k"), so the unit is
    // chosen on the rounded number.
    for (scale, unit) in UNITS {
        let scaled = significant(abs / scale, 3);
        if scaled.parse::<f64>().is_ok_and(|v| v >= 1.0) {
            return format!("{sign}{prefix}{scaled}{unit}");
        }
    }
    let small = significant(abs, 3);
    if small == "0" {
        format!("{prefix}0")
    } else {
        format!("{sign}{prefix}{small}")
    }
}
