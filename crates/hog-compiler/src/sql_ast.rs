//! AST mode (hog-bytecode.md §11.9): inside `sql(...)` and `(select …)` an expression compiles
//! to code that *builds a dict describing its syntax tree*, the way PostHog's Python AST classes
//! look: `{'__hx_ast': '<Class>', <field>: <value>, …}` with PostHog's field names, in the
//! declaration order of PostHog's dataclasses, null fields left out. Placeholders `{expr}`
//! switch back to Hog mode and embed the value of `expr`.
//!
//! Quirks kept for byte-identical output: booleans are emitted as `INTEGER true/false`;
//! `Field` and `Alias` carry `from_asterisk: false`.
//!
//! The keys and values of the dicts under construction sit on the stack, so they are counted
//! as temporaries of the function: code inside a placeholder that addresses stack slots
//! (`between`) then finds its slots.

use crate::compiler::Compiler;
use crate::diagnostic::DiagnosticKind;
use hog_vm::opcode::Opcode;
use hogql_parser::ast::{
    ChainPart, Constant, Expr, ExprKind, HogQLXValue, JoinExpr, LambdaBody, OrderExpr, Query,
    SelectQuery, SelectSetQuery, Span,
};

/// One node dict under construction: how many key/value pairs it has so far.
struct Node {
    fields: usize,
    span: Span,
}

