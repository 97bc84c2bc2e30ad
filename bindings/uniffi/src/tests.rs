//! The adapter's own tests: the wiring between records and the core, and that bad input of
//! every kind comes back as an `OfframpError`, never as a panic. The core's tests prove the rules.

use std::collections::HashMap;
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::*;

type TestResult = Result<(), Box<dyn Error>>;

/// An RFC 3339 time as the instant a host passes in (a mistyped time fails its test).
fn at(text: &str) -> Result<SystemTime, chrono::ParseError> {
    chrono::DateTime::parse_from_rfc3339(text).map(SystemTime::from)
}

/// The UTC offset written in an RFC 3339 time, in seconds.
fn offset(text: &str) -> Option<i32> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.offset().local_minus_utc())
}

/// An instant far beyond any year the core represents (Java's `Instant.MAX` is further still).
fn far_future() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1 << 60)
}

fn example(path: &str) -> Result<String, Box<dyn Error>> {
    let full = format!("{}/../../examples/{path}", env!("CARGO_MANIFEST_DIR"));
    Ok(std::fs::read_to_string(full)?)
}

fn program(name: &str) -> Result<Arc<Program>, Box<dyn Error>> {
    Ok(Program::from_toml(
        example(&format!("programs/{name}.toml"))?,
        format!("{name}.toml"),
    )?)
}

fn lead_record() -> Result<Encounter, chrono::ParseError> {
    Ok(Encounter {
        id: "e-1".into(),
        at: at("2026-03-02T14:05:00-08:00")?,
        utc_offset_seconds: offset("2026-03-02T14:05:00-08:00"),
        responder: Some(Responder::LawEnforcement),
        source: Some(Source::CallForService),
        needs: vec![Need::Sud],
        overdose: None,
        offenses: vec![Offense {
            nibrs: "35A".into(),
            level: Level::Misdemeanor,
            violent: Some(false),
            activity: vec![],
            drug_types: vec![],
            quantity: None,
        }],
        flags: vec![],
        age: None,
        language: None,
        consent: None,
        willing: None,
        history: None,
        location: None,
        intercept: None,
        attributes: HashMap::new(),
    })
}

const LEAD_JSON: &str = r#"{"id": "e-1", "at": "2026-03-02T14:05:00-08:00",
    "responder": "law_enforcement", "source": "call_for_service", "needs": ["sud"],
    "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": false}]}"#;

#[test]
fn a_record_and_its_json_route_alike() -> TestResult {
    let router = Router::new(program("lead-king-county")?);
    let from_record = router.route(lead_record()?)?;
    let from_json = router.route_json(LEAD_JSON.into())?;
    assert_eq!(from_record, from_json);
    assert_eq!(from_record.disposition, Disposition::PreArrestDiversion);
    assert_eq!(
        from_record.eligible.first().map(|e| e.pathway),
        Some(Pathway::OfficerIntervention)
    );
    assert_eq!(from_record.intercept.number(), 1);
    assert_eq!(from_record.program.id, "lead-king-county");
    assert_eq!(from_record.program.hash, router.program_hash());
    assert_eq!(
        from_record.to_json()?,
        router.route_json_to_json(LEAD_JSON.into())?
    );
    assert!(from_record.explain()?.contains("officer intervention"));
    assert_eq!(encounter_from_json(LEAD_JSON.into())?, lead_record()?);
    assert_eq!(
        encounter_from_json(lead_record()?.to_json()?)?,
        lead_record()?
    );
    Ok(())
}

