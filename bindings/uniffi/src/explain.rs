//! What explains a decision, as uniffi records: the evidence behind a reason (a tree in the
//! core, a list in pre-order here, since uniffi has no recursive records), the fields a
//! decision still needs, and traces.

use crate::enums::{Pathway, Truth};
use crate::error::OfframpError;
use crate::records::{Decision, text};

/// One offence of the encounter, as an explanation names it: by position and code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OffenseRef {
    /// Its position in the encounter's offences, from 0.
    pub index: u32,
    /// Its NIBRS code.
    pub nibrs: String,
    /// The code's name in the NIBRS table.
    pub name: String,
}

/// One clause of an explanation, with its result and what decided it. Evidence is a tree in
/// the core; here it is a list in pre-order, each item's `depth` saying how far below the
/// first it sits.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EvidenceItem {
    /// How deep in the tree: 0 for the clause a reason or trace names, 1 for its parts, ...
    pub depth: u32,
    /// The clause in canonical form, constants folded.
    pub clause: String,
    /// Its three-valued result.
    pub result: Truth,
    /// The field it compares or tests, when it reads one directly.
    pub field: Option<String>,
    /// The coded value it read (`16`, `73h`, `misdemeanor`); absent when not recorded.
    pub value: Option<String>,
    /// The limit a comparison holds the value to.
    pub limit: Option<String>,
    /// The offence it is about, inside a quantifier over offences.
    pub offense: Option<OffenseRef>,
    /// The history event it is about (position from 0), inside a quantifier over history.
    pub event: Option<u32>,
}

/// A field whose recording could change the decision, and what it would decide.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NeededInformation {
    /// The field as the encounter names it (`age`, `history`, `attributes.screened`,
    /// `offenses[0].activity`).
    pub field: String,
    /// Pathways whose eligibility it could decide.
    pub pathways: Vec<Pathway>,
    /// Exclusions it could decide, by id.
    pub exclusions: Vec<String>,
}

impl From<&offramp::NeededInformation> for NeededInformation {
    fn from(n: &offramp::NeededInformation) -> Self {
        let offramp::NeededInformation {
            field,
            pathways,
            exclusions,
        } = n;
        NeededInformation {
            field: text(field),
            pathways: pathways.iter().map(|p| (*p).into()).collect(),
            exclusions: exclusions.iter().map(text).collect(),
        }
    }
}

impl From<&NeededInformation> for offramp::NeededInformation {
    fn from(n: &NeededInformation) -> Self {
        let NeededInformation {
            field,
            pathways,
            exclusions,
        } = n;
        offramp::NeededInformation {
            field: field.as_str().into(),
            pathways: pathways.iter().map(|p| (*p).into()).collect(),
            exclusions: exclusions.iter().map(|x| x.as_str().into()).collect(),
        }
    }
}

impl From<&offramp::OffenseRef> for OffenseRef {
    fn from(o: &offramp::OffenseRef) -> Self {
        let offramp::OffenseRef { index, nibrs, name } = o;
        OffenseRef {
            index: *index,
            nibrs: nibrs.as_str().to_string(),
            name: text(name),
        }
    }
}

impl TryFrom<&OffenseRef> for offramp::OffenseRef {
    type Error = OfframpError;

    fn try_from(o: &OffenseRef) -> Result<Self, OfframpError> {
        let OffenseRef { index, nibrs, name } = o;
        Ok(offramp::OffenseRef {
            index: *index,
            nibrs: offramp::NibrsCode::parse(nibrs)
                .map_err(|e| OfframpError::argument("offense.nibrs", e.to_string()))?,
            name: name.as_str().into(),
        })
    }
}

/// The evidence tree as a list in pre-order.
pub(crate) fn flatten_evidence(e: &offramp::Evidence, depth: u32, out: &mut Vec<EvidenceItem>) {
    let offramp::Evidence {
        clause,
        result,
        field,
        value,
        limit,
        offense,
        event,
        parts,
    } = e;
    out.push(EvidenceItem {
        depth,
        clause: text(clause),
        result: (*result).into(),
        field: field.as_ref().map(text),
        value: value.as_ref().map(text),
        limit: limit.as_ref().map(text),
        offense: offense.as_ref().map(OffenseRef::from),
        event: *event,
    });
    for p in parts {
        flatten_evidence(p, depth.saturating_add(1), out);
    }
}

