//! Encounters and decisions as uniffi records, converted to and from the core's types.
//!
//! Times cross as each platform's own types; `time.rs` says how, and where the UTC offset is
//! kept beside an instant.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use chrono::FixedOffset;
use offramp::Text;

use crate::enums::{
    Consent, CriminalActivity, Disposition, DrugType, DrugUnit, Flag, HistoryKind, Intercept,
    InterceptBasis, Level, Need, Pathway, Responder, Source, WarningCode, Willing,
};
use crate::error::{OfframpError, guard};
use crate::explain::{EvidenceItem, NeededInformation, flatten_evidence, unflatten_evidence};
use crate::time::{
    CalendarDay, DefaultZone, ZonedTime, instant, offset_seconds, opt_to_core, opt_zoned, zoned,
};

pub(crate) fn encounter_error(field: String, detail: String) -> OfframpError {
    OfframpError::encounter(field, detail)
}

pub(crate) fn argument_error(field: String, detail: String) -> OfframpError {
    OfframpError::argument(field, detail)
}

/// A recent overdose.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Overdose {
    /// When it happened (in the encounter's UTC offset).
    pub at: SystemTime,
    /// Whether naloxone was given.
    #[uniffi(default)]
    pub naloxone: bool,
}

/// One offence that could be charged, as a NIBRS code with its level and, when recorded, the
/// facts NIBRS keeps beside the code.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Offense {
    /// The FBI NIBRS offence code, such as `35A`; checked against the shipped table.
    pub nibrs: String,
    /// Infraction, misdemeanour or felony.
    pub level: Level,
    /// Whether violence was involved; when absent, the code table's reading of the code.
    #[uniffi(default)]
    pub violent: Option<bool>,
    /// What the person was doing (NIBRS type of criminal activity, up to three); empty when
    /// not recorded.
    #[uniffi(default)]
    pub activity: Vec<CriminalActivity>,
    /// The suspected drug types (up to three); empty when not recorded.
    #[uniffi(default)]
    pub drug_types: Vec<DrugType>,
    /// The estimated drug quantity, when recorded.
    #[uniffi(default)]
    pub quantity: Option<DrugQuantity>,
}

/// An estimated drug quantity: an amount and its NIBRS unit.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct DrugQuantity {
    /// How much, in `unit`: a number from 0 up.
    pub amount: f64,
    /// The unit.
    pub unit: DrugUnit,
}

/// One earlier event in the person's history.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HistoryEvent {
    /// What happened.
    pub kind: HistoryKind,
    /// The day it happened (`LocalDate` in Kotlin, `YYYY-MM-DD` in Swift).
    pub date: CalendarDay,
    /// The offence's NIBRS code, for an arrest, charge or conviction.
    #[uniffi(default)]
    pub nibrs: Option<String>,
    /// The offence's level, for an arrest, charge or conviction.
    #[uniffi(default)]
    pub level: Option<Level>,
}

impl From<&offramp::HistoryEvent> for HistoryEvent {
    fn from(e: &offramp::HistoryEvent) -> Self {
        let offramp::HistoryEvent {
            kind,
            date,
            nibrs,
            level,
        } = e;
        HistoryEvent {
            kind: (*kind).into(),
            date: CalendarDay(date.to_string()),
            nibrs: nibrs.map(|n| n.as_str().to_string()),
            level: level.map(Into::into),
        }
    }
}

impl HistoryEvent {
    /// The core's event; `index` is its place in the history, for the error.
    fn to_core(&self, index: usize) -> Result<offramp::HistoryEvent, OfframpError> {
        let HistoryEvent {
            kind,
            date,
            nibrs,
            level,
        } = self;
        Ok(offramp::HistoryEvent {
            kind: (*kind).into(),
            date: date.0.trim().parse().map_err(|_| {
                OfframpError::encounter(
                    format!("history[{index}].date"),
                    "expected a day as YYYY-MM-DD".to_string(),
                )
            })?,
            nibrs: nibrs
                .as_deref()
                .map(|n| {
                    offramp::NibrsCode::parse(n).map_err(|err| {
                        OfframpError::encounter(
                            format!("history[{index}].nibrs"),
                            err.message_without_value().to_string(),
                        )
                    })
                })
                .transpose()?,
            level: level.map(Into::into),
        })
    }
}

