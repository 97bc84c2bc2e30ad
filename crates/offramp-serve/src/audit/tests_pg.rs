//! The log in PostgreSQL: the same chain, verification, tamper detection and retention as the
//! SQLite file. These need a server: `scripts/test-serve` starts a throwaway one and runs them
//! by name (`postgres_`), giving its connection string in `OFFRAMP_TEST_POSTGRES` (and the password
//! in `PGPASSWORD`). Each test works in a schema of its own, dropped at the end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::pg::prune_before;
use super::tests::append;
use super::*;

/// The reason printed when a test finds no server and passes without one (as in `cargo test`
/// on a machine without PostgreSQL); with `OFFRAMP_REQUIRE_POSTGRES=1`, which
/// `scripts/test-serve` sets beside the server it starts, it fails instead.
fn missing(what: &str) {
    assert!(
        std::env::var("OFFRAMP_REQUIRE_POSTGRES").as_deref() != Ok("1"),
        "{what} is not set, and OFFRAMP_REQUIRE_POSTGRES=1 says the PostgreSQL tests must run (scripts/test-serve starts a server and sets it)"
    );
    eprintln!(
        "skipped: {what} is not set (scripts/test-serve starts a PostgreSQL server and sets it)"
    );
}

/// A schema of its own in the test server, dropped when this is dropped.
struct Db {
    admin: ::postgres::Client,
    schema: String,
    log: Postgres,
}

