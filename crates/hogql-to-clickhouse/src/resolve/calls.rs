//! Function calls and window functions, driven by the function table (`functions/table.txt`).

use super::scope::Scope;
use super::{Resolver, Result};
use crate::context::WeekStart;
use crate::error::{ErrorKind, TranslateError, suggestions};
use crate::functions::{self, ARRAY_REDUCE_ALLOWED, FnSpec, Special};
use crate::ir::{self, CmpOp, Const, Expr, Frame, FrameBound, Over, WindowSpec};
use hogql_parser::ast::{self, Span};
use std::borrow::Cow;

/// ClickHouse functions whose result is never NULL (for comparison wrapping).
const NOT_NULL: [&str; 12] = [
    "count",
    "countIf",
    "countDistinct",
    "uniq",
    "uniqIf",
    "uniqExact",
    "uniqExactIf",
    "now64",
    "today",
    "yesterday",
    "assumeNotNull",
    "tuple",
];

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn check_count(
    kind: &str,
    name: &str,
    what: &str,
    found: usize,
    min: usize,
    max: Option<usize>,
) -> Result<()> {
    let message = if max == Some(min) && found != min {
        Some(format!(
            "{kind} '{name}' expects {}, found {found}",
            plural(min, what)
        ))
    } else if found < min {
        Some(format!(
            "{kind} '{name}' expects at least {}, found {found}",
            plural(min, what)
        ))
    } else if max.is_some_and(|m| found > m) {
        Some(format!(
            "{kind} '{name}' expects at most {}, found {found}",
            plural(max.unwrap_or(0), what)
        ))
    } else {
        None
    };
    match message {
        Some(m) => Err(TranslateError::new(ErrorKind::ArgumentCount, m)),
        None => Ok(()),
    }
}

/// A rough type of a resolved expression, for the overloads of `toDate`/`toDateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rough {
    DateTime,
    Date,
    Int,
    Str,
    Other,
}

fn rough_type(e: &Expr) -> Rough {
    match e {
        Expr::Column(c) if c.datetime => Rough::DateTime,
        Expr::Const(Const::Int(_)) => Rough::Int,
        Expr::Const(Const::Str(_)) => Rough::Str,
        Expr::Alias { expr, .. } => rough_type(expr),
        Expr::Call(c) => {
            let n: &str = &c.name;
            if n == "toDate"
                || n == "today"
                || n == "yesterday"
                || n == "toDateOrNull"
                || n.starts_with("toStartOfMonth")
                || n == "toStartOfYear"
                || n == "toStartOfQuarter"
                || n == "toMonday"
                || n == "toStartOfWeek"
            {
                Rough::Date
            } else if n.starts_with("toDateTime")
                || n.starts_with("parseDateTime")
                || n == "now64"
                || n == "toTimeZone"
                || n.starts_with("toStartOf")
                || n == "fromUnixTimestamp"
            {
                Rough::DateTime
            } else {
                Rough::Other
            }
        }
        _ => Rough::Other,
    }
}

pub(crate) fn is_datetime_string(s: &str, with_fraction: bool) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let date = || digits(0..4) && at(4, b'-') && digits(5..7) && at(7, b'-') && digits(8..10);
    let time = || {
        at(10, b' ')
            && digits(11..13)
            && at(13, b':')
            && digits(14..16)
            && at(16, b':')
            && digits(17..19)
    };
    match (b.len(), with_fraction) {
        (10, false) => date(),
        (19, false) => date() && time(),
        (26, true) => date() && time() && at(19, b'.') && digits(20..26),
        _ => false,
    }
}

impl<'a> Resolver<'a> {
    pub(crate) fn lookup_function(&self, name: &str, span: Span) -> Result<FnSpec> {
        let Some(spec) = functions::lookup(name) else {
            let mut message = format!("Unsupported function call '{name}(...)'");
            if let Some(s) = suggestions(name, functions::all_names()).first() {
                message.push_str(&format!(". Perhaps you meant '{s}(...)'?"));
            }
            return Err(TranslateError::new(ErrorKind::UnknownFunction, message).at(span));
        };
        if spec.unavailable {
            return Err(TranslateError::unsupported(format!(
                "Function '{name}' is not available in ClickHouse 26.9"
            ))
            .at(span));
        }
        Ok(spec)
    }

