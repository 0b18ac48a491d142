//! Builds the subqueries of lazy tables and lazy joins (spec §10, §11): the argMax
//! de-duplication of `person`, `person_distinct_id2`, overrides and `groups`, selecting exactly
//! the fields the query used. Each subquery reads a ClickHouse table, so the printer guards it.

use super::Result;
use super::scope::{LazyNode, LazyOutput};
use crate::context::{Context, MaterializedSource, PersonsArgMaxVersion};
use crate::error::TranslateError;
use crate::ir::{self, CmpOp, Const, Expr, FromItem, Query, Select, Source, Text};
use crate::schema::{LazyKind, Physical};

const IN_ORDER: (&str, &str) = ("optimize_aggregation_in_order", "1");

fn col(table: Physical, name: &'static str) -> Expr {
    Expr::column(table.clickhouse_name(), name)
}

fn alias(expr: Expr, name: impl Into<Text>) -> Expr {
    Expr::Alias {
        expr: Box::new(expr),
        name: name.into(),
    }
}

fn table_from(table: Physical) -> Vec<FromItem> {
    vec![FromItem {
        join_type: None,
        source: Source::Table(table),
        alias: None,
        sample: None,
        constraint: None,
    }]
}

/// `ifNull(equals(argMax(<t>.is_deleted, <t>.version), 0), 0)`
fn not_deleted(table: Physical) -> Expr {
    Expr::Compare {
        op: CmpOp::Eq,
        left: Box::new(Expr::call(
            "argMax",
            vec![col(table, "is_deleted"), col(table, "version")],
        )),
        right: Box::new(Expr::int(0)),
    }
}

/// The persons HAVING: not deleted, and not created in the future (bogus clocks).
fn person_having() -> Expr {
    let p = Physical::Person;
    let created = Expr::Column(ir::ColumnRef {
        qualifier: Some(p.clickhouse_name().into()),
        name: "created_at".into(),
        nullable: false,
        datetime: true,
        sort_key_time: false,
    });
    let now_plus_day = Expr::call(
        "plus",
        vec![
            Expr::call("now64", vec![Expr::Raw("6"), Expr::Timezone]),
            Expr::call("toIntervalDay", vec![Expr::int(1)]),
        ],
    );
    Expr::And(vec![
        not_deleted(p),
        Expr::Compare {
            op: CmpOp::Lt,
            left: Box::new(Expr::call("argMax", vec![created, col(p, "version")])),
            right: Box::new(now_plus_day),
        },
    ])
}

/// The expression of one output inside the subquery, before aggregation. Person properties
/// read the `pmat_` column of their first key when the deployment has one (spec §5.2).
fn output_value(ctx: &Context, table: Physical, output: &LazyOutput) -> Result<Expr> {
    let column = |name: &str| -> Result<Expr> {
        let c = table
            .columns()
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| TranslateError::invalid(format!("Field not found: {name}")))?;
        Ok(col(table, c.clickhouse))
    };
    match output {
        LazyOutput::Field(f) | LazyOutput::JoinKey { field: f, .. } => column(f),
        LazyOutput::Property { field, keys, .. } => {
            let json = column(field)?;
            let source = (table == Physical::Person && *field == "properties")
                .then_some(MaterializedSource::PersonProperties);
            Ok(super::fields::property_expr(
                ctx,
                source,
                &Text::Borrowed(table.clickhouse_name()),
                json,
                keys,
            ))
        }
    }
}

/// The non-key outputs, each the value of the newest row by `by`:
/// `argMax(tuple(x), by).1 AS name` (the tuple keeps a NULL of the newest row: a plain argMax
/// skips NULLs and could return a stale value).
fn latest_values(ctx: &Context, node: &LazyNode, table: Physical, by: &Expr) -> Result<Vec<Expr>> {
    let mut columns = Vec::with_capacity(node.outputs.len() + 2);
    for o in &node.outputs {
        if is_key(node.kind, o) {
            continue;
        }
        let value = output_value(ctx, table, o)?;
        let latest = Expr::call(
            "tupleElement",
            vec![
                Expr::call("argMax", vec![Expr::call("tuple", vec![value]), by.clone()]),
                Expr::int(1),
            ],
        );
        columns.push(alias(latest, o.name().to_string()));
    }
    Ok(columns)
}

fn is_key(kind: LazyKind, output: &LazyOutput) -> bool {
    matches!(output, LazyOutput::Field(f) if kind.key_fields().contains(f))
}

