//! Explaining an evaluation, for reasons, traces and what a decision still needs:
//!
//! - a compiled clause printed back in canonical form, with the program's constants folded
//!   (`since overdose.at <= 72h`, never `window.naloxone_plus`);
//! - [`Evidence`]: a clause's three-valued result with the coded value it read and the limit it
//!   compared that value with, the offence or history event that decided a quantifier, and
//!   the parts of an `and`, `or` or `not` below it;
//! - the fields an undecided clause waits on ([`missing`]).
//!
//! None of this runs on the router's fast path: a clause is explained only once it is known to
//! be false or unknown, or when a trace is asked for. Values shown come from coded fields only
//! (numbers, times, durations, vocabulary words, NIBRS and language codes); a text attribute,
//! which may hold anything a records system typed, is shown as `recorded`, never copied.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use super::eval::{V, eval, field, tri};
use super::*;
use crate::nibrs::NibrsCode;
use crate::rules::lexer::write_duration;
use crate::text::with_scratch;

/// How many items of a quantifier an explanation of a reason lists: the first ones that
/// decided it. A trace lists every item (an encounter carries at most
/// [`MAX_HISTORY`](crate::domain::MAX_HISTORY) history events).
pub const MAX_REASON_ITEMS: usize = 8;

/// One offence of the encounter, as an explanation names it: by position and code, never by
/// any text the records system typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OffenseRef {
    /// Its position in the encounter's `offenses`, from 0.
    pub index: u32,
    /// Its NIBRS code.
    pub nibrs: NibrsCode,
    /// The code's name in the NIBRS table.
    pub name: Text,
}

/// A clause's result and what decided it: the unit of reasons and traces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// The clause in canonical form, constants folded.
    pub clause: Text,
    /// Its three-valued result.
    pub result: Truth,
    /// The field the clause compares or tests, when it reads one directly (`age`,
    /// `overdose.at`, `attributes.screened`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<Text>,
    /// The value the clause read, written as a rule writes it (`16`, `73h`,
    /// `misdemeanor`, `[sud, housing]`); absent when it was not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Text>,
    /// The limit a comparison holds the value to (`18`, `72h`), with the operator in
    /// [`Evidence::clause`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Text>,
    /// The offence this evidence is about, inside a quantifier over offences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offense: Option<OffenseRef>,
    /// The history event this evidence is about (its position in `history`, from 0), inside
    /// a quantifier over history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<u32>,
    /// The parts below: the alternatives of an `or`, the conjuncts of an `and`, the operand of
    /// `not`, or the items of a quantifier. A reason keeps only those that decided; a trace
    /// keeps them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Evidence>,
}

impl Evidence {
    /// What decided the clause, as a phrase: `age 16; needs 18 or more`, `73h since the
    /// overdose; needs 72h or less`, `offence 1 (23H, All Other Larceny): ...`; empty when the
    /// clause itself says all there is.
    pub fn detail(&self) -> String {
        let mut s = String::new();
        self.write_detail(&mut s);
        s
    }

    /// Appends [`Evidence::detail`] to `s`.
    pub(crate) fn write_detail(&self, s: &mut String) {
        let start = s.len();
        if let Some(o) = &self.offense {
            let _ = write!(
                s,
                "offence {} ({}, {})",
                o.index.saturating_add(1),
                o.nibrs,
                o.name
            );
        } else if let Some(i) = self.event {
            let _ = write!(s, "history event {}", i.saturating_add(1));
        }
        let scoped = s.len() > start;
        let sep = if scoped { ": " } else { "" };
        match (&self.field, &self.value) {
            (Some(f), Some(v)) => {
                s.push_str(sep);
                match f.as_str() {
                    SINCE => {
                        let _ = write!(s, "{v} since the overdose");
                    }
                    // `needs needs [sud]` would read badly: the field of that name is its
                    // record.
                    "needs" => {
                        let _ = write!(s, "needs recorded {v}");
                    }
                    _ => {
                        let _ = write!(s, "{f} {v}");
                    }
                }
                // What the clause asks for is said only where it was not met: under a `not`, a
                // part that holds is what made the clause fail, and "needs" would mislead.
                if let (Some(limit), false) = (&self.limit, self.result == Truth::True) {
                    s.push_str("; needs ");
                    write_needs(s, &self.clause, f, limit);
                }
                return;
            }
            (Some(f), None) if self.result == Truth::Unknown => {
                let _ = write!(s, "{sep}`{f}` not recorded");
                return;
            }
            _ => {}
        }
        // The parts' details, joined by "; ", written in place: `quantity.grams 10.0` says
        // nothing that `quantity.grams 10.0; needs less than 3` beside it does not, so a
        // detail that begins another is left out (a reason's sentence is written for every
        // decision of a batch: no string per part).
        let head = s.len();
        let mut kept: SmallVec<[(usize, usize); 8]> = SmallVec::new();
        for part in &self.parts {
            let mark = s.len();
            s.push_str(if kept.is_empty() { sep } else { "; " });
            let at = s.len();
            part.write_detail(s);
            let end = s.len();
            let d = s.get(at..end).unwrap_or_default();
            if d.is_empty()
                || kept
                    .iter()
                    .any(|&(a, b)| s.get(a..b).is_some_and(|i| i.starts_with(d)))
            {
                s.truncate(mark);
                continue;
            }
            let covered: SmallVec<[usize; 8]> = kept
                .iter()
                .enumerate()
                .filter(|&(_, &(a, b))| s.get(a..b).is_some_and(|i| d.starts_with(i)))
                .map(|(k, _)| k)
                .collect();
            kept.push((at, end));
            for &k in covered.iter().rev() {
                // The first kept detail goes with the "; " after it, any other with the one
                // before it.
                let range = match (k, kept.get(k), kept.get(k.saturating_add(1))) {
                    (0, Some(&(a, _)), Some(&(next, _))) => a..next,
                    (_, Some(&(a, b)), _) => a.saturating_sub(2)..b,
                    _ => continue,
                };
                let cut = range.len();
                s.replace_range(range, "");
                kept.remove(k);
                for item in kept.iter_mut().skip(k) {
                    *item = (item.0.saturating_sub(cut), item.1.saturating_sub(cut));
                }
            }
        }
        if kept.is_empty() && scoped {
            s.truncate(head);
            let _ = write!(s, ": `{}` is {}", self.clause, self.result);
        }
    }
}

