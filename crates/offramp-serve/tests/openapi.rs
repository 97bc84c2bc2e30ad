//! `/openapi.json` and `/docs`: the document describes every endpoint the router serves (and
//! only those, with their methods), embeds the core's JSON Schemas with every reference
//! resolving, agrees with docs/serve.md's table of endpoints, and the page is served.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn document(addr: std::net::SocketAddr) -> Value {
    let reply = request(addr, "GET", "/openapi.json", &[], b"");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.header("content-type").starts_with("application/json"));
    reply.json()
}

/// Every (METHOD, path) the document describes.
fn described(doc: &Value) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            all.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    all
}

#[test]
fn the_document_is_openapi_3_1_and_every_described_route_is_served_and_no_other_method() {
    let temp = Temp::new("openapi-routes");
    let running = start(&temp, &config_text(&temp, &["lead-king-county.toml"], ""));
    let addr = running.address();
    let doc = document(addr);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    assert_eq!(doc["info"]["title"], "offramp serve");
    let described = described(&doc);
    assert!(described.len() >= 13, "{described:?}");
    let paths: BTreeSet<&String> = described.iter().map(|(_, p)| p).collect();
    for path in paths {
        for method in METHODS {
            // No token and no body: a served route answers 200, 401, 400 or 415, never 404;
            // a method the document does not list for the path is 405.
            let reply = request(addr, method, path, &[], b"");
            let listed = described.contains(&(method.to_string(), path.clone()));
            if listed {
                assert!(
                    reply.status != 404 && reply.status != 405,
                    "{method} {path} is described but answers {}",
                    reply.status
                );
            } else {
                assert_eq!(
                    reply.status, 405,
                    "{method} {path} is served but not described"
                );
            }
        }
    }
    // Routes that must be there, whichever way the table changes.
    for (method, path) in [
        ("POST", "/v1/route"),
        ("POST", "/v1/explain"),
        ("POST", "/v1/trace"),
        ("POST", "/v1/needs-information"),
        ("GET", "/v1/programs"),
        ("POST", "/v1/programs"),
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
    ] {
        assert!(
            described.contains(&(method.into(), path.into())),
            "{method} {path}"
        );
    }
    running.stop().unwrap();
}

/// Every `$ref` in the value, with where it is.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push((at.to_string(), v.as_str().unwrap().to_string()));
                } else {
                    refs(v, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn security_bodies_and_schemas_are_described_and_every_reference_resolves() {
    let temp = Temp::new("openapi-schemas");
    let running = start(&temp, &config_text(&temp, &["lead-king-county.toml"], ""));
    let doc = document(running.address());
    running.stop().unwrap();

    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let route = &doc["paths"]["/v1/route"]["post"];
    assert_eq!(route["security"][0]["bearer"], serde_json::json!([]));
    assert_eq!(route["x-offramp-scope"], "route");
    assert_eq!(
        route["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Encounter"
    );
    assert_eq!(
        route["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Decision"
    );
    assert_eq!(
        route["responses"]["400"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
    assert_eq!(
        doc["paths"]["/healthz"]["get"]["security"],
        serde_json::json!([])
    );
    assert_eq!(
        doc["paths"]["/v1/capacity"]["post"]["x-offramp-scope"],
        "admin"
    );

    // The core's schemas, as `offramp schema` prints them, are embedded (not copied by hand).
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (name, kind) in [
        ("Encounter", offramp::schema::SchemaKind::Encounter),
        ("Decision", offramp::schema::SchemaKind::Decision),
        ("Trace", offramp::schema::SchemaKind::Trace),
        ("Program", offramp::schema::SchemaKind::Program),
    ] {
        let core = offramp::schema::json_schema(kind);
        let embedded = &schemas[name];
        assert_eq!(embedded["title"], core["title"], "{name}");
        assert_eq!(embedded["required"], core["required"], "{name}");
        let keys = |v: &Value| -> BTreeSet<String> {
            v["properties"]
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(keys(embedded), keys(&core), "{name}");
        assert!(embedded.get("$defs").is_none(), "{name} keeps its $defs");
    }
    // A type the schemas share is embedded once: the trace's decision is the Decision.
    assert_eq!(
        schemas["Trace"]["properties"]["decision"]["$ref"],
        "#/components/schemas/Decision"
    );
    assert_eq!(schemas["NeedsInformation"]["type"], "array");
    assert!(
        schemas["Problem"]["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "code")
    );

    let mut all = Vec::new();
    refs(&doc, "", &mut all);
    assert!(all.len() > 20, "{}", all.len());
    for (at, target) in all {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{at}: {target} points outside components/schemas"));
        assert!(
            schemas.contains_key(name),
            "{at}: {target} does not resolve"
        );
    }
}

#[test]
fn docs_serve_md_lists_the_same_endpoints_as_the_document() {
    let temp = Temp::new("openapi-docs-md");
    let running = start(&temp, &config_text(&temp, &["lead-king-county.toml"], ""));
    let doc = document(running.address());
    running.stop().unwrap();
    let guide = std::fs::read_to_string(examples().join("../docs/serve.md")).unwrap();
    // The table's rows start with | `METHOD /path` (and the route row twice, JSON and lines).
    let listed: BTreeSet<(String, String)> = guide
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(m, _)| m))
        .filter_map(|m| m.split_once(' '))
        .filter(|(method, _)| METHODS.contains(method))
        .map(|(method, path)| {
            let path = path.split('?').next().unwrap();
            (method.to_string(), path.to_string())
        })
        .collect();
    assert_eq!(
        listed,
        described(&doc),
        "docs/serve.md's table and /openapi.json differ"
    );
}

#[test]
fn the_page_is_served_and_reads_the_document() {
    let temp = Temp::new("openapi-page");
    let running = start(&temp, &config_text(&temp, &["lead-king-county.toml"], ""));
    let reply = request(running.address(), "GET", "/docs", &[], b"");
    running.stop().unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").starts_with("text/html"));
    assert!(reply.body.contains("fetch(\"openapi.json\")"));
    // Self-contained: nothing is loaded from another host.
    assert!(!reply.body.contains("http://") && !reply.body.contains("https://"));
    assert!(
        reply
            .header("content-security-policy")
            .contains("default-src 'none'")
    );
}
