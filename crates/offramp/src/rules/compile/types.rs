//! The types the checker works with: declared attributes, the vocabularies an enum value
//! belongs to (and their words), and the static types of expressions.

use crate::domain::{Consent, Flag, HistoryKind, Level, Need, Responder, Source, Willing};
use crate::nibrs::{CrimeAgainst, CriminalActivity, DrugType, DrugUnit};
use crate::vocab::Vocabulary;

use super::super::protected::ProtectedClass;

/// The declared type of an agency attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttrKind {
    Bool,
    Int,
    Number,
    Text,
    Enum,
}

/// What the checker needs to know about one declared attribute.
#[derive(Debug, Clone)]
pub(crate) struct AttrInfo {
    pub name: String,
    pub kind: AttrKind,
    pub values: Vec<String>,
    /// Declared `reporting_only`: carried for equity reports, never read by a rule.
    pub reporting_only: bool,
    /// The protected class the name stands for, found once when the program is built.
    pub protected: Option<ProtectedClass>,
}

/// Everything a rule may read besides the encounter: attributes, law switches, windows.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    pub attrs: Vec<AttrInfo>,
    pub law: [(&'static str, bool); 4],
    pub naloxone_window: i64,
    pub charge_hold_term: Option<i64>,
}

/// A vocabulary that an enum-typed value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnumKind {
    Responder,
    Source,
    Need,
    Flag,
    Level,
    Consent,
    CrimeAgainst,
    Willing,
    Weekday,
    HistoryKind,
    Activity,
    DrugType,
    DrugUnit,
    Attr(u16),
}

pub(crate) const CRIME_AGAINST: [&str; 4] = ["person", "property", "society", "not_a_crime"];

/// The days `at.weekday` names, in chrono's order (Monday first), so a day's index is
/// `num_days_from_monday`.
pub(crate) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The values a rule may compare `willing` with. `unknown` is not one of them: an encounter
/// that says `unknown` is read as not recorded (`willing is unknown`). The order matches
/// [`Willing`]'s, so a value's index is its discriminant.
pub(crate) const WILLING: [Willing; 2] = [Willing::Yes, Willing::No];

pub(crate) fn crime_against_index(c: CrimeAgainst) -> u8 {
    match c {
        CrimeAgainst::Person => 0,
        CrimeAgainst::Property => 1,
        CrimeAgainst::Society => 2,
        CrimeAgainst::NotACrime => 3,
    }
}

impl EnumKind {
    pub(crate) fn name(self, env: &Env) -> String {
        match self {
            EnumKind::Responder => "responder".into(),
            EnumKind::Source => "source".into(),
            EnumKind::Need => "need".into(),
            EnumKind::Flag => "flag".into(),
            EnumKind::Level => "level".into(),
            EnumKind::Consent => "consent".into(),
            EnumKind::CrimeAgainst => "crime_against".into(),
            EnumKind::Willing => "willing answer".into(),
            EnumKind::Weekday => "weekday".into(),
            EnumKind::HistoryKind => "history kind".into(),
            EnumKind::Activity => "criminal_activity".into(),
            EnumKind::DrugType => "drug_type".into(),
            EnumKind::DrugUnit => "drug_unit".into(),
            EnumKind::Attr(i) => format!(
                "attribute `{}`",
                env.attrs
                    .get(usize::from(i))
                    .map_or("?", |a| a.name.as_str())
            ),
        }
    }

    pub(crate) fn values(self, env: &Env) -> Vec<&str> {
        self.values_in(&env.attrs)
    }

    /// The vocabulary's words, in index order, with the attributes a program declares.
    pub(crate) fn values_in(self, attrs: &[AttrInfo]) -> Vec<&str> {
        self.words(attrs).collect()
    }

    /// [`EnumKind::values_in`] without collecting them.
    pub(crate) fn words(self, attrs: &[AttrInfo]) -> impl Iterator<Item = &str> {
        (0..=u8::MAX).map_while(move |i| self.word(i, attrs))
    }

