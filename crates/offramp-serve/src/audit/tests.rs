use std::sync::atomic::{AtomicUsize, Ordering};

use super::sqlite::prune_before;
use super::*;
use rusqlite::{Connection, params};

/// A fresh folder for one test's log, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new() -> Temp {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "offramp-audit-unit-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }

    fn log(&self) -> PathBuf {
        self.0.join("audit.sqlite")
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn entry(n: usize) -> Entry {
    Entry {
        endpoint: "route".into(),
        token_id: "cad".into(),
        program_id: "lead-king-county".into(),
        program_hash: "sha256:abc".into(),
        encounter_id: format!("e-{n}"),
        decision: format!("{{\"encounter_id\":\"e-{n}\"}}"),
        encounter: None,
    }
}

pub(super) fn append(log: &AuditLog, entries: Vec<Entry>) {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(log.append(entries))
        .unwrap();
}

/// A log of `n` rows, written in a few appends, closed.
fn log_of(temp: &Temp, n: usize) {
    let log = AuditLog::open(temp.log()).unwrap();
    for chunk in (1..=n).collect::<Vec<_>>().chunks(3) {
        append(&log, chunk.iter().map(|i| entry(*i)).collect());
    }
}

fn sql(temp: &Temp, statement: &str) {
    let conn = Connection::open(temp.log()).unwrap();
    conn.execute_batch(statement).unwrap();
}

#[test]
fn appended_rows_chain_from_the_genesis_and_verify() {
    let temp = Temp::new();
    log_of(&temp, 7);
    let v = verify(temp.log()).unwrap();
    assert_eq!(v.rows, 7);
    let conn = Connection::open(temp.log()).unwrap();
    let (prev, hash): (String, String) = conn
        .query_row(
            "SELECT prev_hash, hash FROM decisions WHERE seq = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(prev, GENESIS);
    let last: String = conn
        .query_row("SELECT hash FROM decisions WHERE seq = 7", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v.head, last);
    assert_eq!(hash.len(), 64);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_reopened_log_continues_its_chain() {
    let temp = Temp::new();
    log_of(&temp, 4);
    log_of(&temp, 2);
    assert_eq!(verify(temp.log()).unwrap().rows, 6);
}

#[test]
fn an_empty_log_verifies_with_the_genesis_head() {
    let temp = Temp::new();
    drop(AuditLog::open(temp.log()).unwrap());
    assert_eq!(
        verify(temp.log()).unwrap(),
        Verified {
            rows: 0,
            first: 1,
            head: GENESIS.into()
        }
    );
}

#[test]
fn an_edited_row_is_named() {
    let temp = Temp::new();
    log_of(&temp, 6);
    sql(&temp, "UPDATE decisions SET decision = '{}' WHERE seq = 4");
    assert_eq!(
        verify(temp.log()).unwrap_err(),
        VerifyError::Broken {
            row: 4,
            problem: "its contents do not match its hash (changed after it was written)"
        }
    );
}

#[test]
fn an_edit_with_its_hash_recomputed_breaks_the_next_row() {
    let temp = Temp::new();
    log_of(&temp, 6);
    let conn = Connection::open(temp.log()).unwrap();
    let (at, prev): (String, String) = conn
        .query_row(
            "SELECT at, prev_hash FROM decisions WHERE seq = 3",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut forged = entry(3);
    forged.token_id = "someone-else".into();
    let hash = row_hash(3, &at, &forged, &prev);
    conn.execute(
        "UPDATE decisions SET token_id = ?1, hash = ?2 WHERE seq = 3",
        params![forged.token_id, hash],
    )
    .unwrap();
    match verify(temp.log()).unwrap_err() {
        VerifyError::Broken { row, .. } => assert_eq!(row, 4),
        other => panic!("{other}"),
    }
}

#[test]
fn a_deleted_row_is_named() {
    let temp = Temp::new();
    log_of(&temp, 6);
    sql(&temp, "DELETE FROM decisions WHERE seq = 2");
    let e = verify(temp.log()).unwrap_err();
    assert!(matches!(e, VerifyError::Broken { row: 2, .. }), "{e}");
    assert!(e.to_string().starts_with("row 2: missing"), "{e}");
    // The first row deleted.
    sql(&temp, "DELETE FROM decisions WHERE seq = 1");
    assert!(matches!(
        verify(temp.log()).unwrap_err(),
        VerifyError::Broken { row: 1, .. }
    ));
}

#[test]
fn a_deleted_and_renumbered_row_is_found_by_its_hashes() {
    let temp = Temp::new();
    log_of(&temp, 5);
    sql(
        &temp,
        "DELETE FROM decisions WHERE seq = 3; UPDATE decisions SET seq = seq - 1 WHERE seq > 3;",
    );
    // Row 3 is now the old row 4: its previous hash names the deleted row.
    match verify(temp.log()).unwrap_err() {
        VerifyError::Broken { row, problem } => {
            assert_eq!(row, 3);
            assert!(problem.starts_with("its previous-row hash"), "{problem}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_file_that_is_not_a_log_is_refused() {
    let temp = Temp::new();
    sql(&temp, "CREATE TABLE t (x);");
    assert!(matches!(
        verify(temp.log()).unwrap_err(),
        VerifyError::Open(AuditError::Format { .. })
    ));
    assert!(matches!(
        verify(temp.0.join("missing.sqlite")).unwrap_err(),
        VerifyError::Open(AuditError::Open { .. })
    ));
    assert!(!temp.0.join("missing.sqlite").exists());
}

#[test]
fn stored_encounters_are_part_of_the_hash() {
    let temp = Temp::new();
    let log = AuditLog::open(temp.log()).unwrap();
    let mut e = entry(1);
    e.encounter = Some("{\"id\":\"e-1\"}".into());
    append(&log, vec![e, entry(2)]);
    drop(log);
    assert_eq!(verify(temp.log()).unwrap().rows, 2);
    sql(&temp, "UPDATE decisions SET encounter = NULL WHERE seq = 1");
    assert!(matches!(
        verify(temp.log()).unwrap_err(),
        VerifyError::Broken { row: 1, .. }
    ));
}

fn decision_entry(n: usize, disposition: &str, pathways: &[&str]) -> Entry {
    let eligible: Vec<String> = pathways
        .iter()
        .map(|p| format!("{{\"pathway\":\"{p}\",\"rank\":1}}"))
        .collect();
    Entry {
        decision: format!(
            "{{\"encounter_id\":\"e-{n}\",\"intercept\":1,\"disposition\":\"{disposition}\",\"eligible\":[{}]}}",
            eligible.join(",")
        ),
        encounter: (n == 2).then(|| "{\"id\":\"e-2\",\"note\":\"a, \\\"quoted\\\" value\"}".into()),
        ..entry(n)
    }
}

#[test]
fn a_verified_log_exports_one_row_per_decision_as_csv_and_json_lines() {
    let temp = Temp::new();
    let log = AuditLog::open(temp.log()).unwrap();
    append(
        &log,
        vec![
            decision_entry(
                1,
                "pre_arrest_diversion",
                &["officer_intervention", "first_responder_referral"],
            ),
            decision_entry(2, "none", &[]),
        ],
    );
    drop(log);

    let mut csv_out = Vec::new();
    assert_eq!(
        export(temp.log(), ExportFormat::Csv, &mut csv_out).unwrap(),
        2
    );
    let mut reader = csv::Reader::from_reader(csv_out.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        COLUMNS.to_vec()
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    let column = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(&records[0][column("seq")], "1");
    assert_eq!(&records[0][column("intercept")], "1");
    assert_eq!(&records[0][column("disposition")], "pre_arrest_diversion");
    assert_eq!(
        &records[0][column("eligible")],
        "officer_intervention;first_responder_referral"
    );
    assert_eq!(&records[1][column("eligible")], "");
    // A kept encounter with a comma and quotes survives the CSV quoting whole.
    assert_eq!(
        &records[1][column("encounter")],
        "{\"id\":\"e-2\",\"note\":\"a, \\\"quoted\\\" value\"}"
    );
    assert_eq!(&records[0][column("encounter")], "");
    let stored = rows(temp.log()).unwrap();
    assert_eq!(&records[1][column("hash")], stored[1].hash.as_str());
    assert_eq!(
        &records[1][column("decision")],
        stored[1].entry.decision.as_str()
    );

    let mut jsonl = Vec::new();
    assert_eq!(
        export(temp.log(), ExportFormat::Jsonl, &mut jsonl).unwrap(),
        2
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["decision"]["disposition"], "pre_arrest_diversion");
    assert_eq!(lines[1]["encounter"]["note"], "a, \"quoted\" value");
    assert_eq!(lines[0]["encounter"], serde_json::Value::Null);
    let keys: Vec<&str> = lines[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = COLUMNS.to_vec();
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(
        keys, expected,
        "the JSON lines carry the same columns as the CSV"
    );
}

#[test]
fn a_broken_log_is_not_exported() {
    let temp = Temp::new();
    log_of(&temp, 4);
    sql(
        &temp,
        "UPDATE decisions SET token_id = 'someone' WHERE seq = 3",
    );
    let mut out = Vec::new();
    match export(temp.log(), ExportFormat::Csv, &mut out) {
        Err(ExportError::Verify(VerifyError::Broken { row, .. })) => assert_eq!(row, 3),
        other => panic!("expected the broken row named, got {other:?}"),
    }
    assert!(out.is_empty(), "nothing is written for a broken log");
}

/// The `at` of a row, read back.
fn at_of(temp: &Temp, seq: i64) -> String {
    let conn = Connection::open(temp.log()).unwrap();
    conn.query_row("SELECT at FROM decisions WHERE seq = ?1", [seq], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn pruning_keeps_the_chain_verifiable_from_the_last_row_deleted() {
    let temp = Temp::new();
    let log = AuditLog::open(temp.log()).unwrap();
    append(&log, (1..=3).map(entry).collect());
    std::thread::sleep(Duration::from_millis(5));
    append(&log, (4..=6).map(entry).collect());
    drop(log);
    let head_before = verify(temp.log()).unwrap().head;
    // Everything written before the second batch goes.
    let cutoff = at_of(&temp, 4);
    let mut conn = Connection::open(temp.log()).unwrap();
    assert_eq!(prune_before(&mut conn, &cutoff).unwrap(), 3);
    assert_eq!(
        prune_before(&mut conn, &cutoff).unwrap(),
        0,
        "pruning again deletes nothing"
    );
    drop(conn);
    let v = verify(temp.log()).unwrap();
    assert_eq!(
        (v.rows, v.first, v.head.as_str()),
        (3, 4, head_before.as_str())
    );

    // New rows continue the chain, also after every row has been pruned.
    let log = AuditLog::open(temp.log()).unwrap();
    append(&log, vec![entry(7)]);
    drop(log);
    let mut conn = Connection::open(temp.log()).unwrap();
    let all = at_of(&temp, 7);
    assert_eq!(prune_before(&mut conn, &format!("{all}~")).unwrap(), 4);
    drop(conn);
    let log = AuditLog::open(temp.log()).unwrap();
    append(&log, vec![entry(8)]);
    drop(log);
    let v = verify(temp.log()).unwrap();
    assert_eq!((v.rows, v.first), (1, 8));
    assert_eq!(rows(temp.log()).unwrap()[0].seq, 8);

    // A forged starting point is found: the first row kept does not follow it.
    sql(
        &temp,
        "UPDATE audit_meta SET value = '00' WHERE key = 'pruned_head'",
    );
    match verify(temp.log()) {
        Err(VerifyError::Broken { row, .. }) => assert_eq!(row, 8),
        other => panic!("expected row 8 named, got {other:?}"),
    }
}

#[test]
fn a_claimed_pruning_cannot_hide_rows_that_are_still_there() {
    let temp = Temp::new();
    log_of(&temp, 5);
    // Someone marks rows 1-3 as pruned without deleting them, to skip checking them.
    let head3 = rows(temp.log()).unwrap()[2].hash.clone();
    sql(
        &temp,
        &format!(
            "INSERT INTO audit_meta (key, value) VALUES ('pruned_through', '3'), ('pruned_head', '{head3}')"
        ),
    );
    match verify(temp.log()) {
        Err(VerifyError::Broken { row, .. }) => assert_eq!(row, 4),
        other => panic!("expected the rows kept to be out of sequence, got {other:?}"),
    }
}

#[test]
fn a_retention_period_prunes_when_the_log_opens() {
    let temp = Temp::new();
    log_of(&temp, 4);
    std::thread::sleep(Duration::from_millis(5));
    // A retention of nothing deletes every row written before the log opened.
    let log = AuditLog::open_with(temp.log(), Some(Duration::ZERO)).unwrap();
    append(&log, vec![entry(5)]);
    drop(log);
    let v = verify(temp.log()).unwrap();
    assert_eq!((v.rows, v.first), (1, 5));
    // A long one keeps them all.
    let log = AuditLog::open_with(temp.log(), Some(Duration::from_secs(86_400))).unwrap();
    drop(log);
    assert_eq!(verify(temp.log()).unwrap().rows, 1);
}
