//! Evaluating a compiled rule against an encounter, in three-valued logic: each field read as
//! the encounter has it (or unknown), offence and history quantifiers, `since` and `within`,
//! and the partial evaluation that asks whether a rule can admit a given responder.

use super::*;
use std::cmp::Ordering;

/// A value during evaluation. Enum values are their index in the vocabulary.
#[derive(Debug, Clone, Copy)]
pub(super) enum V<'a> {
    Unknown,
    Bool(bool),
    Int(i64),
    Number(f64),
    Duration(i64),
    Enum(u8),
    Set(u64),
    Text(&'a str),
}

pub(super) fn const_value(c: &Const) -> V<'_> {
    match c {
        Const::Bool(b) => V::Bool(*b),
        Const::Int(n) => V::Int(*n),
        Const::Number(n) => V::Number(*n),
        Const::Duration(d) => V::Duration(*d),
        Const::Enum(e) => V::Enum(*e),
        Const::Text(t) => V::Text(t),
    }
}

/// A list of vocabulary members as the set mask rules read (bit `index(x)` for each).
pub(crate) fn mask_of<T: Copy>(items: &[T], index: impl Fn(T) -> u8) -> u64 {
    items
        .iter()
        .fold(0u64, |m, &x| m | (1u64 << (u32::from(index(x)) & 63)))
}

pub(super) fn order(a: V<'_>, b: V<'_>) -> Option<Ordering> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(&y)),
        (V::Int(x), V::Number(y)) => (x as f64).partial_cmp(&y),
        (V::Number(x), V::Int(y)) => x.partial_cmp(&(y as f64)),
        (V::Number(x), V::Number(y)) => x.partial_cmp(&y),
        (V::Duration(x), V::Duration(y)) => Some(x.cmp(&y)),
        (V::Enum(x), V::Enum(y)) => Some(x.cmp(&y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(&y)),
        // Byte by byte in place: the texts compared are short (NIBRS codes, languages,
        // attribute values), for which a call of `memcmp` costs more than the comparison.
        (V::Text(x), V::Text(y)) => Some(x.bytes().cmp(y.bytes())),
        _ => None,
    }
}

pub(super) fn tri(v: V<'_>) -> Tri {
    match v {
        V::Bool(true) => Tri::True,
        V::Bool(false) => Tri::False,
        _ => Tri::Unknown,
    }
}

fn from_tri(t: Tri) -> V<'static> {
    match t {
        Tri::True => V::Bool(true),
        Tri::False => V::Bool(false),
        Tri::Unknown => V::Unknown,
    }
}

fn attr_value<'a>(ctx: &Ctx<'a>, i: u16) -> V<'a> {
    use crate::domain::AttributeValue as A;
    let Some(info) = ctx.attrs.get(usize::from(i)) else {
        return V::Unknown;
    };
    let Some(value) = ctx.enc.attributes.get(&info.name) else {
        return V::Unknown;
    };
    match (info.kind, value) {
        (AttrKind::Bool, A::Bool(b)) => V::Bool(*b),
        (AttrKind::Int, A::Int(n)) => V::Int(*n),
        (AttrKind::Number, A::Int(n)) => V::Number(*n as f64),
        (AttrKind::Number, A::Number(n)) => V::Number(*n),
        (AttrKind::Text, A::Text(s)) => V::Text(s),
        (AttrKind::Enum, A::Text(s)) => info
            .values
            .iter()
            .position(|v| v == s)
            .and_then(|p| u8::try_from(p).ok())
            .map_or(V::Unknown, V::Enum),
        _ => V::Unknown,
    }
}

