//! Time-zone offsets found once and kept: where a zone's UTC offset changes over a stretch of
//! time, worked out with chrono-tz an hour at a time and then read from a short list. The
//! simulation's clock keeps the changes over its span; partners' opening hours ask, for every
//! candidate service at every encounter, what an instant reads as on the service's clock and
//! where a wall-clock time falls, which a look-up in chrono-tz's tables answered each time.
//!
//! The changes are found by asking the offset every hour and bisecting each hour in which it
//! changed to the second; an offset that changed and changed back within one hour would be
//! missed. No zone since 1970 does that, and the tests compare the kept answers with chrono-tz's
//! own for every zone it knows. Answers are kept only for instants from 1970 to 2100 (in blocks
//! of about a year); outside them chrono-tz is asked directly.

use std::sync::OnceLock;

use chrono::{FixedOffset, Offset, TimeZone};
use chrono_tz::Tz;

/// Seconds from `from` to `to` (UTC seconds), each offset with the first second it holds
/// from, ascending, the first at `from`.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "bisection keeps lo < mid < hi within [from, to]"
)]
pub(crate) fn offset_changes(tz: Tz, from: i64, to: i64) -> Vec<(i64, FixedOffset)> {
    let at = |t: i64| offset_at(tz, t);
    let mut current = at(from);
    let mut spans = vec![(from, current)];
    let mut t = from;
    while t < to {
        let next = t.saturating_add(HOUR).min(to);
        if at(next) == current {
            t = next;
            continue;
        }
        // The offset is `current` at `lo` and another at `hi`: find the first second of the
        // other.
        let (mut lo, mut hi) = (t, next);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if at(mid) == current {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        current = at(hi);
        spans.push((hi, current));
        t = hi;
    }
    spans
}

const HOUR: i64 = 3_600;

/// The offset chrono-tz gives at UTC second `secs` (UTC itself outside chrono's range).
fn offset_at(tz: Tz, secs: i64) -> FixedOffset {
    chrono::DateTime::from_timestamp(secs, 0).map_or(chrono::Utc.fix(), |d| {
        tz.offset_from_utc_datetime(&d.naive_utc()).fix()
    })
}

/// Seconds in a block of kept offsets (about 388 days).
const BLOCK: i64 = 1 << 25;
/// Blocks kept: from 1970 to 2100.
const BLOCKS: std::ops::Range<i64> = 0..123;
/// How far a block's offsets reach beyond it on either side: more than any offset (at most
/// 26 hours between two zones), so that every instant a wall-clock reading in the block can
/// stand for is covered.
const MARGIN: i64 = 2 * 86_400;

/// A zone's offsets over one block and its margins.
#[derive(Debug)]
struct Block {
    /// The first second each offset holds from, ascending; the first is the block's start
    /// less the margin.
    spans: Vec<(i64, FixedOffset)>,
    /// The first second after the block's end and its margin.
    end: i64,
}

/// Where a wall-clock reading falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// At one instant, under this offset.
    Single(FixedOffset),
    /// At two: first under the earlier offset, then under the later (clocks went back).
    Ambiguous(FixedOffset, FixedOffset),
    /// At none (clocks went forward over it).
    Gap,
}

impl Block {
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "block numbers are within BLOCKS, so their seconds are far inside i64"
    )]
    fn build(tz: Tz, block: i64) -> Block {
        let (start, end) = (block * BLOCK - MARGIN, (block + 1) * BLOCK + MARGIN);
        Block {
            spans: offset_changes(tz, start, end),
            end,
        }
    }

    fn offset(&self, secs: i64) -> Option<FixedOffset> {
        let after = self.spans.partition_point(|(from, _)| *from <= secs);
        self.spans.get(after.checked_sub(1)?).map(|(_, o)| *o)
    }

    /// Where wall-clock reading `local` (seconds as if it were UTC) falls: each offset whose
    /// span holds the instant the reading stands for under it.
    fn fit(&self, local: i64) -> Option<Fit> {
        let mut found: [Option<FixedOffset>; 2] = [None, None];
        let mut n = 0usize;
        for (i, (from, o)) in self.spans.iter().enumerate() {
            let until = self
                .spans
                .get(i.saturating_add(1))
                .map_or(self.end, |(next, _)| *next);
            let u = local.saturating_sub(i64::from(o.local_minus_utc()));
            if *from <= u && u < until {
                *found.get_mut(n)? = Some(*o);
                n = n.saturating_add(1);
            }
        }
        Some(match found {
            [Some(a), Some(b)] => Fit::Ambiguous(a, b),
            [Some(a), None] => Fit::Single(a),
            _ => Fit::Gap,
        })
    }
}

/// Zones known to chrono-tz.
const ZONES: usize = chrono_tz::TZ_VARIANTS.len();
/// Blocks in a zone's list.
const ZONE_BLOCKS: usize = BLOCKS.end as usize;

/// Each zone's blocks, built when first asked for, once per process, and then read by every
/// thread without a lock.
static BUILT: [OnceLock<Box<[OnceLock<Block>]>>; ZONES] = [const { OnceLock::new() }; ZONES];

/// Calls `f` with the block of `tz` holding `secs`; `None` outside the blocks kept.
fn with_block<R>(tz: Tz, secs: i64, f: impl FnOnce(&Block) -> Option<R>) -> Option<R> {
    let block = secs.div_euclid(BLOCK);
    if !BLOCKS.contains(&block) {
        return None;
    }
    let blocks = BUILT.get(tz as usize)?.get_or_init(|| {
        std::iter::repeat_with(OnceLock::new)
            .take(ZONE_BLOCKS)
            .collect()
    });
    let b = blocks
        .get(usize::try_from(block).ok()?)?
        .get_or_init(|| Block::build(tz, block));
    f(b)
}

