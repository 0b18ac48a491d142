//! The server store's transport against a real ClickHouse server on loopback: connect, DDL,
//! insert, select with parameters, error classes, timeouts. Debian's `clickhouse-server` 18.16
//! is the only server installable here, so this uses SQL that version supports (the full schema
//! needs 23.x or newer).
//!
//! The server: `HOG_CLICKHOUSE_URL` if set (e.g. started by `scripts/start-clickhouse-server.sh`),
//! otherwise the test starts one itself with that script and stops it at the end. Skipped, with a
//! message, only when the `clickhouse-server` binary is absent outside CI (with `CI=true` the
//! script installs it).

use arrow_array::{
    ArrayRef, FixedSizeBinaryArray, RecordBatch, StringArray, TimestampMicrosecondArray,
    UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use hog_store::{EventStore, Param, Params, QueryErrorKind, ServerOptions, ServerStore, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A server started by this test, stopped when dropped.
struct OwnServer {
    pid: Option<i32>,
    _dir: tempfile::TempDir,
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

fn server() -> Option<(String, Option<OwnServer>)> {
    if let Ok(url) = std::env::var("HOG_CLICKHOUSE_URL") {
        return Some((url, None));
    }
    let installed = Path::new("/usr/sbin/clickhouse-server").exists()
        || Command::new("sh")
            .args(["-c", "command -v clickhouse-server"])
            .output()
            .is_ok_and(|o| o.status.success());
    // In CI the start script installs the package itself.
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !installed && !ci {
        eprintln!(
            "SKIPPED: clickhouse-server is not installed (apt-get install -y clickhouse-server), and HOG_CLICKHOUSE_URL is not set"
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = 20_000 + (std::process::id() % 10_000);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/start-clickhouse-server.sh"
    );
    let out = Command::new("bash")
        .arg(script)
        .arg(dir.path())
        .env("HOG_CLICKHOUSE_HTTP_PORT", port.to_string())
        .env("HOG_CLICKHOUSE_TCP_PORT", (port + 10_000).to_string())
        .output()
        .expect("start script runs");
    assert!(
        out.status.success(),
        "starting clickhouse-server failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let pid = std::fs::read_to_string(dir.path().join("server.pid"))
        .ok()
        .and_then(|p| p.trim().parse().ok());
    Some((url, Some(OwnServer { pid, _dir: dir })))
}

fn uuid_field(name: &str) -> Field {
    Field::new(name, DataType::FixedSizeBinary(16), false).with_metadata(HashMap::from([(
        "ARROW:extension:name".to_string(),
        "arrow.uuid".to_string(),
    )]))
}

#[test]
fn transport_connect_ddl_insert_select_errors_timeouts() {
    let Some((url, _own)) = server() else {
        return;
    };
    let store = ServerStore::connect(ServerOptions::new(url.clone())).expect("connects");
    let none = Params::new();
    let table = format!("hog_transport_{}", std::process::id());
    store
        .execute(&format!("DROP TABLE IF EXISTS {table}"), &none)
        .unwrap();
    store
        .execute(
            &format!("CREATE TABLE {table} (id UInt64, name String, ts DateTime, u UUID) ENGINE = MergeTree ORDER BY id"),
            &none,
        )
        .unwrap();

    let ids = [1u64, 2, 3];
    let names = ["plain", "it's \"quoted\" ?", "üñí\ncode"];
    let uuid = uuid::Uuid::parse_str("0190b6a4-1234-7abc-8def-0123456789ab").unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::UInt64, false),
        Field::new("name", DataType::Utf8, false),
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        uuid_field("u"),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(ids.to_vec())),
        Arc::new(StringArray::from(names.to_vec())),
        Arc::new(
            TimestampMicrosecondArray::from(vec![1_704_164_645_000_000i64; 3]).with_timezone("UTC"),
        ),
        Arc::new(
            FixedSizeBinaryArray::try_from_iter(std::iter::repeat_n(uuid.as_bytes(), 3)).unwrap(),
        ),
    ];
    assert_eq!(
        store
            .insert(&table, RecordBatch::try_new(schema, columns).unwrap())
            .unwrap(),
        3
    );

    let mut params = Params::new();
    params.insert("name".into(), Param::from(names[1]));
    let result = store
        .query(&format!("SELECT id, name, ts, u, id * 2 AS twice FROM {table} WHERE name = %(name)s OR id = 3 ORDER BY id"), &params)
        .unwrap();
    assert_eq!(result.columns, vec!["id", "name", "ts", "u", "twice"]);
    assert_eq!(
        result.types,
        vec!["UInt64", "String", "DateTime", "UUID", "UInt64"]
    );
    let texts: Vec<Vec<String>> = result
        .rows
        .iter()
        .map(|r| r.iter().map(Value::to_text).collect())
        .collect();
    assert_eq!(
        texts,
        vec![
            vec![
                "2",
                names[1],
                "2024-01-02T03:04:05Z",
                "0190b6a4-1234-7abc-8def-0123456789ab",
                "4"
            ],
            vec![
                "3",
                names[2],
                "2024-01-02T03:04:05Z",
                "0190b6a4-1234-7abc-8def-0123456789ab",
                "6"
            ],
        ]
    );

    // Errors come back classified, and the connection keeps working.
    let kind = |sql: &str| store.query(sql, &none).unwrap_err().query_kind();
    assert_eq!(kind("SELEC 1"), Some(QueryErrorKind::Syntax));
    assert_eq!(
        kind(&format!("SELECT nope FROM {table}")),
        Some(QueryErrorKind::UnknownColumn)
    );
    assert_eq!(
        kind("SELECT * FROM no_such_table_anywhere"),
        Some(QueryErrorKind::UnknownTable)
    );
    assert_eq!(
        kind("SELECT count() FROM system.numbers SETTINGS max_execution_time = 1"),
        Some(QueryErrorKind::Timeout)
    );

    // Large results stream: rows arrive in several chunks, all of them, in order, with their
    // values (strings with escapes and newlines included).
    let mut stream = store
        .query_stream(
            "SELECT number AS n, concat('line\\n\"', toString(number)) AS s FROM system.numbers LIMIT 5000",
            &none,
        )
        .unwrap();
    assert_eq!(stream.columns, vec!["n", "s"]);
    let (mut chunks, mut seen) = (0, 0u64);
    while let Some(chunk) = stream.next_chunk() {
        chunks += 1;
        for row in chunk.unwrap() {
            assert_eq!(
                row,
                vec![Value::UInt(seen), Value::String(format!("line\n\"{seen}"))]
            );
            seen += 1;
        }
    }
    assert_eq!((seen, chunks > 1), (5000, true));
    // An error after rows were sent ends the stream with that error, never silently.
    let failing = store.query(
        "SELECT throwIf(number = 150000) FROM system.numbers LIMIT 200000 SETTINGS max_block_size = 1000",
        &none,
    );
    let err = failing.expect_err("the error reaches the caller");
    assert!(
        err.to_string().contains("395") || err.to_string().contains("throwIf"),
        "{err}"
    );

    // A client-side timeout fires on a slow answer.
    let mut impatient = ServerOptions::new(url);
    impatient.timeout = Duration::from_millis(300);
    let impatient = ServerStore::connect(impatient).unwrap();
    let started = Instant::now();
    let err = impatient.query("SELECT sleep(2)", &none).unwrap_err();
    assert_eq!(err.query_kind(), Some(QueryErrorKind::Timeout), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));

    store
        .execute(&format!("DROP TABLE {table}"), &none)
        .unwrap();
    assert_eq!(
        store.query("SELECT 1", &none).unwrap().rows,
        vec![vec![Value::UInt(1)]]
    );
}

#[test]
fn unreachable_server_is_a_connection_error() {
    let mut options = ServerOptions::new("http://127.0.0.1:9");
    options.timeout = Duration::from_secs(5);
    let err = ServerStore::connect(options)
        .err()
        .expect("nobody listens on port 9");
    assert_eq!(err.query_kind(), Some(QueryErrorKind::Connection), "{err}");
}
