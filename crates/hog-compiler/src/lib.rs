//! `hog-compiler`: Hog syntax trees → PostHog bytecode, version 1 (`["_H", 1, …]`).
//!
//! The encoding of every construct follows PostHog's reference compiler element for element
//! (`../shared/spec/hog-bytecode.md` §11), so our output runs on PostHog's VMs and matches their
//! `.hoge` snapshots. Stage edges (see `ARCHITECTURE.md`):
//!
//! * [`compile_program`]: AST → [`Compiled`] (bytecode + [`SourceMap`] + warnings), or the
//!   compile errors, each with a span ([`Diagnostic`]).
//! * [`compile_source`]: text → parse → compile, for the CLI and tests.
//! * [`lint`]: checks that do not change the bytecode (unreachable code), for `hog check`.
//!
//! Deliberate deviations from PostHog's compiler (both only where PostHog emits broken code):
//! a typed `catch (err: T)` binding a name other than `e` jumps to the next clause (PostHog's
//! jump lands one element short), and `for (…; ; …)` without a condition loops (PostHog pops a
//! random stack slot).
#![forbid(unsafe_code)]

pub mod code;
mod compiler;
pub mod diagnostic;
mod expr;
pub mod functions;
pub mod lint;
pub mod runtime_error;
mod scope;
pub mod source_map;
mod sql_ast;

pub use code::{Code, Elem};
pub use diagnostic::{Diagnostic, DiagnosticKind, Severity};
pub use functions::Arity;
pub use runtime_error::render_runtime_error;
pub use source_map::SourceMap;

use hog_vm::opcode::Opcode;
use hogql_parser::ast::{Program, Span};

/// A function the host provides (e.g. `fetch`, `geoipLookup`), with its arity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFunction {
    pub name: String,
    pub arity: Arity,
}

impl HostFunction {
    pub fn new(name: impl Into<String>, min: usize, max: usize) -> Self {
        HostFunction {
            name: name.into(),
            arity: Arity::Range { min, max },
        }
    }
}

/// What the compiler may assume about the host.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// Host functions: calls to them are not "unknown", and their arity is checked.
    pub host_functions: Vec<HostFunction>,
    /// Globals the host provides (`event`, `inputs`, …).
    pub globals: Vec<String>,
    /// Warn about globals not in [`globals`](Self::globals).
    pub check_globals: bool,
    /// REPL mode: top-level locals stay on the stack (no trailing POPs).
    pub repl: bool,
    /// The source file name, recorded in the source map.
    pub file_name: Option<String>,
}

/// A compiled program.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The whole array, header included.
    pub elems: Vec<Elem>,
    pub source_map: SourceMap,
    /// Problems that do not stop compilation (unknown functions, `=` used for assignment, …).
    pub warnings: Vec<Diagnostic>,
}

impl Compiled {
    /// The bytecode as a JSON array.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(self.elems.iter().map(Elem::to_json).collect())
    }

    /// The bytecode as one line of JSON, formatted like PostHog's tools (`", "` separators).
    pub fn to_json_string(&self) -> String {
        code::write_json_line(&self.elems)
    }
}

/// The bytecode header.
pub const HEADER: [&str; 1] = ["_H"];
/// The bytecode format version written.
pub const VERSION: i64 = 1;

/// Compiles a program. When there are errors, every diagnostic (errors and warnings, in order of
/// discovery) is returned instead of bytecode; otherwise the warnings travel with the result.
pub fn compile_program(
    program: &Program,
    options: &CompileOptions,
) -> Result<Compiled, Vec<Diagnostic>> {
    // About one element per 3 bytes of source: one allocation for most programs.
    let mut header = Code::from(Vec::with_capacity(program.span.end as usize / 3 + 16));
    header.str(HEADER[0]).int(VERSION);
    let mut c = compiler::Compiler::new(options, header);
    c.program(&program.declarations, program.span);
    if c.diags.iter().any(Diagnostic::is_error) {
        // Warnings stay in, in order, so a report shows every problem at once.
        return Err(c.diags);
    }
    let elems = c.code.elems;
    let source_map = SourceMap::from_elems(&elems, 0, options.file_name.clone());
    Ok(Compiled {
        elems,
        source_map,
        warnings: c.diags,
    })
}

/// Parses and compiles Hog source. Syntax errors come back as [`DiagnosticKind::Syntax`]
/// diagnostics.
pub fn compile_source(source: &str, options: &CompileOptions) -> Result<Compiled, Vec<Diagnostic>> {
    let program = parse(source)?;
    compile_program(&program, options)
}

/// Parses Hog source into a program, syntax errors as diagnostics.
pub fn parse(source: &str) -> Result<Program, Vec<Diagnostic>> {
    hogql_parser::parse_program(source)
        .map_err(|errs| errs.iter().map(Diagnostic::from_parse_error).collect())
}

/// The opcode at element `ip` of a compiled array, if that element is an opcode.
pub fn opcode_at(elems: &[Elem], ip: usize) -> Option<(Opcode, Span)> {
    match elems.get(ip) {
        Some(Elem::Op(op, span)) => Some((*op, *span)),
        _ => None,
    }
}
