//! The vocabulary of deflection and pre-arrest diversion, as types.
//!
//! Every enum here serialises as its snake_case name, lists its values in `ALL`, and parses
//! from its name with [`std::str::FromStr`], so the rules language, the JSON formats and the
//! bindings all share one spelling.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Timelike};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::language::Language;
use crate::nibrs::{CriminalActivity, DrugType, DrugUnit, NibrsCode};

pub use crate::vocab::UnknownValue;
pub(crate) use crate::vocab::closest;
use crate::vocab::vocabulary;

vocabulary! {
    /// The six pathways to treatment: TASC's five and PTACC's Community Response.
    ///
    /// ```
    /// use offramp::Pathway;
    /// assert_eq!("officer_prevention".parse::<Pathway>().unwrap(), Pathway::FirstResponderReferral);
    /// assert_eq!(Pathway::NaloxonePlus.to_string(), "naloxone_plus");
    /// ```
    pub enum Pathway: "pathway" {
        /// The person walks in or calls, asking for help.
        SelfReferral = "self_referral",
        /// An outreach team seeks people out, not tied to an incident.
        ActiveOutreach = "active_outreach",
        /// Follow-up by a responder and a partner after an overdose, within a window.
        NaloxonePlus = "naloxone_plus",
        /// A responder refers during patrol or a call, with no charge (formerly Officer Prevention).
        FirstResponderReferral = "first_responder_referral" | "officer_prevention",
        /// A law-enforcement officer refers where charges were possible; charges may be held.
        OfficerIntervention = "officer_intervention",
        /// Community responders answer behavioural-health calls instead of police.
        CommunityResponse = "community_response",
    }
}

vocabulary! {
    /// Who is on scene.
    pub enum Responder: "responder" {
        /// A police officer or deputy.
        LawEnforcement = "law_enforcement",
        /// A firefighter.
        Fire = "fire",
        /// Emergency medical services.
        Ems = "ems",
        /// An officer paired with a clinician.
        CoResponder = "co_responder",
        /// A civilian crisis or community responder.
        CommunityResponder = "community_responder",
        /// A peer recovery specialist.
        Peer = "peer",
    }
}

impl Responder {
    /// Whether a law-enforcement officer is part of the response.
    ///
    /// ```
    /// use offramp::Responder;
    /// assert!(Responder::CoResponder.is_law_enforcement());
    /// assert!(!Responder::Fire.is_law_enforcement());
    /// ```
    pub const fn is_law_enforcement(self) -> bool {
        matches!(self, Responder::LawEnforcement | Responder::CoResponder)
    }
}

vocabulary! {
    /// How the contact came about.
    pub enum Source: "source" {
        /// The person came in or called on their own.
        SelfInitiated = "self_initiated",
        /// An outreach team made contact.
        Outreach = "outreach",
        /// A follow-up visit after an overdose.
        OverdoseFollowUp = "overdose_follow_up",
        /// A 911 or non-emergency call.
        CallForService = "call_for_service",
        /// Something a responder saw on patrol.
        OnView = "on_view",
        /// A family member or friend asked for help for the person.
        FamilyRequest = "family_request",
    }
}

vocabulary! {
    /// What the person may need.
    pub enum Need: "need" {
        /// Substance use disorder.
        Sud = "sud",
        /// Opioid use.
        OpioidUse = "opioid_use",
        /// Stimulant use.
        StimulantUse = "stimulant_use",
        /// Alcohol use.
        AlcoholUse = "alcohol_use",
        /// Mental illness, not in crisis.
        MentalHealth = "mental_health",
        /// A mental-health crisis now.
        MentalHealthCrisis = "mental_health_crisis",
        /// Co-occurring substance use and mental illness.
        CoOccurring = "co_occurring",
        /// Without stable housing.
        Homelessness = "homelessness",
        /// Involved in sex work.
        SexWork = "sex_work",
        /// A victim of trafficking.
        TraffickingVictim = "trafficking_victim",
        /// At risk of suicide.
        Suicidal = "suicidal",
    }
}

vocabulary! {
    /// Facts on scene that bear on eligibility.
    pub enum Flag: "flag" {
        /// An outstanding warrant.
        ActiveWarrant = "active_warrant",
        /// A drug charge already pending.
        PendingDrugCharge = "pending_drug_charge",
        /// A weapon was involved.
        Weapon = "weapon",
        /// Domestic violence was involved.
        DomesticViolence = "domestic_violence",
        /// A victim is present.
        VictimPresent = "victim_present",
    }
}

vocabulary! {
    /// The seriousness of an offence.
    pub enum Level: "level" {
        /// A civil infraction: not arrestable.
        Infraction = "infraction",
        /// A misdemeanour.
        Misdemeanor = "misdemeanor",
        /// A felony.
        Felony = "felony",
    }
}

