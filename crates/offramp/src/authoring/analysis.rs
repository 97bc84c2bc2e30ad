//! Gaps, overlaps and rules that can never admit, found exactly over the finite domain of
//! what a program's rules read.
//!
//! # The method
//!
//! A program's rules compare each field they read with a handful of constants: an age with
//! 18 and 21, a responder with two of its five values, a need with the needs a clause names.
//! Two values of a field that every comparison in the program treats alike cannot lead to
//! different decisions, so one value of each such class stands for all of them (symmetry
//! reduction). The analysis
//!
//! 1. walks every compiled rule, exclusion and amnesty and collects, per field, the constants
//!    it is compared with (`domain.rs`);
//! 2. builds, per field, candidate values that reach every side of every constant (an
//!    integer threshold and the numbers either side of it; every value of a small
//!    vocabulary; each named element of a set, present or absent; one value no rule names),
//!    and keeps one candidate of each class of candidates every comparison treats alike;
//! 3. treats offence lists and history lists by what their quantifiers can tell apart: each
//!    kind of offence (code, level, violence, drug facts, chargeability) is reduced to the
//!    truths of the quantifier bodies it makes, and lists are grown one offence at a time
//!    until no new combination of quantifier results appears (`lists.rs`);
//! 4. routes one encounter of every combination through the real [`Router`], so that the
//!    analysis and the router cannot disagree, and reads gaps, overlaps and dead rules from
//!    the decisions (`enumerate.rs`, `summary.rs`).
//!
//! The domain is encounters in which everything the program reads is recorded. What a
//! decision does when a value is missing is what `needs_information` in each decision and
//! `offramp check` report. The enumeration is bounded by [`MAX_POINTS`]: a program whose
//! domain is larger is refused with [`AnalysisError::TooLarge`], never half analysed.

use serde::Serialize;

use crate::domain::{Encounter, Intercept, Pathway, Responder};
use crate::router::Router;

/// The most encounters one analysis routes. The example programs need a few thousand to a
/// few hundred thousand; a program past this bound is refused with
/// [`AnalysisError::TooLarge`].
pub const MAX_POINTS: u64 = 4_000_000;

/// The most gap regions reported; the rest are counted in [`Analysis::gaps_left_out`].
pub const MAX_GAPS: usize = 50;

/// What the analysis found for one program, or for the programs of one jurisdiction taken
/// together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The programs analysed, in the order given.
    pub programs: Vec<AnalysedProgram>,
    /// How many distinct encounters were routed (one for each class of the domain).
    pub encounters_examined: u64,
    /// Regions of the domain no program admits to any pathway, most common first.
    pub gaps: Vec<Gap>,
    /// Gap regions past [`MAX_GAPS`], counted but not listed.
    pub gaps_left_out: usize,
    /// Pathways that are always offered together, or always behind a higher-ranked one.
    pub overlaps: Vec<Overlap>,
    /// Rules that can never admit anyone.
    pub dead_rules: Vec<DeadRule>,
    /// Exclusions that leave a pathway with no one to admit.
    pub whole_exclusions: Vec<WholeExclusion>,
    /// The Sequential Intercept Model grid: one cell per intercept and pathway, in intercept
    /// order, then pathway order.
    pub coverage: Vec<CoverageCell>,
}

/// One analysed program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnalysedProgram {
    /// The program's id.
    pub id: String,
    /// The program's name.
    pub name: String,
    /// The compiled program's content hash.
    pub hash: String,
}

/// One condition of a gap region: a field and the values it takes there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The field, as rules name it (`age`, `responder`, `needs`, `offenses`,
    /// `attributes.sale_for_profit`).
    pub field: String,
    /// The values in words (`police or co_responder`, `under 18`, `has no substance_use`).
    pub text: String,
}

/// A region of encounters that reaches no pathway.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// What holds in the region; a field not listed may take any value.
    pub conditions: Vec<Condition>,
    /// The region in one sentence.
    pub summary: String,
    /// The intercepts the region's encounters sit at.
    pub intercepts: Vec<Intercept>,
    /// How many classes of the domain the region holds.
    pub classes: u64,
    /// How many encounters of the encounter file given fall in the region (`None` without
    /// one).
    pub encounters: Option<u64>,
    /// One encounter of the region, built by the analysis, that any reader can route.
    pub example: Encounter,
}

