//! What the programs read: every node of every compiled rule, exclusion and amnesty, with the
//! fields each node reads, and the constants each field is compared with.

use std::collections::{BTreeMap, BTreeSet};

use crate::program::Program;
use crate::rules::compile::{Const, Field, Node};
use crate::rules::{Collection, Quantifier};

/// Where a field's value comes from, as the analysis splits the encounter into dimensions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Dim {
    Responder,
    Source,
    Intercept,
    Needs,
    Flags,
    Age,
    Language,
    Consent,
    Willing,
    Overdose,
    At,
    Attr(String),
    /// The number of offences (`offenses` read as a count).
    OffenseCount,
    /// A field of the offence at hand.
    Offense(OffPart),
    /// A field of the history event at hand.
    History,
}

/// The parts of an offence, each grouped on its own before they are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum OffPart {
    Code,
    Level,
    Violent,
    Activity,
    DrugTypes,
    Quantity,
    Chargeable,
}

impl Dim {
    pub(super) fn of(field: Field, program: &Program) -> Dim {
        match field {
            Field::Responder => Dim::Responder,
            Field::Source => Dim::Source,
            Field::Intercept => Dim::Intercept,
            Field::Needs => Dim::Needs,
            Field::Flags => Dim::Flags,
            Field::Offenses => Dim::OffenseCount,
            Field::Age => Dim::Age,
            Field::Language => Dim::Language,
            Field::Consent => Dim::Consent,
            Field::Willing => Dim::Willing,
            Field::Overdose | Field::OverdoseAt | Field::OverdoseNaloxone => Dim::Overdose,
            Field::AtHour | Field::AtMinute | Field::AtWeekday | Field::AtDate | Field::AtClock => {
                Dim::At
            }
            Field::Attr(i) => Dim::Attr(
                program
                    .env
                    .attrs
                    .get(usize::from(i))
                    .map_or_else(String::new, |a| a.name.clone()),
            ),
            Field::OffNibrs | Field::OffCrimeAgainst | Field::OffDrug => {
                Dim::Offense(OffPart::Code)
            }
            Field::OffLevel => Dim::Offense(OffPart::Level),
            Field::OffViolent => Dim::Offense(OffPart::Violent),
            Field::OffActivity => Dim::Offense(OffPart::Activity),
            Field::OffDrugTypes => Dim::Offense(OffPart::DrugTypes),
            Field::OffQuantityAmount
            | Field::OffQuantityUnit
            | Field::OffGrams
            | Field::OffMilliliters => Dim::Offense(OffPart::Quantity),
            Field::OffChargeable => Dim::Offense(OffPart::Chargeable),
            Field::HistKind
            | Field::HistLevel
            | Field::HistNibrs
            | Field::HistCrimeAgainst
            | Field::HistDrug => Dim::History,
        }
    }

    /// Whether the dimension belongs to the encounter rather than to one offence or event.
    pub(super) fn is_encounter(&self) -> bool {
        !matches!(self, Dim::Offense(_) | Dim::History)
    }
}

/// A node of one of the programs.
#[derive(Clone, Copy)]
pub(super) struct Atom<'p> {
    pub node: &'p Node,
    pub program: usize,
}

/// Where a node sits: at the encounter's level, in an offence quantifier's body or an
/// amnesty (read per offence), or in a history quantifier's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    Encounter,
    Offense,
    History,
}

/// A quantifier over a list, with the body read for each item.
#[derive(Clone, Copy)]
pub(super) struct Quant<'p> {
    pub quantifier: Quantifier,
    pub body: Option<&'p Node>,
    pub program: usize,
    pub collection: Collection,
    /// For a count: one past the largest number it is compared with (the count is kept up
    /// to there), at most 9.
    pub cap: u8,
}

/// Everything the programs read.
#[derive(Default)]
pub(super) struct Reads<'p> {
    /// Boolean-valued nodes that read exactly one dimension, by dimension: the comparisons
    /// that tell the values of that dimension apart.
    pub atoms: BTreeMap<Dim, Vec<Atom<'p>>>,
    /// Constants each field is compared with, by field name of the dimension.
    pub consts: BTreeMap<FieldKey, Vec<Const>>,
    /// The masks of `has` tests on sets (needs, flags, activity, drug types).
    pub masks: BTreeMap<FieldKey, BTreeSet<u64>>,
    /// Every quantifier of the encounter's level (not nested in another).
    pub quants: Vec<Quant<'p>>,
    /// Dimensions read inside offence bodies and amnesties (besides the offence's own).
    pub offense_context: BTreeSet<Dim>,
    /// Dimensions read inside history bodies (besides the event's own).
    pub history_context: BTreeSet<Dim>,
    /// Every dimension read anywhere.
    pub dims: BTreeSet<Dim>,
    /// For each count quantifier (by address), the largest number it is compared with.
    counts: BTreeMap<usize, i64>,
    /// The largest number the length of the offence list is compared with.
    pub max_offense_count: i64,
    /// Whether any rule reads `overdose.naloxone`.
    pub naloxone: bool,
}

