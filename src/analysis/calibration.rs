//! The calibration summary of an order book: how wide the spread is, how deep each level is,
//! how fast orders arrive, are cancelled and trade, and how big trades are.
//!
//! It is computed from a neutral stream of [`Observation`]s (a time, what happened, and the top
//! of the book afterwards), so the same code summarises a replay of real data (`flowsim replay`)
//! and a simulated run: a researcher compares the two and sets the background agents until the
//! simulated book resembles the real one. Prices are in ticks and sizes in units throughout;
//! nothing here reads files.
//!
//! Weighting: a book state lasts from its observation to the next one, so the spread and depth
//! statistics are *time-weighted* (the share of the session the book spent in a state); the
//! event-weighted versions are given beside them. When no time passes at all (every observation
//! at one instant) the time-weighted figures fall back to the event-weighted ones.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::book::{Price, Qty, Side};

/// One aggregated price level of a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    pub price: Price,
    pub qty: Qty,
}

/// How a trade happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeKind {
    /// Against a visible resting order.
    Visible,
    /// Against a hidden order: the visible book does not change.
    Hidden,
    /// In a call auction (no aggressor).
    Auction,
}

/// What happened at an observation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A new resting order; the event's side is the order's side.
    Add,
    /// Quantity removed without trading (`full`: the whole order); side of the order.
    Cancel { full: bool },
    /// A trade; the event's side is the aggressor's side when known.
    Trade(TradeKind),
    /// Trading halted or resumed.
    Halt,
    /// Anything else (the book may still have changed).
    Other,
}

/// An event with its side, price (ticks) and size (units) where they apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub side: Option<Side>,
    pub price: Option<Price>,
    pub size: Qty,
}

/// One observation: the time, the event, and the book after it (best level first on both
/// sides; levels beyond the summary's depth are ignored).
#[derive(Clone, Copy, Debug)]
pub struct Observation<'a> {
    /// Nanoseconds on any clock that does not go backwards.
    pub time_ns: u64,
    pub event: Event,
    pub bids: &'a [Level],
    pub asks: &'a [Level],
}

const BUY: usize = 0;
const SELL: usize = 1;
/// Placement distances are bucketed from "inside the spread" to "this many ticks or more".
const PLACEMENT_CAP: i64 = 10;

fn side_index(s: Side) -> usize {
    match s {
        Side::Buy => BUY,
        Side::Sell => SELL,
    }
}

/// Accumulates observations; [`CalibrationBuilder::finish`] gives the summary.
#[derive(Clone, Debug)]
pub struct CalibrationBuilder {
    levels: usize,
    first_time: Option<u64>,
    last_time: u64,
    events: u64,
    time_reversals: u64,
    // the previous snapshot, weighted by the time until the next observation
    prev_spread: Option<i64>,
    prev_qty: [Vec<Qty>; 2],
    prev_best: [Option<Price>; 2],
    total_time: u128,
    spread_time: BTreeMap<i64, u128>,
    spread_events: BTreeMap<i64, u64>,
    one_sided_time: u128,
    one_sided_events: u64,
    depth_time: [Vec<u128>; 2],
    depth_events: [Vec<u128>; 2],
    adds: [u64; 2],
    add_sizes: Vec<Qty>,
    placement: BTreeMap<i64, u64>,
    cancels_partial: u64,
    cancels_full: u64,
    cancel_sizes: Vec<Qty>,
    trades: [u64; 3],
    trade_sizes: Vec<Qty>,
    trade_volume: u128,
    initiated: [u64; 2],
    aggressive_sizes: Vec<Qty>,
    aggressive_open: Option<(u64, Side, Qty)>,
    halts: u64,
}

impl CalibrationBuilder {
    /// A builder that summarises the best `levels` levels of each side.
    pub fn new(levels: usize) -> Self {
        CalibrationBuilder {
            levels,
            first_time: None,
            last_time: 0,
            events: 0,
            time_reversals: 0,
            prev_spread: None,
            prev_qty: [vec![0; levels], vec![0; levels]],
            prev_best: [None, None],
            total_time: 0,
            spread_time: BTreeMap::new(),
            spread_events: BTreeMap::new(),
            one_sided_time: 0,
            one_sided_events: 0,
            depth_time: [vec![0; levels], vec![0; levels]],
            depth_events: [vec![0; levels], vec![0; levels]],
            adds: [0; 2],
            add_sizes: Vec::new(),
            placement: BTreeMap::new(),
            cancels_partial: 0,
            cancels_full: 0,
            cancel_sizes: Vec::new(),
            trades: [0; 3],
            trade_sizes: Vec::new(),
            trade_volume: 0,
            initiated: [0; 2],
            aggressive_sizes: Vec::new(),
            aggressive_open: None,
            halts: 0,
        }
    }

