use super::*;
use crate::providers::model::{ByDay, Closure};
use chrono::TimeZone;
use proptest::prelude::*;
use serde_json::json;

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn compile(v: serde_json::Value) -> OpeningHours {
    let hours: Hours = serde_json::from_value(v).unwrap();
    OpeningHours::compile(&hours).unwrap()
}

fn compile_err(v: serde_json::Value) -> HoursError {
    let hours: Hours = serde_json::from_value(v).unwrap();
    OpeningHours::compile(&hours).unwrap_err()
}

fn s(t: Option<DateTime<FixedOffset>>) -> Option<String> {
    t.map(|t| t.to_rfc3339())
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

/// Is `x` open, computed the slow way: every occurrence within three days is placed in
/// time and compared.
fn reference_open(h: &OpeningHours, x: DateTime<Utc>) -> bool {
    if h.closures.iter().any(|c| c.start <= x && x < c.end) {
        return false;
    }
    if h.always_open {
        return true;
    }
    let date = x.with_timezone(&h.tz).date_naive();
    (-3..=2).any(|k| {
        shift(date, k).is_some_and(|day| {
            h.rules.iter().any(|r| {
                r.occurs_on(day)
                    && h.occurrence(r, day)
                        .is_some_and(|span| span.start <= x && x < span.end)
            })
        })
    })
}

#[test]
fn is_send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<OpeningHours>();
    check::<HoursError>();
}

#[test]
fn overnight_shift() {
    let h = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "22:00:00", "closes_at": "06:00:00"}]}));
    assert!(!h.is_open(at("2026-05-04T21:59:59-04:00")));
    assert!(h.is_open(at("2026-05-04T22:00:00-04:00")));
    assert!(h.is_open(at("2026-05-04T23:00:00-04:00")));
    assert!(h.is_open(at("2026-05-05T05:59:00-04:00")));
    assert!(h.is_open(at("2026-05-05T05:59:59.999-04:00")));
    assert!(!h.is_open(at("2026-05-05T06:00:00-04:00")));
    assert_eq!(
        s(h.open_until(at("2026-05-04T23:00:00-04:00"))),
        some("2026-05-05T06:00:00-04:00")
    );
    assert_eq!(
        s(h.next_open(at("2026-05-05T06:00:00-04:00"))),
        some("2026-05-05T22:00:00-04:00")
    );
    assert_eq!(h.open_until(at("2026-05-05T06:00:00-04:00")), None);
}

#[test]
fn overnight_belongs_to_its_opening_day() {
    // Friday nights only: open early Saturday, not early Friday.
    let h = compile(json!({"timezone": "America/Chicago",
        "schedules": [{"freq": "WEEKLY", "byday": [{"day": "FR"}],
                       "opens_at": "22:00:00", "closes_at": "06:00:00"}]}));
    assert!(h.is_open(at("2026-05-09T03:00:00-05:00"))); // Saturday
    assert!(!h.is_open(at("2026-05-08T03:00:00-05:00"))); // Friday
    assert_eq!(
        s(h.next_open(at("2026-05-09T07:00:00-05:00"))),
        some("2026-05-15T22:00:00-05:00")
    );
}

#[test]
fn weekdays_and_weekend() {
    let h = compile(json!({"timezone": "America/New_York",
        "schedules": [{"freq": "WEEKLY",
            "byday": [{"day": "MO"}, {"day": "TU"}, {"day": "WE"}, {"day": "TH"}, {"day": "FR"}],
            "opens_at": "09:00:00", "closes_at": "17:00:00"}]}));
    assert!(h.is_open(at("2026-05-04T10:00:00-04:00"))); // Monday
    assert!(h.is_open(at("2026-05-08T16:59:00-04:00"))); // Friday
    assert_eq!(
        s(h.open_until(at("2026-05-08T16:59:00-04:00"))),
        some("2026-05-08T17:00:00-04:00")
    );
    assert!(!h.is_open(at("2026-05-09T12:00:00-04:00"))); // Saturday
    assert!(!h.is_open(at("2026-05-10T12:00:00-04:00"))); // Sunday
    // Closed for the weekend: Friday evening -> Monday morning.
    assert_eq!(
        s(h.next_open(at("2026-05-08T17:00:00-04:00"))),
        some("2026-05-11T09:00:00-04:00")
    );
    // Asked in UTC, answered in New York's offset.
    assert_eq!(
        s(h.next_open(at("2026-05-09T18:00:00+00:00"))),
        some("2026-05-11T09:00:00-04:00")
    );
}

#[test]
fn byday_without_freq_is_weekly() {
    let h = compile(json!({"timezone": "UTC",
        "schedules": [{"byday": [{"day": "WE"}], "opens_at": "08:00:00", "closes_at": "10:00:00"}]}));
    assert!(h.is_open(at("2026-05-06T09:00:00Z")));
    assert!(!h.is_open(at("2026-05-07T09:00:00Z")));
}

#[test]
fn second_tuesday_monthly() {
    let h = compile(json!({"timezone": "America/Chicago",
        "schedules": [{"freq": "MONTHLY", "byday": [{"nth": 2, "day": "TU"}],
                       "opens_at": "13:00:00", "closes_at": "15:00:00"}]}));
    assert!(h.is_open(at("2026-03-10T14:00:00-05:00")));
    assert!(!h.is_open(at("2026-03-03T14:00:00-05:00")));
    assert!(!h.is_open(at("2026-03-17T14:00:00-05:00")));
    assert!(h.is_open(at("2026-01-13T14:00:00-06:00")));
    assert_eq!(
        s(h.next_open(at("2026-03-10T15:00:00-05:00"))),
        some("2026-04-14T13:00:00-05:00")
    );
}

#[test]
fn last_friday_and_fifth_weekday() {
    let h = compile(json!({"timezone": "America/Chicago",
        "schedules": [{"freq": "MONTHLY", "byday": [{"nth": -1, "day": "FR"}]}]}));
    assert!(h.is_open(at("2026-01-30T12:00:00-06:00")));
    assert!(!h.is_open(at("2026-01-23T12:00:00-06:00")));
    assert!(h.is_open(at("2026-03-27T00:00:00-05:00")));
    assert_eq!(
        s(h.open_until(at("2026-03-27T12:00:00-05:00"))),
        some("2026-03-28T00:00:00-05:00")
    );
    // The fifth Friday exists in January 2026 (30th) but not in February.
    let fifth = compile(json!({"timezone": "UTC",
        "schedules": [{"byday": [{"nth": 5, "day": "FR"}]}]}));
    assert!(fifth.is_open(at("2026-01-30T12:00:00Z")));
    assert_eq!(
        s(fifth.next_open(at("2026-01-31T12:00:00Z"))),
        some("2026-05-29T00:00:00+00:00")
    );
}

