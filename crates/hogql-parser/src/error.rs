//! Syntax errors as values. Rendering (ariadne, `LINE:COL`) happens at the edge, see
//! [`crate::render`]; here an error is just data: what went wrong, where, and what might help.

use crate::ast::Span;
use serde::Serialize;

/// What kind of problem a [`ParseError`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A character that starts no token (`!`, `&`, `@`, …).
    UnexpectedCharacter,
    /// A string, quoted identifier or block comment that is never closed.
    Unterminated,
    /// A malformed literal: a bad escape sequence, a number such as `0o17` or `0b2`.
    InvalidLiteral,
    /// A token the grammar does not allow here.
    UnexpectedToken,
    /// The input ended where more was needed.
    UnexpectedEof,
    /// Nesting deeper than [`crate::MAX_DEPTH`].
    TooDeep,
    /// Syntax PostHog's grammar accepts but HogQL refuses (`SETTINGS`, `TOP`, `DATE '…'`,
    /// `JOIN … ON a, b`, …).
    Unsupported,
    /// A name that may not be used where it was (`team_id` as an alias, mismatched tag names).
    InvalidName,
}

/// One syntax error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    pub kind: ErrorKind,
    /// Where in the source; empty at the end of input for [`ErrorKind::UnexpectedEof`].
    pub span: Span,
    /// One sentence, lower-case start, no trailing period: "unexpected `)`".
    pub message: String,
    /// Suggestions, e.g. "expected one of: identifier, `(`, number".
    pub hints: Vec<String>,
}

impl ParseError {
    pub fn new(kind: ErrorKind, span: Span, message: impl Into<String>) -> Self {
        ParseError {
            kind,
            span,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {}..{}",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for ParseError {}
