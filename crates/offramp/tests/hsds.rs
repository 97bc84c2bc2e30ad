//! HSDS 3.0 reading and writing: the Open Referral examples, the example directories, error
//! cases and round trips.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use offramp::providers::hsds::{
    DirectoryError, LoadOptions, Loaded, from_datapackage, from_json_str, to_hsds_json,
};
use offramp::providers::model::{
    ByDay, Capacity, Eligibility, Frequency, Hours, Intake, Organization, Population, Schedule,
    Service, ServiceKind, Site, Weekday,
};
use offramp::providers::taxonomy::TaxonomyMap;
use proptest::prelude::*;
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds-3.0")
}

fn examples_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("examples/providers"),
        here.join("../../examples/providers"),
    ]
    .into_iter()
    .find(|p| p.exists())
    .expect("examples/providers")
}

fn load_file(path: &Path, opts: &LoadOptions) -> Result<Loaded, DirectoryError> {
    let text = std::fs::read_to_string(path).unwrap();
    from_json_str(&text, &path.display().to_string(), opts)
}

fn tz(zone: &str) -> LoadOptions {
    LoadOptions {
        timezone: Some(zone.into()),
        ..LoadOptions::default()
    }
}

fn load(json: &Value) -> Result<Loaded, DirectoryError> {
    from_json_str(&json.to_string(), "test.json", &tz("America/Chicago"))
}

fn has_warning(l: &Loaded, field: &str, text: &str) -> bool {
    l.warnings
        .iter()
        .any(|w| w.field.as_deref() == Some(field) && w.message.contains(text))
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

const EXAMPLE_SERVICE: &str = "ac148810-d857-441c-9679-408f346de14b";

// ------------------------------------------------------------------ the Open Referral examples

#[test]
fn every_shared_json_example_loads() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        seen += 1;
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let loaded =
            load_file(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let with_services = [
            "service_full.json",
            "service_list.json",
            "organization_full.json",
            "service_at_location_full.json",
            "service_at_location_list.json",
            "tabular.json",
        ];
        if with_services.contains(&name.as_str()) {
            assert_eq!(loaded.services.len(), 1, "{name}");
            let s = &loaded.services[0];
            assert_eq!(s.id, EXAMPLE_SERVICE, "{name}");
            assert_eq!(s.name, "Community Counselling");
            assert_eq!(s.organization_id, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
            assert_eq!(
                (s.eligibility.minimum_age, s.eligibility.maximum_age),
                (Some(12), Some(100))
            );
            assert!(
                s.kinds.is_empty(),
                "{name}: the example's term is a placeholder"
            );
            assert!(
                has_warning(&loaded, "attributes", "no service kind"),
                "{name}"
            );
            assert_eq!(loaded.organizations.len(), 1, "{name}");
            assert_eq!(loaded.organizations[0].name, "Example Organization Inc.");
        } else if name == "organization_list.json" {
            assert!(loaded.services.is_empty());
            assert_eq!(loaded.organizations.len(), 1);
        } else {
            assert!(loaded.services.is_empty(), "{name}");
            assert!(
                loaded
                    .warnings
                    .iter()
                    .any(|w| w.message.starts_with("no services found")),
                "{name}"
            );
        }
    }
    assert_eq!(seen, 13);
}

#[test]
fn full_service_example_maps_every_part() {
    let l = load_file(
        &fixtures().join("service_full.json"),
        &LoadOptions::default(),
    )
    .unwrap();
    let s = &l.services[0];
    assert_eq!(s.eligibility.languages, vec!["urd".to_string()]);
    assert_eq!(s.taxonomy_terms, vec!["code".to_string()]);
    let h = s.hours.as_ref().unwrap();
    assert_eq!(h.timezone, "Etc/GMT-3");
    assert_eq!(h.schedules.len(), 1);
    let sc = &h.schedules[0];
    assert_eq!(sc.freq, Some(Frequency::Weekly));
    assert_eq!(
        sc.byday,
        vec![
            ByDay {
                nth: None,
                day: Weekday::TH
            },
            ByDay {
                nth: None,
                day: Weekday::FR
            }
        ]
    );
    assert!(
        sc.bymonthday.is_empty(),
        "bymonthday is not valid with WEEKLY"
    );
    assert_eq!(
        (sc.opens_at, sc.closes_at),
        (Some(t(10, 0)), Some(t(18, 0)))
    );
    assert_eq!(sc.interval, Some(1));
    assert!(sc.valid_from.is_some() && sc.until.is_some() && sc.dtstart.is_some());
    for field in ["count", "byweekno", "byyearday", "bymonthday"] {
        assert!(has_warning(&l, field, ""), "{field}");
    }
    assert!(has_warning(&l, "timezone", "daylight-saving"));
    // The site: coordinates 100/101 are out of range, dropped with a warning.
    assert_eq!(s.sites.len(), 1);
    let site = &s.sites[0];
    assert_eq!(site.id, "e94c9f38-1e8f-4564-91d4-d53501ab1765");
    assert_eq!(site.location_id, "3a19ff88-4620-4d17-9830-ac1d859eb5d5");
    assert_eq!(site.name.as_deref(), Some("MyCity Civic Center"));
    assert_eq!((site.latitude, site.longitude), (None, None));
    assert!(site.hours.is_some());
    let w = l
        .warnings
        .iter()
        .find(|w| w.message.contains("out of range"))
        .unwrap();
    assert_eq!(w.record, "location 3a19ff88-4620-4d17-9830-ac1d859eb5d5");
    assert_eq!(w.field.as_deref(), Some("latitude"));
}

#[test]
fn an_iana_zone_replaces_the_numeric_offset_and_a_mismatch_is_reported() {
    let l = load_file(
        &fixtures().join("service_full.json"),
        &tz("America/Chicago"),
    )
    .unwrap();
    assert_eq!(
        l.services[0].hours.as_ref().unwrap().timezone,
        "America/Chicago"
    );
    assert!(has_warning(
        &l,
        "timezone",
        "does not match America/Chicago"
    ));
    let e = load_file(&fixtures().join("service_full.json"), &tz("Mars/Olympus")).unwrap_err();
    assert_eq!(
        (e.file(), e.record().as_str(), e.field()),
        ("<options>", "LoadOptions", "timezone")
    );
}

#[test]
fn the_tabular_package_loads_and_names_csv_rows() {
    let l = from_datapackage(&fixtures().join("csv"), &LoadOptions::default()).unwrap();
    assert_eq!(l.services.len(), 1);
    assert_eq!(l.organizations.len(), 1);
    let s = &l.services[0];
    assert_eq!(s.id, EXAMPLE_SERVICE);
    assert_eq!(s.eligibility.languages, vec!["urd".to_string()]);
    assert_eq!(s.sites.len(), 1);
    assert_eq!(s.sites[0].id, "e94c9f38-1e8f-4564-91d4-d53501ab1765");
    assert!(s.sites[0].hours.is_some());
    assert!(s.hours.is_some());
    let w = l
        .warnings
        .iter()
        .find(|w| w.field.as_deref() == Some("byweekno"))
        .unwrap();
    assert!(w.file.ends_with("schedules.csv"), "{w}");
    assert_eq!(w.record, "row 2");
    let w = l
        .warnings
        .iter()
        .find(|w| w.message.contains("out of range"))
        .unwrap();
    assert!(
        w.file.ends_with("locations.csv") && w.record == "row 2",
        "{w}"
    );
    // The same data as JSON (tabular.json) reads the same.
    let j = load_file(&fixtures().join("tabular.json"), &LoadOptions::default()).unwrap();
    assert_eq!(j.services, l.services);
    assert_eq!(j.organizations, l.organizations);
}

// ------------------------------------------------------------------ the example directories

fn example(name: &str, zone: &str) -> Loaded {
    let l =
        load_file(&examples_dir().join(name), &tz(zone)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        l.warnings.is_empty(),
        "{name}: {:?}",
        l.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    for s in &l.services {
        assert!(!s.kinds.is_empty(), "{name}: {}", s.name);
        assert!(s.hours.is_some(), "{name}: {}", s.name);
        assert!(l.organizations.iter().any(|o| o.id == s.organization_id));
        for site in &s.sites {
            assert!(site.latitude.is_some() && site.longitude.is_some());
        }
    }
    l
}

fn find<'a>(l: &'a Loaded, name_part: &str) -> &'a Service {
    l.services
        .iter()
        .find(|s| s.name.contains(name_part))
        .unwrap_or_else(|| panic!("{name_part}"))
}

