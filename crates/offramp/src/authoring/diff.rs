//! What changed between two versions of a program, and which decisions change with it.
//!
//! [`ProgramDiff::between`] compares two loaded programs: pathways added, removed or moved
//! to another rank; rules, exclusions and amnesties added, removed, changed or renamed; and
//! every setting that decides something (law switches, windows, the charge-hold term, the
//! time zone, declared attributes, responders, provider needs, status). Rules are compared in
//! canonical form (the rule as offramp prints it back), so a rule written differently but
//! meaning the same is not a change. Words that decide nothing (a reason's `because`, a
//! description, the program's name) are reported apart, as wording.
//!
//! [`diff_decisions`] (with [`diff_decision_lines`] for JSON lines and [`diff_scenarios`] for
//! a scenario file's encounters) routes encounters under both versions and counts the
//! decisions that change, by transition of the first pathway offered
//! (`none -> officer_intervention: 41`), with a few encounter ids (or scenario names) for each.
//! [`is_scenario_file`] says which of the two readers a file of encounters is for.
//!
//! ```
//! use offramp::authoring::diff::{ProgramDiff, RuleKind};
//! use offramp::Program;
//!
//! let old = Program::from_toml(r#"
//! [program]
//! id = "demo"
//! jurisdiction = "Example County"
//! timezone = "America/Chicago"
//! [[pathways]]
//! pathway = "self_referral"
//! [[pathways.rules]]
//! id = "adult"
//! when = "age >= 18"
//! "#, "old.toml").unwrap();
//! // The same rule, written differently, and a new law switch.
//! let new = Program::from_toml(r#"
//! [program]
//! id = "demo"
//! jurisdiction = "Example County"
//! timezone = "America/Chicago"
//! [law]
//! good_samaritan = true
//! [[pathways]]
//! pathway = "self_referral"
//! [[pathways.rules]]
//! id = "adult"
//! when = "(age>=18)"
//! "#, "new.toml").unwrap();
//! let diff = ProgramDiff::between(&old, &new);
//! assert!(diff.rules.is_empty());
//! assert_eq!(diff.settings[0].key, "law.good_samaritan");
//! assert_eq!(diff.settings[0].new.as_deref(), Some("on"));
//! ```

use std::collections::BTreeMap;
use std::io::{self, BufRead};
use std::path::Path;

use serde::Serialize;

use super::scenarios::{Scenario, ScenarioFile};
use crate::domain::{Disposition, Encounter, EncounterError, Pathway};
use crate::lines::{Line, LineProblem, Lines};
use crate::program::{
    AttributeSpec, AttributeType, ChargeHoldSpec, CompiledRule, LawSwitches, PathwaySpec, Program,
    ProgramInfo, ProgramSpec, ProgramStatus, ProviderNeedsSpec, RuleSpec, ServiceArea, Windows,
};
use crate::router::{Decision, Router};
use crate::rules::format_duration;
use crate::vocab::vocabulary;

/// The most encounter ids kept as examples of one transition of decisions.
pub const MAX_EXAMPLES: usize = 5;

/// The most encounters that could not be routed kept with their line and reason; the others
/// are counted in [`DecisionChanges::failed`].
pub const MAX_FAILURES_KEPT: usize = 100;

/// Encounters are read and routed this many at a time, so that a large file is compared in
/// bounded memory on all cores.
const CHUNK: usize = 4_096;

/// Everything that changed between two versions of a program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramDiff {
    /// The first version.
    pub old: Version,
    /// The second version.
    pub new: Version,
    /// Pathways added, removed or moved to another rank.
    pub pathways: PathwayChanges,
    /// Rules, exclusions and amnesties added, removed, changed or renamed, in the order of
    /// the programs (program-wide exclusions, each pathway's rules and exclusions, amnesties).
    pub rules: Vec<RuleChange>,
    /// Settings that decide something: law switches, windows, terms, time zone, status,
    /// declared attributes, and each pathway's responders, charge hold and provider needs.
    pub settings: Vec<SettingChange>,
    /// Words that decide nothing: reasons (`because`), descriptions, names, sources.
    pub wording: Vec<SettingChange>,
    /// The decisions that change, when encounters were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decisions: Option<DecisionChanges>,
}

/// Which version of a program one side of a diff is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The program's id.
    pub id: String,
    /// Its version label (`[program] version`), if it has one.
    pub version: Option<String>,
    /// The content hash of the compiled program ([`Program::hash`]).
    pub hash: String,
}

