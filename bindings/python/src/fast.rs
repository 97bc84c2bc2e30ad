//! The quick way from a Python dict to an [`Encounter`], for `Router.route`: the shared
//! [`read_encounter`] over a dict.
//!
//! It reads the common shapes directly (text, ints, bools, lists and dicts, with enum words
//! looked up without copying them) and gives up at anything else: an unknown key, a datetime
//! object, an alias, a bad value. The caller then takes the general path through the core's
//! JSON reader, which accepts or refuses with the core's own message.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use offramp::{AttributeValue, Encounter};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};

use crate::reader::{Got, Input, Key, Slow, Word, read_encounter};

fn text(obj: &Bound<'_, PyAny>) -> Result<String, Slow> {
    obj.cast::<PyString>()
        .map_err(|_| Slow)?
        .to_cow()
        .map(|c| c.into_owned())
        .map_err(|_| Slow)
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

/// Whether a value means "not recorded" (None, or a NaN).
fn absent(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_none() || obj.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan())
}

/// An [`Input`] over a Python dict.
pub(crate) struct DictInput<'py> {
    dict: Bound<'py, PyDict>,
    seen: usize,
}

impl<'py> DictInput<'py> {
    /// Reads the keys of `dict`.
    pub(crate) fn new(dict: &Bound<'py, PyDict>) -> Self {
        DictInput {
            dict: dict.clone(),
            seen: 0,
        }
    }

    /// The value under `key`, or None when it is absent; counts the keys seen.
    fn get(&mut self, key: &'static Key) -> Got<Bound<'py, PyAny>> {
        let py = self.dict.py();
        match self.dict.get_item(key.py(py)).map_err(|_| Slow)? {
            None => Ok(None),
            Some(v) => {
                self.seen += 1;
                Ok((!absent(&v)).then_some(v))
            }
        }
    }

    fn read<T>(
        &mut self,
        key: &'static Key,
        read: impl FnOnce(&Bound<'py, PyAny>) -> Option<T>,
    ) -> Got<T> {
        match self.get(key)? {
            Some(v) => read(&v).map(Some).ok_or(Slow),
            None => Ok(None),
        }
    }
}

fn dict<'py>(obj: &Bound<'py, PyAny>) -> Option<DictInput<'py>> {
    obj.cast::<PyDict>().ok().map(DictInput::new)
}

impl<'py> Input for DictInput<'py> {
    fn text(&mut self, key: &'static Key) -> Got<String> {
        self.read(key, |v| text(v).ok())
    }
    fn time(&mut self, key: &'static Key) -> Got<DateTime<FixedOffset>> {
        self.read(key, |v| {
            crate::convert::parse_time(&v.cast::<PyString>().ok()?.to_cow().ok()?)
        })
    }
    fn boolean(&mut self, key: &'static Key) -> Got<bool> {
        self.read(key, |v| v.cast::<PyBool>().ok().map(|b| b.is_true()))
    }
    fn whole(&mut self, key: &'static Key) -> Got<i64> {
        self.read(key, whole)
    }
    fn number(&mut self, key: &'static Key) -> Got<f64> {
        self.read(key, number)
    }
    fn word<W: Word>(&mut self, key: &'static Key) -> Got<W> {
        self.read(key, W::from_py)
    }
    fn words<W: Word>(&mut self, key: &'static Key) -> Got<Vec<W>> {
        self.read(key, |v| {
            let list = v.cast::<PyList>().ok()?;
            list.iter().map(|item| W::from_py(&item)).collect()
        })
    }
    fn object(&mut self, key: &'static Key) -> Got<Self> {
        self.read(key, dict)
    }
    fn objects(&mut self, key: &'static Key) -> Got<Vec<Self>> {
        self.read(key, |v| {
            let list = v.cast::<PyList>().ok()?;
            list.iter().map(|item| dict(&item)).collect()
        })
    }
    fn attributes(
        &mut self,
        key: &'static Key,
        int_attributes: &[String],
    ) -> Got<BTreeMap<String, AttributeValue>> {
        self.read(key, |v| attributes(v, int_attributes).ok())
    }
    fn finish(&self) -> Result<(), Slow> {
        if self.seen == self.dict.len() {
            Ok(())
        } else {
            Err(Slow)
        }
    }
}

fn attributes(
    obj: &Bound<'_, PyAny>,
    int_attributes: &[String],
) -> Result<BTreeMap<String, AttributeValue>, Slow> {
    let d = obj.cast::<PyDict>().map_err(|_| Slow)?;
    let mut out = BTreeMap::new();
    for (k, v) in d.iter() {
        if absent(&v) {
            continue;
        }
        let key = text(&k)?;
        let value = if let Ok(b) = v.cast::<PyBool>() {
            AttributeValue::Bool(b.is_true())
        } else if v.is_instance_of::<PyInt>() {
            AttributeValue::Int(v.extract::<i64>().map_err(|_| Slow)?)
        } else if let Ok(f) = v.cast::<PyFloat>() {
            let x = f.value();
            match whole(&v) {
                Some(i) if int_attributes.contains(&key) => AttributeValue::Int(i),
                _ if x.is_finite() => AttributeValue::Number(x),
                _ => return Err(Slow),
            }
        } else {
            AttributeValue::Text(text(&v)?)
        };
        out.insert(key, value);
    }
    Ok(out)
}

/// The encounter in `d`, when it has the common shape and is valid; None otherwise.
pub(crate) fn encounter(d: &Bound<'_, PyDict>, int_attributes: &[String]) -> Option<Encounter> {
    read_encounter(&mut DictInput::new(d), int_attributes).ok()
}
