//! The service started in this process on 127.0.0.1 at a free port, asked over loopback:
//! decisions as the core gives them, batches, tokens and scopes, problem details, limits,
//! metrics, and the audit log behind every answer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use offramp::{Encounter, Program, Router};

const LEAD: &str = "lead-king-county.toml";
const QRT: &str = "qrt-hamilton-county.toml";

fn lead_router() -> Router {
    Router::new(Program::from_file(examples().join("programs").join(LEAD)).unwrap())
}

fn rows(temp: &Temp) -> i64 {
    offramp_serve::verify(temp.log()).unwrap().rows
}

#[test]
fn a_decision_is_the_core_s_record_and_is_logged_first() {
    let temp = Temp::new("one");
    let server = start(&temp, &config_text(&temp, &[LEAD], ""));
    let router = lead_router();
    let encounters = lead_encounters();
    for e in &encounters {
        let reply = post(
            server.address(),
            "/v1/route",
            ROUTE_SECRET,
            "application/json",
            e,
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.header("content-type"), "application/json");
        assert_eq!(reply.body, core_decision(&router, e) + "\n");
    }
    // Every answer was in the log before it was sent.
    assert_eq!(rows(&temp), i64::try_from(encounters.len()).unwrap());
    let conn = logged(&temp);
    assert_eq!(conn[0].0, "route");
    assert_eq!(conn[0].1, "cad");
    assert!(conn[0].2.is_none(), "encounters are not kept unless asked");
}

/// `(endpoint, token_id, encounter)` of every row of the log.
fn logged(temp: &Temp) -> Vec<(String, String, Option<String>)> {
    offramp_serve::audit::rows(temp.log())
        .unwrap()
        .into_iter()
        .map(|r| (r.entry.endpoint, r.entry.token_id, r.entry.encounter))
        .collect()
}

