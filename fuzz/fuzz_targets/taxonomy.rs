//! Taxonomy mappings: any text loaded as the TOML that maps a directory's taxonomy terms to
//! offramp's service kinds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp::providers::taxonomy::TaxonomyMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = TaxonomyMap::from_toml(text, "fuzz.toml");
});
