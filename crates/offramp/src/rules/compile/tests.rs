use super::*;
use crate::rules::parse;

fn env() -> Env {
    Env {
        attrs: vec![
            AttrInfo {
                name: "prior_referrals".into(),
                kind: AttrKind::Int,
                values: vec![],
                reporting_only: false,
                protected: None,
            },
            AttrInfo {
                name: "screening".into(),
                kind: AttrKind::Enum,
                values: vec!["low".into(), "moderate".into(), "high".into()],
                reporting_only: false,
                protected: None,
            },
            AttrInfo {
                name: "group".into(),
                kind: AttrKind::Text,
                values: vec![],
                reporting_only: true,
                protected: None,
            },
        ],
        law: [
            ("good_samaritan", true),
            ("citation_authority", false),
            ("protective_custody", false),
            ("emergency_mental_health_hold", false),
        ],
        naloxone_window: 72 * 3600,
        charge_hold_term: None,
    }
}

fn check(src: &str) -> Result<Compiled, Vec<ParseError>> {
    compile(&parse(src).map_err(|e| vec![e])?, &env()).map(|o| o.compiled)
}

fn enc(json: &str) -> Encounter {
    Encounter::from_json(json).unwrap()
}

const E: &str = r#"{"id":"t","at":"2026-03-02T14:05:00-08:00","responder":"law_enforcement","source":"call_for_service","needs":["sud","opioid_use"],"overdose":{"at":"2026-03-01T22:00:00-08:00","naloxone":true},"offenses":[{"nibrs":"35A","level":"misdemeanor","violent":false}],"flags":["active_warrant"],"age":34,"attributes":{"prior_referrals":2,"screening":"moderate"}}"#;

