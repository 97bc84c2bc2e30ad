//! `offramp.test_program`: a scenario file run against a program, as `offramp test` runs it.

use std::path::PathBuf;

use offramp::authoring::scenarios::{ScenarioFile, ScenarioReport, run};
use offramp::{Program, Router};
use pyo3::prelude::*;

use crate::errors::{offramp_error, program_error, shield};
use crate::program::PyProgram;

/// One thing a decision got wrong: what the scenario expected against what the decision has.
#[pyclass(module = "offramp", name = "Mismatch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyMismatch {
    /// The scenario key checked, with its pathway: `disposition`, `because.self_referral`.
    #[pyo3(get)]
    field: String,
    /// What the scenario expected, as a scenario file writes it.
    #[pyo3(get)]
    expected: String,
    /// What the decision has.
    #[pyo3(get)]
    actual: String,
}

#[pymethods]
impl PyMismatch {
    fn __repr__(&self) -> String {
        format!(
            "Mismatch(field={:?}, expected={:?}, actual={:?})",
            self.field, self.expected, self.actual
        )
    }

    fn __str__(&self) -> String {
        format!(
            "{}: expected {}, got {}",
            self.field, self.expected, self.actual
        )
    }
}

/// The result of one scenario.
#[pyclass(module = "offramp", name = "ScenarioResult", frozen)]
pub struct PyScenarioResult {
    /// The scenario's name.
    #[pyo3(get)]
    name: String,
    /// Whether the decision matched every expectation.
    #[pyo3(get)]
    passed: bool,
    /// What did not match; empty when it passed.
    #[pyo3(get)]
    mismatches: Vec<PyMismatch>,
    /// For a failed scenario, the decision's reasons for each pathway involved.
    #[pyo3(get)]
    reasons: Vec<String>,
}

#[pymethods]
impl PyScenarioResult {
    fn __repr__(&self) -> String {
        format!(
            "ScenarioResult(name={:?}, passed={})",
            self.name,
            if self.passed { "True" } else { "False" }
        )
    }
}

/// The results of a scenario file run against one program.
#[pyclass(module = "offramp", name = "ScenarioReport", frozen)]
pub struct PyScenarioReport {
    /// The program's id.
    #[pyo3(get)]
    program: String,
    /// How many scenarios passed.
    #[pyo3(get)]
    passed: usize,
    /// How many scenarios failed.
    #[pyo3(get)]
    failed: usize,
    results: Vec<Py<PyScenarioResult>>,
}

#[pymethods]
impl PyScenarioReport {
    /// One result per scenario, in file order.
    #[getter]
    fn results(&self, py: Python<'_>) -> Vec<Py<PyScenarioResult>> {
        self.results.iter().map(|r| r.clone_ref(py)).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "ScenarioReport(program={:?}, passed={}, failed={})",
            self.program, self.passed, self.failed
        )
    }
}

fn report_to_py(py: Python<'_>, report: &ScenarioReport) -> PyResult<PyScenarioReport> {
    let results = report
        .results
        .iter()
        .map(|r| {
            Py::new(
                py,
                PyScenarioResult {
                    name: r.name.clone(),
                    passed: r.passed,
                    mismatches: r
                        .mismatches
                        .iter()
                        .map(|m| PyMismatch {
                            field: m.field(),
                            expected: m.expected.clone(),
                            actual: m.actual.clone(),
                        })
                        .collect(),
                    reasons: r.reasons.iter().map(ToString::to_string).collect(),
                },
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyScenarioReport {
        program: report.program.clone(),
        passed: report.passed(),
        failed: report.failed(),
        results,
    })
}

/// Runs the scenario file at `scenarios` against `program` (a `Program`, or the path of a
/// program file); the file's own `program` key is not read. Raises `ProgramError` for a
/// program that does not load and `OfframpError` naming `scenarios` for a scenario file that
/// does not read.
#[pyfunction]
pub(crate) fn test_program(
    py: Python<'_>,
    program: &Bound<'_, PyAny>,
    scenarios: PathBuf,
) -> PyResult<PyScenarioReport> {
    shield(|| {
        let router = if let Ok(p) = program.cast::<PyProgram>() {
            Router::from_arc(p.get().inner.clone())
        } else {
            let path: PathBuf = program.extract().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(
                    "program must be a Program or the path of a program file",
                )
            })?;
            Router::new(Program::from_file(&path).map_err(|e| program_error(py, &e))?)
        };
        let file = ScenarioFile::from_file(&scenarios).map_err(|e| {
            let lines: Vec<String> = e.diagnostics().iter().map(ToString::to_string).collect();
            offramp_error(py, format!("scenarios: {}", lines.join("; ")))
        })?;
        let report = py.detach(|| run(&router, &file));
        report_to_py(py, &report)
    })
}
