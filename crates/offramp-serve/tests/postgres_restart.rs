//! PostgreSQL stopped and started again under load: while it is down, requests get a 503
//! problem saying the audit log is unavailable; once it is back they succeed again; and every
//! decision answered 200 is in the log, whose chain verifies. It stops the test server, so it
//! is a test binary of its own (cargo runs test binaries one after another).
//! `scripts/test-serve` runs it by name, giving the server in `OFFRAMP_TEST_POSTGRES`
//! and a script that stops and starts it in `OFFRAMP_TEST_POSTGRES_CTL`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;

/// How many requests each client sends at most: the stream ends by itself.
const MOST: usize = 4000;
const CLIENTS: usize = 4;

fn control(what: &str) {
    let script = std::env::var("OFFRAMP_TEST_POSTGRES_CTL").unwrap();
    let status = std::process::Command::new(script)
        .arg(what)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{what} PostgreSQL: {status}");
}

/// Waits (at most 30 s) until `done` says so.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < until, "waited 30 s for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn postgres_restarted_under_load_loses_no_acknowledged_decision() {
    if std::env::var("OFFRAMP_TEST_POSTGRES_CTL").is_err() {
        postgres_missing("OFFRAMP_TEST_POSTGRES_CTL");
        return;
    }
    let Some(db) = PgSchema::new("restart") else {
        return;
    };
    let temp = Temp::new("pg-restart");
    let server = start(
        &temp,
        &db.config_text(&temp, &["lead-king-county.toml"], ""),
    );
    let addr = server.address();
    let template = std::fs::read_to_string(examples().join("encounters/lead-king-county.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (stop, ok, refused) = (stop.clone(), ok.clone(), refused.clone());
            let template = template.clone();
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for i in 0..MOST {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let id = format!("restart-{c}-{i}");
                    let body = template.replacen("kc-26-0001", &id, 1);
                    let r = post(addr, "/v1/route", ROUTE_SECRET, "application/json", &body);
                    match r.status {
                        200 => {
                            assert!(r.body.contains(&id), "{}", r.body);
                            acknowledged.push(id);
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        503 => {
                            let problem = r.json();
                            assert_eq!(problem["code"], "offramp::audit", "{}", r.body);
                            assert_eq!(r.header("content-type"), "application/problem+json");
                            refused.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        other => panic!("unexpected status {other}: {}", r.body),
                    }
                }
                acknowledged
            })
        })
        .collect();

    wait_for("decisions before the stop", || {
        ok.load(Ordering::Relaxed) >= 100
    });
    control("stop");
    // While it is down, a request is refused with the audit problem.
    let before = refused.load(Ordering::Relaxed);
    wait_for("refusals while PostgreSQL is down", || {
        refused.load(Ordering::Relaxed) >= before + 20
    });
    let down = post(
        addr,
        "/v1/route",
        ROUTE_SECRET,
        "application/json",
        &template,
    );
    assert_eq!(down.status, 503, "{}", down.body);
    let problem = down.json();
    assert_eq!(
        problem["type"].as_str().unwrap().rsplit('#').next(),
        Some("audit-unavailable")
    );
    control("start");
    let back = ok.load(Ordering::Relaxed);
    wait_for("decisions after the start", || {
        ok.load(Ordering::Relaxed) >= back + 100
    });
    stop.store(true, Ordering::Relaxed);
    let acknowledged: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    server.stop().unwrap();

    let verified = offramp_serve::verify(db.log()).unwrap();
    let logged: BTreeSet<String> = offramp_serve::audit::rows(db.log())
        .unwrap()
        .into_iter()
        .map(|r| r.entry.encounter_id)
        .collect();
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !logged.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "answered 200 but not logged: {missing:?}"
    );
    // Rows whose answer was lost with the connection may be logged without a 200; never fewer.
    assert!(verified.rows >= i64::try_from(acknowledged.len()).unwrap());
    eprintln!(
        "{} answered 200, {} refused with 503, {} rows in the log, chain verified",
        acknowledged.len(),
        refused.load(Ordering::Relaxed),
        verified.rows
    );
}
