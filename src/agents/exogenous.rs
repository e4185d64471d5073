//! Exogenous flow programmes: "sell $X over an hour" from the scenario, worked in equal
//! market-order slices every [`SLICE`] across the window.

use rand_chacha::ChaCha8Rng;

use super::execution::{Execution, Style};
use super::{Action, Agent, AgentClass, Context, DayPhase};
use crate::book::{Motive, Side};
use crate::market::time::Nanos;

/// How often a programme sends a slice. A programme is a metaorder measured over its window,
/// so it must trade in it: with one slice a minute, a $100bn hour sent $1.7bn market orders into
/// a displayed book of about that size, and up to 29% of it was left for the closing auction.
/// Ten seconds puts a $100bn hour at about $280m a slice.
pub const SLICE: Nanos = 10 * crate::market::time::SECOND;

pub struct FlowProgramme {
    instrument: usize,
    day: u32,
    start: Nanos,
    end: Nanos,
    side: Side,
    usd: f64,
    exec: Option<Execution>,
}

impl FlowProgramme {
    /// `day` is 0-based; `start`/`end` are times of day.
    pub fn new(
        instrument: usize,
        day: u32,
        start: Nanos,
        end: Nanos,
        side: Side,
        usd: f64,
    ) -> Self {
        FlowProgramme {
            instrument,
            day,
            start,
            end,
            side,
            usd,
            exec: None,
        }
    }
}

impl Agent for FlowProgramme {
    fn class(&self) -> AgentClass {
        AgentClass::Exogenous
    }

    fn start_day(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Nanos> {
        (ctx.day == self.day).then(|| ctx.today_at(self.start))
    }

    fn wake(
        &mut self,
        ctx: &Context,
        _rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        if ctx.day != self.day || matches!(ctx.phase, DayPhase::Closed) {
            return None;
        }
        if matches!(ctx.phase, DayPhase::Halted) {
            return Some(ctx.now + super::execution::HALT_RETRY);
        }
        let exec = self.exec.get_or_insert_with(|| {
            let units = ctx.instruments[self.instrument].usd_units(self.usd) as i64;
            let slices = ((self.end - self.start) / SLICE).max(1) as u32;
            Execution::new(
                self.instrument,
                ctx.position(self.instrument) + self.side.sign() * units,
                Style::Window {
                    start: ctx.today_at(self.start),
                    end: ctx.today_at(self.end),
                    slices,
                },
                Motive::Exogenous,
            )
        });
        exec.step(ctx, out)
    }
}