    pub fn observe(&mut self, obs: &Observation<'_>) {
        let t = obs.time_ns;
        match self.first_time {
            None => self.first_time = Some(t),
            Some(_) => {
                let dt = match t.checked_sub(self.last_time) {
                    Some(dt) => dt as u128,
                    None => {
                        self.time_reversals += 1;
                        0
                    }
                };
                self.weigh_previous(dt);
            }
        }
        self.last_time = self.last_time.max(t);
        self.events += 1;
        self.count_event(&obs.event, t);
        self.take_snapshot(obs.bids, obs.asks);
    }

    fn weigh_previous(&mut self, dt: u128) {
        if dt == 0 {
            return;
        }
        self.total_time += dt;
        match self.prev_spread {
            Some(s) => *self.spread_time.entry(s).or_default() += dt,
            None => self.one_sided_time += dt,
        }
        for side in [BUY, SELL] {
            for (acc, &q) in self.depth_time[side].iter_mut().zip(&self.prev_qty[side]) {
                *acc += q as u128 * dt;
            }
        }
    }

    fn count_event(&mut self, e: &Event, t: u64) {
        if !matches!(e.kind, EventKind::Trade(TradeKind::Visible)) {
            self.close_aggressive();
        }
        match e.kind {
            EventKind::Add => {
                if let Some(side) = e.side {
                    self.adds[side_index(side)] += 1;
                    let best = self.prev_best[side_index(side)];
                    if let (Some(p), Some(best)) = (e.price, best) {
                        let behind = match side {
                            Side::Buy => best - p,
                            Side::Sell => p - best,
                        };
                        let bucket = behind.clamp(-1, PLACEMENT_CAP);
                        *self.placement.entry(bucket).or_default() += 1;
                    }
                }
                self.add_sizes.push(e.size);
            }
            EventKind::Cancel { full } => {
                if full {
                    self.cancels_full += 1;
                } else {
                    self.cancels_partial += 1;
                }
                self.cancel_sizes.push(e.size);
            }
            EventKind::Trade(kind) => {
                let k = match kind {
                    TradeKind::Visible => 0,
                    TradeKind::Hidden => 1,
                    TradeKind::Auction => 2,
                };
                self.trades[k] += 1;
                self.trade_sizes.push(e.size);
                self.trade_volume += e.size as u128;
                if let Some(side) = e.side {
                    self.initiated[side_index(side)] += 1;
                }
                if kind == TradeKind::Visible {
                    // consecutive visible executions at one instant by one side are one
                    // aggressive order walking the book
                    match (&mut self.aggressive_open, e.side) {
                        (Some((t0, s0, q)), Some(s)) if *t0 == t && *s0 == s => *q += e.size,
                        (_, Some(s)) => {
                            self.close_aggressive();
                            self.aggressive_open = Some((t, s, e.size));
                        }
                        (_, None) => self.close_aggressive(),
                    }
                }
            }
            EventKind::Halt => self.halts += 1,
            EventKind::Other => {}
        }
    }

    fn close_aggressive(&mut self) {
        if let Some((_, _, q)) = self.aggressive_open.take() {
            self.aggressive_sizes.push(q);
        }
    }

    fn take_snapshot(&mut self, bids: &[Level], asks: &[Level]) {
        let bids = &bids[..bids.len().min(self.levels)];
        let asks = &asks[..asks.len().min(self.levels)];
        self.prev_best = [bids.first().map(|l| l.price), asks.first().map(|l| l.price)];
        self.prev_spread = match self.prev_best {
            [Some(b), Some(a)] => Some(a - b),
            _ => None,
        };
        match self.prev_spread {
            Some(s) => *self.spread_events.entry(s).or_default() += 1,
            None => self.one_sided_events += 1,
        }
        for (side, levels) in [(BUY, bids), (SELL, asks)] {
            let q = &mut self.prev_qty[side];
            q.iter_mut().for_each(|x| *x = 0);
            for (slot, l) in q.iter_mut().zip(levels) {
                *slot = l.qty;
            }
            for (acc, &x) in self.depth_events[side].iter_mut().zip(q.iter()) {
                *acc += x as u128;
            }
        }
    }

