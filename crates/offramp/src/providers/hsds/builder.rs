//! The state of one load: HSDS records read into organizations, services and sites.

use super::classify::{Kind, classify};
use super::export::KEPT_TAXONOMY;
use super::fields::{Rec, get, get_text, list_of, num_of, rec_of, short_value, text_of};
use super::{LoadOptions, Loaded};
use crate::language::Language;
use crate::providers::error::{DirectoryError, DirectoryWarning};
use crate::providers::model::{Capacity, Eligibility, Intake, Organization, Service, Site};
use crate::providers::taxonomy::{IntakeMode, OFFRAMP_TAXONOMY, TermRef};
use crate::providers::{MAX_SCHEDULES, MAX_SERVICES};
use chrono::DateTime;
use chrono_tz::Tz;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// The counts a load refuses to pass: [`MAX_SERVICES`] and [`MAX_SCHEDULES`] (smaller in
/// tests, which show where each is checked without building a directory of that size).
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub(super) services: usize,
    pub(super) schedules: usize,
}

impl Limits {
    /// The documented limits.
    pub(super) const DIRECTORY: Limits = Limits {
        services: MAX_SERVICES,
        schedules: MAX_SCHEDULES,
    };
}

/// The state of one load.
pub(super) struct Builder<'o> {
    pub(super) limits: Limits,
    pub(super) file: String,
    pub(super) opts: &'o LoadOptions,
    pub(super) zone: Option<Tz>,
    pub(super) orgs: Vec<Organization>,
    pub(super) org_idx: HashMap<String, (usize, Rec)>,
    pub(super) services: Vec<Service>,
    pub(super) svc_idx: HashMap<String, (usize, Rec)>,
    /// Locations by id, shared by every site at them (never copied per site).
    pub(super) locations: HashMap<String, Arc<Map<String, Value>>>,
    /// The languages of each location named by id, read once however many sites it has.
    location_languages: HashMap<String, Vec<Language>>,
    /// The (service index, site id) pairs read, to find a repeated site without a scan.
    site_ids: HashSet<(usize, String)>,
    /// Schedules read so far, against `limits.schedules`.
    pub(super) schedules: usize,
    pub(super) warnings: Vec<DirectoryWarning>,
    pub(super) skipped: BTreeSet<&'static str>,
}

