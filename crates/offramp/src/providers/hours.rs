//! The opening-hours engine: is a place open at a given instant, until when, and if it is
//! closed, when does it next open.
//!
//! [`Hours`] as read from a directory is compiled once into an [`OpeningHours`], which parses
//! the time zone, checks every schedule and closure, and turns them into a compact form that
//! answers [`OpeningHours::is_open`] without allocating.
//!
//! # How hours are read
//!
//! * **Local wall-clock time.** Every time and date in a schedule or closure is a wall-clock
//!   reading in the hours' IANA `timezone`. Answers are instants, returned in the zone's own
//!   offset at that instant (`2026-03-08T03:00:00-07:00` for Los Angeles just after clocks go
//!   forward), whatever offset the question was asked in.
//! * **An occurrence.** A schedule applies on some dates; on each such date it opens at
//!   `opens_at` (00:00 when absent) and closes at `closes_at` (the end of the day, 24:00, when
//!   absent). When `closes_at` is earlier than `opens_at` the opening runs overnight and closes
//!   at `closes_at` on the next day; so `22:00`-`06:00` is an overnight shift. `00:00`-`00:00`
//!   is a whole day; any other equal pair (`09:00`-`09:00`) is an opening of no length that
//!   never opens (loading a directory warns about it: [`Schedule::is_empty_span`]). The
//!   occurrence belongs to the date it opens on: a Friday-only `22:00`-`06:00` shift is open
//!   early on Saturday morning. Fractions of a second are kept; a leap second (`23:59:60`)
//!   counts as the last instant of its minute.
//! * **Which dates.**
//!   - No `freq`, no `byday` and no `bymonthday`: every date.
//!   - `WEEKLY`: the weekdays in `byday` (without `nth`: an `nth` on a weekly schedule is an
//!     error), or, when `byday` is empty, the weekday of `dtstart` (an error without `dtstart`).
//!     `bymonthday` is an error on a weekly schedule.
//!   - `MONTHLY`: the dates that match `byday` (`TU` = every Tuesday, `2TU` = the second
//!     Tuesday, `-1FR` = the last Friday; a fifth weekday that a month lacks gives nothing that
//!     month) **and** `bymonthday` (`15` = the 15th, `-1` = the last day; a day that a month
//!     lacks, such as the 31st in April, gives nothing that month). When both are given a date
//!     must match both, as in iCalendar (`byday` FR with `bymonthday` 13 is Friday the 13th).
//!     When neither is given, the day of the month of `dtstart` (an error without `dtstart`).
//!   - No `freq` but days given: `bymonthday` or any `nth` make the schedule monthly,
//!     otherwise `byday` makes it weekly.
//!   - `interval` n (1 when absent, 0 is an error) keeps every n-th week or month, counted from
//!     the week (weeks start on Monday) or month of `dtstart`. With n above 1 the count needs
//!     an anchor: `dtstart`, or `valid_from` when there is no `dtstart`, otherwise it is an
//!     error; it is also an error on a schedule that is neither weekly nor monthly.
//!   - `valid_from`, `valid_to`, `dtstart` and `until` bound the dates an occurrence may open
//!     on, all inclusive. `valid_from` after `valid_to`, or `until` before `dtstart`, is an
//!     error.
//! * **Daylight-saving time.** Occurrences are intervals of real time. A local opening time
//!   that does not exist (inside the hour skipped when clocks go forward) opens at the first
//!   instant after the gap; a closing time in the gap closes then too, so an occurrence that
//!   lies wholly inside the gap never opens. A local time that happens twice (clocks going back)
//!   opens at the earlier of the two instants and closes at the later. So a `22:00`-`06:00`
//!   shift lasts 9 hours on the night clocks go back and 7 on the night they go forward.
//! * **Closures** (`from` inclusive, `to` exclusive, local) win over every schedule and over
//!   `always_open`. Their ends are placed in time by the same rules (`from` as an opening,
//!   `to` as a closing), so a closure never ends sooner than its wall-clock reading.
//!   `always_open` means open at every instant outside closures.
//! * **Several schedules** combine: the place is open when any occurrence is. Back-to-back
//!   and overlapping occurrences, including overnight ones and those of different schedules,
//!   merge into one opening for [`OpeningHours::open_until`].
//!
//! # Search horizon
//!
//! [`OpeningHours::next_open`] and [`OpeningHours::open_until`] look at most
//! [`SEARCH_HORIZON_DAYS`] days past the instant asked about. `next_open` gives `None` when
//! the place does not open within that window; `open_until` gives `None` when the place is
//! closed at the instant asked about, or when the opening lasts past the window (a place open
//! around the clock). Instants so far from the present era that the calendar arithmetic
//! overflows are treated as closed, except at places that are always open.
//!
//! # Example
//!
//! ```
//! use chrono::DateTime;
//! use offramp::providers::{hours::OpeningHours, model::Hours};
//!
//! let hours: Hours = serde_json::from_str(
//!     r#"{"timezone": "America/Chicago",
//!         "schedules": [{"opens_at": "22:00:00", "closes_at": "06:00:00"}]}"#,
//! )?;
//! let shelter = OpeningHours::compile(&hours)?;
//! let late = DateTime::parse_from_rfc3339("2026-05-04T23:30:00-05:00")?;
//! assert!(shelter.is_open(late));
//! assert_eq!(
//!     shelter.open_until(late).map(|t| t.to_rfc3339()),
//!     Some("2026-05-05T06:00:00-05:00".to_string())
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    Timelike, Utc,
};
use chrono_tz::{GapInfo, Tz};

