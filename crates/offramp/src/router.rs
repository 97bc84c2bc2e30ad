//! Routing an encounter through a program, and the decision it produces.

use std::sync::Arc;

use chrono::{Days, Offset, TimeDelta, TimeZone};
use rayon::prelude::*;
use smallvec::SmallVec;

use crate::domain::{
    Disposition, Encounter, EncounterError, Intercept, Need, Pathway, time_problem,
};
use crate::program::LawCover;
use crate::program::{CompiledAmnesty, CompiledPathway, CompiledRule, Program};
use crate::providers::index::{HoursMemo, LeanOption, ProviderIndex};
use crate::providers::{Capacity, Directory, DirectoryError};
use crate::rules::compile::explain::{Depth, evidence, missing, rule_evidence};
use crate::rules::compile::{AttrKind, Ctx, Part, Tri};
use crate::text::{Text, with_scratch};

mod decision;
#[cfg(test)]
mod explain_tests;
mod memo;
mod trace;
pub use decision::{
    ChargeHold, Decision, EligiblePathway, IneligiblePathway, NeededInformation, ProgramRef,
    Reason, Warning, WarningCode,
};
pub(crate) use memo::{RouteMemo, SimRoute};
pub use trace::{Trace, TracedOffense, TracedPathway, TracedRule};

/// Routes encounters through one program. Immutable, `Send + Sync`, cheap to clone (it shares
/// the compiled program), and never panics on any encounter.
///
/// ```
/// use offramp::{Disposition, Encounter, Pathway, Program, Router};
/// let program = Program::from_file(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/../../examples/programs/lead-king-county.toml")).unwrap();
/// let router = Router::new(program);
/// let e = Encounter::from_json(r#"{"id": "e-1", "at": "2026-03-02T14:05:00-08:00",
///     "responder": "law_enforcement", "source": "call_for_service", "needs": ["sud"],
///     "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": false}]}"#).unwrap();
/// let d = router.route(&e);
/// assert_eq!(d.disposition, Disposition::PreArrestDiversion);
/// assert_eq!(d.eligible[0].pathway, Pathway::OfficerIntervention);
/// ```
#[derive(Debug, Clone)]
pub struct Router {
    program: Arc<Program>,
    providers: Option<Arc<ProviderIndex>>,
    good_samaritan_msg: Text,
    protective_custody_msg: Text,
    no_offense_reason: Reason,
    none_chargeable_reason: Reason,
    emergency_hold_msg: Text,
    responder_unknown_msg: Text,
}

fn warn(warnings: &mut Vec<Warning>, code: WarningCode, message: &Text) {
    if !warnings
        .iter()
        .any(|w| w.code == code && w.message == *message)
    {
        warnings.push(Warning {
            code,
            message: message.clone(),
        });
    }
}

/// An exclusion that could not be decided, with its first undecided conjunct.
type Undecided<'p> = (&'p CompiledRule, Option<&'p Part>);

/// Pushes `item`, making room for `most` items in all at the first.
fn push_sized<T>(list: &mut Vec<T>, item: T, most: usize) {
    if list.capacity() == 0 {
        list.reserve_exact(most);
    }
    list.push(item);
}

/// Whether each offence of an encounter is chargeable, in order (kept on the stack for the
/// usual few offences).
pub(crate) type Chargeable = SmallVec<[bool; 16]>;

/// The undecided exclusions of a program or a pathway: a few at most, kept on the stack.
type UndecidedList<'p> = SmallVec<[Undecided<'p>; 4]>;

/// The exclusions that hold, as reasons with their evidence; those that cannot be decided go
/// to `undecided`, for a warning and for `needs_information` if they could change the
/// decision. A lean route reads only whether one holds ([`an_exclusion_holds`]).
fn exclusions_that_hold<'p>(
    exclusions: &'p [CompiledRule],
    ctx: &Ctx<'_>,
    undecided: &mut UndecidedList<'p>,
) -> Vec<Reason> {
    let mut held = Vec::new();
    for ex in exclusions {
        match ex.compiled.evaluate(ctx) {
            // Usually one exclusion holds: room for one is made first.
            (Tri::True, _) => push_sized(
                &mut held,
                Reason {
                    rule: ex.id.clone(),
                    clause: ex.compiled.canonical.clone(),
                    because: ex.excluded_because.clone(),
                    evidence: Some(Arc::new(rule_evidence(&ex.compiled, ctx, Depth::Reason))),
                },
                1,
            ),
            (Tri::Unknown, part) => undecided.push((ex, part)),
            (Tri::False, _) => {}
        }
    }
    held
}

/// Whether some exclusion holds: all a lean route reads of them, so none is worded and the
/// rest are not evaluated once one holds.
fn an_exclusion_holds(exclusions: &[CompiledRule], ctx: &Ctx<'_>) -> bool {
    exclusions
        .iter()
        .any(|ex| ex.compiled.evaluate(ctx).0 == Tri::True)
}

/// What a decision still needs, gathered while routing: each unrecorded field with the
/// pathways and exclusions it could decide.
#[derive(Default)]
struct Needs(Vec<NeededInformation>);

