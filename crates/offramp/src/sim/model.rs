//! The scenario compiled for the engine: rates per second, cumulative tables and providers,
//! built table by table from the scenario, the program and the directory.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use chrono_tz::Tz;

use super::SimError;
use super::results::Stage;
use super::rng::{Categorical, Purpose, exp_cut, stream};
use super::scenario::{Accept, Areas, Decay, Places, Scenario, read_areas};
use crate::domain::{
    AttributeValue, Consent, Encounter, Flag, Level, Location, Need, Pathway, Responder, Source,
    Willing,
};
use crate::nibrs::NibrsCode;
use crate::program::{AttributeType, LawSwitches, Program};
use crate::providers::{Directory, ServiceKind};
use crate::router::Router;

pub(crate) const DAY: i64 = 86_400;
pub(super) const YEAR: f64 = 365.0 * 86_400.0;
pub(super) const NONE: u32 = u32::MAX;
/// Tries to find a person who fits an arrival (a group's contact ratio, an overdose's needs)
/// before the arrival is dropped.
pub(super) const MAX_TRIES: u32 = 10_000;
/// Index of the `all` row in per-pathway arrays: the row after the last pathway's.
pub(crate) const ALL: usize = Pathway::COUNT;
/// Rows of per-pathway counts: one per pathway, then `all`.
pub(super) const PATHWAY_ROWS: usize = Pathway::COUNT + 1;
pub(super) const STAGES: usize = Stage::COUNT;

pub(super) fn stage_ix(s: Stage) -> usize {
    s as usize
}

pub(super) fn pathway_ix(p: Pathway) -> usize {
    p as usize
}

pub(super) fn level_ix(l: Level) -> usize {
    l as usize
}

pub(super) fn source_ix(s: Source) -> usize {
    s as usize
}

pub(super) fn need_bit(n: Need) -> u16 {
    1 << (n as u16)
}

// A person's needs are a bit set in a `u16`.
const _: () = assert!(Need::COUNT <= 16);

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
pub(super) struct Choice<T> {
    pub(super) pick: Categorical,
    pub(super) values: Vec<T>,
}

impl<T: Copy> Choice<T> {
    pub(super) fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Choice<T> {
        let (values, weights): (Vec<T>, Vec<f64>) = pairs.into_iter().unzip();
        Choice {
            pick: Categorical::new(weights),
            values,
        }
    }

    pub(super) fn get(&self, u: f64) -> Option<T> {
        self.pick.pick(u).and_then(|i| self.values.get(i).copied())
    }
}

