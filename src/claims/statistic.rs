//! The statistics a claim is measured by: one number per run, computed from the run's tables
//! alone (flows, bars, agents' state), so the same number comes out of any copy of the folder.
//!
//! Each is a plain reading of a claim's words: "sold $25bn over two sessions" is the net
//! dollars a class sold on those days; "two-thirds in tech" is the share of that sale on the
//! tech index; "prone to reversal" is the share of the rally given back. A number that does
//! not exist in a run (a share of nothing, a regression on too few days) is `NaN` and is left
//! out of the seeds' median, and the table says how many seeds it rests on.

use serde::Deserialize;

use crate::agents::{AgentClass, Metric};
use crate::analysis::distribution::median;
use crate::analysis::momentum::{intraday_momentum, ols, window_bars};
use crate::analysis::path::{max_drawdown, max_rally, retracement};
use crate::record::{BarRow, RunRecords};

const NS_PER_MINUTE: u64 = 60_000_000_000;
/// Records' `time_ns` counts from the start of the run; the time of day is the remainder.
const NS_PER_DAY: u64 = 24 * 60 * NS_PER_MINUTE;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Statistic {
    /// Net dollars the classes traded on `days`, in $bn: `sold` counts net sales as positive,
    /// `bought` net purchases, `net` purchases less sales.
    Flow {
        classes: String,
        days: String,
        side: FlowSide,
        /// Instruments counted (default: all).
        #[serde(default)]
        instruments: Vec<String>,
        /// Bars ending in this window of the day (`"15:30-16:00"`); default: the whole day.
        #[serde(default)]
        window: Option<String>,
    },
    /// The share of a flow (as in `flow`) that falls on `instruments` or in `window`: the flow
    /// so restricted over the whole flow of the classes on those days.
    FlowShare {
        classes: String,
        days: String,
        side: FlowSide,
        #[serde(default)]
        instruments: Vec<String>,
        #[serde(default)]
        window: Option<String>,
    },
    /// The largest fall of bar closes on `days`, from the previous day's close on, in %.
    Drawdown { instrument: String, days: String },
    /// The largest rise of bar closes on `days`, from the previous day's close on, in %.
    Rally { instrument: String, days: String },
    /// The share of the largest rise on `days` given back by the last close of `days`
    /// (0 = none, 1 = all of it).
    Retracement { instrument: String, days: String },
    /// An agents' state metric at each close of `days`, combined across the class's agents
    /// (`median` or `sum`), then across the days (`first`, `last`, `min`, `max`, or `change`
    /// from the first to the last).
    State {
        classes: String,
        metric: String,
        days: String,
        agents: AcrossAgents,
        over: OverDays,
        #[serde(default)]
        instrument: Option<String>,
    },
    /// The return of `instrument` from the close of the day the classes sold most (net, all
    /// instruments) within `days` to the close `horizon` days later, in %.
    ReturnAfterPeakSelling {
        classes: String,
        days: String,
        instrument: String,
        horizon: u32,
    },
    /// The payoff, in % of spot, of an at-the-money call bought at the close of the day the
    /// classes sold most within `days` and held `horizon` days, less that of the same call
    /// bought `earlier` days before it (both valued at expiry as max(S_T/K − 1, 0), premia
    /// left out: what buying at the flow's peak rather than before it is worth to an option
    /// holder).
    CallPayoffAtPeak {
        classes: String,
        days: String,
        instrument: String,
        horizon: u32,
        earlier: u32,
    },
    /// The intraday-momentum slope of a run: the last half hour's return on the rest of the
    /// day's, over every day of `days`.
    Momentum { instrument: String, days: String },
    /// The next-morning reversal slope of a run: the return from each close to `minutes` into
    /// the next session on the return of the day's last `minutes`, over `days` (negative =
    /// the late move reverses).
    Reversal {
        instrument: String,
        days: String,
        minutes: u32,
    },
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FlowSide {
    Sold,
    Bought,
    Net,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AcrossAgents {
    Median,
    Sum,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OverDays {
    First,
    Last,
    Min,
    Max,
    Change,
}

/// Days `a-b` (inclusive) or `a`.
pub fn parse_days(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{text:?}: expected a day such as \"5\" or a range such as \"5-12\"");
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (text.trim(), text.trim()),
    };
    let a: u32 = a.parse().map_err(|_| bad())?;
    let b: u32 = b.parse().map_err(|_| bad())?;
    if a == 0 || b < a {
        return Err(format!(
            "{text:?}: days are 1-based and the range must not be empty"
        ));
    }
    Ok((a, b))
}

/// A window `HH:MM-HH:MM` of the day, as nanoseconds after midnight (start excluded, end
/// included, as a bar is named by its end).
pub fn parse_window(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("{text:?}: expected a window such as \"15:30-16:00\"");
    let hm = |s: &str| -> Option<u64> {
        let (h, m) = s.trim().split_once(':')?;
        let (h, m): (u64, u64) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some((h * 60 + m) * NS_PER_MINUTE)
    };
    let (a, b) = text.split_once('-').ok_or_else(bad)?;
    let (a, b) = (hm(a).ok_or_else(bad)?, hm(b).ok_or_else(bad)?);
    if b <= a {
        return Err(format!("{text:?}: the window ends before it starts"));
    }
    Ok((a, b))
}

impl Statistic {
    /// What is wrong with the statistic for a scenario trading `symbols` (field, problem).
    pub fn problems(&self, symbols: &[String]) -> Vec<(String, String)> {
        let mut p = Vec::new();
        let mut classes = |c: &str| {
            if let Err(e) = crate::scenario::ablate::parse_classes(c) {
                p.push(("classes".to_string(), e));
            }
        };
        match self {
            Statistic::Flow { classes: c, .. }
            | Statistic::FlowShare { classes: c, .. }
            | Statistic::State { classes: c, .. }
            | Statistic::ReturnAfterPeakSelling { classes: c, .. }
            | Statistic::CallPayoffAtPeak { classes: c, .. } => classes(c),
            _ => {}
        }
        let days = match self {
            Statistic::Flow { days, .. }
            | Statistic::FlowShare { days, .. }
            | Statistic::Drawdown { days, .. }
            | Statistic::Rally { days, .. }
            | Statistic::Retracement { days, .. }
            | Statistic::State { days, .. }
            | Statistic::ReturnAfterPeakSelling { days, .. }
            | Statistic::CallPayoffAtPeak { days, .. }
            | Statistic::Momentum { days, .. }
            | Statistic::Reversal { days, .. } => days,
        };
        if let Err(e) = parse_days(days) {
            p.push(("days".into(), e));
        }
        let mut known = |field: &str, s: &str| {
            if !symbols.iter().any(|x| x == s) {
                p.push((
                    field.to_string(),
                    format!(
                        "no instrument {s:?}: the scenario trades {}",
                        symbols.join(", ")
                    ),
                ));
            }
        };
        match self {
            Statistic::Flow { instruments, .. } | Statistic::FlowShare { instruments, .. } => {
                for s in instruments {
                    known("instruments", s);
                }
            }
            Statistic::Drawdown { instrument, .. }
            | Statistic::Rally { instrument, .. }
            | Statistic::Retracement { instrument, .. }
            | Statistic::ReturnAfterPeakSelling { instrument, .. }
            | Statistic::CallPayoffAtPeak { instrument, .. }
            | Statistic::Momentum { instrument, .. }
            | Statistic::Reversal { instrument, .. } => known("instrument", instrument),
            Statistic::State {
                instrument: Some(s),
                ..
            } => known("instrument", s),
            Statistic::State { .. } => {}
        }
        match self {
            Statistic::Flow {
                window: Some(w), ..
            }
            | Statistic::FlowShare {
                window: Some(w), ..
            } => {
                if let Err(e) = parse_window(w) {
                    p.push(("window".into(), e));
                }
            }
            Statistic::FlowShare {
                instruments,
                window: None,
                ..
            } if instruments.is_empty() => p.push((
                "instruments".into(),
                "a share needs its part: `instruments`, `window` or both".into(),
            )),
            Statistic::State { metric, .. } if Metric::parse(metric).is_none() => p.push((
                "metric".into(),
                format!(
                    "unknown metric {metric:?}: expected one of {}",
                    Metric::ALL.map(|m| m.as_str()).join(", ")
                ),
            )),
            Statistic::ReturnAfterPeakSelling { horizon: 0, .. }
            | Statistic::CallPayoffAtPeak { horizon: 0, .. } => {
                p.push(("horizon".into(), "must be at least 1 day".into()))
            }
            Statistic::CallPayoffAtPeak { earlier: 0, .. } => {
                p.push(("earlier".into(), "must be at least 1 day".into()))
            }
            Statistic::Reversal { minutes, .. } if !(1..=390).contains(minutes) => {
                p.push(("minutes".into(), "must be 1–390".into()))
            }
            _ => {}
        }
        p
    }

    /// The statistic's unit, for the table.
    pub fn unit(&self) -> &'static str {
        match self {
            Statistic::Flow { .. } => "$bn",
            Statistic::FlowShare { .. } | Statistic::Retracement { .. } => "share",
            Statistic::Drawdown { .. }
            | Statistic::Rally { .. }
            | Statistic::ReturnAfterPeakSelling { .. }
            | Statistic::CallPayoffAtPeak { .. } => "%",
            Statistic::State { metric, .. } => match metric.as_str() {
                "exposure_percentile" => "percentile",
                m if in_dollars(m) => "$bn",
                _ => "",
            },
            Statistic::Momentum { .. } | Statistic::Reversal { .. } => "slope",
        }
    }

    /// One line saying what is measured, for the table.
    pub fn describe(&self) -> String {
        // "days 5–12" and "09:30–15:30", as the documents write ranges; other hyphens stay.
        let plain: Vec<char> = self.describe_plain().chars().collect();
        let digit = |k: Option<&char>| k.is_some_and(char::is_ascii_digit);
        (0..plain.len())
            .map(|k| {
                let range =
                    plain[k] == '-' && k > 0 && digit(plain.get(k - 1)) && digit(plain.get(k + 1));
                if range { '–' } else { plain[k] }
            })
            .collect()
    }

    fn describe_plain(&self) -> String {
        let instruments = |v: &[String]| {
            if v.is_empty() {
                String::new()
            } else {
                format!(" on {}", v.join(", "))
            }
        };
        let window = |w: &Option<String>| w.as_ref().map_or(String::new(), |w| format!(" in {w}"));
        match self {
            Statistic::Flow {
                classes,
                days,
                side,
                instruments: i,
                window: w,
            } => format!(
                "{classes}: net {}{}{}, days {days}",
                side_word(*side),
                instruments(i),
                window(w)
            ),
            Statistic::FlowShare {
                classes,
                days,
                side,
                instruments: i,
                window: w,
            } => format!(
                "{classes}: share of the net {}{}{} in all of it, days {days}",
                side_word(*side),
                instruments(i),
                window(w)
            ),
            Statistic::Drawdown { instrument, days } => {
                format!("{instrument}: largest fall of bar closes, days {days}")
            }
            Statistic::Rally { instrument, days } => {
                format!("{instrument}: largest rise of bar closes, days {days}")
            }
            Statistic::Retracement { instrument, days } => format!(
                "{instrument}: share of the largest rise given back by the last close, days {days}"
            ),
            Statistic::State {
                classes,
                metric,
                days,
                agents,
                over,
                instrument,
            } => format!(
                "{classes}: {metric}{} ({} across funds), {} over the closes of days {days}",
                instrument
                    .as_ref()
                    .map_or(String::new(), |i| format!(" on {i}")),
                match agents {
                    AcrossAgents::Median => "median",
                    AcrossAgents::Sum => "sum",
                },
                match over {
                    OverDays::First => "first",
                    OverDays::Last => "last",
                    OverDays::Min => "lowest",
                    OverDays::Max => "highest",
                    OverDays::Change => "change from first to last",
                }
            ),
            Statistic::ReturnAfterPeakSelling {
                classes,
                days,
                instrument,
                horizon,
            } => format!(
                "{instrument}: return over {horizon} days from the close of {classes}' largest net sale, days {days}"
            ),
            Statistic::CallPayoffAtPeak {
                classes,
                days,
                instrument,
                horizon,
                earlier,
            } => format!(
                "{instrument}: {horizon}-day at-the-money call payoff bought at {classes}' largest net sale (days {days}) less one bought {earlier} days earlier"
            ),
            Statistic::Momentum { instrument, days } => format!(
                "{instrument}: slope of the last half hour's return on the rest of the day's, days {days}"
            ),
            Statistic::Reversal {
                instrument,
                days,
                minutes,
            } => format!(
                "{instrument}: slope of the return from the close to {minutes} minutes into the next session on the last {minutes} minutes' return, days {days}"
            ),
        }
    }

    /// The statistic in one run (`NaN` where the run does not define it).
    pub fn value(&self, r: &RunRecords) -> f64 {
        let sym = |s: &str| r.symbols.iter().position(|x| x == s).map(|i| i as u16);
        match self {
            Statistic::Flow {
                classes,
                days,
                side,
                instruments,
                window,
            } => flow(r, classes, days, *side, instruments, window.as_deref()) / 1e9,
            Statistic::FlowShare {
                classes,
                days,
                side,
                instruments,
                window,
            } => {
                let part = flow(r, classes, days, *side, instruments, window.as_deref());
                let all = flow(r, classes, days, *side, &[], None);
                if all == 0.0 { f64::NAN } else { part / all }
            }
            Statistic::Drawdown { instrument, days } => sym(instrument).map_or(f64::NAN, |i| {
                100.0 * max_drawdown(&closes(&r.bars, i, days)).depth
            }),
            Statistic::Rally { instrument, days } => sym(instrument).map_or(f64::NAN, |i| {
                100.0 * max_rally(&closes(&r.bars, i, days)).depth
            }),
            Statistic::Retracement { instrument, days } => sym(instrument).map_or(f64::NAN, |i| {
                let p = closes(&r.bars, i, days);
                let up = max_rally(&p);
                match (p.last(), up.depth > 0.0) {
                    (Some(&last), true) => retracement(p[up.trough_index], p[up.peak_index], last),
                    _ => f64::NAN,
                }
            }),
            Statistic::State {
                classes,
                metric,
                days,
                agents,
                over,
                instrument,
            } => {
                let v = state(
                    r,
                    classes,
                    metric,
                    days,
                    *agents,
                    *over,
                    instrument.as_deref().and_then(sym),
                );
                if in_dollars(metric) { v / 1e9 } else { v }
            }
            Statistic::ReturnAfterPeakSelling {
                classes,
                days,
                instrument,
                horizon,
            } => sym(instrument).map_or(f64::NAN, |i| {
                let closes = day_closes(&r.bars, i);
                let Some(peak) = peak_selling_day(r, classes, days) else {
                    return f64::NAN;
                };
                match (close_of(&closes, peak), close_of(&closes, peak + horizon)) {
                    (Some(a), Some(b)) => 100.0 * (b / a - 1.0),
                    _ => f64::NAN,
                }
            }),
            Statistic::CallPayoffAtPeak {
                classes,
                days,
                instrument,
                horizon,
                earlier,
            } => sym(instrument).map_or(f64::NAN, |i| {
                let closes = day_closes(&r.bars, i);
                let Some(peak) = peak_selling_day(r, classes, days) else {
                    return f64::NAN;
                };
                let payoff = |buy: u32| -> Option<f64> {
                    let k = close_of(&closes, buy)?;
                    let s = close_of(&closes, buy + horizon)?;
                    Some(100.0 * (s / k - 1.0).max(0.0))
                };
                match (peak.checked_sub(*earlier).filter(|&d| d >= 1), payoff(peak)) {
                    (Some(before), Some(at)) => payoff(before).map_or(f64::NAN, |b| at - b),
                    _ => f64::NAN,
                }
            }),
            Statistic::Momentum { instrument, days } => sym(instrument).map_or(f64::NAN, |i| {
                let (a, b) = parse_days(days).unwrap_or((1, 0));
                let bars: Vec<BarRow> = r
                    .bars
                    .iter()
                    .filter(|x| x.instrument == i && x.day >= a && x.day <= b)
                    .copied()
                    .collect();
                let bar_s = bar_seconds(&bars);
                let m = intraday_momentum(&bars, i, window_bars(bar_s));
                if m.fit.n < 3 { f64::NAN } else { m.fit.slope }
            }),
            Statistic::Reversal {
                instrument,
                days,
                minutes,
            } => sym(instrument).map_or(f64::NAN, |i| reversal(&r.bars, i, days, *minutes)),
        }
    }
}

