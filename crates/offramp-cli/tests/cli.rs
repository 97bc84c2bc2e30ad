//! End-to-end tests of the `offramp` command: they run the built binary the way a user or a
//! script would and check what comes out on stdout, stderr and the exit code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// The workspace root, where `examples/` lives.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(rel: &str) -> String {
    root().join(rel).display().to_string()
}

const LEAD: &str = "examples/programs/lead-king-county.toml";
const QRT: &str = "examples/programs/qrt-hamilton-county.toml";
const LEAD_ENCOUNTERS: &str = "examples/encounters/lead-king-county.jsonl";
const QRT_ENCOUNTERS: &str = "examples/encounters/qrt-hamilton-county.jsonl";
const BAD_LINES: &str = "examples/encounters/bad-lines.jsonl";

/// Runs `offramp ARGS` from the workspace root with `input` on stdin.
fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offramp"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the offramp binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    // Write from another thread so a large input cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("offramp runs to the end");
    writer.join().expect("the stdin writer finishes");
    out
}

/// Runs `offramp ARGS` from the workspace root with an empty stdin.
fn run(args: &[&str]) -> Output {
    run_with_stdin(args, b"")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

fn code(o: &Output) -> i32 {
    o.status
        .code()
        .expect("offramp exits with a code, not a signal")
}

/// A file in the system's temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(stem: &str, ext: &str, contents: &str) -> TempFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "offramp-cli-test-{}-{n}-{stem}.{ext}",
            std::process::id()
        ));
        std::fs::write(&path, contents).expect("the temporary file is written");
        TempFile(path)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Every decision line of a `route` run, parsed.
fn decisions(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The `id` of every non-blank line of a JSON-lines file.
fn input_ids(rel: &str) -> Vec<String> {
    std::fs::read_to_string(root().join(rel))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

fn decision_for<'a>(ds: &'a [Value], id: &str) -> &'a Value {
    ds.iter()
        .find(|d| d["encounter_id"] == id)
        .unwrap_or_else(|| panic!("no decision for {id}"))
}

fn eligible(d: &Value) -> Vec<&str> {
    d["eligible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pathway"].as_str().unwrap())
        .collect()
}

/// Lines of `text` that are diagnostics for `file`: `FILE:LINE:COL: ...`.
fn diagnostic_lines<'a>(text: &'a str, file: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| {
            let Some(rest) = l.strip_prefix(file).and_then(|r| r.strip_prefix(':')) else {
                return false;
            };
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().unwrap_or("");
            let col = parts.next().unwrap_or("");
            !line.is_empty()
                && !col.is_empty()
                && line.bytes().all(|b| b.is_ascii_digit())
                && col.bytes().all(|b| b.is_ascii_digit())
        })
        .collect()
}

/// `FILE:LINE:COL:` for the first occurrence of `needle` in `text` (1-based, in characters).
fn position_of(file: &str, text: &str, needle: &str) -> String {
    let at = text.find(needle).expect("needle is in the text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    format!("{file}:{line}:{col}:")
}

// ------------------------------------------------------------------------------------ check

#[test]
fn check_accepts_every_example_program_and_names_it() {
    let dir = root().join("examples/programs");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "toml" && ext != "json" {
            continue;
        }
        seen += 1;
        let shown = path.display().to_string();
        let o = run(&["check", &shown]);
        assert_eq!(code(&o), 0, "{shown}: {}", stderr(&o));
        // The program id, as written in the file's [program] table.
        let text = std::fs::read_to_string(&path).unwrap();
        let id = text
            .lines()
            .find_map(|l| {
                let l = l.trim();
                let v = l.strip_prefix("id")?.trim_start().strip_prefix('=')?;
                Some(v.trim().trim_matches('"').to_string())
            })
            .or_else(|| {
                let v: Value = serde_json::from_str(&text).ok()?;
                Some(v["program"]["id"].as_str()?.to_string())
            })
            .unwrap_or_else(|| panic!("{shown}: no program id"));
        let out = stdout(&o);
        assert!(out.contains(&format!("`{id}`")), "{shown}: {out}");
        assert!(out.contains("ok"), "{shown}: {out}");
    }
    assert!(
        seen >= 2,
        "expected the example programs in {}",
        dir.display()
    );
}

const BAD_PROGRAM: &str = r#"[program]
id = "misspelt-test"
jurisdiction = "Test County"
timezone = "America/Chicago"

[[pathways]]
pathway = "first_responder_referral"

[[pathways.rules]]
id = "police-only"
when = "responder == law_enforcment"

[[pathways.rules]]
id = "needs-treatment"
when = "needz has sud"
"#;

