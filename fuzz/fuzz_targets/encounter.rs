//! Encounters: any text decoded as an encounter and, when it decodes, routed through every
//! example program (three of them hold charges) and explained.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use offramp::{Encounter, Program, Router};

static ROUTERS: LazyLock<Vec<Router>> = LazyLock::new(|| {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/programs");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| Program::from_file(p).ok())
        .map(Router::new)
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(enc) = Encounter::from_json(text) {
        for router in ROUTERS.iter() {
            let d = router.route(&enc);
            let _ = d.explain();
            let _ = d.to_json();
            let t = router.trace(&enc);
            let _ = t.explain();
            let _ = t.to_json();
        }
        let _ = enc.to_json();
    }
});
