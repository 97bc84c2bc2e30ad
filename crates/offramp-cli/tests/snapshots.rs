//! Snapshot tests of what people read: `offramp check`, `explain`, `route --format table` and
//! `providers check` on the example programs, encounters and directories, and on invalid
//! programs so that diagnostics and their snippets are pinned too.
//!
//! Each snapshot is a transcript: the command as typed from the workspace root, its exit code,
//! standard output and standard error. A wording change shows up as a diff of a `.snap` file
//! under `tests/snapshots/`; DEVELOPERS.md says how to review and accept one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root: every command runs there, with paths relative to it.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs `offramp ARGS` from the workspace root with `input` on standard input and returns the
/// transcript. `shown_input` says where the input came from, for the reader.
fn transcript(args: &[&str], input: Option<(&str, &[u8])>) -> String {
    transcript_in(&root(), args, input)
}

/// [`transcript`], run in the folder `dir`.
fn transcript_in(dir: &Path, args: &[&str], input: Option<(&str, &[u8])>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offramp"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the offramp binary starts");
    let mut stdin = child.stdin.take().unwrap();
    let bytes = input.map(|(_, b)| b.to_vec()).unwrap_or_default();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains([' ', '"', '{']) {
                format!("'{a}'")
            } else {
                (*a).to_string()
            }
        })
        .collect();
    let mut text = format!("$ offramp {}", shown.join(" "));
    if let Some((from, _)) = input {
        text.push_str(&format!(" < {from}"));
    }
    text.push_str(&format!(
        "\nexit: {}\n",
        out.status.code().expect("an exit code, not a signal")
    ));
    for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let s = String::from_utf8(stream.clone()).expect("UTF-8 output");
        if !s.is_empty() {
            text.push_str(&format!("--- {name}\n{s}"));
            if !s.ends_with('\n') {
                text.push('\n');
            }
        }
    }
    // Nothing should name the machine's folders; if something does, the snapshot says so.
    text.replace(&root().display().to_string(), "<root>")
}

/// Sorted paths, relative to the root, of the files in `dir` ending in one of `exts`.
fn files(dir: &str, exts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_str().unwrap()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no files in {dir}");
    out
}

/// The file name without its extension.
fn stem(path: &str) -> &str {
    Path::new(path).file_stem().unwrap().to_str().unwrap()
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

/// One hand-checked case of `tests/scenarios/`: its name, expected disposition and encounter.
struct Case {
    name: String,
    disposition: String,
    encounter: String,
}

/// The program a scenario file is for, and its cases in file order.
fn scenarios(path: &str) -> (String, Vec<Case>) {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let value: toml::Table = toml::from_str(&text).unwrap();
    // The file names its program relative to itself; the examples' are in examples/programs.
    let program = format!(
        "examples/programs/{}",
        std::path::Path::new(value["program"].as_str().expect("a program path"))
            .file_name()
            .expect("a program file name")
            .to_string_lossy()
    );
    let cases = value["scenario"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Case {
            name: s["name"].as_str().unwrap().to_string(),
            disposition: s["disposition"].as_str().unwrap().to_string(),
            encounter: s["encounter"].as_str().unwrap().trim().to_string(),
        })
        .collect();
    (program, cases)
}

/// The example programs with encounters and a provider directory for the same area, as
/// `examples/directories.json` pairs them (program name, directory name), in name order.
fn with_providers() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("examples/directories.json")).unwrap();
    let pairs: serde_json::Value = serde_json::from_str(&text).unwrap();
    let pairs: Vec<(String, String)> = pairs["serves"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(p, d)| (p.clone(), d.as_str().unwrap().to_string()))
        .collect();
    assert!(
        pairs.len() >= 3,
        "examples/directories.json pairs too few programs"
    );
    pairs
}

// ------------------------------------------------------------------------------------ check

