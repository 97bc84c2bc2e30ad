//! `offramp test PROGRAM... [--scenarios PATH] [--junit FILE]`: runs scenario files against
//! programs and prints one line per scenario, with expected against actual for each failure.
//!
//! The format, its loader and the runner are the core's (`offramp::authoring::scenarios`);
//! this module finds each program's scenario files, prints the results and writes JUnit XML.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use offramp::authoring::scenarios::{ScenarioFile, ScenarioReport, run as run_scenarios, text_of};
use offramp::text::xml_escape;
use offramp::{Program, Router};

use crate::error::{CliError, Exit};

/// What `offramp test --help` says about its exit codes.
pub const EXIT_HELP: &str = "Exit codes: 0 every scenario passed; 1 some scenario failed; \
2 a program or a scenario file is invalid; 3 a usage error, a file that cannot be read, or a \
program with no scenario file.";

/// Arguments of `offramp test`.
#[derive(clap::Args, Debug, Clone)]
pub struct TestArgs {
    /// The programs to test (.toml or .json).
    #[arg(required = true)]
    pub programs: Vec<PathBuf>,
    /// A scenario file, or a folder of them. Without it, each program's scenarios are
    /// `NAME.scenarios.toml` beside it. In a folder, a file belongs to a program when its
    /// `program` names that program or it is named `NAME.scenarios.toml` or `NAME.toml`.
    #[arg(long, value_name = "PATH")]
    pub scenarios: Option<PathBuf>,
    /// Also write the results as JUnit XML to this file, for CI systems.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// One program's outcome: its reports (one per scenario file), or why it was not run.
struct Tested {
    /// The program's id, or its path when it did not load.
    name: String,
    reports: Vec<ScenarioReport>,
}

/// Runs each program's scenarios, prints the results and writes the JUnit file when asked.
pub fn run(args: TestArgs) -> Result<ExitCode, CliError> {
    let mut worst = Exit::Success;
    let mut tested = Vec::new();
    let mut out = String::new();
    let mut errors = String::new();
    for path in &args.programs {
        let program = match Program::from_file(path) {
            Ok(p) => p,
            Err(source) => {
                let e = CliError::Program {
                    path: path.clone(),
                    source,
                };
                worst = worst.max(e.exit());
                let _ = writeln!(errors, "{}", crate::error::report(&e));
                continue;
            }
        };
        let files = match scenario_files(path, args.scenarios.as_deref()) {
            Ok(files) if !files.is_empty() => files,
            Ok(_) => {
                worst = worst.max(Exit::Usage);
                let _ = writeln!(
                    errors,
                    "offramp: {}: no scenario file (looked for {})",
                    path.display(),
                    match &args.scenarios {
                        Some(s) => format!("files naming it in {} (--scenarios)", s.display()),
                        None => default_file(path).display().to_string(),
                    }
                );
                continue;
            }
            Err(e) => {
                worst = worst.max(e.exit());
                let _ = writeln!(errors, "{}", crate::error::report(&e));
                continue;
            }
        };
        let router = Router::new(program);
        let mut reports = Vec::new();
        for (file, loaded) in files {
            match loaded.map_or_else(|| ScenarioFile::from_file(&file), Ok) {
                Ok(f) => reports.push(run_scenarios(&router, &f)),
                Err(e) => {
                    let unreadable = e.diagnostics().iter().all(|d| d.line == 0) && !file.is_file();
                    worst = worst.max(if unreadable {
                        Exit::Usage
                    } else {
                        Exit::Invalid
                    });
                    errors.push_str(&e.render());
                }
            }
        }
        tested.push(Tested {
            name: router.program().id().to_string(),
            reports,
        });
    }
    let reports = || tested.iter().flat_map(|t| &t.reports);
    let failed: usize = reports().map(ScenarioReport::failed).sum();
    if !tested.is_empty() {
        // The core's text, which the WebAssembly bindings give too.
        out.push_str(&text_of(reports()));
    }
    if failed > 0 {
        worst = worst.max(Exit::EncountersFailed);
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&tested)).map_err(|source| CliError::Write {
            path: path.clone(),
            flag: "--junit",
            source,
        })?;
    }
    io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(CliError::Stdout)?;
    if !errors.is_empty() {
        let _ = io::stderr().lock().write_all(errors.as_bytes());
    }
    Ok(worst.into())
}

