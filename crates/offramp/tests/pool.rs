//! The process-wide string pool (`offramp::text`) in a long-running process: reloading a
//! directory and indexing it again adds nothing to it. A test binary of its own, so no other
//! test loads strings into the pool while this one counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use offramp::providers::{Directory, LoadOptions};
use offramp::{Encounter, Program, Router};

#[test]
fn reloading_a_directory_a_thousand_times_keeps_the_pool_flat() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let program = Program::from_file(root.join("examples/programs/harvey-pd.toml")).unwrap();
    let text = std::fs::read_to_string(root.join("examples/providers/harvey-il.json")).unwrap();
    let options = LoadOptions {
        timezone: Some("America/Chicago".into()),
        ..LoadOptions::default()
    };
    let encounter = Encounter::from_json(
        r#"{"id":"h-1","at":"2026-03-03T15:00:00-06:00","responder":"law_enforcement",
        "source":"on_view","needs":["sud","sex_work"],"age":29,"language":"es",
        "location":{"lat":41.61,"lon":-87.65}}"#,
    )
    .unwrap();
    // Load, index, route and update the board, as a service refreshing its directory would.
    let reload = || {
        let dir = Directory::from_hsds_json(&text, "harvey-il.json", &options).unwrap();
        let router = Router::with_directory(program.clone(), &dir).unwrap();
        let decision = router.route(&encounter);
        let first = dir.services()[0].id.clone();
        router
            .update_capacity(
                &first,
                Some(offramp::providers::Capacity {
                    available: 2,
                    maximum: Some(4),
                    unit: "bed".into(),
                    updated: None,
                }),
            )
            .unwrap();
        assert!(!decision.eligible.is_empty());
    };
    reload();
    let after_first = offramp::text::pool_size();
    assert!(after_first > 0);
    for _ in 0..1000 {
        reload();
    }
    assert_eq!(offramp::text::pool_size(), after_first);
}