/// The field name evidence gives `since overdose.at`.
const SINCE: &str = "since overdose.at";

/// Writes `18 or more` for `age >= 18`, `one of [sud, housing]` for `needs has any [...]`:
/// what the limit asks of the value, read back from the operator in the leaf clause's text.
fn write_needs(s: &mut String, clause: &str, field: &str, limit: &str) {
    const OPS: [&str; 11] = [
        " not in ",
        " in ",
        " has any ",
        " has all ",
        " has ",
        " >= ",
        " <= ",
        " == ",
        " != ",
        " > ",
        " < ",
    ];
    // A leaf clause is `FIELD OP LIMIT`: the operator is read right after the field, not
    // searched for in the whole clause, which could find one inside a quantifier's body
    // (`count offenses (nibrs in [...]) >= 2`) and costs a scan per reason of a batch. A
    // constant written first (`18 <= age`) is read the other way round.
    let op = match (clause.strip_prefix(field), clause.strip_suffix(field)) {
        (Some(rest), _) => OPS.into_iter().find(|op| rest.starts_with(op)),
        (None, Some(head)) => OPS
            .into_iter()
            .find(|op| head.ends_with(op))
            .map(|op| match op {
                " < " => " > ",
                " <= " => " >= ",
                " > " => " < ",
                " >= " => " <= ",
                other => other,
            }),
        (None, None) => OPS.into_iter().find(|op| clause.contains(op)),
    };
    let (before, after) = match op.map(str::trim) {
        Some(">=") => ("", " or more"),
        Some(">") => ("more than ", ""),
        Some("<=") => ("", " or less"),
        Some("<") => ("less than ", ""),
        Some("!=") => ("other than ", ""),
        Some("not in") => ("none of ", ""),
        Some("in") => ("one of ", ""),
        Some("has any") => ("any of ", ""),
        Some("has all") => ("all of ", ""),
        Some("has") => {
            s.push_str(limit.trim_start_matches('[').trim_end_matches(']'));
            return;
        }
        _ => ("", ""),
    };
    s.push_str(before);
    s.push_str(limit);
    s.push_str(after);
}

/// How much of an evaluation an explanation keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// What decided: the false (or unknown) conjuncts, every alternative of an `or` that did
    /// not hold, the first items of a quantifier that decided it.
    Reason,
    /// Everything, for a trace.
    Trace,
}

/// How a value is written: the type the field or constant has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Plain,
    Enum(EnumKind),
    Date,
    Clock,
    Time,
    /// Free text from the records system: never shown.
    Hidden,
}

