//! Dates, datetimes, time zones and intervals (hog-stl.md §2.10).
//!
//! A datetime is an instant (`dt`, epoch seconds as `f64`) plus an IANA zone label; the label
//! decides calendar fields (`toYear`, `formatDateTime`, `toStartOfDay`…) and nothing else. A
//! date is a calendar day, taken as midnight UTC wherever an instant is needed. Semantics follow
//! PostHog's Node VM (luxon): day/week/month/year arithmetic keeps the wall-clock time in the
//! value's zone, hour/minute/second arithmetic is on the absolute timeline.
//!
//! Deliberate choices where Node throws or returns an "Invalid DateTime" object:
//! * `null` arguments give `null` (like the string functions);
//! * strings that are not in the date-like grammar ([`parse`]) give `null`, as PostHog's Rust VM;
//! * unknown zone names are an error naming the zone.
//!
//! Submodules: [`parse`] (the date-like string grammar), [`calendar`] (zones and calendar
//! arithmetic), [`format`] (`formatDateTime` tokens and ISO text).

pub mod calendar;
pub mod format;
pub mod parse;

use super::strings::{arg, type_error};
use super::{NativeCtx, NativeDef};
use crate::VmError;
use crate::memory;
use crate::value::{DateTimeValue, DateValue, DictKey, HogStr, Value, dict_map_with_capacity};
use calendar::{DAY_MILLIS, Local, TruncUnit, parse_zone, seconds_to_millis};
use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use std::rc::Rc;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "now",
        min_args: 0,
        max_args: 1,
        call: now,
    },
    NativeDef {
        name: "today",
        min_args: 0,
        max_args: 0,
        call: today,
    },
    NativeDef {
        name: "toDateTime",
        min_args: 1,
        max_args: 2,
        call: to_date_time,
    },
    NativeDef {
        name: "toDate",
        min_args: 1,
        max_args: 1,
        call: to_date,
    },
    NativeDef {
        name: "fromUnixTimestamp",
        min_args: 1,
        max_args: 1,
        call: from_unix_timestamp,
    },
    NativeDef {
        name: "fromUnixTimestampMilli",
        min_args: 1,
        max_args: 1,
        call: from_unix_timestamp_milli,
    },
    NativeDef {
        name: "toUnixTimestamp",
        min_args: 1,
        max_args: 2,
        call: to_unix_timestamp,
    },
    NativeDef {
        name: "toUnixTimestampMilli",
        min_args: 1,
        max_args: 2,
        call: to_unix_timestamp_milli,
    },
    NativeDef {
        name: "toTimeZone",
        min_args: 2,
        max_args: 2,
        call: to_time_zone,
    },
    NativeDef {
        name: "formatDateTime",
        min_args: 2,
        max_args: 3,
        call: format_date_time,
    },
    NativeDef {
        name: "toYear",
        min_args: 1,
        max_args: 1,
        call: to_year,
    },
    NativeDef {
        name: "toMonth",
        min_args: 1,
        max_args: 1,
        call: to_month,
    },
    NativeDef {
        name: "extract",
        min_args: 2,
        max_args: 2,
        call: extract,
    },
    NativeDef {
        name: "toYYYYMM",
        min_args: 1,
        max_args: 1,
        call: to_yyyymm,
    },
    NativeDef {
        name: "toStartOfDay",
        min_args: 1,
        max_args: 2,
        call: to_start_of_day,
    },
    NativeDef {
        name: "toStartOfHour",
        min_args: 1,
        max_args: 1,
        call: to_start_of_hour,
    },
    NativeDef {
        name: "toStartOfMonth",
        min_args: 1,
        max_args: 1,
        call: to_start_of_month,
    },
    NativeDef {
        name: "toStartOfWeek",
        min_args: 1,
        max_args: 2,
        call: to_start_of_week,
    },
    NativeDef {
        name: "dateTrunc",
        min_args: 2,
        max_args: 3,
        call: date_trunc,
    },
    NativeDef {
        name: "dateAdd",
        min_args: 3,
        max_args: 3,
        call: date_add,
    },
    NativeDef {
        name: "dateDiff",
        min_args: 3,
        max_args: 3,
        call: date_diff,
    },
    NativeDef {
        name: "addDays",
        min_args: 2,
        max_args: 2,
        call: add_days,
    },
    NativeDef {
        name: "toIntervalDay",
        min_args: 1,
        max_args: 1,
        call: to_interval_day,
    },
    NativeDef {
        name: "toIntervalHour",
        min_args: 1,
        max_args: 1,
        call: to_interval_hour,
    },
    NativeDef {
        name: "toIntervalMinute",
        min_args: 1,
        max_args: 1,
        call: to_interval_minute,
    },
    NativeDef {
        name: "toIntervalMonth",
        min_args: 1,
        max_args: 1,
        call: to_interval_month,
    },
];

