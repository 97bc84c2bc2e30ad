//! Seeded random streams. Every random choice in a run is drawn from a stream named by the
//! seed, the replication and what it is for (a person's k-th encounter, the arrival process...),
//! so results never depend on threads or on the order in which other streams were used.

use rand::{Rng, RngCore};
use rand_pcg::Pcg64Mcg;

/// What a stream is for; part of its name.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
pub(crate) enum Purpose {
    /// The arrival process of first contacts and overdoses.
    Arrivals = 1,
    /// A person's traits (group, age, needs).
    Traits = 2,
    /// A person's n-th encounter.
    Encounter = 3,
    /// A person's n-th overdose.
    Overdose = 4,
    /// A person's n-th referral.
    Referral = 5,
    /// A person's n-th release from jail.
    Release = 6,
    /// A person's n-th charge hold.
    Hold = 7,
    /// A service's people at the start.
    Initial = 8,
    /// A person's n-th post-overdose follow-up visit.
    FollowUp = 9,
    /// Whether a person's n-th contact carries their history.
    History = 10,
    /// The person's stated willingness at their n-th contact.
    Willing = 11,
    /// A person's home (`[places]`).
    Home = 12,
}

/// SplitMix64's finaliser: a fast, well-mixed 64-bit hash.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of one replication: every stream of the replication derives from it.
pub(crate) fn replication_key(seed: u64, replication: u32) -> u64 {
    mix(mix(seed) ^ mix(u64::from(replication).wrapping_add(0x5151_5151)))
}

/// A stream for `who` (a person or a service), for `purpose`, the `n`-th of its kind.
pub(crate) fn stream(key: u64, who: u32, purpose: Purpose, n: u32) -> Stream {
    let a = mix(key ^ mix((u64::from(who) << 8) | purpose as u64));
    let b = mix(a ^ mix(u64::from(n).wrapping_add(0xA5A5_A5A5)));
    let state = (u128::from(a) << 64) | u128::from(b) | 1;
    Stream(Pcg64Mcg::new(state))
}

/// A random stream with the few draws the engine needs.
#[derive(Debug, Clone)]
pub(crate) struct Stream(Pcg64Mcg);

impl Stream {
    /// Uniform in [0, 1).
    #[inline]
    pub fn u(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Uses up `n` draws unread (as `n` calls of `u` would).
    #[inline]
    pub fn skip(&mut self, n: usize) {
        for _ in 0..n {
            self.0.next_u64();
        }
    }

    /// Whether an event of probability `p` happens.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.u() < p
    }

    /// An exponential waiting time with the given rate (per unit); infinite for rate 0.
    #[inline]
    pub fn exp(&mut self, rate: f64) -> f64 {
        exp_from(self.u(), rate)
    }

    /// A uniform whole number below `n` (n > 0).
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        // Lemire's multiply-shift: unbiased enough for populations far below 2^32.
        // A u32 times a u32 fits in 64 bits: the product never wraps.
        (u64::from(self.0.random::<u32>()).wrapping_mul(u64::from(n)) >> 32) as u32
    }
}

/// An exponential waiting time from a uniform draw.
#[inline]
pub(crate) fn exp_from(u: f64, rate: f64) -> f64 {
    if rate <= 0.0 {
        f64::INFINITY
    } else {
        -(1.0 - u).ln() / rate
    }
}

/// A draw above which [`exp_from`] with `rate` gives `limit` or more, so that a caller who
/// needs only waits shorter than `limit` can pass over such draws without taking a logarithm:
/// the chance of a wait under `limit`, with a margin (1e-9) far wider than the rounding of
/// either side. At or below it the wait must still be worked out.
pub(crate) fn exp_cut(rate: f64, limit: f64) -> f64 {
    if rate <= 0.0 {
        return 0.0;
    }
    (-(-rate * limit).exp_m1() + 1e-9).min(1.0)
}

/// A generator from a plain seed, for tests.
#[cfg(test)]
pub(crate) fn seeded(seed: u64) -> Stream {
    Stream(<Pcg64Mcg as rand::SeedableRng>::seed_from_u64(seed))
}

/// A categorical distribution over indices, from non-negative weights.
#[derive(Debug, Clone, Default)]
pub(crate) struct Categorical {
    cumulative: Vec<f64>,
}