/// `NAME.scenarios.toml` beside the program.
fn default_file(program: &Path) -> PathBuf {
    let stem = program
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    program.with_file_name(format!("{stem}.scenarios.toml"))
}

/// A scenario file of a program, with its contents when finding it meant reading it.
type Found = (PathBuf, Option<ScenarioFile>);

/// The scenario files of the program at `program`: the file given, the files of the folder
/// given that belong to it, or the one beside it.
fn scenario_files(program: &Path, given: Option<&Path>) -> Result<Vec<Found>, CliError> {
    let Some(given) = given else {
        let beside = default_file(program);
        return Ok(if beside.is_file() {
            vec![(beside, None)]
        } else {
            Vec::new()
        });
    };
    if !given.is_dir() {
        return Ok(vec![(given.to_path_buf(), None)]);
    }
    let read_error = |source| CliError::Read {
        path: given.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(given)
        .map_err(read_error)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    let stem = program
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let wanted = program.canonicalize().ok();
    Ok(files
        .into_iter()
        .filter_map(|f| {
            let name = f
                .file_name()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            if name == format!("{stem}.scenarios.toml") || name == format!("{stem}.toml") {
                return Some((f, None));
            }
            // A file that names the program, kept as read; one that does not read is left to
            // its owner.
            let file = ScenarioFile::from_file(&f).ok()?;
            let named = file
                .program_path(&f)
                .and_then(|p| p.canonicalize().ok())
                .is_some_and(|p| Some(p) == wanted);
            named.then_some((f, Some(file)))
        })
        .collect())
}

/// The results as JUnit XML: a test suite per program, a test case per scenario, and a
/// `failure` for each failed one, its message the first mismatch and its text all of them.
fn junit(tested: &[Tested]) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total: usize = tested
        .iter()
        .flat_map(|t| &t.reports)
        .map(|r| r.results.len())
        .sum();
    let failed: usize = tested
        .iter()
        .flat_map(|t| &t.reports)
        .map(ScenarioReport::failed)
        .sum();
    let _ = writeln!(
        x,
        "<testsuites name=\"offramp test\" tests=\"{total}\" failures=\"{failed}\">"
    );
    for t in tested {
        let results: Vec<_> = t.reports.iter().flat_map(|r| &r.results).collect();
        let failures = results.iter().filter(|r| !r.passed).count();
        let name = xml_escape(&t.name);
        let _ = writeln!(
            x,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failures}\">",
            results.len()
        );
        for r in results {
            let case = xml_escape(&r.name);
            if r.passed {
                let _ = writeln!(x, "    <testcase classname=\"{name}\" name=\"{case}\"/>");
                continue;
            }
            let _ = writeln!(x, "    <testcase classname=\"{name}\" name=\"{case}\">");
            let message = r
                .mismatches
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            let mut body: Vec<String> = r.mismatches.iter().map(ToString::to_string).collect();
            body.extend(r.reasons.iter().map(ToString::to_string));
            let _ = writeln!(
                x,
                "      <failure message=\"{}\">{}</failure>",
                xml_escape(&message),
                xml_escape(&body.join("\n"))
            );
            let _ = writeln!(x, "    </testcase>");
        }
        let _ = writeln!(x, "  </testsuite>");
    }
    x.push_str("</testsuites>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn xml_special_characters_are_escaped() {
        // The core's escaping (`offramp::text::xml_escape`): a control character XML 1.0
        // cannot hold becomes U+FFFD.
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&#39;\u{FFFD}"
        );
    }
}
