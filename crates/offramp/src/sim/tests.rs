//! Engine tests: calibration against published figures, determinism, the counterfactual,
//! capacity, holds, equity, replay, writers, and random scenarios that must never panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::field_reassign_with_default
)]

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::domain::{Consent, Need, Pathway, Responder, Source, Willing};

pub(super) fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(super) fn example(name: &str) -> Scenario {
    Scenario::from_file(root().join("examples/scenarios").join(name)).unwrap()
}

fn program(name: &str) -> Program {
    Program::from_file(root().join("examples/programs").join(name)).unwrap()
}

pub(super) fn run(sim: &Simulation, seed: u64, replications: u32) -> SimResults {
    sim.run(&RunOptions {
        seed: Some(seed),
        replications: Some(replications),
        threads: None,
        allow_large: false,
    })
    .unwrap()
}

fn funnel(r: &SimResults, pathway: &str, stage: Stage) -> u64 {
    r.funnel
        .iter()
        .filter(|f| f.pathway == pathway && f.stage == stage)
        .map(|f| f.count)
        .sum()
}

fn outcome(r: &SimResults, measure: &str) -> (f64, f64) {
    r.outcomes
        .iter()
        .filter(|o| o.measure == measure)
        .fold((0.0, 0.0), |(p, c), o| {
            (p + o.program, c + o.counterfactual)
        })
}

/// Whether `k` successes in `n` trials are within the 99% (normal-approximation) binomial
/// interval around `p`.
pub(super) fn within_99(k: u64, n: u64, p: f64) -> bool {
    let n = n as f64;
    let half = 2.576 * (p * (1.0 - p) / n).sqrt();
    let observed = k as f64 / n;
    (observed - p).abs() <= half
}

/// A plain population: one source, no offences, no flags, no overdoses, no re-contacts.
fn plain(source: Source, responder: Responder, needs: &[Need]) -> Scenario {
    let mut s = Scenario::default();
    // Ten a day among the 50,000 people below.
    s.contacts = BTreeMap::from([(source, 0.2)]);
    s.responders = BTreeMap::from([(source, BTreeMap::from([(responder, 1.0)]))]);
    s.needs = needs.iter().map(|n| (*n, 1.0)).collect();
    s.offenses.probability.clear();
    s.flags.clear();
    s.consent = BTreeMap::from([(Consent::Verbal, 1.0)]);
    s.overdoses.per_1000 = 0.0;
    s.behaviour.recontact_within_year = 0.0;
    s.providers.intake_delay_hours = 0.0;
    s.scenario.population = 50_000;
    s.scenario.days = Some(365);
    s
}

/// Mean encounters per replication with the program.
fn encounters(r: &SimResults) -> f64 {
    outcome(r, "encounters").0
}

#[test]
fn contact_rates_are_per_person_unless_given_per_day() {
    // A population sweep: per-1,000 rates scale encounters with the population.
    let mut s = example("lead-king-county.toml");
    s.scenario.days = Some(120);
    let at = |s: &Scenario, people: u32| {
        let mut s = s.clone();
        s.scenario.population = people;
        encounters(&run(&Simulation::new(s).unwrap(), 3, 2))
    };
    let (one, two) = (at(&s, 20_000), at(&s, 40_000));
    assert!((1.85..2.15).contains(&(two / one)), "{one} then {two}");
    // The same rates per day across the population stay put when it grows.
    let per_day: BTreeMap<Source, f64> = s.contacts.iter().map(|(k, v)| (*k, v * 20.0)).collect();
    s.contacts.clear();
    s.contacts_per_day = per_day;
    s.overdoses.per_day = s.overdoses.per_1000 * 8.0;
    s.overdoses.per_1000 = 0.0;
    let (same, still) = (at(&s, 20_000), at(&s, 40_000));
    assert!((0.9..1.1).contains(&(still / same)), "{same} then {still}");
    // At the example's own size the two ways give the same expected work.
    assert!((same / one - 1.0).abs() < 0.1, "{one} against {same}");
}

#[test]
fn contact_rates_are_given_one_way() {
    let mut s = Scenario::default();
    s.scenario.program = "p.toml".into();
    s.contacts_per_day.insert(Source::OnView, 3.0);
    let e = s.validate().unwrap_err();
    assert_eq!(e.field(), Some("contacts_per_day"));
    assert!(e.to_string().contains("write it empty"), "{e}");
    s.contacts.clear();
    assert!(s.validate().is_ok());
    s.overdoses.per_day = 1.0;
    assert_eq!(s.validate().unwrap_err().field(), Some("overdoses.per_day"));
    s.overdoses.per_1000 = 0.0;
    assert!(s.validate().is_ok());
    let text = "[scenario]\nprogram = \"p.toml\"\n\n[contacts_per_day]\non_view = 2.0\n";
    let e = Scenario::from_toml(text, "s.toml").unwrap_err();
    assert!(
        e.to_string().starts_with("s.toml:4:2: `contacts_per_day`"),
        "{e}"
    );
}

#[test]
fn calibration_angel_offered_and_enrolled() {
    // ANGEL (Gloucester, MA), year one: placement offered in 94.5% of eligible cases, 89.7%
    // of those offered enrolled. A walk-in program (A Way Out's rules) with those figures:
    // offer 0.945, and accept x engage = 0.95 x 0.9442 = 0.897, no capacity limit.
    let mut s = plain(
        Source::SelfInitiated,
        Responder::LawEnforcement,
        &[Need::Sud, Need::OpioidUse],
    );
    // A Way Out takes adults only.
    s.ages = vec![AgeBand {
        min: 18,
        max: 64,
        share: 1.0,
    }];
    s.behaviour.offer = ByPathway::all(0.945);
    s.behaviour.accept.default = 0.95;
    s.behaviour.engage = ByPathway::all(0.897 / 0.95);
    let sim = Simulation::from_parts(s, program("a-way-out-lake-county.toml"), None, None).unwrap();
    let r = run(&sim, 11, 1);
    let eligible = funnel(&r, "all", Stage::Eligible);
    let offered = funnel(&r, "all", Stage::Offered);
    let linked = funnel(&r, "all", Stage::Linked);
    assert_eq!(
        eligible,
        funnel(&r, "all", Stage::Encounter),
        "every walk-in is eligible"
    );
    assert!(eligible > 3000, "{eligible}");
    assert!(within_99(offered, eligible, 0.945), "{offered}/{eligible}");
    assert!(within_99(linked, offered, 0.897), "{linked}/{offered}");
}

