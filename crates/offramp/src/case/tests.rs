use super::*;
use chrono::Duration;
use petgraph::algo::has_path_connecting;
use proptest::prelude::*;

fn t0() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-01-01T09:00:00-05:00").unwrap()
}

fn at(hours: i64) -> DateTime<FixedOffset> {
    t0() + Duration::hours(hours)
}

/// A case driven to `status` along the shortest legal path, one hour per
/// step.
fn case_in(status: CaseStatus, hold: Option<DateTime<FixedOffset>>) -> Case {
    use CaseEvent as E;
    let path: &[CaseEvent] = match status {
        CaseStatus::Referred => &[],
        CaseStatus::Accepted => &[E::Accept],
        CaseStatus::Declined => &[E::Decline],
        CaseStatus::WarmHandoff => &[E::Accept, E::WarmHandoff],
        CaseStatus::Engaged => &[E::Accept, E::Engage],
        CaseStatus::InTreatment => &[E::Accept, E::Engage, E::StartTreatment],
        CaseStatus::Completed => &[E::Accept, E::Engage, E::Complete],
        CaseStatus::Disengaged => &[E::Accept, E::Disengage],
    };
    let mut case = Case::new("enc-test", crate::Pathway::SelfReferral, t0(), hold);
    for (i, event) in path.iter().enumerate() {
        case.apply(*event, at(i as i64 + 1)).unwrap();
    }
    assert_eq!(case.status(), status);
    case
}

#[test]
fn graph_matches_tables() {
    let edges = legal_transitions();
    assert_eq!(edges.len(), REFERRAL_EDGES.len() + CHARGE_EDGES.len());
    assert_eq!(GRAPH.graph.node_count(), 11);
    // No state has two edges for the same event: the machine is
    // deterministic.
    for (i, (from, event, _)) in edges.iter().enumerate() {
        assert!(
            !edges[i + 1..]
                .iter()
                .any(|(f, e, _)| f == from && e == event),
            "duplicate edge {from:?} {event:?}"
        );
    }
    // Edges never cross tracks, and each event sits on its own track.
    for (from, event, to) in &edges {
        assert_eq!(from.track(), to.track());
        assert_eq!(from.track(), event.track());
        assert!(!from.is_terminal(), "terminal state {from:?} has an edge");
    }
    // Every state is reachable from its track's start.
    let referred = GRAPH
        .node(TrackState::Referral(CaseStatus::Referred))
        .unwrap();
    let held = GRAPH.node(TrackState::Charges(ChargeStatus::Held)).unwrap();
    for state in track_states(Track::Referral) {
        let n = GRAPH.node(state).unwrap();
        assert!(
            has_path_connecting(&GRAPH.graph, referred, n, None),
            "{state:?}"
        );
    }
    for state in track_states(Track::Charges) {
        let n = GRAPH.node(state).unwrap();
        assert!(
            has_path_connecting(&GRAPH.graph, held, n, None),
            "{state:?}"
        );
    }
}

#[test]
fn every_legal_referral_transition_works() {
    for &(from, event, to) in REFERRAL_EDGES {
        let mut case = case_in(from, None);
        let when = case.last_event_at();
        case.apply(event, when).unwrap();
        assert_eq!(case.status(), to, "{from:?} --{event:?}-->");
        let last = case.history().last().unwrap();
        assert_eq!(last.from, TrackState::Referral(from));
        assert_eq!(last.to, TrackState::Referral(to));
        assert_eq!(last.event, event);
        assert_eq!(last.at, when);
    }
}

#[test]
fn every_illegal_referral_transition_is_typed() {
    for from in CaseStatus::ALL {
        let allowed: Vec<CaseEvent> = REFERRAL_EDGES
            .iter()
            .filter(|(f, _, _)| *f == from)
            .map(|(_, e, _)| *e)
            .collect();
        for event in CaseEvent::ALL {
            if event.track() != Track::Referral || allowed.contains(&event) {
                continue;
            }
            let mut case = case_in(from, None);
            let before = case.clone();
            let err = case.apply(event, at(100)).unwrap_err();
            let mut expected = allowed.clone();
            expected.sort();
            assert_eq!(
                err,
                CaseError::IllegalTransition {
                    from: TrackState::Referral(from),
                    event,
                    allowed: expected,
                }
            );
            assert_eq!(case, before, "a refused event must not change the case");
        }
    }
}

