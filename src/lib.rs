//! Shared helpers for the offramp workspace's scenario tests, examples and benchmarks.
//!
//! The suite owns the top-level `examples/`, `tests/` and `benches/` folders; this library
//! only locates their data.

use std::path::PathBuf;

/// The workspace root (where `examples/` lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of an example program, by file name (`lead-king-county.toml`).
pub fn example_program(file: &str) -> PathBuf {
    root().join("examples/programs").join(file)
}

/// Every example program file, sorted by name.
pub fn example_programs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples/programs"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

use offramp::{
    Consent, Encounter, Flag, Language, Level, Need, NibrsCode, Offense, Overdose, Responder,
    Source, Willing,
};

/// A small deterministic generator (SplitMix64), so benchmarks and examples need no RNG crate.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One item of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const CODES: &[&str] = &[
    "35A", "35B", "40A", "90C", "90E", "90J", "23C", "13B", "13A", "23H",
];

/// `n` varied synthetic encounters over 2026, deterministic for a seed. They carry no
/// personal data: ids are sequence numbers.
pub fn synthetic_encounters(n: usize, seed: u64) -> Vec<Encounter> {
    let mut rng = SplitMix::new(seed);
    let base =
        chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00-06:00").unwrap_or_default();
    (0..n)
        .map(|i| {
            let at = base + chrono::Duration::minutes(rng.below(365 * 24 * 60) as i64);
            let mut needs = Vec::new();
            for _ in 0..rng.below(3) {
                let need = rng.pick(&Need::ALL);
                if !needs.contains(&need) {
                    needs.push(need);
                }
            }
            let overdose = rng.chance(0.25).then(|| Overdose {
                at: at - chrono::Duration::minutes(rng.below(6 * 24 * 60) as i64),
                naloxone: rng.chance(0.8),
            });
            let offenses = (0..rng.below(3))
                .filter_map(|_| {
                    Some(Offense {
                        nibrs: NibrsCode::parse(rng.pick(CODES)).ok()?,
                        level: rng.pick(&[
                            Level::Infraction,
                            Level::Misdemeanor,
                            Level::Misdemeanor,
                            Level::Felony,
                        ]),
                        violent: Some(rng.chance(0.1)),
                        activity: Vec::new(),
                        drug_types: Vec::new(),
                        quantity: None,
                    })
                })
                .collect();
            let flags = if rng.chance(0.2) {
                vec![rng.pick(&Flag::ALL)]
            } else {
                Vec::new()
            };
            // Half the records carry a checked history: up to two arrests in earlier years.
            let history = rng.chance(0.5).then(|| {
                (0..rng.below(3))
                    .map(|_| offramp::HistoryEvent {
                        kind: offramp::HistoryKind::Arrest,
                        date: at.date_naive() - chrono::Duration::days(30 + rng.below(3000) as i64),
                        nibrs: None,
                        level: None,
                    })
                    .collect()
            });
            Encounter {
                id: format!("syn-{i}"),
                at,
                responder: Some(rng.pick(&Responder::ALL)),
                source: Some(rng.pick(&Source::ALL)),
                needs,
                overdose,
                offenses,
                flags,
                age: rng.chance(0.9).then(|| 14 + rng.below(60) as u16),
                language: rng
                    .chance(0.7)
                    .then(|| rng.pick(&[Language::ENGLISH, Language::SPANISH])),
                consent: rng.chance(0.6).then(|| rng.pick(&Consent::ALL)),
                willing: rng.chance(0.5).then(|| rng.pick(&Willing::ALL)),
                history,
                location: None,
                intercept: None,
                attributes: std::collections::BTreeMap::new(),
            }
        })
        .collect()
}

/// The repository README's Rust examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

use offramp::providers::{
    ByDay, Capacity, Directory, Eligibility, Frequency, Hours, Intake, Organization, Schedule,
    Service, ServiceKind, Site, Weekday,
};

const SERVICE_KINDS: &[ServiceKind] = &ServiceKind::ALL;

fn time(h: u32, m: u32) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::from_hms_opt(h, m, 0)
}

