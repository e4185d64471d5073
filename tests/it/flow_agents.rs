//! The mechanical-flow agents and real-money accounts trading through the book: every kind
//! trades in a checked multi-day run, and each behaves as docs/model.md says it must when the
//! market moves (vol-targeters sell after a shock, LETFs trade with the day's move into the
//! close, dealers hedge against the move when long gamma and with it when short).

use crate::common::simulate;
use std::collections::BTreeMap;

use flowsim::agents::{AgentClass, Metric};
use flowsim::analysis::flows::FlowAttribution;
use flowsim::analysis::momentum::ols;
use flowsim::analysis::state::daily_mean;
use flowsim::book::Motive;
use flowsim::record::{EventKind, MemorySink};

const MARKET: &str = r#"
[[instruments]]
symbol = "SPX"
initial_price = 5000.0
tick_size = 0.25
notional_per_unit = 50.0
annual_vol = 0.16
[agents.market_maker]
count = 2
[agents.value]
count = 10
"#;

/// Every kind, sized so each trades within four days: pensions rebalance every other day,
/// CTAs use short lookbacks, short sellers hold a starting short with tight stops and margin
/// that a +3% shock on day 2 triggers.
const ALL_KINDS: &str = r#"
name = "all_kinds"
days = 4
[[shocks]]
day = 2
time = "10:30"
instrument = "SPX"
fundamental_jump = 0.03
[agents.noise]
count = 60
[agents.vol_target]
count = 4
aum_usd = 100e9
band = 0.0
[agents.letf]
[agents.cta]
count = 2
lookbacks = [1, 2, 5]
band = 0.0
[agents.dealer]
hedge_interval_minutes = 5
[agents.short_seller]
count = 6
rule = "overvaluation"
entry_threshold = 0.0
initial_short_usd = 6e9
position_usd = 1e9
stop_loss = 0.006
stop_dispersion = 0.004
initial_margin = 1.32
maintenance_margin = 0.30
check_minutes = 1
cooldown_days = 0
[agents.hedger]
count = 2
band = 0.0
unwind_rally = 0.05
rally_lookback_days = 2
[agents.pension]
count = 2
rebalance_every_days = 2
[agents.long_term]
count = 2
"#;

#[test]
fn every_kind_trades_through_the_book_with_invariants_kept() {
    let src = format!("{ALL_KINDS}{MARKET}");
    // Checked: book and ledger invariants after every operation, conservation at every close.
    let sink = simulate(&src, 11, true, false).0;
    for class in [
        AgentClass::VolTarget,
        AgentClass::Letf,
        AgentClass::Cta,
        AgentClass::Dealer,
        AgentClass::ShortSeller,
        AgentClass::Hedger,
        AgentClass::RealMoney,
    ] {
        let traded: u64 = sink
            .flows
            .iter()
            .filter(|f| f.class == class)
            .map(|f| f.buy_units + f.sell_units)
            .sum();
        assert!(traded > 0, "{} never traded", class.as_str());
        let reported = sink.state.iter().filter(|s| s.class == class).count();
        assert!(reported > 0, "{} reported no state", class.as_str());
    }
    // The state each kind must report.
    let has = |class: AgentClass, metric: Metric| {
        sink.state
            .iter()
            .any(|s| s.class == class && s.metric == metric && s.value.is_finite())
    };
    for (class, metric) in [
        (AgentClass::VolTarget, Metric::Exposure),
        (AgentClass::VolTarget, Metric::ExposurePercentile),
        (AgentClass::Letf, Metric::Nav),
        (AgentClass::Cta, Metric::Signal),
        (AgentClass::Cta, Metric::Trigger),
        (AgentClass::Dealer, Metric::NetDeltaUsd),
        (AgentClass::Dealer, Metric::DollarGammaPerPct),
        (AgentClass::Dealer, Metric::GammaProfile),
        (AgentClass::ShortSeller, Metric::MarginRatio),
        (AgentClass::Hedger, Metric::HedgeRatio),
        (AgentClass::RealMoney, Metric::EquityWeight),
    ] {
        assert!(has(class, metric), "{} lacks {metric:?}", class.as_str());
    }
    // Motives reach the flow records.
    let motives: std::collections::BTreeSet<_> =
        sink.flows.iter().map(|f| f.motive.as_str()).collect();
    for m in [Motive::Rebalance, Motive::Hedge, Motive::Value] {
        assert!(motives.contains(m.as_str()), "no {m:?} flow in {motives:?}");
    }
    let covers = sink.flows.iter().any(|f| {
        f.class == AgentClass::ShortSeller
            && matches!(f.motive, Motive::StopOut | Motive::MarginCall)
            && f.net_units > 0
    });
    assert!(
        covers,
        "short sellers never covered on a stop or a margin call"
    );
    let risk_events = sink
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::StopOut | EventKind::MarginCall))
        .count();
    assert!(risk_events > 0, "stop-outs and margin calls are events");
}

