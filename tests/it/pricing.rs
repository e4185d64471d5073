//! The options maths dealers hedge with (`flowsim::pricing`), checked against published
//! examples, against the figures docs/model.md §4 quotes, against finite differences of its own
//! prices, and over wide random inputs.

use flowsim::pricing::{
    BsInputs, OptionKind, VolSurface, charm, d1_d2, delta, dollar_delta, dollar_gamma_per_pct,
    gamma, gamma_theta_breakeven, greeks, price, rho, theta, vanna, vega,
};
use proptest::prelude::*;

use OptionKind::{Call, Put};

fn inputs(spot: f64, strike: f64, rate: f64, q: f64, vol: f64, years: f64) -> BsInputs {
    BsInputs {
        spot,
        strike,
        rate,
        dividend_yield: q,
        vol,
        years_to_expiry: years,
    }
}

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} ± {tol}"
    );
}

// ---------------------------------------------------------------------------------------------
// Published examples.

/// Hull, *Options, Futures, and Other Derivatives*, the Black–Scholes–Merton pricing example
/// (S0 = 42, K = 40, r = 10%, σ = 20%, T = 0.5); digits as in docs/model.md §4.1 and §4.6 #1
/// (Hull prints d1 = 0.7693, d2 = 0.6278, c = 4.76, p = 0.81).
#[test]
fn hull_pricing_example() {
    let x = inputs(42.0, 40.0, 0.10, 0.0, 0.20, 0.5);
    let (d1, d2) = d1_d2(x);
    assert_close("d1", d1, 0.769263, 5e-7);
    assert_close("d2", d2, 0.627841, 5e-7);
    let c = price(Call, x);
    let p = price(Put, x);
    assert_close("call", c, 4.7594, 5e-5);
    assert_close("put", p, 0.8086, 5e-5);
    // Put–call parity: C − P = S − K e^{−rT} = 3.9508.
    let parity = 42.0 - 40.0 * (-0.10f64 * 0.5).exp();
    assert_close("parity rhs", parity, 3.9508, 5e-5);
    assert_close("C − P", c - p, parity, 1e-12);
}

/// Hull, the greeks of the 20-week call on a non-dividend stock (S0 = 49, K = 50, r = 5%,
/// σ = 20%, T = 20/52): Hull prints c = 2.40, Δ = 0.522, Γ = 0.066, Θ = −4.31/yr,
/// vega = 12.1, ρ = 8.91; four-decimal digits from docs/model.md §4.1 and §4.6 #2.
#[test]
fn hull_greeks_example() {
    let x = inputs(49.0, 50.0, 0.05, 0.0, 0.20, 20.0 / 52.0);
    assert_close("d1", d1_d2(x).0, 0.054181, 5e-7);
    assert_close("call", price(Call, x), 2.4005, 5e-5);
    assert_close("delta", delta(Call, x), 0.52160, 5e-6);
    assert_close("gamma", gamma(x), 0.065544, 5e-7);
    assert_close("theta", theta(Call, x), -4.3053, 5e-5);
    assert_close("vega", vega(x), 12.1055, 5e-5);
    assert_close("rho", rho(Call, x), 8.9070, 5e-5);
}