#[test]
fn check_example_programs() {
    let programs = files("examples/programs", &["toml", "json"]);
    let mut args = vec!["check"];
    args.extend(programs.iter().map(String::as_str));
    snapshot("check_example_programs", &transcript(&args, None));
}

#[test]
fn check_invalid_programs() {
    for path in files(
        "crates/offramp-cli/tests/fixtures/programs",
        &["toml", "json"],
    ) {
        snapshot(
            &format!("check_invalid_{}", stem(&path)),
            &transcript(&["check", &path], None),
        );
    }
}

// ---------------------------------------------------------------------------------- explain

/// For each program, the first case of each disposition its scenarios show.
#[test]
fn explain_scenarios() {
    for path in files("tests/scenarios", &["toml"]) {
        let (program, cases) = scenarios(&path);
        let mut seen = Vec::new();
        let mut parts = Vec::new();
        for case in &cases {
            if seen.contains(&case.disposition) {
                continue;
            }
            seen.push(case.disposition.clone());
            parts.push(format!(
                "# {}\n{}",
                case.name,
                transcript(&["explain", "-p", &program, &case.encounter], None)
            ));
        }
        snapshot(&format!("explain_{}", stem(&path)), &parts.join("\n"));
    }
}

/// For each program, `explain --trace` on the first case its scenarios decide as `none` (the
/// case a program author most often traces), or its first case.
#[test]
fn explain_trace_scenarios() {
    for path in files("tests/scenarios", &["toml"]) {
        let (program, cases) = scenarios(&path);
        let Some(case) = cases
            .iter()
            .find(|c| c.disposition == "none")
            .or_else(|| cases.first())
        else {
            continue;
        };
        snapshot(
            &format!("explain_trace_{}", stem(&path)),
            &format!(
                "# {}\n{}",
                case.name,
                transcript(
                    &["explain", "--trace", "-p", &program, &case.encounter],
                    None
                )
            ),
        );
    }
}

/// The trace as JSON: its shape is a contract with program authors' tools.
#[test]
fn explain_trace_json() {
    let text =
        std::fs::read_to_string(root().join("examples/encounters/lead-king-county.jsonl")).unwrap();
    let fourth = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .nth(3)
        .unwrap();
    let out = transcript(
        &[
            "explain",
            "--trace",
            "--format",
            "json",
            "-p",
            "examples/programs/lead-king-county.toml",
            fourth,
        ],
        None,
    );
    snapshot("explain_trace_json_lead", &out);
}

/// The first example encounter of each program that has a provider directory, with its
/// partner options.
#[test]
fn explain_with_providers() {
    for (program, directory) in with_providers() {
        let encounters = format!("examples/encounters/{program}.jsonl");
        let text = std::fs::read_to_string(root().join(&encounters)).unwrap();
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap();
        snapshot(
            &format!("explain_providers_{program}"),
            &transcript(
                &[
                    "explain",
                    "-p",
                    &format!("examples/programs/{program}.toml"),
                    "--providers",
                    &format!("examples/providers/{directory}.json"),
                    first,
                ],
                None,
            ),
        );
    }
}

// ------------------------------------------------------------------------------------ route

/// Every case of each program's scenarios, routed as one JSON-lines input.
#[test]
fn route_table_scenarios() {
    for path in files("tests/scenarios", &["toml"]) {
        let (program, cases) = scenarios(&path);
        let input: String = cases.iter().map(|c| format!("{}\n", c.encounter)).collect();
        snapshot(
            &format!("route_table_{}", stem(&path)),
            &transcript(
                &["route", "-p", &program, "--format", "table", "-"],
                Some((&format!("the encounters of {path}"), input.as_bytes())),
            ),
        );
    }
}

