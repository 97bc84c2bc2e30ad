//! `offramp simulate`: run a scenario with and without its program and write the tables.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use offramp::sim::{Progress, RunOptions, Scenario, SimError, Simulation, TableFormat};

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
    /// One Apache Parquet file per table (column types inferred from the values).
    Parquet,
}

fn describe(e: SimError) -> String {
    match e {
        SimError::Program { path, source } => {
            format!("{path}: the program does not load:\n{}", source.render())
        }
        other => other.to_string(),
    }
}

/// Runs the command; the exit code is 0 when the tables were written.
pub fn run(args: SimulateArgs) -> Result<ExitCode, String> {
    let (format, parquet) = match args.format {
        OutputFormat::Csv => (TableFormat::Csv, false),
        OutputFormat::Json => (TableFormat::Json, false),
        // Written as CSV first, then converted table by table.
        OutputFormat::Parquet => (TableFormat::Csv, true),
    };
    let scenario = Scenario::from_file(&args.scenario).map_err(|e| e.to_string())?;
    let sim = Simulation::new(scenario).map_err(describe)?;
    let options = RunOptions {
        seed: args.seed,
        replications: args.replications,
        threads: args.threads,
    };
    let bar = Bar::new(!args.quiet && std::io::stderr().is_terminal());
    let started = Instant::now();
    let results = sim
        .run_with_progress(&options, &|p| bar.show(p))
        .map_err(describe)?;
    bar.finish();
    let elapsed = started.elapsed();
    let mut files = results.write(&args.out, format).map_err(describe)?;
    if parquet {
        files = files
            .into_iter()
            .map(|f| {
                if f.extension().is_some_and(|e| e == "csv") {
                    csv_to_parquet(&f)
                } else {
                    Ok(f)
                }
            })
            .collect::<Result<_, _>>()?;
    }
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

/// Converts one written CSV table into Parquet beside it (the CSV is removed), inferring each
/// column's type from its values.
fn csv_to_parquet(csv_path: &std::path::Path) -> Result<std::path::PathBuf, String> {
    use std::sync::Arc;
    let shown = csv_path.display().to_string();
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("{shown}: {what}: {e}");
    let text = std::fs::read(csv_path).map_err(|e| fail("cannot read", &e))?;
    let (schema, _) = arrow_csv::reader::Format::default()
        .with_header(true)
        .infer_schema(std::io::Cursor::new(&text), None)
        .map_err(|e| fail("cannot infer column types", &e))?;
    let schema = Arc::new(schema);
    let reader = arrow_csv::ReaderBuilder::new(schema.clone())
        .with_header(true)
        .build(std::io::Cursor::new(&text))
        .map_err(|e| fail("cannot read as a table", &e))?;
    let out_path = csv_path.with_extension("parquet");
    let file =
        std::fs::File::create(&out_path).map_err(|e| fail("cannot create the Parquet file", &e))?;
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, None)
        .map_err(|e| fail("cannot start the Parquet file", &e))?;
    for batch in reader {
        let batch = batch.map_err(|e| fail("cannot read a row", &e))?;
        writer
            .write(&batch)
            .map_err(|e| fail("cannot write Parquet", &e))?;
    }
    writer
        .close()
        .map_err(|e| fail("cannot finish the Parquet file", &e))?;
    std::fs::remove_file(csv_path).map_err(|e| fail("cannot remove the CSV", &e))?;
    Ok(out_path)
}
