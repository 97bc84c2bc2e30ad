//! Protected attributes: which attribute names stand for a class protected by US civil-rights
//! law, read by meaning rather than by exact spelling.
//!
//! Records systems spell the same thing many ways: `race`, `RACE_CD`, `RaceCode`, `racial_group`,
//! `person_race`, `is_hispanic`. A name is split into words (at separators, at camelCase
//! boundaries, between letters and digits, and, for a run of letters with no boundary at all,
//! into the words of a small dictionary when the whole run is made of them: `racecode` is
//! `race code`, while `raceway` stays one word). The name is protected when its words contain one
//! of the terms below. Only whole words count, so `sexton`, `trace_id` and `essex_county` are not
//! protected; a few phrases that name an offence or a need rather than a person's class
//! (`sex_work`, `sex_offender`) are not protected either.
//!
//! The classes follow the federal civil-rights statutes (Title VI and VII of the Civil Rights
//! Act, the Fair Housing Act, the ADA, the Pregnancy Discrimination Act, GINA, and the
//! citizenship and national-origin provisions of the INA). Age is deliberately absent: programs
//! are for adults or for youth, and rules read `age`.

use crate::vocab::vocabulary;

vocabulary! {
    /// A class protected by US civil-rights law. A rule may not read an attribute whose name
    /// stands for one (see [`protected_class`]); such attributes may still be carried on
    /// encounters for equity reporting.
    ///
    /// ```
    /// use offramp::rules::{ProtectedClass, protected_class};
    /// assert_eq!(protected_class("RaceCode"), Some(ProtectedClass::Race));
    /// assert_eq!(protected_class("is_hispanic"), Some(ProtectedClass::Ethnicity));
    /// assert_eq!(protected_class("prior_arrests"), None);
    /// ```
    pub enum ProtectedClass: "protected class" {
        /// Race.
        Race = "race",
        /// Colour (of skin).
        Color = "color",
        /// Ethnicity, including Hispanic or Latino origin.
        Ethnicity = "ethnicity",
        /// National origin and nationality.
        NationalOrigin = "national_origin",
        /// Ancestry.
        Ancestry = "ancestry",
        /// Religion or creed.
        Religion = "religion",
        /// Sex.
        Sex = "sex",
        /// Gender identity.
        GenderIdentity = "gender_identity",
        /// Sexual orientation.
        SexualOrientation = "sexual_orientation",
        /// Disability.
        Disability = "disability",
        /// Citizenship and immigration status.
        Citizenship = "citizenship",
        /// Pregnancy.
        Pregnancy = "pregnancy",
        /// Genetic information.
        GeneticInformation = "genetic_information",
    }
}

impl ProtectedClass {
    /// The class in words, for messages: "race", "citizenship or immigration status".
    pub const fn describe(self) -> &'static str {
        match self {
            ProtectedClass::Race => "race",
            ProtectedClass::Color => "colour",
            ProtectedClass::Ethnicity => "ethnicity (Hispanic or Latino origin)",
            ProtectedClass::NationalOrigin => "national origin",
            ProtectedClass::Ancestry => "ancestry",
            ProtectedClass::Religion => "religion",
            ProtectedClass::Sex => "sex",
            ProtectedClass::GenderIdentity => "gender identity",
            ProtectedClass::SexualOrientation => "sexual orientation",
            ProtectedClass::Disability => "disability",
            ProtectedClass::Citizenship => "citizenship or immigration status",
            ProtectedClass::Pregnancy => "pregnancy",
            ProtectedClass::GeneticInformation => "genetic information",
        }
    }
}

use ProtectedClass as P;

