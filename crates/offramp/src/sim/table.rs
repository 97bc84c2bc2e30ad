//! The result tables' columns, declared once per row type, and every way a table leaves the
//! engine: CSV, JSON and (with the `arrow` feature) Arrow record batches with the declared
//! column types. Each row type lists its columns through the `row!` macro in `results.rs`, so a
//! field's name and type are written once and every writer follows them; an empty table keeps
//! its columns.

use std::fmt;

use chrono::NaiveDate;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::SimError;

/// The type of a result column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// A small whole number, such as an intercept's number (Arrow `UInt8`).
    UInt8,
    /// A whole number that fits 32 bits: replications, periods, places (Arrow `UInt32`).
    UInt32,
    /// A count (Arrow `UInt64`).
    UInt64,
    /// A measure, rate or mean (Arrow `Float64`).
    Float64,
    /// Text: names, ids and vocabulary words such as a stage or an arm (Arrow `Utf8`).
    Text,
    /// A calendar day (Arrow `Date32`).
    Date,
}

/// One column of a result table, as declared by its row type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column {
    /// The column's name, which is the row field's name.
    pub name: &'static str,
    /// Its type.
    pub ty: ColumnType,
    /// Whether a row may leave it empty.
    pub nullable: bool,
}

/// One value of a row, typed as its column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// No value (an empty CSV field, a JSON or Arrow null).
    Null,
    /// A `UInt8` value.
    UInt8(u8),
    /// A `UInt32` value.
    UInt32(u32),
    /// A `UInt64` value.
    UInt64(u64),
    /// A `Float64` value.
    Float64(f64),
    /// A `Text` value.
    Text(&'a str),
    /// A `Date` value.
    Date(NaiveDate),
}

impl Serialize for Cell<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Null => s.serialize_none(),
            Cell::UInt8(v) => s.serialize_u8(*v),
            Cell::UInt32(v) => s.serialize_u32(*v),
            Cell::UInt64(v) => s.serialize_u64(*v),
            Cell::Float64(v) => s.serialize_f64(*v),
            Cell::Text(v) => s.serialize_str(v),
            Cell::Date(v) => v.serialize(s),
        }
    }
}

/// A field type that can be a result column: its column type and its value as a cell.
pub trait ColumnValue {
    /// The column type.
    const TYPE: ColumnType;
    /// Whether the value may be absent.
    const NULLABLE: bool = false;
    /// The value as a cell.
    fn cell(&self) -> Cell<'_>;
}

impl ColumnValue for u8 {
    const TYPE: ColumnType = ColumnType::UInt8;
    fn cell(&self) -> Cell<'_> {
        Cell::UInt8(*self)
    }
}

impl ColumnValue for u32 {
    const TYPE: ColumnType = ColumnType::UInt32;
    fn cell(&self) -> Cell<'_> {
        Cell::UInt32(*self)
    }
}

impl ColumnValue for u64 {
    const TYPE: ColumnType = ColumnType::UInt64;
    fn cell(&self) -> Cell<'_> {
        Cell::UInt64(*self)
    }
}

impl ColumnValue for f64 {
    const TYPE: ColumnType = ColumnType::Float64;
    fn cell(&self) -> Cell<'_> {
        Cell::Float64(*self)
    }
}

impl ColumnValue for String {
    const TYPE: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        Cell::Text(self)
    }
}

impl ColumnValue for NaiveDate {
    const TYPE: ColumnType = ColumnType::Date;
    fn cell(&self) -> Cell<'_> {
        Cell::Date(*self)
    }
}

impl<T: ColumnValue> ColumnValue for Option<T> {
    const TYPE: ColumnType = T::TYPE;
    const NULLABLE: bool = true;
    fn cell(&self) -> Cell<'_> {
        self.as_ref().map_or(Cell::Null, T::cell)
    }
}

/// Vocabulary values are text columns holding their names.
macro_rules! text_columns {
    ($($ty:ty),+) => {
        $(
            impl ColumnValue for $ty {
                const TYPE: ColumnType = ColumnType::Text;
                fn cell(&self) -> Cell<'_> {
                    Cell::Text(self.as_str())
                }
            }
        )+
    };
}