#[test]
fn bymonthday_from_the_end() {
    let h = compile(json!({"timezone": "UTC",
        "schedules": [{"freq": "MONTHLY", "bymonthday": [-1],
                       "opens_at": "10:00:00", "closes_at": "11:00:00"}]}));
    assert!(h.is_open(at("2026-02-28T10:30:00Z")));
    assert!(!h.is_open(at("2026-02-27T10:30:00Z")));
    assert!(h.is_open(at("2026-04-30T10:30:00Z")));
    assert!(h.is_open(at("2028-02-29T10:30:00Z")));
    assert!(!h.is_open(at("2028-02-28T10:30:00Z")));
    assert_eq!(
        s(h.next_open(at("2026-03-01T00:00:00Z"))),
        some("2026-03-31T10:00:00+00:00")
    );
}

#[test]
fn bymonthday_and_byday_intersect() {
    // Friday the 13th: February and March 2026.
    let h = compile(json!({"timezone": "UTC",
        "schedules": [{"freq": "MONTHLY", "byday": [{"day": "FR"}], "bymonthday": [13]}]}));
    assert!(h.is_open(at("2026-02-13T12:00:00Z")));
    assert!(!h.is_open(at("2026-02-20T12:00:00Z")));
    assert_eq!(
        s(h.next_open(at("2026-03-14T00:00:00Z"))),
        some("2026-11-13T00:00:00+00:00")
    );
}

#[test]
fn monthly_without_days_uses_dtstart() {
    let h = compile(json!({"timezone": "UTC",
        "schedules": [{"freq": "MONTHLY", "dtstart": "2026-01-31"}]}));
    assert!(h.is_open(at("2026-01-31T12:00:00Z")));
    assert!(!h.is_open(at("2026-02-28T12:00:00Z")));
    assert_eq!(
        s(h.next_open(at("2026-02-01T00:00:00Z"))),
        some("2026-03-31T00:00:00+00:00")
    );
    assert!(matches!(
        compile_err(json!({"timezone": "UTC", "schedules": [{}, {"freq": "MONTHLY"}]})),
        HoursError::MissingDtstart {
            schedule: 1,
            freq: "MONTHLY",
            ..
        }
    ));
}

#[test]
fn weekly_without_days_uses_dtstart() {
    let h = compile(json!({"timezone": "UTC",
        "schedules": [{"freq": "WEEKLY", "dtstart": "2026-05-06"}]}));
    assert!(h.is_open(at("2026-05-13T12:00:00Z")));
    assert!(!h.is_open(at("2026-05-14T12:00:00Z")));
    assert!(!h.is_open(at("2026-04-29T12:00:00Z"))); // before dtstart
}

#[test]
fn fortnightly_anchored_by_dtstart() {
    let h = compile(json!({"timezone": "America/Denver",
        "schedules": [{"freq": "WEEKLY", "interval": 2, "byday": [{"day": "MO"}],
                       "dtstart": "2026-01-05", "opens_at": "09:00:00", "closes_at": "12:00:00"}]}));
    assert!(h.is_open(at("2026-01-05T10:00:00-07:00")));
    assert!(!h.is_open(at("2026-01-12T10:00:00-07:00")));
    assert!(h.is_open(at("2026-01-19T10:00:00-07:00")));
    assert!(h.is_open(at("2026-03-02T10:00:00-07:00")));
    assert!(!h.is_open(at("2025-12-22T10:00:00-07:00"))); // before dtstart
    assert_eq!(
        s(h.next_open(at("2026-01-05T12:00:00-07:00"))),
        some("2026-01-19T09:00:00-07:00")
    );
    // dtstart on a Wednesday: its week (from Monday 5 January) is week 0, but dtstart
    // itself bars that week's Monday, so the first Monday is the 19th.
    let wed = compile(json!({"timezone": "UTC",
        "schedules": [{"freq": "WEEKLY", "interval": 2, "byday": [{"day": "MO"}, {"day": "TH"}],
                       "dtstart": "2026-01-07"}]}));
    assert!(!wed.is_open(at("2026-01-05T10:00:00Z")));
    assert!(wed.is_open(at("2026-01-08T10:00:00Z")));
    assert!(!wed.is_open(at("2026-01-12T10:00:00Z")));
    assert!(!wed.is_open(at("2026-01-15T10:00:00Z")));
    assert!(wed.is_open(at("2026-01-19T10:00:00Z")));
    assert!(wed.is_open(at("2026-01-22T10:00:00Z")));
}

#[test]
fn every_other_month() {
    let h = compile(json!({"timezone": "UTC",
        "schedules": [{"freq": "MONTHLY", "interval": 2, "bymonthday": [1], "valid_from": "2026-01-01"}]}));
    assert!(h.is_open(at("2026-01-01T12:00:00Z")));
    assert!(!h.is_open(at("2026-02-01T12:00:00Z")));
    assert!(h.is_open(at("2026-03-01T12:00:00Z")));
    assert!(h.is_open(at("2027-01-01T12:00:00Z")));
}

#[test]
fn validity_dates_are_inclusive() {
    let h = compile(json!({"timezone": "America/New_York",
        "schedules": [{"valid_from": "2026-06-01", "valid_to": "2026-06-30",
                       "opens_at": "08:00:00", "closes_at": "02:00:00"}]}));
    assert!(!h.is_open(at("2026-05-31T09:00:00-04:00")));
    assert!(!h.is_open(at("2026-06-01T01:00:00-04:00")));
    assert!(h.is_open(at("2026-06-01T08:00:00-04:00")));
    assert!(h.is_open(at("2026-06-30T23:00:00-04:00")));
    // The last occurrence opens on the 30th and runs into 1 July.
    assert!(h.is_open(at("2026-07-01T01:00:00-04:00")));
    assert!(!h.is_open(at("2026-07-01T09:00:00-04:00")));
    assert_eq!(
        s(h.next_open(at("2026-05-01T00:00:00-04:00"))),
        some("2026-06-01T08:00:00-04:00")
    );
    assert_eq!(h.next_open(at("2026-07-02T00:00:00-04:00")), None);
    let until = compile(json!({"timezone": "UTC",
        "schedules": [{"dtstart": "2026-06-01", "until": "2026-06-02"}]}));
    assert!(until.is_open(at("2026-06-02T23:00:00Z")));
    assert!(!until.is_open(at("2026-06-03T00:00:00Z")));
    assert_eq!(
        s(until.open_until(at("2026-06-01T05:00:00Z"))),
        some("2026-06-03T00:00:00+00:00")
    );
}

