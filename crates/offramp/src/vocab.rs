//! Closed vocabularies: enums whose values have one written name each.
//!
//! Every such enum in the core is declared through one macro, so that a value's serde name,
//! [`Vocabulary::as_str`], its parser, the list of all values (`ALL`, sized by `COUNT`) and its
//! documentation all come from one line of source. Adding a value to a vocabulary therefore
//! grows `ALL` and `COUNT` with it: arrays sized by `COUNT` stop compiling until they are
//! handled, and the bindings (which mirror the vocabularies through [`Vocabulary`]) follow
//! without a list of their own.
//!
//! This module sits at the bottom of the core's dependency order: it imports nothing from the
//! rest of the crate.

use std::fmt;

/// An enum value's name could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`{}", suggestion.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
pub struct UnknownValue {
    /// Which vocabulary was asked (`pathway`, `need`, ...).
    pub kind: &'static str,
    /// The word that was given (cut to 40 characters).
    pub value: String,
    /// The closest known word, when one is close.
    pub suggestion: Option<&'static str>,
}

/// The longest word [`closest`] looks at; nothing longer is a likely misspelling of a name.
const CLOSEST_MAX_CHARS: usize = 100;

/// The closest of `candidates` to `word`, if it is close enough to be a likely misspelling: at
/// most one edit per three characters of `word` (and always at least one), where an edit is a
/// character inserted, removed or replaced, or two neighbours swapped, ignoring case. Among
/// equally close candidates the first wins. This is the one "did you mean" rule of the core
/// (encounter keys, vocabulary words, time zones, rule names, taxonomy words), so a hint is
/// given only when the word is near one: `respondr` suggests `responder`, while
/// `officer_note` suggests nothing, not `offenses`.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted = word.trim().to_lowercase();
    let len = wanted.chars().count();
    if len == 0 || len > CLOSEST_MAX_CHARS {
        return None;
    }
    let allowed = (len / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        // Words whose lengths differ by more than the edits allowed cannot be close enough.
        if candidate.chars().count().abs_diff(len) > allowed {
            continue;
        }
        let distance = strsim::damerau_levenshtein(&wanted, &candidate.to_lowercase());
        if distance <= allowed && best.is_none_or(|(b, _)| distance < b) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// A closed vocabulary of the core: what a binding, a generated file or a table needs to mirror
/// it without a list of its own. Every implementation is made by the core's vocabulary macro,
/// so the names, the order and the documentation are the ones in the enum's declaration.
///
/// ```
/// use offramp::vocab::Vocabulary;
/// use offramp::Pathway;
///
/// fn names<V: Vocabulary>() -> Vec<&'static str> {
///     V::ALL.iter().map(|v| v.as_str()).collect()
/// }
/// assert_eq!(names::<Pathway>()[2], "naloxone_plus");
/// assert_eq!(Pathway::ALIASES, [("officer_prevention", Pathway::FirstResponderReferral)]);
/// ```
pub trait Vocabulary:
    Copy
    + Eq
    + Ord
    + std::hash::Hash
    + fmt::Debug
    + fmt::Display
    + std::str::FromStr<Err = UnknownValue>
    + serde::Serialize
    + serde::de::DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// The Rust name of the type (`"Pathway"`), which the bindings also use.
    const NAME: &'static str;
    /// The vocabulary's name in messages (`"pathway"`).
    const KIND: &'static str;
    /// Every value, in declaration order: a value's position is [`Vocabulary::index`].
    const ALL: &'static [Self];
    /// Former names that are still read, with the value each now means.
    const ALIASES: &'static [(&'static str, Self)];
    /// True when values are written as their number (`0`, `1`, ...) rather than a name; the
    /// number is then the position, and [`Vocabulary::as_str`] is that number as text.
    const NUMBERED: bool;
    /// The type's documentation, one source line per element (leading space included).
    const DOC: &'static [&'static str];

    /// The value as written in JSON, TOML and rules (for a numbered vocabulary, the number).
    fn as_str(self) -> &'static str;
    /// The value's position in [`Vocabulary::ALL`].
    fn index(self) -> usize;
    /// The Rust name of the value (`"NaloxonePlus"`).
    fn rust_name(self) -> &'static str;
    /// The value's documentation, one source line per element.
    fn doc(self) -> &'static [&'static str];
}

