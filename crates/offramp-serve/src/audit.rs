//! The audit log: every decision the service returns, appended to a SQLite file or a
//! PostgreSQL database before the answer is sent, each row chained to the one before by a
//! SHA-256 hash.
//!
//! # The stores
//!
//! Both hold the same tables, rows and chain, and are written and read through the same code
//! here: [`AuditLog`]'s writer thread batches appends and hands each batch to a [`Store`]
//! (`sqlite::Sqlite` or `pg::PgStore`), which reads the chain's head inside its write lock,
//! takes the rows from [`chain`] (the one place rows are numbered and hashed) and commits;
//! [`verify`], [`rows`] and the export walk the rows through one reader over either store.
//! What is particular to PostgreSQL (the connection string and its password, losing and
//! regaining the connection, a commit whose outcome is unknown) is in `pg.rs`.
//!
//! # The tables
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
//! The file is in WAL mode with `synchronous=FULL`; a PostgreSQL session runs with
//! `synchronous_commit = on`. One writer thread takes every pending append, writes them in one
//! transaction and commits; only then does each request get its answer. Each transaction reads
//! the chain's head inside its write lock, so two services pointed at one log by mistake still
//! write one chain.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::config::hex;

/// The format written in `audit_meta` and at the start of every row's hashed text.
pub const FORMAT: &str = "offramp-audit-1";

/// The `prev_hash` of row 1.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every row of the `decisions` table, oldest first, in the column order both stores' row
/// readers take them in (the same SQL reads SQLite and PostgreSQL).
const SELECT_ROWS: &str = "SELECT seq, at, endpoint, token_id, program_id, program_hash, \
     encounter_id, decision, encounter, prev_hash, hash FROM decisions ORDER BY seq";

/// At most this many decisions go into one transaction; more wait for the next.
const MAX_ROWS_PER_COMMIT: usize = 4096;

/// How often a log with a retention period deletes the rows older than it, besides at opening.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

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
        /// The file, or the PostgreSQL database (host, port, name and user; never a password).
        path: String,
        /// SQLite's or PostgreSQL's reason.
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
    /// The log's database cannot be reached (PostgreSQL stopped, or the connection broke):
    /// nothing of that append is answered. The writer connects again by itself.
    #[error("the audit log's database cannot be reached: {0}")]
    Unavailable(String),
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

/// One request's decisions waiting to be written, and where to say they are.
struct Job {
    programs: Vec<ProgramText>,
    entries: Vec<Entry>,
    done: tokio::sync::oneshot::Sender<Result<(), AuditError>>,
}

/// Where an audit log is: a SQLite file, or a PostgreSQL database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file, created when missing (`[audit] path`).
    Sqlite(PathBuf),
    /// A PostgreSQL database, its tables created when missing (`[audit] postgres`).
    Postgres(Postgres),
}

impl Location {
    /// How errors name the log: the file, or the database's host, port, name and user.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(db) => db.shown().to_string(),
        }
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Location {
        Location::Sqlite(path)
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Location {
        Location::Sqlite(path.clone())
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::Sqlite(path.to_path_buf())
    }
}

impl From<Postgres> for Location {
    fn from(db: Postgres) -> Location {
        Location::Postgres(db)
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Location {
        location.clone()
    }
}

/// The number and hash of a chain's last row: where the next row continues.
pub(crate) type Head = (i64, String);

/// What the log's one writer thread writes through: the SQLite file or the PostgreSQL
/// database. Each call is one transaction, committed (durably) before it returns; each reads
/// the chain's head inside its own write lock.
pub(crate) trait Store: Send + 'static {
    /// Stores the programs' texts (a hash stored already is kept as it is) and appends the
    /// entries as consecutive rows after the chain's head, in one transaction.
    fn write(&mut self, programs: &[&ProgramText], entries: &[&Entry]) -> Result<(), AuditError>;
    /// Deletes every row up to the last one written before `cutoff` (RFC 3339 in UTC, as `at`
    /// is written, so the text order is the time order) and records that row's number and
    /// hash as the chain's new start, in one transaction. Returns how many rows went.
    fn prune_before(&mut self, cutoff: &str) -> Result<usize, AuditError>;
    /// Called when no append has come for a while (a store that lost its connection makes a
    /// new one here).
    fn idle(&mut self) {}
}