#[test]
fn illegal_transition_messages() {
    let mut case = case_in(CaseStatus::Completed, None);
    let err = case.apply(CaseEvent::Disengage, at(10)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot apply `disengage` while the referral is `completed`; no event is allowed from here"
    );
    let mut case = case_in(CaseStatus::Engaged, None);
    let err = case.apply(CaseEvent::Accept, at(10)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot apply `accept` while the referral is `engaged`; allowed from here: \
         `start_treatment`, `complete`, `disengage`"
    );
}

#[test]
fn charge_events_need_a_hold() {
    let mut case = case_in(CaseStatus::Completed, None);
    for event in [CaseEvent::DropCharges, CaseEvent::FileCharges] {
        assert_eq!(
            case.apply(event, at(10)),
            Err(CaseError::NoChargeHold { event })
        );
    }
    assert!(case.is_closed());
}

#[test]
fn drop_requires_completion() {
    let deadline = at(1000);
    for status in CaseStatus::ALL {
        let mut case = case_in(status, Some(deadline));
        let result = case.apply(CaseEvent::DropCharges, at(10));
        if status == CaseStatus::Completed {
            assert_eq!(result, Ok(()));
            assert_eq!(case.charges(), Some(ChargeStatus::Dropped));
            assert!(case.is_closed());
        } else {
            assert_eq!(result, Err(CaseError::DropBeforeCompletion { status }));
            assert_eq!(case.charges(), Some(ChargeStatus::Held));
        }
    }
}

#[test]
fn filing_rules() {
    let deadline = at(1000);
    // Before the deadline, only a declined or disengaged referral allows
    // filing.
    for status in CaseStatus::ALL {
        let mut case = case_in(status, Some(deadline));
        let result = case.apply(CaseEvent::FileCharges, at(10));
        if matches!(status, CaseStatus::Declined | CaseStatus::Disengaged) {
            assert_eq!(result, Ok(()), "{status:?}");
            assert_eq!(case.charges(), Some(ChargeStatus::Filed));
        } else {
            assert_eq!(
                result,
                Err(CaseError::FileBeforeDeadline {
                    status,
                    deadline,
                    at: at(10),
                }),
                "{status:?}"
            );
            assert_eq!(case.charges(), Some(ChargeStatus::Held));
        }
    }
    // At and after the deadline, filing is allowed from any status.
    for status in CaseStatus::ALL {
        for when in [deadline, deadline + Duration::days(3)] {
            let mut case = case_in(status, Some(deadline));
            assert_eq!(
                case.apply(CaseEvent::FileCharges, when),
                Ok(()),
                "{status:?}"
            );
            assert_eq!(case.charges(), Some(ChargeStatus::Filed));
        }
    }
}

#[test]
fn file_before_deadline_while_engaged_message() {
    let mut case = case_in(CaseStatus::Engaged, Some(at(1000)));
    let message = case
        .apply(CaseEvent::FileCharges, at(10))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(
            "cannot file charges at 2025-01-01T19:00:00-05:00 while the referral is `engaged`"
        ),
        "{message}"
    );
    assert!(
        message.contains("deadline 2025-02-12T01:00:00-05:00"),
        "{message}"
    );
    assert!(!message.contains("enc-test"));
}

#[test]
fn resolved_charges_cannot_move_again() {
    let mut case = case_in(CaseStatus::Completed, Some(at(1000)));
    case.apply(CaseEvent::DropCharges, at(10)).unwrap();
    let err = case.apply(CaseEvent::FileCharges, at(2000)).unwrap_err();
    assert_eq!(
        err,
        CaseError::IllegalTransition {
            from: TrackState::Charges(ChargeStatus::Dropped),
            event: CaseEvent::FileCharges,
            allowed: vec![],
        }
    );
}

#[test]
fn filed_charges_do_not_stop_the_referral() {
    let mut case = case_in(CaseStatus::Disengaged, Some(at(1000)));
    case.apply(CaseEvent::FileCharges, at(10)).unwrap();
    case.apply(CaseEvent::ReEngage, at(11)).unwrap();
    case.apply(CaseEvent::Complete, at(12)).unwrap();
    assert_eq!(case.status(), CaseStatus::Completed);
    assert_eq!(case.charges(), Some(ChargeStatus::Filed));
    assert!(case.is_closed());
}

