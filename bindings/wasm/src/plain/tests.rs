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

const KING_COUNTY: &str = include_str!("../../../../examples/providers/king-county.json");
const LEAD_SCENARIOS: &str = include_str!("../../../../tests/scenarios/lead-king-county.toml");

#[test]
fn a_directory_gives_partner_options_and_no_warnings() -> Outcome {
    let (router, warnings) = ok(router_with_directory(LEAD, KING_COUNTY))?;
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(router.has_directory());
    let mut partners = 0;
    for line in LEAD_ENCOUNTERS.lines().filter(|l| !l.trim().is_empty()) {
        if let Ok(json) = route_with(&router, line) {
            partners += usize::from(json.contains("\"providers\":[{"));
        }
    }
    assert!(partners > 0, "no decision offered a partner");
    Ok(())
}

#[test]
fn a_directory_that_does_not_load_is_placed() {
    match router_with_directory(LEAD, "[\n  {\"id\": }\n]") {
        Err(Problem::Directory(e)) => {
            let d = e.diagnostic();
            assert_eq!((d.file.as_str(), d.line, d.column), (DIRECTORY_NAME, 2, 10));
        }
        other => panic!("expected a directory error, got {:?}", other.map(|r| r.1)),
    }
}

#[test]
fn needs_information_is_the_decisions_list() -> Outcome {
    let router = ok(router(LEAD))?;
    let line = first_encounter();
    let decision = router.route(&ok(Encounter::from_json(line))?);
    let want = ok(serde_json::to_string(&decision.needs_information))?;
    assert_eq!(ok(needs_information_with(&router, line))?, want);
    assert_eq!(ok(trace_with(&router, line))?, ok(trace_json(LEAD, line))?);
    Ok(())
}

#[test]
fn the_example_scenarios_pass_with_the_commands_text() -> Outcome {
    let json = ok(authoring::run_scenarios_json(LEAD, LEAD_SCENARIOS))?;
    let run: serde_json::Value = ok(serde_json::from_str(&json))?;
    assert_eq!(run["failed"], 0, "{json}");
    let passed = run["passed"].as_u64().ok_or("no count")?;
    assert!(passed > 0);
    let text = run["text"].as_str().ok_or("no text")?;
    assert!(
        text.ends_with(&format!("{passed} passed, 0 failed\n")),
        "{text}"
    );
    assert!(text.starts_with("ok   lead-king-county / "), "{text}");
    assert!(matches!(
        authoring::run_scenarios_json(LEAD, "[[scenario]]\nnope = 1\n"),
        Err(Problem::Scenarios(_))
    ));
    Ok(())
}

#[test]
fn the_analysis_and_its_map_answer_in_every_format() -> Outcome {
    let json: serde_json::Value = ok(serde_json::from_str(&ok(authoring::analyze_json(LEAD))?))?;
    assert!(json["encounters_examined"].as_u64() > Some(0), "{json}");
    assert!(ok(authoring::analyze_text(LEAD))?.ends_with('\n'));
    assert!(ok(authoring::map(LEAD, None))?.starts_with("<svg"));
    assert!(ok(authoring::map(LEAD, Some("mermaid")))?.contains("flowchart LR"));
    assert!(ok(authoring::map(LEAD, Some("html")))?.contains("<svg"));
    match authoring::map(LEAD, Some("png-secret")) {
        Err(Problem::Argument(m)) => assert!(!m.contains("secret") && m.contains("svg"), "{m}"),
        other => panic!("expected an argument error, got {other:?}"),
    }
    Ok(())
}
