//! The audit log: every decision the service returns, appended to a SQLite file before the
//! answer is sent, each row chained to the one before by a SHA-256 hash.
//!
//! # The file
//!
//! Table `decisions`, one row per decision, numbered from 1 with no gaps (`seq`): when it was
//! written (`at`, UTC), which endpoint gave it (`endpoint`), the caller's token id
//! (`token_id`), the program's id and hash, the encounter's pseudonymous id, the decision
//! record as JSON, the encounter as sent (`encounter`, NULL unless the configuration asks for
//! it), the previous row's hash (`prev_hash`; 64 zeros for row 1) and the row's own hash
//! (`hash`). Table `programs` holds the text of every program the service loaded, by its hash,
//! stored before any decision it made (not part of the chain: a program's hash is its own
//! check). Table `audit_meta` holds the format (`format` = `offramp-audit-1`).
//!
//! # The chain
//!
//! A row's hash is the SHA-256, in lower-case hexadecimal, of `offramp-audit-1\n` followed by
//! each column as a netstring (`LENGTH:BYTES,`, the length in decimal bytes), in this order:
//! `seq` (in decimal), `at`, `endpoint`, `token_id`, `program_id`, `program_hash`,
//! `encounter_id`, `decision`, `encounter` (empty when NULL, else `=` and the text) and
//! `prev_hash`. Changing any column of a row breaks its hash; deleting a row leaves a gap in
//! `seq` and breaks the next row's `prev_hash`. [`verify`] checks all of it and names the first
//! row at fault. Removing the newest rows leaves a shorter chain that still verifies, which is
//! why [`Verified::head`] is worth copying elsewhere now and then.
//!
//! # Retention
//!
//! With a retention period (`[audit] retain_days`), rows older than it are deleted when the log
//! opens and then once an hour, oldest first and never leaving a gap: the number and hash of the
//! last row deleted go into `audit_meta` (`pruned_through`, `pruned_head`) in the same
//! transaction, and [`verify`] starts the chain there. The first row kept still names that hash
//! as its `prev_hash`, so a pruned log verifies as strictly as a whole one.
//!
//! # Durability
//!
//! The file is in WAL mode with `synchronous=FULL`. One writer thread takes every pending
//! append, writes them in one transaction and commits; only then does each request get its
//! answer. Each transaction reads the chain's head inside its write lock, so two services
//! pointed at one file by mistake still write one chain.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::config::hex;

/// The format written in `audit_meta` and at the start of every row's hashed text.
pub const FORMAT: &str = "offramp-audit-1";

/// The `prev_hash` of row 1.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// At most this many decisions go into one transaction; more wait for the next.
const MAX_ROWS_PER_COMMIT: usize = 4096;

/// How often a log with a retention period deletes the rows older than it, besides at opening.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// How long a write waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One decision to log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The endpoint that gave the decision (`route`, `explain`, `trace`, `needs-information`).
    pub endpoint: String,
    /// The caller's token id.
    pub token_id: String,
    /// The program's id.
    pub program_id: String,
    /// The program's hash.
    pub program_hash: String,
    /// The encounter's pseudonymous id.
    pub encounter_id: String,
    /// The decision record as one line of JSON, as it is returned.
    pub decision: String,
    /// The encounter as sent, when the configuration keeps encounters.
    pub encounter: Option<String>,
}

/// A program's text as the log keeps it: every program the service loads is stored once, by
/// its hash, before any decision it makes is logged, so the log alone shows what each
/// decision's `program_hash` stood for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramText {
    /// The program's content hash (`Program::hash`).
    pub hash: String,
    /// The program's id.
    pub id: String,
    /// Its version label, when it has one.
    pub version: Option<String>,
    /// `toml` or `json`.
    pub format: &'static str,
    /// The file's text as loaded.
    pub text: String,
}

