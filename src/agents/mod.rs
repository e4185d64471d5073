//! Agents: one file per kind behind one trait.
//!
//! An agent reads market data and its own account through a [`Context`] and answers with
//! [`Action`]s and its next wake-up time. It never touches a book: the market delivers its
//! actions through latency, so what an agent sees is always slightly stale, as in a real market.

pub mod activity;
pub mod cta;
pub mod daily;
pub mod dealer;
pub mod execution;
mod exogenous;
pub mod hedger;
pub mod latent;
pub mod letf;
mod market_maker;
pub mod noise;
pub mod options_customer;
pub mod real_money;
pub mod short_seller;
pub mod state;
mod static_holder;
pub mod stats;
pub mod store;
#[cfg(test)]
mod testkit;
mod value;
pub mod vol_target;

pub use cta::Cta;
pub use dealer::Dealer;
pub use exogenous::FlowProgramme;
pub use hedger::Hedger;
pub use letf::LeveragedEtf;
pub use market_maker::MarketMaker;
pub use noise::NoiseTrader;
pub use options_customer::OptionsCustomer;
pub use real_money::{LongTermManager, Pension};
pub use short_seller::ShortSeller;
pub use state::{AgentEvent, Metric, StateSample};
pub use static_holder::StaticHolder;
pub use value::ValueTrader;
pub use vol_target::VolTarget;

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::book::{Motive, OrderId, OrderKind, Price, Qty, Side, TimeInForce};
use crate::market::data::InstrumentData;
use crate::market::ledger::Account;
use crate::market::time::{Calendar, Nanos};

/// The kind of an agent. Its position in [`AgentClass::ALL`] is part of every agent's stable
/// id, so ids (and random streams) do not depend on which other classes are present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentClass {
    MarketMaker,
    Noise,
    Value,
    Exogenous,
    // Classes are appended, never inserted: the position is part of every stable id.
    VolTarget,
    Letf,
    Cta,
    Dealer,
    ShortSeller,
    Hedger,
    RealMoney,
    OptionsCustomer,
}

impl AgentClass {
    pub const ALL: [AgentClass; 12] = [
        AgentClass::MarketMaker,
        AgentClass::Noise,
        AgentClass::Value,
        AgentClass::Exogenous,
        AgentClass::VolTarget,
        AgentClass::Letf,
        AgentClass::Cta,
        AgentClass::Dealer,
        AgentClass::ShortSeller,
        AgentClass::Hedger,
        AgentClass::RealMoney,
        AgentClass::OptionsCustomer,
    ];

    /// The mechanical-flow classes: the ones an ablation usually removes.
    pub const MECHANICAL: [AgentClass; 6] = [
        AgentClass::VolTarget,
        AgentClass::Letf,
        AgentClass::Cta,
        AgentClass::Dealer,
        AgentClass::ShortSeller,
        AgentClass::Hedger,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgentClass::MarketMaker => "market_maker",
            AgentClass::Noise => "noise",
            AgentClass::Value => "value",
            AgentClass::Exogenous => "exogenous",
            AgentClass::VolTarget => "vol_target",
            AgentClass::Letf => "letf",
            AgentClass::Cta => "cta",
            AgentClass::Dealer => "dealer",
            AgentClass::ShortSeller => "short_seller",
            AgentClass::Hedger => "hedger",
            AgentClass::RealMoney => "real_money",
            AgentClass::OptionsCustomer => "options_customer",
        }
    }

    /// The class named `s` (its snake_case name, as in records and on the command line).
    pub fn parse(s: &str) -> Option<AgentClass> {
        AgentClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The stable id of the `k`-th agent of this class: the class in the high bits.
    pub fn agent_id(self, k: u32) -> u64 {
        ((self.index() as u64) << 32) | k as u64
    }
}

/// Where the trading day is, as agents see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayPhase {
    /// Orders collect for the opening auction.
    PreOpen,
    Continuous,
    /// Orders collect for the closing auction.
    ClosingAuction,
    /// A circuit breaker halted trading (orders are refused).
    Halted,
    /// After the close, or closed for the day by the last circuit breaker level.
    Closed,
}