#[test]
fn an_encounter_with_every_field_set_crosses_both_ways_unchanged() -> TestResult {
    // Every field holds a value, so a conversion that dropped or mixed up one would show here;
    // a field added to either side fails to compile in `records.rs` instead.
    let full = Encounter {
        id: "e-full".into(),
        at: at("2026-03-02T14:05:00-08:00")?,
        utc_offset_seconds: offset("2026-03-02T14:05:00-08:00"),
        responder: Some(Responder::CoResponder),
        source: Some(Source::Outreach),
        needs: vec![Need::Sud, Need::MentalHealth],
        overdose: Some(Overdose {
            at: at("2026-03-01T22:30:00-08:00")?,
            naloxone: true,
        }),
        offenses: vec![Offense {
            nibrs: "35A".into(),
            level: Level::Felony,
            violent: Some(true),
            activity: vec![CriminalActivity::Possessing],
            drug_types: vec![DrugType::Heroin],
            quantity: Some(DrugQuantity {
                amount: 0.5,
                unit: DrugUnit::Gram,
            }),
        }],
        flags: vec![Flag::Weapon],
        age: Some(34),
        language: Some("spa".into()),
        consent: Some(Consent::Written),
        willing: Some(Willing::Yes),
        history: Some(vec![HistoryEvent {
            kind: HistoryKind::Conviction,
            date: CalendarDay("2019-05-01".into()),
            nibrs: Some("13B".into()),
            level: Some(Level::Misdemeanor),
        }]),
        location: Some(Location {
            lat: 47.6,
            lon: -122.3,
        }),
        intercept: Some(Intercept::CommunityServices),
        attributes: HashMap::from([
            ("b".to_string(), AttributeValue::Bool { value: true }),
            ("i".to_string(), AttributeValue::Int { value: -3 }),
            ("n".to_string(), AttributeValue::Number { value: 2.5 }),
            ("t".to_string(), AttributeValue::Text { value: "x".into() }),
        ]),
    };
    let core = offramp::Encounter::try_from(&full)?;
    assert_eq!(Encounter::from(&core), full);
    assert_eq!(encounter_from_json(full.to_json()?)?, full);
    Ok(())
}

#[test]
fn decisions_keep_every_field_through_the_records() -> TestResult {
    let program = program("harvey-pd")?;
    let directory = Directory::from_hsds_json(
        example("providers/harvey-il.json")?,
        "harvey-il.json".into(),
        Some(program.timezone()),
    )?;
    assert!(directory.service_count() >= 8);
    let router = Router::with_directory(program.clone(), directory)?;
    let core = offramp::Router::with_directory(
        (*program.inner).clone(),
        &offramp::providers::Directory::from_hsds_json(
            &example("providers/harvey-il.json")?,
            "harvey-il.json",
            &offramp::providers::LoadOptions {
                timezone: Some(program.timezone()),
                ..Default::default()
            },
        )?,
    )?;
    let lines = example("encounters/harvey-pd.jsonl")?;
    let mut with_providers = 0;
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let expected = core
            .route(&offramp::Encounter::from_json(line)?)
            .to_json()?;
        let record = router.route_json(line.into())?;
        with_providers += record
            .eligible
            .iter()
            .filter(|e| e.providers.as_ref().is_some_and(|p| !p.is_empty()))
            .count();
        // Record -> core -> JSON gives back the core's own audit record, byte for byte.
        assert_eq!(record.to_json()?, expected);
        assert_eq!(decision_from_json(expected.clone())?, record);
    }
    assert!(with_providers > 0, "no decision carried provider options");
    Ok(())
}

/// The decisions of a batch whose every encounter was decided.
fn decided(answers: Vec<BatchAnswer>) -> Result<Vec<Decision>, Box<dyn Error>> {
    answers
        .into_iter()
        .map(|a| match a {
            BatchAnswer::Decided { decision } => Ok(decision),
            refused => Err(format!("expected a decision, got {refused:?}").into()),
        })
        .collect()
}

