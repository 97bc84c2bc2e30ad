//! The discrete-event engine: a monotone queue of timed events (`engine/queue.rs`), one replication and one arm at a
//! time, with every random draw taken from a named stream (see `rng.rs`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset, Utc};

use super::model::{
    ALL, DAY, MAX_TRIES, Model, NONE, PATHWAY_ROWS, STAGES, Traits, YEAR, level_ix, need_bit,
    pathway_ix, source_ix, stage_ix,
};
use super::results::{Arm, Stage, TimelineRow};
use super::rng::{Purpose, Stream, exp_from, stream};
use crate::domain::{
    AttributeValue, Disposition, Encounter, HistoryEvent, HistoryKind, Intercept, Level, Location,
    MAX_HISTORY, Need, Offense, Overdose, Source,
};
use crate::nibrs::NibrsCode;
use crate::providers::index::{HoursMemo, LeanOption};
use crate::router::RouteMemo;
use crate::rules::compile::history_kind_bit;

mod encounter;
mod people;
mod providers;
mod queue;
use people::PersonIndex;
pub(crate) use people::SharedTraits;
use providers::{Loss, Plan};
use queue::{Queue, Timed};

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
        /// The offence's code as `NibrsCode::index` gives it (`u16::MAX`: none), so that an
        /// event fits in 32 bytes.
        nibrs: u16,
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

// The queue moves events a few times each: kept to half a cache line.
const _: () = assert!(std::mem::size_of::<Event>() == 32);

impl Timed for Event {
    fn due(&self) -> u64 {
        // Never negative: the engine schedules nothing before its clock, which starts at 0.
        u64::try_from(self.t).unwrap_or(0)
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

// ------------------------------------------------------------------ state

// Laid out by hand in two cache lines: the first holds what every event for the person reads
// (whether it still reaches them: dead, in jail, in care, which re-contact or overdose is
// current) and what a contact reads of them; the second the history, the home and the
// counts read less often. Each event then waits for one line from memory, not two.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
struct Person {
    /// In jail until this time.
    jail_until: i64,
    /// In care (engaged with services) until this time: the drop-out time drawn at intake.
    care_until: i64,
    completed_at: i64,
    id: u32,
    encounters: u32,
    follow_ups: u32,
    recontact_generation: u32,
    overdose_generation: u32,
    referral: u32,
    overdoses: u32,
    age: u16,
    needs: u16,
    group: u8,
    /// Whether the person has ever accepted an offer.
    joined: bool,
    dead: bool,
    referrals: u32,
    // The second line.
    jailings: u32,
    holds: u32,
    /// What happened to the person during the run, oldest first, at most `MAX_HISTORY`
    /// events (the oldest are dropped).
    history: Vec<HistoryEvent>,
    /// With `[places]`, the person's home, drawn at their first contact (kept in the record,
    /// which a contact reads anyway, rather than in a list of its own).
    home: Option<Location>,
}

// Two cache lines, the hot fields in the first.
const _: () = assert!(std::mem::size_of::<Person>() == 128);
const _: () = assert!(std::mem::offset_of!(Person, referrals) < 64);

/// What one contact reads of a person, copied before the contact changes them.
#[derive(Debug, Clone, Copy)]
struct Seen {
    id: u32,
    group: u8,
    age: u16,
    needs: u16,
    encounters: u32,
    follow_ups: u32,
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
    /// Km from the encounter's place to the service, when both are known.
    km: Option<f32>,
    /// Made after the warm-up: its outcomes count in the funnel and the referrals table.
    counted: bool,
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
    pub completed: u64,
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
    pub funnel: [[u64; STAGES]; PATHWAY_ROWS],
    pub equity: Vec<[u64; STAGES]>,
    pub referrals: [RefCounts; PATHWAY_ROWS],
    pub intake_hours: [Vec<f32>; PATHWAY_ROWS],
    /// Km from home to the service at each intake whose distance is known.
    pub intake_km: [Vec<f32>; PATHWAY_ROWS],
    pub intercepts: [u64; Intercept::COUNT],
    pub providers: Vec<ProvOut>,
    pub events: u64,
    /// Program arm: each person's first accepted offer inside the counted span, in time
    /// order (person, time).
    pub joined: Vec<(u32, i64)>,
    /// Arrests inside the counted span (filed charges are not arrests), in time order
    /// (person, time).
    pub arrests: Vec<(u32, i64)>,
}

/// Sim times on the program's clock, as `Model::datetime` gives them, worked out from the
/// last answer when they fall on the same UTC day and under the same offset (the engine asks
/// at every contact and every history event, nearly always for the day and offset it asked
/// last).
#[derive(Debug, Clone, Copy)]
struct Clock {
    /// The offset, and the sim times it holds for: `[from, until)`.
    from: i64,
    until: i64,
    offset: FixedOffset,
    /// A UTC day (days since 1970-01-01) and its date.
    day: i64,
    date: NaiveDate,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            from: 0,
            until: 0,
            offset: Utc.fix(),
            day: i64::MIN,
            date: NaiveDate::MIN,
        }
    }

