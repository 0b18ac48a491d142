//! Expressions: constants as parameters, columns with time zones, JSON properties, calls,
//! NULL-safe comparisons (spec §7.3) and the and/or constant simplification (spec §8).

use super::select::Position;
use super::{Printed, Printer};
use crate::error::TranslateError;
use crate::escape::{format_float, push_identifier};
use crate::ir::{
    Call, CmpOp, ColumnRef, Const, Expr, Frame, FrameBound, Over, PropKey, WindowSpec,
};
use crate::params::ParamValue;
use hogql_parser::ast::{FrameMethod, FrameType};
use std::fmt::Write;
use std::ops::Range;

/// Where an expression is printed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExprCtx {
    /// Inside a JOIN constraint or `indexHint(…)`: comparisons are printed bare.
    no_null_wrap: bool,
    /// A top-level condition of WHERE/PREWHERE (an operand of the top `and`): a range
    /// comparison on the sort-key timestamp is printed on the bare column (see
    /// [`Printer::time_filter`]).
    time_filter: bool,
    /// The first argument of a call: a lambda may be printed bare. Anywhere else ClickHouse
    /// parses `x -> x` only in parentheses (`f(1, (x -> x))`, `[(x -> x)]`).
    bare_lambda: bool,
}

impl ExprCtx {
    pub(crate) fn join_on() -> Self {
        ExprCtx {
            no_null_wrap: true,
            time_filter: false,
            bare_lambda: false,
        }
    }

    pub(crate) fn where_clause() -> Self {
        ExprCtx {
            no_null_wrap: false,
            time_filter: true,
            bare_lambda: false,
        }
    }
}

