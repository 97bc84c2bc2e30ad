//! Shared helpers for the offramp workspace's scenario tests, examples and benchmarks.
//!
//! The suite owns the top-level `examples/`, `tests/` and `benches/` folders; this library
//! only locates their data.

use std::path::PathBuf;

/// The workspace root (where `examples/` lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of an example program, by file name (`lead-king-county.toml`).
pub fn example_program(file: &str) -> PathBuf {
    root().join("examples/programs").join(file)
}

/// Every example program file, sorted by name.
pub fn example_programs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples/programs"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
