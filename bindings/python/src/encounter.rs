//! `offramp.Encounter`: what is known at the point of contact.

use offramp::Encounter;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

use crate::convert::{self, Json, serde_to_py};
use crate::enums;
use crate::errors::{encounter_error, encounter_error_parts, shield, write_error};

/// One encounter: time, responder, source, needs, overdose, offences, flags, age, language,
/// consent, place and declared attributes, under a pseudonymous id.
#[pyclass(module = "offramp", name = "Encounter", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyEncounter {
    pub(crate) inner: Encounter,
}

/// Reads an encounter from a JSON value through the core's JSON reader (as the line of JSON it
/// stands for), after the Python adjustments.
pub(crate) fn from_value(
    py: Python<'_>,
    value: Json,
    int_attributes: &[String],
    row: Option<usize>,
) -> PyResult<Encounter> {
    convert::read_encounter(value, int_attributes).map_err(|e| encounter_error(py, &e, row))
}

/// Reads an encounter from what a Python caller gave: an `Encounter`, a dict in the JSON
/// shape, or JSON text. `int_attributes` are the program's whole-number attributes.
pub(crate) fn extract(
    obj: &Bound<'_, PyAny>,
    int_attributes: &[String],
    row: Option<usize>,
) -> PyResult<Encounter> {
    let py = obj.py();
    if let Ok(e) = obj.cast::<PyEncounter>() {
        return Ok(e.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_cow().map_err(|_| {
            encounter_error_parts(py, ".", "text that is not valid Unicode", None, row)
        })?;
        return Encounter::from_json(&text).map_err(|e| encounter_error(py, &e, row));
    }
    if let Ok(d) = obj.cast::<PyDict>()
        && let Some(enc) = crate::fast::encounter(d, int_attributes)
    {
        return Ok(enc);
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        let text = std::str::from_utf8(b.as_bytes())
            .map_err(|_| encounter_error_parts(py, ".", "bytes that are not UTF-8", None, row))?;
        return Encounter::from_json(text).map_err(|e| encounter_error(py, &e, row));
    }
    let value = convert::to_json(obj)
        .map_err(|e| encounter_error_parts(py, &e.field, &e.message, None, row))?;
    if !matches!(value, Json::Object(_)) {
        return Err(encounter_error_parts(
            py,
            ".",
            "expected an offramp.Encounter, a dict in the encounter's JSON shape, or JSON text",
            None,
            row,
        ));
    }
    from_value(py, value, int_attributes, row)
}

#[pymethods]
impl PyEncounter {
    /// An encounter from its fields, checked as the core checks a line of JSON.
    ///
    /// `at` is an aware `datetime` or RFC 3339 text; enum fields take the `offramp` enums or
    /// their names; `overdose`, `offenses` and `location` take dicts in the JSON shape.
    #[new]
    #[pyo3(signature = (id, at, *, responder = None, source = None, needs = None, overdose = None,
        offenses = None, flags = None, age = None, language = None, consent = None,
        willing = None, history = None, location = None, intercept = None, attributes = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
        responder: Option<&Bound<'_, PyAny>>,
        source: Option<&Bound<'_, PyAny>>,
        needs: Option<&Bound<'_, PyAny>>,
        overdose: Option<&Bound<'_, PyAny>>,
        offenses: Option<&Bound<'_, PyAny>>,
        flags: Option<&Bound<'_, PyAny>>,
        age: Option<&Bound<'_, PyAny>>,
        language: Option<&Bound<'_, PyAny>>,
        consent: Option<&Bound<'_, PyAny>>,
        willing: Option<&Bound<'_, PyAny>>,
        history: Option<&Bound<'_, PyAny>>,
        location: Option<&Bound<'_, PyAny>>,
        intercept: Option<&Bound<'_, PyAny>>,
        attributes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        shield(|| {
            let fields: [(&str, Option<&Bound<'_, PyAny>>); 16] = [
                ("id", Some(id)),
                ("at", Some(at)),
                ("responder", responder),
                ("source", source),
                ("needs", needs),
                ("overdose", overdose),
                ("offenses", offenses),
                ("flags", flags),
                ("age", age),
                ("language", language),
                ("consent", consent),
                ("willing", willing),
                ("history", history),
                ("location", location),
                ("intercept", intercept),
                ("attributes", attributes),
            ];
            let dict = PyDict::new(py);
            for (name, value) in fields {
                if let Some(v) = value {
                    dict.set_item(name, v)?;
                }
            }
            let value = convert::to_json(dict.as_any())
                .map_err(|e| encounter_error_parts(py, &e.field, &e.message, None, None))?;
            Ok(PyEncounter {
                inner: from_value(py, value, &[], None)?,
            })
        })
    }

    /// An encounter from a dict in its JSON shape.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        shield(|| {
            let py = data.py();
            if data.cast::<PyString>().is_ok() || data.cast::<PyBytes>().is_ok() {
                return Err(encounter_error_parts(
                    py,
                    ".",
                    "expected a dict (use Encounter.from_json for text)",
                    None,
                    None,
                ));
            }
            Ok(PyEncounter {
                inner: extract(data, &[], None)?,
            })
        })
    }

    /// An encounter from one line of JSON.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        shield(|| {
            Encounter::from_json(text)
                .map(|inner| PyEncounter { inner })
                .map_err(|e| encounter_error(py, &e, None))
        })
    }

    /// The pseudonymous id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// When the contact happened, as an aware datetime.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| convert::time_to_py(py, &self.inner.at))
    }

    /// Who is on scene (`Responder`), or None.
    #[getter]
    fn responder<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::opt_to_py(py, self.inner.responder))
    }

    /// How the contact came about (`Source`), or None.
    #[getter]
    fn source<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::opt_to_py(py, self.inner.source))
    }

    /// What the person may need (`Need` members).
    #[getter]
    fn needs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| Ok(enums::list_to_py(py, &self.inner.needs)?.into_any()))
    }

    /// Facts on scene that bear on eligibility (`Flag` members).
    #[getter]
    fn flags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| Ok(enums::list_to_py(py, &self.inner.flags)?.into_any()))
    }

    /// A recent overdose as `{"at": ..., "naloxone": ...}`, or None.
    #[getter]
    fn overdose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner.overdose))
    }

    /// Offences that could be charged, as dicts of their recorded fields (`nibrs`, `level`, and
    /// any of `violent`, `activity`, `drug_types`, `quantity`).
    #[getter]
    fn offenses<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner.offenses))
    }

    /// Age in years, or None.
    #[getter]
    fn age(&self) -> Option<u16> {
        self.inner.age
    }

    /// Preferred language (ISO 639-3), or None.
    #[getter]
    fn language(&self) -> Option<&'static str> {
        self.inner.language.map(offramp::Language::as_str)
    }

    /// Consent to share information (`Consent`), or None.
    #[getter]
    fn consent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::opt_to_py(py, self.inner.consent))
    }

    /// The person's stated willingness to engage (`Willing`), or None. Not the same as
    /// `consent`, which is about sharing information.
    #[getter]
    fn willing<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::opt_to_py(py, self.inner.willing))
    }

    /// The person's earlier events as `{"kind", "date", "nibrs", "level"}` dicts, or None when
    /// not recorded.
    #[getter]
    fn history<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner.history))
    }

    /// Where the contact happened as `{"lat": ..., "lon": ...}`, or None.
    #[getter]
    fn location<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner.location))
    }

    /// The intercept the encounter gives (`Intercept`), or None when it is to be derived.
    #[getter]
    fn intercept<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::opt_to_py(py, self.inner.intercept))
    }

    /// The intercept: the encounter's own, or derived from who responded and how.
    #[getter]
    fn derived_intercept<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| enums::to_py(py, self.inner.derived_intercept()))
    }

    /// Extra attributes the program declares.
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner.attributes))
    }

    /// The encounter as a dict in its JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        shield(|| serde_to_py(py, &self.inner))
    }

    /// The encounter as one line of JSON.
    fn to_json(&self) -> PyResult<String> {
        shield(|| self.inner.to_json().map_err(write_error))
    }

    fn __repr__(&self) -> String {
        format!(
            "<offramp.Encounter {} at {}>",
            self.inner.id.chars().take(64).collect::<String>(),
            self.inner.at.to_rfc3339()
        )
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        shield(|| {
            let ctor = py.get_type::<PyEncounter>().getattr("from_json")?;
            let args = PyTuple::new(py, [self.inner.to_json().map_err(write_error)?])?;
            PyTuple::new(py, [ctor, args.into_any()])
        })
    }
}