#[test]
fn holiday_closure_in_always_open_site() {
    let h = compile(json!({"timezone": "America/New_York", "always_open": true,
        "closures": [{"from": "2026-12-25T00:00:00", "to": "2026-12-26T00:00:00", "reason": "holiday"}]}));
    assert!(h.is_open(at("2026-12-24T23:59:59-05:00")));
    assert!(!h.is_open(at("2026-12-25T00:00:00-05:00")));
    assert!(!h.is_open(at("2026-12-25T23:59:59-05:00")));
    assert!(h.is_open(at("2026-12-26T00:00:00-05:00")));
    assert_eq!(
        s(h.open_until(at("2026-12-20T00:00:00-05:00"))),
        some("2026-12-25T00:00:00-05:00")
    );
    assert_eq!(
        s(h.next_open(at("2026-12-25T12:00:00-05:00"))),
        some("2026-12-26T00:00:00-05:00")
    );
    // After the holiday, open around the clock with no end in sight.
    assert_eq!(h.open_until(at("2026-12-26T00:00:00-05:00")), None);
}

#[test]
fn an_opening_and_closing_at_the_same_time_is_never_open_but_midnight_to_midnight_is_all_day() {
    let empty = compile(json!({"timezone": "America/Chicago",
        "schedules": [{"opens_at": "09:00:00", "closes_at": "09:00:00"}]}));
    for t in [
        "2026-03-03T08:59:00-06:00",
        "2026-03-03T09:00:00-06:00",
        "2026-03-03T21:00:00-06:00",
    ] {
        assert!(!empty.is_open(at(t)), "{t}");
    }
    assert_eq!(empty.next_open(at("2026-03-03T08:00:00-06:00")), None);
    // Another schedule of the same hours still opens.
    let with_other = compile(json!({"timezone": "America/Chicago",
        "schedules": [{"opens_at": "09:00:00", "closes_at": "09:00:00"},
                      {"opens_at": "10:00:00", "closes_at": "12:00:00"}]}));
    assert!(!with_other.is_open(at("2026-03-03T09:30:00-06:00")));
    assert!(with_other.is_open(at("2026-03-03T10:30:00-06:00")));
    let day = compile(json!({"timezone": "America/Chicago",
        "schedules": [{"opens_at": "00:00:00", "closes_at": "00:00:00"}]}));
    assert!(day.is_open(at("2026-03-03T03:00:00-06:00")));
}

#[test]
fn closures_cut_schedules() {
    let h = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "00:00:00", "closes_at": "00:00:00"}],
        "closures": [{"from": "2026-07-04T12:00:00", "to": "2026-07-04T18:00:00"},
                     {"from": "2026-07-04T17:00:00", "to": "2026-07-04T20:00:00"}]}));
    assert!(h.is_open(at("2026-07-04T11:59:00-04:00")));
    assert!(!h.is_open(at("2026-07-04T19:59:00-04:00")));
    assert_eq!(
        s(h.open_until(at("2026-07-04T08:00:00-04:00"))),
        some("2026-07-04T12:00:00-04:00")
    );
    assert_eq!(
        s(h.next_open(at("2026-07-04T12:00:00-04:00"))),
        some("2026-07-04T20:00:00-04:00")
    );
    // A closure over a day-shift's opening: opens when the closure ends.
    let day = compile(json!({"timezone": "UTC",
        "schedules": [{"opens_at": "09:00:00", "closes_at": "17:00:00"}],
        "closures": [{"from": "2026-07-06T08:00:00", "to": "2026-07-06T10:00:00"},
                     {"from": "2026-07-07T00:00:00", "to": "2026-07-08T00:00:00"}]}));
    assert_eq!(
        s(day.next_open(at("2026-07-06T07:00:00Z"))),
        some("2026-07-06T10:00:00+00:00")
    );
    assert_eq!(
        s(day.next_open(at("2026-07-06T17:00:00Z"))),
        some("2026-07-08T09:00:00+00:00")
    );
}

#[test]
fn twenty_four_seven() {
    let always = compile(json!({"timezone": "America/Los_Angeles", "always_open": true}));
    let t = at("2026-03-08T02:30:00-08:00");
    assert!(always.is_open(t));
    assert_eq!(always.open_until(t), None);
    assert_eq!(always.next_open(t), Some(t));
    for daily in [
        json!({"timezone": "America/Los_Angeles",
               "schedules": [{"opens_at": "00:00:00", "closes_at": "00:00:00"}]}),
        json!({"timezone": "America/Los_Angeles", "schedules": [{}]}),
        // Bounded by a date, so open_until walks the days instead of taking the shortcut.
        json!({"timezone": "America/Los_Angeles",
               "schedules": [{"opens_at": "00:00:00", "closes_at": "00:00:00", "valid_from": "2020-01-01"}]}),
        json!({"timezone": "America/Los_Angeles",
               "schedules": [{"opens_at": "08:00:00", "closes_at": "20:00:00"},
                             {"opens_at": "20:00:00", "closes_at": "08:00:00"}]}),
    ] {
        let h = compile(daily);
        for t in [
            "2026-03-08T01:59:59-08:00",
            "2026-03-08T03:00:00-07:00",
            "2026-11-01T01:30:00-07:00",
            "2026-11-01T01:30:00-08:00",
            "2026-12-31T23:59:59-08:00",
        ] {
            assert!(h.is_open(at(t)), "{t}");
            assert_eq!(h.open_until(at(t)), None, "{t}");
            assert_eq!(h.next_open(at(t)), Some(at(t)), "{t}");
        }
    }
}

