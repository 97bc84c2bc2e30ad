//! The compiled provider index a router matches against: per-kind spatial trees, compiled
//! hours, pooled names, and a capacity board that can be swapped while other threads route.

use std::collections::HashMap;

use arc_swap::ArcSwap;
use chrono::{DateTime, FixedOffset, Utc};
use rstar::RTree;
use rstar::primitives::GeomWithData;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use super::hours::OpeningHours;
use super::model::{
    Capacity, Intake, Needs, Population, Service, ServiceKind, kind_bit, kind_words,
};
use super::{Directory, DirectoryError};
use crate::domain::{Encounter, Need};
use crate::language::Language;
use crate::text::Text;

/// Mean Earth radius in kilometres.
const EARTH_KM: f64 = 6371.0088;

/// A partner service that fits this person, as offered in a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProviderOption {
    /// The HSDS service id.
    pub service_id: Text,
    /// The service's name.
    pub service: Text,
    /// The organization's name.
    pub organization: Text,
    /// The site (location) offered, when the service has places.
    pub site: Option<Text>,
    /// Whether it is open at the encounter's time.
    pub open_now: bool,
    /// When the current opening ends (null when closed, or open with no end in sight).
    pub open_until: Option<DateTime<FixedOffset>>,
    /// When it next opens (the encounter's time when open now; null when unknown).
    pub next_open: Option<DateTime<FixedOffset>>,
    /// Great-circle distance from the encounter, in km (null when either place is unknown).
    pub distance_km: Option<f64>,
    /// Places free now, when reported.
    pub available: Option<u32>,
    /// What a place is (`bed`, `slot`), when capacity is reported.
    pub unit: Option<Text>,
    /// Whether the program names this organization or service as a preferred partner.
    pub preferred_partner: bool,
    /// Why it was chosen, in words.
    pub reasons: Vec<Text>,
}

/// An eligible pathway that no partner can take the person on now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProviderGap {
    /// The gap in words.
    pub message: Text,
    /// The next time a fitting service opens, when one does within a year.
    pub next_open: Option<DateTime<FixedOffset>>,
}

const KINDS: &[ServiceKind] = &ServiceKind::ALL;

/// A point on the unit sphere: chord distance orders like great-circle distance.
///
/// Kept out of line on purpose. Inlined, the optimiser hoisted this arithmetic out of the
/// router's pathway loop and ran it for every encounter, with or without a location or a
/// directory: for an encounter without a location it read whatever bytes the empty `Option`
/// held, and when those happened to form a subnormal float each multiplication took a slow
/// microcode path (about +110 ns per route, found with `perf annotate` on `route/cit-memphis`).
/// A call that is not inlined is never run speculatively.
#[inline(never)]
fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

fn chord_to_km(chord2: f64) -> f64 {
    let chord = chord2.max(0.0).sqrt().min(2.0);
    2.0 * (chord / 2.0).asin() * EARTH_KM
}

fn km_to_chord2(km: f64) -> f64 {
    let chord = 2.0
        * (km / (2.0 * EARTH_KM))
            .min(std::f64::consts::FRAC_PI_2)
            .sin();
    chord * chord
}

type Entry = GeomWithData<[f64; 3], (u32, u16)>;

/// The sites that fit one set of needed kinds: a tree of placed sites, and the rest.
type Group = (u16, RTree<Entry>, Vec<(u32, u16)>);

#[derive(Debug)]
struct SiteC {
    name: Option<Text>,
    hours: Option<OpeningHours>,
}

#[derive(Debug)]
struct ServiceC {
    id: Text,
    name: Text,
    organization: Text,
    organization_id: String,
    kinds: u16,
    min_age: Option<u16>,
    max_age: Option<u16>,
    populations: Vec<Population>,
    populations_only: bool,
    languages: Vec<Language>,
    walk_in: bool,
    active: bool,
    hours: Option<OpeningHours>,
    sites: Vec<SiteC>,
    /// Where [`HoursMemo`] keeps this service's hours: this slot for the service's own, the
    /// ones after it for its sites'.
    slot: u32,
}

/// Pooled words reused in every decision.
#[derive(Debug)]
struct Words {
    kind_offered: Vec<Text>,
    kind_preferred: Vec<Text>,
    preferred_partner: Text,
    walk_in: Text,
    hours_unknown: Text,
    open_all_hours: Text,
    population: HashMap<Population, Text>,
}

