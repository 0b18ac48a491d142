//! SELECT, set operations, FROM chains and the team guard.

use super::expr::ExprCtx;
use super::{Printed, Printer};
use crate::error::TranslateError;
use crate::escape::push_identifier;
use crate::ir::{
    Constraint, Expr, FromItem, JOIN_TYPES, LimitBy, Query, Sample, Select, SetQuery, Source,
};
use hogql_parser::ast::Order;

/// Where a query is printed: decides the parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    /// The statement itself.
    Top,
    /// A direct member of a set operation.
    SetMember,
    /// A subquery (FROM item, expression, IN operand).
    Nested,
}

impl Printer<'_> {
    pub(crate) fn query(&mut self, q: &Query, pos: Position) -> Printed {
        stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
            self.query_inner(q, pos)
        })
    }

    fn query_inner(&mut self, q: &Query, pos: Position) -> Printed {
        let parenthesised = match q {
            Query::Select(_) => pos == Position::Nested,
            Query::Set(_) => pos != Position::Top,
        };
        if parenthesised {
            self.out.push('(');
        }
        match q {
            Query::Select(s) => self.select(s)?,
            Query::Set(set) => self.set(set)?,
        }
        if parenthesised {
            self.out.push(')');
        }
        Ok(())
    }

    fn set(&mut self, set: &SetQuery) -> Printed {
        self.query(&set.initial, Position::SetMember)?;
        for (op, member) in &set.rest {
            self.out.push(' ');
            self.out.push_str(op.keyword());
            self.out.push(' ');
            self.query(member, Position::SetMember)?;
        }
        Ok(())
    }

    /// The guard for a FROM item that reads a ClickHouse table.
    fn guard(&self, item: &FromItem) -> Option<Expr> {
        let Source::Table(table) = &item.source else {
            return None;
        };
        let reference = item.alias.as_deref().unwrap_or(table.clickhouse_name());
        Some(Expr::eq(
            Expr::column(reference.to_string(), "team_id"),
            Expr::int(self.team_id),
        ))
    }

    fn join_item(&mut self, item: &FromItem, where_guards: &mut Vec<Expr>) -> Printed {
        if let Some(join_type) = item.join_type {
            // Defence in depth: the resolver only produces these, but the printer checks again.
            if !JOIN_TYPES.contains(&join_type) {
                return Err(TranslateError::invalid(format!(
                    "Invalid join type: {join_type}"
                )));
            }
            self.out.push_str(join_type);
            self.out.push(' ');
        }
        match &item.source {
            Source::Table(table) => self.out.push_str(table.clickhouse_name()),
            Source::Subquery(q) => self.query(q, Position::Nested)?,
            Source::Numbers(args) => {
                self.out.push_str("numbers(");
                self.expr_list(args, ExprCtx::default())?;
                self.out.push(')');
            }
        }
        if let Some(alias) = &item.alias {
            self.out.push_str(" AS ");
            push_identifier(&mut self.out, alias)?;
        }
        if let Some(sample) = &item.sample {
            self.sample(sample)?;
        }
        let guard = self.guard(item);
        let left = item.join_type.is_some_and(|j| j.contains("LEFT"));
        match (&item.constraint, guard) {
            (Some(Constraint::On(on)), Some(guard)) if left => {
                self.out.push_str(" ON ");
                self.and_or([&guard, on], true, ExprCtx::join_on())?;
            }
            (constraint, guard) => {
                match constraint {
                    Some(Constraint::On(on)) => {
                        self.out.push_str(" ON ");
                        self.expr(on, ExprCtx::join_on())?;
                    }
                    Some(Constraint::Using(using)) => {
                        self.out.push_str(" USING ");
                        self.expr(using, ExprCtx::join_on())?;
                    }
                    None => {}
                }
                if let Some(guard) = guard {
                    where_guards.push(guard);
                }
            }
        }
        Ok(())
    }

    fn ratio(&mut self, (a, b): &(Expr, Option<Expr>)) -> Printed {
        self.expr(a, ExprCtx::default())?;
        if let Some(b) = b {
            self.out.push('/');
            self.expr(b, ExprCtx::default())?;
        }
        Ok(())
    }

    fn sample(&mut self, sample: &Sample) -> Printed {
        self.out.push_str(" SAMPLE ");
        self.ratio(&sample.ratio)?;
        if let Some(offset) = &sample.offset {
            self.out.push_str(" OFFSET ");
            self.ratio(offset)?;
        }
        Ok(())
    }

    fn select(&mut self, s: &Select) -> Printed {
        // Parameters are numbered in emission order, and the FROM chain (joined subqueries)
        // comes before the columns: print it first, then move the columns in front of it.
        let start = self.out.len();
        let mut where_guards = Vec::new();
        for (i, item) in s.from.iter().enumerate() {
            self.out.push_str(if i == 0 { " FROM " } else { " " });
            self.join_item(item, &mut where_guards)?;
        }
        if let Some((kind, exprs)) = &s.array_join {
            self.out.push(' ');
            self.out.push_str(kind.keyword());
            self.out.push(' ');
            self.aliased_list(exprs)?;
        }
        let columns_start = self.out.len() - start;
        self.aliased_list(&s.columns)?;
        // `<from><columns>` → `SELECT <columns><from>` with one copy of the tail.
        let tail = self.out.split_off(start);
        self.out.reserve(tail.len() + 16);
        self.out.push_str("SELECT ");
        if s.distinct {
            self.out.push_str("DISTINCT ");
        }
        self.out.push_str(&tail[columns_start..]);
        self.out.push_str(&tail[..columns_start]);

        if let Some(p) = &s.prewhere {
            self.out.push_str(" PREWHERE ");
            self.expr(p, ExprCtx::where_clause())?;
        }
        // Guards are prepended in FROM order: `W` → `and(g1, W)` → `and(g2, g1, W)`.
        let mut parts: Vec<&Expr> = where_guards.iter().rev().collect();
        match &s.where_ {
            Some(Expr::And(items)) => parts.extend(items),
            Some(w) => parts.push(w),
            None => {}
        }
        match parts.as_slice() {
            [] => {}
            [one] => {
                self.out.push_str(" WHERE ");
                self.expr(one, ExprCtx::where_clause())?;
            }
            _ => {
                self.out.push_str(" WHERE ");
                self.and_or(parts, true, ExprCtx::where_clause())?;
            }
        }
        if !s.group_by.is_empty() {
            self.out.push_str(" GROUP BY ");
            self.expr_list(&s.group_by, ExprCtx::default())?;
        }
        if let Some(h) = &s.having {
            self.out.push_str(" HAVING ");
            self.expr(h, ExprCtx::default())?;
        }
        for (i, (name, spec)) in s.windows.iter().enumerate() {
            self.out.push_str(if i == 0 { " WINDOW " } else { ", " });
            push_identifier(&mut self.out, name)?;
            self.out.push_str(" AS (");
            self.window_spec(spec)?;
            self.out.push(')');
        }
        if !s.order_by.is_empty() {
            self.out.push_str(" ORDER BY ");
            self.order_list(&s.order_by)?;
        }
        if let Some(lb) = &s.limit_by {
            self.limit_by(lb)?;
        }
        // ClickHouse 26.9 takes `LIMIT n OFFSET m WITH TIES` (not `… WITH TIES OFFSET m`).
        if let Some(l) = &s.limit {
            self.out.push_str(" LIMIT ");
            self.expr(l, ExprCtx::default())?;
        }
        if let Some(o) = &s.offset {
            self.out.push_str(" OFFSET ");
            self.expr(o, ExprCtx::default())?;
        }
        if s.with_ties {
            self.out.push_str(" WITH TIES");
        }
        for (i, (k, v)) in s.settings.iter().enumerate() {
            self.out.push_str(if i == 0 { " SETTINGS " } else { ", " });
            self.out.push_str(k);
            self.out.push('=');
            self.out.push_str(v);
        }
        Ok(())
    }

    /// A SELECT or ARRAY JOIN list: a top-level alias prints as `expr AS name`, unparenthesised.
    fn aliased_list(&mut self, items: &[Expr]) -> Printed {
        for (i, c) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match c {
                Expr::Alias { expr, name } => {
                    self.expr(expr, ExprCtx::default())?;
                    self.out.push_str(" AS ");
                    push_identifier(&mut self.out, name)?;
                }
                other => self.expr(other, ExprCtx::default())?,
            }
        }
        Ok(())
    }

    fn limit_by(&mut self, lb: &LimitBy) -> Printed {
        self.out.push_str(" LIMIT ");
        self.expr(&lb.n, ExprCtx::default())?;
        if let Some(o) = &lb.offset {
            self.out.push_str(" OFFSET ");
            self.expr(o, ExprCtx::default())?;
        }
        self.out.push_str(" BY ");
        self.expr_list(&lb.exprs, ExprCtx::default())
    }

    pub(crate) fn order_list(&mut self, items: &[(Expr, Order)]) -> Printed {
        for (i, (e, order)) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(e, ExprCtx::default())?;
            self.out.push_str(match order {
                Order::Asc => " ASC",
                Order::Desc => " DESC",
            });
        }
        Ok(())
    }
}
