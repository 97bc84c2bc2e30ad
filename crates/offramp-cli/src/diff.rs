//! `offramp diff OLD NEW [ENCOUNTERS]`: what changed between two versions of a program, and,
//! given encounters (JSON lines, or a scenario file: a name ending in `.toml`), which
//! decisions change.
//!
//! The comparison is the core's (`offramp::authoring::diff`); this module reads the files and
//! prints the result as text for a program coordinator or as JSON.

use std::fmt::Write as _;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use offramp::authoring::diff::{
    ChangeKind, DecisionChanges, EncounterFailure, Outcome, ProgramDiff, RuleChange, RuleKind,
    SettingChange, Version, diff_decision_lines, diff_scenarios, is_scenario_file,
};
use offramp::authoring::scenarios::ScenarioFile;
use offramp::lines::MAX_LINE_BYTES;
use offramp::{Program, Router};

use crate::error::{CliError, Exit};
use crate::words::{count, printable};

/// What `offramp diff --help` says about its exit codes.
pub const EXIT_HELP: &str = "Exit codes: 0 the programs were compared, whether or not they differ; \
1 some encounters could not be read (every other one was compared); 2 a program or a scenario \
file is invalid; 3 a usage error, or a file that cannot be read.";

/// Arguments of `offramp diff`.
#[derive(clap::Args, Debug, Clone)]
pub struct DiffArgs {
    /// The first (older) version of the program (.toml or .json).
    pub old: PathBuf,
    /// The second (newer) version of the program.
    pub new: PathBuf,
    /// Encounters to decide under both versions: JSON lines (`-` for standard input), or a
    /// scenario file (a name ending in .toml), whose scenarios' encounters are decided and
    /// named by the scenarios' names. The decisions that change are counted by transition.
    pub encounters: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

/// How the differences are printed.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DiffFormat {
    /// Sections for people: pathways, rules and exclusions, law and settings, wording,
    /// decisions.
    Text,
    /// One JSON object (the same as Python's `offramp.diff(...).to_json()`).
    Json,
}

fn load(path: &Path) -> Result<Program, CliError> {
    Program::from_file(path).map_err(|source| CliError::Program {
        path: path.to_path_buf(),
        source,
    })
}

/// Compares the two programs, decides the encounters under both when given, and prints the
/// result. Exit code 0 whether or not they differ; 1 when some encounters could not be read.
pub fn run(args: DiffArgs) -> Result<ExitCode, CliError> {
    let old = Router::new(load(&args.old)?);
    let new = Router::new(load(&args.new)?);
    let mut diff = ProgramDiff::between(old.program(), new.program());
    let mut name = String::new();
    if let Some(path) = &args.encounters {
        let changes = if is_scenario_file(path) {
            diff_scenarios(&old, &new, &read_scenarios(path)?)
        } else {
            let (shown, reader): (String, Box<dyn BufRead>) = if path.as_os_str() == "-" {
                ("<stdin>".into(), Box::new(io::stdin().lock()))
            } else {
                let f = std::fs::File::open(path).map_err(|source| CliError::Read {
                    path: path.clone(),
                    source,
                })?;
                (path.display().to_string(), Box::new(io::BufReader::new(f)))
            };
            diff_decision_lines(&old, &new, reader, MAX_LINE_BYTES).map_err(|e| {
                CliError::ReadLine {
                    name: shown,
                    line: e.line,
                    source: e.source,
                }
            })?
        };
        diff.decisions = Some(changes);
        name = if path.as_os_str() == "-" {
            "<stdin>".into()
        } else {
            path.display().to_string()
        };
    }
    crate::words::print_report(
        matches!(args.format, DiffFormat::Json),
        || text(&diff),
        || diff.to_json(),
    )?;
    let failed = diff.decisions.as_ref().map_or(0, |d| d.failed);
    if failed > 0 {
        if let Some(d) = &diff.decisions {
            report_failures(
                &name,
                &d.failures,
                d.failed,
                &format!("{} compared", d.compared),
            );
        }
        return Ok(Exit::EncountersFailed.into());
    }
    Ok(Exit::Success.into())
}