/// State metrics recorded in dollars, which the table gives in $bn as it gives flows.
fn in_dollars(metric: &str) -> bool {
    metric.ends_with("_usd") || matches!(metric, "dollar_gamma_per_pct" | "nav")
}

fn side_word(side: FlowSide) -> &'static str {
    match side {
        FlowSide::Sold => "sold",
        FlowSide::Bought => "bought",
        FlowSide::Net => "bought less sold",
    }
}

/// Net dollars of `classes` (signed by `side`) on `days`, on `instruments` (all if empty), in
/// the bars ending in `window`.
fn flow(
    r: &RunRecords,
    classes: &str,
    days: &str,
    side: FlowSide,
    instruments: &[String],
    window: Option<&str>,
) -> f64 {
    let classes: Vec<AgentClass> =
        crate::scenario::ablate::parse_classes(classes).unwrap_or_default();
    let (a, b) = parse_days(days).unwrap_or((1, 0));
    let window = window.and_then(|w| parse_window(w).ok());
    let wanted: Vec<u16> = instruments
        .iter()
        .filter_map(|s| r.symbols.iter().position(|x| x == s).map(|i| i as u16))
        .collect();
    let net: f64 = r
        .flows
        .iter()
        .filter(|f| f.day >= a && f.day <= b && classes.contains(&f.class))
        .filter(|f| wanted.is_empty() || wanted.contains(&f.instrument))
        .filter(|f| {
            window.is_none_or(|(from, to)| {
                let t = f.time_ns % NS_PER_DAY;
                t > from && t <= to
            })
        })
        .map(|f| f.net_usd)
        .sum();
    match side {
        FlowSide::Sold => -net,
        FlowSide::Bought | FlowSide::Net => net,
    }
}

