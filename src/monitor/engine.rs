//! The monitor's day loop: every class book over every history, rows for the reported dates,
//! and the flow ladder from the state at one date.

use chrono::{Datelike, NaiveDate};

use super::classes::{CtaBook, LetfBook, SEED_RETURNS, VolTargetBook, month_end_trade};
use super::config::MonitorConfig;
use super::{LadderRow, MonitorError, Positioning};
use crate::history::{DailyHistory, TradingCalendar, parse_date};
use crate::record::PositioningRow;

/// What the monitor reads: index histories by symbol (the first is the default instrument, as
/// in a scenario), and optionally VIX closes and a bond total-return series.
#[derive(Clone, Debug, Default)]
pub struct MonitorInput {
    pub histories: Vec<(String, DailyHistory)>,
    pub vix: Option<DailyHistory>,
    pub bonds: Option<DailyHistory>,
}

/// Which dates to report: `None` is open-ended.
#[derive(Clone, Copy, Debug, Default)]
pub struct Window {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Window {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t)
    }
}

/// The books of one index, kept for the ladder.
#[derive(Clone, Debug)]
struct Snapshot {
    symbol: String,
    closes_upto: usize,
    vol_target: Option<VolTargetBook>,
    cta: CtaBook,
    letf: LetfBook,
}

/// Runs every class over every history. `progress` is told (days done, days in all).
pub fn run(
    input: &MonitorInput,
    cfg: &MonitorConfig,
    window: Window,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Positioning, MonitorError> {
    let Some((first, _)) = input.histories.first() else {
        return Err(MonitorError::Input(
            "no history given (--history SYMBOL=FILE)".into(),
        ));
    };
    let pick = |o: &Option<String>| o.clone().unwrap_or_else(|| first.clone());
    let symbols: Vec<String> = input.histories.iter().map(|(s, _)| s.clone()).collect();
    let vt_symbol = pick(&cfg.vol_target.instrument);
    let pension_symbol = pick(&cfg.pension.instrument);
    let lookback = cfg.percentile_lookback_days as usize;
    // The ladder is drawn at the configured date, or else at the last reported day.
    let ladder_date = match cfg.ladder.date.as_deref() {
        Some(d) => parse_date(d).ok(),
        None => input
            .histories
            .iter()
            .filter_map(|(_, h)| {
                let dates = h.dates.get(SEED_RETURNS + 1..).unwrap_or(&[]);
                dates.iter().rev().find(|d| window.contains(**d)).copied()
            })
            .max(),
    };
    let total: usize = input.histories.iter().map(|(_, h)| h.len()).sum();
    let mut done = 0;
    let mut out = Positioning::default();
    let mut snapshots = Vec::new();
    let mut reported_any = false;

    for (symbol, h) in &input.histories {
        if h.len() <= SEED_RETURNS + 1 {
            return Err(MonitorError::Input(format!(
                "{}: {} days is too short: the rules seed on {SEED_RETURNS} returns and need one more day",
                h.file,
                h.len()
            )));
        }
        let closes = &h.close;
        let seed_end = SEED_RETURNS; // index of the last close the seed covers
        let returns: Vec<f64> = closes.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
        let mut vt = (symbol == &vt_symbol).then(|| {
            let mut b = VolTargetBook::new(&cfg.vol_target, lookback);
            b.seed(&returns[..SEED_RETURNS]);
            b
        });
        let capital = cfg.cta_capital(symbol, &symbols);
        let mut cta = CtaBook::new(&cfg.cta, capital, lookback);
        cta.seed(&closes[..=seed_end]);
        let letf = LetfBook::new(
            cfg.letf
                .funds
                .iter()
                .filter(|f| &pick(&f.instrument) == symbol)
                .cloned()
                .collect(),
        );
        let pension = (symbol == &pension_symbol)
            .then_some(())
            .and(input.bonds.as_ref());
        let mut last_rebalance = seed_end;
        let lambdas = vt.as_ref().map(|b| b.lambdas()).unwrap_or_default();

        for t in seed_end + 1..closes.len() {
            let date = h.dates[t];
            let r = returns[t - 1];
            let vt_day = vt.as_mut().map(|b| b.step(r));
            let cta_day = cta.step(&closes[..=t]);
            let letf_flow = letf.step(r);
            // A balanced fund rebalances on the month's last trading day.
            let month_end = TradingCalendar::next_after(date).month() != date.month();
            let pension_flow = match pension {
                Some(bonds) if month_end => {
                    let prev = std::mem::replace(&mut last_rebalance, t);
                    bond_return(bonds, h.dates[prev], date).map(|rb| {
                        let re = closes[t] / closes[prev] - 1.0;
                        month_end_trade(cfg.pension.equity_weight, cfg.pension.aum_usd, re, rb)
                    })
                }
                _ => None,
            };
            done += 1;
            if done % 256 == 0 {
                progress(done, total);
            }
            if !window.contains(date) {
                if ladder_date == Some(date) {
                    return Err(MonitorError::Input(format!(
                        "ladder.date {date} is outside the reported dates"
                    )));
                }
                continue;
            }
            reported_any = true;
            let mut row = |class: &'static str, metric: String, value: f64| {
                out.rows.push(PositioningRow {
                    date,
                    symbol: symbol.clone(),
                    class,
                    metric,
                    value,
                });
            };
            row("market", "close".into(), closes[t]);
            row("market", "return".into(), r);
            if let Some(d) = &vt_day {
                row("vol_target", "sigma".into(), d.sigma);
                for (l, s) in lambdas.iter().zip(&d.sigmas) {
                    row("vol_target", format!("sigma_ewma_{l}"), *s);
                }
                row("vol_target", "exposure".into(), d.exposure);
                row("vol_target", "exposure_percentile".into(), d.percentile);
                row("vol_target", "target_exposure".into(), d.target);
                row(
                    "vol_target",
                    "position_usd".into(),
                    d.exposure * cfg.vol_target.aum_usd,
                );
                row("vol_target", "flow_usd".into(), d.flow_usd);
            }
            row("cta", "position_usd".into(), cta_day.position_usd);
            row("cta", "position_percentile".into(), cta_day.percentile);
            row("cta", "target_usd".into(), cta_day.target_usd);
            row("cta", "flow_usd".into(), cta_day.flow_usd);
            row("cta", "signal".into(), cta_day.signal);
            row("cta", "sigma".into(), cta_day.sigma);
            for (h, s, trig) in &cta_day.lookbacks {
                row("cta", format!("signal_{h}d"), *s);
                row("cta", format!("trigger_{h}d"), *trig);
            }
            if !letf.is_empty() {
                row("letf", "flow_usd".into(), letf_flow);
                row("letf", "dollar_gamma_usd".into(), letf.dollar_gamma());
            }
            if let Some(f) = pension_flow {
                row("pension", "flow_usd".into(), f);
            }
            if ladder_date == Some(date) {
                snapshots.push(Snapshot {
                    symbol: symbol.clone(),
                    closes_upto: t,
                    vol_target: vt.clone(),
                    cta: cta.clone(),
                    letf: letf.clone(),
                });
            }
        }
    }
    progress(total, total);
    if let (Some(vix), true) = (&input.vix, reported_any) {
        for (d, v) in vix.dates.iter().zip(&vix.close) {
            if window.contains(*d) {
                out.rows.push(PositioningRow {
                    date: *d,
                    symbol: "VIX".into(),
                    class: "market",
                    metric: "vix".into(),
                    value: *v,
                });
            }
        }
    }
    if out.rows.is_empty() {
        return Err(MonitorError::Input(
            "no day of the histories falls between --from and --to (after the 20-day seed)".into(),
        ));
    }
    if input.bonds.is_none() {
        out.notes.push(
            "Balanced funds are left out: their month-end rebalance needs a bond total-return series (--bonds FILE).".into(),
        );
    }
    out.notes.push(
        "Options dealers are left out: their hedging needs options positions (open interest by strike and expiry), which daily index closes do not give.".into(),
    );
    let Some(ladder_date) = ladder_date else {
        return Ok(out);
    };
    if snapshots.is_empty() {
        return Err(MonitorError::Input(format!(
            "ladder.date {ladder_date} is not a date of the histories"
        )));
    }
    out.ladder_date = Some(ladder_date);
    out.ladder = ladder(&snapshots, input, cfg);
    Ok(out)
}