use crate::zone::{self, Fit};

use super::model::{Frequency, Hours, Schedule, Weekday};

/// How many days past the instant asked about [`OpeningHours::next_open`] and
/// [`OpeningHours::open_until`] look before giving up with `None`.
///
/// ```
/// assert_eq!(offramp::providers::hours::SEARCH_HORIZON_DAYS, 366);
/// ```
pub const SEARCH_HORIZON_DAYS: i64 = 366;

/// Nanoseconds in a day of 24 hours of wall-clock time.
const DAY_NS: i64 = 86_400_000_000_000;

/// Why [`Hours`] could not be compiled. Each message names the field at fault, such as
/// `schedules[2].byday[0]` or `closures[1].to`, and says what was expected.
///
/// ```
/// use offramp::providers::{hours::{HoursError, OpeningHours}, model::Hours};
///
/// let hours = Hours { timezone: "America/New_Yrok".into(), ..Hours::default() };
/// let err = OpeningHours::compile(&hours).unwrap_err();
/// assert!(matches!(err, HoursError::UnknownTimeZone { .. }));
/// assert_eq!(
///     err.to_string(),
///     "timezone: \"America/New_Yrok\" is not an IANA time zone; did you mean \"America/New_York\"?"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HoursError {
    /// The time zone is not in the IANA database.
    #[error("timezone: {name:?} is not an IANA time zone{}", did_you_mean(.suggestion.as_deref()))]
    UnknownTimeZone {
        /// The name as given.
        name: String,
        /// The closest known name, when one is close.
        suggestion: Option<String>,
    },
    /// `interval` is 0.
    #[error("schedules[{schedule}].interval: must be 1 or more, not 0")]
    ZeroInterval {
        /// The schedule's index.
        schedule: usize,
    },
    /// `interval` above 1 on a schedule that repeats daily.
    #[error(
        "schedules[{schedule}].interval: an interval of {interval} needs freq WEEKLY or MONTHLY \
         (or byday/bymonthday), but the schedule applies every day"
    )]
    IntervalWithoutFrequency {
        /// The schedule's index.
        schedule: usize,
        /// The interval given.
        interval: u32,
    },
    /// `interval` above 1 with neither `dtstart` nor `valid_from` to count from.
    #[error(
        "schedules[{schedule}].dtstart: an interval of {interval} is counted from dtstart \
         (or valid_from), but neither is given"
    )]
    IntervalWithoutAnchor {
        /// The schedule's index.
        schedule: usize,
        /// The interval given.
        interval: u32,
    },
    /// A `byday` entry's `nth` is 0 or beyond 5 either way.
    #[error(
        "schedules[{schedule}].byday[{index}].nth: {nth} is out of range (1 to 5, or -1 to -5)"
    )]
    NthOutOfRange {
        /// The schedule's index.
        schedule: usize,
        /// The index in `byday`.
        index: usize,
        /// The value given.
        nth: i8,
    },
    /// A `byday` entry has an `nth` on a weekly schedule.
    #[error(
        "schedules[{schedule}].byday[{index}].nth: {nth} picks a weekday of the month, which \
         needs freq MONTHLY, not WEEKLY"
    )]
    NthOnWeekly {
        /// The schedule's index.
        schedule: usize,
        /// The index in `byday`.
        index: usize,
        /// The value given.
        nth: i8,
    },
    /// A `bymonthday` entry is 0 or beyond 31 either way.
    #[error(
        "schedules[{schedule}].bymonthday[{index}]: {day} is out of range (1 to 31, or -1 to -31)"
    )]
    MonthDayOutOfRange {
        /// The schedule's index.
        schedule: usize,
        /// The index in `bymonthday`.
        index: usize,
        /// The value given.
        day: i8,
    },
    /// `bymonthday` on a weekly schedule.
    #[error("schedules[{schedule}].bymonthday: days of the month need freq MONTHLY, not WEEKLY")]
    MonthDayOnWeekly {
        /// The schedule's index.
        schedule: usize,
    },
    /// A weekly schedule with no `byday`, or a monthly one with neither `byday` nor
    /// `bymonthday`, repeats on `dtstart`'s day, and there is no `dtstart`.
    #[error(
        "schedules[{schedule}].dtstart: freq {freq} with no {missing} repeats on the day of \
         dtstart, but dtstart is not given"
    )]
    MissingDtstart {
        /// The schedule's index.
        schedule: usize,
        /// `WEEKLY` or `MONTHLY`.
        freq: &'static str,
        /// The day fields that are empty.
        missing: &'static str,
    },
    /// `valid_from` is after `valid_to`.
    #[error("schedules[{schedule}].valid_from: {from} is after valid_to {to}")]
    ValidityReversed {
        /// The schedule's index.
        schedule: usize,
        /// `valid_from`.
        from: NaiveDate,
        /// `valid_to`.
        to: NaiveDate,
    },
    /// `until` is before `dtstart`.
    #[error("schedules[{schedule}].until: {until} is before dtstart {dtstart}")]
    UntilBeforeStart {
        /// The schedule's index.
        schedule: usize,
        /// `dtstart`.
        dtstart: NaiveDate,
        /// `until`.
        until: NaiveDate,
    },
    /// A closure's `to` is not after its `from`.
    #[error("closures[{closure}].to: {to} is not after from {from}")]
    ClosureNotAfter {
        /// The closure's index.
        closure: usize,
        /// `from`.
        from: NaiveDateTime,
        /// `to`.
        to: NaiveDateTime,
    },
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean {s:?}?"))
}

