//! One line of PostHog's capture format, checked and normalised:
//! `{"event": "...", "distinct_id": "...", "properties": {...}, "timestamp": "...", "uuid": "..."}`.
//!
//! Accepted like PostHog's capture endpoint: `distinct_id` may be a string or a number and may sit
//! in `properties`; `$set` / `$set_once` may be top-level or in `properties`; `timestamp` is
//! ISO 8601 (with or without a zone, no zone meaning UTC) or epoch milliseconds. Without a
//! timestamp the event gets the time of import, as PostHog gives it the time of capture.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

/// A checked event, ready for person processing.
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedEvent {
    pub uuid: Option<uuid::Uuid>,
    pub event: String,
    pub distinct_id: String,
    pub properties: Map<String, Value>,
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
pub fn parse_line(text: &str, now_micros: i64) -> Result<CapturedEvent, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut object) = value else {
        return Err("expected a JSON object".into());
    };

    let event = match object.remove("event") {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        Some(Value::String(_)) => return Err("`event` is empty".into()),
        Some(_) => return Err("`event` must be a string".into()),
        None => return Err("missing `event`".into()),
    };
    if event.chars().count() > MAX_EVENT_NAME {
        return Err(format!(
            "`event` is longer than {MAX_EVENT_NAME} characters"
        ));
    }

    let mut properties = match object.remove("properties") {
        Some(Value::Object(map)) => map,
        Some(Value::Null) | None => Map::new(),
        Some(_) => return Err("`properties` must be an object".into()),
    };

    let distinct_id = match object
        .remove("distinct_id")
        .or_else(|| properties.remove("distinct_id"))
    {
        Some(value) => distinct_id_text(&value)?,
        None => return Err("missing `distinct_id`".into()),
    };

    let timestamp = match object.remove("timestamp") {
        Some(Value::Null) | None => now_micros,
        Some(Value::String(s)) => parse_timestamp(&s)
            .ok_or_else(|| format!("`timestamp` {s:?} is not an ISO 8601 date-time"))?,
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|ms| ms.checked_mul(1000))
            .ok_or_else(|| format!("`timestamp` {n} is not a whole number of milliseconds"))?,
        Some(_) => return Err("`timestamp` must be a string".into()),
    };

    let uuid = match object.remove("uuid") {
        Some(Value::String(s)) => {
            Some(uuid::Uuid::parse_str(&s).map_err(|_| format!("`uuid` {s:?} is not a UUID"))?)
        }
        Some(Value::Null) | None => None,
        Some(_) => return Err("`uuid` must be a string".into()),
    };

    let mut set = Map::new();
    let mut set_once = Map::new();
    for (source, name) in [(&mut object, "$set"), (&mut properties, "$set")] {
        merge_object(source.get(name), &mut set, name)?;
    }
    for (source, name) in [(&mut object, "$set_once"), (&mut properties, "$set_once")] {
        merge_object(source.get(name), &mut set_once, name)?;
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
fn distinct_id_text(value: &Value) -> Result<String, String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
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

fn merge_object(
    value: Option<&Value>,
    into: &mut Map<String, Value>,
    name: &str,
) -> Result<(), String> {
    match value {
        Some(Value::Object(map)) => {
            for (k, v) in map {
                into.insert(k.clone(), v.clone());
            }
            Ok(())
        }
        Some(Value::Null) | None => Ok(()),
        Some(_) => Err(format!("`{name}` must be an object")),
    }
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
        assert_eq!(
            serde_json::Value::Object(e.set).to_string(),
            r#"{"b":2,"a":1}"#
        );
        assert_eq!(
            serde_json::Value::Object(e.set_once).to_string(),
            r#"{"c":3}"#
        );
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
