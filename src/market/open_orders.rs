//! Every agent's resting orders, as the agent sees them (`Context::open_orders`).
//!
//! A fill or a cancellation names the order, which is found by scanning its owner's list. An
//! index from (instrument, book slot) to the place in the list was tried (December 2026) and
//! was slower on every benchmark: the lists are short (a noise trader's hold an order or two, a
//! market maker's its layers), already in cache when the fill arrives, while the index is one
//! more random access per fill and per order placed. The lists change by push at the end and
//! `swap_remove` of the order. An order is named by its instrument and its id: ids are unique
//! within a book, not across books, so an agent with orders resting in two instruments could
//! otherwise have the wrong one shrunk or removed.

use crate::agents::OpenOrder;
use crate::book::OrderId;

pub struct OpenOrders {
    lists: Vec<Vec<OpenOrder>>,
}

impl OpenOrders {
    pub fn new(agents: usize) -> Self {
        OpenOrders {
            lists: vec![Vec::new(); agents],
        }
    }

    /// Agent `a`'s resting orders, in the order the agent sees them.
    #[inline]
    pub fn of(&self, a: usize) -> &[OpenOrder] {
        &self.lists[a]
    }

    /// Every agent's resting orders (for invariant checks).
    pub fn all(&self) -> impl Iterator<Item = &OpenOrder> {
        self.lists.iter().flatten()
    }

    /// Adds an order that rests in its book.
    #[inline]
    pub fn push(&mut self, a: usize, order: OpenOrder) {
        self.lists[a].push(order);
    }

    /// `qty` of agent `a`'s order `id` in instrument `i` traded: the order shrinks, or leaves
    /// the list when nothing rests.
    #[inline]
    pub fn reduce(&mut self, a: usize, i: usize, id: OrderId, qty: u64) {
        let list = &mut self.lists[a];
        if let Some(k) = list.iter().position(|o| o.id == id && o.instrument == i) {
            if list[k].qty <= qty {
                list.swap_remove(k);
            } else {
                list[k].qty -= qty;
            }
        }
    }

    /// Every limit order in instrument `i` was repriced `by` ticks (public news moved the book).
    pub fn shift(&mut self, i: usize, by: i64) {
        for o in self.lists.iter_mut().flatten() {
            if o.instrument == i
                && let Some(p) = &mut o.price
            {
                *p += by;
            }
        }
    }

    /// Agent `a`'s order `id` in instrument `i` was cancelled.
    #[inline]
    pub fn remove(&mut self, a: usize, i: usize, id: OrderId) {
        let list = &mut self.lists[a];
        if let Some(k) = list.iter().position(|o| o.id == id && o.instrument == i) {
            list.swap_remove(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::{Motive, Side, TimeInForce};

    fn order(instrument: usize, qty: u64) -> OpenOrder {
        OpenOrder {
            id: OrderId(7),
            instrument,
            side: Side::Buy,
            price: Some(100),
            qty,
            tif: TimeInForce::Day,
            motive: Motive::Noise,
            placed_at: 0,
        }
    }

    /// Two books can give the same id: a fill or a cancel in one instrument leaves the agent's
    /// order in the other alone.
    #[test]
    fn orders_are_named_by_instrument_and_id() {
        let mut open = OpenOrders::new(1);
        open.push(0, order(0, 10));
        open.push(0, order(1, 20));
        open.reduce(0, 1, OrderId(7), 5);
        assert_eq!(open.of(0)[0].qty, 10);
        assert_eq!(open.of(0)[1].qty, 15);
        open.remove(0, 1, OrderId(7));
        assert_eq!(open.of(0).len(), 1);
        assert_eq!(open.of(0)[0].instrument, 0);
    }
}
