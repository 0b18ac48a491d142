//! Import benchmark: generates demo events as JSONL (or takes a file), times the import stages
//! separately (reading + parsing, + person processing) and then a whole import into a fresh
//! embedded store, printing events/s and the peak resident memory of the import.
//!
//! `cargo run -p hog-store --release --example import_bench -- [--events N] [--file F] [--store DIR]`
//!
//! * `--events N`: demo events to generate (default 500,000); ignored with `--file`.
//! * `--file F`: import this JSONL file instead (e.g. a 1 GB file, to see memory stay flat).
//! * `--store DIR`: the store directory (default: a new temporary directory, removed afterwards).
//! * `--no-stages`: only the whole import.
//! * `--no-import`: only the stages (e.g. the persons model's memory for a large file).
//! * `--batch N`: events per insert (default: the importer's).
//! * `--sessions-held N`: sessions held before they are written (default: the importer's).
//! * `--events-per-move N`: events staged before they are moved into `events` (default: the
//!   importer's).
//! * `--rss-every MS`: sample the resident set every MS milliseconds during the import and print
//!   the samples (time, RSS, events read so far), to see whether memory stays flat.

#[path = "common/cpu.rs"]
mod cpu;

use cpu::cpu_seconds;
use hog_store::ingest::capture::LineError;
use hog_store::ingest::capture::{now_micros, parse_line};
use hog_store::ingest::persons::PersonModel;
use hog_store::ingest::{CollectBadLines, ImportObserver, ImportOptions, import_jsonl};
use hog_store::{EmbeddedStore, EventStore};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The allocator of the `hog` binary, so the figures are those of `hog import`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    events: usize,
    file: Option<PathBuf>,
    store: Option<PathBuf>,
    stages: bool,
    import: bool,
    batch: usize,
    sessions_held: usize,
    events_per_move: usize,
    rss_every: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        events: 500_000,
        file: None,
        store: None,
        stages: true,
        import: true,
        batch: ImportOptions::default().batch_size,
        sessions_held: ImportOptions::default().sessions_held,
        events_per_move: ImportOptions::default().events_per_move,
        rss_every: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--events" => {
                args.events = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--events needs a number")?
            }
            "--file" => args.file = Some(it.next().ok_or("--file needs a path")?.into()),
            "--store" => args.store = Some(it.next().ok_or("--store needs a path")?.into()),
            "--no-stages" => args.stages = false,
            "--no-import" => args.import = false,
            "--batch" => {
                args.batch = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--batch needs a number")?
            }
            "--sessions-held" => {
                args.sessions_held = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--sessions-held needs a number")?
            }
            "--events-per-move" => {
                args.events_per_move = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--events-per-move needs a number")?
            }
            "--rss-every" => {
                args.rss_every = Some(
                    it.next()
                        .and_then(|v| v.parse().ok())
                        .ok_or("--rss-every needs milliseconds")?,
                )
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// A field of `/proc/self/status` in kB (`VmHWM` = peak resident set, `VmRSS` = current).
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets the peak resident set to the current one (Linux: `5` in `clear_refs`).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn open_input(path: &PathBuf) -> BufReader<std::fs::File> {
    BufReader::with_capacity(1 << 20, std::fs::File::open(path).expect("input opens"))
}

fn rate(events: u64, seconds: f64) -> String {
    format!(
        "{events} events in {seconds:.2}s = {:.0} events/s",
        events as f64 / seconds
    )
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("import_bench: {e}");
            std::process::exit(2);
        }
    };
    let temp = tempfile::tempdir().expect("temporary directory");
    let file = match &args.file {
        Some(file) => file.clone(),
        None => {
            let file = temp.path().join("events.jsonl");
            let started = Instant::now();
            let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
            let options = hog_store::demo::DemoOptions {
                events: args.events,
                ..Default::default()
            };
            for line in hog_store::demo::events(options) {
                out.write_all(line.as_bytes()).unwrap();
                out.write_all(b"\n").unwrap();
            }
            out.flush().unwrap();
            println!(
                "generate: {}",
                rate(args.events as u64, started.elapsed().as_secs_f64())
            );
            file
        }
    };
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("input: {} ({:.1} MB)", file.display(), bytes as f64 / 1e6);

    if args.stages {
        let now = now_micros();
        for with_persons in [false, true] {
            let rss_before_model = status_kb("VmRSS").unwrap_or(0);
            let started = Instant::now();
            let mut model = PersonModel::new(1);
            let mut events = 0u64;
            for line in open_input(&file).lines() {
                let line = line.expect("input reads");
                if let Ok(mut event) = parse_line(&line, now) {
                    if with_persons {
                        let _ = std::hint::black_box(model.process(&mut event));
                    }
                    std::hint::black_box(&event);
                    events += 1;
                    // The importer takes the changed rows at every batch; so does this stage,
                    // so the model holds what it holds during an import.
                    if with_persons && events.is_multiple_of(args.batch as u64) {
                        std::hint::black_box(model.take_writes());
                    }
                }
            }
            let stage = if with_persons {
                "read+parse+persons"
            } else {
                "read+parse"
            };
            println!(
                "stage {stage}: {}",
                rate(events, started.elapsed().as_secs_f64())
            );
            if with_persons {
                // The persons model of the whole input is alive here (the engine is not
                // loaded yet): what person processing holds by the end of an import.
                let rss = status_kb("VmRSS").unwrap_or(0);
                let persons = model.person_count();
                let grown = rss.saturating_sub(rss_before_model) * 1024;
                println!(
                    "memory with the persons of the whole input: {:.0} MB resident ({persons} \
                     persons; the stage grew it by {:.1} MB = {} bytes/person)",
                    rss as f64 / 1024.0,
                    grown as f64 / 1e6,
                    grown / persons.max(1) as u64
                );
            }
        }
    }

    if !args.import {
        return;
    }
    let store_dir = args
        .store
        .clone()
        .unwrap_or_else(|| temp.path().join("store"));
    let started = Instant::now();
    let store = EmbeddedStore::open(&store_dir, &mut |m| eprintln!("{m}")).expect("store opens");
    println!(
        "open store: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let rss_before = status_kb("VmRSS").unwrap_or(0);
    reset_peak();
    let events_read = Arc::new(AtomicU64::new(0));
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let sampler = args.rss_every.map(|ms| {
        sample_rss(
            Duration::from_millis(ms),
            events_read.clone(),
            stop_sampling.clone(),
            store.clone(),
        )
    });
    let mut observer = Sampler {
        bad: CollectBadLines::default(),
        events: events_read,
    };
    let cpu_process = cpu_seconds("/proc/self/stat");
    let cpu_main = cpu_seconds("/proc/thread-self/stat");
    let started = Instant::now();
    let summary = import_jsonl(
        &store,
        open_input(&file),
        &ImportOptions {
            batch_size: args.batch,
            sessions_held: args.sessions_held,
            events_per_move: args.events_per_move,
            ..ImportOptions::default()
        },
        &mut observer,
    )
    .expect("import succeeds");
    let seconds = started.elapsed().as_secs_f64();
    stop_sampling.store(true, Ordering::Relaxed);
    let samples = sampler
        .map(|s| s.join().expect("sampler"))
        .unwrap_or_default();
    let cpu_process = cpu_seconds("/proc/self/stat") - cpu_process;
    let cpu_main = cpu_seconds("/proc/thread-self/stat") - cpu_main;
    let peak = status_kb("VmHWM").unwrap_or(0);
    println!(
        "import: {} ({:.1} MB/s), {} bad lines, {} person rows, {} distinct-id rows",
        rate(summary.events, seconds),
        bytes as f64 / 1e6 / seconds,
        summary.bad_lines,
        summary.person_rows,
        summary.distinct_id_rows
    );
    let per_event = |cpu: f64| cpu * 1e6 / summary.events.max(1) as f64;
    println!(
        "cpu: {:.1} µs/event in all ({:.2}s), {:.1} µs/event reading and processing (main thread), \
         {:.1} µs/event inserting (writer thread and engine)",
        per_event(cpu_process),
        cpu_process,
        per_event(cpu_main),
        per_event(cpu_process - cpu_main),
    );
    println!(
        "memory: {:.0} MB resident before the import, {:.0} MB peak during it",
        rss_before as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    if !samples.is_empty() {
        println!("rss over time (seconds, MB resident, MB the engine tracks, events read):");
        for sample in &samples {
            println!(
                "  {:6.2} {:6.0} {:6.0} {}",
                sample.seconds,
                sample.rss_kb as f64 / 1024.0,
                sample.engine_bytes as f64 / 1048576.0,
                sample.events
            );
        }
    }
    drop(store);
}

/// Collects bad lines and publishes the events read so far for the RSS sampler.
struct Sampler {
    bad: CollectBadLines,
    events: Arc<AtomicU64>,
}

impl ImportObserver for Sampler {
    fn bad_line(&mut self, error: &LineError) {
        self.bad.bad_line(error);
    }

    fn progress(&mut self, _bytes: u64, events: u64) {
        self.events.store(events, Ordering::Relaxed);
    }
}

/// One sample of [`sample_rss`].
struct Sample {
    seconds: f64,
    rss_kb: u64,
    /// What the engine's memory tracker counts as allocated (`MemoryTracking`).
    engine_bytes: i64,
    events: u64,
}

/// The engine's own count of the memory it has allocated.
fn engine_memory(store: &EmbeddedStore) -> i64 {
    let rows = store.query(
        "SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'",
        &hog_store::Params::new(),
    );
    let first = rows
        .ok()
        .and_then(|r| r.rows.into_iter().next())
        .and_then(|row| row.into_iter().next());
    match first {
        Some(hog_store::Value::Int(v)) => v,
        Some(hog_store::Value::UInt(v)) => i64::try_from(v).unwrap_or(i64::MAX),
        _ => -1,
    }
}

/// Samples the resident set every `every` on a thread of its own (the reading thread may
/// wait for the writer) until `stop` is set: (seconds, kB, events read).
fn sample_rss(
    every: Duration,
    events: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    store: EmbeddedStore,
) -> std::thread::JoinHandle<Vec<Sample>> {
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut samples = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            samples.push(Sample {
                seconds: started.elapsed().as_secs_f64(),
                rss_kb: status_kb("VmRSS").unwrap_or(0),
                engine_bytes: engine_memory(&store),
                events: events.load(Ordering::Relaxed),
            });
            std::thread::sleep(every);
        }
        samples
    })
}