impl Needs {
    /// Adds the fields `rule` waits on in `ctx`, as deciding `pathway` and, for an exclusion,
    /// the exclusion.
    fn add_rule(
        &mut self,
        rule: &CompiledRule,
        ctx: &Ctx<'_>,
        pathways: &[Pathway],
        exclusion: bool,
    ) {
        let mut fields = Vec::new();
        for part in rule.compiled.parts.iter() {
            if part.truth(ctx) == Tri::Unknown {
                missing(&part.node, ctx, "", &mut fields);
            }
        }
        for f in fields {
            self.add(f, pathways, exclusion.then_some(&rule.id));
        }
    }

    fn add(&mut self, field: String, pathways: &[Pathway], exclusion: Option<&Text>) {
        let i = match self.0.iter().position(|n| n.field.as_str() == field) {
            Some(i) => i,
            None => {
                self.0.push(NeededInformation {
                    field: Text::owned(field),
                    pathways: Vec::new(),
                    exclusions: Vec::new(),
                });
                self.0.len().saturating_sub(1)
            }
        };
        if let Some(n) = self.0.get_mut(i) {
            for p in pathways {
                if !n.pathways.contains(p) {
                    n.pathways.push(*p);
                }
            }
            if let Some(x) = exclusion
                && !n.exclusions.contains(x)
            {
                n.exclusions.push(x.clone());
            }
        }
    }

    /// The fields, those that decide most first; ties keep the order they were found in.
    fn into_sorted(mut self, order: &[CompiledPathway]) -> Vec<NeededInformation> {
        for n in &mut self.0 {
            n.pathways.sort_by_key(|p| {
                order
                    .iter()
                    .position(|q| q.pathway == *p)
                    .unwrap_or(usize::MAX)
            });
        }
        self.0.sort_by_key(|n| {
            std::cmp::Reverse(n.pathways.len().saturating_add(n.exclusions.len()))
        });
        self.0
    }
}

/// Whether an amnesty's condition is true for offence `n` (1-based) of the encounter; one that
/// cannot be decided covers nothing and adds a warning naming the offence.
fn amnesty_covers(
    amnesty: &CompiledAmnesty,
    program: &Program,
    enc: &Encounter,
    offense: &crate::domain::Offense,
    n: usize,
    intercept: Intercept,
    warnings: &mut Vec<Warning>,
) -> bool {
    let ctx = Ctx {
        offense: Some(offense),
        ..Ctx::new(enc, &program.env.attrs, intercept, program.tz, &[])
    };
    match amnesty.compiled.evaluate(&ctx) {
        (Tri::True, _) => true,
        (Tri::Unknown, part) => {
            let index = part
                .and_then(|p| {
                    amnesty
                        .compiled
                        .parts
                        .iter()
                        .position(|q| std::ptr::eq(q, p))
                })
                .unwrap_or(0);
            let base = amnesty
                .unknown_warnings
                .get(index)
                .map_or("amnesty could not be checked", |t| t.as_str());
            warnings.push(Warning {
                code: WarningCode::AmnestyUnknown,
                message: Text::format(format_args!(
                    "{base} for offence {n} ({}); the offence is treated as chargeable",
                    offense.nibrs
                )),
            });
            false
        }
        (Tri::False, _) => false,
    }
}

/// Why `rule` does not admit: its deciding conjunct `part` (false, or else unknown), as a
/// sentence with the values and limits that decided, and as evidence.
fn reason(rule: &CompiledRule, part: &Part, t: Tri, ctx: &Ctx<'_>) -> Reason {
    let evidence = evidence(part, ctx, Depth::Reason);
    let because = if t == Tri::Unknown {
        part.unknown.clone()
    } else {
        with_scratch(|s| {
            s.push_str(&part.not_met);
            s.push_str(": ");
            let before = s.len();
            evidence.write_detail(s);
            if s.len() == before {
                part.not_met.clone()
            } else {
                Text::owned(&**s)
            }
        })
    };
    Reason {
        rule: rule.id.clone(),
        clause: part.clause.clone(),
        because,
        evidence: Some(Arc::new(evidence)),
    }
}

/// The precomputed warning for an exclusion whose deciding conjunct could not be evaluated.
fn exclusion_unknown_message(rule: &CompiledRule, part: Option<&Part>) -> Text {
    let index = part
        .and_then(|p| rule.compiled.parts.iter().position(|q| std::ptr::eq(q, p)))
        .unwrap_or(0);
    rule.unknown_warnings
        .get(index)
        .cloned()
        .unwrap_or_else(|| {
            Text::format(format_args!("exclusion `{}` could not be checked", rule.id))
        })
}

impl Router {
    /// A router for a program.
    pub fn new(program: Program) -> Router {
        Router::from_arc(Arc::new(program))
    }

    /// A router sharing an already shared program.
    pub fn from_arc(program: Arc<Program>) -> Router {
        Router {
            program,
            providers: None,
            good_samaritan_msg: Text::pooled(
                "Good Samaritan immunity: possessing or using drugs or drug equipment, reported with an overdose, is not chargeable",
            ),
            protective_custody_msg: Text::pooled(
                "protective custody applies to drunkenness (90E) in place of a charge",
            ),
            emergency_hold_msg: Text::pooled(
                "a mental-health crisis or suicide risk was recorded: state law allows an emergency mental-health evaluation",
            ),
            responder_unknown_msg: Text::pooled(
                "no responder was recorded: pathways limited to some responders could not be checked",
            ),
            no_offense_reason: Reason {
                rule: Text::pooled("officer_intervention.chargeable"),
                clause: Text::pooled("any offenses (chargeable)"),
                because: Text::pooled(
                    "officer intervention needs a chargeable offence, and no offence was recorded",
                ),
                evidence: None,
            },
            none_chargeable_reason: Reason {
                rule: Text::pooled("officer_intervention.chargeable"),
                clause: Text::pooled("any offenses (chargeable)"),
                because: Text::pooled(
                    "officer intervention needs a chargeable offence, and no recorded offence is chargeable (an infraction, or covered by law or an amnesty; see the warnings)",
                ),
                evidence: None,
            },
        }
    }

