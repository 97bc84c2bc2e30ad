//! The endpoints: routing under `/v1`, `/healthz` and `/metrics`, each request bounded in
//! size, time and how many run at once, each decision logged before it is answered. The
//! endpoints about partner providers are in `partners`; `routes` is the table of every
//! endpoint, which the router and the OpenAPI document (`/openapi.json`, `/docs`) are made from.

mod partners;
mod programs;
mod routes;

use std::future::Future;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use offramp::lines::{LineFailure, Lines, MAX_LINE_BYTES};
use offramp::{Decision, Encounter, Router};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::audit::Entry;
use crate::config::{Scope, Token};
use crate::problem::Problem;
use crate::{Loaded, ServeError, Service};

/// Serves the service's endpoints on the listener until `shutdown` completes; then stops
/// taking connections and returns once the requests under way are answered.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Arc<Service>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let tls = service.tls.clone();
    let app = app(service);
    match tls {
        None => axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Io),
        Some(config) => {
            let listener =
                crate::tls::TlsListener::new(listener, config).map_err(ServeError::Io)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
                .map_err(ServeError::Io)
        }
    }
}

/// The service's state as the handlers share it.
struct Shared {
    service: Arc<Service>,
    /// One permit per request worked on at once (`limits.concurrency`).
    slots: tokio::sync::Semaphore,
    /// Held while capacity updates are applied to every router, so that each sees them in the
    /// same order.
    capacity: std::sync::Mutex<()>,
    /// The OpenAPI document, made once from the route table.
    openapi: String,
}

type St = State<Arc<Shared>>;

fn app(service: Arc<Service>) -> axum::Router {
    let body_limit = service.limits.max_body_bytes;
    let shared = Arc::new(Shared {
        slots: tokio::sync::Semaphore::new(service.limits.concurrency),
        capacity: std::sync::Mutex::new(()),
        openapi: routes::document(),
        service,
    });
    // Every endpoint comes from the route table, so none is served without being described.
    routes::router()
        .fallback(|| async { Problem::not_found("no such endpoint") })
        .method_not_allowed_fallback(|| async { Problem::method() })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), guard))
        .with_state(shared)
}

/// Every request: waits for a free slot and runs within `limits.request_timeout_ms` (a
/// request out of time gets a problem; what it logged stays logged), then is counted by
/// endpoint and status.
async fn guard(State(shared): St, request: Request, next: Next) -> Response {
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_string(), |m| m.as_str().to_string());
    let timeout = shared.service.limits.request_timeout;
    let work = async {
        let _slot = shared.slots.acquire().await;
        next.run(request).await
    };
    let response = match tokio::time::timeout(timeout, work).await {
        Ok(response) => response,
        Err(_) => Problem::timeout(timeout.as_millis()).into_response(),
    };
    shared
        .service
        .metrics
        .request(&endpoint, response.status().as_u16());
    response
}

/// The token that sent the request, when it has the scope: 401 without a known token, 403
/// with a known one that lacks the scope. Every token's hash is compared, each in constant
/// time.
fn authorize<'a>(
    service: &'a Service,
    headers: &HeaderMap,
    scope: Option<Scope>,
) -> Result<&'a Token, Problem> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|s| !s.is_empty())
        .ok_or_else(Problem::unauthorized)?;
    let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
    let mut found = None;
    for token in &service.tokens {
        if bool::from(token.sha256.ct_eq(&digest)) && found.is_none() {
            found = Some(token);
        }
    }
    let token = found.ok_or_else(Problem::unauthorized)?;
    match scope {
        Some(scope) if !token.scopes.contains(&scope) => Err(Problem::forbidden(scope.as_str())),
        _ => Ok(token),
    }
}