/// A row as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The row's number, from 1.
    pub seq: i64,
    /// When it was written: RFC 3339, UTC, microseconds.
    pub at: String,
    /// The decision and who asked for it.
    pub entry: Entry,
    /// The previous row's hash.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

/// The audit log cannot be opened, written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The file cannot be opened or set up.
    #[error("{path}: cannot open the audit log: {message}")]
    Open {
        /// The file.
        path: String,
        /// SQLite's reason.
        message: String,
    },
    /// The file is a SQLite database but not an offramp audit log (or a later format).
    #[error("{path}: not an offramp audit log of format {FORMAT}")]
    Format {
        /// The file.
        path: String,
    },
    /// A write failed; nothing of that transaction is in the log.
    #[error("the audit log cannot be written: {0}")]
    Write(String),
    /// The log's writer has stopped (the service is shutting down).
    #[error("the audit log's writer has stopped")]
    Stopped,
}

/// The hash of a row: see the module's documentation for the text hashed.
pub fn row_hash(seq: i64, at: &str, entry: &Entry, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT.as_bytes());
    h.update(b"\n");
    let seq = seq.to_string();
    let encounter = entry.encounter.as_ref().map(|e| format!("={e}"));
    let columns: [&[u8]; 10] = [
        seq.as_bytes(),
        at.as_bytes(),
        entry.endpoint.as_bytes(),
        entry.token_id.as_bytes(),
        entry.program_id.as_bytes(),
        entry.program_hash.as_bytes(),
        entry.encounter_id.as_bytes(),
        entry.decision.as_bytes(),
        encounter.as_deref().unwrap_or_default().as_bytes(),
        prev_hash.as_bytes(),
    ];
    for bytes in columns {
        h.update(bytes.len().to_string().as_bytes());
        h.update(b":");
        h.update(bytes);
        h.update(b",");
    }
    hex(&h.finalize())
}

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
    seq INTEGER PRIMARY KEY,
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

/// Opens (creating when missing) a log for writing: WAL, synchronous=FULL, the tables, and the
/// format checked.
fn open_for_writing(path: &Path) -> Result<Connection, AuditError> {
    let shown = path.display().to_string();
    let open = |e: rusqlite::Error| AuditError::Open {
        path: shown.clone(),
        message: e.to_string(),
    };
    let conn = Connection::open(path).map_err(open)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(open)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(AuditError::Open {
            path: shown,
            message: format!("the file cannot be put in WAL mode (it is in {mode} mode)"),
        });
    }
    conn.execute_batch("PRAGMA synchronous=FULL;")
        .map_err(open)?;
    conn.execute_batch(SCHEMA).map_err(open)?;
    conn.execute(
        "INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('format', ?1)",
        [FORMAT],
    )
    .map_err(open)?;
    check_format(&conn, path)?;
    Ok(conn)
}

fn check_format(conn: &Connection, path: &Path) -> Result<(), AuditError> {
    let format: Option<String> = conn
        .query_row(
            "SELECT value FROM audit_meta WHERE key = 'format'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(|_| AuditError::Format {
            path: path.display().to_string(),
        })?;
    if format.as_deref() == Some(FORMAT) {
        Ok(())
    } else {
        Err(AuditError::Format {
            path: path.display().to_string(),
        })
    }
}

/// One request's decisions waiting to be written, and where to say they are.
struct Job {
    programs: Vec<ProgramText>,
    entries: Vec<Entry>,
    done: tokio::sync::oneshot::Sender<Result<(), AuditError>>,
}

/// The audit log, open for appending. Cheap to share behind an `Arc`; dropping the last one
/// stops its writer thread once the appends under way are written.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    jobs: mpsc::Sender<Job>,
}

impl AuditLog {
    /// Opens the log at `path`, creating it when missing, and starts its writer thread. Rows
    /// are kept for ever.
    pub fn open(path: impl AsRef<Path>) -> Result<AuditLog, AuditError> {
        AuditLog::open_with(path, None)
    }