/// One of the agent's own orders that the market has accepted and that still rests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenOrder {
    pub id: OrderId,
    pub instrument: usize,
    pub side: Side,
    /// `None` for a market order waiting for an auction.
    pub price: Option<Price>,
    pub qty: Qty,
    pub tif: TimeInForce,
    pub motive: Motive,
    pub placed_at: Nanos,
}

/// What an agent may look at when it decides.
pub struct Context<'a> {
    pub now: Nanos,
    /// Trading day, 0-based.
    pub day: u32,
    pub phase: DayPhase,
    pub calendar: &'a Calendar,
    pub instruments: &'a [InstrumentData],
    pub account: &'a Account,
    pub open_orders: &'a [OpenOrder],
}

impl Context<'_> {
    pub fn position(&self, instrument: usize) -> i64 {
        self.account.positions[instrument]
    }
    /// Dollar value of the position in `instrument` at its last price.
    pub fn position_usd(&self, instrument: usize) -> f64 {
        self.instruments[instrument].units_usd(self.position(instrument))
    }
    /// The account's cash in dollars (what its trades and fees have paid and received).
    pub fn cash_usd(&self) -> f64 {
        self.account.cash_cents as f64 / 100.0
    }
    pub fn day_start(&self) -> Nanos {
        self.calendar.day_start(self.day)
    }
    /// Absolute time of a time of day today.
    pub fn today_at(&self, time_of_day: Nanos) -> Nanos {
        self.day_start() + time_of_day
    }
}

/// A request an agent sends to the market.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    Submit {
        instrument: usize,
        side: Side,
        kind: OrderKind,
        qty: Qty,
        tif: TimeInForce,
        post_only: bool,
        motive: Motive,
    },
    Cancel {
        instrument: usize,
        id: OrderId,
    },
    /// Cancels every order the agent has resting in `instrument` when the request arrives.
    CancelAll {
        instrument: usize,
    },
    /// Something the agent wants on the record now (a margin call, a stop-out, an expiry). It
    /// is written at decision time and never reaches a book.
    Note(AgentEvent),
}

/// Underlying that changes hands when an agent's options are exercised at a close: `units` of
/// `instrument` to the agent from the options customers' account (negative: from the agent),
/// paid for at `price` per unit. The market books it; it never reaches a book.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delivery {
    pub instrument: usize,
    pub units: i64,
    /// The strike, in ticks.
    pub price: Price,
    /// The exercised series, for the record: its kind and the agent's signed contracts.
    pub kind: crate::pricing::OptionKind,
    pub contracts: f64,
}

/// The behaviour of one agent.
pub trait Agent {
    fn class(&self) -> AgentClass;

    /// Called when the pre-open starts each day; returns the first wake-up of the day.
    fn start_day(&mut self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos>;

    /// Whether the agent reads the depth snapshot (`InstrumentData::bid_depth`, `ask_depth`):
    /// the market then refreshes it before each of the agent's wake-ups.
    fn reads_depth(&self) -> bool {
        false
    }

    /// Called at a wake-up; pushes actions and returns the next wake-up (None: not today).
    fn wake(&mut self, ctx: &Context, rng: &mut ChaCha8Rng, out: &mut Vec<Action>)
    -> Option<Nanos>;

    /// Units of each instrument the agent holds when the run starts, from the pre-history:
    /// funds start invested, as real ones are, instead of buying everything on day 1.
    fn initial_positions(&mut self, _data: &[InstrumentData]) -> Vec<(usize, i64)> {
        Vec::new()
    }

    /// Called after each close with the day's final data: updates daily state (NAV, volatility
    /// estimates, signals) and pushes what the records should show about the agent.
    fn end_day(&mut self, _ctx: &Context, _out: &mut Vec<StateSample>) {}

    /// Called after each close, before `end_day`, with the day's close in the data: options
    /// that expire today and settle by delivery push what changes hands.
    fn settle(&mut self, _ctx: &Context, _out: &mut Vec<Delivery>) {}
}
