//! From what the arms counted to the result tables.

use super::engine::{ArmOut, RefCounts};
use super::model::{ALL, Model};
use super::results::{
    Arm, CostRow, EffectRow, EquityRow, FunnelRow, IntakeTimeRow, InterceptRow, OutcomeRow,
    ProviderPeriodRow, ProviderRow, ReferralRow, SimResults, Stage, SummaryRow, TimelineRow,
};
use crate::domain::Intercept;

/// The tables of one replication.
pub(crate) struct Tables {
    pub funnel: Vec<FunnelRow>,
    pub time_to_intake: Vec<IntakeTimeRow>,
    pub referrals: Vec<ReferralRow>,
    pub providers: Vec<ProviderRow>,
    pub provider_periods: Vec<ProviderPeriodRow>,
    pub intercepts: Vec<InterceptRow>,
    pub timeline: Vec<TimelineRow>,
    pub costs: Vec<CostRow>,
    pub outcomes: Vec<OutcomeRow>,
    pub equity: Vec<EquityRow>,
    pub effects: Vec<EffectRow>,
    pub encounters: u64,
    pub events: u64,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The pathway rows to show: `all`, then the program's pathways in rank order.
fn pathway_rows(m: &Model) -> Vec<(usize, String)> {
    std::iter::once((ALL, "all".to_string()))
        .chain(
            m.pathways
                .iter()
                .map(|p| (*p as usize, p.as_str().to_string())),
        )
        .collect()
}

/// Sorts in `f32::total_cmp`'s order. Values equal in that order have the same bits, so the
/// result is the one any sort by `total_cmp` gives, and a long list (a run's intake times,
/// tens of thousands) is sorted by its bits in linear time.
fn sort_f32(v: &mut Vec<f32>) {
    if v.len() < RADIX_FROM {
        v.sort_by(f32::total_cmp);
        return;
    }
    // `total_cmp`'s order as unsigned integers: negative values have every bit flipped,
    // the rest only the sign bit.
    radix_sort(v, |x| {
        let b = x.to_bits();
        if b >> 31 == 1 { !b } else { b | (1 << 31) }
    });
}

/// Below this many items a comparison sort is as quick as [`radix_sort`].
const RADIX_FROM: usize = 256;

/// Sorts `v` by `key`, stably (items of equal keys keep their order): a radix sort, low byte
/// first, each pass a counting sort; a byte every key shares is passed over.
#[allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "a byte indexes a table of 256 counts; the counts' running sums are positions below the list's length"
)]
fn radix_sort<T: Copy + Default>(v: &mut Vec<T>, key: impl Fn(T) -> u32) {
    let mut counts = [[0usize; 256]; 4];
    for x in v.iter() {
        let k = key(*x);
        for (byte, c) in counts.iter_mut().enumerate() {
            c[((k >> (8 * byte)) & 0xff) as usize] += 1;
        }
    }
    let mut other = vec![T::default(); v.len()];
    for (byte, c) in counts.iter_mut().enumerate() {
        if c.contains(&v.len()) {
            continue;
        }
        let mut at = 0;
        for n in c.iter_mut() {
            (*n, at) = (at, at + *n);
        }
        for x in v.iter() {
            let d = ((key(*x) >> (8 * byte)) & 0xff) as usize;
            other[c[d]] = *x;
            c[d] += 1;
        }
        std::mem::swap(v, &mut other);
    }
}

/// Arrests in time order, sorted by person then time: the arrests sorted stably by person.
fn by_person(arrests: &[(u32, i64)]) -> Vec<(u32, i64)> {
    debug_assert!(arrests.is_sorted_by_key(|a| a.1));
    let mut sorted = arrests.to_vec();
    if sorted.len() < RADIX_FROM {
        sorted.sort_unstable();
    } else {
        radix_sort(&mut sorted, |(p, _)| p);
    }
    sorted
}

