//! `hog setup [--demo] [--store DIR]`: fetch the embedded ClickHouse engine once per machine (the
//! pinned `chdb-core` wheel from PyPI, sha256-checked, into the cache directory or
//! `$HOG_ENGINE_DIR`) and check that it loads. With `--demo`, also put the demo events into the
//! store as team 1, unless that team already has events.
//!
//! Output: the engine's path on stdout (and the demo import's summary). Exit 0 when ready, 1 when
//! the engine cannot be fetched or loaded.

use crate::exit;
use hog_store::ingest::{CollectBadLines, ImportOptions};
use hog_store::{EmbeddedStore, EventStore, Param, Params, Value, demo, engine};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also create the demo store: generated events imported as team 1.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: how many events to generate.
    #[arg(long, default_value_t = 20_000, value_name = "N", requires = "demo")]
    pub events: usize,
    /// Data directory of the embedded store (default: the user's data directory, hog/store).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

/// The team the demo data belongs to.
const DEMO_TEAM: i64 = 1;

pub fn run(args: Args) -> ExitCode {
    if let Err(e) = engine::driver(&mut |m| eprintln!("{m}")) {
        eprintln!("hog setup: {e}");
        return exit::code(exit::USER_ERROR);
    }
    println!(
        "engine ready: ClickHouse {} at {}",
        engine::fetch::ENGINE_VERSION,
        engine::fetch::engine_dir()
            .join(engine::fetch::DRIVER_FILE)
            .display()
    );
    if !args.demo {
        return exit::code(exit::OK);
    }
    let dir = args
        .store
        .unwrap_or_else(hog_store::paths::default_store_dir);
    match create_demo(&dir, args.events) {
        Ok(message) => {
            println!("{message}");
            exit::code(exit::OK)
        }
        Err(e) => {
            eprintln!("hog setup: {e}");
            exit::code(exit::USER_ERROR)
        }
    }
}

/// Imports the demo events into `dir` as team 1 unless it has events already. The store is
/// closed before returning.
fn create_demo(dir: &std::path::Path, events: usize) -> Result<String, String> {
    let store = EmbeddedStore::open(dir, &mut |m| eprintln!("{m}")).map_err(|e| e.to_string())?;
    let mut params = Params::new();
    params.insert("team".into(), Param::Int(DEMO_TEAM));
    let existing = store
        .query(
            "SELECT count() FROM events WHERE team_id = %(team)s",
            &params,
        )
        .map_err(|e| e.to_string())?;
    if let Some(Value::UInt(n)) = existing.rows.first().and_then(|r| r.first())
        && *n > 0
    {
        return Ok(format!(
            "demo store {} already has {n} events in team {DEMO_TEAM}",
            dir.display()
        ));
    }
    let options = demo::DemoOptions {
        events,
        ..demo::DemoOptions::default()
    };
    store.remove_outdated_parts_on_close();
    let mut bad = CollectBadLines::default();
    let summary = hog_store::ingest::import_jsonl(
        &store,
        demo::reader(options),
        &ImportOptions {
            team_id: DEMO_TEAM,
            ..ImportOptions::default()
        },
        &mut bad,
    )
    .map_err(|e| e.to_string())?;
    if let Some(first) = bad.0.first() {
        return Err(format!("the demo generator produced a bad line: {first}"));
    }
    Ok(format!(
        "demo store {}: {} events imported into team {DEMO_TEAM}",
        dir.display(),
        summary.events
    ))
}
