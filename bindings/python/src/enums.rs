//! The core's vocabularies as the Python enums of `offramp/_enums.py`.
//!
//! The Python classes are written out in Python, so that type checkers and readers see them,
//! but that file is generated from the core's own lists ([`offramp::vocab::Vocabulary`]): the
//! values, their order, the former names still read and the documentation. A test renders it
//! again and fails when the file differs (`OFFRAMP_WRITE_ENUMS=1 cargo test -p offramp-python
//! enums` rewrites it). At run time each core value is mapped to its member by position.

use offramp::case::{CaseEvent, CaseStatus, ChargeStatus};
use offramp::nibrs::{CriminalActivity, DrugType, DrugUnit};
use offramp::providers::ServiceKind;
use offramp::vocab::Vocabulary as CoreVocabulary;
use offramp::{
    Consent, Disposition, Flag, HistoryKind, Intercept, InterceptBasis, Level, Need, Pathway,
    Responder, Source, Truth, WarningCode, Willing,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};

/// A core vocabulary that has a Python enum of the same name in `offramp._enums`.
pub(crate) trait Vocabulary: CoreVocabulary {
    /// The members, once looked up.
    fn cell() -> &'static PyOnceLock<Vec<Py<PyAny>>>;
    /// `{name or member: index}`, for reading Python values without copying them.
    fn words_cell() -> &'static PyOnceLock<Py<PyDict>>;
}

/// The vocabularies Python has, in the order `_enums.py` declares them. This is the only list
/// of them in the bindings: it makes the per-type caches, `_vocabulary()` and the generated
/// file.
macro_rules! python_enums {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl Vocabulary for $ty {
                fn cell() -> &'static PyOnceLock<Vec<Py<PyAny>>> {
                    static CELL: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();
                    &CELL
                }
                fn words_cell() -> &'static PyOnceLock<Py<PyDict>> {
                    static WORDS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
                    &WORDS
                }
            }
        )+

        /// Every vocabulary Python has, described for `_vocabulary()` and `_enums.py`.
        fn described() -> Vec<Described> {
            vec![$(Described::of::<$ty>()),+]
        }
    };
}

python_enums!(
    Pathway,
    Intercept,
    Disposition,
    Responder,
    Source,
    Need,
    Flag,
    Level,
    Consent,
    Willing,
    HistoryKind,
    CriminalActivity,
    DrugType,
    DrugUnit,
    WarningCode,
    ServiceKind,
    CaseStatus,
    ChargeStatus,
    CaseEvent,
    InterceptBasis,
    Truth,
);

/// One value of a vocabulary, as Python shows it.
// Only the generator of `_enums.py`, a test, reads every field.
#[cfg_attr(not(test), allow(dead_code))]
struct Member {
    /// The Python member name (`NALOXONE_PLUS`).
    name: String,
    /// The member's value: the core's name, or the number of a numbered vocabulary.
    value: &'static str,
    /// The value's documentation, one line per element.
    doc: &'static [&'static str],
}

/// A vocabulary, as Python shows it.
#[cfg_attr(not(test), allow(dead_code))]
struct Described {
    name: &'static str,
    numbered: bool,
    doc: &'static [&'static str],
    members: Vec<Member>,
    /// Former names, with the position of the value each now means.
    aliases: Vec<(&'static str, usize)>,
}

impl Described {
    fn of<V: CoreVocabulary>() -> Self {
        Described {
            name: V::NAME,
            numbered: V::NUMBERED,
            doc: V::DOC,
            members: V::ALL
                .iter()
                .map(|v| Member {
                    name: python_name(*v),
                    value: v.as_str(),
                    doc: v.doc(),
                })
                .collect(),
            aliases: V::ALIASES.iter().map(|(a, v)| (*a, v.index())).collect(),
        }
    }
}