// ------------------------------------------------------------------------------------------------
// Helpers for the interpreter and the type functions: implicit date comparisons
// (`hog-bytecode.md` §4.3), `toString`, `toInt`/`toFloat` of dates.

/// Epoch seconds of a date-like string read in UTC (grammar in [`parse`]); `None` if it is not
/// one. This is the implicit conversion used when a string is compared with a date.
pub fn date_like_string_seconds(s: &str) -> Option<f64> {
    parse::parse_date_like_seconds(s, Tz::UTC)
}

/// Epoch seconds of a datetime (`dt`) or a date (its midnight UTC); `None` for other values.
pub fn epoch_seconds(v: &Value) -> Option<f64> {
    match v {
        Value::DateTime(d) => Some(d.dt),
        Value::Date(d) => date_days_since_epoch(d).map(|days| days as f64 * 86_400.0),
        _ => None,
    }
}

/// Days from 1970-01-01 to a date (`toInt(toDate('2024-05-03'))` = 19846); `None` for an
/// impossible date.
pub fn date_days_since_epoch(d: &DateValue) -> Option<i64> {
    naive_date(d).map(calendar::days_since_epoch)
}

/// `toString` of a date: `YYYY-MM-DD`.
pub fn date_to_string(d: &DateValue) -> String {
    format!("{}-{:02}-{:02}", d.year, d.month, d.day)
}

/// `toString` of a datetime: ISO-8601 with milliseconds in its own zone (`…Z` for UTC, else
/// `±HH:MM`; `Z` only for the labels `UTC`/`GMT`, as luxon). Printing must not fail: a zone
/// label that is not a known zone is shown in UTC, and an instant outside the calendar's range
/// prints as luxon does, `Invalid DateTime`.
pub fn datetime_to_string(d: &DateTimeValue) -> String {
    let Some(millis) = seconds_to_millis(d.dt) else {
        return "Invalid DateTime".to_owned();
    };
    let zone = parse_zone(&d.zone).unwrap_or(Tz::UTC);
    match Local::at(millis, zone) {
        Some(local) => format::iso_8601(&local, is_utc_alias(&d.zone)),
        None => "Invalid DateTime".to_owned(),
    }
}

/// Zones luxon treats as *the* UTC zone, whose ISO form ends in `Z` (`Etc/UTC` gets `+00:00`).
fn is_utc_alias(zone: &str) -> bool {
    zone.eq_ignore_ascii_case("utc") || zone.eq_ignore_ascii_case("gmt")
}

// ------------------------------------------------------------------------------------------------
// Argument conversion

fn naive_date(d: &DateValue) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year, u32::from(d.month), u32::from(d.day))
}

fn date_value(date: NaiveDate) -> Result<Value, VmError> {
    let month = u8::try_from(date.month()).map_err(|_| out_of_range("date"))?;
    let day = u8::try_from(date.day()).map_err(|_| out_of_range("date"))?;
    Ok(Value::Date(DateValue {
        year: date.year(),
        month,
        day,
    }))
}

fn out_of_range(function: &str) -> VmError {
    VmError::runtime(format!("{function}(): date out of range"))
}

