//! The `sessions` table and the `events.session` join, run on the embedded engine: events with
//! UUIDv7 `$session_id`s are inserted and `raw_sessions` filled from them by the store's own
//! per-event `SELECT`, and every session field read through HogQL is checked against the
//! values worked out here from the inserted events. Another team shares a session id and must not change anything.

mod store;

use hog_store::{EventStore, Params, QueryResult};
use hogql_to_clickhouse::{Context, translate_select};
use store::params;

const TEAM: i64 = 42;

/// UUIDv7s: the first 48 bits are the session's start in ms (2024-05-01 10:00:00 UTC and
/// later), version nibble 7, variant 8.
const A: &str = "018f3361-2e80-7000-8000-00000000000a";
const B: &str = "018f3361-2e80-7000-8000-00000000000b";
const C: &str = "018f3361-2e80-7000-8000-00000000000c";

/// `(team, event, distinct_id, timestamp, properties)`; each in its own INSERT, so a session
/// is spread over several `raw_sessions` rows (unmerged parts) that the reads must merge.
const EVENTS: &[(i64, &str, &str, &str, &str)] = &[
    // Session A: two pageviews and an autocapture over 30 s; entry /a, exit /b.
    (
        42,
        "$pageview",
        "d1",
        "2024-05-01 10:00:00",
        r#"{"$session_id": "A", "$current_url": "https://example.com/a", "$referring_domain": "google.com", "utm_source": "google", "utm_campaign": "spring", "utm_medium": "cpc"}"#,
    ),
    (
        42,
        "$autocapture",
        "d1",
        "2024-05-01 10:00:05",
        r#"{"$session_id": "A", "$current_url": "https://example.com/a"}"#,
    ),
    (
        42,
        "$pageview",
        "d1-later",
        "2024-05-01 10:00:30",
        r#"{"$session_id": "A", "$current_url": "https://example.com/b?x=1", "utm_source": "late"}"#,
    ),
    // Session B: one pageview, nothing else: a bounce.
    (
        42,
        "$pageview",
        "d2",
        "2024-05-01 11:00:00",
        r#"{"$session_id": "B", "$current_url": "https://other.org/x"}"#,
    ),
    // Session C: no pageview: neither bounce nor not.
    (
        42,
        "signed_up",
        "d3",
        "2024-05-01 12:00:00",
        r#"{"$session_id": "C"}"#,
    ),
    (
        42,
        "signed_up",
        "d3",
        "2024-05-01 12:02:00",
        r#"{"$session_id": "C"}"#,
    ),
    // Session ids that are not UUIDs: no session, and the join must not abort the query.
    (
        42,
        "no_session",
        "d4",
        "2024-05-01 13:00:00",
        r#"{"$session_id": "not-a-uuid"}"#,
    ),
    (42, "no_session", "d4", "2024-05-01 13:00:01", r#"{}"#),
    // Another team, same session id as A: ignored by every read of team 42.
    (
        43,
        "$pageview",
        "LEAK",
        "2024-05-01 09:00:00",
        r#"{"$session_id": "A", "$current_url": "https://LEAK/", "utm_source": "LEAK"}"#,
    ),
    (
        43,
        "$pageview",
        "LEAK",
        "2024-05-01 18:00:00",
        r#"{"$session_id": "A", "$current_url": "https://LEAK/end"}"#,
    ),
];

fn session_uuid(letter: &str) -> &'static str {
    match letter {
        "A" => A,
        "B" => B,
        "C" => C,
        _ => "",
    }
}

fn seeded_store(dir: &std::path::Path) -> hog_store::EmbeddedStore {
    let store = store::open(dir);
    for (team, event, distinct_id, timestamp, props) in EVENTS {
        let mut props = props.to_string();
        for letter in ["A", "B", "C"] {
            props = props.replace(
                &format!("\"{letter}\""),
                &format!("\"{}\"", session_uuid(letter)),
            );
        }
        let sql = format!(
            "INSERT INTO events (uuid, event, properties, timestamp, team_id, distinct_id) VALUES \
             (generateUUIDv4(), '{event}', '{props}', toDateTime64('{timestamp}', 6, 'UTC'), {team}, '{distinct_id}')"
        );
        store
            .execute(&sql, &Params::new())
            .unwrap_or_else(|e| panic!("seeding failed: {e}\n{sql}"));
    }
    // `raw_sessions` as the store fills it from events it did not import itself: one row of
    // states per event (one INSERT each, so a session stays spread over several rows that
    // every read must merge).
    store
        .execute("TRUNCATE TABLE raw_sessions", &Params::new())
        .expect("truncate raw_sessions");
    for (team, _, _, timestamp, _) in EVENTS {
        let filter = format!(
            "events.team_id = {team} AND events.timestamp = toDateTime64('{timestamp}', 6, 'UTC')"
        );
        let sql = format!(
            "INSERT INTO raw_sessions {}",
            hog_store::sessions::select_per_event("events", "events.`$session_id`", &filter)
        );
        store
            .execute(&sql, &Params::new())
            .unwrap_or_else(|e| panic!("filling raw_sessions failed: {e}\n{sql}"));
    }
    store
}

fn run(store: &hog_store::EmbeddedStore, hogql: &str, ctx: &Context) -> QueryResult {
    let q = translate_select(hogql, ctx).unwrap_or_else(|e| panic!("{hogql}: {e:?}"));
    store
        .query(&q.sql, &params(&q))
        .unwrap_or_else(|e| panic!("{hogql}: {e}\n{}", q.inline()))
}

