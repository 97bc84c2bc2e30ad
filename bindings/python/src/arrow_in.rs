//! Encounters from Arrow record batches, decoded in Rust.
//!
//! Each row is read by the shared reader ([`read_encounter`]) through a cursor over the
//! batch's typed arrays (the fast path): each column is looked at once, the first time the
//! reader asks for it, and read straight from its array on every row. A row the fast path
//! cannot read (a column of a type it does not take, an unknown column, a bad value) goes
//! through the slow path instead: the row becomes a JSON value and the core's own reader
//! decides, so that a row is accepted or refused, with the same error, as the same encounter
//! given as a dict or a line of JSON.
//!
//! Nested columns follow the JSON shape (`overdose` and `location` are structs, `offenses` a
//! list of structs, `needs` and `flags` lists of text, `attributes` a struct). A null is "not
//! recorded"; `at` may be RFC 3339 text or a timestamp column with a time zone.

use std::cell::{Cell, OnceCell};
use std::collections::BTreeMap;
use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::timezone::Tz;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, GenericStringArray, PrimitiveArray, RecordBatch,
    StringViewArray, StructArray,
};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};
use offramp::{AttributeValue, Encounter, EncounterError};
use serde_json::Number;

use crate::convert::Json;
use crate::reader::{Got, Input, Key, Slow, Word, read_encounter};

// ------------------------------------------------------------------------------------------
// Typed accessors for the fast path.

