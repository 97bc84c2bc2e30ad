//! The encounter's own dimensions: for each field the programs read, candidate values that
//! reach every side of every constant, grouped into classes the programs' comparisons treat
//! alike; and the words for a set of classes.

use std::collections::HashMap;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use super::fields::{Atom, Dim, FieldName, Reads};
use crate::domain::{
    AttributeValue, Consent, Encounter, Flag, Intercept, Need, Overdose, Responder, Source, Willing,
};
use crate::language::Language;
use crate::program::Program;
use crate::rules::compile::{AttrKind, Const, Ctx, Tri, node_truth};
use crate::rules::format_duration;
use crate::vocab::Vocabulary;

/// One value given to an encounter.
#[derive(Debug, Clone)]
pub(super) enum Setting {
    Responder(Responder),
    Source(Source),
    Intercept(Intercept),
    Needs(Vec<Need>),
    Flags(Vec<Flag>),
    Age(u16),
    Language(Language),
    Consent(Consent),
    Willing(Willing),
    /// No overdose, or one this many seconds before the encounter, naloxone given or not.
    Overdose(Option<(i64, bool)>),
    /// The encounter's time, in the first program's zone.
    At(NaiveDateTime),
    Attr(String, AttributeValue),
}

/// How the classes of a dimension are put in words.
#[derive(Debug, Clone)]
pub(super) enum Words {
    /// `name is a or b`, or `name is not c` when that is shorter.
    Choice,
    /// The labels alone, which say what they are about: `no overdose`.
    Plain,
    /// Present or absent: `name include a or b` / `name do not include a or b`; the
    /// members' names.
    Presence(Vec<String>),
    /// Intervals of a number: `name under 18 or 65 and over`.
    Ordered(Vec<Piece>),
}

/// A stretch of an ordered field: from `lo` to `hi`, each end included or not (`None`: no end).
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    pub lo: Option<(f64, bool)>,
    pub hi: Option<(f64, bool)>,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Whole,
    Decimal,
    Seconds,
}

/// A class of values: one setting stands for all of them.
#[derive(Debug, Clone)]
pub(super) struct Class {
    pub setting: Setting,
    pub label: String,
    /// For ordered dimensions, the pieces the class covers.
    pub pieces: Vec<usize>,
    /// What the programs make of the class's values (for placing other encounters in it).
    pub key: Option<Key>,
    /// For responders: the responders of the class, one bit each by position.
    pub members: u8,
}

/// The truths of a dimension's atoms, and what besides tells values apart.
pub(super) type Key = (Vec<Tri>, Vec<u8>);

/// One dimension of the domain.
#[derive(Debug, Clone)]
pub(super) struct Dimension {
    pub dim: Dim,
    /// The field as rules name it.
    pub name: String,
    pub words: Words,
    pub classes: Vec<Class>,
}

/// An encounter with nothing recorded but its time.
fn blank(at: DateTime<FixedOffset>) -> Encounter {
    Encounter::new("analysis", at)
}

/// The encounter every candidate is applied to.
pub(super) fn base_encounter(tz: Tz) -> Encounter {
    let mut e = blank(base_time(tz));
    e.responder = Some(Responder::LawEnforcement);
    e
}

fn base_local() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2)
        .unwrap_or_default()
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
}

/// A local time in the zone as an instant (the earlier one in a repeated hour, the next hour
/// in a skipped one).
pub(super) fn local_to_fixed(tz: Tz, t: NaiveDateTime) -> DateTime<FixedOffset> {
    tz.from_local_datetime(&t)
        .earliest()
        .or_else(|| {
            t.checked_add_signed(chrono::TimeDelta::hours(1))
                .and_then(|u| tz.from_local_datetime(&u).earliest())
        })
        .map_or_else(
            || DateTime::<FixedOffset>::from_naive_utc_and_offset(t, chrono::Utc.fix()),
            |d| d.fixed_offset(),
        )
}

fn base_time(tz: Tz) -> DateTime<FixedOffset> {
    local_to_fixed(tz, base_local())
}

