//! Throughput of the lexer and the parser on `../shared/bench/parser/{queries.jsonl,program_5k.hog}`,
//! and the ratio to PostHog's own parser measured in the same run.
//! Run: `cargo bench -p hogql-parser` (set HOG_BENCH_NO_PEER=1 to skip the peer).

use hogql_parser::lexer::{Entry, Lexer};
use std::path::Path;
use std::time::{Duration, Instant};

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// Runs `f` repeatedly for at least `min` and returns the time per run.
fn time(min: Duration, mut f: impl FnMut()) -> Duration {
    f();
    let start = Instant::now();
    let mut runs = 0u32;
    while start.elapsed() < min || runs < 3 {
        f();
        runs += 1;
    }
    start.elapsed() / runs
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
    let min = Duration::from_secs(2);

    let lex_q = time(min, || {
        for q in &queries {
            std::hint::black_box(Lexer::new(q, Entry::Select).count());
        }
    });
    let parse_q = time(min, || {
        for q in &queries {
            std::hint::black_box(hogql_parser::parse_select(q).is_ok());
        }
    });
    let lex_p = time(min, || {
        std::hint::black_box(Lexer::new(&program, Entry::Program).count());
    });
    let parse_p = time(min, || {
        std::hint::black_box(hogql_parser::parse_program(&program).is_ok());
    });
    println!(
        "queries.jsonl  {:>8} bytes  lex {:>8.1} MB/s  parse {:>8.1} MB/s",
        q_bytes,
        mbps(q_bytes, lex_q),
        mbps(q_bytes, parse_q)
    );
    println!(
        "program_5k.hog {:>8} bytes  lex {:>8.1} MB/s  parse {:>8.1} MB/s",
        program.len(),
        mbps(program.len(), lex_p),
        mbps(program.len(), parse_p)
    );
    let total = q_bytes + program.len();
    let ours = mbps(total, parse_q + parse_p);
    println!(
        "all inputs     {:>8} bytes  parse {:>8.1} MB/s (lexing included)",
        total, ours
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
            let secs = v["seconds"].as_f64().unwrap_or(f64::INFINITY);
            let peer = bytes / 1e6 / secs;
            println!(
                "peer (@posthog/hogql-parser, 50 queries + program): {peer:.4} MB/s; ours/peer = {:.0}x",
                ours / peer
            );
        }
        _ => println!("peer not measured: run scripts/install-peers.sh (needs node)"),
    }
}
