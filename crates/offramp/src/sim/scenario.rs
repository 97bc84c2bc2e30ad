//! The scenario: the population, the behaviour and the services a simulation runs on.
//!
//! A scenario is a TOML file (or the same structure built in code or read from JSON). Every
//! table has defaults, documented with their sources in `docs/simulation.md`; a table that is
//! given replaces its default whole when it is a map (`[contacts]`, `[needs]`...), and field by
//! field when it is a record (`[behaviour]`, `[justice]`...). Unknown keys are errors, reported
//! with the file, line and column.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{Consent, Flag, Level, Need, Pathway, Responder, Source, Willing};
use crate::nibrs::NibrsCode;
use crate::providers::ServiceKind;
use crate::source::{Diagnostic, Syntax, char_offset, offset_of, span_of, without_position};

/// The largest scenario read, in bytes (4 MiB): a scenario is a page of settings, a few
/// kilobytes. A larger file is refused before it is read whole, larger text before it is
/// parsed.
pub const MAX_SCENARIO_BYTES: usize = 4 << 20;

/// The most entries in any one list or table of a scenario whose length the scenario chooses
/// (10,000): `ages`, `offenses.mix`, `equity.groups`, `behaviour.accept.cells`,
/// `providers.services`, `attributes` and each attribute's values. Checked before any value is
/// checked; the simulation draws from these lists at every encounter.
pub const MAX_SCENARIO_ENTRIES: usize = 10_000;

/// A scenario could not be read or does not make sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: cannot read the scenario: {message}")]
    Io {
        /// The path given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The text is not a scenario: bad TOML or JSON, an unknown key, a value of the wrong type.
    #[error("{file}{}: {message}", place(*line, *column))]
    Parse {
        /// The file (or the name given for text).
        file: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
        /// The text read, for snippets (none for a scenario built in code).
        source_text: Option<Arc<str>>,
    },
    /// A value is out of range or inconsistent with another.
    #[error("{file}{}: `{field}` {message}", place(*line, *column))]
    Invalid {
        /// The file (or the name given for text).
        file: String,
        /// 1-based line of the key, as the parser read it (0 when unknown).
        line: usize,
        /// 1-based column of the key (0 when unknown).
        column: usize,
        /// The dotted path of the value, e.g. `behaviour.accept.default`.
        field: String,
        /// What was expected.
        message: String,
        /// The text read, for snippets (none for a scenario built in code).
        source_text: Option<Arc<str>>,
    },
}

/// `:LINE:COLUMN` when the place is known; nothing when it is not.
fn place(line: usize, column: usize) -> String {
    match (line, column) {
        (0, _) => String::new(),
        (l, 0) => format!(":{l}"),
        (l, c) => format!(":{l}:{c}"),
    }
}

