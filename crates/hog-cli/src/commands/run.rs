//! `hog run FILE.hog` / `hog run FILE.hoge`: run a program on the VM and print what it prints.
//!
//! Hog source is compiled first (as `hog compile` does); bytecode runs as it is, and when a
//! source map `FILE.hoge.map` lies beside it (written by `hog compile -o`) its runtime errors
//! point at the source too. Files are told apart by extension (`.hog`; `.hoge`/`.json`), and
//! otherwise by content (a JSON array starting with `"_H"` is bytecode).
//!
//! Output: one stdout line per `print` call, nothing else. Exit 0 on success; 1 with the error on
//! stderr for anything the program does wrong (compile errors, uncaught exceptions, limits,
//! malformed bytecode): with a source, the error names `FILE:LINE:COL`, underlines the code and
//! lists the Hog call stack; 2 for usage errors (unreadable files, bad `--globals`). `--stats`
//! writes the usage report to stderr. `--profile` applies PostHog's production limits.
//! `--mocks FILE.json` answers host functions (`fetch`, `geoipLookup`, …) the way `hog test`'s
//! mocks do (same format: `{"fetch": {"return": {"status": 200, "body": "ok"}}}`); without it
//! the CLI has no host functions but `sleep`, so a script calling `fetch` fails.

use crate::commands::compile::{self, CompileFailure, Origin, Profile};
use crate::commands::test::format::Mock;
use crate::commands::test::runner::{
    DESTINATION_LOG_LINES, LOG_LIMIT_WARNING, MockStates, answer_async, host_names, install_mocks,
    kept_log_lines, limits_for, mock_states,
};
use crate::exit;
use hog_vm::{Limits, Outcome, Usage, Vm, VmError};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The program: Hog source (`.hog`) or PostHog JSON bytecode (`.hoge`).
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
    /// PostHog's production budgets of this kind of function (64 MB, 5 s, call depth 1000;
    /// destinations: at most 5 `fetch` calls and 25 log lines). The flags above override them.
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// Print the usage report (steps, peak memory, time, calls) to stderr.
    #[arg(long)]
    pub stats: bool,
    /// Answers for host functions, as in `hog test` files: a JSON object from function name to
    /// `{"return": V}` (every call), `{"error": "msg"}`, or a list answering the calls in order
    /// (`[{"args": [...], "return": V}, ...]`).
    #[arg(long, value_name = "FILE.json")]
    pub mocks: Option<PathBuf>,
}

/// A program ready to run.
struct Loaded {
    vm: Vm,
    origin: Option<Origin>,
}

/// Why a program could not be started.
enum LoadError {
    /// The file is unreadable (a usage error).
    Usage(String),
    /// The source does not compile (already rendered with the source).
    Compile(String),
    /// The bytecode is malformed.
    Program(VmError),
}

/// What kind of program a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Source,
    Bytecode,
}

/// By extension, else by content: bytecode is a JSON array whose first element is `"_H"`.
fn kind_of(path: &Path, text: &str) -> Kind {
    match path.extension().and_then(|e| e.to_str()) {
        Some("hog") => Kind::Source,
        Some("hoge") | Some("json") => Kind::Bytecode,
        _ => {
            let t = text.trim_start();
            let looks_like_bytecode = t.starts_with('[')
                && t[1..].trim_start().starts_with("\"_H\"")
                && serde_json::from_str::<serde_json::Value>(t).is_ok();
            if looks_like_bytecode {
                Kind::Bytecode
            } else {
                Kind::Source
            }
        }
    }
}

/// Loads the program named on the command line, compiling Hog source.
fn load(path: &Path, profile: Option<Profile>) -> Result<Loaded, LoadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| LoadError::Usage(format!("cannot read {}: {e}", path.display())))?;
    match kind_of(path, &text) {
        Kind::Bytecode => {
            let vm = Vm::load(&text).map_err(LoadError::Program)?;
            Ok(Loaded {
                vm,
                origin: compile::sidecar_origin(path),
            })
        }
        Kind::Source => {
            let options = compile::options_for(profile, path);
            let file = compile::compile_text(path, text, &options).map_err(|f| match f {
                CompileFailure::Io(msg) => LoadError::Usage(msg),
                CompileFailure::Errors(text) => LoadError::Compile(text),
            })?;
            if !file.compiled.warnings.is_empty() {
                eprint!(
                    "{}",
                    compile::render_all(&file.compiled.warnings, &file.path, &file.source)
                );
            }
            let vm = Vm::load(&file.compiled.to_json_string()).map_err(LoadError::Program)?;
            Ok(Loaded {
                vm,
                origin: Some(file.origin()),
            })
        }
    }
}

