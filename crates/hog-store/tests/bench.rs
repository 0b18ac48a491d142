//! Benchmarks, run on demand (they are slow in a debug build):
//! `HOG_BENCH=1 cargo test -p hog-store --release --test bench -- --nocapture`.
//! Without `HOG_BENCH` the tests return at once. Sizes: `HOG_BENCH_EVENTS` (default 500,000).
//!
//! * import: the demo generator writes JSONL to a file, then the importer reads it end to end
//!   (parse, person processing, Arrow batches, bulk insert); events/s over wall time.
//! * group-by: a property group-by over all imported events, as HogQL prints it.

use hog_store::ingest::{CollectBadLines, ImportOptions, import_jsonl};
use hog_store::{EmbeddedStore, EventStore, Param, Params};
use std::io::Write;
use std::time::Instant;

fn enabled() -> bool {
    std::env::var_os("HOG_BENCH").is_some()
}

#[test]
fn import_and_group_by() {
    if !enabled() {
        return;
    }
    let events: usize = std::env::var("HOG_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500_000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let started = Instant::now();
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        for line in hog_store::demo::events(hog_store::demo::DemoOptions {
            events,
            ..Default::default()
        }) {
            out.write_all(line.as_bytes()).unwrap();
            out.write_all(b"\n").unwrap();
        }
    }
    let bytes = std::fs::metadata(&file).unwrap().len();
    eprintln!(
        "generated {events} events ({:.1} MB) in {:.2}s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let store = EmbeddedStore::open(&dir.path().join("store"), &mut |m| eprintln!("{m}")).unwrap();
    let started = Instant::now();
    let input = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&file).unwrap());
    let mut bad = CollectBadLines::default();
    let summary = import_jsonl(&store, input, &ImportOptions::default(), &mut bad).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(summary.events as usize, events);
    eprintln!(
        "import: {events} events in {seconds:.2}s = {:.0} events/s ({:.1} MB/s), {} person rows",
        events as f64 / seconds,
        bytes as f64 / 1e6 / seconds,
        summary.person_rows
    );

    let mut params = Params::new();
    params.insert("team".into(), Param::Int(1));
    params.insert("key".into(), Param::from("$browser"));
    let sql = "SELECT replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(events.properties, %(key)s), ''), 'null'), '^\"|\"$', '') AS browser, \
               count() AS c FROM events WHERE equals(events.team_id, %(team)s) GROUP BY browser ORDER BY c DESC LIMIT 100";
    for run in 0..3 {
        let started = Instant::now();
        let result = store.query(sql, &params).unwrap();
        eprintln!(
            "group-by run {run}: {} rows in {:.1} ms",
            result.rows.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}