/// The terms, as word sequences, and the class each names. Where one term starts another
/// (`gender` and `gender identity`), the longer one is tried first.
const TERMS: &[(&[&str], ProtectedClass)] = &[
    (&["race"], P::Race),
    (&["races"], P::Race),
    (&["racial"], P::Race),
    (&["color"], P::Color),
    (&["colour"], P::Color),
    (&["complexion"], P::Color),
    (&["skin", "tone"], P::Color),
    (&["ethnicity"], P::Ethnicity),
    (&["ethnicities"], P::Ethnicity),
    (&["ethnic"], P::Ethnicity),
    (&["hispanic"], P::Ethnicity),
    (&["latino"], P::Ethnicity),
    (&["latina"], P::Ethnicity),
    (&["latinx"], P::Ethnicity),
    (&["latine"], P::Ethnicity),
    (&["national", "origin"], P::NationalOrigin),
    (&["nationality"], P::NationalOrigin),
    (&["nationalities"], P::NationalOrigin),
    (&["country", "of", "origin"], P::NationalOrigin),
    (&["origin", "country"], P::NationalOrigin),
    (&["country", "of", "birth"], P::NationalOrigin),
    (&["birth", "country"], P::NationalOrigin),
    (&["place", "of", "birth"], P::NationalOrigin),
    (&["birth", "place"], P::NationalOrigin),
    (&["birthplace"], P::NationalOrigin),
    (&["foreign", "born"], P::NationalOrigin),
    (&["ancestry"], P::Ancestry),
    (&["ancestral"], P::Ancestry),
    (&["ancestor"], P::Ancestry),
    (&["ancestors"], P::Ancestry),
    (&["heritage"], P::Ancestry),
    (&["descent"], P::Ancestry),
    (&["tribal"], P::Ancestry),
    (&["tribe"], P::Ancestry),
    (&["religion"], P::Religion),
    (&["religions"], P::Religion),
    (&["religious"], P::Religion),
    (&["faith"], P::Religion),
    (&["creed"], P::Religion),
    (&["gender", "identity"], P::GenderIdentity),
    (&["transgender"], P::GenderIdentity),
    (&["cisgender"], P::GenderIdentity),
    (&["nonbinary"], P::GenderIdentity),
    (&["non", "binary"], P::GenderIdentity),
    (&["genderqueer"], P::GenderIdentity),
    (&["pronoun"], P::GenderIdentity),
    (&["pronouns"], P::GenderIdentity),
    (&["sex"], P::Sex),
    (&["sexes"], P::Sex),
    (&["gender"], P::Sex),
    (&["genders"], P::Sex),
    (&["male"], P::Sex),
    (&["female"], P::Sex),
    (&["intersex"], P::Sex),
    (&["sexual", "orientation"], P::SexualOrientation),
    (&["sexual", "preference"], P::SexualOrientation),
    (&["gay"], P::SexualOrientation),
    (&["lesbian"], P::SexualOrientation),
    (&["bisexual"], P::SexualOrientation),
    (&["homosexual"], P::SexualOrientation),
    (&["heterosexual"], P::SexualOrientation),
    (&["queer"], P::SexualOrientation),
    (&["lgbt"], P::SexualOrientation),
    (&["lgbtq"], P::SexualOrientation),
    (&["lgbtqi"], P::SexualOrientation),
    (&["lgbtqia"], P::SexualOrientation),
    (&["disability"], P::Disability),
    (&["disabilities"], P::Disability),
    (&["disabled"], P::Disability),
    (&["handicap"], P::Disability),
    (&["handicapped"], P::Disability),
    (&["citizenship"], P::Citizenship),
    (&["citizen"], P::Citizenship),
    (&["citizens"], P::Citizenship),
    (&["noncitizen"], P::Citizenship),
    (&["immigration"], P::Citizenship),
    (&["immigrant"], P::Citizenship),
    (&["immigrants"], P::Citizenship),
    (&["migrant"], P::Citizenship),
    (&["undocumented"], P::Citizenship),
    (&["alien"], P::Citizenship),
    (&["visa"], P::Citizenship),
    (&["refugee"], P::Citizenship),
    (&["asylum"], P::Citizenship),
    (&["pregnancy"], P::Pregnancy),
    (&["pregnant"], P::Pregnancy),
    (&["prenatal"], P::Pregnancy),
    (&["maternity"], P::Pregnancy),
    (&["genetic"], P::GeneticInformation),
    (&["genetics"], P::GeneticInformation),
    (&["genomic"], P::GeneticInformation),
    (&["genome"], P::GeneticInformation),
    (&["dna"], P::GeneticInformation),
];

