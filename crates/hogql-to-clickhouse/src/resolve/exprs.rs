//! Expressions: operators, constants, lambdas, subqueries, accesses. Calls are in `calls.rs`,
//! field chains in `fields.rs`.

use super::fields::{Resolved, flatten};
use super::filters::is_absent_bound;
use super::scope::{AliasDef, Scope};
use super::{QueryRef, Resolver, Result};
use crate::error::{ErrorKind, TranslateError};
use crate::ir::{self, CmpOp, Const, Expr};
use hogql_parser::ast;

impl<'a> Resolver<'a> {
    pub(crate) fn expr(&mut self, e: &'a ast::Expr, scope: &mut Scope) -> Result<Expr> {
        Ok(self.expr_with_name(e, scope)?.0)
    }

    /// Counts nesting so deep input is an error, not a stack overflow (resolution and printing
    /// recurse once per level).
    pub(crate) fn enter(&mut self, span: ast::Span) -> Result<()> {
        self.depth += 1;
        if self.depth > super::MAX_NESTING {
            return Err(TranslateError::invalid(format!(
                "The query is nested too deeply (more than {} levels)",
                super::MAX_NESTING
            ))
            .at(span));
        }
        Ok(())
    }

    /// An expression and, for plain fields and properties, the name its SELECT column gets.
    pub(crate) fn expr_with_name(
        &mut self,
        e: &'a ast::Expr,
        scope: &mut Scope,
    ) -> Result<(Expr, Option<String>)> {
        self.enter(e.span)?;
        // Grows the stack when little is left: deep (but allowed) nesting must not overflow a
        // caller's small thread stack. Checked every few levels only: the red zone is far
        // larger than a few frames, and the check is a measurable part of resolving.
        let result = if self.depth.is_multiple_of(crate::STACK_CHECK_EVERY) {
            stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
                self.expr_with_name_inner(e, scope)
            })
        } else {
            self.expr_with_name_inner(e, scope)
        };
        self.depth -= 1;
        match result {
            Err(err) if self.recoverable(&err) => {
                // Noted; the expression stands in as NULL so the rest of the query is checked.
                self.errors.push(err);
                Ok((Expr::Const(Const::Null), None))
            }
            other => other,
        }
    }

    /// Name errors are collected (up to `MAX_ERRORS`); anything else stops resolution.
    fn recoverable(&self, err: &TranslateError) -> bool {
        matches!(
            err.kind,
            ErrorKind::UnknownField | ErrorKind::UnknownFunction | ErrorKind::ArgumentCount
        ) && err.span.is_some()
            && self.errors.len() + 1 < super::MAX_ERRORS
    }

    fn expr_with_name_inner(
        &mut self,
        e: &'a ast::Expr,
        scope: &mut Scope,
    ) -> Result<(Expr, Option<String>)> {
        use ast::ExprKind as K;
        if matches!(e.kind, K::Field(_) | K::ArrayAccess(_) | K::TupleAccess(_))
            && let Some(parts) = flatten(e)
        {
            if let K::Field(f) = &e.kind
                && f.chain.iter().any(|p| p.as_name() == Some("*"))
            {
                return Err(TranslateError::invalid(
                    "'*' can only be used in the SELECT list or in count(*)",
                )
                .at(e.span));
            }
            let Resolved { expr, name } = self.chain(&parts, e.span, scope)?;
            return Ok((expr, name));
        }
        let expr = match &e.kind {
            K::Constant(c) => Expr::Const(constant(c, e.span)?),
            K::Field(_) => return Err(TranslateError::invalid("Invalid field").at(e.span)),
            K::Placeholder(inner) => self.placeholder(inner, e.span, scope)?,
            K::Alias(a) => {
                self.check_alias_name(&a.alias, e.span)?;
                if scope.explicit_alias(&a.alias) {
                    return Err(TranslateError::invalid(format!(
                        "Cannot redefine an alias with the name: {}",
                        a.alias
                    ))
                    .at(e.span));
                }
                let inner = self.expr(&a.expr, scope)?;
                scope.aliases.push(AliasDef::explicit(&a.alias, &inner));
                Expr::Alias {
                    expr: Box::new(inner),
                    name: a.alias.clone().into(),
                }
            }
            K::ArithmeticOperation(op) => {
                let l = self.expr(&op.left, scope)?;
                let r = self.expr(&op.right, scope)?;
                let name = match op.op {
                    ast::ArithmeticOp::Add => "plus",
                    ast::ArithmeticOp::Sub => "minus",
                    ast::ArithmeticOp::Mult => "multiply",
                    ast::ArithmeticOp::Div => "divide",
                    ast::ArithmeticOp::Mod => "modulo",
                };
                let nullable = l.nullable() || r.nullable();
                Expr::Call(ir::Call {
                    nullable,
                    ..ir::Call::new(name, vec![l, r])
                })
            }
            K::CompareOperation(c) => {
                let op = match c.op {
                    ast::CompareOp::Eq => CmpOp::Eq,
                    ast::CompareOp::NotEq => CmpOp::NotEq,
                    ast::CompareOp::Lt => CmpOp::Lt,
                    ast::CompareOp::LtEq => CmpOp::LtEq,
                    ast::CompareOp::Gt => CmpOp::Gt,
                    ast::CompareOp::GtEq => CmpOp::GtEq,
                    ast::CompareOp::Like => CmpOp::Like,
                    ast::CompareOp::ILike => CmpOp::ILike,
                    ast::CompareOp::NotLike => CmpOp::NotLike,
                    ast::CompareOp::NotILike => CmpOp::NotILike,
                    ast::CompareOp::In | ast::CompareOp::GlobalIn => CmpOp::In,
                    ast::CompareOp::NotIn | ast::CompareOp::GlobalNotIn => CmpOp::NotIn,
                    ast::CompareOp::Regex => CmpOp::Regex,
                    ast::CompareOp::NotRegex => CmpOp::NotRegex,
                    ast::CompareOp::IRegex => CmpOp::IRegex,
                    ast::CompareOp::NotIRegex => CmpOp::NotIRegex,
                    ast::CompareOp::InCohort | ast::CompareOp::NotInCohort => {
                        let negated = c.op == ast::CompareOp::NotInCohort;
                        return Ok((self.in_cohort(&c.left, &c.right, negated, scope)?, None));
                    }
                    _ => {
                        return Err(
                            TranslateError::unsupported("Unsupported comparison").at(e.span)
                        );
                    }
                };
                if is_absent_bound(&c.left, &self.ctx.filters)
                    || is_absent_bound(&c.right, &self.ctx.filters)
                {
                    return Ok((Expr::Const(Const::Bool(true)), None));
                }
                let left = self.expr(&c.left, scope)?;
                let right = self.expr(&c.right, scope)?;
                Expr::Compare {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                }
            }
            K::BetweenExpr(b) => Expr::Between {
                expr: Box::new(self.expr(&b.expr, scope)?),
                low: Box::new(self.expr(&b.low, scope)?),
                high: Box::new(self.expr(&b.high, scope)?),
                negated: b.negated,
            },
            K::And(items) => Expr::And(self.exprs(items, scope)?),
            K::Or(items) => Expr::Or(self.exprs(items, scope)?),
            K::Not(inner) => Expr::Not(Box::new(self.expr(inner, scope)?)),
            K::Call(call) => self.call(call, e.span, scope)?,
            K::ExprCall(_) => {
                return Err(TranslateError::invalid(
                    "You can only call simple functions in HogQL, not expressions",
                )
                .at(e.span));
            }
            K::WindowFunction(w) => self.window_function(w, e.span, scope)?,
            K::Lambda(l) => {
                let ast::LambdaBody::Expr(body) = &l.body else {
                    return Err(TranslateError::unsupported(
                        "Lambdas with a block body are only valid in Hog programs",
                    )
                    .at(e.span));
                };
                if l.args.is_empty() {
                    return Err(TranslateError::invalid(
                        "Lambdas in SQL need at least one argument",
                    )
                    .at(e.span));
                }
                for a in &l.args {
                    if a.contains('%') {
                        return Err(TranslateError::invalid(format!(
                            "The HogQL identifier \"{a}\" is not permitted as it contains the \"%\" character"
                        ))
                        .at(e.span));
                    }
                }
                scope.lambda_args.push(l.args.clone());
                let body = self.expr(body, scope);
                scope.lambda_args.pop();
                Expr::Lambda {
                    args: l.args.clone(),
                    body: Box::new(body?),
                }
            }
            K::Array(items) => Expr::Array(self.exprs(items, scope)?),
            K::Tuple(items) => {
                Expr::Call(ir::Call::new("tuple", self.exprs(items, scope)?).not_null())
            }
            K::Dict(items) => {
                let mut args = vec![
                    Expr::Const(Const::Str("__hx_tag".into())),
                    Expr::Const(Const::Str("__hx_obj".into())),
                ];
                for (k, v) in items {
                    args.push(self.expr(k, scope)?);
                    args.push(self.expr(v, scope)?);
                }
                Expr::Call(ir::Call::new("tuple", args).not_null())
            }
            K::ArrayAccess(a) => Expr::ArrayAccess {
                array: Box::new(self.expr(&a.array, scope)?),
                index: Box::new(self.expr(&a.property, scope)?),
            },
            K::TupleAccess(t) => {
                if t.index == 0 {
                    return Err(TranslateError::invalid(
                        "SQL indexes start from one, not from zero. E.g: array.1",
                    )
                    .at(e.span));
                }
                Expr::TupleAccess {
                    tuple: Box::new(self.expr(&t.tuple, scope)?),
                    index: t.index,
                }
            }
            K::ArraySlice(s) => {
                let array = self.expr(&s.array, scope)?;
                let start = match &s.start {
                    Some(x) => self.expr(x, scope)?,
                    None => Expr::int(1),
                };
                match &s.end {
                    Some(end) => {
                        let end = self.expr(end, scope)?;
                        let len = Expr::call(
                            "plus",
                            vec![Expr::call("minus", vec![end, start.clone()]), Expr::int(1)],
                        );
                        Expr::call("arraySlice", vec![array, start, len])
                    }
                    None => Expr::call("arraySlice", vec![array, start]),
                }
            }
            K::TypeCast(c) => self.type_cast(c, e.span, scope)?,
            K::IsDistinctFrom(d) => {
                let left = self.expr(&d.left, scope)?;
                let right = self.expr(&d.right, scope)?;
                // HogQL equality is already NULL-safe (NULL = NULL is true).
                let op = if d.negated { CmpOp::Eq } else { CmpOp::NotEq };
                Expr::Compare {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                }
            }
            K::PositionalRef(_) => {
                return Err(TranslateError::unsupported(
                    "Positional references (#n) are not supported",
                )
                .at(e.span));
            }
            K::SelectQuery(q) => Expr::Subquery(Box::new(self.query(QueryRef::Select(q), false)?)),
            K::SelectSetQuery(q) => Expr::Subquery(Box::new(self.query(QueryRef::Set(q), false)?)),
            K::HogQLXTag(_) => {
                return Err(TranslateError::unsupported(
                    "Printing HogQLX tags is only supported in HogQL queries",
                )
                .at(e.span));
            }
            _ => return Err(TranslateError::unsupported("Unsupported expression").at(e.span)),
        };
        Ok((expr, None))
    }

    pub(crate) fn exprs(&mut self, items: &'a [ast::Expr], scope: &mut Scope) -> Result<Vec<Expr>> {
        let mut out = Vec::with_capacity(items.len());
        for e in items {
            out.push(self.expr(e, scope)?);
        }
        Ok(out)
    }

    /// `x::type` / `CAST(x AS type)`.
    fn type_cast(
        &mut self,
        c: &'a ast::TypeCast,
        span: ast::Span,
        scope: &mut Scope,
    ) -> Result<Expr> {
        let ty = c.type_name.to_lowercase();
        let function = match ty.as_str() {
            "int" | "integer" | "bigint" | "int64" => "_toInt64",
            "float" | "double" | "real" | "double precision" | "float64" => "toFloat",
            "text" | "varchar" | "char" | "string" => "toString",
            "bool" | "boolean" => "toBool",
            "date" => "toDate",
            "datetime" | "timestamp" | "timestamptz" => "toDateTime",
            _ => {
                return Err(TranslateError::unsupported(format!(
                    "Unsupported type cast to {}",
                    c.type_name
                ))
                .at(span));
            }
        };
        let spec = self.lookup_function(function, span)?;
        let arg = self.expr(&c.expr, scope)?;
        self.build_call(&spec, function, vec![arg], None, false, span)
    }
}

fn constant(c: &ast::Constant, span: ast::Span) -> Result<Const> {
    Ok(match c {
        ast::Constant::Null => Const::Null,
        ast::Constant::Bool(b) => Const::Bool(*b),
        ast::Constant::Int(i) => Const::Int(*i),
        ast::Constant::BigInt(digits) => {
            let body = digits.strip_prefix('-').unwrap_or(digits);
            if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit()) {
                return Err(
                    TranslateError::invalid(format!("Invalid integer constant {digits}")).at(span),
                );
            }
            Const::BigInt(digits.clone())
        }
        ast::Constant::Float(f) => Const::Float(*f),
        ast::Constant::String(s) => Const::Str(s.clone()),
        _ => return Err(TranslateError::unsupported("Unsupported constant").at(span)),
    })
}
