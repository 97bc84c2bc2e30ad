//! Checking a program's spec and compiling it: every problem found becomes a diagnostic.

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use super::{
    AttributeType, CODE, CompiledAmnesty, CompiledPathway, CompiledRule, Diagnostic,
    MAX_ERRORS_PER_RULE, MAX_RULES, MAX_TERM_DAYS, Program, ProgramSpec, RuleSpec,
};
use super::{ProgramInfo, ProgramStatus};
use crate::domain::{Pathway, Responder, closest, date_problem};
use crate::providers::model::{Needs, kind_bit, kind_words};
use crate::rules::compile::{AttrInfo, AttrKind, Env, Scope, compile_in, flatten_and};
use crate::rules::{self, ParseError, format_duration, parse_duration};
use crate::source::{LineIndex, SpanIndex, Syntax, offset_in_string, unquoted};
use crate::text::Text;

pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.'
        })
}

pub(super) const LAW_NAMES: [&str; 4] = [
    "good_samaritan",
    "citation_authority",
    "protective_custody",
    "emergency_mental_health_hold",
];

/// The text a spec was read from, to place diagnostics.
pub(super) struct Origin<'a> {
    pub(super) text: &'a Arc<str>,
    pub(super) syntax: Syntax,
}

/// Collects every problem found while checking a spec.
struct Builder<'a> {
    file: &'a str,
    /// None for a spec built in code: problems are then named by their key path.
    origin: Option<Origin<'a>>,
    diags: Vec<Diagnostic>,
    /// The text parsed for finding places, made on the first problem (a valid program never
    /// needs it) and kept for the others.
    spans: OnceCell<Option<SpanIndex<'a>>>,
    /// The text's line index, made on the first problem and kept for the others.
    lines: OnceCell<LineIndex>,
    /// What a program that loads should still change (`Program::warnings`).
    warnings: Vec<Diagnostic>,
}

impl<'a> Builder<'a> {
    /// A problem at `span` of the text, or named by `path` when there is no text.
    fn diagnostic_at(
        &self,
        path: &str,
        span: Option<Range<usize>>,
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let d = match &self.origin {
            Some(o) => Diagnostic::new(CODE, self.file, message).at_indexed(
                o.text,
                self.lines.get_or_init(|| LineIndex::new(o.text)),
                span.unwrap_or(0..0),
            ),
            None if path.is_empty() => Diagnostic::new(CODE, self.file, message),
            None => Diagnostic::new(CODE, self.file, format!("{path}: {message}")),
        };
        let d = d.with_help(help);
        if path.is_empty() {
            d
        } else {
            d.with_path(path)
        }
    }

    /// Where the value at `path` (its key, with `key`) is in the text.
    fn span(&self, path: &str, key: bool) -> Option<Range<usize>> {
        let o = self.origin.as_ref()?;
        if path.is_empty() {
            return None;
        }
        let text: &'a str = o.text;
        self.spans
            .get_or_init(|| SpanIndex::new(text, o.syntax))
            .as_ref()?
            .span(path, key)
    }

    /// Where the value or key at `path` is in the text, inside its quotes when it is a string.
    fn place(&self, path: &str, key: bool) -> Option<Range<usize>> {
        let o = self.origin.as_ref()?;
        Some(unquoted(o.text, self.span(path, key)?))
    }

    /// A problem with the value at `path`.
    fn error_at(&mut self, path: &str, message: String, help: Option<String>) {
        let d = self.diagnostic_at(path, self.place(path, false), message, help);
        self.diags.push(d);
    }

    /// A problem with the value at `path`, whose message names the path already.
    fn error_naming(&mut self, path: &str, message: String, help: Option<String>) {
        let d = self
            .diagnostic_at("", self.place(path, false), message, help)
            .with_path(path);
        self.diags.push(d);
    }

    /// A problem with the key at `path` (an attribute's name).
    fn error_at_key(&mut self, path: &str, message: String, help: Option<String>) {
        let d = self.diagnostic_at(path, self.place(path, true), message, help);
        self.diags.push(d);
    }

    /// Where the bytes `span` of a rule's text are in the file, given where its `when` value
    /// is (`when_span`); the whole value when the file cannot be read that finely.
    fn in_rule(
        &self,
        when: &str,
        when_span: Option<&Range<usize>>,
        span: Range<usize>,
    ) -> Option<Range<usize>> {
        match (&self.origin, when_span) {
            (Some(o), Some(at)) => {
                let literal = o.text.get(at.clone()).unwrap_or("");
                let place = |i| offset_in_string(literal, at.start, when, i);
                Some(place(span.start)..place(span.end))
            }
            _ => when_span.cloned(),
        }
    }

