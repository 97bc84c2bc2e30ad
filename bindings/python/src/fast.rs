//! The quick way from a Python dict to an [`Encounter`], for `Router.route`.
//!
//! It reads the common shapes directly (text, ints, bools, lists and dicts, with enum words
//! looked up without copying them) and gives up, returning None, at anything else: an unknown
//! key, a datetime object, an alias, a bad value. The caller then takes the general path
//! through the core's JSON reader, which accepts or refuses with the core's own message, so
//! the quick path changes how fast an answer comes, never what it is.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use offramp::{
    AttributeValue, Consent, Encounter, Flag, Intercept, Level, Location, Need, NibrsCode, Offense,
    Overdose, Responder, Source,
};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};

use crate::enums::{Vocabulary, lookup};

fn text(obj: &Bound<'_, PyAny>) -> Option<String> {
    obj.cast::<PyString>()
        .ok()?
        .to_cow()
        .ok()
        .map(|c| c.into_owned())
}

fn time(obj: &Bound<'_, PyAny>) -> Option<DateTime<FixedOffset>> {
    let s = obj.cast::<PyString>().ok()?.to_cow().ok()?;
    crate::convert::parse_time(&s)
}

fn boolean(obj: &Bound<'_, PyAny>) -> Option<bool> {
    let b = obj.cast::<PyBool>().ok()?;
    Some(b.is_true())
}

/// A whole number (a Python int, or a whole-number float).
fn whole(obj: &Bound<'_, PyAny>) -> Option<i64> {
    if obj.is_instance_of::<PyBool>() {
        return None;
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().ok();
    }
    let f = obj.cast::<PyFloat>().ok()?.value();
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

fn number(obj: &Bound<'_, PyAny>) -> Option<f64> {
    if obj.is_instance_of::<PyBool>() {
        return None;
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Some(f.value());
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().ok().map(|v| v as f64);
    }
    None
}

fn words<V: Vocabulary>(obj: &Bound<'_, PyAny>) -> Option<Vec<V>> {
    let list = obj.cast::<PyList>().ok()?;
    let mut out = Vec::with_capacity(list.len());
    for item in list.iter() {
        out.push(lookup::<V>(&item)?);
    }
    Some(out)
}

/// A NIBRS code, read as the core reads one (a code the core refuses goes the slow way, which
/// gives the error).
fn nibrs(obj: &Bound<'_, PyAny>) -> Option<NibrsCode> {
    NibrsCode::parse(&obj.cast::<PyString>().ok()?.to_cow().ok()?).ok()
}

/// Whether a value means "not recorded" (None, or a NaN).
fn absent(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_none() || obj.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan())
}

/// The value under `key`, or None when it is absent; counts the keys seen.
fn get<'py>(
    d: &Bound<'py, PyDict>,
    key: &Bound<'py, PyString>,
    seen: &mut usize,
) -> Option<Bound<'py, PyAny>> {
    let v = d.get_item(key).ok()??;
    *seen += 1;
    (!absent(&v)).then_some(v)
}

fn overdose(obj: &Bound<'_, PyAny>) -> Option<Overdose> {
    let py = obj.py();
    let d = obj.cast::<PyDict>().ok()?;
    let mut seen = 0;
    let at = time(&get(d, intern!(py, "at"), &mut seen)?)?;
    let naloxone = match get(d, intern!(py, "naloxone"), &mut seen) {
        Some(v) => boolean(&v)?,
        None => false,
    };
    (seen == d.len()).then_some(Overdose { at, naloxone })
}

fn offense(obj: &Bound<'_, PyAny>) -> Option<Offense> {
    let py = obj.py();
    let d = obj.cast::<PyDict>().ok()?;
    let mut seen = 0;
    let code = nibrs(&get(d, intern!(py, "nibrs"), &mut seen)?)?;
    let level = lookup::<Level>(&get(d, intern!(py, "level"), &mut seen)?)?;
    let violent = match get(d, intern!(py, "violent"), &mut seen) {
        Some(v) => boolean(&v)?,
        None => false,
    };
    (seen == d.len()).then_some(Offense {
        nibrs: code,
        level,
        violent,
    })
}

fn location(obj: &Bound<'_, PyAny>) -> Option<Location> {
    let py = obj.py();
    let d = obj.cast::<PyDict>().ok()?;
    let mut seen = 0;
    let lat = number(&get(d, intern!(py, "lat"), &mut seen)?)?;
    let lon = number(&get(d, intern!(py, "lon"), &mut seen)?)?;
    (seen == d.len()).then_some(Location { lat, lon })
}

fn attributes(
    obj: &Bound<'_, PyAny>,
    int_attributes: &[String],
) -> Option<BTreeMap<String, AttributeValue>> {
    let d = obj.cast::<PyDict>().ok()?;
    let mut out = BTreeMap::new();
    for (k, v) in d.iter() {
        if absent(&v) {
            continue;
        }
        let key = text(&k)?;
        let value = if let Ok(b) = v.cast::<PyBool>() {
            AttributeValue::Bool(b.is_true())
        } else if v.is_instance_of::<PyInt>() {
            AttributeValue::Int(v.extract::<i64>().ok()?)
        } else if let Ok(f) = v.cast::<PyFloat>() {
            let x = f.value();
            match whole(&v) {
                Some(i) if int_attributes.contains(&key) => AttributeValue::Int(i),
                _ if x.is_finite() => AttributeValue::Number(x),
                _ => return None,
            }
        } else {
            AttributeValue::Text(text(&v)?)
        };
        out.insert(key, value);
    }
    Some(out)
}

/// The encounter in `d`, when it has the common shape and is valid; None otherwise.
pub(crate) fn encounter(d: &Bound<'_, PyDict>, int_attributes: &[String]) -> Option<Encounter> {
    let py = d.py();
    let mut seen = 0;
    let id = text(&get(d, intern!(py, "id"), &mut seen)?)?;
    let at = time(&get(d, intern!(py, "at"), &mut seen)?)?;
    macro_rules! opt {
        ($key:literal, $read:expr) => {
            match get(d, intern!(py, $key), &mut seen) {
                Some(v) => Some($read(&v)?),
                None => None,
            }
        };
    }
    let responder = opt!("responder", lookup::<Responder>);
    let source = opt!("source", lookup::<Source>);
    let needs = opt!("needs", words::<Need>).unwrap_or_default();
    let overdose = opt!("overdose", overdose);
    let offenses = match get(d, intern!(py, "offenses"), &mut seen) {
        Some(v) => {
            let list = v.cast::<PyList>().ok()?;
            let mut out = Vec::with_capacity(list.len());
            for item in list.iter() {
                out.push(offense(&item)?);
            }
            out
        }
        None => Vec::new(),
    };
    let flags = opt!("flags", words::<Flag>).unwrap_or_default();
    let age = match opt!("age", whole) {
        Some(a) => Some(u16::try_from(a).ok()?),
        None => None,
    };
    let language = opt!("language", text);
    let consent = opt!("consent", lookup::<Consent>);
    let location = opt!("location", location);
    let intercept = match opt!("intercept", whole) {
        Some(i) => Some(Intercept::from_number(u8::try_from(i).ok()?)?),
        None => None,
    };
    let attributes = opt!("attributes", |v| attributes(v, int_attributes)).unwrap_or_default();
    if seen != d.len() {
        return None;
    }
    let enc = Encounter {
        id,
        at,
        responder,
        source,
        needs,
        overdose,
        offenses,
        flags,
        age,
        language,
        consent,
        location,
        intercept,
        attributes,
    };
    enc.validate().ok()?;
    Some(enc)
}
