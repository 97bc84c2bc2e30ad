//! The engine's encounters: building the encounter a responder would record for a simulated
//! contact (the person's needs, offence, flags, consent, history, home), and following the
//! decision (offer, acceptance, hand-off, charge hold or arrest, the next contact). Handlers
//! the event loop in `engine.rs` calls; they share its state (`Sim`).

use std::collections::BTreeMap;

use smallvec::SmallVec;

use super::*;
use crate::router::SimRoute;

impl Sim<'_> {
    /// A generated contact: builds the encounter the responder would record, and handles it.
    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
    pub(super) fn contact(&mut self, pi: usize, source: Source, overdose: Option<Overdose>) {
        let m = self.m;
        let Some(mut enc) = self.scratch.take() else {
            return;
        };
        // What the encounter reads of the person, as it was before this contact.
        let Some(person) = self.persons.get(pi).map(|p| Seen {
            id: p.id,
            group: p.group,
            age: p.age,
            needs: p.needs,
            encounters: p.encounters,
            follow_ups: p.follow_ups,
        }) else {
            self.scratch = Some(enc);
            return;
        };
        // A program's own follow-up visits draw from their own streams, so that the arms'
        // other draws stay paired.
        let mut r = if source == Source::OverdoseFollowUp {
            self.persons[pi].follow_ups += 1;
            stream(self.key, person.id, Purpose::FollowUp, person.follow_ups)
        } else {
            self.persons[pi].encounters += 1;
            stream(self.key, person.id, Purpose::Encounter, person.encounters)
        };
        // Who responded and how the contact came about (they place it on an intercept).
        let responders = if source == Source::OverdoseFollowUp {
            &m.follow_up_responders
        } else {
            &m.responders[source_ix(source)]
        };
        enc.responder = responders.get(r.u());
        enc.source = Some(source);
        // The counterfactual arm routes nothing: of the rest it reads only what makes an
        // offence chargeable (the offence and the overdose the law reads). The rest is not
        // written, and its draws (an episodic need each, then after the offence a flag each,
        // the consent and an attribute each, as below) are only used up, so that the arms'
        // later draws stay paired; `a_program_that_offers_nothing_changes_nothing` fails if
        // they do not.
        if !self.program {
            r.skip(m.episodic_needs.len());
            enc.overdose = overdose;
            draw_offense(m, &mut r, source, &mut enc.offenses);
            r.skip(m.flags.len() + 1 + m.attributes.len());
            self.encounter(pi, &enc, None, &mut r, true);
            self.scratch = Some(enc);
            return;
        }
        // The encounter's id is not written: nothing the engine asks of the router reads it.
        // The history, from a stream of its own so that the other draws do not move with it;
        // none is kept for a program whose rules never read it.
        let contacts = person.encounters + person.follow_ups;
        let checked = m.history_read
            && (m.history_checked >= 1.0
                || (m.history_checked > 0.0
                    && stream(self.key, person.id, Purpose::History, contacts)
                        .chance(m.history_checked)));
        // The person's record is lent to the encounter for routing, not copied; it is given
        // back (below) before the decision is followed, which may add to it. While no record
        // holds an event, an empty one is lent without reading the person's.
        let lent = self.histories;
        enc.history = checked.then(|| {
            if lent {
                std::mem::take(&mut self.persons[pi].history)
            } else {
                Vec::new()
            }
        });
        // The history is read by routing, after the rest of the encounter is written: its
        // ends are read now, so that they are on their way from memory meanwhile (a person's
        // history is rarely in the cache).
        if let Some(h) = &enc.history {
            std::hint::black_box((h.first().map(|e| e.kind), h.last().map(|e| e.kind)));
        }
        enc.at = self.clock.at(m, self.now);
        // With places, a contact happens where the person lives (for distances).
        // The home is drawn from the person's own stream, so it is the same at every contact:
        // it is drawn once and kept.
        enc.location = match &m.places {
            Some(pl) => match self.persons[pi].home {
                Some(home) => Some(home),
                None => {
                    let home = pl.home(self.key, person.id);
                    self.persons[pi].home = Some(home);
                    Some(home)
                }
            },
            None => None,
        };
        enc.needs.clear();
        for n in Need::ALL {
            if person.needs & need_bit(n) != 0 {
                enc.needs.push(n);
            }
        }
        for (n, p) in &m.episodic_needs {
            if r.chance(*p) {
                enc.needs.push(*n);
            }
        }
        enc.overdose = overdose;
        draw_offense(m, &mut r, source, &mut enc.offenses);
        enc.flags.clear();
        for (f, p) in &m.flags {
            if r.chance(*p) {
                enc.flags.push(*f);
            }
        }
        enc.consent = m.consent.get(r.u());
        // Willingness, when the scenario records it, from a stream of its own (so a scenario
        // without it draws as before).
        enc.willing = if m.scenario.willing.is_empty() {
            None
        } else {
            m.willing
                .get(stream(self.key, person.id, Purpose::Willing, contacts).u())
        };
        enc.age = Some(person.age);
        // Each attribute's value, drawn in the scenario's order.
        let mut picks: SmallVec<[Option<&AttributeValue>; 8]> = SmallVec::new();
        for (_, choice) in &m.attributes {
            let u = r.u();
            picks.push(choice.pick.pick(u).and_then(|i| choice.values.get(i)));
        }
        let group = m
            .group_attr
            .as_ref()
            .and_then(|_| m.groups.get(usize::from(person.group)));
        write_attributes(
            m,
            &mut enc.attributes,
            &picks,
            group.map(|g| g.name.as_str()),
        );
        // The engine reads only the eligible pathways, their order, rule and charge hold, the
        // disposition and the intercept; partners are matched later, for the one pathway
        // offered, and only for a person who may be referred.
        let decision = m.router.route_sim(&enc, &mut self.routes);
        if let Some(history) = enc.history.take()
            && lent
        {
            self.persons[pi].history = history;
        }
        self.encounter(pi, &enc, Some(decision), &mut r, true);
        self.scratch = Some(enc);
    }

    /// Follows an encounter's decision (`None` in the counterfactual arm): offer, acceptance,
    /// hand-off, charge hold or arrest, and the next contact.
    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "the event loop's clock is seconds within the scenario's horizon (at most MAX_DAYS days) and its counts are bounded by the events a run may make; per-kind and per-group arrays are sized by the vocabularies' COUNT and indexed by those enums"
    )]
    pub(super) fn encounter(
        &mut self,
        pi: usize,
        enc: &Encounter,
        decision: Option<SimRoute>,
        r: &mut Stream,
        generated: bool,
    ) {
        let m = self.m;
        let (u_offer, u_accept, u_engage) = (r.u(), r.u(), r.u());
        let (u_arrest, u_jail, u_days) = (r.u(), r.u(), r.u());
        let (u_next, u_thin, u_source) = (r.u(), r.u(), r.u());
        let group = usize::from(self.persons[pi].group);
        let needs = self.persons[pi].needs;
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
        let charged = m.charged(enc).map(|o| (o.nibrs, o.level));
        let charge = charged.map(|(_, level)| level);
        let mut diverted = false;
        if let Some(d) = decision.as_ref().filter(|d| !d.eligible.is_empty()) {
            self.row().eligible += 1;
            self.count(ALL, group, Stage::Eligible);
            for (pathway, _) in &d.eligible {
                self.out.funnel[pathway_ix(*pathway)][stage_ix(Stage::Eligible)] += 1;
            }
            let (first, holds) = d.eligible[0];
            let pw = pathway_ix(first);
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
                    if !self.persons[pi].joined {
                        self.persons[pi].joined = true;
                        if self.recording {
                            let id = self.persons[pi].id;
                            self.out.joined.push((id, self.now));
                        }
                    }
                    match d.disposition {
                        Disposition::Deflection => {
                            self.remember(pi, HistoryKind::Referral, None);
                        }
                        Disposition::PreArrestDiversion => {
                            self.remember(pi, HistoryKind::DiversionEntered, charged);
                        }
                        Disposition::None => {}
                    }
                    self.out.referrals[pw].accepted += 1;
                    self.out.referrals[ALL].accepted += 1;
                    // The hold's deadline follows the encounter's time: worked out for each.
                    if holds
                        && let Some(level) = charge
                        && let Some(hold) = m.router.charge_hold(enc)
                    {
                        let end = hold.deadline.timestamp().saturating_sub(m.origin_utc);
                        self.row().holds_started += 1;
                        let person = self.persons[pi].id;
                        let since = self.now;
                        self.at(
                            end.max(self.now),
                            Kind::HoldEnd {
                                person,
                                since,
                                level,
                                nibrs: charged.map_or(u16::MAX, |(n, _)| n.index()),
                            },
                        );
                    }
                    // With places, where the person would be sent is known before they
                    // decide whether to go, and the distance lowers the chance they do.
                    // Partners are matched only here, for the pathway offered, and only for a
                    // person who may be referred: one already holding a referral makes none,
                    // and without places only one who engages needs them.
                    let free = self.persons[pi].referral == NONE;
                    let mut matched = std::mem::take(&mut self.matched);
                    let found = free
                        && (m.places.is_some() || u_engage < m.engage[pw])
                        && m.router
                            .providers_lean(first, enc, &mut self.hours, &mut matched);
                    let options = found.then_some(matched.as_slice());
                    let mut plan: Option<Plan> = None;
                    let mut engage = m.engage[pw];
                    if let Some(places) = &m.places
                        && self.persons[pi].referral == NONE
                    {
                        let p = self.plan(pw, options);
                        engage *= places.decay.multiplier(p.km());
                        plan = Some(p);
                    }
                    let plan = if u_engage < engage {
                        Some(plan.unwrap_or_else(|| self.plan(pw, options)))
                    } else {
                        None
                    };
                    self.matched = matched;
                    if let Some(plan) = plan {
                        self.refer(pi, pw, plan);
                    } else {
                        self.out.referrals[pw].did_not_engage += 1;
                        self.out.referrals[ALL].did_not_engage += 1;
                    }
                }
            }
        }
        if !diverted && let Some(level) = charge {
            let nibrs = charged.map(|(n, _)| n);
            self.arrest(pi, (nibrs, level), [u_arrest, u_jail, u_days], false);
        }
        // The next contact: generated populations only (a replay already holds them), and not
        // after a program's own follow-up visit, which the population would not otherwise have.
        // A draw above the cut would wait a year or more: no logarithm is taken for it.
        if generated
            && enc.source != Some(Source::OverdoseFollowUp)
            && m.recontact_rate > 0.0
            && u_next <= m.recontact_cut
        {
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
}

