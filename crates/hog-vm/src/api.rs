//! The embedding API.
//!
//! ```
//! use hog_vm::{HostFunctions, Limits, Outcome, Vm};
//! use serde_json::json;
//!
//! // `return event.properties.n * 2` compiled to PostHog bytecode:
//! let bytecode = r#"["_H", 1, 33, 2, 32, "n", 32, "properties", 32, "event", 1, 3, 8, 38]"#;
//! let mut vm = Vm::load(bytecode).unwrap();
//! vm.set_globals(json!({"event": {"properties": {"n": 21}}})).unwrap();
//! vm.set_limits(Limits::default().with_max_steps(Some(10_000)));
//! match vm.run().unwrap() {
//!     Outcome::Finished(value) => assert_eq!(value, json!(42)),
//!     Outcome::Suspended { .. } => unreachable!("no async functions here"),
//! }
//! assert!(vm.usage().steps > 0);
//! ```
//!
//! Async host functions suspend the run; the state is plain serde data and can be resumed in
//! another process:
//!
//! ```
//! use hog_vm::{Outcome, Vm, VmState};
//! use serde_json::json;
//!
//! // `return fetch('https://x').status`
//! let bytecode = r#"["_H", 1, 32, "https://x", 2, "fetch", 1, 32, "status", 45, 38]"#;
//! let mut vm = Vm::load(bytecode).unwrap();
//! vm.host_functions_mut().register_async("fetch");
//! let Outcome::Suspended { function, args, state } = vm.run().unwrap() else { panic!() };
//! assert_eq!((function.as_str(), args), ("fetch", vec![json!("https://x")]));
//! let saved = serde_json::to_string(&state).unwrap();
//!
//! // … later, maybe elsewhere:
//! let state: Box<VmState> = serde_json::from_str(&saved).unwrap();
//! let mut vm = Vm::from_state(&state).unwrap();
//! vm.host_functions_mut().register_async("fetch");
//! let outcome = vm.resume(state, json!({"status": 200})).unwrap();
//! assert!(matches!(outcome, Outcome::Finished(v) if v == json!(200)));
//! ```

use crate::VmError;
use crate::convert::value_to_json;
use crate::env::{Clock, Env};
use crate::host::HostFunctions;
use crate::interp::{Exit, Machine};
use crate::limits::{Control, Limits, Progress, Usage};
use crate::program::Program;
use crate::state::VmState;
use crate::trace::ErrorTrace;
use crate::value::Value;
use std::cell::RefCell;
use std::rc::Rc;

/// How a run ended (errors are the `Err` side of [`Vm::run`]). The finished value is JSON
/// ([`Vm::run`]) or a VM value ([`Vm::run_value`]).
#[derive(Debug)]
pub enum Outcome<T = serde_json::Value> {
    /// The program finished with this value (the top of the stack, or null).
    Finished(T),
    /// The program called an async host function. Do the work, then [`Vm::resume`] with its
    /// result.
    Suspended {
        function: String,
        args: Vec<serde_json::Value>,
        state: Box<VmState>,
    },
}

type ProgressFn = Box<dyn FnMut(&Progress) -> Control>;

/// A loaded program plus everything a run needs: globals, limits, host functions, output.
pub struct Vm {
    program: Rc<Program>,
    bytecode: Rc<serde_json::Value>,
    limits: Limits,
    globals: Rc<serde_json::Value>,
    host: HostFunctions,
    printer: Rc<RefCell<Printer>>,
    clock: Clock,
    seed: Option<u64>,
    time_zone: String,
    progress: Option<ProgressFn>,
    usage: Usage,
    error_trace: Option<ErrorTrace>,
    /// Lent to each run's machine and taken back (see `KeyCache`).
    keys: crate::convert::KeyCache,
}

enum Printer {
    /// Collect lines (up to a byte cap; the rest are dropped and counted).
    Collect {
        lines: Vec<String>,
        bytes: usize,
        cap: usize,
        dropped: u64,
    },
    /// Hand each line to the host.
    Callback(Box<dyn FnMut(&str)>),
}

impl Vm {
    /// Loads PostHog JSON bytecode (`.hoge` text).
    pub fn load(bytecode: &str) -> Result<Vm, VmError> {
        let json: serde_json::Value = serde_json::from_str(bytecode)
            .map_err(|e| VmError::bytecode(format!("Invalid bytecode JSON: {e}"), None))?;
        Vm::from_json(json)
    }

