//! Simulation scenarios: any text loaded as a scenario in TOML and in JSON, and what loads
//! written back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp::sim::Scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = Scenario::from_toml(text, "fuzz.toml") {
        let _ = s.to_toml();
    }
    if let Ok(s) = Scenario::from_json(text, "fuzz.json") {
        let _ = s.to_toml();
    }
});