/// Hours compiled for fast questions: the time zone parsed, schedules checked and reduced to
/// bit masks, closures placed in time, sorted and merged. Immutable once built, so it can be
/// cloned and shared between threads freely. See the [module documentation](self) for how
/// schedules are read.
///
/// ```
/// use chrono::DateTime;
/// use offramp::providers::{hours::OpeningHours, model::Hours};
///
/// // Weekdays 09:00-17:00 in New York.
/// let hours: Hours = serde_json::from_str(
///     r#"{"timezone": "America/New_York",
///         "schedules": [{"freq": "WEEKLY",
///                        "byday": [{"day": "MO"}, {"day": "TU"}, {"day": "WE"},
///                                  {"day": "TH"}, {"day": "FR"}],
///                        "opens_at": "09:00:00", "closes_at": "17:00:00"}]}"#,
/// )?;
/// let clinic = OpeningHours::compile(&hours)?;
/// let saturday = DateTime::parse_from_rfc3339("2026-05-09T12:00:00-04:00")?;
/// assert!(!clinic.is_open(saturday));
/// assert_eq!(
///     clinic.next_open(saturday).map(|t| t.to_rfc3339()),
///     Some("2026-05-11T09:00:00-04:00".to_string())
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct OpeningHours {
    tz: Tz,
    always_open: bool,
    rules: Vec<Rule>,
    /// Closures as absolute, non-empty, sorted, non-touching intervals.
    closures: Vec<Span>,
}

/// A half-open interval of absolute time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// A compiled schedule.
#[derive(Debug, Clone, Copy)]
struct Rule {
    pattern: Pattern,
    /// 1 or more.
    interval: u32,
    /// Weekly: the day number (from the common era) of the Monday of the anchor's week.
    /// Monthly: the anchor's month number (`year * 12 + month0`). Unused when `interval` is 1.
    anchor: i64,
    /// The first date an occurrence may open on.
    first: Option<NaiveDate>,
    /// The last date an occurrence may open on.
    last: Option<NaiveDate>,
    /// Opening, nanoseconds after local midnight of the occurrence's date, below `DAY_NS`.
    open: i64,
    /// Closing, nanoseconds after the same midnight; above `open`, at most `2 * DAY_NS`.
    close: i64,
}

/// Bit in a monthly weekday mask for "every such weekday".
const EVERY: u16 = 1;

#[derive(Debug, Clone, Copy)]
enum Pattern {
    Daily,
    /// Bit `n` set for the weekday `n` days after Monday.
    Weekly {
        days: u8,
    },
    /// `byday[weekday]` holds bit 0 for every such weekday, bit k for the k-th (1..=5) and bit
    /// 5 + k for the k-th from the end. `monthdays` holds bit d for day d and bit d for the
    /// d-th day from the end (-d).
    Monthly {
        byday: Option<[u16; 7]>,
        monthdays: Option<(u32, u32)>,
    },
}

/// How a local time that happens twice, or not at all, is placed in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// Earlier of two; first instant after a gap.
    Start,
    /// Later of two; first instant after a gap.
    End,
}

/// An instant with its local reading.
#[derive(Debug, Clone, Copy)]
struct Local {
    date: NaiveDate,
    /// Nanoseconds since local midnight.
    tod: i64,
    /// The local reading happens twice (clocks went or will go back around it).
    folded: bool,
}

fn weekday_index(day: Weekday) -> usize {
    match day {
        Weekday::MO => 0,
        Weekday::TU => 1,
        Weekday::WE => 2,
        Weekday::TH => 3,
        Weekday::FR => 4,
        Weekday::SA => 5,
        Weekday::SU => 6,
    }
}

