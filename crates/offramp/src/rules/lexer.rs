//! Turns rule text into tokens with byte spans.

use std::ops::Range;

use super::ParseError;

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Int(i64),
    Number(f64),
    Text(String),
    /// A duration in seconds.
    Duration(i64),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
}

impl Tok {
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Int(n) => format!("number `{n}`"),
            Tok::Number(n) => format!("number `{n}`"),
            Tok::Text(_) => "a text literal".into(),
            Tok::Duration(_) => "a duration".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Dot => "`.`".into(),
            Tok::Eq => "`==`".into(),
            Tok::Ne => "`!=`".into(),
            Tok::Lt => "`<`".into(),
            Tok::Le => "`<=`".into(),
            Tok::Gt => "`>`".into(),
            Tok::Ge => "`>=`".into(),
            Tok::Eof => "the end of the rule".into(),
        }
    }
}

/// Duration units. A year is 365 days: a look-back such as `within 10y` counts days, not
/// calendar years, so it ignores leap days.
const UNITS: &[(char, i64)] = &[
    ('y', 31_536_000),
    ('w', 604_800),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
];

#[expect(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "byte positions in one rule's text, which the program loader caps at MAX_RULE_BYTES; the scanner reads only positions it has compared with the text's length"
)]
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b')' | b'[' | b']' | b',' | b'.' => {
                let kind = match c {
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b'[' => Tok::LBracket,
                    b']' => Tok::RBracket,
                    b',' => Tok::Comma,
                    _ => Tok::Dot,
                };
                i += 1;
                out.push(Token {
                    kind,
                    span: start..i,
                });
            }
            b'=' | b'!' | b'<' | b'>' => {
                let next = bytes.get(i + 1).copied();
                let (kind, len) = match (c, next) {
                    (b'=', Some(b'=')) => (Tok::Eq, 2),
                    (b'!', Some(b'=')) => (Tok::Ne, 2),
                    (b'<', Some(b'=')) => (Tok::Le, 2),
                    (b'>', Some(b'=')) => (Tok::Ge, 2),
                    (b'=', Some(turned @ (b'<' | b'>'))) | (b'<', Some(turned @ b'>')) => {
                        let meant = match turned {
                            b'<' => "<=",
                            b'>' if c == b'=' => ">=",
                            _ => "!=",
                        };
                        return Err(ParseError::new(
                            start..start + 2,
                            format!("`{}` is not an operator", &src[start..start + 2]),
                            Some(&format!("write `{meant}`")),
                        ));
                    }
                    (b'<', _) => (Tok::Lt, 1),
                    (b'>', _) => (Tok::Gt, 1),
                    (b'=', _) => {
                        return Err(ParseError::new(
                            start..start + 1,
                            "`=` is not an operator",
                            Some("write `==` to compare"),
                        ));
                    }
                    _ => {
                        return Err(ParseError::new(
                            start..start + 1,
                            "`!` is not an operator",
                            Some("write `not` for negation, or `!=` for inequality"),
                        ));
                    }
                };
                i += len;
                out.push(Token {
                    kind,
                    span: start..i,
                });
            }
            b'&' | b'|' => {
                let word = if c == b'&' { "and" } else { "or" };
                let len = if bytes.get(i + 1) == Some(&c) { 2 } else { 1 };
                return Err(ParseError::new(
                    start..start + len,
                    format!("`{}` is not an operator", &src[start..start + len]),
                    Some(&format!("write `{word}`")),
                ));
            }
            b'"' => {
                i += 1;
                let mut text = String::new();
                loop {
                    let Some(&b) = bytes.get(i) else {
                        return Err(ParseError::new(
                            start..i,
                            "this text literal is never closed",
                            Some("add a closing `\"`"),
                        ));
                    };
                    match b {
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\\' => match bytes.get(i + 1) {
                            Some(b'"') => {
                                text.push('"');
                                i += 2;
                            }
                            Some(b'\\') => {
                                text.push('\\');
                                i += 2;
                            }
                            _ => {
                                return Err(ParseError::new(
                                    i..(i + 2).min(bytes.len()),
                                    "unknown escape in text",
                                    Some("only `\\\"` and `\\\\` are escapes"),
                                ));
                            }
                        },
                        b'\n' => {
                            return Err(ParseError::new(
                                start..i,
                                "a text literal may not span lines",
                                Some("add a closing `\"`"),
                            ));
                        }
                        _ => {
                            // Copy one whole UTF-8 character.
                            let ch_len = src[i..].chars().next().map_or(1, char::len_utf8);
                            text.push_str(&src[i..i + ch_len]);
                            i += ch_len;
                        }
                    }
                }
                out.push(Token {
                    kind: Tok::Text(text),
                    span: start..i,
                });
            }
            b'-' | b'0'..=b'9' => {
                let (kind, end) = lex_number(src, start)?;
                i = end;
                out.push(Token {
                    kind,
                    span: start..end,
                });
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push(Token {
                    kind: Tok::Ident(src[start..i].to_string()),
                    span: start..i,
                });
            }
            _ => {
                let ch_len = src[i..].chars().next().map_or(1, char::len_utf8);
                return Err(ParseError::new(
                    start..start + ch_len,
                    format!("unexpected character `{}`", &src[start..start + ch_len]),
                    None,
                ));
            }
        }
    }
    out.push(Token {
        kind: Tok::Eof,
        span: src.len()..src.len(),
    });
    Ok(out)
}