/// A field, with an attribute named rather than numbered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum FieldKey {
    Plain(FieldName),
    Attr(String),
}

/// [`Field`] without its attribute number, so that it can be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum FieldName {
    Age,
    Since,
    AtHour,
    AtMinute,
    AtDate,
    AtClock,
    Needs,
    Flags,
    Language,
    Activity,
    DrugTypes,
    Amount,
    Grams,
    Milliliters,
    HistNibrs,
    OffNibrs,
    Within,
    Other,
}

impl FieldKey {
    fn of(field: Field, program: &Program) -> FieldKey {
        let plain = match field {
            Field::Attr(_) => {
                let Dim::Attr(name) = Dim::of(field, program) else {
                    return FieldKey::Plain(FieldName::Other);
                };
                return FieldKey::Attr(name);
            }
            Field::Age => FieldName::Age,
            Field::AtHour => FieldName::AtHour,
            Field::AtMinute => FieldName::AtMinute,
            Field::AtDate => FieldName::AtDate,
            Field::AtClock => FieldName::AtClock,
            Field::Needs => FieldName::Needs,
            Field::Flags => FieldName::Flags,
            Field::Language => FieldName::Language,
            Field::OffActivity => FieldName::Activity,
            Field::OffDrugTypes => FieldName::DrugTypes,
            Field::OffQuantityAmount => FieldName::Amount,
            Field::OffGrams => FieldName::Grams,
            Field::OffMilliliters => FieldName::Milliliters,
            Field::HistNibrs => FieldName::HistNibrs,
            Field::OffNibrs => FieldName::OffNibrs,
            _ => FieldName::Other,
        };
        FieldKey::Plain(plain)
    }
}

/// The children of a node (a quantifier's body included).
fn children(node: &Node) -> Vec<&Node> {
    match node {
        Node::Const(_) | Node::Field(_) | Node::Since | Node::Within(_) | Node::Has(..) => {
            Vec::new()
        }
        Node::Not(inner) | Node::InMask(inner, ..) | Node::InList(inner, ..) => vec![&**inner],
        Node::Known(inner, _) => vec![&**inner],
        Node::And(items) | Node::Or(items) => items.iter().collect(),
        Node::Cmp(_, a, b) => vec![&**a, &**b],
        Node::Quant(_, _, body) => body.as_deref().into_iter().collect(),
    }
}

/// The dimensions a node reads, a quantifier's list included.
fn dims_of(node: &Node, program: &Program, out: &mut BTreeSet<Dim>) {
    match node {
        Node::Field(f) | Node::Has(f, ..) => {
            out.insert(Dim::of(*f, program));
        }
        Node::Since => {
            out.insert(Dim::Overdose);
        }
        Node::Within(_) => {
            out.insert(Dim::History);
            out.insert(Dim::At);
        }
        Node::Quant(_, Collection::Offenses, _) => {
            out.insert(Dim::OffenseCount);
        }
        Node::Quant(_, Collection::History, _) => {
            out.insert(Dim::History);
        }
        _ => {}
    }
    if !matches!(node, Node::Quant(..)) {
        for c in children(node) {
            dims_of(c, program, out);
        }
    }
}

