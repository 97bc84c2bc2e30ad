//! The route table: every endpoint once, with its handler and its description. The router is
//! built from this table and so is the OpenAPI 3.1 document served at `/openapi.json`, so an
//! endpoint cannot be served without being described. `/docs` is a page that renders the
//! document (no script or style from elsewhere: it works without internet).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::routing::MethodRouter;
use offramp::schema::{SchemaKind, json_schema};
use serde_json::{Map, Value, json};

use super::{
    Shared, answer, explain, healthz, metrics, needs_information, partners, programs, route, trace,
};

/// The HTTP method of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verb {
    Get,
    Post,
}

impl Verb {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
        }
    }
}

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Access {
    /// Anyone: no token.
    Open,
    /// A token of any scope.
    AnyToken,
    /// A token with the `route` scope.
    Route,
    /// A token with the `admin` scope.
    Admin,
}

type Handler = fn(MethodRouter<Arc<Shared>>) -> MethodRouter<Arc<Shared>>;

/// A request or response body: its media type and schema.
type Content = Vec<(&'static str, Value)>;

/// One endpoint: the method and path the router serves, the handler, and what the OpenAPI
/// document says of it.
pub(super) struct Endpoint {
    pub(super) verb: Verb,
    pub(super) path: &'static str,
    handler: Handler,
    access: Access,
    summary: &'static str,
    description: &'static str,
    /// Query parameters: name, schema and description.
    query: Vec<(&'static str, Value, &'static str)>,
    /// The request body, when the endpoint reads one.
    request: Option<Content>,
    /// The answer on success: its status, description and body.
    ok: (u16, &'static str, Content),
    /// The problem statuses the endpoint answers with, besides the ones every request may get
    /// (413, 503 for a timeout, 500).
    problems: &'static [u16],
}

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn text() -> Value {
    json!({ "type": "string" })
}

/// The `?program=ID` parameter of the routing endpoints.
fn program_query() -> Vec<(&'static str, Value, &'static str)> {
    vec![(
        "program",
        text(),
        "The id of the program that decides; may be left out when one program is loaded.",
    )]
}

/// Every endpoint, in the order of docs/serve.md's table.
pub(super) fn endpoints() -> Vec<Endpoint> {
    const ROUTING: &[u16] = &[400, 401, 403, 404, 415];
    vec![
        Endpoint {
            verb: Verb::Post,
            path: "/v1/route",
            handler: |m| m.post(route),
            access: Access::Route,
            summary: "Route one encounter, or a JSON-lines batch",
            description: "One encounter (`application/json`) gives its decision record, the bytes `offramp route` prints. A batch (`application/x-ndjson`, one encounter a line) gives one line per line sent: the decision, `{\"error\":{\"line\",\"column\",\"field\",\"message\"}}` for a line that is not an encounter, or a blank line; headers `X-Offramp-Routed` and `X-Offramp-Failed` count them. Every decision is written to the audit log before the answer.",
            query: program_query(),
            request: Some(vec![
                ("application/json", schema("Encounter")),
                (
                    "application/x-ndjson",
                    json!({ "type": "string", "description": "One encounter (see Encounter) a line." }),
                ),
            ]),
            ok: (
                200,
                "The decision, or one answer line per line sent.",
                vec![
                    ("application/json", schema("Decision")),
                    (
                        "application/x-ndjson",
                        json!({ "type": "string", "description": "One line per line sent: a Decision, an error record or blank." }),
                    ),
                ],
            ),
            problems: ROUTING,
        },
        Endpoint {
            verb: Verb::Post,
            path: "/v1/explain",
            handler: |m| m.post(explain),
            access: Access::Route,
            summary: "Explain the decision for one encounter in sentences",
            description: "The decision in sentences, as `offramp explain` prints it. The decision is logged.",
            query: program_query(),
            request: Some(vec![("application/json", schema("Encounter"))]),
            ok: (200, "The explanation.", vec![("text/plain", text())]),
            problems: ROUTING,
        },
        Endpoint {
            verb: Verb::Post,
            path: "/v1/trace",
            handler: |m| m.post(trace),
            access: Access::Route,
            summary: "Trace every rule, exclusion and amnesty for one encounter",
            description: "Every rule, exclusion and amnesty with its result, as `offramp explain --trace --format json` prints it. The decision is logged.",
            query: program_query(),
            request: Some(vec![("application/json", schema("Encounter"))]),
            ok: (
                200,
                "The trace.",
                vec![("application/json", schema("Trace"))],
            ),
            problems: ROUTING,
        },
        Endpoint {
            verb: Verb::Post,
            path: "/v1/needs-information",
            handler: |m| m.post(needs_information),
            access: Access::Route,
            summary: "The fields not recorded that could change the decision",
            description: "The decision's `needs_information`, most decisive first. The decision is logged.",
            query: program_query(),
            request: Some(vec![("application/json", schema("Encounter"))]),
            ok: (
                200,
                "The fields, most decisive first.",
                vec![("application/json", schema("NeedsInformation"))],
            ),
            problems: ROUTING,
        },
        Endpoint {
            verb: Verb::Get,
            path: "/v1/programs",
            handler: |m| m.get(programs),
            access: Access::Route,
            summary: "The programs loaded",
            description: "Each program's id, version and content hash, in the configuration's order.",
            query: Vec::new(),
            request: None,
            ok: (
                200,
                "The programs.",
                vec![("application/json", schema("Programs"))],
            ),
            problems: &[401, 403],
        },
        Endpoint {
            verb: Verb::Post,
            path: "/v1/programs",
            handler: |m| m.post(programs::load),
            access: Access::Admin,
            summary: "Load a program version",
            description: "The program file's text, checked as `offramp check` checks it. It replaces the loaded program with the same id, or is added. A program that does not load changes nothing and is answered with 422 and its diagnostics.",
            query: Vec::new(),
            request: Some(vec![
                ("application/toml", text()),
                ("application/json", schema("Program")),
            ]),
            ok: (
                200,
                "The program now in force.",
                vec![("application/json", schema("LoadedProgram"))],
            ),
            problems: &[400, 401, 403, 415, 422],
        },
        Endpoint {
            verb: Verb::Get,
            path: "/v1/services/open",
            handler: |m| m.get(partners::open_services),
            access: Access::Route,
            summary: "The partner services open at a time",
            description: "The partner services open at `at` and until when, as `offramp providers open` lists them. Needs a provider directory in the configuration.",
            query: vec![(
                "at",
                json!({ "type": "string", "format": "date-time" }),
                "RFC 3339 with its offset (`+` written `%2B`); now when left out.",
            )],
            request: None,
            ok: (
                200,
                "The services open.",
                vec![("application/json", schema("OpenServices"))],
            ),
            problems: &[400, 401, 403, 409],
        },
        Endpoint {
            verb: Verb::Get,
            path: "/v1/capacity",
            handler: |m| m.get(partners::get_capacity),
            access: Access::Admin,
            summary: "Every partner service's capacity",
            description: "The capacity of each partner service as routing uses it now.",
            query: Vec::new(),
            request: None,
            ok: (
                200,
                "The capacity board.",
                vec![("application/json", schema("CapacityBoard"))],
            ),
            problems: &[401, 403, 409],
        },
        Endpoint {
            verb: Verb::Post,
            path: "/v1/capacity",
            handler: |m| m.post(partners::post_capacity),
            access: Access::Admin,
            summary: "Update many services' capacity at once",
            description: "All or nothing: a service the directory does not have refuses the whole request. Decisions made after the answer use the new figures.",
            query: Vec::new(),
            request: Some(vec![("application/json", schema("CapacityUpdates"))]),
            ok: (
                200,
                "How many services were updated.",
                vec![(
                    "application/json",
                    json!({ "type": "object", "required": ["updated"], "properties": { "updated": { "type": "integer", "minimum": 0 } } }),
                )],
            ),
            problems: &[400, 401, 403, 409, 415, 422],
        },
        Endpoint {
            verb: Verb::Get,
            path: "/healthz",
            handler: |m| m.get(healthz),
            access: Access::Open,
            summary: "Whether the service runs",
            description: "`ok` while the service runs.",
            query: Vec::new(),
            request: None,
            ok: (200, "It runs.", vec![("text/plain", text())]),
            problems: &[],
        },
        Endpoint {
            verb: Verb::Get,
            path: "/metrics",
            handler: |m| m.get(metrics),
            access: Access::AnyToken,
            summary: "Counters in the Prometheus text format",
            description: "Requests by endpoint and status, decisions logged, and audit log appends that failed.",
            query: Vec::new(),
            request: None,
            ok: (200, "The counters.", vec![("text/plain", text())]),
            problems: &[401],
        },
        Endpoint {
            verb: Verb::Get,
            path: "/openapi.json",
            handler: |m| m.get(openapi),
            access: Access::Open,
            summary: "This document (OpenAPI 3.1)",
            description: "Every endpoint, its security, and its request and response bodies.",
            query: Vec::new(),
            request: None,
            ok: (
                200,
                "The OpenAPI document.",
                vec![("application/json", json!({ "type": "object" }))],
            ),
            problems: &[],
        },
        Endpoint {
            verb: Verb::Get,
            path: "/docs",
            handler: |m| m.get(docs),
            access: Access::Open,
            summary: "A page that lists the endpoints of this document",
            description: "A self-contained HTML page that reads `/openapi.json` and lists each endpoint with its scope and bodies.",
            query: Vec::new(),
            request: None,
            ok: (200, "The page.", vec![("text/html", text())]),
            problems: &[],
        },
    ]
}

/// The router over every endpoint of the table, the handlers of one path on one route.
pub(super) fn router() -> axum::Router<Arc<Shared>> {
    let mut paths: BTreeMap<&'static str, MethodRouter<Arc<Shared>>> = BTreeMap::new();
    for endpoint in endpoints() {
        let methods = paths.remove(endpoint.path).unwrap_or_default();
        paths.insert(endpoint.path, (endpoint.handler)(methods));
    }
    paths
        .into_iter()
        .fold(axum::Router::new(), |router, (path, methods)| {
            router.route(path, methods)
        })
}

async fn openapi(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
) -> axum::response::Response {
    answer("application/json", shared.openapi.clone())
}

async fn docs() -> axum::response::Response {
    let mut response = answer("text/html; charset=utf-8", DOCS_PAGE.to_string());
    response.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        ),
    );
    response
}

