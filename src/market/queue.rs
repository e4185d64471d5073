//! The simulation's event queue: events pop in (time, sequence) order, sequence numbers being
//! unique, so simultaneous events resolve in the order they were scheduled, the same way every
//! run.
//!
//! Most events are orders on their way to a book, and each of those lands at the current time
//! plus its agent's latency. Agents share a handful of latencies, and the clock never goes back,
//! so the arrivals of one latency are already in (time, sequence) order when they are scheduled:
//! they wait in a first-in-first-out *lane* per latency, and only the rest (wake-ups, bars,
//! auctions) go through the binary heap. A pop takes the smallest of the heap's top and the
//! lanes' heads, so the order is exactly the one a single heap would give, at a fraction of the
//! sifting.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::time::Nanos;

/// A heap entry in one `u128`: the time in the high 64 bits, then the sequence number
/// (`SEQ_BITS`), then where the event waits in `EventQueue::slots` (`SLOT_BITS`). Comparing
/// entries as integers orders them by (time, sequence), sequence numbers being unique; the
/// events themselves stay out of the heap so that sifting moves 16 bytes, not 64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key(u128);

pub const SLOT_BITS: u32 = 24;
pub const SEQ_BITS: u32 = 64 - SLOT_BITS;

impl Key {
    fn new(t: Nanos, seq: u64, slot: u32) -> Self {
        debug_assert!(seq < 1 << SEQ_BITS && slot < 1 << SLOT_BITS);
        Key(u128::from(t) << 64 | u128::from(seq << SLOT_BITS | u64::from(slot)))
    }
    fn t(self) -> Nanos {
        (self.0 >> 64) as Nanos
    }
    fn slot(self) -> u32 {
        (self.0 as u64 & ((1 << SLOT_BITS) - 1)) as u32
    }
}

/// The event could not be queued: its sequence number or the heap's slots are beyond the packed
/// key's bits. The simulation turns this into `SimError::QueueLimit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull;

/// What `EventQueue::pop` hands back: an event from the heap or one from a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Popped<E, A> {
    Heap(E),
    Lane(A),
}

/// Events `E` through the heap and lane events `A` (their own type, so that a lane's entries
/// are laid out for the one thing they carry and written with whole-word copies).
pub struct EventQueue<E, A> {
    heap: BinaryHeap<Reverse<Key>>,
    /// The heap's events, indexed by `Key::slot`; `free` lists the slots not in use.
    slots: Vec<E>,
    free: Vec<u32>,
    /// Per lane, events in (time, sequence) order, each with its key (slot bits zero: keys are
    /// unique by sequence, so the slot never decides a comparison).
    lanes: Vec<VecDeque<(Key, A)>>,
}