/// A zone argument: `Ok(None)` for null/absent, the zone and its label for a known name.
fn zone_arg(function: &str, v: &Value) -> Result<Option<(Tz, HogStr)>, VmError> {
    match v {
        Value::Null => Ok(None),
        Value::Str(name) => match parse_zone(name) {
            Some(tz) => Ok(Some((tz, name.clone()))),
            None => Err(unknown_zone(function, name)),
        },
        other => Err(type_error(function, "a time zone name", other)),
    }
}

fn unknown_zone(function: &str, name: &str) -> VmError {
    VmError::runtime(format!("{function}(): unknown time zone '{name}'"))
}

/// The zone of a datetime value, or an error if its label is not a known zone.
fn zone_of(function: &str, d: &DateTimeValue) -> Result<Tz, VmError> {
    parse_zone(&d.zone).ok_or_else(|| unknown_zone(function, &d.zone))
}

/// The default zone of this run (the host's, `UTC` unless set).
fn default_zone(ctx: &NativeCtx<'_>) -> Result<(Tz, HogStr), VmError> {
    let name = ctx.time_zone();
    match parse_zone(name) {
        Some(tz) => Ok((tz, HogStr::from(name))),
        None => Err(unknown_zone("now", name)),
    }
}

fn utc_label() -> HogStr {
    HogStr::from("UTC")
}

/// Charges and builds a datetime.
fn datetime(ctx: &mut NativeCtx<'_>, dt: f64, zone: HogStr) -> Result<Value, VmError> {
    ctx.charge(memory::DATETIME + memory::string_cost(zone.len()))?;
    Ok(Value::DateTime(Rc::new(DateTimeValue { dt, zone })))
}

/// Epoch milliseconds of a datetime, or an error if a calendar can not be computed for it.
fn millis_of(function: &str, dt: f64) -> Result<i64, VmError> {
    seconds_to_millis(dt).ok_or_else(|| out_of_range(function))
}

/// Wall-clock fields of a datetime in its zone.
fn local_of(function: &str, d: &DateTimeValue) -> Result<Local, VmError> {
    let zone = zone_of(function, d)?;
    Local::at(millis_of(function, d.dt)?, zone).ok_or_else(|| out_of_range(function))
}

/// What the calendar functions accept: a datetime, a date (midnight UTC), or a date-like string
/// (read in UTC). `Ok(None)` for null and for strings that are not dates.
enum Moment {
    DateTime(Rc<DateTimeValue>),
    Date(DateValue),
}

fn moment(function: &str, v: &Value) -> Result<Option<Moment>, VmError> {
    match v {
        Value::Null => Ok(None),
        Value::DateTime(d) => Ok(Some(Moment::DateTime(d.clone()))),
        Value::Date(d) => Ok(Some(Moment::Date(*d))),
        Value::Str(s) => Ok(parse::parse_date_like_millis(s, Tz::UTC).map(|ms| {
            Moment::DateTime(Rc::new(DateTimeValue {
                dt: ms as f64 / 1000.0,
                zone: utc_label(),
            }))
        })),
        other => Err(type_error(
            function,
            "a date, a datetime or a date string",
            other,
        )),
    }
}

impl Moment {
    /// Wall-clock fields: a datetime's in its zone, a date's at midnight.
    fn local(&self, function: &str) -> Result<Local, VmError> {
        match self {
            Moment::DateTime(d) => local_of(function, d),
            Moment::Date(d) => {
                let date = naive_date(d).ok_or_else(|| out_of_range(function))?;
                Ok(Local {
                    naive: date.and_time(NaiveTime::MIN),
                    offset_seconds: 0,
                })
            }
        }
    }

    /// As a datetime: a date becomes midnight UTC.
    fn into_datetime(self, function: &str) -> Result<Rc<DateTimeValue>, VmError> {
        match self {
            Moment::DateTime(d) => Ok(d),
            Moment::Date(d) => {
                let days = date_days_since_epoch(&d).ok_or_else(|| out_of_range(function))?;
                Ok(Rc::new(DateTimeValue {
                    dt: days as f64 * 86_400.0,
                    zone: utc_label(),
                }))
            }
        }
    }
}

