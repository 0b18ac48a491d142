//! The JSON shape of PostHog's own parser (`@posthog/hogql-parser`), so both parsers can be
//! compared tree by tree.
//!
//! Facts reproduced here (observed from the pinned peer, 1.3.87): every node is an object with a
//! `"node"` key naming PostHog's AST class; keys are sorted; some fields are always present
//! (`null` when empty) and some only when set, per node kind; positions, when asked for, are
//! `"start"`/`"end"` objects `{"column", "line", "offset"}` with a 1-based line, a 0-based column
//! and offsets counted in characters; floats print like C's `%.17g` with `.0` added to whole
//! numbers; infinities, NaN and integers beyond 64 bits are strings tagged
//! `"value_type": "number"`; errors are `{"error": true, "type", "message", "start", "end"}`.

use crate::ast::*;
use crate::error::{ErrorKind, ParseError};
use crate::line_index::LineIndex;
use std::fmt::Write;

/// Options for the export.
pub struct JsonOptions<'a> {
    /// The parsed text; `Some` adds `start`/`end` positions to every node.
    pub positions: Option<&'a str>,
}

/// An expression as PostHog JSON.
pub fn expr_to_json(e: &Expr, opts: &JsonOptions<'_>) -> String {
    let w = Writer::new(opts);
    w.expr(e)
}

/// A SELECT or set query as PostHog JSON.
pub fn query_to_json(q: &Query, opts: &JsonOptions<'_>) -> String {
    let w = Writer::new(opts);
    w.query(q)
}

/// A program as PostHog JSON.
pub fn program_to_json(p: &Program, opts: &JsonOptions<'_>) -> String {
    let w = Writer::new(opts);
    let mut o = Obj::new("Program");
    o.raw(
        "declarations",
        w.list(p.declarations.iter().map(|s| w.stmt(s))),
    );
    // PostHog's program starts at its first token (comments and blank lines before it are not
    // part of it) and ends at the stop of ANTLR's end-of-file token, whose text `<EOF>` adds
    // five columns (not offsets) after the last character.
    let start = opts.positions.map_or(p.span.start, |src| {
        crate::lexer::tokenize(src, crate::lexer::Entry::Program)
            .0
            .first()
            .map_or(p.span.end, |t| t.0.max(p.span.start))
    });
    if let (Some(s), Some(e)) = (w.pos(start), w.pos_shifted(p.span.end, 5)) {
        o.raw("start", s);
        o.raw("end", e);
    }
    w.finish(o, Span::default())
}

/// The first error of a failed parse as PostHog's error object. Positions carry the character
/// offset only (line and column are 0, as in the peer's output).
pub fn error_to_json(err: &ParseError, src: &str) -> String {
    let idx = LineIndex::new(src);
    let ty = match err.kind {
        ErrorKind::Unsupported => "NotImplementedError",
        _ => "SyntaxError",
    };
    let pos = |off: u32| {
        format!(
            "{{\"column\":0,\"line\":0,\"offset\":{}}}",
            idx.char_offset(src, off)
        )
    };
    let mut o = String::new();
    let _ = write!(
        o,
        "{{\"end\":{},\"error\":true,\"message\":{},\"start\":{},\"type\":\"{ty}\"}}",
        pos(err.span.end),
        json_string(&err.message),
        pos(err.span.start)
    );
    o
}

