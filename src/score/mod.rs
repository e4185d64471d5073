//! `flowsim score`: the monitor run over each published estimate's window, its figure put in
//! the estimate's units (rescaled to the assets the source assumed), and a verdict: pass
//! within the entry's tolerance factor, fail outside it, or "needs data" when the histories
//! given do not cover the window (with a year before it to warm the rules up) or the figure
//! needs an input no daily history gives.

mod catalogue;

use chrono::NaiveDate;

pub use catalogue::{Catalogue, Estimate, Projection, Quantity, SizeFigure, Trend};

use crate::history::{DailyHistory, TradingCalendar, parse_date};
use crate::monitor::{self, MonitorConfig, MonitorError, MonitorInput, Positioning, Window};

/// Trading days of history needed before an estimate's window: the 12-month CTA lookback and
/// the estimators' 20-day seed.
pub const WARM_UP_DAYS: usize = 272;

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Pass,
    Fail,
    NeedsData(String),
}

/// One scored estimate.
#[derive(Clone, Debug)]
pub struct Scored {
    pub id: String,
    pub quantity: Quantity,
    pub published: f64,
    pub flowsim: Option<f64>,
    pub verdict: Verdict,
    pub calibration: bool,
}

impl Scored {
    pub fn ratio(&self) -> Option<f64> {
        self.flowsim.map(|f| f / self.published)
    }
}

/// Counts of (passed, failed, needing data).
pub fn tally(scored: &[Scored]) -> (usize, usize, usize) {
    let count = |f: fn(&Verdict) -> bool| scored.iter().filter(|s| f(&s.verdict)).count();
    (
        count(|v| *v == Verdict::Pass),
        count(|v| *v == Verdict::Fail),
        count(|v| matches!(v, Verdict::NeedsData(_))),
    )
}

/// Scores every estimate of `cat` on `input` with the class tables of `base`.
pub fn score(
    cat: &Catalogue,
    input: &MonitorInput,
    base: &MonitorConfig,
) -> Result<Vec<Scored>, MonitorError> {
    cat.estimate
        .iter()
        .map(|e| {
            let (flowsim, verdict) = match measure(e, input, base)? {
                Ok(v) => {
                    let ratio = v / e.published;
                    let pass = ratio > 0.0 && ratio >= 1.0 / e.tolerance && ratio <= e.tolerance;
                    (Some(v), if pass { Verdict::Pass } else { Verdict::Fail })
                }
                Err(need) => (None, Verdict::NeedsData(need)),
            };
            Ok(Scored {
                id: e.id.clone(),
                quantity: e.quantity,
                published: e.published,
                flowsim,
                verdict,
                calibration: e.calibration,
            })
        })
        .collect()
}

/// flowsim's figure for `e`, or what is missing to compute it.
fn measure(
    e: &Estimate,
    input: &MonitorInput,
    base: &MonitorConfig,
) -> Result<Result<f64, String>, MonitorError> {
    if let Some(n) = &e.needs {
        return Ok(Err(n.clone()));
    }
    let (Some(from), Some(to)) = (
        e.from.as_deref().and_then(|d| parse_date(d).ok()),
        e.to.as_deref().and_then(|d| parse_date(d).ok()),
    ) else {
        return Ok(Err("a date: the source gives none".into()));
    };
    let used: Vec<&(String, DailyHistory)> = input
        .histories
        .iter()
        .filter(|(s, _)| e.index == "all" || s == &e.index)
        .collect();
    if used.is_empty() {
        return Ok(Err(format!(
            "a history of {} (--history {}=FILE)",
            e.index, e.index
        )));
    }
    for (sym, h) in &used {
        let before = h.dates.partition_point(|&d| d < from);
        let covers_end = h.dates.last().is_some_and(|&l| l >= to);
        if before < WARM_UP_DAYS || !covers_end {
            return Ok(Err(format!(
                "{sym} history covering {from} to {to} and {WARM_UP_DAYS} trading days before (given {} to {})",
                h.dates[0],
                h.dates[h.len() - 1]
            )));
        }
    }
    if e.class == "pension" && input.bonds.is_none() {
        return Ok(Err("a bond total-return series (--bonds FILE)".into()));
    }
    let cfg = entry_config(e, base, &used)?;
    // Each history up to the window's end, then the projection's hypothetical days.
    let histories: Vec<(String, DailyHistory)> = used
        .iter()
        .map(|(s, h)| (s.clone(), extend(&h.until(to), e.projection.as_ref(), to)))
        .collect();
    let run_input = MonitorInput {
        histories,
        vix: None,
        bonds: input.bonds.clone(),
    };
    let p = monitor::run(&run_input, &cfg, Window::default(), &mut |_, _| {})?;
    let (lo, hi) = match &e.projection {
        Some(_) => (to.succ_opt().unwrap_or(to), NaiveDate::MAX),
        None => (from, to),
    };
    let end = p
        .rows
        .iter()
        .map(|r| r.date)
        .filter(|&d| d <= hi)
        .max()
        .unwrap_or(to);
    let classes: &[&str] = match e.class.as_str() {
        "systematic" => &["vol_target", "cta"],
        "vol_target" => &["vol_target"],
        "cta" => &["cta"],
        "letf" => &["letf"],
        _ => &["pension"],
    };
    let sum = |metric: &str, a: NaiveDate, b: NaiveDate| -> f64 {
        p.rows
            .iter()
            .filter(|r| {
                r.date >= a
                    && r.date <= b
                    && classes.contains(&r.class)
                    && r.metric == metric
                    && (e.index == "all" || r.symbol == e.index)
            })
            .map(|r| r.value)
            .sum()
    };
    let assets = class_assets(&e.class, &cfg, &used);
    let scale = e.assets_usd.map_or(1.0, |a| a / assets);
    let single = |metric: &str| -> Result<f64, String> {
        let sym = used[0].0.as_str();
        p.value(end, sym, classes[0], metric)
            .ok_or_else(|| format!("{metric} of {} on {end}", classes[0]))
    };
    let v = match e.quantity {
        Quantity::FlowUsd => sum("flow_usd", lo, hi) * scale,
        Quantity::FlowPctAssets => sum("flow_usd", lo, hi) / assets,
        Quantity::PositionUsd => sum("position_usd", end, end) * scale,
        Quantity::Exposure => match single("exposure") {
            Ok(v) => v,
            Err(m) => return Ok(Err(m)),
        },
        Quantity::ExposurePercentile => match single("exposure_percentile") {
            Ok(v) => v,
            Err(m) => return Ok(Err(m)),
        },
        Quantity::PositionPercentile => match single("position_percentile") {
            Ok(v) => v,
            Err(m) => return Ok(Err(m)),
        },
        Quantity::ExposureChangePercentile => match change_percentile(&p, &used[0].0, from, end) {
            Some(v) => v,
            None => return Ok(Err("ten years of exposure history before the window".into())),
        },
        Quantity::FlowPer1pctUsd => sum("dollar_gamma_usd", end, end) / 100.0 * scale,
    };
    Ok(Ok(v))
}