#[test]
fn back_to_back_and_overlapping_merge() {
    let h = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "09:00:00", "closes_at": "12:00:00"},
                      {"opens_at": "12:00:00", "closes_at": "17:00:00"}]}));
    assert_eq!(
        s(h.open_until(at("2026-05-04T10:00:00-04:00"))),
        some("2026-05-04T17:00:00-04:00")
    );
    assert!(h.is_open(at("2026-05-04T12:00:00-04:00")));
    let o = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "09:00:00", "closes_at": "13:00:00"},
                      {"opens_at": "12:00:00", "closes_at": "17:00:00"},
                      {"freq": "WEEKLY", "byday": [{"day": "MO"}], "opens_at": "16:30:00", "closes_at": "02:00:00"}]}));
    assert_eq!(
        s(o.open_until(at("2026-05-05T09:00:00-04:00"))),
        some("2026-05-05T17:00:00-04:00")
    );
    // Monday: day shift, then the Monday night shift, into Tuesday 02:00.
    assert_eq!(
        s(o.open_until(at("2026-05-04T09:00:00-04:00"))),
        some("2026-05-05T02:00:00-04:00")
    );
}

#[test]
fn dst_spring_forward_new_york() {
    // 2026-03-08: 02:00 EST becomes 03:00 EDT.
    let gap = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "02:30:00", "closes_at": "05:00:00"}]}));
    assert!(!gap.is_open(at("2026-03-08T01:59:59-05:00")));
    assert!(gap.is_open(at("2026-03-08T03:00:00-04:00")));
    assert_eq!(
        s(gap.next_open(at("2026-03-08T01:00:00-05:00"))),
        some("2026-03-08T03:00:00-04:00")
    );
    assert_eq!(
        s(gap.open_until(at("2026-03-08T03:00:00-04:00"))),
        some("2026-03-08T05:00:00-04:00")
    );
    // The day before and after, it opens at 02:30 as written.
    assert_eq!(
        s(gap.next_open(at("2026-03-07T01:00:00-05:00"))),
        some("2026-03-07T02:30:00-05:00")
    );
    assert_eq!(
        s(gap.next_open(at("2026-03-09T01:00:00-04:00"))),
        some("2026-03-09T02:30:00-04:00")
    );
    // An opening that lies wholly in the gap never opens that day.
    let inside = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "02:10:00", "closes_at": "02:50:00"}]}));
    assert_eq!(
        s(inside.next_open(at("2026-03-08T00:00:00-05:00"))),
        some("2026-03-09T02:10:00-04:00")
    );
    // Overnight across the change: 22:00 EST to 06:00 EDT is 7 hours.
    let night = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "22:00:00", "closes_at": "06:00:00"}]}));
    let start = at("2026-03-07T22:00:00-05:00");
    let end = night.open_until(start).unwrap();
    assert_eq!(end.to_rfc3339(), "2026-03-08T06:00:00-04:00");
    assert_eq!(end - start, TimeDelta::hours(7));
    assert!(night.is_open(at("2026-03-08T05:59:00-04:00")));
    assert!(!night.is_open(at("2026-03-08T06:00:00-04:00")));
}

#[test]
fn dst_fall_back_new_york() {
    // 2026-11-01: 02:00 EDT becomes 01:00 EST.
    let night = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "22:00:00", "closes_at": "06:00:00"}]}));
    let start = at("2026-10-31T22:00:00-04:00");
    let end = night.open_until(start).unwrap();
    assert_eq!(end.to_rfc3339(), "2026-11-01T06:00:00-05:00");
    assert_eq!(end - start, TimeDelta::hours(9));
    assert!(night.is_open(at("2026-11-01T01:30:00-04:00")));
    assert!(night.is_open(at("2026-11-01T01:30:00-05:00")));
    assert_eq!(
        s(night.open_until(at("2026-11-01T01:30:00-05:00"))),
        some("2026-11-01T06:00:00-05:00")
    );
    // An ambiguous opening time opens at the first of the two 01:30s.
    let opens = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "01:30:00", "closes_at": "03:00:00"}]}));
    assert!(!opens.is_open(at("2026-11-01T01:29:00-04:00")));
    assert!(opens.is_open(at("2026-11-01T01:30:00-04:00")));
    assert!(opens.is_open(at("2026-11-01T01:00:00-05:00")));
    assert_eq!(
        s(opens.next_open(at("2026-11-01T00:00:00-04:00"))),
        some("2026-11-01T01:30:00-04:00")
    );
    // An ambiguous closing time closes at the second of the two 01:30s.
    let closes = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "00:00:00", "closes_at": "01:30:00"}]}));
    assert!(closes.is_open(at("2026-11-01T01:45:00-04:00")));
    assert!(closes.is_open(at("2026-11-01T01:15:00-05:00")));
    assert!(!closes.is_open(at("2026-11-01T01:30:00-05:00")));
    assert_eq!(
        s(closes.open_until(at("2026-11-01T00:10:00-04:00"))),
        some("2026-11-01T01:30:00-05:00")
    );
    assert_eq!(
        s(closes.next_open(at("2026-11-01T01:30:00-05:00"))),
        some("2026-11-02T00:00:00-05:00")
    );
}

#[test]
fn dst_los_angeles() {
    let gap = compile(json!({"timezone": "America/Los_Angeles",
        "schedules": [{"opens_at": "02:00:00", "closes_at": "04:00:00"}]}));
    assert_eq!(
        s(gap.next_open(at("2026-03-08T00:00:00-08:00"))),
        some("2026-03-08T03:00:00-07:00")
    );
    assert!(gap.is_open(at("2026-03-08T03:59:00-07:00")));
    // Next opening across the spring change.
    let day = compile(json!({"timezone": "America/Los_Angeles",
        "schedules": [{"opens_at": "09:00:00", "closes_at": "17:00:00"}]}));
    assert_eq!(
        s(day.next_open(at("2026-03-07T18:00:00-08:00"))),
        some("2026-03-08T09:00:00-07:00")
    );
    // ... and across the autumn change.
    assert_eq!(
        s(day.next_open(at("2026-10-31T18:00:00-07:00"))),
        some("2026-11-01T09:00:00-08:00")
    );
    // Overnight across both changes.
    let night = compile(json!({"timezone": "America/Los_Angeles",
        "schedules": [{"opens_at": "20:00:00", "closes_at": "08:00:00"}]}));
    let spring = at("2026-03-07T20:00:00-08:00");
    assert_eq!(
        night.open_until(spring).unwrap() - spring,
        TimeDelta::hours(11)
    );
    let autumn = at("2026-10-31T20:00:00-07:00");
    assert_eq!(
        night.open_until(autumn).unwrap() - autumn,
        TimeDelta::hours(13)
    );
    assert_eq!(
        s(night.open_until(autumn)),
        some("2026-11-01T08:00:00-08:00")
    );
}

