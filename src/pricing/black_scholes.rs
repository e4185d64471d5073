//! Black–Scholes prices and greeks of European options on an underlying with a continuous
//! dividend yield `q` (docs/model.md §4.1; Hull, *Options, Futures, and Other Derivatives*).
//!
//! Dealers hedge their options book in the underlying, so what the simulation needs from this
//! file is the delta they hold against each option and how that delta drifts: with spot
//! (gamma), with implied volatility (vanna) and with the clock (charm). Prices, theta and
//! vega are here for their P&L and for the gamma–theta break-even.
//!
//! Conventions:
//! * Time is in years. Theta and charm are rates per year of calendar time *elapsed*
//!   (−∂/∂T): divide by the day count the caller uses (365 calendar or 252 trading days).
//! * Vega, vanna and rho are per unit of volatility or rate (1.00 = 100 percentage points).
//! * The normal CDF is `0.5·erfc(−x/√2)` from `libm`, accurate to about 1e-15 relative, and
//!   `N(−d)` is computed directly rather than as `1 − N(d)`, so far-out-of-the-money puts and
//!   calls keep their digits.
//!
//! **The degenerate limit.** When there is no diffusion left — `T ≤ 0` or `vol ≤ 0` — or the
//! spot or strike is not positive, the option is worth its discounted forward intrinsic value
//! `max(S·e^{−qT} − K·e^{−rT}, 0)` (at `T ≤ 0`: `max(S − K, 0)`), its delta is a step
//! (`e^{−qT}` in the money, 0 out of it, and exactly half the step, e.g. `0.5·e^{−qT}` for a
//! call, when the forward equals the strike), and gamma, vega and vanna are 0. Theta, rho and
//! charm keep only their carry terms. This is the limit of the formulas as σ√T → 0, so a
//! 0DTE book at the close or a scenario with zero volatility gets finite, sensible numbers;
//! nothing here panics or returns NaN for finite inputs (as long as the true result and
//! `e^{−rT}`, `e^{−qT}` are representable as `f64`). A negative `T` is read as expired and a
//! negative spot or strike as zero.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Call or put: the only thing that changes between the two is which side of the step the
/// payoff sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionKind {
    Call,
    Put,
}

impl OptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OptionKind::Call => "call",
            OptionKind::Put => "put",
        }
    }
}

/// The six numbers Black–Scholes depends on, gathered so greeks of one option can be asked for
/// without repeating them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BsInputs {
    /// Price of the underlying.
    pub spot: f64,
    pub strike: f64,
    /// Continuously compounded risk-free rate, per year (0.05 = 5%).
    pub rate: f64,
    /// Continuous dividend yield `q`, per year.
    pub dividend_yield: f64,
    /// Implied volatility, per √year (0.20 = 20%).
    pub vol: f64,
    /// Time to expiry in years.
    pub years_to_expiry: f64,
}

/// Everything a dealer needs about one option, computed from a single pass over the normal
/// CDF (the expensive part) rather than once per greek.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Greeks {
    pub price: f64,
    pub delta: f64,
    pub gamma: f64,
    /// Per unit of volatility.
    pub vega: f64,
    /// Per year of calendar time elapsed.
    pub theta: f64,
    /// Per unit of rate.
    pub rho: f64,
    /// ∂Δ/∂σ, per unit of volatility.
    pub vanna: f64,
    /// ∂Δ/∂t, per year of calendar time elapsed.
    pub charm: f64,
}

/// What every formula shares, computed once.
struct Core {
    spot: f64,
    strike: f64,
    rate: f64,
    q: f64,
    vol: f64,
    t: f64,
    sqrt_t: f64,
    /// e^{−qT}
    dq: f64,
    /// e^{−rT}
    dr: f64,
    d2: f64,
    n_d1: f64,
    n_d2: f64,
    n_neg_d1: f64,
    n_neg_d2: f64,
    /// φ(d1); exactly 0 in the degenerate limit, so every term it multiplies vanishes.
    pdf_d1: f64,
}

fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// True when the option still has diffusion ahead of it and the log-moneyness exists.
fn diffusive(i: &BsInputs) -> bool {
    // σ√T rather than σ and T separately: their product can underflow to 0.
    i.vol * i.years_to_expiry.sqrt() > 0.0 && i.spot > 0.0 && i.strike > 0.0
}

