//! Greeks turned into the dollar figures dealers' books and GEX estimates are quoted in
//! (docs/model.md §4.2–4.3), so that an agent's hedge sizes and the analysis of a run speak the
//! same units as the literature.
//!
//! `gamma`, `delta` and `theta` are per unit of underlying, as returned by
//! [`black_scholes`](super::black_scholes); `contracts` is signed (negative when short), and
//! `multiplier` is units of underlying per contract (100 for SPX and US equity options).

/// Dollars of underlying the hedge must trade after a 1% move in spot:
/// `Γ · contracts · m · S² · 0.01`.
///
/// Γ·S is the change in delta (units) per 1 $ move; times S·1% it is the change for a 1% move,
/// and times S again it is in dollars. For a dealer short gamma this is negative: after a
/// rally it must *buy* that many dollars, trading with the move.
pub fn dollar_gamma_per_pct(gamma: f64, contracts: f64, multiplier: f64, spot: f64) -> f64 {
    gamma * contracts * multiplier * spot * spot * 0.01
}

/// Dollar value of the underlying exposure: `Δ · contracts · m · S`, the size of the hedge
/// (with the opposite sign) that makes the position delta-neutral.
pub fn dollar_delta(delta: f64, contracts: f64, multiplier: f64, spot: f64) -> f64 {
    delta * contracts * multiplier * spot
}

/// The daily move, as a fraction of spot, at which a delta-hedged position's gamma P&L
/// `½·Γ·S²·m²` exactly offsets one day of theta: `m = √(−2·θ_day / (Γ·S²))`, with
/// `θ_day = θ / days_per_year` (docs/model.md §4.3, gamma–theta break-even range).
///
/// Short-gamma dealers lose money on days whose move exceeds it, which is where their hedging
/// is said to turn inelastic. With r = q = 0 it equals `σ_imp / √days_per_year`, so the day
/// count decides the answer (20% ⇒ 1.26% with 252, 1.05% with 365).
///
/// Works for a long option (Γ > 0, θ < 0) and for a short one (both signs flipped). `None`
/// when no move breaks even: zero gamma, or gamma and theta of the same sign (the day's P&L
/// then has one sign whatever the move).
pub fn gamma_theta_breakeven(
    theta_per_year: f64,
    gamma: f64,
    spot: f64,
    days_per_year: f64,
) -> Option<f64> {
    let theta_day = theta_per_year / days_per_year;
    let m2 = -2.0 * theta_day / (gamma * spot * spot);
    (m2.is_finite() && m2 >= 0.0).then(|| m2.abs().sqrt())
}