#[test]
fn harvey_directory() {
    let l = example("harvey-il.json", "America/Chicago");
    assert!(l.services.len() >= 8);
    let kinds: BTreeSet<ServiceKind> = l
        .services
        .iter()
        .flat_map(|s| s.kinds.iter().copied())
        .collect();
    for k in [
        ServiceKind::CaseManagement,
        ServiceKind::SexWorkTrafficking,
        ServiceKind::WithdrawalManagement,
        ServiceKind::Moud,
        ServiceKind::MentalHealthCrisis,
        ServiceKind::CrisisStabilization,
        ServiceKind::ShelterHousing,
        ServiceKind::PeerRecovery,
        ServiceKind::Outpatient,
    ] {
        assert!(kinds.contains(&k), "{k:?}");
    }
    let ywca = find(&l, "Sex Work");
    assert!(
        ywca.kinds.contains(&ServiceKind::CaseManagement)
            && ywca.kinds.contains(&ServiceKind::SexWorkTrafficking)
    );
    assert!(
        ywca.eligibility
            .populations
            .contains(&Population::SexWorkers)
    );
    assert_eq!(ywca.eligibility.intake, Intake::ReferralOnly);
    assert!(
        l.organizations
            .iter()
            .any(|o| o.id == ywca.organization_id && o.name.starts_with("YWCA"))
    );
    let crisis = find(&l, "Crisis");
    assert!(crisis.hours.as_ref().unwrap().always_open);
    let shelter = find(&l, "Shelter");
    assert_eq!(shelter.capacity.as_ref().unwrap().unit, "bed");
    let trafficking = find(&l, "Trafficking");
    assert!(
        trafficking
            .eligibility
            .populations
            .contains(&Population::TraffickingSurvivors)
    );
    let op = find(&l, "Outpatient");
    assert!(
        op.eligibility
            .languages
            .contains(&offramp::Language::SPANISH)
    );
    let spanish_site = op
        .sites
        .iter()
        .find(|s| s.name.as_deref().unwrap_or("").contains("Spanish"))
        .unwrap();
    assert!(spanish_site.hours.is_some());
    let weekdays = &op.hours.as_ref().unwrap().schedules[0];
    assert_eq!(weekdays.byday.len(), 5);
    assert_eq!(op.hours.as_ref().unwrap().timezone, "America/Chicago");
}

#[test]
fn king_county_directory() {
    let l = example("king-county.json", "America/Los_Angeles");
    assert!(l.services.len() >= 10);
    let lead = find(&l, "LEAD");
    assert!(lead.kinds.contains(&ServiceKind::CaseManagement));
    let shelter = find(&l, "Overnight Emergency Shelter");
    let s = &shelter.hours.as_ref().unwrap().schedules[0];
    assert_eq!((s.opens_at, s.closes_at), (Some(t(19, 0)), Some(t(7, 0))));
    let hr = find(&l, "second Tuesday");
    let s = &hr.hours.as_ref().unwrap().schedules[0];
    assert_eq!(s.freq, Some(Frequency::Monthly));
    assert_eq!(
        s.byday,
        vec![ByDay {
            nth: Some(2),
            day: Weekday::TU
        }]
    );
    let youth = find(&l, "Young Adult");
    assert_eq!(youth.eligibility.maximum_age, Some(24));
    assert!(youth.eligibility.populations_only);
    let full = l
        .services
        .iter()
        .find(|s| s.capacity.as_ref().is_some_and(|c| c.available == 0))
        .unwrap();
    assert_eq!(full.capacity.as_ref().unwrap().unit, "bed");
    let csc = find(&l, "Crisis Solutions");
    assert!(csc.hours.as_ref().unwrap().always_open);
    let bup = find(&l, "Buprenorphine");
    assert!(bup.kinds.contains(&ServiceKind::Moud));
    assert_eq!(bup.eligibility.intake, Intake::WalkIn);
}

