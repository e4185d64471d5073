//! Scenario tables of the mechanical-flow agents and real-money accounts.
//!
//! Defaults follow the calibration sheet of docs/model.md §10 for a US-large-cap-index-like
//! market: $400bn of vol-control AUM, $350bn of LETF dollar gamma, a $150bn CTA cap, dealers
//! long about $5bn of gamma per 1%, $350bn of pension rebalancing base w(1−w)A. Sizes are
//! totals for the whole class, split equally between its agents.

use serde::{Deserialize, Serialize};

/// How an agent works a daily decision into the book.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExecStyle {
    /// One market order at `start`.
    Immediate,
    /// One market-on-close order, sent at `start`.
    AtClose,
    /// Equal market-order slices from `start` to `end`; what the last slice leaves goes
    /// market-on-close.
    Twap,
    /// Limit orders at the near touch each slice, and a market-on-close order for whatever is
    /// left at the last one.
    Passive,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExecutionCfg {
    pub style: ExecStyle,
    /// Decision time and start of the window, "HH:MM".
    pub start: String,
    /// End of the window, "HH:MM" (TWAP and passive).
    #[serde(default)]
    pub end: String,
    /// Slices of a TWAP or passive window.
    #[serde(default = "d_slices")]
    pub slices: u32,
}

fn d_slices() -> u32 {
    30
}

impl ExecutionCfg {
    pub fn twap(start: &str, end: &str, slices: u32) -> Self {
        ExecutionCfg {
            style: ExecStyle::Twap,
            start: start.into(),
            end: end.into(),
            slices,
        }
    }
    pub fn at_close(start: &str) -> Self {
        ExecutionCfg {
            style: ExecStyle::AtClose,
            start: start.into(),
            end: String::new(),
            slices: 1,
        }
    }
}

/// Volatility-targeting funds (docs/model.md §1): exposure = min(L_max, σ_target/σ̂).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct VolTargetCfg {
    pub count: u32,
    /// Instrument traded (default: the first).
    pub instrument: Option<String>,
    /// Net assets of the whole class, dollars.
    pub aum_usd: f64,
    /// Annualised volatility target.
    pub target_vol: f64,
    /// Each fund's target is drawn uniformly within ± this of `target_vol`.
    pub target_vol_dispersion: f64,
    pub max_leverage: f64,
    pub min_leverage: f64,
    /// λ of the EWMA variance estimates of daily returns; with several, the fund acts on the
    /// highest estimate (fast to de-lever, slow to re-lever, like the DB and S&P indices).
    pub ewma_lambdas: Vec<f64>,
    /// Days between the volatility estimate and the trade; each fund draws from
    /// `lag_days..=max(lag_days, lag_days_max)`.
    pub lag_days: u32,
    pub lag_days_max: u32,
    /// No trade while |E* − E| is inside this band (fraction of NAV).
    pub band: f64,
    /// Largest exposure change per day (fraction of NAV, 0 = no cap).
    pub max_daily_change: f64,
    pub execution: ExecutionCfg,
    pub latency_us: u64,
}

impl Default for VolTargetCfg {
    fn default() -> Self {
        VolTargetCfg {
            count: 10,
            instrument: None,
            aum_usd: 400e9,
            target_vol: 0.10,
            target_vol_dispersion: 0.02,
            max_leverage: 1.5,
            min_leverage: 0.0,
            ewma_lambdas: vec![0.94],
            lag_days: 1,
            lag_days_max: 2,
            band: 0.025,
            max_daily_change: 0.0,
            execution: ExecutionCfg::twap("15:25", "15:55", 30),
            latency_us: 2000,
        }
    }
}

