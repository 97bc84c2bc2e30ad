//! Checking a program's spec and compiling it: every problem found becomes a diagnostic.

use std::collections::BTreeSet;

use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use super::positions::Locator;
use super::{
    AttributeType, CompiledPathway, CompiledRule, Diagnostic, Program, ProgramSpec, RuleSpec,
};
use crate::domain::{Pathway, Responder, closest};
use crate::providers::model::{Needs, kind_bit, kind_words};
use crate::rules::compile::{AttrInfo, AttrKind, Env, always_protected, compile};
use crate::rules::{self, ParseError, format_duration, parse_duration};
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

pub(super) struct Builder<'a> {
    pub(super) file: &'a str,
    pub(super) loc: Locator<'a>,
    pub(super) diags: Vec<Diagnostic>,
}

impl Builder<'_> {
    pub(super) fn error_at(&mut self, text: &str, message: String, help: Option<String>) {
        let placed = self.loc.place(text);
        let span = if placed.found {
            placed.base..placed.file_offset(text.len())
        } else {
            0..0
        };
        let d = self.loc.diagnostic(self.file, span, message, help);
        self.diags.push(d);
    }

    pub(super) fn rule(
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
    pub(super) fn build(
        spec: ProgramSpec,
        text: &str,
        name: &str,
    ) -> Result<Program, Vec<Diagnostic>> {
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
}
