//! A read-only visitor over the tree.
//!
//! Override the `visit_*` methods you care about and call the matching `walk_*` function to
//! continue into the children. The walk functions visit children in source order.
//! Recursion depth is bounded by the tree depth, which the parser caps at [`crate::MAX_DEPTH`].

use super::*;

pub trait Visitor {
    fn visit_expr(&mut self, expr: &Expr) {
        walk_expr(self, expr)
    }
    fn visit_stmt(&mut self, stmt: &Stmt) {
        walk_stmt(self, stmt)
    }
    fn visit_block(&mut self, block: &Block) {
        walk_block(self, block)
    }
    fn visit_program(&mut self, program: &Program) {
        walk_program(self, program)
    }
    fn visit_query(&mut self, query: &Query) {
        walk_query(self, query)
    }
    fn visit_select(&mut self, select: &SelectQuery) {
        walk_select(self, select)
    }
    fn visit_select_set(&mut self, set: &SelectSetQuery) {
        walk_select_set(self, set)
    }
    fn visit_join(&mut self, join: &JoinExpr) {
        walk_join(self, join)
    }
    fn visit_window(&mut self, window: &WindowExpr) {
        walk_window(self, window)
    }
    fn visit_order(&mut self, order: &OrderExpr) {
        walk_order(self, order)
    }
}

pub fn walk_expr<V: Visitor + ?Sized>(v: &mut V, expr: &Expr) {
    match &expr.kind {
        ExprKind::Constant(_) | ExprKind::Field(_) | ExprKind::PositionalRef(_) => {}
        ExprKind::Placeholder(e) | ExprKind::Not(e) => v.visit_expr(e),
        ExprKind::Alias(a) => v.visit_expr(&a.expr),
        ExprKind::ArithmeticOperation(op) => {
            v.visit_expr(&op.left);
            v.visit_expr(&op.right);
        }
        ExprKind::CompareOperation(op) => {
            v.visit_expr(&op.left);
            v.visit_expr(&op.right);
        }
        ExprKind::BetweenExpr(b) => {
            v.visit_expr(&b.expr);
            v.visit_expr(&b.low);
            v.visit_expr(&b.high);
        }
        ExprKind::And(es) | ExprKind::Or(es) | ExprKind::Array(es) | ExprKind::Tuple(es) => {
            es.iter().for_each(|e| v.visit_expr(e))
        }
        ExprKind::Call(c) => {
            c.params.iter().flatten().for_each(|e| v.visit_expr(e));
            c.args.iter().for_each(|e| v.visit_expr(e));
            c.order_by.iter().flatten().for_each(|o| v.visit_order(o));
            c.within_group
                .iter()
                .flatten()
                .for_each(|o| v.visit_order(o));
            if let Some(f) = &c.filter_expr {
                v.visit_expr(f);
            }
        }
        ExprKind::ExprCall(c) => {
            v.visit_expr(&c.expr);
            c.args.iter().for_each(|e| v.visit_expr(e));
        }
        ExprKind::WindowFunction(w) => {
            w.exprs.iter().for_each(|e| v.visit_expr(e));
            w.args.iter().for_each(|e| v.visit_expr(e));
            if let WindowOver::Expr(win) = &w.over {
                v.visit_window(win);
            }
        }
        ExprKind::Lambda(l) => match &l.body {
            LambdaBody::Expr(e) => v.visit_expr(e),
            LambdaBody::Block(b) => v.visit_block(b),
        },
        ExprKind::Dict(items) => {
            for (k, val) in items {
                v.visit_expr(k);
                v.visit_expr(val);
            }
        }
        ExprKind::ArrayAccess(a) => {
            v.visit_expr(&a.array);
            v.visit_expr(&a.property);
        }
        ExprKind::ArraySlice(s) => {
            v.visit_expr(&s.array);
            if let Some(e) = &s.start {
                v.visit_expr(e);
            }
            if let Some(e) = &s.end {
                v.visit_expr(e);
            }
        }
        ExprKind::TupleAccess(t) => v.visit_expr(&t.tuple),
        ExprKind::TypeCast(t) => v.visit_expr(&t.expr),
        ExprKind::IsDistinctFrom(d) => {
            v.visit_expr(&d.left);
            v.visit_expr(&d.right);
        }
        ExprKind::SelectQuery(q) => v.visit_select(q),
        ExprKind::SelectSetQuery(q) => v.visit_select_set(q),
        ExprKind::HogQLXTag(tag) => {
            for attr in &tag.attributes {
                match &attr.value {
                    HogQLXValue::Expr(e) => v.visit_expr(e),
                    HogQLXValue::Children(cs) => cs.iter().for_each(|e| v.visit_expr(e)),
                }
            }
        }
    }
}

