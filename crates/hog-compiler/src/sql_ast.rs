//! AST mode (hog-bytecode.md §11.9): inside `sql(...)` and `(select …)` an expression compiles
//! to code that *builds a dict describing its syntax tree*, the way PostHog's Python AST classes
//! look: `{'__hx_ast': '<Class>', <field>: <value>, …}` with PostHog's field names, in the
//! declaration order of PostHog's dataclasses, null fields left out. Placeholders `{expr}`
//! switch back to Hog mode and embed the value of `expr`.
//!
//! Quirks kept for byte-identical output: booleans are emitted as `INTEGER true/false`;
//! `Field` and `Alias` carry `from_asterisk: false`.

use crate::code::Code;
use crate::compiler::Compiler;
use crate::diagnostic::DiagnosticKind;
use hog_vm::opcode::Opcode;
use hogql_parser::ast::{
    ChainPart, Constant, Expr, ExprKind, HogQLXValue, JoinExpr, LambdaBody, OrderExpr, Query,
    SelectQuery, SelectSetQuery, Span,
};

/// One node dict under construction.
struct Node {
    code: Code,
    fields: usize,
    span: Span,
}

impl Node {
    fn new(class: &str, span: Span) -> Self {
        let mut code = Code::new();
        code.string("__hx_ast", span).string(class, span);
        Node {
            code,
            fields: 1,
            span,
        }
    }

    fn field(&mut self, name: &str, value: Code) {
        self.code.string(name, self.span);
        self.code.append(value);
        self.fields += 1;
    }

    fn finish(mut self) -> Code {
        self.code.op_n(Opcode::Dict, self.fields as i64, self.span);
        self.code
    }
}