/// How two pathways overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverlapKind {
    /// Whenever either is offered, both are.
    AlwaysTogether,
    /// Whenever the lower-ranked pathway is offered, the higher-ranked one is too.
    Shadowed,
}

/// Two pathways of one program that overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlap {
    /// The program's id.
    pub program: String,
    /// How they overlap.
    pub kind: OverlapKind,
    /// The higher-ranked pathway.
    pub pathway: Pathway,
    /// The lower-ranked pathway (the shadowed one).
    pub other: Pathway,
    /// The overlap in one sentence.
    pub summary: String,
}

/// A rule that can never admit anyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadRule {
    /// The program's id.
    pub program: String,
    /// The pathway the rule belongs to.
    pub pathway: Pathway,
    /// The rule's id.
    pub rule: String,
    /// Why, in one sentence.
    pub summary: String,
}

/// An exclusion that leaves a pathway (or every pathway) with no one to admit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WholeExclusion {
    /// The program's id.
    pub program: String,
    /// The exclusion's id.
    pub exclusion: String,
    /// The pathway it empties (`None` for a program-wide exclusion that empties them all).
    pub pathway: Option<Pathway>,
    /// Why, in one sentence.
    pub summary: String,
}

/// One cell of the Sequential Intercept Model grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageCell {
    /// The column.
    pub intercept: Intercept,
    /// The row.
    pub pathway: Pathway,
    /// The programs that admit someone here, by id.
    pub programs: Vec<String>,
    /// The responders on scene when someone is admitted here.
    pub responders: Vec<Responder>,
    /// The partner service kinds the programs ask for on this pathway (`[pathways.providers]
    /// kinds`).
    pub partner_kinds: Vec<String>,
    /// Whether encounters at this intercept reach no pathway at all somewhere in the domain.
    pub gap: bool,
}

impl CoverageCell {
    /// Whether some program admits someone in this cell.
    pub fn covered(&self) -> bool {
        !self.programs.is_empty()
    }
}

/// Why an analysis could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// No program was given.
    #[error("no program to analyse")]
    NoPrograms,
    /// The programs tell apart more kinds of offence, or more combinations of results over
    /// offence or history lists, than the analysis examines ([`MAX_OFFENSE_CANDIDATES`],
    /// [`MAX_LIST_STATES`]).
    #[error("the programs tell apart too many {what} to analyse exactly (more than {limit})")]
    TooVaried {
        /// What there are too many of.
        what: &'static str,
        /// The limit passed.
        limit: u64,
    },
    /// The domain is larger than [`MAX_POINTS`] encounters (`points` counts at least the
    /// combinations of the encounter's own fields; the offence and history lists multiply
    /// it).
    #[error(
        "the programs read too many fields at once to analyse exactly: at least {points} classes of encounters, more than the limit of {limit}"
    )]
    TooLarge {
        /// How many encounters the domain holds (at least).
        points: u64,
        /// [`MAX_POINTS`].
        limit: u64,
    },
}