fn number_arg(function: &str, v: &Value) -> Result<Option<f64>, VmError> {
    match v {
        Value::Null => Ok(None),
        other => other
            .as_f64()
            .map(Some)
            .ok_or_else(|| type_error(function, "a number", other)),
    }
}

fn unit_arg<'v>(function: &str, v: &'v Value) -> Result<&'v str, VmError> {
    v.as_str()
        .ok_or_else(|| type_error(function, "a unit name", v))
}

// ------------------------------------------------------------------------------------------------
// Construction and conversion

fn now(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let label = match zone_arg("now", arg(args, 0))? {
        Some((_, label)) => label,
        None => default_zone(ctx)?.1,
    };
    let t = ctx.now();
    datetime(ctx, t, label)
}

/// The current calendar date in the run's zone (`UTC` unless the host set another).
fn today(ctx: &mut NativeCtx<'_>, _args: &[Value]) -> Result<Value, VmError> {
    let (zone, _) = default_zone(ctx)?;
    let local =
        Local::at(millis_of("today", ctx.now())?, zone).ok_or_else(|| out_of_range("today"))?;
    date_value(local.date())
}

/// `toDateTime(x[, zone])`: a number is epoch seconds; a date-like string is parsed (a string
/// without its own offset is read in `zone`); the zone argument is the result's label.
fn to_date_time(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let zone = zone_arg("toDateTime", arg(args, 1))?;
    let (tz, label) = zone.unwrap_or((Tz::UTC, utc_label()));
    let dt = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::Int(_) | Value::Float(_) => args[0].as_f64().unwrap_or(f64::NAN),
        Value::Str(s) => match parse::parse_date_like_seconds(s, tz) {
            Some(dt) => dt,
            None => return Ok(Value::Null),
        },
        Value::DateTime(d) => d.dt,
        Value::Date(d) => {
            epoch_seconds(&Value::Date(*d)).ok_or_else(|| out_of_range("toDateTime"))?
        }
        other => return Err(type_error("toDateTime", "a number or a date string", other)),
    };
    datetime(ctx, dt, label)
}

/// `toDate(x)`: a date-like string or an epoch-seconds number, as a calendar date in UTC; a
/// datetime gives its date in its own zone.
fn to_date(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let millis = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::Date(d) => return Ok(Value::Date(*d)),
        Value::DateTime(d) => return date_value(local_of("toDate", d)?.date()),
        Value::Str(s) => match parse::parse_date_like_millis(s, Tz::UTC) {
            Some(ms) => ms,
            None => return Ok(Value::Null),
        },
        v @ (Value::Int(_) | Value::Float(_)) => {
            millis_of("toDate", v.as_f64().unwrap_or(f64::NAN))?
        }
        other => return Err(type_error("toDate", "a date string or a number", other)),
    };
    let local = Local::at(millis, Tz::UTC).ok_or_else(|| out_of_range("toDate"))?;
    date_value(local.date())
}

fn from_unix_timestamp(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match number_arg("fromUnixTimestamp", &args[0])? {
        None => Ok(Value::Null),
        Some(seconds) => datetime(ctx, seconds, utc_label()),
    }
}

fn from_unix_timestamp_milli(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match number_arg("fromUnixTimestampMilli", &args[0])? {
        None => Ok(Value::Null),
        Some(ms) => datetime(ctx, ms / 1000.0, utc_label()),
    }
}

/// Epoch seconds of a datetime, date or date-like string (read in `zone` when it has no offset).
fn unix_seconds(function: &str, args: &[Value]) -> Result<Option<f64>, VmError> {
    let zone = zone_arg(function, arg(args, 1))?.map_or(Tz::UTC, |(tz, _)| tz);
    match &args[0] {
        Value::Null => Ok(None),
        Value::DateTime(d) => Ok(Some(d.dt)),
        Value::Date(d) => epoch_seconds(&Value::Date(*d))
            .map(Some)
            .ok_or_else(|| out_of_range(function)),
        Value::Str(s) => Ok(parse::parse_date_like_seconds(s, zone)),
        other => Err(type_error(
            function,
            "a datetime, a date or a date string",
            other,
        )),
    }
}

