//! A recursive-descent parser for rules, with spans. It recurses only where a rule nests
//! (parentheses, `not`, offence quantifiers), which [`MAX_NESTING`] bounds; chains of `and` and
//! `or` are read in loops into one node each.

use super::ast::{CmpOp, Collection, Expr, ExprKind, HasMode, Lit, Quantifier};
use super::lexer::{Tok, Token, lex};
use super::{MAX_NESTING, MAX_RULE_BYTES, ParseError};

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "has", "any", "all", "count", "since", "is", "known", "unknown",
    "true", "false", "within",
];

pub(crate) fn parse(src: &str) -> Result<Expr, ParseError> {
    if src.len() > MAX_RULE_BYTES {
        return Err(ParseError::new(
            0..0,
            format!(
                "the rule is {} bytes long; a rule may be at most {MAX_RULE_BYTES} bytes",
                src.len()
            ),
            Some("split it into several rules"),
        ));
    }
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(ParseError::new(0..src.len(), "the rule is empty", None));
    }
    let e = p.expr()?;
    if p.peek() != &Tok::Eof {
        let t = p.current();
        return Err(ParseError::new(
            t.span.clone(),
            format!("unexpected {} after a complete rule", t.kind.describe()),
            Some("join conditions with `and` or `or`"),
        ));
    }
    Ok(e)
}

