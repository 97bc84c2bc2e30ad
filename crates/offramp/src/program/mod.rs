//! Programs: the file format (`spec`), loading with diagnostics, and compilation (`build`).

mod build;
mod spec;
#[cfg(test)]
mod tests;

pub(crate) use spec::LawCover;
pub use spec::{
    AttributeSpec, AttributeType, ChargeHoldSpec, LawSwitches, PathwaySpec, ProgramInfo,
    ProgramSpec, ProgramStatus, ProviderNeedsSpec, RuleSpec, ServiceArea, Windows,
};

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use chrono_tz::Tz;

use crate::domain::Pathway;
use crate::providers::model::Needs;
use crate::rules::compile::{Compiled, Env};
use crate::rules::format_duration;
pub use crate::source::Diagnostic;
use crate::source::{Syntax, offset_of, render_all, without_position};
use crate::text::Text;
use build::Origin;

/// The code of every program diagnostic.
const CODE: &str = "offramp::program";

/// The largest program text read, in bytes (32 MiB). A larger file is refused before it is
/// read; larger text before it is parsed.
pub const MAX_PROGRAM_BYTES: usize = 32 << 20;

/// The most rules and exclusions a program may have, all pathways together. More are refused
/// before any rule is checked.
pub const MAX_RULES: usize = 100_000;

/// The longest charge-hold term or time window a program may set, in days (about a century).
/// Every deadline the router computes from an encounter's time then fits the calendar.
pub const MAX_TERM_DAYS: i64 = 36_600;

/// The most errors listed for one rule; the rest are counted in one more diagnostic. Placing an
/// error reads the rule up to it, so the cap keeps a long rule full of errors from costing the
/// square of its length.
pub const MAX_ERRORS_PER_RULE: usize = 20;

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
        match self {
            ProgramError::Invalid { diagnostics, .. } => render_all(diagnostics),
            ProgramError::Io { .. } => self.to_string(),
        }
    }
}