/// Phrases that start with a term but name an offence, a need or a registry rather than a
/// person's class: a term at the start of one of these does not count.
const NOT_PROTECTED: &[&[&str]] = &[
    &["sex", "work"],
    &["sex", "worker"],
    &["sex", "workers"],
    &["sex", "trade"],
    &["sex", "trafficking"],
    &["sex", "offender"],
    &["sex", "offense"],
    &["sex", "offence"],
    &["sex", "offenses"],
    &["sex", "offences"],
    &["sex", "crime"],
    &["sex", "crimes"],
];

/// Words that are no term themselves but are often glued to one in a name (`racecode`,
/// `personrace`, `ishispanic`), so that a glued run of letters can be split.
const AFFIXES: &[&str] = &[
    "person",
    "subject",
    "client",
    "individual",
    "is",
    "has",
    "self",
    "reported",
    "identified",
    "perceived",
    "primary",
    "secondary",
    "officer",
    "code",
    "codes",
    "cd",
    "group",
    "groups",
    "category",
    "cat",
    "class",
    "status",
    "id",
    "type",
    "flag",
    "value",
    "desc",
    "description",
    "info",
    "information",
    "identity",
    "orientation",
    "preference",
    "origin",
    "national",
    "country",
    "birth",
    "place",
    "of",
    "skin",
    "tone",
    "sexual",
    "non",
    "binary",
    "foreign",
    "born",
    "affiliation",
    "background",
    "indicator",
    "ind",
    "yn",
];

/// The longest dictionary word, in bytes: how far back the splitter looks.
const LONGEST_WORD: usize = 16;

/// A run of letters longer than this is left whole rather than split.
const LONGEST_SPLIT: usize = 64;

fn in_dictionary(word: &str) -> bool {
    AFFIXES.contains(&word) || TERMS.iter().any(|(t, _)| t.contains(&word))
}

/// The class of US civil-rights law an attribute name stands for, if any.
///
/// ```
/// use offramp::rules::{ProtectedClass, protected_class};
/// assert_eq!(protected_class("racial_group"), Some(ProtectedClass::Race));
/// assert_eq!(protected_class("immigrationStatus"), Some(ProtectedClass::Citizenship));
/// assert_eq!(protected_class("gender_identity"), Some(ProtectedClass::GenderIdentity));
/// assert_eq!(protected_class("age"), None);
/// assert_eq!(protected_class("raceway"), None);
/// ```
pub fn protected_class(name: &str) -> Option<ProtectedClass> {
    let words = words(name);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    for i in 0..words.len() {
        let rest = words.get(i..).unwrap_or_default();
        if NOT_PROTECTED.iter().any(|phrase| rest.starts_with(phrase)) {
            continue;
        }
        let longest = TERMS
            .iter()
            .filter(|(term, _)| rest.starts_with(term))
            .max_by_key(|(term, _)| term.len());
        if let Some((_, class)) = longest {
            return Some(*class);
        }
    }
    None
}

/// A name's words, lower-case: split at anything but letters and digits, at camelCase
/// boundaries and between letters and digits; each run of letters then split into dictionary
/// words when it is made of nothing else.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in tokens(name) {
        match split_glued(&token) {
            Some(parts) => out.extend(parts),
            None => out.push(token),
        }
    }
    out
}