impl Field {
    /// The field's name as a rule writes it.
    pub(crate) fn name(self, attrs: &[AttrInfo]) -> String {
        let fixed = match self {
            Field::Responder => "responder",
            Field::Source => "source",
            Field::Needs => "needs",
            Field::Flags => "flags",
            Field::Offenses => "offenses",
            Field::Age => "age",
            Field::Language => "language",
            Field::Consent => "consent",
            Field::Willing => "willing",
            Field::Intercept => "intercept",
            Field::Overdose => "overdose",
            Field::OverdoseAt => "overdose.at",
            Field::OverdoseNaloxone => "overdose.naloxone",
            Field::AtHour => "at.hour",
            Field::AtMinute => "at.minute",
            Field::AtWeekday => "at.weekday",
            Field::AtDate => "at.date",
            Field::AtClock => "at.time",
            Field::OffNibrs | Field::HistNibrs => "nibrs",
            Field::OffLevel | Field::HistLevel => "level",
            Field::OffViolent => "violent",
            Field::OffCrimeAgainst | Field::HistCrimeAgainst => "crime_against",
            Field::OffDrug | Field::HistDrug => "drug",
            Field::HistKind => "kind",
            Field::OffActivity => "activity",
            Field::OffDrugTypes => "drug_types",
            Field::OffQuantityAmount => "quantity.amount",
            Field::OffQuantityUnit => "quantity.unit",
            Field::OffGrams => "quantity.grams",
            Field::OffMilliliters => "quantity.milliliters",
            Field::OffChargeable => "chargeable",
            Field::Attr(i) => {
                return format!(
                    "attributes.{}",
                    attrs.get(usize::from(i)).map_or("?", |a| a.name.as_str())
                );
            }
        };
        fixed.to_string()
    }

    /// Whether the field belongs to the offence or history event at hand, not the encounter.
    fn of_item(self) -> bool {
        matches!(
            self,
            Field::OffNibrs
                | Field::OffLevel
                | Field::OffViolent
                | Field::OffCrimeAgainst
                | Field::OffDrug
                | Field::OffActivity
                | Field::OffDrugTypes
                | Field::OffQuantityAmount
                | Field::OffQuantityUnit
                | Field::OffGrams
                | Field::OffMilliliters
                | Field::OffChargeable
                | Field::HistKind
                | Field::HistLevel
                | Field::HistNibrs
                | Field::HistCrimeAgainst
                | Field::HistDrug
        )
    }

    fn shown(self, attrs: &[AttrInfo]) -> Shown {
        match self {
            Field::Responder => Shown::Enum(EnumKind::Responder),
            Field::Source => Shown::Enum(EnumKind::Source),
            Field::Needs => Shown::Enum(EnumKind::Need),
            Field::Flags => Shown::Enum(EnumKind::Flag),
            Field::Consent => Shown::Enum(EnumKind::Consent),
            Field::Willing => Shown::Enum(EnumKind::Willing),
            Field::AtWeekday => Shown::Enum(EnumKind::Weekday),
            Field::AtDate => Shown::Date,
            Field::AtClock => Shown::Clock,
            Field::OverdoseAt => Shown::Time,
            Field::OffLevel | Field::HistLevel => Shown::Enum(EnumKind::Level),
            Field::OffCrimeAgainst | Field::HistCrimeAgainst => Shown::Enum(EnumKind::CrimeAgainst),
            Field::HistKind => Shown::Enum(EnumKind::HistoryKind),
            Field::OffActivity => Shown::Enum(EnumKind::Activity),
            Field::OffDrugTypes => Shown::Enum(EnumKind::DrugType),
            Field::OffQuantityUnit => Shown::Enum(EnumKind::DrugUnit),
            Field::Attr(i) => match attrs.get(usize::from(i)).map(|a| a.kind) {
                Some(AttrKind::Enum) => Shown::Enum(EnumKind::Attr(i)),
                Some(AttrKind::Text) => Shown::Hidden,
                _ => Shown::Plain,
            },
            _ => Shown::Plain,
        }
    }
}

/// How the value of `n` is written.
fn shown_of(n: &Node, attrs: &[AttrInfo]) -> Shown {
    match n {
        Node::Field(f) => f.shown(attrs),
        _ => Shown::Plain,
    }
}

fn kind_word(kind: EnumKind, i: u8, attrs: &[AttrInfo]) -> &str {
    kind.word(i, attrs).unwrap_or("?")
}

fn mask_words(kind: EnumKind, mask: u64, attrs: &[AttrInfo]) -> String {
    let mut s = String::new();
    write_mask_words(&mut s, kind, mask, attrs);
    s
}

fn write_mask_words(s: &mut String, kind: EnumKind, mask: u64, attrs: &[AttrInfo]) {
    s.push('[');
    let mut first = true;
    for (i, w) in kind.words(attrs).enumerate() {
        if u32::try_from(i).is_ok_and(|i| i < 64 && (mask >> i) & 1 == 1) {
            if !first {
                s.push_str(", ");
            }
            first = false;
            s.push_str(w);
        }
    }
    s.push(']');
}

fn write_number(s: &mut String, n: f64) {
    let t = n.to_string();
    if t.contains('.') || !n.is_finite() {
        s.push_str(&t);
    } else {
        let _ = write!(s, "{t}.0");
    }
}

fn write_text(s: &mut String, t: &str) {
    s.push('"');
    for ch in t.chars() {
        match ch {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c => s.push(c),
        }
    }
    s.push('"');
}

