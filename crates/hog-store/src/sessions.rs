//! The sessions table (`raw_sessions`, PostHog's sessions v2 shape reduced to the columns a
//! minimal `sessions` lazy table reads; `spec/clickhouse-schema.md`), filled as PostHog fills
//! it: a materialized view turns every event whose `$session_id` is a UUIDv7 into one row of
//! aggregate states keyed by that id, and the `AggregatingMergeTree` folds a session's rows
//! together as parts merge. Readers aggregate anyway (`argMinMerge(entry_url)`,
//! `sum(pageview_count)`, `min(min_timestamp)`, ... `GROUP BY session_id_v7`), as HogQL does.
//!
//! The view runs inside every insert into `events` (the importer's, or any other), so sessions
//! can never disagree with the events they come from. PostHog's view reads each property with
//! `JSONExtractString`; here one `JSONExtract` into a named tuple of `String`s reads all five
//! (one parse of `properties` per event instead of five). In this engine both give the same
//! text: a string decoded, other values as JSON text, `''` for null or absent.
//! [`BACKFILL`] runs the same `SELECT` over stored events, for stores created before the table
//! existed (schema version 2).

/// The table, exactly as `spec/clickhouse-schema.md` gives it.
pub const TABLE: &str = r#"CREATE TABLE IF NOT EXISTS raw_sessions
(
    team_id Int64,
    session_id_v7 UInt128,
    distinct_id AggregateFunction(argMax, String, DateTime64(6, 'UTC')),
    min_timestamp SimpleAggregateFunction(min, DateTime64(6, 'UTC')),
    max_timestamp SimpleAggregateFunction(max, DateTime64(6, 'UTC')),
    urls SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    entry_url AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    end_url AggregateFunction(argMax, String, DateTime64(6, 'UTC')),
    initial_referring_domain AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    initial_utm_source AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    initial_utm_campaign AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    initial_utm_medium AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    pageview_count SimpleAggregateFunction(sum, Int64),
    autocapture_count SimpleAggregateFunction(sum, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(fromUnixTimestamp(intDiv(toUInt64(bitShiftRight(session_id_v7, 80)), 1000)))
ORDER BY (team_id, toStartOfHour(fromUnixTimestamp(intDiv(toUInt64(bitShiftRight(session_id_v7, 80)), 1000))),
          cityHash64(session_id_v7), session_id_v7)
SAMPLE BY cityHash64(session_id_v7)"#;

/// One row of aggregate states per event with a UUIDv7 `$session_id` (version nibble 7, as
/// PostHog's view checks it); `FROM events` is the inserted block in the view, the whole table
/// in [`BACKFILL`]. URLs are `$current_url`, the referring domain `$referring_domain`, the UTM
/// values `utm_source`/`utm_campaign`/`utm_medium`, as PostHog's view reads them.
macro_rules! select_sessions {
    () => {
        r#"WITH JSONExtract(events.properties, 'Tuple(`$current_url` String, `$referring_domain` String, utm_source String, utm_campaign String, utm_medium String)') AS hog_session_props
SELECT
    events.team_id AS team_id,
    toUInt128(toUUIDOrZero(events.`$session_id`)) AS session_id_v7,
    initializeAggregation('argMaxState', events.distinct_id, events.timestamp) AS distinct_id,
    events.timestamp AS min_timestamp,
    events.timestamp AS max_timestamp,
    if(empty(hog_session_props.1), [], [hog_session_props.1]) AS urls,
    initializeAggregation('argMinState', hog_session_props.1, events.timestamp) AS entry_url,
    initializeAggregation('argMaxState', hog_session_props.1, events.timestamp) AS end_url,
    initializeAggregation('argMinState', hog_session_props.2, events.timestamp) AS initial_referring_domain,
    initializeAggregation('argMinState', hog_session_props.3, events.timestamp) AS initial_utm_source,
    initializeAggregation('argMinState', hog_session_props.4, events.timestamp) AS initial_utm_campaign,
    initializeAggregation('argMinState', hog_session_props.5, events.timestamp) AS initial_utm_medium,
    toInt64(events.event = '$pageview') AS pageview_count,
    toInt64(events.event = '$autocapture') AS autocapture_count
FROM events
WHERE bitAnd(bitShiftRight(toUInt128(toUUIDOrZero(events.`$session_id`)), 76), 15) = 7"#
    };
}

/// The materialized view that fills `raw_sessions` from every insert into `events`.
pub const VIEW: &str = concat!(
    "CREATE MATERIALIZED VIEW IF NOT EXISTS raw_sessions_mv TO raw_sessions AS ",
    select_sessions!()
);

/// Fills `raw_sessions` from the stored events (the view only sees new inserts). Run on an
/// empty table: [`MIGRATION`] truncates it first, so a migration interrupted and run again does
/// not count a session twice.
pub const BACKFILL: &str = concat!("INSERT INTO raw_sessions ", select_sessions!());

/// The schema 1 → 2 migration: the table, the view, then the sessions of the stored events.
pub const MIGRATION: &[&str] = &[TABLE, VIEW, "TRUNCATE TABLE raw_sessions", BACKFILL];
