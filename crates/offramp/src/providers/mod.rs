//! Partner providers: a directory of services (read from HSDS 3.0 or offramp's own format),
//! their hours and capacity, and the matching that puts ranked options into decisions.

mod error;
pub mod hours;
pub mod hsds;
pub(crate) mod index;
pub mod model;
pub mod taxonomy;

use std::path::Path;

use crate::domain::{ACCEPTED_TIMES, date_problem, naive_time_problem, time_problem};
use crate::source::line_col;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use hours::OpeningHours;
pub use index::{ProviderGap, ProviderOption};
pub use model::{
    ByDay, Capacity, Closure, Eligibility, Frequency, Hours, Intake, Organization, Population,
    Schedule, Service, ServiceKind, Site, Weekday,
};

#[allow(deprecated)]
pub use error::LoadWarning;
pub use error::{DirectoryError, DirectoryWarning, LoadSetting};
pub use hsds::LoadOptions;

/// The largest directory read, in bytes (256 MiB): a directory file's text, or a data
/// package's `datapackage.json` and CSV files together. A larger file is refused before it is
/// read whole, larger text before it is parsed. A county's directory is a few megabytes.
pub const MAX_DIRECTORY_BYTES: usize = 256 << 20;

/// The most services a directory may hold (200,000); the first one past it is refused, before
/// its hours and sites are read.
pub const MAX_SERVICES: usize = 200_000;

/// The most schedules a directory may hold (1,000,000), counted as they are attached: a
/// location's schedules count once for each service offered there, since each such site gets
/// its own hours. Refused before the schedules that pass it are read.
pub const MAX_SCHEDULES: usize = 1_000_000;

/// The first date or time of `hours` outside the accepted range
/// ([`FIRST_YEAR`](crate::domain::FIRST_YEAR)..[`END_YEAR`](crate::domain::END_YEAR)), as its
/// field (`schedules[0].valid_to`, `closures[1].from`). A directory is refused for it, though
/// [`OpeningHours`] itself answers for any date chrono holds.
fn hours_out_of_range(hours: &Hours) -> Option<String> {
    for (i, s) in hours.schedules.iter().enumerate() {
        for (name, date) in [
            ("valid_from", &s.valid_from),
            ("valid_to", &s.valid_to),
            ("dtstart", &s.dtstart),
            ("until", &s.until),
        ] {
            if date.as_ref().and_then(date_problem).is_some() {
                return Some(format!("schedules[{i}].{name}"));
            }
        }
    }
    for (i, c) in hours.closures.iter().enumerate() {
        for (name, t) in [("from", &c.from), ("to", &c.to)] {
            if naive_time_problem(t).is_some() {
                return Some(format!("closures[{i}].{name}"));
            }
        }
    }
    None
}

/// Reads a directory file's text, refusing a file over [`MAX_DIRECTORY_BYTES`] without
/// reading it whole: what every surface reads a directory file with.
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/providers/harvey-il.json");
/// assert!(offramp::providers::read_directory_file(path.as_ref()).unwrap().starts_with('['));
/// ```
pub fn read_directory_file(path: &Path) -> Result<String, DirectoryError> {
    let name = path.display().to_string();
    match crate::source::read_text_capped(path, MAX_DIRECTORY_BYTES) {
        Ok(Some(text)) => Ok(text),
        Ok(None) => Err(DirectoryError::text_too_large(&name)),
        Err(e) => Err(DirectoryError::Io {
            file: name,
            message: e.to_string(),
        }),
    }
}

/// The error for the first service past `max_services`, or the first hours whose schedules
/// take the directory past `max_schedules` (counting each service's and each site's).
fn over_limits(
    services: &[Service],
    file: &str,
    max_services: usize,
    max_schedules: usize,
) -> Option<DirectoryError> {
    if let Some(s) = services.get(max_services) {
        return Some(DirectoryError::too_many_services(
            file,
            format!("service {}", s.id),
        ));
    }
    let mut schedules = 0usize;
    for s in services {
        let hours = std::iter::once(("hours".to_string(), &s.hours)).chain(
            s.sites
                .iter()
                .enumerate()
                .map(|(j, site)| (format!("sites[{j}].hours"), &site.hours)),
        );
        for (field, h) in hours {
            schedules = schedules.saturating_add(h.as_ref().map_or(0, |h| h.schedules.len()));
            if schedules > max_schedules {
                return Some(DirectoryError::too_many_schedules(
                    file,
                    format!("service {}", s.id),
                    &format!("{field}.schedules"),
                ));
            }
        }
    }
    None
}

