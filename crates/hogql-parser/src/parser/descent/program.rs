//! Hog programs: statement lists, blocks and statements. A dangling `else` binds to the
//! nearest `if`, which is what the grammar's open/closed statement rules say.

use super::{Ctx, P, Parser, before_rparen};
use crate::ast::{Block, Stmt, StmtKind};
use crate::parser::actions::{N, SN};
use crate::parser::select::{self as sel, ForHead, Item};
use crate::token::{Kw, Tok};

impl<'s> Parser<'_, 's> {
    /// The whole input as a program.
    pub(super) fn program(&mut self) -> P<Vec<Stmt>> {
        let mut items = Vec::new();
        let mut free = true;
        while !self.at_end() {
            items.push(self.item(&mut free)?);
        }
        Some(sel::statements(items).into_iter().map(|s| s.v).collect())
    }

    /// `Item`: a statement or a `;`. `free` says whether the statement may start with `(`,
    /// `[`, `-`, `+` or `*` (the grammar's `ListC`), and is updated for the next one.
    fn item(&mut self, free: &mut bool) -> P<Item> {
        if self.eat(Tok::Semi) {
            *free = true;
            return Some(Item::Semi(self.prev_end()));
        }
        let s = self.stmt_at(*free)?;
        *free = !sel::ends_with_expr(&s.v);
        Some(Item::Stmt(s))
    }

    /// `{ items }`.
    pub(super) fn block(&mut self) -> P<N<Block>> {
        self.nested(|p| {
            let l = p.start();
            p.expect(Tok::LBrace)?;
            let mut items = Vec::new();
            let mut free = true;
            while !p.eat(Tok::RBrace) {
                items.push(p.item(&mut free)?);
            }
            let r = p.prev_end();
            Some(sel::block(&mut p.b, items, l, r))
        })
    }

    /// A statement where any may start (a body, after `)`).
    fn stmt(&mut self) -> P<SN> {
        self.stmt_at(true)
    }

    /// `StmtE`/`StmtC`: `free` is false right after a statement ending with an expression.
    fn stmt_at(&mut self, free: bool) -> P<SN> {
        self.nested(|p| p.stmt_inner(free))
    }

    fn stmt_inner(&mut self, free: bool) -> P<SN> {
        let l = self.start();
        match self.peek() {
            Tok::IfStmt => self.if_stmt(l),
            Tok::Kw(Kw::While) => {
                self.bump();
                let c = self.paren_cond()?;
                let body = self.body()?;
                let r = self.prev_end();
                Some(sel::while_stmt(&mut self.b, c, body, l, r))
            }
            Tok::Kw(Kw::For) => self.for_stmt(l),
            Tok::Kw(Kw::Let) => self.var_decl(),
            Tok::Kw(Kw::Return) => {
                self.bump();
                if self.eat(Tok::Semi) {
                    let r = self.prev_end();
                    return Some(self.b.s(StmtKind::Return(None), l, r, 0));
                }
                let e = self.expr(Ctx::Any)?;
                let r = self.prev_end();
                let d = e.d;
                let e = self.b.unbox(e.v);
                Some(self.b.s(StmtKind::Return(Some(e)), l, r, d))
            }
            Tok::Kw(Kw::Throw) => {
                self.bump();
                let e = self.expr(Ctx::Any)?;
                let r = self.prev_end();
                let d = e.d;
                let e = self.b.unbox(e.v);
                Some(self.b.s(StmtKind::Throw(e), l, r, d))
            }
            Tok::Kw(Kw::Fun | Kw::Fn) => {
                self.bump();
                let name = self.name()?;
                self.expect(Tok::LParen)?;
                let params = if self.at(Tok::RParen) {
                    Vec::new()
                } else {
                    self.comma_list(before_rparen, Self::name)?
                };
                self.expect(Tok::RParen)?;
                let body = self.block()?;
                let r = self.prev_end();
                let d = body.d;
                let kind = StmtKind::Function {
                    name,
                    params,
                    body: body.v,
                };
                Some(self.b.s(kind, l, r, d))
            }
            Tok::LBrace => {
                let blk = self.block()?;
                let r = self.prev_end();
                let d = blk.d;
                Some(self.b.s(StmtKind::Block(blk.v), l, r, d))
            }
            Tok::Kw(Kw::Try) => self.try_stmt(l),
            _ => {
                let t = self.expr(if free { Ctx::Nb } else { Ctx::St })?;
                self.assign_or_expr(l, t)
            }
        }
    }

    /// After an expression `t` starting at `l`: `:= value`, or `t` is the statement.
    fn assign_or_expr(&mut self, l: u32, t: crate::parser::actions::X) -> P<SN> {
        if self.eat(Tok::ColonEq) {
            let v = self.expr(Ctx::Any)?;
            let r = self.prev_end();
            let d = t.d.max(v.d);
            let kind = StmtKind::Assign {
                left: self.b.unbox(t.v),
                right: self.b.unbox(v.v),
            };
            return Some(self.b.s(kind, l, r, d));
        }
        let r = self.prev_end();
        let d = t.d;
        let e = self.b.unbox(t.v);
        Some(self.b.s(StmtKind::Expr(Some(e)), l, r, d))
    }

    /// `(cond)` of `if` and `while`.
    fn paren_cond(&mut self) -> P<crate::parser::actions::X> {
        self.expect(Tok::LParen)?;
        let c = self.expr(Ctx::Any)?;
        self.expect(Tok::RParen)?;
        Some(c)
    }

    /// A statement or the empty statement `;` (the body of `if`, `while`, `for`, `else`).
    fn body(&mut self) -> P<SN> {
        if self.at(Tok::Semi) {
            return Some(self.empty_stmt());
        }
        self.stmt()
    }

    /// The empty statement at the next token (`;`, or the `;` before `else`).
    fn empty_stmt(&mut self) -> SN {
        let (l, _, r) = self.tok_at(0);
        self.bump();
        self.b.s(StmtKind::Expr(None), l, r, 0)
    }

    fn if_stmt(&mut self, l: u32) -> P<SN> {
        self.bump();
        let c = self.paren_cond()?;
        // A `;` right before `else` (its own token) ends the `then` branch, or is it.
        let semi_else;
        let then = match self.peek() {
            Tok::SemiElse => {
                semi_else = true;
                self.empty_stmt()
            }
            Tok::Semi => {
                let t = self.empty_stmt();
                let r = self.prev_end();
                return Some(sel::if_stmt(&mut self.b, c, t, None, l, r));
            }
            _ => {
                let t = self.stmt()?;
                semi_else = self.eat(Tok::SemiElse);
                t
            }
        };
        let el = self.start();
        if !self.eat_kw(Kw::Else) {
            if semi_else {
                return None;
            }
            let r = self.prev_end();
            return Some(sel::if_stmt(&mut self.b, c, then, None, l, r));
        }
        let e = self.body()?;
        let then = sel::then_before_else(&self.b, then, el);
        let r = self.prev_end();
        Some(sel::if_stmt(&mut self.b, c, then, Some(e), l, r))
    }

    fn for_stmt(&mut self, l: u32) -> P<SN> {
        self.bump();
        self.expect(Tok::LParen)?;
        let for_in = self.at_kw(Kw::Let) && matches!(self.peek_at(2), Tok::Kw(Kw::In) | Tok::Comma);
        let head = if for_in {
            self.bump();
            let first = self.name()?;
            let (key, value) = if self.eat(Tok::Comma) {
                (Some(first), self.name()?)
            } else {
                (None, first)
            };
            self.expect_kw(Kw::In)?;
            let e = self.expr(Ctx::Any)?;
            self.expect(Tok::RParen)?;
            ForHead::In(key, value, e)
        } else {
            let init = self.for_part(Tok::Semi)?;
            self.expect(Tok::Semi)?;
            let cond = if self.at(Tok::Semi) {
                None
            } else {
                Some(self.expr(Ctx::Any)?)
            };
            self.expect(Tok::Semi)?;
            let step = self.for_part(Tok::RParen)?;
            self.expect(Tok::RParen)?;
            ForHead::Classic(init, cond, step)
        };
        let body = self.body()?;
        let r = self.prev_end();
        Some(sel::for_stmt(&mut self.b, head, body, l, r))
    }

    /// An optional `ForPart` (declaration, assignment or expression) before `end`.
    fn for_part(&mut self, end: Tok<'_>) -> P<Option<SN>> {
        if self.at(end) {
            return Some(None);
        }
        if self.at_kw(Kw::Let) {
            return Some(Some(self.var_decl()?));
        }
        let l = self.start();
        let t = self.expr(Ctx::Any)?;
        Some(Some(self.assign_or_expr(l, t)?))
    }

    /// `let name [:= expr]`.
    fn var_decl(&mut self) -> P<SN> {
        let l = self.start();
        self.bump();
        let name = self.name()?;
        let expr = if self.eat(Tok::ColonEq) {
            Some(self.expr(Ctx::Any)?)
        } else {
            None
        };
        let r = self.prev_end();
        let d = expr.as_ref().map_or(0, |e| e.d);
        let kind = StmtKind::VarDecl {
            name,
            expr: expr.map(|e| self.b.unbox(e.v)),
        };
        Some(self.b.s(kind, l, r, d))
    }

    /// `try { … } catch [(e[: Type])] { … } … [finally { … }]`.
    fn try_stmt(&mut self, l: u32) -> P<SN> {
        self.bump();
        let t = self.block()?;
        let mut catches = Vec::new();
        while self.at_kw(Kw::Catch) {
            let cl = self.start();
            self.bump();
            let (var, ty) = if self.eat(Tok::LParen) {
                let v = self.name()?;
                let ty = if self.eat(Tok::Colon) {
                    Some(self.name()?)
                } else {
                    None
                };
                self.expect(Tok::RParen)?;
                (Some(v), ty)
            } else {
                (None, None)
            };
            let blk = self.block()?;
            let r = self.prev_end();
            catches.push(sel::catch(blk, var, ty, cl, r));
        }
        let finally = if self.eat_kw(Kw::Finally) {
            Some(self.block()?)
        } else {
            None
        };
        let r = self.prev_end();
        Some(sel::try_stmt(&mut self.b, t, catches, finally, l, r))
    }
}
