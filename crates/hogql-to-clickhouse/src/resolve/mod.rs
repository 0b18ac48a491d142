//! AST → [`ResolvedQuery`]: binds every name, checks functions, expands `*`, CTEs, lazy tables
//! and lazy joins, and applies the row limits.
//!
//! Scoping follows ClickHouse (spec `hogql-sql.md` §6): each SELECT sees only its own FROM
//! tables (no correlated references), its SELECT aliases (also in WHERE, GROUP BY, …), the
//! lambda arguments around an expression and the CTEs of the enclosing queries.

mod calls;
mod cohorts;
mod exprs;
mod fields;
mod filters;
mod lazy;
mod scope;
mod sessions;

use crate::context::Context;
use crate::error::{ErrorKind, TranslateError, suggestions};
use crate::ir::{
    self, Constraint, Expr, FromItem, JOIN_TYPES, Query, Sample, Select, SetQuery, Source,
};
use crate::print::ResolvedQuery;
use crate::schema::{self, TableKind};
use hogql_parser::ast;
use scope::{AliasDef, LazyNode, Scope, ScopeTable, ScopeTableKind, SubColumn};

type Result<T> = std::result::Result<T, TranslateError>;

/// How deep CTE references may nest before we call it a loop (PostHog's limit).
const MAX_CTE_DEPTH: usize = 50;

/// At most this many name errors are collected before resolution stops.
const MAX_ERRORS: usize = 20;

/// How deeply expressions and subqueries may nest (the parser allows 500 levels); resolving
/// and printing recurse per level on a stack that grows on demand.
const MAX_NESTING: usize = 400;

/// Resolves a parsed query for `ctx`'s team.
pub fn resolve(
    query: &ast::Query,
    ctx: &Context,
) -> std::result::Result<ResolvedQuery, Vec<TranslateError>> {
    ctx.validate().map_err(|e| vec![e])?;
    // Parsed once, before resolution, so the resolver can borrow them like the query.
    let mut filter_conditions = Vec::with_capacity(ctx.filters.conditions.len());
    for text in &ctx.filters.conditions {
        let parsed = hogql_parser::parse_expr(text).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    TranslateError::new(
                        ErrorKind::Config,
                        format!("In the filter condition `{text}`: {}", e.message),
                    )
                })
                .collect::<Vec<_>>()
        })?;
        filter_conditions.push(parsed);
    }
    let mut r = Resolver {
        ctx,
        ctes: Vec::new(),
        named_windows: &[],
        filter_conditions: &filter_conditions,
        cte_depth: 0,
        depth: 0,
        untyped_properties: false,
        errors: Vec::new(),
    };
    let result = r.query(query.into(), true);
    let mut errors = std::mem::take(&mut r.errors);
    let q = match result {
        Ok(q) if errors.is_empty() => q,
        Ok(_) => return Err(errors),
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };
    Ok(ResolvedQuery {
        query: q,
        team_id: ctx.team_id,
        timezone: ctx.timezone.clone(),
        settings: ctx.settings.clone(),
    })
}

/// A query of the AST, borrowed (subqueries are resolved in place, never copied).
#[derive(Clone, Copy)]
pub(crate) enum QueryRef<'q> {
    Select(&'q ast::SelectQuery),
    Set(&'q ast::SelectSetQuery),
}

impl<'q> From<&'q ast::Query> for QueryRef<'q> {
    fn from(q: &'q ast::Query) -> Self {
        match q {
            ast::Query::Select(s) => QueryRef::Select(s),
            ast::Query::SelectSet(s) => QueryRef::Set(s),
        }
    }
}

pub(crate) struct Resolver<'a> {
    ctx: &'a Context,
    /// CTEs visible at the current point, innermost last.
    ctes: Vec<&'a ast::Cte>,
    /// The `WINDOW name AS (…)` definitions of the SELECT being resolved (for
    /// `lag(x) OVER name`, which is printed inline).
    named_windows: &'a [ast::NamedWindow],
    /// `Context::filters.conditions`, parsed.
    filter_conditions: &'a [ast::Expr],
    cte_depth: usize,
    /// Current expression nesting, see `MAX_NESTING`.
    depth: usize,
    /// Set while resolving the argument of `toFloatOrZero` & co., which take the raw string.
    untyped_properties: bool,
    /// Unknown names and functions found so far: resolution goes on after one, so a query
    /// with several misspellings gets all of them reported at once.
    errors: Vec<TranslateError>,
}

