//! Lean routes remembered by what a program's rules can tell apart, for the simulation.
//!
//! A simulated arm routes hundreds of thousands of encounters through one program, and most of
//! them differ only in values no rule can tell apart: an age of 34 or 35 when the rules ask
//! only `age < 18`, needs the rules never name. A memo keys each encounter by what the rules
//! can read of it ([`Shape`]) and keeps the route for the key, so an encounter that reads the
//! same to every rule gets the route it would get worked out afresh.
//!
//! The key holds, raw, every field a lean route may read (who responded, how the contact came
//! about, the intercept given, language, consent, willingness, the overdose and its naloxone,
//! each offence as recorded, the declared attributes rules read) and three fields by class:
//! - the age, by where it falls among the whole numbers the rules compare it with, when every
//!   rule that reads it compares it with a whole number (otherwise raw);
//! - needs and flags, as the members the rules' `has` tests name, when `has` is all that reads
//!   them (otherwise every member).
//!
//! What is never in a key: the encounter's id (a lean route does not read it), its place
//! (partners only), and its time. A program whose rules read the time (`at.*`, `since`,
//! `overdose.at`) is not remembered at all; `within` is read only for a history event, and an
//! encounter with a history of one event or more is routed afresh. The charge hold's deadline
//! depends on the time too: the memo keeps only whether a hold applies, and the deadline is
//! worked out for each encounter ([`Router::charge_hold`]).
//!
//! A memo is one arm's (not shared between threads) and keeps at most [`MEMO_ENTRIES`] routes;
//! past that, routes are worked out and not kept.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use smallvec::SmallVec;

use super::Router;
use crate::domain::{AttributeValue, Disposition, Encounter, Intercept, Offense, Pathway};
use crate::rules::compile::{Const, Field, Node, mask_of};

/// The most routes a memo keeps.
pub(crate) const MEMO_ENTRIES: usize = 1 << 16;

/// What the simulation reads of a lean route: the intercept, the disposition and the eligible
/// pathways in rank order, each with whether a charge hold applies (the pathway holds charges
/// and an offence is chargeable).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SimRoute {
    pub intercept: Intercept,
    pub disposition: Disposition,
    pub eligible: SmallVec<[(Pathway, bool); 4]>,
}

/// An encounter as the rules can read it.
type Key = SmallVec<[u64; 16]>;

/// How a program's rules read the fields a key holds by class.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shape {
    /// The whole numbers the age is compared with, ascending, each once; `None`: the age is
    /// read some other way, and kept raw.
    ages: Option<Vec<i64>>,
    /// The needs the rules' `has` tests name (every need when needs are read otherwise).
    needs: u64,
    /// The same for flags.
    flags: u64,
    /// The declared attributes (by their place in the program's list) some rule reads.
    attrs: Vec<u16>,
    /// Whether any rule reads the history.
    history: bool,
}

impl Shape {
    /// How `router`'s program reads encounters; `None` when its rules read the time, which no
    /// key holds.
    pub(crate) fn of(router: &Router) -> Option<Shape> {
        let mut scan = Scan {
            ages: Some(Vec::new()),
            ..Scan::default()
        };
        for rule in router.program.compiled_rules() {
            for part in rule.parts.iter() {
                scan.node(&part.node);
            }
        }
        if scan.timed {
            return None;
        }
        let mut ages = scan.ages;
        if let Some(a) = &mut ages {
            a.sort_unstable();
            a.dedup();
        }
        scan.attrs.sort_unstable();
        scan.attrs.dedup();
        Some(Shape {
            ages,
            needs: scan.needs,
            flags: scan.flags,
            attrs: scan.attrs,
            history: router.program.reads_history(),
        })
    }

