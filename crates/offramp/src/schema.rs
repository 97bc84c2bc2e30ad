//! JSON Schemas for the file formats, so editors can check programs, encounters, decisions,
//! traces and scenario files.

use schemars::schema_for;

/// Which schema to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// A program file.
    Program,
    /// One encounter (one line of an encounters file).
    Encounter,
    /// One decision (one line of `offramp route` output).
    Decision,
    /// One trace (`offramp explain --trace --format json`).
    Trace,
    /// A scenario file (`offramp test`).
    Scenarios,
}

impl SchemaKind {
    /// Every schema, in a stable order.
    pub const ALL: [SchemaKind; 5] = [
        SchemaKind::Program,
        SchemaKind::Encounter,
        SchemaKind::Decision,
        SchemaKind::Trace,
        SchemaKind::Scenarios,
    ];

    /// The name used on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            SchemaKind::Program => "program",
            SchemaKind::Encounter => "encounter",
            SchemaKind::Decision => "decision",
            SchemaKind::Trace => "trace",
            SchemaKind::Scenarios => "scenarios",
        }
    }
}

/// The JSON Schema (draft 2020-12) for a file format.
///
/// ```
/// use offramp::schema::{json_schema, SchemaKind};
/// let s = json_schema(SchemaKind::Encounter);
/// assert_eq!(s["title"], "Encounter");
/// assert!(s["required"].as_array().unwrap().iter().any(|f| f == "id"));
/// ```
pub fn json_schema(kind: SchemaKind) -> serde_json::Value {
    let schema = match kind {
        SchemaKind::Program => schema_for!(crate::ProgramSpec),
        SchemaKind::Encounter => schema_for!(crate::Encounter),
        SchemaKind::Decision => schema_for!(crate::Decision),
        SchemaKind::Trace => schema_for!(crate::Trace),
        SchemaKind::Scenarios => schema_for!(crate::authoring::scenarios::ScenarioFile),
    };
    schema.to_value()
}