/// The values of one extra attribute with their weights.
#[derive(Debug, Clone)]
pub(super) struct Values {
    pub(super) pick: Categorical,
    pub(super) values: Vec<AttributeValue>,
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
    pub(super) law: LawSwitches,
    pub(super) tz: Tz,
    /// The zone's offsets over the span, for `datetime`.
    offsets: Offsets,
    pub start: NaiveDate,
    /// The engine's clock zero as a UTC timestamp: the start of the warm-up, `warm` seconds
    /// before the first counted day's local midnight.
    pub(super) origin_utc: i64,
    /// The warm-up, in seconds of engine time: nothing before it is counted.
    pub(super) warm: i64,
    /// Counted days (the warm-up not included).
    pub days: u32,
    /// The end of the run in engine time: the warm-up and the counted days.
    pub(super) horizon: i64,
    pub(super) period: i64,
    pub periods: usize,
    pub population: u32,
    pub directory: bool,
    pub(super) arrivals: Categorical,
    /// For each arrival kind: the source of a contact, or None for an overdose.
    pub(super) arrival_kinds: Vec<Option<Source>>,
    pub(super) arrival_rate: f64,
    pub(super) recontact_sources: Choice<Source>,
    pub(super) responders: Vec<Choice<Responder>>,
    pub(super) follow_up_responders: Choice<Responder>,
    pub(super) trait_needs: Vec<(u16, f64)>,
    pub(super) episodic_needs: Vec<(Need, f64)>,
    pub(super) offense_prob: [f64; Source::COUNT],
    pub(super) offense_mix: Categorical,
    pub(super) offense_codes: Vec<NibrsCode>,
    pub(super) offense_levels: Vec<Choice<Level>>,
    pub(super) offense_violent: Vec<f64>,
    pub(super) flags: Vec<(Flag, f64)>,
    pub(super) consent: Choice<Consent>,
    /// Empty when the scenario leaves willingness unrecorded.
    pub(super) willing: Choice<Willing>,
    pub(super) attributes: Vec<(String, Values)>,
    pub(super) ages: Choice<(u16, u16)>,
    pub groups: Vec<GroupC>,
    pub(super) group_pick: Categorical,
    pub(super) max_contact_ratio: f64,
    pub reference: usize,
    pub(super) group_attr: Option<String>,
    /// The attributes a contact writes (each of `attributes`, by its place there, and the
    /// group's, `None`) in the encounter's key order, when their names differ: a contact
    /// whose encounter already holds exactly these keys writes the values in place, in order,
    /// without looking each name up. `None` when two share a name.
    pub(super) attribute_order: Option<Vec<Option<usize>>>,
    pub(super) od_mask: u16,
    pub(super) od_fatal: f64,
    pub(super) od_naloxone: f64,
    pub(super) od_repeat_rate: f64,
    pub(super) follow_up: bool,
    pub(super) fu_attempt: f64,
    pub(super) fu_contact: f64,
    pub(super) fu_min: f64,
    pub(super) fu_max: f64,
    pub(super) offer: [f64; Pathway::COUNT],
    pub(super) accept_default: [f64; Pathway::COUNT],
    pub(super) accept_cells: [Vec<(u16, f64)>; Pathway::COUNT],
    pub(super) engage: [f64; Pathway::COUNT],
    pub(super) retained_30: [f64; Pathway::COUNT],
    pub(super) retained_90: [f64; Pathway::COUNT],
    pub(super) recontact_rate: f64,
    /// A draw above it waits a year or more for the next contact (`rng::exp_cut`).
    pub(super) recontact_cut: f64,
    pub(super) engaged_contact_ratio: f64,
    pub(super) engaged_overdose_ratio: f64,
    pub(super) history_checked: f64,
    /// Whether the program's rules may read a person's history: when none does, the engine
    /// neither keeps nor lends one (a decision never depends on it).
    pub(super) history_read: bool,
    /// The history kinds (a mask, bit `kind as u8`) the program's rules may be swayed by: a
    /// person's record keeps only events of these kinds, since the others never change a
    /// decision (`Program::history_kinds`). A program whose history rules ask only for
    /// convictions, which the simulation does not make, is lent an empty history.
    pub(super) history_kinds: u64,
    pub(super) arrest: [f64; Level::COUNT],
    pub(super) jail: [f64; Level::COUNT],
    pub(super) jail_days: [f64; Level::COUNT],
    pub(super) file_on_failed_hold: f64,
    pub(super) release_overdose: f64,
    pub providers: Vec<ProviderC>,
    /// For each service of the router's directory, in its order, the provider it is here
    /// (`NONE` for none).
    pub(super) by_position: Vec<u32>,
    pub(super) pathway_providers: [Vec<u32>; Pathway::COUNT],
    pub(super) intake_delay_rate: f64,
    pub replay: Option<Vec<ReplayItem>>,
    pub replay_skipped: u64,
    pub pathways: Vec<Pathway>,
    /// Where people live and how distance lowers engagement (`[places]`), when given.
    pub(super) places: Option<PlacesC>,
}

pub(super) fn per_pathway(b: &super::scenario::ByPathway) -> [f64; Pathway::COUNT] {
    Pathway::ALL.map(|p| b.get(p))
}

pub(super) fn per_level(
    m: &std::collections::BTreeMap<Level, f64>,
    default: f64,
) -> [f64; Level::COUNT] {
    Level::ALL.map(|l| m.get(&l).copied().unwrap_or(default))
}

