//! End-to-end tests of `hog run` and `hog disasm`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn hog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hog"))
        .args(args)
        .output()
        .expect("run hog")
}

fn vector(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/posthog-vm"
    ))
    .join(name)
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn runs_a_posthog_vector() {
    for name in ["variables", "upvalues", "catch", "mandelbrot"] {
        let out = hog(&["run", vector(&format!("{name}.hoge")).to_str().unwrap()]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let expected = std::fs::read_to_string(vector(&format!("{name}.stdout"))).unwrap();
        assert_eq!(text(&out.stdout), expected, "{name}");
    }
}

#[test]
fn globals_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    // print(event.properties.n * 2)
    let program = write(
        &dir,
        "g.hoge",
        r#"["_H", 1, 33, 2, 32, "n", 32, "properties", 32, "event", 1, 3, 8, 2, "print", 1, 35]"#,
    );
    let globals = write(&dir, "g.json", r#"{"event": {"properties": {"n": 21}}}"#);
    let out = hog(&["run", &program, "--globals", &globals, "--stats"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "42\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("steps: 9 of 100000000"), "{stderr}");
    assert!(stderr.contains("peak memory:"), "{stderr}");
}

#[test]
fn errors_exit_1_with_the_message() {
    let dir = tempfile::tempdir().unwrap();
    // throw HogError('FishError', 'no fish')
    let throw = write(
        &dir,
        "t.hoge",
        r#"["_H", 1, 32, "FishError", 32, "no fish", 2, "HogError", 2, 49]"#,
    );
    let out = hog(&["run", &throw]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("FishError('no fish')"),
        "{}",
        text(&out.stderr)
    );

    let endless = write(&dir, "e.hoge", r#"["_H", 1, 39, -2]"#);
    let out = hog(&["run", &endless, "--max-steps", "1000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Step limit of 1000 instructions exceeded"),
        "{}",
        text(&out.stderr)
    );
    let out = hog(&["run", &endless, "--max-steps", "0", "--timeout-ms", "100"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("timed out"),
        "{}",
        text(&out.stderr)
    );

    // let s := 'x'; while (true) { s := concat(s, s) }
    let doubling = write(
        &dir,
        "d.hoge",
        r#"["_H", 1, 32, "x", 29, 40, 11, 36, 0, 36, 0, 2, "concat", 2, 37, 0, 39, -14, 35]"#,
    );
    let out = hog(&["run", &doubling, "--max-memory", "100000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Memory limit of 100000 bytes exceeded"),
        "{}",
        text(&out.stderr)
    );

    let bad = write(&dir, "b.hoge", r#"["_H", 1, 39, 1, 33, 5]"#);
    let out = hog(&["run", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Invalid jump target"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = hog(&["run", "/nonexistent/file.hoge"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let program = write(&dir, "p.hoge", r#"["_H", 1, 31, 35]"#);
    let globals = write(&dir, "g.json", "[1, 2]");
    let out = hog(&["run", &program, "--globals", &globals]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn disassembles() {
    let out = hog(&["disasm", vector("upvalues.hoge").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(r#"     2  CALLABLE "returnCallable" args=1 upvalues=0 (body to 23)"#),
        "{stdout}"
    );
    assert!(stdout.contains("CALL_GLOBAL print 1"), "{stdout}");
}

// ------------------------------------------------------------------------------------------------
// Hog source: `hog run FILE.hog`
// ------------------------------------------------------------------------------------------------

#[test]
fn runs_hog_source_with_globals() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        &dir,
        "double.hog",
        "let n := event.properties.n\nprint(n * 2)\nprint(f'{event.event} done')\n",
    );
    let globals = write(
        &dir,
        "g.json",
        r#"{"event": {"event": "pay", "properties": {"n": 21}}}"#,
    );
    let out = hog(&["run", &script, "--globals", &globals]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "42\npay done\n");
    assert_eq!(text(&out.stderr), "");
}

/// `s := concat(s, …)` and `a := arrayPushBack(a, v)` grow the value in place only when nothing
/// else holds it; every other reference must still see the old value.
#[test]
fn in_place_accumulators_never_change_a_shared_value() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        &dir,
        "alias.hog",
        "let s := 'a'\nlet t := s\ns := concat(s, 'b', null, 1)\nprint(s, t)\n\
         s := concat(s, s)\nprint(s)\n\
         let a := [1]\nlet b := a\na := arrayPushBack(a, 2)\nprint(a, b)\n\
         a := arrayPushBack(a, a)\nprint(a)\n\
         let m := {'k': [1]}\nlet c := m.k\nc := arrayPushBack(c, 3)\nprint(c, m)\n\
         let acc := []\nfor (let i := 0; i < 3; i := i + 1) { acc := arrayPushBack(acc, i) }\nprint(acc)\n",
    );
    let out = hog(&["run", &script]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "ab1 a\nab1ab1\n[1, 2] [1]\n[1, 2, [1, 2]]\n[1, 3] {'k': [1]}\n[0, 1, 2]\n"
    );
}

#[test]
fn mocks_answer_host_functions_in_order_and_check_their_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        &dir,
        "dest.hog",
        "let r := fetch('https://x.test/a', {'method': 'POST'})\nprint(r.status, r.body)\n\
         print(geoipLookup('1.2.3.4'))\nprint(geoipLookup('5.6.7.8').country)\n",
    );
    let mocks = write(
        &dir,
        "mocks.json",
        r#"{"fetch": [{"args": ["https://x.test/a", {"method": "POST"}], "return": {"status": 201, "body": "ok"}}],
            "geoipLookup": {"return": {"country": "DE"}}}"#,
    );
    let out = hog(&["run", &script, "--mocks", &mocks]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "201 ok\n{'country': 'DE'}\nDE\n");

    // A call the mock does not expect fails the run, naming the function.
    let twice = write(
        &dir,
        "twice.hog",
        "fetch('https://x.test/a', {'method': 'POST'})\nfetch('https://x.test/b')\n",
    );
    let out = hog(&["run", &twice, "--mocks", &mocks]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("fetch: `fetch` was called 2 times, but the mock lists only 1 calls"),
        "{}",
        text(&out.stderr)
    );
    let wrong = write(
        &dir,
        "wrong.hog",
        "fetch('https://x.test/other', {'method': 'POST'})\n",
    );
    let out = hog(&["run", &wrong, "--mocks", &mocks]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the mock expects"),
        "{}",
        text(&out.stderr)
    );

    // Without mocks, fetch is not available; a broken mocks file is a usage error with a position.
    let out = hog(&["run", &script]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--mocks"),
        "{}",
        text(&out.stderr)
    );
    let bad = write(&dir, "bad.json", "{\"fetch\": {\"retrun\": 1}}");
    let out = hog(&["run", &script, "--mocks", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad.json:1:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn files_without_a_known_extension_are_told_apart_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let source = write(&dir, "script", "print('from source')\n");
    let out = hog(&["run", &source]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "from source\n");
    let bytecode = write(
        &dir,
        "program",
        r#"["_H", 1, 32, "from bytecode", 2, "print", 1, 35]"#,
    );
    let out = hog(&["run", &bytecode]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "from bytecode\n");
}

#[test]
fn compile_errors_exit_1_with_the_position() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(&dir, "bad.hog", "let total := 0\ntotl := total + 1\n");
    let out = hog(&["run", &script]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.hog:2:1"), "{stderr}");
    assert!(stderr.contains("Can not assign to globals"), "{stderr}");
    assert!(out.stdout.is_empty());

    let syntax = write(&dir, "syntax.hog", "print(1)\nlet x := (1 +\n");
    let out = hog(&["run", &syntax]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("syntax.hog:"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "nothing runs when the source does not compile"
    );
}

#[test]
fn missing_source_is_a_usage_error() {
    let out = hog(&["run", "/nonexistent/script.hog"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read"),
        "{}",
        text(&out.stderr)
    );
}

const CALLS: &str = r#"fun total(items) {
    let sum := 0
    for (let item in items) {
        sum := sum + jsonParse(item).price
    }
    return sum
}
print('start')
let ok := total(['{"price": 1}'])
print(ok)
let broken := total(['{"price": 2}', '{oops'])
print('never')
"#;

#[test]
fn runtime_errors_name_the_line_the_source_and_the_call_stack() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(&dir, "calls.hog", CALLS);
    let out = hog(&["run", &script]);
    assert_eq!(out.status.code(), Some(1));
    // What ran before the error is printed.
    assert_eq!(text(&out.stdout), "start\n1\n");
    let stderr = text(&out.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("{script}:4:22: Invalid JSON")),
        "the error is at `jsonParse(item)` on line 4: {stderr}"
    );
    // The source is underlined, the call on line 11 too.
    assert!(
        stderr.contains("sum := sum + jsonParse(item).price"),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"let broken := total(['{"price": 2}', '{oops'])"#),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "  at {script}:4:22 in total\n  called from {script}:11:15\n"
        )),
        "{stderr}"
    );
}

#[test]
fn an_uncaught_throw_is_shown_where_it_was_thrown() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        &dir,
        "throw.hog",
        "fun check(email) {\n    if (not email like '%@%') {\n        throw Error(f'not an email: {email}')\n    }\n    return email\n}\nprint(check('a@b.c'))\nprint(check('nope'))\n",
    );
    let out = hog(&["run", &script]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "a@b.c\n");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!("{script}:3:9: Error('not an email: nope')\n")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("called from {script}:8:7")),
        "{stderr}"
    );
}