#[test]
fn batches_route_like_single_calls() -> TestResult {
    let router = Router::new(program("lead-king-county")?);
    let lines: Vec<String> = example("encounters/lead-king-county.jsonl")?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    let one_by_one = lines
        .iter()
        .map(|l| router.route_json(l.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    assert_eq!(
        decided(router.route_batch_json(lines.clone())?)?,
        one_by_one
    );
    let records = lines
        .iter()
        .map(|l| encounter_from_json(l.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    assert_eq!(decided(router.route_batch(records)?)?, one_by_one);
    assert_eq!(router.route_batch(vec![])?, vec![]);
    Ok(())
}

/// What a refused answer says, or an error naming what came instead.
fn refusal(answer: &BatchAnswer) -> Result<(&str, &str, Option<u32>), Box<dyn Error>> {
    match answer {
        BatchAnswer::Refused {
            field,
            detail,
            line,
            ..
        } => Ok((field, detail, *line)),
        decided => Err(format!("expected a refusal, got {decided:?}").into()),
    }
}

#[test]
fn a_bad_encounter_in_a_batch_is_refused_alone_naming_its_field_not_its_value() -> TestResult {
    let router = Router::new(program("lead-king-county")?);
    let good = lead_record()?;
    let mut old = lead_record()?;
    old.at = at("1800-03-02T14:05:00-08:00")?;
    let mut unknown_code = lead_record()?;
    unknown_code.offenses[0].nibrs = "Jane Doe".into();
    let mut not_a_time = lead_record()?;
    not_a_time.at = far_future();
    let batch = vec![
        good.clone(),
        old.clone(),
        good.clone(),
        unknown_code.clone(),
        not_a_time.clone(),
        good.clone(),
    ];
    let alone = router.route(good.clone())?;
    let answers = router.route_batch(batch)?;
    assert_eq!(answers.len(), 6);
    for i in [0, 2, 5] {
        assert_eq!(
            answers[i],
            BatchAnswer::Decided {
                decision: alone.clone()
            },
            "answer {i}"
        );
    }
    // Each refusal is the one a single call throws, with the same words.
    for (i, record, field, value) in [
        (1, old, "at", "1800"),
        (3, unknown_code, "offenses[0].nibrs", "Jane"),
        (4, not_a_time, "at", "soon"),
    ] {
        let (got_field, detail, _) = refusal(&answers[i])?;
        assert_eq!(got_field, field, "answer {i}");
        assert!(
            !detail.contains(value),
            "answer {i} repeats the value: {detail}"
        );
        match router.route(record) {
            Err(OfframpError::InvalidEncounter {
                field: one_field,
                detail: one_detail,
                ..
            }) => assert_eq!((one_field.as_str(), one_detail.as_str()), (field, detail)),
            other => panic!("expected InvalidEncounter, got {other:?}"),
        }
    }

    // The JSON form: a line that does not parse is refused with its line and column, an
    // encounter of 1800 naming `at`; the others are decided.
    let old_json = LEAD_JSON.replace("2026-03-02", "1800-03-02");
    let answers = router.route_batch_json(vec![
        LEAD_JSON.into(),
        "{\n\"id\": ".into(),
        old_json,
        LEAD_JSON.into(),
    ])?;
    assert_eq!(answers.len(), 4);
    assert!(matches!(answers[0], BatchAnswer::Decided { .. }));
    assert!(matches!(answers[3], BatchAnswer::Decided { .. }));
    let (field, _, line) = refusal(&answers[1])?;
    assert!(!field.starts_with('['), "{field}");
    assert_eq!(line, Some(2));
    let (field, detail, _) = refusal(&answers[2])?;
    assert_eq!(field, "at");
    assert!(!detail.contains("1800"), "{detail}");
    Ok(())
}

#[test]
fn an_encounter_outside_the_accepted_times_is_refused_naming_at() -> TestResult {
    let router = Router::new(program("lead-king-county")?);
    let mut record = lead_record()?;
    record.at = UNIX_EPOCH - Duration::from_secs(1 << 60);
    match router.route(record) {
        Err(OfframpError::InvalidEncounter { field, detail, .. }) => {
            assert_eq!(field, "at");
            assert!(!detail.contains("262143"), "{detail}");
        }
        other => panic!("expected InvalidEncounter, got {other:?}"),
    }
    Ok(())
}

#[test]
fn a_bad_program_reports_line_and_column() -> TestResult {
    let text = "[program]\nid = \"demo\"\njurisdiction = \"Example County\"\ntimezone = \"America/Chicago\"\n\n[[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"asks\"\nwhen = \"sorce == self_initiated\"\n";
    match Program::from_toml(text.into(), "demo.toml".into()) {
        Err(OfframpError::InvalidProgram {
            line,
            column,
            detail,
            diagnostics,
        }) => {
            assert_eq!(line, 10);
            assert_eq!(column, 9);
            assert!(!detail.is_empty());
            assert_eq!(diagnostics.first().map(|d| d.line), Some(10));
            let all = OfframpError::InvalidProgram {
                line,
                column,
                detail,
                diagnostics,
            }
            .describe();
            assert!(all.starts_with("demo.toml:10:9:"), "{all}");
        }
        other => panic!("expected InvalidProgram, got {other:?}"),
    }
    // Broken TOML and JSON are program errors with a place too.
    for (text, json) in [
        ("[program\nid = 1", false),
        ("", false),
        ("{", true),
        ("[]", true),
    ] {
        let result = if json {
            Program::from_json(text.into(), "p.json".into())
        } else {
            Program::from_toml(text.into(), "p.toml".into())
        };
        assert!(
            matches!(result, Err(OfframpError::InvalidProgram { .. })),
            "{text:?}: {result:?}"
        );
    }
    assert!(matches!(
        Program::from_file("/nonexistent/program.toml".into()),
        Err(OfframpError::Io { .. })
    ));
    Ok(())
}

#[test]
fn malformed_encounters_are_errors_that_name_the_field() -> TestResult {
    let router = Router::new(program("lead-king-county")?);
    let deep = "[".repeat(100_000);
    let junk: Vec<String> = vec![
        String::new(),
        "{".into(),
        "null".into(),
        "[]".into(),
        "\u{0}".into(),
        deep,
        r#"{"id":"e","at":"yesterday"}"#.into(),
        r#"{"id":"","at":"2026-03-02T14:05:00-08:00"}"#.into(),
        r#"{"id":"e","at":"2026-03-02T14:05:00-08:00","age":-1}"#.into(),
        r#"{"id":"e","at":"2026-03-02T14:05:00-08:00","age":1e400}"#.into(),
        r#"{"id":"e","at":"2026-03-02T14:05:00-08:00","location":{"lat":1e999,"lon":0}}"#.into(),
        r#"{"id":"e","at":"2026-03-02T14:05:00-08:00"} trailing"#.into(),
    ];
    for j in junk {
        let got = router.route_json(j.clone());
        assert!(
            matches!(got, Err(OfframpError::InvalidEncounter { .. })),
            "{:?}: {got:?}",
            j.chars().take(60).collect::<String>()
        );
    }

    let field_of = |e: Encounter| match router.route(e) {
        Err(OfframpError::InvalidEncounter { field, .. }) => field,
        other => format!("no error: {other:?}"),
    };
    let mut e = lead_record()?;
    e.at = far_future();
    assert_eq!(field_of(e), "at");
    let mut e = lead_record()?;
    e.at = at("1800-03-02T14:05:00-08:00")?;
    assert_eq!(field_of(e), "at");
    let mut e = lead_record()?;
    e.utc_offset_seconds = Some(-90_000);
    assert_eq!(field_of(e), "utc_offset_seconds");
    let mut e = lead_record()?;
    e.offenses[0].nibrs = "JaneDoe".into();
    assert_eq!(field_of(e), "offenses[0].nibrs");
    // A value shaped like a code (and close to one) is not repeated either, nor a suggestion.
    let mut e = lead_record()?;
    e.offenses[0].nibrs = "35C".into();
    let shown = format!("{:?}", router.route(e));
    assert!(shown.contains("offenses[0].nibrs"), "{shown}");
    assert!(
        !shown.contains("35C") && !shown.contains("did you mean"),
        "{shown}"
    );
    // Nor in a history event's offence code.
    let mut e = lead_record()?;
    e.history = Some(vec![HistoryEvent {
        kind: HistoryKind::Arrest,
        date: CalendarDay("2019-05-01".into()),
        nibrs: Some("35C".into()),
        level: None,
    }]);
    let shown = format!("{:?}", router.route(e));
    assert!(shown.contains("history[0].nibrs"), "{shown}");
    assert!(
        !shown.contains("35C") && !shown.contains("did you mean"),
        "{shown}"
    );
    let mut e = lead_record()?;
    e.overdose = Some(Overdose {
        at: at("2026-03-03T00:00:00-08:00")?,
        naloxone: true,
    });
    assert_eq!(field_of(e), "overdose.at");
    let mut e = lead_record()?;
    e.location = Some(Location {
        lat: f64::NAN,
        lon: 0.0,
    });
    assert_eq!(field_of(e), "location.lat");
    let mut e = lead_record()?;
    e.location = Some(Location {
        lat: 0.0,
        lon: 500.0,
    });
    assert_eq!(field_of(e), "location.lon");
    let mut e = lead_record()?;
    e.age = Some(200);
    assert_eq!(field_of(e), "age");
    let mut e = lead_record()?;
    e.id = " ".into();
    assert_eq!(field_of(e), "id");
    Ok(())
}

#[test]
fn errors_never_repeat_what_was_typed() -> TestResult {
    let router = Router::new(program("lead-king-county")?);
    let mut texts = Vec::new();
    for json in [
        r#"{"id":"e","at":"JaneDoe"}"#,
        r#"{"id":"e","at":"2026-03-02T14:05:00-08:00","age":"JaneDoe"}"#,
        r#"{"id":"e","at":"2026-03-02T14:05:00-08:00","needs":["JaneDoe"]}"#,
        r#"{"id":"e","at":"2026-03-02T14:05:00-08:00","JaneDoe":1}"#,
    ] {
        texts.push(format!("{:?}", router.route_json(json.into())));
    }
    let mut e = lead_record()?;
    e.at = far_future();
    texts.push(format!("{:?}", router.route(e)));
    let mut e = lead_record()?;
    e.offenses[0].nibrs = "Jane Doe, 12 Elm St".into();
    texts.push(format!("{:?}", router.route(e)));
    texts.push(format!(
        "{:?}",
        Case::new("e".into(), Pathway::SelfReferral, far_future(), None)
    ));
    texts.push(format!(
        "{:?}",
        decision_from_json(r#"{"encounter_id": 5, "x": "JaneDoe"}"#.into())
    ));
    texts.push(format!(
        "{:?}",
        Case::from_json(r#"{"encounter_id": "JaneDoe", "pathway": "JaneDoe"}"#.into())
    ));
    for t in texts {
        assert!(t.contains("Err("), "{t}");
        assert!(!t.contains("JaneDoe") && !t.contains("Elm"), "{t}");
    }
    Ok(())
}

#[test]
fn malformed_directories_and_decisions_are_errors() -> TestResult {
    for text in ["", "{", "null", "42", r#"{"services": 7}"#, "[{\"id\": 1}]"] {
        let got = Directory::from_hsds_json(text.into(), "d.json".into(), None);
        assert!(
            matches!(got, Err(OfframpError::InvalidDirectory { .. })),
            "{text:?}: {got:?}"
        );
    }
    let got = Directory::from_hsds_json("[]".into(), "d.json".into(), Some("Mars/Base".into()));
    assert!(got.is_err(), "{got:?}");
    assert!(matches!(
        Directory::from_toml("services = 3".into(), "d.toml".into()),
        Err(OfframpError::InvalidDirectory { .. })
    ));
    assert!(matches!(
        decision_from_json("garbage".into()),
        Err(OfframpError::InvalidArgument { .. })
    ));

    let program = program("pad-acc-leon-county")?;
    let router = Router::new(program);
    let mut d = router.route_json(
        r#"{"id":"e-9","at":"2026-05-20T09:00:00-04:00","responder":"law_enforcement",
        "source":"on_view","age":30,"history":[],
        "offenses":[{"nibrs":"23C","level":"misdemeanor","violent":false}]}"#
            .into(),
    )?;
    assert!(d.eligible[0].charge_hold.is_some());
    if let Some(h) = d.eligible[0].charge_hold.as_mut() {
        h.deadline.utc_offset_seconds = 100_000;
    }
    match d.to_json() {
        Err(OfframpError::InvalidArgument { field, .. }) => {
            assert_eq!(field, "eligible[0].charge_hold.deadline.utc_offset_seconds")
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    assert!(d.explain().is_err());
    assert!(router.update_capacity("nope".into(), None).is_err());
    Ok(())
}

#[test]
fn cases_move_along_legal_edges_and_refuse_the_rest() -> TestResult {
    let router = Router::new(program("pad-acc-leon-county")?);
    let enc = encounter_from_json(
        r#"{"id":"e-9","at":"2026-05-20T09:00:00-04:00","responder":"law_enforcement",
        "source":"on_view","age":30,"history":[],
        "offenses":[{"nibrs":"23C","level":"misdemeanor","violent":false}]}"#
            .into(),
    )?;
    let decision = router.route(enc.clone())?;
    let case = Case::open(enc, decision.eligible[0].clone())?;
    assert_eq!(case.status(), CaseStatus::Referred);
    assert_eq!(case.charges(), Some(ChargeStatus::Held));
    assert_eq!(
        case.charge_hold_deadline(),
        decision.eligible[0]
            .charge_hold
            .as_ref()
            .map(|h| h.deadline)
    );

    match case.apply(CaseEvent::Complete, at("2026-05-21T09:00:00-04:00")?) {
        Err(OfframpError::IllegalTransition {
            from,
            event,
            allowed,
            detail,
        }) => {
            assert_eq!(
                from,
                TrackState::Referral {
                    status: CaseStatus::Referred
                }
            );
            assert_eq!(event, CaseEvent::Complete);
            assert_eq!(allowed, vec![CaseEvent::Accept, CaseEvent::Decline]);
            assert!(detail.contains("complete"));
        }
        other => panic!("expected IllegalTransition, got {other:?}"),
    }
    assert_eq!(case.status(), CaseStatus::Referred);
    assert!(case.history().is_empty());

    case.apply(CaseEvent::Accept, at("2026-05-21T09:00:00-04:00")?)?;
    assert!(matches!(
        case.apply(CaseEvent::DropCharges, at("2026-05-22T09:00:00-04:00")?),
        Err(OfframpError::CaseRefused { .. })
    ));
    assert!(matches!(
        case.apply(CaseEvent::Engage, at("2026-05-01T09:00:00-04:00")?),
        Err(OfframpError::CaseRefused { .. })
    ));
    assert!(matches!(
        case.apply(CaseEvent::Engage, far_future()),
        Err(OfframpError::InvalidArgument { .. })
    ));
    case.apply(CaseEvent::Engage, at("2026-05-22T09:00:00-04:00")?)?;
    case.apply(CaseEvent::Complete, at("2026-07-01T09:00:00-04:00")?)?;
    assert!(!case.is_closed());
    assert_eq!(
        case.available_events(at("2026-07-02T09:00:00-04:00")?)?,
        vec![CaseEvent::DropCharges]
    );
    case.apply(CaseEvent::DropCharges, at("2026-07-02T09:00:00-04:00")?)?;
    assert!(case.is_closed());
    assert_eq!(case.charges(), Some(ChargeStatus::Dropped));
    assert_eq!(case.history().len(), 4);
    assert_eq!(
        case.last_event_at().instant,
        at("2026-07-02T09:00:00-04:00")?
    );

    let back = Case::from_json(case.to_json()?)?;
    assert_eq!(back.history(), case.history());
    let tampered = case.to_json()?.replace("\"dropped\"", "\"filed\"");
    assert!(matches!(
        Case::from_json(tampered),
        Err(OfframpError::CaseRefused { .. })
    ));
    assert!(case_graph_mermaid().contains("referred"));
    assert!(case_graph_dot().contains("digraph"));
    Ok(())
}

#[test]
fn eight_threads_route_on_one_router() -> TestResult {
    let router = Router::new(program("lead-king-county")?);
    let lines: Vec<String> = example("encounters/lead-king-county.jsonl")?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    let expected = decided(router.route_batch_json(lines.clone())?)?;
    let results: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    (0..50).all(|_| {
                        lines
                            .iter()
                            .zip(&expected)
                            .all(|(l, d)| router.route_json(l.clone()).as_ref() == Ok(d))
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().is_ok_and(|ok| ok))
            .collect()
    });
    assert_eq!(results, vec![true; 8]);
    Ok(())
}

#[test]
fn a_panic_inside_becomes_an_internal_error() {
    let got: Result<u8, OfframpError> = crate::error::guard("test", || panic!("boom JaneDoe"));
    match got {
        Err(OfframpError::Internal { detail }) => {
            assert!(detail.contains("test"));
            assert!(!detail.contains("JaneDoe"));
        }
        other => panic!("expected Internal, got {other:?}"),
    }
}

#[test]
fn enums_carry_their_json_names() {
    assert_eq!(Pathway::NaloxonePlus.json_name(), "naloxone_plus");
    assert_eq!(WarningCode::ProviderGap.json_name(), "provider_gap");
    assert_eq!(CaseEvent::ReEngage.json_name(), "re_engage");
    assert_eq!(intercept_from_number(4), Some(Intercept::Reentry));
    assert_eq!(intercept_from_number(9), None);
    assert_eq!(Intercept::Jails.number(), 3);
    assert!(!version().is_empty());
}

#[test]
fn without_an_offset_the_encounter_reads_the_program_clock() -> TestResult {
    // 06:00 UTC on 3 March is still 2 March in King County (UTC-8), so a history event on
    // 3 March has not happened yet there.
    let router = Router::new(program("lead-king-county")?);
    let mut e = lead_record()?;
    e.at = at("2026-03-03T06:00:00Z")?;
    e.utc_offset_seconds = None;
    e.history = Some(vec![HistoryEvent {
        kind: HistoryKind::Arrest,
        date: CalendarDay("2026-03-03".into()),
        nibrs: None,
        level: None,
    }]);
    match router.route(e.clone()) {
        Err(OfframpError::InvalidEncounter { field, .. }) => assert_eq!(field, "history[0].date"),
        other => panic!("expected the history date to be refused, got {other:?}"),
    }
    // Given UTC explicitly, the same day is the encounter's own and is accepted.
    e.utc_offset_seconds = Some(0);
    assert!(router.route(e.clone()).is_ok());
    // And an offset given is kept through the record and its JSON.
    e.utc_offset_seconds = Some(-28_800);
    e.history = None;
    let json = e.to_json()?;
    assert!(json.contains("\"2026-03-02T22:00:00-08:00\""), "{json}");
    assert_eq!(encounter_from_json(json)?, e);
    Ok(())
}

#[test]
fn a_program_that_loads_still_says_what_is_questionable() -> TestResult {
    assert!(program("lead-king-county")?.warnings().is_empty());
    let text = "[program]\nid = \"demo\"\njurisdiction = \"Example County\"\ntimezone = \"America/Chicago\"\n[[pathways]]\npathway = \"officer_intervention\"\n[[pathways.rules]]\nid = \"infractions-only\"\nwhen = \"all offenses (level == infraction)\"\n";
    let program = Program::from_toml(text.into(), "demo.toml".into())?;
    let warnings = program.warnings();
    assert_eq!(warnings.len(), 1);
    let w = &warnings[0];
    assert_eq!((w.file.as_str(), w.line, w.column), ("demo.toml", 9, 9));
    assert!(w.message.contains("infractions-only"), "{}", w.message);
    assert!(w.text.starts_with("demo.toml:9:9: "), "{}", w.text);
    Ok(())
}
