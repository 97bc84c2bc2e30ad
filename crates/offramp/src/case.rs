//! What happens to a referral after the routing decision.
//!
//! A [`Case`] follows one referral through two tracks that move
//! independently:
//!
//! * the **referral** track ([`CaseStatus`]): whether the person took up the
//!   referral, engaged with the service and finished;
//! * the **charge** track ([`ChargeStatus`]), present only when charges are
//!   held pending the outcome: whether the held charges were dropped or filed.
//!
//! Every change is an event ([`CaseEvent`]) applied at a point in time with
//! [`Case::apply`]. Legal moves are the edges of one transition graph, built
//! once with `petgraph` and shared by every case. Anything else is refused
//! with a typed [`CaseError`] and leaves the case untouched.
//!
//! # The referral track
//!
//! | from           | event             | to             |
//! |----------------|-------------------|----------------|
//! | `referred`     | `accept`          | `accepted`     |
//! | `referred`     | `decline`         | `declined`     |
//! | `accepted`     | `warm_handoff`    | `warm_handoff` |
//! | `accepted`     | `engage`          | `engaged`      |
//! | `accepted`     | `disengage`       | `disengaged`   |
//! | `warm_handoff` | `engage`          | `engaged`      |
//! | `warm_handoff` | `disengage`       | `disengaged`   |
//! | `engaged`      | `start_treatment` | `in_treatment` |
//! | `engaged`      | `complete`        | `completed`    |
//! | `engaged`      | `disengage`       | `disengaged`   |
//! | `in_treatment` | `complete`        | `completed`    |
//! | `in_treatment` | `disengage`       | `disengaged`   |
//! | `disengaged`   | `re_engage`       | `engaged`      |
//!
//! `declined` and `completed` are terminal. `disengaged` is not: a person who
//! drops out can come back (`re_engage`), which is why re-engagement is its
//! own event rather than a second meaning of `engage`, so the history shows
//! it plainly.
//!
//! # The charge track
//!
//! | from   | event          | to        | only when                                            |
//! |--------|----------------|-----------|------------------------------------------------------|
//! | `held` | `drop_charges` | `dropped` | the referral is `completed`                          |
//! | `held` | `file_charges` | `filed`   | the referral is `declined` or `disengaged`, or the hold deadline has been reached |
//!
//! `dropped` and `filed` are terminal. A case without a charge hold refuses
//! both charge events.
//!
//! # Example
//!
//! ```
//! use chrono::DateTime;
//! use offramp::case::{Case, CaseEvent, CaseStatus, ChargeStatus};
//!
//! let t = |s: &str| DateTime::parse_from_rfc3339(s);
//! let mut case = Case::new(
//!     "enc-0001",
//!     offramp::Pathway::OfficerIntervention,
//!     t("2025-03-01T09:00:00-05:00")?,
//!     Some(t("2025-06-01T00:00:00-04:00")?),
//! );
//! case.apply(CaseEvent::Accept, t("2025-03-01T10:00:00-05:00")?)?;
//! case.apply(CaseEvent::Engage, t("2025-03-03T10:00:00-05:00")?)?;
//! case.apply(CaseEvent::Complete, t("2025-05-20T10:00:00-04:00")?)?;
//! case.apply(CaseEvent::DropCharges, t("2025-05-21T10:00:00-04:00")?)?;
//!
//! assert_eq!(case.status(), CaseStatus::Completed);
//! assert_eq!(case.charges(), Some(ChargeStatus::Dropped));
//! assert!(case.is_closed());
//! assert_eq!(case.history().len(), 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::{self, Write as _};
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::Encounter;
use crate::domain::Pathway;
use crate::router::EligiblePathway;
use crate::vocab::vocabulary;

vocabulary! {
    /// Where a referral stands.
    ///
    /// ```
    /// use offramp::case::CaseStatus;
    ///
    /// assert!(CaseStatus::Completed.is_terminal());
    /// assert!(!CaseStatus::Disengaged.is_terminal());
    /// assert_eq!(CaseStatus::WarmHandoff.as_str(), "warm_handoff");
    /// ```
    pub enum CaseStatus: "case status" {
        /// Referred by the responder; the service has not answered yet.
        Referred = "referred",
        /// The service took the referral on.
        Accepted = "accepted",
        /// The referral was turned down, by the person or by the service.
        /// Terminal.
        Declined = "declined",
        /// The responder handed the person over to the service in person.
        WarmHandoff = "warm_handoff",
        /// The person is taking part in the service.
        Engaged = "engaged",
        /// The person has started treatment.
        InTreatment = "in_treatment",
        /// The person finished the programme. Terminal.
        Completed = "completed",
        /// The person stopped taking part; they may re-engage later.
        Disengaged = "disengaged",
    }
}