/// Splits at separators, camelCase (`raceCode`, `RACECode`) and letter-digit boundaries.
fn tokens(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next = chars.get(i.saturating_add(1)).copied();
            let boundary = (c.is_uppercase() && (prev.is_lowercase() || prev.is_numeric()))
                || (c.is_uppercase()
                    && prev.is_uppercase()
                    && next.is_some_and(char::is_lowercase))
                || (c.is_numeric() != prev.is_numeric() && prev.is_alphanumeric());
            if boundary && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A run of letters as the fewest dictionary words it is made of, or `None` when it is not
/// made of dictionary words only (then it is a word of its own).
#[expect(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "`end` runs over 1..=n and `best` has n + 1 entries; n and the word counts are at most LONGEST_SPLIT"
)]
fn split_glued(token: &str) -> Option<Vec<String>> {
    if token.len() > LONGEST_SPLIT || !token.is_ascii() || in_dictionary(token) {
        return None;
    }
    let n = token.len();
    // best[i]: the fewest words that make up token[..i], and where the last one starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(LONGEST_WORD)..end {
            let (Some(&Some((count, _))), Some(word)) = (best.get(start), token.get(start..end))
            else {
                continue;
            };
            if in_dictionary(word) && best[end].is_none_or(|(c, _)| count + 1 < c) {
                best[end] = Some((count + 1, start));
            }
        }
    }
    let mut parts = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = (*best.get(end)?)?;
        parts.push(token.get(start..end)?.to_string());
        end = start;
    }
    parts.reverse();
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_protected_classes_are_found_however_they_are_spelt() {
        for (name, class) in [
            ("race", P::Race),
            ("Race", P::Race),
            ("RACE", P::Race),
            ("race_code", P::Race),
            ("RaceCode", P::Race),
            ("raceCode", P::Race),
            ("RACE_CD", P::Race),
            ("racecode", P::Race),
            ("racial_group", P::Race),
            ("person_race", P::Race),
            ("subject-race", P::Race),
            ("race_ethnicity", P::Race),
            ("skin_color", P::Color),
            ("ethnicity", P::Ethnicity),
            ("ethnic_group", P::Ethnicity),
            ("ethnic_origin", P::Ethnicity),
            ("hispanic", P::Ethnicity),
            ("is_hispanic", P::Ethnicity),
            ("IsHispanic", P::Ethnicity),
            ("hispanic_or_latino", P::Ethnicity),
            ("national_origin", P::NationalOrigin),
            ("NationalOriginCode", P::NationalOrigin),
            ("nationality", P::NationalOrigin),
            ("country_of_birth", P::NationalOrigin),
            ("ancestry", P::Ancestry),
            ("religion", P::Religion),
            ("religious_affiliation", P::Religion),
            ("sex", P::Sex),
            ("SEX_CODE", P::Sex),
            ("gender", P::Sex),
            ("is_female", P::Sex),
            ("gender_identity", P::GenderIdentity),
            ("genderIdentity", P::GenderIdentity),
            ("transgender", P::GenderIdentity),
            ("sexual_orientation", P::SexualOrientation),
            ("SexualOrientationGroup", P::SexualOrientation),
            ("lgbtq", P::SexualOrientation),
            ("disability", P::Disability),
            ("has_disability", P::Disability),
            ("disability_status", P::Disability),
            ("citizenship", P::Citizenship),
            ("citizenship_status", P::Citizenship),
            ("immigration_status", P::Citizenship),
            ("immigrationStatus", P::Citizenship),
            ("undocumented", P::Citizenship),
            ("pregnancy", P::Pregnancy),
            ("is_pregnant", P::Pregnancy),
            ("pregnant2", P::Pregnancy),
            ("genetic_information", P::GeneticInformation),
            ("genetic_test_result", P::GeneticInformation),
        ] {
            assert_eq!(protected_class(name), Some(class), "{name}");
        }
    }

    #[test]
    fn other_names_are_not_protected() {
        for name in [
            "age",
            "prior_arrests",
            "prior_adult_arrests",
            "has_id",
            "screening",
            "medically_unstable",
            "prior_referrals",
            "housing_status",
            "is_veteran",
            "raceway",
            "sexton",
            "assessment",
            "trace_id",
            "grace_period",
            "essex_county",
            "middlesex_resident",
            "sex_work_history",
            "sex_offender_registry",
            "SexOffenderRegistered",
            "origin",
            "status",
            "code",
            "id",
            "",
            "_",
        ] {
            assert_eq!(protected_class(name), None, "{name}");
        }
    }

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("RACECode"), ["race", "code"]);
        assert_eq!(words("personRace2"), ["person", "race", "2"]);
        assert_eq!(words("ishispanic"), ["is", "hispanic"]);
        assert_eq!(words("raceway"), ["raceway"]);
        // A long glued run is left whole, so the work stays linear in the name.
        let long = "race".repeat(100);
        assert_eq!(words(&long), [long.as_str()]);
    }

    #[test]
    fn every_class_has_a_term() {
        for class in ProtectedClass::ALL {
            assert!(TERMS.iter().any(|(_, c)| *c == class), "{class}");
            assert!(!class.describe().is_empty());
        }
        assert!(
            TERMS
                .iter()
                .all(|(t, _)| t.iter().all(|w| w.len() <= LONGEST_WORD))
        );
    }
}