/// Applies a setting to an encounter. `tz` is the zone `At` settings are in.
pub(super) fn apply(e: &mut Encounter, s: &Setting, tz: Tz) {
    match s {
        Setting::Responder(r) => e.responder = Some(*r),
        Setting::Source(v) => e.source = Some(*v),
        Setting::Intercept(i) => e.intercept = Some(*i),
        Setting::Needs(n) => e.needs.extend(n.iter().copied()),
        Setting::Flags(f) => e.flags.extend(f.iter().copied()),
        Setting::Age(a) => e.age = Some(*a),
        Setting::Language(l) => e.language = Some(*l),
        Setting::Consent(c) => e.consent = Some(*c),
        Setting::Willing(w) => e.willing = Some(*w),
        Setting::Overdose(o) => {
            e.overdose = o.and_then(|(ago, naloxone)| {
                let at =
                    e.at.checked_sub_signed(chrono::TimeDelta::try_seconds(ago)?)?;
                Some(Overdose { at, naloxone })
            });
        }
        Setting::At(t) => e.at = local_to_fixed(tz, *t),
        Setting::Attr(name, v) => {
            e.attributes.insert(name.clone(), v.clone());
        }
    }
}

/// The truth of each atom for an encounter (no offence or event at hand).
fn signature(atoms: &[Atom<'_>], programs: &[&Program], e: &Encounter) -> Vec<Tri> {
    let intercept = e.derived_intercept();
    atoms
        .iter()
        .filter_map(|a| {
            let p = programs.get(a.program)?;
            let ctx = Ctx::new(e, &p.env.attrs, intercept, p.tz, &[]);
            Some(node_truth(a.node, &ctx))
        })
        .collect()
}

/// What besides the atoms tells a dimension's values apart: the intercept a source leads to
/// with each responder; whether there was an overdose (the Good Samaritan law reads it).
fn extra_of(dim: &Dim, e: &Encounter, tz: Tz, programs: &[&Program]) -> Vec<u8> {
    match dim {
        Dim::Responder => {
            let bit = e
                .responder
                .map_or(0, |r| 1u8.checked_shl(r as u32).unwrap_or(0));
            let mut out: Vec<u8> = programs
                .iter()
                .flat_map(|p| {
                    p.pathways
                        .iter()
                        .map(move |pw| u8::from(pw.responders & bit != 0))
                })
                .collect();
            out.extend(Source::ALL.iter().map(|s| {
                let mut f = blank(base_time(tz));
                f.responder = e.responder;
                f.source = Some(*s);
                f.derived_intercept().number()
            }));
            out
        }
        Dim::Source => Responder::ALL
            .iter()
            .map(|r| {
                let mut f = blank(base_time(tz));
                f.responder = Some(*r);
                f.source = e.source;
                f.derived_intercept().number()
            })
            .collect(),
        Dim::Overdose => vec![u8::from(e.overdose.is_some())],
        _ => Vec::new(),
    }
}

/// A candidate value: its setting, its words, and the pieces it covers.
struct Candidate {
    setting: Setting,
    label: String,
    pieces: Vec<usize>,
}

fn cand(setting: Setting, label: impl Into<String>) -> Candidate {
    Candidate {
        setting,
        label: label.into(),
        pieces: Vec::new(),
    }
}

/// Groups candidates by what the atoms make of them.
fn group(
    dim: &Dim,
    atoms: &[Atom<'_>],
    programs: &[&Program],
    tz: Tz,
    candidates: Vec<Candidate>,
) -> Vec<Class> {
    let base = base_encounter(tz);
    let mut classes: Vec<Class> = Vec::new();
    let mut seen: HashMap<Key, usize> = HashMap::new();
    for c in candidates {
        let mut e = base.clone();
        apply(&mut e, &c.setting, tz);
        let key = (
            signature(atoms, programs, &e),
            extra_of(dim, &e, tz, programs),
        );
        match seen.get(&key).and_then(|&i| classes.get_mut(i)) {
            Some(class) => {
                class.label.push_str(" or ");
                class.label.push_str(&c.label);
                class.pieces.extend(c.pieces);
            }
            None => {
                seen.insert(key.clone(), classes.len());
                classes.push(Class {
                    setting: c.setting,
                    label: c.label,
                    pieces: c.pieces,
                    key: Some(key),
                    members: 0,
                });
            }
        }
    }
    classes
}

/// Whole-number candidates around each constant, within `lo..=hi`, as pieces.
fn whole_candidates(consts: &[Const], lo: i64, hi: i64) -> (Vec<i64>, Vec<Piece>) {
    let mut v: Vec<i64> = consts
        .iter()
        .filter_map(|c| match c {
            Const::Int(n) => Some(*n),
            Const::Number(x) if x.is_finite() => Some(x.floor() as i64),
            _ => None,
        })
        .flat_map(|n| [n.saturating_sub(1), n, n.saturating_add(1)])
        .map(|n| n.clamp(lo, hi))
        .collect();
    v.push(lo);
    v.sort_unstable();
    v.dedup();
    let pieces = v
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let next = v.get(i.saturating_add(1)).copied();
            Piece {
                lo: (i > 0).then_some((n as f64, true)),
                hi: next.map(|m| (m.saturating_sub(1) as f64, true)),
                unit: Unit::Whole,
            }
        })
        .collect();
    (v, pieces)
}

