//! FBI NIBRS offence codes: the table, lookups, and a validated code type.
//!
//! The National Incident-Based Reporting System (NIBRS) gives every offence a
//! three-character code such as `13B` (simple assault) or `35A` (drug/narcotic
//! violations). This module ships the code table as data
//! (`data/nibrs.csv`, compiled into the crate) and offers:
//!
//! * [`lookup`] to find an offence by code, ignoring case;
//! * [`suggest`] to find the nearest known code for "did you mean" messages;
//! * [`all`] to walk the whole table, sorted by code;
//! * [`NibrsCode`], a small `Copy` type that can only hold a known code and
//!   that (de)serialises as its string form.
//!
//! # Source and version
//!
//! The table follows the offence list of the FBI UCR Program's NIBRS User
//! Manual as revised from 2021 on (the 2021.x–2023.x editions), cross-checked
//! against the offence-type reference table the FBI publishes with its NIBRS
//! data downloads. It holds 71 Group A offences (including the federal- and
//! tribal-only codes added in 2021, such as `26H` and `101`) and the 10 Group
//! B offences in current use (including `90K`–`90M`, also added in 2021).
//!
//! Points worth knowing:
//!
//! * Four older Group B codes are kept and marked
//!   [`retired`](NibrsOffense::retired): `90A` (bad checks), `90E`
//!   (drunkenness) and `90H` (peeping tom), which the FBI stopped collecting
//!   on 1 January 2021, and `90I` (runaway), dropped earlier. They still parse,
//!   because local records, state reporting programs and diversion rules
//!   (public intoxication and protective custody in particular) keep using
//!   them; check [`NibrsCode::is_retired`] before reporting to the FBI, where
//!   such arrests now go under `90Z` unless a more specific code fits.
//!   [`suggest`] never proposes a retired code.
//! * `09C` (justifiable homicide) is recorded as [`CrimeAgainst::NotACrime`],
//!   as the manual does.
//! * The manual gives no crime-against category for Group B offences (and
//!   lists `90Z` under person, property *and* society). Here they take the
//!   category of the FBI's published offence-type table: `90F` (family
//!   offences, nonviolent) is a crime against a person, the rest are crimes
//!   against society.
//! * Later editions fold `11B` and `11C` into `11A`; the codes stay in the
//!   table so that older records still validate.
//! * The `violent` column is offramp's, not the FBI's: it is what an offence's
//!   [`violent`](NibrsOffense::violent) is taken to be when an encounter does
//!   not say. It is true for every Group A crime against a person (`09A`,
//!   `09B`, `100`, `11A`-`11D`, `13A`-`13C`, `36A`, `36B`, `64A`, `64B`) and for
//!   `120` robbery, which NIBRS files under property although force or its
//!   threat is part of it. It is false for everything else, including the
//!   Group B offences the table files under person (`90F` family offences,
//!   nonviolent, says so in its name; `90H` peeping tom), `09C` (not a crime),
//!   and arson, extortion and weapon-law violations, which NIBRS counts against
//!   property or society. This is wider than the FBI's "violent crime" (murder,
//!   rape, robbery, aggravated assault): a simple assault (`13B`) or an
//!   intimidation (`13C`) is violent here, as diversion protocols that exclude
//!   violent offences mean it.
//!
//! The offence facts that NIBRS records beside the code (criminal activity,
//! drug type, drug measurement) are in [`facts`], re-exported here.
//!
//! # Example
//!
//! ```
//! use offramp::nibrs::{self, CrimeAgainst, NibrsCode, NibrsGroup};
//!
//! let code = NibrsCode::parse("35a")?;
//! assert_eq!(code.as_str(), "35A");
//! assert!(code.is_drug());
//! assert_eq!(code.offense().crime_against, CrimeAgainst::Society);
//! assert_eq!(nibrs::lookup("90z").map(|o| o.group), Some(NibrsGroup::B));
//! # Ok::<(), offramp::nibrs::NibrsError>(())
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::LazyLock;

use crate::vocab::vocabulary;

mod facts;
pub use facts::{CriminalActivity, DrugType, DrugUnit};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The raw code table, one offence per row after the header.
const NIBRS_CSV: &str = include_str!("../data/nibrs.csv");

/// The header the table must start with.
const HEADER: &str = "code,name,group,crime_against,retired,violent";

/// The longest rejected input an error message repeats.
const MAX_ECHO_CHARS: usize = 5;

/// The parsed table, built on first use. A table that fails to parse would
/// leave this empty rather than panic; the unit tests make sure it parses.
static TABLE: LazyLock<Vec<NibrsOffense>> =
    LazyLock::new(|| parse_table(NIBRS_CSV).unwrap_or_default());