#[test]
fn calibration_lead_rearrest_odds_ratio() {
    // LEAD, King County (Collins et al. 2017): participants had about 0.40 times the odds of
    // arrest of controls over six months. The example scenario is set to reproduce it: the
    // odds ratio of re-arrest within 180 days of a first accepted offer, the same people with
    // and without the program, has 0.40 inside its 95% interval across replications.
    let sim = Simulation::new(example("lead-king-county.toml")).unwrap();
    let r = sim.run(&RunOptions::default()).unwrap();
    let ratios: Vec<f64> = r.effects.iter().filter_map(|e| e.odds_ratio).collect();
    assert_eq!(ratios.len(), r.info.replications as usize);
    assert!(r.effects.iter().all(|e| e.people > 300), "{:?}", r.effects);
    let (mean, interval) = crate::sim::assemble::mean_interval(&ratios);
    let (low, high) = interval.unwrap();
    assert!(
        low <= 0.40 && 0.40 <= high,
        "odds ratio {mean:.3} ({low:.3} to {high:.3})"
    );
}

#[test]
fn warm_up_removes_the_start_up_transient() {
    // The directory seeds services with the places it reports in use; they empty within weeks
    // while the simulated caseload builds. With a warm-up the counted span starts in the
    // steady state: the first weeks' utilisation is the last weeks'.
    // The places in use across the partners, first four weeks against the last four, as a
    // relative change.
    let transient = |warm_up: u32| {
        let mut s = example("lead-king-county.toml");
        s.scenario.warm_up_days = warm_up;
        s.scenario.days = Some(182);
        let r = run(&Simulation::new(s).unwrap(), 5, 4);
        let in_use = |from: u32, to: u32| {
            r.provider_periods
                .iter()
                .filter(|q| (from..to).contains(&q.period))
                .map(|q| q.mean_occupied)
                .sum::<f64>()
        };
        let (first, last) = (in_use(0, 4), in_use(22, 26));
        (first - last).abs() / last
    };
    let without = transient(0);
    assert!(without > 0.5, "no transient to remove: {without}");
    let with = transient(365);
    assert!(with < 0.05, "{with}");
}

#[test]
fn the_warm_up_is_left_out_of_every_count() {
    let mut s = example("qrt-hamilton-county.toml");
    s.scenario.days = Some(60);
    s.scenario.warm_up_days = 90;
    let r = run(&Simulation::new(s.clone()).unwrap(), 2, 1);
    assert_eq!(r.info.days, 60);
    assert_eq!(r.info.warm_up_days, 90);
    assert_eq!(r.timeline.len(), 2 * 9, "periods of the counted span only");
    assert_eq!(
        r.timeline[0].start,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
    );
    // Counts cover the 60 days: about 60/150 of a 150-day run without a warm-up.
    let counted = encounters(&r);
    s.scenario.warm_up_days = 0;
    s.scenario.days = Some(150);
    let whole = encounters(&run(&Simulation::new(s).unwrap(), 2, 1));
    let share = counted / whole;
    assert!((0.3..0.5).contains(&share), "{counted} of {whole}");
}

#[test]
fn calibration_qrt_connected() {
    // Hamilton County QRT (UC evaluation): 795 attempted, 212 connected (27%); 54% when
    // contact was made. Contact 0.5, offer 1 x accept 0.6 x engage 0.9 = 0.54.
    let mut s = plain(
        Source::CallForService,
        Responder::LawEnforcement,
        &[Need::OpioidUse],
    );
    s.contacts.clear();
    // An absolute rate: eight overdoses a day, whatever the number of people at risk.
    s.overdoses.per_day = 8.0;
    s.overdoses.fatal = 0.0;
    s.overdoses.follow_up.attempt = 1.0;
    s.overdoses.follow_up.contact = 0.5;
    s.overdoses.follow_up.responders = BTreeMap::from([(Responder::Peer, 1.0)]);
    s.behaviour.offer = ByPathway::all(1.0);
    s.behaviour.accept.default = 0.6;
    s.behaviour.engage = ByPathway::all(0.9);
    let sim = Simulation::from_parts(s, program("qrt-hamilton-county.toml"), None, None).unwrap();
    let r = run(&sim, 5, 1);
    let attempts = r
        .timeline
        .iter()
        .filter(|t| t.arm == Some(Arm::Program))
        .map(|t| t.follow_up_attempts)
        .sum::<u64>();
    let contacts = funnel(&r, "naloxone_plus", Stage::Encounter);
    let eligible = funnel(&r, "naloxone_plus", Stage::Eligible);
    let linked = funnel(&r, "naloxone_plus", Stage::Linked);
    assert!(attempts > 2000, "{attempts}");
    assert_eq!(
        eligible, contacts,
        "every visit is inside the recovery window"
    );
    assert!(within_99(linked, attempts, 0.27), "{linked}/{attempts}");
    assert!(within_99(linked, contacts, 0.54), "{linked}/{contacts}");
}

#[test]
fn retention_reproduces_houston() {
    // Houston (Langabeer 2020): of those engaged, 88% retained at 30 days, 56% at 90.
    let s = plain(Source::SelfInitiated, Responder::Fire, &[Need::Sud]);
    let sim =
        Simulation::from_parts(s, program("safe-station-manchester.toml"), None, None).unwrap();
    let r = run(&sim, 3, 1);
    let linked = funnel(&r, "all", Stage::Linked);
    assert!(linked > 1000, "{linked}");
    assert!(within_99(
        funnel(&r, "all", Stage::Retained30),
        linked,
        0.88
    ));
    assert!(within_99(
        funnel(&r, "all", Stage::Retained90),
        linked,
        0.56
    ));
}

