//! Type checking a parsed rule against the encounter schema and compiling it into an
//! evaluation tree (evaluated in `eval.rs`).

use crate::text::Text;

use super::ParseError;
use super::ast::{CmpOp, Collection, Expr, ExprKind, HasMode, Lit, Quantifier};
use crate::domain::{
    DrugQuantity, Encounter, Flag, HistoryEvent, Intercept, Level, Need, Offense, Responder,
    Willing, closest,
};
use crate::language::Language;
use crate::nibrs;
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use chrono_tz::Tz;

use super::protected::protected_class;

/// A field an expression can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Responder,
    Source,
    Needs,
    Flags,
    Offenses,
    Age,
    Language,
    Consent,
    Willing,
    Intercept,
    Overdose,
    OverdoseAt,
    OverdoseNaloxone,
    AtHour,
    AtMinute,
    AtWeekday,
    AtDate,
    AtClock,
    Attr(u16),
    OffNibrs,
    OffLevel,
    OffViolent,
    OffCrimeAgainst,
    OffDrug,
    HistKind,
    HistLevel,
    HistNibrs,
    HistCrimeAgainst,
    HistDrug,
    OffActivity,
    OffDrugTypes,
    OffQuantityAmount,
    OffQuantityUnit,
    OffGrams,
    OffMilliliters,
    OffChargeable,
}

/// A constant in a compiled rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Const {
    Bool(bool),
    Int(i64),
    Number(f64),
    Duration(i64),
    Enum(u8),
    Text(Box<str>),
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Const(Const),
    Field(Field),
    Since,
    Not(Box<Node>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Cmp(CmpOp, Box<Node>, Box<Node>),
    InMask(Box<Node>, u64, bool),
    InList(Box<Node>, Box<[Const]>, bool),
    Has(Field, u64, HasMode),
    Known(Box<Node>, bool),
    Quant(Quantifier, Collection, Option<Box<Node>>),
    /// The history event at hand is at most this many seconds (in whole days) before the
    /// encounter.
    Within(i64),
}

/// One conjunct of a rule: the unit an explanation points at.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub node: Node,
    /// The clause in canonical form.
    pub clause: Text,
    /// Optional fields the clause reads, for "not recorded" explanations.
    pub reads: Text,
    /// The sentence used when the clause is false.
    pub not_met: Text,
    /// The sentence used when the clause cannot be decided.
    pub unknown: Text,
    /// What explanations say of each node of the clause, worked out once.
    pub texts: Box<[explain::NodeText]>,
}

/// A compiled rule: the conjuncts of its top-level `and`.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub parts: Box<[Part]>,
    /// The whole rule in canonical form.
    pub canonical: Text,
}

crate::vocab::vocabulary! {
    /// Three-valued truth: a clause holds, does not hold, or cannot be decided because a
    /// value it reads was not recorded.
    pub enum Truth: "truth" {
        /// The clause holds.
        True = "true",
        /// The clause does not hold.
        False = "false",
        /// A value the clause reads was not recorded.
        Unknown = "unknown",
    }
}

/// The evaluator's short name for [`Truth`].
pub(crate) type Tri = Truth;

/// What evaluation reads.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub enc: &'a Encounter,
    /// The offence at hand, inside an offence quantifier or an amnesty.
    pub offense: Option<&'a Offense>,
    /// The history event at hand, inside `any/all/count history (...)`.
    pub event: Option<&'a HistoryEvent>,
    pub attrs: &'a [AttrInfo],
    pub intercept: Intercept,
    /// The program's time zone, in which `at.hour`, `at.date` and the others are read.
    pub tz: Tz,
    /// Whether each offence of the encounter is chargeable, in order (empty while the
    /// amnesties that decide it are evaluated).
    pub chargeable: &'a [bool],
    /// Whether the offence at hand is chargeable, when known.
    pub offense_chargeable: Option<bool>,
}

impl<'a> Ctx<'a> {
    /// What a rule of the whole encounter reads.
    pub(crate) fn new(
        enc: &'a Encounter,
        attrs: &'a [AttrInfo],
        intercept: Intercept,
        tz: Tz,
        chargeable: &'a [bool],
    ) -> Ctx<'a> {
        Ctx {
            enc,
            offense: None,
            attrs,
            intercept,
            tz,
            event: None,
            chargeable,
            offense_chargeable: None,
        }
    }
}

/// What a rule is about: the whole encounter, or one offence (an amnesty's condition).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Encounter,
    Amnesty,
}

struct Checker<'e> {
    env: &'e Env,
    errors: Vec<ParseError>,
    in_offense: bool,
    in_history: bool,
    scope: Scope,
    reads: Vec<&'static str>,
    attr_reads: Vec<String>,
}

type Checked = Option<(Node, Ty)>;

