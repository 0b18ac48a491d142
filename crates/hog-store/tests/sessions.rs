//! `raw_sessions` on the real engine: filled by its view at import, checked against sessions
//! computed independently from the same lines (which events count, the merged states, the
//! `session_id_v7` key and its time part).

mod common;

use common::sessions::{expected, stored};
use common::{fresh_team, scalar, store, team_params};
use hog_store::Value;
use hog_store::ingest::{CollectBadLines, ImportOptions, import_jsonl};
use serde_json::json;

/// Imports with `batch_size` events per insert, writing sessions whenever two are held (so
/// a session's rows come from several inserts and must merge).
fn import(lines: &[String], team: i64, batch_size: usize) {
    let mut bad = CollectBadLines::default();
    let options = ImportOptions {
        team_id: team,
        batch_size,
        sessions_held: 2,
        ..ImportOptions::default()
    };
    import_jsonl(&store(), lines.join("\n").as_bytes(), &options, &mut bad).expect("import");
    assert!(bad.0.is_empty(), "{:?}", bad.0);
}

/// Sessions with UTM values (one an object, one URL a number), referrers, autocapture, a distinct id that changes mid-session,
/// events out of order, and `$session_id`s that must not make sessions.
fn handmade() -> Vec<String> {
    let s1 = "0190b6a4-1c00-7abc-8def-0123456789ab";
    let s2 = "0190b6a4-5000-7000-9000-00000000beef";
    [
        json!({"event": "$pageview", "distinct_id": "anon", "timestamp": "2024-07-10T10:00:05Z",
               "properties": {"$session_id": s1, "$current_url": "https://a.test/pricing", "utm_source": "news", "utm_medium": "email", "$referring_domain": "mail.test"}}),
        json!({"event": "$pageview", "distinct_id": "anon", "timestamp": "2024-07-10T10:00:00Z",
               "properties": {"$session_id": s1, "$current_url": "https://a.test/", "utm_source": "ads", "utm_campaign": "summer", "utm_medium": {"k": [1, "a", true]}, "$referring_domain": "www.google.com"}}),
        json!({"event": "$autocapture", "distinct_id": "anon", "timestamp": "2024-07-10T10:01:00Z",
               "properties": {"$session_id": s1, "$current_url": "https://a.test/pricing"}}),
        json!({"event": "$identify", "distinct_id": "user@x", "timestamp": "2024-07-10T10:02:00Z",
               "properties": {"$session_id": s1, "$anon_distinct_id": "anon", "$current_url": "https://a.test/caf\u{e9}?q=\"1\""}}),
        json!({"event": "purchase", "distinct_id": "user@x", "timestamp": "2024-07-10T10:03:00Z",
               "properties": {"$session_id": s1, "amount": 3}}),
        json!({"event": "$pageview", "distinct_id": "other", "timestamp": "2024-07-10T12:00:00.250Z",
               "properties": {"$session_id": s2, "$current_url": 42}}),
        json!({"event": "$pageview", "distinct_id": "other", "timestamp": "2024-07-10T12:00:01Z",
               "properties": {"$session_id": "0190b6a4-5000-4000-9000-00000000beef", "$current_url": "https://v4.test/"}}),
        json!({"event": "$pageview", "distinct_id": "other", "timestamp": "2024-07-10T12:00:02Z",
               "properties": {"$session_id": "not-a-uuid", "$current_url": "https://bad.test/"}}),
        json!({"event": "$pageview", "distinct_id": "other", "timestamp": "2024-07-10T12:00:03Z",
               "properties": {"$session_id": "", "$current_url": "https://empty.test/"}}),
        json!({"event": "$pageview", "distinct_id": "other", "timestamp": "2024-07-10T12:00:04Z",
               "properties": {"$current_url": "https://none.test/"}}),
    ]
    .iter()
    .map(|v| v.to_string())
    .collect()
}

#[test]
fn handmade_sessions_match_the_events() {
    let _hold = store();
    let team = fresh_team();
    let lines = handmade();
    // One event per insert: a session's states are merged from several rows.
    import(&lines, team, 1);
    let want = expected(&lines);
    assert_eq!(want.len(), 2, "{want:?}");
    let got = stored(&store(), team);
    assert_eq!(got, want);
    let s1 = &got[&uuid::Uuid::parse_str("0190b6a4-1c00-7abc-8def-0123456789ab")
        .unwrap()
        .as_u128()
        .to_string()];
    assert_eq!(
        (
            s1.entry_url.as_str(),
            s1.utm_source.as_str(),
            s1.utm_medium.as_str()
        ),
        ("https://a.test/", "ads", r#"{"k":[1,"a",true]}"#)
    );
    assert_eq!(
        (s1.pageviews, s1.autocaptures, s1.distinct_id.as_str()),
        (2, 1, "user@x")
    );
}

#[test]
fn demo_sessions_match_the_events() {
    let _hold = store();
    let team = fresh_team();
    let lines: Vec<String> = hog_store::demo::events(hog_store::demo::DemoOptions {
        events: 5_000,
        ..Default::default()
    })
    .collect();
    import(&lines, team, 1_700);
    let want = expected(&lines);
    assert!(want.len() > 300, "{} sessions", want.len());
    let got = stored(&store(), team);
    assert_eq!(got.len(), want.len());
    for (id, session) in &want {
        assert_eq!(got.get(id), Some(session), "session {id}");
    }
    // The key's time part is the session's start, as the sessions table reads it.
    let params = team_params(team);
    let off = scalar(
        &store(),
        "SELECT countIf(fromUnixTimestamp64Milli(toInt64(bitShiftRight(session_id_v7, 80)), 'UTC') != m) \
         FROM (SELECT session_id_v7, min(min_timestamp) AS m FROM raw_sessions \
         WHERE team_id = %(team)s GROUP BY session_id_v7)",
        &params,
    );
    assert_eq!(off, Value::UInt(0));
}

#[test]
fn a_strict_import_keeps_the_sessions_of_the_events_it_wrote() {
    let _hold = store();
    let team = fresh_team();
    let mut lines: Vec<String> = hog_store::demo::events(hog_store::demo::DemoOptions {
        events: 1_000,
        ..Default::default()
    })
    .collect();
    lines.insert(700, "not json".into());
    let options = ImportOptions {
        team_id: team,
        strict: true,
        batch_size: 300,
        ..ImportOptions::default()
    };
    let mut bad = CollectBadLines::default();
    let err = import_jsonl(&store(), lines.join("\n").as_bytes(), &options, &mut bad)
        .expect_err("stops at line 701");
    assert!(
        err.to_string().contains("600 earlier events were written"),
        "{err}"
    );
    // The first two batches (600 events) are in `events`; their sessions, and no others.
    assert_eq!(stored(&store(), team), expected(&lines[..600]));
}
