//! `offramp route`: route encounters given as JSON lines, one decision per line.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use offramp::{Decision, Encounter, EncounterError, Router};

use crate::error::CliError;
use crate::load::make_router;
use crate::words::count;

/// Arguments of `offramp route`.
#[derive(clap::Args, Debug, Clone)]
pub struct RouteArgs {
    /// The program file.
    #[arg(long, short)]
    pub program: PathBuf,
    /// Encounters as JSON lines; `-` or nothing reads standard input.
    pub input: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Json)]
    pub format: OutFormat,
    /// A provider directory: decisions then carry ranked partner options.
    #[arg(long)]
    pub providers: Option<PathBuf>,
}

/// How decisions are printed.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum OutFormat {
    /// One JSON decision per line.
    Json,
    /// A table for people.
    Table,
}

/// Why one input line was not routed. The line fails alone; the others are still routed.
#[derive(Debug, thiserror::Error)]
enum LineError {
    /// The bytes are not UTF-8.
    #[error(".: the line is not valid UTF-8")]
    NotUtf8,
    /// The text is not a valid encounter.
    #[error(transparent)]
    Encounter(#[from] EncounterError),
}

/// Routes every line of the input. The exit code is 1 when any line failed.
pub fn run(args: RouteArgs) -> Result<ExitCode, CliError> {
    let router = make_router(&args.program, args.providers.as_deref())?;
    let (name, reader): (String, Box<dyn BufRead>) = match args.input {
        Some(p) if p.as_os_str() != "-" => {
            let f = std::fs::File::open(&p).map_err(|source| CliError::Read {
                path: p.clone(),
                source,
            })?;
            (p.display().to_string(), Box::new(io::BufReader::new(f)))
        }
        _ => ("<stdin>".into(), Box::new(io::stdin().lock())),
    };
    route_stream(&router, &name, reader, args.format)
}

/// Lines are read and routed in chunks so that large inputs use all cores and constant memory.
const CHUNK: usize = 16_384;

/// One input line: its 1-based number and its text (`None` when it is not UTF-8).
type Line = (usize, Option<String>);

fn route_stream(
    router: &Router,
    name: &str,
    mut reader: Box<dyn BufRead>,
    format: OutFormat,
) -> Result<ExitCode, CliError> {
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failures = 0usize;
    let mut routed = 0usize;
    let mut lines: Vec<Line> = Vec::with_capacity(CHUNK);
    if let OutFormat::Table = format {
        writeln!(
            out,
            "{:<16} {:>2}  {:<20}  {:<50}  {:<25}  first partner offered",
            "encounter", "SI", "disposition", "eligible (in rank order)", "charge hold until"
        )
        .map_err(CliError::Stdout)?;
    }
    let mut flush =
        |lines: &mut Vec<Line>, out: &mut BufWriter<io::StdoutLock<'_>>| -> Result<(), CliError> {
            use rayon::prelude::*;
            let results: Vec<(usize, Result<Decision, LineError>)> = lines
                .par_iter()
                .map(|(n, text)| {
                    let result = match text {
                        Some(text) => Encounter::from_json(text)
                            .map(|e| router.route(&e))
                            .map_err(LineError::from),
                        None => Err(LineError::NotUtf8),
                    };
                    (*n, result)
                })
                .collect();
            for (n, r) in results {
                match r {
                    Ok(d) => {
                        routed += 1;
                        let line = match format {
                            OutFormat::Json => d.to_json().map_err(CliError::Json)?,
                            OutFormat::Table => table_row(&d),
                        };
                        writeln!(out, "{line}").map_err(CliError::Stdout)?;
                    }
                    Err(e) => {
                        failures += 1;
                        let _ = writeln!(io::stderr().lock(), "{name}:{n}: {e}");
                    }
                }
            }
            lines.clear();
            Ok(())
        };
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| CliError::ReadLine {
                name: name.to_string(),
                line: n + 1,
                source,
            })?;
        if read == 0 {
            break;
        }
        n += 1;
        let mut bytes = buf.as_slice();
        if let Some(rest) = bytes.strip_suffix(b"\n") {
            bytes = rest;
        }
        if let Some(rest) = bytes.strip_suffix(b"\r") {
            bytes = rest;
        }
        // Files saved by some editors and spreadsheets start with a byte-order mark.
        if n == 1
            && let Some(rest) = bytes.strip_prefix("\u{feff}".as_bytes())
        {
            bytes = rest;
        }
        let line = std::str::from_utf8(bytes).ok().map(str::to_owned);
        if line.as_deref().is_some_and(|l| l.trim().is_empty()) {
            continue;
        }
        lines.push((n, line));
        if lines.len() == CHUNK {
            flush(&mut lines, &mut out)?;
        }
    }
    flush(&mut lines, &mut out)?;
    out.flush().map_err(CliError::Stdout)?;
    if failures > 0 {
        let _ = writeln!(
            io::stderr().lock(),
            "{name}: {} failed, {routed} routed",
            count(failures, "line")
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// One row of `--format table`.
fn table_row(d: &Decision) -> String {
    let eligible: Vec<&str> = d.eligible.iter().map(|e| e.pathway.as_str()).collect();
    let hold = d
        .eligible
        .iter()
        .find_map(|e| e.charge_hold.as_ref())
        .map(|h| h.deadline.to_rfc3339())
        .unwrap_or_else(|| "-".into());
    let partner = d
        .eligible
        .first()
        .and_then(|e| match (&e.providers, &e.provider_gap) {
            (Some(options), gap) => Some(match options.first() {
                Some(o) if o.open_now => format!("{} (open)", o.service),
                Some(o) => format!(
                    "{} (closed){}",
                    o.service,
                    if gap.is_some() { " GAP" } else { "" }
                ),
                None => "GAP: none fits".to_string(),
            }),
            (None, _) => None,
        })
        .unwrap_or_else(|| "-".into());
    let id: String = d.encounter_id.chars().take(16).collect();
    let eligible = if eligible.is_empty() {
        "-".to_string()
    } else {
        eligible.join(", ")
    };
    format!(
        "{:<16} {:>2}  {:<20}  {:<50}  {:<25}  {}",
        id,
        d.intercept.number(),
        d.disposition.as_str(),
        eligible,
        hold,
        partner.chars().take(60).collect::<String>()
    )
}
