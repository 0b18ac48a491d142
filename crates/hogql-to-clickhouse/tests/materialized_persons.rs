//! Materialised person property columns (`pmat_<key>`, spec §5.2) through the persons join
//! and the `persons` table, on the embedded engine (its own process: the engine is opened
//! once per test binary).

mod store;

use hog_store::{EventStore, Params};
use hogql_to_clickhouse::{
    Context, MaterializedSource, PersonsArgMaxVersion, PersonsOnEventsMode, translate_select,
};
use store::params;

/// `person.properties.email` through the persons join reads `person.pmat_email` when the
/// context lists that column, and the JSON otherwise. The column is filled with a value
/// different from the JSON's, so the result shows which one was read.
#[test]
fn persons_join_reads_pmat_columns() {
    if store::skipped() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store::open(dir.path());
    for sql in [
        "ALTER TABLE person ADD COLUMN pmat_email Nullable(String)",
        "INSERT INTO person (id, created_at, team_id, properties, is_identified, is_deleted, version, pmat_email)
         VALUES ('00000000-0000-0000-0000-000000000001', now64(6, 'UTC') - 100, 42, '{\"email\": \"from-json\"}', 1, 0, 1, 'from-column'),
                ('00000000-0000-0000-0000-000000000001', now64(6, 'UTC') - 100, 43, '{\"email\": \"LEAK\"}', 1, 0, 9, 'LEAK')",
        "INSERT INTO person_distinct_id2 (team_id, distinct_id, person_id, is_deleted, version)
         VALUES (42, 'd1', '00000000-0000-0000-0000-000000000001', 0, 1),
                (43, 'd1', '00000000-0000-0000-0000-000000000001', 0, 1)",
        "INSERT INTO events (uuid, event, properties, timestamp, team_id, distinct_id)
         VALUES (generateUUIDv4(), 'e', '{}', now64(6, 'UTC'), 42, 'd1')",
    ] {
        store
            .execute(sql, &Params::new())
            .unwrap_or_else(|e| panic!("seeding failed: {e}\n{sql}"));
    }
    let read = |ctx: &Context, hogql: &str| -> Vec<String> {
        let q = translate_select(hogql, ctx).expect("translates");
        let result = store
            .query(&q.sql, &params(&q))
            .unwrap_or_else(|e| panic!("{e}\n{}", q.inline()));
        result.rows.iter().map(|r| r[0].to_text()).collect()
    };
    let plain = Context::new(42);
    let materialized = Context::new(42).with_materialized_property(
        MaterializedSource::PersonProperties,
        "email",
        true,
    );
    let through_join = "select person.properties.email from events";
    let filtered = "select event from events where person.properties.email = 'from-column'";
    assert_eq!(read(&plain, through_join), ["from-json"]);
    assert_eq!(read(&materialized, through_join), ["from-column"]);
    assert!(read(&plain, filtered).is_empty());
    assert_eq!(read(&materialized, filtered), ["e"]);
    for version in [PersonsArgMaxVersion::V1, PersonsArgMaxVersion::V2] {
        let mut ctx = materialized.clone();
        ctx.persons_argmax = version;
        assert_eq!(read(&ctx, through_join), ["from-column"], "{version:?}");
        assert_eq!(
            read(&ctx, "select properties.email from persons"),
            ["from-column"],
            "{version:?}"
        );
    }
    let mut joined = materialized.clone();
    joined.persons_on_events = PersonsOnEventsMode::PersonIdOverridePropertiesJoined;
    store
        .execute(
            "ALTER TABLE events UPDATE person_id = '00000000-0000-0000-0000-000000000001' WHERE 1 SETTINGS mutations_sync = 1",
            &Params::new(),
        )
        .expect("person ids on events");
    assert_eq!(read(&joined, through_join), ["from-column"]);
}
