//! Times and days across the boundary, in each platform's own types.
//!
//! An instant crosses as uniffi's timestamp: `java.time.Instant` in Kotlin and Java, `Date`
//! in Swift. Neither keeps a UTC offset, and the core's times do: a charge hold's deadline is
//! a clock time in the program's zone, an opening hour one in the service's. So:
//! - a time the host passes in is an instant, with an optional sibling `utc_offset_seconds`
//!   where the offset matters (the encounter's own clock); without it, the program's zone
//!   decides, or UTC outside a program;
//! - a time offramp gives back is a [`ZonedTime`]: the instant and its offset, so a decision
//!   written back to JSON is the same record, byte for byte.
//!
//! Offsets are seconds east of UTC, as `ZoneOffset.ofTotalSeconds` and
//! `TimeZone(secondsFromGMT:)` take them. A calendar day with no clock is a [`CalendarDay`]:
//! `java.time.LocalDate` in Kotlin, `YYYY-MM-DD` text in Swift (Foundation has no type for a
//! day).

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::OfframpError;

/// A calendar day, `YYYY-MM-DD`, with no time zone: `java.time.LocalDate` in Kotlin (mapped in
/// `uniffi.toml`), text in Swift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay(pub String);

uniffi::custom_newtype!(CalendarDay, String);

/// A moment with the UTC offset it was given in: `ZonedTime(instant, utcOffsetSeconds)`.
/// In Kotlin, `instant.atOffset(ZoneOffset.ofTotalSeconds(utcOffsetSeconds))` is the
/// `OffsetDateTime`; in Swift, format `instant` with `TimeZone(secondsFromGMT:)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ZonedTime {
    /// The moment.
    pub instant: SystemTime,
    /// The UTC offset of the clock it is read on, in seconds east of UTC (-18,000 for UTC-5).
    pub utc_offset_seconds: i32,
}

impl From<&DateTime<FixedOffset>> for ZonedTime {
    fn from(t: &DateTime<FixedOffset>) -> Self {
        ZonedTime {
            instant: instant(t),
            utc_offset_seconds: t.offset().local_minus_utc(),
        }
    }
}

impl ZonedTime {
    /// The core's time; an error names `field`.
    pub(crate) fn to_core(
        self,
        field: &str,
        error: FieldError,
    ) -> Result<DateTime<FixedOffset>, OfframpError> {
        let ZonedTime {
            instant,
            utc_offset_seconds,
        } = self;
        zoned(
            field,
            instant,
            &format!("{field}.utc_offset_seconds"),
            Some(utc_offset_seconds),
            DefaultZone::Utc,
            error,
        )
    }
}

/// An optional core time with its offset.
pub(crate) fn opt_zoned(t: &Option<DateTime<FixedOffset>>) -> Option<ZonedTime> {
    t.as_ref().map(ZonedTime::from)
}

/// An optional [`ZonedTime`] as the core's time.
pub(crate) fn opt_to_core(
    field: &str,
    t: &Option<ZonedTime>,
    error: FieldError,
) -> Result<Option<DateTime<FixedOffset>>, OfframpError> {
    t.map(|t| t.to_core(field, error)).transpose()
}

/// How an error about one field is made: the field's name, then what is wrong.
pub(crate) type FieldError = fn(String, String) -> OfframpError;

/// A core time as an instant.
pub(crate) fn instant(t: &DateTime<FixedOffset>) -> SystemTime {
    SystemTime::from(*t)
}

/// The UTC offset a core time carries, in seconds east of UTC.
pub(crate) fn offset_seconds(t: &DateTime<FixedOffset>) -> i32 {
    t.offset().local_minus_utc()
}

/// An instant from the host as UTC; the error names `field` when it lies outside the years
/// the core can represent (Java's `Instant.MAX`, for one).
fn utc(field: &str, t: SystemTime, error: FieldError) -> Result<DateTime<Utc>, OfframpError> {
    let moved = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => TimeDelta::from_std(after)
            .ok()
            .and_then(|d| DateTime::UNIX_EPOCH.checked_add_signed(d)),
        Err(before) => TimeDelta::from_std(before.duration())
            .ok()
            .and_then(|d| DateTime::UNIX_EPOCH.checked_sub_signed(d)),
    };
    moved.ok_or_else(|| {
        error(
            field.to_string(),
            "is too far from the present to be represented".to_string(),
        )
    })
}

/// Where an instant's UTC offset comes from when the caller gives none.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DefaultZone {
    /// UTC itself.
    Utc,
    /// The program's time zone at that instant.
    Program(Tz),
}