/// Builds one JSON object; keys are sorted when it is finished.
struct Obj {
    fields: Vec<(&'static str, String)>,
}

impl Obj {
    fn new(node: &str) -> Self {
        Obj {
            fields: vec![("node", json_string(node))],
        }
    }
    fn raw(&mut self, key: &'static str, value: String) {
        self.fields.push((key, value));
    }
    fn str(&mut self, key: &'static str, value: &str) {
        self.fields.push((key, json_string(value)));
    }
    fn null(&mut self, key: &'static str) {
        self.fields.push((key, "null".into()));
    }
    fn bool(&mut self, key: &'static str, v: bool) {
        self.fields
            .push((key, if v { "true" } else { "false" }.into()));
    }
    fn opt(&mut self, key: &'static str, v: Option<String>) {
        self.fields.push((key, v.unwrap_or_else(|| "null".into())));
    }
}

/// Where the token ending at `end` starts: a quoted string or identifier (backwards over
/// doubled and backslash-escaped quotes), a word, or the one character before `end`.
fn last_token_start(src: &str, end: usize) -> usize {
    let b = src.as_bytes();
    let Some(&q) = end.checked_sub(1).and_then(|i| b.get(i)) else {
        return end;
    };
    if matches!(q, b'\'' | b'"' | b'`') {
        let mut i = end - 1;
        while i > 0 {
            i -= 1;
            if b[i] != q {
                continue;
            }
            let slashes = b[..i].iter().rev().take_while(|&&c| c == b'\\').count();
            if slashes % 2 == 1 {
                continue;
            }
            if i > 0 && b[i - 1] == q {
                i -= 1;
                continue;
            }
            // The end of a template string `f'…'` is a token of its own.
            if q == b'\'' && i > 0 && matches!(b[i - 1], b'f' | b'F') {
                return end - 1;
            }
            return i;
        }
        return end - 1;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let head = &src[..end];
    match head.char_indices().next_back() {
        Some((_, c)) if word(c) => head
            .char_indices()
            .rev()
            .take_while(|&(_, c)| word(c))
            .last()
            .map_or(end, |(i, _)| i),
        Some((i, _)) => i,
        None => end,
    }
}

struct Writer<'a> {
    src: Option<&'a str>,
    index: Option<LineIndex>,
}

impl<'a> Writer<'a> {
    fn new(opts: &JsonOptions<'a>) -> Self {
        Writer {
            src: opts.positions,
            index: opts.positions.map(LineIndex::new),
        }
    }

    fn pos(&self, off: u32) -> Option<String> {
        self.pos_shifted(off, 0)
    }

    /// A position whose column is `extra` columns further than the text says.
    fn pos_shifted(&self, off: u32, extra: u32) -> Option<String> {
        let (src, idx) = (self.src?, self.index.as_ref()?);
        let lc = idx.line_col(src, off);
        Some(format!(
            "{{\"column\":{},\"line\":{},\"offset\":{}}}",
            lc.column + extra,
            lc.line,
            idx.char_offset(src, off)
        ))
    }

    /// The end of a node as PostHog's parser gives it: the line and column where its last
    /// token starts, plus that token's length in UTF-8 bytes (ANTLR's C++ runtime), so a
    /// token with non-ASCII text (`'é'`) or a line break ends further right than it does in
    /// characters.
    fn end_pos(&self, off: u32) -> Option<String> {
        let (src, idx) = (self.src?, self.index.as_ref()?);
        let end = (off as usize).min(src.len());
        let start = last_token_start(src, end);
        let text = &src[start..end];
        if text.is_ascii() && !text.contains('\n') {
            return self.pos(off);
        }
        let lc = idx.line_col(src, start as u32);
        Some(format!(
            "{{\"column\":{},\"line\":{},\"offset\":{}}}",
            lc.column as usize + text.len(),
            lc.line,
            idx.char_offset(src, off)
        ))
    }

    fn finish(&self, mut o: Obj, span: Span) -> String {
        // Nodes with an empty span are implied by the syntax, not written: no position.
        if span.is_empty() {
        } else if let (Some(s), Some(e)) = (self.pos(span.start), self.end_pos(span.end)) {
            o.raw("start", s);
            o.raw("end", e);
        }
        o.fields.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = String::with_capacity(
            o.fields
                .iter()
                .map(|f| f.0.len() + f.1.len() + 4)
                .sum::<usize>()
                + 2,
        );
        out.push('{');
        for (i, (k, v)) in o.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(k);
            out.push_str("\":");
            out.push_str(v);
        }
        out.push('}');
        out
    }

