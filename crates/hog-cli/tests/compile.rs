//! End-to-end tests of `hog compile`.

use std::process::Command;

fn hog() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hog"))
}

#[test]
fn compiles_to_stdout_and_to_a_file_with_source_map() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("hello.hog");
    std::fs::write(&src, "let a := 1 + 2\nprint(a)\n").expect("write");
    let out = hog().arg("compile").arg(&src).output().expect("run hog");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"["_H", 1, 33, 2, 33, 1, 6, 36, 0, 2, "print", 1, 35, 35]"#
    );

    let hoge = dir.path().join("hello.hoge");
    let out = hog()
        .arg("compile")
        .arg(&src)
        .arg("-o")
        .arg(&hoge)
        .output()
        .expect("run hog");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let written = std::fs::read_to_string(&hoge).expect("bytecode written");
    assert!(written.starts_with(r#"["_H", 1, 33, 2"#), "{written}");
    let map = std::fs::read_to_string(dir.path().join("hello.hoge.map")).expect("map written");
    let map: serde_json::Value = serde_json::from_str(&map).expect("map is JSON");
    assert_eq!(map["version"], 1);
    // `print(a)` starts at byte 15 (line 2): its CALL_GLOBAL is element 9.
    let ops = map["ops"].as_array().expect("ops");
    assert!(ops.iter().any(|o| o[0] == 9 && o[1] == 15), "{ops:?}");
}

#[test]
fn compile_errors_are_rendered_with_the_source_and_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("bad.hog");
    std::fs::write(&src, "let total := 0\ntotl := total + 1\n").expect("write");
    let out = hog().arg("compile").arg(&src).output().expect("run hog");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(r#"Variable "totl" not declared in this scope. Can not assign to globals."#),
        "{err}"
    );
    assert!(err.contains("bad.hog:2:1"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_file_is_a_usage_error() {
    let out = hog()
        .args(["compile", "/nonexistent/x.hog"])
        .output()
        .expect("run hog");
    assert_eq!(out.status.code(), Some(2));
}