/// A day number (days from the common era) or seconds since midnight, written as a rule
/// writes them.
fn write_calendar(s: &mut String, n: i64, shown: Shown) {
    match shown {
        Shown::Date => match i32::try_from(n)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
        {
            Some(d) => {
                let _ = write!(s, "\"{}\"", d.format("%Y-%m-%d"));
            }
            None => {
                let _ = write!(s, "{n}");
            }
        },
        Shown::Clock => match u32::try_from(n)
            .ok()
            .and_then(|secs| NaiveTime::from_num_seconds_from_midnight_opt(secs, 0))
        {
            Some(t) if t.second() == 0 => {
                let _ = write!(s, "\"{}\"", t.format("%H:%M"));
            }
            Some(t) => {
                let _ = write!(s, "\"{}\"", t.format("%H:%M:%S"));
            }
            None => {
                let _ = write!(s, "{n}");
            }
        },
        Shown::Time => match chrono::DateTime::from_timestamp(n, 0) {
            Some(t) => s.push_str(&t.to_rfc3339()),
            None => {
                let _ = write!(s, "{n}");
            }
        },
        _ => {
            let _ = write!(s, "{n}");
        }
    }
}

fn write_const(s: &mut String, c: &Const, shown: Shown, attrs: &[AttrInfo]) {
    match c {
        Const::Bool(b) => {
            let _ = write!(s, "{b}");
        }
        Const::Int(n) => write_calendar(s, *n, shown),
        Const::Number(n) => write_number(s, *n),
        Const::Duration(d) => write_duration(s, *d),
        Const::Enum(e) => match shown {
            Shown::Enum(k) => s.push_str(kind_word(k, *e, attrs)),
            _ => {
                let _ = write!(s, "{e}");
            }
        },
        Const::Text(t) => write_text(s, t),
    }
}

/// A constant as a limit in a sentence: as a rule writes it, but a code without quotes, as
/// values are shown.
fn write_bare(s: &mut String, c: &Const, shown: Shown, attrs: &[AttrInfo]) {
    match c {
        Const::Text(t) => s.push_str(t),
        _ => write_const(s, c, shown, attrs),
    }
}

/// A value read during evaluation, written as a rule writes it; `None` when unknown. A word
/// of a fixed vocabulary is shared, not copied.
fn show_value(v: V<'_>, shown: Shown, attrs: &[AttrInfo]) -> Option<Text> {
    let shared = match (v, shown) {
        (V::Unknown, _) => return None,
        (_, Shown::Hidden) => Some("recorded"),
        (V::Bool(b), _) => Some(if b { "true" } else { "false" }),
        (V::Enum(e), Shown::Enum(k)) => k.static_word(e),
        _ => None,
    };
    if let Some(w) = shared {
        return Some(Text::from_static(w));
    }
    Some(with_scratch(|s| {
        match v {
            // Answered above; written here only for completeness.
            V::Unknown => {}
            V::Bool(b) => {
                let _ = write!(s, "{b}");
            }
            V::Int(n) => write_calendar(s, n, shown),
            V::Number(n) => write_number(s, n),
            V::Duration(d) => write_duration(s, d),
            V::Enum(e) => match shown {
                Shown::Enum(k) => s.push_str(kind_word(k, e, attrs)),
                _ => {
                    let _ = write!(s, "{e}");
                }
            },
            V::Set(m) => match shown {
                Shown::Enum(k) => write_mask_words(s, k, m, attrs),
                _ => {
                    let _ = write!(s, "{m:#x}");
                }
            },
            // Text fields a rule can read are codes (NIBRS, ISO 639) or declared text
            // attributes, which are hidden above.
            V::Text(t) => s.push_str(t),
        }
        Text::owned(&**s)
    }))
}

fn precedence(n: &Node) -> u8 {
    match n {
        Node::Or(_) => 1,
        Node::And(_) => 2,
        Node::Not(_) => 3,
        Node::Cmp(..) | Node::InMask(..) | Node::InList(..) | Node::Has(..) | Node::Known(..) => 4,
        _ => 5,
    }
}

