//! HSDS tabular data packages: the input, split at NUL bytes, becomes `datapackage.json`
//! (when the first part is not empty) and the CSV files of the usual tables, written to a
//! scratch folder that is read as a directory.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use offramp::providers::Directory;
use offramp::providers::hsds::LoadOptions;

const TABLES: [&str; 8] = [
    "organization",
    "service",
    "location",
    "service_at_location",
    "schedule",
    "language",
    "taxonomy_term",
    "attribute",
];

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("offramp-fuzz-datapackage-{}", std::process::id()))
});

fn default_package() -> String {
    let resources: Vec<String> = TABLES
        .iter()
        .map(|t| format!(r#"{{"name":"{t}","path":"{t}s.csv"}}"#))
        .collect();
    format!(r#"{{"resources":[{}]}}"#, resources.join(","))
}

fuzz_target!(|data: &[u8]| {
    let dir = &*DIR;
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let mut parts = data.split(|b| *b == 0);
    let package = match parts.next() {
        Some(p) if !p.is_empty() => p.to_vec(),
        _ => default_package().into_bytes(),
    };
    if std::fs::write(dir.join("datapackage.json"), package).is_err() {
        return;
    }
    for t in TABLES {
        let body = parts.next().unwrap_or_default();
        if std::fs::write(dir.join(format!("{t}s.csv")), body).is_err() {
            return;
        }
    }
    if let Ok(d) = Directory::from_datapackage(dir, &LoadOptions::default()) {
        let _ = d.to_json();
    }
});
