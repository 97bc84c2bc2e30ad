//! `offramp.Router`: routes encounters one at a time or in batches.

use std::sync::Arc;

use arrow_array::RecordBatch;
use offramp::program::AttributeType;
use offramp::providers::Capacity;
use offramp::{Decision, Encounter, EncounterError, Router};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;
use rayon::prelude::*;

use crate::arrow_in;
use crate::arrow_out::{Layout, Shape, to_pyarrow};
use crate::convert::datetime_from_py;
use crate::decision::PyDecision;
use crate::directory::PyDirectory;
use crate::encounter::{self, PyEncounter};
use crate::errors::{
    directory_error_parts, encounter_error, encounter_error_fields, encounter_error_parts,
    offramp_error, shield,
};
use crate::program::PyProgram;
use crate::trace::PyTrace;

/// Rows per unit of parallel work in `route_many`. Small enough that a unit's encounters and
/// decisions stay in mimalloc's ordinary size classes (a unit of 4,096 rows measured twice as
/// slow: its buffers pass the large-object threshold, and each one costs fresh zeroed pages),
/// large enough that the output table has few batches.
const CHUNK: usize = 2_048;

/// What `route_many` (or `offramp.sim.run(encounters=...)`) was given, read while holding
/// the interpreter.
pub(crate) enum Input {
    /// Encounters read one by one, each with its input row; with `errors="collect"`, the rows
    /// that could not be read are in `failed` and the others go on.
    Encounters {
        encounters: Vec<Encounter>,
        rows: Vec<usize>,
        failed: Vec<RowFailure>,
    },
    Batches(Vec<RecordBatch>),
}

/// Why a batch failed, found without the interpreter.
pub(crate) enum Failure {
    Row(usize, EncounterError),
    Arrow(String),
}

/// A row of `route_many`'s input that could not be decided: its row, the field at fault and
/// what was wrong (never the value).
pub(crate) struct RowFailure {
    row: usize,
    field: String,
    message: String,
}

impl RowFailure {
    fn new(row: usize, e: &EncounterError) -> RowFailure {
        let message = match e {
            EncounterError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        };
        RowFailure {
            row,
            field: e.field().to_string(),
            message,
        }
    }
}

/// How `route_many` treats a row that cannot be decided.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Errors {
    /// Raise `EncounterError` for it; nothing is returned.
    Raise,
    /// Leave it out of the decisions and list it in the table of failed rows.
    Collect,
}

impl Errors {
    fn parse(text: &str) -> PyResult<Errors> {
        match text {
            "raise" => Ok(Errors::Raise),
            "collect" => Ok(Errors::Collect),
            _ => Err(pyo3::exceptions::PyValueError::new_err(
                "errors must be \"raise\" or \"collect\"",
            )),
        }
    }
}

/// Reads `route_many`'s `shape` keyword.
fn parse_shape(text: &str) -> PyResult<Shape> {
    Shape::parse(text).ok_or_else(|| {
        let names: Vec<String> = Shape::ALL.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        pyo3::exceptions::PyValueError::new_err(format!(
            "shape must be one of {}",
            names.join(", ")
        ))
    })
}