#[test]
fn hamilton_county_directory() {
    let l = example("hamilton-county.json", "America/New_York");
    let kinds: BTreeSet<ServiceKind> = l
        .services
        .iter()
        .flat_map(|s| s.kinds.iter().copied())
        .collect();
    for k in [
        ServiceKind::Moud,
        ServiceKind::WithdrawalManagement,
        ServiceKind::PeerRecovery,
        ServiceKind::Residential,
        ServiceKind::HarmReduction,
        ServiceKind::Outpatient,
    ] {
        assert!(kinds.contains(&k), "{k:?}");
    }
}

/// The value with every `tzid` key taken out, as a directory that gives only HSDS's offsets.
fn without_tzid(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("tzid");
            m.values_mut().for_each(without_tzid);
        }
        Value::Array(a) => a.iter_mut().for_each(without_tzid),
        _ => {}
    }
}

#[test]
fn examples_carry_their_zone_and_load_without_warnings() {
    for (name, zone) in [
        ("harvey-il.json", "America/Chicago"),
        ("king-county.json", "America/Los_Angeles"),
        ("hamilton-county.json", "America/New_York"),
    ] {
        let path = examples_dir().join(name);
        let l = load_file(&path, &LoadOptions::default()).unwrap();
        assert!(l.warnings.is_empty(), "{name}: {:?}", l.warnings);
        assert!(
            l.services
                .iter()
                .all(|s| s.hours.as_ref().unwrap().timezone == zone)
        );
        // Without their `tzid`, they load with the bare offsets and say so.
        let mut bare: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        without_tzid(&mut bare);
        let l = from_json_str(&bare.to_string(), name, &LoadOptions::default()).unwrap();
        assert!(
            l.services
                .iter()
                .all(|s| s.hours.as_ref().unwrap().timezone.starts_with("Etc/GMT+"))
        );
        assert!(has_warning(&l, "timezone", "daylight-saving"));
    }
}

// ------------------------------------------------------------------ round trips

fn round_trip(l: &Loaded) -> Loaded {
    let out = to_hsds_json(&l.organizations, &l.services);
    let text = serde_json::to_string_pretty(&out).unwrap();
    from_json_str(&text, "export.json", &LoadOptions::default()).unwrap()
}