/// d1 and d2 of the Black–Scholes formula.
///
/// In the degenerate limit (see the module doc) they are the limits of the formula as σ√T → 0:
/// both +∞ when the discounted spot `S·e^{−qT}` is above the discounted strike `K·e^{−rT}`,
/// both −∞ below it, and both 0 when the two are equal, which is what gives the half step.
pub fn d1_d2(inputs: BsInputs) -> (f64, f64) {
    if diffusive(&inputs) {
        let t = inputs.years_to_expiry;
        let sd = inputs.vol * t.sqrt();
        // ln(F/K)/σ√T ± σ√T/2 rather than the textbook numerator: σ² never appears, so a huge
        // volatility cannot overflow it.
        let log_fwd_moneyness =
            (inputs.spot / inputs.strike).ln() + (inputs.rate - inputs.dividend_yield) * t;
        let x = log_fwd_moneyness / sd;
        if sd.is_finite() {
            (x + 0.5 * sd, x - 0.5 * sd)
        } else {
            (f64::INFINITY, f64::NEG_INFINITY)
        }
    } else {
        let t = inputs.years_to_expiry.max(0.0);
        let fwd = inputs.spot.max(0.0) * (-inputs.dividend_yield * t).exp();
        let pv_strike = inputs.strike.max(0.0) * (-inputs.rate * t).exp();
        let d = if fwd > pv_strike {
            f64::INFINITY
        } else if fwd < pv_strike {
            f64::NEG_INFINITY
        } else {
            0.0
        };
        (d, d)
    }
}

/// φ(d1), or exactly 0 in the degenerate limit.
fn pdf_at_d1(i: &BsInputs, d1: f64) -> f64 {
    if diffusive(i) && d1.is_finite() {
        norm_pdf(d1)
    } else {
        0.0
    }
}

/// Δ from e^{−qT} and N(d1) for a call or N(−d1) for a put.
fn delta_from(kind: OptionKind, dq: f64, cdf: f64) -> f64 {
    match kind {
        OptionKind::Call => dq * cdf,
        OptionKind::Put => -dq * cdf,
    }
}

/// Γ from e^{−qT}, φ(d1), S, σ and √T (0 where φ(d1) is, so the degenerate limit has none).
fn gamma_from(dq: f64, pdf_d1: f64, spot: f64, vol: f64, sqrt_t: f64) -> f64 {
    if pdf_d1 > 0.0 {
        dq * pdf_d1 / (spot * vol * sqrt_t)
    } else {
        0.0
    }
}

fn core(i: BsInputs) -> Core {
    let t = i.years_to_expiry.max(0.0);
    let (d1, d2) = d1_d2(i);
    let pdf_d1 = pdf_at_d1(&i, d1);
    Core {
        spot: i.spot.max(0.0),
        strike: i.strike.max(0.0),
        rate: i.rate,
        q: i.dividend_yield,
        vol: i.vol,
        t,
        sqrt_t: t.sqrt(),
        dq: (-i.dividend_yield * t).exp(),
        dr: (-i.rate * t).exp(),
        d2,
        n_d1: norm_cdf(d1),
        n_d2: norm_cdf(d2),
        n_neg_d1: norm_cdf(-d1),
        n_neg_d2: norm_cdf(-d2),
        pdf_d1,
    }
}

impl Core {
    fn price(&self, kind: OptionKind) -> f64 {
        let fwd = self.spot * self.dq;
        let pv_k = self.strike * self.dr;
        // Rounding in the subtraction must not take a price below its no-arbitrage floor.
        match kind {
            OptionKind::Call => (fwd * self.n_d1 - pv_k * self.n_d2)
                .max(fwd - pv_k)
                .max(0.0),
            OptionKind::Put => (pv_k * self.n_neg_d2 - fwd * self.n_neg_d1)
                .max(pv_k - fwd)
                .max(0.0),
        }
    }

    fn delta(&self, kind: OptionKind) -> f64 {
        let cdf = match kind {
            OptionKind::Call => self.n_d1,
            OptionKind::Put => self.n_neg_d1,
        };
        delta_from(kind, self.dq, cdf)
    }

    fn gamma(&self) -> f64 {
        gamma_from(self.dq, self.pdf_d1, self.spot, self.vol, self.sqrt_t)
    }

    fn vega(&self) -> f64 {
        self.spot * self.dq * self.pdf_d1 * self.sqrt_t
    }

    fn theta(&self, kind: OptionKind) -> f64 {
        let decay = if self.pdf_d1 > 0.0 {
            -self.spot * self.dq * self.pdf_d1 * self.vol / (2.0 * self.sqrt_t)
        } else {
            0.0
        };
        let fwd = self.spot * self.dq;
        let pv_k = self.strike * self.dr;
        match kind {
            OptionKind::Call => decay - self.rate * pv_k * self.n_d2 + self.q * fwd * self.n_d1,
            OptionKind::Put => {
                decay + self.rate * pv_k * self.n_neg_d2 - self.q * fwd * self.n_neg_d1
            }
        }
    }

    fn rho(&self, kind: OptionKind) -> f64 {
        let k_t_dr = self.strike * self.t * self.dr;
        match kind {
            OptionKind::Call => k_t_dr * self.n_d2,
            OptionKind::Put => -k_t_dr * self.n_neg_d2,
        }
    }

    fn vanna(&self) -> f64 {
        if self.pdf_d1 > 0.0 {
            -self.dq * self.pdf_d1 * self.d2 / self.vol
        } else {
            0.0
        }
    }