/// The nearest-rank quantile of sorted values (None when there are none).
fn quantile<T: Copy + Into<f64>>(sorted: &[T], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted
        .get(i.min(sorted.len().saturating_sub(1)))
        .map(|x| (*x).into())
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "sums of one run's daily counts, each bounded by the events the run made"
)]
fn totals(timeline: &[TimelineRow]) -> TimelineRow {
    let mut t = TimelineRow::default();
    for r in timeline {
        t.encounters += r.encounters;
        t.eligible += r.eligible;
        t.offered += r.offered;
        t.accepted += r.accepted;
        t.linked += r.linked;
        t.deflections += r.deflections;
        t.diversions += r.diversions;
        t.arrests += r.arrests;
        t.charges_filed += r.charges_filed;
        t.bookings += r.bookings;
        t.jail_admissions += r.jail_admissions;
        t.jail_bed_days += r.jail_bed_days;
        t.overdoses += r.overdoses;
        t.overdose_deaths += r.overdose_deaths;
        t.holds_started += r.holds_started;
        t.holds_dropped += r.holds_dropped;
        t.follow_up_attempts += r.follow_up_attempts;
        t.follow_up_contacts += r.follow_up_contacts;
        t.officer_hours += r.officer_hours;
    }
    t
}

#[expect(
    clippy::indexing_slicing,
    reason = "per-pathway, per-stage and per-intercept arrays are sized by the vocabularies' COUNT and indexed by those enums or by pathway rows the same model made"
)]
pub(crate) fn replication(m: &Model, rep: u32, prog: ArmOut, cf: ArmOut) -> Tables {
    let pathways = pathway_rows(m);
    let total = prog.funnel[ALL][Stage::Encounter as usize];

    // Funnel.
    let mut funnel = Vec::new();
    for (ix, name) in &pathways {
        let mut previous = None;
        for stage in Stage::FUNNEL {
            let count = if stage == Stage::Encounter {
                total
            } else {
                prog.funnel[*ix][stage as usize]
            };
            funnel.push(FunnelRow {
                replication: rep,
                pathway: name.clone(),
                stage,
                count,
                rate_from_previous: previous.and_then(|p| ratio(count, p)),
                rate_from_encounter: ratio(count, total),
            });
            previous = Some(count);
        }
    }

    // Time to intake.
    let mut time_to_intake = Vec::new();
    for (ix, name) in &pathways {
        let mut hours = prog.intake_hours[*ix].clone();
        sort_f32(&mut hours);
        let n = hours.len() as u64;
        let mean = (n > 0).then(|| hours.iter().map(|h| f64::from(*h)).sum::<f64>() / n as f64);
        let mut km = prog.intake_km[*ix].clone();
        sort_f32(&mut km);
        let mean_km = (!km.is_empty())
            .then(|| km.iter().map(|k| f64::from(*k)).sum::<f64>() / km.len() as f64);
        time_to_intake.push(IntakeTimeRow {
            replication: rep,
            pathway: name.clone(),
            intakes: n,
            mean_hours: mean,
            median_hours: quantile(&hours, 0.5),
            p90_hours: quantile(&hours, 0.9),
            max_hours: hours.last().map(|x| f64::from(*x)),
            mean_km,
            median_km: quantile(&km, 0.5),
            p90_km: quantile(&km, 0.9),
        });
    }

    // Referrals.
    let referrals = pathways
        .iter()
        .map(|(ix, name)| {
            let c: &RefCounts = &prog.referrals[*ix];
            ReferralRow {
                replication: rep,
                pathway: name.clone(),
                accepted: c.accepted,
                did_not_engage: c.did_not_engage,
                already_referred: c.already_referred,
                referred: c.referred,
                linked: c.linked,
                completed: c.completed,
                lost_no_provider: c.lost_no_provider,
                lost_full: c.lost_full,
                lost_waiting: c.lost_waiting,
                lost_closed: c.lost_closed,
                waiting_at_end: c.waiting_at_end,
            }
        })
        .collect();

    // Providers.
    let span = m.days as f64 * 86_400.0;
    let period_secs = m.scenario.scenario.period_days as f64 * 86_400.0;
    let mut providers = Vec::with_capacity(m.providers.len());
    let mut provider_periods = Vec::with_capacity(m.providers.len().saturating_mul(m.periods));
    for (spec, out) in m.providers.iter().zip(&prog.providers) {
        let mean_occupied = out.occupied_time.iter().sum::<f64>() / span;
        let util = |occ: f64| spec.capacity.filter(|c| *c > 0).map(|c| occ / f64::from(c));
        providers.push(ProviderRow {
            replication: rep,
            provider_id: spec.id.clone(),
            provider: spec.name.clone(),
            capacity: spec.capacity,
            referrals: out.referrals.iter().sum(),
            intakes: out.intakes.iter().sum(),
            waitlisted: out.waitlisted,
            lost: out.lost.iter().sum(),
            mean_occupied,
            utilisation: util(mean_occupied),
            waiting_at_end: out.waiting_at_end,
        });
        for p in 0..m.periods {
            let len = (span - p as f64 * period_secs).min(period_secs).max(1.0);
            let occ = out.occupied_time.get(p).copied().unwrap_or(0.0) / len;
            provider_periods.push(ProviderPeriodRow {
                replication: rep,
                provider_id: spec.id.clone(),
                period: u32::try_from(p).unwrap_or(u32::MAX),
                start: m.period_start(p),
                capacity: spec.capacity,
                mean_occupied: occ,
                utilisation: util(occ),
                referrals: out.referrals.get(p).copied().unwrap_or(0),
                intakes: out.intakes.get(p).copied().unwrap_or(0),
                lost: out.lost.get(p).copied().unwrap_or(0),
            });
        }
    }

    // Intercepts.
    let mut intercepts = Vec::new();
    for out in [&prog, &cf] {
        for i in Intercept::ALL {
            intercepts.push(InterceptRow {
                replication: rep,
                arm: out.arm,
                intercept: i.number(),
                name: i.name().to_string(),
                count: out.intercepts[usize::from(i.number())],
            });
        }
    }

    // Timeline.
    let mut timeline = Vec::with_capacity(prog.timeline.len().saturating_add(cf.timeline.len()));
    for out in [&prog, &cf] {
        for row in &out.timeline {
            let mut row = row.clone();
            row.replication = rep;
            timeline.push(row);
        }
    }

    // Outcomes and costs.
    let tp = totals(&prog.timeline);
    let tc = totals(&cf.timeline);
    let c = &m.scenario.costs;
    let items = [
        ("booking", c.booking, tp.bookings as f64, tc.bookings as f64),
        ("jail_day", c.jail_day, tp.jail_bed_days, tc.jail_bed_days),
        (
            "treatment_episode",
            c.treatment_episode,
            tp.linked as f64,
            tc.linked as f64,
        ),
        (
            "officer_hour",
            c.officer_hour,
            tp.officer_hours,
            tc.officer_hours,
        ),
    ];
    let mut costs = Vec::new();
    let (mut sum_p, mut sum_c) = (0.0, 0.0);
    for (item, unit, qp, qc) in items {
        sum_p += unit * qp;
        sum_c += unit * qc;
        costs.push(CostRow {
            replication: rep,
            item: item.into(),
            unit_cost: Some(unit),
            quantity_program: Some(qp),
            quantity_counterfactual: Some(qc),
            cost_program: unit * qp,
            cost_counterfactual: unit * qc,
            difference: unit * (qp - qc),
        });
    }
    costs.push(CostRow {
        replication: rep,
        item: "total".into(),
        unit_cost: None,
        quantity_program: None,
        quantity_counterfactual: None,
        cost_program: sum_p,
        cost_counterfactual: sum_c,
        difference: sum_p - sum_c,
    });
    let completed = |o: &ArmOut| o.referrals[ALL].completed as f64;
    let measures: [(&str, f64, f64); 15] = [
        ("encounters", tp.encounters as f64, tc.encounters as f64),
        ("deflections", tp.deflections as f64, tc.deflections as f64),
        ("diversions", tp.diversions as f64, tc.diversions as f64),
        ("linked", tp.linked as f64, tc.linked as f64),
        ("completed", completed(&prog), completed(&cf)),
        ("arrests", tp.arrests as f64, tc.arrests as f64),
        (
            "charges_filed",
            tp.charges_filed as f64,
            tc.charges_filed as f64,
        ),
        ("bookings", tp.bookings as f64, tc.bookings as f64),
        (
            "jail_admissions",
            tp.jail_admissions as f64,
            tc.jail_admissions as f64,
        ),
        ("jail_bed_days", tp.jail_bed_days, tc.jail_bed_days),
        ("overdoses", tp.overdoses as f64, tc.overdoses as f64),
        (
            "overdose_deaths",
            tp.overdose_deaths as f64,
            tc.overdose_deaths as f64,
        ),
        ("officer_hours", tp.officer_hours, tc.officer_hours),
        (
            "follow_up_attempts",
            tp.follow_up_attempts as f64,
            tc.follow_up_attempts as f64,
        ),
        ("total_cost", sum_p, sum_c),
    ];
    let outcomes = measures
        .iter()
        .map(|(name, p, c)| OutcomeRow {
            replication: rep,
            measure: (*name).into(),
            program: *p,
            counterfactual: *c,
            difference: p - c,
        })
        .collect();

    // Equity.
    let mut equity = Vec::new();
    let names: Vec<String> = m
        .groups
        .iter()
        .map(|g| g.name.clone())
        .chain(m.replay.is_some().then(|| "unrecorded".to_string()))
        .collect();
    let population = f64::from(m.population);
    for out in [&prog, &cf] {
        let stages: &[(Stage, Option<Stage>)] = match out.arm {
            Arm::Program => &[
                (Stage::Encounter, None),
                (Stage::Eligible, Some(Stage::Encounter)),
                (Stage::Offered, Some(Stage::Eligible)),
                (Stage::Accepted, Some(Stage::Offered)),
                (Stage::Linked, Some(Stage::Accepted)),
                (Stage::Retained30, Some(Stage::Linked)),
                (Stage::Retained90, Some(Stage::Retained30)),
                (Stage::Booked, Some(Stage::Encounter)),
            ],
            Arm::Counterfactual => &[
                (Stage::Encounter, None),
                (Stage::Booked, Some(Stage::Encounter)),
            ],
        };
        let rate_of =
            |g: usize, stage: Stage, base_stage: Option<Stage>| -> (u64, f64, Option<f64>) {
                let counts = out.equity.get(g);
                let count = counts.map_or(0, |c| c[stage as usize]);
                let base = match base_stage {
                    None => m.groups.get(g).map_or(0.0, |gr| gr.share * population),
                    Some(b) => counts.map_or(0, |c| c[b as usize]) as f64,
                };
                let scale = if base_stage.is_none() { 1000.0 } else { 1.0 };
                let rate = (base > 0.0).then(|| count as f64 / base * scale);
                (count, base, rate)
            };
        for (stage, base_stage) in stages {
            let (_, _, reference_rate) = rate_of(m.reference, *stage, *base_stage);
            for (g, name) in names.iter().enumerate() {
                let (count, base, rate) = rate_of(g, *stage, *base_stage);
                let rri = match (rate, reference_rate) {
                    (Some(r), Some(rr)) if rr > 0.0 => Some(r / rr),
                    _ => None,
                };
                let difference = match (rate, reference_rate) {
                    (Some(r), Some(rr)) => Some(r - rr),
                    _ => None,
                };
                equity.push(EquityRow {
                    replication: rep,
                    arm: out.arm,
                    group: name.clone(),
                    stage: *stage,
                    count,
                    base,
                    rate,
                    reference_rate,
                    relative_rate_index: rri,
                    difference,
                });
            }
        }
    }

    Tables {
        funnel,
        time_to_intake,
        referrals,
        providers,
        provider_periods,
        intercepts,
        timeline,
        costs,
        outcomes,
        equity,
        effects: vec![rearrest(m, rep, &prog, &cf)],
        encounters: total,
        events: prog.events.saturating_add(cf.events),
    }
}

