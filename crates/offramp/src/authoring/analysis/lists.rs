//! Offence and history lists, reduced to what their quantifiers can tell apart.
//!
//! Each kind of offence (or history event) is first reduced to a class of kinds that every
//! comparison of an offence's own fields treats alike. A list is then read by the programs
//! only through its quantifiers (`any`, `all`, `count` of a body over the list), its length
//! and, for offences, whether any is chargeable. Each of those is a fold over the items of
//! what one item makes of each body, so a list's *state* (for each body: whether some item
//! made it true, false or unknown, and how many made it true, up to one past the largest
//! number any rule compares with) is all that matters. Lists are grown one item at a time
//! from the empty list, breadth first, until no new state appears; one list of each state is
//! kept. What an item makes of a body can depend on the encounter (a body may read `age`; an
//! amnesty or the Good Samaritan law reads the overdose), so the growth is run for every
//! class of the encounter fields the bodies read, and the lists found are pooled.

use std::collections::{BTreeSet, HashMap, VecDeque};

use chrono::Days;

use super::AnalysisError;
use super::domain::{Dimension, apply, base_encounter};
use super::fields::{Atom, Dim, FieldName, OffPart, Quant, Reads};
use crate::domain::{DrugQuantity, Encounter, HistoryEvent, HistoryKind, Level, Offense};
use crate::nibrs::{self, NibrsCode};
use crate::nibrs::{CriminalActivity, DrugType, DrugUnit};
use crate::program::Program;
use crate::router::Router;
use crate::rules::compile::{Const, Ctx, Tri, node_truth};
use crate::rules::{Collection, Quantifier};
use crate::vocab::Vocabulary;

/// The most single offences (combinations of code class, level, violence, activities, drug
/// types and quantity) looked at before they are merged into classes.
pub const MAX_OFFENSE_CANDIDATES: u64 = 2_000_000;

/// The most list states (combinations of quantifier results) one list may reach.
pub const MAX_LIST_STATES: usize = 100_000;

/// The longest list grown. Every state the example programs can tell apart is reached with
/// three items or fewer; a list longer than this is not examined.
pub const MAX_LIST_ITEMS: usize = 6;

/// A history event, its date kept as days before the encounter.
#[derive(Debug, Clone)]
pub(super) struct Event {
    pub kind: HistoryKind,
    pub level: Option<Level>,
    pub nibrs: Option<NibrsCode>,
    pub days_ago: u64,
}

impl Event {
    pub(super) fn materialise(&self, e: &Encounter, p: &Program) -> HistoryEvent {
        let today = e.at.with_timezone(&p.tz).date_naive();
        HistoryEvent {
            kind: self.kind,
            date: today
                .checked_sub_days(Days::new(self.days_ago))
                .unwrap_or(today),
            nibrs: self.nibrs,
            level: self.level,
        }
    }
}

/// The lists of one collection worth routing, each with its words.
#[derive(Debug, Clone)]
pub(super) struct ListDim<T> {
    pub kinds: Vec<T>,
    pub kind_labels: Vec<String>,
    /// Each list, as indices into `kinds`.
    pub lists: Vec<Vec<usize>>,
    /// The empty list in words.
    pub empty: &'static str,
    /// The encounter dimensions (by position in the space) what an item makes of the bodies
    /// depends on, and for each of their combinations (the last varying
    /// fastest), each list's stand-in: the first list of the pool the programs cannot tell
    /// from it there. Only stand-ins need routing.
    pub context: Vec<usize>,
    pub stand_in: Vec<Vec<usize>>,
}

impl<T> ListDim<T> {
    pub(super) fn label(&self, list: usize) -> String {
        let Some(items) = self.lists.get(list) else {
            return String::new();
        };
        if items.is_empty() {
            return self.empty.into();
        }
        let words: Vec<&str> = items
            .iter()
            .filter_map(|&k| self.kind_labels.get(k).map(String::as_str))
            .collect();
        words.join(" and ")
    }
}

fn subsets<T: Copy>(groups: &[T], max: usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = vec![Vec::new()];
    for g in groups {
        let mut more: Vec<Vec<T>> = out
            .iter()
            .filter(|s| s.len() < max)
            .map(|s| {
                let mut t = s.clone();
                t.push(*g);
                t
            })
            .collect();
        out.append(&mut more);
    }
    out
}