/// offramp's own directory format (TOML or JSON): the model types, directly.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectorySpec {
    /// Organizations.
    #[serde(default)]
    pub organizations: Vec<Organization>,
    /// Services.
    #[serde(default)]
    pub services: Vec<Service>,
}

/// A checked provider directory: organizations and services with compiled hours.
#[derive(Debug, Clone)]
pub struct Directory {
    organizations: Vec<Organization>,
    services: Vec<Service>,
    warnings: Vec<DirectoryWarning>,
}

/// A warning for each schedule of `hours` that opens and closes at the same time (other than
/// midnight to midnight): read as never open ([`Schedule::is_empty_span`]).
fn warn_empty_spans(
    warnings: &mut Vec<DirectoryWarning>,
    file: &str,
    record: &str,
    field: &str,
    hours: &Hours,
) {
    for (i, s) in hours.schedules.iter().enumerate() {
        if s.is_empty_span() {
            warnings.push(DirectoryWarning::new(
                file,
                record.to_string(),
                Some(format!("{field}.schedules[{i}].closes_at").as_str()),
                "closes_at is the same time as opens_at, so the opening as written lasts no \
                 time; it is read as never open (give the closing time, or 00:00 to 00:00 for \
                 a whole day)",
            ));
        }
    }
}

impl Directory {
    /// A directory from organizations and services, checked: unique ids, known organizations,
    /// coordinates on the globe, hours that compile.
    pub fn new(
        organizations: Vec<Organization>,
        services: Vec<Service>,
    ) -> Result<Directory, DirectoryError> {
        Directory::checked(organizations, services, Vec::new(), "<directory>")
    }

    fn checked(
        organizations: Vec<Organization>,
        services: Vec<Service>,
        mut warnings: Vec<DirectoryWarning>,
        file: &str,
    ) -> Result<Directory, DirectoryError> {
        let invalid = |record: String, field: &str, expected: String| {
            DirectoryError::invalid(file, record, field, expected)
        };
        // Everything below grows with the services and their schedules: refuse too many first.
        if let Some(e) = over_limits(&services, file, MAX_SERVICES, MAX_SCHEDULES) {
            return Err(e);
        }
        let mut org_ids = std::collections::HashSet::new();
        for o in &organizations {
            if !org_ids.insert(o.id.as_str()) {
                return Err(invalid(
                    format!("organization {}", o.id),
                    "id",
                    "is used by two organizations".into(),
                ));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for s in &services {
            let record = format!("service {}", s.id);
            if s.id.trim().is_empty() {
                return Err(invalid(record, "id", "a non-empty id".into()));
            }
            if !ids.insert(s.id.as_str()) {
                return Err(invalid(record, "id", "an id no other service uses".into()));
            }
            if !org_ids.contains(s.organization_id.as_str()) {
                warnings.push(DirectoryWarning::new(
                    file,
                    record.clone(),
                    Some("organization_id"),
                    format!(
                        "organization `{}` is not in the directory",
                        s.organization_id
                    ),
                ));
            }
            if s.kinds.is_empty() {
                warnings.push(DirectoryWarning::new(
                    file,
                    record.clone(),
                    Some("kinds"),
                    "no service kind is known, so no pathway will be matched to it",
                ));
            }
            for (j, site) in s.sites.iter().enumerate() {
                if let Some(lat) = site.latitude
                    && !(-90.0..=90.0).contains(&lat)
                {
                    return Err(invalid(
                        record,
                        &format!("sites[{j}].latitude"),
                        "a latitude between -90 and 90".into(),
                    ));
                }
                if let Some(lon) = site.longitude
                    && !(-180.0..=180.0).contains(&lon)
                {
                    return Err(invalid(
                        record,
                        &format!("sites[{j}].longitude"),
                        "a longitude between -180 and 180".into(),
                    ));
                }
                if let Some(h) = &site.hours {
                    if let Some(field) = hours_out_of_range(h) {
                        let field = format!("sites[{j}].hours.{field}");
                        return Err(invalid(record, &field, ACCEPTED_TIMES.into()));
                    }
                    OpeningHours::compile(h).map_err(|e| {
                        invalid(record.clone(), &format!("sites[{j}].hours"), e.to_string())
                    })?;
                    warn_empty_spans(
                        &mut warnings,
                        file,
                        &record,
                        &format!("sites[{j}].hours"),
                        h,
                    );
                }
            }
            if let Some(h) = &s.hours {
                if let Some(field) = hours_out_of_range(h) {
                    return Err(invalid(
                        record,
                        &format!("hours.{field}"),
                        ACCEPTED_TIMES.into(),
                    ));
                }
                OpeningHours::compile(h)
                    .map_err(|e| invalid(record.clone(), "hours", e.to_string()))?;
                warn_empty_spans(&mut warnings, file, &record, "hours", h);
            }
            if s.capacity
                .as_ref()
                .and_then(|c| c.updated.as_ref())
                .is_some_and(|t| time_problem(t).is_some())
            {
                return Err(invalid(record, "capacity.updated", ACCEPTED_TIMES.into()));
            }
            if s.hours.is_none() && s.sites.iter().all(|x| x.hours.is_none()) {
                warnings.push(DirectoryWarning::new(
                    file,
                    record.clone(),
                    Some("hours"),
                    "no hours are published; it is offered as 'call ahead'",
                ));
            }
        }
        Ok(Directory {
            organizations,
            services,
            warnings,
        })
    }

    /// Reads offramp's own directory format from TOML text.
    pub fn from_toml(text: &str, name: &str) -> Result<Directory, DirectoryError> {
        if text.len() > MAX_DIRECTORY_BYTES {
            return Err(DirectoryError::text_too_large(name));
        }
        let spec: DirectorySpec = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            DirectoryError::Toml {
                file: name.into(),
                line,
                column,
                message: e.message().trim().to_string(),
                source_text: Some(text.into()),
            }
        })?;
        Directory::checked(spec.organizations, spec.services, Vec::new(), name)
    }