impl Level {
    /// Whether an offence at this level could lead to a criminal charge.
    pub const fn is_chargeable(self) -> bool {
        matches!(self, Level::Misdemeanor | Level::Felony)
    }
}

vocabulary! {
    /// What the person agreed to share (42 CFR Part 2 consent, as recorded on scene).
    pub enum Consent: "consent" {
        /// Not asked yet.
        NotAsked = "not_asked",
        /// Verbal consent.
        Verbal = "verbal",
        /// Written consent.
        Written = "written",
        /// Consent declined.
        Declined = "declined",
        /// Consent given earlier, now revoked.
        Revoked = "revoked",
    }
}

vocabulary! {
    /// The person's stated willingness to engage with help, as the responder recorded it. This
    /// is not [`Consent`], which is about sharing information under 42 CFR Part 2: a person
    /// may be willing to talk to a case manager and still decline to share records.
    pub enum Willing: "willing" {
        /// The person said yes to help.
        Yes = "yes",
        /// The person declined.
        No = "no",
        /// Asked, but no clear answer; rules read it as not recorded.
        Unknown = "unknown",
    }
}

vocabulary! {
    /// The outcome class of a decision.
    pub enum Disposition: "disposition" {
        /// A pathway applies and nothing chargeable happened.
        Deflection = "deflection",
        /// A pathway applies in place of an arrest for a chargeable offence.
        PreArrestDiversion = "pre_arrest_diversion",
        /// No pathway applies.
        None = "none",
    }
}

vocabulary! {
    /// A point of the Sequential Intercept Model, ordered from community services (0) to community
    /// corrections (5). Serialised as its number.
    ///
    /// ```
    /// use offramp::Intercept;
    /// assert!(Intercept::LawEnforcement < Intercept::Jails);
    /// assert_eq!(Intercept::from_number(1), Some(Intercept::LawEnforcement));
    /// assert_eq!(serde_json::to_string(&Intercept::Reentry).unwrap(), "4");
    /// ```
    pub enum Intercept: "intercept", numbered {
        /// 0: community services, crisis lines and crisis care without a 911 call.
        CommunityServices = 0,
        /// 1: law enforcement and other first responders.
        LawEnforcement = 1,
        /// 2: initial detention and first court hearings.
        InitialDetention = 2,
        /// 3: jails and courts.
        Jails = 3,
        /// 4: reentry from jail or prison.
        Reentry = 4,
        /// 5: community corrections: probation and parole.
        CommunityCorrections = 5,
    }
}

vocabulary! {
    /// How an encounter's intercept was decided: the rule [`Encounter::derived_intercept`]
    /// followed, so a reader can see why a decision sits where it does.
    pub enum InterceptBasis: "intercept basis" {
        /// The encounter gave its intercept.
        Given = "given",
        /// A police officer was on scene: police contact.
        PoliceResponder = "police_responder",
        /// An officer and a clinician responded together: police contact.
        CoResponder = "co_responder",
        /// Fire or EMS answered a call for service: counted as police contact.
        CallForService = "call_for_service",
        /// A community responder (peer, clinician, fire or EMS outside a call for service):
        /// community services.
        CommunityResponder = "community_responder",
        /// No responder was recorded, but the contact came from a call for service or an
        /// officer's own observation: assumed police contact.
        AssumedPolice = "assumed_police",
        /// No responder was recorded and nothing points at police: assumed community services.
        AssumedCommunity = "assumed_community",
    }
}

impl InterceptBasis {
    /// The intercept this basis places an encounter at; `Given` has none of its own and says
    /// community services (the encounter's own intercept is used instead).
    pub const fn intercept(self) -> Intercept {
        match self {
            InterceptBasis::PoliceResponder
            | InterceptBasis::CoResponder
            | InterceptBasis::CallForService
            | InterceptBasis::AssumedPolice => Intercept::LawEnforcement,
            InterceptBasis::Given
            | InterceptBasis::CommunityResponder
            | InterceptBasis::AssumedCommunity => Intercept::CommunityServices,
        }
    }

    /// The basis in a few words, for an explanation's header.
    pub const fn describe(self) -> &'static str {
        match self {
            InterceptBasis::Given => "given by the encounter",
            InterceptBasis::PoliceResponder => "police contact",
            InterceptBasis::CoResponder => "police contact (co-responder)",
            InterceptBasis::CallForService => "police contact (fire or EMS on a call for service)",
            InterceptBasis::CommunityResponder => "community response, no police",
            InterceptBasis::AssumedPolice => {
                "no responder recorded: assumed police contact (call for service or on view)"
            }
            InterceptBasis::AssumedCommunity => "no responder recorded: assumed community services",
        }
    }
}