/// Elements of a vocabulary grouped by the `has` masks that name them (and by `extra`);
/// elements nothing names are left out unless `extra` tells them apart.
fn element_groups<T: Vocabulary>(masks: &[u64], extra: impl Fn(T) -> bool) -> Vec<T> {
    let mut groups: Vec<(Vec<bool>, T)> = Vec::new();
    for (i, v) in T::ALL.iter().enumerate() {
        let bit = 1u64
            .checked_shl(u32::try_from(i).unwrap_or(64))
            .unwrap_or(0);
        let mut key: Vec<bool> = masks.iter().map(|m| m & bit != 0).collect();
        key.push(extra(*v));
        if !groups.iter().any(|(k, _)| *k == key) {
            groups.push((key, *v));
        }
    }
    groups.into_iter().map(|(_, v)| v).collect()
}

fn offense_signature(
    atoms: &[&Atom<'_>],
    programs: &[&Program],
    base: &Encounter,
    o: &Offense,
) -> Vec<Tri> {
    atoms
        .iter()
        .filter_map(|a| {
            let p = programs.get(a.program)?;
            let ctx = Ctx {
                offense: Some(o),
                ..Ctx::new(base, &p.env.attrs, base.derived_intercept(), p.tz, &[])
            };
            Some(node_truth(a.node, &ctx))
        })
        .collect()
}

/// The classes of single offences the programs tell apart.
pub(super) fn offense_kinds(
    reads: &Reads<'_>,
    programs: &[&Program],
) -> Result<ListDim<Offense>, AnalysisError> {
    let tz = programs.first().map_or(chrono_tz::Tz::UTC, |p| p.tz);
    let base = base_encounter(tz);
    let part_atoms =
        |part: OffPart| -> Vec<&Atom<'_>> { reads.atoms_of(&Dim::Offense(part)).iter().collect() };
    let reads_part = |part: OffPart| reads.dims.contains(&Dim::Offense(part));
    let good_samaritan = programs.iter().any(|p| p.spec().law.good_samaritan);
    // Codes, grouped by what the code's own comparisons and the law make of them.
    let code_atoms = part_atoms(OffPart::Code);
    let violent_read = reads_part(OffPart::Violent);
    let mut codes: Vec<(Vec<Tri>, Vec<bool>, Vec<NibrsCode>)> = Vec::new();
    for entry in nibrs::all() {
        let Ok(code) = NibrsCode::parse(entry.code) else {
            continue;
        };
        let o = Offense::new(code, Level::Felony);
        let sig = offense_signature(&code_atoms, programs, &base, &o);
        let extra = vec![
            code.is_drug(),
            code.as_str() == "90E",
            violent_read && code.is_violent(),
        ];
        match codes.iter_mut().find(|(s, x, _)| *s == sig && *x == extra) {
            Some(found) => found.2.push(code),
            None => codes.push((sig, extra, vec![code])),
        }
    }
    let code_words: Vec<String> = codes.iter().map(|(_, _, m)| codes_label(m)).collect();
    let levels = Level::ALL;
    let violence: Vec<Option<bool>> = if violent_read {
        vec![None, Some(true), Some(false)]
    } else {
        vec![None]
    };
    let activities: Vec<Vec<CriminalActivity>> = if reads_part(OffPart::Activity) || good_samaritan
    {
        let groups =
            element_groups::<CriminalActivity>(&reads.masks_of(FieldName::Activity), |a| {
                !matches!(a, CriminalActivity::Possessing | CriminalActivity::Using)
            });
        subsets(&groups, crate::domain::MAX_OFFENSE_FACTS)
    } else {
        vec![Vec::new()]
    };
    let drug_types: Vec<Vec<DrugType>> = if reads_part(OffPart::DrugTypes) {
        let groups = element_groups::<DrugType>(&reads.masks_of(FieldName::DrugTypes), |_| false);
        subsets(&groups, crate::domain::MAX_OFFENSE_FACTS)
    } else {
        vec![Vec::new()]
    };
    let quantities = quantity_candidates(reads);
    let candidates = [
        codes.len(),
        Level::ALL.len(),
        violence.len(),
        activities.len(),
        drug_types.len(),
        quantities.len(),
    ]
    .iter()
    .try_fold(1u64, |acc, &n| acc.checked_mul(u64::try_from(n).ok()?))
    .unwrap_or(u64::MAX);
    if candidates > MAX_OFFENSE_CANDIDATES {
        return Err(AnalysisError::TooVaried {
            what: "kinds of offence",
            limit: MAX_OFFENSE_CANDIDATES,
        });
    }
    // Every combination, grouped by what every comparison of an offence makes of it.
    let all_atoms: Vec<&Atom<'_>> = reads
        .atoms
        .iter()
        .filter(|(d, _)| matches!(d, Dim::Offense(p) if *p != OffPart::Chargeable))
        .flat_map(|(_, a)| a.iter())
        .collect();
    let mut out = ListDim {
        kinds: Vec::new(),
        kind_labels: Vec::new(),
        lists: Vec::new(),
        empty: "no offences",
        context: Vec::new(),
        stand_in: Vec::new(),
    };
    let mut seen: HashMap<(Vec<Tri>, [bool; 4]), usize> = HashMap::new();
    for ((_, _, members), words) in codes.iter().zip(&code_words) {
        let Some(code) = members.first() else {
            continue;
        };
        for &level in &levels {
            for violent in &violence {
                for activity in &activities {
                    for types in &drug_types {
                        for quantity in &quantities {
                            let o = Offense {
                                nibrs: *code,
                                level,
                                violent: *violent,
                                activity: activity.clone(),
                                drug_types: types.clone(),
                                quantity: *quantity,
                            };
                            let beyond_use = o.activity.iter().any(|a| {
                                !matches!(a, CriminalActivity::Possessing | CriminalActivity::Using)
                            });
                            let key = (
                                offense_signature(&all_atoms, programs, &base, &o),
                                [
                                    code.is_drug(),
                                    code.as_str() == "90E",
                                    beyond_use,
                                    level.is_chargeable(),
                                ],
                            );
                            if seen.contains_key(&key) {
                                continue;
                            }
                            seen.insert(key, out.kinds.len());
                            out.kind_labels.push(offense_label(&o, words));
                            out.kinds.push(o);
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A class of codes in words: the codes themselves when there are few, else what they share.
fn codes_label(members: &[NibrsCode]) -> String {
    match members {
        [one] => format!("{one} ({})", one.name()),
        [a, b] => format!("{a} or {b}"),
        [a, b, c] => format!("{a}, {b} or {c}"),
        _ => {
            let first = members.first().map(|c| c.crime_against());
            let against = first
                .filter(|f| members.iter().all(|c| c.crime_against() == *f))
                .map(|f| format!(" against {}", f.as_str().replace('_', " ")))
                .unwrap_or_default();
            let drug = if members.iter().all(|c| c.is_drug()) {
                " drug"
            } else if members.iter().all(|c| !c.is_drug()) {
                " non-drug"
            } else {
                ""
            };
            let example = members.first().map_or("", |c| c.as_str());
            format!(
                "{drug} offence{against} of another code ({} codes, e.g. {example})",
                members.len()
            )
            .trim_start()
            .to_string()
        }
    }
}

fn offense_label(o: &Offense, codes: &str) -> String {
    let article = if matches!(o.level, Level::Infraction) {
        "an"
    } else {
        "a"
    };
    let mut s = format!("{article} {} {codes}", o.level);
    match o.violent {
        Some(true) => s.push_str(", recorded violent"),
        Some(false) => s.push_str(", recorded not violent"),
        None => {}
    }
    if !o.activity.is_empty() {
        let a: Vec<&str> = o.activity.iter().map(|a| a.as_str()).collect();
        s.push_str(&format!(", {}", a.join(" and ")));
    }
    if !o.drug_types.is_empty() {
        let a: Vec<&str> = o.drug_types.iter().map(|a| a.as_str()).collect();
        s.push_str(&format!(", {}", a.join(" and ")));
    }
    if let Some(q) = o.quantity {
        s.push_str(&format!(", {} {}", q.amount, q.unit));
    }
    s
}

fn quantity_candidates(reads: &Reads<'_>) -> Vec<Option<DrugQuantity>> {
    if !reads.dims.contains(&Dim::Offense(OffPart::Quantity)) {
        return vec![None];
    }
    let numbers = |name: FieldName| -> Vec<f64> {
        let c = super::domain::numbers(reads.consts_of(name));
        let mut v = vec![0.0];
        for (i, x) in c.iter().enumerate() {
            v.push(*x);
            v.push(
                c.get(i.saturating_add(1))
                    .map_or(x + 1.0, |n| (x + n) / 2.0),
            );
            if i == 0 && *x > 0.0 {
                v.push(x / 2.0);
            }
        }
        v
    };
    let amounts = numbers(FieldName::Amount);
    let mut out = vec![None];
    let mut push = |unit: DrugUnit, amount: f64| {
        out.push(Some(DrugQuantity { amount, unit }));
    };
    for a in numbers(FieldName::Grams).iter().chain(&amounts) {
        push(DrugUnit::Gram, *a);
    }
    for a in numbers(FieldName::Milliliters).iter().chain(&amounts) {
        push(DrugUnit::Milliliter, *a);
    }
    for unit in DrugUnit::ALL {
        for a in &amounts {
            push(unit, *a);
        }
    }
    out
}

/// The classes of single history events the programs tell apart.
pub(super) fn event_kinds(reads: &Reads<'_>, programs: &[&Program]) -> ListDim<Event> {
    let mut out = ListDim {
        kinds: Vec::new(),
        kind_labels: Vec::new(),
        lists: Vec::new(),
        empty: "no history",
        context: Vec::new(),
        stand_in: Vec::new(),
    };
    if !reads.dims.contains(&Dim::History) {
        return out;
    }
    let Some(first) = programs.first() else {
        return out;
    };
    let base = base_encounter(first.tz);
    let atoms: Vec<&Atom<'_>> = reads.atoms_of(&Dim::History).iter().collect();
    let mut days: Vec<u64> = vec![0];
    for c in reads.consts_of(FieldName::Within) {
        if let Const::Duration(secs) = c {
            let d = u64::try_from(secs.div_euclid(86_400)).unwrap_or(0);
            days.extend([d, d.saturating_add(1)]);
        }
    }
    days.sort_unstable();
    days.dedup();
    let mut codes: Vec<Option<NibrsCode>> = vec![None];
    codes.extend(
        nibrs::all()
            .iter()
            .filter_map(|o| NibrsCode::parse(o.code).ok())
            .map(Some),
    );
    let mut levels: Vec<Option<Level>> = vec![None];
    levels.extend(Level::ALL.iter().copied().map(Some));
    let mut seen: HashMap<Vec<Tri>, usize> = HashMap::new();
    for kind in HistoryKind::ALL {
        for level in &levels {
            for code in &codes {
                for d in &days {
                    let ev = Event {
                        kind,
                        level: *level,
                        nibrs: *code,
                        days_ago: *d,
                    };
                    let h = ev.materialise(&base, first);
                    let sig: Vec<Tri> = atoms
                        .iter()
                        .filter_map(|a| {
                            let p = programs.get(a.program)?;
                            let ctx = Ctx {
                                event: Some(&h),
                                ..Ctx::new(&base, &p.env.attrs, base.derived_intercept(), p.tz, &[])
                            };
                            Some(node_truth(a.node, &ctx))
                        })
                        .collect();
                    if seen.contains_key(&sig) {
                        continue;
                    }
                    seen.insert(sig, out.kinds.len());
                    let article = if kind.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    };
                    let mut label = format!("{article} {}", kind.as_str().replace('_', " "));
                    if let Some(l) = level {
                        label.push_str(&format!(" ({l})"));
                    }
                    if let Some(c) = code {
                        label.push_str(&format!(" for {c} ({})", c.name()));
                    }
                    label.push_str(&match d {
                        0 => " the same day".to_string(),
                        1 => " the day before".to_string(),
                        _ => format!(" {d} days before"),
                    });
                    out.kind_labels.push(label);
                    out.kinds.push(ev);
                }
            }
        }
    }
    out
}

/// What one item makes of each body of one collection, and (offences) whether each program
/// could charge it.
type ItemSig = (Vec<Tri>, Vec<bool>);

/// How a list's state keeps one quantifier: `any` and `all` as their result so far, `count`
/// as the number of items that hold, up to its cap.
#[derive(Clone, Copy)]
pub(super) struct Fold {
    quantifier: Quantifier,
    cap: u8,
}

fn rank(t: Tri) -> u8 {
    match t {
        Tri::False => 0,
        Tri::Unknown => 1,
        Tri::True => 2,
    }
}

/// A list's state: per quantifier its fold, the list's length up to `len_cap`, and per
/// program whether any item is chargeable.
#[derive(Clone, PartialEq, Eq, Hash)]
struct State(Vec<u8>, u8, Vec<bool>);

/// How a list's state keeps each quantifier that has a body.
fn folds_of(bodies: &[&Quant<'_>]) -> Vec<Fold> {
    bodies
        .iter()
        .filter(|q| q.body.is_some())
        .map(|q| Fold {
            quantifier: q.quantifier,
            cap: q.cap,
        })
        .collect()
}

/// The state of the empty list.
fn start(folds: &[Fold], programs: usize) -> State {
    let folds = folds
        .iter()
        .map(|f| match f.quantifier {
            Quantifier::All => 2,
            _ => 0,
        })
        .collect();
    State(folds, 0, vec![false; programs])
}

/// The state of a list with one more item.
fn step(state: &State, (truths, charge): &ItemSig, folds: &[Fold], len_cap: u8) -> State {
    let mut next = state.clone();
    for ((slot, t), f) in next.0.iter_mut().zip(truths).zip(folds) {
        *slot = match f.quantifier {
            Quantifier::Any => (*slot).max(rank(*t)),
            Quantifier::All => (*slot).min(rank(*t)),
            Quantifier::Count => {
                if *t == Tri::True {
                    slot.saturating_add(1).min(f.cap)
                } else {
                    *slot
                }
            }
        };
    }
    next.1 = next.1.saturating_add(1).min(len_cap);
    for (a, b) in next.2.iter_mut().zip(charge) {
        *a |= *b;
    }
    next
}

fn grow(sigs: &[ItemSig], folds: &[Fold], len_cap: u8) -> Result<Vec<Vec<usize>>, AnalysisError> {
    let programs = sigs.first().map_or(0, |s| s.1.len());
    let first = start(folds, programs);
    let mut seen: HashMap<State, ()> = HashMap::new();
    seen.insert(first.clone(), ());
    let mut queue = VecDeque::from([(first, Vec::<usize>::new())]);
    let mut found = vec![Vec::new()];
    while let Some((state, list)) = queue.pop_front() {
        if list.len() >= MAX_LIST_ITEMS {
            continue;
        }
        for (k, sig) in sigs.iter().enumerate() {
            let next = step(&state, sig, folds, len_cap);
            if seen.contains_key(&next) {
                continue;
            }
            seen.insert(next.clone(), ());
            if seen.len() > MAX_LIST_STATES {
                return Err(AnalysisError::TooVaried {
                    what: "offence or history lists",
                    limit: u64::try_from(MAX_LIST_STATES).unwrap_or(u64::MAX),
                });
            }
            let mut longer = list.clone();
            longer.push(k);
            found.push(longer.clone());
            queue.push_back((next, longer));
        }
    }
    Ok(found)
}

/// For each list of the pool, the first list of the pool with the same state (itself, or one
/// before it that the programs cannot tell from it in this context).
fn canonical(pool: &[Vec<usize>], sigs: &[ItemSig], folds: &[Fold], len_cap: u8) -> Vec<usize> {
    let programs = sigs.first().map_or(0, |s| s.1.len());
    let mut first_of: HashMap<State, usize> = HashMap::new();
    pool.iter()
        .enumerate()
        .map(|(i, list)| {
            let state = list
                .iter()
                .filter_map(|&k| sigs.get(k))
                .fold(start(folds, programs), |s, sig| {
                    step(&s, sig, folds, len_cap)
                });
            *first_of.entry(state).or_insert(i)
        })
        .collect()
}

/// Every combination of classes of the context dimensions, as settings on the base
/// encounter.
fn contexts(
    dims: &[Dimension],
    wanted: &BTreeSet<Dim>,
    base: &Encounter,
    tz: chrono_tz::Tz,
) -> Vec<Encounter> {
    let mut out = vec![base.clone()];
    for d in dims.iter().filter(|d| wanted.contains(&d.dim)) {
        let mut next = Vec::with_capacity(out.len().saturating_mul(d.classes.len()));
        for e in &out {
            for c in &d.classes {
                let mut f = e.clone();
                apply(&mut f, &c.setting, tz);
                next.push(f);
            }
        }
        out = next;
    }
    out
}

/// The offence lists worth routing.
pub(super) fn offense_lists(
    reads: &Reads<'_>,
    dims: &[Dimension],
    routers: &[&Router],
    kinds: &mut ListDim<Offense>,
) -> Result<(), AnalysisError> {
    let programs: Vec<&Program> = routers.iter().map(|r| r.program()).collect();
    let tz = programs.first().map_or(chrono_tz::Tz::UTC, |p| p.tz);
    let bodies: Vec<_> = reads
        .quants
        .iter()
        .filter(|q| q.collection == Collection::Offenses)
        .collect();
    let mut wanted = reads.offense_context.clone();
    if programs.iter().any(|p| p.spec().law.good_samaritan) {
        wanted.insert(Dim::Overdose);
    }
    let folds = folds_of(&bodies);
    // The list's length, when it is read (`offenses` as a number, or a count with no body).
    let len_cap = if reads.dims.contains(&Dim::OffenseCount) {
        let counted = bodies.iter().filter(|q| q.body.is_none()).map(|q| q.cap);
        let by_field =
            u8::try_from(reads.max_offense_count.clamp(0, 8).saturating_add(1)).unwrap_or(9);
        counted.fold(by_field, u8::max)
    } else {
        0
    };
    let mut pooled: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut tables = Vec::new();
    for ctx_enc in contexts(dims, &wanted, &base_encounter(tz), tz) {
        let sigs: Vec<ItemSig> = kinds
            .kinds
            .iter()
            .map(|o| {
                let mut e = ctx_enc.clone();
                e.offenses = vec![o.clone()];
                let intercept = e.derived_intercept();
                let charge: Vec<bool> = routers
                    .iter()
                    .map(|r| {
                        r.chargeable(&e, intercept, &mut Vec::new())
                            .first()
                            .copied()
                            .unwrap_or(false)
                    })
                    .collect();
                let truths = bodies
                    .iter()
                    .filter_map(|q| {
                        let body = q.body?;
                        let p = programs.get(q.program)?;
                        let ctx = Ctx {
                            offense: Some(o),
                            offense_chargeable: charge.get(q.program).copied(),
                            ..Ctx::new(&e, &p.env.attrs, intercept, p.tz, &[])
                        };
                        Some(node_truth(body, &ctx))
                    })
                    .collect();
                (truths, charge)
            })
            .collect();
        pooled.extend(grow(&sigs, &folds, len_cap)?);
        tables.push(sigs);
    }
    kinds.lists = pooled.into_iter().collect();
    kinds.lists.sort_by_key(Vec::len);
    kinds.stand_in = tables
        .iter()
        .map(|sigs| canonical(&kinds.lists, sigs, &folds, len_cap))
        .collect();
    kinds.context = dims
        .iter()
        .enumerate()
        .filter(|(_, d)| wanted.contains(&d.dim))
        .map(|(i, _)| i)
        .collect();
    Ok(())
}

/// The history lists worth routing.
pub(super) fn history_lists(
    reads: &Reads<'_>,
    dims: &[Dimension],
    programs: &[&Program],
    kinds: &mut ListDim<Event>,
) -> Result<(), AnalysisError> {
    if kinds.kinds.is_empty() {
        return Ok(());
    }
    let Some(first) = programs.first() else {
        return Ok(());
    };
    let bodies: Vec<_> = reads
        .quants
        .iter()
        .filter(|q| q.collection == Collection::History)
        .collect();
    let folds = folds_of(&bodies);
    let len_cap = bodies
        .iter()
        .filter(|q| q.body.is_none())
        .map(|q| q.cap)
        .max()
        .unwrap_or(0);
    let mut pooled: BTreeSet<Vec<usize>> = BTreeSet::new();
    for e in contexts(
        dims,
        &reads.history_context,
        &base_encounter(first.tz),
        first.tz,
    ) {
        let sigs: Vec<ItemSig> = kinds
            .kinds
            .iter()
            .map(|ev| {
                let h = ev.materialise(&e, first);
                let truths = bodies
                    .iter()
                    .filter_map(|q| {
                        let body = q.body?;
                        let p = programs.get(q.program)?;
                        let ctx = Ctx {
                            event: Some(&h),
                            ..Ctx::new(&e, &p.env.attrs, e.derived_intercept(), p.tz, &[])
                        };
                        Some(node_truth(body, &ctx))
                    })
                    .collect();
                (truths, Vec::new())
            })
            .collect();
        pooled.extend(grow(&sigs, &folds, len_cap)?);
    }
    kinds.lists = pooled.into_iter().collect();
    kinds.lists.sort_by_key(Vec::len);
    Ok(())
}
