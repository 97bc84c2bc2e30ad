//! offramp's HSDS export against Open Referral's own HSDS 3.0 JSON Schemas
//! (`tests/fixtures/hsds-3.0/schema/`, CC BY-SA 4.0; see the README beside them).
//!
//! Every example directory and every HSDS example with services is loaded, exported, and each
//! exported service validated against `service.json`. The schemas refer to one another by
//! file name; they are all put in one registry under one base, so nothing is fetched.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use offramp::providers::hsds::to_hsds_json;
use offramp::providers::hsds::{LoadOptions, Loaded, from_datapackage, from_json_str};
use serde_json::Value;

/// Where the schemas say they live; used only as a name, never fetched.
const BASE: &str = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds-3.0")
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/providers")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect();
    files.sort();
    files
}

/// A validator for one HSDS service, with every schema file registered under [`BASE`].
fn service_validator() -> jsonschema::Validator {
    let mut registry = jsonschema::Registry::new();
    for path in json_files(&fixtures().join("schema")) {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        registry = registry.add(format!("{BASE}{name}"), schema).unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .with_registry(&registry)
        .build(&serde_json::json!({"$ref": format!("{BASE}service.json")}))
        .unwrap()
}

/// Exports what was loaded and returns every schema error, each as `file: service: path: error`.
fn export_errors(validator: &jsonschema::Validator, name: &str, loaded: &Loaded) -> Vec<String> {
    let exported = to_hsds_json(&loaded.organizations, &loaded.services);
    let services = exported.as_array().unwrap();
    assert_eq!(services.len(), loaded.services.len(), "{name}");
    let mut errors = Vec::new();
    for s in services {
        for e in validator.iter_errors(s) {
            errors.push(format!(
                "{name}: service {}: {}: {e}",
                s["id"],
                e.instance_path()
            ));
        }
    }
    errors
}

#[test]
fn the_schemas_refuse_what_they_should() {
    // The validator is not vacuous: a service without its required fields fails.
    let v = service_validator();
    assert!(v.is_valid(&serde_json::json!({"id": "s", "name": "n", "status": "active"})));
    assert!(!v.is_valid(&serde_json::json!({"id": "s", "name": "n"})));
    assert!(!v.is_valid(&serde_json::json!({
        "id": "s", "name": "n", "status": "active", "organization": {"id": "o", "name": "n"}
    })));
}

#[test]
fn every_example_directory_exports_valid_hsds() {
    let validator = service_validator();
    let mut errors = Vec::new();
    let mut services = 0;
    for path in json_files(&examples_dir()) {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let loaded = from_json_str(&text, &name, &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        services += loaded.services.len();
        errors.extend(export_errors(&validator, &name, &loaded));
    }
    assert!(services > 0);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_hsds_examples_export_valid_hsds() {
    let validator = service_validator();
    let mut errors = Vec::new();
    let mut services = 0;
    for path in json_files(&fixtures()) {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let loaded = from_json_str(&text, &name, &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        services += loaded.services.len();
        errors.extend(export_errors(&validator, &name, &loaded));
    }
    let package = from_datapackage(&fixtures().join("csv"), &LoadOptions::default()).unwrap();
    services += package.services.len();
    errors.extend(export_errors(&validator, "csv/datapackage.json", &package));
    assert!(services > 0);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
