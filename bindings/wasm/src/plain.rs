//! The binding's work in plain Rust, with no JavaScript type in sight: each function takes the
//! texts the page holds and answers with a string or a [`Problem`]. `lib.rs` only converts at
//! the edge, so this layer is what the host's `cargo test` checks.

use offramp::{Diagnostic, Encounter, EncounterError, Program, ProgramError, Router};
use serde::Serialize;

/// The name a program's diagnostics give as their file: the page holds text, not a file.
pub const PROGRAM_NAME: &str = "program.toml";

/// Why a call has no answer.
#[derive(Debug)]
pub enum Problem {
    /// The program does not load: every problem found, each placed in the text.
    Program(ProgramError),
    /// The encounter JSON is not an encounter: the field at fault and where.
    Encounter(EncounterError),
    /// A result could not be written as JSON (the core's types leave no such case).
    Json(serde_json::Error),
}

impl From<ProgramError> for Problem {
    fn from(e: ProgramError) -> Self {
        Problem::Program(e)
    }
}

impl From<EncounterError> for Problem {
    fn from(e: EncounterError) -> Self {
        Problem::Encounter(e)
    }
}

impl From<serde_json::Error> for Problem {
    fn from(e: serde_json::Error) -> Self {
        Problem::Json(e)
    }
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

/// The decision as one line of JSON, from a router already made (see [`route_json`]).
pub fn route_with(router: &Router, encounter_json: &str) -> Result<String, Problem> {
    Ok(router.route(&encounter(encounter_json)?).to_json()?)
}

/// The decision in sentences, from a router already made (see [`explain_text`]).
pub fn explain_with(router: &Router, encounter_json: &str) -> Result<String, Problem> {
    Ok(router.route(&encounter(encounter_json)?).explain())
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
    let router = router(program)?;
    Ok(router.trace(&encounter(encounter_json)?).to_json()?)
}

/// The trace as indented text: what `offramp explain --trace` prints.
pub fn trace_text(program: &str, encounter_json: &str) -> Result<String, Problem> {
    let router = router(program)?;
    Ok(router.trace(&encounter(encounter_json)?).explain())
}

#[cfg(test)]
mod tests;
