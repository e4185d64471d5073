//! The one way agents turn a decision into orders.
//!
//! Every agent that trades towards a target position uses [`Execution`] (dealers, which re-hedge
//! minute by minute, send their hedge orders directly): it recomputes what is
//! left from the agent's actual position at each step, so fills, partial fills and cancels
//! never leave it confused about how much it still has to do.

use serde::{Deserialize, Serialize};

use super::{Action, Context, DayPhase};
use crate::book::{Motive, OrderKind, Price, Qty, Side, TimeInForce};
use crate::market::time::Nanos;

/// A market order (IOC: what does not fill at once is cancelled).
pub fn market(instrument: usize, side: Side, qty: Qty, motive: Motive) -> Action {
    market_with(instrument, side, qty, TimeInForce::Ioc, motive)
}

/// A market-on-close order: it waits for the closing auction and trades at its price.
pub fn market_on_close(instrument: usize, side: Side, qty: Qty, motive: Motive) -> Action {
    market_with(instrument, side, qty, TimeInForce::AtClose, motive)
}

/// A market order with its time in force: `AtClose` waits for the closing auction.
fn market_with(
    instrument: usize,
    side: Side,
    qty: Qty,
    tif: TimeInForce,
    motive: Motive,
) -> Action {
    Action::Submit {
        instrument,
        side,
        kind: OrderKind::Market,
        qty,
        tif,
        post_only: false,
        motive,
    }
}

/// A market order sent now: IOC in the continuous session, but in the closing auction it must
/// wait for the uncross (an IOC one would be refused there).
fn market_now(ctx: &Context, instrument: usize, side: Side, qty: Qty, motive: Motive) -> Action {
    let tif = if ctx.phase == DayPhase::ClosingAuction {
        TimeInForce::Day
    } else {
        TimeInForce::Ioc
    };
    market_with(instrument, side, qty, tif, motive)
}

/// What a schedule has not done goes to the closing auction: a market-on-close order before
/// it, a market order into it once it has begun.
fn to_the_close(ctx: &Context, instrument: usize, side: Side, qty: Qty, motive: Motive) -> Action {
    if ctx.phase == DayPhase::ClosingAuction {
        market_now(ctx, instrument, side, qty, motive)
    } else {
        market_on_close(instrument, side, qty, motive)
    }
}

/// A limit order.
pub fn limit(
    instrument: usize,
    side: Side,
    price: Price,
    qty: Qty,
    tif: TimeInForce,
    motive: Motive,
) -> Action {
    Action::Submit {
        instrument,
        side,
        kind: OrderKind::Limit(price),
        qty,
        tif,
        post_only: false,
        motive,
    }
}

/// A post-only day limit order: a quote that must never take liquidity (the book refuses it
/// if it would cross, instead of matching a stale quote).
pub fn quote(instrument: usize, side: Side, price: Price, qty: Qty, motive: Motive) -> Action {
    Action::Submit {
        instrument,
        side,
        kind: OrderKind::Limit(price),
        qty,
        tif: TimeInForce::Day,
        post_only: true,
        motive,
    }
}

/// How a target is worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "style")]
pub enum Style {
    /// One market order now.
    Immediate,
    /// One market-on-close order into the closing auction.
    AtClose,
    /// Equal market-order slices from `start` to `end` (absolute times); the last slice sends
    /// what is left as a market-on-close order.
    Twap {
        start: Nanos,
        end: Nanos,
        slices: u32,
    },
    /// Equal market-order slices from `start` to `end`, the last one included, and at `end` a
    /// market-on-close order for whatever the book did not supply. A programme measured over its
    /// window (`[[flows]]`, `flowsim impact`) must trade in it: under `Twap` the last slice
    /// sends its whole remainder to the auction, which moved up to a third of a large programme
    /// from its window into that day's close.
    Window {
        start: Nanos,
        end: Nanos,
        slices: u32,
    },
    /// Limit orders at the near touch, re-posted each slice, and a market-on-close order for
    /// whatever is left at the last slice.
    Passive {
        start: Nanos,
        end: Nanos,
        slices: u32,
    },
}

/// Working an order towards a target position in one instrument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Execution {
    pub instrument: usize,
    pub target: i64,
    pub style: Style,
    pub motive: Motive,
    slice: u32,
    done: bool,
}

