//! A trace: every rule, exclusion and amnesty of the program evaluated for one encounter, each
//! conjunct with its three-valued result and the values it read. For program authors
//! debugging a rule; routing itself never builds one.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ALL_RESPONDERS, Decision, Router};
use crate::domain::{Encounter, Pathway};
use crate::program::{CompiledAmnesty, CompiledRule};
use crate::rules::compile::explain::{Depth, evidence, offense_ref};
use crate::rules::compile::{Compiled, Ctx, Tri};
use crate::rules::{Evidence, OffenseRef, Truth};
use crate::text::Text;

/// One rule, exclusion or amnesty, evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TracedRule {
    /// The rule's id.
    pub id: Text,
    /// The whole rule's result.
    pub result: Truth,
    /// Each conjunct of the rule's top-level `and`, in order, with its result, the values it
    /// read and every part below it.
    pub clauses: Vec<Evidence>,
}

/// One pathway of the program, evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TracedPathway {
    /// The pathway.
    pub pathway: Pathway,
    /// Whether the pathway serves the encounter's responder: unknown when no responder was
    /// recorded and the pathway serves only some.
    pub responder: Truth,
    /// The pathway's own exclusions.
    pub exclusions: Vec<TracedRule>,
    /// The pathway's rules, in order; the first true one admits.
    pub rules: Vec<TracedRule>,
}

/// One offence, as the law and the program's amnesties left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TracedOffense {
    /// The offence.
    pub offense: OffenseRef,
    /// Whether it is chargeable, as routing decided it.
    pub chargeable: bool,
    /// Each amnesty's condition evaluated for this offence (empty for an offence that is not
    /// chargeable before any amnesty: an infraction, or one a state law covers).
    pub amnesties: Vec<TracedRule>,
}

/// Everything the router evaluated for one encounter, with the decision it came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trace {
    /// The decision, exactly as [`Router::route`] gives it.
    pub decision: Decision,
    /// Each offence's chargeability and the amnesties evaluated for it.
    pub offenses: Vec<TracedOffense>,
    /// The program-wide exclusions.
    pub exclusions: Vec<TracedRule>,
    /// Each pathway, in the program's order.
    pub pathways: Vec<TracedPathway>,
}