/// A pathway with its rank (1 for the pathway offered first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RankedPathway {
    /// The pathway.
    pub pathway: Pathway,
    /// Its rank in the version that offers it.
    pub rank: usize,
}

/// A pathway both versions offer, at different ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rerank {
    /// The pathway.
    pub pathway: Pathway,
    /// Its rank in the first version.
    pub old_rank: usize,
    /// Its rank in the second version.
    pub new_rank: usize,
}

/// Pathways added, removed or moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PathwayChanges {
    /// Offered by the second version only, with their rank there.
    pub added: Vec<RankedPathway>,
    /// Offered by the first version only, with their rank there.
    pub removed: Vec<RankedPathway>,
    /// Offered by both at different ranks (every rank that changed, including moves caused
    /// by a pathway added or removed above).
    pub reranked: Vec<Rerank>,
}

impl PathwayChanges {
    /// True when the same pathways are offered in the same order.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.reranked.is_empty()
    }
}

vocabulary! {
    /// What kind of rule a [`RuleChange`] is about.
    pub enum RuleKind: "rule kind" {
        /// An eligibility rule of a pathway: any one that holds admits.
        Rule = "rule",
        /// An exclusion, of one pathway or (with no pathway) of the whole program.
        Exclusion = "exclusion",
        /// An amnesty: a promise not to charge an offence.
        Amnesty = "amnesty",
    }
}

vocabulary! {
    /// How a rule changed between two versions.
    pub enum ChangeKind: "change" {
        /// Only the second version has it.
        Added = "added",
        /// Only the first version has it.
        Removed = "removed",
        /// Both have a rule of this id, with different conditions.
        Changed = "changed",
        /// The same condition under another id.
        Renamed = "renamed",
    }
}

/// One rule, exclusion or amnesty that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// The pathway it belongs to; `None` for a program-wide exclusion and for an amnesty.
    pub pathway: Option<Pathway>,
    /// Rule, exclusion or amnesty.
    pub kind: RuleKind,
    /// What changed.
    pub change: ChangeKind,
    /// Its id (in the second version, for a rename; in the first, for a removal).
    pub id: String,
    /// Its id in the first version, when it was renamed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_id: Option<String>,
    /// Its condition in the first version, in canonical form.
    pub old: Option<String>,
    /// Its condition in the second version, in canonical form.
    pub new: Option<String>,
}

/// One setting (or piece of wording) that differs, named by its key in the program file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChange {
    /// The key, as written in the file: `law.good_samaritan`, `windows.naloxone_plus`,
    /// `pathways.officer_intervention.responders`, `exclusions.violent.because`. A pathway is
    /// named by its name rather than its position, a rule by its id.
    pub key: String,
    /// Its value in the first version, normalised (`on`, `72h`); `None` when not set.
    pub old: Option<String>,
    /// Its value in the second version; `None` when not set.
    pub new: Option<String>,
}

impl ProgramDiff {
    /// Compares two versions of a program. Decisions are not compared: see
    /// [`diff_decisions`], whose result goes in [`ProgramDiff::decisions`].
    pub fn between(old: &Program, new: &Program) -> ProgramDiff {
        let (old_settings, old_words) = facts(old);
        let (new_settings, new_words) = facts(new);
        ProgramDiff {
            old: Version::of(old),
            new: Version::of(new),
            pathways: pathway_changes(old, new),
            rules: rule_changes(old, new),
            settings: compare(old_settings, new_settings),
            wording: compare(old_words, new_words),
            decisions: None,
        }
    }

    /// True when the two versions decide alike and say the same: nothing is listed. (The
    /// hashes may still differ, as they cover the version label too.)
    pub fn is_empty(&self) -> bool {
        self.pathways.is_empty()
            && self.rules.is_empty()
            && self.settings.is_empty()
            && self.wording.is_empty()
            && self.decisions.as_ref().is_none_or(|d| d.changed == 0)
    }

