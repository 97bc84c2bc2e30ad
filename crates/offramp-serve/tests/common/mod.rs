//! What the service's tests share: a temporary folder with a configuration, a service started
//! in this process on 127.0.0.1 at a free port, and a small HTTP/1.1 client over `TcpStream`
//! (one request a connection, every read and write bounded by a timeout).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use offramp_serve::{Config, Running, Service};

/// The longest one request may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The route token's secret; its hash is in every configuration made here.
pub const ROUTE_SECRET: &str = "route-secret-for-tests";
/// The admin token's secret (scope `admin` only).
pub const ADMIN_SECRET: &str = "admin-secret-for-tests";

/// The workspace's examples folder.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The LEAD example's encounters, one JSON text each.
pub fn lead_encounters() -> Vec<String> {
    std::fs::read_to_string(examples().join("encounters/lead-king-county.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The core's decision record for an encounter's JSON, as the service must answer it.
pub fn core_decision(router: &offramp::Router, encounter: &str) -> String {
    router
        .route(&offramp::Encounter::from_json(encounter).unwrap())
        .to_json()
        .unwrap()
}

/// A folder of its own for one test, removed when dropped.
pub struct Temp(pub PathBuf);

impl Temp {
    pub fn new(name: &str) -> Temp {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "offramp-serve-test-{}-{name}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }

    pub fn log(&self) -> PathBuf {
        self.0.join("audit.sqlite")
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A configuration for the example programs named (files of examples/programs), port 0, the
/// log in `temp`, a `cad` token with scope `route` and an `ops` token with scope `admin`, and
/// `extra` TOML at the end.
pub fn config_text(temp: &Temp, programs: &[&str], extra: &str) -> String {
    let programs: Vec<String> = programs
        .iter()
        .map(|p| {
            format!(
                "{:?}",
                examples().join("programs").join(p).display().to_string()
            )
        })
        .collect();
    format!(
        "port = 0\nprograms = [{}]\n[audit]\npath = {:?}\n\
         [[tokens]]\nid = \"cad\"\nsha256 = \"{}\"\nscopes = [\"route\"]\n\
         [[tokens]]\nid = \"ops\"\nsha256 = \"{}\"\nscopes = [\"admin\"]\n{extra}",
        programs.join(", "),
        temp.log().display().to_string(),
        offramp_serve::hash_secret(ROUTE_SECRET),
        offramp_serve::hash_secret(ADMIN_SECRET),
    )
}

/// A service started in this process from the configuration text; stopped when dropped.
pub fn start(temp: &Temp, text: &str) -> Running {
    let path = temp.0.join("offramp-serve.toml");
    std::fs::write(&path, text).unwrap();
    let config = Config::from_file(&path).unwrap();
    let service = Service::load(&config).unwrap();
    Running::start(service, &config).unwrap()
}

/// An answer: status, headers (names in lower case) and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// Sends one request and reads the whole answer (the connection is closed after it).
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    exchange(
        connect(addr),
        &addr.to_string(),
        method,
        path,
        headers,
        body,
    )
}

/// A connection to `addr`, every read and write bounded by [`PATIENCE`].
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Sends one request on a connection (plain or TLS) and reads the whole answer.
pub fn exchange(
    mut stream: impl Read + Write,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (413, 401) before reading all of a body: a failed write is fine.
    let _ = stream.write_all(body);
    let _ = stream.flush();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[split + 4..];
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|t| t == "chunked")
    {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Reply {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[end + 2..end + 2 + size]);
        rest = &rest[end + 2 + size + 2..];
    }
}

/// `POST path` with a bearer secret, a content type and a body.
pub fn post(addr: SocketAddr, path: &str, secret: &str, content_type: &str, body: &str) -> Reply {
    let auth = format!("Bearer {secret}");
    request(
        addr,
        "POST",
        path,
        &[("Authorization", &auth), ("Content-Type", content_type)],
        body.as_bytes(),
    )
}

/// `GET path` with a bearer secret.
pub fn get(addr: SocketAddr, path: &str, secret: &str) -> Reply {
    let auth = format!("Bearer {secret}");
    request(addr, "GET", path, &[("Authorization", &auth)], b"")
}

/// A schema of its own in the test PostgreSQL server (`OFFRAMP_TEST_POSTGRES`, the password in
/// `PGPASSWORD`), dropped when this is dropped.
pub struct PgSchema {
    admin: postgres::Client,
    pub schema: String,
    /// The connection string for the service: the server's, with the schema as search path.
    pub conninfo: String,
}

/// The reason printed when a PostgreSQL test finds no server and passes without one (as in
/// `cargo test` on a machine without PostgreSQL); with `OFFRAMP_REQUIRE_POSTGRES=1`, which
/// `scripts/test-serve` sets beside the server it starts, it fails instead.
pub fn postgres_missing(what: &str) {
    assert!(
        std::env::var("OFFRAMP_REQUIRE_POSTGRES").as_deref() != Ok("1"),
        "{what} is not set, and OFFRAMP_REQUIRE_POSTGRES=1 says the PostgreSQL tests must run (scripts/test-serve starts a server and sets it)"
    );
    eprintln!(
        "skipped: {what} is not set (scripts/test-serve starts a PostgreSQL server and sets it)"
    );
}

impl PgSchema {
    /// A fresh schema, or `None` (with the reason printed) when no server is given outside CI.
    pub fn new(name: &str) -> Option<PgSchema> {
        let Some(server) = std::env::var("OFFRAMP_TEST_POSTGRES")
            .ok()
            .filter(|c| !c.is_empty())
        else {
            postgres_missing("OFFRAMP_TEST_POSTGRES");
            return None;
        };
        let schema = format!("{name}_{}", std::process::id());
        let mut admin = PgSchema::connect(&server);
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .unwrap();
        Some(PgSchema {
            admin,
            conninfo: format!("{server} options='-c search_path={schema}'"),
            schema,
        })
    }

    fn connect(conninfo: &str) -> postgres::Client {
        let mut config: postgres::Config = conninfo.parse().unwrap();
        if let Ok(p) = std::env::var("PGPASSWORD") {
            config.password(p);
        }
        config.connect(postgres::NoTls).unwrap()
    }

    /// The log in this schema.
    pub fn log(&self) -> offramp_serve::audit::Location {
        offramp_serve::audit::Location::Postgres(
            offramp_serve::audit::Postgres::new(
                &self.conninfo,
                offramp_serve::audit::Postgres::password_from_env(),
            )
            .unwrap(),
        )
    }

    /// `config_text` with the log in this schema instead of the folder.
    pub fn config_text(&self, temp: &Temp, programs: &[&str], extra: &str) -> String {
        config_text(temp, programs, extra).replace(
            &format!("path = {:?}", temp.log().display().to_string()),
            &format!("postgres = {:?}", self.conninfo),
        )
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if self.admin.is_closed() {
            self.admin =
                PgSchema::connect(self.conninfo.split(" options=").next().unwrap_or_default());
        }
        let _ = self
            .admin
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
    }
}