impl Compiler<'_> {
    /// `{'__hx_ast': class, …`: starts a node dict.
    fn node(&mut self, class: &str, span: Span) -> Node {
        self.code.string("__hx_ast", span).string(class, span);
        self.cur().temps += 2;
        Node { fields: 1, span }
    }

    /// One `name: value` pair of a node; `value` emits the value.
    fn field(&mut self, n: &mut Node, name: &str, value: impl FnOnce(&mut Self)) {
        self.code.string(name, n.span);
        self.cur().temps += 1;
        value(self);
        self.cur().temps += 1;
        n.fields += 1;
    }

    /// Closes a node dict (`DICT n`).
    fn finish(&mut self, n: Node) {
        self.code.op_n(Opcode::Dict, n.fields as i64, n.span);
        let f = self.cur();
        f.temps = f.temps.saturating_sub(2 * n.fields);
    }

    /// A string value.
    fn ast_str(&mut self, s: &str, span: Span) {
        self.code.string(s, span);
    }

    /// A boolean value, written as PostHog writes it (`INTEGER true`).
    fn ast_bool(&mut self, b: bool, span: Span) {
        self.code.op(Opcode::Integer, span).boolean(b);
    }

    /// `[items…]`, each item through `item`.
    fn ast_array<T>(&mut self, items: &[T], span: Span, mut item: impl FnMut(&mut Self, &T)) {
        for i in items {
            item(self, i);
            self.cur().temps += 1;
        }
        self.code.op_n(Opcode::Array, items.len() as i64, span);
        let f = self.cur();
        f.temps = f.temps.saturating_sub(items.len());
    }

    /// `[expr…]`.
    fn ast_list(&mut self, items: &[Expr], span: Span) {
        self.ast_array(items, span, |c, e| c.expr(e));
    }

    /// The AST dict of `e` (AST mode; placeholders are handled by [`Compiler::expr`]).
    pub fn ast_node(&mut self, e: &Expr) {
        let span = e.span;
        match &e.kind {
            ExprKind::Constant(c) => {
                let mut n = self.node("Constant", span);
                match c {
                    Constant::Null => {}
                    Constant::Bool(b) => self.field(&mut n, "value", |s| s.ast_bool(*b, span)),
                    other => self.field(&mut n, "value", |s| s.constant(other, span)),
                }
                self.finish(n);
            }
            ExprKind::Field(f) => {
                let mut n = self.node("Field", span);
                self.field(&mut n, "chain", |s| {
                    s.ast_array(&f.chain, span, |s, part| match part {
                        ChainPart::Name(name) => {
                            s.code.string(name.as_str(), span);
                        }
                        ChainPart::Index(i) => {
                            s.code.op_n(Opcode::Integer, *i, span);
                        }
                    })
                });
                self.field(&mut n, "from_asterisk", |s| s.ast_bool(false, span));
                self.finish(n);
            }
            ExprKind::Alias(a) => {
                let mut n = self.node("Alias", span);
                self.field(&mut n, "alias", |s| s.ast_str(&a.alias, span));
                self.field(&mut n, "expr", |s| s.expr(&a.expr));
                self.field(&mut n, "hidden", |s| s.ast_bool(a.hidden, span));
                self.field(&mut n, "from_asterisk", |s| s.ast_bool(false, span));
                self.finish(n);
            }
            ExprKind::ArithmeticOperation(a) => {
                let mut n = self.node("ArithmeticOperation", span);
                self.field(&mut n, "left", |s| s.expr(&a.left));
                self.field(&mut n, "right", |s| s.expr(&a.right));
                self.field(&mut n, "op", |s| s.ast_str(a.op.symbol(), span));
                self.finish(n);
            }
            ExprKind::CompareOperation(c) => {
                let mut n = self.node("CompareOperation", span);
                self.field(&mut n, "left", |s| s.expr(&c.left));
                self.field(&mut n, "right", |s| s.expr(&c.right));
                self.field(&mut n, "op", |s| s.ast_str(c.op.symbol(), span));
                self.finish(n);
            }
            ExprKind::BetweenExpr(b) => {
                let mut n = self.node("BetweenExpr", span);
                self.field(&mut n, "expr", |s| s.expr(&b.expr));
                self.field(&mut n, "low", |s| s.expr(&b.low));
                self.field(&mut n, "high", |s| s.expr(&b.high));
                self.field(&mut n, "negated", |s| s.ast_bool(b.negated, span));
                self.finish(n);
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let class = if matches!(e.kind, ExprKind::And(_)) {
                    "And"
                } else {
                    "Or"
                };
                let mut n = self.node(class, span);
                self.field(&mut n, "exprs", |s| s.ast_list(items, span));
                self.finish(n);
            }
            ExprKind::Not(inner) => {
                let mut n = self.node("Not", span);
                self.field(&mut n, "expr", |s| s.expr(inner));
                self.finish(n);
            }
            ExprKind::Call(c) => {
                let mut n = self.node("Call", span);
                self.field(&mut n, "name", |s| s.ast_str(&c.name, span));
                self.field(&mut n, "args", |s| s.ast_list(&c.args, span));
                if let Some(p) = &c.params {
                    self.field(&mut n, "params", |s| s.ast_list(p, span));
                }
                self.field(&mut n, "distinct", |s| s.ast_bool(c.distinct, span));
                self.finish(n);
            }
            ExprKind::ExprCall(c) => {
                let mut n = self.node("ExprCall", span);
                self.field(&mut n, "expr", |s| s.expr(&c.expr));
                self.field(&mut n, "args", |s| s.ast_list(&c.args, span));
                self.finish(n);
            }
            ExprKind::Lambda(l) => {
                let LambdaBody::Expr(body) = &l.body else {
                    self.error(
                        DiagnosticKind::UnsupportedSyntax,
                        span,
                        "A lambda with a block body can not be used inside sql(...)",
                    );
                    return;
                };
                let mut n = self.node("Lambda", span);
                self.field(&mut n, "args", |s| {
                    s.ast_array(&l.args, span, |s, a| s.ast_str(a, span))
                });
                self.field(&mut n, "expr", |s| s.expr(body));
                self.finish(n);
            }
            ExprKind::Array(items) | ExprKind::Tuple(items) => {
                let class = if matches!(e.kind, ExprKind::Array(_)) {
                    "Array"
                } else {
                    "Tuple"
                };
                let mut n = self.node(class, span);
                self.field(&mut n, "exprs", |s| s.ast_list(items, span));
                self.finish(n);
            }
            ExprKind::Dict(_) => {
                // PostHog stores dict items as Python tuples, which its encoder does not know and
                // writes as `null`.
                let mut n = self.node("Dict", span);
                self.field(&mut n, "items", |s| {
                    s.code.op(Opcode::Null, span);
                });
                self.finish(n);
            }
            ExprKind::ArrayAccess(a) => {
                let mut n = self.node("ArrayAccess", span);
                self.field(&mut n, "array", |s| s.expr(&a.array));
                self.field(&mut n, "property", |s| s.expr(&a.property));
                self.field(&mut n, "nullish", |s| s.ast_bool(a.nullish, span));
                self.finish(n);
            }
            ExprKind::TupleAccess(t) => {
                let mut n = self.node("TupleAccess", span);
                self.field(&mut n, "tuple", |s| s.expr(&t.tuple));
                self.field(&mut n, "index", |s| {
                    s.code.op_n(Opcode::Integer, t.index, span);
                });
                self.field(&mut n, "nullish", |s| s.ast_bool(t.nullish, span));
                self.finish(n);
            }
            ExprKind::SelectQuery(q) => self.ast_select(q),
            ExprKind::SelectSetQuery(q) => self.ast_select_set(q),
            ExprKind::HogQLXTag(t) => {
                let callable = self.cur().resolve_local(&t.kind).is_some()
                    || self.resolve_upvalue(&t.kind).is_some();
                if callable {
                    return self.hogqlx_tag(t, span);
                }
                let mut n = self.node("HogQLXTag", span);
                self.field(&mut n, "kind", |s| s.ast_str(&t.kind, span));
                self.field(&mut n, "attributes", |s| {
                    s.ast_array(&t.attributes, span, |s, a| {
                        let mut an = s.node("HogQLXAttribute", a.span);
                        s.field(&mut an, "name", |s| s.ast_str(&a.name, a.span));
                        s.field(&mut an, "value", |s| match &a.value {
                            HogQLXValue::Expr(e) => s.expr(e),
                            HogQLXValue::Children(items) => s.ast_list(items, a.span),
                        });
                        s.finish(an);
                    })
                });
                self.finish(n);
            }
            ExprKind::Placeholder(_) => self.expr(e),
            _ => {
                self.error(
                    DiagnosticKind::UnsupportedSyntax,
                    span,
                    "This expression can not be used inside sql(...) in Hog",
                );
            }
        }
    }

    fn ast_query(&mut self, q: &Query) {
        match q {
            Query::Select(s) => self.ast_select(s),
            Query::SelectSet(s) => self.ast_select_set(s),
        }
    }

    fn ast_select_set(&mut self, q: &SelectSetQuery) {
        let span = q.span;
        let mut n = self.node("SelectSetQuery", span);
        self.field(&mut n, "initial_select_query", |s| {
            s.ast_query(&q.initial_select_query)
        });
        self.field(&mut n, "subsequent_select_queries", |s| {
            s.ast_array(&q.subsequent_select_queries, span, |s, node| {
                let mut sn = s.node("SelectSetNode", node.span);
                s.field(&mut sn, "select_query", |s| s.ast_query(&node.select_query));
                s.field(&mut sn, "set_operator", |s| {
                    s.ast_str(node.set_operator.keyword(), node.span)
                });
                s.finish(sn);
            })
        });
        if let Some(l) = &q.limit {
            self.field(&mut n, "limit", |s| s.expr(l));
        }
        if let Some(o) = &q.offset {
            self.field(&mut n, "offset", |s| s.expr(o));
        }
        self.finish(n);
    }

    fn ast_order(&mut self, items: &[OrderExpr], span: Span) {
        self.ast_array(items, span, |s, o| {
            let mut n = s.node("OrderExpr", o.span);
            s.field(&mut n, "expr", |s| s.expr(&o.expr));
            let dir = match o.order {
                hogql_parser::ast::Order::Asc => "ASC",
                hogql_parser::ast::Order::Desc => "DESC",
            };
            s.field(&mut n, "order", |s| s.ast_str(dir, o.span));
            s.finish(n);
        });
    }

    fn ast_select(&mut self, q: &SelectQuery) {
        let span = q.span;
        let mut n = self.node("SelectQuery", span);
        if let Some(ctes) = &q.ctes {
            self.field(&mut n, "ctes", |s| {
                for cte in ctes {
                    s.code.string(cte.name.as_str(), cte.span);
                    s.cur().temps += 1;
                    let mut cn = s.node("CTE", cte.span);
                    s.field(&mut cn, "name", |s| s.ast_str(&cte.name, cte.span));
                    s.field(&mut cn, "expr", |s| s.expr(&cte.expr));
                    let kind = match cte.cte_type {
                        hogql_parser::ast::CteType::Subquery => "subquery",
                        hogql_parser::ast::CteType::Column => "column",
                    };
                    s.field(&mut cn, "cte_type", |s| s.ast_str(kind, cte.span));
                    s.finish(cn);
                    s.cur().temps += 1;
                }
                s.code.op_n(Opcode::Dict, ctes.len() as i64, span);
                let f = s.cur();
                f.temps = f.temps.saturating_sub(2 * ctes.len());
            });
        }
        self.field(&mut n, "select", |s| s.ast_list(&q.select, span));
        if q.distinct {
            self.field(&mut n, "distinct", |s| s.ast_bool(true, span));
        }
        if let Some(from) = &q.select_from {
            self.field(&mut n, "select_from", |s| s.ast_join(from));
        }
        if let Some(aj) = &q.array_join {
            self.field(&mut n, "array_join_op", |s| {
                s.ast_str(aj.kind.keyword(), aj.span)
            });
            self.field(&mut n, "array_join_list", |s| {
                s.ast_list(&aj.exprs, aj.span)
            });
        }
        for (name, value) in [
            ("where", &q.where_),
            ("prewhere", &q.prewhere),
            ("having", &q.having),
        ] {
            if let Some(v) = value {
                self.field(&mut n, name, |s| s.expr(v));
            }
        }
        if let Some(g) = &q.group_by {
            self.field(&mut n, "group_by", |s| s.ast_list(g, span));
        }
        if let Some(o) = &q.order_by {
            self.field(&mut n, "order_by", |s| s.ast_order(o, span));
        }
        if let Some(l) = &q.limit {
            self.field(&mut n, "limit", |s| s.expr(l));
        }
        if let Some(lb) = &q.limit_by {
            self.field(&mut n, "limit_by", |s| {
                let mut ln = s.node("LimitByExpr", lb.span);
                s.field(&mut ln, "n", |s| s.expr(&lb.n));
                s.field(&mut ln, "exprs", |s| s.ast_list(&lb.exprs, lb.span));
                if let Some(o) = &lb.offset_value {
                    s.field(&mut ln, "offset_value", |s| s.expr(o));
                }
                s.finish(ln);
            });
        }
        if q.limit_with_ties {
            self.field(&mut n, "limit_with_ties", |s| s.ast_bool(true, span));
        }
        if let Some(o) = &q.offset {
            self.field(&mut n, "offset", |s| s.expr(o));
        }
        if q.window_exprs.is_some() || q.qualify.is_some() || q.group_by_mode.is_some() {
            self.error(
                DiagnosticKind::UnsupportedSyntax,
                span,
                "WINDOW, QUALIFY and GROUP BY CUBE/ROLLUP can not be used inside sql(...) in Hog",
            );
        }
        self.finish(n);
    }

    fn ast_join(&mut self, j: &JoinExpr) {
        let span = j.span;
        let mut n = self.node("JoinExpr", span);
        if let Some(t) = &j.join_type {
            self.field(&mut n, "join_type", |s| s.ast_str(t, span));
        }
        self.field(&mut n, "table", |s| s.expr(&j.table));
        if let Some(args) = &j.table_args {
            self.field(&mut n, "table_args", |s| s.ast_list(args, span));
        }
        if let Some(a) = &j.alias {
            self.field(&mut n, "alias", |s| s.ast_str(a, span));
        }
        if j.table_final {
            self.field(&mut n, "table_final", |s| s.ast_bool(true, span));
        }
        if let Some(c) = &j.constraint {
            self.field(&mut n, "constraint", |s| {
                let mut cn = s.node("JoinConstraint", c.span);
                s.field(&mut cn, "expr", |s| s.expr(&c.expr));
                let kind = match c.constraint_type {
                    hogql_parser::ast::ConstraintType::On => "ON",
                    hogql_parser::ast::ConstraintType::Using => "USING",
                };
                s.field(&mut cn, "constraint_type", |s| s.ast_str(kind, c.span));
                s.finish(cn);
            });
        }
        if let Some(next) = &j.next_join {
            self.field(&mut n, "next_join", |s| s.ast_join(next));
        }
        if j.sample.is_some() {
            self.error(
                DiagnosticKind::UnsupportedSyntax,
                span,
                "SAMPLE can not be used inside sql(...) in Hog",
            );
        }
        self.finish(n);
    }
}