    fn charm(&self, kind: OptionKind) -> f64 {
        // dq·φ(d1)·∂d1/∂T, with ∂d1/∂T = (r−q)/(σ√T) − d2/(2T); written this way rather than
        // over the common denominator 2Tσ√T, which underflows for very short expiries.
        let drift = if self.pdf_d1 > 0.0 {
            let dd1_dt = (self.rate - self.q) / (self.vol * self.sqrt_t) - self.d2 / (2.0 * self.t);
            self.dq * self.pdf_d1 * dd1_dt
        } else {
            0.0
        };
        match kind {
            OptionKind::Call => self.q * self.dq * self.n_d1 - drift,
            OptionKind::Put => -self.q * self.dq * self.n_neg_d1 - drift,
        }
    }
}

/// Premium of one option (per unit of underlying; multiply by the contract multiplier).
pub fn price(kind: OptionKind, inputs: BsInputs) -> f64 {
    core(inputs).price(kind)
}

/// ∂V/∂S: the units of underlying a dealer holds against one long option to be flat.
pub fn delta(kind: OptionKind, inputs: BsInputs) -> f64 {
    core(inputs).delta(kind)
}

/// ∂²V/∂S², the same for calls and puts: how much the hedge must change per unit move in spot,
/// which is what makes dealer hedging trade with or against the market.
pub fn gamma(inputs: BsInputs) -> f64 {
    core(inputs).gamma()
}

/// ∂V/∂σ per unit of volatility, the same for calls and puts.
pub fn vega(inputs: BsInputs) -> f64 {
    core(inputs).vega()
}

/// ∂V/∂t per year of calendar time elapsed (−∂V/∂T); usually negative for a long option.
pub fn theta(kind: OptionKind, inputs: BsInputs) -> f64 {
    core(inputs).theta(kind)
}

/// ∂V/∂r per unit of rate.
pub fn rho(kind: OptionKind, inputs: BsInputs) -> f64 {
    core(inputs).rho(kind)
}

/// ∂Δ/∂σ per unit of volatility, the same for calls and puts: the hedge flow a dealer must
/// trade when implied volatility moves with spot unchanged ("vanna flows", docs/model.md §4.5).
pub fn vanna(inputs: BsInputs) -> f64 {
    core(inputs).vanna()
}

/// ∂Δ/∂t per year of calendar time elapsed: the hedge flow the clock alone forces ("charm
/// flows", docs/model.md §4.5).
pub fn charm(kind: OptionKind, inputs: BsInputs) -> f64 {
    core(inputs).charm(kind)
}

/// Delta and gamma only, the same numbers [`greeks`] gives: what a delta hedger needs at
/// every check and every ladder level, with one normal CDF instead of four and none of the
/// other greeks.
pub fn delta_gamma(kind: OptionKind, inputs: BsInputs) -> (f64, f64) {
    let t = inputs.years_to_expiry.max(0.0);
    let (d1, _) = d1_d2(inputs);
    let dq = (-inputs.dividend_yield * t).exp();
    let cdf = match kind {
        OptionKind::Call => norm_cdf(d1),
        OptionKind::Put => norm_cdf(-d1),
    };
    let pdf_d1 = pdf_at_d1(&inputs, d1);
    let gamma = gamma_from(dq, pdf_d1, inputs.spot.max(0.0), inputs.vol, t.sqrt());
    (delta_from(kind, dq, cdf), gamma)
}

/// Price and every greek of one option at once, sharing the normal-CDF evaluations.
pub fn greeks(kind: OptionKind, inputs: BsInputs) -> Greeks {
    let c = core(inputs);
    Greeks {
        price: c.price(kind),
        delta: c.delta(kind),
        gamma: c.gamma(),
        vega: c.vega(),
        theta: c.theta(kind),
        rho: c.rho(kind),
        vanna: c.vanna(),
        charm: c.charm(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hedger's shortcut gives exactly the bundle's delta and gamma, in the money, out of
    /// it, at expiry and in the other degenerate limits.
    #[test]
    fn delta_gamma_is_the_bundles_to_the_bit() {
        for kind in [OptionKind::Call, OptionKind::Put] {
            for spot in [0.0, 1.0, 4000.0, 4999.75, 5000.0, 5000.25, 6000.0, 1e12] {
                for vol in [0.0, 1e-9, 0.15, 3.0, f64::INFINITY] {
                    for years in [0.0, 1e-12, 1.0 / 252.0, 21.0 / 252.0, 2.0] {
                        for (rate, dividend_yield) in [(0.0, 0.0), (0.05, 0.02)] {
                            let x = BsInputs {
                                spot,
                                strike: 5000.0,
                                rate,
                                dividend_yield,
                                vol,
                                years_to_expiry: years,
                            };
                            let g = greeks(kind, x);
                            let (d, gm) = delta_gamma(kind, x);
                            assert_eq!(d.to_bits(), g.delta.to_bits(), "{kind:?} {x:?}");
                            assert_eq!(gm.to_bits(), g.gamma.to_bits(), "{kind:?} {x:?}");
                        }
                    }
                }
            }
        }
    }
}
