//! `offramp playground --serve`: the built binary started on a free port over a folder made
//! here, asked over loopback with plain HTTP/1.1 requests, and stopped by a signal.
//!
//! Nothing here can hang: connections and reads have timeouts, every wait for the command is
//! bounded, and a started command is killed when its guard drops (also when a test fails). Its
//! standard streams are pipes to this test, never the test's own, so a command left behind
//! cannot hold the test runner's output open.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest any one step may take before the test gives up (and kills the command).
const PATIENCE: Duration = Duration::from_secs(30);

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' \
'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'";

const INDEX: &str = "<!doctype html><title>playground</title>\n";
const WASM: &[u8] = b"\0asm\x01\0\0\0";
const SCRIPT: &str = "export const x = 1;\n";
const SECRET: &str = "outside the served folder\n";

/// A temporary folder holding a built page in `site/` (index.html, a.wasm, m.mjs, sub/x.js)
/// and a file beside it, `secret.txt`, that must never be served. Removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new() -> Folder {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!(
            "offramp-playground-test-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("site/sub")).unwrap();
        std::fs::write(root.join("site/index.html"), INDEX).unwrap();
        std::fs::write(root.join("site/a.wasm"), WASM).unwrap();
        std::fs::write(root.join("site/m.mjs"), SCRIPT).unwrap();
        std::fs::write(root.join("site/sub/x.js"), SCRIPT).unwrap();
        std::fs::write(root.join("secret.txt"), SECRET).unwrap();
        Folder(root)
    }

    fn site(&self) -> PathBuf {
        self.0.join("site")
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A started `offramp`, killed and reaped when dropped unless it has already exited.
struct Running(Child);

impl Running {
    fn start(dir: &Path, args: &[&str]) -> Running {
        Running(
            Command::new(env!("CARGO_BIN_EXE_offramp"))
                .args(args)
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the offramp binary starts"),
        )
    }

    /// Waits, at most [`PATIENCE`], for the command to exit.
    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "offramp did not exit within {PATIENCE:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the command to exit, then reads what it wrote.
    fn output(mut self) -> (ExitStatus, String, String) {
        // The error messages are short, far below a pipe's buffer, so the command never
        // blocks writing them while this waits.
        let status = self.wait();
        let mut out = String::new();
        let mut err = String::new();
        self.0
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        self.0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status, out, err)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `offramp playground --serve 0 --dir DIR`, started and ready: its port read from the line it
/// prints.
struct Server {
    running: Running,
    port: u16,
    line: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut running = Running::start(
            dir.parent().unwrap(),
            &[
                "playground",
                "--serve",
                "0",
                "--dir",
                dir.to_str().expect("a UTF-8 temporary folder"),
            ],
        );
        let stdout = running.0.stdout.take().unwrap();
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let line = receive
            .recv_timeout(PATIENCE)
            .expect("offramp prints its URL");
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        Server {
            running,
            port,
            line,
        }
    }

    fn get(&self, target: &str) -> Reply {
        request(
            self.port,
            "GET",
            target,
            &format!("127.0.0.1:{}", self.port),
        )
    }

    fn pid(&self) -> u32 {
        self.running.0.id()
    }
}

/// An HTTP response: status, headers (names in lower case) and body.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no {name} header in {self:?}"))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, PATIENCE)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    Ok(stream)
}

/// One HTTP/1.1 request over a new connection to 127.0.0.1:PORT, with the target sent as
/// given (not normalised, so that `..` reaches the server) and the connection closed after.
fn request(port: u16, method: &str, target: &str, host: &str) -> Reply {
    let mut stream = connect(SocketAddr::from(([127, 0, 0, 1], port))).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (name, value) = l.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim().to_string())
        })
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// Every response carries the same security and caching headers.
fn assert_guarded(reply: &Reply) {
    assert_eq!(reply.header("content-security-policy"), CSP);
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert_eq!(reply.header("cache-control"), "no-cache");
}

#[test]
fn the_folder_is_served_with_its_types_and_the_security_headers() {
    let folder = Folder::new();
    let server = Server::start(&folder.site());
    assert_eq!(
        server.line,
        format!(
            "offramp playground: serving {} at http://127.0.0.1:{}/ (Ctrl-C stops)\n",
            folder.site().display(),
            server.port
        )
    );

    for target in ["/", "/index.html"] {
        let index = server.get(target);
        assert_eq!(index.status, 200, "{target}");
        assert_eq!(index.text(), INDEX);
        assert!(index.header("content-type").starts_with("text/html"));
        assert_guarded(&index);
    }

    let wasm = server.get("/a.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.body, WASM);
    assert_eq!(wasm.header("content-type"), "application/wasm");
    assert_guarded(&wasm);

    for target in ["/sub/x.js", "/m.mjs"] {
        let script = server.get(target);
        assert_eq!(script.status, 200, "{target}");
        assert_eq!(script.text(), SCRIPT);
        assert_eq!(script.header("content-type"), "text/javascript", "{target}");
        assert_guarded(&script);
    }

    let missing = server.get("/missing.js");
    assert_eq!(missing.status, 404);
    assert_guarded(&missing);
    assert_eq!(
        server.get("/sub/").status,
        404,
        "a folder without index.html"
    );

    let head = request(
        server.port,
        "HEAD",
        "/a.wasm",
        &format!("127.0.0.1:{}", server.port),
    );
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), WASM.len().to_string());
    assert!(head.body.is_empty());

    for method in ["POST", "PUT", "DELETE"] {
        let refused = request(
            server.port,
            method,
            "/index.html",
            &format!("127.0.0.1:{}", server.port),
        );
        assert_eq!(refused.status, 405, "{method}");
        assert_guarded(&refused);
    }
}