impl Trace {
    /// The trace as one line of JSON, fields in a fixed order.
    ///
    /// # Errors
    ///
    /// When a value cannot be written as JSON (a trace's types leave none).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

impl Trace {
    /// The trace as indented text for a program author: the decision's explanation, then each
    /// offence, exclusion and rule with its result, every clause below it with the value it
    /// read and its limit, and the offence or history event each item of a quantifier is
    /// about.
    pub fn explain(&self) -> String {
        let mut s = self.decision.explain();
        s.push_str("Trace:\n");
        if !self.offenses.is_empty() {
            s.push_str("  offences:\n");
            for o in &self.offenses {
                let _ = writeln!(
                    s,
                    "    {} ({}, {}): {}",
                    o.offense.index.saturating_add(1),
                    o.offense.nibrs,
                    o.offense.name,
                    if o.chargeable {
                        "chargeable"
                    } else {
                        "not chargeable"
                    }
                );
                for a in &o.amnesties {
                    write_rule(&mut s, "amnesty", a, 3);
                }
            }
        }
        if !self.exclusions.is_empty() {
            s.push_str("  program-wide:\n");
            for x in &self.exclusions {
                write_rule(&mut s, "exclusion", x, 2);
            }
        }
        for p in &self.pathways {
            let _ = writeln!(
                s,
                "  {} (serves the responder: {}):",
                p.pathway.as_str().replace('_', " "),
                p.responder
            );
            for x in &p.exclusions {
                write_rule(&mut s, "exclusion", x, 2);
            }
            for r in &p.rules {
                write_rule(&mut s, "rule", r, 2);
            }
        }
        s
    }
}

fn write_rule(s: &mut String, what: &str, r: &TracedRule, depth: usize) {
    let _ = writeln!(
        s,
        "{:w$}{what} `{}`: {}",
        "",
        r.id,
        r.result,
        w = depth.saturating_mul(2)
    );
    for c in &r.clauses {
        write_evidence(s, c, depth.saturating_add(1));
    }
}

fn write_evidence(s: &mut String, e: &Evidence, depth: usize) {
    let _ = write!(
        s,
        "{:w$}{:<7} ",
        "",
        e.result.as_str(),
        w = depth.saturating_mul(2)
    );
    if let Some(o) = &e.offense {
        let _ = write!(s, "offence {} ({}): ", o.index.saturating_add(1), o.nibrs);
    } else if let Some(i) = e.event {
        let _ = write!(s, "history event {}: ", i.saturating_add(1));
    }
    let _ = write!(s, "{}", e.clause);
    match (&e.value, &e.limit) {
        (Some(v), Some(l)) => {
            let _ = write!(s, "  [value {v}; limit {l}]");
        }
        (Some(v), None) => {
            let _ = write!(s, "  [value {v}]");
        }
        (None, Some(l)) if e.field.is_some() => {
            let _ = write!(s, "  [not recorded; limit {l}]");
        }
        (None, None) if e.field.is_some() && e.result == Truth::Unknown => {
            s.push_str("  [not recorded]");
        }
        _ => {}
    }
    s.push('\n');
    for p in &e.parts {
        write_evidence(s, p, depth.saturating_add(1));
    }
}

fn traced(id: &Text, c: &Compiled, ctx: &Ctx<'_>) -> TracedRule {
    let clauses: Vec<Evidence> = c
        .parts
        .iter()
        .map(|p| evidence(p, ctx, Depth::Trace))
        .collect();
    TracedRule {
        id: id.clone(),
        result: c.evaluate(ctx).0,
        clauses,
    }
}

fn traced_rules(rules: &[CompiledRule], ctx: &Ctx<'_>) -> Vec<TracedRule> {
    rules
        .iter()
        .map(|r| traced(&r.id, &r.compiled, ctx))
        .collect()
}

fn traced_amnesties(amnesties: &[CompiledAmnesty], ctx: &Ctx<'_>) -> Vec<TracedRule> {
    amnesties
        .iter()
        .map(|a| traced(&a.id, &a.compiled, ctx))
        .collect()
}

impl Router {
    /// Routes one encounter and traces every rule, exclusion and amnesty the program has, each
    /// conjunct with its result and the values it read. A trace costs many times a route: it
    /// is for a program author asking why, not for routing many encounters.
    ///
    /// ```
    /// # use offramp::{Encounter, Program, Router, Truth};
    /// # let program = Program::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/programs/qrt-hamilton-county.toml")).unwrap();
    /// let router = Router::new(program);
    /// let e = Encounter::from_json(r#"{"id":"e-7","at":"2026-03-09T10:00:00-05:00","responder":"peer",
    ///   "source":"overdose_follow_up","overdose":{"at":"2026-03-01T10:00:00-05:00","naloxone":true}}"#).unwrap();
    /// let trace = router.trace(&e);
    /// let rule = &trace.pathways[0].rules[0];
    /// assert_eq!(rule.result, Truth::False);
    /// let window = rule.clauses.iter().find(|c| c.clause.as_str().starts_with("since")).unwrap();
    /// assert_eq!(window.value.as_deref(), Some("8d"));
    /// assert_eq!(window.limit.as_deref(), Some("7d"));
    /// ```
    pub fn trace(&self, enc: &Encounter) -> Trace {
        let decision = self.route(enc);
        let p = &*self.program;
        let intercept = enc.derived_intercept();
        let chargeable = self.chargeable(enc, intercept, &mut Vec::new());
        let ctx = Ctx::new(enc, &p.env.attrs, intercept, p.tz, &chargeable);
        let law = &p.spec().law;
        let offenses = enc
            .offenses
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let amnesties = if o.level.is_chargeable() && law.covers(enc, o).is_none() {
                    let inner = Ctx {
                        offense: Some(o),
                        ..Ctx::new(enc, &p.env.attrs, intercept, p.tz, &[])
                    };
                    traced_amnesties(&p.amnesties, &inner)
                } else {
                    Vec::new()
                };
                TracedOffense {
                    offense: offense_ref(i, o),
                    chargeable: chargeable.get(i).copied().unwrap_or(false),
                    amnesties,
                }
            })
            .collect();
        let pathways = p
            .pathways
            .iter()
            .map(|pw| TracedPathway {
                pathway: pw.pathway,
                responder: match enc.responder {
                    Some(r) => {
                        if pw.responders & (1 << (r as u8)) == 0 {
                            Tri::False
                        } else {
                            Tri::True
                        }
                    }
                    None if pw.responders != ALL_RESPONDERS => Tri::Unknown,
                    None => Tri::True,
                },
                exclusions: traced_rules(&pw.exclusions, &ctx),
                rules: traced_rules(&pw.rules, &ctx),
            })
            .collect();
        Trace {
            decision,
            offenses,
            exclusions: traced_rules(&p.exclusions, &ctx),
            pathways,
        }
    }
}
