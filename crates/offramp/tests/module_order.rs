//! The core's dependency order, as DEVELOPERS.md states it, holds in the code: a module imports
//! only modules on a lower level of the module map. The table in DEVELOPERS.md is the one place
//! the order is written; this test reads it from there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The module map's rows: module name -> level.
fn levels() -> BTreeMap<String, u32> {
    let map = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../DEVELOPERS.md");
    let text = fs::read_to_string(&map).unwrap();
    let mut levels = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| level | `module` | owns |` splits into ["", level, module, owns, ""].
        if cells.len() < 4 {
            continue;
        }
        let (Ok(level), Some(name)) = (
            cells[1].parse::<u32>(),
            cells[2].strip_prefix('`').and_then(|c| c.strip_suffix('`')),
        ) else {
            continue;
        };
        levels.insert(name.to_owned(), level);
    }
    assert!(
        levels.len() >= 8,
        "the module map in DEVELOPERS.md was not found"
    );
    levels
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The names `X` in every `crate::X` of a file's code, doc comments included. A module's own
/// unit tests (from its `#[cfg(test)]` on) may reach any module, as the crate's tests do.
fn crate_refs(text: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let mut rest = text.split("#[cfg(test)]\nmod ").next().unwrap_or(text);
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // `$crate::` in macros and `offramp_crate::` style names are not paths into this crate.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            refs.push(name);
        }
    }
    refs
}

#[test]
fn every_module_imports_only_lower_levels() {
    let levels = levels();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" {
            continue;
        }
        let Some(&own) = levels.get(&top) else {
            wrong.push(format!(
                "{}: module `{top}` is missing from DEVELOPERS.md's module map",
                rel.display()
            ));
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        for name in crate_refs(&text) {
            if name == top {
                continue;
            }
            match levels.get(&name) {
                // Items re-exported at the crate root are reached as `crate::Item`; only
                // module names are checked.
                None => {}
                Some(&level) if level < own => {}
                Some(&level) => wrong.push(format!(
                    "{}: `{top}` (level {own}) imports `{name}` (level {level})",
                    rel.display()
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the module map:\n{}",
        wrong.join("\n")
    );
}
