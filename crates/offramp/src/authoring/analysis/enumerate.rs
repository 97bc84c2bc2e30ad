//! Routing one encounter of every class of the domain, and what the decisions show.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::domain::{Dimension, apply, base_encounter};
use super::lists::{Event, ListDim};
use crate::domain::{Encounter, Offense, Pathway};
use crate::program::Program;
use crate::router::Router;
use crate::rules::compile::{Ctx, Tri};

/// Points are routed this many at a time on each core.
const CHUNK: u64 = 2_048;

/// The whole domain: the encounter's dimensions, then the offence lists, then the history
/// lists (one "not read" value when no rule reads history).
pub(super) struct Space {
    pub dims: Vec<Dimension>,
    pub offenses: ListDim<Offense>,
    pub history: Option<ListDim<Event>>,
    pub tz: chrono_tz::Tz,
}

impl Space {
    /// How many values each axis has: the dimensions, then offences, then history.
    pub(super) fn radix(&self) -> Vec<usize> {
        let mut r: Vec<usize> = self.dims.iter().map(|d| d.classes.len().max(1)).collect();
        r.push(self.offenses.lists.len().max(1));
        r.push(self.history.as_ref().map_or(1, |h| h.lists.len().max(1)));
        r
    }

    /// How many points the space holds, or `None` past `u64`.
    pub(super) fn total(&self) -> Option<u64> {
        self.radix()
            .iter()
            .try_fold(1u64, |acc, &n| acc.checked_mul(u64::try_from(n).ok()?))
    }

    /// The coordinates of point `index` (the last axis varies fastest).
    pub(super) fn coords(&self, radix: &[usize], mut index: u64) -> Vec<usize> {
        let mut out = vec![0; radix.len()];
        for (slot, &n) in out.iter_mut().zip(radix).rev() {
            let n = u64::try_from(n.max(1)).unwrap_or(1);
            *slot = usize::try_from(index.checked_rem(n).unwrap_or(0)).unwrap_or(0);
            index = index.checked_div(n).unwrap_or(0);
        }
        out
    }

    /// The point's index from its coordinates.
    pub(super) fn index(radix: &[usize], coords: &[usize]) -> u64 {
        coords.iter().zip(radix).fold(0u64, |acc, (&c, &n)| {
            acc.saturating_mul(u64::try_from(n).unwrap_or(1))
                .saturating_add(u64::try_from(c).unwrap_or(0))
        })
    }

    /// The point whose decision stands for this one's: the same encounter with the offence
    /// list the programs cannot tell from this one's in its context (itself if none).
    pub(super) fn stand_in(&self, radix: &[usize], coords: &[usize]) -> Option<u64> {
        let axis = self.dims.len();
        let list = *coords.get(axis)?;
        let mut ctx = 0usize;
        for &d in &self.offenses.context {
            let n = self.dims.get(d).map_or(1, |x| x.classes.len().max(1));
            ctx = ctx
                .saturating_mul(n)
                .saturating_add(coords.get(d).copied().unwrap_or(0));
        }
        let stand = *self.offenses.stand_in.get(ctx)?.get(list)?;
        if stand == list {
            return None;
        }
        let mut other = coords.to_vec();
        if let Some(slot) = other.get_mut(axis) {
            *slot = stand;
        }
        Some(Self::index(radix, &other))
    }

    /// The encounter at a point.
    pub(super) fn encounter(&self, coords: &[usize], first: &Program) -> Encounter {
        let mut e = base_encounter(self.tz);
        // The time first: an overdose is placed before it.
        let mut order: Vec<usize> = (0..self.dims.len()).collect();
        order.sort_by_key(|&i| {
            self.dims
                .get(i)
                .is_none_or(|d| d.dim != super::fields::Dim::At)
        });
        for i in order {
            let (Some(d), Some(&c)) = (self.dims.get(i), coords.get(i)) else {
                continue;
            };
            if let Some(class) = d.classes.get(c) {
                apply(&mut e, &class.setting, self.tz);
            }
        }
        let n = self.dims.len();
        if let Some(list) = coords.get(n).and_then(|&c| self.offenses.lists.get(c)) {
            e.offenses = list
                .iter()
                .filter_map(|&k| self.offenses.kinds.get(k).cloned())
                .collect();
        }
        if let Some(h) = &self.history {
            let list = coords
                .get(n.saturating_add(1))
                .and_then(|&c| h.lists.get(c))
                .map_or(&[][..], Vec::as_slice);
            e.history = Some(
                list.iter()
                    .filter_map(|&k| h.kinds.get(k).map(|ev| ev.materialise(&e, first)))
                    .collect(),
            );
        }
        e
    }
}

