//! Calendar arithmetic on instants in IANA time zones.
//!
//! Hog datetimes are `(epoch seconds as f64, zone label)`. Calendar questions (which day, start of
//! month, plus one month) are answered in the label's zone with millisecond precision, the way
//! PostHog's Node VM (luxon over JS `Date`) does: fractional milliseconds are truncated.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike,
};
use chrono_tz::Tz;

/// Largest absolute epoch-millisecond value a JS `Date` (and so a Hog datetime) can hold.
pub const MAX_ABS_MILLIS: i64 = 8_640_000_000_000_000;

/// Milliseconds in a day.
pub const DAY_MILLIS: i64 = 86_400_000;

/// Resolves an IANA zone name (`UTC`, `Europe/Brussels`); `None` if unknown. Like the `Intl`
/// API behind PostHog's Node VM, names match case-insensitively (`europe/brussels`).
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .copied()
            .find(|tz| tz.name().eq_ignore_ascii_case(name))
    })
}

/// Epoch milliseconds of `seconds`, truncated like JS `Date`; `None` outside `Date`'s range or NaN.
pub fn seconds_to_millis(seconds: f64) -> Option<i64> {
    let ms = (seconds * 1000.0).trunc();
    (ms.is_finite() && ms.abs() <= MAX_ABS_MILLIS as f64).then_some(ms as i64)
}

/// Wall-clock fields of an instant in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub naive: NaiveDateTime,
    /// UTC offset in seconds (local = utc + offset).
    pub offset_seconds: i32,
}

impl Local {
    /// The wall-clock time of `millis` in `zone`.
    pub fn at(millis: i64, zone: Tz) -> Option<Local> {
        let utc = DateTime::from_timestamp_millis(millis)?;
        let zoned = utc.with_timezone(&zone);
        Some(Local {
            naive: zoned.naive_local(),
            offset_seconds: zoned.offset().fix().local_minus_utc(),
        })
    }
    pub fn date(&self) -> NaiveDate {
        self.naive.date()
    }
    pub fn year(&self) -> i32 {
        self.naive.year()
    }
    pub fn month(&self) -> u32 {
        self.naive.month()
    }
    pub fn day(&self) -> u32 {
        self.naive.day()
    }
    pub fn hour(&self) -> u32 {
        self.naive.hour()
    }
    pub fn minute(&self) -> u32 {
        self.naive.minute()
    }
    pub fn second(&self) -> u32 {
        self.naive.second()
    }
    pub fn millisecond(&self) -> u32 {
        self.naive.and_utc().timestamp_subsec_millis()
    }
}

/// Epoch milliseconds of a wall-clock time in `zone`.
///
/// Ambiguous times (the repeated hour when clocks go back) take the earlier instant; times in a
/// gap (clocks go forward) are read with the offset in force before the gap, which moves them
/// forward by the gap's length — luxon's behaviour.
pub fn local_to_millis(naive: NaiveDateTime, zone: Tz) -> i64 {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.timestamp_millis(),
        LocalResult::Ambiguous(a, b) => a.timestamp_millis().min(b.timestamp_millis()),
        LocalResult::None => {
            let before = naive - Duration::days(1);
            let offset = zone
                .offset_from_utc_datetime(&before)
                .fix()
                .local_minus_utc();
            naive.and_utc().timestamp_millis() - i64::from(offset) * 1000
        }
    }
}

/// Units `dateTrunc` and the `toStartOf*` family understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TruncUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
}

/// Start of the `unit` containing `millis`, computed on the wall clock of `zone`.
/// Weeks start on Monday.
pub fn truncate(millis: i64, zone: Tz, unit: TruncUnit) -> Option<i64> {
    let local = Local::at(millis, zone)?;
    let date = local.date();
    let naive = match unit {
        TruncUnit::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1)?.and_time(NaiveTime::MIN),
        TruncUnit::Month => {
            NaiveDate::from_ymd_opt(date.year(), date.month(), 1)?.and_time(NaiveTime::MIN)
        }
        TruncUnit::Week => {
            let back = i64::from(date.weekday().num_days_from_monday());
            (date - Duration::days(back)).and_time(NaiveTime::MIN)
        }
        TruncUnit::Day => date.and_time(NaiveTime::MIN),
        TruncUnit::Hour => date.and_hms_opt(local.hour(), 0, 0)?,
        TruncUnit::Minute => date.and_hms_opt(local.hour(), local.minute(), 0)?,
    };
    Some(local_to_millis(naive, zone))
}

