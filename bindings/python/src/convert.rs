//! Conversions between Python objects and the JSON values the core reads and writes.
//!
//! An encounter given as a dict goes through the core's own JSON reader
//! ([`offramp::Encounter::from_value`]), so a dict and a line of JSON are refused or accepted
//! alike, with the same field names in errors. The edge adds only what Python data needs:
//! `None` and NaN mean "not recorded", aware datetimes are written as RFC 3339, enum members as
//! their values, and a whole-number float is read as an integer where one is expected (pandas
//! stores integer columns with gaps as floats).

use chrono::{DateTime, FixedOffset};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString,
    PyTuple, PyType,
};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;

/// Nesting deeper than this is refused (an encounter is at most four levels deep).
const MAX_DEPTH: usize = 32;

/// A JSON value that keeps object keys in the order they came in (serde_json's `Value` sorts
/// them), so that a dict, read as the JSON line it stands for, gives the same first error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(t) => s.serialize_str(t),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl Json {
    fn from_i64(n: i64) -> Json {
        Json::Number(Number::from(n))
    }

    /// The value as JSON text.
    pub(crate) fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Object(pairs) => pairs.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A Python value that has no JSON form, with where it was.
#[derive(Debug, Clone)]
pub(crate) struct ConvError {
    /// The field path, `offenses[0].nibrs` style.
    pub field: String,
    /// What was wrong; never the value itself.
    pub message: String,
}

#[derive(Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn render(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(if offramp::domain::schema_like(k) {
                    k
                } else {
                    "?"
                });
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() { ".".into() } else { out }
}

struct Conv<'a, 'py> {
    path: Vec<Seg>,
    enum_type: Option<&'a Bound<'py, PyAny>>,
    mapping_type: Option<&'a Bound<'py, PyAny>>,
}

