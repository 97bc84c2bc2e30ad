//! `offramp simulate` within bounds (issue 10): a scenario whose estimated work is above the
//! budget is refused before it runs unless `--allow-large` is given, and `--threads` above the
//! machine's cores runs with the cores, saying so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_offramp"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the offramp binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch folder of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("offramp-sim-bounds-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The runaway scenario (36,600 days, 50 million people, a million contacts a day),
/// written beside the example program it names.
fn runaway(dir: &Path) -> PathBuf {
    let program = root().join("examples/programs/lead-king-county.toml");
    let path = dir.join("runaway.toml");
    std::fs::write(
        &path,
        format!(
            "[scenario]\nname = \"runaway\"\nprogram = {:?}\ndays = 36600\npopulation = 50000000\n\n\
             [contacts]\n\n[contacts_per_day]\ncall_for_service = 1000000.0\n",
            program.display().to_string()
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_scenario_above_the_work_budget_is_refused_naming_the_flag() {
    let dir = scratch("refused");
    let scenario = runaway(&dir);
    let out = dir.join("out");
    let o = run(&[
        "simulate",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--replications",
        "1",
    ]);
    assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stderr(&o);
    assert!(text.contains("--allow-large"), "{text}");
    assert!(text.contains("budget of 50,000,000"), "{text}");
    assert!(
        text.contains("50,000,000 people over 36,600 days"),
        "{text}"
    );
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn threads_beyond_the_cores_run_with_the_cores_and_say_so() {
    let dir = scratch("threads");
    let out = dir.join("out");
    let o = run(&[
        "simulate",
        "examples/scenarios/qrt-hamilton-county.toml",
        "--out",
        out.to_str().unwrap(),
        "--replications",
        "2",
        "--threads",
        "20000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stderr(&o);
    assert!(text.contains("--threads 20000"), "{text}");
    assert!(text.contains("core"), "{text}");
    assert!(out.join("funnel.csv").exists());
}
