//! `offramp serve` and `offramp audit verify`: the built binary started on 127.0.0.1 at a free
//! port (read from the line it prints), asked over loopback with plain HTTP/1.1, compared with
//! what `offramp route` and `offramp explain` print; killed with SIGKILL in the middle of a
//! stream of requests and restarted, with every acknowledged decision found in the log; and
//! logs edited and cut, found out by `offramp audit verify`.
//!
//! Nothing here can hang: connections and reads have timeouts, every wait for the command is
//! bounded, and a started command is killed when its guard drops.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// The longest any one step may take before the test gives up.
const PATIENCE: Duration = Duration::from_secs(30);

const SECRET: &str = "a-long-random-secret-for-the-tests";
const ADMIN_SECRET: &str = "another-secret-with-admin-scope";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A folder of its own, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "offramp-serve-cli-{}-{name}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }

    fn log(&self) -> PathBuf {
        self.0.join("audit.sqlite")
    }

    /// Writes a configuration for the example programs (and a directory) into
    /// `offramp-serve.toml` and returns its path.
    fn config(&self, programs: &[&str], providers: Option<&str>) -> PathBuf {
        let list: Vec<String> = programs
            .iter()
            .map(|p| {
                format!(
                    "{:?}",
                    root()
                        .join("examples/programs")
                        .join(format!("{p}.toml"))
                        .display()
                        .to_string()
                )
            })
            .collect();
        let mut text = format!("port = 0\nprograms = [{}]\n", list.join(", "));
        if let Some(d) = providers {
            let path = root().join("examples/providers").join(format!("{d}.json"));
            text.push_str(&format!("providers = {:?}\n", path.display().to_string()));
        }
        text.push_str(&format!(
            "[audit]\npath = \"audit.sqlite\"\n[[tokens]]\nid = \"cad\"\nsha256 = \"{}\"\nscopes = [\"route\"]\n[[tokens]]\nid = \"ops\"\nsha256 = \"{}\"\nscopes = [\"admin\"]\n",
            offramp_serve::hash_secret(SECRET),
            offramp_serve::hash_secret(ADMIN_SECRET),
        ));
        let path = self.0.join("offramp-serve.toml");
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `offramp ARGS` run to its end from `dir`, with `input` on standard input.
fn run_in(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offramp"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let bytes = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A started `offramp serve`, ready: its address read from the line it prints. Killed when
/// dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(config: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_offramp"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .current_dir(config.parent().unwrap())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let line = receive
            .recv_timeout(PATIENCE)
            .expect("offramp serve prints its address");
        let addr = line
            .strip_prefix("offramp serve: listening on http://")
            .and_then(|rest| rest.trim_end().strip_suffix('/'))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server { child, addr }
    }

    /// Kills the service with SIGKILL and reaps it.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Stops the service with SIGTERM and waits (bounded) for it to exit with 0.
    fn stop(self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.stop_after_signal();
    }

    /// Waits (bounded) for the service, already signalled, to exit with 0.
    fn stop_after_signal(mut self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert_eq!(status.code(), Some(0));
                return;
            }
            assert!(Instant::now() < deadline, "offramp serve did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn post(&self, path: &str, content_type: &str, body: &str) -> Reply {
        post(self.addr, path, content_type, body).expect("an answer")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

/// `POST` with the route token; `None` when the connection fails or is cut before a whole
/// answer (as when the service is killed).
fn post(addr: SocketAddr, path: &str, content_type: &str, body: &str) -> Option<Reply> {
    send(addr, "POST", path, content_type, body)
}

fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> Option<Reply> {
    let mut stream = TcpStream::connect_timeout(&addr, PATIENCE).ok()?;
    stream.set_read_timeout(Some(PATIENCE)).ok()?;
    stream.set_write_timeout(Some(PATIENCE)).ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {SECRET}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = String::from_utf8(raw[split + 4..].to_vec()).ok()?;
    // A body cut short by a kill is no answer.
    let length: usize = headers.get("content-length")?.parse().ok()?;
    (body.len() == length).then_some(Reply {
        status,
        headers,
        body,
    })
}

/// The example programs with encounters, each with the directory for its area, as
/// `examples/directories.json` pairs them.
fn examples() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("examples/directories.json")).unwrap();
    let pairs: serde_json::Value = serde_json::from_str(&text).unwrap();
    pairs["serves"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(p, d)| (p.clone(), d.as_str().unwrap().to_string()))
        .collect()
}

