//! The rules language: parsing, type checking, compiling and evaluating eligibility rules.
//!
//! The language is documented in `docs/rules.md`. Most users never call this module directly:
//! [`crate::Program`] parses, checks and compiles every rule of a program when it is loaded.
//! It is public so that editors and tools can parse and pretty-print rules.
//!
//! ```
//! use offramp::rules::parse;
//! let rule = parse("age >= 18 and (needs has any [sud, opioid_use])").unwrap();
//! assert_eq!(rule.to_string(), "age >= 18 and needs has any [sud, opioid_use]");
//! ```

mod ast;
pub(crate) mod compile;
mod lexer;
mod parser;
mod protected;

use std::ops::Range;

pub use ast::{CmpOp, Collection, Expr, ExprKind, HasMode, Lit, Quantifier};
pub use compile::Truth;
pub use compile::explain::{Evidence, MAX_REASON_ITEMS, OffenseRef};
pub use protected::{ProtectedClass, protected_class};

/// The longest rule text read, in bytes (1 MiB). A longer rule is refused before it is read,
/// with its place in the file. Chains of `and` and `or` have no length limit of their own:
/// they are read, checked and evaluated in loops, so this limit is what bounds them.
pub const MAX_RULE_BYTES: usize = 1 << 20;

/// How deeply a rule may nest: parentheses, `not` and offence quantifiers each add a level.
/// Deeper nesting is refused with its place in the file rather than risking the stack.
pub const MAX_NESTING: usize = 64;

/// A rule could not be parsed or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// Byte range within the rule text.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// A hint, such as the name that was probably meant.
    pub help: Option<String>,
}

impl ParseError {
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>, help: Option<&str>) -> Self {
        ParseError {
            span,
            message: message.into(),
            help: help.map(str::to_string),
        }
    }
}

/// Parses rule text into a syntax tree. Never panics, whatever the input.
///
/// ```
/// let err = offramp::rules::parse("age >= ").unwrap_err();
/// assert_eq!(err.span, 7..7);
/// ```
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    parser::parse(text)
}

/// Reads a duration such as `72h`, `3d` or `1d12h`, in seconds.
///
/// ```
/// assert_eq!(offramp::rules::parse_duration("3d").unwrap(), 3 * 86_400);
/// assert!(offramp::rules::parse_duration("3 days").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<i64, ParseError> {
    let tokens = lexer::lex(text.trim())?;
    match tokens.as_slice() {
        [
            lexer::Token {
                kind: lexer::Tok::Duration(d),
                ..
            },
            _eof,
        ] => Ok(*d),
        _ => Err(ParseError::new(
            0..text.len(),
            format!(
                "`{}` is not a duration",
                text.chars().take(40).collect::<String>()
            ),
            Some(
                "write a number and a unit: `90m`, `72h`, `3d`, `2w`, `1y`, or combined as `1d12h`",
            ),
        )),
    }
}

/// Formats seconds as a duration the rules language reads back (`86400` as `1d`).
pub fn format_duration(secs: i64) -> String {
    lexer::format_duration(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_printing() {
        let e = parse("a or b and not c == 1").unwrap();
        assert_eq!(e.to_string(), "a or b and not c == 1");
        assert!(matches!(e.kind, ExprKind::Or(..)));
        let e = parse("(a or b) and c").unwrap();
        assert_eq!(e.to_string(), "(a or b) and c");
        let e = parse("a and (b and c)").unwrap();
        assert_eq!(e.to_string(), "a and (b and c)");
        assert_eq!(parse(&e.to_string()).unwrap(), e);
    }

    #[test]
    fn forms() {
        for src in [
            "any offenses (nibrs in [\"35A\", \"35B\"] and level != felony)",
            "count offenses > 1",
            "count offenses (violent) == 0",
            "since overdose.at <= 72h",
            "needs has any [sud, opioid_use]",
            "flags has weapon",
            "age is unknown",
            "responder not in [fire, ems]",
            "attributes.prior_referrals < 3",
            "not flags has all [weapon, victim_present]",
        ] {
            let e = parse(src).unwrap_or_else(|err| panic!("{src}: {err}"));
            assert_eq!(e.to_string(), src);
        }
    }

    #[test]
    fn errors_have_spans() {
        let e = parse("age >= 18 and").unwrap_err();
        assert_eq!(e.span, 13..13);
        let e = parse("any needs (x)").unwrap_err();
        assert!(e.message.contains("offenses"));
        let e = parse("(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))").unwrap_err();
        assert!(e.message.contains("nests"));
        assert!(parse("").is_err());
        assert!(parse("a b").is_err());
        assert!(parse("needs has any sud").is_err());
    }

    /// Issue 10: a flat chain of 10,000 `or` (or 50,000 `and`) overflowed the stack.
    #[test]
    fn long_chains_are_one_node() {
        let ors = vec!["age > 1"; 10_000].join(" or ");
        let e = parse(&ors).unwrap();
        assert!(matches!(&e.kind, ExprKind::Or(items) if items.len() == 10_000));
        assert_eq!(e.to_string(), ors);
        let ands = vec!["age > 1"; 50_000].join(" and ");
        let e = parse(&ands).unwrap();
        assert!(matches!(&e.kind, ExprKind::And(items) if items.len() == 50_000));
        assert_eq!(parse(&e.to_string()).unwrap(), e);
        // Mixed, with precedence: `and` binds tighter.
        let mixed = vec!["a and b"; 20_000].join(" or ");
        let e = parse(&mixed).unwrap();
        assert!(matches!(&e.kind, ExprKind::Or(items) if items.len() == 20_000));
        drop(e.clone());
    }

    #[test]
    fn parenthesised_chains_print_as_before() {
        // A group of the same operator at the start joins the chain (the canonical form, and
        // with it programs' hashes, is unchanged); one further along keeps its parentheses.
        assert_eq!(
            parse("(a and b) and c").unwrap().to_string(),
            "a and b and c"
        );
        assert_eq!(parse("(a or b) or c").unwrap().to_string(), "a or b or c");
        assert_eq!(parse("a or (b or c)").unwrap().to_string(), "a or (b or c)");
        assert_eq!(
            parse("(a or b) and (c or d)").unwrap().to_string(),
            "(a or b) and (c or d)"
        );
        assert_eq!(
            parse("a and b or c and d").unwrap().to_string(),
            "a and b or c and d"
        );
        let e = parse("a and (b and c)").unwrap();
        assert!(matches!(&e.kind, ExprKind::And(items) if items.len() == 2));
    }

    #[test]
    fn nesting_and_length_are_limited() {
        let deep = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nests more than 64"), "{}", e.message);
        let ok = format!(
            "{}a{}",
            "(".repeat(MAX_NESTING - 1),
            ")".repeat(MAX_NESTING - 1)
        );
        assert!(parse(&ok).is_ok());
        let nots = format!("{}a", "not ".repeat(10_000));
        assert!(parse(&nots).unwrap_err().message.contains("nests"));
        let quantifiers = "any offenses (".repeat(10_000);
        assert!(parse(&quantifiers).unwrap_err().message.contains("nests"));
        let long = format!("a == \"{}\"", "x".repeat(MAX_RULE_BYTES));
        let e = parse(&long).unwrap_err();
        assert_eq!(e.span, 0..0);
        assert!(e.message.contains("at most 1048576 bytes"), "{}", e.message);
    }
}
