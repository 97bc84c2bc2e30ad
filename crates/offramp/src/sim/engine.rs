//! The discrete-event engine: a binary heap of timed events, one replication and one arm at a
//! time, with every random draw taken from a named stream (see `rng.rs`).

use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use chrono_tz::Tz;

use super::SimError;
use super::results::{Arm, Stage, TimelineRow};
use super::rng::{Categorical, Purpose, Stream, exp_from, mix, stream};
use super::scenario::Scenario;
use crate::domain::{
    AttributeValue, Consent, Disposition, Encounter, Flag, Level, Need, Offense, Overdose, Pathway,
    Responder, Source,
};
use crate::nibrs::NibrsCode;
use crate::program::LawSwitches;
use crate::providers::{Directory, ProviderOption, ServiceKind};
use crate::router::Router;

pub(crate) const DAY: i64 = 86_400;
const YEAR: f64 = 365.0 * 86_400.0;
const NONE: u32 = u32::MAX;
/// Tries to find a person who fits an arrival (a group's contact ratio, an overdose's needs)
/// before the arrival is dropped.
const MAX_TRIES: u32 = 10_000;
/// Index of the `all` row in per-pathway arrays.
pub(crate) const ALL: usize = 6;
const STAGES: usize = 9;

fn stage_ix(s: Stage) -> usize {
    s as usize
}

fn pathway_ix(p: Pathway) -> usize {
    p as usize
}

fn level_ix(l: Level) -> usize {
    l as usize
}

fn source_ix(s: Source) -> usize {
    s as usize
}

fn need_bit(n: Need) -> u16 {
    1 << (n as u16)
}

/// A fast, deterministic hasher for person ids (std's default is randomly keyed per process).
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x100_0000_01B3);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = mix(u64::from(n));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

// ------------------------------------------------------------------ the compiled model

#[derive(Debug, Clone)]
pub(crate) struct GroupC {
    pub name: String,
    pub share: f64,
    pub contact_ratio: f64,
    pub accept_ratio: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct ProviderC {
    pub id: String,
    pub name: String,
    pub capacity: Option<u32>,
    pub waitlist: u32,
    pub max_wait: i64,
    pub mean_service_days: f64,
    pub initial: u32,
}

#[derive(Debug, Clone)]
struct Choice<T> {
    pick: Categorical,
    values: Vec<T>,
}

impl<T: Copy> Choice<T> {
    fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Choice<T> {
        let (values, weights): (Vec<T>, Vec<f64>) = pairs.into_iter().unzip();
        Choice {
            pick: Categorical::new(weights),
            values,
        }
    }

