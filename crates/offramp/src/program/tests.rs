use super::*;

const GOOD: &str = r#"
[program]
id = "demo"
jurisdiction = "Example County"
timezone = "America/Chicago"

[charge_hold]
term = "90d"

[attributes.prior]
type = "int"

[attributes.group]
type = "text"
reporting_only = true

[[exclusions]]
id = "violent"
when = "any offenses (violent)"

[[pathways]]
pathway = "officer_intervention"
[[pathways.rules]]
id = "possession"
when = "any offenses (drug) and attributes.prior == 0"
"#;

fn errors(text: &str) -> Vec<Diagnostic> {
    match Program::from_toml(text, "p.toml") {
        Ok(_) => panic!("should be refused"),
        Err(e) => e.diagnostics().to_vec(),
    }
}

#[test]
fn loads_a_good_program() {
    let p = Program::from_toml(GOOD, "p.toml").unwrap();
    assert_eq!(p.rule_count(), 2);
    assert_eq!(
        p.pathways().collect::<Vec<_>>(),
        vec![Pathway::OfficerIntervention]
    );
    // Officer intervention holds charges by default when the program has a term.
    assert!(p.pathways[0].charge_hold);
    // Formatting does not change the hash; content does.
    let reformatted = GOOD.replace(
        "when = \"any offenses (violent)\"",
        "when = \"any   offenses ( violent ) # comment\"",
    );
    assert_eq!(
        Program::from_toml(&reformatted, "q.toml").unwrap().hash(),
        p.hash()
    );
    let changed = GOOD.replace("== 0", "== 1");
    assert_ne!(
        Program::from_toml(&changed, "q.toml").unwrap().hash(),
        p.hash()
    );
}

#[test]
fn rule_errors_point_at_the_file() {
    let text = GOOD.replace(
        "attributes.prior == 0",
        "attributes.prior == 0 and responder == law_enforcment",
    );
    let d = errors(&text);
    assert_eq!(d.len(), 1);
    let line = text
        .lines()
        .position(|l| l.contains("law_enforcment"))
        .unwrap()
        + 1;
    assert_eq!(d[0].line, line);
    let col = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("law_enforcment")
        .unwrap()
        + 1;
    assert_eq!(d[0].column, col);
    assert_eq!(
        d[0].help.as_deref(),
        Some("did you mean `law_enforcement`?")
    );
    assert!(
        d[0].to_string()
            .starts_with(&format!("p.toml:{line}:{col}: "))
    );
}

#[test]
fn every_error_is_reported() {
    let text = GOOD
        .replace("America/Chicago", "America/Chicgo")
        .replace("any offenses (violent)", "any offenses (violnt)")
        .replace("attributes.prior == 0", "attributes.group == \\\"x\\\"");
    let d = errors(&text);
    assert_eq!(d.len(), 3, "{d:?}");
    assert!(
        d.iter()
            .any(|x| x.help.as_deref() == Some("did you mean `America/Chicago`?"))
    );
    assert!(d.iter().any(|x| x.message.contains("reporting_only")));
    assert!(
        d.iter()
            .any(|x| x.help.as_deref() == Some("did you mean `violent`?"))
    );
    // Sorted by position in the file.
    assert!(d.windows(2).all(|w| w[0].span.start <= w[1].span.start));
}

#[test]
fn race_and_ethnicity_are_always_protected() {
    let text = GOOD
        .replace("[attributes.group]", "[attributes.Race]")
        .replace("attributes.prior == 0", "attributes.Race == 1");
    assert!(errors(&text)[0].message.contains("protected"));
}

#[test]
fn officer_intervention_is_for_police_only() {
    let text = GOOD.replace(
        "pathway = \"officer_intervention\"",
        "pathway = \"officer_intervention\"\nresponders = [\"law_enforcement\", \"fire\"]",
    );
    let d = errors(&text);
    assert!(d[0].message.contains("law enforcement only"), "{d:?}");
    let text = GOOD.replace(
        "any offenses (drug) and",
        "responder in [law_enforcement, ems] and",
    );
    let d = errors(&text);
    assert!(
        d[0].message.contains("admits non-police responders (ems)"),
        "{d:?}"
    );
    // Requiring police is fine.
    let text = GOOD.replace(
        "any offenses (drug) and",
        "responder == law_enforcement and",
    );
    assert!(Program::from_toml(&text, "p.toml").is_ok());
}

