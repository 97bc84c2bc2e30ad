#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;

use super::*;
use crate::domain::{
    Consent, DrugQuantity, Flag, HistoryEvent, HistoryKind, Level, Need, Overdose, Responder,
    Source,
};
use crate::nibrs::{CriminalActivity, DrugType, DrugUnit, NibrsCode};
use crate::{Program, Router};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> Router {
    Router::new(Program::from_file(root().join("examples/programs").join(name)).unwrap())
}

/// A program whose rules read the age against several numbers, needs and flags through
/// `has`, attributes of each kind, offences in detail, the intercept and the history.
const MANY: &str = r#"
[program]
id = "memo-test"
jurisdiction = "Test County"
timezone = "America/Chicago"

[charge_hold]
term = "30d"

[attributes.known]
type = "bool"
[attributes.score]
type = "int"
[attributes.weight]
type = "number"
[attributes.place]
type = "text"
[attributes.note]
type = "text"
reporting_only = true

[[exclusions]]
id = "young"
when = "age < 18 or age == 30"

[[exclusions]]
id = "weapon"
when = "flags has weapon"

[[exclusions]]
id = "history"
when = 'any history (kind == arrest and within 1y)'

[[pathways]]
pathway = "officer_intervention"
charge_hold = true
[[pathways.rules]]
id = "drugs"
when = """
any offenses (nibrs in ["35A", "35B"] and (quantity.grams is unknown or quantity.grams < 3)
              and not (activity is known and activity has distributing))
and (attr.known == true or attr.score >= 3)
"""

[[pathways]]
pathway = "first_responder_referral"
[[pathways.rules]]
id = "needs"
when = """
needs has any [sud, opioid_use] and age >= 21 and age <= 64
and (attr.weight is unknown or attr.weight > 1.5) and attr.place != "north"
and intercept <= 1
"""

[[pathways]]
pathway = "self_referral"
[[pathways.rules]]
id = "consented"
when = "consent in [verbal, written] and willing != no and not any offenses (chargeable)"
"#;

fn many() -> Router {
    Router::new(Program::from_toml(MANY, "memo-test.toml").unwrap())
}

/// The route `route_sim` gives must be the route worked out afresh, and a charge hold must
/// be the one `route` gives the pathway.
fn check(router: &Router, memo: &mut RouteMemo, enc: &Encounter) {
    let remembered = router.route_sim(enc, memo);
    let afresh = router.sim_route(enc);
    assert_eq!(remembered, afresh, "{}", enc.to_json().unwrap());
    let full = router.route(enc);
    assert_eq!(full.intercept, afresh.intercept);
    assert_eq!(full.disposition, afresh.disposition);
    assert_eq!(full.eligible.len(), afresh.eligible.len());
    for (f, (pathway, holds)) in full.eligible.iter().zip(&afresh.eligible) {
        assert_eq!(f.pathway, *pathway);
        let hold = holds.then(|| router.charge_hold(enc)).flatten();
        assert_eq!(f.charge_hold, hold);
    }
}

/// A program of one pathway admitted by one rule.
fn one_rule(when: &str) -> Router {
    let toml = format!(
        "[program]\nid = \"one\"\njurisdiction = \"One\"\ntimezone = \"America/Chicago\"\n\
         [[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"rule\"\nwhen = {when:?}\n"
    );
    Router::new(Program::from_toml(&toml, "one.toml").unwrap())
}

