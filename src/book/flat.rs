//! A minimal flat-array price-time book, the yardstick for the real book's speed.
//!
//! `flowsim bench book` and `benches/book.rs` run the benchmark stream through it to say how
//! close [`OrderBook`](super::OrderBook) comes to the simplest fast design: one array of price
//! levels indexed by `price - base` (both sides share it, since a continuous book is never
//! crossed), each level a `VecDeque` of order ids, the best price of each side kept as an
//! index and found again by a linear scan when its level empties (no bitset). Orders live in a
//! slab whose slots are reused, an id being (generation, slot). Cancels are lazy: the slot is
//! freed at once and the queue entry, whose generation no longer matches, is dropped when
//! matching reaches it, or with the whole queue when the level's quantity reaches zero.
//!
//! It knows limit orders, market orders and cancels in continuous trading, one agent and no
//! self-trade prevention: exactly what the benchmark stream sends. Its events are the real
//! book's events (same fills, same cancellations, its own ids), so the comparison includes the
//! cost of reporting them.

use std::collections::VecDeque;

use super::stream::StreamEngine;
use super::types::*;

/// The widest price range the book spans: 2^22 ticks (about 160 MiB of levels).
const MAX_LEVELS: usize = 1 << 22;
/// Room left on each side of a price when the array grows to reach it.
const MARGIN: Price = 4096;
const NONE: usize = usize::MAX;
const AGENT: AgentId = AgentId(0);
const MOTIVE: Motive = Motive::Noise;

#[derive(Default)]
struct Level {
    /// Order ids in time priority; cancelled ones (generation changed) are skipped when reached.
    queue: VecDeque<OrderId>,
    /// Live quantity: zero exactly when the queue is empty.
    qty: Qty,
}

#[derive(Clone, Copy)]
struct Order {
    /// Remaining quantity; 0 while the slot is free.
    qty: Qty,
    price: Price,
    generation: u32,
    side: Side,
}

/// The flat-array reference book (see the module documentation).
pub struct FlatBook {
    base: Price,
    levels: Vec<Level>,
    orders: Vec<Order>,
    free: Vec<u32>,
    best_bid: usize,
    best_ask: usize,
    /// Resting orders per side (buy, sell), so that emptying a side needs no scan.
    live: [u32; 2],
}

impl Default for FlatBook {
    fn default() -> Self {
        Self::new()
    }
}

impl FlatBook {
    pub fn new() -> Self {
        FlatBook {
            base: 1,
            levels: Vec::new(),
            orders: Vec::new(),
            free: Vec::new(),
            best_bid: NONE,
            best_ask: NONE,
            live: [0; 2],
        }
    }

    /// Reserves room for `orders` live orders, so that a run does not reallocate while
    /// warming up.
    pub fn with_capacity(orders: usize) -> Self {
        let mut b = Self::new();
        b.orders.reserve(orders);
        b.free.reserve(orders);
        b
    }

    #[inline]
    fn index(&self, price: Price) -> Option<usize> {
        let off = price.checked_sub(self.base)?;
        (off >= 0 && (off as usize) < self.levels.len()).then_some(off as usize)
    }

    /// The index of `price`, growing the array when needed; `None` when the price is not
    /// positive or the array would pass [`MAX_LEVELS`].
    fn ensure(&mut self, price: Price) -> Option<usize> {
        if price <= 0 {
            return None;
        }
        if let Some(i) = self.index(price) {
            return Some(i);
        }
        let (lo, hi) = if self.levels.is_empty() {
            (price, price)
        } else {
            (self.base, self.base + self.levels.len() as Price - 1)
        };
        let lo = lo.min(price.saturating_sub(MARGIN)).max(1);
        let hi = hi.max(price.saturating_add(MARGIN));
        let len = (hi as i128 - lo as i128 + 1) as u128;
        if len > MAX_LEVELS as u128 {
            return None;
        }
        let mut levels: Vec<Level> = (0..len).map(|_| Level::default()).collect();
        let shift = (self.base - lo) as usize;
        for (i, l) in self.levels.drain(..).enumerate() {
            levels[i + shift] = l;
        }
        self.levels = levels;
        self.base = lo;
        for b in [&mut self.best_bid, &mut self.best_ask] {
            if *b != NONE {
                *b += shift;
            }
        }
        self.index(price)
    }

    pub fn best_bid(&self) -> Option<LevelView> {
        self.view(self.best_bid)
    }

    pub fn best_ask(&self) -> Option<LevelView> {
        self.view(self.best_ask)
    }

    fn view(&self, i: usize) -> Option<LevelView> {
        (i != NONE).then(|| LevelView {
            price: self.base + i as Price,
            qty: self.levels[i].qty,
            orders: self.levels[i]
                .queue
                .iter()
                .filter(|&&id| self.live(id).is_some())
                .count() as u32,
        })
    }

    /// The live order `id` names, if any.
    #[inline]
    fn live(&self, id: OrderId) -> Option<Order> {
        let o = *self.orders.get(id.slot())?;
        (o.generation == id.generation() && o.qty > 0).then_some(o)
    }

    /// A slot for a new order; its quantity is set once it rests (a free slot has none).
    #[inline]
    fn alloc(&mut self, side: Side, price: Price) -> OrderId {
        let s = match self.free.pop() {
            Some(s) => s,
            None => {
                self.orders.push(Order {
                    qty: 0,
                    price: 0,
                    generation: 0,
                    side,
                });
                (self.orders.len() - 1) as u32
            }
        };
        let o = &mut self.orders[s as usize];
        o.price = price;
        o.side = side;
        OrderId::new(s, o.generation)
    }