    /// The diff as JSON, as `offramp diff --format json` writes it.
    ///
    /// # Errors
    /// When a value cannot be written as JSON (a diff's types leave none).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

impl Version {
    fn of(p: &Program) -> Version {
        Version {
            id: p.id().to_string(),
            version: p.spec().program.version.clone(),
            hash: p.hash().to_string(),
        }
    }
}

fn pathway_changes(old: &Program, new: &Program) -> PathwayChanges {
    let rank_in = |p: &Program, pw: Pathway| {
        p.pathways()
            .position(|x| x == pw)
            .map(|i| i.saturating_add(1))
    };
    let mut changes = PathwayChanges::default();
    for (i, pw) in old.pathways().enumerate() {
        let old_rank = i.saturating_add(1);
        match rank_in(new, pw) {
            None => changes.removed.push(RankedPathway {
                pathway: pw,
                rank: old_rank,
            }),
            Some(new_rank) if new_rank != old_rank => changes.reranked.push(Rerank {
                pathway: pw,
                old_rank,
                new_rank,
            }),
            Some(_) => {}
        }
    }
    for (i, pw) in new.pathways().enumerate() {
        if rank_in(old, pw).is_none() {
            changes.added.push(RankedPathway {
                pathway: pw,
                rank: i.saturating_add(1),
            });
        }
    }
    changes
}

/// The rules of one kind at one place of a program: id and canonical condition, in order.
type RuleList = Vec<(String, String)>;

/// Every place rules sit in a program, in the program's order: program-wide exclusions, each
/// pathway's rules and exclusions, amnesties.
fn rule_places(p: &Program) -> Vec<((Option<Pathway>, RuleKind), RuleList)> {
    let list = |rules: &[CompiledRule]| -> RuleList {
        rules
            .iter()
            .map(|r| (r.id.to_string(), r.compiled.canonical.to_string()))
            .collect()
    };
    let mut places = vec![((None, RuleKind::Exclusion), list(&p.exclusions))];
    for pw in &p.pathways {
        places.push(((Some(pw.pathway), RuleKind::Rule), list(&pw.rules)));
        places.push((
            (Some(pw.pathway), RuleKind::Exclusion),
            list(&pw.exclusions),
        ));
    }
    places.push((
        (None, RuleKind::Amnesty),
        p.amnesties
            .iter()
            .map(|a| (a.id.to_string(), a.compiled.canonical.to_string()))
            .collect(),
    ));
    places
}

fn rule_changes(old: &Program, new: &Program) -> Vec<RuleChange> {
    let old_places: BTreeMap<_, _> = rule_places(old).into_iter().collect();
    let new_places = rule_places(new);
    // Places in the second version's order, then those only the first version has.
    let mut order: Vec<(Option<Pathway>, RuleKind)> = new_places.iter().map(|(k, _)| *k).collect();
    let new_places: BTreeMap<_, _> = new_places.into_iter().collect();
    for ((pw, kind), _) in rule_places(old) {
        if !new_places.contains_key(&(pw, kind)) {
            order.push((pw, kind));
        }
    }
    let empty = RuleList::new();
    let mut out = Vec::new();
    for place in order {
        let before = old_places.get(&place).unwrap_or(&empty);
        let after = new_places.get(&place).unwrap_or(&empty);
        place_changes(place, before, after, &mut out);
    }
    out
}

/// The changes at one place: by id first, then a removed and an added rule with the same
/// condition are one rule renamed.
fn place_changes(
    (pathway, kind): (Option<Pathway>, RuleKind),
    before: &RuleList,
    after: &RuleList,
    out: &mut Vec<RuleChange>,
) {
    let change = |change, id: &str, old: Option<&String>, new: Option<&String>| RuleChange {
        pathway,
        kind,
        change,
        id: id.to_string(),
        old_id: None,
        old: old.cloned(),
        new: new.cloned(),
    };
    let mut removed: Vec<&(String, String)> = Vec::new();
    for entry in before {
        let (id, canonical) = entry;
        match find(after, id) {
            Some(now) if now != canonical => {
                out.push(change(ChangeKind::Changed, id, Some(canonical), Some(now)));
            }
            Some(_) => {}
            None => removed.push(entry),
        }
    }
    let mut added: Vec<&(String, String)> = after
        .iter()
        .filter(|(id, _)| find(before, id).is_none())
        .collect();
    for (id, canonical) in removed {
        match added.iter().position(|(_, c)| c == canonical) {
            Some(i) => {
                let (new_id, _) = added.remove(i);
                let mut c = change(
                    ChangeKind::Renamed,
                    new_id,
                    Some(canonical),
                    Some(canonical),
                );
                c.old_id = Some(id.clone());
                out.push(c);
            }
            None => out.push(change(ChangeKind::Removed, id, Some(canonical), None)),
        }
    }
    for (id, canonical) in added {
        out.push(change(ChangeKind::Added, id, None, Some(canonical)));
    }
}

/// Keys of a program file with their normalised values.
type Facts = Vec<(String, String)>;

/// A program's settings that decide something, and its words that do not, each as a key and
/// a normalised value. Every field of the spec is taken apart here with no `..`, so a field
/// added to the file format does not compile until it is placed in one list or the other.
fn facts(p: &Program) -> (Facts, Facts) {
    let mut settings = Facts::new();
    let mut words = Facts::new();
    let ProgramSpec {
        program,
        law,
        windows,
        charge_hold,
        attributes,
        exclusions,
        amnesty,
        pathways,
        service_area,
    } = p.spec();
    let ProgramInfo {
        id,
        name,
        jurisdiction,
        timezone: _, // compared as the zone it names, below
        version: _,  // a label: shown beside each version, not compared
        description,
        sources,
        status,
        ended,
    } = program;
    set(&mut settings, "program.id".into(), Some(id.clone()));
    set(
        &mut settings,
        "program.timezone".into(),
        Some(p.timezone().name().to_string()),
    );
    set(
        &mut settings,
        "program.status".into(),
        Some(status.unwrap_or(ProgramStatus::Active).as_str().to_string()),
    );
    set(&mut settings, "program.ended".into(), ended.clone());
    set(&mut words, "program.name".into(), name.clone());
    set(
        &mut words,
        "program.jurisdiction".into(),
        Some(jurisdiction.clone()),
    );
    set(
        &mut words,
        "program.description".into(),
        description.clone(),
    );
    set(
        &mut words,
        "program.sources".into(),
        (!sources.is_empty()).then(|| sources.join("; ")),
    );
    let LawSwitches {
        good_samaritan,
        citation_authority,
        protective_custody,
        emergency_mental_health_hold,
    } = law;
    for (name, on) in [
        ("good_samaritan", good_samaritan),
        ("citation_authority", citation_authority),
        ("protective_custody", protective_custody),
        ("emergency_mental_health_hold", emergency_mental_health_hold),
    ] {
        set(
            &mut settings,
            format!("law.{name}"),
            Some(if *on { "on" } else { "off" }.into()),
        );
    }
    // Windows and terms as the program reads them (`3d` and `72h` are the same window).
    let Windows { naloxone_plus: _ } = windows;
    set(
        &mut settings,
        "windows.naloxone_plus".into(),
        Some(format_duration(p.env.naloxone_window)),
    );
    if let Some(ChargeHoldSpec { term: _ }) = charge_hold {
        set(
            &mut settings,
            "charge_hold.term".into(),
            p.charge_hold_term.map(format_duration),
        );
    }
    for (aname, a) in attributes {
        let AttributeSpec {
            ty,
            values,
            reporting_only,
            description,
        } = a;
        let ty = match ty {
            AttributeType::Bool => "bool",
            AttributeType::Int => "int",
            AttributeType::Number => "number",
            AttributeType::Text => "text",
            AttributeType::Enum => "enum",
        };
        let mut value = ty.to_string();
        if !values.is_empty() {
            value.push_str(&format!(" [{}]", values.join(", ")));
        }
        if *reporting_only {
            value.push_str(", reporting only");
        }
        set(&mut settings, format!("attributes.{aname}"), Some(value));
        set(
            &mut words,
            format!("attributes.{aname}.description"),
            description.clone(),
        );
    }
    because(&mut words, exclusions, "exclusions");
    because(&mut words, amnesty, "amnesty");
    for (spec, compiled) in pathways.iter().zip(&p.pathways) {
        let PathwaySpec {
            pathway,
            responders,
            charge_hold: _, // compared as the pathway holds charges or not, below
            description,
            rules,
            exclusions,
            providers,
        } = spec;
        let at = format!("pathways.{pathway}");
        let mut who: Option<Vec<String>> = responders
            .as_ref()
            .map(|l| l.iter().map(|r| r.as_str().to_string()).collect());
        if let Some(list) = &mut who {
            list.sort();
            list.dedup();
        }
        set(
            &mut settings,
            format!("{at}.responders"),
            Some(who.map_or_else(|| "any responder".into(), |l| l.join(", "))),
        );
        set(
            &mut settings,
            format!("{at}.charge_hold"),
            Some(if compiled.charge_hold { "on" } else { "off" }.into()),
        );
        if let Some(ProviderNeedsSpec {
            kinds,
            prefer,
            partners,
            max_distance_km,
            limit,
        }) = providers
        {
            let names = |l: &[crate::providers::ServiceKind]| {
                (!l.is_empty()).then(|| {
                    l.iter()
                        .map(|k| k.as_str().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
            };
            set(&mut settings, format!("{at}.providers.kinds"), names(kinds));
            set(
                &mut settings,
                format!("{at}.providers.prefer"),
                names(prefer),
            );
            set(
                &mut settings,
                format!("{at}.providers.partners"),
                (!partners.is_empty()).then(|| partners.join(", ")),
            );
            set(
                &mut settings,
                format!("{at}.providers.max_distance_km"),
                max_distance_km.map(|d| d.to_string()),
            );
            set(
                &mut settings,
                format!("{at}.providers.limit"),
                limit.map(|l| l.to_string()),
            );
        }
        set(&mut words, format!("{at}.description"), description.clone());
        because(&mut words, rules, &format!("{at}.rules"));
        because(&mut words, exclusions, &format!("{at}.exclusions"));
    }
    if let Some(ServiceArea { max_distance_km }) = service_area {
        set(
            &mut settings,
            "service_area.max_distance_km".into(),
            Some(max_distance_km.to_string()),
        );
    }
    (settings, words)
}

/// The condition of the rule `id` in `list`.
fn find<'a>(list: &'a RuleList, id: &str) -> Option<&'a String> {
    list.iter().find(|(i, _)| i == id).map(|(_, c)| c)
}

/// Adds `key` with its value to `list`, when it has one.
fn set(list: &mut Facts, key: String, value: Option<String>) {
    if let Some(v) = value {
        list.push((key, v));
    }
}

/// Adds each rule's `because`, keyed by the rule's id under `at`, to `words`.
fn because(words: &mut Facts, list: &[RuleSpec], at: &str) {
    for RuleSpec {
        id,
        when: _, // compared in canonical form, as rules
        because,
    } in list
    {
        set(words, format!("{at}.{id}.because"), because.clone());
    }
}

/// The keys whose values differ: in the second list's order, then keys only the first has.
fn compare(old: Facts, new: Facts) -> Vec<SettingChange> {
    let before: BTreeMap<&str, &str> = old.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let after: BTreeMap<&str, &str> = new.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut out: Vec<SettingChange> = new
        .iter()
        .filter(|(k, v)| before.get(k.as_str()) != Some(&v.as_str()))
        .map(|(k, v)| SettingChange {
            key: k.clone(),
            old: before.get(k.as_str()).map(|s| s.to_string()),
            new: Some(v.clone()),
        })
        .collect();
    out.extend(
        old.iter()
            .filter(|(k, _)| !after.contains_key(k.as_str()))
            .map(|(k, v)| SettingChange {
                key: k.clone(),
                old: Some(v.clone()),
                new: None,
            }),
    );
    out
}

// ----------------------------------------------------------------------------- decisions

/// What a decision offers, as far as a diff of decisions compares it: the eligible pathways
/// in rank order and the disposition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Outcome {
    /// The eligible pathways, best first.
    pub eligible: Vec<Pathway>,
    /// Deflection, pre-arrest diversion, or none.
    pub disposition: Disposition,
}

impl Outcome {
    /// The outcome of a decision.
    pub fn of(d: &Decision) -> Outcome {
        Outcome {
            eligible: d.eligible.iter().map(|e| e.pathway).collect(),
            disposition: d.disposition,
        }
    }