pub(super) fn field<'a>(ctx: &Ctx<'a>, f: Field) -> V<'a> {
    let enc = ctx.enc;
    match f {
        Field::Responder => enc.responder.map_or(V::Unknown, |r| V::Enum(r as u8)),
        Field::Source => enc.source.map_or(V::Unknown, |s| V::Enum(s as u8)),
        Field::Needs => V::Set(mask_of(&enc.needs, |n: Need| n as u8)),
        Field::Flags => V::Set(mask_of(&enc.flags, |n: Flag| n as u8)),
        Field::Offenses => V::Int(i64::try_from(enc.offenses.len()).unwrap_or(i64::MAX)),
        Field::Age => enc.age.map_or(V::Unknown, |a| V::Int(i64::from(a))),
        Field::Language => enc.language.map_or(V::Unknown, |l| V::Text(l.as_str())),
        Field::Consent => enc.consent.map_or(V::Unknown, |c| V::Enum(c as u8)),
        Field::Willing => match enc.willing {
            None | Some(Willing::Unknown) => V::Unknown,
            Some(w) => V::Enum(w as u8),
        },
        Field::AtHour => V::Int(i64::from(enc.at.with_timezone(&ctx.tz).hour())),
        Field::AtMinute => V::Int(i64::from(enc.at.with_timezone(&ctx.tz).minute())),
        Field::AtWeekday => {
            let day = enc.at.with_timezone(&ctx.tz).weekday();
            u8::try_from(day.num_days_from_monday()).map_or(V::Unknown, V::Enum)
        }
        Field::AtDate => V::Int(i64::from(
            enc.at
                .with_timezone(&ctx.tz)
                .date_naive()
                .num_days_from_ce(),
        )),
        Field::AtClock => V::Int(i64::from(
            enc.at
                .with_timezone(&ctx.tz)
                .time()
                .num_seconds_from_midnight(),
        )),
        Field::Intercept => V::Int(i64::from(ctx.intercept.number())),
        Field::Overdose => V::Bool(enc.overdose.is_some()),
        Field::OverdoseAt => enc
            .overdose
            .as_ref()
            .map_or(V::Unknown, |o| V::Int(o.at.timestamp())),
        Field::OverdoseNaloxone => enc
            .overdose
            .as_ref()
            .map_or(V::Unknown, |o| V::Bool(o.naloxone)),
        Field::Attr(i) => attr_value(ctx, i),
        Field::OffNibrs => ctx
            .offense
            .map_or(V::Unknown, |o| V::Text(o.nibrs.as_str())),
        Field::OffLevel => ctx.offense.map_or(V::Unknown, |o| V::Enum(o.level as u8)),
        Field::OffViolent => ctx.offense.map_or(V::Unknown, |o| V::Bool(o.is_violent())),
        Field::OffCrimeAgainst => ctx.offense.map_or(V::Unknown, |o| {
            V::Enum(crime_against_index(o.nibrs.offense().crime_against))
        }),
        Field::OffDrug => ctx
            .offense
            .map_or(V::Unknown, |o| V::Bool(o.nibrs.is_drug())),
        // A list not recorded is empty: unknown, not a set with nothing in it.
        Field::OffActivity => match ctx.offense {
            Some(o) if !o.activity.is_empty() => V::Set(mask_of(&o.activity, |a| a as u8)),
            _ => V::Unknown,
        },
        Field::OffDrugTypes => match ctx.offense {
            Some(o) if !o.drug_types.is_empty() => V::Set(mask_of(&o.drug_types, |d| d as u8)),
            _ => V::Unknown,
        },
        Field::OffQuantityAmount => quantity(ctx).map_or(V::Unknown, |q| V::Number(q.amount)),
        Field::OffQuantityUnit => quantity(ctx).map_or(V::Unknown, |q| V::Enum(q.unit as u8)),
        Field::OffGrams => quantity(ctx)
            .and_then(|q| q.grams())
            .map_or(V::Unknown, V::Number),
        Field::OffMilliliters => quantity(ctx)
            .and_then(|q| q.milliliters())
            .map_or(V::Unknown, V::Number),
        Field::OffChargeable => ctx.offense_chargeable.map_or(V::Unknown, V::Bool),
        Field::HistKind => ctx.event.map_or(V::Unknown, |h| V::Enum(h.kind as u8)),
        Field::HistLevel => ctx
            .event
            .and_then(|h| h.level)
            .map_or(V::Unknown, |l| V::Enum(l as u8)),
        Field::HistNibrs => ctx
            .event
            .and_then(|h| h.nibrs.as_ref())
            .map_or(V::Unknown, |c| V::Text(c.as_str())),
        Field::HistCrimeAgainst => ctx
            .event
            .and_then(|h| h.nibrs.as_ref())
            .map_or(V::Unknown, |c| {
                V::Enum(crime_against_index(c.offense().crime_against))
            }),
        Field::HistDrug => ctx
            .event
            .and_then(|h| h.nibrs.as_ref())
            .map_or(V::Unknown, |c| V::Bool(c.is_drug())),
    }
}