/// Decimal candidates: each constant, the midpoints between them, and one either side.
/// The numbers among constants, in order, each once.
pub(super) fn numbers(consts: &[Const]) -> Vec<f64> {
    let mut c: Vec<f64> = consts
        .iter()
        .filter_map(|c| match c {
            Const::Int(n) => Some(*n as f64),
            Const::Number(x) if x.is_finite() => Some(*x),
            _ => None,
        })
        .collect();
    c.sort_by(f64::total_cmp);
    c.dedup();
    c
}

fn decimal_candidates(consts: &[Const]) -> (Vec<f64>, Vec<Piece>) {
    let c = numbers(consts);
    let (Some(&first), Some(&last)) = (c.first(), c.last()) else {
        return (
            vec![0.0],
            vec![Piece {
                lo: None,
                hi: None,
                unit: Unit::Decimal,
            }],
        );
    };
    let mut values = vec![first - 1.0];
    let mut pieces = vec![Piece {
        lo: None,
        hi: Some((first, false)),
        unit: Unit::Decimal,
    }];
    for (i, &x) in c.iter().enumerate() {
        values.push(x);
        pieces.push(Piece {
            lo: Some((x, true)),
            hi: Some((x, true)),
            unit: Unit::Decimal,
        });
        let next = c.get(i.saturating_add(1)).copied();
        values.push(next.map_or(last + 1.0, |n| (x + n) / 2.0));
        pieces.push(Piece {
            lo: Some((x, false)),
            hi: next.map(|n| (n, false)),
            unit: Unit::Decimal,
        });
    }
    (values, pieces)
}

