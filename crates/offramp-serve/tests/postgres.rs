//! The service with its audit log in PostgreSQL: the same decisions logged, and the same
//! export, as with the SQLite file. Needs a server: `scripts/test-serve` starts one and runs
//! these by name (`OFFRAMP_TEST_POSTGRES`, `PGPASSWORD`); without a server they pass, saying so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use offramp_serve::audit::{ExportFormat, export};

const LEAD: &str = "lead-king-county.toml";

/// The same requests to a service, its log's export as CSV and JSON lines with the columns
/// that hold the time (`at`, and the hashes made from it) left out.
fn exported(text: &str, temp: &Temp, log: offramp_serve::audit::Location) -> (String, String) {
    let server = start(temp, text);
    let addr = server.address();
    let encounters = lead_encounters();
    for e in &encounters {
        let r = post(addr, "/v1/route", ROUTE_SECRET, "application/json", e);
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let batch = encounters.join("\n");
    let r = post(
        addr,
        "/v1/route",
        ROUTE_SECRET,
        "application/x-ndjson",
        &batch,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post(
        addr,
        "/v1/explain",
        ROUTE_SECRET,
        "application/json",
        &encounters[0],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    server.stop().unwrap();
    assert_eq!(
        offramp_serve::verify(&log).unwrap().rows,
        i64::try_from(2 * encounters.len() + 1).unwrap()
    );
    let mut csv = Vec::new();
    export(&log, ExportFormat::Csv, &mut csv).unwrap();
    let csv: Vec<String> = String::from_utf8(csv)
        .unwrap()
        .lines()
        .map(|line| {
            // `at` is the second column and the hashes the last two; the decision's JSON
            // holds commas, so the row is read as CSV.
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            let record = reader.records().next().unwrap().unwrap();
            let n = record.len();
            record
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 1 && *i + 2 < n)
                .map(|(_, f)| f.to_string())
                .collect::<Vec<_>>()
                .join("\u{1f}")
        })
        .collect();
    let mut jsonl = Vec::new();
    export(&log, ExportFormat::Jsonl, &mut jsonl).unwrap();
    let jsonl: Vec<String> = String::from_utf8(jsonl)
        .unwrap()
        .lines()
        .map(|line| {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            let o = v.as_object_mut().unwrap();
            for time in ["at", "prev_hash", "hash"] {
                o.remove(time).unwrap();
            }
            v.to_string()
        })
        .collect();
    (csv.join("\n"), jsonl.join("\n"))
}

#[test]
fn postgres_export_equals_the_sqlite_export_of_the_same_decisions() {
    let Some(db) = PgSchema::new("export") else {
        return;
    };
    let temp = Temp::new("pg-export");
    let extra = "";
    let sqlite = exported(
        &config_text(&temp, &[LEAD], extra),
        &temp,
        temp.log().into(),
    );
    let pg = exported(&db.config_text(&temp, &[LEAD], extra), &temp, db.log());
    assert!(sqlite.0.lines().count() > 20, "{}", sqlite.0);
    assert_eq!(sqlite.0, pg.0, "CSV");
    assert_eq!(sqlite.1, pg.1, "JSON lines");
}
