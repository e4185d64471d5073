//! The reference market (experiments/markets/spx.toml) meets its calm-day targets and its
//! impact is concave and transient: these fail if the market goes back to linear, permanent
//! impact or to a toy volume.

use std::collections::BTreeMap;
use std::path::Path;

use flowsim::analysis::stylized::stylized_facts;
use flowsim::record::RunRecords;

use crate::common::*;

fn spx() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/markets/spx.toml")
}

fn field(json: &serde_json::Value, key: &str) -> f64 {
    json[0][key]
        .as_f64()
        .unwrap_or_else(|| panic!("market.json has no {key}"))
}

/// Three calm days: volume of the S&P complex's size ($0.6–1.0tn a day), a one-tick spread
/// at least 80% of the time, a closing auction of 5–10% of volume, a thin displayed book
/// (within 1% of the mid, between $0.5bn and $10bn a side, against ~$100bn before), and
/// one-minute returns that do not trend: their lag-1 autocorrelation is within ±0.15 (real
/// index futures are near zero; with market makers that held $500m each and walked the price
/// through their inventory skew it was +0.29), and whose tails stay in the empirical range of
/// tail index 2–5 (makers without any skew left gaps the price jumped across: about 1 over 20
/// days, 1.7 on these three).
#[test]
fn the_reference_market_has_real_size_volume_a_tick_spread_and_an_auction() {
    let s = Scratch::new("refmarket");
    let body = std::fs::read_to_string(spx()).unwrap();
    let file = s.write("spx.toml", &body.replace("days = 5", "days = 3"));
    let out = s.path("run");
    run_ok(
        &file,
        &out,
        &["--calibration", "--no-report", "--tables", "sweep"],
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("market.json")).unwrap()).unwrap();
    let adv = field(&json, "adv_usd");
    assert!(
        (0.6e12..=1.0e12).contains(&adv),
        "volume ${:.0}bn",
        adv / 1e9
    );
    let one_tick = field(&json, "one_tick_share");
    assert!(one_tick >= 0.8, "one-tick spread {one_tick}");
    let auction = field(&json, "closing_auction_share");
    assert!((0.05..=0.10).contains(&auction), "auction {auction}");
    for side in ["depth_1pct_bid_usd", "depth_1pct_ask_usd"] {
        let d = field(&json, side);
        assert!((0.5e9..=10e9).contains(&d), "{side} ${:.2}bn", d / 1e9);
    }
    let bars = RunRecords::read_bars(&out).unwrap();
    let facts = stylized_facts(&bars.bars, 0);
    assert!(facts.returns > 1000, "{} returns", facts.returns);
    assert!(facts.acf[0].abs() <= 0.15, "lag-1 ACF {}", facts.acf[0]);
    assert!(
        (2.0..5.0).contains(&facts.hill_tail_index),
        "tail index {}",
        facts.hill_tail_index
    );
}

/// Sell programmes of $10bn and $100bn over one hour on eight seeds, held to the impact targets
/// themselves: ten times the size moves the price between 10^0.4 and 10^0.6 times as much (δ in
/// [0.4, 0.6]; linear impact gives 10), and by the next close the $100bn programme keeps between
/// 0.4 and 0.8 of its peak (fully permanent impact keeps 1, an uninformed latent book about
/// 0.14). On these seeds the ratio is 3.52 (δ 0.547) and the share 0.58; on the trades-only
/// market before December 2026 they were 3.5 and 0.43 with these sizes, its δ over all sizes
/// 0.71.
#[test]
fn impact_on_the_reference_market_is_concave_and_relaxes() {
    let s = Scratch::new("refimpact");
    let out = s.path("impact");
    let o = flowsim([
        "impact".as_ref(),
        spx().as_os_str(),
        "--sizes".as_ref(),
        "1e10,1e11".as_ref(),
        "--seeds".as_ref(),
        "8".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    assert_success(&o, "flowsim impact");
    let rows = read_csv_maps(&out.join("impact.csv"));
    let mut by_size: BTreeMap<u64, (f64, f64, usize)> = BTreeMap::new();
    for r in &rows {
        // The programme trades in its window: the peak measures all of it. (When the last
        // one-minute slice sent its remainder to the close, a $100bn hour traded 71–96% of
        // itself in the window on these seeds.)
        let (size, in_window) = (num::<f64>(r, "size_usd"), num::<f64>(r, "in_window_usd"));
        assert!(in_window > 0.97 * size, "{r:?}");
        let e = by_size.entry(num::<u64>(r, "size_usd")).or_default();
        e.0 += num::<f64>(r, "peak");
        e.1 += num::<f64>(r, "next_close");
        e.2 += 1;
    }
    let (small, large) = (by_size[&10_000_000_000], by_size[&100_000_000_000]);
    assert_eq!((small.2, large.2), (8, 8));
    assert!(large.0 > 0.0 && small.0 > 0.0);
    let ratio = large.0 / small.0;
    assert!(
        (10f64.powf(0.4)..=10f64.powf(0.6)).contains(&ratio),
        "peak ratio {ratio} for 10x the size"
    );
    let relaxation = large.1 / large.0;
    assert!(
        (0.4..=0.8).contains(&relaxation),
        "next-close impact {relaxation} of the peak"
    );
}
