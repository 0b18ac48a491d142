//! Rendering a runtime error at its source position: `script.hog:12:5: message`, the source
//! underlined (ariadne), and the Hog call stack (every call that led there, innermost first).
//!
//! The VM reports positions as element indexes of each chunk's bytecode array
//! ([`hog_vm::ErrorTrace`]); the [`SourceMap`] turns those of the program's own chunk (`root`)
//! into spans. Frames of bytecode standard-library functions (`stl/arrayMap`, …) have no source:
//! they are named in the call stack but not underlined.

use crate::diagnostic::{Severity, render_report};
use crate::source_map::SourceMap;
use hog_vm::{ErrorTrace, TraceFrame};
use hogql_parser::LineIndex;
use hogql_parser::ast::Span;

/// The chunk the compiled program runs as.
const ROOT_CHUNK: &str = "root";
/// Call stacks longer than this show their first and last frames only (a runaway recursion has
/// a thousand identical frames).
const MAX_LISTED: usize = 12;
/// At most this many call sites are underlined besides the error itself.
const MAX_LABELS: usize = 6;

/// `FILE:LINE:COL` of a span (1-based line and column).
pub fn position(file: &str, source: &str, span: Span) -> String {
    let (line, col) = line_col(source, span);
    format!("{file}:{line}:{col}")
}

fn line_col(source: &str, span: Span) -> (u32, u32) {
    let lc = LineIndex::new(source).line_col(source, span.start);
    (lc.line, lc.column + 1)
}

/// Where one frame of the stack is in the source, if it is in the program's own code.
fn frame_span(map: &SourceMap, source: &str, frame: &TraceFrame) -> Option<Span> {
    if frame.chunk != ROOT_CHUNK {
        return None;
    }
    map.span_at(frame.ip)
        .filter(|s| s.start as usize <= source.len())
}

/// The error `message` of a run that failed with call stack `trace`, against the program's
/// `source` (named `file`) and its source map. Without a usable position (no trace, or no
/// frame in the program's code) the result is just `error: message`.
pub fn render_runtime_error(
    file: &str,
    source: &str,
    map: &SourceMap,
    message: &str,
    trace: Option<&ErrorTrace>,
) -> String {
    let frames: &[TraceFrame] = trace.map(|t| t.frames.as_slice()).unwrap_or_default();
    let spans: Vec<Option<Span>> = frames.iter().map(|f| frame_span(map, source, f)).collect();
    // The error is shown where the innermost frame of the program's own code is (an error
    // inside `arrayMap` is shown at the `arrayMap(…)` call).
    let Some((at_index, at)) = spans
        .iter()
        .enumerate()
        .find_map(|(i, s)| s.map(|s| (i, s)))
    else {
        return format!("error: {message}\n");
    };

    let mut out = format!("{}: {message}\n", position(file, source, at));
    let mut labels: Vec<(Span, String)> = Vec::new();
    for s in spans.iter().skip(at_index + 1).flatten() {
        if *s == at || labels.iter().any(|(l, _)| l == s) {
            continue;
        }
        if labels.len() == MAX_LABELS {
            break;
        }
        labels.push((*s, format!("{}. called from here", labels.len() + 1)));
    }
    out.push_str(&render_report(
        file,
        source,
        Severity::Error,
        at,
        message,
        &[],
        &labels,
    ));
    if frames.len() > 1 {
        out.push_str("Hog call stack (innermost first):\n");
        for line in stack_lines(file, source, frames, &spans) {
            out.push_str("  ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// One line per frame (`at f.hog:2:12 in shout`, `called from f.hog:5:7`), consecutive
/// identical frames folded, long stacks cut in the middle.
fn stack_lines(
    file: &str,
    source: &str,
    frames: &[TraceFrame],
    spans: &[Option<Span>],
) -> Vec<String> {
    let mut lines: Vec<(String, usize)> = Vec::new();
    for (i, (frame, span)) in frames.iter().zip(spans).enumerate() {
        let lead = if i == 0 { "at" } else { "called from" };
        let mut line = match span {
            Some(s) => format!("{lead} {}", position(file, source, *s)),
            None if frame.chunk.starts_with("stl/") => format!(
                "{lead} the standard library's {}",
                frame.chunk.trim_start_matches("stl/")
            ),
            None => format!("{lead} {} element {}", frame.chunk, frame.ip),
        };
        if let Some(f) = &frame.function
            && !frame.chunk.starts_with("stl/")
        {
            line.push_str(" in ");
            line.push_str(f);
        }
        match lines.last_mut() {
            Some((last, n)) if i > 1 && *last == line => *n += 1,
            _ => lines.push((line, 1)),
        }
    }
    let show = |(l, n): &(String, usize)| {
        if *n > 1 {
            format!("{l} (×{n})")
        } else {
            l.clone()
        }
    };
    if lines.len() <= MAX_LISTED {
        return lines.iter().map(show).collect();
    }
    let head = MAX_LISTED - 4;
    let tail = 3;
    let mut out: Vec<String> = lines[..head].iter().map(show).collect();
    out.push(format!("… {} more frames …", lines.len() - head - tail));
    out.extend(lines[lines.len() - tail..].iter().map(show));
    out
}
