//! HSDS schedules (iCalendar recurrence parts, times, dates and time zones) read into
//! [`Hours`].

use super::builder::Builder;
use super::fields::{Rec, SRC, get, get_text, num_of, rec_of, text_of};
use crate::providers::error::{DirectoryError, LoadSetting};
use crate::providers::model::{ByDay, Frequency, Hours, Schedule, Weekday};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// A time of day as read from `opens_at`/`closes_at`.
pub(super) struct ReadTime {
    pub(super) time: NaiveTime,
    /// The offset suffix in seconds east of UTC (`Z` is 0).
    pub(super) offset: Option<i32>,
    /// The text was 24:00.
    pub(super) end_of_day: bool,
}

/// Reads `HH:MM`, `HH:MM:SS` (with optional fraction), an optional `Z` or `±HH[:MM]` suffix,
/// and 24:00 as the end of the day.
pub(super) fn parse_time(s: &str) -> Option<ReadTime> {
    let s = s.trim();
    let (body, offset) = if let Some(b) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        (b, Some(0))
    } else if let Some(pos) = s.rfind(['+', '-']) {
        let (b, off) = s.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off.chars().skip(1).filter(|c| *c != ':').collect();
        if !(digits.len() == 2 || digits.len() == 4) || !digits.chars().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let h: i32 = digits.get(..2)?.parse().ok()?;
        let m: i32 = if digits.len() == 4 {
            digits.get(2..)?.parse().ok()?
        } else {
            0
        };
        if h > 14 || m > 59 {
            return None;
        }
        // h ≤ 14 and m ≤ 59 (checked above): at most 53,940 seconds either way.
        #[allow(clippy::arithmetic_side_effects, reason = "bounded by the check above")]
        let seconds = sign * (h * 3600 + m * 60);
        (b, Some(seconds))
    } else {
        (s, None)
    };
    let parts: Vec<&str> = body.split(':').collect();
    if !(parts.len() == 2 || parts.len() == 3) {
        return None;
    }
    let num = |p: &str, max_len: usize| -> Option<u32> {
        if p.is_empty() || p.len() > max_len || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let h = num(parts.first()?, 2)?;
    if parts.get(1)?.len() != 2 {
        return None;
    }
    let m = num(parts.get(1)?, 2)?;
    let sec = match parts.get(2) {
        None => 0,
        Some(p) => {
            let whole = p.split('.').next().unwrap_or("");
            if whole.len() != 2
                || p.split('.')
                    .nth(1)
                    .is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
            {
                return None;
            }
            num(whole, 2)?
        }
    };
    if h == 24 && m == 0 && sec == 0 {
        return Some(ReadTime {
            time: NaiveTime::MIN,
            offset,
            end_of_day: true,
        });
    }
    Some(ReadTime {
        time: NaiveTime::from_hms_opt(h, m, sec)?,
        offset,
        end_of_day: false,
    })
}

pub(super) fn parse_date(v: &Value) -> Option<NaiveDate> {
    let t = text_of(v)?;
    if let Ok(d) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return Some(d);
    }
    let head = t.get(..10)?;
    let rest = t.get(10..)?;
    if (rest.starts_with('T') || rest.starts_with(' '))
        && (DateTime::parse_from_rfc3339(&t).is_ok()
            || NaiveDateTime::parse_from_str(&t.replace(' ', "T"), "%Y-%m-%dT%H:%M:%S%.f").is_ok())
    {
        return NaiveDate::parse_from_str(head, "%Y-%m-%d").ok();
    }
    None
}

pub(super) const WEEKDAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::MO),
    ("TU", Weekday::TU),
    ("WE", Weekday::WE),
    ("TH", Weekday::TH),
    ("FR", Weekday::FR),
    ("SA", Weekday::SA),
    ("SU", Weekday::SU),
];

pub(super) fn parse_byday(s: &str) -> Option<Vec<ByDay>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let part = part.to_ascii_uppercase();
        let split = part.len().checked_sub(2)?;
        let (num, day) = (part.get(..split)?, part.get(split..)?);
        let (_, day) = WEEKDAYS.iter().find(|(n, _)| *n == day)?;
        let nth = if num.is_empty() {
            None
        } else {
            let n: i8 = num.strip_prefix('+').unwrap_or(num).parse().ok()?;
            if n == 0 || !(-5..=5).contains(&n) {
                return None;
            }
            Some(n)
        };
        out.push(ByDay { nth, day: *day });
    }
    if out.is_empty() { None } else { Some(out) }
}

