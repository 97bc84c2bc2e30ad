//! `offramp simulate --format parquet` writes every table with the column types the core
//! declares for it, not types guessed from the values.

use std::process::Command;

use offramp::sim::SimResults;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

#[test]
fn parquet_tables_read_back_with_the_declared_types() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = std::env::temp_dir().join(format!("offramp-cli-parquet-{}", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_offramp"))
        .current_dir(root)
        .args([
            "simulate",
            "examples/scenarios/qrt-hamilton-county.toml",
            "--out",
        ])
        .arg(&out)
        .args([
            "--seed",
            "3",
            "--replications",
            "1",
            "--format",
            "parquet",
            "--quiet",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let declared = SimResults::empty_for_docs();
    for table in declared.tables() {
        let file = std::fs::File::open(out.join(format!("{}.parquet", table.name()))).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let read = reader.schema();
        let expected = table.arrow_schema();
        assert_eq!(read.fields(), expected.fields(), "{}", table.name());
        let rows: usize = reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
        if table.name() == "funnel" {
            assert!(rows > 0, "the funnel has rows");
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
