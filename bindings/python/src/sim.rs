//! The native half of `offramp.sim`: reading scenarios and running simulations. The Python
//! module `offramp/sim.py` wraps these private functions in `Scenario`, `run` and `sweep`.
//!
//! A scenario crosses the boundary as its JSON text (so it pickles, and a Dask worker can
//! rebuild it); each result table crosses as a pyarrow Table built by the core with the column
//! types it declares (the same as the command's Parquet files), and its CSV text, byte for
//! byte what `offramp simulate --format csv` writes, is written from the run's results (kept in
//! a `SimCsv`) only when Python first asks for it.

use std::path::Path;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

use offramp::sim::{
    RunOptions, Scenario, ScenarioError, SimError, SimResults, Simulation, WORK_BUDGET,
};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;

use crate::errors::{
    directory_error, encounter_error, program_error, shield, simulation_error, write_error,
};
use crate::router::{Errors, Failure, int_attributes, into_encounters, read_input};

/// Maps a scenario error onto `offramp.SimulationError`, with its field, line and column.
fn scenario_error(py: Python<'_>, e: &ScenarioError) -> PyErr {
    let (line, column) = match e {
        ScenarioError::Parse { line, column, .. } | ScenarioError::Invalid { line, column, .. } => {
            (
                Some(*line).filter(|l| *l > 0),
                Some(*column).filter(|c| *c > 0),
            )
        }
        _ => (None, None),
    };
    simulation_error(py, e.to_string(), e.field(), line, column)
}

/// Maps a simulation error onto the package's exceptions: the program's onto `ProgramError`,
/// the directory's onto `DirectoryError`, the rest onto `SimulationError`.
fn sim_error(py: Python<'_>, e: &SimError) -> PyErr {
    match e {
        SimError::Scenario(s) => scenario_error(py, s),
        SimError::Program { source, .. } => program_error(py, source),
        SimError::Directory { source, .. } => directory_error(py, source),
        SimError::TooLarge { .. } => simulation_error(
            py,
            format!("{e}; pass allow_large=True to run it anyway"),
            None,
            None,
            None,
        ),
        other => simulation_error(py, other.to_string(), None, None, None),
    }
}

/// The scenario as JSON text.
fn to_json(py: Python<'_>, s: &Scenario) -> PyResult<String> {
    serde_json::to_string(s).map_err(|e| {
        simulation_error(
            py,
            format!("cannot write the scenario: {e}"),
            None,
            None,
            None,
        )
    })
}

/// The names of the result tables, in the order `offramp simulate` writes them.
#[pyfunction]
pub(crate) fn _sim_tables() -> Vec<&'static str> {
    SimResults::TABLES.to_vec()
}

/// Reads a scenario file (TOML, or JSON by extension), resolving its paths against its folder;
/// returns the scenario as JSON text.
#[pyfunction]
pub(crate) fn _scenario_from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<String> {
    shield(|| {
        let s = Scenario::from_file(&path).map_err(|e| scenario_error(py, &e))?;
        to_json(py, &s)
    })
}

/// Reads a scenario from TOML (`json=False`) or JSON text; relative paths are resolved against
/// `base` when given. Returns the scenario as JSON text. With `keyed`, the JSON was built from
/// a dict, not typed: errors name the dotted key, not a line and column of the internal text.
#[pyfunction]
#[pyo3(signature = (text, name, base=None, json=false, keyed=false))]
pub(crate) fn _scenario_from_text(
    py: Python<'_>,
    text: &str,
    name: &str,
    base: Option<std::path::PathBuf>,
    json: bool,
    keyed: bool,
) -> PyResult<String> {
    shield(|| {
        let mut s = if keyed {
            Scenario::from_json_keyed(text, name)
        } else if json {
            Scenario::from_json(text, name)
        } else {
            Scenario::from_toml(text, name)
        }
        .map_err(|e| scenario_error(py, &e))?;
        if let Some(b) = base {
            s.resolve_paths(Path::new(&b));
        }
        to_json(py, &s)
    })
}

