//! The `offramp` command: check programs, route encounters, explain decisions, print schemas.
//!
//! Each subcommand lives in its own module; they all fail with [`error::CliError`], which
//! `main` prints through [`error::Handler`] before exiting with code 1.

mod case;
mod check;
mod error;
mod explain;
mod load;
mod providers;
mod route;
mod schema;
mod simulate;
mod words;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

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
    /// Referral cases after a decision.
    Case {
        #[command(subcommand)]
        command: case::CaseCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "{}", error::report(&e));
            ExitCode::from(1)
        }
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
    }
}