fn base(at: &str) -> Encounter {
    Encounter::from_json(&format!(r#"{{"id":"m","at":"{at}"}}"#)).unwrap()
}

#[test]
fn shapes_read_what_the_rules_read() {
    let shape = Shape::of(&many()).unwrap();
    assert_eq!(shape.ages, Some(vec![18, 21, 30, 64]));
    let mask = |ns: &[Need]| ns.iter().fold(0u64, |m, n| m | 1 << (*n as u8));
    assert_eq!(shape.needs, mask(&[Need::Sud, Need::OpioidUse]));
    assert_eq!(shape.flags, 1 << (Flag::Weapon as u8));
    // The four attributes rules read; not the reporting-only one.
    assert_eq!(shape.attrs.len(), 4);
    assert!(shape.history);
    // LEAD's rules compare the age with 18 alone.
    assert_eq!(
        Shape::of(&example("lead-king-county.toml")).unwrap().ages,
        Some(vec![18])
    );
    // Rules that read the time are not remembered.
    assert_eq!(Shape::of(&one_rule("at.hour >= 8")), None);
    // An age read other than against a whole number is kept raw.
    let raw = one_rule("age in [20, 40] or age is unknown");
    assert_eq!(Shape::of(&raw).unwrap().ages, None);
}

#[test]
fn remembered_routes_are_the_routes_own_for_the_examples() {
    let mut remembered = 0;
    for entry in std::fs::read_dir(root().join("examples/programs")).unwrap() {
        let path = entry.unwrap().path();
        let router = Router::new(Program::from_file(&path).unwrap());
        let mut memo = RouteMemo::new(&router);
        let jsonl = root()
            .join("examples/encounters")
            .join(path.file_name().unwrap())
            .with_extension("jsonl");
        let Ok(text) = std::fs::read_to_string(&jsonl) else {
            continue;
        };
        // Twice through, so that the second pass reads what the first remembered; each
        // encounter also at every age, with and without its history, needs and responder.
        for _ in 0..2 {
            for line in text.lines() {
                let base = Encounter::from_json(line).unwrap();
                for age in [
                    None,
                    Some(0),
                    Some(17),
                    Some(18),
                    Some(19),
                    Some(40),
                    Some(70),
                ] {
                    let mut e = base.clone();
                    e.age = age;
                    check(&router, &mut memo, &e);
                    let mut e2 = e.clone();
                    e2.history = Some(Vec::new());
                    check(&router, &mut memo, &e2);
                    e2.needs.clear();
                    e2.responder = None;
                    check(&router, &mut memo, &e2);
                }
            }
        }
        remembered += memo.len();
    }
    // Not vacuous: most example programs are remembered.
    assert!(remembered > 20, "{remembered}");
}

fn arb_encounter() -> impl Strategy<Value = Encounter> {
    let offence = (
        prop::sample::select(vec!["35A", "35B", "40A", "13B", "90E", "23C", "520"]),
        prop::sample::select(Level::ALL.to_vec()),
        prop::option::of(any::<bool>()),
        prop::collection::vec(prop::sample::select(CriminalActivity::ALL.to_vec()), 0..3),
        prop::collection::vec(prop::sample::select(DrugType::ALL.to_vec()), 0..2),
        prop::option::of((0.0f64..6.0, prop::sample::select(DrugUnit::ALL.to_vec()))),
    )
        .prop_map(|(code, level, violent, activity, drug_types, quantity)| {
            let mut o = Offense::new(NibrsCode::parse(code).unwrap(), level);
            o.violent = violent;
            o.activity = activity;
            o.drug_types = drug_types;
            o.quantity = quantity.map(|(amount, unit)| DrugQuantity { amount, unit });
            o
        });
    let attrs = (
        prop::option::of(any::<bool>()),
        prop::option::of(0i64..6),
        prop::option::of(prop::sample::select(vec![0.5f64, 1.5, 2.0])),
        prop::option::of(prop::sample::select(vec!["north", "south"])),
        prop::option::of(prop::sample::select(vec!["a", "b"])),
    );
    (
        (
            prop::option::of(prop::sample::select(Responder::ALL.to_vec())),
            prop::option::of(prop::sample::select(Source::ALL.to_vec())),
            prop::collection::vec(prop::sample::select(Need::ALL.to_vec()), 0..4),
            prop::collection::vec(prop::sample::select(Flag::ALL.to_vec()), 0..3),
            prop::option::of(0u16..100),
            prop::option::of(prop::sample::select(Consent::ALL.to_vec())),
        ),
        prop::collection::vec(offence, 0..3),
        attrs,
        prop::option::of(any::<bool>()),
        0u8..4,
        0i64..(400 * 86_400),
    )
        .prop_map(
            |((responder, source, needs, flags, age, consent), offenses, attrs, od, hist, t)| {
                let mut e = base("2026-01-01T00:00:00-06:00");
                e.at += chrono::TimeDelta::seconds(t);
                e.responder = responder;
                e.source = source;
                e.needs = needs;
                e.flags = flags;
                e.age = age;
                e.consent = consent;
                e.offenses = offenses;
                e.overdose = od.map(|naloxone| Overdose { at: e.at, naloxone });
                e.history = match hist {
                    0 => None,
                    1 => Some(Vec::new()),
                    n => Some(
                        (0..n)
                            .map(|i| HistoryEvent {
                                kind: HistoryKind::ALL[usize::from(i) % HistoryKind::COUNT],
                                date: e.at.date_naive() - chrono::TimeDelta::days(100),
                                nibrs: None,
                                level: None,
                            })
                            .collect(),
                    ),
                };
                let (known, score, weight, place, note) = attrs;
                let mut put = |k: &str, v: Option<AttributeValue>| {
                    if let Some(v) = v {
                        e.attributes.insert(k.into(), v);
                    }
                };
                put("known", known.map(AttributeValue::Bool));
                put("score", score.map(AttributeValue::Int));
                put("weight", weight.map(AttributeValue::Number));
                put("place", place.map(|s| AttributeValue::Text(s.into())));
                put("note", note.map(|s| AttributeValue::Text(s.into())));
                e
            },
        )
}

/// A few encounters, each repeated with what a key holds by class or leaves out changed at
/// random (the age, needs, flags, time, place and the reporting-only attribute), so that many
/// share a key.
fn arb_batch() -> impl Strategy<Value = Vec<Encounter>> {
    let change = (
        // Often at or beside the numbers the rules compare the age with.
        prop::option::of(prop::option::of(prop_oneof![
            prop::sample::select(vec![17u16, 18, 19, 20, 21, 22, 29, 30, 31, 63, 64, 65]),
            0u16..100,
        ])),
        prop::option::of(prop::collection::vec(
            prop::sample::select(Need::ALL.to_vec()),
            0..4,
        )),
        prop::option::of(prop::collection::vec(
            prop::sample::select(Flag::ALL.to_vec()),
            0..3,
        )),
        0i64..(30 * 86_400),
        prop::option::of(prop::sample::select(vec!["a", "b", "c"])),
        any::<bool>(),
    );
    (
        prop::collection::vec(arb_encounter(), 1..4),
        prop::collection::vec((0usize..4, change), 1..150),
    )
        .prop_map(|(bases, changes)| {
            changes
                .into_iter()
                .map(|(i, (age, needs, flags, t, note, placed))| {
                    let mut e = bases[i % bases.len()].clone();
                    if let Some(age) = age {
                        e.age = age;
                    }
                    if let Some(needs) = needs {
                        e.needs = needs;
                    }
                    if let Some(flags) = flags {
                        e.flags = flags;
                    }
                    e.at += chrono::TimeDelta::seconds(t);
                    e.id = format!("m-{t}");
                    if let Some(note) = note {
                        e.attributes
                            .insert("note".into(), AttributeValue::Text(note.into()));
                    }
                    if placed {
                        e.location = Some(crate::domain::Location {
                            lat: 47.6,
                            lon: -122.3,
                        });
                    }
                    e
                })
                .collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    /// Encounters routed one after another through one memo, as an arm routes them: each
    /// gets the route worked out afresh, whatever the memo already holds.
    #[test]
    fn remembered_routes_are_the_routes_own(encounters in arb_batch()) {
        for router in [many(), example("lead-king-county.toml")] {
            let mut memo = RouteMemo::new(&router);
            for e in &encounters {
                check(&router, &mut memo, e);
            }
        }
    }
}

#[test]
fn a_memo_keeps_at_most_its_bound() {
    let router = many();
    let mut memo = RouteMemo::new(&router);
    let mut e = base("2026-01-01T00:00:00-06:00");
    e.responder = Some(Responder::LawEnforcement);
    // Each score is a different key.
    for score in 0..(MEMO_ENTRIES as i64 + 10) {
        e.attributes
            .insert("score".into(), AttributeValue::Int(score));
        let _ = router.route_sim(&e, &mut memo);
    }
    assert_eq!(memo.len(), MEMO_ENTRIES);
    check(&router, &mut memo, &e);
}
