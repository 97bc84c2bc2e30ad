#![allow(missing_docs)] // criterion's macros generate undocumented functions
#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Provider benchmarks with the budgets of the providers issue:
//!
//! - `route+providers/1000` and `/10000`: one encounter routed with provider matching against a
//!   directory of that many services: medians at most 5 µs and 20 µs;
//!
//! Loading is measured in `hsds_load.rs`.
//!
//! Figures are recorded in `benches/README.md`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use offramp::{Encounter, Program, Router};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PROGRAM: &str = r#"
[program]
id = "bench-qrt"
jurisdiction = "Hamilton County, OH"
timezone = "America/New_York"

[service_area]
max_distance_km = 40

[[pathways]]
pathway = "naloxone_plus"
[[pathways.rules]]
id = "window"
when = "overdose is known and since overdose.at <= window.naloxone_plus and needs has any [opioid_use, sud]"
[pathways.providers]
kinds = ["moud", "withdrawal_management"]
prefer = ["peer_recovery"]
partners = ["org-3"]

[[pathways]]
pathway = "first_responder_referral"
[[pathways.rules]]
id = "crisis"
when = "needs has any [mental_health_crisis, homelessness]"
[pathways.providers]
kinds = ["crisis_stabilization", "shelter_housing"]
"#;

/// A weekday-afternoon overdose follow-up in Cincinnati.
const ENCOUNTER: &str = r#"{"id":"b-1","at":"2026-03-03T14:20:00-05:00","responder":"peer","source":"overdose_follow_up",
  "needs":["opioid_use","homelessness"],"overdose":{"at":"2026-03-02T22:00:00-05:00","naloxone":true},
  "age":36,"language":"eng","location":{"lat":39.11,"lon":-84.52}}"#;

fn route_with_providers(c: &mut Criterion) {
    let program = Program::from_toml(PROGRAM, "bench.toml").expect("program loads");
    let enc = Encounter::from_json(ENCOUNTER).expect("encounter parses");
    let mut group = c.benchmark_group("route+providers");
    for n in [1_000usize, 10_000] {
        let dir = offramp_suite::synthetic_directory(n, 11, (39.10, -84.51), "America/New_York");
        let router = Router::with_directory(program.clone(), &dir).expect("directory indexes");
        let d = router.route(&enc);
        assert!(
            d.eligible
                .iter()
                .all(|e| e.providers.as_ref().is_some_and(|p| !p.is_empty()))
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &router, |b, r| {
            b.iter(|| r.route(black_box(&enc)))
        });
    }
    group.finish();
    // The worst case, for the record: at 03:00 few services are open, so every candidate in
    // range is checked and the closed ones are ranked by their next opening.
    let mut night = enc.clone();
    night.at = chrono::DateTime::parse_from_rfc3339("2026-03-04T03:00:00-05:00").expect("time");
    let mut group = c.benchmark_group("route+providers-at-3am");
    for n in [1_000usize, 10_000] {
        let dir = offramp_suite::synthetic_directory(n, 11, (39.10, -84.51), "America/New_York");
        let router = Router::with_directory(program.clone(), &dir).expect("directory indexes");
        group.bench_with_input(BenchmarkId::from_parameter(n), &router, |b, r| {
            b.iter(|| r.route(black_box(&night)))
        });
    }
    group.finish();
}

criterion_group!(benches, route_with_providers);
criterion_main!(benches);