#[test]
fn a_batch_answers_line_for_line_and_logs_its_decisions() {
    let temp = Temp::new("batch");
    let server = start(&temp, &config_text(&temp, &[LEAD], ""));
    let encounters = lead_encounters();
    let body = format!(
        "{}\n\n{{\"id\":\"x\",\"at\":\"2026-01-01T00:00:00Z\",\"age\":\"Jane Doe\"}}\nnot json\n{}\n",
        encounters[0], encounters[1]
    );
    let reply = post(
        server.address(),
        "/v1/route",
        ROUTE_SECRET,
        "application/x-ndjson",
        &body,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), "application/x-ndjson");
    assert_eq!(reply.header("x-offramp-routed"), "2");
    assert_eq!(reply.header("x-offramp-failed"), "2");
    let lines: Vec<&str> = reply.body.split('\n').collect();
    assert_eq!(lines.len(), 6, "{}", reply.body);
    let router = lead_router();
    let decide = |e: &str| core_decision(&router, e);
    assert_eq!(lines[0], decide(&encounters[0]));
    assert_eq!(lines[1], "");
    assert!(
        lines[2].starts_with(r#"{"error":{"line":3,"column":"#)
            && lines[2].contains(r#""field":"age""#),
        "{}",
        lines[2]
    );
    assert!(
        !reply.body.contains("Jane"),
        "a value from the input is repeated"
    );
    assert!(
        lines[3].starts_with(r#"{"error":{"line":4,"#),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], decide(&encounters[1]));
    assert_eq!(lines[5], "");
    assert_eq!(rows(&temp), 2);
}

#[test]
fn a_batch_over_its_line_limit_is_refused_and_logs_nothing() {
    let temp = Temp::new("batch-limit");
    let server = start(
        &temp,
        &config_text(&temp, &[LEAD], "[limits]\nmax_batch_lines = 2\n"),
    );
    let e = &lead_encounters()[0];
    let reply = post(
        server.address(),
        "/v1/route",
        ROUTE_SECRET,
        "application/x-ndjson",
        &format!("{e}\n{e}\n{e}\n"),
    );
    assert_eq!(reply.status, 400);
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("max_batch_lines (2)")
    );
    assert_eq!(rows(&temp), 0);
}

#[test]
fn tokens_are_needed_and_scopes_are_checked() {
    let temp = Temp::new("tokens");
    let server = start(&temp, &config_text(&temp, &[LEAD], ""));
    let addr = server.address();
    let e = &lead_encounters()[0];
    let none = request(
        addr,
        "POST",
        "/v1/route",
        &[("Content-Type", "application/json")],
        e.as_bytes(),
    );
    assert_eq!(none.status, 401);
    assert_eq!(none.header("www-authenticate"), "Bearer realm=\"offramp\"");
    assert_eq!(none.json()["code"], "offramp::unauthorized");
    let wrong = post(addr, "/v1/route", "not-a-token", "application/json", e);
    assert_eq!(wrong.status, 401);
    let basic = request(
        addr,
        "GET",
        "/v1/programs",
        &[("Authorization", "Basic Y2FkOnNlY3JldA==")],
        b"",
    );
    assert_eq!(basic.status, 401);
    let admin = post(addr, "/v1/route", ADMIN_SECRET, "application/json", e);
    assert_eq!(admin.status, 403);
    assert_eq!(admin.json()["code"], "offramp::forbidden");
    assert!(admin.json()["detail"].as_str().unwrap().contains("`route`"));
    // The scheme's name is not case-sensitive.
    let lower = request(
        addr,
        "GET",
        "/v1/programs",
        &[("Authorization", &format!("bearer {ROUTE_SECRET}"))],
        b"",
    );
    assert_eq!(lower.status, 200);
    // /healthz needs no token; /metrics needs one of any scope.
    assert_eq!(request(addr, "GET", "/healthz", &[], b"").body, "ok\n");
    assert_eq!(request(addr, "GET", "/metrics", &[], b"").status, 401);
    assert_eq!(get(addr, "/metrics", ADMIN_SECRET).status, 200);
    // Nothing refused was logged.
    assert_eq!(rows(&temp), 0);
}

#[test]
fn problems_are_rfc_9457_documents_that_repeat_no_input() {
    let temp = Temp::new("problems");
    let server = start(
        &temp,
        &config_text(&temp, &[LEAD], "[limits]\nmax_body_bytes = 2000\n"),
    );
    let addr = server.address();
    let bad = r#"{"id":"x","at":"2026-01-01T00:00:00Z","age":"Jane Doe"}"#;
    let reply = post(addr, "/v1/route", ROUTE_SECRET, "application/json", bad);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-type"), "application/problem+json");
    let p = reply.json();
    assert_eq!(
        p["type"],
        "https://github.com/offramp-project/offramp/blob/main/docs/serve.md#invalid-encounter"
    );
    assert_eq!(p["status"], 400);
    assert_eq!(p["code"], "offramp::encounter");
    assert_eq!(p["field"], "age");
    assert_eq!(p["line"], 1);
    // The same field, message and column as the core's error (what `offramp route` shows).
    let core = Encounter::from_json(bad).unwrap_err();
    assert_eq!(p["column"], core.position().unwrap().1);
    assert_eq!(p["detail"], format!("age: {}", core.message()));
    assert!(!reply.body.contains("Jane"));

    let unknown_field = r#"{"id":"x","at":"2026-01-01T00:00:00Z","Jane Doe":1}"#;
    let reply = post(
        addr,
        "/v1/explain",
        ROUTE_SECRET,
        "application/json",
        unknown_field,
    );
    assert_eq!(reply.status, 400);
    assert!(!reply.body.contains("Jane"), "{}", reply.body);

    let cases = [
        (
            post(addr, "/v1/route", ROUTE_SECRET, "text/plain", "{}"),
            415,
            "offramp::media_type",
        ),
        (
            post(
                addr,
                "/v1/trace",
                ROUTE_SECRET,
                "application/x-ndjson",
                "{}",
            ),
            415,
            "offramp::media_type",
        ),
        (
            post(
                addr,
                "/v1/route",
                ROUTE_SECRET,
                "application/json",
                &"x".repeat(5000),
            ),
            413,
            "offramp::limit",
        ),
        (
            post(
                addr,
                "/v1/route?program=nope",
                ROUTE_SECRET,
                "application/json",
                "{}",
            ),
            404,
            "offramp::not_found",
        ),
        (
            get(addr, "/v2/route", ROUTE_SECRET),
            404,
            "offramp::not_found",
        ),
        (get(addr, "/v1/route", ROUTE_SECRET), 405, "offramp::method"),
    ];
    for (reply, status, code) in cases {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.header("content-type"), "application/problem+json");
        assert_eq!(reply.json()["code"], code, "{}", reply.body);
        assert_eq!(reply.json()["status"], status);
    }
    assert_eq!(rows(&temp), 0);
}

#[test]
fn several_programs_are_chosen_by_id_and_listed() {
    let temp = Temp::new("programs");
    let server = start(&temp, &config_text(&temp, &[LEAD, QRT], ""));
    let addr = server.address();
    let list = get(addr, "/v1/programs", ROUTE_SECRET).json();
    let lead = Program::from_file(examples().join("programs").join(LEAD)).unwrap();
    let qrt = Program::from_file(examples().join("programs").join(QRT)).unwrap();
    assert_eq!(list["programs"][0]["id"], lead.id());
    assert_eq!(list["programs"][0]["hash"], lead.hash());
    assert_eq!(
        list["programs"][0]["version"].as_str(),
        lead.spec().program.version.as_deref()
    );
    assert_eq!(list["programs"][1]["id"], qrt.id());
    let e = &lead_encounters()[0];
    let unnamed = post(addr, "/v1/route", ROUTE_SECRET, "application/json", e);
    assert_eq!(unnamed.status, 400);
    assert!(
        unnamed.json()["detail"]
            .as_str()
            .unwrap()
            .contains("?program=ID")
    );
    let named = post(
        addr,
        &format!("/v1/route?program={}", qrt.id()),
        ROUTE_SECRET,
        "application/json",
        e,
    );
    assert_eq!(named.status, 200);
    assert_eq!(named.json()["program"]["id"], qrt.id());
}

#[test]
fn explain_trace_and_needs_information_answer_as_the_core_and_are_logged() {
    let temp = Temp::new("explain");
    let server = start(
        &temp,
        &config_text(&temp, &[LEAD], "").replace("[audit]\n", "[audit]\nstore_encounters = true\n"),
    );
    let addr = server.address();
    let router = lead_router();
    let e = &lead_encounters()[0];
    let encounter = Encounter::from_json(e).unwrap();
    let decision = router.route(&encounter);

    let explained = post(addr, "/v1/explain", ROUTE_SECRET, "application/json", e);
    assert_eq!(explained.status, 200);
    assert_eq!(
        explained.header("content-type"),
        "text/plain; charset=utf-8"
    );
    assert_eq!(explained.body, decision.explain());

    let traced = post(addr, "/v1/trace", ROUTE_SECRET, "application/json", e);
    assert_eq!(traced.status, 200);
    assert_eq!(
        traced.body,
        router.trace(&encounter).to_json().unwrap() + "\n"
    );

    let needs = post(
        addr,
        "/v1/needs-information",
        ROUTE_SECRET,
        "application/json",
        e,
    );
    assert_eq!(needs.status, 200);
    assert_eq!(
        needs.body,
        serde_json::to_string(&decision.needs_information).unwrap() + "\n"
    );

    let logged = offramp_serve::audit::rows(temp.log()).unwrap();
    let endpoints: Vec<&str> = logged.iter().map(|r| r.entry.endpoint.as_str()).collect();
    assert_eq!(endpoints, ["explain", "trace", "needs-information"]);
    for r in &logged {
        assert_eq!(r.entry.decision, decision.to_json().unwrap());
        assert_eq!(r.entry.program_id, decision.program.id.to_string());
        assert_eq!(r.entry.encounter.as_deref(), Some(e.trim()));
    }
    assert_eq!(rows(&temp), 3);
}

#[test]
fn requests_at_once_are_all_logged_in_one_chain() {
    let temp = Temp::new("parallel");
    let server = start(
        &temp,
        &config_text(&temp, &[LEAD], "[limits]\nconcurrency = 4\n"),
    );
    let addr = server.address();
    let encounters = lead_encounters();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let encounters = encounters.clone();
            std::thread::spawn(move || {
                let mut ok = 0;
                for e in encounters.iter().cycle().skip(t).take(10) {
                    let r = post(addr, "/v1/route", ROUTE_SECRET, "application/json", e);
                    assert_eq!(r.status, 200, "{}", r.body);
                    ok += 1;
                }
                ok
            })
        })
        .collect();
    let answered: i64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(rows(&temp), answered);
    let metrics = get(addr, "/metrics", ROUTE_SECRET).body;
    assert!(
        metrics.contains(&format!(
            "offramp_http_requests_total{{endpoint=\"/v1/route\",status=\"200\"}} {answered}\n"
        )),
        "{metrics}"
    );
    assert!(metrics.contains(&format!("offramp_decisions_logged_total {answered}\n")));
}

