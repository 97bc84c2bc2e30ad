//! `offramp.Program`, `offramp.Diagnostic` and `offramp.check`.

use std::path::PathBuf;
use std::sync::Arc;

use offramp::{Diagnostic, Program};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::enums;
use crate::errors::{program_error, shield, write_error};

/// One problem found in a program file, with where it is.
#[pyclass(module = "offramp", name = "Diagnostic", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyDiagnostic {
    inner: Diagnostic,
}

impl From<Diagnostic> for PyDiagnostic {
    fn from(inner: Diagnostic) -> Self {
        PyDiagnostic { inner }
    }
}

#[pymethods]
impl PyDiagnostic {
    /// The file (or the name given for text).
    #[getter]
    fn file(&self) -> &str {
        &self.inner.file
    }

    /// 1-based line.
    #[getter]
    fn line(&self) -> usize {
        self.inner.line
    }

    /// 1-based column, in characters.
    #[getter]
    fn column(&self) -> usize {
        self.inner.column
    }

    /// What is wrong.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    /// A hint, such as the name that was probably meant.
    #[getter]
    fn help(&self) -> Option<&str> {
        self.inner.help.as_deref()
    }

    /// The byte range in the file, as `(start, end)`.
    #[getter]
    fn span(&self) -> (usize, usize) {
        (self.inner.span.start, self.inner.span.end)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "Diagnostic(file={:?}, line={}, column={}, message={:?})",
            self.inner.file, self.inner.line, self.inner.column, self.inner.message
        )
    }
}

/// One agency's deflection program: pathways, eligibility rules, exclusions and law switches,
/// checked and compiled when it loads.
#[pyclass(module = "offramp", name = "Program", frozen)]
pub struct PyProgram {
    pub(crate) inner: Arc<Program>,
}

impl PyProgram {
    fn load(py: Python<'_>, result: Result<Program, offramp::ProgramError>) -> PyResult<Self> {
        match result {
            Ok(p) => Ok(PyProgram { inner: Arc::new(p) }),
            Err(e) => Err(program_error(py, &e)),
        }
    }
}

#[pymethods]
impl PyProgram {
    /// Loads a program from a `.toml` or `.json` file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        shield(|| Self::load(py, Program::from_file(&path)))
    }

    /// Loads a program from TOML text; `name` is used in diagnostics.
    #[staticmethod]
    #[pyo3(signature = (text, name = "<program.toml>"))]
    fn from_toml(py: Python<'_>, text: &str, name: &str) -> PyResult<Self> {
        shield(|| Self::load(py, Program::from_toml(text, name)))
    }

    /// Loads a program from JSON text; `name` is used in diagnostics.
    #[staticmethod]
    #[pyo3(signature = (text, name = "<program.json>"))]
    fn from_json(py: Python<'_>, text: &str, name: &str) -> PyResult<Self> {
        shield(|| Self::load(py, Program::from_json(text, name)))
    }

    /// The program's id.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }

    /// A content hash of the compiled program (`sha256:...`): two programs with the same hash
    /// decide alike.
    #[getter]
    fn hash(&self) -> &str {
        self.inner.hash()
    }

    /// The program's name, when it has one.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.spec().program.name.as_deref()
    }

    /// The jurisdiction it serves.
    #[getter]
    fn jurisdiction(&self) -> &str {
        &self.inner.spec().program.jurisdiction
    }

    /// Its IANA time zone, such as `America/Los_Angeles`.
    #[getter]
    fn timezone(&self) -> &str {
        &self.inner.spec().program.timezone
    }

    /// The program's own version label, when it has one.
    #[getter]
    fn version(&self) -> Option<&str> {
        self.inner.spec().program.version.as_deref()
    }

    /// The pathways offered, in rank order.
    #[getter]
    fn pathways<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        shield(|| {
            let list: Vec<offramp::Pathway> = self.inner.pathways().collect();
            enums::list_to_py(py, &list)
        })
    }

    /// The number of rules and exclusions.
    #[getter]
    fn rule_count(&self) -> usize {
        self.inner.rule_count()
    }

    /// What is questionable in a program that loaded (an officer-intervention rule that can
    /// only admit encounters that pathway never takes, for one), each with its line and column;
    /// empty when there is nothing.
    #[getter]
    fn warnings(&self) -> Vec<PyDiagnostic> {
        self.inner
            .warnings()
            .iter()
            .cloned()
            .map(PyDiagnostic::from)
            .collect()
    }

    /// The program in canonical TOML (loading it gives the same program and hash).
    fn to_toml(&self) -> PyResult<String> {
        shield(|| self.inner.to_toml().map_err(write_error))
    }

    /// The program as JSON (the same structure as the TOML form).
    fn to_json(&self) -> PyResult<String> {
        shield(|| self.inner.to_json().map_err(write_error))
    }

    /// The program as a dict (the JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| crate::convert::serde_to_py(py, self.inner.spec()))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyProgram>() {
            Ok(o) => o.get().inner.hash() == self.inner.hash(),
            Err(_) => false,
        }
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.hash().hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        format!(
            "<offramp.Program {} {}>",
            self.inner.id(),
            self.inner.hash()
        )
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        shield(|| {
            let ctor = py.get_type::<PyProgram>().getattr("from_toml")?;
            let args = PyTuple::new(
                py,
                [
                    self.inner.to_toml().map_err(write_error)?,
                    self.inner.id().to_string(),
                ],
            )?;
            PyTuple::new(py, [ctor, args.into_any()])
        })
    }
}

/// Checks a program file: every problem found, as `Diagnostic`s (an empty list when the
/// program is valid). Raises `ProgramError` only when the file cannot be read.
#[pyfunction]
pub(crate) fn check(py: Python<'_>, path: PathBuf) -> PyResult<Vec<PyDiagnostic>> {
    shield(|| match Program::from_file(&path) {
        Ok(_) => Ok(Vec::new()),
        Err(e) if e.diagnostics().is_empty() => Err(program_error(py, &e)),
        Err(e) => Ok(e
            .diagnostics()
            .iter()
            .cloned()
            .map(PyDiagnostic::from)
            .collect()),
    })
}
