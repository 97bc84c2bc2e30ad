//! The provider directory's data model: organizations, services, sites, hours, eligibility
//! and capacity, as offramp reasons about them. HSDS 3.0 files are read into these types
//! (`hsds/`); offramp's own TOML/JSON directory format is these types serialised directly.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::language::Language;
use crate::text::Text;
use crate::vocab::vocabulary;

vocabulary! {
    /// The kinds of service offramp matches pathways against.
    pub enum ServiceKind: "service kind" {
        /// Withdrawal management (detox).
        WithdrawalManagement = "withdrawal_management",
        /// Medication for opioid use disorder (buprenorphine, methadone, naltrexone).
        Moud = "moud",
        /// Residential treatment.
        Residential = "residential",
        /// Outpatient treatment.
        Outpatient = "outpatient",
        /// Mental-health crisis services (mobile crisis, crisis lines with response).
        MentalHealthCrisis = "mental_health_crisis",
        /// Crisis stabilization or receiving centres.
        CrisisStabilization = "crisis_stabilization",
        /// Shelter and housing.
        ShelterHousing = "shelter_housing",
        /// Case management.
        CaseManagement = "case_management",
        /// Peer recovery support.
        PeerRecovery = "peer_recovery",
        /// Harm reduction (syringe services, naloxone distribution).
        HarmReduction = "harm_reduction",
        /// Services for people in sex work or who have been trafficked.
        SexWorkTrafficking = "sex_work_trafficking",
    }
}

vocabulary! {
    /// A group a service is for (HSDS eligibility attributes).
    pub enum Population: "population" {
        /// People in sex work.
        SexWorkers = "sex_workers",
        /// Survivors of trafficking.
        TraffickingSurvivors = "trafficking_survivors",
        /// Veterans.
        Veterans = "veterans",
        /// Women.
        Women = "women",
        /// Men.
        Men = "men",
        /// Young adults.
        YoungAdults = "young_adults",
        /// People experiencing homelessness.
        Homeless = "homeless",
        /// LGBTQ+ people.
        Lgbtq = "lgbtq",
        /// Pregnant or parenting people.
        PregnantParenting = "pregnant_parenting",
    }
}

vocabulary! {
    /// How a person gets in.
    pub enum Intake: "intake" {
        /// Walk in, or be brought in, without a referral.
        WalkIn = "walk_in",
        /// Only by referral (a responder's referral counts).
        ReferralOnly = "referral_only",
        /// Either.
        Either = "either",
    }
}

impl Default for Intake {
    /// Either: a service that says nothing about intake takes walk-ins and referrals.
    fn default() -> Self {
        Intake::Either
    }
}

/// Who a service takes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Youngest age served, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<u16>,
    /// Oldest age served, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_age: Option<u16>,
    /// Groups served; empty means anyone.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub populations: BTreeSet<Population>,
    /// When true, only the listed populations are served; otherwise they are a focus.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub populations_only: bool,
    /// Languages spoken, each read by [`Language::parse`] and held as its ISO 639-3 code;
    /// empty means not stated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<Language>,
    /// Insurance accepted (free words such as `medicaid`, `uninsured`); empty means not stated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insurance: Vec<String>,
    /// How a person gets in.
    #[serde(default)]
    pub intake: Intake,
}

/// How many more people a service can take (HSDS 3.1 `service_capacity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Places free now.
    pub available: u32,
    /// Places in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<u32>,
    /// What a place is: `bed`, `slot`, `appointment`...
    pub unit: String,
    /// When the figure was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<FixedOffset>>,
}

vocabulary! {
    /// How a schedule repeats (iCal FREQ).
    pub enum Frequency: "frequency" {
        /// Every week (or every `interval` weeks).
        Weekly = "WEEKLY",
        /// Every month (or every `interval` months).
        Monthly = "MONTHLY",
    }
}

/// A day of the week, optionally the n-th of the month (`2TU`, `-1FR`), as in iCal BYDAY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ByDay {
    /// 1..=5 for the first..fifth, -1..=-5 counting from the month's end; absent for every.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<i8>,
    /// The weekday, `MO`..`SU`.
    pub day: Weekday,
}

vocabulary! {
    /// A weekday, in iCal's two-letter form.
    pub enum Weekday: "weekday" {
        /// Monday.
        MO = "MO",
        /// Tuesday.
        TU = "TU",
        /// Wednesday.
        WE = "WE",
        /// Thursday.
        TH = "TH",
        /// Friday.
        FR = "FR",
        /// Saturday.
        SA = "SA",
        /// Sunday.
        SU = "SU",
    }
}

