//! The audit log in PostgreSQL (`[audit] postgres`): the same tables, chain and retention as
//! the SQLite file, through rust-postgres's synchronous client on the log's writer thread.
//!
//! # Commits
//!
//! Each group commit is one transaction: `BEGIN`, `LOCK TABLE decisions IN EXCLUSIVE MODE`
//! (writers wait for each other; readers do not), the chain's head read from the table (or
//! from the pruning checkpoint when the table is empty), these three in one round trip; the
//! rows inserted with one statement; `COMMIT`. The
//! session runs with `synchronous_commit = on`, whatever the server's default, so a commit
//! that returned is in the server's write-ahead log on disk (and on the synchronous standbys
//! the server names).
//!
//! # When the database goes away
//!
//! The writer keeps one connection. When a statement fails because the connection is gone
//! (PostgreSQL stopped or restarted, the network cut), the connection is dropped and:
//!
//! - if the failure came before `COMMIT` was sent, nothing of the transaction is in the
//!   database (the server rolls back what a lost session left open), so the writer connects
//!   again at once and tries the whole transaction once more, reading the head afresh;
//! - if `COMMIT` itself got no answer, the transaction may or may not have committed. The
//!   writer connects again and looks for the transaction's last row by number and hash: found,
//!   the decisions are answered; absent, they are refused. When it cannot connect, they are
//!   refused too (a 503: the caller may send them again); if that transaction did commit, its
//!   rows stay in the log as decisions that were never answered, like those of a request that
//!   timed out, and the chain continues after them, since every transaction reads its head
//!   from the table.
//!
//! So an answer is only ever given for rows the database has committed, and the chain is never
//! forked. While no connection can be made, appends fail at once (503) instead of waiting;
//! the writer tries to connect again after 50 ms, doubling the wait up to 2 s.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use postgres::{Client, NoTls, SimpleQueryMessage, Statement};

use super::{
    AuditError, Entry, FORMAT, Head, ProgramText, Row, SELECT_ROWS, Store, Unreadable, chain,
};

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The first wait before connecting again after a failed attempt; it doubles up to
/// [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(50);
/// The longest wait between attempts to connect.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// Rows fetched at a time when reading a log.
const FETCH: usize = 1000;

/// The session's settings: commits are durable whatever the server's default; a lock or a
/// statement never waits for ever.
const SESSION: &str = "SET synchronous_commit = on; SET lock_timeout = '5s'; \
     SET statement_timeout = '30s'";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS programs (
    hash TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    version TEXT,
    format TEXT NOT NULL,
    text TEXT NOT NULL,
    first_loaded TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    token_id TEXT NOT NULL,
    program_id TEXT NOT NULL,
    program_hash TEXT NOT NULL,
    encounter_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    encounter TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
";

const INSERT_ROWS: &str = "INSERT INTO decisions (seq, at, endpoint, token_id, program_id, \
     program_hash, encounter_id, decision, encounter, prev_hash, hash) \
     SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[], $5::text[], \
     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])";

/// A PostgreSQL database holding an audit log: a libpq-style connection string (key-value,
/// `host=... port=... dbname=... user=...`, or a `postgresql://` URL) without a password, and
/// the password kept apart. Neither `Debug` nor any error shows the password.
#[derive(Clone)]
pub struct Postgres {
    conninfo: String,
    password: Option<String>,
    shown: String,
    /// The certificate authority the server's certificate is checked against: with it the
    /// connection is TLS (rustls), always, with the server's name checked too.
    ca: Option<Vec<rustls_pki_types::CertificateDer<'static>>>,
    /// The TLS settings made from `ca`, once, in `with_ca` where making them can fail: a
    /// connection only uses them, so none can fall back to plain text.
    tls: Option<std::sync::Arc<tokio_rustls::rustls::ClientConfig>>,
    /// The connection string asks for TLS (`sslmode=require`).
    requires_tls: bool,
}

impl PartialEq for Postgres {
    fn eq(&self, other: &Postgres) -> bool {
        // `tls` is made from `ca`.
        self.conninfo == other.conninfo
            && self.password == other.password
            && self.ca == other.ca
            && self.requires_tls == other.requires_tls
    }
}

impl Eq for Postgres {}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("database", &self.shown)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .field("tls", &self.ca.is_some())
            .finish()
    }
}

