//! `offramp simulate`: run a scenario with and without its program and write the tables.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::CliError;
use offramp::sim::{
    Progress, RunOptions, Scenario, SimError, SimResults, Simulation, Table, TableFormat,
};

/// Arguments of `offramp simulate`.
#[derive(clap::Args, Debug, Clone)]
pub struct SimulateArgs {
    /// The scenario file (TOML; paths inside it are relative to it).
    pub scenario: PathBuf,
    /// The folder to write the tables into (created when missing).
    #[arg(long)]
    pub out: PathBuf,
    /// The seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// The table format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Csv)]
    pub format: OutputFormat,
    /// Replications, each with and without the program (default: the scenario's).
    #[arg(long)]
    pub replications: Option<u32>,
    /// No progress bar, even on a terminal.
    #[arg(long)]
    pub quiet: bool,
}

/// The format of the written tables.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// One CSV file per table.
    Csv,
    /// One JSON file (an array of rows) per table.
    Json,
    /// One Apache Parquet file per table, with the column types the core declares.
    Parquet,
}

/// Runs the command; the exit code is 0 when the tables were written.
pub fn run(args: SimulateArgs) -> Result<ExitCode, CliError> {
    let scenario = Scenario::from_file(&args.scenario)?;
    let sim = Simulation::new(scenario)?;
    let options = RunOptions {
        seed: args.seed,
        replications: args.replications,
        threads: args.threads,
    };
    let bar = Bar::new(!args.quiet && std::io::stderr().is_terminal());
    let started = Instant::now();
    let results = sim.run_with_progress(&options, &|p| bar.show(p))?;
    bar.finish();
    let elapsed = started.elapsed();
    let files = match args.format {
        OutputFormat::Csv => results.write(&args.out, TableFormat::Csv),
        OutputFormat::Json => results.write(&args.out, TableFormat::Json),
        OutputFormat::Parquet => write_parquet(&results, &args.out),
    }?;
    let info = &results.info;
    eprintln!(
        "{}: {} replication{} of {:.0} person-years ({} days, {} people), {} encounters with the program, in {:.2} s",
        args.scenario.display(),
        info.replications,
        if info.replications == 1 { "" } else { "s" },
        info.person_years,
        info.days,
        info.population,
        info.encounters,
        elapsed.as_secs_f64()
    );
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<20} {:>14} {:>16} {:>14}",
        "mean per replication", "program", "counterfactual", "avoided"
    );
    for measure in [
        "encounters",
        "deflections",
        "diversions",
        "linked",
        "arrests",
        "bookings",
        "jail_bed_days",
        "overdoses",
        "overdose_deaths",
        "total_cost",
    ] {
        let mean = |column: &str| {
            results
                .summary
                .iter()
                .find(|s| s.measure == measure && s.column == column)
                .map_or(0.0, |s| s.mean)
        };
        let _ = writeln!(
            out,
            "{:<20} {:>14.1} {:>16.1} {:>14.1}",
            measure,
            mean("program"),
            mean("counterfactual"),
            mean("avoided")
        );
    }
    eprintln!("wrote {} files to {}", files.len(), args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on standard error, drawn only on a terminal.
struct Bar {
    on: bool,
    last: Mutex<u64>,
}

impl Bar {
    fn new(on: bool) -> Bar {
        Bar {
            on,
            last: Mutex::new(u64::MAX),
        }
    }

    fn show(&self, p: Progress) {
        if !self.on || p.total == 0 {
            return;
        }
        let permille = p.done.min(p.total) * 1000 / p.total;
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *last != u64::MAX && permille <= *last {
            return;
        }
        *last = permille;
        let width = 40u64;
        let filled = usize::try_from(permille * width / 1000).unwrap_or(0);
        let empty = usize::try_from(width).unwrap_or(40).saturating_sub(filled);
        eprint!(
            "\rsimulating [{}{}] {:>3}%  {}/{} simulated days",
            "#".repeat(filled),
            " ".repeat(empty),
            permille / 10,
            p.done.min(p.total),
            p.total
        );
        let _ = std::io::stderr().flush();
    }

    fn finish(&self) {
        if self.on {
            eprint!("\r{}\r", " ".repeat(90));
            let _ = std::io::stderr().flush();
        }
    }
}

/// Writes every table as Parquet, with the column types the core declares for it (an empty
/// table keeps its columns), and `run.json`, in the order `SimResults::write` writes them.
fn write_parquet(results: &SimResults, out: &Path) -> Result<Vec<PathBuf>, SimError> {
    std::fs::create_dir_all(out).map_err(|e| SimError::Output {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    let mut files = Vec::with_capacity(SimResults::TABLES.len() + 1);
    for table in results.tables() {
        let path = out.join(format!("{}.parquet", table.name()));
        write_parquet_table(table, &path).map_err(|message| SimError::Output {
            path: path.display().to_string(),
            message,
        })?;
        files.push(path);
    }
    files.push(results.write_info(out)?);
    Ok(files)
}

/// Writes one table to a Parquet file.
fn write_parquet_table(table: Table<'_>, path: &Path) -> Result<(), String> {
    let batch = table
        .to_record_batch()
        .map_err(|e| format!("cannot build the table: {e}"))?;
    let file = std::fs::File::create(path).map_err(|e| format!("cannot create the file: {e}"))?;
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None)
        .map_err(|e| format!("cannot start the Parquet file: {e}"))?;
    writer
        .write(&batch)
        .map_err(|e| format!("cannot write Parquet: {e}"))?;
    writer
        .close()
        .map_err(|e| format!("cannot finish the Parquet file: {e}"))?;
    Ok(())
}