/// Writes `n` in canonical form, in parentheses when it binds looser than `min`.
fn write_node(s: &mut String, n: &Node, attrs: &[AttrInfo], min: u8, hint: Shown) {
    if precedence(n) < min {
        s.push('(');
        write_node(s, n, attrs, 0, hint);
        s.push(')');
        return;
    }
    match n {
        Node::Const(c) => write_const(s, c, hint, attrs),
        Node::Field(f) => s.push_str(&f.name(attrs)),
        Node::Since => s.push_str(SINCE),
        Node::Not(inner) => {
            s.push_str("not ");
            write_node(s, inner, attrs, 3, Shown::Plain);
        }
        Node::And(items) | Node::Or(items) => {
            let (op, min) = if matches!(n, Node::And(_)) {
                (" and ", 3)
            } else {
                (" or ", 2)
            };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(op);
                }
                write_node(s, item, attrs, min, Shown::Plain);
            }
        }
        Node::Cmp(op, a, b) => {
            let (ha, hb) = (shown_of(a, attrs), shown_of(b, attrs));
            write_node(s, a, attrs, 5, hb);
            let _ = write!(s, " {} ", op.as_str());
            write_node(s, b, attrs, 5, ha);
        }
        Node::InMask(v, mask, negated) => {
            write_node(s, v, attrs, 5, Shown::Plain);
            s.push_str(if *negated { " not in " } else { " in " });
            match shown_of(v, attrs) {
                Shown::Enum(k) => s.push_str(&mask_words(k, *mask, attrs)),
                _ => {
                    let _ = write!(s, "{mask:#x}");
                }
            }
        }
        Node::InList(v, list, negated) => {
            let hint = shown_of(v, attrs);
            write_node(s, v, attrs, 5, Shown::Plain);
            s.push_str(if *negated { " not in [" } else { " in [" });
            for (i, c) in list.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_const(s, c, hint, attrs);
            }
            s.push(']');
        }
        Node::Has(f, mask, mode) => {
            s.push_str(&f.name(attrs));
            s.push_str(" has ");
            let kind = match f.shown(attrs) {
                Shown::Enum(k) => Some(k),
                _ => None,
            };
            match (mode, kind) {
                (HasMode::One, Some(k)) => {
                    let words = mask_words(k, *mask, attrs);
                    s.push_str(words.trim_start_matches('[').trim_end_matches(']'));
                }
                (HasMode::Any, Some(k)) => {
                    s.push_str("any ");
                    s.push_str(&mask_words(k, *mask, attrs));
                }
                (HasMode::All, Some(k)) => {
                    s.push_str("all ");
                    s.push_str(&mask_words(k, *mask, attrs));
                }
                (_, None) => {
                    let _ = write!(s, "{mask:#x}");
                }
            }
        }
        Node::Known(inner, known) => {
            write_node(s, inner, attrs, 5, Shown::Plain);
            s.push_str(if *known { " is known" } else { " is unknown" });
        }
        Node::Quant(q, over, body) => {
            let word = match q {
                Quantifier::Any => "any",
                Quantifier::All => "all",
                Quantifier::Count => "count",
            };
            let _ = write!(s, "{word} {}", over.word());
            if let Some(b) = body {
                s.push_str(" (");
                write_node(s, b, attrs, 0, Shown::Plain);
                s.push(')');
            }
        }
        Node::Within(d) => {
            s.push_str("within ");
            write_duration(s, *d);
        }
    }
}

/// `n` in canonical form with its constants folded.
pub(crate) fn render(n: &Node, attrs: &[AttrInfo]) -> String {
    let mut s = String::new();
    write_node(&mut s, n, attrs, 0, Shown::Plain);
    s
}

/// The offence at hand as an explanation names it.
pub(crate) fn offense_ref(index: usize, o: &Offense) -> OffenseRef {
    OffenseRef {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        nibrs: o.nibrs,
        name: Text::from_static(o.nibrs.name()),
    }
}

/// What an explanation says of one node of a compiled clause that does not depend on the
/// encounter, worked out once when the program is compiled: the node's clause in canonical
/// form, the field it reads and the limit it holds that field to. Routing then only formats
/// the values it read.
#[derive(Debug, Clone)]
pub(crate) struct NodeText {
    clause: Text,
    field: Option<Text>,
    limit: Option<Text>,
    /// How many nodes the subtree rooted here holds (itself included), so that a child's place
    /// in the pre-order table is found without walking the tree.
    size: u32,
}

/// The operands of `n` that evidence looks into, in the order the table lists them.
fn children(n: &Node) -> &[Node] {
    match n {
        Node::Not(inner)
        | Node::InMask(inner, ..)
        | Node::InList(inner, ..)
        | Node::Known(inner, _)
        | Node::Quant(_, _, Some(inner)) => std::slice::from_ref(inner.as_ref()),
        Node::And(items) | Node::Or(items) => items,
        _ => &[],
    }
}

/// The side of a comparison that reads (the value) and the other (the limit): a constant on
/// the left is the limit.
fn sides<'n>(a: &'n Node, b: &'n Node) -> (&'n Node, &'n Node) {
    if matches!(a, Node::Const(_)) {
        (b, a)
    } else {
        (a, b)
    }
}

