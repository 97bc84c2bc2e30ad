//! The command's errors: one typed enum for everything that stops a subcommand, printed through
//! a miette report handler.
//!
//! Problems with the command line itself (an unknown subcommand, a flag value that does not
//! parse) are clap's: they name the flag as typed. Each error here has its exit code
//! ([`CliError::exit`]); the codes are the ones of [`Exit`], listed in `offramp --help` and
//! docs/limits.md.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use miette::{Diagnostic, ReportHandler};
use offramp::authoring::analysis::AnalysisError;
use offramp::authoring::scenarios::ScenarioFileError;
use offramp::providers::DirectoryError;
use offramp::providers::hours::HoursError;
use offramp::providers::taxonomy::TaxonomyError;
use offramp::sim::{ScenarioError, SimError};
use offramp::{EncounterError, ProgramError};

/// The command's exit codes: distinct, so that a script can tell encounters that failed from
/// a file that is wrong from a command that was mistyped. When several apply, the larger wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Everything asked for was done. Also when the output was closed early (`| head`).
    Success = 0,
    /// Some encounters could not be read or routed; every other one was.
    EncountersFailed = 1,
    /// A program, provider directory, taxonomy mapping, scenario or service configuration is
    /// invalid, or an audit log's chain is broken.
    Invalid = 2,
    /// The command line is wrong, or a file or stream cannot be read or written.
    Usage = 3,
}

impl Exit {
    /// Every code, in order.
    pub const ALL: [Exit; 4] = [
        Exit::Success,
        Exit::EncountersFailed,
        Exit::Invalid,
        Exit::Usage,
    ];

    /// What the code means, for `--help`.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "done (also when the output is closed early, as by `| head`)",
            Exit::EncountersFailed => "some encounters failed; every other one was routed",
            Exit::Invalid => {
                "an invalid program, provider directory, taxonomy mapping, scenario or service \
                 configuration, or an audit log whose chain is broken"
            }
            Exit::Usage => "a usage error, or a file or stream that cannot be read or written",
        }
    }

    /// The exit codes as `offramp --help` lists them.
    pub fn help() -> String {
        let mut text = String::from("Exit codes:");
        for code in Exit::ALL {
            text.push_str(&format!("\n  {}  {}", code as u8, code.meaning()));
        }
        text
    }
}

