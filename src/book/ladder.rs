//! One side of the book as a dense array of price levels.
//!
//! A level is found by subtracting a base price, so adding to or cancelling from a level is an
//! array access. Non-empty levels are marked in a two-level bitset, so finding the next best
//! level after one empties costs a few word scans even in a sparse book.

use super::list::List;
use super::types::Price;

/// The widest price range one side may span: 2^21 ticks (about 48 MiB of levels).
pub(crate) const MAX_LEVELS: usize = 1 << 21;
/// Growth happens in chunks of whole summary words so the bitsets stay aligned.
const CHUNK: usize = 64 * 64;
/// Room left on each side of a price when the ladder grows to reach it.
const MARGIN: i64 = 2048;

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Level {
    pub list: List,
    pub qty: u64,
    pub orders: u32,
}

pub(crate) struct Ladder {
    /// Bids prefer higher prices, asks lower ones.
    is_bid: bool,
    base: Price,
    levels: Vec<Level>,
    words: Vec<u64>,
    summary: Vec<u64>,
    best: Option<usize>,
    /// Sum of the quantities of all levels.
    pub total_qty: u64,
}

impl Ladder {
    pub fn new(is_bid: bool) -> Self {
        Ladder {
            is_bid,
            base: 1,
            levels: Vec::new(),
            words: Vec::new(),
            summary: Vec::new(),
            best: None,
            total_qty: 0,
        }
    }

    #[inline]
    pub fn price(&self, idx: usize) -> Price {
        self.base + idx as Price
    }

    #[inline]
    pub fn index(&self, price: Price) -> Option<usize> {
        let off = price.checked_sub(self.base)?;
        if off >= 0 && (off as usize) < self.levels.len() {
            Some(off as usize)
        } else {
            None
        }
    }

    /// The index of `price`, growing the ladder if needed. Fails when the price is not
    /// positive or would make the ladder wider than [`MAX_LEVELS`].
    #[inline]
    pub fn ensure(&mut self, price: Price) -> Option<usize> {
        // Prices inside the ladder are positive (its base is at least 1), so the common case
        // is one subtraction and one comparison; growing stays out of line.
        match self.index(price) {
            Some(i) => Some(i),
            None => self.grow(price),
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, price: Price) -> Option<usize> {
        if price <= 0 {
            return None;
        }
        let (old_lo, old_hi) = if self.levels.is_empty() {
            (price, price)
        } else {
            (self.base, self.base + self.levels.len() as Price - 1)
        };
        let lo = old_lo.min(price.saturating_sub(MARGIN)).max(1);
        let hi = old_hi.max(price.saturating_add(MARGIN));
        let span = (hi - lo + 1) as u128;
        let len = span.div_ceil(CHUNK as u128) * CHUNK as u128;
        if len > MAX_LEVELS as u128 {
            return None;
        }
        let len = len as usize;
        let mut levels = vec![Level::default(); len];
        let shift = (self.base - lo) as usize;
        if !self.levels.is_empty() {
            levels[shift..shift + self.levels.len()].copy_from_slice(&self.levels);
        }
        self.rebuild(levels, lo, self.best.map(|b| b + shift));
        self.index(price)
    }

    /// Takes `levels` starting at price `base`, with the best level at `best`, and rebuilds the
    /// bitsets from them.
    fn rebuild(&mut self, levels: Vec<Level>, base: Price, best: Option<usize>) {
        let len = levels.len();
        self.levels = levels;
        self.base = base;
        self.words = vec![0; len / 64];
        self.summary = vec![0; len / CHUNK];
        for i in 0..len {
            if self.levels[i].orders > 0 {
                self.set_bit(i);
            }
        }
        self.best = best;
    }

    /// Moves every level `by` ticks, keeping its orders and their queue: only the prices
    /// change. The caller has checked that no order would go below a price of 1; levels that
    /// would (empty, kept as margin) are dropped, so the base stays at least 1.
    pub fn shift(&mut self, by: Price) {
        let Some(base) = self.base.checked_add(by) else {
            return;
        };
        if self.levels.is_empty() || base >= 1 {
            self.base = base.max(1);
            return;
        }
        let drop = (1 - base) as usize;
        debug_assert!(
            self.levels[..drop.min(self.levels.len())]
                .iter()
                .all(|l| l.orders == 0)
        );
        let kept = &self.levels[drop.min(self.levels.len())..];
        let len = (kept.len().max(1)).div_ceil(CHUNK) * CHUNK;
        let mut levels = vec![Level::default(); len];
        levels[..kept.len()].copy_from_slice(kept);
        let best = self.best.map(|b| b - drop);
        self.rebuild(levels, 1, best);
    }

    #[inline]
    pub fn level(&self, idx: usize) -> &Level {
        &self.levels[idx]
    }

    #[inline]
    pub fn level_mut(&mut self, idx: usize) -> &mut Level {
        &mut self.levels[idx]
    }

    #[inline]
    pub fn best(&self) -> Option<usize> {
        self.best
    }

    /// The non-empty levels, best first.
    pub fn levels(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.best, |&i| self.next_worse(i))
    }

