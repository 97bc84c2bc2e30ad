//! `offramp providers`: check a partner provider directory, list what is open.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use offramp::providers::{Hours, OpeningHours};

use crate::error::{CliError, Exit};
use crate::load::{DirectoryArgs, parse_time};
use crate::words::count;

/// Subcommands of `offramp providers`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum ProvidersCommand {
    /// Validate a directory: counts, and what is incomplete.
    Check {
        /// The directory and how to read it.
        #[command(flatten)]
        directory: DirectoryArgs,
    },
    /// List the services open at a time.
    Open {
        /// The time: `now`, or RFC 3339 with offset (e.g. 2026-03-02T22:30:00-06:00).
        #[arg(long, value_parser = parse_time)]
        at: DateTime<FixedOffset>,
        /// The directory and how to read it.
        #[command(flatten)]
        directory: DirectoryArgs,
    },
}

/// Runs the subcommand.
pub fn run(command: ProvidersCommand) -> Result<ExitCode, CliError> {
    match command {
        ProvidersCommand::Check { directory } => check(&directory),
        ProvidersCommand::Open { at, directory } => open(at, &directory),
    }
}

/// Prints every warning, then the counts of organizations, services, sites and each kind.
fn check(args: &DirectoryArgs) -> Result<ExitCode, CliError> {
    let dir = args.load()?;
    let mut err = io::stderr().lock();
    for w in dir.warnings() {
        let _ = writeln!(err, "warning: {}", w.render(crate::load::option_name));
    }
    let mut kinds = BTreeMap::new();
    for s in dir.services() {
        for k in &s.kinds {
            *kinds.entry(k.as_str()).or_insert(0) += 1;
        }
    }
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{}: ok: {}, {}, {}, {}",
        args.path.display(),
        count(dir.organizations().len(), "organization"),
        count(dir.services().len(), "service"),
        count(
            dir.services().iter().map(|s| s.sites.len()).sum::<usize>(),
            "site"
        ),
        count(dir.warnings().len(), "warning")
    )
    .map_err(CliError::Stdout)?;
    for (k, n) in kinds {
        writeln!(out, "  {k}: {n}").map_err(CliError::Stdout)?;
    }
    Ok(Exit::Success.into())
}

/// Prints each active service open at `at`, tab-separated, with when it closes; the count goes
/// to standard error. Inactive services are left out, as the router leaves them out.
fn open(at: DateTime<FixedOffset>, args: &DirectoryArgs) -> Result<ExitCode, CliError> {
    let dir = args.load()?;
    let mut out = io::stdout().lock();
    let mut open = 0;
    for s in dir.services().iter().filter(|s| s.is_active()) {
        let hours: Vec<&Hours> = s
            .hours
            .iter()
            .chain(s.sites.iter().filter_map(|x| x.hours.as_ref()))
            .collect();
        let mut until = None;
        let mut is_open = false;
        for h in hours {
            let compiled = OpeningHours::compile(h).map_err(|source| CliError::Hours {
                service: s.id.to_string(),
                source,
            })?;
            if compiled.is_open(at) {
                is_open = true;
                until = compiled.open_until(at);
                break;
            }
        }
        if is_open {
            open += 1;
            let until = until
                .map(|u| format!("until {}", u.to_rfc3339()))
                .unwrap_or_else(|| "with no closing time in sight".into());
            writeln!(out, "{}\t{}\t{until}", s.id, s.name).map_err(CliError::Stdout)?;
        }
    }
    let _ = writeln!(
        io::stderr().lock(),
        "{open} of {} services open at {}",
        dir.services().len(),
        at.to_rfc3339()
    );
    Ok(Exit::Success.into())
}