    /// `m.datetime(t)`.
    fn at(&mut self, m: &Model, t: i64) -> DateTime<FixedOffset> {
        if !(self.from <= t && t < self.until) {
            let Some((from, until, offset)) = m.offset_around(t) else {
                return m.datetime(t);
            };
            (self.from, self.until, self.offset) = (from, until, offset);
        }
        let secs = m.origin_utc.saturating_add(t);
        let (day, second) = (secs.div_euclid(DAY), secs.rem_euclid(DAY));
        if day != self.day {
            let Some(date) = DateTime::from_timestamp(day.saturating_mul(DAY), 0) else {
                return m.datetime(t);
            };
            (self.day, self.date) = (day, date.date_naive());
        }
        let time = u32::try_from(second)
            .ok()
            .and_then(|s| NaiveTime::from_num_seconds_from_midnight_opt(s, 0));
        match time {
            Some(time) => {
                DateTime::from_naive_utc_and_offset(self.date.and_time(time), self.offset)
            }
            None => m.datetime(t),
        }
    }
}

/// Progress reporting: called with simulated days as they pass.
pub(crate) type Tick<'a> = &'a (dyn Fn(u64) + Sync);

struct Sim<'m> {
    m: &'m Model,
    program: bool,
    key: u64,
    heap: Queue<Event>,
    seq: u64,
    now: i64,
    /// The period `now` falls in, and the time the next one starts (`i64::MAX` in the last):
    /// worked out when the clock passes a boundary rather than divided out at every count.
    now_period: usize,
    period_end: i64,
    arrivals: Stream,
    persons: Vec<Person>,
    index: PersonIndex,
    refs: Vec<Referral>,
    provs: Vec<ProvState>,
    out: ArmOut,
    in_service: u64,
    waiting: u64,
    snap_period: usize,
    /// The earliest time at which `advance` has anything to do (the end of the warm-up, of
    /// the period or of the day reported last), so that the events in between skip it.
    next_mark: i64,
    day_reported: i64,
    tick: Option<Tick<'m>>,
    cancel: Option<&'m AtomicBool>,
    /// The encounter each contact fills in and routes, kept between contacts so that its
    /// lists and strings keep their room (boxed, so that lending it out moves a pointer).
    scratch: Option<Box<Encounter>>,
    /// The partners matched for the pathway offered, kept between contacts for its room.
    matched: Vec<LeanOption>,
    /// The partners found closed, and until when (see `HoursMemo`).
    hours: HoursMemo,
    /// The program arm's routes, remembered by what the rules can tell apart (`RouteMemo`).
    routes: RouteMemo,
    /// Whether the warm-up is over and events are counted.
    recording: bool,
    /// The program's clock, as last read.
    clock: Clock,
    /// Where the warm-up's period counts go (never read).
    warm_row: TimelineRow,
    /// Whether any person's record holds a history event yet: until one does (and for good,
    /// when the program's rules ask only for kinds the simulation never makes), a contact
    /// lends an empty history without reading the record's history at all.
    histories: bool,
    /// The replication's traits, shared with the other arm (generated populations only).
    shared: Option<&'m SharedTraits>,
}

/// The most people an arm makes room for before it starts (about 32 MB of records); past
/// it, the list grows as people are met.
const PEOPLE_ROOM: usize = 1 << 18;

/// The memory an arm leaves to the next arm run on the same thread: its lists of people and
/// referrals, its event queue and person index, emptied. Arms one after another (the
/// replications, the two arms of each, runs one after another in a session) then reuse
/// memory already in use instead of asking the system for fresh pages, which it must clear
/// first. Nothing above `SPARE_BYTES` is kept.
#[derive(Default)]
struct Spare {
    persons: Vec<Person>,
    refs: Vec<Referral>,
    heap: Option<Queue<Event>>,
    index: PersonIndex,
}

