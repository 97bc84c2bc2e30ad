//! Reading JSON lines (or any line-oriented text) one line at a time, with a cap on how long a
//! line may be.
//!
//! Every reader of line-oriented input in offramp goes through [`Lines`]: the command's
//! `offramp route`, and a simulation's replayed encounters file (which Python's `offramp.sim`
//! reads through the core too). A line longer than the cap is not kept in memory: its bytes
//! past the cap are read and dropped until its end, and it is reported as
//! [`LineProblem::TooLong`] with its line number, so the lines after it are still read. Memory
//! therefore stays within the cap (plus the reader's buffer) whatever the input holds.
//!
//! ```
//! use offramp::lines::{LineProblem, Lines};
//!
//! let input = "\u{feff}{\"id\":\"a\"}\r\n\n{\"id\":\"0123456789\"}\n{\"id\":\"b\"}";
//! let read: Vec<_> = Lines::new(input.as_bytes(), 12)
//!     .map(|l| l.unwrap())
//!     .map(|l| (l.number, l.text))
//!     .collect();
//! assert_eq!(
//!     read,
//!     [
//!         (1, Ok("{\"id\":\"a\"}".to_string())),
//!         (3, Err(LineProblem::TooLong { limit: 12 })),
//!         (4, Ok("{\"id\":\"b\"}".to_string())),
//!     ]
//! );
//! ```
//!
//! A line that yields no decision is a [`LineFailure`]: the one record, in one place, that
//! `offramp route --errors inline` writes and `offramp serve` answers for such a line.

use std::io::{self, BufRead};

use crate::domain::EncounterError;

/// The longest line, in bytes (not counting its line ending), that offramp reads by default:
/// 1 MiB. An encounter is a few hundred bytes; a line this long is almost certainly not one.
/// The command's `--max-line-bytes` changes it for `offramp route`.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The UTF-8 byte-order mark some editors and spreadsheets put at the start of a file.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// Why one line could not be taken as text. The line is skipped; the lines after it are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    /// The line is longer than the cap; its text was not kept.
    #[error("the line is longer than {limit} bytes")]
    TooLong {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The line's bytes are not UTF-8.
    #[error("the line is not valid UTF-8")]
    NotUtf8,
}

/// One non-blank line of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Its 1-based number in the input, counting blank lines.
    pub number: usize,
    /// Its text without the line ending (`\n` or `\r\n`) or a leading byte-order mark, or why
    /// it cannot be had.
    pub text: Result<String, LineProblem>,
}