/// What the routing of every point showed.
#[derive(Default)]
pub(super) struct Routed {
    /// Per program, per point: the program's pathways (by position) that admit.
    pub admitted: Vec<Vec<u8>>,
    /// Per point: the intercept's number.
    pub intercept: Vec<u8>,
    /// Rules that admitted someone: (program, pathway position, rule position).
    pub alive: BTreeSet<(usize, usize, usize)>,
    /// Per (intercept, pathway): the programs that admit there and the responders (bits).
    pub cells: BTreeMap<(u8, Pathway), (BTreeSet<usize>, u8)>,
    /// Points not routed, each with the stand-in whose decision it takes.
    copies: Vec<(u64, u64)>,
}

fn merge(mut a: Routed, b: Routed) -> Routed {
    for (x, y) in a.admitted.iter_mut().zip(b.admitted) {
        x.extend(y);
    }
    a.intercept.extend(b.intercept);
    a.alive.extend(b.alive);
    a.copies.extend(b.copies);
    for (k, (p, r)) in b.cells {
        let cell = a.cells.entry(k).or_default();
        cell.0.extend(p);
        cell.1 |= r;
    }
    a
}

/// Routes every point, on all cores, in order.
pub(super) fn route_all(space: &Space, routers: &[&Router], total: u64) -> Routed {
    let radix = space.radix();
    let Some(first) = routers.first().map(|r| r.program()) else {
        return Routed::default();
    };
    let chunks: Vec<u64> = (0..total.div_ceil(CHUNK)).collect();
    let parts: Vec<Routed> = chunks
        .par_iter()
        .map(|&c| {
            let start = c.saturating_mul(CHUNK);
            let end = start.saturating_add(CHUNK).min(total);
            let mut out = Routed {
                admitted: vec![Vec::new(); routers.len()],
                ..Routed::default()
            };
            for i in start..end {
                let coords = space.coords(&radix, i);
                if let Some(from) = space.stand_in(&radix, &coords) {
                    // Filled in from its stand-in below.
                    out.copies.push((i, from));
                    for slot in &mut out.admitted {
                        slot.push(0);
                    }
                    out.intercept.push(0);
                    continue;
                }
                let e = space.encounter(&coords, first);
                // Every responder of the class is admitted alike.
                let responder_bit = space
                    .dims
                    .first()
                    .zip(coords.first())
                    .and_then(|(d, &c)| d.classes.get(c))
                    .map_or(0, |c| c.members);
                let mut intercept = 0;
                for (pi, r) in routers.iter().enumerate() {
                    let d = r.route(&e);
                    intercept = d.intercept.number();
                    let p = r.program();
                    let mut bits = 0u8;
                    for el in &d.eligible {
                        let Some(pw) = p.pathways.iter().position(|x| x.pathway == el.pathway)
                        else {
                            continue;
                        };
                        bits |= 1u8.checked_shl(u32::try_from(pw).unwrap_or(8)).unwrap_or(0);
                        if let Some(rule) = p
                            .pathways
                            .get(pw)
                            .and_then(|x| x.rules.iter().position(|r| r.id == el.rule))
                        {
                            out.alive.insert((pi, pw, rule));
                        }
                        let cell = out.cells.entry((intercept, el.pathway)).or_default();
                        cell.0.insert(pi);
                        cell.1 |= responder_bit;
                    }
                    if let Some(slot) = out.admitted.get_mut(pi) {
                        slot.push(bits);
                    }
                }
                out.intercept.push(intercept);
            }
            out
        })
        .collect();
    let init = Routed {
        admitted: vec![Vec::new(); routers.len()],
        ..Routed::default()
    };
    let mut routed = parts.into_iter().fold(init, merge);
    // A point the programs cannot tell from its stand-in gets the stand-in's decision. A
    // stand-in is always a point of its own (the first list of its state), never filled in.
    for (i, from) in std::mem::take(&mut routed.copies) {
        let (Ok(i), Ok(from)) = (usize::try_from(i), usize::try_from(from)) else {
            continue;
        };
        for slot in &mut routed.admitted {
            if let Some(v) = slot.get(from).copied() {
                if let Some(x) = slot.get_mut(i) {
                    *x = v;
                }
            }
        }
        if let Some(v) = routed.intercept.get(from).copied() {
            if let Some(x) = routed.intercept.get_mut(i) {
                *x = v;
            }
        }
    }
    routed
}

/// What a second look at the points where a pathway could admit shows, for one program.
#[derive(Default, Clone)]
pub(super) struct Closer {
    /// Per pathway, per rule: true somewhere; true somewhere the pathway is open.
    pub rule_true: Vec<Vec<(bool, bool)>>,
    /// Per pathway, per rule, where it holds: whether some responder there is allowed;
    /// whether somewhere it is also not blocked for want of a chargeable offence; and, for
    /// each program-wide exclusion then each of the pathway's own, whether it held wherever
    /// the rule held, the responder was allowed and nothing blocked.
    pub rule_closed_by: Vec<Vec<(bool, bool, Vec<bool>)>>,
    /// Per pathway: points where the responder is allowed, a rule holds and the pathway is
    /// not blocked for want of a chargeable offence.
    pub admissible: Vec<u64>,
    /// Per pathway: for each program-wide exclusion, then each of the pathway's own, whether
    /// it held at every admissible point.
    pub always: Vec<Vec<bool>>,
}