/// One recurring opening, in the site's local time (HSDS `schedule`, reduced to what decides
/// whether a place is open). A schedule with no `freq` and no days is open every day between
/// `opens_at` and `closes_at`; one with neither time is open all day on its days.
/// `closes_at` earlier than `opens_at` means the opening runs past midnight (22:00-06:00), and
/// belongs to the day it opens. `00:00`-`00:00` is a whole day; any other time given as both
/// opening and closing (`09:00`-`09:00`) is an opening of no length, never open, and loading
/// the directory warns about it (see [`Schedule::is_empty_span`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Weekly or monthly; absent means every day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freq: Option<Frequency>,
    /// Every n-th week or month, counted from `dtstart`; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<u32>,
    /// Days of the week (for monthly schedules, optionally the n-th).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub byday: Vec<ByDay>,
    /// Days of the month (monthly), negative counting from the end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bymonthday: Vec<i8>,
    /// Local opening time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<NaiveTime>,
    /// Local closing time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<NaiveTime>,
    /// First date the schedule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Last date the schedule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    /// The first occurrence, the anchor for `interval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtstart: Option<NaiveDate>,
    /// The last date of an occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// Free text, kept for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Schedule {
    /// True when `opens_at` and `closes_at` are the same time other than midnight, such as
    /// `09:00`-`09:00`: as written the opening lasts no time at all, so it is never open.
    /// (Midnight to midnight is the usual way to write a whole day, and is read so.) Such a
    /// schedule is most likely a closing time copied from the opening; rather than guess that
    /// the place is open around the clock, offramp treats it as closed and loading the
    /// directory gives a [`DirectoryWarning`](super::DirectoryWarning).
    pub fn is_empty_span(&self) -> bool {
        matches!(
            (self.opens_at, self.closes_at),
            (Some(open), Some(close)) if open == close && open != NaiveTime::MIN
        )
    }
}

/// A period when a site is closed whatever its schedules say (a holiday, a closure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    /// Closed from this local date-time...
    pub from: chrono::NaiveDateTime,
    /// ...until this local date-time (exclusive).
    pub to: chrono::NaiveDateTime,
    /// Why, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// When a place is open: a time zone, schedules and closures.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// IANA time zone of the schedules, e.g. `America/Chicago`.
    pub timezone: String,
    /// Open every hour of every day (closures still apply).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub always_open: bool,
    /// Recurring openings; the place is open when any is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<Schedule>,
    /// Closures that override the schedules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closures: Vec<Closure>,
}

/// An organization that runs services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Its id (HSDS `organization.id`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it does, in a sentence or two (HSDS `organization.description`, which HSDS
    /// requires, so an export carries it on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A place a service is delivered (HSDS `location` joined through `service_at_location`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// HSDS `service_at_location.id`, or the location id when there is no link record.
    pub id: String,
    /// HSDS `location.id`.
    pub location_id: String,
    /// The location's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Latitude (WGS 84), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// Longitude (WGS 84), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// Hours at this site; when absent, the service's hours apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
}

/// A service a partner offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Its id (HSDS `service.id`).
    pub id: String,
    /// The organization's id.
    pub organization_id: String,
    /// Its name.
    pub name: String,
    /// What kinds of service it is (from taxonomy terms through the mapping, or given).
    pub kinds: BTreeSet<ServiceKind>,
    /// Who it takes.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// Places free now, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    /// The service's hours; when absent and no site has hours, its hours are unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
    /// Where it is delivered; empty for a service with no fixed place (mobile, phone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<Site>,
    /// HSDS status: `active`, `inactive`, `defunct`, `temporarily closed`.
    #[serde(default = "active", skip_serializing_if = "is_active")]
    pub status: String,
    /// Taxonomy terms as read (codes), kept for export and audit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxonomy_terms: Vec<String>,
}

impl Service {
    /// Whether the service takes people now (HSDS `status` `active`, in any case). Inactive
    /// services are never offered, nor listed as open.
    pub fn is_active(&self) -> bool {
        self.status.eq_ignore_ascii_case("active")
    }
}

fn active() -> String {
    "active".into()
}

fn is_active(s: &String) -> bool {
    s == "active"
}

/// What a pathway asks of providers (compiled from the program).
#[derive(Debug, Clone)]
pub(crate) struct Needs {
    pub kinds: u16,
    pub prefer: u16,
    pub partners: Vec<String>,
    pub max_distance_km: Option<f64>,
    pub limit: usize,
    pub kind_words: Text,
}

/// The bit of a kind in a set of kinds held as a `u16` mask.
pub(crate) fn kind_bit(k: ServiceKind) -> u16 {
    1 << (k as u16)
}

// A set of kinds is a `u16` mask: a seventeenth kind needs a wider one.
const _: () = assert!(ServiceKind::COUNT <= 16);

/// A kind in words, for sentences (`offers withdrawal management`).
pub(crate) fn kind_words(k: ServiceKind) -> &'static str {
    match k {
        ServiceKind::WithdrawalManagement => "withdrawal management",
        ServiceKind::Moud => "medication for opioid use disorder",
        ServiceKind::Residential => "residential treatment",
        ServiceKind::Outpatient => "outpatient treatment",
        ServiceKind::MentalHealthCrisis => "mental-health crisis care",
        ServiceKind::CrisisStabilization => "crisis stabilization",
        ServiceKind::ShelterHousing => "shelter or housing",
        ServiceKind::CaseManagement => "case management",
        ServiceKind::PeerRecovery => "peer recovery support",
        ServiceKind::HarmReduction => "harm reduction",
        ServiceKind::SexWorkTrafficking => "services for people in sex work or trafficking",
    }
}
