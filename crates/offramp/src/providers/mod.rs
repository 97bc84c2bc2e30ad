//! Partner providers: a directory of services (read from HSDS 3.0 or offramp's own format),
//! their hours and capacity, and the matching that puts ranked options into decisions.

pub mod hours;
pub(crate) mod index;
pub mod model;

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use hours::OpeningHours;
pub use index::{ProviderGap, ProviderOption};
pub use model::{
    ByDay, Capacity, Closure, Eligibility, Frequency, Hours, Intake, Organization, Population,
    Schedule, Service, ServiceKind, Site, Weekday,
};

/// A directory could not be read or is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The file could not be read.
    #[error("{file}: cannot read the directory: {message}")]
    Io {
        /// The path.
        file: String,
        /// The operating system's reason.
        message: String,
    },
    /// A record is invalid.
    #[error("{file}: {record}: {field}: {message}")]
    Invalid {
        /// The file (or `<directory>` for one built in code).
        file: String,
        /// Which record (`service 8a2c...`, `row 12`).
        record: String,
        /// Which field.
        field: String,
        /// What was wrong and what was expected.
        message: String,
    },
}

impl DirectoryError {
    pub(crate) fn hours(service: &str, field: &str, message: &str) -> Self {
        DirectoryError::Invalid {
            file: "<directory>".into(),
            record: format!("service {service}"),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn too_large() -> Self {
        DirectoryError::Invalid {
            file: "<directory>".into(),
            record: "-".into(),
            field: "services".into(),
            message: "more services or sites than offramp can index".into(),
        }
    }
}

/// Something incomplete in a directory that did not stop it loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DirectoryWarning {
    /// Which record.
    pub record: String,
    /// Which field, when one.
    pub field: Option<String>,
    /// What is incomplete.
    pub message: String,
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
        let invalid = |record: String, field: &str, message: String| DirectoryError::Invalid {
            file: file.into(),
            record,
            field: field.into(),
            message,
        };
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
                return Err(invalid(record, "id", "must not be empty".into()));
            }
            if !ids.insert(s.id.as_str()) {
                return Err(invalid(record, "id", "is used by two services".into()));
            }
            if !org_ids.contains(s.organization_id.as_str()) {
                warnings.push(DirectoryWarning {
                    record: record.clone(),
                    field: Some("organization_id".into()),
                    message: format!(
                        "organization `{}` is not in the directory",
                        s.organization_id
                    ),
                });
            }
            if s.kinds.is_empty() {
                warnings.push(DirectoryWarning {
                    record: record.clone(),
                    field: Some("kinds".into()),
                    message: "no service kind is known, so no pathway will be matched to it".into(),
                });
            }
            for (j, site) in s.sites.iter().enumerate() {
                if let Some(lat) = site.latitude
                    && !(-90.0..=90.0).contains(&lat)
                {
                    return Err(invalid(
                        record,
                        &format!("sites[{j}].latitude"),
                        "must be between -90 and 90".into(),
                    ));
                }
                if let Some(lon) = site.longitude
                    && !(-180.0..=180.0).contains(&lon)
                {
                    return Err(invalid(
                        record,
                        &format!("sites[{j}].longitude"),
                        "must be between -180 and 180".into(),
                    ));
                }
                if let Some(h) = &site.hours {
                    OpeningHours::compile(h).map_err(|e| {
                        invalid(record.clone(), &format!("sites[{j}].hours"), e.to_string())
                    })?;
                }
            }
            if let Some(h) = &s.hours {
                OpeningHours::compile(h)
                    .map_err(|e| invalid(record.clone(), "hours", e.to_string()))?;
            }
            if s.hours.is_none() && s.sites.iter().all(|x| x.hours.is_none()) {
                warnings.push(DirectoryWarning {
                    record: record.clone(),
                    field: Some("hours".into()),
                    message: "no hours are published; it is offered as 'call ahead'".into(),
                });
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
        let spec: DirectorySpec = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            DirectoryError::Invalid {
                file: name.into(),
                record: format!("line {line}, column {col}"),
                field: "-".into(),
                message: e.message().trim().to_string(),
            }
        })?;
        Directory::checked(spec.organizations, spec.services, Vec::new(), name)
    }

    /// Reads a directory from a path: a `.toml` file in offramp's format, or HSDS 3.0 JSON.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Directory, DirectoryError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| DirectoryError::Io {
            file: name.clone(),
            message: e.to_string(),
        })?;
        Directory::from_toml(&text, &name)
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
    pub fn to_toml(&self) -> String {
        let spec = DirectorySpec {
            organizations: self.organizations.clone(),
            services: self.services.clone(),
        };
        toml::to_string(&spec).unwrap_or_default()
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