impl ScenarioError {
    /// The dotted field path the error is about, when it is about one value.
    pub fn field(&self) -> Option<&str> {
        match self {
            ScenarioError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The error as a [`Diagnostic`] (code `offramp::scenario`), with the scenario's text for a
    /// snippet when it was read from one.
    ///
    /// ```
    /// use offramp::sim::Scenario;
    /// let text = "[scenario]\nprogram = \"p.toml\"\n\n[behaviour.accept]\ndefault = 1.5\n";
    /// let e = Scenario::from_toml(text, "s.toml").unwrap_err();
    /// let d = e.diagnostic();
    /// assert_eq!((d.line, d.column, d.path.as_deref()), (5, 1, Some("behaviour.accept.default")));
    /// assert!(e.render().starts_with("s.toml:5:1: error: `behaviour.accept.default` must be"));
    /// assert!(e.render().contains("default = 1.5"));
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        const CODE: &str = "offramp::scenario";
        match self {
            ScenarioError::Io { path, message } => {
                Diagnostic::new(CODE, path, format!("cannot read the scenario: {message}"))
            }
            ScenarioError::Parse {
                file,
                line,
                column,
                message,
                source_text,
            } => placed(
                Diagnostic::new(CODE, file, message.clone()),
                source_text,
                *line,
                *column,
            ),
            ScenarioError::Invalid {
                file,
                line,
                column,
                field,
                message,
                source_text,
            } => placed(
                Diagnostic::new(CODE, file, format!("`{field}` {message}")),
                source_text,
                *line,
                *column,
            )
            .with_path(field.clone()),
        }
    }

    /// `FILE:LINE:COL: error: message`, then a snippet of the scenario with the place marked,
    /// as for every file offramp reads (see [`Diagnostic::render`]).
    pub fn render(&self) -> String {
        self.diagnostic().render()
    }
}

/// The error for a scenario text over [`MAX_SCENARIO_BYTES`], at the start of the file.
fn too_long(name: &str) -> ScenarioError {
    ScenarioError::Parse {
        file: name.into(),
        line: 1,
        column: 1,
        message: format!(
            "the scenario is larger than {} MiB, the most a scenario may be",
            MAX_SCENARIO_BYTES >> 20
        ),
        source_text: None,
    }
}

/// A diagnostic at a line and column (in characters) of the text, when known.
fn placed(d: Diagnostic, text: &Option<Arc<str>>, line: usize, column: usize) -> Diagnostic {
    match text {
        Some(t) if line > 0 => {
            let at = char_offset(t, line, column);
            d.at(t, at..at)
        }
        _ => d,
    }
}

/// A scenario: everything a simulation run needs besides the seed.
///
/// ```
/// use offramp::sim::Scenario;
/// let s = Scenario::from_toml(r#"
/// [scenario]
/// name = "demo"
/// program = "examples/programs/lead-king-county.toml"
/// days = 90
/// population = 5000
///
/// [contacts]
/// call_for_service = 0.4      # per 1,000 people per day
/// "#, "demo.toml").unwrap();
/// assert_eq!(s.scenario.days, Some(90));
/// assert_eq!(s.contacts[&offramp::Source::CallForService], 0.4);
///
/// let err = Scenario::from_toml("[scenario]\nprogram = \"p.toml\"\ndayz = 3\n", "bad.toml").unwrap_err();
/// assert!(err.to_string().starts_with("bad.toml:3:1: "), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// What is simulated: the program, the directory, the time span and the population.
    pub scenario: ScenarioInfo,
    /// First contacts per day for every 1,000 people of the population, by how the contact
    /// came about, so that a larger population meets responders proportionally more often.
    /// Overdose follow-ups are not listed here: they follow simulated overdoses
    /// (`[overdoses.follow_up]`).
    pub contacts: BTreeMap<Source, f64>,
    /// First contacts per day across the whole population, whatever its size (absolute
    /// rates), by source. Rates are given one way or the other: with this table, `[contacts]`
    /// must be written and empty (left out, it holds its default rates per 1,000 people).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub contacts_per_day: BTreeMap<Source, f64>,
    /// Who responds, by source: shares of each responder.
    pub responders: BTreeMap<Source, BTreeMap<Responder, f64>>,
    /// Share of the population recorded with each need. `mental_health_crisis` and `suicidal`
    /// are episodes, drawn afresh at each encounter; the others are traits of the person.
    pub needs: BTreeMap<Need, f64>,
    /// Offences on scene.
    pub offenses: OffenseMix,
    /// Probability of each flag at an encounter.
    pub flags: BTreeMap<Flag, f64>,
    /// Shares of recorded consent at an encounter.
    pub consent: BTreeMap<Consent, f64>,
    /// Shares of the person's stated willingness to engage at an encounter (`yes`, `no`,
    /// `unknown`). Empty (the default) leaves it unrecorded, which rules read as unknown.
    pub willing: BTreeMap<Willing, f64>,
    /// Extra attributes the program declares (e.g. a screening result), drawn at each
    /// encounter: for each attribute, the shares of its values, written as text (`"true"`,
    /// `"3"`, `"high"`) and read as the program declares the attribute.
    pub attributes: BTreeMap<String, BTreeMap<String, f64>>,
    /// Overdoses and post-overdose follow-up.
    pub overdoses: Overdoses,
    /// Age bands of the population with their shares.
    pub ages: Vec<AgeBand>,
    /// The reporting-only group attribute for equity analysis.
    pub equity: Equity,
    /// How people and responders behave.
    pub behaviour: Behaviour,
    /// What happens to people who are arrested or whose held charges are filed.
    pub justice: Justice,
    /// Partner provider capacity and service times.
    pub providers: Providers,
    /// Unit costs and officer time.
    pub costs: Costs,
    /// Historical replay: real encounters in place of generated ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<Replay>,
    /// Where people live, and how distance to a service lowers engagement. Absent: people
    /// have no location and distance plays no part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub places: Option<Places>,
}

/// The `[scenario]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioInfo {
    /// A name for people.
    pub name: String,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The program file, relative to the scenario file.
    pub program: PathBuf,
    /// A provider directory, relative to the scenario file; when given, the router matches
    /// partners and the simulated services are the directory's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<PathBuf>,
    /// The first day, at local midnight in the program's time zone. Default 2026-01-01; in a
    /// replay, the day of the earliest encounter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    /// Days simulated. Default 365; in a replay, through the day of the last encounter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Days simulated before `start` and left out of every table: people, their histories,
    /// places in use, waiting lists and charge holds carry over into the counted span, so its
    /// first weeks are not a start-up artefact. Default 0 (the run starts empty, or with the
    /// directory's reported occupancy).
    pub warm_up_days: u32,
    /// People at risk of contact: the cohort whose person-years are simulated.
    pub population: u32,
    /// The length of a period in the outcomes-over-time tables, in days (7: weekly).
    pub period_days: u32,
    /// The seed used when the caller gives none.
    pub seed: u64,
    /// Replications used when the caller gives no number.
    pub replications: u32,
}

impl Default for ScenarioInfo {
    fn default() -> Self {
        ScenarioInfo {
            name: "scenario".into(),
            description: None,
            program: PathBuf::new(),
            directory: None,
            start: None,
            days: None,
            warm_up_days: 0,
            population: 10_000,
            period_days: 7,
            seed: 1,
            replications: 1,
        }
    }
}

/// One entry of the offence mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OffenseShare {
    /// The NIBRS code.
    pub nibrs: NibrsCode,
    /// Its share among encounters that carry an offence.
    pub share: f64,
    /// Shares of each level for this code.
    pub levels: BTreeMap<Level, f64>,
    /// Probability that violence was involved.
    #[serde(default)]
    pub violent: f64,
}

/// The `[offenses]` table: how often an encounter carries an offence, and which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OffenseMix {
    /// Probability that an encounter carries an offence, by source.
    pub probability: BTreeMap<Source, f64>,
    /// Which offence, with level shares.
    pub mix: Vec<OffenseShare>,
}

