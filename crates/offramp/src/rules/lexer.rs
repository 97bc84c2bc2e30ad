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
        return Ok((Tok::Number(value), i));
    }
    if !bytes.get(i).is_some_and(|b| b.is_ascii_alphabetic()) {
        let value: i64 = src[start..i]
            .parse()
            .map_err(|_| ParseError::new(start..i, "this number is too large", None))?;
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
            return Err(ParseError::new(
                unit_start..j.max(unit_start + 1),
                format!("unknown duration unit `{unit}`"),
                Some("units are `m` (minutes), `h` (hours), `d` (days) and `w` (weeks)"),
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

/// Formats a duration in seconds the way the lexer reads it back: whole days of a week or
/// more as days (`90d`), whole hours as hours (`72h`, `24h`), anything else as hours and
/// minutes (`1h30m`).
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte positions in one rule's text, which the program loader caps at MAX_RULE_BYTES; the scanner reads only positions it has compared with the text's length"
)]
pub(crate) fn format_duration(secs: i64) -> String {
    let minutes = (secs + 59) / 60;
    if minutes == 0 {
        return "0h".into();
    }
    if minutes % (24 * 60) == 0 && minutes >= 7 * 24 * 60 {
        return format!("{}d", minutes / (24 * 60));
    }
    if minutes % 60 == 0 {
        return format!("{}h", minutes / 60);
    }
    if minutes < 60 {
        return format!("{minutes}m");
    }
    format!("{}h{}m", minutes / 60, minutes % 60)
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
}