impl<'a> Resolver<'a> {
    /// A whole query. `top` marks the statement itself: its SELECTs (or the members of its
    /// set operation) get the default and maximum LIMIT.
    fn query(&mut self, q: QueryRef<'a>, top: bool) -> Result<Query> {
        match q {
            QueryRef::Select(s) => Ok(Query::Select(Box::new(self.select(s, top)?))),
            QueryRef::Set(set) => {
                let own_limit =
                    set.limit.is_some() || set.offset.is_some() || set.order_by.is_some();
                // With a LIMIT of its own the set is a subquery, and that LIMIT is the capped one.
                let members_top = top && !own_limit;
                let initial = self.set_member(&set.initial_select_query, members_top)?;
                let mut rest = Vec::with_capacity(set.subsequent_select_queries.len());
                for node in &set.subsequent_select_queries {
                    let member = self.set_member(&node.select_query, members_top)?;
                    rest.push((node.set_operator, member));
                }
                let query = Query::Set(Box::new(SetQuery { initial, rest }));
                if !own_limit {
                    return Ok(query);
                }
                Ok(Query::Select(Box::new(self.limited_set(query, set, top)?)))
            }
        }
    }

    /// `SELECT * FROM (<set>) ORDER BY … LIMIT n OFFSET m` for a set's own ORDER BY and
    /// LIMIT/OFFSET (`… UNION ALL (SELECT …) ORDER BY a LIMIT 10`): ClickHouse would read them
    /// after the last member as that member's, and PostHog's parser and printer drop them.
    fn limited_set(
        &mut self,
        set_query: Query,
        set: &'a ast::SelectSetQuery,
        top: bool,
    ) -> Result<Select> {
        // The ORDER BY names the set's columns.
        let mut scope = Scope::default();
        scope.tables.push(ScopeTable {
            name: String::new(),
            kind: ScopeTableKind::Subquery {
                columns: output_columns(&set_query),
                qualifier: None,
            },
        });
        let order_by = match &set.order_by {
            Some(order) => self.order_list(order, &mut scope)?,
            None => Vec::new(),
        };
        let mut out = Select {
            order_by,
            columns: vec![Expr::Star],
            from: vec![ir::FromItem {
                join_type: None,
                source: ir::Source::Subquery(set_query),
                alias: None,
                sample: None,
                constraint: None,
            }],
            ..Select::default()
        };
        out.limit = self.opt_expr(&set.limit, &mut scope)?;
        out.offset = self.opt_expr(&set.offset, &mut scope)?;
        if top {
            self.apply_limits(&mut out);
        }
        Ok(out)
    }

    fn set_member(&mut self, q: &'a ast::Query, top: bool) -> Result<Query> {
        match q {
            ast::Query::Select(s) => Ok(Query::Select(Box::new(self.select(s, top)?))),
            // A parenthesised set inside a set: not a top-level member.
            nested @ ast::Query::SelectSet(_) => self.query(nested.into(), false),
        }
    }

