//! `offramp audit export` in each format: Parquet read back with the parquet crate's own
//! reader (typed columns, row groups, nulls), the three formats holding the same rows, and the
//! small exports the Python package's tests read (`bindings/python/tests/data/`), pinned here
//! so that a change to the exported table fails until those files, and the Python reader, are
//! brought along.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::Temp;
use offramp_serve::audit::{COLUMNS, Entry, ExportFormat, ROWS_PER_GROUP, export, row_hash};
use offramp_serve::{AuditLog, audit};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;

fn entry(n: usize, encounter: bool) -> Entry {
    Entry {
        endpoint: "route".into(),
        token_id: "cad".into(),
        program_id: "lead-king-county".into(),
        program_hash: "sha256:abc".into(),
        encounter_id: format!("e-{n}"),
        decision: format!(
            "{{\"encounter_id\":\"e-{n}\",\"intercept\":1,\"disposition\":\"pre_arrest_diversion\",\"eligible\":[{{\"pathway\":\"officer_intervention\"}},{{\"pathway\":\"first_responder_referral\"}}]}}"
        ),
        // As sent: pretty-printed, so the text has line breaks of its own.
        encounter: encounter.then(|| {
            format!("{{\n  \"id\": \"e-{n}\",\n  \"note\": \"a, \\\"quoted\\\" value\"\n}}")
        }),
    }
}

/// A log of `n` decisions, every third keeping its encounter.
fn log_of(temp: &Temp, n: usize) {
    let log = AuditLog::open(temp.log()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let entries: Vec<Entry> = (1..=n).map(|i| entry(i, i % 3 == 0)).collect();
    for chunk in entries.chunks(1000) {
        runtime.block_on(log.append(chunk.to_vec())).unwrap();
    }
}

fn exported(log: &Path, format: ExportFormat) -> Vec<u8> {
    let mut out = Vec::new();
    export(log, format, &mut out).unwrap();
    out
}

#[test]
fn parquet_holds_typed_columns_in_row_groups_with_nulls_where_nothing_was_kept() {
    let temp = Temp::new("parquet");
    let n = ROWS_PER_GROUP + 3;
    log_of(&temp, n);
    let file = temp.0.join("decisions.parquet");
    std::fs::write(&file, exported(&temp.log(), ExportFormat::Parquet)).unwrap();

    let reader = SerializedFileReader::new(std::fs::File::open(&file).unwrap()).unwrap();
    let meta = reader.metadata();
    assert_eq!(
        meta.num_row_groups(),
        2,
        "one group per {ROWS_PER_GROUP} rows"
    );
    assert_eq!(usize::try_from(meta.file_metadata().num_rows()).unwrap(), n);
    let schema = meta.file_metadata().schema_descr();
    let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, COLUMNS.to_vec());
    let kv = meta.file_metadata().key_value_metadata().unwrap();
    assert!(
        kv.iter()
            .any(|k| k.key == "offramp.audit.format" && k.value.as_deref() == Some(audit::FORMAT))
    );
    let column = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();

    let stored = audit::rows(temp.log()).unwrap();
    let mut seen = 0usize;
    for (row, want) in reader.get_row_iter(None).unwrap().zip(&stored) {
        let row = row.unwrap();
        assert_eq!(row.get_long(column("seq")).unwrap(), want.seq);
        let at = chrono::DateTime::parse_from_rfc3339(&want.at).unwrap();
        assert_eq!(
            row.get_timestamp_micros(column("at")).unwrap(),
            at.timestamp_micros()
        );
        assert_eq!(
            row.get_string(column("decision")).unwrap(),
            &want.entry.decision
        );
        assert_eq!(row.get_string(column("hash")).unwrap(), &want.hash);
        assert_eq!(
            row.get_string(column("eligible")).unwrap(),
            "officer_intervention;first_responder_referral"
        );
        match &want.entry.encounter {
            Some(e) => assert_eq!(row.get_string(column("encounter")).unwrap(), e),
            None => assert!(row.is_null(column("encounter")).unwrap()),
        }
        seen += 1;
    }
    assert_eq!(seen, n);
}

