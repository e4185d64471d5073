//! The options customers: the dealers' counterparty at a physically settled exercise.
//!
//! A customer who sold the dealer a call that ends in the money delivers the underlying at the
//! strike; one who bought it receives it. Either way the customer ends up with an index
//! position it never chose (it traded an option, a bounded bet, not a delta-one holding), so
//! it trades that position back to zero over the next session instead of keeping it. Without
//! this the deliveries accumulate day after day in an account that never trades, and the
//! market's other holders must carry the other side at a price pushed away from value
//! (experiments/gamma_regimes.md, "Pinning").
//!
//! The unwind is a TWAP of market orders over the whole continuous session (from the open to
//! the closing auction, one slice every five minutes), what it leaves at the last slice going
//! to the closing auction, as the vol-target and LETF funds work theirs: the customers are
//! many small holders, so their flow is spread rather than timed. The agent decides from its
//! own position each morning, so a delivery it has not finished unwinding (a halt, a thin
//! book) is simply part of the next day's work.

use rand_chacha::ChaCha8Rng;

use super::daily::{Daily, DailyDecision, Target};
use super::execution::Plan;
use super::state::{Metric, StateSample};
use super::{AgentClass, Context};
use crate::book::Motive;
use crate::market::time::{Calendar, MINUTE, Nanos};
use crate::scenario::ExecStyle;

/// One TWAP slice every this long.
const SLICE: Nanos = 5 * MINUTE;

/// The customers' holdings in one instrument, traded back to zero.
pub struct UnwindDecision {
    instrument: usize,
}

pub type OptionsCustomer = Daily<UnwindDecision>;

impl OptionsCustomer {
    pub fn new(instrument: usize, calendar: &Calendar) -> Self {
        let (start, end) = (calendar.open, calendar.close_auction.max(calendar.open));
        let slices = ((end - start) / SLICE).max(1) as u32;
        Daily::with_plan(
            Plan {
                style: ExecStyle::Twap,
                start,
                end,
                slices,
            },
            UnwindDecision { instrument },
        )
    }
}

impl DailyDecision for UnwindDecision {
    const CLASS: AgentClass = AgentClass::OptionsCustomer;

    fn start_day(&mut self, ctx: &Context) -> bool {
        // Flat (no delivery yesterday, or all of it unwound): nothing to do today.
        ctx.position(self.instrument) != 0
    }

    fn decide(&mut self, ctx: &Context, _rng: &mut ChaCha8Rng) -> Option<Target> {
        (ctx.position(self.instrument) != 0).then_some(Target {
            instrument: self.instrument,
            units: 0,
            motive: Motive::Unwind,
        })
    }

    fn end_day(&mut self, ctx: &Context, out: &mut Vec<StateSample>) {
        let i = self.instrument;
        out.push(StateSample::new(
            i,
            Metric::PositionUsd,
            ctx.position_usd(i),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit;
    use crate::agents::{Action, Agent, DayPhase};
    use crate::book::{OrderKind, Side, TimeInForce};
    use rand::SeedableRng;

    /// Runs one session's wake-ups against a book that fills every market order in full at
    /// once; returns the position at the end and the orders sent.
    fn session(start: i64) -> (i64, Vec<Action>) {
        let cal = testkit::calendar();
        let data = [testkit::market(&[5000.0])];
        let mut c = OptionsCustomer::new(0, &cal);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut position = start;
        let mut sent = Vec::new();
        let account = testkit::account(position);
        let ctx = testkit::context(&cal, &data, &account, 3, cal.preopen, DayPhase::PreOpen);
        let mut next = c.start_day(&ctx, &mut rng);
        while let Some(t) = next {
            let tod = cal.time_of_day(t);
            let phase = if tod < cal.open {
                DayPhase::PreOpen
            } else if tod < cal.close_auction {
                DayPhase::Continuous
            } else {
                DayPhase::ClosingAuction
            };
            let account = testkit::account(position);
            let ctx = testkit::context(&cal, &data, &account, 3, tod, phase);
            let mut out = Vec::new();
            next = c.wake(&ctx, &mut rng, &mut out);
            for a in &out {
                if let Action::Submit {
                    side,
                    kind: OrderKind::Market,
                    qty,
                    ..
                } = *a
                {
                    position += side.sign() * qty as i64;
                }
            }
            sent.extend(out);
            assert!(next.is_none_or(|n| n > t), "wake-ups go forward");
        }
        (position, sent)
    }

    /// After a delivery the customers trade the position back to zero over the session, in
    /// equal slices of market orders (buying back what they delivered, selling what they
    /// received), all motive `unwind`, from the open to the closing auction.
    #[test]
    fn a_delivery_is_unwound_over_the_next_session() {
        for start in [-40_000i64, 25_001] {
            let (end, sent) = session(start);
            assert_eq!(end, 0, "from {start}");
            // 09:30 to 15:55 in 5-minute slices: 77.
            assert_eq!(sent.len(), 77, "from {start}");
            let mut qtys = Vec::new();
            for (k, a) in sent.iter().enumerate() {
                match *a {
                    Action::Submit {
                        side,
                        qty,
                        motive,
                        tif,
                        ..
                    } => {
                        assert_eq!(side, if start < 0 { Side::Buy } else { Side::Sell });
                        assert_eq!(motive, Motive::Unwind);
                        // The last slice (15:50) goes to the closing auction.
                        let want = if k + 1 == sent.len() {
                            TimeInForce::AtClose
                        } else {
                            TimeInForce::Ioc
                        };
                        assert_eq!(tif, want);
                        qtys.push(qty);
                    }
                    _ => panic!("{a:?}"),
                }
            }
            let (lo, hi) = (qtys.iter().min().unwrap(), qtys.iter().max().unwrap());
            assert!(hi - lo <= 1, "equal slices: {lo}..{hi}");
        }
    }

    /// Flat, the customers do not even wake.
    #[test]
    fn flat_customers_do_nothing() {
        let (end, sent) = session(0);
        assert_eq!(end, 0);
        assert!(sent.is_empty(), "{sent:?}");
    }
}
