//! Explanations (issue 12): the values and limits in reasons, what a decision still needs,
//! which exclusion warnings are kept, and traces.

use super::*;
use crate::domain::{Encounter, InterceptBasis};
use crate::rules::{MAX_REASON_ITEMS, Truth};

const PROGRAM: &str = r#"
[program]
id = "p"
jurisdiction = "X"
timezone = "UTC"
[attributes.note]
type = "text"
[attributes.screened]
type = "bool"
[[pathways]]
pathway = "naloxone_plus"
[[pathways.rules]]
id = "window"
when = "since overdose.at <= window.naloxone_plus"
[[pathways]]
pathway = "self_referral"
[[pathways.exclusions]]
id = "declined"
when = "consent == declined"
[[pathways.rules]]
id = "adult"
when = "age >= 18 and attr.screened"
[[pathways]]
pathway = "active_outreach"
[[pathways.rules]]
id = "either"
when = "age < 18 or source == outreach"
[[pathways]]
pathway = "first_responder_referral"
[[pathways.rules]]
id = "noted"
when = "attr.note == \"seen\""
[[pathways]]
pathway = "community_response"
[[pathways.rules]]
id = "no-drug"
when = "not any offenses (drug)"
"#;

fn route(json: &str) -> Decision {
    let router = Router::new(Program::from_toml(PROGRAM, "p.toml").unwrap());
    router.route(&Encounter::from_json(json).unwrap())
}

fn reason(d: &Decision, p: Pathway) -> &Reason {
    &d.ineligible
        .iter()
        .find(|i| i.pathway == p)
        .unwrap_or_else(|| panic!("{p} is eligible: {}", d.explain()))
        .reasons[0]
}

fn needs(d: &Decision) -> Vec<(&str, Vec<Pathway>, Vec<&str>)> {
    d.needs_information
        .iter()
        .map(|n| {
            (
                n.field.as_str(),
                n.pathways.clone(),
                n.exclusions.iter().map(Text::as_str).collect(),
            )
        })
        .collect()
}

const AT: &str = r#""id":"e","at":"2026-03-05T10:00:00Z","responder":"peer""#;

#[test]
fn a_comparison_says_the_value_and_the_limit_with_constants_folded() {
    let d = route(&format!(
        r#"{{{AT},"source":"overdose_follow_up","age":16,"overdose":{{"at":"2026-03-02T09:00:00Z"}}}}"#
    ));
    let r = reason(&d, Pathway::NaloxonePlus);
    assert_eq!(r.clause.as_str(), "since overdose.at <= 72h");
    assert_eq!(
        r.because.as_str(),
        "`since overdose.at <= 72h` does not hold: 73h since the overdose; needs 72h or less"
    );
    let e = r.evidence.as_ref().unwrap();
    assert_eq!(
        (e.value.as_deref(), e.limit.as_deref()),
        (Some("73h"), Some("72h"))
    );
    assert_eq!(e.result, Truth::False);
    let r = reason(&d, Pathway::SelfReferral);
    assert_eq!(
        r.because.as_str(),
        "`age >= 18` does not hold: age 16; needs 18 or more"
    );
}

