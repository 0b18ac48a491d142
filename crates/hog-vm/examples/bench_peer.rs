//! Benchmark: our `hog run` against PostHog's `@posthog/hogvm` (Node) in the same run, on the
//! shared inputs (`../shared/bench/vm/*.hoge`, `mandelbrot.hoge`) and on the geoip
//! transformation (per event, in-process on both sides). Prints medians and ratios.
//!
//! ```text
//! cargo build --release -p hog-cli -p hog-vm --example bench_peer
//! target/release/examples/bench_peer --hog target/release/hog [--runs 5] [--rounds 200]
//! ```
//! `--only programs|ips|geoip` runs one part; `--no-peer` skips Node (for profiling ours).
//! Needs Node.js and the peers (`scripts/install-peers.sh`).

use hog_vm::{Outcome, Vm};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

fn shared() -> PathBuf {
    root().join("../shared")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_process(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let out = cmd.output().expect("spawn");
    let t = start.elapsed();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let hog = flag("--hog").unwrap_or_else(|| {
        root()
            .join("target/release/hog")
            .to_string_lossy()
            .into_owned()
    });
    let runs: usize = flag("--runs").and_then(|s| s.parse().ok()).unwrap_or(5);
    let rounds: usize = flag("--rounds").and_then(|s| s.parse().ok()).unwrap_or(200);
    let only = flag("--only");
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let no_peer = args.iter().any(|a| a == "--no-peer");
    let peers = root().join("tests/peers");
    assert!(
        peers.join("node_modules/@posthog/hogvm").is_dir(),
        "npm peers missing: run scripts/install-peers.sh"
    );
    let bench_script = peers.join("vm-bench.mjs");

    println!(
        "{:<20} {:>12} {:>12} {:>8}",
        "program", "ours (ms)", "peer (ms)", "ratio"
    );
    let programs = [
        shared().join("bench/vm/fib25.hoge"),
        shared().join("bench/vm/loop_sum_1m.hoge"),
        shared().join("conformance/posthog-vm/mandelbrot.hoge"),
        shared().join("bench/vm/string_build_50k.hoge"),
    ];
    for path in programs.iter().filter(|_| part("programs")) {
        let name = path.file_stem().unwrap().to_string_lossy();
        let mut ours = Vec::new();
        let mut peer = Vec::new();
        for _ in 0..runs {
            // `--hog` is the `hog` binary (`hog run FILE`) or this crate's `run_file` example,
            // which does the same (load, verify, run with default limits, print) without clap.
            let mut cmd = Command::new(&hog);
            if !hog.ends_with("run_file") {
                cmd.arg("run");
            }
            ours.push(time_process(cmd.arg(path)));
            if !no_peer {
                peer.push(time_process(
                    Command::new("node").arg(&bench_script).arg("run").arg(path),
                ));
            } else {
                peer.push(Duration::ZERO);
            }
        }
        let (o, p) = (median(ours), median(peer));
        println!(
            "{:<20} {:>12.1} {:>12.1} {:>7.1}x",
            name,
            o.as_secs_f64() * 1e3,
            p.as_secs_f64() * 1e3,
            p.as_secs_f64() / o.as_secs_f64()
        );
    }

    if part("ips") {
        instructions_per_second(runs);
    }
    if part("geoip") {
        geoip(rounds, &bench_script, no_peer);
    }
}

/// Instructions per second, in-process, loop_sum_1m.
fn instructions_per_second(runs: usize) {
    let text = std::fs::read_to_string(shared().join("bench/vm/loop_sum_1m.hoge")).unwrap();
    let mut best = f64::MAX;
    let mut steps = 0;
    for _ in 0..runs {
        let mut vm = Vm::load(&text).unwrap();
        vm.on_print(|_| {});
        let start = Instant::now();
        vm.run().unwrap();
        best = best.min(start.elapsed().as_secs_f64());
        steps = vm.usage().steps;
    }
    println!(
        "loop_sum_1m in-process: {steps} instructions in {:.1} ms = {:.1} M instructions/s",
        best * 1e3,
        steps as f64 / best / 1e6
    );
}

/// geoip, per event, both in-process.
fn geoip(rounds: usize, bench_script: &Path, no_peer: bool) {
    let dir = shared().join("bench/geoip");
    let bytecode = read_json(&dir.join("geoip-bytecode.json"));
    let records = read_json(&dir.join("geoip-lookup-records.json"));
    let Json::Array(globals) = read_json(&dir.join("geoip-globals.json")) else {
        panic!()
    };
    // Shared, not cloned per run (the peer passes its objects by reference too).
    let globals: Vec<std::rc::Rc<Json>> = globals.into_iter().map(std::rc::Rc::new).collect();
    let expected = read_json(&dir.join("geoip-expected.json"));
    let mut vm = Vm::from_json(bytecode).unwrap();
    let host = vm.host_functions_mut();
    // Like the peer's host: answers from the loaded records without copying them, and
    // `print` replaced by a no-op host function.
    let records: std::collections::HashMap<String, std::rc::Rc<Json>> = match records {
        Json::Object(map) => map
            .into_iter()
            .map(|(k, v)| (k, std::rc::Rc::new(v)))
            .collect(),
        _ => panic!("records must be an object"),
    };
    let null = std::rc::Rc::new(Json::Null);
    host.register_json_shared("geoipLookup", move |a| {
        Ok(a.first()
            .and_then(Json::as_str)
            .and_then(|ip| records.get(ip))
            .unwrap_or(&null)
            .clone())
    });
    host.register("print", |_| Ok(hog_vm::Value::Null));
    host.register_json("cleanNullValues", |a| {
        Ok(a.first().cloned().unwrap_or(Json::Null))
    });
    host.register_json("isKnownBotUserAgent", |_| Ok(Json::Bool(false)));
    host.register_json("isKnownBotIp", |_| Ok(Json::Bool(false)));
    host.register_json("postHogCapture", |_| {
        Err("not allowed in transformations".into())
    });
    vm.on_print(|_| {});
    let mut results = Vec::new();
    // Like the peer's loop: the result stays a VM value (converted to JSON only when kept).
    let run_all = |vm: &mut Vm, keep: bool, results: &mut Vec<Json>| {
        for g in &globals {
            vm.set_globals_shared(g.clone()).unwrap();
            match vm.run_value().unwrap() {
                Outcome::Finished(v) if keep => {
                    results.push(hog_vm::convert::value_to_json(&v).unwrap())
                }
                _ => {}
            }
        }
    };
    run_all(&mut vm, true, &mut results);
    assert_eq!(
        Json::Array(results.clone()),
        expected,
        "geoip results differ from expected"
    );
    for _ in 0..20 {
        run_all(&mut vm, false, &mut results);
    }
    let start = Instant::now();
    for _ in 0..rounds {
        run_all(&mut vm, false, &mut results);
    }
    let ours_us = start.elapsed().as_secs_f64() * 1e6 / (rounds * globals.len()) as f64;
    if no_peer {
        println!("geoip per event: ours {ours_us:.1} µs");
        return;
    }
    let out = Command::new("node")
        .arg(bench_script)
        .arg("geoip")
        .arg(&dir)
        .arg(rounds.to_string())
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peer: Json = serde_json::from_slice(&out.stdout).unwrap();
    let peer_us = peer["us_per_event"].as_f64().unwrap();
    assert_eq!(peer["results"], expected, "peer geoip results differ");
    println!(
        "geoip per event: ours {ours_us:.1} µs, peer {peer_us:.1} µs, ratio {:.1}x",
        peer_us / ours_us
    );
}
