//! The engine's event queue: a radix heap with byte-wide digits. Events are never scheduled
//! before the last one taken (the clock only moves forward), which lets the queue keep events
//! in buckets by where their time first differs from that clock, instead of keeping a heap in
//! order: by the highest byte in which they differ (the level) and that byte's value (the
//! digit). The earliest events are in the lowest level's lowest digit; taking them moves that
//! bucket's events down to lower levels, so an event moves at most once per byte of the
//! distance to it (three times for a year ahead in seconds), where a bucket per bit would move
//! it up to once per bit. Events due at the same second come out in the order they were
//! scheduled (`seq`), as from a heap ordered by time, then `seq`.

use std::collections::VecDeque;

/// Something the queue holds: when it is due and when it was scheduled.
pub(super) trait Timed {
    /// Seconds, never below the time of the last item taken.
    fn due(&self) -> u64;
    /// Scheduling order among items due at the same second.
    fn seq(&self) -> u64;
}

/// Bytes in a time (a level each).
const LEVELS: usize = 8;
/// Values of a byte (a digit each).
const DIGITS: usize = 256;

/// A monotone priority queue of `T`, earliest first, ties in `seq` order.
#[derive(Debug)]
pub(super) struct Queue<T> {
    /// The time of the last item taken (0 before any).
    last: u64,
    /// Items due at `last`, in `seq` order.
    now: VecDeque<T>,
    /// `buckets[level * DIGITS + digit]`: items whose time first differs from `last` in byte
    /// `level` (the lowest byte is 0), where theirs is `digit`; in no order.
    buckets: Box<[Vec<T>]>,
    /// Per level, a bit for each digit whose bucket holds items.
    digits: [[u64; DIGITS / 64]; LEVELS],
    /// Bit `level` set when any bucket of the level holds items.
    levels: u8,
}

impl<T: Timed> Queue<T> {
    pub(super) fn new() -> Queue<T> {
        Queue {
            last: 0,
            now: VecDeque::new(),
            buckets: std::iter::repeat_with(Vec::new)
                .take(LEVELS * DIGITS)
                .collect(),
            digits: [[0; DIGITS / 64]; LEVELS],
            levels: 0,
        }
    }

    /// Empties the queue and sets its clock back to 0, keeping its memory.
    pub(super) fn clear(&mut self) {
        self.last = 0;
        self.now.clear();
        for b in &mut self.buckets {
            b.clear();
        }
        self.digits = [[0; DIGITS / 64]; LEVELS];
        self.levels = 0;
    }

    /// The memory the queue holds, in bytes.
    pub(super) fn bytes(&self) -> usize {
        let items = self
            .buckets
            .iter()
            .map(Vec::capacity)
            .fold(self.now.capacity(), usize::saturating_add);
        items.saturating_mul(std::mem::size_of::<T>())
    }

    /// Adds an item; one due before the last taken is treated as due at once.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "a level is below LEVELS (a bit of a u64 over 8) and a digit below DIGITS, so their products and sums index within the buckets; a word with a bit set is not 0"
    )]
    pub(super) fn push(&mut self, item: T) {
        let t = item.due().max(self.last);
        let Some(bit) = (t ^ self.last).checked_ilog2() else {
            // `seq` grows with every push, so an item due now goes last among those due now.
            self.now.push_back(item);
            return;
        };
        let level = (bit / 8) as usize;
        let digit = ((t >> (level * 8)) & 0xff) as usize;
        if let Some(b) = self.buckets.get_mut(level * DIGITS + digit) {
            b.push(item);
            if let Some(w) = self
                .digits
                .get_mut(level)
                .and_then(|d| d.get_mut(digit / 64))
            {
                *w |= 1 << (digit % 64);
            }
            self.levels |= 1 << level;
        }
    }

    /// Takes the earliest item (the first scheduled among the earliest).
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "a level is below LEVELS (a bit of a u64 over 8) and a digit below DIGITS, so their products and sums index within the buckets; a word with a bit set is not 0"
    )]
    pub(super) fn pop(&mut self) -> Option<T> {
        if let Some(item) = self.now.pop_front() {
            return Some(item);
        }
        // The lowest level's lowest digit holds the earliest items; its earliest time becomes
        // `last`, and its items move to lower levels (those due at `last` to `now`). Items in
        // the level's other digits, and in higher levels, still differ from the new `last`
        // where they differed from the old one, so they stay.
        let level = (self.levels != 0).then(|| self.levels.trailing_zeros() as usize)?;
        let words = self.digits.get_mut(level)?;
        let (word, bits) = words.iter_mut().enumerate().find(|(_, w)| **w != 0)?;
        let digit = word * 64 + bits.trailing_zeros() as usize;
        *bits &= *bits - 1;
        if words.iter().all(|w| *w == 0) {
            self.levels &= !(1 << level);
        }
        let slot = level * DIGITS + digit;
        let bucket = self.buckets.get_mut(slot)?;
        if bucket.len() == 1 {
            // Alone in the bucket, it is the earliest: it is taken as it is, and the rest stay
            // where they are (as they would after moving it to `now`).
            let item = bucket.pop()?;
            self.last = item.due();
            return Some(item);
        }
        let mut items = std::mem::take(bucket);
        self.last = items.iter().map(Timed::due).min()?;
        for item in items.drain(..) {
            self.push(item);
        }
        // Keep the bucket's room for later.
        if let Some(v) = self.buckets.get_mut(slot) {
            *v = items;
        }
        if self.now.len() > 1 {
            self.now.make_contiguous().sort_unstable_by_key(Timed::seq);
        }
        self.now.pop_front()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Item(u64, u64);

    impl Timed for Item {
        fn due(&self) -> u64 {
            self.0
        }
        fn seq(&self) -> u64 {
            self.1
        }
    }

    #[test]
    fn items_come_out_in_time_then_schedule_order() {
        let mut q = Queue::new();
        for (t, seq) in [(5, 1), (3, 2), (5, 0), (1, 3)] {
            q.push(Item(t, seq));
        }
        let order: Vec<(u64, u64)> = std::iter::from_fn(|| q.pop().map(|i| (i.0, i.1))).collect();
        assert_eq!(order, vec![(1, 3), (3, 2), (5, 0), (5, 1)]);
    }

    proptest! {
        /// Pushes (never before the last item taken) and pops in any mix come out as from a
        /// binary heap ordered by time, then scheduling order.
        #[test]
        fn the_same_order_as_a_heap(steps in proptest::collection::vec((0u64..4, 0u64..200_000, any::<bool>()), 1..400)) {
            let mut q = Queue::new();
            let mut heap = BinaryHeap::new();
            let (mut now, mut seq) = (0u64, 0u64);
            for (pushes, ahead, big) in steps {
                for k in 0..pushes {
                    // Many ties (ahead 0 or the same second), some far ahead (up to five
                    // bytes of distance, to reach the higher levels).
                    let dt = if big { (ahead * 1_000) << (ahead % 3 * 8) } else { ahead % 3 } + k % 2;
                    seq += 1;
                    q.push(Item(now + dt, seq));
                    heap.push(Reverse((now + dt, seq)));
                }
                let a = q.pop().map(|i| (i.0, i.1));
                let b = heap.pop().map(|Reverse(x)| x);
                prop_assert_eq!(a, b);
                if let Some((t, _)) = a {
                    now = t;
                }
            }
            loop {
                let a = q.pop().map(|i| (i.0, i.1));
                let b = heap.pop().map(|Reverse(x)| x);
                prop_assert_eq!(a, b);
                if a.is_none() {
                    break;
                }
            }
        }
    }
}