/// The table of a clause: one [`NodeText`] per node, in pre-order (a comparison's two sides
/// follow it, left then right).
pub(crate) fn node_texts(root: &Node, attrs: &[AttrInfo]) -> Box<[NodeText]> {
    fn walk(n: &Node, attrs: &[AttrInfo], out: &mut Vec<NodeText>) {
        let at = out.len();
        let label = |v: &Node| match v {
            Node::Field(f) => Some(Text::pooled(&f.name(attrs))),
            Node::Since => Some(Text::pooled(SINCE)),
            Node::Quant(Quantifier::Count, ..) => Some(Text::pooled(&render(v, attrs))),
            _ => None,
        };
        let (field, limit) = match n {
            Node::Field(_) | Node::Since => (label(n), None),
            Node::Cmp(_, a, b) => {
                let (value, limit) = sides(a, b);
                let text = match limit {
                    Node::Const(c) => {
                        let mut s = String::new();
                        write_bare(&mut s, c, shown_of(value, attrs), attrs);
                        Some(Text::pooled(&s))
                    }
                    _ => None,
                };
                (label(value), text)
            }
            Node::InMask(v, mask, _) => (
                label(v),
                match shown_of(v, attrs) {
                    Shown::Enum(k) => Some(Text::pooled(&mask_words(k, *mask, attrs))),
                    _ => None,
                },
            ),
            Node::InList(v, list, _) => {
                let hint = shown_of(v, attrs);
                let mut s = String::from("[");
                for (i, c) in list.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    write_bare(&mut s, c, hint, attrs);
                }
                s.push(']');
                (label(v), Some(Text::pooled(&s)))
            }
            Node::Known(v, _) => (label(v), None),
            Node::Has(f, mask, _) => (
                Some(Text::pooled(&f.name(attrs))),
                match f.shown(attrs) {
                    Shown::Enum(k) => Some(Text::pooled(&mask_words(k, *mask, attrs))),
                    _ => None,
                },
            ),
            Node::Quant(_, Collection::History, _) => (Some(Text::pooled("history")), None),
            Node::Quant(_, Collection::Offenses, Some(_)) => (Some(Text::pooled("offenses")), None),
            _ => (None, None),
        };
        out.push(NodeText {
            clause: Text::pooled(&render(n, attrs)),
            field,
            limit,
            size: 1,
        });
        match n {
            Node::Cmp(_, a, b) => {
                walk(a, attrs, out);
                walk(b, attrs, out);
            }
            _ => {
                for c in children(n) {
                    walk(c, attrs, out);
                }
            }
        }
        let size = u32::try_from(out.len().saturating_sub(at)).unwrap_or(u32::MAX);
        if let Some(t) = out.get_mut(at) {
            t.size = size;
        }
    }
    let mut out = Vec::new();
    walk(root, attrs, &mut out);
    out.into_boxed_slice()
}

/// The evidence for conjunct `part` evaluated in `ctx`.
pub(crate) fn evidence(part: &Part, ctx: &Ctx<'_>, depth: Depth) -> Evidence {
    Explainer {
        table: &part.texts,
        depth,
    }
    .at(&part.node, 0, ctx)
}

/// Builds evidence from a clause's [`NodeText`] table.
struct Explainer<'t> {
    table: &'t [NodeText],
    depth: Depth,
}

impl Explainer<'_> {
    fn size(&self, idx: usize) -> usize {
        self.table
            .get(idx)
            .map_or(1, |t| usize::try_from(t.size).unwrap_or(1))
    }

    /// How many of a quantifier's `len` items its evidence can keep.
    fn items(&self, len: usize) -> usize {
        match self.depth {
            Depth::Trace => len,
            Depth::Reason => len.min(MAX_REASON_ITEMS),
        }
    }

    /// The evidence for `n`, the node at `idx` of the table, in `ctx`.
    fn at(&self, n: &Node, idx: usize, ctx: &Ctx<'_>) -> Evidence {
        let attrs = ctx.attrs;
        let result = tri(eval(n, ctx));
        let text = self.table.get(idx);
        let mut e = Evidence {
            clause: text.map_or_else(|| Text::owned(render(n, attrs)), |t| t.clause.clone()),
            result,
            field: text.and_then(|t| t.field.clone()),
            value: None,
            limit: text.and_then(|t| t.limit.clone()),
            offense: None,
            event: None,
            parts: Vec::new(),
        };
        let value_of = |v: &Node| {
            if matches!(v, Node::Const(_)) {
                None
            } else {
                show_value(eval(v, ctx), shown_of(v, attrs), attrs)
            }
        };
        let first = idx.saturating_add(1);
        match n {
            Node::Field(_) | Node::Since => e.value = value_of(n),
            Node::Cmp(_, a, b) => {
                let (value, limit) = sides(a, b);
                e.value = value_of(value);
                let value_idx = if std::ptr::eq(value, a.as_ref()) {
                    first
                } else {
                    first.saturating_add(self.size(first))
                };
                if let Node::Quant(Quantifier::Count, ..) = value {
                    if self.depth == Depth::Trace {
                        e.parts = self.at(value, value_idx, ctx).parts;
                    }
                } else if e.limit.is_none() {
                    // A field compared with a field: the other side's value is the limit.
                    e.limit = value_of(limit);
                }
            }
            Node::InMask(v, ..) | Node::InList(v, ..) | Node::Known(v, _) => e.value = value_of(v),
            Node::Has(f, ..) => e.value = value_of(&Node::Field(*f)),
            // Parts are allocated at the size they end with: an empty `Vec` would grow to four
            // places at the first push, and a batch keeps every decision in memory.
            Node::Not(inner) => e.parts = vec![self.at(inner, first, ctx)],
            Node::And(items) | Node::Or(items) => {
                e.parts.reserve_exact(items.len());
                let mut next = first;
                for item in items.iter() {
                    // A reason keeps the parts that decided: every part that did not hold, or
                    // (for a true result) every part; only those are explained.
                    let keep = self.depth == Depth::Trace || result == Truth::True || {
                        let t = tri(eval(item, ctx));
                        t == result || (matches!(n, Node::Or(_)) && t != Truth::True)
                    };
                    if keep {
                        e.parts.push(self.at(item, next, ctx));
                    }
                    next = next.saturating_add(self.size(next));
                }
            }
            Node::Quant(_, Collection::Offenses, Some(body)) => {
                if ctx.enc.offenses.is_empty() {
                    e.value = Some(Text::from_static("none recorded"));
                } else {
                    e.field = None;
                }
                e.parts.reserve_exact(self.items(ctx.enc.offenses.len()));
                for (i, o) in ctx.enc.offenses.iter().enumerate() {
                    let inner = Ctx {
                        offense: Some(o),
                        offense_chargeable: ctx.chargeable.get(i).copied(),
                        ..*ctx
                    };
                    if keep_item(self.depth, result, tri(eval(body, &inner)), e.parts.len()) {
                        let mut part = self.at(body, first, &inner);
                        part.offense = Some(offense_ref(i, o));
                        e.parts.push(part);
                    }
                }
            }
            Node::Quant(_, Collection::History, Some(body)) => {
                if let Some(history) = &ctx.enc.history {
                    e.field = None;
                    e.parts.reserve_exact(self.items(history.len()));
                    for (i, h) in history.iter().enumerate() {
                        let inner = Ctx {
                            event: Some(h),
                            ..*ctx
                        };
                        if keep_item(self.depth, result, tri(eval(body, &inner)), e.parts.len()) {
                            let mut part = self.at(body, first, &inner);
                            part.event = Some(u32::try_from(i).unwrap_or(u32::MAX));
                            e.parts.push(part);
                        }
                    }
                }
            }
            Node::Quant(..) | Node::Const(_) | Node::Within(_) => {}
        }
        e
    }
}

