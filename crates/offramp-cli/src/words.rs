//! How the command writes words: counts in sentences, text that came from input (an
//! encounter id, a service name) made safe to print on a terminal, and a report printed as
//! text or as JSON.

use std::io::Write as _;

use crate::error::CliError;

/// Prints a report on standard output: its text, or (when `json` is asked for) its JSON
/// document with one final newline. The one way `offramp analyze` and `offramp diff` print.
pub fn print_report(
    json: bool,
    text: impl FnOnce() -> String,
    to_json: impl FnOnce() -> serde_json::Result<String>,
) -> Result<(), CliError> {
    let out = if json {
        let mut doc = to_json().map_err(CliError::Json)?;
        doc.push('\n');
        doc
    } else {
        text()
    };
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(CliError::Stdout)
}

/// `1 pathway`, `2 pathways`: the count and the noun, plural when the count is not 1. Only for
/// nouns whose plural adds an `s`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `text` with every unprintable character written as its Rust escape, cut to at most `max`
/// characters: the core's, which the scenario report's text shares.
pub use offramp::text::printable;

/// `text` made printable and cut to at most `max` characters for a table cell: at a word
/// boundary (a space, comma or semicolon) where one falls in the last half of the cell, with
/// `…` to show that something was cut. Text that fits is returned whole.
pub fn fit(text: &str, max: usize) -> String {
    let whole = printable(text, usize::MAX);
    if whole.chars().count() <= max {
        return whole;
    }
    let room = max.saturating_sub(1);
    let cut = printable(text, room);
    let chars: Vec<char> = cut.chars().collect();
    let boundary = chars
        .iter()
        .rposition(|c| matches!(c, ' ' | ',' | ';'))
        .filter(|&i| i >= room / 2);
    let kept: String = match boundary {
        Some(i) => chars.iter().take(i).collect(),
        None => cut,
    };
    format!("{}…", kept.trim_end_matches([' ', ',', ';']))
}

/// Lines of text from input made safe to print: as [`printable`] within each line, with the
/// line breaks kept. For the sentences of `explain`.
pub fn printable_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(body) => format!("{}\n", printable(body, usize::MAX)),
            None => printable(line, usize::MAX),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{count, fit, printable, printable_lines};

    #[test]
    fn a_cell_is_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(fit("withdrawal management", 40), "withdrawal management");
        assert_eq!(fit("withdrawal management unit", 20), "withdrawal…");
        assert_eq!(
            fit("naloxone_plus, first_responder_referral", 30),
            "naloxone_plus…"
        );
        // No boundary in the last half: cut inside the word, still marked.
        assert_eq!(fit("abcdefghijklmnopqrstuvwxyz", 10), "abcdefghi…");
        assert!(fit("a\u{1b}[31m long text with an escape", 12).ends_with('…'));
        assert!(
            fit("a\u{1b}[31m long text with an escape", 12)
                .chars()
                .count()
                <= 12
        );
    }

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(0, "rule"), "0 rules");
        assert_eq!(count(1, "rule"), "1 rule");
        assert_eq!(count(2, "rule"), "2 rules");
    }

    #[test]
    fn control_characters_are_escaped_and_never_cut_in_half() {
        assert_eq!(printable("a\nb\u{1b}[31mc", 100), "a\\nb\\u{1b}[31mc");
        assert_eq!(printable("ab\u{1b}", 5), "ab");
        assert_eq!(printable("x\u{202e}y", 100), "x\\u{202e}y");
        assert_eq!(printable("kc-26-0001", 4), "kc-2");
        assert_eq!(printable("ünï", 100), "ünï");
        assert_eq!(printable_lines("a\tb\nc\r\n"), "a\\tb\nc\\r\n");
    }
}
