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

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::model::{
    ByDay, Capacity, Eligibility, Frequency, Hours, Intake, Organization, Schedule, Service, Site,
    Weekday,
};
use super::taxonomy::{
    IntakeMode, OFFRAMP_TAXONOMY, TaxonomyMap, TermRef, kind_code, population_code,
};

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
    pub warnings: Vec<LoadWarning>,
}

/// Something incomplete in a directory that did not stop it loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    /// The file.
    pub file: String,
    /// The record (`service 8a2c...`, `row 4`).
    pub record: String,
    /// The field, when one.
    pub field: Option<String>,
    /// What is incomplete or was ignored.
    pub message: String,
}

impl fmt::Display for LoadWarning {
    /// `FILE: RECORD: FIELD: message` (`-` for no field).
    ///
    /// ```
    /// use offramp::providers::hsds::LoadWarning;
    /// let w = LoadWarning { file: "a.json".into(), record: "service s1".into(), field: None, message: "no hours".into() };
    /// assert_eq!(w.to_string(), "a.json: service s1: -: no hours");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}: {}",
            self.file,
            self.record,
            self.field.as_deref().unwrap_or("-"),
            self.message
        )
    }
}

/// A directory could not be read. Every variant names the file, the record (id, CSV row or
/// position) and the field; [`Display`](fmt::Display) gives `FILE: RECORD: FIELD: message`.
/// Messages name ids, fields and formats, never free-text contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// A file could not be read.
    #[error("{file}: -: -: cannot read the file: {message}")]
    Io {
        /// The path.
        file: String,
        /// The operating system's reason.
        message: String,
    },
    /// The text is not JSON.
    #[error("{file}: line {line}, column {column}: -: not valid JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's reason.
        message: String,
    },
    /// A CSV file could not be parsed.
    #[error("{file}: row {row}: -: not valid CSV: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The row (the header is row 1).
        row: u64,
        /// The parser's reason.
        message: String,
    },
    /// The JSON is valid but is not an HSDS record or list that offramp reads.
    #[error("{file}: {record}: -: {message}")]
    Shape {
        /// The file.
        file: String,
        /// Where (`top level`, `contents[2]`).
        record: String,
        /// What was found and what was expected.
        message: String,
    },
    /// A required field is absent or empty.
    #[error("{file}: {record}: {field}: is missing; {expected}")]
    MissingField {
        /// The file.
        file: String,
        /// The record.
        record: String,
        /// The field.
        field: String,
        /// What is expected there.
        expected: String,
    },
    /// A field has a value offramp cannot read.
    #[error("{file}: {record}: {field}: expected {expected}{}", found.as_ref().map(|f| format!(", found `{f}`")).unwrap_or_default())]
    InvalidValue {
        /// The file.
        file: String,
        /// The record.
        record: String,
        /// The field.
        field: String,
        /// What was expected.
        expected: String,
        /// The value found, for format fields (times, dates, numbers, codes) only, cut to 40
        /// characters.
        found: Option<Box<str>>,
    },
    /// A field names a record the directory does not hold.
    #[error("{file}: {record}: {field}: names {target} `{id}`, which is not in the directory")]
    UnknownReference {
        /// The file.
        file: String,
        /// The record.
        record: String,
        /// The field holding the reference.
        field: String,
        /// What kind of record it should name (`location`).
        target: String,
        /// The id named.
        id: String,
    },
    /// Two records share an id.
    #[error("{file}: {record}: {field}: the id is already used by {first}")]
    Duplicate {
        /// The file.
        file: String,
        /// The second record.
        record: String,
        /// The field (`id`).
        field: String,
        /// Where the id was first used.
        first: String,
    },
}

impl DirectoryError {
    /// The file the error is in.
    ///
    /// ```
    /// use offramp::providers::hsds::{from_json_str, LoadOptions};
    /// let e = from_json_str("[1", "x.json", &LoadOptions::default()).unwrap_err();
    /// assert_eq!(e.file(), "x.json");
    /// ```
    pub fn file(&self) -> &str {
        match self {
            DirectoryError::Io { file, .. }
            | DirectoryError::Json { file, .. }
            | DirectoryError::Csv { file, .. }
            | DirectoryError::Shape { file, .. }
            | DirectoryError::MissingField { file, .. }
            | DirectoryError::InvalidValue { file, .. }
            | DirectoryError::UnknownReference { file, .. }
            | DirectoryError::Duplicate { file, .. } => file,
        }
    }

    /// The record (`service 8a2c...`, `row 4`, `line 3, column 9`), or `-`.
    ///
    /// ```
    /// use offramp::providers::hsds::{from_json_str, LoadOptions};
    /// let e = from_json_str(r#"[{"name": "x", "status": "active"}]"#, "x.json", &LoadOptions::default()).unwrap_err();
    /// assert_eq!(e.record(), "service at [0]");
    /// ```
    pub fn record(&self) -> String {
        match self {
            DirectoryError::Io { .. } => "-".into(),
            DirectoryError::Json { line, column, .. } => format!("line {line}, column {column}"),
            DirectoryError::Csv { row, .. } => format!("row {row}"),
            DirectoryError::Shape { record, .. }
            | DirectoryError::MissingField { record, .. }
            | DirectoryError::InvalidValue { record, .. }
            | DirectoryError::UnknownReference { record, .. }
            | DirectoryError::Duplicate { record, .. } => record.clone(),
        }
    }

    /// The field, or `-`.
    ///
    /// ```
    /// use offramp::providers::hsds::{from_json_str, LoadOptions};
    /// let e = from_json_str(r#"[{"name": "x", "status": "active"}]"#, "x.json", &LoadOptions::default()).unwrap_err();
    /// assert_eq!(e.field(), "id");
    /// ```
    pub fn field(&self) -> &str {
        match self {
            DirectoryError::Io { .. }
            | DirectoryError::Json { .. }
            | DirectoryError::Csv { .. }
            | DirectoryError::Shape { .. } => "-",
            DirectoryError::MissingField { field, .. }
            | DirectoryError::InvalidValue { field, .. }
            | DirectoryError::UnknownReference { field, .. }
            | DirectoryError::Duplicate { field, .. } => field,
        }
    }
}

/// Where a record came from, for messages.
#[derive(Debug, Clone)]
struct Rec {
    file: String,
    record: String,
}

impl Rec {
    fn missing(&self, field: &str, expected: &str) -> DirectoryError {
        DirectoryError::MissingField {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.into(),
            expected: expected.into(),
        }
    }

    fn invalid(&self, field: &str, expected: &str, found: Option<&Value>) -> DirectoryError {
        DirectoryError::InvalidValue {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.into(),
            expected: expected.into(),
            found: found.map(|v| short_value(v).into()),
        }
    }

    fn unknown(&self, field: &str, target: &str, id: &str) -> DirectoryError {
        DirectoryError::UnknownReference {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.into(),
            target: target.into(),
            id: id.into(),
        }
    }

    fn duplicate(&self, field: &str, first: &Rec) -> DirectoryError {
        let first = if first.file == self.file {
            first.record.clone()
        } else {
            format!("{}: {}", first.file, first.record)
        };
        DirectoryError::Duplicate {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.into(),
            first,
        }
    }

    fn warn(&self, field: Option<&str>, message: impl Into<String>) -> LoadWarning {
        LoadWarning {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.map(str::to_string),
            message: message.into(),
        }
    }
}

/// A value for a message: strings and numbers, cut to 40 characters.
fn short_value(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    };
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Rows of one table, each with where it came from.
type Rows = Vec<(Rec, Map<String, Value>)>;
/// Tables by canonical name.
type Tables = HashMap<&'static str, Rows>;
/// Rows by id.
type Indexed = HashMap<String, (Rec, Map<String, Value>)>;

/// The key under which tabular rows remember their file and row.
const SRC: &str = "$src";

/// A field, treating `null` and blank strings as absent.
fn get<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => Some(v),
    }
}

/// A string or number as trimmed text.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn get_text(o: &Map<String, Value>, key: &str) -> Option<String> {
    get(o, key).and_then(text_of)
}

/// A number, or a string holding one.
fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

/// A list field: an array, or a single object read as a list of one.
fn list_of<'a>(o: &'a Map<String, Value>, key: &str) -> Vec<&'a Value> {
    match get(o, key) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

fn rec_of(o: &Map<String, Value>, file: &str, fallback: String) -> Rec {
    if let Some(Value::Object(src)) = o.get(SRC) {
        let f = src.get("file").and_then(Value::as_str).unwrap_or(file);
        let r = src.get("record").and_then(Value::as_str).unwrap_or("-");
        return Rec {
            file: f.to_string(),
            record: r.to_string(),
        };
    }
    Rec {
        file: file.to_string(),
        record: fallback,
    }
}

/// What a JSON object appears to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Service,
    Organization,
    ServiceAtLocation,
    Location,
    TaxonomyTerm,
    Taxonomy,
    ApiRoot,
    Unknown,
}

const SERVICE_KEYS: &[&str] = &[
    "status",
    "service_at_locations",
    "organization",
    "organization_id",
    "minimum_age",
    "maximum_age",
    "eligibility_description",
    "application_process",
    "program",
    "program_id",
    "interpretation_services",
    "fees_description",
    "service_areas",
    "cost_options",
    "required_documents",
    "capacities",
    "service_capacity",
    "assured_date",
    "assurer_email",
    "alert",
    "accreditations",
    "wait_time",
    "fees",
    "licenses",
    "last_modified",
];
const ORG_KEYS: &[&str] = &[
    "website",
    "services",
    "locations",
    "tax_status",
    "tax_id",
    "legal_status",
    "year_incorporated",
    "parent_organization_id",
    "logo",
    "organization_identifiers",
    "programs",
];
const LOCATION_KEYS: &[&str] = &[
    "location_type",
    "latitude",
    "longitude",
    "addresses",
    "accessibility",
    "transportation",
    "external_identifier",
    "external_identifier_type",
];
const TERM_KEYS: &[&str] = &[
    "code",
    "parent_id",
    "taxonomy",
    "taxonomy_detail",
    "term_uri",
    "taxonomy_id",
];

fn classify(o: &Map<String, Value>) -> Kind {
    let score = |keys: &[&str]| keys.iter().filter(|k| get(o, k).is_some()).count();
    if matches!(o.get("service"), Some(Value::Object(_)))
        || (get(o, "service_id").is_some()
            && get(o, "location_id").is_some()
            && get(o, "name").is_none())
    {
        return Kind::ServiceAtLocation;
    }
    let (s, g) = (score(SERVICE_KEYS), score(ORG_KEYS));
    if g > s {
        return Kind::Organization;
    }
    if s > 0 {
        return Kind::Service;
    }
    if score(LOCATION_KEYS) > 0 {
        return Kind::Location;
    }
    if score(TERM_KEYS) > 0 {
        return Kind::TaxonomyTerm;
    }
    if get(o, "openapi_url").is_some() || get(o, "profile").is_some() {
        return Kind::ApiRoot;
    }
    if get(o, "name").is_some() && (get(o, "uri").is_some() || get(o, "version").is_some()) {
        return Kind::Taxonomy;
    }
    Kind::Unknown
}

