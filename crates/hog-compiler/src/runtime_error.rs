//! Rendering a runtime error at its source position: `script.hog:12:5`, the source underlined,
//! and the Hog call stack (every call that led there, innermost first).
//!
//! The VM reports positions as element indexes of the bytecode array (the `ip` of the failing
//! instruction and of each pending call); the [`SourceMap`] turns them into spans.

use crate::diagnostic::{Severity, render_report};
use crate::source_map::SourceMap;
use hogql_parser::LineIndex;
use hogql_parser::ast::Span;

/// `FILE:LINE:COL` of a span (1-based line and column).
pub fn position(file: &str, source: &str, span: Span) -> String {
    let lc = LineIndex::new(source).line_col(source, span.start);
    format!("{file}:{}:{}", lc.line, lc.column + 1)
}

/// The error `message` raised at element `ip`, called through `callers` (the element indexes of
/// the pending calls, innermost first). Positions the map does not know are left out.
pub fn render_runtime_error(
    file: &str,
    source: &str,
    map: &SourceMap,
    message: &str,
    ip: usize,
    callers: &[usize],
) -> String {
    let Some(at) = map.span_at(ip) else {
        return format!("error: {message}\n");
    };
    let caller_spans: Vec<Span> = callers.iter().filter_map(|c| map.span_at(*c)).collect();
    let extra: Vec<(Span, String)> = caller_spans
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, format!("{}. called from here", i + 1)))
        .collect();
    let mut out = format!("{}: error: {message}\n", position(file, source, at));
    out.push_str(&render_report(
        file,
        source,
        Severity::Error,
        at,
        message,
        &[],
        &extra,
    ));
    if !caller_spans.is_empty() {
        out.push_str("Hog call stack (innermost first):\n");
        out.push_str(&format!("  at {}\n", position(file, source, at)));
        for s in &caller_spans {
            out.push_str(&format!("  called from {}\n", position(file, source, *s)));
        }
    }
    out
}
