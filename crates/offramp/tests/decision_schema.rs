//! The decision and trace records validate against the JSON Schemas `offramp schema` prints,
//! for every example program and each of its example and scenario encounters: the schemas are
//! a contract with the systems that store decisions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use offramp::schema::{SchemaKind, json_schema};
use offramp::{Encounter, Program, Router};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every encounter the examples and the scenario files hold, with the program it is for.
fn cases() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("tests/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let file: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // The program is named relative to the scenario file.
        let program = path
            .parent()
            .unwrap()
            .join(file["program"].as_str().unwrap());
        for s in file["scenario"].as_array().unwrap() {
            out.push((
                program.clone(),
                s["encounter"].as_str().unwrap().to_string(),
            ));
        }
    }
    for entry in std::fs::read_dir(root().join("examples/encounters")).unwrap() {
        let path = entry.unwrap().path();
        let program = root()
            .join("examples/programs")
            .join(path.with_extension("toml").file_name().unwrap());
        if !program.exists() {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if Encounter::from_json(line).is_ok() {
                out.push((program.clone(), line.to_string()));
            }
        }
    }
    out
}

#[test]
fn decisions_and_traces_match_their_schemas() {
    let decision = jsonschema::validator_for(&json_schema(SchemaKind::Decision)).unwrap();
    let trace = jsonschema::validator_for(&json_schema(SchemaKind::Trace)).unwrap();
    let mut checked = 0;
    let mut with_evidence = 0;
    let mut with_needs = 0;
    for (program, json) in cases() {
        let router = Router::new(Program::from_file(&program).unwrap());
        let e = Encounter::from_json(&json).unwrap();
        let d: Value = serde_json::from_str(&router.route(&e).to_json().unwrap()).unwrap();
        let errors: Vec<String> = decision.iter_errors(&d).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}\n{d}", program.display());
        let t: Value = serde_json::from_str(&router.trace(&e).to_json().unwrap()).unwrap();
        let errors: Vec<String> = trace.iter_errors(&t).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", program.display());
        checked += 1;
        with_evidence += usize::from(d.to_string().contains("\"evidence\""));
        with_needs += usize::from(!d["needs_information"].as_array().unwrap().is_empty());
    }
    // The cases reach what the schemas describe: evidence and needs_information included.
    assert!(checked > 100, "{checked}");
    assert!(with_evidence > 50, "{with_evidence}");
    assert!(with_needs > 10, "{with_needs}");
}

/// The shipped scenario files validate against `offramp schema scenarios`, and a file with a
/// misspelt key does not.
#[test]
fn scenario_files_match_their_schema() {
    let schema = jsonschema::validator_for(&json_schema(SchemaKind::Scenarios)).unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("tests/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let file: Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = schema.iter_errors(&file).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        checked += 1;
    }
    assert_eq!(checked, 10);
    let misspelt: Value = serde_json::json!({"scenario": [{"name": "x", "encounter": "{}",
        "disposition": "none", "eligible": [], "elegible": []}]});
    assert!(!schema.is_valid(&misspelt));
}
