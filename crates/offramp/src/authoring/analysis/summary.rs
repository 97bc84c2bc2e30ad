//! Reading gaps, overlaps, dead rules and the intercept grid from the routed domain.

use std::collections::BTreeSet;

use super::enumerate::{Closer, Routed, Space};
use super::{
    Condition, CoverageCell, DeadRule, Gap, MAX_GAPS, Overlap, OverlapKind, WholeExclusion,
};
use crate::domain::{Intercept, Pathway, Responder};
use crate::program::Program;

/// The most regions the gaps are split into before the rest is counted as left out; it
/// bounds the work of summarising a program with many scattered gaps.
const MAX_REGIONS: usize = 2_000;

/// A region: for each axis, the values allowed.
pub(super) struct Region {
    pub allowed: Vec<Vec<usize>>,
    pub classes: u64,
}

/// Every point of a region, by index.
fn points(region: &[Vec<usize>], radix: &[usize], mut f: impl FnMut(u64) -> bool) -> bool {
    let mut at = vec![0usize; region.len()];
    loop {
        let coords: Vec<usize> = at
            .iter()
            .zip(region)
            .map(|(&i, vals)| vals.get(i).copied().unwrap_or(0))
            .collect();
        if !f(Space::index(radix, &coords)) {
            return false;
        }
        // The next combination (the last axis fastest).
        let mut axis = region.len();
        loop {
            if axis == 0 {
                return true;
            }
            axis = axis.saturating_sub(1);
            let (Some(slot), Some(vals)) = (at.get_mut(axis), region.get(axis)) else {
                return true;
            };
            *slot = slot.saturating_add(1);
            if *slot < vals.len() {
                break;
            }
            *slot = 0;
        }
    }
}

/// Splits the gap points into regions: from each point not yet covered, each axis in turn is
/// widened to every value that keeps the whole region inside the gap.
pub(super) fn regions(gap: &[bool], radix: &[usize], space: &Space) -> (Vec<Region>, bool) {
    let mut covered = vec![false; gap.len()];
    let mut out = Vec::new();
    for (start, _) in gap.iter().enumerate().filter(|(_, g)| **g) {
        if covered.get(start).copied().unwrap_or(true) {
            continue;
        }
        if out.len() >= MAX_REGIONS {
            return (out, true);
        }
        let seed = space.coords(radix, u64::try_from(start).unwrap_or(0));
        let mut region: Vec<Vec<usize>> = seed.iter().map(|&c| vec![c]).collect();
        for axis in 0..radix.len() {
            let n = radix.get(axis).copied().unwrap_or(1);
            for v in 0..n {
                if region.get(axis).is_some_and(|vals| vals.contains(&v)) {
                    continue;
                }
                let mut trial = region.clone();
                if let Some(vals) = trial.get_mut(axis) {
                    *vals = vec![v];
                }
                let all_gap = points(&trial, radix, |i| {
                    usize::try_from(i)
                        .ok()
                        .and_then(|i| gap.get(i))
                        .copied()
                        .unwrap_or(false)
                });
                if all_gap {
                    if let Some(vals) = region.get_mut(axis) {
                        vals.push(v);
                    }
                }
            }
            if let Some(vals) = region.get_mut(axis) {
                vals.sort_unstable();
            }
        }
        let mut classes = 0u64;
        points(&region, radix, |i| {
            if let Some(c) = usize::try_from(i).ok().and_then(|i| covered.get_mut(i)) {
                *c = true;
            }
            classes = classes.saturating_add(1);
            true
        });
        out.push(Region {
            allowed: region,
            classes,
        });
    }
    (out, false)
}

