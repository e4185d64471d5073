//! Intrusive doubly linked FIFO lists threaded through the order slab.
//!
//! Every queue in the book (a price level, the auction's market orders, the at-close orders)
//! is one of these, so removing any order is O(1) once its slot is known.

pub(crate) const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct List {
    pub head: u32,
    pub tail: u32,
}

impl Default for List {
    fn default() -> Self {
        List {
            head: NIL,
            tail: NIL,
        }
    }
}

/// Anything with prev/next links.
pub(crate) trait Linked {
    fn prev(&self) -> u32;
    fn next(&self) -> u32;
    fn set_prev(&mut self, p: u32);
    fn set_next(&mut self, n: u32);
}

impl List {
    #[inline]
    pub fn push_back<N: Linked>(&mut self, nodes: &mut [N], slot: u32) {
        nodes[slot as usize].set_prev(self.tail);
        nodes[slot as usize].set_next(NIL);
        if self.tail == NIL {
            self.head = slot;
        } else {
            nodes[self.tail as usize].set_next(slot);
        }
        self.tail = slot;
    }

    /// Inserts `slot` directly after `after` (or at the front when `after` is NIL).
    pub fn insert_after<N: Linked>(&mut self, nodes: &mut [N], after: u32, slot: u32) {
        let next = if after == NIL {
            self.head
        } else {
            nodes[after as usize].next()
        };
        nodes[slot as usize].set_prev(after);
        nodes[slot as usize].set_next(next);
        if after == NIL {
            self.head = slot;
        } else {
            nodes[after as usize].set_next(slot);
        }
        if next == NIL {
            self.tail = slot;
        } else {
            nodes[next as usize].set_prev(slot);
        }
    }

    #[inline]
    pub fn unlink<N: Linked>(&mut self, nodes: &mut [N], slot: u32) {
        let (p, n) = (nodes[slot as usize].prev(), nodes[slot as usize].next());
        if p == NIL {
            self.head = n;
        } else {
            nodes[p as usize].set_next(n);
        }
        if n == NIL {
            self.tail = p;
        } else {
            nodes[n as usize].set_prev(p);
        }
    }
}
