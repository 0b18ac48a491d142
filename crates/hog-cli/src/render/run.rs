//! Running one HogQL query against a store: parse, translate, bind, execute. Shared by the REPL
//! and `hog query`, so both report the same problems the same way.

use super::problem::Problem;
use hog_store::{EventStore, Param, Params, QueryResult};
use hogql_parser::ast::Query;
use hogql_to_clickhouse::{ClickHouseQuery, Context, ParamValue, translate_select};

/// A query ready to send: its tree (for checks and the LIMIT note) and its ClickHouse form.
pub struct Prepared {
    pub ast: Query,
    pub clickhouse: ClickHouseQuery,
}

impl Prepared {
    /// The parameters in the store's form.
    pub fn params(&self) -> Params {
        store_params(&self.clickhouse)
    }
}

/// Parses and translates `text`; problems carry spans into `text`.
pub fn prepare(text: &str, ctx: &Context) -> Result<Prepared, Vec<Problem>> {
    let ast = hogql_parser::parse_select(text).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| Problem::error(e.message, Some(e.span.range())).with_hints(e.hints))
            .collect::<Vec<_>>()
    })?;
    let clickhouse = translate_select(text, ctx).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| Problem::error(e.message, e.span.map(|s| s.range())).with_hints(e.hints))
            .collect::<Vec<_>>()
    })?;
    Ok(Prepared { ast, clickhouse })
}

/// The translator's parameters as the store takes them.
pub fn store_params(query: &ClickHouseQuery) -> Params {
    query
        .params
        .iter()
        .map(|p| {
            let value = match &p.value {
                ParamValue::String(s) => Param::String(s.clone()),
                ParamValue::Int(i) => Param::Int(*i),
            };
            (p.name.clone(), value)
        })
        .collect()
}

/// Translates and runs `text`, for callers without cancellation (`sql()` in Hog, `hog query`).
pub fn run(
    store: &dyn EventStore,
    text: &str,
    ctx: &Context,
) -> Result<(Prepared, QueryResult), Vec<Problem>> {
    let prepared = prepare(text, ctx)?;
    let result = store
        .query(&prepared.clickhouse.sql, &prepared.params())
        .map_err(|e| vec![Problem::error(e.to_string(), None)])?;
    Ok((prepared, result))
}

/// Whether the top-level query carries its own LIMIT (else the default LIMIT applied).
pub fn has_limit(query: &Query) -> bool {
    match query {
        Query::Select(s) => s.limit.is_some(),
        Query::SelectSet(set) => {
            has_limit(&set.initial_select_query)
                && set
                    .subsequent_select_queries
                    .iter()
                    .all(|n| has_limit(&n.select_query))
        }
    }
}

/// The note shown when the default LIMIT may have cut `rows` rows, if it applies.
pub fn limit_note(ast: &Query, rows: usize, ctx: &Context) -> Option<String> {
    let limit = ctx.limits.default_limit?;
    (!has_limit(ast) && rows as u64 >= limit).then(|| {
        format!("note: only the first {limit} rows are shown (the default LIMIT); add `LIMIT n` to see more")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_found() {
        let q = |t: &str| hogql_parser::parse_select(t).unwrap();
        assert!(has_limit(&q("select 1 limit 5")));
        assert!(!has_limit(&q("select 1")));
        assert!(!has_limit(&q("select 1 limit 1 union all select 2")));
        let ctx = Context::new(1);
        assert!(limit_note(&q("select 1"), 100, &ctx).is_some());
        assert!(limit_note(&q("select 1"), 99, &ctx).is_none());
        assert!(limit_note(&q("select 1 limit 500"), 500, &ctx).is_none());
    }

    #[test]
    fn problems_carry_spans() {
        let errors = prepare("select event from events where", &Context::new(1))
            .err()
            .unwrap();
        assert!(errors[0].span.is_some());
        let errors = prepare("select nope_fn(1) from events", &Context::new(1))
            .err()
            .unwrap();
        assert!(
            errors[0].message.to_lowercase().contains("nope_fn"),
            "{errors:?}"
        );
    }
}
