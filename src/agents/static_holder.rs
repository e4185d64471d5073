//! A static holder: an agent that keeps the positions its rule starts with and never trades.
//!
//! It answers "what if the same capital were held but never rebalanced?", which removing the
//! class ("what if the capital were not there?") cannot: the holdings stay in the market, so
//! only the rebalancing is taken away. The wrapped agent is built as usual, drawing from its
//! own random stream, so every other agent's draws are unchanged.

use rand_chacha::ChaCha8Rng;

use super::{Action, Agent, AgentClass, Context, InstrumentData, Nanos};

pub struct StaticHolder(pub Box<dyn Agent>);

impl Agent for StaticHolder {
    fn class(&self) -> AgentClass {
        self.0.class()
    }

    fn start_day(&mut self, _ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Nanos> {
        None
    }

    fn wake(
        &mut self,
        _ctx: &Context,
        _rng: &mut ChaCha8Rng,
        _out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        None
    }

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        self.0.initial_positions(data)
    }
}