/// Why a PostgreSQL connection string cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConninfoError {
    /// It does not read as a connection string.
    #[error("not a PostgreSQL connection string: {0}")]
    Parse(String),
    /// It holds a password.
    #[error(
        "the connection string holds a password; give it in PGPASSWORD or (in the configuration) `password_file` instead"
    )]
    Password,
    /// The connection string asks for TLS (`sslmode=require`) but no certificate authority
    /// was given to check the server with; names how to give one (`postgres_ca`,
    /// `--postgres-ca`).
    #[error(
        "sslmode=require: give {0}, the certificate authority that signed the server's certificate, so that the server can be checked"
    )]
    NeedsCa(&'static str),
    /// The certificate authority's file cannot be used.
    #[error("{path}: {message}")]
    Ca {
        /// The file as given.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Postgres {
    /// A database from its connection string and password (from `password_file` or
    /// `PGPASSWORD`). A connection string with a password in it is refused, and so is one
    /// that does not read; neither error repeats the string.
    pub fn new(conninfo: &str, password: Option<String>) -> Result<Postgres, ConninfoError> {
        let config: postgres::Config = conninfo.parse().map_err(|e: postgres::Error| {
            ConninfoError::Parse(
                e.to_string()
                    .trim_start_matches("invalid configuration: ")
                    .to_string(),
            )
        })?;
        if config.get_password().is_some() {
            return Err(ConninfoError::Password);
        }
        Ok(Postgres {
            conninfo: conninfo.to_string(),
            password: password.filter(|p| !p.is_empty()),
            shown: describe(&config),
            ca: None,
            tls: None,
            requires_tls: config.get_ssl_mode() == postgres::config::SslMode::Require,
        })
    }

    /// The same database reached over TLS, its certificate checked against the authority (or
    /// authorities) in the PEM file at `path`, and its name against the connection string's
    /// host. A connection string that leaves `sslmode` at its default is then held to
    /// `require`: with an authority given, a server without TLS is refused, not used in clear.
    pub fn with_ca(mut self, path: &Path) -> Result<Postgres, ConninfoError> {
        let unusable = |message| ConninfoError::Ca {
            path: path.display().to_string(),
            message,
        };
        let certificates = crate::tls::read_certificates(path).map_err(unusable)?;
        let tls = crate::tls::client_config(&certificates).map_err(unusable)?;
        self.ca = Some(certificates);
        self.tls = Some(std::sync::Arc::new(tls));
        Ok(self)
    }

    /// The database as a configuration or a command gives it: over TLS checked against the
    /// authority in `ca`, when given ([`Postgres::with_ca`]); without one, as the connection
    /// string says, unless it asks for TLS (`sslmode=require`), which is refused with
    /// [`ConninfoError::NeedsCa`] naming `named`, the setting or flag that gives one: there
    /// would be nothing to check the server with.
    pub fn with_ca_from(
        self,
        ca: Option<&Path>,
        named: &'static str,
    ) -> Result<Postgres, ConninfoError> {
        match ca {
            Some(path) => self.with_ca(path),
            None if self.requires_tls => Err(ConninfoError::NeedsCa(named)),
            None => Ok(self),
        }
    }

    /// The password in the `PGPASSWORD` environment variable, when it is set and not empty.
    pub fn password_from_env() -> Option<String> {
        std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty())
    }

    /// The database as errors name it: its host, port, database and user, never a password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Opens a connection for the log: the session settings made.
    fn connect(&self) -> Result<Client, postgres::Error> {
        let mut config: postgres::Config = self.conninfo.parse()?;
        if let Some(p) = &self.password {
            config.password(p);
        }
        if config.get_hosts().is_empty() {
            // libpq's default on Debian: the local server's Unix socket.
            config.host_path(PathBuf::from("/var/run/postgresql"));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("offramp-serve");
        }
        let mut client = match &self.tls {
            Some(tls) => {
                if config.get_ssl_mode() == postgres::config::SslMode::Prefer {
                    config.ssl_mode(postgres::config::SslMode::Require);
                }
                let connector = tokio_postgres_rustls::MakeRustlsConnect::new((**tls).clone());
                config.connect(connector)?
            }
            None => config.connect(NoTls)?,
        };
        client.batch_execute(SESSION)?;
        Ok(client)
    }

    fn open_error(&self, e: &postgres::Error) -> AuditError {
        AuditError::Open {
            path: self.shown.clone(),
            message: message(e),
        }
    }

    fn check_format(&self, client: &mut Client) -> Result<(), AuditError> {
        let format = client
            .query_opt("SELECT value FROM audit_meta WHERE key = 'format'", &[])
            .ok()
            .flatten()
            .and_then(|r| r.try_get::<_, String>(0).ok());
        if format.as_deref() == Some(FORMAT) {
            Ok(())
        } else {
            Err(AuditError::Format {
                path: self.shown.clone(),
            })
        }
    }
}