/// Where the encounter took place (WGS 84 degrees).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Location {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub lon: f64,
}

/// The value of an agency-declared extra attribute.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AttributeValue {
    /// true or false.
    Bool {
        /// The value.
        value: bool,
    },
    /// A whole number.
    Int {
        /// The value.
        value: i64,
    },
    /// A decimal number.
    Number {
        /// The value.
        value: f64,
    },
    /// Text, or the name of an enum value.
    Text {
        /// The value.
        value: String,
    },
}

impl From<&offramp::AttributeValue> for AttributeValue {
    fn from(v: &offramp::AttributeValue) -> Self {
        use offramp::AttributeValue as A;
        match v {
            A::Bool(value) => AttributeValue::Bool { value: *value },
            A::Int(value) => AttributeValue::Int { value: *value },
            A::Number(value) => AttributeValue::Number { value: *value },
            A::Text(value) => AttributeValue::Text {
                value: value.clone(),
            },
        }
    }
}

impl From<&AttributeValue> for offramp::AttributeValue {
    fn from(v: &AttributeValue) -> Self {
        use offramp::AttributeValue as A;
        match v {
            AttributeValue::Bool { value } => A::Bool(*value),
            AttributeValue::Int { value } => A::Int(*value),
            AttributeValue::Number { value } => A::Number(*value),
            AttributeValue::Text { value } => A::Text(value.clone()),
        }
    }
}

/// What is known at the point of contact. The id is pseudonymous: offramp never needs a name.
/// Only `id` and `at` are required.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Encounter {
    /// A pseudonymous identifier, echoed in the decision.
    pub id: String,
    /// When the contact happened.
    pub at: SystemTime,
    /// The UTC offset where it happened, in seconds east of UTC (-28,800 for UTC-8). It sets
    /// the encounter's own calendar day, against which history dates are checked, and is kept
    /// in the decision's record. When absent: the program's zone at that instant when
    /// routing, UTC otherwise.
    #[uniffi(default)]
    pub utc_offset_seconds: Option<i32>,
    /// Who is on scene.
    #[uniffi(default)]
    pub responder: Option<Responder>,
    /// How the contact came about.
    #[uniffi(default)]
    pub source: Option<Source>,
    /// What the person may need.
    #[uniffi(default)]
    pub needs: Vec<Need>,
    /// A recent overdose, if any.
    #[uniffi(default)]
    pub overdose: Option<Overdose>,
    /// Offences that could be charged.
    #[uniffi(default)]
    pub offenses: Vec<Offense>,
    /// Facts on scene that bear on eligibility.
    #[uniffi(default)]
    pub flags: Vec<Flag>,
    /// Age in years.
    #[uniffi(default)]
    pub age: Option<u16>,
    /// Preferred language: an ISO 639 code (`spa`, `es`) or English name (`Spanish`), read
    /// as its ISO 639-3 code.
    #[uniffi(default)]
    pub language: Option<String>,
    /// Consent to share information, as recorded.
    #[uniffi(default)]
    pub consent: Option<Consent>,
    /// The person's stated willingness to engage (not the same as consent).
    #[uniffi(default)]
    pub willing: Option<Willing>,
    /// The person's earlier events; None when not recorded, an empty list for none.
    #[uniffi(default)]
    pub history: Option<Vec<HistoryEvent>>,
    /// Where the contact happened.
    #[uniffi(default)]
    pub location: Option<Location>,
    /// The intercept, for programs in jails, courts, reentry or probation; derived when absent.
    #[uniffi(default)]
    pub intercept: Option<Intercept>,
    /// Extra attributes the program declares.
    #[uniffi(default)]
    pub attributes: HashMap<String, AttributeValue>,
}