    /// Reads offramp's own directory format from JSON text (the same structure as the TOML).
    pub fn from_json(text: &str, name: &str) -> Result<Directory, DirectoryError> {
        if text.len() > MAX_DIRECTORY_BYTES {
            return Err(DirectoryError::text_too_large(name));
        }
        let spec: DirectorySpec = serde_json::from_str(text).map_err(|e| DirectoryError::Json {
            file: name.into(),
            line: e.line(),
            column: e.column(),
            message: crate::source::without_position(&e.to_string()).to_string(),
            source_text: Some(text.into()),
        })?;
        Directory::checked(spec.organizations, spec.services, Vec::new(), name)
    }

    /// The directory in offramp's own format, as JSON.
    ///
    /// # Errors
    ///
    /// When a value cannot be written as JSON; returned, never turned into an empty text.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(&self.spec())
    }

    /// Reads HSDS 3.0 JSON: one service, a list or page of services, one organization with
    /// its services, a list of organizations, or service-at-location records.
    ///
    /// ```
    /// use offramp::providers::{Directory, LoadOptions};
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/providers/harvey-il.json");
    /// let text = std::fs::read_to_string(path).unwrap();
    /// let options = LoadOptions { timezone: Some("America/Chicago".into()), ..LoadOptions::default() };
    /// let directory = Directory::from_hsds_json(&text, "harvey-il.json", &options).unwrap();
    /// assert!(directory.services().len() >= 8);
    /// ```
    pub fn from_hsds_json(
        text: &str,
        name: &str,
        options: &LoadOptions,
    ) -> Result<Directory, DirectoryError> {
        let loaded = hsds::from_json_str(text, name, options)?;
        Directory::checked(loaded.organizations, loaded.services, loaded.warnings, name)
    }

    /// Reads an HSDS 3.0 tabular data package: a folder with `datapackage.json` and CSV files.
    pub fn from_datapackage(
        dir: &Path,
        options: &LoadOptions,
    ) -> Result<Directory, DirectoryError> {
        let loaded = hsds::from_datapackage(dir, options)?;
        Directory::checked(
            loaded.organizations,
            loaded.services,
            loaded.warnings,
            &dir.display().to_string(),
        )
    }

    /// Reads a directory from a file or folder with default options: see
    /// [`Directory::from_file_with`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Directory, DirectoryError> {
        Directory::from_file_with(path, &LoadOptions::default())
    }

    /// The former name of [`Directory::from_file`].
    #[deprecated(
        since = "0.1.0",
        note = "renamed `Directory::from_file`, as in the bindings"
    )]
    pub fn from_path(path: impl AsRef<Path>) -> Result<Directory, DirectoryError> {
        Directory::from_file(path)
    }

    /// The former name of [`Directory::from_file_with`].
    #[deprecated(
        since = "0.1.0",
        note = "renamed `Directory::from_file_with`, as in the bindings"
    )]
    pub fn from_path_with(
        path: impl AsRef<Path>,
        options: &LoadOptions,
    ) -> Result<Directory, DirectoryError> {
        Directory::from_file_with(path, options)
    }

    /// Reads a directory from a file or folder: a folder is an HSDS data package, a `.toml`
    /// file is offramp's own format, a JSON object holding only `organizations` and `services`
    /// in offramp's shape is offramp's format too, and any other JSON is HSDS 3.0.
    pub fn from_file_with(
        path: impl AsRef<Path>,
        options: &LoadOptions,
    ) -> Result<Directory, DirectoryError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        if path.is_dir() {
            return Directory::from_datapackage(path, options);
        }
        let text = read_directory_file(path)?;
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("toml") => Directory::from_toml(&text, &name),
            _ => Directory::from_json_with(&text, &name, options),
        }
    }

    /// Reads JSON text as [`Directory::from_file_with`] reads a JSON file: offramp's own format
    /// when the text is an object holding only `organizations` and `services` in its shape,
    /// else HSDS 3.0 (read with `options`). For text that comes from somewhere other than a
    /// file, such as a web page.
    ///
    /// ```
    /// use offramp::providers::{Directory, LoadOptions};
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/providers/harvey-il.json");
    /// let text = std::fs::read_to_string(path).unwrap();
    /// let options = LoadOptions { timezone: Some("America/Chicago".into()), ..LoadOptions::default() };
    /// let directory = Directory::from_json_with(&text, "harvey-il.json", &options).unwrap();
    /// assert!(directory.services().len() >= 8);
    /// ```
    pub fn from_json_with(
        text: &str,
        name: &str,
        options: &LoadOptions,
    ) -> Result<Directory, DirectoryError> {
        if text.len() > MAX_DIRECTORY_BYTES {
            return Err(DirectoryError::text_too_large(name));
        }
        match serde_json::from_str::<DirectorySpec>(text) {
            Ok(spec) => Directory::checked(spec.organizations, spec.services, Vec::new(), name),
            Err(_) => Directory::from_hsds_json(text, name, options),
        }
    }

    /// The directory as HSDS 3.0 JSON (a list of services with their organizations, sites and
    /// schedules; kinds and groups as offramp taxonomy terms; capacity as HSDS 3.1 `capacities`).
    pub fn to_hsds_json(&self) -> String {
        // A JSON value (string keys only) always writes; `{:#}` is its pretty form.
        format!(
            "{:#}",
            hsds::to_hsds_json(&self.organizations, &self.services)
        )
    }

    /// The directory in offramp's own format.
    pub fn spec(&self) -> DirectorySpec {
        DirectorySpec {
            organizations: self.organizations.clone(),
            services: self.services.clone(),
        }
    }

    /// The organizations.
    pub fn organizations(&self) -> &[Organization] {
        &self.organizations
    }

    /// The services.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// What was incomplete when the directory loaded.
    pub fn warnings(&self) -> &[DirectoryWarning] {
        &self.warnings
    }

    /// The directory in offramp's own format, as TOML.
    ///
    /// # Errors
    ///
    /// When a value has no TOML form; returned, never turned into an empty text.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(&self.spec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_format_limits_name_the_record_and_field() {
        let text = r#"
