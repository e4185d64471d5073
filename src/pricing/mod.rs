//! Options maths for the options-dealer agents.
//!
//! Dealers who are short or long customer options hedge their book's delta in the underlying;
//! the size and sign of those hedge trades (and their drift with price, volatility and time)
//! come from Black–Scholes greeks, which is why this module exists (docs/model.md §4). It is pure
//! `f64` arithmetic: no I/O, no allocation, no panics, so an agent can call it on every wake-up.
//!
//! * [`black_scholes`]: prices and greeks with a continuous dividend yield, including the
//!   expiry and zero-volatility limits that 0DTE books reach every day.
//! * [`surface`]: a small implied-volatility model, so that a dealer's greeks move with spot the
//!   way a real book's do (vol up as price falls, puts richer than calls).
//! * [`exposure`]: the dollar figures dealers and GEX estimates are quoted in.

pub mod black_scholes;
pub mod exposure;
pub mod surface;

pub use black_scholes::{
    BsInputs, Greeks, OptionKind, charm, d1_d2, delta, gamma, greeks, price, rho, theta, vanna,
    vega,
};
pub use exposure::{dollar_delta, dollar_gamma_per_pct, gamma_theta_breakeven};
pub use surface::VolSurface;
