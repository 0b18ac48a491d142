//! `EmbeddedStore::remove_outdated_parts_on_close`: after merges, the outdated parts' directories
//! go and the data reads back the same (its own test process: it closes the store).

use hog_store::ingest::{CollectBadLines, ImportOptions, import_jsonl};
use hog_store::{EmbeddedStore, EventStore, Params, Value};
use std::path::PathBuf;

const TOTALS: &str = "SELECT (SELECT count() FROM events), (SELECT sum(cityHash64(uuid, properties, person_id)) FROM events), \
     (SELECT sum(pageview_count) FROM raw_sessions), (SELECT count() FROM person), (SELECT count() FROM person_distinct_id2)";

fn paths(store: &EmbeddedStore, active: u8) -> Vec<PathBuf> {
    store
        .query(
            &format!(
                "SELECT path FROM system.parts WHERE database = currentDatabase() AND active = {active}"
            ),
            &Params::new(),
        )
        .unwrap()
        .rows
        .iter()
        .map(|row| PathBuf::from(row[0].to_text()))
        .collect()
}

#[test]
fn outdated_parts_are_removed_and_the_data_stays() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), &mut |_| {}).unwrap();
    let lines: Vec<String> = hog_store::demo::events(hog_store::demo::DemoOptions {
        events: 3_000,
        ..Default::default()
    })
    .collect();
    let options = ImportOptions {
        batch_size: 400,
        ..ImportOptions::default()
    };
    let mut bad = CollectBadLines::default();
    import_jsonl(&store, lines.join("\n").as_bytes(), &options, &mut bad).unwrap();
    for table in ["events", "raw_sessions", "person", "person_distinct_id2"] {
        store
            .execute(&format!("OPTIMIZE TABLE {table} FINAL"), &Params::new())
            .unwrap();
    }
    let totals = store.query(TOTALS, &Params::new()).unwrap().rows;
    let outdated = paths(&store, 0);
    let active = paths(&store, 1);
    assert!(outdated.len() >= 8, "{outdated:?}");
    assert!(outdated.iter().all(|p| p.is_dir()));

    // Another handle closing first leaves everything for the last one.
    let other = store.clone();
    store.remove_outdated_parts_on_close();
    drop(other);
    assert!(outdated.iter().all(|p| p.is_dir()));
    drop(store);
    assert!(outdated.iter().all(|p| !p.exists()), "{outdated:?}");
    assert!(active.iter().all(|p| p.is_dir()), "{active:?}");
    // The detached `rm -rf` empties the trash.
    let trash = dir.path().join("hog-trash");
    let waited = std::time::Instant::now();
    while trash.exists() && waited.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!trash.exists());

    let store = EmbeddedStore::open(dir.path(), &mut |_| {}).unwrap();
    assert_eq!(store.query(TOTALS, &Params::new()).unwrap().rows, totals);
    assert_eq!(
        store
            .query(
                "SELECT count() FROM system.parts WHERE database = currentDatabase() AND active = 0",
                &Params::new()
            )
            .unwrap()
            .rows[0][0],
        Value::UInt(0)
    );
    drop(store);
}