#[test]
fn structural_errors() {
    // Unknown keys are refused with their place.
    let d = errors(&GOOD.replace("jurisdiction =", "jurisdicton ="));
    assert!(d[0].message.contains("jurisdicton"), "{d:?}");
    assert_eq!(d[0].line, 4);
    // Duplicate pathways and rule ids, missing rules, bad durations.
    let dup = format!(
        "{GOOD}\n[[pathways]]\npathway = \"officer_intervention\"\n[[pathways.rules]]\nid = \"possession\"\nwhen = \"true\"\n"
    );
    let d = errors(&dup);
    assert!(d.iter().any(|x| x.message.contains("listed twice")));
    assert!(d.iter().any(|x| x.message.contains("used twice")));
    let d = errors(&GOOD.replace("term = \"90d\"", "term = \"90 days\""));
    assert!(d[0].message.contains("charge_hold.term"));
    let d = errors(
        &GOOD.replace("[charge_hold]\nterm = \"90d\"\n", "").replace(
            "pathway = \"officer_intervention\"",
            "pathway = \"officer_intervention\"\ncharge_hold = true",
        ),
    );
    assert!(d[0].message.contains("no `[charge_hold]` term"), "{d:?}");
    let d = errors(&GOOD.replace("type = \"int\"", "type = \"enum\""));
    assert!(d.iter().any(|x| x.message.contains("lists no `values`")));
}

#[test]
fn json_programs_load_and_report_positions() {
    let p = Program::from_toml(GOOD, "p.toml").unwrap();
    let json = p.to_json().unwrap();
    let q = Program::from_json(&json, "p.json").unwrap();
    assert_eq!(q.hash(), p.hash());
    let bad = json.replace("any offenses (drug)", "any offenses (drugg)");
    let d = match Program::from_json(&bad, "p.json") {
        Err(e) => e.diagnostics().to_vec(),
        Ok(_) => panic!("should fail"),
    };
    let line = bad.lines().position(|l| l.contains("drugg")).unwrap() + 1;
    assert_eq!(d[0].line, line);
    assert!(d[0].help.as_deref().unwrap_or_default().contains("drug"));
    let d = match Program::from_json("{\"program\": 3}", "p.json") {
        Err(e) => e.diagnostics().to_vec(),
        Ok(_) => panic!("should fail"),
    };
    assert_eq!(d[0].line, 1);
}

#[test]
fn render_shows_a_snippet() {
    let text = GOOD.replace("any offenses (violent)", "any offenses (violnt)");
    let err = Program::from_toml(&text, "p.toml").unwrap_err();
    let out = err.render();
    assert!(out.starts_with("p.toml:19:"), "{out}");
    assert!(out.contains("any offenses (violnt)"), "{out}");
    assert!(out.contains("did you mean `violent`?"), "{out}");
}

#[test]
fn io_errors_name_the_path() {
    let err = Program::from_file("/nonexistent/p.toml").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/p.toml: cannot read")
    );
}

#[test]
fn positions_come_from_the_parser_not_from_searching() {
    // The same id twice: the second one is the one at fault.
    let text = GOOD.replace(
        "[[pathways]]",
        "[[exclusions]]\nid = \"violent\"\nwhen = \"true\"\n\n[[pathways]]",
    );
    let d = errors(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].message.contains("used twice"), "{d:?}");
    let second = text.match_indices("\"violent\"").nth(1).unwrap().0;
    assert_eq!(d[0].span.start, second + 1, "{d:?}");
    assert_eq!(d[0].path.as_deref(), Some("exclusions[1].id"));
    assert_eq!(d[0].code, "offramp::program");
}