#[test]
fn a_stopped_service_finishes_and_its_log_reopens() {
    let temp = Temp::new("restart");
    let text = config_text(&temp, &[LEAD], "");
    let e = &lead_encounters()[0];
    for _ in 0..2 {
        let server = start(&temp, &text);
        let r = post(
            server.address(),
            "/v1/route",
            ROUTE_SECRET,
            "application/json",
            e,
        );
        assert_eq!(r.status, 200);
        server.stop().unwrap();
    }
    assert_eq!(rows(&temp), 2);
}

#[test]
fn the_example_configuration_loads_and_serves() {
    let temp = Temp::new("example");
    let mut config =
        offramp_serve::Config::from_file(examples().join("serve/offramp-serve.toml")).unwrap();
    assert_eq!(
        config.limits,
        offramp_serve::Limits::default(),
        "the file shows the defaults"
    );
    assert_eq!(config.address.to_string(), "127.0.0.1");
    assert!(config.providers.is_some());
    // Served here on a free port, with its log in the test's folder.
    config.port = 0;
    config.audit_log = temp.log().into();
    let service = offramp_serve::Service::load(&config).unwrap();
    assert_eq!(service.program_ids(), ["lead-king-county"]);
    let server = offramp_serve::Running::start(service, &config).unwrap();
    let reply = post(
        server.address(),
        "/v1/route",
        "replace-me-cad-secret",
        "application/json",
        &lead_encounters()[0],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("\"providers\":["));
    server.stop().unwrap();
    assert_eq!(rows(&temp), 1);
}

