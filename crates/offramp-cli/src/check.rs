//! `offramp check`: load program files and report every problem with its position.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use offramp::{Program, ProgramError};

use crate::error::{CliError, Exit};
use crate::words::count;

/// Arguments of `offramp check`.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Program files (.toml or .json).
    #[arg(required = true)]
    pub programs: Vec<PathBuf>,
}

/// Checks each program: a summary line on standard output for a good one (and any warnings on
/// standard error), the diagnostics on standard error for a bad one. The exit code is 2 when any program has errors, 3 when one
/// cannot be read.
pub fn run(args: CheckArgs) -> Result<ExitCode, CliError> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let mut exit = Exit::Success;
    for path in &args.programs {
        match Program::from_file(path) {
            Ok(p) => {
                // A program that loads may still have something that cannot work as written.
                for w in p.warnings() {
                    let _ = write!(err, "{}", w.render_warning());
                }
                writeln!(
                    out,
                    "{}: ok: program `{}`{}, {}, {}, {}",
                    path.display(),
                    p.id(),
                    p.ended()
                        .map(|day| format!(" (ended {day})"))
                        .unwrap_or_default(),
                    count(p.pathways().count(), "pathway"),
                    count(p.rule_count(), "rule"),
                    p.hash()
                )
                .map_err(CliError::Stdout)?
            }
            Err(e) => {
                exit = exit.max(match &e {
                    ProgramError::Io { .. } => Exit::Usage,
                    _ => Exit::Invalid,
                });
                let _ = write!(err, "{}", e.render());
                let n = e.diagnostics().len();
                if n > 0 {
                    let _ = writeln!(err, "{}: {}", path.display(), count(n, "error"));
                }
            }
        }
    }
    Ok(exit.into())
}
