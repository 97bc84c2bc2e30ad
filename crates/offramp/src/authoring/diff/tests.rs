//! Tests of program diffs: what counts as a change, and how decision changes are counted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

/// A small program: two pathways, a program-wide exclusion, and the parts the tests change.
const BASE: &str = r#"
[program]
id = "demo"
jurisdiction = "Example County"
timezone = "America/Chicago"
version = "1"

[law]
good_samaritan = false

[windows]
naloxone_plus = "72h"

[charge_hold]
term = "90d"

[[exclusions]]
id = "weapon"
when = "flags has weapon"
because = "a weapon was present"

[[pathways]]
pathway = "officer_intervention"
[[pathways.rules]]
id = "adult-offence"
when = "age >= 18 and any offenses (level == misdemeanor)"

[[pathways]]
pathway = "self_referral"
[[pathways.rules]]
id = "asks"
when = "source == self_initiated"
"#;

fn program(text: &str) -> Program {
    Program::from_toml(text, "test.toml").unwrap_or_else(|e| panic!("{}", e.render()))
}

fn diff(old: &str, new: &str) -> ProgramDiff {
    ProgramDiff::between(&program(old), &program(new))
}

#[test]
fn a_program_compared_with_itself_has_no_changes() {
    let d = diff(BASE, BASE);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(d.old.hash, d.new.hash);
}

#[test]
fn every_example_program_compared_with_itself_has_no_changes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/programs");
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = Program::from_file(entry.unwrap().path()).unwrap();
        assert!(ProgramDiff::between(&p, &p).is_empty(), "{}", p.id());
    }
}

#[test]
fn a_rule_written_differently_but_meaning_the_same_is_not_a_change() {
    let new = BASE
        .replace(
            "age >= 18 and any offenses (level == misdemeanor)",
            "(age>=18)   and   any offenses(level==misdemeanor)",
        )
        .replace("naloxone_plus = \"72h\"", "naloxone_plus = \"3d\"")
        .replace("term = \"90d\"", "term = \"2160h\"");
    let d = diff(BASE, &new);
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn a_changed_threshold_shows_both_conditions_in_canonical_form() {
    let new = BASE.replace("age >= 18", "age >=  21");
    let d = diff(BASE, &new);
    assert_eq!(
        d.rules,
        [RuleChange {
            pathway: Some(Pathway::OfficerIntervention),
            kind: RuleKind::Rule,
            change: ChangeKind::Changed,
            id: "adult-offence".into(),
            old_id: None,
            old: Some("age >= 18 and any offenses (level == misdemeanor)".into()),
            new: Some("age >= 21 and any offenses (level == misdemeanor)".into()),
        }]
    );
    assert!(d.settings.is_empty() && d.wording.is_empty() && d.pathways.is_empty());
}

#[test]
fn rules_added_removed_and_renamed_are_told_apart() {
    let new = BASE
        .replace("id = \"asks\"", "id = \"asks-for-help\"")
        .replace(
            "[[exclusions]]\nid = \"weapon\"\nwhen = \"flags has weapon\"\nbecause = \"a weapon was present\"\n",
            "[[amnesty]]\nid = \"small\"\nwhen = \"level == misdemeanor\"\n",
        );
    let d = diff(BASE, &new);
    let summary: Vec<(ChangeKind, RuleKind, &str, Option<&str>)> = d
        .rules
        .iter()
        .map(|r| (r.change, r.kind, r.id.as_str(), r.old_id.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (ChangeKind::Removed, RuleKind::Exclusion, "weapon", None),
            (
                ChangeKind::Renamed,
                RuleKind::Rule,
                "asks-for-help",
                Some("asks")
            ),
            (ChangeKind::Added, RuleKind::Amnesty, "small", None),
        ]
    );
    // The exclusion's reason went with it: it is wording that is no longer there.
    assert_eq!(d.wording[0].key, "exclusions.weapon.because");
    assert_eq!(d.wording[0].new, None);
}

#[test]
fn pathways_added_removed_and_reranked_carry_their_ranks() {
    let swapped = program(BASE).to_toml().unwrap();
    let mut spec: ProgramSpec = toml::from_str(&swapped).unwrap();
    spec.pathways.swap(0, 1);
    let d = ProgramDiff::between(&program(BASE), &Program::from_spec(spec.clone()).unwrap());
    assert_eq!(
        d.pathways.reranked,
        [
            Rerank {
                pathway: Pathway::OfficerIntervention,
                old_rank: 1,
                new_rank: 2
            },
            Rerank {
                pathway: Pathway::SelfReferral,
                old_rank: 2,
                new_rank: 1
            },
        ]
    );
    assert!(d.rules.is_empty(), "moving a pathway changes no rule");

    spec.pathways.remove(1);
    spec.pathways.push(
        toml::from_str("pathway = \"naloxone_plus\"\n[[rules]]\nid = \"od\"\nwhen = \"true\"\n")
            .unwrap(),
    );
    let d = ProgramDiff::between(&program(BASE), &Program::from_spec(spec).unwrap());
    assert_eq!(
        d.pathways.added,
        [RankedPathway {
            pathway: Pathway::NaloxonePlus,
            rank: 2
        }]
    );
    assert_eq!(
        d.pathways.removed,
        [RankedPathway {
            pathway: Pathway::OfficerIntervention,
            rank: 1
        }]
    );
    let kinds: Vec<(ChangeKind, &str)> =
        d.rules.iter().map(|r| (r.change, r.id.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Added, "od"),
            (ChangeKind::Removed, "adult-offence")
        ]
    );
}

