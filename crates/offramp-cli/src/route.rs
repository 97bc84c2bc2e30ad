//! `offramp route`: route encounters given as JSON lines, one decision per line.
//!
//! Each line is decided on its own: a line that cannot be read, is not an encounter, is longer
//! than `--max-line-bytes`, or even makes the core fail, is reported with its line number and
//! every other line is still routed (exit code 1 when any failed).

use std::cell::Cell;
use std::io::{self, BufRead, BufWriter, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Once;

use offramp::lines::{Line, LineFailure, LineProblem, Lines, MAX_LINE_BYTES};
use offramp::{Decision, Encounter, Router};

use crate::error::{CliError, Exit};
use crate::load::make_router;
use crate::words::{count, fit};

/// Arguments of `offramp route`.
#[derive(clap::Args, Debug, Clone)]
pub struct RouteArgs {
    /// The program file.
    #[arg(long, short)]
    pub program: PathBuf,
    /// Encounters as JSON lines; `-` or nothing reads standard input.
    pub input: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Json)]
    pub format: OutFormat,
    /// A provider directory: decisions then carry ranked partner options.
    #[arg(long)]
    pub providers: Option<PathBuf>,
    /// Where a line that fails is reported: on standard error, or in its place in the output
    /// (an error record instead of a decision, so output line N answers input line N).
    #[arg(long, value_enum, default_value_t = ErrorsTo::Stderr)]
    pub errors: ErrorsTo,
    /// The longest input line read, in bytes (line ending not counted); a longer line fails
    /// alone, with its number, and is never held in memory whole.
    #[arg(long, value_name = "BYTES", default_value_t = MAX_LINE_BYTES, value_parser = parse_line_cap)]
    pub max_line_bytes: usize,
}

/// How decisions are printed.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum OutFormat {
    /// One JSON decision per line.
    Json,
    /// A table for people: long cells cut at a word, with `…`.
    Table,
    /// CSV for spreadsheets, with a header row; nothing is cut.
    Csv,
}

/// Where failed lines are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorsTo {
    /// On standard error, as `FILE:LINE:COL: field: message`; the output holds decisions only.
    Stderr,
    /// In the output, in the failed line's place: `{"error": {"line", "column", "field",
    /// "message"}}` in JSON, a row starting `line N` in a table. JSON output then has one line
    /// for every input line (blank for a blank one), so output line N answers input line N.
    Inline,
}

/// Reads `--max-line-bytes`: a whole number of bytes, at least 1.
fn parse_line_cap(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| "expected a whole number of bytes, 1 or more".to_string())
}

/// Why one input line was not routed: the core's [`LineFailure`], one record for the command and
/// the service. What follows is how the command shows it.
type Failure = LineFailure;

/// How the command shows a line's failure: on standard error, and inline in each output format.
trait Shown {
    /// A failure of a line that could not be read, naming `--max-line-bytes`.
    fn problem(line: usize, problem: LineProblem) -> Self;
    /// `NAME:LINE:COL: field: message`, as standard error shows it.
    fn text(&self, name: &str) -> String;
    /// The record `--errors inline` writes in JSON output.
    fn json(&self) -> Result<String, CliError>;
    /// The row `--errors inline` writes in CSV.
    fn csv_row(&self) -> String;
    /// The row `--errors inline` writes in a table.
    fn row(&self) -> String;
}

impl Shown for Failure {
    fn problem(line: usize, problem: LineProblem) -> Failure {
        LineFailure::unreadable(line, problem, Some("--max-line-bytes"))
    }

    /// `NAME:LINE:COL: field: message`, as standard error shows it.
    fn text(&self, name: &str) -> String {
        let mut out = format!("{name}:{}", self.line);
        if let Some(c) = self.column {
            out.push_str(&format!(":{c}"));
        }
        if let Some(f) = &self.field {
            out.push_str(&format!(": {f}"));
        }
        out.push_str(&format!(": {}", self.message));
        out
    }

    /// The record `--errors inline` writes in JSON output:
    /// `{"error":{"line":2,"column":130,"field":"officer_note","message":"..."}}`.
    fn json(&self) -> Result<String, CliError> {
        self.to_json().map_err(CliError::Json)
    }

    /// The row `--errors inline` writes in CSV: empty cells but the last, `error`, which says
    /// `line N: field: message`.
    fn csv_row(&self) -> String {
        let what = match &self.field {
            Some(f) => format!("line {}: {f}: {}", self.line, self.message),
            None => format!("line {}: {}", self.line, self.message),
        };
        let mut cells = vec![String::new(); Row::COLUMNS.len().saturating_sub(1)];
        cells.push(what);
        csv_line(&cells)
    }