/// The page at `/docs`.
const DOCS_PAGE: &str = include_str!("docs.html");

/// The problem statuses every request may get besides an endpoint's own.
const ANY_REQUEST: &[u16] = &[413, 500, 503];

fn reason(status: u16) -> &'static str {
    match status {
        400 => "The request or the encounter cannot be read (invalid-encounter, bad-request).",
        401 => "No bearer token, or one the configuration does not hold.",
        403 => "The token lacks the endpoint's scope.",
        404 => "No loaded program has the id in `?program=`.",
        409 => "The service was started without a provider directory.",
        413 => "The body is larger than `limits.max_body_bytes`.",
        415 => "The `Content-Type` is not one the endpoint reads.",
        422 => {
            "The program does not load, or the update names an unknown service; nothing changed."
        }
        500 => "A bug in offramp.",
        503 => {
            "No answer in time, or the audit log cannot be written (nothing unlogged is answered)."
        }
        _ => "A problem.",
    }
}

/// The OpenAPI 3.1 document of every endpoint in the table, as JSON text.
pub(super) fn document() -> String {
    let mut paths: BTreeMap<&'static str, Map<String, Value>> = BTreeMap::new();
    for e in endpoints() {
        let mut op = Map::new();
        op.insert(
            "operationId".into(),
            json!(format!(
                "{}{}",
                e.verb.as_str(),
                e.path.replace(['/', '-', '.'], "_")
            )),
        );
        op.insert("summary".into(), json!(e.summary));
        let (security, scope) = match e.access {
            Access::Open => (json!([]), None),
            Access::AnyToken => (json!([{ "bearer": [] }]), Some("any")),
            Access::Route => (json!([{ "bearer": [] }]), Some("route")),
            Access::Admin => (json!([{ "bearer": [] }]), Some("admin")),
        };
        let description = match scope {
            Some(s) => format!("{}\n\nToken scope: `{s}`.", e.description),
            None => format!("{}\n\nNo token needed.", e.description),
        };
        op.insert("description".into(), json!(description));
        op.insert("security".into(), security);
        if let Some(s) = scope {
            op.insert("x-offramp-scope".into(), json!(s));
        }
        if !e.query.is_empty() {
            let params: Vec<Value> = e
                .query
                .iter()
                .map(|(name, schema, description)| {
                    json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": description })
                })
                .collect();
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(request) = &e.request {
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": content(request) }),
            );
        }
        let mut responses = Map::new();
        let (status, description, body) = &e.ok;
        responses.insert(
            status.to_string(),
            json!({ "description": description, "content": content(body) }),
        );
        let any: &[u16] = if e.access == Access::Open {
            &[]
        } else {
            ANY_REQUEST
        };
        for status in e.problems.iter().chain(any) {
            responses.insert(
                status.to_string(),
                json!({ "description": reason(*status), "content": { "application/problem+json": { "schema": schema("Problem") } } }),
            );
        }
        op.insert("responses".into(), Value::Object(responses));
        paths
            .entry(e.path)
            .or_default()
            .insert(e.verb.as_str().into(), Value::Object(op));
    }
    let document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "offramp serve",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Routing of first-responder encounters to diversion pathways as a local HTTP service. Every decision is written to a tamper-evident audit log before it is answered. Errors are problem details (RFC 9457). See docs/serve.md in the offramp repository.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A secret whose SHA-256 the configuration's `[[tokens]]` hold; each token has scopes (`route`, `admin`).",
                }
            },
            "schemas": schemas(),
        },
    });
    serde_json::to_string(&document).unwrap_or_default()
}

