//! Pathway simulation: what a program, its partners and their capacity would do for a
//! population over time, compared with no program at all.
//!
//! A [`Scenario`] describes the population (contact rates, needs, offences, overdoses, ages, a
//! reporting-only group), behaviour (offers, acceptance, engagement, retention, re-contact),
//! services (capacity, waitlists, episode lengths), the justice path (arrest, booking, jail)
//! and costs. A [`Simulation`] runs it as discrete events with the real [`Router`], so the
//! simulated program is exactly the deployed one; every replication runs twice on the same
//! population and arrivals, with the program and without it (the counterfactual). Results are
//! plain tables ([`SimResults`]) that write to CSV or JSON.
//!
//! The same seed gives the same results whatever the number of threads: each replication has
//! its own random streams, derived from the seed and the replication's index.
//!
//! ```
//! use offramp::sim::{RunOptions, Scenario, Simulation, Stage};
//! let mut scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"),
//!     "/../../examples/scenarios/lead-king-county.toml"))?;
//! scenario.scenario.days = Some(60);
//! let sim = Simulation::new(scenario)?;
//! let results = sim.run(&RunOptions { seed: Some(7), replications: Some(2), threads: None, allow_large: false })?;
//! let all: Vec<_> = results.funnel.iter().filter(|r| r.pathway == "all").collect();
//! assert_eq!(all[0].stage, Stage::Encounter);
//! assert!(all[0].count > 0);
//! let again = sim.run(&RunOptions { seed: Some(7), replications: Some(2), threads: Some(1), allow_large: false })?;
//! assert_eq!(results, again);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Router`]: crate::Router

mod assemble;
mod engine;
mod model;
mod report;
mod results;
mod rng;
mod scenario;
mod table;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_places;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use results::{
    Arm, CostRow, EffectRow, EquityRow, FunnelRow, IntakeTimeRow, InterceptRow, OutcomeRow,
    ProviderPeriodRow, ProviderRow, ReferralRow, RunInfo, SimResults, Stage, SummaryRow,
    TableFormat, TimelineRow,
};
pub use scenario::{
    Accept, AcceptCell, AgeBand, Area, Areas, Behaviour, ByPathway, Costs, DEFAULT_HALF_KM, Decay,
    Equity, FollowUp, Group, Justice, MAX_DECAY_POINTS, MAX_SCENARIO_BYTES, MAX_SCENARIO_ENTRIES,
    OffenseMix, OffenseShare, Overdoses, Places, ProviderSpec, Providers, Replay, Scenario,
    ScenarioError, ScenarioInfo,
};
pub use table::{Cell, Column, ColumnType, ColumnValue, Row, Table};

use crate::providers::{Directory, DirectoryError, LoadOptions};
use crate::{Encounter, Program, ProgramError, Router};
use model::Model;

/// A simulation could not be set up, run or written.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The scenario is not valid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The scenario's program does not load.
    #[error("{path}: the program does not load: {source}")]
    Program {
        /// The program's path.
        path: String,
        /// Why.
        #[source]
        source: Box<ProgramError>,
    },
    /// The scenario's provider directory does not load.
    #[error("{path}: the provider directory does not load: {source}")]
    Directory {
        /// The directory's path.
        path: String,
        /// Why.
        #[source]
        source: Box<DirectoryError>,
    },
    /// A replayed encounter could not be read.
    #[error("{file}:{line}: {message}")]
    Replay {
        /// The encounters file.
        file: String,
        /// The 1-based line.
        line: usize,
        /// What was wrong (the field and what was expected, never the value).
        message: String,
    },
    /// A result file could not be written.
    #[error("{path}: cannot write: {message}")]
    Output {
        /// The file or folder.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The run's estimated work is above [`WORK_BUDGET`] and the caller did not allow a
    /// large run ([`RunOptions::allow_large`]). Each surface adds how to allow it.
    #[error(
        "this run would simulate about {} encounters ({} people over {} days, {} replication{}, \
         each with and without the program), above the budget of {} per run",
        thousands(estimate.encounters),
        thousands(u64::from(estimate.people)),
        thousands(u64::from(estimate.days)),
        thousands(u64::from(estimate.replications)),
        if estimate.replications == 1 { "" } else { "s" },
        thousands(*budget)
    )]
    TooLarge {
        /// The estimate.
        estimate: WorkEstimate,
        /// [`WORK_BUDGET`].
        budget: u64,
    },
    /// The run was stopped through its cancel flag before it finished.
    #[error("the run was cancelled")]
    Cancelled,
    /// The thread pool could not be started.
    #[error("cannot start a pool of {threads} threads: {message}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why.
        message: String,
    },
}

