//! Programs: the file format, loading with diagnostics, and compilation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::{Pathway, Responder, closest};
use crate::providers::ServiceKind;
use crate::providers::model::{Needs, kind_bit, kind_words};
use crate::rules::compile::{AttrInfo, AttrKind, Compiled, Env, always_protected, compile};
use crate::rules::{self, ParseError, format_duration, parse_duration};
use crate::source::{line_col, offset_of};
use crate::text::Text;

/// The file form of a program, as written in TOML or JSON. See `docs/programs.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramSpec {
    /// Who runs the program, and where.
    pub program: ProgramInfo,
    /// State-law switches.
    #[serde(default)]
    pub law: LawSwitches,
    /// Time windows.
    #[serde(default)]
    pub windows: Windows,
    /// Charges held in abeyance while the person follows a plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_hold: Option<ChargeHoldSpec>,
    /// Extra attributes the agency records on encounters, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttributeSpec>,
    /// Program-wide exclusions: a true one makes every pathway ineligible.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<RuleSpec>,
    /// The pathways offered, in rank order.
    pub pathways: Vec<PathwaySpec>,
    /// Where partner providers must be, by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_area: Option<ServiceArea>,
}

/// How far from the encounter a partner may be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceArea {
    /// The greatest distance, in km, from the encounter to a provider's site.
    pub max_distance_km: f64,
}

/// What a pathway needs from partner providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderNeedsSpec {
    /// The service kinds that can take someone on this pathway (any of them).
    pub kinds: Vec<ServiceKind>,
    /// Kinds that are welcome alongside (ranked higher on ties).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefer: Vec<ServiceKind>,
    /// Preferred partner organizations or services, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<String>,
    /// The greatest distance for this pathway, in km (overrides the program's service area).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_distance_km: Option<f64>,
    /// How many options to offer (5 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Identity and place of a program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInfo {
    /// A short identifier: lower-case letters, digits and `-`.
    pub id: String,
    /// The program's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The place it serves, e.g. `King County, WA`.
    pub jurisdiction: String,
    /// An IANA time zone such as `America/Los_Angeles`.
    pub timezone: String,
    /// A version label of the program's rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What the program is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its rules come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// State-law switches that change what responders may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LawSwitches {
    /// Drug offences reported together with an overdose are immune from charge.
    #[serde(default)]
    pub good_samaritan: bool,
    /// Officers may cite instead of arresting.
    #[serde(default)]
    pub citation_authority: bool,
    /// Protective custody is available for acute intoxication, in place of a drunkenness charge.
    #[serde(default)]
    pub protective_custody: bool,
    /// Emergency mental-health evaluation holds are available.
    #[serde(default)]
    pub emergency_mental_health_hold: bool,
}

/// Time windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Windows {
    /// How long after an overdose Naloxone Plus follow-up is offered, e.g. `72h`.
    #[serde(default = "default_naloxone_window")]
    pub naloxone_plus: String,
}

fn default_naloxone_window() -> String {
    "72h".into()
}

impl Default for Windows {
    fn default() -> Self {
        Windows {
            naloxone_plus: default_naloxone_window(),
        }
    }
}

/// Charge-hold terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargeHoldSpec {
    /// How long the person has to complete the plan, e.g. `90d`.
    pub term: String,
}

/// The type of a declared attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeType {
    /// true or false.
    Bool,
    /// A whole number.
    Int,
    /// A decimal number.
    Number,
    /// Free text.
    Text,
    /// One of `values`.
    Enum,
}

/// A declared extra attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeSpec {
    /// Its type.
    #[serde(rename = "type")]
    pub ty: AttributeType,
    /// The allowed values of an `enum`, in order (rules may compare them with `<`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Carried for equity reporting only: no rule may read it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reporting_only: bool,
    /// What it records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A named rule: an eligibility rule or an exclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// A unique identifier, reported in decisions.
    pub id: String,
    /// The condition, in the rules language (`docs/rules.md`).
    pub when: String,
    /// Words for the explanation when the rule decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

/// One pathway a program offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathwaySpec {
    /// Which pathway.
    pub pathway: Pathway,
    /// Who may start it; any responder when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responders: Option<Vec<Responder>>,
    /// Whether charges are held for the program's term when this pathway is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_hold: Option<bool>,
    /// What the pathway is, locally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The pathway is eligible when any of these is true.
    pub rules: Vec<RuleSpec>,
    /// Exclusions for this pathway only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<RuleSpec>,
    /// The partner services this pathway needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<ProviderNeedsSpec>,
}

