//! HogQL and Hog: lexer, parser, AST, printer and PostHog-compatible JSON export.
//!
//! Stages (see `ARCHITECTURE.md`): text → tokens ([`lexer`]) → AST ([`ast`]).
//! Errors are values ([`ParseError`]); line/column is computed only for display ([`LineIndex`]).
#![forbid(unsafe_code)]

pub mod ast;
pub mod error;
pub mod lexer;
mod line_index;
pub mod token;

pub use error::{ErrorKind, ParseError};
pub use line_index::{LineCol, LineIndex};

/// The deepest tree the parser builds. Deeper input (e.g. 10,000 nested parentheses, or a
/// chain of thousands of `+`) is a [`ErrorKind::TooDeep`] error, so code that walks the tree
/// recursively (visitors, printers, compilers, `Drop`) stays within a small stack.
pub const MAX_DEPTH: u32 = 500;
