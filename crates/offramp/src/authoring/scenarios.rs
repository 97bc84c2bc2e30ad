//! Scenario files: encounters written by hand with the decision a program must reach for
//! each, and the runner that checks a program against them (`offramp test`,
//! `offramp.test_program`).
//!
//! A scenario file is TOML: an optional `program` (a path relative to the file's folder) and a
//! list of `[[scenario]]` tables, each an encounter (as JSON) with the disposition, the
//! eligible pathways and, optionally, the intercept, the rules that must refuse a pathway, the
//! words a reason must say, the charge-hold deadline, the information asked for and the
//! warnings expected. `docs/testing.md` describes the format for program coordinators.
//!
//! ```
//! use offramp::authoring::scenarios::{ScenarioFile, run};
//! let program = offramp::Program::from_file(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../examples/programs/lead-king-county.toml"
//! ))
//! .unwrap();
//! let file = ScenarioFile::from_toml(
//!     r#"
//! [[scenario]]
//! name = "a social contact is deflection"
//! encounter = '{"id": "s1", "at": "2026-05-11T10:15:00-07:00", "responder": "law_enforcement", "attributes": {"lead_activity_known": true}, "source": "on_view", "needs": ["sex_work"], "age": 31}'
//! disposition = "deflection"
//! eligible = ["first_responder_referral"]
//! needs_information = ["history"]
//! "#,
//!     "s.toml",
//! )
//! .unwrap();
//! let report = run(&offramp::Router::new(program), &file);
//! assert_eq!((report.passed(), report.failed()), (1, 0));
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{Disposition, Encounter, Pathway};
use crate::router::{Decision, Router, WarningCode};
use crate::source::{Diagnostic, SpanIndex, Syntax};
use crate::text::printable;

/// The largest scenario file read, in bytes (1 MiB): a file of a few hundred scenarios is
/// tens of kilobytes. A larger file is refused before it is read whole, larger text before it
/// is parsed.
pub const MAX_SCENARIO_FILE_BYTES: usize = 1 << 20;

/// The most scenarios one file may hold (1,000). Checked before any scenario is read.
pub const MAX_SCENARIOS: usize = 1_000;

/// The code of the diagnostics a scenario file's problems are reported with.
const CODE: &str = "offramp::scenarios";

/// A scenario file: the program it is written for and its scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Scenario file")]
pub struct ScenarioFile {
    /// The program the scenarios are for: a path relative to the scenario file's folder.
    /// Optional; a program given on the command line (or to `test_program`) is used instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// The scenarios, each a `[[scenario]]` table.
    #[serde(default)]
    pub scenario: Vec<Scenario>,
}

/// One scenario: an encounter and what the program must decide for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the scenario shows, in a few words; printed with its result.
    pub name: String,
    /// The encounter, as the JSON that `offramp route` reads.
    pub encounter: String,
    /// The disposition the decision must have (`deflection`, `pre_arrest_diversion`, `none`...).
    pub disposition: Disposition,
    /// The eligible pathways, in the order the decision ranks them (empty for none).
    pub eligible: Vec<Pathway>,
    /// The intercept number (0 to 5) the decision must place the encounter at; not checked
    /// when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercept: Option<u8>,
    /// For a pathway, the id of a rule (or exclusion) that must be among the reasons it is
    /// not eligible.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ineligible: BTreeMap<Pathway, String>,
    /// The deadline one eligible pathway's charge hold must have (an RFC 3339 time); not
    /// checked when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_hold_deadline: Option<DateTime<FixedOffset>>,
    /// Warning codes the decision must carry (it may carry others).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<WarningCode>,
    /// The fields the decision must ask for, in order; none when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs_information: Vec<String>,
    /// For a pathway, words one of its reasons must contain: the values and limits that
    /// decided (`168h1m since the overdose; needs 7d or less`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub because: BTreeMap<Pathway, String>,
}

/// A scenario file that could not be read: every problem found, each placed in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .diagnostics.first().map(ToString::to_string).unwrap_or_default())]
pub struct ScenarioFileError {
    diagnostics: Vec<Diagnostic>,
}

impl ScenarioFileError {
    fn one(d: Diagnostic) -> ScenarioFileError {
        ScenarioFileError {
            diagnostics: vec![d],
        }
    }

    /// Every problem, in the order of the file.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Every problem rendered with a snippet of the file (see [`Diagnostic::render`]).
    pub fn render(&self) -> String {
        crate::source::render_all(&self.diagnostics)
    }
}