/// How to run: the seed, the number of replications, the number of threads. Absent values
/// come from the scenario (seed, replications) or the machine (threads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunOptions {
    /// The seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Replications; each runs with and without the program.
    #[serde(default)]
    pub replications: Option<u32>,
    /// Worker threads, at most [`thread_cap`] (more are not started); the results do not
    /// depend on it.
    #[serde(default)]
    pub threads: Option<usize>,
    /// Run even when the estimated work is above [`WORK_BUDGET`].
    #[serde(default)]
    pub allow_large: bool,
}

/// The most simulated encounters (first contacts and overdoses, over every replication and
/// both arms) a run may be expected to make unless the caller allows a large run. On the
/// reference machine (2 cores) a run of this size takes about a minute; the memory a run
/// holds grows with the people it has met, up to a few gigabytes at this size.
///
/// ```
/// assert_eq!(offramp::sim::WORK_BUDGET, 50_000_000);
/// ```
pub const WORK_BUDGET: u64 = 50_000_000;

/// The work a run is expected to do, estimated before it starts from the scenario's rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WorkEstimate {
    /// People at risk of contact (the population).
    pub people: u32,
    /// Simulated days, the warm-up included.
    pub days: u32,
    /// Replications, each run with and without the program.
    pub replications: u32,
    /// Expected encounters: first contacts and overdoses per day times days (or the replayed
    /// encounters), times replications, times two arms.
    pub encounters: u64,
}

impl WorkEstimate {
    /// The estimate for `scenario` over `days` days, with `replications` (the scenario's when
    /// `None`), and `replayed` encounters when it replays some instead of generating them.
    fn new(
        scenario: &Scenario,
        replications: Option<u32>,
        days: u32,
        replayed: Option<usize>,
    ) -> WorkEstimate {
        let replications = replications
            .unwrap_or(scenario.scenario.replications)
            .max(1);
        let per_arm = match replayed {
            Some(n) => n as f64,
            None => model::daily_arrivals(scenario) * f64::from(days),
        };
        WorkEstimate {
            people: scenario.scenario.population,
            days,
            replications,
            // A float-to-integer cast saturates, so an absurd rate gives u64::MAX.
            encounters: (per_arm * f64::from(replications) * 2.0).ceil() as u64,
        }
    }

    /// People times days times replications: the person-days simulated in each arm.
    pub fn person_days(&self) -> u64 {
        u64::from(self.people)
            .saturating_mul(u64::from(self.days))
            .saturating_mul(u64::from(self.replications))
    }

    /// Whether the run is above [`WORK_BUDGET`].
    pub fn over_budget(&self) -> bool {
        self.encounters > WORK_BUDGET
    }
}

impl Scenario {
    /// The work a run of this scenario is expected to do, from the scenario alone (its files
    /// are not read): over its `days` (365 when not given), with `replications` (the
    /// scenario's when `None`), and `replayed` encounters when that many are given in memory.
    /// [`Simulation::estimate`] gives the same for a loaded scenario, over the span of its
    /// replayed encounters too.
    ///
    /// ```
    /// use offramp::sim::Scenario;
    /// let mut s = Scenario::default();
    /// s.scenario.days = Some(36_600);
    /// s.scenario.population = 50_000_000;
    /// s.contacts.insert(offramp::Source::CallForService, 1e6);
    /// assert!(s.work_estimate(Some(1), None).over_budget());
    /// ```
    pub fn work_estimate(
        &self,
        replications: Option<u32>,
        replayed: Option<usize>,
    ) -> WorkEstimate {
        WorkEstimate::new(
            self,
            replications,
            self.scenario
                .days
                .unwrap_or(365)
                .saturating_add(self.scenario.warm_up_days),
            replayed,
        )
    }
}

/// The most worker threads a run starts: the machine's cores (as the operating system
/// reports them to this process). A larger `threads` is lowered to it, since more threads than
/// cores only add switching.
pub fn thread_cap() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    group_digits(&n.to_string())
}

