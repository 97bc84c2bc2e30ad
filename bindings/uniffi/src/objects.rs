//! `Program`, `Directory` and `Router`: objects that hold an `Arc` of the core's, immutable and
//! safe to share across threads.

use std::sync::Arc;
use std::time::SystemTime;

use crate::batch::{BatchAnswer, route_each};
use crate::enums::Pathway;
use crate::error::{Diagnostic, OfframpError, guard, to_u32};
use crate::explain::Trace;
use crate::records::{Decision, Encounter, argument_error};
use crate::time::{DefaultZone, opt_in_utc};

/// A loaded, checked and compiled program. Immutable; share it freely across threads.
#[derive(Debug, uniffi::Object)]
pub struct Program {
    pub(crate) inner: Arc<offramp::Program>,
}

impl Program {
    fn wrap(p: offramp::Program) -> Arc<Self> {
        Arc::new(Program { inner: Arc::new(p) })
    }
}

#[uniffi::export]
impl Program {
    /// Loads a program from TOML text. `name` is used in diagnostics, like a file name.
    /// Every problem found is reported in `OfframpError.InvalidProgram`.
    #[uniffi::constructor]
    pub fn from_toml(text: String, name: String) -> Result<Arc<Self>, OfframpError> {
        guard("Program.from_toml", || {
            Ok(Program::wrap(offramp::Program::from_toml(&text, &name)?))
        })
    }

    /// Loads a program from JSON text (the same fields as the TOML form).
    #[uniffi::constructor]
    pub fn from_json(text: String, name: String) -> Result<Arc<Self>, OfframpError> {
        guard("Program.from_json", || {
            Ok(Program::wrap(offramp::Program::from_json(&text, &name)?))
        })
    }

    /// Loads a program from a `.toml` or `.json` file.
    #[uniffi::constructor]
    pub fn from_file(path: String) -> Result<Arc<Self>, OfframpError> {
        guard("Program.from_file", || {
            Ok(Program::wrap(offramp::Program::from_file(&path)?))
        })
    }

    /// The program's id.
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    /// The content hash of the compiled program (`sha256:...`), as stamped on decisions.
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }

    /// The pathways offered, in rank order.
    pub fn pathways(&self) -> Vec<Pathway> {
        self.inner.pathways().map(Pathway::from).collect()
    }

    /// How many rules and exclusions the program has.
    pub fn rule_count(&self) -> u32 {
        to_u32(self.inner.rule_count())
    }

    /// What is questionable in a program that loaded (an officer-intervention rule that can
    /// only admit encounters that pathway never takes, for one), each with its line and column;
    /// empty when there is nothing.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.inner.warnings().iter().map(Diagnostic::from).collect()
    }

    /// The program's IANA time zone, such as `America/Chicago`.
    pub fn timezone(&self) -> String {
        self.inner.timezone().name().to_string()
    }

    /// The program as TOML, with rules in canonical form.
    pub fn to_toml(&self) -> Result<String, OfframpError> {
        self.inner.to_toml().map_err(|e| OfframpError::Internal {
            detail: format!("cannot write TOML: {e}"),
        })
    }

    /// The program as JSON.
    pub fn to_json(&self) -> Result<String, OfframpError> {
        Ok(self.inner.to_json()?)
    }
}

/// Something incomplete in a directory that did not stop it loading.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DirectoryWarning {
    /// The file.
    pub file: String,
    /// The record (`service 8a2c...`, `row 4`).
    pub record: String,
    /// The field, when one.
    pub field: Option<String>,
    /// What is incomplete or was ignored.
    pub message: String,
}

impl From<&offramp::providers::DirectoryWarning> for DirectoryWarning {
    fn from(w: &offramp::providers::DirectoryWarning) -> Self {
        let offramp::providers::DirectoryWarning {
            file,
            record,
            field,
            message: _,
            setting: _,
        } = w;
        DirectoryWarning {
            file: file.clone(),
            record: record.clone(),
            field: field.clone(),
            // The message names the setting as Kotlin and Swift callers pass it.
            message: w.message_naming(|setting| match setting {
                offramp::providers::LoadSetting::Timezone => "the `timezone` argument",
            }),
        }
    }
}

/// A checked provider directory: partner organizations and services with their hours.
#[derive(Debug, uniffi::Object)]
pub struct Directory {
    pub(crate) inner: Arc<offramp::providers::Directory>,
}

