//! The RiskMetrics EWMA of daily variance, one implementation for the market's published
//! estimate (log returns, the market's λ) and the funds' own (simple returns, their λ).

/// Daily variance used before any data: 1% a day.
pub const DEFAULT_DAILY_VAR: f64 = 1e-4;

/// One RiskMetrics step: σ²ₜ = λσ²ₜ₋₁ + (1−λ)rₜ² (daily variance).
pub fn ewma_update(var: f64, lambda: f64, r: f64) -> f64 {
    lambda * var + (1.0 - lambda) * r * r
}

/// The EWMA variance after every day of `returns`, seeded with the mean square of the first
/// (up to) 20 returns; empty when there are none.
pub fn ewma_path(returns: &[f64], lambda: f64) -> Vec<f64> {
    let seed_n = returns.len().min(20);
    if seed_n == 0 {
        return Vec::new();
    }
    let mut v = returns[..seed_n].iter().map(|r| r * r).sum::<f64>() / seed_n as f64;
    let mut out = Vec::with_capacity(returns.len());
    for (k, r) in returns.iter().enumerate() {
        if k >= seed_n {
            v = ewma_update(v, lambda, *r);
        }
        out.push(v);
    }
    out
}

/// The EWMA variance after the last of `returns` ([`DEFAULT_DAILY_VAR`] without returns).
pub fn ewma_last(returns: &[f64], lambda: f64) -> f64 {
    ewma_path(returns, lambda)
        .last()
        .copied()
        .unwrap_or(DEFAULT_DAILY_VAR)
}

/// Annualised volatility of a daily variance (252 trading days).
pub fn annualise(daily_var: f64) -> f64 {
    (daily_var * 252.0).sqrt()
}