impl From<Exit> for ExitCode {
    fn from(code: Exit) -> ExitCode {
        ExitCode::from(code as u8)
    }
}

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

    /// A file a flag names cannot be written (`--junit FILE`).
    #[error("{flag} {}: cannot write: {source}", path.display())]
    #[diagnostic(code(offramp::write))]
    Write {
        /// The path as given.
        path: PathBuf,
        /// The flag that named it.
        flag: &'static str,
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

    /// The encounter given to `explain` does not start like JSON and no file of that name can
    /// be read. The argument is not repeated: it may be an encounter that was mistyped.
    #[error("the encounter argument is neither JSON nor a readable file ({})", reason(.0))]
    #[diagnostic(
        code(offramp::read),
        help(
            "give the encounter as JSON (starting with `{{`), a file holding it, or `-` for standard input"
        )
    )]
    EncounterArgument(#[source] io::Error),

    /// `route`'s input argument starts like JSON and is no file: an encounter given where a
    /// file of them is expected. It is not repeated, as it may hold a person's details.
    #[error(
        "the input argument starts like JSON and is not a readable file ({}); `route` reads encounters from a file or standard input",
        reason(.0)
    )]
    #[diagnostic(
        code(offramp::read),
        help(
            "give a file of JSON lines, or `-` and the encounters on standard input; `offramp explain` takes one encounter as JSON"
        )
    )]
    RouteInputJson(#[source] io::Error),

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

    /// A scenario file does not read (`offramp diff`'s encounters); each problem is shown with
    /// a snippet, as `offramp test` shows it.
    #[error("{}: the scenario file does not read:\n{}", path.display(), source.render().trim_end())]
    #[diagnostic(code(offramp::scenarios))]
    ScenarioFile {
        /// The scenario file as given.
        path: PathBuf,
        /// Every problem found.
        #[source]
        source: ScenarioFileError,
    },

    /// The input a flag names cannot be used as a whole (`--encounters` past its limit, or a
    /// file that cannot be opened).
    #[error("{flag} {name}: {message}")]
    #[diagnostic(code(offramp::read))]
    FlagInput {
        /// The flag.
        flag: &'static str,
        /// The file as given, or `<stdin>`.
        name: String,
        /// What is wrong.
        message: String,
    },

    /// The programs cannot be analysed exactly (`offramp analyze`).
    #[error("{0}")]
    #[diagnostic(
        code(offramp::analysis),
        help(
            "programs given together can be analysed one at a time; the limits are in docs/limits.md"
        )
    )]
    Analysis(#[source] AnalysisError),

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

    /// The folder `offramp playground --dir` names is not a built page: missing, not a folder,
    /// or without an `index.html`.
    #[error("--dir {}: {problem}", path.display())]
    #[diagnostic(
        code(offramp::playground),
        help(
            "build the page first with `scripts/build-playground`, which writes dist/playground/, or give --dir the folder it wrote"
        )
    )]
    PlaygroundDir {
        /// The folder as given.
        path: PathBuf,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// `offramp playground` cannot listen on the port `--serve` names (in use, or one the
    /// user may not take).
    #[error(
        "--serve {port}: cannot listen on 127.0.0.1:{port}: {}",
        listen_reason(source)
    )]
    #[diagnostic(
        code(offramp::listen),
        help("choose another port, or `--serve 0` for any free one")
    )]
    Listen {
        /// The port given.
        port: u16,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },

    /// The playground's server cannot start, or fails while it runs.
    #[error("the playground server failed: {0}")]
    #[diagnostic(code(offramp::serve))]
    Serve(#[source] io::Error),

    /// `offramp serve`'s configuration file cannot be read or used.
    #[error("{0}")]
    #[diagnostic(
        code(offramp::serve_config),
        help(
            "the keys and their defaults are in docs/serve.md; examples/serve/offramp-serve.toml is a complete example"
        )
    )]
    ServeConfig(#[source] offramp_serve::ConfigError),

    /// `offramp serve`'s TLS certificate or key cannot be read or used.
    #[error("{0}")]
    #[diagnostic(
        code(offramp::serve_tls),
        help(
            "`[tls]` names a PEM certificate chain (the service's own certificate first) and its private key; docs/serve.md shows how to make and renew them"
        )
    )]
    ServeTls(#[source] offramp_serve::TlsError),

    /// Two program files that `offramp serve` loads have the same id.
    #[error("{}: program `{id}` is loaded already from another file", path.display())]
    #[diagnostic(
        code(offramp::serve_config),
        help("each program the service loads needs its own id; requests name a program by it")
    )]
    DuplicateProgram {
        /// The second file.
        path: PathBuf,
        /// The id both files give.
        id: String,
    },

    /// `--postgres` is not a connection string the audit log can be read with.
    #[error("--postgres: {0}")]
    #[diagnostic(
        code(offramp::audit),
        help(
            "give host, port, dbname and user (`host=db.example port=5432 dbname=offramp user=auditor`) or a postgresql:// URL; the password goes in PGPASSWORD"
        )
    )]
    PostgresFlag(#[source] offramp_serve::audit::ConninfoError),

    /// `--postgres-ca` names a file that is not a usable certificate authority.
    #[error("--postgres-ca {0}")]
    #[diagnostic(
        code(offramp::audit),
        help(
            "give the PEM file of the certificate authority that signed the database server's certificate"
        )
    )]
    PostgresCaFlag(#[source] offramp_serve::audit::ConninfoError),

    /// The audit log cannot be opened or is not an offramp audit log.
    #[error("{0}")]
    #[diagnostic(code(offramp::audit))]
    Audit(#[source] offramp_serve::AuditError),

    /// The audit log's chain does not hold: a row was changed or deleted.
    #[error("{path}: {source}")]
    #[diagnostic(
        code(offramp::audit),
        help(
            "the rows before this one verify; compare the log with a backup to see what was changed"
        )
    )]
    AuditBroken {
        /// The log as given: the file, or the PostgreSQL database as errors name it.
        path: String,
        /// The first row at fault, and what is wrong with it.
        #[source]
        source: offramp_serve::VerifyError,
    },

    /// A row of a log that verifies holds a value its exported column cannot take.
    #[error("{path}: {source}")]
    #[diagnostic(
        code(offramp::audit),
        help(
            "the chain holds, so the row was written this way; export it as csv or jsonl, which keep values as text"
        )
    )]
    AuditValue {
        /// The log as given: the file, or the PostgreSQL database as errors name it.
        path: String,
        /// The row and column at fault.
        #[source]
        source: offramp_serve::audit::ExportError,
    },

    /// `offramp serve` cannot listen at the configured address and port.
    #[error("cannot listen on {address}: {}", listen_reason(source))]
    #[diagnostic(
        code(offramp::listen),
        help("choose another `port` in the configuration, or 0 for any free one")
    )]
    ServeListen {
        /// The address and port from the configuration.
        address: std::net::SocketAddr,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },

    /// `offramp serve` cannot start, or fails while it runs.
    #[error("the service failed: {0}")]
    #[diagnostic(code(offramp::serve))]
    ServeFailed(#[source] io::Error),

    /// `offramp audit export --format parquet` without `--out`, with standard output a
    /// terminal: binary columns would fill the screen.
    #[error("--format parquet: the table is binary and standard output is a terminal")]
    #[diagnostic(
        code(offramp::usage),
        help("give --out FILE.parquet, or redirect standard output to a file")
    )]
    BinaryToTerminal,

    /// `offramp serve --hash-token` was given no secret on standard input.
    #[error("--hash-token: no secret on standard input")]
    #[diagnostic(
        code(offramp::read),
        help("pipe the secret in, as in `printf %s \"$SECRET\" | offramp serve --hash-token`")
    )]
    NoSecret,
}