    /// The first pathway offered, or `none`.
    pub fn first(&self) -> &'static str {
        self.eligible.first().map_or("none", |p| p.as_str())
    }
}

/// Decisions whose first pathway changed from one pathway (or `none`) to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The first pathway offered under the first version, or `none`.
    pub from: String,
    /// The first pathway offered under the second version, or `none`.
    pub to: String,
    /// How many encounters.
    pub count: usize,
    /// The ids of the first of them, at most [`MAX_EXAMPLES`]; for a scenario file's
    /// encounters, the scenarios' names.
    pub examples: Vec<String>,
}

/// Decisions whose first pathway stayed the same while the other eligible pathways or the
/// disposition changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherChange {
    /// The first pathway offered under both versions, or `none`.
    pub first: String,
    /// What the first version decided.
    pub from: Outcome,
    /// What the second version decides.
    pub to: Outcome,
    /// How many encounters.
    pub count: usize,
    /// The ids of the first of them, at most [`MAX_EXAMPLES`]; for a scenario file's
    /// encounters, the scenarios' names.
    pub examples: Vec<String>,
}

/// An encounter that could not be read or routed. It names the place and the field, never a
/// value from the encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncounterFailure {
    /// Its 1-based line in a file of JSON lines, or position in a list (in a scenario file,
    /// the scenario's position among the file's scenarios).
    pub line: usize,
    /// The name of the scenario it belongs to, for a scenario file's encounters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// The encounter field at fault, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// How the decisions for a set of encounters change from one version to the other.