/// The example encounters, with and without partner options, and the file of bad lines.
#[test]
fn route_table_examples() {
    for (program, directory) in with_providers() {
        let program_path = format!("examples/programs/{program}.toml");
        let encounters = format!("examples/encounters/{program}.jsonl");
        snapshot(
            &format!("route_table_providers_{program}"),
            &transcript(
                &[
                    "route",
                    "-p",
                    &program_path,
                    "--providers",
                    &format!("examples/providers/{directory}.json"),
                    "--format",
                    "table",
                    &encounters,
                ],
                None,
            ),
        );
    }
    snapshot(
        "route_table_bad_lines",
        &transcript(
            &[
                "route",
                "-p",
                "examples/programs/lead-king-county.toml",
                "--format",
                "table",
                "examples/encounters/bad-lines.jsonl",
            ],
            None,
        ),
    );
}

/// `--format csv`: the example encounters with partner options, and the bad lines reported
/// in place.
#[test]
fn route_csv_examples() {
    for (program, directory) in with_providers() {
        snapshot(
            &format!("route_csv_providers_{program}"),
            &transcript(
                &[
                    "route",
                    "-p",
                    &format!("examples/programs/{program}.toml"),
                    "--providers",
                    &format!("examples/providers/{directory}.json"),
                    "--format",
                    "csv",
                    &format!("examples/encounters/{program}.jsonl"),
                ],
                None,
            ),
        );
    }
    snapshot(
        "route_csv_bad_lines",
        &transcript(
            &[
                "route",
                "-p",
                "examples/programs/lead-king-county.toml",
                "--format",
                "csv",
                "--errors",
                "inline",
                "examples/encounters/bad-lines.jsonl",
            ],
            None,
        ),
    );
}

// -------------------------------------------------------------------------------- providers

#[test]
fn providers_check_examples() {
    for path in files("examples/providers", &["json", "toml"]) {
        snapshot(
            &format!("providers_check_{}", stem(&path)),
            &transcript(&["providers", "check", &path], None),
        );
    }
    let bad = "crates/offramp-cli/tests/fixtures/providers/bad-hours.json";
    snapshot(
        "providers_check_invalid_bad-hours",
        &transcript(&["providers", "check", bad], None),
    );
    // Opening and closing at the same time: warned about, read as never open.
    let empty = "crates/offramp-cli/tests/fixtures/providers/empty-span.json";
    snapshot(
        "providers_check_empty-span",
        &transcript(&["providers", "check", empty], None),
    );
}

// ------------------------------------------------------------- what input cannot do (issue 10)

/// Encounter ids with a newline, an ANSI colour escape, a bidirectional override and a tab:
/// the table shows them escaped, each row on one line.
#[test]
fn route_table_escapes_control_characters() {
    let at = "2026-02-20T10:00:00-08:00";
    let input: String = [
        r"line\nbreak",
        r"\u001b[31mred\u001b[0m",
        r"abc\u202edcba",
        r"tab\tbed",
    ]
    .iter()
    .map(|id| {
        format!(
            "{{\"id\":\"{id}\",\"at\":\"{at}\",\"responder\":\"law_enforcement\",\"needs\":[\"sud\"],\"age\":30}}\n"
        )
    })
    .collect();
    snapshot(
        "route_table_control_characters",
        &transcript(
            &[
                "route",
                "-p",
                "examples/programs/lead-king-county.toml",
                "--format",
                "table",
                "-",
            ],
            Some(("ids with control characters", input.as_bytes())),
        ),
    );
}

/// `--errors inline`: each failed line's error record in its place, in JSON and in a table.
#[test]
fn route_errors_inline() {
    for format in ["json", "table"] {
        snapshot(
            &format!("route_errors_inline_{format}"),
            &transcript(
                &[
                    "route",
                    "-p",
                    "examples/programs/lead-king-county.toml",
                    "--errors",
                    "inline",
                    "--format",
                    format,
                    "examples/encounters/bad-lines.jsonl",
                ],
                None,
            ),
        );
    }
}