/// The value of a query parameter, `%XX` escapes decoded (`None` when absent or not UTF-8).
fn query(uri: &Uri, name: &str) -> Option<String> {
    let raw = uri
        .query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)?
        .1;
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = (b == b'%')
            .then(|| bytes.get(i.saturating_add(1)..i.saturating_add(3)))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(v) => {
                out.push(v);
                i = i.saturating_add(3);
            }
            None => {
                out.push(b);
                i = i.saturating_add(1);
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The program a request names with `?program=ID`; without one, the only program loaded.
fn choose(service: &Service, uri: &Uri) -> Result<Arc<Loaded>, Problem> {
    let named = query(uri, "program");
    let programs = service.programs.load();
    match named {
        Some(id) => programs
            .iter()
            .find(|p| p.router.program().id() == id.as_str())
            .cloned()
            .ok_or_else(|| {
                Problem::not_found(
                    "no program of that id is loaded (GET /v1/programs lists the programs)",
                )
            }),
        None => match programs.as_slice() {
            [only] => Ok(Arc::clone(only)),
            _ => Err(Problem::bad_request(
                "several programs are loaded: name one with ?program=ID (GET /v1/programs lists them)",
            )),
        },
    }
}

/// The body as text, or the problem with it.
fn body_text(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, Problem> {
    match body {
        Ok(bytes) => Ok(bytes),
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Problem::too_large(limit)),
        Err(_) => Err(Problem::bad_request("the request body could not be read")),
    }
}

/// What a body holds, by its `Content-Type`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    /// One encounter (`application/json`, or no type given).
    One,
    /// JSON lines, one encounter a line (`application/x-ndjson`).
    Lines,
}

fn media(headers: &HeaderMap) -> Result<Media, Problem> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(Media::One);
    };
    let essence = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Ok(Media::One),
        "application/x-ndjson" | "application/jsonl" | "application/jsonlines" => Ok(Media::Lines),
        _ => Err(Problem::media_type()),
    }
}

/// Reads one encounter from a body.
fn one_encounter(body: &Bytes) -> Result<(Encounter, &str), Problem> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Problem::bad_request("the request body is not valid UTF-8"))?
        .trim();
    let encounter = Encounter::from_json(text).map_err(|e| Problem::encounter(&e))?;
    Ok((encounter, text))
}

/// Runs `f`, turning a panic (a bug: the core is written never to panic) into a problem.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, Problem> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| Problem::internal())
}

/// The log entry of a decision.
fn entry(
    service: &Service,
    endpoint: &'static str,
    token: &Token,
    decision: &Decision,
    decision_json: String,
    encounter: &str,
) -> Entry {
    Entry {
        endpoint: endpoint.to_string(),
        token_id: token.id.clone(),
        program_id: decision.program.id.to_string(),
        program_hash: decision.program.hash.to_string(),
        encounter_id: decision.encounter_id.clone(),
        decision: decision_json,
        encounter: service.store_encounters.then(|| encounter.to_string()),
    }
}

/// Writes the entries to the log; the answer is given only once they are there.
async fn log(service: &Service, entries: Vec<Entry>) -> Result<(), Problem> {
    let n = entries.len();
    match service.audit.append(entries).await {
        Ok(()) => {
            service.metrics.logged(n);
            Ok(())
        }
        Err(_) => {
            service.metrics.audit_failure();
            Err(Problem::audit())
        }
    }
}

fn answer(content_type: &'static str, body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

const JSON: &str = "application/json";

/// Turns a handler's result into its response.
fn respond(result: Result<Response, Problem>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn healthz() -> Response {
    answer("text/plain; charset=utf-8", "ok\n".into())
}

async fn metrics(State(shared): St, headers: HeaderMap) -> Response {
    respond(authorize(&shared.service, &headers, None).map(|_| {
        answer(
            "text/plain; version=0.0.4; charset=utf-8",
            shared.service.metrics.render(),
        )
    }))
}

/// `GET /v1/programs`: `{"programs":[{"id","version","hash"}]}` in the configuration's order.
async fn programs(State(shared): St, headers: HeaderMap) -> Response {
    #[derive(Serialize)]
    struct One<'a> {
        id: &'a str,
        version: Option<&'a str>,
        hash: &'a str,
    }
    #[derive(Serialize)]
    struct All<'a> {
        programs: Vec<One<'a>>,
    }
    let service = &shared.service;
    respond(
        authorize(service, &headers, Some(Scope::Route)).and_then(|_| {
            let loaded = service.programs.load();
            let all = All {
                programs: loaded
                    .iter()
                    .map(|p| One {
                        id: p.router.program().id(),
                        version: p.version.as_deref(),
                        hash: p.router.program().hash(),
                    })
                    .collect(),
            };
            let json = serde_json::to_string(&all).map_err(|_| Problem::internal())?;
            Ok(answer(JSON, json + "\n"))
        }),
    )
}