impl CaseStatus {
    /// Whether no referral event can leave this status.
    ///
    /// ```
    /// use offramp::case::CaseStatus;
    ///
    /// let terminal: Vec<_> = CaseStatus::ALL.into_iter().filter(|s| s.is_terminal()).collect();
    /// assert_eq!(terminal, [CaseStatus::Declined, CaseStatus::Completed]);
    /// ```
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Declined | Self::Completed)
    }
}

vocabulary! {
    /// Where held charges stand.
    ///
    /// ```
    /// use offramp::case::ChargeStatus;
    ///
    /// assert!(!ChargeStatus::Held.is_resolved());
    /// assert!(ChargeStatus::Filed.is_resolved());
    /// ```
    pub enum ChargeStatus: "charge status" {
        /// Charges are held while the referral runs.
        Held = "held",
        /// Charges were dropped after the referral was completed. Terminal.
        Dropped = "dropped",
        /// Charges were filed. Terminal.
        Filed = "filed",
    }
}

impl ChargeStatus {
    /// Whether the charges have been decided one way or the other.
    ///
    /// ```
    /// use offramp::case::ChargeStatus;
    ///
    /// assert!(ChargeStatus::Dropped.is_resolved());
    /// ```
    pub fn is_resolved(self) -> bool {
        !matches!(self, Self::Held)
    }
}

vocabulary! {
    /// Which of a case's two tracks an event or state belongs to.
    ///
    /// ```
    /// use offramp::case::{CaseEvent, Track};
    ///
    /// assert_eq!(CaseEvent::Engage.track(), Track::Referral);
    /// assert_eq!(CaseEvent::FileCharges.track(), Track::Charges);
    /// ```
    pub enum Track: "track" {
        /// The referral's own progress ([`CaseStatus`]).
        Referral = "referral",
        /// The held charges ([`ChargeStatus`]).
        Charges = "charges",
    }
}

vocabulary! {
    /// Something that happens to a case.
    ///
    /// ```
    /// use offramp::case::CaseEvent;
    ///
    /// let json = serde_json::to_string(&CaseEvent::StartTreatment)?;
    /// assert_eq!(json, "\"start_treatment\"");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub enum CaseEvent: "case event" {
        /// The service takes the referral on.
        Accept = "accept",
        /// The referral is turned down.
        Decline = "decline",
        /// The responder hands the person over in person.
        WarmHandoff = "warm_handoff",
        /// The person starts taking part.
        Engage = "engage",
        /// The person starts treatment.
        StartTreatment = "start_treatment",
        /// The person finishes the programme.
        Complete = "complete",
        /// The person stops taking part.
        Disengage = "disengage",
        /// A person who had disengaged comes back.
        ReEngage = "re_engage",
        /// Held charges are dropped (needs a completed referral).
        DropCharges = "drop_charges",
        /// Held charges are filed (needs a declined or disengaged referral, or
        /// the hold deadline to have been reached).
        FileCharges = "file_charges",
    }
}

impl CaseEvent {
    /// The track this event moves.
    ///
    /// ```
    /// use offramp::case::{CaseEvent, Track};
    ///
    /// assert_eq!(CaseEvent::DropCharges.track(), Track::Charges);
    /// ```
    pub fn track(self) -> Track {
        match self {
            Self::DropCharges | Self::FileCharges => Track::Charges,
            _ => Track::Referral,
        }
    }
}

/// A state on either track: a node of the transition graph.
///
/// Serialised with the track named, e.g.
/// `{"track": "referral", "status": "engaged"}`.
///
/// ```
/// use offramp::case::{CaseStatus, TrackState};
///
/// let state = TrackState::Referral(CaseStatus::Engaged);
/// assert_eq!(
///     serde_json::to_value(state)?,
///     serde_json::json!({"track": "referral", "status": "engaged"}),
/// );
/// assert_eq!(state.to_string(), "referral is `engaged`");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case", tag = "track", content = "status")]
pub enum TrackState {
    /// A referral status.
    Referral(CaseStatus),
    /// A charge status.
    Charges(ChargeStatus),
}

impl TrackState {
    /// The track this state is on.
    ///
    /// ```
    /// use offramp::case::{ChargeStatus, Track, TrackState};
    ///
    /// assert_eq!(TrackState::Charges(ChargeStatus::Held).track(), Track::Charges);
    /// ```
    pub fn track(self) -> Track {
        match self {
            Self::Referral(_) => Track::Referral,
            Self::Charges(_) => Track::Charges,
        }
    }