// Every conversion below names each field twice: once when it takes the source record apart
// (an exhaustive `let Struct { .. }` with no rest pattern) and once when it builds the target
// (a struct literal). A field added to either side, in the core or here, stops this file from
// compiling until the conversion handles it.

impl From<&offramp::Overdose> for Overdose {
    fn from(o: &offramp::Overdose) -> Self {
        let offramp::Overdose { at, naloxone } = o;
        Overdose {
            at: instant(at),
            naloxone: *naloxone,
        }
    }
}

impl Overdose {
    /// The core's overdose, its time in the encounter's `offset`.
    fn to_core(&self, offset: FixedOffset) -> Result<offramp::Overdose, OfframpError> {
        let Overdose { at, naloxone } = self;
        let at = zoned(
            "overdose.at",
            *at,
            "utc_offset_seconds",
            Some(offset.local_minus_utc()),
            DefaultZone::Utc,
            encounter_error,
        )?;
        Ok(offramp::Overdose {
            at,
            naloxone: *naloxone,
        })
    }
}

impl From<&offramp::Offense> for Offense {
    fn from(o: &offramp::Offense) -> Self {
        let offramp::Offense {
            nibrs,
            level,
            violent,
            activity,
            drug_types,
            quantity,
        } = o;
        Offense {
            nibrs: nibrs.as_str().to_string(),
            level: (*level).into(),
            violent: *violent,
            activity: activity.iter().map(|a| (*a).into()).collect(),
            drug_types: drug_types.iter().map(|d| (*d).into()).collect(),
            quantity: quantity.map(|q| {
                let offramp::domain::DrugQuantity { amount, unit } = q;
                DrugQuantity {
                    amount,
                    unit: unit.into(),
                }
            }),
        }
    }
}

impl Offense {
    /// The core's offence; `index` is the offence's place in the encounter, for the error.
    fn to_core(&self, index: usize) -> Result<offramp::Offense, OfframpError> {
        let Offense {
            nibrs,
            level,
            violent,
            activity,
            drug_types,
            quantity,
        } = self;
        Ok(offramp::Offense {
            nibrs: offramp::NibrsCode::parse(nibrs).map_err(|err| {
                OfframpError::encounter(
                    format!("offenses[{index}].nibrs"),
                    err.message_without_value().to_string(),
                )
            })?,
            level: (*level).into(),
            violent: *violent,
            activity: activity.iter().map(|a| (*a).into()).collect(),
            drug_types: drug_types.iter().map(|d| (*d).into()).collect(),
            quantity: quantity.map(|q| {
                let DrugQuantity { amount, unit } = q;
                offramp::domain::DrugQuantity {
                    amount,
                    unit: unit.into(),
                }
            }),
        })
    }
}

impl From<offramp::Location> for Location {
    fn from(l: offramp::Location) -> Self {
        let offramp::Location { lat, lon } = l;
        Location { lat, lon }
    }
}

impl From<Location> for offramp::Location {
    fn from(l: Location) -> Self {
        let Location { lat, lon } = l;
        offramp::Location { lat, lon }
    }
}

impl TryFrom<&Encounter> for offramp::Encounter {
    type Error = OfframpError;

    /// The encounter outside any program: with no offset given, its time is in UTC.
    fn try_from(e: &Encounter) -> Result<Self, OfframpError> {
        e.to_core(DefaultZone::Utc)
    }
}