const ENCOUNTER_FIELDS: &[&str] = &[
    "responder",
    "source",
    "needs",
    "flags",
    "offenses",
    "age",
    "language",
    "consent",
    "willing",
    "intercept",
    "overdose",
    "overdose.at",
    "overdose.naloxone",
    "at.hour",
    "at.minute",
    "at.weekday",
    "at.date",
    "at.time",
];
const OFFENSE_FIELDS: &[&str] = &[
    "nibrs",
    "level",
    "violent",
    "crime_against",
    "drug",
    "activity",
    "drug_types",
    "quantity.amount",
    "quantity.unit",
    "quantity.grams",
    "quantity.milliliters",
    "chargeable",
];
const HISTORY_FIELDS: &[&str] = &["kind", "level", "nibrs", "crime_against", "drug"];

impl Checker<'_> {
    fn err(&mut self, span: std::ops::Range<usize>, message: String, help: Option<String>) {
        self.errors.push(ParseError {
            span,
            message,
            help,
        });
    }

    fn field_names(&self) -> Vec<String> {
        let mut v: Vec<String> = ENCOUNTER_FIELDS.iter().map(|s| s.to_string()).collect();
        if self.in_offense {
            v.extend(OFFENSE_FIELDS.iter().map(|s| s.to_string()));
        }
        if self.in_history {
            v.extend(HISTORY_FIELDS.iter().map(|s| s.to_string()));
        }
        v.extend(
            self.env
                .attrs
                .iter()
                .map(|a| format!("attributes.{}", a.name)),
        );
        v.extend(self.env.law.iter().map(|(n, _)| format!("law.{n}")));
        v.push("window.naloxone_plus".into());
        v.push("charge_hold.term".into());
        v
    }

    /// The help for an unknown word: the closest field the rule may read here, or, when the
    /// closest is a field of one offence or history event read outside its quantifier, that
    /// field with the form that reads it (`any offenses (chargeable)`). Nothing when no field
    /// is close (`closest`'s one edit per three characters).
    fn suggest_field(&self, word: &str) -> Option<String> {
        let names = self.field_names();
        let offence = !self.in_offense && self.scope == Scope::Encounter;
        let history = !self.in_history && self.scope == Scope::Encounter;
        let mut candidates: Vec<&str> = names.iter().map(String::as_str).collect();
        if offence {
            candidates.extend(OFFENSE_FIELDS);
        }
        if history {
            candidates.extend(HISTORY_FIELDS);
        }
        let s = closest(word, candidates)?;
        if names.iter().any(|n| n == s) {
            return Some(format!("did you mean `{s}`?"));
        }
        let mut forms = Vec::new();
        if offence && OFFENSE_FIELDS.contains(&s) {
            forms.push(format!("`{}`", quantified(s, Collection::Offenses)));
        }
        if history && HISTORY_FIELDS.contains(&s) {
            forms.push(format!("`{}`", quantified(s, Collection::History)));
        }
        let one = if forms.len() > 1 {
            "an offence or history event"
        } else if offence && OFFENSE_FIELDS.contains(&s) {
            "an offence"
        } else {
            "a history event"
        };
        Some(format!(
            "did you mean `{s}`? It is a field of {one}, read inside a quantifier: {}",
            forms.join(" or ")
        ))
    }

    /// Resolves a path to a field or constant; `Ty::Word` for a bare word that is neither.
    fn path(&mut self, e: &Expr, parts: &[String]) -> Checked {
        let p: Vec<&str> = parts.iter().map(String::as_str).collect();
        let (field, ty) = match p.as_slice() {
            ["responder"] => (Field::Responder, Ty::Enum(EnumKind::Responder)),
            ["source"] => (Field::Source, Ty::Enum(EnumKind::Source)),
            ["needs"] => (Field::Needs, Ty::Set(EnumKind::Need)),
            ["flags"] => (Field::Flags, Ty::Set(EnumKind::Flag)),
            ["offenses"] => (Field::Offenses, Ty::Offenses),
            ["age"] => (Field::Age, Ty::Int),
            ["language"] => (Field::Language, Ty::Language),
            ["consent"] => (Field::Consent, Ty::Enum(EnumKind::Consent)),
            ["willing"] => (Field::Willing, Ty::Enum(EnumKind::Willing)),
            ["at", "hour"] => (Field::AtHour, Ty::Int),
            ["at", "minute"] => (Field::AtMinute, Ty::Int),
            ["at", "weekday"] => (Field::AtWeekday, Ty::Enum(EnumKind::Weekday)),
            ["at", "date"] => (Field::AtDate, Ty::Date),
            ["at", "time"] => (Field::AtClock, Ty::Clock),
            ["intercept"] => (Field::Intercept, Ty::Int),
            ["overdose"] => (Field::Overdose, Ty::Presence),
            ["overdose", "at"] => (Field::OverdoseAt, Ty::Time),
            ["overdose", "naloxone"] => (Field::OverdoseNaloxone, Ty::Bool),
            [f @ ("kind" | "nibrs" | "level" | "crime_against" | "drug")] if self.in_history => {
                match *f {
                    "kind" => (Field::HistKind, Ty::Enum(EnumKind::HistoryKind)),
                    "nibrs" => (Field::HistNibrs, Ty::Nibrs),
                    "level" => (Field::HistLevel, Ty::Enum(EnumKind::Level)),
                    "crime_against" => (Field::HistCrimeAgainst, Ty::Enum(EnumKind::CrimeAgainst)),
                    _ => (Field::HistDrug, Ty::Bool),
                }
            }
            ["kind"] => {
                self.err(
                    e.span.clone(),
                    "`kind` is a field of one history event and is only available inside `any history (...)`, `all history (...)` or `count history (...)`".into(),
                    Some("write `count history (kind == arrest)`".into()),
                );
                return None;
            }
            [
                f @ ("nibrs" | "level" | "violent" | "crime_against" | "drug" | "activity"
                | "drug_types" | "chargeable"),
            ]
            | [f @ "quantity", _] => {
                let shown = parts.join(".");
                if !self.in_offense {
                    let form = quantified(&shown, Collection::Offenses);
                    self.offence_field_outside(e, &shown, &form);
                    return None;
                }
                if *f == "chargeable" && self.scope == Scope::Amnesty {
                    self.err(
                        e.span.clone(),
                        "an amnesty decides whether an offence is chargeable, so it cannot read `chargeable`".into(),
                        None,
                    );
                    return None;
                }
                match (*f, p.get(1).copied()) {
                    ("nibrs", _) => (Field::OffNibrs, Ty::Nibrs),
                    ("level", _) => (Field::OffLevel, Ty::Enum(EnumKind::Level)),
                    ("violent", _) => (Field::OffViolent, Ty::Bool),
                    ("crime_against", _) => {
                        (Field::OffCrimeAgainst, Ty::Enum(EnumKind::CrimeAgainst))
                    }
                    ("drug", _) => (Field::OffDrug, Ty::Bool),
                    ("activity", _) => (Field::OffActivity, Ty::Set(EnumKind::Activity)),
                    ("drug_types", _) => (Field::OffDrugTypes, Ty::Set(EnumKind::DrugType)),
                    ("chargeable", _) => (Field::OffChargeable, Ty::Bool),
                    (_, Some("amount")) => (Field::OffQuantityAmount, Ty::Number),
                    (_, Some("unit")) => (Field::OffQuantityUnit, Ty::Enum(EnumKind::DrugUnit)),
                    (_, Some("grams")) => (Field::OffGrams, Ty::Number),
                    (_, Some("milliliters")) => (Field::OffMilliliters, Ty::Number),
                    _ => {
                        let help = self.suggest_field(&shown);
                        self.err(e.span.clone(), format!("unknown field `{shown}`"), help);
                        return None;
                    }
                }
            }
            ["attributes" | "attr", name] => return self.attribute(e, name),
            ["law", name] => {
                let found = self.env.law.iter().find(|(n, _)| n == name);
                match found {
                    Some((_, v)) => return Some((Node::Const(Const::Bool(*v)), Ty::Bool)),
                    None => {
                        let help = closest(name, self.env.law.iter().map(|(n, _)| *n))
                            .map(|s| format!("did you mean `law.{s}`?"));
                        self.err(
                            e.span.clone(),
                            format!("unknown law switch `law.{name}`"),
                            help,
                        );
                        return None;
                    }
                }
            }
            ["window", "naloxone_plus"] => {
                return Some((
                    Node::Const(Const::Duration(self.env.naloxone_window)),
                    Ty::Duration,
                ));
            }
            ["charge_hold", "term"] => match self.env.charge_hold_term {
                Some(t) => return Some((Node::Const(Const::Duration(t)), Ty::Duration)),
                None => {
                    self.err(
                        e.span.clone(),
                        "`charge_hold.term` is read, but the program has no `[charge_hold]` table"
                            .into(),
                        Some("add `[charge_hold]` with a `term`".into()),
                    );
                    return None;
                }
            },
            [_] => return Some((Node::Const(Const::Bool(false)), Ty::Word)),
            _ => {
                let joined = parts.join(".");
                let help = self.suggest_field(&joined);
                self.err(e.span.clone(), format!("unknown field `{joined}`"), help);
                return None;
            }
        };
        match field {
            Field::Responder => self.reads.push("responder"),
            Field::Source => self.reads.push("source"),
            Field::Age => self.reads.push("age"),
            Field::Language => self.reads.push("language"),
            Field::Consent => self.reads.push("consent"),
            Field::Willing => self.reads.push("willing"),
            Field::Overdose | Field::OverdoseAt | Field::OverdoseNaloxone => {
                self.reads.push("overdose")
            }
            Field::OffActivity => self.reads.push("activity"),
            Field::OffDrugTypes => self.reads.push("drug_types"),
            Field::OffQuantityAmount
            | Field::OffQuantityUnit
            | Field::OffGrams
            | Field::OffMilliliters => self.reads.push("quantity"),
            _ => {}
        }
        Some((Node::Field(field), ty))
    }

    fn attribute(&mut self, e: &Expr, name: &str) -> Checked {
        let idx = self.env.attrs.iter().position(|a| a.name == name);
        let class = match idx.and_then(|i| self.env.attrs.get(i)) {
            Some(declared) => declared.protected,
            None => protected_class(name),
        };
        if let Some(class) = class {
            self.err(
                e.span.clone(),
                format!(
                    "a rule may not read the protected attribute `{name}`: it names {}, a class protected by US civil-rights law",
                    class.describe()
                ),
                Some("protected attributes may be carried on encounters for equity reports, never used for eligibility".into()),
            );
            return None;
        }
        if idx.is_some_and(|i| self.env.attrs.get(i).is_some_and(|a| a.reporting_only)) {
            self.err(
                e.span.clone(),
                format!("a rule may not read the attribute `{name}`: the program declares it `reporting_only`"),
                Some("reporting-only attributes are for equity reports, never for eligibility".into()),
            );
            return None;
        }
        let Some(i) = idx else {
            let help = closest(name, self.env.attrs.iter().map(|a| a.name.as_str()))
                .map(|s| format!("did you mean `attributes.{s}`?"))
                .or_else(|| {
                    Some(format!(
                        "declare it in the program: `[attributes.{name}]` with a `type`"
                    ))
                });
            self.err(e.span.clone(), format!("unknown attribute `{name}`"), help);
            return None;
        };
        let Ok(i16) = u16::try_from(i) else {
            self.err(e.span.clone(), "too many attributes".into(), None);
            return None;
        };
        // `i` was found by position in this list just above, so `get` always finds it.
        let ty = match self.env.attrs.get(i).map(|a| a.kind) {
            Some(AttrKind::Bool) => Ty::Bool,
            Some(AttrKind::Int) => Ty::Int,
            Some(AttrKind::Number) => Ty::Number,
            Some(AttrKind::Text) => Ty::Text,
            Some(AttrKind::Enum) => Ty::Enum(EnumKind::Attr(i16)),
            None => return None,
        };
        self.attr_reads.push(name.to_string());
        Some((Node::Field(Field::Attr(i16)), ty))
    }

    /// Reports `field` (read by `e`), a field of one offence, read outside an offence
    /// quantifier; the help shows `form`, the clause that reads it.
    fn offence_field_outside(&mut self, e: &Expr, field: &str, form: &str) {
        self.err(
            e.span.clone(),
            format!("`{field}` is a field of one offence and is only available inside `any offenses (...)`, `all offenses (...)` or `count offenses (...)`"),
            Some(format!("write `{form}`")),
        );
    }

    /// When `clause` tests a field of one offence outside an offence quantifier
    /// (`level == felony` at the top of a rule), reports it with the whole clause inside
    /// `any offenses (...)` as the help, and answers true.
    fn offence_clause_outside(&mut self, clause: &Expr, operands: &[&Expr]) -> bool {
        if self.in_offense {
            return false;
        }
        for operand in operands {
            let ExprKind::Path(parts) = &operand.kind else {
                continue;
            };
            let field = parts.join(".");
            let of_event = self.in_history && HISTORY_FIELDS.contains(&field.as_str());
            if OFFENSE_FIELDS.contains(&field.as_str()) && !of_event {
                self.offence_field_outside(operand, &field, &format!("any offenses ({clause})"));
                return true;
            }
        }
        false
    }

    /// Reports a quoted enum value (`"felony"` where `felony` is meant) and answers true, when
    /// the quoted text is one of `k`'s values or close to one; answers false otherwise, leaving
    /// the caller's own message.
    fn quoted_enum(&mut self, e: &Expr, text: &str, k: EnumKind) -> bool {
        let values = k.values(self.env);
        let meant = match values.iter().find(|v| **v == text) {
            Some(v) => format!("drop the quotes: `{v}`"),
            None => match closest(text, values.iter().copied()) {
                Some(v) => format!("drop the quotes: did you mean `{v}`?"),
                None => return false,
            },
        };
        let message = format!(
            "enum values are written without quotes: `\"{text}\"` is text, not {}",
            with_article(&k.name(self.env))
        );
        self.err(e.span.clone(), message, Some(meant));
        true
    }

    fn word_of(e: &Expr) -> Option<&str> {
        match &e.kind {
            ExprKind::Path(p) if p.len() == 1 => p.first().map(String::as_str),
            _ => None,
        }
    }

    /// Reads a literal (or bare word) as a constant of type `want`.
    fn constant(&mut self, e: &Expr, want: Ty) -> Option<Const> {
        match (&e.kind, want) {
            (ExprKind::Path(_), Ty::Enum(k)) => {
                let word = Self::word_of(e)?;
                let values = k.values(self.env);
                match values.iter().position(|v| *v == word) {
                    Some(i) => u8::try_from(i).ok().map(Const::Enum),
                    None => {
                        let help = closest(word, values.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"))
                            .or_else(|| Some(format!("the values are: {}", values.join(", "))));
                        self.err(
                            e.span.clone(),
                            format!("`{word}` is not {}", with_article(&k.name(self.env))),
                            help,
                        );
                        None
                    }
                }
            }
            (ExprKind::Lit(Lit::Text(s)), Ty::Nibrs) => match nibrs::lookup(s) {
                Some(o) => Some(Const::Text(o.code.into())),
                None => {
                    let help = nibrs::suggest(s).map(|c| format!("did you mean `{c}`?"));
                    self.err(
                        e.span.clone(),
                        format!("`{s}` is not a NIBRS offence code in the shipped table"),
                        help,
                    );
                    None
                }
            },
            (ExprKind::Lit(Lit::Text(s)), Ty::Language) => match Language::parse(s) {
                Ok(l) => Some(Const::Text(l.as_str().into())),
                Err(_) => {
                    self.err(
                        e.span.clone(),
                        format!("`{s}` is not a language offramp knows"),
                        Some(
                            "write an ISO 639 code (`spa`, `es`) or an English name (`Spanish`)"
                                .into(),
                        ),
                    );
                    None
                }
            },
            (ExprKind::Lit(Lit::Text(s)), Ty::Date) => {
                match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    Ok(d) => Some(Const::Int(i64::from(d.num_days_from_ce()))),
                    Err(_) => {
                        self.err(
                            e.span.clone(),
                            format!("`{s}` is not a date"),
                            Some("write a date as \"YYYY-MM-DD\", e.g. \"2026-03-01\"".into()),
                        );
                        None
                    }
                }
            }
            (ExprKind::Lit(Lit::Text(s)), Ty::Clock) => {
                match NaiveTime::parse_from_str(s, "%H:%M")
                    .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
                {
                    Ok(t) => Some(Const::Int(i64::from(t.num_seconds_from_midnight()))),
                    Err(_) => {
                        self.err(
                            e.span.clone(),
                            format!("`{s}` is not a time of day"),
                            Some("write a 24-hour time as \"HH:MM\", e.g. \"08:30\"".into()),
                        );
                        None
                    }
                }
            }
            (ExprKind::Lit(Lit::Text(s)), Ty::Enum(k)) if self.quoted_enum(e, s, k) => None,
            (ExprKind::Lit(Lit::Text(s)), Ty::Text) => Some(Const::Text(s.as_str().into())),
            (ExprKind::Lit(Lit::Int(n)), Ty::Int) => Some(Const::Int(*n)),
            (ExprKind::Lit(Lit::Int(n)), Ty::Number) => Some(Const::Number(*n as f64)),
            (ExprKind::Lit(Lit::Number(n)), Ty::Number | Ty::Int) => Some(Const::Number(*n)),
            (ExprKind::Lit(Lit::Duration(d)), Ty::Duration) => Some(Const::Duration(*d)),
            (ExprKind::Lit(Lit::Bool(b)), Ty::Bool) => Some(Const::Bool(*b)),
            (ExprKind::Path(p), _) if let [word] = p.as_slice() => {
                let help = self.suggest_field(word);
                self.err(
                    e.span.clone(),
                    format!(
                        "unknown name `{}`: it is not a field, and {} has no named values",
                        word,
                        want.describe(self.env)
                    ),
                    help,
                );
                None
            }
            _ => {
                self.err(
                    e.span.clone(),
                    format!(
                        "expected {} literal here",
                        with_article(&want.describe(self.env))
                    ),
                    None,
                );
                None
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Checked {
        match &e.kind {
            ExprKind::Lit(l) => Some(match l {
                Lit::Bool(b) => (Node::Const(Const::Bool(*b)), Ty::Bool),
                Lit::Int(n) => (Node::Const(Const::Int(*n)), Ty::Int),
                Lit::Number(n) => (Node::Const(Const::Number(*n)), Ty::Number),
                Lit::Text(s) => (Node::Const(Const::Text(s.as_str().into())), Ty::Text),
                Lit::Duration(d) => (Node::Const(Const::Duration(*d)), Ty::Duration),
            }),
            ExprKind::Path(parts) => self.path(e, parts),
            ExprKind::List(_) => Some((Node::Const(Const::Bool(false)), Ty::List)),
            ExprKind::Not(inner) => {
                let n = self.boolean(inner)?;
                Some((Node::Not(Box::new(n)), Ty::Bool))
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let is_and = matches!(e.kind, ExprKind::And(_));
                // Every operand is checked, so all of a rule's errors are reported at once.
                let mut nodes = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match self.boolean(item) {
                        Some(Node::And(xs)) if is_and => nodes.extend(xs.into_vec()),
                        Some(Node::Or(xs)) if !is_and => nodes.extend(xs.into_vec()),
                        Some(other) => nodes.push(other),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                let nodes = nodes.into_boxed_slice();
                Some((
                    if is_and {
                        Node::And(nodes)
                    } else {
                        Node::Or(nodes)
                    },
                    Ty::Bool,
                ))
            }
            ExprKind::Cmp(_, a, b) if self.offence_clause_outside(e, &[a, b]) => None,
            ExprKind::Cmp(op, a, b) => self.compare(e, *op, a, b),
            ExprKind::In { value, .. } if self.offence_clause_outside(e, &[value]) => None,
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                let (node, ty) = self.expr(value)?;
                if ty == Ty::Word {
                    let word = Self::word_of(value).unwrap_or_default();
                    let help = self.suggest_field(word);
                    self.err(value.span.clone(), format!("unknown field `{word}`"), help);
                    return None;
                }
                if let Ty::Set(_) = ty {
                    self.err(
                        e.span.clone(),
                        format!("`in` tests one value; {} is a set", ty.describe(self.env)),
                        Some("write `needs has any [..]`".into()),
                    );
                    return None;
                }
                if !matches!(
                    ty,
                    Ty::Enum(_)
                        | Ty::Int
                        | Ty::Number
                        | Ty::Text
                        | Ty::Nibrs
                        | Ty::Language
                        | Ty::Duration
                        | Ty::Date
                ) {
                    self.err(
                        value.span.clone(),
                        format!("`in` cannot test {}", with_article(&ty.describe(self.env))),
                        None,
                    );
                    return None;
                }
                let ExprKind::List(items) = &list.kind else {
                    return None;
                };
                let mut consts = Vec::new();
                let mut ok = true;
                for item in items {
                    match self.constant(item, ty) {
                        Some(c) => consts.push(c),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                if let Ty::Enum(_) = ty {
                    let mask = consts.iter().fold(0u64, |m, c| match c {
                        Const::Enum(i) => m | (1u64 << (u32::from(*i) & 63)),
                        _ => m,
                    });
                    return Some((Node::InMask(Box::new(node), mask, *negated), Ty::Bool));
                }
                Some((
                    Node::InList(Box::new(node), consts.into_boxed_slice(), *negated),
                    Ty::Bool,
                ))
            }
            ExprKind::Has { set, .. } if self.offence_clause_outside(e, &[set]) => None,
            ExprKind::Has { set, mode, value } => {
                let (node, ty) = self.expr(set)?;
                let (Ty::Set(kind), Node::Field(field)) = (ty, &node) else {
                    self.err(
                        set.span.clone(),
                        format!(
                            "`has` needs a set field (`needs` or `flags`), not {}",
                            with_article(&ty.describe(self.env))
                        ),
                        (ty == Ty::Word)
                            .then(|| self.suggest_field(Self::word_of(set).unwrap_or_default()))
                            .flatten(),
                    );
                    return None;
                };
                let field = *field;
                let items: Vec<&Expr> = match &value.kind {
                    ExprKind::List(items) => items.iter().collect(),
                    _ => vec![value.as_ref()],
                };
                let mut mask = 0u64;
                let mut ok = true;
                for item in items {
                    match self.constant(item, Ty::Enum(kind)) {
                        Some(Const::Enum(i)) => mask |= 1u64 << (u32::from(i) & 63),
                        _ => ok = false,
                    }
                }
                ok.then_some((Node::Has(field, mask, *mode), Ty::Bool))
            }
            ExprKind::Is { value, known } => {
                let (node, ty) = self.expr(value)?;
                let optional = matches!(
                    node,
                    Node::Field(
                        Field::Responder
                            | Field::Source
                            | Field::Age
                            | Field::Language
                            | Field::Consent
                            | Field::Willing
                            | Field::HistLevel
                            | Field::HistNibrs
                            | Field::Overdose
                            | Field::OverdoseAt
                            | Field::OverdoseNaloxone
                            | Field::Attr(_)
                            | Field::OffActivity
                            | Field::OffDrugTypes
                            | Field::OffQuantityAmount
                            | Field::OffQuantityUnit
                            | Field::OffGrams
                            | Field::OffMilliliters
                    )
                );
                if !optional {
                    let what = if ty == Ty::Word {
                        "an unknown name"
                    } else {
                        "always known"
                    };
                    self.err(
                        value.span.clone(),
                        format!(
                            "`is known` tests a field that may be missing; `{value}` is {what}"
                        ),
                        (ty == Ty::Word)
                            .then(|| self.suggest_field(Self::word_of(value).unwrap_or_default()))
                            .flatten(),
                    );
                    return None;
                }
                Some((Node::Known(Box::new(node), *known), Ty::Bool))
            }
            ExprKind::Quant { q, over, body } => {
                if self.scope == Scope::Amnesty {
                    self.err(
                        e.span.clone(),
                        "an amnesty is about one offence at a time: read its fields (`nibrs`, `level`, `activity`) directly, without `any`, `all` or `count offenses`".into(),
                        None,
                    );
                    return None;
                }
                if self.in_offense || self.in_history {
                    self.err(e.span.clone(), "quantifiers cannot be nested".into(), None);
                    return None;
                }
                if *over == Collection::History {
                    self.reads.push("history");
                }
                let body = match body {
                    Some(b) => {
                        match over {
                            Collection::Offenses => self.in_offense = true,
                            Collection::History => self.in_history = true,
                        }
                        let n = self.boolean(b);
                        self.in_offense = false;
                        self.in_history = false;
                        Some(Box::new(n?))
                    }
                    None => None,
                };
                let ty = if *q == Quantifier::Count {
                    Ty::Int
                } else {
                    Ty::Bool
                };
                Some((Node::Quant(*q, *over, body), ty))
            }
            ExprKind::Within(d) => {
                if !self.in_history {
                    self.err(
                        e.span.clone(),
                        "`within` tests one history event and is only available inside `any history (...)`, `all history (...)` or `count history (...)`".into(),
                        Some("write `count history (kind == referral and within 30d)`".into()),
                    );
                    return None;
                }
                Some((Node::Within(*d), Ty::Bool))
            }
            ExprKind::Since(p) => {
                let (node, ty) = self.expr(p)?;
                if ty != Ty::Time {
                    self.err(
                        p.span.clone(),
                        format!(
                            "`since` needs a time such as `overdose.at`, not {}",
                            with_article(&ty.describe(self.env))
                        ),
                        None,
                    );
                    return None;
                }
                drop(node);
                Some((Node::Since, Ty::Duration))
            }
        }
    }

    fn boolean(&mut self, e: &Expr) -> Option<Node> {
        let (n, ty) = self.expr(e)?;
        match ty {
            Ty::Bool => Some(n),
            Ty::Word => {
                let word = Self::word_of(e).unwrap_or_default();
                let help = self.suggest_field(word);
                self.err(e.span.clone(), format!("unknown field `{word}`"), help);
                None
            }
            other => {
                let help = match other {
                    Ty::Set(_) => Some("test a set with `has`, e.g. `needs has sud`".to_string()),
                    Ty::Presence => Some("write `overdose is known`".to_string()),
                    Ty::Offenses => {
                        Some("write `any offenses (...)` or `count offenses > 0`".to_string())
                    }
                    _ => None,
                };
                self.err(
                    e.span.clone(),
                    format!(
                        "expected a condition (bool), but this is {}",
                        with_article(&other.describe(self.env))
                    ),
                    help,
                );
                None
            }
        }
    }

    fn compare(&mut self, e: &Expr, op: CmpOp, a: &Expr, b: &Expr) -> Checked {
        let l = self.expr(a);
        let r = self.expr(b);
        let ((ln, lt), (rn, rt)) = (l?, r?);
        // Resolve bare words against the other side.
        let (ln, lt, rn, rt) = match (lt, rt) {
            (Ty::Word, Ty::Word) => {
                let word = Self::word_of(a).unwrap_or_default();
                let help = self.suggest_field(word);
                self.err(a.span.clone(), format!("unknown field `{word}`"), help);
                return None;
            }
            (Ty::Word, other) => (Node::Const(self.constant(a, other)?), other, rn, rt),
            (other, Ty::Word) => {
                let c = self.constant(b, other)?;
                (ln, lt, Node::Const(c), other)
            }
            (Ty::Enum(k), Ty::Text) | (Ty::Text, Ty::Enum(k)) => {
                let (lit, lit_node) = if lt == Ty::Text { (a, &ln) } else { (b, &rn) };
                if let (Node::Const(_), ExprKind::Lit(Lit::Text(s))) = (lit_node, &lit.kind)
                    && self.quoted_enum(lit, s, k)
                {
                    return None;
                }
                (ln, lt, rn, rt)
            }
            (coded @ (Ty::Nibrs | Ty::Language | Ty::Date | Ty::Clock), Ty::Text)
            | (Ty::Text, coded @ (Ty::Nibrs | Ty::Language | Ty::Date | Ty::Clock)) => {
                // Validate (and, for a language, normalise) the literal.
                let (lit, lit_node) = if lt == Ty::Text { (a, &ln) } else { (b, &rn) };
                if !matches!(lit_node, Node::Const(_)) {
                    let example = match coded {
                        Ty::Nibrs => "compare `nibrs` with a code literal such as \"35A\"",
                        Ty::Date => "compare `at.date` with a literal such as \"2026-03-01\"",
                        Ty::Clock => "compare `at.time` with a literal such as \"08:30\"",
                        _ => "compare `language` with a literal such as \"spa\"",
                    };
                    self.err(lit.span.clone(), example.into(), None);
                    return None;
                }
                let c = self.constant(lit, coded)?;
                if lt == Ty::Text {
                    (Node::Const(c), coded, rn, rt)
                } else {
                    (ln, lt, Node::Const(c), coded)
                }
            }
            _ => (ln, lt, rn, rt),
        };
        let compatible = lt == rt || (lt.numeric() && rt.numeric());
        if !compatible {
            let help = match (lt, rt) {
                (Ty::Time, _) | (_, Ty::Time) => {
                    Some("compare durations: `since overdose.at <= 72h`".to_string())
                }
                (Ty::Set(_), _) | (_, Ty::Set(_)) => Some("test a set with `has`".to_string()),
                (Ty::List, _) | (_, Ty::List) => Some("test membership with `in`".to_string()),
                _ => None,
            };
            self.err(
                e.span.clone(),
                format!(
                    "cannot compare {} with {}",
                    with_article(&lt.describe(self.env)),
                    with_article(&rt.describe(self.env))
                ),
                help,
            );
            return None;
        }
        let orderable = lt.numeric()
            || matches!(lt, Ty::Duration | Ty::Date | Ty::Clock)
            || matches!(lt, Ty::Enum(k) if k.ordered());
        let comparable = orderable
            || matches!(
                lt,
                Ty::Bool | Ty::Text | Ty::Nibrs | Ty::Language | Ty::Enum(_)
            );
        if !comparable || (!orderable && !matches!(op, CmpOp::Eq | CmpOp::Ne)) {
            self.err(
                e.span.clone(),
                format!(
                    "`{}` cannot be used on {}",
                    op.as_str(),
                    with_article(&lt.describe(self.env))
                ),
                None,
            );
            return None;
        }
        Some((Node::Cmp(op, Box::new(ln), Box::new(rn)), Ty::Bool))
    }
}

/// How a rule reads `field` of one offence or history event: inside `any` of its list, as a
/// condition when the field is one (`any offenses (chargeable)`), else with a place for the
/// rest of the comparison (`any offenses (level ...)`).
fn quantified(field: &str, over: Collection) -> String {
    let list = match over {
        Collection::Offenses => "offenses",
        Collection::History => "history",
    };
    let condition = matches!(field, "violent" | "drug" | "chargeable");
    if condition {
        format!("any {list} ({field})")
    } else {
        format!("any {list} ({field} ...)")
    }
}

/// The conjuncts of a rule: the operands of its top-level `and`, including those of an `and`
/// in parentheses inside it. Recursion follows parentheses only, which the parser bounds.
pub(crate) fn flatten_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::And(items) => {
            for item in items {
                flatten_and(item, out);
            }
        }
        _ => out.push(e),
    }
}

/// The outcome of checking a rule: compiled, plus attribute names it reads.
pub(crate) struct CheckOutcome {
    pub compiled: Compiled,
    pub reads_responder: bool,
}

/// Type-checks and compiles a parsed rule. All errors are returned, not just the first.
#[cfg(test)]
pub(crate) fn compile(expr: &Expr, env: &Env) -> Result<CheckOutcome, Vec<ParseError>> {
    compile_in(expr, env, Scope::Encounter)
}

/// Type-checks and compiles a rule in `scope`: an amnesty's condition reads one offence's
/// fields directly, as inside `any offenses (...)`, and may not read `chargeable`.
pub(crate) fn compile_in(
    expr: &Expr,
    env: &Env,
    scope: Scope,
) -> Result<CheckOutcome, Vec<ParseError>> {
    let mut conjuncts = Vec::new();
    flatten_and(expr, &mut conjuncts);
    let mut checker = Checker {
        env,
        errors: Vec::new(),
        in_offense: scope == Scope::Amnesty,
        in_history: false,
        scope,
        reads: Vec::new(),
        attr_reads: Vec::new(),
    };
    let mut parts = Vec::new();
    let mut reads_responder = false;
    for c in conjuncts {
        checker.reads.clear();
        checker.attr_reads.clear();
        if let Some(node) = checker.boolean(c) {
            let mut names: Vec<String> = checker.reads.iter().map(|s| format!("`{s}`")).collect();
            names.extend(
                checker
                    .attr_reads
                    .iter()
                    .map(|s| format!("`attributes.{s}`")),
            );
            names.dedup();
            reads_responder |= checker.reads.contains(&"responder");
            // The clause as reasons show it: canonical, with the program's constants folded.
            let clause = explain::render(&node, &env.attrs);
            let reads = names.join(" or ");
            let unknown = if reads.is_empty() {
                format!("`{clause}` could not be checked: a value it reads was not recorded")
            } else {
                format!("`{clause}` could not be checked: {reads} not recorded")
            };
            parts.push(Part {
                texts: explain::node_texts(&node, &env.attrs),
                node,
                not_met: Text::pooled(&format!("`{clause}` does not hold")),
                unknown: Text::pooled(&unknown),
                clause: Text::pooled(&clause),
                reads: Text::pooled(&reads),
            });
        }
    }
    if !checker.errors.is_empty() {
        return Err(checker.errors);
    }
    Ok(CheckOutcome {
        compiled: Compiled {
            parts: parts.into_boxed_slice(),
            canonical: Text::pooled(&expr.to_string()),
        },
        reads_responder,
    })
}

mod eval;
#[cfg(test)]
pub(crate) use eval::EVERY_HISTORY_KIND;
pub(crate) use eval::history_kind_bit;
pub(crate) mod explain;
mod fold;
mod types;
#[cfg(test)]
pub(crate) use eval::eval_rule;
pub(crate) use eval::mask_of;
pub(crate) use eval::node_truth;
pub(crate) use types::*;

#[cfg(test)]
mod tests;
