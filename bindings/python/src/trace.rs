//! `offramp.Trace` and its parts: everything the router evaluated for one encounter, as typed
//! objects over the core's [`offramp::Trace`], with `to_dict` and `to_json` for its JSON shape.

use std::sync::Arc;

use offramp::{Trace, TracedOffense, TracedPathway, TracedRule, Truth};
use pyo3::prelude::*;

use crate::convert::serde_to_py;
use crate::decision::{PyDecision, PyEvidence, PyOffenseRef};
use crate::enums;
use crate::errors::{shield, write_error};

/// One rule, exclusion or amnesty, evaluated: its result and each conjunct of its top-level
/// `and` with the values it read.
#[pyclass(module = "offramp", name = "TracedRule", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyTracedRule {
    inner: TracedRule,
}

fn rules(list: &[TracedRule]) -> Vec<PyTracedRule> {
    list.iter()
        .cloned()
        .map(|inner| PyTracedRule { inner })
        .collect()
}

#[pymethods]
impl PyTracedRule {
    /// The rule's id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The whole rule's result (`Truth`).
    #[getter]
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.result))
    }

    /// Each conjunct, in order, with its result, the values it read and every part below it
    /// (`Evidence`).
    #[getter]
    fn clauses(&self) -> Vec<PyEvidence> {
        self.inner
            .clauses
            .iter()
            .cloned()
            .map(PyEvidence::new)
            .collect()
    }

    /// The record as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    fn __repr__(&self) -> String {
        format!(
            "TracedRule(id={:?}, result={}, clauses={})",
            &*self.inner.id,
            self.inner.result.as_str(),
            self.inner.clauses.len()
        )
    }
}

/// One pathway of the program, evaluated: whether it serves the responder, its exclusions and
/// its rules.
#[pyclass(module = "offramp", name = "TracedPathway", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyTracedPathway {
    inner: TracedPathway,
}

#[pymethods]
impl PyTracedPathway {
    /// The pathway (`Pathway`).
    #[getter]
    fn pathway<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.pathway))
    }

    /// Whether the pathway serves the encounter's responder (`Truth`: unknown when no
    /// responder was recorded and the pathway serves only some).
    #[getter]
    fn responder<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py::<Truth>(py, self.inner.responder))
    }

    /// The pathway's own exclusions.
    #[getter]
    fn exclusions(&self) -> Vec<PyTracedRule> {
        rules(&self.inner.exclusions)
    }

    /// The pathway's rules, in order; the first true one admits.
    #[getter]
    fn rules(&self) -> Vec<PyTracedRule> {
        rules(&self.inner.rules)
    }

    /// The record as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    fn __repr__(&self) -> String {
        format!(
            "TracedPathway(pathway={}, rules={}, exclusions={})",
            self.inner.pathway,
            self.inner.rules.len(),
            self.inner.exclusions.len()
        )
    }
}

/// One offence, as the law and the program's amnesties left it.
#[pyclass(module = "offramp", name = "TracedOffense", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyTracedOffense {
    inner: TracedOffense,
}

#[pymethods]
impl PyTracedOffense {
    /// The offence (`OffenseRef`: position, NIBRS code and name).
    #[getter]
    fn offense(&self) -> PyOffenseRef {
        PyOffenseRef::new(self.inner.offense.clone())
    }

    /// Whether it is chargeable, as routing decided it.
    #[getter]
    fn chargeable(&self) -> bool {
        self.inner.chargeable
    }

    /// Each amnesty's condition evaluated for this offence.
    #[getter]
    fn amnesties(&self) -> Vec<PyTracedRule> {
        rules(&self.inner.amnesties)
    }

    /// The record as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    fn __repr__(&self) -> String {
        format!(
            "TracedOffense(index={}, nibrs={:?}, chargeable={})",
            self.inner.offense.index,
            self.inner.offense.nibrs.to_string(),
            if self.inner.chargeable {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// Everything the router evaluated for one encounter, with the decision it came to: for a
/// program author asking why. `Router.trace` makes one.
#[pyclass(module = "offramp", name = "Trace", frozen)]
#[derive(Debug, Clone)]
pub struct PyTrace {
    inner: Arc<Trace>,
}

impl PyTrace {
    pub(crate) fn new(trace: Trace) -> Self {
        PyTrace {
            inner: Arc::new(trace),
        }
    }
}

#[pymethods]
impl PyTrace {
    /// The decision, exactly as `Router.route` gives it.
    #[getter]
    fn decision(&self) -> PyDecision {
        PyDecision::new(self.inner.decision.clone())
    }

    /// Each offence's chargeability and the amnesties evaluated for it.
    #[getter]
    fn offenses(&self) -> Vec<PyTracedOffense> {
        self.inner
            .offenses
            .iter()
            .cloned()
            .map(|inner| PyTracedOffense { inner })
            .collect()
    }

    /// The program-wide exclusions.
    #[getter]
    fn exclusions(&self) -> Vec<PyTracedRule> {
        rules(&self.inner.exclusions)
    }

    /// Each pathway, in the program's order.
    #[getter]
    fn pathways(&self) -> Vec<PyTracedPathway> {
        self.inner
            .pathways
            .iter()
            .cloned()
            .map(|inner| PyTracedPathway { inner })
            .collect()
    }

    /// The trace as a dict (its JSON form, as `offramp explain --trace --format json` gives).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &*self.inner))
    }

    /// The trace as one line of JSON, fields in a fixed order.
    fn to_json(&self) -> PyResult<String> {
        shield(|| self.inner.to_json().map_err(write_error))
    }

    /// The trace as indented text: the decision's explanation, then every offence, exclusion
    /// and rule with its result and each clause with the value it read and its limit.
    fn explain(&self) -> PyResult<String> {
        shield(|| Ok(self.inner.explain()))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyTrace>() {
            Ok(o) => *o.get().inner == *self.inner,
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<offramp.Trace {}: {} pathways, {} offences>",
            self.inner
                .decision
                .encounter_id
                .chars()
                .take(64)
                .collect::<String>(),
            self.inner.pathways.len(),
            self.inner.offenses.len()
        )
    }
}
