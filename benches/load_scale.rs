#![allow(missing_docs)] // criterion's macros generate undocumented functions
//! Loading and rejecting a program is linear in its size (issue 10):
//! - `load-scale/accept/<n>`: parsing, checking and compiling a program of `n` valid rules;
//! - `load-scale/reject/<n>`: the same with every rule misspelt, and rendering every
//!   diagnostic as `offramp check` prints them.
//!
//! Run as a benchmark (`cargo bench --bench load_scale`), it then prints how much longer 20,000
//! rules take than 10,000, for accepting and for rejecting: about 2 when linear (it was about 4
//! for rejecting before issue 10). Figures are recorded in `benches/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BatchSize, Criterion};
use offramp::Program;

const SIZES: [usize; 2] = [10_000, 20_000];

/// A program of `n` rules in one pathway; with `valid` false each rule misspells a field.
fn program(n: usize, valid: bool) -> String {
    let mut s = String::from(
        "[program]\nid = \"scale\"\njurisdiction = \"Benchmark County\"\ntimezone = \"America/Chicago\"\n\n\
         [attributes.screening]\ntype = \"enum\"\nvalues = [\"low\", \"moderate\", \"high\"]\n\n\
         [[pathways]]\npathway = \"self_referral\"\n",
    );
    let field = if valid { "age" } else { "agee" };
    for i in 0..n {
        s.push_str(&format!(
            "[[pathways.rules]]\nid = \"r{i}\"\nwhen = \"source == self_initiated and needs has any [sud, opioid_use] and ({field} >= {} or attributes.screening >= moderate)\"\n",
            i % 90
        ));
    }
    s
}

/// Loads `text`; a refusal is rendered in full, as the command prints it.
fn load(text: &str) -> usize {
    match Program::from_toml(text, "scale.toml") {
        Ok(p) => p.rule_count(),
        Err(e) => e.render().len(),
    }
}

fn scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("load-scale");
    group.sample_size(10);
    for valid in [true, false] {
        let kind = if valid { "accept" } else { "reject" };
        for n in SIZES {
            let text = program(n, valid);
            assert_eq!(Program::from_toml(&text, "scale.toml").is_ok(), valid);
            group.bench_function(format!("{kind}/{n}"), |b| {
                b.iter_batched(
                    || text.clone(),
                    |t| load(black_box(&t)),
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

/// The median of five timed loads.
fn median_time(text: &str) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            black_box(load(black_box(text)));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

/// Prints the 20,000/10,000 time ratio of accepting and of rejecting.
fn ratios() {
    for valid in [true, false] {
        let [small, large] = SIZES.map(|n| median_time(&program(n, valid)));
        println!(
            "load-scale ratio {}k/{}k {}: {:.2} ({:.1} ms / {:.1} ms)",
            SIZES[1] / 1000,
            SIZES[0] / 1000,
            if valid { "accept" } else { "reject" },
            large.as_secs_f64() / small.as_secs_f64(),
            large.as_secs_f64() * 1e3,
            small.as_secs_f64() * 1e3,
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    scale(&mut criterion);
    criterion.final_summary();
    // `cargo bench` passes `--bench`; `cargo test` runs each benchmark once, without it, and
    // needs no ratio.
    if std::env::args().any(|a| a == "--bench") {
        ratios();
    }
}