#[expect(
    clippy::arithmetic_side_effects,
    reason = "calendar arithmetic on chrono dates (years within +/-262,143, far inside i64) and nanoseconds within one day; weekday tables have seven entries, indexed by a weekday number"
)]
fn time_ns(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight()) * 1_000_000_000
        + i64::from(t.nanosecond().min(999_999_999))
}

fn days_in_month(d: NaiveDate) -> u32 {
    match d.month() {
        4 | 6 | 9 | 11 => 30,
        2 if d.leap_year() => 29,
        2 => 28,
        _ => 31,
    }
}

#[expect(
    clippy::arithmetic_side_effects,
    reason = "calendar arithmetic on chrono dates (years within +/-262,143, far inside i64) and nanoseconds within one day; weekday tables have seven entries, indexed by a weekday number"
)]
fn month_number(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

#[expect(
    clippy::arithmetic_side_effects,
    reason = "calendar arithmetic on chrono dates (years within +/-262,143, far inside i64) and nanoseconds within one day; weekday tables have seven entries, indexed by a weekday number"
)]
fn week_monday_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - i64::from(d.weekday().num_days_from_monday())
}

fn shift(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    d.checked_add_signed(TimeDelta::try_days(days)?)
}

fn later(t: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    TimeDelta::try_days(days)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Rule {
    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "calendar arithmetic on chrono dates (years within +/-262,143, far inside i64) and nanoseconds within one day; weekday tables have seven entries, indexed by a weekday number"
    )]
    fn compile(index: usize, s: &Schedule) -> Result<Rule, HoursError> {
        let interval = s.interval.unwrap_or(1);
        if interval == 0 {
            return Err(HoursError::ZeroInterval { schedule: index });
        }
        if let (Some(from), Some(to)) = (s.valid_from, s.valid_to)
            && from > to
        {
            return Err(HoursError::ValidityReversed {
                schedule: index,
                from,
                to,
            });
        }
        if let (Some(dtstart), Some(until)) = (s.dtstart, s.until)
            && until < dtstart
        {
            return Err(HoursError::UntilBeforeStart {
                schedule: index,
                dtstart,
                until,
            });
        }
        for (i, b) in s.byday.iter().enumerate() {
            if let Some(nth) = b.nth
                && (nth == 0 || !(-5..=5).contains(&nth))
            {
                return Err(HoursError::NthOutOfRange {
                    schedule: index,
                    index: i,
                    nth,
                });
            }
        }
        for (i, &day) in s.bymonthday.iter().enumerate() {
            if day == 0 || !(-31..=31).contains(&day) {
                return Err(HoursError::MonthDayOutOfRange {
                    schedule: index,
                    index: i,
                    day,
                });
            }
        }
        let freq = s.freq.or_else(|| {
            if !s.bymonthday.is_empty() || s.byday.iter().any(|b| b.nth.is_some()) {
                Some(Frequency::Monthly)
            } else if !s.byday.is_empty() {
                Some(Frequency::Weekly)
            } else {
                None
            }
        });
        let pattern = match freq {
            None => {
                if interval > 1 {
                    return Err(HoursError::IntervalWithoutFrequency {
                        schedule: index,
                        interval,
                    });
                }
                Pattern::Daily
            }
            Some(Frequency::Weekly) => {
                if !s.bymonthday.is_empty() {
                    return Err(HoursError::MonthDayOnWeekly { schedule: index });
                }
                let mut days = 0u8;
                for (i, b) in s.byday.iter().enumerate() {
                    if let Some(nth) = b.nth {
                        return Err(HoursError::NthOnWeekly {
                            schedule: index,
                            index: i,
                            nth,
                        });
                    }
                    days |= 1 << weekday_index(b.day);
                }
                if days == 0 {
                    let Some(dtstart) = s.dtstart else {
                        return Err(HoursError::MissingDtstart {
                            schedule: index,
                            freq: "WEEKLY",
                            missing: "byday",
                        });
                    };
                    days = 1 << dtstart.weekday().num_days_from_monday();
                }
                Pattern::Weekly { days }
            }
            Some(Frequency::Monthly) => {
                let byday = (!s.byday.is_empty()).then(|| {
                    let mut masks = [0u16; 7];
                    for b in &s.byday {
                        let bit = match b.nth {
                            None => EVERY,
                            // Ranges were checked above: 1..=5 and -5..=-1.
                            Some(n) if n > 0 => 1 << n.unsigned_abs(),
                            Some(n) => 1 << (5 + n.unsigned_abs()),
                        };
                        masks[weekday_index(b.day)] |= bit;
                    }
                    masks
                });
                let mut monthdays = (!s.bymonthday.is_empty()).then(|| {
                    let (mut pos, mut neg) = (0u32, 0u32);
                    for &d in &s.bymonthday {
                        if d > 0 {
                            pos |= 1 << d.unsigned_abs();
                        } else {
                            neg |= 1 << d.unsigned_abs();
                        }
                    }
                    (pos, neg)
                });
                if byday.is_none() && monthdays.is_none() {
                    let Some(dtstart) = s.dtstart else {
                        return Err(HoursError::MissingDtstart {
                            schedule: index,
                            freq: "MONTHLY",
                            missing: "byday or bymonthday",
                        });
                    };
                    monthdays = Some((1 << dtstart.day(), 0));
                }
                Pattern::Monthly { byday, monthdays }
            }
        };
        let anchor = if interval > 1 {
            let Some(anchor) = s.dtstart.or(s.valid_from) else {
                return Err(HoursError::IntervalWithoutAnchor {
                    schedule: index,
                    interval,
                });
            };
            match pattern {
                Pattern::Monthly { .. } => month_number(anchor),
                _ => week_monday_number(anchor),
            }
        } else {
            0
        };
        let first = match (s.valid_from, s.dtstart) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let last = match (s.valid_to, s.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let open = s.opens_at.map_or(0, time_ns);
        let close = match s.closes_at.map(time_ns) {
            None => DAY_NS,
            Some(c) if c <= open => c + DAY_NS,
            Some(c) => c,
        };
        Ok(Rule {
            pattern,
            interval,
            anchor,
            first,
            last,
            open,
            close,
        })
    }

    /// Whether an occurrence opens on local date `d`.
    #[expect(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        reason = "calendar arithmetic on chrono dates (years within +/-262,143, far inside i64) and nanoseconds within one day; weekday tables have seven entries, indexed by a weekday number"
    )]
    fn occurs_on(&self, d: NaiveDate) -> bool {
        if self.first.is_some_and(|f| d < f) || self.last.is_some_and(|l| d > l) {
            return false;
        }
        match self.pattern {
            Pattern::Daily => true,
            Pattern::Weekly { days } => {
                if days & (1 << d.weekday().num_days_from_monday()) == 0 {
                    return false;
                }
                self.interval == 1
                    || (i64::from(d.num_days_from_ce()) - self.anchor)
                        .div_euclid(7)
                        .rem_euclid(i64::from(self.interval))
                        == 0
            }
            Pattern::Monthly { byday, monthdays } => {
                if self.interval > 1
                    && (month_number(d) - self.anchor).rem_euclid(i64::from(self.interval)) != 0
                {
                    return false;
                }
                let dom = d.day();
                let dim = days_in_month(d);
                if let Some(masks) = byday {
                    let bits = masks[d.weekday().num_days_from_monday() as usize];
                    let from_start = (dom - 1) / 7 + 1;
                    let from_end = (dim - dom) / 7 + 1;
                    if bits & (EVERY | 1 << from_start | 1 << (5 + from_end)) == 0 {
                        return false;
                    }
                }
                if let Some((pos, neg)) = monthdays
                    && pos & (1 << dom) == 0
                    && neg & (1 << (dim - dom + 1)) == 0
                {
                    return false;
                }
                true
            }
        }
    }
}