/// Days after a first accepted offer over which re-arrest is followed.
pub(crate) const REARREST_DAYS: i64 = 180;

/// Re-arrest within [`REARREST_DAYS`] of each person's first accepted offer, in both arms,
/// for people whose window ends inside the span.
fn rearrest(m: &Model, rep: u32, prog: &ArmOut, cf: &ArmOut) -> EffectRow {
    let window = REARREST_DAYS.saturating_mul(super::model::DAY);
    let (in_prog, in_cf) = (by_person(&prog.arrests), by_person(&cf.arrests));
    let arrested = |sorted: &[(u32, i64)], person: u32, from: i64| {
        let to = from.saturating_add(window);
        let i = sorted.partition_point(|a| *a <= (person, from));
        sorted.get(i).is_some_and(|(p, t)| *p == person && *t <= to)
    };
    let (mut people, mut yes_p, mut yes_c) = (0u64, 0u64, 0u64);
    for (person, at) in &prog.joined {
        if at.saturating_add(window) > m.horizon {
            continue;
        }
        people = people.saturating_add(1);
        yes_p = yes_p.saturating_add(u64::from(arrested(&in_prog, *person, *at)));
        yes_c = yes_c.saturating_add(u64::from(arrested(&in_cf, *person, *at)));
    }
    let share = |k: u64| ratio(k, people);
    let odds = |k: u64| (k < people).then(|| k as f64 / people.saturating_sub(k) as f64);
    let odds_ratio = match (odds(yes_p), odds(yes_c)) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    EffectRow {
        replication: rep,
        effect: "rearrest_180d".into(),
        people,
        program: share(yes_p),
        counterfactual: share(yes_c),
        odds_ratio,
    }
}

