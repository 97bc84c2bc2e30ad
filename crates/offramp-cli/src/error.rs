//! The command's errors: one typed enum for everything that stops a subcommand, printed through
//! a miette report handler.
//!
//! Problems with the command line itself (an unknown subcommand, a flag value that does not
//! parse) are clap's: they name the flag as typed and exit with code 2. Everything here exits
//! with code 1.

use std::fmt;
use std::io;
use std::path::PathBuf;

use miette::{Diagnostic, ReportHandler};
use offramp::providers::DirectoryError;
use offramp::providers::hours::HoursError;
use offramp::providers::taxonomy::TaxonomyError;
use offramp::sim::{ScenarioError, SimError};
use offramp::{EncounterError, ProgramError};

/// Why a subcommand failed. Every message names the file, line, record or flag at fault and
/// never repeats a value read from an encounter.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CliError {
    /// A program file does not load; each problem is shown as `offramp check` shows it.
    #[error("{}", program_text(&path.display().to_string(), source))]
    #[diagnostic(code(offramp::program))]
    Program {
        /// The program file as given.
        path: PathBuf,
        /// Why it does not load.
        #[source]
        source: ProgramError,
    },

    /// A provider directory does not load, or does not fit the program; shown with a snippet
    /// when the problem is at a place in a file.
    #[error("{}", .0.render().trim_end())]
    #[diagnostic(code(offramp::directory))]
    Directory(#[from] DirectoryError),

    /// A taxonomy mapping (`--taxonomy`) does not load.
    #[error("{}", .0.render().trim_end())]
    #[diagnostic(code(offramp::taxonomy))]
    Taxonomy(#[from] TaxonomyError),

    /// A file named on the command line cannot be read.
    #[error("{}: {source}", path.display())]
    #[diagnostic(code(offramp::read))]
    Read {
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },

    /// A line of the input cannot be read (as opposed to routed).
    #[error("{name}:{line}: cannot read: {source}")]
    #[diagnostic(code(offramp::read))]
    ReadLine {
        /// The input's name (`<stdin>` or the path).
        name: String,
        /// The 1-based line.
        line: usize,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },

    /// Standard input cannot be read.
    #[error("cannot read standard input: {0}")]
    #[diagnostic(code(offramp::read))]
    Stdin(#[source] io::Error),

    /// Standard output cannot be written (a closed pipe, a full disk).
    #[error("cannot write to standard output: {0}")]
    #[diagnostic(code(offramp::write))]
    Stdout(#[source] io::Error),

    /// The encounter given to `explain` is not a valid encounter.
    #[error("encounter: {0}")]
    #[diagnostic(code(offramp::encounter))]
    Encounter(#[from] EncounterError),

    /// A service's opening hours cannot be compiled.
    #[error("service {service}: {source}")]
    #[diagnostic(code(offramp::hours))]
    Hours {
        /// The service's id.
        service: String,
        /// What is wrong with the hours.
        #[source]
        source: HoursError,
    },

    /// A decision cannot be written as JSON.
    #[error("cannot write a decision as JSON: {0}")]
    #[diagnostic(code(offramp::json))]
    Json(#[source] serde_json::Error),

    /// A JSON Schema cannot be written out.
    #[error("cannot write the schema as JSON: {0}")]
    #[diagnostic(code(offramp::schema))]
    Schema(#[source] serde_json::Error),

    /// A scenario file does not load.
    #[error("{}", .0.render().trim_end())]
    #[diagnostic(code(offramp::scenario))]
    Scenario(#[from] ScenarioError),

    /// The worker threads asked for with `--threads` cannot be started.
    #[error("--threads {threads}: cannot start that many worker threads: {message}")]
    #[diagnostic(
        code(offramp::threads),
        help("leave out --threads to use one thread per core")
    )]
    Threads {
        /// The number given.
        threads: usize,
        /// The system's reason.
        message: String,
    },

    /// A simulation cannot be set up, run or written.
    #[error("{}", simulation_text(.0))]
    #[diagnostic(code(offramp::simulation))]
    Simulation(SimError),
}

impl From<SimError> for CliError {
    fn from(e: SimError) -> CliError {
        match e {
            SimError::Scenario(e) => CliError::Scenario(e),
            SimError::Threads { threads, message } => CliError::Threads { threads, message },
            other => CliError::Simulation(other),
        }
    }
}

/// A program that does not load: the reason when it cannot be read, otherwise a line naming it
/// and then each problem at `FILE:LINE:COL` with a snippet, as `offramp check` shows them.
fn program_text(path: &str, e: &ProgramError) -> String {
    if e.diagnostics().is_empty() {
        e.to_string()
    } else {
        format!(
            "{path}: the program does not load:\n{}",
            e.render().trim_end()
        )
    }
}

/// A simulation error; a program that does not load is shown with its snippets.
fn simulation_text(e: &SimError) -> String {
    match e {
        SimError::Program { path, source } => program_text(path, source),
        other => other.to_string(),
    }
}

/// How the command prints an error on standard error: `offramp: ` and the message, then the
/// help, if any, on a line of its own.
pub struct Handler;

impl ReportHandler for Handler {
    fn debug(&self, diagnostic: &dyn Diagnostic, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offramp: {diagnostic}")?;
        if let Some(help) = diagnostic.help() {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// The text the command prints for an error, through [`Handler`].
pub fn report(error: &CliError) -> String {
    struct Shown<'a>(&'a CliError);
    impl fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            Handler.debug(self.0, f)
        }
    }
    Shown(error).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_starts_with_the_command_and_gives_the_help_on_its_own_line() {
        let e = CliError::Threads {
            threads: 9,
            message: "no".into(),
        };
        assert_eq!(
            report(&e),
            "offramp: --threads 9: cannot start that many worker threads: no\n  help: leave out --threads to use one thread per core"
        );
    }

    #[test]
    fn thread_failures_of_a_simulation_name_the_flag() {
        let e = CliError::from(SimError::Threads {
            threads: 3,
            message: "refused".into(),
        });
        assert!(report(&e).starts_with("offramp: --threads 3:"));
    }
}