impl Intercept {
    /// A short English name.
    pub const fn name(self) -> &'static str {
        match self {
            Intercept::CommunityServices => "community services",
            Intercept::LawEnforcement => "law enforcement",
            Intercept::InitialDetention => "initial detention and first hearings",
            Intercept::Jails => "jails and courts",
            Intercept::Reentry => "reentry",
            Intercept::CommunityCorrections => "community corrections",
        }
    }
}

/// The first year of the times offramp accepts: a time must be at or after
/// `1900-01-01T00:00:00Z`. Encounter times, overdose times and the dates and times of a
/// provider directory outside [`FIRST_YEAR`]..[`END_YEAR`] are refused, naming the field;
/// inside it every date and duration sum the core makes fits chrono's calendar.
///
/// ```
/// assert_eq!(offramp::domain::FIRST_YEAR, 1900);
/// ```
pub const FIRST_YEAR: i32 = 1900;

/// The year the accepted times end at: a time must be before `2200-01-01T00:00:00Z`.
///
/// ```
/// assert_eq!(offramp::domain::END_YEAR, 2200);
/// ```
pub const END_YEAR: i32 = 2200;

/// The times offramp accepts, in words, for messages that say what was expected.
pub const ACCEPTED_TIMES: &str = "a time from 1900-01-01T00:00:00Z up to (not including) 2200-01-01T00:00:00Z, without a leap second";

/// Why a time is not accepted, in words that never repeat the time itself; `None` when it is.
///
/// A time is accepted when its UTC reading falls in [`FIRST_YEAR`]..[`END_YEAR`] and it is
/// not a leap second (`:60`), which chrono reads but no records system means.
///
/// ```
/// use chrono::DateTime;
/// use offramp::domain::time_problem;
/// let ok = DateTime::parse_from_rfc3339("2026-03-02T14:05:00-08:00").unwrap();
/// assert_eq!(time_problem(&ok), None);
/// let old = DateTime::parse_from_rfc3339("1850-01-01T00:00:00Z").unwrap();
/// assert!(time_problem(&old).unwrap().contains("1900-01-01"));
/// ```
pub fn time_problem(t: &DateTime<FixedOffset>) -> Option<String> {
    naive_time_problem(&t.naive_utc())
}

/// [`time_problem`] for a time without an offset (a directory's local dates and times).
pub fn naive_time_problem(t: &NaiveDateTime) -> Option<String> {
    if !(FIRST_YEAR..END_YEAR).contains(&t.year()) {
        return Some(format!("must be {ACCEPTED_TIMES}"));
    }
    if t.nanosecond() >= 1_000_000_000 {
        return Some("has a leap second (`:60`), which offramp does not accept; use `:59`".into());
    }
    None
}

/// [`time_problem`] for a date (read as its midnight).
pub fn date_problem(d: &NaiveDate) -> Option<String> {
    naive_time_problem(&d.and_time(chrono::NaiveTime::MIN))
}

/// A recent overdose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overdose {
    /// When it happened.
    pub at: DateTime<FixedOffset>,
    /// Whether naloxone was given.
    #[serde(default)]
    pub naloxone: bool,
}

/// One offence that could be charged, as a NIBRS code with its level and, when recorded, the
/// facts NIBRS keeps beside the code.
///
/// Every fact but the code and the level is optional; one not recorded is unknown to the rules
/// that read it, never taken as false. `violent`, when not given, is the code's reading in the
/// shipped table ([`NibrsCode::is_violent`]).
///
/// ```
/// use offramp::Encounter;
/// use offramp::nibrs::{CriminalActivity, DrugType, DrugUnit};
/// let e = Encounter::from_json(r#"{"id": "e-1", "at": "2026-03-02T14:05:00-08:00",
///     "offenses": [{"nibrs": "35A", "level": "misdemeanor", "activity": ["possessing"],
///                   "drug_types": ["H"], "quantity": {"amount": 0.5, "unit": "gram"}},
///                  {"nibrs": "13B", "level": "misdemeanor"}]}"#).unwrap();
/// let drugs = &e.offenses[0];
/// assert_eq!(drugs.activity, [CriminalActivity::Possessing]);
/// assert_eq!(drugs.drug_types, [DrugType::OtherNarcotics]);
/// assert_eq!(drugs.quantity.map(|q| q.grams()), Some(Some(0.5)));
/// assert!(!drugs.is_violent());
/// assert!(e.offenses[1].is_violent()); // 13B, simple assault, by the table
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offense {
    /// The FBI NIBRS offence code, checked against the shipped table.
    pub nibrs: NibrsCode,
    /// Infraction, misdemeanour or felony.
    pub level: Level,
    /// Whether violence was involved. When absent, the code's reading in the shipped table
    /// applies; a value that contradicts the table is kept, and the decision warns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violent: Option<bool>,
    /// What the person was doing (NIBRS type of criminal activity, up to three values); empty
    /// when not recorded. Each value is read from its name (`possessing`) or NIBRS letter (`P`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<CriminalActivity>,
    /// The suspected drug types (NIBRS codes, up to three); empty when not recorded. Each
    /// value is read from its name (`heroin`) or NIBRS letter (`D`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drug_types: Vec<DrugType>,
    /// The estimated quantity of the drug, with its unit, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<DrugQuantity>,
}

