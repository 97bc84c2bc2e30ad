//! The exact analysis (`offramp analyze`): programs written with known gaps, overlaps and dead
//! rules (`tests/analysis/`) are found to have exactly those; every example program is
//! analysed, each gap's example reaches no pathway, and every fully recorded encounter that
//! reaches no pathway falls in a reported gap.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use offramp::authoring::analysis::{AnalysisError, OverlapKind, analyze};
use offramp::{Intercept, Pathway, Program, Router, WarningCode};

fn router(file: &str) -> Router {
    let path = offramp_suite::root().join("tests/analysis").join(file);
    Router::new(Program::from_file(&path).unwrap_or_else(|e| panic!("{}", e.render())))
}

#[test]
fn finds_exactly_the_known_gaps_overlaps_and_dead_rules() {
    let r = router("known-findings.toml");
    let a = analyze(&[&r], None).unwrap();
    let mut gaps: Vec<&str> = a.gaps.iter().map(|g| g.summary.as_str()).collect();
    gaps.sort_unstable();
    assert_eq!(
        gaps,
        [
            "age under 18: no pathway",
            "flags include weapon: no pathway",
            "needs do not include sud: no pathway",
            "responder is fire or ems: no pathway",
        ]
    );
    assert_eq!(a.gaps_left_out, 0);
    let overlaps: Vec<(OverlapKind, Pathway, Pathway)> = a
        .overlaps
        .iter()
        .map(|o| (o.kind, o.pathway, o.other))
        .collect();
    assert_eq!(
        overlaps,
        [
            (
                OverlapKind::AlwaysTogether,
                Pathway::SelfReferral,
                Pathway::ActiveOutreach
            ),
            (
                OverlapKind::Shadowed,
                Pathway::SelfReferral,
                Pathway::FirstResponderReferral
            ),
            (
                OverlapKind::Shadowed,
                Pathway::ActiveOutreach,
                Pathway::FirstResponderReferral
            ),
        ]
    );
    let dead: Vec<(&str, &str)> = a
        .dead_rules
        .iter()
        .map(|d| (d.rule.as_str(), d.summary.as_str()))
        .collect();
    assert_eq!(
        dead,
        [
            (
                "older-adult",
                "known-findings: rule `older-adult` of self_referral never admits anyone: whenever it holds, an earlier rule of the pathway admits first"
            ),
            (
                "teen",
                "known-findings: rule `teen` of self_referral never admits anyone: exclusion `minor` removes everyone it names"
            ),
            (
                "no-charge",
                "known-findings: rule `no-charge` of officer_intervention never admits anyone: it holds only when no offence is chargeable, and officer intervention needs one"
            ),
        ]
    );
    assert!(a.whole_exclusions.is_empty(), "{:?}", a.whole_exclusions);
    // The grid: self-referral is reached at intercepts 0 and 1, officer intervention nowhere.
    assert_eq!(a.coverage.len(), 36);
    let cell = |i: Intercept, p: Pathway| {
        a.coverage
            .iter()
            .find(|c| c.intercept == i && c.pathway == p)
            .unwrap()
    };
    assert!(cell(Intercept::LawEnforcement, Pathway::SelfReferral).covered());
    assert!(cell(Intercept::CommunityServices, Pathway::SelfReferral).covered());
    assert!(!cell(Intercept::LawEnforcement, Pathway::OfficerIntervention).covered());
    assert!(cell(Intercept::LawEnforcement, Pathway::OfficerIntervention).gap);
}

#[test]
fn an_exclusion_that_empties_a_pathway_is_named() {
    let r = router("emptied.toml");
    let a = analyze(&[&r], None).unwrap();
    assert_eq!(a.gaps.len(), 1);
    assert_eq!(a.gaps[0].summary, "every encounter: no pathway");
    assert_eq!(a.whole_exclusions.len(), 1);
    assert_eq!(a.whole_exclusions[0].exclusion, "any-overdose");
    assert_eq!(a.whole_exclusions[0].pathway, Some(Pathway::NaloxonePlus));
    assert_eq!(a.dead_rules.len(), 1);
    assert_eq!(a.dead_rules[0].rule, "recent-overdose");
}

#[test]
fn programs_taken_together_close_each_others_gaps() {
    let known = router("known-findings.toml");
    let fills = router("fills-fire-ems.toml");
    let alone = analyze(&[&known], None).unwrap();
    let together = analyze(&[&known, &fills], None).unwrap();
    assert!(
        alone
            .gaps
            .iter()
            .any(|g| g.summary == "responder is fire or ems: no pathway")
    );
    let mut gaps: Vec<&str> = together.gaps.iter().map(|g| g.summary.as_str()).collect();
    gaps.sort_unstable();
    assert_eq!(
        gaps,
        [
            "age under 18: no pathway",
            "flags include weapon: no pathway",
            "needs do not include sud: no pathway",
        ]
    );
    assert_eq!(together.programs.len(), 2);
    let community = together
        .coverage
        .iter()
        .find(|c| {
            c.intercept == Intercept::CommunityServices && c.pathway == Pathway::CommunityResponse
        })
        .unwrap();
    assert_eq!(community.programs, ["fills-fire-ems"]);
}

