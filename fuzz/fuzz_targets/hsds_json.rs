//! HSDS 3.0 JSON directories: any text loaded as a directory, with and without a time zone
//! and a taxonomy, and exported back to HSDS.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp::providers::Directory;
use offramp::providers::hsds::LoadOptions;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = LoadOptions::default();
    if let Ok(d) = Directory::from_hsds_json(text, "fuzz.json", &options) {
        let _ = d.to_json();
        let _ = d.to_toml();
    }
    let _ = Directory::from_json(text, "fuzz.json");
});
