//! Scenario tests: every example program against hand-checked encounters in `tests/scenarios/`,
//! run through the same loader and runner as `offramp test`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use offramp::authoring::scenarios::{ScenarioFile, run};
use offramp::{Program, Router};

#[test]
fn every_program_decides_its_scenarios() {
    let dir = offramp_suite::root().join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut programs_seen = Vec::new();
    for path in &files {
        let file = ScenarioFile::from_file(path).unwrap_or_else(|e| panic!("{}", e.render()));
        let program_path = file
            .program_path(path)
            .unwrap_or_else(|| panic!("{}: names no program", path.display()));
        let program = Program::from_file(&program_path)
            .unwrap_or_else(|e| panic!("{}: {}", program_path.display(), e.render()));
        programs_seen.push(program_path.canonicalize().unwrap());
        assert!(
            file.scenario.len() >= 5,
            "{}: fewer than five scenarios",
            path.display()
        );
        let report = run(&Router::new(program), &file);
        count += report.results.len();
        for r in report.results.iter().filter(|r| !r.passed) {
            let mut lines: Vec<String> = r.mismatches.iter().map(ToString::to_string).collect();
            lines.extend(r.reasons.iter().map(ToString::to_string));
            failures.push(format!(
                "{} / {}:\n    {}",
                report.program,
                r.name,
                lines.join("\n    ")
            ));
        }
    }
    // Every example program has scenarios.
    for p in offramp_suite::example_programs() {
        assert!(
            programs_seen.contains(&p.canonicalize().unwrap()),
            "no scenarios for {}",
            p.display()
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {count} scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