#[test]
fn every_example_program_is_analysed_and_its_gaps_are_real() {
    for path in offramp_suite::example_programs() {
        let r = Router::new(Program::from_file(&path).unwrap());
        let a = analyze(&[&r], None).unwrap();
        assert_eq!(a.coverage.len(), 36, "{}", path.display());
        for g in &a.gaps {
            let d = r.route(&g.example);
            assert!(
                d.eligible.is_empty(),
                "{}: the example of `{}` reaches {:?}",
                path.display(),
                g.summary,
                d.eligible.iter().map(|e| e.pathway).collect::<Vec<_>>()
            );
        }
    }
}

/// Whether the program had everything it reads: nothing it asks for, nothing it could not check.
fn fully_recorded(r: &Router, e: &offramp::Encounter) -> bool {
    let d = r.route(e);
    d.needs_information.is_empty()
        && e.responder.is_some()
        && !d.warnings.iter().any(|w| {
            matches!(
                w.code,
                WarningCode::ExclusionUnknown
                    | WarningCode::AmnestyUnknown
                    | WarningCode::ResponderUnknown
            )
        })
}

#[test]
fn every_fully_recorded_encounter_without_a_pathway_falls_in_a_gap() {
    let encounters = offramp_suite::synthetic_encounters(3_000, 11);
    let mut stranded_anywhere = 0;
    for path in offramp_suite::example_programs() {
        let r = Router::new(Program::from_file(&path).unwrap());
        let recorded: Vec<_> = encounters
            .iter()
            .filter(|e| fully_recorded(&r, e))
            .cloned()
            .collect();
        let stranded = recorded
            .iter()
            .filter(|e| r.route(e).eligible.is_empty())
            .count() as u64;
        stranded_anywhere += stranded;
        let a = analyze(&[&r], Some(&recorded)).unwrap();
        assert_eq!(a.gaps_left_out, 0, "{}", path.display());
        let counted: u64 = a.gaps.iter().filter_map(|g| g.encounters).sum();
        assert_eq!(counted, stranded, "{}", path.display());
        // Most common first.
        assert!(
            a.gaps
                .windows(2)
                .all(|w| w[0].encounters >= w[1].encounters),
            "{}",
            path.display()
        );
    }
    assert!(stranded_anywhere > 100, "{stranded_anywhere}");
}

#[test]
fn a_program_too_large_to_analyse_is_refused() {
    let mut text = String::from(
        "[program]\nid = \"wide\"\njurisdiction = \"Test County, XX\"\ntimezone = \"America/Chicago\"\n",
    );
    let names: Vec<String> = (0..24).map(|i| format!("a{i}")).collect();
    for n in &names {
        text.push_str(&format!("[attributes.{n}]\ntype = \"bool\"\n"));
    }
    text.push_str("[[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"all\"\n");
    text.push_str(&format!(
        "when = \"{}\"\n",
        names
            .iter()
            .map(|n| format!("attributes.{n}"))
            .collect::<Vec<_>>()
            .join(" or ")
    ));
    let r = Router::new(Program::from_toml(&text, "wide.toml").unwrap());
    match analyze(&[&r], None) {
        Err(AnalysisError::TooLarge { points, limit }) => {
            assert!(points > limit);
            assert_eq!(limit, offramp::authoring::analysis::MAX_POINTS);
        }
        other => panic!(
            "expected TooLarge, got {:?}",
            other.map(|a| a.encounters_examined)
        ),
    }
    assert!(matches!(analyze(&[], None), Err(AnalysisError::NoPrograms)));
    // The ten example programs, of ten jurisdictions, read too much together: refused from
    // the encounter's own fields, before any offence list is worked out.
    let routers: Vec<Router> = offramp_suite::example_programs()
        .iter()
        .map(|p| Router::new(Program::from_file(p).unwrap()))
        .collect();
    let all: Vec<&Router> = routers.iter().collect();
    let e = analyze(&all, None)
        .map(|a| a.encounters_examined)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the programs read too many fields at once to analyse exactly: at least "),
        "{e}"
    );
}

#[test]
fn a_program_with_too_many_kinds_of_offence_list_is_refused() {
    // 25 separate quantifiers over 25 codes: the lists of up to six offences reach more
    // combinations of results than the analysis examines.
    let codes: Vec<&str> = offramp::nibrs::all()
        .iter()
        .filter(|o| !o.retired)
        .map(|o| o.code)
        .take(25)
        .collect();
    let when = codes
        .iter()
        .map(|c| format!("any offenses (nibrs == \"{c}\")"))
        .collect::<Vec<_>>()
        .join(" or ");
    let text = format!(
        "[program]\nid = \"varied\"\njurisdiction = \"Test County, XX\"\ntimezone = \"America/Chicago\"\n[[pathways]]\npathway = \"officer_intervention\"\n[[pathways.rules]]\nid = \"any\"\nwhen = '{when}'\n"
    );
    let r = Router::new(
        Program::from_toml(&text, "varied.toml").unwrap_or_else(|e| panic!("{}", e.render())),
    );
    match analyze(&[&r], None) {
        Err(e @ AnalysisError::TooVaried { .. }) => {
            assert_eq!(
                e.to_string(),
                format!(
                    "the programs tell apart too many offence or history lists to analyse exactly (more than {})",
                    offramp::authoring::analysis::MAX_LIST_STATES
                )
            );
        }
        other => panic!(
            "expected TooVaried, got {:?}",
            other.map(|a| a.encounters_examined)
        ),
    }
}
