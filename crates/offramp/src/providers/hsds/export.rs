//! Writing services back out as HSDS 3.0 JSON.

use super::schedule::{WEEKDAYS, zone_offsets};
use crate::providers::model::{Frequency, Hours, Intake, Organization, Service};
use crate::providers::taxonomy::{OFFRAMP_TAXONOMY, kind_code, population_code};
use chrono::{NaiveTime, Timelike};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};
/// A deterministic UUID-shaped id for exported records that have none in offramp's model.
pub(super) fn derived_id(parts: &[&str]) -> String {
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

pub(super) fn fmt_time(t: NaiveTime) -> String {
    if t.second() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

pub(super) fn export_schedules(h: &Hours, owner: &str) -> Vec<Value> {
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
pub(super) const KEPT_TAXONOMY: &str = "as read by offramp";

pub(super) fn offramp_attribute(service: &str, code: &str, name: &str) -> Value {
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
/// let org = Organization { id: "o1".into(), name: "Example Org".into(), description: None };
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
            // HSDS requires a description; an organization read without one gets an empty one.
            let description = o.description.as_deref().unwrap_or_default();
            m.insert(
                "organization".into(),
                json!({"id": o.id, "name": o.name, "description": description}),
            );
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
                    l.insert(
                        "id".into(),
                        json!(derived_id(&["language", &s.id, c.as_str()])),
                    );
                    l.insert("code".into(), json!(c));
                    if let Some(n) = c.english_name() {
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
