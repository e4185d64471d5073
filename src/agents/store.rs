//! Where the simulation keeps its agents: by class, in contiguous vectors.
//!
//! The classes that wake many times a day (market makers, noise and value traders) make almost
//! every order, and a large population wakes them in an order unrelated to their place in
//! memory. Stored inline in one vector per class, an agent's state is one load away (not behind
//! a box), and a wake-up is a `match` the compiler can inline rather than a `dyn` call. The
//! once-a-day classes wake a few times a day each: they stay boxed behind the `Agent` trait.
//!
//! The store only holds the agents. Their ids, random streams, latencies and open orders are
//! kept by the market beside it, indexed by the agent's place in the population (its
//! `AgentId`), which is unchanged by where the store puts it.

use rand_chacha::ChaCha8Rng;

use super::{
    Agent, AgentClass, Context, Delivery, MarketMaker, NoiseTrader, StateSample, ValueTrader,
};
use crate::market::data::InstrumentData;
use crate::market::time::Nanos;

/// One agent, by kind, on its way into an [`AgentStore`]. It lives only while the scenario is
/// built, then moves into its class's vector: boxing the large variant would allocate for
/// nothing.
#[allow(clippy::large_enum_variant)]
pub enum AnyAgent {
    MarketMaker(MarketMaker),
    Noise(NoiseTrader),
    Value(ValueTrader),
    /// Every other kind, behind the trait.
    Other(Box<dyn Agent>),
}

impl From<Box<dyn Agent>> for AnyAgent {
    fn from(agent: Box<dyn Agent>) -> Self {
        AnyAgent::Other(agent)
    }
}

impl From<MarketMaker> for AnyAgent {
    fn from(agent: MarketMaker) -> Self {
        AnyAgent::MarketMaker(agent)
    }
}

impl From<NoiseTrader> for AnyAgent {
    fn from(agent: NoiseTrader) -> Self {
        AnyAgent::Noise(agent)
    }
}

impl From<ValueTrader> for AnyAgent {
    fn from(agent: ValueTrader) -> Self {
        AnyAgent::Value(agent)
    }
}

impl AnyAgent {
    /// [`Agent::initial_positions`] (asked while the scenario is built).
    pub fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        match self {
            AnyAgent::MarketMaker(a) => a.initial_positions(data),
            AnyAgent::Noise(a) => a.initial_positions(data),
            AnyAgent::Value(a) => a.initial_positions(data),
            AnyAgent::Other(a) => a.initial_positions(data),
        }
    }
}

/// Where an agent is in an [`AgentStore`]: its class vector and its index there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    MarketMaker(u32),
    Noise(u32),
    Value(u32),
    Other(u32),
}

/// The agents of a run, one vector per frequently waking class.
#[derive(Default)]
pub struct AgentStore {
    market_makers: Vec<MarketMaker>,
    noise: Vec<NoiseTrader>,
    value: Vec<ValueTrader>,
    other: Vec<Box<dyn Agent>>,
}

/// Runs `$body` with `$a` bound to the agent at `$slot`: a concrete type for the stored
/// classes (a static, inlinable call), `dyn Agent` for the rest.
macro_rules! on_agent {
    ($store:expr, $slot:expr, |$a:ident| $body:expr) => {
        match $slot {
            Slot::MarketMaker(k) => {
                let $a = &mut $store.market_makers[k as usize];
                $body
            }
            Slot::Noise(k) => {
                let $a = &mut $store.noise[k as usize];
                $body
            }
            Slot::Value(k) => {
                let $a = &mut $store.value[k as usize];
                $body
            }
            Slot::Other(k) => {
                let $a = &mut *$store.other[k as usize];
                $body
            }
        }
    };
}

impl AgentStore {
    /// Stores `agent` and says where it went.
    pub fn push(&mut self, agent: AnyAgent) -> Slot {
        fn put<T>(v: &mut Vec<T>, x: T) -> u32 {
            v.push(x);
            (v.len() - 1) as u32
        }
        match agent {
            AnyAgent::MarketMaker(x) => Slot::MarketMaker(put(&mut self.market_makers, x)),
            AnyAgent::Noise(x) => Slot::Noise(put(&mut self.noise, x)),
            AnyAgent::Value(x) => Slot::Value(put(&mut self.value, x)),
            AnyAgent::Other(x) => Slot::Other(put(&mut self.other, x)),
        }
    }

    pub fn class(&self, slot: Slot) -> AgentClass {
        match slot {
            Slot::MarketMaker(_) => AgentClass::MarketMaker,
            Slot::Noise(_) => AgentClass::Noise,
            Slot::Value(_) => AgentClass::Value,
            Slot::Other(k) => self.other[k as usize].class(),
        }
    }

    pub fn reads_depth(&mut self, slot: Slot) -> bool {
        on_agent!(self, slot, |a| a.reads_depth())
    }

    /// [`Agent::start_day`] of the agent at `slot`.
    pub fn start_day(&mut self, slot: Slot, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        on_agent!(self, slot, |a| a.start_day(ctx, rng))
    }

    /// [`Agent::wake`] of the agent at `slot`.
    #[inline]
    pub fn wake(
        &mut self,
        slot: Slot,
        ctx: &Context,
        rng: &mut ChaCha8Rng,
        out: &mut Vec<super::Action>,
    ) -> Option<Nanos> {
        on_agent!(self, slot, |a| a.wake(ctx, rng, out))
    }

    /// [`Agent::end_day`] of the agent at `slot`.
    pub fn end_day(&mut self, slot: Slot, ctx: &Context, out: &mut Vec<StateSample>) {
        on_agent!(self, slot, |a| a.end_day(ctx, out))
    }

    /// [`Agent::settle`] of the agent at `slot`.
    pub fn settle(&mut self, slot: Slot, ctx: &Context, out: &mut Vec<Delivery>) {
        on_agent!(self, slot, |a| a.settle(ctx, out))
    }
}
