//! The audit log in a SQLite file: WAL, `synchronous=FULL`, each transaction taking the write
//! lock first (`BEGIN IMMEDIATE`) and reading the chain's head inside it.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::{
    AuditError, Entry, FORMAT, Head, ProgramText, Row, SELECT_ROWS, Store, Unreadable, chain,
};

/// How long a write waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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

/// A log file open for writing.
pub(crate) struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    /// Opens (creating when missing) a log for writing: WAL, synchronous=FULL, the tables, and
    /// the format checked.
    pub(crate) fn open(path: &Path) -> Result<Sqlite, AuditError> {
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
        Ok(Sqlite { conn })
    }
}

fn write_error(e: rusqlite::Error) -> AuditError {
    AuditError::Write(e.to_string())
}

impl Store for Sqlite {
    fn write(&mut self, programs: &[&ProgramText], entries: &[&Entry]) -> Result<(), AuditError> {
        write_batch(&mut self.conn, programs, entries).map_err(write_error)
    }

    fn prune_before(&mut self, cutoff: &str) -> Result<usize, AuditError> {
        prune_before(&mut self.conn, cutoff).map_err(write_error)
    }
}

fn write_batch(
    conn: &mut Connection,
    programs: &[&ProgramText],
    entries: &[&Entry],
) -> Result<(), rusqlite::Error> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let head: Option<Head> = tx
            .query_row(
                "SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let head = match head {
            Some(last) => Some(last),
            None => checkpoint(&tx)?,
        };
        let (at, rows) = chain(head, entries);
        let mut store = tx.prepare(
            "INSERT OR IGNORE INTO programs (hash, id, version, format, text, first_loaded) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for p in programs {
            store.execute(params![p.hash, p.id, p.version, p.format, p.text, at])?;
        }
        let mut insert = tx.prepare(
            "INSERT INTO decisions (seq, at, endpoint, token_id, program_id, program_hash, \
             encounter_id, decision, encounter, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for r in rows {
            let e = &r.entry;
            insert.execute(params![
                r.seq,
                r.at,
                e.endpoint,
                e.token_id,
                e.program_id,
                e.program_hash,
                e.encounter_id,
                e.decision,
                e.encounter,
                r.prev_hash,
                r.hash
            ])?;
        }
    }
    tx.commit()
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

/// Where a pruned log's chain starts: the number and hash of the last row deleted.
fn checkpoint(conn: &Connection) -> Result<Option<Head>, rusqlite::Error> {
    let value = |key: &str| -> Result<Option<String>, rusqlite::Error> {
        conn.query_row("SELECT value FROM audit_meta WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()
    };
    let through = value("pruned_through")?;
    let head = value("pruned_head")?;
    Ok(match (through.and_then(|t| t.parse::<i64>().ok()), head) {
        (Some(through), Some(head)) => Some((through, head)),
        _ => None,
    })
}

/// Deletes every row up to the last one written before `cutoff` (RFC 3339 in UTC, as `at` is
/// written, so the text order is the time order), and records that row's number and hash as
/// the chain's new start, in one transaction. Returns how many rows were deleted.
pub(crate) fn prune_before(conn: &mut Connection, cutoff: &str) -> Result<usize, rusqlite::Error> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let last: Option<Head> = tx
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

/// A log file open for reading, never changing it: read-write without create, since SQLite may
/// need to make the WAL's index file to read a log in WAL mode, but `query_only`. Its reads
/// are one transaction, so the starting point and the rows are of one moment even while the
/// service writes and prunes.
pub(crate) struct Reader {
    conn: Connection,
    shown: String,
}

impl Reader {
    pub(crate) fn open(path: &Path) -> Result<Reader, AuditError> {
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
        conn.execute_batch("BEGIN DEFERRED").map_err(open)?;
        Ok(Reader { conn, shown })
    }

    fn error(&self, e: rusqlite::Error) -> AuditError {
        AuditError::Open {
            path: self.shown.clone(),
            message: e.to_string(),
        }
    }

    pub(crate) fn checkpoint(&mut self) -> Result<Option<Head>, AuditError> {
        checkpoint(&self.conn).map_err(|e| self.error(e))
    }

    pub(crate) fn each<E: From<AuditError>>(
        &mut self,
        mut each: impl FnMut(Result<Row, Unreadable>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut select = self.conn.prepare(SELECT_ROWS).map_err(|e| self.error(e))?;
        let mut found = select.query([]).map_err(|e| self.error(e))?;
        while let Some(r) = found.next().map_err(|e| self.error(e))? {
            let seq: i64 = r.get(0).map_err(|e| self.error(e))?;
            each(read_row(r).map_err(|_| Unreadable(seq)))?;
        }
        Ok(())
    }
}