/// A region in words.
pub(super) fn describe(region: &Region, space: &Space) -> Vec<Condition> {
    let mut out = Vec::new();
    for (d, vals) in space.dims.iter().zip(&region.allowed) {
        if let Some(text) = d.describe(vals) {
            out.push(Condition {
                field: d.name.clone(),
                text,
            });
        }
    }
    let n = space.dims.len();
    // A list's condition names the lists allowed, or those left out when they are fewer.
    let lists = |name: &str, vals: &[usize], all: usize, label: &dyn Fn(usize) -> String| {
        if vals.len() >= all {
            return None;
        }
        let left_out: Vec<usize> = (0..all).filter(|v| !vals.contains(v)).collect();
        let but = left_out.len() < vals.len();
        let shown = if but { left_out } else { vals.to_vec() };
        let words: Vec<String> = shown.iter().take(3).map(|&v| label(v)).collect();
        let more = shown.len().saturating_sub(3);
        let mut text = words.join("; or ");
        if more > 0 {
            text.push_str(&format!("; or {more} more"));
        }
        Some(Condition {
            field: name.into(),
            text: if but {
                format!("{name}: anything but ({text})")
            } else {
                format!("{name}: {text}")
            },
        })
    };
    if let Some(vals) = region.allowed.get(n) {
        let all = space.offenses.lists.len();
        out.extend(lists("offenses", vals, all, &|v| space.offenses.label(v)));
    }
    if let (Some(h), Some(vals)) = (&space.history, region.allowed.get(n.saturating_add(1))) {
        out.extend(lists("history", vals, h.lists.len(), &|v| h.label(v)));
    }
    out
}

/// For each point, whether no program admits it to any pathway.
pub(super) fn stranded(routed: &Routed) -> Vec<bool> {
    (0..routed.intercept.len())
        .map(|i| {
            routed
                .admitted
                .iter()
                .all(|a| a.get(i).copied().unwrap_or(0) == 0)
        })
        .collect()
}

/// The gaps, most common first.
pub(super) fn gaps(
    space: &Space,
    gap: &[bool],
    routed: &Routed,
    radix: &[usize],
    first: &Program,
    file: Option<&[Vec<Option<usize>>]>,
) -> (Vec<Gap>, usize) {
    let (mut regions, truncated) = regions(gap, radix, space);
    regions.sort_by_key(|r| std::cmp::Reverse(r.classes));
    // Each encounter of the file is counted once, in the largest region it falls in.
    let counts: Option<Vec<u64>> = file.map(|coords| {
        let mut counts = vec![0u64; regions.len()];
        for c in coords {
            let hit = regions.iter().position(|r| {
                c.iter()
                    .zip(&r.allowed)
                    .all(|(v, allowed)| v.is_none_or(|v| allowed.contains(&v)))
            });
            if let Some(n) = hit.and_then(|i| counts.get_mut(i)) {
                *n = n.saturating_add(1);
            }
        }
        counts
    });
    let mut found: Vec<Gap> = regions
        .iter()
        .enumerate()
        .map(|(ri, r)| {
            let conditions = describe(r, space);
            let mut intercepts = BTreeSet::new();
            points(&r.allowed, radix, |i| {
                if let Some(n) = usize::try_from(i)
                    .ok()
                    .and_then(|i| routed.intercept.get(i))
                {
                    intercepts.insert(*n);
                }
                true
            });
            let seed: Vec<usize> = r
                .allowed
                .iter()
                .map(|v| v.first().copied().unwrap_or(0))
                .collect();
            let words: Vec<&str> = conditions.iter().map(|c| c.text.as_str()).collect();
            let summary = if words.is_empty() {
                "every encounter: no pathway".to_string()
            } else {
                format!("{}: no pathway", words.join("; "))
            };
            Gap {
                summary,
                conditions,
                intercepts: intercepts
                    .into_iter()
                    .filter_map(|n| Intercept::ALL.get(usize::from(n)).copied())
                    .collect(),
                classes: r.classes,
                encounters: counts.as_ref().and_then(|c| c.get(ri).copied()),
                example: space.encounter(&seed, first),
            }
        })
        .collect();
    found.sort_by(|a, b| {
        b.encounters
            .cmp(&a.encounters)
            .then(b.classes.cmp(&a.classes))
    });
    let left = found
        .len()
        .saturating_sub(MAX_GAPS)
        .saturating_add(usize::from(truncated));
    found.truncate(MAX_GAPS);
    (found, left)
}

