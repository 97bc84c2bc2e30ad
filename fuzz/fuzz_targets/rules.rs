//! The rules language: any text as a rule's `when`, parsed on its own and then checked and
//! compiled inside a program that declares attributes of every type. A rule that loads is
//! then evaluated by routing, explaining and tracing two encounters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp::{Encounter, Program, Router};

const PROGRAM: &str = r#"
[program]
id = "fuzz"
timezone = "America/Chicago"

[charge_hold]
term = "90d"

[attributes.prior]
type = "int"

[attributes.score]
type = "number"

[attributes.screening]
type = "enum"
values = ["low", "high"]

[attributes.housed]
type = "bool"

[attributes.note]
type = "text"

[[pathways]]
pathway = "officer_intervention"
[[pathways.rules]]
id = "fuzzed"
"#;

const ENCOUNTER: &str = r#"{"id":"f-1","at":"2026-03-02T14:05:00-06:00","responder":"law_enforcement","needs":["sud"],"offenses":[{"nibrs":"35A","level":"misdemeanor"}],"age":34,"attributes":{"prior":1,"score":2.5,"screening":"high","housed":false,"note":"x"}}"#;

const SPARSE: &str = r#"{"id":"f-2","at":"2026-03-02T14:05:00-06:00","offenses":[{"nibrs":"35A","level":"misdemeanor"},{"nibrs":"13B","level":"felony"}],"history":[{"kind":"arrest","date":"2025-01-01"}]}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = offramp::rules::parse(text);
    // The text goes in as a TOML string, so every input reaches the rules checker.
    let when = toml::Value::String(text.to_string()).to_string();
    let program = format!("{PROGRAM}when = {when}\n");
    if let Ok(p) = Program::from_toml(&program, "fuzz.toml") {
        let _ = p.to_toml();
        let router = Router::new(p);
        // A full encounter, and one that records almost nothing, so that the rule is also
        // explained as unknown and what it waits on is collected.
        for json in [ENCOUNTER, SPARSE] {
            if let Ok(enc) = Encounter::from_json(json) {
                let d = router.route(&enc);
                let _ = d.explain();
                let _ = d.to_json();
                let t = router.trace(&enc);
                let _ = t.explain();
                let _ = t.to_json();
            }
        }
    }
});