#[test]
fn same_seed_same_results_whatever_the_threads() {
    let mut s = example("qrt-hamilton-county.toml");
    s.scenario.days = Some(120);
    let sim = Simulation::new(s).unwrap();
    let with = |threads| {
        sim.run(&RunOptions {
            seed: Some(42),
            replications: Some(3),
            threads: Some(threads),
            allow_large: false,
        })
        .unwrap()
    };
    let one = with(1);
    assert_eq!(one, with(2));
    assert_eq!(one, with(4));
    let other = sim
        .run(&RunOptions {
            seed: Some(43),
            replications: Some(3),
            threads: Some(2),
            allow_large: false,
        })
        .unwrap();
    assert_ne!(one.funnel, other.funnel);
    // Replications differ from one another.
    let encounters: Vec<u64> = one
        .funnel
        .iter()
        .filter(|f| f.pathway == "all" && f.stage == Stage::Encounter)
        .map(|f| f.count)
        .collect();
    assert_eq!(encounters.len(), 3);
    assert!(
        encounters.windows(2).any(|w| w[0] != w[1]),
        "{encounters:?}"
    );
}

#[test]
fn counterfactual_has_no_program() {
    let mut s = example("lead-king-county.toml");
    s.scenario.days = Some(180);
    let sim = Simulation::new(s).unwrap();
    let r = run(&sim, 9, 3);
    for t in r
        .timeline
        .iter()
        .filter(|t| t.arm == Some(Arm::Counterfactual))
    {
        assert_eq!(
            (t.eligible, t.offered, t.accepted, t.linked),
            (0, 0, 0, 0),
            "{t:?}"
        );
        assert_eq!((t.deflections, t.diversions, t.holds_started), (0, 0, 0));
        assert_eq!(t.follow_up_attempts, 0);
    }
    let (p, c) = outcome(&r, "arrests");
    assert!(p > 0.0 && p <= c, "arrests with {p}, without {c}");
    let (p, c) = outcome(&r, "jail_bed_days");
    assert!(p <= c, "jail days with {p}, without {c}");
    let (p, _) = outcome(&r, "diversions");
    assert!(p > 0.0);
    for cost in r.costs.iter().filter(|c| c.item == "treatment_episode") {
        assert_eq!(cost.quantity_counterfactual, Some(0.0));
    }
}

#[test]
fn a_program_that_offers_nothing_changes_nothing() {
    let mut s = example("lead-king-county.toml");
    s.scenario.days = Some(180);
    s.scenario.directory = None;
    s.providers.services.clear();
    s.behaviour.offer = ByPathway::all(0.0);
    let sim = Simulation::new(s).unwrap();
    let r = run(&sim, 2, 2);
    for o in &r.outcomes {
        assert_eq!(o.program, o.counterfactual, "{}", o.measure);
    }
}

#[test]
fn capacity_limits_and_waitlists() {
    let mut s = plain(Source::SelfInitiated, Responder::Fire, &[Need::Sud]);
    s.providers.services = vec![ProviderSpec {
        id: "detox".into(),
        pathways: vec![Pathway::SelfReferral],
        capacity: Some(3),
        waitlist: Some(2),
        max_wait_days: Some(2.0),
        service_days: Some(10.0),
    }];
    let sim =
        Simulation::from_parts(s, program("safe-station-manchester.toml"), None, None).unwrap();
    let r = run(&sim, 1, 1);
    let p = r
        .providers
        .iter()
        .find(|p| p.provider_id == "detox")
        .unwrap();
    assert!(p.utilisation.unwrap() <= 1.0 + 1e-9, "{p:?}");
    assert!(p.utilisation.unwrap() > 0.8, "{p:?}");
    assert!(p.lost > 0 && p.waitlisted > 0, "{p:?}");
    let all = r.referrals.iter().find(|x| x.pathway == "all").unwrap();
    assert!(all.referred >= all.linked + all.lost_full + all.lost_waiting);
    for w in r
        .provider_periods
        .iter()
        .filter(|w| w.provider_id == "detox")
    {
        assert!(w.mean_occupied <= 3.0 + 1e-9, "{w:?}");
    }
    let times = r
        .time_to_intake
        .iter()
        .find(|t| t.pathway == "all")
        .unwrap();
    assert!(times.max_hours.unwrap() <= 48.0 + 1e-3, "{times:?}");
}

#[test]
fn charge_holds_file_or_drop() {
    let base = || {
        let mut s = plain(Source::OnView, Responder::LawEnforcement, &[Need::Sud]);
        s.attributes = BTreeMap::from([(
            "screening".to_string(),
            BTreeMap::from([("high".to_string(), 1.0)]),
        )]);
        s.offenses.probability = BTreeMap::from([(Source::OnView, 1.0)]);
        s.offenses.mix = vec![OffenseShare {
            nibrs: crate::NibrsCode::parse("35A").unwrap(),
            share: 1.0,
            levels: BTreeMap::from([(crate::Level::Misdemeanor, 1.0)]),
            violent: 0.0,
        }];
        s.behaviour.offer = ByPathway::all(1.0);
        s.behaviour.accept.default = 1.0;
        s
    };
    // Nobody engages: every hold that ends in the span files charges.
    let mut s = base();
    s.behaviour.engage = ByPathway::all(0.0);
    let sim =
        Simulation::from_parts(s, program("steer-montgomery-county.toml"), None, None).unwrap();
    let r = run(&sim, 4, 1);
    let prog: Vec<&TimelineRow> = r
        .timeline
        .iter()
        .filter(|t| t.arm == Some(Arm::Program))
        .collect();
    let started: u64 = prog.iter().map(|t| t.holds_started).sum();
    let filed: u64 = prog.iter().map(|t| t.charges_filed).sum();
    let dropped: u64 = prog.iter().map(|t| t.holds_dropped).sum();
    assert!(started > 1000, "{started}");
    assert_eq!(dropped, 0);
    // Holds of 90 days: those started in the last 90 days end after the span.
    assert!(
        within_99(filed, started, 275.0 / 365.0),
        "{filed}/{started}"
    );
    assert_eq!(
        outcome(&r, "arrests").0,
        0.0,
        "no arrests: everyone was diverted"
    );
    let intercept2 = r
        .intercepts
        .iter()
        .find(|i| i.arm == Arm::Program && i.intercept == 2)
        .unwrap();
    assert_eq!(intercept2.count, filed);
    // Everyone engages and stays: every hold is dropped.
    let mut s = base();
    s.behaviour.engage = ByPathway::all(1.0);
    s.behaviour.retained_30 = ByPathway::all(1.0);
    s.behaviour.retained_90 = ByPathway::all(1.0);
    let sim =
        Simulation::from_parts(s, program("steer-montgomery-county.toml"), None, None).unwrap();
    let r = run(&sim, 4, 1);
    assert_eq!(outcome(&r, "charges_filed").0, 0.0);
    assert!(outcome(&r, "bookings").1 > 1000.0);
}