/// The contact's offence, if any: four draws whether or not there is one.
#[expect(
    clippy::indexing_slicing,
    reason = "per-source arrays are sized by the vocabulary's COUNT and indexed by that enum"
)]
fn draw_offense(m: &Model, r: &mut Stream, source: Source, out: &mut Vec<Offense>) {
    out.clear();
    let (u_has, u_which, u_level, u_violent) = (r.u(), r.u(), r.u(), r.u());
    if u_has < m.offense_prob[source_ix(source)]
        && let Some(i) = m.offense_mix.pick(u_which)
        && let (Some(nibrs), Some(levels)) = (m.offense_codes.get(i), m.offense_levels.get(i))
    {
        out.push(Offense {
            violent: Some(u_violent < m.offense_violent.get(i).copied().unwrap_or(0.0)),
            ..Offense::new(*nibrs, levels.get(u_level).unwrap_or(Level::Misdemeanor))
        });
    }
}

/// Writes a contact's attributes into the scratch encounter: `picks[i]` for the scenario's
/// attribute `i` (`None`: not recorded, so absent) and the person's group under the group
/// attribute. When the encounter already holds exactly the keys written (as it does after the
/// first contact, unless a value was left unrecorded), the values are written in place in key
/// order (`Model::attribute_order`); otherwise each is looked up by name. The scratch
/// encounter keeps its keys and text: a value is replaced in place.
fn write_attributes(
    m: &Model,
    attributes: &mut BTreeMap<String, AttributeValue>,
    picks: &[Option<&AttributeValue>],
    group: Option<&str>,
) {
    let set_text = |old: &mut AttributeValue, text: &str| match old {
        AttributeValue::Text(s) => {
            s.clear();
            s.push_str(text);
        }
        other => *other = AttributeValue::Text(text.to_string()),
    };
    if let Some(order) = &m.attribute_order
        && attributes.len() == order.len()
        && picks.iter().all(Option::is_some)
        && (group.is_some() || m.group_attr.is_none())
    {
        // Only this function writes the scratch encounter's attributes, always under these
        // names: as many keys are these keys.
        for (value, source) in attributes.values_mut().zip(order) {
            match source {
                Some(i) => {
                    if let Some(Some(v)) = picks.get(*i) {
                        value.clone_from(v);
                    }
                }
                None => {
                    if let Some(g) = group {
                        set_text(value, g);
                    }
                }
            }
        }
        return;
    }
    for ((name, _), pick) in m.attributes.iter().zip(picks) {
        match pick {
            Some(value) => match attributes.get_mut(name) {
                Some(old) => old.clone_from(value),
                None => {
                    attributes.insert(name.clone(), (*value).clone());
                }
            },
            None => {
                attributes.remove(name);
            }
        }
    }
    if let (Some(attr), Some(g)) = (&m.group_attr, group) {
        match attributes.get_mut(attr) {
            Some(old) => set_text(old, g),
            None => {
                attributes.insert(attr.clone(), AttributeValue::Text(g.to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use std::sync::Arc;

    use super::*;
    use crate::sim::Simulation;
    use crate::sim::rng::seeded;

    /// Writing a contact's attributes in place, in key order, leaves the encounter as looking
    /// each name up does, whatever the values drawn (some left unrecorded), contact after
    /// contact, with and without a group attribute.
    #[test]
    fn attributes_written_in_place_are_those_looked_up() {
        let mut s = crate::sim::tests::example("lead-king-county.toml");
        s.scenario.days = Some(30);
        let mut no_groups = s.clone();
        no_groups.equity = Default::default();
        for s in [s, no_groups] {
            let fast = Simulation::new(s.clone()).unwrap();
            let mut slow = Simulation::new(s).unwrap();
            Arc::get_mut(&mut slow.model).unwrap().attribute_order = None;
            let (f, l) = (&*fast.model, &*slow.model);
            assert!(f.attribute_order.is_some());
            let mut r = seeded(3);
            let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
            for _ in 0..500 {
                let picks: Vec<Option<&AttributeValue>> = f
                    .attributes
                    .iter()
                    .map(|(_, v)| {
                        // One draw in five is left unrecorded.
                        (r.u() >= 0.2).then(|| &v.values[r.below(v.values.len() as u32) as usize])
                    })
                    .collect();
                let group = (!f.groups.is_empty()).then(|| {
                    f.groups[r.below(f.groups.len() as u32) as usize]
                        .name
                        .as_str()
                });
                write_attributes(f, &mut a, &picks, group);
                write_attributes(l, &mut b, &picks, group);
                assert_eq!(a, b);
                assert!(a.len() >= picks.iter().flatten().count());
            }
        }
    }
}