/// The state of one load.
struct Builder<'o> {
    file: String,
    opts: &'o LoadOptions,
    zone: Option<Tz>,
    orgs: Vec<Organization>,
    org_idx: HashMap<String, (usize, Rec)>,
    services: Vec<Service>,
    svc_idx: HashMap<String, (usize, Rec)>,
    locations: HashMap<String, Value>,
    warnings: Vec<LoadWarning>,
    skipped: BTreeSet<&'static str>,
}

impl<'o> Builder<'o> {
    fn new(file: &str, opts: &'o LoadOptions) -> Result<Builder<'o>, DirectoryError> {
        let zone = match opts
            .timezone
            .as_deref()
            .map(str::trim)
            .filter(|z| !z.is_empty())
        {
            None => None,
            Some(z) => Some(z.parse::<Tz>().map_err(|_| DirectoryError::InvalidValue {
                file: "<options>".into(),
                record: "LoadOptions".into(),
                field: "timezone".into(),
                expected: "an IANA time zone such as America/Chicago".into(),
                found: Some(short_value(&Value::String(z.to_string())).into()),
            })?),
        };
        Ok(Builder {
            file: file.to_string(),
            opts,
            zone,
            orgs: Vec::new(),
            org_idx: HashMap::new(),
            services: Vec::new(),
            svc_idx: HashMap::new(),
            locations: HashMap::new(),
            warnings: Vec::new(),
            skipped: BTreeSet::new(),
        })
    }

    fn finish(mut self) -> Loaded {
        if self.services.is_empty() {
            let what = if self.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " (it holds {})",
                    self.skipped.iter().copied().collect::<Vec<_>>().join(", ")
                )
            };
            self.warnings.push(LoadWarning {
                file: self.file.clone(),
                record: "-".into(),
                field: None,
                message: format!("no services found{what}"),
            });
        }
        Loaded {
            organizations: self.orgs,
            services: self.services,
            warnings: self.warnings,
        }
    }

    /// Any top-level or list item.
    fn item(&mut self, v: &Value, at: &str) -> Result<(), DirectoryError> {
        let Value::Object(o) = v else {
            return Err(DirectoryError::Shape {
                file: self.file.clone(),
                record: at.to_string(),
                message: "expected an HSDS object (service, organization or service_at_location)"
                    .into(),
            });
        };
        match classify(o) {
            Kind::Service => {
                self.service(o, &format!("service at {at}"), None, false)?;
            }
            Kind::Organization => self.organization(o, at)?,
            Kind::ServiceAtLocation => self.top_sal(o, at)?,
            Kind::Location => {
                if let Some(id) = get_text(o, "id") {
                    self.locations.insert(id, v.clone());
                }
                self.skipped.insert("locations");
            }
            Kind::TaxonomyTerm => {
                self.skipped.insert("taxonomy terms");
            }
            Kind::Taxonomy => {
                self.skipped.insert("taxonomies");
            }
            Kind::ApiRoot => {
                self.skipped.insert("the API root");
            }
            Kind::Unknown => {
                return Err(DirectoryError::Shape {
                    file: self.file.clone(),
                    record: at.to_string(),
                    message: "cannot tell what record this is: expected an HSDS service (with `status`), organization, service_at_location, or a page with `contents`".into(),
                });
            }
        }
        Ok(())
    }

    fn organization(&mut self, o: &Map<String, Value>, at: &str) -> Result<(), DirectoryError> {
        let rec = rec_of(o, &self.file, format!("organization at {at}"));
        let id =
            get_text(o, "id").ok_or_else(|| rec.missing("id", "every organization needs an id"))?;
        let rec = rec_of(o, &self.file, format!("organization {id}"));
        if let Some((_, first)) = self.org_idx.get(&id) {
            return Err(rec.duplicate("id", first));
        }
        self.add_org(o, &id, &rec);
        for l in list_of(o, "locations") {
            if let Some(lid) = l.as_object().and_then(|m| get_text(m, "id")) {
                self.locations.insert(lid, l.clone());
            }
        }
        for (i, s) in list_of(o, "services").into_iter().enumerate() {
            let Value::Object(s) = s else {
                return Err(rec.invalid(&format!("services[{i}]"), "a service object", Some(s)));
            };
            self.service(
                s,
                &format!("service at organization {id} services[{i}]"),
                Some(&id),
                false,
            )?;
        }
        Ok(())
    }

    /// Registers an organization met nested or at the top level.
    fn add_org(&mut self, o: &Map<String, Value>, id: &str, rec: &Rec) {
        let name = get_text(o, "name");
        if let Some((i, _)) = self.org_idx.get(id) {
            if let (Some(n), Some(org)) = (&name, self.orgs.get(*i)) {
                if *n != org.name && org.name != org.id {
                    self.warnings.push(rec.warn(Some("name"), format!("organization {id} is named differently elsewhere; the first name is kept")));
                } else if org.name == org.id
                    && let Some(org) = self.orgs.get_mut(*i)
                {
                    org.name = n.clone();
                }
            }
            return;
        }
        let name = name.unwrap_or_else(|| {
            self.warnings
                .push(rec.warn(Some("name"), "the organization has no name; its id is used"));
            id.to_string()
        });
        self.org_idx
            .insert(id.to_string(), (self.orgs.len(), rec.clone()));
        self.orgs.push(Organization {
            id: id.to_string(),
            name,
        });
    }

    fn top_sal(&mut self, o: &Map<String, Value>, at: &str) -> Result<(), DirectoryError> {
        let rec = rec_of(
            o,
            &self.file,
            match get_text(o, "id") {
                Some(id) => format!("service_at_location {id}"),
                None => format!("service_at_location at {at}"),
            },
        );
        let idx = match o.get("service") {
            Some(Value::Object(s)) => {
                self.service(s, &format!("service at {at}.service"), None, true)?
            }
            _ => {
                let sid = get_text(o, "service_id").ok_or_else(|| {
                    rec.missing(
                        "service_id",
                        "a service_at_location needs `service` or `service_id`",
                    )
                })?;
                match self.svc_idx.get(&sid) {
                    Some((i, _)) => *i,
                    None => return Err(rec.unknown("service_id", "service", &sid)),
                }
            }
        };
        let site = self.site(o, &rec)?;
        if let (Some(site), Some(svc)) = (site, self.services.get_mut(idx)) {
            if svc.sites.iter().any(|s| s.id == site.id) {
                self.warnings.push(rec.warn(
                    Some("id"),
                    "this service_at_location was already read; the repeat is ignored",
                ));
            } else {
                svc.sites.push(site);
            }
        }
        self.merge_site_languages(idx, o, &rec);
        Ok(())
    }

    fn merge_site_languages(&mut self, idx: usize, sal: &Map<String, Value>, rec: &Rec) {
        let Some(Value::Object(loc)) = get(sal, "location")
            .cloned()
            .or_else(|| get_text(sal, "location_id").and_then(|l| self.locations.get(&l).cloned()))
        else {
            return;
        };
        let langs = self.languages(&loc, rec);
        if let Some(svc) = self.services.get_mut(idx) {
            for l in langs {
                if !svc.eligibility.languages.contains(&l) {
                    svc.eligibility.languages.push(l);
                }
            }
        }
    }

    /// Reads one service object; returns its index. With `merge`, a service already read is
    /// reused (for service_at_location lists); otherwise a repeated id is an error.
    fn service(
        &mut self,
        s: &Map<String, Value>,
        at: &str,
        parent_org: Option<&str>,
        merge: bool,
    ) -> Result<usize, DirectoryError> {
        let rec = rec_of(s, &self.file, at.to_string());
        let id = get_text(s, "id").ok_or_else(|| rec.missing("id", "every service needs an id"))?;
        let rec = rec_of(s, &self.file, format!("service {id}"));
        if let Some((i, first)) = self.svc_idx.get(&id) {
            if merge {
                return Ok(*i);
            }
            return Err(rec.duplicate("id", first));
        }
        let name = get_text(s, "name").unwrap_or_else(|| {
            self.warnings
                .push(rec.warn(Some("name"), "the service has no name; its id is used"));
            id.clone()
        });
        // Organization.
        let organization_id = match get(s, "organization") {
            Some(Value::Object(org)) => {
                let orec = Rec {
                    file: rec.file.clone(),
                    record: format!("{} organization", rec.record),
                };
                let oid = get_text(org, "id").ok_or_else(|| {
                    orec.missing("organization.id", "a nested organization needs an id")
                })?;
                let orec = rec_of(org, &self.file, format!("organization {oid}"));
                self.add_org(org, &oid, &orec);
                oid
            }
            _ => match get_text(s, "organization_id").or_else(|| parent_org.map(str::to_string)) {
                Some(oid) => oid,
                None => {
                    self.warnings.push(
                        rec.warn(Some("organization_id"), "the service names no organization"),
                    );
                    String::new()
                }
            },
        };
        // Status.
        let status = match get_text(s, "status") {
            Some(st) => {
                let st = st.to_lowercase();
                if !["active", "inactive", "defunct", "temporarily closed"].contains(&st.as_str()) {
                    self.warnings.push(rec.warn(
                        Some("status"),
                        "expected active, inactive, defunct or temporarily closed; kept as given",
                    ));
                }
                if st != "active" {
                    self.warnings.push(rec.warn(
                        Some("status"),
                        format!(
                            "the service is `{}`, not active",
                            short_value(&Value::String(st.clone()))
                        ),
                    ));
                }
                st
            }
            None => {
                self.warnings
                    .push(rec.warn(Some("status"), "no status; read as active"));
                "active".into()
            }
        };
        let mut eligibility = Eligibility::default();
        // Ages.
        let min = self.age(s, "minimum_age", &rec, true)?;
        let max = self.age(s, "maximum_age", &rec, false)?;
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            return Err(rec.invalid(
                "maximum_age",
                "an age no lower than minimum_age",
                get(s, "maximum_age"),
            ));
        }
        eligibility.minimum_age = min;
        eligibility.maximum_age = max;
        eligibility.languages = self.languages(s, &rec);
        // Taxonomy.
        let mut kinds = BTreeSet::new();
        let mut intake = BTreeSet::new();
        let mut taxonomy_terms: Vec<String> = Vec::new();
        let attrs = list_of(s, "attributes");
        let mut term_count = 0usize;
        for (i, a) in attrs.iter().enumerate() {
            let Value::Object(a) = a else {
                return Err(rec.invalid(
                    &format!("attributes[{i}]"),
                    "an attribute object",
                    Some(a),
                ));
            };
            let term = match get(a, "taxonomy_term") {
                Some(Value::Object(t)) => t,
                Some(other) => {
                    return Err(rec.invalid(
                        &format!("attributes[{i}].taxonomy_term"),
                        "a taxonomy_term object",
                        Some(other),
                    ));
                }
                None => {
                    if get(a, "taxonomy_term_id").is_some() {
                        self.warnings.push(rec.warn(Some(&format!("attributes[{i}].taxonomy_term_id")), "the taxonomy term is not included in the file; the attribute is ignored"));
                    }
                    continue;
                }
            };
            term_count += 1;
            let mut labels = Vec::new();
            if let Some(t) = get_text(term, "taxonomy") {
                labels.push(t);
            }
            if let Some(Value::Object(d)) = get(term, "taxonomy_detail") {
                labels.extend(get_text(d, "name"));
                labels.extend(get_text(d, "uri"));
            }
            let tref = TermRef {
                taxonomy: labels,
                code: get_text(term, "code"),
                name: get_text(term, "name"),
            };
            let is_offramp = tref
                .taxonomy
                .iter()
                .any(|l| super::taxonomy::norm_label(l) == OFFRAMP_TAXONOMY);
            let kept = tref.taxonomy.iter().any(|l| l == KEPT_TAXONOMY);
            let effect = if kept {
                Default::default()
            } else {
                self.opts.taxonomy.lookup(&tref)
            };
            kinds.extend(effect.kinds.iter().copied());
            eligibility
                .populations
                .extend(effect.populations.iter().copied());
            eligibility.populations_only |= effect.populations_only;
            intake.extend(effect.intake.iter().copied());
            for w in &effect.insurance {
                if !eligibility.insurance.contains(w) {
                    eligibility.insurance.push(w.clone());
                }
            }
            if !is_offramp
                && let Some(code) = tref.code.clone().or(tref.name.clone())
                && !taxonomy_terms.contains(&code)
            {
                taxonomy_terms.push(code);
            }
        }
        eligibility.intake = match (
            intake.contains(&IntakeMode::WalkIn),
            intake.contains(&IntakeMode::ReferralOnly),
        ) {
            (true, false) if !intake.contains(&IntakeMode::Either) => Intake::WalkIn,
            (false, true) if !intake.contains(&IntakeMode::Either) => Intake::ReferralOnly,
            _ => Intake::Either,
        };
        if kinds.is_empty() {
            let why = if term_count == 0 {
                "it has no taxonomy terms".to_string()
            } else {
                format!(
                    "none of its {term_count} taxonomy terms is in the mapping `{}`",
                    self.opts.taxonomy.name()
                )
            };
            self.warnings
                .push(rec.warn(Some("attributes"), format!("no service kind: {why}")));
        }
        let capacity = self.capacity(s, &rec)?;
        let hours = self.hours(&list_of(s, "schedules"), &rec, "schedules")?;
        let idx = self.services.len();
        self.svc_idx.insert(id.clone(), (idx, rec.clone()));
        self.services.push(Service {
            id: id.clone(),
            organization_id,
            name,
            kinds,
            eligibility,
            capacity,
            hours,
            sites: Vec::new(),
            status,
            taxonomy_terms,
        });
        // Sites.
        for (i, sal) in list_of(s, "service_at_locations").into_iter().enumerate() {
            let Value::Object(sal) = sal else {
                return Err(rec.invalid(
                    &format!("service_at_locations[{i}]"),
                    "a service_at_location object",
                    Some(sal),
                ));
            };
            let srec = rec_of(
                sal,
                &self.file,
                match get_text(sal, "id") {
                    Some(sid) => format!("service_at_location {sid}"),
                    None => format!("service {id} service_at_locations[{i}]"),
                },
            );
            if let Some(site) = self.site(sal, &srec)?
                && let Some(svc) = self.services.get_mut(idx)
            {
                if let Some(first) = svc.sites.iter().find(|x| x.id == site.id) {
                    let first = Rec {
                        file: srec.file.clone(),
                        record: format!("service_at_location {}", first.id),
                    };
                    return Err(srec.duplicate("id", &first));
                }
                svc.sites.push(site);
            }
            self.merge_site_languages(idx, sal, &srec);
        }
        if let Some(svc) = self.services.get(idx)
            && svc.hours.is_none()
            && svc.sites.iter().all(|x| x.hours.is_none())
        {
            self.warnings.push(rec.warn(
                Some("schedules"),
                "no usable hours for the service or its sites",
            ));
        }
        Ok(idx)
    }

    fn age(
        &mut self,
        s: &Map<String, Value>,
        field: &str,
        rec: &Rec,
        minimum: bool,
    ) -> Result<Option<u16>, DirectoryError> {
        let Some(v) = get(s, field) else {
            return Ok(None);
        };
        let n = num_of(v)
            .filter(|n| (0.0..=150.0).contains(n))
            .ok_or_else(|| rec.invalid(field, "an age in years between 0 and 150", Some(v)))?;
        let r = if minimum { n.ceil() } else { n.floor() };
        if r != n {
            self.warnings
                .push(rec.warn(Some(field), format!("a fractional age was rounded to {r}")));
        }
        Ok(Some(r as u16))
    }

    fn languages(&mut self, o: &Map<String, Value>, rec: &Rec) -> Vec<String> {
        let mut out = Vec::new();
        for (i, l) in list_of(o, "languages").into_iter().enumerate() {
            let field = format!("languages[{i}]");
            let (code, name) = match l {
                Value::Object(m) => (get_text(m, "code"), get_text(m, "name")),
                Value::String(s) => (Some(s.trim().to_string()), None),
                _ => (None, None),
            };
            let found = match (&code, &name) {
                (Some(c), _) => language_code(c),
                (None, Some(n)) => language_by_name(n),
                (None, None) => None,
            };
            match found {
                Some(c) => {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
                None => {
                    let shown = code
                        .as_ref()
                        .map(|c| format!("code `{}`", short_value(&Value::String(c.clone()))))
                        .unwrap_or_else(|| "a language with no code".into());
                    self.warnings.push(rec.warn(
                        Some(&field),
                        format!("unknown language: {shown}; expected an ISO 639-1 or 639-3 code"),
                    ));
                }
            }
        }
        out
    }

    fn capacity(
        &mut self,
        s: &Map<String, Value>,
        rec: &Rec,
    ) -> Result<Option<Capacity>, DirectoryError> {
        let mut items: Vec<(String, &Value)> = Vec::new();
        for key in ["capacities", "service_capacity"] {
            for (i, v) in list_of(s, key).into_iter().enumerate() {
                items.push((format!("{key}[{i}]"), v));
            }
        }
        let mut read = Vec::new();
        for (field, v) in items {
            let Value::Object(c) = v else {
                return Err(rec.invalid(&field, "a service_capacity object", Some(v)));
            };
            let av = get(c, "available").ok_or_else(|| {
                rec.missing(&format!("{field}.available"), "the number of places free")
            })?;
            let available = count_of(av).ok_or_else(|| {
                rec.invalid(
                    &format!("{field}.available"),
                    "a whole number of 0 or more",
                    Some(av),
                )
            })?;
            let maximum = match get(c, "maximum") {
                None => None,
                Some(m) => Some(count_of(m).ok_or_else(|| {
                    rec.invalid(
                        &format!("{field}.maximum"),
                        "a whole number of 0 or more",
                        Some(m),
                    )
                })?),
            };
            let unit_name = match get(c, "unit") {
                Some(Value::Object(u)) => get_text(u, "name").or_else(|| get_text(u, "identifier")),
                Some(v) => text_of(v),
                None => None,
            };
            let unit = match unit_name {
                Some(u) => norm_unit(&u),
                None => {
                    self.warnings
                        .push(rec.warn(Some(&format!("{field}.unit")), "no unit; read as `place`"));
                    "place".into()
                }
            };
            let updated = match get(c, "updated") {
                None => None,
                Some(u) => {
                    let t = text_of(u).unwrap_or_default();
                    Some(DateTime::parse_from_rfc3339(&t).map_err(|_| {
                        rec.invalid(
                            &format!("{field}.updated"),
                            "an RFC 3339 date-time such as 2024-09-25T14:23:06+01:00",
                            Some(u),
                        )
                    })?)
                }
            };
            if let Some(m) = maximum
                && available > m
            {
                self.warnings.push(rec.warn(
                    Some(&format!("{field}.available")),
                    "more places available than the maximum",
                ));
            }
            read.push((
                field,
                Capacity {
                    available,
                    maximum,
                    unit,
                    updated,
                },
            ));
        }
        if read.len() > 1 {
            self.warnings.push(rec.warn(
                Some("capacities"),
                format!(
                    "{} capacities given; offramp keeps one (beds if listed, else the first)",
                    read.len()
                ),
            ));
        }
        let pick = read.iter().position(|(_, c)| c.unit == "bed").unwrap_or(0);
        Ok(if read.is_empty() {
            None
        } else {
            Some(read.swap_remove(pick).1)
        })
    }

    /// Reads a service_at_location into a site (None for virtual locations).
    fn site(
        &mut self,
        sal: &Map<String, Value>,
        rec: &Rec,
    ) -> Result<Option<Site>, DirectoryError> {
        let loc: Map<String, Value> = match get(sal, "location") {
            Some(Value::Object(l)) => l.clone(),
            Some(other) => return Err(rec.invalid("location", "a location object", Some(other))),
            None => {
                let lid = get_text(sal, "location_id").ok_or_else(|| {
                    rec.missing(
                        "location_id",
                        "a service_at_location needs `location` or `location_id`",
                    )
                })?;
                match self.locations.get(&lid) {
                    Some(Value::Object(l)) => l.clone(),
                    _ => return Err(rec.unknown("location_id", "location", &lid)),
                }
            }
        };
        let lrec_hint = Rec {
            file: rec.file.clone(),
            record: format!("{} location", rec.record),
        };
        let location_id = get_text(&loc, "id")
            .ok_or_else(|| lrec_hint.missing("location.id", "every location needs an id"))?;
        let lrec = rec_of(&loc, &self.file, format!("location {location_id}"));
        if let Some(named) = get_text(sal, "location_id")
            && named != location_id
        {
            return Err(rec.invalid(
                "location_id",
                "the id of the nested location",
                get(sal, "location_id"),
            ));
        }
        self.locations
            .entry(location_id.clone())
            .or_insert_with(|| Value::Object(loc.clone()));
        let virtual_only =
            get_text(&loc, "location_type").is_some_and(|t| t.eq_ignore_ascii_case("virtual"));
        if virtual_only {
            self.warnings.push(lrec.warn(
                Some("location_type"),
                "a virtual location is not a site; only its link is skipped",
            ));
            return Ok(None);
        }
        let (mut latitude, mut longitude) = (None, None);
        let lat = get(&loc, "latitude");
        let lon = get(&loc, "longitude");
        match (lat, lon) {
            (Some(a), Some(b)) => match (num_of(a), num_of(b)) {
                (Some(x), Some(y))
                    if (-90.0..=90.0).contains(&x) && (-180.0..=180.0).contains(&y) =>
                {
                    latitude = Some(x);
                    longitude = Some(y);
                }
                (Some(x), Some(_)) => {
                    let field = if (-90.0..=90.0).contains(&x) {
                        "longitude"
                    } else {
                        "latitude"
                    };
                    self.warnings.push(lrec.warn(Some(field), "coordinates out of range (latitude -90..90, longitude -180..180); they are dropped"));
                }
                _ => {
                    self.warnings.push(lrec.warn(
                        Some("latitude"),
                        "coordinates are not numbers; they are dropped",
                    ));
                }
            },
            (None, None) => self.warnings.push(lrec.warn(
                Some("latitude"),
                "no coordinates; distance to this site is unknown",
            )),
            _ => self.warnings.push(lrec.warn(
                Some("latitude"),
                "only one of latitude and longitude is given; both are dropped",
            )),
        }
        let site_id = get_text(sal, "id").unwrap_or_else(|| location_id.clone());
        let sal_schedules = list_of(sal, "schedules");
        let hours = if sal_schedules.is_empty() {
            self.hours(&list_of(&loc, "schedules"), &lrec, "schedules")?
        } else {
            self.hours(&sal_schedules, rec, "schedules")?
        };
        Ok(Some(Site {
            id: site_id,
            location_id,
            name: get_text(&loc, "name"),
            latitude,
            longitude,
            hours,
        }))
    }
}