/// docs/model.md §4.6 #3: Γ_call = Γ_put and Δ_call − Δ_put = e^{−qT}; also put–call parity with a
/// dividend yield, and the other greeks' call–put relations that follow from parity
/// (C − P = S e^{−qT} − K e^{−rT}, differentiated).
#[test]
fn call_put_relations_with_dividend_yield() {
    for x in [
        inputs(100.0, 90.0, 0.03, 0.02, 0.25, 0.75),
        inputs(100.0, 130.0, 0.01, 0.05, 0.40, 2.0),
        inputs(5000.0, 4800.0, 0.045, 0.013, 0.15, 7.0 / 365.0),
        inputs(20.0, 20.0, 0.0, 0.08, 0.9, 0.1),
    ] {
        let t = x.years_to_expiry;
        let (q, r, s, k) = (x.dividend_yield, x.rate, x.spot, x.strike);
        let dq = (-q * t).exp();
        let dr = (-r * t).exp();
        let gc = greeks(Call, x);
        let gp = greeks(Put, x);
        assert_eq!(gc.gamma, gp.gamma);
        assert_eq!(gc.vega, gp.vega);
        assert_eq!(gc.vanna, gp.vanna);
        assert_close("Δc − Δp", gc.delta - gp.delta, dq, 1e-15);
        let scale = s.max(k);
        assert_close(
            "parity",
            gc.price - gp.price,
            s * dq - k * dr,
            1e-12 * scale,
        );
        assert_close(
            "Θc − Θp",
            gc.theta - gp.theta,
            q * s * dq - r * k * dr,
            1e-12 * scale,
        );
        assert_close("ρc − ρp", gc.rho - gp.rho, k * t * dr, 1e-12 * scale);
        assert_close("charm c − p", gc.charm - gp.charm, q * dq, 1e-12);
    }
}

/// `greeks` (the bundle dealers use) gives exactly the numbers of the one-greek functions, which
/// the tests above and below check one by one: it guards the bundle against drifting from them.
#[test]
fn greeks_matches_single_functions() {
    let x = inputs(101.0, 95.0, 0.02, 0.01, 0.3, 0.4);
    for kind in [Call, Put] {
        let g = greeks(kind, x);
        assert_eq!(g.price, price(kind, x));
        assert_eq!(g.delta, delta(kind, x));
        assert_eq!(g.gamma, gamma(x));
        assert_eq!(g.vega, vega(x));
        assert_eq!(g.theta, theta(kind, x));
        assert_eq!(g.rho, rho(kind, x));
        assert_eq!(g.vanna, vanna(x));
        assert_eq!(g.charm, charm(kind, x));
    }
}

// ---------------------------------------------------------------------------------------------
// docs/model.md §4.3, §4.4, §4.6: dealer exposure figures.

/// An ATM SPX-like option with r = q = 0 (docs/model.md §4.6 gives no rate for these examples; a 5%
/// rate moves the 30-day figure by under 0.1%).
fn spx_atm(vol: f64, years: f64) -> BsInputs {
    inputs(5000.0, 5000.0, 0.0, 0.0, vol, years)
}

/// docs/model.md §4.6 #4: dealers short 100,000 ATM 30-day calls at S = 5000, σ = 15%
/// ⇒ GEX ≈ −$4.64bn per 1% move (calendar year: T = 30/365; this file computes −$4.637bn).
#[test]
fn dealer_gex_short_100k_atm_calls() {
    let g = gamma(spx_atm(0.15, 30.0 / 365.0));
    let gex = dollar_gamma_per_pct(g, -100_000.0, 100.0, 5000.0);
    assert_close("GEX $ per 1%", gex, -4.64e9, 0.005e9);
}

/// docs/model.md §4.4: dollar gamma per 1% per contract (×100) at S = 5000, σ = 15%:
/// $46.4k (30d), $96.0k (7d), $254k (1d), $648k (1 hour).
///
/// The convention that reproduces them is the *calendar* year, T = days/365 (with 252 the
/// figures would be $38.5k, $79.8k, $211k). "1 hour" reproduces only as one hour of a
/// 6.5-hour trading session, T = (1/6.5)/365; a wall-clock hour, T = (1/24)/365, gives $1.24M.
#[test]
fn dollar_gamma_per_contract_by_expiry() {
    let per_contract = |days: f64, days_per_year: f64| {
        let g = gamma(spx_atm(0.15, days / days_per_year));
        dollar_gamma_per_pct(g, 1.0, 100.0, 5000.0)
    };
    assert_close("30d", per_contract(30.0, 365.0), 46.4e3, 0.05e3);
    assert_close("7d", per_contract(7.0, 365.0), 96.0e3, 0.05e3);
    assert_close("1d", per_contract(1.0, 365.0), 254e3, 0.5e3);
    assert_close("1h", per_contract(1.0 / 6.5, 365.0), 648e3, 0.5e3);
    // The other conventions do not give those figures.
    assert!((per_contract(30.0, 252.0) - 46.4e3).abs() > 5e3);
    assert!((per_contract(1.0 / 24.0, 365.0) - 648e3).abs() > 100e3);
}