fn load_options(timezone: Option<String>) -> offramp::providers::LoadOptions {
    offramp::providers::LoadOptions {
        timezone,
        ..offramp::providers::LoadOptions::default()
    }
}

impl Directory {
    fn wrap(d: offramp::providers::Directory) -> Arc<Self> {
        Arc::new(Directory { inner: Arc::new(d) })
    }
}

#[uniffi::export]
impl Directory {
    /// Reads Open Referral HSDS 3.0 JSON. `timezone` (IANA, e.g. `America/Chicago`) is used for
    /// schedules that name none.
    #[uniffi::constructor]
    pub fn from_hsds_json(
        text: String,
        name: String,
        timezone: Option<String>,
    ) -> Result<Arc<Self>, OfframpError> {
        guard("Directory.from_hsds_json", || {
            let d = offramp::providers::Directory::from_hsds_json(
                &text,
                &name,
                &load_options(timezone),
            )?;
            Ok(Directory::wrap(d))
        })
    }

    /// Reads offramp's own directory format from TOML text.
    #[uniffi::constructor]
    pub fn from_toml(text: String, name: String) -> Result<Arc<Self>, OfframpError> {
        guard("Directory.from_toml", || {
            Ok(Directory::wrap(offramp::providers::Directory::from_toml(
                &text, &name,
            )?))
        })
    }

    /// Reads a directory from a path: a folder is an HSDS data package, a `.toml` file is
    /// offramp's own format, anything else is HSDS 3.0 JSON.
    #[uniffi::constructor]
    pub fn from_file(path: String, timezone: Option<String>) -> Result<Arc<Self>, OfframpError> {
        guard("Directory.from_file", || {
            Ok(Directory::wrap(
                offramp::providers::Directory::from_file_with(&path, &load_options(timezone))?,
            ))
        })
    }

    /// How many services the directory holds.
    pub fn service_count(&self) -> u32 {
        to_u32(self.inner.services().len())
    }

    /// How many organizations the directory holds.
    pub fn organization_count(&self) -> u32 {
        to_u32(self.inner.organizations().len())
    }

    /// The ids of the services, in the order they were read.
    pub fn service_ids(&self) -> Vec<String> {
        self.inner.services().iter().map(|s| s.id.clone()).collect()
    }

    /// What was incomplete when the directory loaded.
    pub fn warnings(&self) -> Vec<DirectoryWarning> {
        self.inner
            .warnings()
            .iter()
            .map(DirectoryWarning::from)
            .collect()
    }
}

/// Places at a service, for [`Router::update_capacity`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Capacity {
    /// Places free now.
    pub available: u32,
    /// Places in all.
    #[uniffi(default)]
    pub maximum: Option<u32>,
    /// What a place is: `bed`, `slot`, `appointment`...
    pub unit: String,
    /// When the figure was last updated.
    #[uniffi(default)]
    pub updated: Option<SystemTime>,
}

impl TryFrom<Capacity> for offramp::providers::Capacity {
    type Error = OfframpError;

    /// Field for field, as the records in `records.rs` are converted: a field added on
    /// either side stops this from compiling.
    fn try_from(c: Capacity) -> Result<Self, OfframpError> {
        let Capacity {
            available,
            maximum,
            unit,
            updated,
        } = c;
        Ok(offramp::providers::Capacity {
            available,
            maximum,
            unit,
            updated: opt_in_utc("capacity.updated", &updated, argument_error)?,
        })
    }
}

/// Routes encounters through one program (and, optionally, a provider directory). Immutable
/// and thread-safe: many threads may route on one router at once.
#[derive(Debug, uniffi::Object)]
pub struct Router {
    inner: Arc<offramp::Router>,
}

impl Router {
    /// Where an encounter's UTC offset comes from when the record gives none.
    fn zone(&self) -> DefaultZone {
        DefaultZone::Program(self.inner.program().timezone())
    }
}

#[uniffi::export]
impl Router {
    /// A router for a program.
    #[uniffi::constructor]
    pub fn new(program: Arc<Program>) -> Arc<Self> {
        Arc::new(Router {
            inner: Arc::new(offramp::Router::from_arc(program.inner.clone())),
        })
    }

