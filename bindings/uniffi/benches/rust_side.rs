#![allow(missing_docs)] // criterion's macros generate undocumented functions
//! What Rust does for one `Router.route(encounter)` call from Kotlin or Swift, without the
//! crossing itself: read the encounter record from the buffer the host wrote, convert and check
//! it, route, convert the decision and write it into the buffer the host reads, then free that
//! buffer. `scripts/test kotlin` and `scripts/test swift` print the whole call as the host sees
//! it; the difference is what the crossing and the host's side of the records cost
//! (`benches/README.md`).
//!
//!     cargo bench -p offramp-uniffi --bench rust_side -- --warm-up-time 2 --measurement-time 5

use std::error::Error;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use offramp_uniffi::{Decision, Encounter, Program, Router, UniFfiTag, encounter_from_json};
use uniffi::{Lift, Lower, RustBuffer};

const LEAD_JSON: &str = r#"{"id": "e-1", "at": "2026-03-02T14:05:00-08:00",
    "responder": "law_enforcement", "source": "call_for_service", "needs": ["sud"],
    "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": false}]}"#;

/// The LEAD program's router and one encounter, checked to route once before timing.
fn setup() -> Result<(Arc<Router>, Encounter), Box<dyn Error>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let text = std::fs::read_to_string(format!("{root}/examples/programs/lead-king-county.toml"))?;
    let router = Router::new(Program::from_toml(text, "lead-king-county.toml".into())?);
    let encounter = encounter_from_json(LEAD_JSON.into())?;
    let buffer = <Encounter as Lower<UniFfiTag>>::lower(encounter.clone());
    let read = <Encounter as Lift<UniFfiTag>>::try_lift(buffer).map_err(|e| e.to_string())?;
    router.route(read)?;
    router.route_json_to_json(LEAD_JSON.to_string())?;
    Ok((router, encounter))
}

fn rust_side(c: &mut Criterion) {
    let (router, encounter) = match setup() {
        Ok(ready) => ready,
        Err(e) => {
            eprintln!("rust_side: cannot set up the benchmark: {e}");
            std::process::exit(2);
        }
    };
    let written = || <Encounter as Lower<UniFfiTag>>::lower(encounter.clone());

    let mut group = c.benchmark_group("uniffi");
    group.bench_function("route(record) in Rust, lead-king-county", |b| {
        b.iter_batched(
            written,
            |buffer: RustBuffer| {
                // Setup showed this encounter reads and routes; the results are kept opaque.
                if let Ok(enc) = <Encounter as Lift<UniFfiTag>>::try_lift(buffer) {
                    if let Ok(decision) = router.route(black_box(enc)) {
                        let out = <Decision as Lower<UniFfiTag>>::lower(decision);
                        black_box(out.len());
                        out.destroy();
                    }
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("route_json_to_json in Rust, lead-king-county", |b| {
        b.iter(|| black_box(router.route_json_to_json(black_box(LEAD_JSON.to_string()))))
    });
    group.finish();
}

criterion_group!(benches, rust_side);
criterion_main!(benches);
