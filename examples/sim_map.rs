//! Analyses programs taken together and prints their Sequential Intercept Model gap map:
//! `svg` (the default), `mermaid` or `html`. With no program, the ten example programs.
//!
//! With `--each`, each program is analysed on its own and the analyses are drawn on one grid:
//! the cells show every program that covers them, and a column is marked where some program
//! leaves encounters at that intercept with none of its pathways. This is how the ten example
//! programs, from ten jurisdictions, are drawn in `docs/sim-map.svg`: taken together, what they
//! read is too large to analyse exactly.
//!
//! ```sh
//! cargo run --example sim_map -- --each svg > docs/sim-map.svg && scripts/render-map docs/sim-map.svg
//! cargo run --example sim_map -- mermaid examples/programs/lead-king-county.toml
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use offramp::authoring::analysis::{Analysis, AnalysisError, analyze};
use offramp::authoring::map::{MapFormat, render};
use offramp::{Program, Router};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let each = args.next_if_eq("--each").is_some();
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
    let analysis = if each {
        routers
            .iter()
            .map(|r| analyze(&[r], None))
            .collect::<Result<Vec<_>, _>>()
            .and_then(combined)
    } else {
        analyze(&routers, None)
    };
    match analysis {
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

/// Analyses of single programs as one: their lists joined, each cell covered by every program
/// that covers it, a cell marked as a gap where some program has one.
fn combined(analyses: Vec<Analysis>) -> Result<Analysis, AnalysisError> {
    let mut all = analyses.into_iter();
    let mut one = all.next().ok_or(AnalysisError::NoPrograms)?;
    for other in all {
        one.programs.extend(other.programs);
        one.encounters_examined = one
            .encounters_examined
            .saturating_add(other.encounters_examined);
        one.gaps.extend(other.gaps);
        one.gaps_left_out = one.gaps_left_out.saturating_add(other.gaps_left_out);
        one.overlaps.extend(other.overlaps);
        one.dead_rules.extend(other.dead_rules);
        one.whole_exclusions.extend(other.whole_exclusions);
        for (cell, theirs) in one.coverage.iter_mut().zip(other.coverage) {
            cell.programs.extend(theirs.programs);
            cell.responders.extend(theirs.responders);
            cell.responders.sort();
            cell.responders.dedup();
            for kind in theirs.partner_kinds {
                if !cell.partner_kinds.contains(&kind) {
                    cell.partner_kinds.push(kind);
                }
            }
            cell.gap |= theirs.gap;
        }
    }
    Ok(one)
}