impl Execution {
    pub fn new(instrument: usize, target: i64, style: Style, motive: Motive) -> Self {
        Execution {
            instrument,
            target,
            style,
            motive,
            slice: 0,
            done: false,
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Signed units still to trade, counting resting orders of this motive as done.
    pub fn remaining(&self, ctx: &Context) -> i64 {
        let resting: i64 = ctx
            .open_orders
            .iter()
            .filter(|o| o.instrument == self.instrument && o.motive == self.motive)
            .map(|o| o.side.sign() * o.qty as i64)
            .sum();
        self.target - ctx.position(self.instrument) - resting
    }

    /// Sends what is due now; returns when to call again (None when finished).
    pub fn step(&mut self, ctx: &Context, out: &mut Vec<Action>) -> Option<Nanos> {
        if self.done {
            return None;
        }
        let i = self.instrument;
        match self.style {
            Style::Immediate | Style::AtClose => {
                let rem = self.remaining(ctx);
                if rem != 0 {
                    let side = if rem > 0 { Side::Buy } else { Side::Sell };
                    let qty = rem.unsigned_abs();
                    out.push(if self.style == Style::AtClose {
                        market_on_close(i, side, qty, self.motive)
                    } else {
                        market_now(ctx, i, side, qty, self.motive)
                    });
                }
                self.done = true;
                None
            }
            Style::Twap { start, end, slices }
            | Style::Passive { start, end, slices }
            | Style::Window { start, end, slices } => {
                let passive = matches!(self.style, Style::Passive { .. });
                let window = matches!(self.style, Style::Window { .. });
                let n = slices.max(1);
                if self.slice >= n {
                    // Only a window gets here, at its end: the book's shortfall waits for the
                    // closing auction (or joins it, if it has begun).
                    if ctx.now < end {
                        return Some(end);
                    }
                    let rem = self.remaining(ctx);
                    if rem != 0 {
                        let side = if rem > 0 { Side::Buy } else { Side::Sell };
                        out.push(to_the_close(ctx, i, side, rem.unsigned_abs(), self.motive));
                    }
                    self.done = true;
                    return None;
                }
                let step = (end.saturating_sub(start)) / n as Nanos;
                let due = start + step * self.slice as Nanos;
                if ctx.now < due {
                    return Some(due);
                }
                // Behind schedule (a halt, say): the missed slices merge into this one rather
                // than firing back to back.
                if let Some(on_time) = (ctx.now - start).checked_div(step) {
                    self.slice = self.slice.max(on_time.min(n as Nanos - 1) as u32);
                }
                if passive {
                    out.push(Action::CancelAll { instrument: i });
                }
                // With passive orders cancelled, only the position counts.
                let rem = if passive {
                    self.target - ctx.position(i)
                } else {
                    self.remaining(ctx)
                };
                let last = self.slice + 1 >= n;
                if rem != 0 {
                    let side = if rem > 0 { Side::Buy } else { Side::Sell };
                    let left = (n - self.slice) as u64;
                    let qty = if last {
                        rem.unsigned_abs()
                    } else {
                        rem.unsigned_abs().div_ceil(left)
                    };
                    let data = &ctx.instruments[i];
                    let touch = match side {
                        Side::Buy => data.best_bid.map(|b| b.0),
                        Side::Sell => data.best_ask.map(|a| a.0),
                    };
                    match (passive && !last, touch) {
                        (true, Some(p)) => {
                            out.push(limit(i, side, p, qty, TimeInForce::Day, self.motive))
                        }
                        // What the schedule has not done by its last slice completes in the
                        // closing auction, where the day's liquidity gathers, rather than being
                        // dropped or swept through a thin book. A window trades its last slice
                        // too, and sends only the shortfall at its end.
                        _ if last && !window => {
                            out.push(to_the_close(ctx, i, side, qty, self.motive))
                        }
                        _ => out.push(market_now(ctx, i, side, qty, self.motive)),
                    }
                }
                self.slice += 1;
                match (last, window) {
                    (true, true) => Some(end),
                    (true, false) => {
                        self.done = true;
                        None
                    }
                    _ => Some(start + step * self.slice as Nanos),
                }
            }
        }
    }
}

/// A daily execution schedule in times of day, resolved once from the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub style: crate::scenario::ExecStyle,
    /// Decision time and start of the window (time of day).
    pub start: Nanos,
    /// End of the window (time of day).
    pub end: Nanos,
    pub slices: u32,
}

impl Plan {
    /// Resolves a scenario's execution table (validation guarantees the times parse).
    pub fn from_cfg(cfg: &crate::scenario::ExecutionCfg) -> Self {
        use crate::market::time::{SECOND, parse_hhmm};
        let start = parse_hhmm(&cfg.start).unwrap_or(0) as Nanos * SECOND;
        let end = parse_hhmm(&cfg.end).map_or(start, |s| s as Nanos * SECOND);
        Plan {
            style: cfg.style,
            start,
            end: end.max(start),
            slices: cfg.slices.max(1),
        }
    }

