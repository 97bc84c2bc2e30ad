//! `offramp audit verify --log PATH`: checks the hash chain of `offramp serve`'s audit log and
//! names the first row that was changed or deleted.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::{CliError, Exit};

/// What `offramp audit --help` adds after the subcommands.
pub const AFTER_HELP: &str = "Exit codes: 0 the chain holds; 2 it is broken (the first row at \
fault is named) or the file is not an offramp audit log; 3 the file cannot be read.";

/// `offramp audit` subcommands.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum AuditCommand {
    /// Check that no row of the log was changed or deleted: rows numbered from 1 without a
    /// gap, each chained to the one before by its hash. Prints the number of rows and the last
    /// row's hash; keep that hash elsewhere to show later that no newer row was removed.
    #[command(after_help = AFTER_HELP)]
    Verify {
        /// The audit log (the SQLite file the configuration's `[audit] path` names). It is
        /// only read; a running service may keep writing to it.
        #[arg(long, value_name = "PATH")]
        log: PathBuf,
    },
}

/// Runs an `offramp audit` subcommand.
pub fn run(command: AuditCommand) -> Result<ExitCode, CliError> {
    match command {
        AuditCommand::Verify { log } => {
            let verified = offramp_serve::verify(&log).map_err(|source| match source {
                offramp_serve::VerifyError::Open(e) => CliError::Audit(e),
                broken => CliError::AuditBroken {
                    path: log.clone(),
                    source: broken,
                },
            })?;
            writeln!(
                io::stdout().lock(),
                "{}: the chain holds: {} {}; last hash {}",
                log.display(),
                verified.rows,
                if verified.rows == 1 { "row" } else { "rows" },
                verified.head
            )
            .map_err(CliError::Stdout)?;
            Ok(Exit::Success.into())
        }
    }
}