#[test]
fn specs_built_in_code_name_the_key_path() {
    let mut spec = Program::from_toml(GOOD, "p.toml").unwrap().spec().clone();
    spec.pathways[0].rules[0].when = "any offenses (drugg)".into();
    spec.program.timezone = "Mars/Olympus".into();
    let err = Program::from_spec(spec).unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d.iter().all(|x| x.line == 0 && x.file == "<program>"));
    let paths: Vec<&str> = d.iter().filter_map(|x| x.path.as_deref()).collect();
    assert_eq!(paths, ["program.timezone", "pathways[0].rules[0].when"]);
    assert!(
        err.to_string()
            .contains("<program>: pathways[0].rules[0].when: in rule `possession`:"),
        "{err}"
    );
    assert!(
        err.render()
            .starts_with("<program>: error: program.timezone: "),
        "{}",
        err.render()
    );
}

/// A program whose one pathway has the given rules, as TOML.
fn program_with_rules(rules: &[String]) -> String {
    let mut text = String::from(
        "[program]\nid = \"p\"\njurisdiction = \"X\"\ntimezone = \"UTC\"\n\n[charge_hold]\nterm = \"90d\"\n\n[[pathways]]\npathway = \"self_referral\"\n",
    );
    for (i, when) in rules.iter().enumerate() {
        text.push_str(&format!(
            "[[pathways.rules]]\nid = \"r{i}\"\nwhen = \"{when}\"\n"
        ));
    }
    text
}

/// Issue 10: a flat rule of 10,000 `or` overflowed the stack in TOML and JSON loading.
#[test]
fn flat_rules_of_any_length_load() {
    let ors = vec!["age > 1"; 10_000].join(" or ");
    let ands = vec!["age > 1"; 50_000].join(" and ");
    let text = program_with_rules(&[ors.clone(), ands]);
    let p = Program::from_toml(&text, "p.toml").unwrap();
    assert_eq!(p.rule_count(), 2);
    let json = p.to_json().unwrap();
    assert_eq!(
        Program::from_json(&json, "p.json").unwrap().hash(),
        p.hash()
    );
    // An error at the end of a long rule is placed on its line and column.
    let bad = program_with_rules(&[format!("{ors} or agee > 1")]);
    let d = errors(&bad);
    assert_eq!(d.len(), 1, "{d:?}");
    let line = bad.lines().position(|l| l.contains("agee")).unwrap() + 1;
    let column = bad.lines().nth(line - 1).unwrap().find("agee").unwrap() + 1;
    assert_eq!((d[0].line, d[0].column), (line, column));
}

/// Issue 10: a term too long for the calendar passed the check and was then dropped from
/// every decision.
#[test]
fn terms_and_windows_that_do_not_fit_are_refused_where_they_are() {
    for (from, to, key) in [
        (
            "term = \"90d\"",
            "term = \"99999999999d\"",
            "charge_hold.term",
        ),
        ("term = \"90d\"", "term = \"36601d\"", "charge_hold.term"),
        (
            "[charge_hold]",
            "[windows]\nnaloxone_plus = \"99999999999d\"\n\n[charge_hold]",
            "windows.naloxone_plus",
        ),
    ] {
        let text = GOOD.replace(from, to);
        let d = errors(&text);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("at most 36600 days"), "{d:?}");
        assert_eq!(d[0].path.as_deref(), Some(key));
        let line = text
            .lines()
            .position(|l| l.contains("99999") || l.contains("36601"));
        assert_eq!(Some(d[0].line), line.map(|l| l + 1), "{d:?}");
        assert!(d[0].column > 1);
    }
    assert!(Program::from_toml(&GOOD.replace("\"90d\"", "\"36600d\""), "p.toml").is_ok());
}