/// docs/model.md §4.3 and §4.6 #5: gamma–theta break-even daily move at σ_imp = 20% is 1.26% with a
/// 252-day year and 1.05% with 365 (with r = q = 0 it is σ/√days whatever the expiry).
#[test]
fn gamma_theta_breakeven_daily_move() {
    for years in [1.0 / 365.0, 30.0 / 365.0, 0.5] {
        let x = spx_atm(0.20, years);
        let (th, g) = (theta(Call, x), gamma(x));
        let be252 = gamma_theta_breakeven(th, g, 5000.0, 252.0).unwrap();
        let be365 = gamma_theta_breakeven(th, g, 5000.0, 365.0).unwrap();
        assert_close("252", be252, 0.0126, 5e-5);
        assert_close("365", be365, 0.0105, 5e-5);
        assert_close("exact 252", be252, 0.20 / 252f64.sqrt(), 1e-12);
        // A short position flips both signs and has the same break-even.
        assert_eq!(gamma_theta_breakeven(-th, -g, 5000.0, 252.0), Some(be252));
    }
    // No gamma, or gamma and theta of the same sign: no move breaks even.
    assert_eq!(gamma_theta_breakeven(-1.0, 0.0, 100.0, 365.0), None);
    assert_eq!(gamma_theta_breakeven(1.0, 0.01, 100.0, 365.0), None);
    assert_eq!(gamma_theta_breakeven(0.0, 0.01, 100.0, 365.0), Some(0.0));
}

/// docs/model.md §4.4 and §4.6 #6: ATM gamma scales as 1/(Sσ√T), so 1-day over 30-day gamma is
/// √30 ≈ 5.48 (within 1%: d1 = σ√T/2 is not exactly 0).
#[test]
fn atm_gamma_one_day_over_thirty_days() {
    let ratio = gamma(spx_atm(0.15, 1.0 / 365.0)) / gamma(spx_atm(0.15, 30.0 / 365.0));
    assert!((ratio / 30f64.sqrt() - 1.0).abs() < 0.01, "ratio {ratio}");
}

/// Dealers short 10 ATM 30-day SPX puts (S = K = 5000, σ = 15%, r = q = 0, multiplier 100),
/// worked by hand: d1 = σ√T/2 = 0.15·√(30/365)/2 = 0.0215018, N(d1) = 0.5085773, so
/// Δ_put = N(d1) − 1 = −0.4914227 and the dollar delta is −0.4914227 × −10 × 100 × 5000
/// ≈ +$2,457,113: short puts are long delta.
#[test]
fn dollar_delta_of_short_atm_puts() {
    let d = delta(Put, spx_atm(0.15, 30.0 / 365.0));
    assert_close("Δ put", d, -0.4914227, 1e-6);
    let dd = dollar_delta(d, -10.0, 100.0, 5000.0);
    assert_close("dollar delta", dd, 2_457_113.0, 5.0);
    assert!(dd > 0.0, "short puts are long delta");
}

// ---------------------------------------------------------------------------------------------
// Greeks against central finite differences of the library's own prices and deltas.

