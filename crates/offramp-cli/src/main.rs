//! The `offramp` command: check programs, route encounters, explain decisions, print schemas.

mod simulate;

use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use offramp::providers::hsds::LoadOptions;
use offramp::providers::taxonomy::TaxonomyMap;
use offramp::providers::{Directory, OpeningHours};
use offramp::schema::{SchemaKind, json_schema};
use offramp::{Decision, Encounter, Program, Router};

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
    Check {
        /// Program files (.toml or .json).
        #[arg(required = true)]
        programs: Vec<PathBuf>,
    },
    /// Route encounters (JSON lines) and print one decision per line.
    Route {
        /// The program file.
        #[arg(long, short)]
        program: PathBuf,
        /// Encounters as JSON lines; `-` or nothing reads standard input.
        input: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Json)]
        format: OutFormat,
        /// A provider directory: decisions then carry ranked partner options.
        #[arg(long)]
        providers: Option<PathBuf>,
    },
    /// Explain the decision for one encounter in sentences.
    Explain {
        /// The program file.
        #[arg(long, short)]
        program: PathBuf,
        /// A provider directory.
        #[arg(long)]
        providers: Option<PathBuf>,
        /// A file holding one encounter as JSON, `-` for standard input, or the JSON itself.
        encounter: String,
    },
    /// Print JSON Schemas for programs, encounters and decisions.
    Schema {
        /// Which schema; all three (as one object keyed by name) when absent.
        #[arg(value_enum)]
        kind: Option<SchemaArg>,
    },
    /// Partner provider directories (HSDS 3.0 JSON, an HSDS data package folder, or TOML).
    Providers {
        #[command(subcommand)]
        command: ProvidersCommand,
    },
    /// Simulate a scenario with and without its program; write the result tables.
    Simulate(simulate::SimulateArgs),
    /// Referral cases after a decision.
    Case {
        #[command(subcommand)]
        command: CaseCommand,
    },
}

