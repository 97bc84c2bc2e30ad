//! The router's answer: the decision record, its parts, and its explanation in sentences.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{Disposition, Intercept, InterceptBasis, Pathway};
use crate::providers::{ProviderGap, ProviderOption};
use crate::rules::Evidence;
use crate::text::{Text, short_time};
use crate::vocab::vocabulary;

/// Which program decided, and which version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProgramRef {
    /// The program's id.
    pub id: Text,
    /// The content hash of the compiled program.
    pub hash: Text,
}

/// Charges held in abeyance while the person follows the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChargeHold {
    /// The program's term, e.g. `90d`.
    pub term: Text,
    /// When the hold ends, in the program's time zone.
    pub deadline: DateTime<FixedOffset>,
}

/// A pathway this person is eligible for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EligiblePathway {
    /// The pathway.
    pub pathway: Pathway,
    /// 1 for the pathway to offer first.
    pub rank: u32,
    /// The id of the rule that admitted it.
    pub rule: Text,
    /// The charge hold, when the pathway holds charges and an offence is chargeable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_hold: Option<ChargeHold>,
    /// Partner services that fit this person, best first (present when the router has a
    /// directory and the program says what the pathway needs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<ProviderOption>>,
    /// Set when no partner can take the person now: the gap a program manager must see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_gap: Option<ProviderGap>,
}

/// Why a pathway does not apply: one rule or exclusion, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Reason {
    /// The id of the rule or exclusion.
    pub rule: Text,
    /// The clause that decided, in canonical form.
    pub clause: Text,
    /// The reason as a sentence, with the values and limits that decided.
    pub because: Text,
    /// What decided, as data: the clause's result, the coded value it read and the limit it
    /// compared it with, the offence or history event that decided a quantifier, and the
    /// failing parts below. Absent for reasons that are not a clause (a responder the pathway
    /// does not serve, an Officer Intervention with nothing chargeable).
    ///
    /// Held apart from the reason and shared: a program-wide exclusion gives every pathway
    /// the same reason, and its copies share one evidence record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Arc<Evidence>>,
}

/// A field whose recording could change the decision, and what it would decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NeededInformation {
    /// The field as the encounter names it: `age`, `consent`, `history`,
    /// `attributes.screened`, `offenses[0].activity`.
    pub field: Text,
    /// Pathways whose eligibility it could decide, in the program's order.
    pub pathways: Vec<Pathway>,
    /// Exclusions it could decide, by id (`declined`, `officer_intervention.violent`).
    pub exclusions: Vec<Text>,
}

impl NeededInformation {
    /// The pathways and exclusions this field decides, as words: `officer intervention and
    /// exclusion `declined``.
    pub fn decides(&self) -> String {
        let mut items: Vec<String> = self
            .pathways
            .iter()
            .map(|p| p.as_str().replace('_', " "))
            .collect();
        items.extend(self.exclusions.iter().map(|x| format!("exclusion `{x}`")));
        match items.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// A pathway the program offers that this person is not eligible for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IneligiblePathway {
    /// The pathway.
    pub pathway: Pathway,
    /// Why: every rule that failed (or the exclusion that applied).
    pub reasons: Vec<Reason>,
}

vocabulary! {
    /// The kind of a warning.
    pub enum WarningCode: "warning code" {
        /// An exclusion could not be checked because a field was not recorded.
        ExclusionUnknown = "exclusion_unknown",
        /// The encounter carries an attribute the program does not declare.
        AttributeUndeclared = "attribute_undeclared",
        /// An attribute's value has the wrong type for its declaration.
        AttributeType = "attribute_type",
        /// Good Samaritan immunity made a drug offence not chargeable.
        GoodSamaritan = "good_samaritan",
        /// A program amnesty made an offence not chargeable; the message names the amnesty.
        Amnesty = "amnesty",
        /// An amnesty could not be checked for an offence because a field was not recorded;
        /// the offence stays chargeable.
        AmnestyUnknown = "amnesty_unknown",
        /// An offence's recorded `violent` contradicts the code table; the recorded value is
        /// used.
        ViolenceContradictsCode = "violence_contradicts_code",
        /// Protective custody applies in place of a drunkenness charge.
        ProtectiveCustody = "protective_custody",
        /// An emergency mental-health evaluation may be needed.
        EmergencyHold = "emergency_hold",
        /// No responder was recorded, so responder-specific pathways could not be checked.
        ResponderUnknown = "responder_unknown",
        /// An eligible pathway has no partner that can take the person now.
        ProviderGap = "provider_gap",
        /// The program has ended (`status = "ended"`): its rules may not describe what is
        /// offered today.
        ProgramEnded = "program_ended",
    }
}

/// Something the person reading the decision should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    /// A stable code.
    pub code: WarningCode,
    /// The warning in words.
    pub message: Text,
}

/// The router's answer for one encounter: an audit record with stable field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    /// The encounter's pseudonymous id.
    pub encounter_id: String,
    /// The program that decided.
    pub program: ProgramRef,
    /// The Sequential Intercept point.
    pub intercept: Intercept,
    /// How the intercept was decided: given by the encounter, or read from who responded.
    pub intercept_basis: InterceptBasis,
    /// Deflection, pre-arrest diversion, or none.
    pub disposition: Disposition,
    /// Eligible pathways, best first.
    pub eligible: Vec<EligiblePathway>,
    /// Pathways offered by the program that do not apply, with reasons.
    pub ineligible: Vec<IneligiblePathway>,
    /// Things to know.
    pub warnings: Vec<Warning>,
    /// Fields not recorded whose recording could change the decision, most decisive first:
    /// what a field app should ask for next. Empty when the decision rests on recorded facts
    /// alone.
    pub needs_information: Vec<NeededInformation>,
}