/// Whether a quantifier's item goes into its evidence: in a trace, all; in a reason, the first
/// [`MAX_REASON_ITEMS`] items whose result is the quantifier's (the offences that made `any`
/// false or `all` false, or left it unknown), or, for a true result, those that held.
fn keep_item(depth: Depth, result: Truth, item: Truth, kept: usize) -> bool {
    depth == Depth::Trace || (item == result && kept < MAX_REASON_ITEMS)
}

/// The fields `n` waits on in `ctx`: each field it reads that is not recorded, by the name a
/// records system fills (`age`, `history`, `attributes.screened`, `offenses[1].activity`),
/// added to `out` once each. Only the parts that leave `n` undecided are followed.
pub(crate) fn missing(n: &Node, ctx: &Ctx<'_>, scope: &str, out: &mut Vec<String>) {
    let mut add = |name: String| {
        if !out.contains(&name) {
            out.push(name);
        }
    };
    match n {
        Node::Const(_) | Node::Within(_) | Node::Known(..) => {}
        Node::Field(f) => {
            if matches!(field(ctx, *f), V::Unknown) {
                let name = match f {
                    Field::OverdoseAt | Field::OverdoseNaloxone if ctx.enc.overdose.is_none() => {
                        "overdose".to_string()
                    }
                    _ if f.of_item() => format!("{scope}{}", f.name(ctx.attrs)),
                    _ => f.name(ctx.attrs),
                };
                add(name);
            }
        }
        Node::Since => {
            if ctx.enc.overdose.is_none() {
                add("overdose".to_string());
            }
        }
        Node::Has(f, ..) => missing(&Node::Field(*f), ctx, scope, out),
        Node::Not(inner) | Node::InMask(inner, ..) | Node::InList(inner, ..) => {
            missing(inner, ctx, scope, out);
        }
        Node::Cmp(_, a, b) => {
            missing(a, ctx, scope, out);
            missing(b, ctx, scope, out);
        }
        Node::And(items) | Node::Or(items) => {
            for item in items.iter() {
                if tri(eval(item, ctx)) == Truth::Unknown {
                    missing(item, ctx, scope, out);
                }
            }
        }
        Node::Quant(_, Collection::Offenses, Some(body)) => {
            for (i, o) in ctx.enc.offenses.iter().enumerate() {
                let inner = Ctx {
                    offense: Some(o),
                    offense_chargeable: ctx.chargeable.get(i).copied(),
                    ..*ctx
                };
                if tri(eval(body, &inner)) == Truth::Unknown {
                    missing(body, &inner, &format!("offenses[{i}]."), out);
                }
            }
        }
        Node::Quant(_, Collection::History, body) => match (&ctx.enc.history, body) {
            (None, _) => add("history".to_string()),
            (Some(history), Some(body)) => {
                for (i, h) in history.iter().enumerate() {
                    let inner = Ctx {
                        event: Some(h),
                        ..*ctx
                    };
                    if tri(eval(body, &inner)) == Truth::Unknown {
                        missing(body, &inner, &format!("history[{i}]."), out);
                    }
                }
            }
            (Some(_), None) => {}
        },
        Node::Quant(_, Collection::Offenses, None) => {}
    }
}