/// The rows that follow `head` (the genesis value when `None`) for `entries`, all written
/// at one time (now), each chained to the one before: the one place the chain is made.
pub(crate) fn chain(head: Option<Head>, entries: &[&Entry]) -> (String, Vec<Row>) {
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let rows = entries
        .iter()
        .map(|e| {
            seq = seq.saturating_add(1);
            let hash = row_hash(seq, &at, e, &prev);
            Row {
                seq,
                at: at.clone(),
                entry: (*e).clone(),
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            }
        })
        .collect();
    (at, rows)
}

/// The audit log, open for appending. Cheap to share behind an `Arc`; dropping the last one
/// stops its writer thread once the appends under way are written.
#[derive(Debug)]
pub struct AuditLog {
    location: Location,
    jobs: mpsc::Sender<Job>,
}

impl AuditLog {
    /// Opens the log (a SQLite file's path, or a [`Location`]), creating it when missing, and
    /// starts its writer thread. Rows are kept for ever.
    pub fn open(location: impl Into<Location>) -> Result<AuditLog, AuditError> {
        AuditLog::open_with(location, None)
    }

    /// Opens the log, creating it when missing, deletes the rows older than `retain` (when
    /// given: see the module's documentation), and starts its writer thread, which deletes
    /// them again once an hour.
    pub fn open_with(
        location: impl Into<Location>,
        retain: Option<Duration>,
    ) -> Result<AuditLog, AuditError> {
        let location = location.into();
        match &location {
            Location::Sqlite(path) => {
                AuditLog::start(location.clone(), Sqlite::open(path)?, retain)
            }
            Location::Postgres(db) => AuditLog::start(location.clone(), PgStore::open(db)?, retain),
        }
    }

    fn start(
        location: Location,
        mut store: impl Store,
        retain: Option<Duration>,
    ) -> Result<AuditLog, AuditError> {
        if let Some(keep) = retain {
            prune_older_than(&mut store, keep)?;
        }
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("offramp-audit".into())
            .spawn(move || writer(store, &queue, retain))
            .map_err(|e| AuditError::Open {
                path: location.shown(),
                message: format!("cannot start the writer thread: {e}"),
            })?;
        Ok(AuditLog { location, jobs })
    }

    /// Where the log is.
    pub fn location(&self) -> &Location {
        &self.location
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

/// How often the writer looks at the clock when no append comes (for pruning, and for a store
/// to reconnect).
const IDLE_TICK: Duration = Duration::from_millis(250);

/// The writer thread: takes every job waiting (up to [`MAX_ROWS_PER_COMMIT`] rows), writes them
/// in one transaction, and answers each. Ends when every [`AuditLog`] is dropped.
fn writer(mut store: impl Store, queue: &mpsc::Receiver<Job>, retain: Option<Duration>) {
    let mut pruned = std::time::Instant::now();
    loop {
        if let Some(keep) = retain {
            if pruned.elapsed() >= PRUNE_EVERY {
                // A failed pruning is tried again in an hour; appends go on either way.
                let _ = prune_older_than(&mut store, keep);
                pruned = std::time::Instant::now();
            }
        }
        let first = match queue.recv_timeout(IDLE_TICK) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                store.idle();
                continue;
            }
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
        let programs: Vec<&ProgramText> = batch.iter().flat_map(|j| &j.programs).collect();
        let entries: Vec<&Entry> = batch.iter().flat_map(|j| &j.entries).collect();
        let result = store.write(&programs, &entries);
        for job in batch {
            // A request that gave up (timed out) no longer listens; its rows stay logged.
            let _ = job.done.send(result.clone());
        }
    }
}

/// Deletes the rows written more than `keep` ago.
fn prune_older_than(store: &mut impl Store, keep: Duration) -> Result<usize, AuditError> {
    let cutoff = chrono::TimeDelta::from_std(keep)
        .ok()
        .and_then(|keep| Utc::now().checked_sub_signed(keep))
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true));
    match cutoff {
        Some(cutoff) => store.prune_before(&cutoff),
        None => Ok(0),
    }
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

