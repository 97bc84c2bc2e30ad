//! `offramp audit verify --log PATH` (or `--postgres CONNINFO`): checks the hash chain of
//! `offramp serve`'s audit log and names the first row that was changed or deleted. `offramp
//! audit export`: the decisions of a log that verifies, as a table for analysis.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use offramp_serve::audit::Location;

use crate::error::{CliError, Exit};

/// What `offramp audit --help` adds after the subcommands.
pub const AFTER_HELP: &str = "Exit codes: 0 the chain holds; 2 it is broken (the first row at \
fault is named) or the file or database is not an offramp audit log; 3 the log cannot be read \
(a missing file, a database that cannot be reached).";

/// `offramp audit` subcommands.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum AuditCommand {
    /// Check that no row of the log was changed or deleted: rows numbered from 1 without a
    /// gap, each chained to the one before by its hash. Prints the number of rows and the last
    /// row's hash; keep that hash elsewhere to show later that no newer row was removed.
    #[command(after_help = AFTER_HELP)]
    Verify {
        #[command(flatten)]
        log: LogFlags,
        #[command(flatten)]
        tls: PostgresTls,
    },
    /// Write the log's decisions as a table for analysis: one row per decision with its
    /// number, time, token id, program id and hash, intercept, disposition, eligible pathways
    /// (`;`-separated), the decision record as JSON, and the row's hashes. The log is verified
    /// first; a log whose chain is broken is not exported.
    #[command(after_help = AFTER_HELP)]
    Export {
        #[command(flatten)]
        log: LogFlags,
        #[command(flatten)]
        tls: PostgresTls,
        /// `csv` (a header row, then one row per decision), `jsonl` (one JSON object a
        /// line, the decision record nested) or `parquet` (typed columns: `at` a UTC
        /// timestamp; Snappy-compressed; needs --out or a redirect).
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Write the table to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Where the log is: a SQLite file or a PostgreSQL database, exactly one.
#[derive(clap::Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct LogFlags {
    /// The audit log's SQLite file (the configuration's `[audit] path`). It is only read; a
    /// running service may keep writing to it.
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "postgres",
        conflicts_with = "postgres"
    )]
    log: Option<PathBuf>,
    /// The audit log in PostgreSQL (the configuration's `[audit] postgres`): a connection
    /// string, `host=... port=... dbname=... user=...` or a postgresql:// URL, without a
    /// password (give it in the PGPASSWORD environment variable). It is only read, in one
    /// read-only transaction.
    #[arg(long, value_name = "CONNINFO")]
    postgres: Option<String>,
}

/// TLS to a log in PostgreSQL (outside `LogFlags`, whose flags exclude one another).
#[derive(clap::Args, Debug, Clone)]
pub struct PostgresTls {
    /// With --postgres: reach the database over TLS, checking its certificate (and its name)
    /// against the certificate authority in this PEM file (the configuration's `[audit]
    /// postgres_ca`).
    #[arg(long, value_name = "FILE", requires = "postgres")]
    postgres_ca: Option<PathBuf>,
}

impl LogFlags {
    /// The log the flags name, and how messages name it (never with a password).
    fn location(self, tls: PostgresTls) -> Result<(Location, String), CliError> {
        match (self.log, self.postgres) {
            (_, Some(conninfo)) => {
                let db = offramp_serve::audit::Postgres::new(
                    &conninfo,
                    offramp_serve::audit::Postgres::password_from_env(),
                )
                .map_err(CliError::PostgresFlag)?;
                let db = db
                    .with_ca_from(tls.postgres_ca.as_deref(), "--postgres-ca")
                    .map_err(|e| match e {
                        offramp_serve::audit::ConninfoError::NeedsCa(_) => {
                            CliError::PostgresFlag(e)
                        }
                        _ => CliError::PostgresCaFlag(e),
                    })?;
                let shown = db.shown().to_string();
                Ok((Location::Postgres(db), shown))
            }
            (Some(_), None) if tls.postgres_ca.is_some() => Err(CliError::FlagInput {
                flag: "--postgres-ca",
                name: tls
                    .postgres_ca
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                message:
                    "only with --postgres: a SQLite file (--log) needs no certificate authority"
                        .into(),
            }),
            (Some(path), None) => {
                let shown = path.display().to_string();
                Ok((Location::Sqlite(path), shown))
            }
            // clap requires one of the two.
            (None, None) => Err(CliError::PostgresFlag(
                offramp_serve::audit::ConninfoError::Parse("give --log or --postgres".into()),
            )),
        }
    }
}

/// The table formats of `offramp audit export`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object a line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
}

/// A broken or unreadable log, as the command reports it.
fn verify_error(log: &str, source: offramp_serve::VerifyError) -> CliError {
    match source {
        offramp_serve::VerifyError::Open(e) => CliError::Audit(e),
        broken => CliError::AuditBroken {
            path: log.to_string(),
            source: broken,
        },
    }
}

/// Runs an `offramp audit` subcommand.
pub fn run(command: AuditCommand) -> Result<ExitCode, CliError> {
    match command {
        AuditCommand::Verify { log, tls } => {
            let (log, shown) = log.location(tls)?;
            let verified = offramp_serve::verify(log).map_err(|e| verify_error(&shown, e))?;
            let from = if verified.first > 1 {
                format!(" from row {}", verified.first)
            } else {
                String::new()
            };
            writeln!(
                io::stdout().lock(),
                "{shown}: the chain holds: {} {}{from}; last hash {}",
                verified.rows,
                if verified.rows == 1 { "row" } else { "rows" },
                verified.head
            )
            .map_err(CliError::Stdout)?;
            Ok(Exit::Success.into())
        }
        AuditCommand::Export {
            log,
            tls,
            format,
            out,
        } => {
            let (log, shown) = log.location(tls)?;
            let format = match format {
                ExportFormat::Csv => offramp_serve::audit::ExportFormat::Csv,
                ExportFormat::Jsonl => offramp_serve::audit::ExportFormat::Jsonl,
                ExportFormat::Parquet => offramp_serve::audit::ExportFormat::Parquet,
            };
            if format == offramp_serve::audit::ExportFormat::Parquet
                && out.is_none()
                && io::stdout().is_terminal()
            {
                return Err(CliError::BinaryToTerminal);
            }
            let result = match &out {
                Some(path) => {
                    let file = std::fs::File::create(path).map_err(|source| CliError::Write {
                        path: path.clone(),
                        flag: "--out",
                        source,
                    })?;
                    offramp_serve::audit::export(&log, format, io::BufWriter::new(file))
                }
                None => {
                    offramp_serve::audit::export(&log, format, io::BufWriter::new(io::stdout()))
                }
            };
            match result {
                Ok(_) => Ok(Exit::Success.into()),
                Err(offramp_serve::audit::ExportError::Verify(e)) => Err(verify_error(&shown, e)),
                Err(offramp_serve::audit::ExportError::Read(e)) => Err(CliError::Audit(e)),
                Err(offramp_serve::audit::ExportError::Write(source)) => Err(match out {
                    Some(path) => CliError::Write {
                        path,
                        flag: "--out",
                        source,
                    },
                    None => CliError::Stdout(source),
                }),
                Err(e @ offramp_serve::audit::ExportError::Value { .. }) => {
                    Err(CliError::AuditValue {
                        path: shown,
                        source: e,
                    })
                }
            }
        }
    }
}
