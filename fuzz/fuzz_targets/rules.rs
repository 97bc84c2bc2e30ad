//! The rules language: any text as a rule's `when`, parsed on its own and then checked and
//! compiled inside a program that declares attributes of every type. A rule that loads is
//! then evaluated by routing an encounter.
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
        if let Ok(enc) = Encounter::from_json(ENCOUNTER) {
            let d = Router::new(p).route(&enc);
            let _ = d.explain();
        }
    }
});
