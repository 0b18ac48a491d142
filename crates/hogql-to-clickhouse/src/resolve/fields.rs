//! Field chains: `event`, `e.properties.$browser`, `person.properties.email`, `pdi.person_id`,
//! `x.1`, `properties['a'][1]`. Lookup order and the walk through virtual tables, lazy joins
//! and JSON properties follow `hogql-sql.md` §6.

use super::scope::{LazyJoinInfo, LazyNode, LazyOutput, LazyParent, Scope, ScopeTableKind};
use super::{Resolver, Result};
use crate::context::{
    Context, MaterializedSource, PersonsOnEventsMode, PropertyScope, PropertyType,
};
use crate::error::{ErrorKind, TranslateError, suggestions};
use crate::ir::{self, ColumnRef, Expr, NameRef, PropKey, Text};
use crate::schema::{
    self, Column, FieldDef, FieldType, LazyJoin, ParentKey, Physical, TableKind, Virtual,
};
use hogql_parser::ast::{self, Span};

/// One step of a chain, remembering how it was written (for error messages and for the
/// accesses left over after a non-JSON column).
/// Names are borrowed from the query (or the schema): a chain is looked at, never kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Part<'s> {
    /// `a.name`
    Name(&'s str),
    /// `a['key']`
    Key(&'s str),
    /// `a.1`
    Index(i64),
    /// `a[1]`
    ArrayIndex(i64),
}

/// A field chain with its folded accesses, if `e` is one.
pub(crate) fn flatten(e: &ast::Expr) -> Option<Vec<Part<'_>>> {
    match &e.kind {
        ast::ExprKind::Field(f) => Some(
            f.chain
                .iter()
                .map(|p| match p {
                    ast::ChainPart::Name(n) => Part::Name(n),
                    ast::ChainPart::Index(i) => Part::Index(*i),
                })
                .collect(),
        ),
        ast::ExprKind::ArrayAccess(a) => {
            let mut base = flatten(&a.array)?;
            match &a.property.kind {
                ast::ExprKind::Constant(ast::Constant::String(s)) => base.push(Part::Key(s)),
                ast::ExprKind::Constant(ast::Constant::Int(i)) => base.push(Part::ArrayIndex(*i)),
                _ => return None,
            }
            Some(base)
        }
        ast::ExprKind::TupleAccess(t) => {
            let mut base = flatten(&t.tuple)?;
            base.push(Part::Index(t.index));
            Some(base)
        }
        _ => None,
    }
}

/// The resolved value of a chain and the name a SELECT column of it is given.
pub(crate) struct Resolved {
    pub expr: Expr,
    pub name: Option<String>,
}

/// The first name of a chain and the parts after it.
fn split_name<'p, 's>(parts: &'p [Part<'s>], span: Span) -> Result<(&'s str, &'p [Part<'s>])> {
    match parts.split_first() {
        Some((Part::Name(name), rest)) => Ok((name, rest)),
        _ => Err(TranslateError::invalid("Invalid field").at(span)),
    }
}

/// "Field not found: x" with the closest of `candidates` as a hint.
fn field_not_found<'n>(
    name: &str,
    candidates: impl IntoIterator<Item = &'n str>,
    span: Span,
) -> TranslateError {
    let err =
        TranslateError::new(ErrorKind::UnknownField, format!("Field not found: {name}")).at(span);
    match suggestions(name, candidates).first() {
        Some(h) => err.with_hint(format!("did you mean `{h}`?")),
        None => err,
    }
}