impl OpeningHours {
    /// Checks and compiles hours. Fails on the first problem found, naming where it is: an
    /// unknown time zone (with the closest known name, when one is close), an interval of 0,
    /// an `nth` of 0 or beyond ±5, a day of the month of 0 or beyond ±31, `valid_from` after
    /// `valid_to`, `until` before `dtstart`, a closure whose `to` is not after its `from`, and
    /// the other inconsistencies listed under [`HoursError`].
    ///
    /// ```
    /// use offramp::providers::{hours::{HoursError, OpeningHours}, model::Hours};
    ///
    /// let good: Hours = serde_json::from_str(
    ///     r#"{"timezone": "Europe/London", "always_open": true}"#,
    /// )?;
    /// assert!(OpeningHours::compile(&good).is_ok());
    ///
    /// let bad: Hours = serde_json::from_str(
    ///     r#"{"timezone": "Europe/London",
    ///         "schedules": [{"freq": "MONTHLY", "byday": [{"nth": 6, "day": "TU"}]}]}"#,
    /// )?;
    /// let err = OpeningHours::compile(&bad).unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     HoursError::NthOutOfRange { schedule: 0, index: 0, nth: 6 }
    /// );
    /// assert!(err.to_string().starts_with("schedules[0].byday[0].nth: 6"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "calendar arithmetic on chrono dates (years within +/-262,143, far inside i64) and nanoseconds within one day; weekday tables have seven entries, indexed by a weekday number"
    )]
    pub fn compile(hours: &Hours) -> Result<OpeningHours, HoursError> {
        let tz: Tz = hours
            .timezone
            .parse()
            .map_err(|_| HoursError::UnknownTimeZone {
                name: hours.timezone.clone(),
                suggestion: closest_zone(&hours.timezone),
            })?;
        // A schedule of no length (`09:00`-`09:00`) is checked like any other but never opens.
        let rules = hours
            .schedules
            .iter()
            .enumerate()
            .map(|(i, s)| Rule::compile(i, s).map(|r| (!s.is_empty_span()).then_some(r)))
            .filter_map(Result::transpose)
            .collect::<Result<Vec<_>, _>>()?;
        // A schedule open every day, with no end date, from its opening until at least the
        // same time the next day keeps the place open around the clock; say so once here
        // rather than walking a year of occurrences in `open_until`.
        let around_the_clock = rules.iter().any(|r| {
            matches!(r.pattern, Pattern::Daily)
                && r.first.is_none()
                && r.last.is_none()
                && r.close - r.open >= DAY_NS
        });
        let mut out = OpeningHours {
            tz,
            always_open: hours.always_open || around_the_clock,
            rules,
            closures: Vec::with_capacity(hours.closures.len()),
        };
        let mut closures = Vec::with_capacity(hours.closures.len());
        for (i, c) in hours.closures.iter().enumerate() {
            if c.to <= c.from {
                return Err(HoursError::ClosureNotAfter {
                    closure: i,
                    from: c.from,
                    to: c.to,
                });
            }
            // An end that cannot be placed (at the very edge of the calendar) is read as UTC.
            let start = out
                .resolve(c.from, Edge::Start)
                .unwrap_or_else(|| c.from.and_utc());
            let end = out
                .resolve(c.to, Edge::End)
                .unwrap_or_else(|| c.to.and_utc());
            if start < end {
                closures.push(Span { start, end });
            }
        }
        closures.sort_by_key(|s| s.start);
        for span in closures {
            match out.closures.last_mut() {
                Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                _ => out.closures.push(span),
            }
        }
        Ok(out)
    }

    /// The time zone the hours are kept in.
    ///
    /// ```
    /// use offramp::providers::{hours::OpeningHours, model::Hours};
    ///
    /// let hours = Hours { timezone: "America/Denver".into(), ..Hours::default() };
    /// let compiled = OpeningHours::compile(&hours)?;
    /// assert_eq!(compiled.timezone(), chrono_tz::America::Denver);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Whether the place is open at instant `t`: some occurrence covers it (or the place is
    /// always open) and no closure does. Allocation-free; typically two time-zone look-ups
    /// plus a few integer comparisons per schedule.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::providers::{hours::OpeningHours, model::Hours};
    ///
    /// let hours: Hours = serde_json::from_str(
    ///     r#"{"timezone": "America/New_York",
    ///         "schedules": [{"opens_at": "22:00:00", "closes_at": "06:00:00"}]}"#,
    /// )?;
    /// let night = OpeningHours::compile(&hours)?;
    /// let at = |s| DateTime::parse_from_rfc3339(s);
    /// assert!(night.is_open(at("2026-05-05T05:59:00-04:00")?));
    /// assert!(!night.is_open(at("2026-05-05T06:00:00-04:00")?));
    /// // The same instant asked in another offset gives the same answer.
    /// assert!(night.is_open(at("2026-05-05T09:59:00+00:00")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_open(&self, t: DateTime<FixedOffset>) -> bool {
        self.open_at(t.to_utc())
    }

    /// When the place is open at `t`, the instant that opening ends: the first instant after
    /// `t` at which it is closed, with back-to-back and overlapping occurrences merged and
    /// closures cutting in. `None` when the place is closed at `t`, or when it stays open for
    /// more than [`SEARCH_HORIZON_DAYS`] days (open around the clock).
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::providers::{hours::OpeningHours, model::Hours};
    ///
    /// let hours: Hours = serde_json::from_str(
    ///     r#"{"timezone": "America/Denver",
    ///         "schedules": [{"opens_at": "09:00:00", "closes_at": "12:00:00"},
    ///                       {"opens_at": "12:00:00", "closes_at": "17:00:00"}]}"#,
    /// )?;
    /// let clinic = OpeningHours::compile(&hours)?;
    /// let t = DateTime::parse_from_rfc3339("2026-05-04T10:00:00-06:00")?;
    /// assert_eq!(
    ///     clinic.open_until(t).map(|u| u.to_rfc3339()),
    ///     Some("2026-05-04T17:00:00-06:00".to_string())
    /// );
    /// let evening = DateTime::parse_from_rfc3339("2026-05-04T18:00:00-06:00")?;
    /// assert_eq!(clinic.open_until(evening), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_until(&self, t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        self.open_until_utc(t.to_utc()).map(|u| self.out(u))
    }

    /// `Some(t)` when the place is open at `t`; otherwise the first instant after `t` at which
    /// it opens, looking up to [`SEARCH_HORIZON_DAYS`] days ahead (that last instant included);
    /// `None` when it does not open in that time. The instant is given in the hours' own offset.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use offramp::providers::{hours::OpeningHours, model::Hours};
    ///
    /// // Opens at 02:30 every day; on 8 March 2026 that time does not exist in Los Angeles.
    /// let hours: Hours = serde_json::from_str(
    ///     r#"{"timezone": "America/Los_Angeles",
    ///         "schedules": [{"opens_at": "02:30:00", "closes_at": "05:00:00"}]}"#,
    /// )?;
    /// let early = OpeningHours::compile(&hours)?;
    /// let t = DateTime::parse_from_rfc3339("2026-03-08T01:00:00-08:00")?;
    /// assert_eq!(
    ///     early.next_open(t).map(|u| u.to_rfc3339()),
    ///     Some("2026-03-08T03:00:00-07:00".to_string())
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_open(&self, t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let u = t.to_utc();
        if self.open_at(u) {
            return Some(self.out(u));
        }
        self.next_open_utc(u).map(|v| self.out(v))
    }

    fn out(&self, u: DateTime<Utc>) -> DateTime<FixedOffset> {
        u.with_timezone(&zone::utc_offset(self.tz, u.timestamp()))
    }

    fn closure_at(&self, x: DateTime<Utc>) -> Option<Span> {
        let i = self.closures.partition_point(|c| c.start <= x);
        let c = *self.closures.get(i.checked_sub(1)?)?;
        (x < c.end).then_some(c)
    }

    fn closure_after(&self, x: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let i = self.closures.partition_point(|c| c.start <= x);
        self.closures.get(i).map(|c| c.start)
    }

    fn open_at(&self, x: DateTime<Utc>) -> bool {
        if self.closure_at(x).is_some() {
            return false;
        }
        self.always_open || !matches!(self.cover(x), Cover::None)
    }

    /// Places local wall-clock time `n` in absolute time.
    fn resolve(&self, n: NaiveDateTime, edge: Edge) -> Option<DateTime<Utc>> {
        let at = |o: FixedOffset| n.checked_sub_offset(o).map(|u| u.and_utc());
        match zone::fit(self.tz, n) {
            Fit::Single(o) => at(o),
            Fit::Ambiguous(a, b) => {
                let (a, b) = (at(a)?, at(b)?);
                Some(match edge {
                    Edge::Start => a.min(b),
                    Edge::End => a.max(b),
                })
            }
            Fit::Gap => {
                let gap = GapInfo::new(&n, &self.tz)?;
                match gap.begin {
                    // The gap starts at this wall-clock reading under the old offset; that
                    // instant is the first one after the gap.
                    Some((begin, offset)) => {
                        begin.checked_sub_offset(offset.fix()).map(|u| u.and_utc())
                    }
                    None => gap.end.map(|e| e.to_utc()),
                }
            }
        }
    }

    /// The local reading of instant `x`. A router asks about the same instant in the same zone
    /// for every candidate service, so the last answer is kept per thread.
    fn local(&self, x: DateTime<Utc>) -> Option<Local> {
        thread_local! {
            static LAST: std::cell::Cell<Option<(Tz, DateTime<Utc>, Local)>> = const { std::cell::Cell::new(None) };
        }
        if let Some((tz, at, l)) = LAST.get()
            && tz == self.tz
            && at == x
        {
            return Some(l);
        }
        let l = self.local_uncached(x)?;
        LAST.set(Some((self.tz, x, l)));
        Some(l)
    }

    fn local_uncached(&self, x: DateTime<Utc>) -> Option<Local> {
        let offset = zone::utc_offset(self.tz, x.timestamp());
        let lx = x.naive_utc().checked_add_offset(offset)?;
        let folded = matches!(zone::fit(self.tz, lx), Fit::Ambiguous(..));
        Some(Local {
            date: lx.date(),
            tod: time_ns(lx.time()),
            folded,
        })
    }

    /// The occurrence of `rule` that opens on local date `day`, placed in time; `None` when
    /// it is empty (wholly inside a gap) or cannot be placed.
    fn occurrence(&self, rule: &Rule, day: NaiveDate) -> Option<Span> {
        let midnight = day.and_time(NaiveTime::MIN);
        let start = midnight.checked_add_signed(TimeDelta::nanoseconds(rule.open))?;
        let end = midnight.checked_add_signed(TimeDelta::nanoseconds(rule.close))?;
        let start = self.resolve(start, Edge::Start)?;
        let end = self.resolve(end, Edge::End)?;
        (start < end).then_some(Span { start, end })
    }

    /// Which occurrences cover `x`, ignoring closures and `always_open`.
    ///
    /// When the local reading of `x` happens only once, an occurrence covers `x` exactly when
    /// its wall-clock opening is at or before that reading and its wall-clock closing after
    /// it (placing a reading in time keeps order), so no look-ups are needed. Near clocks
    /// going back every candidate occurrence is placed in time and compared.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "calendar arithmetic on chrono dates (years within +/-262,143, far inside i64) and nanoseconds within one day; weekday tables have seven entries, indexed by a weekday number"
    )]
    fn cover(&self, x: DateTime<Utc>) -> Cover {
        let Some(l) = self.local(x) else {
            return Cover::None;
        };
        if !l.folded {
            // Occurrences opening the day before (reading + 1 day) or the same day.
            let mut best: Option<i64> = None;
            if let Some(yesterday) = l.date.pred_opt() {
                let tod = l.tod + DAY_NS;
                for r in &self.rules {
                    if tod < r.close && r.occurs_on(yesterday) {
                        let end = r.close - DAY_NS;
                        best = Some(best.map_or(end, |b| b.max(end)));
                    }
                }
            }
            for r in &self.rules {
                if r.open <= l.tod && l.tod < r.close && r.occurs_on(l.date) {
                    best = Some(best.map_or(r.close, |b| b.max(r.close)));
                }
            }
            return match best {
                None => Cover::None,
                Some(end) => Cover::Naive { date: l.date, end },
            };
        }
        let mut best: Option<DateTime<Utc>> = None;
        for k in -2..=1 {
            let Some(day) = shift(l.date, k) else {
                continue;
            };
            for r in &self.rules {
                if !r.occurs_on(day) {
                    continue;
                }
                if let Some(span) = self.occurrence(r, day)
                    && span.start <= x
                    && x < span.end
                {
                    best = Some(best.map_or(span.end, |b| b.max(span.end)));
                }
            }
        }
        best.map_or(Cover::None, Cover::At)
    }

    /// The latest end of the occurrences covering `x`, ignoring closures and `always_open`;
    /// `None` when none covers it. An end that cannot be placed is the end of time.
    fn cover_end(&self, x: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.cover(x) {
            Cover::None => None,
            Cover::At(end) => Some(end),
            Cover::Naive { date, end } => {
                let Some(end) = date
                    .and_time(NaiveTime::MIN)
                    .checked_add_signed(TimeDelta::nanoseconds(end))
                else {
                    return Some(DateTime::<Utc>::MAX_UTC);
                };
                Some(
                    self.resolve(end, Edge::End)
                        .unwrap_or_else(|| end.and_utc()),
                )
            }
        }
    }

    fn open_until_utc(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.open_at(t) {
            return None;
        }
        let limit = later(t, SEARCH_HORIZON_DAYS);
        if self.always_open {
            return self.closure_after(t).filter(|&c| c <= limit);
        }
        let mut e = t;
        loop {
            let Some(end) = self.cover_end(e) else {
                return Some(e);
            };
            if let Some(c) = self.closure_after(e)
                && c <= end
            {
                return (c <= limit).then_some(c);
            }
            if end > limit || end <= e {
                return None;
            }
            e = end;
        }
    }

    /// The first instant after `t`, which is closed, at which the place is open.
    fn next_open_utc(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let limit = later(t, SEARCH_HORIZON_DAYS);
        if self.always_open {
            return self.closure_at(t).map(|c| c.end).filter(|&c| c <= limit);
        }
        let local = self.local(t)?;
        let mut best: Option<DateTime<Utc>> = None;
        for k in -2..=SEARCH_HORIZON_DAYS + 2 {
            let Some(day) = shift(local.date, k) else {
                continue;
            };
            if let Some(b) = best {
                // Nothing opening on `day` or later can open before its midnight.
                match self.resolve(day.and_time(NaiveTime::MIN), Edge::Start) {
                    Some(midnight) if b <= midnight => break,
                    _ => {}
                }
            }
            // Where the day's occurrences close, in nanoseconds after the midnight of `t`'s
            // local date.
            let day_ns = k.saturating_mul(DAY_NS);
            for r in &self.rules {
                // One that closes, on the wall clock, at or before the reading of `t` ends at
                // or before `t` (placing readings in time keeps their order, and a reading that
                // happens once stands for `t` alone): passed over without being placed.
                if !local.folded && day_ns.saturating_add(r.close) <= local.tod {
                    continue;
                }
                if !r.occurs_on(day) {
                    continue;
                }
                let Some(span) = self.occurrence(r, day) else {
                    continue;
                };
                if span.end <= t {
                    continue;
                }
                let mut c = span.start.max(t);
                if let Some(closure) = self.closure_at(c) {
                    c = closure.end;
                }
                if c < span.end && c <= limit && best.is_none_or(|b| c < b) {
                    best = Some(c);
                }
            }
        }
        best
    }
}

/// Which occurrences cover an instant.
#[derive(Debug, Clone, Copy)]
enum Cover {
    /// None.
    None,
    /// Some; the latest ends this many nanoseconds after local midnight of `date`.
    Naive { date: NaiveDate, end: i64 },
    /// Some; the latest ends at this instant.
    At(DateTime<Utc>),
}

/// The known zone name closest to `name`, when one is close enough to be a likely typo.
fn closest_zone(name: &str) -> Option<String> {
    let norm = |s: &str| s.trim().to_lowercase().replace(' ', "_");
    let wanted = norm(name);
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(f64, &'static str)> = None;
    for tz in chrono_tz::TZ_VARIANTS {
        let full = tz.name();
        let city = full.rsplit('/').next().unwrap_or(full);
        let score = strsim::jaro_winkler(&wanted, &norm(full))
            .max(strsim::jaro_winkler(&wanted, &norm(city)) - 0.01);
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, full));
        }
    }
    best.filter(|(score, _)| *score >= 0.85)
        .map(|(_, n)| n.to_string())
}

#[cfg(test)]
mod tests;