/// Leveraged and inverse ETFs (docs/model.md §2): each day they trade L(L−1)·A·r + L·F.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LetfCfg {
    pub funds: Vec<LetfFundCfg>,
    /// When the rebalance goes in. Default: a market-order slice every minute from 15:35 to
    /// 15:54, just before the closing auction. (`at_close` sends market-on-close orders
    /// instead; what the closing auction cannot match lapses and is traded the next day.)
    pub execution: ExecutionCfg,
    pub latency_us: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LetfFundCfg {
    /// Underlying instrument (default: the first).
    #[serde(default)]
    pub instrument: Option<String>,
    /// Daily leverage multiple: 2, 3, −1, −2 or −3.
    pub leverage: i32,
    /// Net assets, dollars.
    pub aum_usd: f64,
    /// Same-day net creations as a fraction of AUM per unit of the day's return: negative
    /// values are contrarian flows that lean against the move (Ivanov & Lenkey).
    #[serde(default)]
    pub flow_beta: f64,
    /// Standard deviation of daily net creations, fraction of AUM.
    #[serde(default)]
    pub flow_noise: f64,
}

impl Default for LetfCfg {
    fn default() -> Self {
        // Dollar gamma Σ A·L(L−1) = 40×6 + 5×12 + 12.5×2 + 12.5×2 = $350bn (docs/model.md §10).
        let fund = |leverage, aum_usd| LetfFundCfg {
            instrument: None,
            leverage,
            aum_usd,
            flow_beta: 0.0,
            flow_noise: 0.0,
        };
        LetfCfg {
            funds: vec![
                fund(3, 40e9),
                fund(-3, 5e9),
                fund(2, 12.5e9),
                fund(-1, 12.5e9),
            ],
            execution: ExecutionCfg::twap("15:35", "15:55", 20),
            latency_us: 2000,
        }
    }
}

/// CTAs / trend followers (docs/model.md §3): sign signals on several lookbacks, vol-scaled.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CtaCfg {
    pub count: u32,
    pub instrument: Option<String>,
    /// Capital of the whole class, dollars; the position is capital × signal × leverage.
    pub capital_usd: f64,
    /// Per-asset volatility target: leverage = vol_target / σ̂ (MOP use 40%).
    pub vol_target: f64,
    /// Leverage cap: the largest position is capital × max_leverage.
    pub max_leverage: f64,
    /// Lookbacks of the sign signals, trading days.
    pub lookbacks: Vec<u32>,
    /// Each CTA scales its lookbacks by a factor drawn uniformly within ± this (models differ,
    /// so the industry does not flip all at one pivot; 0 = identical CTAs).
    pub lookback_dispersion: f64,
    /// Weights of the lookbacks (default equal); they are normalised to sum to 1.
    pub weights: Vec<f64>,
    /// λ of the EWMA volatility (60/61: centre of mass 60 days, as MOP).
    pub ewma_lambda: f64,
    /// No trade while the target is within this fraction of the largest position.
    pub band: f64,
    pub execution: ExecutionCfg,
    pub latency_us: u64,
}