impl Encounter {
    /// Checks the record as `Encounter::from_json` checks JSON: times, NIBRS codes, and the
    /// core's own validation. Without `utc_offset_seconds`, the offset comes from `zone`.
    pub(crate) fn to_core(&self, zone: DefaultZone) -> Result<offramp::Encounter, OfframpError> {
        let Encounter {
            id,
            at,
            utc_offset_seconds,
            responder,
            source,
            needs,
            overdose,
            offenses,
            flags,
            age,
            language,
            consent,
            willing,
            history,
            location,
            intercept,
            attributes,
        } = self;
        let at = zoned(
            "at",
            *at,
            "utc_offset_seconds",
            *utc_offset_seconds,
            zone,
            encounter_error,
        )?;
        let enc = offramp::Encounter {
            id: id.clone(),
            at,
            responder: responder.map(Into::into),
            source: source.map(Into::into),
            needs: needs.iter().map(|&n| n.into()).collect(),
            overdose: overdose
                .as_ref()
                .map(|o| o.to_core(*at.offset()))
                .transpose()?,
            offenses: offenses
                .iter()
                .enumerate()
                .map(|(i, o)| o.to_core(i))
                .collect::<Result<_, _>>()?,
            flags: flags.iter().map(|&f| f.into()).collect(),
            age: *age,
            language: language
                .as_deref()
                .map(offramp::Language::parse)
                .transpose()
                .map_err(|err| OfframpError::encounter("language", err.to_string()))?,
            consent: consent.map(Into::into),
            willing: willing.map(Into::into),
            history: history
                .as_ref()
                .map(|h| {
                    h.iter()
                        .enumerate()
                        .map(|(i, e)| e.to_core(i))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            location: location.map(Into::into),
            intercept: intercept.map(Into::into),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.into()))
                .collect::<BTreeMap<_, _>>(),
        };
        enc.validate()?;
        Ok(enc)
    }
}

impl From<&offramp::Encounter> for Encounter {
    fn from(e: &offramp::Encounter) -> Self {
        let offramp::Encounter {
            id,
            at,
            responder,
            source,
            needs,
            overdose,
            offenses,
            flags,
            age,
            language,
            consent,
            willing,
            history,
            location,
            intercept,
            attributes,
        } = e;
        Encounter {
            id: id.clone(),
            at: instant(at),
            utc_offset_seconds: Some(offset_seconds(at)),
            responder: responder.map(Into::into),
            source: source.map(Into::into),
            needs: needs.iter().map(|&n| n.into()).collect(),
            overdose: overdose.as_ref().map(Overdose::from),
            offenses: offenses.iter().map(Offense::from).collect(),
            flags: flags.iter().map(|&f| f.into()).collect(),
            age: *age,
            language: language.map(|l| l.as_str().to_string()),
            consent: consent.map(Into::into),
            willing: willing.map(Into::into),
            history: history
                .as_ref()
                .map(|h| h.iter().map(HistoryEvent::from).collect()),
            location: location.map(Into::into),
            intercept: intercept.map(Into::into),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.into()))
                .collect(),
        }
    }
}

#[uniffi::export]
impl Encounter {
    /// The encounter as one line of the core's JSON (checked first, as routing would).
    pub fn to_json(&self) -> Result<String, OfframpError> {
        guard("Encounter.to_json", || {
            Ok(offramp::Encounter::try_from(self)?.to_json()?)
        })
    }

    /// The intercept: the encounter's own, or derived from who responded and how.
    pub fn derived_intercept(&self) -> Result<Intercept, OfframpError> {
        guard("Encounter.derived_intercept", || {
            Ok(offramp::Encounter::try_from(self)?
                .derived_intercept()
                .into())
        })
    }
}

/// Reads one encounter from the core's JSON form. Errors name the field, and the line and
/// column in the text.
#[uniffi::export]
pub fn encounter_from_json(json: String) -> Result<Encounter, OfframpError> {
    guard("encounter_from_json", || {
        Ok(Encounter::from(&offramp::Encounter::from_json(&json)?))
    })
}

/// Which program decided, and which version of it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProgramRef {
    /// The program's id.
    pub id: String,
    /// The content hash of the compiled program (`sha256:...`).
    pub hash: String,
}