/// Analyses one program, or the programs of one jurisdiction taken together. `encounters`,
/// when given, orders the gaps by how many of them fall in each: an encounter that reaches no
/// pathway is counted once, in the largest region whose conditions on the encounter's own
/// fields (everything but its offence and history lists) it meets; a field the encounter does
/// not record meets any condition.
///
/// ```
/// use offramp::authoring::analysis::analyze;
/// use offramp::{Program, Router};
///
/// let program = Program::from_toml(r#"
/// [program]
/// id = "demo"
/// jurisdiction = "Example County"
/// timezone = "America/Chicago"
/// [[pathways]]
/// pathway = "self_referral"
/// [[pathways.rules]]
/// id = "adult"
/// when = "age >= 18"
/// "#, "demo.toml").unwrap();
/// let router = Router::new(program);
/// let analysis = analyze(&[&router], None).unwrap();
/// // Everyone under 18 reaches no pathway.
/// assert_eq!(analysis.gaps.len(), 1);
/// assert_eq!(analysis.gaps[0].summary, "age under 18: no pathway");
/// ```
pub fn analyze(
    routers: &[&Router],
    encounters: Option<&[Encounter]>,
) -> Result<Analysis, AnalysisError> {
    let first = routers.first().ok_or(AnalysisError::NoPrograms)?.program();
    let programs: Vec<&Program> = routers.iter().map(|r| r.program()).collect();
    let reads = Reads::collect(&programs);
    let dims = domain::dimensions(&reads, &programs);
    // The encounter's own fields alone may already be past the limit: refuse before the
    // offence and history lists are worked out.
    let own = dims
        .iter()
        .try_fold(1u64, |acc, d| {
            acc.checked_mul(u64::try_from(d.classes.len().max(1)).ok()?)
        })
        .unwrap_or(u64::MAX);
    if own > MAX_POINTS {
        return Err(AnalysisError::TooLarge {
            points: own,
            limit: MAX_POINTS,
        });
    }
    let mut offenses = lists::offense_kinds(&reads, &programs)?;
    lists::offense_lists(&reads, &dims, routers, &mut offenses)?;
    let history = if reads.dims.contains(&Dim::History) {
        let mut h = lists::event_kinds(&reads, &programs);
        lists::history_lists(&reads, &dims, &programs, &mut h)?;
        Some(h)
    } else {
        None
    };
    let space = Space {
        dims,
        offenses,
        history,
        tz: first.tz,
    };
    let total = space.total().unwrap_or(u64::MAX);
    if total > MAX_POINTS {
        return Err(AnalysisError::TooLarge {
            points: total,
            limit: MAX_POINTS,
        });
    }
    let radix = space.radix();
    let routed = enumerate::route_all(&space, routers, total);
    let counts = encounters.map(|list| file_classes(&space, &reads, routers, list));
    let gap = summary::stranded(&routed);
    let (gaps, gaps_left_out) =
        summary::gaps(&space, &gap, &routed, &radix, first, counts.as_deref());
    let mut dead_rules = Vec::new();
    let mut whole_exclusions = Vec::new();
    for (pi, (router, p)) in routers.iter().zip(&programs).enumerate() {
        let mask = routed.admitted.get(pi).map_or(&[][..], Vec::as_slice);
        let some_dead = p.pathways.iter().enumerate().any(|(i, pw)| {
            mask.iter().all(|m| m & (1u8 << (i & 7)) == 0)
                || (0..pw.rules.len()).any(|r| !routed.alive.contains(&(pi, i, r)))
        });
        if !some_dead {
            continue;
        }
        let closer = enumerate::closer_look(&space, router, total);
        let (r, x) = summary::dead(&routed, pi, p, &closer);
        dead_rules.extend(r);
        whole_exclusions.extend(x);
    }
    Ok(Analysis {
        programs: programs
            .iter()
            .map(|p| AnalysedProgram {
                id: p.id.to_string(),
                name: p.spec().program.name.clone().unwrap_or_default(),
                hash: p.hash.to_string(),
            })
            .collect(),
        encounters_examined: total,
        gaps,
        gaps_left_out,
        overlaps: summary::overlaps(&routed, &programs),
        dead_rules,
        whole_exclusions,
        coverage: summary::coverage(&routed, &programs, &gap),
    })
}

/// For each encounter of a file that reaches no pathway, its class on each of the
/// encounter's own dimensions (`None` for the offence and history lists).
fn file_classes(
    space: &Space,
    reads: &Reads<'_>,
    routers: &[&Router],
    encounters: &[Encounter],
) -> Vec<Vec<Option<usize>>> {
    let programs: Vec<&Program> = routers.iter().map(|r| r.program()).collect();
    encounters
        .iter()
        .filter(|e| routers.iter().all(|r| r.route(e).eligible.is_empty()))
        .map(|e| {
            let mut coords: Vec<Option<usize>> = space
                .dims
                .iter()
                .map(|d| d.class_of(e, reads, &programs, space.tz))
                .collect();
            coords.extend([None, None]);
            coords
        })
        .collect()
}

mod domain;
mod enumerate;
mod fields;
mod lists;
mod summary;

use enumerate::Space;
use fields::{Dim, Reads};

pub use lists::{MAX_LIST_ITEMS, MAX_LIST_STATES, MAX_OFFENSE_CANDIDATES};

use crate::program::Program;

mod report;
