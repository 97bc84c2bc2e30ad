#![allow(missing_docs)] // criterion's macros generate undocumented functions
//! Routing benchmarks with the budgets of the core issue:
//! - `route/<program>`: one encounter through each example program, rules only: at most 1 µs;
//! - `batch/1M`: 1,000,000 encounters with `Router::route_batch`: at least 2,000,000 decisions/s;
//! - `load/50-rule program`: parsing, checking and compiling a 50-rule program: at most 1 ms.
//!
//! Figures are recorded in `benches/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

// The same allocator as the `offramp` command and the Python module (see benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use offramp::{Encounter, Program, Router};

/// A typical encounter for each program: one that exercises its rules and exclusions.
fn typical(program: &str) -> &'static str {
    match program {
        "qrt-hamilton-county" | "plymouth-county-outreach" => {
            r#"{"id":"b-1","at":"2026-03-02T10:00:00-05:00","responder":"peer","source":"overdose_follow_up","needs":["opioid_use","sud"],"overdose":{"at":"2026-03-01T20:00:00-05:00","naloxone":true},"age":31,"consent":"verbal"}"#
        }
        "safe-station-manchester" | "a-way-out-lake-county" | "mercy-project-walker-county" => {
            r#"{"id":"b-2","at":"2026-03-02T02:00:00-05:00","responder":"fire","source":"self_initiated","needs":["sud","opioid_use"],"age":40,"attributes":{"medically_unstable":false}}"#
        }
        "cit-memphis" => {
            r#"{"id":"b-3","at":"2026-03-02T22:00:00-06:00","responder":"law_enforcement","source":"call_for_service","needs":["mental_health_crisis"],"flags":["weapon"],"age":27}"#
        }
        _ => {
            r#"{"id":"b-4","at":"2026-03-02T14:05:00-08:00","responder":"law_enforcement","source":"call_for_service","needs":["sud","homelessness"],"offenses":[{"nibrs":"35A","level":"misdemeanor","violent":false}],"age":34,"history":[],"attributes":{"screening":"high"}}"#
        }
    }
}

fn route(c: &mut Criterion) {
    let mut group = c.benchmark_group("route");
    for path in offramp_suite::example_programs() {
        let program = Program::from_file(&path).expect("example program loads");
        let id = program.id().to_string();
        let router = Router::new(program);
        let enc = Encounter::from_json(typical(&id)).expect("typical encounter parses");
        group.bench_function(&id, |b| b.iter(|| router.route(black_box(&enc))));
    }
    group.finish();
}

fn batch(c: &mut Criterion) {
    let program = Program::from_file(offramp_suite::example_program("lead-king-county.toml"))
        .expect("LEAD loads");
    let router = Router::new(program);
    let encounters = offramp_suite::synthetic_encounters(1_000_000, 7);
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.throughput(Throughput::Elements(encounters.len() as u64));
    // Freeing a million decisions is the caller's work and is timed apart from routing.
    group.bench_function("1M", |b| {
        b.iter_with_large_drop(|| router.route_batch(black_box(&encounters)))
    });
    group.finish();
}

/// A program of 50 rules: 10 exclusions and 40 pathway rules spread over the six pathways.
pub fn fifty_rule_program() -> String {
    let mut s = String::from(
        "[program]\nid = \"fifty\"\njurisdiction = \"Benchmark County\"\ntimezone = \"America/Chicago\"\n\n\
         [charge_hold]\nterm = \"90d\"\n\n[attributes.prior]\ntype = \"int\"\n\n\
         [attributes.screening]\ntype = \"enum\"\nvalues = [\"low\", \"moderate\", \"high\"]\n\n",
    );
    for i in 0..10 {
        s.push_str(&format!(
            "[[exclusions]]\nid = \"x{i}\"\nwhen = \"flags has weapon and age < {} or any offenses (violent and level == felony)\"\n\n",
            14 + i
        ));
    }
    let pathways = [
        (
            "self_referral",
            "source == self_initiated and needs has any [sud, opioid_use, alcohol_use]",
        ),
        (
            "active_outreach",
            "source == outreach and needs has any [sud, homelessness] and age >= 18",
        ),
        (
            "naloxone_plus",
            "overdose is known and since overdose.at <= window.naloxone_plus and needs has opioid_use",
        ),
        (
            "first_responder_referral",
            "count offenses == 0 and needs has any [mental_health, sex_work, homelessness]",
        ),
        (
            "officer_intervention",
            "responder == law_enforcement and all offenses (nibrs in [\\\"35A\\\", \\\"35B\\\", \\\"40A\\\", \\\"90C\\\"] and level <= misdemeanor) and attributes.prior < 2",
        ),
        (
            "community_response",
            "responder in [community_responder, peer] and needs has mental_health_crisis",
        ),
    ];
    let mut n = 0;
    for (pi, (pathway, rule)) in pathways.iter().enumerate() {
        s.push_str(&format!("[[pathways]]\npathway = \"{pathway}\"\n"));
        let count = if pi < 4 { 7 } else { 6 };
        for j in 0..count {
            s.push_str(&format!(
                "[[pathways.rules]]\nid = \"r{n}\"\nwhen = \"{rule} and (attributes.screening >= moderate or age > {})\"\n",
                20 + j
            ));
            n += 1;
        }
        s.push('\n');
    }
    s
}

fn load(c: &mut Criterion) {
    let text = fifty_rule_program();
    let program = Program::from_toml(&text, "fifty.toml").expect("the 50-rule program loads");
    assert_eq!(program.rule_count(), 50);
    c.bench_function("load/50-rule program", |b| {
        b.iter_batched(
            || text.clone(),
            |t| Program::from_toml(black_box(&t), "fifty.toml"),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, route, batch, load);
criterion_main!(benches);