/// The scenario (JSON text) as TOML.
#[pyfunction]
pub(crate) fn _scenario_to_toml(py: Python<'_>, scenario: &str) -> PyResult<String> {
    shield(|| {
        let s = Scenario::from_json(scenario, "<scenario>").map_err(|e| scenario_error(py, &e))?;
        s.to_toml().map_err(write_error)
    })
}

/// One result table for Python: its name and its pyarrow Table.
type TableOut<'py> = (String, Bound<'py, PyAny>);

/// A run's results, kept to write a table's CSV text when it is first asked for: most
/// callers read the Arrow tables only, and the CSV of a long run's per-period tables costs
/// more to write than the tables to build.
#[pyclass(module = "offramp._offramp", name = "SimCsv", frozen)]
pub(crate) struct SimCsv {
    results: SimResults,
}

#[pymethods]
impl SimCsv {
    /// One table's CSV text, as `offramp simulate --format csv` writes it.
    fn csv(&self, py: Python<'_>, name: &str) -> PyResult<String> {
        shield(|| {
            let written = py.detach(|| {
                let tables = self.results.tables();
                tables.iter().find(|t| t.name() == name).map(|t| t.to_csv())
            });
            match written {
                Some(csv) => csv.map_err(|e| sim_error(py, &e)),
                None => Err(pyo3::exceptions::PyKeyError::new_err(format!(
                    "no table {name:?}; expected one of {}",
                    SimResults::TABLES.join(", ")
                ))),
            }
        })
    }
}