/// [`offset_changes`] from `from` to `to`, read from the kept blocks (built once per process)
/// when the span lies within them; found afresh otherwise.
pub(crate) fn changes(tz: Tz, from: i64, to: i64) -> Vec<(i64, FixedOffset)> {
    let (first, last) = (from.div_euclid(BLOCK), to.div_euclid(BLOCK));
    if !(BLOCKS.contains(&first) && BLOCKS.contains(&last)) || from > to {
        return offset_changes(tz, from, to);
    }
    let mut out = vec![(from, utc_offset(tz, from))];
    for block in first..=last {
        let start = block.saturating_mul(BLOCK);
        let kept = with_block(tz, start, |b| {
            for &(t, o) in &b.spans {
                if from < t && t <= to && out.last().is_some_and(|(_, last)| *last != o) {
                    out.push((t, o));
                }
            }
            Some(())
        });
        if kept.is_none() {
            return offset_changes(tz, from, to);
        }
    }
    out
}

/// The offset of `tz` at UTC second `secs`, as chrono-tz gives it.
pub(crate) fn utc_offset(tz: Tz, secs: i64) -> FixedOffset {
    with_block(tz, secs, |b| b.offset(secs)).unwrap_or_else(|| offset_at(tz, secs))
}

/// Where wall-clock reading `local` (its seconds as if it were UTC) falls in `tz`, as
/// chrono-tz's `offset_from_local_datetime` places it.
pub(crate) fn fit(tz: Tz, local: chrono::NaiveDateTime) -> Fit {
    let secs = local.and_utc().timestamp();
    with_block(tz, secs, |b| b.fit(secs)).unwrap_or_else(|| {
        match tz.offset_from_local_datetime(&local) {
            chrono::LocalResult::Single(o) => Fit::Single(o.fix()),
            chrono::LocalResult::Ambiguous(a, b) => Fit::Ambiguous(a.fix(), b.fix()),
            chrono::LocalResult::None => Fit::Gap,
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use super::*;
    use chrono::LocalResult;
    use proptest::prelude::*;

    fn chrono_fit(tz: Tz, local: chrono::NaiveDateTime) -> Fit {
        match tz.offset_from_local_datetime(&local) {
            LocalResult::Single(o) => Fit::Single(o.fix()),
            LocalResult::Ambiguous(a, b) => Fit::Ambiguous(a.fix(), b.fix()),
            LocalResult::None => Fit::Gap,
        }
    }

    fn naive(secs: i64) -> chrono::NaiveDateTime {
        chrono::DateTime::from_timestamp(secs, 0)
            .unwrap()
            .naive_utc()
    }

    /// Every zone chrono-tz knows, at each second its offset changes in 2025-2029 and the
    /// seconds around it, and at wall-clock readings around each change: the kept answers
    /// are chrono-tz's.
    #[test]
    fn every_zone_reads_as_chrono_tz_around_its_changes() {
        let (from, to) = (1_735_689_600, 1_861_920_000); // 2025 to 2029
        let mut changes = 0;
        for tz in chrono_tz::TZ_VARIANTS {
            for (at, _) in offset_changes(tz, from, to).into_iter().skip(1) {
                changes += 1;
                for d in [-7_200, -3_601, -1, 0, 1, 1_799, 3_600, 7_201] {
                    let t = at + d;
                    assert_eq!(utc_offset(tz, t), offset_at(tz, t), "{tz} at {t}");
                    for o in [-7_200, -3_600, -1_800, 0, 1_800, 3_600, 7_200] {
                        let local = naive(t + i64::from(offset_at(tz, t).local_minus_utc()) + o);
                        assert_eq!(fit(tz, local), chrono_fit(tz, local), "{tz} at {local}");
                    }
                }
            }
        }
        assert!(changes > 500, "{changes}");
    }

    /// The changes read from the kept blocks are those found afresh, for spans within a block,
    /// across several, and reaching outside the kept years.
    #[test]
    fn kept_changes_are_the_changes_found() {
        let zones = [
            chrono_tz::America::Los_Angeles,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Pacific::Apia,
            chrono_tz::UTC,
        ];
        for tz in zones {
            for (from, to) in [
                (1_767_225_600, 1_767_225_600 + 86_400 * 10),
                (1_767_225_600, 1_767_225_600 + 86_400 * 3_653),
                (1_293_840_000, 1_356_998_400), // 2011 to 2013: Apia skips a day
                (4_102_444_800 - 86_400 * 400, 4_102_444_800 + 86_400 * 400), // past 2100
            ] {
                assert_eq!(changes(tz, from, to), offset_changes(tz, from, to), "{tz}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any instant from 1900 to 2200 in any zone: the same offset and the same fit of its
        /// wall-clock reading as chrono-tz (kept blocks and the rest alike).
        #[test]
        fn any_instant_reads_as_chrono_tz(
            zone in 0..chrono_tz::TZ_VARIANTS.len(),
            secs in -2_208_988_800i64..7_258_118_400,
            shift in -100_000i64..100_000,
        ) {
            let tz = chrono_tz::TZ_VARIANTS[zone];
            prop_assert_eq!(utc_offset(tz, secs), offset_at(tz, secs));
            let local = naive(secs + shift);
            prop_assert_eq!(fit(tz, local), chrono_fit(tz, local));
        }
    }
}
