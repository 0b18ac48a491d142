//! `hog-vm`: a PostHog-compatible virtual machine for Hog bytecode.
//!
//! It loads PostHog's JSON bytecode (`["_H", 1, …]` and legacy `["_h", …]`), verifies it, and
//! runs it in a sandbox with hard limits (memory, steps, time, call depth), with the Hog
//! standard library and host functions. See `ARCHITECTURE.md` at the workspace root for where
//! the VM sits in the toolchain.
//!
//! When a run fails, [`Vm::error_trace`] says where (chunk, bytecode element index, function
//! for every frame). The crate's `README.md` has the benchmark and `cargo fuzz` instructions.
#![forbid(unsafe_code)]

mod api;
pub mod closure;
pub mod convert;
pub mod datetime;
pub mod disasm;
pub mod env;
pub mod error;
pub mod host;
mod interp;
pub mod limits;
pub mod memory;
pub mod opcode;
pub mod ops;
pub mod print;
pub mod program;
pub mod state;
pub mod stl;
pub mod trace;
pub mod value;

pub use api::{Outcome, Vm};
pub use error::{LimitExceeded, VmError};
pub use host::HostFunctions;
pub use limits::{Control, Limits, Progress, Usage};
pub use program::Program;
pub use state::VmState;
pub use trace::{ErrorTrace, TraceFrame};
pub use value::{DateTimeValue, DateValue, DictKey, DictMap, ErrorValue, HogStr, Value};

/// How deep the VM follows nested values when printing, comparing, copying or converting them.
/// Deeper values are an error ([`LimitExceeded::Nesting`]), never a stack overflow.
pub const MAX_NESTING: usize = 256;