/// The non-blank lines of a reader, each at most a given number of bytes long (see the
/// [module documentation](self)). Blank lines (nothing but whitespace) are counted but not
/// returned. A byte-order mark at the start of the input is dropped, as some editors and
/// spreadsheets write one. An error of the reader itself ends the iteration after it is
/// returned.
pub struct Lines<R> {
    reader: R,
    limit: usize,
    number: usize,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`, each at most `limit` bytes long (not counting the line ending).
    pub fn new(reader: R, limit: usize) -> Lines<R> {
        Lines {
            reader,
            limit,
            number: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// The cap on a line's length, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// How many lines have been read so far, blank ones included: the number of the last line
    /// returned, or of a blank line after it. A reader error is in the line after this one.
    pub fn lines_read(&self) -> usize {
        self.number
    }

    /// Reads the next line into `buf`, keeping at most `limit + 2` bytes (room for the
    /// line's `\r\n`, and on the first line for a byte-order mark too). Returns `None` at the
    /// end of the input, otherwise whether the line was longer than that and so cut.
    fn read_raw(&mut self) -> io::Result<Option<bool>> {
        self.buf.clear();
        let extra = if self.number == 0 {
            BOM.len().saturating_add(2)
        } else {
            2
        };
        let keep = self.limit.saturating_add(extra);
        let mut cut = false;
        let mut any = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(any.then_some(cut));
            }
            any = true;
            let (used, ended) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i.saturating_add(1), true),
                None => (chunk.len(), false),
            };
            let piece = chunk.get(..used).unwrap_or(chunk);
            if !cut {
                let room = keep.saturating_sub(self.buf.len());
                if piece.len() > room {
                    cut = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(piece);
                }
            }
            self.reader.consume(used);
            if ended {
                return Ok(Some(cut));
            }
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<io::Result<Line>> {
        while !self.done {
            let cut = match self.read_raw() {
                Ok(Some(cut)) => cut,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            self.number = self.number.saturating_add(1);
            let mut bytes = self.buf.as_slice();
            if self.number == 1
                && let Some(rest) = bytes.strip_prefix(BOM)
            {
                bytes = rest;
            }
            if let Some(rest) = bytes.strip_suffix(b"\n") {
                bytes = rest;
            }
            if let Some(rest) = bytes.strip_suffix(b"\r") {
                bytes = rest;
            }
            let text = if cut || bytes.len() > self.limit {
                Err(LineProblem::TooLong { limit: self.limit })
            } else {
                match std::str::from_utf8(bytes) {
                    Ok(s) if s.trim().is_empty() => continue,
                    Ok(s) => Ok(s.to_owned()),
                    Err(_) => Err(LineProblem::NotUtf8),
                }
            };
            return Some(Ok(Line {
                number: self.number,
                text,
            }));
        }
        None
    }
}

/// Why one line of JSON-lines input has no decision: its number, and the field and column
/// when known; never a value from the line. Its JSON form ([`LineFailure::to_json`]) is
/// `{"error":{"line":2,"column":130,"field":"age","message":"..."}}`, with `column` and `field`
/// left out when unknown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineFailure {
    /// 1-based line in the input.
    pub line: usize,
    /// 1-based column (in characters) in that line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The encounter field at fault (`age`, `offenses[0].nibrs`, `.` for the whole object),
    /// when the line is an encounter at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl LineFailure {
    /// A failure of the whole line, with no field or column.
    pub fn new(line: usize, message: impl Into<String>) -> LineFailure {
        LineFailure {
            line,
            column: None,
            field: None,
            message: message.into(),
        }
    }

    /// An encounter that was refused: its field, and its column (a JSON line has one line of
    /// text, so only the column is news).
    pub fn encounter(line: usize, e: &EncounterError) -> LineFailure {
        LineFailure {
            line,
            column: e.position().map(|(_, column)| column),
            field: Some(e.field().to_string()),
            message: e.message().to_string(),
        }
    }

    /// A line that could not be read. `limit_name` is how the reader's surface names the cap
    /// (`--max-line-bytes` on the command line), when it has a name there.
    pub fn unreadable(line: usize, problem: LineProblem, limit_name: Option<&str>) -> LineFailure {
        match (problem, limit_name) {
            (LineProblem::TooLong { limit }, Some(name)) => LineFailure::new(
                line,
                format!("the line is longer than {name} ({limit} bytes); it is skipped"),
            ),
            (LineProblem::TooLong { limit }, None) => LineFailure::new(
                line,
                format!("the line is longer than {limit} bytes; it is skipped"),
            ),
            (LineProblem::NotUtf8, _) => LineFailure::new(line, "the line is not valid UTF-8"),
        }
    }

    /// A line whose deciding hit a bug (a panic caught at the line), so the others still run.
    pub fn internal(line: usize) -> LineFailure {
        LineFailure::new(
            line,
            "offramp failed inside while deciding this encounter (a bug: please report it); \
             the other lines are still routed",
        )
    }

    /// The failure as its one-line JSON record, `{"error":{...}}`.
    ///
    /// # Errors
    /// Only if serde_json refuses the record, which holds nothing but numbers and text.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        #[derive(serde::Serialize)]
        struct Record<'a> {
            error: &'a LineFailure,
        }
        serde_json::to_string(&Record { error: self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], limit: usize) -> Vec<(usize, Result<String, LineProblem>)> {
        Lines::new(input, limit)
            .map(|l| l.map(|l| (l.number, l.text)))
            .collect::<io::Result<_>>()
            .unwrap_or_default()
    }

    #[test]
    fn blank_lines_are_counted_but_not_returned() {
        assert_eq!(
            read(b"a\n\n  \r\nb", 10),
            [(1, Ok("a".into())), (4, Ok("b".into()))]
        );
    }

    #[test]
    fn the_cap_counts_the_text_not_the_line_ending() {
        assert_eq!(
            read(b"abcd\r\nabcde\nabcd", 4),
            [
                (1, Ok("abcd".into())),
                (2, Err(LineProblem::TooLong { limit: 4 })),
                (3, Ok("abcd".into())),
            ]
        );
    }

    #[test]
    fn a_long_line_is_skipped_across_many_buffer_fills_and_the_next_is_read() {
        // A reader whose buffer is smaller than the line, so the line arrives in pieces.
        let mut input = vec![b'x'; 10_000];
        input.extend_from_slice(b"\nnext\n");
        let reader = io::BufReader::with_capacity(16, input.as_slice());
        let mut lines = Lines::new(reader, 100);
        let first = lines.next().and_then(Result::ok);
        assert_eq!(
            first.map(|l| l.text),
            Some(Err(LineProblem::TooLong { limit: 100 }))
        );
        // Nothing beyond the cap was kept.
        assert!(lines.buf.capacity() <= 200, "{}", lines.buf.capacity());
        let second = lines.next().and_then(Result::ok);
        assert_eq!(
            second.map(|l| (l.number, l.text)),
            Some((2, Ok("next".into())))
        );
        assert!(lines.next().is_none());
    }

    #[test]
    fn bytes_that_are_not_utf8_fail_alone() {
        assert_eq!(
            read(b"\xff\xfe\nok\n", 10),
            [(1, Err(LineProblem::NotUtf8)), (2, Ok("ok".into()))]
        );
    }

    #[test]
    fn a_byte_order_mark_is_dropped_only_at_the_start_and_not_counted() {
        assert_eq!(
            read("\u{feff}a\n\u{feff}b\n".as_bytes(), 10),
            [(1, Ok("a".into())), (2, Ok("\u{feff}b".into()))]
        );
        assert_eq!(
            read("\u{feff}abcd\r\n".as_bytes(), 4),
            [(1, Ok("abcd".into()))]
        );
    }

    #[test]
    fn a_line_failure_is_one_json_record_with_no_value_from_the_line() {
        let e = crate::Encounter::from_json(
            r#"{"id":"a","at":"2026-01-01T00:00:00Z","age":"JaneDoe"}"#,
        )
        .unwrap_err();
        let f = LineFailure::encounter(3, &e);
        let json = f.to_json().unwrap();
        assert!(
            json.starts_with(r#"{"error":{"line":3,"column":"#),
            "{json}"
        );
        assert!(
            json.contains(r#""field":"age""#) && !json.contains("JaneDoe"),
            "{json}"
        );
        assert_eq!(
            LineFailure::unreadable(2, LineProblem::NotUtf8, None)
                .to_json()
                .unwrap(),
            r#"{"error":{"line":2,"message":"the line is not valid UTF-8"}}"#
        );
        let long = LineProblem::TooLong { limit: 10 };
        assert_eq!(
            LineFailure::unreadable(9, long, None).message,
            "the line is longer than 10 bytes; it is skipped"
        );
        assert_eq!(
            LineFailure::unreadable(9, long, Some("--max-line-bytes")).message,
            "the line is longer than --max-line-bytes (10 bytes); it is skipped"
        );
        assert!(
            LineFailure::internal(1)
                .message
                .contains("the other lines are still routed")
        );
    }
}