/// The day within `days` on which `classes` sold most (net, every instrument), if they sold.
fn peak_selling_day(r: &RunRecords, classes: &str, days: &str) -> Option<u32> {
    let (a, b) = parse_days(days).ok()?;
    (a..=b)
        .map(|d| {
            (
                d,
                flow(r, classes, &d.to_string(), FlowSide::Sold, &[], None),
            )
        })
        .filter(|&(_, sold)| sold > 0.0)
        // The first of equal days.
        .fold(None, |best: Option<(u32, f64)>, (d, sold)| match best {
            Some((_, b)) if b >= sold => best,
            _ => Some((d, sold)),
        })
        .map(|(d, _)| d)
}

/// Bar closes of `days`, after the close of the day before them when there is one.
fn closes(bars: &[BarRow], instrument: u16, days: &str) -> Vec<f64> {
    let (a, b) = parse_days(days).unwrap_or((1, 0));
    let mut out: Vec<f64> = bars
        .iter()
        .rev()
        .find(|x| x.instrument == instrument && x.day + 1 == a)
        .map(|x| vec![x.close])
        .unwrap_or_default();
    out.extend(
        bars.iter()
            .filter(|x| x.instrument == instrument && x.day >= a && x.day <= b)
            .map(|x| x.close),
    );
    out
}

