//! Telling what an HSDS JSON object is (a service, an organization, a location...) by its keys.

use super::fields::get;
use serde_json::{Map, Value};
/// What a JSON object appears to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Service,
    Organization,
    ServiceAtLocation,
    Location,
    TaxonomyTerm,
    Taxonomy,
    ApiRoot,
    Unknown,
}

pub(super) const SERVICE_KEYS: &[&str] = &[
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
pub(super) const ORG_KEYS: &[&str] = &[
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
pub(super) const LOCATION_KEYS: &[&str] = &[
    "location_type",
    "latitude",
    "longitude",
    "addresses",
    "accessibility",
    "transportation",
    "external_identifier",
    "external_identifier_type",
];
pub(super) const TERM_KEYS: &[&str] = &[
    "code",
    "parent_id",
    "taxonomy",
    "taxonomy_detail",
    "term_uri",
    "taxonomy_id",
];

pub(super) fn classify(o: &Map<String, Value>) -> Kind {
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
