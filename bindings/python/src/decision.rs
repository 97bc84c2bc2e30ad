//! `offramp.Decision` and the records inside it, with typed attributes.
//!
//! A `Decision` holds the core's decision behind an `Arc`; its parts are built when they are
//! read, so routing from Python costs one object until the caller looks inside.

use std::sync::Arc;

use offramp::providers::{ProviderGap, ProviderOption};
use offramp::{
    ChargeHold, Decision, EligiblePathway, Evidence, IneligiblePathway, NeededInformation,
    OffenseRef, Reason, Warning,
};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::convert::{opt_time_to_py, serde_to_py, time_to_py};
use crate::enums;
use crate::errors::{offramp_error, shield, write_error};

/// Which program decided, and which version of it.
#[pyclass(module = "offramp", name = "ProgramRef", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyProgramRef {
    id: String,
    hash: String,
}

#[pymethods]
impl PyProgramRef {
    /// The program's id.
    #[getter]
    fn id(&self) -> &str {
        &self.id
    }

    /// The content hash of the compiled program.
    #[getter]
    fn hash(&self) -> &str {
        &self.hash
    }

    fn __repr__(&self) -> String {
        format!("ProgramRef(id={:?}, hash={:?})", self.id, self.hash)
    }
}

/// Charges held in abeyance while the person follows the plan.
#[pyclass(module = "offramp", name = "ChargeHold", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyChargeHold {
    inner: ChargeHold,
}

#[pymethods]
impl PyChargeHold {
    /// The program's term, such as `90d`.
    #[getter]
    fn term(&self) -> &str {
        &self.inner.term
    }

    /// When the hold ends, in the program's time zone.
    #[getter]
    fn deadline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| time_to_py(py, &self.inner.deadline))
    }

    fn __repr__(&self) -> String {
        format!(
            "ChargeHold(term={:?}, deadline={})",
            &*self.inner.term,
            self.inner.deadline.to_rfc3339()
        )
    }
}

/// Why a pathway does not apply: one rule or exclusion, in words.
#[pyclass(module = "offramp", name = "Reason", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyReason {
    inner: Reason,
}

#[pymethods]
impl PyReason {
    /// The id of the rule or exclusion.
    #[getter]
    fn rule(&self) -> &str {
        &self.inner.rule
    }

    /// The clause that decided, in canonical form.
    #[getter]
    fn clause(&self) -> &str {
        &self.inner.clause
    }

    /// The reason as a sentence, with the values and limits that decided.
    #[getter]
    fn because(&self) -> &str {
        &self.inner.because
    }

    /// What decided, as data (`Evidence`); None for a reason that is not a clause (a
    /// responder the pathway does not serve, an Officer Intervention with nothing chargeable).
    #[getter]
    fn evidence(&self) -> Option<PyEvidence> {
        self.inner.evidence.as_deref().cloned().map(PyEvidence::new)
    }

    /// The record as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    fn __repr__(&self) -> String {
        format!(
            "Reason(rule={:?}, because={:?})",
            &*self.inner.rule, &*self.inner.because
        )
    }
}

/// One offence of the encounter as an explanation names it: by position, NIBRS code and the
/// code's name, never by text a records system typed.
#[pyclass(module = "offramp", name = "OffenseRef", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyOffenseRef {
    inner: OffenseRef,
}

impl PyOffenseRef {
    pub(crate) fn new(inner: OffenseRef) -> Self {
        PyOffenseRef { inner }
    }
}

#[pymethods]
impl PyOffenseRef {
    /// Its position in the encounter's `offenses`, from 0.
    #[getter]
    fn index(&self) -> u32 {
        self.inner.index
    }

    /// Its NIBRS code, such as `35A`.
    #[getter]
    fn nibrs(&self) -> String {
        self.inner.nibrs.to_string()
    }

    /// The code's name in the NIBRS table.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    fn __repr__(&self) -> String {
        format!(
            "OffenseRef(index={}, nibrs={:?}, name={:?})",
            self.inner.index,
            self.inner.nibrs.to_string(),
            &*self.inner.name
        )
    }
}

/// A clause's three-valued result and what decided it: the value it read, the limit it
/// compared that value with, the offence or history event a quantifier item is about, and
/// the parts below it.
#[pyclass(module = "offramp", name = "Evidence", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyEvidence {
    inner: Evidence,
}

impl PyEvidence {
    pub(crate) fn new(inner: Evidence) -> Self {
        PyEvidence { inner }
    }
}

#[pymethods]
impl PyEvidence {
    /// The clause in canonical form, the program's constants folded.
    #[getter]
    fn clause(&self) -> &str {
        &self.inner.clause
    }