    /// Opens the log at `path`, creating it when missing, deletes the rows older than `retain`
    /// (when given: see the module's documentation), and starts its writer thread, which
    /// deletes them again once an hour.
    pub fn open_with(
        path: impl AsRef<Path>,
        retain: Option<Duration>,
    ) -> Result<AuditLog, AuditError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = open_for_writing(&path)?;
        if let Some(keep) = retain {
            prune_older_than(&mut conn, keep).map_err(|e| AuditError::Write(e.to_string()))?;
        }
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("offramp-audit".into())
            .spawn(move || writer(conn, &queue, retain))
            .map_err(|e| AuditError::Open {
                path: path.display().to_string(),
                message: format!("cannot start the writer thread: {e}"),
            })?;
        Ok(AuditLog { path, jobs })
    }

    /// The log's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the entries, in order, as consecutive rows, and returns once they are committed
    /// to disk. On an error none of them is in the log.
    pub async fn append(&self, entries: Vec<Entry>) -> Result<(), AuditError> {
        if entries.is_empty() {
            return Ok(());
        }
        let (done, written) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job {
                programs: Vec::new(),
                entries,
                done,
            })
            .map_err(|_| AuditError::Stopped)?;
        written.await.map_err(|_| AuditError::Stopped)?
    }

    /// Stores programs' texts (a text already stored under its hash is kept as it is) and
    /// returns once they are committed. It blocks: call it outside the async runtime (at start,
    /// or on a blocking thread).
    pub fn record_programs(&self, programs: Vec<ProgramText>) -> Result<(), AuditError> {
        if programs.is_empty() {
            return Ok(());
        }
        let (done, written) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job {
                programs,
                entries: Vec::new(),
                done,
            })
            .map_err(|_| AuditError::Stopped)?;
        written.blocking_recv().map_err(|_| AuditError::Stopped)?
    }
}

/// The writer thread: takes every job waiting (up to [`MAX_ROWS_PER_COMMIT`] rows), writes them
/// in one transaction, and answers each. Ends when every [`AuditLog`] is dropped.
fn writer(mut conn: Connection, queue: &mpsc::Receiver<Job>, retain: Option<Duration>) {
    let mut pruned = std::time::Instant::now();
    loop {
        if let Some(keep) = retain {
            if pruned.elapsed() >= PRUNE_EVERY {
                // A failed pruning is tried again in an hour; appends go on either way.
                let _ = prune_older_than(&mut conn, keep);
                pruned = std::time::Instant::now();
            }
        }
        let first = match queue.recv_timeout(PRUNE_EVERY) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut rows = first.entries.len();
        let mut batch = vec![first];
        while rows < MAX_ROWS_PER_COMMIT {
            match queue.try_recv() {
                Ok(job) => {
                    rows = rows.saturating_add(job.entries.len());
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        let result = write_batch(&mut conn, &batch).map_err(|e| AuditError::Write(e.to_string()));
        for job in batch {
            // A request that gave up (timed out) no longer listens; its rows stay logged.
            let _ = job.done.send(result.clone());
        }
    }
}

fn write_batch(conn: &mut Connection, batch: &[Job]) -> Result<(), rusqlite::Error> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let head: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (mut seq, mut prev) = match head {
            Some(last) => last,
            None => checkpoint(&tx)?.unwrap_or((0, GENESIS.to_string())),
        };
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut store = tx.prepare(
            "INSERT OR IGNORE INTO programs (hash, id, version, format, text, first_loaded) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for p in batch.iter().flat_map(|j| &j.programs) {
            store.execute(params![p.hash, p.id, p.version, p.format, p.text, at])?;
        }
        let mut insert = tx.prepare(
            "INSERT INTO decisions (seq, at, endpoint, token_id, program_id, program_hash, \
             encounter_id, decision, encounter, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for e in batch.iter().flat_map(|j| &j.entries) {
            seq = seq.saturating_add(1);
            let hash = row_hash(seq, &at, e, &prev);
            insert.execute(params![
                seq,
                at,
                e.endpoint,
                e.token_id,
                e.program_id,
                e.program_hash,
                e.encounter_id,
                e.decision,
                e.encounter,
                prev,
                hash
            ])?;
            prev = hash;
        }
    }
    tx.commit()
}

/// Where a pruned log's chain starts: the number and hash of the last row deleted.
fn checkpoint(conn: &Connection) -> Result<Option<(i64, String)>, rusqlite::Error> {
    let through: Option<String> = conn
        .query_row(
            "SELECT value FROM audit_meta WHERE key = 'pruned_through'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let head: Option<String> = conn
        .query_row(
            "SELECT value FROM audit_meta WHERE key = 'pruned_head'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match (through.and_then(|t| t.parse::<i64>().ok()), head) {
        (Some(through), Some(head)) => Some((through, head)),
        _ => None,
    })
}

/// Deletes the rows written more than `keep` ago.
fn prune_older_than(conn: &mut Connection, keep: Duration) -> Result<usize, rusqlite::Error> {
    let cutoff = chrono::TimeDelta::from_std(keep)
        .ok()
        .and_then(|keep| Utc::now().checked_sub_signed(keep))
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true));
    match cutoff {
        Some(cutoff) => prune_before(conn, &cutoff),
        None => Ok(0),
    }
}

