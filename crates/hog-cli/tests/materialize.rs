//! `hog materialize`: a property gets its own column, `hog query` reads it (the printed SQL no
//! longer parses the JSON) and every result stays exactly what it was.

mod common;

use common::hog;
use std::path::Path;

/// Values of `k` that stress the equivalence: escapes, unicode, numbers, objects, arrays, null,
/// empty, the text "null", absent, and the other key.
const EVENTS: &[&str] = &[
    r#"{"k": "plain"}"#,
    r#"{"k": "plain"}"#,
    r#"{"k": "quote \" backslash \\ tab \t"}"#,
    r#"{"k": "é 日本 🦔 \u00e9"}"#,
    r#"{"k": 42}"#,
    r#"{"k": -1.5e3}"#,
    r#"{"k": false}"#,
    r#"{"k": {"nested": [1, "two", null], "s": "x"}}"#,
    r#"{"k": ["a", "b"]}"#,
    r#"{"k": null}"#,
    r#"{"k": ""}"#,
    r#"{"k": "null"}"#,
    r#"{"other": 1}"#,
    r#"{}"#,
    r#"{"$we'ird \\ kéy": "x", "k": "w"}"#,
];

fn import(store: &Path) {
    let mut jsonl = String::new();
    for (i, props) in EVENTS.iter().enumerate() {
        jsonl.push_str(&format!(
            "{{\"event\": \"e\", \"distinct_id\": \"d{i}\", \"timestamp\": \"2024-01-0{}T00:00:00Z\", \"properties\": {props}}}\n",
            1 + i % 9
        ));
    }
    let out = hog(
        &[
            "import",
            "-",
            "--store",
            store.to_str().expect("utf-8 path"),
        ],
        Some(&jsonl),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn query(store: &Path, q: &str) -> String {
    let out = hog(
        &[
            "query",
            q,
            "--format",
            "json",
            "--store",
            store.to_str().expect("utf-8 path"),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{q}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `hog materialize ARGS --store STORE`, which must succeed; its stdout.
fn materialize(store: &str, args: &[&str]) -> String {
    let mut all = vec!["materialize"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--store", store]);
    let out = hog(&all, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

const QUERIES: &[&str] = &[
    "select properties.k as v, count() as c from events group by v order by v, c",
    "select properties.k.nested.2 as v, properties.k.s as s, count() from events group by v, s order by v, s",
    "select properties['$we\\'ird \\\\ kéy'] as v, count() from events group by v order by v",
    "select count() from events where properties.k = 'plain'",
    "select count() from events where properties.k is null",
    "select distinct_id, properties.k from events where properties.k != 'w' order by distinct_id",
];

#[test]
fn results_are_identical_before_and_after_materialising() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("store");
    let store_arg = store.to_str().expect("utf-8 path");
    import(&store);
    let before: Vec<String> = QUERIES.iter().map(|q| query(&store, q)).collect();

    let stdout = materialize(store_arg, &["k", "$we'ird \\ kéy"]);
    assert!(
        stdout.contains("properties.k → events.mat_k Nullable(String)"),
        "{stdout}"
    );
    assert!(stdout.contains("events.mat_$we_ird___k_y"), "{stdout}");

    let out = hog(&["materialize", "--list", "--store", store_arg], None);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listed.lines().count(), 2, "{listed}");

    // Again: nothing to do.
    let out = hog(&["materialize", "k", "--store", store_arg], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("already there"));

    for (q, expected) in QUERIES.iter().zip(&before) {
        assert_eq!(&query(&store, q), expected, "{q}");
    }
    // Rows imported after the column exists compute it on insert.
    import(&store);
    let doubled = query(&store, QUERIES[0]);
    assert!(doubled.contains("[\"plain\",4]"), "{doubled}");
}

#[test]
fn the_repl_reads_the_column() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("store");
    let store_arg = store.to_str().expect("utf-8 path");
    import(&store);
    materialize(store_arg, &["k", "a b"]);
    let out = hog(
        &["repl", "--format", "csv", "--store", store_arg],
        Some("\\sql\nselect properties.k as v from events where properties.k = '42';\n"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.ends_with("\nv\r\n42\r\n"), "{stdout}");
    assert!(stderr.contains("events.mat_k"), "{stderr}");
    assert!(!stderr.contains("JSONExtractRaw"), "{stderr}");

    // A key whose column name another key already has is refused.
    let out = hog(&["materialize", "a-b", "--store", store_arg], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds"));
}

#[test]
fn person_table_properties_get_a_pmat_column_that_the_persons_join_reads() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("store");
    let store_arg = store.to_str().expect("utf-8 path");
    let jsonl = [
        r#"{"event": "signup", "distinct_id": "a", "timestamp": "2024-01-01T00:00:00Z", "properties": {"$set": {"email": "a@x.io", "n": 1}}}"#,
        r#"{"event": "signup", "distinct_id": "b", "timestamp": "2024-01-01T00:00:01Z", "properties": {"$set": {"email": "b \"q\" é"}}}"#,
        r#"{"event": "view", "distinct_id": "a", "timestamp": "2024-01-01T00:00:02Z", "properties": {}}"#,
        r#"{"event": "view", "distinct_id": "c", "timestamp": "2024-01-01T00:00:03Z", "properties": {}}"#,
    ]
    .join("\n");
    let out = hog(&["import", "-", "--store", store_arg], Some(&jsonl));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let q = "select person.properties.email as e, person.properties.n as n, count() as c \
             from events group by e, n order by e, n";
    let before = query(&store, q);
    assert!(before.contains("[\"a@x.io\",\"1\",2]"), "{before}");

    let stdout = materialize(store_arg, &["--person-table", "email"]);
    assert!(
        stdout.contains("person.properties.email → person.pmat_email Nullable(String)"),
        "{stdout}"
    );
    let out = hog(&["materialize", "--list", "--store", store_arg], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("person.pmat_email"));

    assert_eq!(query(&store, q), before);
    let out = hog(
        &["repl", "--format", "csv", "--store", store_arg],
        Some(&format!("\\sql\n{q};\n")),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("pmat_email"), "{stderr}");
    // `n` has no column: it is still read from the JSON.
    assert!(stderr.contains("JSONExtractRaw"), "{stderr}");
}