    /// The numbers of arguments and of parenthesised parameters `f(params)(args)`.
    fn check_arity(
        &self,
        spec: &FnSpec,
        name: &str,
        args: usize,
        params: Option<usize>,
        span: Span,
    ) -> Result<()> {
        let kind = if spec.aggregate {
            "Aggregation"
        } else {
            "Function"
        };
        check_count(kind, name, "argument", args, spec.min_args, spec.max_args)
            .map_err(|e| e.at(span))?;
        match (spec.params, params) {
            (None, Some(_)) => Err(TranslateError::invalid(format!(
                "{kind} '{name}' does not accept parameters"
            ))
            .at(span)),
            (Some((min, _)), None) if min > 0 => Err(TranslateError::new(
                ErrorKind::ArgumentCount,
                format!("{kind} '{name}' requires parameters in addition to arguments"),
            )
            .at(span)),
            (Some((min, max)), Some(found)) => {
                check_count(kind, name, "parameter", found, min, max).map_err(|e| e.at(span))
            }
            _ => Ok(()),
        }
    }

    /// Resolves call arguments; `*` is allowed only as the argument of `count`-like calls.
    fn call_args(
        &mut self,
        name: &str,
        args: &'a [ast::Expr],
        scope: &mut Scope,
    ) -> Result<Vec<Expr>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            if let ast::ExprKind::Field(f) = &a.kind
                && f.chain.len() == 1
                && f.chain[0].as_name() == Some("*")
            {
                if name.to_lowercase().starts_with("count") {
                    out.push(Expr::Star);
                    continue;
                }
                return Err(TranslateError::invalid(
                    "'*' can only be used in the SELECT list or in count(*)",
                )
                .at(a.span));
            }
            out.push(self.expr(a, scope)?);
        }
        Ok(out)
    }

    pub(crate) fn call(&mut self, c: &'a ast::Call, span: Span, scope: &mut Scope) -> Result<Expr> {
        if c.order_by.is_some() {
            return Err(TranslateError::unsupported(format!(
                "'{}(... ORDER BY ...)' is not supported by ClickHouse 26.9",
                c.name
            ))
            .at(span));
        }
        if c.filter_expr.is_some() {
            return Err(TranslateError::unsupported(format!(
                "FILTER (WHERE ...) is not supported; use the -If combinator instead (e.g. '{}If')",
                c.name
            ))
            .at(span));
        }
        if c.within_group.is_some() {
            return Err(TranslateError::unsupported(
                "WITHIN GROUP is not supported for ClickHouse",
            )
            .at(span));
        }
        let spec = self.lookup_function(&c.name, span)?;
        if spec.window_only {
            return Err(TranslateError::invalid(format!(
                "Window function '{}' needs an OVER clause",
                c.name
            ))
            .at(span));
        }
        self.check_arity(
            &spec,
            &c.name,
            c.args.len(),
            c.params.as_ref().map(Vec::len),
            span,
        )?;
        if c.distinct && !spec.aggregate {
            return Err(TranslateError::invalid(format!(
                "DISTINCT is only valid in aggregations, not in '{}'",
                c.name
            ))
            .at(span));
        }
        if spec.special == Some(Special::ArrayReduce) {
            return self.array_reduce(c, span, scope);
        }

        let outer_aggregate = scope.in_aggregate.clone();
        if spec.aggregate {
            if let Some(outer) = &outer_aggregate {
                return Err(TranslateError::invalid(format!(
                    "Aggregation '{}' cannot be nested inside another aggregation '{outer}'.",
                    c.name
                ))
                .at(span));
            }
            scope.in_aggregate = Some(c.name.clone());
        }
        let raw_string_arg = matches!(
            spec.name.as_ref(),
            "toFloatOrZero" | "toIntOrZero" | "toFloatOrDefault"
        );
        let saved_untyped = std::mem::replace(&mut self.untyped_properties, raw_string_arg);
        let args = self.call_args(&c.name, &c.args, scope);
        self.untyped_properties = saved_untyped;
        let params = match &c.params {
            Some(p) => self.exprs(p, scope).map(Some),
            None => Ok(None),
        };
        scope.in_aggregate = outer_aggregate;
        let (args, params) = (args?, params?);
        self.build_call(&spec, &c.name, args, params, c.distinct, span)
    }

    pub(crate) fn build_call(
        &mut self,
        spec: &FnSpec,
        name: &str,
        mut args: Vec<Expr>,
        params: Option<Vec<Expr>>,
        distinct: bool,
        span: Span,
    ) -> Result<Expr> {
        let ch = spec.clickhouse.clone();
        match spec.special {
            Some(Special::Compare) => {
                let op = CmpOp::from_function(&spec.name).ok_or_else(|| {
                    TranslateError::invalid(format!(
                        "Comparison '{name}' requires exactly two arguments"
                    ))
                })?;
                let (Some(right), Some(left)) = (args.pop(), args.pop()) else {
                    return Err(TranslateError::invalid(format!(
                        "Comparison '{name}' requires exactly two arguments"
                    ))
                    .at(span));
                };
                return Ok(Expr::Compare {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                });
            }
            Some(Special::ToDecimal) => {
                let scale = match args.pop() {
                    Some(Expr::Const(Const::Int(s))) if (0..=18).contains(&s) => s,
                    _ => {
                        return Err(TranslateError::invalid(
                            "toDecimal(x, scale) needs a constant scale from 0 to 18",
                        )
                        .at(span));
                    }
                };
                args.push(Expr::Bound(format!("Decimal64({scale})")));
                return Ok(Expr::call(ch, args));
            }
            Some(Special::ToDate) => {
                let f = match args.first().map(rough_type) {
                    Some(Rough::Date | Rough::DateTime) => "toDate",
                    _ => "toDateOrNull",
                };
                return Ok(Expr::call(f, args));
            }
            Some(Special::ToDateTime) => return Ok(self.to_datetime(args)),
            Some(Special::WeekMode) => {
                if args.len() == 1 {
                    args.push(Expr::Raw(match self.ctx.week_start {
                        WeekStart::Sunday => "0",
                        WeekStart::Monday => "3",
                    }));
                }
                return Ok(Expr::call(ch, args));
            }
            Some(Special::DatePart) => {
                let part = match args.first() {
                    Some(Expr::Const(Const::Str(p))) => p.to_lowercase(),
                    _ => {
                        return Err(TranslateError::invalid(
                            "date_part needs a constant part name, e.g. 'year'",
                        )
                        .at(span));
                    }
                };
                let f = match part.as_str() {
                    "year" => "toYear",
                    "quarter" => "toQuarter",
                    "month" => "toMonth",
                    "week" => "toISOWeek",
                    "day" => "toDayOfMonth",
                    "dow" => "toDayOfWeek",
                    "doy" => "toDayOfYear",
                    "hour" => "toHour",
                    "minute" => "toMinute",
                    "second" => "toSecond",
                    "epoch" => "toUnixTimestamp",
                    other => {
                        return Err(TranslateError::invalid(format!(
                            "Unknown date part '{other}'"
                        ))
                        .at(span));
                    }
                };
                let dt = args.pop().unwrap_or(Expr::Const(Const::Null));
                return Ok(Expr::call(f, vec![dt]));
            }
            Some(Special::TimeWindow) => {
                if let Some(first) = args.first_mut() {
                    let inner = std::mem::replace(first, Expr::Const(Const::Null));
                    *first = match &inner {
                        Expr::Call(c)
                            if c.name.starts_with("toDateTime")
                                || c.name.starts_with("parseDateTime") =>
                        {
                            Expr::call("assumeNotNull", vec![Expr::call("toDateTime", vec![inner])])
                        }
                        _ => Expr::call("toDateTime", vec![inner, Expr::Raw("'UTC'")]),
                    };
                }
                return Ok(Expr::call(ch, args));
            }
            Some(Special::Concat) => {
                let args = args.into_iter().map(concat_arg).collect();
                return Ok(Expr::Call(ir::Call::new("concat", args).not_null()));
            }
            Some(Special::Trim) => {
                let mode = match spec.name.as_ref() {
                    "trimLeft" | "ltrim" => "LEADING",
                    "trimRight" | "rtrim" => "TRAILING",
                    _ => "BOTH",
                };
                if args.len() == 2 {
                    let chars = args.pop().unwrap_or(Expr::Raw("' '"));
                    let value = args.pop().unwrap_or(Expr::Raw("''"));
                    return Ok(Expr::Trim {
                        mode,
                        chars: Box::new(chars),
                        value: Box::new(value),
                    });
                }
                let f = match mode {
                    "LEADING" => "trimLeft",
                    "TRAILING" => "trimRight",
                    _ => "trimBoth",
                };
                return Ok(Expr::call(f, args));
            }
            Some(Special::CaseWithExpression) => {
                let mut rest = args.into_iter();
                let subject = rest.next().unwrap_or(Expr::Const(Const::Null));
                let mut rest: Vec<Expr> = rest.collect();
                let default = if rest.len() % 2 == 1 {
                    rest.pop()
                } else {
                    None
                };
                let (mut from, mut to) = (Vec::new(), Vec::new());
                for (i, e) in rest.into_iter().enumerate() {
                    if i % 2 == 0 { from.push(e) } else { to.push(e) }
                }
                let default = default.unwrap_or(Expr::Const(Const::Null));
                return Ok(Expr::call(
                    "transform",
                    vec![subject, Expr::Array(from), Expr::Array(to), default],
                ));
            }
            Some(Special::ArrayReduce | Special::IndexHint | Special::LagLead) | None => {}
        }
        if spec.is_template() {
            let Cow::Borrowed(template) = spec.clickhouse else {
                return Err(TranslateError::invalid(format!(
                    "Function '{name}' has an invalid template"
                ))
                .at(span));
            };
            return Ok(Expr::Template { template, args });
        }
        if let Some(suffix) = spec.suffix {
            args.push(Expr::Bound(suffix.to_string()));
        }
        if let Some(at) = spec.precision6_at {
            let user_gave_precision = spec.name == "toDateTime64" && args.len() >= 2;
            if !user_gave_precision && at <= args.len() {
                args.insert(at, Expr::Raw("6"));
            }
        }
        if spec.timezone
            && spec
                .max_args
                .is_some_and(|m| args_without_precision(spec, &args) < m)
        {
            args.push(Expr::Timezone);
        }
        let nullable = if ch == "toTimeZone" {
            args.first().is_some_and(Expr::nullable)
        } else {
            !NOT_NULL.contains(&ch.as_ref())
        };
        Ok(Expr::Call(ir::Call {
            name: ch,
            params,
            args,
            distinct,
            nullable,
        }))
    }

    /// `toDateTime(x[, tz])` by the kind of `x` (spec §6).
    fn to_datetime(&self, mut args: Vec<Expr>) -> Expr {
        let tz = if args.len() >= 2 {
            args.pop().unwrap_or(Expr::Timezone)
        } else {
            Expr::Timezone
        };
        let x = args.pop().unwrap_or(Expr::Const(Const::Null));
        match (&x, rough_type(&x)) {
            (_, Rough::DateTime | Rough::Date | Rough::Int) => {
                Expr::call("toDateTime", vec![x, tz])
            }
            (Expr::Const(Const::Str(s)), _) if is_datetime_string(s, false) => {
                Expr::call("toDateTime", vec![x, tz])
            }
            (Expr::Const(Const::Str(s)), _) if is_datetime_string(s, true) => {
                Expr::call("toDateTime64", vec![x, Expr::Raw("6"), tz])
            }
            (Expr::Const(Const::Str(_)), _) => {
                Expr::call("parseDateTime64BestEffort", vec![x, Expr::Raw("6"), tz])
            }
            _ => Expr::call(
                "parseDateTime64BestEffortOrNull",
                vec![x, Expr::Raw("6"), tz],
            ),
        }
    }

    /// `arrayReduce('agg', …)`: the aggregate must be a constant string from the allow-list.
    fn array_reduce(&mut self, c: &'a ast::Call, span: Span, scope: &mut Scope) -> Result<Expr> {
        let Some(first) = c.args.first() else {
            return Err(
                TranslateError::invalid("Missing arguments in function 'arrayReduce'").at(span),
            );
        };
        match &first.kind {
            ast::ExprKind::Constant(ast::Constant::String(agg)) => {
                if !ARRAY_REDUCE_ALLOWED.contains(&agg.as_str()) {
                    return Err(TranslateError::invalid(format!(
                        "Invalid parametric function in 'arrayReduce', '{agg}' is not supported."
                    ))
                    .at(first.span));
                }
            }
            other => {
                let got = match other {
                    ast::ExprKind::Constant(ast::Constant::Int(i)) => format!("IntegerType '{i}'"),
                    ast::ExprKind::Lambda(_) => "Lambda".into(),
                    _ => "an expression".into(),
                };
                return Err(TranslateError::invalid(format!(
                    "Expected constant string as first arg in function 'arrayReduce', got {got}"
                ))
                .at(first.span));
            }
        }
        let args = self.exprs(&c.args, scope)?;
        Ok(Expr::call("arrayReduce", args))
    }

    pub(crate) fn window_function(
        &mut self,
        w: &'a ast::WindowFunction,
        span: Span,
        scope: &mut Scope,
    ) -> Result<Expr> {
        let spec = self.lookup_function(&w.name, span)?;
        if !spec.aggregate && !spec.window_only {
            return Err(TranslateError::invalid(format!(
                "Function '{}' cannot be used with OVER",
                w.name
            ))
            .at(span));
        }
        // `f(params)(args) OVER …` puts the parameters first.
        let (params_ast, args_ast) = if w.args.is_empty() {
            (None, &w.exprs)
        } else {
            (Some(&w.exprs), &w.args)
        };
        self.check_arity(
            &spec,
            &w.name,
            args_ast.len(),
            params_ast.map(|p| p.len()),
            span,
        )?;
        let outer = scope.in_aggregate.take();
        let args = self.call_args(&w.name, args_ast, scope);
        let params = match params_ast {
            Some(p) => self.exprs(p, scope).map(Some),
            None => Ok(None),
        };
        scope.in_aggregate = outer;
        let (mut args, params) = (args?, params?);
        let mut over = match &w.over {
            ast::WindowOver::Name(n) => Over::Name(n.clone()),
            ast::WindowOver::Expr(spec) => Over::Spec(self.window_spec(spec, scope)?),
        };
        if spec.special == Some(Special::LagLead) {
            if let Some(first) = args.first_mut() {
                let inner = std::mem::replace(first, Expr::Const(Const::Null));
                *first = Expr::call("toNullable", vec![inner]);
            }
            let mut window = match over {
                Over::Spec(s) => s,
                Over::Name(n) => {
                    let named = self.named_windows.iter().find(|w| w.name == n);
                    match named {
                        Some(w) => self.window_spec(&w.window, scope)?,
                        None => {
                            return Err(
                                TranslateError::invalid(format!("Unknown window '{n}'")).at(span)
                            );
                        }
                    }
                }
            };
            if window.frame.is_none() {
                if window.order_by.is_empty()
                    && let Some(first) = args.first()
                {
                    window.order_by.push((first.clone(), ast::Order::Asc));
                }
                window.frame = Some(Frame {
                    method: ast::FrameMethod::Rows,
                    start: FrameBound {
                        kind: ast::FrameType::Preceding,
                        value: None,
                    },
                    end: Some(FrameBound {
                        kind: ast::FrameType::Following,
                        value: None,
                    }),
                });
            }
            over = Over::Spec(window);
        }
        let call = ir::Call {
            name: spec.clickhouse.clone(),
            params,
            args,
            distinct: false,
            nullable: true,
        };
        Ok(Expr::Window {
            call,
            over: Box::new(over),
        })
    }

    /// A window spec. SELECT aliases are hidden inside it: ClickHouse 26.9 would resolve a
    /// name like `timestamp` to the window function's own alias.
    pub(crate) fn window_spec(
        &mut self,
        w: &'a ast::WindowExpr,
        scope: &mut Scope,
    ) -> Result<WindowSpec> {
        let saved = std::mem::replace(&mut scope.hide_aliases, true);
        let result = self.window_spec_inner(w, scope);
        scope.hide_aliases = saved;
        result
    }

    fn window_spec_inner(
        &mut self,
        w: &'a ast::WindowExpr,
        scope: &mut Scope,
    ) -> Result<WindowSpec> {
        let partition_by = match &w.partition_by {
            Some(p) => self.exprs(p, scope)?,
            None => Vec::new(),
        };
        let order_by = match &w.order_by {
            Some(o) => self.order_list(o, scope)?,
            None => Vec::new(),
        };
        let bound = |b: &ast::WindowFrameExpr| FrameBound {
            kind: b.frame_type,
            value: b.frame_value,
        };
        let frame = match (&w.frame_method, &w.frame_start) {
            (Some(method), Some(start)) => Some(Frame {
                method: *method,
                start: bound(start),
                end: w.frame_end.as_ref().map(bound),
            }),
            _ => None,
        };
        Ok(WindowSpec {
            partition_by,
            order_by,
            frame,
        })
    }
}