impl ScenarioFile {
    /// Reads a scenario file. The file's `program`, if any, stays as written; see
    /// [`ScenarioFile::program_path`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<ScenarioFile, ScenarioFileError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        match crate::source::read_text_capped(path, MAX_SCENARIO_FILE_BYTES) {
            Ok(Some(text)) => ScenarioFile::from_toml(&text, &shown),
            Ok(None) => Err(ScenarioFileError::one(too_large(&shown))),
            Err(e) => Err(ScenarioFileError::one(Diagnostic::new(
                CODE,
                &shown,
                format!("cannot read the scenario file: {e}"),
            ))),
        }
    }

    /// Reads a scenario file from TOML text; `name` is used in diagnostics. Unknown keys,
    /// values of the wrong kind and encounters that do not read are reported with their line
    /// and column; never with the values written.
    pub fn from_toml(text: &str, name: &str) -> Result<ScenarioFile, ScenarioFileError> {
        if text.len() > MAX_SCENARIO_FILE_BYTES {
            return Err(ScenarioFileError::one(too_large(name)));
        }
        let source: Arc<str> = text.into();
        let at = |message: String, span: Range<usize>| {
            Diagnostic::new(CODE, name, message).at(&source, span)
        };
        let index = match SpanIndex::new(text, Syntax::Toml) {
            Some(index) => index,
            None => {
                // Not TOML at all: the parser's own message and place.
                let e = match toml::from_str::<toml::Table>(text) {
                    Err(e) => e,
                    Ok(_) => {
                        return Err(ScenarioFileError::one(Diagnostic::new(
                            CODE,
                            name,
                            "not a TOML document",
                        )));
                    }
                };
                let message = crate::domain::redact_serde_message(e.message().trim());
                return Err(ScenarioFileError::one(at(
                    message,
                    e.span().unwrap_or(0..0),
                )));
            }
        };
        if let SpanIndex::Toml(doc) = &index
            && let Some((_, v)) = doc
                .get_ref()
                .iter()
                .find(|(k, _)| k.get_ref() == "scenario")
            && let toml::de::DeValue::Array(items) = v.get_ref()
            && items.len() > MAX_SCENARIOS
        {
            return Err(ScenarioFileError::one(at(
                format!(
                    "the file has {} scenarios; at most {MAX_SCENARIOS} are allowed",
                    items.len()
                ),
                v.span(),
            )));
        }
        let de = match toml::Deserializer::parse(text) {
            Ok(de) => de,
            Err(e) => {
                let message = crate::domain::redact_serde_message(e.message().trim());
                return Err(ScenarioFileError::one(at(
                    message,
                    e.span().unwrap_or(0..0),
                )));
            }
        };
        let file: ScenarioFile = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = crate::domain::redact_serde_message(inner.message().trim());
            let span = inner
                .span()
                .or_else(|| index.span(&path, true))
                .unwrap_or(0..0);
            let d = at(message, span);
            ScenarioFileError::one(if path.is_empty() || path == "." {
                d
            } else {
                d.with_path(path)
            })
        })?;
        let problems: Vec<Diagnostic> = file
            .scenario
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let path = format!("scenario[{i}].encounter");
                let e = Encounter::from_json(&s.encounter).err()?;
                let span = index.span(&path, false).unwrap_or(0..0);
                Some(
                    at(
                        format!("the encounter does not read: {e}"),
                        crate::source::unquoted(text, span),
                    )
                    .with_path(path),
                )
            })
            .chain(file.scenario.iter().enumerate().filter_map(|(i, s)| {
                let n = s.intercept?;
                (n > 5).then(|| {
                    let path = format!("scenario[{i}].intercept");
                    at(
                        "must be an intercept number from 0 to 5".to_string(),
                        index.span(&path, false).unwrap_or(0..0),
                    )
                    .with_path(path)
                })
            }))
            .collect();
        if problems.is_empty() {
            Ok(file)
        } else {
            let mut problems = problems;
            problems.sort_by_key(|d| d.span.start);
            Err(ScenarioFileError {
                diagnostics: problems,
            })
        }
    }

    /// The path of the file's `program`, read relative to the folder of the scenario file at
    /// `scenario_file`; `None` when the file names no program.
    pub fn program_path(&self, scenario_file: &Path) -> Option<PathBuf> {
        let program = self.program.as_deref()?;
        let base = scenario_file.parent().unwrap_or_else(|| Path::new(""));
        Some(base.join(program))
    }

    /// The JSON Schema (draft 2020-12) of the scenario file format, for editors and
    /// validators (`offramp schema scenarios`).
    ///
    /// ```
    /// let schema = offramp::authoring::scenarios::ScenarioFile::json_schema();
    /// assert_eq!(schema["title"], "Scenario file");
    /// ```
    pub fn json_schema() -> serde_json::Value {
        schemars::schema_for!(ScenarioFile).to_value()
    }
}

