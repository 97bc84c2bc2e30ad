//! Mapping service taxonomy terms to what offramp matches on.
//!
//! Provider directories classify services with taxonomy terms: AIRS/211 LA codes such as
//! `RX-1700` (detoxification), Open Eligibility names such as `Emergency Shelter`, SAMHSA
//! FindTreatment.gov codes such as `BU` (buprenorphine), or a local list. A [`TaxonomyMap`]
//! turns each term into the [`ServiceKind`]s, [`Population`]s, [`Intake`] and insurance words
//! that offramp's matching uses. [`TaxonomyMap::default`] is the mapping shipped with offramp
//! (`data/taxonomy-default.toml`); an agency can load its own with [`TaxonomyMap::from_toml`].
//!
//! # The TOML format
//!
//! ```toml
//! # Optional: the labels by which a taxonomy is named in HSDS `taxonomy_term.taxonomy`,
//! # `taxonomy_detail.name` or `taxonomy_detail.uri` (compared ignoring case and punctuation;
//! # a label starting with `http` matches any URI that starts with it).
//! [[taxonomy]]
//! key = "airs"
//! aliases = ["airs", "211la", "https://211taxonomy.org"]
//!
//! # One entry per term, or per group of terms with the same meaning.
//! [[term]]
//! taxonomy = "airs"            # optional: only terms from this taxonomy (or naming none)
//! code = "RX-1700"             # a code, or a list of codes, compared ignoring case
//! descendants = true           # also codes below it: RX-1700.0500, RX-1700.1700-100 ...
//! kinds = ["withdrawal_management"]
//!
//! [[term]]
//! name = ["Detoxification", "Detox"]   # names, compared ignoring case and extra spaces
//! kinds = ["withdrawal_management"]
//! populations = ["homeless"]           # optional
//! populations_only = false             # optional: true when the term restricts who is served
//! intake = "walk_in"                   # optional: walk_in, referral_only or either
//! insurance = ["medicaid"]             # optional: free words, stored lower-case
//! ```
//!
//! * Each `[[term]]` needs `code` or `name` (or both: then either matches) and at least one of
//!   `kinds`, `populations`, `populations_only`, `intake` or `insurance`.
//! * Kinds are the snake_case [`ServiceKind`] names (`withdrawal_management`, `moud`,
//!   `residential`, `outpatient`, `mental_health_crisis`, `crisis_stabilization`,
//!   `shelter_housing`, `case_management`, `peer_recovery`, `harm_reduction`,
//!   `sex_work_trafficking`); populations the snake_case [`Population`] names.
//! * A scoped entry (`taxonomy = ...`) matches terms whose taxonomy labels name that taxonomy,
//!   and terms that name no taxonomy at all; a `taxonomy` without a `[[taxonomy]]` table is its
//!   own only alias. An unscoped entry matches terms of every taxonomy.
//! * Every matching entry contributes: a term's result is the union of all of them.
//!
//! # offramp's own taxonomy
//!
//! Terms whose taxonomy is `offramp` are always understood, whatever the mapping: the code is a
//! [`ServiceKind`] name (`moud`), `population:NAME` (or a bare population name),
//! `intake:walk_in`, `intake:referral_only`, `populations_only`, or `insurance:WORD`. offramp's
//! HSDS export writes these, so a directory can name its kinds directly.
//!
//! ```
//! use offramp::providers::model::ServiceKind;
//! use offramp::providers::taxonomy::{TaxonomyMap, TermRef};
//!
//! let map = TaxonomyMap::default();
//! let detox = map.lookup(&TermRef::new(Some("AIRS"), Some("RX-1700.1700"), None));
//! assert!(detox.kinds.contains(&ServiceKind::WithdrawalManagement));
//! let named = map.lookup(&TermRef::new(Some("offramp"), Some("moud"), None));
//! assert!(named.kinds.contains(&ServiceKind::Moud));
//! ```

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use super::model::{Intake, Population, ServiceKind};
use crate::source::{Diagnostic, SpanIndex, char_offset, line_col, parse_toml, read_text_capped};

/// The mapping shipped with offramp.
const DEFAULT_TOML: &str = include_str!("../../data/taxonomy-default.toml");

/// The kinds by their snake_case names, with a label for people.
pub(crate) const KINDS: [(&str, ServiceKind, &str); 11] = [
    (
        "withdrawal_management",
        ServiceKind::WithdrawalManagement,
        "Withdrawal management",
    ),
    (
        "moud",
        ServiceKind::Moud,
        "Medication for opioid use disorder",
    ),
    (
        "residential",
        ServiceKind::Residential,
        "Residential treatment",
    ),
    (
        "outpatient",
        ServiceKind::Outpatient,
        "Outpatient treatment",
    ),
    (
        "mental_health_crisis",
        ServiceKind::MentalHealthCrisis,
        "Mental-health crisis services",
    ),
    (
        "crisis_stabilization",
        ServiceKind::CrisisStabilization,
        "Crisis stabilization",
    ),
    (
        "shelter_housing",
        ServiceKind::ShelterHousing,
        "Shelter and housing",
    ),
    (
        "case_management",
        ServiceKind::CaseManagement,
        "Case management",
    ),
    (
        "peer_recovery",
        ServiceKind::PeerRecovery,
        "Peer recovery support",
    ),
    (
        "harm_reduction",
        ServiceKind::HarmReduction,
        "Harm reduction",
    ),
    (
        "sex_work_trafficking",
        ServiceKind::SexWorkTrafficking,
        "Sex work and trafficking services",
    ),
];