#[test]
fn equity_rates_follow_exposure_not_routing() {
    let mut s = plain(Source::OnView, Responder::LawEnforcement, &[Need::Sud]);
    s.contacts = BTreeMap::from([(Source::OnView, 0.8)]);
    s.equity.groups = vec![
        Group {
            name: "a".into(),
            share: 0.5,
            contact_ratio: 1.0,
            accept_ratio: 1.0,
        },
        Group {
            name: "b".into(),
            share: 0.5,
            contact_ratio: 2.0,
            accept_ratio: 1.0,
        },
    ];
    s.equity.reference = "a".into();
    // LEAD's social contact referral is for people officers know to be engaged in the
    // activity LEAD covers, and for adults.
    s.attributes = BTreeMap::from([(
        "lead_activity_known".to_string(),
        BTreeMap::from([("true".to_string(), 1.0)]),
    )]);
    s.ages = vec![AgeBand {
        min: 18,
        max: 64,
        share: 1.0,
    }];
    let sim = Simulation::from_parts(s, program("lead-king-county.toml"), None, None).unwrap();
    let r = run(&sim, 8, 1);
    let rri = |stage: Stage| {
        r.equity
            .iter()
            .find(|e| e.arm == Arm::Program && e.group == "b" && e.stage == stage)
            .and_then(|e| e.relative_rate_index)
            .unwrap()
    };
    assert!(
        (rri(Stage::Encounter) - 2.0).abs() < 0.1,
        "{}",
        rri(Stage::Encounter)
    );
    assert!(
        (rri(Stage::Eligible) - 1.0).abs() < 0.05,
        "{}",
        rri(Stage::Eligible)
    );
    let reference = r
        .equity
        .iter()
        .find(|e| e.group == "a" && e.stage == Stage::Offered)
        .unwrap();
    assert_eq!(reference.relative_rate_index, Some(1.0));
    assert_eq!(reference.difference, Some(0.0));
}

#[test]
fn replay_feeds_real_encounters() {
    let path = root().join("examples/encounters/lead-king-county.jsonl");
    let encounters = read_encounters(&path).unwrap();
    let n = encounters.len() as u64;
    let mut s = Scenario::default();
    s.behaviour.offer = ByPathway::all(1.0);
    let sim = Simulation::from_parts(
        s,
        program("lead-king-county.toml"),
        None,
        Some(encounters.clone()),
    )
    .unwrap();
    let r = run(&sim, 1, 2);
    assert!(r.info.replay);
    assert_eq!(r.info.replay_skipped, 0);
    assert_eq!(funnel(&r, "all", Stage::Encounter), 2 * n);
    // Eligibility is the router's, encounter by encounter.
    let router = crate::Router::new(program("lead-king-county.toml"));
    let eligible = encounters
        .iter()
        .filter(|e| !router.route(e).eligible.is_empty())
        .count() as u64;
    assert_eq!(funnel(&r, "all", Stage::Eligible), 2 * eligible);
    assert!(r.equity.iter().any(|e| e.group == "unrecorded"));
    // A replay file with a bad line names the line.
    let dir = std::env::temp_dir().join(format!("offramp-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "\n{\"id\":\"x\"}\n").unwrap();
    let e = read_encounters(&bad).unwrap_err();
    assert!(e.to_string().contains("bad.jsonl:2:"), "{e}");
}

#[test]
fn replay_in_memory_equals_replay_from_a_file() {
    let path = root().join("examples/encounters/lead-king-county.jsonl");
    let mut from_file = example("lead-king-county.toml");
    from_file.scenario.days = None;
    let mut in_memory = from_file.clone();
    from_file.replay = Some(Replay {
        encounters: path.clone(),
        person_attribute: None,
    });
    let a = run(&Simulation::new(from_file.clone()).unwrap(), 3, 2);
    let encounters = read_encounters(&path).unwrap();
    let b = run(
        &Simulation::with_encounters(in_memory.clone(), encounters.clone()).unwrap(),
        3,
        2,
    );
    assert!(a.info.replay && b.info.replay);
    assert_eq!(a, b);
    // One or the other, not both; and a [replay] table with no file needs encounters.
    let e = Simulation::with_encounters(from_file, encounters).unwrap_err();
    assert_eq!(scenario_field(&e), Some("replay.encounters"), "{e}");
    in_memory.replay = Some(Replay {
        encounters: std::path::PathBuf::new(),
        person_attribute: Some("person".into()),
    });
    let e = Simulation::new(in_memory).unwrap_err();
    assert_eq!(scenario_field(&e), Some("replay.encounters"), "{e}");
}

fn scenario_field(e: &SimError) -> Option<&str> {
    match e {
        SimError::Scenario(s) => s.field(),
        _ => None,
    }
}

#[test]
fn tables_write_as_csv_and_json() {
    let mut s = example("qrt-hamilton-county.toml");
    s.scenario.days = Some(30);
    let sim = Simulation::new(s).unwrap();
    let r = run(&sim, 1, 2);
    let dir = std::env::temp_dir().join(format!("offramp-sim-{}", std::process::id()));
    let files = r.write(&dir, TableFormat::Csv).unwrap();
    assert_eq!(files.len(), SimResults::TABLES.len() + 2);
    assert_eq!(
        std::fs::read_to_string(dir.join("report.txt")).unwrap(),
        r.report()
    );
    let funnel_csv = std::fs::read_to_string(dir.join("funnel.csv")).unwrap();
    assert!(
        funnel_csv.starts_with(
            "replication,pathway,stage,count,rate_from_previous,rate_from_encounter\n"
        )
    );
    assert_eq!(funnel_csv, r.table_csv("funnel").unwrap());
    let equity = std::fs::read_to_string(dir.join("equity.csv")).unwrap();
    assert!(equity.starts_with("replication,arm,group,stage,count,base,rate,reference_rate,relative_rate_index,difference\n"));
    r.write(&dir, TableFormat::Json).unwrap();
    let back: Vec<FunnelRow> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("funnel.json")).unwrap()).unwrap();
    assert_eq!(back, r.funnel);
    let info: RunInfo =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(info, r.info);
    let _ = std::fs::remove_dir_all(&dir);
    let e = r
        .write("/proc/no-such-place/x", TableFormat::Csv)
        .unwrap_err();
    assert!(matches!(e, SimError::Output { .. }), "{e}");
}