impl Db {
    /// A fresh schema, or `None` (with the reason printed) when no server is given outside CI.
    fn new() -> Option<Db> {
        let conninfo = match std::env::var("OFFRAMP_TEST_POSTGRES") {
            Ok(c) if !c.is_empty() => c,
            _ => {
                missing("OFFRAMP_TEST_POSTGRES");
                return None;
            }
        };
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let schema = format!(
            "unit_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut config: ::postgres::Config = conninfo.parse().unwrap();
        if let Some(p) = Postgres::password_from_env() {
            config.password(p);
        }
        let mut admin = config.connect(::postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .unwrap();
        let log = Postgres::new(
            &format!("{conninfo} options='-c search_path={schema}'"),
            Postgres::password_from_env(),
        )
        .unwrap();
        Some(Db { admin, schema, log })
    }

    fn sql(&mut self, statement: &str) {
        self.admin
            .batch_execute(&format!("SET search_path = {}; {statement}", self.schema))
            .unwrap();
    }

    fn value(&mut self, query: &str) -> String {
        self.admin
            .batch_execute(&format!("SET search_path = {}", self.schema))
            .unwrap();
        self.admin.query_one(query, &[]).unwrap().get(0)
    }

    /// A log of `n` rows, written in a few appends, closed.
    fn log_of(&self, n: usize) {
        let log = AuditLog::open(self.log.clone()).unwrap();
        for chunk in (1..=n).collect::<Vec<_>>().chunks(3) {
            append(&log, chunk.iter().map(|i| entry(*i)).collect());
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
    }
}

/// The unit tests' entry, with the encounter kept for every other one.
fn entry(n: usize) -> Entry {
    Entry {
        encounter: (n % 2 == 0).then(|| format!("{{\"id\":\"e-{n}\"}}")),
        ..super::tests::entry(n)
    }
}

#[test]
fn postgres_rows_chain_verify_and_continue_after_reopening() {
    let Some(mut db) = Db::new() else { return };
    let empty = AuditLog::open(db.log.clone()).unwrap();
    drop(empty);
    assert_eq!(
        verify(db.log.clone()).unwrap(),
        Verified {
            rows: 0,
            first: 1,
            head: GENESIS.into()
        }
    );
    db.log_of(7);
    db.log_of(2);
    let v = verify(db.log.clone()).unwrap();
    assert_eq!((v.rows, v.first), (9, 1));
    assert_eq!(v.head, db.value("SELECT hash FROM decisions WHERE seq = 9"));
    assert_eq!(
        db.value("SELECT prev_hash FROM decisions WHERE seq = 1"),
        GENESIS
    );
    // The rows read back are the entries written, in order, with the one hash function.
    let stored = rows(db.log.clone()).unwrap();
    assert_eq!(stored.len(), 9);
    for (i, row) in stored.iter().enumerate() {
        assert_eq!(row.entry, entry(if i < 7 { i + 1 } else { i - 6 }));
        assert_eq!(
            row.hash,
            row_hash(row.seq, &row.at, &row.entry, &row.prev_hash)
        );
    }
    // Programs are kept once per hash.
    let log = AuditLog::open(db.log.clone()).unwrap();
    let program = ProgramText {
        hash: "sha256:abc".into(),
        id: "lead-king-county".into(),
        version: None,
        format: "toml",
        text: "[program]\n".into(),
    };
    log.record_programs(vec![program.clone(), program]).unwrap();
    drop(log);
    assert_eq!(db.value("SELECT count(*)::text FROM programs"), "1");
    assert_eq!(
        db.value("SELECT value FROM audit_meta WHERE key = 'format'"),
        FORMAT
    );
}

#[test]
fn postgres_an_update_or_a_delete_is_named_by_row() {
    let Some(mut db) = Db::new() else { return };
    db.log_of(6);
    db.sql("UPDATE decisions SET decision = '{}' WHERE seq = 4");
    assert_eq!(
        verify(db.log.clone()).unwrap_err(),
        VerifyError::Broken {
            row: 4,
            problem: "its contents do not match its hash (changed after it was written)"
        }
    );
    db.sql("DELETE FROM decisions WHERE seq = 4");
    let e = verify(db.log.clone()).unwrap_err();
    assert!(e.to_string().starts_with("row 4: missing"), "{e}");
    db.sql("DELETE FROM decisions WHERE seq = 1");
    assert!(matches!(
        verify(db.log.clone()).unwrap_err(),
        VerifyError::Broken { row: 1, .. }
    ));
    // A stored encounter removed is found too.
    let Some(mut db) = Db::new() else { return };
    db.log_of(3);
    db.sql("UPDATE decisions SET encounter = NULL WHERE seq = 2");
    assert!(matches!(
        verify(db.log.clone()).unwrap_err(),
        VerifyError::Broken { row: 2, .. }
    ));
}

#[test]
fn postgres_a_database_that_is_not_a_log_is_refused_and_never_changed() {
    let Some(mut db) = Db::new() else { return };
    db.sql("CREATE TABLE t (x int)");
    assert!(matches!(
        verify(db.log.clone()).unwrap_err(),
        VerifyError::Open(AuditError::Format { .. })
    ));
    assert_eq!(
        db.value("SELECT count(*)::text FROM pg_tables WHERE tablename = 'decisions' AND schemaname = current_schema()"),
        "0",
        "verify created nothing"
    );
    // No server there: an error naming the database, never a password.
    let nowhere = Postgres::new(
        "host=127.0.0.1 port=1 dbname=none user=nobody connect_timeout=2",
        Some("hunter2-secret".into()),
    )
    .unwrap();
    let e = AuditLog::open(nowhere).unwrap_err().to_string();
    assert!(
        e.starts_with(
            "postgresql host=127.0.0.1 port=1 dbname=none user=nobody: cannot open the audit log: "
        ),
        "{e}"
    );
    assert!(!e.contains("hunter2"), "{e}");
}

#[test]
fn postgres_pruning_keeps_the_chain_verifiable() {
    let Some(mut db) = Db::new() else { return };
    let log = AuditLog::open(db.log.clone()).unwrap();
    append(&log, (1..=3).map(entry).collect());
    std::thread::sleep(Duration::from_millis(5));
    append(&log, (4..=6).map(entry).collect());
    drop(log);
    let head_before = verify(db.log.clone()).unwrap().head;
    let cutoff = db.value("SELECT at FROM decisions WHERE seq = 4");
    assert_eq!(prune_before(&db.log, &cutoff).unwrap(), 3);
    assert_eq!(
        prune_before(&db.log, &cutoff).unwrap(),
        0,
        "pruning again deletes nothing"
    );
    let v = verify(db.log.clone()).unwrap();
    assert_eq!(
        (v.rows, v.first, v.head.as_str()),
        (3, 4, head_before.as_str())
    );

    // New rows continue the chain, also after every row has been pruned, and a retention
    // period prunes when the log opens.
    let log = AuditLog::open(db.log.clone()).unwrap();
    append(&log, vec![entry(7)]);
    drop(log);
    std::thread::sleep(Duration::from_millis(5));
    let log = AuditLog::open_with(db.log.clone(), Some(Duration::ZERO)).unwrap();
    append(&log, vec![entry(8)]);
    drop(log);
    let v = verify(db.log.clone()).unwrap();
    assert_eq!((v.rows, v.first), (1, 8));
    assert_eq!(rows(db.log.clone()).unwrap()[0].seq, 8);
    let log = AuditLog::open_with(db.log.clone(), Some(Duration::from_secs(86_400))).unwrap();
    drop(log);
    assert_eq!(verify(db.log.clone()).unwrap().rows, 1);

    // A forged starting point is found at the first row kept.
    db.sql("UPDATE audit_meta SET value = '00' WHERE key = 'pruned_head'");
    match verify(db.log.clone()) {
        Err(VerifyError::Broken { row, .. }) => assert_eq!(row, 8),
        other => panic!("expected row 8 named, got {other:?}"),
    }
}

/// What the proxy in front of the test server does to the next `COMMIT` it sees.
const PASS: u8 = 0;
/// Forwards the `COMMIT` but cuts the connection before its answer comes back: the
/// transaction commits and the writer cannot know.
const CUT_AFTER_COMMIT: u8 = 1;
/// Cuts the connection instead of forwarding the `COMMIT`: the transaction never commits.
const CUT_BEFORE_COMMIT: u8 = 2;

/// A TCP proxy on 127.0.0.1 in front of the test server, which cuts one connection at its next
/// `COMMIT` when told to; every other byte passes. Its threads end with their connections.
fn commit_cutting_proxy(
    upstream: std::net::SocketAddr,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicU8>) {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU8};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mode = Arc::new(AtomicU8::new(PASS));
    let shared = mode.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let server = TcpStream::connect(upstream).unwrap();
            let held = Arc::new(AtomicBool::new(false));
            // Server to client, unless the connection is being cut.
            let (mut from, mut to, hold) = (
                server.try_clone().unwrap(),
                client.try_clone().unwrap(),
                held.clone(),
            );
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = from.read(&mut buf) {
                    if n == 0 || hold.load(Ordering::SeqCst) || to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to.shutdown(Shutdown::Both);
            });
            let (mut from, mut to, mode) = (client, server, shared.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = from.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let commit = buf[..n].windows(7).any(|w| w == b"COMMIT\0");
                    let cut = if commit {
                        mode.swap(PASS, Ordering::SeqCst)
                    } else {
                        PASS
                    };
                    if cut != PASS {
                        held.store(true, Ordering::SeqCst);
                        if cut == CUT_AFTER_COMMIT {
                            let _ = to.write_all(&buf[..n]);
                            // Time for the server to commit before the connection goes.
                            std::thread::sleep(Duration::from_millis(300));
                        }
                        break;
                    }
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to.shutdown(Shutdown::Both);
                let _ = from.shutdown(Shutdown::Both);
            });
        }
    });
    (port, mode)
}

