//! HogQL and Hog: lexer, parser, AST, printer and PostHog-compatible JSON export.
//!
//! Stages (see `ARCHITECTURE.md`): text → tokens ([`lexer`]) → AST ([`ast`]). Parsing tries a
//! recursive-descent parser first and falls back to the LR parser generated from
//! `grammar/hogql.lalrpop` (the definition of the language, and the one that reports errors);
//! both build the same trees, which `tests/descent.rs` checks.
//! One function per entry point: [`parse_expr`], [`parse_select`], [`parse_program`],
//! [`parse_template`]. Errors are values ([`ParseError`]); line/column is computed only for
//! display ([`LineIndex`]).
#![forbid(unsafe_code)]

pub mod ast;
pub mod error;
pub mod lexer;
mod line_index;
mod parser;
pub mod posthog_json;
pub mod print;
pub mod render;
pub mod token;

pub use error::{ErrorKind, ParseError};
pub use line_index::{LineCol, LineIndex};

use ast::{Expr, Program, Query, Span};
use lexer::Entry;
use parser::Parsed;

/// The deepest tree the parser builds. Deeper input (e.g. 10,000 nested parentheses, or a
/// chain of thousands of `+`) is a [`ErrorKind::TooDeep`] error, so code that walks the tree
/// recursively (visitors, printers, compilers, `Drop`) stays within a small stack.
pub const MAX_DEPTH: u32 = 500;

/// The two parsers separately, for the tests that check they agree (not part of the API).
#[doc(hidden)]
pub mod testing {
    pub use crate::parser::{Parsed, descent_only, lr_only};
}

/// Parses one HogQL/Hog expression (`1 + 2`, `properties.$browser = 'Chrome'`, `x -> x * 2`).
pub fn parse_expr(src: &str) -> Result<Expr, Vec<ParseError>> {
    match parser::run(src, Entry::Expr)? {
        Parsed::Expr(e) => Ok(e),
        _ => Err(vec![internal(src)]),
    }
}

/// Parses a SELECT query or a set operation (`UNION ALL`, `EXCEPT`, `INTERSECT`) of them.
pub fn parse_select(src: &str) -> Result<Query, Vec<ParseError>> {
    match parser::run(src, Entry::Select)? {
        Parsed::Query(q) => Ok(q),
        _ => Err(vec![internal(src)]),
    }
}

/// Parses a Hog program (statements and declarations).
pub fn parse_program(src: &str) -> Result<Program, Vec<ParseError>> {
    match parser::run(src, Entry::Program)? {
        Parsed::Program(declarations) => Ok(Program {
            declarations,
            span: Span::new(0, src.len() as u32),
        }),
        _ => Err(vec![internal(src)]),
    }
}

/// Parses a whole text as a template: literal text with `{expr}` interpolations
/// (`Hello {person.name}!`). The result is a string constant, the single interpolated
/// expression, or a `concat(…)` call, as for `f'…'` strings.
pub fn parse_template(src: &str) -> Result<Expr, Vec<ParseError>> {
    match parser::run(src, Entry::Template)? {
        Parsed::Expr(e) => Ok(e),
        _ => Err(vec![internal(src)]),
    }
}

/// The start token decides what the grammar returns, so a mismatch cannot happen; this error
/// exists only so that the impossible case is not a panic.
fn internal(src: &str) -> ParseError {
    ParseError::new(
        ErrorKind::UnexpectedToken,
        Span::new(0, src.len() as u32),
        "internal error: wrong parse result kind",
    )
}
