//! The engine's partner providers: referring a person, places and waiting lists, intake,
//! the end of a service and referrals lost for want of a place. These are the handlers the
//! event loop in `engine.rs` calls for provider events; they share its state (`Sim`).

use super::*;

impl Sim<'_> {
    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    pub(super) fn refer(&mut self, pi: usize, pw: usize, plan: Plan) {
        if self.persons[pi].referral != NONE {
            self.out.referrals[pw].already_referred += 1;
            self.out.referrals[ALL].already_referred += 1;
            return;
        }
        let Plan {
            candidates,
            placement,
        } = plan;
        self.out.referrals[pw].referred += 1;
        self.out.referrals[ALL].referred += 1;
        let Some(first) = candidates.first().map(|c| c.ix) else {
            self.out.referrals[pw].lost_no_provider += 1;
            self.out.referrals[ALL].lost_no_provider += 1;
            return;
        };
        let p = &mut self.persons[pi];
        let mut r = stream(self.key, p.id, Purpose::Referral, p.referrals);
        p.referrals += 1;
        let referral = u32::try_from(self.refs.len()).unwrap_or(NONE);
        let km = placement
            .and_then(|pl| candidates.get(pl.at()))
            .and_then(|c| c.km);
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
            km: km.map(|k| k as f32),
            counted: self.recording,
        });
        let period = self.period();
        let target = |i: usize| candidates.get(i).map_or(first, |c| c.ix);
        match placement {
            // A free place at an open service.
            Some(Placement::Place(i)) => {
                let ix = target(i);
                self.provs[ix as usize].referrals[period] += 1;
                self.reserve(ix, referral);
            }
            // Room on an open service's waitlist.
            Some(Placement::Waitlist(i)) => {
                let ix = target(i);
                self.provs[ix as usize].referrals[period] += 1;
                self.enqueue(ix, referral, self.now);
            }
            // A closed service that opens soon enough.
            Some(Placement::Opening(i, t)) => {
                let ix = target(i);
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
            }
            None => {
                let any_open = candidates.iter().any(|c| c.open);
                self.provs[first as usize].referrals[period] += 1;
                let loss = if any_open { Loss::Full } else { Loss::Closed };
                self.lose(first, pw, loss, self.recording);
            }
        }
    }

    /// Where a referral would go now, without making it: the pathway's candidates in rank
    /// order, and the first open one with a free place, else the first open one with room on
    /// its waitlist, else the first closed one that opens within its longest wait (`None`:
    /// the referral would be lost).
    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    pub(super) fn plan(&self, pw: usize, options: Option<&[LeanOption]>) -> Plan {
        let m = self.m;
        let mut candidates: Vec<Candidate> = match options {
            Some(opts) => opts
                .iter()
                .filter_map(|o| {
                    m.by_position
                        .get(o.service as usize)
                        .filter(|ix| **ix != NONE)
                        .map(|ix| Candidate {
                            ix: *ix,
                            open: o.open_now,
                            next: o.next_open.map(|t| t.saturating_sub(m.origin_utc)),
                            km: o.distance_km,
                        })
                })
                .collect(),
            None => m.pathway_providers[pw]
                .iter()
                .map(|ix| Candidate {
                    ix: *ix,
                    open: true,
                    next: None,
                    km: None,
                })
                .collect(),
        };
        if options.is_some() {
            // The router ranks by the free places the directory reported when it was loaded,
            // a board the simulation never updates; a live board would show the places the
            // simulation has free. Re-rank on the router's own keys with those in their
            // stead (a stable sort, so the router's later keys still break ties): open first,
            // then the soonest to open, then the nearest, then the most places free (unknown
            // or no limit last, as the router has them).
            candidates.sort_by_key(|c| {
                let free = m.providers[c.ix as usize].capacity.map_or(-1, |cap| {
                    i64::from(cap.saturating_sub(self.provs[c.ix as usize].occupied))
                });
                (
                    !c.open,
                    c.next.unwrap_or(i64::MAX),
                    c.km.map_or(i64::MAX, |d| (d * 100.0).round() as i64),
                    std::cmp::Reverse(free),
                )
            });
        }
        let find = |ok: &dyn Fn(&Candidate) -> bool| candidates.iter().position(ok);
        let placement = find(&|c| c.open && self.has_place(c.ix))
            .map(Placement::Place)
            .or_else(|| find(&|c| c.open && self.has_waitlist_room(c.ix)).map(Placement::Waitlist))
            .or_else(|| {
                candidates
                    .iter()
                    .enumerate()
                    .find_map(|(i, c)| match c.next {
                        Some(t)
                            if !c.open && t - self.now <= m.providers[c.ix as usize].max_wait =>
                        {
                            Some(Placement::Opening(i, t))
                        }
                        _ => None,
                    })
            });
        Plan {
            candidates,
            placement,
        }
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    fn has_place(&self, ix: u32) -> bool {
        let cap = self.m.providers[ix as usize].capacity;
        cap.is_none_or(|c| self.provs[ix as usize].occupied < c)
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    fn has_waitlist_room(&self, ix: u32) -> bool {
        self.provs[ix as usize].waiting < self.m.providers[ix as usize].waitlist
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    pub(super) fn accrue(&mut self, ix: usize, to: i64) {
        let m = self.m;
        let ps = &mut self.provs[ix];
        let level = f64::from(ps.occupied);
        // Places in use during the warm-up are not counted.
        for (p, secs) in m.pieces(ps.last_t, to) {
            if let Some(x) = ps.occupied_time.get_mut(p) {
                *x += level * secs as f64;
            }
        }
        ps.last_t = to;
    }

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
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

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
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

    pub(super) fn intake_try(&mut self, referral: u32, ix: u32) {
        let Some(r) = self.refs.get(referral as usize) else {
            return;
        };
        if r.state != RefState::WaitingOpen {
            return;
        }
        let (created, pw, counted) = (r.created, usize::from(r.pathway), r.counted);
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
            self.lose(ix, pw, Loss::Full, counted);
            self.clear_referral(person, referral);
        }
    }

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    pub(super) fn intake(&mut self, referral: u32) {
        let m = self.m;
        let Some(r) = self.refs.get_mut(referral as usize) else {
            return;
        };
        if r.state != RefState::Reserved {
            return;
        }
        r.state = RefState::InService;
        let (person, pw, ix, created, counted) = (
            r.person,
            usize::from(r.pathway),
            r.provider,
            r.created,
            r.counted,
        );
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
        // The funnel follows the encounters counted: an intake after the warm-up for an offer
        // accepted in it is a provider's intake, not a stage of a counted encounter.
        if counted {
            self.count(pw, group, Stage::Linked);
            if dropout >= 30.0 * DAY as f64 {
                self.count(pw, group, Stage::Retained30);
            }
            if dropout >= 90.0 * DAY as f64 {
                self.count(pw, group, Stage::Retained90);
            }
            for i in [pw, ALL] {
                let c = &mut self.out.referrals[i];
                c.linked += 1;
                if completed {
                    c.completed += 1;
                }
            }
            let hours = ((self.now - created) as f64 / 3600.0) as f32;
            self.out.intake_hours[pw].push(hours);
            self.out.intake_hours[ALL].push(hours);
            if let Some(km) = self.refs.get(referral as usize).and_then(|r| r.km) {
                self.out.intake_km[pw].push(km);
                self.out.intake_km[ALL].push(km);
            }
        }
        let period = self.period();
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

    #[expect(
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    pub(super) fn service_end(&mut self, referral: u32, ix: u32) {
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
    #[expect(
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    pub(super) fn free_place(&mut self, ix: u32) {
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

    #[expect(
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    pub(super) fn clear_referral(&mut self, person: u32, referral: u32) {
        if let Some(pi) = self.lookup(person)
            && self.persons[pi].referral == referral
        {
            self.persons[pi].referral = NONE;
        }
    }

    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "counts are bounded by the events a run may make and the clock by the scenario's horizon; per-period and per-pathway arrays are sized by the model and indexed by its own indices"
    )]
    /// A referral lost at service `ix`: counted for the service, and for the referrals table
    /// when the referral itself is `counted` (made after the warm-up).
    pub(super) fn lose(&mut self, ix: u32, pw: usize, loss: Loss, counted: bool) {
        let period = self.period();
        if let Some(ps) = self.provs.get_mut(ix as usize) {
            ps.lost[period] += 1;
        }
        if !counted {
            return;
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

/// One ranked candidate for a referral.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    ix: u32,
    open: bool,
    /// When a closed one opens, in sim seconds.
    next: Option<i64>,
    /// From the encounter's place, when both places are known.
    km: Option<f64>,
}

/// Where a referral goes: an index into the candidates.
#[derive(Debug, Clone, Copy)]
pub(super) enum Placement {
    Place(usize),
    Waitlist(usize),
    Opening(usize, i64),
}

impl Placement {
    fn at(self) -> usize {
        match self {
            Placement::Place(i) | Placement::Waitlist(i) | Placement::Opening(i, _) => i,
        }
    }
}

/// A referral planned but not yet made.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    candidates: Vec<Candidate>,
    placement: Option<Placement>,
}

impl Plan {
    /// The distance to the service the person would be sent to: the placed one, or the
    /// first-ranked when the referral would be lost (unknown without one).
    pub(super) fn km(&self) -> Option<f64> {
        let i = self.placement.map_or(0, Placement::at);
        self.candidates.get(i).and_then(|c| c.km)
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Loss {
    Full,
    Waiting,
    Closed,
}