    /// Frees the slot of `id`: the new generation makes its queue entry dead.
    #[inline]
    fn release(&mut self, id: OrderId) {
        let o = &mut self.orders[id.slot()];
        o.qty = 0;
        o.generation = o.generation.wrapping_add(1);
        self.free.push(id.slot() as u32);
    }

    /// After the level at `idx` of `side` emptied: moves that side's best on if it was there.
    fn level_emptied(&mut self, side: Side, idx: usize) {
        let (best, live) = match side {
            Side::Buy => (&mut self.best_bid, self.live[0]),
            Side::Sell => (&mut self.best_ask, self.live[1]),
        };
        if *best != idx {
            return;
        }
        if live == 0 {
            *best = NONE;
            return;
        }
        let mut i = idx;
        loop {
            i = match side {
                Side::Buy => i - 1,
                Side::Sell => i + 1,
            };
            if self.levels[i].qty > 0 {
                *best = i;
                return;
            }
        }
    }

    /// Matches order `no` against the other side up to `limit`; returns the quantity filled.
    fn match_incoming(
        &mut self,
        taker: OrderId,
        side: Side,
        limit: Price,
        qty: Qty,
        out: &mut Vec<BookEvent>,
    ) -> Qty {
        let mut remaining = qty;
        while remaining > 0 {
            let best = match side {
                Side::Buy => self.best_ask,
                Side::Sell => self.best_bid,
            };
            if best == NONE {
                break;
            }
            let price = self.base + best as Price;
            let crosses = match side {
                Side::Buy => price <= limit,
                Side::Sell => price >= limit,
            };
            if !crosses {
                break;
            }
            let level = &mut self.levels[best];
            while remaining > 0 {
                let Some(&maker_id) = level.queue.front() else {
                    break;
                };
                let maker = &mut self.orders[maker_id.slot()];
                if maker.generation != maker_id.generation() {
                    level.queue.pop_front();
                    continue;
                }
                let q = remaining.min(maker.qty);
                maker.qty -= q;
                level.qty -= q;
                remaining -= q;
                let (buy_order, sell_order) = match side {
                    Side::Buy => (taker, maker_id),
                    Side::Sell => (maker_id, taker),
                };
                out.push(BookEvent::Fill(Fill {
                    price,
                    qty: q,
                    buy_order,
                    sell_order,
                    buyer: AGENT,
                    seller: AGENT,
                    buy_motive: MOTIVE,
                    sell_motive: MOTIVE,
                    aggressor: Some(side),
                }));
                if maker.qty == 0 {
                    maker.generation = maker.generation.wrapping_add(1);
                    self.free.push(maker_id.slot() as u32);
                    level.queue.pop_front();
                    self.live[side.opposite() as usize] -= 1;
                }
            }
            if level.qty == 0 {
                level.queue.clear();
                self.level_emptied(side.opposite(), best);
            }
        }
        qty - remaining
    }
}

/// The stream's three operations are all the flat book knows.
impl StreamEngine for FlatBook {
    /// A limit order: matches what it crosses, rests the remainder.
    fn limit(
        &mut self,
        side: Side,
        price: Price,
        qty: Qty,
        out: &mut Vec<BookEvent>,
    ) -> Result<Submitted, Reject> {
        if qty == 0 {
            return Err(Reject::ZeroQuantity);
        }
        let idx = self.ensure(price).ok_or(Reject::BadPrice(price))?;
        let id = self.alloc(side, price);
        let filled = self.match_incoming(id, side, price, qty, out);
        let left = qty - filled;
        if left > 0 {
            self.orders[id.slot()].qty = left;
            let level = &mut self.levels[idx];
            level.queue.push_back(id);
            level.qty += left;
            self.live[side as usize] += 1;
            match side {
                Side::Buy if self.best_bid == NONE || idx > self.best_bid => self.best_bid = idx,
                Side::Sell if self.best_ask == NONE || idx < self.best_ask => self.best_ask = idx,
                _ => {}
            }
        } else {
            self.release(id);
        }
        Ok(Submitted {
            id,
            filled,
            resting: left,
        })
    }

    /// A market order: takes what there is, cancels the rest.
    fn market(
        &mut self,
        side: Side,
        qty: Qty,
        out: &mut Vec<BookEvent>,
    ) -> Result<Submitted, Reject> {
        if qty == 0 {
            return Err(Reject::ZeroQuantity);
        }
        let limit = match side {
            Side::Buy => Price::MAX,
            Side::Sell => Price::MIN,
        };
        let id = self.alloc(side, 0);
        let filled = self.match_incoming(id, side, limit, qty, out);
        let left = qty - filled;
        self.release(id);
        if left > 0 {
            out.push(BookEvent::Cancelled {
                id,
                agent: AGENT,
                side,
                qty: left,
                reason: CancelReason::Unfilled,
            });
        }
        Ok(Submitted {
            id,
            filled,
            resting: 0,
        })
    }

    /// Cancels a resting order.
    fn cancel(&mut self, id: OrderId, out: &mut Vec<BookEvent>) -> Result<Qty, Reject> {
        let o = self.live(id).ok_or(Reject::UnknownOrder(id))?;
        let (qty, side, price) = (o.qty, o.side, o.price);
        self.release(id);
        out.push(BookEvent::Cancelled {
            id,
            agent: AGENT,
            side,
            qty,
            reason: CancelReason::Requested,
        });
        let idx = self.index(price).expect("a resting order's level exists");
        let level = &mut self.levels[idx];
        level.qty -= qty;
        self.live[side as usize] -= 1;
        if level.qty == 0 {
            level.queue.clear();
            self.level_emptied(side, idx);
        }
        Ok(qty)
    }
}