/// Deletes every row up to the last one written before `cutoff` (RFC 3339 in UTC, as `at` is
/// written, so the text order is the time order), and records that row's number and hash as
/// the chain's new start, in one transaction. Returns how many rows were deleted.
pub(crate) fn prune_before(conn: &mut Connection, cutoff: &str) -> Result<usize, rusqlite::Error> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM decisions WHERE at < ?1 ORDER BY seq DESC LIMIT 1",
            [cutoff],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((through, head)) = last else {
        return Ok(0);
    };
    let deleted = tx.execute("DELETE FROM decisions WHERE seq <= ?1", [through])?;
    tx.execute(
        "INSERT OR REPLACE INTO audit_meta (key, value) VALUES ('pruned_through', ?1), ('pruned_head', ?2)",
        params![through.to_string(), head],
    )?;
    tx.commit()?;
    Ok(deleted)
}

/// A log whose chain holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// How many rows it has.
    pub rows: i64,
    /// The number of its first row: 1, or one past the last row the retention period deleted.
    pub first: i64,
    /// The last row's hash (the genesis value for an empty log): kept elsewhere, it shows later
    /// that no row up to here was removed from the end.
    pub head: String,
}

/// Why a log does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The file cannot be read as an audit log.
    #[error(transparent)]
    Open(#[from] AuditError),
    /// A row is missing, changed, or does not follow the one before.
    #[error("row {row}: {problem}")]
    Broken {
        /// The number of the first row at fault.
        row: i64,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// Reads a log from its first row to its last and checks the chain: the rows numbered from 1
/// (or from one past the last row a retention period deleted, starting from that row's hash)
/// without a gap, each row's `prev_hash` equal to the hash of the row before, each row's hash
/// equal to the hash of its contents. The first row at fault is named. The file is only read.
pub fn verify(path: impl AsRef<Path>) -> Result<Verified, VerifyError> {
    let path = path.as_ref();
    let open = |e: rusqlite::Error| AuditError::Open {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let conn = open_for_reading(path)?;
    let (through, start_hash) = checkpoint(&conn)
        .map_err(open)?
        .unwrap_or((0, GENESIS.to_string()));
    let first = through.saturating_add(1);
    let mut select = conn.prepare(SELECT_ROWS).map_err(open)?;
    let mut rows = select.query([]).map_err(open)?;
    let mut expected: i64 = first;
    let mut prev = start_hash;
    while let Some(r) = rows.next().map_err(open)? {
        let seq: i64 = r.get(0).map_err(open)?;
        if seq != expected {
            return Err(VerifyError::Broken {
                row: expected,
                problem: if seq > expected {
                    "missing: the rows skip from the one before to a later number (deleted)"
                } else {
                    "out of sequence"
                },
            });
        }
        let row = read_row(r).map_err(|_| VerifyError::Broken {
            row: seq,
            problem: "a column is missing or not text",
        })?;
        if row.prev_hash != prev {
            return Err(VerifyError::Broken {
                row: seq,
                problem: "its previous-row hash does not match the row before it (a row before it was changed or deleted)",
            });
        }
        if row_hash(seq, &row.at, &row.entry, &row.prev_hash) != row.hash {
            return Err(VerifyError::Broken {
                row: seq,
                problem: "its contents do not match its hash (changed after it was written)",
            });
        }
        prev = row.hash;
        expected = expected.saturating_add(1);
    }
    Ok(Verified {
        rows: expected.saturating_sub(first),
        first,
        head: prev,
    })
}

const SELECT_ROWS: &str = "SELECT seq, at, endpoint, token_id, program_id, program_hash, \
     encounter_id, decision, encounter, prev_hash, hash FROM decisions ORDER BY seq";

/// One row of [`SELECT_ROWS`].
fn read_row(r: &rusqlite::Row<'_>) -> Result<Row, rusqlite::Error> {
    Ok(Row {
        seq: r.get(0)?,
        at: r.get(1)?,
        entry: Entry {
            endpoint: r.get(2)?,
            token_id: r.get(3)?,
            program_id: r.get(4)?,
            program_hash: r.get(5)?,
            encounter_id: r.get(6)?,
            decision: r.get(7)?,
            encounter: r.get(8)?,
        },
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

/// Opens a log to read it, never changing it: read-write without create, since SQLite may
/// need to make the WAL's index file to read a log in WAL mode, but `query_only`.
fn open_for_reading(path: &Path) -> Result<Connection, AuditError> {
    let shown = path.display().to_string();
    let open = |e: rusqlite::Error| AuditError::Open {
        path: shown.clone(),
        message: e.to_string(),
    };
    if !path.is_file() {
        return Err(AuditError::Open {
            path: shown,
            message: "no such file".into(),
        });
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(open)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open)?;
    conn.execute_batch("PRAGMA query_only = 1;").map_err(open)?;
    check_format(&conn, path)?;
    Ok(conn)
}

/// Calls `each` on every row of a log, in order, as stored (not verified: see [`verify`]),
/// one row in memory at a time; stops at the first error `each` returns.
pub(crate) fn for_each_row<E: From<AuditError>>(
    path: &Path,
    mut each: impl FnMut(Row) -> Result<(), E>,
) -> Result<(), E> {
    let read = |e: rusqlite::Error| AuditError::Open {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let conn = open_for_reading(path)?;
    let mut select = conn.prepare(SELECT_ROWS).map_err(read)?;
    let mut found = select.query([]).map_err(read)?;
    while let Some(r) = found.next().map_err(read)? {
        each(read_row(r).map_err(read)?)?;
    }
    Ok(())
}

/// Every row of a log, in order, as stored (not verified: see [`verify`]).
pub fn rows(path: impl AsRef<Path>) -> Result<Vec<Row>, AuditError> {
    let path = path.as_ref();
    let read = |e: rusqlite::Error| AuditError::Open {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let conn = open_for_reading(path)?;
    let mut select = conn.prepare(SELECT_ROWS).map_err(read)?;
    select
        .query_map([], read_row)
        .map_err(read)?
        .collect::<Result<Vec<Row>, _>>()
        .map_err(read)
}

mod export;
pub use export::{COLUMNS, ExportError, ExportFormat, ROWS_PER_GROUP, export};

#[cfg(test)]
mod tests;