#[expect(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "byte positions in one rule's text, which the program loader caps at MAX_RULE_BYTES; the scanner reads only positions it has compared with the text's length"
)]
fn lex_number(src: &str, start: usize) -> Result<(Tok, usize), ParseError> {
    let bytes = src.as_bytes();
    let mut i = start;
    if bytes[i] == b'-' {
        i += 1;
        if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
            return Err(ParseError::new(
                start..start + 1,
                "`-` must be followed by a number",
                None,
            ));
        }
    }
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let is_decimal =
        bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
    if is_decimal {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let value: f64 = src[start..i]
            .parse()
            .map_err(|_| ParseError::new(start..i, "this number cannot be read", None))?;
        if bytes.get(i).is_some_and(|b| b.is_ascii_alphabetic()) {
            return Err(ParseError::new(
                start..i + 1,
                "a duration must be whole units, such as `90m` or `1d12h`",
                None,
            ));
        }
        spelled_duration(src, start, i, value)?;
        return Ok((Tok::Number(value), i));
    }
    if !bytes.get(i).is_some_and(|b| b.is_ascii_alphabetic()) {
        let value: i64 = src[start..i]
            .parse()
            .map_err(|_| ParseError::new(start..i, "this number is too large", None))?;
        spelled_duration(src, start, i, value as f64)?;
        return Ok((Tok::Int(value), i));
    }
    // A duration: digits and a unit, repeated (`1d12h`).
    if bytes[start] == b'-' {
        return Err(ParseError::new(
            start..i,
            "a duration cannot be negative",
            None,
        ));
    }
    let mut total: i64 = 0;
    let mut j = start;
    loop {
        let digits_start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j == digits_start {
            break;
        }
        let amount: i64 = src[digits_start..j]
            .parse()
            .map_err(|_| ParseError::new(digits_start..j, "this duration is too large", None))?;
        let unit_start = j;
        while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
            j += 1;
        }
        let unit = &src[unit_start..j];
        let secs = match unit.chars().next() {
            Some(u) if unit.len() == 1 => UNITS.iter().find(|(c, _)| *c == u).map(|(_, s)| *s),
            _ => None,
        };
        let Some(secs) = secs else {
            let help = match spelled_unit(unit) {
                Some(Spelled::Unit(letter, _)) => {
                    format!("write `{}{letter}`", &src[digits_start..unit_start])
                }
                _ => UNITS_HELP.to_string(),
            };
            return Err(ParseError::new(
                unit_start..j.max(unit_start + 1),
                format!("unknown duration unit `{unit}`"),
                Some(&help),
            ));
        };
        total = amount
            .checked_mul(secs)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(|| ParseError::new(start..j, "this duration is too large", None))?;
    }
    if bytes
        .get(j)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return Err(ParseError::new(start..j + 1, "malformed duration", None));
    }
    Ok((Tok::Duration(total), j))
}

/// The units a duration may be written in, for help texts.
const UNITS_HELP: &str =
    "units are `m` (minutes), `h` (hours), `d` (days), `w` (weeks) and `y` (years of 365 days)";

/// What a unit spelt out as a word (`days`, `hrs`) stands for.
enum Spelled {
    /// One of the lexer's units: its letter and its length in seconds.
    Unit(char, i64),
    /// A unit of time the language has no unit for (months, seconds).
    Missing,
}