#[test]
fn no_path_leads_out_of_the_folder() {
    let folder = Folder::new();
    let server = Server::start(&folder.site());
    for target in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/%2fsecret.txt",
        &format!("/{}", folder.0.join("secret.txt").display()),
        &format!("/%2f{}", folder.0.join("secret.txt").display()),
    ] {
        let reply = server.get(target);
        assert!(
            (400..500).contains(&reply.status),
            "{target}: status {}",
            reply.status
        );
        assert!(!reply.text().contains(SECRET.trim()), "{target} was served");
    }
}

#[test]
fn it_listens_on_127_0_0_1_only_and_answers_only_for_its_own_host_names() {
    let folder = Folder::new();
    let server = Server::start(&folder.site());
    // The whole 127.0.0.0/8 block reaches this machine on Linux, so a server listening on
    // every address would accept this connection; one on 127.0.0.1 does not.
    #[cfg(target_os = "linux")]
    assert!(connect(SocketAddr::from(([127, 0, 0, 2], server.port))).is_err());
    assert!(connect(SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], server.port))).is_err());

    let local = request(
        server.port,
        "GET",
        "/",
        &format!("localhost:{}", server.port),
    );
    assert_eq!(local.status, 200);
    // A page elsewhere whose host name resolves to 127.0.0.1 (DNS rebinding) is refused.
    for host in [
        format!("attacker.example:{}", server.port),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{}", server.port.wrapping_add(1)),
    ] {
        let refused = request(server.port, "GET", "/", &host);
        assert_eq!(refused.status, 403, "{host}");
        assert!(!refused.text().contains("playground"));
        assert_guarded(&refused);
    }
}

/// Sends a signal by name with the system's `kill`.
#[cfg(unix)]
fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn sigterm_and_ctrl_c_stop_it_with_exit_code_0() {
    let folder = Folder::new();
    for name in ["TERM", "INT"] {
        let mut server = Server::start(&folder.site());
        // A connection the browser keeps open does not hold the shutdown up.
        let _idle = connect(SocketAddr::from(([127, 0, 0, 1], server.port))).unwrap();
        assert_eq!(server.get("/").status, 200);
        signal(server.pid(), name);
        let status = server.running.wait();
        assert_eq!(status.code(), Some(0), "after SIG{name}");
        assert!(
            connect(SocketAddr::from(([127, 0, 0, 1], server.port))).is_err(),
            "still listening after SIG{name}"
        );
    }
}

// Transcripts of what a person reads, as the other snapshot tests keep them
// (tests/snapshots.rs): the command as typed, its exit code, standard output and error.

fn transcript(dir: &Path, args: &[&str], port: Option<u16>) -> String {
    let (status, out, err) = Running::start(dir, args).output();
    let mut text = format!(
        "$ offramp {}\nexit: {}\n",
        args.join(" "),
        status.code().expect("an exit code, not a signal")
    );
    for (name, s) in [("stdout", out), ("stderr", err)] {
        if !s.is_empty() {
            text.push_str(&format!("--- {name}\n{s}"));
            if !s.ends_with('\n') {
                text.push('\n');
            }
        }
    }
    match port {
        Some(port) => text.replace(&port.to_string(), "PORT"),
        None => text,
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn help_text() {
    let folder = Folder::new();
    snapshot(
        "playground_help",
        &transcript(&folder.0, &["playground", "--help"], None),
    );
}

#[test]
fn a_folder_that_is_no_built_page_is_refused_naming_dir() {
    let folder = Folder::new();
    // The default folder, dist/playground, does not exist where this runs.
    snapshot(
        "playground_no_folder",
        &transcript(&folder.0, &["playground", "--serve", "0"], None),
    );
    snapshot(
        "playground_no_index",
        &transcript(
            &folder.0,
            &["playground", "--serve", "0", "--dir", "site/sub"],
            None,
        ),
    );
}

#[test]
fn a_port_in_use_is_refused_naming_serve() {
    let folder = Folder::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    snapshot(
        "playground_port_in_use",
        &transcript(
            &folder.0,
            &["playground", "--serve", &port.to_string(), "--dir", "site"],
            Some(port),
        ),
    );
}

#[test]
fn serve_is_required_and_checked_by_the_parser() {
    let folder = Folder::new();
    snapshot(
        "playground_without_serve",
        &transcript(&folder.0, &["playground"], None),
    );
    snapshot(
        "playground_port_out_of_range",
        &transcript(&folder.0, &["playground", "--serve", "65536"], None),
    );
}