/// The error for a file over [`MAX_SCENARIO_FILE_BYTES`].
fn too_large(name: &str) -> Diagnostic {
    Diagnostic::new(
        CODE,
        name,
        format!(
            "the scenario file is larger than {} MiB, the most a scenario file may be",
            MAX_SCENARIO_FILE_BYTES >> 20
        ),
    )
}

// ------------------------------------------------------------------ running

/// What a scenario checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Check {
    /// The encounter could not be read (only for a file built in code; a loaded file's
    /// encounters all read).
    Encounter,
    /// The decision's disposition.
    Disposition,
    /// The eligible pathways, in order.
    Eligible,
    /// The intercept number.
    Intercept,
    /// A rule that must be among a pathway's reasons for not being eligible.
    Ineligible,
    /// The charge-hold deadline of an eligible pathway.
    ChargeHoldDeadline,
    /// The fields the decision asks for.
    NeedsInformation,
    /// Words one of a pathway's reasons must contain.
    Because,
    /// A warning the decision must carry.
    Warnings,
}

impl Check {
    /// The scenario key the check reads (`disposition`, `eligible`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Encounter => "encounter",
            Check::Disposition => "disposition",
            Check::Eligible => "eligible",
            Check::Intercept => "intercept",
            Check::Ineligible => "ineligible",
            Check::ChargeHoldDeadline => "charge_hold_deadline",
            Check::NeedsInformation => "needs_information",
            Check::Because => "because",
            Check::Warnings => "warnings",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a decision got wrong: what the scenario expected against what the decision has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// What was checked.
    pub check: Check,
    /// The pathway the check is about (for `ineligible` and `because`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pathway: Option<Pathway>,
    /// What the scenario expected, as written in a scenario file.
    pub expected: String,
    /// What the decision has.
    pub actual: String,
}

impl Mismatch {
    /// The check's name with its pathway: `disposition`, `ineligible.self_referral`.
    pub fn field(&self) -> String {
        match self.pathway {
            Some(p) => format!("{}.{}", self.check, p.as_str()),
            None => self.check.to_string(),
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.field(),
            self.expected,
            self.actual
        )
    }
}

/// What the decision says about one pathway: the rule that admitted it, or every reason it
/// was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathwayReasons {
    /// The pathway.
    pub pathway: Pathway,
    /// The rule that made it eligible; `None` when it is not eligible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible_by: Option<String>,
    /// Why it is not eligible, each `RULE: words`; empty when it is eligible or the program
    /// does not offer it.
    pub reasons: Vec<String>,
}

impl fmt::Display for PathwayReasons {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.eligible_by, self.reasons.is_empty()) {
            (Some(rule), _) => write!(f, "{}: eligible by {rule}", self.pathway),
            (None, true) => write!(f, "{}: not offered", self.pathway),
            (None, false) => write!(f, "{}: {}", self.pathway, self.reasons.join("; ")),
        }
    }
}

/// The result of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// The scenario's name.
    pub name: String,
    /// Whether the decision matched every expectation.
    pub passed: bool,
    /// What did not match, in the order the checks run; empty when it passed.
    pub mismatches: Vec<Mismatch>,
    /// For a failed scenario, what the decision says about each pathway the failures are
    /// about (those expected or found eligible but not both, and those named by `ineligible`
    /// and `because`); empty when it passed.
    pub reasons: Vec<PathwayReasons>,
}

/// The results of a scenario file run against one program, one per scenario in file order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioReport {
    /// The program's id.
    pub program: String,
    /// One result per scenario.
    pub results: Vec<ScenarioResult>,
}

