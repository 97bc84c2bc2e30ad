//! Invariants checked on generated inputs: routing never panics, is deterministic and
//! round-trips; exclusions only ever remove pathways; programs and rules print and parse back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use offramp::program::RuleSpec;
use offramp::{
    AttributeValue, Consent, Encounter, Flag, Intercept, Level, Need, Offense, Overdose, Program,
    Responder, Router, Source, Willing,
};
use proptest::prelude::*;
use proptest::sample::select;

fn programs() -> &'static Vec<Program> {
    static P: OnceLock<Vec<Program>> = OnceLock::new();
    P.get_or_init(|| {
        offramp_suite::example_programs()
            .iter()
            .map(|p| Program::from_file(p).unwrap_or_else(|e| panic!("{}", e.render())))
            .collect()
    })
}

fn routers() -> &'static Vec<Router> {
    static R: OnceLock<Vec<Router>> = OnceLock::new();
    R.get_or_init(|| programs().iter().cloned().map(Router::new).collect())
}

fn attribute_value() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        any::<bool>().prop_map(AttributeValue::Bool),
        (-3i64..5).prop_map(AttributeValue::Int),
        (-1.0f64..10.0).prop_map(AttributeValue::Number),
        select(vec!["low", "moderate", "high", "yes", "other"])
            .prop_map(|s| AttributeValue::Text(s.into())),
    ]
}

prop_compose! {
    fn offense()(code in select(offramp::nibrs::all().iter().map(|o| o.code).collect::<Vec<_>>()),
                 level in select(Level::ALL.to_vec()), violent in proptest::option::of(any::<bool>())) -> Offense {
        Offense { violent, ..Offense::new(offramp::NibrsCode::parse(code).unwrap(), level) }
    }
}

prop_compose! {
    fn encounter()(
        responder in proptest::option::of(select(Responder::ALL.to_vec())),
        source in proptest::option::of(select(Source::ALL.to_vec())),
        needs in proptest::collection::vec(select(Need::ALL.to_vec()), 0..4),
        flags in proptest::collection::vec(select(Flag::ALL.to_vec()), 0..3),
        overdose_minutes in proptest::option::of(0i64..(8 * 24 * 60)),
        naloxone in any::<bool>(),
        offenses in proptest::collection::vec(offense(), 0..3),
        age in proptest::option::of(0u16..100),
        language in proptest::option::of(select(vec!["eng", "spa", "vie"])),
        consent in proptest::option::of(select(Consent::ALL.to_vec())),
        willing in proptest::option::of(select(Willing::ALL.to_vec())),
        intercept in proptest::option::of(0u8..6),
        attrs in proptest::collection::btree_map(
            select(vec!["prior_referrals", "prior_adult_arrests", "screening", "medically_unstable", "race", "unknown_one"]),
            attribute_value(), 0..3),
        day in 0i64..365,
    ) -> Encounter {
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00-05:00").unwrap()
            + chrono::Duration::minutes(day * 24 * 60 + 37 * day % 1440);
        Encounter {
            id: format!("p-{day}"),
            at,
            responder,
            source,
            needs,
            overdose: overdose_minutes.map(|m| Overdose { at: at - chrono::Duration::minutes(m), naloxone }),
            offenses,
            flags,
            age,
            language: language.and_then(|l| l.parse().ok()),
            consent,
            willing,
            history: None,
            location: None,
            intercept: intercept.and_then(Intercept::from_number),
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<BTreeMap<_, _>>(),
        }
    }
}

/// Clauses that are valid in every example program.
const CLAUSES: &[&str] = &[
    "age < 21",
    "age is unknown",
    "needs has homelessness",
    "needs has any [sud, mental_health]",
    "flags has active_warrant",
    "responder == fire",
    "source in [on_view, call_for_service]",
    "any offenses (level == felony)",
    "all offenses (drug)",
    "count offenses > 1",
    "since overdose.at <= 24h",
    "overdose is known",
    "consent in [declined, revoked]",
    "intercept >= 1",
    "language != \"eng\"",
    "true",
];