///
/// A decision changes when its eligible pathways (in rank order) or its disposition differ.
/// Each changed decision is counted once: under [`DecisionChanges::first_pathway`] when the
/// first pathway offered differs (the transition `none -> officer_intervention`), otherwise
/// under [`DecisionChanges::other`]. Both lists are sorted by count, largest first. Reasons,
/// warnings, provider options and charge-hold deadlines are not compared; a changed window or
/// term is reported among the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DecisionChanges {
    /// Encounters routed under both versions.
    pub compared: usize,
    /// Of those, how many decisions changed.
    pub changed: usize,
    /// Changes of the first pathway offered, by transition.
    pub first_pathway: Vec<Transition>,
    /// Changes that keep the first pathway, by old and new outcome.
    pub other: Vec<OtherChange>,
    /// Encounters that could not be read or routed.
    pub failed: usize,
    /// The first of them, at most [`MAX_FAILURES_KEPT`].
    pub failures: Vec<EncounterFailure>,
}

/// A count and the first few encounter ids.
#[derive(Default)]
struct Tally {
    count: usize,
    examples: Vec<String>,
}

impl Tally {
    fn add(&mut self, id: &str) {
        self.count = self.count.saturating_add(1);
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(id.to_string());
        }
    }
}

/// Counts decision changes as encounters are routed, chunk by chunk.
struct Counter<'a> {
    old: &'a Router,
    new: &'a Router,
    /// The scenarios the encounters come from, when they come from a scenario file: their
    /// names stand for the encounters, by position.
    scenarios: Option<&'a [Scenario]>,
    result: DecisionChanges,
    firsts: BTreeMap<(&'static str, &'static str), Tally>,
    others: BTreeMap<(Outcome, Outcome), Tally>,
}

