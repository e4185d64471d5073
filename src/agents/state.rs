//! What agents put on the record about themselves: daily state samples and notable events.
//!
//! The mechanical agents' state (exposures, signals, trigger levels, greeks) is the part of a
//! run researchers compare with sell-side positioning notes, so every agent reports it in one
//! long format: a metric, an optional coordinate (a lookback, a spot level) and a value.

use serde::{Deserialize, Serialize};

/// A named quantity an agent reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Risky exposure over net assets.
    Exposure,
    /// Percentile rank (0–100) of today's exposure in the agent's own history.
    ExposurePercentile,
    /// Annualised volatility estimate the agent acts on.
    VolEstimate,
    /// Net asset value, dollars.
    Nav,
    /// Held position, dollars at the close.
    PositionUsd,
    /// Position the agent is working towards, dollars at the close.
    TargetUsd,
    /// Dollars traded (signed) by today's rebalancing decision.
    RebalanceUsd,
    /// A trend signal in [-1, 1]; `at` is its lookback in days.
    Signal,
    /// The close at which a lookback's signal flips tomorrow; `at` is the lookback in days.
    Trigger,
    /// Dealer's options delta, dollars of underlying.
    OptionsDeltaUsd,
    /// Dealer's net delta after its hedge, dollars.
    NetDeltaUsd,
    /// Dealer's gamma in units of the underlying per dollar of price.
    NetGamma,
    /// Dealer's dollar gamma per 1% move: dollars of hedging a 1% move requires (positive =
    /// long gamma, the dealer trades against the move).
    DollarGammaPerPct,
    /// Dollar gamma per 1% if spot were `at`.
    GammaProfile,
    /// Spot level where the dealer's gamma changes sign (nearest to spot).
    GammaFlip,
    /// At-the-money implied volatility the dealer marks with.
    ImpliedVol,
    /// Dealer's options open interest in contracts (signed, dealer's side).
    OpenContracts,
    /// Short seller's margin ratio: equity over short value.
    MarginRatio,
    /// Price at which the short seller's maintenance margin fails.
    MarginCallPrice,
    /// Share of the portfolio that is hedged.
    HedgeRatio,
    /// Equity weight of a balanced fund.
    EquityWeight,
    /// Share of its configured demand a value trader with a risk budget offers at the
    /// volatility it will see tomorrow (the instrument's `annual_vol` / σ̂).
    RiskScale,
}

impl Metric {
    /// Every metric, in declaration order.
    pub const ALL: [Metric; 22] = [
        Metric::Exposure,
        Metric::ExposurePercentile,
        Metric::VolEstimate,
        Metric::Nav,
        Metric::PositionUsd,
        Metric::TargetUsd,
        Metric::RebalanceUsd,
        Metric::Signal,
        Metric::Trigger,
        Metric::OptionsDeltaUsd,
        Metric::NetDeltaUsd,
        Metric::NetGamma,
        Metric::DollarGammaPerPct,
        Metric::GammaProfile,
        Metric::GammaFlip,
        Metric::ImpliedVol,
        Metric::OpenContracts,
        Metric::MarginRatio,
        Metric::MarginCallPrice,
        Metric::HedgeRatio,
        Metric::EquityWeight,
        Metric::RiskScale,
    ];

    /// The metric named `name` (as in the state table), if any.
    pub fn parse(name: &str) -> Option<Metric> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Exposure => "exposure",
            Metric::ExposurePercentile => "exposure_percentile",
            Metric::VolEstimate => "vol_estimate",
            Metric::Nav => "nav",
            Metric::PositionUsd => "position_usd",
            Metric::TargetUsd => "target_usd",
            Metric::RebalanceUsd => "rebalance_usd",
            Metric::Signal => "signal",
            Metric::Trigger => "trigger",
            Metric::OptionsDeltaUsd => "options_delta_usd",
            Metric::NetDeltaUsd => "net_delta_usd",
            Metric::NetGamma => "net_gamma",
            Metric::DollarGammaPerPct => "dollar_gamma_per_pct",
            Metric::GammaProfile => "gamma_profile",
            Metric::GammaFlip => "gamma_flip",
            Metric::ImpliedVol => "implied_vol",
            Metric::OpenContracts => "open_contracts",
            Metric::MarginRatio => "margin_ratio",
            Metric::MarginCallPrice => "margin_call_price",
            Metric::HedgeRatio => "hedge_ratio",
            Metric::EquityWeight => "equity_weight",
            Metric::RiskScale => "risk_scale",
        }
    }
}

/// One reported number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StateSample {
    pub instrument: usize,
    pub metric: Metric,
    /// The metric's coordinate, when it has one (a lookback in days, a spot level).
    pub at: Option<f64>,
    pub value: f64,
}

impl StateSample {
    pub fn new(instrument: usize, metric: Metric, value: f64) -> Self {
        StateSample {
            instrument,
            metric,
            at: None,
            value,
        }
    }
    pub fn at(instrument: usize, metric: Metric, at: f64, value: f64) -> Self {
        StateSample {
            instrument,
            metric,
            at: Some(at),
            value,
        }
    }
}

/// What happened to an agent that a researcher wants to see as an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentEventKind {
    /// Reg T maintenance margin failed: a forced buy-in follows.
    MarginCall,
    /// A stop-loss fired.
    StopOut,
    /// Options series expired and settled.
    OptionExpiry,
    /// New options series listed.
    OptionListing,
    /// Customers sold protection back to the dealer.
    PutMonetisation,
}

/// An event an agent reports through [`super::Action::Note`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AgentEvent {
    pub kind: AgentEventKind,
    pub instrument: usize,
    /// The event's main number: the price for margin calls and stops, contracts for
    /// expiries, listings and monetisations.
    pub value: f64,
}