pub(super) fn parse_monthdays(v: &Value) -> Option<Vec<i8>> {
    let items: Vec<Value> = match v {
        Value::Array(a) => a.clone(),
        Value::Number(_) => vec![v.clone()],
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| Value::String(p.into()))
            .collect(),
        _ => return None,
    };
    let mut out = Vec::new();
    for i in items {
        let n = num_of(&i)?;
        if n.fract() != 0.0 || n == 0.0 || !(-31.0..=31.0).contains(&n) {
            return None;
        }
        out.push(n as i8);
    }
    if out.is_empty() { None } else { Some(out) }
}

/// The offsets (seconds east of UTC) a zone uses in January and July.
pub(super) fn zone_offsets(tz: Tz) -> [i32; 2] {
    let at = |m: u32| {
        NaiveDate::from_ymd_opt(2025, m, 15)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map_or(0, |n| {
                tz.offset_from_utc_datetime(&n).fix().local_minus_utc()
            })
    };
    [at(1), at(7)]
}

/// A whole-hour UTC offset as an `Etc/GMT` zone (whose sign is inverted by convention).
pub(super) fn etc_zone(offset_seconds: i32) -> Option<(String, Tz)> {
    if offset_seconds % 3600 != 0 {
        return None;
    }
    let h = offset_seconds / 3600;
    if !(-12..=14).contains(&h) {
        return None;
    }
    let name = match h {
        0 => "UTC".to_string(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", h.unsigned_abs()),
    };
    let tz = name.parse::<Tz>().ok()?;
    Some((name, tz))
}

pub(super) fn fmt_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

impl Builder<'_> {
    /// Reads a list of HSDS schedules into hours; `None` when there is no usable schedule.
    pub(super) fn hours(
        &mut self,
        list: &[&Value],
        owner: &Rec,
        field: &str,
    ) -> Result<Option<Hours>, DirectoryError> {
        if list.is_empty() {
            return Ok(None);
        }
        self.schedules = self.schedules.saturating_add(list.len());
        if self.schedules > self.limits.schedules {
            return Err(DirectoryError::too_many_schedules(
                &owner.file,
                owner.record.clone(),
                field,
            ));
        }
        let mut reads = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let Value::Object(s) = v else {
                return Err(owner.invalid(&format!("{field}[{i}]"), "a schedule object", Some(v)));
            };
            let rec = match get_text(s, "id") {
                Some(id) if s.get(SRC).is_none() => Rec {
                    file: owner.file.clone(),
                    record: format!("schedule {id}"),
                },
                _ => rec_of(s, &self.file, format!("{} {field}[{i}]", owner.record)),
            };
            if let Some(r) = self.schedule(s, &rec)? {
                reads.push(r);
            }
        }
        // Decide the zone.
        let mut chosen: Option<(String, Tz)> = None;
        for r in &reads {
            if let Some(tz) = r.tzid {
                chosen = Some((tz.name().to_string(), tz));
                break;
            }
        }
        if chosen.is_none()
            && let Some(tz) = self.zone
        {
            chosen = Some((tz.name().to_string(), tz));
        }
        if chosen.is_none() {
            for r in &reads {
                if let Some((v, hrs)) = &r.numeric {
                    let secs = (hrs * 3600.0).round() as i32;
                    match etc_zone(secs).filter(|_| hrs.fract() == 0.0) {
                        Some((name, tz)) => {
                            self.warnings.push(r.rec.warn_setting("timezone", format!(
                                "a UTC offset ({}) has no daylight-saving rules; read as {name}",
                                fmt_offset(secs)), LoadSetting::Timezone));
                            chosen = Some((name, tz));
                        }
                        None => {
                            return Err(r.rec.invalid("timezone", "a whole-hour UTC offset between -12 and 14 (or an IANA time zone given for the directory)", Some(v)));
                        }
                    }
                    break;
                }
            }
        }
        if chosen.is_none() {
            for r in &reads {
                if let Some(secs) = r.suffix
                    && let Some((name, tz)) = etc_zone(secs)
                {
                    self.warnings.push(r.rec.warn(Some("opens_at"), format!(
                            "the only time zone given is the offset {} on the times; read as {name}, without daylight saving",
                            fmt_offset(secs))));
                    chosen = Some((name, tz));
                    break;
                }
            }
        }
        let (zone_name, tz) = match chosen {
            Some(c) => c,
            None => {
                if !reads.is_empty() {
                    self.warnings.push(owner.warn_setting(
                        field,
                        "no time zone given; HSDS reads such times as UTC",
                        LoadSetting::Timezone,
                    ));
                }
                ("UTC".to_string(), Tz::UTC)
            }
        };
        let offsets = zone_offsets(tz);
        let mut hours = Hours {
            timezone: zone_name.clone(),
            ..Hours::default()
        };
        for r in reads {
            if let Some(other) = r.tzid
                && other != tz
            {
                self.warnings.push(r.rec.warn(
                    Some("tzid"),
                    format!("a different time zone from the other schedules; {zone_name} is used"),
                ));
            }
            if let Some((_, hrs)) = &r.numeric {
                let secs = (hrs * 3600.0).round() as i32;
                if !offsets.contains(&secs) {
                    self.warnings.push(r.rec.warn(Some("timezone"), format!("the offset {} does not match {zone_name}; the times are read in {zone_name}", fmt_offset(secs))));
                }
            }
            if let Some(secs) = r.suffix
                && !offsets.contains(&secs)
            {
                self.warnings.push(r.rec.warn(Some("opens_at"), format!("the time suffix {} does not match {zone_name}; it is ignored and the times are read as local", fmt_offset(secs))));
            }
            if covers_every_hour(&r.schedule) {
                hours.always_open = true;
            } else {
                hours.schedules.push(r.schedule);
            }
        }
        if !hours.always_open && hours.schedules.is_empty() {
            return Ok(None);
        }
        Ok(Some(hours))
    }
}

