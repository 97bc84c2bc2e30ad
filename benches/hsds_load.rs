#![allow(missing_docs)] // criterion's macros generate undocumented functions
#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Loading benchmark with the budget of the providers issue: reading 10,000 HSDS 3.0 services
//! from JSON, at most 200 ms. Figures are recorded in `benches/README.md`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn load_hsds(c: &mut Criterion) {
    let dir =
        offramp_suite::synthetic_directory(10_000, 5, (47.61, -122.33), "America/Los_Angeles");
    let json =
        offramp::providers::hsds::to_hsds_json(dir.organizations(), dir.services()).to_string();
    let opts = offramp::providers::hsds::LoadOptions {
        timezone: Some("America/Los_Angeles".into()),
        ..Default::default()
    };
    let loaded =
        offramp::providers::hsds::from_json_str(&json, "bench.json", &opts).expect("loads");
    assert_eq!(loaded.services.len(), 10_000);
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    group.bench_function("hsds-10000", |b| {
        b.iter(|| offramp::providers::hsds::from_json_str(black_box(&json), "bench.json", &opts))
    });
    group.finish();
}

criterion_group!(benches, load_hsds);
criterion_main!(benches);