impl<'p> Reads<'p> {
    /// Walks every rule, exclusion and amnesty of the programs.
    pub(super) fn collect(programs: &[&'p Program]) -> Reads<'p> {
        let mut reads = Reads::default();
        for (i, p) in programs.iter().enumerate() {
            let rules = p
                .exclusions
                .iter()
                .chain(
                    p.pathways
                        .iter()
                        .flat_map(|pw| pw.rules.iter().chain(&pw.exclusions)),
                )
                .map(|r| &r.compiled);
            for compiled in rules {
                for part in compiled.parts.iter() {
                    reads.walk(&part.node, p, i, Scope::Encounter, true);
                }
            }
            for a in &p.amnesties {
                for part in a.compiled.parts.iter() {
                    reads.walk(&part.node, p, i, Scope::Offense, false);
                }
            }
        }
        reads
    }

    fn walk(&mut self, node: &'p Node, p: &'p Program, i: usize, scope: Scope, top: bool) {
        let mut dims = BTreeSet::new();
        dims_of(node, p, &mut dims);
        self.naloxone |= *node == Node::Field(Field::OverdoseNaloxone);
        for d in &dims {
            self.dims.insert(d.clone());
            if d.is_encounter() {
                match scope {
                    Scope::Offense => {
                        self.offense_context.insert(d.clone());
                    }
                    Scope::History => {
                        self.history_context.insert(d.clone());
                    }
                    Scope::Encounter => {}
                }
            }
        }
        if let Node::Quant(q, collection, body) = node {
            if top {
                let compared = self
                    .counts
                    .get(&(std::ptr::from_ref(node) as usize))
                    .copied()
                    .unwrap_or(8);
                let quant = Quant {
                    quantifier: *q,
                    body: body.as_deref(),
                    program: i,
                    collection: *collection,
                    cap: u8::try_from(compared.clamp(0, 8).saturating_add(1)).unwrap_or(9),
                };
                // The same quantifier written twice is followed once.
                let known = self.quants.iter().any(|k| {
                    k.quantifier == quant.quantifier
                        && k.program == quant.program
                        && k.collection == quant.collection
                        && k.cap == quant.cap
                        && k.body == quant.body
                });
                if !known {
                    self.quants.push(quant);
                }
            }
            if let Some(b) = body {
                let inner = match collection {
                    Collection::Offenses => Scope::Offense,
                    Collection::History => Scope::History,
                };
                self.walk(b, p, i, inner, false);
            }
            return;
        }
        // A boolean node reading one dimension tells that dimension's values apart.
        let mut it = dims.iter();
        if let (Some(d), None) = (it.next(), it.next()) {
            if !matches!(node, Node::Const(_)) {
                self.atoms
                    .entry(d.clone())
                    .or_default()
                    .push(Atom { node, program: i });
            }
        }
        self.constants(node, p);
        for c in children(node) {
            self.walk(c, p, i, scope, top);
        }
    }

    fn constants(&mut self, node: &Node, p: &Program) {
        match node {
            Node::Cmp(_, a, b) => {
                for (x, y) in [(a, b), (b, a)] {
                    let key = match x.as_ref() {
                        Node::Field(f) => FieldKey::of(*f, p),
                        Node::Since => FieldKey::Plain(FieldName::Since),
                        Node::Quant(..) => FieldKey::Plain(FieldName::Other),
                        _ => continue,
                    };
                    if let Node::Const(c) = y.as_ref() {
                        if let Const::Int(n) = c {
                            match x.as_ref() {
                                Node::Quant(..) => {
                                    let at = std::ptr::from_ref(x.as_ref()) as usize;
                                    let seen = self.counts.entry(at).or_insert(0);
                                    *seen = (*seen).max(*n);
                                }
                                Node::Field(Field::Offenses) => {
                                    self.max_offense_count = self.max_offense_count.max(*n);
                                }
                                _ => {}
                            }
                        }
                        self.consts.entry(key).or_default().push(c.clone());
                    }
                }
            }
            Node::InList(inner, list, _) => {
                if let Node::Field(f) = inner.as_ref() {
                    self.consts
                        .entry(FieldKey::of(*f, p))
                        .or_default()
                        .extend(list.iter().cloned());
                }
            }
            Node::Has(f, mask, _) => {
                self.masks
                    .entry(FieldKey::of(*f, p))
                    .or_default()
                    .insert(*mask);
            }
            Node::Within(limit) => self
                .consts
                .entry(FieldKey::Plain(FieldName::Within))
                .or_default()
                .push(Const::Duration(*limit)),
            _ => {}
        }
    }

    /// The constants of a field.
    pub(super) fn consts_of(&self, name: FieldName) -> &[Const] {
        self.consts
            .get(&FieldKey::Plain(name))
            .map_or(&[], Vec::as_slice)
    }

    /// The `has` masks of a set field.
    pub(super) fn masks_of(&self, name: FieldName) -> Vec<u64> {
        self.masks
            .get(&FieldKey::Plain(name))
            .map(|m| m.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The atoms of a dimension.
    pub(super) fn atoms_of(&self, dim: &Dim) -> &[Atom<'p>] {
        self.atoms.get(dim).map_or(&[], Vec::as_slice)
    }
}