/// The mean of `xs` with its 95% confidence interval (Student's t; no interval for fewer than
/// two values).
pub(crate) fn mean_interval(xs: &[f64]) -> (f64, Option<(f64, f64)>) {
    let n = xs.len();
    if n == 0 {
        return (0.0, None);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, None);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let half = t975(n.saturating_sub(1)) * (var / n as f64).sqrt();
    (mean, Some((mean - half, mean + half)))
}

/// The 97.5th percentile of Student's t distribution with `df` degrees of freedom: from the
/// table up to 30, then the Cornish-Fisher expansion around the normal's 1.959964 (within
/// 1e-4 beyond 30).
pub(crate) fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    match df.checked_sub(1).and_then(|i| TABLE.get(i)) {
        Some(t) => *t,
        None => {
            let z: f64 = 1.959_964;
            let v = df.max(1) as f64;
            z + (z.powi(3) + z) / (4.0 * v)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        }
    }
}

/// Each outcome's mean per replication, with and without the program and their difference,
/// each with its 95% interval.
pub(crate) fn summary(outcomes: &[OutcomeRow], replications: u32) -> Vec<SummaryRow> {
    let mut order: Vec<&str> = Vec::new();
    for o in outcomes {
        if !order.contains(&o.measure.as_str()) {
            order.push(&o.measure);
        }
    }
    order
        .into_iter()
        .map(|measure| {
            let rows: Vec<&OutcomeRow> = outcomes.iter().filter(|o| o.measure == measure).collect();
            let of = |f: fn(&OutcomeRow) -> f64| {
                mean_interval(&rows.iter().map(|o| f(o)).collect::<Vec<f64>>())
            };
            let (program, p) = of(|o| o.program);
            let (counterfactual, c) = of(|o| o.counterfactual);
            let (difference, d) = of(|o| o.difference);
            SummaryRow {
                measure: measure.to_string(),
                replications,
                program,
                program_low: p.map(|i| i.0),
                program_high: p.map(|i| i.1),
                counterfactual,
                counterfactual_low: c.map(|i| i.0),
                counterfactual_high: c.map(|i| i.1),
                difference,
                difference_low: d.map(|i| i.0),
                difference_high: d.map(|i| i.1),
            }
        })
        .collect()
}