    /// Its result (`Truth`): true, false, or unknown when a value it reads was not recorded.
    #[getter]
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.result))
    }

    /// The field the clause reads directly (`age`, `overdose.at`), or None.
    #[getter]
    fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// The coded value it read, written as a rule writes it (`16`, `73h`); None when not
    /// recorded or not a single value.
    #[getter]
    fn value(&self) -> Option<&str> {
        self.inner.value.as_deref()
    }

    /// The limit a comparison holds the value to (`18`, `72h`); the operator is in `clause`.
    #[getter]
    fn limit(&self) -> Option<&str> {
        self.inner.limit.as_deref()
    }

    /// The offence this evidence is about, inside a quantifier over offences.
    #[getter]
    fn offense(&self) -> Option<PyOffenseRef> {
        self.inner.offense.clone().map(PyOffenseRef::new)
    }

    /// The history event this evidence is about (its position in `history`, from 0).
    #[getter]
    fn event(&self) -> Option<u32> {
        self.inner.event
    }

    /// The parts below: alternatives of an `or`, conjuncts of an `and`, the operand of `not`,
    /// items of a quantifier. A reason keeps those that decided; a trace keeps them all.
    #[getter]
    fn parts(&self) -> Vec<PyEvidence> {
        self.inner
            .parts
            .iter()
            .cloned()
            .map(PyEvidence::new)
            .collect()
    }

    /// What decided, as a phrase (`age 16; needs 18 or more`); empty when the clause says it.
    fn detail(&self) -> String {
        self.inner.detail()
    }

    /// The record as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    fn __repr__(&self) -> String {
        let mut s = format!(
            "Evidence(clause={:?}, result={}",
            &*self.inner.clause,
            self.inner.result.as_str()
        );
        if let Some(v) = &self.inner.value {
            s.push_str(&format!(", value={:?}", &**v));
        }
        if let Some(l) = &self.inner.limit {
            s.push_str(&format!(", limit={:?}", &**l));
        }
        if !self.inner.parts.is_empty() {
            s.push_str(&format!(", parts={}", self.inner.parts.len()));
        }
        s.push(')');
        s
    }
}

/// A field not recorded whose recording could change the decision, with the pathways and
/// exclusions it would decide: what a field app should ask for next.
#[pyclass(module = "offramp", name = "NeededInformation", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyNeededInformation {
    inner: NeededInformation,
}

#[pymethods]
impl PyNeededInformation {
    /// The field as the encounter names it: `age`, `consent`, `attributes.screened`,
    /// `offenses[0].activity`.
    #[getter]
    fn field(&self) -> &str {
        &self.inner.field
    }

    /// Pathways whose eligibility it could decide (`Pathway` members), in the program's order.
    #[getter]
    fn pathways<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        shield(|| enums::list_to_py(py, &self.inner.pathways))
    }

    /// Exclusions it could decide, by id (`declined`, `officer_intervention.violent`).
    #[getter]
    fn exclusions(&self) -> Vec<String> {
        self.inner
            .exclusions
            .iter()
            .map(|x| x.to_string())
            .collect()
    }

    /// What it decides, in words: `officer intervention and exclusion `declined``.
    fn decides(&self) -> String {
        self.inner.decides()
    }

    /// The record as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    fn __repr__(&self) -> String {
        let pathways: Vec<&str> = self.inner.pathways.iter().map(|p| p.as_str()).collect();
        let exclusions: Vec<&str> = self.inner.exclusions.iter().map(|x| &**x).collect();
        format!(
            "NeededInformation(field={:?}, pathways={:?}, exclusions={:?})",
            &*self.inner.field, pathways, exclusions
        )
    }
}

/// Something the person reading the decision should know.
#[pyclass(module = "offramp", name = "Warning", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyWarning {
    inner: Warning,
}

#[pymethods]
impl PyWarning {
    /// A stable code (`WarningCode`).
    #[getter]
    fn code<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.code))
    }

    /// The warning in words.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    fn __repr__(&self) -> String {
        format!(
            "Warning(code={}, message={:?})",
            self.inner.code.as_str(),
            &*self.inner.message
        )
    }
}

/// A partner service that fits this person, as offered in a decision.
#[pyclass(module = "offramp", name = "ProviderOption", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyProviderOption {
    inner: ProviderOption,
}

#[pymethods]
impl PyProviderOption {
    /// The HSDS service id.
    #[getter]
    fn service_id(&self) -> &str {
        &self.inner.service_id
    }

    /// The service's name.
    #[getter]
    fn service(&self) -> &str {
        &self.inner.service
    }

    /// The organization's name.
    #[getter]
    fn organization(&self) -> &str {
        &self.inner.organization
    }

    /// The site offered, when the service has places.
    #[getter]
    fn site(&self) -> Option<&str> {
        self.inner.site.as_deref()
    }