fn to_unix_timestamp(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(unix_seconds("toUnixTimestamp", args)?.map_or(Value::Null, Value::Float))
}

fn to_unix_timestamp_milli(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(unix_seconds("toUnixTimestampMilli", args)?
        .map_or(Value::Null, |s| Value::Float(s * 1000.0)))
}

/// `toTimeZone(dt, zone)`: the same instant with a new zone label.
fn to_time_zone(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let d = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::DateTime(d) => d.clone(),
        other => return Err(expected_datetime("toTimeZone", other)),
    };
    match zone_arg("toTimeZone", &args[1])? {
        Some((_, label)) => datetime(ctx, d.dt, label),
        None => Err(type_error("toTimeZone", "a time zone name", &args[1])),
    }
}

fn expected_datetime(function: &str, got: &Value) -> VmError {
    VmError::runtime(format!(
        "{function}(): expected a DateTime, got {}",
        got.type_name()
    ))
}

/// `formatDateTime(dt, format[, zone])` with ClickHouse `%` tokens (see [`format`]).
fn format_date_time(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let d = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::DateTime(d) => d.clone(),
        other => return Err(expected_datetime("formatDateTime", other)),
    };
    let Value::Str(fmt) = &args[1] else {
        return Err(type_error("formatDateTime", "a format string", &args[1]));
    };
    let zone = match zone_arg("formatDateTime", arg(args, 2))? {
        Some((tz, _)) => tz,
        None => zone_of("formatDateTime", &d)?,
    };
    let millis = millis_of("formatDateTime", d.dt)?;
    let local = Local::at(millis, zone).ok_or_else(|| out_of_range("formatDateTime"))?;
    // The text is at most a few times the format's length (the longest token, `%F` of a
    // six-digit year, is 13 bytes for 2), so it is charged once built.
    ctx.string(format::format_clickhouse(&local, fmt))
}

// ------------------------------------------------------------------------------------------------
// Calendar fields

#[derive(Clone, Copy)]
enum Part {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

fn field(function: &str, part: Part, v: &Value) -> Result<Value, VmError> {
    let Some(m) = moment(function, v)? else {
        return Ok(Value::Null);
    };
    let t = m.local(function)?;
    Ok(Value::Int(i64::from(match part {
        Part::Year => t.year(),
        Part::Month => t.month() as i32,
        Part::Day => t.day() as i32,
        Part::Hour => t.hour() as i32,
        Part::Minute => t.minute() as i32,
        Part::Second => t.second() as i32,
    })))
}

fn to_year(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    field("toYear", Part::Year, &args[0])
}

fn to_month(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    field("toMonth", Part::Month, &args[0])
}

/// `extract(part, d)` with part ∈ `year, month, day, hour, minute, second`.
fn extract(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let part = match unit_arg("extract", &args[0])? {
        "year" => Part::Year,
        "month" => Part::Month,
        "day" => Part::Day,
        "hour" => Part::Hour,
        "minute" => Part::Minute,
        "second" => Part::Second,
        other => return Err(VmError::runtime(format!("Unknown extract part: {other}"))),
    };
    field("extract", part, &args[1])
}

fn to_yyyymm(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Some(m) = moment("toYYYYMM", &args[0])? else {
        return Ok(Value::Null);
    };
    let t = m.local("toYYYYMM")?;
    Ok(Value::Int(i64::from(t.year()) * 100 + i64::from(t.month())))
}

// ------------------------------------------------------------------------------------------------
// Truncation

/// Truncates a datetime (dates count as midnight UTC) in its zone, or in `zone` when given
/// (the result then carries that zone).
fn start_of(
    ctx: &mut NativeCtx<'_>,
    function: &str,
    v: &Value,
    zone: &Value,
    unit: TruncUnit,
) -> Result<Value, VmError> {
    let Some(m) = moment(function, v)? else {
        return Ok(Value::Null);
    };
    let d = m.into_datetime(function)?;
    let (tz, label) = match zone_arg(function, zone)? {
        Some(z) => z,
        None => (zone_of(function, &d)?, d.zone.clone()),
    };
    let ms = calendar::truncate(millis_of(function, d.dt)?, tz, unit)
        .ok_or_else(|| out_of_range(function))?;
    datetime(ctx, ms as f64 / 1000.0, label)
}

fn to_start_of_day(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    start_of(ctx, "toStartOfDay", &args[0], arg(args, 1), TruncUnit::Day)
}

fn to_start_of_hour(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    start_of(
        ctx,
        "toStartOfHour",
        &args[0],
        &Value::Null,
        TruncUnit::Hour,
    )
}

fn to_start_of_month(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    start_of(
        ctx,
        "toStartOfMonth",
        &args[0],
        &Value::Null,
        TruncUnit::Month,
    )
}

/// `toStartOfWeek(d[, mode])`: midnight of the Monday of that week; `mode` is ignored, as in
/// PostHog.
fn to_start_of_week(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    start_of(
        ctx,
        "toStartOfWeek",
        &args[0],
        &Value::Null,
        TruncUnit::Week,
    )
}

/// `dateTrunc(unit, dt[, zone])`, unit ∈ `year, month, day, hour, minute`; dt must be a datetime.
fn date_trunc(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let unit = match unit_arg("dateTrunc", &args[0])? {
        "year" => TruncUnit::Year,
        "month" => TruncUnit::Month,
        "day" => TruncUnit::Day,
        "hour" => TruncUnit::Hour,
        "minute" => TruncUnit::Minute,
        other => {
            return Err(VmError::runtime(format!(
                "Unsupported unit for dateTrunc: {other}"
            )));
        }
    };
    match &args[1] {
        Value::Null => Ok(Value::Null),
        v @ Value::DateTime(_) => start_of(ctx, "dateTrunc", v, arg(args, 2), unit),
        other => Err(expected_datetime("dateTrunc", other)),
    }
}

// ------------------------------------------------------------------------------------------------
// Arithmetic

/// Units of `dateAdd` and intervals.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum AddUnit {
    Second,
    Minute,
    Hour,
    Day,
    Month,
}