    /// A router that also matches partner providers from a directory.
    ///
    /// ```
    /// use offramp::providers::Directory;
    /// # use offramp::{Program, Router};
    /// # let program = Program::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/programs/qrt-hamilton-county.toml")).unwrap();
    /// let directory = Directory::new(vec![], vec![]).unwrap();
    /// let router = Router::with_directory(program, &directory).unwrap();
    /// assert!(router.has_directory());
    /// ```
    ///
    /// The program may be given owned or already shared (`Arc<Program>`, as the bindings hold
    /// it); a shared one is not copied.
    pub fn with_directory(
        program: impl Into<Arc<Program>>,
        directory: &Directory,
    ) -> Result<Router, DirectoryError> {
        let program: Arc<Program> = program.into();
        let masks: Vec<u16> = program
            .pathways
            .iter()
            .filter_map(|p| p.needs.as_ref().map(|n| n.kinds))
            .collect();
        let mut r = Router::from_arc(program);
        r.providers = Some(Arc::new(ProviderIndex::build(directory, &masks)?));
        Ok(r)
    }

    /// Whether provider matching is on.
    pub fn has_directory(&self) -> bool {
        self.providers.is_some()
    }

    /// Updates one service's capacity. Threads routing at the same time see either the old or
    /// the new figure, never a torn one; the router is not rebuilt.
    pub fn update_capacity(
        &self,
        service_id: &str,
        capacity: Option<Capacity>,
    ) -> Result<(), UnknownService> {
        match &self.providers {
            Some(p) if p.set_capacity(service_id, capacity) => Ok(()),
            _ => Err(UnknownService(service_id.chars().take(64).collect())),
        }
    }

    /// Updates many capacities as one snapshot. Returns the ids that are not in the directory.
    pub fn update_capacities<'a>(
        &self,
        updates: impl IntoIterator<Item = (&'a str, Option<Capacity>)>,
    ) -> Vec<String> {
        match &self.providers {
            Some(p) => p.set_capacities(updates),
            None => updates.into_iter().map(|(id, _)| id.to_string()).collect(),
        }
    }

    /// Every service's capacity as this router matches with it now (the directory's figures
    /// with any updates since), in directory order; empty without a directory. Feeding it to
    /// [`Router::update_capacities`] of another router over the same directory gives that
    /// router the same board.
    pub fn capacities(&self) -> Vec<(String, Option<Capacity>)> {
        self.providers
            .as_ref()
            .map(|p| p.capacities())
            .unwrap_or_default()
    }

    /// The program this router uses.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Routes one encounter.
    pub fn route(&self, enc: &Encounter) -> Decision {
        self.route_with(enc, true, true)
    }

    /// Routes one encounter for the simulation, which reads only which pathways are eligible,
    /// in what order, by which rule, with what charge hold, and the disposition and
    /// intercept: all of these as `route` gives them. Partners are not matched (every
    /// eligible pathway's `providers` and `provider_gap` are left empty; the simulation
    /// matches them for the pathway it offers with [`Router::providers_for`]), and nothing
    /// is explained or gathered that the simulation does not read: no ineligible pathways,
    /// no warnings, no information still needed, and the decision's `encounter_id` is
    /// empty.
    pub(crate) fn route_lean(&self, enc: &Encounter) -> Decision {
        self.route_with(enc, false, false)
    }

    /// The partner providers `route` would give one eligible pathway of this encounter: the
    /// same options in the same order (`None` when the router has no directory or the program
    /// says nothing of what the pathway needs). The simulation reads them through
    /// [`Router::providers_lean`]; the tests compare the two.
    #[cfg(test)]
    pub(crate) fn providers_for(
        &self,
        pathway: Pathway,
        enc: &Encounter,
    ) -> Option<Vec<crate::providers::ProviderOption>> {
        let index = self.providers.as_ref()?;
        let pw = self
            .program
            .pathways
            .iter()
            .find(|p| p.pathway == pathway)?;
        let needs = pw.needs.as_ref()?;
        Some(index.matches(needs, enc).0)
    }

    /// What the simulation reads of [`Router::providers_for`]: the same options in the same
    /// order, each as the service's position in the directory (see
    /// [`Router::provider_ids`]), whether it is open, when it next opens and its distance;
    /// `out` is cleared and filled. `false` (and `out` left empty) where `providers_for`
    /// gives `None`. `memo` keeps what is learnt of the partners' hours for the next call
    /// (one per simulation arm).
    pub(crate) fn providers_lean(
        &self,
        pathway: Pathway,
        enc: &Encounter,
        memo: &mut HoursMemo,
        out: &mut Vec<LeanOption>,
    ) -> bool {
        out.clear();
        let Some(index) = self.providers.as_ref() else {
            return false;
        };
        let Some(needs) = self
            .program
            .pathways
            .iter()
            .find(|p| p.pathway == pathway)
            .and_then(|p| p.needs.as_ref())
        else {
            return false;
        };
        index.matches_lean(needs, enc, memo, out);
        true
    }

