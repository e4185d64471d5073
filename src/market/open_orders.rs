//! Every agent's resting orders, as the agent sees them (`Context::open_orders`).
//!
//! A fill or a cancellation names the order, which is found by scanning its owner's list. An
//! index from (instrument, book slot) to the place in the list was tried (December 2026) and
//! was slower on every benchmark: the lists are short (a noise trader's hold an order or two, a
//! market maker's its layers), already in cache when the fill arrives, while the index is one
//! more random access per fill and per order placed. The lists change by push at the end and
//! `swap_remove` of the first order with the id (ids are unique within a book, not across
//! books, and an agent trading two instruments keeps the first match as it always did).

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

    /// `qty` of agent `a`'s order `id` traded: the order shrinks, or leaves the list when
    /// nothing rests.
    #[inline]
    pub fn reduce(&mut self, a: usize, id: OrderId, qty: u64) {
        let list = &mut self.lists[a];
        if let Some(k) = list.iter().position(|o| o.id == id) {
            if list[k].qty <= qty {
                list.swap_remove(k);
            } else {
                list[k].qty -= qty;
            }
        }
    }

    /// Agent `a`'s order `id` was cancelled.
    #[inline]
    pub fn remove(&mut self, a: usize, id: OrderId) {
        let list = &mut self.lists[a];
        if let Some(k) = list.iter().position(|o| o.id == id) {
            list.swap_remove(k);
        }
    }
}
