//! `offramp.analyze`: gaps, overlaps, rules that can never admit and the intercept grid of one
//! program or several taken together (the core's `authoring::analysis`). The result classes
//! hold the core's values and convert each attribute when it is read; `str(analysis)` is the
//! core's report, the text `offramp analyze` prints.

use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;

use offramp::authoring::analysis::{
    AnalysedProgram, Analysis, Condition, CoverageCell, DeadRule, Gap, Overlap, WholeExclusion,
    analyze,
};
use offramp::authoring::encounters::{EncounterLinesError, read_encounter_lines};
use offramp::lines::MAX_LINE_BYTES;
use offramp::{Encounter, Router};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::serde_to_py;
use crate::encounter::PyEncounter;
use crate::enums;
use crate::errors::{encounter_error, encounter_error_parts, offramp_error, shield, write_error};
use crate::program::PyProgram;
use crate::router::{Errors, Failure, int_attributes, into_encounters, read_input};

/// The analysis of one program, or of several taken together.
#[pyclass(module = "offramp", name = "Analysis", frozen)]
pub struct PyAnalysis {
    inner: Arc<Analysis>,
}

#[pymethods]
impl PyAnalysis {
    /// The programs analysed, in the order given.
    #[getter]
    fn programs(&self) -> Vec<PyAnalysedProgram> {
        self.inner
            .programs
            .iter()
            .map(|p| PyAnalysedProgram { inner: p.clone() })
            .collect()
    }

    /// How many classes of encounters were examined (one encounter routed for each).
    #[getter]
    fn encounters_examined(&self) -> u64 {
        self.inner.encounters_examined
    }

    /// Regions of encounters no program admits to any pathway, most common first.
    #[getter]
    fn gaps(&self) -> Vec<PyGap> {
        self.inner
            .gaps
            .iter()
            .map(|g| PyGap { inner: g.clone() })
            .collect()
    }

    /// Gap regions past the most listed, counted but not listed.
    #[getter]
    fn gaps_left_out(&self) -> usize {
        self.inner.gaps_left_out
    }

    /// Pathways always offered together, or always behind a higher-ranked one.
    #[getter]
    fn overlaps(&self) -> Vec<PyOverlap> {
        self.inner
            .overlaps
            .iter()
            .map(|o| PyOverlap { inner: o.clone() })
            .collect()
    }

    /// Rules that can never admit anyone.
    #[getter]
    fn dead_rules(&self) -> Vec<PyDeadRule> {
        self.inner
            .dead_rules
            .iter()
            .map(|d| PyDeadRule { inner: d.clone() })
            .collect()
    }

    /// Exclusions that leave a pathway (or every pathway) with no one to admit.
    #[getter]
    fn whole_exclusions(&self) -> Vec<PyWholeExclusion> {
        self.inner
            .whole_exclusions
            .iter()
            .map(|x| PyWholeExclusion { inner: x.clone() })
            .collect()
    }

    /// The Sequential Intercept Model grid: one cell per intercept and pathway.
    #[getter]
    fn coverage(&self) -> Vec<PyCoverageCell> {
        self.inner
            .coverage
            .iter()
            .map(|c| PyCoverageCell { inner: c.clone() })
            .collect()
    }

    /// Everything as plain data, as `offramp analyze --format json` writes it.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &*self.inner)
    }

    /// Everything as JSON, as `offramp analyze --format json` prints it.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string_pretty(&*self.inner).map_err(write_error)
    }

    /// The report `offramp analyze` prints.
    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        let ids: Vec<&str> = self.inner.programs.iter().map(|p| p.id.as_str()).collect();
        format!(
            "Analysis(programs={ids:?}, gaps={}, overlaps={}, dead_rules={}, whole_exclusions={})",
            self.inner
                .gaps
                .len()
                .saturating_add(self.inner.gaps_left_out),
            self.inner.overlaps.len(),
            self.inner.dead_rules.len(),
            self.inner.whole_exclusions.len()
        )
    }
}

/// One analysed program.
#[pyclass(module = "offramp", name = "AnalysedProgram", frozen)]
pub struct PyAnalysedProgram {
    inner: AnalysedProgram,
}

#[pymethods]
impl PyAnalysedProgram {
    /// The program's id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The program's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// The compiled program's content hash.
    #[getter]
    fn hash(&self) -> &str {
        &self.inner.hash
    }

    fn __repr__(&self) -> String {
        format!("AnalysedProgram(id={:?})", self.inner.id)
    }
}