    /// Loads bytecode from a parsed JSON array.
    pub fn from_json(bytecode: serde_json::Value) -> Result<Vm, VmError> {
        let program = Program::from_json(&bytecode)?;
        Ok(Vm {
            program: Rc::new(program),
            bytecode: Rc::new(bytecode),
            limits: Limits::default(),
            globals: Rc::new(serde_json::Value::Null),
            host: HostFunctions::new(),
            printer: Rc::new(RefCell::new(Printer::Collect {
                lines: Vec::new(),
                bytes: 0,
                cap: 64 << 20,
                dropped: 0,
            })),
            clock: Clock::System,
            seed: None,
            time_zone: "UTC".to_owned(),
            progress: None,
            usage: Usage::default(),
            error_trace: None,
            keys: Default::default(),
        })
    }

    /// A VM for the program a suspended state belongs to (then call [`Vm::resume`]).
    pub fn from_state(state: &VmState) -> Result<Vm, VmError> {
        Vm::from_json(state.bytecode.clone())
    }

    /// The loaded program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Sets the globals (a JSON object, or null for none; `event`, `person`, `inputs`…).
    /// Every `GET_GLOBAL` reads a fresh copy of the part it names, converted (and charged to
    /// the memory budget) when read, so globals the program never reads cost nothing.
    pub fn set_globals(&mut self, globals: serde_json::Value) -> Result<(), VmError> {
        self.set_globals_shared(Rc::new(globals))
    }

    /// [`Vm::set_globals`] without giving up the JSON: a host that keeps the event (to run
    /// several programs on it, or to reuse it) shares it instead of cloning it.
    pub fn set_globals_shared(&mut self, globals: Rc<serde_json::Value>) -> Result<(), VmError> {
        if !matches!(
            *globals,
            serde_json::Value::Null | serde_json::Value::Object(_)
        ) {
            return Err(VmError::runtime("Globals must be a JSON object"));
        }
        self.globals = globals;
        Ok(())
    }

    /// Replaces the limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Host functions (sync ones take precedence over the standard library).
    pub fn host_functions_mut(&mut self) -> &mut HostFunctions {
        &mut self.host
    }

    /// Sends printed lines to `f` instead of collecting them.
    pub fn on_print(&mut self, f: impl FnMut(&str) + 'static) {
        *self.printer.borrow_mut() = Printer::Callback(Box::new(f));
    }

    /// A callback run every few thousand instructions; return [`Control::Abort`] to stop.
    pub fn on_progress(&mut self, f: impl FnMut(&Progress) -> Control + 'static) {
        self.progress = Some(Box::new(f));
    }

    /// Fixes the clock (`now()`, `today()`) at an epoch-seconds instant.
    pub fn set_fixed_time(&mut self, epoch_seconds: f64) {
        self.clock = Clock::Fixed(epoch_seconds);
    }

