//! The core's vocabularies as the Python enums of `offramp/_enums.py`.
//!
//! The Python classes are written out in Python (so that type checkers and readers see them),
//! and this module maps each core value to its member by the core's own name for it: the
//! members are looked up once, by value, and a mismatch between the two lists fails loudly at
//! first use (and in the test suite) instead of giving a wrong answer.

use offramp::case::{CaseEvent, CaseStatus, ChargeStatus};
use offramp::providers::ServiceKind;
use offramp::{
    Consent, Disposition, Flag, Intercept, Level, Need, Pathway, Responder, Source, WarningCode,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;

/// The serde (JSON) name of a value.
pub(crate) fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A core vocabulary that has a Python enum.
pub(crate) trait Vocabulary: Copy + Serialize + 'static {
    /// The Python class name in `offramp._enums`.
    const CLASS: &'static str;
    /// Every value, in the order of the enum's declaration (so `value as usize` indexes it).
    fn all() -> &'static [Self];
    /// The position of this value in [`Vocabulary::all`].
    fn index(self) -> usize;
    /// The value's JSON form, which is the Python member's value.
    fn py_value<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
    /// The members, once looked up.
    fn cell() -> &'static PyOnceLock<Vec<Py<PyAny>>>;
    /// `{name or member: index}`, for reading Python values without copying them.
    fn words_cell() -> &'static PyOnceLock<Py<PyDict>>;
}

macro_rules! vocabulary {
    ($ty:ty, $class:literal, $all:expr) => {
        impl Vocabulary for $ty {
            const CLASS: &'static str = $class;
            fn all() -> &'static [Self] {
                &$all
            }
            fn index(self) -> usize {
                self as usize
            }
            fn py_value<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(serde_name(&self).into_pyobject(py)?.into_any())
            }
            fn cell() -> &'static PyOnceLock<Vec<Py<PyAny>>> {
                static CELL: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();
                &CELL
            }
            fn words_cell() -> &'static PyOnceLock<Py<PyDict>> {
                static WORDS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
                &WORDS
            }
        }
    };
}

vocabulary!(Pathway, "Pathway", Pathway::ALL);
vocabulary!(Disposition, "Disposition", Disposition::ALL);
vocabulary!(Responder, "Responder", Responder::ALL);
vocabulary!(Source, "Source", Source::ALL);
vocabulary!(Need, "Need", Need::ALL);
vocabulary!(Flag, "Flag", Flag::ALL);
vocabulary!(Level, "Level", Level::ALL);
vocabulary!(Consent, "Consent", Consent::ALL);
vocabulary!(WarningCode, "WarningCode", WarningCode::ALL);
vocabulary!(ServiceKind, "ServiceKind", ServiceKind::ALL);
vocabulary!(CaseStatus, "CaseStatus", CaseStatus::ALL);
vocabulary!(ChargeStatus, "ChargeStatus", ChargeStatus::ALL);
vocabulary!(CaseEvent, "CaseEvent", CaseEvent::ALL);

impl Vocabulary for Intercept {
    const CLASS: &'static str = "Intercept";
    fn all() -> &'static [Self] {
        &Intercept::ALL
    }
    fn index(self) -> usize {
        usize::from(self.number())
    }
    fn py_value<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.number().into_pyobject(py)?.into_any())
    }
    fn cell() -> &'static PyOnceLock<Vec<Py<PyAny>>> {
        static CELL: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();
        &CELL
    }
    fn words_cell() -> &'static PyOnceLock<Py<PyDict>> {
        static WORDS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
        &WORDS
    }
}

/// Looks a Python value up as a word of vocabulary `V` (its name, or its enum member) without
/// copying it; None when it is not one (the caller then takes the core's slower, lenient path).
pub(crate) fn lookup<V: Vocabulary>(obj: &Bound<'_, PyAny>) -> Option<V> {
    let py = obj.py();
    let words = V::words_cell()
        .get_or_try_init(py, || -> PyResult<Py<PyDict>> {
            let d = PyDict::new(py);
            let members = members::<V>(py)?;
            for (i, v) in V::all().iter().enumerate() {
                d.set_item(v.py_value(py)?, i)?;
                if let Some(m) = members.get(i) {
                    d.set_item(m.bind(py), i)?;
                }
            }
            Ok(d.unbind())
        })
        .ok()?;
    let i: usize = words.bind(py).get_item(obj).ok()??.extract().ok()?;
    V::all().get(i).copied()
}

