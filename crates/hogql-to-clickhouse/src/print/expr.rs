//! Expressions: constants as parameters, columns with time zones, JSON properties, calls,
//! NULL-safe comparisons (spec §7.3) and the and/or constant simplification (spec §8).

use super::Printer;
use super::select::Position;
use crate::error::TranslateError;
use crate::escape::{escape_identifier, format_float};
use crate::ir::{
    Call, CmpOp, ColumnRef, Const, Expr, Frame, FrameBound, Over, PropKey, WindowSpec,
};
use crate::params::ParamValue;
use hogql_parser::ast::{FrameMethod, FrameType};

/// Where an expression is printed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExprCtx {
    /// Inside a JOIN constraint or `indexHint(…)`: comparisons are printed bare.
    no_null_wrap: bool,
}

impl ExprCtx {
    pub(crate) fn join_on() -> Self {
        ExprCtx { no_null_wrap: true }
    }
}

impl Printer<'_> {
    pub(crate) fn expr_list(
        &mut self,
        items: &[Expr],
        ctx: ExprCtx,
    ) -> Result<String, TranslateError> {
        let mut out = Vec::with_capacity(items.len());
        for e in items {
            out.push(self.expr(e, ctx)?);
        }
        Ok(out.join(", "))
    }

    fn timezone(&mut self) -> String {
        self.params
            .bind(ParamValue::String(self.timezone.to_string()))
    }

    pub(crate) fn expr(&mut self, e: &Expr, ctx: ExprCtx) -> Result<String, TranslateError> {
        // Deep trees continue on a fresh stack segment instead of overflowing the caller's.
        stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
            self.expr_inner(e, ctx)
        })
    }

    fn expr_inner(&mut self, e: &Expr, ctx: ExprCtx) -> Result<String, TranslateError> {
        Ok(match e {
            Expr::Const(c) => self.constant(c),
            Expr::Column(c) => self.column(c)?,
            Expr::Name(n) => escape_identifier(&n.name)?,
            Expr::Property { json, keys } => {
                let json = self.expr(json, ctx)?;
                let mut args = vec![json];
                for k in keys {
                    args.push(self.params.bind(match k {
                        PropKey::Str(s) => ParamValue::String(s.clone()),
                        PropKey::Int(i) => ParamValue::Int(*i),
                    }));
                }
                format!(
                    "replaceRegexpAll(nullIf(nullIf(JSONExtractRaw({}), ''), 'null'), '^\"|\"$', '')",
                    args.join(", ")
                )
            }
            Expr::Call(call) => self.call(call, ctx)?,
            Expr::Template { template, args } => self.template(template, args, ctx)?,
            Expr::Compare { op, left, right } => self.compare(*op, left, right, ctx)?,
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let x = self.expr(expr, ctx)?;
                let lo = self.expr(low, ctx)?;
                let hi = self.expr(high, ctx)?;
                let not = if *negated { "NOT " } else { "" };
                let text = format!("{x} {not}BETWEEN {lo} AND {hi}");
                if !ctx.no_null_wrap && (expr.nullable() || low.nullable() || high.nullable()) {
                    format!("ifNull({text}, 0)")
                } else {
                    text
                }
            }
            Expr::And(items) => self.and_or(items, true, ctx)?,
            Expr::Or(items) => self.and_or(items, false, ctx)?,
            Expr::Not(inner) => format!("not({})", self.expr(inner, ctx)?),
            Expr::Array(items) => format!("[{}]", self.expr_list(items, ctx)?),
            Expr::ArrayAccess { array, index } => {
                let a = self.expr(array, ctx)?;
                let i = self.expr(index, ctx)?;
                format!("{a}[{i}]")
            }
            Expr::TupleAccess { tuple, index } => {
                let t = self.expr(tuple, ctx)?;
                match tuple.as_ref() {
                    Expr::Call(_) | Expr::Alias { .. } => format!("{t}.{index}"),
                    _ => format!("({t}).{index}"),
                }
            }
            Expr::Lambda { args, body } => {
                let mut names = Vec::with_capacity(args.len());
                for a in args {
                    names.push(escape_identifier(a)?);
                }
                let body = self.expr(body, ctx)?;
                if names.len() == 1 {
                    format!("{} -> {body}", names[0])
                } else {
                    format!("({}) -> {body}", names.join(", "))
                }
            }
            Expr::Alias { expr, name } => {
                format!(
                    "({} AS {})",
                    self.expr(expr, ctx)?,
                    escape_identifier(name)?
                )
            }
            Expr::Subquery(q) => self.query(q, Position::Nested)?,
            Expr::Window { call, over } => {
                let head = self.call(call, ctx)?;
                let over = match over.as_ref() {
                    Over::Name(name) => escape_identifier(name)?,
                    Over::Spec(spec) => format!("({})", self.window_spec(spec)?),
                };
                format!("{head} OVER {over}")
            }
            Expr::Star => "*".into(),
            Expr::Raw(text) => (*text).to_string(),
            Expr::Timezone => self.timezone(),
            Expr::Bound(s) => self.params.bind(ParamValue::String(s.clone())),
            Expr::Trim { mode, chars, value } => {
                // Arguments are printed in call order (value first), then rearranged.
                let v = self.expr(value, ctx)?;
                let c = self.expr(chars, ctx)?;
                format!("trim({mode} {c} FROM {v})")
            }
        })
    }

    fn constant(&mut self, c: &Const) -> String {
        match c {
            Const::Null => "NULL".into(),
            Const::Bool(b) => if *b { "1" } else { "0" }.into(),
            Const::Int(i) => i.to_string(),
            Const::BigInt(digits) => digits.clone(),
            Const::Float(f) => format_float(*f),
            Const::Str(s) => self.params.bind(ParamValue::String(s.clone())),
        }
    }

    fn column(&mut self, c: &ColumnRef) -> Result<String, TranslateError> {
        let mut text = String::new();
        if let Some(q) = &c.qualifier {
            text.push_str(&escape_identifier(q)?);
            text.push('.');
        }
        text.push_str(&escape_identifier(&c.name)?);
        if c.datetime {
            let tz = self.timezone();
            text = format!("toTimeZone({text}, {tz})");
        }
        Ok(text)
    }

    pub(crate) fn call(&mut self, call: &Call, ctx: ExprCtx) -> Result<String, TranslateError> {
        let inner_ctx = if call.name == "indexHint" {
            ExprCtx { no_null_wrap: true }
        } else {
            ctx
        };
        let mut out = call.name.clone();
        if let Some(params) = &call.params {
            out.push('(');
            out.push_str(&self.expr_list(params, inner_ctx)?);
            out.push(')');
        }
        out.push('(');
        if call.distinct {
            out.push_str("DISTINCT ");
        }
        out.push_str(&self.expr_list(&call.args, inner_ctx)?);
        out.push(')');
        Ok(out)
    }

    fn template(
        &mut self,
        template: &str,
        args: &[Expr],
        ctx: ExprCtx,
    ) -> Result<String, TranslateError> {
        let mut printed = Vec::with_capacity(args.len());
        for a in args {
            printed.push(self.expr(a, ctx)?);
        }
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        // The template's own commas get a space (`f({0},{1})` prints as `f(a, b)`); the
        // printed arguments are spliced in untouched.
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open].replace(',', ", "));
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                return Err(TranslateError::invalid(format!(
                    "Malformed function template: {template}"
                )));
            };
            let hole = &after[..close];
            if hole == "tz" {
                out.push_str(&self.timezone());
            } else {
                let i: usize = hole.parse().map_err(|_| {
                    TranslateError::invalid(format!("Malformed function template: {template}"))
                })?;
                let arg = printed.get(i).ok_or_else(|| {
                    TranslateError::invalid(format!("Malformed function template: {template}"))
                })?;
                out.push_str(arg);
            }
            rest = &after[close + 1..];
        }
        out.push_str(&rest.replace(',', ", "));
        Ok(out)
    }

    /// `and(…)` / `or(…)` with the constant simplification on the printed operands.
    fn and_or(
        &mut self,
        items: &[Expr],
        is_and: bool,
        ctx: ExprCtx,
    ) -> Result<String, TranslateError> {
        let (neutral, absorbing) = if is_and { ("1", "0") } else { ("0", "1") };
        let mut parts = Vec::with_capacity(items.len());
        for e in items {
            let p = self.expr(e, ctx)?;
            if p == absorbing {
                return Ok(absorbing.into());
            }
            if p != neutral {
                parts.push(p);
            }
        }
        Ok(match parts.len() {
            0 => neutral.into(),
            1 => parts.pop().unwrap_or_default(),
            _ => format!(
                "{}({})",
                if is_and { "and" } else { "or" },
                parts.join(", ")
            ),
        })
    }

    pub(crate) fn window_spec(&mut self, spec: &WindowSpec) -> Result<String, TranslateError> {
        let mut parts = Vec::new();
        if !spec.partition_by.is_empty() {
            parts.push(format!(
                "PARTITION BY {}",
                self.expr_list(&spec.partition_by, ExprCtx::default())?
            ));
        }
        if !spec.order_by.is_empty() {
            parts.push(format!("ORDER BY {}", self.order_list(&spec.order_by)?));
        }
        if let Some(frame) = &spec.frame {
            parts.push(frame_text(frame));
        }
        Ok(parts.join(" "))
    }

    /// NULL-safe comparison (spec §7.3).
    fn compare(
        &mut self,
        op: CmpOp,
        left: &Expr,
        right: &Expr,
        ctx: ExprCtx,
    ) -> Result<String, TranslateError> {
        use CmpOp::*;
        if let (Expr::Const(l), Expr::Const(r)) = (left, right)
            && let Some(v) = fold_compare(op, l, r)
        {
            return Ok(if v { "1" } else { "0" }.into());
        }
        let l = self.expr(left, ctx)?;
        let r = self.expr(right, ctx)?;
        let bare = match op {
            Regex => format!("match({l}, {r})"),
            NotRegex => format!("not(match({l}, {r}))"),
            IRegex => format!("match({l}, concat('(?i)', {r}))"),
            NotIRegex => format!("not(match({l}, concat('(?i)', {r})))"),
            _ => format!("{}({l}, {r})", op.function()),
        };
        if matches!(op, In | NotIn) {
            return Ok(bare);
        }
        let no_wrap = ctx.no_null_wrap
            || (!left.nullable() && !right.nullable())
            || left.is_sort_key_time()
            || right.is_sort_key_time();
        if no_wrap {
            return Ok(bare);
        }
        let l_null = left.is_null_const();
        let r_null = right.is_null_const();
        let non_null_const = (left.is_const() && !l_null) || (right.is_const() && !r_null);
        Ok(match op {
            Eq | Like | ILike => {
                if r_null {
                    format!("isNull({l})")
                } else if non_null_const {
                    format!("ifNull({bare}, 0)")
                } else if l_null {
                    format!("isNull({r})")
                } else {
                    format!("ifNull({bare}, isNull({l}) and isNull({r}))")
                }
            }
            NotEq | NotLike | NotILike => {
                if r_null {
                    format!("isNotNull({l})")
                } else if non_null_const {
                    format!("ifNull({bare}, 1)")
                } else if l_null {
                    format!("isNotNull({r})")
                } else {
                    format!("ifNull({bare}, isNotNull({l}) or isNotNull({r}))")
                }
            }
            _ => {
                // (result when exactly one side is NULL, result when both are)
                let (v1, v2) = match op {
                    Regex | IRegex => (false, true),
                    NotRegex | NotIRegex => (true, false),
                    _ => (false, false),
                };
                if l_null && r_null {
                    u8::from(v2).to_string()
                } else if (l_null || r_null) && v1 == v2 {
                    u8::from(v1).to_string()
                } else {
                    match (v1, v2) {
                        (true, true) => format!("ifNull({bare}, 1)"),
                        (true, false) => {
                            format!("ifNull({bare}, isNotNull({l}) or isNotNull({r}))")
                        }
                        (false, true) => format!("ifNull({bare}, isNull({l}) and isNull({r}))"),
                        (false, false) => format!("ifNull({bare}, 0)"),
                    }
                }
            }
        })
    }
}