    fn get(&self, u: f64) -> Option<T> {
        self.pick.pick(u).and_then(|i| self.values.get(i).copied())
    }
}

/// The values of one extra attribute with their weights.
#[derive(Debug, Clone)]
struct Values {
    pick: Categorical,
    values: Vec<AttributeValue>,
}

#[derive(Debug, Clone)]
pub(crate) struct ReplayItem {
    pub enc: Encounter,
    pub t: i64,
    pub person: u32,
    pub group: u8,
}

/// A scenario compiled for the engine: rates per second, cumulative tables, providers.
#[derive(Debug)]
pub(crate) struct Model {
    pub scenario: Scenario,
    pub router: Router,
    law: LawSwitches,
    tz: Tz,
    pub start: NaiveDate,
    start_utc: i64,
    pub days: u32,
    horizon: i64,
    period: i64,
    pub periods: usize,
    pub population: u32,
    pub directory: bool,
    arrivals: Categorical,
    /// For each arrival kind: the source of a contact, or None for an overdose.
    arrival_kinds: Vec<Option<Source>>,
    arrival_rate: f64,
    recontact_sources: Choice<Source>,
    responders: Vec<Choice<Responder>>,
    follow_up_responders: Choice<Responder>,
    trait_needs: Vec<(u16, f64)>,
    episodic_needs: Vec<(Need, f64)>,
    offense_prob: [f64; 5],
    offense_mix: Categorical,
    offense_codes: Vec<NibrsCode>,
    offense_levels: Vec<Choice<Level>>,
    offense_violent: Vec<f64>,
    flags: Vec<(Flag, f64)>,
    consent: Choice<Consent>,
    attributes: Vec<(String, Values)>,
    ages: Choice<(u16, u16)>,
    pub groups: Vec<GroupC>,
    group_pick: Categorical,
    max_contact_ratio: f64,
    pub reference: usize,
    group_attr: Option<String>,
    od_mask: u16,
    od_fatal: f64,
    od_naloxone: f64,
    od_repeat_rate: f64,
    follow_up: bool,
    fu_attempt: f64,
    fu_contact: f64,
    fu_min: f64,
    fu_max: f64,
    offer: [f64; 6],
    accept_default: [f64; 6],
    accept_cells: [Vec<(u16, f64)>; 6],
    engage: [f64; 6],
    retained_30: [f64; 6],
    retained_90: [f64; 6],
    recontact_rate: f64,
    engaged_contact_ratio: f64,
    engaged_overdose_ratio: f64,
    arrest: [f64; 3],
    jail: [f64; 3],
    jail_days: [f64; 3],
    file_on_failed_hold: f64,
    release_overdose: f64,
    pub providers: Vec<ProviderC>,
    by_id: HashMap<String, u32>,
    pathway_providers: [Vec<u32>; 6],
    intake_delay_rate: f64,
    pub replay: Option<Vec<ReplayItem>>,
    pub replay_skipped: u64,
    pub pathways: Vec<Pathway>,
}

fn per_pathway(b: &super::scenario::ByPathway) -> [f64; 6] {
    let mut out = [b.default; 6];
    for p in Pathway::ALL {
        out[pathway_ix(*p)] = b.get(*p);
    }
    out
}

fn per_level(m: &std::collections::BTreeMap<Level, f64>, default: f64) -> [f64; 3] {
    let mut out = [default; 3];
    for l in Level::ALL {
        if let Some(x) = m.get(l) {
            out[level_ix(*l)] = *x;
        }
    }
    out
}

/// The rate of an exponential hazard that gives probability `p` within a year, per second.
fn yearly_rate(p: f64) -> f64 {
    if p <= 0.0 {
        0.0
    } else {
        -(1.0 - p.min(0.999_999)).ln() / YEAR
    }
}

impl Model {
    pub(crate) fn build(
        scenario: Scenario,
        router: Router,
        directory: Option<&Directory>,
        replay: Option<Vec<Encounter>>,
    ) -> Result<Model, SimError> {
        scenario.validate()?;
        let program = router.program();
        let tz = program.timezone();
        let law = program.spec().law;
        let pathways: Vec<Pathway> = program.pathways().collect();
        let sc = &scenario;
        let invalid = |field: &str, message: String| super::invalid(sc, field, &message);

        // The span.
        let first_replayed = replay
            .as_ref()
            .and_then(|r| r.iter().map(|e| e.at).min())
            .map(|at| at.with_timezone(&tz).date_naive());
        let last_replayed = replay
            .as_ref()
            .and_then(|r| r.iter().map(|e| e.at).max())
            .map(|at| at.with_timezone(&tz).date_naive());
        let default_start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(NaiveDate::MIN);
        let start = sc
            .scenario
            .start
            .or(first_replayed)
            .unwrap_or(default_start);
        let days = match (sc.scenario.days, last_replayed) {
            (Some(d), _) => d,
            (None, Some(last)) => u32::try_from((last - start).num_days() + 1)
                .unwrap_or(1)
                .max(1),
            (None, None) => 365,
        };
        let midnight = start.and_hms_opt(0, 0, 0).unwrap_or_default();
        let start_utc = tz
            .from_local_datetime(&midnight)
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map(|d| d.timestamp())
            .ok_or_else(|| {
                invalid(
                    "scenario.start",
                    "is not a time in the program's zone".into(),
                )
            })?;
        let horizon = i64::from(days) * DAY;
        let period = i64::from(sc.scenario.period_days) * DAY;
        let periods = usize::try_from((horizon + period - 1) / period).unwrap_or(1);

        // Groups.
        let eq = &sc.equity;
        let groups: Vec<GroupC> = eq
            .groups
            .iter()
            .map(|g| GroupC {
                name: g.name.clone(),
                share: g.share,
                contact_ratio: g.contact_ratio,
                accept_ratio: g.accept_ratio,
            })
            .collect();
        let share_sum: f64 = groups.iter().map(|g| g.share).sum();
        let group_pick = Categorical::new(groups.iter().map(|g| g.share));
        let max_contact_ratio = groups
            .iter()
            .filter(|g| g.share > 0.0)
            .map(|g| g.contact_ratio)
            .fold(0.0, f64::max);
        let reference = eq
            .groups
            .iter()
            .position(|g| g.name == eq.reference)
            .unwrap_or(0);
        let group_attr = program
            .spec()
            .attributes
            .get(&eq.attribute)
            .filter(|a| {
                matches!(a.ty, crate::program::AttributeType::Text)
                    || (matches!(a.ty, crate::program::AttributeType::Enum)
                        && groups.iter().all(|g| a.values.contains(&g.name)))
            })
            .map(|_| eq.attribute.clone());
        let mut groups = groups;
        for g in &mut groups {
            g.share /= share_sum.max(f64::MIN_POSITIVE);
        }

        // Arrivals: contacts by source, then overdoses.
        let mut arrival_kinds = Vec::new();
        let mut weights = Vec::new();
        for (s, r) in &sc.contacts {
            if *r > 0.0 && *s != Source::OverdoseFollowUp {
                arrival_kinds.push(Some(*s));
                weights.push(*r);
            }
        }
        let od = &sc.overdoses;
        if od.per_day > 0.0 {
            arrival_kinds.push(None);
            weights.push(od.per_day);
        }
        let arrival_rate = weights.iter().sum::<f64>() / DAY as f64;
        let arrivals = Categorical::new(weights);
        let recontact_sources = Choice::new(
            sc.contacts
                .iter()
                .filter(|(s, _)| **s != Source::OverdoseFollowUp)
                .map(|(s, r)| (*s, *r)),
        );

        let mut responders = Vec::new();
        for s in Source::ALL {
            responders.push(Choice::new(
                sc.responders
                    .get(s)
                    .into_iter()
                    .flatten()
                    .map(|(r, w)| (*r, *w)),
            ));
        }
        let follow_up_responders = if od.follow_up.responders.is_empty() {
            responders
                .get(source_ix(Source::OverdoseFollowUp))
                .cloned()
                .unwrap_or_else(|| Choice::new([]))
        } else {
            Choice::new(od.follow_up.responders.iter().map(|(r, w)| (*r, *w)))
        };

        let episodic = [Need::MentalHealthCrisis, Need::Suicidal];
        let trait_needs = sc
            .needs
            .iter()
            .filter(|(n, p)| !episodic.contains(n) && **p > 0.0)
            .map(|(n, p)| (need_bit(*n), *p))
            .collect();
        let episodic_needs = sc
            .needs
            .iter()
            .filter(|(n, p)| episodic.contains(n) && **p > 0.0)
            .map(|(n, p)| (*n, *p))
            .collect();

        let mut offense_prob = [0.0; 5];
        for (s, p) in &sc.offenses.probability {
            offense_prob[source_ix(*s)] = *p;
        }
        let mix = &sc.offenses.mix;
        let offense_mix = Categorical::new(mix.iter().map(|m| m.share));
        let offense_codes = mix.iter().map(|m| m.nibrs).collect();
        let offense_levels = mix
            .iter()
            .map(|m| Choice::new(m.levels.iter().map(|(l, w)| (*l, *w))))
            .collect();
        let offense_violent = mix.iter().map(|m| m.violent).collect();

        let b = &sc.behaviour;
        let mut accept_default = [b.accept.default; 6];
        for (p, x) in &b.accept.pathways {
            accept_default[pathway_ix(*p)] = *x;
        }
        let mut accept_cells: [Vec<(u16, f64)>; 6] = Default::default();
        for c in &b.accept.cells {
            accept_cells[pathway_ix(c.pathway)].push((need_bit(c.need), c.probability));
        }

        let j = &sc.justice;

        // Extra attributes, typed as the program declares them.
        let mut attributes = Vec::new();
        for (name, shares) in &sc.attributes {
            let Some(spec) = program.spec().attributes.get(name) else {
                return Err(invalid(
                    "attributes",
                    "names an attribute the program does not declare".into(),
                ));
            };
            let mut values = Vec::new();
            let mut weights = Vec::new();
            for (text, w) in shares {
                use crate::program::AttributeType as T;
                let value = match spec.ty {
                    T::Bool => text.parse().ok().map(AttributeValue::Bool),
                    T::Int => text.parse().ok().map(AttributeValue::Int),
                    T::Number => text.parse().ok().map(AttributeValue::Number),
                    T::Text => Some(AttributeValue::Text(text.clone())),
                    T::Enum => spec
                        .values
                        .contains(text)
                        .then(|| AttributeValue::Text(text.clone())),
                };
                let Some(value) = value else {
                    return Err(invalid(
                        "attributes",
                        "holds a value that does not fit the attribute's declared type".into(),
                    ));
                };
                values.push(value);
                weights.push(*w);
            }
            attributes.push((
                name.clone(),
                Values {
                    pick: Categorical::new(weights),
                    values,
                },
            ));
        }

        // Providers.
        let pr = &sc.providers;
        let max_wait = |d: Option<f64>| (d.unwrap_or(pr.max_wait_days) * DAY as f64) as i64;
        let mut providers = Vec::new();
        let mut pathway_providers: [Vec<u32>; 6] = Default::default();
        match directory {
            Some(dir) => {
                for (i, s) in pr.services.iter().enumerate() {
                    if !dir.services().iter().any(|d| d.id == s.id) {
                        return Err(invalid(
                            &format!("providers.services[{i}].id"),
                            "names no service in the directory".into(),
                        ));
                    }
                }
                for s in dir.services() {
                    let spec = pr.services.iter().find(|p| p.id == s.id);
                    let reported = s.capacity.as_ref().map(|c| {
                        (
                            c.maximum.unwrap_or(c.available).max(c.available),
                            c.available,
                        )
                    });
                    let capacity = spec
                        .and_then(|p| p.capacity)
                        .or(reported.map(|r| r.0))
                        .or(pr.default_capacity);
                    let initial = match (reported, capacity) {
                        (Some((max, free)), Some(cap)) if pr.initial_occupancy => {
                            max.saturating_sub(free).min(cap)
                        }
                        _ => 0,
                    };
                    let kind = s.kinds.iter().next().copied();
                    let mean_service_days = spec
                        .and_then(|p| p.service_days)
                        .or_else(|| kind.and_then(|k| pr.service_days.get(&k).copied()))
                        .unwrap_or(pr.default_service_days);
                    providers.push(ProviderC {
                        id: s.id.clone(),
                        name: s.name.clone(),
                        capacity,
                        waitlist: spec.and_then(|p| p.waitlist).unwrap_or(pr.waitlist),
                        max_wait: max_wait(spec.and_then(|p| p.max_wait_days)),
                        mean_service_days,
                        initial,
                    });
                }
            }
            None => {
                for s in &pr.services {
                    let idx = u32::try_from(providers.len()).unwrap_or(NONE);
                    for p in &s.pathways {
                        pathway_providers[pathway_ix(*p)].push(idx);
                    }
                    providers.push(ProviderC {
                        id: s.id.clone(),
                        name: s.id.clone(),
                        capacity: s.capacity,
                        waitlist: s.waitlist.unwrap_or(pr.waitlist),
                        max_wait: max_wait(s.max_wait_days),
                        mean_service_days: s.service_days.unwrap_or(pr.default_service_days),
                        initial: 0,
                    });
                }
            }
        }
        // Pathways that refer to no listed service get one with no limit.
        for p in &pathways {
            let ix = pathway_ix(*p);
            let needs = program
                .spec()
                .pathways
                .iter()
                .find(|s| s.pathway == *p)
                .and_then(|s| s.providers.as_ref());
            // With a directory, a pathway that names the kinds it needs is matched by the router.
            let matched = directory.is_some() && needs.is_some();
            if pathway_providers[ix].is_empty() && !matched {
                let needs_kind: Option<ServiceKind> = needs.and_then(|n| n.kinds.first().copied());
                pathway_providers[ix].push(u32::try_from(providers.len()).unwrap_or(NONE));
                providers.push(ProviderC {
                    id: format!("{p}-services"),
                    name: format!("{} services (no limit)", p.as_str().replace('_', " ")),
                    capacity: None,
                    waitlist: pr.waitlist,
                    max_wait: max_wait(None),
                    mean_service_days: needs_kind
                        .and_then(|k| pr.service_days.get(&k).copied())
                        .unwrap_or(pr.default_service_days),
                    initial: 0,
                });
            }
        }
        let by_id = providers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), u32::try_from(i).unwrap_or(NONE)))
            .collect();

        // Replay.
        let mut replay_skipped = 0;
        let replay = match replay {
            None => None,
            Some(list) => {
                let mut persons: HashMap<String, u32> = HashMap::new();
                let mut items = Vec::with_capacity(list.len());
                for (i, enc) in list.into_iter().enumerate() {
                    let t = enc.at.timestamp() - start_utc;
                    if !(0..horizon).contains(&t) {
                        replay_skipped += 1;
                        continue;
                    }
                    let key = sc
                        .replay
                        .as_ref()
                        .and_then(|r| r.person_attribute.as_ref())
                        .and_then(|a| enc.attributes.get(a))
                        .map(|v| match v {
                            AttributeValue::Text(s) => s.clone(),
                            AttributeValue::Int(n) => n.to_string(),
                            AttributeValue::Number(x) => x.to_string(),
                            AttributeValue::Bool(b) => b.to_string(),
                        });
                    let next = u32::try_from(persons.len()).unwrap_or(NONE);
                    let person = match key {
                        Some(k) => *persons.entry(k).or_insert(next),
                        None => {
                            let k = format!("\u{0}{i}");
                            *persons.entry(k).or_insert(next)
                        }
                    };
                    let group = match enc.attributes.get(&eq.attribute) {
                        Some(AttributeValue::Text(s)) => groups
                            .iter()
                            .position(|g| &g.name == s)
                            .unwrap_or(groups.len()),
                        _ => groups.len(),
                    };
                    items.push(ReplayItem {
                        enc,
                        t,
                        person,
                        group: u8::try_from(group).unwrap_or(u8::MAX),
                    });
                }
                items.sort_by_key(|r| r.t);
                Some(items)
            }
        };
        if groups.len() >= usize::from(u8::MAX) {
            return Err(invalid(
                "equity.groups",
                "must list fewer than 255 groups".into(),
            ));
        }

        Ok(Model {
            law,
            tz,
            start,
            start_utc,
            days,
            horizon,
            period,
            periods,
            population: sc.scenario.population,
            directory: directory.is_some() && router.has_directory(),
            arrivals,
            arrival_kinds,
            arrival_rate,
            recontact_sources,
            responders,
            follow_up_responders,
            trait_needs,
            episodic_needs,
            offense_prob,
            offense_mix,
            offense_codes,
            offense_levels,
            offense_violent,
            flags: sc.flags.iter().map(|(f, p)| (*f, *p)).collect(),
            consent: Choice::new(sc.consent.iter().map(|(c, w)| (*c, *w))),
            attributes,
            ages: Choice::new(sc.ages.iter().map(|a| ((a.min, a.max), a.share))),
            group_pick,
            max_contact_ratio,
            reference,
            group_attr,
            od_mask: od.needs.iter().fold(0, |m, n| m | need_bit(*n)),
            od_fatal: od.fatal,
            od_naloxone: od.naloxone,
            od_repeat_rate: yearly_rate(od.repeat_within_year),
            follow_up: pathways.contains(&Pathway::NaloxonePlus),
            fu_attempt: od.follow_up.attempt,
            fu_contact: od.follow_up.contact,
            fu_min: od.follow_up.min_hours * 3600.0,
            fu_max: od.follow_up.max_hours * 3600.0,
            offer: per_pathway(&b.offer),
            accept_default,
            accept_cells,
            engage: per_pathway(&b.engage),
            retained_30: per_pathway(&b.retained_30),
            retained_90: per_pathway(&b.retained_90),
            recontact_rate: yearly_rate(b.recontact_within_year),
            engaged_contact_ratio: b.engaged_contact_ratio,
            engaged_overdose_ratio: b.engaged_overdose_ratio,
            arrest: per_level(&j.arrest, 0.0),
            jail: per_level(&j.jail, 0.0),
            jail_days: per_level(&j.jail_days, 0.0),
            file_on_failed_hold: j.file_on_failed_hold,
            release_overdose: j.overdose_after_release,
            providers,
            by_id,
            pathway_providers,
            intake_delay_rate: if pr.intake_delay_hours > 0.0 {
                1.0 / (pr.intake_delay_hours * 3600.0)
            } else {
                0.0
            },
            replay,
            replay_skipped,
            groups,
            pathways,
            scenario,
            router,
        })
    }

    /// The calendar day a sim time falls on (for period starts).
    pub(crate) fn period_start(&self, period: usize) -> NaiveDate {
        let days = i64::try_from(period).unwrap_or(0) * (self.period / DAY);
        self.start
            .checked_add_signed(chrono::Duration::days(days))
            .unwrap_or(self.start)
    }

    fn datetime(&self, t: i64) -> DateTime<FixedOffset> {
        let secs = self.start_utc + t;
        match self.tz.timestamp_opt(secs, 0) {
            chrono::LocalResult::Single(d) | chrono::LocalResult::Ambiguous(d, _) => {
                d.fixed_offset()
            }
            chrono::LocalResult::None => DateTime::from_timestamp(secs, 0)
                .unwrap_or_default()
                .fixed_offset(),
        }
    }

    fn accept(&self, pw: usize, needs: u16, group: usize) -> f64 {
        let cells = &self.accept_cells[pw];
        let (mut n, mut sum) = (0u32, 0.0);
        for (bit, p) in cells {
            if needs & bit != 0 {
                n += 1;
                sum += p;
            }
        }
        let base = if n > 0 {
            sum / f64::from(n)
        } else {
            self.accept_default[pw]
        };
        let ratio = self.groups.get(group).map_or(1.0, |g| g.accept_ratio);
        (base * ratio).min(1.0)
    }

    fn traits(&self, key: u64, id: u32) -> Traits {
        let mut r = stream(key, id, Purpose::Traits, 0);
        let group = self.group_pick.pick(r.u()).unwrap_or(0);
        let (lo, hi) = self.ages.get(r.u()).unwrap_or((30, 30));
        let span = f64::from(hi.saturating_sub(lo)) + 1.0;
        let age = lo.saturating_add((r.u() * span) as u16).min(hi);
        let mut needs = 0;
        for (bit, p) in &self.trait_needs {
            if r.chance(*p) {
                needs |= bit;
            }
        }
        Traits {
            group: u8::try_from(group).unwrap_or(0),
            age,
            needs,
        }
    }

    /// Whether an offence on the encounter could be charged, and the most serious level, as the
    /// router decides it (the same state-law switches).
    pub(crate) fn charge_level(&self, enc: &Encounter) -> Option<Level> {
        enc.offenses
            .iter()
            .filter(|o| o.level.is_chargeable())
            .filter(|o| !(self.law.good_samaritan && enc.overdose.is_some() && o.nibrs.is_drug()))
            .filter(|o| !(self.law.protective_custody && o.nibrs.as_str() == "90E"))
            .map(|o| o.level)
            .max()
    }
}