    /// The bare state name; the names on the two tracks never collide, so
    /// this also serves as the node id in the diagrams.
    ///
    /// ```
    /// use offramp::case::{ChargeStatus, TrackState};
    ///
    /// assert_eq!(TrackState::Charges(ChargeStatus::Filed).as_str(), "filed");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referral(status) => status.as_str(),
            Self::Charges(status) => status.as_str(),
        }
    }

    /// Whether no event can leave this state.
    ///
    /// ```
    /// use offramp::case::{CaseStatus, ChargeStatus, TrackState};
    ///
    /// assert!(TrackState::Referral(CaseStatus::Declined).is_terminal());
    /// assert!(!TrackState::Charges(ChargeStatus::Held).is_terminal());
    /// ```
    pub fn is_terminal(self) -> bool {
        match self {
            Self::Referral(status) => status.is_terminal(),
            Self::Charges(status) => status.is_resolved(),
        }
    }
}

impl fmt::Display for TrackState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Referral(status) => write!(f, "referral is `{status}`"),
            Self::Charges(status) => write!(f, "charges are `{status}`"),
        }
    }
}

/// One recorded step in a case's history.
///
/// ```
/// use chrono::DateTime;
/// use offramp::case::{Case, CaseEvent, CaseStatus, TrackState};
///
/// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
/// let mut case = Case::new("enc-7", offramp::Pathway::SelfReferral, at, None);
/// case.apply(CaseEvent::Accept, at)?;
/// let step = &case.history()[0];
/// assert_eq!(step.from, TrackState::Referral(CaseStatus::Referred));
/// assert_eq!(step.to, TrackState::Referral(CaseStatus::Accepted));
/// assert_eq!(step.event, CaseEvent::Accept);
/// assert_eq!(step.at, at);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CaseTransition {
    /// The state before the event.
    pub from: TrackState,
    /// The state after the event.
    pub to: TrackState,
    /// What happened.
    pub event: CaseEvent,
    /// When it happened.
    pub at: DateTime<FixedOffset>,
}

/// Charges held while a referral runs.
///
/// ```
/// use chrono::DateTime;
/// use offramp::case::{Case, ChargeStatus};
///
/// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
/// let deadline = DateTime::parse_from_rfc3339("2025-04-01T12:00:00Z")?;
/// let case = Case::new("enc-8", offramp::Pathway::OfficerIntervention, at, Some(deadline));
/// let hold = case.charge_hold().ok_or("no hold")?;
/// assert_eq!(hold.status, ChargeStatus::Held);
/// assert_eq!(hold.deadline, deadline);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HeldCharges {
    /// Where the charges stand.
    pub status: ChargeStatus,
    /// From this moment on, charges may be filed whatever the referral's
    /// status.
    pub deadline: DateTime<FixedOffset>,
}

/// Why an event was refused, or why a stored case failed to load.
///
/// No variant carries the encounter id or any other detail about the person.
///
/// ```
/// use chrono::DateTime;
/// use offramp::case::{Case, CaseError, CaseEvent};
///
/// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
/// let mut case = Case::new("enc-9", offramp::Pathway::SelfReferral, at, None);
/// let err = case.apply(CaseEvent::Complete, at).err().ok_or("accepted")?;
/// assert!(matches!(err, CaseError::IllegalTransition { .. }));
/// assert_eq!(
///     err.to_string(),
///     "cannot apply `complete` while the referral is `referred`; allowed from here: `accept`, `decline`",
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The transition graph has no edge for this event from the current
    /// state of the event's track.
    #[error("cannot apply `{event}` while the {from}; {}", allowed_phrase(allowed))]
    IllegalTransition {
        /// The state the event was applied to.
        from: TrackState,
        /// The refused event.
        event: CaseEvent,
        /// The events the graph does allow from `from`, on the same track.
        allowed: Vec<CaseEvent>,
    },
    /// A charge event on a case that has no charge hold.
    #[error("cannot apply `{event}`: this case has no charge hold")]
    NoChargeHold {
        /// The refused event.
        event: CaseEvent,
    },
    /// Charges may only be dropped once the referral is completed.
    #[error(
        "cannot drop charges while the referral is `{status}`; the referral must be `completed` first"
    )]
    DropBeforeCompletion {
        /// The referral status at the time.
        status: CaseStatus,
    },
    /// Charges may only be filed once the referral is declined or
    /// disengaged, or once the hold deadline has been reached.
    #[error(
        "cannot file charges at {} while the referral is `{status}`; filing needs a declined or \
         disengaged referral, or the hold deadline {} to have been reached",
        at.to_rfc3339(),
        deadline.to_rfc3339()
    )]
    FileBeforeDeadline {
        /// The referral status at the time.
        status: CaseStatus,
        /// The hold deadline.
        deadline: DateTime<FixedOffset>,
        /// When filing was attempted.
        at: DateTime<FixedOffset>,
    },
    /// The event is dated before the case's latest recorded moment.
    #[error(
        "cannot apply `{event}` at {}: it is earlier than the case's last recorded event at {}",
        at.to_rfc3339(),
        last.to_rfc3339()
    )]
    OutOfOrder {
        /// The refused event.
        event: CaseEvent,
        /// The date it carried.
        at: DateTime<FixedOffset>,
        /// The latest moment already on record (the opening time if the
        /// history is empty).
        last: DateTime<FixedOffset>,
    },
    /// A stored case's history cannot be replayed from its opening state.
    #[error("stored case history entry {index} cannot be replayed: {reason}")]
    InvalidHistory {
        /// Zero-based position of the entry in the history.
        index: usize,
        /// Why replaying it failed.
        reason: Box<CaseError>,
    },
    /// A stored case's history entry names different states than the
    /// replay reached.
    #[error("stored case history entry {index} records the wrong {field} state for its event")]
    HistoryMismatch {
        /// Zero-based position of the entry in the history.
        index: usize,
        /// `"from"` or `"to"`.
        field: &'static str,
    },
    /// A stored case's current state disagrees with its history.
    #[error("stored case {field} does not match the state its history leads to")]
    StateMismatch {
        /// `"status"` or `"charge_hold"`.
        field: &'static str,
    },
}