fn known(ctx: &Ctx<'_>, n: &Node) -> bool {
    match n {
        Node::Field(Field::Overdose | Field::OverdoseAt | Field::OverdoseNaloxone) => {
            ctx.enc.overdose.is_some()
        }
        Node::Field(f) => !matches!(field(ctx, *f), V::Unknown),
        _ => true,
    }
}

/// The value of a node. A boolean node's value is its truth, as [`holds`] finds it.
pub(super) fn eval<'a>(n: &'a Node, ctx: &Ctx<'a>) -> V<'a> {
    match n {
        Node::Const(c) => const_value(c),
        Node::Field(f) => field(ctx, *f),
        Node::Since => match &ctx.enc.overdose {
            Some(o) => V::Duration(ctx.enc.at.signed_duration_since(o.at).num_seconds()),
            None => V::Unknown,
        },
        Node::Quant(q, c, body) => quant(*q, *c, body.as_deref(), ctx),
        Node::Not(_)
        | Node::And(_)
        | Node::Or(_)
        | Node::Cmp(..)
        | Node::InMask(..)
        | Node::InList(..)
        | Node::Has(..)
        | Node::Known(..)
        | Node::Within(_) => from_tri(holds(n, ctx)),
    }
}

/// Whether a node holds: `tri(eval(n, ctx))`, found without making a value for the boolean
/// nodes a rule is built of (`and`, `or`, `not`, comparisons, `in`, `has`, `known`,
/// `within`), so that a rule's tree is walked with one byte passed back at each step. This is
/// where those nodes' meaning is written; `eval` gives their truth as a value.
pub(crate) fn holds<'a>(n: &'a Node, ctx: &Ctx<'a>) -> Tri {
    match n {
        Node::Not(inner) => not3(holds(inner, ctx)),
        Node::And(items) => {
            let mut acc = Tri::True;
            for item in items.iter() {
                match holds(item, ctx) {
                    Tri::False => return Tri::False,
                    Tri::Unknown => acc = Tri::Unknown,
                    Tri::True => {}
                }
            }
            acc
        }
        Node::Or(items) => {
            let mut acc = Tri::False;
            for item in items.iter() {
                match holds(item, ctx) {
                    Tri::True => return Tri::True,
                    Tri::Unknown => acc = Tri::Unknown,
                    Tri::False => {}
                }
            }
            acc
        }
        Node::Cmp(op, a, b) => match order(operand(a, ctx), operand(b, ctx)) {
            Some(o) => truth(op.holds(o)),
            None => Tri::Unknown,
        },
        Node::InMask(v, mask, negated) => match operand(v, ctx) {
            V::Enum(e) => truth(((mask >> (u32::from(e) & 63)) & 1 == 1) != *negated),
            _ => Tri::Unknown,
        },
        Node::InList(v, list, negated) => {
            let x = operand(v, ctx);
            if matches!(x, V::Unknown) {
                return Tri::Unknown;
            }
            let found = list
                .iter()
                .any(|c| order(x, const_value(c)) == Some(Ordering::Equal));
            truth(found != *negated)
        }
        Node::Has(f, mask, mode) => match field(ctx, *f) {
            V::Set(s) => truth(match mode {
                HasMode::One | HasMode::Any => s & mask != 0,
                HasMode::All => s & mask == *mask,
            }),
            _ => Tri::Unknown,
        },
        Node::Known(inner, want) => truth(known(ctx, inner) == *want),
        Node::Within(limit) => match ctx.event {
            Some(h) => {
                let today = ctx.enc.at.with_timezone(&ctx.tz).date_naive();
                let days = today.signed_duration_since(h.date).num_days();
                truth(days >= 0 && days.saturating_mul(86_400) <= *limit)
            }
            None => Tri::Unknown,
        },
        Node::Field(f) => tri(field(ctx, *f)),
        Node::Const(c) => tri(const_value(c)),
        Node::Quant(q, c, body) => tri(quant(*q, *c, body.as_deref(), ctx)),
        Node::Since => Tri::Unknown,
    }
}

