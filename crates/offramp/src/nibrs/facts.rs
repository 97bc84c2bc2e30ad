//! NIBRS offence facts beyond the offence code: the type of criminal activity, the suspected
//! drug type and the drug measurement units.
//!
//! # Source
//!
//! The codes come from the FBI CJIS *2019.1 NIBRS Technical Specification* (31 July 2018):
//! Data Element 12 (Type Criminal Activity/Gang Information, Table 3-22), Data Element 20
//! (Suspected Drug Type, Table 3-32) and Data Element 22 (Type Drug Measurement, Table 3-34).
//! Versions 3.1 and 3.2 of the specification (2017) give the same letters, and the drug-type
//! letters have not changed since the 2000 data collection guidelines.
//!
//! Each value is written in JSON, TOML and rules by a readable name (`possessing`,
//! `marijuana`, `gram`); the NIBRS letter code is read as well (`P`, `E`, `GM`), is what
//! [`CriminalActivity::nibrs_code`] (and its siblings) give back, and is listed by
//! `ALIASES`. What is left out, and why:
//!
//! * Data Element 12 also carries gang information (`J`, `G`, `N`) for offences against
//!   persons and robbery, and animal-cruelty kinds (`A`, `F`, `I`, `S`) for `720`; neither
//!   bears on routing, so only the criminal-activity letters are taken.
//! * Later FBI lookup tables list `R` (stolen firearm) and `W` (conspiracy); which edition
//!   added them could not be checked in an FBI document, so they are not taken.
//! * The measurement `XX` (not reported, sent to a laboratory) is not a unit: a quantity not
//!   known is left out of the encounter instead.
//! * NIBRS has no code for fentanyl; it falls under [`DrugType::OtherNarcotics`] (`H`) by
//!   reading, since the specification's list of other narcotics does not name it.

use crate::vocab::vocabulary;

vocabulary! {
    /// What the person was doing with the thing the offence is about: the criminal-activity
    /// values of NIBRS Data Element 12. NIBRS records them for drug (`35A`), drug-equipment
    /// (`35B`), counterfeiting (`250`), stolen-property (`280`), gambling-equipment (`39C`),
    /// pornography (`370`) and weapon-law (`520`) offences; offramp reads them on any offence.
    ///
    /// ```
    /// use offramp::nibrs::CriminalActivity;
    /// assert_eq!(CriminalActivity::parse("P"), Ok(CriminalActivity::Possessing));
    /// assert_eq!(CriminalActivity::Distributing.nibrs_code(), "D");
    /// ```
    pub enum CriminalActivity: "criminal activity" {
        /// Buying or receiving (`B`).
        Buying = "buying" | "B",
        /// Cultivating, manufacturing or publishing: producing of any kind (`C`).
        Cultivating = "cultivating" | "C",
        /// Distributing or selling (`D`).
        Distributing = "distributing" | "D",
        /// Exploiting children (`E`).
        ExploitingChildren = "exploiting_children" | "E",
        /// Operating, promoting or assisting (`O`).
        Operating = "operating" | "O",
        /// Possessing or concealing (`P`).
        Possessing = "possessing" | "P",
        /// Transporting, transmitting or importing (`T`).
        Transporting = "transporting" | "T",
        /// Using or consuming (`U`).
        Using = "using" | "U",
    }
}

