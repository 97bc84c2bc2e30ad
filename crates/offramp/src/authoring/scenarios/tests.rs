#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::Program;

fn lead() -> Router {
    static LEAD: std::sync::LazyLock<Router> = std::sync::LazyLock::new(|| {
        Router::new(
            Program::from_file(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../examples/programs/lead-king-county.toml"
            ))
            .unwrap(),
        )
    });
    LEAD.clone()
}

const SOCIAL_CONTACT: &str = r#"{"id": "s1", "at": "2026-05-11T10:15:00-07:00", "responder": "law_enforcement", "attributes": {"lead_activity_known": true}, "source": "on_view", "needs": ["sex_work"], "age": 31}"#;

/// The text with each empty encounter replaced by one that reads.
fn enc(text: &str) -> String {
    text.replace("'{}'", &format!("'{SOCIAL_CONTACT}'"))
}

fn one(expect: &str) -> ScenarioFile {
    let text = format!(
        "[[scenario]]\nname = \"social contact\"\nencounter = '{SOCIAL_CONTACT}'\n{expect}"
    );
    ScenarioFile::from_toml(&text, "s.toml").unwrap()
}

#[test]
fn a_failing_scenario_reports_each_expectation_against_the_decision() {
    let file = one(
        "disposition = \"pre_arrest_diversion\"\neligible = [\"officer_intervention\"]\n\
         intercept = 2\nneeds_information = [\"history\"]\nwarnings = [\"good_samaritan\"]\n\
         [scenario.because]\nofficer_intervention = \"words no reason says\"\n",
    );
    let report = run(&lead(), &file);
    assert_eq!((report.passed(), report.failed()), (0, 1));
    let r = &report.results[0];
    assert!(!r.passed);
    let shown: Vec<String> = r.mismatches.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown[..3],
        [
            "disposition: expected pre_arrest_diversion, got deflection",
            "eligible: expected [officer_intervention], got [first_responder_referral]",
            "intercept: expected 2, got 1",
        ],
        "{shown:#?}"
    );
    assert_eq!(r.mismatches[3].check, Check::Because);
    assert_eq!(r.mismatches[4].check, Check::Warnings);
    assert_eq!(
        r.mismatches[4].expected,
        "good_samaritan among the warnings"
    );
    // The reasons shown are those of the pathways the failure is about.
    let pathways: Vec<Pathway> = r.reasons.iter().map(|p| p.pathway).collect();
    assert_eq!(
        pathways,
        [
            Pathway::FirstResponderReferral,
            Pathway::OfficerIntervention
        ]
    );
    assert!(r.reasons[0].eligible_by.is_some());
    assert!(
        r.reasons[1]
            .reasons
            .iter()
            .any(|x| x.starts_with("lead-arrest-referral: ")),
        "{:?}",
        r.reasons[1]
    );
}

#[test]
fn a_passing_scenario_has_no_mismatches_or_reasons() {
    let file = one(
        "disposition = \"deflection\"\neligible = [\"first_responder_referral\"]\nintercept = 1\n\
         needs_information = [\"history\"]\n[scenario.ineligible]\nofficer_intervention = \"lead-arrest-referral\"\n",
    );
    let report = run(&lead(), &file);
    assert_eq!(report.results[0].mismatches, []);
    assert!(report.results[0].passed && report.results[0].reasons.is_empty());
    assert_eq!(report.program, "lead-king-county");
}

#[test]
fn an_unknown_key_is_placed_at_its_line_and_column() {
    let text = "[[scenario]]\nname = \"x\"\nencounter = '{}'\ndisposition = \"none\"\neligible = []\nelegible = []\n";
    let e = ScenarioFile::from_toml(&enc(text), "s.toml").unwrap_err();
    let d = &e.diagnostics()[0];
    assert_eq!((d.line, d.column), (6, 1), "{}", e.render());
    assert!(
        d.message.contains("unknown field `elegible`"),
        "{}",
        d.message
    );
    assert_eq!(d.code, "offramp::scenarios");
    assert!(
        e.render().starts_with("s.toml:6:1: error: unknown field"),
        "{}",
        e.render()
    );
}