/// A −6% fundamental shock on day 3: vol-targeters' estimates jump at that close, so they sell
/// on the following days (docs/model.md §1.3 and §9.1: selling persists for days).
#[test]
fn vol_targeters_sell_on_the_days_after_a_shock() {
    let src = format!(
        r#"
name = "vt_shock"
days = 7
[agents.noise]
count = 80
[agents.vol_target]
count = 10
aum_usd = 200e9
lag_days = 1
lag_days_max = 2
[[shocks]]
day = 3
time = "11:00"
instrument = "SPX"
fundamental_jump = -0.06
{MARKET}"#
    );
    let sink = simulate(&src, 5, false, false).0;
    let flows = FlowAttribution::new(&sink.flows, None, 390, 1);
    let vt = |day| flows.net(AgentClass::VolTarget, day);
    let by_day: Vec<f64> = (1..=7).map(vt).collect();
    eprintln!("vol-target flows, days 1–7: {by_day:?}");
    assert!(vt(4) < -1e9, "day 4 flows {by_day:?}");
    assert!(vt(5) < 0.0, "day 5 flows {by_day:?}");
    // The estimate after the shock is above the one before it.
    let sigma = daily_mean(
        &sink.state,
        AgentClass::VolTarget,
        Metric::VolEstimate,
        0,
        true,
    );
    assert!(sigma[&3] > 1.2 * sigma[&2], "σ̂ by day {sigma:?}");
}

/// LETFs rebalance in the direction of the day's move (sign(Q) = sign(r) for every L), with
/// about L(L−1)·A·r summed over funds, in the last half hour (docs/model.md §2.4 facts 2, 6, 7).
#[test]
fn letfs_trade_into_the_close_with_the_days_move() {
    let src = format!(
        r#"
name = "letf"
days = 8
[agents.noise]
count = 80
[agents.letf]
[[shocks]]
day = 3
time = "12:00"
instrument = "SPX"
fundamental_jump = -0.04
[[shocks]]
day = 6
time = "12:00"
instrument = "SPX"
fundamental_jump = 0.03
{MARKET}"#
    );
    let sink = simulate(&src, 9, false, false).0;
    let flows = FlowAttribution::new(&sink.flows, None, 390, 1);
    // The funds decide at 15:35 from the return so far; what the price does after that is
    // traded the next day: Q_d ≈ G·r_decision(d) + G·(r_close − r_decision)(d − 1).
    let mut at_decision = BTreeMap::new();
    let mut at_close = BTreeMap::new();
    let mut prev_close = 5000.0;
    for b in &sink.bars {
        if b.bar == 365 {
            at_decision.insert(b.day, b.close / prev_close - 1.0);
        }
        if b.bar == 390 {
            at_close.insert(b.day, b.close / prev_close - 1.0);
            prev_close = b.close;
        }
    }
    // Σ A·L(L−1) of the default funds: $350bn.
    let g = 350e9;
    let mut checked = Vec::new();
    for (day, r) in &at_decision {
        let late = day
            .checked_sub(1)
            .and_then(|y| Some(at_close.get(&y)? - at_decision.get(&y)?))
            .unwrap_or(0.0);
        let expected = g * (r + late);
        if expected.abs() < 3e9 {
            continue; // quiet days: fills and NAV drift are a large part of the trade
        }
        let q = flows.net(AgentClass::Letf, *day);
        // Within 0.8–1.25 of the expected trade, so also of its sign.
        let ratio = q / expected;
        eprintln!(
            "day {day}: r at 15:35 {r:.4}, LETF flow {q:.3e}, expected {expected:.3e}, ratio {ratio:.3}"
        );
        assert!(
            (0.8..1.25).contains(&ratio),
            "day {day}: flow {q:e} vs {expected:e}"
        );
        checked.push(*day);
    }
    assert!(
        checked.len() >= 2,
        "too few days with a move: {at_decision:?}"
    );
    // The shocks moved the close (day 3 down more than 2%, day 6 up more than 1.5%), and both
    // days are among those checked above.
    assert!(at_close[&3] < -0.02 && at_close[&6] > 0.015, "{at_close:?}");
    assert!(
        checked.contains(&3) && checked.contains(&6),
        "checked days {checked:?}"
    );
    // The default execution works the trade from 15:35 into the close: all of it in the last
    // half hour (bars 361–390).
    let (mut late, mut total) = (0u64, 0u64);
    for f in sink.flows.iter().filter(|f| f.class == AgentClass::Letf) {
        let units = f.buy_units + f.sell_units;
        total += units;
        if f.bar > 360 {
            late += units;
        }
    }
    assert_eq!(late, total, "{late} of {total} units in the last half hour");
}