    /// Writes the key of `enc` into `out`; `false` (and `out` of no use) for an encounter
    /// routed afresh: one with a history of one event or more that the rules read, or with
    /// more than 255 offences.
    fn key(&self, enc: &Encounter, router: &Router, out: &mut Key) -> bool {
        out.clear();
        // Every field, so that a new one cannot be left out unawares.
        let Encounter {
            id: _,
            at: _,
            location: _,
            responder,
            source,
            needs,
            overdose,
            offenses,
            flags,
            age,
            language,
            consent,
            willing,
            history,
            intercept,
            attributes,
        } = enc;
        let history = match history {
            None => 0,
            Some(h) if h.is_empty() || !self.history => 1,
            Some(_) => return false,
        };
        let Ok(count) = u8::try_from(offenses.len()) else {
            return false;
        };
        let byte = |x: Option<u8>| u64::from(x.map_or(u8::MAX, |b| b));
        out.push(
            byte(responder.map(|r| r as u8))
                | byte(source.map(|s| s as u8)) << 8
                | byte(intercept.map(Intercept::number)) << 16
                | byte(consent.map(|c| c as u8)) << 24
                | byte(willing.map(|w| w as u8)) << 32
                | byte(overdose.as_ref().map(|o| u8::from(o.naloxone))) << 40
                | history << 48
                | u64::from(count) << 56,
        );
        out.push(mask_of(needs, |n| n as u8) & self.needs);
        out.push(mask_of(flags, |f| f as u8) & self.flags);
        out.push(match (age, &self.ages) {
            (None, _) => u64::MAX,
            (Some(a), None) => u64::from(*a),
            (Some(a), Some(ages)) => {
                // Where the age falls: how many of the numbers are below it, and whether it
                // is one of them.
                let a = i64::from(*a);
                let below = ages.partition_point(|c| *c < a);
                let equal = ages.get(below).is_some_and(|c| *c == a);
                (below as u64) << 1 | u64::from(equal)
            }
        });
        match language {
            None => out.push(u64::MAX),
            Some(l) => text(out, l.as_str()),
        }
        for o in offenses {
            offence(out, o);
        }
        let declared = &router.program.env.attrs;
        for i in &self.attrs {
            let value = declared
                .get(usize::from(*i))
                .and_then(|info| attributes.get(&info.name));
            match value {
                None => out.push(0),
                Some(AttributeValue::Bool(b)) => out.push(if *b { 2 } else { 1 }),
                Some(AttributeValue::Int(n)) => {
                    out.extend([3, u64::from_le_bytes(n.to_le_bytes())])
                }
                Some(AttributeValue::Number(x)) => out.extend([4, x.to_bits()]),
                Some(AttributeValue::Text(s)) => {
                    out.push(5);
                    text(out, s);
                }
            }
        }
        true
    }
}

/// Text with its length before it, so that two texts in a row cannot run together.
fn text(out: &mut Key, s: &str) {
    out.push(s.len() as u64);
    for chunk in s.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        for (w, b) in word.iter_mut().zip(chunk) {
            *w = *b;
        }
        out.push(u64::from_le_bytes(word));
    }
}

/// One offence as recorded, in five words (the order of its activities and drug types aside:
/// rules and the law read them as sets, and an empty list as not recorded).
fn offence(out: &mut Key, o: &Offense) {
    let Offense {
        nibrs,
        level,
        violent,
        activity,
        drug_types,
        quantity,
    } = o;
    // The code's row in the static table stands for the code.
    let code = std::ptr::from_ref(nibrs.offense()) as usize as u64;
    let activity = mask_of(activity, |a| a as u8);
    let drugs = mask_of(drug_types, |d| d as u8);
    let (amount, unit) = quantity.map_or((0, u64::MAX), |q| (q.amount.to_bits(), q.unit as u64));
    out.extend([
        code,
        *level as u64 | u64::from(violent.map_or(0u8, |v| if v { 2 } else { 1 })) << 8 | unit << 16,
        activity,
        drugs,
        amount,
    ]);
}

/// What the rules read, found by walking them.
#[derive(Default)]
struct Scan {
    ages: Option<Vec<i64>>,
    needs: u64,
    flags: u64,
    attrs: Vec<u16>,
    timed: bool,
}

