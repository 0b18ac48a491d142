//! Rendering errors for people: `FILE:LINE:COL: error: message`, then the source with the span
//! underlined (ariadne). Used only at the edge (CLI, REPL); the parser itself returns values.

use crate::error::ParseError;
use crate::line_index::LineIndex;
use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};

/// Renders errors of `src` (named `name` in the output). `color` adds ANSI colours.
pub fn render_errors(errors: &[ParseError], src: &str, name: &str, color: bool) -> String {
    let index = LineIndex::new(src);
    let mut out = String::new();
    for e in errors {
        let lc = index.line_col(src, e.span.start);
        // 1-based column for people (editors count from 1).
        out.push_str(&format!(
            "{name}:{}:{}: error: {}\n",
            lc.line,
            lc.column + 1,
            e.message
        ));
        let start = (e.span.start as usize).min(src.len());
        let end = (e.span.end as usize).clamp(start, src.len());
        let mut report = Report::build(ReportKind::Error, (name, start..end))
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte),
            )
            .with_message(&e.message)
            .with_label(Label::new((name, start..end)).with_message(&e.message));
        for h in &e.hints {
            report = report.with_help(h);
        }
        let mut buf = Vec::new();
        if report
            .finish()
            .write((name, Source::from(src)), &mut buf)
            .is_ok()
        {
            out.push_str(&String::from_utf8_lossy(&buf));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_line_and_column() {
        let src = "select 1,\n  2 +";
        let errs = crate::parse_select(src).unwrap_err();
        let text = render_errors(&errs, src, "q.sql", false);
        assert!(
            text.starts_with("q.sql:2:6: error: unexpected end of input"),
            "{text}"
        );
        assert!(text.contains("expected one of"), "{text}");
    }
}