#[test]
fn exported_directories_load_back_the_same() {
    for (name, zone) in [
        ("harvey-il.json", "America/Chicago"),
        ("king-county.json", "America/Los_Angeles"),
        ("hamilton-county.json", "America/New_York"),
    ] {
        let l = load_file(&examples_dir().join(name), &tz(zone)).unwrap();
        let back = round_trip(&l);
        assert_eq!(back.services, l.services, "{name}");
        assert_eq!(back.organizations, l.organizations, "{name}");
        assert!(back.warnings.is_empty(), "{name}: {:?}", back.warnings);
    }
    let l = load_file(
        &fixtures().join("service_full.json"),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(round_trip(&l).services, l.services);
}

fn rich_service() -> (Organization, Service) {
    let org = Organization {
        id: "org-1".into(),
        name: "Round Trip Org".into(),
        description: Some("Keeps its description through HSDS".into()),
    };
    let hours = Hours {
        timezone: "America/Denver".into(),
        always_open: false,
        schedules: vec![
            Schedule {
                freq: Some(Frequency::Monthly),
                interval: Some(2),
                byday: vec![
                    ByDay {
                        nth: Some(-1),
                        day: Weekday::FR,
                    },
                    ByDay {
                        nth: Some(2),
                        day: Weekday::TU,
                    },
                ],
                opens_at: Some(t(9, 30)),
                closes_at: Some(NaiveTime::from_hms_opt(17, 15, 30).unwrap()),
                valid_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
                valid_to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
                dtstart: chrono::NaiveDate::from_ymd_opt(2026, 1, 2),
                until: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
                description: Some("Every other month".into()),
                ..Schedule::default()
            },
            Schedule {
                freq: Some(Frequency::Monthly),
                bymonthday: vec![1, -1],
                opens_at: Some(t(22, 0)),
                closes_at: Some(t(6, 0)),
                ..Schedule::default()
            },
        ],
        closures: vec![],
    };
    let svc = Service {
        id: "svc-1".into(),
        organization_id: "org-1".into(),
        name: "Everything at once".into(),
        kinds: [ServiceKind::HarmReduction, ServiceKind::SexWorkTrafficking]
            .into_iter()
            .collect(),
        eligibility: Eligibility {
            minimum_age: Some(16),
            maximum_age: Some(64),
            populations: [Population::SexWorkers, Population::Lgbtq]
                .into_iter()
                .collect(),
            populations_only: true,
            languages: ["eng", "spa", "ase"].map(|l| l.parse().unwrap()).to_vec(),
            insurance: vec!["medicaid".into(), "uninsured".into()],
            intake: Intake::WalkIn,
        },
        capacity: Some(Capacity {
            available: 3,
            maximum: Some(9),
            unit: "bed".into(),
            updated: chrono::DateTime::parse_from_rfc3339("2026-02-03T04:05:06.5-07:00").ok(),
        }),
        hours: Some(hours.clone()),
        sites: vec![
            Site {
                id: "sal-1".into(),
                location_id: "loc-1".into(),
                name: Some("Main".into()),
                latitude: Some(39.739_236_123_456_7),
                longitude: Some(-104.990_251),
                hours: Some(Hours {
                    always_open: true,
                    schedules: vec![],
                    ..hours
                }),
            },
            Site {
                id: "loc-2".into(),
                location_id: "loc-2".into(),
                name: None,
                latitude: Some(39.7),
                longitude: Some(-105.0),
                hours: None,
            },
        ],
        status: "temporarily closed".into(),
        taxonomy_terms: vec!["RX-8470.1900-610".into(), "Some local term".into()],
    };
    (org, svc)
}

#[test]
fn a_service_using_every_field_round_trips() {
    let (org, svc) = rich_service();
    let out = to_hsds_json(std::slice::from_ref(&org), std::slice::from_ref(&svc));
    assert!(out[0]["capacities"][0]["unit"]["name"] == "bed");
    let back = from_json_str(
        &out.to_string(),
        "export.json",
        &LoadOptions {
            taxonomy: TaxonomyMap::empty("none"),
            timezone: None,
        },
    )
    .unwrap();
    assert_eq!(back.services, vec![svc.clone()]);
    assert_eq!(back.organizations, vec![org.clone()]);
    // A different mapping and a different default zone change nothing: the export is explicit.
    let again = from_json_str(&out.to_string(), "export.json", &tz("Asia/Tokyo")).unwrap();
    assert_eq!(again.services, vec![svc]);
}

// ------------------------------------------------------------------ mapping rules

fn svc(extra: Value) -> Value {
    let mut base = json!({"id": "s1", "name": "Test", "status": "active", "organization": {"id": "o1", "name": "Org"}});
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

#[test]
fn a_schedule_opening_and_closing_at_once_is_warned_about_as_never_open() {
    let text = json!([svc(json!({"schedules": [
        {"id": "a", "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "09:00"},
        {"id": "b", "freq": "WEEKLY", "byday": "TU", "opens_at": "00:00", "closes_at": "24:00"}
    ]}))])
    .to_string();
    let d =
        offramp::providers::Directory::from_hsds_json(&text, "test.json", &tz("America/Chicago"))
            .unwrap();
    let warned: Vec<_> = d
        .warnings()
        .iter()
        .filter(|w| w.message.contains("never open"))
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", d.warnings());
    assert_eq!(warned[0].record, "service s1");
    assert_eq!(
        warned[0].field.as_deref(),
        Some("hours.schedules[0].closes_at")
    );
    let hours = d.services()[0].hours.as_ref().unwrap();
    assert!(hours.schedules[0].is_empty_span());
    assert!(
        !hours.schedules[1].is_empty_span(),
        "00:00 to 24:00 is a whole day"
    );
}

#[test]
fn schedule_times_accept_seconds_suffixes_and_24_00() {
    let l = load(&json!([svc(json!({"schedules": [
        {"id": "a", "freq": "WEEKLY", "byday": "mo, we", "opens_at": "09:00:00-06:00", "closes_at": "24:00"},
        {"id": "b", "freq": "WEEKLY", "byday": "SA", "opens_at": "10:00Z", "closes_at": "12:00Z"},
        {"id": "c", "freq": "DAILY", "opens_at": "07:30", "closes_at": "08:00:00.000"}
    ]}))]))
    .unwrap();
    let h = l.services[0].hours.as_ref().unwrap();
    assert_eq!(h.schedules[0].closes_at, Some(NaiveTime::MIN));
    assert_eq!(h.schedules[0].byday.len(), 2);
    assert_eq!(h.schedules[1].opens_at, Some(t(10, 0)));
    assert_eq!(h.schedules[2].freq, None);
    assert!(has_warning(
        &l,
        "opens_at",
        "+00:00 does not match America/Chicago"
    ));
    assert!(
        !l.warnings
            .iter()
            .any(|w| w.record == "schedule a" && w.field.as_deref() == Some("opens_at"))
    );
}

#[test]
fn numeric_strings_are_read_as_numbers() {
    let l = load(&json!([svc(json!({
        "minimum_age": "18", "maximum_age": "64.9",
        "schedules": [{"id": "a", "freq": "WEEKLY", "interval": "2", "byday": "MO", "dtstart": "2026-01-05T00:00:00Z", "opens_at": "09:00", "closes_at": "10:00", "timezone": "-6"}],
        "service_at_locations": [{"id": "x", "location": {"id": "l", "location_type": "physical", "latitude": "41.6", "longitude": "-87.6"}}],
        "capacities": [{"id": "c", "unit": {"id": "u", "name": "Beds"}, "available": "4", "maximum": 10, "updated": "2026-01-01T00:00:00Z"}]
    }))]))
    .unwrap();
    let s = &l.services[0];
    assert_eq!(
        (s.eligibility.minimum_age, s.eligibility.maximum_age),
        (Some(18), Some(64))
    );
    assert!(has_warning(&l, "maximum_age", "rounded"));
    assert_eq!(s.hours.as_ref().unwrap().schedules[0].interval, Some(2));
    assert_eq!(s.sites[0].latitude, Some(41.6));
    let c = s.capacity.as_ref().unwrap();
    assert_eq!(
        (c.available, c.maximum, c.unit.as_str()),
        (4, Some(10), "bed")
    );
}

#[test]
fn capacity_aliases_and_several_capacities() {
    let l = load(&json!([svc(
        json!({"service_capacity": {"id": "c", "unit": "slot", "available": 2}})
    )]))
    .unwrap();
    assert_eq!(l.services[0].capacity.as_ref().unwrap().unit, "slot");
    let l = load(&json!([svc(json!({"capacities": [
        {"id": "c1", "unit": {"id": "u1", "name": "appointment"}, "available": 5},
        {"id": "c2", "unit": {"id": "u2", "name": "Bed"}, "available": 1, "maximum": 0}
    ]}))]))
    .unwrap();
    let c = l.services[0].capacity.as_ref().unwrap();
    assert_eq!((c.unit.as_str(), c.available), ("bed", 1));
    assert!(has_warning(&l, "capacities", "2 capacities"));
    assert!(has_warning(
        &l,
        "capacities[1].available",
        "more places available than the maximum"
    ));
}

#[test]
fn languages_are_normalised_to_iso_639_3() {
    let l = load(&json!([svc(json!({"languages": [
        {"id": "1", "code": "es"}, {"id": "2", "code": "zh-Hant"}, {"id": "3", "code": "ger"},
        {"id": "4", "name": "Haitian Creole"}, {"id": "5", "code": "SPA"}, {"id": "6", "code": "xx"},
        {"id": "7", "code": "e1"}, "vi"
    ]}))]))
    .unwrap();
    assert_eq!(
        l.services[0].eligibility.languages,
        vec!["spa", "zho", "deu", "hat", "vie"]
    );
    assert!(has_warning(&l, "languages[5]", "unknown language"));
    assert!(has_warning(&l, "languages[6]", "unknown language"));
}

#[test]
fn taxonomy_terms_give_kinds_populations_intake_and_insurance() {
    let term = |tax: &str, code: Option<&str>, name: &str| json!({"id": name, "taxonomy_term": {"id": name, "code": code, "name": name, "taxonomy": tax}});
    let l = load(&json!([svc(json!({"attributes": [
        term("AIRS", Some("RX-1700.0500"), "Alcohol Detoxification"),
        term("Open Eligibility", None, "Veterans"),
        term("Open Eligibility", None, "Walk-In"),
        term("SAMHSA", Some("MD"), "Medicaid"),
        term("offramp", Some("population:pregnant_parenting"), "Pregnant"),
        term("local", Some("L-1"), "Something local")
    ]}))]))
    .unwrap();
    let s = &l.services[0];
    assert_eq!(
        s.kinds,
        [ServiceKind::WithdrawalManagement].into_iter().collect()
    );
    assert!(s.eligibility.populations.contains(&Population::Veterans));
    assert!(
        s.eligibility
            .populations
            .contains(&Population::PregnantParenting)
    );
    assert_eq!(s.eligibility.intake, Intake::WalkIn);
    assert_eq!(s.eligibility.insurance, vec!["medicaid"]);
    // offramp's own terms are not kept as taxonomy terms; the others are, by code or name.
    assert_eq!(
        s.taxonomy_terms,
        vec!["RX-1700.0500", "Veterans", "Walk-In", "MD", "L-1"]
    );
    // Walk-in and referral-only together mean either.
    let l = load(&json!([svc(
        json!({"attributes": [term("x", None, "Walk-In"), term("x", None, "Referral Required")]})
    )]))
    .unwrap();
    assert_eq!(l.services[0].eligibility.intake, Intake::Either);
}

#[test]
fn incomplete_records_load_with_warnings() {
    let l = load(&json!([svc(json!({
        "status": "inactive",
        "schedules": [{"id": "a", "description": "Call for hours"}, {"id": "b", "freq": "YEARLY", "opens_at": "09:00", "closes_at": "10:00"}],
        "service_at_locations": [
            {"id": "x", "location": {"id": "l1", "location_type": "physical"}},
            {"id": "y", "location": {"id": "l2", "location_type": "virtual", "url": "https://example.org"}},
            {"id": "z", "location": {"id": "l3", "location_type": "physical", "latitude": 41.0}}
        ]
    }))]))
    .unwrap();
    let s = &l.services[0];
    assert_eq!(s.status, "inactive");
    assert!(s.hours.is_none());
    assert_eq!(s.sites.len(), 2, "the virtual location is not a site");
    assert!(has_warning(&l, "status", "not active"));
    assert!(
        l.warnings
            .iter()
            .any(|w| w.record == "schedule a" && w.message.contains("only free text"))
    );
    assert!(has_warning(&l, "freq", "YEARLY"));
    assert!(has_warning(&l, "latitude", "no coordinates"));
    assert!(has_warning(
        &l,
        "latitude",
        "only one of latitude and longitude"
    ));
    assert!(has_warning(&l, "location_type", "virtual"));
    assert!(has_warning(&l, "attributes", "no service kind"));
    assert!(has_warning(&l, "schedules", "no usable hours"));
}

#[test]
fn no_zone_at_all_reads_utc_with_a_warning() {
    let l = from_json_str(
        &json!(svc(
            json!({"schedules": [{"id": "a", "opens_at": "09:00", "closes_at": "17:00"}]})
        ))
        .to_string(),
        "t.json",
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(l.services[0].hours.as_ref().unwrap().timezone, "UTC");
    assert!(has_warning(&l, "schedules", "no time zone"));
}

#[test]
fn service_at_location_lists_merge_sites_of_one_service() {
    let service = json!({"id": "s1", "name": "S", "status": "active", "organization_id": "o1"});
    let page = json!({"total_items": 2, "contents": [
        {"id": "sal-1", "service": service, "location": {"id": "l1", "location_type": "physical", "latitude": 1.0, "longitude": 2.0}},
        {"id": "sal-2", "service": service, "location": {"id": "l2", "location_type": "physical", "latitude": 3.0, "longitude": 4.0}},
        {"id": "sal-3", "service_id": "s1", "location_id": "l1"}
    ]});
    let l = load(&page).unwrap();
    assert_eq!(l.services.len(), 1);
    let ids: Vec<&str> = l.services[0].sites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, vec!["sal-1", "sal-2", "sal-3"]);
}

// ------------------------------------------------------------------ errors

fn err(json: &Value) -> DirectoryError {
    load(json).unwrap_err()
}

fn parts(e: &DirectoryError) -> (String, String, String) {
    (e.file().to_string(), e.record(), e.field().to_string())
}

#[test]
fn invalid_json_names_line_and_column() {
    let e = from_json_str("[\n  {\"id\": }\n]", "bad.json", &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            DirectoryError::Json {
                line: 2,
                column: 10,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("bad.json: line 2, column 10: -: not valid JSON")
    );
}

#[test]
fn json_that_is_not_hsds_is_a_shape_error() {
    let e = from_json_str("42", "n.json", &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, DirectoryError::Shape { .. }));
    assert_eq!(
        e.to_string(),
        "n.json: top level: -: expected an HSDS object or list, found a number"
    );
    let e = err(&json!([{"id": "x", "name": "y"}]));
    assert_eq!(parts(&e), ("test.json".into(), "[0]".into(), "-".into()));
    let e = err(&json!({"contents": 3}));
    assert!(matches!(e, DirectoryError::Shape { .. }));
    let e = err(&json!([1]));
    assert_eq!(e.record(), "[0]");
}

#[test]
fn missing_fields_are_named() {
    let e = err(&json!([{"name": "x", "status": "active"}]));
    assert!(matches!(e, DirectoryError::MissingField { .. }));
    assert_eq!(
        e.to_string(),
        "test.json: service at [0]: id: is missing; every service needs an id"
    );
    let e = err(&json!([svc(
        json!({"service_at_locations": [{"id": "sal-1"}]})
    )]));
    assert_eq!(
        parts(&e),
        (
            "test.json".into(),
            "service_at_location sal-1".into(),
            "location_id".into()
        )
    );
    let e = err(&json!([svc(
        json!({"capacities": [{"id": "c", "unit": "bed"}]})
    )]));
    assert_eq!(e.field(), "capacities[0].available");
    let e = err(
        &json!({"id": "o1", "name": "Org", "website": "https://example.org", "services": [{"name": "no id", "status": "active"}]}),
    );
    assert_eq!(e.record(), "service at organization o1 services[0]");
}

#[test]
fn invalid_values_say_what_was_expected() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"schedules": [{"id": "h1", "opens_at": "25:00", "closes_at": "26:00"}]}),
            "schedule h1",
            "opens_at",
        ),
        (
            json!({"schedules": [{"id": "h1", "opens_at": "24:00", "closes_at": "26:00"}]}),
            "schedule h1",
            "opens_at",
        ),
        (
            json!({"schedules": [{"id": "h1", "freq": "WEEKLY", "byday": "MO,XX"}]}),
            "schedule h1",
            "byday",
        ),
        (
            json!({"schedules": [{"id": "h1", "freq": "MONTHLY", "byday": "6MO"}]}),
            "schedule h1",
            "byday",
        ),
        (
            json!({"schedules": [{"id": "h1", "freq": "FORTNIGHTLY"}]}),
            "schedule h1",
            "freq",
        ),
        (
            json!({"schedules": [{"id": "h1", "freq": "MONTHLY", "bymonthday": "0"}]}),
            "schedule h1",
            "bymonthday",
        ),
        (
            json!({"schedules": [{"id": "h1", "freq": "WEEKLY", "interval": 0}]}),
            "schedule h1",
            "interval",
        ),
        (
            json!({"schedules": [{"id": "h1", "opens_at": "09:00", "valid_from": "01/02/2026"}]}),
            "schedule h1",
            "valid_from",
        ),
        (
            json!({"schedules": [{"id": "h1", "opens_at": "09:00", "tzid": "Nowhere/City"}]}),
            "schedule h1",
            "tzid",
        ),
        (json!({"minimum_age": -1}), "service s1", "minimum_age"),
        (
            json!({"minimum_age": 30, "maximum_age": 20}),
            "service s1",
            "maximum_age",
        ),
        (
            json!({"capacities": [{"id": "c", "available": "many"}]}),
            "service s1",
            "capacities[0].available",
        ),
        (
            json!({"capacities": [{"id": "c", "available": 1, "updated": "yesterday"}]}),
            "service s1",
            "capacities[0].updated",
        ),
    ];
    for (extra, record, field) in cases {
        let e = err(&json!([svc(extra.clone())]));
        assert!(
            matches!(e, DirectoryError::InvalidValue { .. }),
            "{extra}: {e:?}"
        );
        assert_eq!(
            parts(&e),
            ("test.json".into(), record.into(), field.into()),
            "{extra}"
        );
    }
    let e = err(&json!([svc(
        json!({"schedules": [{"id": "h1", "opens_at": "9am"}]})
    )]));
    assert!(e.to_string().ends_with("found `9am`"), "{e}");
    // A fractional offset cannot be a zone unless the directory's zone is given.
    let fractional = json!([svc(
        json!({"schedules": [{"id": "h1", "opens_at": "09:00", "timezone": 5.5}]})
    )]);
    let e = from_json_str(&fractional.to_string(), "t.json", &LoadOptions::default()).unwrap_err();
    assert_eq!(
        parts(&e),
        ("t.json".into(), "schedule h1".into(), "timezone".into())
    );
    assert!(load(&fractional).is_ok());
}