/// A quantifier over the encounter's offences or its history.
fn quant<'a>(q: Quantifier, c: Collection, body: Option<&'a Node>, ctx: &Ctx<'a>) -> V<'a> {
    match c {
        Collection::Offenses => quantify(
            q,
            body,
            ctx.enc.offenses.iter().enumerate().map(|(i, o)| Ctx {
                offense: Some(o),
                offense_chargeable: ctx.chargeable.get(i).copied(),
                ..*ctx
            }),
            ctx.enc.offenses.len(),
        ),
        Collection::History => match &ctx.enc.history {
            // Not recorded: nothing can be counted.
            None => V::Unknown,
            Some(history) => quantify(
                q,
                body,
                history.iter().map(|h| Ctx {
                    event: Some(h),
                    ..*ctx
                }),
                history.len(),
            ),
        },
    }
}

/// What `eval` gives for an operand, with a constant or a field read in place rather than
/// through a call of `eval` (a comparison's operands are nearly always one or the other, and
/// the rules of a history quantifier are evaluated for every event).
#[inline(always)]
fn operand<'a>(n: &'a Node, ctx: &Ctx<'a>) -> V<'a> {
    match n {
        Node::Const(c) => const_value(c),
        Node::Field(f) => field(ctx, *f),
        _ => eval(n, ctx),
    }
}

fn quantity<'a>(ctx: &Ctx<'a>) -> Option<&'a DrugQuantity> {
    ctx.offense.and_then(|o| o.quantity.as_ref())
}

/// `any`, `all` or `count` of `body` over the contexts of a list's items, in three-valued
/// logic: `any` is true as soon as one item is, `all` false as soon as one is not, and either
/// is unknown when it rests on an item that is; `count` counts the items known to hold.
fn quantify<'a>(
    q: Quantifier,
    body: Option<&'a Node>,
    items: impl Iterator<Item = Ctx<'a>>,
    len: usize,
) -> V<'a> {
    let Some(body) = body else {
        return V::Int(i64::try_from(len).unwrap_or(i64::MAX));
    };
    let mut unknown = false;
    let mut count = 0i64;
    for inner in items {
        match holds(body, &inner) {
            Tri::True => {
                if q == Quantifier::Any {
                    return V::Bool(true);
                }
                count = count.saturating_add(1);
            }
            Tri::False => {
                if q == Quantifier::All {
                    return V::Bool(false);
                }
            }
            Tri::Unknown => unknown = true,
        }
    }
    match q {
        Quantifier::Count => V::Int(count),
        _ if unknown => V::Unknown,
        Quantifier::Any => V::Bool(false),
        Quantifier::All => V::Bool(true),
    }
}

/// The truth of any node of a compiled rule in `ctx`: a boolean node's value, unknown for a
/// node that is not boolean or cannot be decided. The analysis (`authoring::analysis`) uses it
/// to tell apart the values of a field that the program's comparisons treat differently.
pub(crate) fn node_truth(n: &Node, ctx: &Ctx<'_>) -> Tri {
    holds(n, ctx)
}

impl Part {
    /// The conjunct's result.
    pub(crate) fn truth(&self, ctx: &Ctx<'_>) -> Tri {
        holds(&self.node, ctx)
    }
}

impl Node {
    /// Whether evaluating the node may read the encounter's history: a history quantifier, or
    /// a field of a history event (only ever inside one).
    pub(crate) fn reads_history(&self) -> bool {
        let hist = |f: &Field| {
            matches!(
                f,
                Field::HistKind
                    | Field::HistLevel
                    | Field::HistNibrs
                    | Field::HistCrimeAgainst
                    | Field::HistDrug
            )
        };
        match self {
            Node::Quant(_, Collection::History, _) | Node::Within(_) => true,
            Node::Field(f) | Node::Has(f, ..) => hist(f),
            Node::Const(_) | Node::Since => false,
            Node::Not(n)
            | Node::Cmp(_, n, _)
            | Node::InMask(n, ..)
            | Node::InList(n, ..)
            | Node::Known(n, _)
                if n.reads_history() =>
            {
                true
            }
            Node::Cmp(_, _, m) => m.reads_history(),
            Node::Not(_) | Node::InMask(..) | Node::InList(..) | Node::Known(..) => false,
            Node::And(ns) | Node::Or(ns) => ns.iter().any(Node::reads_history),
            Node::Quant(_, Collection::Offenses, body) => {
                body.as_deref().is_some_and(Node::reads_history)
            }
        }
    }
}

