//! Primaries: literals, names, parentheses (tuples, subqueries), arrays, dicts and placeholders,
//! `CASE`, `CAST`, `INTERVAL`, `TRIM`, `not(…)`, `#n`, template strings and HogQLX tags.

use super::expr::is_number;
use super::{Ctx, P, Parser, before_rparen, ident_kw, same};
use crate::ast::{ChainPart, Constant, ExprKind, Field, Query};
use crate::parser::actions::{N, X, unescape, unquote_ident};
use crate::parser::select::SetMembers;
use crate::token::{Kw, Tok};

impl<'s> Parser<'_, 's> {
    /// `Primary<S>`.
    pub(super) fn primary(&mut self, ctx: Ctx) -> P<X> {
        let (l, t, r) = self.tok_at(0);
        match t {
            Tok::Ident(s) => {
                self.bump();
                Some(self.b.name_expr(s.to_string(), false, l, r))
            }
            Tok::Int(_) | Tok::Hex(_) | Tok::Bin(_) | Tok::Float(_) => {
                self.bump();
                let text = self.text(l, r);
                Some(self.b.number(text, false, l, r))
            }
            Tok::Str(s) => {
                self.bump();
                Some(self.b.string(s, l, r))
            }
            Tok::QuotedIdent(s) => {
                self.bump();
                Some(self.b.name_expr(unquote_ident(s), true, l, r))
            }
            Tok::Kw(k) => self.keyword_primary(k, l, r),
            Tok::Star if ctx.not_stmt() => {
                self.bump();
                let chain = vec![ChainPart::Name("*".into())];
                Some(self.b.x(ExprKind::Field(Field { chain }), l, r, 0))
            }
            Tok::LParen if ctx.paren() => self.paren_primary(l),
            Tok::LBracket if ctx.not_stmt() => {
                self.bump();
                let items = if self.at(Tok::RBracket) {
                    Vec::new()
                } else {
                    self.comma_list(|t| same(t, Tok::RBracket), |p| p.expr(Ctx::Any))?
                };
                self.expect(Tok::RBracket)?;
                let r = self.prev_end();
                Some(self.b.array(items, l, r))
            }
            Tok::LBrace if ctx == Ctx::Any => self.brace_primary(l),
            Tok::Hash => {
                self.bump();
                let Tok::Int(i) = self.peek() else {
                    return None;
                };
                self.bump();
                let r = self.prev_end();
                let kind = ExprKind::PositionalRef(i.parse().unwrap_or(i64::MAX));
                Some(self.b.x(kind, l, r, 0))
            }
            Tok::TemplateStart => self.template(l),
            Tok::TagOpen(_) => self.tag(),
            _ => None,
        }
    }

    /// A primary starting with a keyword.
    fn keyword_primary(&mut self, k: Kw, l: u32, r: u32) -> P<X> {
        match k {
            Kw::Inf | Kw::Nan => {
                self.bump();
                let text = self.text(l, r);
                Some(self.b.number(text, false, l, r))
            }
            Kw::Null => {
                self.bump();
                Some(self.b.constant(Constant::Null, l, r))
            }
            k if ident_kw(k) => {
                self.bump();
                let name = self.text(l, r).to_string();
                Some(self.b.name_expr(name, false, l, r))
            }
            Kw::Case => self.case(l),
            Kw::Cast => self.cast(l),
            Kw::Interval => self.interval(l),
            Kw::Trim => self.trim(l),
            // `not(…)`: the function (a prefix `NOT` is read by the operator chain).
            Kw::Not if same(self.peek_at(1), Tok::LParen) => {
                self.bump();
                let nr = self.prev_end();
                self.bump();
                let args = self.call_args()?;
                self.expect(Tok::RParen)?;
                let r = self.prev_end();
                let name = self.text(l, nr);
                Some(self.b.named_call(name, args, l, r))
            }
            _ => None,
        }
    }

    /// `Literal`: a number, a string or `NULL`.
    pub(super) fn literal(&mut self) -> P<X> {
        let (l, t, r) = self.tok_at(0);
        let x = match t {
            Tok::Str(s) => self.b.string(s, l, r),
            Tok::Kw(Kw::Null) => self.b.constant(Constant::Null, l, r),
            t if is_number(t) => {
                let text = self.text(l, r);
                self.b.number(text, false, l, r)
            }
            _ => return None,
        };
        self.bump();
        Some(x)
    }

    /// `(e)`, `(a, b)`, `(a,)` or `(SELECT …)`.
    fn paren_primary(&mut self, l: u32) -> P<X> {
        self.bump();
        if matches!(self.peek(), Tok::Kw(Kw::Select | Kw::With)) {
            let q = self.select_set_expr()?;
            self.expect(Tok::RParen)?;
            let r = self.prev_end();
            return Some(self.b.subquery_expr(q, r));
        }
        let il = self.start();
        let e = self.expr(Ctx::Any)?;
        if self.eat(Tok::RParen) {
            let r = self.prev_end();
            return Some(self.b.paren(e, l, r));
        }
        if self.set_continues() && !e.paren && e.paren_end == self.prev_end() {
            // `((SELECT …) UNION ALL …)`, `((SELECT …) LIMIT n)`: the subquery was a member.
            let d = e.d;
            let first = match e.v.kind {
                ExprKind::SelectQuery(q) => Query::Select(q),
                ExprKind::SelectSetQuery(q) => Query::SelectSet(q),
                _ => return None,
            };
            let members = SetMembers::new(N::new(first, d), false);
            let q = self.nested(|p| p.set_tail(members, il))?;
            self.expect(Tok::RParen)?;
            let r = self.prev_end();
            return Some(self.b.subquery_expr(q, r));
        }
        self.expect(Tok::Comma)?;
        let mut items = vec![e];
        if !self.at(Tok::RParen) {
            items.extend(self.comma_list(before_rparen, |p| p.expr(Ctx::Any))?);
        }
        self.expect(Tok::RParen)?;
        let r = self.prev_end();
        let mut t = self.b.tuple(items, l, r);
        t.paren = true;
        Some(t)
    }

    /// `{}`, `{expr}` (a placeholder) or `{k: v, …}`.
    fn brace_primary(&mut self, l: u32) -> P<X> {
        self.bump();
        if self.eat(Tok::RBrace) {
            let r = self.prev_end();
            return Some(self.b.dict(Vec::new(), l, r));
        }
        let k = self.expr(Ctx::Any)?;
        if self.eat(Tok::RBrace) {
            let r = self.prev_end();
            return Some(self.b.placeholder(k, l, r));
        }
        self.expect(Tok::Colon)?;
        let v = self.expr(Ctx::Any)?;
        let mut items = vec![(k, v)];
        while self.eat(Tok::Comma) {
            if self.at(Tok::RBrace) {
                break;
            }
            let k = self.expr(Ctx::Any)?;
            self.expect(Tok::Colon)?;
            let v = self.expr(Ctx::Any)?;
            items.push((k, v));
        }
        self.expect(Tok::RBrace)?;
        let r = self.prev_end();
        Some(self.b.dict(items, l, r))
    }

    /// `CASE [x] WHEN … THEN … [ELSE …] END`.
    fn case(&mut self, l: u32) -> P<X> {
        self.bump();
        let subject = if self.at_kw(Kw::When) {
            None
        } else {
            Some(self.expr(Ctx::Any)?)
        };
        let mut arms = Vec::new();
        while self.eat_kw(Kw::When) {
            let w = self.expr(Ctx::Any)?;
            self.expect_kw(Kw::Then)?;
            let t = self.expr(Ctx::Any)?;
            arms.push((w, t));
        }
        if arms.is_empty() {
            return None;
        }
        let default = if self.eat_kw(Kw::Else) {
            Some(self.expr(Ctx::Any)?)
        } else {
            None
        };
        self.expect_kw(Kw::End)?;
        let r = self.prev_end();
        Some(self.b.case(subject, arms, default, l, r))
    }

    /// `CAST(x AS type)`. The expression may carry aliases of its own (`CAST(x AS y AS int)`):
    /// an `AS name` is the type only when `)` follows.
    fn cast(&mut self, l: u32) -> P<X> {
        self.bump();
        self.expect(Tok::LParen)?;
        let el = self.start();
        let mut e = self.expr_no_alias(Ctx::Any)?;
        loop {
            self.expect_kw(Kw::As)?;
            let name = match self.peek() {
                // Only an alias can be a string.
                Tok::Str(s) => {
                    self.bump();
                    let r = self.prev_end();
                    e = self
                        .b
                        .alias(e, unescape(&s[1..s.len() - 1], b'\''), el, r)
                        .ok()?;
                    continue;
                }
                _ => self.name()?,
            };
            if self.eat(Tok::RParen) {
                let r = self.prev_end();
                return Some(self.b.cast(e, name, l, r));
            }
            let r = self.prev_end();
            e = self.b.alias(e, name, el, r).ok()?;
        }
    }

    /// `INTERVAL e unit` or `INTERVAL '2 days'`.
    fn interval(&mut self, l: u32) -> P<X> {
        self.bump();
        if let Tok::IntervalStr(s) = self.peek() {
            self.bump();
            let r = self.prev_end();
            return self.b.interval_string(s, l, r).ok();
        }
        let e = self.expr(Ctx::Any)?;
        let (ul, Tok::Ident(u), r) = self.tok_at(0) else {
            return None;
        };
        self.bump();
        self.b.interval(e, u, ul, l, r).ok()
    }

    /// `TRIM(LEADING|TRAILING|BOTH s FROM x)` or the function `trim(…)`.
    fn trim(&mut self, l: u32) -> P<X> {
        self.bump();
        let nr = self.prev_end();
        self.expect(Tok::LParen)?;
        let side = match self.peek() {
            Tok::Kw(Kw::Leading) => Some("leading"),
            Tok::Kw(Kw::Trailing) => Some("trailing"),
            Tok::Kw(Kw::Both) => Some("both"),
            _ => None,
        };
        if let Some(side) = side {
            self.bump();
            let s = self.literal()?;
            self.expect_kw(Kw::From)?;
            let e = self.expr(Ctx::Any)?;
            self.expect(Tok::RParen)?;
            let r = self.prev_end();
            return Some(self.b.trim(side, s, e, l, r));
        }
        let args = self.call_args()?;
        self.expect(Tok::RParen)?;
        let r = self.prev_end();
        let name = self.text(l, nr);
        Some(self.b.named_call(name, args, l, r))
    }

    /// `f'…{e}…'`.
    fn template(&mut self, l: u32) -> P<X> {
        self.bump();
        let mut pieces = Vec::new();
        loop {
            let (tl, t, tr) = self.tok_at(0);
            match t {
                Tok::TemplateText(s) => {
                    self.bump();
                    pieces.push(self.b.template_text(s, false, tl, tr));
                }
                Tok::LBrace => pieces.push(self.interpolation()?),
                Tok::TemplateEnd => {
                    self.bump();
                    return Some(self.b.template(pieces, l, tr));
                }
                _ => return None,
            }
        }
    }

    /// `{e}` inside a template or a tag.
    fn interpolation(&mut self) -> P<X> {
        self.bump();
        let e = self.expr(Ctx::Any)?;
        self.expect(Tok::RBrace)?;
        Some(e)
    }

    /// A whole text as a template (the `parse_template` entry point).
    pub(super) fn full_template(&mut self) -> P<crate::ast::Expr> {
        let l = if self.at_end() { 0 } else { self.start() };
        let mut pieces = Vec::new();
        while !self.at_end() {
            let (tl, t, tr) = self.tok_at(0);
            match t {
                Tok::TemplateText(s) => {
                    self.bump();
                    pieces.push(self.b.template_text(s, true, tl, tr));
                }
                Tok::LBrace => pieces.push(self.interpolation()?),
                _ => return None,
            }
        }
        let r = self.prev_end();
        Some(*self.b.template(pieces, l, r).v)
    }

    /// `<tag attrs/>` or `<tag attrs>children</tag>`.
    pub(super) fn tag(&mut self) -> P<X> {
        let (l, Tok::TagOpen(open), _) = self.tok_at(0) else {
            return None;
        };
        self.bump();
        let mut attrs = Vec::new();
        loop {
            match self.peek() {
                Tok::TagSelfClose => {
                    self.bump();
                    let r = self.prev_end();
                    return Some(self.b.tag(open, attrs, l, r));
                }
                Tok::TagGt => {
                    self.bump();
                    break;
                }
                _ => {
                    let al = self.start();
                    let name = self.name()?;
                    let value = if self.eat(Tok::Eq) {
                        Some(if self.at(Tok::LBrace) {
                            self.interpolation()?
                        } else {
                            self.literal()?
                        })
                    } else {
                        None
                    };
                    let r = self.prev_end();
                    attrs.push(self.b.attr(name, value, al, r));
                }
            }
        }
        let mut children = Vec::new();
        loop {
            let (cl, t, cr) = self.tok_at(0);
            match t {
                Tok::TagText(s) => {
                    self.bump();
                    children.push(self.b.tag_text(s, cl, cr));
                }
                Tok::LBrace => children.push(self.interpolation()?),
                Tok::TagOpen(_) => children.push(self.nested(Self::tag)?),
                Tok::TagClose(close) => {
                    self.bump();
                    return self
                        .b
                        .tag_with_children(open, attrs, children, close, (cl, cr), l, cr)
                        .ok();
                }
                _ => return None,
            }
        }
    }
}
