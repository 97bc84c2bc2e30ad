//! The syntax tree of a rule, and its canonical printing.

use std::fmt;
use std::ops::Range;

use super::lexer::format_duration;

/// An expression and the byte range of the rule text it came from.
///
/// Two expressions are equal when their trees are equal; spans are not compared, so a rule
/// printed and parsed again equals the original.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it is in the rule text.
    pub span: Range<usize>,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Number(f64),
    /// Quoted text.
    Text(String),
    /// A duration, in seconds.
    Duration(i64),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub const fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether `ordering` satisfies this operator.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
        }
    }
}

/// How `has` tests a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HasMode {
    /// `s has v`
    One,
    /// `s has any [..]`
    Any,
    /// `s has all [..]`
    All,
}

/// What a quantifier ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// The encounter's offences: `any offenses (...)`.
    Offenses,
    /// The person's earlier events: `any history (...)`.
    History,
}

impl Collection {
    /// The word a rule uses for it.
    pub const fn word(self) -> &'static str {
        match self {
            Collection::Offenses => "offenses",
            Collection::History => "history",
        }
    }
}

/// An offence or history quantifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// `any offenses (p)`
    Any,
    /// `all offenses (p)`
    All,
    /// `count offenses (p)`
    Count,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Lit(Lit),
    /// A dotted name: a field, an attribute, a constant, or an enum value.
    Path(Vec<String>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `not e`
    Not(Box<Expr>),
    /// `a and b and ...`: two or more conditions that must all hold. A chain is one node
    /// however long it is, so nothing that walks the tree goes deeper for a longer chain.
    And(Vec<Expr>),
    /// `a or b or ...`: two or more conditions of which one must hold; one node per chain.
    Or(Vec<Expr>),
    /// `a OP b`
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// `v in [..]` or `v not in [..]`
    In {
        /// The value tested.
        value: Box<Expr>,
        /// The list literal.
        list: Box<Expr>,
        /// `not in`
        negated: bool,
    },
    /// `s has v`, `s has any [..]`, `s has all [..]`
    Has {
        /// The set field.
        set: Box<Expr>,
        /// One, any or all.
        mode: HasMode,
        /// A value, or a list for any/all.
        value: Box<Expr>,
    },
    /// `v is known` / `v is unknown`
    Is {
        /// The value tested.
        value: Box<Expr>,
        /// `known` (true) or `unknown` (false).
        known: bool,
    },
    /// `any|all|count offenses (p)` or `... history (p)`; `count offenses` has no body.
    Quant {
        /// Which quantifier.
        q: Quantifier,
        /// What it ranges over.
        over: Collection,
        /// The predicate over one offence or event.
        body: Option<Box<Expr>>,
    },
    /// `within 10y`: the history event at hand happened at most this long (in seconds) before
    /// the encounter, counted in whole days.
    Within(i64),
    /// `since overdose.at`
    Since(Box<Expr>),
}

impl ExprKind {
    /// Binding strength, loosest first: or 1, and 2, not 3, predicates 4, values 5.
    pub(crate) fn precedence(&self) -> u8 {
        match self {
            ExprKind::Or(..) => 1,
            ExprKind::And(..) => 2,
            ExprKind::Not(_) => 3,
            ExprKind::Cmp(..)
            | ExprKind::In { .. }
            | ExprKind::Has { .. }
            | ExprKind::Is { .. } => 4,
            _ => 5,
        }
    }
}

struct Prec<'a>(&'a Expr, u8);

impl fmt::Display for Prec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.kind.precedence() < self.1 {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

fn write_chain(f: &mut fmt::Formatter<'_>, items: &[Expr], op: &str, min: u8) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(op)?;
        }
        write!(f, "{}", Prec(item, min))?;
    }
    Ok(())
}

fn write_text(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for ch in s.chars() {
        match ch {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Int(n) => write!(f, "{n}"),
            Lit::Number(n) => {
                let s = n.to_string();
                if s.contains('.') {
                    f.write_str(&s)
                } else {
                    write!(f, "{s}.0")
                }
            }
            Lit::Text(s) => write_text(f, s),
            Lit::Duration(secs) => f.write_str(&format_duration(*secs)),
        }
    }
}

/// Prints the expression in canonical form: single spaces, no comments, and only the
/// parentheses the structure needs.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Lit(l) => write!(f, "{l}"),
            ExprKind::Path(p) => f.write_str(&p.join(".")),
            ExprKind::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            ExprKind::Not(e) => write!(f, "not {}", Prec(e, 3)),
            // A chain inside a chain of the same operator keeps its parentheses, so printing
            // and parsing again gives the same tree.
            ExprKind::And(items) => write_chain(f, items, " and ", 3),
            ExprKind::Or(items) => write_chain(f, items, " or ", 2),
            ExprKind::Cmp(op, a, b) => write!(f, "{} {} {}", Prec(a, 5), op.as_str(), Prec(b, 5)),
            ExprKind::In {
                value,
                list,
                negated,
            } => write!(
                f,
                "{} {}in {}",
                Prec(value, 5),
                if *negated { "not " } else { "" },
                Prec(list, 5)
            ),
            ExprKind::Has { set, mode, value } => {
                let m = match mode {
                    HasMode::One => "",
                    HasMode::Any => "any ",
                    HasMode::All => "all ",
                };
                write!(f, "{} has {m}{}", Prec(set, 5), Prec(value, 5))
            }
            ExprKind::Is { value, known } => write!(
                f,
                "{} is {}",
                Prec(value, 5),
                if *known { "known" } else { "unknown" }
            ),
            ExprKind::Quant { q, over, body } => {
                let word = match q {
                    Quantifier::Any => "any",
                    Quantifier::All => "all",
                    Quantifier::Count => "count",
                };
                match body {
                    Some(b) => write!(f, "{word} {} ({b})", over.word()),
                    None => write!(f, "{word} {}", over.word()),
                }
            }
            ExprKind::Within(d) => write!(f, "within {}", super::format_duration(*d)),
            ExprKind::Since(p) => write!(f, "since {}", Prec(p, 5)),
        }
    }
}