/// One problem found in a program file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    /// The file (or the name given for text).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// A hint, such as the name that was probably meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Byte range in the file.
    pub span: Range<usize>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// A program could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ProgramError {
    /// The file could not be read.
    #[error("{path}: cannot read the program: {message}")]
    Io {
        /// The path given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The program has errors; every one found is listed.
    #[error("{}", diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// Each error with its file, line and column.
        diagnostics: Vec<Diagnostic>,
        /// The program text, for rendering snippets.
        source_text: Arc<str>,
    },
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
struct Rendered {
    message: String,
    #[source_code]
    src: miette::NamedSource<Arc<str>>,
    #[label("here")]
    span: miette::SourceSpan,
    #[help]
    help: Option<String>,
}

impl ProgramError {
    /// The diagnostics (empty for an I/O error).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ProgramError::Invalid { diagnostics, .. } => diagnostics,
            ProgramError::Io { .. } => &[],
        }
    }

    /// Every diagnostic as `FILE:LINE:COL: message`, followed by a snippet of the source with
    /// the place marked and any suggestion: what `offramp check` prints.
    pub fn render(&self) -> String {
        let ProgramError::Invalid {
            diagnostics,
            source_text,
        } = self
        else {
            return self.to_string();
        };
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_context_lines(1);
        let mut out = String::new();
        for d in diagnostics {
            out.push_str(&format!(
                "{}:{}:{}: error: {}\n",
                d.file, d.line, d.column, d.message
            ));
            let len = d.span.end.saturating_sub(d.span.start);
            let report = Rendered {
                message: d.message.clone(),
                src: miette::NamedSource::new(&d.file, source_text.clone()),
                span: (d.span.start, len).into(),
                help: d.help.clone(),
            };
            let mut snippet = String::new();
            if handler.render_report(&mut snippet, &report).is_ok() {
                // The first line repeats the message; keep the snippet and help.
                let body: Vec<&str> = snippet.lines().skip(1).collect();
                out.push_str(&body.join("\n"));
                out.push('\n');
            }
        }
        out
    }
}

/// The file format of a program's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

/// A compiled rule with everything the router reports about it.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub id: Text,
    pub compiled: Compiled,
    /// Exclusions: the sentence given when the exclusion holds.
    pub excluded_because: Text,
    /// Exclusions: the warning for each conjunct that cannot be decided.
    pub unknown_warnings: Vec<Text>,
}

/// A pathway ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPathway {
    pub pathway: Pathway,
    /// Bit per responder allowed to start it.
    pub responders: u8,
    pub responders_rule: Text,
    pub responders_because: Text,
    pub responders_unknown: Text,
    pub charge_hold: bool,
    pub rules: Vec<CompiledRule>,
    pub exclusions: Vec<CompiledRule>,
    pub needs: Option<Needs>,
}

/// A loaded, checked and compiled program. Immutable and cheap to share across threads.
///
/// ```
/// use offramp::Program;
/// let program = Program::from_toml(r#"
/// [program]
/// id = "demo"
/// jurisdiction = "Example County"
/// timezone = "America/Chicago"
///
/// [[pathways]]
/// pathway = "self_referral"
/// [[pathways.rules]]
/// id = "asks-for-help"
/// when = "source == self_initiated and needs has any [sud, opioid_use]"
/// "#, "demo.toml").unwrap();
/// assert_eq!(program.id(), "demo");
/// assert!(program.hash().starts_with("sha256:"));
/// ```
#[derive(Debug, Clone)]
pub struct Program {
    spec: ProgramSpec,
    pub(crate) id: Text,
    pub(crate) hash: Text,
    pub(crate) tz: Tz,
    pub(crate) env: Env,
    pub(crate) charge_hold_term: Option<i64>,
    pub(crate) charge_hold_text: Option<Text>,
    pub(crate) exclusions: Vec<CompiledRule>,
    pub(crate) pathways: Vec<CompiledPathway>,
}

/// Finds where a value from the file appears in the source, for diagnostics.
struct Locator<'s> {
    src: &'s str,
    used: BTreeSet<usize>,
}

/// Where a rule's text sits in the file, so rule offsets can be mapped to file offsets.
#[derive(Clone, Copy)]
struct Placed<'t> {
    base: usize,
    escaped: bool,
    found: bool,
    text: &'t str,
}

