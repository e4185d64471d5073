//! Fundamental (value) traders: each observes the fundamental value with a fixed bias and a
//! fresh error at every decision, and trades towards a position proportional to the
//! mispricing, at prices on the right side of its own estimate.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::activity::IntradayActivity;
use super::execution::limit;
use super::{Action, Agent, AgentClass, Context, DayPhase};
use crate::book::{Motive, Side, TimeInForce};
use crate::market::time::Nanos;
use crate::scenario::ValueCfg;

pub struct ValueTrader {
    instrument: usize,
    cfg: ValueCfg,
    /// Log bias of this trader's estimate, drawn once.
    bias: f64,
}

impl ValueTrader {
    pub fn new(instrument: usize, cfg: ValueCfg, rng: &mut ChaCha8Rng) -> Self {
        let bias = Normal::new(0.0, cfg.estimate_noise.max(0.0)).map_or(0.0, |n| n.sample(rng));
        ValueTrader {
            instrument,
            cfg,
            bias,
        }
    }

    fn next(&self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        let activity = IntradayActivity {
            u_shape: self.cfg.u_shape,
            preopen: 0.0,
        };
        let cal = ctx.calendar;
        activity.next_arrival(
            ctx.now,
            self.cfg.decisions_per_day,
            cal.close_auction,
            cal,
            rng,
        )
    }
}

impl Agent for ValueTrader {
    fn class(&self) -> AgentClass {
        AgentClass::Value
    }

    fn start_day(&mut self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        self.next(ctx, rng)
    }

    fn wake(
        &mut self,
        ctx: &Context,
        rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        if ctx.phase != DayPhase::Continuous {
            return if ctx.phase == DayPhase::Closed {
                None
            } else {
                self.next(ctx, rng)
            };
        }
        let i = self.instrument;
        let data = &ctx.instruments[i];
        let noise =
            Normal::new(0.0, self.cfg.observation_noise.max(0.0)).map_or(0.0, |n| n.sample(rng));
        let estimate = data.fundamental * (self.bias + noise).exp();
        let mid = data.price_usd(data.mid().round() as i64);
        let mispricing = (estimate / mid).ln();
        if mispricing.abs() >= self.cfg.threshold {
            let target_usd = (self.cfg.usd_per_pct * mispricing * 100.0)
                .clamp(-self.cfg.max_position_usd, self.cfg.max_position_usd);
            let target = (target_usd / (mid * data.notional_per_unit)).round() as i64;
            // Each decision replaces the trader's resting order: what is left of it after
            // taking liquidity rests at the trader's price, so when the market has run away
            // from value the trader's offer (or bid) becomes the new touch.
            if !ctx.open_orders.is_empty() {
                out.push(Action::CancelAll { instrument: i });
            }
            let gap = target - ctx.position(i);
            let delta = if self.cfg.speed >= 1.0 {
                gap
            } else {
                let part = (gap as f64 * self.cfg.speed).round() as i64;
                if part == 0 { gap.signum() } else { part }
            };
            if delta != 0 {
                let side = if delta > 0 { Side::Buy } else { Side::Sell };
                // Never pay more (or sell for less) than the trader's value less its threshold.
                let edge = match side {
                    Side::Buy => estimate * (1.0 - self.cfg.threshold),
                    Side::Sell => estimate * (1.0 + self.cfg.threshold),
                };
                let price = data.to_ticks(edge).max(1);
                out.push(limit(
                    i,
                    side,
                    price,
                    delta.unsigned_abs(),
                    TimeInForce::Day,
                    Motive::Value,
                ));
            }
        }
        self.next(ctx, rng)
    }
}
