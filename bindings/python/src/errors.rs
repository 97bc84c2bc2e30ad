//! The Python exception hierarchy (defined in `offramp/_errors.py`) and the conversion functions
//! that map the core's errors onto it. Conversion functions, not `From` impls: the orphan rule
//! forbids `From<offramp error> for PyErr` here.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};

use crate::program::PyDiagnostic;

static OFFRAMP_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PROGRAM_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PROGRAM_NOT_FOUND_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ENCOUNTER_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DIRECTORY_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static CASE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SIMULATION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Builds an instance of one of the package's exception classes. If the class cannot be found
/// (the native module imported on its own), a `RuntimeError` with the same message is raised.
fn raise(
    py: Python<'_>,
    cell: &'static PyOnceLock<Py<PyType>>,
    class: &str,
    message: String,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyErr {
    let made = cell
        .import(py, "offramp._errors", class)
        .and_then(|cls| cls.call((message.clone(),), kwargs));
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(_) => PyRuntimeError::new_err(message),
    }
}

/// `offramp.OfframpError` with a message.
pub(crate) fn offramp_error(py: Python<'_>, message: String) -> PyErr {
    raise(py, &OFFRAMP_ERROR, "OfframpError", message, None)
}

/// `offramp.OfframpError` for a value the core could not write out (as JSON or TOML).
pub(crate) fn write_error(e: impl std::fmt::Display) -> PyErr {
    Python::attach(|py| offramp_error(py, format!("cannot write the value out: {e}")))
}

/// `offramp.ProgramError` for a program that could not be loaded.
pub(crate) fn program_error(py: Python<'_>, e: &offramp::ProgramError) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        let diagnostics = e.diagnostics();
        let list = PyList::empty(py);
        for d in diagnostics {
            list.append(Py::new(py, PyDiagnostic::from(d.clone()))?)?;
        }
        match (diagnostics.first(), e) {
            (Some(first), _) => {
                kwargs.set_item("path", &first.file)?;
                kwargs.set_item("line", first.line)?;
                kwargs.set_item("column", first.column)?;
                kwargs.set_item("message", &first.message)?;
            }
            (None, offramp::ProgramError::Io { path, message }) => {
                kwargs.set_item("path", path)?;
                kwargs.set_item("line", py.None())?;
                kwargs.set_item("column", py.None())?;
                kwargs.set_item("message", format!("cannot read the program: {message}"))?;
            }
            (None, other) => {
                kwargs.set_item("path", "")?;
                kwargs.set_item("line", py.None())?;
                kwargs.set_item("column", py.None())?;
                kwargs.set_item("message", other.to_string())?;
            }
        }
        kwargs.set_item("diagnostics", list)?;
        kwargs.set_item("rendered", e.render())?;
        // A file that is not there is what Python code catches as `FileNotFoundError`.
        let (cell, class) = match e {
            offramp::ProgramError::Io { path, .. }
                if std::path::Path::new(path)
                    .try_exists()
                    .is_ok_and(|there| !there) =>
            {
                (&PROGRAM_NOT_FOUND_ERROR, "ProgramNotFoundError")
            }
            _ => (&PROGRAM_ERROR, "ProgramError"),
        };
        Ok(raise(py, cell, class, e.to_string(), Some(&kwargs)))
    };
    build().unwrap_or_else(|err| err)
}

/// `offramp.EncounterError` for an encounter that could not be read; `row` is its position in
/// a batch.
pub(crate) fn encounter_error(
    py: Python<'_>,
    e: &offramp::EncounterError,
    row: Option<usize>,
) -> PyErr {
    let (message, position) = match e {
        offramp::EncounterError::Invalid {
            message, position, ..
        } => (message.clone(), *position),
        other => (other.to_string(), None),
    };
    encounter_error_parts(py, e.field(), &message, position, row)
}

/// `offramp.EncounterError` from its parts (for errors found at the binding's edge, such as a
/// Python value that has no JSON form).
pub(crate) fn encounter_error_parts(
    py: Python<'_>,
    field: &str,
    message: &str,
    position: Option<(usize, usize)>,
    row: Option<usize>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("field", field)?;
        kwargs.set_item("message", message)?;
        kwargs.set_item("line", position.map(|p| p.0))?;
        kwargs.set_item("column", position.map(|p| p.1))?;
        kwargs.set_item("row", row)?;
        let mut text = format!("{field}: {message}");
        if let Some((l, c)) = position {
            text.push_str(&format!(" (line {l}, column {c})"));
        }
        if let Some(r) = row {
            text = format!("row {r}: {text}");
        }
        Ok(raise(
            py,
            &ENCOUNTER_ERROR,
            "EncounterError",
            text,
            Some(&kwargs),
        ))
    };
    build().unwrap_or_else(|err| err)
}

/// The field and message of an `offramp.EncounterError`; None for any other exception.
pub(crate) fn encounter_error_fields(py: Python<'_>, err: &PyErr) -> Option<(String, String)> {
    let class = ENCOUNTER_ERROR
        .import(py, "offramp._errors", "EncounterError")
        .ok()?;
    let value = err.value(py);
    if !value.is_instance(class).ok()? {
        return None;
    }
    let field: String = value.getattr("field").ok()?.extract().ok()?;
    let message: String = value.getattr("message").ok()?.extract().ok()?;
    Some((field, message))
}

/// `offramp.DirectoryError` for a provider directory that could not be read.
pub(crate) fn directory_error(py: Python<'_>, e: &offramp::providers::DirectoryError) -> PyErr {
    directory_error_parts(py, e.file(), &e.record(), e.field(), &e.to_string())
}

/// `offramp.DirectoryError` from its parts.
pub(crate) fn directory_error_parts(
    py: Python<'_>,
    file: &str,
    record: &str,
    field: &str,
    text: &str,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("file", file)?;
        kwargs.set_item("record", record)?;
        kwargs.set_item("field", field)?;
        Ok(raise(
            py,
            &DIRECTORY_ERROR,
            "DirectoryError",
            text.to_string(),
            Some(&kwargs),
        ))
    };
    build().unwrap_or_else(|err| err)
}

/// `offramp.CaseError` for a refused case event or an unreadable stored case.
pub(crate) fn case_error(py: Python<'_>, message: String) -> PyErr {
    raise(py, &CASE_ERROR, "CaseError", message, None)
}

/// `offramp.SimulationError` for a scenario that could not be read or a run that failed;
/// `field`, `line` and `column` say where in the scenario, when known.
pub(crate) fn simulation_error(
    py: Python<'_>,
    message: String,
    field: Option<&str>,
    line: Option<usize>,
    column: Option<usize>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("field", field)?;
        kwargs.set_item("line", line)?;
        kwargs.set_item("column", column)?;
        Ok(raise(
            py,
            &SIMULATION_ERROR,
            "SimulationError",
            message.clone(),
            Some(&kwargs),
        ))
    };
    build().unwrap_or_else(|err| err)
}

/// The text of a panic payload.
fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs the body of an entry point so that a panic anywhere below it (the core included)
/// becomes an `offramp.OfframpError` rather than pyo3's `PanicException`, which derives from
/// `BaseException` and slips past `except Exception`.
pub(crate) fn shield<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let text: String = panic_text(payload.as_ref()).chars().take(200).collect();
            Err(Python::attach(|py| {
                offramp_error(
                    py,
                    format!("internal error in offramp (a bug; please report it): {text}"),
                )
            }))
        }
    }
}