impl Offense {
    /// An offence with only its code and level recorded.
    pub fn new(nibrs: NibrsCode, level: Level) -> Offense {
        Offense {
            nibrs,
            level,
            violent: None,
            activity: Vec::new(),
            drug_types: Vec::new(),
            quantity: None,
        }
    }

    /// Whether the offence is violent: as recorded, else the code's reading in the table.
    pub fn is_violent(&self) -> bool {
        self.violent.unwrap_or_else(|| self.nibrs.is_violent())
    }

    /// Whether the recorded `violent` contradicts the code table's reading of the code.
    pub fn violence_contradicts_code(&self) -> bool {
        self.violent.is_some_and(|v| v != self.nibrs.is_violent())
    }
}

/// The most activities or drug types one offence may list: NIBRS records up to three.
pub const MAX_OFFENSE_FACTS: usize = 3;

/// An estimated drug quantity: an amount and its NIBRS unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DrugQuantity {
    /// How much, in `unit`: a number from 0 up.
    pub amount: f64,
    /// The unit.
    pub unit: DrugUnit,
}

impl DrugQuantity {
    /// The amount in grams, when the unit is a weight.
    pub fn grams(&self) -> Option<f64> {
        self.unit.grams().map(|g| g * self.amount)
    }

    /// The amount in millilitres, when the unit is a capacity.
    pub fn milliliters(&self) -> Option<f64> {
        self.unit.milliliters().map(|m| m * self.amount)
    }
}

vocabulary! {
    /// What an entry of a person's history records.
    pub enum HistoryKind: "history kind" {
        /// An arrest.
        Arrest = "arrest",
        /// A charge filed.
        Charge = "charge",
        /// A conviction.
        Conviction = "conviction",
        /// The person entered a diversion program.
        DiversionEntered = "diversion_entered",
        /// The person completed a diversion program.
        DiversionCompleted = "diversion_completed",
        /// The person left a diversion program without completing it.
        DiversionFailed = "diversion_failed",
        /// An overdose.
        Overdose = "overdose",
        /// A referral to services.
        Referral = "referral",
    }
}

/// The most entries an encounter's `history` may hold; a longer history is refused, so that
/// rules that count it do bounded work.
pub const MAX_HISTORY: usize = 1_000;

/// One earlier event in the person's history: what it was and the day it happened, and for an
/// arrest, charge or conviction the offence's NIBRS code and level when known. Like the
/// encounter, it carries no name: only what a program's rules need to count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryEvent {
    /// What happened.
    pub kind: HistoryKind,
    /// The day it happened, `YYYY-MM-DD`.
    pub date: NaiveDate,
    /// The offence's NIBRS code, for an arrest, charge or conviction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nibrs: Option<NibrsCode>,
    /// The offence's level, for an arrest, charge or conviction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

/// Where the encounter took place (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude in degrees, -90 to 90.
    pub lat: f64,
    /// Longitude in degrees, -180 to 180.
    pub lon: f64,
}

/// The value of an agency-declared extra attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AttributeValue {
    /// true or false.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Number(f64),
    /// Text, or the name of an enum value.
    Text(String),
}

impl AttributeValue {
    /// The JSON type name, for messages.
    pub const fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::Bool(_) => "bool",
            AttributeValue::Int(_) => "int",
            AttributeValue::Number(_) => "number",
            AttributeValue::Text(_) => "text",
        }
    }
}

/// What is known at the point of contact. The id is pseudonymous: offramp never needs a name.
///
/// ```
/// use offramp::{Encounter, Need};
/// let e = Encounter::from_json(r#"{"id": "e-1", "at": "2026-03-02T14:05:00-08:00",
///     "responder": "law_enforcement", "needs": ["sud"]}"#).unwrap();
/// assert!(e.needs.contains(&Need::Sud));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encounter {
    /// A pseudonymous identifier, echoed in the decision.
    pub id: String,
    /// When the contact happened, with its UTC offset.
    pub at: DateTime<FixedOffset>,
    /// Who is on scene.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responder: Option<Responder>,
    /// How the contact came about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// What the person may need.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Need>,
    /// A recent overdose, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdose: Option<Overdose>,
    /// Offences that could be charged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offenses: Vec<Offense>,
    /// Facts on scene that bear on eligibility.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Age in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u16>,
    /// Preferred language, read from any spelling [`Language::parse`] knows (`es`, `spa`,
    /// `Spanish`) and held as its ISO 639-3 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// Consent to share information, as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Whether the person said they are willing to engage with help (not the same as
    /// `consent`). `unknown`, like an absent value, is not recorded to a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub willing: Option<Willing>,
    /// The person's earlier events, as far as the agency may use them. Absent means not
    /// recorded (rules that count it are unknown); an empty list means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryEvent>>,
    /// Where the contact happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The intercept, for programs in jails, courts, reentry or probation; derived when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercept: Option<Intercept>,
    /// Extra attributes the program declares.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttributeValue>,
}