fn count_of(v: &Value) -> Option<u32> {
    num_of(v)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32)
}

fn norm_unit(u: &str) -> String {
    let u = u.trim().to_lowercase();
    let u = u.split_whitespace().collect::<Vec<_>>().join("_");
    for (plural, one) in [
        ("beds", "bed"),
        ("slots", "slot"),
        ("appointments", "appointment"),
        ("places", "place"),
        ("spaces", "space"),
        ("seats", "seat"),
        ("rooms", "room"),
        ("spots", "spot"),
    ] {
        if u == plural {
            return one.into();
        }
    }
    u
}

/// A time of day as read from `opens_at`/`closes_at`.
struct ReadTime {
    time: NaiveTime,
    /// The offset suffix in seconds east of UTC (`Z` is 0).
    offset: Option<i32>,
    /// The text was 24:00.
    end_of_day: bool,
}

/// Reads `HH:MM`, `HH:MM:SS` (with optional fraction), an optional `Z` or `±HH[:MM]` suffix,
/// and 24:00 as the end of the day.
fn parse_time(s: &str) -> Option<ReadTime> {
    let s = s.trim();
    let (body, offset) = if let Some(b) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        (b, Some(0))
    } else if let Some(pos) = s.rfind(['+', '-']) {
        let (b, off) = s.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off.chars().skip(1).filter(|c| *c != ':').collect();
        if !(digits.len() == 2 || digits.len() == 4) || !digits.chars().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let h: i32 = digits.get(..2)?.parse().ok()?;
        let m: i32 = if digits.len() == 4 {
            digits.get(2..)?.parse().ok()?
        } else {
            0
        };
        if h > 14 || m > 59 {
            return None;
        }
        (b, Some(sign * (h * 3600 + m * 60)))
    } else {
        (s, None)
    };
    let parts: Vec<&str> = body.split(':').collect();
    if !(parts.len() == 2 || parts.len() == 3) {
        return None;
    }
    let num = |p: &str, max_len: usize| -> Option<u32> {
        if p.is_empty() || p.len() > max_len || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let h = num(parts.first()?, 2)?;
    if parts.get(1)?.len() != 2 {
        return None;
    }
    let m = num(parts.get(1)?, 2)?;
    let sec = match parts.get(2) {
        None => 0,
        Some(p) => {
            let whole = p.split('.').next().unwrap_or("");
            if whole.len() != 2
                || p.split('.')
                    .nth(1)
                    .is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
            {
                return None;
            }
            num(whole, 2)?
        }
    };
    if h == 24 && m == 0 && sec == 0 {
        return Some(ReadTime {
            time: NaiveTime::MIN,
            offset,
            end_of_day: true,
        });
    }
    Some(ReadTime {
        time: NaiveTime::from_hms_opt(h, m, sec)?,
        offset,
        end_of_day: false,
    })
}