vocabulary! {
    /// Whom or what an offence is committed against, as NIBRS classifies it.
    ///
    /// ```
    /// use offramp::nibrs::{lookup, CrimeAgainst};
    ///
    /// assert_eq!(lookup("13B").map(|o| o.crime_against), Some(CrimeAgainst::Person));
    /// assert_eq!(lookup("09C").map(|o| o.crime_against), Some(CrimeAgainst::NotACrime));
    /// ```
    pub enum CrimeAgainst: "crime against" {
        /// Offences whose victims are always individuals, such as assault.
        Person = "person",
        /// Offences whose object is money, property or another benefit.
        Property = "property",
        /// Offences against society's ban on some activity, such as drug
        /// violations.
        Society = "society",
        /// Recorded but not a crime (justifiable homicide).
        NotACrime = "not_a_crime",
    }
}

/// The NIBRS reporting group of an offence.
///
/// Group A offences are reported as full incidents; Group B offences only
/// when someone is arrested.
///
/// ```
/// use offramp::nibrs::{lookup, NibrsGroup};
///
/// assert_eq!(lookup("35A").map(|o| o.group), Some(NibrsGroup::A));
/// assert_eq!(lookup("90C").map(|o| o.group), Some(NibrsGroup::B));
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NibrsGroup {
    /// Incident-reported offences.
    A,
    /// Arrest-only offences (codes starting `90`).
    B,
}

impl NibrsGroup {
    /// The group letter, `"A"` or `"B"`, as the manual writes it.
    ///
    /// ```
    /// use offramp::nibrs::NibrsGroup;
    ///
    /// assert_eq!(NibrsGroup::B.letter(), "B");
    /// ```
    pub fn letter(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
        }
    }
}

impl fmt::Display for NibrsGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Group {}", self.letter())
    }
}

/// One row of the NIBRS offence table.
///
/// Offences come from [`lookup`], [`all`] or [`NibrsCode::offense`]. The
/// type serialises like any struct; because its text fields borrow from the
/// built-in table, deserialising one needs input that lives for `'static`.
///
/// ```
/// use offramp::nibrs::{lookup, NibrsGroup};
///
/// let offence = lookup("90J").ok_or("missing")?;
/// assert_eq!(offence.code, "90J");
/// assert_eq!(offence.name, "Trespass of Real Property");
/// assert_eq!(offence.group, NibrsGroup::B);
/// # Ok::<(), &str>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct NibrsOffense {
    /// The three-character code, upper-case (`"35A"`).
    pub code: &'static str,
    /// The offence name as the manual gives it.
    pub name: &'static str,
    /// The reporting group.
    pub group: NibrsGroup,
    /// Whom or what the offence is against.
    pub crime_against: CrimeAgainst,
    /// Whether the FBI no longer collects this code (see the
    /// [module docs](self)).
    pub retired: bool,
    /// Whether an offence of this code is violent when the encounter does not
    /// say: offramp's reading of the table, explained in the
    /// [module docs](self).
    pub violent: bool,
}

/// Every offence in the table, sorted by code.
///
/// ```
/// use offramp::nibrs;
///
/// let table = nibrs::all();
/// assert!(table.iter().any(|o| o.code == "13B"));
/// assert!(table.windows(2).all(|w| w[0].code < w[1].code));
/// ```
pub fn all() -> &'static [NibrsOffense] {
    TABLE.as_slice()
}

/// Finds an offence by code. Case and surrounding whitespace are ignored.
/// Retired codes are found too; their [`NibrsOffense::retired`] is `true`.
///
/// ```
/// use offramp::nibrs::lookup;
///
/// assert_eq!(lookup("35a").map(|o| o.code), Some("35A"));
/// assert_eq!(lookup(" 13b ").map(|o| o.name), Some("Simple Assault"));
/// assert_eq!(lookup("90E").map(|o| o.retired), Some(true));
/// assert!(lookup("35C").is_none());
/// ```
pub fn lookup(code: &str) -> Option<&'static NibrsOffense> {
    let wanted = normalise(code)?;
    let table = all();
    table
        .binary_search_by(|offence| offence.code.as_bytes().cmp(wanted.as_slice()))
        .ok()
        .and_then(|index| table.get(index))
}