fn rule_text() -> impl Strategy<Value = String> {
    let leaf = select(CLAUSES.to_vec()).prop_map(str::to_string);
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn routing_never_panics_and_is_deterministic(e in encounter()) {
        for r in routers() {
            let d = r.route(&e);
            prop_assert_eq!(d.to_json().unwrap(), r.route(&e).to_json().unwrap());
            // Every offered pathway is accounted for, once.
            prop_assert_eq!(d.eligible.len() + d.ineligible.len(), r.program().pathways().count());
            // Officer intervention only ever goes to law enforcement.
            if d.eligible.iter().any(|x| x.pathway == offramp::Pathway::OfficerIntervention) {
                prop_assert!(e.responder.is_some_and(Responder::is_law_enforcement));
            }
            // Disposition agrees with the eligible list.
            prop_assert_eq!(d.eligible.is_empty(), d.disposition == offramp::Disposition::None);
        }
    }

    #[test]
    fn decisions_round_trip_through_json(e in encounter()) {
        for r in routers() {
            let d = r.route(&e);
            let back = offramp::Decision::from_json(&d.to_json().unwrap()).unwrap();
            prop_assert_eq!(&back, &d);
            prop_assert_eq!(back.to_json().unwrap(), d.to_json().unwrap());
        }
    }

    #[test]
    fn encounters_round_trip_through_json(e in encounter()) {
        let back = Encounter::from_json(&e.to_json().unwrap()).unwrap();
        prop_assert_eq!(back, e);
    }

    #[test]
    fn adding_an_exclusion_never_adds_an_eligible_pathway(
        e in encounter(), rule in rule_text(), which in 0usize..10, pathway_level in any::<bool>()
    ) {
        let base = &programs()[which % programs().len()];
        let mut spec = base.spec().clone();
        let extra = RuleSpec { id: "generated-exclusion".into(), when: rule.clone(), because: None };
        if pathway_level {
            let n = spec.pathways.len();
            spec.pathways[which % n].exclusions.push(extra);
        } else {
            spec.exclusions.push(extra);
        }
        let stricter = Program::from_spec(spec).map_err(|err| TestCaseError::fail(format!("{rule}: {err}")))?;
        let before = Router::new(base.clone()).route(&e);
        let after = Router::new(stricter).route(&e);
        for x in &after.eligible {
            prop_assert!(before.eligible.iter().any(|y| y.pathway == x.pathway),
                "{:?} became eligible after adding exclusion `{}`", x.pathway, rule);
        }
    }

    #[test]
    fn batch_routing_equals_single_routing(es in proptest::collection::vec(encounter(), 0..40)) {
        let r = &routers()[0];
        let batch = r.route_batch(&es);
        let single: Vec<_> = es.iter().map(|e| Ok(r.route(e))).collect();
        prop_assert_eq!(batch, single);
    }

    #[test]
    fn rules_print_and_parse_back(rule in rule_text()) {
        let parsed = offramp::rules::parse(&rule).unwrap();
        let printed = parsed.to_string();
        let again = offramp::rules::parse(&printed).unwrap();
        prop_assert_eq!(&again, &parsed);
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn the_rules_parser_never_panics(text in ".{0,80}") {
        let _ = offramp::rules::parse(&text);
    }

    #[test]
    fn the_rules_parser_never_panics_on_rule_like_text(
        words in proptest::collection::vec(select(vec![
            "and", "or", "not", "(", ")", "[", "]", ",", "any", "all", "count", "offenses", "since",
            "has", "in", "is", "known", "==", "<=", "!=", "age", "needs", "sud", "72h", "1d12h",
            "\"35A\"", "3", "-2", "0.5", "overdose.at", ".", "attributes.x", "#c\n", "\"", "=", "&&", "9x",
        ]), 0..30)
    ) {
        let text = words.join(" ");
        if let Ok(expr) = offramp::rules::parse(&text) {
            prop_assert_eq!(offramp::rules::parse(&expr.to_string()).unwrap(), expr);
        }
    }

    #[test]
    fn encounter_reading_never_panics(text in ".{0,120}") {
        let _ = Encounter::from_json(&text);
    }
}

#[test]
fn programs_print_and_parse_back() {
    for p in programs() {
        let printed = p.to_toml().unwrap();
        let again = Program::from_toml(&printed, "printed.toml")
            .unwrap_or_else(|e| panic!("{}\n{printed}", e.render()));
        assert_eq!(again.hash(), p.hash(), "{}", p.id());
        assert_eq!(again.to_toml().unwrap(), printed, "{}", p.id());
        // The JSON form is the same program.
        let json = Program::from_json(&p.to_json().unwrap(), "p.json").unwrap();
        assert_eq!(json.hash(), p.hash(), "{}", p.id());
    }
}