/// The `[overdoses]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Overdoses {
    /// Overdoses per day for every 1,000 people at risk (people with one of `needs`).
    pub per_1000: f64,
    /// Overdoses per day across all the people at risk, whatever their number (an absolute
    /// rate). Give one rate: with `per_day` above 0, `per_1000` must be 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub per_day: f64,
    /// The needs that put a person at risk of overdose.
    pub needs: Vec<Need>,
    /// Probability that an overdose is fatal.
    pub fatal: f64,
    /// Probability that naloxone is given to a survivor.
    pub naloxone: f64,
    /// Probability of another overdose within a year of one (the repeat-overdose hazard).
    pub repeat_within_year: f64,
    /// Post-overdose follow-up, made only when the program offers Naloxone Plus.
    pub follow_up: FollowUp,
}

/// The `[overdoses.follow_up]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FollowUp {
    /// Probability that a survivor is sought out at all.
    pub attempt: f64,
    /// Probability that an attempt reaches the person.
    pub contact: f64,
    /// Earliest attempt, hours after the overdose.
    pub min_hours: f64,
    /// Latest attempt, hours after the overdose.
    pub max_hours: f64,
    /// Who visits: shares of each responder.
    pub responders: BTreeMap<Responder, f64>,
}

/// One age band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeBand {
    /// Youngest age, inclusive.
    pub min: u16,
    /// Oldest age, inclusive.
    pub max: u16,
    /// Share of the population.
    pub share: f64,
}

/// One group of the reporting-only attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The attribute's value, e.g. `black`.
    pub name: String,
    /// Share of the population.
    pub share: f64,
    /// Contact rate relative to the population average's baseline (1: no difference). Models
    /// differential exposure to contact; routing never sees the group.
    #[serde(default = "one")]
    pub contact_ratio: f64,
    /// Multiplier on the probability of accepting an offer (1: no difference).
    #[serde(default = "one")]
    pub accept_ratio: f64,
}

fn one() -> f64 {
    1.0
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// The `[equity]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Equity {
    /// The attribute's name. When the program declares it (as reporting-only), generated
    /// encounters carry it, so the router is shown never to read it.
    pub attribute: String,
    /// The reference group of the relative rate index.
    pub reference: String,
    /// The groups with their shares.
    pub groups: Vec<Group>,
}

/// A probability that depends on the pathway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ByPathway {
    /// For pathways not listed.
    pub default: f64,
    /// By pathway.
    pub pathways: BTreeMap<Pathway, f64>,
}

impl ByPathway {
    /// A probability that is the same for every pathway.
    ///
    /// ```
    /// use offramp::{Pathway, sim::ByPathway};
    /// assert_eq!(ByPathway::all(0.5).get(Pathway::NaloxonePlus), 0.5);
    /// ```
    pub fn all(p: f64) -> ByPathway {
        ByPathway {
            default: p,
            pathways: BTreeMap::new(),
        }
    }

    /// The probability for a pathway.
    pub fn get(&self, pathway: Pathway) -> f64 {
        self.pathways.get(&pathway).copied().unwrap_or(self.default)
    }
}

impl Default for ByPathway {
    fn default() -> Self {
        ByPathway::all(1.0)
    }
}

/// A probability for one pathway and one need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptCell {
    /// The pathway offered.
    pub pathway: Pathway,
    /// A need the person has.
    pub need: Need,
    /// Probability of accepting.
    pub probability: f64,
}

/// The probability of accepting an offer, by pathway and need.
///
/// For a person offered pathway P: the mean of the `cells` for P and each of the person's
/// needs, when there are any; otherwise `pathways[P]`; otherwise `default`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Accept {
    /// For pathways and needs not listed.
    pub default: f64,
    /// By pathway.
    pub pathways: BTreeMap<Pathway, f64>,
    /// By pathway and need.
    pub cells: Vec<AcceptCell>,
}

impl Default for Accept {
    fn default() -> Self {
        Accept {
            default: 0.6,
            pathways: BTreeMap::new(),
            cells: Vec::new(),
        }
    }
}

/// The `[behaviour]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Behaviour {
    /// Probability that the responder makes the offer when a pathway is eligible.
    pub offer: ByPathway,
    /// Probability that the person accepts.
    pub accept: Accept,
    /// Probability that the person engages after the hand-off (arrives for intake).
    pub engage: ByPathway,
    /// Of those who start a service, the share still in it (or finished) after 30 days.
    pub retained_30: ByPathway,
    /// Of those who start a service, the share still in it (or finished) after 90 days.
    pub retained_90: ByPathway,
    /// Probability of another contact within a year of an encounter (the re-contact hazard).
    pub recontact_within_year: f64,
    /// Contact hazard while in a service, relative to out of it.
    pub engaged_contact_ratio: f64,
    /// Overdose hazard while in a service, relative to out of it.
    pub engaged_overdose_ratio: f64,
    /// Probability that an encounter carries the person's history: the arrests, charges filed,
    /// diversions, referrals and overdoses of the run so far (the run starts with none). Rules
    /// that read `history` are unknown for an encounter without it.
    pub history_checked: f64,
}

/// The `[justice]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Justice {
    /// Probability of arrest and booking for a chargeable offence that is not diverted, by the
    /// most serious level on scene.
    pub arrest: BTreeMap<Level, f64>,
    /// Probability of a jail stay after booking, by level.
    pub jail: BTreeMap<Level, f64>,
    /// Mean days in jail for a stay, by level.
    pub jail_days: BTreeMap<Level, f64>,
    /// Probability that held charges are filed when the hold ends and the person is neither in
    /// a service nor finished one.
    pub file_on_failed_hold: f64,
    /// Probability of an overdose within 30 days of release from jail, for people at risk.
    pub overdose_after_release: f64,
}