/// Pathways always offered together, and pathways always behind a higher-ranked one.
pub(super) fn overlaps(routed: &Routed, programs: &[&Program]) -> Vec<Overlap> {
    let mut out = Vec::new();
    for (pi, p) in programs.iter().enumerate() {
        let Some(masks) = routed.admitted.get(pi) else {
            continue;
        };
        for (i, a) in p.pathways.iter().enumerate() {
            for (j, b) in p.pathways.iter().enumerate().skip(i.saturating_add(1)) {
                let (bi, bj) = (1u8 << (i & 7), 1u8 << (j & 7));
                let (mut some_b, mut b_without_a, mut a_without_b) = (false, false, false);
                for m in masks {
                    let (x, y) = (m & bi != 0, m & bj != 0);
                    some_b |= y;
                    b_without_a |= y && !x;
                    a_without_b |= x && !y;
                }
                if !some_b || b_without_a {
                    continue;
                }
                let (kind, summary) = if a_without_b {
                    (
                        OverlapKind::Shadowed,
                        format!(
                            "{}: whenever {} is offered, {} (ranked higher) is offered too",
                            p.id, b.pathway, a.pathway
                        ),
                    )
                } else {
                    (
                        OverlapKind::AlwaysTogether,
                        format!(
                            "{}: {} and {} admit exactly the same encounters",
                            p.id, a.pathway, b.pathway
                        ),
                    )
                };
                out.push(Overlap {
                    program: p.id.to_string(),
                    kind,
                    pathway: a.pathway,
                    other: b.pathway,
                    summary,
                });
            }
        }
    }
    out
}

