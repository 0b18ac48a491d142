//! SELECT, set operations, FROM chains and the team guard.

use super::Printer;
use super::expr::ExprCtx;
use crate::error::TranslateError;
use crate::escape::escape_identifier;
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
    pub(crate) fn query(&mut self, q: &Query, pos: Position) -> Result<String, TranslateError> {
        stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
            self.query_inner(q, pos)
        })
    }

    fn query_inner(&mut self, q: &Query, pos: Position) -> Result<String, TranslateError> {
        match q {
            Query::Select(s) => {
                let text = self.select(s)?;
                Ok(if pos == Position::Nested {
                    format!("({text})")
                } else {
                    text
                })
            }
            Query::Set(set) => {
                let text = self.set(set)?;
                Ok(if pos == Position::Top {
                    text
                } else {
                    format!("({text})")
                })
            }
        }
    }

    fn set(&mut self, set: &SetQuery) -> Result<String, TranslateError> {
        let mut out = self.query(&set.initial, Position::SetMember)?;
        for (op, member) in &set.rest {
            out.push(' ');
            out.push_str(op.keyword());
            out.push(' ');
            out.push_str(&self.query(member, Position::SetMember)?);
        }
        Ok(out)
    }

    /// The guard for a FROM item that reads a ClickHouse table.
    fn guard(&self, item: &FromItem) -> Option<Expr> {
        let Source::Table(table) = &item.source else {
            return None;
        };
        let reference = item.alias.as_deref().unwrap_or(table.clickhouse_name());
        Some(Expr::eq(
            Expr::column(reference, "team_id"),
            Expr::int(self.team_id),
        ))
    }

    fn join_item(
        &mut self,
        item: &FromItem,
        where_guards: &mut Vec<Expr>,
    ) -> Result<String, TranslateError> {
        let mut out = String::new();
        if let Some(join_type) = item.join_type {
            // Defence in depth: the resolver only produces these, but the printer checks again.
            if !JOIN_TYPES.contains(&join_type) {
                return Err(TranslateError::invalid(format!(
                    "Invalid join type: {join_type}"
                )));
            }
            out.push_str(join_type);
            out.push(' ');
        }
        match &item.source {
            Source::Table(table) => out.push_str(table.clickhouse_name()),
            Source::Subquery(q) => out.push_str(&self.query(q, Position::Nested)?),
            Source::Numbers(args) => {
                let args = self.expr_list(args, ExprCtx::default())?;
                out.push_str(&format!("numbers({args})"));
            }
        }
        if let Some(alias) = &item.alias {
            out.push_str(" AS ");
            out.push_str(&escape_identifier(alias)?);
        }
        if let Some(sample) = &item.sample {
            out.push_str(&self.sample(sample)?);
        }
        let guard = self.guard(item);
        let left = item.join_type.is_some_and(|j| j.contains("LEFT"));
        match (&item.constraint, guard) {
            (Some(Constraint::On(on)), Some(guard)) if left => {
                let on = Expr::And(vec![guard, on.clone()]);
                out.push_str(" ON ");
                out.push_str(&self.expr(&on, ExprCtx::join_on())?);
            }
            (constraint, guard) => {
                match constraint {
                    Some(Constraint::On(on)) => {
                        out.push_str(" ON ");
                        out.push_str(&self.expr(on, ExprCtx::join_on())?);
                    }
                    Some(Constraint::Using(using)) => {
                        out.push_str(" USING ");
                        out.push_str(&self.expr(using, ExprCtx::join_on())?);
                    }
                    None => {}
                }
                if let Some(guard) = guard {
                    where_guards.push(guard);
                }
            }
        }
        Ok(out)
    }

    fn sample(&mut self, sample: &Sample) -> Result<String, TranslateError> {
        let ratio =
            |p: &mut Self, (a, b): &(Expr, Option<Expr>)| -> Result<String, TranslateError> {
                let mut s = p.expr(a, ExprCtx::default())?;
                if let Some(b) = b {
                    s.push('/');
                    s.push_str(&p.expr(b, ExprCtx::default())?);
                }
                Ok(s)
            };
        let mut out = format!(" SAMPLE {}", ratio(self, &sample.ratio)?);
        if let Some(offset) = &sample.offset {
            out.push_str(" OFFSET ");
            out.push_str(&ratio(self, offset)?);
        }
        Ok(out)
    }

    fn select(&mut self, s: &Select) -> Result<String, TranslateError> {
        // FROM first: parameters are numbered in this order (joined subqueries before columns).
        let mut where_guards = Vec::new();
        let mut from = Vec::with_capacity(s.from.len());
        for item in &s.from {
            from.push(self.join_item(item, &mut where_guards)?);
        }
        let array_join = match &s.array_join {
            Some((kind, exprs)) => {
                Some(format!("{} {}", kind.keyword(), self.aliased_list(exprs)?))
            }
            None => None,
        };
        let columns = self.aliased_list(&s.columns)?;
        let prewhere = self.opt_expr(&s.prewhere)?;
        // Guards are prepended in FROM order: `W` → `and(g1, W)` → `and(g2, g1, W)`.
        let where_ = {
            let mut parts: Vec<Expr> = where_guards.into_iter().rev().collect();
            match &s.where_ {
                Some(Expr::And(items)) => parts.extend(items.iter().cloned()),
                Some(w) => parts.push(w.clone()),
                None => {}
            }
            match parts.len() {
                0 => None,
                1 => Some(self.expr(&parts[0], ExprCtx::default())?),
                _ => Some(self.expr(&Expr::And(parts), ExprCtx::default())?),
            }
        };
        let group_by = self.expr_list(&s.group_by, ExprCtx::default())?;
        let having = self.opt_expr(&s.having)?;
        let mut windows = Vec::new();
        for (name, spec) in &s.windows {
            windows.push(format!(
                "{} AS ({})",
                escape_identifier(name)?,
                self.window_spec(spec)?
            ));
        }
        let order_by = self.order_list(&s.order_by)?;
        let limit_by = match &s.limit_by {
            Some(lb) => Some(self.limit_by(lb)?),
            None => None,
        };
        let limit = self.opt_expr(&s.limit)?;
        let offset = self.opt_expr(&s.offset)?;

        let mut out = String::from("SELECT ");
        if s.distinct {
            out.push_str("DISTINCT ");
        }
        out.push_str(&columns);
        if !from.is_empty() {
            out.push_str(" FROM ");
            out.push_str(&from.join(" "));
        }
        if let Some(aj) = array_join {
            out.push(' ');
            out.push_str(&aj);
        }
        for (kw, part) in [(" PREWHERE ", prewhere), (" WHERE ", where_)] {
            if let Some(p) = part {
                out.push_str(kw);
                out.push_str(&p);
            }
        }
        if !group_by.is_empty() {
            out.push_str(" GROUP BY ");
            out.push_str(&group_by);
        }
        if let Some(h) = having {
            out.push_str(" HAVING ");
            out.push_str(&h);
        }
        if !windows.is_empty() {
            out.push_str(" WINDOW ");
            out.push_str(&windows.join(", "));
        }
        if !order_by.is_empty() {
            out.push_str(" ORDER BY ");
            out.push_str(&order_by);
        }
        if let Some(lb) = limit_by {
            out.push_str(&lb);
        }
        // ClickHouse 26.9 takes `LIMIT n OFFSET m WITH TIES` (not `… WITH TIES OFFSET m`).
        if let Some(l) = limit {
            out.push_str(" LIMIT ");
            out.push_str(&l);
        }
        if let Some(o) = offset {
            out.push_str(" OFFSET ");
            out.push_str(&o);
        }
        if s.with_ties {
            out.push_str(" WITH TIES");
        }
        if !s.settings.is_empty() {
            let settings: Vec<String> =
                s.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(" SETTINGS ");
            out.push_str(&settings.join(", "));
        }
        Ok(out)
    }

    /// A SELECT or ARRAY JOIN list: a top-level alias prints as `expr AS name`, unparenthesised.
    fn aliased_list(&mut self, items: &[Expr]) -> Result<String, TranslateError> {
        let mut out = Vec::with_capacity(items.len());
        for c in items {
            out.push(match c {
                Expr::Alias { expr, name } => {
                    format!(
                        "{} AS {}",
                        self.expr(expr, ExprCtx::default())?,
                        escape_identifier(name)?
                    )
                }
                other => self.expr(other, ExprCtx::default())?,
            });
        }
        Ok(out.join(", "))
    }

    fn limit_by(&mut self, lb: &LimitBy) -> Result<String, TranslateError> {
        let n = self.expr(&lb.n, ExprCtx::default())?;
        let offset = match &lb.offset {
            Some(o) => format!(" OFFSET {}", self.expr(o, ExprCtx::default())?),
            None => String::new(),
        };
        let exprs = self.expr_list(&lb.exprs, ExprCtx::default())?;
        Ok(format!(" LIMIT {n}{offset} BY {exprs}"))
    }

    fn opt_expr(&mut self, e: &Option<Expr>) -> Result<Option<String>, TranslateError> {
        match e {
            Some(e) => Ok(Some(self.expr(e, ExprCtx::default())?)),
            None => Ok(None),
        }
    }

    pub(crate) fn order_list(&mut self, items: &[(Expr, Order)]) -> Result<String, TranslateError> {
        let mut out = Vec::with_capacity(items.len());
        for (e, order) in items {
            let dir = match order {
                Order::Asc => "ASC",
                Order::Desc => "DESC",
            };
            out.push(format!("{} {dir}", self.expr(e, ExprCtx::default())?));
        }
        Ok(out.join(", "))
    }
}