/// A service's places free now, as the matcher reads them (with the rest of the report, so
/// that the board can be read back whole).
#[derive(Debug, Clone)]
struct Slot {
    available: u32,
    unit: Text,
    maximum: Option<u32>,
    updated: Option<DateTime<FixedOffset>>,
}

impl Slot {
    fn from(c: &Capacity) -> Slot {
        Slot {
            available: c.available,
            unit: Text::pooled(&c.unit),
            maximum: c.maximum,
            updated: c.updated,
        }
    }

    fn capacity(&self) -> Capacity {
        Capacity {
            available: self.available,
            maximum: self.maximum,
            unit: self.unit.to_string(),
            updated: self.updated,
        }
    }
}

/// The compiled index.
#[derive(Debug)]
pub(crate) struct ProviderIndex {
    services: Vec<ServiceC>,
    /// One spatial tree per distinct set of kinds a pathway needs, and the sites with no
    /// coordinates (or services with no sites) that fit the same set.
    groups: Vec<Group>,
    capacity: ArcSwap<Vec<Option<Slot>>>,
    by_id: HashMap<String, u32>,
    words: Words,
    /// The reason word for each language code some service lists, made once.
    languages: HashMap<Language, Text>,
}

/// The service kinds that answer the person's recorded needs. A pathway that can use many
/// kinds (a general referral pathway) offers the ones that fit this person; when none of the
/// person's needs maps to the pathway's kinds, or no need was recorded, every kind it lists is
/// offered.
fn kinds_for_needs(enc: &Encounter) -> u16 {
    use ServiceKind as K;
    let substance = [
        K::WithdrawalManagement,
        K::Residential,
        K::Outpatient,
        K::PeerRecovery,
        K::HarmReduction,
        K::CaseManagement,
    ];
    let mut mask = 0u16;
    let mut add = |kinds: &[ServiceKind]| {
        for k in kinds {
            mask |= kind_bit(*k);
        }
    };
    for n in &enc.needs {
        match n {
            Need::Sud | Need::StimulantUse | Need::AlcoholUse => add(&substance),
            Need::OpioidUse => {
                add(&substance);
                add(&[K::Moud]);
            }
            Need::CoOccurring => {
                add(&substance);
                add(&[K::Moud, K::CrisisStabilization]);
            }
            Need::MentalHealth => add(&[K::Outpatient, K::CaseManagement, K::PeerRecovery]),
            Need::MentalHealthCrisis | Need::Suicidal => {
                add(&[K::MentalHealthCrisis, K::CrisisStabilization])
            }
            Need::Homelessness => add(&[K::ShelterHousing, K::CaseManagement]),
            Need::SexWork | Need::TraffickingVictim => {
                add(&[K::SexWorkTrafficking, K::CaseManagement])
            }
        }
    }
    mask
}

/// The groups a person belongs to that services may be only for (at most four, so kept
/// without an allocation).
type People = SmallVec<[Population; 4]>;

fn population_of(enc: &Encounter) -> People {
    let mut out = People::new();
    for n in &enc.needs {
        match n {
            Need::SexWork => out.push(Population::SexWorkers),
            Need::TraffickingVictim => out.push(Population::TraffickingSurvivors),
            Need::Homelessness => out.push(Population::Homeless),
            _ => {}
        }
    }
    if enc.age.is_some_and(|a| (18..=24).contains(&a)) {
        out.push(Population::YoungAdults);
    }
    out
}

fn population_words(p: Population) -> &'static str {
    match p {
        Population::SexWorkers => "serves people in sex work",
        Population::TraffickingSurvivors => "serves survivors of trafficking",
        Population::Veterans => "serves veterans",
        Population::Women => "serves women",
        Population::Men => "serves men",
        Population::YoungAdults => "serves young adults",
        Population::Homeless => "serves people without housing",
        Population::Lgbtq => "serves LGBTQ+ people",
        Population::PregnantParenting => "serves pregnant and parenting people",
    }
}

/// One candidate being ranked.
struct Candidate {
    service: u32,
    site: u16,
    open_now: bool,
    open_until: Option<DateTime<FixedOffset>>,
    next_open: Option<DateTime<FixedOffset>>,
    hours_known: bool,
    distance_km: Option<f64>,
    available: Option<u32>,
    partner: bool,
    preferences: u32,
}