    /// The directory's service ids in its order (the positions [`Router::providers_lean`]
    /// gives); empty without a directory.
    pub(crate) fn provider_ids(&self) -> Vec<&str> {
        self.providers
            .as_ref()
            .map(|p| p.service_ids().collect())
            .unwrap_or_default()
    }

    fn route_with(&self, enc: &Encounter, match_providers: bool, explain: bool) -> Decision {
        let p = &*self.program;
        let intercept = enc.derived_intercept();
        // What the law and the amnesties say about each offence comes first, since rules may
        // read it; its warnings follow the exclusions', as they always have.
        let mut charge_warnings = Vec::new();
        let chargeable = self.chargeable(enc, intercept, &mut charge_warnings);
        let ctx = Ctx::new(enc, &p.env.attrs, intercept, p.tz, &chargeable);
        let mut warnings = Vec::new();
        // A lean route (the simulation's) gathers no warnings and no ineligible pathways.
        if explain {
            if let Some(message) = &p.ended_warning {
                warn(&mut warnings, WarningCode::ProgramEnded, message);
            }
            if !enc.attributes.is_empty() {
                self.check_attributes(enc, &mut warnings);
            }
            if enc.responder.is_none() {
                warn(
                    &mut warnings,
                    WarningCode::ResponderUnknown,
                    &self.responder_unknown_msg,
                );
            }
        }

        // Program-wide exclusions. One that cannot be decided is warned about (here, in its
        // place among the warnings) only if some pathway is eligible, since only then could it
        // change the decision.
        let mut global_undecided = UndecidedList::new();
        let (global, excluded) = if explain {
            let held = exclusions_that_hold(&p.exclusions, &ctx, &mut global_undecided);
            let excluded = !held.is_empty();
            (held, excluded)
        } else {
            (Vec::new(), an_exclusion_holds(&p.exclusions, &ctx))
        };
        let global_warnings_at = warnings.len();
        if explain {
            warnings.append(&mut charge_warnings);
        }
        let mut needs = Needs::default();

        let law = &p.spec().law;
        if explain
            && law.emergency_mental_health_hold
            && enc
                .needs
                .iter()
                .any(|n| matches!(n, Need::MentalHealthCrisis | Need::Suicidal))
        {
            warn(
                &mut warnings,
                WarningCode::EmergencyHold,
                &self.emergency_hold_msg,
            );
        }

        let any_chargeable = chargeable.contains(&true);
        let mut eligible = Vec::new();
        let mut ineligible = Vec::new();
        for (i, pw) in p.pathways.iter().enumerate() {
            // Either list holds at most the pathways left: room for them is made at its first
            // entry, never by doubling.
            let left = p.pathways.len().saturating_sub(i);
            if excluded {
                if explain {
                    push_sized(
                        &mut ineligible,
                        IneligiblePathway {
                            pathway: pw.pathway,
                            reasons: global.clone(),
                        },
                        left,
                    );
                }
                continue;
            }
            let blocked = pw.pathway == Pathway::OfficerIntervention && !any_chargeable;
            if blocked && !explain {
                // Ineligible, and a lean route keeps no reasons.
                continue;
            }
            let mut decided = self.pathway(pw, &ctx, &mut warnings, &mut needs, blocked, explain);
            if blocked {
                // Never eligible without a chargeable offence: that reason first, then what
                // the pathway's own rules said.
                let reason = if enc.offenses.is_empty() {
                    &self.no_offense_reason
                } else {
                    &self.none_chargeable_reason
                };
                let more = decided.err().unwrap_or_default();
                let mut reasons = Vec::with_capacity(more.len().saturating_add(1));
                reasons.push(reason.clone());
                reasons.extend(more);
                decided = Err(reasons);
            }
            match decided {
                Ok(rule) => {
                    let charge_hold = if pw.charge_hold && any_chargeable {
                        self.charge_hold(enc)
                    } else {
                        None
                    };
                    let (providers, provider_gap) = match (&self.providers, &pw.needs) {
                        (Some(index), Some(needs)) if match_providers => {
                            let (options, gap) = index.matches(needs, enc);
                            if let Some(g) = &gap {
                                warnings.push(Warning {
                                    code: WarningCode::ProviderGap,
                                    message: Text::format(format_args!(
                                        "{}: {}",
                                        pw.pathway.as_str().replace('_', " "),
                                        g.message
                                    )),
                                });
                            }
                            (Some(options), gap)
                        }
                        _ => (None, None),
                    };
                    let rank = u32::try_from(eligible.len().saturating_add(1)).unwrap_or(u32::MAX);
                    let entry = EligiblePathway {
                        pathway: pw.pathway,
                        rank,
                        rule,
                        charge_hold,
                        providers,
                        provider_gap,
                    };
                    push_sized(&mut eligible, entry, left);
                }
                Err(reasons) if explain => push_sized(
                    &mut ineligible,
                    IneligiblePathway {
                        pathway: pw.pathway,
                        reasons,
                    },
                    left,
                ),
                Err(_) => {}
            }
        }
        if explain && !eligible.is_empty() && !global_undecided.is_empty() {
            let admitted: Vec<Pathway> = eligible.iter().map(|e| e.pathway).collect();
            let messages = global_undecided.iter().map(|(ex, part)| Warning {
                code: WarningCode::ExclusionUnknown,
                message: exclusion_unknown_message(ex, *part),
            });
            warnings.splice(global_warnings_at..global_warnings_at, messages);
            for (ex, _) in &global_undecided {
                needs.add_rule(ex, &ctx, &admitted, true);
            }
        }
        let disposition = match (eligible.is_empty(), any_chargeable) {
            (true, _) => Disposition::None,
            (false, true) => Disposition::PreArrestDiversion,
            (false, false) => Disposition::Deflection,
        };
        Decision {
            encounter_id: if explain {
                enc.id.clone()
            } else {
                String::new()
            },
            program: ProgramRef {
                id: p.id.clone(),
                hash: p.hash.clone(),
            },
            intercept,
            intercept_basis: enc.intercept_basis(),
            disposition,
            eligible,
            ineligible,
            warnings,
            needs_information: needs.into_sorted(&p.pathways),
        }
    }