/// (day, close of its last bar), in day order.
fn day_closes(bars: &[BarRow], instrument: u16) -> Vec<(u32, f64)> {
    let mut out: Vec<(u32, f64)> = Vec::new();
    for b in bars.iter().filter(|b| b.instrument == instrument) {
        match out.last_mut() {
            Some(last) if last.0 == b.day => last.1 = b.close,
            _ => out.push((b.day, b.close)),
        }
    }
    out
}

fn close_of(closes: &[(u32, f64)], day: u32) -> Option<f64> {
    closes.iter().find(|c| c.0 == day).map(|c| c.1)
}

fn bar_seconds(bars: &[BarRow]) -> u32 {
    bars.windows(2)
        .find(|w| w[0].day == w[1].day)
        .map_or(60, |w| {
            ((w[1].time_ns - w[0].time_ns) / 1_000_000_000) as u32
        })
}

/// Slope of the next morning's return (the close to the bar `minutes` after the next day's
/// first) on the return of the day's last `minutes`, over the days of `days` that have a next
/// day. The next morning, not the opening auction's price: the simulated book carries over
/// the night, so the auction opens at the close and a reversal shows only once trading
/// resumes.
fn reversal(bars: &[BarRow], instrument: u16, days: &str, minutes: u32) -> f64 {
    let (a, b) = parse_days(days).unwrap_or((1, 0));
    let span = u64::from(minutes) * NS_PER_MINUTE;
    let mine: Vec<&BarRow> = bars.iter().filter(|x| x.instrument == instrument).collect();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for d in a..=b {
        let today: Vec<&BarRow> = mine.iter().copied().filter(|x| x.day == d).collect();
        let tomorrow: Vec<&BarRow> = mine.iter().copied().filter(|x| x.day == d + 1).collect();
        let (Some(last), Some(first)) = (today.last(), tomorrow.first()) else {
            continue;
        };
        // The close of the bar that ends where the window starts.
        let from = last.time_ns.saturating_sub(span);
        let Some(start) = today
            .iter()
            .rev()
            .find(|x| x.time_ns <= from)
            .map(|x| x.close)
        else {
            continue;
        };
        // The session opened one bar before the first bar's end.
        let bar = tomorrow
            .get(1)
            .map_or(NS_PER_MINUTE, |second| second.time_ns - first.time_ns);
        let until = first.time_ns - bar + span;
        let Some(next) = tomorrow
            .iter()
            .rev()
            .find(|x| x.time_ns <= until)
            .map(|x| x.close)
        else {
            continue;
        };
        if start > 0.0 && last.close > 0.0 && next > 0.0 {
            x.push((last.close / start).ln());
            y.push((next / last.close).ln());
        }
    }
    let fit = ols(&x, &y);
    if fit.n < 3 { f64::NAN } else { fit.slope }
}