/// A run of digits with a comma between each group of three: `1234567` as `1,234,567`.
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len().saturating_add(digits.len() / 3));
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && digits.len().saturating_sub(i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How far a run has got, in simulated days over every replication and both arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Progress {
    /// Simulated days done.
    pub done: u64,
    /// Simulated days in all.
    pub total: u64,
}

/// A scenario ready to run: program compiled, directory indexed, encounters read. Immutable,
/// `Send + Sync`, cheap to clone; runs may go on from many threads at once.
#[derive(Debug, Clone)]
pub struct Simulation {
    model: Arc<Model>,
}

impl Simulation {
    /// Loads the scenario's program, directory and replayed encounters from their paths.
    pub fn new(scenario: Scenario) -> Result<Simulation, SimError> {
        scenario.validate()?;
        let replay = match &scenario.replay {
            Some(r) if r.encounters.as_os_str().is_empty() => {
                return Err(invalid(
                    &scenario,
                    "replay.encounters",
                    "must name the encounters file (or give the encounters in memory: \
                     Simulation::with_encounters, or encounters= in Python)",
                ));
            }
            Some(r) => Some(read_encounters(&r.encounters)?),
            None => None,
        };
        let (program, directory) = load_parts(&scenario)?;
        Simulation::from_parts(scenario, program, directory.as_ref(), replay)
    }

    /// Loads the scenario's program and directory from their paths, and replays `encounters`
    /// (real encounters from a records system, say) instead of generating a population. The
    /// scenario's `[replay]` table may give `person_attribute`; it must not also name a file.
    ///
    /// ```
    /// use offramp::{Encounter, sim::{RunOptions, Scenario, Simulation}};
    /// let scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"),
    ///     "/../../examples/scenarios/qrt-hamilton-county.toml"))?;
    /// let e = Encounter::from_json(r#"{"id":"e-1","at":"2026-03-02T10:00:00-05:00",
    ///   "responder":"peer","source":"overdose_follow_up","needs":["opioid_use"],
    ///   "overdose":{"at":"2026-03-01T22:00:00-05:00","naloxone":true},"consent":"verbal"}"#)?;
    /// let sim = Simulation::with_encounters(scenario, vec![e])?;
    /// let r = sim.run(&RunOptions { seed: Some(1), replications: Some(1), threads: None, allow_large: false })?;
    /// assert!(r.info.replay);
    /// let all = r.funnel.iter().find(|f| f.pathway == "all" && f.stage == offramp::sim::Stage::Encounter);
    /// assert_eq!(all.map(|f| f.count), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_encounters(
        scenario: Scenario,
        encounters: Vec<Encounter>,
    ) -> Result<Simulation, SimError> {
        scenario.validate()?;
        if let Some(r) = &scenario.replay
            && !r.encounters.as_os_str().is_empty()
        {
            return Err(invalid(
                &scenario,
                "replay.encounters",
                "names a file, and encounters were also given in memory: give one or the other",
            ));
        }
        let (program, directory) = load_parts(&scenario)?;
        Simulation::from_parts(scenario, program, directory.as_ref(), Some(encounters))
    }

    /// Reads a scenario file and loads what it names: see [`Scenario::from_file`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Simulation, SimError> {
        Simulation::new(Scenario::from_file(path)?)
    }

    /// A simulation from parts already in memory; the scenario's paths are not read. With
    /// `encounters`, they are replayed instead of generated.
    ///
    /// ```
    /// use offramp::{Encounter, Program, sim::{RunOptions, Scenario, Simulation}};
    /// let program = Program::from_file(concat!(env!("CARGO_MANIFEST_DIR"),
    ///     "/../../examples/programs/qrt-hamilton-county.toml"))?;
    /// let e = Encounter::from_json(r#"{"id":"e-1","at":"2026-03-02T10:00:00-05:00",
    ///   "responder":"peer","source":"overdose_follow_up","needs":["opioid_use"],
    ///   "overdose":{"at":"2026-03-01T22:00:00-05:00","naloxone":true},"consent":"verbal"}"#)?;
    /// let mut scenario = Scenario::default();
    /// scenario.behaviour.offer.default = 1.0;
    /// scenario.behaviour.accept.default = 1.0;
    /// scenario.behaviour.engage.default = 1.0;
    /// let sim = Simulation::from_parts(scenario, program, None, Some(vec![e]))?;
    /// let r = sim.run(&RunOptions::default())?;
    /// let accepted = r.funnel.iter().find(|f| f.pathway == "naloxone_plus" && f.stage == offramp::sim::Stage::Accepted);
    /// assert_eq!(accepted.map(|f| f.count), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_parts(
        scenario: Scenario,
        program: Program,
        directory: Option<&Directory>,
        encounters: Option<Vec<Encounter>>,
    ) -> Result<Simulation, SimError> {
        let router = match directory {
            Some(d) => {
                Router::with_directory(program, d).map_err(|source| SimError::Directory {
                    path: scenario
                        .scenario
                        .directory
                        .as_ref()
                        .map_or_else(|| "<directory>".into(), |p| p.display().to_string()),
                    source: Box::new(source),
                })?
            }
            None => Router::new(program),
        };
        let model = Model::build(scenario, router, directory, encounters)?;
        Ok(Simulation {
            model: Arc::new(model),
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.model.scenario
    }

    /// The router the program arm uses.
    pub fn router(&self) -> &Router {
        &self.model.router
    }

    /// Person-years simulated per replication: the population times the span in years.
    pub fn person_years(&self) -> f64 {
        f64::from(self.model.population) * f64::from(self.model.days) / 365.25
    }

    /// The work a run with `options` is expected to do (see [`WorkEstimate`]).
    ///
    /// ```
    /// use offramp::sim::{RunOptions, Scenario, Simulation};
    /// let scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"),
    ///     "/../../examples/scenarios/lead-king-county.toml"))?;
    /// let sim = Simulation::new(scenario)?;
    /// let estimate = sim.estimate(&RunOptions { replications: Some(4), ..RunOptions::default() });
    /// // A year counted after a year of warm-up.
    /// assert_eq!((estimate.days, estimate.replications), (730, 4));
    /// assert!(!estimate.over_budget());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn estimate(&self, options: &RunOptions) -> WorkEstimate {
        let m = &*self.model;
        WorkEstimate::new(
            &m.scenario,
            options.replications,
            m.simulated_days(),
            m.replay.as_ref().map(Vec::len),
        )
    }

    /// Runs every replication, in parallel, with and without the program.
    pub fn run(&self, options: &RunOptions) -> Result<SimResults, SimError> {
        self.run_with_progress(options, &|_| {})
    }

    /// Runs, calling `progress` (from worker threads) as simulated days pass.
    pub fn run_with_progress(
        &self,
        options: &RunOptions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<SimResults, SimError> {
        self.run_cancellable(options, progress, &AtomicBool::new(false))
    }

    /// Runs as [`Simulation::run_with_progress`] does, and stops soon after `cancel` is set
    /// (from another thread, or from `progress`): the engine looks at it every few thousand
    /// events, and the run then ends with [`SimError::Cancelled`].
    ///
    /// A run whose [`estimate`](Simulation::estimate) is above [`WORK_BUDGET`] is refused with
    /// [`SimError::TooLarge`] before anything runs, unless `options.allow_large` is set;
    /// `options.threads` above [`thread_cap`] is lowered to it.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use offramp::sim::{RunOptions, Scenario, SimError, Simulation};
    /// let scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"),
    ///     "/../../examples/scenarios/lead-king-county.toml"))?;
    /// let sim = Simulation::new(scenario)?;
    /// let cancel = AtomicBool::new(false);
    /// let stopped = sim.run_cancellable(&RunOptions::default(), &|_| cancel.store(true, Ordering::Relaxed), &cancel);
    /// assert!(matches!(stopped, Err(SimError::Cancelled)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_cancellable(
        &self,
        options: &RunOptions,
        progress: &(dyn Fn(Progress) + Sync),
        cancel: &AtomicBool,
    ) -> Result<SimResults, SimError> {
        let m = &*self.model;
        let sc = &m.scenario.scenario;
        let estimate = self.estimate(options);
        if estimate.over_budget() && !options.allow_large {
            return Err(SimError::TooLarge {
                estimate,
                budget: WORK_BUDGET,
            });
        }
        let seed = options.seed.unwrap_or(sc.seed);
        let replications = estimate.replications;
        let total = u64::from(replications)
            .saturating_mul(2)
            .saturating_mul(u64::from(m.simulated_days()));
        let done = AtomicU64::new(0);
        let tick = |days: u64| {
            let now = done.fetch_add(days, Ordering::Relaxed).saturating_add(days);
            progress(Progress { done: now, total });
        };
        let work = || -> Vec<assemble::Tables> {
            (0..replications)
                .into_par_iter()
                .map(|rep| {
                    let key = rng::replication_key(seed, rep);
                    // A generated population's traits are drawn once for both arms.
                    let traits = m
                        .replay
                        .is_none()
                        .then(|| engine::SharedTraits::new(m.population))
                        .flatten();
                    let traits = traits.as_ref();
                    let (with, without) = rayon::join(
                        || engine::run_arm(m, key, Arm::Program, traits, Some(&tick), Some(cancel)),
                        || {
                            engine::run_arm(
                                m,
                                key,
                                Arm::Counterfactual,
                                traits,
                                Some(&tick),
                                Some(cancel),
                            )
                        },
                    );
                    assemble::replication(m, rep, with, without)
                })
                .collect()
        };
        let tables = match options.threads {
            Some(n) => {
                let n = n.min(thread_cap());
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| SimError::Threads {
                        threads: n,
                        message: e.to_string(),
                    })?
                    .install(work)
            }
            None => work(),
        };
        if cancel.load(Ordering::Relaxed) {
            return Err(SimError::Cancelled);
        }
        let program = m.router.program();
        let info = RunInfo {
            scenario: m.scenario.scenario.name.clone(),
            program_id: program.id().to_string(),
            program_hash: program.hash().to_string(),
            directory: m.directory,
            replay: m.replay.is_some(),
            seed,
            replications,
            start: m.start,
            days: m.days,
            warm_up_days: m.scenario.scenario.warm_up_days,
            population: m.population,
            person_years: self.person_years(),
            encounters: 0,
            events: 0,
            replay_skipped: m.replay_skipped,
            offramp_version: env!("CARGO_PKG_VERSION").to_string(),
        };
        Ok(assemble::join(info, tables, replications))
    }
}