/// How often a running simulation looks at Python: for Ctrl-C and to report progress.
const POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Runs a scenario (JSON text) without the GIL; returns `run.json`'s text, the report, one
/// `(table, pyarrow.Table)` per table, in `SimResults::TABLES` order, and the `SimCsv` that
/// writes their CSV text. With `encounters` (anything `Router.route_many` reads), they are
/// replayed instead of generating a population.
///
/// The run goes on in a thread of its own while this one, every tenth of a second, checks for
/// a signal (Ctrl-C stops the run and raises `KeyboardInterrupt`) and calls `progress(done,
/// total)` with the simulated days done, when they have moved. A run above the work budget is
/// refused unless `allow_large`. Returns `run.json`, the one-page report and the tables.
#[pyfunction]
#[pyo3(signature = (scenario, seed=None, replications=None, threads=None, encounters=None, allow_large=false, progress=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _simulate<'py>(
    py: Python<'py>,
    scenario: &str,
    seed: Option<u64>,
    replications: Option<u32>,
    threads: Option<usize>,
    encounters: Option<&Bound<'py, PyAny>>,
    allow_large: bool,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<(String, String, Vec<TableOut<'py>>, SimCsv)> {
    shield(|| {
        let s = Scenario::from_json(scenario, "<scenario>").map_err(|e| scenario_error(py, &e))?;
        let options = RunOptions {
            seed,
            replications,
            threads,
            allow_large,
        };
        // Encounters are read here, with the program's integer attributes, while the
        // interpreter is held; decoded and simulated without it.
        let given = match encounters.filter(|e| !e.is_none()) {
            None => None,
            Some(data) => {
                let path = &s.scenario.program;
                let ints = if path.as_os_str().is_empty() {
                    Vec::new() // refused below, with the field named
                } else {
                    let program =
                        offramp::Program::from_file(path).map_err(|e| program_error(py, &e))?;
                    int_attributes(&program)
                };
                Some((read_input(data, &ints, "encounters", Errors::Raise)?, ints))
            }
        };
        let progress = progress.filter(|p| !p.is_none());
        let cancel = AtomicBool::new(false);
        let done = AtomicU64::new(0);
        let total = AtomicU64::new(0);
        let work = || -> Result<Result<_, SimError>, Failure> {
            let sim = match given {
                None => Simulation::new(s),
                Some((input, ints)) => {
                    Simulation::with_encounters(s, into_encounters(input, &ints)?)
                }
            };
            Ok(sim.and_then(|sim| {
                let results = sim.run_cancellable(
                    &options,
                    &|p| {
                        total.store(p.total, Ordering::Relaxed);
                        done.fetch_max(p.done, Ordering::Relaxed);
                    },
                    &cancel,
                )?;
                let info =
                    serde_json::to_string_pretty(&results.info).map_err(|e| SimError::Output {
                        path: "run.json".into(),
                        message: e.to_string(),
                    })?;
                let mut tables = Vec::with_capacity(SimResults::TABLES.len());
                for table in results.tables() {
                    let batch = table.to_record_batch().map_err(|e| SimError::Output {
                        path: table.name().into(),
                        message: e.to_string(),
                    })?;
                    tables.push((table.name().to_string(), batch));
                }
                let report = results.report();
                Ok((info, report, tables, SimCsv { results }))
            }))
        };
        let mut interrupted: Option<PyErr> = None;
        let mut callback_failed: Option<PyErr> = None;
        // Set by the worker when it is done, with a condition variable to wake this thread.
        let finished = &(Mutex::new(false), Condvar::new());
        let outcome = std::thread::scope(|scope| {
            let worker = scope.spawn(move || {
                let out = work();
                let (flag, wake) = finished;
                *flag.lock().unwrap_or_else(PoisonError::into_inner) = true;
                wake.notify_all();
                out
            });
            let mut shown = u64::MAX;
            loop {
                let ended = py.detach(|| {
                    let (flag, wake) = finished;
                    let guard = flag.lock().unwrap_or_else(PoisonError::into_inner);
                    let (guard, _) = wake
                        .wait_timeout_while(guard, POLL, |done| !*done)
                        .unwrap_or_else(PoisonError::into_inner);
                    *guard
                });
                if interrupted.is_none()
                    && let Err(e) = py.check_signals()
                {
                    cancel.store(true, Ordering::Relaxed);
                    interrupted = Some(e);
                }
                if let Some(callback) = progress
                    && interrupted.is_none()
                    && callback_failed.is_none()
                {
                    let (d, t) = (done.load(Ordering::Relaxed), total.load(Ordering::Relaxed));
                    if t > 0 && d != shown {
                        shown = d;
                        if let Err(e) = callback.call1((d.min(t), t)) {
                            cancel.store(true, Ordering::Relaxed);
                            callback_failed = Some(e);
                        }
                    }
                }
                if ended {
                    break;
                }
            }
            py.detach(move || worker.join())
        });
        if let Some(e) = interrupted.or(callback_failed) {
            return Err(e);
        }
        let outcome = outcome.map_err(|_| {
            simulation_error(
                py,
                "the simulation stopped on an internal error".into(),
                None,
                None,
                None,
            )
        })?;
        match outcome {
            Ok(Ok((info, report, tables, csv))) => {
                let mut out = Vec::with_capacity(tables.len());
                for (name, batch) in tables {
                    let schema = batch.schema();
                    let table = PyTable::try_new(vec![batch], schema)?;
                    out.push((name, crate::arrow_out::to_pyarrow(py, table)?));
                }
                Ok((info, report, out, csv))
            }
            Ok(Err(e)) => Err(sim_error(py, &e)),
            Err(Failure::Row(row, e)) => Err(encounter_error(py, &e, Some(row))),
            Err(Failure::Arrow(m)) => Err(simulation_error(py, m, None, None, None)),
        }
    })
}

/// The work a run of a scenario (JSON text) is expected to do, without running it or reading
/// its files: `(encounters, budget, people, days, replications)`, the encounters expected over
/// every replication and both arms, and the budget a run may take without `allow_large`.
/// `replayed` is the number of encounters given in memory, if any.
#[pyfunction]
#[pyo3(signature = (scenario, replications=None, replayed=None))]
pub(crate) fn _work_estimate(
    py: Python<'_>,
    scenario: &str,
    replications: Option<u32>,
    replayed: Option<usize>,
) -> PyResult<(u64, u64, u32, u32, u32)> {
    shield(|| {
        let s = Scenario::from_json(scenario, "<scenario>").map_err(|e| scenario_error(py, &e))?;
        let e = s.work_estimate(replications, replayed);
        Ok((e.encounters, WORK_BUDGET, e.people, e.days, e.replications))
    })
}