/// What `offramp route --errors inline` prints for a file, with or without the directory.
fn route_cli(program: &str, providers: Option<&str>, input: &str) -> String {
    let program = format!("examples/programs/{program}.toml");
    let mut args = vec!["route", "--program", &program, "--errors", "inline", input];
    let dir;
    if let Some(d) = providers {
        dir = format!("examples/providers/{d}.json");
        args.extend(["--providers", &dir]);
    }
    text(&run_in(&root(), &args, b"").stdout)
}

#[test]
fn decisions_are_the_bytes_offramp_route_prints() {
    let temp = Temp::new("bytes");
    let examples = examples();
    assert!(
        examples.len() >= 3,
        "examples/directories.json pairs too few programs"
    );
    let all: Vec<&str> = examples.iter().map(|(p, _)| p.as_str()).collect();
    let server = Server::start(&temp.config(&all, None));
    let mut compared = 0;
    for (program, _) in &examples {
        let input = format!("examples/encounters/{program}.jsonl");
        let expected = route_cli(program, None, &input);
        let body = std::fs::read_to_string(root().join(&input)).unwrap();
        let path = format!("/v1/route?program={program}");
        // The file as one batch: every line's answer, as `--errors inline` writes it.
        let batch = server.post(&path, "application/x-ndjson", &body);
        assert_eq!(batch.status, 200);
        assert_eq!(batch.body, expected, "{program}");
        // Each encounter alone.
        for (line, answer) in body.lines().zip(expected.lines()) {
            if line.trim().is_empty() {
                continue;
            }
            let one = server.post(&path, "application/json", line);
            assert_eq!(one.status, 200, "{}", one.body);
            assert_eq!(one.body, format!("{answer}\n"));
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} decisions compared");
    // The lines that are not encounters, as `offramp route` reports them in place.
    let bad = "examples/encounters/bad-lines.jsonl";
    let expected = route_cli("lead-king-county", None, bad);
    let body = std::fs::read_to_string(root().join(bad)).unwrap();
    let batch = server.post(
        "/v1/route?program=lead-king-county",
        "application/x-ndjson",
        &body,
    );
    assert_eq!(batch.body, expected);
    assert_ne!(batch.headers["x-offramp-failed"], "0");
    server.stop();
}

#[test]
fn decisions_with_partners_are_the_bytes_offramp_route_prints() {
    for (program, directory) in &examples() {
        let temp = Temp::new("partners");
        let server = Server::start(&temp.config(&[program], Some(directory)));
        let input = format!("examples/encounters/{program}.jsonl");
        let expected = route_cli(program, Some(directory), &input);
        let body = std::fs::read_to_string(root().join(&input)).unwrap();
        let batch = server.post("/v1/route", "application/x-ndjson", &body);
        assert_eq!(batch.body, expected, "{program} with {directory}");
        assert!(
            expected.contains("\"providers\":["),
            "{program}: no partners offered"
        );
    }
}

#[test]
fn explain_and_trace_are_what_offramp_explain_prints() {
    let temp = Temp::new("explain");
    let (program, directory) = examples()
        .into_iter()
        .find(|(p, _)| p == "lead-king-county")
        .unwrap();
    let (program, directory) = (program.as_str(), directory.as_str());
    let server = Server::start(&temp.config(&[program], Some(directory)));
    let encounters =
        std::fs::read_to_string(root().join(format!("examples/encounters/{program}.jsonl")))
            .unwrap();
    let program_path = format!("examples/programs/{program}.toml");
    let directory_path = format!("examples/providers/{directory}.json");
    for e in encounters.lines().filter(|l| !l.trim().is_empty()).take(4) {
        let base = [
            "explain",
            "-p",
            &program_path,
            "--providers",
            &directory_path,
            e,
        ];
        let cli = run_in(&root(), &base, b"");
        assert_eq!(
            server.post("/v1/explain", "application/json", e).body,
            text(&cli.stdout)
        );
        let mut traced = base.to_vec();
        traced.extend(["--trace", "--format", "json"]);
        let cli = run_in(&root(), &traced, b"");
        assert_eq!(
            server.post("/v1/trace", "application/json", e).body,
            text(&cli.stdout)
        );
    }
}

#[test]
fn the_services_open_are_those_offramp_providers_open_lists() {
    let temp = Temp::new("open");
    let server = Server::start(&temp.config(&["lead-king-county"], Some("king-county")));
    for at in ["2026-03-03T11:00:00-08:00", "2026-03-07T23:30:00-08:00"] {
        let cli = run_in(
            &root(),
            &[
                "providers",
                "open",
                "--at",
                at,
                "examples/providers/king-county.json",
            ],
            b"",
        );
        let expected: Vec<(String, Option<String>)> = text(&cli.stdout)
            .lines()
            .map(|l| {
                let cells: Vec<&str> = l.split('\t').collect();
                (
                    cells[0].to_string(),
                    cells[2].strip_prefix("until ").map(str::to_string),
                )
            })
            .collect();
        let reply = send(
            server.addr,
            "GET",
            &format!("/v1/services/open?at={}", at.replace(':', "%3A")),
            "application/json",
            "",
        )
        .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        let served: Vec<(String, Option<String>)> = json["open"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["service"].as_str().unwrap().to_string(),
                    s["until"].as_str().map(str::to_string),
                )
            })
            .collect();
        assert_eq!(served, expected, "at {at}");
    }
}