fn parse_date(v: &Value) -> Option<NaiveDate> {
    let t = text_of(v)?;
    if let Ok(d) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return Some(d);
    }
    let head = t.get(..10)?;
    let rest = t.get(10..)?;
    if (rest.starts_with('T') || rest.starts_with(' '))
        && (DateTime::parse_from_rfc3339(&t).is_ok()
            || NaiveDateTime::parse_from_str(&t.replace(' ', "T"), "%Y-%m-%dT%H:%M:%S%.f").is_ok())
    {
        return NaiveDate::parse_from_str(head, "%Y-%m-%d").ok();
    }
    None
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::MO),
    ("TU", Weekday::TU),
    ("WE", Weekday::WE),
    ("TH", Weekday::TH),
    ("FR", Weekday::FR),
    ("SA", Weekday::SA),
    ("SU", Weekday::SU),
];

fn parse_byday(s: &str) -> Option<Vec<ByDay>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let part = part.to_ascii_uppercase();
        let split = part.len().checked_sub(2)?;
        let (num, day) = (part.get(..split)?, part.get(split..)?);
        let (_, day) = WEEKDAYS.iter().find(|(n, _)| *n == day)?;
        let nth = if num.is_empty() {
            None
        } else {
            let n: i8 = num.strip_prefix('+').unwrap_or(num).parse().ok()?;
            if n == 0 || !(-5..=5).contains(&n) {
                return None;
            }
            Some(n)
        };
        out.push(ByDay { nth, day: *day });
    }
    if out.is_empty() { None } else { Some(out) }
}

fn parse_monthdays(v: &Value) -> Option<Vec<i8>> {
    let items: Vec<Value> = match v {
        Value::Array(a) => a.clone(),
        Value::Number(_) => vec![v.clone()],
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| Value::String(p.into()))
            .collect(),
        _ => return None,
    };
    let mut out = Vec::new();
    for i in items {
        let n = num_of(&i)?;
        if n.fract() != 0.0 || n == 0.0 || !(-31.0..=31.0).contains(&n) {
            return None;
        }
        out.push(n as i8);
    }
    if out.is_empty() { None } else { Some(out) }
}

/// The offsets (seconds east of UTC) a zone uses in January and July.
fn zone_offsets(tz: Tz) -> [i32; 2] {
    let at = |m: u32| {
        NaiveDate::from_ymd_opt(2025, m, 15)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map_or(0, |n| {
                tz.offset_from_utc_datetime(&n).fix().local_minus_utc()
            })
    };
    [at(1), at(7)]
}

/// A whole-hour UTC offset as an `Etc/GMT` zone (whose sign is inverted by convention).
fn etc_zone(offset_seconds: i32) -> Option<(String, Tz)> {
    if offset_seconds % 3600 != 0 {
        return None;
    }
    let h = offset_seconds / 3600;
    if !(-12..=14).contains(&h) {
        return None;
    }
    let name = match h {
        0 => "UTC".to_string(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    };
    let tz = name.parse::<Tz>().ok()?;
    Some((name, tz))
}

fn fmt_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

impl Builder<'_> {
    /// Reads a list of HSDS schedules into hours; `None` when there is no usable schedule.
    fn hours(
        &mut self,
        list: &[&Value],
        owner: &Rec,
        field: &str,
    ) -> Result<Option<Hours>, DirectoryError> {
        if list.is_empty() {
            return Ok(None);
        }
        let mut reads = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let Value::Object(s) = v else {
                return Err(owner.invalid(&format!("{field}[{i}]"), "a schedule object", Some(v)));
            };
            let rec = match get_text(s, "id") {
                Some(id) if s.get(SRC).is_none() => Rec {
                    file: owner.file.clone(),
                    record: format!("schedule {id}"),
                },
                _ => rec_of(s, &self.file, format!("{} {field}[{i}]", owner.record)),
            };
            if let Some(r) = self.schedule(s, &rec)? {
                reads.push(r);
            }
        }
        // Decide the zone.
        let mut chosen: Option<(String, Tz)> = None;
        for r in &reads {
            if let Some(tz) = r.tzid {
                chosen = Some((tz.name().to_string(), tz));
                break;
            }
        }
        if chosen.is_none()
            && let Some(tz) = self.zone
        {
            chosen = Some((tz.name().to_string(), tz));
        }
        if chosen.is_none() {
            for r in &reads {
                if let Some((v, hrs)) = &r.numeric {
                    let secs = (hrs * 3600.0).round() as i32;
                    match etc_zone(secs).filter(|_| hrs.fract() == 0.0) {
                        Some((name, tz)) => {
                            self.warnings.push(r.rec.warn(Some("timezone"), format!(
                                "a UTC offset ({}) has no daylight-saving rules; read as {name}: set the directory's IANA time zone in LoadOptions.timezone",
                                fmt_offset(secs))));
                            chosen = Some((name, tz));
                        }
                        None => {
                            return Err(r.rec.invalid("timezone", "a whole-hour UTC offset between -12 and 14 (or set LoadOptions.timezone)", Some(v)));
                        }
                    }
                    break;
                }
            }
        }
        if chosen.is_none() {
            for r in &reads {
                if let Some(secs) = r.suffix
                    && let Some((name, tz)) = etc_zone(secs)
                {
                    self.warnings.push(r.rec.warn(Some("opens_at"), format!(
                            "the only time zone given is the offset {} on the times; read as {name}, without daylight saving",
                            fmt_offset(secs))));
                    chosen = Some((name, tz));
                    break;
                }
            }
        }
        let (zone_name, tz) = match chosen {
            Some(c) => c,
            None => {
                if !reads.is_empty() {
                    self.warnings.push(owner.warn(Some(field), "no time zone given; HSDS reads such times as UTC: set LoadOptions.timezone"));
                }
                ("UTC".to_string(), Tz::UTC)
            }
        };
        let offsets = zone_offsets(tz);
        let mut hours = Hours {
            timezone: zone_name.clone(),
            ..Hours::default()
        };
        for r in reads {
            if let Some(other) = r.tzid
                && other != tz
            {
                self.warnings.push(r.rec.warn(
                    Some("tzid"),
                    format!("a different time zone from the other schedules; {zone_name} is used"),
                ));
            }
            if let Some((_, hrs)) = &r.numeric {
                let secs = (hrs * 3600.0).round() as i32;
                if !offsets.contains(&secs) {
                    self.warnings.push(r.rec.warn(Some("timezone"), format!("the offset {} does not match {zone_name}; the times are read in {zone_name}", fmt_offset(secs))));
                }
            }
            if let Some(secs) = r.suffix
                && !offsets.contains(&secs)
            {
                self.warnings.push(r.rec.warn(Some("opens_at"), format!("the time suffix {} does not match {zone_name}; it is ignored and the times are read as local", fmt_offset(secs))));
            }
            if covers_every_hour(&r.schedule) {
                hours.always_open = true;
            } else {
                hours.schedules.push(r.schedule);
            }
        }
        if !hours.always_open && hours.schedules.is_empty() {
            return Ok(None);
        }
        Ok(Some(hours))
    }
}

/// A schedule open all day, every day, with no limit in time.
fn covers_every_hour(s: &Schedule) -> bool {
    let days: HashSet<Weekday> = s
        .byday
        .iter()
        .filter(|d| d.nth.is_none())
        .map(|d| d.day)
        .collect();
    let every_day = (s.byday.is_empty() && s.freq.is_none())
        || (days.len() == 7 && s.byday.iter().all(|d| d.nth.is_none()));
    let all_day = match (s.opens_at, s.closes_at) {
        (Some(o), Some(c)) => {
            o == NaiveTime::MIN && (c == NaiveTime::MIN || (c.hour() == 23 && c.minute() == 59))
        }
        (None, None) => days.len() == 7,
        _ => false,
    };
    matches!(s.freq, None | Some(Frequency::Weekly))
        && s.interval.unwrap_or(1) == 1
        && s.bymonthday.is_empty()
        && s.valid_from.is_none()
        && s.valid_to.is_none()
        && s.until.is_none()
        && every_day
        && all_day
}

