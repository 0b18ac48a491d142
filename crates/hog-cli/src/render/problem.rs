//! Problems in what the user typed, underlined in the text with ariadne. Parser, translator,
//! compiler and REPL warnings all become a [`Problem`] so they look alike in the REPL and in
//! `hog query`.

use ariadne::{CharSet, Color, Config, IndexType, Label, Report, ReportKind, Source};
use std::ops::Range;

/// The name ariadne shows for the text (`╭─[ input:1:8 ]`).
const SOURCE: &str = "input";

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem: a message, where (byte range of the entry, if known), and hints.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Range<usize>>,
    /// Short text put on the underline.
    pub label: Option<String>,
    pub hints: Vec<String>,
}

impl Problem {
    pub fn error(message: impl Into<String>, span: Option<Range<usize>>) -> Problem {
        Problem {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            hints: Vec::new(),
        }
    }

    pub fn warning(message: impl Into<String>, span: Option<Range<usize>>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Problem {
        self.label = Some(label.into());
        self
    }

    pub fn with_hints(mut self, hints: impl IntoIterator<Item = String>) -> Problem {
        self.hints.extend(hints);
        self
    }

    /// The problem with its source lines and underline, as ariadne draws it.
    pub fn render(&self, source: &str, color: bool) -> String {
        let Some(span) = self.span.clone() else {
            return self.render_plain(color);
        };
        // Keep the range inside the text and on character boundaries, whatever a stage said.
        let mut start = span.start.min(source.len());
        while !source.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, source.len());
        while !source.is_char_boundary(end) {
            end += 1;
        }
        // An empty span (end of input) still gets a visible mark.
        let label_span = if start == end {
            if end < source.len() {
                let next = source[end..].chars().next().map_or(1, char::len_utf8);
                start..end + next
            } else {
                start..end
            }
        } else {
            start..end
        };
        let (kind, colour) = match self.severity {
            Severity::Error => (ReportKind::Error, Color::Red),
            Severity::Warning => (ReportKind::Warning, Color::Yellow),
        };
        let label_text = self.label.clone().unwrap_or_else(|| match self.severity {
            Severity::Error => "here".to_string(),
            Severity::Warning => "this".to_string(),
        });
        let mut report = Report::build(kind, (SOURCE, label_span.clone()))
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte)
                    .with_char_set(CharSet::Unicode),
            )
            .with_message(&self.message)
            .with_label(
                Label::new((SOURCE, label_span))
                    .with_message(label_text)
                    .with_color(colour),
            );
        for hint in &self.hints {
            report = report.with_help(hint);
        }
        let mut out = Vec::new();
        match report
            .finish()
            .write((SOURCE, Source::from(source)), &mut out)
        {
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            Err(_) => self.render_plain(color),
        }
    }

    fn render_plain(&self, color: bool) -> String {
        let (word, code) = match self.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let mut out = if color {
            format!("{code}{word}\x1b[0m: {}\n", self.message)
        } else {
            format!("{word}: {}\n", self.message)
        };
        for hint in &self.hints {
            out.push_str(&format!("  help: {hint}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underlines_the_span() {
        let p = Problem::error("unexpected `from`", Some(7..11))
            .with_hints(["expected an expression".to_string()]);
        let out = p.render("select from events", false);
        assert!(out.contains("unexpected `from`"), "{out}");
        assert!(out.contains("select from events"), "{out}");
        assert!(out.contains("┬"), "{out}");
        assert!(out.contains("expected an expression"), "{out}");
    }

    #[test]
    fn bad_spans_do_not_panic() {
        let text = "select 'é'";
        let reversed = std::ops::Range { start: 5, end: 2 };
        for span in [0..100, 9..9, 8..9, 100..200, reversed] {
            let out = Problem::error("x", Some(span)).render(text, false);
            assert!(out.contains("x"));
        }
        let out = Problem::warning("w", None).render(text, true);
        assert!(out.contains("warning"));
    }
}
