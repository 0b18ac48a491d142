//! The calling thread's CPU time, shared by the crates' benchmarks (included with `#[path]`):
//! the machines they run on are shared, so wall-clock time measures the neighbours as much as
//! the code under test; CPU time over a few seconds does not.

use std::time::Duration;

/// CPU time of this thread (Linux: utime + stime from `/proc/thread-self/stat`, 10 ms ticks);
/// `None` where that file cannot be read.
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the `(comm)`; utime and stime are fields 14 and 15 of the whole line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}
