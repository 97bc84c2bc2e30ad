//! `offramp.Case`: a referral's life after the decision.

use chrono::{DateTime, FixedOffset};
use offramp::Pathway;
use offramp::case::{
    Case, CaseError, CaseEvent, CaseTransition, TrackState, case_graph_dot, case_graph_mermaid,
};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::convert::{datetime_from_py, opt_time_to_py, serde_to_py, time_to_py};
use crate::decision::PyEligiblePathway;
use crate::encounter;
use crate::enums;
use crate::errors::{case_error, shield};

fn track_state<'py>(py: Python<'py>, s: TrackState) -> PyResult<Bound<'py, PyAny>> {
    match s {
        TrackState::Referral(status) => enums::to_py(py, status),
        TrackState::Charges(status) => enums::to_py(py, status),
    }
}

fn time_arg(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<DateTime<FixedOffset>> {
    datetime_from_py(obj).map_err(|m| case_error(py, format!("{what}: {m}")))
}

fn refused(py: Python<'_>, e: &CaseError) -> PyErr {
    case_error(py, e.to_string())
}

/// One recorded step in a case's history.
#[pyclass(module = "offramp", name = "CaseTransition", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyCaseTransition {
    inner: CaseTransition,
}

#[pymethods]
impl PyCaseTransition {
    /// The track the step moved: `"referral"` or `"charges"`.
    #[getter]
    fn track(&self) -> &'static str {
        match self.inner.from {
            TrackState::Referral(_) => "referral",
            TrackState::Charges(_) => "charges",
        }
    }

    /// The state before the event (`CaseStatus` or `ChargeStatus`).
    #[getter]
    fn before<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| track_state(py, self.inner.from))
    }

    /// The state after the event (`CaseStatus` or `ChargeStatus`).
    #[getter]
    fn after<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| track_state(py, self.inner.to))
    }

    /// What happened (`CaseEvent`).
    #[getter]
    fn event<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.event))
    }

    /// When it happened.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| time_to_py(py, &self.inner.at))
    }

    fn __repr__(&self) -> String {
        format!(
            "CaseTransition({} -> {} by {} at {})",
            self.inner.from.as_str(),
            self.inner.to.as_str(),
            self.inner.event,
            self.inner.at.to_rfc3339()
        )
    }
}

/// One referral followed after the routing decision, on two tracks: the referral (accepted,
/// engaged, completed, ...) and, when charges are held, the charges (held, dropped, filed).
/// Illegal moves raise `CaseError` and leave the case as it was.
#[pyclass(module = "offramp", name = "Case", eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyCase {
    inner: Case,
}

#[pymethods]
impl PyCase {
    /// Opens a case in status `referred`; give `charge_hold_deadline` when charges are held
    /// pending the referral.
    #[new]
    #[pyo3(signature = (encounter_id, pathway, at, charge_hold_deadline = None))]
    fn new(
        py: Python<'_>,
        encounter_id: String,
        pathway: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
        charge_hold_deadline: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        shield(|| {
            let pathway: Pathway =
                enums::from_py(pathway).map_err(|m| case_error(py, format!("pathway: {m}")))?;
            let at = time_arg(py, at, "at")?;
            let deadline = match charge_hold_deadline {
                Some(d) if !d.is_none() => Some(time_arg(py, d, "charge_hold_deadline")?),
                _ => None,
            };
            Ok(PyCase {
                inner: Case::new(encounter_id, pathway, at, deadline),
            })
        })
    }

    /// Opens the case for an eligible pathway of an encounter's decision, at the encounter's
    /// time, with the pathway's charge hold if it has one.
    #[staticmethod]
    fn open(
        encounter: &Bound<'_, PyAny>,
        eligible: &Bound<'_, PyEligiblePathway>,
    ) -> PyResult<Self> {
        shield(|| {
            let enc = encounter::extract(encounter, &[], None)?;
            Ok(PyCase {
                inner: Case::open(&enc, &eligible.get().inner),
            })
        })
    }

    /// Reads a stored case (as `to_json` writes it), replaying its history through the rules.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        shield(|| {
            serde_json::from_str::<Case>(text)
                .map(|inner| PyCase { inner })
                .map_err(|e| case_error(py, format!("not a valid case: {e}")))
        })
    }

    /// Applies an event (`CaseEvent` or its name) at a time (aware datetime or RFC 3339).
    fn apply(
        &mut self,
        py: Python<'_>,
        event: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        shield(|| {
            let event: CaseEvent =
                enums::from_py(event).map_err(|m| case_error(py, format!("event: {m}")))?;
            let at = time_arg(py, at, "at")?;
            self.inner.apply(event, at).map_err(|e| refused(py, &e))
        })
    }

    /// Every event that `apply` would accept at time `at`.
    fn available_events<'py>(
        &self,
        py: Python<'py>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        shield(|| {
            let at = time_arg(py, at, "at")?;
            enums::list_to_py(py, &self.inner.available_events(at))
        })
    }

    /// The encounter this case came from.
    #[getter]
    fn encounter_id(&self) -> &str {
        &self.inner.encounter_id
    }

    /// The pathway the encounter was routed to (`Pathway`).
    #[getter]
    fn pathway<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.pathway))
    }

    /// Where the referral stands (`CaseStatus`).
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.status()))
    }

    /// Where held charges stand (`ChargeStatus`), or None without a charge hold.
    #[getter]
    fn charges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::opt_to_py(py, self.inner.charges()))
    }

    /// The charge hold's deadline, or None without a charge hold.
    #[getter]
    fn charge_hold_deadline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| opt_time_to_py(py, self.inner.charge_hold().map(|h| &h.deadline)))
    }

    /// Every applied event, oldest first.
    #[getter]
    fn history(&self) -> Vec<PyCaseTransition> {
        self.inner
            .history()
            .iter()
            .cloned()
            .map(|inner| PyCaseTransition { inner })
            .collect()
    }

    /// When the case was opened.
    #[getter]
    fn opened_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| time_to_py(py, &self.inner.opened_at()))
    }

    /// The latest moment on record; new events may not be earlier.
    #[getter]
    fn last_event_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| time_to_py(py, &self.inner.last_event_at()))
    }

    /// Whether nothing is left to happen.
    #[getter]
    fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// The case as a dict, with its full history.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    /// The case as JSON, with its full history.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        shield(|| serde_json::to_string(&self.inner).map_err(|e| case_error(py, e.to_string())))
    }

    fn __repr__(&self) -> String {
        let charges = self
            .inner
            .charges()
            .map(|c| format!(", charges {c}"))
            .unwrap_or_default();
        format!(
            "<offramp.Case {} {}: {}{charges}>",
            self.inner.encounter_id.chars().take(64).collect::<String>(),
            self.inner.pathway,
            self.inner.status()
        )
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        shield(|| {
            let ctor = py.get_type::<PyCase>().getattr("from_json")?;
            let text =
                serde_json::to_string(&self.inner).map_err(|e| case_error(py, e.to_string()))?;
            let args = PyTuple::new(py, [text])?;
            PyTuple::new(py, [ctor, args.into_any()])
        })
    }
}

/// The referral case's state graph, as Mermaid (`"mermaid"`) or Graphviz (`"dot"`) text.
#[pyfunction]
#[pyo3(signature = (format = "mermaid"))]
pub(crate) fn case_graph(format: &str) -> PyResult<String> {
    shield(|| match format {
        "mermaid" => Ok(case_graph_mermaid()),
        "dot" => Ok(case_graph_dot()),
        _ => Err(pyo3::exceptions::PyValueError::new_err(
            "format must be \"mermaid\" or \"dot\"",
        )),
    })
}