    pub fn finish(mut self) -> CalibrationSummary {
        self.close_aggressive();
        let duration_ns = self.first_time.map_or(0, |f| self.last_time - f);
        let duration_s = duration_ns as f64 / 1e9;
        let per_s = |n: f64| (duration_ns > 0).then(|| n / duration_s);
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        let use_time = self.total_time > 0;

        // spread
        let quoted_time: u128 = self.spread_time.values().sum();
        let quoted_events: u64 = self.spread_events.values().sum();
        let mut keys: Vec<i64> = self.spread_time.keys().copied().collect();
        keys.extend(self.spread_events.keys().copied());
        keys.sort_unstable();
        keys.dedup();
        let histogram: Vec<SpreadBucket> = keys
            .iter()
            .map(|&k| SpreadBucket {
                ticks: k,
                time_share: ratio(
                    self.spread_time.get(&k).copied().unwrap_or(0) as f64,
                    quoted_time as f64,
                ),
                event_share: ratio(
                    self.spread_events.get(&k).copied().unwrap_or(0) as f64,
                    quoted_events as f64,
                )
                .unwrap_or(0.0),
            })
            .collect();
        let mean_time = ratio(
            self.spread_time
                .iter()
                .map(|(&k, &w)| k as f64 * w as f64)
                .sum(),
            quoted_time as f64,
        );
        let mean_events = ratio(
            self.spread_events
                .iter()
                .map(|(&k, &w)| k as f64 * w as f64)
                .sum(),
            quoted_events as f64,
        );
        let quantiles = if use_time {
            weighted_quantiles(self.spread_time.iter().map(|(&k, &w)| (k, w)))
        } else {
            weighted_quantiles(self.spread_events.iter().map(|(&k, &w)| (k, w as u128)))
        };
        let two_sided_share = if use_time {
            ratio(quoted_time as f64, self.total_time as f64)
        } else {
            ratio(quoted_events as f64, self.events as f64)
        };
        let spread = SpreadSummary {
            weighting: if use_time { "time" } else { "events" },
            two_sided_share,
            mean_ticks: if use_time { mean_time } else { mean_events },
            mean_ticks_events: mean_events,
            quantiles,
            histogram,
        };

        // depth
        let n_events = self.events as f64;
        let depth = (0..self.levels)
            .map(|i| {
                let ev = |side: usize| ratio(self.depth_events[side][i] as f64, n_events);
                let tw = |side: usize| {
                    if use_time {
                        ratio(self.depth_time[side][i] as f64, self.total_time as f64)
                    } else {
                        ev(side)
                    }
                };
                DepthLevel {
                    level: i + 1,
                    bid_mean: tw(BUY),
                    ask_mean: tw(SELL),
                    bid_mean_events: ev(BUY),
                    ask_mean_events: ev(SELL),
                }
            })
            .collect();

        // arrivals
        let adds = self.adds[BUY] + self.adds[SELL];
        let placed: u64 = self.placement.values().sum();
        let placement = self
            .placement
            .iter()
            .map(|(&k, &n)| PlacementBucket {
                ticks_behind_best: k,
                label: match k {
                    -1 => "inside the spread".to_string(),
                    PLACEMENT_CAP => format!("{PLACEMENT_CAP}+ ticks behind"),
                    0 => "at the best".to_string(),
                    1 => "1 tick behind".to_string(),
                    k => format!("{k} ticks behind"),
                },
                count: n,
                share: n as f64 / placed as f64,
            })
            .collect();
        let add_count = self.add_sizes.len() as u64;
        let arrivals = ArrivalSummary {
            adds: add_count,
            buy: self.adds[BUY],
            sell: self.adds[SELL],
            per_s: per_s(add_count as f64),
            size: SizeStats::of(&mut self.add_sizes),
            placement,
        };

        // cancels
        let cancels = self.cancels_partial + self.cancels_full;
        let cancel_summary = CancelSummary {
            partial: self.cancels_partial,
            full: self.cancels_full,
            per_s: per_s(cancels as f64),
            per_add: ratio(cancels as f64, adds.max(add_count) as f64),
            size: SizeStats::of(&mut self.cancel_sizes),
        };

        // trades
        let trade_count = self.trades.iter().sum::<u64>();
        let signed = self.initiated[BUY] + self.initiated[SELL];
        let trades = TradeSummary {
            visible: self.trades[0],
            hidden: self.trades[1],
            auction: self.trades[2],
            per_s: per_s(trade_count as f64),
            volume: self.trade_volume,
            volume_per_s: per_s(self.trade_volume as f64),
            buyer_initiated_share: ratio(self.initiated[BUY] as f64, signed as f64),
            size: SizeStats::of(&mut self.trade_sizes),
            aggressive_orders: self.aggressive_sizes.len() as u64,
            aggressive_size: SizeStats::of(&mut self.aggressive_sizes),
        };

        CalibrationSummary {
            levels: self.levels,
            events: self.events,
            duration_s,
            spread,
            depth,
            arrivals,
            cancels: cancel_summary,
            trades,
            halts: self.halts,
            time_reversals: self.time_reversals,
        }
    }
}