    /// The row `--errors inline` writes in a table.
    fn row(&self) -> String {
        let place = format!("line {}", self.line);
        let what = match &self.field {
            Some(f) => format!("{f}: {}", self.message),
            None => self.message.clone(),
        };
        format!("{place:<16} error: {}", fit(&what, 200))
    }
}

thread_local! {
    /// Set while an encounter is decided under [`isolated`]: a panic there is reported as that
    /// line's failure, so the panic hook stays silent.
    static ISOLATED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into `None`. The core is written not to panic on any input; this
/// keeps one encounter that finds a bug from ending the run for all the others.
fn isolated<T>(f: impl FnOnce() -> T) -> Option<T> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !ISOLATED.with(Cell::get) {
                default(info);
            }
        }));
    });
    ISOLATED.with(|i| i.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f)).ok();
    ISOLATED.with(|i| i.set(false));
    result
}

/// Decides one line: the decision, or why there is none.
fn decide(router: &Router, line: Line) -> Result<Decision, Failure> {
    let n = line.number;
    let text = line.text.map_err(|p| Failure::problem(n, p))?;
    match isolated(|| Encounter::from_json(&text).map(|e| router.route(&e))) {
        Some(Ok(decision)) => Ok(decision),
        Some(Err(e)) => Err(Failure::encounter(n, &e)),
        None => Err(Failure::internal(n)),
    }
}

/// Routes every line of the input. The exit code is 1 when any line failed.
pub fn run(args: RouteArgs) -> Result<ExitCode, CliError> {
    let router = make_router(&args.program, args.providers.as_deref())?;
    let (name, reader): (String, Box<dyn BufRead>) = match &args.input {
        Some(p) if p.as_os_str() != "-" => {
            // A path that starts like JSON and opens nothing is an encounter typed where a
            // file was expected: it is not repeated.
            let f = std::fs::File::open(p).map_err(|source| {
                if p.to_string_lossy()
                    .trim_start()
                    .starts_with(['{', '[', '"'])
                {
                    CliError::RouteInputJson(source)
                } else {
                    CliError::Read {
                        path: p.clone(),
                        source,
                    }
                }
            })?;
            (p.display().to_string(), Box::new(io::BufReader::new(f)))
        }
        _ => ("<stdin>".into(), Box::new(io::stdin().lock())),
    };
    let lines = Lines::new(reader, args.max_line_bytes);
    Routing {
        router: &router,
        name: &name,
        args: &args,
        out: BufWriter::new(io::stdout().lock()),
        routed: 0,
        failed: 0,
        answered: 0,
    }
    .all(lines)
}

/// Lines are read and routed in chunks so that large inputs use all cores in bounded memory:
/// a chunk ends at this many lines...
const CHUNK_LINES: usize = 16_384;
/// ...or once its lines hold this many bytes, whichever comes first.
const CHUNK_BYTES: usize = 64 << 20;

/// One run of `offramp route`: where decisions go and what has been counted.
struct Routing<'a, W: Write> {
    router: &'a Router,
    name: &'a str,
    args: &'a RouteArgs,
    out: W,
    routed: usize,
    failed: usize,
    /// The last input line that has its answer in the output.
    answered: usize,
}