/// What `current` answers past the end of the token list.
static EOF: Token = Token {
    kind: Tok::Eof,
    span: 0..0,
};

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn current(&self) -> &Token {
        // The token list always ends with Eof and `pos` never passes it; `EOF` stands in for a
        // list that broke that promise.
        self.tokens
            .get(self.pos)
            .or(self.tokens.last())
            .unwrap_or(&EOF)
    }

    fn peek(&self) -> &Tok {
        &self.current().kind
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }

    fn bump(&mut self) -> Token {
        let t = self.current().clone();
        if self.pos.saturating_add(1) < self.tokens.len() {
            self.pos = self.pos.saturating_add(1);
        }
        t
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek_word() == Some(w) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, kind: Tok, what: &str) -> Result<Token, ParseError> {
        if *self.peek() == kind {
            Ok(self.bump())
        } else {
            let t = self.current();
            Err(ParseError::new(
                t.span.clone(),
                format!("expected {what}, found {}", t.kind.describe()),
                None,
            ))
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth = self.depth.saturating_add(1);
        if self.depth > MAX_NESTING {
            return Err(ParseError::new(
                self.current().span.clone(),
                format!("the rule nests more than {MAX_NESTING} levels deep"),
                Some("split it into simpler rules"),
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let first = self.and()?;
        let e = self.chain(first, "or", Self::and, ExprKind::Or)?;
        self.depth = self.depth.saturating_sub(1);
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let first = self.unary()?;
        self.chain(first, "and", Self::unary, ExprKind::And)
    }

    /// Reads `first word operand word operand ...` into one n-ary node, in a loop: a chain of
    /// any length costs no stack. A parenthesised chain of the same operator at the start joins
    /// the chain (`(a and b) and c` is `a and b and c`, as it always printed); one further
    /// along keeps its parentheses.
    fn chain(
        &mut self,
        first: Expr,
        word: &str,
        operand: fn(&mut Self) -> Result<Expr, ParseError>,
        node: fn(Vec<Expr>) -> ExprKind,
    ) -> Result<Expr, ParseError> {
        if self.peek_word() != Some(word) {
            return Ok(first);
        }
        let start = first.span.start;
        let mut items = match (first.kind, word) {
            (ExprKind::And(items), "and") | (ExprKind::Or(items), "or") => items,
            (kind, _) => vec![Expr {
                kind,
                span: first.span,
            }],
        };
        let mut end = start;
        while self.eat_word(word) {
            let item = operand(self)?;
            end = item.span.end;
            items.push(item);
        }
        Ok(Expr {
            kind: node(items),
            span: start..end,
        })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.peek_word() == Some("not") {
            let start = self.bump().span.start;
            self.enter()?;
            let inner = self.unary()?;
            self.depth = self.depth.saturating_sub(1);
            let span = start..inner.span.end;
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span,
            });
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, ParseError> {
        let left = self.value()?;
        let start = left.span.start;
        let op = match self.peek() {
            Tok::Eq => Some(CmpOp::Eq),
            Tok::Ne => Some(CmpOp::Ne),
            Tok::Lt => Some(CmpOp::Lt),
            Tok::Le => Some(CmpOp::Le),
            Tok::Gt => Some(CmpOp::Gt),
            Tok::Ge => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let right = self.value()?;
            let span = start..right.span.end;
            return Ok(Expr {
                kind: ExprKind::Cmp(op, Box::new(left), Box::new(right)),
                span,
            });
        }
        match self.peek_word() {
            Some("in") => {
                self.bump();
                let list = self.list()?;
                let span = start..list.span.end;
                Ok(Expr {
                    kind: ExprKind::In {
                        value: Box::new(left),
                        list: Box::new(list),
                        negated: false,
                    },
                    span,
                })
            }
            Some("not") if matches!(self.tokens.get(self.pos.saturating_add(1)).map(|t| &t.kind), Some(Tok::Ident(w)) if w == "in") =>
            {
                self.bump();
                self.bump();
                let list = self.list()?;
                let span = start..list.span.end;
                Ok(Expr {
                    kind: ExprKind::In {
                        value: Box::new(left),
                        list: Box::new(list),
                        negated: true,
                    },
                    span,
                })
            }
            Some("has") => {
                self.bump();
                let mode = if self.eat_word("any") {
                    HasMode::Any
                } else if self.eat_word("all") {
                    HasMode::All
                } else {
                    HasMode::One
                };
                let value = if mode == HasMode::One {
                    self.value()?
                } else {
                    self.list()?
                };
                let span = start..value.span.end;
                Ok(Expr {
                    kind: ExprKind::Has {
                        set: Box::new(left),
                        mode,
                        value: Box::new(value),
                    },
                    span,
                })
            }
            Some("is") => {
                self.bump();
                let t = self.bump();
                let known = match &t.kind {
                    Tok::Ident(w) if w == "known" => true,
                    Tok::Ident(w) if w == "unknown" => false,
                    other => {
                        return Err(ParseError::new(
                            t.span.clone(),
                            format!(
                                "expected `known` or `unknown` after `is`, found {}",
                                other.describe()
                            ),
                            None,
                        ));
                    }
                };
                Ok(Expr {
                    kind: ExprKind::Is {
                        value: Box::new(left),
                        known,
                    },
                    span: start..t.span.end,
                })
            }
            _ => Ok(left),
        }
    }

    fn list(&mut self) -> Result<Expr, ParseError> {
        let open = self.expect(Tok::LBracket, "a list such as `[a, b]`")?;
        let mut items = Vec::new();
        loop {
            if *self.peek() == Tok::RBracket {
                break;
            }
            items.push(self.literal_or_word()?);
            if *self.peek() == Tok::Comma {
                self.bump();
            } else {
                break;
            }
        }
        let close = self.expect(Tok::RBracket, "`,` or `]`")?;
        Ok(Expr {
            kind: ExprKind::List(items),
            span: open.span.start..close.span.end,
        })
    }

    fn literal_or_word(&mut self) -> Result<Expr, ParseError> {
        let t = self.bump();
        let kind = match t.kind {
            Tok::Int(n) => ExprKind::Lit(Lit::Int(n)),
            Tok::Number(n) => ExprKind::Lit(Lit::Number(n)),
            Tok::Text(s) => ExprKind::Lit(Lit::Text(s)),
            Tok::Duration(d) => ExprKind::Lit(Lit::Duration(d)),
            Tok::Ident(w) if w == "true" => ExprKind::Lit(Lit::Bool(true)),
            Tok::Ident(w) if w == "false" => ExprKind::Lit(Lit::Bool(false)),
            Tok::Ident(w) if !KEYWORDS.contains(&w.as_str()) => ExprKind::Path(vec![w]),
            other => {
                return Err(ParseError::new(
                    t.span,
                    format!("expected a literal in the list, found {}", other.describe()),
                    None,
                ));
            }
        };
        Ok(Expr { kind, span: t.span })
    }

    fn value(&mut self) -> Result<Expr, ParseError> {
        let t = self.current().clone();
        match &t.kind {
            Tok::LParen => {
                self.bump();
                let inner = self.expr()?;
                let close = self.expect(Tok::RParen, "`)`")?;
                Ok(Expr {
                    kind: inner.kind,
                    span: t.span.start..close.span.end,
                })
            }
            Tok::LBracket => self.list(),
            Tok::Int(_) | Tok::Number(_) | Tok::Text(_) | Tok::Duration(_) => {
                self.literal_or_word()
            }
            Tok::Ident(w) => match w.as_str() {
                "true" | "false" => self.literal_or_word(),
                "any" | "all" | "count" => {
                    self.bump();
                    let q = match w.as_str() {
                        "any" => Quantifier::Any,
                        "all" => Quantifier::All,
                        _ => Quantifier::Count,
                    };
                    let target = self.bump();
                    let over = match &target.kind {
                        Tok::Ident(x) if x == "offenses" => Collection::Offenses,
                        Tok::Ident(x) if x == "history" => Collection::History,
                        _ => {
                            return Err(ParseError::new(
                                target.span,
                                format!(
                                    "expected `offenses` or `history` after `{w}`, found {}",
                                    target.kind.describe()
                                ),
                                Some(
                                    "quantifiers range over the encounter's offences or the person's history: `any offenses (level == felony)`, `count history (kind == arrest)`",
                                ),
                            ));
                        }
                    };
                    if q == Quantifier::Count && *self.peek() != Tok::LParen {
                        return Ok(Expr {
                            kind: ExprKind::Quant {
                                q,
                                over,
                                body: None,
                            },
                            span: t.span.start..target.span.end,
                        });
                    }
                    self.expect(Tok::LParen, "`(` and a condition on one offence or event")?;
                    self.enter()?;
                    let body = self.expr()?;
                    self.depth = self.depth.saturating_sub(1);
                    let close = self.expect(Tok::RParen, "`)`")?;
                    Ok(Expr {
                        kind: ExprKind::Quant {
                            q,
                            over,
                            body: Some(Box::new(body)),
                        },
                        span: t.span.start..close.span.end,
                    })
                }
                "within" => {
                    self.bump();
                    let d = self.bump();
                    match d.kind {
                        Tok::Duration(secs) => Ok(Expr {
                            kind: ExprKind::Within(secs),
                            span: t.span.start..d.span.end,
                        }),
                        other => Err(ParseError::new(
                            d.span,
                            format!(
                                "expected a duration after `within`, found {}",
                                other.describe()
                            ),
                            Some("write `within 30d` or `within 10y`"),
                        )),
                    }
                }
                "since" => {
                    self.bump();
                    let p = self.path()?;
                    let span = t.span.start..p.span.end;
                    Ok(Expr {
                        kind: ExprKind::Since(Box::new(p)),
                        span,
                    })
                }
                k if KEYWORDS.contains(&k) => Err(ParseError::new(
                    t.span.clone(),
                    format!("expected a value, found the keyword `{k}`"),
                    None,
                )),
                _ => self.path(),
            },
            other => Err(ParseError::new(
                t.span.clone(),
                format!("expected a value, found {}", other.describe()),
                None,
            )),
        }
    }

    fn path(&mut self) -> Result<Expr, ParseError> {
        let first = self.bump();
        let Tok::Ident(w) = first.kind else {
            return Err(ParseError::new(
                first.span,
                format!("expected a field name, found {}", first.kind.describe()),
                None,
            ));
        };
        if KEYWORDS.contains(&w.as_str()) {
            return Err(ParseError::new(
                first.span,
                format!("expected a field name, found the keyword `{w}`"),
                None,
            ));
        }
        let mut parts = vec![w];
        let mut end = first.span.end;
        while *self.peek() == Tok::Dot {
            self.bump();
            let t = self.bump();
            match t.kind {
                Tok::Ident(w) => {
                    parts.push(w);
                    end = t.span.end;
                }
                other => {
                    return Err(ParseError::new(
                        t.span,
                        format!("expected a name after `.`, found {}", other.describe()),
                        None,
                    ));
                }
            }
        }
        Ok(Expr {
            kind: ExprKind::Path(parts),
            span: first.span.start..end,
        })
    }
}