/// Builds the encounter's dimensions for what the programs read.
pub(super) fn dimensions(reads: &Reads<'_>, programs: &[&Program]) -> Vec<Dimension> {
    let tz = programs.first().map_or(Tz::UTC, |p| p.tz);
    let mut out = Vec::new();
    let grouped = |dim: Dim, name: &str, words: Words, cands: Vec<Candidate>| Dimension {
        classes: group(&dim, reads.atoms_of(&dim), programs, tz, cands),
        dim,
        name: name.to_string(),
        words,
    };
    // Responders, told apart also by the pathways that take each and the intercept each
    // leads to with each source.
    let responders = Responder::ALL
        .iter()
        .map(|r| cand(Setting::Responder(*r), r.as_str()))
        .collect();
    let mut responder_dim = grouped(Dim::Responder, "responder", Words::Choice, responders);
    let base = base_encounter(tz);
    for (i, r) in Responder::ALL.iter().enumerate() {
        let mut e = base.clone();
        e.responder = Some(*r);
        let key = (
            signature(reads.atoms_of(&Dim::Responder), programs, &e),
            extra_of(&Dim::Responder, &e, tz, programs),
        );
        if let Some(c) = responder_dim
            .classes
            .iter_mut()
            .find(|c| c.key.as_ref() == Some(&key))
        {
            c.members |= 1u8.checked_shl(u32::try_from(i).unwrap_or(8)).unwrap_or(0);
        }
    }
    out.push(responder_dim);
    // Sources, told apart also by the intercept each leads to with each responder.
    let sources = Source::ALL
        .iter()
        .map(|s| cand(Setting::Source(*s), s.as_str()))
        .collect();
    out.push(grouped(Dim::Source, "source", Words::Choice, sources));
    if reads.dims.contains(&Dim::Intercept) {
        out.push(Dimension {
            dim: Dim::Intercept,
            name: "intercept".into(),
            words: Words::Choice,
            classes: Intercept::ALL
                .iter()
                .map(|i| Class {
                    setting: Setting::Intercept(*i),
                    label: i.as_str().into(),
                    pieces: Vec::new(),
                    key: None,
                    members: 0,
                })
                .collect(),
        });
    }
    set_dimensions(
        &mut out,
        reads,
        FieldName::Needs,
        Dim::Needs,
        "needs",
        <Need as Vocabulary>::ALL,
        Setting::Needs,
    );
    set_dimensions(
        &mut out,
        reads,
        FieldName::Flags,
        Dim::Flags,
        "flags",
        <Flag as Vocabulary>::ALL,
        Setting::Flags,
    );
    if reads.dims.contains(&Dim::Age) {
        let (values, pieces) = whole_candidates(reads.consts_of(FieldName::Age), 0, 130);
        let cands = values
            .iter()
            .enumerate()
            .map(|(i, a)| Candidate {
                setting: Setting::Age(u16::try_from(*a).unwrap_or(0)),
                label: a.to_string(),
                pieces: vec![i],
            })
            .collect();
        out.push(grouped(Dim::Age, "age", Words::Ordered(pieces), cands));
    }
    if reads.dims.contains(&Dim::Language) {
        let mut langs: Vec<Language> = reads
            .consts_of(FieldName::Language)
            .iter()
            .filter_map(|c| match c {
                Const::Text(t) => Language::parse(t).ok(),
                _ => None,
            })
            .collect();
        if let Some(other) = ["eng", "spa", "fra", "deu", "vie", "zho"]
            .iter()
            .filter_map(|t| Language::parse(t).ok())
            .find(|l| !langs.contains(l))
        {
            langs.push(other);
        }
        let cands = langs
            .into_iter()
            .map(|l| cand(Setting::Language(l), l.as_str()))
            .collect();
        out.push(grouped(Dim::Language, "language", Words::Choice, cands));
    }
    if reads.dims.contains(&Dim::Consent) {
        let cands = Consent::ALL
            .iter()
            .map(|c| cand(Setting::Consent(*c), c.as_str()))
            .collect();
        out.push(grouped(Dim::Consent, "consent", Words::Choice, cands));
    }
    if reads.dims.contains(&Dim::Willing) {
        let cands = [Willing::Yes, Willing::No]
            .iter()
            .map(|w| cand(Setting::Willing(*w), w.as_str()))
            .collect();
        out.push(grouped(Dim::Willing, "willing", Words::Choice, cands));
    }
    let good_samaritan = programs.iter().any(|p| p.spec().law.good_samaritan);
    if reads.dims.contains(&Dim::Overdose) || good_samaritan {
        out.push(overdose_dimension(reads, programs, tz));
    }
    if reads.dims.contains(&Dim::At) {
        out.push(at_dimension(reads, programs, tz));
    }
    for dim in reads.dims.iter() {
        if let Dim::Attr(name) = dim {
            if let Some(d) = attribute_dimension(reads, programs, tz, name) {
                out.push(d);
            }
        }
    }
    out
}