/// Reads a word written where a duration's unit letter belongs: `days` is `d`. Case is ignored.
fn spelled_unit(word: &str) -> Option<Spelled> {
    let letter = match word.to_ascii_lowercase().as_str() {
        "y" | "yr" | "yrs" | "year" | "years" => 'y',
        "w" | "wk" | "wks" | "week" | "weeks" => 'w',
        "d" | "day" | "days" => 'd',
        "h" | "hr" | "hrs" | "hour" | "hours" => 'h',
        "m" | "min" | "mins" | "minute" | "minutes" => 'm',
        "mo" | "month" | "months" | "s" | "sec" | "secs" | "second" | "seconds" => {
            return Some(Spelled::Missing);
        }
        _ => return None,
    };
    UNITS
        .iter()
        .find(|(c, _)| *c == letter)
        .map(|(c, secs)| Spelled::Unit(*c, *secs))
}

/// Refuses a number followed by a space and a unit word (`3 days`, `1.5 hours`): nothing in the
/// language may follow a number that way, and the author meant a duration. The help gives the
/// spelling the lexer reads (`3d`; `1h30m` for `1.5 hours`). `end` is where the number ends.
#[expect(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "byte positions in one rule's text, which the program loader caps at MAX_RULE_BYTES; the scanner reads only positions it has compared with the text's length"
)]
fn spelled_duration(src: &str, start: usize, end: usize, amount: f64) -> Result<(), ParseError> {
    let bytes = src.as_bytes();
    let mut word_start = end;
    while word_start < bytes.len() && matches!(bytes[word_start], b' ' | b'\t') {
        word_start += 1;
    }
    if word_start == end {
        return Ok(());
    }
    let mut word_end = word_start;
    while word_end < bytes.len()
        && (bytes[word_end].is_ascii_alphanumeric() || bytes[word_end] == b'_')
    {
        word_end += 1;
    }
    let Some(spelled) = spelled_unit(&src[word_start..word_end]) else {
        return Ok(());
    };
    let written = format!("{} {}", &src[start..end], &src[word_start..word_end]);
    let help = match spelled {
        Spelled::Unit(letter, _) if amount >= 0.0 && !src[start..end].contains('.') => {
            format!("write `{}{letter}`, with no space", &src[start..end])
        }
        Spelled::Unit(_, secs) => {
            let total = amount * secs as f64;
            if total > 0.0 && total < i64::MAX as f64 && total % 60.0 == 0.0 {
                format!("write `{}`", exact_duration(total as i64))
            } else {
                format!("write a whole number of a unit, with no space: {UNITS_HELP}")
            }
        }
        Spelled::Missing => format!("write a number and a unit, with no space: {UNITS_HELP}"),
    };
    Err(ParseError::new(
        start..word_end,
        format!("`{written}` is not a duration"),
        Some(&help),
    ))
}

/// Writes whole minutes exactly, in days, hours and minutes (`1d12h`, `2h30m`).
#[expect(
    clippy::arithmetic_side_effects,
    reason = "divisions and remainders by non-zero constants of a positive number"
)]
fn exact_duration(secs: i64) -> String {
    let mut left = secs / 60;
    let mut out = String::new();
    for (letter, minutes) in [('d', 24 * 60), ('h', 60), ('m', 1)] {
        if left >= minutes {
            out.push_str(&format!("{}{letter}", left / minutes));
            left %= minutes;
        }
    }
    out
}

/// Formats a duration in seconds the way the lexer reads it back: whole days of a week or
/// more as days (`90d`), whole hours as hours (`72h`, `24h`), anything else as hours and
/// minutes (`1h30m`).
pub(crate) fn format_duration(secs: i64) -> String {
    let mut s = String::new();
    write_duration(&mut s, secs);
    s
}