impl Builder<'_> {
    fn schedule(
        &mut self,
        s: &Map<String, Value>,
        rec: &Rec,
    ) -> Result<Option<ReadSchedule>, DirectoryError> {
        let mut out = Schedule::default();
        if let Some(v) = get(s, "freq") {
            let f = text_of(v).unwrap_or_default().to_ascii_uppercase();
            out.freq = match f.as_str() {
                "WEEKLY" => Some(Frequency::Weekly),
                "MONTHLY" => Some(Frequency::Monthly),
                "DAILY" => None,
                "YEARLY" | "HOURLY" | "MINUTELY" | "SECONDLY" => {
                    self.warnings.push(rec.warn(Some("freq"), format!("offramp reads WEEKLY, MONTHLY and DAILY schedules; this {f} schedule is dropped")));
                    return Ok(None);
                }
                _ => return Err(rec.invalid("freq", "WEEKLY or MONTHLY", Some(v))),
            };
        }
        if let Some(v) = get(s, "interval") {
            let n = num_of(v)
                .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n <= f64::from(u32::MAX))
                .ok_or_else(|| rec.invalid("interval", "a whole number of 1 or more", Some(v)))?;
            out.interval = Some(n as u32);
        }
        if let Some(v) = get(s, "byday") {
            let days = match v {
                Value::Array(a) => parse_byday(&a.iter().filter_map(text_of).collect::<Vec<_>>().join(",")),
                other => text_of(other).and_then(|t| parse_byday(&t)),
            }
            .ok_or_else(|| rec.invalid("byday", "comma-separated days MO..SU, each optionally preceded by 1..5 or -1..-5 (2TU, -1FR)", Some(v)))?;
            out.byday = days;
        }
        if let Some(v) = get(s, "bymonthday") {
            out.bymonthday = parse_monthdays(v).ok_or_else(|| {
                rec.invalid(
                    "bymonthday",
                    "comma-separated days of the month, 1..31 or -1..-31",
                    Some(v),
                )
            })?;
        }
        for (field, slot) in [
            ("valid_from", 0),
            ("valid_to", 1),
            ("dtstart", 2),
            ("until", 3),
        ] {
            if let Some(v) = get(s, field) {
                let d = parse_date(v)
                    .ok_or_else(|| rec.invalid(field, "a date as YYYY-MM-DD", Some(v)))?;
                match slot {
                    0 => out.valid_from = Some(d),
                    1 => out.valid_to = Some(d),
                    2 => out.dtstart = Some(d),
                    _ => out.until = Some(d),
                }
            }
        }
        let mut suffix = None;
        for field in ["opens_at", "closes_at"] {
            if let Some(v) = get(s, field) {
                let t = text_of(v).and_then(|t| parse_time(&t)).ok_or_else(|| rec.invalid(field, "a time as HH:MM or HH:MM:SS, optionally with Z or an offset such as -05:00", Some(v)))?;
                if t.end_of_day && field == "opens_at" {
                    return Err(rec.invalid(
                        field,
                        "a time from 00:00 to 23:59:59 (24:00 is only read as a closing time)",
                        Some(v),
                    ));
                }
                if let Some(o) = t.offset {
                    if suffix.is_some_and(|s| s != o) {
                        self.warnings.push(rec.warn(
                            Some(field),
                            "opens_at and closes_at carry different offsets; the first is used",
                        ));
                    }
                    suffix = suffix.or(Some(o));
                }
                if field == "opens_at" {
                    out.opens_at = Some(t.time)
                } else {
                    out.closes_at = Some(t.time)
                }
            }
        }
        out.description = get_text(s, "description");
        // Checks against iCal and what offramp ignores.
        if out.freq.is_none()
            && out.byday.is_empty()
            && out.bymonthday.is_empty()
            && out.opens_at.is_none()
            && out.closes_at.is_none()
        {
            self.warnings.push(rec.warn(None, "the schedule gives no weekly or monthly rule, days or times (only free text); it is dropped"));
            return Ok(None);
        }
        if out.opens_at.is_some() != out.closes_at.is_some() {
            let missing = if out.opens_at.is_none() {
                "opens_at"
            } else {
                "closes_at"
            };
            self.warnings
                .push(rec.warn(Some(missing), "only one of opens_at and closes_at is given"));
        }
        if out.freq == Some(Frequency::Weekly) {
            if out.byday.iter().any(|d| d.nth.is_some()) {
                self.warnings.push(rec.warn(
                    Some("byday"),
                    "numbered days (2TU) need MONTHLY; the numbers are dropped",
                ));
                for d in &mut out.byday {
                    d.nth = None;
                }
            }
            if !out.bymonthday.is_empty() {
                self.warnings.push(rec.warn(
                    Some("bymonthday"),
                    "days of the month are not allowed with WEEKLY in iCal; they are dropped",
                ));
                out.bymonthday.clear();
            }
        }
        if out.interval.is_some_and(|i| i > 1) && out.dtstart.is_none() {
            self.warnings.push(rec.warn(
                Some("interval"),
                "an interval without dtstart has no anchor",
            ));
        }
        for field in ["count", "byweekno", "byyearday"] {
            if get(s, field).is_some() {
                self.warnings.push(rec.warn(
                    Some(field),
                    "offramp does not use this iCal part; it is ignored",
                ));
            }
        }
        if let Some(w) = get_text(s, "wkst")
            && !w.eq_ignore_ascii_case("MO")
            && out.interval.is_some_and(|i| i > 1)
        {
            self.warnings.push(rec.warn(
                Some("wkst"),
                "offramp counts weeks from Monday; wkst is ignored",
            ));
        }
        let tzid =
            match get(s, "tzid") {
                None => None,
                Some(v) => Some(text_of(v).and_then(|t| t.parse::<Tz>().ok()).ok_or_else(
                    || rec.invalid("tzid", "an IANA time zone such as America/Chicago", Some(v)),
                )?),
            };
        let numeric = match get(s, "timezone") {
            None => None,
            Some(v) => {
                let n = num_of(v)
                    .filter(|n| (-12.0..=14.0).contains(n))
                    .ok_or_else(|| {
                        rec.invalid(
                            "timezone",
                            "a UTC offset in hours between -12 and 14",
                            Some(v),
                        )
                    })?;
                Some((v.clone(), n))
            }
        };
        Ok(Some(ReadSchedule {
            schedule: out,
            rec: rec.clone(),
            tzid,
            numeric,
            suffix,
        }))
    }
}

/// A schedule with what decides its zone.
struct ReadSchedule {
    schedule: Schedule,
    rec: Rec,
    tzid: Option<Tz>,
    numeric: Option<(Value, f64)>,
    suffix: Option<i32>,
}

/// Normalises a language code to ISO 639-3 lower case: 639-1 codes are mapped, 639-2/B codes
/// turned into 639-3, locale tags (`es-MX`) cut to the language.
fn language_code(code: &str) -> Option<String> {
    let c = code.trim().to_lowercase();
    let primary = c.split(['-', '_']).next().unwrap_or("");
    if !primary.chars().all(|ch| ch.is_ascii_lowercase()) {
        return None;
    }
    match primary.len() {
        2 => ISO_639_1
            .iter()
            .find(|(two, _, _)| *two == primary)
            .map(|(_, three, _)| (*three).to_string()),
        3 => {
            if ["und", "mul", "zxx", "mis"].contains(&primary) {
                return None;
            }
            Some(
                BIBLIOGRAPHIC
                    .iter()
                    .find(|(b, _)| *b == primary)
                    .map_or(primary, |(_, t)| t)
                    .to_string(),
            )
        }
        _ => None,
    }
}

/// A language by its English name.
fn language_by_name(name: &str) -> Option<String> {
    let n = name.trim().to_lowercase();
    if let Some((_, code)) = LANGUAGE_NAMES.iter().find(|(k, _)| *k == n) {
        return Some((*code).to_string());
    }
    ISO_639_1
        .iter()
        .find(|(_, _, en)| en.to_lowercase() == n)
        .map(|(_, three, _)| (*three).to_string())
}

/// The English name of an ISO 639-3 code, for export.
fn language_name(code: &str) -> Option<&'static str> {
    ISO_639_1
        .iter()
        .find(|(_, three, _)| *three == code)
        .map(|(_, _, n)| *n)
        .or_else(|| {
            LANGUAGE_NAMES
                .iter()
                .find(|(_, c)| *c == code)
                .map(|(n, _)| *n)
        })
}

/// ISO 639-2/B codes and their 639-3 (639-2/T) equivalents.
const BIBLIOGRAPHIC: [(&str, &str); 20] = [
    ("alb", "sqi"),
    ("arm", "hye"),
    ("baq", "eus"),
    ("bur", "mya"),
    ("chi", "zho"),
    ("cze", "ces"),
    ("dut", "nld"),
    ("fre", "fra"),
    ("geo", "kat"),
    ("ger", "deu"),
    ("gre", "ell"),
    ("ice", "isl"),
    ("mac", "mkd"),
    ("mao", "mri"),
    ("may", "msa"),
    ("per", "fas"),
    ("rum", "ron"),
    ("slo", "slk"),
    ("tib", "bod"),
    ("wel", "cym"),
];

/// Common names US directories use that are not the ISO English names.
const LANGUAGE_NAMES: [(&str, &str); 24] = [
    ("american sign language", "ase"),
    ("asl", "ase"),
    ("mandarin", "cmn"),
    ("cantonese", "yue"),
    ("farsi", "fas"),
    ("haitian creole", "hat"),
    ("creole", "hat"),
    ("hmong", "hmn"),
    ("filipino", "fil"),
    ("punjabi", "pan"),
    ("dari", "prs"),
    ("karen", "kar"),
    ("chuukese", "chk"),
    ("cambodian", "khm"),
    ("laotian", "lao"),
    ("hawaiian", "haw"),
    ("ilocano", "ilo"),
    ("mixteco", "mix"),
    ("mixtec", "mix"),
    ("k'iche'", "quc"),
    ("tigrinya", "tir"),
    ("swahili", "swa"),
    ("pashto", "pus"),
    ("greek", "ell"),
];