    /// Whether each offence is chargeable, in order, with a warning for each that the law or
    /// an amnesty takes out of reach and for each recorded violence that contradicts the code
    /// table. An infraction is never chargeable; a Good Samaritan law covers a drug offence at
    /// an overdose unless its activity goes beyond possessing or using; protective custody
    /// covers drunkenness (`90E`); an amnesty covers the offences its condition is true for.
    pub(crate) fn chargeable(
        &self,
        enc: &Encounter,
        intercept: Intercept,
        warnings: &mut Vec<Warning>,
    ) -> Chargeable {
        let p = &*self.program;
        let law = &p.spec().law;
        let mut out = Chargeable::new();
        for (i, o) in enc.offenses.iter().enumerate() {
            let n = i.saturating_add(1);
            if o.violence_contradicts_code() {
                warnings.push(Warning {
                    code: WarningCode::ViolenceContradictsCode,
                    message: Text::format(format_args!(
                        "offence {n} ({}, {}) is recorded as {}, but the code table reads {} as {}; the recorded value is used",
                        o.nibrs,
                        o.nibrs.name(),
                        if o.is_violent() { "violent" } else { "not violent" },
                        o.nibrs,
                        if o.nibrs.is_violent() { "violent" } else { "not violent" },
                    )),
                });
            }
            let cover = law.covers(enc, o);
            if cover == Some(LawCover::ProtectiveCustody) {
                warn(
                    warnings,
                    WarningCode::ProtectiveCustody,
                    &self.protective_custody_msg,
                );
            }
            if !o.level.is_chargeable() {
                out.push(false);
                continue;
            }
            if let Some(cover) = cover {
                if cover == LawCover::GoodSamaritan {
                    warn(
                        warnings,
                        WarningCode::GoodSamaritan,
                        &self.good_samaritan_msg,
                    );
                }
                out.push(false);
                continue;
            }
            let covered = p
                .amnesties
                .iter()
                .find(|a| amnesty_covers(a, p, enc, o, n, intercept, warnings));
            match covered {
                Some(a) => {
                    warnings.push(Warning {
                        code: WarningCode::Amnesty,
                        message: Text::format(format_args!(
                            "offence {n} ({}, {}) is not chargeable under amnesty `{}`: {}",
                            o.nibrs,
                            o.nibrs.name(),
                            a.id,
                            a.because
                        )),
                    });
                    out.push(false);
                }
                None => out.push(true),
            }
        }
        out
    }

    /// Decides one pathway: the admitting rule's id, or the reasons it does not apply. What
    /// was left undecided goes to `needs` when recording it could change the result (never
    /// for a pathway `blocked` by something already known), and an exclusion that could not be
    /// checked is warned about only when the pathway is otherwise eligible.
    fn pathway(
        &self,
        pw: &CompiledPathway,
        ctx: &Ctx<'_>,
        warnings: &mut Vec<Warning>,
        needs: &mut Needs,
        blocked: bool,
        explain: bool,
    ) -> Result<Text, Vec<Reason>> {
        match ctx.enc.responder {
            Some(r) if pw.responders & (1 << (r as u8)) == 0 && !explain => {
                return Err(Vec::new());
            }
            Some(r) if pw.responders & (1 << (r as u8)) == 0 => {
                return Err(vec![Reason {
                    rule: pw.responders_rule.clone(),
                    clause: pw.responders_rule.clone(),
                    because: pw.responders_because.clone(),
                    evidence: None,
                }]);
            }
            None if pw.responders != ALL_RESPONDERS && !explain => {
                return Err(Vec::new());
            }
            None if pw.responders != ALL_RESPONDERS => {
                // The responder decides this pathway if its rules could admit anyone.
                if explain
                    && !blocked
                    && pw
                        .rules
                        .iter()
                        .any(|r| r.compiled.evaluate(ctx).0 != Tri::False)
                {
                    needs.add("responder".to_string(), &[pw.pathway], None);
                }
                return Err(vec![Reason {
                    rule: pw.responders_rule.clone(),
                    clause: pw.responders_rule.clone(),
                    because: pw.responders_unknown.clone(),
                    evidence: None,
                }]);
            }
            _ => {}
        }
        let mut undecided = UndecidedList::new();
        if !explain {
            if an_exclusion_holds(&pw.exclusions, ctx) {
                return Err(Vec::new());
            }
        } else {
            let excluded = exclusions_that_hold(&pw.exclusions, ctx, &mut undecided);
            if !excluded.is_empty() {
                return Err(excluded);
            }
        }
        let mut reasons = Vec::new();
        let mut unknown_rules = false;
        for (i, rule) in pw.rules.iter().enumerate() {
            match rule.compiled.evaluate(ctx) {
                (Tri::True, _) => {
                    if explain && !blocked {
                        for (ex, part) in &undecided {
                            warnings.push(Warning {
                                code: WarningCode::ExclusionUnknown,
                                message: exclusion_unknown_message(ex, *part),
                            });
                            needs.add_rule(ex, ctx, &[pw.pathway], true);
                        }
                    }
                    return Ok(rule.id.clone());
                }
                (t, Some(part)) => {
                    unknown_rules |= t == Tri::Unknown;
                    if explain {
                        // At most one reason for each rule left.
                        let left = pw.rules.len().saturating_sub(i);
                        push_sized(&mut reasons, reason(rule, part, t, ctx), left);
                    }
                }
                (_, None) => {}
            }
        }
        if explain && unknown_rules && !blocked {
            for rule in &pw.rules {
                needs.add_rule(rule, ctx, &[pw.pathway], false);
            }
        }
        Err(reasons)
    }