#[test]
fn closure_across_fall_back_is_conservative() {
    let h = compile(json!({"timezone": "America/New_York", "always_open": true,
        "closures": [{"from": "2026-11-01T01:30:00", "to": "2026-11-01T01:45:00"}]}));
    // Closed from the first 01:30 to the second 01:45.
    assert!(!h.is_open(at("2026-11-01T01:30:00-04:00")));
    assert!(!h.is_open(at("2026-11-01T01:10:00-05:00")));
    assert!(h.is_open(at("2026-11-01T01:45:00-05:00")));
    assert_eq!(
        s(h.next_open(at("2026-11-01T01:30:00-04:00"))),
        some("2026-11-01T01:45:00-05:00")
    );
}

#[test]
fn europe_london_offset_zero() {
    let h = compile(json!({"timezone": "Europe/London",
        "schedules": [{"freq": "WEEKLY", "byday": [{"day": "TH"}], "opens_at": "10:00:00", "closes_at": "16:00:00"}]}));
    assert!(h.is_open(at("2026-01-15T10:00:00Z")));
    assert!(!h.is_open(at("2026-01-15T09:59:59Z")));
    assert_eq!(
        s(h.open_until(at("2026-01-15T12:00:00Z"))),
        some("2026-01-15T16:00:00+00:00")
    );
    // In summer London keeps BST.
    assert!(h.is_open(at("2026-07-16T09:00:00Z")));
    assert_eq!(
        s(h.open_until(at("2026-07-16T09:00:00Z"))),
        some("2026-07-16T16:00:00+01:00")
    );
    // Clocks go forward on Sunday 29 March; next opening after a Wednesday evening.
    assert_eq!(
        s(h.next_open(at("2026-03-25T20:00:00Z"))),
        some("2026-03-26T10:00:00+00:00")
    );
    assert_eq!(
        s(h.next_open(at("2026-03-26T20:00:00Z"))),
        some("2026-04-02T10:00:00+01:00")
    );
}

#[test]
fn half_hour_and_date_line_zones() {
    // Lord Howe moves by 30 minutes; Apia skipped 30 December 2011 entirely.
    let lh = compile(json!({"timezone": "Australia/Lord_Howe",
        "schedules": [{"opens_at": "02:15:00", "closes_at": "03:00:00"}]}));
    // 2026-10-04 02:00 +10:30 becomes 02:30 +11:00.
    assert_eq!(
        s(lh.next_open(at("2026-10-04T01:00:00+10:30"))),
        some("2026-10-04T02:30:00+11:00")
    );
    let apia = compile(json!({"timezone": "Pacific/Apia",
        "schedules": [{"freq": "WEEKLY", "byday": [{"day": "FR"}], "opens_at": "22:00:00", "closes_at": "06:00:00"}]}));
    // Friday 30 December 2011 never happened: its night opens as Saturday begins.
    assert!(apia.is_open(at("2011-12-31T05:00:00+14:00")));
    assert_eq!(
        s(apia.next_open(at("2011-12-29T23:00:00-10:00"))),
        some("2011-12-31T00:00:00+14:00")
    );
    assert_eq!(
        s(apia.open_until(at("2011-12-31T00:00:00+14:00"))),
        some("2011-12-31T06:00:00+14:00")
    );
}

#[test]
fn never_open_gives_none() {
    let h = compile(json!({"timezone": "UTC"}));
    assert!(!h.is_open(at("2026-01-01T00:00:00Z")));
    assert_eq!(h.next_open(at("2026-01-01T00:00:00Z")), None);
    assert_eq!(h.open_until(at("2026-01-01T00:00:00Z")), None);
    // Opening just past the horizon is not found; just inside is.
    let later = compile(json!({"timezone": "UTC", "schedules": [{"valid_from": "2027-01-02"}]}));
    assert_eq!(later.next_open(at("2025-12-31T23:59:59Z")), None);
    assert_eq!(
        s(later.next_open(at("2026-01-01T00:00:00Z"))),
        some("2027-01-02T00:00:00+00:00")
    );
}

#[test]
fn errors_name_their_place() {
    let cases: Vec<(serde_json::Value, HoursError, &str)> = vec![
        (
            json!({"timezone": "Mars/Olympus_Mons"}),
            HoursError::UnknownTimeZone {
                name: "Mars/Olympus_Mons".into(),
                suggestion: None,
            },
            "timezone: \"Mars/Olympus_Mons\" is not an IANA time zone",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{}, {}, {"interval": 0}]}),
            HoursError::ZeroInterval { schedule: 2 },
            "schedules[2].interval: must be 1 or more, not 0",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"freq": "MONTHLY", "byday": [{"day": "MO"}, {"nth": 0, "day": "TU"}]}]}),
            HoursError::NthOutOfRange {
                schedule: 0,
                index: 1,
                nth: 0,
            },
            "schedules[0].byday[1].nth: 0 is out of range",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"freq": "MONTHLY", "byday": [{"nth": -6, "day": "TU"}]}]}),
            HoursError::NthOutOfRange {
                schedule: 0,
                index: 0,
                nth: -6,
            },
            "schedules[0].byday[0].nth: -6",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"freq": "WEEKLY", "byday": [{"nth": 2, "day": "TU"}]}]}),
            HoursError::NthOnWeekly {
                schedule: 0,
                index: 0,
                nth: 2,
            },
            "schedules[0].byday[0].nth: 2 picks",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"freq": "MONTHLY", "bymonthday": [5, 32]}]}),
            HoursError::MonthDayOutOfRange {
                schedule: 0,
                index: 1,
                day: 32,
            },
            "schedules[0].bymonthday[1]: 32",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"bymonthday": [0]}]}),
            HoursError::MonthDayOutOfRange {
                schedule: 0,
                index: 0,
                day: 0,
            },
            "schedules[0].bymonthday[0]: 0",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"freq": "WEEKLY", "byday": [{"day": "MO"}], "bymonthday": [1]}]}),
            HoursError::MonthDayOnWeekly { schedule: 0 },
            "schedules[0].bymonthday: days of the month need freq MONTHLY",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"freq": "WEEKLY"}]}),
            HoursError::MissingDtstart {
                schedule: 0,
                freq: "WEEKLY",
                missing: "byday",
            },
            "schedules[0].dtstart: freq WEEKLY with no byday",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"interval": 2}]}),
            HoursError::IntervalWithoutFrequency {
                schedule: 0,
                interval: 2,
            },
            "schedules[0].interval: an interval of 2 needs",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"freq": "WEEKLY", "interval": 3, "byday": [{"day": "MO"}]}]}),
            HoursError::IntervalWithoutAnchor {
                schedule: 0,
                interval: 3,
            },
            "schedules[0].dtstart: an interval of 3",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"valid_from": "2026-02-01", "valid_to": "2026-01-31"}]}),
            HoursError::ValidityReversed {
                schedule: 0,
                from: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
                to: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            },
            "schedules[0].valid_from: 2026-02-01 is after valid_to 2026-01-31",
        ),
        (
            json!({"timezone": "UTC", "schedules": [{"dtstart": "2026-02-01", "until": "2026-01-31"}]}),
            HoursError::UntilBeforeStart {
                schedule: 0,
                dtstart: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
                until: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            },
            "schedules[0].until: 2026-01-31 is before dtstart 2026-02-01",
        ),
        (
            json!({"timezone": "UTC", "closures": [
            {"from": "2026-01-01T00:00:00", "to": "2026-01-02T00:00:00"},
            {"from": "2026-01-05T00:00:00", "to": "2026-01-05T00:00:00"}]}),
            HoursError::ClosureNotAfter {
                closure: 1,
                from: NaiveDate::from_ymd_opt(2026, 1, 5)
                    .unwrap()
                    .and_time(NaiveTime::MIN),
                to: NaiveDate::from_ymd_opt(2026, 1, 5)
                    .unwrap()
                    .and_time(NaiveTime::MIN),
            },
            "closures[1].to: 2026-01-05 00:00:00 is not after from 2026-01-05 00:00:00",
        ),
    ];
    for (v, want, text) in cases {
        let got = compile_err(v);
        assert_eq!(got, want);
        assert!(
            got.to_string().starts_with(text),
            "{got} does not start with {text}"
        );
    }
}

