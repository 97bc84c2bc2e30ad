//! Issue 10, found through the command: a long flat rule crashed `check` and `route` with a
//! stack overflow, and a charge-hold term too long for the calendar passed `check` and then
//! vanished from every decision.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A program file in the temporary directory, removed when dropped.
struct Program(PathBuf);

impl Program {
    fn new(stem: &str, rules: &[String], term: &str) -> Program {
        let mut text = format!(
            "[program]\nid = \"{stem}\"\njurisdiction = \"X\"\ntimezone = \"UTC\"\n\n\
             [charge_hold]\nterm = \"{term}\"\n\n[[pathways]]\npathway = \"officer_intervention\"\n"
        );
        for (i, when) in rules.iter().enumerate() {
            text.push_str(&format!(
                "[[pathways.rules]]\nid = \"r{i}\"\nwhen = \"{when}\"\n"
            ));
        }
        let path = std::env::temp_dir().join(format!(
            "offramp-rule-limits-{}-{stem}.toml",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap();
        Program(path)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn offramp(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offramp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

const ENCOUNTER: &str = r#"{"id":"e1","at":"2026-03-02T10:00:00Z","responder":"law_enforcement","age":30,"offenses":[{"nibrs":"35A","level":"misdemeanor"}]}"#;

#[test]
fn a_flat_rule_of_ten_thousand_ors_is_checked_and_routed() {
    let police = "responder == law_enforcement";
    let ors = format!("{police} and ({})", vec!["age > 1"; 10_000].join(" or "));
    let ands = format!("{police} and {}", vec!["age > 1"; 50_000].join(" and "));
    let program = Program::new("flat", &[ors, ands], "90d");
    let path = program.path();
    let o = offramp(&["check", &path], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = offramp(&["route", "--program", &path, "-"], ENCOUNTER);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("officer_intervention"), "{out}");
}

#[test]
fn a_term_too_long_for_the_calendar_is_refused_with_its_place() {
    let program = Program::new("term", &["true".to_string()], "99999999999d");
    let path = program.path();
    let o = offramp(&["check", &path], "");
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        matches!(o.status.code(), Some(c) if c != 0 && c != 101),
        "{:?}: {err}",
        o.status
    );
    // Line 7 holds `term = "99999999999d"`; the value starts at column 9.
    assert!(
        err.contains(&format!(
            "{path}:7:9: error: the charge-hold term may be at most 36600 days"
        )),
        "{err}"
    );
}
