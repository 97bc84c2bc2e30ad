//! `offramp.diff`: what changed between two versions of a program, and which decisions change
//! (the core's `authoring::diff`), over encounters or a scenario file's encounters. The result crosses as JSON, the same text `offramp diff
//! --format json` prints, and the package's `ProgramDiff` reads it.

use std::io::BufReader;
use std::path::PathBuf;

use offramp::Router;
use offramp::authoring::diff::{
    ProgramDiff, diff_decision_lines, diff_decisions, diff_scenarios, is_scenario_file,
};
use offramp::authoring::scenarios::ScenarioFile;
use offramp::lines::MAX_LINE_BYTES;
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;

use crate::errors::{encounter_error, offramp_error, shield};
use crate::program::PyProgram;
use crate::router::{Errors, Failure, int_attributes, into_encounters, read_input};

/// Compares two programs; with `encounters` (a list of encounters or dicts, a data frame, an
/// Arrow table, the path of a JSON lines file, or the path of a scenario file: a name ending in
/// `.toml`) decides each under both and counts the decisions that change. Returns the diff as
/// JSON.
#[pyfunction]
#[pyo3(signature = (old, new, encounters = None))]
pub(crate) fn _diff(
    py: Python<'_>,
    old: &Bound<'_, PyProgram>,
    new: &Bound<'_, PyProgram>,
    encounters: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    shield(|| {
        let old = Router::from_arc(old.get().inner.clone());
        let new = Router::from_arc(new.get().inner.clone());
        let mut diff = ProgramDiff::between(old.program(), new.program());
        if let Some(data) = encounters {
            let changes = match data.extract::<PathBuf>() {
                Ok(path) => {
                    let failed = |e: &dyn std::fmt::Display| {
                        PyOSError::new_err(format!("encounters: {}: {e}", path.display()))
                    };
                    let file = std::fs::File::open(&path).map_err(|e| failed(&e))?;
                    if is_scenario_file(&path) {
                        drop(file);
                        let scenarios = ScenarioFile::from_file(&path).map_err(|e| {
                            let lines: Vec<String> =
                                e.diagnostics().iter().map(ToString::to_string).collect();
                            offramp_error(py, format!("encounters: {}", lines.join("; ")))
                        })?;
                        py.detach(|| diff_scenarios(&old, &new, &scenarios))
                    } else {
                        py.detach(|| {
                            diff_decision_lines(&old, &new, BufReader::new(file), MAX_LINE_BYTES)
                        })
                        .map_err(|e| failed(&e))?
                    }
                }
                Err(_) => {
                    // An `int` attribute of either version is read as a whole number.
                    let mut ints = int_attributes(old.program());
                    ints.extend(int_attributes(new.program()));
                    ints.sort();
                    ints.dedup();
                    let input = read_input(data, &ints, "encounters", Errors::Raise)?;
                    let list =
                        py.detach(|| into_encounters(input, &ints))
                            .map_err(|f| match f {
                                Failure::Row(row, e) => encounter_error(py, &e, Some(row)),
                                Failure::Arrow(m) => offramp_error(py, format!("encounters: {m}")),
                            })?;
                    py.detach(|| diff_decisions(&old, &new, list))
                }
            };
            diff.decisions = Some(changes);
        }
        diff.to_json()
            .map_err(|e| offramp_error(py, format!("the diff cannot be written as JSON: {e}")))
    })
}