    fn list(&self, items: impl Iterator<Item = String>) -> String {
        let mut out = String::from("[");
        for (i, s) in items.enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&s);
        }
        out.push(']');
        out
    }

    fn exprs(&self, es: &[Expr]) -> String {
        self.list(es.iter().map(|e| self.expr(e)))
    }

    fn opt_exprs(&self, es: &Option<Vec<Expr>>) -> Option<String> {
        es.as_ref().map(|v| self.exprs(v))
    }

    fn orders(&self, os: &[OrderExpr]) -> String {
        self.list(os.iter().map(|o| self.order(o)))
    }

    fn expr(&self, e: &Expr) -> String {
        let o = match &e.kind {
            ExprKind::Constant(c) => {
                let mut o = Obj::new("Constant");
                match c {
                    Constant::Null => o.null("value"),
                    Constant::Bool(b) => o.bool("value", *b),
                    Constant::Int(i) => o.raw("value", i.to_string()),
                    Constant::BigInt(s) => {
                        o.str("value", s);
                        o.str("value_type", "number");
                    }
                    Constant::Float(f) if f.is_nan() => {
                        o.str("value", "NaN");
                        o.str("value_type", "number");
                    }
                    Constant::Float(f) if f.is_infinite() => {
                        o.str("value", if *f > 0.0 { "Infinity" } else { "-Infinity" });
                        o.str("value_type", "number");
                    }
                    Constant::Float(f) => o.raw("value", format_float(*f)),
                    Constant::String(s) => o.str("value", s),
                }
                o
            }
            ExprKind::Field(f) => {
                let mut o = Obj::new("Field");
                o.raw(
                    "chain",
                    self.list(f.chain.iter().map(|c| match c {
                        ChainPart::Name(n) => json_string(n),
                        ChainPart::Index(i) => i.to_string(),
                    })),
                );
                o
            }
            ExprKind::Placeholder(inner) => {
                let mut o = Obj::new("Placeholder");
                o.raw("expr", self.expr(inner));
                o
            }
            ExprKind::Alias(a) => {
                let mut o = Obj::new("Alias");
                o.str("alias", &a.alias);
                o.raw("expr", self.expr(&a.expr));
                if a.hidden {
                    o.bool("hidden", true);
                }
                o
            }
            ExprKind::ArithmeticOperation(a) => {
                let mut o = Obj::new("ArithmeticOperation");
                o.raw("left", self.expr(&a.left));
                o.str("op", a.op.symbol());
                o.raw("right", self.expr(&a.right));
                o
            }
            ExprKind::CompareOperation(c) => {
                let mut o = Obj::new("CompareOperation");
                o.raw("left", self.expr(&c.left));
                o.str("op", c.op.symbol());
                o.raw("right", self.expr(&c.right));
                if c.is_null_style {
                    o.bool("is_null_comparison_style", true);
                }
                o
            }
            ExprKind::BetweenExpr(b) => {
                let mut o = Obj::new("BetweenExpr");
                o.raw("expr", self.expr(&b.expr));
                o.raw("low", self.expr(&b.low));
                o.raw("high", self.expr(&b.high));
                o.bool("negated", b.negated);
                o
            }
            ExprKind::And(es) => {
                let mut o = Obj::new("And");
                o.raw("exprs", self.exprs(es));
                o
            }
            ExprKind::Or(es) => {
                let mut o = Obj::new("Or");
                o.raw("exprs", self.exprs(es));
                o
            }
            ExprKind::Not(inner) => {
                let mut o = Obj::new("Not");
                o.raw("expr", self.expr(inner));
                o
            }
            ExprKind::Call(c) => self.call(c),
            ExprKind::ExprCall(c) => {
                let mut o = Obj::new("ExprCall");
                o.raw("expr", self.expr(&c.expr));
                o.raw("args", self.exprs(&c.args));
                o
            }
            ExprKind::WindowFunction(w) => {
                let mut o = Obj::new("WindowFunction");
                o.str("name", &w.name);
                o.raw("exprs", self.exprs(&w.exprs));
                o.raw("args", self.exprs(&w.args));
                match &w.over {
                    WindowOver::Expr(win) => o.raw("over_expr", self.window(win)),
                    WindowOver::Name(n) => o.str("over_identifier", n),
                }
                o
            }
            ExprKind::Lambda(l) => {
                let mut o = Obj::new("Lambda");
                o.raw("args", self.list(l.args.iter().map(|a| json_string(a))));
                match &l.body {
                    LambdaBody::Expr(b) => o.raw("expr", self.expr(b)),
                    LambdaBody::Block(b) => o.raw("expr", self.block(b)),
                }
                o
            }
            ExprKind::Array(es) => {
                let mut o = Obj::new("Array");
                o.raw("exprs", self.exprs(es));
                o
            }
            ExprKind::Tuple(es) => {
                let mut o = Obj::new("Tuple");
                o.raw("exprs", self.exprs(es));
                o
            }
            ExprKind::Dict(items) => {
                let mut o = Obj::new("Dict");
                o.raw(
                    "items",
                    self.list(
                        items
                            .iter()
                            .map(|(k, v)| format!("[{},{}]", self.expr(k), self.expr(v))),
                    ),
                );
                o
            }
            ExprKind::ArrayAccess(a) => {
                let mut o = Obj::new("ArrayAccess");
                o.raw("array", self.expr(&a.array));
                o.raw("property", self.expr(&a.property));
                if a.nullish {
                    o.bool("nullish", true);
                }
                o
            }
            ExprKind::ArraySlice(s) => {
                let mut o = Obj::new("ArraySlice");
                o.raw("array", self.expr(&s.array));
                if let Some(x) = &s.start {
                    o.raw("start_expr", self.expr(x));
                }
                if let Some(x) = &s.end {
                    o.raw("end_expr", self.expr(x));
                }
                o
            }
            ExprKind::TupleAccess(t) => {
                let mut o = Obj::new("TupleAccess");
                o.raw("tuple", self.expr(&t.tuple));
                o.raw("index", t.index.to_string());
                if t.nullish {
                    o.bool("nullish", true);
                }
                o
            }
            ExprKind::TypeCast(t) => {
                let mut o = Obj::new("TypeCast");
                o.raw("expr", self.expr(&t.expr));
                o.str("type_name", &t.type_name);
                o
            }
            ExprKind::IsDistinctFrom(d) => {
                let mut o = Obj::new("IsDistinctFrom");
                o.raw("left", self.expr(&d.left));
                o.raw("right", self.expr(&d.right));
                o.bool("negated", d.negated);
                o
            }
            ExprKind::PositionalRef(i) => {
                let mut o = Obj::new("PositionalRef");
                o.raw("index", i.to_string());
                o
            }
            ExprKind::SelectQuery(q) => return self.select(q),
            ExprKind::SelectSetQuery(q) => return self.select_set(q),
            ExprKind::HogQLXTag(t) => {
                let mut o = Obj::new("HogQLXTag");
                o.str("kind", &t.kind);
                o.raw(
                    "attributes",
                    self.list(t.attributes.iter().map(|a| {
                        let mut ao = Obj::new("HogQLXAttribute");
                        ao.str("name", &a.name);
                        match &a.value {
                            HogQLXValue::Expr(v) => {
                                ao.raw("value", self.expr(v));
                                self.finish(ao, a.span)
                            }
                            // The attribute made of a tag's children is implied by the
                            // syntax: PostHog gives it no position.
                            HogQLXValue::Children(cs) => {
                                ao.raw("value", self.exprs(cs));
                                self.finish(ao, Span::new(a.span.start, a.span.start))
                            }
                        }
                    })),
                );
                o
            }
        };
        self.finish(o, e.span)
    }

    fn call(&self, c: &Call) -> Obj {
        let mut o = Obj::new("Call");
        o.str("name", &c.name);
        o.raw("args", self.exprs(&c.args));
        if c.desugared {
            return o;
        }
        o.opt("params", self.opt_exprs(&c.params));
        o.bool("distinct", c.distinct);
        if let Some(wg) = &c.within_group {
            o.raw("within_group", self.orders(wg));
            return o;
        }
        o.opt("order_by", c.order_by.as_ref().map(|v| self.orders(v)));
        o.opt("filter_expr", c.filter_expr.as_ref().map(|f| self.expr(f)));
        o
    }

    fn order(&self, ord: &OrderExpr) -> String {
        let mut o = Obj::new("OrderExpr");
        o.raw("expr", self.expr(&ord.expr));
        o.str(
            "order",
            if ord.order == Order::Asc {
                "ASC"
            } else {
                "DESC"
            },
        );
        self.finish(o, ord.span)
    }

    fn window(&self, w: &WindowExpr) -> String {
        let mut o = Obj::new("WindowExpr");
        o.opt("partition_by", self.opt_exprs(&w.partition_by));
        o.opt("order_by", w.order_by.as_ref().map(|v| self.orders(v)));
        if let Some(m) = w.frame_method {
            o.str(
                "frame_method",
                if m == FrameMethod::Rows {
                    "ROWS"
                } else {
                    "RANGE"
                },
            );
        }
        o.opt("frame_start", w.frame_start.as_ref().map(|f| self.frame(f)));
        o.opt("frame_end", w.frame_end.as_ref().map(|f| self.frame(f)));
        if w.span.is_empty()
            && let Some(src) = self.src
        {
            // An empty window `()`: PostHog's node starts at the `)` (where the parser puts our
            // empty span) and ends after the `(` before it.
            let open_end = src[..w.span.start as usize]
                .trim_end_matches(|c: char| c.is_ascii_whitespace())
                .len() as u32;
            if let (Some(s), Some(e)) = (self.pos(w.span.start), self.pos(open_end)) {
                o.raw("start", s);
                o.raw("end", e);
            }
        }
        self.finish(o, w.span)
    }

    fn frame(&self, f: &WindowFrameExpr) -> String {
        let mut o = Obj::new("WindowFrameExpr");
        match f.frame_type {
            FrameType::CurrentRow => o.str("frame_type", "CURRENT ROW"),
            FrameType::Preceding | FrameType::Following => {
                o.str(
                    "frame_type",
                    if f.frame_type == FrameType::Preceding {
                        "PRECEDING"
                    } else {
                        "FOLLOWING"
                    },
                );
                o.opt("frame_value", f.frame_value.map(|v| v.to_string()));
            }
        }
        self.finish(o, f.span)
    }

    fn query(&self, q: &Query) -> String {
        match q {
            Query::Select(s) => self.select(s),
            Query::SelectSet(s) => self.select_set(s),
        }
    }

    fn select_set(&self, q: &SelectSetQuery) -> String {
        let mut o = Obj::new("SelectSetQuery");
        o.raw("initial_select_query", self.query(&q.initial_select_query));
        o.raw(
            "subsequent_select_queries",
            self.list(q.subsequent_select_queries.iter().map(|n| {
                let mut no = Obj::new("SelectSetNode");
                no.raw("select_query", self.query(&n.select_query));
                no.str("set_operator", n.set_operator.keyword());
                // PostHog gives set nodes no position.
                self.finish(no, Span::default())
            })),
        );
        if let Some(l) = &q.limit {
            o.raw("limit", self.expr(l));
        }
        if let Some(off) = &q.offset {
            o.raw("offset", self.expr(off));
        }
        self.finish(o, q.span)
    }

    fn select(&self, q: &SelectQuery) -> String {
        let mut o = Obj::new("SelectQuery");
        o.opt(
            "ctes",
            q.ctes
                .as_ref()
                .map(|cs| self.list(cs.iter().map(|c| self.cte(c)))),
        );
        o.raw(
            "distinct",
            if q.distinct {
                "true".into()
            } else {
                "null".into()
            },
        );
        o.raw("select", self.exprs(&q.select));
        o.opt("select_from", q.select_from.as_ref().map(|j| self.join(j)));
        if let Some(aj) = &q.array_join {
            o.str("array_join_op", aj.kind.keyword());
            o.raw("array_join_list", self.exprs(&aj.exprs));
        }
        o.opt("prewhere", q.prewhere.as_ref().map(|e| self.expr(e)));
        o.opt("where", q.where_.as_ref().map(|e| self.expr(e)));
        o.opt("group_by", self.opt_exprs(&q.group_by));
        if let Some(m) = q.group_by_mode {
            o.str(
                "group_by_mode",
                if m == GroupByMode::Cube {
                    "cube"
                } else {
                    "rollup"
                },
            );
        }
        o.opt("having", q.having.as_ref().map(|e| self.expr(e)));
        o.opt("qualify", q.qualify.as_ref().map(|e| self.expr(e)));
        if let Some(ws) = &q.window_exprs {
            let mut m = String::from("{");
            for (i, w) in ws.iter().enumerate() {
                if i > 0 {
                    m.push(',');
                }
                m.push_str(&json_string(&w.name));
                m.push(':');
                m.push_str(&self.window(&w.window));
            }
            m.push('}');
            o.raw("window_exprs", m);
        }
        if let Some(ob) = &q.order_by {
            o.raw("order_by", self.orders(ob));
        }
        if let Some(lb) = &q.limit_by {
            let mut lo = Obj::new("LimitByExpr");
            lo.raw("n", self.expr(&lb.n));
            lo.opt(
                "offset_value",
                lb.offset_value.as_ref().map(|e| self.expr(e)),
            );
            lo.raw("exprs", self.exprs(&lb.exprs));
            o.raw("limit_by", self.finish(lo, lb.span));
        }
        if let Some(l) = &q.limit {
            o.raw("limit", self.expr(l));
        }
        if q.limit_with_ties {
            o.bool("limit_with_ties", true);
        }
        if q.limit_percent {
            o.bool("limit_percent", true);
        }
        if let Some(off) = &q.offset {
            o.raw("offset", self.expr(off));
        }
        self.finish(o, q.span)
    }

    fn cte(&self, c: &Cte) -> String {
        let mut o = Obj::new("CTE");
        o.str("name", &c.name);
        o.raw("expr", self.expr(&c.expr));
        match c.cte_type {
            CteType::Subquery => {
                o.str("cte_type", "subquery");
                o.null("columns");
                o.null("materialized");
                o.null("using_key");
            }
            CteType::Column => o.str("cte_type", "column"),
        }
        self.finish(o, c.span)
    }

    /// The FROM chain, written from the last table backwards so no recursion is needed.
    fn join(&self, first: &JoinExpr) -> String {
        let mut chain = Vec::new();
        let mut cur = Some(first);
        while let Some(j) = cur {
            chain.push(j);
            cur = j.next_join.as_deref();
        }
        let mut next: Option<String> = None;
        for j in chain.into_iter().rev() {
            let mut o = Obj::new("JoinExpr");
            o.opt("alias", j.alias.as_ref().map(|a| json_string(a)));
            if j.table_args.is_some() {
                // PostHog gives a table function's name no position.
                let mut name = (*j.table).clone();
                name.span = Span::default();
                o.raw("table", self.expr(&name));
            } else {
                o.raw("table", self.expr(&j.table));
            }
            if let Some(args) = &j.table_args {
                o.raw("table_args", self.exprs(args));
            }
            if j.alias.is_some() {
                o.null("column_aliases");
            }
            o.raw(
                "table_final",
                if j.table_final {
                    "true".into()
                } else {
                    "null".into()
                },
            );
            o.opt("sample", j.sample.as_ref().map(|s| self.sample(s)));
            if let Some(t) = &j.join_type {
                o.str("join_type", t);
            }
            if let Some(c) = &j.constraint {
                let mut co = Obj::new("JoinConstraint");
                co.raw("expr", self.expr(&c.expr));
                co.str(
                    "constraint_type",
                    if c.constraint_type == ConstraintType::On {
                        "ON"
                    } else {
                        "USING"
                    },
                );
                o.raw("constraint", self.finish(co, c.span));
            }
            o.opt("next_join", next.take());
            next = Some(self.finish(o, j.span));
        }
        next.unwrap_or_else(|| "null".into())
    }

    fn sample(&self, s: &SampleExpr) -> String {
        let mut o = Obj::new("SampleExpr");
        o.raw("sample_value", self.ratio(&s.sample_value));
        o.opt(
            "offset_value",
            s.offset_value.as_ref().map(|r| self.ratio(r)),
        );
        self.finish(o, s.span)
    }

    fn ratio(&self, r: &RatioExpr) -> String {
        let mut o = Obj::new("RatioExpr");
        o.raw("left", self.expr(&r.left));
        o.opt("right", r.right.as_ref().map(|e| self.expr(e)));
        self.finish(o, r.span)
    }

    fn block(&self, b: &Block) -> String {
        let mut o = Obj::new("Block");
        o.raw(
            "declarations",
            self.list(b.declarations.iter().map(|s| self.stmt(s))),
        );
        self.finish(o, b.span)
    }

    fn stmt(&self, s: &Stmt) -> String {
        let opt_expr = |e: &Option<Expr>| e.as_ref().map(|e| self.expr(e));
        let o = match &s.kind {
            StmtKind::VarDecl { name, expr } => {
                let mut o = Obj::new("VariableDeclaration");
                o.str("name", name);
                o.opt("expr", opt_expr(expr));
                o
            }
            StmtKind::Assign { left, right } => {
                let mut o = Obj::new("VariableAssignment");
                o.raw("left", self.expr(left));
                o.raw("right", self.expr(right));
                o
            }
            StmtKind::Expr(e) => {
                let mut o = Obj::new("ExprStatement");
                o.opt("expr", opt_expr(e));
                o
            }
            StmtKind::Return(e) => {
                let mut o = Obj::new("ReturnStatement");
                o.opt("expr", opt_expr(e));
                o
            }
            StmtKind::Throw(e) => {
                let mut o = Obj::new("ThrowStatement");
                o.raw("expr", self.expr(e));
                o
            }
            StmtKind::If { cond, then, else_ } => {
                let mut o = Obj::new("IfStatement");
                o.raw("expr", self.expr(cond));
                o.raw("then", self.stmt(then));
                o.opt("else_", else_.as_ref().map(|e| self.stmt(e)));
                o
            }
            StmtKind::While { cond, body } => {
                let mut o = Obj::new("WhileStatement");
                o.raw("expr", self.expr(cond));
                o.raw("body", self.stmt(body));
                o
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                let mut o = Obj::new("ForStatement");
                o.opt("initializer", init.as_ref().map(|s| self.stmt(s)));
                o.opt("condition", opt_expr(cond));
                o.opt("increment", step.as_ref().map(|s| self.stmt(s)));
                o.raw("body", self.stmt(body));
                o
            }
            StmtKind::ForIn {
                key_var,
                value_var,
                expr,
                body,
            } => {
                let mut o = Obj::new("ForInStatement");
                o.opt("keyVar", key_var.as_ref().map(|k| json_string(k)));
                o.str("valueVar", value_var);
                o.raw("expr", self.expr(expr));
                o.raw("body", self.stmt(body));
                o
            }
            StmtKind::Function { name, params, body } => {
                let mut o = Obj::new("Function");
                o.str("name", name);
                o.raw("params", self.list(params.iter().map(|p| json_string(p))));
                o.raw("body", self.block(body));
                o
            }
            StmtKind::Block(b) => return self.block(b),
            StmtKind::TryCatch {
                try_block,
                catches,
                finally,
            } => {
                let mut o = Obj::new("TryCatchStatement");
                o.raw("try_stmt", self.block(try_block));
                o.raw(
                    "catches",
                    self.list(catches.iter().map(|c| {
                        let var = c
                            .var
                            .as_ref()
                            .map_or_else(|| "null".into(), |v| json_string(v));
                        let ty = c
                            .error_type
                            .as_ref()
                            .map_or_else(|| "null".into(), |t| json_string(t));
                        format!("[{var},{ty},{}]", self.block(&c.body))
                    })),
                );
                o.opt("finally_stmt", finally.as_ref().map(|f| self.block(f)));
                o
            }
        };
        self.finish(o, s.span)
    }
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float the way PostHog's parser prints it: C's `%.17g`, plus `.0` for whole numbers.
pub fn format_float(v: f64) -> String {
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // 17 significant digits in scientific form: d.dddddddddddddddde±x
    let sci = format!("{:.16e}", v);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..17).contains(&exp) {
        let d = digits.trim_end_matches('0');
        out.push_str(&d[..1]);
        if d.len() > 1 {
            out.push('.');
            out.push_str(&d[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return out;
    }
    // fixed notation with 17 significant digits
    let point = exp + 1; // digits before the decimal point
    let body = if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if point as usize >= digits.len() {
        format!("{}{}", digits, "0".repeat(point as usize - digits.len()))
    } else {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    };
    let body = if body.contains('.') {
        body.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        body
    };
    out.push_str(&body);
    if !out.contains('.') {
        out.push_str(".0");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_printf_17g() {
        assert_eq!(format_float(0.9), "0.90000000000000002");
        assert_eq!(format_float(1000.0), "1000.0");
        assert_eq!(format_float(1.5), "1.5");
        assert_eq!(format_float(1e100), "1e+100");
        assert_eq!(format_float(0.1e-5), "9.9999999999999995e-07");
        assert_eq!(format_float(439.175), "439.17500000000001");
        assert_eq!(format_float(-2.5), "-2.5");
        assert_eq!(format_float(1e16), "10000000000000000.0");
        assert_eq!(format_float(1e17), "1e+17");
    }

    #[test]
    fn strings_escape() {
        assert_eq!(json_string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