    /// The charge hold's deadline: the term after the encounter, in the program's zone. Every
    /// calendar sum is checked; an encounter outside the accepted times (one built in code:
    /// readers refuse it) gets no deadline rather than a panic. The simulation asks for it
    /// for each encounter whose remembered route says a hold applies (`memo`).
    pub(crate) fn charge_hold(&self, enc: &Encounter) -> Option<ChargeHold> {
        let p = &*self.program;
        let term = p.charge_hold_term?;
        if time_problem(&enc.at).is_some() {
            return None;
        }
        // Whole days are calendar days in the program's zone (the clock time is kept across a
        // daylight-saving change); any remainder is added as elapsed time.
        let offset = enc.at.with_timezone(&p.tz).offset().fix();
        let local = enc.at.naive_utc().checked_add_offset(offset)?;
        let days = u64::try_from(term.checked_div(86_400)?).unwrap_or(0);
        let rest = TimeDelta::try_seconds(term.checked_rem(86_400)?)?;
        let naive = local.checked_add_days(Days::new(days))?;
        let shifted = p.tz.from_local_datetime(&naive).earliest().or_else(|| {
            let after_gap = naive.checked_add_signed(TimeDelta::try_hours(1)?)?;
            p.tz.from_local_datetime(&after_gap).earliest()
        })?;
        // Terms are at most MAX_TERM_DAYS and encounter times lie in the accepted range, so
        // this cannot run past the calendar; it is checked all the same, so no input panics.
        let deadline = shifted.checked_add_signed(rest)?.fixed_offset();
        Some(ChargeHold {
            term: p
                .charge_hold_text
                .clone()
                .unwrap_or_else(|| Text::pooled("")),
            deadline,
        })
    }

    fn check_attributes(&self, enc: &Encounter, warnings: &mut Vec<Warning>) {
        use crate::domain::AttributeValue as A;
        // An undeclared attribute's name is whatever the records system put in a key: it is
        // counted, never copied into the decision.
        let mut undeclared = 0usize;
        for (name, value) in &enc.attributes {
            let Some(info) = self.program.env.attrs.iter().find(|a| &a.name == name) else {
                undeclared = undeclared.saturating_add(1);
                continue;
            };
            let ok = match (info.kind, value) {
                (AttrKind::Bool, A::Bool(_))
                | (AttrKind::Int, A::Int(_))
                | (AttrKind::Number, A::Int(_) | A::Number(_))
                | (AttrKind::Text, A::Text(_)) => true,
                (AttrKind::Enum, A::Text(s)) => info.values.iter().any(|v| v == s),
                _ => false,
            };
            if !ok {
                let expected = match info.kind {
                    AttrKind::Bool => "bool".to_string(),
                    AttrKind::Int => "int".to_string(),
                    AttrKind::Number => "number".to_string(),
                    AttrKind::Text => "text".to_string(),
                    AttrKind::Enum => format!("one of {}", info.values.join(", ")),
                };
                warnings.push(Warning {
                    code: WarningCode::AttributeType,
                    message: format!(
                        "attribute `{name}` should be {expected} but is {}; rules reading it treat it as not recorded",
                        crate::rules::compile::with_article(value.type_name())
                    )
                    .into(),
                });
            }
        }
        if undeclared > 0 {
            warnings.push(Warning {
                code: WarningCode::AttributeUndeclared,
                message: format!(
                    "{undeclared} {} not declared by the program {} ignored; it declares {}",
                    if undeclared == 1 {
                        "attribute"
                    } else {
                        "attributes"
                    },
                    if undeclared == 1 { "was" } else { "were" },
                    self.program.declared_attributes
                )
                .into(),
            });
        }
    }