#[test]
fn postgres_a_commit_without_an_answer_is_looked_up_before_anything_is_answered() {
    let Some(db) = Db::new() else { return };
    let server: ::postgres::Config = std::env::var("OFFRAMP_TEST_POSTGRES")
        .unwrap()
        .parse()
        .unwrap();
    let upstream = match (server.get_hosts().first(), server.get_ports().first()) {
        (Some(::postgres::config::Host::Tcp(host)), port) => {
            std::net::ToSocketAddrs::to_socket_addrs(&(
                host.as_str(),
                port.copied().unwrap_or(5432),
            ))
            .unwrap()
            .next()
            .unwrap()
        }
        _ => panic!("OFFRAMP_TEST_POSTGRES: a TCP host is needed for this test"),
    };
    let (port, mode) = commit_cutting_proxy(upstream);
    let through = Postgres::new(
        &format!(
            "host=127.0.0.1 port={port} user={} dbname={} options='-c search_path={}'",
            server.get_user().unwrap_or("postgres"),
            server.get_dbname().unwrap_or("postgres"),
            db.schema
        ),
        Postgres::password_from_env(),
    )
    .unwrap();
    let log = AuditLog::open(through).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime
        .block_on(log.append((1..=3).map(entry).collect()))
        .unwrap();

    // Committed, but the answer was lost: found by its last row on a new connection, so the
    // decisions are answered.
    mode.store(CUT_AFTER_COMMIT, Ordering::SeqCst);
    runtime
        .block_on(log.append((4..=5).map(entry).collect()))
        .unwrap();
    assert_eq!(
        mode.load(Ordering::SeqCst),
        PASS,
        "the proxy cut a connection"
    );

    // Never committed: not found, so refused, and the chain goes on without them.
    mode.store(CUT_BEFORE_COMMIT, Ordering::SeqCst);
    let refused = runtime.block_on(log.append((6..=7).map(entry).collect()));
    assert!(
        matches!(&refused, Err(AuditError::Unavailable(m)) if m.contains("not written")),
        "{refused:?}"
    );
    runtime.block_on(log.append(vec![entry(8)])).unwrap();
    drop(log);

    let v = verify(db.log.clone()).unwrap();
    assert_eq!(v.rows, 6);
    let ids: Vec<String> = rows(db.log.clone())
        .unwrap()
        .into_iter()
        .map(|r| r.entry.encounter_id)
        .collect();
    assert_eq!(ids, ["e-1", "e-2", "e-3", "e-4", "e-5", "e-8"]);
}

