//! The embedded ClickHouse engine for the tests that run printed SQL (`clickhouse.rs`,
//! `generated.rs`): opening it and passing a query's bound parameters.
#![allow(dead_code)]

use hog_store::{EmbeddedStore, Param, Params};
use hogql_to_clickhouse::{ClickHouseQuery, ParamValue};

/// `true` when `HOG_SKIP_CLICKHOUSE` is set (the engine cannot be fetched here).
pub fn skipped() -> bool {
    let skip = std::env::var_os("HOG_SKIP_CLICKHOUSE").is_some();
    if skip {
        eprintln!("skipped: HOG_SKIP_CLICKHOUSE is set");
    }
    skip
}

/// A fresh store in `dir` (the schema of `hog-store`, no rows).
pub fn open(dir: &std::path::Path) -> EmbeddedStore {
    EmbeddedStore::open(dir, &mut |m| eprintln!("{m}")).expect("the embedded engine opens")
}

/// The query's parameters as the store takes them.
pub fn params(q: &ClickHouseQuery) -> Params {
    q.params
        .iter()
        .map(|p| {
            let v = match &p.value {
                ParamValue::String(s) => Param::String(s.clone()),
                ParamValue::Int(i) => Param::Int(*i),
            };
            (p.name.clone(), v)
        })
        .collect()
}
