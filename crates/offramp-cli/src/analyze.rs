//! `offramp analyze PROGRAM... [--encounters FILE] [--format text|json] [--map FILE]
//! [--map-format svg|mermaid|html]`: gaps, overlaps, rules that can never admit and the
//! Sequential Intercept Model grid of one program, or of several taken together.
//!
//! The analysis is the core's (`offramp::authoring::analysis`), and so are its text report
//! (`Display for Analysis`) and the map (`offramp::authoring::map`); this module reads the
//! files, prints and writes what those return.

use std::io::{self, BufRead};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use offramp::authoring::analysis::{Analysis, analyze};
use offramp::authoring::encounters::{EncounterLinesError, read_encounter_lines};
use offramp::authoring::map::{MapFormat, render};
use offramp::lines::MAX_LINE_BYTES;
use offramp::text::printable_each_line;
use offramp::{Program, Router};

use crate::error::{CliError, Exit};

/// What `offramp analyze --help` says about its exit codes.
pub const EXIT_HELP: &str = "Exit codes: 0 the analysis ran, whatever it found (gaps and \
overlaps are findings, not failures: read --format json to act on them); 1 some lines of the \
--encounters file are not encounters (every other one was counted); 2 a program is invalid, \
or the programs read too many fields at once to analyse exactly; 3 a usage error, or a file \
that cannot be read or written.";

/// Arguments of `offramp analyze`.
#[derive(clap::Args, Debug, Clone)]
pub struct AnalyzeArgs {
    /// The programs (.toml or .json). Several are analysed together: a gap is then what no
    /// program admits to any pathway.
    #[arg(required = true)]
    pub programs: Vec<PathBuf>,
    /// Past encounters as JSON lines (`-` for standard input): each gap shows how many fall
    /// in it, and the gaps are ordered by that count.
    #[arg(long, value_name = "FILE")]
    pub encounters: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,
    /// Also draw the Sequential Intercept Model map into this file.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// The map's format: a standalone SVG picture, a Mermaid diagram, or a web page with the
    /// map and the list of gaps.
    #[arg(long, value_parser = map_format(), default_value = "svg", requires = "map")]
    pub map_format: MapFormat,
}

/// How the analysis is printed.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum AnalyzeFormat {
    /// A report for people: gaps, overlaps, dead rules, exclusions that empty a pathway, the
    /// intercept grid.
    Text,
    /// One JSON object (the same as Python's `offramp.analyze(...).to_json()`).
    Json,
}

/// Reads `--map-format`: a name of the core's [`MapFormat`] vocabulary.
fn map_format() -> impl clap::builder::TypedValueParser<Value = MapFormat> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(MapFormat::ALL.map(|f| f.as_str()))
        .try_map(|name| name.parse::<MapFormat>())
}

/// Loads the programs, reads the encounters, analyses, prints and draws the map. Exit code 0
/// whatever the analysis found; 1 when some encounter lines could not be read.
pub fn run(args: AnalyzeArgs) -> Result<ExitCode, CliError> {
    let mut routers = Vec::with_capacity(args.programs.len());
    for path in &args.programs {
        let program = Program::from_file(path).map_err(|source| CliError::Program {
            path: path.clone(),
            source,
        })?;
        routers.push(Router::new(program));
    }
    let read = match &args.encounters {
        Some(path) => Some(read_encounters(path)?),
        None => None,
    };
    let refs: Vec<&Router> = routers.iter().collect();
    let analysis = analyze(&refs, read.as_ref().map(|(_, r)| r.encounters.as_slice()))
        .map_err(CliError::Analysis)?;
    if let Some(path) = &args.map {
        std::fs::write(path, render(&analysis, args.map_format)).map_err(|source| {
            CliError::Write {
                path: path.clone(),
                flag: "--map",
                source,
            }
        })?;
    }
    crate::words::print_report(
        matches!(args.format, AnalyzeFormat::Json),
        || text(&analysis),
        || serde_json::to_string_pretty(&analysis),
    )?;
    if let Some((name, r)) = &read
        && r.failed > 0
    {
        crate::diff::report_failures(
            name,
            &r.failures,
            r.failed,
            &format!("{} read", r.encounters.len()),
        );
        return Ok(Exit::EncountersFailed.into());
    }
    Ok(Exit::Success.into())
}

/// The report, each line made safe for a terminal (program names and rule ids come from
/// files): the core's [`printable_each_line`], which the WebAssembly bindings share.
fn text(analysis: &Analysis) -> String {
    printable_each_line(&analysis.to_string())
}

/// The encounters of `--encounters`, with the name failures are reported under.
fn read_encounters(
    path: &Path,
) -> Result<(String, offramp::authoring::encounters::EncounterLines), CliError> {
    let flag_error = |message: String| CliError::FlagInput {
        flag: "--encounters",
        name: path.display().to_string(),
        message,
    };
    let (name, reader): (String, Box<dyn BufRead>) = if path.as_os_str() == "-" {
        ("<stdin>".into(), Box::new(io::stdin().lock()))
    } else {
        let f = std::fs::File::open(path).map_err(|e| flag_error(format!("cannot read: {e}")))?;
        (path.display().to_string(), Box::new(io::BufReader::new(f)))
    };
    let read = read_encounter_lines(reader, MAX_LINE_BYTES).map_err(|e| match e {
        EncounterLinesError::Read(e) => CliError::ReadLine {
            name: name.clone(),
            line: e.line,
            source: e.source,
        },
        other => flag_error(other.to_string()),
    })?;
    Ok((name, read))
}
