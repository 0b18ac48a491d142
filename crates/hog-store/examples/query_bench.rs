//! Where the time of a one-query process goes: loading the engine, opening the store (engine
//! start, schema check), running a property group-by as HogQL prints it (and its parts), closing.
//!
//! With `--materialize` it first gives `$browser` its column (timed), and whenever the store has
//! that column the same group-by also runs on it (`events.mat_$browser`, what `hog query` prints
//! then), after listing the materialised columns as `hog query` does.
//!
//! `cargo run -p hog-store --release --example query_bench -- --store DIR [--runs N] [--materialize]`
//! (the store should hold events, e.g. from `import_bench --store DIR`). Run the binary under
//! `time` for the whole process, exec and dynamic loading included.

#[path = "common/cpu.rs"]
mod cpu;

use hog_store::materialize::{PropertySource, materialize_property, materialized_properties};
use hog_store::{EmbeddedStore, EventStore, Param, Params};
use std::path::PathBuf;
use std::time::Instant;

/// What `properties.$browser` prints as, grouped and counted, as `hog query` runs it.
const GROUP_BY: &str = "SELECT replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(events.properties, %(key)s), ''), 'null'), '^\"|\"$', '') AS browser, \
     count() AS c FROM events WHERE equals(events.team_id, %(team)s) GROUP BY browser ORDER BY c DESC LIMIT 100";

/// The same on the materialised column (nullable: printed bare).
const GROUP_BY_MATERIALIZED: &str = "SELECT events.`mat_$browser` AS browser, \
     count() AS c FROM events WHERE equals(events.team_id, %(team)s) GROUP BY browser ORDER BY c DESC LIMIT 100";

/// CPU seconds (user + system) of the whole process so far.
fn cpu_seconds() -> f64 {
    cpu::cpu_seconds("/proc/self/stat")
}

/// Wall time since `started` and the process's CPU time since `cpu` (all threads).
fn ms(started: Instant, cpu: f64) -> String {
    format!(
        "{:.1} ms wall, {:.0} ms CPU",
        started.elapsed().as_secs_f64() * 1e3,
        (cpu_seconds() - cpu) * 1e3
    )
}

fn main() {
    let process = Instant::now();
    let mut store_dir: Option<PathBuf> = None;
    let mut runs = 1;
    let mut materialize = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--store" => store_dir = args.next().map(PathBuf::from),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(1),
            "--materialize" => materialize = true,
            other => {
                eprintln!("query_bench: unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let Some(store_dir) = store_dir else {
        eprintln!("query_bench: --store DIR is required");
        std::process::exit(2);
    };

    let (started, cpu) = (Instant::now(), cpu_seconds());
    hog_store::engine::driver(&mut |m| eprintln!("{m}")).expect("engine loads");
    println!("load engine: {}", ms(started, cpu));
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let store = EmbeddedStore::open(&store_dir, &mut |m| eprintln!("{m}")).expect("store opens");
    println!(
        "open store (engine start, schema check): {}",
        ms(started, cpu)
    );

    let mut params = Params::new();
    params.insert("team".into(), Param::Int(1));
    params.insert("key".into(), Param::from("$browser"));
    for run in 0..runs {
        let (started, cpu) = (Instant::now(), cpu_seconds());
        let result = store.query(GROUP_BY, &params).expect("group-by runs");
        println!(
            "group-by run {run}: {} rows in {}",
            result.rows.len(),
            ms(started, cpu)
        );
    }
    if materialize {
        let (started, cpu) = (Instant::now(), cpu_seconds());
        materialize_property(&store, PropertySource::Event, "$browser").expect("materialises");
        println!("materialise $browser: {}", ms(started, cpu));
    }
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let columns = materialized_properties(&store).expect("lists the materialised columns");
    println!(
        "list materialised columns ({}): {}",
        columns.len(),
        ms(started, cpu)
    );
    if columns.iter().any(|c| c.column == "mat_$browser") {
        for run in 0..runs {
            let (started, cpu) = (Instant::now(), cpu_seconds());
            let result = store
                .query(GROUP_BY_MATERIALIZED, &params)
                .expect("materialised group-by runs");
            println!(
                "materialised group-by run {run}: {} rows in {}",
                result.rows.len(),
                ms(started, cpu)
            );
        }
    }
    let (started, cpu) = (Instant::now(), cpu_seconds());
    drop(store);
    println!("close: {}", ms(started, cpu));
    println!("main, start to end: {}", ms(process, 0.0));
}