/// Charges held in abeyance while the person follows the plan.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChargeHold {
    /// The program's term, e.g. `90d`.
    pub term: String,
    /// When the hold ends, on the program's clock.
    pub deadline: ZonedTime,
}

/// A partner service that fits this person, as offered in a decision.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProviderOption {
    /// The HSDS service id.
    pub service_id: String,
    /// The service's name.
    pub service: String,
    /// The organization's name.
    pub organization: String,
    /// The site (location) offered, when the service has places.
    pub site: Option<String>,
    /// Whether it is open at the encounter's time.
    pub open_now: bool,
    /// When the current opening ends, on the service's clock (none when closed, or open with
    /// no end in sight).
    pub open_until: Option<ZonedTime>,
    /// When it next opens, on the service's clock (the encounter's time when open now; none
    /// when unknown).
    pub next_open: Option<ZonedTime>,
    /// Great-circle distance from the encounter, in km (none when either place is unknown).
    pub distance_km: Option<f64>,
    /// Places free now, when reported.
    pub available: Option<u32>,
    /// What a place is (`bed`, `slot`), when capacity is reported.
    pub unit: Option<String>,
    /// Whether the program names this organization or service as a preferred partner.
    pub preferred_partner: bool,
    /// Why it was chosen, in words.
    pub reasons: Vec<String>,
}

/// An eligible pathway that no partner can take the person on now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProviderGap {
    /// The gap in words.
    pub message: String,
    /// The next time a fitting service opens, when one does within a year.
    pub next_open: Option<ZonedTime>,
}

/// A pathway this person is eligible for.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EligiblePathway {
    /// The pathway.
    pub pathway: Pathway,
    /// 1 for the pathway to offer first.
    pub rank: u32,
    /// The id of the rule that admitted it.
    pub rule: String,
    /// The charge hold, when the pathway holds charges and an offence is chargeable.
    pub charge_hold: Option<ChargeHold>,
    /// Partner services that fit this person, best first (present when the router has a
    /// directory and the program says what the pathway needs).
    pub providers: Option<Vec<ProviderOption>>,
    /// Set when no partner can take the person now.
    pub provider_gap: Option<ProviderGap>,
}

/// Why a pathway does not apply: one rule or exclusion, in words.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Reason {
    /// The id of the rule or exclusion.
    pub rule: String,
    /// The clause that decided, in canonical form.
    pub clause: String,
    /// The reason as a sentence, with the values and limits that decided.
    pub because: String,
    /// What decided, as data: the evidence tree in pre-order, each item with its `depth`
    /// (0 for the clause itself); empty for a reason that is not a clause.
    pub evidence: Vec<EvidenceItem>,
}

/// A pathway the program offers that this person is not eligible for.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IneligiblePathway {
    /// The pathway.
    pub pathway: Pathway,
    /// Why: every rule that failed (or the exclusion that applied).
    pub reasons: Vec<Reason>,
}

/// Something the person reading the decision should know.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Warning {
    /// A stable code.
    pub code: WarningCode,
    /// The warning in words.
    pub message: String,
}

/// The router's answer for one encounter: an audit record, with the same fields as the
/// core's JSON decision.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Decision {
    /// The encounter's pseudonymous id.
    pub encounter_id: String,
    /// The program that decided.
    pub program: ProgramRef,
    /// The Sequential Intercept point.
    pub intercept: Intercept,
    /// Deflection, pre-arrest diversion, or none.
    pub disposition: Disposition,
    /// Eligible pathways, best first.
    pub eligible: Vec<EligiblePathway>,
    /// Pathways offered by the program that do not apply, with reasons.
    pub ineligible: Vec<IneligiblePathway>,
    /// Things to know.
    pub warnings: Vec<Warning>,
    /// How the intercept was decided.
    pub intercept_basis: InterceptBasis,
    /// Fields not recorded whose recording could change the decision, most decisive first.
    pub needs_information: Vec<NeededInformation>,
}