#[test]
fn unknown_references_and_duplicates_are_errors() {
    let e = err(&json!([svc(
        json!({"service_at_locations": [{"id": "sal-1", "location_id": "nowhere"}]})
    )]));
    assert_eq!(
        e.to_string(),
        "test.json: service_at_location sal-1: location_id: names location `nowhere`, which is not in the directory"
    );
    let e = err(&json!([{"id": "sal-9", "service_id": "ghost", "location_id": "l1"}]));
    assert!(matches!(e, DirectoryError::UnknownReference { .. }));
    assert_eq!(e.field(), "service_id");
    let e = err(&json!([svc(json!({})), svc(json!({}))]));
    assert_eq!(
        e.to_string(),
        "test.json: service s1: id: the id is already used by service s1"
    );
    let e = err(
        &json!([{"id": "o1", "name": "A", "website": "x"}, {"id": "o1", "name": "B", "website": "y"}]),
    );
    assert!(matches!(e, DirectoryError::Duplicate { .. }));
}

fn package(files: &[(&str, &str)]) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("offramp-hsds-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, body) in files {
        std::fs::write(dir.join(name), body).unwrap();
    }
    dir
}

const DP: &str = r#"{"resources": [
  {"name": "organization", "path": "organizations.csv"}, {"name": "service", "path": "services.csv"},
  {"name": "location", "path": "locations.csv"}, {"name": "service_at_location", "path": "service_at_location.csv"},
  {"name": "schedule", "path": "schedules.csv"}, {"name": "service_capacity", "path": "service_capacity.csv"},
  {"name": "unit", "path": "units.csv"}, {"name": "funding", "path": "funding.csv"}]}"#;

