#![allow(missing_docs)] // criterion's macros generate undocumented functions
//! Analysis benchmarks with the budget of the authors' toolkit issue:
//! - `analyze/<program>`: the exact analysis of one example program (gaps, overlaps, dead
//!   rules, the intercept grid): at most 1 s each;
//! - `analyze/all ten`: the ten example programs taken together is not a budget (they belong
//!   to ten jurisdictions); it is not run.
//!
//! Figures are recorded in `benches/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

// The same allocator as the `offramp` command and the Python module (see benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use offramp::authoring::analysis::analyze;
use offramp::{Program, Router};

fn analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze");
    group.sample_size(10);
    for path in offramp_suite::example_programs() {
        let program = Program::from_file(&path).unwrap();
        let name = program.id().to_string();
        let router = Router::new(program);
        group.bench_function(&name, |b| {
            b.iter(|| analyze(black_box(&[&router]), None).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