    /// Whether it is open at the encounter's time.
    #[getter]
    fn open_now(&self) -> bool {
        self.inner.open_now
    }

    /// When the current opening ends (None when closed, or open with no end in sight).
    #[getter]
    fn open_until<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| opt_time_to_py(py, self.inner.open_until.as_ref()))
    }

    /// When it next opens (the encounter's time when open now; None when unknown).
    #[getter]
    fn next_open<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| opt_time_to_py(py, self.inner.next_open.as_ref()))
    }

    /// Great-circle distance from the encounter in km (None when a place is unknown).
    #[getter]
    fn distance_km(&self) -> Option<f64> {
        self.inner.distance_km
    }

    /// Places free now, when reported.
    #[getter]
    fn available(&self) -> Option<u32> {
        self.inner.available
    }

    /// What a place is (`bed`, `slot`), when capacity is reported.
    #[getter]
    fn unit(&self) -> Option<&str> {
        self.inner.unit.as_deref()
    }

    /// Whether the program names this organization or service as a preferred partner.
    #[getter]
    fn preferred_partner(&self) -> bool {
        self.inner.preferred_partner
    }

    /// Why it was chosen, in words.
    #[getter]
    fn reasons(&self) -> Vec<String> {
        self.inner.reasons.iter().map(|r| r.to_string()).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "ProviderOption(service={:?}, organization={:?}, open_now={})",
            &*self.inner.service,
            &*self.inner.organization,
            if self.inner.open_now { "True" } else { "False" }
        )
    }
}

/// An eligible pathway that no partner can take the person on now.
#[pyclass(module = "offramp", name = "ProviderGap", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyProviderGap {
    inner: ProviderGap,
}

#[pymethods]
impl PyProviderGap {
    /// The gap in words.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    /// The next time a fitting service opens, when one does within a year.
    #[getter]
    fn next_open<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| opt_time_to_py(py, self.inner.next_open.as_ref()))
    }

    fn __repr__(&self) -> String {
        format!("ProviderGap(message={:?})", &*self.inner.message)
    }
}

/// A pathway this person is eligible for, with its rank, admitting rule, charge hold and
/// partner options.
#[pyclass(module = "offramp", name = "EligiblePathway", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyEligiblePathway {
    pub(crate) inner: EligiblePathway,
}

#[pymethods]
impl PyEligiblePathway {
    /// The pathway (`Pathway`).
    #[getter]
    fn pathway<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.pathway))
    }

    /// 1 for the pathway to offer first.
    #[getter]
    fn rank(&self) -> u32 {
        self.inner.rank
    }

    /// The id of the rule that admitted it.
    #[getter]
    fn rule(&self) -> &str {
        &self.inner.rule
    }

    /// The charge hold, when the pathway holds charges and an offence is chargeable.
    #[getter]
    fn charge_hold(&self) -> Option<PyChargeHold> {
        self.inner
            .charge_hold
            .clone()
            .map(|inner| PyChargeHold { inner })
    }

    /// Partner services that fit, best first; None when the router has no directory or the
    /// program names no partner services for this pathway.
    #[getter]
    fn providers(&self) -> Option<Vec<PyProviderOption>> {
        self.inner.providers.as_ref().map(|options| {
            options
                .iter()
                .cloned()
                .map(|inner| PyProviderOption { inner })
                .collect()
        })
    }

    /// Set when no partner can take the person now.
    #[getter]
    fn provider_gap(&self) -> Option<PyProviderGap> {
        self.inner
            .provider_gap
            .clone()
            .map(|inner| PyProviderGap { inner })
    }

    /// The record as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    fn __repr__(&self) -> String {
        format!(
            "EligiblePathway(pathway={}, rank={}, rule={:?})",
            self.inner.pathway, self.inner.rank, &*self.inner.rule
        )
    }
}

/// A pathway the program offers that this person is not eligible for, with every reason.
#[pyclass(module = "offramp", name = "IneligiblePathway", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyIneligiblePathway {
    inner: IneligiblePathway,
}

#[pymethods]
impl PyIneligiblePathway {
    /// The pathway (`Pathway`).
    #[getter]
    fn pathway<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.pathway))
    }

    /// Why: every rule that failed, or the exclusion that applied.
    #[getter]
    fn reasons(&self) -> Vec<PyReason> {
        self.inner
            .reasons
            .iter()
            .cloned()
            .map(|inner| PyReason { inner })
            .collect()
    }

    /// The record as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    fn __repr__(&self) -> String {
        let rules: Vec<&str> = self.inner.reasons.iter().map(|r| &*r.rule).collect();
        format!(
            "IneligiblePathway(pathway={}, rules={:?})",
            self.inner.pathway, rules
        )
    }
}