#[test]
fn csv_errors_name_file_and_row() {
    let ok_services = "id,organization_id,name,status\ns1,o1,Detox,active\ns2,o1,Shelter,active\n";
    let orgs = "id,name\no1,Org\n";
    let locs = "id,location_type,latitude,longitude\nl1,physical,41.6,-87.6\n";
    // An unknown location in service_at_location.csv row 3.
    let dir = package(&[
        ("datapackage.json", DP),
        ("organizations.csv", orgs),
        ("services.csv", ok_services),
        ("locations.csv", locs),
        (
            "service_at_location.csv",
            "id,service_id,location_id\nx1,s1,l1\nx2,s2,l9\n",
        ),
    ]);
    let e = from_datapackage(&dir, &LoadOptions::default()).unwrap_err();
    assert!(e.file().ends_with("service_at_location.csv"));
    assert_eq!((e.record().as_str(), e.field()), ("row 3", "location_id"));
    // A bad time in schedules.csv row 2.
    let dir = package(&[
        ("datapackage.json", DP),
        ("organizations.csv", orgs),
        ("services.csv", ok_services),
        (
            "schedules.csv",
            "id,service_id,opens_at,closes_at\nh1,s1,9,17:00\n",
        ),
    ]);
    let e = from_datapackage(&dir, &LoadOptions::default()).unwrap_err();
    assert!(e.file().ends_with("schedules.csv"), "{e}");
    assert_eq!((e.record().as_str(), e.field()), ("row 2", "opens_at"));
    // A row that is not UTF-8.
    let dir = package(&[
        ("datapackage.json", DP),
        ("organizations.csv", orgs),
        ("services.csv", ok_services),
    ]);
    std::fs::write(
        dir.join("services.csv"),
        b"id,organization_id,name,status\ns1,o1,Detox,active\ns2,o1,\xff\xfe,active\n",
    )
    .unwrap();
    let e = from_datapackage(&dir, &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, DirectoryError::Csv { row: 3, .. }), "{e:?}");
    // A missing id.
    let dir = package(&[
        ("datapackage.json", DP),
        ("organizations.csv", orgs),
        ("services.csv", "id,name,status\n,Nameless,active\n"),
    ]);
    let e = from_datapackage(&dir, &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, DirectoryError::MissingField { .. }));
    assert_eq!((e.record().as_str(), e.field()), ("row 2", "id"));
    // No package at all.
    let e =
        from_datapackage(Path::new("/nonexistent/offramp"), &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, DirectoryError::Io { .. }));
    // A resource path that leaves the folder.
    let dir = package(&[(
        "datapackage.json",
        r#"{"resources": [{"name": "service", "path": "../services.csv"}]}"#,
    )]);
    let e = from_datapackage(&dir, &LoadOptions::default()).unwrap_err();
    assert_eq!((e.record().as_str(), e.field()), ("resources[0]", "path"));
}

