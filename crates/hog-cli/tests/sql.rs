//! End-to-end tests of `hog sql`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn hog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hog"))
        .args(args)
        .output()
        .expect("run hog")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn prints_sql_and_parameters() {
    let out = hog(&[
        "sql",
        "select event from events where event = 'x'",
        "--team-id",
        "7",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "SELECT events.event AS event FROM events WHERE and(equals(events.team_id, 7), equals(events.event, %(hogql_val_0)s)) LIMIT 100 SETTINGS readonly=2"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("\n-- hogql_val_0 = 'x'\n"), "{stdout}");
}

#[test]
fn inline_escapes_values() {
    let out = hog(&["sql", "select 'it''s' as a", "--inline", "--no-settings"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "SELECT 'it\\'s' AS a LIMIT 100\n");
}

#[test]
fn reads_the_query_from_stdin() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hog"))
        .args([
            "sql",
            "-",
            "--timezone",
            "Europe/Brussels",
            "--inline",
            "--no-settings",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hog");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"select timestamp from events limit 5")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "SELECT toTimeZone(events.timestamp, 'Europe/Brussels') AS timestamp FROM events WHERE equals(events.team_id, 1) LIMIT 5\n"
    );
}

#[test]
fn errors_point_at_the_query_and_exit_1() {
    let out = hog(&["sql", "select hamburger(event) from events"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Unsupported function call 'hamburger(...)'"),
        "{stderr}"
    );
    assert!(stderr.contains("1:8"), "{stderr}");
    let out = hog(&["sql", "select 1", "--timezone", "Mars/Olympus"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Unknown timezone: 'Mars/Olympus'"));
}

#[test]
fn refuses_other_tables() {
    let out = hog(&["sql", "select * from system.tables"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Unknown table `system.tables`."),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn cohort_flags_define_in_cohort() {
    let query = "select event from events where person_id in cohort 'Power users'";
    let out = hog(&["sql", query, "--inline", "--no-settings"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("Could not find a cohort with the name 'Power users'"),
        "{}",
        text(&out.stderr)
    );

    let out = hog(&[
        "sql",
        query,
        "--cohort",
        "5=Power users",
        "--inline",
        "--no-settings",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(sql.contains("FROM cohortpeople"), "{sql}");
    assert!(sql.contains("equals(cohortpeople.cohort_id, 5)"), "{sql}");

    let out = hog(&[
        "sql",
        "select event from events where person_id not in cohort 7",
        "--static-cohort",
        "7",
        "--inline",
        "--no-settings",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(sql.contains("FROM person_static_cohort"), "{sql}");

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cohorts.json");
    std::fs::write(
        &file,
        r#"[{"id": 9, "name": "Power users", "is_static": false, "version": 3}]"#,
    )
    .expect("write cohorts");
    let out = hog(&[
        "sql",
        query,
        "--cohorts",
        file.to_str().expect("utf-8 path"),
        "--inline",
        "--no-settings",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(sql.contains("equals(cohortpeople.version, 3)"), "{sql}");

    let out = hog(&["sql", query, "--cohorts", "/nonexistent/cohorts.json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--cohorts"),
        "{}",
        text(&out.stderr)
    );

    let help = text(&hog(&["sql", "--help"]).stdout);
    for flag in [
        "--cohort <ID[=NAME]>",
        "--static-cohort",
        "--cohorts <FILE.json>",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