/// A connection string's parts that name the database, for errors: `postgresql host=... port=...
/// dbname=... user=...`.
fn describe(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let mut shown = String::from("postgresql");
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        shown.push_str(&format!(" host={}", hosts.join(",")));
    }
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    if !ports.is_empty() {
        shown.push_str(&format!(" port={}", ports.join(",")));
    }
    if let Some(db) = config.get_dbname() {
        shown.push_str(&format!(" dbname={db}"));
    }
    if let Some(user) = config.get_user() {
        shown.push_str(&format!(" user={user}"));
    }
    shown
}

/// An error's text: the server's own message when it sent one.
fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            text
        }
    }
}

/// The writer's connection and its prepared insert.
struct Conn {
    client: Client,
    insert: Statement,
}

/// The log in PostgreSQL, open for writing.
pub(crate) struct PgStore {
    target: Postgres,
    conn: Option<Conn>,
    retry_at: Instant,
    backoff: Duration,
}

/// Why a transaction failed.
enum Failure {
    /// Before `COMMIT`: nothing of it is in the database.
    Before(postgres::Error),
    /// `COMMIT` had no answer: it may have committed. The last row it wrote, if any.
    Commit(postgres::Error, Option<Head>),
}

impl PgStore {
    /// Connects, creates the tables when missing and checks the format. The service does not
    /// start without its database.
    pub(crate) fn open(target: &Postgres) -> Result<PgStore, AuditError> {
        let mut client = target.connect().map_err(|e| target.open_error(&e))?;
        client
            .batch_execute(SCHEMA)
            .map_err(|e| target.open_error(&e))?;
        client
            .execute(
                "INSERT INTO audit_meta (key, value) VALUES ('format', $1) \
                 ON CONFLICT (key) DO NOTHING",
                &[&FORMAT],
            )
            .map_err(|e| target.open_error(&e))?;
        target.check_format(&mut client)?;
        let insert = client
            .prepare(INSERT_ROWS)
            .map_err(|e| target.open_error(&e))?;
        Ok(PgStore {
            target: target.clone(),
            conn: Some(Conn { client, insert }),
            retry_at: Instant::now(),
            backoff: MIN_BACKOFF,
        })
    }

    /// The open connection, or a new one; while the last attempt's wait has not passed, an
    /// error at once.
    fn connection(&mut self) -> Result<&mut Conn, AuditError> {
        if self.conn.is_none() {
            if Instant::now() < self.retry_at {
                return Err(AuditError::Unavailable(
                    "no connection to the database (trying again)".into(),
                ));
            }
            let made = self.target.connect().and_then(|mut client| {
                let insert = client.prepare(INSERT_ROWS)?;
                Ok(Conn { client, insert })
            });
            match made {
                Ok(conn) => {
                    self.backoff = MIN_BACKOFF;
                    self.conn = Some(conn);
                }
                Err(e) => {
                    self.retry_at = Instant::now()
                        .checked_add(self.backoff)
                        .unwrap_or_else(Instant::now);
                    self.backoff = self.backoff.saturating_mul(2).min(MAX_BACKOFF);
                    return Err(AuditError::Unavailable(message(&e)));
                }
            }
        }
        match self.conn.as_mut() {
            Some(conn) => Ok(conn),
            None => Err(AuditError::Unavailable(
                "no connection to the database".into(),
            )),
        }
    }

    /// After a transaction failed: keeps the connection when it still answers (the
    /// transaction rolled back), drops it otherwise. Whether it was lost.
    fn after_failure(&mut self) -> bool {
        let alive = self
            .conn
            .as_mut()
            .is_some_and(|c| !c.client.is_closed() && c.client.batch_execute("ROLLBACK").is_ok());
        if !alive {
            self.conn = None;
        }
        !alive
    }
}

