//! Program files in JSON: any text, loaded, written back and loaded again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp::Program;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Program::from_json(text, "fuzz.json") {
        if let Ok(again) = p.to_json() {
            let back = Program::from_json(&again, "again.json");
            assert!(back.is_ok(), "a loaded program's JSON does not load");
        }
    }
});
