//! The log's decisions as a table for analysis: `offramp audit export`.
//!
//! A log is verified before anything is written, so a table never holds rows of a chain that
//! does not hold. One row per decision, in the log's order, with the columns [`COLUMNS`]
//! names: the row's number, time and hash, who asked and which program decided, what the
//! decision says in three columns an analyst can count with (intercept, disposition, eligible
//! pathways), and the decision record itself as JSON. The encounter column is empty unless
//! the service kept encounters (`[audit] store_encounters`).

use std::io::Write;
use std::path::Path;

use super::{AuditError, Row, VerifyError, for_each_row, verify};

/// The columns of an exported table, in order.
pub const COLUMNS: [&str; 14] = [
    "seq",
    "at",
    "endpoint",
    "token_id",
    "program_id",
    "program_hash",
    "encounter_id",
    "intercept",
    "disposition",
    "eligible",
    "decision",
    "encounter",
    "prev_hash",
    "hash",
];

/// The formats a log exports to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// One JSON object a line, the decision as a nested object.
    Jsonl,
}

/// Why a log could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The log does not verify, or cannot be read.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The log cannot be read.
    #[error(transparent)]
    Read(#[from] AuditError),
    /// The table cannot be written.
    #[error("cannot write the table: {0}")]
    Write(#[source] std::io::Error),
}

/// What a decision record says, in the columns an analyst counts with.
struct Summary {
    intercept: String,
    disposition: String,
    eligible: String,
}

fn summary(decision: &serde_json::Value) -> Summary {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    Summary {
        intercept: text(&decision["intercept"]),
        disposition: text(&decision["disposition"]),
        eligible: decision["eligible"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| text(&e["pathway"]))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .unwrap_or_default(),
    }
}

/// Verifies the log at `path`, then writes every decision to `out` in `format`. Returns how
/// many rows were written.
pub fn export(
    path: impl AsRef<Path>,
    format: ExportFormat,
    out: impl Write,
) -> Result<u64, ExportError> {
    let path = path.as_ref();
    verify(path)?;
    match format {
        ExportFormat::Csv => write_csv(path, out),
        ExportFormat::Jsonl => write_jsonl(path, out),
    }
}

fn write_csv(path: &Path, out: impl Write) -> Result<u64, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| ExportError::Write(e.into());
    w.write_record(COLUMNS).map_err(io)?;
    let mut written = 0u64;
    for_each_row(path, |row: Row| {
        let decision: serde_json::Value =
            serde_json::from_str(&row.entry.decision).unwrap_or(serde_json::Value::Null);
        let s = summary(&decision);
        let seq = row.seq.to_string();
        w.write_record([
            seq.as_str(),
            &row.at,
            &row.entry.endpoint,
            &row.entry.token_id,
            &row.entry.program_id,
            &row.entry.program_hash,
            &row.entry.encounter_id,
            &s.intercept,
            &s.disposition,
            &s.eligible,
            &row.entry.decision,
            row.entry.encounter.as_deref().unwrap_or_default(),
            &row.prev_hash,
            &row.hash,
        ])
        .map_err(io)?;
        written = written.saturating_add(1);
        Ok::<(), ExportError>(())
    })?;
    w.flush().map_err(ExportError::Write)?;
    Ok(written)
}

fn write_jsonl(path: &Path, mut out: impl Write) -> Result<u64, ExportError> {
    let mut written = 0u64;
    for_each_row(path, |row: Row| {
        let decision: serde_json::Value =
            serde_json::from_str(&row.entry.decision).unwrap_or(serde_json::Value::Null);
        let s = summary(&decision);
        let encounter = row
            .entry
            .encounter
            .as_deref()
            .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
            .unwrap_or(serde_json::Value::Null);
        let line = serde_json::json!({
            "seq": row.seq,
            "at": row.at,
            "endpoint": row.entry.endpoint,
            "token_id": row.entry.token_id,
            "program_id": row.entry.program_id,
            "program_hash": row.entry.program_hash,
            "encounter_id": row.entry.encounter_id,
            "intercept": s.intercept,
            "disposition": s.disposition,
            "eligible": s.eligible,
            "decision": decision,
            "encounter": encounter,
            "prev_hash": row.prev_hash,
            "hash": row.hash,
        });
        serde_json::to_writer(&mut out, &line).map_err(|e| ExportError::Write(e.into()))?;
        out.write_all(b"\n").map_err(ExportError::Write)?;
        written = written.saturating_add(1);
        Ok::<(), ExportError>(())
    })?;
    out.flush().map_err(ExportError::Write)?;
    Ok(written)
}