fn members<V: Vocabulary>(py: Python<'_>) -> PyResult<&'static Vec<Py<PyAny>>> {
    V::cell().get_or_try_init(py, || {
        let class = py.import("offramp._enums")?.getattr(V::CLASS)?;
        V::all()
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if v.index() != i {
                    return Err(crate::errors::offramp_error(
                        py,
                        format!("offramp.{}: the core's values are out of order", V::CLASS),
                    ));
                }
                Ok(class.call1((v.py_value(py)?,))?.unbind())
            })
            .collect()
    })
}

/// The Python enum member for a core value.
pub(crate) fn to_py<'py, V: Vocabulary>(py: Python<'py>, value: V) -> PyResult<Bound<'py, PyAny>> {
    let all = members::<V>(py)?;
    match all.get(value.index()) {
        Some(member) => Ok(member.bind(py).clone()),
        None => Err(crate::errors::offramp_error(
            py,
            format!("offramp.{} has no member for a core value", V::CLASS),
        )),
    }
}

/// The Python enum member for an optional core value (`None` when absent).
pub(crate) fn opt_to_py<'py, V: Vocabulary>(
    py: Python<'py>,
    value: Option<V>,
) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Some(v) => to_py(py, v),
        None => Ok(py.None().into_bound(py)),
    }
}

/// A list of Python enum members.
pub(crate) fn list_to_py<'py, V: Vocabulary>(
    py: Python<'py>,
    values: &[V],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for v in values {
        list.append(to_py(py, *v)?)?;
    }
    Ok(list)
}

/// Reads a core value from a Python enum member or its name (`"naloxone_plus"`, or the number
/// for an intercept). The message never repeats what was given.
pub(crate) fn from_py<V: Vocabulary + for<'de> serde::Deserialize<'de>>(
    obj: &Bound<'_, PyAny>,
) -> Result<V, String> {
    let value = if let Ok(n) = obj.extract::<i64>() {
        serde_json::Value::from(n)
    } else if let Ok(s) = obj.extract::<String>() {
        serde_json::Value::String(s)
    } else if let Ok(v) = obj.getattr("value") {
        match v.extract::<String>() {
            Ok(s) => serde_json::Value::String(s),
            Err(_) => return Err(format!("expected an offramp.{}", V::CLASS)),
        }
    } else {
        return Err(format!("expected an offramp.{} or its name", V::CLASS));
    };
    serde_json::from_value(value).map_err(|_| {
        let names: Vec<String> = V::all().iter().map(serde_name).collect();
        format!("unknown {}; expected one of {}", V::CLASS, names.join(", "))
    })
}

fn names<V: Vocabulary>(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for v in V::all() {
        list.append(v.py_value(py)?)?;
    }
    Ok(list)
}

/// The core's vocabularies, `{class name: [values in order]}`: the test suite checks the Python
/// enums against it.
#[pyfunction]
pub(crate) fn _vocabulary(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    crate::errors::shield(|| {
        let d = PyDict::new(py);
        d.set_item(Pathway::CLASS, names::<Pathway>(py)?)?;
        d.set_item(Intercept::CLASS, names::<Intercept>(py)?)?;
        d.set_item(Disposition::CLASS, names::<Disposition>(py)?)?;
        d.set_item(Responder::CLASS, names::<Responder>(py)?)?;
        d.set_item(Source::CLASS, names::<Source>(py)?)?;
        d.set_item(Need::CLASS, names::<Need>(py)?)?;
        d.set_item(Flag::CLASS, names::<Flag>(py)?)?;
        d.set_item(Level::CLASS, names::<Level>(py)?)?;
        d.set_item(Consent::CLASS, names::<Consent>(py)?)?;
        d.set_item(WarningCode::CLASS, names::<WarningCode>(py)?)?;
        d.set_item(ServiceKind::CLASS, names::<ServiceKind>(py)?)?;
        d.set_item(CaseStatus::CLASS, names::<CaseStatus>(py)?)?;
        d.set_item(ChargeStatus::CLASS, names::<ChargeStatus>(py)?)?;
        d.set_item(CaseEvent::CLASS, names::<CaseEvent>(py)?)?;
        Ok(d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_match_declaration_order() {
        for (i, w) in WarningCode::ALL.iter().enumerate() {
            assert_eq!(w.index(), i);
        }
        for (i, k) in ServiceKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i);
        }
        for (i, p) in Pathway::ALL.iter().enumerate() {
            assert_eq!(p.index(), i);
        }
        for (i, e) in CaseEvent::ALL.iter().enumerate() {
            assert_eq!(e.index(), i);
        }
    }
}