#[test]
fn law_windows_terms_and_responders_are_settings_and_reasons_are_wording() {
    let new = BASE
        .replace("good_samaritan = false", "good_samaritan = true")
        .replace("\"72h\"", "\"48h\"")
        .replace("\"90d\"", "\"60d\"")
        .replace("America/Chicago", "America/Denver")
        .replace("a weapon was present", "a weapon was seen")
        .replace(
            "pathway = \"self_referral\"",
            "pathway = \"self_referral\"\nresponders = [\"peer\", \"ems\"]",
        )
        .replace("version = \"1\"", "version = \"2\"");
    let d = diff(BASE, &new);
    let settings: Vec<(&str, Option<&str>, Option<&str>)> = d
        .settings
        .iter()
        .map(|s| (s.key.as_str(), s.old.as_deref(), s.new.as_deref()))
        .collect();
    assert_eq!(
        settings,
        [
            (
                "program.timezone",
                Some("America/Chicago"),
                Some("America/Denver")
            ),
            ("law.good_samaritan", Some("off"), Some("on")),
            ("windows.naloxone_plus", Some("72h"), Some("48h")),
            ("charge_hold.term", Some("90d"), Some("60d")),
            (
                "pathways.self_referral.responders",
                Some("any responder"),
                Some("ems, peer")
            ),
        ]
    );
    assert_eq!(
        d.wording,
        [SettingChange {
            key: "exclusions.weapon.because".into(),
            old: Some("a weapon was present".into()),
            new: Some("a weapon was seen".into()),
        }]
    );
    assert!(d.rules.is_empty());
    assert_eq!(
        (d.old.version.as_deref(), d.new.version.as_deref()),
        (Some("1"), Some("2"))
    );
}

// ------------------------------------------------------------------------------ decisions

fn encounter(id: &str, age: u16, offence: bool) -> Encounter {
    let offences = if offence {
        r#","offenses":[{"nibrs":"35A","level":"misdemeanor"}]"#
    } else {
        ""
    };
    Encounter::from_json(&format!(
        r#"{{"id":"{id}","at":"2026-03-02T10:00:00-06:00","responder":"law_enforcement","age":{age}{offences}}}"#
    ))
    .unwrap()
}

#[test]
fn decision_changes_are_counted_by_transition_largest_first_with_a_few_ids() {
    let old = Router::new(program(BASE));
    let new = Router::new(program(&BASE.replace("age >= 18", "age >= 16")));
    // 7 people aged 16-17 with an offence gain officer intervention; 2 of 17 without one do
    // not change; 3 adults with an offence were eligible before and still are.
    let mut encounters: Vec<Encounter> = (0..7)
        .map(|i| encounter(&format!("young-{i}"), 16 + (i % 2), true))
        .collect();
    encounters.extend((0..2).map(|i| encounter(&format!("no-offence-{i}"), 17, false)));
    encounters.extend((0..3).map(|i| encounter(&format!("adult-{i}"), 30, true)));
    let d = diff_decisions(&old, &new, encounters);
    assert_eq!((d.compared, d.changed, d.failed), (12, 7, 0));
    assert_eq!(d.first_pathway.len(), 1);
    let t = &d.first_pathway[0];
    assert_eq!(
        (t.from.as_str(), t.to.as_str(), t.count),
        ("none", "officer_intervention", 7)
    );
    assert_eq!(t.examples.len(), MAX_EXAMPLES);
    assert_eq!(t.examples[0], "young-0");
    assert!(d.other.is_empty());
}

#[test]
fn a_change_that_keeps_the_first_pathway_is_counted_apart() {
    // Adding a second pathway everyone is eligible for keeps the first one.
    let new = format!(
        "{BASE}\n[[pathways]]\npathway = \"first_responder_referral\"\n[[pathways.rules]]\nid = \"all\"\nwhen = \"true\"\n"
    );
    let old = Router::new(program(BASE));
    let new = Router::new(program(&new));
    let d = diff_decisions(
        &old,
        &new,
        [encounter("a", 30, true), encounter("b", 30, true)],
    );
    assert!(d.first_pathway.is_empty());
    assert_eq!(d.other.len(), 1);
    let o = &d.other[0];
    assert_eq!(o.first, "officer_intervention");
    assert_eq!(o.from.eligible, [Pathway::OfficerIntervention]);
    assert_eq!(
        o.to.eligible,
        [
            Pathway::OfficerIntervention,
            Pathway::FirstResponderReferral
        ]
    );
    assert_eq!((o.count, o.examples.len()), (2, 2));
}