/// Reads an HSDS 3.0 JSON document: one service, organization or service_at_location, a list
/// of them, an API page (`contents`), or the tabular package as JSON (`"services.csv": [...]`).
///
/// `file_name` is used in messages. Records missing information still load, with
/// [`Loaded::warnings`]; errors name the file, record and field.
///
/// ```
/// use offramp::providers::hsds::{from_json_str, LoadOptions, DirectoryError};
/// let bad = r#"{"id": "s1", "name": "x", "status": "active",
///   "schedules": [{"id": "h1", "opens_at": "9am", "closes_at": "17:00"}]}"#;
/// let e = from_json_str(bad, "dir.json", &LoadOptions::default()).unwrap_err();
/// assert_eq!(e.to_string(),
///     "dir.json: schedule h1: opens_at: expected a time as HH:MM or HH:MM:SS, optionally with Z or an offset such as -05:00, found `9am`");
/// ```
pub fn from_json_str(
    text: &str,
    file_name: &str,
    options: &LoadOptions,
) -> Result<Loaded, DirectoryError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DirectoryError::Json {
        file: file_name.to_string(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let mut b = Builder::new(file_name, options)?;
    match &value {
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                b.item(v, &format!("[{i}]"))?;
            }
        }
        Value::Object(o) if o.keys().any(|k| k.ends_with(".csv")) => {
            let mut tables: Tables = HashMap::new();
            for (k, v) in o {
                let Some(t) = table_name(k) else { continue };
                let Value::Array(rows) = v else {
                    return Err(DirectoryError::Shape {
                        file: file_name.into(),
                        record: k.clone(),
                        message: "expected a list of rows".into(),
                    });
                };
                let mut out = Vec::new();
                for (i, r) in rows.iter().enumerate() {
                    let rec = Rec {
                        file: file_name.to_string(),
                        record: format!("{k}[{i}]"),
                    };
                    let Value::Object(m) = r else {
                        return Err(DirectoryError::Shape {
                            file: file_name.into(),
                            record: rec.record,
                            message: "expected a row object".into(),
                        });
                    };
                    out.push((rec, m.clone()));
                }
                tables.insert(t, out);
            }
            tabular(&mut b, tables)?;
        }
        Value::Object(o) => match get(o, "contents") {
            Some(Value::Array(items)) => {
                for (i, v) in items.iter().enumerate() {
                    b.item(v, &format!("contents[{i}]"))?;
                }
            }
            Some(other) => {
                return Err(DirectoryError::Shape {
                    file: file_name.into(),
                    record: "contents".into(),
                    message: format!("expected a list, found {}", short_value(other)),
                });
            }
            None if o.contains_key("contents") || o.contains_key("total_items") => {}
            None => b.item(&value, "top level")?,
        },
        other => {
            return Err(DirectoryError::Shape {
                file: file_name.into(),
                record: "top level".into(),
                message: format!(
                    "expected an HSDS object or list, found {}",
                    match other {
                        Value::String(_) => "a string",
                        Value::Number(_) => "a number",
                        Value::Bool(_) => "a boolean",
                        _ => "null",
                    }
                ),
            });
        }
    }
    Ok(b.finish())
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_string(),
        None => msg.to_string(),
    }
}

/// The tables offramp reads, by file stem or datapackage resource name.
fn table_name(name: &str) -> Option<&'static str> {
    let stem = name
        .trim()
        .trim_end_matches(".csv")
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_lowercase();
    Some(match stem.as_str() {
        "organizations" | "organization" => "organizations",
        "services" | "service" => "services",
        "locations" | "location" => "locations",
        "service_at_location" | "service_at_locations" => "service_at_location",
        "schedules" | "schedule" => "schedules",
        "languages" | "language" => "languages",
        "attributes" | "attribute" => "attributes",
        "taxonomy_terms" | "taxonomy_term" => "taxonomy_terms",
        "taxonomies" | "taxonomy" => "taxonomies",
        "service_capacity" | "service_capacities" | "capacities" => "service_capacity",
        "units" | "unit" => "units",
        _ => return None,
    })
}

/// Reads an HSDS tabular data package: `datapackage.json` in `dir` and the CSV files its
/// resources name (organizations, services, locations, service_at_location, schedules,
/// languages, attributes, taxonomy_terms, taxonomies; HSDS 3.1 service_capacity and units).
/// Other tables are not read. Errors name the CSV file and row (the header is row 1).
///
/// ```
/// use offramp::providers::hsds::{from_datapackage, LoadOptions};
/// let dir = std::env::temp_dir().join("offramp-doc-datapackage");
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("datapackage.json"), r#"{"resources": [
///   {"name": "service", "path": "services.csv"}, {"name": "organization", "path": "organizations.csv"}]}"#).unwrap();
/// std::fs::write(dir.join("organizations.csv"), "id,name\no1,Example Org\n").unwrap();
/// std::fs::write(dir.join("services.csv"), "id,organization_id,name,status\ns1,o1,Drop-in centre,active\ns1,o1,Again,active\n").unwrap();
/// let e = from_datapackage(&dir, &LoadOptions::default()).unwrap_err();
/// assert!(e.to_string().ends_with("services.csv: row 3: id: the id is already used by row 2"), "{e}");
/// ```
pub fn from_datapackage(dir: &Path, options: &LoadOptions) -> Result<Loaded, DirectoryError> {
    let dp_path = dir.join("datapackage.json");
    let dp_name = dp_path.display().to_string();
    let text = std::fs::read_to_string(&dp_path).map_err(|e| DirectoryError::Io {
        file: dp_name.clone(),
        message: e.to_string(),
    })?;
    let dp: Value = serde_json::from_str(&text).map_err(|e| DirectoryError::Json {
        file: dp_name.clone(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let mut files: Vec<(&'static str, String)> = Vec::new();
    match dp.get("resources") {
        Some(Value::Array(res)) => {
            for (i, r) in res.iter().enumerate() {
                let Value::Object(r) = r else { continue };
                let Some(path) = get_text(r, "path") else {
                    continue;
                };
                let name = get_text(r, "name").unwrap_or_else(|| path.clone());
                let Some(t) = table_name(&name).or_else(|| table_name(&path)) else {
                    continue;
                };
                let p = Path::new(&path);
                if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
                    return Err(DirectoryError::InvalidValue {
                        file: dp_name.clone(),
                        record: format!("resources[{i}]"),
                        field: "path".into(),
                        expected: "a relative path inside the package's folder".into(),
                        found: Some(short_value(&Value::String(path.clone())).into()),
                    });
                }
                if !files.iter().any(|(n, _)| *n == t) {
                    files.push((t, path));
                }
            }
        }
        _ => {
            for t in [
                "organizations",
                "services",
                "locations",
                "service_at_location",
                "schedules",
                "languages",
                "attributes",
                "taxonomy_terms",
                "taxonomies",
                "service_capacity",
                "units",
            ] {
                if dir.join(format!("{t}.csv")).exists() {
                    files.push((t, format!("{t}.csv")));
                }
            }
        }
    }
    let mut tables = HashMap::new();
    for (t, rel) in files {
        let path = dir.join(&rel);
        let name = path.display().to_string();
        if !path.exists() {
            if t == "services" {
                return Err(DirectoryError::Io {
                    file: name,
                    message: "the services table named in datapackage.json is missing".into(),
                });
            }
            continue;
        }
        tables.insert(t, read_csv(&path, &name)?);
    }
    let mut b = Builder::new(&dp_name, options)?;
    tabular(&mut b, tables)?;
    Ok(b.finish())
}

fn read_csv(path: &Path, name: &str) -> Result<Rows, DirectoryError> {
    let bytes = std::fs::read(path).map_err(|e| DirectoryError::Io {
        file: name.into(),
        message: e.to_string(),
    })?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let csv_err = |e: csv::Error, fallback: u64| {
        let row = e.position().map_or(fallback, |p| p.record() + 1);
        let message = match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8".to_string(),
            _ => strip_position(&e.to_string()),
        };
        DirectoryError::Csv {
            file: name.into(),
            row,
            message,
        }
    };
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_err(e, 1))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut out = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let row = i as u64 + 2;
        let r = r.map_err(|e| csv_err(e, row))?;
        let rec = Rec {
            file: name.into(),
            record: format!("row {row}"),
        };
        let mut m = Map::new();
        for (h, v) in headers.iter().zip(r.iter()) {
            if !v.trim().is_empty() && !h.is_empty() {
                m.insert(h.clone(), Value::String(v.to_string()));
            }
        }
        out.push((rec, m));
    }
    Ok(out)
}

/// Assembles tabular rows into nested HSDS objects and reads them.
fn tabular(b: &mut Builder<'_>, mut tables: Tables) -> Result<(), DirectoryError> {
    let mut take = |t: &str| tables.remove(t).unwrap_or_default();
    let with_src = |rec: &Rec, mut m: Map<String, Value>| {
        m.insert(SRC.into(), json!({"file": rec.file, "record": rec.record}));
        m
    };
    // Index a table by id, refusing duplicates and missing ids.
    fn index(rows: Rows, what: &str) -> Result<(Vec<String>, Indexed), DirectoryError> {
        let mut order = Vec::new();
        let mut map: HashMap<String, (Rec, Map<String, Value>)> = HashMap::new();
        for (rec, m) in rows {
            let id = get_text(&m, "id")
                .ok_or_else(|| rec.missing("id", &format!("every {what} needs an id")))?;
            if let Some((first, _)) = map.get(&id) {
                return Err(rec.duplicate("id", first));
            }
            order.push(id.clone());
            map.insert(id, (rec, m));
        }
        Ok((order, map))
    }
    let (org_order, orgs) = index(take("organizations"), "organization")?;
    let (_, taxonomies) = index(take("taxonomies"), "taxonomy")?;
    let (_, mut terms) = index(take("taxonomy_terms"), "taxonomy term")?;
    let (_, units) = index(take("units"), "unit")?;
    let (_, mut locations) = index(take("locations"), "location")?;
    let (svc_order, mut services) = index(take("services"), "service")?;
    let (sal_order, mut sals) = index(take("service_at_location"), "service_at_location")?;
    for (_, (_, t)) in terms.iter_mut() {
        if let Some(tid) = get_text(t, "taxonomy_id")
            && let Some((_, tx)) = taxonomies.get(&tid)
        {
            let mut d = Map::new();
            if let Some(n) = get_text(tx, "name") {
                d.insert("name".into(), Value::String(n));
            }
            if let Some(u) = get_text(tx, "uri") {
                d.insert("uri".into(), Value::String(u));
            }
            t.insert("taxonomy_detail".into(), Value::Object(d));
        }
    }
    let push = |m: &mut Map<String, Value>, key: &str, v: Value| {
        if let Value::Array(a) = m
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            a.push(v);
        }
    };
    for (rec, sal) in sals.values() {
        let sid = get_text(sal, "service_id")
            .ok_or_else(|| rec.missing("service_id", "a service_at_location names its service"))?;
        if !services.contains_key(&sid) {
            return Err(rec.unknown("service_id", "service", &sid));
        }
        let lid = get_text(sal, "location_id").ok_or_else(|| {
            rec.missing("location_id", "a service_at_location names its location")
        })?;
        if !locations.contains_key(&lid) {
            return Err(rec.unknown("location_id", "location", &lid));
        }
    }
    for (rec, l) in take("languages") {
        let v = Value::Object(with_src(&rec, l.clone()));
        if let Some(sid) = get_text(&l, "service_id") {
            let (_, s) = services
                .get_mut(&sid)
                .ok_or_else(|| rec.unknown("service_id", "service", &sid))?;
            push(s, "languages", v.clone());
        }
        if let Some(lid) = get_text(&l, "location_id") {
            let (_, loc) = locations
                .get_mut(&lid)
                .ok_or_else(|| rec.unknown("location_id", "location", &lid))?;
            push(loc, "languages", v.clone());
        }
    }
    for (rec, s) in take("schedules") {
        let v = Value::Object(with_src(&rec, s.clone()));
        if let Some(id) = get_text(&s, "service_id") {
            let (_, t) = services
                .get_mut(&id)
                .ok_or_else(|| rec.unknown("service_id", "service", &id))?;
            push(t, "schedules", v.clone());
        }
        if let Some(id) = get_text(&s, "location_id") {
            let (_, t) = locations
                .get_mut(&id)
                .ok_or_else(|| rec.unknown("location_id", "location", &id))?;
            push(t, "schedules", v.clone());
        }
        if let Some(id) = get_text(&s, "service_at_location_id") {
            let (_, t) = sals
                .get_mut(&id)
                .ok_or_else(|| rec.unknown("service_at_location_id", "service_at_location", &id))?;
            push(t, "schedules", v.clone());
        }
    }
    for (rec, a) in take("attributes") {
        let Some(link) = get_text(&a, "link_id") else {
            continue;
        };
        let entity = get_text(&a, "link_entity")
            .unwrap_or_default()
            .to_lowercase();
        let Some((_, svc)) = services.get_mut(&link) else {
            if entity == "service" {
                return Err(rec.unknown("link_id", "service", &link));
            }
            continue;
        };
        let tid = get_text(&a, "taxonomy_term_id").ok_or_else(|| {
            rec.missing("taxonomy_term_id", "an attribute names its taxonomy term")
        })?;
        let (_, term) = terms
            .get(&tid)
            .ok_or_else(|| rec.unknown("taxonomy_term_id", "taxonomy term", &tid))?;
        let mut attr = with_src(&rec, a.clone());
        attr.insert("taxonomy_term".into(), Value::Object(term.clone()));
        push(svc, "attributes", Value::Object(attr));
    }
    for (rec, c) in take("service_capacity") {
        let sid = get_text(&c, "service_id")
            .ok_or_else(|| rec.missing("service_id", "a service_capacity names its service"))?;
        let (_, svc) = services
            .get_mut(&sid)
            .ok_or_else(|| rec.unknown("service_id", "service", &sid))?;
        let mut cap = c.clone();
        if let Some(uid) = get_text(&c, "unit_id") {
            let (_, unit) = units
                .get(&uid)
                .ok_or_else(|| rec.unknown("unit_id", "unit", &uid))?;
            cap.insert("unit".into(), Value::Object(unit.clone()));
        }
        push(svc, "capacities", Value::Object(with_src(&rec, cap)));
    }
    for id in &org_order {
        if let Some((rec, o)) = orgs.get(id) {
            b.add_org(o, id, rec);
        }
    }
    let mut sals_by_service: HashMap<String, Vec<String>> = HashMap::new();
    for id in &sal_order {
        if let Some(sid) = sals.get(id).and_then(|(_, s)| get_text(s, "service_id")) {
            sals_by_service.entry(sid).or_default().push(id.clone());
        }
    }
    for sid in &svc_order {
        let Some((rec, s)) = services.get(sid) else {
            continue;
        };
        let mut s = with_src(rec, s.clone());
        if let Some(oid) = get_text(&s, "organization_id")
            && !orgs.contains_key(&oid)
        {
            b.warnings.push(rec.warn(
                Some("organization_id"),
                format!("organization `{oid}` is not in the organizations table"),
            ));
        }
        let mut links = Vec::new();
        for sal_id in sals_by_service.get(sid).map(Vec::as_slice).unwrap_or(&[]) {
            let Some((srec, sal)) = sals.get(sal_id) else {
                continue;
            };
            let mut sal = with_src(srec, sal.clone());
            if let Some((lrec, loc)) = get_text(&sal, "location_id").and_then(|l| locations.get(&l))
            {
                sal.insert(
                    "location".into(),
                    Value::Object(with_src(lrec, loc.clone())),
                );
            }
            links.push(Value::Object(sal));
        }
        s.insert("service_at_locations".into(), Value::Array(links));
        b.service(&s, &rec.record, None, false)?;
    }
    if services.is_empty() {
        b.skipped.insert("no services table rows");
    }
    Ok(())
}