/// Joins the replications' tables, in replication order.
pub(crate) fn join(
    info: super::results::RunInfo,
    tables: Vec<Tables>,
    replications: u32,
) -> SimResults {
    let mut r = SimResults {
        info,
        ..SimResults::empty_for_docs()
    };
    // Room for every replication's rows at once: the largest tables (periods by providers)
    // are otherwise copied again at each doubling, into fresh memory.
    let rows = |f: fn(&Tables) -> usize| tables.iter().map(f).fold(0usize, usize::saturating_add);
    r.funnel.reserve(rows(|t| t.funnel.len()));
    r.time_to_intake.reserve(rows(|t| t.time_to_intake.len()));
    r.referrals.reserve(rows(|t| t.referrals.len()));
    r.providers.reserve(rows(|t| t.providers.len()));
    r.provider_periods
        .reserve(rows(|t| t.provider_periods.len()));
    r.intercepts.reserve(rows(|t| t.intercepts.len()));
    r.timeline.reserve(rows(|t| t.timeline.len()));
    r.costs.reserve(rows(|t| t.costs.len()));
    r.outcomes.reserve(rows(|t| t.outcomes.len()));
    r.equity.reserve(rows(|t| t.equity.len()));
    r.effects.reserve(rows(|t| t.effects.len()));
    for t in tables {
        r.info.encounters = r.info.encounters.saturating_add(t.encounters);
        r.info.events = r.info.events.saturating_add(t.events);
        r.funnel.extend(t.funnel);
        r.time_to_intake.extend(t.time_to_intake);
        r.referrals.extend(t.referrals);
        r.providers.extend(t.providers);
        r.provider_periods.extend(t.provider_periods);
        r.intercepts.extend(t.intercepts);
        r.timeline.extend(t.timeline);
        r.costs.extend(t.costs);
        r.outcomes.extend(t.outcomes);
        r.equity.extend(t.equity);
        r.effects.extend(t.effects);
    }
    r.summary = summary(&r.outcomes, replications);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// The tables' sort of intake times and distances gives what a sort by `total_cmp` gives,
        /// bit for bit, for short and long lists, with negative values, both zeros, NaNs and
        /// many repeats.
        #[test]
        fn the_intake_sort_is_total_cmp(
            mut values in proptest::collection::vec(
                prop_oneof![
                    any::<f32>(),
                    (0u8..12).prop_map(f32::from),
                    Just(-0.0f32),
                    Just(0.0f32),
                    Just(f32::NAN),
                    Just(-f32::NAN),
                    Just(f32::INFINITY),
                    Just(f32::NEG_INFINITY),
                ],
                0..2_000,
            ),
        ) {
            let mut want = values.clone();
            want.sort_by(f32::total_cmp);
            sort_f32(&mut values);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&values), bits(&want));
        }

        /// Arrests (kept in time order) sorted by person come out as a sort of the pairs would
        /// give them, each person's in time order, for short and long lists.
        #[test]
        fn arrests_sort_by_person_then_time(
            mut arrests in proptest::collection::vec((
                prop_oneof![0u32..40, 0u32..70_000, any::<u32>()],
                0i64..5_000,
            ), 0..2_000),
        ) {
            arrests.sort_by_key(|a| a.1);
            let mut want = arrests.clone();
            want.sort_unstable();
            prop_assert_eq!(by_person(&arrests), want);
        }
    }
}