#[test]
fn a_bad_line_is_reported_by_number_and_the_others_are_compared() {
    let old = Router::new(program(BASE));
    let new = Router::new(program(&BASE.replace("age >= 18", "age >= 16")));
    let good = encounter("kid", 16, true).to_json().unwrap();
    let input = format!("{good}\n\nnot json\n{}\n{good}\n", "x".repeat(300));
    let d = diff_decision_lines(&old, &new, input.as_bytes(), 200).unwrap();
    assert_eq!((d.compared, d.changed, d.failed), (2, 2, 2));
    let lines: Vec<usize> = d.failures.iter().map(|f| f.line).collect();
    assert_eq!(lines, [3, 4]);
    assert_eq!(d.failures[0].field.as_deref(), Some("."));
    assert!(d.failures[1].message.contains("longer than 200 bytes"));
    // The failure names no value from the line.
    assert!(!d.failures[0].message.contains("not json"));
}

#[test]
fn the_json_form_names_each_part() {
    let d = diff(BASE, &BASE.replace("age >= 18", "age >= 21"));
    let v: serde_json::Value = serde_json::from_str(&d.to_json().unwrap()).unwrap();
    assert_eq!(v["rules"][0]["change"], "changed");
    assert_eq!(v["rules"][0]["pathway"], "officer_intervention");
    assert_eq!(v["pathways"]["reranked"], serde_json::json!([]));
    assert!(v.get("decisions").is_none());
}

// ------------------------------------------------------------------------- scenario files

/// A scenario file whose encounters are those of [`encounter`], each under a name.
fn scenario_file(cases: &[(&str, Encounter)]) -> ScenarioFile {
    let mut text = String::new();
    for (name, enc) in cases {
        text.push_str(&format!(
            "[[scenario]]\nname = \"{name}\"\nencounter = '{}'\ndisposition = \"none\"\neligible = []\n\n",
            enc.to_json().unwrap()
        ));
    }
    ScenarioFile::from_toml(&text, "cases.toml").unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn a_scenario_files_encounters_are_compared_and_named_by_their_scenarios() {
    let old = Router::new(program(BASE));
    let new = Router::new(program(&BASE.replace("age >= 18", "age >= 16")));
    let file = scenario_file(&[
        (
            "a 16-year-old with a misdemeanour",
            encounter("s1", 16, true),
        ),
        ("an adult with a misdemeanour", encounter("s2", 30, true)),
        (
            "a 17-year-old with nothing charged",
            encounter("s3", 17, false),
        ),
        (
            "a 17-year-old with a misdemeanour",
            encounter("s4", 17, true),
        ),
    ]);
    let d = diff_scenarios(&old, &new, &file);
    assert_eq!((d.compared, d.changed, d.failed), (4, 2, 0));
    let t = &d.first_pathway[0];
    assert_eq!(
        (t.from.as_str(), t.to.as_str(), t.count),
        ("none", "officer_intervention", 2)
    );
    assert_eq!(
        t.examples,
        [
            "a 16-year-old with a misdemeanour",
            "a 17-year-old with a misdemeanour"
        ]
    );
    // The same encounters as a list give the same counts, named by their ids.
    let listed = diff_decisions(
        &old,
        &new,
        file.scenario
            .iter()
            .map(|s| Encounter::from_json(&s.encounter).unwrap()),
    );
    assert_eq!((listed.compared, listed.changed), (d.compared, d.changed));
    assert_eq!(listed.first_pathway[0].examples, ["s1", "s4"]);
}

#[test]
fn a_scenario_whose_encounter_fails_is_named_by_its_scenario_without_its_values() {
    let old = Router::new(program(BASE));
    let new = Router::new(program(BASE));
    let mut file = scenario_file(&[("fine", encounter("s1", 30, true))]);
    // A file built in code may hold an encounter that does not read.
    let mut bad = file.scenario[0].clone();
    bad.name = "typed by hand".into();
    bad.encounter = r#"{"id": "s2", "at": "Jane Doe"}"#.into();
    file.scenario.push(bad);
    let d = diff_scenarios(&old, &new, &file);
    assert_eq!((d.compared, d.failed), (1, 1));
    let f = &d.failures[0];
    assert_eq!((f.line, f.scenario.as_deref()), (2, Some("typed by hand")));
    assert_eq!(f.field.as_deref(), Some("at"));
    assert!(!f.message.contains("Jane"), "{}", f.message);
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["failures"][0]["scenario"], "typed by hand");
}

#[test]
fn files_named_toml_are_scenario_files() {
    for (path, scenarios) in [
        ("cases.toml", true),
        ("dir/CASES.TOML", true),
        ("encounters.jsonl", false),
        ("encounters.json", false),
        ("-", false),
        ("toml", false),
    ] {
        assert_eq!(is_scenario_file(Path::new(path)), scenarios, "{path}");
    }
}
