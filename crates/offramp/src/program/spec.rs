//! The file form of a program, as written in TOML or JSON: plain serde types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{Encounter, Offense, Pathway, Responder};
use crate::nibrs::CriminalActivity;
use crate::providers::ServiceKind;
use crate::vocab::vocabulary;

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
    /// Amnesties (`[[amnesty]]`): promises not to charge. Each `when` is read once per
    /// offence, with that offence's fields (`nibrs`, `level`, `activity`, ...) beside the
    /// encounter's; an offence for which it is true is not chargeable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amnesty: Vec<RuleSpec>,
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
    /// Whether the program still runs: `active` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProgramStatus>,
    /// The day the program ended, `YYYY-MM-DD`; required with `status = "ended"` and allowed
    /// only with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
}

vocabulary! {
    /// Whether a program still takes people.
    pub enum ProgramStatus: "program status" {
        /// The program runs today.
        Active = "active",
        /// The program has ended. Its rules are kept as they were, for the record and for
        /// simulation; every decision made under it carries a `program_ended` warning.
        Ended = "ended",
    }
}

/// State-law switches that change what responders may do. Each is readable in rules as
/// `law.NAME`; the first two change which offences are chargeable, as documented on each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LawSwitches {
    /// A Good Samaritan overdose law: when the encounter records an overdose, a drug or
    /// drug-equipment offence (`35A`, `35B`) is not chargeable, unless its recorded activity
    /// goes beyond possessing or using (selling, producing, transporting, ...). An offence
    /// with no activity recorded is taken as possession, the case these laws are about. The
    /// decision carries a `good_samaritan` warning.
    #[serde(default)]
    pub good_samaritan: bool,
    /// Officers may cite instead of arresting. Chargeability does not change; rules may read
    /// the switch.
    #[serde(default)]
    pub citation_authority: bool,
    /// Protective custody in place of a drunkenness charge: a `90E` offence is not chargeable,
    /// and the decision carries a `protective_custody` warning.
    #[serde(default)]
    pub protective_custody: bool,
    /// Emergency mental-health evaluation holds are available: a decision for a person in a
    /// mental-health crisis or at risk of suicide carries an `emergency_hold` warning.
    /// Chargeability does not change.
    #[serde(default)]
    pub emergency_mental_health_hold: bool,
}

/// Which state-law switch takes an offence out of reach of a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LawCover {
    /// Protective custody in place of a drunkenness charge.
    ProtectiveCustody,
    /// Good Samaritan immunity for possessing or using at an overdose.
    GoodSamaritan,
}

impl LawSwitches {
    /// The switch, if any, that makes `offence` of `enc` not chargeable (the infraction rule
    /// and the program's amnesties are apart). The router and the simulation both read it.
    pub(crate) fn covers(&self, enc: &Encounter, offence: &Offense) -> Option<LawCover> {
        if self.protective_custody && offence.nibrs.as_str() == "90E" {
            return Some(LawCover::ProtectiveCustody);
        }
        let beyond_use = offence
            .activity
            .iter()
            .any(|a| !matches!(a, CriminalActivity::Possessing | CriminalActivity::Using));
        (self.good_samaritan && enc.overdose.is_some() && offence.nibrs.is_drug() && !beyond_use)
            .then_some(LawCover::GoodSamaritan)
    }
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
