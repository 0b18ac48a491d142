//! `hog query`: one HogQL query against the embedded store, printed as a table, JSON, JSON lines
//! or CSV. Each test uses its own store directory (one engine per process, one process per test
//! command).

mod common;

use common::{HOG, assert_server_flags_checked, hog};
use std::process::{Command, Output, Stdio};

fn query(store: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut all = vec!["query".as_ref(), store.as_os_str()];
    all.splice(1..1, args.iter().map(|a| a.as_ref()));
    all.insert(all.len() - 1, "--store".as_ref());
    hog(&all, stdin)
}

#[test]
fn formats_and_errors() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("store");

    let out = query(
        &store,
        &["select 1 as a, 'x' as b", "--format", "json"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["columns"], serde_json::json!(["a", "b"]));
    assert_eq!(json["results"], serde_json::json!([[1, "x"]]));
    assert_eq!(json["types"].as_array().map(Vec::len), Some(2));

    let out = query(
        &store,
        &["-", "--format", "csv"],
        Some("select t.number from numbers(3) as t"),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "number\r\n0\r\n1\r\n2\r\n"
    );

    let out = query(
        &store,
        &["select t.number as number, toString(t.number) as s from numbers(150) as t"],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("│ number │ s "), "{stdout}");
    assert_eq!(stdout.lines().count(), 100 + 4, "{stdout}");
    assert!(stderr.contains("100 rows in"), "{stderr}");
    assert!(stderr.contains("default LIMIT"), "{stderr}");

    let out = query(&store, &["select event from events where"], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("select event from events where"),
        "{stderr}"
    );

    // A set's own OFFSET skips rows of the whole set, not of its last member (which has 3).
    let out = query(
        &store,
        &[
            "select count() as n from ((select number from numbers(3)) union all \
             (select number from numbers(3)) limit 10 offset 4)",
            "--format",
            "csv",
        ],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n\r\n2\r\n");
    // ... and its own ORDER BY orders the whole set.
    let out = query(
        &store,
        &[
            "(select number from numbers(3)) union all \
             (select number + 10 as number from numbers(3)) order by number desc limit 2",
            "--format",
            "csv",
        ],
        None,
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "number\r\n12\r\n11\r\n"
    );

    let out = query(&store, &["select * from system.tables"], None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// JSON, JSON lines and CSV are written as rows arrive; a reader that stops early (`| head`)
/// ends hog quietly, and the whole stream is well formed when read to the end.
#[test]
fn large_results_stream_and_a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("store");
    let sql = "select t.number as n, toString(t.number) as s from numbers(30000) as t limit 30000";

    let out = query(&store, &[sql, "--format", "jsonl"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 30000);
    assert_eq!(lines[0], r#"{"n":0,"s":"0"}"#);
    assert_eq!(lines[29999], r#"{"n":29999,"s":"29999"}"#);

    let out = query(&store, &[sql, "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(json["columns"], serde_json::json!(["n", "s"]));
    assert_eq!(json["results"].as_array().map(Vec::len), Some(30000));
    assert_eq!(json["results"][29999], serde_json::json!([29999, "29999"]));

    // Read one line, then close the pipe while hog is still writing.
    let mut child = Command::new(HOG)
        .args(["query", sql, "--format", "csv", "--store"])
        .arg(&store)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hog starts");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut first = [0u8; 8];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("the header arrives");
    assert_eq!(&first, b"n,s\r\n0,0");
    drop(stdout);
    let out = child.wait_with_output().expect("hog finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Translation flags are the same as `hog sql`'s, and other teams' rows stay invisible.
#[test]
fn translation_flags_apply() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("store");
    let out = query(
        &store,
        &[
            "select t.number from numbers(10) as t",
            "--default-limit",
            "3",
            "--format",
            "csv",
        ],
        None,
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "number\r\n0\r\n1\r\n2\r\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("default LIMIT"), "{stderr}");
}

/// A server that cannot be reached is a clear error (exit 1); `--store` with `--url` is a
/// usage error (exit 2).
#[test]
fn server_store_errors() {
    assert_server_flags_checked(&["query", "select 1"]);
}

/// The embedded engine, like `clickhouse-local`, would read `./config.xml` of the working
/// directory: the store gets its own configuration file instead, so running `hog` inside a
/// ClickHouse project (or a directory with any `config.xml`) changes nothing.
#[test]
fn a_config_xml_in_the_working_directory_is_not_read() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("store");
    for config in [
        "not xml <",
        "<clickhouse><profiles><default><readonly>1</readonly></default></profiles></clickhouse>",
    ] {
        std::fs::write(dir.path().join("config.xml"), config).expect("config.xml written");
        let out = Command::new(HOG)
            .current_dir(dir.path())
            .args(["query", "--format", "csv", "--store"])
            .arg(&store)
            .arg("select count() from events")
            .output()
            .expect("hog runs");
        assert!(
            out.status.success(),
            "{config}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "count()\r\n0\r\n");
    }
}