impl Store for PgStore {
    fn write(&mut self, programs: &[&ProgramText], entries: &[&Entry]) -> Result<(), AuditError> {
        let mut tries = 0u8;
        loop {
            tries = tries.saturating_add(1);
            let conn = self.connection()?;
            match write_on(conn, programs, entries) {
                Ok(()) => return Ok(()),
                Err(Failure::Before(e)) => {
                    let lost = self.after_failure();
                    // Nothing was committed: a lost connection is made again and the
                    // transaction tried once more.
                    if !(lost && tries < 2) {
                        return Err(if lost {
                            AuditError::Unavailable(message(&e))
                        } else {
                            AuditError::Write(message(&e))
                        });
                    }
                }
                Err(Failure::Commit(e, last)) => {
                    if !self.after_failure() {
                        // The server answered the COMMIT with an error: not committed.
                        return Err(AuditError::Write(message(&e)));
                    }
                    return self.committed(last, &e);
                }
            }
        }
    }

    fn prune_before(&mut self, cutoff: &str) -> Result<usize, AuditError> {
        let conn = self.connection()?;
        let pruned = prune_on(&mut conn.client, cutoff);
        if pruned.is_err() {
            self.after_failure();
        }
        pruned.map_err(|e| AuditError::Write(message(&e)))
    }

    fn idle(&mut self) {
        if self.conn.is_none() && Instant::now() >= self.retry_at {
            let _ = self.connection();
        }
    }
}

impl PgStore {
    /// Whether a transaction whose `COMMIT` had no answer committed: its last row looked up
    /// on a new connection.
    fn committed(&mut self, last: Option<Head>, e: &postgres::Error) -> Result<(), AuditError> {
        let unknown = || {
            AuditError::Unavailable(format!(
                "the connection broke while committing ({}), and whether the rows were written cannot be told",
                message(e)
            ))
        };
        let Some((seq, hash)) = last else {
            return Err(unknown());
        };
        self.retry_at = Instant::now();
        let conn = self.connection().map_err(|_| unknown())?;
        match conn
            .client
            .query_opt("SELECT hash FROM decisions WHERE seq = $1", &[&seq])
        {
            Ok(Some(row)) if row.try_get::<_, String>(0).ok().as_deref() == Some(hash.as_str()) => {
                Ok(())
            }
            Ok(_) => Err(AuditError::Unavailable(format!(
                "the connection broke while committing ({}); the rows were not written",
                message(e)
            ))),
            Err(_) => {
                self.after_failure();
                Err(unknown())
            }
        }
    }
}

/// Opens the transaction, takes the table's write lock and reads the chain's head: the last
/// row, or where pruning left the chain. The three statements go in one round trip.
fn begin(client: &mut Client) -> Result<Option<Head>, postgres::Error> {
    let mut head = None;
    for message in client.simple_query(
        "BEGIN; LOCK TABLE decisions IN EXCLUSIVE MODE; \
         SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1",
    )? {
        if let SimpleQueryMessage::Row(row) = message {
            if let (Some(seq), Some(hash)) = (row.get(0), row.get(1)) {
                head = seq.parse::<i64>().ok().map(|seq| (seq, hash.to_string()));
            }
        }
    }
    match head {
        Some(head) => Ok(Some(head)),
        None => checkpoint(client),
    }
}

fn checkpoint<C: postgres::GenericClient>(client: &mut C) -> Result<Option<Head>, postgres::Error> {
    let mut through = None;
    let mut hash = None;
    for row in client.query(
        "SELECT key, value FROM audit_meta WHERE key IN ('pruned_through', 'pruned_head')",
        &[],
    )? {
        let key: String = row.try_get(0)?;
        let value: String = row.try_get(1)?;
        if key == "pruned_through" {
            through = value.parse::<i64>().ok();
        } else {
            hash = Some(value);
        }
    }
    Ok(through.zip(hash))
}

/// One group commit: [`begin`], the programs and rows inserted, `COMMIT`: three round trips
/// (one more per program stored). On an error the caller rolls back
/// ([`PgStore::after_failure`]).
fn write_on(conn: &mut Conn, programs: &[&ProgramText], entries: &[&Entry]) -> Result<(), Failure> {
    let tx = &mut conn.client;
    let head = begin(tx).map_err(Failure::Before)?;
    let (at, rows) = chain(head, entries);
    for p in programs {
        tx.execute(
            "INSERT INTO programs (hash, id, version, format, text, first_loaded) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING",
            &[&p.hash, &p.id, &p.version, &p.format, &p.text, &at],
        )
        .map_err(Failure::Before)?;
    }
    let last = rows.last().map(|r| (r.seq, r.hash.clone()));
    if !rows.is_empty() {
        let seq: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let text = |f: fn(&Row) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
        let encounter: Vec<Option<&str>> =
            rows.iter().map(|r| r.entry.encounter.as_deref()).collect();
        tx.execute(
            &conn.insert,
            &[
                &seq,
                &text(|r| &r.at),
                &text(|r| &r.entry.endpoint),
                &text(|r| &r.entry.token_id),
                &text(|r| &r.entry.program_id),
                &text(|r| &r.entry.program_hash),
                &text(|r| &r.entry.encounter_id),
                &text(|r| &r.entry.decision),
                &encounter,
                &text(|r| &r.prev_hash),
                &text(|r| &r.hash),
            ],
        )
        .map_err(Failure::Before)?;
    }
    tx.batch_execute("COMMIT")
        .map_err(|e| Failure::Commit(e, last))
}