/// The base configuration with the entry's keys set in its class's table; the vol-target
/// funds trade the entry's index.
fn entry_config(
    e: &Estimate,
    base: &MonitorConfig,
    used: &[&(String, DailyHistory)],
) -> Result<MonitorConfig, MonitorError> {
    let mut cfg = base.clone();
    if e.index != "all" {
        cfg.vol_target.instrument = Some(e.index.clone());
        cfg.pension.instrument = Some(e.index.clone());
    }
    cfg.ladder.date = None;
    if e.config.is_empty() {
        return Ok(cfg);
    }
    let bad = |m: String| MonitorError::Input(format!("estimate {:?}: config: {m}", e.id));
    let mut value = toml::Value::try_from(&cfg).map_err(|x| bad(x.to_string()))?;
    let table = value
        .get_mut(e.class.as_str())
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| bad(format!("no [{}] table", e.class)))?;
    for (k, v) in &e.config {
        table.insert(k.clone(), v.clone());
    }
    let cfg: MonitorConfig = value
        .try_into()
        .map_err(|x: toml::de::Error| bad(x.message().to_string()))?;
    let symbols: Vec<String> = used.iter().map(|(s, _)| s.clone()).collect();
    if let Some((field, m)) = cfg.problems(&symbols).into_iter().next() {
        return Err(bad(format!("{field}: {m}")));
    }
    Ok(cfg)
}

/// The class's assets in the monitor: what its dollar figures are per.
fn class_assets(class: &str, cfg: &MonitorConfig, used: &[&(String, DailyHistory)]) -> f64 {
    let symbols: Vec<String> = used.iter().map(|(s, _)| s.clone()).collect();
    let cta: f64 = symbols.iter().map(|s| cfg.cta_capital(s, &symbols)).sum();
    match class {
        "vol_target" => cfg.vol_target.aum_usd,
        "cta" => cta,
        "letf" => cfg.letf.funds.iter().map(|f| f.aum_usd).sum(),
        "systematic" => cfg.vol_target.aum_usd + cta,
        _ => cfg.pension.aum_usd,
    }
}

/// `h` with the projection's days appended after `to`.
fn extend(h: &DailyHistory, pr: Option<&Projection>, to: NaiveDate) -> DailyHistory {
    let Some(pr) = pr else {
        return h.clone();
    };
    let mut out = h.clone();
    out.open = None;
    out.high = None;
    out.low = None;
    out.volume = None;
    let mut c = out.close[out.close.len() - 1];
    for (k, d) in TradingCalendar::days_after(to, pr.days as usize)
        .into_iter()
        .enumerate()
    {
        let r = match pr.trend {
            Trend::Alternating if k % 2 == 0 => -pr.daily_abs_return,
            Trend::Alternating | Trend::Up => pr.daily_abs_return,
            Trend::Down => -pr.daily_abs_return,
        };
        c *= 1.0 + r;
        out.dates.push(d);
        out.close.push(c);
    }
    out
}

/// Percentile rank of the exposure change from `from` to `to` among all changes of the same
/// number of days over the ten years before `from`.
fn change_percentile(p: &Positioning, sym: &str, from: NaiveDate, to: NaiveDate) -> Option<f64> {
    let e = p.series(sym, "vol_target", "exposure");
    let i = e.iter().position(|&(d, _)| d >= from)?;
    let j = e.iter().rposition(|&(d, _)| d <= to)?;
    let n = j.checked_sub(i)?;
    let start = i.checked_sub(2520)?;
    let change = e[j].1 - e[i].1;
    let past: Vec<f64> = (start..i.saturating_sub(n))
        .map(|k| e[k + n].1 - e[k].1)
        .collect();
    if past.is_empty() {
        return None;
    }
    Some(100.0 * past.iter().filter(|&&c| c <= change).count() as f64 / past.len() as f64)
}
