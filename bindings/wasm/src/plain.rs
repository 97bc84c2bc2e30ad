//! The binding's work in plain Rust, with no JavaScript type in sight: each function takes the
//! texts the page holds and answers with a string or a [`Problem`]. `lib.rs` only converts at
//! the edge, so this layer is what the host's `cargo test` checks. The authoring tools
//! (scenario tests, the analysis and its map) are in [`authoring`].

pub mod authoring;

use offramp::authoring::analysis::AnalysisError;
use offramp::authoring::scenarios::ScenarioFileError;
use offramp::providers::{Directory, DirectoryError, LoadOptions, LoadSetting};
use offramp::{Diagnostic, Encounter, EncounterError, Program, ProgramError, Router};
use serde::Serialize;

/// The name a program's diagnostics give as their file: the page holds text, not a file.
pub const PROGRAM_NAME: &str = "program.toml";

/// The name a provider directory's diagnostics and warnings give as their file.
pub const DIRECTORY_NAME: &str = "directory.json";

/// Why a call has no answer. `lib.rs` turns each into a JavaScript `Error` with its fields;
/// the messages are the core's.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// The program does not load: every problem found, each placed in the text.
    #[error(transparent)]
    Program(#[from] ProgramError),
    /// The encounter JSON is not an encounter: the field at fault and where.
    #[error(transparent)]
    Encounter(#[from] EncounterError),
    /// The provider directory does not load, or cannot be matched against.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// The scenario file does not load: every problem found, each placed in the text.
    #[error(transparent)]
    Scenarios(#[from] ScenarioFileError),
    /// The program cannot be analysed exactly (it reads too many fields at once).
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// An argument is not one of the words the function takes (a map format).
    #[error("{0}")]
    Argument(String),
    /// A result could not be written as JSON (the core's types leave no such case).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// One diagnostic as the page sees it: the core's [`Diagnostic`] (code, file, line, column,
/// path, message, help, span), whether it stops the program from loading, and the text
/// `offramp check` prints for it, snippet included.
#[derive(Debug, Serialize)]
pub struct Checked<'a> {
    /// `error` (the program does not load) or `warning` (it loads, but something in it
    /// cannot work as written).
    pub severity: &'static str,
    /// The core's diagnostic, its fields inline.
    #[serde(flatten)]
    pub diagnostic: &'a Diagnostic,
    /// The diagnostic with a snippet of the program, as `offramp check` prints it.
    pub rendered: String,
}

impl<'a> Checked<'a> {
    /// An error of a program that does not load.
    pub fn error(diagnostic: &'a Diagnostic) -> Self {
        Checked {
            severity: "error",
            diagnostic,
            rendered: diagnostic.render(),
        }
    }

    /// A warning of a program that loads.
    pub fn warning(diagnostic: &'a Diagnostic) -> Self {
        Checked {
            severity: "warning",
            diagnostic,
            rendered: diagnostic.render_warning(),
        }
    }
}

/// Every diagnostic of a program, as a JSON array of [`Checked`]: its errors when it does not
/// load, else its warnings (an empty array for a clean program).
pub fn check_json(program: &str) -> Result<String, Problem> {
    let json = match Program::from_toml(program, PROGRAM_NAME) {
        Ok(p) => serde_json::to_string(
            &p.warnings()
                .iter()
                .map(Checked::warning)
                .collect::<Vec<_>>(),
        )?,
        Err(e) => serde_json::to_string(
            &e.diagnostics()
                .iter()
                .map(Checked::error)
                .collect::<Vec<_>>(),
        )?,
    };
    Ok(json)
}

/// A router for the program text.
pub fn router(program: &str) -> Result<Router, Problem> {
    Ok(Router::new(Program::from_toml(program, PROGRAM_NAME)?))
}

/// A router for the program text that offers partner providers from a directory, and the
/// directory's warnings as the command prints them (after `warning: `). The directory is JSON
/// text, read as `offramp route --providers FILE.json` reads its file: offramp's own format or
/// HSDS 3.0, in the program's time zone.
pub fn router_with_directory(
    program: &str,
    directory: &str,
) -> Result<(Router, Vec<String>), Problem> {
    let program = Program::from_toml(program, PROGRAM_NAME)?;
    let options = LoadOptions {
        timezone: Some(program.spec().program.timezone.clone()),
        ..LoadOptions::default()
    };
    let directory = Directory::from_json_with(directory, DIRECTORY_NAME, &options)?;
    // Read in the program's time zone, as the command reads it: that is the setting to change.
    let setting = |setting| match setting {
        LoadSetting::Timezone => "the program's `timezone`",
    };
    let warnings = directory
        .warnings()
        .iter()
        .map(|w| w.render(setting))
        .collect();
    Ok((Router::with_directory(program, &directory)?, warnings))
}

/// The decision as one line of JSON, from a router already made (see [`route_json`]).
pub fn route_with(router: &Router, encounter_json: &str) -> Result<String, Problem> {
    Ok(router.route(&encounter(encounter_json)?).to_json()?)
}

/// The decision in sentences, from a router already made (see [`explain_text`]).
pub fn explain_with(router: &Router, encounter_json: &str) -> Result<String, Problem> {
    Ok(router.route(&encounter(encounter_json)?).explain())
}

/// The trace as one line of JSON, from a router already made (see [`trace_json`]).
pub fn trace_with(router: &Router, encounter_json: &str) -> Result<String, Problem> {
    Ok(router.trace(&encounter(encounter_json)?).to_json()?)
}

/// The trace as indented text, from a router already made (see [`trace_text`]).
pub fn trace_text_with(router: &Router, encounter_json: &str) -> Result<String, Problem> {
    Ok(router.trace(&encounter(encounter_json)?).explain())
}

/// What the decision still needs, as a JSON array: the decision's `needs_information`, each
/// `{field, pathways, exclusions}` (the fields not recorded whose recording could change the
/// decision, most decisive first; empty when it rests on recorded facts).
pub fn needs_information_with(router: &Router, encounter_json: &str) -> Result<String, Problem> {
    let decision = router.route(&encounter(encounter_json)?);
    Ok(serde_json::to_string(&decision.needs_information)?)
}

/// Reads an encounter as `offramp explain` does (surrounding blank space ignored).
fn encounter(json: &str) -> Result<Encounter, Problem> {
    Ok(Encounter::from_json(json.trim())?)
}

/// The decision as one line of JSON: what `offramp route` prints for the encounter (without
/// the line ending).
pub fn route_json(program: &str, encounter_json: &str) -> Result<String, Problem> {
    route_with(&router(program)?, encounter_json)
}

/// The decision in sentences: what `offramp explain` prints for the encounter.
pub fn explain_text(program: &str, encounter_json: &str) -> Result<String, Problem> {
    explain_with(&router(program)?, encounter_json)
}

/// Every rule, exclusion and amnesty with its result, as one line of JSON: what `offramp
/// explain --trace --format json` prints.
pub fn trace_json(program: &str, encounter_json: &str) -> Result<String, Problem> {
    trace_with(&router(program)?, encounter_json)
}

/// The trace as indented text: what `offramp explain --trace` prints.
pub fn trace_text(program: &str, encounter_json: &str) -> Result<String, Problem> {
    trace_text_with(&router(program)?, encounter_json)
}

#[cfg(test)]
mod tests;
