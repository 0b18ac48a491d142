//! Translation errors as values: a kind, a message (PostHog's wording where it has one), a
//! byte span into the query text when one is known, and hints ("did you mean …").

use hogql_parser::ast::Span;
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The query text does not parse.
    Syntax,
    /// A table that is not in the catalogue (incl. system tables and table functions).
    UnknownTable,
    /// A name that resolves to nothing.
    UnknownField,
    /// A function that is not in the function table.
    UnknownFunction,
    /// Wrong number of arguments or parameters.
    ArgumentCount,
    /// A name found in more than one table.
    Ambiguous,
    /// Valid HogQL that this translator (or ClickHouse 26.9) does not support.
    Unsupported,
    /// Anything else the user wrote that cannot be translated.
    Invalid,
    /// Bad configuration (`Context`): unknown time zone, bad setting.
    Config,
}

/// One error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslateError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Option<Span>,
    pub hints: Vec<String>,
}

impl TranslateError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        TranslateError {
            kind,
            message: message.into(),
            span: None,
            hints: Vec::new(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }

    /// Attaches a span unless one is already set (the innermost span wins).
    pub fn at(mut self, span: Span) -> Self {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// A plain-text rendering with `line:column` and the offending source line underlined.
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("error: {}", self.message);
        if let Some(span) = self.span {
            let index = hogql_parser::LineIndex::new(source);
            let pos = index.line_col(source, span.start);
            let line_text = source.lines().nth(pos.line as usize - 1).unwrap_or("");
            let width = source
                .get(span.range())
                .map(|s| s.lines().next().unwrap_or("").chars().count())
                .unwrap_or(1)
                .max(1);
            out.push_str(&format!(
                "\n --> {}:{}\n  | {}\n  | {}{}",
                pos.line,
                pos.column + 1,
                line_text,
                " ".repeat(pos.column as usize),
                "^".repeat(width)
            ));
        }
        for hint in &self.hints {
            out.push_str(&format!("\n  = help: {hint}"));
        }
        out
    }
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TranslateError {}

impl From<hogql_parser::ParseError> for TranslateError {
    fn from(e: hogql_parser::ParseError) -> Self {
        TranslateError {
            kind: ErrorKind::Syntax,
            message: e.message,
            span: Some(e.span),
            hints: e.hints,
        }
    }
}

/// Up to three names from `candidates` close to `name` (edit distance), best first.
pub fn suggestions<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_lowercase();
    let len = lower.chars().count();
    // Similar enough when at least 60% of the longer name survives the edits.
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let longest = len.max(c.chars().count());
            let d = edit_distance(&lower, &c.to_lowercase());
            (d * 5 <= longest * 2).then_some((d, c))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// Levenshtein distance over characters (names are short; O(n·m) is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            suggestions("noway", ["now", "toString", "nowInBlock"]),
            vec!["now"]
        );
        assert_eq!(
            suggestions("tostring", ["toString", "now"]),
            vec!["toString"]
        );
        assert!(suggestions("hamburger", ["now", "count"]).is_empty());
    }
}
