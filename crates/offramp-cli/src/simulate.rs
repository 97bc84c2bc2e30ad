//! `offramp simulate`: run a scenario with and without its program and write the tables.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::error::CliError;
use offramp::sim::{
    Progress, RunOptions, Scenario, SimError, SimResults, Simulation, Table, TableFormat,
    thread_cap,
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
    /// Worker threads (default: one per core; more than the machine's cores are not started);
    /// results do not depend on it.
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
    /// Run even when the estimated work (people x days x replications, and the encounters
    /// expected) is above the budget in docs/limits.md.
    #[arg(long)]
    pub allow_large: bool,
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
        allow_large: args.allow_large,
    };
    if let Some(n) = args.threads
        && n > thread_cap()
    {
        eprintln!(
            "offramp: --threads {n}: this machine has {cap} core{s}, so {cap} thread{s} will run",
            cap = thread_cap(),
            s = if thread_cap() == 1 { "" } else { "s" }
        );
    }
    let bar = Bar::new(!args.quiet && std::io::stderr().is_terminal());
    let started = Instant::now();
    let results = sim.run_with_progress(&options, &|p| bar.show(p));
    bar.finish();
    let results = results?;
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
    let _ = std::io::stdout()
        .lock()
        .write_all(results.report().as_bytes());
    eprintln!("wrote {} files to {}", files.len(), args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on standard error (indicatif), drawn only on a terminal, with the rate and
/// the time left, redrawn at most a few times a second however often the engine reports.
struct Bar {
    bar: Option<ProgressBar>,
}

/// Redraws per second.
const REDRAW_HZ: u8 = 4;

impl Bar {
    fn new(on: bool) -> Bar {
        if !on {
            return Bar { bar: None };
        }
        let bar =
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(REDRAW_HZ));
        let style = ProgressStyle::with_template(
            "simulating [{bar:40}] {percent:>3}%  {human_pos}/{human_len} simulated days, {rate} days/s, {eta} left",
        )
        .map(|s| {
            s.progress_chars("#>-")
                .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}", state.per_sec());
                })
        })
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar { bar: Some(bar) }
    }

    fn show(&self, p: Progress) {
        if let Some(bar) = &self.bar {
            if bar.length() != Some(p.total) {
                bar.set_length(p.total);
            }
            bar.set_position(p.done.min(p.total));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
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
    let mut files = Vec::with_capacity(SimResults::TABLES.len() + 2);
    for table in results.tables() {
        let path = out.join(format!("{}.parquet", table.name()));
        write_parquet_table(table, &path).map_err(|message| SimError::Output {
            path: path.display().to_string(),
            message,
        })?;
        files.push(path);
    }
    files.push(results.write_info(out)?);
    files.push(results.write_report(out)?);
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