impl Categorical {
    /// From weights; all-zero or empty weights give an empty distribution.
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Categorical {
        let mut cumulative = Vec::new();
        let mut sum = 0.0;
        for w in weights {
            sum += w.max(0.0);
            cumulative.push(sum);
        }
        if sum <= 0.0 {
            return Categorical::default();
        }
        for c in &mut cumulative {
            *c /= sum;
        }
        Categorical { cumulative }
    }

    /// The index a uniform draw falls on (None when empty).
    #[inline]
    pub fn pick(&self, u: f64) -> Option<usize> {
        if self.cumulative.is_empty() {
            return None;
        }
        let i = self.cumulative.partition_point(|c| *c <= u);
        Some(i.min(self.cumulative.len().saturating_sub(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let k = replication_key(7, 0);
        let a: Vec<f64> = (0..4)
            .map({
                let mut s = stream(k, 3, Purpose::Encounter, 0);
                move |_| s.u()
            })
            .collect();
        let mut s = stream(k, 3, Purpose::Encounter, 0);
        assert_eq!(a, (0..4).map(|_| s.u()).collect::<Vec<_>>());
        let mut other = stream(k, 3, Purpose::Encounter, 1);
        assert_ne!(a[0], other.u());
        assert_ne!(replication_key(7, 0), replication_key(7, 1));
        let mut t = seeded(1);
        assert!((0.0..1.0).contains(&t.u()));
    }

    #[test]
    fn skipping_uses_up_draws_as_reading_them_does() {
        let k = replication_key(7, 0);
        let mut read = stream(k, 3, Purpose::Encounter, 0);
        let mut skipped = read.clone();
        for _ in 0..5 {
            read.u();
        }
        skipped.skip(5);
        assert_eq!(read.u().to_bits(), skipped.u().to_bits());
        skipped.skip(0);
        assert_eq!(read.u().to_bits(), skipped.u().to_bits());
    }

    #[test]
    fn categorical_picks_by_weight() {
        let c = Categorical::new([1.0, 0.0, 3.0]);
        assert_eq!(c.pick(0.0), Some(0));
        assert_eq!(c.pick(0.24), Some(0));
        assert_eq!(c.pick(0.25), Some(2));
        assert_eq!(c.pick(0.999_999), Some(2));
        assert!(Categorical::new([0.0]).pick(0.5).is_none());
        let mut s = seeded(9);
        let mut n = [0u32; 3];
        for _ in 0..40_000 {
            n[c.pick(s.u()).unwrap_or(1)] += 1;
        }
        assert_eq!(n[1], 0);
        assert!((f64::from(n[0]) / 40_000.0 - 0.25).abs() < 0.01, "{n:?}");
    }

    #[test]
    fn draws_above_the_cut_wait_at_least_the_limit() {
        let year = 365.0 * 86_400.0;
        let mut s = seeded(5);
        for p in [1e-6f64, 0.01, 0.3, 0.6, 0.9, 0.999_999] {
            let rate = -(1.0 - p).ln() / year;
            let cut = exp_cut(rate, year);
            // Close to the chance of a wait under a year, so that most draws past it are
            // passed over.
            assert!(cut > p && cut < p + 1e-8, "{p}: {cut}");
            // Every draw above the cut, from just above it to the top of the range.
            let mut u = cut;
            for _ in 0..10_000 {
                u = u.next_up();
                assert!(exp_from(u, rate) >= year, "{p}: {u}");
            }
            for _ in 0..10_000 {
                let u = cut + (1.0 - cut) * s.u();
                if u > cut {
                    assert!(exp_from(u, rate) >= year, "{p}: {u}");
                }
            }
            // Just below the chance, the wait is under a year: the cut is not below it.
            assert!(exp_from(p - 1e-9, rate) < year);
        }
        assert_eq!(exp_cut(0.0, year), 0.0);
    }

    #[test]
    fn exponential_has_its_mean() {
        let mut s = seeded(3);
        let mean = (0..100_000).map(|_| s.exp(2.0)).sum::<f64>() / 100_000.0;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        assert!(exp_from(0.3, 0.0).is_infinite());
        let below: Vec<u32> = (0..1000).map(|_| s.below(10)).collect();
        assert!(below.iter().all(|x| *x < 10));
    }
}
