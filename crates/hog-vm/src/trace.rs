//! Where a failed run was: the Hog call stack at the moment of the error.
//!
//! A host that compiled the program itself (and kept a source map) turns these positions into
//! source lines: [`TraceFrame::ip`] is an *element index* of the chunk's JSON bytecode array —
//! the same numbering as [`crate::VmError::Bytecode`]'s `at`, the verifier's errors and the
//! compiler's source map (the root chunk counts its `"_H", 1` header as elements 0 and 1). The
//! interpreter runs decoded instructions, so the index is mapped back through the chunk's
//! position table.
//!
//! ```
//! use hog_vm::Vm;
//!
//! // fn f() { return nope() }   f()
//! let bytecode = r#"["_H", 1, 52, "f", 0, 0, 4, 2, "nope", 0, 38, 53, 0, 36, 0, 54, 0, 35]"#;
//! let mut vm = Vm::load(bytecode).unwrap();
//! assert!(vm.run().is_err());
//! let trace = vm.error_trace().unwrap();
//! // innermost first: the failing call (element 7) inside `f`, then the call of `f` (element 15).
//! let at: Vec<_> = trace.frames.iter().map(|f| (f.chunk.as_str(), f.ip, f.function.as_deref())).collect();
//! assert_eq!(at, [("root", 7, Some("f")), ("root", 15, None)]);
//! ```

use crate::interp::Machine;
use crate::program::Chunk;

/// The call stack of a run that ended with an error while executing, innermost frame first.
///
/// Available from [`crate::Vm::error_trace`] after [`crate::Vm::run`] or [`crate::Vm::resume`]
/// returned `Err` for an error raised by an instruction (a data error, an uncaught `throw`, a
/// limit, a host function failure). Errors before execution starts (loading, restoring a
/// state) or after it ends (converting the result to JSON) have no trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorTrace {
    /// Innermost first; the last one is the root chunk's frame.
    pub frames: Vec<TraceFrame>,
}

/// One frame of an [`ErrorTrace`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFrame {
    /// `"root"` for the program, `"stl/<name>"` for a bytecode standard-library function (the
    /// names of [`crate::VmState::chunks`]).
    pub chunk: String,
    /// Element index in that chunk's JSON bytecode array: of the instruction that failed (the
    /// innermost frame) or of the call instruction the frame is executing (outer frames).
    pub ip: usize,
    /// The function's declared name when known (`None` for the root frame).
    pub function: Option<String>,
}

impl std::fmt::Display for ErrorTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, frame) in self.frames.iter().enumerate() {
            let lead = if i == 0 { "at" } else { "called from" };
            write!(f, "  {lead} {} element {}", frame.chunk, frame.ip)?;
            if let Some(name) = &frame.function {
                write!(f, " (in {name})")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Element index of the instruction before decoded instruction `next` (frames store the index
/// of the next instruction to run; every frame with an error or a pending call is past it).
fn element_index(chunk: &Chunk, next: usize) -> usize {
    let op = next.saturating_sub(1);
    chunk
        .positions
        .get(op)
        .map(|&p| p as usize)
        .unwrap_or(chunk.len.saturating_sub(1))
}

/// The trace of the machine's frames as they are after an error.
pub(crate) fn capture(m: &Machine<'_>) -> ErrorTrace {
    let frames = m
        .frames
        .iter()
        .rev()
        .filter_map(|frame| {
            let chunk = m.chunks.get(frame.chunk as usize)?;
            let ip = frame.ip as usize;
            let function = if let Some(c) = &frame.closure {
                Some(c.callable.name.to_string())
            } else if let Some(stl) = chunk.name.strip_prefix("stl/") {
                Some(stl.to_owned())
            } else {
                // A legacy `DECLARE_FN` body containing the instruction, if any.
                let op = ip.saturating_sub(1) as u32;
                chunk
                    .declares
                    .iter()
                    .filter(|d| d.body <= op && op < d.end)
                    .min_by_key(|d| d.end - d.body)
                    .map(|d| d.name.to_string())
            };
            Some(TraceFrame {
                chunk: chunk.name.clone(),
                ip: element_index(chunk, ip),
                function,
            })
        })
        .collect();
    ErrorTrace { frames }
}