#[test]
fn limit_errors_are_positioned_and_use_the_profile_texts() {
    let dir = tempfile::tempdir().unwrap();
    let endless = write(
        &dir,
        "endless.hog",
        "let i := 0\nwhile (true) {\n    i := i + 1\n}\n",
    );
    let out = hog(&["run", &endless, "--max-steps", "500"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Step limit of 500 instructions exceeded"),
        "{stderr}"
    );
    assert!(stderr.starts_with(&format!("{endless}:")), "{stderr}");

    let recursion = write(
        &dir,
        "deep.hog",
        "fun down(n) {\n    return down(n + 1)\n}\ndown(0)\n",
    );
    let out = hog(&["run", &recursion, "--profile", "transformation"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "{recursion}:2:12: Call stack exceeded maximum length of 1000\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("called from {recursion}:4:1")),
        "{stderr}"
    );
    assert!(stderr.lines().count() < 60, "the stack is folded: {stderr}");
}

#[test]
fn destination_profile_logs_at_most_25_entries() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        &dir,
        "chatty.hog",
        "for (let i := 1; i <= 30; i := i + 1) {\n    print(i)\n}\n",
    );
    let out = hog(&["run", &script, "--profile", "destination"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // PostHog's 25th log entry is its warning, so 24 printed lines are kept.
    assert_eq!(stdout.lines().count(), 24, "{stdout}");
    assert_eq!(stdout.lines().last(), Some("24"));
    assert!(
        text(&out.stderr).contains("warning: Function exceeded maximum log entries. No more logs will be collected. (6 print calls not logged"),
        "{}",
        text(&out.stderr)
    );
    // Without the profile every line is printed.
    let out = hog(&["run", &script]);
    assert_eq!(text(&out.stdout).lines().count(), 30);
}

#[test]
fn compiled_bytecode_finds_its_source_through_the_source_map() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(&dir, "calls.hog", CALLS);
    let hoge = dir.path().join("calls.hoge");
    let out = hog(&["compile", &script, "-o", hoge.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = hog(&["run", hoge.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("calls.hog:4:22: "), "{stderr}");
    assert!(stderr.contains("in total"), "{stderr}");

    // Without the map, only the message.
    std::fs::remove_file(dir.path().join("calls.hoge.map")).unwrap();
    let out = hog(&["run", hoge.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("calls.hog:"), "{stderr}");
}
