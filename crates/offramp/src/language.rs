//! Languages, normalised once: the one place that turns what people write for a language
//! (`es`, `ES`, `spa`, `ger`, `Spanish`, `es-MX`) into an ISO 639-3 code.
//!
//! An encounter's `language`, a directory's service languages (offramp's own format and HSDS)
//! and the literals that rules compare `language` with all go through [`Language::parse`], so
//! two spellings of one language always match. The ISO 639-1 and 639-3 codes and English
//! names come from the `isolang` crate's table; this module adds only what that table lacks:
//! the ISO 639-2/B (bibliographic) codes and a few names US directories use that are not the
//! ISO reference names.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A language, held as its ISO 639-3 code (lower case).
///
/// Made only by [`Language::parse`] (or its [`FromStr`] and serde forms), so a value always
/// holds a code from the ISO 639-3 table.
///
/// ```
/// use offramp::Language;
/// for written in ["spa", "es", "ES", "Spanish", "es-MX"] {
///     assert_eq!(Language::parse(written).unwrap().as_str(), "spa");
/// }
/// assert_eq!(Language::parse("ger").unwrap(), "deu");
/// assert!(Language::parse("Klingonese").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(&'static str);

/// A text names no language offramp knows. The text itself is not kept: it could be
/// anything a person typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown language; expected an ISO 639-1, 639-2 or 639-3 code (`es`, `spa`) or an English \
     language name (`Spanish`)"
)]
pub struct UnknownLanguage;

impl Language {
    /// English (`eng`).
    pub const ENGLISH: Language = Language("eng");
    /// Spanish (`spa`).
    pub const SPANISH: Language = Language("spa");

    /// Reads a language from an ISO 639-1 code (`es`), an ISO 639-2/B or /T code (`ger`,
    /// `deu`), an ISO 639-3 code (`ase`), a locale tag whose first part is one of those
    /// (`es-MX`, `zh_Hant`), or an English name (`Spanish`, `Haitian Creole`), in any case and
    /// with surrounding spaces ignored.
    ///
    /// The codes that name no particular language (`und`, `mul`, `mis`, `zxx`) are refused:
    /// they could never match a person to a service.
    pub fn parse(text: &str) -> Result<Language, UnknownLanguage> {
        let text = text.trim();
        // The common names go first: `ASL` means American Sign Language to anyone writing a
        // directory, not the ISO 639-3 code `asl` (Asilulu).
        by_common_name(text)
            .or_else(|| by_code(text))
            .or_else(|| by_name(text))
            .ok_or(UnknownLanguage)
    }

    /// The ISO 639-3 code, lower case (`spa`).
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The English name (`Spanish`), for exports that carry a name beside the code.
    pub fn english_name(self) -> Option<&'static str> {
        isolang::Language::from_639_3(self.0).map(|l| l.to_name())
    }
}

/// Codes that are in the ISO table but name no language a person speaks.
const NOT_A_LANGUAGE: [&str; 4] = ["und", "mul", "mis", "zxx"];

/// A code (or a locale tag) to its language.
fn by_code(text: &str) -> Option<Language> {
    let primary = text.split(['-', '_']).next().unwrap_or_default();
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let lower = primary.to_ascii_lowercase();
    let found = if lower.len() == 2 {
        isolang::Language::from_639_1(&lower)
    } else {
        let code = BIBLIOGRAPHIC
            .iter()
            .find(|(b, _)| *b == lower)
            .map_or(lower.as_str(), |(_, t)| t);
        isolang::Language::from_639_3(code)
    }?;
    let code = found.to_639_3();
    (!NOT_A_LANGUAGE.contains(&code)).then_some(Language(code))
}

/// A name from [`COMMON_NAMES`] to its language.
fn by_common_name(text: &str) -> Option<Language> {
    let (_, code) = COMMON_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(text))?;
    isolang::Language::from_639_3(code).map(|l| Language(l.to_639_3()))
}

/// An ISO reference name (English) to its language.
fn by_name(text: &str) -> Option<Language> {
    let found = *NAMES.get(text.to_lowercase().as_str())?;
    let code = found.to_639_3();
    (!NOT_A_LANGUAGE.contains(&code)).then_some(Language(code))
}

/// The ISO reference names, lower case, made once. Where two languages share a name (the
/// Swahili macrolanguage and its main member), the one with an ISO 639-1 code wins, since that
/// is the one directories mean.
static NAMES: LazyLock<HashMap<String, isolang::Language>> = LazyLock::new(|| {
    let mut names: HashMap<String, isolang::Language> = HashMap::new();
    for lang in isolang::languages() {
        let key = lang.to_name().to_lowercase();
        match names.get(&key) {
            Some(have) if have.to_639_1().is_some() || lang.to_639_1().is_none() => {}
            _ => {
                names.insert(key, lang);
            }
        }
    }
    names
});

