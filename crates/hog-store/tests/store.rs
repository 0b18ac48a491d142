//! The embedded store against the real engine: schema, parameters, type conversion, errors,
//! streaming and the one-directory-per-process rule.

mod common;

use common::{scalar, store};
use hog_store::{EmbeddedStore, EventStore, Param, Params, QueryErrorKind, StoreError, Value};

#[test]
fn schema_is_created_and_versioned() {
    let _hold = store();
    let store = store();
    let tables = store
        .query(
            "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name",
            &Params::new(),
        )
        .unwrap();
    let names: Vec<String> = tables.rows.iter().map(|r| r[0].to_text()).collect();
    for table in [
        "cohortpeople",
        "events",
        "groups",
        "hog_group_type_mapping",
        "hog_schema",
        "person",
        "person_distinct_id2",
        "person_distinct_id_overrides",
        "person_static_cohort",
        "raw_sessions",
    ] {
        assert!(
            names.contains(&table.to_string()),
            "{table} missing from {names:?}"
        );
    }
    assert_eq!(
        hog_store::schema::current_version(&store).unwrap(),
        hog_store::schema::SCHEMA_VERSION
    );
    // Opening again (same process, same directory) shares the engine and leaves the schema alone.
    let again = EmbeddedStore::open(store.dir(), &mut |_| {}).unwrap();
    assert_eq!(
        scalar(&again, "SELECT count() FROM hog_schema", &Params::new()),
        Value::UInt(u64::from(hog_store::schema::SCHEMA_VERSION)),
        "one row per version applied"
    );
}

#[test]
fn a_second_directory_in_the_same_process_is_refused() {
    let _hold = store();
    let _store = store();
    let other = tempfile::tempdir().unwrap();
    let err = EmbeddedStore::open(other.path(), &mut |_| {})
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::OtherStoreOpen { .. }), "{err}");
}

#[test]
fn parameters_are_substituted_safely() {
    let _hold = store();
    let store = store();
    let hostile = "it's a \\'; DROP TABLE events; --\n\t\u{0}é";
    let mut params = Params::new();
    params.insert("s".into(), Param::from(hostile));
    params.insert("n".into(), Param::Int(-42));
    params.insert("f".into(), Param::Float(0.1));
    params.insert(
        "a".into(),
        Param::Array(vec![Param::from("x"), Param::Null]),
    );
    let result = store
        .query(
            "SELECT %(s)s AS s, %(n)s AS n, %(f)s AS f, %(a)s AS a",
            &params,
        )
        .unwrap();
    assert_eq!(result.columns, vec!["s", "n", "f", "a"]);
    assert_eq!(
        result.rows[0],
        vec![
            Value::String(hostile.into()),
            Value::Int(-42),
            Value::Float(0.1),
            Value::Array(vec![Value::String("x".into()), Value::Null]),
        ]
    );
    assert!(
        result.types[3].contains("Array(Nullable(String))"),
        "{:?}",
        result.types
    );
}

#[test]
fn clickhouse_types_become_meaningful_values() {
    let _hold = store();
    let store = store();
    let result = store
        .query(
            "SELECT toDateTime('2024-01-02 03:04:05', 'UTC') AS dt, \
             toDateTime64('2024-01-02 03:04:05.123456', 6, 'Europe/Berlin') AS dt64, \
             toDate('2024-01-01') AS d, \
             toUUID('0190b6a4-1234-7abc-8def-0123456789ab') AS u, \
             CAST('propertyless' AS Enum8('full' = 0, 'propertyless' = 1)) AS e, \
             toUInt128('170141183460469231731687303715884105727') AS big, \
             toInt128(-5) AS neg, \
             map('k', [1, 2]) AS m, \
             tuple(1, 'a') AS t, \
             CAST(NULL AS Nullable(String)) AS n, \
             toIPv4('10.0.0.1') AS ip, \
             true AS b, 1.5::Float32 AS f",
            &Params::new(),
        )
        .unwrap();
    let row = &result.rows[0];
    let texts: Vec<String> = row.iter().map(Value::to_text).collect();
    assert_eq!(
        texts,
        vec![
            "2024-01-02T03:04:05Z",
            "2024-01-02T03:04:05.123456+01:00",
            "2024-01-01",
            "0190b6a4-1234-7abc-8def-0123456789ab",
            "propertyless",
            "170141183460469231731687303715884105727",
            "-5",
            r#"{"k":[1,2]}"#,
            r#"[1,"a"]"#,
            "null",
            "10.0.0.1",
            "true",
            "1.5",
        ]
    );
    assert_eq!(result.types[0], "DateTime('UTC')");
    assert_eq!(result.types[1], "DateTime64(6, 'Europe/Berlin')");
}