/// One present-or-absent dimension for each group of set elements that every `has` test
/// treats alike; elements no test names are left out.
fn set_dimensions<T: Vocabulary>(
    out: &mut Vec<Dimension>,
    reads: &Reads<'_>,
    field: FieldName,
    dim: Dim,
    name: &str,
    all: &[T],
    make: impl Fn(Vec<T>) -> Setting,
) {
    let masks = reads.masks_of(field);
    let mut groups: Vec<(Vec<bool>, Vec<T>)> = Vec::new();
    for (i, v) in all.iter().enumerate() {
        let bit = 1u64
            .checked_shl(u32::try_from(i).unwrap_or(64))
            .unwrap_or(0);
        let membership: Vec<bool> = masks.iter().map(|m| m & bit != 0).collect();
        if !membership.contains(&true) {
            continue;
        }
        match groups.iter_mut().find(|(m, _)| *m == membership) {
            Some((_, members)) => members.push(*v),
            None => groups.push((membership, vec![*v])),
        }
    }
    for (_, members) in groups {
        let names: Vec<String> = members.iter().map(|m| m.as_str().to_string()).collect();
        let Some(first) = members.first().copied() else {
            continue;
        };
        out.push(Dimension {
            dim: dim.clone(),
            name: name.into(),
            words: Words::Presence(names),
            classes: vec![
                Class {
                    setting: make(Vec::new()),
                    label: "absent".into(),
                    pieces: Vec::new(),
                    key: None,
                    members: 0,
                },
                Class {
                    setting: make(vec![first]),
                    label: "present".into(),
                    pieces: Vec::new(),
                    key: None,
                    members: 0,
                },
            ],
        });
    }
}

fn overdose_dimension(reads: &Reads<'_>, programs: &[&Program], tz: Tz) -> Dimension {
    let (values, mut pieces) =
        whole_candidates(reads.consts_of(FieldName::Since), 0, 10 * 365 * 86_400);
    for p in &mut pieces {
        p.unit = Unit::Seconds;
    }
    let naloxone = reads.naloxone;
    let mut cands = vec![Candidate {
        setting: Setting::Overdose(None),
        label: "no overdose".into(),
        pieces: Vec::new(),
    }];
    for (i, secs) in values.iter().enumerate() {
        for given in if naloxone {
            &[false, true][..]
        } else {
            &[false][..]
        } {
            // "an overdose under 72h before"; with no window read, simply "an overdose".
            let when = pieces
                .get(i)
                .filter(|p| p.lo.is_some() || p.hi.is_some())
                .map_or_else(String::new, |p| format!(" {} before", describe_piece(p)));
            let label = match (naloxone, given) {
                (false, _) => format!("an overdose{when}"),
                (true, true) => format!("an overdose{when}, naloxone given"),
                (true, false) => format!("an overdose{when}, no naloxone"),
            };
            cands.push(Candidate {
                setting: Setting::Overdose(Some((*secs, *given))),
                label,
                pieces: Vec::new(),
            });
        }
    }
    Dimension {
        classes: group(
            &Dim::Overdose,
            reads.atoms_of(&Dim::Overdose),
            programs,
            tz,
            cands,
        ),
        dim: Dim::Overdose,
        name: "overdose".into(),
        words: Words::Plain,
    }
}

fn at_dimension(reads: &Reads<'_>, programs: &[&Program], tz: Tz) -> Dimension {
    let base = base_local();
    let mut dates: Vec<NaiveDate> = vec![base.date()];
    for c in reads.consts_of(FieldName::AtDate) {
        if let Const::Int(n) = c {
            for m in [n.saturating_sub(1), *n, n.saturating_add(1)] {
                if let Some(d) = i32::try_from(m)
                    .ok()
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                {
                    dates.push(d);
                }
            }
        }
    }
    // Every weekday after each date.
    let week: Vec<NaiveDate> = dates
        .iter()
        .flat_map(|d| (0..7u64).filter_map(|k| d.checked_add_days(Days::new(k))))
        .collect();
    let around = |name: FieldName, lo: i64, hi: i64, base: i64| {
        let mut v = vec![base];
        for c in reads.consts_of(name) {
            if let Const::Int(n) = c {
                v.extend([n.saturating_sub(1), *n, n.saturating_add(1)].map(|m| m.clamp(lo, hi)));
            }
        }
        v.sort_unstable();
        v.dedup();
        v
    };
    let hours = around(FieldName::AtHour, 0, 23, 12);
    let minutes = around(FieldName::AtMinute, 0, 59, 0);
    let mut clocks: Vec<i64> = hours
        .iter()
        .flat_map(|h| {
            minutes
                .iter()
                .map(move |m| h.saturating_mul(3600).saturating_add(m.saturating_mul(60)))
        })
        .collect();
    clocks.extend(around(FieldName::AtClock, 0, 86_399, 43_200));
    clocks.sort_unstable();
    clocks.dedup();
    let mut cands = Vec::new();
    for d in &week {
        for secs in &clocks {
            let Some(t) = u32::try_from(*secs)
                .ok()
                .and_then(|s| NaiveTime::from_num_seconds_from_midnight_opt(s, 0))
            else {
                continue;
            };
            let at = d.and_time(t);
            cands.push(cand(
                Setting::At(at),
                at.format("on %A %Y-%m-%d at %H:%M").to_string(),
            ));
        }
    }
    Dimension {
        classes: group(&Dim::At, reads.atoms_of(&Dim::At), programs, tz, cands),
        dim: Dim::At,
        name: "at".into(),
        words: Words::Plain,
    }
}