impl Candidate {
    /// The ranking: open now first; among the closed, the soonest to open; then distance
    /// (unknown last); then more places free (unknown last); then preferred partners, then
    /// more preferences met; then the service id, so the order is total and deterministic.
    fn key<'a>(&self, ids: &'a [ServiceC]) -> impl Ord + 'a {
        (
            !self.open_now,
            self.next_open.map(|t| t.timestamp()).unwrap_or(i64::MAX),
            self.distance_km
                .map(|d| (d * 1000.0).round() as i64)
                .unwrap_or(i64::MAX),
            std::cmp::Reverse(self.available.map(i64::from).unwrap_or(-1)),
            !self.partner,
            std::cmp::Reverse(self.preferences),
            ids.get(self.service as usize)
                .map(|s| s.id.as_str())
                .unwrap_or(""),
            self.site,
        )
    }
}

/// Candidates, a few of them.
type Kept = SmallVec<[Candidate; 8]>;

/// The candidates [`ProviderIndex::rank`] kept, and what the options and the gap are worded from.
struct Ranked {
    kept: Kept,
    wanted: u16,
    people: People,
    next_any: Option<DateTime<FixedOffset>>,
}

/// One option as the simulation reads it (see [`ProviderIndex::matches_lean`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LeanOption {
    /// The service's position in the directory.
    pub service: u32,
    /// Whether it is open at the encounter's time.
    pub open_now: bool,
    /// When it next opens, as a UNIX timestamp (the encounter's time when open now).
    pub next_open: Option<i64>,
    /// Km from the encounter, rounded to 10 m as the option's.
    pub distance_km: Option<f64>,
}

/// What a simulation remembers of services' hours from one encounter to the next: each
/// service (or site) found closed, from when and until when it stays closed (its next
/// opening). Between the two it is closed and opens at that same instant, however often it is
/// asked (the hours' tests check this), so its hours need not be worked out again. Only valid
/// for one directory's index.
#[derive(Debug, Default)]
pub(crate) struct HoursMemo {
    closed: Vec<Option<Closed>>,
}

#[derive(Debug, Clone, Copy)]
struct Closed {
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    opens: DateTime<FixedOffset>,
}

impl HoursMemo {
    /// When the service in `slot` opens, if it is remembered closed at `at`.
    fn closed(&self, slot: u32, at: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
        let c = self.closed.get(slot as usize)?.as_ref()?;
        (c.from <= at && at < c.until).then_some(c.opens)
    }

    /// Remembers that the service in `slot`, closed at `at`, first opens at `opens`.
    fn remember(&mut self, slot: u32, at: DateTime<Utc>, opens: DateTime<FixedOffset>) {
        let Ok(i) = usize::try_from(slot) else {
            return;
        };
        if i >= self.closed.len() {
            self.closed.resize(i.saturating_add(1), None);
        }
        if let Some(entry) = self.closed.get_mut(i) {
            *entry = Some(Closed {
                from: at,
                until: opens.to_utc(),
                opens,
            });
        }
    }
}

/// A distance as an option gives it: to the nearest 10 m.
fn round_km(d: f64) -> f64 {
    (d * 100.0).round() / 100.0
}