    /// Checks an encounter ([`Encounter::validate`]: its id, its times within
    /// [`FIRST_YEAR`](crate::domain::FIRST_YEAR)..[`END_YEAR`](crate::domain::END_YEAR), its
    /// place on the globe) and routes it. [`Router::route`] skips the check: an encounter read
    /// by [`Encounter::from_json`] or a binding has passed it already.
    ///
    /// ```
    /// # use offramp::{Encounter, Program, Router};
    /// # let program = Program::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/programs/lead-king-county.toml")).unwrap();
    /// let router = Router::new(program);
    /// let mut e = Encounter::from_json(r#"{"id":"e-1","at":"2026-03-02T14:05:00-08:00"}"#).unwrap();
    /// assert!(router.try_route(&e).is_ok());
    /// e.at = chrono::DateTime::parse_from_rfc3339("1850-01-01T00:00:00Z").unwrap();
    /// assert_eq!(router.try_route(&e).unwrap_err().field(), "at");
    /// ```
    pub fn try_route(&self, enc: &Encounter) -> Result<Decision, EncounterError> {
        enc.validate()?;
        Ok(self.route(enc))
    }

    /// Routes many encounters on all cores, each on its own: one answer per encounter, in input
    /// order. An encounter that fails its check ([`Router::try_route`]) gets its error, and
    /// every other is decided exactly as [`Router::route`] decides it alone.
    ///
    /// ```
    /// # use offramp::{Encounter, Program, Router};
    /// # let program = Program::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/programs/lead-king-county.toml")).unwrap();
    /// let router = Router::new(program);
    /// let good = Encounter::from_json(r#"{"id":"e-1","at":"2026-03-02T14:05:00-08:00"}"#).unwrap();
    /// let mut bad = good.clone();
    /// bad.id = String::new();
    /// let answers = router.route_batch(&[good.clone(), bad, good]);
    /// assert!(answers[0].is_ok() && answers[2].is_ok());
    /// assert_eq!(answers[1].as_ref().unwrap_err().field(), "id");
    /// ```
    pub fn route_batch(&self, encounters: &[Encounter]) -> Vec<Result<Decision, EncounterError>> {
        encounters
            .par_iter()
            .with_min_len(256)
            .map(|e| {
                // A batch keeps every decision: none keeps room in its lists it does not use.
                self.route_isolated(e).map(|mut d| {
                    d.compact();
                    d
                })
            })
            .collect()
    }

    /// [`Router::try_route`], with a panic (a bug: routing is meant never to panic) turned into
    /// this encounter's error, so that it cannot take the rest of a batch with it.
    fn route_isolated(&self, enc: &Encounter) -> Result<Decision, EncounterError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.try_route(enc)))
            .unwrap_or_else(|_| Err(EncounterError::internal()))
    }
}

/// A capacity update named a service that is not in the router's directory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("service `{0}` is not in the directory")]
pub struct UnknownService(pub String);

const ALL_RESPONDERS: u8 = (1 << crate::domain::Responder::ALL.len()) - 1;

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_objects_are_send_and_sync() {
        assert_send_sync::<Router>();
        assert_send_sync::<Program>();
        assert_send_sync::<Decision>();
    }

    /// Issue 10: an undeclared attribute's name (free text from a records system) was copied
    /// into the decision.
    #[test]
    fn undeclared_attributes_are_counted_not_named() {
        let program = Program::from_toml(
            "[program]\nid = \"p\"\njurisdiction = \"X\"\ntimezone = \"UTC\"\n\
             [attributes.screening]\ntype = \"text\"\n[attributes.prior]\ntype = \"int\"\n\
             [[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"r\"\nwhen = \"true\"\n",
            "p.toml",
        )
        .unwrap();
        let router = Router::new(program);
        let enc = Encounter::from_json(
            r#"{"id":"e","at":"2026-03-02T10:00:00Z","attributes":{"Jane Doe 555-0100":1,"officer_note_jd":"x","prior":"two"}}"#,
        )
        .unwrap();
        let d = router.route(&enc);
        let undeclared: Vec<&Warning> = d
            .warnings
            .iter()
            .filter(|w| w.code == WarningCode::AttributeUndeclared)
            .collect();
        assert_eq!(undeclared.len(), 1, "{:?}", d.warnings);
        assert_eq!(
            &*undeclared[0].message,
            "2 attributes not declared by the program were ignored; it declares `prior`, `screening`"
        );
        let json = d.to_json().unwrap();
        assert!(
            !json.contains("Jane") && !json.contains("officer_note"),
            "{json}"
        );
        // A declared attribute of the wrong type is still named: the name is the program's.
        assert!(
            d.warnings
                .iter()
                .any(|w| w.code == WarningCode::AttributeType && w.message.contains("`prior`"))
        );
    }
}

#[cfg(test)]
mod chargeability_tests {
    use super::*;

    const PROGRAM: &str = r#"
[program]
id = "p"
jurisdiction = "X"
timezone = "UTC"
[law]
good_samaritan = true
[[amnesty]]
id = "station-turn-in"
when = 'drug and source == self_initiated'
because = "turned in at the station"
[[pathways]]
pathway = "officer_intervention"
[[pathways.rules]]
id = "any-drug"
when = "any offenses (drug)"
[[pathways]]
pathway = "first_responder_referral"
[[pathways.rules]]
id = "anyone"
when = "true"
"#;

    fn route(json: &str) -> Decision {
        let router = Router::new(Program::from_toml(PROGRAM, "p.toml").unwrap());
        router.route(&Encounter::from_json(json).unwrap())
    }