    /// Seeds the random source (`randomFloat()`, `generateUUIDv4()`).
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = Some(seed);
    }

    /// The default time zone (IANA name).
    pub fn set_time_zone(&mut self, zone: impl Into<String>) {
        self.time_zone = zone.into();
    }

    /// Lines printed so far (when collecting) — and clears them.
    pub fn take_output(&mut self) -> Vec<String> {
        match &mut *self.printer.borrow_mut() {
            Printer::Collect { lines, bytes, .. } => {
                *bytes = 0;
                std::mem::take(lines)
            }
            Printer::Callback(_) => Vec::new(),
        }
    }

    /// Where the last [`Vm::run`] or [`Vm::resume`] failed, when it returned an error raised
    /// while executing: the Hog call stack, innermost frame first, with element indexes a
    /// compiler's source map understands. `None` after a successful (or suspended) run and
    /// for errors outside execution (restoring a state, converting the result). Cleared at
    /// the start of every run and resumption.
    pub fn error_trace(&self) -> Option<&ErrorTrace> {
        self.error_trace.as_ref()
    }

    /// What the last run (or resumption, cumulatively) used.
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    fn env(&self) -> Env {
        let printer = self.printer.clone();
        let mut env = Env::new();
        env.print = Box::new(move |line| match &mut *printer.borrow_mut() {
            Printer::Collect {
                lines,
                bytes,
                cap,
                dropped,
            } => {
                if *bytes + line.len() > *cap {
                    *dropped += 1;
                } else {
                    *bytes += line.len();
                    lines.push(line.to_owned());
                }
            }
            Printer::Callback(f) => f(line),
        });
        env.clock = self.clock;
        if let Some(seed) = self.seed {
            env.rng = crate::env::seed(seed);
        }
        env.time_zone = self.time_zone.clone();
        env
    }

    /// Runs the program from the start.
    pub fn run(&mut self) -> Result<Outcome, VmError> {
        self.execute(None, &mut |_, v| value_to_json(&v))
    }

    /// [`Vm::run`], with the finished value as a VM [`Value`] instead of JSON: for hosts that
    /// inspect the result (a filter's boolean) or convert it later ([`value_to_json`]), it
    /// saves the conversion. A result that contains itself keeps itself alive (it is not
    /// representable as JSON either).
    pub fn run_value(&mut self) -> Result<Outcome<Value>, VmError> {
        self.execute(None, &mut keep_value)
    }

    /// Resumes a suspended run with the async function's result. The globals are this VM's
    /// (they are not part of the state: set them again in another process).
    pub fn resume(
        &mut self,
        state: Box<VmState>,
        result: serde_json::Value,
    ) -> Result<Outcome, VmError> {
        self.execute(Some((&state, &result)), &mut |_, v| value_to_json(&v))
    }

    /// [`Vm::resume`], with the finished value as a VM value (see [`Vm::run_value`]).
    pub fn resume_value(
        &mut self,
        state: Box<VmState>,
        result: serde_json::Value,
    ) -> Result<Outcome<Value>, VmError> {
        self.execute(Some((&state, &result)), &mut keep_value)
    }

    /// Runs from the start or from a suspended state; `convert` turns the finished value
    /// into what the caller returns, while the machine is still alive.
    fn execute<T>(
        &mut self,
        resume: Option<(&VmState, &serde_json::Value)>,
        convert: &mut dyn FnMut(&mut Machine<'_>, Value) -> Result<T, VmError>,
    ) -> Result<Outcome<T>, VmError> {
        self.error_trace = None;
        let env = self.env();
        let root = self.program.chunks[0].clone();
        let mut progress = self.progress.take();
        let outcome = {
            let progress_ref = progress
                .as_mut()
                .map(|p| &mut **p as &mut dyn FnMut(&Progress) -> Control);
            let mut m = Machine::new(
                root,
                self.limits.clone(),
                env,
                self.globals.clone(),
                &self.host,
                progress_ref,
            );
            let restored = match resume {
                Some((state, result)) => crate::state::restore(&mut m, state, result),
                None => Ok(()),
            };
            match restored {
                Err(e) => Err(e),
                Ok(()) => {
                    m.keys = std::mem::take(&mut self.keys);
                    let exit = m.run();
                    self.keys = std::mem::take(&mut m.keys);
                    if exit.is_err() {
                        self.error_trace = Some(crate::trace::capture(&m));
                    }
                    finish(&mut self.usage, &self.bytecode, m, exit, convert)
                }
            }
        };
        self.progress = progress;
        outcome
    }
}

/// The finished value as it is, kept out of the cycle breaking at the end of the run.
fn keep_value(m: &mut Machine<'_>, v: Value) -> Result<Value, VmError> {
    m.keep_alive(&v);
    Ok(v)
}

fn finish<T>(
    usage: &mut Usage,
    bytecode: &Rc<serde_json::Value>,
    mut m: Machine<'_>,
    exit: Result<Exit, VmError>,
    convert: &mut dyn FnMut(&mut Machine<'_>, Value) -> Result<T, VmError>,
) -> Result<Outcome<T>, VmError> {
    *usage = Usage {
        steps: m.steps,
        peak_memory: m.mem.peak(),
        wall_time_us: m.elapsed().as_micros() as u64,
        host_calls: m.host_calls,
        async_calls: m.async_steps,
        max_call_depth: m.max_depth_seen,
        memory_remeasures: m.mem.remeasures(),
    };
    match exit? {
        Exit::Finished(v) => Ok(Outcome::Finished(convert(&mut m, v)?)),
        Exit::Suspended { function, args } => {
            let json_args = args
                .iter()
                .map(value_to_json)
                .collect::<Result<Vec<_>, _>>()?;
            let state = crate::state::capture(&mut m, bytecode, usage.clone())?;
            Ok(Outcome::Suspended {
                function,
                args: json_args,
                state: Box::new(state),
            })
        }
    }
}