/// The rate of an exponential hazard that gives probability `p` within a year, per second.
pub(super) fn yearly_rate(p: f64) -> f64 {
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
        // Encounters built in code have not been checked by a reader; their times bound the
        // calendar sums below.
        for (i, e) in replay.iter().flatten().enumerate() {
            e.validate().map_err(|err| SimError::Replay {
                file: "<encounters>".into(),
                line: i.saturating_add(1),
                message: err.to_string(),
            })?;
        }
        let program = router.program();
        let tz = program.timezone();
        let law = program.spec().law;
        let pathways: Vec<Pathway> = program.pathways().collect();
        let sc = &scenario;
        let span = Span::build(sc, tz, replay.as_deref())?;
        let groups = Groups::build(sc, program);
        let arrivals = Arrivals::build(sc);
        let (trait_needs, episodic_needs) = needs(sc);
        let offenses = Offenses::build(sc);
        let (accept_default, accept_cells) = acceptance(&sc.behaviour.accept);
        let attributes = attributes(sc, program)?;
        let attribute_order = attribute_order(&attributes, groups.attribute.as_deref());
        let providers = Providers::build(sc, program, &pathways, directory)?;
        let places = sc.places.as_ref().map(PlacesC::build).transpose()?;
        let (replay, replay_skipped) = match replay {
            None => (None, 0),
            Some(list) => {
                let (items, skipped) = replayed(sc, list, &span, &groups.groups);
                (Some(items), skipped)
            }
        };
        if groups.groups.len() >= usize::from(u8::MAX) {
            return Err(super::invalid(
                sc,
                "equity.groups",
                "must list fewer than 255 groups",
            ));
        }
        let od = &sc.overdoses;
        let b = &sc.behaviour;
        let j = &sc.justice;
        let pr = &sc.providers;
        Ok(Model {
            law,
            tz,
            start: span.start,
            origin_utc: span.origin_utc,
            warm: span.warm,
            days: span.days,
            horizon: span.horizon,
            offsets: Offsets::build(tz, span.origin_utc, span.horizon),
            period: span.period,
            periods: span.periods,
            population: sc.scenario.population,
            directory: directory.is_some() && router.has_directory(),
            arrivals: arrivals.arrivals,
            arrival_kinds: arrivals.kinds,
            arrival_rate: arrivals.rate,
            recontact_sources: arrivals.recontact_sources,
            responders: arrivals.responders,
            follow_up_responders: arrivals.follow_up_responders,
            trait_needs,
            episodic_needs,
            offense_prob: offenses.probability,
            offense_mix: offenses.mix,
            offense_codes: offenses.codes,
            offense_levels: offenses.levels,
            offense_violent: offenses.violent,
            flags: sc.flags.iter().map(|(f, p)| (*f, *p)).collect(),
            consent: Choice::new(sc.consent.iter().map(|(c, w)| (*c, *w))),
            willing: Choice::new(sc.willing.iter().map(|(c, w)| (*c, *w))),
            attributes,
            ages: Choice::new(sc.ages.iter().map(|a| ((a.min, a.max), a.share))),
            group_pick: groups.pick,
            max_contact_ratio: groups.max_contact_ratio,
            reference: groups.reference,
            attribute_order,
            group_attr: groups.attribute,
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
            recontact_cut: exp_cut(yearly_rate(b.recontact_within_year), YEAR),
            engaged_contact_ratio: b.engaged_contact_ratio,
            engaged_overdose_ratio: b.engaged_overdose_ratio,
            history_checked: b.history_checked,
            history_read: program.reads_history(),
            history_kinds: program.history_kinds(),
            arrest: per_level(&j.arrest, 0.0),
            jail: per_level(&j.jail, 0.0),
            jail_days: per_level(&j.jail_days, 0.0),
            file_on_failed_hold: j.file_on_failed_hold,
            release_overdose: j.overdose_after_release,
            providers: providers.list,
            by_position: router
                .provider_ids()
                .into_iter()
                .map(|id| providers.by_id.get(id).copied().unwrap_or(NONE))
                .collect(),
            pathway_providers: providers.by_pathway,
            intake_delay_rate: if pr.intake_delay_hours > 0.0 {
                1.0 / (pr.intake_delay_hours * 3600.0)
            } else {
                0.0
            },
            replay,
            replay_skipped,
            places,
            groups: groups.groups,
            pathways,
            scenario,
            router,
        })
    }

    /// Days the engine runs: the warm-up and the counted days.
    pub(crate) fn simulated_days(&self) -> u32 {
        self.days
            .saturating_add(self.scenario.scenario.warm_up_days)
    }

    /// The counting period a time falls in (the first for a time in the warm-up, whose counts
    /// are cleared when it ends).
    pub(super) fn period_of(&self, t: i64) -> usize {
        let since = t.saturating_sub(self.warm).max(0);
        usize::try_from(since.checked_div(self.period).unwrap_or(0))
            .unwrap_or(0)
            .min(self.periods.saturating_sub(1))
    }

    /// The counted part of `[from, to)` cut at period boundaries: each piece's period and
    /// length in seconds (nothing of the warm-up). The one walk over periods of the jail
    /// bed-days and the places in use.
    pub(super) fn pieces(&self, from: i64, to: i64) -> impl Iterator<Item = (usize, i64)> + '_ {
        let mut t = from.max(self.warm);
        std::iter::from_fn(move || {
            if t >= to {
                return None;
            }
            let p = self.period_of(t);
            let next = self.period_end(p).unwrap_or(to).min(to);
            // The last period takes whatever is left of the span.
            let end = if next <= t { to } else { next };
            let piece = (p, end.saturating_sub(t));
            t = end;
            Some(piece)
        })
    }

    /// The sim time at which counting period `p` ends (where the next would start; the
    /// last period takes whatever is left of the span, which `period_of` sees to).
    pub(super) fn period_end(&self, p: usize) -> Option<i64> {
        i64::try_from(p)
            .ok()
            .and_then(|p| p.checked_add(1))
            .and_then(|p| p.checked_mul(self.period))
            .and_then(|x| x.checked_add(self.warm))
    }

    /// The calendar day a sim time falls on (for period starts).
    pub(crate) fn period_start(&self, period: usize) -> NaiveDate {
        i64::try_from(period)
            .ok()
            .and_then(|p| p.checked_mul(self.period / DAY))
            .and_then(chrono::TimeDelta::try_days)
            .and_then(|d| self.start.checked_add_signed(d))
            .unwrap_or(self.start)
    }

    /// The program zone's offset at sim time `t` and the sim times it holds for,
    /// `[from, until)`: where `datetime` reads it (`None` outside the span, where `datetime`
    /// asks the zone itself).
    pub(super) fn offset_around(&self, t: i64) -> Option<(i64, i64, FixedOffset)> {
        self.offsets.around(t)
    }

    /// Sim time `t` on the program's clock.
    pub(super) fn datetime(&self, t: i64) -> DateTime<FixedOffset> {
        let secs = self.origin_utc.saturating_add(t);
        if let Some(offset) = self.offsets.get(t)
            && let Some(utc) = DateTime::from_timestamp(secs, 0)
        {
            return utc.with_timezone(&offset);
        }
        zoned(self.tz, secs)
    }

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "tables sized by the vocabularies' COUNT are indexed by those enums; times are seconds within the horizon, at most MAX_DAYS days"
    )]
    pub(super) fn accept(&self, pw: usize, needs: u16, group: usize) -> f64 {
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

    pub(super) fn traits(&self, key: u64, id: u32) -> Traits {
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

    /// The most serious chargeable offence on scene, the one an arrest would book: chargeable
    /// as the router decides it by level and state law (the program's amnesties, which a world
    /// without the program does not have, are left out).
    pub(crate) fn charged<'e>(&self, enc: &'e Encounter) -> Option<&'e crate::domain::Offense> {
        enc.offenses
            .iter()
            .filter(|o| o.level.is_chargeable() && self.law.covers(enc, o).is_none())
            .max_by_key(|o| o.level)
    }
}