impl<'a> Counter<'a> {
    fn new(old: &'a Router, new: &'a Router) -> Counter<'a> {
        Counter {
            old,
            new,
            scenarios: None,
            result: DecisionChanges::default(),
            firsts: BTreeMap::new(),
            others: BTreeMap::new(),
        }
    }

    fn fail(&mut self, failure: EncounterFailure) {
        self.result.failed = self.result.failed.saturating_add(1);
        if self.result.failures.len() < MAX_FAILURES_KEPT {
            self.result.failures.push(failure);
        }
    }

    /// The name of the scenario at 1-based position `line`, for a scenario file's encounters.
    fn scenario(&self, line: usize) -> Option<&'a str> {
        let scenarios = self.scenarios?;
        scenarios.get(line.checked_sub(1)?).map(|s| s.name.as_str())
    }

    fn encounter_failed(&mut self, line: usize, e: &EncounterError) {
        self.fail(EncounterFailure {
            line,
            scenario: self.scenario(line).map(str::to_string),
            field: Some(e.field().to_string()),
            message: e.message().to_string(),
        });
    }

    /// Routes a chunk of encounters under both versions, on all cores; `lines` holds each
    /// encounter's line. Both lists are emptied for the next chunk.
    fn chunk(&mut self, lines: &mut Vec<usize>, encounters: &mut Vec<Encounter>) {
        let before = self.old.route_batch(encounters);
        let after = self.new.route_batch(encounters);
        for (((line, enc), old), new) in lines.iter().zip(encounters.iter()).zip(before).zip(after)
        {
            match (old, new) {
                (Ok(old), Ok(new)) => {
                    let id = self.scenario(*line).unwrap_or(&enc.id);
                    self.compare(id, &old, &new);
                }
                (Err(e), _) | (_, Err(e)) => self.encounter_failed(*line, &e),
            }
        }
        lines.clear();
        encounters.clear();
    }

    fn compare(&mut self, id: &str, old: &Decision, new: &Decision) {
        self.result.compared = self.result.compared.saturating_add(1);
        let (from, to) = (Outcome::of(old), Outcome::of(new));
        if from == to {
            return;
        }
        self.result.changed = self.result.changed.saturating_add(1);
        if from.first() != to.first() {
            self.firsts
                .entry((from.first(), to.first()))
                .or_default()
                .add(id);
        } else {
            self.others.entry((from, to)).or_default().add(id);
        }
    }

    fn finish(self) -> DecisionChanges {
        let mut result = self.result;
        result.first_pathway = self
            .firsts
            .into_iter()
            .map(|((from, to), t)| Transition {
                from: from.to_string(),
                to: to.to_string(),
                count: t.count,
                examples: t.examples,
            })
            .collect();
        result.other = self
            .others
            .into_iter()
            .map(|((from, to), t)| OtherChange {
                first: from.first().to_string(),
                from,
                to,
                count: t.count,
                examples: t.examples,
            })
            .collect();
        // Largest first; the sort is stable, so equal counts keep their order by key.
        result
            .first_pathway
            .sort_by_key(|t| std::cmp::Reverse(t.count));
        result.other.sort_by_key(|t| std::cmp::Reverse(t.count));
        // Lines that do not parse are counted as read, the others as routed: put them back in
        // input order.
        result.failures.sort_by_key(|f| f.line);
        result
    }
}