#[derive(Debug, Clone, Copy)]
struct Traits {
    group: u8,
    age: u16,
    needs: u16,
}

// ------------------------------------------------------------------ events

#[derive(Debug, Clone, Copy)]
enum Kind {
    Arrival,
    Replay(u32),
    Recontact {
        person: u32,
        generation: u32,
        thin: f32,
        source: u8,
    },
    Overdose {
        person: u32,
        generation: u32,
        thin: f32,
    },
    FollowUp {
        person: u32,
        overdose_at: i64,
        naloxone: bool,
        contact: bool,
    },
    HoldEnd {
        person: u32,
        since: i64,
        level: Level,
    },
    IntakeTry {
        referral: u32,
        provider: u32,
    },
    Intake {
        referral: u32,
    },
    ServiceEnd {
        referral: u32,
        provider: u32,
    },
    WaitTimeout {
        referral: u32,
    },
}

#[derive(Debug, Clone, Copy)]
struct Event {
    t: i64,
    seq: u64,
    kind: Kind,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.t == other.t && self.seq == other.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so that the max-heap pops the earliest event; ties go to the first scheduled.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.t.cmp(&self.t).then(other.seq.cmp(&self.seq))
    }
}

// ------------------------------------------------------------------ state

#[derive(Debug, Clone)]
struct Person {
    id: u32,
    group: u8,
    age: u16,
    needs: u16,
    encounters: u32,
    overdoses: u32,
    referrals: u32,
    jailings: u32,
    holds: u32,
    follow_ups: u32,
    recontact_generation: u32,
    overdose_generation: u32,
    referral: u32,
    /// In care (engaged with services) until this time: the drop-out time drawn at intake.
    care_until: i64,
    completed_at: i64,
    jail_until: i64,
    dead: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefState {
    /// On a provider's waitlist.
    Waiting,
    /// Waiting for a closed provider to open.
    WaitingOpen,
    /// A place is held; intake is scheduled.
    Reserved,
    InService,
    Done,
    Lost,
}

#[derive(Debug, Clone)]
struct Referral {
    person: u32,
    pathway: u8,
    provider: u32,
    created: i64,
    state: RefState,
    u_delay: f64,
    u_dropout: f64,
    u_service: f64,
    completed: bool,
}

#[derive(Debug, Clone, Default)]
struct ProvState {
    occupied: u32,
    waiting: u32,
    queue: VecDeque<u32>,
    last_t: i64,
    occupied_time: Vec<f64>,
    referrals: Vec<u64>,
    intakes: Vec<u64>,
    lost: Vec<u64>,
    waitlisted: u64,
}

/// What became of accepted offers, per pathway.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RefCounts {
    pub accepted: u64,
    pub did_not_engage: u64,
    pub already_referred: u64,
    pub referred: u64,
    pub linked: u64,
    pub lost_no_provider: u64,
    pub lost_full: u64,
    pub lost_waiting: u64,
    pub lost_closed: u64,
    pub waiting_at_end: u64,
}