/// A configuration of LEAD with King County's directory.
fn with_directory(temp: &Temp) -> String {
    let directory = examples().join("providers/king-county.json");
    config_text(temp, &[LEAD], "").replace(
        "[audit]\n",
        &format!(
            "providers = {:?}\n[audit]\n",
            directory.display().to_string()
        ),
    )
}

#[test]
fn capacity_is_read_and_updated_in_bulk_by_admin_tokens_only() {
    let temp = Temp::new("capacity");
    let server = start(&temp, &with_directory(&temp));
    let addr = server.address();
    assert_eq!(get(addr, "/v1/capacity", ROUTE_SECRET).status, 403);
    let board = get(addr, "/v1/capacity", ADMIN_SECRET);
    assert_eq!(board.status, 200, "{}", board.body);
    let board = board.json();
    let services = board["services"].as_array().unwrap();
    assert!(services.len() >= 3);
    let first = services[0]["service"].as_str().unwrap().to_string();
    let second = services[1]["service"].as_str().unwrap().to_string();

    // One unknown service refuses the whole update, naming its place, not its id.
    let refused = post(
        addr,
        "/v1/capacity",
        ADMIN_SECRET,
        "application/json",
        &format!(
            r#"{{"updates":[{{"service":"{first}","capacity":{{"available":1,"unit":"bed"}}}},{{"service":"Jane Doe's shelter","capacity":null}}]}}"#
        ),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["field"], "updates[1].service");
    assert!(!refused.body.contains("Jane"));
    assert_eq!(
        get(addr, "/v1/capacity", ADMIN_SECRET).json(),
        board,
        "nothing changed"
    );

    // A value of the wrong kind is placed by its key path, without the value.
    let bad = post(
        addr,
        "/v1/capacity",
        ADMIN_SECRET,
        "application/json",
        &format!(
            r#"{{"updates":[{{"service":"{first}","capacity":{{"available":"Jane","unit":"bed"}}}}]}}"#
        ),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.json()["field"], "updates[0].capacity.available");
    assert!(!bad.body.contains("Jane"));

    let done = post(
        addr,
        "/v1/capacity",
        ADMIN_SECRET,
        "application/json",
        &format!(
            r#"{{"updates":[{{"service":"{first}","capacity":{{"available":2,"maximum":9,"unit":"bed"}}}},{{"service":"{second}","capacity":null}}]}}"#
        ),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body, "{\"updated\":2}\n");
    let after = get(addr, "/v1/capacity", ADMIN_SECRET).json();
    assert_eq!(
        after["services"][0]["capacity"],
        serde_json::json!({"available": 2, "maximum": 9, "unit": "bed"})
    );
    assert_eq!(after["services"][1]["capacity"], serde_json::Value::Null);
    // Routing goes on with the new figures, and capacity updates log no decision.
    let r = post(
        addr,
        "/v1/route",
        ROUTE_SECRET,
        "application/json",
        &lead_encounters()[0],
    );
    assert_eq!(r.status, 200);
    assert_eq!(rows(&temp), 1);
}

