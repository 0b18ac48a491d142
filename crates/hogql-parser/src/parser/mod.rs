//! Parses the lexer's tokens: first with the recursive-descent fast path ([`descent`]); if that
//! does not accept the input, with the LR parser generated from `grammar/hogql.lalrpop`, which
//! defines the language and reports the errors (turned from lalrpop's into ours here).

mod actions;
mod chain;
mod descent;
mod select;

#[allow(clippy::all, clippy::pedantic, unused)]
mod grammar {
    include!(concat!(env!("OUT_DIR"), "/hogql.rs"));
}

use crate::ast::{Expr, Query, Span, Stmt};
use crate::error::{ErrorKind, ParseError};
use crate::lexer::{Entry, Lexer, Spanned};
use crate::token::Tok;
use actions::Builder;
use lalrpop_util::ErrorRecovery;

/// What the grammar's start rule produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Expr(Expr),
    Query(Query),
    Program(Vec<Stmt>),
}

type LpError<'s> = lalrpop_util::ParseError<u32, Tok<'s>, ParseError>;

/// Wraps an action's error for lalrpop.
fn user<'s>(error: ParseError) -> LpError<'s> {
    lalrpop_util::ParseError::User { error }
}

impl Builder<'_> {
    /// Records an error the grammar recovered from (`!` in a statement list).
    fn recovered(&mut self, e: ErrorRecovery<u32, Tok<'_>, ParseError>) {
        let err = convert(e.error, self.src);
        self.errors.push(err);
    }
}

/// Parses `src` from the given entry point. On success the tree; otherwise every error found
/// (lexical errors, recovered syntax errors, the final syntax error), in source order.
pub(crate) fn run(src: &str, entry: Entry) -> Result<Parsed, Vec<ParseError>> {
    match descent_only(src, entry) {
        Some(p) => Ok(p),
        // Also for input over the size limit: the LR path reports it.
        None => lr_only(src, entry),
    }
}

/// All tokens and the lexical errors, for the LR parser.
fn lex(src: &str, entry: Entry) -> (Vec<Spanned<'_>>, Vec<ParseError>) {
    let mut lexer = Lexer::new(src, entry);
    // Tokens average well over three bytes of source, so this rarely grows.
    let mut tokens = Vec::with_capacity(src.len() / 3 + 8);
    tokens.extend(lexer.by_ref());
    (tokens, lexer.take_errors())
}

/// Spans are `u32` offsets.
fn check_size(src: &str) -> Result<(), ParseError> {
    if src.len() >= u32::MAX as usize {
        return Err(ParseError::new(
            ErrorKind::TooDeep,
            Span::new(0, 0),
            "input larger than 4 GiB",
        ));
    }
    Ok(())
}

/// The recursive-descent parser alone: `None` where it gives up (also on any lexical error).
/// The tests compare it with [`lr_only`].
pub fn descent_only(src: &str, entry: Entry) -> Option<Parsed> {
    check_size(src).ok()?;
    let mut lexer = Lexer::new(src, entry);
    let p = descent::parse(src, &mut lexer, entry)?;
    lexer.take_errors().is_empty().then_some(p)
}

/// Only the LR parser: the fallback of [`run`], and for the tests that compare the two parsers.
pub fn lr_only(src: &str, entry: Entry) -> Result<Parsed, Vec<ParseError>> {
    check_size(src).map_err(|e| vec![e])?;
    let (tokens, lex_errors) = lex(src, entry);
    lr_parse(src, &tokens, lex_errors)
}

/// The LR parser over the tokens (error tokens skipped: their errors are in `lex_errors`).
fn lr_parse<'s>(
    src: &'s str,
    tokens: &[Spanned<'s>],
    lex_errors: Vec<ParseError>,
) -> Result<Parsed, Vec<ParseError>> {
    let mut b = Builder::new(src);
    let tokens = tokens
        .iter()
        .copied()
        .filter(|(_, t, _)| *t != Tok::Error)
        .map(Ok::<_, ParseError>);
    let result = grammar::TopParser::new().parse(&mut b, tokens);
    let mut errors = b.errors;
    let result = match result {
        Ok(p) => Some(*p),
        Err(e) => {
            errors.push(convert(e, src));
            None
        }
    };
    // A syntax error right after a bad character is a consequence of it: report the character.
    errors.retain(|e| {
        !lex_errors.iter().any(|le| {
            le.span.end <= e.span.start
                && src
                    .get(le.span.end as usize..e.span.start as usize)
                    .is_some_and(|gap| gap.trim().is_empty())
        })
    });
    errors.extend(lex_errors);
    match result {
        Some(p) if errors.is_empty() => Ok(p),
        _ => {
            errors.sort_by_key(|e| (e.span.start, e.span.end));
            errors.dedup();
            Err(errors)
        }
    }
}

fn convert(e: LpError<'_>, src: &str) -> ParseError {
    use lalrpop_util::ParseError as P;
    match e {
        P::InvalidToken { location } => ParseError::new(
            ErrorKind::UnexpectedCharacter,
            Span::new(location, location + 1),
            "invalid token",
        ),
        P::UnrecognizedEof { location, expected } => {
            let at = (src.len() as u32).max(location);
            with_expected(
                ParseError::new(
                    ErrorKind::UnexpectedEof,
                    Span::new(at, at),
                    "unexpected end of input",
                ),
                &expected,
            )
        }
        P::UnrecognizedToken {
            token: (l, t, r),
            expected,
        } => with_expected(
            ParseError::new(
                ErrorKind::UnexpectedToken,
                Span::new(l, r),
                format!("unexpected {t}"),
            ),
            &expected,
        ),
        P::ExtraToken { token: (l, t, r) } => ParseError::new(
            ErrorKind::UnexpectedToken,
            Span::new(l, r),
            format!("unexpected {t} after the end of the input"),
        ),
        P::User { error } => error,
    }
}

/// Adds "expected one of: …" naming at most a few expected tokens in words.
fn with_expected(err: ParseError, expected: &[String]) -> ParseError {
    let mut names: Vec<String> = Vec::new();
    for e in expected {
        let name = describe_terminal(e);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return err;
    }
    const MAX: usize = 6;
    let more = names.len() > MAX;
    names.truncate(MAX);
    let list = names.join(", ");
    err.with_hint(if more {
        format!("expected one of: {list}, …")
    } else {
        format!("expected one of: {list}")
    })
}

/// A grammar terminal (as lalrpop names it, e.g. `"ident"`, `"SELECT"`, `"("`) in words.
fn describe_terminal(t: &str) -> String {
    let t = t.trim_matches('"');
    match t {
        "ident" | "quoted" => "identifier".into(),
        "int" | "hex" | "bin" | "float" => "number".into(),
        "string" => "string".into(),
        "f'" => "template string".into(),
        "ttext" | "tagtext" => "text".into(),
        "t'" => "`'`".into(),
        "<tag" => "tag".into(),
        "tag>" => "`>`".into(),
        "</tag>" => "closing tag".into(),
        "IFSTMT" => "`IF`".into(),
        "SAMPLE_OFFSET" => "`OFFSET`".into(),
        "NOT_IN" => "`NOT IN`".into(),
        "NOT_LIKE" => "`NOT LIKE`".into(),
        "NOT_ILIKE" => "`NOT ILIKE`".into(),
        "NOT_BETWEEN" => "`NOT BETWEEN`".into(),
        other => format!("`{}`", other.replace("\\\"", "\"")),
    }
}
