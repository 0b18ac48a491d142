//! `hog query`: one HogQL query against the embedded store, printed as a table, JSON, JSON lines
//! or CSV. Each test uses its own store directory (one engine per process, one process per test
//! command).

use std::io::Write;
use std::process::{Command, Output, Stdio};

const HOG: &str = env!("CARGO_BIN_EXE_hog");

fn query(store: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(HOG)
        .arg("query")
        .args(args)
        .arg("--store")
        .arg(store)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hog starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write the query");
    }
    drop(input);
    child.wait_with_output().expect("hog finishes")
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

    let out = query(&store, &["select * from system.tables"], None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
