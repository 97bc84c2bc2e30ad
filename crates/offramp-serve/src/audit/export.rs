//! The log's decisions as a table for analysis: `offramp audit export`.
//!
//! A log is verified before anything is written, so a table never holds rows of a chain that
//! does not hold. One row per decision, in the log's order, with the columns [`COLUMNS`]
//! names: the row's number, time and hash, who asked and which program decided, what the
//! decision says in three columns an analyst can count with (intercept, disposition, eligible
//! pathways), and the decision record itself as JSON. The encounter column is empty unless
//! the service kept encounters (`[audit] store_encounters`).
//!
//! Three formats write from one column table (`TABLE`, each column with its kind): CSV, JSON
//! lines and Parquet (`to_parquet`, with typed columns).

use std::io::Write;

use serde_json::Value;

use super::{AuditError, Location, Row, VerifyError, for_each_row, verify};

mod to_parquet;

/// What a column holds, which decides how each format writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A whole number (Parquet INT64).
    Int,
    /// A moment, RFC 3339 in UTC with microseconds (Parquet: a UTC timestamp in microseconds).
    Time,
    /// Text, never absent (empty when there is nothing to say).
    Text,
    /// A JSON document: text in CSV and Parquet, nested in JSON lines; absent (empty, null)
    /// when the column is optional and the row has none.
    Json { optional: bool },
}

/// The exported table, column by column: the one list every format writes from.
const TABLE: [(&str, Kind); 14] = [
    ("seq", Kind::Int),
    ("at", Kind::Time),
    ("endpoint", Kind::Text),
    ("token_id", Kind::Text),
    ("program_id", Kind::Text),
    ("program_hash", Kind::Text),
    ("encounter_id", Kind::Text),
    ("intercept", Kind::Text),
    ("disposition", Kind::Text),
    ("eligible", Kind::Text),
    ("decision", Kind::Json { optional: false }),
    ("encounter", Kind::Json { optional: true }),
    ("prev_hash", Kind::Text),
    ("hash", Kind::Text),
];

/// The columns of an exported table, in order.
pub const COLUMNS: [&str; TABLE.len()] = {
    let mut names = [""; TABLE.len()];
    let mut i = 0;
    while i < TABLE.len() {
        names[i] = TABLE[i].0;
        i += 1;
    }
    names
};

/// One cell of a row, as [`TABLE`]'s kind for its column says.
#[derive(Debug)]
enum Cell {
    Int(i64),
    Time(String),
    Text(String),
    Json(Option<String>),
}

/// A stored row as the table's cells, in [`TABLE`]'s order (a test checks each cell against
/// its column's kind).
fn cells(row: Row) -> [Cell; TABLE.len()] {
    let s = summary(&row.entry.decision);
    let e = row.entry;
    [
        Cell::Int(row.seq),
        Cell::Time(row.at),
        Cell::Text(e.endpoint),
        Cell::Text(e.token_id),
        Cell::Text(e.program_id),
        Cell::Text(e.program_hash),
        Cell::Text(e.encounter_id),
        Cell::Text(s.intercept),
        Cell::Text(s.disposition),
        Cell::Text(s.eligible),
        Cell::Json(Some(e.decision)),
        Cell::Json(e.encounter),
        Cell::Text(row.prev_hash),
        Cell::Text(row.hash),
    ]
}

/// The formats a log exports to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// One JSON object a line, the decision as a nested object.
    Jsonl,
    /// Apache Parquet: typed columns (`seq` a 64-bit integer, `at` a UTC timestamp in
    /// microseconds, the rest UTF-8 text, `encounter` null when not kept), Snappy-compressed,
    /// in row groups of [`ROWS_PER_GROUP`] rows.
    Parquet,
}

pub use to_parquet::ROWS_PER_GROUP;

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
    /// A row holds a value its column's type cannot take (a time that is not RFC 3339).
    #[error("row {seq}: column `{column}`: {message}")]
    Value {
        /// The row's number.
        seq: i64,
        /// The column.
        column: &'static str,
        /// What is wrong, without the value.
        message: &'static str,
    },
}

/// What a decision record says, in the columns an analyst counts with.
struct Summary {
    intercept: String,
    disposition: String,
    eligible: String,
}

fn summary(decision: &str) -> Summary {
    let decision: Value = serde_json::from_str(decision).unwrap_or(Value::Null);
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
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

/// Verifies the log (a SQLite file's path, or a [`Location`]), then writes every decision to
/// `out` in `format`, one row in memory at a time (a Parquet row group at a time). Returns how
/// many rows were written.
pub fn export(
    path: impl Into<Location>,
    format: ExportFormat,
    out: impl Write + Send,
) -> Result<u64, ExportError> {
    let path = &path.into();
    verify(path)?;
    match format {
        ExportFormat::Csv => write_csv(path, out),
        ExportFormat::Jsonl => write_jsonl(path, out),
        ExportFormat::Parquet => to_parquet::write(path, out),
    }
}

fn write_csv(path: &Location, out: impl Write) -> Result<u64, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| ExportError::Write(e.into());
    w.write_record(COLUMNS).map_err(io)?;
    let mut written = 0u64;
    for_each_row(path, |row: Row| {
        let record = cells(row).map(|cell| match cell {
            Cell::Int(n) => n.to_string(),
            Cell::Time(t) | Cell::Text(t) => t,
            Cell::Json(j) => j.unwrap_or_default(),
        });
        w.write_record(&record).map_err(io)?;
        written = written.saturating_add(1);
        Ok::<(), ExportError>(())
    })?;
    w.flush().map_err(ExportError::Write)?;
    Ok(written)
}

fn write_jsonl(path: &Location, mut out: impl Write) -> Result<u64, ExportError> {
    let mut written = 0u64;
    for_each_row(path, |row: Row| {
        let mut line = serde_json::Map::with_capacity(TABLE.len());
        for ((name, _), cell) in TABLE.iter().zip(cells(row)) {
            let value = match cell {
                Cell::Int(n) => Value::from(n),
                Cell::Time(t) | Cell::Text(t) => Value::String(t),
                Cell::Json(j) => j
                    .and_then(|j| serde_json::from_str(&j).ok())
                    .unwrap_or(Value::Null),
            };
            line.insert((*name).to_string(), value);
        }
        serde_json::to_writer(&mut out, &line).map_err(|e| ExportError::Write(e.into()))?;
        out.write_all(b"\n").map_err(ExportError::Write)?;
        written = written.saturating_add(1);
        Ok::<(), ExportError>(())
    })?;
    out.flush().map_err(ExportError::Write)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Entry;

    #[test]
    fn each_cell_is_of_its_column_s_kind() {
        let row = Row {
            seq: 7,
            at: "2026-12-01T17:00:00.000001Z".into(),
            entry: Entry {
                endpoint: "route".into(),
                token_id: "cad".into(),
                program_id: "p".into(),
                program_hash: "sha256:00".into(),
                encounter_id: "e-1".into(),
                decision: "{}".into(),
                encounter: None,
            },
            prev_hash: super::super::GENESIS.into(),
            hash: "ab".into(),
        };
        for ((name, kind), cell) in TABLE.iter().zip(cells(row)) {
            let fits = matches!(
                (kind, &cell),
                (Kind::Int, Cell::Int(_))
                    | (Kind::Time, Cell::Time(_))
                    | (Kind::Text, Cell::Text(_))
                    | (Kind::Json { .. }, Cell::Json(_))
            );
            assert!(fits, "column `{name}` is {kind:?} but its cell is {cell:?}");
        }
    }
}