/// ISO 639-2/B (bibliographic) codes and the 639-3 codes they stand for; the ISO 639-3 table
/// holds only the terminological forms.
const BIBLIOGRAPHIC: [(&str, &str); 20] = [
    ("alb", "sqi"),
    ("arm", "hye"),
    ("baq", "eus"),
    ("bur", "mya"),
    ("chi", "zho"),
    ("cze", "ces"),
    ("dut", "nld"),
    ("fre", "fra"),
    ("geo", "kat"),
    ("ger", "deu"),
    ("gre", "ell"),
    ("ice", "isl"),
    ("mac", "mkd"),
    ("mao", "mri"),
    ("may", "msa"),
    ("per", "fas"),
    ("rum", "ron"),
    ("slo", "slk"),
    ("tib", "bod"),
    ("wel", "cym"),
];

/// Names US directories and records use that are not the ISO reference names (which are, for
/// instance, "Mandarin Chinese", "Haitian" and "Modern Greek (1453-)").
const COMMON_NAMES: [(&str, &str); 24] = [
    ("american sign language", "ase"),
    ("asl", "ase"),
    ("mandarin", "cmn"),
    ("cantonese", "yue"),
    ("farsi", "fas"),
    ("haitian creole", "hat"),
    ("creole", "hat"),
    ("hmong", "hmn"),
    ("filipino", "fil"),
    ("punjabi", "pan"),
    ("dari", "prs"),
    // S'gaw Karen, the Karen language most Karen speakers in the US use; ISO 639-3 has no
    // code for Karen as a whole.
    ("karen", "ksw"),
    ("chuukese", "chk"),
    ("cambodian", "khm"),
    ("laotian", "lao"),
    ("hawaiian", "haw"),
    ("ilocano", "ilo"),
    ("mixteco", "mix"),
    ("mixtec", "mix"),
    ("k'iche'", "quc"),
    ("tigrinya", "tir"),
    ("swahili", "swa"),
    ("pashto", "pus"),
    ("greek", "ell"),
];

impl FromStr for Language {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::parse(s)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Language({:?})", self.0)
    }
}

impl AsRef<str> for Language {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl PartialEq<str> for Language {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Language {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Language {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_str()
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Language;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a language code or English language name")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Language, E> {
                Language::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl JsonSchema for Language {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Language".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A language: an ISO 639-1, 639-2 or 639-3 code (`es`, `spa`) or an \
                English name (`Spanish`), in any case; read as its ISO 639-3 code.",
            "examples": ["spa", "es", "Spanish"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Option<&'static str> {
        Language::parse(s).ok().map(Language::as_str)
    }

    #[test]
    fn every_spelling_of_a_language_is_one_code() {
        for s in [
            "spa", "SPA", "es", "ES", "Es", " es ", "Spanish", "SPANISH", "es-MX", "es_US",
        ] {
            assert_eq!(code(s), Some("spa"), "{s}");
        }
        assert_eq!(code("ger"), Some("deu"));
        assert_eq!(code("de"), Some("deu"));
        assert_eq!(code("German"), Some("deu"));
        assert_eq!(code("chi"), Some("zho"));
        assert_eq!(code("zh-Hant"), Some("zho"));
        assert_eq!(code("fre"), Some("fra"));
        assert_eq!(code("ase"), Some("ase"));
        assert_eq!(code("ASL"), Some("ase"));
        assert_eq!(code("Haitian Creole"), Some("hat"));
        assert_eq!(code("vi"), Some("vie"));
        assert_eq!(code("Swahili"), Some("swa"));
        assert_eq!(code("Greek"), Some("ell"));
        assert_eq!(code("urd"), Some("urd"));
        assert_eq!(Language::parse("English"), Ok(Language::ENGLISH));
        assert_eq!(Language::parse("Spanish"), Ok(Language::SPANISH));
    }

    #[test]
    fn what_is_no_language_is_refused() {
        for s in [
            "",
            "x",
            "xx",
            "e1",
            "qqq",
            "und",
            "mul",
            "zxx",
            "Undetermined",
            "Klingonese",
        ] {
            assert_eq!(code(s), None, "{s}");
        }
        let e = Language::parse("Jane Doe").unwrap_err().to_string();
        assert!(!e.contains("Jane"), "{e}");
    }

    #[test]
    fn every_table_entry_names_a_known_code() {
        for (b, t) in BIBLIOGRAPHIC {
            assert_eq!(code(b), Some(t), "{b}");
        }
        for (n, c) in COMMON_NAMES {
            assert_eq!(code(n), Some(c), "{n}");
        }
    }

    #[test]
    fn serde_reads_any_spelling_and_writes_the_code() {
        let l: Language = serde_json::from_str("\"Spanish\"").unwrap();
        assert_eq!(serde_json::to_string(&l).unwrap(), "\"spa\"");
        assert!(serde_json::from_str::<Language>("\"nope\"").is_err());
        assert_eq!(l.english_name(), Some("Spanish"));
    }
}