/// The Python member name: the core's name in capitals, or for a numbered vocabulary (whose
/// names are numbers) the Rust name in capitals with words split by underscores.
fn python_name<V: CoreVocabulary>(v: V) -> String {
    if !V::NUMBERED {
        return v.as_str().to_uppercase();
    }
    let mut out = String::new();
    for (i, c) in v.rust_name().chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// The Python value of a core value: its name, or its number.
fn py_value<V: CoreVocabulary>(py: Python<'_>, v: V) -> PyResult<Bound<'_, PyAny>> {
    if V::NUMBERED {
        Ok(v.index().into_pyobject(py)?.into_any())
    } else {
        Ok(v.as_str().into_pyobject(py)?.into_any())
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
            for (i, v) in V::ALL.iter().enumerate() {
                d.set_item(py_value(py, *v)?, i)?;
                if let Some(m) = members.get(i) {
                    d.set_item(m.bind(py), i)?;
                }
            }
            Ok(d.unbind())
        })
        .ok()?;
    let i: usize = words.bind(py).get_item(obj).ok()??.extract().ok()?;
    V::ALL.get(i).copied()
}

fn members<V: Vocabulary>(py: Python<'_>) -> PyResult<&'static Vec<Py<PyAny>>> {
    V::cell().get_or_try_init(py, || {
        let class = py.import("offramp._enums")?.getattr(V::NAME)?;
        V::ALL
            .iter()
            .map(|v| Ok(class.call1((py_value(py, *v)?,))?.unbind()))
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
            format!("offramp.{} has no member for a core value", V::NAME),
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
pub(crate) fn from_py<V: CoreVocabulary>(obj: &Bound<'_, PyAny>) -> Result<V, String> {
    let value = if let Ok(n) = obj.extract::<i64>() {
        // Only a numbered vocabulary's values are numbers: its number is its position.
        usize::try_from(n)
            .ok()
            .filter(|_| V::NUMBERED)
            .and_then(|i| V::ALL.get(i).copied())
    } else if let Ok(s) = obj.extract::<String>() {
        s.parse::<V>().ok()
    } else if let Ok(v) = obj.getattr("value") {
        match v.extract::<String>() {
            Ok(s) => s.parse::<V>().ok(),
            Err(_) => return Err(format!("expected an offramp.{}", V::NAME)),
        }
    } else {
        return Err(format!("expected an offramp.{} or its name", V::NAME));
    };
    value.ok_or_else(|| {
        let names: Vec<&str> = V::ALL.iter().map(|v| v.as_str()).collect();
        format!("unknown {}; expected one of {}", V::NAME, names.join(", "))
    })
}

/// The core's vocabularies, `{class name: [values in order]}`: the test suite checks the Python
/// enums against it.
#[pyfunction]
pub(crate) fn _vocabulary(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    crate::errors::shield(|| {
        let d = PyDict::new(py);
        for v in described() {
            let list = PyList::empty(py);
            for (i, m) in v.members.iter().enumerate() {
                if v.numbered {
                    list.append(i)?;
                } else {
                    list.append(m.value)?;
                }
            }
            d.set_item(v.name, list)?;
        }
        Ok(d)
    })
}

/// The text of `offramp/_enums.py`, rendered from the core's vocabularies.
#[cfg(test)]
fn render_enums_py() -> String {
    use std::fmt::Write as _;
    let vocabularies = described();
    let mut out = String::from(
        r#""""The vocabularies of deflection and pre-arrest diversion, as Python enums.

Each text enum's values are the names the core uses in JSON, TOML and rules, so a member
compares equal to its name (``Pathway.NALOXONE_PLUS == "naloxone_plus"``) and can be given
wherever a name is accepted. ``Intercept`` is an ``IntEnum`` numbered 0 to 5, as the
Sequential Intercept Model numbers its points.
"""

# Generated from the Rust core's vocabularies (bindings/python/src/enums.rs): do not edit by
# hand. After changing a vocabulary in the core, rewrite this file with
#     OFFRAMP_WRITE_ENUMS=1 cargo test -p offramp-python enums

from __future__ import annotations

import enum
from typing import Optional

__all__ = [
"#,
    );
    let mut names: Vec<&str> = vocabularies.iter().map(|v| v.name).collect();
    names.sort_unstable();
    for n in names {
        let _ = writeln!(out, "    \"{n}\",");
    }
    out.push_str(
        r#"]


class _Name(str, enum.Enum):
    """A text enum whose ``str()`` is its value, as in the JSON formats."""

    def __str__(self) -> str:
        return str(self.value)
"#,
    );
    for v in &vocabularies {
        let base = if v.numbered { "enum.IntEnum" } else { "_Name" };
        let _ = write!(out, "\n\nclass {}({base}):\n", v.name);
        let _ = writeln!(out, "    {}", docstring(v.doc));
        out.push('\n');
        for (i, m) in v.members.iter().enumerate() {
            if v.numbered {
                let _ = writeln!(out, "    {} = {i}", m.name);
            } else {
                let _ = writeln!(out, "    {} = \"{}\"", m.name, m.value);
            }
            let _ = writeln!(out, "    {}", docstring(m.doc));
        }
        if !v.aliases.is_empty() {
            let _ = write!(
                out,
                "\n    @classmethod\n    def _missing_(cls, value: object) -> Optional[{}]:\n        \
                 # Former names, still read as the core reads them.\n",
                v.name
            );
            for (alias, i) in &v.aliases {
                let member = v.members.get(*i).map_or("", |m| m.name.as_str());
                let _ = write!(
                    out,
                    "        if value == \"{alias}\":\n            return cls.{member}\n"
                );
            }
            out.push_str("        return None\n");
        }
    }
    out
}

/// A Python docstring from the first paragraph of Rust documentation lines, with the lines
/// kept as written and indented for a class body.
#[cfg(test)]
fn docstring(doc: &[&str]) -> String {
    let lines: Vec<String> = doc
        .iter()
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
        .take_while(|l| !l.is_empty())
        .map(|l| l.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\""))
        .collect();
    format!("\"\"\"{}\"\"\"", lines.join("\n    "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `_enums.py` is exactly what the core's vocabularies render; with `OFFRAMP_WRITE_ENUMS=1`
    /// the test writes the file instead.
    #[test]
    fn enums_py_is_generated_from_the_core() -> std::io::Result<()> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/python/offramp/_enums.py");
        let rendered = render_enums_py();
        if std::env::var_os("OFFRAMP_WRITE_ENUMS").is_some() {
            std::fs::write(path, &rendered)?;
        }
        let on_disk = std::fs::read_to_string(path)?;
        assert!(
            on_disk == rendered,
            "{path} is not what the core's vocabularies give: rewrite it with \
             OFFRAMP_WRITE_ENUMS=1 cargo test -p offramp-python enums"
        );
        Ok(())
    }

    #[test]
    fn the_alias_and_the_numbered_names_come_from_the_core() {
        let text = render_enums_py();
        assert!(text.contains(
            "if value == \"officer_prevention\":\n            return cls.FIRST_RESPONDER_REFERRAL"
        ));
        assert!(text.contains("class Intercept(enum.IntEnum):"));
        assert!(text.contains("    COMMUNITY_CORRECTIONS = 5\n"));
        assert!(text.contains("    NALOXONE_PLUS = \"naloxone_plus\"\n"));
    }
}