[[services]]
id = "a"
organization_id = "o"
name = "A"
kinds = ["moud"]
[services.hours]
timezone = "UTC"
[[services.hours.schedules]]
opens_at = "09:00:00"
closes_at = "17:00:00"
[[services.sites]]
id = "a1"
location_id = "l1"
[services.sites.hours]
timezone = "UTC"
[[services.sites.hours.schedules]]
opens_at = "08:00:00"
closes_at = "12:00:00"
[[services.sites.hours.schedules]]
opens_at = "13:00:00"
closes_at = "18:00:00"
"#;
        let spec: DirectorySpec = toml::from_str(text).unwrap();
        assert!(over_limits(&spec.services, "d.toml", 1, 3).is_none());
        let e = over_limits(&spec.services, "d.toml", 1, 2).unwrap();
        assert_eq!(
            (e.record().as_str(), e.field()),
            ("service a", "sites[0].hours.schedules")
        );
        let e = over_limits(&spec.services, "d.toml", 0, 3).unwrap();
        assert!(
            e.to_string()
                .starts_with("d.toml: service a: -: the directory has more than")
        );
        assert!(Directory::from_toml(text, "d.toml").is_ok());
        let big = " ".repeat(MAX_DIRECTORY_BYTES + 1);
        let e = Directory::from_toml(&big, "d.toml").unwrap_err();
        assert_eq!(e.diagnostic().line, 1);
        assert!(matches!(
            Directory::from_json(&big, "d.json"),
            Err(DirectoryError::TooLarge { .. })
        ));
        assert!(matches!(
            hsds::from_json_str(&big, "d.json", &LoadOptions::default()),
            Err(DirectoryError::TooLarge { .. })
        ));
    }
}
