//! Cost of one decision of each agent kind: the wake-up at which it reads market data, decides
//! and sends its first orders. Agents are built from the scenario defaults on a 300-day
//! history; `BENCHMARKS.md` records the figures.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use flowsim::agents::{
    Action, Agent, Context, Cta, DayPhase, Dealer, Hedger, LeveragedEtf, LongTermManager,
    MarketMaker, NoiseTrader, Pension, ShortSeller, ValueTrader, VolTarget,
};
use flowsim::market::data::{DailyBar, InstrumentData};
use flowsim::market::ledger::Account;
use flowsim::market::time::{MINUTE, SECOND};
use flowsim::scenario::build::calendar;
use flowsim::scenario::*;

/// The market `move_ticks` above yesterday's close.
fn market(move_ticks: i64) -> InstrumentData {
    // 300 days around 5000 points with a trend and a cycle, in 0.25-point ticks.
    let history = (0..300)
        .map(|k| {
            let p = 5000.0 * (1.0 + 0.0004 * k as f64 + 0.03 * (k as f64 / 9.0).sin());
            let t = (p / 0.25).round() as i64;
            DailyBar {
                open: t,
                high: t,
                low: t,
                close: t,
                volume: 0,
            }
        })
        .collect();
    let mut d = InstrumentData::new("SPX".into(), 0.25, 50.0, 1250, history, 0.94, 5000.0);
    let last = d.last_price + move_ticks;
    d.last_price = last;
    d.best_bid = Some((last - 1, 40));
    d.best_ask = Some((last + 1, 40));
    d
}

/// Benchmarks one decision: the agent starts its day, then wakes at `at` (time of day). The
/// agent is rebuilt for every sample, outside the timing; the measured path includes sending
/// its first orders, and the decision is checked once to send some (a change of defaults that
/// left it nothing to do would otherwise bench an early return).
fn decision(
    c: &mut Criterion,
    name: &str,
    at: u64,
    make: impl Fn(&mut ChaCha8Rng) -> Box<dyn Agent>,
) {
    // Positions are taken at yesterday's close; today's price is 0.4% above it, so day-return
    // rules have a move to act on and exposures have drifted from their targets.
    let yesterday = vec![market(0)];
    let data = vec![market(80)];
    let cal = calendar(&CalendarCfg::default(), 10);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut proto = make(&mut rng);
    let positions = proto.initial_positions(&yesterday);
    let mut account = Account {
        positions: vec![0],
        ..Default::default()
    };
    for (i, u) in positions {
        account.positions[i] += u;
    }
    let ctx = |now, phase| Context {
        now,
        day: 3,
        phase,
        calendar: &cal,
        instruments: &data,
        account: &account,
        open_orders: &[],
    };
    let start = ctx(cal.day_start(3) + cal.preopen, DayPhase::PreOpen);
    let wake = ctx(cal.day_start(3) + at, DayPhase::Continuous);
    let mut out = Vec::with_capacity(64);
    let build = || {
        let mut a = make(&mut ChaCha8Rng::seed_from_u64(1));
        a.initial_positions(&yesterday);
        (a, ChaCha8Rng::seed_from_u64(2))
    };
    let (mut agent, mut rng) = build();
    agent.start_day(&start, &mut rng);
    agent.wake(&wake, &mut rng, &mut out);
    assert!(
        out.iter().any(|a| matches!(a, Action::Submit { .. })),
        "decision/{name} sends no orders: {out:?}"
    );
    c.bench_function(&format!("decision/{name}"), |b| {
        b.iter_batched_ref(
            build,
            |(agent, rng)| {
                out.clear();
                agent.start_day(&start, rng);
                agent.wake(&wake, rng, &mut out)
            },
            BatchSize::SmallInput,
        )
    });
}

fn agents(c: &mut Criterion) {
    let late = 15 * 3600 * SECOND + 40 * MINUTE;
    let morning = 10 * 3600 * SECOND + 30 * MINUTE;
    decision(c, "market_maker", morning, |_| {
        Box::new(MarketMaker::new(0, MarketMakerCfg::default(), 200, 8000))
    });
    decision(c, "noise", morning, |_| {
        Box::new(NoiseTrader::new(0, NoiseCfg::default(), 20.0))
    });
    decision(c, "value", morning, |rng| {
        Box::new(ValueTrader::new(0, ValueCfg::default(), 0.12, rng))
    });
    let vt = VolTargetCfg {
        band: 0.0,
        ..VolTargetCfg::default()
    };
    decision(c, "vol_target", late, move |rng| {
        Box::new(VolTarget::new(0, &vt, 40e9, rng))
    });
    let letf = LetfCfg::default();
    decision(c, "letf", late, move |_| {
        Box::new(LeveragedEtf::new(0, &letf.funds[0], &letf.execution))
    });
    // Configured so that each decision trades (no band, a rebalancing day, a short signal).
    let cta = CtaCfg {
        band: 0.0,
        ..CtaCfg::default()
    };
    decision(c, "cta", morning, move |rng| {
        Box::new(Cta::new(0, &cta, 12e9, rng))
    });
    // No minimum hedge: in the default book the 0.4% move and the delta decay since the hedge
    // was set (before day 0; the wake is on day 3) nearly offset, leaving a gap under the
    // default minimum ($250m) and the check without an order.
    let dealer = DealerCfg {
        min_hedge_usd: 0.0,
        ..DealerCfg::default()
    };
    decision(c, "dealer", morning, move |_| {
        Box::new(Dealer::new(0, &dealer, 1.0))
    });
    let short = ShortSellerCfg {
        rule: ShortRule::Overvaluation,
        entry_threshold: 0.0,
        ..ShortSellerCfg::default()
    };
    decision(c, "short_seller", morning, move |rng| {
        Box::new(ShortSeller::new(0, &short, 0.0, rng))
    });
    let hedger = HedgerCfg {
        band: 0.0,
        ..HedgerCfg::default()
    };
    decision(c, "hedger", morning, move |_| {
        Box::new(Hedger::new(0, &hedger, 60e9))
    });
    let pension = PensionCfg {
        rebalance_every_days: 1,
        ..PensionCfg::default()
    };
    decision(c, "pension", morning, move |_| {
        Box::new(Pension::new(0, &pension, 300e9))
    });
    decision(c, "long_term", morning, |_| {
        Box::new(LongTermManager::new(0, &LongTermCfg::default(), 100e9))
    });
}

criterion_group!(benches, agents);
criterion_main!(benches);