/// A mask of history kinds (bit `kind as u8` for each), here every kind.
pub(crate) const EVERY_HISTORY_KIND: u64 = (1u64 << crate::domain::HistoryKind::COUNT) - 1;

/// The bit of one history kind in such a mask.
pub(crate) fn history_kind_bit(kind: crate::domain::HistoryKind) -> u64 {
    1u64.checked_shl(u32::from(kind as u8)).unwrap_or(0)
}

impl Node {
    /// The history kinds (a mask, bit `kind as u8`) whose events the node may be swayed by.
    /// An event of any other kind leaves every value the node can take as it would be without
    /// that event, so a history holding only these kinds decides the node as the whole one
    /// does. That is so when each history quantifier in the node is an `any` or a `count` with
    /// a body that one of the kinds must hold for (a conjunct `kind == k`, `kind in [..]`, or
    /// an `or` of such): for an event of another kind the body is false, and `any` and `count`
    /// pass over a false item. An `all`, a `count` of the whole history, or a body that names
    /// no kind may be swayed by every kind.
    pub(crate) fn history_kinds(&self) -> u64 {
        match self {
            Node::Quant(q, Collection::History, body) => {
                let own = match (q, body.as_deref()) {
                    (Quantifier::Any | Quantifier::Count, Some(b)) => b.kinds_required(),
                    _ => EVERY_HISTORY_KIND,
                };
                own | body.as_deref().map_or(0, Node::history_kinds)
            }
            Node::Quant(_, Collection::Offenses, body) => {
                body.as_deref().map_or(0, Node::history_kinds)
            }
            Node::Not(n) | Node::InMask(n, ..) | Node::InList(n, ..) | Node::Known(n, _) => {
                n.history_kinds()
            }
            Node::Cmp(_, a, b) => a.history_kinds() | b.history_kinds(),
            Node::And(ns) | Node::Or(ns) => ns.iter().fold(0, |m, n| m | n.history_kinds()),
            // A history event's fields and `within` are read only inside a quantifier, which
            // answers for them.
            Node::Const(_) | Node::Field(_) | Node::Has(..) | Node::Since | Node::Within(_) => 0,
        }
    }

    /// The history kinds an event must have for this node (a quantifier's body) to hold, as a
    /// mask: for an event of any other kind the node is false (not unknown), since a
    /// comparison of the event's kind with a constant is always decided.
    fn kinds_required(&self) -> u64 {
        let is_kind = |n: &Node| matches!(n, Node::Field(Field::HistKind));
        match self {
            Node::Cmp(CmpOp::Eq, a, b) => match (&**a, &**b) {
                (k, Node::Const(Const::Enum(e))) | (Node::Const(Const::Enum(e)), k)
                    if is_kind(k) =>
                {
                    1u64.checked_shl(u32::from(*e)).unwrap_or(0) & EVERY_HISTORY_KIND
                }
                _ => EVERY_HISTORY_KIND,
            },
            Node::InMask(n, mask, negated) if is_kind(n) => {
                (if *negated { !*mask } else { *mask }) & EVERY_HISTORY_KIND
            }
            // Every conjunct must hold: the kinds all of them allow.
            Node::And(ns) => ns
                .iter()
                .fold(EVERY_HISTORY_KIND, |m, n| m & n.kinds_required()),
            // One alternative must hold: the kinds any of them allows.
            Node::Or(ns) => ns.iter().fold(0, |m, n| m | n.kinds_required()),
            _ => EVERY_HISTORY_KIND,
        }
    }
}

impl Compiled {
    /// Whether evaluating the rule may read the encounter's history.
    pub(crate) fn reads_history(&self) -> bool {
        self.parts.iter().any(|p| p.node.reads_history())
    }