/// The error for a program text over [`MAX_PROGRAM_BYTES`], at the start of the file.
fn too_large(name: &str) -> ProgramError {
    let mut d = Diagnostic::new(
        CODE,
        name,
        format!(
            "the program is larger than {} MiB, the most a program may be",
            MAX_PROGRAM_BYTES >> 20
        ),
    )
    .with_help(Some("split it into several programs".into()));
    // The place is the file's start; the text itself is not kept.
    d.line = 1;
    d.column = 1;
    ProgramError::Invalid {
        diagnostics: vec![d],
        source_text: "".into(),
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

/// An amnesty ready to evaluate against one offence at a time.
#[derive(Debug, Clone)]
pub(crate) struct CompiledAmnesty {
    pub id: Text,
    pub compiled: Compiled,
    /// The program's words for it (`because`), or a sentence made from its condition.
    pub because: Text,
    /// The warning for each conjunct that cannot be decided.
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
    /// The day the program ended, when its status is `ended`.
    pub(crate) ended: Option<chrono::NaiveDate>,
    /// The `program_ended` warning every decision under an ended program carries, made once.
    pub(crate) ended_warning: Option<Text>,
    pub(crate) exclusions: Vec<CompiledRule>,
    pub(crate) amnesties: Vec<CompiledAmnesty>,
    pub(crate) pathways: Vec<CompiledPathway>,
    /// What `offramp check` warns about: the program loads, but something in it cannot work
    /// as written.
    pub(crate) warnings: Vec<Diagnostic>,
    /// The declared attributes' names as a decision's warning gives them (`none`, or
    /// `` `a`, `b` ``), made once.
    pub(crate) declared_attributes: Text,
}

impl Program {
    /// Whether any of the program's rules (exclusions, pathway rules and exclusions,
    /// amnesties) may read an encounter's history: when none does, a decision never depends
    /// on it.
    pub(crate) fn reads_history(&self) -> bool {
        self.compiled_rules().any(Compiled::reads_history)
    }

    /// Every compiled rule of the program: exclusions, pathway rules and exclusions,
    /// amnesties.
    pub(crate) fn compiled_rules(&self) -> impl Iterator<Item = &Compiled> {
        let rules = self.exclusions.iter().chain(
            self.pathways
                .iter()
                .flat_map(|p| p.rules.iter().chain(&p.exclusions)),
        );
        rules
            .map(|r| &r.compiled)
            .chain(self.amnesties.iter().map(|a| &a.compiled))
    }

    /// The history kinds (a mask, bit `kind as u8`) that any of the program's rules may be
    /// swayed by: a history of only these kinds gets the decision the whole history gets (see
    /// `Node::history_kinds`). 0 when no rule reads history.
    pub(crate) fn history_kinds(&self) -> u64 {
        self.compiled_rules().fold(0, |m, c| m | c.history_kinds())
    }

    /// Loads a program from a `.toml` or `.json` file (decided by the extension; TOML otherwise).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Program, ProgramError> {
        use std::io::Read as _;
        let path = path.as_ref();
        let shown = path.display().to_string();
        let io = |e: std::io::Error| ProgramError::Io {
            path: shown.clone(),
            message: e.to_string(),
        };
        // Read at most one byte past the limit, so a huge file is refused without reading it.
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .map_err(io)?
            .take(
                u64::try_from(MAX_PROGRAM_BYTES)
                    .unwrap_or(u64::MAX)
                    .saturating_add(1),
            )
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() > MAX_PROGRAM_BYTES {
            return Err(too_large(&shown));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ))
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
        if text.len() > MAX_PROGRAM_BYTES {
            return Err(too_large(name));
        }
        let source_text: Arc<str> = text.into();
        let invalid = |diagnostics| ProgramError::Invalid {
            diagnostics,
            source_text: source_text.clone(),
        };
        let at = |message: &str, span: Range<usize>| {
            vec![Diagnostic::new(CODE, name, message.trim()).at(&source_text, span)]
        };
        let (spec, syntax): (ProgramSpec, Syntax) = match format {
            Format::Toml => (
                toml::from_str(text)
                    .map_err(|e| invalid(at(e.message(), e.span().unwrap_or(0..0))))?,
                Syntax::Toml,
            ),
            Format::Json => (
                serde_json::from_str(text).map_err(|e| {
                    let offset = offset_of(text, e.line(), e.column());
                    invalid(at(without_position(&e.to_string()), offset..offset))
                })?,
                Syntax::Json,
            ),
        };
        let origin = Origin {
            text: &source_text,
            syntax,
        };
        Program::build(spec, Some(origin), name).map_err(invalid)
    }

    /// Compiles a program from its spec (as built in code rather than read from a file).
    /// There is no text to point into, so each diagnostic names the dotted key path of the
    /// value at fault (`pathways[0].rules[1].when: ...`) and has no line or column.
    ///
    /// ```
    /// use offramp::{Program, ProgramSpec};
    /// let text = "[program]\nid = \"p\"\njurisdiction = \"X\"\ntimezone = \"UTC\"\n\
    ///     [[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"r\"\nwhen = \"true\"\n";
    /// let mut spec: ProgramSpec = toml::from_str(text).unwrap();
    /// spec.pathways[0].rules[0].when = "age >".into();
    /// let e = Program::from_spec(spec).unwrap_err();
    /// let d = &e.diagnostics()[0];
    /// assert_eq!(d.path.as_deref(), Some("pathways[0].rules[0].when"));
    /// assert_eq!(d.line, 0);
    /// assert!(e.to_string().starts_with("<program>: pathways[0].rules[0].when: in rule `r`:"), "{e}");
    /// ```
    pub fn from_spec(spec: ProgramSpec) -> Result<Program, ProgramError> {
        Program::build(spec, None, "<program>").map_err(|diagnostics| ProgramError::Invalid {
            diagnostics,
            source_text: "".into(),
        })
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

    /// The day the program ended, or `None` for a program that still runs
    /// (`[program] status = "ended"` with `ended = "YYYY-MM-DD"`).
    pub fn ended(&self) -> Option<chrono::NaiveDate> {
        self.ended
    }

    /// The pathways offered, in rank order.
    pub fn pathways(&self) -> impl Iterator<Item = Pathway> + '_ {
        self.pathways.iter().map(|p| p.pathway)
    }

    /// The number of rules, exclusions and amnesties.
    pub fn rule_count(&self) -> usize {
        self.pathways
            .iter()
            .flat_map(|p| [p.rules.len(), p.exclusions.len()])
            .fold(
                self.exclusions.len().saturating_add(self.amnesties.len()),
                usize::saturating_add,
            )
    }

    /// What is questionable in a program that loads: each as a diagnostic with its place,
    /// rendered by [`Diagnostic::render_warning`]. Today: an `officer_intervention` rule that
    /// can only admit encounters with nothing chargeable (which that pathway never takes).
    ///
    /// ```
    /// use offramp::Program;
    /// let program = Program::from_toml(r#"
    /// [program]
    /// id = "demo"
    /// jurisdiction = "Example County"
    /// timezone = "America/Chicago"
    /// [[pathways]]
    /// pathway = "officer_intervention"
    /// [[pathways.rules]]
    /// id = "infractions-only"
    /// when = "all offenses (level == infraction)"
    /// "#, "demo.toml").unwrap();
    /// assert_eq!(program.warnings().len(), 1);
    /// assert_eq!(program.warnings()[0].line, 10);
    /// ```
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The program in canonical TOML: every rule printed in canonical form, windows and terms
    /// normalised. Loading this text gives the same program (and the same hash).
    ///
    /// # Errors
    /// Fails only if the TOML writer refuses a value (a bug worth reporting).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        let mut spec = self.spec.clone();
        let canon =
            |r: &mut RuleSpec, c: &CompiledRule| r.when = c.compiled.canonical.as_str().to_string();
        for (r, c) in spec.exclusions.iter_mut().zip(&self.exclusions) {
            canon(r, c);
        }
        for (r, c) in spec.amnesty.iter_mut().zip(&self.amnesties) {
            r.when = c.compiled.canonical.as_str().to_string();
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
        toml::to_string(&spec)
    }

    /// The program as JSON (same structure as the TOML form).
    ///
    /// # Errors
    /// Fails only if the serializer refuses a value; a loaded program has none it refuses, so
    /// an error here is a bug worth reporting.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(&self.spec)
    }
}