/// Adds `n` units to epoch `millis` in `zone` the way luxon's `plus` does: the whole part of
/// days and months moves the calendar (wall clock kept), everything else — hours, minutes,
/// seconds and fractional days (24 h) or months (30 days) — moves the timeline.
fn add_to_millis(millis: f64, zone: Tz, n: f64, unit: AddUnit) -> Option<f64> {
    const SECOND: f64 = 1000.0;
    let whole = n.trunc();
    let frac = n - whole;
    let calendar_step = |ms: i64, whole: f64, f: fn(i64, Tz, i64) -> Option<i64>| -> Option<i64> {
        if whole.abs() > 1e9 {
            return None;
        }
        f(ms, zone, whole as i64)
    };
    let base = millis.trunc();
    let sub_ms = millis - base;
    let base = base as i64;
    let out = match unit {
        AddUnit::Second => return checked(millis + n * SECOND),
        AddUnit::Minute => return checked(millis + n * 60.0 * SECOND),
        AddUnit::Hour => return checked(millis + n * 3600.0 * SECOND),
        AddUnit::Day => {
            calendar_step(base, whole, calendar::add_days)? as f64 + frac * DAY_MILLIS as f64
        }
        AddUnit::Month => {
            calendar_step(base, whole, calendar::add_months)? as f64
                + frac * 30.0 * DAY_MILLIS as f64
        }
    };
    checked(out + sub_ms)
}

fn checked(ms: f64) -> Option<f64> {
    (ms.is_finite() && ms.abs() <= calendar::MAX_ABS_MILLIS as f64).then_some(ms)
}