/// The populations by their snake_case names, with a label for people.
pub(crate) const POPULATIONS: [(&str, Population, &str); 9] = [
    ("sex_workers", Population::SexWorkers, "People in sex work"),
    (
        "trafficking_survivors",
        Population::TraffickingSurvivors,
        "Trafficking survivors",
    ),
    ("veterans", Population::Veterans, "Veterans"),
    ("women", Population::Women, "Women"),
    ("men", Population::Men, "Men"),
    ("young_adults", Population::YoungAdults, "Young adults"),
    (
        "homeless",
        Population::Homeless,
        "People experiencing homelessness",
    ),
    ("lgbtq", Population::Lgbtq, "LGBTQ+ people"),
    (
        "pregnant_parenting",
        Population::PregnantParenting,
        "Pregnant or parenting people",
    ),
];

/// Intake values by their snake_case names.
pub(crate) const INTAKES: [(&str, Intake); 3] = [
    ("walk_in", Intake::WalkIn),
    ("referral_only", Intake::ReferralOnly),
    ("either", Intake::Either),
];

/// The taxonomy key of offramp's own codes.
pub(crate) const OFFRAMP_TAXONOMY: &str = "offramp";

/// The largest taxonomy mapping read, in bytes (8 MiB): the default mapping is about 13 KB,
/// and a mapping of every AIRS code is under 2 MiB. A larger file is refused before it is
/// read, larger text before it is parsed.
pub const MAX_TAXONOMY_BYTES: usize = 8 << 20;

/// The most `[[term]]` entries a mapping may have, and the most `[[taxonomy]]` tables
/// (100,000 each). More are refused, at the first one past the limit, before any entry is
/// read.
pub const MAX_TAXONOMY_ENTRIES: usize = 100_000;

/// A mapping file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaxonomyError {
    /// The file could not be read (missing, a folder, not UTF-8).
    #[error("{name}: cannot read the taxonomy mapping: {message}")]
    Io {
        /// The path given.
        name: String,
        /// The operating system's reason.
        message: String,
    },
    /// The text is not valid TOML, or has a key or type the format does not know.
    #[error("{name}: line {line}, column {column}: {message}")]
    Toml {
        /// The mapping's name (usually its file name).
        name: String,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// 1-based column of the problem (0 when unknown).
        column: usize,
        /// What was wrong.
        message: String,
        /// The text read, for snippets.
        source_text: Option<Arc<str>>,
    },
    /// A `[[term]]` entry is incomplete or names something offramp does not know.
    #[error("{name}: term {entry}: {field}: {message}")]
    Entry {
        /// The mapping's name.
        name: String,
        /// 1-based position of the `[[term]]` entry in the file.
        entry: usize,
        /// The key at fault.
        field: String,
        /// What was wrong and what was expected.
        message: String,
        /// Where the entry's key is in the text (byte offsets), found when the file was
        /// parsed; `None` when it is not known.
        span: Option<Range<usize>>,
        /// The text read, for snippets.
        source_text: Option<Arc<str>>,
    },
    /// The mapping is over a size limit: its text is longer than [`MAX_TAXONOMY_BYTES`], or
    /// it has more entries than [`MAX_TAXONOMY_ENTRIES`].
    #[error("{name}: {}{message}", path.as_deref().map(|p| format!("{p}: ")).unwrap_or_default())]
    TooLarge {
        /// The mapping's name.
        name: String,
        /// The key path of the first entry past the limit (`term[100000]`), when the limit
        /// is a count.
        path: Option<String>,
        /// Which limit, and by how much it is passed.
        message: String,
        /// Where that entry is in the text (byte offsets), when known.
        span: Option<Range<usize>>,
        /// The text read, for snippets.
        source_text: Option<Arc<str>>,
    },
}

