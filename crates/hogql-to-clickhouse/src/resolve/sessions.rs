//! The `sessions` lazy table over `raw_sessions` (sessions v2, spec §2.5): one row per
//! `session_id_v7`, each field an aggregate over the session's rows of aggregate states.
//! `raw_sessions` is an `AggregatingMergeTree`, so a session may still be spread over several
//! rows (one per insert until parts merge): every field must merge, never read a row.

use super::Result;
use super::scope::{LazyNode, LazyOutput};
use crate::error::TranslateError;
use crate::ir::{CmpOp, Const, Expr, FromItem, Select, Source};
use crate::schema::Physical;

const TABLE: Physical = Physical::RawSessions;

fn column(name: &'static str) -> Expr {
    Expr::column(TABLE.clickhouse_name(), name)
}

/// A call whose result is never NULL (so comparisons with it need no NULL handling).
fn agg(name: &'static str, args: Vec<Expr>) -> Expr {
    Expr::Call(crate::ir::Call::new(name, args).not_null())
}

/// `nullIf(nullIf(x, ''), 'null')`: an absent text is NULL, as for properties.
fn null_if_empty(e: Expr) -> Expr {
    Expr::call(
        "nullIf",
        vec![
            Expr::call("nullIf", vec![e, Expr::Raw("''")]),
            Expr::Raw("'null'"),
        ],
    )
}

fn entry_url() -> Expr {
    null_if_empty(agg("argMinMerge", vec![column("entry_url")]))
}

fn end_url() -> Expr {
    null_if_empty(agg("argMaxMerge", vec![column("end_url")]))
}

fn start() -> Expr {
    agg("min", vec![column("min_timestamp")])
}

fn end() -> Expr {
    agg("max", vec![column("max_timestamp")])
}

fn duration() -> Expr {
    agg("dateDiff", vec![Expr::Raw("'second'"), start(), end()])
}

fn urls() -> Expr {
    agg("groupUniqArrayArray", vec![column("urls")])
}

fn compare(op: CmpOp, left: Expr, right: i64) -> Expr {
    Expr::Compare {
        op,
        left: Box::new(left),
        right: Box::new(Expr::int(right)),
    }
}

/// A session with at least one pageview is a bounce unless it had a second pageview, an
/// autocapture, or lasted 10 s or more; without pageviews it is neither (NULL), as PostHog
/// defines it.
fn is_bounce() -> Expr {
    let pageviews = || agg("sum", vec![column("pageview_count")]);
    let engaged = Expr::Or(vec![
        compare(CmpOp::Gt, pageviews(), 1),
        compare(CmpOp::Gt, agg("sum", vec![column("autocapture_count")]), 0),
        compare(CmpOp::GtEq, duration(), 10),
    ]);
    Expr::call(
        "if",
        vec![
            compare(CmpOp::Eq, pageviews(), 0),
            Expr::Const(Const::Null),
            Expr::Not(Box::new(engaged)),
        ],
    )
}

/// The value of a session field inside the lazy subquery.
fn field(name: &str) -> Option<Expr> {
    let initial = |c: &'static str| null_if_empty(agg("argMinMerge", vec![column(c)]));
    Some(match name {
        // The UUID text of the key. `toUInt128(UUID)` puts the UUID's first 8 bytes in the
        // low half; swapping the halves back gives the UUID `reinterpretAsUUID` prints.
        "session_id" => Expr::call(
            "toString",
            vec![Expr::call(
                "reinterpretAsUUID",
                vec![Expr::call(
                    "bitOr",
                    vec![
                        Expr::call("bitShiftLeft", vec![column("session_id_v7"), Expr::int(64)]),
                        Expr::call(
                            "bitShiftRight",
                            vec![column("session_id_v7"), Expr::int(64)],
                        ),
                    ],
                )],
            )],
        ),
        "session_id_v7" => column("session_id_v7"),
        "distinct_id" => agg("argMaxMerge", vec![column("distinct_id")]),
        "$start_timestamp" => start(),
        "$end_timestamp" => end(),
        "$entry_current_url" => entry_url(),
        "$end_current_url" => end_url(),
        "$entry_pathname" => Expr::call("path", vec![entry_url()]),
        "$end_pathname" => Expr::call("path", vec![end_url()]),
        "$entry_hostname" => Expr::call("domain", vec![entry_url()]),
        "$end_hostname" => Expr::call("domain", vec![end_url()]),
        "$entry_referring_domain" => initial("initial_referring_domain"),
        "$entry_utm_source" => initial("initial_utm_source"),
        "$entry_utm_campaign" => initial("initial_utm_campaign"),
        "$entry_utm_medium" => initial("initial_utm_medium"),
        "$urls" => urls(),
        "$num_uniq_urls" => agg("length", vec![urls()]),
        "$pageview_count" => agg("sum", vec![column("pageview_count")]),
        "$autocapture_count" => agg("sum", vec![column("autocapture_count")]),
        "$session_duration" | "duration" => duration(),
        "$is_bounce" => is_bounce(),
        _ => return None,
    })
}

/// `toUInt128(accurateCastOrNull(<session id text>, 'UUID'))`: the join key of an event's
/// session. `toUUID` would abort the whole query on an empty or malformed `$session_id`
/// (ClickHouse 26.9, code 376); the cast makes those NULL, which joins nothing.
pub(crate) fn session_key(session_id: Expr) -> Expr {
    Expr::call(
        "toUInt128",
        vec![Expr::call(
            "accurateCastOrNull",
            vec![session_id, Expr::Raw("'UUID'")],
        )],
    )
}

/// The lazy subquery: the requested fields, then the key, grouped by the key.
pub(crate) fn build(node: &LazyNode) -> Result<Select> {
    let mut columns = Vec::with_capacity(node.outputs.len() + 1);
    for o in &node.outputs {
        let LazyOutput::Field(name) = o else {
            return Err(TranslateError::invalid(format!(
                "Field not found on sessions: {}",
                o.name()
            )));
        };
        if *name == "session_id_v7" {
            continue;
        }
        let value = field(name).ok_or_else(|| {
            TranslateError::invalid(format!("Field not found on sessions: {name}"))
        })?;
        columns.push(Expr::Alias {
            expr: Box::new(value),
            name: (*name).into(),
        });
    }
    columns.push(Expr::Alias {
        expr: Box::new(column("session_id_v7")),
        name: "session_id_v7".into(),
    });
    Ok(Select {
        columns,
        from: vec![FromItem {
            join_type: None,
            source: Source::Table(TABLE),
            alias: None,
            sample: None,
            constraint: None,
        }],
        group_by: vec![column("session_id_v7")],
        ..Select::default()
    })
}
