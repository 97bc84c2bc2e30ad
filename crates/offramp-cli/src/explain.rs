//! `offramp explain`: the decision for one encounter, in sentences.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use offramp::Encounter;

use crate::error::{CliError, Exit};
use crate::load::make_router;
use crate::words::{printable, printable_lines};

/// Arguments of `offramp explain`.
#[derive(clap::Args, Debug, Clone)]
pub struct ExplainArgs {
    /// The program file.
    #[arg(long, short)]
    pub program: PathBuf,
    /// A provider directory.
    #[arg(long)]
    pub providers: Option<PathBuf>,
    /// Also trace every rule, exclusion and amnesty: each clause with its result (true, false
    /// or unknown), the value it read and its limit. For program authors.
    #[arg(long)]
    pub trace: bool,
    /// `text` for people; `json` for the decision record (with `--trace`, the whole trace) as
    /// one line of JSON.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// A file holding one encounter as JSON, `-` for standard input, or the JSON itself
    /// (anything starting with `{`, `[` or `"` is read as JSON). Exit code 1 when it is not a
    /// valid encounter.
    pub encounter: String,
}

/// How `explain` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// Sentences, and with `--trace` an indented trace.
    Text,
    /// One line of JSON: the decision, or with `--trace` the trace.
    Json,
}

/// Routes the encounter and prints the explanation. Text from the encounter or a directory
/// (the id, service names) is shown with control characters escaped.
pub fn run(args: ExplainArgs) -> Result<ExitCode, CliError> {
    let router = make_router(&args.program, args.providers.as_deref())?;
    // Text that starts like JSON is read as JSON, never as a file name; and an argument that is
    // neither is not repeated in the error, since it may be a mistyped encounter.
    let text = if args.encounter.trim_start().starts_with(['{', '[', '"']) {
        args.encounter
    } else if args.encounter == "-" {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .map_err(CliError::Stdin)?;
        s
    } else {
        std::fs::read_to_string(Path::new(&args.encounter)).map_err(CliError::EncounterArgument)?
    };
    let encounter = Encounter::from_json(text.trim())?;
    let text = match (args.trace, args.format) {
        // JSON escapes every control character itself.
        (false, ExplainFormat::Json) => {
            router.route(&encounter).to_json().map_err(CliError::Json)? + "\n"
        }
        (true, ExplainFormat::Json) => {
            router.trace(&encounter).to_json().map_err(CliError::Json)? + "\n"
        }
        (false, ExplainFormat::Text) => {
            let mut decision = router.route(&encounter);
            decision.encounter_id = printable(&decision.encounter_id, usize::MAX);
            printable_lines(&decision.explain())
        }
        (true, ExplainFormat::Text) => {
            let mut trace = router.trace(&encounter);
            trace.decision.encounter_id = printable(&trace.decision.encounter_id, usize::MAX);
            printable_lines(&trace.explain())
        }
    };
    write!(io::stdout().lock(), "{text}").map_err(CliError::Stdout)?;
    Ok(Exit::Success.into())
}