/// The evidence tree back from its pre-order list: the item at `*at` (of depth `depth`) and
/// the items below it. The list's depths bound the recursion; a list whose depths do not
/// describe one tree is refused.
pub(crate) fn unflatten_evidence(
    items: &[EvidenceItem],
    at: &mut usize,
    depth: u32,
) -> Result<offramp::Evidence, OfframpError> {
    let bad = || OfframpError::argument("evidence", "the items' depths do not describe one tree");
    let item = items.get(*at).ok_or_else(bad)?;
    if item.depth != depth || depth > 64 {
        return Err(bad());
    }
    *at = at.saturating_add(1);
    let mut parts = Vec::new();
    while items.get(*at).is_some_and(|n| n.depth > depth) {
        parts.push(unflatten_evidence(items, at, depth.saturating_add(1))?);
    }
    Ok(offramp::Evidence {
        clause: item.clause.as_str().into(),
        result: item.result.into(),
        field: item.field.as_deref().map(Into::into),
        value: item.value.as_deref().map(Into::into),
        limit: item.limit.as_deref().map(Into::into),
        offense: item
            .offense
            .as_ref()
            .map(offramp::OffenseRef::try_from)
            .transpose()?,
        event: item.event,
        parts,
    })
}

/// One rule, exclusion or amnesty of a trace, evaluated.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TracedRule {
    /// The rule's id.
    pub id: String,
    /// The whole rule's result.
    pub result: Truth,
    /// Each conjunct of the rule with everything below it, in pre-order: the conjuncts are
    /// the items of depth 0.
    pub clauses: Vec<EvidenceItem>,
}

/// One pathway of a trace.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TracedPathway {
    /// The pathway.
    pub pathway: Pathway,
    /// Whether it serves the encounter's responder (unknown when none was recorded).
    pub responder: Truth,
    /// Its own exclusions.
    pub exclusions: Vec<TracedRule>,
    /// Its rules, in order.
    pub rules: Vec<TracedRule>,
}

/// One offence of a trace: whether it is chargeable, and the amnesties evaluated for it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TracedOffense {
    /// The offence.
    pub offense: OffenseRef,
    /// Whether it is chargeable.
    pub chargeable: bool,
    /// The amnesties evaluated for it.
    pub amnesties: Vec<TracedRule>,
}

/// Everything the router evaluated for one encounter, with the decision: for program authors.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Trace {
    /// The decision, as `route` gives it.
    pub decision: Decision,
    /// Each offence.
    pub offenses: Vec<TracedOffense>,
    /// The program-wide exclusions.
    pub exclusions: Vec<TracedRule>,
    /// Each pathway, in the program's order.
    pub pathways: Vec<TracedPathway>,
    /// The trace as indented text, as `offramp explain --trace` prints it.
    pub text: String,
}

impl From<&offramp::TracedRule> for TracedRule {
    fn from(r: &offramp::TracedRule) -> Self {
        let offramp::TracedRule {
            id,
            result,
            clauses,
        } = r;
        let mut items = Vec::new();
        for c in clauses {
            flatten_evidence(c, 0, &mut items);
        }
        TracedRule {
            id: text(id),
            result: (*result).into(),
            clauses: items,
        }
    }
}

impl From<&offramp::Trace> for Trace {
    fn from(t: &offramp::Trace) -> Self {
        let offramp::Trace {
            decision,
            offenses,
            exclusions,
            pathways,
        } = t;
        Trace {
            decision: decision.into(),
            offenses: offenses
                .iter()
                .map(|o| TracedOffense {
                    offense: (&o.offense).into(),
                    chargeable: o.chargeable,
                    amnesties: o.amnesties.iter().map(TracedRule::from).collect(),
                })
                .collect(),
            exclusions: exclusions.iter().map(TracedRule::from).collect(),
            pathways: pathways
                .iter()
                .map(|p| TracedPathway {
                    pathway: p.pathway.into(),
                    responder: p.responder.into(),
                    exclusions: p.exclusions.iter().map(TracedRule::from).collect(),
                    rules: p.rules.iter().map(TracedRule::from).collect(),
                })
                .collect(),
            text: t.explain(),
        }
    }
}