#[derive(Subcommand)]
enum ProvidersCommand {
    /// Validate a directory: counts, and what is incomplete.
    Check {
        /// The directory.
        path: PathBuf,
        /// IANA time zone of schedules that give only a UTC offset.
        #[arg(long)]
        timezone: Option<String>,
        /// A taxonomy mapping file (TOML) instead of the default.
        #[arg(long)]
        taxonomy: Option<PathBuf>,
    },
    /// List the services open at a time.
    Open {
        /// The time, RFC 3339 with offset (e.g. 2026-03-02T22:30:00-06:00).
        #[arg(long)]
        at: String,
        /// The directory.
        path: PathBuf,
        /// IANA time zone of schedules that give only a UTC offset.
        #[arg(long)]
        timezone: Option<String>,
        /// A taxonomy mapping file (TOML) instead of the default.
        #[arg(long)]
        taxonomy: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CaseCommand {
    /// Draw the case state graph.
    Graph {
        /// Mermaid (for Markdown) or Graphviz DOT.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutFormat {
    /// One JSON decision per line.
    Json,
    /// A table for people.
    Table,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaArg {
    Program,
    Encounter,
    Decision,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("offramp: {message}");
            ExitCode::from(1)
        }
    }
}

fn load(path: &PathBuf) -> Result<Program, String> {
    Program::from_file(path).map_err(|e| e.render())
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Check { programs } => {
            let mut failed = false;
            for path in &programs {
                match Program::from_file(path) {
                    Ok(p) => println!(
                        "{}: ok: program `{}`, {} pathways, {} rules, {}",
                        path.display(),
                        p.id(),
                        p.pathways().count(),
                        p.rule_count(),
                        p.hash()
                    ),
                    Err(e) => {
                        failed = true;
                        eprint!("{}", e.render());
                        let n = e.diagnostics().len();
                        if n > 0 {
                            eprintln!(
                                "{}: {n} error{}",
                                path.display(),
                                if n == 1 { "" } else { "s" }
                            );
                        }
                    }
                }
            }
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Route {
            program,
            input,
            format,
            providers,
        } => {
            let router = make_router(&program, providers.as_ref())?;
            let (name, reader): (String, Box<dyn BufRead>) = match input {
                None => ("<stdin>".into(), Box::new(io::stdin().lock())),
                Some(p) if p.as_os_str() == "-" => ("<stdin>".into(), Box::new(io::stdin().lock())),
                Some(p) => {
                    let f = std::fs::File::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                    (p.display().to_string(), Box::new(io::BufReader::new(f)))
                }
            };
            route_stream(&router, &name, reader, format)
        }
        Command::Explain {
            program,
            providers,
            encounter,
        } => {
            let router = make_router(&program, providers.as_ref())?;
            let text = if encounter.trim_start().starts_with('{') {
                encounter
            } else if encounter == "-" {
                let mut s = String::new();
                io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| e.to_string())?;
                s
            } else {
                std::fs::read_to_string(&encounter).map_err(|e| format!("{encounter}: {e}"))?
            };
            let enc = Encounter::from_json(text.trim()).map_err(|e| format!("encounter: {e}"))?;
            print!("{}", router.route(&enc).explain());
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { kind } => {
            let value = match kind {
                Some(k) => json_schema(match k {
                    SchemaArg::Program => SchemaKind::Program,
                    SchemaArg::Encounter => SchemaKind::Encounter,
                    SchemaArg::Decision => SchemaKind::Decision,
                }),
                None => {
                    let mut all = serde_json::Map::new();
                    for k in SchemaKind::ALL {
                        all.insert(k.name().into(), json_schema(k));
                    }
                    serde_json::Value::Object(all)
                }
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Providers { command } => providers_command(command),
        Command::Simulate(args) => simulate::run(args),
        Command::Case { command } => match command {
            CaseCommand::Graph { format } => {
                let text = match format {
                    GraphFormat::Mermaid => offramp::case::status_graph_mermaid(),
                    GraphFormat::Dot => offramp::case::status_graph_dot(),
                };
                print!("{text}");
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}

fn load_directory(
    path: &PathBuf,
    timezone: Option<String>,
    taxonomy: Option<&PathBuf>,
) -> Result<Directory, String> {
    let mut options = LoadOptions {
        timezone,
        ..LoadOptions::default()
    };
    if let Some(t) = taxonomy {
        let text = std::fs::read_to_string(t).map_err(|e| format!("{}: {e}", t.display()))?;
        options.taxonomy =
            TaxonomyMap::from_toml(&text, &t.display().to_string()).map_err(|e| e.to_string())?;
    }
    Directory::from_path_with(path, &options).map_err(|e| e.to_string())
}

fn make_router(program: &PathBuf, providers: Option<&PathBuf>) -> Result<Router, String> {
    let program = load(program)?;
    match providers {
        None => Ok(Router::new(program)),
        Some(path) => {
            let tz = program.spec().program.timezone.clone();
            let dir = load_directory(path, Some(tz), None)?;
            for w in dir.warnings().iter().take(20) {
                eprintln!("{}: warning: {w}", path.display());
            }
            if dir.warnings().len() > 20 {
                eprintln!(
                    "{}: {} more warnings (see `offramp providers check`)",
                    path.display(),
                    dir.warnings().len() - 20
                );
            }
            Router::with_directory(program, &dir).map_err(|e| e.to_string())
        }
    }
}

fn providers_command(command: ProvidersCommand) -> Result<ExitCode, String> {
    match command {
        ProvidersCommand::Check {
            path,
            timezone,
            taxonomy,
        } => {
            let dir = match load_directory(&path, timezone, taxonomy.as_ref()) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(1));
                }
            };
            for w in dir.warnings() {
                eprintln!("{}: warning: {w}", path.display());
            }
            let mut kinds = std::collections::BTreeMap::new();
            for s in dir.services() {
                for k in &s.kinds {
                    *kinds
                        .entry(
                            serde_json::to_value(k)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default(),
                        )
                        .or_insert(0) += 1;
                }
            }
            println!(
                "{}: ok: {} organizations, {} services, {} sites, {} warnings",
                path.display(),
                dir.organizations().len(),
                dir.services().len(),
                dir.services().iter().map(|s| s.sites.len()).sum::<usize>(),
                dir.warnings().len()
            );
            for (k, n) in kinds {
                println!("  {k}: {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        ProvidersCommand::Open {
            at,
            path,
            timezone,
            taxonomy,
        } => {
            let t = chrono::DateTime::parse_from_rfc3339(&at).map_err(|e| {
                format!("--at: {e}; expected RFC 3339 such as 2026-03-02T22:30:00-06:00")
            })?;
            let dir = load_directory(&path, timezone, taxonomy.as_ref())?;
            let mut open = 0;
            for s in dir.services() {
                let hours: Vec<&offramp::providers::Hours> = s
                    .hours
                    .iter()
                    .chain(s.sites.iter().filter_map(|x| x.hours.as_ref()))
                    .collect();
                let mut until = None;
                let mut is_open = false;
                for h in hours {
                    let compiled =
                        OpeningHours::compile(h).map_err(|e| format!("service {}: {e}", s.id))?;
                    if compiled.is_open(t) {
                        is_open = true;
                        until = compiled.open_until(t);
                        break;
                    }
                }
                if is_open {
                    open += 1;
                    let until = until
                        .map(|u| format!("until {}", u.to_rfc3339()))
                        .unwrap_or_else(|| "with no closing time in sight".into());
                    println!("{}	{}	{until}", s.id, s.name);
                }
            }
            eprintln!(
                "{open} of {} services open at {}",
                dir.services().len(),
                t.to_rfc3339()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Lines are read and routed in chunks so that large inputs use all cores and constant memory.
const CHUNK: usize = 16_384;

fn route_stream(
    router: &Router,
    name: &str,
    reader: Box<dyn BufRead>,
    format: OutFormat,
) -> Result<ExitCode, String> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failures = 0usize;
    let mut routed = 0usize;
    // Each line is kept with its number; a line that is not UTF-8 carries its error instead, so
    // that it fails alone and the lines around it are still routed.
    let mut lines: Vec<(usize, Result<String, String>)> = Vec::with_capacity(CHUNK);
    if let OutFormat::Table = format {
        writeln!(
            out,
            "{:<16} {:>2}  {:<20}  {:<50}  {:<25}  first partner offered",
            "encounter", "SI", "disposition", "eligible (in rank order)", "charge hold until"
        )
        .map_err(|e| e.to_string())?;
    }
    let mut flush = |lines: &mut Vec<(usize, Result<String, String>)>,
                     out: &mut BufWriter<io::StdoutLock<'_>>|
     -> Result<(), String> {
        use rayon::prelude::*;
        let results: Vec<(usize, Result<Decision, String>)> = lines
            .par_iter()
            .map(|(n, text)| {
                let result = match text {
                    Ok(text) => Encounter::from_json(text)
                        .map(|e| router.route(&e))
                        .map_err(|e| e.to_string()),
                    Err(msg) => Err(msg.clone()),
                };
                (*n, result)
            })
            .collect();
        for (n, r) in results {
            match r {
                Ok(d) => {
                    routed += 1;
                    match format {
                        OutFormat::Json => writeln!(out, "{}", d.to_json()),
                        OutFormat::Table => writeln!(out, "{}", table_row(&d)),
                    }
                    .map_err(|e| e.to_string())?;
                }
                Err(msg) => {
                    failures += 1;
                    eprintln!("{name}:{n}: {msg}");
                }
            }
        }
        lines.clear();
        Ok(())
    };
    let mut reader = reader;
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("{name}:{}: cannot read: {e}", n + 1))?;
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
        let line = std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| ".: the line is not valid UTF-8".to_string());
        if line.as_deref().is_ok_and(|l| l.trim().is_empty()) {
            continue;
        }
        lines.push((n, line));
        if lines.len() == CHUNK {
            flush(&mut lines, &mut out)?;
        }
    }
    flush(&mut lines, &mut out)?;
    out.flush().map_err(|e| e.to_string())?;
    if failures > 0 {
        eprintln!(
            "{name}: {failures} line{} failed, {routed} routed",
            if failures == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

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
