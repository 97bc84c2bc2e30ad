//! `BatchAnswer`, what a batch gives for each encounter, and the routing of a batch that keeps
//! its encounters apart: one that is refused, or that offramp fails on, takes nothing else
//! with it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::OfframpError;
use crate::records::Decision;

/// What a batch (`Router.routeBatch`, `Router.routeBatchJson`) gives for one encounter: its
/// decision, or why it was refused. The answers are in input order, so an answer's index in
/// the list is its encounter's index in the batch.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum BatchAnswer {
    /// The encounter was routed.
    Decided {
        /// Its decision, the same as `Router.route` gives for the encounter alone.
        decision: Decision,
    },
    /// The encounter was refused: the field, detail, line and column `Router.route` would put
    /// in `OfframpError.InvalidEncounter` for it alone. Never the value given.
    Refused {
        /// Where in the encounter, e.g. `offenses[0].nibrs`; `.` for the whole encounter.
        field: String,
        /// What was wrong.
        detail: String,
        /// 1-based line in the encounter's JSON text, when known.
        line: Option<u32>,
        /// 1-based column in the encounter's JSON text, when known.
        column: Option<u32>,
    },
}

impl BatchAnswer {
    /// The refusal of one encounter, from the error a single call would throw for it.
    fn refused(error: OfframpError) -> Self {
        match error {
            OfframpError::InvalidEncounter {
                field,
                detail,
                line,
                column,
            } => BatchAnswer::Refused {
                field,
                detail,
                line,
                column,
            },
            OfframpError::InvalidArgument { field, detail } => BatchAnswer::Refused {
                field,
                detail,
                line: None,
                column: None,
            },
            // Reading an encounter gives none of the others; should one appear, it is still
            // this encounter's alone.
            other => BatchAnswer::Refused {
                field: ".".to_string(),
                detail: other.to_string(),
                line: None,
                column: None,
            },
        }
    }
}

/// `work` for one encounter of a batch, with a panic (a bug in offramp) turned into the core's
/// error for an encounter it failed on, so that it stays this encounter's.
fn isolated<T>(work: impl FnOnce() -> Result<T, OfframpError>) -> Result<T, OfframpError> {
    catch_unwind(AssertUnwindSafe(work))
        .unwrap_or_else(|_| Err(offramp::EncounterError::internal().into()))
}

/// Reads each item of a batch into an encounter with `read`, routes every encounter read with
/// the core's [`offramp::Router::route_batch`] (on all cores, each on its own) and gives one
/// answer per item, in input order.
pub(crate) fn route_each<T>(
    router: &offramp::Router,
    items: &[T],
    read: impl Fn(&T) -> Result<offramp::Encounter, OfframpError>,
) -> Vec<BatchAnswer> {
    let mut encounters = Vec::with_capacity(items.len());
    let mut refused = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match isolated(|| read(item)) {
            Ok(encounter) => encounters.push(encounter),
            Err(error) => refused.push((index, BatchAnswer::refused(error))),
        }
    }
    let mut decided = router.route_batch(&encounters).into_iter();
    let mut refused = refused.into_iter().peekable();
    (0..items.len())
        .map(|index| {
            if let Some((_, answer)) = refused.next_if(|(at, _)| *at == index) {
                return answer;
            }
            let routed = match decided.next() {
                Some(routed) => routed.map_err(OfframpError::from),
                // The core gives one answer per encounter; this is never reached.
                None => Err(offramp::EncounterError::internal().into()),
            };
            match routed.and_then(|d| isolated(|| Ok(Decision::from(&d)))) {
                Ok(decision) => BatchAnswer::Decided { decision },
                Err(error) => BatchAnswer::refused(error),
            }
        })
        .collect()
}
