//! SELECT queries: set operations, clauses, FROM with joins, windows, ORDER BY and LIMIT.

use super::expr::is_number;
use super::{Ctx, P, Parser, no_trailing, same};
use crate::ast::*;
use crate::parser::actions::{N, X};
use crate::parser::select::{self as sel, FromClause, JoinPart, LimitParts, SelectParts};
use crate::token::{Kw, Tok};

impl<'s> Parser<'_, 's> {
    /// `SelectSet`: set members joined by `UNION ALL`, `EXCEPT`, …, and after a parenthesised
    /// last member the set's own `ORDER BY … LIMIT … OFFSET …`.
    pub(super) fn select_set(&mut self) -> P<N<Query>> {
        self.nested(|p| {
            let l = p.start();
            let (first, _, bare) = p.set_member()?;
            p.set_tail(sel::SetMembers::new(first, bare), l)
        })
    }

    /// `SelectSetExpr`: a set operation in parentheses used as an expression; its first member
    /// is a plain SELECT.
    pub(super) fn select_set_expr(&mut self) -> P<N<Query>> {
        self.nested(|p| {
            let l = p.start();
            let first = p.select_q()?;
            p.set_tail(sel::SetMembers::new(first, true), l)
        })
    }

    /// Whether a set operator or a set's own ORDER BY/LIMIT/OFFSET follows.
    pub(super) fn set_continues(&self) -> bool {
        self.set_op().is_some()
            || matches!(self.peek(), Tok::Kw(Kw::Order | Kw::Limit | Kw::Offset))
    }

    /// The `op member` pairs after a set's first member, then the set's own clauses.
    pub(super) fn set_tail(&mut self, mut members: Box<sel::SetMembers>, l: u32) -> P<N<Query>> {
        let mut r = 0;
        while let Some((op, n)) = self.set_op() {
            let ql = self.start();
            self.advance(n);
            let (q, end, bare) = self.set_member()?;
            r = end;
            members = members.push(op, q, ql, end, bare);
        }
        let last_paren = members.bare.last() == Some(&false);
        let end = if last_paren { self.set_end()? } else { None };
        if end.is_some() {
            r = self.prev_end();
        } else if members.rest.is_empty() {
            return Some(members.first);
        }
        Some(sel::set(&mut self.b, *members, end, l, r))
    }

    /// `SetEnd`: `ORDER BY …` and/or a plain LIMIT/OFFSET, or nothing.
    fn set_end(&mut self) -> P<Option<Box<LimitParts>>> {
        let mut order_by = None;
        if self.at_kw(Kw::Order) {
            self.bump();
            self.expect_kw(Kw::By)?;
            order_by = Some(self.comma_list(no_trailing, |p| p.order_item())?);
        }
        match self.limits()? {
            Some(parts) if parts.by.is_some() => None,
            Some(parts) => Some(Some(Box::new(LimitParts { order_by, ..parts }))),
            None if order_by.is_some() => Some(Some(Box::new(LimitParts {
                order_by,
                ..LimitParts::default()
            }))),
            None => Some(None),
        }
    }

    /// Where a SELECT without parentheses ends as a member of a set. The LR parser ends it
    /// after its last (always empty) optional clause, which it places at the next token; at the
    /// end of the input, at the last token.
    fn select_end(&self) -> u32 {
        if !self.at_end() {
            self.start()
        } else {
            self.prev_end()
        }
    }

    fn set_op(&self) -> Option<(SetOperator, usize)> {
        match (self.peek(), self.peek_at(1)) {
            (Tok::Kw(Kw::Union), Tok::Kw(Kw::All)) => Some((SetOperator::UnionAll, 2)),
            (Tok::Kw(Kw::Union), Tok::Kw(Kw::Distinct)) => Some((SetOperator::UnionDistinct, 2)),
            (Tok::Kw(Kw::Except), _) => Some((SetOperator::Except, 1)),
            (Tok::Kw(Kw::Intersect), Tok::Kw(Kw::Distinct)) => {
                Some((SetOperator::IntersectDistinct, 2))
            }
            (Tok::Kw(Kw::Intersect), _) => Some((SetOperator::Intersect, 1)),
            _ => None,
        }
    }

    /// A set member: a SELECT, `(set)`, or `WITH ctes (set)`; with where it ends and whether
    /// it is a SELECT without parentheses.
    fn set_member(&mut self) -> P<(N<Query>, u32, bool)> {
        let q = match self.peek() {
            Tok::LParen => {
                self.bump();
                let q = self.select_set()?;
                self.expect(Tok::RParen)?;
                return Some((q, self.prev_end(), false));
            }
            Tok::Kw(Kw::Select) => self.select_q()?,
            Tok::Kw(Kw::With) => {
                let l = self.start();
                self.bump();
                let (ctes, trailing) = self.with_items()?;
                if !trailing && self.eat(Tok::LParen) {
                    let q = self.select_set()?;
                    self.expect(Tok::RParen)?;
                    return Some((sel::with_ctes(ctes, q), self.prev_end(), false));
                }
                self.select_stmt(Some(ctes), l)?
            }
            _ => return None,
        };
        Some((q, self.select_end(), true))
    }

    /// `SelectQ`: one SELECT (with its own WITH clause) as a query.
    fn select_q(&mut self) -> P<N<Query>> {
        let l = self.start();
        let ctes = if self.eat_kw(Kw::With) {
            let (ctes, _) = self.with_items()?;
            Some(ctes)
        } else {
            None
        };
        self.select_stmt(ctes, l)
    }

    /// The items after `WITH`, and whether a trailing comma ended them (before `SELECT`).
    fn with_items(&mut self) -> P<(Vec<N<Cte>>, bool)> {
        let mut items = vec![self.with_item()?];
        while self.eat(Tok::Comma) {
            if self.at_kw(Kw::Select) {
                return Some((items, true));
            }
            items.push(self.with_item()?);
        }
        Some((items, false))
    }

    /// `name AS (subquery)` or `expr AS name`.
    fn with_item(&mut self) -> P<N<Cte>> {
        let l = self.start();
        let e = self.expr_no_alias(Ctx::Any)?;
        self.expect_kw(Kw::As)?;
        if self.eat(Tok::LParen) {
            let q = self.select_set()?;
            self.expect(Tok::RParen)?;
            let r = self.prev_end();
            return sel::cte_subquery(&mut self.b, e, q, l, r).ok();
        }
        let n = self.name()?;
        let r = self.prev_end();
        Some(sel::cte_column(&mut self.b, e, n, l, r))
    }

    /// `SelectStmt` from `SELECT` on; `l` is where it started (at `WITH` if it has CTEs).
    fn select_stmt(&mut self, ctes: Option<Vec<N<Cte>>>, l: u32) -> P<N<Query>> {
        self.expect_kw(Kw::Select)?;
        let distinct = self.eat_kw(Kw::Distinct);
        let mut columns = vec![self.column()?];
        while self.at(Tok::Comma) && !same(self.peek_at(1), Tok::Kw(Kw::From)) {
            self.bump();
            columns.push(self.column()?);
        }
        let from = if self.at_kw(Kw::From) || self.at(Tok::Comma) {
            self.eat(Tok::Comma);
            self.bump();
            let joins = self.join_chain()?;
            let array_join = match self.peek() {
                Tok::Kw(Kw::Array | Kw::Left | Kw::Inner) => Some(self.array_join()?),
                _ => None,
            };
            Some(FromClause { joins, array_join })
        } else {
            None
        };
        let prewhere = self.clause(Kw::Prewhere)?;
        let where_ = self.clause(Kw::Where)?;
        let mut group_by_end = 0;
        let group_by = if self.eat_kw(Kw::Group) {
            self.expect_kw(Kw::By)?;
            let g = self.group_by()?;
            group_by_end = self.prev_end();
            Some(g)
        } else {
            None
        };
        while self.at_kw(Kw::With)
            && matches!(self.peek_at(1), Tok::Kw(Kw::Cube | Kw::Rollup | Kw::Totals))
        {
            self.advance(2);
            group_by_end = self.prev_end();
        }
        let having = self.clause(Kw::Having)?;
        let qualify = self.clause(Kw::Qualify)?;
        let windows = if self.eat_kw(Kw::Window) {
            Some(self.comma_list(no_trailing, Self::named_window)?)
        } else {
            None
        };
        let order_by = if self.eat_kw(Kw::Order) {
            self.expect_kw(Kw::By)?;
            Some(self.comma_list(no_trailing, Self::order_item)?)
        } else {
            None
        };
        let limits = self.limits()?;
        if self.at_kw(Kw::Settings) {
            // Not supported: the LR parser reports it.
            return None;
        }
        let r = self.prev_end();
        let parts = SelectParts {
            ctes,
            distinct,
            columns,
            from,
            prewhere,
            where_,
            group_by,
            group_by_end,
            having,
            qualify,
            windows,
            order_by,
            limits,
            settings: None,
        };
        let s = sel::select(&mut self.b, parts, l, r).ok()?;
        let d = s.d;
        Some(N::new(Query::Select(Box::new(s.v)), d))
    }

    /// A column: an expression, optionally followed by a bare alias.
    fn column(&mut self) -> P<X> {
        let l = self.start();
        let e = self.expr(Ctx::Any)?;
        if let Tok::Ident(a) = self.peek() {
            self.bump();
            let r = self.prev_end();
            return self.b.alias(e, a.to_string(), l, r).ok();
        }
        Some(e)
    }

    /// `KEYWORD expr` if the keyword is next (`Some(None)` if it is not).
    fn clause(&mut self, k: Kw) -> P<Option<X>> {
        if self.eat_kw(k) {
            Some(Some(self.expr(Ctx::Any)?))
        } else {
            Some(None)
        }
    }

    /// After `GROUP BY`.
    fn group_by(&mut self) -> P<(Vec<X>, Option<GroupByMode>)> {
        let mode = match self.peek() {
            Tok::Kw(Kw::Cube) => GroupByMode::Cube,
            Tok::Kw(Kw::Rollup) => GroupByMode::Rollup,
            _ => {
                let e = self.comma_list(no_trailing, |p| p.expr(Ctx::Any))?;
                return Some((e, None));
            }
        };
        self.bump();
        self.expect(Tok::LParen)?;
        let e = self.comma_list(|t| same(t, Tok::RParen), |p| p.expr(Ctx::Any))?;
        self.expect(Tok::RParen)?;
        Some((e, Some(mode)))
    }

    /// `name AS (window)`.
    fn named_window(&mut self) -> P<N<NamedWindow>> {
        let l = self.start();
        let name = self.name()?;
        self.expect_kw(Kw::As)?;
        self.expect(Tok::LParen)?;
        let w = self.window_spec()?;
        self.expect(Tok::RParen)?;
        let r = self.prev_end();
        let d = w.d;
        let span = Span::new(l, r);
        Some(N::new(
            NamedWindow {
                name,
                window: w.v,
                span,
            },
            d,
        ))
    }

    /// `[PARTITION BY …] [ORDER BY …] [frame]` (all optional).
    pub(super) fn window_spec(&mut self) -> P<N<WindowExpr>> {
        let l = self.start();
        let first = self.consumed;
        let partition = if self.eat_kw(Kw::Partition) {
            self.expect_kw(Kw::By)?;
            Some(self.comma_list(no_trailing, |p| p.expr(Ctx::Any))?)
        } else {
            None
        };
        let order = if self.eat_kw(Kw::Order) {
            self.expect_kw(Kw::By)?;
            Some(self.comma_list(no_trailing, Self::order_item)?)
        } else {
            None
        };
        let method = match self.peek() {
            Tok::Kw(Kw::Rows) => Some(FrameMethod::Rows),
            Tok::Kw(Kw::Range) => Some(FrameMethod::Range),
            _ => None,
        };
        let frame = match method {
            Some(m) => {
                self.bump();
                if self.eat_kw(Kw::Between) {
                    let s = self.frame_bound()?;
                    self.expect_kw(Kw::And)?;
                    let e = self.frame_bound()?;
                    Some((m, s, Some(e)))
                } else {
                    Some((m, self.frame_bound()?, None))
                }
            }
            None => None,
        };
        // An empty window is an empty span where it would start.
        let r = if self.consumed == first {
            l
        } else {
            self.prev_end()
        };
        Some(sel::window(&mut self.b, partition, order, frame, l, r))
    }

    fn frame_bound(&mut self) -> P<WindowFrameExpr> {
        let l = self.start();
        let (frame_type, frame_value) = match self.peek() {
            Tok::Kw(Kw::Current) => {
                self.bump();
                self.expect_kw(Kw::Row)?;
                (FrameType::CurrentRow, None)
            }
            Tok::Kw(Kw::Unbounded) => {
                self.bump();
                (self.preceding_following()?, None)
            }
            Tok::Int(n) => {
                self.bump();
                let v = n.parse().unwrap_or(i64::MAX);
                (self.preceding_following()?, Some(v))
            }
            _ => return None,
        };
        let r = self.prev_end();
        Some(WindowFrameExpr {
            frame_type,
            frame_value,
            span: Span::new(l, r),
        })
    }

    fn preceding_following(&mut self) -> P<FrameType> {
        let t = match self.peek() {
            Tok::Kw(Kw::Preceding) => FrameType::Preceding,
            Tok::Kw(Kw::Following) => FrameType::Following,
            _ => return None,
        };
        self.bump();
        Some(t)
    }

    /// `expr [ASC|DESC] [NULLS FIRST|LAST] [COLLATE 'x']`.
    pub(super) fn order_item(&mut self) -> P<N<OrderExpr>> {
        let l = self.start();
        let e = self.expr(Ctx::Any)?;
        let dir = match self.peek() {
            Tok::Kw(Kw::Asc | Kw::Ascending) => Some(Order::Asc),
            Tok::Kw(Kw::Desc | Kw::Descending) => Some(Order::Desc),
            _ => None,
        };
        if dir.is_some() {
            self.bump();
        }
        let nulls = if self.eat_kw(Kw::Nulls) {
            let n = match self.peek() {
                Tok::Kw(Kw::First) => NullsOrder::First,
                Tok::Kw(Kw::Last) => NullsOrder::Last,
                _ => return None,
            };
            self.bump();
            Some(n)
        } else {
            None
        };
        if self.eat_kw(Kw::Collate) {
            let Tok::Str(_) = self.peek() else {
                return None;
            };
            self.bump();
        }
        let r = self.prev_end();
        Some(sel::order(&mut self.b, e, dir, nulls, l, r))
    }

    /// `LIMIT … [BY …]`, `OFFSET …`, in the grammar's combinations.
    fn limits(&mut self) -> P<Option<LimitParts>> {
        let mut parts = match self.peek() {
            Tok::Kw(Kw::Limit) => LimitParts::default(),
            Tok::Kw(Kw::Offset) => {
                self.bump();
                let o = self.expr(Ctx::Any)?;
                return Some(Some(LimitParts {
                    offset: Some(o),
                    offset_only: true,
                    ..LimitParts::default()
                }));
            }
            _ => return Some(None),
        };
        let l = self.start();
        self.bump();
        let a = self.expr(Ctx::Any)?;
        let sep = match self.peek() {
            Tok::Comma => Some(true),
            Tok::Kw(Kw::Offset) => Some(false),
            _ => None,
        };
        let b = match sep {
            Some(_) => {
                self.bump();
                Some(self.expr(Ctx::Any)?)
            }
            None => None,
        };
        if self.eat_kw(Kw::By) {
            // `LIMIT n BY`, `LIMIT o, n BY`, `LIMIT n OFFSET o BY`.
            let (n, o) = match (sep, b) {
                (Some(true), Some(b)) => (b, Some(a)),
                (_, b) => (a, b),
            };
            let e = self.comma_list(no_trailing, |p| p.expr(Ctx::Any))?;
            let r = self.prev_end();
            parts.by = Some(sel::limit_by(&mut self.b, n, o, e, l, r));
            // A plain LIMIT/OFFSET may follow.
            return Some(Some(match self.limits()? {
                Some(plain) if plain.by.is_none() => LimitParts {
                    by: parts.by,
                    ..plain
                },
                Some(_) => return None,
                None => parts,
            }));
        }
        parts.limit = Some(a);
        parts.offset = b;
        parts.comma = sep == Some(true);
        if sep != Some(false) && self.at_kw(Kw::With) && same(self.peek_at(1), Tok::Kw(Kw::Ties)) {
            self.advance(2);
            parts.with_ties = true;
            parts.ties_end = Some(self.prev_end());
            if sep.is_none() && self.eat_kw(Kw::Offset) {
                parts.offset = Some(self.expr(Ctx::Any)?);
            }
        }
        Some(Some(parts))
    }

    /// `FROM`'s tables and joins.
    fn join_chain(&mut self) -> P<Vec<JoinPart>> {
        let mut joins = self.join_item()?;
        loop {
            let jl = self.start();
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                    let t = self.join_item()?;
                    let r = self.prev_end();
                    let op = Ok(("CROSS JOIN".to_string(), jl));
                    joins.extend(sel::joined_group(&mut self.b, t, op, None, jl, r).ok()?);
                }
                Tok::Kw(Kw::Cross) => {
                    self.bump();
                    self.expect_kw(Kw::Join)?;
                    let t = self.join_item()?;
                    let r = self.prev_end();
                    let op = Ok(("CROSS JOIN".to_string(), jl));
                    joins.extend(sel::joined_group(&mut self.b, t, op, None, jl, r).ok()?);
                }
                Tok::Kw(Kw::Left | Kw::Inner) if same(self.peek_at(1), Tok::Kw(Kw::Array)) => break,
                Tok::Kw(
                    Kw::Join
                    | Kw::All
                    | Kw::Any
                    | Kw::Asof
                    | Kw::Semi
                    | Kw::Anti
                    | Kw::Inner
                    | Kw::Left
                    | Kw::Right
                    | Kw::Full,
                ) => {
                    let op = self.join_op();
                    self.expect_kw(Kw::Join)?;
                    let t = self.join_item()?;
                    let c = self.join_constraint()?;
                    let r = self.prev_end();
                    joins.extend(sel::joined_group(&mut self.b, t, op, Some(c), jl, r).ok()?);
                }
                _ => return Some(joins),
            }
        }
        Some(joins)
    }

    /// `JoinOp`: the join kind keywords before `JOIN`.
    fn join_op(&mut self) -> Result<(String, u32), crate::ParseError> {
        let l = self.start();
        let pre = self.join_word(join_mod);
        let Some(side) = self.join_word(join_side) else {
            return match pre {
                None => Ok(("JOIN".to_string(), l)),
                Some(m) => {
                    let r = self.prev_end();
                    sel::join_op(Some(m), None, false, None, l, r)
                }
            };
        };
        let outer = self.eat_kw(Kw::Outer);
        let post = self.join_word(join_mod);
        let r = self.prev_end();
        sel::join_op(pre, Some(side), outer, post, l, r)
    }

    /// Consumes a keyword `classify` names.
    fn join_word(&mut self, classify: fn(Tok<'_>) -> Option<&'static str>) -> Option<&'static str> {
        let w = classify(self.peek())?;
        self.bump();
        Some(w)
    }

    fn join_constraint(&mut self) -> P<N<JoinConstraint>> {
        let l = self.start();
        let kind = match self.peek() {
            Tok::Kw(Kw::On) => ConstraintType::On,
            Tok::Kw(Kw::Using) => ConstraintType::Using,
            _ => return None,
        };
        self.bump();
        let e = self.expr(Ctx::Any)?;
        let r = self.prev_end();
        Some(sel::constraint(&mut self.b, e, kind, l, r))
    }

    /// `[LEFT|INNER] ARRAY JOIN exprs`.
    fn array_join(&mut self) -> P<N<ArrayJoin>> {
        let l = self.start();
        let kind = match self.peek() {
            Tok::Kw(Kw::Array) => ArrayJoinKind::Array,
            Tok::Kw(Kw::Left) => ArrayJoinKind::Left,
            _ => ArrayJoinKind::Inner,
        };
        if kind != ArrayJoinKind::Array {
            self.bump();
        }
        self.expect_kw(Kw::Array)?;
        self.expect_kw(Kw::Join)?;
        let e = self.comma_list(no_trailing, |p| p.expr(Ctx::Any))?;
        let r = self.prev_end();
        Some(sel::array_join(&mut self.b, kind, e, l, r))
    }

    /// `JoinItem`: a table, or a parenthesised join (flattened). The first token after the
    /// opening parentheses tells them apart: SELECT or WITH starts a subquery.
    fn join_item(&mut self) -> P<Vec<JoinPart>> {
        let mut k = 0;
        while same(self.peek_at(k), Tok::LParen) {
            k += 1;
        }
        if k > 0 && !matches!(self.peek_at(k), Tok::Kw(Kw::Select | Kw::With)) {
            self.bump();
            let parts = self.join_chain()?;
            self.expect(Tok::RParen)?;
            return Some(sel::paren_join(parts, self.prev_end()));
        }
        Some(vec![self.table_item()?])
    }

    /// A table with its alias, `FINAL` and `SAMPLE`.
    fn table_item(&mut self) -> P<JoinPart> {
        let l = self.start();
        let base = self.table_base()?;
        let alias = match self.peek() {
            Tok::Kw(Kw::As) => {
                self.bump();
                Some(self.name()?)
            }
            Tok::Ident(n) => {
                self.bump();
                Some(n.to_string())
            }
            _ => None,
        };
        let t = sel::table_expr(base, alias, self.prev_end());
        let table_final = self.eat_kw(Kw::Final);
        let sample = if self.at_kw(Kw::Sample) {
            Some(self.sample()?)
        } else {
            None
        };
        let r = self.prev_end();
        Some(sel::table_item(t, table_final, sample, l, r))
    }

    /// A table name (dotted), a table function, `(subquery)`, a tag or `{placeholder}`.
    fn table_base(&mut self) -> P<sel::TableBase> {
        let l = self.start();
        match self.peek() {
            Tok::LParen => {
                self.bump();
                let q = self.select_set()?;
                self.expect(Tok::RParen)?;
                Some((self.b.subquery(q), None))
            }
            Tok::TagOpen(_) => Some((self.tag()?, None)),
            Tok::LBrace => {
                self.bump();
                let e = self.expr(Ctx::Any)?;
                self.expect(Tok::RBrace)?;
                let r = self.prev_end();
                Some((self.b.placeholder(e, l, r), None))
            }
            _ => {
                let n = self.name()?;
                let nr = self.prev_end();
                let mut chain = vec![ChainPart::Name(n)];
                if self.eat(Tok::LParen) {
                    let args = self.exprs_before_rparen()?;
                    self.expect(Tok::RParen)?;
                    let r = self.prev_end();
                    let t = self.b.x(ExprKind::Field(Field { chain }), l, nr, 0);
                    return Some((t, Some((args, r))));
                }
                while self.eat(Tok::Dot) {
                    chain.push(ChainPart::Name(self.name()?));
                }
                let r = self.prev_end();
                Some((self.b.x(ExprKind::Field(Field { chain }), l, r, 0), None))
            }
        }
    }

    /// `SAMPLE ratio [OFFSET ratio]`.
    fn sample(&mut self) -> P<N<SampleExpr>> {
        let l = self.start();
        self.bump();
        let v = self.ratio()?;
        let offset = if self.eat(Tok::SampleOffset) {
            Some(self.ratio()?)
        } else {
            None
        };
        let r = self.prev_end();
        Some(sel::sample(v, offset, l, r))
    }

    fn ratio(&mut self) -> P<N<RatioExpr>> {
        let l = self.start();
        if self.eat(Tok::LBrace) {
            let e = self.expr(Ctx::Any)?;
            self.expect(Tok::RBrace)?;
            let r = self.prev_end();
            let p = self.b.placeholder(e, l, r);
            return Some(sel::ratio(p, None, l, r));
        }
        let a = self.ratio_number()?;
        let c = if self.eat(Tok::Slash) {
            Some(self.ratio_number()?)
        } else {
            None
        };
        let r = self.prev_end();
        Some(sel::ratio(a, c, l, r))
    }

    fn ratio_number(&mut self) -> P<X> {
        let (l, t, r) = self.tok_at(0);
        if !is_number(t) {
            return None;
        }
        self.bump();
        let text = self.text(l, r);
        Some(self.b.number(text, false, l, r))
    }
}

fn join_mod(t: Tok<'_>) -> Option<&'static str> {
    Some(match t {
        Tok::Kw(Kw::All) => "ALL",
        Tok::Kw(Kw::Any) => "ANY",
        Tok::Kw(Kw::Asof) => "ASOF",
        Tok::Kw(Kw::Semi) => "SEMI",
        Tok::Kw(Kw::Anti) => "ANTI",
        _ => return None,
    })
}

fn join_side(t: Tok<'_>) -> Option<&'static str> {
    Some(match t {
        Tok::Kw(Kw::Inner) => "INNER",
        Tok::Kw(Kw::Left) => "LEFT",
        Tok::Kw(Kw::Right) => "RIGHT",
        Tok::Kw(Kw::Full) => "FULL",
        _ => return None,
    })
}
