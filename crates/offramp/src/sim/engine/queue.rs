//! The engine's event queue: a radix heap. Events are never scheduled before the last one
//! taken (the clock only moves forward), which lets the queue keep events in buckets by the
//! highest bit in which their time differs from that clock, instead of keeping a heap in
//! order. Events due at the same second come out in the order they were scheduled (`seq`),
//! as from a heap ordered by time, then `seq`.

use std::collections::VecDeque;

/// Something the queue holds: when it is due and when it was scheduled.
pub(super) trait Timed {
    /// Seconds, never below the time of the last item taken.
    fn due(&self) -> u64;
    /// Scheduling order among items due at the same second.
    fn seq(&self) -> u64;
}

/// A monotone priority queue of `T`, earliest first, ties in `seq` order.
#[derive(Debug)]
pub(super) struct Queue<T> {
    /// The time of the last item taken (0 before any).
    last: u64,
    /// Items due at `last`, in `seq` order.
    now: VecDeque<T>,
    /// `buckets[i]`: items whose time first differs from `last` in bit `i` (counting the
    /// lowest bit as 0), in no order.
    buckets: [Vec<T>; 64],
    /// Bit `i` set when `buckets[i]` holds items.
    full: u64,
}

impl<T: Timed> Queue<T> {
    pub(super) fn new() -> Queue<T> {
        Queue {
            last: 0,
            now: VecDeque::new(),
            buckets: std::array::from_fn(|_| Vec::new()),
            full: 0,
        }
    }

    /// Empties the queue and sets its clock back to 0, keeping its memory.
    pub(super) fn clear(&mut self) {
        self.last = 0;
        self.now.clear();
        for b in &mut self.buckets {
            b.clear();
        }
        self.full = 0;
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
    pub(super) fn push(&mut self, item: T) {
        match self.bucket(item.due()) {
            Some(b) => {
                if let Some(v) = self.buckets.get_mut(b) {
                    v.push(item);
                    self.full |= bit(b);
                }
            }
            // `seq` grows with every push, so an item due now goes last among those due now.
            None => self.now.push_back(item),
        }
    }

    /// The bucket of an item due at `t`, or `None` for one due at `last` (or before it).
    fn bucket(&self, t: u64) -> Option<usize> {
        let differ = t.max(self.last) ^ self.last;
        differ.checked_ilog2().map(|b| b as usize)
    }

    /// Takes the earliest item (the first scheduled among the earliest).
    pub(super) fn pop(&mut self) -> Option<T> {
        if let Some(item) = self.now.pop_front() {
            return Some(item);
        }
        // The lowest non-empty bucket holds the earliest items; its earliest time becomes
        // `last`, and its items move to lower buckets (those due at `last` to `now`).
        let b = (self.full != 0).then(|| self.full.trailing_zeros() as usize)?;
        self.full &= !bit(b);
        let mut items = std::mem::take(self.buckets.get_mut(b)?);
        self.last = items.iter().map(Timed::due).min()?;
        for item in items.drain(..) {
            self.push(item);
        }
        // Keep the bucket's room for later.
        if let Some(v) = self.buckets.get_mut(b) {
            *v = items;
        }
        self.now.make_contiguous().sort_unstable_by_key(Timed::seq);
        self.now.pop_front()
    }
}

/// The mask of bucket `b` (below 64) in `Queue::full`.
fn bit(b: usize) -> u64 {
    u32::try_from(b)
        .ok()
        .and_then(|b| 1u64.checked_shl(b))
        .unwrap_or(0)
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
                    // Many ties (ahead 0 or the same second), some far ahead.
                    let dt = if big { ahead * 1_000 } else { ahead % 3 } + k % 2;
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