/// Kilometres per degree of latitude (the mean Earth radius's).
const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;

/// `[places]` compiled: how homes are drawn, and the decay curve.
#[derive(Debug, Clone)]
pub(crate) struct PlacesC {
    homes: Homes,
    pub(super) decay: Decay,
}

#[derive(Debug, Clone)]
enum Homes {
    /// Uniformly over a disc.
    Disc { center: Location, radius_km: f64 },
    /// An area by population, then uniformly within `radius_km` of its centroid.
    Areas {
        pick: Categorical,
        centroids: Vec<Location>,
        radius_km: f64,
    },
}

impl PlacesC {
    /// Compiles `[places]`, reading its areas file when it names one.
    fn build(p: &Places) -> Result<PlacesC, SimError> {
        let homes = match (&p.center, &p.areas) {
            (_, Some(areas)) => {
                let read;
                let list = match areas {
                    Areas::List(list) => list,
                    Areas::File(path) => {
                        read = read_areas(path)?;
                        &read
                    }
                };
                Homes::Areas {
                    pick: Categorical::new(list.iter().map(|a| a.population)),
                    centroids: list
                        .iter()
                        .map(|a| Location {
                            lat: a.lat,
                            lon: a.lon,
                        })
                        .collect(),
                    radius_km: p.radius_km.unwrap_or(0.0),
                }
            }
            (Some(center), None) => Homes::Disc {
                center: *center,
                radius_km: p.radius_km.unwrap_or(0.0),
            },
            // Refused by the scenario's checks.
            (None, None) => Homes::Disc {
                center: Location { lat: 0.0, lon: 0.0 },
                radius_km: 0.0,
            },
        };
        Ok(PlacesC {
            homes,
            decay: p.decay.clone(),
        })
    }

    /// A person's home, from the person's own stream (the same in both arms).
    pub(super) fn home(&self, key: u64, id: u32) -> Location {
        let mut r = stream(key, id, Purpose::Home, 0);
        let (center, radius_km) = match &self.homes {
            Homes::Disc { center, radius_km } => (*center, *radius_km),
            Homes::Areas {
                pick,
                centroids,
                radius_km,
            } => {
                let c = pick
                    .pick(r.u())
                    .and_then(|i| centroids.get(i))
                    .copied()
                    .unwrap_or(Location { lat: 0.0, lon: 0.0 });
                (c, *radius_km)
            }
        };
        // Uniform by area: the radius grows with the square root of a uniform draw.
        let (u_r, u_angle) = (r.u(), r.u());
        if radius_km <= 0.0 {
            return center;
        }
        offset(
            center,
            radius_km * u_r.sqrt(),
            std::f64::consts::TAU * u_angle,
        )
    }
}

