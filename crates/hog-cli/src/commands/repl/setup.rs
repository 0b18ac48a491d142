//! Getting a store ready before the first prompt: open (and on first use fetch the engine),
//! and for `--demo` import the generated demo events once.

use crate::options::{self, SharedStore, StoreArgs};
use hog_store::demo::{self, DemoOptions};
use hog_store::ingest::capture::LineError;
use hog_store::ingest::{ImportObserver, ImportOptions, import_jsonl};
use hog_store::materialize::{PropertySource, materialize_property};
use hog_store::{EmbeddedStore, EventStore, Params};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Written into the demo store once its data is complete; its absence means "import again".
const DEMO_MARKER: &str = "hog-demo-complete";

/// Tables emptied before a demo import, so an interrupted earlier import leaves no duplicates.
const DEMO_TABLES: &[&str] = &[
    "events",
    "person",
    "person_distinct_id2",
    "person_distinct_id_overrides",
    "groups",
    "hog_group_type_mapping",
    "raw_sessions",
];

/// The demo store's directory: `demo` beside the default store (`~/.local/share/hog/demo`).
pub fn demo_dir() -> PathBuf {
    hog_store::paths::default_store_dir().with_file_name("demo")
}

/// The store the flags name; with `demo`, the demo store, whose data is imported on its first
/// run (`hog repl --demo`, `hog query --demo`).
pub fn open(store: &StoreArgs, demo: bool) -> Result<SharedStore, String> {
    if demo {
        let store = options::open_embedded(&demo_dir())?;
        ensure_demo(&store)?;
        return Ok(Arc::new(store));
    }
    store.open(&store.embedded_dir(hog_store::paths::default_store_dir))
}

/// Imports the demo events into `store` (team 1) unless an earlier run finished doing so.
pub fn ensure_demo(store: &EmbeddedStore) -> Result<(), String> {
    let marker = store.dir().join(DEMO_MARKER);
    if marker.is_file() {
        return Ok(());
    }
    let options = DemoOptions::default();
    eprintln!(
        "first run: importing {} demo events into {} ...",
        options.events,
        store.dir().display()
    );
    for table in DEMO_TABLES {
        store
            .execute(&format!("TRUNCATE TABLE IF EXISTS {table}"), &Params::new())
            .map_err(|e| format!("cannot reset the demo store: {e}"))?;
    }
    store.remove_outdated_parts_on_close();
    // Before the import, so the rows compute their columns as they are inserted.
    for key in demo::HOT_PROPERTIES {
        materialize_property(store, PropertySource::Event, key)
            .map_err(|e| format!("cannot materialise {key} in the demo store: {e}"))?;
    }
    let mut observer = Reporter {
        shown: 0,
        color: false,
    };
    let summary = import_jsonl(
        store,
        demo::reader(options),
        &ImportOptions::default(),
        &mut observer,
    )
    .map_err(|e| format!("cannot import the demo events: {e}"))?;
    std::fs::write(&marker, format!("{} events\n", summary.events))
        .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    eprintln!(
        "imported {} events ({} persons) in {:.1} s",
        summary.events, summary.person_rows, summary.seconds
    );
    Ok(())
}

/// `\import FILE`: PostHog capture-format JSONL into `team_id`. Returns a one-line summary.
pub fn import_file(
    store: &dyn EventStore,
    path: &Path,
    team_id: i64,
    color: bool,
) -> Result<String, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let options = ImportOptions {
        team_id,
        ..ImportOptions::default()
    };
    let mut observer = Reporter { shown: 0, color };
    // As `hog import` does: the import's merges leave outdated parts that every later open
    // would otherwise load.
    store.remove_outdated_parts_on_close();
    let summary = import_jsonl(store, BufReader::new(file), &options, &mut observer)
        .map_err(|e| format!("cannot import {}: {e}", path.display()))?;
    let mut text = format!(
        "imported {} events into team {team_id} in {:.2} s",
        summary.events, summary.seconds
    );
    if summary.bad_lines > 0 {
        text.push_str(&format!(" ({} bad lines skipped)", summary.bad_lines));
    }
    Ok(text)
}

/// Shows the first few bad lines of an import, then only counts them.
struct Reporter {
    shown: u32,
    color: bool,
}

impl ImportObserver for Reporter {
    fn bad_line(&mut self, error: &LineError) {
        self.shown += 1;
        if self.shown <= 5 {
            if self.color {
                eprintln!("\x1b[1;33mwarning\x1b[0m: skipped {error}");
            } else {
                eprintln!("warning: skipped {error}");
            }
        }
    }
}