    /// The history kinds the rule may be swayed by (see `Node::history_kinds`).
    pub(crate) fn history_kinds(&self) -> u64 {
        self.parts.iter().fold(0, |m, p| m | p.node.history_kinds())
    }

    /// Evaluates the rule; on a result that is not true, also returns the deciding conjunct.
    pub(crate) fn evaluate<'s>(&'s self, ctx: &Ctx<'_>) -> (Tri, Option<&'s Part>) {
        let mut first_unknown = None;
        for part in self.parts.iter() {
            match holds(&part.node, ctx) {
                Tri::False => return (Tri::False, Some(part)),
                Tri::Unknown if first_unknown.is_none() => first_unknown = Some(part),
                _ => {}
            }
        }
        match first_unknown {
            Some(p) => (Tri::Unknown, Some(p)),
            None => (Tri::True, None),
        }
    }

    /// Partially evaluates the rule for a given responder with nothing else known: can the
    /// rule possibly be true for that responder?
    pub(crate) fn may_admit_responder(&self, r: Responder) -> bool {
        self.parts
            .iter()
            .all(|p| partial_responder(&p.node, r) != Tri::False)
    }

    /// Whether the rule is false for every encounter with a chargeable offence, found by
    /// evaluating it with only that known: `offramp check` warns about an Officer
    /// Intervention rule of which this is true, since such a rule admits no one. The analysis
    /// is sound but simple: `true` means the rule can never admit a chargeable encounter;
    /// `false` means it was not shown.
    pub(crate) fn admits_only_without_charge(&self) -> bool {
        self.parts
            .iter()
            .any(|p| with_charge(&p.node, false) == Tri::False)
    }
}

/// Three-valued evaluation in which only the responder is known.
fn partial_responder(n: &Node, r: Responder) -> Tri {
    match n {
        Node::Const(Const::Bool(b)) => truth(*b),
        Node::Not(inner) => not3(partial_responder(inner, r)),
        Node::And(items) => and3(items.iter().map(|i| partial_responder(i, r))),
        Node::Or(items) => or3(items.iter().map(|i| partial_responder(i, r))),
        Node::InMask(v, mask, negated) if **v == Node::Field(Field::Responder) => {
            truth(((mask >> (r as u32)) & 1 == 1) != *negated)
        }
        Node::Cmp(op @ (CmpOp::Eq | CmpOp::Ne), a, b) => match (a.as_ref(), b.as_ref()) {
            (Node::Field(Field::Responder), Node::Const(Const::Enum(e)))
            | (Node::Const(Const::Enum(e)), Node::Field(Field::Responder)) => {
                truth(op.holds((r as u8).cmp(e)))
            }
            _ => Tri::Unknown,
        },
        Node::Known(inner, want) if **inner == Node::Field(Field::Responder) => truth(*want),
        _ => Tri::Unknown,
    }
}

/// A known truth value.
fn truth(b: bool) -> Tri {
    if b { Tri::True } else { Tri::False }
}

/// Three-valued `and`: false as soon as one part is, else unknown if one part is.
fn and3(parts: impl Iterator<Item = Tri>) -> Tri {
    let mut acc = Tri::True;
    for t in parts {
        match t {
            Tri::False => return Tri::False,
            Tri::Unknown => acc = Tri::Unknown,
            Tri::True => {}
        }
    }
    acc
}

/// Three-valued `or`: true as soon as one part is, else unknown if one part is.
fn or3(parts: impl Iterator<Item = Tri>) -> Tri {
    let mut acc = Tri::False;
    for t in parts {
        match t {
            Tri::True => return Tri::True,
            Tri::Unknown => acc = Tri::Unknown,
            Tri::False => {}
        }
    }
    acc
}

fn not3(t: Tri) -> Tri {
    match t {
        Tri::True => Tri::False,
        Tri::False => Tri::True,
        Tri::Unknown => Tri::Unknown,
    }
}

