//! Python bindings for offramp: the native module `offramp._offramp`, built with maturin into
//! the `offramp` package (see `bindings/python/README.md`).
//!
//! The crate is thin: it converts Python values at the edge, calls the core, and maps the
//! core's errors onto the package's exception classes with conversion functions. Every entry
//! point runs inside [`errors::shield`], so no input can surface as pyo3's `PanicException`.

mod analysis;
mod arrow_in;
mod arrow_out;
mod case;
mod convert;
mod decision;
mod diff;
mod directory;
mod encounter;
mod enums;
mod errors;
mod fast;
mod program;
mod reader;
mod router;
mod scenarios;
mod sim;
mod trace;

use offramp::schema::{SchemaKind, json_schema as core_schema};
use pyo3::prelude::*;

// The same allocator as the `offramp` command: batch routing allocates on every core at once,
// and glibc's arenas serialise that work (see benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The JSON Schema (draft 2020-12) of a file format: `"program"`, `"encounter"`,
/// `"decision"`, `"trace"` or `"scenarios"`, as a dict.
#[pyfunction]
fn json_schema<'py>(py: Python<'py>, kind: &str) -> PyResult<Bound<'py, PyAny>> {
    errors::shield(|| {
        let kind = SchemaKind::ALL
            .into_iter()
            .find(|k| k.name() == kind)
            .ok_or_else(|| {
                let names: Vec<String> = SchemaKind::ALL
                    .iter()
                    .map(|k| format!("\"{}\"", k.name()))
                    .collect();
                pyo3::exceptions::PyValueError::new_err(format!(
                    "kind must be one of {}",
                    names.join(", ")
                ))
            })?;
        convert::serde_to_py(py, &core_schema(kind))
    })
}

/// The native part of the `offramp` package.
#[pymodule]
fn _offramp(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<program::PyProgram>()?;
    m.add_class::<sim::SimCsv>()?;
    m.add_class::<program::PyDiagnostic>()?;
    m.add_class::<directory::PyDirectory>()?;
    m.add_class::<directory::PyDirectoryWarning>()?;
    m.add_class::<encounter::PyEncounter>()?;
    m.add_class::<router::PyRouter>()?;
    m.add_class::<decision::PyDecision>()?;
    m.add_class::<decision::PyProgramRef>()?;
    m.add_class::<decision::PyEligiblePathway>()?;
    m.add_class::<decision::PyIneligiblePathway>()?;
    m.add_class::<decision::PyReason>()?;
    m.add_class::<decision::PyWarning>()?;
    m.add_class::<decision::PyChargeHold>()?;
    m.add_class::<decision::PyProviderOption>()?;
    m.add_class::<decision::PyProviderGap>()?;
    m.add_class::<decision::PyEvidence>()?;
    m.add_class::<decision::PyOffenseRef>()?;
    m.add_class::<decision::PyNeededInformation>()?;
    m.add_class::<trace::PyTrace>()?;
    m.add_class::<trace::PyTracedRule>()?;
    m.add_class::<trace::PyTracedPathway>()?;
    m.add_class::<trace::PyTracedOffense>()?;
    m.add_class::<case::PyCase>()?;
    m.add_class::<case::PyCaseTransition>()?;
    m.add_class::<scenarios::PyMismatch>()?;
    m.add_class::<scenarios::PyScenarioResult>()?;
    m.add_class::<scenarios::PyScenarioReport>()?;
    m.add_function(wrap_pyfunction!(scenarios::test_program, m)?)?;
    m.add_function(wrap_pyfunction!(program::check, m)?)?;
    m.add_function(wrap_pyfunction!(diff::_diff, m)?)?;
    m.add_class::<analysis::PyAnalysis>()?;
    m.add_class::<analysis::PyAnalysedProgram>()?;
    m.add_class::<analysis::PyCondition>()?;
    m.add_class::<analysis::PyGap>()?;
    m.add_class::<analysis::PyOverlap>()?;
    m.add_class::<analysis::PyDeadRule>()?;
    m.add_class::<analysis::PyWholeExclusion>()?;
    m.add_class::<analysis::PyCoverageCell>()?;
    m.add_function(wrap_pyfunction!(analysis::_analyze, m)?)?;
    m.add_function(wrap_pyfunction!(json_schema, m)?)?;
    m.add_function(wrap_pyfunction!(case::case_graph, m)?)?;
    m.add_function(wrap_pyfunction!(enums::_vocabulary, m)?)?;
    m.add_function(wrap_pyfunction!(router::_encounter_fields, m)?)?;
    m.add_function(wrap_pyfunction!(router::_read_encounters, m)?)?;
    m.add_function(wrap_pyfunction!(sim::_scenario_from_file, m)?)?;
    m.add_function(wrap_pyfunction!(sim::_scenario_from_text, m)?)?;
    m.add_function(wrap_pyfunction!(sim::_scenario_to_toml, m)?)?;
    m.add_function(wrap_pyfunction!(sim::_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(sim::_sim_tables, m)?)?;
    m.add_function(wrap_pyfunction!(sim::_work_estimate, m)?)?;
    m.add("_WORK_BUDGET", offramp::sim::WORK_BUDGET)?;
    Ok(())
}
