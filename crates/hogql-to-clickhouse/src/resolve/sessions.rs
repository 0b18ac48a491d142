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

/// The time encoded in a UUIDv7 session id (its first 48 bits, in ms): `raw_sessions` is
/// partitioned and sorted by it.
fn id_time() -> Expr {
    let ms = agg(
        "toUInt64",
        vec![agg(
            "bitShiftRight",
            vec![column("session_id_v7"), Expr::int(80)],
        )],
    );
    agg(
        "fromUnixTimestamp",
        vec![agg("intDiv", vec![ms, Expr::int(1000)])],
    )
}

/// Whether `e` is a value the subquery can compute on its own: no column, alias or subquery.
fn self_contained(e: &Expr) -> bool {
    match e {
        Expr::Const(_) | Expr::Raw(_) | Expr::Timezone | Expr::Bound(_) => true,
        Expr::Call(c) => {
            c.args.iter().all(self_contained)
                && c.params
                    .as_ref()
                    .is_none_or(|p| p.iter().all(self_contained))
        }
        Expr::Template { args, .. } | Expr::Array(args) => args.iter().all(self_contained),
        _ => false,
    }
}

/// How many days a session's first event may lie from the time in its id (clock skew of
/// the client that made the id), as PostHog allows.
const ID_TIME_SLACK_DAYS: i64 = 3;

/// Conditions on the session id's time implied by the WHERE's top-level bounds on
/// `<alias>.$start_timestamp` (`>= c` gives `id_time >= c - 3 days`, `< c` gives
/// `id_time <= c + 3 days`): the scan of `raw_sessions` then skips other months' partitions
/// and the sort key's other hours. Only bounds whose value needs nothing of the outer query
/// are used; the outer WHERE still applies them exactly.
fn id_time_bounds(where_: Option<&Expr>, alias: &str) -> Vec<Expr> {
    let conjuncts: &[Expr] = match where_ {
        Some(Expr::And(items)) => items,
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    let is_start = |e: &Expr| {
        matches!(e, Expr::Column(c)
            if c.name == "$start_timestamp" && c.qualifier.as_deref() == Some(alias))
    };
    let mut out = Vec::new();
    for c in conjuncts {
        let Expr::Compare { op, left, right } = c else {
            continue;
        };
        let (lower, bound) = match (op, is_start(left), is_start(right)) {
            (CmpOp::Gt | CmpOp::GtEq, true, false) | (CmpOp::Lt | CmpOp::LtEq, false, true) => {
                (true, if is_start(left) { right } else { left })
            }
            (CmpOp::Lt | CmpOp::LtEq, true, false) | (CmpOp::Gt | CmpOp::GtEq, false, true) => {
                (false, if is_start(left) { right } else { left })
            }
            _ => continue,
        };
        if !self_contained(bound) {
            continue;
        }
        let slack = agg("toIntervalDay", vec![Expr::int(ID_TIME_SLACK_DAYS)]);
        let (op, shift) = if lower {
            (CmpOp::GtEq, "minus")
        } else {
            (CmpOp::LtEq, "plus")
        };
        out.push(Expr::Compare {
            op,
            left: Box::new(id_time()),
            right: Box::new(agg(shift, vec![(**bound).clone(), slack])),
        });
    }
    out
}

/// The lazy subquery: the requested fields, then the key, grouped by the key, narrowed by
/// the time bounds of the WHERE it is used under.
pub(crate) fn build(node: &LazyNode, where_: Option<&Expr>) -> Result<Select> {
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
        where_: match id_time_bounds(where_, &node.alias) {
            bounds if bounds.is_empty() => None,
            mut bounds if bounds.len() == 1 => bounds.pop(),
            bounds => Some(Expr::And(bounds)),
        },
        group_by: vec![column("session_id_v7")],
        ..Select::default()
    })
}