impl ScenarioReport {
    /// How many scenarios passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed).count()
    }

    /// How many scenarios failed.
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.passed).count()
    }

    /// The results as `offramp test` prints them for one program and one scenario file: a
    /// line per scenario (`ok  ` or `FAIL`, the program's id, the scenario's name), under a
    /// failure what was expected against what the decision has and the decision's reasons,
    /// then the count of passed and failed scenarios. See [`text_of`] for several reports.
    ///
    /// ```
    /// use offramp::authoring::scenarios::{ScenarioReport, ScenarioResult};
    /// let report = ScenarioReport {
    ///     program: "demo".into(),
    ///     results: vec![ScenarioResult {
    ///         name: "adults".into(), passed: true, mismatches: vec![], reasons: vec![],
    ///     }],
    /// };
    /// assert_eq!(report.text(), "ok   demo / adults\n1 passed, 0 failed\n");
    /// ```
    pub fn text(&self) -> String {
        text_of([self])
    }

    /// This report's lines, without the count (see [`ScenarioReport::text`]). Names, expected
    /// and actual values come from files, so each is made [`printable`] and cut.
    fn write_lines(&self, out: &mut String) {
        use std::fmt::Write as _;
        // Writing into a String cannot fail.
        let program = printable(&self.program, NAME_CHARS);
        for r in &self.results {
            let mark = if r.passed { "ok  " } else { "FAIL" };
            let _ = writeln!(out, "{mark} {program} / {}", printable(&r.name, NAME_CHARS));
            for m in &r.mismatches {
                let _ = writeln!(out, "       {}:", m.field());
                let _ = writeln!(
                    out,
                    "         expected {}",
                    printable(&m.expected, VALUE_CHARS)
                );
                let _ = writeln!(
                    out,
                    "         actual   {}",
                    printable(&m.actual, VALUE_CHARS)
                );
            }
            if !r.reasons.is_empty() {
                let _ = writeln!(out, "       the decision's reasons:");
                for p in &r.reasons {
                    let _ = writeln!(out, "         {}", printable(&p.to_string(), VALUE_CHARS));
                }
            }
        }
    }
}

/// The longest program or scenario name [`ScenarioReport::text`] prints, in characters.
const NAME_CHARS: usize = 200;

/// The longest expected or actual value, or reason, [`ScenarioReport::text`] prints.
const VALUE_CHARS: usize = 2000;

/// Several reports as `offramp test` prints them (each program's files in turn): every
/// report's lines, then one count of passed and failed scenarios over them all.
pub fn text_of<'a>(reports: impl IntoIterator<Item = &'a ScenarioReport>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for report in reports {
        passed = passed.saturating_add(report.passed());
        failed = failed.saturating_add(report.failed());
        report.write_lines(&mut out);
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    out
}

/// Runs every scenario of `file` through `router` and checks each decision.
pub fn run(router: &Router, file: &ScenarioFile) -> ScenarioReport {
    ScenarioReport {
        program: router.program().id().to_string(),
        results: file.scenario.iter().map(|s| run_one(router, s)).collect(),
    }
}

/// Runs one scenario.
fn run_one(router: &Router, s: &Scenario) -> ScenarioResult {
    let encounter = match Encounter::from_json(&s.encounter) {
        Ok(e) => e,
        Err(e) => {
            return ScenarioResult {
                name: s.name.clone(),
                passed: false,
                mismatches: vec![Mismatch {
                    check: Check::Encounter,
                    pathway: None,
                    expected: "an encounter that reads".into(),
                    actual: e.to_string(),
                }],
                reasons: Vec::new(),
            };
        }
    };
    let decision = router.route(&encounter);
    let mismatches = check(s, &decision);
    let reasons = if mismatches.is_empty() {
        Vec::new()
    } else {
        involved(s, &decision)
            .into_iter()
            .map(|p| reasons_for(p, &decision))
            .collect()
    };
    ScenarioResult {
        name: s.name.clone(),
        passed: mismatches.is_empty(),
        mismatches,
        reasons,
    }
}

/// A list of words as a scenario file writes it: `[a, b]`, `[]` for none.
fn list<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let words: Vec<String> = items.into_iter().map(|w| w.as_ref().to_string()).collect();
    format!("[{}]", words.join(", "))
}

