//! The tables, as PostHog's ClickHouse shapes in their minimal single-node form
//! (`spec/clickhouse-schema.md` §4): `events`, `person`, `person_distinct_id2`,
//! `person_distinct_id_overrides`, `groups`, `cohortpeople`, `person_static_cohort`,
//! `raw_sessions` (from schema version 2, see [`crate::sessions`]), plus two tables of our own:
//! `hog_schema` (the schema version) and `hog_group_type_mapping` (group type name → index per
//! team, which PostHog keeps in Postgres).
//!
//! The schema is versioned: opening a store creates the tables when `hog_schema` is empty, does
//! nothing when it holds [`SCHEMA_VERSION`], and refuses a store written by a newer `hog`.
//! Future versions add their steps to [`migration`].

use crate::error::{Result, StoreError};
use crate::params::Params;
use crate::result::Value;
use crate::store::EventStore;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 3;

/// `CREATE TABLE` statements of version 1, in creation order.
pub const TABLES_V1: &[&str] = &[
    r#"CREATE TABLE IF NOT EXISTS events
(
    uuid UUID,
    event String,
    properties String CODEC(ZSTD(3)),
    timestamp DateTime64(6, 'UTC'),
    team_id Int64,
    distinct_id String,
    elements_chain String,
    created_at DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC'),
    person_id UUID,
    person_created_at DateTime64(6, 'UTC'),
    person_properties String CODEC(ZSTD(3)),
    group0_properties String, group1_properties String, group2_properties String,
    group3_properties String, group4_properties String,
    group0_created_at DateTime64(6, 'UTC'), group1_created_at DateTime64(6, 'UTC'),
    group2_created_at DateTime64(6, 'UTC'), group3_created_at DateTime64(6, 'UTC'),
    group4_created_at DateTime64(6, 'UTC'),
    person_mode Enum8('full' = 0, 'propertyless' = 1, 'force_upgrade' = 2),
    `$group_0` String MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$group_0'), '^"|"$', ''),
    `$group_1` String MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$group_1'), '^"|"$', ''),
    `$group_2` String MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$group_2'), '^"|"$', ''),
    `$group_3` String MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$group_3'), '^"|"$', ''),
    `$group_4` String MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$group_4'), '^"|"$', ''),
    `$window_id` String MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$window_id'), '^"|"$', ''),
    `$session_id` String MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$session_id'), '^"|"$', ''),
    elements_chain_href String MATERIALIZED extract(elements_chain, '(?::|")href="(.*?)"'),
    elements_chain_texts Array(String) MATERIALIZED arrayDistinct(extractAll(elements_chain, '(?::|")text="(.*?)"')),
    elements_chain_ids Array(String) MATERIALIZED arrayDistinct(extractAll(elements_chain, '(?::|")attr_id="(.*?)"')),
    elements_chain_elements Array(Enum('a' = 1, 'button' = 2, 'form' = 3, 'input' = 4, 'select' = 5, 'textarea' = 6, 'label' = 7))
        MATERIALIZED arrayDistinct(extractAll(elements_chain, '(?:^|;)(a|button|form|input|select|textarea|label)(?:\\.|$|:)')),
    _timestamp DateTime DEFAULT now(),
    _offset UInt64 DEFAULT 0,
    INDEX `minmax_$session_id` `$session_id` TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(_timestamp)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, toDate(timestamp), event, cityHash64(distinct_id), cityHash64(uuid))
SAMPLE BY cityHash64(distinct_id)"#,
    r#"CREATE TABLE IF NOT EXISTS person
(
    id UUID,
    created_at DateTime64(6, 'UTC'),
    team_id Int64,
    properties String,
    is_identified Int8,
    is_deleted Int8 DEFAULT 0,
    version UInt64,
    _timestamp DateTime DEFAULT now(),
    _offset UInt64 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (team_id, id)"#,
    r#"CREATE TABLE IF NOT EXISTS person_distinct_id2
(
    team_id Int64,
    distinct_id String,
    person_id UUID,
    is_deleted Int8 DEFAULT 0,
    version Int64,
    _timestamp DateTime DEFAULT now(),
    _offset UInt64 DEFAULT 0,
    _partition UInt64 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (team_id, distinct_id)
SETTINGS index_granularity = 512"#,
    r#"CREATE TABLE IF NOT EXISTS person_distinct_id_overrides AS person_distinct_id2
ENGINE = ReplacingMergeTree(version)
ORDER BY (team_id, distinct_id)
SETTINGS index_granularity = 512"#,
    r#"CREATE TABLE IF NOT EXISTS groups
(
    group_type_index UInt8,
    group_key String,
    created_at DateTime64(6, 'UTC'),
    team_id Int64,
    group_properties String,
    _timestamp DateTime DEFAULT now(),
    _offset UInt64 DEFAULT 0
)
ENGINE = ReplacingMergeTree(_timestamp)
ORDER BY (team_id, group_type_index, group_key)"#,
    r#"CREATE TABLE IF NOT EXISTS cohortpeople
(
    person_id UUID,
    cohort_id Int64,
    team_id Int64,
    sign Int8,
    version UInt64
)
ENGINE = CollapsingMergeTree(sign)
ORDER BY (team_id, cohort_id, person_id, version)"#,
    r#"CREATE TABLE IF NOT EXISTS person_static_cohort
(
    id UUID,
    person_id UUID,
    cohort_id Int64,
    team_id Int64,
    _timestamp DateTime DEFAULT now(),
    _offset UInt64 DEFAULT 0
)
ENGINE = ReplacingMergeTree(_timestamp)
ORDER BY (team_id, cohort_id, person_id, id)"#,
    r#"CREATE TABLE IF NOT EXISTS hog_group_type_mapping
(
    team_id Int64,
    group_type String,
    group_type_index UInt8
)
ENGINE = ReplacingMergeTree
ORDER BY (team_id, group_type)"#,
];

/// The version table, created before anything else.
const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS hog_schema \
     (version UInt32, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version";

/// The statements that migrate a store from version `from` to `from + 1`, `None` past the
/// last. A new store gets the version-1 tables and then every migration.
///
/// * 1 → 2: the sessions table `raw_sessions` and the sessions of the events already stored
///   ([`crate::sessions`]).
/// * 2 → 3: drops the materialized view that filled `raw_sessions` in an early version 2 (the
///   importer fills it now; with the view too, sessions would count twice).
pub fn migration(from: u32) -> Option<Vec<String>> {
    match from {
        1 => Some(crate::sessions::migration()),
        2 => Some(vec!["DROP VIEW IF EXISTS raw_sessions_mv".to_string()]),
        _ => None,
    }
}

/// Creates the schema of a new store, migrates an older one, or refuses a newer one.
pub fn ensure(store: &dyn EventStore) -> Result<()> {
    let none = Params::new();
    // One statement when the store exists (every `hog query` opens one); the version table is
    // created only when reading it says it is missing.
    let found = match current_version(store) {
        Ok(found) => found,
        Err(StoreError::Query {
            kind: crate::QueryErrorKind::UnknownTable,
            ..
        }) => {
            store.execute(VERSION_TABLE, &none)?;
            current_version(store)?
        }
        Err(e) => return Err(e),
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    if found == 0 {
        for ddl in TABLES_V1 {
            store.execute(ddl, &none)?;
        }
        record_version(store, 1)?;
    }
    let mut version = found.max(1);
    while version < SCHEMA_VERSION {
        let steps = migration(version).ok_or_else(|| {
            StoreError::Invalid(format!("no migration from schema version {version}"))
        })?;
        for sql in &steps {
            store.execute(sql, &none)?;
        }
        version += 1;
        record_version(store, version)?;
    }
    Ok(())
}

/// The highest recorded schema version, 0 for a new store.
pub fn current_version(store: &dyn EventStore) -> Result<u32> {
    let result = store.query_plain("SELECT max(version) FROM hog_schema", &Params::new())?;
    match result.rows.first().and_then(|row| row.first()) {
        Some(Value::UInt(v)) => u32::try_from(*v)
            .map_err(|_| StoreError::Invalid(format!("schema version {v} is out of range"))),
        Some(Value::Null) | None => Ok(0),
        Some(other) => Err(StoreError::Invalid(format!(
            "unexpected schema version value {other:?}"
        ))),
    }
}

fn record_version(store: &dyn EventStore, version: u32) -> Result<()> {
    store.execute(
        &format!("INSERT INTO hog_schema (version) VALUES ({version})"),
        &Params::new(),
    )
}
