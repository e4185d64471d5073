//! Market makers: layered quotes around the mid, skewed against inventory, wider when
//! volatility is high, withdrawn after a large move and on the side of a full inventory.
//!
//! The skew follows Avellaneda–Stoikov (2008): the reservation price moves against inventory,
//! here linearly up to `skew_ticks_at_limit` at the inventory limit.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::execution::quote;
use super::{Action, Agent, AgentClass, Context, DayPhase};
use crate::book::{Motive, Price, Side};
use crate::market::time::{MINUTE, Nanos, SECOND};
use crate::scenario::MarketMakerCfg;

pub struct MarketMaker {
    instrument: usize,
    cfg: MarketMakerCfg,
    quote_units: u64,
    inventory_limit: i64,
    withdrawn_until: Nanos,
}

impl MarketMaker {
    pub fn new(
        instrument: usize,
        cfg: MarketMakerCfg,
        quote_units: u64,
        inventory_limit: i64,
    ) -> Self {
        MarketMaker {
            instrument,
            cfg,
            quote_units: quote_units.max(1),
            inventory_limit: inventory_limit.max(1),
            withdrawn_until: 0,
        }
    }

    fn requote_after(&self, now: Nanos, rng: &mut ChaCha8Rng) -> Nanos {
        let base = self.cfg.requote_seconds * SECOND as f64;
        // Saturating: a float-to-integer cast saturates, and the sum must not wrap into the past.
        now.saturating_add((base * rng.random_range(0.9..1.1)) as Nanos)
    }
}

impl Agent for MarketMaker {
    fn class(&self) -> AgentClass {
        AgentClass::MarketMaker
    }

    fn start_day(&mut self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        self.withdrawn_until = 0;
        let jitter = (self.cfg.requote_seconds * SECOND as f64 * rng.random::<f64>()) as Nanos;
        Some(ctx.today_at(ctx.calendar.open).saturating_add(jitter))
    }

    fn wake(
        &mut self,
        ctx: &Context,
        rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        let i = self.instrument;
        match ctx.phase {
            DayPhase::Continuous => {}
            DayPhase::Halted => {
                out.push(Action::CancelAll { instrument: i });
                return Some(ctx.now + MINUTE);
            }
            DayPhase::PreOpen => return Some(ctx.today_at(ctx.calendar.open)),
            // Quotes are day orders; stale ones are pulled before the closing auction.
            DayPhase::ClosingAuction | DayPhase::Closed => {
                if !ctx.open_orders.is_empty() {
                    out.push(Action::CancelAll { instrument: i });
                }
                return None;
            }
        }
        if ctx.now < self.withdrawn_until {
            return Some(self.withdrawn_until);
        }
        let data = &ctx.instruments[i];
        let bar = ctx.calendar.bar.max(1);
        let window = (self.cfg.withdraw_window_minutes as Nanos * MINUTE / bar).max(1) as usize;
        if let (Some(a), Some(b)) = (data.bar_close_back(0), data.bar_close_back(window)) {
            if (a as f64 / b as f64).ln().abs() > self.cfg.withdraw_move {
                out.push(Action::CancelAll { instrument: i });
                self.withdrawn_until = ctx.now + self.cfg.withdraw_minutes as Nanos * MINUTE;
                return Some(self.withdrawn_until);
            }
        }
        let mid = data.mid();
        let inv = ctx.position(i);
        let skew = self.cfg.skew_ticks_at_limit
            * (inv as f64 / self.inventory_limit as f64).clamp(-2.0, 2.0);
        // One-bar volatility in ticks from the daily EWMA.
        let bars = ctx.calendar.bars_per_day().max(1) as f64;
        let sigma_ticks = (data.ewma_var / bars).sqrt() * mid;
        let half = (self.cfg.min_half_spread_ticks).max(self.cfg.vol_spread_mult * sigma_ticks);
        let centre = mid - skew;
        let (mut bid, mut ask) = if half < 1.0 {
            // A one-tick market: the pair of ticks around the centre (rounding each side
            // outwards would give two or three ticks).
            let b = (centre - 0.5).round() as Price;
            (b, b + 1)
        } else {
            (
                (centre - half).floor() as Price,
                (centre + half).ceil() as Price,
            )
        };
        if ask <= bid {
            ask = bid + 1;
        }
        bid = bid.max(1);
        out.push(Action::CancelAll { instrument: i });
        for k in 0..self.cfg.layers as Price {
            if inv < self.inventory_limit && bid - k > 0 {
                out.push(quote(
                    i,
                    Side::Buy,
                    bid - k,
                    self.quote_units,
                    Motive::Liquidity,
                ));
            }
            if inv > -self.inventory_limit {
                out.push(quote(
                    i,
                    Side::Sell,
                    ask + k,
                    self.quote_units,
                    Motive::Liquidity,
                ));
            }
        }
        Some(self.requote_after(ctx.now, rng))
    }
}