/// A scenario file given as the encounters: a file that cannot be opened is a read error
/// (exit code 3), one that does not read as scenarios is shown as `offramp test` shows it.
fn read_scenarios(path: &Path) -> Result<ScenarioFile, CliError> {
    let unreadable = |source| CliError::Read {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::metadata(path).map_err(unreadable)?.is_dir() {
        return Err(unreadable(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder, not a scenario file",
        )));
    }
    ScenarioFile::from_file(path).map_err(|source| CliError::ScenarioFile {
        path: path.to_path_buf(),
        source,
    })
}

/// Each encounter that failed, as `NAME:LINE: field: message` (`NAME: scenario N (NAME):
/// field: message` for a scenario file), then `NAME: N lines could not be read, REST` on
/// standard error. `offramp analyze --encounters` reports its bad lines here too.
pub fn report_failures(name: &str, failures: &[EncounterFailure], failed: usize, rest: &str) {
    let mut err = io::stderr().lock();
    let scenarios = failures.iter().any(|f| f.scenario.is_some());
    for f in failures {
        let field = f
            .field
            .as_deref()
            .map(|f| format!(" {f}:"))
            .unwrap_or_default();
        let _ = match &f.scenario {
            Some(s) => writeln!(
                err,
                "{name}: scenario {} ({}):{field} {}",
                f.line,
                printable(s, 200),
                f.message
            ),
            None => writeln!(err, "{name}:{}:{field} {}", f.line, f.message),
        };
    }
    if failed > failures.len() {
        let _ = writeln!(
            err,
            "{name}: {} more not listed",
            count(failed - failures.len(), "failure")
        );
    }
    let _ = writeln!(
        err,
        "{name}: {} could not be read, {rest}",
        count(failed, if scenarios { "scenario" } else { "line" }),
    );
}

/// Text from a file or an encounter, made safe for a terminal.
fn shown(text: &str) -> String {
    printable(text, usize::MAX)
}

/// `lead-king-county 2026.2 (sha256:4f1c0e3b9a2d)`.
fn version(v: &Version) -> String {
    let hash: String = v.hash.chars().take("sha256:".len() + 12).collect();
    match &v.version {
        Some(label) => format!("{} {} ({hash})", shown(&v.id), shown(label)),
        None => format!("{} ({hash})", shown(&v.id)),
    }
}

/// The diff as sections for a program coordinator.
pub fn text(d: &ProgramDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Comparing {}\n     with {}",
        version(&d.old),
        version(&d.new)
    );

    out.push_str("\nPathways\n");
    let p = &d.pathways;
    if p.is_empty() {
        out.push_str("  no change: the same pathways in the same order\n");
    }
    for a in &p.added {
        let _ = writeln!(out, "  added: {} (rank {})", a.pathway, a.rank);
    }
    for r in &p.removed {
        let _ = writeln!(out, "  removed: {} (was rank {})", r.pathway, r.rank);
    }
    for r in &p.reranked {
        let _ = writeln!(
            out,
            "  re-ranked: {}: rank {} -> {}",
            r.pathway, r.old_rank, r.new_rank
        );
    }

    out.push_str("\nRules and exclusions\n");
    if d.rules.is_empty() {
        out.push_str("  no change (rules are compared in canonical form: layout does not count)\n");
    }
    for r in &d.rules {
        rule(&mut out, r);
    }

    out.push_str("\nLaw and settings\n");
    if d.settings.is_empty() {
        out.push_str("  no change\n");
    }
    for s in &d.settings {
        let _ = writeln!(out, "  {}: {} -> {}", s.key, value(&s.old), value(&s.new));
    }

    if !d.wording.is_empty() {
        out.push_str("\nWording (decides nothing)\n");
        for w in &d.wording {
            wording(&mut out, w);
        }
    }

    out.push_str("\nDecisions\n");
    match &d.decisions {
        None => out
            .push_str("  not compared: give a file of encounters to see which decisions change\n"),
        Some(c) => decisions(&mut out, c),
    }
    out
}

