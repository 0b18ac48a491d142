//! End-to-end tests of `hog test` (named `hogtest` so it does not shadow the `test` crate).

use std::path::Path;
use std::process::Command;

fn hog_test(args: &[&Path], extra: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hog"))
        .arg("test")
        .args(args)
        .args(extra)
        .output()
        .expect("run hog");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write fixture");
}

const SCRIPT: &str =
    "let e := event\ne.properties.seen := true\nprint(f'saw {e.event}')\nreturn e\n";

#[test]
fn passing_and_failing_cases_summary_and_exit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "mark.hog", SCRIPT);
    write(
        dir.path(),
        "mark.test.json",
        r#"{"cases": [
            {"name": "marks the event",
             "globals": {"event": {"event": "a", "properties": {}}},
             "result": {"event": "a", "properties": {"seen": true}},
             "stdout": ["saw a"]},
            {"name": "wrong expectation",
             "globals": {"event": {"event": "b", "properties": {"x": 1}}},
             "result": {"event": "b", "properties": {"x": 1, "seen": false}},
             "stdout": ["saw c"]}
        ]}"#,
    );
    let (code, stdout, _) = hog_test(&[dir.path()], &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("1 passed, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("ok    marks the event  ("), "{stdout}");
    assert!(stdout.contains(" steps, "), "per-case usage: {stdout}");
    assert!(stdout.contains("FAIL  wrong expectation"), "{stdout}");
    // what differs from the expectation, and what the script did to the event
    assert!(
        stdout.contains("~ properties.seen: false → true"),
        "{stdout}"
    );
    assert!(stdout.contains("event before → after:"), "{stdout}");
    assert!(stdout.contains("+ properties.seen: true"), "{stdout}");
    assert!(
        stdout.contains("  - saw c") && stdout.contains("  + saw b"),
        "{stdout}"
    );

    // only the passing case: exit 0
    write(
        dir.path(),
        "mark.test.json",
        r#"{"cases": [{"name": "ok", "globals": {"event": {"event": "a", "properties": {}}},
            "result": {"event": "a", "properties": {"seen": true}}}]}"#,
    );
    let (code, stdout, _) = hog_test(&[&dir.path().join("mark.hog")], &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 0 failed"));
}

#[test]
fn mocked_and_unmocked_host_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "notify.hog",
        "let r := fetch('https://hooks.example/x', {'method': 'POST', 'body': event.event})\nprint(r.status)\nreturn r.body.ok\n",
    );
    write(
        dir.path(),
        "notify.test.json",
        r#"{"profile": "destination", "cases": [
            {"name": "posts the event",
             "globals": {"event": {"event": "signed_up"}},
             "mocks": {"fetch": [{"args": ["https://hooks.example/x", {"method": "POST", "body": "signed_up"}],
                                  "return": {"status": 200, "body": {"ok": true}}}]},
             "result": true, "stdout": ["200"]},
            {"name": "not mocked",
             "globals": {"event": {"event": "signed_up"}},
             "result": true},
            {"name": "expected failure",
             "globals": {"event": {"event": "x"}},
             "mocks": {"fetch": {"error": "connection refused"}},
             "error": "connection refused"}
        ]}"#,
    );
    let (code, stdout, _) = hog_test(&[dir.path()], &[]);
    assert_eq!(
        stdout.lines().last(),
        Some("2 passed, 1 failed"),
        "{stdout}"
    );
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("host function `fetch` is not mocked in this test case"),
        "{stdout}"
    );
}

#[test]
fn destination_profile_limits_fetches_and_log_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "spam.hog",
        "for (let i := 0; i < 30; i := i + 1) { print(i) }\nfor (let i := 0; i < 6; i := i + 1) { fetch('https://x') }\nreturn 'done'\n",
    );
    write(
        dir.path(),
        "spam.test.json",
        r#"{"mocks": {"fetch": {"return": {"status": 200}}}, "cases": [
            {"name": "six fetches", "error": "Exceeded maximum number of async steps: 5"}
        ]}"#,
    );
    // without a profile the VM's default allows 100 async steps: the expected error is missing
    let (code, stdout, _) = hog_test(&[dir.path()], &[]);
    assert_eq!(code, Some(1), "{stdout}");
    let (code, stdout, _) = hog_test(&[dir.path()], &["--profile", "destination"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("note: Function exceeded maximum log entries. No more logs will be collected. (6 print calls not logged: destinations log at most 25 entries)"),
        "{stdout}"
    );
}

#[test]
fn chains_feed_each_result_to_the_next_script() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.hog",
        "let e := event\ne.properties.step := 'a'\nreturn e\n",
    );
    write(
        dir.path(),
        "b.hog",
        "let e := event\ne.properties.step := concat(e.properties.step, 'b')\nreturn e\n",
    );
    write(
        dir.path(),
        "pipeline.test.json",
        r#"{"chain": ["a.hog", "b.hog"], "cases": [
            {"name": "both run", "globals": {"event": {"properties": {}}},
             "result": {"properties": {"step": "ab"}}}
        ]}"#,
    );
    let (code, stdout, _) = hog_test(&[&dir.path().join("pipeline.test.json")], &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 0 failed"));
}

