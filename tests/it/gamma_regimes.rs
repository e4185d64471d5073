//! The `gamma_regimes` experiment: its sweep file expands to the grid its document describes,
//! and a sweep's `points.csv` pools each point's seeds into the same regression one computes
//! from the run folders' bars by hand.

use crate::common::{Scratch, num, read_csv_maps, sweep_ok, tiny};
use std::path::{Path, PathBuf};

use flowsim::analysis::momentum::{IntradayMomentum, intraday_momentum};
use flowsim::record::RunRecords;
use flowsim::scenario::{SettlementCfg, load_sweep};

fn experiments() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments")
}

fn value(v: &Option<toml::Value>) -> f64 {
    match v {
        Some(toml::Value::Integer(i)) => *i as f64,
        Some(toml::Value::Float(x)) => *x,
        other => panic!("not a number: {other:?}"),
    }
}

/// The numeric parameters of a point, and its settlement (`None`: the default, cash) with
/// whether it hedges to the payoff into an expiry close (`None`: the default, no).
fn values(p: &flowsim::scenario::SweepPoint) -> (Vec<f64>, Option<String>) {
    let n = p.values.len();
    let (numbers, last) = p.values.split_at(n - 2);
    let settlement = last[0].as_ref().map(|v| v.as_str().unwrap().to_string());
    let payoff = last[1].as_ref().map(|v| v.as_bool().unwrap());
    let settlement = match (settlement, payoff) {
        (s, None) => s,
        (Some(s), Some(true)) => Some(format!("{s}, hedge_to_payoff")),
        other => panic!("{other:?}"),
    };
    (numbers.iter().map(value).collect(), settlement)
}

/// experiments/gamma_regimes.md (on the reference market): 5 dealer books × 2 latent-book
/// depths, then the ±200k books at 5 days, 4 market-maker depth points, 3 same-day pinning
/// points, the long book without the hedge ladder, 2 hedged through the day, the ±600k books
/// and 2 pinning points physically settled and hedged to the payoff into the close; seeds
/// 1–4; the base scenario hedges late, with the ladder, cash-settled.
#[test]
fn sweep_file_expands_to_the_documented_grid() {
    let sweep = load_sweep(&experiments().join("gamma_regimes_sweep.toml")).unwrap();
    assert_eq!(sweep.seeds, (1..=4).collect::<Vec<u64>>());
    let params: Vec<String> = sweep.parameters.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        params,
        [
            "agents.dealer.series.0.contracts",
            "agents.value.latent.far_usd_per_pct",
            "agents.dealer.series.0.expiry_days",
            "agents.market_maker.quote_usd",
            "agents.dealer.hedge_interval_minutes",
            "agents.dealer.ladder_levels",
            "agents.dealer.max_order_usd",
            "agents.dealer.settlement",
            "agents.dealer.hedge_to_payoff",
        ]
    );
    assert_eq!(sweep.points.len(), 26);
    assert_eq!(sweep.runs(), 104);

    // The grid: contracts vary slowest, then the latent book's depth; all at 21 days.
    let mut k = 0;
    for contracts in [-200_000.0, -60_000.0, 0.0, 60_000.0, 200_000.0] {
        for far in [1.075e12, 2.15e11] {
            let p = &sweep.points[k];
            assert_eq!(
                values(p),
                (vec![contracts, far, 21.0, 100e6, 2000.0, 40.0, 500e6], None),
                "point {k}"
            );
            // The override reached the checked scenario.
            let d = p.scenario.scenario.agents.dealer.as_ref().unwrap();
            assert_eq!(d.series[0].contracts, contracts);
            assert_eq!(d.series[0].expiry_days, 21);
            let v = p.scenario.scenario.agents.value.as_ref().unwrap();
            assert_eq!(v.latent.far_usd_per_pct, far);
            k += 1;
        }
    }
    // Tenor, depth, pinning, no-ladder, hedged-through-the-day and larger books, in file order.
    let rest: Vec<Vec<f64>> = sweep.points[10..24]
        .iter()
        .map(|p| {
            let (v, settlement) = values(p);
            assert_eq!(settlement, None);
            v
        })
        .collect();
    let f = 1.075e12;
    assert_eq!(
        rest,
        [
            [-200_000.0, f, 5.0, 100e6, 2000.0, 40.0, 500e6],
            [200_000.0, f, 5.0, 100e6, 2000.0, 40.0, 500e6],
            [-200_000.0, f, 21.0, 25e6, 2000.0, 40.0, 500e6],
            [200_000.0, f, 21.0, 25e6, 2000.0, 40.0, 500e6],
            [-200_000.0, f, 21.0, 400e6, 2000.0, 40.0, 500e6],
            [200_000.0, f, 21.0, 400e6, 2000.0, 40.0, 500e6],
            [20_000.0, f, 0.0, 100e6, 5.0, 40.0, 500e6],
            [0.0, f, 0.0, 100e6, 5.0, 40.0, 500e6],
            [-20_000.0, f, 0.0, 100e6, 5.0, 40.0, 500e6],
            [200_000.0, f, 21.0, 100e6, 2000.0, 0.0, 500e6],
            [-200_000.0, f, 21.0, 100e6, 15.0, 40.0, 500e6],
            [200_000.0, f, 21.0, 100e6, 15.0, 40.0, 500e6],
            [-600_000.0, f, 21.0, 100e6, 2000.0, 40.0, 1.5e9],
            [600_000.0, f, 21.0, 100e6, 2000.0, 40.0, 1.5e9],
        ]
    );
    // Two pinning points again, physically settled, hedged to the payoff into the close, with
    // the options customers unwinding deliveries (the default with physical settlement).
    for (k, contracts) in [(24, 20_000.0), (25, -20_000.0)] {
        let p = &sweep.points[k];
        assert_eq!(
            values(p),
            (
                vec![contracts, f, 0.0, 100e6, 5.0, 40.0, 500e6],
                Some("physical, hedge_to_payoff".to_string())
            ),
            "point {k}"
        );
        let d = p.scenario.scenario.agents.dealer.as_ref().unwrap();
        assert_eq!(d.settlement, SettlementCfg::Physical);
        assert!(d.hedge_to_payoff && d.customer_unwind);
    }

    // The base scenario: one ATM call series, dealers short, hedged from 15:30 in market
    // orders and through a resting ladder 40 levels a side, one point apart.
    let base = &sweep.base.scenario;
    assert_eq!(base.days, 40);
    let d = base.agents.dealer.as_ref().unwrap();
    assert_eq!(d.close_hedge, "15:30");
    assert_eq!(d.settlement, SettlementCfg::Cash);
    assert_eq!((d.ladder_levels, d.ladder_step), (40, 0.0002));
    assert!(d.hedge_interval_minutes as f64 * 60.0 > 24.0 * 3600.0);
    assert!(d.delta_band_usd >= 1e12);
    assert_eq!(d.series.len(), 1);
    assert_eq!(
        (d.series[0].moneyness, d.series[0].contracts),
        (1.0, -200_000.0)
    );
}