fn value(v: &Option<String>) -> String {
    v.as_deref().map_or_else(|| "(not set)".into(), shown)
}

/// `rule `adult` of officer_intervention`, `exclusion `weapon` (program-wide)`.
fn rule_name(r: &RuleChange, id: &str) -> String {
    let what = match r.kind {
        RuleKind::Rule => "rule",
        RuleKind::Exclusion => "exclusion",
        RuleKind::Amnesty => "amnesty",
    };
    match (r.pathway, r.kind) {
        (Some(p), _) => format!("{what} `{}` of {p}", shown(id)),
        (None, RuleKind::Exclusion) => format!("{what} `{}` (program-wide)", shown(id)),
        (None, _) => format!("{what} `{}`", shown(id)),
    }
}

fn rule(out: &mut String, r: &RuleChange) {
    let name = rule_name(r, &r.id);
    let _ = match r.change {
        ChangeKind::Added => writeln!(out, "  added: {name}"),
        ChangeKind::Removed => writeln!(out, "  removed: {name}"),
        ChangeKind::Changed => writeln!(out, "  changed: {name}"),
        ChangeKind::Renamed => writeln!(
            out,
            "  renamed: {}, now `{}` (same condition)",
            rule_name(r, r.old_id.as_deref().unwrap_or_default()),
            shown(&r.id)
        ),
    };
    if r.change == ChangeKind::Renamed {
        return;
    }
    if let Some(old) = &r.old {
        let _ = writeln!(out, "    was: {}", shown(old));
    }
    if let Some(new) = &r.new {
        let _ = writeln!(out, "    now: {}", shown(new));
    }
}

fn wording(out: &mut String, w: &SettingChange) {
    let _ = writeln!(out, "  {}:", w.key);
    let _ = writeln!(out, "    was: {}", value(&w.old));
    let _ = writeln!(out, "    now: {}", value(&w.new));
}

/// `[officer_intervention, first_responder_referral] (pre_arrest_diversion)`.
fn outcome(o: &Outcome) -> String {
    let names: Vec<&str> = o.eligible.iter().map(|p| p.as_str()).collect();
    format!("[{}] ({})", names.join(", "), o.disposition)
}

fn examples(ids: &[String], count: usize) -> String {
    let mut shown_ids: Vec<String> = ids.iter().map(|i| shown(i)).collect();
    if count > ids.len() {
        shown_ids.push("...".into());
    }
    shown_ids.join(", ")
}

fn decisions(out: &mut String, c: &DecisionChanges) {
    let _ = writeln!(
        out,
        "  {} decided under both versions; {} change",
        count(c.compared, "encounter"),
        c.changed
    );
    if !c.first_pathway.is_empty() {
        out.push_str("  first pathway offered (old -> new: encounters, e.g.):\n");
        for t in &c.first_pathway {
            let _ = writeln!(
                out,
                "    {} -> {}: {} ({})",
                t.from,
                t.to,
                t.count,
                examples(&t.examples, t.count)
            );
        }
    }
    if !c.other.is_empty() {
        out.push_str("  same first pathway, other pathways or disposition changed:\n");
        for o in &c.other {
            let _ = writeln!(
                out,
                "    {} -> {}: {} ({})",
                outcome(&o.from),
                outcome(&o.to),
                o.count,
                examples(&o.examples, o.count)
            );
        }
    }
    if c.failed > 0 {
        let _ = writeln!(
            out,
            "  {} could not be read (listed on standard error)",
            count(c.failed, "encounter")
        );
    }
}