#[test]
fn errors_say_what_and_where() {
    let mut s = Scenario::default();
    s.scenario.program = root().join("examples/programs/no-such.toml");
    let e = Simulation::new(s).unwrap_err();
    assert!(matches!(e, SimError::Program { .. }), "{e}");
    let mut s = example("lead-king-county.toml");
    s.providers.services[0].id = "not-in-directory".into();
    let e = Simulation::new(s).unwrap_err();
    assert_eq!(
        match &e {
            SimError::Scenario(se) => se.field(),
            _ => None,
        },
        Some("providers.services[0].id"),
        "{e}"
    );
    let mut s = Scenario::default();
    s.attributes = BTreeMap::from([("undeclared".into(), BTreeMap::from([("x".into(), 1.0)]))]);
    let e = Simulation::from_parts(s, program("lead-king-county.toml"), None, None).unwrap_err();
    assert!(e.to_string().contains("does not declare"), "{e}");
}

#[test]
fn engine_objects_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Simulation>();
    check::<Scenario>();
    check::<SimResults>();
    check::<SimError>();
    check::<RunOptions>();
}

#[test]
fn progress_reaches_the_total() {
    let mut s = example("qrt-hamilton-county.toml");
    s.scenario.days = Some(20);
    let sim = Simulation::new(s).unwrap();
    let last = std::sync::Mutex::new(Progress { done: 0, total: 0 });
    sim.run_with_progress(
        &RunOptions {
            seed: None,
            replications: Some(2),
            threads: Some(2),
            allow_large: false,
        },
        &|p| {
            let mut l = last.lock().unwrap();
            if p.done > l.done {
                *l = p;
            }
        },
    )
    .unwrap();
    let l = *last.lock().unwrap();
    assert_eq!(l.total, 2 * 2 * 20);
    assert_eq!(l.done, l.total);
}

fn programs() -> Vec<&'static str> {
    vec![
        "lead-king-county.toml",
        "qrt-hamilton-county.toml",
        "steer-montgomery-county.toml",
        "safe-station-manchester.toml",
        "pad-acc-leon-county.toml",
        "harvey-pd.toml",
    ]
}

prop_compose! {
    fn random_scenario()(
        program in proptest::sample::select(programs()),
        population in 1u32..3_000,
        days in 1u32..60,
        period in 1u32..40,
        contact in proptest::collection::vec(0.0f64..30.0, 4),
        od in 0.0f64..10.0,
        per_person in any::<bool>(),
        warm_up in prop_oneof![Just(0u32), 1u32..40],
        p in proptest::collection::vec(0.0f64..=1.0, 16),
        capacity in proptest::option::of(0u32..5),
        waitlist in 0u32..4,
        wait in 0.0f64..10.0,
        delay in 0.0f64..72.0,
        groups in 1usize..4,
        directory in any::<bool>(),
    ) -> (String, Scenario, bool) {
        let mut s = Scenario::default();
        s.scenario.population = population;
        s.scenario.days = Some(days);
        s.scenario.period_days = period;
        s.scenario.warm_up_days = warm_up;
        let rates = [Source::CallForService, Source::OnView, Source::SelfInitiated, Source::Outreach]
            .into_iter().zip(contact).collect();
        // The same rates either per 1,000 people or per day across the population.
        if per_person {
            s.contacts = rates;
            s.overdoses.per_1000 = od;
        } else {
            s.contacts.clear();
            s.contacts_per_day = rates;
            s.overdoses.per_1000 = 0.0;
            s.overdoses.per_day = od;
        }
        s.overdoses.fatal = p[0];
        s.overdoses.repeat_within_year = p[1].min(0.99);
        s.overdoses.follow_up.contact = p[2];
        s.behaviour.offer = ByPathway::all(p[3]);
        s.behaviour.accept.default = p[4];
        s.behaviour.engage = ByPathway::all(p[5]);
        s.behaviour.retained_30 = ByPathway::all(p[6].max(p[7]));
        s.behaviour.retained_90 = ByPathway::all(p[6].min(p[7]));
        s.behaviour.recontact_within_year = p[8].min(0.99);
        s.behaviour.engaged_contact_ratio = p[9];
        s.justice.overdose_after_release = p[10];
        s.justice.file_on_failed_hold = p[11];
        s.offenses.probability.insert(Source::SelfInitiated, p[12]);
        s.needs.insert(Need::OpioidUse, p[13]);
        s.needs.insert(Need::MentalHealthCrisis, p[14]);
        s.consent.clear();
        s.consent.insert(Consent::Verbal, 1.0);
        s.providers.default_capacity = capacity;
        s.providers.waitlist = waitlist;
        s.providers.max_wait_days = wait;
        s.providers.intake_delay_hours = delay;
        s.providers.initial_occupancy = p[15] > 0.5;
        s.equity.groups.truncate(groups);
        let share = 1.0 / groups as f64;
        for g in &mut s.equity.groups {
            g.share = share;
            g.contact_ratio = 1.0 + p[15];
        }
        s.equity.reference = s.equity.groups[0].name.clone();
        (program.to_string(), s, directory)
    }
}