/// The point `km` from `from` in direction `angle` (radians from north), on a local flat
/// approximation of the Earth (good to well under 1% within a county's few tens of km).
fn offset(from: Location, km: f64, angle: f64) -> Location {
    let lat = from.lat + km * angle.cos() / KM_PER_DEGREE;
    let shrink = from.lat.to_radians().cos().max(1e-6);
    let mut lon = from.lon + km * angle.sin() / (KM_PER_DEGREE * shrink);
    if lon > 180.0 {
        lon -= 360.0;
    } else if lon < -180.0 {
        lon += 360.0;
    }
    Location {
        lat: lat.clamp(-90.0, 90.0),
        lon: lon.clamp(-180.0, 180.0),
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Traits {
    pub(super) group: u8,
    pub(super) age: u16,
    pub(super) needs: u16,
}

// ------------------------------------------------------------------ building, table by table

/// The simulated time span: when it starts (in the program's zone) and how long it runs.
struct Span {
    start: NaiveDate,
    origin_utc: i64,
    warm: i64,
    days: u32,
    horizon: i64,
    period: i64,
    periods: usize,
}

impl Span {
    /// From the scenario's dates, else the span of the replayed encounters, else a year from
    /// 1 January 2026.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "tables sized by the vocabularies' COUNT are indexed by those enums; times are seconds within the horizon, at most MAX_DAYS days"
    )]
    fn build(sc: &Scenario, tz: Tz, replay: Option<&[Encounter]>) -> Result<Span, SimError> {
        let first_replayed = replay
            .and_then(|r| r.iter().map(|e| e.at).min())
            .map(|at| at.with_timezone(&tz).date_naive());
        let last_replayed = replay
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
                let after_gap = midnight.checked_add_signed(chrono::TimeDelta::try_hours(1)?)?;
                tz.from_local_datetime(&after_gap).earliest()
            })
            .map(|d| d.timestamp())
            .ok_or_else(|| {
                super::invalid(sc, "scenario.start", "is not a time in the program's zone")
            })?;
        let warm = i64::from(sc.scenario.warm_up_days) * DAY;
        let counted = i64::from(days) * DAY;
        let period = i64::from(sc.scenario.period_days) * DAY;
        let periods = usize::try_from((counted + period - 1) / period).unwrap_or(1);
        Ok(Span {
            start,
            origin_utc: start_utc - warm,
            warm,
            horizon: warm + counted,
            days,
            period,
            periods,
        })
    }
}

/// The equity groups, their shares normalised, and the attribute that names them.
struct Groups {
    groups: Vec<GroupC>,
    pick: Categorical,
    max_contact_ratio: f64,
    reference: usize,
    attribute: Option<String>,
}

impl Groups {
    fn build(sc: &Scenario, program: &Program) -> Groups {
        let eq = &sc.equity;
        let mut groups: Vec<GroupC> = eq
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
        let pick = Categorical::new(groups.iter().map(|g| g.share));
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
        let attribute = program
            .spec()
            .attributes
            .get(&eq.attribute)
            .filter(|a| {
                matches!(a.ty, AttributeType::Text)
                    || (matches!(a.ty, AttributeType::Enum)
                        && groups.iter().all(|g| a.values.contains(&g.name)))
            })
            .map(|_| eq.attribute.clone());
        for g in &mut groups {
            g.share /= share_sum.max(f64::MIN_POSITIVE);
        }
        Groups {
            groups,
            pick,
            max_contact_ratio,
            reference,
            attribute,
        }
    }
}

/// First contacts per day across the population, by source: `[contacts]` per 1,000 people
/// scaled by the population, or `[contacts_per_day]` as given (a scenario gives one or the
/// other; validation refuses both). Sources with no rate are left out.
pub(crate) fn contact_rates(sc: &Scenario) -> Vec<(Source, f64)> {
    let per_person = f64::from(sc.scenario.population) / 1000.0;
    let scaled = sc.contacts.iter().map(|(s, r)| (*s, r * per_person));
    let absolute = sc.contacts_per_day.iter().map(|(s, r)| (*s, *r));
    scaled
        .chain(absolute)
        .filter(|(s, r)| *r > 0.0 && *s != Source::OverdoseFollowUp)
        .collect()
}

/// The share of the population at risk of overdose: people with at least one of the
/// overdose needs among their traits (each trait need is drawn on its own).
pub(crate) fn at_risk_share(sc: &Scenario) -> f64 {
    let none = sc
        .overdoses
        .needs
        .iter()
        .filter(|n| !EPISODIC.contains(n))
        .map(|n| 1.0 - sc.needs.get(n).copied().unwrap_or(0.0).clamp(0.0, 1.0))
        .product::<f64>();
    1.0 - none
}