/// The argument count as the user wrote it (without an inserted precision).
fn args_without_precision(spec: &FnSpec, args: &[Expr]) -> usize {
    let inserted = spec
        .precision6_at
        .is_some_and(|at| matches!(args.get(at), Some(Expr::Raw("6"))));
    args.len() - usize::from(inserted)
}

/// `concat` never returns NULL: string constants stay, NULL becomes `''`, anything else
/// `ifNull(toString(x), '')` (spec §9.1).
fn concat_arg(e: Expr) -> Expr {
    match e {
        Expr::Const(Const::Str(_)) => e,
        Expr::Const(Const::Null) => Expr::Raw("''"),
        Expr::Const(_) => Expr::call("toString", vec![e]),
        Expr::Call(c)
            if c.name == "toString"
                && c.args.len() == 1
                && matches!(c.args[0], Expr::Const(Const::Null)) =>
        {
            Expr::Raw("''")
        }
        Expr::Call(c) if c.name == "toString" && c.args.len() == 1 && c.args[0].is_const() => {
            Expr::Call(c)
        }
        Expr::Call(c) if c.name == "toString" => {
            Expr::call("ifNull", vec![Expr::Call(c), Expr::Raw("''")])
        }
        other => Expr::call(
            "ifNull",
            vec![Expr::call("toString", vec![other]), Expr::Raw("''")],
        ),
    }
}