/// Adds whole calendar days on the wall clock of `zone` (the time of day is kept across DST).
pub fn add_days(millis: i64, zone: Tz, days: i64) -> Option<i64> {
    let local = Local::at(millis, zone)?;
    let naive = local.naive.checked_add_signed(Duration::try_days(days)?)?;
    Some(local_to_millis(naive, zone)).filter(|ms| ms.abs() <= MAX_ABS_MILLIS)
}

/// Adds calendar months on the wall clock of `zone`; the day is clamped to the target month's
/// length (Jan 31 + 1 month = Feb 28/29).
pub fn add_months(millis: i64, zone: Tz, months: i64) -> Option<i64> {
    let local = Local::at(millis, zone)?;
    let naive = add_months_naive(local.naive, months)?;
    Some(local_to_millis(naive, zone)).filter(|ms| ms.abs() <= MAX_ABS_MILLIS)
}

/// Calendar month addition with day clamping on a naive date-time.
pub fn add_months_naive(naive: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let total = i64::from(naive.year()) * 12 + i64::from(naive.month0()) + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month0 = total.rem_euclid(12) as u32;
    let first = NaiveDate::from_ymd_opt(year, month0 + 1, 1)?;
    let next = add_months_first(first)?;
    let last_day = (next - Duration::days(1)).day();
    let date = NaiveDate::from_ymd_opt(year, month0 + 1, naive.day().min(last_day))?;
    Some(date.and_time(naive.time()))
}

fn add_months_first(first: NaiveDate) -> Option<NaiveDate> {
    if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
}

/// Days since 1970-01-01 of a calendar date.
pub fn days_since_epoch(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - 719_163
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> Tz {
        parse_zone(name).unwrap()
    }

    #[test]
    fn truncates_in_the_zone() {
        // 2024-12-18T11:11:11Z, a Wednesday.
        let ms = 1_734_520_271_000;
        assert_eq!(
            truncate(ms, Tz::UTC, TruncUnit::Day),
            Some(1_734_480_000_000)
        );
        assert_eq!(
            truncate(ms, Tz::UTC, TruncUnit::Week),
            Some(1_734_307_200_000)
        );
        assert_eq!(
            truncate(ms, Tz::UTC, TruncUnit::Month),
            Some(1_733_011_200_000)
        );
        assert_eq!(
            truncate(ms, Tz::UTC, TruncUnit::Year),
            Some(1_704_067_200_000)
        );
        assert_eq!(
            truncate(ms, Tz::UTC, TruncUnit::Hour),
            Some(1_734_519_600_000)
        );
        assert_eq!(
            truncate(ms, Tz::UTC, TruncUnit::Minute),
            Some(1_734_520_260_000)
        );
        // Midnight in New York is 05:00 UTC in December.
        assert_eq!(
            truncate(ms, zone("America/New_York"), TruncUnit::Day),
            Some(1_734_498_000_000)
        );
    }

    #[test]
    fn month_addition_clamps() {
        let jan31 = NaiveDate::from_ymd_opt(2024, 1, 31)
            .unwrap()
            .and_time(NaiveTime::MIN);
        let feb = add_months_naive(jan31, 1).unwrap();
        assert_eq!(feb.date(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        let back = add_months_naive(jan31, -13).unwrap();
        assert_eq!(back.date(), NaiveDate::from_ymd_opt(2022, 12, 31).unwrap());
        let year = add_months_naive(feb, 12).unwrap();
        assert_eq!(year.date(), NaiveDate::from_ymd_opt(2025, 2, 28).unwrap());
    }

    #[test]
    fn day_addition_keeps_wall_clock_across_dst() {
        let ny = zone("America/New_York");
        // 2024-03-09T12:00 EST = 17:00Z; one day later is 12:00 EDT = 16:00Z (23 hours).
        let start = 1_710_003_600_000;
        assert_eq!(add_days(start, ny, 1), Some(start + 23 * 3_600_000));
        assert_eq!(add_days(start, Tz::UTC, 1), Some(start + DAY_MILLIS));
    }

    #[test]
    fn zone_names() {
        assert_eq!(parse_zone("Europe/Brussels"), Some(Tz::Europe__Brussels));
        assert_eq!(parse_zone("europe/BRUSSELS"), Some(Tz::Europe__Brussels));
        assert_eq!(parse_zone("UTC"), Some(Tz::UTC));
        assert_eq!(parse_zone("Mars/Olympus"), None);
        assert_eq!(parse_zone(""), None);
    }

    #[test]
    fn range_is_checked() {
        assert_eq!(seconds_to_millis(f64::NAN), None);
        assert_eq!(seconds_to_millis(1e300), None);
        assert_eq!(seconds_to_millis(1234334543.123), Some(1_234_334_543_123));
        assert_eq!(
            days_since_epoch(NaiveDate::from_ymd_opt(2024, 5, 3).unwrap()),
            19846
        );
    }
}
