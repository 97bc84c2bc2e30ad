//! Provider matching: ranked options in decisions, gaps, eligibility filters, capacity updates,
//! and invariants over synthetic directories.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use offramp::providers::{
    Capacity, Directory, Eligibility, Hours, Intake, OpeningHours, Organization, Population,
    Schedule, Service, ServiceKind, Site,
};
use offramp::{Encounter, Pathway, Program, Router, WarningCode};
use proptest::prelude::*;

const PROGRAM: &str = r#"
[program]
id = "test-qrt"
jurisdiction = "Hamilton County, OH"
timezone = "America/New_York"

[service_area]
max_distance_km = 30

[[pathways]]
pathway = "naloxone_plus"
[[pathways.rules]]
id = "window"
when = "overdose is known and since overdose.at <= window.naloxone_plus"
[pathways.providers]
kinds = ["moud", "withdrawal_management"]
prefer = ["peer_recovery"]
partners = ["org-partner"]
limit = 4

[[pathways]]
pathway = "self_referral"
[[pathways.rules]]
id = "walk-in"
when = "source == self_initiated"
"#;

fn t(h: u32, m: u32) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::from_hms_opt(h, m, 0)
}

fn hours(open: u32, close: u32) -> Hours {
    Hours {
        timezone: "America/New_York".into(),
        always_open: false,
        schedules: vec![Schedule {
            opens_at: t(open, 0),
            closes_at: t(close, 0),
            ..Schedule::default()
        }],
        closures: vec![],
    }
}

fn service(id: &str, org: &str, kinds: &[ServiceKind], lat: f64, h: Hours) -> Service {
    Service {
        id: id.into(),
        organization_id: org.into(),
        name: format!("{id} name"),
        kinds: kinds.iter().copied().collect::<BTreeSet<_>>(),
        eligibility: Eligibility::default(),
        capacity: None,
        hours: Some(h),
        sites: vec![Site {
            id: format!("{id}-site"),
            location_id: format!("{id}-loc"),
            name: Some(format!("{id} site")),
            latitude: Some(lat),
            longitude: Some(-84.5),
            hours: None,
        }],
        status: "active".into(),
        taxonomy_terms: vec![],
    }
}

fn orgs() -> Vec<Organization> {
    ["org-a", "org-partner"]
        .iter()
        .map(|i| Organization {
            id: i.to_string(),
            name: format!("{i} name"),
            description: None,
        })
        .collect()
}

/// The encounter is at 39.10, -84.50 at 10:00 local time.
fn encounter(extra: &str) -> Encounter {
    Encounter::from_json(&format!(
        r#"{{"id":"p-1","at":"2026-03-03T10:00:00-05:00","responder":"peer","source":"overdose_follow_up",
        "needs":["opioid_use"],"overdose":{{"at":"2026-03-02T20:00:00-05:00","naloxone":true}},
        "location":{{"lat":39.10,"lon":-84.50}}{extra}}}"#
    ))
    .unwrap()
}

fn directory() -> Directory {
    let moud = [ServiceKind::Moud];
    let mut closed_near = service("closed-near", "org-a", &moud, 39.101, hours(13, 17));
    closed_near.eligibility.intake = Intake::WalkIn;
    let open_far = service("open-far", "org-a", &moud, 39.20, hours(8, 18));
    let open_near = service(
        "open-near",
        "org-a",
        &[ServiceKind::WithdrawalManagement],
        39.11,
        hours(6, 22),
    );
    let mut partner_same = service(
        "partner-same",
        "org-partner",
        &[ServiceKind::Moud, ServiceKind::PeerRecovery],
        39.11,
        hours(6, 22),
    );
    partner_same.capacity = Some(Capacity {
        available: 2,
        maximum: Some(10),
        unit: "slot".into(),
        updated: None,
    });
    let mut full = service("full", "org-a", &moud, 39.10, hours(0, 0));
    full.capacity = Some(Capacity {
        available: 0,
        maximum: Some(10),
        unit: "bed".into(),
        updated: None,
    });
    let too_far = service("too-far", "org-a", &moud, 40.0, hours(0, 0));
    let wrong_kind = service(
        "shelter",
        "org-a",
        &[ServiceKind::ShelterHousing],
        39.10,
        hours(0, 0),
    );
    let mut youth = service("youth", "org-a", &moud, 39.10, hours(0, 0));
    youth.eligibility.maximum_age = Some(24);
    let mut spanish = service("spanish", "org-a", &moud, 39.10, hours(0, 0));
    spanish.eligibility.languages = vec![offramp::Language::SPANISH];
    let mut women = service("women", "org-a", &moud, 39.10, hours(0, 0));
    women.eligibility.populations = [Population::Women].into_iter().collect();
    women.eligibility.populations_only = true;
    let mut inactive = service("inactive", "org-a", &moud, 39.10, hours(0, 0));
    inactive.status = "defunct".into();
    Directory::new(
        orgs(),
        vec![
            closed_near,
            open_far,
            open_near,
            partner_same,
            full,
            too_far,
            wrong_kind,
            youth,
            spanish,
            women,
            inactive,
        ],
    )
    .unwrap()
}

