//! The printer: AST → HogQL / Hog text, and AST → an indented tree for people.
//!
//! The text printer's contract is the round trip: for every tree the parser can build,
//! `parse(print(tree))` is the same tree up to spans (checked by `tests/roundtrip.rs` with
//! generated trees and the benchmark corpus). That decides most choices here:
//!
//! - Names are quoted with backticks whenever they would not lex back as the same plain name
//!   (keywords, `true`/`false`, anything outside `[A-Za-z_$][A-Za-z0-9_$]*`); strings are quoted
//!   with `'` and escaped ([`quote_string`]).
//! - Parentheses follow the grammar's precedence levels ([`expr`]'s `Prec`), so no more are
//!   written than needed, but always where the parser would otherwise build a different tree.
//! - Numbers keep their exact value: integers as digits, floats in Rust's shortest round-trip
//!   form (always with `.` or an exponent so they lex as floats), `inf`, `-inf`, `nan`.
//! - Calls the parser desugared (`||`, `??`, CASE, INTERVAL, TRIM, f-strings; `Call::desugared`)
//!   are printed in their sugared form again, so the flag survives the round trip.
//!
//! Trees the parser never builds (e.g. a `Not` whose operand starts with `(`) still print as
//! text with the same meaning, but may not parse back to the identical node; the cases are
//! named where they are handled.

mod expr;
mod program;
mod select;
mod tree;

pub use tree::{tree_expr, tree_program, tree_query};

use crate::ast::{Expr, Program, Query, SelectQuery, SelectSetQuery};
use crate::token::Kw;

/// An expression as HogQL text (SQL keyword style: `AND`, `IS NULL`, `=`).
pub fn print_expr(e: &Expr) -> String {
    let mut p = Printer::new(Style::Sql);
    p.expr(e, expr::Prec::Alias);
    p.out
}

/// An expression as Hog text (lower-case keywords, `==`), the form used inside programs.
pub fn print_hog_expr(e: &Expr) -> String {
    let mut p = Printer::new(Style::Hog);
    p.expr(e, expr::Prec::Alias);
    p.out
}

/// A SELECT query, one clause per line; subqueries are indented.
pub fn print_select(q: &SelectQuery) -> String {
    let mut p = Printer::new(Style::Sql);
    p.select(q);
    p.out
}

/// A set operation (`UNION ALL`, `EXCEPT`, `INTERSECT`) of SELECT queries.
pub fn print_select_set(q: &SelectSetQuery) -> String {
    let mut p = Printer::new(Style::Sql);
    p.select_set(q);
    p.out
}

/// What `parse_select` returns, printed back.
pub fn print_query(q: &Query) -> String {
    let mut p = Printer::new(Style::Sql);
    p.query(q);
    p.out
}

/// A Hog program: one statement per line, blocks indented by four spaces, every simple
/// statement ended by `;` (Hog needs no separator, but without one `a` followed by `(b)` on the
/// next line would read as the call `a(b)`).
pub fn print_program(prog: &Program) -> String {
    let mut p = Printer::new(Style::Hog);
    for s in &prog.declarations {
        p.stmt(s);
        p.out.push('\n');
    }
    p.out
}

/// Keyword spelling and operator choice. Both parse to the same tree; the style only follows
/// the conventions of the language the text is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// HogQL: upper-case keywords, `=`.
    Sql,
    /// Hog: lower-case keywords, `==`; `if(…)` calls are quoted, because in a program this
    /// lexer reads `if` after `{`, `;`, `}`, `else` or an operand as the `if` statement — also
    /// where PostHog's parser sees the function (`{if(a, b, c): 1}`, `CASE … ELSE if(…) END`).
    Hog,
}

/// Writes text into `out`, tracking the indentation of the current line.
struct Printer {
    out: String,
    indent: usize,
    style: Style,
}

impl Printer {
    fn new(style: Style) -> Self {
        Printer {
            out: String::new(),
            indent: 0,
            style,
        }
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// A keyword in the style's case (`SELECT` / `select`).
    fn kw(&mut self, upper: &str) {
        match self.style {
            Style::Sql => self.out.push_str(upper),
            Style::Hog => self.out.push_str(&upper.to_ascii_lowercase()),
        }
    }

    /// A line break followed by the current indentation.
    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
    }