fn directory_for(program: &str) -> Option<crate::providers::Directory> {
    let (file, tz) = match program {
        "lead-king-county.toml" => ("king-county.json", "America/Los_Angeles"),
        "qrt-hamilton-county.toml" => ("hamilton-county.json", "America/New_York"),
        "harvey-pd.toml" => ("harvey-il.json", "America/Chicago"),
        _ => return None,
    };
    let options = crate::providers::LoadOptions {
        timezone: Some(tz.into()),
        ..Default::default()
    };
    crate::providers::Directory::from_file_with(
        root().join("examples/providers").join(file),
        &options,
    )
    .ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_scenarios_never_panic((name, scenario, with_directory) in random_scenario(), seed in any::<u64>()) {
        let dir = if with_directory { directory_for(&name) } else { None };
        let sim = Simulation::from_parts(scenario, program(&name), dir.as_ref(), None);
        prop_assert!(sim.is_ok(), "{:?}", sim.err());
        if let Ok(sim) = sim {
            let r = sim.run(&RunOptions { seed: Some(seed), replications: Some(1), threads: Some(1), allow_large: false });
            let r = r.unwrap();
            for f in &r.funnel {
                if let Some(rate) = f.rate_from_previous {
                    prop_assert!(rate.is_finite() && (0.0..=1.0).contains(&rate), "not nested: {:?}", f);
                }
            }
            // Each stage is a part of the one before, for every pathway.
            for w in r.funnel.windows(2) {
                if w[0].pathway == w[1].pathway {
                    prop_assert!(w[1].count <= w[0].count, "not nested: {:?}", w);
                }
            }
            for x in &r.referrals {
                prop_assert!(x.linked <= x.referred && x.referred <= x.accepted, "{:?}", x);
                prop_assert!(x.completed <= x.linked, "{:?}", x);
            }
            for t in &r.timeline {
                prop_assert!(t.jail_bed_days >= 0.0);
            }
            for p in &r.providers {
                if let Some(u) = p.utilisation {
                    prop_assert!(u <= 1.0 + 1e-9, "{:?}", p);
                }
            }
        }
    }

    #[test]
    fn bad_numbers_are_refused_not_panicked(x in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), 1.0001f64..1e9]) {
        let mut s = Scenario::default();
        s.scenario.program = "p.toml".into();
        s.behaviour.accept.default = x;
        prop_assert!(s.validate().is_err());
        let mut s = Scenario::default();
        s.scenario.program = "p.toml".into();
        s.contacts.insert(Source::OnView, -x.abs() - 1.0);
        prop_assert!(s.validate().is_err());
    }
}

/// The runaway scenario: inside every per-field limit, far above the work budget.
fn runaway() -> Scenario {
    let mut s = example("lead-king-county.toml");
    s.scenario.days = Some(36_600);
    s.scenario.warm_up_days = 0;
    s.scenario.population = 50_000_000;
    s.contacts.insert(Source::CallForService, 1_000_000.0);
    s
}