#[test]
fn time_zone_suggestions() {
    let suggest = |name: &str| match compile_err(json!({"timezone": name})) {
        HoursError::UnknownTimeZone { suggestion, .. } => suggestion,
        other => panic!("unexpected {other}"),
    };
    assert_eq!(
        suggest("America/New_Yrok").as_deref(),
        Some("America/New_York")
    );
    assert_eq!(
        suggest("america/chicago").as_deref(),
        Some("America/Chicago")
    );
    assert_eq!(
        suggest("Los Angeles").as_deref(),
        Some("America/Los_Angeles")
    );
    assert_eq!(suggest(""), None);
    assert_eq!(suggest("zzzzzzzzzzzzzzzz"), None);
}

#[test]
fn fast_path_matches_reference_through_dst_days() {
    let h = compile(json!({"timezone": "America/New_York",
        "schedules": [{"opens_at": "01:30:00", "closes_at": "02:30:00"},
                      {"opens_at": "23:30:00", "closes_at": "01:15:00"},
                      {"freq": "WEEKLY", "byday": [{"day": "SA"}], "opens_at": "02:00:00", "closes_at": "01:45:00"}]}));
    for start in ["2026-03-07T00:00:00Z", "2026-10-31T00:00:00Z"] {
        let mut x = at(start).to_utc();
        for _ in 0..(3 * 24 * 12) {
            assert_eq!(h.open_at(x), reference_open(&h, x), "{x}");
            x += TimeDelta::minutes(5);
        }
    }
}

#[test]
fn extreme_instants_do_not_panic() {
    let extremes = [
        DateTime::<Utc>::MIN_UTC.fixed_offset(),
        DateTime::<Utc>::MAX_UTC.fixed_offset(),
        DateTime::<Utc>::MIN_UTC.with_timezone(&FixedOffset::east_opt(86_399).unwrap()),
        DateTime::<Utc>::MAX_UTC.with_timezone(&FixedOffset::west_opt(86_399).unwrap()),
    ];
    for v in [
        json!({"timezone": "Pacific/Kiritimati", "schedules": [{"opens_at": "22:00:00", "closes_at": "06:00:00"}],
               "closures": [{"from": "2026-01-01T00:00:00", "to": "2026-01-02T00:00:00"}]}),
        json!({"timezone": "America/New_York", "always_open": true}),
        json!({"timezone": "Etc/GMT+12", "schedules": [{"freq": "MONTHLY", "interval": 7, "dtstart": "2026-01-31"}]}),
    ] {
        let h = compile(v);
        for t in extremes {
            let _ = (h.is_open(t), h.open_until(t), h.next_open(t));
        }
    }
    // Schedules and closures at the calendar's edges.
    let mut hours = Hours {
        timezone: "Pacific/Kiritimati".into(),
        ..Hours::default()
    };
    hours.schedules.push(Schedule {
        freq: Some(Frequency::Weekly),
        interval: Some(u32::MAX),
        byday: vec![ByDay {
            nth: None,
            day: Weekday::SU,
        }],
        dtstart: Some(NaiveDate::MIN),
        until: Some(NaiveDate::MAX),
        opens_at: NaiveTime::from_hms_nano_opt(23, 59, 59, 1_999_999_999),
        ..Schedule::default()
    });
    hours.closures.push(Closure {
        from: NaiveDateTime::MIN,
        to: NaiveDateTime::MAX,
        reason: None,
    });
    let h = OpeningHours::compile(&hours).unwrap();
    for t in extremes {
        assert!(!h.is_open(t));
        let _ = (h.open_until(t), h.next_open(t));
    }
}

// ---- property tests ----

const ZONES: &[&str] = &[
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "UTC",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Kolkata",
    "Pacific/Apia",
    "Pacific/Chatham",
    "America/Santiago",
];

fn arb_time() -> impl Strategy<Value = NaiveTime> {
    (
        0u32..24,
        prop_oneof![4 => (0u32..4).prop_map(|q| q * 15), 1 => 0u32..60],
        prop_oneof![4 => Just(0u32), 1 => 0u32..60],
    )
        .prop_map(|(h, m, s)| NaiveTime::from_hms_opt(h, m, s).unwrap())
}

fn arb_date() -> impl Strategy<Value = NaiveDate> {
    let base = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    (0i64..(365 * 2)).prop_map(move |d| base + TimeDelta::days(d))
}

fn rare_date() -> impl Strategy<Value = Option<NaiveDate>> {
    prop_oneof![4 => Just(None), 1 => arb_date().prop_map(Some)]
}

fn arb_weekday() -> impl Strategy<Value = Weekday> {
    prop_oneof![
        Just(Weekday::MO),
        Just(Weekday::TU),
        Just(Weekday::WE),
        Just(Weekday::TH),
        Just(Weekday::FR),
        Just(Weekday::SA),
        Just(Weekday::SU),
    ]
}