/// `POST /v1/route`: one encounter (JSON) to its decision, as `offramp route` prints it; or
/// JSON lines to one answer a line, as `offramp route --errors inline` prints them.
async fn route(
    State(shared): St,
    headers: HeaderMap,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let service = &shared.service;
    let work = async {
        let token = authorize(service, &headers, Some(Scope::Route))?;
        let program = choose(service, &uri)?;
        let media = media(&headers)?;
        let body = body_text(body, service.limits.max_body_bytes)?;
        match media {
            Media::One => {
                let (encounter, text) = one_encounter(&body)?;
                let decision = guarded(|| program.router.route(&encounter))?;
                let json = decision.to_json().map_err(|_| Problem::internal())?;
                let e = entry(service, "route", token, &decision, json.clone(), text);
                log(service, vec![e]).await?;
                Ok(answer(JSON, json + "\n"))
            }
            Media::Lines => batch(Arc::clone(&shared), token.clone(), program, body).await,
        }
    };
    respond(work.await)
}

/// The batch's answers, line by line, and the decisions to log.
struct Batch {
    text: String,
    entries: Vec<Entry>,
    routed: usize,
    failed: usize,
}

/// Routes each line of a JSON-lines body on a blocking thread, logs every decision in one
/// append, then answers with one line per input line: a decision, an error record, or blank
/// for a blank line.
async fn batch(
    shared: Arc<Shared>,
    token: Token,
    program: Arc<Loaded>,
    body: Bytes,
) -> Result<Response, Problem> {
    let worker = Arc::clone(&shared);
    let done = tokio::task::spawn_blocking(move || {
        decide_lines(&worker.service, &program.router, &token, body)
    })
    .await
    .map_err(|_| Problem::internal())??;
    log(&shared.service, done.entries).await?;
    let mut response = answer("application/x-ndjson", done.text);
    for (name, n) in [
        ("x-offramp-routed", done.routed),
        ("x-offramp-failed", done.failed),
    ] {
        if let Ok(v) = HeaderValue::from_str(&n.to_string()) {
            response.headers_mut().insert(name, v);
        }
    }
    Ok(response)
}

fn decide_lines(
    service: &Service,
    router: &Router,
    token: &Token,
    body: Bytes,
) -> Result<Batch, Problem> {
    let mut lines = Lines::new(Cursor::new(body), MAX_LINE_BYTES);
    let mut out = Batch {
        text: String::new(),
        entries: Vec::new(),
        routed: 0,
        failed: 0,
    };
    let mut answered = 0usize;
    let max = service.limits.max_batch_lines;
    for line in lines.by_ref() {
        let line = line.map_err(|_| Problem::bad_request("the request body could not be read"))?;
        if line.number > max {
            return Err(Problem::bad_request(format!(
                "the batch has more than limits.max_batch_lines ({max}) lines; send it in parts"
            )));
        }
        while answered.saturating_add(1) < line.number {
            answered = answered.saturating_add(1);
            out.text.push('\n');
        }
        answered = line.number;
        let n = line.number;
        // The same failures, in the same words, as `offramp route --errors inline` writes.
        let decided = match line.text {
            Err(problem) => Err(LineFailure::unreadable(n, problem, None)),
            Ok(text) => match guarded(|| Encounter::from_json(&text).map(|e| router.route(&e))) {
                Ok(Ok(decision)) => Ok((decision, text)),
                Ok(Err(e)) => Err(LineFailure::encounter(n, &e)),
                Err(_) => Err(LineFailure::internal(n)),
            },
        };
        match decided {
            Ok((decision, text)) => {
                let json = decision.to_json().map_err(|_| Problem::internal())?;
                out.text.push_str(&json);
                out.text.push('\n');
                out.entries
                    .push(entry(service, "route", token, &decision, json, &text));
                out.routed = out.routed.saturating_add(1);
            }
            Err(failure) => {
                let json = failure.to_json().map_err(|_| Problem::internal())?;
                out.text.push_str(&json);
                out.text.push('\n');
                out.failed = out.failed.saturating_add(1);
            }
        }
    }
    while answered < lines.lines_read() {
        answered = answered.saturating_add(1);
        out.text.push('\n');
    }
    Ok(out)
}

