//! Operator chains: `a + b * c = d AND NOT e BETWEEN 1 AND 2`.
//!
//! The grammar reads the operands and operators of an expression as one flat list of
//! [`Piece`]s; [`Chain::finish`] builds the tree by precedence climbing. One grammar level per
//! precedence level would cost an LR reduction per level for every operand (`a` alone went
//! through twelve), which was most of the parser's time.
//!
//! The climbing follows PostHog's ANTLR grammar: a binary operator at level `p` parses its right
//! operand at level `p + 1` and the chain continues with any operator of level ≥ the caller's,
//! so `a IS NULL = b` is `(a IS NULL) = b`; prefix `NOT` takes an operand at the `NOT` level
//! wherever it stands (`a + NOT b = c` is `a + NOT (b = c)`); `x BETWEEN lo AND hi` reads `lo`
//! up to the `AND` and `hi` above `BETWEEN`, so BETWEENs chain to the left.

use super::actions::{Builder, X};
use crate::MAX_DEPTH;
use crate::ast::{ArithmeticOp, CompareOp, Span};
use crate::error::{ErrorKind, ParseError};

/// A binary operator (BETWEEN counts as one: its `AND` is a separate [`BinOp::And`] piece).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    /// `BETWEEN` / `NOT BETWEEN` (`true`).
    Between(bool),
    /// `??`
    Nullish,
    /// `IS DISTINCT FROM` / `IS NOT DISTINCT FROM` (`true`).
    Distinct(bool),
    Cmp(CompareOp),
    /// `<=>`
    Spaceship,
    Arith(ArithmeticOp),
    /// `||`
    Concat,
}

// Levels, loosest first; PostHog's order.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const BETWEEN: u8 = 4;
const NULLISH: u8 = 5;
const IS: u8 = 6;
const CMP: u8 = 7;
const ADD: u8 = 8;
const MUL: u8 = 9;

impl BinOp {
    fn level(self) -> u8 {
        match self {
            BinOp::Or => OR,
            BinOp::And => AND,
            BinOp::Between(_) => BETWEEN,
            BinOp::Nullish => NULLISH,
            BinOp::Distinct(_) => IS,
            BinOp::Cmp(_) | BinOp::Spaceship => CMP,
            BinOp::Arith(ArithmeticOp::Add | ArithmeticOp::Sub) | BinOp::Concat => ADD,
            BinOp::Arith(_) => MUL,
        }
    }
}

/// One element of a chain, in source order.
#[derive(Debug)]
pub enum Piece {
    /// An operand with its outer span (parentheses included).
    Operand(X, u32, u32),
    /// A prefix `NOT` starting at the offset.
    Not(u32),
    /// A binary operator; the offset is its start (for error messages).
    Op(BinOp, u32),
    /// `IS NULL` (`false`) / `IS NOT NULL` (`true`), with the span of `NULL`.
    IsNull(bool, u32, u32),
}

/// At least an operand and an operator, as the grammar collected them.
#[derive(Debug)]
pub struct Chain(pub Vec<Piece>);

impl Chain {
    pub fn start(nots: Vec<u32>, first: (u32, X, u32)) -> Chain {
        let mut v = Vec::with_capacity(nots.len() + 3);
        v.extend(nots.into_iter().map(Piece::Not));
        v.push(Piece::Operand(first.1, first.0, first.2));
        Chain(v)
    }

    pub fn op(mut self, op: (BinOp, u32), nots: Vec<u32>, operand: (u32, X, u32)) -> Chain {
        self.0.push(Piece::Op(op.0, op.1));
        self.0.extend(nots.into_iter().map(Piece::Not));
        self.0.push(Piece::Operand(operand.1, operand.0, operand.2));
        self
    }

    pub fn null_test(mut self, negated: bool, null_l: u32, r: u32) -> Chain {
        self.0.push(Piece::IsNull(negated, null_l, r));
        self
    }

    /// Builds the tree.
    pub fn finish(self, b: &mut Builder<'_>) -> Result<X, ParseError> {
        finish_pieces(b, self.0.into_iter())
    }
}

/// Builds the tree of a chain's pieces in source order (the recursive-descent parser drains
/// them from a buffer it reuses).
pub fn finish_pieces(
    b: &mut Builder<'_>,
    pieces: impl Iterator<Item = Piece>,
) -> Result<X, ParseError> {
    // The climbing recurses up to once per piece (`NOT NOT NOT … x`), up to `MAX_DEPTH` levels:
    // a long chain is built on a stack segment of its own, so that it fits any thread.
    if pieces.size_hint().0 > LONG_CHAIN {
        return stacker::grow(LONG_CHAIN_STACK, || climb(b, pieces));
    }
    climb(b, pieces)
}

/// Chains with more pieces than this get their own stack segment of this many bytes.
const LONG_CHAIN: usize = 64;
const LONG_CHAIN_STACK: usize = 8 << 20;

fn climb(b: &mut Builder<'_>, pieces: impl Iterator<Item = Piece>) -> Result<X, ParseError> {
    let mut c = Climb {
        b,
        pieces: pieces.peekable(),
        depth: 0,
    };
    let (x, _, _) = c.expr(0)?;
    match c.pieces.next() {
        None => Ok(x),
        Some(p) => Err(unexpected(&p)),
    }
}

