//! `x IN COHORT <id | 'name'>` (spec §9.6): rewritten into `x IN (SELECT person_id …)` over the
//! cohort tables. The subquery reads a ClickHouse table, so the printer guards it like any other.

use super::scope::Scope;
use super::{Resolver, Result};
use crate::context::{Cohort, CohortKind};
use crate::error::TranslateError;
use crate::ir::{CmpOp, Const, Expr, FromItem, Query, Select, Source};
use crate::schema::Physical;
use hogql_parser::ast;

impl<'a> Resolver<'a> {
    /// `left [NOT] IN COHORT right`.
    pub(crate) fn in_cohort(
        &mut self,
        left: &'a ast::Expr,
        right: &ast::Expr,
        negated: bool,
        scope: &mut Scope,
    ) -> Result<Expr> {
        let cohort = self.find_cohort(right)?;
        let members = members_query(cohort);
        let left = self.expr(left, scope)?;
        Ok(Expr::Compare {
            op: if negated { CmpOp::NotIn } else { CmpOp::In },
            left: Box::new(left),
            right: Box::new(Expr::Subquery(Box::new(members))),
        })
    }

    fn find_cohort(&self, right: &ast::Expr) -> Result<&'a Cohort> {
        let cohorts = &self.ctx.cohorts;
        match &right.kind {
            ast::ExprKind::Constant(ast::Constant::Int(id)) => {
                cohorts.iter().find(|c| c.id == *id).ok_or_else(|| {
                    TranslateError::invalid(format!("Could not find cohort with ID {id}"))
                        .at(right.span)
                })
            }
            ast::ExprKind::Constant(ast::Constant::String(name)) => {
                let mut found = cohorts.iter().filter(|c| c.name == *name);
                match (found.next(), found.next()) {
                    (Some(c), None) => Ok(c),
                    (None, _) => Err(TranslateError::invalid(format!(
                        "Could not find a cohort with the name '{name}'"
                    ))
                    .at(right.span)),
                    (Some(_), Some(_)) => Err(TranslateError::invalid(format!(
                        "Found multiple cohorts with name '{name}'"
                    ))
                    .at(right.span)),
                }
            }
            _ => Err(
                TranslateError::invalid("IN COHORT takes only a constant cohort ID or name")
                    .at(right.span),
            ),
        }
    }
}

/// The cohort's members: `SELECT person_id FROM <table> WHERE cohort_id = <id> …`.
fn members_query(cohort: &Cohort) -> Query {
    let table = match cohort.kind {
        CohortKind::Static => Physical::PersonStaticCohort,
        CohortKind::Dynamic { .. } => Physical::CohortPeople,
    };
    let col = |name: &'static str| Expr::column(table.clickhouse_name(), name);
    let int = |v: i64| Expr::Const(Const::Int(v));
    let mut select = Select {
        columns: vec![col("person_id")],
        from: vec![FromItem {
            join_type: None,
            source: Source::Table(table),
            alias: None,
            sample: None,
            constraint: None,
        }],
        where_: Some(Expr::eq(col("cohort_id"), int(cohort.id))),
        ..Select::default()
    };
    match cohort.kind {
        CohortKind::Static => {}
        CohortKind::Dynamic {
            version: Some(version),
        } => {
            select.where_ = Some(Expr::And(vec![
                Expr::eq(col("cohort_id"), int(cohort.id)),
                Expr::eq(col("version"), int(version)),
            ]));
        }
        CohortKind::Dynamic { version: None } => {
            select.group_by = vec![col("person_id"), col("cohort_id"), col("version")];
            select.having = Some(Expr::Compare {
                op: CmpOp::Gt,
                left: Box::new(Expr::call("sum", vec![col("sign")])),
                right: Box::new(int(0)),
            });
        }
    }
    Query::Select(Box::new(select))
}
