//! Zero-intelligence noise traders: Poisson order flow with a U-shaped intraday intensity.
//!
//! Each trader sends limit orders placed an exponential number of ticks behind the same-side
//! best, market orders, and some market-on-close orders; resting orders die at an exponential
//! rate. Arrival rates can feed back on recent absolute returns (`activity_feedback`), the
//! simplest mechanism that produces volatility clustering.

use std::sync::Arc;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Geometric};

use super::activity::IntradayActivity;
use super::execution::{limit, market};
use super::{Action, Agent, AgentClass, Context, DayPhase};
use crate::book::{Motive, OrderKind, Side, TimeInForce};
use crate::market::time::{Calendar, Nanos, SECOND};
use crate::scenario::NoiseCfg;

/// What the noise traders of one instrument share: their table and the laws built from it.
/// Kept once and pointed to by each trader, so a trader's own state is 24 bytes and a
/// population of thousands stays in cache (their wake-ups come in no order of memory).
pub struct NoiseParams {
    instrument: usize,
    cfg: NoiseCfg,
    /// Order sizes: 1 + Geometric(1/mean units), built once.
    sizes: Geometric,
    /// Ticks behind the best for limit orders, when `offset_ticks_mean` > 0.
    offsets: Option<Exp<f64>>,
    /// The intraday arrival shape (from `cfg.u_shape`, built once).
    arrivals: IntradayActivity,
    mean_units: f64,
}

impl NoiseParams {
    pub fn new(instrument: usize, cfg: NoiseCfg, mean_units: f64) -> Arc<Self> {
        let arrivals = IntradayActivity::new(cfg.u_shape, 0.5);
        let sizes = Geometric::new(1.0 / mean_units.max(1.0)).expect("mean_units >= 1");
        let offsets = (cfg.offset_ticks_mean > 0.0)
            .then(|| Exp::new(1.0 / cfg.offset_ticks_mean).ok())
            .flatten();
        Arc::new(NoiseParams {
            instrument,
            cfg,
            sizes,
            offsets,
            arrivals,
            mean_units: mean_units.max(1.0),
        })
    }
}

pub struct NoiseTrader {
    params: Arc<NoiseParams>,
    last_wake: Nanos,
    /// Activity multiplier from feedback, set at each wake.
    activity: f64,
}

impl NoiseTrader {
    /// A trader with its own parameters (a scenario shares one [`NoiseParams`] per
    /// instrument: [`NoiseTrader::sharing`]).
    pub fn new(instrument: usize, cfg: NoiseCfg, mean_units: f64) -> Self {
        NoiseTrader::sharing(NoiseParams::new(instrument, cfg, mean_units))
    }

    pub fn sharing(params: Arc<NoiseParams>) -> Self {
        NoiseTrader {
            params,
            last_wake: 0,
            activity: 1.0,
        }
    }

    fn next_arrival(&self, now: Nanos, cal: &Calendar, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        self.params.arrivals.next_arrival(
            now,
            self.params.cfg.orders_per_day * self.activity,
            cal.close,
            cal,
            rng,
        )
    }

    fn size(&self, rng: &mut ChaCha8Rng) -> u64 {
        1 + self.params.sizes.sample(rng)
    }
}

impl Agent for NoiseTrader {
    fn class(&self) -> AgentClass {
        AgentClass::Noise
    }

    fn start_day(&mut self, ctx: &Context, rng: &mut ChaCha8Rng) -> Option<Nanos> {
        self.last_wake = ctx.now;
        self.activity = 1.0;
        self.next_arrival(ctx.now, ctx.calendar, rng)
    }