impl<'py> Conv<'_, 'py> {
    fn err(&self, message: impl Into<String>) -> ConvError {
        ConvError {
            field: render(&self.path),
            message: message.into(),
        }
    }

    /// Whether a value means "not recorded" where it is the value of a key.
    fn absent(obj: &Bound<'py, PyAny>) -> bool {
        if obj.is_none() {
            return true;
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            return f.value().is_nan();
        }
        false
    }

    fn value(&mut self, obj: &Bound<'py, PyAny>, depth: usize) -> Result<Json, ConvError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        if obj.is_none() {
            return Ok(Json::Null);
        }
        if obj.is_instance_of::<PyBool>() {
            return Ok(Json::Bool(obj.is_truthy().unwrap_or(false)));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return match s.to_cow() {
                Ok(text) => Ok(Json::String(text.to_string())),
                Err(_) => Err(self.err("text that is not valid Unicode")),
            };
        }
        if obj.is_instance_of::<PyInt>() {
            if let Ok(n) = obj.extract::<i64>() {
                return Ok(Json::from_i64(n));
            }
            if let Ok(n) = obj.extract::<u64>() {
                return Ok(Json::Number(Number::from(n)));
            }
            return Err(self.err("an integer too large to read"));
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            let x = f.value();
            if x.is_nan() {
                return Ok(Json::Null);
            }
            return Number::from_f64(x)
                .map(Json::Number)
                .ok_or_else(|| self.err("a number that is not finite"));
        }
        if let Ok(d) = obj.cast::<PyDict>() {
            // A snapshot of the items: converting a value may run Python code.
            let items: Vec<_> = d.iter().collect();
            return self.object(items.into_iter(), depth);
        }
        if let Ok(l) = obj.cast::<PyList>() {
            return self.array(l.iter(), depth);
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            return self.array(t.iter(), depth);
        }
        if obj.is_instance_of::<PyDateTime>() {
            let offset = obj
                .call_method0("utcoffset")
                .map_err(|_| self.err("a datetime that cannot be read"))?;
            if offset.is_none() {
                return Err(self.err(
                    "a datetime without a time zone; give it a tzinfo (an encounter's time carries its UTC offset)",
                ));
            }
            return obj
                .call_method0("isoformat")
                .and_then(|s| s.extract::<String>())
                .map(Json::String)
                .map_err(|_| self.err("a datetime that cannot be read"));
        }
        if obj.is_instance_of::<PyDate>() {
            return obj
                .call_method0("isoformat")
                .and_then(|s| s.extract::<String>())
                .map(Json::String)
                .map_err(|_| self.err("a date that cannot be read"));
        }
        if let Some(enum_type) = self.enum_type
            && obj.is_instance(enum_type).unwrap_or(false)
        {
            let inner = obj
                .getattr("value")
                .map_err(|_| self.err("an enum member without a value"))?;
            return self.value(&inner, depth + 1);
        }
        if obj.is_instance_of::<PySet>() || obj.is_instance_of::<PyFrozenSet>() {
            let iter = obj
                .try_iter()
                .map_err(|_| self.err("a set that cannot be read"))?;
            let mut items = Vec::new();
            for (i, item) in iter.enumerate() {
                let item = item.map_err(|_| self.err("a set that cannot be read"))?;
                self.path.push(Seg::Index(i));
                let v = self.value(&item, depth + 1);
                self.path.pop();
                items.push(v?);
            }
            // A set has no order; give it one so that equal sets give equal encounters.
            items.sort_by_key(Json::text);
            return Ok(Json::Array(items));
        }
        if let Some(mapping_type) = self.mapping_type
            && obj.is_instance(mapping_type).unwrap_or(false)
        {
            let items = obj
                .call_method0("items")
                .and_then(|items| items.try_iter())
                .map_err(|_| self.err("a mapping that cannot be read"))?;
            let mut pairs = Vec::new();
            for pair in items {
                let pair = pair.map_err(|_| self.err("a mapping that cannot be read"))?;
                let (k, v): (Bound<'py, PyAny>, Bound<'py, PyAny>) = pair
                    .extract()
                    .map_err(|_| self.err("a mapping that cannot be read"))?;
                pairs.push((k, v));
            }
            return self.object(pairs.into_iter(), depth);
        }
        // numpy integers and other objects with __index__.
        if obj.hasattr("__index__").unwrap_or(false)
            && let Ok(n) = obj.extract::<i64>()
        {
            return Ok(Json::from_i64(n));
        }
        let type_name = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "object".into());
        let type_name: String = type_name.chars().take(40).collect();
        Err(self.err(format!(
            "a value of type `{type_name}`, which has no JSON form"
        )))
    }

    fn object(
        &mut self,
        items: impl Iterator<Item = (Bound<'py, PyAny>, Bound<'py, PyAny>)>,
        depth: usize,
    ) -> Result<Json, ConvError> {
        let mut map = Vec::new();
        for (k, v) in items {
            let key = match k.cast::<PyString>().ok().and_then(|s| s.to_cow().ok()) {
                Some(key) => key.to_string(),
                None => return Err(self.err("a key that is not text (keys must be strings)")),
            };
            if Self::absent(&v) {
                continue;
            }
            self.path.push(Seg::Key(key.clone()));
            let value = self.value(&v, depth + 1);
            self.path.pop();
            map.push((key, value?));
        }
        Ok(Json::Object(map))
    }

    fn array(
        &mut self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
        depth: usize,
    ) -> Result<Json, ConvError> {
        let mut out = Vec::new();
        for (i, item) in items.enumerate() {
            self.path.push(Seg::Index(i));
            let v = self.value(&item, depth + 1);
            self.path.pop();
            out.push(v?);
        }
        Ok(Json::Array(out))
    }
}

/// The JSON value of a Python object (dicts, lists, text, numbers, booleans, aware datetimes,
/// enum members). Keys whose value is `None` or NaN are left out.
pub(crate) fn to_json(obj: &Bound<'_, PyAny>) -> Result<Json, ConvError> {
    static ENUM: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static MAPPING: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let py = obj.py();
    let enum_type = ENUM.import(py, "enum", "Enum").ok().map(|t| t.as_any());
    let mapping_type = MAPPING
        .import(py, "collections.abc", "Mapping")
        .ok()
        .map(|t| t.as_any());
    let mut conv = Conv {
        path: Vec::new(),
        enum_type,
        mapping_type,
    };
    conv.value(obj, 0)
}

/// Reads a whole-number float as an integer (pandas keeps integers with gaps as floats).
fn whole(v: &mut Json) {
    if let Json::Number(n) = v
        && !n.is_i64()
        && !n.is_u64()
        && let Some(f) = n.as_f64()
        && f.fract() == 0.0
        && f.abs() < 9.0e15
    {
        *v = Json::from_i64(f as i64);
    }
}

