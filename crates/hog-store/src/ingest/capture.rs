//! One line of PostHog's capture format, checked and normalised:
//! `{"event": "...", "distinct_id": "...", "properties": {...}, "timestamp": "...", "uuid": "..."}`.
//!
//! Accepted like PostHog's capture endpoint: `distinct_id` may be a string or a number and may sit
//! in `properties`; `$set` / `$set_once` may be top-level or in `properties`; `timestamp` is
//! ISO 8601 (with or without a zone, no zone meaning UTC) or epoch milliseconds. Without a
//! timestamp the event gets the time of import, as PostHog gives it the time of capture.

use super::raw::{self, Kind, RawObject};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A checked event, ready for person processing. Borrows from its line: the properties stay
/// text until written (see [`raw`]).
#[derive(Debug, Clone)]
pub struct CapturedEvent<'a> {
    pub uuid: Option<uuid::Uuid>,
    pub event: Cow<'a, str>,
    pub distinct_id: Cow<'a, str>,
    pub properties: RawObject<'a>,
    /// Microseconds since the epoch.
    pub timestamp: i64,
    /// `$set` from the top level and from `properties`, in that order.
    pub set: Map<String, Value>,
    pub set_once: Map<String, Value>,
}

/// Why a line was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number in the input.
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// PostHog caps event names at 200 characters.
const MAX_EVENT_NAME: usize = 200;

/// Parses one line; `now_micros` is used when the event has no timestamp.
pub fn parse_line(text: &str, now_micros: i64) -> Result<CapturedEvent<'_>, String> {
    let object = RawObject::parse(text).map_err(|e| {
        let is_object = text.trim_start().starts_with('{');
        if !is_object && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
            "expected a JSON object".to_string()
        } else {
            format!("invalid JSON: {e}")
        }
    })?;
    let member = |key: &str| match object.get(key) {
        Some(raw::Entry::Raw(raw)) => Some(*raw),
        _ => None,
    };

    let event = match member("event") {
        Some(value) => match raw::as_str(value) {
            Some(s) if !s.trim().is_empty() => s,
            Some(_) => return Err("`event` is empty".into()),
            None => return Err("`event` must be a string".into()),
        },
        None => return Err("missing `event`".into()),
    };
    if event.len() > MAX_EVENT_NAME && event.chars().count() > MAX_EVENT_NAME {
        return Err(format!(
            "`event` is longer than {MAX_EVENT_NAME} characters"
        ));
    }

    let mut properties = match member("properties") {
        Some(value) => match raw::kind(value) {
            Kind::Object => RawObject::parse(value.get())
                .map_err(|e| format!("invalid JSON in `properties`: {e}"))?,
            Kind::Null => RawObject::default(),
            _ => return Err("`properties` must be an object".into()),
        },
        None => RawObject::default(),
    };

    let distinct_id = match member("distinct_id") {
        Some(value) => distinct_id_text(value)?,
        None => match properties.remove("distinct_id") {
            Some(raw::Entry::Raw(value)) => Cow::Owned(distinct_id_text(value)?.into_owned()),
            Some(raw::Entry::Set(_)) | None => return Err("missing `distinct_id`".into()),
        },
    };

    let timestamp = match member("timestamp") {
        None => now_micros,
        Some(value) => match raw::kind(value) {
            Kind::Null => now_micros,
            Kind::String => {
                let s = raw::as_str(value).unwrap_or_default();
                parse_timestamp(&s)
                    .ok_or_else(|| format!("`timestamp` {s:?} is not an ISO 8601 date-time"))?
            }
            Kind::Number => {
                let n: serde_json::Number =
                    serde_json::from_str(value.get()).map_err(|e| format!("`timestamp`: {e}"))?;
                n.as_i64()
                    .and_then(|ms| ms.checked_mul(1000))
                    .ok_or_else(|| {
                        format!("`timestamp` {n} is not a whole number of milliseconds")
                    })?
            }
            _ => return Err("`timestamp` must be a string".into()),
        },
    };

    let uuid = match member("uuid") {
        None => None,
        Some(value) => match raw::kind(value) {
            Kind::Null => None,
            Kind::String => {
                let s = raw::as_str(value).unwrap_or_default();
                Some(uuid::Uuid::parse_str(&s).map_err(|_| format!("`uuid` {s:?} is not a UUID"))?)
            }
            _ => return Err("`uuid` must be a string".into()),
        },
    };

    let mut set = Map::new();
    let mut set_once = Map::new();
    for name in ["$set", "$set_once"] {
        let into = if name == "$set" {
            &mut set
        } else {
            &mut set_once
        };
        for source in [&object, &properties] {
            match source.object(name) {
                Ok(Some(map)) => into.extend(map),
                Ok(None) => {}
                Err(raw::NotAnObject) => return Err(format!("`{name}` must be an object")),
            }
        }
    }

    Ok(CapturedEvent {
        uuid,
        event,
        distinct_id,
        properties,
        timestamp,
        set,
        set_once,
    })
}