impl<'o> Builder<'o> {
    pub(super) fn new(file: &str, opts: &'o LoadOptions) -> Result<Builder<'o>, DirectoryError> {
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
            limits: Limits::DIRECTORY,
            file: file.to_string(),
            opts,
            zone,
            orgs: Vec::new(),
            org_idx: HashMap::new(),
            services: Vec::new(),
            svc_idx: HashMap::new(),
            locations: HashMap::new(),
            location_languages: HashMap::new(),
            site_ids: HashSet::new(),
            schedules: 0,
            warnings: Vec::new(),
            skipped: BTreeSet::new(),
        })
    }

    pub(super) fn finish(mut self) -> Loaded {
        if self.services.is_empty() {
            let what = if self.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " (it holds {})",
                    self.skipped.iter().copied().collect::<Vec<_>>().join(", ")
                )
            };
            self.warnings.push(DirectoryWarning::new(
                self.file.clone(),
                "-",
                None,
                format!("no services found{what}"),
            ));
        }
        Loaded {
            organizations: self.orgs,
            services: self.services,
            warnings: self.warnings,
        }
    }

    /// Any top-level or list item.
    pub(super) fn item(&mut self, v: &Value, at: &str) -> Result<(), DirectoryError> {
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
                    self.locations.insert(id, Arc::new(o.clone()));
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

    pub(super) fn organization(
        &mut self,
        o: &Map<String, Value>,
        at: &str,
    ) -> Result<(), DirectoryError> {
        let rec = rec_of(o, &self.file, format!("organization at {at}"));
        let id =
            get_text(o, "id").ok_or_else(|| rec.missing("id", "every organization needs an id"))?;
        let rec = rec_of(o, &self.file, format!("organization {id}"));
        if let Some((_, first)) = self.org_idx.get(&id) {
            return Err(rec.duplicate("id", first));
        }
        self.add_org(o, &id, &rec);
        for l in list_of(o, "locations") {
            if let Some(m) = l.as_object()
                && let Some(lid) = get_text(m, "id")
            {
                self.locations.insert(lid, Arc::new(m.clone()));
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
    pub(super) fn add_org(&mut self, o: &Map<String, Value>, id: &str, rec: &Rec) {
        let name = get_text(o, "name");
        let description = get_text(o, "description");
        if let Some((i, _)) = self.org_idx.get(id) {
            // A fuller copy of an organization read before adds its description.
            if let (Some(d), Some(org)) = (&description, self.orgs.get_mut(*i))
                && org.description.is_none()
            {
                org.description = Some(d.clone());
            }
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
            description,
        });
    }

    pub(super) fn top_sal(
        &mut self,
        o: &Map<String, Value>,
        at: &str,
    ) -> Result<(), DirectoryError> {
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
            if !self.site_ids.insert((idx, site.id.clone())) {
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

    pub(super) fn merge_site_languages(&mut self, idx: usize, sal: &Map<String, Value>, rec: &Rec) {
        let langs = match get(sal, "location") {
            Some(Value::Object(loc)) => self.languages(loc, rec),
            Some(_) => return,
            None => {
                let Some(lid) = get_text(sal, "location_id") else {
                    return;
                };
                // A location named by id is the same record for each of its sites: its
                // languages are read (and any warning given) once.
                if let Some(langs) = self.location_languages.get(&lid) {
                    langs.clone()
                } else {
                    let Some(loc) = self.locations.get(&lid).cloned() else {
                        return;
                    };
                    let langs = self.languages(&loc, rec);
                    self.location_languages.insert(lid, langs.clone());
                    langs
                }
            }
        };
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
    pub(super) fn service(
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
        if self.services.len() >= self.limits.services {
            return Err(DirectoryError::too_many_services(&rec.file, rec.record));
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
            term_count = term_count.saturating_add(1);
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
                .any(|l| crate::providers::taxonomy::norm_label(l) == OFFRAMP_TAXONOMY);
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
                if !self.site_ids.insert((idx, site.id.clone())) {
                    let first = Rec {
                        file: srec.file.clone(),
                        record: format!("service_at_location {}", site.id),
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

    pub(super) fn age(
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

    pub(super) fn languages(&mut self, o: &Map<String, Value>, rec: &Rec) -> Vec<Language> {
        let mut out = Vec::new();
        for (i, l) in list_of(o, "languages").into_iter().enumerate() {
            let field = format!("languages[{i}]");
            let (code, name) = match l {
                Value::Object(m) => (get_text(m, "code"), get_text(m, "name")),
                Value::String(s) => (Some(s.trim().to_string()), None),
                _ => (None, None),
            };
            let found = match (&code, &name) {
                (Some(c), _) => Language::parse(c).ok(),
                (None, Some(n)) => Language::parse(n).ok(),
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

    pub(super) fn capacity(
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
    pub(super) fn site(
        &mut self,
        sal: &Map<String, Value>,
        rec: &Rec,
    ) -> Result<Option<Site>, DirectoryError> {
        let loc: Arc<Map<String, Value>> = match get(sal, "location") {
            Some(Value::Object(l)) => Arc::new(l.clone()),
            Some(other) => return Err(rec.invalid("location", "a location object", Some(other))),
            None => {
                let lid = get_text(sal, "location_id").ok_or_else(|| {
                    rec.missing(
                        "location_id",
                        "a service_at_location needs `location` or `location_id`",
                    )
                })?;
                match self.locations.get(&lid) {
                    Some(l) => l.clone(),
                    None => return Err(rec.unknown("location_id", "location", &lid)),
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
            .or_insert_with(|| loc.clone());
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

pub(super) fn count_of(v: &Value) -> Option<u32> {
    num_of(v)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32)
}

pub(super) fn norm_unit(u: &str) -> String {
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