vocabulary! {
    /// The suspected drug type: NIBRS Data Element 20.
    ///
    /// ```
    /// use offramp::nibrs::DrugType;
    /// assert_eq!(DrugType::parse("D"), Ok(DrugType::Heroin));
    /// assert_eq!(DrugType::OtherNarcotics.nibrs_code(), "H");
    /// ```
    pub enum DrugType: "drug type" {
        /// Crack cocaine (`A`).
        CrackCocaine = "crack_cocaine" | "A",
        /// Cocaine in any form but crack (`B`).
        Cocaine = "cocaine" | "B",
        /// Hashish (`C`).
        Hashish = "hashish" | "C",
        /// Heroin (`D`).
        Heroin = "heroin" | "D",
        /// Marijuana (`E`).
        Marijuana = "marijuana" | "E",
        /// Morphine (`F`).
        Morphine = "morphine" | "F",
        /// Opium (`G`).
        Opium = "opium" | "G",
        /// Other narcotics, such as codeine, hydrocodone, methadone; fentanyl is read as this
        /// (`H`).
        OtherNarcotics = "other_narcotics" | "H",
        /// LSD (`I`).
        Lsd = "lsd" | "I",
        /// PCP (`J`).
        Pcp = "pcp" | "J",
        /// Other hallucinogens, such as MDMA, psilocybin, synthetic cannabinoids (`K`).
        OtherHallucinogens = "other_hallucinogens" | "K",
        /// Amphetamines and methamphetamines (`L`).
        Amphetamines = "amphetamines" | "L",
        /// Other stimulants, such as khat or synthetic cathinones (`M`).
        OtherStimulants = "other_stimulants" | "M",
        /// Barbiturates (`N`).
        Barbiturates = "barbiturates" | "N",
        /// Other depressants (`O`).
        OtherDepressants = "other_depressants" | "O",
        /// Other drugs, such as tranquillisers or steroids (`P`).
        OtherDrugs = "other_drugs" | "P",
        /// A drug whose type is not known yet, for example while a laboratory test is pending
        /// (`U`).
        Unknown = "unknown" | "U",
        /// More than three drug types (`X`).
        OverThreeTypes = "over_three_types" | "X",
    }
}

vocabulary! {
    /// The unit of an estimated drug quantity: NIBRS Data Element 22, without `XX` (not
    /// reported).
    ///
    /// ```
    /// use offramp::nibrs::DrugUnit;
    /// assert_eq!(DrugUnit::parse("GM"), Ok(DrugUnit::Gram));
    /// assert_eq!(DrugUnit::Ounce.grams(), Some(28.349523125));
    /// assert_eq!(DrugUnit::DosageUnits.grams(), None);
    /// ```
    pub enum DrugUnit: "drug unit" {
        /// Grams (`GM`).
        Gram = "gram" | "GM",
        /// Kilograms (`KG`).
        Kilogram = "kilogram" | "KG",
        /// Ounces, avoirdupois (`OZ`).
        Ounce = "ounce" | "OZ",
        /// Pounds, avoirdupois (`LB`).
        Pound = "pound" | "LB",
        /// Millilitres (`ML`).
        Milliliter = "milliliter" | "ML",
        /// Litres (`LT`).
        Liter = "liter" | "LT",
        /// US fluid ounces (`FO`).
        FluidOunce = "fluid_ounce" | "FO",
        /// US gallons (`GL`).
        Gallon = "gallon" | "GL",
        /// Dosage units or items, such as pills (`DU`).
        DosageUnits = "dosage_units" | "DU",
        /// Number of plants (`NP`).
        Plants = "plants" | "NP",
    }
}

impl CriminalActivity {
    /// The NIBRS letter code.
    pub const fn nibrs_code(self) -> &'static str {
        match self {
            CriminalActivity::Buying => "B",
            CriminalActivity::Cultivating => "C",
            CriminalActivity::Distributing => "D",
            CriminalActivity::ExploitingChildren => "E",
            CriminalActivity::Operating => "O",
            CriminalActivity::Possessing => "P",
            CriminalActivity::Transporting => "T",
            CriminalActivity::Using => "U",
        }
    }
}

impl DrugType {
    /// The NIBRS letter code.
    pub const fn nibrs_code(self) -> &'static str {
        match self {
            DrugType::CrackCocaine => "A",
            DrugType::Cocaine => "B",
            DrugType::Hashish => "C",
            DrugType::Heroin => "D",
            DrugType::Marijuana => "E",
            DrugType::Morphine => "F",
            DrugType::Opium => "G",
            DrugType::OtherNarcotics => "H",
            DrugType::Lsd => "I",
            DrugType::Pcp => "J",
            DrugType::OtherHallucinogens => "K",
            DrugType::Amphetamines => "L",
            DrugType::OtherStimulants => "M",
            DrugType::Barbiturates => "N",
            DrugType::OtherDepressants => "O",
            DrugType::OtherDrugs => "P",
            DrugType::Unknown => "U",
            DrugType::OverThreeTypes => "X",
        }
    }
}