/// Routes each encounter under both versions and counts the decisions that change (see
/// [`DecisionChanges`]). An encounter that fails its check is counted as failed, with its
/// 1-based position, and the others are still compared. Encounters are routed in chunks on
/// all cores, so any number can be given in bounded memory.
///
/// ```
/// use offramp::authoring::diff::diff_decisions;
/// use offramp::{Encounter, Program, Router};
///
/// let program = |rule: &str| Program::from_toml(&format!(r#"
/// [program]
/// id = "demo"
/// jurisdiction = "Example County"
/// timezone = "America/Chicago"
/// [[pathways]]
/// pathway = "self_referral"
/// [[pathways.rules]]
/// id = "age"
/// when = "{rule}"
/// "#), "demo.toml").unwrap();
/// let old = Router::new(program("age >= 21"));
/// let new = Router::new(program("age >= 18"));
/// let e = Encounter::from_json(r#"{"id":"e-1","at":"2026-03-02T10:00:00-06:00","age":19}"#).unwrap();
/// let changes = diff_decisions(&old, &new, [e]);
/// assert_eq!(changes.changed, 1);
/// assert_eq!(changes.first_pathway[0].from, "none");
/// assert_eq!(changes.first_pathway[0].to, "self_referral");
/// assert_eq!(changes.first_pathway[0].examples, ["e-1"]);
/// ```
pub fn diff_decisions(
    old: &Router,
    new: &Router,
    encounters: impl IntoIterator<Item = Encounter>,
) -> DecisionChanges {
    let mut counter = Counter::new(old, new);
    let (mut lines, mut chunk) = (Vec::new(), Vec::new());
    for (i, enc) in encounters.into_iter().enumerate() {
        lines.push(i.saturating_add(1));
        chunk.push(enc);
        if chunk.len() >= CHUNK {
            counter.chunk(&mut lines, &mut chunk);
        }
    }
    counter.chunk(&mut lines, &mut chunk);
    counter.finish()
}

/// A file of encounters stopped being readable part way.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: cannot read: {source}")]
pub struct ReadError {
    /// The 1-based line that could not be read.
    pub line: usize,
    /// The reader's reason.
    #[source]
    pub source: io::Error,
}

/// [`diff_decisions`] over encounters given as JSON lines, each at most `max_line_bytes` long
/// (see [`crate::lines`]). A line that is not an encounter, is too long or is not UTF-8 is
/// counted as failed with its line number, and the other lines are still compared.
///
/// # Errors
/// When the reader itself fails; the line it failed at is named.
pub fn diff_decision_lines(
    old: &Router,
    new: &Router,
    reader: impl BufRead,
    max_line_bytes: usize,
) -> Result<DecisionChanges, ReadError> {
    let mut counter = Counter::new(old, new);
    let (mut numbers, mut chunk) = (Vec::new(), Vec::new());
    for read in each_encounter(reader, max_line_bytes) {
        match read? {
            Ok((n, enc)) => {
                numbers.push(n);
                chunk.push(enc);
            }
            Err(failure) => counter.fail(failure),
        }
        if chunk.len() >= CHUNK {
            counter.chunk(&mut numbers, &mut chunk);
        }
    }
    counter.chunk(&mut numbers, &mut chunk);
    Ok(counter.finish())
}