/// The certificate authority of the test server's TLS certificate (`scripts/test-serve` makes
/// one and turns TLS on), or `None` (with the reason printed) outside CI.
fn test_ca() -> Option<std::path::PathBuf> {
    match std::env::var("OFFRAMP_TEST_POSTGRES_CA") {
        Ok(c) if !c.is_empty() => Some(c.into()),
        _ => {
            missing("OFFRAMP_TEST_POSTGRES_CA");
            None
        }
    }
}

#[test]
fn postgres_over_tls_the_server_is_checked_and_the_log_works() {
    let Some(mut db) = Db::new() else { return };
    let Some(ca) = test_ca() else { return };
    let over_tls = db.log.clone().with_ca(&ca).unwrap();
    let log = AuditLog::open(over_tls.clone()).unwrap();
    append(&log, (1..=3).map(entry).collect());
    // The log's own connection is encrypted (its writer holds it open).
    assert_eq!(
        db.value(
            "SELECT count(*)::text FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name = 'offramp-serve' AND s.ssl AND a.datname = current_database()"
        ),
        "1"
    );
    drop(log);
    assert_eq!(verify(over_tls).unwrap().rows, 3);

    // An authority that did not sign the server's certificate: refused before anything is
    // sent, and the error names the database, not the password.
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let other_ca =
        std::env::temp_dir().join(format!("offramp-other-ca-{}.pem", std::process::id()));
    std::fs::write(&other_ca, other.cert.pem()).unwrap();
    let untrusted = db.log.clone().with_ca(&other_ca).unwrap();
    let _ = std::fs::remove_file(&other_ca);
    let e = AuditLog::open(untrusted).unwrap_err().to_string();
    assert!(e.contains("cannot open the audit log"), "{e}");
    assert!(e.contains("certificate"), "{e}");
    if let Some(p) = Postgres::password_from_env() {
        assert!(!e.contains(&p), "the password is in the error");
    }

    // A file that holds no certificate is refused when the configuration is read.
    let empty = std::env::temp_dir().join(format!("offramp-empty-ca-{}.pem", std::process::id()));
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let refused = db.log.clone().with_ca(&empty).unwrap_err().to_string();
    let _ = std::fs::remove_file(&empty);
    assert!(
        refused.ends_with("holds no certificate (expected a PEM block `BEGIN CERTIFICATE`)"),
        "{refused}"
    );
}
