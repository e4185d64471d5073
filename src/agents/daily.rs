//! Agents that decide once a day and work the decision through the session.
//!
//! The funds (vol-target, LETF, CTA, hedger, pension, long-term manager) and the options
//! customers differ only in their rule: each wakes at its plan's decision time, computes a
//! target position or decides not to trade, and has the order worked by [`Execution`] through
//! halts and auctions. [`Daily`] is that cycle once, around a [`DailyDecision`] that holds
//! just the rule, so a change to how a day's decision is scheduled or worked reaches every
//! such agent at once. Agents that also act between decisions (short sellers' stops and margin
//! checks) drive a [`DailyWorker`] themselves.

use rand_chacha::ChaCha8Rng;

use super::execution::{Execution, HALT_RETRY, Plan, Style};
use super::state::StateSample;
use super::{Action, Agent, AgentClass, Context, DayPhase};
use crate::book::Motive;
use crate::market::data::InstrumentData;
use crate::market::time::Nanos;

/// Drives a once-a-day decision: wakes at the plan's start, lets the agent decide, then works
/// the order through halts and auctions. Agents that also act at other times combine its
/// wake-ups with their own.
#[derive(Clone, Copy, Debug)]
pub struct DailyWorker {
    pub plan: Plan,
    exec: Option<Execution>,
    /// Today's decision has been taken (to trade or not).
    decided: bool,
}

impl DailyWorker {
    pub fn new(plan: Plan) -> Self {
        DailyWorker {
            plan,
            exec: None,
            decided: false,
        }
    }

    /// Forgets yesterday's work; returns the decision time.
    pub fn start_day(&mut self, ctx: &Context) -> Option<Nanos> {
        self.exec = None;
        self.decided = false;
        Some(ctx.today_at(self.plan.start))
    }

    /// Whether today's decision time has come (and no decision is being worked).
    pub fn decision_due(&self, ctx: &Context) -> bool {
        !self.decided && ctx.now >= ctx.today_at(self.plan.start)
    }

    pub fn working(&self) -> bool {
        self.exec.is_some_and(|e| !e.is_done())
    }

    /// Starts working towards `target` units with today's plan.
    pub fn begin(&mut self, ctx: &Context, instrument: usize, target: i64, motive: Motive) {
        self.decided = true;
        self.exec = Some(Execution::new(
            instrument,
            target,
            self.plan.style_today(ctx),
            motive,
        ));
    }

    /// Starts working towards `target` units at once with a market order (stops, margin calls).
    pub fn begin_now(&mut self, instrument: usize, target: i64, motive: Motive) {
        self.decided = true;
        self.exec = Some(Execution::new(instrument, target, Style::Immediate, motive));
    }

    /// Marks today's decision as taken without trading.
    pub fn skip(&mut self) {
        self.decided = true;
    }

    /// Sends what is due now; returns when to come back.
    pub fn step(&mut self, ctx: &Context, out: &mut Vec<Action>) -> Option<Nanos> {
        let exec = self.exec.as_mut()?;
        if exec.is_done() {
            return None;
        }
        match ctx.phase {
            DayPhase::Closed => None,
            // Orders are refused in a halt; continuous-only styles wait for the open.
            DayPhase::Halted => Some(ctx.now + HALT_RETRY),
            DayPhase::PreOpen => Some(ctx.today_at(ctx.calendar.open) + 1),
            _ => exec.step(ctx, out),
        }
    }
}

/// A day's decision: hold `units` of `instrument`, traded with `motive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub instrument: usize,
    pub units: i64,
    pub motive: Motive,
}

/// The rule of an agent that decides once a day; [`Daily`] makes it an [`Agent`].
pub trait DailyDecision {
    const CLASS: AgentClass;

    /// Called at each pre-open, before the decision time is scheduled: resets what the agent
    /// reports about one day. `false` sits the day out (no wake-up at all).
    fn start_day(&mut self, _ctx: &Context) -> bool {
        true
    }

    /// At the decision time: the position to work towards today, or `None` not to trade.
    fn decide(&mut self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Target>;

    /// As [`Agent::initial_positions`].
    fn initial_positions(&mut self, _data: &[InstrumentData]) -> Vec<(usize, i64)> {
        Vec::new()
    }

    /// As [`Agent::end_day`].
    fn end_day(&mut self, _ctx: &Context, _out: &mut Vec<StateSample>) {}
}

/// An agent that takes one [`DailyDecision`] a day and works it with a [`DailyWorker`].
pub struct Daily<D> {
    pub(super) decision: D,
    worker: DailyWorker,
}

impl<D: DailyDecision> Daily<D> {
    pub fn with_plan(plan: Plan, decision: D) -> Self {
        Daily {
            decision,
            worker: DailyWorker::new(plan),
        }
    }
}

impl<D: DailyDecision> Agent for Daily<D> {
    fn class(&self) -> AgentClass {
        D::CLASS
    }

    fn start_day(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Nanos> {
        if !self.decision.start_day(ctx) {
            return None;
        }
        self.worker.start_day(ctx)
    }

    fn wake(
        &mut self,
        ctx: &Context,
        rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        if self.worker.decision_due(ctx) {
            match self.decision.decide(ctx, rng) {
                Some(t) => self.worker.begin(ctx, t.instrument, t.units, t.motive),
                // Nothing is being worked (the day's start cleared it), so the step below
                // has nothing to send and no wake-up to ask for.
                None => self.worker.skip(),
            }
        }
        self.worker.step(ctx, out)
    }

    fn initial_positions(&mut self, data: &[InstrumentData]) -> Vec<(usize, i64)> {
        self.decision.initial_positions(data)
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        self.decision.end_day(ctx, out)
    }
}