/// The router's answer for one encounter: an audit record with stable field names.
#[pyclass(module = "offramp", name = "Decision", frozen)]
#[derive(Debug, Clone)]
pub struct PyDecision {
    pub(crate) inner: Arc<Decision>,
}

impl PyDecision {
    pub(crate) fn new(decision: Decision) -> Self {
        PyDecision {
            inner: Arc::new(decision),
        }
    }
}

#[pymethods]
impl PyDecision {
    /// Reads a decision back from its JSON form (a line of `offramp route` output).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        shield(|| {
            Decision::from_json(text)
                .map(PyDecision::new)
                .map_err(|e| offramp_error(py, format!("not a decision: {e}")))
        })
    }

    /// Reads a decision back from its dict form (as `to_dict` gives).
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        shield(|| {
            let py = data.py();
            let value = crate::convert::to_json(data).map_err(|e| {
                offramp_error(py, format!("not a decision: {}: {}", e.field, e.message))
            })?;
            Decision::from_json(&value.text())
                .map(PyDecision::new)
                .map_err(|e| offramp_error(py, format!("not a decision: {e}")))
        })
    }

    /// The encounter's pseudonymous id.
    #[getter]
    fn encounter_id(&self) -> &str {
        &self.inner.encounter_id
    }

    /// The program that decided, and its version hash.
    #[getter]
    fn program(&self) -> PyProgramRef {
        PyProgramRef {
            id: self.inner.program.id.to_string(),
            hash: self.inner.program.hash.to_string(),
        }
    }

    /// The Sequential Intercept point (`Intercept`).
    #[getter]
    fn intercept<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.intercept))
    }

    /// How the intercept was decided (`InterceptBasis`): given by the encounter, or read from
    /// who responded and how the contact came about.
    #[getter]
    fn intercept_basis<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.intercept_basis))
    }

    /// Deflection, pre-arrest diversion, or none (`Disposition`).
    #[getter]
    fn disposition<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.disposition))
    }

    /// Eligible pathways, best first.
    #[getter]
    fn eligible(&self) -> Vec<PyEligiblePathway> {
        self.inner
            .eligible
            .iter()
            .cloned()
            .map(|inner| PyEligiblePathway { inner })
            .collect()
    }

    /// Pathways the program offers that do not apply, with reasons.
    #[getter]
    fn ineligible(&self) -> Vec<PyIneligiblePathway> {
        self.inner
            .ineligible
            .iter()
            .cloned()
            .map(|inner| PyIneligiblePathway { inner })
            .collect()
    }

    /// Things to know.
    #[getter]
    fn warnings(&self) -> Vec<PyWarning> {
        self.inner
            .warnings
            .iter()
            .cloned()
            .map(|inner| PyWarning { inner })
            .collect()
    }

    /// Fields not recorded whose recording could change the decision, most decisive first:
    /// what a field app should ask for next. Empty when the decision rests on recorded facts.
    #[getter]
    fn needs_information(&self) -> Vec<PyNeededInformation> {
        self.inner
            .needs_information
            .iter()
            .cloned()
            .map(|inner| PyNeededInformation { inner })
            .collect()
    }

    /// The eligible pathways alone, best first (`Pathway` members).
    #[getter]
    fn pathways<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        shield(|| {
            let list: Vec<offramp::Pathway> =
                self.inner.eligible.iter().map(|e| e.pathway).collect();
            enums::list_to_py(py, &list)
        })
    }

    /// The decision as a dict (its JSON form: enums as names, times as RFC 3339 text).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &*self.inner))
    }

    /// The decision as one line of JSON, byte for byte what `offramp route` prints.
    fn to_json(&self) -> PyResult<String> {
        shield(|| self.inner.to_json().map_err(write_error))
    }

    /// The decision in plain sentences, for a person.
    fn explain(&self) -> PyResult<String> {
        shield(|| Ok(self.inner.explain()))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyDecision>() {
            Ok(o) => *o.get().inner == *self.inner,
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        let eligible: Vec<&str> = self
            .inner
            .eligible
            .iter()
            .map(|e| e.pathway.as_str())
            .collect();
        let needs: Vec<&str> = self
            .inner
            .needs_information
            .iter()
            .map(|n| &*n.field)
            .collect();
        format!(
            "<offramp.Decision {}: {}, eligible [{}]{}>",
            self.inner.encounter_id.chars().take(64).collect::<String>(),
            self.inner.disposition,
            eligible.join(", "),
            if needs.is_empty() {
                String::new()
            } else {
                format!(", needs [{}]", needs.join(", "))
            }
        )
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        shield(|| {
            let ctor = py.get_type::<PyDecision>().getattr("from_json")?;
            let args = PyTuple::new(py, [self.inner.to_json().map_err(write_error)?])?;
            PyTuple::new(py, [ctor, args.into_any()])
        })
    }
}