    /// Today's [`Style`] for a decision taken at `ctx.now`: a window that has started already
    /// runs from now to its end.
    pub fn style_today(&self, ctx: &Context) -> Style {
        use crate::scenario::ExecStyle;
        let start = ctx.today_at(self.start).max(ctx.now);
        let end = ctx.today_at(self.end).max(start);
        match self.style {
            ExecStyle::Immediate => Style::Immediate,
            ExecStyle::AtClose => Style::AtClose,
            ExecStyle::Twap => Style::Twap {
                start,
                end,
                slices: self.slices,
            },
            ExecStyle::Passive => Style::Passive {
                start,
                end,
                slices: self.slices,
            },
        }
    }
}

/// How long a worker waits before trying again while trading is halted.
pub const HALT_RETRY: Nanos = crate::market::time::MINUTE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit;
    use crate::market::time::MINUTE;

    /// Runs a sell of 900 units over 30 minutes from `hour`:00 on day 3, stepping it at each
    /// (minute, position then) of `steps` in the continuous session. Returns the size and time
    /// in force of each order sent (all sells), whether each step finished the schedule, and
    /// whether it is done.
    fn sell_900(
        style: fn(Nanos, Nanos) -> Style,
        hour: u64,
        steps: &[(u64, i64)],
    ) -> (Vec<(u64, TimeInForce)>, Vec<bool>, bool) {
        let cal = testkit::calendar();
        let data = [testkit::market(&[5000.0])];
        let at = |minutes: u64| hour * 3600 * crate::market::time::SECOND + minutes * MINUTE;
        let flat = testkit::account(0);
        let start = testkit::context(&cal, &data, &flat, 3, at(0), DayPhase::Continuous).now;
        let mut exec = Execution::new(
            0,
            -900,
            style(start, start + 30 * MINUTE),
            Motive::Rebalance,
        );
        let (mut orders, mut finished) = (Vec::new(), Vec::new());
        for &(m, position) in steps {
            let account = testkit::account(position);
            let ctx = testkit::context(&cal, &data, &account, 3, at(m), DayPhase::Continuous);
            let mut out = Vec::new();
            finished.push(exec.step(&ctx, &mut out).is_none());
            orders.extend(out.iter().map(|a| match *a {
                Action::Submit { qty, tif, side, .. } => {
                    assert_eq!(side, Side::Sell);
                    (qty, tif)
                }
                _ => panic!("{a:?}"),
            }));
        }
        (orders, finished, exec.is_done())
    }

    /// A TWAP that meets no liquidity carries each unfilled slice into the next, and its last
    /// slice sends all that is left to the closing auction instead of dropping it.
    #[test]
    fn a_twap_remainder_goes_to_the_close() {
        let twap = |start, end| Style::Twap {
            start,
            end,
            slices: 3,
        };
        let (orders, _, done) = sell_900(twap, 15, &[(0, 0), (10, 0), (20, 0)]);
        assert!(done);
        // Nothing filled (the position stays 0): 300, then 450 (the rest over two slices),
        // then all 900 market-on-close.
        assert_eq!(
            orders,
            [
                (300, TimeInForce::Ioc),
                (450, TimeInForce::Ioc),
                (900, TimeInForce::AtClose)
            ]
        );
    }

    /// A window programme sends every slice, the last one included, as an order that trades
    /// now; only what the book did not supply by the window's end goes to the closing auction.
    #[test]
    fn a_window_trades_its_last_slice_and_sends_only_the_shortfall_to_the_close() {
        let window = |start, end| Style::Window {
            start,
            end,
            slices: 3,
        };
        // Every slice fills but the last, which meets no liquidity for 100 of its 300.
        let steps = [(0, 0), (10, -300), (20, -600), (30, -800)];
        let (orders, finished, done) = sell_900(window, 10, &steps);
        assert!(done);
        assert_eq!(finished, [false, false, false, true]);
        assert_eq!(
            orders,
            [
                (300, TimeInForce::Ioc),
                (300, TimeInForce::Ioc),
                (300, TimeInForce::Ioc),
                (100, TimeInForce::AtClose)
            ]
        );
    }
}