fn content(body: &Content) -> Value {
    let mut map = Map::new();
    for (media, schema) in body {
        map.insert((*media).to_string(), json!({ "schema": schema }));
    }
    Value::Object(map)
}

/// The components' schemas: the core's JSON Schemas of the encounter, decision, trace and
/// program (as `offramp schema` prints them), their `$defs` moved beside them, and the
/// service's own bodies.
fn schemas() -> Map<String, Value> {
    let mut all = Map::new();
    for (name, kind) in [
        ("Encounter", SchemaKind::Encounter),
        ("Decision", SchemaKind::Decision),
        ("Trace", SchemaKind::Trace),
        ("Program", SchemaKind::Program),
    ] {
        embed(&mut all, name, json_schema(kind));
    }
    let needs = all
        .get("Decision")
        .and_then(|d| d.pointer("/properties/needs_information"))
        .cloned()
        .unwrap_or_else(|| json!({ "type": "array" }));
    all.insert("NeedsInformation".into(), needs);
    let own = json!({
        "Problem": {
            "type": "object",
            "description": "A problem document (RFC 9457). No member repeats a value that was sent.",
            "required": ["type", "title", "status", "detail", "code"],
            "properties": {
                "type": { "type": "string", "format": "uri", "description": "A link to the problem type's entry in docs/serve.md." },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
                "code": { "type": "string", "description": "offramp's error code, as the command's errors carry (`offramp::encounter`)." },
                "field": { "type": "string", "description": "The field at fault (`age`, `offenses[0].nibrs`)." },
                "line": { "type": "integer", "minimum": 1 },
                "column": { "type": "integer", "minimum": 1 },
                "diagnostics": { "type": "array", "description": "Every problem of a program that does not load, as `offramp check` prints them.", "items": { "type": "object" } },
            },
        },
        "Programs": {
            "type": "object",
            "required": ["programs"],
            "properties": {
                "programs": { "type": "array", "items": {
                    "type": "object",
                    "required": ["id", "version", "hash"],
                    "properties": {
                        "id": { "type": "string" },
                        "version": { "type": ["string", "null"] },
                        "hash": { "type": "string" },
                    },
                } },
            },
        },
        "LoadedProgram": {
            "type": "object",
            "required": ["id", "version", "hash", "replaced", "warnings"],
            "properties": {
                "id": { "type": "string" },
                "version": { "type": ["string", "null"] },
                "hash": { "type": "string" },
                "replaced": { "type": ["string", "null"], "description": "The hash of the version replaced." },
                "warnings": { "type": "array", "items": { "type": "object" } },
            },
        },
        "Capacity": {
            "type": ["object", "null"],
            "description": "The directory's capacity record, or null for no figure.",
            "required": ["available", "unit"],
            "properties": {
                "available": { "type": "integer", "minimum": 0 },
                "maximum": { "type": "integer", "minimum": 0 },
                "unit": { "type": "string" },
                "updated": { "type": "string", "format": "date-time" },
            },
        },
        "CapacityBoard": {
            "type": "object",
            "required": ["services"],
            "properties": {
                "services": { "type": "array", "items": {
                    "type": "object",
                    "required": ["service", "capacity"],
                    "properties": { "service": { "type": "string" }, "capacity": schema("Capacity") },
                } },
            },
        },
        "CapacityUpdates": {
            "type": "object",
            "required": ["updates"],
            "properties": {
                "updates": { "type": "array", "items": {
                    "type": "object",
                    "required": ["service", "capacity"],
                    "properties": { "service": { "type": "string", "description": "The service's id in the directory." }, "capacity": schema("Capacity") },
                } },
            },
        },
        "OpenServices": {
            "type": "object",
            "required": ["at", "services", "open"],
            "properties": {
                "at": { "type": "string", "format": "date-time" },
                "services": { "type": "integer", "description": "How many services the directory has." },
                "open": { "type": "array", "items": {
                    "type": "object",
                    "required": ["service", "name", "until"],
                    "properties": {
                        "service": { "type": "string" },
                        "name": { "type": "string" },
                        "until": { "type": ["string", "null"], "format": "date-time" },
                    },
                } },
            },
        },
    });
    if let Value::Object(own) = own {
        all.extend(own);
    }
    all
}