impl From<offramp_serve::ServeError> for CliError {
    fn from(e: offramp_serve::ServeError) -> CliError {
        use offramp_serve::ServeError;
        match e {
            ServeError::Config(e) => CliError::ServeConfig(e),
            ServeError::Program { path, source } => CliError::Program { path, source },
            ServeError::DuplicateProgram { path, id } => CliError::DuplicateProgram { path, id },
            ServeError::Directory(e) => CliError::Directory(e),
            ServeError::Audit(e) => CliError::Audit(e),
            ServeError::Tls(e) => CliError::ServeTls(e),
            ServeError::Listen { address, source } => CliError::ServeListen { address, source },
            ServeError::Io(e) => CliError::ServeFailed(e),
        }
    }
}

impl CliError {
    /// The exit code for this error: [`Exit::Invalid`] for a file that loads but is wrong,
    /// [`Exit::Usage`] for one that cannot be read and for a stream that fails,
    /// [`Exit::EncountersFailed`] for an encounter that cannot be read.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Program { source, .. } => program_exit(source),
            CliError::Directory(e) => directory_exit(e),
            CliError::Taxonomy(TaxonomyError::Io { .. }) => Exit::Usage,
            CliError::Taxonomy(_) | CliError::Hours { .. } | CliError::ScenarioFile { .. } => {
                Exit::Invalid
            }
            CliError::Analysis(AnalysisError::NoPrograms) => Exit::Usage,
            CliError::Analysis(_) => Exit::Invalid,
            CliError::Scenario(e) => scenario_exit(e),
            CliError::Simulation(e) => match e {
                SimError::Program { source, .. } => program_exit(source),
                SimError::Directory { source, .. } => directory_exit(source),
                SimError::Replay { line: 0, .. } | SimError::Output { .. } => Exit::Usage,
                _ => Exit::Invalid,
            },
            CliError::Encounter(_) => Exit::EncountersFailed,
            CliError::ServeConfig(offramp_serve::ConfigError::Io { .. }) => Exit::Usage,
            CliError::ServeConfig(_) | CliError::DuplicateProgram { .. } => Exit::Invalid,
            CliError::ServeTls(e) if e.unreadable() => Exit::Usage,
            CliError::ServeTls(_) => Exit::Invalid,
            CliError::Audit(offramp_serve::AuditError::Format { .. }) => Exit::Invalid,
            CliError::AuditBroken {
                source: offramp_serve::VerifyError::Broken { .. },
                ..
            } => Exit::Invalid,
            CliError::AuditBroken { .. }
            | CliError::Audit(_)
            | CliError::PostgresFlag(_)
            | CliError::PostgresCaFlag(_) => Exit::Usage,
            CliError::AuditValue { .. } => Exit::Invalid,
            CliError::Read { .. }
            | CliError::FlagInput { .. }
            | CliError::Write { .. }
            | CliError::ReadLine { .. }
            | CliError::EncounterArgument(_)
            | CliError::RouteInputJson(_)
            | CliError::Stdin(_)
            | CliError::Stdout(_)
            | CliError::Json(_)
            | CliError::Schema(_)
            | CliError::Threads { .. }
            | CliError::PlaygroundDir { .. }
            | CliError::Listen { .. }
            | CliError::Serve(_)
            | CliError::ServeListen { .. }
            | CliError::ServeFailed(_)
            | CliError::BinaryToTerminal
            | CliError::NoSecret => Exit::Usage,
        }
    }

    /// True when standard output was closed by its reader (`offramp schema | head -1`): not a
    /// failure, since whoever reads has all they wanted. The command then ends quietly.
    pub fn is_closed_output(&self) -> bool {
        matches!(self, CliError::Stdout(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

fn program_exit(e: &ProgramError) -> Exit {
    match e {
        ProgramError::Io { .. } => Exit::Usage,
        _ => Exit::Invalid,
    }
}

fn directory_exit(e: &DirectoryError) -> Exit {
    match e {
        DirectoryError::Io { .. } => Exit::Usage,
        _ => Exit::Invalid,
    }
}

fn scenario_exit(e: &ScenarioError) -> Exit {
    match e {
        ScenarioError::Io { .. } => Exit::Usage,
        _ => Exit::Invalid,
    }
}

/// The operating system's reason for a failed read, without the path it was about.
fn reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "it is a folder".into(),
        _ => e.to_string(),
    }
}

/// Why a port cannot be listened on, in words that do not depend on the system.
fn listen_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::AddrInUse => "the port is in use".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::AddrNotAvailable => "the address is not available".into(),
        _ => e.to_string(),
    }
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
        SimError::TooLarge { .. } => format!("{e}; pass --allow-large to run it anyway"),
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
