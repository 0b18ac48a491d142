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
