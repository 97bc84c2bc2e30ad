//! Reading Open Referral HSDS 3.0 directories into offramp's provider model, and writing them
//! back.
//!
//! Agencies keep partner lists in the Human Services Data Specification (HSDS): as JSON (API
//! responses, one service, a page of services, organizations with nested services, or
//! `service_at_location` records) or as a tabular data package (`datapackage.json` with CSV
//! files). [`from_json_str`] and [`from_datapackage`] read both into [`Organization`]s and
//! [`Service`]s; [`to_hsds_json`] writes services back out as HSDS 3.0 JSON.
//!
//! # How HSDS fields are read
//!
//! | HSDS | offramp |
//! | --- | --- |
//! | `service.id`, `name`, `status` | [`Service::id`], [`Service::name`], [`Service::status`] (lower-cased) |
//! | nested `organization`, `organization_id`, or the enclosing organization | [`Service::organization_id`] and an [`Organization`] |
//! | `minimum_age`, `maximum_age` (numbers or numeric strings) | [`Eligibility`] ages (a fractional minimum is rounded up, a maximum down) |
//! | `languages[].code` (ISO 639-1 or 639-3; `name` when there is no code), and the languages of the service's locations | [`Eligibility::languages`], as ISO 639-3 lower case |
//! | `attributes[].taxonomy_term` | kinds, populations, intake and insurance through the [`TaxonomyMap`]; the codes (or names) in [`Service::taxonomy_terms`] |
//! | HSDS 3.1 `capacities[]` (also `service_capacity`, one object or a list) | [`Capacity`]: the entry counted in beds if there is one, else the first |
//! | `schedules` of the service | [`Service::hours`] |
//! | `service_at_locations[]` with `location` (or `location_id` naming a location the file holds) | [`Site`]s; their hours from the link's `schedules`, else the location's |
//!
//! Choices where HSDS leaves room:
//!
//! * **Time zones.** HSDS gives `schedule.timezone` as a UTC offset. The zone of a block of
//!   schedules is, in order: an IANA name in the schedule's `tzid` (an extension offramp's
//!   export writes), [`LoadOptions::timezone`], the numeric offset (as `Etc/GMT±N`, with a
//!   warning that daylight saving is unknown; a fractional offset is an error), an offset
//!   suffix on `opens_at`, and finally UTC with a warning. Times are read as local times; a
//!   `Z` or offset suffix that disagrees with the zone is stripped with a warning.
//! * **Schedules without rules.** A schedule with no `freq`, days or times (only free text)
//!   would mean "open all day, every day" in offramp's model, so it is dropped with a warning.
//!   A schedule open 00:00-00:00 (or to 23:59) on all seven days becomes
//!   [`Hours::always_open`].
//! * **iCal parts offramp does not use** (`count`, `byweekno`, `byyearday`, a `wkst` other than
//!   Monday with an interval) are ignored with a warning; `bymonthday` with `WEEKLY`, and `2TU`
//!   style days with `WEEKLY`, are invalid in iCal and are dropped with a warning. `DAILY` is
//!   read as no frequency (every day); `YEARLY` and shorter periods drop the schedule.
//! * **Closing at `24:00`** is read as midnight, which the model reads as running to the end
//!   of the day.
//! * **Coordinates** out of range (the HSDS examples use latitude 100) are dropped with a
//!   warning, not an error. Virtual locations are not sites.
//! * **Several records for one service** in a `service_at_location` list are merged into one
//!   service with several sites; in a list of services a repeated id is an error.
//! * **Tabular schedules** are attached to every record they name (`service_id`,
//!   `location_id`, `service_at_location_id`), as HSDS's own JSON examples nest them.
//! * **Files without services** (a taxonomy, a location, the API root) load as empty with a
//!   warning; JSON that is not HSDS at all is an error.
//!
//! CSV rows are numbered as in a spreadsheet: the header is row 1, the first record row 2.
//!
//! ```
//! use offramp::providers::hsds::{from_json_str, LoadOptions};
//! use offramp::providers::model::ServiceKind;
//!
//! let json = r#"[{
//!   "id": "svc-1", "name": "Walk-in detox", "status": "active",
//!   "organization": {"id": "org-1", "name": "Example Health"},
//!   "attributes": [{"id": "a1", "taxonomy_term": {"id": "t1", "code": "RX-1700", "taxonomy": "AIRS", "name": "Detoxification"}}],
//!   "schedules": [{"id": "s1", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "08:00", "closes_at": "20:00"}]
//! }]"#;
//! let options = LoadOptions { timezone: Some("America/Chicago".into()), ..LoadOptions::default() };
//! let loaded = from_json_str(json, "partners.json", &options).unwrap();
//! assert_eq!(loaded.services[0].kinds.iter().next(), Some(&ServiceKind::WithdrawalManagement));
//! assert_eq!(loaded.organizations[0].name, "Example Health");
//! assert_eq!(loaded.services[0].hours.as_ref().unwrap().timezone, "America/Chicago");
//! ```

mod builder;
mod classify;
mod export;
mod fields;
mod json;
mod schedule;
mod tabular;

use super::model::{Organization, Service};
use super::taxonomy::TaxonomyMap;

#[allow(deprecated)]
pub use super::error::LoadWarning;
pub use super::error::{DirectoryError, DirectoryWarning, LoadSetting};
pub use export::to_hsds_json;
pub use json::from_json_str;
pub use tabular::from_datapackage;

/// How to read a directory.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The directory's IANA time zone (`America/Chicago`), used for schedules that name none
    /// and in place of HSDS's numeric UTC offsets, which cannot express daylight saving.
    pub timezone: Option<String>,
    /// How taxonomy terms map to kinds, populations, intake and insurance.
    pub taxonomy: TaxonomyMap,
}

/// What a directory held.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Organizations, in the order first met.
    pub organizations: Vec<Organization>,
    /// Services, in the order first met.
    pub services: Vec<Service>,
    /// What was incomplete or ignored; such records still load.
    pub warnings: Vec<DirectoryWarning>,
}