/// An encounter could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EncounterError {
    /// The text is not valid JSON, or a field has the wrong shape.
    #[error("{field}: {message}{}", position.map(|(l, c)| format!(" (line {l}, column {c})")).unwrap_or_default())]
    Invalid {
        /// Where in the encounter, e.g. `offenses[0].nibrs`; `.` for the whole object.
        field: String,
        /// What was wrong.
        message: String,
        /// 1-based line and column (in characters) in the text, when known.
        position: Option<(usize, usize)>,
    },
}

impl EncounterError {
    /// The field the error is about (`.` for the whole encounter).
    pub fn field(&self) -> &str {
        match self {
            EncounterError::Invalid { field, .. } => field,
        }
    }

    /// What was wrong, without the field or the position (and never the value given).
    pub fn message(&self) -> &str {
        match self {
            EncounterError::Invalid { message, .. } => message,
        }
    }

    /// The 1-based line and column (in characters) in the text read, when known.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            EncounterError::Invalid { position, .. } => *position,
        }
    }

    /// The error of an encounter that offramp itself failed on (a bug, caught where a batch
    /// keeps its encounters apart): about the whole encounter (`.`), with nothing from the
    /// input. [`Router::route_batch`](crate::Router::route_batch) gives it, and so do the
    /// bindings' batches for a failure of their own.
    pub fn internal() -> Self {
        EncounterError::invalid(
            ".",
            "could not be routed: an internal error in offramp (please report it)",
        )
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        EncounterError::Invalid {
            field: field.into(),
            message: message.into(),
            position: None,
        }
    }
}