    /// Warns about a rule, exclusion or amnesty with a clause whose value is the same for
    /// every encounter (`law.good_samaritan` where the switch is off, `1 == 1`): a clause that
    /// is always false makes the whole rule so; one that is always true decides nothing, and
    /// when every clause is, the rule holds for everyone. One warning per rule, at the clause.
    fn constant_warning(
        &mut self,
        spec: &RuleSpec,
        expr: &rules::Expr,
        compiled: &rules::compile::Compiled,
        what: &str,
        when_path: &str,
    ) {
        // A rule written as just `true` is the documented way to admit everyone its
        // pathway's responders and exclusions allow: meant, not a mistake.
        if what == "rule" && matches!(expr.kind, rules::ExprKind::Lit(rules::Lit::Bool(true))) {
            return;
        }
        let constant = compiled.constant_parts();
        let Some(&(first, _)) = constant.first() else {
            return;
        };
        let mut conjuncts = Vec::new();
        flatten_and(expr, &mut conjuncts);
        let false_part = constant.iter().find(|(_, b)| !b).map(|(i, _)| *i);
        let all_true = false_part.is_none() && constant.len() == conjuncts.len();
        let (at, message, help) = match false_part {
            Some(i) => {
                let effect = match what {
                    "rule" => "so it never admits anyone",
                    "exclusion" => "so it never excludes anyone",
                    _ => "so it never applies",
                };
                (
                    i,
                    format!(
                        "{what} `{}` is always false: `{}` is false for every encounter, {effect}",
                        spec.id,
                        conjuncts
                            .get(i)
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    ),
                    "the clause reads nothing of the encounter; check the law switches, windows and constants it uses",
                )
            }
            None if all_true => {
                let effect = match what {
                    "rule" => {
                        "so it admits every encounter its pathway's responders and exclusions allow"
                    }
                    "exclusion" => "so it excludes every encounter",
                    _ => "so it makes every offence not chargeable",
                };
                (
                    first,
                    format!(
                        "{what} `{}` is always true: `{}` holds for every encounter, {effect}",
                        spec.id, expr
                    ),
                    "it reads nothing of the encounter; check the law switches, windows and constants it uses",
                )
            }
            None => (
                first,
                format!(
                    "in {what} `{}`, `{}` is always true, so it decides nothing",
                    spec.id,
                    conjuncts
                        .get(first)
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
                "remove the clause, or check the law switches, windows and constants it uses",
            ),
        };
        let span = if all_true {
            expr.span.clone()
        } else {
            conjuncts.get(at).map_or(0..0, |c| c.span.clone())
        };
        let when_span = self.span(when_path, false);
        let place = self.in_rule(&spec.when, when_span.as_ref(), span);
        let w = self
            .diagnostic_at(
                "",
                place,
                format!("{when_path}: {message}"),
                Some(help.into()),
            )
            .with_path(when_path);
        self.warnings.push(w);
    }

    fn rule(
        &mut self,
        spec: &RuleSpec,
        env: &Env,
        seen: &mut BTreeSet<String>,
        what: &str,
        path: &str,
    ) -> Option<(CompiledRule, bool)> {
        let scope = if what == "amnesty" {
            Scope::Amnesty
        } else {
            Scope::Encounter
        };
        if !valid_id(&spec.id) {
            self.error_at(
                &format!("{path}.id"),
                format!(
                    "{what} id `{}` must be lower-case letters, digits, `-`, `_` or `.`",
                    spec.id
                ),
                None,
            );
        }
        if !seen.insert(spec.id.clone()) {
            self.error_at(
                &format!("{path}.id"),
                format!("{what} id `{}` is used twice", spec.id),
                Some("give every rule its own id".into()),
            );
        }
        let when_path = format!("{path}.when");
        let result = rules::parse(&spec.when)
            .map_err(|e| vec![e])
            .and_then(|expr| compile_in(&expr, env, scope).map(|outcome| (expr, outcome)));
        match result {
            Ok((expr, outcome)) => {
                self.constant_warning(spec, &expr, &outcome.compiled, what, &when_path);
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
                            format!("{what} `{}` could not be checked", spec.id)
                        } else {
                            format!(
                                "{what} `{}` could not be checked: {} not recorded",
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
                let when_span = self.span(&when_path, false);
                let hidden = errors.len().saturating_sub(MAX_ERRORS_PER_RULE);
                for ParseError {
                    span,
                    message,
                    help,
                } in errors.into_iter().take(MAX_ERRORS_PER_RULE)
                {
                    let file_span = self.in_rule(&spec.when, when_span.as_ref(), span);
                    let d = self.diagnostic_at(
                        &when_path,
                        file_span,
                        format!("in {what} `{}`: {message}", spec.id),
                        help,
                    );
                    self.diags.push(d);
                }
                if hidden > 0 {
                    let d = self.diagnostic_at(
                        &when_path,
                        when_span.map(|at| at.end..at.end),
                        format!(
                            "in {what} `{}`: {hidden} more {} not shown",
                            spec.id,
                            if hidden == 1 { "error" } else { "errors" }
                        ),
                        Some(format!(
                            "at most {MAX_ERRORS_PER_RULE} errors are listed for one rule"
                        )),
                    );
                    self.diags.push(d);
                }
                None
            }
        }
    }
}

/// The declared attributes' names for the undeclared-attribute warning: program text, never
/// an encounter's.
/// The day an ended program ended: `status = "ended"` needs `ended`, and `ended` needs that
/// status, so a program is never half ended.
fn program_end(b: &mut Builder<'_>, info: &ProgramInfo) -> Option<chrono::NaiveDate> {
    let ended = info.status == Some(ProgramStatus::Ended);
    match (&info.ended, ended) {
        (None, false) => None,
        (None, true) => {
            b.error_at(
                "program.status",
                "an ended program needs the day it ended".into(),
                Some("add `ended = \"YYYY-MM-DD\"` to `[program]`".into()),
            );
            None
        }
        (Some(_), false) => {
            b.error_at(
                "program.ended",
                "`ended` is given, but the program's `status` is not `ended`".into(),
                Some("add `status = \"ended\"`, or remove `ended`".into()),
            );
            None
        }
        (Some(day), true) => match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d) => match date_problem(&d) {
                Some(problem) => {
                    b.error_at("program.ended", problem, None);
                    None
                }
                None => Some(d),
            },
            Err(_) => {
                b.error_at(
                    "program.ended",
                    format!("`{day}` is not a date"),
                    Some("write the day as \"YYYY-MM-DD\"".into()),
                );
                None
            }
        },
    }
}