#[test]
fn an_or_gives_the_failing_part_of_each_alternative() {
    let d = route(&format!(r#"{{{AT},"source":"on_view","age":30}}"#));
    let r = reason(&d, Pathway::ActiveOutreach);
    assert_eq!(
        r.because.as_str(),
        "`age < 18 or source == outreach` does not hold: age 30; needs less than 18; source on_view; needs outreach"
    );
    let parts = &r.evidence.as_ref().unwrap().parts;
    assert_eq!(parts.len(), 2);
    assert!(parts.iter().all(|p| p.result == Truth::False));
}

#[test]
fn a_quantifier_names_the_offence_by_code_and_keeps_at_most_eight() {
    let offence = r#"{"nibrs":"35A","level":"misdemeanor"}"#;
    let many = [offence; 12].join(",");
    let d = route(&format!(
        r#"{{{AT},"source":"on_view","offenses":[{many}]}}"#
    ));
    let r = reason(&d, Pathway::CommunityResponse);
    assert!(
        r.because
            .contains("offence 1 (35A, Drug/Narcotic Violations): drug true"),
        "{}",
        r.because
    );
    let any = &r.evidence.as_ref().unwrap().parts[0];
    assert_eq!(any.parts.len(), MAX_REASON_ITEMS);
    let first = any.parts[0].offense.as_ref().unwrap();
    assert_eq!((first.index, first.nibrs.as_str()), (0, "35A"));
}

#[test]
fn free_text_is_never_shown() {
    let d = route(&format!(
        r#"{{{AT},"source":"on_view","attributes":{{"note":"Jane Doe, 12 Elm St"}}}}"#
    ));
    let r = reason(&d, Pathway::FirstResponderReferral);
    let json = d.to_json().unwrap();
    assert!(!json.contains("Jane"), "{json}");
    assert_eq!(
        r.evidence.as_ref().unwrap().value.as_deref(),
        Some("recorded")
    );
}

#[test]
fn needs_information_lists_what_could_decide_and_nothing_else() {
    // Age and screening both unknown: recording both could admit self-referral. Age decides
    // two pathways, so it comes first; `since overdose.at` cannot be read without an overdose.
    let d = route(&format!(r#"{{{AT},"source":"on_view"}}"#));
    assert_eq!(
        needs(&d),
        [
            (
                "age",
                vec![Pathway::SelfReferral, Pathway::ActiveOutreach],
                vec![]
            ),
            ("overdose", vec![Pathway::NaloxonePlus], vec![]),
            ("attributes.screened", vec![Pathway::SelfReferral], vec![]),
            (
                "attributes.note",
                vec![Pathway::FirstResponderReferral],
                vec![]
            ),
        ]
    );
    assert!(
        d.explain()
            .contains("Record `age` to decide self referral and active outreach.")
    );
    // A known false clause decides: a minor cannot be admitted whatever the screening says.
    let d = route(&format!(r#"{{{AT},"source":"outreach","age":16}}"#));
    assert!(
        !needs(&d).iter().any(|(f, ..)| *f == "attributes.screened"),
        "{:?}",
        needs(&d)
    );
    // An exclusion that holds rules the pathway out: nothing it reads is needed.
    let d = route(&format!(
        r#"{{{AT},"source":"on_view","consent":"declined","attributes":{{"note":"x"}}}}"#
    ));
    assert!(
        !needs(&d)
            .iter()
            .any(|(_, p, _)| p.contains(&Pathway::SelfReferral)),
        "{:?}",
        needs(&d)
    );
}

#[test]
fn an_unchecked_exclusion_warns_only_when_it_could_change_the_decision() {
    // Self-referral would admit: the unknown consent could exclude it.
    let d = route(&format!(
        r#"{{{AT},"source":"on_view","age":30,"attributes":{{"screened":true}}}}"#
    ));
    assert_eq!(d.eligible[0].pathway, Pathway::SelfReferral);
    assert_eq!(
        d.warnings
            .iter()
            .filter(|w| w.code == WarningCode::ExclusionUnknown)
            .count(),
        1
    );
    assert_eq!(
        needs(&d)[0],
        ("consent", vec![Pathway::SelfReferral], vec!["declined"])
    );
    // Not screened: the pathway is out anyway, so the exclusion is not worth a warning.
    let d = route(&format!(
        r#"{{{AT},"source":"on_view","age":30,"attributes":{{"screened":false}}}}"#
    ));
    assert!(
        d.warnings
            .iter()
            .all(|w| w.code != WarningCode::ExclusionUnknown)
    );
    assert!(!needs(&d).iter().any(|(f, ..)| *f == "consent"));
}

#[test]
fn a_trace_holds_every_rule_with_its_values_and_the_same_decision() {
    let router = Router::new(Program::from_toml(PROGRAM, "p.toml").unwrap());
    let e = Encounter::from_json(&format!(
        r#"{{{AT},"source":"on_view","age":30,"attributes":{{"screened":false}}}}"#
    ))
    .unwrap();
    let t = router.trace(&e);
    assert_eq!(t.decision, router.route(&e));
    assert_eq!(t.pathways.len(), 5);
    let self_referral = &t.pathways[1];
    // The exclusion left out of the decision is in the trace.
    assert_eq!(self_referral.exclusions[0].result, Truth::Unknown);
    let adult = &self_referral.rules[0];
    assert_eq!(adult.result, Truth::False);
    assert_eq!(adult.clauses.len(), 2);
    assert_eq!(adult.clauses[0].value.as_deref(), Some("30"));
    assert_eq!(adult.clauses[1].result, Truth::False);
    let text = t.explain();
    assert!(text.contains("rule `adult`: false"), "{text}");
    let back: Trace = serde_json::from_str(&t.to_json().unwrap()).unwrap();
    assert_eq!(back, t);
}

#[test]
fn the_header_says_how_the_intercept_was_decided() {
    let d = route(r#"{"id":"e","at":"2026-03-05T10:00:00Z","source":"on_view"}"#);
    assert_eq!(d.intercept_basis, InterceptBasis::AssumedPolice);
    assert!(d.explain().contains(
        "at intercept 1 (law enforcement; no responder recorded: assumed police contact (call for service or on view))"
    ));
    let d = route(r#"{"id":"e","at":"2026-03-05T10:00:00Z","responder":"co_responder"}"#);
    assert!(
        d.explain()
            .contains("(law enforcement; police contact (co-responder))")
    );
}