/// Declares a vocabulary enum from one list of `Variant = "name"` lines (or `Variant = number`
/// for a numbered one), with the derives every vocabulary has, a `#[serde(rename)]` from the
/// same name, `COUNT`, `ALL`, `KIND`, `ALIASES`, `as_str`, `index`, `parse`, `Display`,
/// `FromStr` and [`Vocabulary`]. Only documentation comments may precede the type and the
/// variants; anything else an enum needs goes in its own `impl` beside the macro.
macro_rules! vocabulary {
    (@common $name:ident, $kind:literal, $numbered:literal, [$($doc:expr),*],
        $( $variant:ident [$($vdoc:expr),*] )+) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl $crate::vocab::Vocabulary for $name {
            const NAME: &'static str = stringify!($name);
            const KIND: &'static str = $kind;
            const ALL: &'static [Self] = &$name::ALL;
            const ALIASES: &'static [(&'static str, Self)] = $name::ALIASES;
            const NUMBERED: bool = $numbered;
            const DOC: &'static [&'static str] = &[$($doc),*];

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn index(self) -> usize {
                $name::index(self)
            }
            fn rust_name(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),+ }
            }
            fn doc(self) -> &'static [&'static str] {
                match self { $($name::$variant => &[$($vdoc),*]),+ }
            }
        }
    };

    (
        $(#[doc = $doc:expr])*
        $vis:vis enum $name:ident : $kind:literal {
            $( $(#[doc = $vdoc:expr])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema,
        )]
        $vis enum $name {
            $(
                $(#[doc = $vdoc])*
                #[serde(rename = $text $(, alias = $alias)*)]
                $variant,
            )+
        }

        impl $name {
            /// How many values there are.
            pub const COUNT: usize = [$($text),+].len();
            /// Every value, in declaration order (a value's position is its `index()`).
            pub const ALL: [$name; $name::COUNT] = [$($name::$variant),+];
            /// The vocabulary's name, as used in messages.
            pub const KIND: &'static str = $kind;
            /// Former names that are still read, with the value each now means.
            pub const ALIASES: &'static [(&'static str, $name)] =
                &[$($(($alias, $name::$variant),)*)+];

            /// The name used in JSON, TOML and rules.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value's position in `ALL` (usable as an array index).
            pub const fn index(self) -> usize {
                self as usize
            }

            /// Reads a name (or an accepted former name).
            pub fn parse(word: &str) -> Result<Self, $crate::vocab::UnknownValue> {
                match word {
                    $($text $(| $alias)* => Ok($name::$variant),)+
                    _ => Err($crate::vocab::UnknownValue {
                        kind: $kind,
                        value: word.chars().take(40).collect(),
                        suggestion: $crate::vocab::closest(word, [$($text),+]),
                    }),
                }
            }
        }

        $crate::vocab::vocabulary!(@common $name, $kind, false, [$($doc),*],
            $( $variant [$($vdoc),*] )+);
    };

    (
        $(#[doc = $doc:expr])*
        $vis:vis enum $name:ident : $kind:literal, numbered {
            $( $(#[doc = $vdoc:expr])* $variant:ident = $number:literal ),+ $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema,
        )]
        #[serde(try_from = "u8", into = "u8")]
        $vis enum $name {
            $(
                $(#[doc = $vdoc])*
                $variant = $number,
            )+
        }

        impl $name {
            /// How many values there are.
            pub const COUNT: usize = [$($number),+].len();
            /// Every value, in order of their numbers.
            pub const ALL: [$name; $name::COUNT] = [$($name::$variant),+];
            /// The vocabulary's name, as used in messages.
            pub const KIND: &'static str = $kind;
            /// None: a numbered vocabulary has no former names.
            pub const ALIASES: &'static [(&'static str, $name)] = &[];

            /// The value's number as text, as written in JSON and TOML.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => stringify!($number)),+ }
            }

            /// The value's number.
            pub const fn number(self) -> u8 {
                self as u8
            }

            /// The value's position in `ALL`, which is its number.
            pub const fn index(self) -> usize {
                self as usize
            }

            /// The value with this number, if there is one.
            pub const fn from_number(n: u8) -> Option<Self> {
                let i = n as usize;
                // `get` is not callable in a `const fn`; the bound is checked on the line.
                #[allow(clippy::indexing_slicing, reason = "i < COUNT, the length of ALL")]
                if i < $name::COUNT { Some($name::ALL[i]) } else { None }
            }

            /// Reads a value's number, given as text.
            pub fn parse(word: &str) -> Result<Self, $crate::vocab::UnknownValue> {
                word.parse::<u8>()
                    .ok()
                    .and_then(Self::from_number)
                    .ok_or_else(|| $crate::vocab::UnknownValue {
                        kind: $kind,
                        value: word.chars().take(40).collect(),
                        suggestion: None,
                    })
            }
        }

        // The numbers are the positions, so `from_number` and `index` agree with `ALL`.
        // Evaluated by the compiler: a failure here is a build error, never a runtime panic.
        #[allow(clippy::indexing_slicing, clippy::panic, clippy::arithmetic_side_effects,
            reason = "a compile-time check over ALL")]
        const _: () = {
            let mut i = 0;
            while i < $name::COUNT {
                assert!($name::ALL[i] as usize == i, "numbers must count from 0 in order");
                i += 1;
            }
        };

        impl TryFrom<u8> for $name {
            type Error = String;
            fn try_from(n: u8) -> Result<Self, String> {
                Self::from_number(n).ok_or_else(|| {
                    format!("{} must be 0 to {}, not {n}", $kind, $name::COUNT - 1)
                })
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v.number()
            }
        }

        $crate::vocab::vocabulary!(@common $name, $kind, true, [$($doc),*],
            $( $variant [$($vdoc),*] )+);
    };

}