fn declared_attributes(spec: &ProgramSpec) -> String {
    if spec.attributes.is_empty() {
        return "none".into();
    }
    let names: Vec<String> = spec.attributes.keys().map(|n| format!("`{n}`")).collect();
    names.join(", ")
}

/// How many rules and exclusions a spec has.
fn rule_total(spec: &ProgramSpec) -> usize {
    spec.exclusions
        .len()
        .saturating_add(spec.amnesty.len())
        .saturating_add(
            spec.pathways
                .iter()
                .map(|p| p.rules.len().saturating_add(p.exclusions.len()))
                .fold(0, usize::saturating_add),
        )
}

/// The key path of the first rule, exclusion or amnesty past [`MAX_RULES`], counted in the
/// order the program is checked (exclusions, each pathway's rules and exclusions, amnesties).
fn rule_beyond_limit(spec: &ProgramSpec) -> Option<String> {
    if rule_total(spec) <= MAX_RULES {
        return None;
    }
    let mut left = MAX_RULES;
    if spec.exclusions.len() > left {
        return Some(format!("exclusions[{left}]"));
    }
    left = left.saturating_sub(spec.exclusions.len());
    for (pi, p) in spec.pathways.iter().enumerate() {
        if p.rules.len() > left {
            return Some(format!("pathways[{pi}].rules[{left}]"));
        }
        left = left.saturating_sub(p.rules.len());
        if p.exclusions.len() > left {
            return Some(format!("pathways[{pi}].exclusions[{left}]"));
        }
        left = left.saturating_sub(p.exclusions.len());
    }
    if spec.amnesty.len() > left {
        return Some(format!("amnesty[{left}]"));
    }
    Some(String::new())
}

