//! Analyses programs taken together and prints their Sequential Intercept Model gap map:
//! `svg` (the default), `mermaid` or `html`. With no program, the ten example programs.
//!
//! ```sh
//! cargo run --example sim_map -- svg > docs/sim-map.svg && scripts/render-map docs/sim-map.svg
//! cargo run --example sim_map -- mermaid examples/programs/lead-king-county.toml
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use offramp::authoring::analysis::analyze;
use offramp::authoring::map::{MapFormat, render};
use offramp::{Program, Router};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let format = match args.next().as_deref().unwrap_or("svg").parse::<MapFormat>() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sim_map: {e} (svg, mermaid or html)");
            return ExitCode::FAILURE;
        }
    };
    let mut paths: Vec<PathBuf> = args.map(Into::into).collect();
    if paths.is_empty() {
        let folder = offramp_suite::root().join("examples/programs");
        let entries = std::fs::read_dir(&folder).into_iter().flatten().flatten();
        paths = entries
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
    }
    let mut routers = Vec::new();
    for path in &paths {
        match Program::from_file(path) {
            Ok(p) => routers.push(Router::new(p)),
            Err(e) => {
                eprint!("{}", e.render());
                return ExitCode::FAILURE;
            }
        }
    }
    let routers: Vec<&Router> = routers.iter().collect();
    match analyze(&routers, None) {
        Ok(analysis) => {
            print!("{}", render(&analysis, format));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sim_map: {e}");
            ExitCode::FAILURE
        }
    }
}