/// Correlation of the dealers' hedge flow with the market's move in 15-minute blocks.
fn hedge_move_correlation(sink: &MemorySink) -> f64 {
    let mut flow: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for f in sink.flows.iter().filter(|f| f.class == AgentClass::Dealer) {
        *flow.entry((f.day, (f.bar - 1) / 15)).or_insert(0.0) += f.net_usd;
    }
    let mut ret: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    let mut prev: Option<f64> = None;
    for b in &sink.bars {
        if let Some(p) = prev {
            *ret.entry((b.day, (b.bar - 1) / 15)).or_insert(0.0) += (b.close / p).ln();
        }
        prev = Some(b.close);
    }
    let moves: Vec<f64> = ret.values().copied().collect();
    let hedges: Vec<f64> = ret
        .keys()
        .map(|k| flow.get(k).copied().unwrap_or(0.0))
        .collect();
    // Pearson's r from the regression of one on the other: r² and the slope's sign.
    let fit = ols(&moves, &hedges);
    fit.slope.signum() * fit.r2.sqrt()
}

fn dealer_scenario(sign: f64) -> String {
    format!(
        r#"
name = "dealer"
days = 4
[agents.noise]
count = 80
[agents.dealer]
hedge_interval_minutes = 5
[[agents.dealer.series]]
kind = "call"
moneyness = 1.0
expiry_days = 21
contracts = {c}
[[agents.dealer.series]]
kind = "put"
moneyness = 1.0
expiry_days = 21
contracts = {c}
{MARKET}"#,
        c = sign * 200_000.0
    )
}

/// docs/model.md §4.3: a long-gamma dealer sells rallies and buys dips; a short-gamma dealer buys
/// rallies and sells dips. Same seed, only the sign of the book differs.
#[test]
fn dealers_hedge_against_the_move_when_long_gamma_and_with_it_when_short() {
    let long = simulate(&dealer_scenario(1.0), 21, false, false).0;
    let short = simulate(&dealer_scenario(-1.0), 21, false, false).0;
    let gex = |s: &MemorySink| {
        s.state
            .iter()
            .find(|r| r.metric == Metric::DollarGammaPerPct)
            .map(|r| r.value)
            .unwrap_or(0.0)
    };
    assert!(gex(&long) > 0.0 && gex(&short) < 0.0);
    let (cl, cs) = (
        hedge_move_correlation(&long),
        hedge_move_correlation(&short),
    );
    eprintln!("corr(hedge flow, move): long gamma {cl:.3}, short gamma {cs:.3}");
    assert!(cl < -0.3, "long gamma: corr(hedge flow, move) = {cl}");
    assert!(cs > 0.3, "short gamma: corr(hedge flow, move) = {cs}");
}