/// The known code closest to `code`, for "did you mean" hints.
///
/// Only codes in current use are proposed. Returns `None` when `code` is
/// already a known code or when nothing is close
/// enough to be a plausible typo (more than one edit away, counting a swap of
/// two neighbouring characters as one edit). Among equally close codes, the
/// one sharing the longest leading part with the input wins, then the one
/// that sorts first.
///
/// ```
/// use offramp::nibrs::suggest;
///
/// assert_eq!(suggest("35C"), Some("35A"));
/// assert_eq!(suggest("3A5"), Some("35A"));
/// assert_eq!(suggest("9A"), Some("09A"));
/// assert_eq!(suggest("35A"), None);
/// assert_eq!(suggest("hello"), None);
/// ```
pub fn suggest(code: &str) -> Option<&'static str> {
    if lookup(code).is_some() {
        return None;
    }
    let wanted = code.trim().to_ascii_uppercase();
    if wanted.is_empty() || wanted.chars().count() > 8 {
        return None;
    }
    // Rank by edit distance, then by how many leading characters match (the
    // first two characters name the offence family, so `35C` should point to
    // `35A` rather than `30C`), then by table order.
    let mut best: Option<((usize, std::cmp::Reverse<usize>), &'static str)> = None;
    for offence in all().iter().filter(|offence| !offence.retired) {
        let distance = strsim::damerau_levenshtein(&wanted, offence.code);
        if distance > 1 {
            continue;
        }
        let shared = wanted
            .bytes()
            .zip(offence.code.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let rank = (distance, std::cmp::Reverse(shared));
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, offence.code));
        }
    }
    best.map(|(_, found)| found)
}

/// Why a NIBRS code was refused.
///
/// ```
/// use offramp::nibrs::{NibrsCode, NibrsError};
///
/// let err = NibrsCode::parse("35C").err();
/// assert!(matches!(err, Some(NibrsError::Unknown { .. })));
/// assert_eq!(
///     err.map(|e| e.to_string()).as_deref(),
///     Some("unknown NIBRS offence code `35C`; did you mean `35A`?"),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NibrsError {
    /// The code is not in the table.
    ///
    /// The input is echoed back only when it is shaped like a code (at most
    /// five characters, letters, digits, `-`, `.` or `/`), so that a value
    /// typed into the wrong field, such as a name, never ends up in a log.
    #[error(
        "unknown NIBRS offence code {}{}",
        code.as_deref().map_or_else(
            || "(the value is not shaped like a code, so it is not repeated)".to_owned(),
            |c| format!("`{c}`")
        ),
        suggestion.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
    )]
    Unknown {
        /// The refused input, trimmed, when it is shaped like a code.
        code: Option<String>,
        /// The nearest known code, if one is a plausible typo.
        suggestion: Option<&'static str>,
    },
}

impl NibrsError {
    /// What is wrong, without the value given or a suggestion drawn from it: the message for a
    /// code read from an encounter (decoding one, or a binding's encounter record), whose field
    /// may hold anything a person typed. The error names the field and position instead.
    ///
    /// ```
    /// use offramp::nibrs::NibrsCode;
    /// let e = NibrsCode::parse("35C").unwrap_err();
    /// assert_eq!(
    ///     e.message_without_value(),
    ///     "unknown NIBRS offence code; expected a code of the FBI's NIBRS table, such as `13B` or `35A`"
    /// );
    /// ```
    pub fn message_without_value(&self) -> &'static str {
        match self {
            NibrsError::Unknown { .. } => {
                "unknown NIBRS offence code; expected a code of the FBI's NIBRS table, such as `13B` or `35A`"
            }
        }
    }
}

/// A NIBRS offence code known to be in the table.
///
/// Parsing ignores case and surrounding whitespace and stores the canonical
/// upper-case form. The value is a reference into the static table, so it is
/// `Copy` and [`offense`](Self::offense) never fails. Serialised, it is the
/// plain code string; deserialising validates the string the same way
/// [`parse`](Self::parse) does.
///
/// ```
/// use offramp::nibrs::NibrsCode;
///
/// let code: NibrsCode = "13b".parse()?;
/// assert_eq!(code.to_string(), "13B");
/// assert_eq!(code.offense().name, "Simple Assault");
///
/// let json = serde_json::to_string(&code).map_err(|_| "serialise")?;
/// assert_eq!(json, "\"13B\"");
/// let back: NibrsCode = serde_json::from_str(&json).map_err(|_| "deserialise")?;
/// assert_eq!(back, code);
/// assert!(serde_json::from_str::<NibrsCode>("\"99Q\"").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct NibrsCode(&'static NibrsOffense);

