//! End-to-end tests of `hog check`.

use std::process::Command;

fn check(source: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("script.hog");
    std::fs::write(&src, source).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_hog"))
        .arg("check")
        .arg(&src)
        .args(extra)
        .output()
        .expect("run hog");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn clean_script_passes() {
    let (code, stdout, stderr) = check(
        "let e := event\nreturn geoipLookup(e.properties.$ip)\n",
        &["--profile", "transformation"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("no problems"), "{stdout}");
}

#[test]
fn unknown_function_global_arity_and_unreachable_code_are_problems() {
    let source = "print(evnt.event)\nsendSlack('hi')\nprint(upper('a', 'b'))\nfun f() {\n    return 1\n    print('never')\n}\n";
    let (code, stdout, stderr) = check(source, &[]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("Unknown global variable: evnt"), "{stderr}");
    assert!(
        stderr.contains("Hog function `sendSlack` is not implemented"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Function upper requires at most 1 arguments"),
        "{stderr}"
    );
    assert!(stderr.contains("Unreachable code"), "{stderr}");
    assert!(stdout.contains("problem(s) in 1 of 1 file(s)"), "{stdout}");
}

#[test]
fn host_functions_depend_on_the_profile() {
    let source = "fetch('https://example.com')\n";
    let (code, _, stderr) = check(source, &["--profile", "transformation"]);
    assert_eq!(code, Some(1), "fetch is not available to transformations");
    assert!(
        stderr.contains("Hog function `fetch` is not implemented"),
        "{stderr}"
    );
    let (code, _, stderr) = check(source, &["--profile", "destination"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = check(
        source,
        &["--profile", "transformation", "--host-fn", "fetch/1"],
    );
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn syntax_errors_are_problems() {
    let (code, _, stderr) = check("let x := (1 +\n", &[]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("script.hog"), "{stderr}");
}
