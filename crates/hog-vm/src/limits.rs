//! Sandbox limits and the usage report.
//!
//! Every limit is checked from one place in the interpreter loop (`tick`, run every
//! [`TICK_INTERVAL`] instructions and on budget boundaries) except memory, which is charged
//! where values are allocated, and call depth / argument count, checked at each call.
//! `None` switches a limit off.

use std::time::Duration;

/// How often (in instructions) the loop checks the clock and calls the progress callback.
pub const TICK_INTERVAL: u64 = 4096;

/// The limits of one execution.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Memory budget in bytes. Default 64 MiB (PostHog's `memoryLimit`).
    pub max_memory: Option<u64>,
    /// Instruction budget, deterministic. Default 100 million (about what PostHog's Node VM
    /// executes in its 5 s timeout).
    pub max_steps: Option<u64>,
    /// Wall-clock budget of synchronous execution (summed over async resumptions). Default 5 s.
    pub timeout: Option<Duration>,
    /// Maximum number of nested calls. Default 1000.
    pub max_call_depth: Option<usize>,
    /// Maximum number of arguments in one call. Default 300.
    pub max_args: Option<usize>,
    /// Maximum number of async host calls (suspensions) per execution. Default 100.
    pub max_async_steps: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory: Some(64 * 1024 * 1024),
            max_steps: Some(100_000_000),
            timeout: Some(Duration::from_secs(5)),
            max_call_depth: Some(1000),
            max_args: Some(300),
            max_async_steps: Some(100),
        }
    }
}

impl Limits {
    /// No limits at all (trusted code only).
    pub fn unlimited() -> Self {
        Limits {
            max_memory: None,
            max_steps: None,
            timeout: None,
            max_call_depth: None,
            max_args: None,
            max_async_steps: None,
        }
    }
    pub fn with_max_memory(mut self, bytes: Option<u64>) -> Self {
        self.max_memory = bytes;
        self
    }
    pub fn with_max_steps(mut self, steps: Option<u64>) -> Self {
        self.max_steps = steps;
        self
    }
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }
    pub fn with_max_call_depth(mut self, depth: Option<usize>) -> Self {
        self.max_call_depth = depth;
        self
    }
    pub fn with_max_args(mut self, args: Option<usize>) -> Self {
        self.max_args = args;
        self
    }
    pub fn with_max_async_steps(mut self, steps: Option<u64>) -> Self {
        self.max_async_steps = steps;
        self
    }
}

/// What a run used: for metering by hosts and for authors to see how close they are to a limit.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    /// Instructions executed (summed over async resumptions).
    pub steps: u64,
    /// High-water mark of charged memory in bytes (live data plus garbage not yet re-measured;
    /// never above the limit).
    pub peak_memory: u64,
    /// Synchronous execution time in microseconds (summed over resumptions).
    pub wall_time_us: u64,
    /// Calls to sync host functions.
    pub host_calls: u64,
    /// Async host calls (suspensions).
    pub async_calls: u64,
    /// Deepest call stack reached.
    pub max_call_depth: usize,
    /// How often live memory was re-measured because the budget was reached.
    pub memory_remeasures: u64,
}

/// What the host's progress callback sees.
#[derive(Clone, Debug)]
pub struct Progress {
    pub steps: u64,
    pub memory: u64,
    pub elapsed: Duration,
}

/// The progress callback's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Abort,
}
