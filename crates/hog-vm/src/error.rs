//! Errors of loading and running bytecode.
//!
//! Three families, as in PostHog's newest VM: *contract* errors (malformed bytecode, broken VM
//! invariants: [`VmError::Bytecode`]), *data* errors (an operator or STL function got a value it
//! cannot handle: [`VmError::Runtime`]) and *limit* errors ([`VmError::Limit`]). A Hog `throw`
//! that no `catch` handles ends the run with [`VmError::Uncaught`]. None of them is catchable by
//! Hog's `try/catch` except values thrown with `throw`, which never become a `VmError` unless
//! uncaught. Errors are plain data (`Send + Sync`), so hosts can move them across threads.

use std::fmt;

/// Why a run (or a load) failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VmError {
    /// Malformed bytecode found by the verifier or while executing (`at` = element index in the
    /// chunk, when known).
    #[error("{message}{}", at.map(|i| format!(" (at element {i})")).unwrap_or_default())]
    Bytecode { message: String, at: Option<usize> },
    /// A value error raised by an operator or a standard-library function.
    #[error("{0}")]
    Runtime(String),
    /// A Hog exception thrown with `throw` and not caught.
    #[error("{}", uncaught_text(error_type, message, payload.as_deref()))]
    Uncaught {
        error_type: String,
        message: String,
        /// The payload in print format, when present.
        payload: Option<String>,
    },
    /// A sandbox limit was exceeded.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// A host function reported a failure.
    #[error("{name}: {message}")]
    Host { name: String, message: String },
}

impl VmError {
    /// A data error with this message (what STL functions return for bad arguments).
    pub fn runtime(message: impl Into<String>) -> Self {
        VmError::Runtime(message.into())
    }
    /// A malformed-bytecode error.
    pub fn bytecode(message: impl Into<String>, at: Option<usize>) -> Self {
        VmError::Bytecode {
            message: message.into(),
            at,
        }
    }
    /// PostHog's classification: `contract`, `data`, `limit`, `uncaught` or `host`.
    pub fn kind(&self) -> &'static str {
        match self {
            VmError::Bytecode { .. } => "contract",
            VmError::Runtime(_) => "data",
            VmError::Uncaught { .. } => "uncaught",
            VmError::Limit(_) => "limit",
            VmError::Host { .. } => "host",
        }
    }
}

fn uncaught_text(error_type: &str, message: &str, payload: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(error_type);
    out.push('(');
    crate::print::write_quoted(&mut out, message, '\'');
    if let Some(p) = payload {
        out.push_str(", ");
        out.push_str(p);
    }
    out.push(')');
    out
}

/// Which limit was exceeded, by how much. The texts follow PostHog's where PostHog has one.
#[derive(Debug, Clone, PartialEq)]
pub enum LimitExceeded {
    /// Memory budget: `needed` bytes would be in use, more than `limit`.
    Memory { limit: u64, needed: u64 },
    /// The deterministic instruction budget.
    Steps { limit: u64 },
    /// The wall-clock deadline.
    Time { limit_ms: u64, steps: u64 },
    /// Too many nested calls.
    CallDepth { limit: usize },
    /// Too many arguments in one call.
    Arguments { limit: usize, got: usize },
    /// Too many async host calls (suspensions) in one execution.
    AsyncSteps { limit: u64 },
    /// The host's progress callback asked to stop.
    Aborted { steps: u64 },
    /// A value nested deeper than the VM's recursion bound (printing, comparing, converting).
    Nesting { limit: usize },
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitExceeded::Memory { limit, needed } => write!(
                f,
                "Memory limit of {limit} bytes exceeded. Tried to allocate {needed} bytes."
            ),
            LimitExceeded::Steps { limit } => {
                write!(f, "Step limit of {limit} instructions exceeded.")
            }
            LimitExceeded::Time { limit_ms, steps } => write!(
                f,
                "Execution timed out after {} seconds. Performed {steps} ops.",
                *limit_ms as f64 / 1000.0
            ),
            LimitExceeded::CallDepth { limit } => {
                write!(f, "Call stack exceeded maximum length of {limit}")
            }
            LimitExceeded::Arguments { limit, got } => {
                write!(f, "Too many arguments: {got} passed, the limit is {limit}")
            }
            LimitExceeded::AsyncSteps { limit } => {
                write!(f, "Exceeded maximum number of async steps: {limit}")
            }
            LimitExceeded::Aborted { steps } => {
                write!(f, "Execution aborted by the host after {steps} ops.")
            }
            LimitExceeded::Nesting { limit } => {
                write!(f, "Value nested more than {limit} levels deep")
            }
        }
    }
}

impl std::error::Error for LimitExceeded {}