fn attribute_dimension(
    reads: &Reads<'_>,
    programs: &[&Program],
    tz: Tz,
    name: &str,
) -> Option<Dimension> {
    let info = programs
        .iter()
        .find_map(|p| p.env.attrs.iter().find(|a| a.name == name))?;
    let consts = reads
        .consts
        .get(&super::fields::FieldKey::Attr(name.to_string()))
        .map_or(&[][..], Vec::as_slice);
    let dim = Dim::Attr(name.to_string());
    let attr = |v: AttributeValue| Setting::Attr(name.to_string(), v);
    let (cands, words) = match info.kind {
        AttrKind::Bool => (
            vec![
                cand(attr(AttributeValue::Bool(true)), "true"),
                cand(attr(AttributeValue::Bool(false)), "false"),
            ],
            Words::Choice,
        ),
        AttrKind::Int => {
            let (values, pieces) = whole_candidates(consts, i64::MIN / 2, i64::MAX / 2);
            let cands = values
                .iter()
                .enumerate()
                .map(|(i, v)| Candidate {
                    setting: attr(AttributeValue::Int(*v)),
                    label: v.to_string(),
                    pieces: vec![i],
                })
                .collect();
            (cands, Words::Ordered(pieces))
        }
        AttrKind::Number => {
            let (values, pieces) = decimal_candidates(consts);
            let cands = values
                .iter()
                .enumerate()
                .map(|(i, v)| Candidate {
                    setting: attr(AttributeValue::Number(*v)),
                    label: v.to_string(),
                    pieces: vec![i],
                })
                .collect();
            (cands, Words::Ordered(pieces))
        }
        AttrKind::Enum => (
            info.values
                .iter()
                .map(|v| cand(attr(AttributeValue::Text(v.clone())), v.clone()))
                .collect(),
            Words::Choice,
        ),
        AttrKind::Text => {
            let mut texts: Vec<String> = consts
                .iter()
                .filter_map(|c| match c {
                    Const::Text(t) => Some(t.to_string()),
                    _ => None,
                })
                .collect();
            texts.sort();
            texts.dedup();
            let mut cands: Vec<Candidate> = texts
                .iter()
                .map(|t| cand(attr(AttributeValue::Text(t.clone())), format!("\"{t}\"")))
                .collect();
            let mut other = String::from("other");
            while texts.contains(&other) {
                other.push('_');
            }
            cands.push(cand(attr(AttributeValue::Text(other)), "another value"));
            (cands, Words::Choice)
        }
    };
    Some(Dimension {
        classes: group(&dim, reads.atoms_of(&dim), programs, tz, cands),
        name: format!("attributes.{name}"),
        dim,
        words,
    })
}

fn number(x: f64, unit: Unit) -> String {
    match unit {
        Unit::Seconds => format_duration(x as i64),
        Unit::Whole => format!("{}", x as i64),
        Unit::Decimal => format!("{x}"),
    }
}