impl ProviderIndex {
    /// Indexes a directory for the sets of kinds the program's pathways need.
    pub(crate) fn build(dir: &Directory, masks: &[u16]) -> Result<ProviderIndex, DirectoryError> {
        let org_names: HashMap<&str, &str> = dir
            .organizations()
            .iter()
            .map(|o| (o.id.as_str(), o.name.as_str()))
            .collect();
        let mut services = Vec::with_capacity(dir.services().len());
        let mut masks: Vec<u16> = masks.to_vec();
        masks.sort_unstable();
        masks.dedup();
        let mut entries: Vec<Vec<Entry>> = vec![Vec::new(); masks.len()];
        let mut unplaced: Vec<Vec<(u32, u16)>> = vec![Vec::new(); masks.len()];
        let mut capacity = Vec::with_capacity(dir.services().len());
        let mut by_id = HashMap::new();
        let mut languages = HashMap::new();
        let mut slots = 0u32;
        for (i, s) in dir.services().iter().enumerate() {
            let idx = u32::try_from(i).map_err(|_| DirectoryError::too_large())?;
            by_id.insert(s.id.clone(), idx);
            let mut compiled = compile_service(s, &org_names)?;
            compiled.slot = slots;
            slots = u32::try_from(compiled.sites.len())
                .ok()
                .and_then(|n| slots.checked_add(n)?.checked_add(1))
                .ok_or_else(DirectoryError::too_large)?;
            for &code in &compiled.languages {
                languages.entry(code).or_insert_with(|| language_word(code));
            }
            let kinds = compiled.kinds;
            for ((mask, unplaced_k), entries_k) in masks
                .iter()
                .zip(unplaced.iter_mut())
                .zip(entries.iter_mut())
            {
                if kinds & mask == 0 {
                    continue;
                }
                if s.sites.is_empty() {
                    unplaced_k.push((idx, u16::MAX));
                }
                for (j, site) in s.sites.iter().enumerate() {
                    let j16 = u16::try_from(j).map_err(|_| DirectoryError::too_large())?;
                    match (site.latitude, site.longitude) {
                        (Some(lat), Some(lon)) => {
                            entries_k.push(GeomWithData::new(unit_vector(lat, lon), (idx, j16)))
                        }
                        _ => unplaced_k.push((idx, j16)),
                    }
                }
            }
            capacity.push(s.capacity.as_ref().map(Slot::from));
            services.push(compiled);
        }
        let groups = masks
            .into_iter()
            .zip(entries)
            .zip(unplaced)
            .map(|((m, e), u)| (m, RTree::bulk_load(e), u))
            .collect();
        let kind_offered = KINDS
            .iter()
            .map(|k| Text::pooled(&format!("offers {}", kind_words(*k))))
            .collect();
        let kind_preferred = KINDS
            .iter()
            .map(|k| Text::pooled(&format!("also offers {} (preferred)", kind_words(*k))))
            .collect();
        let population = [
            Population::SexWorkers,
            Population::TraffickingSurvivors,
            Population::Veterans,
            Population::Women,
            Population::Men,
            Population::YoungAdults,
            Population::Homeless,
            Population::Lgbtq,
            Population::PregnantParenting,
        ]
        .into_iter()
        .map(|p| (p, Text::pooled(population_words(p))))
        .collect();
        Ok(ProviderIndex {
            services,
            groups,
            capacity: ArcSwap::from_pointee(capacity),
            by_id,
            words: Words {
                kind_offered,
                kind_preferred,
                preferred_partner: Text::pooled("a preferred partner of the program"),
                walk_in: Text::pooled("takes walk-ins"),
                hours_unknown: Text::pooled("hours not published: call ahead"),
                open_all_hours: Text::pooled("open now, with no closing time in sight"),
                population,
            },
            languages,
        })
    }

    /// Replaces one service's capacity; other threads see the change on their next decision.
    pub(crate) fn set_capacity(&self, service_id: &str, capacity: Option<Capacity>) -> bool {
        self.set_capacities([(service_id, capacity)]).is_empty()
    }