/// Reads an encounter from the JSON value a Python caller's data stands for: through the
/// shared quick reader, or, when it gives up, through the core's JSON reader after the Python
/// adjustments. A position in that text would mean nothing to the caller, so the error carries
/// none.
pub(crate) fn read_encounter(
    mut value: Json,
    int_attributes: &[String],
) -> Result<offramp::Encounter, offramp::EncounterError> {
    if let Some(mut input) = crate::reader::JsonInput::new(&value)
        && let Ok(encounter) = crate::reader::read_encounter(&mut input, int_attributes)
    {
        return Ok(encounter);
    }
    normalise_encounter(&mut value, int_attributes);
    offramp::Encounter::from_json(&value.text()).map_err(|e| match e {
        offramp::EncounterError::Invalid { field, message, .. } => {
            offramp::EncounterError::Invalid {
                field,
                message,
                position: None,
            }
        }
        other => other,
    })
}

/// Adjusts an encounter object for Python data before the core reads it: whole-number floats
/// become integers in the fields the shared reader reads as whole numbers (`age`,
/// `intercept`) and in the attributes named in `int_attributes`.
pub(crate) fn normalise_encounter(value: &mut Json, int_attributes: &[String]) {
    use crate::reader::Kind;
    for (key, kind) in crate::reader::fields() {
        let Some(v) = value.get_mut(key) else {
            continue;
        };
        match kind {
            Kind::Whole => whole(v),
            Kind::Attributes => {
                for name in int_attributes {
                    if let Some(a) = v.get_mut(name) {
                        whole(a);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Python objects (dicts, lists, str, int, float, bool, None) for JSON text, keys in order.
pub(crate) fn json_text_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let loads = LOADS.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("json")?.getattr("loads")?.unbind())
    })?;
    loads.bind(py).call1((text,))
}

/// A serialisable core value as Python objects, through its JSON form (so dict keys come in
/// the order of the JSON the core writes).
pub(crate) fn serde_to_py<'py, T: serde::Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    match serde_json::to_string(value) {
        Ok(text) => json_text_to_py(py, &text),
        Err(e) => Err(crate::errors::offramp_error(py, e.to_string())),
    }
}

/// A moment from an aware `datetime` or RFC 3339 text.
pub(crate) fn datetime_from_py(obj: &Bound<'_, PyAny>) -> Result<DateTime<FixedOffset>, String> {
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s
            .to_cow()
            .map_err(|_| "text that is not valid Unicode".to_string())?;
        return DateTime::parse_from_rfc3339(&text)
            .map_err(|_| "not an RFC 3339 time with a UTC offset".to_string());
    }
    if obj.is_instance_of::<PyDateTime>() {
        let offset = obj
            .call_method0("utcoffset")
            .map_err(|_| "a datetime that cannot be read".to_string())?;
        if offset.is_none() {
            return Err("a datetime without a time zone; give it a tzinfo".into());
        }
        return obj
            .extract::<DateTime<FixedOffset>>()
            .map_err(|_| "a datetime that cannot be read".to_string());
    }
    Err("expected an aware datetime or RFC 3339 text".into())
}

/// Reads a time as the core's JSON reader does (chrono's `FromStr`), trying the quicker RFC 3339
/// reader first: for text both accept, they agree.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| text.parse::<DateTime<FixedOffset>>().ok())
}

/// A moment as an aware `datetime`; `OfframpError` for one Python cannot hold (after the year
/// 9999), whose text form (`to_json`) is still complete.
pub(crate) fn time_to_py<'py>(
    py: Python<'py>,
    t: &DateTime<FixedOffset>,
) -> PyResult<Bound<'py, PyAny>> {
    t.into_pyobject(py).map(|o| o.into_any()).map_err(|_| {
        crate::errors::offramp_error(
            py,
            format!(
                "the time {} is outside what a Python datetime can hold; read it from to_json()",
                t.to_rfc3339()
            ),
        )
    })
}

/// [`time_to_py`] for an optional moment (None when absent).
pub(crate) fn opt_time_to_py<'py>(
    py: Python<'py>,
    t: Option<&DateTime<FixedOffset>>,
) -> PyResult<Bound<'py, PyAny>> {
    match t {
        Some(t) => time_to_py(py, t),
        None => Ok(py.None().into_bound(py)),
    }
}