#[test]
fn rule_count_and_size_have_limits() {
    let mut spec = Program::from_toml(GOOD, "p.toml").unwrap().spec().clone();
    let rule = spec.pathways[0].rules[0].clone();
    spec.pathways[0].rules = vec![rule; MAX_RULES];
    let err = Program::from_spec(spec).unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path.as_deref(), Some("pathways[0].rules[99999]"));
    assert!(
        d[0].message
            .contains("100001 rules and exclusions; at most 100000"),
        "{d:?}"
    );

    let huge = format!("{GOOD}#{}", "x".repeat(MAX_PROGRAM_BYTES));
    let err = Program::from_toml(&huge, "big.toml").unwrap_err();
    assert!(
        err.render()
            .starts_with("big.toml:1:1: error: the program is larger than 32 MiB"),
        "{}",
        err.render()
    );
    let dir = std::env::temp_dir().join(format!("offramp-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.toml");
    std::fs::write(&path, &huge).unwrap();
    let err = Program::from_file(&path).unwrap_err();
    assert!(err.to_string().contains("larger than 32 MiB"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 10: every diagnostic was placed by reading the file from the top, so rejecting many
/// rules took the square of the file's length. Each is still placed where it is.
#[test]
fn many_invalid_rules_are_each_placed() {
    let rules: Vec<String> = (0..2_000).map(|i| format!("agee > {i}")).collect();
    let text = program_with_rules(&rules);
    let d = errors(&text);
    assert_eq!(d.len(), 2_000);
    for (i, x) in d.iter().enumerate() {
        let at = text.find(&format!("agee > {i}\"")).unwrap();
        assert_eq!(
            (x.line, x.column),
            crate::source::line_col(&text, at),
            "{x:?}"
        );
        assert_eq!(x.span.start, at);
    }
    // The same in JSON, written on one line.
    let json = serde_json::to_string(&serde_json::json!({
        "program": {"id": "p", "jurisdiction": "X", "timezone": "UTC"},
        "pathways": [{"pathway": "self_referral", "rules": (0..500)
            .map(|i| serde_json::json!({"id": format!("r{i}"), "when": format!("agee > {i}")}))
            .collect::<Vec<_>>()}]
    }))
    .unwrap();
    let err = Program::from_json(&json, "p.json").unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 500);
    for (i, x) in d.iter().enumerate() {
        let at = json.find(&format!("agee > {i}\"")).unwrap();
        assert_eq!((x.line, x.column), (1, at + 1), "{x:?}");
    }
    // A line too long to show is reported without a snippet.
    let out = err.render();
    assert!(out.starts_with("p.json:1:"), "{out}");
    assert!(!out.contains("╭─["), "{out}");
}

#[test]
fn a_rule_lists_at_most_twenty_errors() {
    let text = program_with_rules(&[vec!["agee > 1"; 30].join(" or ")]);
    let d = errors(&text);
    assert_eq!(d.len(), MAX_ERRORS_PER_RULE + 1, "{d:?}");
    assert!(
        d[MAX_ERRORS_PER_RULE]
            .message
            .contains("10 more errors not shown"),
        "{d:?}"
    );
}

#[test]
fn protected_attributes_may_be_declared_but_not_read() {
    let text = GOOD.replace("[attributes.group]", "[attributes.RaceCode]");
    assert!(Program::from_toml(&text, "p.toml").is_ok());
    let text = text.replace("attributes.prior == 0", "attributes.RaceCode == \\\"x\\\"");
    let d = errors(&text);
    assert!(d[0].message.contains("it names race"), "{d:?}");
    assert!(
        d[0].message.contains("protected by US civil-rights law"),
        "{d:?}"
    );
    // Undeclared, it is refused for what it names too, not as unknown.
    let text = GOOD.replace(
        "attributes.prior == 0",
        "attributes.ethnic_group == \\\"x\\\"",
    );
    assert!(errors(&text)[0].message.contains("ethnicity"));
}

#[test]
fn an_ended_program_says_so_in_every_decision() {
    let ended = GOOD.replace(
        "timezone = \"America/Chicago\"",
        "timezone = \"America/Chicago\"\nstatus = \"ended\"\nended = \"2021-10-31\"",
    );
    let p = Program::from_toml(&ended, "p.toml").unwrap();
    assert_eq!(
        p.ended(),
        chrono::NaiveDate::from_ymd_opt(2021, 10, 31),
        "the end day is kept"
    );
    // The canonical text keeps the status, so the hash tells an ended program from a running one.
    let running = Program::from_toml(GOOD, "p.toml").unwrap();
    assert_eq!(running.ended(), None);
    assert_ne!(p.hash(), running.hash());
    let enc = crate::Encounter::from_json(
        r#"{"id":"e","at":"2026-03-02T14:05:00-06:00","responder":"law_enforcement"}"#,
    )
    .unwrap();
    let d = crate::Router::new(p).route(&enc);
    let w: Vec<_> = d
        .warnings
        .iter()
        .filter(|w| w.code == crate::WarningCode::ProgramEnded)
        .collect();
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("2021-10-31"), "{}", w[0].message);
    let d = crate::Router::new(running).route(&enc);
    assert!(
        d.warnings
            .iter()
            .all(|w| w.code != crate::WarningCode::ProgramEnded)
    );
}

#[test]
fn a_program_is_never_half_ended() {
    let with = |extra: &str| {
        GOOD.replace(
            "timezone = \"America/Chicago\"",
            &format!("timezone = \"America/Chicago\"\n{extra}"),
        )
    };
    let e = errors(&with("status = \"ended\""));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].message.contains("needs the day it ended"),
        "{}",
        e[0].message
    );
    assert_eq!(e[0].line, 6, "placed on `status`");
    let e = errors(&with("ended = \"2021-10-31\""));
    assert!(
        e[0].message.contains("`status` is not `ended`"),
        "{}",
        e[0].message
    );
    let e = errors(&with("status = \"ended\"\nended = \"October 2021\""));
    assert!(e[0].message.contains("is not a date"), "{}", e[0].message);
    let e = errors(&with("status = \"ended\"\nended = \"1850-01-01\""));
    assert!(e[0].message.contains("1900-01-01"), "{}", e[0].message);
    let e = errors(&with("status = \"paused\""));
    assert!(e[0].message.contains("active"), "{}", e[0].message);
    assert!(Program::from_toml(&with("status = \"active\""), "p.toml").is_ok());
}