text_columns!(super::Arm, super::Stage);

/// A row of a result table: its declared columns, and its values in their order.
pub trait Row {
    /// The columns, in order.
    const COLUMNS: &'static [Column];
    /// Calls `each` with every value of the row, in the order of [`Row::COLUMNS`].
    fn cells<'s>(&'s self, each: &mut dyn FnMut(Cell<'s>));
}

/// Rows of one type, seen without their type. (Implemented for the table's `Vec`: a slice,
/// being unsized, cannot be seen as a trait object.)
trait Rows {
    fn len(&self) -> usize;
    fn row<'s>(&'s self, i: usize, each: &mut dyn FnMut(Cell<'s>));
}

impl<R: Row> Rows for Vec<R> {
    fn len(&self) -> usize {
        <[R]>::len(self)
    }
    fn row<'s>(&'s self, i: usize, each: &mut dyn FnMut(Cell<'s>)) {
        if let Some(r) = self.get(i) {
            r.cells(each);
        }
    }
}

/// One result table: its name, its declared columns and its rows.
///
/// ```
/// # let results = offramp::sim::SimResults::empty_for_docs();
/// let funnel = results.table("funnel").unwrap();
/// assert_eq!(funnel.columns()[2].name, "stage");
/// assert_eq!(funnel.to_csv()?, "replication,pathway,stage,count,rate_from_previous,rate_from_encounter\n");
/// # Ok::<(), offramp::sim::SimError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Table<'a> {
    name: &'static str,
    columns: &'static [Column],
    rows: &'a dyn Rows,
}

impl fmt::Debug for Table<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.name)
            .field("columns", &self.columns)
            .field("rows", &self.rows.len())
            .finish()
    }
}

impl<'a> Table<'a> {
    #[allow(clippy::ptr_arg)] // the `Vec`, not a slice: see `Rows`
    pub(crate) fn new<R: Row>(name: &'static str, rows: &'a Vec<R>) -> Self {
        Table {
            name,
            columns: R::COLUMNS,
            rows,
        }
    }

    /// The table's name (one of [`super::SimResults::TABLES`]).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The declared columns, in order.
    pub fn columns(&self) -> &'static [Column] {
        self.columns
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }

    /// Writes the table as CSV: a header row of the column names (also when there are no
    /// rows), then one record per row.
    pub fn write_csv<W: std::io::Write>(&self, out: W) -> Result<(), SimError> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        let error = |e: csv::Error| self.error(e);
        w.write_record(self.columns.iter().map(|c| c.name))
            .map_err(error)?;
        let mut cells = Vec::with_capacity(self.columns.len());
        for i in 0..self.rows.len() {
            cells.clear();
            self.rows.row(i, &mut |c| cells.push(c));
            w.serialize(&cells).map_err(error)?;
        }
        w.flush().map_err(|e| self.error(e))
    }

    /// The table as CSV text.
    pub fn to_csv(&self) -> Result<String, SimError> {
        let mut out = Vec::new();
        self.write_csv(&mut out)?;
        String::from_utf8(out).map_err(|e| self.error(e))
    }

    /// Writes the table as a JSON array of row objects, keys in column order.
    pub fn write_json<W: std::io::Write>(&self, out: W) -> Result<(), SimError> {
        serde_json::to_writer(out, &JsonRows(*self)).map_err(|e| self.error(e))
    }

    fn error(&self, e: impl fmt::Display) -> SimError {
        SimError::Output {
            path: self.name.into(),
            message: e.to_string(),
        }
    }
}

struct JsonRows<'a>(Table<'a>);

impl Serialize for JsonRows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let table = self.0;
        let mut seq = s.serialize_seq(Some(table.len()))?;
        for i in 0..table.len() {
            seq.serialize_element(&JsonRow(table, i))?;
        }
        seq.end()
    }
}