impl Default for CtaCfg {
    fn default() -> Self {
        CtaCfg {
            count: 5,
            instrument: None,
            capital_usd: 60e9,
            vol_target: 0.40,
            max_leverage: 2.5,
            lookbacks: vec![21, 63, 252],
            lookback_dispersion: 0.2,
            weights: Vec::new(),
            ewma_lambda: 60.0 / 61.0,
            band: 0.05,
            execution: ExecutionCfg::twap("10:00", "15:30", 33),
            latency_us: 2000,
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OptionKindCfg {
    Call,
    Put,
}

/// One options series in the dealers' book, relisted at the same moneyness and tenor when it
/// expires.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeriesCfg {
    pub kind: OptionKindCfg,
    /// Strike over spot at listing (0.95 = 5% out-of-the-money put).
    pub moneyness: f64,
    /// Trading days from listing to expiry; 0 lists a same-day (0DTE) series each morning.
    pub expiry_days: u32,
    /// Contracts the dealers hold (negative = dealers short, customers long).
    pub contracts: f64,
    /// Days to the first expiry (default: `expiry_days`), to stagger monthly series.
    #[serde(default)]
    pub first_expiry_days: Option<u32>,
    /// List a new series when this one expires.
    #[serde(default = "d_true")]
    pub roll: bool,
}

fn d_true() -> bool {
    true
}

/// How the dealers' options settle at expiry.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SettlementCfg {
    /// In cash at the closing price: the expiring series' hedge is lifted market-on-close,
    /// since nothing else unwinds it.
    #[default]
    Cash,
    /// By delivery of the underlying at the strike, between the dealer and the options
    /// customers' ledger account, for series that close strictly in the money: the delivery
    /// unwinds the hedge, so the dealer keeps its resting ladder in the closing auction instead
    /// of lifting the hedge there (the mechanism behind pinning, docs/model.md §9.4).
    Physical,
}

impl SettlementCfg {
    fn is_cash(&self) -> bool {
        *self == SettlementCfg::Cash
    }
}

/// Options dealers delta-hedging a book whose greeks the scenario sets (docs/model.md §4).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DealerCfg {
    pub count: u32,
    pub instrument: Option<String>,
    /// Index dollars per contract per point of the underlying (SPX: 100).
    pub multiplier: f64,
    pub rate: f64,
    pub dividend_yield: f64,
    /// At-the-money implied volatility at the starting price.
    pub atm_vol: f64,
    /// Implied vol rises by this fraction per unit of log-moneyness below spot (put skew).
    pub skew: f64,
    /// Elasticity of implied vol to spot: IV ∝ (S/S₀)^(−spot_beta), so vol rises as price falls.
    pub spot_beta: f64,
    pub vol_floor: f64,
    pub vol_cap: f64,
    /// Scheduled re-hedge interval, minutes.
    pub hedge_interval_minutes: u32,
    /// Re-hedge at once when the unhedged delta exceeds this many dollars.
    pub delta_band_usd: f64,
    /// Scheduled re-hedges skip gaps smaller than this many dollars.
    pub min_hedge_usd: f64,
    /// Largest hedge order, dollars: a bigger gap is worked one order per check, as dealers
    /// split hedges instead of sweeping the book.
    pub max_order_usd: f64,
    /// How often the dealer checks its delta against the band, minutes.
    pub check_minutes: u32,
    /// Last re-hedge of the day, "HH:MM" (into the close).
    pub close_hedge: String,
    /// Resting hedge orders on each side of the price (0: none). Where the book is long gamma
    /// the hedge a move would call for trades against that move (sell higher, buy lower), so
    /// the dealer can leave it in the book as limit orders and hedge as the price gets there,
    /// providing liquidity; where it is short gamma the hedge chases the move and only the
    /// market orders above can do it. Refreshed at every check.
    pub ladder_levels: u32,
    /// Distance between adjacent ladder levels, as a fraction of the price (0.001 = 0.1%).
    pub ladder_step: f64,
    /// Strikes are rounded to this many dollars.
    pub strike_step: f64,
    pub series: Vec<SeriesCfg>,
    /// Share of customers' long puts sold back to the dealers per +1% day (monetising
    /// protection as the market rallies; dealers then buy back their hedge, §4.5).
    pub put_monetisation_per_pct: f64,
    /// `"cash"` (default) or `"physical"`; see [`SettlementCfg`]. Left out when cash, so a
    /// scenario written back (the counterfactual's copy) reads as it did before the option
    /// existed.
    #[serde(skip_serializing_if = "SettlementCfg::is_cash")]
    pub settlement: SettlementCfg,
    /// Physical settlement only: at the last check before an expiry's closing auction, the
    /// expiring series long gamma are hedged to their payoff (a step at the strike) instead of
    /// their Black–Scholes delta, in limit orders either side of the strike, so the dealer is
    /// flat after exercise at whatever price the auction clears (Avellaneda & Lipkin 2003:
    /// as T → 0 a long-gamma hedge makes the strike an attractor). Off by default.
    #[serde(skip_serializing_if = "is_false")]
    pub hedge_to_payoff: bool,
    /// Physical settlement only: the options customers are an agent (`options_customer`)
    /// that trades what exercise delivered to it back to zero over the next session, as a
    /// real holder does not keep an index position it never wanted. On by default with
    /// physical settlement; off, deliveries accumulate in a ledger account that never trades.
    /// Ignored with cash settlement (nothing is delivered).
    #[serde(skip_serializing_if = "is_true")]
    pub customer_unwind: bool,
    pub latency_us: u64,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Default for DealerCfg {
    fn default() -> Self {
        // The naive GEX convention: customers overwrite calls and buy puts, so dealers are long
        // calls and short puts; these sizes give about +$5bn per 1% at a 5000 index.
        let series = |kind, moneyness, contracts| SeriesCfg {
            kind,
            moneyness,
            expiry_days: 21,
            contracts,
            first_expiry_days: None,
            roll: true,
        };
        DealerCfg {
            count: 1,
            instrument: None,
            multiplier: 100.0,
            rate: 0.0,
            dividend_yield: 0.0,
            atm_vol: 0.15,
            skew: 3.0,
            spot_beta: 1.0,
            vol_floor: 0.05,
            vol_cap: 1.5,
            hedge_interval_minutes: 15,
            delta_band_usd: 2e9,
            min_hedge_usd: 250e6,
            max_order_usd: 1e9,
            check_minutes: 1,
            close_hedge: "15:50".into(),
            ladder_levels: 0,
            ladder_step: 0.001,
            strike_step: 5.0,
            series: vec![
                series(OptionKindCfg::Call, 1.02, 150_000.0),
                series(OptionKindCfg::Put, 0.95, -80_000.0),
            ],
            put_monetisation_per_pct: 0.0,
            settlement: SettlementCfg::Cash,
            hedge_to_payoff: false,
            customer_unwind: true,
            latency_us: 500,
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ShortRule {
    /// Short when the price is above the fundamental by more than the threshold.
    Overvaluation,
    /// Short when the lookback return is below minus the threshold.
    Trend,
}

/// Short sellers with stops, profit targets and Reg T margin (docs/model.md §5).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ShortSellerCfg {
    pub count: u32,
    pub instrument: Option<String>,
    pub rule: ShortRule,
    pub entry_threshold: f64,
    /// Lookback of the trend rule, trading days.
    pub trend_lookback_days: u32,
    /// Size of each new short, dollars per agent.
    pub position_usd: f64,
    /// Short interest held when the run starts (whole class, dollars), entered at the
    /// starting price: the stock a squeeze can cover.
    pub initial_short_usd: f64,
    /// Stop-loss: cover when the price is this far above entry.
    pub stop_loss: f64,
    /// Each seller's stop is drawn uniformly within ± this of `stop_loss`.
    pub stop_dispersion: f64,
    /// Cover when the price is this far below entry.
    pub profit_target: f64,
    /// Reg T initial margin (collateral over short value, 1.5 = 150%).
    pub initial_margin: f64,
    /// Maintenance margin: equity over short value below this is a margin call.
    pub maintenance_margin: f64,
    /// Minutes between risk checks during the session.
    pub check_minutes: u32,
    /// Days a seller waits after covering before shorting again.
    pub cooldown_days: u32,
    /// How new shorts are sold (covers are immediate).
    pub execution: ExecutionCfg,
    pub latency_us: u64,
}

impl Default for ShortSellerCfg {
    fn default() -> Self {
        ShortSellerCfg {
            count: 20,
            instrument: None,
            rule: ShortRule::Trend,
            entry_threshold: 0.05,
            trend_lookback_days: 21,
            position_usd: 1e9,
            initial_short_usd: 0.0,
            stop_loss: 0.15,
            stop_dispersion: 0.05,
            profit_target: 0.20,
            initial_margin: 1.5,
            maintenance_margin: 0.30,
            check_minutes: 5,
            cooldown_days: 5,
            execution: ExecutionCfg::twap("10:00", "15:30", 11),
            latency_us: 2000,
        }
    }
}

/// Hedgers holding short-index protection against a long portfolio (docs/model.md §5.3).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HedgerCfg {
    pub count: u32,
    pub instrument: Option<String>,
    /// The protected (off-book) portfolio of the whole class, dollars.
    pub portfolio_usd: f64,
    /// Share of the portfolio hedged at the reference volatility, before any rally.
    pub hedge_ratio: f64,
    pub max_hedge_ratio: f64,
    /// The hedge scales with (σ̂ / vol_ref)^vol_sensitivity: falling volatility unwinds it.
    pub vol_ref: f64,
    pub vol_sensitivity: f64,
    pub ewma_lambda: f64,
    /// A rally of this size from the trailing low unwinds the protection completely.
    pub unwind_rally: f64,
    /// Window of the trailing low, trading days.
    pub rally_lookback_days: u32,
    /// No trade while the target is within this fraction of the portfolio.
    pub band: f64,
    pub execution: ExecutionCfg,
    pub latency_us: u64,
}

impl Default for HedgerCfg {
    fn default() -> Self {
        HedgerCfg {
            count: 5,
            instrument: None,
            portfolio_usd: 300e9,
            hedge_ratio: 0.2,
            max_hedge_ratio: 0.4,
            vol_ref: 0.16,
            vol_sensitivity: 1.0,
            ewma_lambda: 0.94,
            unwind_rally: 0.20,
            rally_lookback_days: 21,
            band: 0.01,
            execution: ExecutionCfg::twap("10:00", "15:30", 11),
            latency_us: 2000,
        }
    }
}

/// Pension and balanced funds rebalancing to fixed weights (docs/model.md §6.1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PensionCfg {
    pub count: u32,
    pub instrument: Option<String>,
    /// Net assets of the whole class, dollars (w(1−w)A = $350bn at the defaults).
    pub aum_usd: f64,
    pub equity_weight: f64,
    /// Annual return of the (off-book) bond sleeve, accrued daily.
    pub bond_return_annual: f64,
    /// Calendar rebalancing every this many trading days (21 ≈ month end, 63 ≈ quarter end).
    pub rebalance_every_days: u32,
    /// Rebalance in between when the equity weight drifts this far from target.
    pub drift_band: f64,
    pub execution: ExecutionCfg,
    pub latency_us: u64,
}

impl Default for PensionCfg {
    fn default() -> Self {
        PensionCfg {
            count: 5,
            instrument: None,
            aum_usd: 350e9 / 0.24,
            equity_weight: 0.6,
            bond_return_annual: 0.04,
            rebalance_every_days: 21,
            drift_band: 0.02,
            execution: ExecutionCfg::twap("10:00", "15:50", 35),
            latency_us: 5000,
        }
    }
}

/// Long-term managers: slow, value-anchored, with performance-chasing fund flows (§6.2–6.3).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LongTermCfg {
    pub count: u32,
    pub instrument: Option<String>,
    pub aum_usd: f64,
    /// Equity weight at fair value.
    pub base_weight: f64,
    pub max_weight: f64,
    /// Weight change per unit of log(value / price): buys below value, sells above.
    pub value_sensitivity: f64,
    /// Half-life of the manager's value anchor (an average of the fundamental), trading days.
    pub value_half_life_days: f64,
    /// The anchor sits this far above the averaged fundamental (a bullish long-term view).
    pub value_premium: f64,
    /// Daily net inflow as a fraction of AUM per unit of trailing one-year fund return / 252.
    pub flow_sensitivity: f64,
    /// Largest trade per day, fraction of AUM: these accounts trade slowly.
    pub max_daily_trade: f64,
    pub execution: ExecutionCfg,
    pub latency_us: u64,
}

impl Default for LongTermCfg {
    fn default() -> Self {
        LongTermCfg {
            count: 5,
            instrument: None,
            aum_usd: 500e9,
            base_weight: 0.9,
            max_weight: 1.0,
            value_sensitivity: 2.0,
            value_half_life_days: 20.0,
            value_premium: 0.0,
            flow_sensitivity: 0.5,
            max_daily_trade: 0.002,
            execution: ExecutionCfg::twap("10:00", "15:50", 35),
            latency_us: 5000,
        }
    }
}