/// A schedule open all day, every day, with no limit in time.
pub(super) fn covers_every_hour(s: &Schedule) -> bool {
    let days: HashSet<Weekday> = s
        .byday
        .iter()
        .filter(|d| d.nth.is_none())
        .map(|d| d.day)
        .collect();
    let every_day = (s.byday.is_empty() && s.freq.is_none())
        || (days.len() == 7 && s.byday.iter().all(|d| d.nth.is_none()));
    let all_day = match (s.opens_at, s.closes_at) {
        (Some(o), Some(c)) => {
            o == NaiveTime::MIN && (c == NaiveTime::MIN || (c.hour() == 23 && c.minute() == 59))
        }
        (None, None) => days.len() == 7,
        _ => false,
    };
    matches!(s.freq, None | Some(Frequency::Weekly))
        && s.interval.unwrap_or(1) == 1
        && s.bymonthday.is_empty()
        && s.valid_from.is_none()
        && s.valid_to.is_none()
        && s.until.is_none()
        && every_day
        && all_day
}

impl Builder<'_> {
    pub(super) fn schedule(
        &mut self,
        s: &Map<String, Value>,
        rec: &Rec,
    ) -> Result<Option<ReadSchedule>, DirectoryError> {
        let mut out = Schedule::default();
        if let Some(v) = get(s, "freq") {
            let f = text_of(v).unwrap_or_default().to_ascii_uppercase();
            out.freq = match f.as_str() {
                "WEEKLY" => Some(Frequency::Weekly),
                "MONTHLY" => Some(Frequency::Monthly),
                "DAILY" => None,
                "YEARLY" | "HOURLY" | "MINUTELY" | "SECONDLY" => {
                    self.warnings.push(rec.warn(Some("freq"), format!("offramp reads WEEKLY, MONTHLY and DAILY schedules; this {f} schedule is dropped")));
                    return Ok(None);
                }
                _ => return Err(rec.invalid("freq", "WEEKLY or MONTHLY", Some(v))),
            };
        }
        if let Some(v) = get(s, "interval") {
            let n = num_of(v)
                .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n <= f64::from(u32::MAX))
                .ok_or_else(|| rec.invalid("interval", "a whole number of 1 or more", Some(v)))?;
            out.interval = Some(n as u32);
        }
        if let Some(v) = get(s, "byday") {
            let days = match v {
                Value::Array(a) => parse_byday(&a.iter().filter_map(text_of).collect::<Vec<_>>().join(",")),
                other => text_of(other).and_then(|t| parse_byday(&t)),
            }
            .ok_or_else(|| rec.invalid("byday", "comma-separated days MO..SU, each optionally preceded by 1..5 or -1..-5 (2TU, -1FR)", Some(v)))?;
            out.byday = days;
        }
        if let Some(v) = get(s, "bymonthday") {
            out.bymonthday = parse_monthdays(v).ok_or_else(|| {
                rec.invalid(
                    "bymonthday",
                    "comma-separated days of the month, 1..31 or -1..-31",
                    Some(v),
                )
            })?;
        }
        for (field, slot) in [
            ("valid_from", 0),
            ("valid_to", 1),
            ("dtstart", 2),
            ("until", 3),
        ] {
            if let Some(v) = get(s, field) {
                let d = parse_date(v)
                    .ok_or_else(|| rec.invalid(field, "a date as YYYY-MM-DD", Some(v)))?;
                match slot {
                    0 => out.valid_from = Some(d),
                    1 => out.valid_to = Some(d),
                    2 => out.dtstart = Some(d),
                    _ => out.until = Some(d),
                }
            }
        }
        let mut suffix = None;
        for field in ["opens_at", "closes_at"] {
            if let Some(v) = get(s, field) {
                let t = text_of(v).and_then(|t| parse_time(&t)).ok_or_else(|| rec.invalid(field, "a time as HH:MM or HH:MM:SS, optionally with Z or an offset such as -05:00", Some(v)))?;
                if t.end_of_day && field == "opens_at" {
                    return Err(rec.invalid(
                        field,
                        "a time from 00:00 to 23:59:59 (24:00 is only read as a closing time)",
                        Some(v),
                    ));
                }
                if let Some(o) = t.offset {
                    if suffix.is_some_and(|s| s != o) {
                        self.warnings.push(rec.warn(
                            Some(field),
                            "opens_at and closes_at carry different offsets; the first is used",
                        ));
                    }
                    suffix = suffix.or(Some(o));
                }
                if field == "opens_at" {
                    out.opens_at = Some(t.time)
                } else {
                    out.closes_at = Some(t.time)
                }
            }
        }
        out.description = get_text(s, "description");
        // Checks against iCal and what offramp ignores.
        if out.freq.is_none()
            && out.byday.is_empty()
            && out.bymonthday.is_empty()
            && out.opens_at.is_none()
            && out.closes_at.is_none()
        {
            self.warnings.push(rec.warn(None, "the schedule gives no weekly or monthly rule, days or times (only free text); it is dropped"));
            return Ok(None);
        }
        if out.opens_at.is_some() != out.closes_at.is_some() {
            let missing = if out.opens_at.is_none() {
                "opens_at"
            } else {
                "closes_at"
            };
            self.warnings
                .push(rec.warn(Some(missing), "only one of opens_at and closes_at is given"));
        }
        if out.freq == Some(Frequency::Weekly) {
            if out.byday.iter().any(|d| d.nth.is_some()) {
                self.warnings.push(rec.warn(
                    Some("byday"),
                    "numbered days (2TU) need MONTHLY; the numbers are dropped",
                ));
                for d in &mut out.byday {
                    d.nth = None;
                }
            }
            if !out.bymonthday.is_empty() {
                self.warnings.push(rec.warn(
                    Some("bymonthday"),
                    "days of the month are not allowed with WEEKLY in iCal; they are dropped",
                ));
                out.bymonthday.clear();
            }
        }
        if out.interval.is_some_and(|i| i > 1) && out.dtstart.is_none() {
            self.warnings.push(rec.warn(
                Some("interval"),
                "an interval without dtstart has no anchor",
            ));
        }
        for field in ["count", "byweekno", "byyearday"] {
            if get(s, field).is_some() {
                self.warnings.push(rec.warn(
                    Some(field),
                    "offramp does not use this iCal part; it is ignored",
                ));
            }
        }
        if let Some(w) = get_text(s, "wkst")
            && !w.eq_ignore_ascii_case("MO")
            && out.interval.is_some_and(|i| i > 1)
        {
            self.warnings.push(rec.warn(
                Some("wkst"),
                "offramp counts weeks from Monday; wkst is ignored",
            ));
        }
        let tzid =
            match get(s, "tzid") {
                None => None,
                Some(v) => Some(text_of(v).and_then(|t| t.parse::<Tz>().ok()).ok_or_else(
                    || rec.invalid("tzid", "an IANA time zone such as America/Chicago", Some(v)),
                )?),
            };
        let numeric = match get(s, "timezone") {
            None => None,
            Some(v) => {
                let n = num_of(v)
                    .filter(|n| (-12.0..=14.0).contains(n))
                    .ok_or_else(|| {
                        rec.invalid(
                            "timezone",
                            "a UTC offset in hours between -12 and 14",
                            Some(v),
                        )
                    })?;
                Some((v.clone(), n))
            }
        };
        Ok(Some(ReadSchedule {
            schedule: out,
            rec: rec.clone(),
            tzid,
            numeric,
            suffix,
        }))
    }
}

/// A schedule with what decides its zone.
pub(super) struct ReadSchedule {
    pub(super) schedule: Schedule,
    pub(super) rec: Rec,
    pub(super) tzid: Option<Tz>,
    pub(super) numeric: Option<(Value, f64)>,
    pub(super) suffix: Option<i32>,
}