impl Placed<'_> {
    fn file_offset(&self, rule_offset: usize) -> usize {
        if !self.escaped {
            return self.base + rule_offset;
        }
        let mut prefix_end = rule_offset.min(self.text.len());
        while !self.text.is_char_boundary(prefix_end) {
            prefix_end -= 1;
        }
        let escaped = serde_json::to_string(&self.text[..prefix_end]).unwrap_or_default();
        self.base + escaped.len().saturating_sub(2)
    }
}

impl<'s> Locator<'s> {
    fn find_from(&self, needle: &str) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        let mut start = 0;
        while let Some(i) = self.src[start..].find(needle) {
            let at = start + i;
            if !self.used.contains(&at) {
                return Some(at);
            }
            start = at + needle.len().max(1);
            if start >= self.src.len() {
                break;
            }
        }
        None
    }

    /// Places a string value (a rule, an id, a time zone) in the source. A quoted occurrence
    /// (`"fire"`) is preferred over the same letters inside other text (`id = "fire-oi"`).
    fn place<'t>(&mut self, text: &'t str) -> Placed<'t> {
        for quote in ['"', '\''] {
            let quoted = format!("{quote}{text}{quote}");
            if let Some(at) = self.find_from(&quoted) {
                self.used.insert(at);
                return Placed {
                    base: at + 1,
                    escaped: false,
                    found: true,
                    text,
                };
            }
        }
        if let Some(at) = self.find_from(text) {
            self.used.insert(at);
            return Placed {
                base: at,
                escaped: false,
                found: true,
                text,
            };
        }
        let json = serde_json::to_string(text).unwrap_or_default();
        let inner = json
            .get(1..json.len().saturating_sub(1))
            .unwrap_or_default();
        if let Some(at) = self.find_from(inner) {
            self.used.insert(at);
            return Placed {
                base: at,
                escaped: true,
                found: true,
                text,
            };
        }
        Placed {
            base: 0,
            escaped: false,
            found: false,
            text,
        }
    }

    fn diagnostic(
        &self,
        file: &str,
        span: Range<usize>,
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let start = span.start.min(self.src.len());
        let end = span.end.clamp(start, self.src.len());
        let (line, column) = line_col(self.src, start);
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            message,
            help,
            span: start..end,
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.'
        })
}

const LAW_NAMES: [&str; 4] = [
    "good_samaritan",
    "citation_authority",
    "protective_custody",
    "emergency_mental_health_hold",
];

struct Builder<'a> {
    file: &'a str,
    loc: Locator<'a>,
    diags: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn error_at(&mut self, text: &str, message: String, help: Option<String>) {
        let placed = self.loc.place(text);
        let span = if placed.found {
            placed.base..placed.file_offset(text.len())
        } else {
            0..0
        };
        let d = self.loc.diagnostic(self.file, span, message, help);
        self.diags.push(d);
    }

    fn rule(
        &mut self,
        spec: &RuleSpec,
        env: &Env,
        seen: &mut BTreeSet<String>,
        what: &str,
    ) -> Option<(CompiledRule, bool)> {
        if !valid_id(&spec.id) {
            self.error_at(
                &spec.id,
                format!(
                    "{what} id `{}` must be lower-case letters, digits, `-`, `_` or `.`",
                    spec.id
                ),
                None,
            );
        }
        if !seen.insert(spec.id.clone()) {
            self.error_at(
                &spec.id,
                format!("{what} id `{}` is used twice", spec.id),
                Some("give every rule its own id".into()),
            );
        }
        let placed = self.loc.place(&spec.when);
        let result = rules::parse(&spec.when)
            .map_err(|e| vec![e])
            .and_then(|expr| compile(&expr, env));
        match result {
            Ok(outcome) => {
                let because = spec
                    .because
                    .clone()
                    .unwrap_or_else(|| format!("excluded: `{}` holds", outcome.compiled.canonical));
                let unknown_warnings = outcome
                    .compiled
                    .parts
                    .iter()
                    .map(|part| {
                        Text::pooled(&if part.reads.is_empty() {
                            format!("exclusion `{}` could not be checked", spec.id)
                        } else {
                            format!(
                                "exclusion `{}` could not be checked: {} not recorded",
                                spec.id, part.reads
                            )
                        })
                    })
                    .collect();
                Some((
                    CompiledRule {
                        id: Text::pooled(&spec.id),
                        compiled: outcome.compiled,
                        excluded_because: Text::pooled(&because),
                        unknown_warnings,
                    },
                    outcome.reads_responder,
                ))
            }
            Err(errors) => {
                for ParseError {
                    span,
                    message,
                    help,
                } in errors
                {
                    let file_span = placed.file_offset(span.start)..placed.file_offset(span.end);
                    let d = self.loc.diagnostic(
                        self.file,
                        file_span,
                        format!("in {what} `{}`: {message}", spec.id),
                        help,
                    );
                    self.diags.push(d);
                }
                None
            }
        }
    }
}