#[test]
fn check_reports_every_error_with_position_snippet_and_suggestion() {
    let file = TempFile::new("misspelt", "toml", BAD_PROGRAM);
    let path = file.path();
    let o = run(&["check", &path]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    let diags = diagnostic_lines(&err, &path);
    assert_eq!(diags.len(), 2, "two errors, two diagnostics:\n{err}");
    // Each is placed on the word that is wrong.
    let enum_at = position_of(&path, BAD_PROGRAM, "law_enforcment");
    let field_at = position_of(&path, BAD_PROGRAM, "needz");
    assert!(diags[0].starts_with(&enum_at), "{err}");
    assert!(diags[1].starts_with(&field_at), "{err}");
    // A snippet of the source is shown, with the suggestion.
    assert!(
        err.contains(r#"when = "responder == law_enforcment""#),
        "{err}"
    );
    assert!(err.contains("did you mean `law_enforcement`?"), "{err}");
    assert!(err.contains("did you mean `needs`?"), "{err}");
    assert!(stdout(&o).is_empty(), "nothing on stdout for a bad program");
}

#[test]
fn check_refuses_rules_that_read_protected_attributes() {
    let text = r#"[program]
id = "protected-test"
jurisdiction = "Test County"
timezone = "America/Chicago"

[attributes.race]
type = "text"

[attributes.neighbourhood]
type = "text"
reporting_only = true

[[pathways]]
pathway = "community_response"

[[pathways.rules]]
id = "by-race"
when = "attributes.race == \"x\""

[[pathways.rules]]
id = "by-neighbourhood"
when = "attr.neighbourhood == \"y\""
"#;
    let file = TempFile::new("protected", "toml", text);
    let path = file.path();
    let o = run(&["check", &path]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    let diags = diagnostic_lines(&err, &path);
    assert_eq!(diags.len(), 2, "{err}");
    assert!(diags[0].starts_with(&position_of(&path, text, "attributes.race ==")));
    assert!(diags[0].contains("race"), "{err}");
    assert!(diags[1].starts_with(&position_of(&path, text, "attr.neighbourhood")));
    assert!(diags[1].contains("neighbourhood"), "{err}");
}

#[test]
fn check_refuses_officer_intervention_for_fire() {
    let text = r#"[program]
id = "intervention-test"
jurisdiction = "Test County"
timezone = "America/Chicago"

[[pathways]]
pathway = "officer_intervention"
responders = ["law_enforcement", "fire"]

[[pathways.rules]]
id = "drug-offence"
when = "any offenses (drug)"
"#;
    let file = TempFile::new("fire", "toml", text);
    let path = file.path();
    let o = run(&["check", &path]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    let diags = diagnostic_lines(&err, &path);
    assert_eq!(diags.len(), 1, "{err}");
    assert!(diags[0].contains("officer_intervention"), "{err}");
    assert!(diags[0].contains("`fire`"), "{err}");
    assert!(
        diags[0].starts_with(&format!("{path}:8:")),
        "placed on the responders line: {err}"
    );
}

#[test]
fn check_places_the_responder_error_even_when_the_id_contains_the_word() {
    let text = r#"[program]
id = "fire-based-test"
jurisdiction = "Test County"
timezone = "America/Chicago"

[[pathways]]
pathway = "officer_intervention"
responders = ["law_enforcement", "fire"]

[[pathways.rules]]
id = "drug-offence"
when = "any offenses (drug)"
"#;
    let file = TempFile::new("fire-id", "toml", text);
    let path = file.path();
    let o = run(&["check", &path]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.starts_with(&format!("{path}:8:")), "{err}");
}

#[test]
fn check_accepts_a_json_program() {
    let text = r#"{
  "program": {
    "id": "json-test",
    "jurisdiction": "Test County",
    "timezone": "America/New_York"
  },
  "law": { "good_samaritan": true },
  "pathways": [
    {
      "pathway": "naloxone_plus",
      "rules": [
        { "id": "window", "when": "overdose is known and since overdose.at <= window.naloxone_plus" }
      ]
    }
  ]
}
"#;
    let file = TempFile::new("program", "json", text);
    let o = run(&["check", &file.path()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("`json-test`"), "{}", stdout(&o));
}

#[test]
fn check_of_several_files_reports_the_good_ones_and_fails_for_the_bad() {
    let bad = TempFile::new("mixed", "toml", BAD_PROGRAM);
    let o = run(&["check", &example(LEAD), &bad.path()]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("`lead-king-county`"));
    assert_eq!(diagnostic_lines(&stderr(&o), &bad.path()).len(), 2);
}

// ------------------------------------------------------------------------------------ route

#[test]
fn route_prints_one_json_decision_per_line_in_input_order() {
    let o = run(&["route", "--program", LEAD, LEAD_ENCOUNTERS]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ds = decisions(&o);
    let ids: Vec<&str> = ds
        .iter()
        .map(|d| d["encounter_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, input_ids(LEAD_ENCOUNTERS));
    for d in &ds {
        for field in [
            "intercept",
            "disposition",
            "eligible",
            "ineligible",
            "warnings",
        ] {
            assert!(d.get(field).is_some(), "no `{field}` in {d}");
        }
        assert_eq!(d["program"]["id"], "lead-king-county");
        assert!(
            d["program"]["hash"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
    }

    // A low-level drug offence: arrest referral, in place of booking.
    let d = decision_for(&ds, "kc-26-0001");
    assert_eq!(d["disposition"], "pre_arrest_diversion");
    assert_eq!(eligible(d), ["officer_intervention"]);
    assert_eq!(d["eligible"][0]["rule"], "lead-arrest-referral");
    assert_eq!(d["intercept"], 1);
    // Drug use with nothing chargeable: a social contact referral.
    let d = decision_for(&ds, "kc-26-0003");
    assert_eq!(d["disposition"], "deflection");
    assert_eq!(eligible(d), ["first_responder_referral"]);
    // A violent offence removes every pathway, naming the exclusion.
    let d = decision_for(&ds, "kc-26-0006");
    assert_eq!(d["disposition"], "none");
    assert!(eligible(d).is_empty());
    assert_eq!(d["ineligible"][0]["reasons"][0]["rule"], "violent-offense");
    // Age not recorded: the minor exclusion cannot be checked, which is a warning. The only
    // offence is an infraction, so officer intervention is not offered (issue 11).
    let d = decision_for(&ds, "kc-26-0009");
    assert_eq!(eligible(d), ["first_responder_referral"]);
    assert_eq!(
        d["ineligible"][0]["reasons"][0]["rule"],
        "officer_intervention.chargeable"
    );
    assert_eq!(d["warnings"][0]["code"], "exclusion_unknown");
    // Good Samaritan: possession reported with an overdose is not chargeable, so officer
    // intervention is not offered (issue 11), and the social contact referral is: deflection.
    let d = decision_for(&ds, "kc-26-0010");
    assert_eq!(d["disposition"], "deflection");
    assert_eq!(eligible(d), ["first_responder_referral"]);
    assert_eq!(
        d["ineligible"][0]["reasons"][0]["rule"],
        "officer_intervention.chargeable"
    );
    assert!(
        d["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "good_samaritan")
    );
    // Fire on scene: LEAD's pathways are for police only.
    assert!(eligible(decision_for(&ds, "kc-26-0011")).is_empty());
}

#[test]
fn route_reads_standard_input_with_dash_or_no_file() {
    let input = std::fs::read(root().join(QRT_ENCOUNTERS)).unwrap();
    let from_file = run(&["route", "--program", QRT, QRT_ENCOUNTERS]);
    let dash = run_with_stdin(&["route", "--program", QRT, "-"], &input);
    let none = run_with_stdin(&["route", "-p", QRT], &input);
    assert_eq!(code(&from_file), 0, "{}", stderr(&from_file));
    assert_eq!(code(&dash), 0, "{}", stderr(&dash));
    assert_eq!(code(&none), 0, "{}", stderr(&none));
    assert_eq!(decisions(&dash).len(), input_ids(QRT_ENCOUNTERS).len());
    assert_eq!(dash.stdout, from_file.stdout);
    assert_eq!(none.stdout, from_file.stdout);

    let ds = decisions(&dash);
    // Inside the 7-day window, and at exactly 7 days.
    assert_eq!(
        eligible(decision_for(&ds, "hc-qrt-0101")),
        ["naloxone_plus"]
    );
    assert_eq!(
        eligible(decision_for(&ds, "hc-qrt-0104")),
        ["naloxone_plus"]
    );
    // Past the window.
    let late = decision_for(&ds, "hc-qrt-0103");
    assert!(eligible(late).is_empty());
    assert_eq!(
        late["ineligible"][0]["reasons"][0]["rule"],
        "qrt-recovery-window"
    );
    // The survivor declined.
    let declined = decision_for(&ds, "hc-qrt-0106");
    assert_eq!(declined["ineligible"][0]["reasons"][0]["rule"], "declined");
}

#[test]
fn route_table_has_a_header_and_a_row_per_encounter() {
    let o = run(&[
        "route",
        "--program",
        LEAD,
        "--format",
        "table",
        LEAD_ENCOUNTERS,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let ids = input_ids(LEAD_ENCOUNTERS);
    assert_eq!(lines.len(), ids.len() + 1, "{out}");
    assert!(lines[0].contains("encounter") && lines[0].contains("disposition"));
    for (row, id) in lines[1..].iter().zip(&ids) {
        assert!(row.starts_with(id.as_str()), "row `{row}` is not for {id}");
    }
    let first = lines[1];
    assert!(first.contains("pre_arrest_diversion") && first.contains("officer_intervention"));
}

#[test]
fn route_reports_bad_lines_and_still_routes_the_good_ones() {
    let o = run(&["route", "--program", LEAD, BAD_LINES]);
    assert_eq!(code(&o), 1);
    let ids: Vec<String> = decisions(&o)
        .iter()
        .map(|d| d["encounter_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["kc-bad-01", "kc-bad-03", "kc-bad-09"]);

    let err = stderr(&o);
    let line = |n: usize| {
        let prefix = format!("{BAD_LINES}:{n}:");
        err.lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no error for line {n}:\n{err}"))
            .to_string()
    };
    assert!(line(2).contains("officer_note"), "{err}");
    assert!(line(4).contains("offenses[0].nibrs"), "{err}");
    line(5); // broken JSON
    assert!(line(6).contains("overdose.at"), "{err}");
    assert!(line(8).contains("age"), "{err}");
    for good_or_blank in [1, 3, 7, 9] {
        assert!(
            !err.contains(&format!("{BAD_LINES}:{good_or_blank}:")),
            "line {good_or_blank} is not an error:\n{err}"
        );
    }
    // The free text typed into `age` is not repeated.
    assert!(!err.contains("about forty"), "{err}");
}

#[test]
fn route_errors_do_not_echo_values_from_the_input() {
    let input = concat!(
        r#"{"id":"t-1","at":"2026-02-20T10:00:00-08:00","age":"JaneDoe"}"#,
        "\n",
        r#"{"id":"t-2","at":"2026-02-20T10:00:00-08:00","language":["JaneDoe"]}"#,
        "\n",
        r#"{"id":"t-3","at":"2026-02-20T10:00:00-08:00","overdose":"JaneDoe"}"#,
        "\n",
        r#"{"id":"t-4","at":"JaneDoe"}"#,
        "\n",
        r#"{"id":"t-5","at":"2026-02-20T10:00:00-08:00","location":{"lat":"JaneDoe","lon":0}}"#,
        "\n",
    );
    let o = run_with_stdin(&["route", "--program", LEAD, "-"], input.as_bytes());
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    for n in 1..=5 {
        assert!(err.contains(&format!("<stdin>:{n}:")), "{err}");
    }
    // One position: the line in the input and the column in that line.
    assert!(err.contains("<stdin>:1:60: age: "), "{err}");
    assert!(!err.contains("JaneDoe"), "input value echoed:\n{err}");
}

#[test]
fn route_errors_do_not_echo_unknown_enum_values_or_codes() {
    let input = concat!(
        r#"{"id":"t-1","at":"2026-02-20T10:00:00-08:00","responder":"JaneDoe"}"#,
        "\n",
        r#"{"id":"t-2","at":"2026-02-20T10:00:00-08:00","needs":["JaneDoe"]}"#,
        "\n",
        r#"{"id":"t-3","at":"2026-02-20T10:00:00-08:00","offenses":[{"nibrs":"JaneDoe","level":"felony"}]}"#,
        "\n",
    );
    let o = run_with_stdin(&["route", "--program", LEAD, "-"], input.as_bytes());
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.lines()
            .any(|l| l.starts_with("<stdin>:3:") && l.contains(": offenses[0].nibrs: ")),
        "{err}"
    );
    assert!(!err.contains("JaneDoe"), "input value echoed:\n{err}");
}

#[test]
fn route_survives_a_line_that_is_not_utf8_and_a_byte_order_mark() {
    let lines = std::fs::read_to_string(root().join(LEAD_ENCOUNTERS)).unwrap();
    let mut lines = lines.lines();
    let mut input = b"\xef\xbb\xbf".to_vec();
    input.extend_from_slice(lines.next().unwrap().as_bytes());
    input.extend_from_slice(b"\r\n{\"id\":\"kc-\xe9\",\"at\":\"2026-02-20T10:00:00-08:00\"}\n");
    input.extend_from_slice(lines.next().unwrap().as_bytes());
    input.push(b'\n');
    let o = run_with_stdin(&["route", "--program", LEAD], &input);
    assert_eq!(code(&o), 1);
    let ids: Vec<String> = decisions(&o)
        .iter()
        .map(|d| d["encounter_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["kc-26-0001", "kc-26-0002"]);
    let err = stderr(&o);
    assert!(err.contains("<stdin>:2:"), "{err}");
    assert!(!err.contains("<stdin>:1:"), "{err}");
}

#[test]
fn route_is_deterministic() {
    let first = run(&["route", "--program", LEAD, LEAD_ENCOUNTERS]);
    let second = run(&["route", "--program", LEAD, LEAD_ENCOUNTERS]);
    assert_eq!(code(&first), 0);
    assert!(!first.stdout.is_empty());
    assert_eq!(first.stdout, second.stdout);

    // Enough lines to be routed in parallel: still the same bytes, still in input order.
    let template = std::fs::read_to_string(root().join(LEAD_ENCOUNTERS)).unwrap();
    let mut input = String::new();
    for copy in 0..300 {
        for line in template.lines() {
            input.push_str(&line.replacen("\"kc-26-", &format!("\"kc-{copy:03}-"), 1));
            input.push('\n');
        }
    }
    let a = run_with_stdin(&["route", "--program", LEAD], input.as_bytes());
    let b = run_with_stdin(&["route", "--program", LEAD], input.as_bytes());
    assert_eq!(code(&a), 0, "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let ids: Vec<String> = stdout(&a)
        .lines()
        .map(|l| {
            let d: Value = serde_json::from_str(l).unwrap();
            d["encounter_id"].as_str().unwrap().to_string()
        })
        .collect();
    let expected: Vec<String> = input
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids, expected);
}

#[test]
fn route_with_a_missing_program_fails_naming_it() {
    let o = run(&[
        "route",
        "--program",
        "examples/programs/no-such.toml",
        LEAD_ENCOUNTERS,
    ]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("no-such.toml"));
    assert!(stdout(&o).is_empty());
}

// ---------------------------------------------------------------------------------- explain

const GOOD_SAMARITAN: &str = r#"{"id":"kc-x-0010","at":"2026-02-14T21:33:00-08:00","responder":"law_enforcement","source":"call_for_service","needs":["opioid_use"],"overdose":{"at":"2026-02-14T21:05:00-08:00","naloxone":true},"offenses":[{"nibrs":"35A","level":"misdemeanor"}],"age":24,"attributes":{"lead_activity_known":true}}"#;

#[test]
fn explain_inline_json_names_the_pathway_and_the_reasons() {
    let o = run(&["explain", "--program", LEAD, GOOD_SAMARITAN]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("kc-x-0010"), "{out}");
    assert!(out.contains("lead-king-county"), "{out}");
    // Issue 11: possession at an overdose is not chargeable under the Good Samaritan switch,
    // so officer intervention is not offered, and the explanation says why.
    assert!(
        out.contains("officer intervention needs a chargeable offence"),
        "{out}"
    );
    assert!(out.contains("officer_intervention.chargeable"), "{out}");
    // With possession not chargeable, the social contact referral applies: deflection.
    assert!(out.contains("deflection"), "{out}");
    let eligible = out
        .split("Not eligible:")
        .next()
        .expect("an Eligible section");
    assert!(eligible.contains("first responder referral"), "{out}");
    assert!(eligible.contains("lead-social-contact"), "{out}");
    assert!(out.contains("Good Samaritan"), "{out}");
}

#[test]
fn explain_reads_a_file_or_standard_input() {
    let late = r#"{"id":"hc-x-0103","at":"2026-02-09T11:00:00-05:00","responder":"law_enforcement","source":"overdose_follow_up","overdose":{"at":"2026-02-01T23:10:00-05:00","naloxone":true},"consent":"verbal"}"#;
    let file = TempFile::new("encounter", "json", &format!("{late}\n"));
    let o = run(&["explain", "-p", QRT, &file.path()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("hc-x-0103"), "{out}");
    assert!(out.contains("no pathway applies"), "{out}");
    assert!(out.contains("naloxone plus"), "{out}");
    assert!(out.contains("since overdose.at"), "{out}");

    let piped = run_with_stdin(&["explain", "-p", QRT, "-"], late.as_bytes());
    assert_eq!(code(&piped), 0, "{}", stderr(&piped));
    assert_eq!(piped.stdout, o.stdout);
}

#[test]
fn explain_of_an_invalid_encounter_fails() {
    let o = run(&[
        "explain",
        "-p",
        LEAD,
        r#"{"id":"t","at":"2026-01-01T00:00:00Z","age":"JaneDoe"}"#,
    ]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("age"), "{err}");
    assert!(!err.contains("JaneDoe"), "{err}");
    // JSON that is not one encounter is not mistaken for a file name and repeated back.
    for text in [r#"[{"id":"t","age":"JaneDoe"}]"#, r#""JaneDoe""#] {
        let o = run(&["explain", "-p", LEAD, text]);
        assert_eq!(code(&o), 1);
        let err = stderr(&o);
        assert!(err.starts_with("offramp: encounter: "), "{err}");
        assert!(!err.contains("JaneDoe"), "{err}");
    }
}

// ----------------------------------------------------------------------------------- schema

#[test]
fn schema_prints_each_json_schema() {
    for kind in ["program", "encounter", "decision", "trace", "scenarios"] {
        let o = run(&["schema", kind]);
        assert_eq!(code(&o), 0, "{kind}: {}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(v.get("$schema").is_some(), "{kind}: {v}");
    }
    let o = run(&["schema"]);
    assert_eq!(code(&o), 0);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let all = v.as_object().unwrap();
    for kind in ["program", "encounter", "decision", "trace", "scenarios"] {
        assert!(
            all[kind].get("$schema").is_some(),
            "{kind} missing from {v}"
        );
    }
    assert_eq!(all.len(), 5);
}

#[test]
fn schema_for_encounters_names_the_encounter_fields() {
    let o = run(&["schema", "encounter"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let props = v["properties"].as_object().unwrap();
    for field in [
        "id",
        "at",
        "responder",
        "overdose",
        "offenses",
        "attributes",
    ] {
        assert!(
            props.contains_key(field),
            "no `{field}` in the encounter schema"
        );
    }
}

// ------------------------------------------------------------------------------------- case

#[test]
fn case_graph_prints_mermaid_by_default() {
    let o = run(&["case", "graph"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).trim_start().starts_with("stateDiagram"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn case_graph_prints_dot() {
    let o = run(&["case", "graph", "--format", "dot"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).trim_start().starts_with("digraph"),
        "{}",
        stdout(&o)
    );
}

// ------------------------------------------------------------------------------------ usage

#[test]
fn usage_errors_exit_with_code_3() {
    for args in [
        &["frobnicate"][..],
        &["route", LEAD_ENCOUNTERS][..],
        &["explain", "{}"][..],
        &["check"][..],
        &["schema", "nonsense"][..],
        &["route", "-p", LEAD, "--format", "xml"][..],
    ] {
        let o = run(args);
        assert_eq!(code(&o), 3, "offramp {args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
}

#[test]
fn providers_check_counts_services_and_refuses_a_broken_file() {
    let o = run(&[
        "providers",
        "check",
        "--timezone",
        "America/Chicago",
        &example("examples/providers/harvey-il.json"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("9 services"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("sex_work_trafficking: 2"),
        "{}",
        stdout(&o)
    );
    // The shared HSDS tabular package loads, with warnings for what offramp cannot use.
    let o = run(&[
        "providers",
        "check",
        &example("crates/offramp/tests/fixtures/hsds-3.0/csv"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("warning"));
    // A broken file: exit 2 and the file, record and field named.
    let dir = std::env::temp_dir().join(format!("offramp-cli-providers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"[{"id": "s-1", "name": "Clinic", "organization": {"id": "o-1", "name": "Org"}, "schedules": [{"opens_at": "nine", "closes_at": "17:00"}]}]"#).unwrap();
    let o = run(&["providers", "check", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("bad.json") && err.contains("opens_at"),
        "{err}"
    );
}

#[test]
fn providers_open_lists_what_is_open_at_a_time() {
    let path = example("examples/providers/harvey-il.json");
    let night = run(&[
        "providers",
        "open",
        "--timezone",
        "America/Chicago",
        "--at",
        "2026-03-03T23:30:00-06:00",
        &path,
    ]);
    let day = run(&[
        "providers",
        "open",
        "--timezone",
        "America/Chicago",
        "--at",
        "2026-03-03T11:00:00-06:00",
        &path,
    ]);
    assert_eq!(code(&night), 0, "{}", stderr(&night));
    let (n, d) = (stdout(&night).lines().count(), stdout(&day).lines().count());
    assert!(n >= 1 && d > n, "night {n}, day {d}");
    assert!(stdout(&night).contains("Crisis"), "{}", stdout(&night));
    // A time that is not RFC 3339 is a usage error naming the flag.
    let bad = run(&["providers", "open", "--at", "tuesday", &path]);
    assert_eq!(code(&bad), 3);
    assert!(stderr(&bad).contains("--at"), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("RFC 3339"), "{}", stderr(&bad));
}

#[test]
fn providers_open_leaves_out_an_inactive_service_as_the_router_does() {
    let path = example("examples/providers/harvey-il.json");
    let at = "2026-03-03T23:30:00-06:00";
    let before = run(&["providers", "open", "--at", at, &path]);
    assert_eq!(code(&before), 0, "{}", stderr(&before));
    let listed = stdout(&before);
    let first = listed.lines().next().expect("a service open at night");
    let id = first.split('\t').next().unwrap_or_default().to_string();
    // The same directory with that service marked inactive.
    let mut services: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for s in &mut services {
        if s["id"] == id.as_str() {
            s["status"] = Value::from("inactive");
        }
    }
    let edited = TempFile::new("inactive", "json", &Value::Array(services).to_string());
    let after = run(&["providers", "open", "--at", at, &edited.path()]);
    assert_eq!(code(&after), 0, "{}", stderr(&after));
    assert!(!stdout(&after).contains(&id), "{}", stdout(&after));
    assert_eq!(
        stdout(&after).lines().count() + 1,
        listed.lines().count(),
        "{}",
        stdout(&after)
    );
}

#[test]
fn directory_warnings_name_the_flag_of_the_command() {
    // The example directories give their IANA zone, so checking them warns of nothing a user
    // cannot act on; without it, the warning names the command's own flag.
    let path = example("examples/providers/harvey-il.json");
    let o = run(&["providers", "check", &path]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("time zone"), "{}", stderr(&o));
    fn without_tzid(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("tzid");
                m.values_mut().for_each(without_tzid);
            }
            Value::Array(a) => a.iter_mut().for_each(without_tzid),
            _ => {}
        }
    }
    let mut bare: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    without_tzid(&mut bare);
    let bare = TempFile::new("offsets-only", "json", &bare.to_string());
    let o = run(&["providers", "check", &bare.path()]);
    let err = stderr(&o);
    assert!(
        err.contains("set the directory's IANA time zone with --timezone"),
        "{err}"
    );
    assert!(!err.contains("LoadOptions"), "{err}");
    let o = run(&[
        "providers",
        "check",
        "--timezone",
        "America/Chicago",
        &bare.path(),
    ]);
    assert!(!stderr(&o).contains("time zone"), "{}", stderr(&o));
}

#[test]
fn a_bad_flag_value_names_the_flag_not_the_library_option() {
    let path = example("examples/providers/harvey-il.json");
    for sub in ["check", "open"] {
        let mut args = vec!["providers", sub, "--timezone", "Nowhere/Else", &path];
        if sub == "open" {
            args.extend(["--at", "2026-03-03T11:00:00-06:00"]);
        }
        let o = run(&args);
        assert_eq!(code(&o), 3, "{sub}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("--timezone"), "{sub}: {err}");
        assert!(err.contains("IANA time zone"), "{sub}: {err}");
        assert!(!err.contains("LoadOptions"), "{sub}: {err}");
    }
}

#[test]
fn errors_that_stop_a_command_start_with_its_name_and_exit_with_their_code() {
    // An argument that is neither JSON nor a readable file is not repeated: it may be a
    // mistyped encounter.
    let o = run(&["explain", "-p", LEAD, "JaneDoe-no-such-encounter"]);
    assert_eq!(code(&o), 3);
    let err = stderr(&o);
    assert!(
        err.starts_with("offramp: the encounter argument is neither JSON nor a readable file"),
        "{err}"
    );
    assert!(!err.contains("JaneDoe"), "{err}");
    assert!(stdout(&o).is_empty());

    let bad = TempFile::new("route-bad", "toml", BAD_PROGRAM);
    let o = run(&["route", "-p", &bad.path(), LEAD_ENCOUNTERS]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    // The program's diagnostics, with their snippets, as `offramp check` shows them.
    assert!(
        err.starts_with(&format!(
            "offramp: {}: the program does not load:\n",
            bad.path()
        )),
        "{err}"
    );
    assert_eq!(diagnostic_lines(&err, &bad.path()).len(), 2, "{err}");
    assert!(err.contains("did you mean `needs`?"), "{err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn route_reads_any_spelling_of_a_language_as_one() {
    let line = |id: &str, language: &str| {
        format!(
            r#"{{"id":"{id}","at":"2026-03-03T15:00:00-06:00","responder":"law_enforcement","source":"on_view","needs":["sud","sex_work"],"age":29,"language":"{language}","location":{{"lat":41.61,"lon":-87.65}}}}"#
        )
    };
    let spellings = ["spa", "es", "ES", "Spanish"];
    let input: String = spellings
        .iter()
        .map(|l| line(&format!("h-{l}"), l) + "\n")
        .collect::<String>()
        + &line("h-bad", "Elvish")
        + "\n";
    let o = run_with_stdin(
        &[
            "route",
            "--program",
            &example("examples/programs/harvey-pd.toml"),
            "--providers",
            &example("examples/providers/harvey-il.json"),
            "-",
        ],
        input.as_bytes(),
    );
    // The unknown language is an error naming the field, on its line; the others route.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("<stdin>:5:") && err.contains("language"),
        "{err}"
    );
    assert!(!err.contains("Elvish"), "{err}");
    let ds = decisions(&o);
    let partners = |id: &str| -> Vec<Vec<String>> {
        decision_for(&ds, id)["eligible"]
            .as_array()
            .expect("eligible")
            .iter()
            .map(|p| {
                p["providers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| o["service_id"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .collect()
    };
    let spa = partners("h-spa");
    assert!(spa.iter().map(Vec::len).sum::<usize>() >= 3, "{spa:?}");
    for l in spellings {
        assert_eq!(partners(&format!("h-{l}")), spa, "{l}");
    }
}

#[test]
fn route_with_providers_adds_ranked_options() {
    let o = run(&[
        "route",
        "--program",
        &example("examples/programs/harvey-pd.toml"),
        "--providers",
        &example("examples/providers/harvey-il.json"),
        &example("examples/encounters/harvey-pd.jsonl"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ds = decisions(&o);
    let first = decision_for(&ds, "hv-001");
    let options = first["eligible"][0]["providers"]
        .as_array()
        .expect("providers");
    assert!(!options.is_empty());
    for key in [
        "service_id",
        "service",
        "organization",
        "open_now",
        "open_until",
        "next_open",
        "distance_km",
        "available",
        "reasons",
    ] {
        assert!(options[0].get(key).is_some(), "option lacks {key}");
    }
    // Without --providers there is no providers field.
    let o = run(&[
        "route",
        "--program",
        &example("examples/programs/harvey-pd.toml"),
        &example("examples/encounters/harvey-pd.jsonl"),
    ]);
    assert!(decisions(&o).iter().all(|d| {
        d["eligible"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("providers").is_none())
    }));
}

#[test]
fn simulate_writes_tables_and_is_reproducible() {
    let base = std::env::temp_dir().join(format!("offramp-cli-sim-{}", std::process::id()));
    let (a, b) = (base.join("a"), base.join("b"));
    for out in [&a, &b] {
        let o = run(&[
            "simulate",
            &example("examples/scenarios/qrt-hamilton-county.toml"),
            "--out",
            out.to_str().unwrap(),
            "--seed",
            "11",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    for table in ["funnel.csv", "costs.csv", "equity.csv", "summary.csv"] {
        let x = std::fs::read_to_string(a.join(table)).unwrap();
        let y = std::fs::read_to_string(b.join(table)).unwrap();
        assert!(x.lines().count() > 1, "{table} is empty");
        assert_eq!(x, y, "{table} differs between runs with the same seed");
    }
    // Parquet: the same tables, row for row, and run.json; no CSV left behind.
    let p = base.join("p");
    let o = run(&[
        "simulate",
        &example("examples/scenarios/qrt-hamilton-county.toml"),
        "--out",
        p.to_str().unwrap(),
        "--seed",
        "11",
        "--format",
        "parquet",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for table in ["funnel", "costs", "equity", "summary"] {
        let file = std::fs::File::open(p.join(format!("{table}.parquet"))).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let rows: usize = reader.map(|b| b.unwrap().num_rows()).sum();
        let csv = std::fs::read_to_string(a.join(format!("{table}.csv"))).unwrap();
        assert_eq!(rows, csv.lines().count() - 1, "{table}");
        assert!(!p.join(format!("{table}.csv")).exists());
    }
    assert_eq!(
        std::fs::read_to_string(p.join("run.json")).unwrap(),
        std::fs::read_to_string(a.join("run.json")).unwrap()
    );
    let bad = run(&[
        "simulate",
        &example("examples/programs/harvey-pd.toml"),
        "--out",
        a.to_str().unwrap(),
    ]);
    assert_eq!(code(&bad), 2, "a program is not a scenario");
}

// ------------------------------------------------------------------- a Unix tool (issue 10)

/// Runs `offramp ARGS` with standard output a pipe whose reading end is closed as soon as the
/// command starts, as when `| head -1` or `| true` has stopped reading, and `input` on
/// standard input (written only after the pipe is closed).
fn run_into_closed_pipe(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offramp"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the offramp binary starts");
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

#[test]
fn a_closed_output_pipe_ends_every_command_quietly() {
    let encounters = std::fs::read(root().join(LEAD_ENCOUNTERS)).unwrap();
    let first_encounter = String::from_utf8(encounters.clone())
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let harvey = example("examples/providers/harvey-il.json");
    let cases: Vec<Vec<&str>> = vec![
        vec!["schema"],
        vec!["schema", "encounter"],
        vec!["case", "graph"],
        vec!["case", "graph", "--format", "dot"],
        vec!["route", "-p", LEAD, "-"],
        vec!["route", "-p", LEAD, "--format", "table", "-"],
        vec!["route", "-p", LEAD, "--errors", "inline", BAD_LINES],
        vec!["check", LEAD],
        vec!["explain", "-p", LEAD, first_encounter.as_str()],
        vec!["providers", "check", harvey.as_str()],
        vec![
            "providers",
            "open",
            "--at",
            "2026-03-03T11:00:00-06:00",
            harvey.as_str(),
        ],
        vec!["--help"],
        vec!["route", "--help"],
        vec!["--version"],
    ];
    for args in cases {
        let o = run_into_closed_pipe(&args, &encounters);
        assert_eq!(code(&o), 0, "offramp {args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "offramp {args:?}");
    }
}

#[test]
fn the_exit_codes_are_listed_in_help_and_in_the_limits_page() {
    let o = run(&["--help"]);
    assert_eq!(code(&o), 0);
    let help = stdout(&o);
    let limits = std::fs::read_to_string(root().join("docs/limits.md")).unwrap();
    let section = limits
        .split("## Exit codes")
        .nth(1)
        .expect("docs/limits.md has an `Exit codes` section");
    for n in 0..=3 {
        assert!(help.contains(&format!("\n  {n}  ")), "code {n}:\n{help}");
        assert!(
            section.contains(&format!("\n| {n} | ")),
            "code {n} in docs/limits.md"
        );
    }
}

/// The pad-acc program holds charges, so routing this encounter computes a deadline from its
/// time: with a time at the edge of what can be written, that arithmetic is where the core
/// once panicked. Whatever the core does with it, the other lines are decided.
const PAD: &str = "examples/programs/pad-acc-leon-county.toml";
const PAD_ENCOUNTER: &str = r#"{"id": "pad-1", "at": "2026-06-05T22:40:00-04:00", "responder": "law_enforcement", "source": "call_for_service", "age": 22, "history": [], "offenses": [{"nibrs": "23C", "level": "misdemeanor", "violent": false}]}"#;

#[test]
fn route_decides_every_good_line_around_an_absurd_time() {
    let absurd = PAD_ENCOUNTER
        .replace("pad-1", "pad-absurd")
        .replace("2026-06-05T22:40:00-04:00", "-262143-01-01T00:00:00Z");
    let input = format!(
        "{}\n{absurd}\n{}\n",
        PAD_ENCOUNTER,
        PAD_ENCOUNTER.replace("pad-1", "pad-3")
    );
    for errors in ["stderr", "inline"] {
        let o = run_with_stdin(&["route", "-p", PAD, "--errors", errors], input.as_bytes());
        let c = code(&o);
        assert!(
            c == 0 || c == 1,
            "--errors {errors}: exit {c}: {}",
            stderr(&o)
        );
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{err}");
        let out: Vec<Value> = decisions(&o);
        let ids: Vec<&str> = out
            .iter()
            .filter_map(|d| d["encounter_id"].as_str())
            .collect();
        assert!(ids.contains(&"pad-1") && ids.contains(&"pad-3"), "{ids:?}");
        if c == 1 && errors == "stderr" {
            assert!(err.starts_with("<stdin>:2"), "{err}");
        }
        if errors == "inline" {
            // One answer per input line, in order.
            assert_eq!(out.len(), 3, "{}", stdout(&o));
            assert!(out[1]["encounter_id"] == "pad-absurd" || out[1]["error"]["line"] == 2);
        }
    }
}

#[test]
fn route_errors_inline_keep_output_line_n_for_input_line_n() {
    let o = run(&["route", "-p", LEAD, "--errors", "inline", BAD_LINES]);
    assert_eq!(code(&o), 1);
    let input = std::fs::read_to_string(root().join(BAD_LINES)).unwrap();
    let output = stdout(&o);
    let (ins, outs): (Vec<&str>, Vec<&str>) = (input.lines().collect(), output.lines().collect());
    assert_eq!(ins.len(), outs.len(), "{output}");
    for (n, (i, out)) in ins.iter().zip(&outs).enumerate() {
        let n = n + 1;
        if i.trim().is_empty() {
            assert_eq!(*out, "", "line {n}");
            continue;
        }
        let v: Value = serde_json::from_str(out).unwrap();
        match v.get("error") {
            Some(e) => {
                assert_eq!(e["line"], n, "{out}");
                assert!(e["message"].is_string(), "{out}");
                // The value typed into `age` on line 8 is not repeated.
                assert!(!out.contains("about forty"), "{out}");
            }
            None => assert!(i.contains(v["encounter_id"].as_str().unwrap()), "line {n}"),
        }
    }
    // The errors are in the output, not repeated on standard error: only the count is.
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("5 lines failed, 3 routed"), "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(outs[1]).unwrap()["error"]["field"],
        "officer_note"
    );
}

#[test]
fn a_bad_line_is_placed_once_at_its_line_and_column_in_the_file() {
    let o = run(&["route", "-p", LEAD, BAD_LINES]);
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.starts_with(&format!("{BAD_LINES}:2:")))
        .unwrap();
    assert!(
        line.starts_with(&format!("{BAD_LINES}:2:130: officer_note: ")),
        "{line}"
    );
    assert!(!line.contains("(line"), "{line}");
    // `officer_note` is not close to any encounter key, so nothing is suggested.
    assert!(!line.contains("did you mean"), "{line}");
    // A near miss still gets its suggestion.
    let typo = r#"{"id":"t-1","at":"2026-02-20T10:00:00-08:00","respondr":"fire"}"#;
    let o = run_with_stdin(&["route", "-p", LEAD], typo.as_bytes());
    assert!(
        stderr(&o).contains("did you mean `responder`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_line_longer_than_the_cap_fails_alone() {
    let lines = std::fs::read_to_string(root().join(LEAD_ENCOUNTERS)).unwrap();
    let mut lines = lines.lines();
    let (first, second) = (lines.next().unwrap(), lines.next().unwrap());
    // Over the default cap of 1 MiB: a long `id`.
    let long = first.replacen("\"kc-", &format!("\"{}", "x".repeat(2 << 20)), 1);
    let input = format!("{first}\n{long}\n{second}\n");
    let o = run_with_stdin(&["route", "-p", LEAD], input.as_bytes());
    assert_eq!(code(&o), 1);
    assert_eq!(decisions(&o).len(), 2);
    let err = stderr(&o);
    assert!(
        err.starts_with("<stdin>:2: the line is longer than --max-line-bytes (1048576 bytes)"),
        "{err}"
    );
    // The cap is a flag; the line ending does not count.
    let cap = first.len().to_string();
    let o = run_with_stdin(
        &["route", "-p", LEAD, "--max-line-bytes", &cap],
        format!("{first}\r\n{second}x\n").as_bytes(),
    );
    let err = stderr(&o);
    assert_eq!(decisions(&o).len(), 1, "{err}");
    if second.len() >= first.len() {
        assert!(err.contains("<stdin>:2: the line is longer than"), "{err}");
    }
    let o = run(&[
        "route",
        "-p",
        LEAD,
        "--max-line-bytes",
        "0",
        LEAD_ENCOUNTERS,
    ]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("--max-line-bytes"), "{}", stderr(&o));
}

#[test]
fn time_flags_take_now() {
    let path = example("examples/providers/harvey-il.json");
    let o = run(&["providers", "open", "--at", "now", &path]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("services open at"), "{}", stderr(&o));
}

/// An HSDS service open 09:00 to 09:00 every day.
const EMPTY_SPAN: &str = "crates/offramp-cli/tests/fixtures/providers/empty-span.json";

#[test]
fn a_schedule_that_opens_and_closes_at_once_is_warned_about_and_never_open() {
    let o = run(&["providers", "check", EMPTY_SPAN]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("hours.schedules[0].closes_at") && err.contains("never open"),
        "{err}"
    );
    for at in ["2026-03-03T09:00:00-06:00", "2026-03-03T15:00:00-06:00"] {
        let o = run(&["providers", "open", "--at", at, EMPTY_SPAN]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(stdout(&o), "", "open at {at}");
    }
}

#[test]
fn providers_check_refuses_a_directory_over_the_size_limit_and_a_package_with_too_many_bytes() {
    use offramp::providers::MAX_DIRECTORY_BYTES;
    let dir = std::env::temp_dir().join(format!("offramp-cli-big-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let over = u64::try_from(MAX_DIRECTORY_BYTES).unwrap() + 1;
    // A sparse file one byte over the limit: refused at its start, exit 2, nothing echoed.
    let big = dir.join("big.json");
    std::fs::File::create(&big).unwrap().set_len(over).unwrap();
    let o = run(&["providers", "check", big.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}:1:1: error: the directory is larger than {} MiB, the most a directory may be",
            big.display(),
            MAX_DIRECTORY_BYTES >> 20
        )),
        "{err}"
    );
    // A data package whose files together pass the limit: the file that passes it is named.
    let package = dir.join("package");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(package.join("datapackage.json"), "{}").unwrap();
    std::fs::write(
        package.join("services.csv"),
        "id,name,status\ns1,Clinic,active\n",
    )
    .unwrap();
    std::fs::File::create(package.join("schedules.csv"))
        .unwrap()
        .set_len(over - 10)
        .unwrap();
    let o = run(&["providers", "check", package.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "{}:1:1: error: the directory is larger",
            package.join("schedules.csv").display()
        )),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ------------------------------------------------------------------------------------- test

const CRISIS: &str = "crates/offramp-cli/tests/fixtures/test/crisis.toml";

#[test]
fn test_exits_0_when_every_scenario_passes_and_1_when_one_fails() {
    let o = run(&[
        "test",
        LEAD,
        "--scenarios",
        "tests/scenarios/lead-king-county.toml",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with(" passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );
    // The scenarios beside the program are found without --scenarios.
    let o = run(&["test", CRISIS]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with("1 passed, 1 failed\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn test_finds_each_programs_files_in_a_folder() {
    let o = run(&["test", LEAD, QRT, "--scenarios", "tests/scenarios"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("ok   lead-king-county / ") && out.contains("ok   qrt-hamilton-county / ")
    );
    assert!(!out.contains("cit-memphis"), "{out}");
}

#[test]
fn test_without_scenarios_or_with_a_bad_file_names_the_problem() {
    let o = run(&["test", LEAD]);
    assert_eq!(code(&o), 3);
    assert!(
        stderr(&o).contains("lead-king-county.toml: no scenario file (looked for "),
        "{}",
        stderr(&o)
    );
    let bad = TempFile::new(
        "bad",
        "toml",
        "[[scenario]]\nname = \"x\"\nencounter = '{\"id\": \"JaneDoe\", \"age\": \"JaneDoe\"}'\ndisposition = \"none\"\neligible = []\n",
    );
    let o = run(&["test", LEAD, "--scenarios", &bad.path()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains(":3:14: error: the encounter does not read: age"),
        "{err}"
    );
    assert!(
        !err.lines().next().unwrap_or("").contains("JaneDoe"),
        "{err}"
    );
    let o = run(&["test", LEAD, "--scenarios", "no/such/file.toml"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
}

#[test]
fn test_writes_junit_xml_with_a_failure_per_failed_scenario() {
    let out = TempFile::new("junit", "xml", "");
    let o = run(&["test", CRISIS, "--junit", &out.path()]);
    assert_eq!(code(&o), 1);
    let xml = std::fs::read_to_string(&out.0).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"offramp test\" tests=\"2\" failures=\"1\">"), "{xml}");
    assert!(
        xml.contains("<testsuite name=\"crisis-test\" tests=\"2\" failures=\"1\">"),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
    assert!(
        xml.contains("<failure message=\"disposition: expected deflection, got none\">"),
        "{xml}"
    );
    // Quotes inside the text are escaped.
    assert!(
        xml.contains("expected a reason saying &quot;words no reason says&quot;"),
        "{xml}"
    );
    let o = run(&["test", CRISIS, "--junit", "no/such/folder/j.xml"]);
    assert_eq!(code(&o), 3);
    assert!(
        stderr(&o).contains("--junit no/such/folder/j.xml: cannot write"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn analyze_draws_the_map_in_the_format_asked_for() {
    let known = "tests/analysis/known-findings.toml";
    let svg = TempFile::new("map", "svg", "");
    let o = run(&["analyze", known, "--map", &svg.path()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(svg.path()).unwrap();
    assert!(text.starts_with("<svg"), "{text}");
    assert_eq!(text.matches("id=\"cell-").count(), 36);
    let mermaid = TempFile::new("map", "mmd", "");
    let o = run(&[
        "analyze",
        known,
        "--map",
        &mermaid.path(),
        "--map-format",
        "mermaid",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(mermaid.path())
            .unwrap()
            .contains("flowchart LR")
    );
    let o = run(&["analyze", known, "--map", "no/such/folder/map.svg"]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).starts_with("offramp: --map "), "{}", stderr(&o));
}