#[test]
fn the_services_open_at_a_time_are_listed() {
    let temp = Temp::new("open");
    let server = start(&temp, &with_directory(&temp));
    let addr = server.address();
    let open = get(
        addr,
        "/v1/services/open?at=2026-03-03T11%3A00%3A00-08%3A00",
        ROUTE_SECRET,
    );
    assert_eq!(open.status, 200, "{}", open.body);
    let open = open.json();
    assert_eq!(open["at"], "2026-03-03T11:00:00-08:00");
    let listed = open["open"].as_array().unwrap();
    assert!(!listed.is_empty() && listed.len() <= open["services"].as_u64().unwrap() as usize);
    assert!(
        listed
            .iter()
            .all(|s| s["service"].is_string() && s["name"].is_string())
    );
    let plus = get(
        addr,
        "/v1/services/open?at=2026-03-03T19:00:00%2B00:00",
        ROUTE_SECRET,
    );
    assert_eq!(
        plus.json()["open"],
        open["open"],
        "the same moment, written in UTC"
    );
    assert_eq!(get(addr, "/v1/services/open", ROUTE_SECRET).status, 200);
    let bad = get(addr, "/v1/services/open?at=tuesday", ROUTE_SECRET);
    assert_eq!(bad.status, 400);
    assert_eq!(get(addr, "/v1/services/open", "nobody").status, 401);
}

#[test]
fn partner_endpoints_without_a_directory_say_so() {
    let temp = Temp::new("no-directory");
    let server = start(&temp, &config_text(&temp, &[LEAD], ""));
    let addr = server.address();
    for reply in [
        get(addr, "/v1/capacity", ADMIN_SECRET),
        get(addr, "/v1/services/open", ROUTE_SECRET),
        post(
            addr,
            "/v1/capacity",
            ADMIN_SECRET,
            "application/json",
            r#"{"updates":[]}"#,
        ),
    ] {
        assert_eq!(reply.status, 409, "{}", reply.body);
        assert_eq!(reply.json()["code"], "offramp::directory");
    }
}

fn program_text(name: &str) -> String {
    std::fs::read_to_string(examples().join("programs").join(name)).unwrap()
}