#[test]
fn a_run_above_the_work_budget_is_refused_before_it_starts() {
    let sim = Simulation::new(runaway()).unwrap();
    let options = RunOptions {
        replications: Some(1),
        ..RunOptions::default()
    };
    let estimate = sim.estimate(&options);
    assert!(estimate.over_budget());
    assert_eq!((estimate.people, estimate.days), (50_000_000, 36_600));
    assert!(estimate.encounters > 36_600 * 2_000_000);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let progressed = std::sync::atomic::AtomicBool::new(false);
    let e = sim
        .run_cancellable(
            &options,
            &|_| progressed.store(true, std::sync::atomic::Ordering::Relaxed),
            &cancel,
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            SimError::TooLarge {
                budget: WORK_BUDGET,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        !progressed.load(std::sync::atomic::Ordering::Relaxed),
        "nothing ran"
    );
    let text = e.to_string();
    assert!(
        text.contains("50,000,000 people over 36,600 days"),
        "{text}"
    );
    assert!(text.contains("budget of 50,000,000"), "{text}");
    // Allowed, it starts (and is stopped at once through its cancel flag).
    let allowed = RunOptions {
        allow_large: true,
        ..options
    };
    let e = sim
        .run_cancellable(&allowed, &|_| {}, &std::sync::atomic::AtomicBool::new(true))
        .unwrap_err();
    assert!(matches!(e, SimError::Cancelled), "{e}");
}

#[test]
fn the_examples_are_well_inside_the_work_budget() {
    for name in ["lead-king-county.toml", "qrt-hamilton-county.toml"] {
        let sim = Simulation::new(example(name)).unwrap();
        let e = sim.estimate(&RunOptions::default());
        assert!(!e.over_budget(), "{name}: {e:?}");
        assert!(e.encounters > 0 && e.person_days() > 0, "{name}: {e:?}");
    }
}

#[test]
fn a_cancelled_run_stops_with_cancelled() {
    let mut s = example("qrt-hamilton-county.toml");
    s.scenario.days = Some(3_650);
    let sim = Simulation::new(s).unwrap();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let ticks = std::sync::atomic::AtomicU64::new(0);
    let e = sim
        .run_cancellable(
            &RunOptions {
                replications: Some(4),
                ..RunOptions::default()
            },
            &|_| {
                if ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 10 {
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .unwrap_err();
    assert!(matches!(e, SimError::Cancelled), "{e}");
}

#[test]
fn threads_beyond_the_cores_are_capped_and_give_the_same_results() {
    let mut s = example("qrt-hamilton-county.toml");
    s.scenario.days = Some(60);
    let sim = Simulation::new(s).unwrap();
    let with = |threads| {
        sim.run(&RunOptions {
            seed: Some(5),
            replications: Some(2),
            threads: Some(threads),
            allow_large: false,
        })
        .unwrap()
    };
    assert!(thread_cap() >= 1);
    assert_eq!(with(20_000), with(1));
}

/// Adults with a substance use need met on view, 2,000 of them at five contacts per 1,000 a day
/// who mostly come back: an offence (a misdemeanour, `23C`) with probability `offence`, an
/// offer with probability `offer`, an arrest for the misdemeanour with probability `arrest`.
fn misdemeanours_on_view(offence: f64, offer: f64, arrest: f64) -> Scenario {
    let mut s = plain(Source::OnView, Responder::LawEnforcement, &[Need::Sud]);
    s.ages = vec![AgeBand {
        min: 18,
        max: 64,
        share: 1.0,
    }];
    s.offenses.probability = BTreeMap::from([(Source::OnView, offence)]);
    s.offenses.mix = vec![OffenseShare {
        nibrs: crate::NibrsCode::parse("23C").unwrap(),
        share: 1.0,
        levels: BTreeMap::from([(crate::Level::Misdemeanor, 1.0)]),
        violent: 0.0,
    }];
    s.behaviour.offer = ByPathway::all(offer);
    s.behaviour.recontact_within_year = 0.9;
    s.justice.arrest = BTreeMap::from([(crate::Level::Misdemeanor, arrest)]);
    s.scenario.population = 2_000;
    s.contacts = BTreeMap::from([(Source::OnView, 5.0)]);
    s
}

/// Issue 11: simulated people carry the history of the run, so that a first-time-only program
/// (Leon County's civil citation) sees the arrests it made itself.
#[test]
fn history_grows_with_the_run() {
    let base = |checked: f64| {
        // Nobody is offered a citation, and every misdemeanour is an arrest; people come back.
        let mut s = misdemeanours_on_view(1.0, 0.0, 1.0);
        s.behaviour.history_checked = checked;
        s
    };
    let eligible_and_encounters_after = |checked: f64, warm_up: u32| {
        let mut s = base(checked);
        s.scenario.warm_up_days = warm_up;
        let sim =
            Simulation::from_parts(s, program("pad-acc-leon-county.toml"), None, None).unwrap();
        let r = run(&sim, 21, 1);
        (
            funnel(&r, "all", Stage::Eligible),
            funnel(&r, "all", Stage::Encounter),
        )
    };
    // With the history checked, a first contact is eligible and every later one is not: the
    // arrest that followed the first is on record.
    let (eligible, encounters) = eligible_and_encounters_after(1.0, 0);
    assert!(eligible > 100, "{eligible}");
    assert!(encounters > eligible + 100, "{eligible} of {encounters}");
    // After a warm-up, the records the warm-up made are read: fewer people are first-timers.
    let (warm_eligible, warm_encounters) = eligible_and_encounters_after(1.0, 365);
    let (cold, warm) = (
        eligible as f64 / encounters as f64,
        warm_eligible as f64 / warm_encounters as f64,
    );
    assert!(warm < cold * 0.8, "{cold} then {warm}");
    // Without it, the first-time rule is unknown and admits no one.
    let (eligible, encounters) = eligible_and_encounters_after(0.0, 0);
    assert_eq!(eligible, 0, "{encounters}");
}

/// Issue 11: a scenario can record the person's stated willingness, which programs read apart
/// from consent (Plymouth County excludes a person who says no to the visit).
#[test]
fn willingness_is_drawn_when_the_scenario_records_it() {
    let eligible_with = |willing: &[(Willing, f64)]| {
        let mut s = plain(
            Source::Outreach,
            Responder::Peer,
            &[Need::Sud, Need::OpioidUse],
        );
        s.willing = willing.iter().copied().collect();
        let sim = Simulation::from_parts(s, program("plymouth-county-outreach.toml"), None, None)
            .unwrap();
        let r = run(&sim, 5, 1);
        (
            funnel(&r, "all", Stage::Eligible),
            funnel(&r, "all", Stage::Encounter),
        )
    };
    let (eligible, encounters) = eligible_with(&[(Willing::Yes, 1.0)]);
    assert!(
        eligible > 1000 && eligible == encounters,
        "{eligible} of {encounters}"
    );
    let (eligible, encounters) = eligible_with(&[(Willing::No, 1.0)]);
    assert!(
        eligible == 0 && encounters > 1000,
        "{eligible} of {encounters}"
    );
    // Not recorded: the exclusion is unknown, which does not exclude.
    let (eligible, encounters) = eligible_with(&[]);
    assert_eq!(eligible, encounters);
    let half = eligible_with(&[(Willing::Yes, 0.5), (Willing::No, 0.5)]);
    assert!(within_99(half.0, half.1, 0.5), "{half:?}");
}

/// The simulation routes leanly (`Router::route_lean`: no partners, no explanations) and
/// matches partners for the one pathway it offers (`Router::providers_for`). For every example
/// program with a directory, its example encounters at every hour of a week, and the same
/// with the responder, the offences, the history or the needs left unrecorded: the same
/// eligible pathways, ranks, admitting rules, charge holds, disposition and intercept as
/// `route` (and nothing else: no ineligible pathways, warnings or encounter id), and exactly
/// the partner options, in the same order, `route` gives each eligible pathway.
#[test]
fn lean_routes_and_partners_matched_on_demand_are_the_routes_own() {
    for (program_file, encounters) in [
        ("lead-king-county.toml", "lead-king-county.jsonl"),
        ("qrt-hamilton-county.toml", "qrt-hamilton-county.jsonl"),
        ("harvey-pd.toml", "harvey-pd.jsonl"),
    ] {
        let dir = directory_for(program_file).unwrap();
        let router = crate::Router::with_directory(program(program_file), &dir).unwrap();
        let text =
            std::fs::read_to_string(root().join("examples/encounters").join(encounters)).unwrap();
        let (mut matched, mut eligible) = (0, 0);
        for line in text.lines() {
            let base = Encounter::from_json(line).unwrap();
            let mut variants = vec![base.clone(); 5];
            variants[1].responder = None;
            variants[2].offenses.clear();
            variants[3].history = None;
            variants[4].needs.clear();
            for variant in variants {
                // One memo of the partners' hours through the week, as an arm keeps one.
                let mut memo = crate::providers::index::HoursMemo::default();
                for hour in 0..(7 * 24) {
                    let mut enc = variant.clone();
                    enc.at = variant.at + chrono::TimeDelta::hours(hour);
                    let full = router.route(&enc);
                    let lean = router.route_lean(&enc);
                    let at = format!("{program_file}: {} at {}", enc.id, enc.at);
                    assert_eq!(full.disposition, lean.disposition, "{at}");
                    assert_eq!(full.intercept, lean.intercept, "{at}");
                    assert_eq!(full.intercept_basis, lean.intercept_basis, "{at}");
                    // Nothing the simulation does not read is gathered.
                    assert!(lean.encounter_id.is_empty(), "{at}");
                    assert!(
                        lean.ineligible.is_empty() && lean.warnings.is_empty(),
                        "{at}"
                    );
                    assert!(lean.needs_information.is_empty(), "{at}");
                    assert_eq!(full.eligible.len(), lean.eligible.len(), "{at}");
                    for (f, l) in full.eligible.iter().zip(&lean.eligible) {
                        assert!(l.providers.is_none() && l.provider_gap.is_none());
                        assert_eq!(
                            (f.pathway, f.rank, &f.rule, &f.charge_hold),
                            (l.pathway, l.rank, &l.rule, &l.charge_hold),
                            "{at}"
                        );
                        let options = router.providers_for(l.pathway, &enc);
                        assert_eq!(f.providers, options, "{at}");
                        // The simulation's reading of the same options.
                        let mut lean_options = Vec::new();
                        let found =
                            router.providers_lean(l.pathway, &enc, &mut memo, &mut lean_options);
                        assert_eq!(found, options.is_some(), "{at}");
                        let ids = router.provider_ids();
                        let read: Vec<_> = options
                            .iter()
                            .flatten()
                            .map(|o| {
                                (
                                    o.service_id.to_string(),
                                    o.open_now,
                                    o.next_open.map(|t| t.timestamp()),
                                    o.distance_km,
                                )
                            })
                            .collect();
                        let lean_read: Vec<_> = lean_options
                            .iter()
                            .map(|o| {
                                (
                                    ids[o.service as usize].to_string(),
                                    o.open_now,
                                    o.next_open,
                                    o.distance_km,
                                )
                            })
                            .collect();
                        assert_eq!(read, lean_read, "{at}");
                        matched += usize::from(options.is_some_and(|p| !p.is_empty()));
                        eligible += 1;
                    }
                }
            }
        }
        assert!(eligible > 0, "{program_file}: nothing was ever eligible");
        if program_file != "harvey-pd.toml" {
            assert!(matched > 0, "{program_file}: no partner was ever matched");
        }
    }
}

/// The engine keeps people's histories only for a program whose rules may read one (a
/// decision cannot depend on a history no rule reads): found in the compiled rules, wherever
/// the history is read.
#[test]
fn a_history_is_kept_only_for_programs_that_read_it() {
    assert!(program("lead-king-county.toml").reads_history());
    assert!(!program("qrt-hamilton-county.toml").reads_history());
    let with = |rule: &str| {
        Program::from_toml(
            &format!(
                "[program]\nid = \"h\"\njurisdiction = \"Example County\"\ntimezone = \"UTC\"\n\n[[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"r\"\nwhen = '{rule}'\n"
            ),
            "h.toml",
        )
        .unwrap()
        .reads_history()
    };
    assert!(with("age > 17 and count history (kind == arrest) >= 2"));
    assert!(with("not any history (within 30d)"));
    assert!(!with("age > 17 and any offenses (violent)"));
}

/// Which history kinds a program's rules may be swayed by: those an `any` or a `count` asks
/// for by name; every kind for an `all`, a count of the whole history or a body that names no
/// kind; none for rules that never read the history.
#[test]
fn the_history_kinds_rules_ask_for() {
    use crate::domain::HistoryKind as K;
    use crate::rules::compile::{EVERY_HISTORY_KIND as EVERY, history_kind_bit};
    let kinds = |rule: &str| {
        Program::from_toml(
            &format!(
                "[program]\nid = \"h\"\njurisdiction = \"Example County\"\ntimezone = \"UTC\"\n\n[[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"r\"\nwhen = '{rule}'\n"
            ),
            "h.toml",
        )
        .unwrap()
        .history_kinds()
    };
    let bits = |ks: &[K]| ks.iter().fold(0u64, |m, k| m | history_kind_bit(*k));
    assert_eq!(EVERY.count_ones() as usize, K::COUNT);
    assert_eq!(
        kinds("age > 17 and count history (kind == arrest) >= 2"),
        bits(&[K::Arrest])
    );
    assert_eq!(
        kinds("any history (kind in [referral, overdose] and within 90d)"),
        bits(&[K::Referral, K::Overdose])
    );
    assert_eq!(
        kinds("any history (kind == arrest or kind == charge)"),
        bits(&[K::Arrest, K::Charge])
    );
    assert_eq!(
        kinds("not any history (kind == diversion_failed) and count history (kind == charge) < 2"),
        bits(&[K::DiversionFailed, K::Charge])
    );
    // Each of these may be swayed by an event of any kind.
    assert_eq!(kinds("not any history (within 30d)"), EVERY);
    assert_eq!(kinds("all history (kind == arrest)"), EVERY);
    assert_eq!(kinds("count history < 3"), EVERY);
    assert_eq!(kinds("any history (kind == arrest or within 30d)"), EVERY);
    assert_eq!(kinds("age > 17 and any offenses (violent)"), 0);
    // LEAD's only history rule asks for convictions, which the simulation never records: its
    // people are lent an empty history.
    assert_eq!(
        program("lead-king-county.toml").history_kinds(),
        bits(&[K::Conviction])
    );
}

/// A person's record keeps only the history kinds the program's rules may be swayed by: the
/// tables are those of keeping every kind. Leon County's first-time rule asks for arrests,
/// charges, convictions and diversions entered; the run also makes referrals, completed and
/// failed diversions and overdoses, which are left out.
#[test]
fn keeping_only_the_history_kinds_rules_ask_for_changes_nothing() {
    use crate::domain::HistoryKind as K;
    use crate::rules::compile::history_kind_bit;
    let mut s = misdemeanours_on_view(0.8, 0.6, 0.7);
    s.behaviour.history_checked = 1.0;
    s.overdoses.per_1000 = 2.0;
    let leon = program("pad-acc-leon-county.toml");
    let kept = leon.history_kinds();
    assert_ne!(kept & history_kind_bit(K::Arrest), 0);
    assert_eq!(
        kept & (history_kind_bit(K::Referral) | history_kind_bit(K::Overdose)),
        0
    );
    let some = Simulation::from_parts(s.clone(), leon.clone(), None, None).unwrap();
    let mut every = Simulation::from_parts(s.clone(), leon.clone(), None, None).unwrap();
    Arc::get_mut(&mut every.model).unwrap().history_kinds =
        crate::rules::compile::EVERY_HISTORY_KIND;
    let (a, b) = (run(&some, 8, 2), run(&every, 8, 2));
    // The first-time rule did its work: some were eligible, and some were not.
    let (eligible, encounters) = (
        funnel(&a, "all", Stage::Eligible),
        funnel(&a, "all", Stage::Encounter),
    );
    assert!(
        eligible > 100 && encounters > eligible + 100,
        "{eligible} of {encounters}"
    );
    assert_eq!(a, b);
    // A kind the rule asks for does change the tables when it is left out.
    let mut no_arrests = Simulation::from_parts(s, leon, None, None).unwrap();
    Arc::get_mut(&mut no_arrests.model).unwrap().history_kinds =
        kept & !history_kind_bit(K::Arrest);
    assert_ne!(run(&no_arrests, 8, 2), a);
}