/// The one-encounter endpoints besides route: the token, the program and the encounter read,
/// the encounter decided by `decide` (what the endpoint answers from; `decision` finds the
/// decision in it), and that decision logged under `endpoint` before anything is answered.
async fn decided<T>(
    service: &Service,
    headers: &HeaderMap,
    uri: &Uri,
    body: Result<Bytes, BytesRejection>,
    endpoint: &'static str,
    decide: impl FnOnce(&Router, &Encounter) -> T,
    decision: impl Fn(&T) -> &Decision,
) -> Result<T, Problem> {
    let token = authorize(service, headers, Some(Scope::Route))?;
    let program = choose(service, uri)?;
    if media(headers)? != Media::One {
        return Err(Problem::media_type());
    }
    let body = body_text(body, service.limits.max_body_bytes)?;
    let (encounter, text) = one_encounter(&body)?;
    let made = guarded(|| decide(&program.router, &encounter))?;
    let json = decision(&made).to_json().map_err(|_| Problem::internal())?;
    let e = entry(service, endpoint, token, decision(&made), json, text);
    log(service, vec![e]).await?;
    Ok(made)
}

/// `POST /v1/explain`: the decision in sentences, as `offramp explain` prints them.
async fn explain(
    State(shared): St,
    headers: HeaderMap,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let service = &shared.service;
    respond(
        async {
            let route = |r: &Router, e: &Encounter| r.route(e);
            let mut d = decided(service, &headers, &uri, body, "explain", route, |d| d).await?;
            d.encounter_id = offramp::text::printable(&d.encounter_id, usize::MAX);
            Ok(answer(
                "text/plain; charset=utf-8",
                printable_lines(&d.explain()),
            ))
        }
        .await,
    )
}

/// `POST /v1/trace`: every rule, exclusion and amnesty with its result, as `offramp explain
/// --trace --format json` prints it.
async fn trace(
    State(shared): St,
    headers: HeaderMap,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let service = &shared.service;
    respond(
        async {
            let trace = |r: &Router, e: &Encounter| r.trace(e);
            let t = decided(service, &headers, &uri, body, "trace", trace, |t| {
                &t.decision
            })
            .await?;
            let json = t.to_json().map_err(|_| Problem::internal())?;
            Ok(answer(JSON, json + "\n"))
        }
        .await,
    )
}

/// `POST /v1/needs-information`: the fields not recorded whose recording could change the
/// decision, most decisive first (the decision's `needs_information`), as a JSON array.
async fn needs_information(
    State(shared): St,
    headers: HeaderMap,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let service = &shared.service;
    respond(
        async {
            let route = |r: &Router, e: &Encounter| r.route(e);
            let endpoint = "needs-information";
            let d = decided(service, &headers, &uri, body, endpoint, route, |d| d).await?;
            let needs =
                serde_json::to_string(&d.needs_information).map_err(|_| Problem::internal())?;
            Ok(answer(JSON, needs + "\n"))
        }
        .await,
    )
}

/// Text with control characters escaped line by line, as the command prints an explanation.
fn printable_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(body) => format!("{}\n", offramp::text::printable(body, usize::MAX)),
            None => offramp::text::printable(line, usize::MAX),
        })
        .collect()
}