fn frame_text(frame: &Frame) -> String {
    let method = match frame.method {
        FrameMethod::Rows => "ROWS",
        FrameMethod::Range => "RANGE",
    };
    match &frame.end {
        Some(end) => format!(
            "{method} BETWEEN {} AND {}",
            bound_text(&frame.start),
            bound_text(end)
        ),
        None => format!("{method} {}", bound_text(&frame.start)),
    }
}

fn bound_text(b: &FrameBound) -> String {
    match (b.kind, b.value) {
        (FrameType::CurrentRow, _) => "CURRENT ROW".into(),
        (FrameType::Preceding, None) => "UNBOUNDED PRECEDING".into(),
        (FrameType::Following, None) => "UNBOUNDED FOLLOWING".into(),
        (FrameType::Preceding, Some(n)) => format!("{n} PRECEDING"),
        (FrameType::Following, Some(n)) => format!("{n} FOLLOWING"),
    }
}

/// Folds a comparison of two constants with HogQL's NULL semantics, where the result is
/// certain; `None` when the printer should leave it to ClickHouse (e.g. string vs number).
fn fold_compare(op: CmpOp, l: &Const, r: &Const) -> Option<bool> {
    use CmpOp::*;
    use std::cmp::Ordering;
    if !matches!(op, Eq | NotEq | Lt | LtEq | Gt | GtEq) {
        return None;
    }
    let (l_null, r_null) = (matches!(l, Const::Null), matches!(r, Const::Null));
    if l_null || r_null {
        let both = l_null && r_null;
        return Some(match op {
            Eq => both,
            NotEq => !both,
            _ => false,
        });
    }
    let num = |c: &Const| match c {
        Const::Int(i) => Some(*i as f64),
        Const::Float(f) => Some(*f),
        Const::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    let ord = match (l, r) {
        (Const::Str(a), Const::Str(b)) => a.as_bytes().cmp(b.as_bytes()),
        (Const::Int(a), Const::Int(b)) => a.cmp(b),
        _ => num(l)?.partial_cmp(&num(r)?)?,
    };
    Some(match op {
        Eq => ord == Ordering::Equal,
        NotEq => ord != Ordering::Equal,
        Lt => ord == Ordering::Less,
        LtEq => ord != Ordering::Greater,
        Gt => ord == Ordering::Greater,
        GtEq => ord != Ordering::Less,
        _ => return None,
    })
}
