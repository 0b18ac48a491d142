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
use super::chain::Piece;
use crate::MAX_DEPTH;
use crate::lexer::{Entry, Lexer, Spanned};
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

/// Parses the lexer's tokens (the start token first). The caller checks the lexer's errors
/// afterwards: an error token is accepted by no rule, but errors may also come without one.
pub(super) fn parse<'s>(src: &'s str, lexer: &mut Lexer<'s>, entry: Entry) -> P<Parsed> {
    lexer.next()?;
    let end = src.len() as u32;
    let mut p = Parser {
        lexer,
        ahead: [(end, EOF, end); LOOKAHEAD],
        lexed: 0,
        consumed: 0,
        prev_end: 0,
        end,
        b: Builder::new(src),
        depth: 0,
        pieces: Vec::new(),
    };
    for slot in 0..LOOKAHEAD {
        p.pull(slot);
    }
    let parsed = match entry {
        Entry::Expr => Parsed::Expr(*p.expr(Ctx::Any)?.v),
        Entry::Select => Parsed::Query(p.select_set()?.v),
        Entry::Program => Parsed::Program(p.program()?),
        Entry::Template => Parsed::Expr(p.full_template()?),
    };
    // Every token consumed, and no action reported an error (e.g. a node too deep).
    (p.at_end() && p.b.errors.is_empty()).then_some(parsed)
}

/// How many tokens the parser sees ahead (`IS NOT DISTINCT FROM` is the longest decision).
const LOOKAHEAD: usize = 4;

struct Parser<'t, 's> {
    /// Tokens are read as the parser goes: a token buffer for the whole input would be the
    /// largest allocation of a parse.
    lexer: &'t mut Lexer<'s>,
    /// The next tokens, the next one first; past the end of the input, `EOF` tokens. Kept in
    /// order (shifted on every token) rather than as a ring: the parser looks at the next token
    /// several times per token, and a fixed place is cheaper to read than a ring index.
    ahead: [Spanned<'s>; LOOKAHEAD],
    /// Tokens taken from the lexer and consumed by the parser.
    lexed: usize,
    consumed: usize,
    /// End of the last token consumed.
    prev_end: u32,
    /// The source length: where the end of input is.
    end: u32,
    b: Builder<'s>,
    /// Nesting of the recursive rules, bounded by [`MAX_NESTING`].
    depth: u32,
    /// Operator chains under construction (see `op_expr`), one buffer for all.
    pieces: Vec<Piece>,
}

/// How deep the recursive rules may nest before this parser gives up and leaves the input to
/// the LR parser. A tree deeper than [`MAX_DEPTH`] is an error anyway, and every level of
/// nesting here (a parenthesis, call, block, …) adds at least one level to the tree.
const MAX_NESTING: u32 = MAX_DEPTH;

/// Each level of nesting costs about 2 KiB of stack in a release build and 7 KiB in a debug
/// build (measured), so 500 levels do not fit every thread (test threads have 2 MiB, some
/// callers 512 KiB). Every [`STACK_CHECK_EVERY`] levels, when less than [`STACK_RED_ZONE`] is
/// left, parsing continues on a new heap-allocated stack segment of [`STACK_SEGMENT`] bytes.
const STACK_RED_ZONE: usize = 192 * 1024;
const STACK_SEGMENT: usize = 1024 * 1024;
const STACK_CHECK_EVERY: u32 = 8;

/// The end of input: a token no rule accepts.
const EOF: Tok<'static> = Tok::Error;

impl<'s> Parser<'_, 's> {
    /// Reads the next token into a slot of the ring.
    #[inline]
    fn pull(&mut self, slot: usize) {
        self.ahead[slot] = match self.lexer.next() {
            Some(t) => {
                self.lexed += 1;
                t
            }
            None => (self.end, EOF, self.end),
        };
    }

    /// The `k`-th token ahead (`k` < [`LOOKAHEAD`]).
    #[inline]
    fn tok_at(&self, k: usize) -> Spanned<'s> {
        self.ahead[k]
    }

    #[inline]
    fn peek(&self) -> Tok<'s> {
        self.tok_at(0).1
    }

    #[inline]
    fn peek_at(&self, k: usize) -> Tok<'s> {
        self.tok_at(k).1
    }

    #[inline]
    fn at(&self, t: Tok<'_>) -> bool {
        same(self.peek(), t)
    }

    #[inline]
    fn at_kw(&self, k: Kw) -> bool {
        same(self.peek(), Tok::Kw(k))
    }

    /// Every token consumed.
    #[inline]
    fn at_end(&self) -> bool {
        self.consumed == self.lexed
    }

    /// Start of the next token (the end of the input after the last).
    #[inline]
    fn start(&self) -> u32 {
        self.tok_at(0).0
    }

    /// End of the last token consumed (0 before the first).
    #[inline]
    fn prev_end(&self) -> u32 {
        self.prev_end
    }

    /// Consumes the next token (never called at the end of the input).
    #[inline]
    fn bump(&mut self) {
        self.prev_end = self.tok_at(0).2;
        self.ahead.copy_within(1.., 0);
        self.pull(LOOKAHEAD - 1);
        self.consumed += 1;
    }

    /// Consumes `n` tokens.
    #[inline]
    fn advance(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    /// Consumes `t` if it is next.
    #[inline]
    fn eat(&mut self, t: Tok<'_>) -> bool {
        let hit = self.at(t);
        if hit {
            self.bump();
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
        let r = if self.depth.is_multiple_of(STACK_CHECK_EVERY) {
            stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || f(self))
        } else {
            f(self)
        };
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
                let (l, _, r) = self.tok_at(0);
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
        let mut v = Vec::with_capacity(4);
        v.push(item(self)?);
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

/// Token equality by kind (and keyword). The text of identifiers, numbers and strings is not
/// compared (no caller asks about it), which makes this cheaper than the derived `==`.
#[inline]
fn same(a: Tok<'_>, b: Tok<'_>) -> bool {
    match (a, b) {
        (Tok::Kw(x), Tok::Kw(y)) => x == y,
        _ => std::mem::discriminant(&a) == std::mem::discriminant(&b),
    }
}

/// Accepts no token: a list without a trailing comma.
fn no_trailing(_: Tok<'_>) -> bool {
    false
}

fn before_rparen(t: Tok<'_>) -> bool {
    same(t, Tok::RParen)
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
