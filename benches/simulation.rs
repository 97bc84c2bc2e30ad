#![allow(missing_docs)] // criterion's macros generate undocumented functions
//! Simulation benchmark with the budget of the simulation issue:
//! - `simulate/lead-1M-person-years`: 1,000,000 simulated person-years (4 replications of
//!   25,000 people over 10 years, each run with and without the program) of the LEAD King
//!   County example scenario, with its provider directory: at most 2 s on the 2-core machine.
//! - `simulate/qrt-1M-person-years`: the same size for the QRT Hamilton County scenario.
//!
//! Contact and overdose rates are per 1,000 people, so they follow the population; each
//! service's places are scaled with it to keep the places per person of the example. The
//! examples' warm-up is left out, so the figures compare with earlier ones (and with SimPy's,
//! which has none). Figures are recorded in `benches/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

// The same allocator as the `offramp` command and the Python module (see benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use offramp::sim::{RunOptions, Scenario, Simulation};

const PEOPLE: u32 = 25_000;
const DAYS: u32 = 3_650;
const REPLICATIONS: u32 = 4;

/// An example scenario scaled to `PEOPLE` people over `DAYS` days.
fn scaled(file: &str) -> Simulation {
    let path = offramp_suite::root().join("examples/scenarios").join(file);
    let mut s = Scenario::from_file(&path).expect("example scenario loads");
    let k = f64::from(PEOPLE) / f64::from(s.scenario.population);
    s.scenario.population = PEOPLE;
    s.scenario.days = Some(DAYS);
    s.scenario.period_days = 28;
    s.scenario.warm_up_days = 0;
    for service in &mut s.providers.services {
        service.capacity = service.capacity.map(|c| (f64::from(c) * k).round() as u32);
    }
    Simulation::new(s).expect("scaled scenario loads")
}

fn simulate(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (name, file) in [
        ("lead-1M-person-years", "lead-king-county.toml"),
        ("qrt-1M-person-years", "qrt-hamilton-county.toml"),
    ] {
        let sim = scaled(file);
        let options = RunOptions {
            seed: Some(1),
            replications: Some(REPLICATIONS),
            threads: None,
            allow_large: false,
        };
        let years = sim.person_years() * f64::from(REPLICATIONS);
        let first = sim.run(&options).expect("runs");
        eprintln!(
            "{name}: {years:.0} person-years, {} encounters with the program, {} events in both arms",
            first.info.encounters, first.info.events
        );
        group.bench_function(name, |b| b.iter(|| sim.run(&options).expect("runs")));
    }
    group.finish();
}

criterion_group!(benches, simulate);
criterion_main!(benches);