/// Looks again at every point for one program: which rules hold where, and which exclusions
/// hold wherever a pathway could admit.
pub(super) fn closer_look(space: &Space, router: &Router, total: u64) -> Closer {
    let p = router.program();
    let radix = space.radix();
    let empty = Closer {
        rule_true: p
            .pathways
            .iter()
            .map(|pw| vec![(false, false); pw.rules.len()])
            .collect(),
        rule_closed_by: p
            .pathways
            .iter()
            .map(|pw| {
                let n = p.exclusions.len().saturating_add(pw.exclusions.len());
                vec![(false, false, vec![true; n]); pw.rules.len()]
            })
            .collect(),
        admissible: vec![0; p.pathways.len()],
        always: p
            .pathways
            .iter()
            .map(|pw| vec![true; p.exclusions.len().saturating_add(pw.exclusions.len())])
            .collect(),
    };
    let chunks: Vec<u64> = (0..total.div_ceil(CHUNK)).collect();
    chunks
        .par_iter()
        .map(|&c| {
            let mut out = empty.clone();
            let start = c.saturating_mul(CHUNK);
            let end = start.saturating_add(CHUNK).min(total);
            for i in start..end {
                let e = space.encounter(&space.coords(&radix, i), p);
                look_at(router, &e, &mut out);
            }
            out
        })
        .reduce(
            || empty.clone(),
            |mut a, b| {
                for (x, y) in a.rule_true.iter_mut().zip(&b.rule_true) {
                    for (u, v) in x.iter_mut().zip(y) {
                        u.0 |= v.0;
                        u.1 |= v.1;
                    }
                }
                for (x, y) in a.rule_closed_by.iter_mut().zip(&b.rule_closed_by) {
                    for (u, v) in x.iter_mut().zip(y) {
                        u.0 |= v.0;
                        u.1 |= v.1;
                        for (s, t) in u.2.iter_mut().zip(&v.2) {
                            *s &= *t;
                        }
                    }
                }
                for (x, y) in a.admissible.iter_mut().zip(&b.admissible) {
                    *x = x.saturating_add(*y);
                }
                for (x, y) in a.always.iter_mut().zip(&b.always) {
                    for (u, v) in x.iter_mut().zip(y) {
                        *u &= *v;
                    }
                }
                a
            },
        )
}

fn look_at(router: &Router, e: &Encounter, out: &mut Closer) {
    let p = router.program();
    let intercept = e.derived_intercept();
    let chargeable = router.chargeable(e, intercept, &mut Vec::new());
    let ctx = Ctx::new(e, &p.env.attrs, intercept, p.tz, &chargeable);
    let holds = |c: &crate::rules::compile::Compiled| c.evaluate(&ctx).0 == Tri::True;
    let global: Vec<bool> = p.exclusions.iter().map(|x| holds(&x.compiled)).collect();
    let any_global = global.contains(&true);
    let any_chargeable = chargeable.contains(&true);
    for (i, pw) in p.pathways.iter().enumerate() {
        let allowed = e
            .responder
            .is_some_and(|r| pw.responders & (1u8.checked_shl(r as u32).unwrap_or(0)) != 0);
        let blocked = pw.pathway == Pathway::OfficerIntervention && !any_chargeable;
        let own: Vec<bool> = pw.exclusions.iter().map(|x| holds(&x.compiled)).collect();
        let open = allowed && !blocked && !any_global && !own.contains(&true);
        let truths: Vec<bool> = pw.rules.iter().map(|r| holds(&r.compiled)).collect();
        if let Some(slot) = out.rule_true.get_mut(i) {
            for (s, t) in slot.iter_mut().zip(&truths) {
                s.0 |= *t;
                s.1 |= *t && open;
            }
        }
        if let Some(slot) = out.rule_closed_by.get_mut(i) {
            for (s, t) in slot.iter_mut().zip(&truths) {
                if !*t || !allowed {
                    continue;
                }
                s.0 = true;
                if blocked {
                    continue;
                }
                s.1 = true;
                for (x, h) in s.2.iter_mut().zip(global.iter().chain(&own)) {
                    *x &= *h;
                }
            }
        }
        if allowed && !blocked && truths.contains(&true) {
            if let Some(n) = out.admissible.get_mut(i) {
                *n = n.saturating_add(1);
            }
            if let Some(slot) = out.always.get_mut(i) {
                for (s, h) in slot.iter_mut().zip(global.iter().chain(&own)) {
                    *s &= *h;
                }
            }
        }
    }
}
