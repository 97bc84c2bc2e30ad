//! Tests of the plain-Rust layer on the host; `tests/node.test.mjs` tests the JavaScript one.

use super::*;

const LEAD: &str = include_str!("../../../../examples/programs/lead-king-county.toml");
const LEAD_ENCOUNTERS: &str =
    include_str!("../../../../examples/encounters/lead-king-county.jsonl");

fn first_encounter() -> &'static str {
    LEAD_ENCOUNTERS
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("{}")
}

#[test]
fn a_good_program_checks_with_no_errors() {
    let json = check_json(LEAD).unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(items.iter().all(|i| i["severity"] == "warning"), "{json}");
}

#[test]
fn a_broken_program_is_placed_by_line_and_column() {
    let broken = LEAD.replacen("[program]", "[program]\nid = ", 1);
    let json = check_json(&broken).unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let first = &items[0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], PROGRAM_NAME);
    assert!(first["line"].as_u64().unwrap() > 0, "{json}");
    assert!(first["column"].as_u64().unwrap() > 0, "{json}");
}

#[test]
fn route_is_the_core_decision_as_json() {
    let router = Router::new(Program::from_toml(LEAD, "x").unwrap());
    let want = router
        .route(&Encounter::from_json(first_encounter()).unwrap())
        .to_json()
        .unwrap();
    assert_eq!(route_json(LEAD, first_encounter()).unwrap(), want);
    assert!(explain_text(LEAD, first_encounter()).unwrap().contains(' '));
    assert!(
        trace_json(LEAD, first_encounter())
            .unwrap()
            .starts_with('{')
    );
    assert!(
        trace_text(LEAD, first_encounter())
            .unwrap()
            .contains("Trace:")
    );
}

#[test]
fn a_bad_encounter_names_its_field() {
    match route_json(
        LEAD,
        r#"{"id": "e-1", "at": "2026-03-02T14:05:00-08:00", "age": "old"}"#,
    ) {
        Err(Problem::Encounter(e)) => assert_eq!(e.field(), "age"),
        other => panic!("expected an encounter error, got {other:?}"),
    }
    assert!(matches!(
        route_json("[program", "{}"),
        Err(Problem::Program(_))
    ));
}