/// Accesses after a value that is not JSON: tuple and array indexes, map keys.
fn apply_rest(mut expr: Expr, rest: &[Part<'_>], span: Span) -> Result<Expr> {
    for p in rest {
        expr = match p {
            Part::Index(i) => Expr::TupleAccess {
                tuple: Box::new(expr),
                index: *i,
            },
            Part::ArrayIndex(i) => Expr::ArrayAccess {
                array: Box::new(expr),
                index: Box::new(Expr::int(*i)),
            },
            Part::Key(k) => Expr::ArrayAccess {
                array: Box::new(expr),
                index: Box::new(Expr::Const(ir::Const::Str(k.to_string()))),
            },
            Part::Name(n) => {
                return Err(TranslateError::new(
                    ErrorKind::UnknownField,
                    format!("Field not found: {n}"),
                )
                .at(span));
            }
        };
    }
    Ok(expr)
}

/// JSON property keys from the rest of a chain.
fn property_keys(rest: &[Part<'_>], span: Span) -> Result<Vec<PropKey>> {
    rest.iter()
        .map(|p| match p {
            Part::Name(s) | Part::Key(s) => Ok(PropKey::Str(s.to_string())),
            Part::Index(0) => Err(TranslateError::invalid(
                "SQL indexes start from one, not from zero. E.g: array.1",
            )
            .at(span)),
            Part::ArrayIndex(0) => Err(TranslateError::invalid(
                "SQL indexes start from one, not from zero. E.g: array[1]",
            )
            .at(span)),
            Part::Index(i) | Part::ArrayIndex(i) => Ok(PropKey::Int(*i)),
        })
        .collect()
}

fn keys_name(keys: &[PropKey], sep: &str) -> String {
    keys.iter()
        .map(|k| match k {
            PropKey::Str(s) => s.clone(),
            PropKey::Int(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Whose properties a JSON column holds, for property types.
fn property_scope(table: TableKind, column: &str) -> Option<PropertyScope> {
    Some(match column {
        "properties" if table == TableKind::Raw(Physical::Events) => PropertyScope::Event,
        "properties" if table == TableKind::Raw(Physical::Person) => PropertyScope::Person,
        "person_properties" => PropertyScope::Person,
        "group0_properties" => PropertyScope::Group(0),
        "group1_properties" => PropertyScope::Group(1),
        "group2_properties" => PropertyScope::Group(2),
        "group3_properties" => PropertyScope::Group(3),
        "group4_properties" => PropertyScope::Group(4),
        _ => return None,
    })
}

/// Which materialised columns can stand for a JSON column's first key (spec §5.2).
fn materialized_source(table: TableKind, column: &str) -> Option<MaterializedSource> {
    match (table, column) {
        (TableKind::Raw(Physical::Events), "properties") => {
            Some(MaterializedSource::EventProperties)
        }
        (TableKind::Raw(Physical::Events), "person_properties") => {
            Some(MaterializedSource::EventPersonProperties)
        }
        (TableKind::Raw(Physical::Person), "properties") => {
            Some(MaterializedSource::PersonProperties)
        }
        _ => None,
    }
}

/// `keys` of the JSON column `base`: the materialised column of the first key when `source`
/// has one in the context (with the generic form applied to it for deeper keys), otherwise the
/// generic extraction. `qualifier` is the table reference of the materialised column.
pub(super) fn property_expr(
    ctx: &Context,
    source: Option<MaterializedSource>,
    qualifier: &Text,
    base: Expr,
    keys: &[PropKey],
) -> Expr {
    let materialized = match (source, keys.first()) {
        (Some(source), Some(PropKey::Str(first))) => ctx.materialized_property(source, first),
        _ => None,
    };
    let Some(m) = materialized else {
        return Expr::Property {
            json: Box::new(base),
            keys: keys.to_vec(),
        };
    };
    let column = Expr::Column(ColumnRef {
        qualifier: Some(qualifier.clone()),
        name: m.column.clone().into(),
        nullable: true,
        datetime: false,
        sort_key_time: false,
    });
    let first = if m.nullable {
        column
    } else {
        let empty = Expr::call("nullIf", vec![column, Expr::Raw("''")]);
        Expr::call("nullIf", vec![empty, Expr::Raw("'null'")])
    };
    if keys.len() == 1 {
        return first;
    }
    Expr::Property {
        json: Box::new(first),
        keys: keys[1..].to_vec(),
    }
}

fn column_ref(qualifier: &Text, c: &Column) -> ColumnRef {
    ColumnRef {
        qualifier: Some(qualifier.clone()),
        name: c.clickhouse.into(),
        nullable: c.nullable,
        datetime: c.ty == FieldType::DateTime,
        sort_key_time: c.sort_key_time,
    }
}

impl Resolver<'_> {
    /// Resolves a chain in `scope` (spec §6 lookup order).
    pub(crate) fn chain(
        &mut self,
        parts: &[Part<'_>],
        span: Span,
        scope: &mut Scope,
    ) -> Result<Resolved> {
        let Some(Part::Name(first)) = parts.first() else {
            return Err(TranslateError::invalid("Invalid field").at(span));
        };
        let rest = &parts[1..];
        // Lambda arguments, innermost first.
        if scope
            .lambda_args
            .iter()
            .rev()
            .any(|frame| frame.iter().any(|a| a == first))
        {
            let name = Expr::Name(NameRef {
                name: first.to_string(),
                nullable: true,
                sort_key_time: false,
            });
            return Ok(Resolved {
                expr: apply_rest(name, rest, span)?,
                name: None,
            });
        }
        // A table name followed by a field.
        if !rest.is_empty()
            && let Some(index) = scope.tables.iter().position(|t| t.name == *first)
        {
            return self.on_table(index, rest, span, scope);
        }
        // Explicit SELECT aliases.
        if !scope.hide_aliases
            && let Some(a) = scope
                .aliases
                .iter()
                .rev()
                .find(|a| a.hidden.is_none() && a.name == *first)
        {
            let name = Expr::Name(NameRef {
                name: a.name.clone(),
                nullable: a.nullable,
                sort_key_time: a.sort_key_time,
            });
            return Ok(Resolved {
                expr: apply_rest(name, rest, span)?,
                name: None,
            });
        }
        // Columns of the FROM tables.
        let matches: Vec<usize> = (0..scope.tables.len())
            .filter(|i| self.table_has_field(scope, *i, first))
            .collect();
        match matches.as_slice() {
            [one] => return self.on_table(*one, parts, span, scope),
            [] => {}
            many => {
                let sources: Vec<String> = many
                    .iter()
                    .map(|i| format!("{}.{first}", scope.tables[*i].name))
                    .collect();
                return Err(TranslateError::new(
                    ErrorKind::Ambiguous,
                    format!(
                        "Ambiguous query. Found multiple sources for field: {first} ({}). Use a qualified field name.",
                        sources.join(", ")
                    ),
                )
                .at(span));
            }
        }
        // Hidden aliases (output names of plain fields), e.g. `ORDER BY` a property column.
        if !scope.hide_aliases
            && let Some(expansion) = scope
                .aliases
                .iter()
                .rev()
                .filter(|a| a.name == *first)
                .find_map(|a| a.hidden.as_ref())
        {
            return Ok(Resolved {
                expr: apply_rest(expansion.clone(), rest, span)?,
                name: None,
            });
        }
        // Column CTEs: `WITH expr AS name`.
        if let Some(cte) = self
            .ctes
            .iter()
            .rev()
            .find(|c| c.name == *first && c.cte_type == ast::CteType::Column)
            .copied()
        {
            if self.cte_depth >= super::MAX_CTE_DEPTH {
                return Err(TranslateError::invalid(
                    "Too many CTE expansions (50+). Probably a CTE loop.",
                )
                .at(span));
            }
            self.cte_depth += 1;
            let value = self.expr(&cte.expr, scope);
            self.cte_depth -= 1;
            return Ok(Resolved {
                expr: apply_rest(value?, rest, span)?,
                name: Some(first.to_string()),
            });
        }
        if scope.tables.iter().any(|t| t.name == *first) {
            return Err(TranslateError::invalid(format!(
                "Can't select a table when a column is expected: {first}"
            ))
            .at(span));
        }
        let mut err = TranslateError::new(
            ErrorKind::UnknownField,
            format!("Unable to resolve field: {first}"),
        )
        .at(span);
        let mut candidates: Vec<String> = scope.aliases.iter().map(|a| a.name.clone()).collect();
        for i in 0..scope.tables.len() {
            candidates.extend(self.table_field_names(scope, i));
        }
        let hints = suggestions(first, candidates.iter().map(String::as_str));
        if !hints.is_empty() {
            err = err.with_hint(format!(
                "did you mean {}?",
                hints
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Err(err)
    }

    fn table_has_field(&self, scope: &Scope, index: usize, name: &str) -> bool {
        match &scope.tables[index].kind {
            ScopeTableKind::Physical { table, .. } => {
                schema::field(*table, name, self.ctx).is_some()
            }
            ScopeTableKind::Lazy(node) => {
                schema::field(TableKind::Lazy(scope.lazy[*node].kind), name, self.ctx).is_some()
            }
            ScopeTableKind::Subquery { columns, .. } => columns.iter().any(|c| c.name == name),
        }
    }

    fn table_field_names(&self, scope: &Scope, index: usize) -> Vec<String> {
        match &scope.tables[index].kind {
            ScopeTableKind::Physical { table, .. } => schema::field_names(*table, self.ctx)
                .into_iter()
                .map(String::from)
                .collect(),
            ScopeTableKind::Lazy(node) => {
                schema::field_names(TableKind::Lazy(scope.lazy[*node].kind), self.ctx)
                    .into_iter()
                    .map(String::from)
                    .collect()
            }
            ScopeTableKind::Subquery { columns, .. } => {
                columns.iter().map(|c| c.name.clone()).collect()
            }
        }
    }

    /// `parts` on the `index`-th FROM table.
    pub(crate) fn on_table(
        &mut self,
        index: usize,
        parts: &[Part<'_>],
        span: Span,
        scope: &mut Scope,
    ) -> Result<Resolved> {
        let (name, rest) = split_name(parts, span)?;
        match &scope.tables[index].kind {
            ScopeTableKind::Physical { table, qualifier } => {
                let (table, qualifier) = (*table, qualifier.clone());
                let Some(def) = schema::field(table, name, self.ctx) else {
                    return Err(self.not_on_table(name, scope, index, span));
                };
                self.on_physical_def(index, &qualifier, table, def, name, rest, span, scope)
            }
            ScopeTableKind::Lazy(node) => self.on_lazy(*node, parts, span, scope),
            ScopeTableKind::Subquery { columns, qualifier } => {
                let Some(c) = columns.iter().find(|c| c.name == *name) else {
                    return Err(self.not_on_table(name, scope, index, span));
                };
                let expr = Expr::Column(ColumnRef {
                    qualifier: qualifier.clone().map(Into::into),
                    name: c.name.clone().into(),
                    nullable: c.nullable,
                    datetime: false,
                    sort_key_time: c.sort_key_time,
                });
                Ok(Resolved {
                    expr: apply_rest(expr, rest, span)?,
                    name: Some(c.name.clone()),
                })
            }
        }
    }

    fn not_on_table(&self, name: &str, scope: &Scope, index: usize, span: Span) -> TranslateError {
        let names = self.table_field_names(scope, index);
        field_not_found(name, names.iter().map(String::as_str), span)
    }

    #[allow(clippy::too_many_arguments)]
    fn on_physical_def(
        &mut self,
        index: usize,
        qualifier: &Text,
        table: TableKind,
        def: FieldDef,
        name: &str,
        rest: &[Part<'_>],
        span: Span,
        scope: &mut Scope,
    ) -> Result<Resolved> {
        match def {
            FieldDef::Column(c) => Ok(self.column_value(table, qualifier, c, rest, span)?),
            FieldDef::Traverse(chain) => {
                let mut parts: Vec<Part<'_>> = chain.iter().map(|s| Part::Name(s)).collect();
                parts.extend(rest.iter().cloned());
                let Some(Part::Name(first)) = parts.first().cloned() else {
                    return Err(TranslateError::invalid("Invalid field").at(span));
                };
                let Some(def) = schema::field(table, first, self.ctx) else {
                    return Err(TranslateError::new(
                        ErrorKind::UnknownField,
                        format!("Field not found: {first}"),
                    )
                    .at(span));
                };
                let resolved = self.on_physical_def(
                    index,
                    qualifier,
                    table,
                    def,
                    first,
                    &parts[1..],
                    span,
                    scope,
                )?;
                Ok(resolved)
            }
            FieldDef::LazyJoin(lj) => {
                if rest.is_empty() {
                    return Err(TranslateError::invalid(format!(
                        "Can't select a table when a column is expected: {name}"
                    ))
                    .at(span));
                }
                let node = self.lazy_join(LazyParent::From(index), qualifier, lj, scope, span)?;
                self.on_lazy(node, rest, span, scope)
            }
            FieldDef::Virtual(v) => {
                let Some(Part::Name(field)) = rest.first() else {
                    return Err(TranslateError::invalid(format!(
                        "Can't select a table when a column is expected: {name}"
                    ))
                    .at(span));
                };
                if v == Virtual::Poe && *field == "id" && self.person_id_overridden() {
                    let expr = self.person_id_override(index, qualifier, scope, span)?;
                    return Ok(Resolved {
                        expr: apply_rest(expr, &rest[1..], span)?,
                        name: Some("id".into()),
                    });
                }
                let Some(c) = schema::virtual_field(v, field) else {
                    return Err(TranslateError::new(
                        ErrorKind::UnknownField,
                        format!("Field not found: {field}"),
                    )
                    .at(span));
                };
                let mut resolved = self.column_value(table, qualifier, &c, &rest[1..], span)?;
                if resolved.name.as_deref() == Some(c.clickhouse) {
                    resolved.name = Some(c.name.to_string());
                }
                Ok(resolved)
            }
            FieldDef::PersonIdOverride => {
                let expr = self.person_id_override(index, qualifier, scope, span)?;
                Ok(Resolved {
                    expr: apply_rest(expr, rest, span)?,
                    name: Some(name.to_string()),
                })
            }
        }
    }

    fn person_id_overridden(&self) -> bool {
        matches!(
            self.ctx.persons_on_events,
            PersonsOnEventsMode::PersonIdOverridePropertiesOnEvents
                | PersonsOnEventsMode::PersonIdOverridePropertiesJoined
        )
    }

    /// A column value: bare, or a JSON property when the column is JSON and keys follow.
    fn column_value(
        &self,
        table: TableKind,
        qualifier: &Text,
        c: &Column,
        rest: &[Part<'_>],
        span: Span,
    ) -> Result<Resolved> {
        let base = Expr::Column(column_ref(qualifier, c));
        if c.ty == FieldType::Json && !rest.is_empty() {
            let keys = property_keys(rest, span)?;
            let name = keys_name(&keys, "__");
            let value = self.property_value(table, qualifier, c, base, &keys);
            let value = self.typed_property(property_scope(table, c.clickhouse), &keys, value);
            return Ok(Resolved {
                expr: value,
                name: Some(name),
            });
        }
        Ok(Resolved {
            expr: apply_rest(base, rest, span)?,
            name: Some(c.name.to_string()),
        })
    }

    /// The generic JSON extraction, or the materialised column of the first key when the
    /// deployment has one (spec §5.2).
    fn property_value(
        &self,
        table: TableKind,
        qualifier: &Text,
        c: &Column,
        base: Expr,
        keys: &[PropKey],
    ) -> Expr {
        property_expr(
            self.ctx,
            materialized_source(table, c.clickhouse),
            qualifier,
            base,
            keys,
        )
    }

    /// Coerces a single-key property to its declared type (spec §5.4).
    fn typed_property(&self, scope: Option<PropertyScope>, keys: &[PropKey], value: Expr) -> Expr {
        let (Some(scope), [PropKey::Str(key)]) = (scope, keys) else {
            return value;
        };
        if self.untyped_properties {
            return value;
        }
        match self.ctx.property_type(scope, key) {
            Some(PropertyType::Numeric) => Expr::call(
                "accurateCastOrNull",
                vec![value, Expr::Bound("Float64".into())],
            ),
            Some(PropertyType::DateTime) => Expr::call(
                "parseDateTime64BestEffortOrNull",
                vec![value, Expr::Raw("6"), Expr::Timezone],
            ),
            Some(PropertyType::Boolean) => {
                let text = Expr::call("toString", vec![value]);
                let from = Expr::Array(vec![
                    Expr::Bound("true".into()),
                    Expr::Bound("false".into()),
                ]);
                let to = Expr::Array(vec![Expr::int(1), Expr::int(0)]);
                let mapped = Expr::call(
                    "transform",
                    vec![text, from, to, Expr::Const(ir::Const::Null)],
                );
                Expr::call(
                    "accurateCastOrNull",
                    vec![mapped, Expr::Bound("Bool".into())],
                )
            }
            Some(PropertyType::String) | None => value,
        }
    }

    /// `if(not(empty(<override>.distinct_id)), <override>.person_id, events.person_id)`.
    fn person_id_override(
        &mut self,
        index: usize,
        qualifier: &Text,
        scope: &mut Scope,
        span: Span,
    ) -> Result<Expr> {
        let Some(FieldDef::LazyJoin(lj)) =
            schema::field(TableKind::Raw(Physical::Events), "override", self.ctx)
        else {
            return Err(TranslateError::invalid("The overrides join is not available").at(span));
        };
        let node = self.lazy_join(LazyParent::From(index), qualifier, lj, scope, span)?;
        let alias = scope.lazy[node].alias.clone();
        scope.lazy[node].request(LazyOutput::Field("person_id"));
        Ok(Expr::Call(ir::Call::new(
            "if",
            vec![
                Expr::Not(Box::new(Expr::call(
                    "empty",
                    vec![Expr::column(alias.clone(), "distinct_id")],
                ))),
                Expr::column(alias, "person_id"),
                Expr::column(qualifier.clone(), "person_id"),
            ],
        )))
    }

    /// Finds or creates the lazy join `lj` hanging from `parent`.
    fn lazy_join(
        &mut self,
        parent: LazyParent,
        parent_alias: &str,
        lj: LazyJoin,
        scope: &mut Scope,
        span: Span,
    ) -> Result<usize> {
        if lj.target == schema::LazyKind::Sessions {
            self.sessions_available(span)?;
        }
        let alias = format!("{parent_alias}__{}", lj.field);
        if let Some(existing) = scope.lazy.iter().position(|n| n.alias == alias) {
            return Ok(existing);
        }
        // The parent side of the ON clause first: it may create joins this one depends on.
        let parent_key = match (lj.parent_key, parent) {
            (ParentKey::Field(f), LazyParent::From(i)) => {
                let ScopeTableKind::Physical { table, qualifier } = scope.tables[i].kind.clone()
                else {
                    return Err(
                        TranslateError::invalid(format!("Cannot join {} here", lj.field)).at(span),
                    );
                };
                let Some(FieldDef::Column(c)) = schema::field(table, f, self.ctx) else {
                    return Err(TranslateError::invalid(format!("Join key {f} not found")).at(span));
                };
                Expr::Column(column_ref(&qualifier, c))
            }
            (ParentKey::Field(f), LazyParent::Node(n)) => {
                let name = scope.lazy[n].request(LazyOutput::JoinKey {
                    field: f,
                    name: format!("{parent_alias}___{f}"),
                });
                Expr::column(parent_alias.to_string(), name)
            }
            (ParentKey::PersonIdOverride, LazyParent::From(i)) => {
                let qualifier = Text::Owned(parent_alias.to_string());
                self.person_id_override(i, &qualifier, scope, span)?
            }
            (ParentKey::PersonIdOverride, LazyParent::Node(_)) => {
                return Err(TranslateError::invalid("Cannot join persons here").at(span));
            }
            (ParentKey::SessionIdV7, LazyParent::From(i)) => {
                let ScopeTableKind::Physical { table, qualifier } = scope.tables[i].kind.clone()
                else {
                    return Err(TranslateError::invalid("Cannot join sessions here").at(span));
                };
                let Some(FieldDef::Column(c)) = schema::field(table, "$session_id", self.ctx)
                else {
                    return Err(TranslateError::invalid("Cannot join sessions here").at(span));
                };
                super::sessions::session_key(Expr::Column(column_ref(&qualifier, c)))
            }
            (ParentKey::SessionIdV7, LazyParent::Node(_)) => {
                return Err(TranslateError::invalid("Cannot join sessions here").at(span));
            }
        };
        let on = Expr::eq(parent_key, Expr::column(alias.clone(), lj.child_key));
        let node = scope.lazy.len();
        scope.lazy.push(LazyNode {
            alias,
            kind: lj.target,
            join: Some(LazyJoinInfo {
                join_type: lj.join_type,
                on,
            }),
            outputs: Vec::new(),
            children: Vec::new(),
        });
        match parent {
            LazyParent::From(i) => scope.from_children.push((i, node)),
            LazyParent::Node(n) => scope.lazy[n].children.push(node),
        }
        Ok(node)
    }

    /// `parts` on a lazy table or join: requests the field from its subquery.
    fn on_lazy(
        &mut self,
        node: usize,
        parts: &[Part<'_>],
        span: Span,
        scope: &mut Scope,
    ) -> Result<Resolved> {
        let (name, rest) = split_name(parts, span)?;
        let kind = scope.lazy[node].kind;
        let alias = scope.lazy[node].alias.clone();
        let Some(def) = schema::field(TableKind::Lazy(kind), name, self.ctx) else {
            let names = schema::field_names(TableKind::Lazy(kind), self.ctx);
            return Err(field_not_found(name, names, span));
        };
        match def {
            FieldDef::Column(c) => {
                if c.ty == FieldType::Json && !rest.is_empty() {
                    let keys = property_keys(rest, span)?;
                    let out_name = format!("{}___{}", c.name, keys_name(&keys, "___"));
                    let display = keys_name(&keys, "__");
                    let typing = match kind {
                        schema::LazyKind::Persons => Some(PropertyScope::Person),
                        schema::LazyKind::Groups(Some(i)) => Some(PropertyScope::Group(i)),
                        _ => None,
                    };
                    let out_name = scope.lazy[node].request(LazyOutput::Property {
                        field: c.name,
                        keys: keys.clone(),
                        name: out_name,
                    });
                    let expr = Expr::Column(ColumnRef {
                        qualifier: Some(alias.into()),
                        name: out_name.into(),
                        nullable: true,
                        datetime: false,
                        sort_key_time: false,
                    });
                    return Ok(Resolved {
                        expr: self.typed_property(typing, &keys, expr),
                        name: Some(display),
                    });
                }
                let out_name = scope.lazy[node].request(LazyOutput::Field(c.name));
                let expr = Expr::Column(ColumnRef {
                    qualifier: Some(alias.into()),
                    name: out_name.into(),
                    nullable: c.nullable,
                    datetime: c.ty == FieldType::DateTime,
                    sort_key_time: c.sort_key_time,
                });
                Ok(Resolved {
                    expr: apply_rest(expr, rest, span)?,
                    name: Some(c.name.to_string()),
                })
            }
            FieldDef::LazyJoin(lj) => {
                if rest.is_empty() {
                    return Err(TranslateError::invalid(format!(
                        "Can't select a table when a column is expected: {name}"
                    ))
                    .at(span));
                }
                let child = self.lazy_join(LazyParent::Node(node), &alias, lj, scope, span)?;
                self.on_lazy(child, rest, span, scope)
            }
            _ => Err(TranslateError::new(
                ErrorKind::UnknownField,
                format!("Field not found: {name}"),
            )
            .at(span)),
        }
    }

    /// `*` or `t.*`: the table's star columns, each with its output name.
    pub(crate) fn expand_star(
        &mut self,
        chain: &[ast::ChainPart],
        scope: &mut Scope,
        span: Span,
    ) -> Result<Vec<(Expr, String)>> {
        let index = match chain {
            [_star] => match scope.tables.len() {
                0 => {
                    return Err(TranslateError::invalid(
                        "Cannot use '*' when there are no tables in the query",
                    )
                    .at(span));
                }
                1 => 0,
                _ => {
                    return Err(TranslateError::invalid(
                        "Cannot use '*' without table name when there are multiple tables in the query",
                    )
                    .at(span));
                }
            },
            [ast::ChainPart::Name(t), _star] => scope
                .tables
                .iter()
                .position(|x| x.name == *t)
                .ok_or_else(|| {
                    TranslateError::new(ErrorKind::UnknownTable, format!("Unknown table `{t}`."))
                        .at(span)
                })?,
            _ => return Err(TranslateError::invalid("Invalid use of '*'").at(span)),
        };
        let names: Vec<String> = match &scope.tables[index].kind {
            ScopeTableKind::Physical {
                table: TableKind::Numbers,
                ..
            } => vec!["number".into()],
            ScopeTableKind::Physical {
                table: TableKind::Raw(p),
                ..
            } => p
                .columns()
                .iter()
                .filter(|c| c.in_star)
                .map(|c| c.name.to_string())
                .collect(),
            ScopeTableKind::Physical {
                table: TableKind::Lazy(l),
                ..
            } => l
                .columns()
                .filter(|c| c.in_star)
                .map(|c| c.name.to_string())
                .collect(),
            ScopeTableKind::Lazy(node) => scope.lazy[*node]
                .kind
                .columns()
                .filter(|c| c.in_star)
                .map(|c| c.name.to_string())
                .collect(),
            ScopeTableKind::Subquery { columns, .. } => {
                columns.iter().map(|c| c.name.clone()).collect()
            }
        };
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            let r = self.on_table(index, &[Part::Name(&n)], span, scope)?;
            out.push((r.expr, r.name.unwrap_or(n)));
        }
        Ok(out)
    }
}