struct JsonRow<'a>(Table<'a>, usize);

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let JsonRow(table, i) = *self;
        let mut map = s.serialize_map(Some(table.columns.len()))?;
        let mut names = table.columns.iter();
        let mut result = Ok(());
        table.rows.row(i, &mut |cell| {
            if result.is_ok() {
                if let Some(column) = names.next() {
                    result = map.serialize_entry(column.name, &cell);
                }
            }
        });
        result?;
        map.end()
    }
}

#[cfg(feature = "arrow")]
mod arrow {
    //! Result tables as Arrow record batches, with the declared column types.

    use std::sync::Arc;

    use arrow_array::builder::{
        Date32Builder, Float64Builder, StringBuilder, UInt8Builder, UInt32Builder, UInt64Builder,
    };
    use arrow_array::{ArrayRef, RecordBatch};
    use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
    use chrono::NaiveDate;

    use super::{Cell, Column, ColumnType, Table};

    impl ColumnType {
        /// The Arrow type of a column of this type.
        pub fn arrow_type(self) -> DataType {
            match self {
                ColumnType::UInt8 => DataType::UInt8,
                ColumnType::UInt32 => DataType::UInt32,
                ColumnType::UInt64 => DataType::UInt64,
                ColumnType::Float64 => DataType::Float64,
                ColumnType::Text => DataType::Utf8,
                ColumnType::Date => DataType::Date32,
            }
        }
    }

    impl Column {
        /// The column as an Arrow field.
        pub fn arrow_field(&self) -> Field {
            Field::new(self.name, self.ty.arrow_type(), self.nullable)
        }
    }

    /// A column being built.
    enum Builder {
        UInt8(UInt8Builder),
        UInt32(UInt32Builder),
        UInt64(UInt64Builder),
        Float64(Float64Builder),
        Text(StringBuilder),
        Date(Date32Builder),
    }

    /// Days since 1970-01-01 (chrono's default date), as Arrow's `Date32` counts them.
    fn date32(d: NaiveDate) -> Result<i32, ArrowError> {
        let days = d.signed_duration_since(NaiveDate::default()).num_days();
        i32::try_from(days).map_err(|_| ArrowError::ComputeError(format!("date {d} out of range")))
    }

    impl Builder {
        fn new(ty: ColumnType, rows: usize) -> Self {
            match ty {
                ColumnType::UInt8 => Builder::UInt8(UInt8Builder::with_capacity(rows)),
                ColumnType::UInt32 => Builder::UInt32(UInt32Builder::with_capacity(rows)),
                ColumnType::UInt64 => Builder::UInt64(UInt64Builder::with_capacity(rows)),
                ColumnType::Float64 => Builder::Float64(Float64Builder::with_capacity(rows)),
                ColumnType::Text => {
                    Builder::Text(StringBuilder::with_capacity(rows, rows.saturating_mul(8)))
                }
                ColumnType::Date => Builder::Date(Date32Builder::with_capacity(rows)),
            }
        }

        fn push(&mut self, cell: Cell<'_>) -> Result<(), ArrowError> {
            match (self, cell) {
                (Builder::UInt8(b), Cell::Null) => b.append_null(),
                (Builder::UInt32(b), Cell::Null) => b.append_null(),
                (Builder::UInt64(b), Cell::Null) => b.append_null(),
                (Builder::Float64(b), Cell::Null) => b.append_null(),
                (Builder::Text(b), Cell::Null) => b.append_null(),
                (Builder::Date(b), Cell::Null) => b.append_null(),
                (Builder::UInt8(b), Cell::UInt8(v)) => b.append_value(v),
                (Builder::UInt32(b), Cell::UInt32(v)) => b.append_value(v),
                (Builder::UInt64(b), Cell::UInt64(v)) => b.append_value(v),
                (Builder::Float64(b), Cell::Float64(v)) => b.append_value(v),
                (Builder::Text(b), Cell::Text(v)) => b.append_value(v),
                (Builder::Date(b), Cell::Date(v)) => b.append_value(date32(v)?),
                (_, cell) => {
                    return Err(ArrowError::InvalidArgumentError(format!(
                        "a {cell:?} value in a column of another type"
                    )));
                }
            }
            Ok(())
        }

