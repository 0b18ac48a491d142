//! Sessions computed in Rust from the JSONL lines themselves, to check `raw_sessions` against,
//! and the same read back from the engine in the same shape.

use super::team_params;
use hog_store::{EventStore, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One session as HogQL's `sessions` table reads it (timestamps in microseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub distinct_id: String,
    pub min_timestamp: i64,
    pub max_timestamp: i64,
    pub urls: BTreeSet<String>,
    pub entry_url: String,
    pub end_url: String,
    pub referring_domain: String,
    pub utm_source: String,
    pub utm_campaign: String,
    pub utm_medium: String,
    pub pageviews: i64,
    pub autocaptures: i64,
}

/// Reads `raw_sessions` of `team`, merged per session, keyed by `session_id_v7` as text.
pub const READ: &str = "SELECT toString(session_id_v7), argMaxMerge(distinct_id), min(min_timestamp), \
     max(max_timestamp), groupUniqArrayArray(urls), argMinMerge(entry_url), argMaxMerge(end_url), \
     argMinMerge(initial_referring_domain), argMinMerge(initial_utm_source), \
     argMinMerge(initial_utm_campaign), argMinMerge(initial_utm_medium), sum(pageview_count), \
     sum(autocapture_count) FROM raw_sessions WHERE team_id = %(team)s GROUP BY session_id_v7";

/// The sessions of `lines` (capture-format JSON; top-level `distinct_id`, ISO timestamps, no
/// two events of a session at the same time): events whose `$session_id` is a hyphenated UUID
/// with version 7, keyed by the UUID as a 128-bit integer in decimal.
pub fn expected(lines: &[String]) -> BTreeMap<String, Session> {
    let mut sessions: BTreeMap<String, Session> = BTreeMap::new();
    // Per session: (time, url) of the entry and end, (time, value) of each "initial" column.
    let mut first_seen: BTreeMap<String, i64> = BTreeMap::new();
    for line in lines {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let props = &value["properties"];
        let Some(id) = props["$session_id"].as_str() else {
            continue;
        };
        if id.len() != 36 {
            continue;
        }
        let Ok(uuid) = uuid::Uuid::parse_str(id) else {
            continue;
        };
        if uuid.get_version_num() != 7 {
            continue;
        }
        let key = uuid.as_u128().to_string();
        let time =
            hog_store::ingest::capture::parse_timestamp(value["timestamp"].as_str().unwrap())
                .expect("test lines have ISO timestamps");
        // What the engine's JSONExtractString gives: a string's text, other values as JSON
        // text (the tests use no floats, whose forms differ), '' for null or absent.
        let text = |name: &str| match &props[name] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let url = text("$current_url");
        let event = value["event"].as_str().unwrap();
        let distinct_id = value["distinct_id"].as_str().unwrap().to_string();
        let session = sessions.entry(key.clone()).or_insert_with(|| Session {
            distinct_id: distinct_id.clone(),
            min_timestamp: time,
            max_timestamp: time,
            urls: BTreeSet::new(),
            entry_url: url.clone(),
            end_url: url.clone(),
            referring_domain: text("$referring_domain"),
            utm_source: text("utm_source"),
            utm_campaign: text("utm_campaign"),
            utm_medium: text("utm_medium"),
            pageviews: 0,
            autocaptures: 0,
        });
        let first = first_seen.entry(key).or_insert(time);
        if time < *first {
            *first = time;
            session.entry_url = url.clone();
            session.referring_domain = text("$referring_domain");
            session.utm_source = text("utm_source");
            session.utm_campaign = text("utm_campaign");
            session.utm_medium = text("utm_medium");
        }
        if time >= session.max_timestamp {
            session.end_url = url.clone();
            session.distinct_id = distinct_id;
        }
        session.min_timestamp = session.min_timestamp.min(time);
        session.max_timestamp = session.max_timestamp.max(time);
        if !url.is_empty() {
            session.urls.insert(url);
        }
        session.pageviews += i64::from(event == "$pageview");
        session.autocaptures += i64::from(event == "$autocapture");
    }
    sessions
}

/// `raw_sessions` of `team` as [`Session`]s.
pub fn stored(store: &dyn EventStore, team: i64) -> BTreeMap<String, Session> {
    let result = store
        .query(READ, &team_params(team))
        .expect("raw_sessions reads");
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => panic!("expected a string, got {other:?}"),
    };
    let micros = |v: &Value| match v {
        Value::DateTime { micros, .. } => *micros,
        other => panic!("expected a date-time, got {other:?}"),
    };
    let int = |v: &Value| match v {
        Value::Int(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    };
    result
        .rows
        .iter()
        .map(|row| {
            let urls = match &row[4] {
                Value::Array(items) => items.iter().map(text).collect(),
                other => panic!("expected an array, got {other:?}"),
            };
            (
                text(&row[0]),
                Session {
                    distinct_id: text(&row[1]),
                    min_timestamp: micros(&row[2]),
                    max_timestamp: micros(&row[3]),
                    urls,
                    entry_url: text(&row[5]),
                    end_url: text(&row[6]),
                    referring_domain: text(&row[7]),
                    utm_source: text(&row[8]),
                    utm_campaign: text(&row[9]),
                    utm_medium: text(&row[10]),
                    pageviews: int(&row[11]),
                    autocaptures: int(&row[12]),
                },
            )
        })
        .collect()
}