pub(crate) use vocabulary;

#[cfg(test)]
mod tests {
    use super::Vocabulary;
    use crate::authoring::map::MapFormat;
    use crate::case::{CaseEvent, CaseStatus, ChargeStatus, Track};
    use crate::nibrs::CrimeAgainst;
    use crate::providers::model::{Frequency, Intake, Population, ServiceKind, Weekday};
    use crate::router::WarningCode;
    use crate::sim::{Arm, Stage, TableFormat};
    use crate::{Consent, Disposition, Flag, Intercept, Level, Need, Pathway, Responder, Source};

    /// Each value's `as_str` is its serde form, parses back, and every alias reads as its value
    /// in serde and in `parse` alike.
    fn agrees_with_serde<V: Vocabulary>() {
        assert_eq!(
            V::ALL.len(),
            V::ALL
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        );
        for (i, v) in V::ALL.iter().enumerate() {
            assert_eq!(v.index(), i, "{}::{v:?}", V::NAME);
            let json = serde_json::to_value(v).unwrap();
            let written = match &json {
                serde_json::Value::String(s) => s.clone(),
                other => {
                    assert!(V::NUMBERED, "{}::{v:?} is written as {other}", V::NAME);
                    other.to_string()
                }
            };
            assert_eq!(written, v.as_str(), "{}::{v:?}", V::NAME);
            assert_eq!(v.to_string(), v.as_str());
            assert_eq!(v.as_str().parse::<V>().unwrap(), *v);
            assert_eq!(serde_json::from_value::<V>(json).unwrap(), *v);
            assert!(!v.doc().is_empty(), "{}::{v:?} is documented", V::NAME);
        }
        for (alias, v) in V::ALIASES {
            assert_eq!(alias.parse::<V>().unwrap(), *v);
            let json = serde_json::Value::String(alias.to_string());
            assert_eq!(serde_json::from_value::<V>(json).unwrap(), *v);
        }
        assert!(!V::DOC.is_empty(), "{} is documented", V::NAME);
        let unknown = "no such word".parse::<V>().unwrap_err();
        assert_eq!(unknown.kind, V::KIND);
    }

    #[test]
    fn every_vocabulary_writes_its_name_as_serde_does() {
        agrees_with_serde::<Pathway>();
        agrees_with_serde::<Responder>();
        agrees_with_serde::<Source>();
        agrees_with_serde::<Need>();
        agrees_with_serde::<Flag>();
        agrees_with_serde::<Level>();
        agrees_with_serde::<Consent>();
        agrees_with_serde::<Disposition>();
        agrees_with_serde::<Intercept>();
        agrees_with_serde::<WarningCode>();
        agrees_with_serde::<CaseStatus>();
        agrees_with_serde::<ChargeStatus>();
        agrees_with_serde::<CaseEvent>();
        agrees_with_serde::<Track>();
        agrees_with_serde::<ServiceKind>();
        agrees_with_serde::<Population>();
        agrees_with_serde::<Intake>();
        agrees_with_serde::<Frequency>();
        agrees_with_serde::<Weekday>();
        agrees_with_serde::<CrimeAgainst>();
        agrees_with_serde::<Arm>();
        agrees_with_serde::<Stage>();
        agrees_with_serde::<TableFormat>();
        agrees_with_serde::<MapFormat>();
    }

    #[test]
    fn a_numbered_vocabulary_reads_its_numbers_only() {
        assert_eq!(
            Intercept::from_number(5),
            Some(Intercept::CommunityCorrections)
        );
        assert_eq!(Intercept::from_number(6), None);
        assert_eq!(
            Intercept::try_from(9).unwrap_err(),
            "intercept must be 0 to 5, not 9"
        );
        assert!("six".parse::<Intercept>().is_err());
    }

    #[test]
    fn a_suggestion_is_made_only_for_a_near_word() {
        use super::closest;
        let keys = [
            "id",
            "at",
            "responder",
            "source",
            "needs",
            "overdose",
            "offenses",
            "flags",
            "age",
        ];
        assert_eq!(closest("respondr", keys), Some("responder"));
        assert_eq!(closest("Offences", keys), Some("offenses"));
        assert_eq!(closest("need", keys), Some("needs"));
        assert_eq!(closest("ofer", ["offer", "decline"]), Some("offer"));
        // Sharing a first syllable is not being close.
        assert_eq!(closest("officer_note", keys), None);
        assert_eq!(closest("notes", keys), None);
        assert_eq!(closest("", keys), None);
        assert_eq!(closest(&"x".repeat(10_000), keys), None);
    }
}