#[test]
fn events_in_the_past_are_refused() {
    let mut case = Case::new("enc", crate::Pathway::SelfReferral, at(5), None);
    assert_eq!(
        case.apply(CaseEvent::Accept, at(4)),
        Err(CaseError::OutOfOrder {
            event: CaseEvent::Accept,
            at: at(4),
            last: at(5),
        })
    );
    case.apply(CaseEvent::Accept, at(5)).unwrap();
    case.apply(CaseEvent::Engage, at(8)).unwrap();
    let err = case.apply(CaseEvent::Complete, at(7)).unwrap_err();
    assert!(matches!(err, CaseError::OutOfOrder { .. }));
    assert!(
        err.to_string()
            .contains("earlier than the case's last recorded event")
    );
    // Same instant in another offset is not "earlier".
    let other_offset = at(8).with_timezone(&FixedOffset::east_opt(3600).unwrap());
    case.apply(CaseEvent::Complete, other_offset).unwrap();
    assert_eq!(case.status(), CaseStatus::Completed);
}

#[test]
fn closedness() {
    assert!(!case_in(CaseStatus::Referred, None).is_closed());
    assert!(!case_in(CaseStatus::Disengaged, None).is_closed());
    assert!(case_in(CaseStatus::Declined, None).is_closed());
    assert!(case_in(CaseStatus::Completed, None).is_closed());
    assert!(!case_in(CaseStatus::Completed, Some(at(1000))).is_closed());
}

#[test]
fn available_events_follow_the_rules() {
    let case = case_in(CaseStatus::Engaged, Some(at(1000)));
    assert_eq!(
        case.available_events(at(10)),
        [
            CaseEvent::StartTreatment,
            CaseEvent::Complete,
            CaseEvent::Disengage
        ]
    );
    assert_eq!(
        case.available_events(at(1000)),
        [
            CaseEvent::StartTreatment,
            CaseEvent::Complete,
            CaseEvent::Disengage,
            CaseEvent::FileCharges
        ]
    );
    assert!(case.available_events(at(0)).is_empty());
}

#[test]
fn serde_round_trip() {
    let mut case = case_in(CaseStatus::InTreatment, Some(at(1000)));
    case.apply(CaseEvent::Disengage, at(20)).unwrap();
    case.apply(CaseEvent::FileCharges, at(21)).unwrap();
    let json = serde_json::to_string_pretty(&case).unwrap();
    let back: Case = serde_json::from_str(&json).unwrap();
    assert_eq!(back, case);
    let value = serde_json::to_value(&case).unwrap();
    assert_eq!(value["status"], "disengaged");
    assert_eq!(value["charge_hold"]["status"], "filed");
    assert_eq!(value["history"][0]["event"], "accept");
    assert_eq!(value["history"][0]["from"]["track"], "referral");
    assert_eq!(value["history"][4]["to"]["status"], "filed");
}

#[test]
fn deserialising_checks_the_history() {
    let case = case_in(CaseStatus::Engaged, Some(at(1000)));
    let good = serde_json::to_value(&case).unwrap();

    let mut wrong_status = good.clone();
    wrong_status["status"] = "completed".into();
    let err = serde_json::from_value::<Case>(wrong_status).unwrap_err();
    assert!(
        err.to_string()
            .contains("stored case status does not match"),
        "{err}"
    );

    let mut bad_event = good.clone();
    bad_event["history"][1]["event"] = "complete".into();
    let err = serde_json::from_value::<Case>(bad_event).unwrap_err();
    assert!(
        err.to_string()
            .contains("history entry 1 cannot be replayed"),
        "{err}"
    );

    let mut wrong_to = good.clone();
    wrong_to["history"][1]["to"]["status"] = "in_treatment".into();
    let err = serde_json::from_value::<Case>(wrong_to).unwrap_err();
    assert!(err.to_string().contains("wrong to state"), "{err}");

    let mut wrong_hold = good.clone();
    wrong_hold["charge_hold"]["status"] = "dropped".into();
    let err = serde_json::from_value::<Case>(wrong_hold).unwrap_err();
    assert!(err.to_string().contains("charge_hold"), "{err}");

    let mut time_travel = good.clone();
    time_travel["history"][1]["at"] = "2024-01-01T00:00:00Z".into();
    assert!(serde_json::from_value::<Case>(time_travel).is_err());

    let mut extra = good.clone();
    extra["unexpected"] = 1.into();
    assert!(serde_json::from_value::<Case>(extra).is_err());

    assert_eq!(serde_json::from_value::<Case>(good).unwrap(), case);
}