fn truth(src: &str) -> Tri {
    let c = check(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    eval_rule(&c, &enc(E), &env())
}

#[test]
fn evaluates() {
    assert_eq!(truth("responder == law_enforcement"), Tri::True);
    assert_eq!(truth("law_enforcement == responder"), Tri::True);
    assert_eq!(truth("responder in [fire, ems]"), Tri::False);
    assert_eq!(
        truth("needs has opioid_use and not (needs has sex_work)"),
        Tri::True
    );
    assert_eq!(truth("needs has all [sud, homelessness]"), Tri::False);
    assert_eq!(
        truth("since overdose.at <= window.naloxone_plus"),
        Tri::True
    );
    assert_eq!(truth("since overdose.at <= 16h"), Tri::False);
    assert_eq!(truth("since overdose.at <= 16h5m"), Tri::True);
    assert_eq!(
        truth("any offenses (nibrs in [\"35A\", \"35B\"] and level < felony)"),
        Tri::True
    );
    assert_eq!(truth("all offenses (drug)"), Tri::True);
    assert_eq!(truth("count offenses (violent) == 0"), Tri::True);
    assert_eq!(truth("count offenses == 1"), Tri::True);
    assert_eq!(truth("attributes.prior_referrals < 3"), Tri::True);
    assert_eq!(truth("attr.screening >= moderate"), Tri::True);
    assert_eq!(truth("language == \"eng\""), Tri::Unknown);
    assert_eq!(truth("language is unknown"), Tri::True);
    assert_eq!(truth("language == \"eng\" or age > 30"), Tri::True);
    assert_eq!(truth("language == \"eng\" and age > 40"), Tri::False);
    assert_eq!(truth("law.good_samaritan and intercept == 1"), Tri::True);
    assert_eq!(truth("overdose is known and overdose.naloxone"), Tri::True);
    assert_eq!(truth("age >= 18.5"), Tri::True);
}

#[test]
fn explains_the_deciding_clause() {
    let c = check("age >= 18 and since overdose.at <= 1h and language == \"spa\"").unwrap();
    let e = enc(E);
    let env = env();
    let ctx = Ctx::new(
        &e,
        &env.attrs,
        e.derived_intercept(),
        chrono_tz::Tz::UTC,
        &[],
    );
    let (t, part) = c.evaluate(&ctx);
    assert_eq!(t, Tri::False);
    assert_eq!(&*part.unwrap().clause, "since overdose.at <= 1h");
    let c = check("age >= 18 and language == \"spa\"").unwrap();
    let (t, part) = c.evaluate(&ctx);
    assert_eq!(t, Tri::Unknown);
    assert_eq!(&*part.unwrap().reads, "`language`");
}

#[test]
fn language_literals_are_read_like_the_encounter_field() {
    let spanish = enc(&E.replace("\"id\"", "\"language\":\"es\",\"id\""));
    assert_eq!(spanish.language.map(Language::as_str), Some("spa"));
    let env = env();
    for rule in [
        "language == \"spa\"",
        "language == \"es\"",
        "\"Spanish\" == language",
        "language in [\"fre\", \"ES\"]",
    ] {
        let c = check(rule).unwrap_or_else(|e| panic!("{rule}: {e:?}"));
        assert_eq!(eval_rule(&c, &spanish, &env), Tri::True, "{rule}");
    }
    let e = first_error("language == \"Elvish\"");
    assert!(e.message.contains("not a language"), "{}", e.message);
}

fn first_error(src: &str) -> ParseError {
    check(src)
        .err()
        .unwrap_or_else(|| panic!("{src} should fail"))
        .remove(0)
}

#[test]
fn refuses_with_suggestions() {
    let e = first_error("responder == law_enforcment");
    assert!(e.help.unwrap().contains("law_enforcement"));
    let e = first_error("agee >= 18");
    assert!(e.help.as_deref().unwrap().contains("`age`"), "{e:?}");
    let e = first_error("any offenses (nibrs == \"35C\")");
    assert!(e.message.contains("NIBRS"));
    let e = first_error("attributes.race == \"x\"");
    assert!(e.message.contains("protected"));
    let e = first_error("attributes.group == \"x\"");
    assert!(e.message.contains("reporting_only"));
    let e = first_error("attributes.prior_referals > 1");
    assert!(e.help.unwrap().contains("prior_referrals"));
    assert!(
        first_error("level == felony")
            .message
            .contains("only available inside")
    );
    assert!(
        first_error("age == \"x\"")
            .message
            .contains("cannot compare")
    );
    assert!(first_error("needs > 3").message.contains("cannot compare"));
    assert!(first_error("needs").help.unwrap().contains("has"));
    assert!(
        first_error("responder < fire")
            .message
            .contains("cannot be used")
    );
    assert!(
        first_error("overdose.at < 3h")
            .help
            .unwrap()
            .contains("since")
    );
    assert!(
        first_error("charge_hold.term > 1d")
            .message
            .contains("charge_hold")
    );
    assert!(
        first_error("needs is known")
            .message
            .contains("always known")
    );
    assert!(
        first_error("any offenses (any offenses (violent))")
            .message
            .contains("nested")
    );
    // Every error is reported, not just the first.
    assert_eq!(
        check("agee > 1 and responder == fier").err().unwrap().len(),
        2
    );
}

#[test]
fn responder_analysis() {
    let c = check("responder == law_enforcement and needs has sud").unwrap();
    assert!(c.may_admit_responder(Responder::LawEnforcement));
    assert!(!c.may_admit_responder(Responder::Fire));
    let c = check("responder in [law_enforcement, fire] or age > 3").unwrap();
    assert!(c.may_admit_responder(Responder::Fire));
    let c = check("needs has sud").unwrap();
    assert!(c.may_admit_responder(Responder::Fire));
}

/// Issue 10: checking, compiling and evaluating a long chain recursed once per operand.
#[test]
fn long_chains_compile_and_evaluate_without_recursion() {
    let ors = vec!["age > 100"; 10_000].join(" or ") + " or age > 30";
    let c = check(&ors).unwrap();
    assert_eq!(c.parts.len(), 1);
    assert!(matches!(&c.parts[0].node, Node::Or(items) if items.len() == 10_001));
    assert_eq!(eval_rule(&c, &enc(E), &env()), Tri::True);
    let ands = vec!["age > 1"; 50_000].join(" and ");
    let c = check(&ands).unwrap();
    assert_eq!(c.parts.len(), 50_000);
    assert_eq!(eval_rule(&c, &enc(E), &env()), Tri::True);
    assert!(c.may_admit_responder(Responder::Fire));
    // A chain inside parentheses inside a chain is flattened into the same node.
    let c = check("age > 100 or (age > 200 or age > 30)").unwrap();
    assert!(matches!(&c.parts[0].node, Node::Or(items) if items.len() == 3));
    // Every operand of a chain is checked.
    let errors = check(&vec!["agee > 1"; 100].join(" or ")).err().unwrap();
    assert_eq!(errors.len(), 100);
}

#[test]
fn protected_attributes_are_refused_by_meaning_with_the_reason() {
    for (name, class) in [
        ("race_code", "race"),
        ("RaceCode", "race"),
        ("racial_group", "race"),
        ("ethnic_group", "ethnicity (Hispanic or Latino origin)"),
        ("hispanic", "ethnicity (Hispanic or Latino origin)"),
        ("immigration_status", "citizenship or immigration status"),
        ("religion", "religion"),
        ("is_pregnant", "pregnancy"),
    ] {
        let e = first_error(&format!("attributes.{name} == \"x\""));
        assert!(
            e.message.contains(&format!(
                "`{name}`: it names {class}, a class protected by US civil-rights law"
            )),
            "{name}: {}",
            e.message
        );
    }
    // A reporting-only attribute says so.
    let e = first_error("attributes.group == \"x\"");
    assert!(e.message.contains("reporting_only"), "{}", e.message);
    // Age and ordinary attributes stay readable.
    assert!(check("age >= 18 and attributes.prior_referrals < 3").is_ok());
}

/// Evaluates `src` for `e` with `at.*` read in `tz`.
fn truth_in(src: &str, e: &Encounter, tz: chrono_tz::Tz) -> Tri {
    let c = check(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    let env = env();
    let ctx = Ctx::new(e, &env.attrs, e.derived_intercept(), tz, &[]);
    c.evaluate(&ctx).0
}

#[test]
fn the_time_of_day_is_read_in_the_programs_time_zone() {
    // 14:05 on Monday 2 March 2026 in Seattle is 22:05 the same day in UTC and 07:05 on
    // Tuesday in Tokyo.
    let e = enc(E);
    let seattle = chrono_tz::America::Los_Angeles;
    assert_eq!(
        truth_in("at.hour == 14 and at.minute == 5", &e, seattle),
        Tri::True
    );
    assert_eq!(truth_in("at.hour == 22", &e, chrono_tz::Tz::UTC), Tri::True);
    assert_eq!(truth_in("at.weekday == monday", &e, seattle), Tri::True);
    assert_eq!(
        truth_in("at.weekday == tuesday", &e, chrono_tz::Asia::Tokyo),
        Tri::True
    );
    assert_eq!(
        truth_in("at.weekday in [saturday, sunday]", &e, seattle),
        Tri::False
    );
    assert_eq!(
        truth_in("at.date == \"2026-03-02\"", &e, seattle),
        Tri::True
    );
    assert_eq!(
        truth_in("at.date >= \"2026-03-03\"", &e, chrono_tz::Asia::Tokyo),
        Tri::True
    );
    assert_eq!(
        truth_in("at.date in [\"2026-03-01\", \"2026-03-02\"]", &e, seattle),
        Tri::True
    );
    // A co-responder shift from 08:00 to 18:00.
    let shift = "at.time >= \"08:00\" and at.time < \"18:00\"";
    assert_eq!(truth_in(shift, &e, seattle), Tri::True);
    assert_eq!(truth_in(shift, &e, chrono_tz::Tz::UTC), Tri::False);
    assert_eq!(truth_in("at.time == \"14:05:00\"", &e, seattle), Tri::True);
}

#[test]
fn dates_and_times_of_day_are_checked_when_the_rule_loads() {
    let e = first_error("at.date == \"2026-02-30\"");
    assert_eq!(e.message, "`2026-02-30` is not a date");
    assert!(e.help.unwrap().contains("YYYY-MM-DD"));
    let e = first_error("at.time < \"25:00\"");
    assert_eq!(e.message, "`25:00` is not a time of day");
    let e = first_error("at.weekday == caturday");
    assert!(e.message.contains("not a weekday"), "{}", e.message);
    let e = first_error("at.hour == \"8\"");
    assert!(e.message.contains("cannot compare"), "{}", e.message);
    let e = first_error("at.weekday < friday");
    assert!(e.message.contains("cannot be used"), "{}", e.message);
    let e = first_error("at.time is known");
    assert!(e.message.contains("always known"), "{}", e.message);
}

#[test]
fn willing_is_three_valued_and_apart_from_consent() {
    let with = |w: &str| enc(&E.replace("\"id\"", &format!("\"willing\":\"{w}\",\"id\"")));
    let env = env();
    let c = check("willing == no").unwrap();
    assert_eq!(eval_rule(&c, &with("no"), &env), Tri::True);
    assert_eq!(eval_rule(&c, &with("yes"), &env), Tri::False);
    // `unknown` on the encounter is not recorded, like an absent value.
    assert_eq!(eval_rule(&c, &with("unknown"), &env), Tri::Unknown);
    assert_eq!(eval_rule(&c, &enc(E), &env), Tri::Unknown);
    let c = check("willing is unknown").unwrap();
    assert_eq!(eval_rule(&c, &with("unknown"), &env), Tri::True);
    assert_eq!(eval_rule(&c, &with("yes"), &env), Tri::False);
    // Consent is a different field: declining to share records says nothing of willingness.
    let c = check("consent == declined").unwrap();
    assert_eq!(eval_rule(&c, &with("yes"), &env), Tri::Unknown);
    let e = first_error("willing == maybe");
    assert!(e.message.contains("not a willing"), "{}", e.message);
}

#[test]
fn family_requests_are_a_source() {
    let e = enc(&E.replace("call_for_service", "family_request"));
    let c = check("source in [family_request, self_initiated]").unwrap();
    assert_eq!(eval_rule(&c, &e, &env()), Tri::True);
}

#[test]
fn history_is_counted_in_a_look_back_window() {
    // The encounter is on 2 March 2026; a felony conviction in 2019 and a referral 20 days ago.
    let with = |history: &str| enc(&E.replace("\"id\"", &format!("\"history\":{history},\"id\"")));
    let h = with(
        r#"[{"kind":"conviction","date":"2019-05-01","nibrs":"13A","level":"felony"},
            {"kind":"referral","date":"2026-02-10"},
            {"kind":"arrest","date":"2025-12-24","nibrs":"35A"}]"#,
    );
    let env = env();
    let t = |rule: &str, e: &Encounter| {
        let c = check(rule).unwrap_or_else(|err| panic!("{rule}: {err:?}"));
        eval_rule(&c, e, &env)
    };
    let first_time = "count history (kind == conviction and level == felony and within 10y) == 0";
    assert_eq!(t(first_time, &h), Tri::False);
    assert_eq!(
        t(
            "count history (kind == conviction and level == felony and within 5y) == 0",
            &h
        ),
        Tri::True
    );
    assert_eq!(
        t("count history (kind == referral and within 30d) == 1", &h),
        Tri::True
    );
    assert_eq!(
        t("count history (kind == referral and within 2w) == 0", &h),
        Tri::True
    );
    assert_eq!(t("any history (drug and kind == arrest)", &h), Tri::True);
    assert_eq!(t("any history (crime_against == person)", &h), Tri::True);
    assert_eq!(t("count history == 3", &h), Tri::True);
    // An event with no level recorded makes `level == felony` unknown for it, not false.
    assert_eq!(
        t("all history (kind != arrest or level == misdemeanor)", &h),
        Tri::Unknown
    );
    assert_eq!(
        t("any history (kind == arrest and level is unknown)", &h),
        Tri::True
    );
    // An empty history is known to hold nothing; an absent one is not recorded.
    assert_eq!(t(first_time, &with("[]")), Tri::True);
    assert_eq!(t(first_time, &enc(E)), Tri::Unknown);
    assert_eq!(t("count history == 0", &enc(E)), Tri::Unknown);
}

#[test]
fn history_fields_and_within_belong_inside_a_history_quantifier() {
    let e = first_error("kind == arrest");
    assert!(e.message.contains("history event"), "{}", e.message);
    let e = first_error("any offenses (within 30d)");
    assert!(e.message.contains("`within`"), "{}", e.message);
    let e = first_error("any history (violent)");
    assert!(e.message.contains("violent"), "{}", e.message);
    let e = first_error("any history (kind == parole)");
    assert!(e.message.contains("not a history kind"), "{}", e.message);
    let e = first_error("any history (any offenses (drug))");
    assert!(e.message.contains("cannot be nested"), "{}", e.message);
    assert!(parse("count history (within soon)").is_err());
    // The canonical text reads back: a year is 365 days.
    let c = check("count history (kind == conviction and within 10y) == 0").unwrap();
    assert_eq!(
        &*c.canonical,
        "count history (kind == conviction and within 3650d) == 0"
    );
}

#[test]
fn history_dates_are_checked_when_the_encounter_is_read() {
    let bad = |history: &str| {
        Encounter::from_json(&E.replace("\"id\"", &format!("\"history\":{history},\"id\"")))
            .unwrap_err()
    };
    let e = bad(r#"[{"kind":"arrest","date":"2027-01-01"}]"#);
    assert_eq!(e.field(), "history[0].date");
    assert!(e.message().contains("later than"), "{}", e.message());
    let e = bad(r#"[{"kind":"arrest","date":"1850-01-01"}]"#);
    assert_eq!(e.field(), "history[0].date");
    let many = format!(
        "[{}]",
        vec![r#"{"kind":"referral","date":"2025-01-01"}"#; crate::domain::MAX_HISTORY + 1]
            .join(",")
    );
    assert_eq!(bad(&many).field(), "history");
}

const FACTS: &str = r#"{"id":"t","at":"2026-03-02T14:05:00-08:00","offenses":[{"nibrs":"35A","level":"misdemeanor","activity":["P","using"],"drug_types":["heroin"],"quantity":{"amount":0.1,"unit":"OZ"}},{"nibrs":"13B","level":"misdemeanor"},{"nibrs":"35B","level":"infraction"}]}"#;

fn facts(src: &str) -> Tri {
    let c = check(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    eval_rule(&c, &enc(FACTS), &env())
}

/// Issue 11, item 2: the offence facts NIBRS records, read by rules; a fact not recorded is
/// unknown, never false.
#[test]
fn offence_facts_are_read_with_three_valued_logic() {
    assert_eq!(facts("any offenses (activity has possessing)"), Tri::True);
    assert_eq!(
        facts("any offenses (activity has any [distributing, cultivating])"),
        Tri::Unknown
    );
    assert_eq!(
        facts("any offenses (nibrs == \"35A\" and activity has any [distributing, cultivating])"),
        Tri::False
    );
    assert_eq!(
        facts("any offenses (drug_types has other_narcotics)"),
        Tri::Unknown
    );
    assert_eq!(facts("any offenses (drug_types has heroin)"), Tri::True);
    // 0.1 oz is about 2.83 g.
    assert_eq!(
        facts("any offenses (nibrs == \"35A\" and quantity.grams < 3)"),
        Tri::True
    );
    assert_eq!(
        facts("any offenses (nibrs == \"35A\" and quantity.grams < 2.5)"),
        Tri::False
    );
    assert_eq!(
        facts("any offenses (nibrs == \"35A\" and quantity.milliliters < 3)"),
        Tri::Unknown
    );
    assert_eq!(
        facts("any offenses (quantity.unit == ounce and quantity.amount == 0.1)"),
        Tri::True
    );
    assert_eq!(
        facts("count offenses (activity is unknown) == 2"),
        Tri::True
    );
    // 13B given without `violent` is violent by the code table.
    assert_eq!(facts("count offenses (violent) == 1"), Tri::True);
    // Chargeable: an infraction is not (the test helper applies levels only).
    assert_eq!(facts("count offenses (chargeable) == 2"), Tri::True);
    assert_eq!(
        facts("all offenses (chargeable or level == infraction)"),
        Tri::True
    );
}

#[test]
fn offence_facts_are_checked() {
    for (src, wanted) in [
        ("activity has possessing", "only available inside"),
        (
            "any offenses (activity has possesing)",
            "did you mean `possessing`?",
        ),
        (
            "any offenses (quantity.gram < 3)",
            "unknown field `quantity.gram`",
        ),
        ("any offenses (drug_types == heroin)", "set of drug_type"),
        ("chargeable", "only available inside"),
    ] {
        let errors = check(src).err().unwrap_or_default();
        let text = format!("{errors:?}");
        assert!(text.contains(wanted), "{src}: {text}");
    }
}

#[test]
fn an_amnesty_reads_one_offence_and_never_chargeable() {
    let env = env();
    let amnesty = |src: &str| {
        super::compile_in(&parse(src).unwrap(), &env, Scope::Amnesty)
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    };
    assert_eq!(
        amnesty("nibrs in [\"35A\", \"35B\"] and source == self_initiated"),
        Ok(())
    );
    assert!(
        amnesty("chargeable")
            .unwrap_err()
            .contains("cannot read `chargeable`")
    );
    assert!(
        amnesty("any offenses (drug)")
            .unwrap_err()
            .contains("one offence at a time")
    );
}

/// Issue 11, item 1: `offramp check` finds an Officer Intervention rule that can only admit
/// encounters with nothing chargeable.
#[test]
fn rules_that_admit_only_without_charge_are_found() {
    for src in [
        "all offenses (level == infraction)",
        "all offenses (not chargeable)",
        "not any offenses (chargeable)",
        "count offenses (chargeable) == 0",
        "count offenses == 0",
        "count offenses < 1",
        "0 == count offenses (level > infraction)",
        "age > 18 and all offenses (level in [infraction])",
        "all offenses (level < misdemeanor)",
    ] {
        let c = check(src).unwrap();
        assert!(c.admits_only_without_charge(), "{src}");
    }
    for src in [
        "any offenses (drug)",
        "all offenses (level == misdemeanor)",
        "count offenses (drug) == 0",
        "count offenses > 0",
        "not all offenses (level == infraction)",
        "all offenses (level == infraction) or age > 18",
        "true",
    ] {
        let c = check(src).unwrap();
        assert!(!c.admits_only_without_charge(), "{src}");
    }
}

/// The offence-facts example of docs/rules.md loads.
#[test]
fn the_documented_offence_facts_example_compiles() {
    let rule = r#"any offenses (nibrs == "35A"
              and activity has any [possessing, distributing]
              and quantity.grams < 3)
and not any offenses (activity has any [cultivating, transporting])"#;
    assert!(check(rule).is_ok());
}

/// Issue 12: a quoted enum value suggests dropping the quotes, when the text is a value (or
/// close to one); other text keeps the message it had.
#[test]
fn quoted_enum_values_suggest_dropping_the_quotes() {
    for (src, quoted, what, help) in [
        (
            "source == \"call_for_service\"",
            "call_for_service",
            "a source",
            "drop the quotes: `call_for_service`",
        ),
        (
            "\"call_for_service\" == source",
            "call_for_service",
            "a source",
            "drop the quotes: `call_for_service`",
        ),
        (
            "any offenses (activity has \"possessing\")",
            "possessing",
            "a criminal_activity",
            "drop the quotes: `possessing`",
        ),
        (
            "any offenses (level in [\"felony\"])",
            "felony",
            "a level",
            "drop the quotes: `felony`",
        ),
        (
            "any offenses (level in [\"felonyy\"])",
            "felonyy",
            "a level",
            "drop the quotes: did you mean `felony`?",
        ),
        (
            "attributes.screening == \"high\"",
            "high",
            "an attribute `screening`",
            "drop the quotes: `high`",
        ),
        (
            "needs has \"sud\"",
            "sud",
            "a need",
            "drop the quotes: `sud`",
        ),
    ] {
        let e = first_error(src);
        assert_eq!(
            e.message,
            format!("enum values are written without quotes: `\"{quoted}\"` is text, not {what}"),
            "{src}"
        );
        assert_eq!(e.help.as_deref(), Some(help), "{src}");
        let at = src.find(&format!("\"{quoted}\"")).unwrap();
        assert_eq!(e.span, at..at + quoted.len() + 2, "{src}");
    }
    // Text that is no value keeps today's messages.
    assert_eq!(
        first_error("source == \"radio\"").message,
        "cannot compare a source with a text"
    );
    assert_eq!(
        first_error("any offenses (level in [\"x\"])").message,
        "expected a level literal here"
    );
}

/// Issue 12: messages built around a varying word choose "a" or "an".
#[test]
fn messages_choose_a_or_an() {
    assert_eq!(with_article("int"), "an int");
    assert_eq!(with_article("attribute `risk`"), "an attribute `risk`");
    assert_eq!(with_article("offence"), "an offence");
    assert_eq!(with_article("enum"), "an enum");
    assert_eq!(with_article("level"), "a level");
    assert_eq!(with_article("NIBRS code"), "a NIBRS code");
    assert_eq!(with_article("unit"), "a unit");
    assert_eq!(with_article("unknown name"), "an unknown name");
    assert_eq!(
        first_error("age == attributes.screening").message,
        "cannot compare an int with an attribute `screening`"
    );
    assert_eq!(
        first_error("attributes.prior_referrals").message,
        "expected a condition (bool), but this is an int"
    );
    assert_eq!(
        first_error("overdose.at in [1]").message,
        "`in` cannot test a time"
    );
    assert_eq!(
        first_error("age has sud").message,
        "`has` needs a set field (`needs` or `flags`), not an int"
    );
    assert_eq!(
        first_error("since age <= 3h").message,
        "`since` needs a time such as `overdose.at`, not an int"
    );
    assert_eq!(
        first_error("attributes.screening == extreme").message,
        "`extreme` is not an attribute `screening`"
    );
    assert_eq!(
        first_error("age == 1h").message,
        "cannot compare an int with a duration"
    );
}

/// Issue 12: an unknown word suggests a real field. A field of one offence or history event
/// used at the top level is shown with the quantifier that reads it; a word close to no field
/// gets no suggestion.
#[test]
fn unknown_words_suggest_real_fields() {
    let e = first_error("not chargeable");
    assert!(
        e.message.contains("a field of one offence"),
        "{}",
        e.message
    );
    assert_eq!(e.help.as_deref(), Some("write `any offenses (chargeable)`"));
    // In a comparison, `has` or `in`, the help puts the whole clause in the quantifier.
    for (src, form) in [
        ("level == felony", "any offenses (level == felony)"),
        (
            "age > 17 and felony != level",
            "any offenses (felony != level)",
        ),
        (
            "not activity has possessing",
            "any offenses (activity has possessing)",
        ),
        (
            "level in [felony, misdemeanor]",
            "any offenses (level in [felony, misdemeanor])",
        ),
        ("quantity.grams < 3", "any offenses (quantity.grams < 3)"),
    ] {
        let e = first_error(src);
        assert!(
            e.message.contains("a field of one offence"),
            "{src}: {}",
            e.message
        );
        assert_eq!(e.help, Some(format!("write `{form}`")), "{src}");
    }
    // Inside a history quantifier `level` is the event's, and stays valid.
    assert!(check("any history (level == felony)").is_ok());
    let e = first_error("not chargable");
    assert_eq!(e.message, "unknown field `chargable`");
    assert_eq!(
        e.help.as_deref(),
        Some(
            "did you mean `chargeable`? It is a field of an offence, read inside a quantifier: `any offenses (chargeable)`"
        )
    );
    let e = first_error("nibrss == \"35A\"");
    assert_eq!(
        e.help.as_deref(),
        Some(
            "did you mean `nibrs`? It is a field of an offence or history event, read inside a quantifier: `any offenses (nibrs ...)` or `any history (nibrs ...)`"
        )
    );
    // Inside the quantifier, the field is simply suggested.
    let e = first_error("any offenses (chargable)");
    assert_eq!(e.help.as_deref(), Some("did you mean `chargeable`?"));
    // Nothing close: no suggestion, never an unrelated field such as `charge_hold.term`.
    for src in ["not charged", "not charge_held", "not eligible"] {
        let e = first_error(src);
        assert_eq!(e.help, None, "{src}");
    }
    assert_eq!(
        first_error("needz has sud").help.as_deref(),
        Some("did you mean `needs`?")
    );
}

/// Issue 12: the conjuncts whose truth is the same for every encounter, found by folding.
#[test]
fn constant_conjuncts_are_found_exactly() {
    let constant = |src: &str| check(src).unwrap().constant_parts();
    // `law.good_samaritan` is on and `law.citation_authority` off in this environment.
    assert_eq!(constant("true"), vec![(0, true)]);
    assert_eq!(constant("not false"), vec![(0, true)]);
    assert_eq!(constant("1 == 1"), vec![(0, true)]);
    assert_eq!(constant("law.citation_authority"), vec![(0, false)]);
    assert_eq!(constant("age > 17 and law.good_samaritan"), vec![(1, true)]);
    assert_eq!(constant("window.naloxone_plus > 0h"), vec![(0, true)]);
    assert_eq!(constant("window.naloxone_plus < 1h"), vec![(0, false)]);
    assert_eq!(constant("age > 17 or true"), vec![(0, true)]);
    assert_eq!(constant("age > 17 and true"), vec![(1, true)]);
    assert_eq!(constant("age > 17 and false or false"), vec![(0, false)]);
    assert_eq!(constant("2 in [1, 2]"), vec![(0, true)]);
    assert_eq!(constant("any offenses (false)"), vec![(0, false)]);
    assert_eq!(constant("all offenses (true)"), vec![(0, true)]);
    assert_eq!(constant("count offenses (false) == 0"), vec![(0, true)]);
    // Each of these reads the encounter, so none is constant.
    for src in [
        "age > 17",
        "age > 17 or false",
        "since overdose.at <= window.naloxone_plus",
        "any offenses (true)",
        "count offenses == 0",
        "any history (true)",
        "count history (false) == 0",
        "not age is known",
        "needs has sud",
    ] {
        assert_eq!(constant(src), vec![], "{src}");
    }
    // Each folded answer is the one the evaluator gives for any encounter.
    for src in [
        "1 == 1",
        "law.citation_authority",
        "age > 17 or true",
        "any offenses (false)",
    ] {
        let c = check(src).unwrap();
        let (_, want) = c.constant_parts()[0];
        for e in [E, r#"{"id":"u","at":"2026-03-02T14:05:00Z"}"#] {
            assert_eq!(
                eval_rule(&c, &enc(e), &env()),
                if want { Tri::True } else { Tri::False },
                "{src}"
            );
        }
    }
}
