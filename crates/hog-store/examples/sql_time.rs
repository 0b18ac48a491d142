//! Times raw SQL statements on an embedded store: each statement `--runs` times, wall and
//! process CPU per run, so the cost of one expression (JSON extraction, decompression, a
//! setting) can be told apart from the rest of a `hog query` process.
//!
//! `cargo run -p hog-store --release --example sql_time -- --store DIR [--runs N] [--tidy] SQL...`
//! (`--tidy`: remove the outdated parts the statements leave, as write commands do).

#[path = "common/cpu.rs"]
mod cpu;

use hog_store::{EmbeddedStore, EventStore, Params};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut store_dir: Option<PathBuf> = None;
    let mut runs = 3;
    let mut statements = Vec::new();
    let mut tidy = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--store" => store_dir = args.next().map(PathBuf::from),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(3),
            "--tidy" => tidy = true,
            _ => statements.push(arg),
        }
    }
    let Some(store_dir) = store_dir else {
        eprintln!("sql_time: --store DIR is required");
        std::process::exit(2);
    };
    let cpu = || cpu::cpu_seconds("/proc/self/stat");
    let store = EmbeddedStore::open(&store_dir, &mut |m| eprintln!("{m}")).expect("store opens");
    if tidy {
        store.remove_outdated_parts_on_close();
    }
    for sql in &statements {
        let mut walls = Vec::new();
        let mut cpus = Vec::new();
        let mut shown = String::new();
        for _ in 0..runs {
            let (started, before) = (Instant::now(), cpu());
            match store.query(sql, &Params::new()) {
                Ok(result) => {
                    shown = format!("{} rows", result.rows.len());
                    for row in result.rows.iter().take(40) {
                        shown.push_str(&format!("\n  {row:?}"));
                    }
                }
                Err(e) => shown = format!("error: {e}"),
            }
            walls.push(started.elapsed().as_secs_f64() * 1e3);
            cpus.push((cpu() - before) * 1e3);
        }
        let list = |v: &[f64]| {
            v.iter()
                .map(|x| format!("{x:.0}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        println!(
            "{sql}\n  wall ms: {}  CPU ms: {}\n  {shown}",
            list(&walls),
            list(&cpus)
        );
    }
}