pub fn walk_stmt<V: Visitor + ?Sized>(v: &mut V, stmt: &Stmt) {
    match &stmt.kind {
        StmtKind::VarDecl { expr, .. } => {
            if let Some(e) = expr {
                v.visit_expr(e);
            }
        }
        StmtKind::Assign { left, right } => {
            v.visit_expr(left);
            v.visit_expr(right);
        }
        StmtKind::Expr(e) | StmtKind::Return(e) => {
            if let Some(e) = e {
                v.visit_expr(e);
            }
        }
        StmtKind::Throw(e) => v.visit_expr(e),
        StmtKind::If { cond, then, else_ } => {
            v.visit_expr(cond);
            v.visit_stmt(then);
            if let Some(e) = else_ {
                v.visit_stmt(e);
            }
        }
        StmtKind::While { cond, body } => {
            v.visit_expr(cond);
            v.visit_stmt(body);
        }
        StmtKind::For {
            init,
            cond,
            step,
            body,
        } => {
            if let Some(s) = init {
                v.visit_stmt(s);
            }
            if let Some(c) = cond {
                v.visit_expr(c);
            }
            if let Some(s) = step {
                v.visit_stmt(s);
            }
            v.visit_stmt(body);
        }
        StmtKind::ForIn { expr, body, .. } => {
            v.visit_expr(expr);
            v.visit_stmt(body);
        }
        StmtKind::Function { body, .. } => v.visit_block(body),
        StmtKind::Block(b) => v.visit_block(b),
        StmtKind::TryCatch {
            try_block,
            catches,
            finally,
        } => {
            v.visit_block(try_block);
            for c in catches {
                v.visit_block(&c.body);
            }
            if let Some(f) = finally {
                v.visit_block(f);
            }
        }
    }
}

pub fn walk_block<V: Visitor + ?Sized>(v: &mut V, block: &Block) {
    block.declarations.iter().for_each(|s| v.visit_stmt(s));
}

pub fn walk_program<V: Visitor + ?Sized>(v: &mut V, program: &Program) {
    program.declarations.iter().for_each(|s| v.visit_stmt(s));
}

pub fn walk_query<V: Visitor + ?Sized>(v: &mut V, query: &Query) {
    match query {
        Query::Select(q) => v.visit_select(q),
        Query::SelectSet(q) => v.visit_select_set(q),
    }
}

pub fn walk_select<V: Visitor + ?Sized>(v: &mut V, q: &SelectQuery) {
    for cte in q.ctes.iter().flatten() {
        v.visit_expr(&cte.expr);
    }
    q.select.iter().for_each(|e| v.visit_expr(e));
    if let Some(j) = &q.select_from {
        v.visit_join(j);
    }
    if let Some(aj) = &q.array_join {
        aj.exprs.iter().for_each(|e| v.visit_expr(e));
    }
    for e in [&q.prewhere, &q.where_].into_iter().flatten() {
        v.visit_expr(e);
    }
    q.group_by.iter().flatten().for_each(|e| v.visit_expr(e));
    for e in [&q.having, &q.qualify].into_iter().flatten() {
        v.visit_expr(e);
    }
    for w in q.window_exprs.iter().flatten() {
        v.visit_window(&w.window);
    }
    q.order_by.iter().flatten().for_each(|o| v.visit_order(o));
    if let Some(lb) = &q.limit_by {
        v.visit_expr(&lb.n);
        if let Some(o) = &lb.offset_value {
            v.visit_expr(o);
        }
        lb.exprs.iter().for_each(|e| v.visit_expr(e));
    }
    q.order_by.iter().flatten().for_each(|o| v.visit_order(o));
    for e in [&q.limit, &q.offset].into_iter().flatten() {
        v.visit_expr(e);
    }
}

pub fn walk_select_set<V: Visitor + ?Sized>(v: &mut V, q: &SelectSetQuery) {
    v.visit_query(&q.initial_select_query);
    for node in &q.subsequent_select_queries {
        v.visit_query(&node.select_query);
    }
    for e in [&q.limit, &q.offset].into_iter().flatten() {
        v.visit_expr(e);
    }
}

/// Visits this table and then, iteratively, every table joined after it (the `next_join`
/// chain is walked in a loop, not by recursion).
pub fn walk_join<V: Visitor + ?Sized>(v: &mut V, join: &JoinExpr) {
    let mut current = Some(join);
    while let Some(j) = current {
        v.visit_expr(&j.table);
        j.table_args.iter().flatten().for_each(|e| v.visit_expr(e));
        if let Some(s) = &j.sample {
            for r in std::iter::once(&s.sample_value).chain(&s.offset_value) {
                v.visit_expr(&r.left);
                if let Some(right) = &r.right {
                    v.visit_expr(right);
                }
            }
        }
        if let Some(c) = &j.constraint {
            v.visit_expr(&c.expr);
        }
        current = j.next_join.as_deref();
    }
}

pub fn walk_window<V: Visitor + ?Sized>(v: &mut V, w: &WindowExpr) {
    w.partition_by
        .iter()
        .flatten()
        .for_each(|e| v.visit_expr(e));
    w.order_by.iter().flatten().for_each(|o| v.visit_order(o));
}

pub fn walk_order<V: Visitor + ?Sized>(v: &mut V, o: &OrderExpr) {
    v.visit_expr(&o.expr);
}