impl<W: Write> Routing<'_, W> {
    fn all(mut self, mut lines: Lines<Box<dyn BufRead>>) -> Result<ExitCode, CliError> {
        match self.args.format {
            OutFormat::Table => {
                writeln!(self.out, "{}", Row::table_header()).map_err(CliError::Stdout)?;
            }
            OutFormat::Csv => {
                writeln!(self.out, "{}", Row::csv_header()).map_err(CliError::Stdout)?;
            }
            OutFormat::Json => {}
        }
        let mut chunk: Vec<Line> = Vec::new();
        let mut bytes = 0usize;
        while let Some(line) = lines.next() {
            let line = match line {
                Ok(line) => line,
                Err(source) => {
                    // What was read before the failure is still decided and written.
                    self.chunk(&mut chunk)?;
                    self.out.flush().map_err(CliError::Stdout)?;
                    return Err(CliError::ReadLine {
                        name: self.name.to_string(),
                        line: lines.lines_read().saturating_add(1),
                        source,
                    });
                }
            };
            bytes = bytes.saturating_add(line.text.as_ref().map_or(0, String::len));
            chunk.push(line);
            if chunk.len() >= CHUNK_LINES || bytes >= CHUNK_BYTES {
                self.chunk(&mut chunk)?;
                bytes = 0;
            }
        }
        self.chunk(&mut chunk)?;
        self.blank_lines_through(lines.lines_read())?;
        self.out.flush().map_err(CliError::Stdout)?;
        if self.failed > 0 {
            let _ = writeln!(
                io::stderr().lock(),
                "{}: {} failed, {} routed",
                self.name,
                count(self.failed, "line"),
                self.routed
            );
            return Ok(Exit::EncountersFailed.into());
        }
        Ok(Exit::Success.into())
    }

    /// With `--errors inline` and JSON output, a blank line for each blank input line up to
    /// line `through`, so that output line N answers input line N.
    fn blank_lines_through(&mut self, through: usize) -> Result<(), CliError> {
        if self.args.errors == ErrorsTo::Inline && matches!(self.args.format, OutFormat::Json) {
            while self.answered < through {
                self.answered = self.answered.saturating_add(1);
                writeln!(self.out).map_err(CliError::Stdout)?;
            }
        }
        Ok(())
    }

    /// Decides a chunk of lines on all cores and writes the answers in input order.
    fn chunk(&mut self, lines: &mut Vec<Line>) -> Result<(), CliError> {
        use rayon::prelude::*;
        let router = self.router;
        let results: Vec<(usize, Result<Decision, Failure>)> = lines
            .par_drain(..)
            .map(|line| (line.number, decide(router, line)))
            .collect();
        let mut err = io::stderr().lock();
        for (number, result) in results {
            self.blank_lines_through(number.saturating_sub(1))?;
            self.answered = number;
            match result {
                Ok(d) => {
                    self.routed = self.routed.saturating_add(1);
                    let text = match self.args.format {
                        OutFormat::Json => d.to_json().map_err(CliError::Json)?,
                        OutFormat::Table => Row::of(&d).table(),
                        OutFormat::Csv => Row::of(&d).csv(),
                    };
                    writeln!(self.out, "{text}").map_err(CliError::Stdout)?;
                }
                Err(failure) => {
                    self.failed = self.failed.saturating_add(1);
                    match (self.args.errors, self.args.format) {
                        (ErrorsTo::Stderr, _) => {
                            let _ = writeln!(err, "{}", failure.text(self.name));
                        }
                        (ErrorsTo::Inline, OutFormat::Json) => {
                            writeln!(self.out, "{}", failure.json()?).map_err(CliError::Stdout)?;
                        }
                        (ErrorsTo::Inline, OutFormat::Table) => {
                            writeln!(self.out, "{}", failure.row()).map_err(CliError::Stdout)?;
                        }
                        (ErrorsTo::Inline, OutFormat::Csv) => {
                            writeln!(self.out, "{}", failure.csv_row())
                                .map_err(CliError::Stdout)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// One decision as a row of `--format table` or `--format csv`: each column computed once,
/// here, for both.
struct Row {
    encounter: String,
    intercept: u8,
    basis: &'static str,
    disposition: &'static str,
    eligible: String,
    hold: String,
    partner: String,
    why: String,
    to_decide: String,
}

impl Row {
    /// The columns: their CSV names, and their table headings and widths (the last column of
    /// the table is not padded).
    const COLUMNS: [(&'static str, &'static str, usize); 10] = [
        ("encounter_id", "encounter", 16),
        ("intercept", "SI", 2),
        ("intercept_basis", "basis", 19),
        ("disposition", "disposition", 20),
        ("eligible", "eligible (in rank order)", 40),
        ("charge_hold_until", "charge hold until", 25),
        ("first_partner", "first partner offered", 30),
        ("why", "why", 60),
        ("to_decide", "to decide", 30),
        ("error", "", 0),
    ];

    fn of(d: &Decision) -> Row {
        let eligible: Vec<&str> = d.eligible.iter().map(|e| e.pathway.as_str()).collect();
        let hold = d
            .eligible
            .iter()
            .find_map(|e| e.charge_hold.as_ref())
            .map(|h| h.deadline.to_rfc3339())
            .unwrap_or_default();
        let partner = d
            .eligible
            .first()
            .and_then(|e| match (&e.providers, &e.provider_gap) {
                (Some(options), gap) => Some(match options.first() {
                    Some(o) if o.open_now => format!("{} (open)", o.service),
                    Some(o) => format!(
                        "{} (closed){}",
                        o.service,
                        if gap.is_some() { " GAP" } else { "" }
                    ),
                    None => "GAP: none fits".to_string(),
                }),
                (None, _) => None,
            })
            .unwrap_or_default();
        // Why: the rule that admitted the first pathway; for no pathway, the shortest of the
        // reasons that decided each pathway (its first reason).
        let why = match d.eligible.first() {
            Some(e) => format!("{}: rule `{}`", e.pathway.as_str(), e.rule),
            None => d
                .ineligible
                .iter()
                .filter_map(|i| i.reasons.first().map(|r| (i.pathway, r)))
                .min_by_key(|(_, r)| r.because.len())
                .map(|(p, r)| format!("{}: {}", p.as_str(), r.because))
                .unwrap_or_else(|| "the program offers no pathway".into()),
        };
        let to_decide = d
            .needs_information
            .iter()
            .map(|n| n.field.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Row {
            encounter: d.encounter_id.clone(),
            intercept: d.intercept.number(),
            basis: d.intercept_basis.as_str(),
            disposition: d.disposition.as_str(),
            eligible: eligible.join(", "),
            hold,
            partner,
            why,
            to_decide,
        }
    }

    fn cells(&self) -> [String; 10] {
        [
            self.encounter.clone(),
            self.intercept.to_string(),
            self.basis.to_string(),
            self.disposition.to_string(),
            self.eligible.clone(),
            self.hold.clone(),
            self.partner.clone(),
            self.why.clone(),
            self.to_decide.clone(),
            String::new(),
        ]
    }

    fn table_header() -> String {
        let cells = Self::COLUMNS.map(|(_, heading, _)| heading.to_string());
        Self::table_line(&cells)
    }

    /// A row for people: text from input (the encounter id, a service's name) with control
    /// characters escaped, so it cannot move the cursor or recolour the terminal; each cell
    /// cut at a word to its column's width.
    fn table(&self) -> String {
        let cells = self.cells();
        let fitted: Vec<String> = cells
            .iter()
            .zip(Self::COLUMNS)
            .map(|(c, (_, _, width))| match (c.is_empty(), width) {
                (true, _) => "-".to_string(),
                (false, 0) => fit(c, 200),
                (false, w) => fit(c, w),
            })
            .collect();
        Self::table_line(&fitted)
    }

    fn table_line(cells: &[String]) -> String {
        let mut line = String::new();
        // The last column (`error`) is empty in a decision's row and has no heading.
        let shown = Self::COLUMNS.len().saturating_sub(1);
        for (i, (cell, (_, _, width))) in cells.iter().zip(Self::COLUMNS).take(shown).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            if i.saturating_add(1) == shown {
                line.push_str(cell);
            } else if i == 1 {
                line.push_str(&format!("{cell:>width$}"));
            } else {
                line.push_str(&format!("{cell:<width$}"));
            }
        }
        line.trim_end().to_string()
    }

    fn csv_header() -> String {
        csv_line(&Self::COLUMNS.map(|(name, _, _)| name.to_string()))
    }

    fn csv(&self) -> String {
        csv_line(&self.cells())
    }
}

/// One CSV record (RFC 4180 quoting). A cell of input text that a spreadsheet would read as a
/// formula (starting `=`, `+`, `-`, `@`) is written with a leading `'`, so opening the file
/// runs nothing.
fn csv_line(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let guarded: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.starts_with(['=', '+', '@']) || (c.starts_with('-') && c.len() > 1) {
                format!("'{c}")
            } else {
                c.clone()
            }
        })
        .collect();
    // Writing to a Vec cannot fail; a failure would leave the record empty, never panic.
    let _ = w.write_record(&guarded);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_deciding_is_a_failure_of_that_line_only() {
        assert_eq!(isolated(|| 7), Some(7));
        #[allow(clippy::panic)]
        let failed = isolated(|| -> u8 { panic!("a bug in the core") });
        assert_eq!(failed, None);
        // The thread is fine afterwards and no longer isolating.
        assert_eq!(isolated(|| "next"), Some("next"));
        assert!(!ISOLATED.with(Cell::get));
    }

    #[test]
    fn a_failure_is_placed_at_its_line_and_column_once() {
        // Columns count characters: the three `é` before the error are three columns.
        let ascii = r#"{"id":"eee","at":"2026-01-01T00:00:00Z","age":"x"}"#;
        let e = Encounter::from_json(&ascii.replace("eee", "ééé")).unwrap_err();
        let column = ascii.find(r#""x""#).unwrap() + 3;
        let f = Failure::encounter(4, &e);
        assert_eq!(
            f.text("in.jsonl"),
            format!("in.jsonl:4:{column}: age: invalid type: string, expected u16")
        );
        let json: serde_json::Value = serde_json::from_str(&f.json().unwrap()).unwrap();
        assert_eq!(json["error"]["line"], 4);
        assert_eq!(json["error"]["field"], "age");
        let long = Failure::problem(9, LineProblem::TooLong { limit: 10 });
        assert_eq!(
            long.text("<stdin>"),
            "<stdin>:9: the line is longer than --max-line-bytes (10 bytes); it is skipped"
        );
    }
}