impl Compiler<'_> {
    fn ast_str(&self, s: &str, span: Span) -> Code {
        let mut c = Code::new();
        c.string(s, span);
        c
    }

    fn ast_bool(&self, b: bool, span: Span) -> Code {
        let mut c = Code::new();
        c.op(Opcode::Integer, span).boolean(b);
        c
    }

    fn ast_list(&mut self, items: &[Expr], span: Span) -> Code {
        let mut c = Code::new();
        for i in items {
            c.append(self.expr(i));
        }
        c.op_n(Opcode::Array, items.len() as i64, span);
        c
    }

    fn ast_boxed(&mut self, e: &Option<Box<Expr>>) -> Option<Code> {
        e.as_ref().map(|e| self.expr(e))
    }

    /// The AST dict of `e` (AST mode; placeholders are handled by [`Compiler::expr`]).
    pub fn ast_node(&mut self, e: &Expr) -> Code {
        let span = e.span;
        match &e.kind {
            ExprKind::Constant(c) => {
                let mut n = Node::new("Constant", span);
                let mut v = Code::new();
                match c {
                    Constant::Null => return n.finish(),
                    Constant::Bool(b) => v = self.ast_bool(*b, span),
                    other => self.constant(&mut v, other, span),
                }
                n.field("value", v);
                n.finish()
            }
            ExprKind::Field(f) => {
                let mut n = Node::new("Field", span);
                let mut chain = Code::new();
                for part in &f.chain {
                    match part {
                        ChainPart::Name(s) => chain.string(s.clone(), span),
                        ChainPart::Index(i) => chain.op_n(Opcode::Integer, *i, span),
                    };
                }
                chain.op_n(Opcode::Array, f.chain.len() as i64, span);
                n.field("chain", chain);
                n.field("from_asterisk", self.ast_bool(false, span));
                n.finish()
            }
            ExprKind::Alias(a) => {
                let mut n = Node::new("Alias", span);
                n.field("alias", self.ast_str(&a.alias, span));
                let inner = self.expr(&a.expr);
                n.field("expr", inner);
                n.field("hidden", self.ast_bool(a.hidden, span));
                n.field("from_asterisk", self.ast_bool(false, span));
                n.finish()
            }
            ExprKind::ArithmeticOperation(a) => {
                let mut n = Node::new("ArithmeticOperation", span);
                let l = self.expr(&a.left);
                n.field("left", l);
                let r = self.expr(&a.right);
                n.field("right", r);
                n.field("op", self.ast_str(a.op.symbol(), span));
                n.finish()
            }
            ExprKind::CompareOperation(c) => {
                let mut n = Node::new("CompareOperation", span);
                let l = self.expr(&c.left);
                n.field("left", l);
                let r = self.expr(&c.right);
                n.field("right", r);
                n.field("op", self.ast_str(c.op.symbol(), span));
                n.finish()
            }
            ExprKind::BetweenExpr(b) => {
                let mut n = Node::new("BetweenExpr", span);
                let x = self.expr(&b.expr);
                n.field("expr", x);
                let lo = self.expr(&b.low);
                n.field("low", lo);
                let hi = self.expr(&b.high);
                n.field("high", hi);
                n.field("negated", self.ast_bool(b.negated, span));
                n.finish()
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let class = if matches!(e.kind, ExprKind::And(_)) {
                    "And"
                } else {
                    "Or"
                };
                let mut n = Node::new(class, span);
                let list = self.ast_list(items, span);
                n.field("exprs", list);
                n.finish()
            }
            ExprKind::Not(inner) => {
                let mut n = Node::new("Not", span);
                let x = self.expr(inner);
                n.field("expr", x);
                n.finish()
            }
            ExprKind::Call(c) => {
                let mut n = Node::new("Call", span);
                n.field("name", self.ast_str(&c.name, span));
                let args = self.ast_list(&c.args, span);
                n.field("args", args);
                if let Some(p) = &c.params {
                    let params = self.ast_list(p, span);
                    n.field("params", params);
                }
                n.field("distinct", self.ast_bool(c.distinct, span));
                n.finish()
            }
            ExprKind::ExprCall(c) => {
                let mut n = Node::new("ExprCall", span);
                let callee = self.expr(&c.expr);
                n.field("expr", callee);
                let args = self.ast_list(&c.args, span);
                n.field("args", args);
                n.finish()
            }
            ExprKind::Lambda(l) => {
                let LambdaBody::Expr(body) = &l.body else {
                    self.error(
                        DiagnosticKind::UnsupportedSyntax,
                        span,
                        "A lambda with a block body can not be used inside sql(...)",
                    );
                    return Code::new();
                };
                let mut n = Node::new("Lambda", span);
                let mut args = Code::new();
                for a in &l.args {
                    args.string(a.clone(), span);
                }
                args.op_n(Opcode::Array, l.args.len() as i64, span);
                n.field("args", args);
                let b = self.expr(body);
                n.field("expr", b);
                n.finish()
            }
            ExprKind::Array(items) | ExprKind::Tuple(items) => {
                let class = if matches!(e.kind, ExprKind::Array(_)) {
                    "Array"
                } else {
                    "Tuple"
                };
                let mut n = Node::new(class, span);
                let list = self.ast_list(items, span);
                n.field("exprs", list);
                n.finish()
            }
            ExprKind::Dict(_) => {
                // PostHog stores dict items as Python tuples, which its encoder does not know and
                // writes as `null`.
                let mut n = Node::new("Dict", span);
                let mut v = Code::new();
                v.op(Opcode::Null, span);
                n.field("items", v);
                n.finish()
            }
            ExprKind::ArrayAccess(a) => {
                let mut n = Node::new("ArrayAccess", span);
                let arr = self.expr(&a.array);
                n.field("array", arr);
                let prop = self.expr(&a.property);
                n.field("property", prop);
                n.field("nullish", self.ast_bool(a.nullish, span));
                n.finish()
            }
            ExprKind::TupleAccess(t) => {
                let mut n = Node::new("TupleAccess", span);
                let tup = self.expr(&t.tuple);
                n.field("tuple", tup);
                let mut idx = Code::new();
                idx.op_n(Opcode::Integer, t.index, span);
                n.field("index", idx);
                n.field("nullish", self.ast_bool(t.nullish, span));
                n.finish()
            }
            ExprKind::SelectQuery(q) => self.ast_select(q),
            ExprKind::SelectSetQuery(q) => self.ast_select_set(q),
            ExprKind::HogQLXTag(t) => {
                let callable = self.cur().resolve_local(&t.kind).is_some()
                    || self.resolve_upvalue(&t.kind).is_some();
                if callable {
                    return self.hogqlx_tag(t, span);
                }
                let mut n = Node::new("HogQLXTag", span);
                n.field("kind", self.ast_str(&t.kind, span));
                let mut attrs = Code::new();
                for a in &t.attributes {
                    let mut an = Node::new("HogQLXAttribute", a.span);
                    an.field("name", self.ast_str(&a.name, a.span));
                    let v = match &a.value {
                        HogQLXValue::Expr(e) => self.expr(e),
                        HogQLXValue::Children(items) => self.ast_list(items, a.span),
                    };
                    an.field("value", v);
                    attrs.append(an.finish());
                }
                attrs.op_n(Opcode::Array, t.attributes.len() as i64, span);
                n.field("attributes", attrs);
                n.finish()
            }
            ExprKind::Placeholder(_) => self.expr(e),
            _ => {
                self.error(
                    DiagnosticKind::UnsupportedSyntax,
                    span,
                    "This expression can not be used inside sql(...) in Hog",
                );
                Code::new()
            }
        }
    }

    fn ast_query(&mut self, q: &Query) -> Code {
        match q {
            Query::Select(s) => self.ast_select(s),
            Query::SelectSet(s) => self.ast_select_set(s),
        }
    }

    fn ast_select_set(&mut self, q: &SelectSetQuery) -> Code {
        let span = q.span;
        let mut n = Node::new("SelectSetQuery", span);
        let first = self.ast_query(&q.initial_select_query);
        n.field("initial_select_query", first);
        let mut list = Code::new();
        for node in &q.subsequent_select_queries {
            let mut sn = Node::new("SelectSetNode", node.span);
            let sq = self.ast_query(&node.select_query);
            sn.field("select_query", sq);
            sn.field(
                "set_operator",
                self.ast_str(node.set_operator.keyword(), node.span),
            );
            list.append(sn.finish());
        }
        list.op_n(
            Opcode::Array,
            q.subsequent_select_queries.len() as i64,
            span,
        );
        n.field("subsequent_select_queries", list);
        n.finish()
    }

    fn ast_order(&mut self, items: &[OrderExpr], span: Span) -> Code {
        let mut list = Code::new();
        for o in items {
            let mut n = Node::new("OrderExpr", o.span);
            let x = self.expr(&o.expr);
            n.field("expr", x);
            let dir = match o.order {
                hogql_parser::ast::Order::Asc => "ASC",
                hogql_parser::ast::Order::Desc => "DESC",
            };
            n.field("order", self.ast_str(dir, o.span));
            list.append(n.finish());
        }
        list.op_n(Opcode::Array, items.len() as i64, span);
        list
    }

    fn ast_select(&mut self, q: &SelectQuery) -> Code {
        let span = q.span;
        let mut n = Node::new("SelectQuery", span);
        if let Some(ctes) = &q.ctes {
            let mut d = Code::new();
            for cte in ctes {
                d.string(cte.name.clone(), cte.span);
                let mut cn = Node::new("CTE", cte.span);
                cn.field("name", self.ast_str(&cte.name, cte.span));
                let x = self.expr(&cte.expr);
                cn.field("expr", x);
                let kind = match cte.cte_type {
                    hogql_parser::ast::CteType::Subquery => "subquery",
                    hogql_parser::ast::CteType::Column => "column",
                };
                cn.field("cte_type", self.ast_str(kind, cte.span));
                d.append(cn.finish());
            }
            d.op_n(Opcode::Dict, ctes.len() as i64, span);
            n.field("ctes", d);
        }
        let select = self.ast_list(&q.select, span);
        n.field("select", select);
        if q.distinct {
            n.field("distinct", self.ast_bool(true, span));
        }
        if let Some(from) = &q.select_from {
            let j = self.ast_join(from);
            n.field("select_from", j);
        }
        if let Some(aj) = &q.array_join {
            n.field("array_join_op", self.ast_str(aj.kind.keyword(), aj.span));
            let list = self.ast_list(&aj.exprs, aj.span);
            n.field("array_join_list", list);
        }
        if let Some(w) = self.ast_boxed(&q.where_) {
            n.field("where", w);
        }
        if let Some(w) = self.ast_boxed(&q.prewhere) {
            n.field("prewhere", w);
        }
        if let Some(h) = self.ast_boxed(&q.having) {
            n.field("having", h);
        }
        if let Some(g) = &q.group_by {
            let list = self.ast_list(g, span);
            n.field("group_by", list);
        }
        if let Some(o) = &q.order_by {
            let list = self.ast_order(o, span);
            n.field("order_by", list);
        }
        if let Some(l) = self.ast_boxed(&q.limit) {
            n.field("limit", l);
        }
        if let Some(lb) = &q.limit_by {
            let mut ln = Node::new("LimitByExpr", lb.span);
            let x = self.expr(&lb.n);
            ln.field("n", x);
            let list = self.ast_list(&lb.exprs, lb.span);
            ln.field("exprs", list);
            if let Some(o) = self.ast_boxed(&lb.offset_value) {
                ln.field("offset_value", o);
            }
            n.field("limit_by", ln.finish());
        }
        if q.limit_with_ties {
            n.field("limit_with_ties", self.ast_bool(true, span));
        }
        if let Some(o) = self.ast_boxed(&q.offset) {
            n.field("offset", o);
        }
        if q.window_exprs.is_some() || q.qualify.is_some() || q.group_by_mode.is_some() {
            self.error(
                DiagnosticKind::UnsupportedSyntax,
                span,
                "WINDOW, QUALIFY and GROUP BY CUBE/ROLLUP can not be used inside sql(...) in Hog",
            );
        }
        n.finish()
    }

    fn ast_join(&mut self, j: &JoinExpr) -> Code {
        let span = j.span;
        let mut n = Node::new("JoinExpr", span);
        if let Some(t) = &j.join_type {
            n.field("join_type", self.ast_str(t, span));
        }
        let table = self.expr(&j.table);
        n.field("table", table);
        if let Some(args) = &j.table_args {
            let list = self.ast_list(args, span);
            n.field("table_args", list);
        }
        if let Some(a) = &j.alias {
            n.field("alias", self.ast_str(a, span));
        }
        if j.table_final {
            n.field("table_final", self.ast_bool(true, span));
        }
        if let Some(c) = &j.constraint {
            let mut cn = Node::new("JoinConstraint", c.span);
            let x = self.expr(&c.expr);
            cn.field("expr", x);
            let kind = match c.constraint_type {
                hogql_parser::ast::ConstraintType::On => "ON",
                hogql_parser::ast::ConstraintType::Using => "USING",
            };
            cn.field("constraint_type", self.ast_str(kind, c.span));
            n.field("constraint", cn.finish());
        }
        if let Some(next) = &j.next_join {
            let nj = self.ast_join(next);
            n.field("next_join", nj);
        }
        if j.sample.is_some() {
            self.error(
                DiagnosticKind::UnsupportedSyntax,
                span,
                "SAMPLE can not be used inside sql(...) in Hog",
            );
        }
        n.finish()
    }
}