    fn wake(
        &mut self,
        ctx: &Context,
        rng: &mut ChaCha8Rng,
        out: &mut Vec<Action>,
    ) -> Option<Nanos> {
        let p = &*self.params;
        let i = p.instrument;
        let data = &ctx.instruments[i];
        let since = (ctx.now - self.last_wake) as f64 / (60.0 * SECOND as f64);
        self.last_wake = ctx.now;
        match ctx.phase {
            DayPhase::Closed => return None,
            DayPhase::Halted => return self.next_arrival(ctx.now, ctx.calendar, rng),
            _ => {}
        }
        // Resting limit orders die at rate 1/lifetime; at-close orders wait for the auction.
        // (Most traders have nothing resting: the exponential is taken only when needed.)
        let p_cancel = if ctx.open_orders.is_empty() {
            0.0
        } else {
            1.0 - (-since / p.cfg.lifetime_minutes).exp()
        };
        for o in ctx.open_orders {
            if o.instrument == i
                && o.tif != TimeInForce::AtClose
                && rng.random_bool(p_cancel.clamp(0.0, 1.0))
            {
                out.push(Action::Cancel {
                    instrument: i,
                    id: o.id,
                });
            }
        }
        if p.cfg.activity_feedback > 0.0 {
            let bars = ctx.calendar.bars_per_day().max(1) as f64;
            let expected = (data.ewma_var * 5.0 / bars).sqrt().max(1e-6);
            let moved = match (data.bar_close_back(0), data.bar_close_back(5)) {
                (Some(a), Some(b)) => (a as f64 / b as f64).ln().abs(),
                _ => 0.0,
            };
            self.activity = 1.0 + p.cfg.activity_feedback * (moved / expected).min(20.0);
        }
        let side = if rng.random_bool(buy_probability(p, ctx.position(i), ctx.calendar)) {
            Side::Buy
        } else {
            Side::Sell
        };
        let qty = self.size(rng);
        let u: f64 = rng.random();
        let continuous = ctx.phase == DayPhase::Continuous;
        if continuous && u < p.cfg.close_share {
            out.push(Action::Submit {
                instrument: i,
                side,
                kind: OrderKind::Market,
                qty,
                tif: TimeInForce::AtClose,
                post_only: false,
                motive: Motive::Noise,
            });
        } else if ctx.phase != DayPhase::PreOpen && u < p.cfg.close_share + p.cfg.market_share {
            if ctx.phase == DayPhase::ClosingAuction {
                out.push(Action::Submit {
                    instrument: i,
                    side,
                    kind: OrderKind::Market,
                    qty,
                    tif: TimeInForce::Day,
                    post_only: false,
                    motive: Motive::Noise,
                });
            } else {
                out.push(market(i, side, qty, Motive::Noise));
            }
        } else {
            let offset = p.offsets.map_or(0, |e| e.sample(rng).floor() as i64);
            let reference = if continuous {
                match side {
                    Side::Buy => data.best_bid.map(|b| b.0),
                    Side::Sell => data.best_ask.map(|a| a.0),
                }
            } else {
                None
            };
            let price = match (side, reference) {
                (Side::Buy, Some(p)) => p - offset,
                (Side::Sell, Some(p)) => p + offset,
                // Without a quote (auctions, an empty side) orders scatter on both sides of the
                // last price, so call auctions find crossing interest and discover a price.
                (_, None) => {
                    if rng.random_bool(0.5) {
                        data.last_price + offset
                    } else {
                        data.last_price - offset
                    }
                }
            };
            if price > 0 {
                out.push(limit(i, side, price, qty, TimeInForce::Day, Motive::Noise));
            }
        }
        self.next_arrival(ctx.now, ctx.calendar, rng)
    }
}

/// The chance that an order is a buy. With an inventory horizon H the trader leans against
/// its position x so that its order flow would flatten it over H minutes if every order
/// traded: that flow is `orders per minute × mean units × (2·P(buy) − 1)` (at the base rate,
/// before activity feedback), so P(buy) = ½(1 − x / (H × the rate in units)), clipped to
/// [0, 1]. Without a horizon it is ½, the same draw as before the option existed.
fn buy_probability(p: &NoiseParams, position: i64, cal: &Calendar) -> f64 {
    let h = p.cfg.inventory_horizon_minutes;
    if h <= 0.0 || position == 0 {
        return 0.5;
    }
    let session_minutes = cal.session() as f64 / (60.0 * SECOND as f64);
    let units_per_minute = p.cfg.orders_per_day / session_minutes.max(1.0) * p.mean_units;
    let lean = -(position as f64) / (h * units_per_minute);
    0.5 * (1.0 + lean.clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{account, calendar, context, market};
    use rand::SeedableRng;

    /// 390 orders over a 390-minute session of 10 units on average: 10 units a minute.
    fn trader(horizon: f64) -> NoiseTrader {
        let cfg = NoiseCfg {
            orders_per_day: 390.0,
            inventory_horizon_minutes: horizon,
            ..NoiseCfg::default()
        };
        NoiseTrader::new(0, cfg, 10.0)
    }

    /// Flattening 150 units over 30 minutes at 10 units a minute takes half the flow:
    /// P(buy) = ½(1 − 150/300) = 0.25; a position the trader cannot flatten in time sells only.
    #[test]
    fn the_lean_flattens_the_position_over_the_horizon() {
        let t = trader(30.0);
        let cal = calendar(); // a 390-minute session
        assert_eq!(buy_probability(&t.params, 0, &cal), 0.5);
        assert!((buy_probability(&t.params, 150, &cal) - 0.25).abs() < 1e-12);
        assert!((buy_probability(&t.params, -150, &cal) - 0.75).abs() < 1e-12);
        assert_eq!(buy_probability(&t.params, 10_000, &cal), 0.0);
        assert_eq!(buy_probability(&trader(0.0).params, 10_000, &cal), 0.5);
    }

    /// Over many orders a long trader with a horizon sells three times in four, and one
    /// without a horizon half the time.
    #[test]
    fn a_long_trader_sells_more_than_it_buys() {
        let cal = calendar();
        let data = [market(&[5000.0])];
        let acct = account(150);
        let ctx = context(&cal, &data, &acct, 1, 36_000 * SECOND, DayPhase::Continuous);
        let buy_share = |mut t: NoiseTrader| {
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let (mut buys, mut all) = (0u32, 0u32);
            for _ in 0..4000 {
                let mut out = Vec::new();
                t.wake(&ctx, &mut rng, &mut out);
                for a in &out {
                    if let Action::Submit { side, .. } = a {
                        all += 1;
                        buys += u32::from(*side == Side::Buy);
                    }
                }
            }
            f64::from(buys) / f64::from(all)
        };
        let leaning = buy_share(trader(30.0));
        let random = buy_share(trader(0.0));
        assert!((leaning - 0.25).abs() < 0.03, "{leaning}");
        assert!((random - 0.5).abs() < 0.03, "{random}");
    }
}