/// The most memory a list kept in `Spare` may hold (a population of 262,144 fits).
const SPARE_BYTES: usize = 40 << 20;

thread_local! {
    // Boxed: a library loaded into a process (the Python module) has little room for
    // thread-local data of its own, and the queue's buckets alone are over a kilobyte.
    static SPARE: std::cell::RefCell<Option<Box<Spare>>> = const { std::cell::RefCell::new(None) };
}

/// Takes the thread's spare memory (empty when there is none).
fn take_spare() -> Spare {
    SPARE.with(|s| s.take()).map(|b| *b).unwrap_or_default()
}

/// Leaves an arm's memory for the next arm on this thread, emptied; anything above
/// `SPARE_BYTES` is let go.
fn keep_spare(
    mut persons: Vec<Person>,
    mut refs: Vec<Referral>,
    mut heap: Queue<Event>,
    mut index: PersonIndex,
) {
    persons.clear();
    refs.clear();
    heap.clear();
    index.clear();
    let fits = |cap: usize, size: usize| cap.saturating_mul(size) <= SPARE_BYTES;
    let spare = Spare {
        persons: if fits(persons.capacity(), std::mem::size_of::<Person>()) {
            persons
        } else {
            Vec::new()
        },
        refs: if fits(refs.capacity(), std::mem::size_of::<Referral>()) {
            refs
        } else {
            Vec::new()
        },
        heap: (heap.bytes() <= SPARE_BYTES).then_some(heap),
        index: if index.bytes() <= SPARE_BYTES {
            index
        } else {
            PersonIndex::default()
        },
    };
    SPARE.with(|s| *s.borrow_mut() = Some(Box::new(spare)));
}

/// How many events the engine handles between looks at the cancel flag.
const CANCEL_EVERY: u64 = 4_096;

/// Runs one arm of one replication; it stops early (its output then partial) once `cancel`
/// is set.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
)]
pub(crate) fn run_arm(
    m: &Model,
    key: u64,
    arm: Arm,
    shared: Option<&SharedTraits>,
    tick: Option<Tick<'_>>,
    cancel: Option<&AtomicBool>,
) -> ArmOut {
    let program = arm == Arm::Program;
    let periods = m.periods;
    // Room for everyone a generated run may meet (at most its population, up to a bound), so
    // that the list of people is not copied again and again as it grows.
    let room = if m.replay.is_some() {
        0
    } else {
        usize::try_from(m.population)
            .unwrap_or(PEOPLE_ROOM)
            .min(PEOPLE_ROOM)
    };
    let groups = m.groups.len() + usize::from(m.replay.is_some());
    let Spare {
        mut persons,
        refs,
        heap,
        index,
    } = take_spare();
    persons.reserve(room);
    let mut sim = Sim {
        m,
        program,
        key,
        heap: heap.unwrap_or_else(Queue::new),
        seq: 0,
        now: 0,
        now_period: 0,
        period_end: i64::MIN,
        arrivals: stream(key, NONE, Purpose::Arrivals, 0),
        persons,
        index,
        refs,
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
            funnel: [[0; STAGES]; PATHWAY_ROWS],
            equity: vec![[0; STAGES]; groups],
            referrals: [RefCounts::default(); PATHWAY_ROWS],
            intake_hours: Default::default(),
            intake_km: Default::default(),
            intercepts: [0; Intercept::COUNT],
            providers: Vec::new(),
            events: 0,
            joined: Vec::new(),
            arrests: Vec::new(),
        },
        in_service: 0,
        waiting: 0,
        snap_period: 0,
        next_mark: i64::MIN,
        day_reported: 0,
        tick,
        cancel,
        scratch: Some(Box::new(blank_encounter())),
        matched: Vec::new(),
        hours: HoursMemo::default(),
        routes: RouteMemo::new(&m.router),
        recording: m.warm <= 0,
        clock: Clock::new(),
        warm_row: TimelineRow::default(),
        histories: false,
        shared,
    };
    sim.run();
    let Sim {
        out,
        persons,
        refs,
        heap,
        index,
        ..
    } = sim;
    keep_spare(persons, refs, heap, index);
    out
}

fn blank_encounter() -> Encounter {
    Encounter::new(String::new(), DateTime::<FixedOffset>::default())
}

