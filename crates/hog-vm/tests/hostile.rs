//! Hostile programs under the default limits: each stops with a clean error within seconds and
//! the whole process stays under 200 MB of resident memory (the 64 MiB budget really holds).
//! One test in its own binary, so the peak RSS measured is this test's.

mod common;

use common::*;
use hog_vm::{LimitExceeded, Limits, VmError};
use std::time::{Duration, Instant};

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn hostile_programs_stop_cleanly() {
    let cases: Vec<(&str, String)> = vec![
        ("endless loop", ENDLESS.to_owned()),
        ("unbounded recursion", RECURSE_FOREVER.to_owned()),
        ("string doubling", STRING_DOUBLING.to_owned()),
        (
            "array containing itself over and over",
            SELF_ARRAYS.to_owned(),
        ),
        ("dict growing by key", GROWING_DICT.to_owned()),
        ("arrays nested a million deep", nested(1_000_000)),
    ];
    for (name, program) in cases {
        let start = Instant::now();
        let (_, result, vm) = run_with(&program, Limits::default());
        let elapsed = start.elapsed();
        let err = result.expect_err(name);
        assert!(
            matches!(err, VmError::Limit(_)),
            "{name}: expected a limit error, got {err}"
        );
        // Release builds stop within the 5 s default; unoptimised test builds on a shared
        // machine get more room (the step and memory limits are what stop these programs).
        let bound = if cfg!(debug_assertions) { 60 } else { 8 };
        assert!(
            elapsed < Duration::from_secs(bound),
            "{name}: took {elapsed:?}"
        );
        assert!(
            vm.usage().peak_memory <= 64 << 20,
            "{name}: {:?}",
            vm.usage()
        );
        eprintln!("{name}: {err} ({elapsed:?}, {:?})", vm.usage());
        drop(vm);
    }
    // A self-containing array prints its cycle as null.
    let (lines, result, _) = run_with(SELF_CONTAINING, Limits::default());
    result.unwrap();
    assert_eq!(lines, vec!["[null]".to_owned()]);
    if let Some(rss) = peak_rss_bytes() {
        assert!(rss < 200 << 20, "peak RSS {} MB", rss >> 20);
        eprintln!("peak RSS {} MB", rss >> 20);
    }
    let _ = LimitExceeded::Steps { limit: 0 };
}

#[test]
fn deep_nesting_print_is_an_error_on_a_small_stack() {
    let (_, result, _) = run_with(&nested(300), Limits::default());
    assert!(
        matches!(result, Err(VmError::Limit(LimitExceeded::Nesting { .. }))),
        "{result:?}"
    );
}
