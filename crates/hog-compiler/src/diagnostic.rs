//! Compile errors and warnings as values (`{severity, kind, span, message, hints}`), rendered with
//! ariadne only when displayed.
//!
//! Messages use PostHog's texts where PostHog has one (hog-bytecode.md §11.10), so an author who
//! searches for an error finds PostHog's documentation too.

use hogql_parser::ast::Span;
use hogql_parser::{LineIndex, ParseError};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Severity {
    Error,
    Warning,
}

/// What a [`Diagnostic`] is about; `hog check` and tests match on this, not on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The source does not parse.
    Syntax,
    /// `let x` twice in one scope.
    AlreadyDeclared,
    /// `x := 1` where `x` is no local or captured variable.
    AssignToGlobal,
    /// `f() := 1` and other targets that cannot be assigned.
    InvalidAssignTarget,
    /// `a[0]`.
    ArrayIndexZero,
    /// `try { } finally { }`.
    FinallyUnsupported,
    /// `try { }` without `catch`.
    TryWithoutCatch,
    /// `{x}` outside `sql(...)`.
    PlaceholderNotAllowed,
    /// A literal the bytecode cannot carry (integers beyond 64 bits, `inf`, `nan`).
    UnsupportedConstant,
    /// `x in cohort 5`.
    CohortUnsupported,
    /// HogQL syntax the Hog compiler has no encoding for (`::`, `CAST`, slices, aliases, …).
    UnsupportedSyntax,
    /// A known function called with a wrong number of arguments.
    WrongArity,
    /// A function that is neither local, STL, nor declared by the host.
    UnknownFunction,
    /// A global the host does not declare.
    UnknownGlobal,
    /// `a = b` as a statement (a comparison whose result is dropped).
    EqualsAsAssignment,
    /// Statements after `return`/`throw` in the same block.
    UnreachableCode,
}

/// One compile-time problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: DiagnosticKind,
    pub span: Span,
    pub message: String,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind,
            span,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn warning(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, span, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A syntax error from the parser, as a diagnostic.
    pub fn from_parse_error(e: &ParseError) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind: DiagnosticKind::Syntax,
            span: e.span,
            message: e.message.clone(),
            hints: e.hints.clone(),
        }
    }

    /// `FILE:LINE:COL: error: message` (1-based line and column), one line, for logs and tests.
    pub fn short(&self, file: &str, source: &str) -> String {
        let idx = LineIndex::new(source);
        let lc = idx.line_col(source, self.span.start);
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!(
            "{file}:{}:{}: {sev}: {}",
            lc.line,
            lc.column + 1,
            self.message
        )
    }

    /// The diagnostic with the source underlined (ariadne), without colours.
    pub fn render(&self, file: &str, source: &str) -> String {
        render_report(
            file,
            source,
            self.severity,
            self.span,
            &self.message,
            &self.hints,
            &[],
        )
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {}..{}",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for Diagnostic {}

/// Renders one report with ariadne: the main span labelled with the message, extra labelled spans
/// (e.g. the call sites of a runtime error's stack), hints as notes. Colour-free so the output is
/// stable in tests and pipes.
pub fn render_report(
    file: &str,
    source: &str,
    severity: Severity,
    span: Span,
    message: &str,
    hints: &[String],
    extra: &[(Span, String)],
) -> String {
    use ariadne::{Config, Label, Report, ReportKind, Source};
    let kind = match severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let clamp = |s: Span| {
        let start = (s.start as usize).min(source.len());
        let end = (s.end as usize).clamp(start, source.len());
        // ariadne counts characters; convert byte offsets.
        let cs = source[..start].chars().count();
        let ce = cs + source[start..end].chars().count();
        cs..ce
    };
    let main = clamp(span);
    let mut report = Report::build(kind, (file, main.clone()))
        .with_config(Config::default().with_color(false))
        .with_message(message)
        .with_label(Label::new((file, main)).with_message(message));
    for (s, text) in extra {
        report = report.with_label(Label::new((file, clamp(*s))).with_message(text));
    }
    for h in hints {
        report = report.with_note(h);
    }
    let mut out = Vec::new();
    if report
        .finish()
        .write((file, Source::from(source)), &mut out)
        .is_err()
    {
        return format!("{severity:?}: {message}");
    }
    String::from_utf8_lossy(&out).into_owned()
}