/// Issue 12: a rule, exclusion or amnesty with a clause that is the same for every encounter
/// loads with a warning naming its key path and whether it is always true or always false.
#[test]
fn constant_rules_are_warned_about() {
    let program = |rule: &str| {
        let text = format!(
            "[program]\nid = \"demo\"\njurisdiction = \"Example County\"\ntimezone = \"America/Chicago\"\n\n[law]\ngood_samaritan = false\n\n[[pathways]]\npathway = \"first_responder_referral\"\n[[pathways.rules]]\nid = \"r\"\nwhen = \"{rule}\"\n\n[[exclusions]]\nid = \"x\"\nwhen = \"flags has weapon\"\n"
        );
        Program::from_toml(&text, "p.toml").unwrap()
    };
    let p = program("age >= 18 and law.good_samaritan");
    let w = p.warnings();
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].message,
        "pathways[0].rules[0].when: rule `r` is always false: `law.good_samaritan` is false for every encounter, so it never admits anyone"
    );
    assert_eq!(w[0].path.as_deref(), Some("pathways[0].rules[0].when"));
    assert_eq!((w[0].line, w[0].column), (13, 23), "placed on the clause");
    // `true` written alone is how a pathway admits everyone: meant, so not warned about; a
    // rule that only folds to true is.
    assert!(program("true").warnings().is_empty());
    let w = program("not false").warnings().to_vec();
    assert!(
        w[0].message
            .contains("rule `r` is always true: `not false` holds for every encounter"),
        "{}",
        w[0].message
    );
    let w = program("age >= 18 and window.naloxone_plus > 0h")
        .warnings()
        .to_vec();
    assert!(
        w[0].message.ends_with(
            "in rule `r`, `window.naloxone_plus > 0h` is always true, so it decides nothing"
        ),
        "{}",
        w[0].message
    );
    assert!(program("age >= 18").warnings().is_empty());
    // Exclusions and amnesties too.
    let text = "[program]\nid = \"demo\"\njurisdiction = \"Example County\"\ntimezone = \"America/Chicago\"\n[[pathways]]\npathway = \"first_responder_referral\"\n[[pathways.rules]]\nid = \"r\"\nwhen = \"age >= 18\"\n[[pathways.exclusions]]\nid = \"x\"\nwhen = \"not false\"\n[[amnesty]]\nid = \"a\"\nwhen = \"1 == 2\"\n";
    let p = Program::from_toml(text, "p.toml").unwrap();
    let messages: Vec<&str> = p.warnings().iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "pathways[0].exclusions[0].when: exclusion `x` is always true: `not false` holds for every encounter, so it excludes every encounter",
            "amnesty[0].when: amnesty `a` is always false: `1 == 2` is false for every encounter, so it never applies",
        ]
    );
}