fn allowed_phrase(allowed: &[CaseEvent]) -> String {
    if allowed.is_empty() {
        return "no event is allowed from here".to_owned();
    }
    let list: Vec<String> = allowed.iter().map(|e| format!("`{e}`")).collect();
    format!("allowed from here: {}", list.join(", "))
}

/// One referral's life after the routing decision.
///
/// Create it with [`Case::new`], move it with [`Case::apply`], and read it
/// with the accessors. A case serialises with its full history; deserialising
/// replays that history through the transition rules and refuses a record
/// that could not have been produced by [`Case::apply`].
///
/// ```
/// use chrono::DateTime;
/// use offramp::case::{Case, CaseEvent};
///
/// let at = DateTime::parse_from_rfc3339("2025-02-01T08:30:00+01:00")?;
/// let mut case = Case::new("enc-42", offramp::Pathway::SelfReferral, at, None);
/// case.apply(CaseEvent::Decline, at)?;
/// assert!(case.is_closed());
///
/// let json = serde_json::to_string(&case)?;
/// let back: Case = serde_json::from_str(&json)?;
/// assert_eq!(back, case);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "CaseRecord")]
pub struct Case {
    /// The encounter this case came from.
    pub encounter_id: String,
    /// The pathway the encounter was routed to.
    pub pathway: Pathway,
    opened_at: DateTime<FixedOffset>,
    status: CaseStatus,
    charge_hold: Option<HeldCharges>,
    history: Vec<CaseTransition>,
}

/// The stored form of a [`Case`], checked before it becomes one.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Case")]
struct CaseRecord {
    /// The encounter this case came from.
    encounter_id: String,
    /// The pathway the encounter was routed to.
    pathway: Pathway,
    /// When the case was opened.
    opened_at: DateTime<FixedOffset>,
    /// Where the referral stands.
    status: CaseStatus,
    /// The charge hold, if charges are held.
    #[serde(default)]
    charge_hold: Option<HeldCharges>,
    /// Every applied event, oldest first.
    #[serde(default)]
    history: Vec<CaseTransition>,
}

impl TryFrom<CaseRecord> for Case {
    type Error = CaseError;

    fn try_from(record: CaseRecord) -> Result<Self, Self::Error> {
        let mut case = Case::new(
            record.encounter_id,
            record.pathway,
            record.opened_at,
            record.charge_hold.map(|hold| hold.deadline),
        );
        for (index, step) in record.history.iter().enumerate() {
            case.apply(step.event, step.at)
                .map_err(|reason| CaseError::InvalidHistory {
                    index,
                    reason: Box::new(reason),
                })?;
            if let Some(done) = case.history.last() {
                if done.from != step.from {
                    return Err(CaseError::HistoryMismatch {
                        index,
                        field: "from",
                    });
                }
                if done.to != step.to {
                    return Err(CaseError::HistoryMismatch { index, field: "to" });
                }
            }
        }
        if case.status != record.status {
            return Err(CaseError::StateMismatch { field: "status" });
        }
        if case.charge_hold != record.charge_hold {
            return Err(CaseError::StateMismatch {
                field: "charge_hold",
            });
        }
        Ok(case)
    }
}

impl Case {
    /// Opens the case for an eligible pathway of the encounter's decision, at the encounter's
    /// time, with the pathway's charge hold if it has one.
    ///
    /// ```
    /// # use offramp::{Program, Router, Encounter};
    /// use offramp::case::{Case, ChargeStatus};
    /// # let program = Program::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/programs/pad-acc-leon-county.toml")).unwrap();
    /// let router = Router::new(program);
    /// let e = Encounter::from_json(r#"{"id":"e-9","at":"2026-05-20T09:00:00-04:00","responder":"law_enforcement",
    ///   "source":"on_view","age":30,"history":[],
    ///   "offenses":[{"nibrs":"23C","level":"misdemeanor","violent":false}]}"#).unwrap();
    /// let decision = router.route(&e);
    /// let case = Case::open(&e, &decision.eligible[0]);
    /// assert_eq!(case.charges(), Some(ChargeStatus::Held));
    /// ```
    pub fn open(encounter: &Encounter, pathway: &EligiblePathway) -> Case {
        Case::new(
            encounter.id.clone(),
            pathway.pathway,
            encounter.at,
            pathway.charge_hold.as_ref().map(|h| h.deadline),
        )
    }

