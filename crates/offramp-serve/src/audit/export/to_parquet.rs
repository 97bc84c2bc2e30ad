//! `offramp audit export --format parquet`: the table as Apache Parquet, written with the
//! `parquet` crate's column writer.
//!
//! The schema comes from the export's one column table: whole numbers as INT64, the time as a
//! UTC timestamp in microseconds (so pandas, polars and DuckDB read a datetime, not text), the
//! rest as UTF-8 text, `encounter` optional (null when the service did not keep it). Rows are
//! gathered [`ROWS_PER_GROUP`] at a time and written as one row group, so memory holds one group
//! however long the log. The file's metadata names the log format (`offramp.audit.format`).

use std::io::Write;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::{Cell, ExportError, Kind, TABLE, cells};
use crate::audit::{FORMAT, Location, Row, for_each_row};

/// Rows gathered before they are written as one row group.
pub const ROWS_PER_GROUP: usize = 4096;

/// The Parquet schema: one field per column of the export's table.
fn schema() -> Result<Arc<Type>, ParquetError> {
    let fields = TABLE
        .iter()
        .map(|(name, kind)| {
            let (physical, logical, repetition) = match kind {
                Kind::Int => (Physical::INT64, None, Repetition::REQUIRED),
                Kind::Time => (
                    Physical::INT64,
                    Some(LogicalType::timestamp(true, TimeUnit::MICROS)),
                    Repetition::REQUIRED,
                ),
                Kind::Text | Kind::Json { optional: false } => (
                    Physical::BYTE_ARRAY,
                    Some(LogicalType::String),
                    Repetition::REQUIRED,
                ),
                Kind::Json { optional: true } => (
                    Physical::BYTE_ARRAY,
                    Some(LogicalType::String),
                    Repetition::OPTIONAL,
                ),
            };
            Type::primitive_type_builder(name, physical)
                .with_logical_type(logical)
                .with_repetition(repetition)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Type::group_type_builder("decisions")
        .with_fields(fields)
        .build()
        .map(Arc::new)
}

/// One column's values for the row group being gathered.
enum Column {
    Int(Vec<i64>),
    Text {
        values: Vec<ByteArray>,
        /// Definition levels (1 present, 0 null), for an optional column only.
        present: Option<Vec<i16>>,
    },
}

/// A Parquet error as a write error (the parquet crate reports I/O failures this way too).
fn write_error(e: ParquetError) -> ExportError {
    ExportError::Write(std::io::Error::other(e.to_string()))
}

pub(super) fn write(path: &Location, out: impl Write + Send) -> Result<u64, ExportError> {
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("offramp-serve {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            "offramp.audit.format".into(),
            FORMAT.to_string(),
        )]))
        .build();
    let mut writer =
        SerializedFileWriter::new(out, schema().map_err(write_error)?, Arc::new(properties))
            .map_err(write_error)?;
    let mut columns: Vec<Column> = TABLE
        .iter()
        .map(|(_, kind)| match kind {
            Kind::Int | Kind::Time => Column::Int(Vec::with_capacity(ROWS_PER_GROUP)),
            Kind::Text | Kind::Json { .. } => Column::Text {
                values: Vec::with_capacity(ROWS_PER_GROUP),
                present: matches!(kind, Kind::Json { optional: true })
                    .then(|| Vec::with_capacity(ROWS_PER_GROUP)),
            },
        })
        .collect();
    let mut gathered = 0usize;
    let mut written = 0u64;
    for_each_row(path, |row: Row| {
        let seq = row.seq;
        for ((name, _), (cell, column)) in
            TABLE.iter().zip(cells(row).into_iter().zip(&mut columns))
        {
            push(cell, column).map_err(|message| ExportError::Value {
                seq,
                column: name,
                message,
            })?;
        }
        gathered = gathered.saturating_add(1);
        written = written.saturating_add(1);
        if gathered == ROWS_PER_GROUP {
            write_group(&mut writer, &mut columns)?;
            gathered = 0;
        }
        Ok::<(), ExportError>(())
    })?;
    if gathered > 0 {
        write_group(&mut writer, &mut columns)?;
    }
    let mut out = writer.into_inner().map_err(write_error)?;
    out.flush().map_err(ExportError::Write)?;
    Ok(written)
}

/// Adds a cell to its column's values.
fn push(cell: Cell, column: &mut Column) -> Result<(), &'static str> {
    match (cell, column) {
        (Cell::Int(n), Column::Int(values)) => values.push(n),
        (Cell::Time(t), Column::Int(values)) => values.push(
            chrono::DateTime::parse_from_rfc3339(&t)
                .map_err(|_| "not an RFC 3339 time")?
                .timestamp_micros(),
        ),
        (Cell::Text(t), Column::Text { values, present }) => {
            values.push(ByteArray::from(t.into_bytes()));
            if let Some(levels) = present {
                levels.push(1);
            }
        }
        (Cell::Json(j), Column::Text { values, present }) => match (j, present) {
            (Some(j), present) => {
                values.push(ByteArray::from(j.into_bytes()));
                if let Some(levels) = present {
                    levels.push(1);
                }
            }
            (None, Some(levels)) => levels.push(0),
            (None, None) => return Err("missing in a column that is never empty"),
        },
        _ => return Err("a value of another type than its column's"),
    }
    Ok(())
}

/// Writes the gathered values as one row group and empties them.
fn write_group<W: Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    columns: &mut [Column],
) -> Result<(), ExportError> {
    let mut group = writer.next_row_group().map_err(write_error)?;
    for column in columns.iter_mut() {
        let Some(mut out) = group.next_column().map_err(write_error)? else {
            break;
        };
        match column {
            Column::Int(values) => {
                out.typed::<Int64Type>()
                    .write_batch(values, None, None)
                    .map_err(write_error)?;
                values.clear();
            }
            Column::Text { values, present } => {
                out.typed::<ByteArrayType>()
                    .write_batch(values, present.as_deref(), None)
                    .map_err(write_error)?;
                values.clear();
                if let Some(levels) = present {
                    levels.clear();
                }
            }
        }
        out.close().map_err(write_error)?;
    }
    group.close().map_err(write_error)?;
    Ok(())
}