/// The evidence for a whole rule: its one conjunct's, or an `and` over all of them.
pub(crate) fn rule_evidence(c: &Compiled, ctx: &Ctx<'_>, depth: Depth) -> Evidence {
    match c.parts.as_ref() {
        [one] => evidence(one, ctx, depth),
        parts => {
            let items: Vec<Evidence> = parts.iter().map(|p| evidence(p, ctx, depth)).collect();
            let result = items
                .iter()
                .fold(Truth::True, |acc, e| match (acc, e.result) {
                    (Truth::False, _) | (_, Truth::False) => Truth::False,
                    (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
                    _ => Truth::True,
                });
            let mut clause = String::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    clause.push_str(" and ");
                }
                write_node(&mut clause, &p.node, ctx.attrs, 3, Shown::Plain);
            }
            let keep =
                |e: &Evidence| depth == Depth::Trace || result == Truth::True || e.result == result;
            Evidence {
                clause: Text::owned(clause),
                result,
                field: None,
                value: None,
                limit: None,
                offense: None,
                event: None,
                parts: items.into_iter().filter(keep).collect(),
            }
        }
    }
}

#[cfg(test)]
mod needs_tests {
    use super::write_needs;

    fn needs(clause: &str, field: &str, limit: &str) -> String {
        let mut s = String::new();
        write_needs(&mut s, clause, field, limit);
        s
    }

    #[test]
    fn the_operator_is_the_one_after_the_field() {
        assert_eq!(needs("age >= 18", "age", "18"), "18 or more");
        assert_eq!(
            needs("source not in [a, b]", "source", "[a, b]"),
            "none of [a, b]"
        );
        // An `in` inside the counted body is not the comparison's operator.
        let count = "count offenses (nibrs in [\"35A\"])";
        assert_eq!(needs(&format!("{count} >= 2"), count, "2"), "2 or more");
        // A constant written first: read the other way round.
        assert_eq!(needs("18 <= age", "age", "18"), "18 or more");
        assert_eq!(
            needs("3 > quantity.grams", "quantity.grams", "3"),
            "less than 3"
        );
    }
}

#[cfg(test)]
mod detail_tests {
    use super::{Evidence, OffenseRef, Text, Truth};
    use crate::nibrs::NibrsCode;

    fn leaf(field: &str, value: &str, limit: Option<&str>) -> Evidence {
        Evidence {
            clause: Text::owned(format!("{field} < {}", limit.unwrap_or("0"))),
            result: Truth::False,
            field: Some(Text::owned(field)),
            value: Some(Text::owned(value)),
            limit: limit.map(Text::owned),
            offense: None,
            event: None,
            parts: Vec::new(),
        }
    }

    fn join(parts: Vec<Evidence>) -> Evidence {
        Evidence {
            clause: Text::owned("a and b"),
            result: Truth::False,
            field: None,
            value: None,
            limit: None,
            offense: None,
            event: None,
            parts,
        }
    }

    #[test]
    fn a_detail_that_begins_another_is_left_out_wherever_it_stands() {
        let short = || leaf("quantity.grams", "10.0", None);
        let long = || leaf("quantity.grams", "10.0", Some("3"));
        let other = || leaf("age", "16", Some("18"));
        let full = "quantity.grams 10.0; needs less than 3";
        // Before the longer one, as the first item and as a later one.
        assert_eq!(join(vec![short(), long()]).detail(), full);
        assert_eq!(
            join(vec![other(), short(), long()]).detail(),
            format!("age 16; needs less than 18; {full}")
        );
        assert_eq!(
            join(vec![short(), other(), long()]).detail(),
            format!("age 16; needs less than 18; {full}")
        );
        // After it, and repeated.
        assert_eq!(join(vec![long(), short(), long()]).detail(), full);
        // Nothing to say: nothing written.
        assert_eq!(join(vec![join(Vec::new())]).detail(), "");
    }

    #[test]
    fn an_offence_with_nothing_more_to_say_gives_its_clause_and_result() {
        let mut e = join(Vec::new());
        e.offense = Some(OffenseRef {
            index: 1,
            nibrs: NibrsCode::parse("23H").unwrap_or_else(|_| unreachable!()),
            name: Text::owned("All Other Larceny"),
        });
        e.parts = vec![join(Vec::new())];
        assert_eq!(
            e.detail(),
            "offence 2 (23H, All Other Larceny): `a and b` is false"
        );
    }
}
