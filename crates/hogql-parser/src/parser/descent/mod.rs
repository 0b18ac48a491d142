//! The fast path: a hand-written recursive-descent parser for the same grammar as
//! `grammar/hogql.lalrpop`.
//!
//! Why two parsers: the LR table driver spends most of its time shuffling symbols and reducing
//! one-child rules, which kept the parser far below the throughput target (issue #2). A
//! recursive-descent parser decides with a token or two of lookahead and calls the node builders
//! directly. The LR grammar stays the definition of the language and the only error reporter:
//! this parser has no error recovery and no messages. On anything it does not accept (an
//! unexpected token, an action that reports an error, nesting beyond [`MAX_NESTING`]) it
//! gives up with `None`, and `parser::run` parses the text again with the LR parser, which
//! produces the errors.
//!
//! Both parsers build nodes through the same [`Builder`] and `select` helpers, so a tree is the
//! same whichever parser built it; the tests check that they agree on every fixture, the
//! benchmark inputs and generated programs (`tests/descent.rs`).
//!
//! The decisions below mirror the LR parser's: each alternative is chosen by the token the LR
//! automaton would shift there, and lists, aliases and optional parts are consumed greedily,
//! as shifting does.

mod expr;
mod primary;
mod program;
mod select;

use super::Parsed;
use super::actions::{Builder, unquote_ident};
use crate::lexer::{Entry, Spanned};
use crate::token::{Kw, Tok};

/// `None`: not accepted here (the LR parser decides what is wrong).
type P<T> = Option<T>;

/// What may start an expression at a given place (the grammar's `S` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// Anything.
    Any,
    /// No leading `{` (a lambda body: `x -> {` opens a block).
    Nb,
    /// A statement start: no leading `{`, `(`, `[`, `-`, `+`, `*`.
    St,
    /// No leading `(` or `{` (the operand after a prefix `NOT`).
    Np,
}

impl Ctx {
    /// `(` may start the expression.
    fn paren(self) -> bool {
        matches!(self, Ctx::Any | Ctx::Nb)
    }

    /// `-`, `+`, `*`, `[` may start the expression.
    fn not_stmt(self) -> bool {
        self != Ctx::St
    }
}

/// Parses a whole token stream (with the lexer's start token first and no error tokens).
pub(super) fn parse<'s>(src: &'s str, tokens: &[Spanned<'s>], entry: Entry) -> P<Parsed> {
    let mut p = Parser {
        toks: tokens,
        pos: 1,
        end: src.len() as u32,
        b: Builder::new(src),
        depth: 0,
    };
    let parsed = match entry {
        Entry::Expr => Parsed::Expr(*p.expr(Ctx::Any)?.v),
        Entry::Select => Parsed::Query(p.select_set()?.v),
        Entry::Program => Parsed::Program(p.program()?),
        Entry::Template => Parsed::Expr(p.full_template()?),
    };
    // Every token consumed, and no action reported an error (e.g. a node too deep).
    (p.pos == p.toks.len() && p.b.errors.is_empty()).then_some(parsed)
}

struct Parser<'t, 's> {
    toks: &'t [Spanned<'s>],
    /// Index of the next token.
    pos: usize,
    /// The source length: where the end of input is.
    end: u32,
    b: Builder<'s>,
    /// Nesting of the recursive rules, bounded by [`MAX_NESTING`].
    depth: u32,
}

/// How deep the recursive rules may nest before this parser gives up and leaves the input to
/// the LR parser, which needs no stack. Each level of nesting (a parenthesis, call, block, …)
/// costs about 2 KiB of stack in a release build and 7 KiB in a debug build (measured), so 128
/// levels stay under 1 MiB even in a test thread (2 MiB). The tree itself may be deeper (up to
/// [`crate::MAX_DEPTH`]); such rare input is parsed, or rejected, by the LR parser.
const MAX_NESTING: u32 = 128;

/// The end of input: a token no rule accepts.
const EOF: Tok<'static> = Tok::Error;