/// One simulated service: a directory service (by id) or, without a directory, a service the
/// scenario defines for some pathways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// The directory service id, or a name for a scenario-only service.
    pub id: String,
    /// Pathways that refer to it (scenario-only services; ignored with a directory).
    #[serde(default)]
    pub pathways: Vec<Pathway>,
    /// People it serves at once; absent means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// People who may wait for a place; absent means the `[providers]` default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waitlist: Option<u32>,
    /// Days a referral waits before it is lost; absent means the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait_days: Option<f64>,
    /// Mean length of an episode, in days; absent means the default for its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_days: Option<f64>,
}

/// The `[providers]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Providers {
    /// Capacity of a directory service that reports none and is not listed; absent: no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_capacity: Option<u32>,
    /// People who may wait for a place.
    pub waitlist: u32,
    /// Days a referral waits (for a place, or for the service to open) before it is lost.
    pub max_wait_days: f64,
    /// Mean hours from hand-off to intake when a place is free.
    pub intake_delay_hours: f64,
    /// Mean episode length in days, by the service's first kind.
    pub service_days: BTreeMap<ServiceKind, f64>,
    /// Mean episode length for a scenario-only service with no `service_days`.
    pub default_service_days: f64,
    /// Start with directory services as full as their reported free places say.
    pub initial_occupancy: bool,
    /// Services, with capacity and times.
    pub services: Vec<ProviderSpec>,
}

/// The `[costs]` table: unit costs (in any one currency) and officer time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Costs {
    /// One booking.
    pub booking: f64,
    /// One jail bed-day.
    pub jail_day: f64,
    /// One treatment or service episode started.
    pub treatment_episode: f64,
    /// One officer hour.
    pub officer_hour: f64,
    /// Officer hours spent on any encounter.
    pub encounter_hours: f64,
    /// Extra officer hours when a pathway is offered (the warm hand-off).
    pub referral_hours: f64,
    /// Extra officer hours for an arrest and booking.
    pub arrest_hours: f64,
}

/// The `[replay]` table: feed real encounters instead of generating them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// Encounters as JSON lines, relative to the scenario file. Leave it out when the
    /// encounters are given in memory ([`Simulation::with_encounters`], or `encounters=` in
    /// Python's `offramp.sim.run`).
    ///
    /// [`Simulation::with_encounters`]: super::Simulation::with_encounters
    #[serde(default, skip_serializing_if = "path_is_empty")]
    pub encounters: PathBuf,
    /// An encounter attribute naming the person, so that one person's encounters are linked;
    /// without it every encounter is a different person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_attribute: Option<String>,
}

fn path_is_empty(p: &Path) -> bool {
    p.as_os_str().is_empty()
}

// The `Default` of every section lives in `defaults.rs`.
mod defaults;
// The `[places]` table and the areas file.
mod places;
pub(crate) use places::read_areas;
pub use places::{Area, Areas, DEFAULT_HALF_KM, Decay, MAX_DECAY_POINTS, Places};

// ------------------------------------------------------------------ reading