    /// Opens a case in status `referred`.
    ///
    /// Pass `Some(deadline)` when charges are being held pending the
    /// referral; the charge track then starts at `held`. A deadline at or
    /// before `at` is allowed and simply means charges may be filed at once.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::{Case, CaseStatus};
    ///
    /// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
    /// let case = Case::new("enc-1", offramp::Pathway::SelfReferral, at, None);
    /// assert_eq!(case.status(), CaseStatus::Referred);
    /// assert_eq!(case.charges(), None);
    /// assert_eq!(case.opened_at(), at);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn new(
        encounter_id: impl Into<String>,
        pathway: Pathway,
        at: DateTime<FixedOffset>,
        charge_hold: Option<DateTime<FixedOffset>>,
    ) -> Self {
        Self {
            encounter_id: encounter_id.into(),
            pathway,
            opened_at: at,
            status: CaseStatus::Referred,
            charge_hold: charge_hold.map(|deadline| HeldCharges {
                status: ChargeStatus::Held,
                deadline,
            }),
            history: Vec::new(),
        }
    }

    /// Applies `event` at time `at`.
    ///
    /// The event moves its own track ([`CaseEvent::track`]) along the
    /// matching edge of the transition graph; charge events also check the
    /// rules in the [module docs](self). On error nothing changes.
    ///
    /// # Errors
    ///
    /// * [`CaseError::OutOfOrder`] if `at` is before the latest moment on
    ///   record (equal times are fine);
    /// * [`CaseError::NoChargeHold`] for a charge event on a case without a
    ///   hold;
    /// * [`CaseError::IllegalTransition`] if the graph has no such edge;
    /// * [`CaseError::DropBeforeCompletion`] or
    ///   [`CaseError::FileBeforeDeadline`] if a charge rule is not met.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::{Case, CaseError, CaseEvent, CaseStatus};
    ///
    /// let t = |s: &str| DateTime::parse_from_rfc3339(s);
    /// let mut case = Case::new("enc-2", offramp::Pathway::SelfReferral, t("2025-01-01T12:00:00Z")?, None);
    /// case.apply(CaseEvent::Accept, t("2025-01-02T12:00:00Z")?)?;
    /// assert_eq!(case.status(), CaseStatus::Accepted);
    ///
    /// let late = case.apply(CaseEvent::Engage, t("2025-01-01T13:00:00Z")?);
    /// assert!(matches!(late, Err(CaseError::OutOfOrder { .. })));
    /// assert_eq!(case.status(), CaseStatus::Accepted);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&mut self, event: CaseEvent, at: DateTime<FixedOffset>) -> Result<(), CaseError> {
        let last = self.last_event_at();
        if at < last {
            return Err(CaseError::OutOfOrder { event, at, last });
        }
        let from = match event.track() {
            Track::Referral => TrackState::Referral(self.status),
            Track::Charges => match &self.charge_hold {
                Some(hold) => TrackState::Charges(hold.status),
                None => return Err(CaseError::NoChargeHold { event }),
            },
        };
        let graph = &*GRAPH;
        let to = graph
            .target(from, event)
            .ok_or_else(|| CaseError::IllegalTransition {
                from,
                event,
                allowed: graph.events_from(from),
            })?;
        self.check_guard(event, at)?;
        match to {
            TrackState::Referral(status) => self.status = status,
            TrackState::Charges(status) => {
                if let Some(hold) = self.charge_hold.as_mut() {
                    hold.status = status;
                }
            }
        }
        self.history.push(CaseTransition {
            from,
            to,
            event,
            at,
        });
        Ok(())
    }

    /// The extra conditions on charge events; referral events have none.
    fn check_guard(&self, event: CaseEvent, at: DateTime<FixedOffset>) -> Result<(), CaseError> {
        match event {
            CaseEvent::DropCharges if self.status != CaseStatus::Completed => {
                Err(CaseError::DropBeforeCompletion {
                    status: self.status,
                })
            }
            CaseEvent::FileCharges => {
                let gave_up = matches!(self.status, CaseStatus::Declined | CaseStatus::Disengaged);
                match &self.charge_hold {
                    Some(hold) if !gave_up && at < hold.deadline => {
                        Err(CaseError::FileBeforeDeadline {
                            status: self.status,
                            deadline: hold.deadline,
                            at,
                        })
                    }
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// Every event that [`apply`](Self::apply) would accept at time `at`,
    /// in [`CaseEvent::ALL`] order.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::{Case, CaseEvent};
    ///
    /// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
    /// let deadline = DateTime::parse_from_rfc3339("2025-03-01T12:00:00Z")?;
    /// let case = Case::new("enc-3", offramp::Pathway::OfficerIntervention, at, Some(deadline));
    /// assert_eq!(case.available_events(at), [CaseEvent::Accept, CaseEvent::Decline]);
    /// assert_eq!(
    ///     case.available_events(deadline),
    ///     [CaseEvent::Accept, CaseEvent::Decline, CaseEvent::FileCharges],
    /// );
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn available_events(&self, at: DateTime<FixedOffset>) -> Vec<CaseEvent> {
        CaseEvent::ALL
            .into_iter()
            .filter(|&event| self.clone().apply(event, at).is_ok())
            .collect()
    }

    /// Where the referral stands.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::{Case, CaseStatus};
    ///
    /// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
    /// assert_eq!(Case::new("enc", offramp::Pathway::SelfReferral, at, None).status(), CaseStatus::Referred);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn status(&self) -> CaseStatus {
        self.status
    }

    /// Where held charges stand, or `None` when the case has no charge hold.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::{Case, ChargeStatus};
    ///
    /// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
    /// assert_eq!(Case::new("enc", offramp::Pathway::SelfReferral, at, Some(at)).charges(), Some(ChargeStatus::Held));
    /// assert_eq!(Case::new("enc", offramp::Pathway::SelfReferral, at, None).charges(), None);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn charges(&self) -> Option<ChargeStatus> {
        self.charge_hold.map(|hold| hold.status)
    }

    /// The charge hold, with its deadline, if the case has one.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::Case;
    ///
    /// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
    /// let case = Case::new("enc", offramp::Pathway::SelfReferral, at, Some(at));
    /// assert_eq!(case.charge_hold().map(|h| h.deadline), Some(at));
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn charge_hold(&self) -> Option<&HeldCharges> {
        self.charge_hold.as_ref()
    }

    /// Every applied event, oldest first.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::Case;
    ///
    /// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
    /// assert!(Case::new("enc", offramp::Pathway::SelfReferral, at, None).history().is_empty());
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn history(&self) -> &[CaseTransition] {
        &self.history
    }

    /// When the case was opened.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::Case;
    ///
    /// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
    /// assert_eq!(Case::new("enc", offramp::Pathway::SelfReferral, at, None).opened_at(), at);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn opened_at(&self) -> DateTime<FixedOffset> {
        self.opened_at
    }

    /// The latest moment on record: the last event's time, or the opening
    /// time if nothing has happened yet. New events may not be earlier.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::{Case, CaseEvent};
    ///
    /// let t = |s: &str| DateTime::parse_from_rfc3339(s);
    /// let mut case = Case::new("enc", offramp::Pathway::SelfReferral, t("2025-01-01T12:00:00Z")?, None);
    /// case.apply(CaseEvent::Accept, t("2025-01-05T12:00:00Z")?)?;
    /// assert_eq!(case.last_event_at(), t("2025-01-05T12:00:00Z")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn last_event_at(&self) -> DateTime<FixedOffset> {
        self.history
            .last()
            .map_or(self.opened_at, |transition| transition.at)
    }

    /// Whether nothing is left to happen: the referral is `declined` or
    /// `completed` and any held charges have been dropped or filed.
    ///
    /// A `disengaged` referral is not closed, since the person may still
    /// re-engage.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::case::{Case, CaseEvent};
    ///
    /// let at = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")?;
    /// let mut case = Case::new("enc", offramp::Pathway::SelfReferral, at, Some(at));
    /// case.apply(CaseEvent::Decline, at)?;
    /// assert!(!case.is_closed()); // charges still held
    /// case.apply(CaseEvent::FileCharges, at)?;
    /// assert!(case.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_closed(&self) -> bool {
        self.status.is_terminal()
            && self
                .charge_hold
                .is_none_or(|hold| hold.status.is_resolved())
    }
}