/// Overdoses per day across the people at risk: `per_1000` scaled by their expected number,
/// or `per_day` as given.
pub(crate) fn overdose_rate(sc: &Scenario) -> f64 {
    let od = &sc.overdoses;
    let at_risk = f64::from(sc.scenario.population) * at_risk_share(sc);
    (od.per_1000.max(0.0) * at_risk / 1000.0 + od.per_day.max(0.0)).max(0.0)
}

/// First contacts and overdoses per day across the population: the rate new encounters
/// arrive at (overdose follow-ups come from overdoses, so they are not counted apart).
pub(crate) fn daily_arrivals(sc: &Scenario) -> f64 {
    contact_rates(sc).iter().map(|(_, r)| r).sum::<f64>() + overdose_rate(sc)
}

/// Arrivals: contacts by source, then overdoses; and who responds to each source.
struct Arrivals {
    arrivals: Categorical,
    /// For each arrival kind: the source of a contact, or None for an overdose.
    kinds: Vec<Option<Source>>,
    rate: f64,
    recontact_sources: Choice<Source>,
    responders: Vec<Choice<Responder>>,
    follow_up_responders: Choice<Responder>,
}

impl Arrivals {
    fn build(sc: &Scenario) -> Arrivals {
        let contacts = contact_rates(sc);
        let mut kinds: Vec<Option<Source>> = contacts.iter().map(|(s, _)| Some(*s)).collect();
        let mut weights: Vec<f64> = contacts.iter().map(|(_, r)| *r).collect();
        let od = &sc.overdoses;
        let overdoses = overdose_rate(sc);
        if overdoses > 0.0 {
            kinds.push(None);
            weights.push(overdoses);
        }
        let rate = daily_arrivals(sc) / DAY as f64;
        let arrivals = Categorical::new(weights);
        let recontact_sources = Choice::new(contacts);
        let mut responders = Vec::new();
        for s in &Source::ALL {
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
        Arrivals {
            arrivals,
            kinds,
            rate,
            recontact_sources,
            responders,
            follow_up_responders,
        }
    }
}

/// Needs drawn afresh at each encounter rather than once per person.
const EPISODIC: [Need; 2] = [Need::MentalHealthCrisis, Need::Suicidal];

/// Needs a person has throughout (as bits with their probability), and needs that come and go
/// with each encounter.
#[allow(clippy::type_complexity)]
fn needs(sc: &Scenario) -> (Vec<(u16, f64)>, Vec<(Need, f64)>) {
    let episodic = EPISODIC;
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
    (trait_needs, episodic_needs)
}

/// The chance of an offence by source, and the mix of offences with their levels.
struct Offenses {
    probability: [f64; Source::COUNT],
    mix: Categorical,
    codes: Vec<NibrsCode>,
    levels: Vec<Choice<Level>>,
    violent: Vec<f64>,
}

impl Offenses {
    #[expect(
        clippy::indexing_slicing,
        reason = "tables sized by the vocabularies' COUNT are indexed by those enums; times are seconds within the horizon, at most MAX_DAYS days"
    )]
    fn build(sc: &Scenario) -> Offenses {
        let mut probability = [0.0; Source::COUNT];
        for (s, p) in &sc.offenses.probability {
            probability[source_ix(*s)] = *p;
        }
        let mix = &sc.offenses.mix;
        Offenses {
            probability,
            mix: Categorical::new(mix.iter().map(|m| m.share)),
            codes: mix.iter().map(|m| m.nibrs).collect(),
            levels: mix
                .iter()
                .map(|m| Choice::new(m.levels.iter().map(|(l, w)| (*l, *w))))
                .collect(),
            violent: mix.iter().map(|m| m.violent).collect(),
        }
    }
}

/// Per pathway: acceptance probabilities by need bits.
type ByPathwayAndNeed = [Vec<(u16, f64)>; Pathway::COUNT];

/// The chance of accepting an offer, by pathway, and by pathway and need (as need bits).
#[expect(
    clippy::indexing_slicing,
    reason = "tables sized by the vocabularies' COUNT are indexed by those enums; times are seconds within the horizon, at most MAX_DAYS days"
)]
fn acceptance(accept: &Accept) -> ([f64; Pathway::COUNT], ByPathwayAndNeed) {
    let mut by_pathway = [accept.default; Pathway::COUNT];
    for (p, x) in &accept.pathways {
        by_pathway[pathway_ix(*p)] = *x;
    }
    let mut cells: ByPathwayAndNeed = Default::default();
    for c in &accept.cells {
        cells[pathway_ix(c.pathway)].push((need_bit(c.need), c.probability));
    }
    (by_pathway, cells)
}

