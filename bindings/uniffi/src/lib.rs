#![doc = include_str!("../README.md")]

mod batch;
mod case;
mod enums;
mod error;
mod explain;
mod objects;
mod records;
mod time;

pub use batch::BatchAnswer;
pub use case::{Case, CaseEvent, CaseStatus, CaseTransition, ChargeStatus, TrackState};
pub use case::{case_graph_dot, case_graph_mermaid};
pub use enums::{
    Consent, CriminalActivity, Disposition, DrugType, DrugUnit, Flag, HistoryKind, Intercept,
    InterceptBasis, Level, Need, Pathway, Responder, Source, Truth, WarningCode, Willing,
    intercept_from_number,
};
pub use error::{Diagnostic, OfframpError};
pub use explain::{
    EvidenceItem, NeededInformation, OffenseRef, Trace, TracedOffense, TracedPathway, TracedRule,
};
pub use objects::{Capacity, Directory, DirectoryWarning, Program, Router};
pub use records::{
    AttributeValue, ChargeHold, Decision, DrugQuantity, EligiblePathway, Encounter, HistoryEvent,
    IneligiblePathway, Location, Offense, Overdose, ProgramRef, ProviderGap, ProviderOption,
    Reason, Warning, decision_from_json, encounter_from_json,
};
pub use time::{CalendarDay, ZonedTime};

uniffi::setup_scaffolding!();

/// The version of the offramp bindings (the workspace version).
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[cfg(test)]
mod tests;