/// PostHog stringifies numeric distinct ids; anything else must be a non-empty string.
fn distinct_id_text(value: &RawValue) -> Result<Cow<'_, str>, String> {
    let text = match raw::kind(value) {
        Kind::String => match raw::as_str(value).unwrap_or_default() {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        },
        Kind::Number => Cow::Owned(raw::to_value(value).to_string()),
        _ => return Err("`distinct_id` must be a string or a number".into()),
    };
    if text.is_empty() {
        return Err("`distinct_id` is empty".into());
    }
    if text.len() > 200 {
        return Err("`distinct_id` is longer than 200 characters".into());
    }
    Ok(text)
}

/// ISO 8601 / RFC 3339 with a zone, or without one (taken as UTC); `T` or a space between date
/// and time; optional fractional seconds. Returns microseconds since the epoch.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_micros());
    }
    let spaced = s.replacen(' ', "T", 1);
    if let Ok(dt) = DateTime::parse_from_rfc3339(&spaced) {
        return Some(dt.timestamp_micros());
    }
    for pattern in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&spaced, pattern) {
            return Some(naive.and_utc().timestamp_micros());
        }
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_micros());
    }
    None
}

/// The current time in microseconds since the epoch.
pub fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_event() {
        let e = parse_line(
            r#"{"event":"$pageview","distinct_id":42,"uuid":"0190b6a4-0000-7000-8000-000000000001","timestamp":"2024-01-02T03:04:05.5+01:00","properties":{"$browser":"Chrome","$set":{"a":1}},"$set":{"b":2},"$set_once":{"c":3}}"#,
            0,
        )
        .unwrap();
        assert_eq!(e.distinct_id, "42");
        assert_eq!(e.event, "$pageview");
        assert_eq!(e.timestamp, 1_704_161_045_500_000);
        assert_eq!(Value::Object(e.set).to_string(), r#"{"b":2,"a":1}"#);
        assert_eq!(Value::Object(e.set_once).to_string(), r#"{"c":3}"#);
        assert!(e.uuid.is_some());
    }

    #[test]
    fn timestamp_forms() {
        assert_eq!(
            parse_timestamp("2024-01-02T03:04:05Z"),
            Some(1_704_164_645_000_000)
        );
        assert_eq!(
            parse_timestamp("2024-01-02 03:04:05"),
            Some(1_704_164_645_000_000)
        );
        assert_eq!(
            parse_timestamp("2024-01-02T03:04:05.123456"),
            Some(1_704_164_645_123_456)
        );
        assert_eq!(parse_timestamp("2024-01-02"), Some(1_704_153_600_000_000));
        assert_eq!(parse_timestamp("yesterday"), None);
        let e = parse_line(
            r#"{"event":"x","distinct_id":"d","timestamp":1704164645000}"#,
            0,
        )
        .unwrap();
        assert_eq!(e.timestamp, 1_704_164_645_000_000);
    }

    #[test]
    fn rejections_say_why() {
        let cases = [
            ("not json", "invalid JSON"),
            ("[1]", "expected a JSON object"),
            (r#"{"distinct_id":"d"}"#, "missing `event`"),
            (r#"{"event":"e"}"#, "missing `distinct_id`"),
            (
                r#"{"event":"e","distinct_id":""}"#,
                "`distinct_id` is empty",
            ),
            (
                r#"{"event":"e","distinct_id":"d","properties":[]}"#,
                "`properties` must be an object",
            ),
            (
                r#"{"event":"e","distinct_id":"d","timestamp":"soon"}"#,
                "is not an ISO 8601",
            ),
            (
                r#"{"event":"e","distinct_id":"d","uuid":"x"}"#,
                "is not a UUID",
            ),
            (
                r#"{"event":"e","distinct_id":"d","$set":1}"#,
                "`$set` must be an object",
            ),
        ];
        for (line, expected) in cases {
            let err = parse_line(line, 0).unwrap_err();
            assert!(err.contains(expected), "{line}: {err}");
        }
    }

    #[test]
    fn missing_timestamp_uses_now() {
        let e = parse_line(r#"{"event":"e","properties":{"distinct_id":"d"}}"#, 77).unwrap();
        assert_eq!(e.timestamp, 77);
        assert_eq!(e.distinct_id, "d");
    }
}