pub(crate) fn text(t: &Text) -> String {
    t.as_str().to_string()
}

impl From<&offramp::ProgramRef> for ProgramRef {
    fn from(p: &offramp::ProgramRef) -> Self {
        let offramp::ProgramRef { id, hash } = p;
        ProgramRef {
            id: text(id),
            hash: text(hash),
        }
    }
}

impl From<&ProgramRef> for offramp::ProgramRef {
    fn from(p: &ProgramRef) -> Self {
        let ProgramRef { id, hash } = p;
        offramp::ProgramRef {
            id: id.as_str().into(),
            hash: hash.as_str().into(),
        }
    }
}

impl From<&offramp::ChargeHold> for ChargeHold {
    fn from(h: &offramp::ChargeHold) -> Self {
        let offramp::ChargeHold { term, deadline } = h;
        ChargeHold {
            term: text(term),
            deadline: deadline.into(),
        }
    }
}

impl TryFrom<&ChargeHold> for offramp::ChargeHold {
    type Error = OfframpError;

    fn try_from(h: &ChargeHold) -> Result<Self, OfframpError> {
        let ChargeHold { term, deadline } = h;
        Ok(offramp::ChargeHold {
            term: term.as_str().into(),
            deadline: deadline.to_core("charge_hold.deadline", argument_error)?,
        })
    }
}

impl From<&offramp::providers::ProviderOption> for ProviderOption {
    fn from(o: &offramp::providers::ProviderOption) -> Self {
        let offramp::providers::ProviderOption {
            service_id,
            service,
            organization,
            site,
            open_now,
            open_until,
            next_open,
            distance_km,
            available,
            unit,
            preferred_partner,
            reasons,
        } = o;
        ProviderOption {
            service_id: text(service_id),
            service: text(service),
            organization: text(organization),
            site: site.as_ref().map(text),
            open_now: *open_now,
            open_until: opt_zoned(open_until),
            next_open: opt_zoned(next_open),
            distance_km: *distance_km,
            available: *available,
            unit: unit.as_ref().map(text),
            preferred_partner: *preferred_partner,
            reasons: reasons.iter().map(text).collect(),
        }
    }
}

impl TryFrom<&ProviderOption> for offramp::providers::ProviderOption {
    type Error = OfframpError;

    fn try_from(o: &ProviderOption) -> Result<Self, OfframpError> {
        let ProviderOption {
            service_id,
            service,
            organization,
            site,
            open_now,
            open_until,
            next_open,
            distance_km,
            available,
            unit,
            preferred_partner,
            reasons,
        } = o;
        Ok(offramp::providers::ProviderOption {
            service_id: service_id.as_str().into(),
            service: service.as_str().into(),
            organization: organization.as_str().into(),
            site: site.as_deref().map(Into::into),
            open_now: *open_now,
            open_until: opt_to_core("providers.open_until", open_until, argument_error)?,
            next_open: opt_to_core("providers.next_open", next_open, argument_error)?,
            distance_km: *distance_km,
            available: *available,
            unit: unit.as_deref().map(Into::into),
            preferred_partner: *preferred_partner,
            reasons: reasons.iter().map(|r| r.as_str().into()).collect(),
        })
    }
}

impl From<&offramp::providers::ProviderGap> for ProviderGap {
    fn from(g: &offramp::providers::ProviderGap) -> Self {
        let offramp::providers::ProviderGap { message, next_open } = g;
        ProviderGap {
            message: text(message),
            next_open: opt_zoned(next_open),
        }
    }
}

impl TryFrom<&ProviderGap> for offramp::providers::ProviderGap {
    type Error = OfframpError;