/// The referral track's edges, in the order they are added to the graph.
const REFERRAL_EDGES: &[(CaseStatus, CaseEvent, CaseStatus)] = &[
    (
        CaseStatus::Referred,
        CaseEvent::Accept,
        CaseStatus::Accepted,
    ),
    (
        CaseStatus::Referred,
        CaseEvent::Decline,
        CaseStatus::Declined,
    ),
    (
        CaseStatus::Accepted,
        CaseEvent::WarmHandoff,
        CaseStatus::WarmHandoff,
    ),
    (CaseStatus::Accepted, CaseEvent::Engage, CaseStatus::Engaged),
    (
        CaseStatus::Accepted,
        CaseEvent::Disengage,
        CaseStatus::Disengaged,
    ),
    (
        CaseStatus::WarmHandoff,
        CaseEvent::Engage,
        CaseStatus::Engaged,
    ),
    (
        CaseStatus::WarmHandoff,
        CaseEvent::Disengage,
        CaseStatus::Disengaged,
    ),
    (
        CaseStatus::Engaged,
        CaseEvent::StartTreatment,
        CaseStatus::InTreatment,
    ),
    (
        CaseStatus::Engaged,
        CaseEvent::Complete,
        CaseStatus::Completed,
    ),
    (
        CaseStatus::Engaged,
        CaseEvent::Disengage,
        CaseStatus::Disengaged,
    ),
    (
        CaseStatus::InTreatment,
        CaseEvent::Complete,
        CaseStatus::Completed,
    ),
    (
        CaseStatus::InTreatment,
        CaseEvent::Disengage,
        CaseStatus::Disengaged,
    ),
    (
        CaseStatus::Disengaged,
        CaseEvent::ReEngage,
        CaseStatus::Engaged,
    ),
];