impl Decision {
    /// Gives back the room its lists hold beyond their length, for a decision kept among
    /// many (a batch's).
    pub(crate) fn compact(&mut self) {
        self.eligible.shrink_to_fit();
        self.warnings.shrink_to_fit();
        self.needs_information.shrink_to_fit();
    }

    /// The decision as one line of JSON. Field order is fixed, so equal decisions give
    /// byte-identical text.
    ///
    /// # Errors
    ///
    /// When a value cannot be written as JSON. A decision's types leave no such value, but a
    /// failure would be returned here, never turned into an empty line.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// The time the providers were matched at, recovered from an open option (the encounter's
    /// time is not part of the record).
    fn encounter_at_hint(&self) -> Option<DateTime<FixedOffset>> {
        self.eligible
            .iter()
            .filter_map(|e| e.providers.as_ref())
            .flatten()
            .find(|o| o.open_now)
            .and_then(|o| o.next_open)
    }

    /// Reads a decision back from JSON.
    pub fn from_json(text: &str) -> Result<Decision, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The decision in plain sentences, for a person.
    ///
    /// ```
    /// # use offramp::{Program, Router, Encounter};
    /// # let program = Program::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/programs/qrt-hamilton-county.toml")).unwrap();
    /// let router = Router::new(program);
    /// let e = Encounter::from_json(r#"{"id":"e-7","at":"2026-03-02T10:00:00-05:00","responder":"peer",
    ///   "source":"overdose_follow_up","needs":["opioid_use"],
    ///   "overdose":{"at":"2026-03-01T10:00:00-05:00","naloxone":true}}"#).unwrap();
    /// let text = router.route(&e).explain();
    /// assert!(text.contains("naloxone plus"));
    /// ```
    pub fn explain(&self) -> String {
        let mut s = String::new();
        let disp = match self.disposition {
            Disposition::Deflection => "deflection: no chargeable offence, and a pathway applies",
            Disposition::PreArrestDiversion => {
                "pre-arrest diversion: a chargeable offence, routed around arrest"
            }
            Disposition::None => "no pathway applies",
        };
        let _ = writeln!(
            s,
            "Encounter {} under program {} at intercept {} ({}; {}): {}.",
            self.encounter_id,
            self.program.id,
            self.intercept.number(),
            self.intercept.name(),
            self.intercept_basis.describe(),
            disp
        );
        if !self.eligible.is_empty() {
            let _ = writeln!(s, "Eligible, in the order to offer them:");
            for e in &self.eligible {
                let _ = write!(
                    s,
                    "  {}. {}, admitted by rule `{}`",
                    e.rank,
                    e.pathway.as_str().replace('_', " "),
                    e.rule
                );
                if let Some(h) = &e.charge_hold {
                    let _ = write!(
                        s,
                        "; charges held for {} until {}",
                        h.term,
                        h.deadline.to_rfc3339()
                    );
                }
                let _ = writeln!(s, ".");
                if let Some(options) = &e.providers {
                    for (i, o) in options.iter().enumerate() {
                        let _ = writeln!(
                            s,
                            "     {}",
                            describe_option(i.saturating_add(1), o, &self.encounter_at_hint())
                        );
                    }
                }
                if let Some(g) = &e.provider_gap {
                    let _ = writeln!(s, "     Gap: {}.", g.message);
                }
            }
        }
        if !self.ineligible.is_empty() {
            let _ = writeln!(s, "Not eligible:");
            for i in &self.ineligible {
                let _ = writeln!(s, "  {}:", i.pathway.as_str().replace('_', " "));
                for r in &i.reasons {
                    let _ = writeln!(s, "    - {} (rule `{}`).", r.because, r.rule);
                }
            }
        }
        if !self.needs_information.is_empty() {
            let _ = writeln!(s, "To decide:");
            for n in &self.needs_information {
                let _ = writeln!(s, "  - Record `{}` to decide {}.", n.field, n.decides());
            }
        }
        if !self.warnings.is_empty() {
            let _ = writeln!(s, "Warnings:");
            for w in &self.warnings {
                let _ = writeln!(s, "  - {}", w.message);
            }
        }
        s
    }
}

/// One provider option as a sentence.
fn describe_option(n: usize, o: &ProviderOption, now: &Option<DateTime<FixedOffset>>) -> String {
    let mut parts: Vec<String> = Vec::new();
    match (o.open_now, o.open_until, o.next_open) {
        (true, Some(u), _) => parts.push(format!("open now until {}", short_time(&u, now))),
        (true, None, _) => {}
        (false, _, Some(t)) => parts.push(format!("closed, opens {}", short_time(&t, now))),
        (false, _, None) => {}
    }
    if let Some(d) = o.distance_km {
        parts.push(format!("{d:.1} km away"));
    }
    if let (Some(a), Some(unit)) = (o.available, &o.unit) {
        let unit = if a == 1 || unit.ends_with('s') {
            unit.to_string()
        } else {
            format!("{unit}s")
        };
        parts.push(format!("{a} {unit} available"));
    }
    parts.extend(o.reasons.iter().map(|r| r.to_string()));
    let site = o
        .site
        .as_ref()
        .map(|s| format!(", {s}"))
        .unwrap_or_default();
    format!(
        "{n}) {} ({}{site}): {}.",
        o.service,
        o.organization,
        parts.join("; ")
    )
}