/// One provider's totals for the tables.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProvOut {
    pub occupied_time: Vec<f64>,
    pub referrals: Vec<u64>,
    pub intakes: Vec<u64>,
    pub lost: Vec<u64>,
    pub waitlisted: u64,
    pub waiting_at_end: u64,
}

/// Everything one arm of one replication counted.
#[derive(Debug, Clone)]
pub(crate) struct ArmOut {
    pub arm: Arm,
    pub timeline: Vec<TimelineRow>,
    pub funnel: [[u64; STAGES]; 7],
    pub equity: Vec<[u64; STAGES]>,
    pub referrals: [RefCounts; 7],
    pub intake_hours: [Vec<f32>; 7],
    pub intercepts: [u64; 6],
    pub providers: Vec<ProvOut>,
    pub events: u64,
}

/// Progress reporting: called with simulated days as they pass.
pub(crate) type Tick<'a> = &'a (dyn Fn(u64) + Sync);

struct Sim<'m> {
    m: &'m Model,
    program: bool,
    key: u64,
    heap: BinaryHeap<Event>,
    seq: u64,
    now: i64,
    arrivals: Stream,
    persons: Vec<Person>,
    index: IdMap<u32>,
    refs: Vec<Referral>,
    provs: Vec<ProvState>,
    out: ArmOut,
    in_service: u64,
    waiting: u64,
    snap_period: usize,
    day_reported: i64,
    tick: Option<Tick<'m>>,
    scratch: Option<Encounter>,
}

/// Runs one arm of one replication.
pub(crate) fn run_arm(m: &Model, key: u64, arm: Arm, tick: Option<Tick<'_>>) -> ArmOut {
    let program = arm == Arm::Program;
    let periods = m.periods;
    let groups = m.groups.len() + usize::from(m.replay.is_some());
    let mut sim = Sim {
        m,
        program,
        key,
        heap: BinaryHeap::with_capacity(1024),
        seq: 0,
        now: 0,
        arrivals: stream(key, NONE, Purpose::Arrivals, 0),
        persons: Vec::new(),
        index: IdMap::default(),
        refs: Vec::new(),
        provs: m
            .providers
            .iter()
            .map(|_| ProvState {
                occupied_time: vec![0.0; periods],
                referrals: vec![0; periods],
                intakes: vec![0; periods],
                lost: vec![0; periods],
                ..ProvState::default()
            })
            .collect(),
        out: ArmOut {
            arm,
            timeline: (0..periods)
                .map(|p| TimelineRow {
                    arm: Some(arm),
                    period: u32::try_from(p).unwrap_or(u32::MAX),
                    start: Some(m.period_start(p)),
                    ..TimelineRow::default()
                })
                .collect(),
            funnel: [[0; STAGES]; 7],
            equity: vec![[0; STAGES]; groups],
            referrals: [RefCounts::default(); 7],
            intake_hours: Default::default(),
            intercepts: [0; 6],
            providers: Vec::new(),
            events: 0,
        },
        in_service: 0,
        waiting: 0,
        snap_period: 0,
        day_reported: 0,
        tick,
        scratch: Some(blank_encounter()),
    };
    sim.run();
    sim.out
}

fn blank_encounter() -> Encounter {
    Encounter {
        id: String::new(),
        at: DateTime::<FixedOffset>::default(),
        responder: None,
        source: None,
        needs: Vec::new(),
        overdose: None,
        offenses: Vec::new(),
        flags: Vec::new(),
        age: None,
        language: None,
        consent: None,
        location: None,
        intercept: None,
        attributes: Default::default(),
    }
}