    pub fn best_price(&self) -> Option<Price> {
        self.best.map(|i| self.price(i))
    }

    /// Is `price` at least as good as the best level (so a new order there would be best)?
    #[inline]
    fn better_or_equal(&self, a: usize, b: usize) -> bool {
        if self.is_bid { a >= b } else { a <= b }
    }

    /// Call after a level went from empty to non-empty.
    #[inline]
    pub fn mark_nonempty(&mut self, idx: usize) {
        self.set_bit(idx);
        match self.best {
            Some(b) if !self.better_or_equal(idx, b) => {}
            _ => self.best = Some(idx),
        }
    }

    /// Call after a level became empty.
    #[inline]
    pub fn mark_empty(&mut self, idx: usize) {
        self.clear_bit(idx);
        if self.best == Some(idx) {
            self.best = self.next_worse(idx);
        }
    }

    /// The next non-empty level behind `idx` in priority order.
    #[inline]
    pub fn next_worse(&self, idx: usize) -> Option<usize> {
        if self.is_bid {
            if idx == 0 {
                None
            } else {
                self.highest_at_or_below(idx - 1)
            }
        } else if idx + 1 >= self.levels.len() {
            None
        } else {
            self.lowest_at_or_above(idx + 1)
        }
    }

    #[inline]
    fn set_bit(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
        self.summary[i / CHUNK] |= 1 << ((i / 64) % 64);
    }

    #[inline]
    fn clear_bit(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] &= !(1 << (i % 64));
        if self.words[w] == 0 {
            self.summary[w / 64] &= !(1 << (w % 64));
        }
    }

    fn highest_at_or_below(&self, i: usize) -> Option<usize> {
        let w = i / 64;
        let m = self.words[w] & (u64::MAX >> (63 - (i % 64)));
        if m != 0 {
            return Some(w * 64 + 63 - m.leading_zeros() as usize);
        }
        let s = w / 64;
        let sb = w % 64;
        let first = if sb == 0 {
            0
        } else {
            self.summary[s] & (u64::MAX >> (64 - sb))
        };
        if first != 0 {
            return Some(self.top_of_word(s * 64 + 63 - first.leading_zeros() as usize));
        }
        (0..s).rev().find_map(|k| {
            let m = self.summary[k];
            (m != 0).then(|| self.top_of_word(k * 64 + 63 - m.leading_zeros() as usize))
        })
    }

    fn lowest_at_or_above(&self, i: usize) -> Option<usize> {
        let w = i / 64;
        let m = self.words[w] & (u64::MAX << (i % 64));
        if m != 0 {
            return Some(w * 64 + m.trailing_zeros() as usize);
        }
        let s = w / 64;
        let sb = w % 64;
        let first = if sb == 63 {
            0
        } else {
            self.summary[s] & (u64::MAX << (sb + 1))
        };
        if first != 0 {
            return Some(self.bottom_of_word(s * 64 + first.trailing_zeros() as usize));
        }
        (s + 1..self.summary.len()).find_map(|k| {
            let m = self.summary[k];
            (m != 0).then(|| self.bottom_of_word(k * 64 + m.trailing_zeros() as usize))
        })
    }

    #[inline]
    fn top_of_word(&self, w: usize) -> usize {
        w * 64 + 63 - self.words[w].leading_zeros() as usize
    }

    #[inline]
    fn bottom_of_word(&self, w: usize) -> usize {
        w * 64 + self.words[w].trailing_zeros() as usize
    }
}