/// Appends [`format_duration`]'s text to `s`.
pub(crate) fn write_duration(s: &mut String, secs: i64) {
    use std::fmt::Write as _;
    let minutes = secs.saturating_add(59) / 60;
    let _ = if minutes == 0 {
        s.write_str("0h")
    } else if minutes % (24 * 60) == 0 && minutes >= 7 * 24 * 60 {
        write!(s, "{}d", minutes / (24 * 60))
    } else if minutes % 60 == 0 {
        write!(s, "{}h", minutes / 60)
    } else if minutes < 60 {
        write!(s, "{minutes}m")
    } else {
        write!(s, "{}h{}m", minutes / 60, minutes % 60)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn durations() {
        assert_eq!(kinds("72h")[0], Tok::Duration(72 * 3600));
        assert_eq!(kinds("1d12h")[0], Tok::Duration(36 * 3600));
        assert_eq!(kinds("2w")[0], Tok::Duration(14 * 86400));
        assert_eq!(kinds("3y")[0], Tok::Duration(3 * 365 * 86400));
        assert!(lex("3q").is_err());
        assert!(lex("-3h").is_err());
        assert_eq!(format_duration(36 * 3600), "36h");
        assert_eq!(format_duration(72 * 3600), "72h");
        assert_eq!(format_duration(90 * 86400), "90d");
        assert_eq!(format_duration(45 * 60), "45m");
        assert_eq!(format_duration(90 * 60), "1h30m");
    }

    #[test]
    fn numbers_and_text() {
        assert_eq!(
            kinds("-2 0.5 \"a\\\"b\""),
            vec![
                Tok::Int(-2),
                Tok::Number(0.5),
                Tok::Text("a\"b".into()),
                Tok::Eof
            ]
        );
        assert!(lex("\"open").is_err());
        assert!(lex("99999999999999999999").is_err());
    }

    #[test]
    fn operators_and_hints() {
        assert_eq!(
            kinds("<= >= != =="),
            vec![Tok::Le, Tok::Ge, Tok::Ne, Tok::Eq, Tok::Eof]
        );
        let e = lex("a = b").unwrap_err();
        assert!(e.help.unwrap().contains("=="));
        assert!(lex("a && b").unwrap_err().help.unwrap().contains("and"));
    }

    /// Issue 12: `=<`, `=>` and `<>` name the operator written and the one meant.
    #[test]
    fn turned_operators_suggest_the_right_one() {
        for (src, written, meant) in [
            ("age =< 18", "=<", "<="),
            ("age => 18", "=>", ">="),
            ("age <> 18", "<>", "!="),
        ] {
            let e = lex(src).unwrap_err();
            assert_eq!(e.span, 4..6, "{src}");
            assert_eq!(e.message, format!("`{written}` is not an operator"));
            assert_eq!(e.help.as_deref(), Some(format!("write `{meant}`").as_str()));
        }
    }

    /// Issue 12: a duration spelt with a space and a word suggests the spelling the lexer reads.
    #[test]
    fn spelt_out_durations_suggest_the_short_form() {
        for (src, shown, help) in [
            (
                "since overdose.at <= 3 days",
                "3 days",
                "write `3d`, with no space",
            ),
            (
                "since overdose.at <= 72 hours",
                "72 hours",
                "write `72h`, with no space",
            ),
            ("within 2 weeks", "2 weeks", "write `2w`, with no space"),
            ("x < 30 minutes", "30 minutes", "write `30m`, with no space"),
            ("x < 1 Year", "1 Year", "write `1y`, with no space"),
            ("x < 1.5 days", "1.5 days", "write `1d12h`"),
            ("x < 2.5 hrs", "2.5 hrs", "write `2h30m`"),
        ] {
            let e = lex(src).unwrap_err();
            assert_eq!(e.message, format!("`{shown}` is not a duration"), "{src}");
            assert_eq!(e.help.as_deref(), Some(help), "{src}");
            let at = src.find(shown).unwrap();
            assert_eq!(e.span, at..at + shown.len(), "{src}");
        }
        // Every suggestion reads back as the duration meant.
        assert_eq!(kinds("3d")[0], Tok::Duration(3 * 86_400));
        assert_eq!(kinds("1d12h")[0], Tok::Duration(36 * 3600));
        // Months have no unit: the help lists the units there are.
        let e = lex("x < 6 months").unwrap_err();
        assert!(e.help.unwrap().contains("`d` (days)"));
        // Attached, the long unit also gets the short form; years are among the units listed.
        let e = lex("x < 3days").unwrap_err();
        assert_eq!(e.message, "unknown duration unit `days`");
        assert_eq!(e.help.as_deref(), Some("write `3d`"));
        assert!(
            lex("x < 3q")
                .unwrap_err()
                .help
                .unwrap()
                .contains("`y` (years")
        );
        // A number followed by another word is not a duration.
        assert!(lex("age > 3 and b").is_ok());
        assert!(lex("count offenses > 3 or x").is_ok());
    }
}
