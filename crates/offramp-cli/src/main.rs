//! The `offramp` command: check programs, route encounters, explain decisions, print schemas,
//! serve the browser playground, serve routing over HTTP with an audit log.
//!
//! Each subcommand lives in its own module; they all fail with [`error::CliError`], which
//! `main` prints through [`error::Handler`] before exiting with the error's code
//! ([`error::Exit`]). A closed standard output ends the command quietly with code 0.

mod analyze;
mod audit;
mod case;
mod check;
mod diff;
mod error;
mod explain;
mod load;
mod playground;
mod providers;
mod route;
mod schema;
mod serve;
mod simulate;
mod test;
mod words;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::error::{CliError, Exit};

// Batch routing allocates small decisions on every core; glibc's allocator serialises that
// work, mimalloc does not (see benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "offramp",
    version,
    about = "Route first-responder encounters to deflection and diversion pathways"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check program files; every problem is reported with FILE:LINE:COL.
    Check(check::CheckArgs),
    /// Route encounters (JSON lines) and print one decision per line.
    Route(route::RouteArgs),
    /// Explain the decision for one encounter in sentences.
    Explain(explain::ExplainArgs),
    /// Print JSON Schemas for programs, encounters and decisions.
    Schema(schema::SchemaArgs),
    /// Partner provider directories (HSDS 3.0 JSON, an HSDS data package folder, or TOML).
    Providers {
        #[command(subcommand)]
        command: providers::ProvidersCommand,
    },
    /// Simulate a scenario with and without its program; write the result tables.
    Simulate(simulate::SimulateArgs),
    /// Compare two versions of a program: pathways, rules, settings, and the decisions that
    /// change for a file of encounters.
    #[command(after_help = diff::EXIT_HELP)]
    Diff(diff::DiffArgs),
    /// Run scenario files against programs: one line per scenario, expected against actual
    /// for each failure.
    #[command(after_help = test::EXIT_HELP)]
    Test(test::TestArgs),
    /// Analyse programs for gaps, overlaps and rules that can never admit, exactly; print
    /// the Sequential Intercept Model grid and draw it with --map.
    #[command(after_help = analyze::EXIT_HELP)]
    Analyze(analyze::AnalyzeArgs),
    /// Referral cases after a decision.
    Case {
        #[command(subcommand)]
        command: case::CaseCommand,
    },
    /// Serve the browser playground (built by scripts/build-playground) on 127.0.0.1, for use
    /// on this machine.
    #[command(after_help = playground::AFTER_HELP)]
    Playground(playground::PlaygroundArgs),
    /// Serve routing over HTTP for other programs (bearer tokens; every decision written to an
    /// audit log first), on 127.0.0.1 unless the configuration says otherwise.
    #[command(after_help = serve::AFTER_HELP)]
    Serve(serve::ServeArgs),
    /// The audit log of `offramp serve`.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

fn main() -> ExitCode {
    let parsed = Cli::command()
        .after_help(Exit::help())
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed.map_err(without_free_text) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` come this way too, printed on standard output; a
            // closed pipe there is not worth a word either.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            }
            .into();
        }
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(e) if e.is_closed_output() => Exit::Success.into(),
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "{}", error::report(&e));
            e.exit().into()
        }
    }
}

/// clap's usage errors repeat what was typed. For a flag's value that is kept: every flag
/// takes a time, a time zone, a number, a path or a word from a list, none of which is about a
/// person, and seeing the value helps. An unexpected argument that is not a flag is different:
/// it may be an encounter typed in the wrong place (`explain` takes one, `route` none), so it
/// is named by what it is, not repeated.
fn without_free_text(e: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return e;
    }
    match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) if !arg.starts_with('-') => clap::Error::raw(
            ErrorKind::UnknownArgument,
            "unexpected argument (not repeated, since it may hold an encounter): `explain` \
             takes one encounter, `route` one file of encounters\n\nFor more information, try '--help'.\n",
        )
        .with_cmd(&Cli::command()),
        _ => e,
    }
}

fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Check(args) => check::run(args),
        Command::Route(args) => route::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Providers { command } => providers::run(command),
        Command::Simulate(args) => simulate::run(args),
        Command::Case { command } => case::run(command),
        Command::Diff(args) => diff::run(args),
        Command::Test(args) => test::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Playground(args) => playground::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Audit { command } => audit::run(command),
    }
}