impl NibrsCode {
    /// Parses and validates a code.
    ///
    /// Retired codes parse; see [`is_retired`](Self::is_retired).
    ///
    /// # Errors
    ///
    /// [`NibrsError::Unknown`], with a suggestion when one is close, for
    /// anything not in the table.
    ///
    /// ```
    /// use offramp::nibrs::{NibrsCode, NibrsError};
    ///
    /// assert_eq!(NibrsCode::parse(" 90d ")?.as_str(), "90D");
    /// assert!(NibrsCode::parse("90E")?.is_retired());
    /// assert!(matches!(NibrsCode::parse(""), Err(NibrsError::Unknown { .. })));
    /// # Ok::<(), NibrsError>(())
    /// ```
    pub fn parse(code: &str) -> Result<Self, NibrsError> {
        lookup(code).map(Self).ok_or_else(|| NibrsError::Unknown {
            code: echo(code),
            suggestion: suggest(code),
        })
    }

    /// The code's place in [`all`]: a code kept in two bytes (the simulation's events).
    pub(crate) fn index(self) -> u16 {
        all()
            .binary_search_by(|o| o.code.cmp(self.0.code))
            .ok()
            .and_then(|i| u16::try_from(i).ok())
            .unwrap_or(u16::MAX)
    }

    /// The code at place `index` in [`all`], as [`NibrsCode::index`] gives it.
    pub(crate) fn from_index(index: u16) -> Option<NibrsCode> {
        all().get(usize::from(index)).map(NibrsCode)
    }

    /// The canonical upper-case code.
    ///
    /// ```
    /// use offramp::nibrs::NibrsCode;
    ///
    /// assert_eq!(NibrsCode::parse("26h")?.as_str(), "26H");
    /// # Ok::<(), offramp::nibrs::NibrsError>(())
    /// ```
    pub fn as_str(&self) -> &'static str {
        self.0.code
    }

    /// The table row for this code.
    ///
    /// ```
    /// use offramp::nibrs::{CrimeAgainst, NibrsCode};
    ///
    /// let offence = NibrsCode::parse("23C")?.offense();
    /// assert_eq!(offence.name, "Shoplifting");
    /// assert_eq!(offence.crime_against, CrimeAgainst::Property);
    /// # Ok::<(), offramp::nibrs::NibrsError>(())
    /// ```
    pub fn offense(&self) -> &'static NibrsOffense {
        self.0
    }

    /// The offence name, as [`NibrsOffense::name`].
    ///
    /// ```
    /// use offramp::nibrs::NibrsCode;
    ///
    /// assert_eq!(NibrsCode::parse("90C")?.name(), "Disorderly Conduct");
    /// # Ok::<(), offramp::nibrs::NibrsError>(())
    /// ```
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// The reporting group, as [`NibrsOffense::group`].
    ///
    /// ```
    /// use offramp::nibrs::{NibrsCode, NibrsGroup};
    ///
    /// assert_eq!(NibrsCode::parse("90Z")?.group(), NibrsGroup::B);
    /// # Ok::<(), offramp::nibrs::NibrsError>(())
    /// ```
    pub fn group(&self) -> NibrsGroup {
        self.0.group
    }

    /// The crime-against category, as [`NibrsOffense::crime_against`].
    ///
    /// ```
    /// use offramp::nibrs::{CrimeAgainst, NibrsCode};
    ///
    /// assert_eq!(NibrsCode::parse("13A")?.crime_against(), CrimeAgainst::Person);
    /// # Ok::<(), offramp::nibrs::NibrsError>(())
    /// ```
    pub fn crime_against(&self) -> CrimeAgainst {
        self.0.crime_against
    }

    /// Whether this is one of the drug offences: `35A` (drug/narcotic
    /// violations) or `35B` (drug equipment violations).
    ///
    /// ```
    /// use offramp::nibrs::NibrsCode;
    ///
    /// assert!(NibrsCode::parse("35B")?.is_drug());
    /// assert!(!NibrsCode::parse("90D")?.is_drug());
    /// # Ok::<(), offramp::nibrs::NibrsError>(())
    /// ```
    pub fn is_drug(&self) -> bool {
        matches!(self.as_str(), "35A" | "35B")
    }

    /// Whether the FBI no longer collects this code, as
    /// [`NibrsOffense::retired`].
    ///
    /// ```
    /// use offramp::nibrs::NibrsCode;
    ///
    /// assert!(NibrsCode::parse("90E")?.is_retired());
    /// assert!(!NibrsCode::parse("90Z")?.is_retired());
    /// # Ok::<(), offramp::nibrs::NibrsError>(())
    /// ```
    pub fn is_retired(&self) -> bool {
        self.0.retired
    }

    /// Whether an offence of this code is violent when nothing else is known,
    /// as [`NibrsOffense::violent`].
    ///
    /// ```
    /// use offramp::nibrs::NibrsCode;
    ///
    /// assert!(NibrsCode::parse("13B")?.is_violent());
    /// assert!(NibrsCode::parse("120")?.is_violent());
    /// assert!(!NibrsCode::parse("90F")?.is_violent());
    /// # Ok::<(), offramp::nibrs::NibrsError>(())
    /// ```
    pub fn is_violent(&self) -> bool {
        self.0.violent
    }
}

