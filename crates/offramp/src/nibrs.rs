//! TEMPORARY stub, replaced by the real table.
#![allow(missing_docs)]
use std::fmt;
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CrimeAgainst {
    Person,
    Property,
    Society,
    NotACrime,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NibrsGroup {
    A,
    B,
}
#[derive(Debug)]
pub struct NibrsOffense {
    pub code: &'static str,
    pub name: &'static str,
    pub group: NibrsGroup,
    pub crime_against: CrimeAgainst,
}
static T: &[NibrsOffense] = &[
    NibrsOffense {
        code: "35A",
        name: "Drug/Narcotic Violations",
        group: NibrsGroup::A,
        crime_against: CrimeAgainst::Society,
    },
    NibrsOffense {
        code: "35B",
        name: "Drug Equipment Violations",
        group: NibrsGroup::A,
        crime_against: CrimeAgainst::Society,
    },
    NibrsOffense {
        code: "40A",
        name: "Prostitution",
        group: NibrsGroup::A,
        crime_against: CrimeAgainst::Society,
    },
    NibrsOffense {
        code: "13A",
        name: "Aggravated Assault",
        group: NibrsGroup::A,
        crime_against: CrimeAgainst::Person,
    },
    NibrsOffense {
        code: "13B",
        name: "Simple Assault",
        group: NibrsGroup::A,
        crime_against: CrimeAgainst::Person,
    },
    NibrsOffense {
        code: "23C",
        name: "Shoplifting",
        group: NibrsGroup::A,
        crime_against: CrimeAgainst::Property,
    },
    NibrsOffense {
        code: "90C",
        name: "Disorderly Conduct",
        group: NibrsGroup::B,
        crime_against: CrimeAgainst::Society,
    },
    NibrsOffense {
        code: "90E",
        name: "Drunkenness",
        group: NibrsGroup::B,
        crime_against: CrimeAgainst::Society,
    },
    NibrsOffense {
        code: "90J",
        name: "Trespass of Real Property",
        group: NibrsGroup::B,
        crime_against: CrimeAgainst::Society,
    },
];
pub fn all() -> &'static [NibrsOffense] {
    T
}
pub fn lookup(code: &str) -> Option<&'static NibrsOffense> {
    T.iter().find(|o| o.code.eq_ignore_ascii_case(code))
}
pub fn suggest(code: &str) -> Option<&'static str> {
    T.iter()
        .map(|o| {
            (
                strsim::levenshtein(o.code, &code.to_ascii_uppercase()),
                o.code,
            )
        })
        .min()
        .filter(|(d, _)| *d <= 1)
        .map(|(_, c)| c)
}
#[derive(Debug, thiserror::Error)]
#[error("unknown NIBRS offence code `{0}`")]
pub struct NibrsError(String);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(into = "String")]
pub struct NibrsCode(&'static str);
impl<'de> serde::Deserialize<'de> for NibrsCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}
impl NibrsCode {
    pub fn parse(s: &str) -> Result<Self, NibrsError> {
        lookup(s)
            .map(|o| NibrsCode(o.code))
            .ok_or_else(|| NibrsError(s.chars().take(12).collect()))
    }
    pub fn as_str(&self) -> &'static str {
        self.0
    }
    pub fn offense(&self) -> &'static NibrsOffense {
        lookup(self.0).unwrap_or(&T[0])
    }
    pub fn is_drug(&self) -> bool {
        matches!(self.0, "35A" | "35B")
    }
}
impl TryFrom<String> for NibrsCode {
    type Error = NibrsError;
    fn try_from(s: String) -> Result<Self, NibrsError> {
        Self::parse(&s)
    }
}
impl From<NibrsCode> for String {
    fn from(c: NibrsCode) -> String {
        c.0.to_string()
    }
}
impl fmt::Display for NibrsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
impl schemars::JsonSchema for NibrsCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NibrsCode".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type":"string"})
    }
}