impl Program {
    /// Checks and compiles a spec; `origin` is the text it was read from, if any, to place
    /// the diagnostics.
    pub(super) fn build(
        spec: ProgramSpec,
        origin: Option<Origin<'_>>,
        name: &str,
    ) -> Result<Program, Vec<Diagnostic>> {
        let mut b = Builder {
            file: name,
            origin,
            diags: Vec::new(),
            spans: OnceCell::new(),
            lines: OnceCell::new(),
            warnings: Vec::new(),
        };
        // Everything below grows with the number of rules: refuse too many before any work.
        if let Some(path) = rule_beyond_limit(&spec) {
            b.error_naming(
                &path,
                format!(
                    "{path}: the program has {} rules and exclusions; at most {MAX_RULES} are allowed",
                    rule_total(&spec)
                ),
                Some("split the program".into()),
            );
            return Err(b.diags);
        }
        let info = &spec.program;
        if !valid_id(&info.id) {
            b.error_at(
                "program.id",
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
                    "program.timezone",
                    format!("`{}` is not an IANA time zone", info.timezone),
                    help,
                );
                Tz::UTC
            }
        };
        let ended = program_end(&mut b, info);
        let naloxone_window = match parse_duration(&spec.windows.naloxone_plus) {
            Ok(d) if d > MAX_TERM_DAYS * 86_400 => {
                b.error_at(
                    "windows.naloxone_plus",
                    format!("the Naloxone Plus window may be at most {MAX_TERM_DAYS} days"),
                    None,
                );
                0
            }
            Ok(d) if d > 0 => d,
            Ok(_) => {
                b.error_at(
                    "windows.naloxone_plus",
                    "the Naloxone Plus window must be longer than zero".into(),
                    None,
                );
                0
            }
            Err(e) => {
                b.error_naming(
                    "windows.naloxone_plus",
                    format!("windows.naloxone_plus: {}", e.message),
                    e.help,
                );
                0
            }
        };
        let charge_hold_term = match &spec.charge_hold {
            None => None,
            Some(ch) => match parse_duration(&ch.term) {
                Ok(d) if d > MAX_TERM_DAYS * 86_400 => {
                    b.error_at(
                        "charge_hold.term",
                        format!("the charge-hold term may be at most {MAX_TERM_DAYS} days"),
                        Some("a deadline further away than that cannot be dated".into()),
                    );
                    None
                }
                Ok(d) if d > 0 => Some(d),
                Ok(_) => {
                    b.error_at(
                        "charge_hold.term",
                        "the charge-hold term must be longer than zero".into(),
                        None,
                    );
                    None
                }
                Err(e) => {
                    b.error_naming(
                        "charge_hold.term",
                        format!("charge_hold.term: {}", e.message),
                        e.help,
                    );
                    None
                }
            },
        };
        let mut attrs = Vec::new();
        for (aname, a) in &spec.attributes {
            let apath = format!("attributes.{aname}");
            let ident_ok = aname
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && aname.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ident_ok {
                b.error_at_key(
                    &apath,
                    format!("attribute name `{aname}` must be letters, digits and `_`"),
                    None,
                );
            }
            match (a.ty, a.values.is_empty()) {
                (AttributeType::Enum, true) => b.error_at_key(
                    &apath,
                    format!("attribute `{aname}` is an enum but lists no `values`"),
                    Some("add `values = [\"low\", \"high\"]`".into()),
                ),
                (AttributeType::Enum, false) => {
                    let distinct: BTreeSet<&String> = a.values.iter().collect();
                    if distinct.len() != a.values.len() {
                        b.error_at_key(
                            &apath,
                            format!("attribute `{aname}` lists a value twice"),
                            None,
                        );
                    }
                    if a.values.len() > 64 {
                        b.error_at_key(
                            &apath,
                            format!("attribute `{aname}` has more than 64 values"),
                            None,
                        );
                    }
                }
                (_, false) => b.error_at_key(
                    &apath,
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
                reporting_only: a.reporting_only,
                protected: rules::protected_class(aname),
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
        for (i, ex) in spec.exclusions.iter().enumerate() {
            let path = format!("exclusions[{i}]");
            if let Some((r, _)) = b.rule(ex, &env, &mut seen_ids, "exclusion", &path) {
                exclusions.push(r);
            }
        }
        if spec.pathways.is_empty() {
            b.error_at(
                "",
                "the program offers no pathways".into(),
                Some("add a `[[pathways]]` table".into()),
            );
        }
        let mut seen_pathways = BTreeSet::new();
        let mut pathways = Vec::new();
        for (pi, p) in spec.pathways.iter().enumerate() {
            let pw_text = p.pathway.as_str();
            let pw_path = format!("pathways[{pi}]");
            let pw_name = format!("{pw_path}.pathway");
            if !seen_pathways.insert(p.pathway) {
                b.error_at(
                    &pw_name,
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
                            &pw_name,
                            format!("pathway `{pw_text}` lists no responders"),
                            None,
                        );
                    }
                }
                None => {
                    for r in Responder::ALL {
                        responders |= 1 << (r as u8);
                    }
                }
            }
            let oi = p.pathway == Pathway::OfficerIntervention;
            if oi {
                if let Some(list) = &p.responders {
                    for (ri, r) in list.iter().enumerate() {
                        if r.is_law_enforcement() {
                            continue;
                        }
                        b.error_at(
                            &format!("{pw_path}.responders[{ri}]"),
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
                    &pw_name,
                    format!("pathway `{pw_text}` holds charges, but the program has no `[charge_hold]` term"),
                    Some("add `[charge_hold]` with `term = \"90d\"`".into()),
                );
            }
            if p.rules.is_empty() {
                b.error_at(
                    &pw_name,
                    format!("pathway `{pw_text}` has no rules, so no one could ever be eligible"),
                    Some("add `[[pathways.rules]]` with an `id` and a `when`; `when = \"true\"` admits everyone".into()),
                );
            }
            let mut rules_c = Vec::new();
            for (ri, r) in p.rules.iter().enumerate() {
                let path = format!("{pw_path}.rules[{ri}]");
                if let Some((c, reads_responder)) = b.rule(r, &env, &mut seen_ids, "rule", &path) {
                    if oi && c.compiled.admits_only_without_charge() {
                        let when = format!("{path}.when");
                        let w = b.diagnostic_at(
                            &when,
                            b.place(&when, false),
                            format!(
                                "officer_intervention rule `{}` can only admit encounters with no chargeable offence, and officer intervention is never offered without one",
                                r.id
                            ),
                            Some("officer intervention holds or forgoes a charge; an encounter with nothing chargeable belongs on another pathway, such as `first_responder_referral`".into()),
                        );
                        b.warnings.push(w);
                    }
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
                                &format!("{path}.when"),
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
            for (ei, ex) in p.exclusions.iter().enumerate() {
                let path = format!("{pw_path}.exclusions[{ei}]");
                if let Some((c, _)) = b.rule(ex, &env, &mut seen_ids, "exclusion", &path) {
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
                            &format!("{pw_path}.providers.kinds"),
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
                            &format!("{pw_path}.providers.max_distance_km"),
                            format!(
                                "pathway `{pw_text}`: `max_distance_km` must be a positive number"
                            ),
                            None,
                        );
                    }
                    if n.limit == Some(0) {
                        b.error_at(
                            &format!("{pw_path}.providers.limit"),
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
        let mut amnesties = Vec::new();
        for (i, am) in spec.amnesty.iter().enumerate() {
            let path = format!("amnesty[{i}]");
            if let Some((r, _)) = b.rule(am, &env, &mut seen_ids, "amnesty", &path) {
                let because = match &am.because {
                    Some(words) => Text::pooled(words),
                    None => Text::pooled(&format!("`{}` holds", r.compiled.canonical)),
                };
                amnesties.push(CompiledAmnesty {
                    id: r.id,
                    compiled: r.compiled,
                    because,
                    unknown_warnings: r.unknown_warnings,
                });
            }
        }
        if let Some(area) = &spec.service_area
            && !(area.max_distance_km.is_finite() && area.max_distance_km > 0.0)
        {
            b.error_naming(
                "service_area.max_distance_km",
                "service_area.max_distance_km must be a positive number".into(),
                None,
            );
        }
        if !b.diags.is_empty() {
            b.diags.sort_by_key(|d| d.span.start);
            return Err(b.diags);
        }
        let warnings = b.warnings;
        let mut program = Program {
            id: Text::pooled(&spec.program.id),
            hash: Text::pooled(""),
            tz,
            env,
            charge_hold_term,
            charge_hold_text: charge_hold_term.map(|t| Text::pooled(&format_duration(t))),
            ended,
            ended_warning: ended.map(|day| {
                Text::pooled(&format!(
                    "this program ended on {day}: its rules are kept as they were and may not describe what is offered today"
                ))
            }),
            exclusions,
            amnesties,
            pathways,
            warnings,
            declared_attributes: Text::pooled(&declared_attributes(&spec)),
            spec,
        };
        // The hash is of the canonical text, so a program written differently but meaning the
        // same has the same hash. A writer failure would leave no honest hash: refuse the load.
        let canonical = program.to_toml().map_err(|e| {
            vec![Diagnostic::new(
                CODE,
                name,
                format!("the program could not be written in canonical form: {e}"),
            )]
        })?;
        program.hash = Text::pooled(&format!(
            "sha256:{:x}",
            Sha256::digest(canonical.as_bytes())
        ));
        Ok(program)
    }
}
