//! End-to-end tests of `hog parse`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn hog(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hog"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hog");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("hog output")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn json_ast_of_a_select() {
    let out = hog(&["parse", "--select", "--json", "-"], "select 1");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        r#"{"ctes":null,"distinct":null,"group_by":null,"having":null,"node":"SelectQuery","prewhere":null,"qualify":null,"select":[{"node":"Constant","value":1}],"select_from":null,"where":null}"#
    );
}

#[test]
fn positions_are_added_on_request() {
    let out = hog(&["parse", "--expr", "--json", "--positions"], "a + 1");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains(r#""start":{"column":0,"line":1,"offset":0}"#),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn programs_and_templates() {
    let out = hog(&["parse", "--program", "--json"], "let x := 1\nprint(x)");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with(r#"{"declarations":[{"expr""#));
    let out = hog(&["parse", "--template", "--json"], "hi {name}");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains(r#""name":"concat""#));
}

#[test]
fn syntax_errors_exit_1_with_line_and_column() {
    let out = hog(&["parse", "--select"], "select 1,\n  2 +");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("<stdin>:2:6"), "{err}");
}

#[test]
fn batch_prints_one_line_per_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("q.jsonl");
    std::fs::write(&path, "\"select 1\"\n\"select (\"\n\"select a from t\"\n").expect("write");
    let out = hog(
        &[
            "parse",
            "--select",
            "--json",
            "--batch",
            path.to_str().expect("utf-8 path"),
        ],
        "",
    );
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[1].contains(r#""error":true"#));
    assert!(lines[2].contains(r#""chain":["t"]"#));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    let out = hog(&["parse", "--select", "/nonexistent/file.sql"], "");
    assert_eq!(out.status.code(), Some(2));
    let out = hog(&["parse", "--select", "--expr"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn never_panics_on_garbage() {
    for input in [
        "\u{0}\u{1}((((",
        "'unterminated",
        "select * from (((((",
        "<a><b></a>",
        "f'{",
        "}}}}",
        "#",
    ] {
        let out = hog(&["parse", "--program"], input);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{input:?}: {:?}",
            out.status
        );
    }
}

#[test]
fn default_output_is_normalised_text() {
    let out = hog(
        &["parse", "--select"],
        "select a,b as c from t where x=1 and not y order by a desc limit 5",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "SELECT a, b AS c\nFROM t\nWHERE x = 1 AND NOT y\nORDER BY a DESC\nLIMIT 5\n"
    );
    let out = hog(&["parse", "--expr"], "(1+2)*3 ?? `my col`");
    assert_eq!(text(&out.stdout), "(1 + 2) * 3 ?? `my col`\n");
    let out = hog(
        &["parse", "--program"],
        "fun f(x) { if (x) { return 1 } return 2 } print(f(true))",
    );
    assert_eq!(
        text(&out.stdout),
        "fun f(x) {\n    if (x) {\n        return 1;\n    }\n    return 2;\n}\nprint(f(true));\n"
    );
    let out = hog(&["parse", "--template"], "hi {name}!");
    assert_eq!(text(&out.stdout), "'hi ' || name || '!'\n");
}

#[test]
fn normalised_text_parses_back_to_itself() {
    let src = "with x as (select 1) select count(*) filter (where a > 1), \
               b from x left join y using id where c in (1, 2) group by b";
    let first = hog(&["parse", "--select"], src);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let second = hog(&["parse", "--select"], &text(&first.stdout));
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert_eq!(text(&first.stdout), text(&second.stdout));
}

#[test]
fn tree_shows_nodes_with_spans() {
    let out = hog(&["parse", "--expr", "--tree"], "a + 1");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "ArithmeticOperation + @0..5\n  Field a @0..1\n  Constant 1 @4..5\n"
    );
    let out = hog(&["parse", "--program", "--tree"], "let x := 1");
    assert_eq!(
        text(&out.stdout),
        "Program @0..10\n  VarDecl x @0..10\n    value: Constant 1 @9..10\n"
    );
}

#[test]
fn tree_and_json_are_exclusive() {
    let out = hog(&["parse", "--tree", "--json"], "select 1");
    assert_eq!(out.status.code(), Some(2));
}