impl Sim<'_> {
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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

    /// The period the clock is in (`Model::period_of` of `now`).
    fn period(&self) -> usize {
        self.now_period
    }

    /// Moves the clock (never back) and keeps its period.
    fn set_now(&mut self, t: i64) {
        self.now = t;
        if t >= self.period_end {
            let m = self.m;
            self.now_period = m.period_of(t);
            self.period_end = if self.now_period.saturating_add(1) >= m.periods {
                i64::MAX
            } else {
                m.period_end(self.now_period).unwrap_or(i64::MAX)
            };
        }
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
    fn row(&mut self) -> &mut TimelineRow {
        if !self.recording {
            return &mut self.warm_row;
        }
        let p = self.period();
        let len = self.out.timeline.len();
        // `periods` is at least 1, so the last row always exists.
        &mut self.out.timeline[p.min(len.saturating_sub(1))]
    }

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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
            if self.out.events % CANCEL_EVERY == 0 && self.cancelled() {
                return;
            }
            self.advance(ev.t);
            self.set_now(ev.t);
            self.out.events += 1;
            self.dispatch(ev.kind);
        }
        self.advance(self.m.horizon);
        self.set_now(self.m.horizon);
        self.finish();
    }

    /// The end of the warm-up: every count made so far is cleared, while the state (people,
    /// their histories, places in use, waiting lists, holds) carries on.
    fn start_counting(&mut self) {
        let warm = self.m.warm;
        for i in 0..self.provs.len() {
            self.accrue(i, warm);
        }
        let out = &mut self.out;
        out.funnel = [[0; STAGES]; PATHWAY_ROWS];
        for g in &mut out.equity {
            *g = [0; STAGES];
        }
        out.referrals = [RefCounts::default(); PATHWAY_ROWS];
        for h in &mut out.intake_hours {
            h.clear();
        }
        for k in &mut out.intake_km {
            k.clear();
        }
        out.intercepts = [0; Intercept::COUNT];
        for p in &mut self.provs {
            p.referrals.fill(0);
            p.intakes.fill(0);
            p.lost.fill(0);
            p.occupied_time.fill(0.0);
            p.waitlisted = 0;
        }
        self.recording = true;
    }

    /// Whether the run's cancel flag is set.
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Moves the clock: period-end snapshots and progress.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
    fn advance(&mut self, t: i64) {
        if t < self.next_mark {
            return;
        }
        if !self.recording && t >= self.m.warm {
            self.start_counting();
        }
        while self.snap_period < self.m.periods
            && self
                .m
                .period_end(self.snap_period)
                .is_some_and(|end| t >= end)
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
        // Nothing above happens again before the warm-up ends, the next period ends or the
        // next day starts (for progress), whichever comes first.
        let mut next = i64::MAX;
        if !self.recording {
            next = next.min(self.m.warm);
        }
        if self.snap_period < self.m.periods
            && let Some(end) = self.m.period_end(self.snap_period)
        {
            next = next.min(end);
        }
        if self.tick.is_some() {
            next = next.min(self.day_reported.saturating_add(1).saturating_mul(DAY));
        }
        self.next_mark = next;
    }

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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
            if r.counted && matches!(r.state, RefState::Waiting | RefState::WaitingOpen) {
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

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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
                self.touch_history(pi);
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
                nibrs,
            } => self.hold_end(person, since, level, NibrsCode::from_index(nibrs)),
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
                    let counted = r.counted;
                    self.lose(prov, pw, Loss::Waiting, counted);
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
    #[expect(
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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

    /// Adds an event to the person's history, dated in the program's time zone; past
    /// `MAX_HISTORY` events the oldest is dropped. Only the program arm keeps histories: the
    /// router reads them, and the counterfactual arm routes nothing. Only the kinds the
    /// program's rules may be swayed by are kept (`Model::history_kinds`).
    fn remember(&mut self, pi: usize, kind: HistoryKind, offence: Option<(NibrsCode, Level)>) {
        if !self.program || self.m.history_kinds & history_kind_bit(kind) == 0 {
            return;
        }
        self.histories = true;
        let date = self.clock.at(self.m, self.now).date_naive();
        let Some(p) = self.persons.get_mut(pi) else {
            return;
        };
        if p.history.len() >= MAX_HISTORY {
            p.history.remove(0);
        }
        p.history.push(HistoryEvent {
            kind,
            date,
            nibrs: offence.map(|(n, _)| n),
            level: offence.map(|(_, l)| l),
        });
    }

    /// Before a contact that may route: reads where the person's history is (the record's
    /// second line) together with the first, so that the two come from memory at once rather
    /// than one after the other. Only a program arm that keeps histories needs it.
    fn touch_history(&self, pi: usize) {
        if self.histories
            && let Some(p) = self.persons.get(pi)
        {
            std::hint::black_box(p.history.len());
        }
    }

    fn lookup(&self, id: u32) -> Option<usize> {
        self.index.get(id)
    }

    fn person(&mut self, id: u32, traits: Traits) -> usize {
        if let Some(i) = self.index.get(id) {
            return i;
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
            joined: false,
            dead: false,
            history: Vec::new(),
            home: None,
        });
        self.index.insert(id, i);
        i
    }

    #[expect(
        clippy::arithmetic_side_effects,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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
            // A person already met keeps the traits drawn for them: read, not drawn again.
            let t = match self.lookup(id).and_then(|pi| self.persons.get(pi)) {
                Some(p) => Traits {
                    group: p.group,
                    age: p.age,
                    needs: p.needs,
                },
                None => {
                    let key = self.key;
                    match self.shared {
                        Some(s) => s.get(id, || m.traits(key, id)),
                        None => m.traits(key, id),
                    }
                }
            };
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
        if source.is_some() {
            self.touch_history(pi);
        }
        if !self.available(pi, thin, !overdose) {
            return;
        }
        match source {
            Some(s) => self.contact(pi, s, None),
            None => self.overdose(pi),
        }
    }

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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
        let decision = self
            .program
            .then(|| m.router.route_sim(&item.enc, &mut self.routes));
        self.encounter(pi, &item.enc, decision, &mut r, false);
    }

    /// Counts a stage for a pathway (and `all`) and the person's group.
    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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
    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
    fn arrest(
        &mut self,
        pi: usize,
        (nibrs, level): (Option<NibrsCode>, Level),
        u: [f64; 3],
        filed: bool,
    ) {
        let m = self.m;
        let li = level_ix(level);
        if !filed && u[0] >= m.arrest[li] {
            return;
        }
        let kind = if filed {
            HistoryKind::Charge
        } else {
            HistoryKind::Arrest
        };
        self.remember(pi, kind, nibrs.map(|n| (n, level)));
        if !filed && self.recording {
            let id = self.persons[pi].id;
            self.out.arrests.push((id, self.now));
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

    /// Jail bed-days from `from` to `to`, spread over the periods they fall in.
    fn spread_jail(&mut self, from: i64, to: i64) {
        for (p, secs) in self.m.pieces(from, to) {
            if let Some(row) = self.out.timeline.get_mut(p) {
                row.jail_bed_days += secs as f64 / DAY as f64;
            }
        }
    }

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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
        self.remember(pi, HistoryKind::Overdose, None);
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

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
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

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
    fn hold_end(&mut self, person: u32, since: i64, level: Level, nibrs: Option<NibrsCode>) {
        let Some(pi) = self.lookup(person) else {
            return;
        };
        if self.persons[pi].dead {
            return;
        }
        let p = &self.persons[pi];
        if p.care_until > self.now || p.completed_at >= since {
            self.row().holds_dropped += 1;
            self.remember(pi, HistoryKind::DiversionCompleted, None);
            return;
        }
        self.remember(pi, HistoryKind::DiversionFailed, None);
        let p = &mut self.persons[pi];
        let mut r = stream(self.key, p.id, Purpose::Hold, p.holds);
        p.holds += 1;
        let (u_file, u_jail, u_days) = (r.u(), r.u(), r.u());
        if u_file < self.m.file_on_failed_hold {
            self.arrest(pi, (nibrs, level), [0.0, u_jail, u_days], true);
        }
    }
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
    fn the_clock_reads_as_the_model_does() {
        // Los Angeles: the example's zone, with its clock changes.
        let mut s = crate::sim::tests::example("lead-king-county.toml");
        s.scenario.days = Some(800);
        let sim = crate::sim::Simulation::new(s).unwrap();
        let m = &*sim.model;
        let mut clock = Clock::new();
        let mut t = 0;
        while t < m.horizon {
            assert_eq!(clock.at(m, t), m.datetime(t), "at {t}");
            assert_eq!(clock.at(m, t).offset(), m.datetime(t).offset(), "at {t}");
            // Steps of a few hours and odd seconds, across midnights and clock changes.
            t += 3 * 3_600 + 17;
        }
        for t in [-5, 0, m.horizon - 1, m.horizon, m.horizon + 10] {
            assert_eq!(clock.at(m, t), m.datetime(t), "at {t}");
        }
    }

    #[test]
    fn events_pop_in_time_then_schedule_order() {
        let mut h = Queue::new();
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
}
