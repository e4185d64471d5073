//! A deliberately small implied-volatility model for dealer agents.
//!
//! A dealer who marked every option at one flat volatility would see no vanna flows and the
//! wrong gamma profile across strikes. Two stylised facts of index options are enough to get
//! the direction of those flows right (docs/model.md §4.5): implied volatility rises when the
//! market falls (the "spot–vol" relation), and out-of-the-money puts trade at higher
//! volatility than calls (the skew). The form is
//!
//! ```text
//! σ(K, S, S_ref) = clamp( σ_atm · (S / S_ref)^(−β) · (1 − skew · ln(K / S)),  floor, cap )
//! ```
//!
//! * `σ_atm` is the at-the-money volatility when spot is at the reference `S_ref` (for example
//!   the price at which the scenario's volatility was set, or the previous close).
//! * `β = spot_beta > 0` raises the whole smile as spot falls below `S_ref`: a 1% fall lifts
//!   volatility by about `β`% of itself.
//! * `skew > 0` tilts the smile by log-moneyness measured from the *current* spot (a sticky-
//!   moneyness smile): strikes below spot (puts) get more volatility, strikes above get less.
//! * `floor` and `cap` keep far strikes and extreme spot moves inside sensible bounds, and keep
//!   the linear skew from going negative far out of the money.
//!
//! The model has no term structure: every expiry reads the same smile.

/// Parameters of the smile; see the module doc for the formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolSurface {
    /// At-the-money volatility at the reference spot, per √year.
    pub atm_vol: f64,
    /// Volatility change per unit of log-moneyness, as a fraction of the level (0.3: a strike
    /// 10% below spot carries about 3% more volatility than at the money, relative).
    pub skew: f64,
    /// Elasticity of the volatility level to spot relative to the reference.
    pub spot_beta: f64,
    /// Lowest volatility the surface returns.
    pub floor: f64,
    /// Highest volatility the surface returns.
    pub cap: f64,
}

impl VolSurface {
    /// Implied volatility for an option struck at `strike` when the underlying is at `spot`.
    ///
    /// `years_to_expiry` is accepted so that call sites need not change if a term structure is
    /// added; the current model ignores it. Never panics: inputs for which the formula is not
    /// a number (a non-positive spot, say) give `floor`, and if `floor > cap` the result is
    /// `cap`.
    pub fn vol(&self, strike: f64, spot: f64, reference_spot: f64, years_to_expiry: f64) -> f64 {
        let _ = years_to_expiry;
        let level = self.atm_vol * (spot / reference_spot).powf(-self.spot_beta);
        let tilt = 1.0 - self.skew * (strike / spot).ln();
        // `max`/`min` rather than `clamp`: clamp panics when floor > cap or either is NaN, and
        // `max` maps a NaN to the floor.
        (level * tilt).max(self.floor).min(self.cap)
    }
}
