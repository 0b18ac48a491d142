//! The tree for people: one node per line, children indented, each with its byte span.
//!
//! Meant for reading (`hog parse --tree`, fixture snapshots), so it shows what the node *is*
//! (`CompareOperation =`, `Call count distinct`, `Constant 'text'`) rather than every field the
//! way `{:#?}` does. Field names label children only where the position alone does not say what
//! the child is (`where:`, `params:`, `else:`).

use super::{format_float, quote_string};
use crate::ast::*;
use std::fmt::Write;

/// An expression as an indented tree.
pub fn tree_expr(e: &Expr) -> String {
    let mut t = Tree::default();
    t.expr(None, e);
    t.out
}

/// A query (SELECT or set operation) as an indented tree.
pub fn tree_query(q: &Query) -> String {
    let mut t = Tree::default();
    t.query(None, q);
    t.out
}

/// A program as an indented tree.
pub fn tree_program(p: &Program) -> String {
    let mut t = Tree::default();
    t.line(None, "Program", p.span);
    t.depth += 1;
    for s in &p.declarations {
        t.stmt(None, s);
    }
    t.out
}

#[derive(Default)]
struct Tree {
    out: String,
    depth: usize,
}

impl Tree {
    /// One node line: `label: text @start..end`.
    fn line(&mut self, label: Option<&str>, text: &str, span: Span) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        if let Some(l) = label {
            self.out.push_str(l);
            self.out.push_str(": ");
        }
        let _ = writeln!(self.out, "{text} @{}..{}", span.start, span.end);
    }

    /// A line without a span (list headers, flags).
    fn header(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn nested(&mut self, f: impl FnOnce(&mut Tree)) {
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn list(&mut self, label: &str, items: &[Expr]) {
        self.header(&format!("{label}:"));
        self.nested(|t| items.iter().for_each(|e| t.expr(None, e)));
    }

    fn opt(&mut self, label: &str, e: Option<&Expr>) {
        if let Some(e) = e {
            self.expr(Some(label), e);
        }
    }

    fn expr(&mut self, label: Option<&str>, e: &Expr) {
        let s = e.span;
        match &e.kind {
            ExprKind::Constant(c) => self.line(label, &format!("Constant {}", constant(c)), s),
            ExprKind::Field(f) => {
                let chain: Vec<String> = f
                    .chain
                    .iter()
                    .map(|p| match p {
                        ChainPart::Name(n) => n.clone(),
                        ChainPart::Index(i) => i.to_string(),
                    })
                    .collect();
                self.line(label, &format!("Field {}", chain.join(".")), s)
            }
            ExprKind::Placeholder(inner) => {
                self.line(label, "Placeholder", s);
                self.nested(|t| t.expr(None, inner));
            }
            ExprKind::Alias(a) => {
                let hidden = if a.hidden { " (hidden)" } else { "" };
                self.line(label, &format!("Alias {}{hidden}", a.alias), s);
                self.nested(|t| t.expr(None, &a.expr));
            }
            ExprKind::ArithmeticOperation(a) => {
                self.line(label, &format!("ArithmeticOperation {}", a.op.symbol()), s);
                self.nested(|t| {
                    t.expr(None, &a.left);
                    t.expr(None, &a.right);
                });
            }
            ExprKind::CompareOperation(c) => {
                let style = if c.is_null_style {
                    " (IS NULL style)"
                } else {
                    ""
                };
                self.line(
                    label,
                    &format!("CompareOperation {}{style}", c.op.symbol()),
                    s,
                );
                self.nested(|t| {
                    t.expr(None, &c.left);
                    t.expr(None, &c.right);
                });
            }
            ExprKind::BetweenExpr(b) => {
                let name = if b.negated {
                    "BetweenExpr not"
                } else {
                    "BetweenExpr"
                };
                self.line(label, name, s);
                self.nested(|t| {
                    t.expr(None, &b.expr);
                    t.expr(Some("low"), &b.low);
                    t.expr(Some("high"), &b.high);
                });
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let name = if matches!(e.kind, ExprKind::And(_)) {
                    "And"
                } else {
                    "Or"
                };
                self.line(label, name, s);
                self.nested(|t| items.iter().for_each(|x| t.expr(None, x)));
            }
            ExprKind::Not(inner) => {
                self.line(label, "Not", s);
                self.nested(|t| t.expr(None, inner));
            }
            ExprKind::Call(c) => {
                let mut text = format!("Call {}", c.name);
                if c.distinct {
                    text.push_str(" distinct");
                }
                if c.desugared {
                    text.push_str(" (desugared)");
                }
                self.line(label, &text, s);
                self.nested(|t| {
                    if let Some(p) = &c.params {
                        t.list("params", p);
                    }
                    if c.params.is_some() || c.within_group.is_some() {
                        t.list("args", &c.args);
                    } else {
                        c.args.iter().for_each(|a| t.expr(None, a));
                    }
                    if let Some(o) = &c.order_by {
                        t.orders("order_by", o);
                    }
                    if let Some(o) = &c.within_group {
                        t.orders("within_group", o);
                    }
                    t.opt("filter", c.filter_expr.as_deref());
                });
            }
            ExprKind::ExprCall(c) => {
                self.line(label, "ExprCall", s);
                self.nested(|t| {
                    t.expr(Some("callee"), &c.expr);
                    c.args.iter().for_each(|a| t.expr(None, a));
                });
            }
            ExprKind::WindowFunction(w) => {
                self.line(label, &format!("WindowFunction {}", w.name), s);
                self.nested(|t| {
                    w.exprs.iter().for_each(|a| t.expr(None, a));
                    if !w.args.is_empty() {
                        t.list("args", &w.args);
                    }
                    match &w.over {
                        WindowOver::Name(n) => t.header(&format!("over: {n}")),
                        WindowOver::Expr(win) => t.window(Some("over"), win),
                    }
                });
            }
            ExprKind::Lambda(l) => {
                self.line(label, &format!("Lambda ({})", l.args.join(", ")), s);
                self.nested(|t| match &l.body {
                    LambdaBody::Expr(e) => t.expr(None, e),
                    LambdaBody::Block(b) => t.block(None, b),
                });
            }
            ExprKind::Array(items) | ExprKind::Tuple(items) => {
                let name = if matches!(e.kind, ExprKind::Array(_)) {
                    "Array"
                } else {
                    "Tuple"
                };
                self.line(label, name, s);
                self.nested(|t| items.iter().for_each(|x| t.expr(None, x)));
            }
            ExprKind::Dict(items) => {
                self.line(label, "Dict", s);
                self.nested(|t| {
                    for (k, v) in items {
                        t.expr(Some("key"), k);
                        t.expr(Some("value"), v);
                    }
                });
            }
            ExprKind::ArrayAccess(a) => {
                let name = if a.nullish {
                    "ArrayAccess ?."
                } else {
                    "ArrayAccess"
                };
                self.line(label, name, s);
                self.nested(|t| {
                    t.expr(None, &a.array);
                    t.expr(Some("property"), &a.property);
                });
            }
            ExprKind::ArraySlice(a) => {
                self.line(label, "ArraySlice", s);
                self.nested(|t| {
                    t.expr(None, &a.array);
                    t.opt("start", a.start.as_deref());
                    t.opt("end", a.end.as_deref());
                });
            }
            ExprKind::TupleAccess(a) => {
                let op = if a.nullish { "?." } else { "." };
                self.line(label, &format!("TupleAccess {op}{}", a.index), s);
                self.nested(|t| t.expr(None, &a.tuple));
            }
            ExprKind::TypeCast(c) => {
                self.line(label, &format!("TypeCast {}", c.type_name), s);
                self.nested(|t| t.expr(None, &c.expr));
            }
            ExprKind::IsDistinctFrom(d) => {
                let name = if d.negated {
                    "IsDistinctFrom not"
                } else {
                    "IsDistinctFrom"
                };
                self.line(label, name, s);
                self.nested(|t| {
                    t.expr(None, &d.left);
                    t.expr(None, &d.right);
                });
            }
            ExprKind::PositionalRef(n) => self.line(label, &format!("PositionalRef #{n}"), s),
            ExprKind::SelectQuery(q) => self.select(label, q),
            ExprKind::SelectSetQuery(q) => self.select_set(label, q),
            ExprKind::HogQLXTag(tag) => {
                self.line(label, &format!("HogQLXTag {}", tag.kind), s);
                self.nested(|t| {
                    for a in &tag.attributes {
                        match &a.value {
                            HogQLXValue::Expr(v) => t.expr(Some(&a.name), v),
                            HogQLXValue::Children(c) => {
                                t.line(Some(&a.name), "children", a.span);
                                t.nested(|t| c.iter().for_each(|x| t.expr(None, x)));
                            }
                        }
                    }
                });
            }
        }
    }

    fn orders(&mut self, label: &str, items: &[OrderExpr]) {
        self.header(&format!("{label}:"));
        self.nested(|t| {
            for o in items {
                let mut text = match o.order {
                    Order::Asc => "OrderExpr ASC".to_string(),
                    Order::Desc => "OrderExpr DESC".to_string(),
                };
                match o.nulls {
                    Some(NullsOrder::First) => text.push_str(" NULLS FIRST"),
                    Some(NullsOrder::Last) => text.push_str(" NULLS LAST"),
                    None => {}
                }
                t.line(None, &text, o.span);
                t.nested(|t| t.expr(None, &o.expr));
            }
        });
    }

    fn window(&mut self, label: Option<&str>, w: &WindowExpr) {
        let mut text = "WindowExpr".to_string();
        if let Some(m) = w.frame_method {
            text.push_str(match m {
                FrameMethod::Rows => " ROWS",
                FrameMethod::Range => " RANGE",
            });
        }
        for (bound, f) in [("from", &w.frame_start), ("to", &w.frame_end)] {
            if let Some(f) = f {
                let v = f
                    .frame_value
                    .map_or("unbounded".to_string(), |n| n.to_string());
                let kind = match f.frame_type {
                    FrameType::Preceding => format!("{v} preceding"),
                    FrameType::Following => format!("{v} following"),
                    FrameType::CurrentRow => "current row".to_string(),
                };
                let _ = write!(text, " {bound} {kind}");
            }
        }
        self.line(label, &text, w.span);
        self.nested(|t| {
            if let Some(p) = &w.partition_by {
                t.list("partition_by", p);
            }
            if let Some(o) = &w.order_by {
                t.orders("order_by", o);
            }
        });
    }

    fn query(&mut self, label: Option<&str>, q: &Query) {
        match q {
            Query::Select(s) => self.select(label, s),
            Query::SelectSet(s) => self.select_set(label, s),
        }
    }

    fn select_set(&mut self, label: Option<&str>, q: &SelectSetQuery) {
        self.line(label, "SelectSetQuery", q.span);
        self.nested(|t| {
            t.query(None, &q.initial_select_query);
            for n in &q.subsequent_select_queries {
                t.query(Some(n.set_operator.keyword()), &n.select_query);
            }
            if let Some(o) = &q.order_by {
                t.orders("order_by", o);
            }
            t.opt("limit", q.limit.as_deref());
            t.opt("offset", q.offset.as_deref());
        });
    }

    fn select(&mut self, label: Option<&str>, q: &SelectQuery) {
        let name = if q.distinct {
            "SelectQuery distinct"
        } else {
            "SelectQuery"
        };
        self.line(label, name, q.span);
        self.nested(|t| {
            if let Some(ctes) = &q.ctes {
                t.header("ctes:");
                t.nested(|t| {
                    for c in ctes {
                        let kind = match c.cte_type {
                            CteType::Subquery => "subquery",
                            CteType::Column => "column",
                        };
                        t.line(None, &format!("Cte {} ({kind})", c.name), c.span);
                        t.nested(|t| t.expr(None, &c.expr));
                    }
                });
            }
            t.list("select", &q.select);
            if let Some(j) = &q.select_from {
                t.header("from:");
                t.nested(|t| t.joins(j));
            }
            if let Some(aj) = &q.array_join {
                t.line(Some("array_join"), aj.kind.keyword(), aj.span);
                t.nested(|t| aj.exprs.iter().for_each(|e| t.expr(None, e)));
            }
            t.opt("prewhere", q.prewhere.as_deref());
            t.opt("where", q.where_.as_deref());
            if let Some(g) = &q.group_by {
                let label = match q.group_by_mode {
                    Some(GroupByMode::Cube) => "group_by CUBE",
                    Some(GroupByMode::Rollup) => "group_by ROLLUP",
                    None => "group_by",
                };
                t.list(label, g);
            }
            t.opt("having", q.having.as_deref());
            t.opt("qualify", q.qualify.as_deref());
            if let Some(ws) = &q.window_exprs {
                t.header("window:");
                t.nested(|t| {
                    for w in ws {
                        t.window(Some(&w.name), &w.window);
                    }
                });
            }
            if let Some(o) = &q.order_by {
                t.orders("order_by", o);
            }
            if let Some(lb) = &q.limit_by {
                t.line(Some("limit_by"), "LimitByExpr", lb.span);
                t.nested(|t| {
                    t.expr(Some("n"), &lb.n);
                    t.opt("offset", lb.offset_value.as_deref());
                    t.list("by", &lb.exprs);
                });
            }
            let limit_label = match (q.limit_with_ties, q.limit_percent) {
                (true, _) => "limit (with ties)",
                (_, true) => "limit (percent)",
                _ => "limit",
            };
            t.opt(limit_label, q.limit.as_deref());
            t.opt("offset", q.offset.as_deref());
        });
    }

    /// The FROM chain, one `JoinExpr` per table (walked in a loop, not by recursion).
    fn joins(&mut self, first: &JoinExpr) {
        let mut current = Some(first);
        while let Some(j) = current {
            let mut text = format!("JoinExpr {}", j.join_type.as_deref().unwrap_or("(first)"));
            if let Some(a) = &j.alias {
                let _ = write!(text, " AS {a}");
            }
            if j.table_final {
                text.push_str(" FINAL");
            }
            self.line(None, &text, j.span);
            self.nested(|t| {
                t.expr(Some("table"), &j.table);
                if let Some(args) = &j.table_args {
                    t.list("table_args", args);
                }
                if let Some(sample) = &j.sample {
                    t.line(Some("sample"), "SampleExpr", sample.span);
                    t.nested(|t| {
                        t.ratio("value", &sample.sample_value);
                        if let Some(o) = &sample.offset_value {
                            t.ratio("offset", o);
                        }
                    });
                }
                if let Some(c) = &j.constraint {
                    let kind = match c.constraint_type {
                        ConstraintType::On => "ON",
                        ConstraintType::Using => "USING",
                    };
                    t.line(Some("constraint"), kind, c.span);
                    t.nested(|t| t.expr(None, &c.expr));
                }
            });
            current = j.next_join.as_deref();
        }
    }

    fn ratio(&mut self, label: &str, r: &RatioExpr) {
        self.line(Some(label), "RatioExpr", r.span);
        self.nested(|t| {
            t.expr(None, &r.left);
            t.opt("denominator", r.right.as_deref());
        });
    }

    fn block(&mut self, label: Option<&str>, b: &Block) {
        self.line(label, "Block", b.span);
        self.nested(|t| b.declarations.iter().for_each(|s| t.stmt(None, s)));
    }

    fn stmt(&mut self, label: Option<&str>, st: &Stmt) {
        let s = st.span;
        match &st.kind {
            StmtKind::VarDecl { name, expr } => {
                self.line(label, &format!("VarDecl {name}"), s);
                self.nested(|t| t.opt("value", expr.as_ref()));
            }
            StmtKind::Assign { left, right } => {
                self.line(label, "Assign", s);
                self.nested(|t| {
                    t.expr(None, left);
                    t.expr(None, right);
                });
            }
            StmtKind::Expr(e) => {
                self.line(label, "ExprStatement", s);
                self.nested(|t| t.opt("expr", e.as_ref()));
            }
            StmtKind::Return(e) => {
                self.line(label, "Return", s);
                self.nested(|t| t.opt("value", e.as_ref()));
            }
            StmtKind::Throw(e) => {
                self.line(label, "Throw", s);
                self.nested(|t| t.expr(None, e));
            }
            StmtKind::If { cond, then, else_ } => {
                self.line(label, "If", s);
                self.nested(|t| {
                    t.expr(Some("cond"), cond);
                    t.stmt(Some("then"), then);
                    if let Some(e) = else_ {
                        t.stmt(Some("else"), e);
                    }
                });
            }
            StmtKind::While { cond, body } => {
                self.line(label, "While", s);
                self.nested(|t| {
                    t.expr(Some("cond"), cond);
                    t.stmt(Some("body"), body);
                });
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                self.line(label, "For", s);
                self.nested(|t| {
                    if let Some(i) = init {
                        t.stmt(Some("init"), i);
                    }
                    t.opt("cond", cond.as_ref());
                    if let Some(st) = step {
                        t.stmt(Some("step"), st);
                    }
                    t.stmt(Some("body"), body);
                });
            }
            StmtKind::ForIn {
                key_var,
                value_var,
                expr,
                body,
            } => {
                let vars = match key_var {
                    Some(k) => format!("{k}, {value_var}"),
                    None => value_var.clone(),
                };
                self.line(label, &format!("ForIn {vars}"), s);
                self.nested(|t| {
                    t.expr(Some("in"), expr);
                    t.stmt(Some("body"), body);
                });
            }
            StmtKind::Function { name, params, body } => {
                self.line(label, &format!("Function {name}({})", params.join(", ")), s);
                self.nested(|t| t.block(None, body));
            }
            StmtKind::Block(b) => self.block(label, b),
            StmtKind::TryCatch {
                try_block,
                catches,
                finally,
            } => {
                self.line(label, "TryCatch", s);
                self.nested(|t| {
                    t.block(Some("try"), try_block);
                    for c in catches {
                        let mut text = "catch".to_string();
                        if let Some(v) = &c.var {
                            let _ = write!(text, " ({v}");
                            if let Some(ty) = &c.error_type {
                                let _ = write!(text, ": {ty}");
                            }
                            text.push(')');
                        }
                        t.block(Some(&text), &c.body);
                    }
                    if let Some(f) = finally {
                        t.block(Some("finally"), f);
                    }
                });
            }
        }
    }
}

fn constant(c: &Constant) -> String {
    match c {
        Constant::Null => "NULL".into(),
        Constant::Bool(b) => b.to_string(),
        Constant::Int(i) => i.to_string(),
        Constant::BigInt(s) => s.clone(),
        Constant::Float(f) => format_float(*f),
        Constant::String(s) => quote_string(s),
    }
}
