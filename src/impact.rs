//! `flowsim impact`: metaorders against their counterfactual. Each programme size is injected
//! as a `[[flows]]` entry into the scenario and run on the same seeds as the scenario without
//! it (every other agent keeps its random stream), so the log-price difference is the
//! programme's impact: at the end of its window (the peak), at that day's close and at the
//! next. `analysis::impact` fits the square-root law to the sizes and measures the decay.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use thiserror::Error;

use crate::agents::AgentClass;
use crate::analysis::impact::{ImpactFit, ImpactPath, ImpactPoint, PathBar, fit, mean_path};
use crate::bench::{BenchError, edit};
use crate::book::Side;
use crate::market::SimError;
use crate::market::time::parse_hhmm;
use crate::record::MemorySink;
use crate::scenario::LoadedScenario;
use crate::scenario::build::{self, BuildError};

#[derive(Debug, Error)]
pub enum ImpactError {
    #[error("{0}")]
    Spec(String),
    #[error(transparent)]
    Edit(#[from] BenchError),
    #[error("building {file}")]
    Build {
        file: String,
        #[source]
        source: BuildError,
    },
    #[error("running {file} (seed {seed})")]
    Sim {
        file: String,
        seed: u64,
        #[source]
        source: SimError,
    },
}

/// What to measure.
#[derive(Clone, Debug)]
pub struct ImpactSpec {
    /// Programme sizes in dollars.
    pub sizes: Vec<f64>,
    pub seeds: Vec<u64>,
    /// The programme's day (runs end the day after).
    pub day: u32,
    /// The programme's window, "HH:MM" each.
    pub start: String,
    pub end: String,
    pub side: Side,
    /// Instrument symbol (default: the first).
    pub instrument: Option<String>,
    pub threads: usize,
}

/// Per run: the bar prices (mid, else close) of the programme's day and the next, the daily
/// closes of the simulated days, the programme's executed dollars and the mean daily dollar
/// volume.
#[derive(Clone, Debug, Default)]
struct Outcome {
    bar_prices: Vec<f64>,
    next_bar_prices: Vec<f64>,
    closes: Vec<f64>,
    executed_usd: f64,
    /// The part executed by the end of the window (the rest waited for the closing auction).
    in_window_usd: f64,
    daily_volume_usd: f64,
}

/// The measurement: every (size, seed) point, the fit, and what it was normalised by.
#[derive(Clone, Debug)]
pub struct ImpactReport {
    pub symbol: String,
    pub points: Vec<ImpactPoint>,
    pub fit: Option<ImpactFit>,
    /// The bars of the impact path, from the window's start to the next day's close.
    pub path_bars: Vec<PathBar>,
    /// Per size, the mean impact at each of `path_bars`.
    pub paths: Vec<ImpactPath>,
    /// The window's length in trading hours.
    pub window_hours: f64,
    /// The instrument's fundamental daily volatility (annual_vol / √252).
    pub sigma_d: f64,
    /// Mean daily dollar volume of the counterfactual runs.
    pub adv_usd: f64,
}

/// Runs every seed without a programme and with each size; `progress` is told (done, total).
pub fn measure(
    loaded: &LoadedScenario,
    spec: &ImpactSpec,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ImpactReport, ImpactError> {
    let s = &loaded.scenario;
    let idx = match &spec.instrument {
        Some(sym) => s
            .instruments
            .iter()
            .position(|i| &i.symbol == sym)
            .ok_or_else(|| {
                ImpactError::Spec(format!("--instrument {sym:?}: no such instrument"))
            })?,
        None => 0,
    };
    let ins = &s.instruments[idx];
    if spec.sizes.is_empty()
        || spec
            .sizes
            .iter()
            .any(|&q| !(q.is_finite() && q > 0.0 && q <= 1e13))
    {
        return Err(ImpactError::Spec(
            "--sizes must be dollar amounts above 0 and at most 1e13".into(),
        ));
    }
    // Ascending and once each, as the tables and charts list them.
    let mut sizes = spec.sizes.clone();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    if spec.seeds.is_empty() {
        return Err(ImpactError::Spec("at least one seed".into()));
    }
    if spec.day == 0 {
        return Err(ImpactError::Spec("--day counts from 1".into()));
    }
    let (Some(open), Some(start), Some(end)) = (
        parse_hhmm(&s.calendar.open),
        parse_hhmm(&spec.start),
        parse_hhmm(&spec.end),
    ) else {
        return Err(ImpactError::Spec(format!(
            "--window {}-{}: times are HH:MM",
            spec.start, spec.end
        )));
    };
    let bar_s = s.calendar.bar_seconds.max(1);
    if end <= start || start < open || (end - open) % bar_s != 0 {
        return Err(ImpactError::Spec(format!(
            "--window {}-{}: must lie in the session, end after it starts, and end on a bar ({} s bars from {})",
            spec.start, spec.end, bar_s, s.calendar.open
        )));
    }
    let end_bar = ((end - open) / bar_s) as usize;
    let Some(session_s) = parse_hhmm(&s.calendar.close)
        .filter(|&c| c > open)
        .map(|c| c - open)
    else {
        return Err(ImpactError::Spec(format!(
            "calendar.close {:?}: must be HH:MM after calendar.open",
            s.calendar.close
        )));
    };
    if end - open > session_s {
        return Err(ImpactError::Spec(format!(
            "--window {}-{}: ends after the close ({})",
            spec.start, spec.end, s.calendar.close
        )));
    }
    let days = spec.day + 1;
    let symbol = ins.symbol.clone();
    let base = edit(loaded, |t| {
        t.insert("days".into(), toml::Value::Integer(days as i64));
        // Scheduled shocks and flows after the measured days cannot happen.
        for key in ["shocks", "flows"] {
            if let Some(toml::Value::Array(list)) = t.get_mut(key) {
                list.retain(|v| {
                    v.get("day")
                        .and_then(toml::Value::as_integer)
                        .is_some_and(|d| d <= days as i64)
                });
            }
        }
        Ok(())
    })?;
    let side = match spec.side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    };
    let with: Vec<LoadedScenario> = sizes
        .iter()
        .map(|&q| {
            edit(&base, |t| {
                let mut flow = toml::Table::new();
                flow.insert("day".into(), toml::Value::Integer(spec.day as i64));
                flow.insert("start".into(), spec.start.clone().into());
                flow.insert("end".into(), spec.end.clone().into());
                flow.insert("instrument".into(), symbol.clone().into());
                flow.insert("side".into(), side.into());
                flow.insert("usd".into(), toml::Value::Float(q));
                match t.get_mut("flows") {
                    Some(toml::Value::Array(list)) => list.push(flow.into()),
                    _ => {
                        t.insert("flows".into(), toml::Value::Array(vec![flow.into()]));
                    }
                }
                Ok(())
            })
        })
        .collect::<Result<_, _>>()?;
    // Job k: seed k / (1 + sizes), variant k % (1 + sizes) (0 = without the programme).
    let per_seed = 1 + sizes.len();
    let total = spec.seeds.len() * per_seed;
    let results: Mutex<Vec<Option<Result<Outcome, ImpactError>>>> =
        Mutex::new((0..total).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let threads = spec.threads.clamp(1, total);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= total {
                        break;
                    }
                    let seed = spec.seeds[k / per_seed];
                    let v = k % per_seed;
                    let sc = if v == 0 { &base } else { &with[v - 1] };
                    let r = run_one(sc, seed, idx, spec.day, end_bar);
                    if let Ok(mut all) = results.lock() {
                        all[k] = Some(r);
                    }
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let mut outcomes = Vec::with_capacity(total);
    for r in results {
        outcomes.push(r.unwrap_or_else(|| Err(ImpactError::Spec("a run did not finish".into())))?);
    }
    let sign = if spec.side == Side::Buy { 1.0 } else { -1.0 };
    let d = spec.day as usize;
    let mut points = Vec::new();
    let mut adv = 0.0;
    // The path starts at the last bar before the programme (no impact yet on the same seed),
    // or at the first bar when the window opens the session.
    let first_bar = ((start - open) / bar_s).max(1) as usize;
    let bars: Vec<PathBar> = {
        let n_today = outcomes[0].bar_prices.len();
        let n_next = outcomes[0].next_bar_prices.len();
        let hours = |secs_from_open: u32| (secs_from_open as f64 - (start - open) as f64) / 3600.0;
        // The last bar ends at the close even when the session is not a whole number of bars.
        let end_of = |b: usize| (b as u32 * bar_s).min(session_s);
        (first_bar..=n_today)
            .map(|b| PathBar {
                day: spec.day,
                bar: b as u32,
                hours: hours(end_of(b)),
            })
            .chain((1..=n_next).map(|b| PathBar {
                day: spec.day + 1,
                bar: b as u32,
                hours: hours(session_s + end_of(b)),
            }))
            .collect()
    };
    // The window's last bar in the path: the peak.
    let end_idx = end_bar - first_bar;
    let mut runs: Vec<Vec<Vec<f64>>> = vec![Vec::with_capacity(spec.seeds.len()); sizes.len()];
    for (si, &seed) in spec.seeds.iter().enumerate() {
        let base = &outcomes[si * per_seed];
        adv += base.daily_volume_usd / spec.seeds.len() as f64;
        for (qi, &q) in sizes.iter().enumerate() {
            let o = &outcomes[si * per_seed + 1 + qi];
            let imp = |a: f64, b: f64| sign * (a / b).ln();
            let at = |p: &[f64], b: u32| p.get(b as usize - 1).copied().unwrap_or(f64::NAN);
            let mut path: Vec<f64> = bars
                .iter()
                .map(|pb| {
                    let (with, without) = if pb.day == spec.day {
                        (&o.bar_prices, &base.bar_prices)
                    } else {
                        (&o.next_bar_prices, &base.next_bar_prices)
                    };
                    imp(at(with, pb.bar), at(without, pb.bar))
                })
                .collect();
            // The table keeps the peak's sign as computed (-0 where the mid did not move).
            let peak = path.get(end_idx).copied().unwrap_or(f64::NAN);
            // The path writes an unmoved bar as 0, not -0.
            path.iter_mut().for_each(|v| *v += 0.0);
            points.push(ImpactPoint {
                size_usd: q,
                seed,
                executed_usd: o.executed_usd - base.executed_usd,
                in_window_usd: o.in_window_usd - base.in_window_usd,
                q_over_v: (o.executed_usd - base.executed_usd) / base.daily_volume_usd,
                peak,
                close: imp(o.closes[d - 1], base.closes[d - 1]),
                next_close: imp(o.closes[d], base.closes[d]),
            });
            runs[qi].push(path);
        }
    }
    let sigma_d = ins.annual_vol / 252f64.sqrt();
    Ok(ImpactReport {
        symbol,
        fit: fit(&points, sigma_d),
        points,
        paths: sizes
            .iter()
            .zip(&runs)
            .map(|(&q, r)| mean_path(q, end_idx, r))
            .collect(),
        path_bars: bars,
        window_hours: f64::from(end - start) / 3600.0,
        sigma_d,
        adv_usd: adv,
    })
}

/// One run; `end_bar` is the last bar of the programme's window.
fn run_one(
    sc: &LoadedScenario,
    seed: u64,
    idx: usize,
    day: u32,
    end_bar: usize,
) -> Result<Outcome, ImpactError> {
    let file = sc.path.display().to_string();
    let mut sim = build::build(sc, seed).map_err(|source| ImpactError::Build {
        file: file.clone(),
        source,
    })?;
    let mut sink = MemorySink::default();
    sim.run(&mut sink, &mut |_, _| {})
        .map_err(|source| ImpactError::Sim { file, seed, source })?;
    let ins = &sc.scenario.instruments[idx];
    let days = sc.scenario.days as usize;
    let data = &sim.data()[idx];
    let closes: Vec<f64> = data.daily[data.daily.len() - days..]
        .iter()
        .map(|b| b.close as f64 * ins.tick_size)
        .collect();
    let (mut bar_prices, mut next_bar_prices) = (Vec::new(), Vec::new());
    let mut volume_usd = 0.0;
    for b in sink.bars.iter().filter(|b| b.instrument as usize == idx) {
        volume_usd += b.volume as f64 * b.vwap.unwrap_or(b.close) * ins.notional_per_unit;
        let p = match (b.best_bid, b.best_ask) {
            (Some(bid), Some(ask)) => 0.5 * (bid + ask),
            _ => b.close,
        };
        if b.day == day {
            bar_prices.push(p);
        } else if b.day == day + 1 {
            next_bar_prices.push(p);
        }
    }
    let (mut executed_usd, mut in_window_usd) = (0.0, 0.0);
    for f in sink.flows.iter().filter(|f| {
        f.instrument as usize == idx && f.day == day && f.class == AgentClass::Exogenous
    }) {
        executed_usd += f.buy_usd + f.sell_usd;
        if f.bar as usize <= end_bar {
            in_window_usd += f.buy_usd + f.sell_usd;
        }
    }
    Ok(Outcome {
        bar_prices,
        next_bar_prices,
        closes,
        executed_usd,
        in_window_usd,
        daily_volume_usd: volume_usd / days as f64,
    })
}
