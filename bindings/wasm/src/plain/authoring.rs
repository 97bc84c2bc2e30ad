//! The authoring tools in plain Rust: a program's scenario tests, its analysis (gaps, overlaps,
//! dead rules) and the Sequential Intercept Model map drawn from it, each as the `offramp`
//! command gives it.

use offramp::authoring::analysis::{Analysis, analyze};
use offramp::authoring::map::{MapFormat, render};
use offramp::authoring::scenarios::{ScenarioFile, ScenarioResult, run};
use offramp::text::printable_each_line;
use serde::Serialize;

use super::{Problem, router};

/// The name a scenario file's diagnostics give as their file.
pub const SCENARIOS_NAME: &str = "scenarios.toml";

/// A scenario file run against a program, as the page receives it.
#[derive(Debug, Serialize)]
pub struct ScenarioRun<'a> {
    /// The program's id.
    pub program: &'a str,
    /// How many scenarios passed.
    pub passed: usize,
    /// How many scenarios failed.
    pub failed: usize,
    /// What `offramp test PROGRAM --scenarios FILE` prints.
    pub text: String,
    /// One result per scenario, in file order (the core's `ScenarioResult`).
    pub results: &'a [ScenarioResult],
}

/// Runs a scenario file (TOML text) against a program (TOML text): a [`ScenarioRun`] as JSON.
/// The file's `program` key, a path, is not read: the program is the text given.
pub fn run_scenarios_json(program: &str, scenarios: &str) -> Result<String, Problem> {
    let router = router(program)?;
    let file = ScenarioFile::from_toml(scenarios, SCENARIOS_NAME)?;
    let report = run(&router, &file);
    Ok(serde_json::to_string(&ScenarioRun {
        program: &report.program,
        passed: report.passed(),
        failed: report.failed(),
        text: report.text(),
        results: &report.results,
    })?)
}

/// The program's analysis, over every encounter class its rules tell apart.
fn analysis(program: &str) -> Result<Analysis, Problem> {
    let router = router(program)?;
    Ok(analyze(&[&router], None)?)
}

/// The analysis as JSON: what `offramp analyze PROGRAM --format json` prints (without its
/// final line break).
pub fn analyze_json(program: &str) -> Result<String, Problem> {
    Ok(serde_json::to_string_pretty(&analysis(program)?)?)
}

/// The analysis as text: what `offramp analyze PROGRAM` prints.
pub fn analyze_text(program: &str) -> Result<String, Problem> {
    Ok(printable_each_line(&analysis(program)?.to_string()))
}

/// The map format a name gives (`svg` when none): one of [`MapFormat::ALL`].
pub fn map_format(name: Option<&str>) -> Result<MapFormat, Problem> {
    match name {
        None => Ok(MapFormat::Svg),
        Some(name) => name.parse().map_err(|_| {
            let names: Vec<&str> = MapFormat::ALL.iter().map(|f| f.as_str()).collect();
            Problem::Argument(format!(
                "unknown map format: expected one of {}",
                names.join(", ")
            ))
        }),
    }
}

/// The Sequential Intercept Model map of the program's analysis: what `offramp analyze
/// PROGRAM --map FILE --map-format FORMAT` writes (`svg` when no format is given).
pub fn map(program: &str, format: Option<&str>) -> Result<String, Problem> {
    let format = map_format(format)?;
    Ok(render(&analysis(program)?, format))
}
