//! `OfframpError`: every failure the bindings report, and the guard that turns a panic into one.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::case::{CaseEvent, TrackState};

/// One problem in a program, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Diagnostic {
    /// The file, or the name given with the text.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// A hint, such as the name that was probably meant.
    pub help: Option<String>,
    /// The problem as one line, as the core writes it: `FILE:LINE:COL: message (help)`.
    pub text: String,
}

impl From<&offramp::Diagnostic> for Diagnostic {
    fn from(d: &offramp::Diagnostic) -> Self {
        Diagnostic {
            file: d.file.clone(),
            line: to_u32(d.line),
            column: to_u32(d.column),
            message: d.message.clone(),
            help: d.help.clone(),
            text: d.to_string(),
        }
    }
}

/// Everything that can go wrong in offramp, as seen from Kotlin (`OfframpException`, one
/// subclass per case) and Swift (`OfframpError`, one enum case each).
///
/// No error repeats a value that was given (it could be personal data): each names the field
/// and says what was expected.
#[derive(Debug, Clone, PartialEq, uniffi::Error)]
pub enum OfframpError {
    /// A program could not be loaded. `line`, `column` and `detail` are those of the first
    /// problem; `diagnostics` lists every problem found.
    InvalidProgram {
        /// 1-based line of the first problem (0 when the text could not be read at all).
        line: u32,
        /// 1-based column of the first problem (0 when unknown).
        column: u32,
        /// The first problem in words.
        detail: String,
        /// Every problem, in file order.
        diagnostics: Vec<Diagnostic>,
    },
    /// An encounter, given as a record or as JSON, was refused.
    InvalidEncounter {
        /// Where in the encounter, e.g. `offenses[0].nibrs`; `.` for the whole object.
        field: String,
        /// What was wrong.
        detail: String,
        /// 1-based line in the JSON text, when known.
        line: Option<u32>,
        /// 1-based column in the JSON text, when known.
        column: Option<u32>,
    },
    /// A provider directory could not be loaded.
    InvalidDirectory {
        /// What was wrong and where (file, record, field).
        detail: String,
    },
    /// A case event is not a legal move from the case's current state.
    IllegalTransition {
        /// The state the event was applied to.
        from: TrackState,
        /// The refused event.
        event: CaseEvent,
        /// The events that are allowed from `from`.
        allowed: Vec<CaseEvent>,
        /// The refusal in words.
        detail: String,
    },
    /// A case event broke a rule of the charge hold or of time order, or a stored case does not
    /// replay.
    CaseRefused {
        /// The refusal in words.
        detail: String,
    },
    /// An argument could not be read: a time out of range, a decision record that does
    /// not hold together, a service that is not in the directory.
    InvalidArgument {
        /// Which argument or field.
        field: String,
        /// What was wrong.
        detail: String,
    },
    /// A file could not be read.
    Io {
        /// The path and the operating system's reason.
        detail: String,
    },
    /// A bug inside offramp was caught before it could reach the app. Please report it.
    Internal {
        /// What was being done.
        detail: String,
    },
}

impl fmt::Display for OfframpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OfframpError::InvalidProgram {
                diagnostics,
                detail,
                ..
            } => {
                if diagnostics.is_empty() {
                    return f.write_str(detail);
                }
                let lines: Vec<&str> = diagnostics.iter().map(|d| d.text.as_str()).collect();
                f.write_str(&lines.join("\n"))
            }
            OfframpError::InvalidEncounter {
                field,
                detail,
                line,
                column,
            } => {
                write!(f, "invalid encounter: {field}: {detail}")?;
                if let (Some(l), Some(c)) = (line, column) {
                    write!(f, " (line {l}, column {c})")?;
                }
                Ok(())
            }
            OfframpError::InvalidArgument { field, detail } => write!(f, "{field}: {detail}"),
            OfframpError::InvalidDirectory { detail }
            | OfframpError::IllegalTransition { detail, .. }
            | OfframpError::CaseRefused { detail }
            | OfframpError::Io { detail }
            | OfframpError::Internal { detail } => f.write_str(detail),
        }
    }
}