    /// Every service's capacity on the board now, in directory order.
    pub(crate) fn capacities(&self) -> Vec<(String, Option<Capacity>)> {
        let board = self.capacity.load();
        self.services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let cap = board.get(i).and_then(Option::as_ref).map(Slot::capacity);
                (s.id.to_string(), cap)
            })
            .collect()
    }

    /// Replaces several capacities at once, as one snapshot (an update made by another thread
    /// meanwhile is kept, not overwritten). Unknown ids are returned.
    pub(crate) fn set_capacities<'a>(
        &self,
        updates: impl IntoIterator<Item = (&'a str, Option<Capacity>)>,
    ) -> Vec<String> {
        let mut unknown = Vec::new();
        let mut known = Vec::new();
        for (id, cap) in updates {
            match self.by_id.get(id) {
                Some(&i) => known.push((i as usize, cap.as_ref().map(Slot::from))),
                None => unknown.push(id.to_string()),
            }
        }
        if !known.is_empty() {
            self.capacity.rcu(|old| {
                let mut next = Vec::clone(old);
                for (i, slot) in &known {
                    if let Some(entry) = next.get_mut(*i) {
                        *entry = slot.clone();
                    }
                }
                next
            });
        }
        unknown
    }

    /// The ranked options for one pathway, and a gap when none can take the person now.
    pub(crate) fn matches(
        &self,
        needs: &Needs,
        enc: &Encounter,
    ) -> (Vec<ProviderOption>, Option<ProviderGap>) {
        let capacity = self.capacity.load();
        let Ranked {
            mut kept,
            wanted,
            people,
            next_any,
        } = self.rank(needs, enc, &capacity, None);
        for c in kept.iter_mut().filter(|c| c.open_now) {
            c.open_until = self
                .hours_of(c.service, c.site)
                .and_then(|h| h.open_until(enc.at));
        }
        let options: Vec<ProviderOption> = kept
            .iter()
            .map(|c| self.option(c, needs, wanted, enc, &people, &capacity))
            .collect();
        let gap = if options.iter().any(|o| o.open_now) {
            None
        } else {
            let message = match (options.is_empty(), next_any) {
                (true, _) => format!(
                    "no partner offering {} can take this person",
                    needs.kind_words
                ),
                (false, Some(t)) => format!(
                    "no partner offering {} is open now; the first opens {}",
                    needs.kind_words,
                    crate::text::short_time(&t, &Some(enc.at))
                ),
                (false, None) => format!(
                    "no partner offering {} is known to be open now",
                    needs.kind_words
                ),
            };
            Some(ProviderGap {
                message: Text::owned(message),
                next_open: next_any,
            })
        };
        (options, gap)
    }

    /// What the simulation reads of [`ProviderIndex::matches`]'s options, in the same order:
    /// each service's position in the directory, whether it is open, when it next opens and
    /// its distance (rounded as the option's is). Nothing is worded, and no closing time or
    /// gap is worked out; `out` is cleared and filled, so its room is kept between calls.
    pub(crate) fn matches_lean(
        &self,
        needs: &Needs,
        enc: &Encounter,
        memo: &mut HoursMemo,
        out: &mut Vec<LeanOption>,
    ) {
        let capacity = self.capacity.load();
        let ranked = self.rank(needs, enc, &capacity, Some(memo));
        out.clear();
        out.extend(ranked.kept.iter().map(|c| LeanOption {
            service: c.service,
            open_now: c.open_now,
            next_open: c.next_open.map(|t| t.timestamp()),
            distance_km: c.distance_km.map(round_km),
        }));
    }

    /// The services of the directory's order, by id: the positions [`LeanOption::service`]
    /// gives.
    pub(crate) fn service_ids(&self) -> impl Iterator<Item = &str> {
        self.services.iter().map(|s| s.id.as_str())
    }

    /// The candidates that fit, ranked and cut to the pathway's limit (without their closing
    /// times), with what the options' words and the gap are made from.
    /// With a `memo`, a service found closed is remembered closed until it opens, so that
    /// later encounters in that time need not work its hours out again.
    fn rank(
        &self,
        needs: &Needs,
        enc: &Encounter,
        capacity: &[Option<Slot>],
        mut memo: Option<&mut HoursMemo>,
    ) -> Ranked {
        let at = enc.at.to_utc();
        let people = population_of(enc);
        let wanted = match needs.kinds & kinds_for_needs(enc) {
            0 => needs.kinds,
            fitting => fitting,
        };
        let max_km = needs.max_distance_km;
        let here = enc.location.map(|l| unit_vector(l.lat, l.lon));
        // Both hold a few entries (the services near enough to be considered): kept on the
        // stack, for a match made at every offer of a simulation.
        let mut kept: Kept = Kept::new();
        let mut seen: SmallVec<[u32; 16]> = SmallVec::new();
        let mut open_found = 0usize;
        let mut next_any: Option<DateTime<FixedOffset>> = None;

        let mut consider = |service: u32, site: u16, distance_km: Option<f64>, kept: &mut Kept| {
            if seen.contains(&service) {
                return false;
            }
            let Some(s) = self.services.get(service as usize) else {
                return false;
            };
            if !s.active || s.kinds & wanted == 0 || !fits(s, enc, &people) {
                return false;
            }
            let cap = capacity.get(service as usize).and_then(Option::as_ref);
            if cap.is_some_and(|c| c.available == 0) {
                return false;
            }
            let hours = self.hours_of(service, site);
            // How long it stays open, or when a closed one opens, is worked out later for
            // the services that need it.
            let closed = |h: &OpeningHours| {
                let remembered = memo
                    .as_deref()
                    .and_then(|m| m.closed(self.slot_of(s, site), at));
                remembered.is_some() || !h.is_open(enc.at)
            };
            let (open_now, next_open, hours_known) = match hours {
                Some(h) if !closed(h) => (true, Some(enc.at), true),
                Some(_) => (false, None, true),
                None => (false, None, false),
            };
            seen.push(service);
            let partner = needs
                .partners
                .iter()
                .any(|p| *p == *s.id || *p == s.organization_id);
            let preferences = (s.kinds & needs.prefer).count_ones();
            kept.push(Candidate {
                service,
                site,
                open_now,
                open_until: None,
                next_open,
                hours_known,
                distance_km,
                available: cap.map(|c| c.available),
                partner,
                preferences,
            });
            open_now
        };

        let Some((_, tree, unplaced)) = self.groups.iter().find(|g| g.0 == needs.kinds) else {
            return Ranked {
                kept: Kept::new(),
                wanted,
                people,
                next_any,
            };
        };
        match here {
            Some(point) => {
                let limit2 = max_km.map(km_to_chord2);
                let mut worst_open = 0.0f64;
                for (entry, d2) in tree.nearest_neighbor_iter_with_distance_2(point) {
                    if limit2.is_some_and(|l| d2 > l) {
                        break;
                    }
                    let km = chord_to_km(d2);
                    // Once `limit` open options are in hand, anything farther ranks lower.
                    if open_found >= needs.limit && km > worst_open + 1e-9 {
                        break;
                    }
                    let (service, site) = entry.data;
                    if consider(service, site, Some(km), &mut kept) {
                        open_found = open_found.saturating_add(1);
                        worst_open = worst_open.max(km);
                    }
                }
            }
            None => {
                for (service, site) in tree.iter().map(|e| e.data) {
                    consider(service, site, None, &mut kept);
                }
            }
        }
        for (service, site) in unplaced {
            consider(*service, *site, None, &mut kept);
        }
        if open_found < needs.limit {
            // Closed services fill the remaining places, soonest opening first.
            for c in kept.iter_mut().filter(|c| !c.open_now && c.hours_known) {
                let slot = self
                    .services
                    .get(c.service as usize)
                    .map_or(u32::MAX, |s| self.slot_of(s, c.site));
                c.next_open = match memo.as_deref().and_then(|m| m.closed(slot, at)) {
                    Some(next) => Some(next),
                    None => {
                        let next = self
                            .hours_of(c.service, c.site)
                            .and_then(|h| h.next_open(enc.at));
                        if let (Some(m), Some(n)) = (memo.as_deref_mut(), next) {
                            m.remember(slot, at, n);
                        }
                        next
                    }
                };
                if let Some(n) = c.next_open
                    && next_any.is_none_or(|a| n < a)
                {
                    next_any = Some(n);
                }
            }
        }
        kept.sort_by(|a, b| a.key(&self.services).cmp(&b.key(&self.services)));
        kept.truncate(needs.limit);
        Ranked {
            kept,
            wanted,
            people,
            next_any,
        }
    }

    /// The [`HoursMemo`] slot of a service's site (`u16::MAX`: the service itself).
    fn slot_of(&self, s: &ServiceC, site: u16) -> u32 {
        if site == u16::MAX {
            s.slot
        } else {
            s.slot.saturating_add(u32::from(site)).saturating_add(1)
        }
    }

    fn hours_of(&self, service: u32, site: u16) -> Option<&OpeningHours> {
        let s = self.services.get(service as usize)?;
        s.sites
            .get(usize::from(site))
            .and_then(|x| x.hours.as_ref())
            .or(s.hours.as_ref())
    }

    /// One option. Its reasons are shared words (kinds offered, partner, groups served,
    /// language, walk-in); times, distance and places are the option's own fields, which
    /// [`crate::Decision::explain`] turns into sentences.
    #[allow(
        clippy::indexing_slicing,
        reason = "a candidate's `service` is a position this index gave out over its own `services`"
    )]
    fn option(
        &self,
        c: &Candidate,
        needs: &Needs,
        wanted: u16,
        enc: &Encounter,
        people: &[Population],
        capacity: &[Option<Slot>],
    ) -> ProviderOption {
        let s = &self.services[c.service as usize];
        let w = &self.words;
        let mut reasons = Vec::with_capacity(4);
        match (c.open_now, c.open_until, c.hours_known) {
            (true, None, _) => reasons.push(w.open_all_hours.clone()),
            (false, _, false) => reasons.push(w.hours_unknown.clone()),
            _ => {}
        }
        let cap = capacity.get(c.service as usize).and_then(Option::as_ref);
        let words = w.kind_offered.iter().zip(&w.kind_preferred);
        for (k, (offered, preferred)) in KINDS.iter().zip(words) {
            let bit = kind_bit(*k);
            if s.kinds & bit & wanted != 0 {
                reasons.push(offered.clone());
            } else if s.kinds & bit & needs.prefer != 0 {
                reasons.push(preferred.clone());
            }
        }
        if c.partner {
            reasons.push(w.preferred_partner.clone());
        }
        for p in people {
            if s.populations.contains(p)
                && let Some(t) = w.population.get(p)
            {
                reasons.push(t.clone());
            }
        }
        if let Some(lang) = enc.language
            && s.languages.contains(&lang)
            && lang != Language::ENGLISH
        {
            reasons.push(
                self.languages
                    .get(&lang)
                    .cloned()
                    .unwrap_or_else(|| language_word(lang)),
            );
        }
        if s.walk_in {
            reasons.push(w.walk_in.clone());
        }
        ProviderOption {
            service_id: s.id.clone(),
            service: s.name.clone(),
            organization: s.organization.clone(),
            site: s
                .sites
                .get(usize::from(c.site))
                .and_then(|x| x.name.clone()),
            open_now: c.open_now,
            open_until: c.open_until,
            next_open: c.next_open,
            distance_km: c.distance_km.map(round_km),
            available: c.available,
            unit: cap.map(|c| c.unit.clone()),
            preferred_partner: c.partner,
            reasons,
        }
    }
}