impl Scenario {
    /// Reads a scenario from a TOML file (`.json` for JSON). Paths inside it are resolved
    /// against the file's folder.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = match crate::source::read_text_capped(path, MAX_SCENARIO_BYTES) {
            Ok(Some(text)) => text,
            Ok(None) => return Err(too_long(&shown)),
            Err(e) => {
                return Err(ScenarioError::Io {
                    path: shown,
                    message: e.to_string(),
                });
            }
        };
        let mut s = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Scenario::from_json(&text, &shown)?
        } else {
            Scenario::from_toml(&text, &shown)?
        };
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        s.resolve_paths(base);
        Ok(s)
    }

    /// Reads a scenario from TOML text; `name` is used in errors. Relative paths are kept as
    /// they are (relative to the working directory); see [`Scenario::resolve_paths`].
    pub fn from_toml(text: &str, name: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(too_long(name));
        }
        let source_text: Arc<str> = text.into();
        let s: Scenario = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|sp| crate::source::line_col(text, sp.start))
                .unwrap_or((0, 0));
            ScenarioError::Parse {
                file: name.into(),
                line,
                column,
                message: crate::domain::redact_serde_message(e.message().trim()),
                source_text: Some(source_text.clone()),
            }
        })?;
        s.validate_in(Some((&source_text, Syntax::Toml)), name)?;
        Ok(s)
    }

    /// Reads a scenario from JSON text (the same structure as the TOML).
    pub fn from_json(text: &str, name: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(too_long(name));
        }
        let source_text: Arc<str> = text.into();
        let s: Scenario = serde_json::from_str(text).map_err(|e| {
            let (line, column) =
                crate::source::line_col(text, offset_of(text, e.line(), e.column()));
            ScenarioError::Parse {
                file: name.into(),
                line: if e.line() == 0 { 0 } else { line },
                column: if e.line() == 0 { 0 } else { column },
                message: crate::domain::redact_serde_message(without_position(&e.to_string())),
                source_text: Some(source_text.clone()),
            }
        })?;
        s.validate_in(Some((&source_text, Syntax::Json)), name)?;
        Ok(s)
    }

    /// Reads a scenario from JSON text that was built in code (a dict changed by key, in
    /// Python), not written by a person: errors name the dotted key of the value at fault
    /// (`scenario.population`), with no line or column.
    ///
    /// ```
    /// use offramp::sim::Scenario;
    /// let e = Scenario::from_json_keyed(r#"{"scenario": {"program": "p.toml", "days": "many"}}"#, "replace()")
    ///     .unwrap_err();
    /// assert_eq!(e.field(), Some("scenario.days"));
    /// assert!(e.to_string().starts_with("replace(): `scenario.days` invalid type"), "{e}");
    /// ```
    pub fn from_json_keyed(text: &str, name: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(too_long(name));
        }
        let de = &mut serde_json::Deserializer::from_str(text);
        let s: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            let message =
                crate::domain::redact_serde_message(without_position(&e.inner().to_string()));
            if field.is_empty() || field == "." {
                ScenarioError::Parse {
                    file: name.into(),
                    line: 0,
                    column: 0,
                    message,
                    source_text: None,
                }
            } else {
                ScenarioError::Invalid {
                    file: name.into(),
                    line: 0,
                    column: 0,
                    field,
                    message,
                    source_text: None,
                }
            }
        })?;
        s.validate_in(None, name)?;
        Ok(s)
    }

    /// The JSON Schema (draft 2020-12) of the scenario format, for editors and validators.
    ///
    /// ```
    /// let schema = offramp::sim::Scenario::json_schema();
    /// assert_eq!(schema["title"], "Scenario");
    /// ```
    pub fn json_schema() -> serde_json::Value {
        schemars::schema_for!(Scenario).to_value()
    }

    /// The scenario as TOML.
    ///
    /// # Errors
    /// Fails only if the TOML writer refuses a value (a bug worth reporting).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    /// Makes the program, directory and replay paths relative to `base` (a scenario file's
    /// folder) when they are relative.
    pub fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() && !p.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.scenario.program);
        if let Some(d) = self.scenario.directory.as_mut() {
            fix(d);
        }
        if let Some(r) = self.replay.as_mut() {
            fix(&mut r.encounters);
        }
        if let Some(Areas::File(p)) = self.places.as_mut().and_then(|pl| pl.areas.as_mut()) {
            fix(p);
        }
    }

    /// Checks every value: probabilities in 0..=1, rates and times not negative, shares that
    /// add up, names that exist.
    ///
    /// ```
    /// use offramp::sim::Scenario;
    /// let mut s = Scenario::default();
    /// s.scenario.program = "p.toml".into();
    /// assert!(s.validate().is_ok());
    /// s.behaviour.accept.default = 1.5;
    /// let e = s.validate().unwrap_err();
    /// assert_eq!(e.field(), Some("behaviour.accept.default"));
    /// ```
    pub fn validate(&self) -> Result<(), ScenarioError> {
        self.validate_in(None, "<scenario>")
    }

    fn validate_in(
        &self,
        origin: Option<(&Arc<str>, Syntax)>,
        name: &str,
    ) -> Result<(), ScenarioError> {
        let mut v = Validator {
            origin,
            file: name,
            error: None,
        };
        // Every check below walks these lists, some pairwise: refuse long ones first.
        if let Some((field, len)) = self.longest_over_limit() {
            v.fail(
                &field,
                &format!("has {len} entries; at most {MAX_SCENARIO_ENTRIES} are allowed"),
            );
        } else {
            self.check(&mut v);
        }
        match v.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The first list or table longer than [`MAX_SCENARIO_ENTRIES`], with its length.
    fn longest_over_limit(&self) -> Option<(String, usize)> {
        let lists = [
            ("ages", self.ages.len()),
            ("offenses.mix", self.offenses.mix.len()),
            ("equity.groups", self.equity.groups.len()),
            ("behaviour.accept.cells", self.behaviour.accept.cells.len()),
            ("providers.services", self.providers.services.len()),
            ("attributes", self.attributes.len()),
            (
                "places.areas",
                self.places.as_ref().map_or(0, Places::listed),
            ),
        ];
        let mut over = lists
            .into_iter()
            .map(|(field, len)| (field.to_string(), len))
            .chain(
                self.attributes
                    .iter()
                    .map(|(name, values)| (attribute_field(name), values.len())),
            )
            .filter(|(_, len)| *len > MAX_SCENARIO_ENTRIES);
        over.next()
    }

    fn check(&self, v: &mut Validator<'_>) {
        let info = &self.scenario;
        v.range_u("scenario.population", info.population.into(), 1, 50_000_000);
        if let Some(d) = info.days {
            v.range_u("scenario.days", d.into(), 1, 36_600);
        }
        if let Some(problem) = info.start.as_ref().and_then(crate::domain::date_problem) {
            v.fail("scenario.start", &problem);
        }
        v.range_u(
            "scenario.warm_up_days",
            info.warm_up_days.into(),
            0,
            36_600u64.saturating_sub(info.days.unwrap_or(0).into()),
        );
        v.range_u("scenario.period_days", info.period_days.into(), 1, 3_660);
        v.range_u(
            "scenario.replications",
            info.replications.into(),
            1,
            100_000,
        );
        for (table, rates) in [
            ("contacts", &self.contacts),
            ("contacts_per_day", &self.contacts_per_day),
        ] {
            for (s, r) in rates {
                v.rate(&format!("{table}.{s}"), *r, 1e6);
            }
            if rates.contains_key(&Source::OverdoseFollowUp) {
                v.fail(
                    &format!("{table}.overdose_follow_up"),
                    "cannot be set: follow-ups come from simulated overdoses ([overdoses] and [overdoses.follow_up])",
                );
            }
        }
        if !self.contacts_per_day.is_empty() && !self.contacts.is_empty() {
            v.fail(
                "contacts_per_day",
                "cannot be given with rates in [contacts]: give contact rates one way, per 1,000 \
                 people in [contacts] or per day in [contacts_per_day] (left out, [contacts] \
                 holds its default rates, so write it empty)",
            );
        }
        for (s, shares) in &self.responders {
            v.shares(&format!("responders.{s}"), shares.values().copied());
        }
        for (n, p) in &self.needs {
            v.prob(&format!("needs.{n}"), *p);
        }
        for (s, p) in &self.offenses.probability {
            v.prob(&format!("offenses.probability.{s}"), *p);
        }
        if self.offenses.probability.values().any(|p| *p > 0.0) {
            if self.offenses.mix.is_empty() {
                v.fail(
                    "offenses.mix",
                    "must list at least one offence when an offence probability is above 0",
                );
            }
            v.shares("offenses.mix", self.offenses.mix.iter().map(|m| m.share));
        }
        for (i, m) in self.offenses.mix.iter().enumerate() {
            v.shares(
                &format!("offenses.mix[{i}].levels"),
                m.levels.values().copied(),
            );
            v.prob(&format!("offenses.mix[{i}].violent"), m.violent);
        }
        for (f, p) in &self.flags {
            v.prob(&format!("flags.{f}"), *p);
        }
        if !self.consent.is_empty() {
            v.shares("consent", self.consent.values().copied());
        }
        if !self.willing.is_empty() {
            v.shares("willing", self.willing.values().copied());
        }
        for (name, shares) in &self.attributes {
            let field = attribute_field(name);
            v.shares(&field, shares.values().copied());
            if *name == self.equity.attribute {
                v.fail(
                    &field,
                    "is the equity attribute: its values come from [equity] groups",
                );
            }
        }
        let od = &self.overdoses;
        v.rate("overdoses.per_1000", od.per_1000, 1e6);
        v.rate("overdoses.per_day", od.per_day, 1e6);
        if od.per_day > 0.0 && od.per_1000 > 0.0 {
            v.fail(
                "overdoses.per_day",
                "cannot be given with `per_1000` above 0: give the overdose rate one way, per \
                 1,000 people at risk (`per_1000`) or per day (`per_day`, with `per_1000 = 0`)",
            );
        }
        if (od.per_day > 0.0 || od.per_1000 > 0.0) && od.needs.is_empty() {
            v.fail(
                "overdoses.needs",
                "must list at least one need when overdoses have a rate above 0",
            );
        }
        v.prob("overdoses.fatal", od.fatal);
        v.prob("overdoses.naloxone", od.naloxone);
        v.prob_below_one("overdoses.repeat_within_year", od.repeat_within_year);
        let fu = &od.follow_up;
        v.prob("overdoses.follow_up.attempt", fu.attempt);
        v.prob("overdoses.follow_up.contact", fu.contact);
        v.rate("overdoses.follow_up.min_hours", fu.min_hours, 24.0 * 365.0);
        v.rate("overdoses.follow_up.max_hours", fu.max_hours, 24.0 * 365.0);
        if fu.max_hours < fu.min_hours {
            v.fail(
                "overdoses.follow_up.max_hours",
                "must not be less than min_hours",
            );
        }
        if !fu.responders.is_empty() {
            v.shares(
                "overdoses.follow_up.responders",
                fu.responders.values().copied(),
            );
        }
        if self.ages.is_empty() {
            v.fail("ages", "must list at least one age band");
        }
        for (i, a) in self.ages.iter().enumerate() {
            if a.min > a.max || a.max > 130 {
                v.fail(
                    &format!("ages[{i}].max"),
                    "must be at least `min` and at most 130",
                );
            }
        }
        v.shares("ages", self.ages.iter().map(|a| a.share));
        let eq = &self.equity;
        if eq.groups.is_empty() {
            v.fail("equity.groups", "must list at least one group");
        }
        v.shares("equity.groups", eq.groups.iter().map(|g| g.share));
        let mut names = std::collections::HashSet::new();
        for (i, g) in eq.groups.iter().enumerate() {
            v.rate(
                &format!("equity.groups[{i}].contact_ratio"),
                g.contact_ratio,
                1e3,
            );
            v.rate(
                &format!("equity.groups[{i}].accept_ratio"),
                g.accept_ratio,
                1e3,
            );
            if !names.insert(g.name.as_str()) {
                v.fail(&format!("equity.groups[{i}].name"), "is used by two groups");
            }
        }
        if !eq.groups.iter().any(|g| g.name == eq.reference) {
            v.fail("equity.reference", "must be the name of one of the groups");
        }
        if eq
            .groups
            .iter()
            .map(|g| g.share * g.contact_ratio)
            .sum::<f64>()
            <= 0.0
        {
            v.fail(
                "equity.groups",
                "must give some group a share and contact ratio above 0",
            );
        }
        let b = &self.behaviour;
        v.by_pathway("behaviour.offer", &b.offer);
        v.prob("behaviour.accept.default", b.accept.default);
        for (p, x) in &b.accept.pathways {
            v.prob(&format!("behaviour.accept.pathways.{p}"), *x);
        }
        for (i, c) in b.accept.cells.iter().enumerate() {
            v.prob(
                &format!("behaviour.accept.cells[{i}].probability"),
                c.probability,
            );
        }
        v.by_pathway("behaviour.engage", &b.engage);
        v.by_pathway("behaviour.retained_30", &b.retained_30);
        v.by_pathway("behaviour.retained_90", &b.retained_90);
        for p in Pathway::ALL {
            if b.retained_90.get(p) > b.retained_30.get(p) {
                v.fail(
                    "behaviour.retained_90",
                    &format!("must not exceed retained_30 (pathway {p})"),
                );
            }
        }
        v.prob_below_one("behaviour.recontact_within_year", b.recontact_within_year);
        v.range_f(
            "behaviour.engaged_contact_ratio",
            b.engaged_contact_ratio,
            0.0,
            1.0,
        );
        v.range_f(
            "behaviour.engaged_overdose_ratio",
            b.engaged_overdose_ratio,
            0.0,
            1.0,
        );
        v.prob("behaviour.history_checked", b.history_checked);
        let j = &self.justice;
        for (l, p) in &j.arrest {
            v.prob(&format!("justice.arrest.{l}"), *p);
        }
        for (l, p) in &j.jail {
            v.prob(&format!("justice.jail.{l}"), *p);
        }
        for (l, d) in &j.jail_days {
            v.rate(&format!("justice.jail_days.{l}"), *d, 36_500.0);
        }
        v.prob("justice.file_on_failed_hold", j.file_on_failed_hold);
        v.prob("justice.overdose_after_release", j.overdose_after_release);
        let pr = &self.providers;
        v.rate("providers.max_wait_days", pr.max_wait_days, 3_650.0);
        v.rate(
            "providers.intake_delay_hours",
            pr.intake_delay_hours,
            24.0 * 365.0,
        );
        v.range_f(
            "providers.default_service_days",
            pr.default_service_days,
            0.01,
            36_500.0,
        );
        for (k, d) in &pr.service_days {
            v.range_f(&format!("providers.service_days.{k}"), *d, 0.01, 36_500.0);
        }
        let mut ids = std::collections::HashSet::new();
        for (i, s) in pr.services.iter().enumerate() {
            if s.id.trim().is_empty() {
                v.fail(&format!("providers.services[{i}].id"), "must not be empty");
            }
            if !ids.insert(s.id.as_str()) {
                v.fail(&format!("providers.services[{i}].id"), "is used twice");
            }
            if let Some(w) = s.max_wait_days {
                v.rate(
                    &format!("providers.services[{i}].max_wait_days"),
                    w,
                    3_650.0,
                );
            }
            if let Some(d) = s.service_days {
                v.range_f(
                    &format!("providers.services[{i}].service_days"),
                    d,
                    0.01,
                    36_500.0,
                );
            }
        }
        if let Some(places) = &self.places {
            places.check(v);
        }
        let c = &self.costs;
        for (k, x) in [
            ("booking", c.booking),
            ("jail_day", c.jail_day),
            ("treatment_episode", c.treatment_episode),
            ("officer_hour", c.officer_hour),
            ("encounter_hours", c.encounter_hours),
            ("referral_hours", c.referral_hours),
            ("arrest_hours", c.arrest_hours),
        ] {
            v.rate(&format!("costs.{k}"), x, 1e12);
        }
    }
}

