//! Expressions: aliases, lambdas, the ternary, operator chains, prefix `-`/`+` and postfix
//! operators. Operator chains are collected flat and handed to [`Chain::finish`], the same
//! precedence climbing the LR parser uses.

use super::{Ctx, P, Parser, before_rparen, ident_kw, no_trailing, same};
use crate::ast::LambdaBody;
use crate::ast::{ArithmeticOp, CompareOp};
use crate::parser::actions::{CallArgs, N, X, unescape, unquote_ident};
use crate::parser::chain::{BinOp, Piece, finish_pieces};
use crate::token::{Kw, Tok};

impl<'s> Parser<'_, 's> {
    /// `Expr<S>`: an expression with any number of `AS name` / `AS 'name'` after it.
    pub(super) fn expr(&mut self, ctx: Ctx) -> P<X> {
        let l = self.start();
        let e = self.expr_no_alias(ctx)?;
        self.aliases(l, e)
    }

    /// The `AS …` aliases after an expression starting at `l`.
    pub(super) fn aliases(&mut self, l: u32, mut e: X) -> P<X> {
        while self.at_kw(Kw::As) {
            self.bump();
            let name = match self.peek() {
                Tok::Str(s) => {
                    self.bump();
                    unescape(&s[1..s.len() - 1], b'\'')
                }
                _ => self.name()?,
            };
            let r = self.prev_end();
            e = self.b.alias(e, name, l, r).ok()?;
        }
        Some(e)
    }

    /// `ExprNoAlias<S>`: a lambda or a ternary (or anything below it).
    pub(super) fn expr_no_alias(&mut self, ctx: Ctx) -> P<X> {
        self.nested(|p| p.expr_no_alias_inner(ctx))
    }

    fn expr_no_alias_inner(&mut self, ctx: Ctx) -> P<X> {
        let l = self.start();
        match self.peek() {
            Tok::Kw(Kw::Lambda) => {
                self.bump();
                let names = self.comma_list(no_trailing, Self::name)?;
                self.expect(Tok::Colon)?;
                let e = self.expr_no_alias(Ctx::Any)?;
                let d = e.d;
                let r = self.prev_end();
                return Some(
                    self.b
                        .lambda_names(names, N::new(LambdaBody::Expr(e.v), d), l, r),
                );
            }
            Tok::LParen
                if ctx.paren()
                    && same(self.peek_at(1), Tok::RParen)
                    && same(self.peek_at(2), Tok::Arrow) =>
            {
                self.advance(3);
                let body = self.lambda_body()?;
                let r = self.prev_end();
                return Some(self.b.lambda_names(Vec::new(), body, l, r));
            }
            _ => {}
        }
        let first = if self.at_prefix_not() {
            None
        } else {
            let (x, postfix) = self.unary(ctx)?;
            if postfix && self.at(Tok::Arrow) {
                self.bump();
                let body = self.lambda_body()?;
                let r = self.prev_end();
                return self.b.lambda(x, body, l, r).ok();
            }
            Some((l, x, self.prev_end()))
        };
        let c = self.op_expr(first)?;
        self.ternary_tail(l, c)
    }

    /// `LambdaBody`: a block or an expression that does not start with `{`.
    fn lambda_body(&mut self) -> P<N<LambdaBody>> {
        if self.at(Tok::LBrace) {
            let blk = self.block()?;
            let d = blk.d;
            Some(N::new(LambdaBody::Block(blk.v), d))
        } else {
            let e = self.expr_no_alias(Ctx::Nb)?;
            let d = e.d;
            Some(N::new(LambdaBody::Expr(e.v), d))
        }
    }

    /// `? a : b` after the condition `c` (which starts at `l`), if there is one.
    fn ternary_tail(&mut self, l: u32, c: X) -> P<X> {
        if !self.eat(Tok::Question) {
            return Some(c);
        }
        let a = self.expr_no_alias(Ctx::Any)?;
        self.expect(Tok::Colon)?;
        let e = self.nested(|p| {
            let el = p.start();
            let c = p.op_expr(None)?;
            p.ternary_tail(el, c)
        })?;
        let r = self.prev_end();
        Some(self.b.ternary(c, a, e, l, r))
    }

    /// A prefix `NOT` (not the function `not(…)`).
    #[inline]
    fn at_prefix_not(&self) -> bool {
        self.at_kw(Kw::Not) && !same(self.peek_at(1), Tok::LParen)
    }

    /// `OpExpr<S>`: operands joined by binary operators, prefix `NOT`s and `IS [NOT] NULL`.
    /// `first` is the first operand when the caller already read it; otherwise the chain starts
    /// here (with prefix `NOT`s, or as an operand of any kind).
    ///
    /// The pieces go to the end of the shared buffer `self.pieces` (operands that contain
    /// chains of their own take theirs off again before this one continues).
    fn op_expr(&mut self, first: Option<(u32, X, u32)>) -> P<X> {
        let start = self.pieces.len();
        let (l, x, r) = match first {
            Some(f) => f,
            None => {
                let np = self.nots();
                self.operand(if np { Ctx::Np } else { Ctx::Any })?
            }
        };
        if self.pieces.len() == start && !self.at_operator() {
            return Some(x);
        }
        self.pieces.push(Piece::Operand(x, l, r));
        loop {
            let at = self.start();
            if let Some((negated, null_l, null_r, n)) = self.is_null() {
                self.advance(n);
                self.pieces.push(Piece::IsNull(negated, null_l, null_r));
                continue;
            }
            let Some((op, n)) = self.binop() else { break };
            self.advance(n);
            self.pieces.push(Piece::Op(op, at));
            let np = self.nots();
            let (l, x, r) = self.operand(if np { Ctx::Np } else { Ctx::Any })?;
            self.pieces.push(Piece::Operand(x, l, r));
        }
        finish_pieces(&mut self.b, self.pieces.drain(start..)).ok()
    }

    /// Prefix `NOT`s; whether there was one.
    fn nots(&mut self) -> bool {
        let mut any = false;
        while self.at_prefix_not() {
            self.pieces.push(Piece::Not(self.start()));
            self.bump();
            any = true;
        }
        any
    }

    /// An operand with its span.
    #[inline]
    fn operand(&mut self, ctx: Ctx) -> P<(u32, X, u32)> {
        let l = self.start();
        let (x, _) = self.unary(ctx)?;
        Some((l, x, self.prev_end()))
    }

    /// A binary operator or `IS [NOT] NULL` is next.
    #[inline]
    fn at_operator(&self) -> bool {
        self.binop().is_some() || self.is_null().is_some()
    }

    /// `IS NULL` / `IS NOT NULL`: (negated, span of `NULL`, tokens).
    fn is_null(&self) -> Option<(bool, u32, u32, usize)> {
        if !self.at_kw(Kw::Is) {
            return None;
        }
        let (negated, at) = match self.peek_at(1) {
            Tok::Kw(Kw::Null) => (false, 1),
            Tok::Kw(Kw::Not) if same(self.peek_at(2), Tok::Kw(Kw::Null)) => (true, 2),
            _ => return None,
        };
        let (l, _, r) = self.tok_at(at);
        Some((negated, l, r, at + 1))
    }

    /// The binary operator next, and how many tokens it takes.
    fn binop(&self) -> Option<(BinOp, usize)> {
        use ArithmeticOp as A;
        use CompareOp as C;
        let cmp = |c| Some((BinOp::Cmp(c), 1));
        match self.peek() {
            Tok::Plus => Some((BinOp::Arith(A::Add), 1)),
            Tok::Minus => Some((BinOp::Arith(A::Sub), 1)),
            Tok::Star => Some((BinOp::Arith(A::Mult), 1)),
            Tok::Slash => Some((BinOp::Arith(A::Div), 1)),
            Tok::Percent => Some((BinOp::Arith(A::Mod), 1)),
            Tok::Concat => Some((BinOp::Concat, 1)),
            Tok::Eq | Tok::EqEq => cmp(C::Eq),
            Tok::NotEq => cmp(C::NotEq),
            Tok::Lt => cmp(C::Lt),
            Tok::LtEq => cmp(C::LtEq),
            Tok::Gt => cmp(C::Gt),
            Tok::GtEq => cmp(C::GtEq),
            Tok::Spaceship => Some((BinOp::Spaceship, 1)),
            Tok::Regex => cmp(C::Regex),
            Tok::NotRegex => cmp(C::NotRegex),
            Tok::IRegex => cmp(C::IRegex),
            Tok::NotIRegex => cmp(C::NotIRegex),
            Tok::NotLike => cmp(C::NotLike),
            Tok::NotILike => cmp(C::NotILike),
            Tok::Nullish => Some((BinOp::Nullish, 1)),
            Tok::NotBetween => Some((BinOp::Between(true), 1)),
            Tok::NotIn => Some(if same(self.peek_at(1), Tok::Kw(Kw::Cohort)) {
                (BinOp::Cmp(C::NotInCohort), 2)
            } else {
                (BinOp::Cmp(C::NotIn), 1)
            }),
            Tok::Kw(k) => match k {
                Kw::And => Some((BinOp::And, 1)),
                Kw::Or => Some((BinOp::Or, 1)),
                Kw::Like => cmp(C::Like),
                Kw::ILike => cmp(C::ILike),
                Kw::Between => Some((BinOp::Between(false), 1)),
                Kw::In => Some(if same(self.peek_at(1), Tok::Kw(Kw::Cohort)) {
                    (BinOp::Cmp(C::InCohort), 2)
                } else {
                    (BinOp::Cmp(C::In), 1)
                }),
                Kw::Global => match self.peek_at(1) {
                    Tok::Kw(Kw::In) => Some((BinOp::Cmp(C::GlobalIn), 2)),
                    Tok::NotIn => Some((BinOp::Cmp(C::GlobalNotIn), 2)),
                    _ => None,
                },
                Kw::Is => match (self.peek_at(1), self.peek_at(2), self.peek_at(3)) {
                    (Tok::Kw(Kw::Distinct), Tok::Kw(Kw::From), _) => {
                        Some((BinOp::Distinct(false), 3))
                    }
                    (Tok::Kw(Kw::Not), Tok::Kw(Kw::Distinct), Tok::Kw(Kw::From)) => {
                        Some((BinOp::Distinct(true), 4))
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// `Unary<S>`: prefix `-`, `+number`, or a postfix expression (then `true`: a lambda's
    /// parameters may be one).
    fn unary(&mut self, ctx: Ctx) -> P<(X, bool)> {
        let l = self.start();
        match self.peek() {
            Tok::Minus if ctx.not_stmt() => {
                self.bump();
                let me = self.prev_end();
                let (e, _) = self.nested(|p| p.unary(Ctx::Any))?;
                let r = self.prev_end();
                Some((self.b.negate(me, e, l, r), false))
            }
            Tok::Plus if ctx.not_stmt() => {
                self.bump();
                let nl = self.start();
                if !is_number(self.peek()) {
                    return None;
                }
                self.bump();
                let r = self.prev_end();
                let text = self.text(nl, r);
                Some((self.b.number(text, false, l, r), false))
            }
            _ => Some((self.postfix(ctx)?, true)),
        }
    }

    /// `Postfix<S>`: a primary followed by calls, indexes, member accesses, casts, `OVER`,
    /// `FILTER` and `WITHIN GROUP`.
    fn postfix(&mut self, ctx: Ctx) -> P<X> {
        let l = self.start();
        let mut p = match self.call_of_name() {
            Some(name) => {
                self.advance(2);
                let args = self.call_args()?;
                self.expect(Tok::RParen)?;
                let r = self.prev_end();
                // The name alone would have been a field of depth 1.
                self.b.call_name(name, args, 1, l, r)
            }
            None => self.primary(ctx)?,
        };
        loop {
            p = match self.peek() {
                Tok::LParen => {
                    self.bump();
                    let args = self.call_args()?;
                    self.expect(Tok::RParen)?;
                    let r = self.prev_end();
                    self.b.call(p, args, l, r)
                }
                Tok::LBracket => {
                    self.bump();
                    self.index_or_slice(p, l)?
                }
                Tok::Dot => {
                    self.bump();
                    match self.peek() {
                        Tok::Int(i) => {
                            self.bump();
                            let r = self.prev_end();
                            self.b.tuple_access(p, i, false, l, r)
                        }
                        Tok::Star => {
                            self.bump();
                            let r = self.prev_end();
                            self.b.member_star(p, l, r).ok()?
                        }
                        _ => {
                            let n = self.name()?;
                            let r = self.prev_end();
                            self.b.member(p, n, false, l, r)
                        }
                    }
                }
                Tok::NullProp => {
                    self.bump();
                    match self.peek() {
                        Tok::Int(i) => {
                            self.bump();
                            let r = self.prev_end();
                            self.b.tuple_access(p, i, true, l, r)
                        }
                        Tok::LBracket => {
                            self.bump();
                            let i = self.expr(Ctx::Any)?;
                            self.expect(Tok::RBracket)?;
                            let r = self.prev_end();
                            self.b.index(p, i, true, l, r)
                        }
                        _ => {
                            let n = self.name()?;
                            let r = self.prev_end();
                            self.b.member(p, n, true, l, r)
                        }
                    }
                }
                Tok::DoubleColon => {
                    self.bump();
                    let t = self.name()?;
                    let r = self.prev_end();
                    self.b.cast(p, t, l, r)
                }
                Tok::Kw(Kw::Over) => {
                    self.bump();
                    self.over(p, l)?
                }
                Tok::Kw(Kw::Filter) => {
                    self.bump();
                    self.expect(Tok::LParen)?;
                    self.expect_kw(Kw::Where)?;
                    let c = self.expr(Ctx::Any)?;
                    self.expect(Tok::RParen)?;
                    let r = self.prev_end();
                    self.b.filter(p, c, l, r).ok()?
                }
                Tok::Kw(Kw::Within) => {
                    self.bump();
                    self.expect_kw(Kw::Group)?;
                    self.expect(Tok::LParen)?;
                    self.expect_kw(Kw::Order)?;
                    self.expect_kw(Kw::By)?;
                    let o = self.comma_list(no_trailing, Self::order_item)?;
                    self.expect(Tok::RParen)?;
                    let r = self.prev_end();
                    self.b.within_group(p, o, l, r).ok()?
                }
                _ => return Some(p),
            };
        }
    }

    /// The name of `name(` next, when the name alone would be a plain field (not `true` or
    /// `false`): the call is then built without the field.
    #[inline]
    fn call_of_name(&self) -> Option<String> {
        if !same(self.peek_at(1), Tok::LParen) {
            return None;
        }
        match self.peek() {
            Tok::Ident(s)
                if !s.eq_ignore_ascii_case("true") && !s.eq_ignore_ascii_case("false") =>
            {
                Some(s.to_string())
            }
            Tok::QuotedIdent(s) => Some(unquote_ident(s)),
            Tok::Kw(k) if ident_kw(k) => {
                let (l, _, r) = self.tok_at(0);
                Some(self.text(l, r).to_string())
            }
            _ => None,
        }
    }

    /// After `base[`: `i]`, `start:end]` (either bound optional).
    fn index_or_slice(&mut self, base: X, l: u32) -> P<X> {
        let start = if self.at(Tok::Colon) {
            None
        } else {
            let i = self.expr(Ctx::Any)?;
            if self.eat(Tok::RBracket) {
                let r = self.prev_end();
                return Some(self.b.index(base, i, false, l, r));
            }
            Some(i)
        };
        self.expect(Tok::Colon)?;
        let end = if self.at(Tok::RBracket) {
            None
        } else {
            Some(self.expr(Ctx::Any)?)
        };
        self.expect(Tok::RBracket)?;
        let r = self.prev_end();
        Some(self.b.slice(base, start, end, l, r))
    }

    /// After `call OVER`: `(window)` or a window's name.
    fn over(&mut self, call: X, l: u32) -> P<X> {
        let over = if self.eat(Tok::LParen) {
            let w = self.window_spec()?;
            self.expect(Tok::RParen)?;
            let d = w.d;
            N::new(crate::ast::WindowOver::Expr(Box::new(w.v)), d)
        } else {
            N::new(crate::ast::WindowOver::Name(self.name()?), 0)
        };
        let r = self.prev_end();
        self.b.over(call, over, l, r).ok()
    }

    /// `CallArgs`: what is between a call's parentheses.
    pub(super) fn call_args(&mut self) -> P<CallArgs> {
        if self.at(Tok::RParen) {
            return Some(CallArgs::new(&mut self.b, false, Vec::new(), None));
        }
        let distinct = self.eat_kw(Kw::Distinct);
        // `Comma1T<Expr>`, each argument moved into the list as soon as it is read.
        let mut args = Vec::with_capacity(4);
        let mut depth = 0;
        loop {
            let x = self.expr(Ctx::Any)?;
            depth = depth.max(x.d);
            args.push(self.b.unbox(x.v));
            if !self.eat(Tok::Comma) {
                break;
            }
            if matches!(self.peek(), Tok::RParen | Tok::Kw(Kw::Order)) {
                break;
            }
        }
        let order = if self.eat_kw(Kw::Order) {
            self.expect_kw(Kw::By)?;
            Some(self.comma_list(no_trailing, Self::order_item)?)
        } else {
            None
        };
        Some(CallArgs::from_exprs(distinct, args, depth, order))
    }

    /// `CommaT<Expr>` before `)`: possibly empty, trailing comma allowed.
    pub(super) fn exprs_before_rparen(&mut self) -> P<Vec<X>> {
        if self.at(Tok::RParen) {
            return Some(Vec::new());
        }
        self.comma_list(before_rparen, |p| p.expr(Ctx::Any))
    }
}

/// A number token (`Number` in the grammar).
#[inline]
pub(super) fn is_number(t: Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Int(_) | Tok::Hex(_) | Tok::Bin(_) | Tok::Float(_) | Tok::Kw(Kw::Inf | Kw::Nan)
    )
}