#[test]
fn csv_packages_read_hsds_3_1_capacity_and_skip_other_tables() {
    let dir = package(&[
        ("datapackage.json", DP),
        ("organizations.csv", "id,name\no1,Org\n"),
        (
            "services.csv",
            "\u{feff}id,organization_id,name,status,minimum_age\ns1,o1,Shelter,active,18\n",
        ),
        (
            "locations.csv",
            "id,location_type,latitude,longitude\nl1,physical,41.6,-87.6\n",
        ),
        (
            "service_at_location.csv",
            "id,service_id,location_id\nx1,s1,l1\n",
        ),
        (
            "schedules.csv",
            "id,service_id,location_id,service_at_location_id,opens_at,closes_at\nh1,,,x1,19:00,07:00\n",
        ),
        (
            "service_capacity.csv",
            "id,service_id,unit_id,available,maximum,updated\nc1,s1,u1,5,40,2026-01-01T18:00:00-06:00\n",
        ),
        ("units.csv", "id,name\nu1,Beds\n"),
        ("funding.csv", "this file is \"not read"),
    ]);
    let l = from_datapackage(&dir, &tz("America/Chicago")).unwrap();
    let s = &l.services[0];
    assert_eq!(
        s.capacity
            .as_ref()
            .map(|c| (c.available, c.maximum, c.unit.as_str())),
        Some((5, Some(40), "bed"))
    );
    assert_eq!(s.eligibility.minimum_age, Some(18));
    let h = s.sites[0].hours.as_ref().unwrap();
    assert_eq!(h.schedules[0].opens_at, Some(t(19, 0)));
    assert!(s.hours.is_none());
}

// ------------------------------------------------------------------ robustness

fn arb_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "id",
        "name",
        "status",
        "organization",
        "organization_id",
        "services",
        "locations",
        "service_at_locations",
        "location",
        "location_id",
        "service",
        "service_id",
        "schedules",
        "freq",
        "byday",
        "bymonthday",
        "interval",
        "opens_at",
        "closes_at",
        "timezone",
        "tzid",
        "valid_from",
        "until",
        "languages",
        "code",
        "attributes",
        "taxonomy_term",
        "taxonomy",
        "latitude",
        "longitude",
        "location_type",
        "capacities",
        "service_capacity",
        "available",
        "maximum",
        "unit",
        "updated",
        "minimum_age",
        "maximum_age",
        "contents",
        "services.csv",
        "website",
        "count",
        "wkst",
        "description",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "",
            "09:00",
            "24:00",
            "23:59:59.5",
            "-1FR",
            "2TU,MO",
            "WEEKLY",
            "MONTHLY",
            "DAILY",
            "YEARLY",
            "2026-01-01",
            "Z",
            "+14:00",
            "5.5",
            "-12",
            "es",
            "zh-Hant",
            "offramp",
            "moud",
            "AIRS",
            "RX-1700",
            "America/Chicago",
            "1,-1,40",
            "bed",
            "virtual",
            "99999999999999999999",
        ])
        .prop_map(|s| json!(s)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

fn arb_schedule() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![None, Some("WEEKLY"), Some("MONTHLY"), Some("DAILY")]),
        prop::option::of(1u32..4),
        prop::sample::select(vec![
            None,
            Some("MO"),
            Some("MO,TU,WE,TH,FR"),
            Some("MO,TU,WE,TH,FR,SA,SU"),
            Some("2TU"),
            Some("-1FR,1MO"),
        ]),
        prop::sample::select(vec![None, Some("1"), Some("1,15,-1")]),
        prop::option::of((0u32..24, prop::sample::select(vec![0u32, 15, 30, 59]))),
        prop::option::of((0u32..25, prop::sample::select(vec![0u32, 30]))),
        prop::sample::select(vec![
            None,
            Some(json!(-6)),
            Some(json!("3")),
            Some(json!(0)),
        ]),
        prop::sample::select(vec![None, Some("2026-01-05")]),
        prop::sample::select(vec![None, Some("Z"), Some("-06:00")]),
    )
        .prop_map(
            |(freq, interval, byday, bymonthday, opens, closes, tz, dtstart, suffix)| {
                let mut m = serde_json::Map::new();
                m.insert("id".into(), json!("sch"));
                if let Some(f) = freq {
                    m.insert("freq".into(), json!(f));
                }
                if let Some(i) = interval {
                    m.insert("interval".into(), json!(i));
                }
                if let Some(b) = byday {
                    m.insert("byday".into(), json!(b));
                }
                if let Some(b) = bymonthday {
                    m.insert("bymonthday".into(), json!(b));
                }
                let sfx = suffix.unwrap_or("");
                if let Some((h, mi)) = opens {
                    m.insert("opens_at".into(), json!(format!("{h:02}:{mi:02}{sfx}")));
                }
                if let Some((h, mi)) = closes {
                    let (h, mi) = if h == 24 { (24, 0) } else { (h, mi) };
                    m.insert("closes_at".into(), json!(format!("{h:02}:{mi:02}")));
                }
                if let Some(t) = tz {
                    m.insert("timezone".into(), t);
                }
                if let Some(d) = dtstart {
                    m.insert("dtstart".into(), json!(d));
                }
                Value::Object(m)
            },
        )
}