/// A scenario error about one field, with no place in a file.
fn invalid(scenario: &Scenario, field: &str, message: &str) -> SimError {
    SimError::Scenario(ScenarioError::Invalid {
        file: scenario.scenario.name.clone(),
        line: 0,
        column: 0,
        field: field.into(),
        message: message.into(),
        source_text: None,
    })
}

/// Loads the program and the directory (read in the program's time zone) a scenario names.
fn load_parts(scenario: &Scenario) -> Result<(Program, Option<Directory>), SimError> {
    let path = &scenario.scenario.program;
    if path.as_os_str().is_empty() {
        return Err(invalid(
            scenario,
            "scenario.program",
            "must name the program file",
        ));
    }
    let program = Program::from_file(path).map_err(|source| SimError::Program {
        path: path.display().to_string(),
        source: Box::new(source),
    })?;
    let directory = match &scenario.scenario.directory {
        Some(p) => {
            let options = LoadOptions {
                timezone: Some(program.spec().program.timezone.clone()),
                ..LoadOptions::default()
            };
            Some(
                Directory::from_file_with(p, &options).map_err(|source| SimError::Directory {
                    path: p.display().to_string(),
                    source: Box::new(source),
                })?,
            )
        }
        None => None,
    };
    Ok((program, directory))
}

/// Reads encounters from JSON lines (blank lines are skipped), each line at most
/// [`MAX_LINE_BYTES`](crate::lines::MAX_LINE_BYTES) long.
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/encounters/qrt-hamilton-county.jsonl");
/// let encounters = offramp::sim::read_encounters(path).unwrap();
/// assert!(!encounters.is_empty());
/// ```
pub fn read_encounters(path: impl AsRef<Path>) -> Result<Vec<Encounter>, SimError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let replay = |line: usize, message: String| SimError::Replay {
        file: file.clone(),
        line,
        message,
    };
    let reader = std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .map_err(|e| replay(0, format!("cannot read: {e}")))?;
    let mut out = Vec::new();
    for line in crate::lines::Lines::new(reader, crate::lines::MAX_LINE_BYTES) {
        let line = line.map_err(|e| replay(0, format!("cannot read: {e}")))?;
        let text = line
            .text
            .map_err(|problem| replay(line.number, problem.to_string()))?;
        out.push(
            Encounter::from_json(text.trim()).map_err(|e| replay(line.number, e.to_string()))?,
        );
    }
    Ok(out)
}