impl TaxonomyError {
    /// The error as a [`Diagnostic`] (code `offramp::taxonomy`), at the place the TOML parser
    /// read the entry's key, with a snippet.
    ///
    /// ```
    /// use offramp::providers::taxonomy::TaxonomyMap;
    /// let e = TaxonomyMap::from_toml("[[term]]\ncode = \"X\"\nkinds = [\"detox\"]\n", "m.toml")
    ///     .unwrap_err();
    /// let d = e.diagnostic();
    /// assert_eq!((d.line, d.column, d.path.as_deref()), (3, 1, Some("term[0].kinds")));
    /// assert!(e.render().starts_with("m.toml:3:1: error: term 1: kinds:"), "{}", e.render());
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        const CODE: &str = "offramp::taxonomy";
        match self {
            TaxonomyError::Io { name, message } => Diagnostic::new(
                CODE,
                name,
                format!("cannot read the taxonomy mapping: {message}"),
            ),
            TaxonomyError::Toml {
                name,
                line,
                column,
                message,
                source_text,
            } => {
                let d = Diagnostic::new(CODE, name, message.clone());
                match source_text {
                    Some(t) if *line > 0 => {
                        let at = char_offset(t, *line, *column);
                        d.at(t, at..at)
                    }
                    _ => d,
                }
            }
            TaxonomyError::Entry {
                name,
                entry,
                field,
                message,
                span,
                source_text,
            } => {
                let path = format!("term[{}].{field}", entry.saturating_sub(1));
                let d = Diagnostic::new(CODE, name, format!("term {entry}: {field}: {message}"));
                placed(d, source_text, span).with_path(path)
            }
            TaxonomyError::TooLarge {
                name,
                path,
                message,
                span,
                source_text,
            } => {
                let d = Diagnostic::new(CODE, name, message.clone());
                match path {
                    Some(p) => placed(d, source_text, span).with_path(p.clone()),
                    // The text's size: at the file's start, with no snippet.
                    None => {
                        let mut d = d.with_help(Some(format!(
                            "a mapping may be at most {} MiB",
                            MAX_TAXONOMY_BYTES >> 20
                        )));
                        d.line = 1;
                        d.column = 1;
                        d
                    }
                }
            }
        }
    }

    /// The error as `offramp check` prints it: see [`Diagnostic::render`].
    pub fn render(&self) -> String {
        self.diagnostic().render()
    }
}

/// The error for a mapping text over [`MAX_TAXONOMY_BYTES`].
fn too_long(name: &str) -> TaxonomyError {
    TaxonomyError::TooLarge {
        name: name.to_string(),
        path: None,
        message: format!(
            "the mapping is larger than {} MiB, the most a taxonomy mapping may be",
            MAX_TAXONOMY_BYTES >> 20
        ),
        span: None,
        source_text: None,
    }
}

/// A diagnostic at `span` of the text, when both are known.
fn placed(d: Diagnostic, text: &Option<Arc<str>>, span: &Option<Range<usize>>) -> Diagnostic {
    match (text, span) {
        (Some(t), Some(at)) => d.at(t, at.clone()),
        _ => d,
    }
}

/// What one taxonomy term means to offramp: the union of every mapping entry it matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TermEffect {
    /// Service kinds.
    pub kinds: BTreeSet<ServiceKind>,
    /// Populations served.
    pub populations: BTreeSet<Population>,
    /// True when the term restricts the service to its populations.
    pub populations_only: bool,
    /// Intake modes named (walk-in, referral-only or either).
    pub intake: BTreeSet<IntakeMode>,
    /// Insurance words, lower-case.
    pub insurance: BTreeSet<String>,
}

/// An [`Intake`] that can be collected in a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntakeMode {
    /// Walk in without a referral.
    WalkIn,
    /// Only by referral.
    ReferralOnly,
    /// Either.
    Either,
}

impl From<Intake> for IntakeMode {
    fn from(i: Intake) -> Self {
        match i {
            Intake::WalkIn => IntakeMode::WalkIn,
            Intake::ReferralOnly => IntakeMode::ReferralOnly,
            Intake::Either => IntakeMode::Either,
        }
    }
}

impl TermEffect {
    /// True when the term means nothing to offramp.
    ///
    /// ```
    /// use offramp::providers::taxonomy::TermEffect;
    /// assert!(TermEffect::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
            && self.populations.is_empty()
            && !self.populations_only
            && self.intake.is_empty()
            && self.insurance.is_empty()
    }

    /// Adds another effect to this one.
    ///
    /// ```
    /// use offramp::providers::model::ServiceKind;
    /// use offramp::providers::taxonomy::TermEffect;
    /// let mut a = TermEffect::default();
    /// let mut b = TermEffect::default();
    /// b.kinds.insert(ServiceKind::Moud);
    /// a.merge(&b);
    /// assert!(a.kinds.contains(&ServiceKind::Moud));
    /// ```
    pub fn merge(&mut self, other: &TermEffect) {
        self.kinds.extend(other.kinds.iter().copied());
        self.populations.extend(other.populations.iter().copied());
        self.populations_only |= other.populations_only;
        self.intake.extend(other.intake.iter().copied());
        self.insurance.extend(other.insurance.iter().cloned());
    }
}

/// A taxonomy term as a directory gives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TermRef {
    /// Labels naming the term's taxonomy (HSDS `taxonomy`, `taxonomy_detail.name`,
    /// `taxonomy_detail.uri`, or a tabular `taxonomies.name`); empty when not said.
    pub taxonomy: Vec<String>,
    /// The term's code, when it has one.
    pub code: Option<String>,
    /// The term's name, when it has one.
    pub name: Option<String>,
}

