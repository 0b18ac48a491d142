//! The sessions table (`raw_sessions`, PostHog's sessions v2 shape reduced to the columns a
//! minimal `sessions` lazy table reads; `spec/clickhouse-schema.md`): rows of aggregate states
//! keyed by the UUIDv7 `$session_id` as a `UInt128`, folded together by the
//! `AggregatingMergeTree` as parts merge. Readers aggregate anyway (`argMinMerge(entry_url)`,
//! `sum(pageview_count)`, `min(min_timestamp)`, ... `GROUP BY session_id_v7`), as HogQL does.
//!
//! PostHog fills it with a materialized view from `events`, one row per event. Here the importer
//! fills it (measured: the view cost about 3 µs of CPU per imported event, a fifth of the whole
//! import): it aggregates each batch's sessions itself from values it already parsed
//! ([`crate::ingest::session_rows`]) and inserts one row per session and batch with
//! [`insert_aggregated`]. Events whose values it cannot vouch for byte for byte (a
//! `$session_id` not in the canonical form, a URL or UTM value that is not a plain string) are
//! left to the engine: [`select_per_event`], the view's `SELECT`, runs over those staged rows.
//! Rows that reach `events` by other means (SQL `INSERT`) make no sessions.
//!
//! Values as PostHog's view reads them: an event counts when its `$session_id` parses as a UUID
//! with version nibble 7; URLs are `$current_url`, the referring domain `$referring_domain`, the
//! UTM values `utm_source`/`utm_campaign`/`utm_medium`, each as `JSONExtractString` gives it (in
//! this engine: a string decoded, other values as JSON text, `''` for null or absent; one
//! `JSONExtract` into a named tuple of `String`s gives the same with one parse).

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

/// One row of aggregate states per event with a UUIDv7 `$session_id`, from `source` (read as
/// `events`; `session_id` is the expression of the event's `$session_id`, `filter` more
/// conditions or `1`): the view's `SELECT`, for [`backfill`] and the rows the importer leaves to
/// the engine.
pub fn select_per_event(source: &str, session_id: &str, filter: &str) -> String {
    format!(
        r#"WITH JSONExtract(events.properties, 'Tuple(`$current_url` String, `$referring_domain` String, utm_source String, utm_campaign String, utm_medium String)') AS hog_session_props,
    toUInt128(toUUIDOrZero({session_id})) AS hog_session_id
SELECT
    events.team_id AS team_id,
    hog_session_id AS session_id_v7,
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
FROM {source} AS events
WHERE bitAnd(bitShiftRight(hog_session_id, 76), 15) = 7 AND ({filter})"#
    )
}

/// The columns of the importer's session staging table, in the order of
/// [`crate::ingest::session_rows::SessionRows::finish`]'s batches: one row per session and
/// batch, with plain values.
pub const STAGING_COLUMNS: &str = "team_id Int64, session UUID, distinct_id String, \
     min_timestamp DateTime64(6, 'UTC'), max_timestamp DateTime64(6, 'UTC'), urls Array(String), \
     entry_url String, end_url String, referring_domain String, utm_source String, \
     utm_campaign String, utm_medium String, pageview_count Int64, autocapture_count Int64";

/// Moves the importer's aggregated rows from `staging` into `raw_sessions`: each value becomes
/// the state of its aggregate (the entry URL and initial values are those at `min_timestamp`,
/// the end URL and distinct id those at `max_timestamp`).
pub fn insert_aggregated(staging: &str) -> String {
    format!(
        "INSERT INTO raw_sessions SELECT team_id, toUInt128(session), \
         initializeAggregation('argMaxState', distinct_id, max_timestamp), min_timestamp, \
         max_timestamp, urls, initializeAggregation('argMinState', entry_url, min_timestamp), \
         initializeAggregation('argMaxState', end_url, max_timestamp), \
         initializeAggregation('argMinState', referring_domain, min_timestamp), \
         initializeAggregation('argMinState', utm_source, min_timestamp), \
         initializeAggregation('argMinState', utm_campaign, min_timestamp), \
         initializeAggregation('argMinState', utm_medium, min_timestamp), pageview_count, \
         autocapture_count FROM {staging} SETTINGS optimize_on_insert = 0"
    )
}

/// Fills `raw_sessions` from the stored events. Run on an empty table: [`migration`] truncates
/// it first, so a migration interrupted and run again does not count a session twice.
pub fn backfill() -> String {
    format!(
        "INSERT INTO raw_sessions {}",
        select_per_event("events", "events.`$session_id`", "1")
    )
}

/// The schema 1 → 2 migration: the table, then the sessions of the stored events.
pub fn migration() -> Vec<String> {
    vec![
        TABLE.to_string(),
        "TRUNCATE TABLE raw_sessions".to_string(),
        backfill(),
    ]
}
