//! TEMPORARY stub of the opening-hours engine (being written).
#![allow(missing_docs)]
use chrono::{DateTime, FixedOffset};
use super::model::Hours;
#[derive(Debug, Clone)]
pub struct OpeningHours { always: bool }
#[derive(Debug, Clone, thiserror::Error)]
#[error("hours: {0}")]
pub struct HoursError(String);
impl OpeningHours {
    pub fn compile(h: &Hours) -> Result<OpeningHours, HoursError> { Ok(OpeningHours { always: h.always_open }) }
    pub fn is_open(&self, _t: DateTime<FixedOffset>) -> bool { self.always }
    pub fn open_until(&self, _t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> { None }
    pub fn next_open(&self, t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> { self.always.then_some(t) }
}