impl Program {
    /// Loads a program from a `.toml` or `.json` file (decided by the extension; TOML otherwise).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Program, ProgramError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ProgramError::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        };
        Program::from_str_as(&text, format, &shown)
    }

    /// Loads a program from TOML text; `name` is used in diagnostics.
    pub fn from_toml(text: &str, name: &str) -> Result<Program, ProgramError> {
        Program::from_str_as(text, Format::Toml, name)
    }

    /// Loads a program from JSON text; `name` is used in diagnostics.
    pub fn from_json(text: &str, name: &str) -> Result<Program, ProgramError> {
        Program::from_str_as(text, Format::Json, name)
    }

    /// Loads a program from text in the given format.
    pub fn from_str_as(text: &str, format: Format, name: &str) -> Result<Program, ProgramError> {
        let source_text: Arc<str> = text.into();
        let invalid = |diagnostics| ProgramError::Invalid {
            diagnostics,
            source_text: source_text.clone(),
        };
        let loc = Locator {
            src: text,
            used: BTreeSet::new(),
        };
        let spec: ProgramSpec = match format {
            Format::Toml => toml::from_str(text).map_err(|e| {
                let span = e.span().unwrap_or(0..0);
                invalid(vec![loc.diagnostic(
                    name,
                    span,
                    e.message().trim().to_string(),
                    None,
                )])
            })?,
            Format::Json => serde_json::from_str(text).map_err(|e| {
                let offset = offset_of(text, e.line(), e.column());
                let msg = e.to_string();
                let msg = msg
                    .rfind(" at line ")
                    .map_or(msg.as_str(), |i| &msg[..i])
                    .to_string();
                invalid(vec![loc.diagnostic(name, offset..offset, msg, None)])
            })?,
        };
        Program::build(spec, text, name).map_err(invalid)
    }

    /// Compiles a program from its spec (as built in code rather than read from a file).
    pub fn from_spec(spec: ProgramSpec) -> Result<Program, ProgramError> {
        let text = toml::to_string(&spec).unwrap_or_default();
        let source_text: Arc<str> = text.as_str().into();
        Program::build(spec, &text, "<program>").map_err(|diagnostics| ProgramError::Invalid {
            diagnostics,
            source_text,
        })
    }

    fn build(spec: ProgramSpec, text: &str, name: &str) -> Result<Program, Vec<Diagnostic>> {
        let mut b = Builder {
            file: name,
            loc: Locator {
                src: text,
                used: BTreeSet::new(),
            },
            diags: Vec::new(),
        };
        let info = &spec.program;
        if !valid_id(&info.id) {
            b.error_at(
                &info.id,
                format!(
                    "program id `{}` must be lower-case letters, digits, `-`, `_` or `.`",
                    info.id
                ),
                None,
            );
        }
        let tz: Tz = match info.timezone.parse() {
            Ok(tz) => tz,
            Err(_) => {
                let help = closest(
                    &info.timezone,
                    chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()),
                )
                .map(|s| format!("did you mean `{s}`?"));
                b.error_at(
                    &info.timezone,
                    format!("`{}` is not an IANA time zone", info.timezone),
                    help,
                );
                Tz::UTC
            }
        };
        let naloxone_window = match parse_duration(&spec.windows.naloxone_plus) {
            Ok(d) if d > 0 => d,
            Ok(_) => {
                b.error_at(
                    &spec.windows.naloxone_plus,
                    "the Naloxone Plus window must be longer than zero".into(),
                    None,
                );
                0
            }
            Err(e) => {
                b.error_at(
                    &spec.windows.naloxone_plus,
                    format!("windows.naloxone_plus: {}", e.message),
                    e.help,
                );
                0
            }
        };
        let charge_hold_term = match &spec.charge_hold {
            None => None,
            Some(ch) => match parse_duration(&ch.term) {
                Ok(d) if d > 0 => Some(d),
                Ok(_) => {
                    b.error_at(
                        &ch.term,
                        "the charge-hold term must be longer than zero".into(),
                        None,
                    );
                    None
                }
                Err(e) => {
                    b.error_at(&ch.term, format!("charge_hold.term: {}", e.message), e.help);
                    None
                }
            },
        };
        let mut attrs = Vec::new();
        for (aname, a) in &spec.attributes {
            let ident_ok = aname
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && aname.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ident_ok {
                b.error_at(
                    aname,
                    format!("attribute name `{aname}` must be letters, digits and `_`"),
                    None,
                );
            }
            match (a.ty, a.values.is_empty()) {
                (AttributeType::Enum, true) => b.error_at(
                    aname,
                    format!("attribute `{aname}` is an enum but lists no `values`"),
                    Some("add `values = [\"low\", \"high\"]`".into()),
                ),
                (AttributeType::Enum, false) => {
                    let distinct: BTreeSet<&String> = a.values.iter().collect();
                    if distinct.len() != a.values.len() {
                        b.error_at(
                            aname,
                            format!("attribute `{aname}` lists a value twice"),
                            None,
                        );
                    }
                    if a.values.len() > 64 {
                        b.error_at(
                            aname,
                            format!("attribute `{aname}` has more than 64 values"),
                            None,
                        );
                    }
                }
                (_, false) => b.error_at(
                    aname,
                    format!("attribute `{aname}` has `values`, which only an enum may have"),
                    Some("set `type = \"enum\"`".into()),
                ),
                _ => {}
            }
            attrs.push(AttrInfo {
                name: aname.clone(),
                kind: match a.ty {
                    AttributeType::Bool => AttrKind::Bool,
                    AttributeType::Int => AttrKind::Int,
                    AttributeType::Number => AttrKind::Number,
                    AttributeType::Text => AttrKind::Text,
                    AttributeType::Enum => AttrKind::Enum,
                },
                values: a.values.clone(),
                protected: a.reporting_only || always_protected(aname),
            });
        }
        let law = spec.law;
        let env = Env {
            attrs,
            law: [
                (LAW_NAMES[0], law.good_samaritan),
                (LAW_NAMES[1], law.citation_authority),
                (LAW_NAMES[2], law.protective_custody),
                (LAW_NAMES[3], law.emergency_mental_health_hold),
            ],
            naloxone_window,
            charge_hold_term,
        };

        let mut seen_ids = BTreeSet::new();
        let mut exclusions = Vec::new();
        for ex in &spec.exclusions {
            if let Some((r, _)) = b.rule(ex, &env, &mut seen_ids, "exclusion") {
                exclusions.push(r);
            }
        }
        if spec.pathways.is_empty() {
            b.diags.push(b.loc.diagnostic(
                name,
                0..0,
                "the program offers no pathways".into(),
                Some("add a `[[pathways]]` table".into()),
            ));
        }
        let mut seen_pathways = BTreeSet::new();
        let mut pathways = Vec::new();
        for p in &spec.pathways {
            let pw_text = p.pathway.as_str();
            if !seen_pathways.insert(p.pathway) {
                b.error_at(
                    pw_text,
                    format!("pathway `{pw_text}` is listed twice"),
                    Some("list each pathway once, with several rules".into()),
                );
            }
            let mut responders: u8 = 0;
            match &p.responders {
                Some(list) => {
                    for r in list {
                        responders |= 1 << (*r as u8);
                    }
                    if list.is_empty() {
                        b.error_at(
                            pw_text,
                            format!("pathway `{pw_text}` lists no responders"),
                            None,
                        );
                    }
                }
                None => {
                    for r in Responder::ALL {
                        responders |= 1 << (*r as u8);
                    }
                }
            }
            let oi = p.pathway == Pathway::OfficerIntervention;
            if oi {
                if let Some(list) = &p.responders {
                    for r in list.iter().filter(|r| !r.is_law_enforcement()) {
                        b.error_at(
                            r.as_str(),
                            format!("officer_intervention is for law enforcement only, but its responders include `{r}`"),
                            Some("list only `law_enforcement` and `co_responder`".into()),
                        );
                    }
                }
                responders &= Responder::ALL
                    .iter()
                    .filter(|r| r.is_law_enforcement())
                    .fold(0, |m, r| m | (1 << (*r as u8)));
            }
            let charge_hold = p.charge_hold.unwrap_or(oi && spec.charge_hold.is_some());
            if charge_hold && spec.charge_hold.is_none() {
                b.error_at(
                    pw_text,
                    format!("pathway `{pw_text}` holds charges, but the program has no `[charge_hold]` term"),
                    Some("add `[charge_hold]` with `term = \"90d\"`".into()),
                );
            }
            if p.rules.is_empty() {
                b.error_at(
                    pw_text,
                    format!("pathway `{pw_text}` has no rules, so no one could ever be eligible"),
                    Some("add `[[pathways.rules]]` with an `id` and a `when`; `when = \"true\"` admits everyone".into()),
                );
            }
            let mut rules_c = Vec::new();
            for r in &p.rules {
                if let Some((c, reads_responder)) = b.rule(r, &env, &mut seen_ids, "rule") {
                    if oi && reads_responder {
                        let admitted: Vec<&str> = Responder::ALL
                            .iter()
                            .filter(|x| {
                                !x.is_law_enforcement() && c.compiled.may_admit_responder(**x)
                            })
                            .map(|x| x.as_str())
                            .collect();
                        if !admitted.is_empty() {
                            b.error_at(
                                &r.when,
                                format!(
                                    "officer_intervention rule `{}` admits non-police responders ({})",
                                    r.id,
                                    admitted.join(", ")
                                ),
                                Some("officer intervention is for law enforcement only; require `responder in [law_enforcement, co_responder]`".into()),
                            );
                        }
                    }
                    rules_c.push(c);
                }
            }
            let mut excl_c = Vec::new();
            for ex in &p.exclusions {
                if let Some((c, _)) = b.rule(ex, &env, &mut seen_ids, "exclusion") {
                    excl_c.push(c);
                }
            }
            let allowed: Vec<&str> = Responder::ALL
                .iter()
                .filter(|r| responders & (1 << (**r as u8)) != 0)
                .map(|r| r.as_str())
                .collect();
            let because = if oi {
                "officer intervention is for law enforcement only".to_string()
            } else {
                format!("this pathway is started only by: {}", allowed.join(", "))
            };
            pathways.push(CompiledPathway {
                pathway: p.pathway,
                responders,
                responders_rule: Text::pooled(&format!("{pw_text}.responders")),
                responders_because: Text::pooled(&because),
                responders_unknown: Text::pooled(&format!(
                    "`responder in [{}]` could not be checked: `responder` not recorded",
                    allowed.join(", ")
                )),
                charge_hold,
                rules: rules_c,
                exclusions: excl_c,
                needs: p.providers.as_ref().map(|n| {
                    if n.kinds.is_empty() {
                        b.error_at(
                            pw_text,
                            format!("pathway `{pw_text}` lists no provider `kinds`"),
                            Some(
                                "name at least one service kind, e.g. `kinds = [\"moud\"]`".into(),
                            ),
                        );
                    }
                    if let Some(d) = n.max_distance_km
                        && !(d.is_finite() && d > 0.0)
                    {
                        b.error_at(
                            pw_text,
                            format!(
                                "pathway `{pw_text}`: `max_distance_km` must be a positive number"
                            ),
                            None,
                        );
                    }
                    if n.limit == Some(0) {
                        b.error_at(
                            pw_text,
                            format!("pathway `{pw_text}`: `limit` must be at least 1"),
                            None,
                        );
                    }
                    let words: Vec<&str> = n.kinds.iter().map(|k| kind_words(*k)).collect();
                    Needs {
                        kinds: n.kinds.iter().fold(0, |m, k| m | kind_bit(*k)),
                        prefer: n.prefer.iter().fold(0, |m, k| m | kind_bit(*k)),
                        partners: n.partners.clone(),
                        // The pathway's own limit, else the program's service area.
                        max_distance_km: n
                            .max_distance_km
                            .or(spec.service_area.as_ref().map(|a| a.max_distance_km)),
                        limit: n.limit.map_or(5, |l| l.clamp(1, 100) as usize),
                        kind_words: Text::pooled(&words.join(" or ")),
                    }
                }),
            });
        }
        if let Some(area) = &spec.service_area
            && !(area.max_distance_km.is_finite() && area.max_distance_km > 0.0)
        {
            b.diags.push(b.loc.diagnostic(
                name,
                0..0,
                "service_area.max_distance_km must be a positive number".into(),
                None,
            ));
        }
        if !b.diags.is_empty() {
            b.diags.sort_by_key(|d| d.span.start);
            return Err(b.diags);
        }
        let mut program = Program {
            id: Text::pooled(&spec.program.id),
            hash: Text::pooled(""),
            tz,
            env,
            charge_hold_term,
            charge_hold_text: charge_hold_term.map(|t| Text::pooled(&format_duration(t))),
            exclusions,
            pathways,
            spec,
        };
        program.hash = Text::pooled(&format!(
            "sha256:{:x}",
            Sha256::digest(program.to_toml().as_bytes())
        ));
        Ok(program)
    }

    /// The program's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A content hash of the compiled program: two programs with the same hash decide alike.
    /// Formatting and comments in the file do not change it.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The program as loaded.
    pub fn spec(&self) -> &ProgramSpec {
        &self.spec
    }

    /// The program's time zone.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The pathways offered, in rank order.
    pub fn pathways(&self) -> impl Iterator<Item = Pathway> + '_ {
        self.pathways.iter().map(|p| p.pathway)
    }

    /// The number of rules and exclusions.
    pub fn rule_count(&self) -> usize {
        self.exclusions.len()
            + self
                .pathways
                .iter()
                .map(|p| p.rules.len() + p.exclusions.len())
                .sum::<usize>()
    }

    /// The program in canonical TOML: every rule printed in canonical form, windows and terms
    /// normalised. Loading this text gives the same program (and the same hash).
    pub fn to_toml(&self) -> String {
        let mut spec = self.spec.clone();
        let canon =
            |r: &mut RuleSpec, c: &CompiledRule| r.when = c.compiled.canonical.as_str().to_string();
        for (r, c) in spec.exclusions.iter_mut().zip(&self.exclusions) {
            canon(r, c);
        }
        for (p, c) in spec.pathways.iter_mut().zip(&self.pathways) {
            for (r, cr) in p.rules.iter_mut().zip(&c.rules) {
                canon(r, cr);
            }
            for (r, cr) in p.exclusions.iter_mut().zip(&c.exclusions) {
                canon(r, cr);
            }
            if let Some(list) = &mut p.responders {
                list.sort();
                list.dedup();
            }
        }
        spec.windows.naloxone_plus = format_duration(self.env.naloxone_window);
        if let (Some(ch), Some(t)) = (&mut spec.charge_hold, self.charge_hold_term) {
            ch.term = format_duration(t);
        }
        toml::to_string(&spec).unwrap_or_default()
    }

    /// The program as JSON (same structure as the TOML form).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.spec).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[program]
