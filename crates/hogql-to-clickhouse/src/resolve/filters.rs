//! The `{filters}` placeholder and `{filters.dateRange.from|to}` (HogQL doc §9), expanded from
//! [`crate::Filters`] in the SELECT that holds them. Other placeholders have no values here.

use super::calls::is_datetime_string;
use super::fields::Part;
use super::scope::{Scope, ScopeTableKind};
use super::{Resolver, Result, chain_text};
use crate::context::Filters;
use crate::error::{ErrorKind, TranslateError};
use crate::ir::{CmpOp, Const, Expr};
use crate::schema::{LazyKind, Physical, TableKind};
use hogql_parser::ast::{self, Span};

/// Which bound `{filters.dateRange.from|to}` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    From,
    To,
}

/// What a placeholder stands for.
pub(crate) enum PlaceholderKind {
    Filters,
    DateRange(Bound),
    Other(String),
}

/// Classifies `{…}` by its inner field chain.
pub(crate) fn placeholder_kind(inner: &ast::Expr) -> PlaceholderKind {
    let ast::ExprKind::Field(f) = &inner.kind else {
        return PlaceholderKind::Other("…".into());
    };
    let names: Vec<Option<&str>> = f.chain.iter().map(|p| p.as_name()).collect();
    match names.as_slice() {
        [Some("filters")] => PlaceholderKind::Filters,
        [Some("filters"), Some("dateRange"), Some("from")] => {
            PlaceholderKind::DateRange(Bound::From)
        }
        [Some("filters"), Some("dateRange"), Some("to")] => PlaceholderKind::DateRange(Bound::To),
        _ => PlaceholderKind::Other(chain_text(&f.chain)),
    }
}

/// `true` when `e` is `{filters.dateRange.X}` and `X` is not set: the comparison holding it
/// becomes `true`.
pub(crate) fn is_absent_bound(e: &ast::Expr, filters: &Filters) -> bool {
    let ast::ExprKind::Placeholder(inner) = &e.kind else {
        return false;
    };
    match placeholder_kind(inner) {
        PlaceholderKind::DateRange(Bound::From) => filters.date_from.is_none(),
        PlaceholderKind::DateRange(Bound::To) => filters.date_to.is_none(),
        _ => false,
    }
}

/// A bound as a DateTime64 in the project time zone: `-7d` & co. relative to now, otherwise
/// a date or date-time literal.
fn bound_value(text: &str) -> Result<Expr> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('-')
        && let Some(unit) = rest.chars().last()
    {
        let amount = &rest[..rest.len() - unit.len_utf8()];
        let interval = match unit {
            'h' => Some("toIntervalHour"),
            'd' => Some("toIntervalDay"),
            'w' => Some("toIntervalWeek"),
            'm' => Some("toIntervalMonth"),
            'y' => Some("toIntervalYear"),
            _ => None,
        };
        if let (Some(interval), Ok(n)) = (interval, amount.parse::<u32>()) {
            let now = Expr::call("now64", vec![Expr::Raw("6"), Expr::Timezone]);
            let delta = Expr::call(interval, vec![Expr::int(i64::from(n))]);
            return Ok(Expr::call("minus", vec![now, delta]));
        }
    }
    if is_datetime_string(text, false) || is_datetime_string(text, true) {
        return Ok(Expr::call(
            "toDateTime64",
            vec![
                Expr::Const(Const::Str(text.to_string())),
                Expr::Raw("6"),
                Expr::Timezone,
            ],
        ));
    }
    Err(TranslateError::new(
        ErrorKind::Config,
        format!(
            "Invalid date in the filters: '{text}' (use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or -7d, -24h, -2w, -3m, -1y)"
        ),
    ))
}

impl<'a> Resolver<'a> {
    /// Resolves `{…}`.
    pub(crate) fn placeholder(
        &mut self,
        inner: &ast::Expr,
        span: Span,
        scope: &mut Scope,
    ) -> Result<Expr> {
        let filters = &self.ctx.filters;
        match placeholder_kind(inner) {
            PlaceholderKind::Filters => self.filters(span, scope),
            PlaceholderKind::DateRange(bound) => {
                let value = match bound {
                    Bound::From => &filters.date_from,
                    Bound::To => &filters.date_to,
                };
                match value {
                    Some(v) => bound_value(v).map_err(|e| e.at(span)),
                    None => Err(TranslateError::invalid(
                        "{filters.dateRange.*} without a value can only be compared (the comparison becomes true)",
                    )
                    .at(span)),
                }
            }
            PlaceholderKind::Other(name) => {
                Err(TranslateError::invalid(format!("Unresolved placeholder: {{{name}}}")).at(span))
            }
        }
    }

    /// `{filters}`: the date range on the SELECT's events timestamp (groups: `created_at`) and
    /// the conditions, ANDed; `true` when nothing is set.
    fn filters(&mut self, span: Span, scope: &mut Scope) -> Result<Expr> {
        let time_field = scope.tables.iter().position(|t| match &t.kind {
            ScopeTableKind::Physical { table, .. } => matches!(
                table,
                TableKind::Raw(Physical::Events) | TableKind::Raw(Physical::Groups)
            ),
            ScopeTableKind::Lazy(node) => matches!(
                scope.lazy[*node].kind,
                LazyKind::Groups(_) | LazyKind::Sessions
            ),
            ScopeTableKind::Subquery { .. } => false,
        });
        let Some(index) = time_field else {
            return Err(TranslateError::invalid(
                "Cannot use 'filters' placeholder in a SELECT clause that does not select from the events, sessions, logs, traces or groups table.",
            )
            .at(span));
        };
        let field = match &scope.tables[index].kind {
            ScopeTableKind::Physical {
                table: TableKind::Raw(Physical::Events),
                ..
            } => "timestamp",
            ScopeTableKind::Lazy(node) if scope.lazy[*node].kind == LazyKind::Sessions => {
                "$start_timestamp"
            }
            _ => "created_at",
        };
        let filters = &self.ctx.filters;
        let mut parts = Vec::new();
        for (bound, op) in [
            (&filters.date_from, CmpOp::GtEq),
            (&filters.date_to, CmpOp::Lt),
        ] {
            if let Some(text) = bound {
                let value = bound_value(text).map_err(|e| e.at(span))?;
                let column = self
                    .on_table(index, &[Part::Name(field)], span, scope)?
                    .expr;
                parts.push(Expr::Compare {
                    op,
                    left: Box::new(column),
                    right: Box::new(value),
                });
            }
        }
        let conditions = self.filter_conditions;
        for (text, condition) in self.ctx.filters.conditions.iter().zip(conditions) {
            let errors_before = self.errors.len();
            // A condition's spans point into its own text: report them at the placeholder.
            let in_condition = |mut e: TranslateError| {
                e.message = format!("{} (in the filter condition `{text}`)", e.message);
                e.span = Some(span);
                e
            };
            let value = self.expr(condition, scope).map_err(in_condition)?;
            for e in &mut self.errors[errors_before..] {
                *e = in_condition(e.clone());
            }
            parts.push(value);
        }
        Ok(match parts.len() {
            0 => Expr::Const(Const::Bool(true)),
            1 => parts.pop().unwrap_or(Expr::Const(Const::Bool(true))),
            _ => Expr::And(parts),
        })
    }
}