/// An expression built so far, with its outer span.
type Built = (X, u32, u32);

struct Climb<'b, 's, I: Iterator<Item = Piece>> {
    b: &'b mut Builder<'s>,
    pieces: std::iter::Peekable<I>,
    /// Nesting of `expr` calls; bounded so that input such as `a + NOT b + NOT c …` repeated
    /// thousands of times is an error, not a stack overflow.
    depth: u32,
}

impl<I: Iterator<Item = Piece>> Climb<'_, '_, I> {
    /// An expression whose operators all have level ≥ `min`.
    fn expr(&mut self, min: u8) -> Result<Built, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let at = match self.pieces.peek() {
                Some(Piece::Operand(_, l, _) | Piece::Not(l) | Piece::Op(_, l)) => *l,
                Some(Piece::IsNull(_, l, _)) => *l,
                None => 0,
            };
            return Err(ParseError::new(
                ErrorKind::TooDeep,
                Span::new(at, at),
                format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        let result = self.expr_inner(min);
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, min: u8) -> Result<Built, ParseError> {
        let mut lhs = self.operand()?;
        loop {
            match self.pieces.peek() {
                None => break,
                Some(&Piece::IsNull(negated, null_l, r)) => {
                    if IS < min {
                        break;
                    }
                    self.pieces.next();
                    let (x, l, _) = lhs;
                    lhs = (self.b.is_null(x, negated, null_l, l, r), l, r);
                }
                Some(&Piece::Op(op, _)) => {
                    let level = op.level();
                    if level < min {
                        break;
                    }
                    self.pieces.next();
                    lhs = match op {
                        BinOp::Between(negated) => {
                            let low = self.expr(NOT)?;
                            match self.pieces.next() {
                                Some(Piece::Op(BinOp::And, _)) => {}
                                Some(p) => return Err(unexpected(&p).with_hint("expected `AND`")),
                                None => {
                                    let at = low.2;
                                    return Err(ParseError::new(
                                        ErrorKind::UnexpectedEof,
                                        Span::new(at, at),
                                        "`BETWEEN` without `AND`",
                                    )
                                    .with_hint("expected `AND`"));
                                }
                            }
                            let high = self.expr(BETWEEN + 1)?;
                            let (l, r) = (lhs.1, high.2);
                            let x = self.b.between(lhs.0, low.0, high.0, negated, l, r);
                            (x, l, r)
                        }
                        _ => {
                            let rhs = self.expr(level + 1)?;
                            self.combine(op, lhs, rhs)?
                        }
                    };
                }
                Some(p) => return Err(unexpected(p)),
            }
        }
        Ok(lhs)
    }

    /// An operand, or a prefix `NOT` with its operand: an expression at the `NOT` level
    /// (`NOT a = b` is `NOT (a = b)`).
    fn operand(&mut self) -> Result<Built, ParseError> {
        match self.pieces.next() {
            Some(Piece::Operand(x, l, r)) => Ok((x, l, r)),
            Some(Piece::Not(l)) => {
                let (e, _, r) = self.expr(NOT)?;
                Ok((self.b.not(e, l, r), l, r))
            }
            Some(p) => Err(unexpected(&p)),
            // The grammar ends every chain with an operand or `IS NULL`.
            None => Err(ParseError::new(
                ErrorKind::UnexpectedEof,
                Span::default(),
                "missing operand",
            )),
        }
    }

    fn combine(
        &mut self,
        op: BinOp,
        (a, l, _): Built,
        (c, _, r): Built,
    ) -> Result<Built, ParseError> {
        let b = &mut *self.b;
        let x = match op {
            BinOp::Or => b.or(a, c, l, r),
            BinOp::And => b.and(a, c, l, r),
            BinOp::Nullish => b.nullish(a, c, l, r),
            BinOp::Distinct(negated) => b.distinct_from(a, c, negated, l, r),
            BinOp::Cmp(op) => b.compare(op, a, c, l, r),
            BinOp::Spaceship => b.distinct_from(a, c, true, l, r),
            BinOp::Arith(op) => b.arith(op, a, c, l, r),
            BinOp::Concat => b.concat(a, c, l, r),
            // `expr_inner` builds BETWEEN itself, with its `AND`.
            BinOp::Between(_) => {
                return Err(ParseError::new(
                    ErrorKind::UnexpectedToken,
                    Span::new(l, r),
                    "`BETWEEN` without `AND`",
                ));
            }
        };
        Ok((x, l, r))
    }
}

fn unexpected(p: &Piece) -> ParseError {
    let (l, r, what) = match p {
        Piece::Operand(_, l, r) => (*l, *r, "unexpected operand"),
        Piece::Not(l) => (*l, *l + 3, "unexpected `NOT`"),
        Piece::Op(_, l) => (*l, *l, "unexpected operator"),
        Piece::IsNull(_, l, r) => (*l, *r, "unexpected `IS NULL`"),
    };
    ParseError::new(ErrorKind::UnexpectedToken, Span::new(l, r), what)
}
