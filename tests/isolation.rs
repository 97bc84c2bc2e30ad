//! Hardening of routing (issue 10): times outside the accepted range are refused naming the
//! field, the charge-hold arithmetic never panics, and one bad encounter in a batch never
//! takes the others with it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, FixedOffset, Utc};
use offramp::{Encounter, Pathway, Program, Router};

/// A Leon County adult civil citation: Officer Intervention holds charges for 90 days.
const HELD: &str = r#"{"id":"e-1","at":"2026-03-02T14:05:00-05:00","responder":"law_enforcement",
    "source":"on_view","age":30,"history":[],
    "offenses":[{"nibrs":"23C","level":"misdemeanor"}]}"#;

/// Leon County's program, which holds charges.
fn with_charge_hold() -> Router {
    Router::new(
        Program::from_file(offramp_suite::example_program("pad-acc-leon-county.toml")).unwrap(),
    )
}

fn at(text: &str) -> DateTime<FixedOffset> {
    text.parse().unwrap()
}

#[test]
fn the_absurd_date_of_the_issue_is_refused_when_read_naming_at() {
    let json = HELD.replace("2026-03-02T14:05:00-05:00", "-262143-01-01T00:00:00Z");
    let e = Encounter::from_json(&json).unwrap_err();
    assert_eq!(e.field(), "at");
    assert!(!e.to_string().contains("262143"), "{e}");
}

#[test]
fn routing_an_encounter_at_the_edges_of_chronos_calendar_never_panics() {
    let router = with_charge_hold();
    let good = Encounter::from_json(HELD).unwrap();
    let d = router.route(&good);
    let held = d
        .eligible
        .iter()
        .find(|p| p.pathway == Pathway::OfficerIntervention)
        .expect("officer intervention is eligible");
    assert!(
        held.charge_hold.is_some(),
        "a normal encounter has its charge hold"
    );
    for extreme in [
        at("-262143-01-01T00:00:00Z"),
        DateTime::<Utc>::MIN_UTC.fixed_offset(),
        DateTime::<Utc>::MAX_UTC.fixed_offset(),
        at("0000-01-01T00:00:00Z"),
    ] {
        let mut e = good.clone();
        e.at = extreme;
        // `route` does not check; it decides without a deadline instead of panicking.
        let d = router.route(&e);
        assert!(
            d.eligible.iter().all(|p| p.charge_hold.is_none()),
            "{extreme:?}"
        );
        assert_eq!(router.try_route(&e).unwrap_err().field(), "at");
    }
}

#[test]
fn a_bad_encounter_in_a_batch_is_reported_and_every_other_decided() {
    let router = with_charge_hold();
    let good = Encounter::from_json(HELD).unwrap();
    let mut absurd = good.clone();
    absurd.at = at("-262143-01-01T00:00:00Z");
    let mut no_id = good.clone();
    no_id.id = " ".into();
    let mut batch = vec![good.clone(); 1_000];
    batch[3] = absurd;
    batch[700] = no_id;
    let answers = router.route_batch(&batch);
    assert_eq!(answers.len(), batch.len());
    let alone = router.route(&good);
    for (i, answer) in answers.iter().enumerate() {
        match (i, answer) {
            (3, Err(e)) => assert_eq!(e.field(), "at"),
            (700, Err(e)) => assert_eq!(e.field(), "id"),
            (_, Ok(d)) => assert_eq!(d, &alone, "row {i}"),
            (_, other) => panic!("row {i}: {other:?}"),
        }
    }
}

/// A directory of one service, with `extra` added to the service's TOML.
fn directory(
    extra: &str,
) -> Result<offramp::providers::Directory, offramp::providers::DirectoryError> {
    offramp::providers::Directory::from_toml(
        &format!(
            "[[organizations]]\nid = \"o\"\nname = \"Org\"\n\n[[services]]\nid = \"s\"\n\
             organization_id = \"o\"\nname = \"Detox\"\nkinds = [\"withdrawal_management\"]\n{extra}"
        ),
        "d.toml",
    )
}

#[test]
fn directory_times_outside_the_accepted_range_are_refused_naming_the_field() {
    let hours = "[services.hours]\ntimezone = \"America/Chicago\"\n";
    assert!(directory(hours).is_ok());
    for (extra, field) in [
        (
            "[services.capacity]\navailable = 1\nunit = \"bed\"\nupdated = \"1850-01-01T00:00:00Z\"\n".to_string(),
            "capacity.updated",
        ),
        (
            format!("{hours}[[services.hours.schedules]]\nvalid_to = \"2300-01-01\"\n"),
            "schedules[0].valid_to",
        ),
        (
            format!("{hours}[[services.hours.closures]]\nfrom = \"0001-01-01T00:00:00\"\nto = \"2026-01-02T00:00:00\"\n"),
            "closures[0].from",
        ),
    ] {
        let e = directory(&extra).unwrap_err();
        let text = e.to_string();
        assert!(text.contains(field), "{field}: {text}");
        assert!(text.contains("1900-01-01"), "{field}: {text}");
    }
}