    /// A name in a position where any identifier is read as a name (field chains, aliases,
    /// table names, variables, parameters).
    fn name(&mut self, n: &str) {
        if n == "*" || is_plain_name(n) {
            self.out.push_str(n);
        } else {
            self.out.push_str(&quote_ident(n));
        }
    }

    /// The name of a called function. Besides plain names, keywords that the grammar also
    /// accepts as function names (`if`, `left`, `any`, `range`, …) are written bare, so common
    /// calls stay readable; `not(…)` and `trim(…)` keep their own spelling, as the parser keeps
    /// the text it saw.
    fn call_name(&mut self, n: &str) {
        let bare = is_plain_name(n)
            || n.eq_ignore_ascii_case("not")
            || n.eq_ignore_ascii_case("trim")
            || (is_word(n)
                && Kw::lookup(n).is_some_and(is_call_keyword)
                && !(self.style == Style::Hog && n.eq_ignore_ascii_case("if")));
        if bare {
            self.out.push_str(n);
        } else {
            self.out.push_str(&quote_ident(n));
        }
    }
}

/// Matches the lexer's plain identifier: `[A-Za-z_$][A-Za-z0-9_$]*`.
fn is_word(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
}

/// A name that lexes back as itself without quotes: a word that is no keyword and not
/// `true`/`false` (which the parser turns into booleans).
pub fn is_plain_name(s: &str) -> bool {
    is_word(s)
        && Kw::lookup(s).is_none()
        && !s.eq_ignore_ascii_case("true")
        && !s.eq_ignore_ascii_case("false")
}

/// Keywords the grammar accepts as the start of an expression (its `IdentKw` set), so they can
/// be printed bare as function names.
fn is_call_keyword(k: Kw) -> bool {
    matches!(
        k,
        Kw::Any
            | Kw::Anti
            | Kw::Asof
            | Kw::Semi
            | Kw::Array
            | Kw::Current
            | Kw::Final
            | Kw::First
            | Kw::Last
            | Kw::Following
            | Kw::Preceding
            | Kw::Unbounded
            | Kw::Full
            | Kw::Inner
            | Kw::Outer
            | Kw::Left
            | Kw::Right
            | Kw::Partition
            | Kw::Range
            | Kw::Row
            | Kw::Rows
            | Kw::Sample
            | Kw::Ties
            | Kw::Totals
            | Kw::If
            | Kw::Limit
            | Kw::Offset
    )
}

/// A backtick-quoted identifier: `` ` `` is doubled, `\` and control characters escaped.
pub fn quote_ident(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('`');
    escape_into(&mut out, s, '`');
    out.push('`');
    out
}

/// A single-quoted string literal that the lexer decodes back to exactly `s`.
pub fn quote_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    escape_into(&mut out, s, '\'');
    out.push('\'');
    out
}

/// Escapes `s` for a literal delimited by `quote`. Only escapes the lexer accepts are used
/// (`\\ \' \n \r \t \b \f \a \v`); NUL is written raw, because `\0` decodes to nothing.
fn escape_into(out: &mut String, s: &str, quote: char) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{7}' => out.push_str("\\a"),
            '\u{b}' => out.push_str("\\v"),
            c if c == quote => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// A float in a form that lexes back as a float with the same value: Rust's shortest
/// round-trip representation, with `.0` when it would otherwise read as an integer.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // `{:?}` is the shortest representation that parses back to the same f64 and always has a
    // `.` or an exponent (`1.0`, `1e16`, `1.5e-7`).
    format!("{v:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_string("it's\n\\"), r"'it''s\n\\'");
        assert_eq!(quote_ident("a`b"), "`a``b`");
        assert!(is_plain_name("$browser"));
        assert!(!is_plain_name("select"));
        assert!(!is_plain_name("True"));
        assert!(!is_plain_name("1a"));
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(1e16), "1e16");
        assert_eq!(format_float(f64::NEG_INFINITY), "-inf");
    }
}
