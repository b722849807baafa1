//! Time helpers. The domain never reads the clock: callers pass `now` in (DESIGN invariant 3).
//! noveto counts in Asia/Shanghai, which has kept UTC+8 without daylight saving since 1991.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// A moment as seen in Asia/Shanghai.
pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&shanghai())
}

/// The calendar day of a moment in Asia/Shanghai.
pub fn local_date(t: DateTime<FixedOffset>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

/// The last second of a day in Asia/Shanghai (当日 = by the end of that day).
pub fn end_of_day(d: NaiveDate) -> DateTime<FixedOffset> {
    shanghai().from_local_datetime(&d.and_hms_opt(23, 59, 59).expect("valid time")).single().expect("fixed offset")
}

/// Formats a moment as RFC 3339 with the +08:00 offset.
pub fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&shanghai()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Parses an RFC 3339 moment (test and fixture helper; panics on bad input).
pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("RFC 3339")
}