/// Whether a key or field name is a schema-like word (lower-case ASCII letters, digits and
/// `_`, at most 40 long) that may appear in an error message. Anything else could be personal
/// data a person typed, and is shown as `?`; the bindings follow the same rule.
///
/// ```
/// assert!(offramp::domain::schema_like("offenses"));
/// assert!(!offramp::domain::schema_like("Jane Doe"));
/// ```
pub fn schema_like(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 40
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A field path (`offenses[0].nibrs`) with any segment that is not a schema word replaced by
/// `?`, since an unknown key could be anything a person typed.
fn safe_path(path: &str) -> String {
    if path.is_empty() || path == "." {
        return ".".into();
    }
    path.split('.')
        .map(|seg| {
            let name = seg.split('[').next().unwrap_or_default();
            let index = &seg[name.len()..];
            let index_ok = index
                .chars()
                .all(|c| c.is_ascii_digit() || c == '[' || c == ']');
            if (schema_like(name) || name.is_empty()) && index_ok {
                seg.to_string()
            } else {
                "?".to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The words between backticks in a serde message.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// Rewrites a serde message so that it never repeats a value the user gave (which could be
/// personal data). Field names that look like schema words are kept, since an unknown field
/// must be named; an unknown enum word is replaced by the list of allowed words and, when one
/// is close, a suggestion.
pub(crate) fn redact_serde_message(msg: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            // "invalid type: string \"Jane\", expected u16" -> "invalid type: string, expected u16"
            let (found, expected) = match rest.find(", expected") {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let kind = found.split([' ', '`']).next().unwrap_or("value");
            return format!("{prefix}{kind}{expected}");
        }
    }
    for (prefix, what) in [("unknown variant ", "value"), ("unknown field ", "field")] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            let words = backticked(rest);
            let given = words.first().copied().unwrap_or_default();
            let allowed: Vec<&str> = words.iter().skip(1).copied().collect();
            let list = allowed
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut out = if what == "field" && schema_like(given) {
                format!("unknown field `{given}`")
            } else {
                format!("unknown {what}")
            };
            if allowed.is_empty() {
                out.push_str(" (no fields are accepted here)");
            } else {
                out.push_str(&format!("; expected one of {list}"));
            }
            if let Some(s) = closest(given, allowed.iter().copied()) {
                out.push_str(&format!("; did you mean `{s}`?"));
            }
            return out;
        }
    }
    msg.to_string()
}

impl Encounter {
    /// An encounter with its id and time and nothing else recorded.
    ///
    /// ```
    /// use offramp::Encounter;
    /// let at = chrono::DateTime::parse_from_rfc3339("2026-03-02T14:05:00-08:00").unwrap();
    /// let e = Encounter::new("e-1", at);
    /// assert!(e.responder.is_none() && e.needs.is_empty() && e.history.is_none());
    /// ```
    pub fn new(id: impl Into<String>, at: DateTime<FixedOffset>) -> Encounter {
        Encounter {
            id: id.into(),
            at,
            responder: None,
            source: None,
            needs: Vec::new(),
            overdose: None,
            offenses: Vec::new(),
            flags: Vec::new(),
            age: None,
            language: None,
            consent: None,
            willing: None,
            history: None,
            location: None,
            intercept: None,
            attributes: BTreeMap::new(),
        }
    }

    /// Reads one encounter from its JSON form, naming the field of any error.
    pub fn from_json(text: &str) -> Result<Self, EncounterError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let enc: Encounter = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = safe_path(&e.path().to_string());
            let inner = e.into_inner();
            let message = inner.to_string();
            // serde_json appends " at line L column C"; keep it separately.
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            EncounterError::Invalid {
                field,
                message: redact_serde_message(&message),
                // serde_json counts columns in bytes; people and editors count characters.
                position: (inner.line() > 0).then(|| {
                    crate::source::line_col(
                        text,
                        crate::source::offset_of(text, inner.line(), inner.column()),
                    )
                }),
            }
        })?;
        de.end().map_err(|_| {
            EncounterError::invalid(".", "trailing characters after the encounter object")
        })?;
        enc.validate()?;
        Ok(enc)
    }

    /// Reads one encounter from a JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<Self, EncounterError> {
        let enc: Encounter = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = safe_path(&e.path().to_string());
            EncounterError::invalid(path, redact_serde_message(&e.into_inner().to_string()))
        })?;
        enc.validate()?;
        Ok(enc)
    }

    /// The encounter as one line of JSON.
    ///
    /// # Errors
    ///
    /// When a value cannot be written as JSON (an encounter's types leave none); the failure is
    /// returned, never turned into an empty line.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// Checks what the types alone cannot: an id is present, the times are in the range
    /// offramp accepts ([`FIRST_YEAR`]..[`END_YEAR`], no leap second), the overdose is not in
    /// the future, the location is on the globe, an offence lists at most
    /// [`MAX_OFFENSE_FACTS`] activities and drug types and a quantity is a number from 0 up.
    pub fn validate(&self) -> Result<(), EncounterError> {
        if self.id.trim().is_empty() {
            return Err(EncounterError::invalid("id", "must not be empty"));
        }
        if self.id.len() > 256 {
            return Err(EncounterError::invalid(
                "id",
                "is longer than 256 bytes; use a pseudonymous key",
            ));
        }
        if let Some(problem) = time_problem(&self.at) {
            return Err(EncounterError::invalid("at", problem));
        }
        if let Some(problem) = self.overdose.as_ref().and_then(|od| time_problem(&od.at)) {
            return Err(EncounterError::invalid("overdose.at", problem));
        }
        if let Some(od) = &self.overdose
            && od.at > self.at
        {
            return Err(EncounterError::invalid(
                "overdose.at",
                "is later than the encounter's `at`",
            ));
        }
        if let Some(history) = &self.history {
            if history.len() > MAX_HISTORY {
                return Err(EncounterError::invalid(
                    "history",
                    format!("has more than {MAX_HISTORY} entries"),
                ));
            }
            let today = self.at.date_naive();
            for (i, event) in history.iter().enumerate() {
                if let Some(problem) = date_problem(&event.date) {
                    return Err(EncounterError::invalid(
                        format!("history[{i}].date"),
                        problem,
                    ));
                }
                // A day after the encounter's own (in its offset) has not happened yet.
                if event.date > today {
                    return Err(EncounterError::invalid(
                        format!("history[{i}].date"),
                        "is later than the encounter's `at`",
                    ));
                }
            }
        }
        if let Some(loc) = &self.location {
            if !(-90.0..=90.0).contains(&loc.lat) {
                return Err(EncounterError::invalid(
                    "location.lat",
                    "must be between -90 and 90",
                ));
            }
            if !(-180.0..=180.0).contains(&loc.lon) {
                return Err(EncounterError::invalid(
                    "location.lon",
                    "must be between -180 and 180",
                ));
            }
        }
        if let Some(age) = self.age
            && age > 130
        {
            return Err(EncounterError::invalid("age", "must be at most 130"));
        }
        for (i, o) in self.offenses.iter().enumerate() {
            if o.activity.len() > MAX_OFFENSE_FACTS {
                return Err(EncounterError::invalid(
                    format!("offenses[{i}].activity"),
                    format!(
                        "lists more than {MAX_OFFENSE_FACTS} activities, the most NIBRS records"
                    ),
                ));
            }
            if o.drug_types.len() > MAX_OFFENSE_FACTS {
                return Err(EncounterError::invalid(
                    format!("offenses[{i}].drug_types"),
                    format!(
                        "lists more than {MAX_OFFENSE_FACTS} drug types, the most NIBRS records"
                    ),
                ));
            }
            if let Some(q) = &o.quantity
                && !(q.amount.is_finite() && q.amount >= 0.0)
            {
                return Err(EncounterError::invalid(
                    format!("offenses[{i}].quantity.amount"),
                    "must be a number from 0 up",
                ));
            }
        }
        Ok(())
    }

    /// The intercept: the encounter's own, or derived from who responded and how.
    ///
    /// Police contact is intercept 1, as is fire or EMS answering a call for service; community
    /// responders, peers, and walk-ins or outreach with no police are intercept 0.
    ///
    /// ```
    /// use offramp::{Encounter, Intercept};
    /// let e = Encounter::from_json(r#"{"id":"x","at":"2026-01-01T00:00:00Z","responder":"fire","source":"self_initiated"}"#).unwrap();
    /// assert_eq!(e.derived_intercept(), Intercept::CommunityServices);
    /// ```
    pub fn derived_intercept(&self) -> Intercept {
        match self.intercept {
            Some(i) => i,
            None => self.intercept_basis().intercept(),
        }
    }

    /// How [`Encounter::derived_intercept`] placed the encounter: given by it, or read from
    /// who responded and how the contact came about.
    ///
    /// ```
    /// use offramp::{Encounter, InterceptBasis};
    /// let e = Encounter::from_json(r#"{"id":"x","at":"2026-01-01T00:00:00Z","source":"on_view"}"#).unwrap();
    /// assert_eq!(e.intercept_basis(), InterceptBasis::AssumedPolice);
    /// ```
    pub fn intercept_basis(&self) -> InterceptBasis {
        if self.intercept.is_some() {
            return InterceptBasis::Given;
        }
        match (self.responder, self.source) {
            (Some(Responder::CoResponder), _) => InterceptBasis::CoResponder,
            (Some(r), _) if r.is_law_enforcement() => InterceptBasis::PoliceResponder,
            (Some(Responder::Fire | Responder::Ems), Some(Source::CallForService)) => {
                InterceptBasis::CallForService
            }
            (Some(_), _) => InterceptBasis::CommunityResponder,
            (None, Some(Source::CallForService | Source::OnView)) => InterceptBasis::AssumedPolice,
            (None, _) => InterceptBasis::AssumedCommunity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> EncounterError {
        Encounter::from_json(json).expect_err("should be refused")
    }

    const OK: &str = r#"{"id":"e","at":"2026-03-02T14:05:00-08:00""#;

    #[test]
    fn errors_name_the_field() {
        let e = err(&format!("{OK},\"respondr\":\"fire\"}}"));
        assert_eq!(e.field(), "respondr");
        assert!(e.to_string().contains("did you mean `responder`?"), "{e}");
        let e = err(&format!(
            "{OK},\"offenses\":[{{\"nibrs\":\"35A\",\"level\":\"misdemeanour\"}}]}}"
        ));
        assert_eq!(e.field(), "offenses[0].level");
        assert!(e.to_string().contains("did you mean `misdemeanor`?"), "{e}");
        let e = err(&format!(
            "{OK},\"overdose\":{{\"at\":\"2026-03-03T00:00:00-08:00\"}}}}"
        ));
        assert_eq!(e.field(), "overdose.at");
        let e = err(r#"{"at":"2026-03-02T14:05:00-08:00"}"#);
        assert!(e.to_string().contains("missing field `id`"), "{e}");
        assert_eq!(err(&format!("{OK},\"age\":200}}")).field(), "age");
        assert_eq!(
            err(&format!("{OK},\"location\":{{\"lat\":91,\"lon\":0}}}}")).field(),
            "location.lat"
        );
        assert_eq!(err(&format!("{OK},\"intercept\":7}}")).field(), "intercept");
        assert!(
            err(&format!("{OK}}} {{}}"))
                .to_string()
                .contains("trailing")
        );
    }

    #[test]
    fn errors_never_repeat_what_was_typed() {
        for json in [
            format!("{OK},\"age\":\"JaneDoe\"}}"),
            format!("{OK},\"responder\":\"Officer JaneDoe\"}}"),
            format!("{OK},\"needs\":[\"JaneDoe\"]}}"),
            format!("{OK},\"JaneDoe\":1}}"),
            format!("{OK},\"offenses\":[{{\"nibrs\":\"JaneDoe\",\"level\":\"felony\"}}]}}"),
            format!("{OK},\"language\":{{\"JaneDoe\":1}}}}"),
        ] {
            let e = err(&json);
            assert!(!e.to_string().contains("JaneDoe"), "{e}");
            assert!(!e.field().contains("JaneDoe"), "{e}");
        }
    }

    #[test]
    fn the_accepted_times_in_words_match_the_constants() {
        assert!(ACCEPTED_TIMES.contains(&format!("from {FIRST_YEAR}-01-01T00:00:00Z")));
        assert!(ACCEPTED_TIMES.contains(&format!("{END_YEAR}-01-01T00:00:00Z")));
    }

    #[test]
    fn times_outside_the_accepted_range_are_refused_naming_the_field() {
        for at in [
            "-262143-01-01T00:00:00Z",
            "0000-06-01T00:00:00Z",
            "-0001-06-01T00:00:00Z",
            "1899-12-31T23:59:59Z",
            "1900-01-01T00:30:00+01:00",
            "2200-06-01T00:00:00Z",
            "2199-12-31T23:00:00-05:00",
        ] {
            let e = err(&format!(r#"{{"id":"e","at":"{at}"}}"#));
            assert_eq!(e.field(), "at", "{at}: {e}");
            assert!(e.to_string().contains("1900-01-01"), "{at}: {e}");
            assert!(!e.to_string().contains(at), "{at}: {e}");
        }
        // The end is excluded.
        assert_eq!(
            err(r#"{"id":"e","at":"2200-01-01T00:00:00Z"}"#).field(),
            "at"
        );
        let e = err(r#"{"id":"e","at":"2026-03-02T14:05:60-08:00"}"#);
        assert_eq!(e.field(), "at");
        assert!(e.to_string().contains("leap second"), "{e}");
        let e = err(&format!(
            "{OK},\"overdose\":{{\"at\":\"1776-07-04T00:00:00Z\"}}}}"
        ));
        assert_eq!(e.field(), "overdose.at", "{e}");
        for at in [
            "1900-01-01T00:00:00Z",
            "2199-12-31T23:59:59.999Z",
            "1970-01-01T00:00:00Z",
        ] {
            assert!(
                Encounter::from_json(&format!(r#"{{"id":"e","at":"{at}"}}"#)).is_ok(),
                "{at}"
            );
        }
    }

    #[test]
    fn a_language_is_read_once_into_its_iso_639_3_code() {
        for written in ["spa", "es", "ES", "Spanish"] {
            let e = Encounter::from_json(&format!("{OK},\"language\":\"{written}\"}}")).unwrap();
            assert_eq!(e.language.map(Language::as_str), Some("spa"), "{written}");
            assert!(
                e.to_json().unwrap().contains("\"language\":\"spa\""),
                "{written}"
            );
        }
        let e = err(&format!("{OK},\"language\":\"JaneDoe\"}}"));
        assert_eq!(e.field(), "language");
        assert!(e.to_string().contains("unknown language"), "{e}");
        assert!(!e.to_string().contains("JaneDoe"), "{e}");
    }

    #[test]
    fn intercepts_are_derived() {
        let at = "2026-03-02T14:05:00-08:00";
        let case = |responder: &str, source: &str| {
            Encounter::from_json(&format!(
                r#"{{"id":"e","at":"{at}","responder":"{responder}","source":"{source}"}}"#
            ))
            .map(|e| e.derived_intercept().number())
            .unwrap_or(99)
        };
        assert_eq!(case("law_enforcement", "self_initiated"), 1);
        assert_eq!(case("co_responder", "outreach"), 1);
        assert_eq!(case("fire", "call_for_service"), 1);
        assert_eq!(case("fire", "self_initiated"), 0);
        assert_eq!(case("community_responder", "call_for_service"), 0);
        assert_eq!(case("peer", "overdose_follow_up"), 0);
        let given = Encounter::from_json(&format!(
            r#"{{"id":"e","at":"{at}","responder":"law_enforcement","intercept":4}}"#
        ))
        .unwrap();
        assert_eq!(given.derived_intercept(), Intercept::Reentry);
    }

    #[test]
    fn pathway_alias_and_names() {
        assert_eq!(
            serde_json::from_str::<Pathway>("\"officer_prevention\"").unwrap(),
            Pathway::FirstResponderReferral
        );
        assert_eq!(
            serde_json::to_string(&Pathway::FirstResponderReferral).unwrap(),
            "\"first_responder_referral\""
        );
        for p in Pathway::ALL {
            assert_eq!(p.as_str().parse::<Pathway>().unwrap(), p);
        }
        assert_eq!(
            "self_referal".parse::<Pathway>().unwrap_err().suggestion,
            Some("self_referral")
        );
    }
}