    fn try_from(g: &ProviderGap) -> Result<Self, OfframpError> {
        let ProviderGap { message, next_open } = g;
        Ok(offramp::providers::ProviderGap {
            message: message.as_str().into(),
            next_open: opt_to_core("provider_gap.next_open", next_open, argument_error)?,
        })
    }
}

impl From<&offramp::EligiblePathway> for EligiblePathway {
    fn from(e: &offramp::EligiblePathway) -> Self {
        let offramp::EligiblePathway {
            pathway,
            rank,
            rule,
            charge_hold,
            providers,
            provider_gap,
        } = e;
        EligiblePathway {
            pathway: (*pathway).into(),
            rank: *rank,
            rule: text(rule),
            charge_hold: charge_hold.as_ref().map(ChargeHold::from),
            providers: providers
                .as_ref()
                .map(|ps| ps.iter().map(ProviderOption::from).collect()),
            provider_gap: provider_gap.as_ref().map(ProviderGap::from),
        }
    }
}

impl TryFrom<&EligiblePathway> for offramp::EligiblePathway {
    type Error = OfframpError;

    fn try_from(e: &EligiblePathway) -> Result<Self, OfframpError> {
        let EligiblePathway {
            pathway,
            rank,
            rule,
            charge_hold,
            providers,
            provider_gap,
        } = e;
        Ok(offramp::EligiblePathway {
            pathway: (*pathway).into(),
            rank: *rank,
            rule: rule.as_str().into(),
            charge_hold: charge_hold
                .as_ref()
                .map(offramp::ChargeHold::try_from)
                .transpose()?,
            providers: providers
                .as_ref()
                .map(|ps| {
                    ps.iter()
                        .map(offramp::providers::ProviderOption::try_from)
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            provider_gap: provider_gap
                .as_ref()
                .map(offramp::providers::ProviderGap::try_from)
                .transpose()?,
        })
    }
}

impl From<&offramp::Reason> for Reason {
    fn from(r: &offramp::Reason) -> Self {
        let offramp::Reason {
            rule,
            clause,
            because,
            evidence,
        } = r;
        let mut items = Vec::new();
        if let Some(e) = evidence {
            flatten_evidence(e, 0, &mut items);
        }
        Reason {
            rule: text(rule),
            clause: text(clause),
            because: text(because),
            evidence: items,
        }
    }
}

impl TryFrom<&Reason> for offramp::Reason {
    type Error = OfframpError;

    fn try_from(r: &Reason) -> Result<Self, OfframpError> {
        let Reason {
            rule,
            clause,
            because,
            evidence,
        } = r;
        let evidence = if evidence.is_empty() {
            None
        } else {
            let mut at = 0;
            let tree = unflatten_evidence(evidence, &mut at, 0)?;
            if at != evidence.len() {
                return Err(OfframpError::argument(
                    "evidence",
                    "the items' depths do not describe one tree",
                ));
            }
            Some(std::sync::Arc::new(tree))
        };
        Ok(offramp::Reason {
            rule: rule.as_str().into(),
            clause: clause.as_str().into(),
            because: because.as_str().into(),
            evidence,
        })
    }
}

impl From<&offramp::IneligiblePathway> for IneligiblePathway {
    fn from(i: &offramp::IneligiblePathway) -> Self {
        let offramp::IneligiblePathway { pathway, reasons } = i;
        IneligiblePathway {
            pathway: (*pathway).into(),
            reasons: reasons.iter().map(Reason::from).collect(),
        }
    }
}

impl TryFrom<&IneligiblePathway> for offramp::IneligiblePathway {
    type Error = OfframpError;

    fn try_from(i: &IneligiblePathway) -> Result<Self, OfframpError> {
        let IneligiblePathway { pathway, reasons } = i;
        Ok(offramp::IneligiblePathway {
            pathway: (*pathway).into(),
            reasons: reasons
                .iter()
                .map(offramp::Reason::try_from)
                .collect::<Result<_, _>>()?,
        })
    }
}

impl From<&offramp::Warning> for Warning {
    fn from(w: &offramp::Warning) -> Self {
        let offramp::Warning { code, message } = w;
        Warning {
            code: (*code).into(),
            message: text(message),
        }
    }
}

impl From<&Warning> for offramp::Warning {
    fn from(w: &Warning) -> Self {
        let Warning { code, message } = w;
        offramp::Warning {
            code: (*code).into(),
            message: message.as_str().into(),
        }
    }
}

impl From<&offramp::Decision> for Decision {
    fn from(d: &offramp::Decision) -> Self {
        let offramp::Decision {
            encounter_id,
            program,
            intercept,
            disposition,
            eligible,
            ineligible,
            warnings,
            intercept_basis,
            needs_information,
        } = d;
        Decision {
            encounter_id: encounter_id.clone(),
            program: program.into(),
            intercept: (*intercept).into(),
            disposition: (*disposition).into(),
            eligible: eligible.iter().map(EligiblePathway::from).collect(),
            ineligible: ineligible.iter().map(IneligiblePathway::from).collect(),
            warnings: warnings.iter().map(Warning::from).collect(),
            intercept_basis: (*intercept_basis).into(),
            needs_information: needs_information
                .iter()
                .map(NeededInformation::from)
                .collect(),
        }
    }
}

impl TryFrom<&Decision> for offramp::Decision {
    type Error = OfframpError;

    fn try_from(d: &Decision) -> Result<Self, OfframpError> {
        let Decision {
            encounter_id,
            program,
            intercept,
            disposition,
            eligible,
            ineligible,
            warnings,
            intercept_basis,
            needs_information,
        } = d;
        Ok(offramp::Decision {
            intercept_basis: (*intercept_basis).into(),
            needs_information: needs_information
                .iter()
                .map(offramp::NeededInformation::from)
                .collect(),
            encounter_id: encounter_id.clone(),
            program: program.into(),
            intercept: (*intercept).into(),
            disposition: (*disposition).into(),
            eligible: eligible
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    offramp::EligiblePathway::try_from(e).map_err(|err| match err {
                        OfframpError::InvalidArgument { field, detail } => {
                            OfframpError::argument(format!("eligible[{i}].{field}"), detail)
                        }
                        other => other,
                    })
                })
                .collect::<Result<Vec<_>, OfframpError>>()?,
            ineligible: ineligible
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    offramp::IneligiblePathway::try_from(x).map_err(|err| match err {
                        OfframpError::InvalidArgument { field, detail } => {
                            OfframpError::argument(format!("ineligible[{i}].{field}"), detail)
                        }
                        other => other,
                    })
                })
                .collect::<Result<Vec<_>, OfframpError>>()?,
            warnings: warnings.iter().map(offramp::Warning::from).collect(),
        })
    }
}

#[uniffi::export]
impl Decision {
    /// The decision as one line of the core's JSON: the audit record. Equal decisions give
    /// byte-identical text.
    pub fn to_json(&self) -> Result<String, OfframpError> {
        guard("Decision.to_json", || {
            Ok(offramp::Decision::try_from(self)?.to_json()?)
        })
    }

    /// The decision in plain sentences, for a person.
    pub fn explain(&self) -> Result<String, OfframpError> {
        guard("Decision.explain", || {
            Ok(offramp::Decision::try_from(self)?.explain())
        })
    }
}

/// Reads a decision back from its JSON audit record.
#[uniffi::export]
pub fn decision_from_json(json: String) -> Result<Decision, OfframpError> {
    guard("decision_from_json", || {
        let d = offramp::Decision::from_json(&json).map_err(|e| {
            OfframpError::argument(
                "json",
                format!(
                    "not a decision record (line {}, column {}: {:?} error)",
                    e.line(),
                    e.column(),
                    e.classify()
                ),
            )
        })?;
        Ok(Decision::from(&d))
    })
}