#[test]
fn sigterm_lets_the_request_under_way_finish_and_log() {
    let temp = Temp::new("term");
    let server = Server::start(&temp.config(&["lead-king-county"], None));
    let encounter =
        std::fs::read_to_string(root().join("examples/encounters/lead-king-county.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string();
    // The request's head asks to be told when its body is wanted: once the service answers
    // `100 Continue`, the request is in its handler, under way.
    let mut stream = TcpStream::connect_timeout(&server.addr, PATIENCE).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "POST /v1/route HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer {SECRET}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        encounter.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    reader.read_line(&mut line).unwrap();
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    // The body, sent after the signal, is still read, decided, logged and answered.
    stream.write_all(encounter.as_bytes()).unwrap();
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{rest}");
    assert!(rest.contains("\"encounter_id\":"), "{rest}");
    server.stop_after_signal();
    let rows = offramp_serve::audit::rows(temp.log()).unwrap();
    assert_eq!(rows.len(), 1);
}

/// An encounter of the LEAD examples under a new id of its own.
fn numbered(template: &serde_json::Value, n: usize) -> String {
    let mut e = template.clone();
    e["id"] = serde_json::Value::String(format!("kill-{n:03}"));
    serde_json::to_string(&e).unwrap()
}

#[test]
fn no_acknowledged_decision_is_lost_when_the_service_is_killed() {
    const TOTAL: usize = 200;
    const CLIENTS: usize = 4;
    let temp = Temp::new("kill");
    let config = temp.config(&["lead-king-county"], None);
    let template: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(root().join("examples/encounters/lead-king-county.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let server = Server::start(&config);
    let addr = server.addr;
    // Four clients send their share of the 200 requests, one at a time each, and stop at the
    // first request that gets no whole answer; the service is killed once half are answered.
    let acknowledged = Arc::new(std::sync::Mutex::new(BTreeMap::<usize, String>::new()));
    let answered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (acknowledged, answered, template) = (
                Arc::clone(&acknowledged),
                Arc::clone(&answered),
                template.clone(),
            );
            std::thread::spawn(move || {
                for n in (c..TOTAL).step_by(CLIENTS) {
                    match post(
                        addr,
                        "/v1/route",
                        "application/json",
                        &numbered(&template, n),
                    ) {
                        Some(r) if r.status == 200 => {
                            acknowledged.lock().unwrap().insert(n, r.body);
                            answered.fetch_add(1, Ordering::SeqCst);
                        }
                        _ => return,
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + PATIENCE;
    while answered.load(Ordering::SeqCst) < TOTAL / 2 {
        assert!(
            Instant::now() < deadline,
            "the first half was not answered in time"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    server.kill();
    for c in clients {
        c.join().unwrap();
    }
    let before = acknowledged.lock().unwrap().len();
    assert!(
        (TOTAL / 2..TOTAL).contains(&before),
        "{before} answered before the kill"
    );

    // Restarted on the same log, the service takes the rest.
    let server = Server::start(&config);
    for n in 0..TOTAL {
        if acknowledged.lock().unwrap().contains_key(&n) {
            continue;
        }
        let r = server.post("/v1/route", "application/json", &numbered(&template, n));
        assert_eq!(r.status, 200, "{}", r.body);
        acknowledged.lock().unwrap().insert(n, r.body);
    }
    server.stop();

    let verified = run_in(&temp.0, &["audit", "verify", "--log", "audit.sqlite"], b"");
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    let logged: BTreeSet<String> = offramp_serve::audit::rows(temp.log())
        .unwrap()
        .into_iter()
        .map(|r| r.entry.decision)
        .collect();
    let acknowledged = acknowledged.lock().unwrap();
    assert_eq!(acknowledged.len(), TOTAL);
    for (n, body) in acknowledged.iter() {
        assert!(
            logged.contains(body.trim_end()),
            "the decision for request {n} was acknowledged but is not in the log"
        );
    }
}

/// A log of five decisions written by the service, stopped.
fn five_decisions(temp: &Temp) {
    let server = Server::start(&temp.config(&["lead-king-county"], None));
    let encounters =
        std::fs::read_to_string(root().join("examples/encounters/lead-king-county.jsonl")).unwrap();
    for e in encounters.lines().take(5) {
        assert_eq!(server.post("/v1/route", "application/json", e).status, 200);
    }
    server.stop();
}

fn sql(temp: &Temp, statement: &str) {
    rusqlite::Connection::open(temp.log())
        .unwrap()
        .execute_batch(statement)
        .unwrap();
}

// Transcripts of what a person reads, as tests/snapshots.rs keeps them: the command as typed,
// its exit code, standard output and standard error.

fn transcript(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let out = run_in(dir, args, input);
    let mut t = format!(
        "$ offramp {}\nexit: {}\n",
        args.join(" "),
        out.status.code().expect("an exit code, not a signal")
    );
    for (name, s) in [("stdout", text(&out.stdout)), ("stderr", text(&out.stderr))] {
        if !s.is_empty() {
            t.push_str(&format!("--- {name}\n{s}"));
            if !s.ends_with('\n') {
                t.push('\n');
            }
        }
    }
    t.replace(&root().display().to_string(), "<root>")
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn audit_verify_names_the_row_edited_or_deleted() {
    let temp = Temp::new("verify");
    five_decisions(&temp);
    let verify = ["audit", "verify", "--log", "audit.sqlite"];
    let good = run_in(&temp.0, &verify, b"");
    assert_eq!(good.status.code(), Some(0));
    assert!(
        text(&good.stdout).starts_with("audit.sqlite: the chain holds: 5 rows; last hash "),
        "{}",
        text(&good.stdout)
    );
    let copy = temp.0.join("pristine.sqlite");
    std::fs::copy(temp.log(), &copy).unwrap();

    // A decision's disposition changed by hand, as someone covering a mistake might.
    sql(
        &temp,
        "UPDATE decisions SET decision = replace(decision, '\"disposition\":\"', '\"disposition\":\"x') WHERE seq = 3",
    );
    let edited = transcript(&temp.0, &verify, b"");
    assert!(edited.contains("exit: 2"), "{edited}");
    std::fs::copy(&copy, temp.log()).unwrap();
    sql(&temp, "DELETE FROM decisions WHERE seq = 4");
    let deleted = transcript(&temp.0, &verify, b"");
    snapshot("audit_verify_broken", &format!("{edited}\n{deleted}"));
}

#[test]
fn audit_export_writes_the_decisions_the_service_logged_and_refuses_a_broken_log() {
    let temp = Temp::new("export");
    five_decisions(&temp);
    let csv = run_in(&temp.0, &["audit", "export", "--log", "audit.sqlite"], b"");
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    let table = text(&csv.stdout);
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some(offramp_serve::audit::COLUMNS.join(",").as_str())
    );
    // The decisions the service returned, in order, each with its disposition counted out.
    let logged = offramp_serve::audit::rows(temp.log()).unwrap();
    assert_eq!(logged.len(), 5);
    let body: Vec<&str> = lines.collect();
    assert_eq!(body.len(), 5, "{table}");
    for (line, row) in body.iter().zip(&logged) {
        let decision: serde_json::Value = serde_json::from_str(&row.entry.decision).unwrap();
        let disposition = decision["disposition"].as_str().unwrap();
        assert!(
            line.starts_with(&format!("{},", row.seq))
                && line.contains(&format!(",{disposition},")),
            "{line}"
        );
    }

    // To a file, as JSON lines.
    let out = run_in(
        &temp.0,
        &[
            "audit",
            "export",
            "--log",
            "audit.sqlite",
            "--format",
            "jsonl",
            "--out",
            "decisions.jsonl",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(temp.0.join("decisions.jsonl")).unwrap();
    assert_eq!(written.lines().count(), 5);

    // As Parquet, to a file and to standard output (not a terminal here): the same bytes.
    let parquet = [
        "audit",
        "export",
        "--log",
        "audit.sqlite",
        "--format",
        "parquet",
    ];
    let piped = run_in(&temp.0, &parquet, b"");
    assert_eq!(piped.status.code(), Some(0), "{}", text(&piped.stderr));
    assert!(piped.stdout.starts_with(b"PAR1") && piped.stdout.ends_with(b"PAR1"));
    let to_file = run_in(
        &temp.0,
        &[&parquet[..], &["--out", "decisions.parquet"]].concat(),
        b"",
    );
    assert_eq!(to_file.status.code(), Some(0), "{}", text(&to_file.stderr));
    assert_eq!(
        std::fs::read(temp.0.join("decisions.parquet")).unwrap(),
        piped.stdout
    );

    // A log whose chain is broken is not exported: the row at fault is named, nothing written.
    sql(&temp, "DELETE FROM decisions WHERE seq = 2");
    let broken = transcript(&temp.0, &["audit", "export", "--log", "audit.sqlite"], b"");
    let help = transcript(&temp.0, &["audit", "export", "--help"], b"");
    snapshot("audit_export", &format!("{help}\n{broken}"));
}

#[test]
fn a_pruned_log_verifies_from_the_last_row_deleted() {
    let temp = Temp::new("pruned");
    five_decisions(&temp);
    let head = offramp_serve::verify(temp.log()).unwrap().head;
    // What the retention period does: rows 1 and 2 go, their last hash is kept as the start.
    let second = offramp_serve::audit::rows(temp.log()).unwrap()[1]
        .hash
        .clone();
    sql(
        &temp,
        &format!(
            "DELETE FROM decisions WHERE seq <= 2; INSERT INTO audit_meta (key, value) VALUES ('pruned_through', '2'), ('pruned_head', '{second}')"
        ),
    );
    let out = run_in(&temp.0, &["audit", "verify", "--log", "audit.sqlite"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim_end(),
        format!("audit.sqlite: the chain holds: 3 rows from row 3; last hash {head}")
    );
}

#[test]
fn help_and_errors_of_serve_and_audit() {
    let temp = Temp::new("errors");
    let dir = &temp.0;
    let hash = offramp_serve::hash_secret(SECRET);
    let base = format!(
        "programs = [\"lead.toml\"]\n[audit]\npath = \"audit.sqlite\"\n[[tokens]]\nid = \"cad\"\nsha256 = \"{hash}\"\nscopes = [\"route\"]\n"
    );
    std::fs::copy(
        root().join("examples/programs/lead-king-county.toml"),
        dir.join("lead.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("misspelt.toml"),
        format!("{base}[limits]\nconcurency = 8\n"),
    )
    .unwrap();
    std::fs::write(dir.join("bad-hash.toml"), base.replace(&hash, "not-a-hash")).unwrap();
    std::fs::write(
        dir.join("no-program.toml"),
        base.replace("lead.toml", "missing.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("twice.toml"),
        base.replace("[\"lead.toml\"]", "[\"lead.toml\", \"lead.toml\"]"),
    )
    .unwrap();
    std::fs::write(dir.join("not-a-log.sqlite"), "plain text, not SQLite").unwrap();
    std::fs::write(
        dir.join("two-logs.toml"),
        base.replace(
            "path = ",
            "postgres = \"host=db.example dbname=offramp\"\npath = ",
        ),
    )
    .unwrap();
    let cases: [&[&str]; 17] = [
        &["serve", "--help"],
        &["audit", "verify", "--help"],
        &["serve"],
        &["serve", "--config", "missing.toml"],
        &["serve", "--config", "misspelt.toml"],
        &["serve", "--config", "bad-hash.toml"],
        &["serve", "--config", "no-program.toml"],
        &["serve", "--config", "twice.toml"],
        &["audit", "verify", "--log", "missing.sqlite"],
        &["audit", "verify", "--log", "not-a-log.sqlite"],
        &["serve", "--config", "two-logs.toml"],
        &["audit", "verify"],
        &[
            "audit",
            "verify",
            "--log",
            "audit.sqlite",
            "--postgres",
            "host=db.example",
        ],
        &[
            "audit",
            "export",
            "--postgres",
            "host=db.example user=auditor password=hunter2",
        ],
        &[
            "audit",
            "verify",
            "--log",
            "audit.sqlite",
            "--postgres-ca",
            "ca.pem",
        ],
        &[
            "audit",
            "verify",
            "--postgres",
            "host=db.example sslmode=require",
        ],
        &[
            "audit",
            "verify",
            "--postgres",
            "host=db.example",
            "--postgres-ca",
            "missing-ca.pem",
        ],
    ];
    let parts: Vec<String> = cases
        .iter()
        .map(|args| transcript(dir, args, b""))
        .collect();
    snapshot("serve_usage_and_errors", &parts.join("\n"));
    assert!(
        !parts[13]
            .split_once("stderr")
            .unwrap()
            .1
            .contains("hunter2"),
        "a password given by mistake is never repeated"
    );
    let hashed = transcript(dir, &["serve", "--hash-token"], b"s3cret\n");
    let empty = transcript(dir, &["serve", "--hash-token"], b"");
    snapshot("serve_hash_token", &format!("{hashed}\n{empty}"));
    assert!(hashed.contains(&offramp_serve::hash_secret("s3cret")));
}

/// Starts `offramp serve` and returns its first line of output and, once killed, its error
/// output.
fn first_line_and_errors(temp: &Temp, config: &Path) -> (String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offramp"))
        .args(["serve", "--config", config.to_str().unwrap()])
        .current_dir(&temp.0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = send.send(line);
    });
    let line = receive.recv_timeout(PATIENCE).expect("the address line");
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    (line, text(&out.stderr))
}

/// A configuration with `[tls]` and a throwaway certificate for `localhost`.
fn with_tls(temp: &Temp, config: &Path) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(temp.0.join("cert.pem"), made.cert.pem()).unwrap();
    std::fs::write(temp.0.join("key.pem"), made.signing_key.serialize_pem()).unwrap();
    let written = std::fs::read_to_string(config).unwrap();
    std::fs::write(
        config,
        format!("{written}[tls]\ncertificate = \"cert.pem\"\nprivate_key = \"key.pem\"\n"),
    )
    .unwrap();
}

#[test]
fn with_tls_the_service_says_https_and_does_not_warn() {
    let temp = Temp::new("tls");
    let config = temp.config(&["lead-king-county"], None);
    with_tls(&temp, &config);
    let written = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("address = \"0.0.0.0\"\n{written}")).unwrap();
    let (line, err) = first_line_and_errors(&temp, &config);
    assert!(
        line.starts_with("offramp serve: listening on https://0.0.0.0:"),
        "{line}"
    );
    assert_eq!(err, "");
}

#[test]
fn a_key_that_does_not_fit_stops_the_start_naming_the_setting() {
    let temp = Temp::new("tls-key");
    let config = temp.config(&["lead-king-county"], None);
    with_tls(&temp, &config);
    let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(temp.0.join("key.pem"), other.signing_key.serialize_pem()).unwrap();
    snapshot(
        "serve_tls_key_mismatch",
        &transcript(&temp.0, &["serve", "--config", "offramp-serve.toml"], b""),
    );
}

#[test]
fn listening_beyond_this_machine_warns_about_tls() {
    let temp = Temp::new("address");
    let config = temp.config(&["lead-king-county"], None);
    let written = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("address = \"0.0.0.0\"\n{written}")).unwrap();
    let (line, err) = first_line_and_errors(&temp, &config);
    assert!(
        line.starts_with("offramp serve: listening on http://0.0.0.0:"),
        "{line}"
    );
    assert!(
        err.starts_with("warning: listening on 0.0.0.0 without TLS"),
        "{err}"
    );
}