fn router() -> Router {
    Router::with_directory(Program::from_toml(PROGRAM, "p.toml").unwrap(), &directory()).unwrap()
}

fn ids(d: &offramp::Decision) -> Vec<String> {
    d.eligible[0]
        .providers
        .as_ref()
        .unwrap()
        .iter()
        .map(|o| o.service_id.to_string())
        .collect()
}

#[test]
fn options_are_ranked_open_first_then_distance_then_capacity_then_partners() {
    let d = router().route(&encounter(r#","age":40,"language":"eng""#));
    assert_eq!(d.eligible[0].pathway, Pathway::NaloxonePlus);
    // Same distance: the one with reported capacity first; open far after open near; closed last.
    assert_eq!(
        ids(&d),
        vec!["partner-same", "open-near", "open-far", "closed-near"]
    );
    let opts = d.eligible[0].providers.as_ref().unwrap();
    assert!(opts[0].open_now && opts[0].preferred_partner);
    assert_eq!(opts[0].available, Some(2));
    assert_eq!(
        opts[0].open_until.unwrap().to_rfc3339(),
        "2026-03-03T22:00:00-05:00"
    );
    assert!(
        opts[0]
            .reasons
            .iter()
            .any(|r| &**r == "also offers peer recovery support (preferred)"),
        "{:?}",
        opts[0].reasons
    );
    let text = d.explain();
    assert!(text.contains("partner-same name (org-partner name, partner-same site): open now until 22:00; 1.1 km away; 2 slots available"), "{text}");
    assert!(text.contains("closed, opens 13:00"), "{text}");
    let closed = &opts[3];
    assert!(!closed.open_now);
    assert_eq!(
        closed.next_open.unwrap().to_rfc3339(),
        "2026-03-03T13:00:00-05:00"
    );
    assert!(closed.distance_km.unwrap() < 0.2);
    assert!(d.eligible[0].provider_gap.is_none());
    // Pathways with no provider needs carry no provider list.
    let d = router().route(&encounter(
        r#","source":"self_initiated""#.replace(r#","source":"self_initiated""#, "").as_str(),
    ));
    assert!(
        d.eligible
            .iter()
            .all(|e| e.pathway != Pathway::SelfReferral || e.providers.is_none())
    );
}

#[test]
fn eligibility_filters_age_language_population_capacity_status_and_area() {
    // A larger limit to see everyone who fits.
    let program =
        Program::from_toml(&PROGRAM.replace("limit = 4", "limit = 50"), "p.toml").unwrap();
    let r = Router::with_directory(program, &directory()).unwrap();
    let fitting = |extra: &str| {
        let mut v = ids(&r.route(&encounter(extra)));
        v.sort();
        v
    };
    let adult = fitting(r#","age":40,"language":"eng""#);
    assert!(!adult.contains(&"youth".to_string()));
    assert!(!adult.contains(&"spanish".to_string()));
    assert!(!adult.contains(&"women".to_string()));
    assert!(!adult.contains(&"full".to_string()), "no capacity");
    assert!(
        !adult.contains(&"too-far".to_string()),
        "outside the service area"
    );
    assert!(!adult.contains(&"shelter".to_string()), "wrong kind");
    assert!(!adult.contains(&"inactive".to_string()));
    let young_spanish = fitting(r#","age":20,"language":"spa""#);
    assert!(young_spanish.contains(&"youth".to_string()));
    assert!(young_spanish.contains(&"spanish".to_string()));
    // Unknown age and language exclude no one on those grounds.
    let unknown = fitting("");
    assert!(unknown.contains(&"youth".to_string()) && unknown.contains(&"spanish".to_string()));
}

#[test]
fn a_gap_is_reported_with_the_next_opening() {
    // At 23:30 only the 6-22 and 8-18 services and the 13-17 one exist: all closed.
    let e = Encounter::from_json(
        r#"{"id":"p-2","at":"2026-03-03T23:30:00-05:00","responder":"peer","source":"overdose_follow_up",
        "needs":["opioid_use"],"overdose":{"at":"2026-03-03T20:00:00-05:00"},"age":40,"language":"eng",
        "location":{"lat":39.10,"lon":-84.50}}"#,
    )
    .unwrap();
    let d = router().route(&e);
    let gap = d.eligible[0].provider_gap.as_ref().expect("a gap");
    assert_eq!(
        gap.next_open.unwrap().to_rfc3339(),
        "2026-03-04T06:00:00-05:00"
    );
    assert!(gap.message.contains("opens"), "{}", gap.message);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.code == WarningCode::ProviderGap)
    );
    // The options are still listed, soonest opening first (capacity breaks the tie).
    assert_eq!(ids(&d)[..2], ["partner-same", "open-near"]);
}

#[test]
fn capacity_updates_are_seen_without_rebuilding() {
    let r = router();
    let e = encounter(r#","age":40,"language":"eng""#);
    assert_eq!(ids(&r.route(&e))[0], "partner-same");
    r.update_capacity(
        "partner-same",
        Some(Capacity {
            available: 0,
            maximum: Some(10),
            unit: "slot".into(),
            updated: None,
        }),
    )
    .unwrap();
    assert!(!ids(&r.route(&e)).contains(&"partner-same".to_string()));
    // Freeing beds at the full service brings it in.
    let unknown = r.update_capacities([
        (
            "full",
            Some(Capacity {
                available: 3,
                maximum: None,
                unit: "bed".into(),
                updated: None,
            }),
        ),
        ("nope", None),
    ]);
    assert_eq!(unknown, vec!["nope".to_string()]);
    assert!(ids(&r.route(&e)).contains(&"full".to_string()));
    assert!(r.update_capacity("nope", None).is_err());
    // The board reads back whole, and gives a fresh router over the same directory the same
    // decisions.
    let board = r.capacities();
    assert_eq!(board.len(), directory().services().len());
    let same = board.iter().find(|(id, _)| id == "partner-same").unwrap();
    assert_eq!(
        same.1
            .as_ref()
            .map(|c| (c.available, c.maximum, c.unit.as_str())),
        Some((0, Some(10), "slot"))
    );
    let fresh = router();
    assert_ne!(fresh.route(&e), r.route(&e));
    let unknown = fresh.update_capacities(board.iter().map(|(id, c)| (id.as_str(), c.clone())));
    assert!(unknown.is_empty());
    assert_eq!(fresh.route(&e), r.route(&e));
    assert!(
        Router::new(Program::from_toml(PROGRAM, "p.toml").unwrap())
            .capacities()
            .is_empty()
    );
}

#[test]
fn capacity_can_change_while_other_threads_route() {
    let r = std::sync::Arc::new(router());
    let e = encounter(r#","age":40,"language":"eng""#);
    std::thread::scope(|s| {
        for _ in 0..2 {
            let r = r.clone();
            let e = e.clone();
            s.spawn(move || {
                for _ in 0..2000 {
                    let d = r.route(&e);
                    let opts = d.eligible[0].providers.as_ref().unwrap();
                    // Either snapshot, never a torn one: the partner is listed with 2 or absent.
                    if let Some(o) = opts.iter().find(|o| &*o.service_id == "partner-same") {
                        assert!(o.available == Some(2) || o.available == Some(5));
                    }
                }
            });
        }
        for i in 0..200 {
            let available = if i % 2 == 0 { 5 } else { 2 };
            r.update_capacity(
                "partner-same",
                Some(Capacity {
                    available,
                    maximum: None,
                    unit: "slot".into(),
                    updated: None,
                }),
            )
            .unwrap();
        }
    });
}

fn synthetic_router(n: usize, seed: u64) -> (Router, Directory) {
    let dir = offramp_suite::synthetic_directory(n, seed, (39.10, -84.51), "America/New_York");
    let program = Program::from_toml(&PROGRAM.replace("limit = 4", "limit = 8"), "p.toml").unwrap();
    (Router::with_directory(program, &dir).unwrap(), dir)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_closed_service_is_never_offered_as_open(seed in 0u64..1000, minutes in 0i64..(365 * 24 * 60)) {
        let (r, dir) = synthetic_router(200, seed);
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00-05:00").unwrap() + chrono::Duration::minutes(minutes);
        let mut e = encounter(r#","age":40"#);
        e.overdose.as_mut().unwrap().at = at - chrono::Duration::hours(2);
        e.at = at;
        let d = r.route(&e);
        for o in d.eligible[0].providers.as_ref().unwrap() {
            let s = dir.services().iter().find(|s| *s.id == *o.service_id).unwrap();
            let h = OpeningHours::compile(s.hours.as_ref().unwrap()).unwrap();
            prop_assert_eq!(o.open_now, h.is_open(at), "{} at {}", s.id, at);
            if let Some(next) = o.next_open { prop_assert!(next >= at); }
        }
    }

    #[test]
    fn removing_a_provider_never_adds_an_option(seed in 0u64..1000, remove in 0usize..120, minutes in 0i64..(7 * 24 * 60)) {
        // A limit above the directory's size, so every fitting service is listed.
        let dir = offramp_suite::synthetic_directory(120, seed, (39.10, -84.51), "America/New_York");
        let program = Program::from_toml(&PROGRAM.replace("limit = 4", "limit = 100"), "p.toml").unwrap();
        let r = Router::with_directory(program, &dir).unwrap();
        let mut e = encounter(r#","age":40"#);
        e.at += chrono::Duration::minutes(minutes);
        e.overdose.as_mut().unwrap().at += chrono::Duration::minutes(minutes);
        let before: Vec<String> = ids(&r.route(&e));
        let mut services = dir.services().to_vec();
        services.remove(remove % services.len());
        let smaller = Directory::new(dir.organizations().to_vec(), services).unwrap();
        let r2 = Router::with_directory(r.program().clone(), &smaller).unwrap();
        let after = ids(&r2.route(&e));
        for id in &after {
            prop_assert!(before.contains(id), "{id} appeared after a removal");
        }
        prop_assert!(after.len() <= before.len());
        // The others keep their relative order.
        let kept: Vec<&String> = before.iter().filter(|id| after.contains(id)).collect();
        prop_assert_eq!(kept, after.iter().collect::<Vec<_>>());
    }

    #[test]
    fn ranking_is_deterministic_and_total(seed in 0u64..1000, minutes in 0i64..(7 * 24 * 60)) {
        let (r, _) = synthetic_router(300, seed);
        let mut e = encounter(r#","age":40"#);
        e.at += chrono::Duration::minutes(minutes);
        e.overdose.as_mut().unwrap().at += chrono::Duration::minutes(minutes);
        let a = r.route(&e);
        let b = r.route(&e);
        prop_assert_eq!(a.to_json().unwrap(), b.to_json().unwrap());
        let opts = a.eligible[0].providers.as_ref().unwrap();
        // Sorted by the documented key: open first, then next opening, then distance.
        for w in opts.windows(2) {
            let (x, y) = (&w[0], &w[1]);
            prop_assert!(x.open_now >= y.open_now);
            if x.open_now == y.open_now && !x.open_now {
                prop_assert!(x.next_open.map(|t| t.timestamp()).unwrap_or(i64::MAX) <= y.next_open.map(|t| t.timestamp()).unwrap_or(i64::MAX));
            }
            if x.open_now && y.open_now {
                prop_assert!(x.distance_km.unwrap_or(f64::MAX) <= y.distance_km.unwrap_or(f64::MAX) + 1e-9);
            }
        }
        let mut seen = std::collections::HashSet::new();
        prop_assert!(opts.iter().all(|o| seen.insert(o.service_id.to_string())), "no service twice");
    }
}

fn example_router(program: &str, directory: &str) -> Router {
    let program = Program::from_file(offramp_suite::example_program(program)).unwrap();
    let options = offramp::providers::LoadOptions {
        timezone: Some(program.spec().program.timezone.clone()),
        ..Default::default()
    };
    let dir = Directory::from_file_with(
        offramp_suite::root()
            .join("examples/providers")
            .join(directory),
        &options,
    )
    .unwrap();
    assert!(dir.warnings().is_empty(), "{:?}", dir.warnings());
    Router::with_directory(program, &dir).unwrap()
}

/// The partner options of every eligible pathway, by service id.
fn partner_options(d: &offramp::Decision) -> Vec<Vec<String>> {
    d.eligible
        .iter()
        .map(|p| {
            p.providers
                .iter()
                .flatten()
                .map(|o| o.service_id.to_string())
                .collect()
        })
        .collect()
}

#[test]
fn any_spelling_of_a_language_gets_the_same_partners() {
    let r = example_router("harvey-pd.toml", "harvey-il.json");
    let route = |language: &str| {
        let e = Encounter::from_json(&format!(
            r#"{{"id":"h-es","at":"2026-03-03T15:00:00-06:00","responder":"law_enforcement",
            "source":"on_view","needs":["sud","sex_work"],"age":29,"language":"{language}",
            "location":{{"lat":41.61,"lon":-87.65}}}}"#
        ))
        .unwrap_or_else(|e| panic!("{language}: {e}"));
        assert_eq!(e.language.map(offramp::Language::as_str), Some("spa"));
        partner_options(&r.route(&e))
    };
    let spa = route("spa");
    assert!(
        spa.iter().map(Vec::len).sum::<usize>() >= 3,
        "Harvey has three Spanish-speaking partners: {spa:?}"
    );
    for spelling in ["es", "ES", "Spanish", "spanish", "es-US", "SPA"] {
        assert_eq!(route(spelling), spa, "{spelling}");
    }
}

#[test]
fn harvey_refers_a_sex_worker_with_sud_to_ywca_case_management() {
    let r = example_router("harvey-pd.toml", "harvey-il.json");
    let e = Encounter::from_json(
        r#"{"id":"h-1","at":"2026-03-03T15:00:00-06:00","responder":"law_enforcement","source":"on_view",
        "needs":["sud","sex_work"],"offenses":[{"nibrs":"40A","level":"misdemeanor"}],"age":29,
        "location":{"lat":41.61,"lon":-87.65}}"#,
    )
    .unwrap();
    let d = r.route(&e);
    // Harvey refers rather than holding charges: a first responder referral, and pre-arrest
    // diversion since a chargeable offence was set aside.
    assert_eq!(d.eligible[0].pathway, Pathway::FirstResponderReferral);
    assert_eq!(d.disposition, offramp::Disposition::PreArrestDiversion);
    let ywca = d.eligible[0]
        .providers
        .as_ref()
        .unwrap()
        .iter()
        .find(|o| o.organization.contains("YWCA"))
        .expect("YWCA is offered");
    assert!(ywca.open_now && ywca.preferred_partner);
    assert!(
        ywca.reasons
            .iter()
            .any(|r| &**r == "serves people in sex work")
    );
    assert!(
        ywca.reasons
            .iter()
            .any(|r| &**r == "offers case management")
    );
    // Late at night the YWCA is closed: it is still listed, with its next opening.
    let mut night = e.clone();
    night.at = chrono::DateTime::parse_from_rfc3339("2026-03-03T23:30:00-06:00").unwrap();
    let d = r.route(&night);
    let opts = d.eligible[0].providers.as_ref().unwrap();
    assert!(
        opts.iter().take_while(|o| o.open_now).count() >= 1,
        "the 24/7 detox is open"
    );
    if let Some(y) = opts.iter().find(|o| o.organization.contains("YWCA")) {
        assert!(!y.open_now && y.next_open.is_some());
    }
}

#[test]
fn example_directories_serve_their_programs() {
    for (program, directory, encounter) in [
        (
            "lead-king-county.toml",
            "king-county.json",
            r#"{"id":"k-1","at":"2026-03-03T11:00:00-08:00","responder":"law_enforcement","source":"on_view","needs":["sud"],"offenses":[{"nibrs":"35A","level":"misdemeanor"}],"age":33,"location":{"lat":47.60,"lon":-122.33}}"#,
        ),
        (
            "qrt-hamilton-county.toml",
            "hamilton-county.json",
            r#"{"id":"q-1","at":"2026-03-03T11:00:00-05:00","responder":"peer","source":"overdose_follow_up","needs":["opioid_use"],"overdose":{"at":"2026-03-02T23:00:00-05:00","naloxone":true},"age":33,"location":{"lat":39.13,"lon":-84.51}}"#,
        ),
    ] {
        let r = example_router(program, directory);
        let d = r.route(&Encounter::from_json(encounter).unwrap());
        let first = &d.eligible[0];
        let opts = first.providers.as_ref().unwrap();
        assert!(!opts.is_empty(), "{program}: no options");
        assert!(
            opts[0].open_now,
            "{program}: the first option is open at 11:00 on a Tuesday"
        );
        assert!(first.provider_gap.is_none());
    }
}

#[test]
fn a_general_pathway_offers_the_kinds_that_answer_the_persons_needs() {
    let r = example_router("harvey-pd.toml", "harvey-il.json");
    let crisis = Encounter::from_json(
        r#"{"id":"h-3","at":"2026-03-04T10:15:00-06:00","responder":"co_responder","source":"call_for_service",
        "needs":["mental_health_crisis"],"age":37,"location":{"lat":41.615,"lon":-87.640}}"#,
    )
    .unwrap();
    let d = r.route(&crisis);
    let opts = d.eligible[0].providers.as_ref().unwrap();
    assert!(!opts.is_empty());
    for o in opts {
        assert!(
            o.reasons.iter().any(|r| r.contains("crisis")),
            "{} does not answer a mental-health crisis: {:?}",
            o.service,
            o.reasons
        );
    }
}

#[test]
fn offramps_own_format_round_trips_through_toml_and_json_files() {
    let dir = offramp_suite::synthetic_directory(40, 3, (41.6, -87.6), "America/Chicago");
    let tmp = std::env::temp_dir().join(format!("offramp-dir-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let toml_path = tmp.join("d.toml");
    let json_path = tmp.join("d.json");
    std::fs::write(&toml_path, dir.to_toml().unwrap()).unwrap();
    std::fs::write(&json_path, dir.to_json().unwrap()).unwrap();
    for path in [&toml_path, &json_path] {
        let back = Directory::from_file(path).unwrap();
        assert_eq!(back.services(), dir.services(), "{}", path.display());
        assert_eq!(back.organizations(), dir.organizations());
    }
    // HSDS export and import keep what matching uses.
    let hsds_path = tmp.join("hsds.json");
    std::fs::write(&hsds_path, dir.to_hsds_json()).unwrap();
    let options = offramp::providers::LoadOptions {
        timezone: Some("America/Chicago".into()),
        ..Default::default()
    };
    let back = Directory::from_file_with(&hsds_path, &options).unwrap();
    assert_eq!(back.services().len(), dir.services().len());
    for (a, b) in back.services().iter().zip(dir.services()) {
        assert_eq!(a.kinds, b.kinds);
        assert_eq!(a.capacity, b.capacity);
        assert_eq!(a.hours, b.hours);
    }
}

/// The names used before `docs/names.md` made them one across the languages still work for one
/// release, and give what the new names give.
#[test]
#[allow(deprecated)]
fn former_names_still_answer_as_the_new_ones() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/providers/harvey-il.json"
    );
    let options = offramp::providers::LoadOptions {
        timezone: Some("America/Chicago".into()),
        ..Default::default()
    };
    let new = Directory::from_file_with(path, &options).unwrap();
    let old = Directory::from_path_with(path, &options).unwrap();
    assert_eq!(old.services(), new.services());
    let warnings: &[offramp::providers::LoadWarning] = old.warnings();
    let now: &[offramp::providers::DirectoryWarning] = new.warnings();
    assert_eq!(warnings, now);
    assert_eq!(
        Directory::from_path(path).unwrap().services().len(),
        Directory::from_file(path).unwrap().services().len()
    );
    assert_eq!(
        offramp::case::status_graph_mermaid(),
        offramp::case::case_graph_mermaid()
    );
    assert_eq!(
        offramp::case::status_graph_dot(),
        offramp::case::case_graph_dot()
    );
}