/// A column of text.
enum Strs<'a> {
    Utf8(&'a GenericStringArray<i32>),
    Large(&'a GenericStringArray<i64>),
    View(&'a StringViewArray),
    Dict {
        array: &'a dyn Array,
        keys: Vec<usize>,
        values: Box<Strs<'a>>,
    },
    Null,
}

impl<'a> Strs<'a> {
    fn new(array: &'a dyn Array) -> Option<Strs<'a>> {
        Some(match array.data_type() {
            DataType::Utf8 => Strs::Utf8(array.as_string_opt::<i32>()?),
            DataType::LargeUtf8 => Strs::Large(array.as_string_opt::<i64>()?),
            DataType::Utf8View => Strs::View(array.as_string_view_opt()?),
            DataType::Null => Strs::Null,
            DataType::Dictionary(_, value_type)
                if matches!(
                    value_type.as_ref(),
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
                ) =>
            {
                let dict = array.as_any_dictionary_opt()?;
                if dict.values().is_empty() {
                    // Every key is null (an empty dictionary has nothing to point at).
                    if array.null_count() == array.len() {
                        return Some(Strs::Null);
                    }
                    return None;
                }
                Strs::Dict {
                    array,
                    keys: dict.normalized_keys(),
                    values: Box::new(Strs::new(dict.values().as_ref())?),
                }
            }
            _ => return None,
        })
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strs::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strs::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strs::View(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strs::Dict {
                array,
                keys,
                values,
            } => {
                if array.is_null(i) {
                    None
                } else {
                    values.get(*keys.get(i)?)
                }
            }
            Strs::Null => None,
        }
    }
}

/// A number read from a numeric column.
#[derive(Clone, Copy)]
enum Num {
    I(i64),
    U(u64),
    F(f64),
}

impl Num {
    /// The value as a whole number, when it is one (a float must be integral).
    fn whole(self) -> Option<i64> {
        match self {
            Num::I(v) => Some(v),
            Num::U(v) => i64::try_from(v).ok(),
            Num::F(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            Num::F(_) => None,
        }
    }

    fn float(self) -> f64 {
        match self {
            Num::I(v) => v as f64,
            Num::U(v) => v as f64,
            Num::F(f) => f,
        }
    }
}

/// A numeric column.
enum Nums<'a> {
    I8(&'a PrimitiveArray<Int8Type>),
    I16(&'a PrimitiveArray<Int16Type>),
    I32(&'a PrimitiveArray<Int32Type>),
    I64(&'a PrimitiveArray<Int64Type>),
    U8(&'a PrimitiveArray<UInt8Type>),
    U16(&'a PrimitiveArray<UInt16Type>),
    U32(&'a PrimitiveArray<UInt32Type>),
    U64(&'a PrimitiveArray<UInt64Type>),
    F32(&'a PrimitiveArray<Float32Type>),
    F64(&'a PrimitiveArray<Float64Type>),
    Null,
}

impl<'a> Nums<'a> {
    fn new(array: &'a dyn Array) -> Option<Nums<'a>> {
        Some(match array.data_type() {
            DataType::Int8 => Nums::I8(array.as_primitive_opt()?),
            DataType::Int16 => Nums::I16(array.as_primitive_opt()?),
            DataType::Int32 => Nums::I32(array.as_primitive_opt()?),
            DataType::Int64 => Nums::I64(array.as_primitive_opt()?),
            DataType::UInt8 => Nums::U8(array.as_primitive_opt()?),
            DataType::UInt16 => Nums::U16(array.as_primitive_opt()?),
            DataType::UInt32 => Nums::U32(array.as_primitive_opt()?),
            DataType::UInt64 => Nums::U64(array.as_primitive_opt()?),
            DataType::Float32 => Nums::F32(array.as_primitive_opt()?),
            DataType::Float64 => Nums::F64(array.as_primitive_opt()?),
            DataType::Null => Nums::Null,
            _ => return None,
        })
    }

    /// The number at `i`; None for a null (or a NaN, which pandas uses for "missing").
    #[inline]
    fn get(&self, i: usize) -> Option<Num> {
        macro_rules! at {
            ($a:expr, $wrap:expr) => {
                if $a.is_null(i) {
                    None
                } else {
                    Some($wrap($a.value(i)))
                }
            };
        }
        let n = match self {
            Nums::I8(a) => at!(a, |v: i8| Num::I(i64::from(v))),
            Nums::I16(a) => at!(a, |v: i16| Num::I(i64::from(v))),
            Nums::I32(a) => at!(a, |v: i32| Num::I(i64::from(v))),
            Nums::I64(a) => at!(a, Num::I),
            Nums::U8(a) => at!(a, |v: u8| Num::U(u64::from(v))),
            Nums::U16(a) => at!(a, |v: u16| Num::U(u64::from(v))),
            Nums::U32(a) => at!(a, |v: u32| Num::U(u64::from(v))),
            Nums::U64(a) => at!(a, Num::U),
            Nums::F32(a) => at!(a, |v: f32| Num::F(f64::from(v))),
            Nums::F64(a) => at!(a, Num::F),
            Nums::Null => None,
        };
        match n {
            Some(Num::F(f)) if f.is_nan() => None,
            other => other,
        }
    }
}

/// A boolean column.
enum Bools<'a> {
    Bool(&'a BooleanArray),
    Null,
}

impl<'a> Bools<'a> {
    fn new(array: &'a dyn Array) -> Option<Bools<'a>> {
        Some(match array.data_type() {
            DataType::Boolean => Bools::Bool(array.as_boolean_opt()?),
            DataType::Null => Bools::Null,
            _ => return None,
        })
    }

    #[inline]
    fn get(&self, i: usize) -> Option<bool> {
        match self {
            Bools::Bool(a) => (!a.is_null(i)).then(|| a.value(i)),
            Bools::Null => None,
        }
    }
}

/// A column of moments: RFC 3339 text, or timestamps with a time zone.
enum Times<'a> {
    Text(Strs<'a>),
    Stamp {
        values: &'a [i64],
        array: &'a dyn Array,
        unit: TimeUnit,
        tz: Tz,
    },
}

/// The i64 values of a timestamp array, whatever its unit.
fn stamp_values(array: &dyn Array, unit: TimeUnit) -> Option<&[i64]> {
    Some(match unit {
        TimeUnit::Second => array.as_primitive_opt::<TimestampSecondType>()?.values(),
        TimeUnit::Millisecond => array
            .as_primitive_opt::<TimestampMillisecondType>()?
            .values(),
        TimeUnit::Microsecond => array
            .as_primitive_opt::<TimestampMicrosecondType>()?
            .values(),
        TimeUnit::Nanosecond => array
            .as_primitive_opt::<TimestampNanosecondType>()?
            .values(),
    })
}

/// A timestamp as a moment in a time zone.
fn stamp_to_datetime(v: i64, unit: TimeUnit, tz: &Tz) -> Option<DateTime<FixedOffset>> {
    let utc = match unit {
        TimeUnit::Second => DateTime::<Utc>::from_timestamp(v, 0),
        TimeUnit::Millisecond => DateTime::<Utc>::from_timestamp_millis(v),
        TimeUnit::Microsecond => DateTime::<Utc>::from_timestamp_micros(v),
        TimeUnit::Nanosecond => Some(DateTime::<Utc>::from_timestamp_nanos(v)),
    }?;
    Some(tz.from_utc_datetime(&utc.naive_utc()).fixed_offset())
}

impl<'a> Times<'a> {
    fn new(array: &'a dyn Array) -> Option<Times<'a>> {
        match array.data_type() {
            DataType::Timestamp(unit, Some(tz)) => Some(Times::Stamp {
                values: stamp_values(array, *unit)?,
                array,
                unit: *unit,
                tz: tz.parse().ok()?,
            }),
            // A timestamp without a zone has no UTC offset: the slow path refuses it.
            DataType::Timestamp(_, None) => None,
            _ => Strs::new(array).map(Times::Text),
        }
    }

    /// The moment at `i`: None for a null, `Some(Err)` for one that cannot be read.
    #[inline]
    fn get(&self, i: usize) -> Option<Result<DateTime<FixedOffset>, ()>> {
        match self {
            // The same reading as the core's JSON (chrono's `FromStr`).
            Times::Text(s) => s.get(i).map(|t| crate::convert::parse_time(t).ok_or(())),
            Times::Stamp {
                values,
                array,
                unit,
                tz,
            } => {
                if array.is_null(i) {
                    None
                } else {
                    Some(
                        values
                            .get(i)
                            .and_then(|v| stamp_to_datetime(*v, *unit, tz))
                            .ok_or(()),
                    )
                }
            }
        }
    }
}

/// A list column: the row's range in the child array.
struct Lists<'a> {
    array: &'a dyn Array,
    offsets: Offsets<'a>,
    child: &'a ArrayRef,
}

enum Offsets<'a> {
    I32(&'a [i32]),
    I64(&'a [i64]),
}

impl<'a> Lists<'a> {
    fn new(array: &'a dyn Array) -> Option<Lists<'a>> {
        match array.data_type() {
            DataType::List(_) => {
                let l = array.as_list_opt::<i32>()?;
                Some(Lists {
                    array,
                    offsets: Offsets::I32(l.value_offsets()),
                    child: l.values(),
                })
            }
            DataType::LargeList(_) => {
                let l = array.as_list_opt::<i64>()?;
                Some(Lists {
                    array,
                    offsets: Offsets::I64(l.value_offsets()),
                    child: l.values(),
                })
            }
            _ => None,
        }
    }

    /// The child range of row `i` (empty for a null list).
    #[inline]
    fn range(&self, i: usize) -> Range<usize> {
        if self.array.is_null(i) {
            return 0..0;
        }
        let (a, b) = match self.offsets {
            Offsets::I32(o) => (
                o.get(i).map(|v| *v as usize),
                o.get(i + 1).map(|v| *v as usize),
            ),
            Offsets::I64(o) => (
                o.get(i).map(|v| *v as usize),
                o.get(i + 1).map(|v| *v as usize),
            ),
        };
        match (a, b) {
            (Some(a), Some(b)) if a <= b => a..b,
            _ => 0..0,
        }
    }
}

/// A list-of-text column, or an all-null column.
enum StrLists<'a> {
    List { list: Lists<'a>, items: Strs<'a> },
    Null,
}

impl<'a> StrLists<'a> {
    fn new(array: &'a dyn Array) -> Option<StrLists<'a>> {
        if array.data_type() == &DataType::Null {
            return Some(StrLists::Null);
        }
        let list = Lists::new(array)?;
        let items = Strs::new(list.child.as_ref())?;
        Some(StrLists::List { list, items })
    }

    /// Parses each item of row `i`; Err when one is null or not a known word.
    fn parse<T>(&self, i: usize, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, ()> {
        match self {
            StrLists::Null => Ok(Vec::new()),
            StrLists::List { list, items } => {
                let r = list.range(i);
                let mut out = Vec::with_capacity(r.len());
                for j in r {
                    out.push(items.get(j).and_then(&parse).ok_or(())?);
                }
                Ok(out)
            }
        }
    }
}

/// How a column is read: built from the column's type the first time a reader asks for it,
/// in the kind of value it asks for.
enum Col<'a> {
    /// A column of nulls only: every value is absent.
    Null,
    Text(Strs<'a>),
    Time(Times<'a>),
    Bool(Bools<'a>),
    Num(Nums<'a>),
    Words(StrLists<'a>),
    Object(&'a StructArray, Table<'a>),
    Objects(Lists<'a>, &'a StructArray, Table<'a>),
    Attributes(&'a StructArray, Vec<(&'a str, AttrCol<'a>, bool)>),
    /// A column of a type the reader does not take for its kind: the slow path decides.
    Unreadable,
}

enum AttrCol<'a> {
    Bool(Bools<'a>),
    Num(Nums<'a>),
    Text(Strs<'a>),
}

/// A key's column position before it is looked up, and when the table has no such column.
const UNKNOWN: usize = usize::MAX;
const MISSING: usize = usize::MAX - 1;

/// How many keys a table remembers the column of (the encounter has about twenty, nested
/// ones included); a key numbered past this is looked up by name every time.
const REMEMBERED: usize = 32;

/// The columns of a batch, or the fields of a struct column, for the shared reader.
struct Table<'a> {
    columns: Vec<(&'a str, &'a dyn Array, OnceCell<Col<'a>>)>,
    /// The column position of each key, by [`Key::slot`], found on first use.
    positions: [Cell<usize>; REMEMBERED],
}

impl<'a> Table<'a> {
    fn new(columns: impl Iterator<Item = (&'a str, &'a dyn Array)>) -> Table<'a> {
        Table {
            columns: columns
                .map(|(name, array)| (name, array, OnceCell::new()))
                .collect(),
            positions: std::array::from_fn(|_| Cell::new(UNKNOWN)),
        }
    }

    fn of_batch(batch: &'a RecordBatch) -> Table<'a> {
        Table::new(
            batch
                .schema_ref()
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| (f.name().as_str(), c.as_ref())),
        )
    }

    fn of_struct(array: &'a StructArray) -> Table<'a> {
        Table::new(
            array
                .fields()
                .iter()
                .zip(array.columns())
                .map(|(f, c)| (f.name().as_str(), c.as_ref())),
        )
    }

    /// The position of `key`'s column, if the table has one.
    #[inline]
    fn position(&self, key: &Key) -> Option<usize> {
        let find = || {
            self.columns
                .iter()
                .position(|(name, _, _)| *name == key.name())
                .unwrap_or(MISSING)
        };
        let position = match self.positions.get(key.slot()) {
            Some(cell) if cell.get() != UNKNOWN => cell.get(),
            Some(cell) => {
                cell.set(find());
                cell.get()
            }
            None => find(),
        };
        (position != MISSING).then_some(position)
    }
}

/// Reads row `i` of a table with the shared reader.
struct Row<'t, 'a> {
    table: &'t Table<'a>,
    i: usize,
    seen: usize,
}

impl<'t, 'a> Row<'t, 'a> {
    /// The column of `key` (counted as seen), read the way `build` makes of it on first use.
    fn col(
        &mut self,
        key: &'static Key,
        build: impl FnOnce(&'a dyn Array) -> Option<Col<'a>>,
    ) -> Option<&'t Col<'a>> {
        let table: &'t Table<'a> = self.table;
        let (_, array, col) = table.columns.get(table.position(key)?)?;
        self.seen += 1;
        Some(col.get_or_init(|| {
            if array.data_type() == &DataType::Null {
                Col::Null
            } else {
                build(*array).unwrap_or(Col::Unreadable)
            }
        }))
    }
}

fn object_col(array: &dyn Array) -> Option<Col<'_>> {
    let s = array.as_struct_opt()?;
    Some(Col::Object(s, Table::of_struct(s)))
}

fn objects_col(array: &dyn Array) -> Option<Col<'_>> {
    let list = Lists::new(array)?;
    let items = list.child.as_ref().as_struct_opt()?;
    Some(Col::Objects(list, items, Table::of_struct(items)))
}

fn attributes_col<'a>(array: &'a dyn Array, int_attributes: &[String]) -> Option<Col<'a>> {
    let s = array.as_struct_opt()?;
    let mut fields = Vec::new();
    for (f, c) in s.fields().iter().zip(s.columns()) {
        let c: &dyn Array = c.as_ref();
        let attr = match c.data_type() {
            DataType::Boolean => AttrCol::Bool(Bools::new(c)?),
            DataType::Null => continue,
            t if t.is_numeric() => AttrCol::Num(Nums::new(c)?),
            _ => AttrCol::Text(Strs::new(c)?),
        };
        let int = int_attributes.iter().any(|a| a == f.name());
        fields.push((f.name().as_str(), attr, int));
    }
    Some(Col::Attributes(s, fields))
}

impl Input for Row<'_, '_> {
    fn text(&mut self, key: &'static Key) -> Got<String> {
        match self.col(key, |a| Strs::new(a).map(Col::Text)) {
            None | Some(Col::Null) => Ok(None),
            Some(Col::Text(s)) => Ok(s.get(self.i).map(str::to_string)),
            Some(_) => Err(Slow),
        }
    }
    fn time(&mut self, key: &'static Key) -> Got<DateTime<FixedOffset>> {
        match self.col(key, |a| Times::new(a).map(Col::Time)) {
            None | Some(Col::Null) => Ok(None),
            Some(Col::Time(t)) => t.get(self.i).transpose().map_err(|()| Slow),
            Some(_) => Err(Slow),
        }
    }
    fn boolean(&mut self, key: &'static Key) -> Got<bool> {
        match self.col(key, |a| Bools::new(a).map(Col::Bool)) {
            None | Some(Col::Null) => Ok(None),
            Some(Col::Bool(b)) => Ok(b.get(self.i)),
            Some(_) => Err(Slow),
        }
    }
    fn whole(&mut self, key: &'static Key) -> Got<i64> {
        match self.col(key, |a| Nums::new(a).map(Col::Num)) {
            None | Some(Col::Null) => Ok(None),
            Some(Col::Num(n)) => n.get(self.i).map(|n| n.whole().ok_or(Slow)).transpose(),
            Some(_) => Err(Slow),
        }
    }
    fn number(&mut self, key: &'static Key) -> Got<f64> {
        match self.col(key, |a| Nums::new(a).map(Col::Num)) {
            None | Some(Col::Null) => Ok(None),
            Some(Col::Num(n)) => Ok(n.get(self.i).map(Num::float)),
            Some(_) => Err(Slow),
        }
    }
    fn word<W: Word>(&mut self, key: &'static Key) -> Got<W> {
        match self.col(key, |a| Strs::new(a).map(Col::Text)) {
            None | Some(Col::Null) => Ok(None),
            Some(Col::Text(s)) => s.get(self.i).map(|w| W::parse(w).ok_or(Slow)).transpose(),
            Some(_) => Err(Slow),
        }
    }
    fn words<W: Word>(&mut self, key: &'static Key) -> Got<Vec<W>> {
        match self.col(key, |a| StrLists::new(a).map(Col::Words)) {
            None | Some(Col::Null) => Ok(None),
            Some(Col::Words(w)) => w.parse(self.i, W::parse).map(Some).map_err(|()| Slow),
            Some(_) => Err(Slow),
        }
    }
    fn object(&mut self, key: &'static Key) -> Got<Self> {
        let i = self.i;
        match self.col(key, object_col) {
            None | Some(Col::Null) => Ok(None),
            Some(Col::Object(array, table)) => {
                Ok((!array.is_null(i)).then_some(Row { table, i, seen: 0 }))
            }
            Some(_) => Err(Slow),
        }
    }
    fn objects(&mut self, key: &'static Key) -> Got<Vec<Self>> {
        let i = self.i;
        match self.col(key, objects_col) {
            None | Some(Col::Null) => Ok(None),
            // A null list is a list not recorded (a history not checked), not an empty one.
            Some(Col::Objects(list, ..)) if list.array.is_null(i) => Ok(None),
            Some(Col::Objects(list, items, table)) => list
                .range(i)
                .map(|j| {
                    if items.is_null(j) {
                        Err(Slow)
                    } else {
                        Ok(Row {
                            table,
                            i: j,
                            seen: 0,
                        })
                    }
                })
                .collect::<Result<_, _>>()
                .map(Some),
            Some(_) => Err(Slow),
        }
    }
    fn attributes(
        &mut self,
        key: &'static Key,
        int_attributes: &[String],
    ) -> Got<BTreeMap<String, AttributeValue>> {
        let i = self.i;
        let (array, fields) = match self.col(key, |a| attributes_col(a, int_attributes)) {
            None | Some(Col::Null) => return Ok(None),
            Some(Col::Attributes(array, fields)) => (array, fields),
            Some(_) => return Err(Slow),
        };
        if array.is_null(i) {
            return Ok(None);
        }
        let mut attributes = BTreeMap::new();
        for (name, col, int) in fields {
            let value = match col {
                AttrCol::Bool(c) => c.get(i).map(AttributeValue::Bool),
                AttrCol::Text(c) => c.get(i).map(|s| AttributeValue::Text(s.to_string())),
                AttrCol::Num(c) => match c.get(i) {
                    None => None,
                    Some(Num::I(v)) => Some(AttributeValue::Int(v)),
                    Some(Num::U(v)) => {
                        Some(AttributeValue::Int(i64::try_from(v).map_err(|_| Slow)?))
                    }
                    Some(n @ Num::F(f)) => Some(match (int, n.whole()) {
                        (true, Some(v)) => AttributeValue::Int(v),
                        _ if f.is_finite() => AttributeValue::Number(f),
                        _ => return Err(Slow),
                    }),
                },
            };
            if let Some(v) = value {
                attributes.insert((*name).to_string(), v);
            }
        }
        Ok(Some(attributes))
    }
    fn finish(&self) -> Result<(), Slow> {
        if self.seen == self.table.columns.len() {
            Ok(())
        } else {
            Err(Slow)
        }
    }
}

// ------------------------------------------------------------------------------------------
// The slow path: a row as a JSON value.

/// A cell that has no JSON form: the field path and why.
struct CellError {
    field: String,
    message: String,
}

fn cell_value(array: &dyn Array, i: usize, path: &str) -> Result<Json, CellError> {
    if array.is_null(i) {
        return Ok(Json::Null);
    }
    let unsupported = |what: &str| CellError {
        field: path.to_string(),
        message: what.to_string(),
    };
    macro_rules! int {
        ($t:ty) => {
            Json::Number(Number::from(array.as_primitive::<$t>().value(i)))
        };
    }
    Ok(match array.data_type() {
        DataType::Null => Json::Null,
        DataType::Boolean => Json::Bool(array.as_boolean().value(i)),
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float32 | DataType::Float64 => {
            let f = match array.data_type() {
                DataType::Float32 => f64::from(array.as_primitive::<Float32Type>().value(i)),
                _ => array.as_primitive::<Float64Type>().value(i),
            };
            if f.is_nan() {
                Json::Null
            } else {
                Number::from_f64(f)
                    .map(Json::Number)
                    .ok_or_else(|| unsupported("a number that is not finite"))?
            }
        }
        DataType::Utf8 => Json::String(array.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Json::String(array.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Json::String(array.as_string_view().value(i).to_string()),
        DataType::Dictionary(_, _) => {
            // The one key of this cell (normalising the whole column's keys for every cell
            // would make a table's slow rows cost rows x rows).
            let one = array.slice(i, 1);
            let dict = one.as_any_dictionary();
            let k = dict
                .normalized_keys()
                .first()
                .copied()
                .ok_or_else(|| unsupported("a dictionary key out of range"))?;
            cell_value(dict.values().as_ref(), k, path)?
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let list =
                Lists::new(array).ok_or_else(|| unsupported("a list that cannot be read"))?;
            let mut items = Vec::new();
            for (n, j) in list.range(i).enumerate() {
                items.push(cell_value(list.child.as_ref(), j, &format!("{path}[{n}]"))?);
            }
            Json::Array(items)
        }
        DataType::FixedSizeList(_, size) => {
            let l = array.as_fixed_size_list();
            let size = usize::try_from(*size).unwrap_or(0);
            let mut items = Vec::new();
            for n in 0..size {
                items.push(cell_value(
                    l.values().as_ref(),
                    i * size + n,
                    &format!("{path}[{n}]"),
                )?);
            }
            Json::Array(items)
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let mut map = Vec::new();
            for (f, col) in fields.iter().zip(s.columns()) {
                let sub = format!("{path}.{}", safe(f.name()));
                let v = cell_value(col.as_ref(), i, &sub)?;
                if !v.is_null() {
                    map.push((f.name().clone(), v));
                }
            }
            Json::Object(map)
        }
        DataType::Map(_, _) => {
            let m = array.as_map();
            let offsets = m.value_offsets();
            let (a, b) = (
                offsets.get(i).map(|v| *v as usize).unwrap_or(0),
                offsets.get(i + 1).map(|v| *v as usize).unwrap_or(0),
            );
            let mut map = Vec::new();
            for j in a..b.max(a) {
                let key = match cell_value(m.keys().as_ref(), j, path)? {
                    Json::String(k) => k,
                    _ => return Err(unsupported("a map whose keys are not text")),
                };
                let sub = format!("{path}.{}", safe(&key));
                let v = cell_value(m.values().as_ref(), j, &sub)?;
                if !v.is_null() {
                    map.push((key, v));
                }
            }
            Json::Object(map)
        }
        DataType::Timestamp(unit, Some(tz)) => {
            let tz: Tz = tz
                .parse()
                .map_err(|_| unsupported("a timestamp with an unknown time zone"))?;
            let v = stamp_values(array, *unit)
                .and_then(|vals| vals.get(i).copied())
                .ok_or_else(|| unsupported("a timestamp that cannot be read"))?;
            let t = stamp_to_datetime(v, *unit, &tz)
                .ok_or_else(|| unsupported("a timestamp out of range"))?;
            Json::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, false))
        }
        DataType::Timestamp(_, None) => {
            return Err(unsupported(
                "a timestamp without a time zone; give the column a time zone (an encounter's time carries its UTC offset)",
            ));
        }
        DataType::Date32 | DataType::Date64 => {
            let d = match array.data_type() {
                DataType::Date32 => array
                    .as_primitive::<arrow_array::types::Date32Type>()
                    .value_as_date(i),
                _ => array
                    .as_primitive::<arrow_array::types::Date64Type>()
                    .value_as_date(i),
            };
            Json::String(d.map(|d| d.to_string()).unwrap_or_default())
        }
        other => {
            let name: String = format!("{other}").chars().take(40).collect();
            return Err(unsupported(&format!(
                "a column of Arrow type {name}, which offramp does not read"
            )));
        }
    })
}

/// A field name as it may appear in an error: schema words only.
fn safe(name: &str) -> &str {
    if offramp::domain::schema_like(name) {
        name
    } else {
        "?"
    }
}

/// Row `i` of a batch through the core's JSON reader.
fn slow_row(
    batch: &RecordBatch,
    i: usize,
    int_attributes: &[String],
) -> Result<Encounter, EncounterError> {
    let mut map = Vec::new();
    for (field, col) in batch.schema_ref().fields().iter().zip(batch.columns()) {
        let name = field.name();
        let v = cell_value(col.as_ref(), i, safe(name)).map_err(|e| EncounterError::Invalid {
            field: e.field,
            message: e.message,
            position: None,
        })?;
        if !v.is_null() {
            map.push((name.clone(), v));
        }
    }
    crate::convert::read_encounter(Json::Object(map), int_attributes)
}

/// Reads row `i` of a batch: through the fast path, else through the core's JSON reader.
fn decode_row(
    table: &Table<'_>,
    batch: &RecordBatch,
    i: usize,
    int_attributes: &[String],
) -> Result<Encounter, EncounterError> {
    let mut row = Row { table, i, seen: 0 };
    match read_encounter(&mut row, int_attributes) {
        Ok(enc) => Ok(enc),
        Err(Slow) => slow_row(batch, i, int_attributes),
    }
}

/// Reads rows `range` of a batch. On failure, the first bad row's index within the batch and
/// the core's error for it.
pub(crate) fn decode(
    batch: &RecordBatch,
    range: Range<usize>,
    int_attributes: &[String],
) -> Result<Vec<Encounter>, (usize, EncounterError)> {
    let table = Table::of_batch(batch);
    range
        .map(|i| decode_row(&table, batch, i, int_attributes).map_err(|e| (i, e)))
        .collect()
}

/// Reads rows `range` of a batch each on its own: a bad row gives its error and every other
/// row is read.
pub(crate) fn decode_each(
    batch: &RecordBatch,
    range: Range<usize>,
    int_attributes: &[String],
) -> Vec<Result<Encounter, EncounterError>> {
    let table = Table::of_batch(batch);
    range
        .map(|i| decode_row(&table, batch, i, int_attributes))
        .collect()
}

/// The first column name a schema (or a struct column inside it) holds twice: a table with
/// two columns of one name cannot say which is meant, so it is refused rather than read
/// with one of them silently winning.
pub(crate) fn duplicate_column(schema: &arrow_schema::Schema) -> Option<String> {
    fn walk(fields: &arrow_schema::Fields, prefix: &str) -> Option<String> {
        let mut seen = std::collections::HashSet::new();
        for f in fields {
            let path = if prefix.is_empty() {
                safe(f.name()).to_string()
            } else {
                format!("{prefix}.{}", safe(f.name()))
            };
            if !seen.insert(f.name().as_str()) {
                return Some(path);
            }
            let inner = match f.data_type() {
                DataType::Struct(children) => Some(children),
                DataType::List(item) | DataType::LargeList(item) => match item.data_type() {
                    DataType::Struct(children) => Some(children),
                    _ => None,
                },
                _ => None,
            };
            if let Some(found) = inner.and_then(|children| walk(children, &path)) {
                return Some(found);
            }
        }
        None
    }
    walk(schema.fields(), "")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{Float64Array, Int64Array, ListArray, StringArray};
    use arrow_buffer::OffsetBuffer;
    use arrow_schema::{Field, Fields};

    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn strings(values: &[&str]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    fn structs(fields: Vec<(&str, ArrayRef)>) -> StructArray {
        StructArray::from(
            fields
                .into_iter()
                .map(|(name, a)| (Arc::new(Field::new(name, a.data_type().clone(), true)), a))
                .collect::<Vec<_>>(),
        )
    }

    /// One row with every field, as typed columns.
    fn full_batch() -> Result<RecordBatch, arrow_schema::ArrowError> {
        let mut needs = ListBuilder::new(StringBuilder::new());
        needs.values().append_value("sud");
        needs.values().append_value("homelessness");
        needs.append(true);
        let mut flags = ListBuilder::new(StringBuilder::new());
        flags.values().append_value("weapon");
        flags.append(true);
        let offense = structs(vec![
            ("nibrs", strings(&["35A"])),
            ("level", strings(&["misdemeanor"])),
            ("violent", Arc::new(BooleanArray::from(vec![false]))),
        ]);
        let offenses = ListArray::new(
            Arc::new(Field::new("item", offense.data_type().clone(), true)),
            OffsetBuffer::from_lengths([1]),
            Arc::new(offense),
            None,
        );
        let event = structs(vec![
            ("kind", strings(&["conviction"])),
            ("date", strings(&["2019-05-01"])),
            ("nibrs", strings(&["13B"])),
            ("level", strings(&["misdemeanor"])),
        ]);
        let history = ListArray::new(
            Arc::new(Field::new("item", event.data_type().clone(), true)),
            OffsetBuffer::from_lengths([1]),
            Arc::new(event),
            None,
        );
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("id", strings(&["e-full"])),
            ("at", strings(&["2026-03-02T14:05:00-08:00"])),
            ("responder", strings(&["law_enforcement"])),
            ("source", strings(&["call_for_service"])),
            ("needs", Arc::new(needs.finish())),
            (
                "overdose",
                Arc::new(structs(vec![
                    ("at", strings(&["2026-03-01T10:00:00-08:00"])),
                    ("naloxone", Arc::new(BooleanArray::from(vec![true]))),
                ])),
            ),
            ("offenses", Arc::new(offenses)),
            ("flags", Arc::new(flags.finish())),
            ("age", Arc::new(Float64Array::from(vec![34.0]))),
            ("language", strings(&["spa"])),
            ("consent", strings(&["verbal"])),
            ("willing", strings(&["yes"])),
            ("history", Arc::new(history)),
            (
                "location",
                Arc::new(structs(vec![
                    ("lat", Arc::new(Float64Array::from(vec![47.6]))),
                    ("lon", Arc::new(Float64Array::from(vec![-122.3]))),
                ])),
            ),
            ("intercept", Arc::new(Int64Array::from(vec![1]))),
            (
                "attributes",
                Arc::new(structs(vec![
                    ("priors", Arc::new(Float64Array::from(vec![2.0]))),
                    ("unit", strings(&["north"])),
                ])),
            ),
        ];
        let fields: Fields = columns
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect();
        let arrays = columns.into_iter().map(|(_, a)| a).collect();
        RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), arrays)
    }

    #[test]
    fn a_row_with_every_field_is_read_on_the_fast_path_as_the_core_reads_it() -> TestResult {
        let batch = full_batch()?;
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, crate::reader::field_names());
        let ints = vec!["priors".to_string()];
        let table = Table::of_batch(&batch);
        let mut row = Row {
            table: &table,
            i: 0,
            seen: 0,
        };
        let fast =
            read_encounter(&mut row, &ints).map_err(|Slow| "the fast path refused the row")?;
        let core = Encounter::from_json(
            r#"{"id":"e-full","at":"2026-03-02T14:05:00-08:00","responder":"law_enforcement",
            "source":"call_for_service","needs":["sud","homelessness"],
            "overdose":{"at":"2026-03-01T10:00:00-08:00","naloxone":true},
            "offenses":[{"nibrs":"35A","level":"misdemeanor","violent":false}],
            "flags":["weapon"],"age":34,"language":"spa","consent":"verbal","willing":"yes",
            "history":[{"kind":"conviction","date":"2019-05-01","nibrs":"13B","level":"misdemeanor"}],
            "location":{"lat":47.6,"lon":-122.3},"intercept":1,
            "attributes":{"priors":2,"unit":"north"}}"#,
        )?;
        assert_eq!(fast, core);
        assert_eq!(
            decode(&batch, 0..1, &ints).map_err(|(i, _)| i),
            Ok(vec![core])
        );
        Ok(())
    }

    #[test]
    fn an_unknown_column_leaves_the_row_to_the_core() -> TestResult {
        let batch = full_batch()?;
        let mut fields: Vec<Field> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields.push(Field::new("respondr", DataType::Utf8, true));
        let mut columns = batch.columns().to_vec();
        columns.push(strings(&["fire"]));
        let batch = RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), columns)?;
        let table = Table::of_batch(&batch);
        let mut row = Row {
            table: &table,
            i: 0,
            seen: 0,
        };
        assert_eq!(read_encounter(&mut row, &[]), Err(Slow));
        let Err((row, e)) = decode(&batch, 0..1, &[]) else {
            return Err("the core accepted a row with an unknown column".into());
        };
        assert_eq!((row, e.field()), (0, "respondr"));
        Ok(())
    }
}
