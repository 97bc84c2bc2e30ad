#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Every public item has rustdoc: the crate is published, and docs.rs is its reference. (The
// workspace only warns, for the bindings and tests; here a missing doc is an error.)
#![deny(missing_docs)]
// No input may panic the library: outside tests, indexing, `panic!` and arithmetic that can
// overflow are errors. A module that needs one of them says why in its own `allow`, with a
// reason naming the bound that makes it safe (see DEVELOPERS.md, "Panics").
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

pub mod authoring;
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
mod zone;

pub use domain::{
    AttributeValue, Consent, Disposition, Encounter, EncounterError, Flag, HistoryEvent,
    HistoryKind, Intercept, InterceptBasis, Level, Location, Need, Offense, Overdose, Pathway,
    Responder, Source, UnknownValue, Willing,
};
pub use language::{Language, UnknownLanguage};
pub use nibrs::NibrsCode;
pub use program::{Diagnostic, Format, Program, ProgramError, ProgramSpec};
pub use router::{
    ChargeHold, Decision, EligiblePathway, IneligiblePathway, NeededInformation, ProgramRef,
    Reason, Router, Trace, TracedOffense, TracedPathway, TracedRule, Warning, WarningCode,
};
pub use rules::{Evidence, OffenseRef, Truth};
pub use text::Text;