/// One condition of a gap: a field and the values it takes there.
#[pyclass(module = "offramp", name = "Condition", frozen)]
pub struct PyCondition {
    inner: Condition,
}

#[pymethods]
impl PyCondition {
    /// The field, as rules name it (`age`, `responder`, `attributes.sale_for_profit`).
    #[getter]
    fn field(&self) -> &str {
        &self.inner.field
    }

    /// The values, in words (`under 18`).
    #[getter]
    fn text(&self) -> &str {
        &self.inner.text
    }

    fn __repr__(&self) -> String {
        format!(
            "Condition(field={:?}, text={:?})",
            self.inner.field, self.inner.text
        )
    }
}

/// A region of encounters that reaches no pathway.
#[pyclass(module = "offramp", name = "Gap", frozen)]
pub struct PyGap {
    inner: Gap,
}

#[pymethods]
impl PyGap {
    /// What holds in the region; a field not listed may take any value.
    #[getter]
    fn conditions(&self) -> Vec<PyCondition> {
        self.inner
            .conditions
            .iter()
            .map(|c| PyCondition { inner: c.clone() })
            .collect()
    }

    /// The region in one sentence.
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }

    /// The intercepts the region's encounters sit at (`Intercept` members).
    #[getter]
    fn intercepts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        enums::list_to_py(py, &self.inner.intercepts)
    }

    /// How many classes of encounters the region holds.
    #[getter]
    fn classes(&self) -> u64 {
        self.inner.classes
    }

    /// How many encounters of the encounters given fall in it; None without encounters.
    #[getter]
    fn encounters(&self) -> Option<u64> {
        self.inner.encounters
    }

    /// One encounter of the region, built by the analysis, that any router can route.
    #[getter]
    fn example(&self) -> PyEncounter {
        PyEncounter {
            inner: self.inner.example.clone(),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Gap(summary={:?}, classes={})",
            self.inner.summary, self.inner.classes
        )
    }

    fn __str__(&self) -> String {
        self.inner.summary.clone()
    }
}

/// Two pathways of one program that overlap.
#[pyclass(module = "offramp", name = "Overlap", frozen)]
pub struct PyOverlap {
    inner: Overlap,
}

#[pymethods]
impl PyOverlap {
    /// The program's id.
    #[getter]
    fn program(&self) -> &str {
        &self.inner.program
    }

    /// How they overlap: `"always_together"` or `"shadowed"`.
    #[getter]
    fn kind(&self) -> PyResult<String> {
        // The core's serde name, so the word is the JSON's.
        match serde_json::to_value(self.inner.kind) {
            Ok(serde_json::Value::String(s)) => Ok(s),
            _ => Err(write_error("an overlap's kind has no name")),
        }
    }

    /// The higher-ranked pathway (`Pathway`).
    #[getter]
    fn pathway<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::to_py(py, self.inner.pathway)
    }

    /// The lower-ranked pathway, the shadowed one (`Pathway`).
    #[getter]
    fn other<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::to_py(py, self.inner.other)
    }

    /// The overlap in one sentence.
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }

    fn __repr__(&self) -> String {
        format!(
            "Overlap(program={:?}, pathway={}, other={})",
            self.inner.program, self.inner.pathway, self.inner.other
        )
    }
}

/// A rule that can never admit anyone.
#[pyclass(module = "offramp", name = "DeadRule", frozen)]
pub struct PyDeadRule {
    inner: DeadRule,
}

#[pymethods]
impl PyDeadRule {
    /// The program's id.
    #[getter]
    fn program(&self) -> &str {
        &self.inner.program
    }

    /// The pathway the rule belongs to (`Pathway`).
    #[getter]
    fn pathway<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::to_py(py, self.inner.pathway)
    }

    /// The rule's id.
    #[getter]
    fn rule(&self) -> &str {
        &self.inner.rule
    }

    /// Why, in one sentence.
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }

    fn __repr__(&self) -> String {
        format!(
            "DeadRule(program={:?}, pathway={}, rule={:?})",
            self.inner.program, self.inner.pathway, self.inner.rule
        )
    }
}

/// An exclusion that leaves a pathway (or every pathway) with no one to admit.
#[pyclass(module = "offramp", name = "WholeExclusion", frozen)]
pub struct PyWholeExclusion {
    inner: WholeExclusion,
}

#[pymethods]
impl PyWholeExclusion {
    /// The program's id.
    #[getter]
    fn program(&self) -> &str {
        &self.inner.program
    }

    /// The exclusion's id.
    #[getter]
    fn exclusion(&self) -> &str {
        &self.inner.exclusion
    }