impl<'s> Parser<'_, 's> {
    #[inline]
    fn peek(&self) -> Tok<'s> {
        match self.toks.get(self.pos) {
            Some(t) => t.1,
            None => EOF,
        }
    }

    #[inline]
    fn peek_at(&self, k: usize) -> Tok<'s> {
        match self.toks.get(self.pos + k) {
            Some(t) => t.1,
            None => EOF,
        }
    }

    #[inline]
    fn at(&self, t: Tok<'_>) -> bool {
        self.peek() == t
    }

    #[inline]
    fn at_kw(&self, k: Kw) -> bool {
        self.peek() == Tok::Kw(k)
    }

    /// Start of the next token (the end of the input after the last).
    #[inline]
    fn start(&self) -> u32 {
        match self.toks.get(self.pos) {
            Some(t) => t.0,
            None => self.end,
        }
    }

    /// End of the last token consumed.
    #[inline]
    fn prev_end(&self) -> u32 {
        self.toks[self.pos - 1].2
    }

    #[inline]
    fn bump(&mut self) {
        self.pos += 1;
    }

    /// Consumes `t` if it is next.
    #[inline]
    fn eat(&mut self, t: Tok<'_>) -> bool {
        let hit = self.at(t);
        if hit {
            self.pos += 1;
        }
        hit
    }

    #[inline]
    fn eat_kw(&mut self, k: Kw) -> bool {
        self.eat(Tok::Kw(k))
    }

    /// Consumes `t`, or gives up.
    #[inline]
    fn expect(&mut self, t: Tok<'_>) -> P<()> {
        self.eat(t).then_some(())
    }

    #[inline]
    fn expect_kw(&mut self, k: Kw) -> P<()> {
        self.expect(Tok::Kw(k))
    }

    /// Runs a recursive rule one level deeper, or gives up past [`MAX_NESTING`].
    #[inline]
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> P<T>) -> P<T> {
        if self.depth >= MAX_NESTING {
            return None;
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// The source text of `l..r`.
    #[inline]
    fn text(&self, l: u32, r: u32) -> &'s str {
        &self.b.src[l as usize..r as usize]
    }

    /// `Name`: an identifier (quoted or not) or any keyword, as written.
    fn name(&mut self) -> P<String> {
        let n = match self.peek() {
            Tok::Ident(s) => s.to_string(),
            Tok::QuotedIdent(s) => unquote_ident(s),
            Tok::Kw(k) if name_kw(k) => {
                let (l, _, r) = self.toks[self.pos];
                self.text(l, r).to_string()
            }
            _ => return None,
        };
        self.bump();
        Some(n)
    }

    /// `T ("," T)*`, with a trailing `,` allowed when `trailing` accepts the token after it
    /// (the grammar's `Comma1T`; `Comma1` passes a function that accepts nothing).
    fn comma_list<T>(
        &mut self,
        trailing: fn(Tok<'_>) -> bool,
        mut item: impl FnMut(&mut Self) -> P<T>,
    ) -> P<Vec<T>> {
        let mut v = vec![item(self)?];
        while self.at(Tok::Comma) {
            if trailing(self.peek_at(1)) {
                self.bump();
                break;
            }
            self.bump();
            v.push(item(self)?);
        }
        Some(v)
    }
}

/// Accepts no token: a list without a trailing comma.
fn no_trailing(_: Tok<'_>) -> bool {
    false
}

fn before_rparen(t: Tok<'_>) -> bool {
    t == Tok::RParen
}

/// Keywords that may start an expression as a plain name (the grammar's `IdentKw`).
fn ident_kw(k: Kw) -> bool {
    use Kw::*;
    matches!(
        k,
        Any | Anti
            | Asof
            | Semi
            | Array
            | Current
            | Final
            | First
            | Last
            | Following
            | Preceding
            | Unbounded
            | Full
            | Inner
            | Outer
            | Left
            | Right
            | Partition
            | Range
            | Row
            | Rows
            | Sample
            | Ties
            | Totals
            | If
            | Limit
            | Offset
            | By
    )
}

/// Keywords that are a `Name` where only a name can stand (`IdentKw` and `OtherKw`): all but
/// the literals and `TOP`, which the grammar does not know.
fn name_kw(k: Kw) -> bool {
    !matches!(k, Kw::Inf | Kw::Nan | Kw::Null | Kw::Top)
}