fn state(
    r: &RunRecords,
    classes: &str,
    metric: &str,
    days: &str,
    agents: AcrossAgents,
    over: OverDays,
    instrument: Option<u16>,
) -> f64 {
    let classes: Vec<AgentClass> =
        crate::scenario::ablate::parse_classes(classes).unwrap_or_default();
    let Some(metric) = Metric::parse(metric) else {
        return f64::NAN;
    };
    let (a, b) = parse_days(days).unwrap_or((1, 0));
    let mut per_day = Vec::new();
    for d in a..=b {
        // Each agent's last value of the day (state is reported at the close).
        let mut last: Vec<(u64, f64)> = Vec::new();
        for s in r.state.iter().filter(|s| {
            s.day == d
                && s.metric == metric
                && s.at.is_none()
                && classes.contains(&s.class)
                && instrument.is_none_or(|i| s.instrument == i)
        }) {
            match last.iter_mut().find(|(a, _)| *a == s.agent) {
                Some(v) => v.1 = s.value,
                None => last.push((s.agent, s.value)),
            }
        }
        let values: Vec<f64> = last.into_iter().map(|(_, v)| v).collect();
        if values.is_empty() {
            continue;
        }
        per_day.push(match agents {
            AcrossAgents::Median => median(&values),
            AcrossAgents::Sum => values.iter().sum(),
        });
    }
    let (Some(&first), Some(&last)) = (per_day.first(), per_day.last()) else {
        return f64::NAN;
    };
    match over {
        OverDays::First => first,
        OverDays::Last => last,
        OverDays::Min => per_day.iter().copied().fold(f64::INFINITY, f64::min),
        OverDays::Max => per_day.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        OverDays::Change => last - first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::Motive;
    use crate::record::{FlowRow, StateRow};

    const DAY: u64 = NS_PER_DAY;
    const MIN: u64 = NS_PER_MINUTE;

    fn flow(day: u32, minute: u64, instrument: u16, class: AgentClass, net: f64) -> FlowRow {
        FlowRow {
            day,
            bar: 1,
            time_ns: u64::from(day - 1) * DAY + minute * MIN,
            instrument,
            class,
            motive: Motive::Rebalance,
            buy_units: 0,
            sell_units: 0,
            net_units: 0,
            buy_usd: net.max(0.0),
            sell_usd: (-net).max(0.0),
            net_usd: net,
        }
    }

    /// A run of two instruments whose vol-targeters sell $10bn on SPX at 15:45 and $20bn on
    /// NDX at 12:00 each day of days 1-3, and buy $5bn on day 4; LETFs sell $1bn on day 2.
    fn run() -> RunRecords {
        let mut r = RunRecords {
            symbols: vec!["SPX".into(), "NDX".into()],
            ..RunRecords::default()
        };
        for d in 1..=3 {
            r.flows.push(flow(d, 945, 0, AgentClass::VolTarget, -10e9));
            r.flows.push(flow(d, 720, 1, AgentClass::VolTarget, -20e9));
        }
        r.flows.push(flow(4, 945, 0, AgentClass::VolTarget, 5e9));
        r.flows.push(flow(2, 955, 0, AgentClass::Letf, -1e9));
        // Closes: 100, 110, 88 (day 2 falls 20% from 110), 99 by day 4.
        for (d, closes) in [
            (1, [100.0, 110.0]),
            (2, [99.0, 88.0]),
            (3, [90.0, 95.0]),
            (4, [97.0, 99.0]),
        ] {
            for (k, c) in closes.into_iter().enumerate() {
                let mut b = BarRow::test(d, k as u32 + 1, c, c);
                b.time_ns = u64::from(d - 1) * DAY + (571 + 195 * k as u64) * MIN;
                r.bars.push(b);
            }
        }
        // Three funds' percentiles on days 1-3.
        for (d, p) in [
            (1, [20.0, 22.0, 30.0]),
            (2, [10.0, 18.0, 25.0]),
            (3, [12.0, 19.0, 40.0]),
        ] {
            for (agent, v) in p.into_iter().enumerate() {
                r.state.push(StateRow {
                    day: d,
                    time_ns: u64::from(d) * DAY - 8 * 60 * MIN,
                    agent: agent as u64,
                    class: AgentClass::VolTarget,
                    instrument: 0,
                    metric: Metric::ExposurePercentile,
                    at: None,
                    value: v,
                });
            }
        }
        r
    }

    fn stat(text: &str) -> Statistic {
        toml::from_str::<toml::Table>(&format!("s = {text}"))
            .and_then(|t| t["s"].clone().try_into())
            .expect("a statistic")
    }

    #[test]
    fn flows_by_class_day_instrument_and_window() {
        let r = run();
        let v = |t: &str| stat(t).value(&r);
        let s = r#"{ kind = "flow", classes = "vol_target", days = "1-2", side = "sold" }"#;
        assert_eq!(v(s), 60.0);
        let s = r#"{ kind = "flow", classes = "vol_target", days = "1-4", side = "net" }"#;
        assert_eq!(v(s), -85.0);
        let s = r#"{ kind = "flow", classes = "vol_target", days = "4", side = "bought" }"#;
        assert_eq!(v(s), 5.0);
        let s = r#"{ kind = "flow", classes = "vol_target,letf", days = "2", side = "sold", instruments = ["SPX"] }"#;
        assert_eq!(v(s), 11.0);
        // The window counts bars by their time of day, whatever the day.
        let s = r#"{ kind = "flow", classes = "mechanical", days = "1-3", side = "sold", window = "15:30-16:00" }"#;
        assert_eq!(v(s), 31.0);
        let s = r#"{ kind = "flow_share", classes = "vol_target", days = "1-3", side = "sold", instruments = ["NDX"] }"#;
        assert!((v(s) - 2.0 / 3.0).abs() < 1e-12);
        let s = r#"{ kind = "flow_share", classes = "cta", days = "1-3", side = "sold", instruments = ["NDX"] }"#;
        assert!(v(s).is_nan(), "a share of nothing");
    }

    #[test]
    fn path_statistics_start_from_the_previous_close() {
        let r = run();
        let v = |t: &str| stat(t).value(&r);
        // Day 2 alone: from day 1's close of 110 down to 88.
        let s = r#"{ kind = "drawdown", instrument = "SPX", days = "2" }"#;
        assert!((v(s) - 20.0).abs() < 1e-9);
        let s = r#"{ kind = "rally", instrument = "SPX", days = "3-4" }"#;
        assert!((v(s) - (99.0 / 88.0 - 1.0) * 100.0).abs() < 1e-9);
        // Days 1-2: up 100 → 110 then all of it and more given back (to 88).
        let s = r#"{ kind = "retracement", instrument = "SPX", days = "1-2" }"#;
        assert!((v(s) - 2.2).abs() < 1e-9);
        // The largest sale (all instruments) is on day 1 (the first of three equal days);
        // from its close (110) to day 3's (95).
        let s = r#"{ kind = "return_after_peak_selling", classes = "vol_target", days = "1-3", instrument = "SPX", horizon = 2 }"#;
        assert!((v(s) - (95.0 / 110.0 - 1.0) * 100.0).abs() < 1e-9);
    }

    #[test]
    fn state_across_funds_then_days() {
        let r = run();
        let v = |over: &str, agents: &str| {
            stat(&format!(
                r#"{{ kind = "state", classes = "vol_target", metric = "exposure_percentile", days = "1-3", agents = "{agents}", over = "{over}" }}"#
            ))
            .value(&r)
        };
        assert_eq!(v("first", "median"), 22.0);
        assert_eq!(v("min", "median"), 18.0);
        assert_eq!(v("last", "median"), 19.0);
        assert_eq!(v("change", "median"), -3.0);
        assert_eq!(v("max", "sum"), 72.0);
    }

    #[test]
    fn problems_name_the_field() {
        let syms = vec!["SPX".to_string()];
        let p = stat(r#"{ kind = "flow", classes = "vol_targets", days = "5-3", side = "sold", instruments = ["NDX"], window = "16:00-15:00" }"#)
            .problems(&syms);
        let fields: Vec<&str> = p.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["classes", "days", "instruments", "window"],
            "{p:?}"
        );
        let p = stat(r#"{ kind = "state", classes = "vol_target", metric = "leverage", days = "1", agents = "median", over = "min" }"#)
            .problems(&syms);
        assert!(p[0].1.contains("exposure_percentile"), "{p:?}");
    }

    #[test]
    fn days_and_windows_parse_or_say_why_not() {
        assert_eq!(parse_days("5-12"), Ok((5, 12)));
        assert_eq!(parse_days("7"), Ok((7, 7)));
        assert!(parse_days("0-3").is_err());
        assert!(parse_days("9-3").is_err());
        assert!(parse_days("five").unwrap_err().contains("\"five\""));
        assert_eq!(
            parse_window("15:30-16:00"),
            Ok((930 * NS_PER_MINUTE, 960 * NS_PER_MINUTE))
        );
        assert!(parse_window("16:00-15:30").is_err());
        assert!(parse_window("25:00-26:00").is_err());
    }
}