/// The order in which an encounter holds the attributes a contact writes (see
/// `Model::attribute_order`): by name, as its map keeps them.
fn attribute_order(
    attributes: &[(String, Values)],
    group: Option<&str>,
) -> Option<Vec<Option<usize>>> {
    let mut named: Vec<(&str, Option<usize>)> = attributes
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.as_str(), Some(i)))
        .chain(group.map(|g| (g, None)))
        .collect();
    named.sort_by(|a, b| a.0.cmp(b.0));
    if named.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
        return None;
    }
    Some(named.into_iter().map(|(_, source)| source).collect())
}

/// Extra attributes, typed as the program declares them.
fn attributes(sc: &Scenario, program: &Program) -> Result<Vec<(String, Values)>, SimError> {
    let mut attributes = Vec::new();
    for (name, shares) in &sc.attributes {
        let Some(spec) = program.spec().attributes.get(name) else {
            return Err(super::invalid(
                sc,
                "attributes",
                "names an attribute the program does not declare",
            ));
        };
        let mut values = Vec::new();
        let mut weights = Vec::new();
        for (text, w) in shares {
            use AttributeType as T;
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
                return Err(super::invalid(
                    sc,
                    "attributes",
                    "holds a value that does not fit the attribute's declared type",
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
    Ok(attributes)
}

/// The providers: the directory's services (with the scenario's capacities) or the scenario's
/// own list, and one with no limit for each pathway that names none.
struct Providers {
    list: Vec<ProviderC>,
    by_id: HashMap<String, u32>,
    by_pathway: [Vec<u32>; Pathway::COUNT],
}

impl Providers {
    #[expect(
        clippy::indexing_slicing,
        reason = "tables sized by the vocabularies' COUNT are indexed by those enums; times are seconds within the horizon, at most MAX_DAYS days"
    )]
    fn build(
        sc: &Scenario,
        program: &Program,
        pathways: &[Pathway],
        directory: Option<&Directory>,
    ) -> Result<Providers, SimError> {
        let pr = &sc.providers;
        let max_wait = |d: Option<f64>| (d.unwrap_or(pr.max_wait_days) * DAY as f64) as i64;
        let mut providers = Vec::new();
        let mut pathway_providers: [Vec<u32>; Pathway::COUNT] = Default::default();
        match directory {
            Some(dir) => {
                for (i, s) in pr.services.iter().enumerate() {
                    if !dir.services().iter().any(|d| d.id == s.id) {
                        return Err(super::invalid(
                            sc,
                            &format!("providers.services[{i}].id"),
                            "names no service in the directory",
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
        for p in pathways {
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
        Ok(Providers {
            list: providers,
            by_id,
            by_pathway: pathway_providers,
        })
    }
}

/// Replayed encounters inside the span, in time order, each with its person (by the
/// scenario's person attribute, else one person each) and equity group; and how many fell
/// outside the span.
fn replayed(
    sc: &Scenario,
    list: Vec<Encounter>,
    span: &Span,
    groups: &[GroupC],
) -> (Vec<ReplayItem>, u64) {
    let mut skipped: u64 = 0;
    let mut persons: HashMap<String, u32> = HashMap::new();
    let mut items = Vec::with_capacity(list.len());
    for (i, enc) in list.into_iter().enumerate() {
        let t = enc.at.timestamp().saturating_sub(span.origin_utc);
        if !(0..span.horizon).contains(&t) {
            skipped = skipped.saturating_add(1);
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
        let group = match enc.attributes.get(&sc.equity.attribute) {
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
    (items, skipped)
}

/// The program zone's UTC offset over the simulated span, found once: each offset with the
/// sim time it takes effect, so that dating an event is a short search of a few entries
/// instead of a time-zone look-up (read from `zone`'s kept blocks).
#[derive(Debug, Clone, Default)]
pub(super) struct Offsets {
    /// The first sim second of each offset, ascending, the first at 0.
    spans: Vec<(i64, FixedOffset)>,
    /// The last sim second covered.
    end: i64,
}

impl Offsets {
    /// The offsets over a span: `zone`'s kept blocks (built once per process, so a sweep or a
    /// run repeated from Python does not find a ten-year span's 87,660 hours again).
    fn build(tz: Tz, origin_utc: i64, horizon: i64) -> Offsets {
        let spans = crate::zone::changes(tz, origin_utc, origin_utc.saturating_add(horizon))
            .into_iter()
            .map(|(t, o)| (t.saturating_sub(origin_utc), o))
            .collect();
        Offsets {
            spans,
            end: horizon,
        }
    }

    /// The offset at sim time `t`, when `t` is within the span.
    fn get(&self, t: i64) -> Option<FixedOffset> {
        self.around(t).map(|(_, _, o)| o)
    }

    /// The offset at sim time `t` and the times it holds for, `[from, until)`, when `t` is
    /// within the span.
    fn around(&self, t: i64) -> Option<(i64, i64, FixedOffset)> {
        if t < 0 || t > self.end {
            return None;
        }
        let after = self.spans.partition_point(|(from, _)| *from <= t);
        let (from, offset) = *self.spans.get(after.checked_sub(1)?)?;
        let until = self
            .spans
            .get(after)
            .map_or(self.end.saturating_add(1), |(next, _)| *next);
        Some((from, until, offset))
    }
}

/// A UTC second in the zone, as the program's clock reads it.
fn zoned(tz: Tz, secs: i64) -> DateTime<FixedOffset> {
    match tz.timestamp_opt(secs, 0) {
        chrono::LocalResult::Single(d) | chrono::LocalResult::Ambiguous(d, _) => d.fixed_offset(),
        chrono::LocalResult::None => DateTime::from_timestamp(secs, 0)
            .unwrap_or_default()
            .fixed_offset(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_keep_their_distance() {
        let c = Location {
            lat: 47.6,
            lon: -122.3,
        };
        let p = offset(c, 10.0, 1.0);
        let (dlat, dlon) = (
            (p.lat - c.lat) * KM_PER_DEGREE,
            (p.lon - c.lon) * KM_PER_DEGREE * c.lat.to_radians().cos(),
        );
        assert!(((dlat * dlat + dlon * dlon).sqrt() - 10.0).abs() < 1e-9);
        assert!(
            offset(
                Location {
                    lat: 0.0,
                    lon: 179.99
                },
                5.0,
                1.5
            )
            .lon < 0.0
        );
    }

    /// Dating by the offsets found once gives the time-zone look-up's answer at every second
    /// around each change and at every hour of the span.
    #[test]
    fn found_offsets_give_the_zones_own_times() {
        for (tz, origin) in [
            (chrono_tz::America::Los_Angeles, 1_767_254_400),
            (chrono_tz::America::New_York, 1_700_000_000),
            (chrono_tz::Australia::Lord_Howe, 1_767_254_400),
            (chrono_tz::UTC, 0),
        ] {
            let horizon = 3 * 365 * DAY;
            let offsets = Offsets::build(tz, origin, horizon);
            let at = |t: i64| {
                let utc = DateTime::from_timestamp(origin + t, 0).unwrap();
                utc.with_timezone(&offsets.get(t).unwrap())
            };
            let mut seconds: Vec<i64> = (0..=horizon).step_by(3_600).collect();
            for (from, _) in &offsets.spans {
                seconds.extend((from - 5..from + 5).filter(|t| (0..=horizon).contains(t)));
            }
            for t in seconds {
                assert_eq!(at(t), zoned(tz, origin + t), "{tz} at {t}");
                assert_eq!(at(t).offset(), zoned(tz, origin + t).offset());
                // The span around `t` holds `t`, and the same offset through it.
                let (from, until, o) = offsets.around(t).unwrap();
                assert!(from <= t && t < until, "{tz} at {t}");
                assert_eq!(Some(o), offsets.get(t));
                assert_eq!(offsets.around(from), Some((from, until, o)));
                assert_eq!(offsets.around(until - 1), Some((from, until, o)));
            }
            assert_eq!(offsets.get(horizon + 1), None);
            assert_eq!(offsets.get(-1), None);
            if tz != chrono_tz::UTC {
                assert!(offsets.spans.len() >= 6, "{tz}: {:?}", offsets.spans);
            }
        }
    }

    /// A zone and span built before (from the kept blocks) give the same offsets again, and a
    /// different span its own.
    #[test]
    fn offsets_found_before_are_the_same() {
        let tz = chrono_tz::Europe::London;
        let (origin, horizon) = (1_767_225_600, 400 * DAY);
        let first = Offsets::build(tz, origin, horizon);
        let again = Offsets::build(tz, origin, horizon);
        let built = Offsets::build(tz, origin, horizon);
        assert_eq!(first.spans, built.spans);
        assert_eq!(again.spans, built.spans);
        assert_eq!((first.end, again.end), (horizon, horizon));
        let shorter = Offsets::build(tz, origin, 30 * DAY);
        assert_eq!(shorter.end, 30 * DAY);
        assert_eq!(shorter.spans, Offsets::build(tz, origin, 30 * DAY).spans);
    }

    #[test]
    fn yearly_rates_give_their_probability() {
        let r = yearly_rate(0.5);
        assert!(((1.0 - (-r * YEAR).exp()) - 0.5).abs() < 1e-12);
        assert_eq!(yearly_rate(0.0), 0.0);
    }
}