/// A deterministic UUID-shaped id for exported records that have none in offramp's model.
fn derived_id(parts: &[&str]) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for p in parts {
        for byte in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u128::from(byte);
            h = h.wrapping_mul(0x0000000001000000000000000000013B);
        }
    }
    let h = (h & !(0xf << 76)) | (0x8 << 76);
    let h = (h & !(0x3 << 62)) | (0x2 << 62);
    let hex = format!("{h:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn fmt_time(t: NaiveTime) -> String {
    if t.second() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

fn export_schedules(h: &Hours, owner: &str) -> Vec<Value> {
    let offset_hours = h
        .timezone
        .parse::<Tz>()
        .ok()
        .map(|tz| f64::from(zone_offsets(tz)[0]) / 3600.0);
    let mut out = Vec::new();
    let base = |i: usize| {
        let mut m = Map::new();
        m.insert(
            "id".into(),
            Value::String(derived_id(&["schedule", owner, &i.to_string()])),
        );
        m.insert("tzid".into(), Value::String(h.timezone.clone()));
        if let Some(o) = offset_hours.and_then(serde_json::Number::from_f64) {
            m.insert("timezone".into(), Value::Number(o));
        }
        m
    };
    if h.always_open {
        let mut m = base(usize::MAX);
        m.insert("freq".into(), json!("WEEKLY"));
        m.insert("byday".into(), json!("MO,TU,WE,TH,FR,SA,SU"));
        m.insert("opens_at".into(), json!("00:00"));
        m.insert("closes_at".into(), json!("00:00"));
        m.insert("description".into(), json!("Open 24 hours, every day"));
        out.push(Value::Object(m));
    }
    for (i, s) in h.schedules.iter().enumerate() {
        let mut m = base(i);
        if let Some(f) = s.freq {
            m.insert(
                "freq".into(),
                json!(match f {
                    Frequency::Weekly => "WEEKLY",
                    Frequency::Monthly => "MONTHLY",
                }),
            );
        }
        if let Some(n) = s.interval {
            m.insert("interval".into(), json!(n));
        }
        if !s.byday.is_empty() {
            let days: Vec<String> = s
                .byday
                .iter()
                .map(|d| {
                    let name = WEEKDAYS
                        .iter()
                        .find(|(_, w)| *w == d.day)
                        .map_or("MO", |(n, _)| *n);
                    d.nth
                        .map_or_else(|| name.to_string(), |n| format!("{n}{name}"))
                })
                .collect();
            m.insert("byday".into(), Value::String(days.join(",")));
        }
        if !s.bymonthday.is_empty() {
            m.insert(
                "bymonthday".into(),
                Value::String(
                    s.bymonthday
                        .iter()
                        .map(i8::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            );
        }
        if let Some(t) = s.opens_at {
            m.insert("opens_at".into(), Value::String(fmt_time(t)));
        }
        if let Some(t) = s.closes_at {
            m.insert("closes_at".into(), Value::String(fmt_time(t)));
        }
        for (k, d) in [
            ("valid_from", s.valid_from),
            ("valid_to", s.valid_to),
            ("dtstart", s.dtstart),
            ("until", s.until),
        ] {
            if let Some(d) = d {
                m.insert(k.into(), Value::String(d.format("%Y-%m-%d").to_string()));
            }
        }
        if let Some(d) = &s.description {
            m.insert("description".into(), Value::String(d.clone()));
        }
        out.push(Value::Object(m));
    }
    out
}

/// The taxonomy label written on terms kept from the source directory, whose taxonomy offramp
/// does not record. Their meaning is already written as offramp terms, so on reading they are
/// kept in [`Service::taxonomy_terms`] and not mapped again.
const KEPT_TAXONOMY: &str = "as read by offramp";

fn offramp_attribute(service: &str, code: &str, name: &str) -> Value {
    json!({
        "id": derived_id(&["attribute", service, code]),
        "link_type": "offramp",
        "link_entity": "service",
        "taxonomy_term": {
            "id": derived_id(&["taxonomy_term", OFFRAMP_TAXONOMY, code]),
            "code": code,
            "name": name,
            "description": name,
            "taxonomy": OFFRAMP_TAXONOMY,
        }
    })
}

/// Writes services as an HSDS 3.0 JSON list of services, each with its nested organization,
/// `service_at_locations` (with `location`), `schedules`, `languages` and `attributes`.
///
/// * Kinds, populations, `populations_only`, intake and insurance become attributes whose
///   taxonomy term is in offramp's own taxonomy (`taxonomy: "offramp"`), so loading the file
///   again gives the same service whatever mapping is used; the codes in
///   [`Service::taxonomy_terms`] are written as terms of the taxonomy `as read by offramp`
///   (offramp does not record which taxonomy they came from).
/// * Capacity is written as HSDS 3.1 `capacities` (one `service_capacity` with a `unit`).
/// * Schedules carry HSDS's numeric `timezone` (the zone's standard offset) and, as an
///   extension, `tzid` with the IANA name, which offramp prefers when reading. Always-open
///   hours are written as a Monday-to-Sunday 00:00-00:00 schedule. Closures have no HSDS 3.0
///   field and are not written.
/// * Records offramp holds no id for (schedules, languages, attributes, units) get stable
///   UUID-shaped ids derived from their owner.
///
/// ```
/// use offramp::providers::hsds::{from_json_str, to_hsds_json, LoadOptions};
/// use offramp::providers::model::{Organization, Service, ServiceKind};
/// let org = Organization { id: "o1".into(), name: "Example Org".into() };
/// let svc = Service {
///     id: "s1".into(), organization_id: "o1".into(), name: "Peer support".into(),
///     kinds: [ServiceKind::PeerRecovery].into_iter().collect(), eligibility: Default::default(),
///     capacity: None, hours: None, sites: vec![], status: "active".into(), taxonomy_terms: vec![],
/// };
/// let out = to_hsds_json(&[org], &[svc.clone()]);
/// let back = from_json_str(&out.to_string(), "export.json", &LoadOptions::default()).unwrap();
/// assert_eq!(back.services, vec![svc]);
/// ```
pub fn to_hsds_json(organizations: &[Organization], services: &[Service]) -> Value {
    let mut list = Vec::new();
    for s in services {
        let mut m = Map::new();
        m.insert("id".into(), json!(s.id));
        m.insert("name".into(), json!(s.name));
        m.insert("status".into(), json!(s.status));
        m.insert("organization_id".into(), json!(s.organization_id));
        if let Some(o) = organizations.iter().find(|o| o.id == s.organization_id) {
            m.insert("organization".into(), json!({"id": o.id, "name": o.name}));
        }
        let e = &s.eligibility;
        if let Some(a) = e.minimum_age {
            m.insert("minimum_age".into(), json!(a));
        }
        if let Some(a) = e.maximum_age {
            m.insert("maximum_age".into(), json!(a));
        }
        if !e.languages.is_empty() {
            let langs: Vec<Value> = e
                .languages
                .iter()
                .map(|c| {
                    let mut l = Map::new();
                    l.insert("id".into(), json!(derived_id(&["language", &s.id, c])));
                    l.insert("code".into(), json!(c));
                    if let Some(n) = language_name(c) {
                        l.insert("name".into(), json!(n));
                    }
                    Value::Object(l)
                })
                .collect();
            m.insert("languages".into(), Value::Array(langs));
        }
        let mut attributes = Vec::new();
        for k in &s.kinds {
            if let Some((code, label)) = kind_code(*k) {
                attributes.push(offramp_attribute(&s.id, code, label));
            }
        }
        for p in &e.populations {
            if let Some((code, label)) = population_code(*p) {
                attributes.push(offramp_attribute(
                    &s.id,
                    &format!("population:{code}"),
                    label,
                ));
            }
        }
        if e.populations_only {
            attributes.push(offramp_attribute(
                &s.id,
                "populations_only",
                "Only the populations listed",
            ));
        }
        match e.intake {
            Intake::WalkIn => {
                attributes.push(offramp_attribute(&s.id, "intake:walk_in", "Walk-in"))
            }
            Intake::ReferralOnly => attributes.push(offramp_attribute(
                &s.id,
                "intake:referral_only",
                "By referral only",
            )),
            Intake::Either => {}
        }
        for w in &e.insurance {
            attributes.push(offramp_attribute(&s.id, &format!("insurance:{w}"), w));
        }
        for t in &s.taxonomy_terms {
            attributes.push(json!({
                "id": derived_id(&["attribute", &s.id, "term", t]),
                "link_entity": "service",
                "taxonomy_term": {"id": derived_id(&["taxonomy_term", t]), "code": t, "name": t, "description": t, "taxonomy": KEPT_TAXONOMY}
            }));
        }
        m.insert("attributes".into(), Value::Array(attributes));
        if let Some(c) = &s.capacity {
            let mut cap = Map::new();
            cap.insert("id".into(), json!(derived_id(&["service_capacity", &s.id])));
            cap.insert(
                "unit".into(),
                json!({"id": derived_id(&["unit", &c.unit]), "name": c.unit}),
            );
            cap.insert("available".into(), json!(c.available));
            if let Some(mx) = c.maximum {
                cap.insert("maximum".into(), json!(mx));
            }
            if let Some(u) = c.updated {
                cap.insert("updated".into(), json!(u.to_rfc3339()));
            }
            m.insert("capacities".into(), json!([Value::Object(cap)]));
        }
        if let Some(h) = &s.hours {
            m.insert("schedules".into(), Value::Array(export_schedules(h, &s.id)));
        }
        let sals: Vec<Value> = s
            .sites
            .iter()
            .map(|site| {
                let mut loc = Map::new();
                loc.insert("id".into(), json!(site.location_id));
                loc.insert("location_type".into(), json!("physical"));
                if let Some(n) = &site.name {
                    loc.insert("name".into(), json!(n));
                }
                if let (Some(lat), Some(lon)) = (
                    site.latitude.and_then(serde_json::Number::from_f64),
                    site.longitude.and_then(serde_json::Number::from_f64),
                ) {
                    loc.insert("latitude".into(), Value::Number(lat));
                    loc.insert("longitude".into(), Value::Number(lon));
                }
                let mut sal = Map::new();
                sal.insert("id".into(), json!(site.id));
                sal.insert("service_id".into(), json!(s.id));
                sal.insert("location_id".into(), json!(site.location_id));
                if let Some(h) = &site.hours {
                    sal.insert(
                        "schedules".into(),
                        Value::Array(export_schedules(h, &site.id)),
                    );
                }
                sal.insert("location".into(), Value::Object(loc));
                Value::Object(sal)
            })
            .collect();
        m.insert("service_at_locations".into(), Value::Array(sals));
        list.push(Value::Object(m));
    }
    Value::Array(list)
}

const ISO_639_1: [(&str, &str, &str); 184] = [
    ("aa", "aar", "Afar"),
    ("ab", "abk", "Abkhazian"),
    ("ae", "ave", "Avestan"),
    ("af", "afr", "Afrikaans"),
    ("ak", "aka", "Akan"),
    ("am", "amh", "Amharic"),
    ("an", "arg", "Aragonese"),
    ("ar", "ara", "Arabic"),
    ("as", "asm", "Assamese"),
    ("av", "ava", "Avaric"),
    ("ay", "aym", "Aymara"),
    ("az", "aze", "Azerbaijani"),
    ("ba", "bak", "Bashkir"),
    ("be", "bel", "Belarusian"),
    ("bg", "bul", "Bulgarian"),
    ("bi", "bis", "Bislama"),
    ("bm", "bam", "Bambara"),
    ("bn", "ben", "Bengali"),
    ("bo", "bod", "Tibetan"),
    ("br", "bre", "Breton"),
    ("bs", "bos", "Bosnian"),
    ("ca", "cat", "Catalan"),
    ("ce", "che", "Chechen"),
    ("ch", "cha", "Chamorro"),
    ("co", "cos", "Corsican"),
    ("cr", "cre", "Cree"),
    ("cs", "ces", "Czech"),
    ("cu", "chu", "Church Slavic"),
    ("cv", "chv", "Chuvash"),
    ("cy", "cym", "Welsh"),
    ("da", "dan", "Danish"),
    ("de", "deu", "German"),
    ("dv", "div", "Dhivehi"),
    ("dz", "dzo", "Dzongkha"),
    ("ee", "ewe", "Ewe"),
    ("el", "ell", "Modern Greek"),
    ("en", "eng", "English"),
    ("eo", "epo", "Esperanto"),
    ("es", "spa", "Spanish"),
    ("et", "est", "Estonian"),
    ("eu", "eus", "Basque"),
    ("fa", "fas", "Persian"),
    ("ff", "ful", "Fulah"),
    ("fi", "fin", "Finnish"),
    ("fj", "fij", "Fijian"),
    ("fo", "fao", "Faroese"),
    ("fr", "fra", "French"),
    ("fy", "fry", "Western Frisian"),
    ("ga", "gle", "Irish"),
    ("gd", "gla", "Scottish Gaelic"),
    ("gl", "glg", "Galician"),
    ("gn", "grn", "Guarani"),
    ("gu", "guj", "Gujarati"),
    ("gv", "glv", "Manx"),
    ("ha", "hau", "Hausa"),
    ("he", "heb", "Hebrew"),
    ("hi", "hin", "Hindi"),
    ("ho", "hmo", "Hiri Motu"),
    ("hr", "hrv", "Croatian"),
    ("ht", "hat", "Haitian"),
    ("hu", "hun", "Hungarian"),
    ("hy", "hye", "Armenian"),
    ("hz", "her", "Herero"),
    ("ia", "ina", "Interlingua"),
    ("id", "ind", "Indonesian"),
    ("ie", "ile", "Interlingue"),
    ("ig", "ibo", "Igbo"),
    ("ii", "iii", "Sichuan Yi"),
    ("ik", "ipk", "Inupiaq"),
    ("io", "ido", "Ido"),
    ("is", "isl", "Icelandic"),
    ("it", "ita", "Italian"),
    ("iu", "iku", "Inuktitut"),
    ("ja", "jpn", "Japanese"),
    ("jv", "jav", "Javanese"),
    ("ka", "kat", "Georgian"),
    ("kg", "kon", "Kongo"),
    ("ki", "kik", "Kikuyu"),
    ("kj", "kua", "Kuanyama"),
    ("kk", "kaz", "Kazakh"),
    ("kl", "kal", "Kalaallisut"),
    ("km", "khm", "Khmer"),
    ("kn", "kan", "Kannada"),
    ("ko", "kor", "Korean"),
    ("kr", "kau", "Kanuri"),
    ("ks", "kas", "Kashmiri"),
    ("ku", "kur", "Kurdish"),
    ("kv", "kom", "Komi"),
    ("kw", "cor", "Cornish"),
    ("ky", "kir", "Kirghiz"),
    ("la", "lat", "Latin"),
    ("lb", "ltz", "Luxembourgish"),
    ("lg", "lug", "Ganda"),
    ("li", "lim", "Limburgan"),
    ("ln", "lin", "Lingala"),
    ("lo", "lao", "Lao"),
    ("lt", "lit", "Lithuanian"),
    ("lu", "lub", "Luba-Katanga"),
    ("lv", "lav", "Latvian"),
    ("mg", "mlg", "Malagasy"),
    ("mh", "mah", "Marshallese"),
    ("mi", "mri", "Maori"),
    ("mk", "mkd", "Macedonian"),
    ("ml", "mal", "Malayalam"),
    ("mn", "mon", "Mongolian"),
    ("mr", "mar", "Marathi"),
    ("ms", "msa", "Malay"),
    ("mt", "mlt", "Maltese"),
    ("my", "mya", "Burmese"),
    ("na", "nau", "Nauru"),
    ("nb", "nob", "Norwegian Bokmål"),
    ("nd", "nde", "North Ndebele"),
    ("ne", "nep", "Nepali"),
    ("ng", "ndo", "Ndonga"),
    ("nl", "nld", "Dutch"),
    ("nn", "nno", "Norwegian Nynorsk"),
    ("no", "nor", "Norwegian"),
    ("nr", "nbl", "South Ndebele"),
    ("nv", "nav", "Navajo"),
    ("ny", "nya", "Nyanja"),
    ("oc", "oci", "Occitan"),
    ("oj", "oji", "Ojibwa"),
    ("om", "orm", "Oromo"),
    ("or", "ori", "Oriya"),
    ("os", "oss", "Ossetian"),
    ("pa", "pan", "Panjabi"),
    ("pi", "pli", "Pali"),
    ("pl", "pol", "Polish"),
    ("ps", "pus", "Pushto"),
    ("pt", "por", "Portuguese"),
    ("qu", "que", "Quechua"),
    ("rm", "roh", "Romansh"),
    ("rn", "run", "Rundi"),
    ("ro", "ron", "Romanian"),
    ("ru", "rus", "Russian"),
    ("rw", "kin", "Kinyarwanda"),
    ("sa", "san", "Sanskrit"),
    ("sc", "srd", "Sardinian"),
    ("sd", "snd", "Sindhi"),
    ("se", "sme", "Northern Sami"),
    ("sg", "sag", "Sango"),
    ("sh", "hbs", "Serbo-Croatian"),
    ("si", "sin", "Sinhala"),
    ("sk", "slk", "Slovak"),
    ("sl", "slv", "Slovenian"),
    ("sm", "smo", "Samoan"),
    ("sn", "sna", "Shona"),
    ("so", "som", "Somali"),
    ("sq", "sqi", "Albanian"),
    ("sr", "srp", "Serbian"),
    ("ss", "ssw", "Swati"),
    ("st", "sot", "Southern Sotho"),
    ("su", "sun", "Sundanese"),
    ("sv", "swe", "Swedish"),
    ("sw", "swa", "Swahili"),
    ("ta", "tam", "Tamil"),
    ("te", "tel", "Telugu"),
    ("tg", "tgk", "Tajik"),
    ("th", "tha", "Thai"),
    ("ti", "tir", "Tigrinya"),
    ("tk", "tuk", "Turkmen"),
    ("tl", "tgl", "Tagalog"),
    ("tn", "tsn", "Tswana"),
    ("to", "ton", "Tonga"),
    ("tr", "tur", "Turkish"),
    ("ts", "tso", "Tsonga"),
    ("tt", "tat", "Tatar"),
    ("tw", "twi", "Twi"),
    ("ty", "tah", "Tahitian"),
    ("ug", "uig", "Uighur"),
    ("uk", "ukr", "Ukrainian"),
    ("ur", "urd", "Urdu"),
    ("uz", "uzb", "Uzbek"),
    ("ve", "ven", "Venda"),
    ("vi", "vie", "Vietnamese"),
    ("vo", "vol", "Volapük"),
    ("wa", "wln", "Walloon"),
    ("wo", "wol", "Wolof"),
    ("xh", "xho", "Xhosa"),
    ("yi", "yid", "Yiddish"),
    ("yo", "yor", "Yoruba"),
    ("za", "zha", "Zhuang"),
    ("zh", "zho", "Chinese"),
    ("zu", "zul", "Zulu"),
];
