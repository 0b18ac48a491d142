//! `hog run FILE.hoge`: run a program on the VM and print what it prints.
//!
//! Output: one stdout line per `print` call. Exit 0 on success; 1 with the error on stderr for
//! anything the program does wrong (uncaught exceptions, limits, malformed bytecode); 2 for
//! usage errors (unreadable files, bad `--globals`). `--stats` writes the usage report to
//! stderr. The program source is found by [`load`], which dispatches on the file extension so
//! that Hog source (`.hog`, compiled first) can be added next to bytecode.

use crate::exit;
use hog_vm::{Limits, Outcome, Usage, Vm, VmError};
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The program: PostHog JSON bytecode (`.hoge`).
    pub file: PathBuf,
    /// A JSON object of globals (`event`, `person`, `inputs`…).
    #[arg(long, value_name = "FILE.json")]
    pub globals: Option<PathBuf>,
    /// Instruction budget (0 = unlimited). Default 100,000,000.
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u64>,
    /// Memory budget in bytes (0 = unlimited). Default 67,108,864 (64 MiB).
    #[arg(long, value_name = "BYTES")]
    pub max_memory: Option<u64>,
    /// Wall-clock budget in milliseconds (0 = unlimited). Default 5000.
    #[arg(long, value_name = "N")]
    pub timeout_ms: Option<u64>,
    /// Print the usage report (steps, peak memory, time, calls) to stderr.
    #[arg(long)]
    pub stats: bool,
}

/// Why a program could not be started.
enum LoadError {
    /// The file is unreadable or of an unknown kind (a usage error).
    Usage(String),
    /// The program itself is malformed.
    Program(VmError),
}

/// Loads the program named on the command line. Bytecode is the only input today; a Hog
/// compiler adds `.hog` here (compile, then `Vm::from_json` on the bytecode).
fn load(path: &Path) -> Result<Vm, LoadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| LoadError::Usage(format!("cannot read {}: {e}", path.display())))?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("hoge") | Some("json") => Vm::load(&text).map_err(LoadError::Program),
        _ => Err(LoadError::Usage(format!(
            "{}: expected a bytecode file (.hoge)",
            path.display()
        ))),
    }
}

fn limits(args: &Args) -> Limits {
    let off_if_zero = |v: u64| if v == 0 { None } else { Some(v) };
    let mut limits = Limits::default();
    if let Some(n) = args.max_steps {
        limits.max_steps = off_if_zero(n);
    }
    if let Some(n) = args.max_memory {
        limits.max_memory = off_if_zero(n);
    }
    if let Some(n) = args.timeout_ms {
        limits.timeout = off_if_zero(n).map(Duration::from_millis);
    }
    limits
}

pub fn run(args: Args) -> ExitCode {
    let mut vm = match load(&args.file) {
        Ok(vm) => vm,
        Err(LoadError::Usage(msg)) => {
            eprintln!("error: {msg}");
            return exit::code(exit::USAGE);
        }
        Err(LoadError::Program(e)) => {
            eprintln!("error: {}: {e}", args.file.display());
            return exit::code(exit::USER_ERROR);
        }
    };
    if let Some(path) = &args.globals {
        let globals = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|t| {
                serde_json::from_str::<serde_json::Value>(&t)
                    .map_err(|e| format!("{}: invalid JSON: {e}", path.display()))
            });
        match globals.map(|g| {
            vm.set_globals(g)
                .map_err(|e| format!("{}: {e}", path.display()))
        }) {
            Ok(Ok(())) => {}
            Ok(Err(msg)) | Err(msg) => {
                eprintln!("error: {msg}");
                return exit::code(exit::USAGE);
            }
        }
    }
    vm.set_limits(limits(&args));
    let out = Rc::new(RefCell::new(std::io::BufWriter::new(std::io::stdout())));
    let sink = out.clone();
    vm.on_print(move |line| {
        let mut w = sink.borrow_mut();
        // A closed pipe (`hog run x | head`) is not an error of the program.
        let _ = w.write_all(line.as_bytes());
        let _ = w.write_all(b"\n");
    });
    let result = execute(&mut vm);
    let _ = out.borrow_mut().flush();
    if args.stats {
        eprintln!("{}", stats(vm.usage(), vm.limits()));
    }
    match result {
        Ok(()) => exit::code(exit::OK),
        Err(e) => {
            eprintln!("error: {e}");
            exit::code(exit::USER_ERROR)
        }
    }
}

/// Runs to completion. The CLI has no async host functions except `sleep`, which it performs.
fn execute(vm: &mut Vm) -> Result<(), VmError> {
    let mut outcome = vm.run()?;
    loop {
        match outcome {
            Outcome::Finished(_) => return Ok(()),
            Outcome::Suspended {
                function,
                args,
                state,
            } if function == "sleep" => {
                let seconds = args.first().and_then(|v| v.as_f64()).unwrap_or(0.0);
                std::thread::sleep(Duration::from_secs_f64(seconds.clamp(0.0, 60.0)));
                outcome = vm.resume(state, serde_json::Value::Null)?;
            }
            Outcome::Suspended { function, .. } => {
                return Err(VmError::runtime(format!(
                    "Async function {function} is not available in `hog run`"
                )));
            }
        }
    }
}

/// The usage report, with each figure against its limit.
fn stats(u: &Usage, limits: &Limits) -> String {
    let of = |v: u64, limit: Option<u64>| match limit {
        Some(l) if l > 0 => format!("{v} of {l} ({:.1}%)", v as f64 * 100.0 / l as f64),
        _ => format!("{v} (unlimited)"),
    };
    format!(
        "steps: {}\npeak memory: {} bytes\nwall time: {:.3} ms\nhost calls: {}\nasync calls: {}\nmax call depth: {}",
        of(u.steps, limits.max_steps),
        of(u.peak_memory, limits.max_memory),
        u.wall_time_us as f64 / 1000.0,
        u.host_calls,
        u.async_calls,
        of(
            u.max_call_depth as u64,
            limits.max_call_depth.map(|d| d as u64)
        ),
    )
}
