//! The schema 1 → 2 migration (its own test process: it drops and recreates the sessions table,
//! which concurrent imports of other tests would notice).

mod common;

use common::sessions::{expected, stored};
use common::{fresh_team, scalar, store};
use hog_store::ingest::{CollectBadLines, ImportOptions, import_jsonl};
use hog_store::schema::{self, SCHEMA_VERSION};
use hog_store::{EventStore, Params, Value};

/// Turns the store back into what schema version 1 left: no sessions table.
fn downgrade_to_version_1(store: &dyn EventStore) {
    let none = Params::new();
    for sql in [
        "DROP TABLE IF EXISTS raw_sessions",
        "DELETE FROM hog_schema WHERE version > 1",
    ] {
        store
            .execute(sql, &none)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    assert_eq!(schema::current_version(store).unwrap(), 1);
}

#[test]
fn migrating_a_version_1_store_creates_and_backfills_sessions() {
    let store = store();
    let team = fresh_team();
    let lines: Vec<String> = hog_store::demo::events(hog_store::demo::DemoOptions {
        events: 3_000,
        seed: 9,
        ..Default::default()
    })
    .collect();
    let mut bad = CollectBadLines::default();
    let options = ImportOptions {
        team_id: team,
        ..ImportOptions::default()
    };
    import_jsonl(&store, lines.join("\n").as_bytes(), &options, &mut bad).expect("import");
    let want = expected(&lines);
    assert_eq!(stored(&store, team), want);

    downgrade_to_version_1(&store);
    schema::ensure(&store).expect("migrates");
    assert_eq!(schema::current_version(&store).unwrap(), SCHEMA_VERSION);
    assert_eq!(
        stored(&store, team),
        want,
        "backfilled from the stored events"
    );

    // Opening again does nothing more; a migration run twice (interrupted before it recorded
    // its version) does not count sessions twice.
    schema::ensure(&store).expect("no-op");
    for sql in schema::migration(1).unwrap() {
        store.execute(&sql, &Params::new()).unwrap();
    }
    assert_eq!(stored(&store, team), want);

    // New events still reach the table through the view.
    let more = vec![
        serde_json::json!({"event": "$pageview", "distinct_id": "late", "timestamp": "2024-08-01T00:00:00Z",
            "properties": {"$session_id": "01910bd2-6000-7000-8000-000000000001", "$current_url": "https://late.test/"}})
        .to_string(),
    ];
    import_jsonl(&store, more.join("\n").as_bytes(), &options, &mut bad).expect("import");
    assert!(bad.0.is_empty(), "{:?}", bad.0);
    let all: Vec<String> = lines.iter().chain(&more).cloned().collect();
    assert_eq!(stored(&store, team), expected(&all));
    // An early version 2 filled the table with a view; migrating to 3 drops it (it would count
    // sessions twice).
    let none = Params::new();
    store
        .execute(
            &format!(
                "CREATE MATERIALIZED VIEW raw_sessions_mv TO raw_sessions AS {}",
                hog_store::sessions::select_per_event("events", "events.`$session_id`", "1")
            ),
            &none,
        )
        .unwrap();
    store
        .execute("DELETE FROM hog_schema WHERE version > 2", &none)
        .unwrap();
    schema::ensure(&store).expect("migrates 2 -> 3");
    assert_eq!(schema::current_version(&store).unwrap(), SCHEMA_VERSION);
    assert_eq!(
        scalar(
            &store,
            "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'raw_sessions_mv'",
            &Params::new()
        ),
        Value::UInt(0)
    );
}