/// The bond series' return between two dates (closes on or before each).
fn bond_return(b: &DailyHistory, from: NaiveDate, to: NaiveDate) -> Option<f64> {
    let i = b.index_on_or_before(from)?;
    let j = b.index_on_or_before(to)?;
    (j > i).then(|| b.close[j] / b.close[i] - 1.0)
}

/// Flows set off by each hypothetical next-day move: tomorrow with the move, then
/// `days_after` days with no move (vol-targeters act on a lagged estimate, CTAs on the
/// previous closes).
fn ladder(snapshots: &[Snapshot], input: &MonitorInput, cfg: &MonitorConfig) -> Vec<LadderRow> {
    let l = &cfg.ladder;
    let steps = ((l.to - l.from) / l.step + 1e-9).floor() as usize;
    let mut rows = Vec::new();
    for k in 0..=steps {
        let m = ((l.from + k as f64 * l.step) * 1e6).round() / 1e6;
        for s in snapshots {
            let Some((_, h)) = input.histories.iter().find(|(sym, _)| sym == &s.symbol) else {
                continue;
            };
            let mut closes = h.close[..=s.closes_upto].to_vec();
            let c = closes[closes.len() - 1] * (1.0 + m);
            let mut push = |class: &'static str, d1: f64, d2: f64| {
                rows.push(LadderRow {
                    move_pct: m,
                    symbol: s.symbol.clone(),
                    class,
                    tomorrow_usd: d1,
                    following_usd: d2,
                });
            };
            if let Some(vt) = &s.vol_target {
                let mut b = vt.clone();
                let d1 = b.step(m).flow_usd;
                let d2 = (0..l.days_after).map(|_| b.step(0.0).flow_usd).sum();
                push("vol_target", d1, d2);
            }
            let mut b = s.cta.clone();
            closes.push(c);
            let d1 = b.step(&closes).flow_usd;
            let mut d2 = 0.0;
            for _ in 0..l.days_after {
                closes.push(c);
                d2 += b.step(&closes).flow_usd;
            }
            push("cta", d1, d2);
            if !s.letf.is_empty() {
                push("letf", s.letf.step(m), 0.0);
            }
        }
    }
    rows
}