/// Series expire at the close of their expiry day and are relisted the next morning at the
/// same moneyness and tenor; a same-day (0DTE) series is listed every morning. Open interest
/// is kept by the rolls, and the hedge follows the book through them.
#[test]
fn dealer_series_expire_settle_and_relist() {
    let src = format!(
        r#"
name = "rolls"
days = 5
[agents.noise]
count = 60
[agents.dealer]
[[agents.dealer.series]]
kind = "put"
moneyness = 0.98
expiry_days = 2
contracts = -100000
[[agents.dealer.series]]
kind = "call"
moneyness = 1.0
expiry_days = 0
contracts = 50000
{MARKET}"#
    );
    let sink = simulate(&src, 3, true, false).0;
    // Contracts expired (listed) each morning: the 0DTE calls (50,000) every day; the 2-day
    // puts (100,000), listed before day 1, expire at the close of day 2, are relisted on the
    // morning of day 3 for two more sessions and expire again at the close of day 4.
    let by_day = |k: EventKind| -> Vec<(u32, f64)> {
        sink.events
            .iter()
            .filter(|e| e.kind == k)
            .map(|e| (e.day, e.value))
            .collect()
    };
    assert_eq!(
        by_day(EventKind::OptionExpiry),
        vec![(2, 50_000.0), (3, 150_000.0), (4, 50_000.0), (5, 150_000.0)]
    );
    assert_eq!(
        by_day(EventKind::OptionListing),
        vec![
            (1, 50_000.0),
            (2, 50_000.0),
            (3, 150_000.0),
            (4, 50_000.0),
            (5, 150_000.0)
        ]
    );
    let open: Vec<f64> = sink
        .state
        .iter()
        .filter(|s| s.metric == Metric::OpenContracts)
        .map(|s| s.value)
        .collect();
    assert_eq!(open.len(), 5);
    for v in open {
        assert!(
            (v - (-100_000.0 + 50_000.0)).abs() < 1e-6,
            "open contracts {v}"
        );
    }
    // Every day lists a series in the morning and expires one at the close, and the dealer
    // trades nothing but hedges: it hedges each morning's new series within the first half
    // hour, and on the days whose same-day calls finish in the money it buys back their hedge
    // in the closing auction (bar 390), where they are cash-settled.
    let dealer: Vec<_> = sink
        .flows
        .iter()
        .filter(|f| f.class == AgentClass::Dealer)
        .collect();
    assert!(dealer.iter().all(|f| f.motive == Motive::Hedge));
    let mut in_the_money = Vec::new();
    for day in 1..=5 {
        assert!(
            dealer.iter().any(|f| f.day == day && f.bar <= 30),
            "day {day}: no hedge of the morning's listing"
        );
        let bar = |k: u32| {
            sink.bars
                .iter()
                .find(|b| b.day == day && b.bar == k)
                .unwrap()
        };
        // The 0DTE strike is the price at the open rounded to $5: the calls are in the money
        // when the day closes more than $10 above the open.
        if bar(390).close > bar(1).open + 10.0 {
            in_the_money.push(day);
            let lift: f64 = dealer
                .iter()
                .filter(|f| f.day == day && f.bar == 390)
                .map(|f| f.net_usd)
                .sum();
            assert!(lift > 0.0, "day {day}: closing-auction hedge flow {lift:e}");
        }
    }
    assert!(
        !in_the_money.is_empty(),
        "no day ended with the calls in the money"
    );
}

/// Regression: a dealer woke every nanosecond when a halt ran into the closing auction, and
/// the run never ended.
#[test]
fn dealer_does_not_spin_when_a_halt_runs_into_the_closing_auction() {
    let src = format!(
        r#"
name = "halt_into_close"
days = 2
[market.circuit_breakers]
halt_minutes = 60
[[shocks]]
day = 1
time = "15:00"
instrument = "SPX"
fundamental_jump = -0.12
[agents.noise]
count = 60
[agents.dealer]
{MARKET}"#
    );
    let sink = simulate(&src, 1, false, false).0;
    assert!(sink.events.iter().any(|e| e.kind == EventKind::Halt));
    assert_eq!(sink.bars.iter().filter(|b| b.day == 2).count(), 390);
}