        fn finish(self) -> ArrayRef {
            match self {
                Builder::UInt8(mut b) => Arc::new(b.finish()),
                Builder::UInt32(mut b) => Arc::new(b.finish()),
                Builder::UInt64(mut b) => Arc::new(b.finish()),
                Builder::Float64(mut b) => Arc::new(b.finish()),
                Builder::Text(mut b) => Arc::new(b.finish()),
                Builder::Date(mut b) => Arc::new(b.finish()),
            }
        }
    }

    impl Table<'_> {
        /// The table's Arrow schema: its declared columns, in order.
        pub fn arrow_schema(&self) -> SchemaRef {
            Arc::new(Schema::new(
                self.columns
                    .iter()
                    .map(Column::arrow_field)
                    .collect::<Vec<_>>(),
            ))
        }

        /// The table as one Arrow record batch with the declared schema (no rows when the
        /// table is empty, with every column still there).
        pub fn to_record_batch(&self) -> Result<RecordBatch, ArrowError> {
            let rows = self.rows.len();
            let mut builders: Vec<Builder> = self
                .columns
                .iter()
                .map(|c| Builder::new(c.ty, rows))
                .collect();
            for i in 0..rows {
                let mut column = 0;
                let mut result = Ok(());
                self.rows.row(i, &mut |cell| {
                    if result.is_ok() {
                        result = match builders.get_mut(column) {
                            Some(b) => b.push(cell),
                            None => Err(ArrowError::InvalidArgumentError(
                                "a row has more values than columns".into(),
                            )),
                        };
                    }
                    column = column.saturating_add(1);
                });
                result?;
            }
            let arrays = builders.into_iter().map(Builder::finish).collect();
            RecordBatch::try_new(self.arrow_schema(), arrays)
                .map_err(|e| ArrowError::InvalidArgumentError(format!("table {}: {e}", self.name)))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde::Serialize;

    use super::*;
    use crate::sim::{RunOptions, Scenario, SimResults, Simulation};

    fn small_run() -> SimResults {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut s =
            Scenario::from_file(root.join("examples/scenarios/qrt-hamilton-county.toml")).unwrap();
        s.scenario.days = Some(30);
        let options = RunOptions {
            seed: Some(4),
            replications: Some(2),
            threads: None,
            allow_large: false,
        };
        Simulation::new(s).unwrap().run(&options).unwrap()
    }

    /// What serde's own CSV writer makes of the rows (a header only when there is a row).
    fn serde_csv<T: Serialize>(rows: &[T]) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in rows {
            w.serialize(r).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn csv_and_json_follow_the_declared_columns_and_match_serde() {
        let r = small_run();
        let by_serde = [
            (
                serde_csv(&r.funnel),
                serde_json::to_string(&r.funnel).unwrap(),
            ),
            (
                serde_csv(&r.time_to_intake),
                serde_json::to_string(&r.time_to_intake).unwrap(),
            ),
            (
                serde_csv(&r.referrals),
                serde_json::to_string(&r.referrals).unwrap(),
            ),
            (
                serde_csv(&r.providers),
                serde_json::to_string(&r.providers).unwrap(),
            ),
            (
                serde_csv(&r.provider_periods),
                serde_json::to_string(&r.provider_periods).unwrap(),
            ),
            (
                serde_csv(&r.intercepts),
                serde_json::to_string(&r.intercepts).unwrap(),
            ),
            (
                serde_csv(&r.timeline),
                serde_json::to_string(&r.timeline).unwrap(),
            ),
            (
                serde_csv(&r.costs),
                serde_json::to_string(&r.costs).unwrap(),
            ),
            (
                serde_csv(&r.outcomes),
                serde_json::to_string(&r.outcomes).unwrap(),
            ),
            (
                serde_csv(&r.equity),
                serde_json::to_string(&r.equity).unwrap(),
            ),
            (
                serde_csv(&r.effects),
                serde_json::to_string(&r.effects).unwrap(),
            ),
            (
                serde_csv(&r.summary),
                serde_json::to_string(&r.summary).unwrap(),
            ),
        ];
        for (table, (csv, json)) in r.tables().into_iter().zip(by_serde) {
            let header: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
            let text = table.to_csv().unwrap();
            assert_eq!(text.lines().next(), Some(header.join(",").as_str()));
            assert!(!table.is_empty(), "{} has rows in this run", table.name());
            assert_eq!(
                text,
                csv,
                "{}: the same bytes as serde's writer",
                table.name()
            );
            let mut out = Vec::new();
            table.write_json(&mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), json, "{}", table.name());
        }
    }

    #[test]
    fn an_empty_table_keeps_its_header() {
        let empty = SimResults::empty_for_docs();
        for table in empty.tables() {
            let header: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
            assert_eq!(table.to_csv().unwrap(), format!("{}\n", header.join(",")));
        }
    }

    #[test]
    fn columns_take_their_types_from_the_fields() {
        let empty = SimResults::empty_for_docs();
        let timeline = empty.table("timeline").unwrap();
        let column = |name: &str| *timeline.columns().iter().find(|c| c.name == name).unwrap();
        assert_eq!(
            column("replication"),
            Column {
                name: "replication",
                ty: ColumnType::UInt32,
                nullable: false
            }
        );
        assert_eq!(column("arm").ty, ColumnType::Text);
        assert!(column("arm").nullable);
        assert_eq!(column("start").ty, ColumnType::Date);
        assert_eq!(column("encounters").ty, ColumnType::UInt64);
        assert_eq!(column("jail_bed_days").ty, ColumnType::Float64);
    }

    #[cfg(feature = "arrow")]
    #[test]
    fn arrow_batches_have_the_declared_schema_and_the_rows() {
        use arrow_array::cast::AsArray;
        use arrow_array::types::{Date32Type, UInt64Type};
        use arrow_schema::DataType;

        let r = small_run();
        for table in r.tables() {
            let batch = table.to_record_batch().unwrap();
            assert_eq!(batch.num_rows(), table.len(), "{}", table.name());
            let fields = batch.schema().fields().clone();
            assert_eq!(fields.len(), table.columns().len());
            for (field, column) in fields.iter().zip(table.columns()) {
                assert_eq!(field.name(), column.name);
                assert_eq!(field.is_nullable(), column.nullable, "{}", column.name);
                let expected = match column.ty {
                    ColumnType::UInt8 => DataType::UInt8,
                    ColumnType::UInt32 => DataType::UInt32,
                    ColumnType::UInt64 => DataType::UInt64,
                    ColumnType::Float64 => DataType::Float64,
                    ColumnType::Text => DataType::Utf8,
                    ColumnType::Date => DataType::Date32,
                };
                assert_eq!(field.data_type(), &expected, "{}", column.name);
            }
        }
        let funnel = r.table("funnel").unwrap().to_record_batch().unwrap();
        let counts = funnel.column(3).as_primitive::<UInt64Type>();
        let expected: Vec<u64> = r.funnel.iter().map(|f| f.count).collect();
        assert_eq!(counts.values().to_vec(), expected);
        let timeline = r.table("timeline").unwrap().to_record_batch().unwrap();
        let starts = timeline.column(3).as_primitive::<Date32Type>();
        let first = r.timeline[0].start.unwrap();
        assert_eq!(
            Date32Type::to_naive_date_opt(starts.value(0)).unwrap(),
            first
        );
    }

    #[cfg(feature = "arrow")]
    #[test]
    fn an_empty_run_still_has_every_column_with_its_type() {
        let empty = SimResults::empty_for_docs();
        for table in empty.tables() {
            let batch = table.to_record_batch().unwrap();
            assert_eq!(batch.num_rows(), 0);
            assert_eq!(batch.schema(), table.arrow_schema(), "{}", table.name());
            assert_eq!(batch.num_columns(), table.columns().len());
        }
    }
}