#[test]
fn a_program_is_loaded_checked_first_and_a_refused_one_changes_nothing() {
    let temp = Temp::new("load");
    let server = start(&temp, &with_directory(&temp));
    let addr = server.address();
    let before = get(addr, "/v1/programs", ROUTE_SECRET).json();
    let old_hash = before["programs"][0]["hash"].as_str().unwrap().to_string();
    let e = &lead_encounters()[0];

    // Only admin tokens load programs, and only TOML or JSON.
    let revised = program_text(LEAD)
        .replace("version = \"2026.2\"", "version = \"2026.3\"")
        .replace("age < 18", "age < 21");
    assert_eq!(
        post(
            addr,
            "/v1/programs",
            ROUTE_SECRET,
            "application/toml",
            &revised
        )
        .status,
        403
    );
    assert_eq!(
        post(addr, "/v1/programs", ADMIN_SECRET, "text/plain", &revised).status,
        415
    );

    // A program with a mistake: its diagnostics, placed as `offramp check` places them.
    let broken = program_text(LEAD).replace("version = \"2026.2\"", "version = 2026.2\nwhen = ");
    let refused = post(
        addr,
        "/v1/programs",
        ADMIN_SECRET,
        "application/toml",
        &broken,
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let p = refused.json();
    assert_eq!(p["code"], "offramp::program");
    let core = Program::from_toml(&broken, "request.toml").unwrap_err();
    let first = &core.diagnostics()[0];
    assert_eq!(p["diagnostics"][0]["line"], first.line);
    assert_eq!(p["diagnostics"][0]["column"], first.column);
    assert_eq!(p["diagnostics"][0]["message"], first.message.as_str());
    assert_eq!(get(addr, "/v1/programs", ROUTE_SECRET).json(), before);

    // Capacity set before the new version is kept by it.
    let board = get(addr, "/v1/capacity", ADMIN_SECRET).json();
    let first_service = board["services"][0]["service"]
        .as_str()
        .unwrap()
        .to_string();
    let set = post(
        addr,
        "/v1/capacity",
        ADMIN_SECRET,
        "application/json",
        &format!(
            r#"{{"updates":[{{"service":"{first_service}","capacity":{{"available":7,"unit":"bed"}}}}]}}"#
        ),
    );
    assert_eq!(set.status, 200);

    let loaded = post(
        addr,
        "/v1/programs",
        ADMIN_SECRET,
        "application/toml",
        &revised,
    );
    assert_eq!(loaded.status, 200, "{}", loaded.body);
    let new = Program::from_toml(&revised, "x.toml").unwrap();
    let answer = loaded.json();
    assert_eq!(answer["id"], "lead-king-county");
    assert_eq!(answer["version"], "2026.3");
    assert_eq!(answer["hash"], new.hash());
    assert_eq!(answer["replaced"], old_hash.as_str());
    let after = get(addr, "/v1/programs", ROUTE_SECRET).json();
    assert_eq!(after["programs"].as_array().unwrap().len(), 1);
    assert_eq!(after["programs"][0]["hash"], new.hash());
    assert_eq!(
        get(addr, "/v1/capacity", ADMIN_SECRET).json()["services"][0]["capacity"]["available"],
        7
    );

    // Decisions now come from the new version, and the log says so.
    let decided = post(addr, "/v1/route", ROUTE_SECRET, "application/json", e);
    assert_eq!(decided.json()["program"]["hash"], new.hash());
    let logged = offramp_serve::audit::rows(temp.log()).unwrap();
    assert_eq!(logged.last().unwrap().entry.program_hash, new.hash());

    // A program of another id is added beside it.
    let added = post(
        addr,
        "/v1/programs",
        ADMIN_SECRET,
        "application/toml",
        &program_text(QRT),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(added.json()["replaced"], serde_json::Value::Null);
    assert_eq!(
        get(addr, "/v1/programs", ROUTE_SECRET).json()["programs"][1]["id"],
        "qrt-hamilton-county"
    );
}

#[test]
fn a_request_that_takes_too_long_gets_a_timeout_problem() {
    use std::io::{Read, Write};
    let temp = Temp::new("timeout");
    let server = start(
        &temp,
        &config_text(&temp, &[LEAD], "[limits]\nrequest_timeout_ms = 200\n"),
    );
    // A request whose body never comes: the service gives up on it after the limit.
    let mut stream = std::net::TcpStream::connect(server.address()).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "POST /v1/route HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {ROUTE_SECRET}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert!(answer.contains("\"code\":\"offramp::timeout\""), "{answer}");
    assert!(answer.contains("request_timeout_ms (200 ms)"), "{answer}");
    assert_eq!(rows(&temp), 0);
}

/// `(hash, id, version, text)` of every program text the log holds, oldest first.
fn stored_programs(temp: &Temp) -> Vec<(String, String, Option<String>, String)> {
    let conn = rusqlite::Connection::open(temp.log()).unwrap();
    let mut select = conn
        .prepare("SELECT hash, id, version, text FROM programs ORDER BY rowid")
        .unwrap();
    select
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

#[test]
fn the_log_keeps_the_text_of_every_program_that_decided() {
    let temp = Temp::new("texts");
    let text = config_text(&temp, &[LEAD], "");
    let server = start(&temp, &text);
    let lead = program_text(LEAD);
    let stored = stored_programs(&temp);
    assert_eq!(stored.len(), 1);
    let program = Program::from_toml(&lead, "x.toml").unwrap();
    assert_eq!(stored[0].0, program.hash());
    assert_eq!(stored[0].1, "lead-king-county");
    assert_eq!(stored[0].2.as_deref(), Some("2026.2"));
    assert_eq!(stored[0].3, lead, "the file's text, comments and all");

    let revised = lead.replace("version = \"2026.2\"", "version = \"2026.3\"");
    let loaded = post(
        server.address(),
        "/v1/programs",
        ADMIN_SECRET,
        "application/toml",
        &revised,
    );
    assert_eq!(loaded.status, 200);
    let r = post(
        server.address(),
        "/v1/route",
        ROUTE_SECRET,
        "application/json",
        &lead_encounters()[0],
    );
    assert_eq!(r.status, 200);
    server.stop().unwrap();
    // A restart stores nothing twice.
    drop(start(&temp, &text));
    let stored = stored_programs(&temp);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1].3, revised);
    // Every decision's program is among them.
    let hashes: Vec<&str> = stored.iter().map(|s| s.0.as_str()).collect();
    for row in offramp_serve::audit::rows(temp.log()).unwrap() {
        assert!(hashes.contains(&row.entry.program_hash.as_str()));
    }
}