#[test]
fn a_bad_word_is_placed_and_never_echoed() {
    let text =
        "[[scenario]]\nname = \"x\"\nencounter = '{}'\ndisposition = \"Jane Doe\"\neligible = []\n";
    let e = ScenarioFile::from_toml(&enc(text), "s.toml").unwrap_err();
    let d = &e.diagnostics()[0];
    assert_eq!(d.line, 4, "{}", e.render());
    assert_eq!(d.path.as_deref(), Some("scenario[0].disposition"));
    assert!(!d.message.contains("Jane"), "{}", d.message);
}

#[test]
fn a_bad_encounter_is_reported_at_its_scenario_without_its_values() {
    let text = "[[scenario]]\nname = \"ok\"\nencounter = '{}'\ndisposition = \"none\"\neligible = []\n\n\
                [[scenario]]\nname = \"bad\"\nencounter = '{\"age\": \"Jane Doe\"}'\ndisposition = \"none\"\neligible = []\n";
    let e = ScenarioFile::from_toml(&enc(text), "s.toml").unwrap_err();
    assert_eq!(e.diagnostics().len(), 1, "{}", e.render());
    let d = &e.diagnostics()[0];
    assert_eq!(d.path.as_deref(), Some("scenario[1].encounter"));
    assert_eq!(d.line, 9);
    assert!(
        d.message.starts_with("the encounter does not read: age"),
        "{}",
        d.message
    );
    assert!(
        !e.render().lines().next().unwrap().contains("Jane"),
        "{}",
        e.render()
    );
}

#[test]
fn limits_are_checked_before_parsing() {
    let big = "#".repeat(MAX_SCENARIO_FILE_BYTES + 1);
    let e = ScenarioFile::from_toml(&big, "s.toml").unwrap_err();
    assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
    let many = "[[scenario]]\nname = \"x\"\n".repeat(MAX_SCENARIOS + 1);
    let e = ScenarioFile::from_toml(&many, "s.toml").unwrap_err();
    assert!(e.to_string().contains("at most 1000"), "{e}");
    let text = "[[scenario]]\nname = \"x\"\nencounter = '{}'\ndisposition = \"none\"\neligible = []\nintercept = 9\n";
    let e = ScenarioFile::from_toml(&enc(text), "s.toml").unwrap_err();
    assert_eq!(e.diagnostics()[0].line, 6);
}

#[test]
fn the_program_is_read_relative_to_the_scenario_file() {
    let file = ScenarioFile::from_toml("program = \"../p/x.toml\"\n", "s.toml").unwrap();
    assert_eq!(
        file.program_path(Path::new("tests/scenarios/x.toml")),
        Some(PathBuf::from("tests/scenarios/../p/x.toml"))
    );
    assert_eq!(ScenarioFile::from_toml("", "s.toml").unwrap().program, None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any text, and any scenario file with a line changed to junk, loads or is refused with a
    /// placed diagnostic; never a panic.
    #[test]
    fn junk_never_panics(junk in "\\PC{0,200}", line in 0usize..12) {
        let _ = ScenarioFile::from_toml(&junk, "j.toml");
        let good = format!(
            "program = \"p.toml\"\n[[scenario]]\nname = \"x\"\nencounter = '{SOCIAL_CONTACT}'\ndisposition = \"none\"\neligible = []\n[scenario.because]\nself_referral = \"w\"\n[scenario.ineligible]\nself_referral = \"r\"\n"
        );
        let mut lines: Vec<&str> = good.lines().collect();
        let at = line.min(lines.len() - 1);
        lines[at] = &junk;
        let text = lines.join("\n");
        if let Err(e) = ScenarioFile::from_toml(&text, "j.toml") {
            proptest::prop_assert!(!e.diagnostics().is_empty());
            let _ = e.render();
        } else if let Ok(file) = ScenarioFile::from_toml(&text, "j.toml") {
            let _ = run(&lead(), &file);
        }
    }
}