/// The charge track's edges.
const CHARGE_EDGES: &[(ChargeStatus, CaseEvent, ChargeStatus)] = &[
    (
        ChargeStatus::Held,
        CaseEvent::DropCharges,
        ChargeStatus::Dropped,
    ),
    (
        ChargeStatus::Held,
        CaseEvent::FileCharges,
        ChargeStatus::Filed,
    ),
];

/// Short wording of the charge rules, used as diagram labels.
fn guard_note(event: CaseEvent) -> Option<&'static str> {
    match event {
        CaseEvent::DropCharges => Some("referral completed"),
        CaseEvent::FileCharges => Some("referral declined or disengaged, or deadline reached"),
        _ => None,
    }
}

/// The transition graph of both tracks, as one petgraph graph with two
/// components. Nodes are added in declaration order, edges in table order,
/// so every walk over it is deterministic.
struct StatusGraph {
    graph: DiGraph<TrackState, CaseEvent>,
}

static GRAPH: LazyLock<StatusGraph> = LazyLock::new(StatusGraph::build);

impl StatusGraph {
    fn build() -> Self {
        let mut graph = DiGraph::new();
        for status in CaseStatus::ALL {
            graph.add_node(TrackState::Referral(status));
        }
        for status in ChargeStatus::ALL {
            graph.add_node(TrackState::Charges(status));
        }
        let mut this = Self { graph };
        let edges = REFERRAL_EDGES
            .iter()
            .map(|&(a, e, b)| (TrackState::Referral(a), e, TrackState::Referral(b)))
            .chain(
                CHARGE_EDGES
                    .iter()
                    .map(|&(a, e, b)| (TrackState::Charges(a), e, TrackState::Charges(b))),
            );
        for (from, event, to) in edges {
            if let (Some(a), Some(b)) = (this.node(from), this.node(to)) {
                this.graph.add_edge(a, b, event);
            }
        }
        this
    }

    fn node(&self, state: TrackState) -> Option<NodeIndex> {
        self.graph
            .node_indices()
            .find(|&index| self.graph.node_weight(index) == Some(&state))
    }

    fn target(&self, from: TrackState, event: CaseEvent) -> Option<TrackState> {
        let index = self.node(from)?;
        self.graph
            .edges(index)
            .find(|edge| *edge.weight() == event)
            .and_then(|edge| self.graph.node_weight(edge.target()).copied())
    }

    fn events_from(&self, from: TrackState) -> Vec<CaseEvent> {
        let Some(index) = self.node(from) else {
            return Vec::new();
        };
        let mut events: Vec<CaseEvent> = self.graph.edges(index).map(|e| *e.weight()).collect();
        events.sort();
        events.dedup();
        events
    }

    /// Edges as (from, event, to), in the order they were added.
    fn edges(&self) -> Vec<(TrackState, CaseEvent, TrackState)> {
        self.graph
            .edge_indices()
            .filter_map(|edge| {
                let (a, b) = self.graph.edge_endpoints(edge)?;
                Some((
                    *self.graph.node_weight(a)?,
                    *self.graph.edge_weight(edge)?,
                    *self.graph.node_weight(b)?,
                ))
            })
            .collect()
    }
}

/// Every legal move on both tracks as `(from, event, to)`, referral track
/// first, in a fixed order. Charge moves have the extra conditions described
/// in the [module docs](self).
///
/// ```
/// use offramp::case::{legal_transitions, CaseEvent, CaseStatus, TrackState};
///
/// let all = legal_transitions();
/// assert_eq!(all.len(), 15);
/// assert!(all.contains(&(
///     TrackState::Referral(CaseStatus::Disengaged),
///     CaseEvent::ReEngage,
///     TrackState::Referral(CaseStatus::Engaged),
/// )));
/// ```
pub fn legal_transitions() -> Vec<(TrackState, CaseEvent, TrackState)> {
    GRAPH.edges()
}