/// Whether the service's eligibility fits the person: age, language, and (when the service is
/// only for some groups) population. Unknown facts about the person do not exclude.
fn fits(s: &ServiceC, enc: &Encounter, people: &[Population]) -> bool {
    if let Some(age) = enc.age {
        if s.min_age.is_some_and(|m| age < m) || s.max_age.is_some_and(|m| age > m) {
            return false;
        }
    }
    if let Some(lang) = enc.language
        && !s.languages.is_empty()
        && !s.languages.contains(&lang)
    {
        return false;
    }
    if s.populations_only && !s.populations.iter().any(|p| people.contains(p)) {
        return false;
    }
    true
}

fn compile_service(s: &Service, orgs: &HashMap<&str, &str>) -> Result<ServiceC, DirectoryError> {
    let hours = s
        .hours
        .as_ref()
        .map(OpeningHours::compile)
        .transpose()
        .map_err(|e| DirectoryError::hours(&s.id, "hours", &e.to_string()))?;
    let mut sites = Vec::with_capacity(s.sites.len());
    for (j, site) in s.sites.iter().enumerate() {
        let h = site
            .hours
            .as_ref()
            .map(OpeningHours::compile)
            .transpose()
            .map_err(|e| {
                DirectoryError::hours(&s.id, &format!("sites[{j}].hours"), &e.to_string())
            })?;
        sites.push(SiteC {
            name: site
                .name
                .as_deref()
                .or(Some(site.location_id.as_str()))
                .map(Text::pooled),
            hours: h,
        });
    }
    let kinds = s.kinds.iter().fold(0u16, |m, k| m | kind_bit(*k));
    Ok(ServiceC {
        id: Text::pooled(&s.id),
        name: Text::pooled(&s.name),
        organization: Text::pooled(
            orgs.get(s.organization_id.as_str())
                .copied()
                .unwrap_or(s.organization_id.as_str()),
        ),
        organization_id: s.organization_id.clone(),
        kinds,
        min_age: s.eligibility.minimum_age,
        max_age: s.eligibility.maximum_age,
        populations: s.eligibility.populations.iter().copied().collect(),
        populations_only: s.eligibility.populations_only,
        languages: s.eligibility.languages.clone(),
        walk_in: s.eligibility.intake == Intake::WalkIn,
        active: s.is_active(),
        hours,
        sites,
        slot: 0,
    })
}

/// The reason a service gets for speaking the person's language (`speaks `spa``).
fn language_word(code: Language) -> Text {
    Text::pooled(&format!("speaks `{code}`"))
}
