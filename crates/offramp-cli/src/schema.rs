//! `offramp schema`: the JSON Schemas of programs, encounters, decisions and traces.

use std::io::{self, Write};
use std::process::ExitCode;

use offramp::schema::{SchemaKind, json_schema};

use crate::error::CliError;

/// Arguments of `offramp schema`.
#[derive(clap::Args, Debug, Clone)]
pub struct SchemaArgs {
    /// Which schema; all of them (as one object keyed by name) when absent.
    #[arg(value_enum)]
    pub kind: Option<SchemaArg>,
}

/// The schema to print.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SchemaArg {
    /// A program file.
    Program,
    /// One encounter.
    Encounter,
    /// One decision.
    Decision,
    /// One trace (`explain --trace --format json`).
    Trace,
    /// A scenario file (`offramp test`).
    Scenarios,
}

/// Prints the schema, pretty-printed.
pub fn run(args: SchemaArgs) -> Result<ExitCode, CliError> {
    let value = match args.kind {
        Some(k) => json_schema(match k {
            SchemaArg::Program => SchemaKind::Program,
            SchemaArg::Encounter => SchemaKind::Encounter,
            SchemaArg::Decision => SchemaKind::Decision,
            SchemaArg::Trace => SchemaKind::Trace,
            SchemaArg::Scenarios => SchemaKind::Scenarios,
        }),
        None => {
            let mut all = serde_json::Map::new();
            for k in SchemaKind::ALL {
                all.insert(k.name().into(), json_schema(k));
            }
            serde_json::Value::Object(all)
        }
    };
    let text = serde_json::to_string_pretty(&value).map_err(CliError::Schema)?;
    writeln!(io::stdout().lock(), "{text}").map_err(CliError::Stdout)?;
    Ok(ExitCode::SUCCESS)
}