impl Sim<'_> {
    fn at(&mut self, t: i64, kind: Kind) {
        if t < self.m.horizon && t >= self.now {
            self.seq += 1;
            self.heap.push(Event {
                t,
                seq: self.seq,
                kind,
            });
        }
    }

    fn period(&self, t: i64) -> usize {
        usize::try_from(t / self.m.period)
            .unwrap_or(0)
            .min(self.m.periods.saturating_sub(1))
    }

    fn row(&mut self) -> &mut TimelineRow {
        let p = self.period(self.now);
        let len = self.out.timeline.len();
        // `periods` is at least 1, so the last row always exists.
        &mut self.out.timeline[p.min(len.saturating_sub(1))]
    }

    fn run(&mut self) {
        let m = self.m;
        for (i, p) in m.providers.iter().enumerate() {
            // People already in a service when the span starts leave at random times.
            let mut r = stream(
                self.key,
                u32::try_from(i).unwrap_or(NONE),
                Purpose::Initial,
                0,
            );
            for _ in 0..p.initial {
                let left = r.u() * p.mean_service_days * DAY as f64;
                self.provs[i].occupied += 1;
                self.in_service += 1;
                self.at(
                    left as i64,
                    Kind::ServiceEnd {
                        referral: NONE,
                        provider: u32::try_from(i).unwrap_or(NONE),
                    },
                );
            }
        }
        match &m.replay {
            Some(items) => {
                if let Some(first) = items.first() {
                    self.at(first.t, Kind::Replay(0));
                }
            }
            None => {
                if self.m.arrival_rate > 0.0 {
                    let dt = self.arrivals.exp(self.m.arrival_rate);
                    self.at(dt as i64, Kind::Arrival);
                }
            }
        }
        while let Some(ev) = self.heap.pop() {
            if ev.t >= self.m.horizon {
                break;
            }
            self.advance(ev.t);
            self.now = ev.t;
            self.out.events += 1;
            self.dispatch(ev.kind);
        }
        self.advance(self.m.horizon);
        self.now = self.m.horizon;
        self.finish();
    }

    /// Moves the clock: period-end snapshots and progress.
    fn advance(&mut self, t: i64) {
        while self.snap_period < self.m.periods
            && t >= (i64::try_from(self.snap_period).unwrap_or(0) + 1) * self.m.period
        {
            let (s, w) = (self.in_service, self.waiting);
            if let Some(row) = self.out.timeline.get_mut(self.snap_period) {
                row.in_service = s;
                row.waiting = w;
            }
            self.snap_period += 1;
        }
        if let Some(tick) = self.tick {
            let day = t / DAY;
            if day > self.day_reported {
                tick(u64::try_from(day - self.day_reported).unwrap_or(0));
                self.day_reported = day;
            }
        }
    }

    fn finish(&mut self) {
        let (s, w) = (self.in_service, self.waiting);
        for row in self.out.timeline.iter_mut().skip(self.snap_period) {
            row.in_service = s;
            row.waiting = w;
        }
        let horizon = self.m.horizon;
        for i in 0..self.provs.len() {
            self.accrue(i, horizon);
        }
        for r in &self.refs {
            if matches!(r.state, RefState::Waiting | RefState::WaitingOpen) {
                self.out.referrals[usize::from(r.pathway)].waiting_at_end += 1;
                self.out.referrals[ALL].waiting_at_end += 1;
            }
        }
        for p in &self.provs {
            self.out.providers.push(ProvOut {
                occupied_time: p.occupied_time.clone(),
                referrals: p.referrals.clone(),
                intakes: p.intakes.clone(),
                lost: p.lost.clone(),
                waitlisted: p.waitlisted,
                waiting_at_end: u64::from(p.waiting),
            });
        }
    }

    fn dispatch(&mut self, kind: Kind) {
        match kind {
            Kind::Arrival => self.arrival(),
            Kind::Replay(i) => self.replay(i),
            Kind::Recontact {
                person,
                generation,
                thin,
                source,
            } => {
                let Some(pi) = self.lookup(person) else {
                    return;
                };
                let p = &self.persons[pi];
                if p.recontact_generation != generation || !self.available(pi, thin, true) {
                    return;
                }
                let source = Source::ALL
                    .get(usize::from(source))
                    .copied()
                    .unwrap_or(Source::CallForService);
                self.contact(pi, source, None);
            }
            Kind::Overdose {
                person,
                generation,
                thin,
            } => {
                let Some(pi) = self.lookup(person) else {
                    return;
                };
                if generation != NONE && self.persons[pi].overdose_generation != generation {
                    return;
                }
                if self.available(pi, thin, false) {
                    self.overdose(pi);
                }
            }
            Kind::FollowUp {
                person,
                overdose_at,
                naloxone,
                contact,
            } => {
                self.row().follow_up_attempts += 1;
                let Some(pi) = self.lookup(person) else {
                    return;
                };
                let p = &self.persons[pi];
                if !contact || p.dead || p.jail_until > self.now {
                    return;
                }
                self.row().follow_up_contacts += 1;
                let overdose = Overdose {
                    at: self.m.datetime(overdose_at),
                    naloxone,
                };
                self.contact(pi, Source::OverdoseFollowUp, Some(overdose));
            }
            Kind::HoldEnd {
                person,
                since,
                level,
            } => self.hold_end(person, since, level),
            Kind::IntakeTry { referral, provider } => self.intake_try(referral, provider),
            Kind::Intake { referral } => self.intake(referral),
            Kind::ServiceEnd { referral, provider } => self.service_end(referral, provider),
            Kind::WaitTimeout { referral } => {
                let Some(r) = self.refs.get_mut(referral as usize) else {
                    return;
                };
                if r.state == RefState::Waiting {
                    r.state = RefState::Lost;
                    let (person, pw, prov) = (r.person, usize::from(r.pathway), r.provider);
                    self.waiting -= 1;
                    self.lose(prov, pw, Loss::Waiting);
                    if let Some(ps) = self.provs.get_mut(prov as usize) {
                        ps.waiting = ps.waiting.saturating_sub(1);
                    }
                    self.clear_referral(person, referral);
                }
            }
        }
    }

    /// Whether an arrival or person event reaches the person: alive, not in jail, and not
    /// thinned away by the lower hazard while in a service.
    fn available(&self, pi: usize, thin: f32, contact: bool) -> bool {
        let p = &self.persons[pi];
        if p.dead || p.jail_until > self.now {
            return false;
        }
        if p.care_until > self.now {
            let ratio = if contact {
                self.m.engaged_contact_ratio
            } else {
                self.m.engaged_overdose_ratio
            };
            return f64::from(thin) < ratio;
        }
        true
    }

    fn lookup(&self, id: u32) -> Option<usize> {
        self.index.get(&id).map(|i| *i as usize)
    }

    fn person(&mut self, id: u32, traits: Traits) -> usize {
        if let Some(i) = self.index.get(&id) {
            return *i as usize;
        }
        let i = self.persons.len();
        self.persons.push(Person {
            id,
            group: traits.group,
            age: traits.age,
            needs: traits.needs,
            encounters: 0,
            overdoses: 0,
            referrals: 0,
            jailings: 0,
            holds: 0,
            follow_ups: 0,
            recontact_generation: 0,
            overdose_generation: 0,
            referral: NONE,
            care_until: i64::MIN,
            completed_at: i64::MIN,
            jail_until: i64::MIN,
            dead: false,
        });
        self.index.insert(id, u32::try_from(i).unwrap_or(NONE));
        i
    }

    fn arrival(&mut self) {
        let m = self.m;
        let dt = self.arrivals.exp(m.arrival_rate);
        self.at(self.now + dt.max(1.0) as i64, Kind::Arrival);
        let which = m.arrivals.pick(self.arrivals.u()).unwrap_or(0);
        let source = m.arrival_kinds.get(which).copied().flatten();
        let overdose = source.is_none();
        let mut picked = None;
        for _ in 0..MAX_TRIES {
            let id = self.arrivals.below(m.population);
            let t = m.traits(self.key, id);
            let fits = if overdose {
                t.needs & m.od_mask != 0
            } else {
                let ratio = m
                    .groups
                    .get(usize::from(t.group))
                    .map_or(1.0, |g| g.contact_ratio);
                self.arrivals.u() * m.max_contact_ratio < ratio
            };
            if fits {
                picked = Some((id, t));
                break;
            }
        }
        let thin = self.arrivals.u() as f32;
        let Some((id, traits)) = picked else { return };
        let pi = self.person(id, traits);
        if !self.available(pi, thin, !overdose) {
            return;
        }
        match source {
            Some(s) => self.contact(pi, s, None),
            None => self.overdose(pi),
        }
    }

    fn replay(&mut self, i: u32) {
        let m = self.m;
        let Some(items) = &m.replay else { return };
        if let Some(next) = items.get(i as usize + 1) {
            self.at(next.t, Kind::Replay(i + 1));
        }
        let Some(item) = items.get(i as usize) else {
            return;
        };
        let needs = item.enc.needs.iter().fold(0, |mk, n| mk | need_bit(*n));
        let pi = self.person(
            item.person,
            Traits {
                group: item.group,
                age: item.enc.age.unwrap_or(0),
                needs,
            },
        );
        if self.persons[pi].dead {
            return;
        }
        let k = self.persons[pi].encounters;
        self.persons[pi].encounters += 1;
        let mut r = stream(self.key, item.person, Purpose::Encounter, k);
        self.encounter(pi, &item.enc, &mut r, false);
    }

    /// A generated contact: builds the encounter the responder would record, and handles it.
    fn contact(&mut self, pi: usize, source: Source, overdose: Option<Overdose>) {
        let m = self.m;
        let Some(mut enc) = self.scratch.take() else {
            return;
        };
        let person = self.persons[pi].clone();
        // A program's own follow-up visits draw from their own streams, so that the arms'
        // other draws stay paired.
        let mut r = if source == Source::OverdoseFollowUp {
            self.persons[pi].follow_ups += 1;
            stream(self.key, person.id, Purpose::FollowUp, person.follow_ups)
        } else {
            self.persons[pi].encounters += 1;
            stream(self.key, person.id, Purpose::Encounter, person.encounters)
        };
        enc.id.clear();
        let _ = write!(
            enc.id,
            "p{}-{}",
            person.id,
            person.encounters + person.follow_ups
        );
        enc.at = m.datetime(self.now);
        let responders = if source == Source::OverdoseFollowUp {
            &m.follow_up_responders
        } else {
            &m.responders[source_ix(source)]
        };
        enc.responder = responders.get(r.u());
        enc.source = Some(source);
        enc.needs.clear();
        for n in Need::ALL {
            if person.needs & need_bit(*n) != 0 {
                enc.needs.push(*n);
            }
        }
        for (n, p) in &m.episodic_needs {
            if r.chance(*p) {
                enc.needs.push(*n);
            }
        }
        enc.overdose = overdose;
        enc.offenses.clear();
        let (u_has, u_which, u_level, u_violent) = (r.u(), r.u(), r.u(), r.u());
        if u_has < m.offense_prob[source_ix(source)]
            && let Some(i) = m.offense_mix.pick(u_which)
            && let (Some(nibrs), Some(levels)) = (m.offense_codes.get(i), m.offense_levels.get(i))
        {
            enc.offenses.push(Offense {
                nibrs: *nibrs,
                level: levels.get(u_level).unwrap_or(Level::Misdemeanor),
                violent: u_violent < m.offense_violent.get(i).copied().unwrap_or(0.0),
            });
        }
        enc.flags.clear();
        for (f, p) in &m.flags {
            if r.chance(*p) {
                enc.flags.push(*f);
            }
        }
        enc.consent = m.consent.get(r.u());
        enc.age = Some(person.age);
        for (name, choice) in &m.attributes {
            let u = r.u();
            match choice.pick.pick(u).and_then(|i| choice.values.get(i)) {
                Some(value) => {
                    enc.attributes.insert(name.clone(), value.clone());
                }
                None => {
                    enc.attributes.remove(name);
                }
            }
        }
        if let Some(attr) = &m.group_attr
            && let Some(g) = m.groups.get(usize::from(person.group))
        {
            match enc.attributes.get_mut(attr) {
                Some(AttributeValue::Text(s)) => {
                    s.clear();
                    s.push_str(&g.name);
                }
                _ => {
                    enc.attributes
                        .insert(attr.clone(), AttributeValue::Text(g.name.clone()));
                }
            }
        }
        self.encounter(pi, &enc, &mut r, true);
        self.scratch = Some(enc);
    }

    /// Routes an encounter (with the program) and follows the decision: offer, acceptance,
    /// hand-off, charge hold or arrest, and the next contact.
    fn encounter(&mut self, pi: usize, enc: &Encounter, r: &mut Stream, generated: bool) {
        let m = self.m;
        let (u_offer, u_accept, u_engage) = (r.u(), r.u(), r.u());
        let (u_arrest, u_jail, u_days) = (r.u(), r.u(), r.u());
        let (u_next, u_thin, u_source) = (r.u(), r.u(), r.u());
        let group = usize::from(self.persons[pi].group);
        let needs = self.persons[pi].needs;
        let decision = self.program.then(|| m.router.route(enc));
        {
            let hours = m.scenario.costs.encounter_hours;
            let row = self.row();
            row.encounters += 1;
            row.officer_hours += hours;
        }
        self.count(ALL, group, Stage::Encounter);
        let intercept = decision
            .as_ref()
            .map_or_else(|| enc.derived_intercept(), |d| d.intercept);
        self.out.intercepts[usize::from(intercept.number())] += 1;
        let charge = m.charge_level(enc);
        let mut diverted = false;
        if let Some(d) = decision.as_ref().filter(|d| !d.eligible.is_empty()) {
            self.row().eligible += 1;
            self.count(ALL, group, Stage::Eligible);
            for e in &d.eligible {
                self.out.funnel[pathway_ix(e.pathway)][stage_ix(Stage::Eligible)] += 1;
            }
            let first = &d.eligible[0];
            let pw = pathway_ix(first.pathway);
            if u_offer < m.offer[pw] {
                let hours = m.scenario.costs.referral_hours;
                let row = self.row();
                row.offered += 1;
                row.officer_hours += hours;
                self.count(pw, group, Stage::Offered);
                if u_accept < m.accept(pw, needs, group) {
                    diverted = true;
                    self.count(pw, group, Stage::Accepted);
                    let row = self.row();
                    row.accepted += 1;
                    match d.disposition {
                        Disposition::Deflection => row.deflections += 1,
                        Disposition::PreArrestDiversion => row.diversions += 1,
                        Disposition::None => {}
                    }
                    self.out.referrals[pw].accepted += 1;
                    self.out.referrals[ALL].accepted += 1;
                    if let (Some(hold), Some(level)) = (&first.charge_hold, charge) {
                        let end = hold.deadline.timestamp() - m.start_utc;
                        self.row().holds_started += 1;
                        let person = self.persons[pi].id;
                        let since = self.now;
                        self.at(
                            end.max(self.now),
                            Kind::HoldEnd {
                                person,
                                since,
                                level,
                            },
                        );
                    }
                    if u_engage < m.engage[pw] {
                        self.refer(pi, pw, first.providers.as_deref());
                    } else {
                        self.out.referrals[pw].did_not_engage += 1;
                        self.out.referrals[ALL].did_not_engage += 1;
                    }
                }
            }
        }
        if !diverted && let Some(level) = charge {
            self.arrest(pi, level, [u_arrest, u_jail, u_days], false);
        }
        // The next contact: generated populations only (a replay already holds them), and not
        // after a program's own follow-up visit, which the population would not otherwise have.
        if generated && enc.source != Some(Source::OverdoseFollowUp) && m.recontact_rate > 0.0 {
            let dt = exp_from(u_next, m.recontact_rate);
            if dt < YEAR {
                let p = &mut self.persons[pi];
                p.recontact_generation += 1;
                let kind = Kind::Recontact {
                    person: p.id,
                    generation: p.recontact_generation,
                    thin: u_thin as f32,
                    source: m
                        .recontact_sources
                        .get(u_source)
                        .map_or(0, |s| source_ix(s) as u8),
                };
                self.at(self.now + dt as i64, kind);
            }
        }
    }

    /// Counts a stage for a pathway (and `all`) and the person's group.
    fn count(&mut self, pw: usize, group: usize, stage: Stage) {
        let s = stage_ix(stage);
        self.out.funnel[pw][s] += 1;
        if pw != ALL {
            self.out.funnel[ALL][s] += 1;
        }
        if let Some(g) = self.out.equity.get_mut(group) {
            g[s] += 1;
        }
    }

    /// An arrest (or held charges filed): booking, and perhaps jail.
    fn arrest(&mut self, pi: usize, level: Level, u: [f64; 3], filed: bool) {
        let m = self.m;
        let li = level_ix(level);
        if !filed && u[0] >= m.arrest[li] {
            return;
        }
        let group = usize::from(self.persons[pi].group);
        {
            let hours = m.scenario.costs.arrest_hours;
            let row = self.row();
            row.bookings += 1;
            if filed {
                row.charges_filed += 1;
            } else {
                row.arrests += 1;
                row.officer_hours += hours;
            }
        }
        self.out.intercepts[2] += 1;
        if let Some(g) = self.out.equity.get_mut(group) {
            g[stage_ix(Stage::Booked)] += 1;
        }
        if u[1] < m.jail[li] && m.jail_days[li] > 0.0 {
            let days = exp_from(u[2], 1.0 / m.jail_days[li]).ceil().max(1.0);
            let until = self.now + (days as i64) * DAY;
            self.row().jail_admissions += 1;
            self.out.intercepts[3] += 1;
            self.spread_jail(self.now, until.min(m.horizon));
            let p = &mut self.persons[pi];
            p.jail_until = until;
            p.jailings += 1;
            // The weeks after release carry a high overdose risk.
            if p.needs & m.od_mask != 0 && m.release_overdose > 0.0 {
                let mut r = stream(self.key, p.id, Purpose::Release, p.jailings);
                if r.chance(m.release_overdose) {
                    let t = until + (r.u() * 30.0 * DAY as f64) as i64;
                    let person = p.id;
                    self.at(
                        t,
                        Kind::Overdose {
                            person,
                            generation: NONE,
                            thin: r.u() as f32,
                        },
                    );
                }
            }
        }
    }

    fn spread_jail(&mut self, from: i64, to: i64) {
        let period = self.m.period;
        let mut t = from;
        while t < to {
            let p = self.period(t);
            let end = ((i64::try_from(p).unwrap_or(0) + 1) * period).min(to);
            let end = if end <= t { to } else { end };
            if let Some(row) = self.out.timeline.get_mut(p) {
                row.jail_bed_days += (end - t) as f64 / DAY as f64;
            }
            t = end;
        }
    }

    fn overdose(&mut self, pi: usize) {
        let m = self.m;
        let p = &mut self.persons[pi];
        let mut r = stream(self.key, p.id, Purpose::Overdose, p.overdoses);
        p.overdoses += 1;
        let (u_fatal, u_naloxone, u_attempt, u_contact, u_delay) =
            (r.u(), r.u(), r.u(), r.u(), r.u());
        let (u_repeat, u_thin) = (r.u(), r.u());
        let id = p.id;
        self.row().overdoses += 1;
        if u_fatal < m.od_fatal {
            self.die(pi);
            return;
        }
        let naloxone = u_naloxone < m.od_naloxone;
        if self.program && m.follow_up && u_attempt < m.fu_attempt {
            let delay = m.fu_min + (m.fu_max - m.fu_min) * u_delay;
            self.at(
                self.now + delay as i64,
                Kind::FollowUp {
                    person: id,
                    overdose_at: self.now,
                    naloxone,
                    contact: u_contact < m.fu_contact,
                },
            );
        }
        let dt = exp_from(u_repeat, m.od_repeat_rate);
        if dt < YEAR {
            let p = &mut self.persons[pi];
            p.overdose_generation += 1;
            let kind = Kind::Overdose {
                person: id,
                generation: p.overdose_generation,
                thin: u_thin as f32,
            };
            self.at(self.now + dt as i64, kind);
        }
    }

    fn die(&mut self, pi: usize) {
        self.row().overdose_deaths += 1;
        let p = &mut self.persons[pi];
        p.dead = true;
        let referral = p.referral;
        if referral == NONE {
            return;
        }
        let Some(r) = self.refs.get_mut(referral as usize) else {
            return;
        };
        let state = r.state;
        let prov = r.provider;
        match state {
            RefState::Waiting | RefState::WaitingOpen => {
                r.state = RefState::Lost;
                self.waiting = self.waiting.saturating_sub(1);
                if state == RefState::Waiting
                    && let Some(ps) = self.provs.get_mut(prov as usize)
                {
                    ps.waiting = ps.waiting.saturating_sub(1);
                }
            }
            RefState::Reserved => {
                r.state = RefState::Lost;
                self.free_place(prov);
            }
            RefState::InService => {
                r.state = RefState::Done;
                self.in_service = self.in_service.saturating_sub(1);
                self.free_place(prov);
            }
            RefState::Done | RefState::Lost => {}
        }
        self.persons[pi].care_until = self.now;
        self.persons[pi].referral = NONE;
    }

    fn hold_end(&mut self, person: u32, since: i64, level: Level) {
        let Some(pi) = self.lookup(person) else {
            return;
        };
        let p = &mut self.persons[pi];
        if p.dead {
            return;
        }
        if p.care_until > self.now || p.completed_at >= since {
            self.row().holds_dropped += 1;
            return;
        }
        let mut r = stream(self.key, p.id, Purpose::Hold, p.holds);
        p.holds += 1;
        let (u_file, u_jail, u_days) = (r.u(), r.u(), r.u());
        if u_file < self.m.file_on_failed_hold {
            self.arrest(pi, level, [0.0, u_jail, u_days], true);
        }
    }

    // -------------------------------------------------------------- providers

    fn refer(&mut self, pi: usize, pw: usize, options: Option<&[ProviderOption]>) {
        let m = self.m;
        if self.persons[pi].referral != NONE {
            self.out.referrals[pw].already_referred += 1;
            self.out.referrals[ALL].already_referred += 1;
            return;
        }
        // Candidates in rank order: (provider, open now, next opening).
        let candidates: Vec<(u32, bool, Option<i64>)> = match options {
            Some(opts) => opts
                .iter()
                .filter_map(|o| {
                    m.by_id.get(&*o.service_id).map(|ix| {
                        let next = o.next_open.map(|t| t.timestamp() - m.start_utc);
                        (*ix, o.open_now, next)
                    })
                })
                .collect(),
            None => m.pathway_providers[pw]
                .iter()
                .map(|ix| (*ix, true, None))
                .collect(),
        };
        self.out.referrals[pw].referred += 1;
        self.out.referrals[ALL].referred += 1;
        let Some(&(first, _, _)) = candidates.first() else {
            self.out.referrals[pw].lost_no_provider += 1;
            self.out.referrals[ALL].lost_no_provider += 1;
            return;
        };
        let p = &mut self.persons[pi];
        let mut r = stream(self.key, p.id, Purpose::Referral, p.referrals);
        p.referrals += 1;
        let referral = u32::try_from(self.refs.len()).unwrap_or(NONE);
        self.refs.push(Referral {
            person: p.id,
            pathway: pw as u8,
            provider: first,
            created: self.now,
            state: RefState::Lost,
            u_delay: r.u(),
            u_dropout: r.u(),
            u_service: r.u(),
            completed: false,
        });
        let period = self.period(self.now);
        // A free place at an open service.
        if let Some(&(ix, _, _)) = candidates
            .iter()
            .find(|(ix, open, _)| *open && self.has_place(*ix))
        {
            self.provs[ix as usize].referrals[period] += 1;
            self.reserve(ix, referral);
            return;
        }
        // Room on an open service's waitlist.
        if let Some(&(ix, _, _)) = candidates
            .iter()
            .find(|(ix, open, _)| *open && self.has_waitlist_room(*ix))
        {
            self.provs[ix as usize].referrals[period] += 1;
            self.enqueue(ix, referral, self.now);
            return;
        }
        // A closed service that opens soon enough.
        if let Some(&(ix, _, Some(t))) = candidates.iter().find(|(ix, open, next)| {
            !*open && next.is_some_and(|t| t - self.now <= m.providers[*ix as usize].max_wait)
        }) {
            self.provs[ix as usize].referrals[period] += 1;
            if let Some(rf) = self.refs.get_mut(referral as usize) {
                rf.state = RefState::WaitingOpen;
                rf.provider = ix;
            }
            self.waiting += 1;
            self.persons[pi].referral = referral;
            self.at(
                t.max(self.now),
                Kind::IntakeTry {
                    referral,
                    provider: ix,
                },
            );
            return;
        }
        let any_open = candidates.iter().any(|(_, open, _)| *open);
        self.provs[first as usize].referrals[period] += 1;
        self.lose(first, pw, if any_open { Loss::Full } else { Loss::Closed });
    }

    fn has_place(&self, ix: u32) -> bool {
        let cap = self.m.providers[ix as usize].capacity;
        cap.is_none_or(|c| self.provs[ix as usize].occupied < c)
    }

    fn has_waitlist_room(&self, ix: u32) -> bool {
        self.provs[ix as usize].waiting < self.m.providers[ix as usize].waitlist
    }

    fn accrue(&mut self, ix: usize, to: i64) {
        let period = self.m.period;
        let periods = self.m.periods;
        let ps = &mut self.provs[ix];
        let level = f64::from(ps.occupied);
        let mut t = ps.last_t;
        while t < to {
            let p = usize::try_from(t / period).unwrap_or(0).min(periods - 1);
            let end = ((i64::try_from(p).unwrap_or(0) + 1) * period).min(to);
            let end = if end <= t { to } else { end };
            if let Some(x) = ps.occupied_time.get_mut(p) {
                *x += level * (end - t) as f64;
            }
            t = end;
        }
        ps.last_t = to;
    }

    fn reserve(&mut self, ix: u32, referral: u32) {
        self.accrue(ix as usize, self.now);
        self.provs[ix as usize].occupied += 1;
        let Some(r) = self.refs.get_mut(referral as usize) else {
            return;
        };
        r.state = RefState::Reserved;
        r.provider = ix;
        let delay = exp_from(r.u_delay, self.m.intake_delay_rate);
        let delay = if delay.is_finite() { delay as i64 } else { 0 };
        let person = r.person;
        if let Some(pi) = self.lookup(person) {
            self.persons[pi].referral = referral;
        }
        self.at(self.now + delay, Kind::Intake { referral });
    }

    fn enqueue(&mut self, ix: u32, referral: u32, since: i64) {
        let max_wait = self.m.providers[ix as usize].max_wait;
        let ps = &mut self.provs[ix as usize];
        ps.queue.push_back(referral);
        ps.waiting += 1;
        ps.waitlisted += 1;
        self.waiting += 1;
        let Some(r) = self.refs.get_mut(referral as usize) else {
            return;
        };
        r.state = RefState::Waiting;
        r.provider = ix;
        let person = r.person;
        if let Some(pi) = self.lookup(person) {
            self.persons[pi].referral = referral;
        }
        self.at(
            (since + max_wait).max(self.now),
            Kind::WaitTimeout { referral },
        );
    }

    fn intake_try(&mut self, referral: u32, ix: u32) {
        let Some(r) = self.refs.get(referral as usize) else {
            return;
        };
        if r.state != RefState::WaitingOpen {
            return;
        }
        let (created, pw) = (r.created, usize::from(r.pathway));
        self.waiting = self.waiting.saturating_sub(1);
        if self.has_place(ix) {
            self.reserve(ix, referral);
        } else if self.has_waitlist_room(ix) {
            self.enqueue(ix, referral, created);
        } else {
            if let Some(r) = self.refs.get_mut(referral as usize) {
                r.state = RefState::Lost;
            }
            let person = self.refs.get(referral as usize).map_or(NONE, |r| r.person);
            self.lose(ix, pw, Loss::Full);
            self.clear_referral(person, referral);
        }
    }

    fn intake(&mut self, referral: u32) {
        let m = self.m;
        let Some(r) = self.refs.get_mut(referral as usize) else {
            return;
        };
        if r.state != RefState::Reserved {
            return;
        }
        r.state = RefState::InService;
        let (person, pw, ix, created) = (r.person, usize::from(r.pathway), r.provider, r.created);
        // Retention in care follows the 30- and 90-day figures, whatever the service; the place
        // is held for an episode of about the service's mean length, or until drop-out.
        let mean = m.providers[ix as usize].mean_service_days * DAY as f64;
        let service = mean * (0.5 + r.u_service);
        let dropout = dropout_time(r.u_dropout, m.retained_30[pw], m.retained_90[pw]);
        let completed = service <= dropout;
        r.completed = completed;
        let stay = service.min(dropout);
        let Some(pi) = self.lookup(person) else {
            return;
        };
        let group = usize::from(self.persons[pi].group);
        self.persons[pi].care_until = self.now.saturating_add(dropout.min(1e15) as i64);
        self.in_service += 1;
        self.row().linked += 1;
        self.count(pw, group, Stage::Linked);
        if dropout >= 30.0 * DAY as f64 {
            self.count(pw, group, Stage::Retained30);
        }
        if dropout >= 90.0 * DAY as f64 {
            self.count(pw, group, Stage::Retained90);
        }
        if completed {
            self.count(pw, group, Stage::Completed);
        }
        self.out.referrals[pw].linked += 1;
        self.out.referrals[ALL].linked += 1;
        let hours = ((self.now - created) as f64 / 3600.0) as f32;
        self.out.intake_hours[pw].push(hours);
        self.out.intake_hours[ALL].push(hours);
        let period = self.period(self.now);
        self.provs[ix as usize].intakes[period] += 1;
        let end = self.now + stay.min(1e15) as i64;
        self.at(
            end,
            Kind::ServiceEnd {
                referral,
                provider: ix,
            },
        );
    }

    fn service_end(&mut self, referral: u32, ix: u32) {
        if referral != NONE {
            let Some(r) = self.refs.get_mut(referral as usize) else {
                return;
            };
            if r.state != RefState::InService {
                return;
            }
            r.state = RefState::Done;
            let (person, completed) = (r.person, r.completed);
            if completed && let Some(pi) = self.lookup(person) {
                self.persons[pi].completed_at = self.now;
            }
            self.clear_referral(person, referral);
        }
        self.in_service = self.in_service.saturating_sub(1);
        self.free_place(ix);
    }

    /// A place frees: the next person still waiting takes it.
    fn free_place(&mut self, ix: u32) {
        self.accrue(ix as usize, self.now);
        let Some(ps) = self.provs.get_mut(ix as usize) else {
            return;
        };
        ps.occupied = ps.occupied.saturating_sub(1);
        while let Some(next) = self.provs[ix as usize].queue.pop_front() {
            if self.refs.get(next as usize).map(|r| r.state) == Some(RefState::Waiting) {
                let ps = &mut self.provs[ix as usize];
                ps.waiting = ps.waiting.saturating_sub(1);
                self.waiting = self.waiting.saturating_sub(1);
                self.reserve(ix, next);
                break;
            }
        }
    }

    fn clear_referral(&mut self, person: u32, referral: u32) {
        if let Some(pi) = self.lookup(person)
            && self.persons[pi].referral == referral
        {
            self.persons[pi].referral = NONE;
        }
    }

    fn lose(&mut self, ix: u32, pw: usize, loss: Loss) {
        let period = self.period(self.now);
        if let Some(ps) = self.provs.get_mut(ix as usize) {
            ps.lost[period] += 1;
        }
        for i in [pw, ALL] {
            let c = &mut self.out.referrals[i];
            match loss {
                Loss::Full => c.lost_full += 1,
                Loss::Waiting => c.lost_waiting += 1,
                Loss::Closed => c.lost_closed += 1,
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Loss {
    Full,
    Waiting,
    Closed,
}

/// Seconds until a person drops out of a service: a piecewise-constant hazard that leaves
/// `r30` still in at 30 days and `r90` at 90 days, and keeps the 30-90 day hazard after that.
pub(crate) fn dropout_time(u: f64, r30: f64, r90: f64) -> f64 {
    let day = DAY as f64;
    let e = -(1.0 - u).ln();
    if r30 <= 0.0 {
        return 0.0;
    }
    let h1 = -r30.ln() / 30.0;
    if e < h1 * 30.0 {
        return e / h1 * day;
    }
    let rest = e - h1 * 30.0;
    if r90 <= 0.0 {
        return 30.0 * day;
    }
    let h2 = -(r90 / r30).min(1.0).ln() / 60.0;
    if h2 <= 0.0 {
        return f64::INFINITY;
    }
    (30.0 + rest / h2) * day
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::seeded;

    #[test]
    fn dropout_matches_retention() {
        let mut s = seeded(5);
        let n = 200_000;
        let times: Vec<f64> = (0..n).map(|_| dropout_time(s.u(), 0.88, 0.56)).collect();
        let at = |d: f64| times.iter().filter(|t| **t >= d * DAY as f64).count() as f64 / n as f64;
        assert!((at(30.0) - 0.88).abs() < 0.005, "{}", at(30.0));
        assert!((at(90.0) - 0.56).abs() < 0.005, "{}", at(90.0));
        assert_eq!(dropout_time(0.5, 0.0, 0.0), 0.0);
        assert_eq!(dropout_time(0.99, 0.5, 0.0), 30.0 * DAY as f64);
        assert!(dropout_time(0.99, 1.0, 1.0).is_infinite());
    }

    #[test]
    fn events_pop_in_time_then_schedule_order() {
        let mut h = BinaryHeap::new();
        for (t, seq) in [(5, 1), (3, 2), (5, 0), (1, 3)] {
            h.push(Event {
                t,
                seq,
                kind: Kind::Arrival,
            });
        }
        let order: Vec<(i64, u64)> = std::iter::from_fn(|| h.pop().map(|e| (e.t, e.seq))).collect();
        assert_eq!(order, vec![(1, 3), (3, 2), (5, 0), (5, 1)]);
    }

    #[test]
    fn yearly_rates_give_their_probability() {
        let r = yearly_rate(0.5);
        assert!(((1.0 - (-r * YEAR).exp()) - 0.5).abs() < 1e-12);
        assert_eq!(yearly_rate(0.0), 0.0);
    }
}