impl<E: Copy, A> EventQueue<E, A> {
    /// A queue with `lanes` first-in-first-out lanes besides the heap.
    pub fn new(lanes: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            lanes: (0..lanes).map(|_| VecDeque::new()).collect(),
        }
    }

    /// Queues `ev` at time `t` under sequence number `seq`, in any order.
    #[inline]
    pub fn push(&mut self, t: Nanos, seq: u64, ev: E) -> Result<(), QueueFull> {
        let no_slot = self.free.is_empty() && self.slots.len() >= 1 << SLOT_BITS;
        if no_slot || seq >= 1 << SEQ_BITS {
            return Err(QueueFull);
        }
        let slot = match self.free.pop() {
            Some(k) => {
                self.slots[k as usize] = ev;
                k
            }
            None => {
                self.slots.push(ev);
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Reverse(Key::new(t, seq, slot)));
        Ok(())
    }

    /// Queues `ev` in `lane`, whose events must be pushed in (time, sequence) order: the caller
    /// keeps one lane per fixed delay from a clock that never goes back.
    #[inline]
    pub fn push_lane(&mut self, lane: usize, t: Nanos, seq: u64, ev: A) -> Result<(), QueueFull> {
        if seq >= 1 << SEQ_BITS {
            return Err(QueueFull);
        }
        let key = Key::new(t, seq, 0);
        let fifo = &mut self.lanes[lane];
        debug_assert!(
            fifo.back().is_none_or(|&(k, _)| k < key),
            "lane out of order"
        );
        fifo.push_back((key, ev));
        Ok(())
    }

    /// Takes the earliest event: smallest time, then smallest sequence number.
    #[inline]
    pub fn pop(&mut self) -> Option<(Nanos, Popped<E, A>)> {
        let mut best = self.heap.peek().map(|r| r.0);
        let mut from_lane = None;
        for (k, fifo) in self.lanes.iter().enumerate() {
            if let Some(&(key, _)) = fifo.front()
                && best.is_none_or(|b| key < b)
            {
                best = Some(key);
                from_lane = Some(k);
            }
        }
        let key = best?;
        match from_lane {
            Some(k) => {
                let fifo = &mut self.lanes[k];
                let ev = fifo.pop_front().map(|(_, ev)| (key.t(), Popped::Lane(ev)));
                if fifo.is_empty() {
                    // Back to the buffer's start: a ring that only ever advanced would walk
                    // through its whole capacity (grown by the pre-open's burst), all of it
                    // cold, instead of reusing the few lines it needs.
                    fifo.clear();
                }
                ev
            }
            None => {
                self.heap.pop();
                let slot = key.slot();
                self.free.push(slot);
                Some((key.t(), Popped::Heap(self.slots[slot as usize])))
            }
        }
    }

    /// Events waiting, in the heap and the lanes.
    pub fn len(&self) -> usize {
        self.heap.len() + self.lanes.iter().map(VecDeque::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Time outranks sequence and sequence outranks slot in the packed key.
    #[test]
    fn the_packed_key_orders_by_time_then_sequence() {
        let last_seq = (1u64 << SEQ_BITS) - 1;
        let last_slot = (1u32 << SLOT_BITS) - 1;
        assert!(Key::new(1, last_seq, last_slot) < Key::new(2, 0, 0));
        assert!(Key::new(5, 3, last_slot) < Key::new(5, 4, 0));
        let k = Key::new(7, last_seq, last_slot);
        assert_eq!((k.t(), k.slot()), (7, last_slot));
    }

    fn seq_of(e: Popped<u64, u64>) -> u64 {
        match e {
            Popped::Heap(s) | Popped::Lane(s) => s,
        }
    }

    /// Random interleavings of heap events and lane events (each lane a fixed delay from a
    /// clock that only moves forward, as in the simulation) pop in exactly the order a sorted
    /// list of (time, sequence) gives.
    #[test]
    fn lanes_and_heap_pop_in_time_then_sequence_order() {
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let delays = [0u64, 5, 50, 1_000];
            let mut q = EventQueue::new(delays.len());
            let mut reference: Vec<(Nanos, u64)> = Vec::new();
            let mut popped = Vec::new();
            let (mut now, mut seq) = (0u64, 0u64);
            for _ in 0..5_000 {
                // Schedule a few events, then pop one; the clock follows the pops.
                for _ in 0..rng.random_range(0..3) {
                    seq += 1;
                    let t = if rng.random_bool(0.5) {
                        let lane = rng.random_range(0..delays.len());
                        let t = now + delays[lane];
                        q.push_lane(lane, t, seq, seq).unwrap();
                        t
                    } else {
                        let t = now + rng.random_range(0..200);
                        q.push(t, seq, seq).unwrap();
                        t
                    };
                    reference.push((t, seq));
                }
                if let Some((t, e)) = q.pop() {
                    assert!(t >= now);
                    now = t;
                    popped.push((t, seq_of(e)));
                }
            }
            while let Some((t, e)) = q.pop() {
                popped.push((t, seq_of(e)));
            }
            assert!(q.is_empty());
            reference.sort_unstable();
            assert_eq!(popped, reference, "seed {seed}");
        }
    }

    /// A sequence number beyond the packed key's bits is refused, in the heap and in a lane.
    #[test]
    fn sequence_numbers_beyond_the_key_are_refused() {
        let mut q: EventQueue<(), ()> = EventQueue::new(1);
        assert_eq!(q.push(1, 1 << SEQ_BITS, ()), Err(QueueFull));
        assert_eq!(q.push_lane(0, 1, 1 << SEQ_BITS, ()), Err(QueueFull));
        assert!(q.is_empty());
    }
}