/// The table of failed rows `route_many(errors="collect")` returns.
fn failures_table(failed: &[RowFailure]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    use arrow_array::{Int64Array, StringArray};
    let schema = Arc::new(arrow_schema::Schema::new(vec![
        arrow_schema::Field::new("row", arrow_schema::DataType::Int64, false),
        arrow_schema::Field::new("field", arrow_schema::DataType::Utf8, false),
        arrow_schema::Field::new("message", arrow_schema::DataType::Utf8, false),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from_iter_values(
                failed
                    .iter()
                    .map(|f| i64::try_from(f.row).unwrap_or(i64::MAX)),
            )),
            Arc::new(StringArray::from_iter_values(
                failed.iter().map(|f| f.field.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                failed.iter().map(|f| f.message.as_str()),
            )),
        ],
    )
}

/// Routes encounters through one program, and through a provider directory when given one.
/// Immutable and safe to share between threads; `route_many` uses every core.
#[pyclass(module = "offramp", name = "Router", frozen)]
pub struct PyRouter {
    inner: Router,
    program: Py<PyProgram>,
    directory: Option<Py<PyDirectory>>,
    int_attributes: Vec<String>,
    layout: Layout,
}

/// Which module a Python object's class comes from, if that module is loaded.
fn is_instance_of(obj: &Bound<'_, PyAny>, module: &str, class: &str) -> bool {
    let py = obj.py();
    let Ok(modules) = py.import("sys").and_then(|s| s.getattr("modules")) else {
        return false;
    };
    let Ok(Some(m)) = modules
        .cast::<PyDict>()
        .map(|d| d.get_item(module).ok().flatten())
    else {
        return false;
    };
    match m.getattr(class) {
        Ok(cls) => obj.is_instance(&cls).unwrap_or(false),
        Err(_) => false,
    }
}

impl PyRouter {
    /// Reads one encounter argument; an `Encounter` is borrowed, not copied.
    fn with_encounter<T>(
        &self,
        obj: &Bound<'_, PyAny>,
        f: impl FnOnce(&Encounter) -> T,
    ) -> PyResult<T> {
        if let Ok(e) = obj.cast::<PyEncounter>() {
            return Ok(f(&e.get().inner));
        }
        let enc = encounter::extract(obj, &self.int_attributes, None)?;
        Ok(f(&enc))
    }

    /// Reads the argument of `route_many`.
    fn input(&self, data: &Bound<'_, PyAny>, errors: Errors) -> PyResult<Input> {
        read_input(data, &self.int_attributes, "route_many", errors)
    }

    /// Routes and encodes without the interpreter: the decision batches and, with
    /// `Errors::Collect`, the rows that could not be decided, in row order.
    fn run(
        &self,
        input: Input,
        errors: Errors,
        shape: Shape,
    ) -> Result<(Vec<RecordBatch>, Vec<RowFailure>), Failure> {
        match input {
            Input::Encounters {
                encounters,
                rows,
                mut failed,
            } => {
                let answers = self.inner.route_batch(&encounters);
                drop(encounters);
                let mut decided = Vec::with_capacity(answers.len());
                let mut decided_rows = Vec::with_capacity(answers.len());
                for (row, answer) in rows.into_iter().zip(answers) {
                    match (answer, errors) {
                        (Ok(d), _) => {
                            decided.push(d);
                            decided_rows.push(row);
                        }
                        (Err(e), Errors::Raise) => return Err(Failure::Row(row, e)),
                        (Err(e), Errors::Collect) => failed.push(RowFailure::new(row, &e)),
                    }
                }
                failed.sort_by_key(|f| f.row);
                let batches = decided
                    .par_chunks(CHUNK)
                    .zip(decided_rows.par_chunks(CHUNK))
                    .map(|(chunk, rows)| {
                        self.layout
                            .encode(shape, chunk, rows)
                            .map_err(|e| Failure::Arrow(e.to_string()))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((batches, failed))
            }
            Input::Batches(batches) => {
                let mut tasks = Vec::new();
                let mut base = 0;
                for (b, batch) in batches.iter().enumerate() {
                    let rows = batch.num_rows();
                    let mut start = 0;
                    while start < rows {
                        let end = (start + CHUNK).min(rows);
                        tasks.push((b, start..end, base + start));
                        start = end;
                    }
                    base += rows;
                }
                let parts = tasks
                    .into_par_iter()
                    .map(|(b, range, first)| {
                        // A zero-copy slice, so that the chunk's plan reads its own rows only.
                        let part = batches[b].slice(range.start, range.len());
                        let read: Vec<Result<Encounter, EncounterError>> = match errors {
                            Errors::Raise => {
                                arrow_in::decode(&part, 0..part.num_rows(), &self.int_attributes)
                                    .map_err(|(i, e)| Failure::Row(first + i, e))?
                                    .into_iter()
                                    .map(Ok)
                                    .collect()
                            }
                            Errors::Collect => arrow_in::decode_each(
                                &part,
                                0..part.num_rows(),
                                &self.int_attributes,
                            ),
                        };
                        let mut failed = Vec::new();
                        let mut encounters = Vec::with_capacity(read.len());
                        let mut rows = Vec::with_capacity(read.len());
                        for (i, r) in read.into_iter().enumerate() {
                            match r {
                                Ok(e) => {
                                    encounters.push(e);
                                    rows.push(first + i);
                                }
                                Err(e) => failed.push(RowFailure::new(first + i, &e)),
                            }
                        }
                        let mut decisions: Vec<Decision> = Vec::with_capacity(encounters.len());
                        let mut decided_rows = Vec::with_capacity(encounters.len());
                        let answers = self.inner.route_batch(&encounters);
                        drop(encounters);
                        for (row, answer) in rows.into_iter().zip(answers) {
                            match (answer, errors) {
                                (Ok(d), _) => {
                                    decisions.push(d);
                                    decided_rows.push(row);
                                }
                                (Err(e), Errors::Raise) => return Err(Failure::Row(row, e)),
                                (Err(e), Errors::Collect) => {
                                    failed.push(RowFailure::new(row, &e));
                                }
                            }
                        }
                        let batch = self
                            .layout
                            .encode(shape, &decisions, &decided_rows)
                            .map_err(|e| Failure::Arrow(e.to_string()))?;
                        Ok((batch, failed))
                    })
                    .collect::<Result<Vec<_>, Failure>>()?;
                let mut out = Vec::with_capacity(parts.len());
                let mut failed = Vec::new();
                for (batch, f) in parts {
                    out.push(batch);
                    failed.extend(f);
                }
                failed.sort_by_key(|f| f.row);
                Ok((out, failed))
            }
        }
    }
}

/// Reads many encounters: a list of encounters (dicts or `Encounter`s), a pandas or polars
/// DataFrame, or anything with `__arrow_c_stream__`. `what` names the caller in messages. With
/// `Errors::Collect`, an item of a list that cannot be read is noted and the rest are read.
pub(crate) fn read_input(
    data: &Bound<'_, PyAny>,
    int_attributes: &[String],
    what: &str,
    errors: Errors,
) -> PyResult<Input> {
    let py = data.py();
    if data.cast::<PyDict>().is_ok() || data.cast::<PyEncounter>().is_ok() {
        return Err(encounter_error_parts(
            py,
            ".",
            &format!(
                "{what} takes many encounters (a list, a data frame or an Arrow table), not one{}",
                if what == "route_many" {
                    "; use route for one"
                } else {
                    ""
                }
            ),
            None,
            None,
        ));
    }
    if is_instance_of(data, "pandas", "DataFrame") {
        // Through Arrow when pyarrow can type the columns; row by row otherwise.
        let converted = py
            .import("pyarrow")
            .and_then(|pa| pa.getattr("Table"))
            .and_then(|t| {
                let kwargs = PyDict::new(py);
                kwargs.set_item("preserve_index", false)?;
                t.call_method("from_pandas", (data,), Some(&kwargs))
            });
        return match converted {
            Ok(table) => read_input(&table, int_attributes, what, errors),
            Err(_) => {
                let records = data.call_method1("to_dict", ("records",))?;
                read_input(&records, int_attributes, what, errors)
            }
        };
    }
    if is_instance_of(data, "polars", "DataFrame") {
        // A column of polars' `Null` type holds nothing but "not recorded", and Arrow cannot
        // import what polars exports for it: it is left out, as a null is everywhere else.
        let nulls = polars_null_columns(data)?;
        if !nulls.is_empty() {
            let rest = data.call_method1("drop", (nulls,))?;
            return read_input(&rest, int_attributes, what, errors);
        }
        if !data.hasattr("__arrow_c_stream__")? {
            let table = data.call_method0("to_arrow")?;
            return read_input(&table, int_attributes, what, errors);
        }
    }
    if data.hasattr("__arrow_c_stream__")? || data.hasattr("__arrow_c_array__")? {
        // pyo3-arrow reports a stream it cannot import as a bare `Exception`; it is the
        // table's shape that is wrong, so it is an `EncounterError` like any other.
        let unreadable = |e: PyErr| {
            let why = e.value(py).str().map(|s| s.to_string()).unwrap_or_default();
            encounter_error_parts(
                py,
                ".",
                &format!(
                    "the table cannot be read through Arrow: {}",
                    why.chars().take(200).collect::<String>()
                ),
                None,
                None,
            )
        };
        let any: AnyRecordBatch = data.extract().map_err(unreadable)?;
        let table = any.into_table().map_err(|e| unreadable(e.into()))?;
        let (batches, schema) = table.into_inner();
        if let Some(column) = arrow_in::duplicate_column(&schema) {
            return Err(encounter_error_parts(
                py,
                &column,
                "the table has two columns of this name; keep one",
                None,
                None,
            ));
        }
        return Ok(Input::Batches(batches));
    }
    let iter = data.try_iter().map_err(|_| {
        encounter_error_parts(
            py,
            ".",
            "expected a list of encounters, a pandas or polars DataFrame, or a pyarrow Table",
            None,
            None,
        )
    })?;
    let mut encounters = Vec::new();
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for (row, item) in iter.enumerate() {
        let item = item?;
        match encounter::extract(&item, int_attributes, Some(row)) {
            Ok(e) => {
                encounters.push(e);
                rows.push(row);
            }
            Err(err) => match (errors, encounter_error_fields(py, &err)) {
                (Errors::Collect, Some((field, message))) => failed.push(RowFailure {
                    row,
                    field,
                    message,
                }),
                _ => return Err(err),
            },
        }
    }
    Ok(Input::Encounters {
        encounters,
        rows,
        failed,
    })
}

/// The names of a polars DataFrame's columns of type `Null`.
fn polars_null_columns(df: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let mut names = Vec::new();
    for item in df.getattr("schema")?.call_method0("items")?.try_iter()? {
        let (name, dtype): (String, Bound<'_, PyAny>) = item?.extract()?;
        if dtype.str()?.to_cow()? == "Null" {
            names.push(name);
        }
    }
    Ok(names)
}

/// The program's attributes declared `int` (a table's numbers in them are read as integers).
pub(crate) fn int_attributes(program: &offramp::Program) -> Vec<String> {
    program
        .spec()
        .attributes
        .iter()
        .filter(|(_, a)| a.ty == AttributeType::Int)
        .map(|(name, _)| name.clone())
        .collect()
}

/// Every encounter of an input, decoded without the interpreter.
pub(crate) fn into_encounters(
    input: Input,
    int_attributes: &[String],
) -> Result<Vec<Encounter>, Failure> {
    match input {
        Input::Encounters {
            encounters,
            rows,
            failed,
        } => match failed.first() {
            Some(f) => Err(Failure::Row(
                f.row,
                EncounterError::Invalid {
                    field: f.field.clone(),
                    message: f.message.clone(),
                    position: None,
                },
            )),
            None => {
                drop(rows);
                Ok(encounters)
            }
        },
        Input::Batches(batches) => {
            let mut out = Vec::new();
            let mut base = 0;
            for batch in &batches {
                let rows = batch.num_rows();
                out.extend(
                    arrow_in::decode(batch, 0..rows, int_attributes)
                        .map_err(|(i, e)| Failure::Row(base + i, e))?,
                );
                base += rows;
            }
            Ok(out)
        }
    }
}

#[pymethods]
impl PyRouter {
    /// A router for a program; with a `directory` (a `Directory`, or the path of one, read in
    /// the program's time zone) decisions carry ranked partner options.
    #[new]
    #[pyo3(signature = (program, directory = None))]
    fn new(
        py: Python<'_>,
        program: &Bound<'_, PyProgram>,
        directory: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        shield(|| {
            let p: Arc<offramp::Program> = program.get().inner.clone();
            let directory: Option<Py<PyDirectory>> = match directory {
                None => None,
                Some(d) if d.is_none() => None,
                Some(d) => match d.cast::<PyDirectory>() {
                    Ok(dir) => Some(dir.clone().unbind()),
                    Err(_) => {
                        let path: std::path::PathBuf = d.extract().map_err(|_| {
                            pyo3::exceptions::PyTypeError::new_err(
                                "directory must be an offramp.Directory, a path, or None",
                            )
                        })?;
                        let tz = p.spec().program.timezone.clone();
                        Some(Py::new(
                            py,
                            PyDirectory::from_path(py, &path, Some(tz), None)?,
                        )?)
                    }
                },
            };
            let inner = match &directory {
                None => Router::from_arc(p.clone()),
                Some(d) => Router::with_directory(p.clone(), &d.get().inner)
                    .map_err(|e| crate::errors::directory_error(py, &e))?,
            };
            let int_attributes = int_attributes(&p);
            Ok(PyRouter {
                layout: Layout::new(&p),
                inner,
                program: program.clone().unbind(),
                directory,
                int_attributes,
            })
        })
    }

    /// Routes one encounter: an `Encounter`, a dict in the encounter's JSON shape, or a line
    /// of JSON. Raises `EncounterError` naming the field when the encounter cannot be read.
    fn route(&self, encounter: &Bound<'_, PyAny>) -> PyResult<PyDecision> {
        shield(|| self.with_encounter(encounter, |e| PyDecision::new(self.inner.route(e))))
    }

    /// Routes one encounter and explains the decision in sentences.
    fn explain(&self, encounter: &Bound<'_, PyAny>) -> PyResult<String> {
        shield(|| self.with_encounter(encounter, |e| self.inner.route(e).explain()))
    }

    /// Routes one encounter and traces every rule, exclusion and amnesty of the program: each
    /// clause with its three-valued result, the value it read and its limit. For a program
    /// author asking why; a trace costs many routes, so route many encounters with
    /// `route_many`.
    fn trace(&self, encounter: &Bound<'_, PyAny>) -> PyResult<PyTrace> {
        shield(|| self.with_encounter(encounter, |e| PyTrace::new(self.inner.trace(e))))
    }

    /// Routes many encounters on every core, without holding the interpreter, and returns a
    /// `pyarrow.Table` of decisions in one of two shapes:
    ///
    /// - `shape="pathways"` (the default): one row per encounter and eligible pathway (one row
    ///   with a null `pathway` when none is eligible), with the reasons, warnings and partner
    ///   options. An encounter eligible for two pathways is two rows, so counting rows
    ///   over-counts encounters.
    /// - `shape="decisions"`: one row per encounter, with the first pathway and its rule, the
    ///   ranked `pathways` as a list, `intercept_basis`, and `needs_information` (the names of
    ///   the fields whose recording could change the decision), with the reasons and warnings.
    ///   Count dispositions on this shape.
    ///
    /// `data` is a list of encounters (dicts or `Encounter`s), a pandas or polars DataFrame,
    /// or a pyarrow Table or RecordBatch (anything with `__arrow_c_stream__`), with one row
    /// per encounter and nested columns as in the JSON shape.
    ///
    /// `errors="raise"` (the default) raises `EncounterError` for a row that cannot be
    /// decided, naming its row and field. `errors="collect"` decides every other row and
    /// returns `(decisions, failures)`: `failures` is a `pyarrow.Table` of the rows left out,
    /// with columns `row`, `field` and `message` (never the value).
    #[pyo3(signature = (data, *, errors = "raise", shape = "pathways"))]
    fn route_many<'py>(
        &self,
        data: &Bound<'py, PyAny>,
        errors: &str,
        shape: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        shield(|| {
            let py = data.py();
            let errors = Errors::parse(errors)?;
            let shape = parse_shape(shape)?;
            let input = self.input(data, errors)?;
            let result = py.detach(|| self.run(input, errors, shape));
            let (batches, failed) = match result {
                Ok(b) => b,
                Err(Failure::Row(row, e)) => return Err(encounter_error(py, &e, Some(row))),
                Err(Failure::Arrow(m)) => {
                    return Err(offramp_error(py, format!("cannot build the table: {m}")));
                }
            };
            let table = to_pyarrow(py, PyTable::try_new(batches, self.layout.schema(shape))?)?;
            match errors {
                Errors::Raise => Ok(table),
                Errors::Collect => {
                    let failures = failures_table(&failed).map_err(|e| {
                        offramp_error(py, format!("cannot build the table of failed rows: {e}"))
                    })?;
                    let schema = failures.schema();
                    let failures = to_pyarrow(py, PyTable::try_new(vec![failures], schema)?)?;
                    Ok(PyTuple::new(py, [table, failures])?.into_any())
                }
            }
        })
    }

    /// Sets one service's capacity while other threads may be routing: `available` places of
    /// `unit` now (None clears the figure), out of `maximum`, as of `updated`.
    #[pyo3(signature = (service_id, available, *, maximum = None, unit = "bed", updated = None))]
    fn update_capacity(
        &self,
        py: Python<'_>,
        service_id: &str,
        available: Option<u32>,
        maximum: Option<u32>,
        unit: &str,
        updated: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        shield(|| {
            let updated = match updated {
                Some(u) if !u.is_none() => Some(datetime_from_py(u).map_err(|m| {
                    directory_error_parts(
                        py,
                        "<capacity>",
                        service_id,
                        "updated",
                        &format!("updated: {m}"),
                    )
                })?),
                _ => None,
            };
            let capacity = available.map(|available| Capacity {
                available,
                maximum,
                unit: unit.to_string(),
                updated,
            });
            self.inner
                .update_capacity(service_id, capacity)
                .map_err(|e| {
                    let record = format!("service {}", e.0);
                    let text = if self.inner.has_directory() {
                        e.to_string()
                    } else {
                        "this router has no directory".to_string()
                    };
                    directory_error_parts(py, "<capacity>", &record, "service_id", &text)
                })
        })
    }

    /// The program this router uses.
    #[getter]
    fn program(&self, py: Python<'_>) -> Py<PyProgram> {
        self.program.clone_ref(py)
    }

    /// The directory this router matches providers from, or None.
    #[getter]
    fn directory(&self, py: Python<'_>) -> Option<Py<PyDirectory>> {
        self.directory.as_ref().map(|d| d.clone_ref(py))
    }

    /// Whether provider matching is on.
    #[getter]
    fn has_directory(&self) -> bool {
        self.inner.has_directory()
    }

    /// The names of the columns `route_many` returns in its default shape (`"pathways"`).
    #[getter]
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let names: Vec<String> = self
            .layout
            .schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        PyList::new(py, names)
    }

    /// Pickles as the program, the directory and the capacity board now (with any updates
    /// made through `update_capacity`), so a router can go to another process or a Dask
    /// worker and decide exactly as this one does.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        shield(|| {
            let this = slf.get();
            let cls = py.get_type::<PyRouter>();
            let directory = match &this.directory {
                Some(d) => d.clone_ref(py).into_any(),
                None => py.None(),
            };
            let args = (this.program.clone_ref(py), directory).into_pyobject(py)?;
            let board = serde_json::to_string(&this.inner.capacities())
                .map_err(|e| offramp_error(py, format!("cannot save the capacity board: {e}")))?;
            PyTuple::new(
                py,
                [
                    cls.into_any(),
                    args.into_any(),
                    board.into_pyobject(py)?.into_any(),
                ],
            )
        })
    }

    /// Restores the capacity board saved by `__reduce__`.
    fn __setstate__(&self, py: Python<'_>, state: &str) -> PyResult<()> {
        shield(|| {
            let board: Vec<(String, Option<Capacity>)> = serde_json::from_str(state)
                .map_err(|e| offramp_error(py, format!("not a saved capacity board: {e}")))?;
            let unknown = self
                .inner
                .update_capacities(board.iter().map(|(id, c)| (id.as_str(), c.clone())));
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(offramp_error(
                    py,
                    format!(
                        "the saved capacity board names {} service(s) the directory lacks",
                        unknown.len()
                    ),
                ))
            }
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<offramp.Router {}{}>",
            self.inner.program().id(),
            if self.inner.has_directory() {
                " with a directory"
            } else {
                ""
            }
        )
    }
}

/// The encounter fields the shared reader reads (the fields a table may have).
#[pyfunction]
pub(crate) fn _encounter_fields() -> Vec<&'static str> {
    crate::reader::field_names()
}

/// The encounters of anything `route_many` takes, as `Encounter`s: lets the tests check that
/// every way in reads every field alike. `int_attributes` are the attributes a program would
/// declare `int`.
#[pyfunction]
#[pyo3(signature = (data, int_attributes = Vec::new()))]
pub(crate) fn _read_encounters(
    data: &Bound<'_, PyAny>,
    int_attributes: Vec<String>,
) -> PyResult<Vec<PyEncounter>> {
    shield(|| {
        let py = data.py();
        let input = read_input(data, &int_attributes, "_read_encounters", Errors::Raise)?;
        match into_encounters(input, &int_attributes) {
            Ok(encounters) => Ok(encounters
                .into_iter()
                .map(|inner| PyEncounter { inner })
                .collect()),
            Err(Failure::Row(row, e)) => Err(encounter_error(py, &e, Some(row))),
            Err(Failure::Arrow(m)) => Err(offramp_error(py, m)),
        }
    })
}
