//! Places: homes, the encounter's location, referrals by distance, distance decay and the
//! distance to intake.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::field_reassign_with_default
)]

use super::*;
use crate::domain::Location;

// The shared helpers of the engine tests.
use super::tests::{example, root, run, within_99};

/// The QRT example's two partners for overdose survivors, as the directory places them.
const MOUD: (&str, f64, f64) = ("e9975b6a-7e4e-5b13-b9e2-f3e1e52c99ae", 39.109, -84.512);
const DETOX: (&str, f64, f64) = ("405eb61e-3590-5669-abce-a44f58475b67", 39.128, -84.516);

fn disc(lat: f64, lon: f64, radius_km: f64) -> Places {
    Places {
        center: Some(Location { lat, lon }),
        radius_km: Some(radius_km),
        areas: None,
        decay: Decay::default(),
    }
}

/// The QRT example over a shorter span, adults only (both partners take adults only), with
/// no one in a service on the first day.
fn qrt(places: Option<Places>) -> Scenario {
    let mut s = example("qrt-hamilton-county.toml");
    s.scenario.days = Some(180);
    s.ages = vec![AgeBand {
        min: 25,
        max: 45,
        share: 1.0,
    }];
    s.providers.initial_occupancy = false;
    s.places = places;
    s
}

fn referrals_to(r: &SimResults, id: &str) -> u64 {
    r.providers
        .iter()
        .filter(|p| p.provider_id == id)
        .map(|p| p.referrals)
        .sum()
}

fn all_referrals(r: &SimResults) -> ReferralRow {
    let rows: Vec<&ReferralRow> = r.referrals.iter().filter(|x| x.pathway == "all").collect();
    let mut total = rows[0].clone();
    for x in &rows[1..] {
        total.accepted += x.accepted;
        total.did_not_engage += x.did_not_engage;
        total.already_referred += x.already_referred;
        total.referred += x.referred;
    }
    total
}

#[test]
fn homes_are_deterministic_per_seed_and_uniform_over_the_disc() {
    let sim = Simulation::new(qrt(Some(disc(39.13, -84.5, 10.0)))).unwrap();
    let places = sim.model.places.as_ref().unwrap();
    let key = rng::replication_key(7, 0);
    // The home is a function of the replication's key and the person alone: both arms of a
    // replication (which share the key) see the same homes.
    assert_eq!(places.home(key, 42), places.home(key, 42));
    assert_ne!(places.home(key, 42), places.home(key, 43));
    assert_ne!(
        places.home(key, 42),
        places.home(rng::replication_key(8, 0), 42)
    );
    let km_per_degree = 6371.0088 * std::f64::consts::PI / 180.0;
    let n = 20_000u32;
    let mut inner = 0u64;
    for id in 0..n {
        let h = places.home(key, id);
        let dy = (h.lat - 39.13) * km_per_degree;
        let dx = (h.lon + 84.5) * km_per_degree * 39.13f64.to_radians().cos();
        let r = (dx * dx + dy * dy).sqrt();
        assert!(r <= 10.0 + 1e-6, "{r}");
        if r <= 5.0 {
            inner += 1;
        }
    }
    // Uniform by area: a quarter of the homes lie within half the radius.
    assert!(within_99(inner, u64::from(n), 0.25), "{inner}");
}