/// An instant with an offset, as the core keeps times. `offset` is seconds east of UTC, read
/// from the field `offset_field`; without it the offset comes from `zone`.
pub(crate) fn zoned(
    field: &str,
    t: SystemTime,
    offset_field: &str,
    offset: Option<i32>,
    zone: DefaultZone,
    error: FieldError,
) -> Result<DateTime<FixedOffset>, OfframpError> {
    let at = utc(field, t, error)?;
    let offset = match offset {
        Some(seconds) => FixedOffset::east_opt(seconds).ok_or_else(|| {
            error(
                offset_field.to_string(),
                "must be less than 24 hours (86,400 seconds) either side of UTC".to_string(),
            )
        })?,
        None => match zone {
            DefaultZone::Utc => Utc.fix(),
            DefaultZone::Program(tz) => tz.offset_from_utc_datetime(&at.naive_utc()).fix(),
        },
    };
    Ok(at.with_timezone(&offset))
}

/// An instant in UTC, for times whose offset is not kept (opening hours, case events).
pub(crate) fn in_utc(
    field: &str,
    t: SystemTime,
    error: FieldError,
) -> Result<DateTime<FixedOffset>, OfframpError> {
    zoned(field, t, "", None, DefaultZone::Utc, error)
}

/// An optional instant in UTC.
pub(crate) fn opt_in_utc(
    field: &str,
    t: &Option<SystemTime>,
    error: FieldError,
) -> Result<Option<DateTime<FixedOffset>>, OfframpError> {
    t.map(|t| in_utc(field, t, error)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn no_error(field: String, detail: String) -> OfframpError {
        OfframpError::argument(field, detail)
    }

    #[test]
    fn an_instant_and_its_offset_give_back_the_same_time() -> Result<(), OfframpError> {
        let t = DateTime::parse_from_rfc3339("2026-03-02T14:05:00.25-08:00")
            .map_err(|e| no_error("t".into(), e.to_string()))?;
        let back = zoned(
            "at",
            instant(&t),
            "utc_offset_seconds",
            Some(offset_seconds(&t)),
            DefaultZone::Utc,
            no_error,
        )?;
        assert_eq!(back, t);
        assert_eq!(back.to_rfc3339(), t.to_rfc3339());
        Ok(())
    }

    #[test]
    fn a_zoned_time_keeps_its_offset() -> Result<(), OfframpError> {
        let t = DateTime::parse_from_rfc3339("2026-11-01T01:30:00-05:00")
            .map_err(|e| no_error("t".into(), e.to_string()))?;
        let z = ZonedTime::from(&t);
        assert_eq!(z.utc_offset_seconds, -18_000);
        assert_eq!(
            z.to_core("deadline", no_error)?.to_rfc3339(),
            t.to_rfc3339()
        );
        let bad = ZonedTime {
            utc_offset_seconds: 86_400,
            ..z
        };
        match bad.to_core("deadline", no_error) {
            Err(OfframpError::InvalidArgument { field, .. }) => {
                assert_eq!(field, "deadline.utc_offset_seconds")
            }
            other => panic!("expected an error naming the offset, got {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn without_an_offset_the_program_zone_decides_it() -> Result<(), OfframpError> {
        // 2026-07-01T12:00Z is 05:00 in Los Angeles (daylight time, UTC-7).
        let summer = UNIX_EPOCH + Duration::from_secs(1_782_907_200);
        let zone = DefaultZone::Program(chrono_tz::America::Los_Angeles);
        let t = zoned("at", summer, "off", None, zone, no_error)?;
        assert_eq!(t.to_rfc3339(), "2026-07-01T05:00:00-07:00");
        let t = zoned("at", summer, "off", None, DefaultZone::Utc, no_error)?;
        assert_eq!(t.to_rfc3339(), "2026-07-01T12:00:00+00:00");
        Ok(())
    }

    #[test]
    fn times_before_1970_and_far_away_are_handled() {
        let before = UNIX_EPOCH - Duration::from_secs(86_400);
        let t = in_utc("at", before, no_error).map(|t| t.to_rfc3339());
        assert_eq!(t.ok().as_deref(), Some("1969-12-31T00:00:00+00:00"));
        let far = UNIX_EPOCH + Duration::from_secs(31_556_889_864_403_199);
        match in_utc("at", far, no_error) {
            Err(OfframpError::InvalidArgument { field, .. }) => assert_eq!(field, "at"),
            other => panic!("expected an error naming the field, got {other:?}"),
        }
        match zoned(
            "at",
            before,
            "off",
            Some(90_000),
            DefaultZone::Utc,
            no_error,
        ) {
            Err(OfframpError::InvalidArgument { field, .. }) => assert_eq!(field, "off"),
            other => panic!("expected an error naming the offset, got {other:?}"),
        }
    }
}