/// The transition graph as a Mermaid `stateDiagram-v2`.
///
/// The two tracks are drawn as the composite states `Referral` and
/// `Charges`; each has a start marker, one labelled arrow per legal move, and
/// an end marker after each terminal state. Charge arrows carry their extra
/// condition in parentheses. The output is the same on every call.
///
/// ```
/// use offramp::case::case_graph_mermaid;
///
/// let diagram = case_graph_mermaid();
/// assert!(diagram.starts_with("stateDiagram-v2\n"));
/// assert!(diagram.contains("[*] --> referred"));
/// assert!(diagram.contains("engaged --> in_treatment: start_treatment"));
/// assert!(diagram.contains("completed --> [*]"));
/// ```
pub fn case_graph_mermaid() -> String {
    let edges = GRAPH.edges();
    let mut out = String::from("stateDiagram-v2\n");
    for (track, title, start) in [
        (
            Track::Referral,
            "Referral",
            TrackState::Referral(CaseStatus::Referred),
        ),
        (
            Track::Charges,
            "Charges",
            TrackState::Charges(ChargeStatus::Held),
        ),
    ] {
        let _ = writeln!(out, "    state {title} {{");
        let _ = writeln!(out, "        [*] --> {}", start.as_str());
        for (from, event, to) in edges.iter().filter(|(from, _, _)| from.track() == track) {
            let _ = write!(
                out,
                "        {} --> {}: {event}",
                from.as_str(),
                to.as_str()
            );
            if let Some(note) = guard_note(*event) {
                let _ = write!(out, " ({note})");
            }
            out.push('\n');
        }
        for state in track_states(track).filter(|s| s.is_terminal()) {
            let _ = writeln!(out, "        {} --> [*]", state.as_str());
        }
        out.push_str("    }\n");
    }
    out
}

/// The former name of [`case_graph_mermaid`].
#[deprecated(
    since = "0.1.0",
    note = "renamed `case_graph_mermaid`, as in the command and bindings"
)]
pub fn status_graph_mermaid() -> String {
    case_graph_mermaid()
}

/// The transition graph in Graphviz DOT.
///
/// One cluster per track, a point-shaped start node in each, terminal states
/// drawn with a double border, and every edge labelled with its event (plus
/// the extra condition for charge events). The output is the same on every
/// call.
///
/// ```
/// use offramp::case::case_graph_dot;
///
/// let dot = case_graph_dot();
/// assert!(dot.starts_with("digraph case_status {"));
/// assert!(dot.contains("referred -> accepted [label=\"accept\"];"));
/// assert!(dot.trim_end().ends_with('}'));
/// ```
pub fn case_graph_dot() -> String {
    let edges = GRAPH.edges();
    let mut out = String::from("digraph case_status {\n");
    out.push_str("    rankdir=LR;\n");
    out.push_str("    node [shape=box, style=rounded];\n");
    for (track, name, start) in [
        (
            Track::Referral,
            "referral",
            TrackState::Referral(CaseStatus::Referred),
        ),
        (
            Track::Charges,
            "charges",
            TrackState::Charges(ChargeStatus::Held),
        ),
    ] {
        let _ = writeln!(out, "    subgraph cluster_{name} {{");
        let _ = writeln!(out, "        label=\"{name}\";");
        let _ = writeln!(out, "        {name}_start [shape=point, label=\"\"];");
        for state in track_states(track) {
            if state.is_terminal() {
                let _ = writeln!(out, "        {} [peripheries=2];", state.as_str());
            } else {
                let _ = writeln!(out, "        {};", state.as_str());
            }
        }
        let _ = writeln!(out, "        {name}_start -> {};", start.as_str());
        for (from, event, to) in edges.iter().filter(|(from, _, _)| from.track() == track) {
            let label = match guard_note(*event) {
                Some(note) => format!("{event}\\n({note})"),
                None => event.to_string(),
            };
            let _ = writeln!(
                out,
                "        {} -> {} [label=\"{label}\"];",
                from.as_str(),
                to.as_str()
            );
        }
        out.push_str("    }\n");
    }
    out.push_str("}\n");
    out
}

/// The former name of [`case_graph_dot`].
#[deprecated(
    since = "0.1.0",
    note = "renamed `case_graph_dot`, as in the command and bindings"
)]
pub fn status_graph_dot() -> String {
    case_graph_dot()
}

fn track_states(track: Track) -> impl Iterator<Item = TrackState> {
    let referral = CaseStatus::ALL.into_iter().map(TrackState::Referral);
    let charges = ChargeStatus::ALL.into_iter().map(TrackState::Charges);
    referral
        .chain(charges)
        .filter(move |state| state.track() == track)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
