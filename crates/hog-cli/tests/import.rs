//! `hog import` and `hog setup` end to end: the real binary, the real embedded engine.

use hog_store::{EmbeddedStore, EventStore, Param, Params, Value};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

fn hog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hog"))
        .args(args)
        .output()
        .expect("hog runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The engine serves one data directory per process: in-process store checks take turns.
static IN_PROCESS: Mutex<()> = Mutex::new(());

/// Runs `f` on the store in `dir` (opened in this process, closed afterwards).
fn with_store<T>(dir: &Path, f: impl FnOnce(&EmbeddedStore) -> T) -> T {
    let _turn = IN_PROCESS.lock().unwrap_or_else(|p| p.into_inner());
    let store = EmbeddedStore::open(dir, &mut |m| eprintln!("{m}")).expect("store opens");
    f(&store)
}

fn count(store: &EmbeddedStore, sql: &str, team: i64) -> u64 {
    let mut params = Params::new();
    params.insert("team".into(), Param::Int(team));
    match store.query(sql, &params).unwrap().rows[0][0] {
        Value::UInt(n) => n,
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn import_reports_bad_lines_and_keeps_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let file = dir.path().join("events.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"event":"$pageview","distinct_id":"a","properties":{"$browser":"Chrome"},"timestamp":"2024-01-01T00:00:00Z"}"#, "\n",
            "{oops\n",
            r#"{"event":"$identify","distinct_id":"b","properties":{"$anon_distinct_id":"a","$set":{"email":"b@x.io"}}}"#, "\n",
            "\n",
            r#"{"distinct_id":"c"}"#, "\n",
        ),
    )
    .unwrap();
    let out = hog(&[
        "import",
        file.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--team-id",
        "7",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("hog import: line 2: invalid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hog import: line 5: missing `event`"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("imported 2 events (2 bad lines) into team 7 of "),
        "{stdout}"
    );

    with_store(&store, |s| {
        assert_eq!(
            count(s, "SELECT count() FROM events WHERE team_id = %(team)s", 7),
            2
        );
        assert_eq!(
            count(s, "SELECT count() FROM events WHERE team_id != %(team)s", 7),
            0
        );
        // a and b are one person after $identify.
        assert_eq!(
            count(
                s,
                "SELECT count() FROM (SELECT id FROM person WHERE team_id = %(team)s GROUP BY id HAVING argMax(is_deleted, version) = 0)",
                7
            ),
            1
        );
    });

    // --strict stops at line 2.
    let out = hog(&[
        "import",
        file.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--team-id",
        "8",
        "--strict",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("stopped at the first bad line (--strict): line 2"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_store_in_use_names_its_owner_and_missing_files_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = hog(&[
        "import",
        "/no/such/file.jsonl",
        "--store",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /no/such/file.jsonl"));

    with_store(dir.path(), |_held| {
        let out = hog(&[
            "import",
            "--demo",
            "--events",
            "10",
            "--store",
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        let expected = format!(
            "store {} is in use by process {}",
            dir.path().canonicalize().unwrap().display(),
            std::process::id()
        );
        assert!(
            text(&out.stderr).contains(&expected),
            "{}",
            text(&out.stderr)
        );
    });
}

#[test]
fn demo_import_and_setup_create_the_same_deterministic_data() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("demo.jsonl");
    let out = hog(&[
        "import",
        "--demo",
        "--events",
        "1500",
        "--seed",
        "3",
        "--out",
        jsonl.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(lines.lines().count(), 1500);

    // Importing the file and importing --demo directly (in batches of 100) give the same events.
    let a = dir.path().join("a");
    let out = hog(&[
        "import",
        jsonl.to_str().unwrap(),
        "--store",
        a.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = hog(&[
        "import",
        "--demo",
        "--events",
        "1500",
        "--seed",
        "3",
        "--store",
        a.to_str().unwrap(),
        "--team-id",
        "2",
        "--batch-size",
        "100",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let zero = hog(&[
        "import",
        jsonl.to_str().unwrap(),
        "--store",
        a.to_str().unwrap(),
        "--batch-size",
        "0",
    ]);
    assert_eq!(zero.status.code(), Some(2), "{}", text(&zero.stderr));
    with_store(&a, |s| {
        let by_team = |team| {
            let mut params = Params::new();
            params.insert("team".into(), Param::Int(team));
            s.query("SELECT event, count(), sum(length(properties)) FROM events WHERE team_id = %(team)s GROUP BY event ORDER BY event", &params)
                .unwrap()
                .rows
        };
        assert_eq!(by_team(1), by_team(2));
    });

    // `hog setup --demo` reports the engine and fills an empty store once.
    let b = dir.path().join("b");
    let out = hog(&[
        "setup",
        "--demo",
        "--events",
        "800",
        "--store",
        b.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("engine ready: ClickHouse 26.9.0 at "),
        "{stdout}"
    );
    assert!(
        stdout.contains(": 800 events imported into team 1"),
        "{stdout}"
    );
    let again = hog(&[
        "setup",
        "--demo",
        "--events",
        "800",
        "--store",
        b.to_str().unwrap(),
    ]);
    assert!(
        text(&again.stdout).contains("already has 800 events in team 1"),
        "{}",
        text(&again.stdout)
    );
}
