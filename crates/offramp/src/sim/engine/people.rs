//! Where each person met so far sits in the engine's list of people: a table indexed by the
//! person's id, in pages of 65,536 entries allocated when an id in them is first met, so a
//! run over a large population holds pages only for the ids it has drawn.

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
}
