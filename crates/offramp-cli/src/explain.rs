//! `offramp explain`: the decision for one encounter, in sentences.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use offramp::Encounter;

use crate::error::CliError;
use crate::load::{make_router, read_file};

/// Arguments of `offramp explain`.
#[derive(clap::Args, Debug, Clone)]
pub struct ExplainArgs {
    /// The program file.
    #[arg(long, short)]
    pub program: PathBuf,
    /// A provider directory.
    #[arg(long)]
    pub providers: Option<PathBuf>,
    /// A file holding one encounter as JSON, `-` for standard input, or the JSON itself
    /// (anything starting with `{`, `[` or `"` is read as JSON).
    pub encounter: String,
}

/// Routes the encounter and prints the explanation.
pub fn run(args: ExplainArgs) -> Result<ExitCode, CliError> {
    let router = make_router(&args.program, args.providers.as_deref())?;
    // Text that starts like JSON is read as JSON, never as a file name, so that a mistyped
    // encounter is not repeated back in a "no such file" error.
    let text = if args.encounter.trim_start().starts_with(['{', '[', '"']) {
        args.encounter
    } else if args.encounter == "-" {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .map_err(CliError::Stdin)?;
        s
    } else {
        read_file(Path::new(&args.encounter))?
    };
    let encounter = Encounter::from_json(text.trim())?;
    write!(
        io::stdout().lock(),
        "{}",
        router.route(&encounter).explain()
    )
    .map_err(CliError::Stdout)?;
    Ok(ExitCode::SUCCESS)
}