/// Three-valued evaluation in which only one thing is known: some offence is chargeable. In an
/// offence quantifier's body (`body`), the offence at hand is taken to be that one, so its
/// `chargeable` is true and its level is a misdemeanour or a felony (an infraction never is).
fn with_charge(n: &Node, body: bool) -> Tri {
    const CHARGEABLE_LEVELS: [Level; 2] = [Level::Misdemeanor, Level::Felony];
    // The truth of `test` over the levels a chargeable offence may have.
    let over_levels = |test: &dyn Fn(u8) -> bool| {
        let hits = CHARGEABLE_LEVELS.iter().filter(|l| test(**l as u8)).count();
        match hits {
            0 => Tri::False,
            n if n == CHARGEABLE_LEVELS.len() => Tri::True,
            _ => Tri::Unknown,
        }
    };
    match n {
        Node::Const(Const::Bool(b)) => truth(*b),
        Node::Field(Field::OffChargeable) if body => Tri::True,
        Node::Not(inner) => not3(with_charge(inner, body)),
        Node::And(items) => and3(items.iter().map(|i| with_charge(i, body))),
        Node::Or(items) => or3(items.iter().map(|i| with_charge(i, body))),
        Node::Cmp(op, a, b) if body => match (a.as_ref(), b.as_ref()) {
            (Node::Field(Field::OffLevel), Node::Const(Const::Enum(e))) => {
                over_levels(&|l| op.holds(l.cmp(e)))
            }
            (Node::Const(Const::Enum(e)), Node::Field(Field::OffLevel)) => {
                over_levels(&|l| op.holds(e.cmp(&l)))
            }
            _ => Tri::Unknown,
        },
        Node::InMask(v, mask, negated) if body && **v == Node::Field(Field::OffLevel) => {
            over_levels(&|l| ((mask >> (u32::from(l) & 63)) & 1 == 1) != *negated)
        }
        Node::Quant(Quantifier::Any, Collection::Offenses, Some(inner)) if !body => {
            match with_charge(inner, true) {
                Tri::True => Tri::True,
                _ => Tri::Unknown,
            }
        }
        Node::Quant(Quantifier::All, Collection::Offenses, Some(inner)) if !body => {
            match with_charge(inner, true) {
                Tri::False => Tri::False,
                _ => Tri::Unknown,
            }
        }
        Node::Cmp(op, a, b) if !body => match (a.as_ref(), b.as_ref()) {
            (
                Node::Quant(Quantifier::Count, Collection::Offenses, inner),
                Node::Const(Const::Int(k)),
            ) => count_at_least(inner.as_deref(), *op, *k),
            (
                Node::Const(Const::Int(k)),
                Node::Quant(Quantifier::Count, Collection::Offenses, inner),
            ) => count_at_least(inner.as_deref(), flip(*op), *k),
            _ => Tri::Unknown,
        },
        _ => Tri::Unknown,
    }
}

/// `count offenses (p) OP k` when some offence is chargeable: the count is at least one when
/// `p` holds for that offence (or there is no `p`), else only known to be at least zero.
fn count_at_least(body: Option<&Node>, op: CmpOp, k: i64) -> Tri {
    let least = match body {
        None => 1,
        Some(b) if with_charge(b, true) == Tri::True => 1,
        Some(_) => 0,
    };
    // The truth of `count OP k` for every count from `least` up.
    match op {
        CmpOp::Eq if k < least => Tri::False,
        CmpOp::Ne if k < least => Tri::True,
        CmpOp::Lt if k <= least => Tri::False,
        CmpOp::Le if k < least => Tri::False,
        CmpOp::Gt if k < least => Tri::True,
        CmpOp::Ge if k <= least => Tri::True,
        _ => Tri::Unknown,
    }
}

/// The operator with its sides swapped: `k < x` is `x > k`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// Evaluates a compiled rule for an encounter, reading `at.*` in UTC, each offence chargeable
/// unless an infraction (used by tests).
#[cfg(test)]
pub(crate) fn eval_rule(c: &Compiled, enc: &Encounter, env: &Env) -> Tri {
    let chargeable: Vec<bool> = enc
        .offenses
        .iter()
        .map(|o| o.level.is_chargeable())
        .collect();
    let ctx = Ctx::new(
        enc,
        &env.attrs,
        enc.derived_intercept(),
        Tz::UTC,
        &chargeable,
    );
    c.evaluate(&ctx).0
}