/// A stretch in words: `under 18`, `18 to 20`, `65 and over`, `exactly 3`.
pub(super) fn describe_piece(p: &Piece) -> String {
    match (p.lo, p.hi) {
        (None, None) => "any value".into(),
        (None, Some((h, incl))) => match (p.unit, incl) {
            (Unit::Decimal, true) => format!("at most {}", number(h, p.unit)),
            (Unit::Decimal, false) => format!("under {}", number(h, p.unit)),
            _ => format!("under {}", number(h + 1.0, p.unit)),
        },
        (Some((l, incl)), None) => match (p.unit, incl) {
            (Unit::Decimal, false) => format!("over {}", number(l, p.unit)),
            _ => format!("{} and over", number(l, p.unit)),
        },
        (Some((l, li)), Some((h, hi))) if l == h && li && hi => {
            format!("exactly {}", number(l, p.unit))
        }
        (Some((l, li)), Some((h, hi))) => match p.unit {
            Unit::Decimal => format!(
                "{} {} and {} {}",
                if li { "at least" } else { "over" },
                number(l, p.unit),
                if hi { "at most" } else { "under" },
                number(h, p.unit)
            ),
            _ => format!("{} to {}", number(l, p.unit), number(h, p.unit)),
        },
    }
}

impl Dimension {
    /// The condition that the dimension takes one of `classes` (indices), in words, or `None`
    /// when that is every class.
    pub(super) fn describe(&self, classes: &[usize]) -> Option<String> {
        if classes.len() >= self.classes.len() {
            return None;
        }
        let labels: Vec<&str> = classes
            .iter()
            .filter_map(|&i| self.classes.get(i).map(|c| c.label.as_str()))
            .collect();
        Some(match &self.words {
            Words::Choice => {
                // A merged class's label lists its values joined by "or".
                let others: Vec<&str> = self
                    .classes
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !classes.contains(i))
                    .flat_map(|(_, c)| c.label.split(" or "))
                    .collect();
                let named = labels.iter().flat_map(|l| l.split(" or ")).count();
                if others.len() < named {
                    match others.as_slice() {
                        [one] => format!("{} is not {one}", self.name),
                        _ => format!("{} is none of {}", self.name, others.join(", ")),
                    }
                } else {
                    format!("{} is {}", self.name, labels.join(" or "))
                }
            }
            Words::Plain => labels.join(" or "),
            Words::Presence(members) => {
                let members = members.join(" or ");
                if labels == ["present"] {
                    format!("{} include {members}", self.name)
                } else {
                    format!("{} do not include {members}", self.name)
                }
            }
            Words::Ordered(pieces) => {
                let mut covered: Vec<usize> = classes
                    .iter()
                    .filter_map(|&i| self.classes.get(i))
                    .flat_map(|c| c.pieces.iter().copied())
                    .collect();
                covered.sort_unstable();
                covered.dedup();
                // Runs of neighbouring pieces read as one stretch.
                let mut runs: Vec<Piece> = Vec::new();
                let mut last: Option<usize> = None;
                for i in covered {
                    let Some(p) = pieces.get(i) else { continue };
                    match (last, runs.last_mut()) {
                        (Some(l), Some(run)) if l.saturating_add(1) == i => run.hi = p.hi,
                        _ => runs.push(*p),
                    }
                    last = Some(i);
                }
                let words: Vec<String> = runs.iter().map(describe_piece).collect();
                format!("{} {}", self.name, words.join(" or "))
            }
        })
    }

    /// The class an encounter's value falls in, if any.
    pub(super) fn class_of(
        &self,
        e: &Encounter,
        reads: &Reads<'_>,
        programs: &[&Program],
        tz: Tz,
    ) -> Option<usize> {
        match (&self.dim, &self.words) {
            (Dim::Needs | Dim::Flags, Words::Presence(members)) => {
                let present = match self.dim {
                    Dim::Needs => e
                        .needs
                        .iter()
                        .any(|n| members.iter().any(|m| m == n.as_str())),
                    _ => e
                        .flags
                        .iter()
                        .any(|f| members.iter().any(|m| m == f.as_str())),
                };
                Some(usize::from(present))
            }
            (Dim::Responder, _) => self
                .classes
                .iter()
                .position(|c| matches!(c.setting, Setting::Responder(r) if Some(r) == e.responder)),
            (Dim::Intercept, _) => self.classes.iter().position(
                |c| matches!(c.setting, Setting::Intercept(i) if i == e.derived_intercept()),
            ),
            _ => {
                let atoms = reads.atoms_of(&self.dim);
                let key: Key = (
                    signature(atoms, programs, e),
                    extra_of(&self.dim, e, tz, programs),
                );
                self.classes
                    .iter()
                    .position(|c| c.key.as_ref() == Some(&key))
            }
        }
    }
}