/// Summarises a whole sequence of observations at once.
pub fn summarize<'a>(
    levels: usize,
    observations: impl IntoIterator<Item = Observation<'a>>,
) -> CalibrationSummary {
    let mut b = CalibrationBuilder::new(levels);
    for o in observations {
        b.observe(&o);
    }
    b.finish()
}

/// The weighted 10/25/50/75/90 % quantiles of integer values (the smallest value whose
/// cumulative weight reaches the level). `None` without weight.
fn weighted_quantiles(values: impl Iterator<Item = (i64, u128)>) -> Option<Quantiles> {
    let v: Vec<(i64, u128)> = values.filter(|&(_, w)| w > 0).collect();
    let total: u128 = v.iter().map(|&(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let at = |pct: u128| {
        // smallest value with cumulative weight * 100 >= pct * total
        let mut cum = 0u128;
        for &(k, w) in &v {
            cum += w;
            if cum * 100 >= pct * total {
                return k;
            }
        }
        v[v.len() - 1].0
    };
    Some(Quantiles {
        p10: at(10),
        p25: at(25),
        p50: at(50),
        p75: at(75),
        p90: at(90),
    })
}

/// The whole summary. Prices in ticks, sizes in units, rates per second of the observed span.
#[derive(Clone, Debug, Serialize)]
pub struct CalibrationSummary {
    pub levels: usize,
    pub events: u64,
    /// From the first to the last observation.
    pub duration_s: f64,
    pub spread: SpreadSummary,
    pub depth: Vec<DepthLevel>,
    pub arrivals: ArrivalSummary,
    pub cancels: CancelSummary,
    pub trades: TradeSummary,
    pub halts: u64,
    /// Observations whose time was earlier than the one before (counted, weighted zero).
    pub time_reversals: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Quantiles {
    pub p10: i64,
    pub p25: i64,
    pub p50: i64,
    pub p75: i64,
    pub p90: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SpreadSummary {
    /// "time", or "events" when no time passed.
    pub weighting: &'static str,
    /// Share of the session with both sides quoted.
    pub two_sided_share: Option<f64>,
    /// Mean spread in ticks while two-sided (weighted as `weighting` says).
    pub mean_ticks: Option<f64>,
    pub mean_ticks_events: Option<f64>,
    pub quantiles: Option<Quantiles>,
    /// Every spread seen, with its share of the two-sided time and of the two-sided events.
    pub histogram: Vec<SpreadBucket>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct SpreadBucket {
    pub ticks: i64,
    pub time_share: Option<f64>,
    pub event_share: f64,
}

/// Mean resting quantity at one level (a missing level counts as zero).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DepthLevel {
    pub level: usize,
    pub bid_mean: Option<f64>,
    pub ask_mean: Option<f64>,
    pub bid_mean_events: Option<f64>,
    pub ask_mean_events: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ArrivalSummary {
    pub adds: u64,
    pub buy: u64,
    pub sell: u64,
    pub per_s: Option<f64>,
    pub size: Option<SizeStats>,
    /// Where new orders were placed relative to their side's best price just before: −1 means
    /// inside the spread (improving the best), 10 means ten ticks or more behind.
    pub placement: Vec<PlacementBucket>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlacementBucket {
    pub ticks_behind_best: i64,
    pub label: String,
    pub count: u64,
    pub share: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CancelSummary {
    pub partial: u64,
    pub full: u64,
    pub per_s: Option<f64>,
    /// Cancellations per new order.
    pub per_add: Option<f64>,
    pub size: Option<SizeStats>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TradeSummary {
    pub visible: u64,
    pub hidden: u64,
    pub auction: u64,
    pub per_s: Option<f64>,
    pub volume: u128,
    pub volume_per_s: Option<f64>,
    /// Share of trades with a known aggressor that were buyer-initiated.
    pub buyer_initiated_share: Option<f64>,
    /// Size of each execution.
    pub size: Option<SizeStats>,
    /// Consecutive visible executions at one instant by one aggressor side, merged: the size
    /// of the marketable orders.
    pub aggressive_orders: u64,
    pub aggressive_size: Option<SizeStats>,
}

/// Distribution of sizes (nearest-rank quantiles).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SizeStats {
    pub count: u64,
    pub mean: f64,
    pub min: Qty,
    pub p10: Qty,
    pub p25: Qty,
    pub median: Qty,
    pub p75: Qty,
    pub p90: Qty,
    pub p99: Qty,
    pub max: Qty,
}

impl SizeStats {
    /// Sorts `sizes` in place; `None` when empty.
    pub fn of(sizes: &mut [Qty]) -> Option<SizeStats> {
        if sizes.is_empty() {
            return None;
        }
        sizes.sort_unstable();
        let n = sizes.len();
        // nearest rank: the ceil(p·n)-th smallest
        let q = |pct: usize| sizes[(pct * n).div_ceil(100).clamp(1, n) - 1];
        let sum: u128 = sizes.iter().map(|&s| s as u128).sum();
        Some(SizeStats {
            count: n as u64,
            mean: sum as f64 / n as f64,
            min: sizes[0],
            p10: q(10),
            p25: q(25),
            median: q(50),
            p75: q(75),
            p90: q(90),
            p99: q(99),
            max: sizes[n - 1],
        })
    }
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.decimals$}"))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{:.1}%", 100.0 * x))
}

fn size_row(f: &mut fmt::Formatter<'_>, name: &str, s: &Option<SizeStats>) -> fmt::Result {
    match s {
        None => writeln!(f, "  {name:<22} -"),
        Some(s) => writeln!(
            f,
            "  {name:<22} n {:>7}  mean {:>8.1}  min {:>5}  p10 {:>5}  p25 {:>5}  median {:>5}  p75 {:>5}  p90 {:>6}  p99 {:>6}  max {:>7}",
            s.count, s.mean, s.min, s.p10, s.p25, s.median, s.p75, s.p90, s.p99, s.max
        ),
    }
}

impl fmt::Display for CalibrationSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "calibration summary: {} events over {:.3} s, {} levels (prices in ticks, sizes in units)",
            self.events, self.duration_s, self.levels
        )?;
        let s = &self.spread;
        writeln!(f, "spread ({}-weighted)", s.weighting)?;
        writeln!(
            f,
            "  two-sided {}   mean {} ticks (event-weighted {})",
            pct(s.two_sided_share),
            opt(s.mean_ticks, 2),
            opt(s.mean_ticks_events, 2)
        )?;
        if let Some(q) = s.quantiles {
            writeln!(
                f,
                "  quantiles (ticks)   p10 {}  p25 {}  median {}  p75 {}  p90 {}",
                q.p10, q.p25, q.p50, q.p75, q.p90
            )?;
        }
        let mut common: Vec<&SpreadBucket> = s.histogram.iter().collect();
        let share = |b: &SpreadBucket| b.time_share.unwrap_or(b.event_share);
        common.sort_by(|a, b| share(b).total_cmp(&share(a)).then(a.ticks.cmp(&b.ticks)));
        common.truncate(8);
        if !common.is_empty() {
            writeln!(f, "  most common     ticks  time share  event share")?;
            for b in common {
                writeln!(
                    f,
                    "                 {:>5}  {:>10}  {:>11}",
                    b.ticks,
                    pct(b.time_share),
                    pct(Some(b.event_share))
                )?;
            }
            if s.histogram.len() > 8 {
                writeln!(
                    f,
                    "                 ({} distinct spreads in all)",
                    s.histogram.len()
                )?;
            }
        }
        writeln!(
            f,
            "depth per level (mean units, {}-weighted)",
            self.spread.weighting
        )?;
        writeln!(f, "  level        bid        ask")?;
        for d in &self.depth {
            writeln!(
                f,
                "  {:>5} {:>10} {:>10}",
                d.level,
                opt(d.bid_mean, 1),
                opt(d.ask_mean, 1)
            )?;
        }
        let a = &self.arrivals;
        writeln!(f, "order arrival")?;
        writeln!(
            f,
            "  new orders {} ({} buy, {} sell), {} per s",
            a.adds,
            a.buy,
            a.sell,
            opt(a.per_s, 2)
        )?;
        size_row(f, "size", &a.size)?;
        if !a.placement.is_empty() {
            writeln!(f, "  placement (vs own side's best before the order)")?;
            for p in &a.placement {
                writeln!(
                    f,
                    "    {:<22} {:>7}  {:>6}",
                    p.label,
                    p.count,
                    pct(Some(p.share))
                )?;
            }
        }
        let c = &self.cancels;
        writeln!(f, "cancellations")?;
        writeln!(
            f,
            "  {} full + {} partial, {} per s, {} per new order",
            c.full,
            c.partial,
            opt(c.per_s, 2),
            opt(c.per_add, 3)
        )?;
        size_row(f, "size", &c.size)?;
        let t = &self.trades;
        writeln!(f, "trades")?;
        writeln!(
            f,
            "  {} visible + {} hidden + {} auction, {} per s; volume {} ({} per s); buyer-initiated {}",
            t.visible,
            t.hidden,
            t.auction,
            opt(t.per_s, 3),
            t.volume,
            opt(t.volume_per_s, 1),
            pct(t.buyer_initiated_share)
        )?;
        size_row(f, "execution size", &t.size)?;
        size_row(
            f,
            &format!("aggressive order ({})", t.aggressive_orders),
            &t.aggressive_size,
        )?;
        if self.halts > 0 || self.time_reversals > 0 {
            writeln!(
                f,
                "halts {}, time reversals {}",
                self.halts, self.time_reversals
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lv(price: Price, qty: Qty) -> Level {
        Level { price, qty }
    }

    // Worked example: spread 2 ticks for 3 s, then 1 tick for 1 s, then the last state (no
    // duration). Time-weighted mean = (2·3 + 1·1) / 4 = 1.75; event-weighted = (2+1+1)/3.
    #[test]
    fn time_weighting_by_hand() {
        let b1 = [lv(99, 10)];
        let a1 = [lv(101, 5)];
        let a2 = [lv(100, 5)];
        let add = |side, price, size| Event {
            kind: EventKind::Add,
            side: Some(side),
            price: Some(price),
            size,
        };
        let obs = [
            Observation {
                time_ns: 0,
                event: add(Side::Buy, 99, 10),
                bids: &b1,
                asks: &a1,
            },
            Observation {
                time_ns: 3_000_000_000,
                event: add(Side::Sell, 100, 5),
                bids: &b1,
                asks: &a2,
            },
            Observation {
                time_ns: 4_000_000_000,
                event: Event {
                    kind: EventKind::Trade(TradeKind::Visible),
                    side: Some(Side::Buy),
                    price: Some(100),
                    size: 5,
                },
                bids: &b1,
                asks: &a2,
            },
        ];
        let s = summarize(2, obs);
        assert_eq!(s.events, 3);
        assert_eq!(s.spread.mean_ticks, Some(1.75));
        assert_eq!(s.spread.mean_ticks_events, Some(4.0 / 3.0));
        // bid level 1 held 10 the whole time; level 2 never existed
        assert_eq!(s.depth[0].bid_mean, Some(10.0));
        assert_eq!(s.depth[1].bid_mean, Some(0.0));
        // the sell add at 100 improved the best ask 101: inside the spread
        assert_eq!(s.arrivals.placement[0].ticks_behind_best, -1);
        assert_eq!(s.trades.buyer_initiated_share, Some(1.0));
        assert_eq!(s.trades.per_s, Some(0.25));
        let q = s.spread.quantiles.unwrap();
        assert_eq!((q.p10, q.p25, q.p50, q.p90), (1, 1, 2, 2));
    }
}