fn central(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

#[test]
fn greeks_match_finite_differences() {
    let points = [
        inputs(100.0, 100.0, 0.05, 0.0, 0.20, 1.0),
        inputs(100.0, 80.0, 0.03, 0.02, 0.35, 0.25),
        inputs(100.0, 125.0, 0.01, 0.04, 0.15, 2.0),
        inputs(5000.0, 4900.0, 0.045, 0.013, 0.15, 7.0 / 365.0),
        inputs(5000.0, 5050.0, 0.0, 0.0, 0.12, 1.0 / 365.0),
        inputs(42.0, 40.0, 0.10, 0.0, 0.20, 0.5),
        inputs(10.0, 14.0, -0.01, 0.0, 0.8, 3.0),
    ];
    for x in points {
        for kind in [Call, Put] {
            let g = greeks(kind, x);
            let ctx = format!("{kind:?} {x:?}");
            // Steps scaled to the option's own scale (one standard deviation of the terminal
            // spot, σ·S·√T), or a 1-day option's curvature swamps the difference.
            let hs = 1e-3 * x.spot * x.vol * x.years_to_expiry.sqrt();
            let ht = 1e-4 * x.years_to_expiry;
            let hv = 1e-4 * x.vol;
            let hr = 1e-5;
            let with_spot = |s: f64| BsInputs { spot: s, ..x };
            let with_vol = |v: f64| BsInputs { vol: v, ..x };
            let with_t = |t: f64| BsInputs {
                years_to_expiry: t,
                ..x
            };
            let with_rate = |r: f64| BsInputs { rate: r, ..x };

            let checks = [
                (
                    "delta",
                    g.delta,
                    central(|s| price(kind, with_spot(s)), x.spot, hs),
                ),
                (
                    "gamma",
                    g.gamma,
                    central(|s| delta(kind, with_spot(s)), x.spot, hs),
                ),
                (
                    "vega",
                    g.vega,
                    central(|v| price(kind, with_vol(v)), x.vol, hv),
                ),
                (
                    "theta",
                    g.theta,
                    -central(|t| price(kind, with_t(t)), x.years_to_expiry, ht),
                ),
                (
                    "rho",
                    g.rho,
                    central(|r| price(kind, with_rate(r)), x.rate, hr),
                ),
                (
                    "vanna",
                    g.vanna,
                    central(|v| delta(kind, with_vol(v)), x.vol, hv),
                ),
                (
                    "charm",
                    g.charm,
                    -central(|t| delta(kind, with_t(t)), x.years_to_expiry, ht),
                ),
            ];
            for (name, analytic, numeric) in checks {
                let tol = 1e-5 * analytic.abs().max(1e-3);
                assert!(
                    (analytic - numeric).abs() <= tol,
                    "{name} {ctx}: analytic {analytic}, finite difference {numeric}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The expiry and zero-volatility limits.

#[test]
fn at_expiry_an_option_is_its_intrinsic_value() {
    for years in [0.0, -0.5] {
        for (spot, call, put, d_call) in [
            (110.0, 10.0, 0.0, 1.0),
            (90.0, 0.0, 10.0, 0.0),
            (100.0, 0.0, 0.0, 0.5),
        ] {
            let x = inputs(spot, 100.0, 0.05, 0.02, 0.2, years);
            let (gc, gp) = (greeks(Call, x), greeks(Put, x));
            assert_eq!(gc.price, call);
            assert_eq!(gp.price, put);
            assert_eq!(gc.delta, d_call);
            assert_eq!(gp.delta, d_call - 1.0);
            for g in [gc, gp] {
                assert_eq!((g.gamma, g.vega, g.vanna, g.rho), (0.0, 0.0, 0.0, 0.0));
                assert!(g.theta.is_finite() && g.charm.is_finite());
            }
            let (d1, d2) = d1_d2(x);
            assert!(!d1.is_nan() && d1 == d2);
        }
    }
}

#[test]
fn zero_volatility_is_the_discounted_forward_intrinsic_value() {
    let (r, q, t): (f64, f64, f64) = (0.05, 0.02, 0.5);
    let (dq, dr) = ((-q * t).exp(), (-r * t).exp());
    for vol in [0.0, -0.1] {
        // Forward above the strike: the call is exercised for sure.
        let x = inputs(100.0, 95.0, r, q, vol, t);
        let g = greeks(Call, x);
        assert_close("price", g.price, 100.0 * dq - 95.0 * dr, 1e-12);
        assert_eq!(g.delta, dq);
        assert_eq!((g.gamma, g.vega, g.vanna), (0.0, 0.0, 0.0));
        assert_close("theta", g.theta, q * 100.0 * dq - r * 95.0 * dr, 1e-12);
        assert_close("rho", g.rho, 95.0 * t * dr, 1e-12);
        assert_close("charm", g.charm, q * dq, 1e-15);
        assert_eq!(greeks(Put, x).price, 0.0);
        assert_eq!(greeks(Put, x).delta, 0.0);
        // Discounted forward exactly at the discounted strike: half the step.
        let atf = inputs(100.0, 100.0, 0.03, 0.03, vol, t);
        assert_eq!(delta(Call, atf), 0.5 * (-0.03f64 * t).exp());
        assert_eq!(price(Call, atf), 0.0);
    }
}

#[test]
fn short_expiries_approach_the_limit_smoothly() {
    // One second before expiry, 1% in the money: worth its intrinsic value, delta 1.
    let x = inputs(101.0, 100.0, 0.05, 0.0, 0.2, 1.0 / (365.0 * 86_400.0));
    assert_close("price", price(Call, x), 1.0, 1e-6);
    assert_close("delta", delta(Call, x), 1.0, 1e-12);
    assert!(gamma(x) >= 0.0 && gamma(x) < 1e-12);
    // Exactly at the money the gamma is very large but finite.
    let atm = BsInputs { spot: 100.0, ..x };
    assert!(gamma(atm).is_finite() && gamma(atm) > 1.0);
    // Tiny volatility far from the strike does not produce 0·∞.
    let y = inputs(100.0, 50.0, 0.0, 0.0, 1e-300, 1.0);
    let g = greeks(Call, y);
    assert_eq!(
        (g.price, g.delta, g.gamma, g.vanna, g.charm),
        (50.0, 1.0, 0.0, 0.0, 0.0)
    );
}

#[test]
fn zero_spot_or_strike_gives_finite_numbers() {
    for (s, k) in [
        (0.0, 100.0),
        (100.0, 0.0),
        (0.0, 0.0),
        (-5.0, 100.0),
        (100.0, -5.0),
    ] {
        for kind in [Call, Put] {
            let g = greeks(kind, inputs(s, k, 0.05, 0.01, 0.2, 1.0));
            for v in [
                g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.vanna, g.charm,
            ] {
                assert!(v.is_finite(), "{kind:?} S={s} K={k}: {g:?}");
            }
            assert!(g.price >= 0.0);
        }
    }
    // A worthless underlying: the put is the discounted strike.
    let x = inputs(0.0, 100.0, 0.05, 0.0, 0.2, 1.0);
    assert_close("put", price(Put, x), 100.0 * (-0.05f64).exp(), 1e-12);
    assert_eq!(price(Call, x), 0.0);
}

// ---------------------------------------------------------------------------------------------
// The volatility surface.

fn surface() -> VolSurface {
    VolSurface {
        atm_vol: 0.16,
        skew: 0.4,
        spot_beta: 3.0,
        floor: 0.05,
        cap: 1.5,
    }
}

#[test]
fn surface_follows_its_formula() {
    let v = surface();
    assert_close(
        "atm at ref",
        v.vol(5000.0, 5000.0, 5000.0, 0.1),
        0.16,
        1e-15,
    );
    let want = 0.16 * (4800.0f64 / 5000.0).powf(-3.0) * (1.0 - 0.4 * (4700.0f64 / 4800.0).ln());
    assert_close("formula", v.vol(4700.0, 4800.0, 5000.0, 0.1), want, 1e-15);
    // Puts (low strikes) carry more volatility than calls.
    assert!(v.vol(4500.0, 5000.0, 5000.0, 0.1) > v.vol(5500.0, 5000.0, 5000.0, 0.1));
    // Volatility rises as the market falls.
    assert!(v.vol(4750.0, 4750.0, 5000.0, 0.1) > v.vol(5000.0, 5000.0, 5000.0, 0.1));
    // The expiry does not enter (no term structure).
    assert_eq!(
        v.vol(4700.0, 4800.0, 5000.0, 0.01),
        v.vol(4700.0, 4800.0, 5000.0, 2.0)
    );
}

#[test]
fn surface_clamps_and_never_panics() {
    let v = surface();
    // Far out-of-the-money calls would go negative with a linear skew: the floor holds them.
    assert_eq!(v.vol(5000.0 * 20.0, 5000.0, 5000.0, 0.1), 0.05);
    // A crash multiplies volatility beyond the cap.
    assert_eq!(v.vol(1000.0, 1000.0, 5000.0, 0.1), 1.5);
    // Nonsense inputs give the floor, not NaN.
    assert_eq!(v.vol(5000.0, 0.0, 5000.0, 0.1), 0.05);
    assert_eq!(v.vol(5000.0, -1.0, 5000.0, 0.1), 0.05);
    assert_eq!(v.vol(f64::NAN, 5000.0, 5000.0, 0.1), 0.05);
    // An inverted band does not panic.
    let inverted = VolSurface {
        floor: 0.5,
        cap: 0.2,
        ..v
    };
    assert_eq!(inverted.vol(5000.0, 5000.0, 5000.0, 0.1), 0.2);
}

// ---------------------------------------------------------------------------------------------
// Properties over wide inputs.

fn wide_inputs() -> impl Strategy<Value = BsInputs> {
    (
        prop_oneof![0.01f64..1e5, Just(1.0)],
        -4.0f64..4.0,
        -0.05f64..0.25,
        prop_oneof![Just(0.0), 0.0f64..0.15],
        prop_oneof![0.0f64..4.0, 1e-9f64..1e-3, Just(0.0)],
        prop_oneof![-0.1f64..30.0, 0.0f64..1e-6, Just(0.0)],
    )
        .prop_map(|(spot, log_k, rate, q, vol, years)| {
            inputs(spot, spot * log_k.exp(), rate, q, vol, years)
        })
}

proptest! {
    #[test]
    fn prices_and_greeks_are_finite_and_within_bounds(x in wide_inputs()) {
        let t = x.years_to_expiry.max(0.0);
        let dq = (-x.dividend_yield * t).exp();
        let fwd = x.spot * dq;
        let pv_k = x.strike * (-x.rate * t).exp();
        let tol = 1e-12 * (fwd + pv_k);
        let c = greeks(Call, x);
        let p = greeks(Put, x);
        for g in [c, p] {
            for v in [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.vanna, g.charm] {
                prop_assert!(v.is_finite(), "{:?} {:?}", x, g);
            }
            prop_assert!(g.gamma >= 0.0);
            prop_assert!(g.vega >= 0.0);
        }
        prop_assert!(c.price >= (fwd - pv_k).max(0.0) && c.price <= fwd + tol, "{:?} {:?}", x, c);
        prop_assert!(p.price >= (pv_k - fwd).max(0.0) && p.price <= pv_k + tol, "{:?} {:?}", x, p);
        prop_assert!((0.0..=dq).contains(&c.delta), "{:?} {:?}", x, c);
        prop_assert!((-dq..=0.0).contains(&p.delta), "{:?} {:?}", x, p);
        prop_assert!((c.price - p.price - (fwd - pv_k)).abs() <= tol, "parity {:?}", x);
        let (d1, d2) = d1_d2(x);
        prop_assert!(!d1.is_nan() && !d2.is_nan());
    }
}