#[test]
fn schema_is_generated() {
    let schema = schemars::schema_for!(Case);
    let value = serde_json::to_value(&schema).unwrap();
    let props = value["properties"].as_object().unwrap();
    for key in [
        "encounter_id",
        "pathway",
        "opened_at",
        "status",
        "charge_hold",
        "history",
    ] {
        assert!(props.contains_key(key), "{key}");
    }
}

#[test]
fn mermaid_contains_every_edge() {
    let diagram = case_graph_mermaid();
    assert!(diagram.starts_with("stateDiagram-v2\n"));
    assert!(diagram.contains("[*] --> referred\n"));
    assert!(diagram.contains("[*] --> held\n"));
    for (from, event, to) in legal_transitions() {
        let edge = format!("{} --> {}: {}", from.as_str(), to.as_str(), event.as_str());
        assert!(diagram.contains(&edge), "missing {edge}");
    }
    for terminal in ["declined", "completed", "dropped", "filed"] {
        assert!(
            diagram.contains(&format!("{terminal} --> [*]\n")),
            "{terminal}"
        );
    }
    assert!(!diagram.contains("disengaged --> [*]"));
    assert_eq!(diagram, case_graph_mermaid());
    let opens = diagram.matches('{').count();
    assert_eq!(opens, diagram.matches('}').count());
}

#[test]
fn dot_is_well_formed_and_complete() {
    let dot = case_graph_dot();
    assert!(dot.starts_with("digraph"));
    assert!(dot.ends_with("}\n"));
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    assert_eq!(dot.matches('"').count() % 2, 0);
    for (from, event, to) in legal_transitions() {
        let edge = format!(
            "{} -> {} [label=\"{}",
            from.as_str(),
            to.as_str(),
            event.as_str()
        );
        assert!(dot.contains(&edge), "missing {edge}");
    }
    assert!(dot.contains("completed [peripheries=2];"));
    assert_eq!(dot, case_graph_dot());
}

fn event_strategy() -> impl Strategy<Value = CaseEvent> {
    (0..CaseEvent::ALL.len()).prop_map(|i| CaseEvent::ALL[i])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_event_sequences_keep_the_case_sound(
        hold_hours in proptest::option::of(-48i64..2000),
        steps in proptest::collection::vec((event_strategy(), -24i64..240), 0..40),
    ) {
        let referred = GRAPH.node(TrackState::Referral(CaseStatus::Referred)).unwrap();
        let held = GRAPH.node(TrackState::Charges(ChargeStatus::Held)).unwrap();
        let mut case = Case::new("enc-prop", crate::Pathway::SelfReferral, t0(), hold_hours.map(at));
        let mut clock = t0();
        for (event, delta) in steps {
            clock += Duration::hours(delta);
            let before = case.clone();
            match case.apply(event, clock) {
                Ok(()) => {
                    prop_assert_eq!(case.history().len(), before.history().len() + 1);
                    let step = case.history().last().unwrap();
                    prop_assert_eq!(step.event, event);
                    prop_assert_eq!(step.at, clock);
                    prop_assert_eq!(GRAPH.target(step.from, event), Some(step.to));
                }
                Err(_) => prop_assert_eq!(&case, &before),
            }
            let node = GRAPH.node(TrackState::Referral(case.status())).unwrap();
            prop_assert!(has_path_connecting(&GRAPH.graph, referred, node, None));
            prop_assert_eq!(case.charges().is_some(), hold_hours.is_some());
            if let Some(charges) = case.charges() {
                let node = GRAPH.node(TrackState::Charges(charges)).unwrap();
                prop_assert!(has_path_connecting(&GRAPH.graph, held, node, None));
                if charges == ChargeStatus::Dropped {
                    prop_assert_eq!(case.status(), CaseStatus::Completed);
                }
            }
            prop_assert!(case.history().windows(2).all(|w| w[0].at <= w[1].at));
            let _ = case.available_events(clock);
        }
        let json = serde_json::to_string(&case).unwrap();
        let back: Case = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, case);
    }
}
