//! Where each person met so far sits in the engine's list of people: a table indexed by the
//! person's id, in pages of 65,536 entries allocated when an id in them is first met, so a
//! run over a large population holds pages only for the ids it has drawn. And the traits of a
//! generated population's people, drawn once for a replication's two arms.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::sim::model::Traits;

/// No entry.
const EMPTY: u32 = u32::MAX;
/// Ids per page (a power of two).
const PAGE_BITS: u32 = 16;
/// The bytes of one page.
const PAGE_BYTES: usize = (1 << PAGE_BITS) * std::mem::size_of::<u32>();

#[derive(Debug, Default)]
pub(super) struct PersonIndex {
    pages: Vec<Option<Box<[u32]>>>,
}

impl PersonIndex {
    /// The place of the person with this id, if met.
    #[inline]
    pub(super) fn get(&self, id: u32) -> Option<usize> {
        let page = self.pages.get((id >> PAGE_BITS) as usize)?.as_ref()?;
        let i = *page.get((id & ((1 << PAGE_BITS) - 1)) as usize)?;
        (i != EMPTY).then_some(i as usize)
    }

    /// Forgets every person, keeping the pages for the next run.
    pub(super) fn clear(&mut self) {
        for page in self.pages.iter_mut().flatten() {
            page.fill(EMPTY);
        }
    }

    /// The memory the pages hold, in bytes.
    pub(super) fn bytes(&self) -> usize {
        let pages = self.pages.iter().flatten().count();
        pages.saturating_mul(PAGE_BYTES)
    }

    /// Records the place of the person with this id (a place of `u32::MAX` or more is not
    /// recorded: the engine never holds that many people).
    pub(super) fn insert(&mut self, id: u32, place: usize) {
        let Ok(place) = u32::try_from(place) else {
            return;
        };
        let p = (id >> PAGE_BITS) as usize;
        if self.pages.len() <= p {
            self.pages.resize_with(p.saturating_add(1), || None);
        }
        let Some(slot) = self.pages.get_mut(p) else {
            return;
        };
        let page = slot.get_or_insert_with(|| vec![EMPTY; 1 << PAGE_BITS].into_boxed_slice());
        if let Some(e) = page.get_mut((id & ((1 << PAGE_BITS) - 1)) as usize) {
            *e = place;
        }
    }
}

/// The traits drawn for each id of a generated population, shared by a replication's two
/// arms: both draw the same people (from the same streams), and drawing a person's traits
/// (a dozen draws) is work each arm would otherwise repeat for every id it meets. Each entry is
/// written the first time either arm draws the id and read after; the arms run on two threads
/// at once, and a value written twice is the same value (traits are a function of the
/// replication and the id). Only for populations up to [`SHARED_TRAITS_MAX`] ids.
#[derive(Debug)]
pub(crate) struct SharedTraits {
    /// Per id, the traits packed with a bit that says they are known (0: not yet drawn).
    known: Box<[AtomicU64]>,
}

/// The largest population whose traits are shared between arms (8 bytes each).
pub(crate) const SHARED_TRAITS_MAX: u32 = 1 << 20;

/// The bit that marks a packed entry as drawn.
const DRAWN: u64 = 1 << 40;

impl SharedTraits {
    /// A table for a population of `people`, or `None` above [`SHARED_TRAITS_MAX`].
    pub(crate) fn new(people: u32) -> Option<SharedTraits> {
        (people <= SHARED_TRAITS_MAX).then(|| SharedTraits {
            known: std::iter::repeat_with(|| AtomicU64::new(0))
                .take(people as usize)
                .collect(),
        })
    }

    /// The traits of `id`, drawn by `draw` the first time they are asked for.
    pub(super) fn get(&self, id: u32, draw: impl FnOnce() -> Traits) -> Traits {
        let Some(entry) = self.known.get(id as usize) else {
            return draw();
        };
        let packed = entry.load(Ordering::Relaxed);
        if packed & DRAWN != 0 {
            return Traits {
                group: (packed & 0xff) as u8,
                age: ((packed >> 8) & 0xffff) as u16,
                needs: ((packed >> 24) & 0xffff) as u16,
            };
        }
        let t = draw();
        let packed =
            DRAWN | u64::from(t.group) | (u64::from(t.age) << 8) | (u64::from(t.needs) << 24);
        entry.store(packed, Ordering::Relaxed);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_far_apart_get_their_own_pages() {
        let mut ix = PersonIndex::default();
        assert_eq!(ix.get(7), None);
        ix.insert(7, 0);
        ix.insert(49_999_999, 1);
        ix.insert(u32::MAX, 2);
        assert_eq!(ix.get(7), Some(0));
        assert_eq!(ix.get(8), None);
        assert_eq!(ix.get(49_999_999), Some(1));
        assert_eq!(ix.get(u32::MAX), Some(2));
        assert_eq!(ix.get(1 << 20), None);
        assert_eq!(ix.pages.iter().filter(|p| p.is_some()).count(), 3);
    }

    /// Traits come back as drawn, at the ends of each field's range, and are drawn once per
    /// id; an id past the table is drawn each time.
    #[test]
    fn shared_traits_are_drawn_once_and_kept_whole() {
        let table = SharedTraits::new(10).unwrap();
        let draws = std::cell::Cell::new(0);
        let draw = |t: Traits| {
            draws.set(draws.get() + 1);
            t
        };
        for (id, t) in [
            (
                0,
                Traits {
                    group: 255,
                    age: u16::MAX,
                    needs: u16::MAX,
                },
            ),
            (
                9,
                Traits {
                    group: 0,
                    age: 0,
                    needs: 0,
                },
            ),
            (
                3,
                Traits {
                    group: 7,
                    age: 41,
                    needs: 0b1010_0000_0000_0001,
                },
            ),
        ] {
            let first = table.get(id, || draw(t));
            let again = table.get(id, || {
                draw(Traits {
                    group: 1,
                    age: 1,
                    needs: 1,
                })
            });
            for got in [first, again] {
                assert_eq!((got.group, got.age, got.needs), (t.group, t.age, t.needs));
            }
        }
        assert_eq!(draws.get(), 3);
        let past = Traits {
            group: 2,
            age: 30,
            needs: 4,
        };
        table.get(10, || draw(past));
        table.get(10, || draw(past));
        assert_eq!(draws.get(), 5);
        assert!(SharedTraits::new(SHARED_TRAITS_MAX + 1).is_none());
    }
}
