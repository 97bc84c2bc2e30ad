#![allow(missing_docs)] // criterion's macros generate undocumented functions
//! What Rust does for one `Router.route(encounter)` call from Kotlin or Swift, without the
//! crossing itself: read the encounter record from the buffer the host wrote, convert and check
//! it, route, convert the decision and write it into the buffer the host reads, then free that
//! buffer. `scripts/test kotlin` and `scripts/test swift` print the whole call as the host sees
//! it; the difference is what the crossing and the host's side of the records cost
//! (`benches/README.md`).
//!
//!     cargo bench -p offramp-uniffi --bench rust_side -- --warm-up-time 2 --measurement-time 5

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use offramp_uniffi::{Decision, Encounter, Program, Router, UniFfiTag, encounter_from_json};
use uniffi::{Lift, Lower, RustBuffer};

const LEAD_JSON: &str = r#"{"id": "e-1", "at": "2026-03-02T14:05:00-08:00",
    "responder": "law_enforcement", "source": "call_for_service", "needs": ["sud"],
    "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": false}]}"#;

fn rust_side(c: &mut Criterion) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let text =
        std::fs::read_to_string(format!("{root}/examples/programs/lead-king-county.toml")).unwrap();
    let router = Router::new(Program::from_toml(text, "lead-king-county.toml".into()).unwrap());
    let encounter = encounter_from_json(LEAD_JSON.into()).unwrap();
    let written = || <Encounter as Lower<UniFfiTag>>::lower(encounter.clone());

    let mut group = c.benchmark_group("uniffi");
    group.bench_function("route(record) in Rust, lead-king-county", |b| {
        b.iter_batched(
            written,
            |buffer: RustBuffer| {
                let enc = <Encounter as Lift<UniFfiTag>>::try_lift(buffer).unwrap();
                let decision = router.route(black_box(enc)).unwrap();
                let out = <Decision as Lower<UniFfiTag>>::lower(decision);
                black_box(out.len());
                out.destroy();
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("route_json_to_json in Rust, lead-king-county", |b| {
        b.iter(|| {
            black_box(
                router
                    .route_json_to_json(black_box(LEAD_JSON.to_string()))
                    .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, rust_side);
criterion_main!(benches);
