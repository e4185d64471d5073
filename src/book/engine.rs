//! The operations every matching engine in this crate offers, so that the fast book and the
//! naive reference book can be driven by the same code (benchmarks, property tests).

use super::order_book::{AuctionOutcome, OrderBook};
use super::types::*;

pub trait MatchingEngine {
    fn submit(&mut self, order: NewOrder, out: &mut Vec<BookEvent>) -> Result<Submitted, Reject>;
    fn cancel(&mut self, id: OrderId, out: &mut Vec<BookEvent>) -> Result<Qty, Reject>;
    fn modify(
        &mut self,
        id: OrderId,
        new_price: Option<Price>,
        new_qty: Qty,
        out: &mut Vec<BookEvent>,
    ) -> Result<Submitted, Reject>;
    fn open_auction(&mut self, kind: AuctionKind);
    fn uncross(
        &mut self,
        reference: Option<Price>,
        out: &mut Vec<BookEvent>,
    ) -> Option<AuctionOutcome>;
    fn indicative(&self, reference: Option<Price>) -> Option<AuctionOutcome>;
    fn set_phase(&mut self, phase: Phase);
    fn expire_day_orders(&mut self, out: &mut Vec<BookEvent>) -> usize;
    /// Reprices every resting limit order by `by` ticks without trading (public news).
    fn shift(&mut self, by: Price) -> Result<(), Reject>;
    fn best_bid(&self) -> Option<LevelView>;
    fn best_ask(&self) -> Option<LevelView>;
}

impl MatchingEngine for OrderBook {
    #[inline]
    fn submit(&mut self, order: NewOrder, out: &mut Vec<BookEvent>) -> Result<Submitted, Reject> {
        OrderBook::submit(self, order, out)
    }
    #[inline]
    fn cancel(&mut self, id: OrderId, out: &mut Vec<BookEvent>) -> Result<Qty, Reject> {
        OrderBook::cancel(self, id, out)
    }
    fn modify(
        &mut self,
        id: OrderId,
        new_price: Option<Price>,
        new_qty: Qty,
        out: &mut Vec<BookEvent>,
    ) -> Result<Submitted, Reject> {
        OrderBook::modify(self, id, new_price, new_qty, out)
    }
    fn open_auction(&mut self, kind: AuctionKind) {
        OrderBook::open_auction(self, kind)
    }
    fn uncross(
        &mut self,
        reference: Option<Price>,
        out: &mut Vec<BookEvent>,
    ) -> Option<AuctionOutcome> {
        OrderBook::uncross(self, reference, out)
    }
    fn indicative(&self, reference: Option<Price>) -> Option<AuctionOutcome> {
        OrderBook::indicative(self, reference)
    }
    fn set_phase(&mut self, phase: Phase) {
        OrderBook::set_phase(self, phase)
    }
    fn expire_day_orders(&mut self, out: &mut Vec<BookEvent>) -> usize {
        OrderBook::expire_day_orders(self, out)
    }
    fn shift(&mut self, by: Price) -> Result<(), Reject> {
        OrderBook::shift(self, by)
    }
    fn best_bid(&self) -> Option<LevelView> {
        OrderBook::best_bid(self)
    }
    fn best_ask(&self) -> Option<LevelView> {
        OrderBook::best_ask(self)
    }
}
