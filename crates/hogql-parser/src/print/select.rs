//! SELECT queries and set operations: one clause per line, subqueries indented.

use super::Printer;
use super::expr::Prec;
use crate::ast::*;

impl Printer {
    pub(super) fn query(&mut self, q: &Query) {
        match q {
            Query::Select(s) => self.select(s),
            Query::SelectSet(s) => self.select_set(s),
        }
    }

    /// A query in parentheses on its own indented lines (subqueries in FROM, CTEs, set
    /// members that are themselves set operations).
    fn nested_query(&mut self, q: &Query) {
        self.parenthesised(|p| p.query(q));
    }

    /// `(`, the body on its own lines one level deeper, `)`.
    pub(super) fn parenthesised(&mut self, body: impl FnOnce(&mut Printer)) {
        self.push("(");
        self.indent += 1;
        self.newline();
        body(self);
        self.indent -= 1;
        self.newline();
        self.push(")");
    }

    pub(super) fn select_set(&mut self, q: &SelectSetQuery) {
        let has_tail = q.limit.is_some() || q.offset.is_some() || q.order_by.is_some();
        let last = q.subsequent_select_queries.len();
        self.set_member(&q.initial_select_query, last == 0, has_tail);
        for (i, node) in q.subsequent_select_queries.iter().enumerate() {
            self.newline();
            self.kw(node.set_operator.keyword());
            self.newline();
            self.set_member(&node.select_query, i + 1 == last, has_tail);
        }
        if let Some(order) = &q.order_by {
            self.newline();
            self.kw("ORDER BY");
            self.push(" ");
            self.order_list(order);
        }
        self.limit_offset(q.limit.as_deref(), false, q.offset.as_deref());
    }

    /// A member of a set operation: a plain SELECT as is, a nested set in parentheses (the
    /// parser keeps `a UNION ALL (b UNION ALL c)` nested, so the parentheses matter). The last
    /// member is parenthesised before the set's own LIMIT/OFFSET (without, the SELECT would
    /// take them), and so is a last SELECT ending in `LIMIT n OFFSET m` (the parser gives
    /// that OFFSET to the set).
    fn set_member(&mut self, q: &Query, last: bool, has_tail: bool) {
        match q {
            Query::Select(s) if last && (has_tail || (s.limit.is_some() && s.offset.is_some())) => {
                self.nested_query(q)
            }
            Query::Select(s) => self.select(s),
            Query::SelectSet(_) => self.nested_query(q),
        }
    }