/// Each line of JSON lines (blank lines skipped) as an encounter with its 1-based line number,
/// or why it is not one ([`line_encounter`]); the reader's own failure ends the lines, naming
/// the line it stopped at. The one reading loop of [`diff_decision_lines`] and
/// [`super::encounters`].
pub(crate) fn each_encounter(
    reader: impl BufRead,
    max_line_bytes: usize,
) -> impl Iterator<Item = Result<Result<(usize, Encounter), EncounterFailure>, ReadError>> {
    let mut lines = Lines::new(reader, max_line_bytes);
    std::iter::from_fn(move || {
        Some(match lines.next()? {
            Err(source) => Err(ReadError {
                line: lines.lines_read().saturating_add(1),
                source,
            }),
            Ok(line) => {
                let n = line.number;
                Ok(line_encounter(line).map(|e| (n, e)))
            }
        })
    })
}

/// The encounter on one line of JSON lines, or why there is none: the line's number and the
/// field at fault, never a value from the line.
fn line_encounter(line: Line) -> Result<Encounter, EncounterFailure> {
    let failure = |field: Option<String>, message: String| EncounterFailure {
        line: line.number,
        scenario: None,
        field,
        message,
    };
    match &line.text {
        Ok(text) => Encounter::from_json(text)
            .map_err(|e| failure(Some(e.field().to_string()), e.message().to_string())),
        Err(problem) => Err(failure(
            None,
            match problem {
                LineProblem::TooLong { .. } => format!("{problem}; it is skipped"),
                LineProblem::NotUtf8 => problem.to_string(),
            },
        )),
    }
}

/// Whether a file of encounters given by `path` is a scenario file (see
/// [`crate::authoring::scenarios`]) rather than JSON lines: its name ends in `.toml` (in any
/// case). `offramp diff` and Python's `offramp.diff` both decide by this rule.
///
/// ```
/// use offramp::authoring::diff::is_scenario_file;
/// assert!(is_scenario_file("tests/scenarios/lead-king-county.toml".as_ref()));
/// assert!(!is_scenario_file("last-year.jsonl".as_ref()));
/// assert!(!is_scenario_file("-".as_ref()));
/// ```
pub fn is_scenario_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("toml"))
}

/// [`diff_decisions`] over the encounters of a scenario file: each scenario's encounter is
/// decided under both versions (what the scenario expects is not read). The examples of each
/// transition are the scenarios' names, which say what each case is, rather than their
/// encounters' ids; an encounter that cannot be read or routed is named by its scenario and
/// its position in the file.
///
/// ```
/// use offramp::authoring::diff::diff_scenarios;
/// use offramp::authoring::scenarios::ScenarioFile;
/// use offramp::{Program, Router};
///
/// let program = |rule: &str| Program::from_toml(&format!(r#"
/// [program]
/// id = "demo"
/// jurisdiction = "Example County"
/// timezone = "America/Chicago"
/// [[pathways]]
/// pathway = "self_referral"
/// [[pathways.rules]]
/// id = "age"
/// when = "{rule}"
/// "#), "demo.toml").unwrap();
/// let file = ScenarioFile::from_toml(r#"
/// [[scenario]]
/// name = "a 19-year-old"
/// encounter = '{"id": "s1", "at": "2026-03-02T10:00:00-06:00", "age": 19}'
/// disposition = "none"
/// eligible = []
/// "#, "demo.scenarios.toml").unwrap();
/// let old = Router::new(program("age >= 21"));
/// let new = Router::new(program("age >= 18"));
/// let changes = diff_scenarios(&old, &new, &file);
/// assert_eq!(changes.first_pathway[0].examples, ["a 19-year-old"]);
/// ```
pub fn diff_scenarios(old: &Router, new: &Router, file: &ScenarioFile) -> DecisionChanges {
    let mut counter = Counter::new(old, new);
    counter.scenarios = Some(&file.scenario);
    let (mut lines, mut chunk) = (Vec::new(), Vec::new());
    for (i, s) in file.scenario.iter().enumerate() {
        let n = i.saturating_add(1);
        // A loaded file's encounters all read; one built in code may not.
        match Encounter::from_json(&s.encounter) {
            Ok(enc) => {
                lines.push(n);
                chunk.push(enc);
            }
            Err(e) => counter.encounter_failed(n, &e),
        }
        if chunk.len() >= CHUNK {
            counter.chunk(&mut lines, &mut chunk);
        }
    }
    counter.chunk(&mut lines, &mut chunk);
    counter.finish()
}

#[cfg(test)]
mod tests;