impl PartialEq for NibrsCode {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for NibrsCode {}

impl Hash for NibrsCode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for NibrsCode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NibrsCode {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for NibrsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NibrsCode").field(&self.as_str()).finish()
    }
}

impl fmt::Display for NibrsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for NibrsCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for NibrsCode {
    type Err = NibrsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for NibrsCode {
    type Error = NibrsError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl TryFrom<String> for NibrsCode {
    type Error = NibrsError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NibrsCode> for String {
    fn from(code: NibrsCode) -> Self {
        code.as_str().to_owned()
    }
}

impl From<NibrsCode> for &'static NibrsOffense {
    fn from(code: NibrsCode) -> Self {
        code.offense()
    }
}

impl Serialize for NibrsCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for NibrsCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Cow::<'de, str>::deserialize(deserializer)?;
        // Deserialising reads encounters (and scenarios): the value is not repeated.
        Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.message_without_value()))
    }
}

impl JsonSchema for NibrsCode {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("NibrsCode")
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Borrowed(concat!(module_path!(), "::NibrsCode"))
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        let codes: Vec<&'static str> = all().iter().map(|offence| offence.code).collect();
        json_schema!({
            "type": "string",
            "description": "An FBI NIBRS offence code such as \"35A\". Input is accepted in \
                            any letter case; output is always upper-case.",
            "pattern": "^[0-9]{2}[0-9A-Za-z]$",
            "enum": codes,
        })
    }
}

/// The trimmed input, if it is short and plain enough to repeat in an error.
fn echo(code: &str) -> Option<String> {
    let trimmed = code.trim();
    let plain = trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/'));
    (!trimmed.is_empty() && plain && trimmed.chars().count() <= MAX_ECHO_CHARS)
        .then(|| trimmed.to_owned())
}

/// Trims and upper-cases `code` into a fixed three-byte key, or `None` when
/// it cannot be a code at all.
fn normalise(code: &str) -> Option<[u8; 3]> {
    let bytes = code.trim().as_bytes();
    match bytes {
        &[a, b, c] if bytes.is_ascii() => Some([
            a.to_ascii_uppercase(),
            b.to_ascii_uppercase(),
            c.to_ascii_uppercase(),
        ]),
        _ => None,
    }
}

/// Parses the embedded table. Errors carry the 1-based line number and what
/// was wrong with it.
fn parse_table(src: &'static str) -> Result<Vec<NibrsOffense>, (usize, &'static str)> {
    let mut lines = src.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim_end() == HEADER => {}
        _ => return Err((1, "missing or unexpected header row")),
    }
    let mut rows: Vec<NibrsOffense> = Vec::new();
    for (index, line) in lines {
        let line_no = index.saturating_add(1);
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_row(line).map_err(|reason| (line_no, reason))?;
        let [code, name, group, crime_against, retired, violent] = fields.as_slice() else {
            return Err((line_no, "expected 6 fields"));
        };
        let code_ok = code.len() == 3
            && code
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        if !code_ok {
            return Err((line_no, "code must be 3 upper-case letters or digits"));
        }
        if name.trim().is_empty() {
            return Err((line_no, "empty offence name"));
        }
        let group = match *group {
            "A" => NibrsGroup::A,
            "B" => NibrsGroup::B,
            _ => return Err((line_no, "group must be A or B")),
        };
        let crime_against = CrimeAgainst::parse(crime_against)
            .ok()
            .ok_or((line_no, "unknown crime_against value"))?;
        let retired = match *retired {
            "false" => false,
            "true" => true,
            _ => return Err((line_no, "retired must be true or false")),
        };
        let violent = match *violent {
            "false" => false,
            "true" => true,
            _ => return Err((line_no, "violent must be true or false")),
        };
        if let Some(previous) = rows.last() {
            if previous.code >= *code {
                return Err((line_no, "codes must be unique and in ascending order"));
            }
        }
        rows.push(NibrsOffense {
            code,
            name,
            group,
            crime_against,
            retired,
            violent,
        });
    }
    Ok(rows)
}

