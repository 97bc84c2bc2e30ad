//! Scenario tests: every example program against hand-checked encounters in `tests/scenarios/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use offramp::{Decision, Encounter, Program, Router};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    program: String,
    scenario: Vec<Scenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    name: String,
    encounter: String,
    disposition: String,
    eligible: Vec<String>,
    intercept: Option<u8>,
    #[serde(default)]
    ineligible: BTreeMap<String, String>,
    charge_hold_deadline: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    /// The fields `needs_information` names, in order; none when left out.
    #[serde(default)]
    needs_information: Vec<String>,
    /// For a pathway, words one of its reasons must contain: the values and limits that
    /// decided (`168h1m since the overdose; needs 7d or less`).
    #[serde(default)]
    because: BTreeMap<String, String>,
}

fn check(s: &Scenario, d: &Decision) -> Vec<String> {
    let mut problems = Vec::new();
    if d.disposition.as_str() != s.disposition {
        problems.push(format!(
            "disposition {} (expected {})",
            d.disposition, s.disposition
        ));
    }
    let eligible: Vec<&str> = d.eligible.iter().map(|e| e.pathway.as_str()).collect();
    if eligible != s.eligible.iter().map(String::as_str).collect::<Vec<_>>() {
        problems.push(format!("eligible {eligible:?} (expected {:?})", s.eligible));
    }
    if let Some(i) = s.intercept
        && d.intercept.number() != i
    {
        problems.push(format!("intercept {} (expected {i})", d.intercept));
    }
    for (pathway, rule) in &s.ineligible {
        match d.ineligible.iter().find(|i| i.pathway.as_str() == pathway) {
            None => problems.push(format!("{pathway} is not among the ineligible")),
            Some(i) => {
                if !i.reasons.iter().any(|r| &*r.rule == rule) {
                    let got: Vec<&str> = i.reasons.iter().map(|r| &*r.rule).collect();
                    problems.push(format!("{pathway}: reasons {got:?} do not name {rule}"));
                }
                if i.reasons.iter().any(|r| r.because.is_empty()) {
                    problems.push(format!("{pathway}: a reason has no words"));
                }
            }
        }
    }
    if let Some(deadline) = &s.charge_hold_deadline {
        let got: Vec<String> = d
            .eligible
            .iter()
            .filter_map(|e| e.charge_hold.as_ref().map(|h| h.deadline.to_rfc3339()))
            .collect();
        if !got.contains(deadline) {
            problems.push(format!(
                "charge hold deadlines {got:?} (expected {deadline})"
            ));
        }
    }
    let needs: Vec<&str> = d
        .needs_information
        .iter()
        .map(|n| n.field.as_str())
        .collect();
    if needs
        != s.needs_information
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    {
        problems.push(format!(
            "needs_information {needs:?} (expected {:?})",
            s.needs_information
        ));
    }
    for (pathway, words) in &s.because {
        let reasons: Vec<&str> = d
            .ineligible
            .iter()
            .filter(|i| i.pathway.as_str() == pathway)
            .flat_map(|i| i.reasons.iter().map(|r| r.because.as_str()))
            .collect();
        if !reasons.iter().any(|r| r.contains(words.as_str())) {
            problems.push(format!(
                "{pathway}: no reason says {words:?} (got {reasons:?})"
            ));
        }
    }
    for w in &s.warnings {
        if !d.warnings.iter().any(|x| {
            serde_json::to_value(x.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .as_deref()
                == Some(w)
        }) {
            problems.push(format!("warning {w} missing (got {:?})", d.warnings));
        }
    }
    problems
}

#[test]
fn every_program_decides_its_scenarios() {
    let dir = offramp_suite::root().join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut programs_seen = Vec::new();
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
    {
        let text = std::fs::read_to_string(path).unwrap();
        let file: File =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let program = Program::from_file(offramp_suite::example_program(&file.program))
            .unwrap_or_else(|e| panic!("{}: {}", file.program, e.render()));
        programs_seen.push(file.program.clone());
        assert!(
            file.scenario.len() >= 5,
            "{}: fewer than five scenarios",
            path.display()
        );
        let router = Router::new(program);
        for s in &file.scenario {
            count += 1;
            let enc = Encounter::from_json(&s.encounter)
                .unwrap_or_else(|e| panic!("{} / {}: {e}", file.program, s.name));
            let d = router.route(&enc);
            let problems = check(s, &d);
            if !problems.is_empty() {
                failures.push(format!(
                    "{} / {}:\n    {}\n    decision: {}",
                    file.program,
                    s.name,
                    problems.join("\n    "),
                    d.to_json().unwrap()
                ));
            }
        }
    }
    // Every example program has scenarios.
    for p in offramp_suite::example_programs() {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(programs_seen.contains(&name), "no scenarios for {name}");
    }
    assert!(
        failures.is_empty(),
        "{} of {count} scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