/// The tiny market (tests/common) with short-gamma dealers, five days.
fn tiny_gamma() -> String {
    tiny(
        "name = \"tiny_gamma\"\nseed = 1\ndays = 5",
        r#"
[agents.dealer]
close_hedge = "15:30"
strike_step = 25.0
[[agents.dealer.series]]
kind = "call"
moneyness = 1.0
expiry_days = 2
contracts = -20000
"#,
    )
}

const SWEEP: &str = r#"scenario = "tiny.toml"
seeds = [3, 4]

[grid]
"agents.dealer.series.0.contracts" = [-20000, 20000]
"#;

/// `points.csv` pools the seeds of each point: its regression is the one over all the days of
/// its run folders, computed here from their bars, and its pinning covers the expiry days of
/// every run (days 2 and 4 of 5, for a 2-day series). `sweep.csv` carries each run's own.
#[test]
fn points_table_pools_the_seeds_of_each_point() {
    let s = Scratch::new("gamma-points");
    s.write("tiny.toml", &tiny_gamma());
    let file = s.write("sweep.toml", SWEEP);
    let out = s.path("out");
    sweep_ok(&file, &out, &["--threads", "2", "--no-charts", "-q"]);

    let runs = read_csv_maps(&out.join("sweep.csv"));
    assert_eq!(runs.len(), 4);
    let points = read_csv_maps(&out.join("points.csv"));
    assert_eq!(points.len(), 2);
    for (p, row) in points.iter().enumerate() {
        assert_eq!(row["point"], p.to_string());
        assert_eq!(row["runs"], "2");
        let mine: Vec<_> = runs
            .iter()
            .filter(|r| r["point"] == p.to_string())
            .collect();
        let moms: Vec<IntradayMomentum> = mine
            .iter()
            .map(|r| {
                let rec = RunRecords::read_bars(&out.join("runs").join(&r["run"])).unwrap();
                intraday_momentum(&rec.bars, 0, 30)
            })
            .collect();
        for (r, m) in mine.iter().zip(&moms) {
            assert_eq!(num::<f64>(r, "SPX_mom_days"), m.fit.n as f64);
            assert!(
                (num::<f64>(r, "SPX_mom_slope") - m.fit.slope).abs() <= 1e-12 * m.fit.slope.abs()
            );
            assert_eq!(num::<f64>(r, "SPX_pin_days"), 2.0);
            let vol: f64 = num(r, "SPX_intraday_vol");
            assert!(vol > 0.0 && vol < 5.0, "{vol}");
        }
        let pooled = IntradayMomentum::pooled(&moms);
        assert_eq!(num::<f64>(row, "SPX_mom_days"), 10.0);
        assert_eq!(pooled.n, 10);
        for (col, want) in [
            ("SPX_mom_slope", pooled.slope),
            ("SPX_mom_se", pooled.slope_se),
            ("SPX_mom_t", pooled.t),
            ("SPX_mom_r2", pooled.r2),
        ] {
            let got: f64 = num(row, col);
            assert!(
                (got - want).abs() <= 1e-9 * want.abs().max(1e-12),
                "{col}: {got} vs {want}"
            );
        }
        assert_eq!(num::<f64>(row, "SPX_pin_days"), 4.0);
        let d: f64 = num(row, "SPX_pin_distance");
        assert!((0.0..=0.5).contains(&d), "{d}");
    }
}