    fn select(&mut self, s: &'a ast::SelectQuery, top: bool) -> Result<Select> {
        self.enter(s.span)?;
        let result = stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
            self.select_with_ctes(s, top)
        });
        self.depth -= 1;
        result
    }

    fn select_with_ctes(&mut self, s: &'a ast::SelectQuery, top: bool) -> Result<Select> {
        let cte_mark = self.ctes.len();
        if let Some(ctes) = &s.ctes {
            for cte in ctes {
                if self.ctes[cte_mark..].iter().any(|c| c.name == cte.name) {
                    return Err(TranslateError::invalid(format!(
                        "CTE '{}' is defined twice",
                        cte.name
                    ))
                    .at(cte.span));
                }
                self.ctes.push(cte);
            }
        }
        let windows = s.window_exprs.as_deref().unwrap_or_default();
        let outer_windows = std::mem::replace(&mut self.named_windows, windows);
        let result = self.select_inner(s, top);
        self.named_windows = outer_windows;
        self.ctes.truncate(cte_mark);
        result
    }

    fn select_inner(&mut self, s: &'a ast::SelectQuery, top: bool) -> Result<Select> {
        if s.qualify.is_some() {
            return Err(TranslateError::unsupported(
                "QUALIFY is not supported in the 'clickhouse' dialect",
            )
            .at(s.span));
        }
        if s.group_by_mode.is_some() {
            return Err(
                TranslateError::unsupported("GROUP BY CUBE/ROLLUP is not supported").at(s.span),
            );
        }
        if s.limit_percent {
            return Err(TranslateError::unsupported("LIMIT … % is not supported").at(s.span));
        }
        let mut scope = Scope::default();
        let mut out = Select {
            distinct: s.distinct,
            ..Select::default()
        };

        // FROM: register every table first, then resolve the join constraints.
        let mut items: Vec<(FromItem, Option<&ast::JoinConstraint>)> = Vec::new();
        let mut join = s.select_from.as_deref();
        while let Some(j) = join {
            let item = self.join_item(j, &mut scope)?;
            items.push((item, j.constraint.as_ref()));
            join = j.next_join.as_deref();
        }
        for (i, (item, constraint)) in items.iter_mut().enumerate() {
            if let Some(c) = constraint {
                let _ = i;
                item.constraint = Some(match c.constraint_type {
                    ast::ConstraintType::On => Constraint::On(self.expr(&c.expr, &mut scope)?),
                    ast::ConstraintType::Using => {
                        let ast::ExprKind::Field(f) = &c.expr.kind else {
                            return Err(TranslateError::unsupported("USING takes one column name")
                                .at(c.span));
                        };
                        match f.chain.as_slice() {
                            [ast::ChainPart::Name(n)] => {
                                Constraint::Using(Expr::Name(ir::NameRef {
                                    name: n.clone(),
                                    nullable: false,
                                    sort_key_time: false,
                                }))
                            }
                            _ => {
                                return Err(TranslateError::unsupported(
                                    "USING takes one column name",
                                )
                                .at(c.span));
                            }
                        }
                    }
                });
            }
        }

        // ARRAY JOIN aliases are visible in the SELECT list and the other way round: register
        // their names first, resolve the SELECT list, then the ARRAY JOIN expressions.
        if let Some(aj) = &s.array_join {
            if items.is_empty() {
                return Err(TranslateError::invalid(
                    "Using ARRAY JOIN without a FROM clause is not permitted",
                )
                .at(aj.span));
            }
            for e in &aj.exprs {
                let ast::ExprKind::Alias(a) = &e.kind else {
                    return Err(
                        TranslateError::invalid("ARRAY JOIN arrays must have an alias").at(e.span),
                    );
                };
                self.check_alias_name(&a.alias, e.span)?;
                let name = Expr::Name(ir::NameRef {
                    name: a.alias.clone(),
                    nullable: true,
                    sort_key_time: false,
                });
                scope.aliases.push(AliasDef::explicit(&a.alias, &name));
            }
        }
        out.columns = self.select_list(&s.select, &mut scope)?;
        if let Some(aj) = &s.array_join {
            let mut exprs = Vec::with_capacity(aj.exprs.len());
            for e in &aj.exprs {
                if let ast::ExprKind::Alias(a) = &e.kind {
                    let resolved = self.expr(&a.expr, &mut scope)?;
                    exprs.push(Expr::Alias {
                        expr: Box::new(resolved),
                        name: a.alias.clone().into(),
                    });
                }
            }
            out.array_join = Some((aj.kind, exprs));
        }
        out.prewhere = self.opt_expr(&s.prewhere, &mut scope)?;
        out.where_ = self.opt_expr(&s.where_, &mut scope)?;
        if let Some(group_by) = &s.group_by {
            for e in group_by {
                out.group_by.push(self.expr(e, &mut scope)?);
            }
        }
        out.having = self.opt_expr(&s.having, &mut scope)?;
        if let Some(windows) = &s.window_exprs {
            for w in windows {
                let spec = self.window_spec(&w.window, &mut scope)?;
                out.windows.push((w.name.clone(), spec));
            }
        }
        if let Some(order) = &s.order_by {
            out.order_by = self.order_list(order, &mut scope)?;
        }
        if let Some(lb) = &s.limit_by {
            let mut exprs = Vec::with_capacity(lb.exprs.len());
            for e in &lb.exprs {
                exprs.push(self.expr(e, &mut scope)?);
            }
            out.limit_by = Some(ir::LimitBy {
                n: self.expr(&lb.n, &mut scope)?,
                offset: self.opt_expr(&lb.offset_value, &mut scope)?,
                exprs,
            });
        }
        out.limit = self.opt_expr(&s.limit, &mut scope)?;
        out.with_ties = s.limit_with_ties;
        out.offset = self.opt_expr(&s.offset, &mut scope)?;
        if out.with_ties && out.order_by.is_empty() {
            // At the LIMIT value: the SELECT's own span ends differently across parser versions.
            let at = s.limit.as_ref().map_or(s.span, |l| l.span);
            return Err(
                TranslateError::invalid("LIMIT … WITH TIES requires an ORDER BY clause").at(at),
            );
        }
        if top {
            self.apply_limits(&mut out);
        }

        // Lazy tables and joins become real subqueries, each join right after its parent.
        // The WHERE is passed along: lazy sessions narrow their scan by its time bounds.
        let from = self.finish_from(items, &mut scope, out.where_.as_ref())?;
        out.from = from;
        Ok(out)
    }

    /// Refuses `sessions` / `events.session` when the store has no `raw_sessions` table.
    pub(crate) fn sessions_available(&self, span: ast::Span) -> Result<()> {
        if self.ctx.sessions {
            return Ok(());
        }
        Err(TranslateError::new(
            ErrorKind::UnknownTable,
            "Unknown table `sessions`.".to_string(),
        )
        .at(span)
        .with_hint("the event store has no sessions table (it does not create `raw_sessions`)"))
    }

    fn apply_limits(&self, s: &mut Select) {
        let limits = self.ctx.limits;
        if s.limit.is_none()
            && let Some(d) = limits.default_limit
        {
            s.limit = Some(Expr::int(clamp_i64(d)));
        }
        let Some(max) = limits.max_limit else { return };
        let max = clamp_i64(max);
        s.limit = Some(match s.limit.take() {
            None => Expr::int(max),
            Some(Expr::Const(ir::Const::Int(v))) => Expr::int(v.min(max)),
            Some(other) => Expr::Call(ir::Call::new("min2", vec![Expr::int(max), other])),
        });
    }

    fn opt_expr(
        &mut self,
        e: &'a Option<Box<ast::Expr>>,
        scope: &mut Scope,
    ) -> Result<Option<Expr>> {
        match e {
            Some(e) => Ok(Some(self.expr(e, scope)?)),
            None => Ok(None),
        }
    }

    fn order_list(
        &mut self,
        items: &'a [ast::OrderExpr],
        scope: &mut Scope,
    ) -> Result<Vec<(Expr, ast::Order)>> {
        let mut out = Vec::with_capacity(items.len());
        for o in items {
            out.push((self.expr(&o.expr, scope)?, o.order));
        }
        Ok(out)
    }

    fn check_alias_name(&self, alias: &str, span: ast::Span) -> Result<()> {
        if alias.is_empty() {
            return Err(TranslateError::invalid("Alias cannot be empty").at(span));
        }
        if ["team_id", "true", "false", "null"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(alias))
        {
            return Err(TranslateError::invalid(format!(
                "\"{alias}\" cannot be an alias or identifier, as it's a reserved keyword"
            ))
            .at(span));
        }
        if alias.contains('%') {
            return Err(TranslateError::invalid(format!(
                "The HogQL identifier \"{alias}\" is not permitted as it contains the \"%\" character"
            ))
            .at(span));
        }
        Ok(())
    }

    /// One FROM item (without its constraint).
    fn join_item(&mut self, j: &'a ast::JoinExpr, scope: &mut Scope) -> Result<FromItem> {
        if j.table_final {
            return Err(TranslateError::unsupported(
                "The FINAL keyword is not supported in HogQL as it causes slow queries",
            )
            .at(j.span));
        }
        let join_type =
            match &j.join_type {
                None => None,
                Some(t) => Some(*JOIN_TYPES.iter().find(|k| **k == t.as_str()).ok_or_else(
                    || {
                        TranslateError::unsupported(format!("Join type {t} is not supported"))
                            .at(j.span)
                    },
                )?),
            };
        if let Some(alias) = &j.alias {
            self.check_alias_name(alias, j.span)?;
        }
        let mut item = FromItem {
            join_type,
            source: Source::Numbers(Vec::new()),
            alias: j.alias.clone(),
            sample: None,
            constraint: None,
        };
        let visible_name: String;
        match &j.table.kind {
            ast::ExprKind::Field(f) => {
                let name = chain_text(&f.chain);
                if let Some(args) = &j.table_args {
                    if name != "numbers" {
                        let message = if schema::table(&name).is_some() {
                            format!("Table '{name}' does not accept arguments")
                        } else {
                            format!("Unknown table `{name}`. The only table function is numbers().")
                        };
                        return Err(
                            TranslateError::new(ErrorKind::UnknownTable, message).at(j.table.span)
                        );
                    }
                    if args.is_empty() {
                        return Err(TranslateError::invalid(
                            "Table function 'numbers' requires at least 1 argument",
                        )
                        .at(j.span));
                    }
                    if args.len() > 2 {
                        return Err(TranslateError::invalid(
                            "Table function 'numbers' requires at most 2 arguments",
                        )
                        .at(j.span));
                    }
                    let mut resolved = Vec::with_capacity(args.len());
                    let mut empty = Scope::default();
                    for a in args {
                        resolved.push(self.expr(a, &mut empty)?);
                    }
                    item.source = Source::Numbers(resolved);
                    // 26.9 does not accept `numbers.number` without an alias: always give one.
                    item.alias = Some(j.alias.clone().unwrap_or_else(|| "numbers".into()));
                    visible_name = j.alias.clone().unwrap_or_else(|| "numbers".into());
                    scope.tables.push(ScopeTable {
                        name: visible_name.clone(),
                        kind: ScopeTableKind::Physical {
                            table: TableKind::Numbers,
                            qualifier: j
                                .alias
                                .clone()
                                .map_or(ir::Text::Borrowed("numbers"), ir::Text::Owned),
                        },
                    });
                } else if let Some(cte) = self.find_cte(&name) {
                    let (query, columns) = self.cte_query(cte, j.span)?;
                    item.source = Source::Subquery(query);
                    let alias = j.alias.clone().unwrap_or_else(|| cte.name.clone());
                    item.alias = Some(alias.clone());
                    visible_name = alias.clone();
                    scope.tables.push(ScopeTable {
                        name: visible_name.clone(),
                        kind: ScopeTableKind::Subquery {
                            columns,
                            qualifier: Some(alias),
                        },
                    });
                } else {
                    let Some(kind) = schema::table(&name) else {
                        let mut err = TranslateError::new(
                            ErrorKind::UnknownTable,
                            format!("Unknown table `{name}`."),
                        )
                        .at(j.table.span);
                        let mut names: Vec<&str> = schema::TABLE_NAMES.to_vec();
                        let cte_names: Vec<String> =
                            self.ctes.iter().map(|c| c.name.clone()).collect();
                        names.extend(cte_names.iter().map(String::as_str));
                        if name == "raw_sessions" {
                            err = err.with_hint(
                                "`raw_sessions` holds aggregate states: read sessions through the `sessions` table",
                            );
                        } else if let Some(s) = suggestions(&name, names).first() {
                            err = err.with_hint(format!("did you mean `{s}`?"));
                        }
                        return Err(err);
                    };
                    if kind == TableKind::Numbers {
                        return Err(TranslateError::invalid(
                            "Table function 'numbers' requires at least 1 argument",
                        )
                        .at(j.span));
                    }
                    if kind == TableKind::Lazy(schema::LazyKind::Sessions) {
                        self.sessions_available(j.table.span)?;
                    }
                    visible_name = j.alias.clone().unwrap_or_else(|| name.clone());
                    match kind {
                        TableKind::Raw(p) => {
                            item.source = Source::Table(p);
                            let qualifier = j
                                .alias
                                .clone()
                                .map_or(ir::Text::Borrowed(p.clickhouse_name()), ir::Text::Owned);
                            scope.tables.push(ScopeTable {
                                name: visible_name.clone(),
                                kind: ScopeTableKind::Physical {
                                    table: kind,
                                    qualifier,
                                },
                            });
                        }
                        TableKind::Lazy(l) => {
                            // Built once the SELECT is resolved (`finish_from`).
                            item.alias = Some(visible_name.clone());
                            let node = scope.lazy.len();
                            scope.lazy.push(LazyNode {
                                alias: visible_name.clone(),
                                kind: l,
                                join: None,
                                outputs: Vec::new(),
                                children: Vec::new(),
                            });
                            scope.tables.push(ScopeTable {
                                name: visible_name.clone(),
                                kind: ScopeTableKind::Lazy(node),
                            });
                        }
                        TableKind::Numbers => {
                            return Err(TranslateError::invalid(
                                "Table function 'numbers' requires at least 1 argument",
                            )
                            .at(j.span));
                        }
                    }
                }
            }
            ast::ExprKind::SelectQuery(_) | ast::ExprKind::SelectSetQuery(_) => {
                if j.table_args.is_some() {
                    return Err(
                        TranslateError::invalid("A subquery does not accept arguments").at(j.span),
                    );
                }
                let sub = match &j.table.kind {
                    ast::ExprKind::SelectQuery(q) => QueryRef::Select(q),
                    ast::ExprKind::SelectSetQuery(q) => QueryRef::Set(q),
                    _ => return Err(TranslateError::invalid("Expected a subquery").at(j.span)),
                };
                let query = self.query(sub, false)?;
                let columns = output_columns(&query);
                item.source = Source::Subquery(query);
                visible_name = j.alias.clone().unwrap_or_default();
                scope.tables.push(ScopeTable {
                    name: visible_name.clone(),
                    kind: ScopeTableKind::Subquery {
                        columns,
                        qualifier: j.alias.clone(),
                    },
                });
            }
            ast::ExprKind::Placeholder(_) => {
                return Err(
                    TranslateError::invalid("Unresolved placeholder in FROM").at(j.table.span)
                );
            }
            ast::ExprKind::HogQLXTag(_) => {
                return Err(TranslateError::unsupported(
                    "Printing HogQLX tags is only supported in HogQL queries",
                )
                .at(j.table.span));
            }
            other => {
                return Err(TranslateError::invalid(format!(
                    "A {} cannot be used as a SELECT source",
                    kind_name(other)
                ))
                .at(j.table.span));
            }
        }
        if !visible_name.is_empty()
            && scope.tables[..scope.tables.len() - 1]
                .iter()
                .any(|t| t.name == visible_name)
        {
            return Err(TranslateError::invalid(format!(
                "Already have joined a table called \"{visible_name}\". Can't redefine."
            ))
            .at(j.span));
        }
        if let Some(sample) = &j.sample {
            item.sample = self.sample(sample, &item)?;
        }
        Ok(item)
    }

    fn sample(&mut self, sample: &ast::SampleExpr, item: &FromItem) -> Result<Option<Box<Sample>>> {
        if !matches!(item.source, Source::Table(_)) {
            return Err(TranslateError::unsupported(
                "SAMPLE is only supported on tables read directly (events, raw_* tables), not on subqueries or lazy tables",
            )
            .at(sample.span));
        }
        let ratio = |r: &ast::RatioExpr| -> Result<(Expr, Option<Expr>)> {
            let num = |e: &ast::Expr| -> Result<Expr> {
                match &e.kind {
                    ast::ExprKind::Constant(ast::Constant::Int(i)) => Ok(Expr::int(*i)),
                    ast::ExprKind::Constant(ast::Constant::Float(f)) => {
                        Ok(Expr::Const(ir::Const::Float(*f)))
                    }
                    _ => Err(TranslateError::invalid("SAMPLE ratios must be numbers").at(e.span)),
                }
            };
            Ok((num(&r.left)?, r.right.as_deref().map(num).transpose()?))
        };
        let value = ratio(&sample.sample_value)?;
        let offset = sample.offset_value.as_ref().map(ratio).transpose()?;
        // `SAMPLE 1` without an offset reads everything: drop it.
        if offset.is_none() && value.1.is_none() && value.0 == Expr::int(1) {
            return Ok(None);
        }
        Ok(Some(Box::new(Sample {
            ratio: value,
            offset,
        })))
    }

    fn find_cte(&self, name: &str) -> Option<&'a ast::Cte> {
        self.ctes
            .iter()
            .rev()
            .find(|c| c.name == name && c.cte_type == ast::CteType::Subquery)
            .copied()
    }

    /// A subquery CTE used as a table: resolved afresh at every use (so it gets its own team
    /// guards), seeing only the CTEs defined before it.
    fn cte_query(&mut self, cte: &'a ast::Cte, span: ast::Span) -> Result<(Query, Vec<SubColumn>)> {
        if self.cte_depth >= MAX_CTE_DEPTH {
            return Err(TranslateError::invalid(
                "Too many CTE expansions (50+). Probably a CTE loop.",
            )
            .at(span));
        }
        let q = match &cte.expr.kind {
            ast::ExprKind::SelectQuery(q) => QueryRef::Select(q),
            ast::ExprKind::SelectSetQuery(q) => QueryRef::Set(q),
            _ => {
                return Err(TranslateError::invalid(format!(
                    "CTE '{}' is not a subquery",
                    cte.name
                ))
                .at(cte.span));
            }
        };
        let position = self
            .ctes
            .iter()
            .rposition(|c| c.name == cte.name)
            .unwrap_or(0);
        let saved: Vec<&'a ast::Cte> = self.ctes.drain(position..).collect();
        self.cte_depth += 1;
        let result = self.query(q, false);
        self.cte_depth -= 1;
        self.ctes.extend(saved);
        let query = result?;
        let columns = output_columns(&query);
        Ok((query, columns))
    }

    fn select_list(&mut self, items: &'a [ast::Expr], scope: &mut Scope) -> Result<Vec<Expr>> {
        // The expressions and, beside them, their hidden alias candidates (two vectors: one of
        // pairs crossed malloc's large-request threshold for a dozen columns).
        let mut columns: Vec<Expr> = Vec::with_capacity(items.len());
        let mut hidden_names: Vec<Option<String>> = Vec::with_capacity(items.len());
        for item in items {
            match &item.kind {
                ast::ExprKind::Field(f)
                    if f.chain.last().and_then(|p| p.as_name()) == Some("*") =>
                {
                    for (expr, name) in self.expand_star(&f.chain, scope, item.span)? {
                        columns.push(expr);
                        hidden_names.push(Some(name));
                    }
                }
                ast::ExprKind::Alias(a) if !a.hidden => {
                    self.check_alias_name(&a.alias, item.span)?;
                    if scope.explicit_alias(&a.alias) {
                        return Err(TranslateError::invalid(format!(
                            "Cannot redefine an alias with the name: {}",
                            a.alias
                        ))
                        .at(item.span));
                    }
                    let expr = self.expr(&a.expr, scope)?;
                    scope.aliases.push(AliasDef::explicit(&a.alias, &expr));
                    columns.push(Expr::Alias {
                        expr: Box::new(expr),
                        name: a.alias.clone().into(),
                    });
                    hidden_names.push(None);
                }
                _ => {
                    let (expr, hidden) = self.expr_with_name(item, scope)?;
                    // `%` is reserved for placeholders: such a column simply stays unnamed.
                    let hidden = hidden.filter(|name| !name.contains('%') && !name.is_empty());
                    if let Some(name) = &hidden {
                        scope.aliases.push(AliasDef::hidden(name, expr.clone()));
                    }
                    columns.push(expr);
                    hidden_names.push(hidden);
                }
            }
        }
        // Hidden aliases: an explicit alias of the same name wins; otherwise the last one.
        for i in 0..columns.len() {
            let Some(name) = hidden_names[i].take() else {
                continue;
            };
            let named = !scope.explicit_alias(&name)
                && !hidden_names[i + 1..]
                    .iter()
                    .any(|h| h.as_deref() == Some(name.as_str()));
            if named {
                let expr = std::mem::replace(&mut columns[i], Expr::Star);
                columns[i] = Expr::Alias {
                    expr: Box::new(expr),
                    name: name.into(),
                };
            }
        }
        Ok(columns)
    }

    /// Turns the registered FROM items and the lazy nodes into the printed FROM chain.
    fn finish_from(
        &mut self,
        items: Vec<(FromItem, Option<&ast::JoinConstraint>)>,
        scope: &mut Scope,
        where_: Option<&Expr>,
    ) -> Result<Vec<FromItem>> {
        let mut out = Vec::with_capacity(items.len());
        for (i, (mut item, _)) in items.into_iter().enumerate() {
            if let Some(ScopeTableKind::Lazy(node)) = scope.tables.get(i).map(|t| &t.kind) {
                let node = *node;
                let query = lazy::build(self.ctx, &scope.lazy[node], where_)?;
                item.source = Source::Subquery(query);
                out.push(item);
                self.push_lazy_children(node, scope, &mut out, where_)?;
            } else {
                out.push(item);
            }
            let roots: Vec<usize> = scope
                .from_children
                .iter()
                .filter(|(f, _)| *f == i)
                .map(|(_, n)| *n)
                .collect();
            for node in roots {
                self.push_lazy_join(node, scope, &mut out, where_)?;
            }
        }
        Ok(out)
    }

    fn push_lazy_join(
        &mut self,
        node: usize,
        scope: &Scope,
        out: &mut Vec<FromItem>,
        where_: Option<&Expr>,
    ) -> Result<()> {
        let n = &scope.lazy[node];
        let Some(join) = &n.join else { return Ok(()) };
        if n.outputs.is_empty() && n.kind.key_fields().is_empty() {
            return Err(TranslateError::invalid(format!(
                "No fields requested from {}",
                n.alias
            )));
        }
        let query = lazy::build(self.ctx, n, where_)?;
        out.push(FromItem {
            join_type: Some(join.join_type),
            source: Source::Subquery(query),
            alias: Some(n.alias.clone()),
            sample: None,
            constraint: Some(Constraint::On(join.on.clone())),
        });
        self.push_lazy_children(node, scope, out, where_)
    }

    fn push_lazy_children(
        &mut self,
        node: usize,
        scope: &Scope,
        out: &mut Vec<FromItem>,
        where_: Option<&Expr>,
    ) -> Result<()> {
        for child in scope.lazy[node].children.clone() {
            self.push_lazy_join(child, scope, out, where_)?;
        }
        Ok(())
    }
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// `a.b.c` for messages.
fn chain_text(chain: &[ast::ChainPart]) -> String {
    chain
        .iter()
        .map(|p| match p {
            ast::ChainPart::Name(n) => n.clone(),
            ast::ChainPart::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn kind_name(kind: &ast::ExprKind) -> &'static str {
    match kind {
        ast::ExprKind::CompareOperation(_) => "CompareOperation",
        ast::ExprKind::Constant(_) => "Constant",
        ast::ExprKind::Call(_) => "Call",
        ast::ExprKind::ArithmeticOperation(_) => "ArithmeticOperation",
        _ => "expression",
    }
}

/// The named output columns of a resolved query (first member of a set): explicit or hidden
/// aliases and alias references. An unaliased expression has no usable name.
fn output_columns(q: &Query) -> Vec<SubColumn> {
    match q {
        // A set with a LIMIT of its own (`Resolver::limited_set`) has the set's columns.
        Query::Select(s) if matches!(s.columns.as_slice(), [Expr::Star]) => match s.from.as_slice()
        {
            [
                ir::FromItem {
                    source: ir::Source::Subquery(inner),
                    ..
                },
            ] => output_columns(inner),
            _ => Vec::new(),
        },
        Query::Select(s) => {
            let mut out: Vec<SubColumn> = Vec::with_capacity(s.columns.len());
            for c in &s.columns {
                let name: &str = match c {
                    Expr::Alias { name, .. } => name,
                    Expr::Name(n) => &n.name,
                    _ => continue,
                };
                if out.iter().any(|o| o.name == name) {
                    continue;
                }
                out.push(SubColumn {
                    name: name.to_string(),
                    nullable: c.nullable(),
                    sort_key_time: c.is_sort_key_time(),
                });
            }
            out
        }
        Query::Set(set) => output_columns(&set.initial),
    }
}
