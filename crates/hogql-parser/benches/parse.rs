//! Throughput of the lexer and the parser on `../shared/bench/parser/{queries.jsonl,program_5k.hog}`,
//! and the ratio to PostHog's own parser measured in the same run.
//!
//! Run: `cargo bench -p hogql-parser` (set HOG_BENCH_NO_PEER=1 to skip the peer). A stage name as
//! argument (`lex-queries`, `parse-queries`, `lex-program`, `parse-program`, and `lr-queries`,
//! `lr-program` for the LR parser alone) runs only that stage
//! for 10 s, which is what a profiler wants (`perf record … parse-… parse-queries`).

use hogql_parser::lexer::{Entry, Lexer};
use std::path::Path;
use std::time::{Duration, Instant};

/// The `hog` binary's allocator (see hog-cli's main.rs), so the figures are what `hog` gets.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

#[path = "../../../benches/thread_cpu.rs"]
mod thread_cpu;
use thread_cpu::cpu_time;

/// Runs `f` repeatedly for at least `min` of CPU time and returns the CPU time per run
/// (wall-clock time where CPU time is not available).
fn time(min: Duration, mut f: impl FnMut()) -> Duration {
    f();
    let clock = || cpu_time().unwrap_or_else(|| START.with(|s| s.elapsed()));
    let start = clock();
    let mut runs = 0u32;
    while clock() - start < min || runs < 3 {
        f();
        runs += 1;
    }
    (clock() - start) / runs
}

thread_local! {
    static START: Instant = Instant::now();
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/parser");
    let queries: Vec<String> = std::fs::read_to_string(dir.join("queries.jsonl"))
        .expect("queries.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON string per line"))
        .collect();
    let program = std::fs::read_to_string(dir.join("program_5k.hog")).expect("program_5k.hog");
    let q_bytes: usize = queries.iter().map(String::len).sum();

    // Every query and the program must parse, or the numbers would measure error paths.
    let failing = queries
        .iter()
        .filter(|q| hogql_parser::parse_select(q).is_err())
        .count();
    let program_ok = hogql_parser::parse_program(&program).is_ok();

    let lex_q = || {
        for q in &queries {
            std::hint::black_box(Lexer::new(q, Entry::Select).count());
        }
    };
    let parse_q = || {
        for q in &queries {
            std::hint::black_box(hogql_parser::parse_select(q).is_ok());
        }
    };
    let lex_p = || {
        std::hint::black_box(Lexer::new(&program, Entry::Program).count());
    };
    let parse_p = || {
        std::hint::black_box(hogql_parser::parse_program(&program).is_ok());
    };
    // The LR parser alone (what `parse_*` falls back to), for comparison in the same run.
    let lr_q = || {
        for q in &queries {
            std::hint::black_box(hogql_parser::testing::lr_only(q, Entry::Select).is_ok());
        }
    };
    let lr_p = || {
        std::hint::black_box(hogql_parser::testing::lr_only(&program, Entry::Program).is_ok());
    };

    // `cargo bench` passes `--bench`; a stage name (and optionally a run count, default 20)
    // runs only that stage a fixed number of times, so that `perf stat` counts comparable work.
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
    if let Some(stage) = args.next() {
        let runs: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
        let (bytes, mut f): (usize, Box<dyn FnMut()>) = match stage.as_str() {
            "lex-queries" => (q_bytes, Box::new(lex_q)),
            "parse-queries" => (q_bytes, Box::new(parse_q)),
            "lex-program" => (program.len(), Box::new(lex_p)),
            "parse-program" => (program.len(), Box::new(parse_p)),
            "lr-queries" => (q_bytes, Box::new(lr_q)),
            "lr-program" => (program.len(), Box::new(lr_p)),
            other => panic!("unknown stage {other:?}"),
        };
        let (wall, cpu) = (Instant::now(), cpu_time());
        for _ in 0..runs {
            f();
        }
        let d = wall.elapsed() / runs;
        let cpu = cpu.zip(cpu_time()).map(|(a, b)| (b - a) / runs);
        println!(
            "{stage}: {:.1} MB/s wall, {} CPU",
            mbps(bytes, d),
            cpu.map_or("?".to_string(), |c| format!("{:.1} MB/s", mbps(bytes, c)))
        );
        return;
    }

    // Rates below are per CPU second of this thread (see `cpu_time`).
    let min = Duration::from_secs(2);
    let lex_q = time(min, lex_q);
    let parse_q = time(min, parse_q);
    let lex_p = time(min, lex_p);
    let parse_p = time(min, parse_p);
    println!(
        "queries.jsonl  {:>8} bytes  lex {:>8.1} MB/s  parse {:>8.1} MB/s (lexing included; {} of {} queries fail)",
        q_bytes,
        mbps(q_bytes, lex_q),
        mbps(q_bytes, parse_q),
        failing,
        queries.len()
    );
    println!(
        "program_5k.hog {:>8} bytes  lex {:>8.1} MB/s  parse {:>8.1} MB/s (lexing included; parses: {})",
        program.len(),
        mbps(program.len(), lex_p),
        mbps(program.len(), parse_p),
        program_ok
    );
    let total = q_bytes + program.len();
    let ours = mbps(total, parse_q + parse_p);
    println!(
        "all inputs     {:>8} bytes  parse {:>8.1} MB/s (lexing included)",
        total, ours
    );
    let lr_q = time(min, lr_q);
    let lr_p = time(min, lr_p);
    println!(
        "LR parser alone (the fallback, for comparison): queries {:.1} MB/s, program {:.1} MB/s",
        mbps(q_bytes, lr_q),
        mbps(program.len(), lr_p)
    );

    if std::env::var("HOG_BENCH_NO_PEER").is_ok() {
        return;
    }
    let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers");
    let out = std::process::Command::new("node")
        .arg("parser-bench.mjs")
        .arg(dir.join("queries.jsonl"))
        .arg(dir.join("program_5k.hog"))
        .arg("50")
        .current_dir(&peers)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
            let bytes = v["bytes"].as_f64().unwrap_or(0.0);
            // CPU time like ours where the script reports it.
            let secs = v["cpu_seconds"]
                .as_f64()
                .or_else(|| v["seconds"].as_f64())
                .unwrap_or(f64::INFINITY);
            let peer = bytes / 1e6 / secs;
            println!(
                "peer (@posthog/hogql-parser, 50 queries + program, CPU time): {peer:.4} MB/s; ours/peer = {:.0}x",
                ours / peer
            );
        }
        _ => println!("peer not measured: run scripts/install-peers.sh (needs node)"),
    }
}
