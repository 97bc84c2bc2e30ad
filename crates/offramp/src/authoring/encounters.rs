//! A file of encounters read whole, for the tools that need every encounter at once: the
//! analysis counts how many of them fall in each gap (`offramp analyze --encounters`, Python's
//! `offramp.analyze(encounters=PATH)`).
//!
//! The file is JSON lines, read through [`crate::lines`] with its cap on a line's length. A
//! line that is not an encounter is counted and kept with its line number (the first
//! [`MAX_FAILURES_KEPT`] of them), never with its text, and the lines after it are still read.
//! At most [`MAX_ENCOUNTERS`] encounters are held.
//!
//! ```
//! use offramp::authoring::encounters::read_encounter_lines;
//! let input = "{\"id\":\"a\",\"at\":\"2026-03-02T10:00:00-06:00\"}\nnot json\n";
//! let file = read_encounter_lines(input.as_bytes(), 1 << 20).unwrap();
//! assert_eq!((file.encounters.len(), file.failed), (1, 1));
//! assert_eq!(file.failures[0].line, 2);
//! ```

use std::io::BufRead;

use super::diff::{EncounterFailure, MAX_FAILURES_KEPT, ReadError, each_encounter};
use crate::domain::Encounter;

/// The most encounters read from one file (1,000,000): an analysis holds them all at once to
/// count them by gap. A larger file is refused at the first line past the limit; a sample of
/// it answers the same question.
pub const MAX_ENCOUNTERS: usize = 1_000_000;

/// The encounters of a file, and the lines that are not encounters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EncounterLines {
    /// The encounters, in file order.
    pub encounters: Vec<Encounter>,
    /// How many lines could not be read as encounters.
    pub failed: usize,
    /// The first of them, at most [`MAX_FAILURES_KEPT`], by line.
    pub failures: Vec<EncounterFailure>,
}

/// Why a file of encounters could not be read whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncounterLinesError {
    /// The reader failed part way.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The file holds more than [`MAX_ENCOUNTERS`] encounters.
    #[error(
        "line {line}: the file holds more than {limit} encounters, the most read at once; give a sample of it"
    )]
    TooMany {
        /// The line of the first encounter past the limit.
        line: usize,
        /// [`MAX_ENCOUNTERS`].
        limit: usize,
    },
}

/// Reads every encounter of JSON lines, each line at most `max_line_bytes` long (see
/// [`crate::lines`]). Blank lines are skipped; a line that is not an encounter is counted in
/// [`EncounterLines::failed`] with its line number and the others are read.
///
/// # Errors
/// When the reader fails (naming the line), or past [`MAX_ENCOUNTERS`] encounters.
pub fn read_encounter_lines(
    reader: impl BufRead,
    max_line_bytes: usize,
) -> Result<EncounterLines, EncounterLinesError> {
    read_at_most(reader, max_line_bytes, MAX_ENCOUNTERS)
}

/// [`read_encounter_lines`] with `limit` in place of [`MAX_ENCOUNTERS`].
fn read_at_most(
    reader: impl BufRead,
    max_line_bytes: usize,
    limit: usize,
) -> Result<EncounterLines, EncounterLinesError> {
    let mut out = EncounterLines::default();
    for read in each_encounter(reader, max_line_bytes) {
        match read? {
            Ok((n, encounter)) => {
                if out.encounters.len() >= limit {
                    return Err(EncounterLinesError::TooMany { line: n, limit });
                }
                out.encounters.push(encounter);
            }
            Err(failure) => {
                out.failed = out.failed.saturating_add(1);
                if out.failures.len() < MAX_FAILURES_KEPT {
                    out.failures.push(failure);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn bad_lines_are_counted_by_number_without_their_text_and_the_others_read() {
        let good = r#"{"id":"a","at":"2026-03-02T10:00:00-06:00","age":30}"#;
        let input = format!(
            "{good}\n\n{{\"id\":\"Jane Doe\",\"age\":\"Jane\"}}\n{}\n{good}\n",
            "x".repeat(300)
        );
        let file = read_encounter_lines(input.as_bytes(), 200).unwrap();
        assert_eq!((file.encounters.len(), file.failed), (2, 2));
        let lines: Vec<usize> = file.failures.iter().map(|f| f.line).collect();
        assert_eq!(lines, [3, 4]);
        assert_eq!(file.failures[0].field.as_deref(), Some("age"));
        assert!(!file.failures[0].message.contains("Jane"));
        assert!(file.failures[1].message.contains("longer than 200 bytes"));
    }

    #[test]
    fn a_file_past_the_limit_is_refused_at_the_first_line_past_it() {
        let good = r#"{"id":"a","at":"2026-03-02T10:00:00-06:00"}"#;
        let input = format!("{good}\nnot json\n{good}\n{good}\n");
        match read_at_most(input.as_bytes(), 200, 2) {
            Err(EncounterLinesError::TooMany { line, limit }) => assert_eq!((line, limit), (4, 2)),
            other => panic!("{other:?}"),
        }
    }
}