id = "demo"
jurisdiction = "Example County"
timezone = "America/Chicago"

[charge_hold]
term = "90d"

[attributes.prior]
type = "int"

[attributes.group]
type = "text"
reporting_only = true

[[exclusions]]
id = "violent"
when = "any offenses (violent)"

[[pathways]]
pathway = "officer_intervention"
[[pathways.rules]]
id = "possession"
when = "any offenses (drug) and attributes.prior == 0"
"#;

    fn errors(text: &str) -> Vec<Diagnostic> {
        match Program::from_toml(text, "p.toml") {
            Ok(_) => panic!("should be refused"),
            Err(e) => e.diagnostics().to_vec(),
        }
    }

    #[test]
    fn loads_a_good_program() {
        let p = Program::from_toml(GOOD, "p.toml").unwrap();
        assert_eq!(p.rule_count(), 2);
        assert_eq!(
            p.pathways().collect::<Vec<_>>(),
            vec![Pathway::OfficerIntervention]
        );
        // Officer intervention holds charges by default when the program has a term.
        assert!(p.pathways[0].charge_hold);
        // Formatting does not change the hash; content does.
        let reformatted = GOOD.replace(
            "when = \"any offenses (violent)\"",
            "when = \"any   offenses ( violent ) # comment\"",
        );
        assert_eq!(
            Program::from_toml(&reformatted, "q.toml").unwrap().hash(),
            p.hash()
        );
        let changed = GOOD.replace("== 0", "== 1");
        assert_ne!(
            Program::from_toml(&changed, "q.toml").unwrap().hash(),
            p.hash()
        );
    }

    #[test]
    fn rule_errors_point_at_the_file() {
        let text = GOOD.replace(
            "attributes.prior == 0",
            "attributes.prior == 0 and responder == law_enforcment",
        );
        let d = errors(&text);
        assert_eq!(d.len(), 1);
        let line = text
            .lines()
            .position(|l| l.contains("law_enforcment"))
            .unwrap()
            + 1;
        assert_eq!(d[0].line, line);
        let col = text
            .lines()
            .nth(line - 1)
            .unwrap()
            .find("law_enforcment")
            .unwrap()
            + 1;
        assert_eq!(d[0].column, col);
        assert_eq!(
            d[0].help.as_deref(),
            Some("did you mean `law_enforcement`?")
        );
        assert!(
            d[0].to_string()
                .starts_with(&format!("p.toml:{line}:{col}: "))
        );
    }

    #[test]
    fn every_error_is_reported() {
        let text = GOOD
            .replace("America/Chicago", "America/Chicgo")
            .replace("any offenses (violent)", "any offenses (violnt)")
            .replace("attributes.prior == 0", "attributes.group == \\\"x\\\"");
        let d = errors(&text);
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(
            d.iter()
                .any(|x| x.help.as_deref() == Some("did you mean `America/Chicago`?"))
        );
        assert!(d.iter().any(|x| x.message.contains("protected")));
        assert!(
            d.iter()
                .any(|x| x.help.as_deref() == Some("did you mean `violent`?"))
        );
        // Sorted by position in the file.
        assert!(d.windows(2).all(|w| w[0].span.start <= w[1].span.start));
    }

    #[test]
    fn race_and_ethnicity_are_always_protected() {
        let text = GOOD
            .replace("[attributes.group]", "[attributes.Race]")
            .replace("attributes.prior == 0", "attributes.Race == 1");
        assert!(errors(&text)[0].message.contains("protected"));
    }

    #[test]
    fn officer_intervention_is_for_police_only() {
        let text = GOOD.replace(
            "pathway = \"officer_intervention\"",
            "pathway = \"officer_intervention\"\nresponders = [\"law_enforcement\", \"fire\"]",
        );
        let d = errors(&text);
        assert!(d[0].message.contains("law enforcement only"), "{d:?}");
        let text = GOOD.replace(
            "any offenses (drug) and",
            "responder in [law_enforcement, ems] and",
        );
        let d = errors(&text);
        assert!(
            d[0].message.contains("admits non-police responders (ems)"),
            "{d:?}"
        );
        // Requiring police is fine.
        let text = GOOD.replace(
            "any offenses (drug) and",
            "responder == law_enforcement and",
        );
        assert!(Program::from_toml(&text, "p.toml").is_ok());
    }

    #[test]
    fn structural_errors() {
        // Unknown keys are refused with their place.
        let d = errors(&GOOD.replace("jurisdiction =", "jurisdicton ="));
        assert!(d[0].message.contains("jurisdicton"), "{d:?}");
        assert_eq!(d[0].line, 4);
        // Duplicate pathways and rule ids, missing rules, bad durations.
        let dup = format!(
            "{GOOD}\n[[pathways]]\npathway = \"officer_intervention\"\n[[pathways.rules]]\nid = \"possession\"\nwhen = \"true\"\n"
        );
        let d = errors(&dup);
        assert!(d.iter().any(|x| x.message.contains("listed twice")));
        assert!(d.iter().any(|x| x.message.contains("used twice")));
        let d = errors(&GOOD.replace("term = \"90d\"", "term = \"90 days\""));
        assert!(d[0].message.contains("charge_hold.term"));
        let d = errors(
            &GOOD.replace("[charge_hold]\nterm = \"90d\"\n", "").replace(
                "pathway = \"officer_intervention\"",
                "pathway = \"officer_intervention\"\ncharge_hold = true",
            ),
        );
        assert!(d[0].message.contains("no `[charge_hold]` term"), "{d:?}");
        let d = errors(&GOOD.replace("type = \"int\"", "type = \"enum\""));
        assert!(d.iter().any(|x| x.message.contains("lists no `values`")));
    }

    #[test]
    fn json_programs_load_and_report_positions() {
        let p = Program::from_toml(GOOD, "p.toml").unwrap();
        let json = p.to_json();
        let q = Program::from_json(&json, "p.json").unwrap();
        assert_eq!(q.hash(), p.hash());
        let bad = json.replace("any offenses (drug)", "any offenses (drugg)");
        let d = match Program::from_json(&bad, "p.json") {
            Err(e) => e.diagnostics().to_vec(),
            Ok(_) => panic!("should fail"),
        };
        let line = bad.lines().position(|l| l.contains("drugg")).unwrap() + 1;
        assert_eq!(d[0].line, line);
        assert!(d[0].help.as_deref().unwrap_or_default().contains("drug"));
        let d = match Program::from_json("{\"program\": 3}", "p.json") {
            Err(e) => e.diagnostics().to_vec(),
            Ok(_) => panic!("should fail"),
        };
        assert_eq!(d[0].line, 1);
    }

    #[test]
    fn render_shows_a_snippet() {
        let text = GOOD.replace("any offenses (violent)", "any offenses (violnt)");
        let err = Program::from_toml(&text, "p.toml").unwrap_err();
        let out = err.render();
        assert!(out.starts_with("p.toml:19:"), "{out}");
        assert!(out.contains("any offenses (violnt)"), "{out}");
        assert!(out.contains("did you mean `violent`?"), "{out}");
    }

    #[test]
    fn io_errors_name_the_path() {
        let err = Program::from_file("/nonexistent/p.toml").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent/p.toml: cannot read")
        );
    }
}