/// Lines over `--max-line-bytes` fail alone, each with its number.
#[test]
fn route_line_too_long() {
    snapshot(
        "route_line_too_long",
        &transcript(
            &[
                "route",
                "-p",
                "examples/programs/lead-king-county.toml",
                "--max-line-bytes",
                "200",
                "--format",
                "table",
                "examples/encounters/lead-king-county.jsonl",
            ],
            None,
        ),
    );
}

/// Mistakes on the command line: exit code 3, the flag named, nothing typed repeated that
/// could be an encounter. A flag's value (a time, a number) is repeated: no flag takes
/// anything about a person. An extra argument is not, since it may be an encounter.
#[test]
fn usage_errors() {
    let harvey = "examples/providers/harvey-il.json";
    let lead = "examples/programs/lead-king-county.toml";
    let cases: [&[&str]; 6] = [
        &["providers", "open", "--at", "tuesday", harvey],
        &["route", "-p", lead, "--max-line-bytes", "none"],
        &["explain", "-p", lead, "Jane Doe, 34, seen at the station"],
        &[
            "explain",
            "-p",
            lead,
            "-",
            r#"{"id":"x","name":"Jane Doe"}"#,
        ],
        &["route", "-p", lead, "-", "Jane Doe, 34"],
        &["route", "-p", lead, r#"{"id":"x","name":"Jane Doe"}"#],
    ];
    let parts: Vec<String> = cases.iter().map(|args| transcript(args, None)).collect();
    snapshot("usage_errors", &parts.join("\n"));
}

// ------------------------------------------------------------------------------------- diff

/// A folder of its own in the system's temporary directory, removed when dropped: `diff` runs
/// there, so that the files it compares have short names in the transcript.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("offramp-snap-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// LEAD as published, and a revision written here: a new version label, the adult age raised
/// to 21, protective custody off, the two pathways swapped, a reason reworded, and the arrest
/// rule laid out differently (which must not show as a change).
fn lead_versions(scratch: &Scratch) {
    let old =
        std::fs::read_to_string(root().join("examples/programs/lead-king-county.toml")).unwrap();
    let oi = old
        .find("[[pathways]]\npathway = \"officer_intervention\"")
        .unwrap();
    let frr_comment = old.find("# 2. Social contact referral").unwrap();
    let (head, pathways) = old.split_at(oi);
    let (first, second) = pathways.split_at(frr_comment - oi);
    let new = format!("{head}{second}\n{first}")
        .replace("version = \"2026.2\"", "version = \"2026.3\"")
        .replace("when = \"age < 18\"", "when = \"age < 21\"")
        .replace("protective_custody = true ", "protective_custody = false")
        .replace(
            "a weapon on scene takes the encounter out of low-level activity",
            "a weapon on scene means the encounter is not low-level activity",
        )
        .replace(
            "and all offenses (\n  nibrs == \"40A\"",
            "and all offenses (nibrs == \"40A\"",
        );
    assert_ne!(old, new);
    scratch.write("lead-2026.2.toml", &old);
    scratch.write("lead-2026.3.toml", &new);
    // The example encounters, and three more: people of 18 to 20 arrested for possession.
    let mut encounters =
        std::fs::read_to_string(root().join("examples/encounters/lead-king-county.jsonl")).unwrap();
    for (i, age) in [18, 19, 20].into_iter().enumerate() {
        encounters.push_str(&format!(
            "{{\"id\":\"young-{i}\",\"at\":\"2026-04-0{}T10:00:00-07:00\",\"responder\":\"law_enforcement\",\"source\":\"on_view\",\"age\":{age},\"history\":[],\"offenses\":[{{\"nibrs\":\"35A\",\"level\":\"misdemeanor\"}}]}}\n",
            i + 1
        ));
    }
    scratch.write("encounters.jsonl", &encounters);
}

#[test]
fn diff_revised_program() {
    let scratch = Scratch::new("diff-revised");
    lead_versions(&scratch);
    let args = [
        "diff",
        "lead-2026.2.toml",
        "lead-2026.3.toml",
        "encounters.jsonl",
    ];
    snapshot("diff_lead_revised", &transcript_in(&scratch.0, &args, None));
    let json = [
        "diff",
        "lead-2026.2.toml",
        "lead-2026.3.toml",
        "encounters.jsonl",
        "--format",
        "json",
    ];
    snapshot(
        "diff_lead_revised_json",
        &transcript_in(&scratch.0, &json, None),
    );
}

/// A program laid out differently (rules re-indented and on one line, `72h` written `3d`) is
/// the same program: nothing is listed, and no decision changes.
#[test]
fn diff_reformatted_program_shows_no_change() {
    let scratch = Scratch::new("diff-reformatted");
    let old =
        std::fs::read_to_string(root().join("examples/programs/qrt-hamilton-county.toml")).unwrap();
    // Only the rules' text is laid out anew: one-line `when = "..."` values.
    let new: String = old
        .replace("\"72h\"", "\"3d\"")
        .lines()
        .map(|line| match line.strip_prefix("when = \"") {
            Some(rule) if !rule.starts_with('"') => format!(
                "when = \"  {}\n",
                rule.replace(" == ", "==").replace(" and ", "   and  ")
            ),
            _ => format!("{line}\n"),
        })
        .collect();
    assert_ne!(old, new);
    scratch.write("qrt.toml", &old);
    scratch.write("qrt-reformatted.toml", &new);
    let encounters =
        std::fs::read_to_string(root().join("examples/encounters/qrt-hamilton-county.jsonl"))
            .unwrap();
    let args = ["diff", "qrt.toml", "qrt-reformatted.toml", "-"];
    snapshot(
        "diff_reformatted",
        &transcript_in(
            &scratch.0,
            &args,
            Some(("qrt-hamilton-county.jsonl", encounters.as_bytes())),
        ),
    );
}

/// Lines that are not encounters are reported by number on standard error (exit code 1) and
/// the others are still compared; an invalid program is exit code 2, a missing file 3.
#[test]
fn diff_errors() {
    let lead = "examples/programs/lead-king-county.toml";
    let harvey = "examples/programs/harvey-pd.toml";
    let cases: [&[&str]; 4] = [
        &["diff", lead, lead, "examples/encounters/bad-lines.jsonl"],
        &[
            "diff",
            lead,
            "crates/offramp-cli/tests/fixtures/programs/syntax.toml",
        ],
        &["diff", lead, harvey, "no-such-file.jsonl"],
        &["diff", "no-such-program.toml", lead],
    ];
    let parts: Vec<String> = cases.iter().map(|args| transcript(args, None)).collect();
    snapshot("diff_errors", &parts.join("\n"));
}

/// A scenario file as the encounters: LEAD's scenarios and two more, people of 19 and 20
/// arrested for possession. The examples of each transition are the scenarios' names.
#[test]
fn diff_over_a_scenario_file() {
    let scratch = Scratch::new("diff-scenarios");
    lead_versions(&scratch);
    let mut scenarios =
        std::fs::read_to_string(root().join("tests/scenarios/lead-king-county.toml")).unwrap();
    for age in [19, 20] {
        scenarios.push_str(&format!(
            "\n[[scenario]]\nname = \"a {age}-year-old arrested for possession\"\nencounter = '{{\"id\": \"young-{age}\", \"at\": \"2026-04-01T10:00:00-07:00\", \"responder\": \"law_enforcement\", \"source\": \"on_view\", \"age\": {age}, \"history\": [], \"offenses\": [{{\"nibrs\": \"35A\", \"level\": \"misdemeanor\"}}]}}'\ndisposition = \"pre_arrest_diversion\"\neligible = [\"officer_intervention\"]\n"
        ));
    }
    scratch.write("lead.scenarios.toml", &scenarios);
    let args = [
        "diff",
        "lead-2026.2.toml",
        "lead-2026.3.toml",
        "lead.scenarios.toml",
    ];
    let json = [&args[..], &["--format", "json"]].concat();
    // A scenario file that does not read is reported as `offramp test` reports it.
    scratch.write(
        "bad.toml",
        "[[scenario]]\nname = \"x\"\nencounter = '{\"id\": \"JaneDoe\", \"age\": \"JaneDoe\"}'\ndisposition = \"none\"\neligible = []\n",
    );
    let bad = ["diff", "lead-2026.2.toml", "lead-2026.3.toml", "bad.toml"];
    let missing = ["diff", "lead-2026.2.toml", "lead-2026.3.toml", "none.toml"];
    let parts: Vec<String> = [&args[..], &json, &bad, &missing]
        .iter()
        .map(|a| transcript_in(&scratch.0, a, None))
        .collect();
    snapshot("diff_scenarios", &parts.join("\n"));
}

// ------------------------------------------------------------------------------------- test

/// A passing run over an example program's scenarios.
#[test]
fn test_passing() {
    snapshot(
        "test_passing",
        &transcript(
            &[
                "test",
                "examples/programs/cit-memphis.toml",
                "--scenarios",
                "tests/scenarios/cit-memphis.toml",
            ],
            None,
        ),
    );
}

/// A failing run: expected against actual, and the decision's reasons.
#[test]
fn test_failing() {
    snapshot(
        "test_failing",
        &transcript(
            &["test", "crates/offramp-cli/tests/fixtures/test/crisis.toml"],
            None,
        ),
    );
}

// ---------------------------------------------------------------------------------- analyze

/// The report on a program written with known gaps, overlaps and dead rules, as text and as
/// JSON; and two programs taken together, one with an exclusion that empties its pathway.
#[test]
fn analyze_known_findings() {
    let known = "tests/analysis/known-findings.toml";
    let emptied = "tests/analysis/emptied.toml";
    let parts = [
        transcript(&["analyze", known], None),
        transcript(&["analyze", known, emptied], None),
    ];
    snapshot("analyze_known_findings", &parts.join("\n"));
    snapshot(
        "analyze_known_findings_json",
        &transcript(&["analyze", emptied, "--format", "json"], None),
    );
}

/// With encounters, each gap counts those that fall in it; lines that are not encounters are
/// reported by number (exit code 1) and the rest are counted. An invalid program is 2, a file
/// that cannot be read 3, `--map-format` without `--map` a usage error.
#[test]
fn analyze_with_encounters_and_errors() {
    let lead = "examples/programs/lead-king-county.toml";
    let cases: [&[&str]; 5] = [
        &[
            "analyze",
            lead,
            "--encounters",
            "examples/encounters/lead-king-county.jsonl",
        ],
        &[
            "analyze",
            "tests/analysis/emptied.toml",
            "--encounters",
            "examples/encounters/bad-lines.jsonl",
        ],
        &[
            "analyze",
            "crates/offramp-cli/tests/fixtures/programs/syntax.toml",
        ],
        &["analyze", lead, "--encounters", "no-such-file.jsonl"],
        &["analyze", lead, "--map-format", "html"],
    ];
    let parts: Vec<String> = cases.iter().map(|args| transcript(args, None)).collect();
    snapshot("analyze_encounters_and_errors", &parts.join("\n"));
}

/// `offramp simulate` prints the one-page report: every outcome with and without the program
/// and the difference with its 95% interval, re-arrest, the funnel and unmet demand. (Only
/// standard output: standard error carries the run's time.) The same text is `report.txt`.
#[test]
fn simulate_report() {
    let out = std::env::temp_dir().join(format!("offramp-sim-report-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_offramp"))
        .args([
            "simulate",
            "crates/offramp-cli/tests/fixtures/sim/qrt-short.toml",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        text,
        std::fs::read_to_string(out.join("report.txt")).unwrap()
    );
    snapshot("simulate_report", &text);
}
