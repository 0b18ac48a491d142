//! Phase times of one process on stderr, when `HOG_TRACE_TIMING` is set (to anything but `0`
//! or empty): where a short `hog query` spends its time (driver load, engine start, schema
//! check, the statements, closing), without a profiler. Off, a mark costs one relaxed load.
//!
//! Each [`mark`] prints the wall time since the first mark, the wall time since the previous
//! one, the CPU time the process's threads used since the previous one, and the page faults
//! since then (the engine's start is largely page faults: mapping its 555 MB library, zeroing
//! fresh memory). The CPU figure sums `/proc/self/task/*/schedstat` (nanoseconds per thread),
//! so it counts the engine's worker threads too, but not threads that ended between two marks.

use std::io::Write;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The environment variable that turns the marks on.
pub const ENV: &str = "HOG_TRACE_TIMING";

/// Whether marks are printed (read once per process).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os(ENV).is_some_and(|v| !v.is_empty() && v != "0"))
}

/// The first mark's time and the previous mark's wall time, CPU time and page faults.
struct Clock {
    start: Instant,
    last: Instant,
    last_cpu: Duration,
    last_faults: u64,
}

static CLOCK: Mutex<Option<Clock>> = Mutex::new(None);

/// Prints one line for `phase` (the phase that just ended) if timing is on.
pub fn mark(phase: &str) {
    if !enabled() {
        return;
    }
    let now = Instant::now();
    let cpu = threads_cpu();
    let faults = page_faults();
    let mut clock = CLOCK.lock().unwrap_or_else(|p| p.into_inner());
    let clock = clock.get_or_insert(Clock {
        start: now,
        last: now,
        last_cpu: cpu,
        last_faults: faults,
    });
    let line = format!(
        "timing: {phase:<34} at {:>7.1} ms  +{:>6.1} ms wall  +{:>6.1} ms cpu  +{:>6} page faults\n",
        ms(now - clock.start),
        ms(now - clock.last),
        ms(cpu.saturating_sub(clock.last_cpu)),
        faults.saturating_sub(clock.last_faults),
    );
    clock.last = now;
    clock.last_cpu = cpu;
    clock.last_faults = faults;
    let _ = std::io::stderr().write_all(line.as_bytes());
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// CPU time of the process's live threads (Linux; zero elsewhere).
fn threads_cpu() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .filter_map(|task| schedstat_cpu(&task.ok()?.path().join("schedstat")))
        .sum()
}

/// Page faults of the process so far, minor and major (`/proc/self/stat` fields 10 and 12).
fn page_faults() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // Fields after the parenthesised command name start at field 3.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    field(10).unwrap_or(0) + field(12).unwrap_or(0)
}

/// The CPU time in a `schedstat` file (its first field, nanoseconds on the CPU).
fn schedstat_cpu(path: &std::path::Path) -> Option<Duration> {
    let text = std::fs::read_to_string(path).ok()?;
    let nanos = text.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedstat_cpu_counts_this_threads_work() {
        let own = std::path::Path::new("/proc/thread-self/schedstat");
        let Some(before) = schedstat_cpu(own) else {
            return; // not Linux
        };
        let started = Instant::now();
        let mut x = 0u64;
        while started.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let after = schedstat_cpu(own).unwrap();
        assert!(after > before, "{x}");
        assert!(threads_cpu() >= after);
    }
}