/// Every expectation of `s` the decision does not meet.
fn check(s: &Scenario, d: &Decision) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut miss = |check, pathway, expected: String, actual: String| {
        out.push(Mismatch {
            check,
            pathway,
            expected,
            actual,
        });
    };
    if d.disposition != s.disposition {
        miss(
            Check::Disposition,
            None,
            s.disposition.as_str().into(),
            d.disposition.as_str().into(),
        );
    }
    let eligible: Vec<Pathway> = d.eligible.iter().map(|e| e.pathway).collect();
    if eligible != s.eligible {
        miss(
            Check::Eligible,
            None,
            list(s.eligible.iter().map(|p| p.as_str())),
            list(eligible.iter().map(|p| p.as_str())),
        );
    }
    if let Some(i) = s.intercept
        && d.intercept.number() != i
    {
        miss(
            Check::Intercept,
            None,
            i.to_string(),
            d.intercept.number().to_string(),
        );
    }
    for (&pathway, rule) in &s.ineligible {
        match d.ineligible.iter().find(|i| i.pathway == pathway) {
            None => miss(
                Check::Ineligible,
                Some(pathway),
                format!("refused by {rule}"),
                if eligible.contains(&pathway) {
                    "eligible".into()
                } else {
                    "not offered".into()
                },
            ),
            Some(i) => {
                if !i.reasons.iter().any(|r| &*r.rule == rule) {
                    miss(
                        Check::Ineligible,
                        Some(pathway),
                        format!("refused by {rule}"),
                        format!("refused by {}", list(i.reasons.iter().map(|r| &*r.rule))),
                    );
                }
                if i.reasons.iter().any(|r| r.because.is_empty()) {
                    miss(
                        Check::Ineligible,
                        Some(pathway),
                        "every reason in words".into(),
                        "a reason with no words".into(),
                    );
                }
            }
        }
    }
    if let Some(deadline) = &s.charge_hold_deadline {
        let got: Vec<DateTime<FixedOffset>> = d
            .eligible
            .iter()
            .filter_map(|e| e.charge_hold.as_ref().map(|h| h.deadline))
            .collect();
        if !got.contains(deadline) {
            miss(
                Check::ChargeHoldDeadline,
                None,
                deadline.to_rfc3339(),
                list(got.iter().map(DateTime::to_rfc3339)),
            );
        }
    }
    let needs: Vec<&str> = d
        .needs_information
        .iter()
        .map(|n| n.field.as_str())
        .collect();
    if needs
        != s.needs_information
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    {
        miss(
            Check::NeedsInformation,
            None,
            list(&s.needs_information),
            list(&needs),
        );
    }
    for (&pathway, words) in &s.because {
        let reasons: Vec<&str> = d
            .ineligible
            .iter()
            .filter(|i| i.pathway == pathway)
            .flat_map(|i| i.reasons.iter().map(|r| r.because.as_str()))
            .collect();
        if !reasons.iter().any(|r| r.contains(words.as_str())) {
            miss(
                Check::Because,
                Some(pathway),
                format!("a reason saying {words:?}"),
                if reasons.is_empty() {
                    "no reasons".into()
                } else {
                    reasons
                        .iter()
                        .map(|r| format!("{r:?}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                },
            );
        }
    }
    let warnings: Vec<WarningCode> = d.warnings.iter().map(|w| w.code).collect();
    for &w in &s.warnings {
        if !warnings.contains(&w) {
            miss(
                Check::Warnings,
                None,
                format!("{} among the warnings", w.as_str()),
                list(warnings.iter().map(|w| w.as_str())),
            );
        }
    }
    out
}

/// The pathways a failed scenario is about: those eligible on one side only, and those its
/// `ineligible` and `because` name; each once, in the vocabulary's order.
fn involved(s: &Scenario, d: &Decision) -> Vec<Pathway> {
    let actual: Vec<Pathway> = d.eligible.iter().map(|e| e.pathway).collect();
    let mut out: Vec<Pathway> = s
        .eligible
        .iter()
        .filter(|p| !actual.contains(p))
        .chain(actual.iter().filter(|p| !s.eligible.contains(p)))
        .chain(s.ineligible.keys())
        .chain(s.because.keys())
        .copied()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What the decision says about `pathway`.
fn reasons_for(pathway: Pathway, d: &Decision) -> PathwayReasons {
    PathwayReasons {
        pathway,
        eligible_by: d
            .eligible
            .iter()
            .find(|e| e.pathway == pathway)
            .map(|e| e.rule.to_string()),
        reasons: d
            .ineligible
            .iter()
            .filter(|i| i.pathway == pathway)
            .flat_map(|i| i.reasons.iter())
            .map(|r| format!("{}: {}", r.rule, r.because))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