/// The subquery of a lazy node; `where_` is the WHERE of the SELECT it is used in.
pub(crate) fn build(ctx: &Context, node: &LazyNode, where_: Option<&Expr>) -> Result<Query> {
    let select = match node.kind {
        LazyKind::DistinctIds | LazyKind::Overrides => distinct_ids(ctx, node)?,
        LazyKind::Persons => match ctx.persons_argmax {
            PersonsArgMaxVersion::V1 => persons_v1(ctx, node)?,
            PersonsArgMaxVersion::V2 => persons_v2(ctx, node)?,
        },
        LazyKind::Groups(index) => groups(ctx, node, index)?,
        LazyKind::Sessions => super::sessions::build(node, where_)?,
    };
    Ok(Query::Select(Box::new(select)))
}

/// `person_distinct_id2` / overrides: latest `person_id` per `distinct_id`, deleted rows out.
fn distinct_ids(ctx: &Context, node: &LazyNode) -> Result<Select> {
    let t = node.kind.physical();
    let arg_max = |e: Expr| Expr::call("argMax", vec![e, col(t, "version")]);
    let mut columns = Vec::new();
    for o in node
        .outputs
        .iter()
        .filter(|o| matches!(o, LazyOutput::JoinKey { .. }))
    {
        columns.push(alias(
            arg_max(output_value(ctx, t, o)?),
            o.name().to_string(),
        ));
    }
    columns.push(alias(arg_max(col(t, "person_id")), "person_id"));
    for o in &node.outputs {
        if matches!(o, LazyOutput::JoinKey { .. })
            || is_key(node.kind, o)
            || o.name() == "person_id"
        {
            continue;
        }
        columns.push(alias(
            arg_max(output_value(ctx, t, o)?),
            o.name().to_string(),
        ));
    }
    columns.push(alias(col(t, "distinct_id"), "distinct_id"));
    Ok(Select {
        columns,
        from: table_from(t),
        group_by: vec![col(t, "distinct_id")],
        having: Some(not_deleted(t)),
        settings: vec![IN_ORDER],
        ..Select::default()
    })
}

/// v1: one row per `person.id`, each field `argMax(tuple(x), version).1` (NULL-safe: a plain
/// argMax skips NULLs and could return a stale value).
fn persons_v1(ctx: &Context, node: &LazyNode) -> Result<Select> {
    let t = Physical::Person;
    let mut columns = latest_values(ctx, node, t, &col(t, "version"))?;
    columns.push(alias(col(t, "id"), "id"));
    Ok(Select {
        columns,
        from: table_from(t),
        group_by: vec![col(t, "id")],
        having: Some(person_having()),
        settings: vec![IN_ORDER],
        ..Select::default()
    })
}

/// v2: the rows whose `(id, version)` is the newest non-deleted version of their person.
fn persons_v2(ctx: &Context, node: &LazyNode) -> Result<Select> {
    let t = Physical::Person;
    let mut columns = vec![alias(col(t, "id"), "id")];
    for o in &node.outputs {
        if is_key(node.kind, o) {
            continue;
        }
        columns.push(alias(output_value(ctx, t, o)?, o.name().to_string()));
    }
    let latest = Select {
        columns: vec![
            alias(col(t, "id"), "id"),
            alias(Expr::call("max", vec![col(t, "version")]), "version"),
        ],
        from: table_from(t),
        group_by: vec![col(t, "id")],
        having: Some(person_having()),
        ..Select::default()
    };
    let filter = Expr::Compare {
        op: CmpOp::In,
        left: Box::new(Expr::Call(
            ir::Call::new("tuple", vec![col(t, "id"), col(t, "version")]).not_null(),
        )),
        right: Box::new(Expr::Subquery(Box::new(Query::Select(Box::new(latest))))),
    };
    Ok(Select {
        columns,
        from: table_from(t),
        where_: Some(filter),
        settings: vec![IN_ORDER],
        ..Select::default()
    })
}

/// Groups: the latest row per (index, key), by `_timestamp`.
fn groups(ctx: &Context, node: &LazyNode, index: Option<u8>) -> Result<Select> {
    let t = Physical::Groups;
    let updated = Expr::Column(ir::ColumnRef {
        qualifier: Some(t.clickhouse_name().into()),
        name: "_timestamp".into(),
        nullable: false,
        datetime: true,
        sort_key_time: false,
    });
    let mut columns = latest_values(ctx, node, t, &updated)?;
    columns.push(alias(col(t, "group_type_index"), "index"));
    columns.push(alias(col(t, "group_key"), "key"));
    let where_ = index.map(|i| {
        Expr::eq(
            Expr::Name(ir::NameRef {
                name: "index".into(),
                nullable: false,
                sort_key_time: false,
            }),
            Expr::Const(Const::Int(i64::from(i))),
        )
    });
    Ok(Select {
        columns,
        from: table_from(t),
        where_,
        group_by: vec![col(t, "group_type_index"), col(t, "group_key")],
        ..Select::default()
    })
}