/// Deletes every row up to the last one written before `cutoff` and records that row as the
/// chain's start, in one transaction (see the SQLite log's `prune_before`). `at` is compared
/// byte by byte (`COLLATE "C"`), whatever the database's collation.
fn prune_on(client: &mut Client, cutoff: &str) -> Result<usize, postgres::Error> {
    let mut tx = client.transaction()?;
    tx.batch_execute("LOCK TABLE decisions IN EXCLUSIVE MODE")?;
    let last = tx.query_opt(
        "SELECT seq, hash FROM decisions WHERE at COLLATE \"C\" < $1 ORDER BY seq DESC LIMIT 1",
        &[&cutoff],
    )?;
    let Some(last) = last else {
        return Ok(0);
    };
    let through: i64 = last.try_get(0)?;
    let head: String = last.try_get(1)?;
    let deleted = tx.execute("DELETE FROM decisions WHERE seq <= $1", &[&through])?;
    tx.execute(
        "INSERT INTO audit_meta (key, value) VALUES ('pruned_through', $1), ('pruned_head', $2) \
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        &[&through.to_string(), &head],
    )?;
    tx.commit()?;
    Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
}

/// Deletes the rows written before `cutoff` on a connection of its own (for tests).
#[cfg(test)]
pub(crate) fn prune_before(target: &Postgres, cutoff: &str) -> Result<usize, AuditError> {
    let mut client = target.connect().map_err(|e| target.open_error(&e))?;
    prune_on(&mut client, cutoff).map_err(|e| AuditError::Write(message(&e)))
}

fn read_row(r: &postgres::Row) -> Result<Row, postgres::Error> {
    Ok(Row {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        entry: Entry {
            endpoint: r.try_get(2)?,
            token_id: r.try_get(3)?,
            program_id: r.try_get(4)?,
            program_hash: r.try_get(5)?,
            encounter_id: r.try_get(6)?,
            decision: r.try_get(7)?,
            encounter: r.try_get(8)?,
        },
        prev_hash: r.try_get(9)?,
        hash: r.try_get(10)?,
    })
}

/// A log in PostgreSQL open for reading: one read-only transaction at repeatable read, so
/// the starting point and the rows are of one moment while the service writes and prunes;
/// rows are fetched through a cursor, a thousand at a time.
pub(crate) struct Reader {
    client: Client,
    shown: String,
}

impl Reader {
    pub(crate) fn open(target: &Postgres) -> Result<Reader, AuditError> {
        let mut client = target.connect().map_err(|e| target.open_error(&e))?;
        target.check_format(&mut client)?;
        client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(|e| target.open_error(&e))?;
        Ok(Reader {
            client,
            shown: target.shown.clone(),
        })
    }

    fn error(&self, e: &postgres::Error) -> AuditError {
        AuditError::Open {
            path: self.shown.clone(),
            message: message(e),
        }
    }

    pub(crate) fn checkpoint(&mut self) -> Result<Option<Head>, AuditError> {
        checkpoint(&mut self.client).map_err(|e| self.error(&e))
    }

    pub(crate) fn each<E: From<AuditError>>(
        &mut self,
        mut each: impl FnMut(Result<Row, Unreadable>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.client
            .batch_execute(&format!(
                "DECLARE offramp_rows NO SCROLL CURSOR FOR {SELECT_ROWS}"
            ))
            .map_err(|e| self.error(&e))?;
        let fetch = format!("FETCH {FETCH} FROM offramp_rows");
        loop {
            let rows = self
                .client
                .query(fetch.as_str(), &[])
                .map_err(|e| self.error(&e))?;
            if rows.is_empty() {
                return Ok(());
            }
            for r in &rows {
                let seq: i64 = r.try_get(0).map_err(|e| self.error(&e))?;
                each(read_row(r).map_err(|_| Unreadable(seq)))?;
            }
        }
    }
}