/// Hours of one of five shapes: weekdays 9-17, every day 8-20, overnight 19-07, 24/7, or the
/// second Tuesday of the month 10-14.
pub fn synthetic_hours(rng: &mut SplitMix, timezone: &str) -> Hours {
    let weekdays = [
        Weekday::MO,
        Weekday::TU,
        Weekday::WE,
        Weekday::TH,
        Weekday::FR,
    ]
    .map(|day| ByDay { nth: None, day })
    .to_vec();
    let (always_open, schedules) = match rng.below(5) {
        0 => (
            false,
            vec![Schedule {
                freq: Some(Frequency::Weekly),
                byday: weekdays,
                opens_at: time(9, 0),
                closes_at: time(17, 0),
                ..Schedule::default()
            }],
        ),
        1 => (
            false,
            vec![Schedule {
                opens_at: time(8, 0),
                closes_at: time(20, 0),
                ..Schedule::default()
            }],
        ),
        2 => (
            false,
            vec![Schedule {
                opens_at: time(19, 0),
                closes_at: time(7, 0),
                ..Schedule::default()
            }],
        ),
        3 => (true, Vec::new()),
        _ => (
            false,
            vec![Schedule {
                freq: Some(Frequency::Monthly),
                byday: vec![ByDay {
                    nth: Some(2),
                    day: Weekday::TU,
                }],
                opens_at: time(10, 0),
                closes_at: time(14, 0),
                ..Schedule::default()
            }],
        ),
    };
    Hours {
        timezone: timezone.into(),
        always_open,
        schedules,
        closures: Vec::new(),
    }
}

/// A directory of `n` synthetic services around a centre point (within about 40 km), with
/// varied kinds, hours, capacity and eligibility; deterministic for a seed.
pub fn synthetic_directory(n: usize, seed: u64, center: (f64, f64), timezone: &str) -> Directory {
    let mut rng = SplitMix::new(seed);
    let organizations: Vec<Organization> = (0..(n / 4).max(1))
        .map(|i| Organization {
            id: format!("org-{i}"),
            name: format!("Partner organization {i}"),
            description: None,
        })
        .collect();
    let services = (0..n)
        .map(|i| {
            let mut kinds = std::collections::BTreeSet::new();
            kinds.insert(rng.pick(SERVICE_KINDS));
            if rng.chance(0.4) {
                kinds.insert(rng.pick(SERVICE_KINDS));
            }
            let lat = center.0 + (rng.below(7200) as f64 / 10_000.0 - 0.36);
            let lon = center.1 + (rng.below(9600) as f64 / 10_000.0 - 0.48);
            Service {
                id: format!("svc-{i:05}"),
                organization_id: format!("org-{}", i % organizations.len()),
                name: format!("Service {i}"),
                kinds,
                eligibility: Eligibility {
                    minimum_age: rng.chance(0.2).then_some(18),
                    maximum_age: rng.chance(0.05).then_some(24),
                    languages: if rng.chance(0.3) {
                        vec![Language::ENGLISH, Language::SPANISH]
                    } else {
                        Vec::new()
                    },
                    intake: if rng.chance(0.5) {
                        Intake::WalkIn
                    } else {
                        Intake::Either
                    },
                    ..Eligibility::default()
                },
                capacity: rng.chance(0.5).then(|| Capacity {
                    available: rng.below(8) as u32,
                    maximum: Some(8),
                    unit: "bed".into(),
                    updated: None,
                }),
                hours: Some(synthetic_hours(&mut rng, timezone)),
                sites: vec![Site {
                    id: format!("sal-{i:05}"),
                    location_id: format!("loc-{i:05}"),
                    name: Some(format!("Site {i}")),
                    latitude: Some(lat),
                    longitude: Some(lon),
                    hours: None,
                }],
                status: "active".into(),
                taxonomy_terms: Vec::new(),
            }
        })
        .collect();
    match Directory::new(organizations, services) {
        Ok(d) => d,
        Err(e) => panic!("the synthetic directory is valid: {e}"),
    }
}

/// The Rust API guide's examples (docs/rust.md), run as doctests so its signatures stay real.
#[cfg(doctest)]
#[doc = include_str!("../docs/rust.md")]
pub struct RustGuideDoctests;