    /// Word `i` of the vocabulary, if it has that many.
    pub(crate) fn word(self, i: u8, attrs: &[AttrInfo]) -> Option<&str> {
        match self {
            EnumKind::Attr(a) => attrs
                .get(usize::from(a))
                .and_then(|a| a.values.get(usize::from(i)))
                .map(String::as_str),
            _ => self.static_word(i),
        }
    }

    /// Word `i` of a fixed vocabulary (every kind but a declared attribute's).
    pub(crate) fn static_word(self, i: u8) -> Option<&'static str> {
        fn at<T: Vocabulary>(i: u8) -> Option<&'static str> {
            T::ALL.get(usize::from(i)).map(|v| v.as_str())
        }
        let i_usize = usize::from(i);
        match self {
            EnumKind::Responder => at::<Responder>(i),
            EnumKind::Source => at::<Source>(i),
            EnumKind::Need => at::<Need>(i),
            EnumKind::Flag => at::<Flag>(i),
            EnumKind::Level => at::<Level>(i),
            EnumKind::Consent => at::<Consent>(i),
            EnumKind::CrimeAgainst => CRIME_AGAINST.get(i_usize).copied(),
            EnumKind::Willing => WILLING.get(i_usize).map(|v| v.as_str()),
            EnumKind::Weekday => WEEKDAYS.get(i_usize).copied(),
            EnumKind::HistoryKind => at::<HistoryKind>(i),
            EnumKind::Activity => at::<CriminalActivity>(i),
            EnumKind::DrugType => at::<DrugType>(i),
            EnumKind::DrugUnit => at::<DrugUnit>(i),
            EnumKind::Attr(_) => None,
        }
    }

    pub(crate) fn ordered(self) -> bool {
        matches!(self, EnumKind::Level | EnumKind::Attr(_))
    }
}

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    Int,
    Number,
    Text,
    Duration,
    Time,
    /// A calendar day in the program's time zone, written `"2026-03-01"` in a rule.
    Date,
    /// A time of day in the program's time zone, written `"08:30"` in a rule.
    Clock,
    Enum(EnumKind),
    Set(EnumKind),
    Nibrs,
    /// A language: text read through the one normaliser, so `"es"` and `"spa"` are one value.
    Language,
    Presence,
    Offenses,
    /// A bare word not yet resolved: an enum literal, or a misspelt field.
    Word,
    /// A list literal, checked where it is used.
    List,
}

impl Ty {
    pub(crate) fn describe(self, env: &Env) -> String {
        match self {
            Ty::Bool => "bool".into(),
            Ty::Int => "int".into(),
            Ty::Number => "number".into(),
            Ty::Text => "text".into(),
            Ty::Duration => "duration".into(),
            Ty::Time => "time".into(),
            Ty::Date => "date".into(),
            Ty::Clock => "time of day".into(),
            Ty::Enum(k) => k.name(env),
            Ty::Set(k) => format!("set of {}", k.name(env)),
            Ty::Nibrs => "NIBRS code".into(),
            Ty::Language => "language".into(),
            Ty::Presence => "overdose".into(),
            Ty::Offenses => "list of offences".into(),
            Ty::Word => "name".into(),
            Ty::List => "list".into(),
        }
    }

    pub(crate) fn numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Number)
    }
}

/// `what` with the indefinite article it takes, for messages built around a word that
/// varies: "an int", "an attribute `risk`", "a NIBRS code". The article follows the first
/// letter's sound; the few words of the vocabularies that start with a `u` sounded as "you"
/// (`unit`, `use`) take "a".
pub(crate) fn with_article(what: &str) -> String {
    let word = what.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower = word.to_lowercase();
    let vowel = match lower.chars().next() {
        Some('a' | 'e' | 'i' | 'o') => true,
        Some('u') => !["uni", "use", "usu", "uti"]
            .iter()
            .any(|p| lower.starts_with(p)),
        _ => false,
    };
    format!("{} {what}", if vowel { "an" } else { "a" })
}