fn arb_service() -> impl Strategy<Value = Value> {
    let term = prop::sample::select(vec![
        ("AIRS", Some("RX-1700.1700"), "Drug Detoxification"),
        ("AIRS", Some("BH-1800.8500"), "Homeless Shelter"),
        ("SAMHSA", Some("MD"), "Medicaid"),
        ("Open Eligibility", None, "Veterans"),
        ("Open Eligibility", None, "Walk-In"),
        ("offramp", Some("populations_only"), "Only"),
        ("offramp", Some("intake:referral_only"), "Referral"),
        ("local", Some("L-1"), "Local"),
        ("local", Some("MD"), "Something else"),
    ]);
    (
        prop::sample::select(vec!["s1", "s2", "s3"]),
        prop::sample::select(vec!["active", "inactive", "Temporarily Closed"]),
        prop::option::of(0u32..30),
        prop::option::of(30u32..99),
        prop::collection::vec(prop::sample::select(vec!["en", "es", "spa", "zh", "ase", "xx"]), 0..3),
        prop::collection::vec(term, 0..4),
        prop::collection::vec(arb_schedule(), 0..3),
        prop::collection::vec((prop::sample::select(vec!["l1", "l2"]), -90.0f64..90.0, -180.0f64..180.0, prop::collection::vec(arb_schedule(), 0..2)), 0..3),
        prop::option::of((0u32..10, prop::option::of(0u32..20), prop::sample::select(vec!["bed", "Beds", "slot"]))),
    )
        .prop_map(|(id, status, min, max, langs, terms, schedules, sites, cap)| {
            let attributes: Vec<Value> = terms
                .iter()
                .map(|(tax, code, name)| json!({"id": name, "taxonomy_term": {"id": name, "taxonomy": tax, "code": code, "name": name}}))
                .collect();
            let sals: Vec<Value> = sites
                .iter()
                .enumerate()
                .map(|(i, (l, lat, lon, sch))| json!({"id": format!("sal-{i}"), "schedules": sch, "location": {"id": l, "location_type": "physical", "latitude": lat, "longitude": lon, "languages": [{"id": "x", "code": "fr"}]}}))
                .collect();
            let mut s = json!({
                "id": id, "name": format!("Service {id}"), "status": status,
                "organization": {"id": "o1", "name": "Org"},
                "languages": langs.iter().map(|c| json!({"id": c, "code": c})).collect::<Vec<_>>(),
                "attributes": attributes, "schedules": schedules, "service_at_locations": sals,
            });
            if let Some(m) = min { s["minimum_age"] = json!(m); }
            if let Some(m) = max { s["maximum_age"] = json!(m); }
            if let Some((a, mx, unit)) = cap {
                s["capacities"] = json!([{"id": "c", "available": a, "maximum": mx, "unit": {"id": "u", "name": unit}, "updated": "2026-01-01T10:00:00.25-06:00"}]);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let text = v.to_string();
        let _ = from_json_str(&text, "p.json", &LoadOptions::default());
        let _ = from_json_str(&text, "p.json", &tz("America/New_York"));
        // The same value nested where services are expected.
        let wrapped = json!({"contents": [v.clone(), {"id": "s", "status": "active", "service_at_locations": [v.clone()], "schedules": [v.clone()], "attributes": [v.clone()], "capacities": v}]});
        let _ = from_json_str(&wrapped.to_string(), "p.json", &LoadOptions::default());
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,64}") {
        let _ = from_json_str(&s, "p.json", &LoadOptions::default());
    }

    #[test]
    fn generated_services_export_and_reload_unchanged(list in prop::collection::vec(arb_service(), 1..4), zone in prop::sample::select(vec![None, Some("America/Chicago")])) {
        let opts = LoadOptions { timezone: zone.map(str::to_string), ..LoadOptions::default() };
        if let Ok(l) = from_json_str(&Value::Array(list).to_string(), "p.json", &opts) {
            let out = to_hsds_json(&l.organizations, &l.services);
            let back = from_json_str(&out.to_string(), "export.json", &LoadOptions::default());
            prop_assert!(back.is_ok(), "{:?}", back.err());
            if let Ok(back) = back {
                prop_assert_eq!(back.services, l.services);
            }
        }
    }

    #[test]
    fn loaded_services_export_and_reload_unchanged(v in arb_json()) {
        if let Ok(l) = from_json_str(&v.to_string(), "p.json", &tz("America/Chicago")) {
            let out = to_hsds_json(&l.organizations, &l.services);
            let back = from_json_str(&out.to_string(), "export.json", &LoadOptions::default());
            prop_assert!(back.is_ok(), "{:?}", back.err());
            if let Ok(back) = back {
                prop_assert_eq!(back.services, l.services);
            }
        }
    }
}

#[test]
fn a_directory_over_its_limits_is_refused_before_it_is_checked() {
    use offramp::providers::{Directory, MAX_DIRECTORY_BYTES, MAX_SERVICES};
    let one: Service = serde_json::from_value(json!({
        "id": "s", "organization_id": "o", "name": "Drop-in", "kinds": ["harm_reduction"]
    }))
    .unwrap();
    let services: Vec<Service> = (0..=MAX_SERVICES)
        .map(|i| Service {
            id: format!("s{i}"),
            ..one.clone()
        })
        .collect();
    let e = Directory::new(Vec::new(), services).unwrap_err();
    assert_eq!(
        e.to_string(),
        "<directory>: service s200000: -: the directory has more than 200000 services, the most a directory may hold"
    );
    // A file one byte over the limit (sparse: nothing on disk) is refused at its start.
    let dir = std::env::temp_dir().join(format!("offramp-big-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.json");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(u64::try_from(MAX_DIRECTORY_BYTES).unwrap() + 1)
        .unwrap();
    let e = Directory::from_file(&path).unwrap_err();
    assert!(matches!(e, DirectoryError::TooLarge { .. }), "{e:?}");
    let d = e.diagnostic();
    assert_eq!((d.line, d.column), (1, 1));
    assert!(
        d.message
            .starts_with("the directory is larger than 256 MiB"),
        "{}",
        d.message
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
