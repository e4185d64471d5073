//! The scenario file: what a researcher writes, with every default documented in place.
//!
//! Sizes are in dollars and converted to integer units through each instrument's
//! `notional_per_unit`, so a scenario reads like market commentary ("$400bn of vol-control
//! AUM") while the simulation stays in exact integers. Unknown keys are rejected everywhere so
//! that a typo never silently falls back to a default.

use serde::{Deserialize, Serialize};

use super::flow_schema::*;
use crate::book::SelfTradePrevention;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name; used for the default output folder.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Master seed; `flowsim run --seed` overrides it.
    #[serde(default = "d_seed")]
    pub seed: u64,
    /// Simulated trading days (after the pre-history).
    pub days: u32,
    /// Date of the first simulated day, `YYYY-MM-DD` (the next trading day when it is a weekend
    /// or an NYSE holiday); the days that follow are US trading days. Default 2024-01-02, or
    /// with a dated pre-history the first trading day after it (then it cannot be set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default)]
    pub calendar: CalendarCfg,
    pub instruments: Vec<InstrumentCfg>,
    #[serde(default)]
    pub prehistory: PrehistoryCfg,
    #[serde(default)]
    pub market: MarketCfg,
    /// Scheduled jumps of an instrument's fundamental value.
    #[serde(default)]
    pub shocks: Vec<ShockCfg>,
    /// Scheduled exogenous flow programmes (buy or sell a dollar amount over a window).
    #[serde(default)]
    pub flows: Vec<FlowCfg>,
    pub agents: AgentsCfg,
    #[serde(default)]
    pub record: RecordCfg,
}

fn d_seed() -> u64 {
    1
}

impl Scenario {
    /// Agents of a run: market makers, noise and value traders per instrument, the mechanical
    /// flows and real money once each (a leveraged-ETF fund counts as one), the options
    /// customers not counted.
    pub fn agents_total(&self) -> u64 {
        let a = &self.agents;
        let n = self.instruments.len() as u64;
        let per_instrument = u64::from(a.market_maker.as_ref().map_or(0, |c| c.count))
            + u64::from(a.noise.as_ref().map_or(0, |c| c.count))
            + u64::from(a.value.as_ref().map_or(0, |c| c.count));
        let once = [
            a.vol_target.as_ref().map_or(0, |c| c.count),
            a.cta.as_ref().map_or(0, |c| c.count),
            a.dealer.as_ref().map_or(0, |c| c.count),
            a.short_seller.as_ref().map_or(0, |c| c.count),
            a.hedger.as_ref().map_or(0, |c| c.count),
            a.pension.as_ref().map_or(0, |c| c.count),
            a.long_term.as_ref().map_or(0, |c| c.count),
        ];
        let funds = a.letf.as_ref().map_or(0, |c| c.funds.len() as u64);
        per_instrument * n + once.iter().map(|&c| u64::from(c)).sum::<u64>() + funds
    }