    /// A router that also matches partner providers from a directory.
    #[uniffi::constructor]
    pub fn with_directory(
        program: Arc<Program>,
        directory: Arc<Directory>,
    ) -> Result<Arc<Self>, OfframpError> {
        guard("Router.with_directory", || {
            let router = offramp::Router::with_directory(program.inner.clone(), &directory.inner)?;
            Ok(Arc::new(Router {
                inner: Arc::new(router),
            }))
        })
    }

    /// Routes one encounter given as a record.
    pub fn route(&self, encounter: Encounter) -> Result<Decision, OfframpError> {
        guard("Router.route", || {
            let enc = encounter.to_core(self.zone())?;
            Ok(Decision::from(&self.inner.route(&enc)))
        })
    }

    /// Routes one encounter given as the core's JSON.
    pub fn route_json(&self, json: String) -> Result<Decision, OfframpError> {
        guard("Router.route_json", || {
            let enc = offramp::Encounter::from_json(&json)?;
            Ok(Decision::from(&self.inner.route(&enc)))
        })
    }

    /// Routes one encounter and traces every rule, exclusion and amnesty: each clause with its
    /// result and the values it read. For program authors; many times slower than `route`.
    pub fn trace(&self, encounter: Encounter) -> Result<Trace, OfframpError> {
        guard("Router.trace", || {
            let enc = encounter.to_core(self.zone())?;
            Ok(Trace::from(&self.inner.trace(&enc)))
        })
    }

    /// The trace of an encounter given as JSON, as one line of the core's JSON (the shape
    /// `offramp explain --trace --format json` prints).
    pub fn trace_json(&self, json: String) -> Result<String, OfframpError> {
        guard("Router.trace_json", || {
            let enc = offramp::Encounter::from_json(&json)?;
            Ok(self.inner.trace(&enc).to_json()?)
        })
    }

    /// Routes one encounter given as JSON and returns the decision as one line of JSON: the
    /// path for systems that store the audit record as it is.
    pub fn route_json_to_json(&self, json: String) -> Result<String, OfframpError> {
        guard("Router.route_json_to_json", || {
            let enc = offramp::Encounter::from_json(&json)?;
            Ok(self.inner.route(&enc).to_json()?)
        })
    }

    /// Routes many encounters on all cores, each on its own: one answer per encounter, in
    /// input order. An encounter that would be refused alone (`OfframpError.InvalidEncounter`)
    /// is answered `BatchAnswer.Refused` with the same field and detail, and every other
    /// encounter is decided as `route` decides it alone. Throws only `OfframpError.Internal`,
    /// for a bug in offramp that escaped the encounters' own answers.
    pub fn route_batch(
        &self,
        encounters: Vec<Encounter>,
    ) -> Result<Vec<BatchAnswer>, OfframpError> {
        guard("Router.route_batch", || {
            let zone = self.zone();
            Ok(route_each(&self.inner, &encounters, |e| e.to_core(zone)))
        })
    }

    /// Routes many encounters given as JSON, as [`Router::route_batch`] does; a refused
    /// encounter's answer has the line and column in its own JSON text when known.
    pub fn route_batch_json(&self, jsons: Vec<String>) -> Result<Vec<BatchAnswer>, OfframpError> {
        guard("Router.route_batch_json", || {
            Ok(route_each(&self.inner, &jsons, |j| {
                Ok(offramp::Encounter::from_json(j)?)
            }))
        })
    }

    /// Whether provider matching is on.
    pub fn has_directory(&self) -> bool {
        self.inner.has_directory()
    }

    /// The id of the router's program.
    pub fn program_id(&self) -> String {
        self.inner.program().id().to_string()
    }

    /// The hash of the router's program.
    pub fn program_hash(&self) -> String {
        self.inner.program().hash().to_string()
    }

    /// Updates one service's capacity (none: no longer reported). Threads routing at the same
    /// time see the old or the new figure, never a torn one.
    pub fn update_capacity(
        &self,
        service_id: String,
        capacity: Option<Capacity>,
    ) -> Result<(), OfframpError> {
        guard("Router.update_capacity", || {
            let capacity = capacity
                .map(offramp::providers::Capacity::try_from)
                .transpose()?;
            self.inner
                .update_capacity(&service_id, capacity)
                .map_err(|e| OfframpError::argument("service_id", e.to_string()))
        })
    }
}
