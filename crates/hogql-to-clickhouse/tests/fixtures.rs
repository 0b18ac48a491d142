//! One fixture file per query (`tests/fixtures/**.hogql`) → one insta snapshot holding the
//! printed SQL and its parameters (or the rendered errors for `fixtures/errors/`).
//! Options are leading `-- key: value` comments, see `common::fixture_context`.

mod common;

use common::{fixture_context, format_errors, format_query};
use hogql_to_clickhouse::translate_select;

#[test]
fn fixtures() {
    let mut failures = Vec::new();
    insta::glob!("fixtures/**/*.hogql", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let ctx = fixture_context(&text);
        let expect_error = path.components().any(|c| c.as_os_str() == "errors");
        let output = match translate_select(&text, &ctx) {
            Ok(q) => {
                if expect_error {
                    failures.push(format!(
                        "{}: expected an error, got {}",
                        path.display(),
                        q.sql
                    ));
                }
                if q.inline().contains("%(") {
                    failures.push(format!(
                        "{}: a placeholder was left in the inline SQL",
                        path.display()
                    ));
                }
                format_query(&q)
            }
            Err(errors) => {
                if !expect_error {
                    failures.push(format!(
                        "{}: unexpected error(s):\n{}",
                        path.display(),
                        format_errors(&errors, &text)
                    ));
                }
                format_errors(&errors, &text)
            }
        };
        insta::assert_snapshot!(output);
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