/// A row whose columns (after its number) cannot be read as text.
pub(crate) struct Unreadable(pub(crate) i64);

/// A log open for reading, whichever store holds it: the one way verification and export
/// walk the rows.
enum Reader {
    Sqlite(sqlite::Reader),
    Postgres(Box<pg::Reader>),
}

impl Reader {
    fn open(location: &Location) -> Result<Reader, AuditError> {
        Ok(match location {
            Location::Sqlite(path) => Reader::Sqlite(sqlite::Reader::open(path)?),
            Location::Postgres(db) => Reader::Postgres(Box::new(pg::Reader::open(db)?)),
        })
    }

    /// Where a pruned log's chain starts: the number and hash of the last row deleted.
    fn checkpoint(&mut self) -> Result<Option<Head>, AuditError> {
        match self {
            Reader::Sqlite(r) => r.checkpoint(),
            Reader::Postgres(r) => r.checkpoint(),
        }
    }

    /// Calls `each` on every row, in order, one row in memory at a time.
    fn each<E: From<AuditError>>(
        &mut self,
        each: impl FnMut(Result<Row, Unreadable>) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Reader::Sqlite(r) => r.each(each),
            Reader::Postgres(r) => r.each(each),
        }
    }
}

/// Reads a log (a SQLite file's path, or a [`Location`]) from its first row to its last and
/// checks the chain: the rows numbered from 1 (or from one past the last row a retention
/// period deleted, starting from that row's hash) without a gap, each row's `prev_hash` equal
/// to the hash of the row before, each row's hash equal to the hash of its contents. The first
/// row at fault is named. The log is only read.
pub fn verify(location: impl Into<Location>) -> Result<Verified, VerifyError> {
    let mut reader = Reader::open(&location.into())?;
    let (through, start_hash) = reader.checkpoint()?.unwrap_or((0, GENESIS.to_string()));
    let first = through.saturating_add(1);
    let mut expected: i64 = first;
    let mut prev = start_hash;
    reader.each(|read| {
        let seq = match &read {
            Ok(row) => row.seq,
            Err(Unreadable(seq)) => *seq,
        };
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
        let row = read.map_err(|_| VerifyError::Broken {
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
        Ok(())
    })?;
    Ok(Verified {
        rows: expected.saturating_sub(first),
        first,
        head: prev,
    })
}

/// Calls `each` on every row of a log, in order, as stored (not verified: see [`verify`]),
/// one row in memory at a time; stops at the first error `each` returns.
pub(crate) fn for_each_row<E: From<AuditError>>(
    location: impl Into<Location>,
    mut each: impl FnMut(Row) -> Result<(), E>,
) -> Result<(), E> {
    let location = location.into();
    let mut reader = Reader::open(&location)?;
    reader.each(|read| match read {
        Ok(row) => each(row),
        Err(Unreadable(seq)) => Err(E::from(AuditError::Open {
            path: location.shown(),
            message: format!("row {seq}: a column is missing or not text"),
        })),
    })
}

/// Every row of a log, in order, as stored (not verified: see [`verify`]).
pub fn rows(location: impl Into<Location>) -> Result<Vec<Row>, AuditError> {
    let mut all = Vec::new();
    for_each_row(location, |row| {
        all.push(row);
        Ok::<(), AuditError>(())
    })?;
    Ok(all)
}

mod export;
mod pg;
mod sqlite;
pub use export::{COLUMNS, ExportError, ExportFormat, ROWS_PER_GROUP, export};
use pg::PgStore;
pub use pg::{ConninfoError, Postgres};
use sqlite::Sqlite;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_pg;