impl Printer<'_> {
    pub(crate) fn expr_list(&mut self, items: &[Expr], ctx: ExprCtx) -> Printed {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(e, ctx)?;
        }
        Ok(())
    }

    fn timezone(&mut self) {
        self.params
            .bind_into(&mut self.out, ParamValue::String(self.timezone.to_string()));
    }

    /// Prints with `f` and takes the printed text out of the buffer again (for the few forms
    /// that print their parts in another order than they are bound).
    fn capture(&mut self, f: impl FnOnce(&mut Self) -> Printed) -> Result<String, TranslateError> {
        let start = self.out.len();
        f(self)?;
        Ok(self.out.split_off(start))
    }

    pub(crate) fn expr(&mut self, e: &Expr, mut ctx: ExprCtx) -> Printed {
        if !matches!(e, Expr::Compare { .. } | Expr::And(_)) {
            ctx.time_filter = false;
        }
        if !matches!(e, Expr::Lambda { .. }) {
            ctx.bare_lambda = false;
        }
        // Deep trees continue on a fresh stack segment instead of overflowing the caller's.
        // Checking the stack costs a little, so it is done every few levels only: the red
        // zone is far larger than a few printer frames.
        self.depth += 1;
        let result = if self.depth.is_multiple_of(crate::STACK_CHECK_EVERY) {
            stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
                self.expr_inner(e, ctx)
            })
        } else {
            self.expr_inner(e, ctx)
        };
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, e: &Expr, ctx: ExprCtx) -> Printed {
        match e {
            Expr::Const(c) => self.constant(c),
            Expr::Column(c) => self.column(c)?,
            Expr::Name(n) => push_identifier(&mut self.out, &n.name)?,
            Expr::Property { json, keys } => {
                self.out
                    .push_str("replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(");
                self.expr(json, ctx)?;
                for k in keys {
                    self.out.push_str(", ");
                    let value = match k {
                        PropKey::Str(s) => ParamValue::String(s.clone()),
                        PropKey::Int(i) => ParamValue::Int(*i),
                    };
                    self.params.bind_into(&mut self.out, value);
                }
                self.out.push_str("), ''), 'null'), '^\"|\"$', '')");
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
                let wrap =
                    !ctx.no_null_wrap && (expr.nullable() || low.nullable() || high.nullable());
                if wrap {
                    self.out.push_str("ifNull(");
                }
                self.expr(expr, ctx)?;
                self.out.push_str(if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                });
                self.expr(low, ctx)?;
                self.out.push_str(" AND ");
                self.expr(high, ctx)?;
                if wrap {
                    self.out.push_str(", 0)");
                }
            }
            Expr::And(items) => self.and_or(items.iter(), true, ctx)?,
            Expr::Or(items) => self.and_or(items.iter(), false, ctx)?,
            Expr::Not(inner) => {
                self.out.push_str("not(");
                self.expr(inner, ctx)?;
                self.out.push(')');
            }
            Expr::Array(items) => {
                self.out.push('[');
                self.expr_list(items, ctx)?;
                self.out.push(']');
            }
            Expr::ArrayAccess { array, index } => {
                self.expr(array, ctx)?;
                self.out.push('[');
                self.expr(index, ctx)?;
                self.out.push(']');
            }
            Expr::TupleAccess { tuple, index } => {
                let bare = matches!(tuple.as_ref(), Expr::Call(_) | Expr::Alias { .. });
                if !bare {
                    self.out.push('(');
                }
                self.expr(tuple, ctx)?;
                if !bare {
                    self.out.push(')');
                }
                let _ = write!(self.out, ".{index}");
            }
            Expr::Lambda { args, body } => {
                let parenthesised = !ctx.bare_lambda;
                let ctx = ExprCtx {
                    bare_lambda: false,
                    ..ctx
                };
                if parenthesised {
                    self.out.push('(');
                }
                if args.len() != 1 {
                    self.out.push('(');
                }
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    push_identifier(&mut self.out, a)?;
                }
                if args.len() != 1 {
                    self.out.push(')');
                }
                self.out.push_str(" -> ");
                self.expr(body, ctx)?;
                if parenthesised {
                    self.out.push(')');
                }
            }
            Expr::Alias { expr, name } => {
                self.out.push('(');
                self.expr(expr, ctx)?;
                self.out.push_str(" AS ");
                push_identifier(&mut self.out, name)?;
                self.out.push(')');
            }
            Expr::Subquery(q) => self.query(q, Position::Nested)?,
            Expr::Window { call, over } => {
                self.call(call, ctx)?;
                self.out.push_str(" OVER ");
                match over.as_ref() {
                    Over::Name(name) => push_identifier(&mut self.out, name)?,
                    Over::Spec(spec) => {
                        self.out.push('(');
                        self.window_spec(spec)?;
                        self.out.push(')');
                    }
                }
            }
            Expr::Star => self.out.push('*'),
            Expr::Raw(text) => self.out.push_str(text),
            Expr::Timezone => self.timezone(),
            Expr::Bound(s) => self
                .params
                .bind_into(&mut self.out, ParamValue::String(s.clone())),
            Expr::Trim { mode, chars, value } => {
                // Arguments are bound in call order (value first), then rearranged.
                let v = self.capture(|p| p.expr(value, ctx))?;
                let c = self.capture(|p| p.expr(chars, ctx))?;
                let _ = write!(self.out, "trim({mode} {c} FROM {v})");
            }
        }
        Ok(())
    }

    fn constant(&mut self, c: &Const) {
        match c {
            Const::Null => self.out.push_str("NULL"),
            Const::Bool(b) => self.out.push(if *b { '1' } else { '0' }),
            Const::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Const::BigInt(digits) => self.out.push_str(digits),
            Const::Float(f) => self.out.push_str(&format_float(*f)),
            Const::Str(s) => self
                .params
                .bind_into(&mut self.out, ParamValue::String(s.clone())),
        }
    }

    fn column(&mut self, c: &ColumnRef) -> Printed {
        if c.datetime {
            self.out.push_str("toTimeZone(");
        }
        if let Some(q) = &c.qualifier {
            push_identifier(&mut self.out, q)?;
            self.out.push('.');
        }
        push_identifier(&mut self.out, &c.name)?;
        if c.datetime {
            self.out.push_str(", ");
            self.timezone();
            self.out.push(')');
        }
        Ok(())
    }

    pub(crate) fn call(&mut self, call: &Call, ctx: ExprCtx) -> Printed {
        let inner_ctx = if call.name == "indexHint" {
            ExprCtx::join_on()
        } else {
            ctx
        };
        self.out.push_str(&call.name);
        if let Some(params) = &call.params {
            self.out.push('(');
            self.expr_list(params, inner_ctx)?;
            self.out.push(')');
        }
        self.out.push('(');
        if call.distinct {
            self.out.push_str("DISTINCT ");
        }
        for (i, arg) in call.args.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            let ctx = ExprCtx {
                bare_lambda: i == 0,
                ..inner_ctx
            };
            self.expr(arg, ctx)?;
        }
        self.out.push(')');
        Ok(())
    }

    fn template(&mut self, template: &str, args: &[Expr], ctx: ExprCtx) -> Printed {
        let mut printed = Vec::with_capacity(args.len());
        for a in args {
            printed.push(self.capture(|p| p.expr(a, ctx))?);
        }
        let malformed =
            || TranslateError::invalid(format!("Malformed function template: {template}"));
        let mut rest = template;
        // The template's own commas get a space (`f({0},{1})` prints as `f(a, b)`); the
        // printed arguments are spliced in untouched.
        while let Some(open) = rest.find('{') {
            push_spaced_commas(&mut self.out, &rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(malformed)?;
            let hole = &after[..close];
            if hole == "tz" {
                self.timezone();
            } else {
                let i: usize = hole.parse().map_err(|_| malformed())?;
                let arg = printed.get(i).ok_or_else(malformed)?;
                self.out.push_str(arg);
            }
            rest = &after[close + 1..];
        }
        push_spaced_commas(&mut self.out, rest);
        Ok(())
    }

    /// `and(…)` / `or(…)` with the constant simplification on the printed operands: a
    /// neutral operand (`1` in `and`) is dropped, an absorbing one (`0`) replaces the whole.
    pub(crate) fn and_or<'e>(
        &mut self,
        items: impl IntoIterator<Item = &'e Expr>,
        is_and: bool,
        ctx: ExprCtx,
    ) -> Printed {
        let (neutral, absorbing, head) = if is_and {
            ("1", "0", "and(")
        } else {
            ("0", "1", "or(")
        };
        let start = self.out.len();
        self.out.push_str(head);
        let head_end = self.out.len();
        let mut count = 0;
        for e in items {
            let before_separator = self.out.len();
            if count > 0 {
                self.out.push_str(", ");
            }
            let part = self.out.len();
            self.expr(e, ctx)?;
            let printed = &self.out[part..];
            if printed == absorbing {
                self.out.truncate(start);
                self.out.push_str(absorbing);
                return Ok(());
            }
            if printed == neutral {
                self.out.truncate(before_separator);
            } else {
                count += 1;
            }
        }
        match count {
            0 => {
                self.out.truncate(start);
                self.out.push_str(neutral);
            }
            1 => self.out.replace_range(start..head_end, ""),
            _ => self.out.push(')'),
        }
        Ok(())
    }

    pub(crate) fn window_spec(&mut self, spec: &WindowSpec) -> Printed {
        let mut first = true;
        let mut separate = |out: &mut String| {
            if !std::mem::take(&mut first) {
                out.push(' ');
            }
        };
        if !spec.partition_by.is_empty() {
            separate(&mut self.out);
            self.out.push_str("PARTITION BY ");
            self.expr_list(&spec.partition_by, ExprCtx::default())?;
        }
        if !spec.order_by.is_empty() {
            separate(&mut self.out);
            self.out.push_str("ORDER BY ");
            self.order_list(&spec.order_by)?;
        }
        if let Some(frame) = &spec.frame {
            separate(&mut self.out);
            self.out.push_str(&frame_text(frame));
        }
        Ok(())
    }

    /// `op(l, r)` (or the `match` forms); returns where `l` and `r` were printed.
    fn bare_compare(
        &mut self,
        op: CmpOp,
        left: &Expr,
        right: &Expr,
        ctx: ExprCtx,
    ) -> Result<(Range<usize>, Range<usize>), TranslateError> {
        use CmpOp::*;
        let (head, middle, tail) = match op {
            Regex => ("match(", ", ", ")"),
            NotRegex => ("not(match(", ", ", "))"),
            IRegex => ("match(", ", concat('(?i)', ", "))"),
            NotIRegex => ("not(match(", ", concat('(?i)', ", ")))"),
            _ => ("", ", ", ")"),
        };
        if head.is_empty() {
            self.out.push_str(op.function());
            self.out.push('(');
        } else {
            self.out.push_str(head);
        }
        let l_start = self.out.len();
        self.expr(left, ctx)?;
        let l = l_start..self.out.len();
        self.out.push_str(middle);
        let r_start = self.out.len();
        self.expr(right, ctx)?;
        let r = r_start..self.out.len();
        self.out.push_str(tail);
        Ok((l, r))
    }

    /// `ifNull(<bare>, isNull(l) and isNull(r))` and its `isNotNull … or …` twin: `l` and `r`
    /// are printed once (their parameters bound once) and their text repeated.
    fn compare_both_null(
        &mut self,
        op: CmpOp,
        left: &Expr,
        right: &Expr,
        ctx: ExprCtx,
        not: bool,
    ) -> Printed {
        self.out.push_str("ifNull(");
        let (l, r) = self.bare_compare(op, left, right, ctx)?;
        let (f, joiner) = if not {
            ("isNotNull", " or ")
        } else {
            ("isNull", " and ")
        };
        // `, f(l) and f(r))`, copying the operands' text from earlier in the buffer.
        for (i, range) in [l, r].into_iter().enumerate() {
            self.out.push_str(if i == 0 { ", " } else { joiner });
            self.out.push_str(f);
            self.out.push('(');
            self.out.extend_from_within(range);
            self.out.push(')');
        }
        self.out.push(')');
        Ok(())
    }

    fn wrapped(&mut self, f: &str, e: &Expr, ctx: ExprCtx) -> Printed {
        self.out.push_str(f);
        self.out.push('(');
        self.expr(e, ctx)?;
        self.out.push(')');
        Ok(())
    }

    /// `ts > c` on the sort-key timestamp `ts` as `greater(ts, toDateTime64(c, 6, tz))`
    /// instead of `greater(toTimeZone(ts, tz), c)`: the same instants, but ClickHouse uses the
    /// partition key and the `toDate(timestamp)` key column only for the bare column
    /// (spec correction 8). `c` is read in the project time zone, as `toTimeZone` would have
    /// made ClickHouse read it. Returns `false` when the comparison is not such a filter.
    fn time_filter(
        &mut self,
        op: CmpOp,
        left: &Expr,
        right: &Expr,
    ) -> Result<bool, TranslateError> {
        use CmpOp::*;
        if !matches!(op, Lt | LtEq | Gt | GtEq) {
            return Ok(false);
        }
        let sort_key = |e: &Expr| matches!(e, Expr::Column(c) if c.sort_key_time && c.datetime);
        let (column, other, column_left) = match (sort_key(left), sort_key(right)) {
            (true, false) => (left, right, true),
            (false, true) => (right, left, false),
            _ => return Ok(false),
        };
        let Expr::Column(c) = column else {
            return Ok(false);
        };
        let bare = Expr::Column(ColumnRef {
            datetime: false,
            ..c.clone()
        });
        let plain = ExprCtx::default();
        self.out.push_str(op.function());
        self.out.push('(');
        let print_bound = |p: &mut Self| -> Printed {
            if is_instant(other) {
                return p.expr(other, plain);
            }
            p.out.push_str("toDateTime64(");
            p.expr(other, plain)?;
            p.out.push_str(", 6, ");
            p.timezone();
            p.out.push(')');
            Ok(())
        };
        if column_left {
            self.expr(&bare, plain)?;
            self.out.push_str(", ");
            print_bound(self)?;
        } else {
            print_bound(self)?;
            self.out.push_str(", ");
            self.expr(&bare, plain)?;
        }
        self.out.push(')');
        Ok(true)
    }

    /// NULL-safe comparison (spec §7.3).
    fn compare(&mut self, op: CmpOp, left: &Expr, right: &Expr, mut ctx: ExprCtx) -> Printed {
        use CmpOp::*;
        if ctx.time_filter && self.time_filter(op, left, right)? {
            return Ok(());
        }
        ctx.time_filter = false;
        if let (Expr::Const(l), Expr::Const(r)) = (left, right)
            && let Some(v) = fold_compare(op, l, r)
        {
            self.out.push(if v { '1' } else { '0' });
            return Ok(());
        }
        let no_wrap = matches!(op, In | NotIn)
            || ctx.no_null_wrap
            || (!left.nullable() && !right.nullable())
            || left.is_sort_key_time()
            || right.is_sort_key_time();
        if no_wrap {
            self.bare_compare(op, left, right, ctx)?;
            return Ok(());
        }
        let l_null = left.is_null_const();
        let r_null = right.is_null_const();
        let non_null_const = (left.is_const() && !l_null) || (right.is_const() && !r_null);
        let if_null = |p: &mut Self, fallback: &str| -> Printed {
            p.out.push_str("ifNull(");
            p.bare_compare(op, left, right, ctx)?;
            p.out.push_str(fallback);
            Ok(())
        };
        match op {
            Eq | Like | ILike | NotEq | NotLike | NotILike => {
                let not = matches!(op, NotEq | NotLike | NotILike);
                let null_check = if not { "isNotNull" } else { "isNull" };
                if r_null {
                    self.wrapped(null_check, left, ctx)?;
                } else if non_null_const {
                    if_null(self, if not { ", 1)" } else { ", 0)" })?;
                } else if l_null {
                    self.wrapped(null_check, right, ctx)?;
                } else {
                    self.compare_both_null(op, left, right, ctx, not)?;
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
                    self.out.push(if v2 { '1' } else { '0' });
                } else if (l_null || r_null) && v1 == v2 {
                    self.out.push(if v1 { '1' } else { '0' });
                } else {
                    match (v1, v2) {
                        (true, true) => if_null(self, ", 1)")?,
                        (true, false) => self.compare_both_null(op, left, right, ctx, true)?,
                        (false, true) => self.compare_both_null(op, left, right, ctx, false)?,
                        (false, false) => if_null(self, ", 0)")?,
                    }
                }
            }
        }
        Ok(())
    }
}

/// A value that already is a point in time with its own time zone (a DateTime column,
/// `now()`, `toDateTime(…, tz)`, and those plus or minus an interval): a time filter compares
/// it as it is.
fn is_instant(e: &Expr) -> bool {
    match e {
        Expr::Column(c) => c.datetime,
        Expr::Call(c) => match c.name.as_ref() {
            "now64"
            | "toDateTime"
            | "toDateTime64"
            | "parseDateTime64BestEffort"
            | "parseDateTime64BestEffortOrNull"
            | "toTimeZone" => true,
            "plus" | "minus" => c.args.first().is_some_and(is_instant),
            _ => false,
        },
        _ => false,
    }
}

/// Appends template text, giving each of its commas a space.
fn push_spaced_commas(out: &mut String, text: &str) {
    for (i, piece) in text.split(',').enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(piece);
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