fn arb_nth() -> impl Strategy<Value = i8> {
    prop_oneof![1i8..=5, -5i8..=-1]
}

/// A schedule that compiles.
fn arb_schedule() -> impl Strategy<Value = Schedule> {
    (
        prop_oneof![
            Just(None),
            Just(Some(Frequency::Weekly)),
            Just(Some(Frequency::Monthly))
        ],
        prop_oneof![3 => Just(None), 1 => (1u32..4).prop_map(Some)],
        prop::collection::vec((prop::option::of(arb_nth()), arb_weekday()), 0..3),
        prop::collection::vec(prop_oneof![1i8..=31, -31i8..=-1], 0..3),
        (prop::option::of(arb_time()), prop::option::of(arb_time())),
        (rare_date(), rare_date(), rare_date(), rare_date()),
        arb_date(),
    )
        .prop_map(
            |(
                freq,
                interval,
                byday,
                bymonthday,
                (opens_at, closes_at),
                (vf, vt, ds, un),
                anchor,
            )| {
                let mut s = Schedule {
                    freq,
                    interval,
                    byday: byday
                        .into_iter()
                        .map(|(nth, day)| ByDay { nth, day })
                        .collect(),
                    bymonthday,
                    opens_at,
                    closes_at,
                    valid_from: vf,
                    valid_to: vt,
                    dtstart: ds,
                    until: un,
                    description: None,
                };
                if s.freq == Some(Frequency::Weekly) {
                    s.bymonthday.clear();
                    for b in &mut s.byday {
                        b.nth = None;
                    }
                }
                if s.freq.is_none() && s.byday.is_empty() && s.bymonthday.is_empty() {
                    s.interval = None;
                }
                if s.freq.is_some() && s.byday.is_empty() && s.bymonthday.is_empty() {
                    s.dtstart.get_or_insert(anchor);
                }
                if s.interval.unwrap_or(1) > 1 && s.valid_from.is_none() {
                    s.dtstart.get_or_insert(anchor);
                }
                if let (Some(a), Some(b)) = (s.valid_from, s.valid_to)
                    && a > b
                {
                    (s.valid_from, s.valid_to) = (Some(b), Some(a));
                }
                if let (Some(a), Some(b)) = (s.dtstart, s.until)
                    && a > b
                {
                    (s.dtstart, s.until) = (Some(b), Some(a));
                }
                s
            },
        )
}

fn arb_closure() -> impl Strategy<Value = Closure> {
    (arb_date(), arb_time(), 1i64..(4 * 24 * 60)).prop_map(|(d, t, minutes)| {
        let from = d.and_time(t);
        Closure {
            from,
            to: from + TimeDelta::minutes(minutes),
            reason: None,
        }
    })
}

fn arb_hours() -> impl Strategy<Value = Hours> {
    (
        prop::sample::select(ZONES),
        prop::bool::weighted(0.1),
        prop::collection::vec(arb_schedule(), 0..5),
        prop::collection::vec(arb_closure(), 0..3),
    )
        .prop_map(|(tz, always_open, schedules, closures)| Hours {
            timezone: tz.to_string(),
            always_open,
            schedules,
            closures,
        })
}

/// Roughly when the clocks of `ZONES` change in 2026.
const CHANGES: &[&str] = &[
    "2026-03-08T07:00:00Z",
    "2026-11-01T06:00:00Z",
    "2026-03-08T10:00:00Z",
    "2026-11-01T09:00:00Z",
    "2026-03-29T01:00:00Z",
    "2026-10-25T01:00:00Z",
    "2026-04-04T15:00:00Z",
    "2026-10-03T15:30:00Z",
    "2026-03-08T05:30:00Z",
    "2026-11-01T04:30:00Z",
    "2026-04-04T14:00:00Z",
    "2026-09-26T14:00:00Z",
    "2026-04-05T03:00:00Z",
    "2026-09-06T04:00:00Z",
];

/// An instant in 2026 (often on a quarter hour, often within a day and a half of a clock
/// change), in an arbitrary offset.
fn arb_instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    let base = at("2026-01-01T00:00:00Z").to_utc();
    let uniform = prop_oneof![
        2 => (0i64..(365 * 24 * 4)).prop_map(|q| q * 900),
        1 => 0i64..(365 * 86_400),
    ]
    .prop_map(move |secs| base + TimeDelta::seconds(secs));
    let near_change = (
        prop::sample::select(CHANGES),
        prop_oneof![
            3 => (-432i64..432).prop_map(|q| q * 300),
            1 => -129_600i64..129_600,
            2 => -10_800i64..10_800,
        ],
    )
        .prop_map(|(c, secs)| at(c).to_utc() + TimeDelta::seconds(secs));
    (prop_oneof![uniform, near_change], -12i32..=14)
        .prop_map(|(u, off)| u.with_timezone(&FixedOffset::east_opt(off * 3600).unwrap()))
}

/// Instants strictly between `a` and `b` at which the answer may change: every occurrence
/// start and end and every closure start and end, and a nanosecond before each.
fn boundaries(h: &OpeningHours, a: DateTime<Utc>, b: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    for c in &h.closures {
        out.extend([c.start, c.end]);
    }
    let first = a.with_timezone(&h.tz).date_naive();
    let last = b.with_timezone(&h.tz).date_naive();
    let mut day = first - TimeDelta::days(2);
    while day <= last {
        for r in &h.rules {
            if r.occurs_on(day)
                && let Some(span) = h.occurrence(r, day)
            {
                out.extend([span.start, span.end]);
            }
        }
        day += TimeDelta::days(1);
    }
    let before: Vec<_> = out.iter().map(|&x| x - TimeDelta::nanoseconds(1)).collect();
    out.extend(before);
    out.retain(|&x| a < x && x < b);
    out
}

/// Instants strictly between `a` and `b`, spread out, and hugging both ends.
fn between(a: DateTime<Utc>, b: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let span = (b - a).num_seconds();
    let mut out = Vec::new();
    if span >= 2 {
        for i in 1..48 {
            out.push(a + TimeDelta::seconds(span * i / 48));
        }
        out.push(a + TimeDelta::seconds(1));
        out.push(b - TimeDelta::seconds(1));
    }
    out.push(b - TimeDelta::nanoseconds(1));
    out.retain(|&x| a < x && x < b);
    out
}

