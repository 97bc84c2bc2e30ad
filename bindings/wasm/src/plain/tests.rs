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

/// A test's failure, as text: the tests report errors through `?` rather than unwrapping.
type Outcome = Result<(), String>;

/// A result with its error made into text, for `?` in tests.
fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| format!("{e:?}"))
}

#[test]
fn a_good_program_checks_with_no_errors() -> Outcome {
    let json = ok(check_json(LEAD))?;
    let items: Vec<serde_json::Value> = ok(serde_json::from_str(&json))?;
    assert!(items.iter().all(|i| i["severity"] == "warning"), "{json}");
    Ok(())
}

#[test]
fn a_broken_program_is_placed_by_line_and_column() -> Outcome {
    let broken = LEAD.replacen("[program]", "[program]\nid = ", 1);
    let json = ok(check_json(&broken))?;
    let items: Vec<serde_json::Value> = ok(serde_json::from_str(&json))?;
    let first = items.first().ok_or("no diagnostics")?;
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], PROGRAM_NAME);
    assert!(first["line"].as_u64() > Some(0), "{json}");
    assert!(first["column"].as_u64() > Some(0), "{json}");
    Ok(())
}

#[test]
fn route_is_the_core_decision_as_json() -> Outcome {
    let router = Router::new(ok(Program::from_toml(LEAD, "x"))?);
    let want = ok(router
        .route(&ok(Encounter::from_json(first_encounter()))?)
        .to_json())?;
    assert_eq!(ok(route_json(LEAD, first_encounter()))?, want);
    assert!(ok(explain_text(LEAD, first_encounter()))?.contains(' '));
    assert!(ok(trace_json(LEAD, first_encounter()))?.starts_with('{'));
    assert!(ok(trace_text(LEAD, first_encounter()))?.contains("Trace:"));
    Ok(())
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