fn texts(result: &QueryResult) -> Vec<Vec<String>> {
    result
        .rows
        .iter()
        .map(|r| r.iter().map(|v| v.to_text()).collect())
        .collect()
}

#[test]
fn sessions_table_and_events_session_join() {
    if store::skipped() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let store = seeded_store(dir.path());
    let ctx = Context::new(TEAM);

    // Every field of every session, against the values of the events above.
    let rows = texts(&run(
        &store,
        "select session_id, distinct_id, $start_timestamp, $end_timestamp, $session_duration, \
         $pageview_count, $autocapture_count, $entry_current_url, $end_current_url, \
         $entry_pathname, $end_pathname, $entry_hostname, $end_hostname, $entry_referring_domain, \
         $entry_utm_source, $entry_utm_campaign, $entry_utm_medium, $num_uniq_urls, $is_bounce, \
         arraySort($urls) from sessions order by session_id",
        &ctx,
    ));
    let expected: Vec<Vec<&str>> = vec![
        vec![
            A,
            "d1-later",
            "2024-05-01T10:00:00.000000Z",
            "2024-05-01T10:00:30.000000Z",
            "30",
            "2",
            "1",
            "https://example.com/a",
            "https://example.com/b?x=1",
            "/a",
            "/b",
            "example.com",
            "example.com",
            "google.com",
            "google",
            "spring",
            "cpc",
            "2",
            "0",
            r#"["https://example.com/a","https://example.com/b?x=1"]"#,
        ],
        vec![
            B,
            "d2",
            "2024-05-01T11:00:00.000000Z",
            "2024-05-01T11:00:00.000000Z",
            "0",
            "1",
            "0",
            "https://other.org/x",
            "https://other.org/x",
            "/x",
            "/x",
            "other.org",
            "other.org",
            "null",
            "null",
            "null",
            "null",
            "1",
            "1",
            r#"["https://other.org/x"]"#,
        ],
        vec![
            C,
            "d3",
            "2024-05-01T12:00:00.000000Z",
            "2024-05-01T12:02:00.000000Z",
            "120",
            "0",
            "0",
            "null",
            "null",
            "null",
            "null",
            "null",
            "null",
            "null",
            "null",
            "null",
            "null",
            "0",
            "null",
            "[]",
        ],
    ];
    assert_eq!(rows, expected);

    // Events with their session: events without a valid session id get the LEFT JOIN's
    // defaults (join_use_nulls=0), and the query does not abort on them.
    let rows = texts(&run(
        &store,
        "select event, session.session_id, session.$session_duration, session.$is_bounce \
         from events order by timestamp",
        &ctx,
    ));
    let expected: Vec<Vec<&str>> = vec![
        vec!["$pageview", A, "30", "0"],
        vec!["$autocapture", A, "30", "0"],
        vec!["$pageview", A, "30", "0"],
        vec!["$pageview", B, "0", "1"],
        vec!["signed_up", C, "120", "null"],
        vec!["signed_up", C, "120", "null"],
        vec!["no_session", "", "0", "null"],
        vec!["no_session", "", "0", "null"],
    ];
    assert_eq!(rows, expected);

    // Filtering and grouping on joined session fields.
    let rows = texts(&run(
        &store,
        "select session.$entry_pathname as entry, count() from events \
         where session.$pageview_count > 0 group by entry order by entry",
        &ctx,
    ));
    assert_eq!(rows, vec![vec!["/a", "3"], vec!["/x", "1"]]);

    // `{filters}` on sessions bounds `$start_timestamp`.
    let filtered = ctx.clone().with_filters(hogql_to_clickhouse::Filters {
        date_from: Some("2024-05-01 10:30:00".into()),
        date_to: Some("2024-05-01 11:30:00".into()),
        conditions: Vec::new(),
    });
    let rows = texts(&run(
        &store,
        "select session_id from sessions where {filters}",
        &filtered,
    ));
    assert_eq!(rows, vec![vec![B]]);

    // Bounds on `$start_timestamp` also narrow the scan of `raw_sessions` by the time in the
    // session id (with 3 days of slack); the answers stay exact.
    for (hogql, expected) in [
        (
            "select count() from sessions where $start_timestamp >= toDateTime('2024-05-01 11:30:00')",
            "1",
        ),
        (
            "select count() from sessions where $start_timestamp < toDateTime('2024-04-20 00:00:00')",
            "0",
        ),
        (
            "select count() from sessions where $start_timestamp > toDateTime('2024-04-30 00:00:00') \
             and $start_timestamp <= toDateTime('2024-05-01 11:00:00')",
            "2",
        ),
        (
            "select count() from events where session.$start_timestamp >= toDateTime('2024-05-01 10:30:00')",
            "3",
        ),
    ] {
        assert_eq!(
            texts(&run(&store, hogql, &ctx)),
            vec![vec![expected]],
            "{hogql}"
        );
    }

    // A project time zone shows the session times in it.
    let brussels = ctx.clone().with_timezone("Europe/Brussels");
    let rows = texts(&run(
        &store,
        "select $start_timestamp from sessions where session_id = {id}"
            .replace("{id}", &format!("'{A}'"))
            .as_str(),
        &brussels,
    ));
    assert_eq!(rows, vec![vec!["2024-05-01T12:00:00.000000+02:00"]]);

    // Nothing of the other team appears, whatever is selected.
    for hogql in [
        "select * from sessions",
        "select event, session.distinct_id, session.$entry_current_url, session.$urls from events",
    ] {
        for row in texts(&run(&store, hogql, &ctx)) {
            assert!(
                row.iter().all(|v| !v.contains("LEAK")),
                "{hogql}: leaked {row:?}"
            );
        }
    }
}
