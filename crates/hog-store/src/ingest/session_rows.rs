//! The importer's side of `raw_sessions` ([`crate::sessions`]): each batch's events are folded
//! into one row per session with plain values (first and last time, the distinct id and end URL
//! at the last, the entry URL and initial referrer/UTM values at the first, the distinct URLs,
//! pageview and autocapture counts), which the engine turns into aggregate states.
//!
//! Only what the importer knows exactly is folded here ([`classify`]); everything else is left
//! to the engine's own per-event `SELECT`, so the table holds what PostHog's view would give.

use super::raw::{Entry, RawObject};
use crate::error::{Result, StoreError};
use arrow_array::builder::{
    FixedSizeBinaryBuilder, Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::collections::HashMap;
use std::sync::Arc;

/// The properties a session row keeps, in the order of [`Known::values`].
pub const SESSION_PROPERTIES: [&str; 5] = [
    "$current_url",
    "$referring_domain",
    "utm_source",
    "utm_campaign",
    "utm_medium",
];

/// An event's session values, borrowed from its properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known<'a> {
    /// The UUIDv7 as the engine's `toUInt128(toUUID(...))` gives it (big-endian).
    pub session: u128,
    /// [`SESSION_PROPERTIES`]' values as `JSONExtractString` gives them.
    pub values: [&'a str; 5],
}

/// What the importer knows about an event's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOf<'a> {
    /// The event belongs to no session: no `$session_id`, or one that is a UUID of another
    /// version (the engine's `toUUIDOrZero` reads the canonical form exactly as we do).
    None,
    Known(Known<'a>),
    /// Only the engine can tell (see [`classify`]).
    Engine,
}

/// Classifies an event from its `$session_id` column value (`None` when the importer does not
/// know that value exactly) and its properties. Known: a `$session_id` in the canonical
/// 8-4-4-4-12 hexadecimal form (or empty), and each of [`SESSION_PROPERTIES`] absent, `null` or
/// a string without escapes. Anything else, e.g. a `$session_id` in another form the engine may
/// or may not accept, or a number or escaped text as a URL, is left to the engine.
pub fn classify<'p>(session_id: Option<&str>, properties: &'p RawObject<'_>) -> SessionOf<'p> {
    let Some(text) = session_id else {
        return SessionOf::Engine;
    };
    if text.is_empty() {
        return SessionOf::None;
    }
    let Some(session) = canonical_uuid(text) else {
        return SessionOf::Engine;
    };
    if (session >> 76) & 0xf != 7 {
        return SessionOf::None;
    }
    let mut values = [""; 5];
    for (value, name) in values.iter_mut().zip(SESSION_PROPERTIES) {
        match plain_string(properties, name) {
            Some(text) => *value = text,
            None => return SessionOf::Engine,
        }
    }
    SessionOf::Known(Known { session, values })
}

/// The 128-bit value of a UUID in the canonical hyphenated form (either case), else `None`.
/// Only that form: the engine's `toUUIDOrZero` may read the others differently.
fn canonical_uuid(text: &str) -> Option<u128> {
    // 36 characters is the hyphenated form only (simple is 32, braced 38, URN 45).
    if text.len() != 36 {
        return None;
    }
    uuid::Uuid::try_parse(text).ok().map(|u| u.as_u128())
}

/// A member's `JSONExtractString` text when certain: `""` when absent or `null`, a string's
/// text when it has no escapes.
fn plain_string<'p>(properties: &'p RawObject<'_>, name: &str) -> Option<&'p str> {
    match properties.get(name) {
        None => Some(""),
        Some(Entry::Raw(raw)) => {
            let text = raw.get();
            match text.as_bytes().first() {
                Some(b'n') => Some(""),
                Some(b'"') if !text.contains('\\') => text.get(1..text.len() - 1),
                _ => None,
            }
        }
        Some(Entry::Set(serde_json::Value::Null)) => Some(""),
        Some(Entry::Set(serde_json::Value::String(s))) if !s.contains('\\') => Some(s.as_str()),
        Some(Entry::Set(_)) => None,
    }
}

/// One session's values within a batch.
#[derive(Debug, Clone)]
struct Row {
    distinct_id: String,
    min_timestamp: i64,
    max_timestamp: i64,
    urls: Vec<String>,
    /// `$current_url` at the last time.
    end_url: String,
    /// [`SESSION_PROPERTIES`] at the first time.
    initial: [String; 5],
    pageviews: i64,
    autocaptures: i64,
}

/// The sessions of one batch of events, in order of first appearance.
#[derive(Debug, Default)]
pub struct SessionRows {
    index: HashMap<u128, usize>,
    sessions: Vec<u128>,
    rows: Vec<Row>,
}

impl SessionRows {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Folds one event in. Ties keep the earlier event, as `argMin`/`argMax` keep the first value
    /// they saw with the extreme time.
    pub fn add(&mut self, known: &Known<'_>, distinct_id: &str, timestamp: i64, event: &str) {
        let url = known.values[0];
        let at = match self.index.get(&known.session) {
            Some(&at) => at,
            None => {
                self.index.insert(known.session, self.rows.len());
                self.sessions.push(known.session);
                self.rows.push(Row {
                    distinct_id: distinct_id.to_string(),
                    min_timestamp: timestamp,
                    max_timestamp: timestamp,
                    urls: Vec::new(),
                    end_url: url.to_string(),
                    initial: known.values.map(str::to_string),
                    pageviews: 0,
                    autocaptures: 0,
                });
                self.rows.len() - 1
            }
        };
        let row = &mut self.rows[at];
        if timestamp < row.min_timestamp {
            row.min_timestamp = timestamp;
            for (slot, value) in row.initial.iter_mut().zip(known.values) {
                slot.clear();
                slot.push_str(value);
            }
        }
        if timestamp > row.max_timestamp {
            row.max_timestamp = timestamp;
            row.end_url.clear();
            row.end_url.push_str(url);
            row.distinct_id.clear();
            row.distinct_id.push_str(distinct_id);
        }
        if !url.is_empty() && !row.urls.iter().any(|u| u == url) {
            row.urls.push(url.to_string());
        }
        row.pageviews += i64::from(event == "$pageview");
        row.autocaptures += i64::from(event == "$autocapture");
    }

    /// Moves `later`'s sessions (of events after all of this set's) into this set, folded as
    /// [`SessionRows::add`] folds events: ties keep this set's values.
    pub fn absorb(&mut self, later: &mut SessionRows) {
        for (session, row) in later.sessions.drain(..).zip(later.rows.drain(..)) {
            let Some(&at) = self.index.get(&session) else {
                self.index.insert(session, self.rows.len());
                self.sessions.push(session);
                self.rows.push(row);
                continue;
            };
            let held = &mut self.rows[at];
            if row.min_timestamp < held.min_timestamp {
                held.min_timestamp = row.min_timestamp;
                held.initial = row.initial;
            }
            if row.max_timestamp > held.max_timestamp {
                held.max_timestamp = row.max_timestamp;
                held.end_url = row.end_url;
                held.distinct_id = row.distinct_id;
            }
            for url in row.urls {
                if !held.urls.contains(&url) {
                    held.urls.push(url);
                }
            }
            held.pageviews += row.pageviews;
            held.autocaptures += row.autocaptures;
        }
        later.index.clear();
    }

    /// The rows as a batch in [`crate::sessions::STAGING_COLUMNS`]' layout; empties the set.
    pub fn finish(&mut self, team_id: i64) -> Result<RecordBatch> {
        let n = self.rows.len();
        let mut session = FixedSizeBinaryBuilder::with_capacity(n, 16);
        let mut distinct_id = StringBuilder::with_capacity(n, n * 16);
        let mut min_timestamp = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
        let mut max_timestamp = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
        let mut urls = ListBuilder::new(StringBuilder::new()).with_field(Field::new(
            "item",
            DataType::Utf8,
            false,
        ));
        let mut entry_url = StringBuilder::with_capacity(n, n * 24);
        let mut end_url = StringBuilder::with_capacity(n, n * 24);
        let mut initial: [StringBuilder; 4] =
            std::array::from_fn(|_| StringBuilder::with_capacity(n, n * 4));
        let mut pageviews = Int64Builder::with_capacity(n);
        let mut autocaptures = Int64Builder::with_capacity(n);
        for (id, row) in self.sessions.iter().zip(&self.rows) {
            session
                .append_value(id.to_be_bytes())
                .map_err(|e| StoreError::Invalid(format!("internal: session column: {e}")))?;
            distinct_id.append_value(&row.distinct_id);
            min_timestamp.append_value(row.min_timestamp);
            max_timestamp.append_value(row.max_timestamp);
            for url in &row.urls {
                urls.values().append_value(url);
            }
            urls.append(true);
            entry_url.append_value(&row.initial[0]);
            end_url.append_value(&row.end_url);
            for (builder, value) in initial.iter_mut().zip(&row.initial[1..]) {
                builder.append_value(value);
            }
            pageviews.append_value(row.pageviews);
            autocaptures.append_value(row.autocaptures);
        }
        self.index.clear();
        self.sessions.clear();
        self.rows.clear();
        let time = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let text = |name: &str| Field::new(name, DataType::Utf8, false);
        let mut fields = vec![
            Field::new("team_id", DataType::Int64, false),
            Field::new("session", DataType::FixedSizeBinary(16), false).with_metadata(
                HashMap::from([("ARROW:extension:name".to_string(), "arrow.uuid".to_string())]),
            ),
            text("distinct_id"),
            Field::new("min_timestamp", time(), false),
            Field::new("max_timestamp", time(), false),
            Field::new(
                "urls",
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, false))),
                false,
            ),
            text("entry_url"),
            text("end_url"),
        ];
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(arrow_array::Int64Array::from(vec![team_id; n])),
            Arc::new(session.finish()),
            Arc::new(distinct_id.finish()),
            Arc::new(min_timestamp.finish()),
            Arc::new(max_timestamp.finish()),
            Arc::new(urls.finish()),
            Arc::new(entry_url.finish()),
            Arc::new(end_url.finish()),
        ];
        for (name, builder) in [
            "referring_domain",
            "utm_source",
            "utm_campaign",
            "utm_medium",
        ]
        .iter()
        .zip(&mut initial)
        {
            fields.push(text(name));
            columns.push(Arc::new(builder.finish()));
        }
        fields.push(Field::new("pageview_count", DataType::Int64, false));
        columns.push(Arc::new(pageviews.finish()));
        fields.push(Field::new("autocapture_count", DataType::Int64, false));
        columns.push(Arc::new(autocaptures.finish()));
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
            .map_err(|e| StoreError::Invalid(format!("internal: building the sessions batch: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_text(session_id: Option<&str>, properties: &str) -> String {
        let props = RawObject::parse(properties).unwrap();
        format!("{:?}", classify(session_id, &props))
    }

    #[test]
    fn only_certain_sessions_are_known() {
        let v7 = "0190b6a4-1c00-7abc-8def-0123456789ab";
        let props = r#"{"$current_url":"https://a/","utm_source":null,"utm_medium":"m"}"#;
        let known = RawObject::parse(props).unwrap();
        assert_eq!(
            classify(Some(v7), &known),
            SessionOf::Known(Known {
                session: 0x0190b6a4_1c00_7abc_8def_0123456789ab,
                values: ["https://a/", "", "", "", "m"],
            })
        );
        let upper = "0190B6A4-1C00-7ABC-8DEF-0123456789AB";
        assert!(classify_text(Some(upper), props).starts_with("Known"));
        // Another version, or no id: no session.
        assert_eq!(
            classify_text(Some("0190b6a4-1c00-4abc-8def-0123456789ab"), props),
            "None"
        );
        assert_eq!(classify_text(Some(""), props), "None");
        // Forms and values only the engine can judge.
        for (id, props) in [
            (None, props),
            (Some("0190b6a41c007abc8def0123456789ab"), props),
            (Some("{0190b6a4-1c00-7abc-8def-0123456789ab}"), props),
            (Some("not-a-uuid"), props),
            (Some(v7), r#"{"$current_url":42}"#),
            (Some(v7), r#"{"utm_source":"caf\u00e9"}"#),
            (Some(v7), r#"{"utm_campaign":{"a":1}}"#),
        ] {
            assert_eq!(classify_text(id, props), "Engine", "{id:?} {props}");
        }
    }

    #[test]
    fn a_batch_folds_each_session_into_one_row() {
        let a = Known {
            session: 7,
            values: ["https://x/2", "ref", "", "", ""],
        };
        let b = Known {
            session: 7,
            values: ["https://x/1", "first", "src", "", ""],
        };
        let c = Known {
            session: 7,
            values: ["", "", "", "", ""],
        };
        let mut rows = SessionRows::default();
        rows.add(&a, "anon", 20, "$pageview");
        rows.add(&b, "anon", 10, "$pageview");
        rows.add(&c, "user", 30, "$autocapture");
        rows.add(&a, "other", 30, "x");
        assert_eq!(rows.len(), 1);
        let row = &rows.rows[0];
        assert_eq!((row.min_timestamp, row.max_timestamp), (10, 30));
        assert_eq!(row.initial[0..3], ["https://x/1", "first", "src"]);
        assert_eq!(
            (row.end_url.as_str(), row.distinct_id.as_str()),
            ("", "user")
        );
        assert_eq!(row.urls, ["https://x/2", "https://x/1"]);
        assert_eq!((row.pageviews, row.autocaptures), (2, 1));
        let batch = rows.finish(1).unwrap();
        assert_eq!((batch.num_rows(), batch.num_columns()), (1, 14));
        assert!(rows.is_empty());
    }

    #[test]
    fn absorbing_a_later_batch_is_adding_its_events() {
        let events: Vec<(Known<'_>, &str, i64, &str)> = vec![
            (
                Known {
                    session: 1,
                    values: ["u1", "r1", "", "", ""],
                },
                "a",
                20,
                "$pageview",
            ),
            (
                Known {
                    session: 2,
                    values: ["v1", "", "", "", ""],
                },
                "b",
                5,
                "x",
            ),
            (
                Known {
                    session: 1,
                    values: ["u0", "r0", "s", "", ""],
                },
                "a",
                10,
                "$autocapture",
            ),
            (
                Known {
                    session: 1,
                    values: ["u2", "", "", "", ""],
                },
                "c",
                30,
                "$pageview",
            ),
            (
                Known {
                    session: 3,
                    values: ["w", "", "", "", ""],
                },
                "d",
                7,
                "$pageview",
            ),
            (
                Known {
                    session: 1,
                    values: ["u3", "", "", "", ""],
                },
                "e",
                30,
                "x",
            ),
        ];
        let mut all = SessionRows::default();
        for (known, id, time, event) in &events {
            all.add(known, id, *time, event);
        }
        for split in 0..=events.len() {
            let (mut first, mut second) = (SessionRows::default(), SessionRows::default());
            for (known, id, time, event) in &events[..split] {
                first.add(known, id, *time, event);
            }
            for (known, id, time, event) in &events[split..] {
                second.add(known, id, *time, event);
            }
            first.absorb(&mut second);
            assert!(second.is_empty());
            let mut got: Vec<(u128, String)> = first
                .sessions
                .iter()
                .zip(&first.rows)
                .map(|(s, r)| (*s, format!("{r:?}")))
                .collect();
            let mut want: Vec<(u128, String)> = all
                .sessions
                .iter()
                .zip(&all.rows)
                .map(|(s, r)| (*s, format!("{r:?}")))
                .collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "split at {split}");
        }
    }
}