/// Splits one CSV row. A field may be wrapped in double quotes so that it can
/// hold a comma. Escaped quotes (`""`) are not supported, which keeps every
/// field a borrowed slice of the table; the table has no use for them.
fn split_row(line: &'static str) -> Result<Vec<&'static str>, &'static str> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(after_quote) = rest.strip_prefix('"') {
            let end = after_quote.find('"').ok_or("unterminated quoted field")?;
            let (field, tail) = after_quote.split_at(end);
            fields.push(field);
            let tail = tail.get(1..).unwrap_or("");
            if tail.is_empty() {
                return Ok(fields);
            }
            rest = tail
                .strip_prefix(',')
                .ok_or("a quoted field must be followed by a comma or the end of the line")?;
        } else {
            match rest.find(',') {
                Some(comma) => {
                    let (field, tail) = rest.split_at(comma);
                    if field.contains('"') {
                        return Err("stray quote in unquoted field");
                    }
                    fields.push(field);
                    rest = tail.get(1..).unwrap_or("");
                }
                None => {
                    if rest.contains('"') {
                        return Err("stray quote in unquoted field");
                    }
                    fields.push(rest);
                    return Ok(fields);
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_parses_completely() {
        let parsed = parse_table(NIBRS_CSV);
        assert!(parsed.is_ok(), "table failed to parse: {parsed:?}");
        let rows = parsed.unwrap_or_default();
        let data_lines = NIBRS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        assert_eq!(rows.len(), data_lines, "every data row becomes an offence");
        assert_eq!(all().len(), data_lines);
        assert_eq!(all().len(), 85);
    }

    #[test]
    fn group_sizes_match_the_manual() {
        let current = || all().iter().filter(|o| !o.retired);
        let a = current().filter(|o| o.group == NibrsGroup::A).count();
        let b = current().filter(|o| o.group == NibrsGroup::B).count();
        assert_eq!(a, 71);
        assert_eq!(b, 10);
        let retired: Vec<&str> = all().iter().filter(|o| o.retired).map(|o| o.code).collect();
        assert_eq!(retired, ["90A", "90E", "90H", "90I"]);
        for offence in all() {
            assert_eq!(
                offence.group == NibrsGroup::B,
                offence.code.starts_with("90"),
                "{}",
                offence.code
            );
        }
    }

    #[test]
    fn every_code_comes_back_from_its_index() {
        for o in all() {
            let code = NibrsCode::parse(o.code).unwrap();
            let back = NibrsCode::from_index(code.index()).unwrap();
            assert_eq!(back.as_str(), o.code);
        }
        assert!(NibrsCode::from_index(u16::MAX).is_none());
    }

    #[test]
    fn codes_are_unique_sorted_and_canonical() {
        let mut seen = HashSet::new();
        for offence in all() {
            assert!(seen.insert(offence.code), "duplicate {}", offence.code);
            assert_eq!(offence.code, offence.code.to_ascii_uppercase());
            assert_eq!(offence.code.len(), 3);
            assert!(!offence.name.is_empty());
            assert_eq!(offence.name, offence.name.trim());
        }
        assert!(all().windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn every_row_round_trips_through_lookup_and_parse() {
        for offence in all() {
            assert_eq!(lookup(offence.code), Some(offence));
            assert_eq!(lookup(&offence.code.to_ascii_lowercase()), Some(offence));
            let code = NibrsCode::parse(offence.code);
            assert_eq!(code.map(|c| c.offense()), Ok(offence));
        }
    }

    #[test]
    fn required_codes_are_present() {
        for code in [
            "09A", "09B", "09C", "100", "11A", "11B", "11C", "11D", "120", "13A", "13B", "13C",
            "200", "210", "220", "23A", "23B", "23C", "23D", "23E", "23F", "23G", "23H", "240",
            "250", "26A", "26B", "26C", "26D", "26E", "26F", "26G", "26H", "270", "280", "290",
            "35A", "35B", "36A", "36B", "370", "39A", "39B", "39C", "39D", "40A", "40B", "40C",
            "510", "520", "64A", "64B", "720", "90B", "90C", "90D", "90F", "90G", "90J", "90Z",
        ] {
            assert!(lookup(code).is_some(), "{code} missing");
        }
    }

    #[test]
    fn classifications_spot_check() {
        let get = |c: &str| lookup(c).map(|o| (o.group, o.crime_against));
        assert_eq!(get("09C"), Some((NibrsGroup::A, CrimeAgainst::NotACrime)));
        assert_eq!(get("120"), Some((NibrsGroup::A, CrimeAgainst::Property)));
        assert_eq!(get("35A"), Some((NibrsGroup::A, CrimeAgainst::Society)));
        assert_eq!(get("90F"), Some((NibrsGroup::B, CrimeAgainst::Person)));
        assert_eq!(get("90J"), Some((NibrsGroup::B, CrimeAgainst::Society)));
        assert_eq!(
            lookup("64A").map(|o| o.name),
            Some("Human Trafficking, Commercial Sex Acts")
        );
    }

    /// Violent by default: every Group A crime against a person, and robbery; nothing else.
    #[test]
    fn violent_by_default_follows_the_documented_reading() {
        for offence in all() {
            let expected = (offence.group == NibrsGroup::A
                && offence.crime_against == CrimeAgainst::Person)
                || offence.code == "120";
            assert_eq!(offence.violent, expected, "{}", offence.code);
        }
        assert!(lookup("13B").is_some_and(|o| o.violent));
        assert!(lookup("90F").is_some_and(|o| !o.violent));
        assert!(lookup("35A").is_some_and(|o| !o.violent));
    }

    #[test]
    fn lookup_is_case_and_space_insensitive() {
        assert_eq!(lookup("35a").map(|o| o.code), Some("35A"));
        assert_eq!(lookup("\t90z\n").map(|o| o.code), Some("90Z"));
        assert!(lookup("").is_none());
        assert!(lookup("35").is_none());
        assert!(lookup("35AA").is_none());
        assert!(lookup("ß5A").is_none());
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("35C"), Some("35A"));
        assert_eq!(suggest("35c"), Some("35A"));
        assert_eq!(suggest("13"), Some("13A"));
        assert_eq!(suggest("9OZ"), Some("90Z"));
        assert_eq!(suggest("035A"), Some("35A"));
        // Retired codes are never proposed: 90Q is one edit from 90A..90Z.
        assert_eq!(suggest("90Q"), Some("90B"));
        assert_eq!(suggest("90"), Some("90B"));
        assert_eq!(suggest("13A"), None);
        assert_eq!(suggest("zzzzzz"), None);
        assert_eq!(suggest(""), None);
        assert_eq!(suggest("   "), None);
        assert_eq!(suggest(&"9".repeat(10_000)), None);
    }

    #[test]
    fn unknown_codes_are_rejected_with_hints() {
        let err = NibrsCode::parse("35C");
        assert_eq!(
            err,
            Err(NibrsError::Unknown {
                code: Some("35C".into()),
                suggestion: Some("35A"),
            })
        );
        let message = |input: &str| NibrsCode::parse(input).map(|_| ()).unwrap_err().to_string();
        assert_eq!(message("xyz"), "unknown NIBRS offence code `xyz`");
        assert_eq!(message(" 9-0/z "), "unknown NIBRS offence code `9-0/z`");
        for withheld in [
            "Jane Smith",
            "nonsense-code",
            "",
            "   ",
            "a\nb",
            "été",
            &"x".repeat(500),
        ] {
            assert_eq!(
                NibrsCode::parse(withheld),
                Err(NibrsError::Unknown {
                    code: None,
                    suggestion: None
                }),
                "{withheld:?}"
            );
            assert_eq!(
                message(withheld),
                "unknown NIBRS offence code (the value is not shaped like a code, so it is not repeated)"
            );
        }
    }

    #[test]
    fn an_encounters_unknown_code_is_named_by_field_and_place_not_repeated() {
        let text = r#"{"id":"e1","at":"2026-02-20T10:00:00-08:00","offenses":[{"nibrs":"35A","level":"misdemeanor"},{"nibrs":"35C","level":"misdemeanor"}]}"#;
        let e = crate::Encounter::from_json(text).unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("offenses[1].nibrs"), "{shown}");
        assert!(!shown.contains("35C"), "{shown}");
        assert!(!shown.contains("did you mean"), "{shown}");
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let e = crate::Encounter::from_value(value).unwrap_err();
        assert!(!e.to_string().contains("35C"), "{e}");
        assert!(e.to_string().contains("offenses[1].nibrs"), "{e}");
    }

    #[test]
    fn retired_codes_parse_and_are_flagged() {
        let code = NibrsCode::parse("90e").unwrap();
        assert_eq!(code.name(), "Drunkenness");
        assert!(code.is_retired());
        assert_eq!(code.crime_against(), CrimeAgainst::Society);
        assert_eq!(
            lookup("90I").map(|o| o.crime_against),
            Some(CrimeAgainst::NotACrime)
        );
        assert!(!NibrsCode::parse("90C").unwrap().is_retired());
        assert!(
            all()
                .iter()
                .filter(|o| o.retired)
                .all(|o| o.group == NibrsGroup::B)
        );
    }

    #[test]
    fn code_traits() {
        let a = NibrsCode::parse("13A").unwrap();
        let a2: NibrsCode = "13a".parse().unwrap();
        let b = NibrsCode::parse("35A").unwrap();
        assert_eq!(a, a2);
        assert!(a < b);
        let set: HashSet<NibrsCode> = [a, a2, b].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert_eq!(format!("{a}"), "13A");
        assert_eq!(format!("{a:?}"), "NibrsCode(\"13A\")");
        assert_eq!(String::from(b), "35A");
        assert!(b.is_drug());
        assert!(!a.is_drug());
    }

    #[test]
    fn serde_round_trip() {
        let codes: Vec<NibrsCode> = ["09a", "35B", "90z"]
            .iter()
            .map(|c| NibrsCode::parse(c).unwrap())
            .collect();
        let json = serde_json::to_string(&codes).unwrap();
        assert_eq!(json, r#"["09A","35B","90Z"]"#);
        let back: Vec<NibrsCode> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, codes);
        let lower: NibrsCode = serde_json::from_str("\"13b\"").unwrap();
        assert_eq!(lower.as_str(), "13B");
    }

    #[test]
    fn serde_rejects_bad_codes() {
        // Deserialising reads encounters: neither the code nor a suggestion drawn from it is
        // repeated (`parse` still says both, for callers that typed the code themselves).
        let err = serde_json::from_str::<NibrsCode>("\"35C\"").unwrap_err();
        assert!(!err.to_string().contains("35C"), "{err}");
        assert!(!err.to_string().contains("did you mean"), "{err}");
        assert!(serde_json::from_str::<NibrsCode>("\"9OE\"").is_err());
        assert!(serde_json::from_str::<NibrsCode>("35").is_err());
        assert!(serde_json::from_str::<NibrsCode>("null").is_err());
    }

    #[test]
    fn offense_serde_round_trip() {
        let offence = lookup("90F").unwrap();
        let value = serde_json::to_value(offence).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "code": "90F",
                "name": "Family Offenses, Nonviolent",
                "group": "b",
                "crime_against": "person",
                "retired": false,
                "violent": false,
            })
        );
    }

    #[test]
    fn schema_lists_every_code() {
        let schema = schemars::schema_for!(NibrsCode);
        let value = serde_json::to_value(&schema).unwrap();
        let listed = value
            .get("enum")
            .and_then(|e| e.as_array())
            .map(|a| a.len())
            .unwrap_or(0);
        assert_eq!(listed, all().len());
        assert_eq!(value.get("type"), Some(&serde_json::json!("string")));
    }

    #[test]
    fn parser_rejects_malformed_tables() {
        assert!(parse_table("").is_err());
        assert!(parse_table("wrong,header\n").is_err());
        assert_eq!(parse_table(HEADER).map(|r| r.len()), Ok(0));
        let bad_rows: &[&'static str] = &[
            "code,name,group,crime_against,retired,violent\n13A,Name,C,person,false,true\n",
            "code,name,group,crime_against,retired,violent\n13A,Name,A,nobody,false,true\n",
            "code,name,group,crime_against,retired,violent\n13A,Name,A,person,no,true\n",
            "code,name,group,crime_against,retired,violent\n13A,Name,A,person,false,yes\n",
            "code,name,group,crime_against,retired,violent\n13a,Name,A,person,false,true\n",
            "code,name,group,crime_against,retired,violent\n13A,,A,person,false,true\n",
            "code,name,group,crime_against,retired,violent\n13A,Name,A,person,false\n",
            "code,name,group,crime_against,retired,violent\n13A,\"Name,A,person,false,true\n",
            "code,name,group,crime_against,retired,violent\n13A,Na\"me,A,person,false,true\n",
            "code,name,group,crime_against,retired,violent\n13A,\"Name\"x,A,person,false,true\n",
            "code,name,group,crime_against,retired,violent\n13B,One,A,person,false,true\n13A,Two,A,person,false,true\n",
            "code,name,group,crime_against,retired,violent\n13A,One,A,person,false,true\n13A,Two,A,person,false,true\n",
        ];
        for (i, src) in bad_rows.iter().enumerate() {
            assert_eq!(
                parse_table(src).map(|_| ()).map_err(|(line, _)| line > 1),
                Err(true),
                "case {i}"
            );
        }
        let quoted = parse_table(
            "code,name,group,crime_against,retired,violent\r\n64A,\"A, B\",A,person,false,true\r\n",
        );
        assert_eq!(quoted.map(|r| r.first().map(|o| o.name)), Ok(Some("A, B")));
    }
}
