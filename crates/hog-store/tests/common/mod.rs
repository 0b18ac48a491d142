//! Shared by the integration tests: one embedded store directory per test process (the engine
//! serves one data directory per process), in a temporary directory.
//! Tests isolate their data by team id.
#![allow(dead_code)]

use hog_store::{EmbeddedStore, EventStore, Param, Params, Value};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};

/// A handle on this process's store. Hold it for the whole test: the engine database closes when
/// the last handle drops (and reopens on the next call), so when the last test ends nothing is
/// left open at process exit, where the engine's static destructors would race its background
/// threads.
pub fn store() -> EmbeddedStore {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory"));
    EmbeddedStore::open(dir.path(), &mut |m| eprintln!("{m}")).expect("the embedded store opens")
}

/// A team id no other test in this process uses.
pub fn fresh_team() -> i64 {
    static NEXT: AtomicI64 = AtomicI64::new(1000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

pub fn team_params(team: i64) -> Params {
    let mut params = Params::new();
    params.insert("team".into(), Param::Int(team));
    params
}

/// The single value of a one-row, one-column query.
pub fn scalar(store: &dyn EventStore, sql: &str, params: &Params) -> Value {
    let result = store
        .query(sql, params)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(result.rows.len(), 1, "{sql}: {:?}", result.rows);
    result.rows[0][0].clone()
}
pub mod sessions;