#[test]
fn an_empty_log_exports_a_table_with_its_columns_and_no_rows() {
    let temp = Temp::new("parquet-empty");
    drop(AuditLog::open(temp.log()).unwrap());
    let file = temp.0.join("empty.parquet");
    std::fs::write(&file, exported(&temp.log(), ExportFormat::Parquet)).unwrap();
    let reader = SerializedFileReader::new(std::fs::File::open(&file).unwrap()).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
    assert_eq!(
        reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .num_columns(),
        COLUMNS.len()
    );
    let csv = String::from_utf8(exported(&temp.log(), ExportFormat::Csv)).unwrap();
    assert_eq!(csv, format!("{}\n", COLUMNS.join(",")));
    assert!(exported(&temp.log(), ExportFormat::Jsonl).is_empty());
}

#[test]
fn a_broken_log_writes_no_parquet() {
    let temp = Temp::new("parquet-broken");
    log_of(&temp, 5);
    rusqlite::Connection::open(temp.log())
        .unwrap()
        .execute_batch("DELETE FROM decisions WHERE seq = 2")
        .unwrap();
    let mut out = Vec::new();
    let err = export(temp.log(), ExportFormat::Parquet, &mut out).unwrap_err();
    assert!(err.to_string().starts_with("row 2: missing"), "{err}");
    assert!(out.is_empty());
}

/// The folder of the Python package's test data.
fn python_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bindings/python/tests/data")
}

/// A log with fixed times, so its exports are the same bytes on every run: three decisions,
/// the second with its encounter kept, the third with nothing eligible.
fn fixed_log(temp: &Temp) {
    drop(AuditLog::open(temp.log()).unwrap());
    let conn = rusqlite::Connection::open(temp.log()).unwrap();
    let mut prev = audit::GENESIS.to_string();
    let mut entries = [entry(1, false), entry(2, true), entry(3, false)];
    entries[2].decision =
        "{\"encounter_id\":\"e-3\",\"intercept\":2,\"disposition\":\"none\",\"eligible\":[]}"
            .into();
    for (i, e) in entries.iter().enumerate() {
        let seq = i64::try_from(i).unwrap() + 1;
        let at = format!("2026-03-0{seq}T14:05:00.{seq:06}Z");
        let hash = row_hash(seq, &at, e, &prev);
        conn.execute(
            "INSERT INTO decisions (seq, at, endpoint, token_id, program_id, program_hash, \
             encounter_id, decision, encounter, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![
                seq,
                at,
                e.endpoint,
                e.token_id,
                e.program_id,
                e.program_hash,
                e.encounter_id,
                e.decision,
                e.encounter,
                prev,
                hash
            ],
        )
        .unwrap();
        prev = hash;
    }
}

#[test]
fn the_python_package_s_sample_exports_are_what_export_writes() {
    let temp = Temp::new("fixtures");
    fixed_log(&temp);
    let update = std::env::var_os("OFFRAMP_UPDATE_FIXTURES").is_some();
    for (format, name) in [
        (ExportFormat::Csv, "audit-export.csv"),
        (ExportFormat::Jsonl, "audit-export.jsonl"),
        (ExportFormat::Parquet, "audit-export.parquet"),
    ] {
        let bytes = exported(&temp.log(), format);
        let path = python_data().join(name);
        if update {
            std::fs::create_dir_all(python_data()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
            continue;
        }
        let pinned = std::fs::read(&path).unwrap_or_default();
        assert!(
            pinned == bytes,
            "{} is not what `offramp audit export --format {format:?}` writes now; if the change \
             is meant, run `OFFRAMP_UPDATE_FIXTURES=1 cargo test -p offramp-serve --test export` \
             and bring offramp.audit (bindings/python/python/offramp/audit.py) along",
            path.display()
        );
    }
}