/// Grams in an avoirdupois ounce.
const GRAMS_PER_OUNCE: f64 = 28.349_523_125;
/// Grams in an avoirdupois pound.
const GRAMS_PER_POUND: f64 = 453.592_37;
/// Millilitres in a US fluid ounce.
const MILLILITERS_PER_FLUID_OUNCE: f64 = 29.573_529_562_5;
/// Millilitres in a US gallon.
const MILLILITERS_PER_GALLON: f64 = 3_785.411_784;

impl DrugUnit {
    /// The NIBRS two-letter code.
    pub const fn nibrs_code(self) -> &'static str {
        match self {
            DrugUnit::Gram => "GM",
            DrugUnit::Kilogram => "KG",
            DrugUnit::Ounce => "OZ",
            DrugUnit::Pound => "LB",
            DrugUnit::Milliliter => "ML",
            DrugUnit::Liter => "LT",
            DrugUnit::FluidOunce => "FO",
            DrugUnit::Gallon => "GL",
            DrugUnit::DosageUnits => "DU",
            DrugUnit::Plants => "NP",
        }
    }

    /// Grams in one of this unit, for a unit of weight; `None` for any other.
    pub const fn grams(self) -> Option<f64> {
        match self {
            DrugUnit::Gram => Some(1.0),
            DrugUnit::Kilogram => Some(1_000.0),
            DrugUnit::Ounce => Some(GRAMS_PER_OUNCE),
            DrugUnit::Pound => Some(GRAMS_PER_POUND),
            _ => None,
        }
    }

    /// Millilitres in one of this unit, for a unit of capacity; `None` for any other.
    pub const fn milliliters(self) -> Option<f64> {
        match self {
            DrugUnit::Milliliter => Some(1.0),
            DrugUnit::Liter => Some(1_000.0),
            DrugUnit::FluidOunce => Some(MILLILITERS_PER_FLUID_OUNCE),
            DrugUnit::Gallon => Some(MILLILITERS_PER_GALLON),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_from_its_name_and_its_nibrs_code() {
        for a in CriminalActivity::ALL {
            assert_eq!(CriminalActivity::parse(a.as_str()), Ok(a));
            assert_eq!(CriminalActivity::parse(a.nibrs_code()), Ok(a));
        }
        for d in DrugType::ALL {
            assert_eq!(DrugType::parse(d.as_str()), Ok(d));
            assert_eq!(DrugType::parse(d.nibrs_code()), Ok(d));
        }
        for u in DrugUnit::ALL {
            assert_eq!(DrugUnit::parse(u.as_str()), Ok(u));
            assert_eq!(DrugUnit::parse(u.nibrs_code()), Ok(u));
            // A unit is a weight, a capacity, or a count: never two of them.
            assert!(!(u.grams().is_some() && u.milliliters().is_some()), "{u}");
        }
        assert_eq!(CriminalActivity::COUNT, 8);
        assert_eq!(DrugType::COUNT, 18);
        assert_eq!(DrugUnit::COUNT, 10);
    }

    #[test]
    fn codes_are_the_specifications_letters() {
        let letters: String = CriminalActivity::ALL
            .iter()
            .map(|a| a.nibrs_code())
            .collect();
        assert_eq!(letters, "BCDEOPTU");
        let letters: String = DrugType::ALL.iter().map(|d| d.nibrs_code()).collect();
        assert_eq!(letters, "ABCDEFGHIJKLMNOPUX");
        let json = serde_json::to_string(&DrugType::OtherNarcotics).unwrap_or_default();
        assert_eq!(json, "\"other_narcotics\"");
        let read: Result<DrugType, _> = serde_json::from_str("\"H\"");
        assert_eq!(read.ok(), Some(DrugType::OtherNarcotics));
    }
}
