//! Schedules: any JSON value as the `schedules` of one HSDS service (iCalendar-style rules,
//! times, dates and zones), loaded and then asked, hour by hour over two weeks, whether it is open and when that changes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp::providers::hsds::LoadOptions;
use offramp::providers::{Directory, OpeningHours};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(schedules) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let service = serde_json::json!([{
        "id": "s1",
        "name": "Fuzzed hours",
        "status": "active",
        "organization": {"id": "o1", "name": "Org", "description": "d"},
        "attributes": [{"id": "a1", "link_type": "service_type", "taxonomy_term":
            {"id": "t1", "code": "detox", "name": "Detox", "taxonomy": "offramp"}}],
        "schedules": schedules,
    }]);
    let options = LoadOptions {
        timezone: Some("America/Chicago".into()),
        ..LoadOptions::default()
    };
    let Ok(d) = Directory::from_hsds_json(&service.to_string(), "fuzz.json", &options) else {
        return;
    };
    let _ = d.to_hsds_json();
    let Ok(start) = chrono::DateTime::parse_from_rfc3339("2026-03-01T00:00:00-06:00") else {
        return;
    };
    for service in d.services() {
        let Some(hours) = &service.hours else {
            continue;
        };
        let Ok(open) = OpeningHours::compile(hours) else {
            continue;
        };
        // A week, hour by hour, across the start of daylight saving time (8 March 2026).
        for h in 0..(14 * 24) {
            let at = start + chrono::Duration::hours(h);
            let _ = open.is_open(at);
            let _ = open.open_until(at);
            let _ = open.next_open(at);
        }
    }
});