    /// The mechanical-flow and real-money agents (and leveraged-ETF funds) alone.
    pub fn flow_agents_total(&self) -> u64 {
        let a = &self.agents;
        let n = self.instruments.len() as u64;
        let per_instrument = u64::from(a.market_maker.as_ref().map_or(0, |c| c.count))
            + u64::from(a.noise.as_ref().map_or(0, |c| c.count))
            + u64::from(a.value.as_ref().map_or(0, |c| c.count));
        self.agents_total() - per_instrument * n
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarCfg {
    /// Start of continuous trading, "HH:MM" (the opening auction uncrosses here).
    pub open: String,
    /// End of the day, "HH:MM" (the closing auction uncrosses here).
    pub close: String,
    /// Minutes of order collection for the opening auction before `open`.
    pub preopen_minutes: u32,
    /// Minutes of the closing call auction before `close`.
    pub closing_auction_minutes: u32,
    /// Length of a bar in seconds.
    pub bar_seconds: u32,
}

impl Default for CalendarCfg {
    fn default() -> Self {
        CalendarCfg {
            open: "09:30".into(),
            close: "16:00".into(),
            preopen_minutes: 30,
            closing_auction_minutes: 5,
            bar_seconds: 60,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InstrumentCfg {
    pub symbol: String,
    /// Starting price and fundamental value, in dollars.
    pub initial_price: f64,
    /// Dollars per tick.
    #[serde(default = "d_tick")]
    pub tick_size: f64,
    /// Dollars of exposure one unit carries per dollar of price (a contract multiplier): a
    /// position of q units at price P is worth q × P × notional_per_unit dollars.
    pub notional_per_unit: f64,
    /// Annualised volatility of the fundamental value.
    #[serde(default = "d_vol")]
    pub annual_vol: f64,
    /// Loading on the common market factor (correlation of fundamentals across instruments).
    #[serde(default = "d_one")]
    pub factor_loading: f64,
    /// Share of daily fundamental variance that arrives overnight as a gap.
    #[serde(default = "d_overnight")]
    pub overnight_share: f64,
    /// Poisson intensity of fundamental jumps per year, their mean and standard deviation (log).
    #[serde(default)]
    pub jumps_per_year: f64,
    #[serde(default)]
    pub jump_mean: f64,
    #[serde(default)]
    pub jump_sd: f64,
    /// Stochastic volatility of the fundamental: stationary standard deviation of log
    /// volatility (0 = constant volatility) and its half-life in trading days. Bursts of
    /// information arrival are what make absolute returns cluster.
    #[serde(default)]
    pub vol_of_vol: f64,
    #[serde(default = "d_vol_half_life")]
    pub vol_half_life_days: f64,
    /// Correlation of the log-volatility shocks with the return shocks (the leverage effect:
    /// below 0, falls raise volatility). Needs `vol_of_vol` above 0.
    #[serde(default)]
    pub vol_leverage: f64,
    /// Intraday news bursts: the session's variance arrives in bursts of `burst_seconds`
    /// from the open, each with its own intensity, drawn so that the fundamental's move over a
    /// burst is Student-t with `burst_nu` degrees of freedom (0 = no bursts, Gaussian steps;
    /// otherwise 2.5–1000, so the variance stays finite and the daily volatility is kept).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub burst_nu: f64,
    #[serde(
        default = "d_burst_seconds",
        skip_serializing_if = "is_d_burst_seconds"
    )]
    pub burst_seconds: u32,
    /// Scales the background market's dollar amounts on this instrument (market makers' quotes
    /// and inventory limits, noise orders, value traders' demand and latent book), which the
    /// agent tables give once for every instrument: 0.35 makes a market about a third as deep
    /// and as busy as its neighbour's.
    #[serde(default = "d_one")]
    pub liquidity_scale: f64,
    /// The fundamental value's close on each simulated day, in dollars (day 1 first): the
    /// fundamental then runs as a bridge from one given close to the next, with its own
    /// intraday noise. Days past the list are free. `flowsim episode` writes these when it
    /// infers the flow-free value behind a real episode.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fundamental_closes: Vec<f64>,
    /// Public news moves the whole book: at each fundamental step in continuous trading every
    /// resting limit order is repriced by the value's move (whole ticks, the rest carried),
    /// without trading, as liquidity providers re-quote around a new value. Off, the price
    /// follows value only as traders cross the spread to move it, and each move of value is
    /// paid for in trades (markets/spx.md, "Public news").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub news_moves_book: bool,
}

fn d_burst_seconds() -> u32 {
    60
}

// Options left at their defaults stay out of a written scenario, so the scenarios recorded
// by runs before they existed are written the same.
fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn is_d_burst_seconds(v: &u32) -> bool {
    *v == d_burst_seconds()
}

fn d_vol_half_life() -> f64 {
    5.0
}

fn d_tick() -> f64 {
    0.01
}
fn d_vol() -> f64 {
    0.16
}
fn d_one() -> f64 {
    1.0
}
fn d_overnight() -> f64 {
    0.2
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum PrehistoryCfg {
    /// Daily closes drawn from each instrument's fundamental process, ending at its initial price.
    Synthetic {
        #[serde(default = "d_pre_days")]
        days: u32,
        /// Annual log drift of the pre-history (0 = none). A market that has been rising
        /// starts trend followers long and on every lookback, the usual set-up before a
        /// deleveraging.
        #[serde(default)]
        annual_drift: f64,
    },
    /// Daily closes from one CSV file with a date column (`date`, or `day`; ISO dates, sorted,
    /// no duplicates) and a column per instrument symbol, rescaled so the last close equals
    /// each instrument's initial price. The path is relative to the scenario file.
    Csv {
        file: String,
        /// Use the rows up to and including this date (`YYYY-MM-DD`); default all.
        #[serde(default)]
        until: Option<String>,
    },
    /// One real daily history per instrument (a CSV with a date and a close, such as
    /// `data/history/sp500.csv`), up to `until`. Agents start with the σ̂, exposures,
    /// percentiles and trend signals of that real path, and the simulated days carry the
    /// trading dates that follow `until` (`calendar.csv` in the run folder). Closes are
    /// rescaled to end at each instrument's initial price (returns are unchanged).
    History {
        /// `SYMBOL = "file.csv"` per instrument, relative to the scenario file.
        files: std::collections::BTreeMap<String, String>,
        /// Last day of the pre-history (`YYYY-MM-DD`); default the file's last date.
        #[serde(default)]
        until: Option<String>,
        /// Keep only this many of the last days up to `until` (0 = all).
        #[serde(default)]
        days: u32,
        /// Name of the close column.
        #[serde(default = "d_close_column")]
        close_column: String,
    },
}

fn d_close_column() -> String {
    "close".into()
}

fn d_pre_days() -> u32 {
    260
}

impl Default for PrehistoryCfg {
    fn default() -> Self {
        PrehistoryCfg::Synthetic {
            days: d_pre_days(),
            annual_drift: 0.0,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MarketCfg {
    pub self_trade: SelfTradePrevention,
    pub circuit_breakers: BreakerCfg,
    /// Annual fee on the value of short positions, paid daily to the securities lender.
    pub borrow_fee_annual: f64,
    /// λ of the EWMA of squared daily returns that market data publishes.
    pub ewma_lambda: f64,
    /// Seconds between fundamental-value steps during the session.
    pub fundamental_step_seconds: u32,
}

impl Default for MarketCfg {
    fn default() -> Self {
        MarketCfg {
            self_trade: SelfTradePrevention::CancelResting,
            circuit_breakers: BreakerCfg::default(),
            borrow_fee_annual: 0.003,
            ewma_lambda: 0.94,
            fundamental_step_seconds: 10,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BreakerCfg {
    pub enabled: bool,
    /// Declines from the prior close that trigger a halt (the last one closes the day).
    pub levels: Vec<f64>,
    pub halt_minutes: u32,
    /// After this time of day the non-final levels no longer halt, "HH:MM".
    pub no_halt_after: String,
    /// Which instrument is the market-wide reference (default: the first).
    pub reference: Option<String>,
}

impl Default for BreakerCfg {
    fn default() -> Self {
        BreakerCfg {
            enabled: true,
            levels: vec![0.07, 0.13, 0.20],
            halt_minutes: 15,
            no_halt_after: "15:25".into(),
            reference: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShockCfg {
    /// Trading day, 1-based.
    pub day: u32,
    /// Time of day, "HH:MM".
    pub time: String,
    pub instrument: String,
    /// Log jump of the fundamental value (−0.05 ≈ −5%).
    pub fundamental_jump: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FlowCfg {
    pub day: u32,
    pub start: String,
    pub end: String,
    pub instrument: String,
    pub side: crate::book::Side,
    /// Dollar amount to trade over the window.
    pub usd: f64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AgentsCfg {
    pub market_maker: Option<MarketMakerCfg>,
    pub noise: Option<NoiseCfg>,
    pub value: Option<ValueCfg>,
    pub vol_target: Option<VolTargetCfg>,
    pub letf: Option<LetfCfg>,
    pub cta: Option<CtaCfg>,
    pub dealer: Option<DealerCfg>,
    pub short_seller: Option<ShortSellerCfg>,
    pub hedger: Option<HedgerCfg>,
    /// Real money: balanced funds rebalancing to fixed weights.
    pub pension: Option<PensionCfg>,
    /// Real money: slow, value-anchored long-term managers.
    pub long_term: Option<LongTermCfg>,
    /// Classes held by static holders: their agents start with the positions their rule gives
    /// (the same capital, invested the same way) and never trade. The counterfactual that
    /// keeps the capital and removes only the rebalancing, beside "capital absent" (the class
    /// removed); names as in `flowsim ablate --without`, `mechanical` for all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub static_holders: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MarketMakerCfg {
    /// Market makers per instrument.
    pub count: u32,
    /// Dollar size of each quote layer.
    pub quote_usd: f64,
    /// Quote layers per side, one tick apart beyond the first.
    pub layers: u32,
    /// Minimum half-spread in ticks: 0.5 quotes a one-tick market around a mid between two
    /// ticks (the bid rounds down and the ask up, so 1 gives two or three ticks).
    pub min_half_spread_ticks: f64,
    /// Extra half-spread per unit of recent one-minute volatility, in multiples of that volatility.
    pub vol_spread_mult: f64,
    /// Inventory (dollars) at which the maker stops quoting the side that would add to it.
    pub inventory_limit_usd: f64,
    /// Ticks the quote centre shifts against inventory at the limit.
    pub skew_ticks_at_limit: f64,
    /// Seconds between requotes.
    pub requote_seconds: f64,
    /// Absolute mid move over `withdraw_window_minutes` that makes the maker pull quotes.
    pub withdraw_move: f64,
    pub withdraw_window_minutes: u32,
    /// Minutes the maker stays out after withdrawing.
    pub withdraw_minutes: u32,
    pub latency_us: u64,
}

impl Default for MarketMakerCfg {
    fn default() -> Self {
        MarketMakerCfg {
            count: 2,
            quote_usd: 50e6,
            layers: 3,
            min_half_spread_ticks: 1.0,
            vol_spread_mult: 0.2,
            inventory_limit_usd: 2e9,
            skew_ticks_at_limit: 4.0,
            requote_seconds: 2.0,
            withdraw_move: 0.02,
            withdraw_window_minutes: 5,
            withdraw_minutes: 5,
            latency_us: 200,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NoiseCfg {
    /// Noise traders per instrument.
    pub count: u32,
    /// Orders each trader sends per day on average (Poisson, U-shaped through the day).
    pub orders_per_day: f64,
    /// Share of orders that are market orders.
    pub market_share: f64,
    /// Mean order size in dollars (sizes are geometric in units).
    pub order_usd: f64,
    /// Mean distance of limit orders from the same-side best, in ticks (exponential).
    pub offset_ticks_mean: f64,
    /// Mean lifetime of a resting limit order, minutes (exponential), after which it is cancelled.
    pub lifetime_minutes: f64,
    /// Share of orders sent as market-on-close orders in the closing auction window.
    pub close_share: f64,
    /// How much busier the first and last half hours are than midday (1 = flat).
    pub u_shape: f64,
    /// Strength of activity feedback: recent absolute returns raise arrival rates (volatility
    /// clustering comes from this; 0 turns it off).
    pub activity_feedback: f64,
    /// Minutes over which a trader leans its sides against its own position to be flat again
    /// (0 = sides at random and positions unbounded). Short-horizon traders cannot hold a
    /// persistent flow; without this their resting orders absorb one without limit.
    pub inventory_horizon_minutes: f64,
    pub latency_us: u64,
}

impl Default for NoiseCfg {
    fn default() -> Self {
        NoiseCfg {
            count: 200,
            orders_per_day: 60.0,
            market_share: 0.15,
            order_usd: 5e6,
            offset_ticks_mean: 3.0,
            lifetime_minutes: 20.0,
            close_share: 0.1,
            u_shape: 10.0,
            activity_feedback: 0.3,
            inventory_horizon_minutes: 0.0,
            latency_us: 1000,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ValueCfg {
    /// Value traders per instrument.
    pub count: u32,
    /// Decisions per day per trader (Poisson, U-shaped through the day like noise orders).
    pub decisions_per_day: f64,
    /// How much busier the first and last half hours are than midday (1 = flat).
    pub u_shape: f64,
    /// Relative noise of each trader's estimate of the fundamental (fixed bias, per trader).
    pub estimate_noise: f64,
    /// Relative noise of each observation of the fundamental (fresh at every decision).
    pub observation_noise: f64,
    /// Mispricing below which the trader does nothing.
    pub threshold: f64,
    /// Dollar position per 1% of mispricing.
    pub usd_per_pct: f64,
    /// Maximum absolute position in dollars.
    pub max_position_usd: f64,
    /// Share of the gap to its target a trader closes at each decision (1 = all of it). Below
    /// 1, value capital arrives over days rather than at once: flows move the price in the
    /// short run and the move reverses as value capital catches up.
    pub speed: f64,
    /// Where a trader puts its limit price.
    pub limit: ValueLimit,
    /// Share of its demand schedule each trader offers in the closing auction (0 = none). The
    /// close is where index and rebalancing flows meet most liquidity; with this above 0 a
    /// trader enters its whole schedule (target position at each price, scaled by this
    /// share) as a ladder of limit orders, so closing imbalances clear at a price that value
    /// capital accepts instead of against whatever the continuous book had left.
    pub close_speed: f64,
    /// Price levels of the ladder (closing, and continuous with `limit = "schedule"`) on each
    /// side of the trader's estimate.
    pub ladder_levels: u32,
    /// Mispricing between adjacent levels of the ladder (0.0025 = 0.25%); the first
    /// level is at `threshold`.
    pub ladder_step: f64,
    /// Keep a fixed risk budget: `usd_per_pct` and `max_position_usd` hold when the market's
    /// published EWMA volatility σ̂ (updated at each close) equals the instrument's
    /// `annual_vol`, and the whole schedule scales by `annual_vol / σ̂`. Value capital then
    /// offers less depth after a volatility shock, as VaR-limited liquidity providers do
    /// (Danielsson, Shin & Zigrand; the liquidity spirals of Brunnermeier & Pedersen 2009; the
    /// low-liquidity window of docs/model.md §9.0).
    pub risk_budget: bool,
    /// The latent order book of `limit = "latent"` (ignored otherwise).
    pub latent: LatentCfg,
    pub latency_us: u64,
}

/// The latent liquidity of value traders with `limit = "latent"`: slow demand, mostly not
/// displayed, with the dynamics of the locally linear order book (src/agents/latent.rs).
/// Amounts are the whole class's on one instrument, each trader holding `1/count` of them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LatentCfg {
    /// Latent dollars per 1% of price on each side, far from the price (λ/ν, the stationary
    /// density where nothing has traded).
    pub far_usd_per_pct: f64,
    /// Width ξ of the depleted region around the price, as a fraction of price: the latent
    /// density is `far·(1 − e^{−x/ξ})` at distance x, so near the price it grows linearly with
    /// slope `far/ξ`, the market's latent liquidity L.
    pub width: f64,
    /// Mean lifetime 1/ν of a latent intention, in trading days (session time): the memory of
    /// the book, and how long the hole a metaorder digs takes to refill.
    pub memory_days: f64,
    /// Ticks from the mid within which intentions are displayed as limit orders.
    pub reveal_ticks: u32,
    /// Share of the intentions within `reveal_ticks` that is displayed.
    pub reveal_share: f64,
    /// Ticks from the last price within which intentions enter the closing auction (all of
    /// them: the auction is where slow money meets the close).
    pub close_reveal_ticks: u32,
    /// Half-width of each trader's grid, as a fraction of price (one cell per tick).
    pub span: f64,
    /// Session seconds between updates of the density (deposits, cancellations, diffusion);
    /// value moves and executions are applied at every decision.
    pub evolve_seconds: f64,
    /// A finite elasticity of slow money: the dollars the class buys for each 1% it marks its
    /// valuation down (each trader leans on its own holdings with `1/count` of it), so holding
    /// more of the market needs a lower price and part of every flow's impact stays. 0 (the
    /// default): no lean, the book absorbs any amount around value.
    #[serde(skip_serializing_if = "is_zero")]
    pub elasticity_usd_per_pct: f64,
    /// A second, fast population of intentions beside the slow one (none by default). One
    /// population ties the refill of a hole to the flow of intentions into the price
    /// (J = ξ·λ): small enough for a square root at an hour, it leaves a level the price has
    /// held for days empty. Short-lived intentions rebuild around wherever the price stays
    /// within a day or so, and add little to what an hour's programme meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fast: Option<LatentPopulationCfg>,
}

/// One population of the latent book: its depth, width and memory. The slow population's are
/// `[agents.value.latent]`'s own keys (`LatentCfg::slow`), the fast one's its `fast` table.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LatentPopulationCfg {
    /// Dollars per 1% of price on each side, far from the price.
    pub far_usd_per_pct: f64,
    /// Width of its depleted region around the price, as a fraction of price.
    pub width: f64,
    /// Mean lifetime of its intentions, in trading days.
    pub memory_days: f64,
}

impl LatentCfg {
    /// The slow population, from this table's own keys.
    pub fn slow(&self) -> LatentPopulationCfg {
        LatentPopulationCfg {
            far_usd_per_pct: self.far_usd_per_pct,
            width: self.width,
            memory_days: self.memory_days,
        }
    }
}

impl Default for LatentCfg {
    fn default() -> Self {
        LatentCfg {
            far_usd_per_pct: 5e12,
            width: 0.015,
            memory_days: 5.0,
            reveal_ticks: 8,
            reveal_share: 1.0,
            close_reveal_ticks: 40,
            span: 0.05,
            evolve_seconds: 60.0,
            elasticity_usd_per_pct: 0.0,
            fast: None,
        }
    }
}

/// How a value trader prices its orders.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ValueLimit {
    /// At its estimate less (buying) or plus (selling) the threshold: the trader never buys
    /// above value nor sells below it, so inventory taken on in a selloff is held until the
    /// price comes back. A patient liquidity provider at value.
    Edge,
    /// Its whole demand schedule (position proportional to mispricing at every price, for
    /// `speed` of the gap) as a ladder of limit orders: a demand curve in the book. As a
    /// discount narrows the trader sells inventory below value, so flows it absorbed keep the
    /// price away from value until someone takes the inventory back (persistent impact).
    Schedule,
    /// A latent order book ([`LatentCfg`]): intentions deposited around the price, cancelled
    /// and revised over days, moved with value, displayed only near the price and removed when
    /// executed. Impact is concave and mostly transient by construction.
    Latent,
}

impl Default for ValueCfg {
    fn default() -> Self {
        ValueCfg {
            count: 20,
            decisions_per_day: 150.0,
            u_shape: 6.0,
            estimate_noise: 0.001,
            observation_noise: 0.0005,
            threshold: 0.0005,
            usd_per_pct: 5e9,
            max_position_usd: 50e9,
            speed: 1.0,
            limit: ValueLimit::Edge,
            close_speed: 0.0,
            ladder_levels: 12,
            ladder_step: 0.0025,
            risk_budget: false,
            latent: LatentCfg::default(),
            latency_us: 5000,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RecordCfg {
    /// Write every trade (the largest file of a run).
    pub trades: bool,
    /// Write each table as Parquet too (CSV is always written).
    pub parquet: bool,
    /// `"all"` (default) or `"sweep"`: only what a sweep needs (bars and flows beside the
    /// summary, the scenario copy and the calendar; no trades, positions, events, state or
    /// report). `flowsim run --tables` and `flowsim sweep --tables` override it.
    #[serde(skip_serializing_if = "is_all")]
    pub tables: crate::record::Tables,
}

fn is_all(t: &crate::record::Tables) -> bool {
    *t == crate::record::Tables::All
}

impl Default for RecordCfg {
    fn default() -> Self {
        RecordCfg {
            trades: true,
            parquet: true,
            tables: crate::record::Tables::All,
        }
    }
}
