#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod case;
pub mod domain;
pub mod language;
pub mod lines;
pub mod nibrs;
pub mod program;
pub mod providers;
pub mod router;
pub mod rules;
pub mod schema;
pub mod sim;
mod source;
pub mod text;
pub mod vocab;

pub use domain::{
    AttributeValue, Consent, Disposition, Encounter, EncounterError, Flag, Intercept, Level,
    Location, Need, Offense, Overdose, Pathway, Responder, Source, UnknownValue,
};
pub use language::{Language, UnknownLanguage};
pub use nibrs::NibrsCode;
pub use program::{Diagnostic, Format, Program, ProgramError, ProgramSpec};
pub use router::{
    ChargeHold, Decision, EligiblePathway, IneligiblePathway, ProgramRef, Reason, Router, Warning,
    WarningCode,
};
pub use text::Text;
