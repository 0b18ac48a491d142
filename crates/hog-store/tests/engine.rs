//! Loads the real embedded engine (fetching it on first use) and runs SQL through it.

use hog_store::{EmbeddedStore, EventStore, Params, Value};

#[test]
fn engine_loads_and_answers_select_1() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), &mut |m| eprintln!("{m}")).unwrap();
    let result = store.query("SELECT 1 AS one", &Params::new()).unwrap();
    assert_eq!(result.columns, vec!["one"]);
    assert_eq!(result.types, vec!["UInt8"]);
    assert_eq!(result.rows, vec![vec![Value::UInt(1)]]);
}