/// Rules that never admit, and exclusions that empty a pathway, from a closer look.
pub(super) fn dead(
    routed: &Routed,
    pi: usize,
    p: &Program,
    closer: &Closer,
) -> (Vec<DeadRule>, Vec<WholeExclusion>) {
    let mut rules = Vec::new();
    let mut exclusions = Vec::new();
    let masks = routed.admitted.get(pi).map_or(&[][..], Vec::as_slice);
    for (i, pw) in p.pathways.iter().enumerate() {
        for (r, rule) in pw.rules.iter().enumerate() {
            if routed.alive.contains(&(pi, i, r)) {
                continue;
            }
            let (anywhere, open) = closer
                .rule_true
                .get(i)
                .and_then(|v| v.get(r))
                .copied()
                .unwrap_or((false, false));
            let closed = closer.rule_closed_by.get(i).and_then(|v| v.get(r));
            let why = if open {
                "whenever it holds, an earlier rule of the pathway admits first".to_string()
            } else if !anywhere {
                "no encounter meets it".to_string()
            } else {
                match closed {
                    Some((false, _, _)) => {
                        "it holds only for responders the pathway does not take".to_string()
                    }
                    Some((true, false, _)) => {
                        "it holds only when no offence is chargeable, and officer intervention needs one".to_string()
                    }
                    Some((true, true, always)) => {
                        let names: Vec<String> = p
                            .exclusions
                            .iter()
                            .chain(&pw.exclusions)
                            .zip(always)
                            .filter(|(_, a)| **a)
                            .map(|(x, _)| format!("`{}`", x.id))
                            .collect();
                        if names.is_empty() {
                            "wherever it holds, one of the exclusions removes the person".to_string()
                        } else {
                            format!(
                                "exclusion {} removes everyone it names",
                                names.join(" or ")
                            )
                        }
                    }
                    None => "it never holds while the pathway is open".to_string(),
                }
            };
            rules.push(DeadRule {
                program: p.id.to_string(),
                pathway: pw.pathway,
                rule: rule.id.to_string(),
                summary: format!(
                    "{}: rule `{}` of {} never admits anyone: {why}",
                    p.id, rule.id, pw.pathway
                ),
            });
        }
        let never = masks.iter().all(|m| m & (1u8 << (i & 7)) == 0);
        let admissible = closer.admissible.get(i).copied().unwrap_or(0);
        if !never || admissible == 0 {
            continue;
        }
        let names = p
            .exclusions
            .iter()
            .map(|x| (x, true))
            .chain(pw.exclusions.iter().map(|x| (x, false)));
        for ((x, global), always) in names.zip(closer.always.get(i).map_or(&[][..], Vec::as_slice))
        {
            if *always {
                exclusions.push(WholeExclusion {
                    program: p.id.to_string(),
                    exclusion: x.id.to_string(),
                    pathway: Some(pw.pathway),
                    summary: format!(
                        "{}: {}exclusion `{}` holds for everyone {} could admit, so it admits no one",
                        p.id,
                        if global { "program-wide " } else { "" },
                        x.id,
                        pw.pathway
                    ),
                });
            }
        }
    }
    // A program-wide exclusion that empties every pathway is said once.
    let globals: BTreeSet<String> = exclusions
        .iter()
        .filter(|w| p.exclusions.iter().any(|x| x.id.as_str() == w.exclusion))
        .map(|w| w.exclusion.clone())
        .collect();
    for g in globals {
        let every = p.pathways.iter().all(|pw| {
            exclusions
                .iter()
                .any(|w| w.exclusion == g && w.pathway == Some(pw.pathway))
        });
        if every && p.pathways.len() > 1 {
            exclusions.retain(|w| w.exclusion != g);
            exclusions.push(WholeExclusion {
                program: p.id.to_string(),
                summary: format!(
                    "{}: program-wide exclusion `{g}` holds for everyone any pathway could admit, so the program admits no one",
                    p.id
                ),
                exclusion: g,
                pathway: None,
            });
        }
    }
    (rules, exclusions)
}

/// The intercept grid.
pub(super) fn coverage(routed: &Routed, programs: &[&Program], gap: &[bool]) -> Vec<CoverageCell> {
    let mut gap_at = [false; 6];
    for (i, g) in gap.iter().enumerate() {
        if *g {
            if let Some(slot) = routed
                .intercept
                .get(i)
                .and_then(|n| gap_at.get_mut(usize::from(*n)))
            {
                *slot = true;
            }
        }
    }
    let mut out = Vec::new();
    for intercept in Intercept::ALL {
        for pathway in Pathway::ALL {
            let cell = routed.cells.get(&(intercept.number(), pathway));
            let ids: Vec<usize> = cell
                .map(|c| c.0.iter().copied().collect())
                .unwrap_or_default();
            let bits = cell.map_or(0, |c| c.1);
            let mut kinds: BTreeSet<String> = BTreeSet::new();
            for &pi in &ids {
                let Some(p) = programs.get(pi) else { continue };
                for pw in p.spec().pathways.iter().filter(|x| x.pathway == pathway) {
                    if let Some(needs) = &pw.providers {
                        kinds.extend(needs.kinds.iter().map(|k| k.as_str().to_string()));
                    }
                }
            }
            out.push(CoverageCell {
                intercept,
                pathway,
                programs: ids
                    .iter()
                    .filter_map(|&i| programs.get(i).map(|p| p.id.to_string()))
                    .collect(),
                responders: Responder::ALL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1u8 << (i & 7)) != 0)
                    .map(|(_, r)| *r)
                    .collect(),
                partner_kinds: kinds.into_iter().collect(),
                gap: gap_at
                    .get(usize::from(intercept.number()))
                    .copied()
                    .unwrap_or(false),
            });
        }
    }
    out
}