impl Scan {
    fn node(&mut self, n: &Node) {
        match n {
            Node::Cmp(_, a, b) => match (&**a, &**b) {
                (Node::Field(Field::Age), Node::Const(Const::Int(c)))
                | (Node::Const(Const::Int(c)), Node::Field(Field::Age)) => {
                    if let Some(ages) = &mut self.ages {
                        ages.push(*c);
                    }
                }
                _ => {
                    self.node(a);
                    self.node(b);
                }
            },
            Node::Has(Field::Needs, mask, _) => self.needs |= mask,
            Node::Has(Field::Flags, mask, _) => self.flags |= mask,
            Node::Has(f, ..) | Node::Field(f) => self.field(*f),
            Node::Since => self.timed = true,
            Node::Not(inner) | Node::InMask(inner, ..) | Node::InList(inner, ..) => {
                self.node(inner);
            }
            Node::Known(inner, _) => self.node(inner),
            Node::And(items) | Node::Or(items) => {
                for item in items.iter() {
                    self.node(item);
                }
            }
            Node::Quant(_, _, body) => {
                if let Some(body) = body {
                    self.node(body);
                }
            }
            // Read only for a history event: an encounter with one is routed afresh.
            Node::Within(_) | Node::Const(_) => {}
        }
    }

    /// A field read other than through the patterns a key holds by class.
    fn field(&mut self, f: Field) {
        match f {
            Field::Age => self.ages = None,
            Field::Needs => self.needs = u64::MAX,
            Field::Flags => self.flags = u64::MAX,
            Field::Attr(i) => self.attrs.push(i),
            Field::AtHour
            | Field::AtMinute
            | Field::AtWeekday
            | Field::AtDate
            | Field::AtClock
            | Field::OverdoseAt => self.timed = true,
            Field::Responder
            | Field::Source
            | Field::Offenses
            | Field::Language
            | Field::Consent
            | Field::Willing
            | Field::Intercept
            | Field::Overdose
            | Field::OverdoseNaloxone
            | Field::OffNibrs
            | Field::OffLevel
            | Field::OffViolent
            | Field::OffCrimeAgainst
            | Field::OffDrug
            | Field::HistKind
            | Field::HistLevel
            | Field::HistNibrs
            | Field::HistCrimeAgainst
            | Field::HistDrug
            | Field::OffActivity
            | Field::OffDrugTypes
            | Field::OffQuantityAmount
            | Field::OffQuantityUnit
            | Field::OffGrams
            | Field::OffMilliliters
            | Field::OffChargeable => {}
        }
    }
}

/// One arm's remembered routes.
pub(crate) struct RouteMemo {
    shape: Option<Shape>,
    routes: HashMap<Key, SimRoute, FixedState>,
    key: Key,
}

impl RouteMemo {
    /// An empty memo for routes through `router` (one that remembers nothing when the
    /// program's rules read the time).
    pub(crate) fn new(router: &Router) -> RouteMemo {
        RouteMemo {
            shape: Shape::of(router),
            routes: HashMap::with_hasher(FixedState::default()),
            key: Key::new(),
        }
    }

    /// Routes kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.routes.len()
    }
}

impl Router {
    /// What the simulation reads of [`Router::route_lean`]'s decision, remembered in `memo`
    /// by what the program's rules can tell apart (see the module's notes).
    pub(crate) fn route_sim(&self, enc: &Encounter, memo: &mut RouteMemo) -> SimRoute {
        let RouteMemo { shape, routes, key } = memo;
        let keyed = shape
            .as_ref()
            .is_some_and(|shape| shape.key(enc, self, key));
        if keyed && let Some(route) = routes.get(key.as_slice()) {
            return route.clone();
        }
        let route = self.sim_route(enc);
        if keyed && routes.len() < MEMO_ENTRIES {
            routes.insert(key.clone(), route.clone());
        }
        route
    }

    /// [`Router::route_lean`]'s decision as the simulation reads it, worked out afresh.
    pub(crate) fn sim_route(&self, enc: &Encounter) -> SimRoute {
        let d = self.route_lean(enc);
        // An eligible pathway makes the disposition a diversion exactly when an offence is
        // chargeable.
        let chargeable = d.disposition == Disposition::PreArrestDiversion;
        SimRoute {
            intercept: d.intercept,
            disposition: d.disposition,
            eligible: d
                .eligible
                .iter()
                .map(|e| {
                    let holds = self
                        .program
                        .pathways
                        .iter()
                        .any(|p| p.pathway == e.pathway && p.charge_hold);
                    (e.pathway, holds && chargeable)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