    /// The pathway it empties (`Pathway`); None for a program-wide exclusion that empties
    /// them all.
    #[getter]
    fn pathway<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::opt_to_py(py, self.inner.pathway)
    }

    /// Why, in one sentence.
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }

    fn __repr__(&self) -> String {
        format!(
            "WholeExclusion(program={:?}, exclusion={:?})",
            self.inner.program, self.inner.exclusion
        )
    }
}

/// One cell of the Sequential Intercept Model grid.
#[pyclass(module = "offramp", name = "CoverageCell", frozen)]
pub struct PyCoverageCell {
    inner: CoverageCell,
}

#[pymethods]
impl PyCoverageCell {
    /// The column (`Intercept`).
    #[getter]
    fn intercept<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::to_py(py, self.inner.intercept)
    }

    /// The row (`Pathway`).
    #[getter]
    fn pathway<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::to_py(py, self.inner.pathway)
    }

    /// The programs that admit someone here, by id.
    #[getter]
    fn programs(&self) -> Vec<String> {
        self.inner.programs.clone()
    }

    /// The responders on scene when someone is admitted here (`Responder` members).
    #[getter]
    fn responders<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        enums::list_to_py(py, &self.inner.responders)
    }

    /// The partner service kinds the programs ask for on this pathway.
    #[getter]
    fn partner_kinds(&self) -> Vec<String> {
        self.inner.partner_kinds.clone()
    }

    /// Whether encounters at this intercept reach no pathway somewhere.
    #[getter]
    fn gap(&self) -> bool {
        self.inner.gap
    }

    /// Whether some program admits someone in this cell.
    fn covered(&self) -> bool {
        self.inner.covered()
    }

    fn __repr__(&self) -> String {
        format!(
            "CoverageCell(intercept={}, pathway={}, covered={})",
            self.inner.intercept.number(),
            self.inner.pathway,
            if self.inner.covered() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// The encounters of the path given as `encounters`: a file of JSON lines. A line that is not
/// an encounter raises `EncounterError` naming its line (never its text).
fn encounters_from_file(py: Python<'_>, path: &std::path::Path) -> PyResult<Vec<Encounter>> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| PyOSError::new_err(format!("encounters: {shown}: {e}")))?;
    let read = py
        .detach(|| read_encounter_lines(BufReader::new(file), MAX_LINE_BYTES))
        .map_err(|e| match e {
            EncounterLinesError::Read(e) => PyOSError::new_err(format!("encounters: {shown}: {e}")),
            other => offramp_error(py, format!("encounters: {shown}: {other}")),
        })?;
    if let Some(f) = read.failures.first() {
        return Err(encounter_error_parts(
            py,
            f.field.as_deref().unwrap_or("."),
            &format!("{} (encounters: {shown}, line {})", f.message, f.line),
            None,
            None,
        ));
    }
    Ok(read.encounters)
}

/// Analyses `programs` together; `encounters` (a list of encounters or dicts, a data frame, an
/// Arrow table, or the path of a JSON lines file) orders the gaps by how many fall in each.
#[pyfunction]
#[pyo3(signature = (programs, encounters = None))]
pub(crate) fn _analyze(
    py: Python<'_>,
    programs: Vec<Bound<'_, PyProgram>>,
    encounters: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyAnalysis> {
    shield(|| {
        let routers: Vec<Router> = programs
            .iter()
            .map(|p| Router::from_arc(p.get().inner.clone()))
            .collect();
        let list = match encounters {
            None => None,
            Some(data) => Some(match data.extract::<PathBuf>() {
                Ok(path) => encounters_from_file(py, &path)?,
                Err(_) => {
                    // An `int` attribute of any program is read as a whole number.
                    let mut ints: Vec<String> = routers
                        .iter()
                        .flat_map(|r| int_attributes(r.program()))
                        .collect();
                    ints.sort();
                    ints.dedup();
                    let input = read_input(data, &ints, "encounters", Errors::Raise)?;
                    py.detach(|| into_encounters(input, &ints))
                        .map_err(|f| match f {
                            Failure::Row(row, e) => encounter_error(py, &e, Some(row)),
                            Failure::Arrow(m) => offramp_error(py, format!("encounters: {m}")),
                        })?
                }
            }),
        };
        let refs: Vec<&Router> = routers.iter().collect();
        let analysis = py
            .detach(|| analyze(&refs, list.as_deref()))
            .map_err(|e| offramp_error(py, format!("programs: {e}")))?;
        Ok(PyAnalysis {
            inner: Arc::new(analysis),
        })
    })
}