impl std::error::Error for OfframpError {}

/// The error's text, for Kotlin's `toString()` and Swift's `description`.
#[uniffi::export]
impl OfframpError {
    /// The error in words: for a program, every problem as `FILE:LINE:COL: message`.
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<offramp::ProgramError> for OfframpError {
    fn from(e: offramp::ProgramError) -> Self {
        let diagnostics: Vec<Diagnostic> = e.diagnostics().iter().map(Diagnostic::from).collect();
        match diagnostics.first() {
            Some(first) => OfframpError::InvalidProgram {
                line: first.line,
                column: first.column,
                detail: first.message.clone(),
                diagnostics,
            },
            None => match e {
                offramp::ProgramError::Io { .. } => OfframpError::Io {
                    detail: e.to_string(),
                },
                _ => OfframpError::InvalidProgram {
                    line: 0,
                    column: 0,
                    detail: e.to_string(),
                    diagnostics,
                },
            },
        }
    }
}

/// A value the core could not write as JSON: its types leave none, so this is a bug.
impl From<serde_json::Error> for OfframpError {
    fn from(e: serde_json::Error) -> Self {
        OfframpError::Internal {
            detail: format!("cannot write JSON: {e}"),
        }
    }
}

impl From<offramp::EncounterError> for OfframpError {
    fn from(e: offramp::EncounterError) -> Self {
        match e {
            offramp::EncounterError::Invalid {
                field,
                message,
                position,
            } => OfframpError::InvalidEncounter {
                field,
                detail: message,
                line: position.map(|(l, _)| to_u32(l)),
                column: position.map(|(_, c)| to_u32(c)),
            },
            // The core may add kinds of encounter error; they still reach the app as one.
            other => OfframpError::InvalidEncounter {
                field: other.field().to_string(),
                detail: other.to_string(),
                line: None,
                column: None,
            },
        }
    }
}

impl From<offramp::providers::DirectoryError> for OfframpError {
    fn from(e: offramp::providers::DirectoryError) -> Self {
        match e {
            offramp::providers::DirectoryError::Io { .. } => OfframpError::Io {
                detail: e.to_string(),
            },
            other => OfframpError::InvalidDirectory {
                detail: other.to_string(),
            },
        }
    }
}

impl From<offramp::case::CaseError> for OfframpError {
    fn from(e: offramp::case::CaseError) -> Self {
        match &e {
            offramp::case::CaseError::IllegalTransition {
                from,
                event,
                allowed,
            } => OfframpError::IllegalTransition {
                from: (*from).into(),
                event: (*event).into(),
                allowed: allowed.iter().map(|&a| a.into()).collect(),
                detail: e.to_string(),
            },
            _ => OfframpError::CaseRefused {
                detail: e.to_string(),
            },
        }
    }
}

impl OfframpError {
    /// An argument error.
    pub(crate) fn argument(field: impl Into<String>, detail: impl Into<String>) -> Self {
        OfframpError::InvalidArgument {
            field: field.into(),
            detail: detail.into(),
        }
    }

    /// An encounter error for a field of an encounter record.
    pub(crate) fn encounter(field: impl Into<String>, detail: impl Into<String>) -> Self {
        OfframpError::InvalidEncounter {
            field: field.into(),
            detail: detail.into(),
            line: None,
            column: None,
        }
    }
}

/// Runs one entry point so that nothing it does can unwind into the app: a panic (a bug in
/// offramp) comes back as [`OfframpError::Internal`]. The panic's own message is not passed on,
/// since it could hold a value from the input.
pub(crate) fn guard<T>(
    what: &str,
    f: impl FnOnce() -> Result<T, OfframpError>,
) -> Result<T, OfframpError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(OfframpError::Internal {
            detail: format!(
                "offramp failed inside `{what}`: this is a bug in offramp, please report it"
            ),
        })
    })
}