#[test]
fn broken_test_files_count_as_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "x.hog", "let a := 1\nlet a := 2\n");
    write(dir.path(), "x.test.json", r#"{"cases": [{"name": "c"}]}"#);
    let (code, stdout, _) = hog_test(&[dir.path()], &[]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("does not compile"), "{stdout}");
    assert!(
        stdout.contains("Variable `a` already declared in this scope"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("0 passed, 1 failed"));
}

#[test]
fn the_example_transformations_pass() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let (code, stdout, stderr) = hog_test(&[&examples], &[]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.ends_with(" passed, 0 failed"))
    );
}

/// PostHog's own geoip template, as PostHog compiled it (`../shared/bench/geoip`), tested with
/// `hog test` against its five expected events: `.hoge` scripts are testable like `.hog` ones.
#[test]
fn posthog_compiled_geoip_template_passes_its_expected_results() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/geoip");
    let read = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(shared.join(name)).expect("shared geoip data");
        serde_json::from_str(&text).expect("JSON")
    };
    let globals = read("geoip-globals.json");
    let expected = read("geoip-expected.json");
    let records = read("geoip-lookup-records.json");
    let mut cases = Vec::new();
    for (i, (g, e)) in globals
        .as_array()
        .expect("list")
        .iter()
        .zip(expected.as_array().expect("list"))
        .enumerate()
    {
        let ip = g["event"]["properties"]["$ip"].clone();
        let answer = ip
            .as_str()
            .and_then(|ip| records.get(ip))
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        cases.push(serde_json::json!({
            "name": format!("event {i}"),
            "globals": g,
            "mocks": {"geoipLookup": [{"args": [ip], "return": answer}]},
            "result": e,
        }));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let bytecode = std::fs::read_to_string(shared.join("geoip-bytecode.json")).expect("bytecode");
    write(dir.path(), "geoip.hoge", &bytecode);
    let spec = serde_json::json!({"profile": "transformation", "cases": cases});
    write(dir.path(), "geoip.test.json", &spec.to_string());
    let (code, stdout, stderr) = hog_test(&[dir.path()], &[]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("5 passed, 0 failed"),
        "{stdout}"
    );

    // A wrong expectation shows the difference and the before/after of the event.
    let mut spec = spec;
    spec["cases"][0]["result"]["properties"]["$geoip_city_name"] = "Nowhere".into();
    write(dir.path(), "geoip.test.json", &spec.to_string());
    let (code, stdout, _) = hog_test(&[dir.path()], &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stdout.lines().last(),
        Some("4 passed, 1 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("~ properties.$geoip_city_name: \"Nowhere\" → \"Karlstad\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ properties.$geoip_city_name: \"Karlstad\""),
        "{stdout}"
    );
}

#[test]
fn unexpected_errors_are_shown_in_the_source_with_the_call_stack() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "parse.hog",
        "fun payload(e) {\n    return jsonParse(e.properties.raw)\n}\nlet e := event\ne.properties.parsed := payload(e)\nreturn e\n",
    );
    write(
        dir.path(),
        "parse.test.json",
        r#"{"cases": [
            {"name": "valid JSON", "globals": {"event": {"properties": {"raw": "[1]"}}},
             "result": {"properties": {"raw": "[1]", "parsed": [1]}}},
            {"name": "broken JSON", "globals": {"event": {"properties": {"raw": "{x"}}},
             "result": {"properties": {"raw": "{x"}}},
            {"name": "broken JSON, error expected", "globals": {"event": {"properties": {"raw": "{x"}}},
             "error": "Invalid JSON"}
        ]}"#,
    );
    let (code, stdout, _) = hog_test(&[dir.path()], &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("2 passed, 1 failed"),
        "{stdout}"
    );
    let script = dir.path().join("parse.hog").display().to_string();
    assert!(
        stdout.contains(&format!("{script}:2:12: Invalid JSON")),
        "{stdout}"
    );
    assert!(
        stdout.contains("return jsonParse(e.properties.raw)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "at {script}:2:12 in payload\n          called from {script}:5:24"
        )),
        "{stdout}"
    );
}

/// Bytecode compiled with `hog compile -o` keeps its source map: errors point at the source.
#[test]
fn compiled_bytecode_errors_point_at_the_source_through_its_map() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("dist")).expect("mkdir");
    let source = dir.path().join("src/strict.hog");
    std::fs::write(
        &source,
        "if (empty(event.properties.email)) {\n    throw Error('email required')\n}\nreturn event\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_hog"))
        .arg("compile")
        .arg(&source)
        .arg("-o")
        .arg(dir.path().join("dist/strict.hoge"))
        .output()
        .expect("run hog");
    assert!(out.status.success(), "{out:?}");
    write(
        &dir.path().join("dist"),
        "strict.test.json",
        r#"{"cases": [{"name": "no email", "globals": {"event": {"properties": {}}},
                       "result": {"properties": {}}}]}"#,
    );
    let (code, stdout, _) = hog_test(&[&dir.path().join("dist")], &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{}:2:5: Error('email required')",
            source.display()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("throw Error('email required')"), "{stdout}");
}