    fn codes(d: &Decision) -> Vec<&str> {
        d.warnings.iter().map(|w| w.code.as_str()).collect()
    }

    /// Issue 11: an amnesty that reads a field not recorded covers nothing, and says so.
    #[test]
    fn an_amnesty_that_cannot_be_decided_leaves_the_offence_chargeable() {
        let d = route(
            r#"{"id":"e","at":"2026-03-02T10:00:00Z","responder":"law_enforcement","offenses":[{"nibrs":"35A","level":"misdemeanor"}]}"#,
        );
        assert_eq!(d.disposition, Disposition::PreArrestDiversion);
        assert_eq!(d.eligible[0].pathway, Pathway::OfficerIntervention);
        assert_eq!(codes(&d), ["amnesty_unknown"]);
        assert_eq!(
            &*d.warnings[0].message,
            "amnesty `station-turn-in` could not be checked: `source` not recorded for offence 1 (35A); the offence is treated as chargeable"
        );
    }

    #[test]
    fn an_amnesty_names_itself_and_its_reason() {
        let d = route(
            r#"{"id":"e","at":"2026-03-02T10:00:00Z","responder":"law_enforcement","source":"self_initiated","offenses":[{"nibrs":"35B","level":"misdemeanor"}]}"#,
        );
        assert_eq!(d.disposition, Disposition::Deflection);
        assert_eq!(d.eligible.len(), 1);
        assert_eq!(
            d.ineligible[0].reasons[0].rule.as_str(),
            "officer_intervention.chargeable"
        );
        // What the pathway's own rule said follows: here it would have admitted.
        assert_eq!(d.ineligible[0].reasons.len(), 1);
        assert_eq!(
            &*d.warnings[0].message,
            "offence 1 (35B, Drug Equipment Violations) is not chargeable under amnesty `station-turn-in`: turned in at the station"
        );
        assert!(
            d.explain()
                .contains("officer intervention needs a chargeable offence")
        );
    }

    /// Issue 11: Good Samaritan immunity covers possession and use, not a sale.
    #[test]
    fn good_samaritan_covers_possession_not_selling() {
        let at = r#""id":"e","at":"2026-03-02T10:00:00Z","responder":"law_enforcement","source":"call_for_service","overdose":{"at":"2026-03-02T09:30:00Z"}"#;
        let d = route(&format!(
            r#"{{{at},"offenses":[{{"nibrs":"35A","level":"misdemeanor","activity":["possessing","using"]}}]}}"#
        ));
        assert_eq!(d.disposition, Disposition::Deflection);
        assert_eq!(codes(&d), ["good_samaritan"]);
        let d = route(&format!(
            r#"{{{at},"offenses":[{{"nibrs":"35A","level":"misdemeanor","activity":["possessing","distributing"]}}]}}"#
        ));
        assert_eq!(d.disposition, Disposition::PreArrestDiversion);
        assert_eq!(d.eligible[0].pathway, Pathway::OfficerIntervention);
    }

    /// Issue 11: an infraction is not chargeable, so officer intervention is not offered.
    #[test]
    fn infractions_are_not_chargeable() {
        let d = route(
            r#"{"id":"e","at":"2026-03-02T10:00:00Z","responder":"law_enforcement","source":"on_view","offenses":[{"nibrs":"35B","level":"infraction"}]}"#,
        );
        assert_eq!(d.disposition, Disposition::Deflection);
        assert_eq!(d.eligible[0].pathway, Pathway::FirstResponderReferral);
        assert!(
            d.ineligible[0].reasons[0]
                .because
                .contains("no recorded offence is chargeable")
        );
    }

    /// Issue 11: a recorded `violent` that contradicts the code table is kept, with a warning.
    #[test]
    fn recorded_violence_is_kept_and_a_contradiction_warned() {
        let d = route(
            r#"{"id":"e","at":"2026-03-02T10:00:00Z","responder":"law_enforcement","source":"on_view","offenses":[{"nibrs":"13B","level":"misdemeanor","violent":false},{"nibrs":"35A","level":"misdemeanor","violent":true},{"nibrs":"13A","level":"felony"}]}"#,
        );
        let contradictions: Vec<&str> = d
            .warnings
            .iter()
            .filter(|w| w.code == WarningCode::ViolenceContradictsCode)
            .map(|w| &*w.message)
            .collect();
        assert_eq!(
            contradictions,
            [
                "offence 1 (13B, Simple Assault) is recorded as not violent, but the code table reads 13B as violent; the recorded value is used",
                "offence 2 (35A, Drug/Narcotic Violations) is recorded as violent, but the code table reads 35A as not violent; the recorded value is used",
            ]
        );
    }

    #[test]
    fn a_rule_reads_chargeable() {
        let program = PROGRAM.replace(
            "when = \"true\"",
            "when = \"not any offenses (chargeable)\"",
        );
        let router = Router::new(Program::from_toml(&program, "p.toml").unwrap());
        let d = router.route(
            &Encounter::from_json(
                r#"{"id":"e","at":"2026-03-02T10:00:00Z","responder":"law_enforcement","source":"self_initiated","offenses":[{"nibrs":"35A","level":"felony"}]}"#,
            )
            .unwrap(),
        );
        assert_eq!(d.disposition, Disposition::Deflection);
        assert_eq!(d.eligible[0].rule.as_str(), "anyone");
    }
}