/// The host functions of the profile (and any other name `--mocks` answers), each answered by
/// its mock or failing with a hint at `--mocks`; a message for a usage error.
fn host_mocks(path: Option<&Path>, profile: Option<Profile>) -> Result<MockStates, String> {
    let mocks = match path {
        Some(path) => read_mocks(path)?,
        None => BTreeMap::new(),
    };
    let mut names: Vec<String> = host_names(profile)
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    names.extend(
        mocks
            .keys()
            .filter(|k| !names.contains(k))
            .cloned()
            .collect::<Vec<_>>(),
    );
    Ok(mock_states(
        &names,
        &mocks,
        "(`hog run` calls no real host functions: answer it with --mocks FILE.json)",
    ))
}

/// Reads `--mocks` (the `"mocks"` format of `hog test` files).
fn read_mocks(path: &Path) -> Result<BTreeMap<String, Mock>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: invalid mocks: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// The profile's production limits (or the VM's defaults), then the explicit flags.
fn limits(args: &Args) -> Limits {
    let off_if_zero = |v: u64| if v == 0 { None } else { Some(v) };
    let mut limits = match args.profile {
        Some(p) => limits_for(Some(p)),
        None => Limits::default(),
    };
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

/// Reads `--globals` into the VM; a message for a usage error.
fn set_globals(vm: &mut Vm, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let globals = serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| format!("{}: invalid JSON: {e}", path.display()))?;
    vm.set_globals(globals)
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: Args) -> ExitCode {
    let Loaded { mut vm, origin } = match load(&args.file, args.profile) {
        Ok(loaded) => loaded,
        Err(LoadError::Usage(msg)) => {
            eprintln!("error: {msg}");
            return exit::code(exit::USAGE);
        }
        Err(LoadError::Compile(text)) => {
            eprint!("{text}");
            return exit::code(exit::USER_ERROR);
        }
        Err(LoadError::Program(e)) => {
            eprintln!("error: {}: {e}", args.file.display());
            return exit::code(exit::USER_ERROR);
        }
    };
    if let Some(path) = &args.globals
        && let Err(msg) = set_globals(&mut vm, path)
    {
        eprintln!("error: {msg}");
        return exit::code(exit::USAGE);
    }
    let mocks = match host_mocks(args.mocks.as_deref(), args.profile) {
        Ok(m) => m,
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit::code(exit::USAGE);
        }
    };
    install_mocks(&mut vm, &mocks);
    vm.set_limits(limits(&args));
    // Destinations log at most 25 entries per invocation (PostHog drops the rest).
    let keep = kept_log_lines(args.profile);
    let out = Rc::new(RefCell::new(std::io::BufWriter::new(std::io::stdout())));
    let dropped = Rc::new(RefCell::new(0usize));
    let (sink, dropped_sink) = (out.clone(), dropped.clone());
    let mut printed = 0usize;
    vm.on_print(move |line| {
        if printed >= keep {
            *dropped_sink.borrow_mut() += 1;
            return;
        }
        printed += 1;
        let mut w = sink.borrow_mut();
        // A closed pipe (`hog run x | head`) is not an error of the program.
        let _ = w.write_all(line.as_bytes());
        let _ = w.write_all(b"\n");
    });
    let result = execute(&mut vm, &mocks);
    let _ = out.borrow_mut().flush();
    let dropped = *dropped.borrow();
    if dropped > 0 {
        eprintln!(
            "warning: {LOG_LIMIT_WARNING} ({dropped} print calls not logged: destinations log at most {DESTINATION_LOG_LINES} entries)"
        );
    }
    if args.stats {
        eprintln!("{}", stats(vm.usage(), vm.limits()));
    }
    match result {
        Ok(()) => exit::code(exit::OK),
        Err(e) => {
            let message = e.to_string();
            match &origin {
                Some(o) => eprint!("{}", o.render_error(&message, vm.error_trace())),
                None => eprintln!("error: {message}"),
            }
            exit::code(exit::USER_ERROR)
        }
    }
}

/// Runs to completion. Async host calls are answered by their mock; `sleep` is performed.
fn execute(vm: &mut Vm, mocks: &MockStates) -> Result<(), VmError> {
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
            Outcome::Suspended {
                function,
                args,
                state,
            } if mocks.contains_key(&function) => {
                let answer = answer_async(mocks, &function, &args).map_err(VmError::runtime)?;
                outcome = vm.resume(state, answer)?;
            }
            Outcome::Suspended { function, .. } => {
                return Err(VmError::runtime(format!(
                    "Async function {function} is not available in `hog run` (answer it with --mocks FILE.json)"
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