proptest! {
    // 400 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400),
        ..ProptestConfig::default()
    })]

    #[test]
    fn valid_hours_compile(hours in arb_hours()) {
        prop_assert!(OpeningHours::compile(&hours).is_ok(), "{:?}", OpeningHours::compile(&hours).err());
    }

    #[test]
    fn next_open_is_the_first_opening(hours in arb_hours(), t in arb_instant()) {
        let h = OpeningHours::compile(&hours).unwrap();
        let open = h.is_open(t);
        prop_assert_eq!(open, reference_open(&h, t.to_utc()));
        match h.next_open(t) {
            Some(u) => {
                prop_assert!(u >= t);
                prop_assert!(h.is_open(u), "next_open {} is not open", u);
                prop_assert_eq!(u.offset().fix(), h.tz.offset_from_utc_datetime(&u.naive_utc()).fix());
                prop_assert!(u.to_utc() <= t.to_utc() + TimeDelta::days(SEARCH_HORIZON_DAYS));
                if open {
                    prop_assert_eq!(u, t);
                }
                for s in between(t.to_utc(), u.to_utc()).into_iter().chain(boundaries(&h, t.to_utc(), u.to_utc())) {
                    prop_assert!(!h.is_open(s.fixed_offset()), "open at {} before next_open {}", s, u);
                    // Asked again at any instant until then, the same next opening (what the
                    // simulation's memo of closed partners relies on).
                    prop_assert_eq!(h.next_open(s.fixed_offset()), Some(u), "at {}", s);
                }
            }
            None => {
                prop_assert!(!open);
                // Nothing opens at any day boundary or schedule time within the horizon.
                let (a, b) = (t.to_utc(), t.to_utc() + TimeDelta::days(SEARCH_HORIZON_DAYS));
                for x in between(a, b).into_iter().chain(boundaries(&h, a, b)) {
                    prop_assert!(!h.open_at(x), "open at {} but next_open is None", x);
                }
            }
        }
    }

    #[test]
    fn open_until_is_the_end_of_the_opening(hours in arb_hours(), t in arb_instant()) {
        let h = OpeningHours::compile(&hours).unwrap();
        let open = h.is_open(t);
        match h.open_until(t) {
            Some(v) => {
                prop_assert!(open);
                prop_assert!(v > t);
                prop_assert!(!h.is_open(v), "open at open_until {}", v);
                prop_assert!(h.is_open(t));
                for s in between(t.to_utc(), v.to_utc()).into_iter().chain(boundaries(&h, t.to_utc(), v.to_utc())) {
                    prop_assert!(h.is_open(s.fixed_offset()), "closed at {} before open_until {}", s, v);
                    prop_assert_eq!(h.open_at(s), reference_open(&h, s));
                }
            }
            None if open => {
                // Open past the horizon: sample the whole window.
                let end = t.to_utc() + TimeDelta::days(SEARCH_HORIZON_DAYS);
                for s in between(t.to_utc(), end).into_iter().chain(boundaries(&h, t.to_utc(), end)) {
                    prop_assert!(h.open_at(s), "closed at {} but open_until is None", s);
                }
            }
            None => {}
        }
    }

    #[test]
    fn a_closure_over_t_closes(hours in arb_hours(), t in arb_instant(),
                               before in 0i64..600, after in 1i64..600) {
        let mut hours = hours;
        let local = t.with_timezone(&hours.timezone.parse::<Tz>().unwrap()).naive_local();
        hours.closures.push(Closure {
            from: local - TimeDelta::minutes(before),
            to: local + TimeDelta::seconds(after),
            reason: None,
        });
        let h = OpeningHours::compile(&hours).unwrap();
        prop_assert!(!h.is_open(t));
        prop_assert_eq!(h.open_until(t), None);
        if let Some(u) = h.next_open(t) {
            prop_assert!(u > t);
        }
    }

    #[test]
    fn arbitrary_hours_never_panic(
        tz in prop_oneof![prop::sample::select(ZONES).prop_map(String::from), ".{0,20}"],
        always_open in any::<bool>(),
        schedules in prop::collection::vec(
            (
                prop::option::of(prop_oneof![Just(Frequency::Weekly), Just(Frequency::Monthly)]),
                prop::option::of(prop_oneof![0u32..4, any::<u32>()]),
                prop::collection::vec((prop::option::of(any::<i8>()), arb_weekday()), 0..3),
                prop::collection::vec(any::<i8>(), 0..3),
                (prop::option::of(any_time()), prop::option::of(any_time())),
                (prop::option::of(any_date()), prop::option::of(any_date()),
                 prop::option::of(any_date()), prop::option::of(any_date())),
            ),
            0..4,
        ),
        closures in prop::collection::vec((any_date(), any_time(), any_date(), any_time()), 0..3),
        t in prop_oneof![arb_instant(), any_instant()],
    ) {
        let hours = Hours {
            timezone: tz,
            always_open,
            schedules: schedules
                .into_iter()
                .map(|(freq, interval, byday, bymonthday, (opens_at, closes_at), (vf, vt, ds, un))| Schedule {
                    freq,
                    interval,
                    byday: byday.into_iter().map(|(nth, day)| ByDay { nth, day }).collect(),
                    bymonthday,
                    opens_at,
                    closes_at,
                    valid_from: vf,
                    valid_to: vt,
                    dtstart: ds,
                    until: un,
                    description: None,
                })
                .collect(),
            closures: closures
                .into_iter()
                .map(|(d1, t1, d2, t2)| Closure { from: d1.and_time(t1), to: d2.and_time(t2), reason: None })
                .collect(),
        };
        if let Ok(h) = OpeningHours::compile(&hours) {
            let _ = (h.is_open(t), h.open_until(t), h.next_open(t));
        }
    }
}

fn any_time() -> impl Strategy<Value = NaiveTime> {
    (0u32..86_400, 0u32..2_000_000_000).prop_map(|(s, n)| {
        NaiveTime::from_num_seconds_from_midnight_opt(
            s,
            if s % 60 == 59 { n } else { n % 1_000_000_000 },
        )
        .unwrap_or(NaiveTime::MIN)
    })
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        arb_date(),
        any::<i32>()
            .prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or(NaiveDate::MIN)),
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
    ]
}

fn any_instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (any::<i64>(), -86_399i32..86_400).prop_map(|(secs, off)| {
        DateTime::<Utc>::from_timestamp(secs, 0)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
            .with_timezone(&FixedOffset::east_opt(off).unwrap())
    })
}
