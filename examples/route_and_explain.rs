//! Loads a program, routes a file of encounters, and prints each decision in sentences.
//!
//! ```sh
//! cargo run --example route_and_explain -- examples/programs/qrt-hamilton-county.toml examples/encounters/qrt-hamilton-county.jsonl
//! ```

use std::process::ExitCode;

use offramp::{Encounter, Program, Router};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let root = offramp_suite::root();
    let program_path = args
        .next()
        .map(Into::into)
        .unwrap_or_else(|| root.join("examples/programs/lead-king-county.toml"));
    let encounters_path = args
        .next()
        .map(Into::into)
        .unwrap_or_else(|| root.join("examples/encounters/lead-king-county.jsonl"));

    let program = match Program::from_file(&program_path) {
        Ok(p) => p,
        Err(e) => {
            eprint!("{}", e.render());
            return ExitCode::FAILURE;
        }
    };
    println!("Program {} ({})\n", program.id(), program.hash());
    let router = Router::new(program);
    let text = match std::fs::read_to_string(&encounters_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", encounters_path.display());
            return ExitCode::FAILURE;
        }
    };
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match Encounter::from_json(line) {
            Ok(e) => println!("{}", router.route(&e).explain()),
            Err(err) => eprintln!("{}:{}: {err}", encounters_path.display(), n + 1),
        }
    }
    ExitCode::SUCCESS
}