#[test]
fn errors_are_classified_and_the_store_survives_them() {
    let _hold = store();
    let store = store();
    let kind = |sql: &str| store.query(sql, &Params::new()).unwrap_err().query_kind();
    assert_eq!(kind("SELEC 1"), Some(QueryErrorKind::Syntax));
    assert_eq!(
        kind("SELECT nope FROM events"),
        Some(QueryErrorKind::UnknownColumn)
    );
    assert_eq!(
        kind("SELECT * FROM no_such_table"),
        Some(QueryErrorKind::UnknownTable)
    );
    assert_eq!(
        kind("SELECT nofunc(1)"),
        Some(QueryErrorKind::UnknownFunction)
    );
    assert_eq!(
        kind(
            "SELECT count() FROM numbers(10000000) GROUP BY number SETTINGS max_memory_usage = 1000000"
        ),
        Some(QueryErrorKind::MemoryLimit)
    );
    assert_eq!(
        kind(
            "SELECT count() FROM numbers(100000000000) WHERE sleepEachRow(0) = 0 SETTINGS max_execution_time = 0.2, timeout_overflow_mode = 'throw'"
        ),
        Some(QueryErrorKind::Timeout)
    );
    let err = store
        .query("SELEC 1", &Params::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("syntax error: Syntax error: failed at position"),
        "{err}"
    );
    assert!(
        !err.contains("SYNTAX_ERROR") && !err.contains("[chdb]"),
        "{err}"
    );
    assert_eq!(scalar(&store, "SELECT 1", &Params::new()), Value::UInt(1));
}

#[test]
fn large_results_stream_in_chunks() {
    let _hold = store();
    let store = store();
    let mut stream = store
        .query_stream("SELECT number FROM numbers(300000)", &Params::new())
        .unwrap();
    assert_eq!(stream.columns, vec!["number"]);
    assert_eq!(stream.types, vec!["UInt64"]);
    let mut chunks = 0;
    let mut total: u64 = 0;
    let mut expected: u64 = 0;
    while let Some(chunk) = stream.next_chunk() {
        let chunk = chunk.unwrap();
        chunks += 1;
        for row in chunk {
            assert_eq!(row[0], Value::UInt(expected));
            expected += 1;
            total += 1;
        }
    }
    assert_eq!(total, 300_000);
    assert!(chunks > 1, "one chunk for 300k rows");
}

#[test]
fn statements_without_a_describable_result_still_answer() {
    let _hold = store();
    let store = store();
    let result = store.query("SHOW TABLES", &Params::new()).unwrap();
    assert!(
        result
            .rows
            .iter()
            .any(|r| r[0] == Value::String("events".into()))
    );
    store
        .execute(
            "CREATE TABLE IF NOT EXISTS scratch (x UInt8) ENGINE = Memory",
            &Params::new(),
        )
        .unwrap();
    store
        .execute("INSERT INTO scratch VALUES (7)", &Params::new())
        .unwrap();
    assert_eq!(
        scalar(&store, "SELECT sum(x) FROM scratch", &Params::new()),
        Value::UInt(7)
    );
}

#[test]
fn plain_queries_give_the_same_rows_without_a_describe() {
    let _hold = store();
    let store = store();
    let sql = "SELECT name, toUInt32(position) AS p, position > 3 AS late, -toInt64(position) AS neg \
               FROM system.columns WHERE database = currentDatabase() AND table = 'hog_schema' \
               ORDER BY position";
    let described = store.query(sql, &Params::new()).unwrap();
    let plain = store.query_plain(sql, &Params::new()).unwrap();
    assert!(!plain.rows.is_empty());
    assert_eq!(plain.rows, described.rows);
    assert_eq!(plain.columns, described.columns);
    assert_eq!(plain.types, ["String", "UInt32", "UInt8", "Int64"]);
    let error = store
        .query_plain("SELECT no_such_column FROM hog_schema", &Params::new())
        .unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Query {
                kind: QueryErrorKind::UnknownColumn,
                ..
            }
        ),
        "{error:?}"
    );
}