impl TermRef {
    /// A term with at most one taxonomy label.
    ///
    /// ```
    /// use offramp::providers::taxonomy::TermRef;
    /// let t = TermRef::new(Some("airs"), Some("PH-1000"), Some("Case/Care Management"));
    /// assert_eq!(t.code.as_deref(), Some("PH-1000"));
    /// ```
    pub fn new(taxonomy: Option<&str>, code: Option<&str>, name: Option<&str>) -> TermRef {
        TermRef {
            taxonomy: taxonomy.map(|t| vec![t.to_string()]).unwrap_or_default(),
            code: code.map(str::to_string),
            name: name.map(str::to_string),
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    /// Normalised aliases of the entry's taxonomy; `None` for an unscoped entry.
    scope: Option<Arc<[String]>>,
    descendants: bool,
    effect: TermEffect,
}

/// A mapping from taxonomy terms to service kinds, populations, intake and insurance words.
///
/// ```
/// use offramp::providers::model::{Population, ServiceKind};
/// use offramp::providers::taxonomy::{TaxonomyMap, TermRef};
///
/// let map = TaxonomyMap::from_toml(r#"
/// [[term]]
/// name = "Street Outreach for Women"
/// kinds = ["case_management"]
/// populations = ["women"]
/// "#, "local.toml").unwrap();
/// let e = map.lookup(&TermRef::new(None, None, Some("street outreach for  WOMEN")));
/// assert!(e.kinds.contains(&ServiceKind::CaseManagement));
/// assert!(e.populations.contains(&Population::Women));
/// ```
#[derive(Debug, Clone)]
pub struct TaxonomyMap {
    name: String,
    entries: Vec<Entry>,
    by_code: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Default for TaxonomyMap {
    /// The mapping shipped with offramp (`data/taxonomy-default.toml`).
    fn default() -> Self {
        static DEFAULT: OnceLock<TaxonomyMap> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                TaxonomyMap::from_toml(DEFAULT_TOML, "taxonomy-default.toml")
                    .unwrap_or_else(|_| TaxonomyMap::empty("taxonomy-default.toml"))
            })
            .clone()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    taxonomy: Vec<ScopeSpec>,
    #[serde(default)]
    term: Vec<TermSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeSpec {
    key: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermSpec {
    taxonomy: Option<String>,
    code: Option<OneOrMany>,
    name: Option<OneOrMany>,
    #[serde(default)]
    descendants: bool,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    populations: Vec<String>,
    #[serde(default)]
    populations_only: bool,
    intake: Option<String>,
    #[serde(default)]
    insurance: Vec<String>,
}

impl TaxonomyMap {
    /// A mapping with no entries (offramp's own codes are still understood).
    ///
    /// ```
    /// use offramp::providers::taxonomy::TaxonomyMap;
    /// assert!(TaxonomyMap::empty("none").is_empty());
    /// ```
    pub fn empty(name: &str) -> TaxonomyMap {
        TaxonomyMap {
            name: name.to_string(),
            entries: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
        }
    }

    /// Reads a mapping from a TOML file, named in errors by its path. A file over
    /// [`MAX_TAXONOMY_BYTES`] is refused without being read.
    ///
    /// ```
    /// use offramp::providers::taxonomy::{TaxonomyError, TaxonomyMap};
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/taxonomy-default.toml");
    /// assert!(TaxonomyMap::from_file(path).unwrap().len() > 20);
    /// let e = TaxonomyMap::from_file("no-such-mapping.toml").unwrap_err();
    /// assert!(matches!(e, TaxonomyError::Io { .. }));
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<TaxonomyMap, TaxonomyError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        match read_text_capped(path, MAX_TAXONOMY_BYTES) {
            Ok(Some(text)) => TaxonomyMap::from_toml(&text, &name),
            Ok(None) => Err(too_long(&name)),
            Err(e) => Err(TaxonomyError::Io {
                name,
                message: e.to_string(),
            }),
        }
    }

    /// Reads a mapping from TOML text; `name` (usually the file name) is used in errors.
    ///
    /// ```
    /// use offramp::providers::taxonomy::TaxonomyMap;
    /// let err = TaxonomyMap::from_toml("[[term]]\ncode = \"X\"\nkinds = [\"detox\"]\n", "m.toml")
    ///     .unwrap_err();
    /// assert!(err.to_string().starts_with("m.toml: term 1: kinds:"));
    /// ```
    pub fn from_toml(text: &str, name: &str) -> Result<TaxonomyMap, TaxonomyError> {
        if text.len() > MAX_TAXONOMY_BYTES {
            return Err(too_long(name));
        }
        let source_text: Arc<str> = text.into();
        let toml_error = |e: toml::de::Error| {
            let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
            TaxonomyError::Toml {
                name: name.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
                source_text: Some(source_text.clone()),
            }
        };
        // The text is parsed once: the same tree is read into the entries and, when an
        // entry is wrong, asked where its key is.
        let doc = parse_toml(text).map_err(toml_error)?;
        for list in ["term", "taxonomy"] {
            let count = match doc.get_ref().get(list).map(toml::Spanned::get_ref) {
                Some(toml::de::DeValue::Array(a)) => a.len(),
                _ => 0,
            };
            if count > MAX_TAXONOMY_ENTRIES {
                let path = format!("{list}[{MAX_TAXONOMY_ENTRIES}]");
                let span = SpanIndex::Toml(doc).span(&path, false);
                return Err(TaxonomyError::TooLarge {
                    name: name.to_string(),
                    message: format!(
                        "the mapping has {count} `[[{list}]]` entries; at most {MAX_TAXONOMY_ENTRIES} are allowed"
                    ),
                    path: Some(path),
                    span,
                    source_text: Some(source_text),
                });
            }
        }
        let spec =
            FileSpec::deserialize(toml::de::Deserializer::from(doc.clone())).map_err(toml_error)?;
        let places = SpanIndex::Toml(doc);
        let mut lists: HashMap<String, Vec<String>> = HashMap::new();
        for s in &spec.taxonomy {
            let key = norm_label(&s.key);
            let entry = lists.entry(key.clone()).or_default();
            entry.push(key);
            entry.extend(s.aliases.iter().map(|a| norm_alias(a)));
        }
        // Shared by every entry scoped to the taxonomy, not copied into each.
        let scopes: HashMap<String, Arc<[String]>> =
            lists.into_iter().map(|(k, v)| (k, v.into())).collect();
        let mut map = TaxonomyMap::empty(name);
        for (i, t) in spec.term.into_iter().enumerate() {
            let entry_no = i.saturating_add(1);
            let err = |field: &str, message: String| TaxonomyError::Entry {
                name: name.to_string(),
                entry: entry_no,
                field: field.to_string(),
                message,
                span: places.span(&format!("term[{i}].{field}"), true),
                source_text: Some(source_text.clone()),
            };
            let mut effect = TermEffect {
                populations_only: t.populations_only,
                ..TermEffect::default()
            };
            for k in &t.kinds {
                let kind =
                    lookup_word(k, &KINDS.map(|(n, v, _)| (n, v))).map_err(|m| err("kinds", m))?;
                effect.kinds.insert(kind);
            }
            for p in &t.populations {
                let pop = lookup_word(p, &POPULATIONS.map(|(n, v, _)| (n, v)))
                    .map_err(|m| err("populations", m))?;
                effect.populations.insert(pop);
            }
            if let Some(i) = &t.intake {
                let intake = lookup_word(i, &INTAKES).map_err(|m| err("intake", m))?;
                effect.intake.insert(intake.into());
            }
            for w in &t.insurance {
                let w = w.trim().to_lowercase();
                if w.is_empty() {
                    return Err(err("insurance", "insurance words must not be empty".into()));
                }
                effect.insurance.insert(w);
            }
            if effect.is_empty() {
                return Err(err(
                    "kinds",
                    "the entry maps to nothing: give kinds, populations, populations_only, intake or insurance"
                        .into(),
                ));
            }
            let codes = t.code.map(OneOrMany::into_vec).unwrap_or_default();
            let names = t.name.map(OneOrMany::into_vec).unwrap_or_default();
            if codes.is_empty() && names.is_empty() {
                return Err(err(
                    "code",
                    "give `code` or `name` (a string or a list of strings)".into(),
                ));
            }
            if t.descendants && codes.is_empty() {
                return Err(err("descendants", "`descendants` needs a `code`".into()));
            }
            let scope = t.taxonomy.as_deref().map(|tx| {
                let key = norm_label(tx);
                scopes
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| Arc::from([key]))
            });
            let idx = map.entries.len();
            map.entries.push(Entry {
                scope,
                descendants: t.descendants,
                effect,
            });
            for c in codes {
                let c = norm_code(&c);
                if c.is_empty() {
                    return Err(err("code", "codes must not be empty".into()));
                }
                map.by_code.entry(c).or_default().push(idx);
            }
            for n in names {
                let n = norm_name(&n);
                if n.is_empty() {
                    return Err(err("name", "names must not be empty".into()));
                }
                map.by_name.entry(n).or_default().push(idx);
            }
        }
        Ok(map)
    }

    /// The mapping's name, as given to [`TaxonomyMap::from_toml`].
    ///
    /// ```
    /// use offramp::providers::taxonomy::TaxonomyMap;
    /// assert_eq!(TaxonomyMap::default().name(), "taxonomy-default.toml");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many `[[term]]` entries the mapping has.
    ///
    /// ```
    /// use offramp::providers::taxonomy::TaxonomyMap;
    /// assert!(TaxonomyMap::default().len() > 20);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the mapping has no entries.
    ///
    /// ```
    /// use offramp::providers::taxonomy::TaxonomyMap;
    /// assert!(!TaxonomyMap::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What a term means: the union of every entry matching its code (or a parent code, for
    /// entries with `descendants`) or its name, plus offramp's own codes. Empty when nothing
    /// matches.
    ///
    /// ```
    /// use offramp::providers::model::{Population, ServiceKind};
    /// use offramp::providers::taxonomy::{TaxonomyMap, TermRef};
    /// let map = TaxonomyMap::default();
    /// let e = map.lookup(&TermRef::new(Some("Open Eligibility"), None, Some("Emergency Shelter")));
    /// assert!(e.kinds.contains(&ServiceKind::ShelterHousing));
    /// let v = map.lookup(&TermRef::new(Some("offramp"), Some("population:veterans"), None));
    /// assert!(v.populations.contains(&Population::Veterans));
    /// assert!(map.lookup(&TermRef::new(None, Some("nothing-known"), None)).is_empty());
    /// ```
    pub fn lookup(&self, term: &TermRef) -> TermEffect {
        let labels: Vec<String> = term
            .taxonomy
            .iter()
            .map(|t| norm_label(t))
            .filter(|t| !t.is_empty())
            .collect();
        let raw_labels: Vec<String> = term
            .taxonomy
            .iter()
            .map(|t| t.trim().to_lowercase())
            .collect();
        let mut out = TermEffect::default();
        if labels.iter().any(|l| l == OFFRAMP_TAXONOMY)
            && let Some(code) = &term.code
            && let Some(e) = offramp_code(code)
        {
            out.merge(&e);
        }
        let in_scope = |entry: &Entry| match &entry.scope {
            None => true,
            Some(aliases) => {
                labels.is_empty()
                    || aliases.iter().any(|a| {
                        if a.starts_with("http") {
                            raw_labels.iter().any(|r| r.starts_with(a.as_str()))
                        } else {
                            labels.iter().any(|l| l == a)
                        }
                    })
            }
        };
        if let Some(code) = &term.code {
            let code = norm_code(code);
            if let Some(idxs) = self.by_code.get(&code) {
                for &i in idxs {
                    if let Some(e) = self.entries.get(i).filter(|e| in_scope(e)) {
                        out.merge(&e.effect);
                    }
                }
            }
            for parent in ancestors(&code) {
                if let Some(idxs) = self.by_code.get(parent) {
                    for &i in idxs {
                        if let Some(e) =
                            self.entries.get(i).filter(|e| e.descendants && in_scope(e))
                        {
                            out.merge(&e.effect);
                        }
                    }
                }
            }
        }
        if let Some(name) = &term.name
            && let Some(idxs) = self.by_name.get(&norm_name(name))
        {
            for &i in idxs {
                if let Some(e) = self.entries.get(i).filter(|e| in_scope(e)) {
                    out.merge(&e.effect);
                }
            }
        }
        out
    }
}

/// Decodes one of offramp's own codes.
fn offramp_code(code: &str) -> Option<TermEffect> {
    let code = code.trim().to_lowercase();
    let mut e = TermEffect::default();
    if let Some((_, k, _)) = KINDS.iter().find(|(n, _, _)| *n == code) {
        e.kinds.insert(*k);
    } else if let Some((_, p, _)) = POPULATIONS
        .iter()
        .find(|(n, _, _)| Some(*n) == code.strip_prefix("population:") || *n == code)
    {
        e.populations.insert(*p);
    } else if let Some((_, i)) = INTAKES
        .iter()
        .find(|(n, _)| Some(*n) == code.strip_prefix("intake:"))
    {
        e.intake.insert((*i).into());
    } else if code == "populations_only" {
        e.populations_only = true;
    } else if let Some(w) = code
        .strip_prefix("insurance:")
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        e.insurance.insert(w.to_string());
    } else {
        return None;
    }
    Some(e)
}

/// offramp's code for a population (`population:NAME`).
pub(crate) fn population_code(p: Population) -> Option<(&'static str, &'static str)> {
    POPULATIONS
        .iter()
        .find(|(_, v, _)| *v == p)
        .map(|(n, _, l)| (*n, *l))
}

/// offramp's code and label for a kind.
pub(crate) fn kind_code(k: ServiceKind) -> Option<(&'static str, &'static str)> {
    KINDS
        .iter()
        .find(|(_, v, _)| *v == k)
        .map(|(n, _, l)| (*n, *l))
}

fn lookup_word<T: Copy>(word: &str, table: &[(&str, T)]) -> Result<T, String> {
    let w = word.trim().to_lowercase();
    if let Some((_, v)) = table.iter().find(|(n, _)| *n == w) {
        return Ok(*v);
    }
    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
    let hint = crate::vocab::closest(&w, names.iter().copied())
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Err(format!(
        "`{}` is not known; expected one of {}{hint}",
        word.trim(),
        names.join(", ")
    ))
}

/// Lower-case alphanumerics only: "AIRS/211 LA County" -> "airs211lacounty".
pub(crate) fn norm_label(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn norm_alias(s: &str) -> String {
    let t = s.trim().to_lowercase();
    if t.starts_with("http") {
        t
    } else {
        norm_label(&t)
    }
}

fn norm_code(s: &str) -> String {
    s.trim().to_lowercase()
}

fn norm_name(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The parent codes of a hierarchical code: "rx-1700.0500-070" -> "rx-1700.0500", "rx-1700", "rx".
fn ancestors(code: &str) -> impl Iterator<Item = &str> {
    code.char_indices()
        .filter(|(_, c)| *c == '.' || *c == '-')
        .map(|(i, _)| &code[..i])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn kinds_of(
        map: &TaxonomyMap,
        tax: Option<&str>,
        code: Option<&str>,
        name: Option<&str>,
    ) -> BTreeSet<ServiceKind> {
        map.lookup(&TermRef::new(tax, code, name)).kinds
    }

    #[test]
    fn default_mapping_parses_and_covers_every_kind_and_population() {
        let map = TaxonomyMap::from_toml(DEFAULT_TOML, "default").unwrap();
        let mut kinds = BTreeSet::new();
        let mut pops = BTreeSet::new();
        for e in &map.entries {
            kinds.extend(e.effect.kinds.iter().copied());
            pops.extend(e.effect.populations.iter().copied());
        }
        for (_, k, _) in KINDS {
            assert!(kinds.contains(&k), "{k:?} not covered");
        }
        for (_, p, _) in POPULATIONS {
            assert!(pops.contains(&p), "{p:?} not covered");
        }
    }

    #[test]
    fn airs_codes_match_with_descendants_and_scope() {
        let map = TaxonomyMap::default();
        use ServiceKind as K;
        assert!(
            kinds_of(&map, Some("AIRS"), Some("RX-1700"), None).contains(&K::WithdrawalManagement)
        );
        assert!(
            kinds_of(&map, Some("211 LA County"), Some("rx-1700.0500-070"), None)
                .contains(&K::WithdrawalManagement)
        );
        assert!(kinds_of(&map, None, Some("RX-8450.5000"), None).contains(&K::Moud));
        assert!(
            kinds_of(
                &map,
                Some("https://211taxonomy.org/search"),
                Some("PH-1000"),
                None
            )
            .contains(&K::CaseManagement)
        );
        // A code from another taxonomy is not read as AIRS.
        assert!(kinds_of(&map, Some("some other list"), Some("PH-1000"), None).is_empty());
        // "RX-17000" is not a child of "RX-1700".
        assert!(kinds_of(&map, Some("airs"), Some("RX-17000"), None).is_empty());
        // Exact-only codes do not match children.
        assert!(
            map.lookup(&TermRef::new(Some("airs"), Some("BH-1800.8500-100"), None))
                .populations
                .is_empty()
        );
    }

    #[test]
    fn names_match_in_any_taxonomy_ignoring_case_and_spaces() {
        let map = TaxonomyMap::default();
        let e = map.lookup(&TermRef::new(
            Some("Open Eligibility"),
            None,
            Some("  harm   REDUCTION "),
        ));
        assert!(e.kinds.contains(&ServiceKind::HarmReduction));
        let e = map.lookup(&TermRef::new(None, None, Some("Pregnant Women")));
        assert!(e.populations.contains(&Population::PregnantParenting));
        let e = map.lookup(&TermRef::new(Some("samhsa"), Some("MD"), None));
        assert!(e.insurance.contains("medicaid"));
        let e = map.lookup(&TermRef::new(None, None, Some("Walk-In")));
        assert!(e.intake.contains(&IntakeMode::WalkIn));
    }

    #[test]
    fn offramp_codes_are_built_in() {
        let map = TaxonomyMap::empty("none");
        let e = map.lookup(&TermRef::new(
            Some("offramp"),
            Some("sex_work_trafficking"),
            None,
        ));
        assert!(e.kinds.contains(&ServiceKind::SexWorkTrafficking));
        let e = map.lookup(&TermRef::new(Some("OFFRAMP"), Some("sex_workers"), None));
        assert!(e.populations.contains(&Population::SexWorkers));
        let e = map.lookup(&TermRef::new(
            Some("offramp"),
            Some("intake:referral_only"),
            None,
        ));
        assert!(e.intake.contains(&IntakeMode::ReferralOnly));
        let e = map.lookup(&TermRef::new(
            Some("offramp"),
            Some("insurance:Medicaid"),
            None,
        ));
        assert!(e.insurance.contains("medicaid"));
        assert!(
            map.lookup(&TermRef::new(
                Some("offramp"),
                Some("populations_only"),
                None
            ))
            .populations_only
        );
        assert!(
            map.lookup(&TermRef::new(Some("offramp"), Some("bogus"), None))
                .is_empty()
        );
        // Without the taxonomy label, bare kind codes are not special.
        assert!(
            map.lookup(&TermRef::new(None, Some("moud"), None))
                .is_empty()
        );
    }

    #[test]
    fn errors_name_the_entry_and_field() {
        let e = TaxonomyMap::from_toml("[[term]]\nkinds = [\"moud\"]\n", "a.toml").unwrap_err();
        assert_eq!(
            e,
            TaxonomyError::Entry {
                name: "a.toml".into(),
                entry: 1,
                field: "code".into(),
                message: "give `code` or `name` (a string or a list of strings)".into(),
                // No `code` key: the entry is placed at its nearest key, `[[term]]`.
                span: Some(0..8),
                source_text: Some("[[term]]\nkinds = [\"moud\"]\n".into()),
            }
        );
        let e = TaxonomyMap::from_toml(
            "[[term]]\ncode = \"A\"\n[[term]]\ncode = \"B\"\nkinds = [\"mou\"]\n",
            "b.toml",
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with("b.toml: term 1: kinds: the entry maps to nothing"),
            "{s}"
        );
        let e = TaxonomyMap::from_toml("[[term]]\ncode = \"B\"\nkinds = [\"mou\"]\n", "b.toml")
            .unwrap_err();
        assert!(e.to_string().contains("did you mean `moud`?"), "{e}");
        let e = TaxonomyMap::from_toml("[[term]]\ncode = \"B\"\nkind = [\"moud\"]\n", "c.toml")
            .unwrap_err();
        match e {
            TaxonomyError::Toml { line, name, .. } => {
                assert_eq!(name, "c.toml");
                assert!(line >= 1);
            }
            other => panic!("{other:?}"),
        }
        let e = TaxonomyMap::from_toml(
            "[[term]]\nname = \"x\"\ndescendants = true\nkinds = [\"moud\"]\n",
            "d.toml",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("d.toml: term 1: descendants:"));
        let e = TaxonomyMap::from_toml("[[term]]\ncode = \"x\"\nintake = \"walkin\"\n", "e.toml")
            .unwrap_err();
        assert!(e.to_string().contains("did you mean `walk_in`?"), "{e}");
        let e = TaxonomyMap::from_toml("not toml = = 1", "f.toml").unwrap_err();
        assert!(matches!(e, TaxonomyError::Toml { line: 1, .. }));
    }

    #[test]
    fn a_mapping_is_parsed_once_however_often_its_error_is_placed() {
        use crate::source::TOML_PARSES;
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("[[term]]\ncode = \"C{i}\"\nkinds = [\"moud\"]\n"));
        }
        text.push_str("[[term]]\ncode = \"bad\"\nkinds = [\"detox\"]\n");
        TOML_PARSES.with(|n| n.set(0));
        let e = TaxonomyMap::from_toml(&text, "m.toml").unwrap_err();
        for _ in 0..10 {
            let d = e.diagnostic();
            assert_eq!((d.line, d.column), (603, 1), "{}", e.render());
            assert_eq!(d.path.as_deref(), Some("term[200].kinds"));
            assert!(e.render().contains("kinds = [\"detox\"]"));
        }
        assert_eq!(TOML_PARSES.with(std::cell::Cell::get), 1);
    }

    #[test]
    fn limits_are_checked_before_the_entries_are_read() {
        let big = "#".repeat(MAX_TAXONOMY_BYTES + 1);
        let e = TaxonomyMap::from_toml(&big, "big.toml").unwrap_err();
        assert!(
            matches!(e, TaxonomyError::TooLarge { path: None, .. }),
            "{e:?}"
        );
        assert!(
            e.render()
                .starts_with("big.toml:1:1: error: the mapping is larger than 8 MiB"),
            "{}",
            e.render()
        );
        // One entry past the limit, each one wrong: refused for the count, naming where the
        // limit is passed, before any entry is read.
        let text = "[[term]]\nkinds = [\"nothing\"]\n".repeat(MAX_TAXONOMY_ENTRIES + 1);
        let e = TaxonomyMap::from_toml(&text, "many.toml").unwrap_err();
        let d = e.diagnostic();
        assert_eq!(d.path.as_deref(), Some("term[100000]"));
        assert_eq!(d.line, 200_001);
        assert!(
            d.message
                .starts_with("the mapping has 100001 `[[term]]` entries; at most 100000"),
            "{}",
            d.message
        );
        let at_limit = "[[term]]\ncode = \"x\"\nkinds = [\"moud\"]\n".repeat(MAX_TAXONOMY_ENTRIES);
        assert_eq!(
            TaxonomyMap::from_toml(&at_limit, "full.toml")
                .unwrap()
                .len(),
            MAX_TAXONOMY_ENTRIES
        );
    }

    #[test]
    fn ancestors_cut_at_separators() {
        let a: Vec<&str> = ancestors("rx-1700.0500-070").collect();
        assert_eq!(a, vec!["rx-1700.0500", "rx-1700", "rx"]);
    }
}