#[test]
fn areas_place_people_in_proportion_to_population() {
    let mut places = disc(0.0, 0.0, 0.0);
    places.center = None;
    places.radius_km = None;
    places.areas = Some(Areas::List(vec![
        Area {
            id: "a".into(),
            population: 3_000.0,
            lat: 39.1,
            lon: -84.5,
        },
        Area {
            id: "b".into(),
            population: 1_000.0,
            lat: 39.2,
            lon: -84.4,
        },
        Area {
            id: "empty".into(),
            population: 0.0,
            lat: 39.3,
            lon: -84.3,
        },
    ]));
    let sim = Simulation::new(qrt(Some(places))).unwrap();
    let p = sim.model.places.as_ref().unwrap();
    let key = rng::replication_key(1, 0);
    let n = 20_000u32;
    let homes: Vec<Location> = (0..n).map(|id| p.home(key, id)).collect();
    let at_a = homes.iter().filter(|h| h.lat == 39.1).count() as u64;
    let at_b = homes.iter().filter(|h| h.lat == 39.2).count() as u64;
    assert_eq!(at_a + at_b, u64::from(n), "no one lives in an empty area");
    assert!(within_99(at_a, u64::from(n), 0.75), "{at_a}");
}

#[test]
fn an_areas_file_is_read_relative_to_the_scenario_and_bad_values_are_placed() {
    let dir = std::env::temp_dir().join(format!("offramp-places-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario =
        std::fs::read_to_string(root().join("examples/scenarios/qrt-hamilton-county.toml"))
            .unwrap()
            .replace("../", &format!("{}/examples/", root().display()));
    // The example's own [places] is replaced by one naming an areas file.
    let scenario = scenario.split("\n[places]").next().unwrap();
    let with_areas = format!("{scenario}\n[places]\nareas = \"tracts.csv\"\nradius_km = 1.0\n");
    std::fs::write(dir.join("s.toml"), &with_areas).unwrap();
    std::fs::write(
        dir.join("tracts.csv"),
        "id,population,lat,lon\n39061000100,2500,39.11,-84.51\n39061000200,1800,39.14,-84.53\n",
    )
    .unwrap();
    let mut s = Scenario::from_file(dir.join("s.toml")).unwrap();
    s.scenario.days = Some(60);
    let r = run(&Simulation::new(s).unwrap(), 1, 1);
    let all = r
        .time_to_intake
        .iter()
        .find(|t| t.pathway == "all")
        .unwrap();
    assert!(all.mean_km.is_some(), "{all:?}");
    std::fs::write(
        dir.join("tracts.csv"),
        "id,population,lat,lon\n39061000100,2500,39.11,-84.51\n39061000200,1800,139.14,-84.53\n",
    )
    .unwrap();
    let e = Simulation::from_file(dir.join("s.toml")).unwrap_err();
    let SimError::Scenario(e) = e else {
        panic!("{e:?}")
    };
    assert_eq!(e.field(), Some("lat"));
    let text = e.to_string();
    assert!(
        text.contains("tracts.csv:3: `lat` must be a number"),
        "{text}"
    );
    assert!(!text.contains("139.14"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_places_table_is_checked() {
    let base = "[scenario]\nprogram = \"p.toml\"\n\n[places]\n";
    let e = Scenario::from_toml(&format!("{base}radius_km = 5\n"), "s.toml").unwrap_err();
    assert_eq!(e.field(), Some("places"));
    let e = Scenario::from_toml(
        &format!("{base}center = {{ lat = 95.0, lon = 0.0 }}\nradius_km = 5\n"),
        "s.toml",
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("places.center.lat"));
    assert!(e.to_string().starts_with("s.toml:5:"), "{e}");
    let e = Scenario::from_toml(
        &format!(
            "{base}center = {{ lat = 45.0, lon = 0.0 }}\nradius_km = 5\ndecay = {{ half_km = 5, points = [[0, 1]] }}\n"
        ),
        "s.toml",
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("places.decay"));
    let e = Scenario::from_toml(
        &format!(
            "{base}center = {{ lat = 45.0, lon = 0.0 }}\nradius_km = 5\ndecay = {{ points = [[0, 1], [5, 1.5]] }}\n"
        ),
        "s.toml",
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("places.decay.points[1]"));
    let inline = format!(
        "{base}radius_km = 1\n[[places.areas]]\nid = \"a\"\npopulation = 10\nlat = 45\nlon = 200\n"
    );
    let e = Scenario::from_toml(&inline, "s.toml").unwrap_err();
    assert_eq!(e.field(), Some("places.areas[0].lon"));
    let ok = Scenario::from_toml(&inline.replace("lon = 200", "lon = 20"), "s.toml").unwrap();
    assert_eq!(ok.places.as_ref().map(Places::listed), Some(1));
    let back = Scenario::from_toml(&ok.to_toml().unwrap(), "back.toml").unwrap();
    assert_eq!(back, ok);
}

#[test]
fn encounters_carry_a_location_only_with_places() {
    // The QRT program offers partners within 40 km of the encounter: homes 1,000 km away
    // find none, homes without a place are offered partners at no known distance.
    let far = run(
        &Simulation::new(qrt(Some(disc(30.0, -95.0, 1.0)))).unwrap(),
        1,
        1,
    );
    let none = run(&Simulation::new(qrt(None)).unwrap(), 1, 1);
    let near = run(
        &Simulation::new(qrt(Some(disc(39.12, -84.51, 5.0)))).unwrap(),
        1,
        1,
    );
    let (f, n) = (all_referrals(&far), all_referrals(&none));
    assert!(f.referred > 0 && f.referred == f.lost_no_provider, "{f:?}");
    assert!(n.linked > 0 && n.lost_no_provider == 0, "{n:?}");
    let km = |r: &SimResults| {
        r.time_to_intake
            .iter()
            .find(|t| t.pathway == "all")
            .and_then(|t| t.median_km)
    };
    assert_eq!(km(&none), None);
    assert!(
        km(&near).is_some_and(|k| k > 0.0 && k < 10.0),
        "{:?}",
        km(&near)
    );
}

#[test]
fn a_nearer_partner_gets_more_referrals_and_both_partners_get_some() {
    // Homes around the MOUD clinic: it wins whenever it is open; homes around the detox
    // centre (open all hours, never full here): the clinic gets nobody.
    let by_moud = run(
        &Simulation::new(qrt(Some(disc(MOUD.1, MOUD.2, 0.5)))).unwrap(),
        3,
        1,
    );
    let by_detox = run(
        &Simulation::new(qrt(Some(disc(DETOX.1, DETOX.2, 0.5)))).unwrap(),
        3,
        1,
    );
    assert!(
        referrals_to(&by_moud, MOUD.0) > 0,
        "{:?}",
        by_moud.providers
    );
    assert!(
        referrals_to(&by_moud, DETOX.0) > 0,
        "{:?}",
        by_moud.providers
    );
    assert_eq!(
        referrals_to(&by_detox, MOUD.0),
        0,
        "{:?}",
        by_detox.providers
    );
    // A county-wide disc: both partners receive people.
    let county = run(
        &Simulation::new(qrt(Some(disc(39.13, -84.5, 15.0)))).unwrap(),
        3,
        1,
    );
    assert!(referrals_to(&county, MOUD.0) > 0 && referrals_to(&county, DETOX.0) > 0);
}

#[test]
fn a_full_first_choice_sends_people_on_to_the_next_ranked() {
    // Everyone lives by the detox centre, which ranks first; with one place and no waitlist
    // it is soon full, and people go on to the clinic (when open, or when it next opens).
    let mut s = qrt(Some(disc(DETOX.1, DETOX.2, 0.5)));
    s.providers.services.push(ProviderSpec {
        id: DETOX.0.into(),
        pathways: Vec::new(),
        capacity: Some(1),
        waitlist: Some(0),
        max_wait_days: None,
        service_days: None,
    });
    let r = run(&Simulation::new(s).unwrap(), 3, 1);
    assert!(referrals_to(&r, DETOX.0) > 0);
    assert!(referrals_to(&r, MOUD.0) > 10, "{:?}", r.providers);
}

/// Homes 10 km due north of the detox centre (the clinic is 2 km further), which has room
/// for everyone; everyone accepts and, without decay, engages.
fn ten_km_out(decay: Decay) -> Scenario {
    let north = DETOX.1 + 10.0 / (6371.0088 * std::f64::consts::PI / 180.0);
    let mut places = disc(north, DETOX.2, 0.0);
    places.decay = decay;
    let mut s = qrt(Some(places));
    s.scenario.days = Some(365);
    s.behaviour.engage.default = 1.0;
    s.providers.services.push(ProviderSpec {
        id: DETOX.0.into(),
        pathways: Vec::new(),
        capacity: Some(10_000),
        waitlist: None,
        max_wait_days: None,
        service_days: None,
    });
    s
}

#[test]
fn decay_lowers_engagement_by_the_configured_amount() {
    for (decay, expected) in [
        (
            Decay {
                half_km: Some(10.0),
                points: None,
            },
            0.5,
        ),
        (
            Decay {
                half_km: None,
                points: Some(vec![[0.0, 1.0], [20.0, 0.4]]),
            },
            0.7,
        ),
    ] {
        let r = run(&Simulation::new(ten_km_out(decay)).unwrap(), 5, 2);
        let all = all_referrals(&r);
        let decided = all.accepted - all.already_referred;
        assert!(decided > 300, "{all:?}");
        assert!(
            within_99(decided - all.did_not_engage, decided, expected),
            "{} of {decided}, expected {expected}",
            decided - all.did_not_engage
        );
        for t in r.time_to_intake.iter().filter(|t| t.pathway == "all") {
            let km = t.median_km.unwrap();
            assert!((km - 10.0).abs() < 0.05, "{t:?}");
        }
    }
}

#[test]
fn places_move_no_other_draw() {
    // Without a directory the router ranks no partners, so homes change nothing but the
    // encounter's location: with decay off, every table is the one without places.
    let mut s = example("lead-king-county.toml");
    s.scenario.days = Some(120);
    s.scenario.directory = None;
    let program = Program::from_file(&s.scenario.program).unwrap();
    let without = Simulation::from_parts(s.clone(), program.clone(), None, None).unwrap();
    let mut places = disc(47.6, -122.33, 15.0);
    places.decay = Decay {
        half_km: None,
        points: Some(vec![[0.0, 1.0]]),
    };
    s.places = Some(places);
    let with = Simulation::from_parts(s, program, None, None).unwrap();
    assert_eq!(run(&without, 11, 2), run(&with, 11, 2));
}

#[test]
fn the_simulated_free_places_rank_partners_at_the_same_distance() {
    // Without places no distance is known, and the directory's one report of free places
    // (the detox centre: 1 bed; the clinic: none reported) would send everyone to the detox
    // centre, which never fills. Ranked by the places the simulation has free, the clinic
    // (150 places) comes first while it is open.
    let r = run(&Simulation::new(qrt(None)).unwrap(), 3, 1);
    let (moud, detox) = (referrals_to(&r, MOUD.0), referrals_to(&r, DETOX.0));
    assert!(moud > 10 && detox > moud, "{moud} {detox}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Homes anywhere on Earth (the poles and the date line too), discs up to the largest
    /// radius, any decay: the run never panics and its distances are finite.
    #[test]
    fn random_places_never_panic(
        lat in -90.0f64..=90.0,
        lon in -180.0f64..=180.0,
        radius_km in 0.0f64..=2_000.0,
        half_km in 0.01f64..1_000.0,
        seed in proptest::prelude::any::<u64>(),
    ) {
        let mut places = disc(lat, lon, radius_km);
        places.decay = Decay { half_km: Some(half_km), points: None };
        let mut s = qrt(Some(places));
        s.scenario.days = Some(30);
        let r = run(&Simulation::new(s).unwrap(), seed, 1);
        for t in &r.time_to_intake {
            for km in [t.mean_km, t.median_km, t.p90_km].into_iter().flatten() {
                proptest::prop_assert!(km.is_finite() && km >= 0.0, "{:?}", t);
            }
        }
    }
}