    pub(super) fn select(&mut self, q: &SelectQuery) {
        if let Some(ctes) = &q.ctes {
            self.kw("WITH");
            self.push(" ");
            for (i, cte) in ctes.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                match cte.cte_type {
                    CteType::Subquery => {
                        self.name(&cte.name);
                        self.push(" ");
                        self.kw("AS");
                        self.push(" ");
                        self.subquery_expr(&cte.expr);
                    }
                    CteType::Column => {
                        // `WITH expr AS name`: the expression is the grammar's ExprNoAlias.
                        self.expr(&cte.expr, Prec::Lambda);
                        self.push(" ");
                        self.kw("AS");
                        self.push(" ");
                        self.name(&cte.name);
                    }
                }
            }
            self.newline();
        }
        self.kw("SELECT");
        if q.distinct {
            self.push(" ");
            self.kw("DISTINCT");
        }
        self.push(" ");
        self.expr_list(&q.select);
        if let Some(from) = &q.select_from {
            self.newline();
            self.kw("FROM");
            self.push(" ");
            self.joins(from);
        }
        if let Some(aj) = &q.array_join {
            self.newline();
            self.kw(aj.kind.keyword());
            self.push(" ");
            self.expr_list(&aj.exprs);
        }
        self.clause("PREWHERE", q.prewhere.as_deref());
        self.clause("WHERE", q.where_.as_deref());
        if let Some(group) = &q.group_by {
            self.newline();
            self.kw("GROUP BY");
            self.push(" ");
            match q.group_by_mode {
                Some(mode) => {
                    self.kw(match mode {
                        GroupByMode::Cube => "CUBE",
                        GroupByMode::Rollup => "ROLLUP",
                    });
                    self.push("(");
                    self.expr_list(group);
                    self.push(")");
                }
                None => self.expr_list(group),
            }
        }
        self.clause("HAVING", q.having.as_deref());
        self.clause("QUALIFY", q.qualify.as_deref());
        if let Some(windows) = &q.window_exprs {
            self.newline();
            self.kw("WINDOW");
            self.push(" ");
            for (i, w) in windows.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.name(&w.name);
                self.push(" ");
                self.kw("AS");
                self.push(" (");
                self.window_spec(&w.window);
                self.push(")");
            }
        }
        if let Some(order) = &q.order_by {
            self.newline();
            self.kw("ORDER BY");
            self.push(" ");
            self.order_list(order);
        }
        if let Some(lb) = &q.limit_by {
            self.newline();
            self.kw("LIMIT");
            self.push(" ");
            self.expr(&lb.n, Prec::Alias);
            if let Some(o) = &lb.offset_value {
                self.push(" ");
                self.kw("OFFSET");
                self.push(" ");
                self.expr(o, Prec::Alias);
            }
            self.push(" ");
            self.kw("BY");
            self.push(" ");
            self.expr_list(&lb.exprs);
        }
        // `limit_percent` has no syntax the parser accepts and is never set by it.
        self.limit_offset(q.limit.as_deref(), q.limit_with_ties, q.offset.as_deref());
    }

    /// `LIMIT n [WITH TIES] [OFFSET m]` or `OFFSET m`, of a SELECT or of a whole set.
    fn limit_offset(&mut self, limit: Option<&Expr>, with_ties: bool, offset: Option<&Expr>) {
        if let Some(limit) = limit {
            self.newline();
            self.kw("LIMIT");
            self.push(" ");
            self.expr(limit, Prec::Alias);
            if with_ties {
                self.push(" ");
                self.kw("WITH TIES");
            }
        }
        if let Some(offset) = offset {
            if limit.is_some() {
                self.push(" ");
            } else {
                self.newline();
            }
            self.kw("OFFSET");
            self.push(" ");
            self.expr(offset, Prec::Alias);
        }
    }

    fn clause(&mut self, keyword: &str, e: Option<&Expr>) {
        if let Some(e) = e {
            self.newline();
            self.kw(keyword);
            self.push(" ");
            self.expr(e, Prec::Alias);
        }
    }

    fn expr_list(&mut self, items: &[Expr]) {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(e, Prec::Alias);
        }
    }

    /// A subquery held as an expression (CTE bodies, FROM tables).
    fn subquery_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::SelectQuery(s) => self.parenthesised(|p| p.select(s)),
            ExprKind::SelectSetQuery(s) => self.parenthesised(|p| p.select_set(s)),
            _ => self.expr(e, Prec::Primary),
        }
    }

    /// The FROM clause: the first table, then every joined table on its own line. The chain is
    /// walked in a loop, as the visitor does.
    fn joins(&mut self, first: &JoinExpr) {
        let mut current = Some(first);
        let mut is_first = true;
        while let Some(j) = current {
            if !is_first {
                self.newline();
                match j.join_type.as_deref() {
                    Some(t) => self.kw(t),
                    None => self.kw("CROSS JOIN"),
                }
                self.push(" ");
            }
            is_first = false;
            self.table(j);
            if let Some(c) = &j.constraint {
                self.push(" ");
                self.kw(match c.constraint_type {
                    ConstraintType::On => "ON",
                    ConstraintType::Using => "USING",
                });
                self.push(" ");
                self.expr(&c.expr, Prec::Alias);
            }
            current = j.next_join.as_deref();
        }
    }

    fn table(&mut self, j: &JoinExpr) {
        match &j.table.kind {
            ExprKind::SelectQuery(_) | ExprKind::SelectSetQuery(_) => self.subquery_expr(&j.table),
            ExprKind::Field(f) => {
                for (i, part) in f.chain.iter().enumerate() {
                    if i > 0 {
                        self.push(".");
                    }
                    match part {
                        ChainPart::Name(n) => self.name(n),
                        ChainPart::Index(n) => self.push(&n.to_string()),
                    }
                }
            }
            _ => self.expr(&j.table, Prec::Primary),
        }
        if let Some(args) = &j.table_args {
            self.push("(");
            self.expr_list(args);
            self.push(")");
        }
        if let Some(alias) = &j.alias {
            self.push(" ");
            self.kw("AS");
            self.push(" ");
            self.name(alias);
        }
        if j.table_final {
            self.push(" ");
            self.kw("FINAL");
        }
        if let Some(s) = &j.sample {
            self.push(" ");
            self.kw("SAMPLE");
            self.push(" ");
            self.ratio(&s.sample_value);
            if let Some(o) = &s.offset_value {
                // Parses back only when nothing but the end of the FROM clause follows (the
                // parser then moves the query's OFFSET into the sample, as PostHog does).
                self.push(" ");
                self.kw("OFFSET");
                self.push(" ");
                self.ratio(o);
            }
        }
    }

    fn ratio(&mut self, r: &RatioExpr) {
        self.expr(&r.left, Prec::Primary);
        if let Some(right) = &r.right {
            self.push(" / ");
            self.expr(right, Prec::Primary);
        }
    }

    pub(super) fn window_spec(&mut self, w: &WindowExpr) {
        let mut sep = false;
        if let Some(p) = &w.partition_by {
            self.kw("PARTITION BY");
            self.push(" ");
            self.expr_list(p);
            sep = true;
        }
        if let Some(o) = &w.order_by {
            if sep {
                self.push(" ");
            }
            self.kw("ORDER BY");
            self.push(" ");
            self.order_list(o);
            sep = true;
        }
        if let (Some(method), Some(start)) = (w.frame_method, &w.frame_start) {
            if sep {
                self.push(" ");
            }
            self.kw(match method {
                FrameMethod::Rows => "ROWS",
                FrameMethod::Range => "RANGE",
            });
            self.push(" ");
            match &w.frame_end {
                Some(end) => {
                    self.kw("BETWEEN");
                    self.push(" ");
                    self.frame_bound(start);
                    self.push(" ");
                    self.kw("AND");
                    self.push(" ");
                    self.frame_bound(end);
                }
                None => self.frame_bound(start),
            }
        }
    }

    fn frame_bound(&mut self, f: &WindowFrameExpr) {
        match (f.frame_type, f.frame_value) {
            (FrameType::CurrentRow, _) => self.kw("CURRENT ROW"),
            (FrameType::Preceding, None) => self.kw("UNBOUNDED PRECEDING"),
            (FrameType::Following, None) => self.kw("UNBOUNDED FOLLOWING"),
            (FrameType::Preceding, Some(n)) => {
                self.push(&n.to_string());
                self.push(" ");
                self.kw("PRECEDING");
            }
            (FrameType::Following, Some(n)) => {
                self.push(&n.to_string());
                self.push(" ");
                self.kw("FOLLOWING");
            }
        }
    }

    pub(super) fn order_list(&mut self, items: &[OrderExpr]) {
        for (i, o) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(&o.expr, Prec::Alias);
            if o.order == Order::Desc {
                self.push(" ");
                self.kw("DESC");
            }
            if let Some(n) = o.nulls {
                self.push(" ");
                self.kw(match n {
                    NullsOrder::First => "NULLS FIRST",
                    NullsOrder::Last => "NULLS LAST",
                });
            }
        }
    }
}