/// `dateAdd(unit, n, d)`: a date stays a date, a datetime stays a datetime in its zone.
fn date_add_impl(
    ctx: &mut NativeCtx<'_>,
    function: &str,
    unit: &str,
    n: &Value,
    target: &Value,
) -> Result<Value, VmError> {
    let (unit, factor) = match unit {
        "second" => (AddUnit::Second, 1.0),
        "minute" => (AddUnit::Minute, 1.0),
        "hour" => (AddUnit::Hour, 1.0),
        "day" => (AddUnit::Day, 1.0),
        "week" => (AddUnit::Day, 7.0),
        "month" => (AddUnit::Month, 1.0),
        "year" => (AddUnit::Month, 12.0),
        other => {
            return Err(VmError::runtime(format!(
                "Unsupported interval unit: {other}"
            )));
        }
    };
    let Some(n) = number_arg(function, n)? else {
        return Ok(Value::Null);
    };
    let n = n * factor;
    let Some(m) = moment(function, target)? else {
        return Ok(Value::Null);
    };
    match m {
        Moment::DateTime(d) => {
            let zone = zone_of(function, &d)?;
            let ms = add_to_millis(d.dt * 1000.0, zone, n, unit)
                .ok_or_else(|| out_of_range(function))?;
            datetime(ctx, ms / 1000.0, d.zone.clone())
        }
        Moment::Date(d) => {
            let days = date_days_since_epoch(&d).ok_or_else(|| out_of_range(function))?;
            let start = days as f64 * DAY_MILLIS as f64;
            let ms =
                add_to_millis(start, Tz::UTC, n, unit).ok_or_else(|| out_of_range(function))?;
            let local =
                Local::at(ms.floor() as i64, Tz::UTC).ok_or_else(|| out_of_range(function))?;
            date_value(local.date())
        }
    }
}

fn date_add(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let unit = unit_arg("dateAdd", &args[0])?;
    date_add_impl(ctx, "dateAdd", unit, &args[1], &args[2])
}

fn add_days(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    date_add_impl(ctx, "addDays", "day", &args[1], &args[0])
}

/// `dateDiff(unit, a, b)`: `b − a` in whole units, rounded down. `day`, `week`, `hour`,
/// `minute`, `second` measure elapsed time; `month` and `year` count calendar boundaries
/// (each value's fields in its own zone; no day-of-month correction).
fn date_diff(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    const F: &str = "dateDiff";
    let unit = unit_arg(F, &args[0])?;
    let seconds_per_unit = match unit {
        "second" => Some(1.0),
        "minute" => Some(60.0),
        "hour" => Some(3600.0),
        "day" => Some(86_400.0),
        "week" => Some(7.0 * 86_400.0),
        "month" | "year" => None,
        other => {
            return Err(VmError::runtime(format!(
                "Unsupported unit for dateDiff: {other}"
            )));
        }
    };
    let (Some(a), Some(b)) = (moment(F, &args[1])?, moment(F, &args[2])?) else {
        return Ok(Value::Null);
    };
    let diff = match seconds_per_unit {
        Some(per) => {
            let (a, b) = (a.into_datetime(F)?, b.into_datetime(F)?);
            ((b.dt - a.dt) / per).floor()
        }
        None => {
            let (a, b) = (a.local(F)?, b.local(F)?);
            let years = f64::from(b.year() - a.year());
            if unit == "year" {
                years
            } else {
                years * 12.0 + f64::from(b.month() as i32 - a.month() as i32)
            }
        }
    };
    Ok(match crate::value::float_to_i64_exact(diff) {
        Some(i) => Value::Int(i),
        None => Value::Float(diff),
    })
}

// ------------------------------------------------------------------------------------------------
// Intervals

/// An interval is the dict `{'__hogInterval__': true, 'value': n, 'unit': unit}`.
fn interval(ctx: &mut NativeCtx<'_>, value: &Value, unit: &str) -> Result<Value, VmError> {
    let mut map = dict_map_with_capacity(3);
    map.insert(DictKey::from("__hogInterval__"), Value::Bool(true));
    map.insert(DictKey::from("value"), value.clone());
    map.insert(DictKey::from("unit"), Value::from(unit));
    ctx.charge(memory::string_cost(unit.len()) * 4)?;
    ctx.dict(map)
}

fn to_interval_day(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    interval(ctx, &args[0], "day")
}

fn to_interval_hour(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    interval(ctx, &args[0], "hour")
}

fn to_interval_minute(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    interval(ctx, &args[0], "minute")
}

fn to_interval_month(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    interval(ctx, &args[0], "month")
}

#[cfg(test)]
mod tests;