/// The dotted path of an extra attribute's table: `attributes.NAME` when the name is a plain
/// word, else `attributes` (a name is not repeated when it could be any text).
fn attribute_field(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("attributes.{name}")
    } else {
        "attributes".to_string()
    }
}

/// Collects the first problem, with its place in the text.
struct Validator<'a> {
    /// The text read and its syntax, to place problems (none for a scenario built in code).
    origin: Option<(&'a Arc<str>, Syntax)>,
    file: &'a str,
    error: Option<ScenarioError>,
}

impl Validator<'_> {
    fn fail(&mut self, field: &str, message: &str) {
        if self.error.is_some() {
            return;
        }
        let (line, column) = self
            .origin
            .and_then(|(text, syntax)| {
                let span = crate::source::unquoted(text, span_of(text, syntax, field, true)?);
                Some(crate::source::line_col(text, span.start))
            })
            .unwrap_or((0, 0));
        self.error = Some(ScenarioError::Invalid {
            file: self.file.into(),
            line,
            column,
            field: field.into(),
            message: message.into(),
            source_text: self.origin.map(|(text, _)| text.clone()),
        });
    }

    fn range_f(&mut self, field: &str, x: f64, lo: f64, hi: f64) {
        if !(x.is_finite() && x >= lo && x <= hi) {
            self.fail(field, &format!("must be a number from {lo} to {hi}"));
        }
    }

    fn range_u(&mut self, field: &str, x: u64, lo: u64, hi: u64) {
        if x < lo || x > hi {
            self.fail(field, &format!("must be from {lo} to {hi}"));
        }
    }

    fn prob(&mut self, field: &str, p: f64) {
        if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
            self.fail(field, "must be a probability from 0 to 1");
        }
    }

    fn prob_below_one(&mut self, field: &str, p: f64) {
        if !(p.is_finite() && (0.0..1.0).contains(&p)) {
            self.fail(field, "must be a probability from 0 to below 1");
        }
    }

    fn rate(&mut self, field: &str, r: f64, hi: f64) {
        if !(r.is_finite() && r >= 0.0 && r <= hi) {
            self.fail(field, &format!("must be a number from 0 to {hi}"));
        }
    }

    fn by_pathway(&mut self, field: &str, b: &ByPathway) {
        self.prob(&format!("{field}.default"), b.default);
        for (p, x) in &b.pathways {
            self.prob(&format!("{field}.pathways.{p}"), *x);
        }
    }

    /// Shares must be non-negative and add up to 1 (within 1%); they are normalised on use.
    fn shares(&mut self, field: &str, shares: impl Iterator<Item = f64>) {
        let mut sum = 0.0;
        for s in shares {
            if !(s.is_finite() && s >= 0.0) {
                self.fail(field, "must hold shares that are numbers of at least 0");
                return;
            }
            sum += s;
        }
        if (sum - 1.0).abs() > 0.01 {
            self.fail(
                field,
                &format!("must hold shares that add up to 1 (they add up to {sum:.4})"),
            );
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scenario `{}`", self.scenario.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = "[scenario]\nprogram = \"p.toml\"\n";

    #[test]
    fn defaults_are_valid() {
        let s = Scenario::from_toml(MIN, "s.toml").unwrap();
        assert_eq!(s.scenario.population, 10_000);
        assert!(s.validate().is_ok());
        let back = Scenario::from_toml(&s.to_toml().unwrap(), "back.toml").unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn unknown_keys_are_placed() {
        let e = Scenario::from_toml(&format!("{MIN}\n[behaviour]\nofer = 0.5\n"), "s.toml")
            .unwrap_err();
        let ScenarioError::Parse {
            line,
            column,
            message,
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!((*line, *column), (5, 1), "{e}");
        assert!(
            message.contains("ofer") && message.contains("did you mean `offer`"),
            "{e}"
        );
        let e = Scenario::from_toml(
            &format!("{MIN}[contacts]\ncall_for_servise = 1\n"),
            "s.toml",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("s.toml:4:1:"), "{e}");
        assert!(e.to_string().contains("call_for_service"), "{e}");
    }

    #[test]
    fn bad_values_are_placed() {
        let e = Scenario::from_toml(
            &format!("{MIN}\n[behaviour.accept]\ndefault = 1.2\n"),
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("behaviour.accept.default"));
        assert!(e.to_string().starts_with("s.toml:5:1:"), "{e}");
        let e = Scenario::from_toml(
            &format!("{MIN}[[ages]]\nmin = 18\nmax = 30\nshare = 0.4\n"),
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("ages"));
        assert!(e.to_string().contains("add up to 1"), "{e}");
        let e = Scenario::from_toml(
            &format!("{MIN}[contacts]\noverdose_follow_up = 1\n"),
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("contacts.overdose_follow_up"));
        assert!(e.to_string().starts_with("s.toml:4:1:"), "{e}");
    }

    #[test]
    fn errors_do_not_repeat_values() {
        let e = Scenario::from_toml(
            &format!("{MIN}[equity]\nreference = \"JaneDoe\"\n"),
            "s.toml",
        )
        .unwrap_err();
        assert!(!e.to_string().contains("JaneDoe"), "{e}");
        let e =
            Scenario::from_toml(&format!("{MIN}[needs]\nJaneDoe = 0.1\n"), "s.toml").unwrap_err();
        assert!(!e.to_string().contains("JaneDoe"), "{e}");
    }

    #[test]
    fn limits_are_checked_before_the_values() {
        let big = format!("{MIN}{}", "#".repeat(MAX_SCENARIO_BYTES));
        let e = Scenario::from_toml(&big, "big.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "big.toml:1:1: the scenario is larger than 4 MiB, the most a scenario may be"
        );
        let e = Scenario::from_json_keyed(&big, "big()").unwrap_err();
        assert!(e.to_string().contains("larger than 4 MiB"), "{e}");
        // One service past the limit, every one of them wrong (a share of 2 would be refused):
        // the length is what is reported, at the list's key.
        let mut text = format!("{MIN}[providers]\n");
        for i in 0..=MAX_SCENARIO_ENTRIES {
            text.push_str(&format!(
                "[[providers.services]]\nid = \"s{i}\"\nmax_wait_days = -1\n"
            ));
        }
        let e = Scenario::from_toml(&text, "s.toml").unwrap_err();
        assert_eq!(e.field(), Some("providers.services"));
        assert!(
            e.to_string()
                .starts_with("s.toml:4:13: `providers.services` has 10001 entries; at most 10000"),
            "{e}"
        );
        // At the limit the list is read, and a repeated id is still found.
        let mut s = Scenario::from_toml(MIN, "s.toml").unwrap();
        s.providers.services = (0..MAX_SCENARIO_ENTRIES)
            .map(|i| ProviderSpec {
                id: format!("s{}", i % (MAX_SCENARIO_ENTRIES - 1)),
                pathways: Vec::new(),
                capacity: None,
                waitlist: None,
                max_wait_days: None,
                service_days: None,
            })
            .collect();
        let e = s.validate().unwrap_err();
        assert_eq!(e.field(), Some("providers.services[9999].id"));
        let mut values = BTreeMap::new();
        for i in 0..=MAX_SCENARIO_ENTRIES {
            values.insert(format!("v{i}"), 0.0);
        }
        s.attributes.insert("screen".into(), values);
        assert_eq!(s.validate().unwrap_err().field(), Some("attributes.screen"));
    }

    #[test]
    fn paths_resolve_against_the_file() {
        let mut s = Scenario::from_toml(MIN, "s.toml").unwrap();
        s.resolve_paths(Path::new("/a/b"));
        assert_eq!(s.scenario.program, PathBuf::from("/a/b/p.toml"));
    }
}
