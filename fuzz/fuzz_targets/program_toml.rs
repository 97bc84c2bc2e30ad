//! Program files in TOML: any text, loaded, written back and loaded again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp::Program;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Program::from_toml(text, "fuzz.toml") {
        // What loads must write out and load back to the same program.
        if let Ok(again) = p.to_toml() {
            let back = Program::from_toml(&again, "again.toml");
            assert!(
                back.is_ok(),
                "a loaded program's canonical text does not load"
            );
        }
    }
});