/// Puts a JSON Schema under `name`, moving its `$defs` beside it (each under its own name, or
/// `NAME.DEF` when another schema already has that name for something else) and pointing its
/// references there.
fn embed(all: &mut Map<String, Value>, name: &str, mut schema: Value) {
    let defs = schema
        .as_object_mut()
        .and_then(|o| {
            o.remove("$schema");
            o.remove("$defs")
        })
        .and_then(|d| match d {
            Value::Object(d) => Some(d),
            _ => None,
        })
        .unwrap_or_default();
    // Each definition keeps its name when that is free or holds the same schema (compared
    // with its references pointed as they will be); renaming one can make another that
    // refers to it differ, so this repeats until no name changes.
    let mut names: BTreeMap<String, String> = defs.keys().map(|d| (d.clone(), d.clone())).collect();
    loop {
        let mut changed = false;
        for (def, value) in &defs {
            if names.get(def) != Some(def) {
                continue;
            }
            let mut pointed = value.clone();
            point(&mut pointed, &names);
            if def == name || all.get(def).is_some_and(|v| !same(v, &pointed)) {
                names.insert(def.clone(), format!("{name}.{def}"));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut moved = Vec::with_capacity(defs.len());
    for (def, mut value) in defs {
        point(&mut value, &names);
        moved.push((names.get(&def).cloned().unwrap_or(def), value));
    }
    point(&mut schema, &names);
    all.insert(name.to_string(), schema);
    for (target, value) in moved {
        // One already there is the same schema (with its title, when it was embedded whole).
        all.entry(target).or_insert(value);
    }
}

/// Whether two schemas are the same but for their `title` (a schema printed on its own has
/// one; the same schema as another's definition has not).
fn same(a: &Value, b: &Value) -> bool {
    let untitled = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("title");
        }
        v
    };
    untitled(a) == untitled(b)
}

/// Rewrites every `#/$defs/X` reference to the component it was moved to.
fn point(value: &mut Value, names: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    if let Some(def) = v.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                        let target = names.get(def).map_or(def, String::as_str);
                        *v = json!(format!("#/components/schemas/{target}"));
                    }
                } else {
                    point(v, names);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| point(v, names)),
        _ => {}
    }
}
