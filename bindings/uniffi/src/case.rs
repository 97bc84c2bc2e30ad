//! `Case`: a referral's life after the decision, with the core's transition rules.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use crate::enums::Pathway;
pub use crate::enums::{CaseEvent, CaseStatus, ChargeStatus};
use crate::error::{OfframpError, guard};
use crate::records::{EligiblePathway, Encounter, argument_error};
use crate::time::{ZonedTime, in_utc, opt_in_utc};

/// A state on either of a case's tracks: the referral's status, or the held charges'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TrackState {
    /// A referral status.
    Referral {
        /// The status.
        status: CaseStatus,
    },
    /// A charge status.
    Charges {
        /// The status.
        status: ChargeStatus,
    },
}

impl From<offramp::case::TrackState> for TrackState {
    fn from(s: offramp::case::TrackState) -> Self {
        match s {
            offramp::case::TrackState::Referral(status) => TrackState::Referral {
                status: status.into(),
            },
            offramp::case::TrackState::Charges(status) => TrackState::Charges {
                status: status.into(),
            },
        }
    }
}

/// One recorded step in a case's history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CaseTransition {
    /// The state before the event.
    pub from: TrackState,
    /// The state after the event.
    pub to: TrackState,
    /// What happened.
    pub event: CaseEvent,
    /// When it happened.
    pub at: ZonedTime,
}

impl From<&offramp::case::CaseTransition> for CaseTransition {
    fn from(t: &offramp::case::CaseTransition) -> Self {
        let offramp::case::CaseTransition {
            from,
            to,
            event,
            at,
        } = t;
        CaseTransition {
            from: (*from).into(),
            to: (*to).into(),
            event: (*event).into(),
            at: at.into(),
        }
    }
}

/// One referral after the routing decision: the referral track (referred, accepted, ...,
/// completed) and, when charges are held, the charge track (held, dropped or filed). Illegal
/// moves are refused with an error and leave the case as it was. Thread-safe.
#[derive(Debug, uniffi::Object)]
pub struct Case {
    inner: Mutex<offramp::case::Case>,
}

impl Case {
    fn wrap(c: offramp::case::Case) -> Arc<Self> {
        Arc::new(Case {
            inner: Mutex::new(c),
        })
    }

    fn lock(&self) -> MutexGuard<'_, offramp::case::Case> {
        // A case is only changed by `apply`, which changes nothing until every check has
        // passed, so a poisoned lock still guards a consistent case.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl Case {
    /// Opens a case in status `referred` at `at`. Give `charge_hold_deadline` when
    /// charges are held pending the referral.
    #[uniffi::constructor]
    pub fn new(
        encounter_id: String,
        pathway: Pathway,
        at: SystemTime,
        charge_hold_deadline: Option<SystemTime>,
    ) -> Result<Arc<Self>, OfframpError> {
        guard("Case.new", || {
            let at = in_utc("at", at, argument_error)?;
            let deadline = opt_in_utc(
                "charge_hold_deadline",
                &charge_hold_deadline,
                argument_error,
            )?;
            Ok(Case::wrap(offramp::case::Case::new(
                encounter_id,
                pathway.into(),
                at,
                deadline,
            )))
        })
    }

    /// Opens the case for an eligible pathway of the encounter's decision, at the encounter's
    /// time, with the pathway's charge hold if it has one.
    #[uniffi::constructor]
    pub fn open(encounter: Encounter, pathway: EligiblePathway) -> Result<Arc<Self>, OfframpError> {
        guard("Case.open", || {
            let enc = offramp::Encounter::try_from(&encounter)?;
            let eligible = offramp::EligiblePathway::try_from(&pathway)?;
            Ok(Case::wrap(offramp::case::Case::open(&enc, &eligible)))
        })
    }

    /// Reads a stored case (from [`Case::to_json`]); its history is replayed through the rules,
    /// and a record that could not have been produced by `apply` is refused.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>, OfframpError> {
        guard("Case.from_json", || {
            let case: offramp::case::Case = serde_json::from_str(&json).map_err(|e| {
                // A refused replay arrives as a serde "custom" message from the core's
                // CaseError, which names no personal data; other messages may quote input.
                let detail = if e.is_data() && e.to_string().starts_with("stored case") {
                    e.to_string()
                } else {
                    format!(
                        "not a stored case (line {}, column {}: {:?} error)",
                        e.line(),
                        e.column(),
                        e.classify()
                    )
                };
                OfframpError::CaseRefused { detail }
            })?;
            Ok(Case::wrap(case))
        })
    }

    /// Applies `event` at `at`. On error nothing changes:
    /// `IllegalTransition` when the event is not a move from the current state,
    /// `CaseRefused` when a charge-hold rule or time order forbids it.
    pub fn apply(&self, event: CaseEvent, at: SystemTime) -> Result<(), OfframpError> {
        guard("Case.apply", || {
            let at = in_utc("at", at, argument_error)?;
            self.lock().apply(event.into(), at)?;
            Ok(())
        })
    }

    /// Every event that `apply` would accept at `at`.
    pub fn available_events(&self, at: SystemTime) -> Result<Vec<CaseEvent>, OfframpError> {
        guard("Case.available_events", || {
            let at = in_utc("at", at, argument_error)?;
            Ok(self
                .lock()
                .available_events(at)
                .into_iter()
                .map(CaseEvent::from)
                .collect())
        })
    }

    /// The encounter this case came from.
    pub fn encounter_id(&self) -> String {
        self.lock().encounter_id.clone()
    }

    /// The pathway the encounter was routed to.
    pub fn pathway(&self) -> Pathway {
        self.lock().pathway.into()
    }

    /// Where the referral stands.
    pub fn status(&self) -> CaseStatus {
        self.lock().status().into()
    }

    /// Where held charges stand, or none when the case has no charge hold.
    pub fn charges(&self) -> Option<ChargeStatus> {
        self.lock().charges().map(ChargeStatus::from)
    }

    /// The charge-hold deadline, when charges are held.
    pub fn charge_hold_deadline(&self) -> Option<ZonedTime> {
        self.lock()
            .charge_hold()
            .map(|h| ZonedTime::from(&h.deadline))
    }

    /// Every applied event, oldest first.
    pub fn history(&self) -> Vec<CaseTransition> {
        self.lock()
            .history()
            .iter()
            .map(CaseTransition::from)
            .collect()
    }

    /// When the case was opened.
    pub fn opened_at(&self) -> ZonedTime {
        ZonedTime::from(&self.lock().opened_at())
    }

    /// The latest moment on record; new events may not be earlier.
    pub fn last_event_at(&self) -> ZonedTime {
        ZonedTime::from(&self.lock().last_event_at())
    }

    /// Whether nothing is left to happen: the referral is declined or completed and any held
    /// charges are dropped or filed.
    pub fn is_closed(&self) -> bool {
        self.lock().is_closed()
    }

    /// The case with its full history, as JSON.
    pub fn to_json(&self) -> Result<String, OfframpError> {
        guard("Case.to_json", || {
            serde_json::to_string(&*self.lock()).map_err(|_| OfframpError::Internal {
                detail: "the case could not be written as JSON".into(),
            })
        })
    }
}

/// The referral case state graph as a Mermaid diagram.
#[uniffi::export]
pub fn case_graph_mermaid() -> String {
    offramp::case::case_graph_mermaid()
}

/// The referral case state graph in Graphviz DOT.
#[uniffi::export]
pub fn case_graph_dot() -> String {
    offramp::case::case_graph_dot()
}
