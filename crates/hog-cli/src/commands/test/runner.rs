//! Running one test case: the scripts of the chain on the VM with the case's globals, mocked
//! host functions (sync ones inline, `fetch` through the VM's suspend/resume protocol) and the
//! profile's production limits.

use super::format::{Mock, MockCall};
use crate::commands::compile::{Origin, Profile};
use hog_vm::{Limits, Outcome, Usage, Vm};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

/// Host functions that suspend the VM in PostHog (answered through resume).
const ASYNC_HOST: &[&str] = &["fetch"];
/// PostHog's limit of log entries per destination invocation (`MAX_HOG_LOGS`): the print call
/// that reaches it logs [`LOG_LIMIT_WARNING`] instead, so 24 printed lines are kept.
pub const DESTINATION_LOG_LINES: usize = 25;
/// What PostHog logs when a destination reaches [`DESTINATION_LOG_LINES`].
pub const LOG_LIMIT_WARNING: &str =
    "Function exceeded maximum log entries. No more logs will be collected.";

/// How many printed lines a profile keeps (`usize::MAX`: all).
pub fn kept_log_lines(profile: Option<Profile>) -> usize {
    match profile {
        Some(Profile::Destination) => DESTINATION_LOG_LINES - 1,
        _ => usize::MAX,
    }
}
/// PostHog's limit of `fetch` calls per destination invocation.
pub const DESTINATION_FETCHES: u64 = 5;

/// A compiled script of a chain.
pub struct Script {
    pub path: PathBuf,
    pub bytecode: Value,
    /// The source and its source map (scripts compiled from `.hog`, or bytecode with a
    /// `.hoge.map` beside it), for error positions.
    pub origin: Option<Origin>,
}

/// What running a case produced.
pub struct CaseRun {
    /// The final value, or the error that stopped the run.
    pub result: Result<Value, String>,
    pub stdout: Vec<String>,
    /// Print calls beyond the destination limit (PostHog drops them, see
    /// [`DESTINATION_LOG_LINES`]).
    pub dropped_lines: usize,
    /// For a run that failed: where, with the source underlined and the Hog call stack (scripts
    /// compiled from source only).
    pub error_at: Option<String>,
    pub usage: Usage,
}

/// The limits of a profile (PostHog's production budgets), or the VM defaults.
pub fn limits_for(profile: Option<Profile>) -> Limits {
    let base = Limits::default()
        .with_max_memory(Some(64 * 1024 * 1024))
        .with_timeout(Some(std::time::Duration::from_secs(5)))
        .with_max_call_depth(Some(1000));
    match profile {
        Some(Profile::Destination) => base.with_max_async_steps(Some(DESTINATION_FETCHES)),
        Some(Profile::Transformation) | None => base,
    }
}

/// The host functions a profile's scripts may call; un-mocked calls fail the case.
pub fn host_names(profile: Option<Profile>) -> Vec<&'static str> {
    use hog_compiler::functions::{DESTINATION_HOST, TRANSFORMATION_HOST};
    let list: Vec<&'static str> = match profile {
        Some(Profile::Transformation) => TRANSFORMATION_HOST.iter().map(|h| h.0).collect(),
        Some(Profile::Destination) => DESTINATION_HOST.iter().map(|h| h.0).collect(),
        None => TRANSFORMATION_HOST
            .iter()
            .chain(DESTINATION_HOST)
            .map(|h| h.0)
            .collect(),
    };
    let mut out: Vec<&'static str> = Vec::new();
    for n in list {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// The answering state of every host function a run may call, by name.
pub type MockStates = BTreeMap<String, Rc<RefCell<MockState>>>;

/// One state per name: the mock given for it, or none: its calls then fail, saying where a
/// mock would go (`missing`, e.g. "in this test case (add it under \"mocks\")").
pub fn mock_states(
    names: &[String],
    mocks: &BTreeMap<String, Mock>,
    missing: &'static str,
) -> MockStates {
    names
        .iter()
        .map(|n| {
            let st = MockState {
                name: n.clone(),
                mock: mocks.get(n).cloned(),
                calls: 0,
                missing,
            };
            (n.clone(), Rc::new(RefCell::new(st)))
        })
        .collect()
}

/// Registers the mocks as the VM's host functions: synchronous ones answer inline, `fetch`
/// suspends the VM and is answered by [`answer_async`].
pub fn install_mocks(vm: &mut Vm, states: &MockStates) {
    for (name, state) in states {
        if ASYNC_HOST.contains(&name.as_str()) {
            vm.host_functions_mut().register_async(name.clone());
        } else {
            let state = state.clone();
            vm.host_functions_mut()
                .register_json(name.clone(), move |args| state.borrow_mut().answer(args));
        }
    }
}

/// The mocked answer to a suspended (async) host call, or why there is none.
pub fn answer_async(states: &MockStates, function: &str, args: &[Value]) -> Result<Value, String> {
    match states.get(function) {
        Some(s) => s.borrow_mut().answer(args),
        None => Err(format!("host function `{function}` is not mocked")),
    }
    .map_err(|e| format!("{function}: {e}"))
}

/// A mock and how many calls it answered.
pub struct MockState {
    name: String,
    mock: Option<Mock>,
    calls: usize,
    missing: &'static str,
}

impl MockState {
    fn answer(&mut self, args: &[Value]) -> Result<Value, String> {
        let n = self.calls;
        self.calls += 1;
        let call: &MockCall = match &self.mock {
            None => {
                return Err(format!(
                    "host function `{}` is not mocked {}",
                    self.name, self.missing
                ));
            }
            Some(Mock::Always(c)) => c,
            Some(Mock::Sequence(list)) => match list.get(n) {
                Some(c) => c,
                None => {
                    return Err(format!(
                        "`{}` was called {} times, but the mock lists only {} calls",
                        self.name,
                        n + 1,
                        list.len()
                    ));
                }
            },
        };
        if let Some(expected) = &call.args {
            let same = expected.len() == args.len()
                && expected
                    .iter()
                    .zip(args)
                    .all(|(a, b)| super::diff::json_eq(a, b));
            if !same {
                return Err(format!(
                    "call {} of `{}` got arguments {}, the mock expects {}",
                    n + 1,
                    self.name,
                    Value::Array(args.to_vec()),
                    Value::Array(expected.clone())
                ));
            }
        }
        match &call.error {
            Some(e) => Err(e.clone()),
            None => Ok(call.returns.clone()),
        }
    }
}

/// Runs a case through the chain of scripts.
pub fn run_case(
    scripts: &[Script],
    mut globals: serde_json::Map<String, Value>,
    mocks: &BTreeMap<String, Mock>,
    profile: Option<Profile>,
) -> CaseRun {
    let mut names: Vec<String> = host_names(profile)
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for k in mocks.keys() {
        if !names.contains(k) {
            names.push(k.clone());
        }
    }
    let states = mock_states(&names, mocks, "in this test case (add it under \"mocks\")");

    let mut run = CaseRun {
        result: Ok(Value::Null),
        stdout: Vec::new(),
        dropped_lines: 0,
        error_at: None,
        usage: Usage::default(),
    };
    for (i, script) in scripts.iter().enumerate() {
        if i > 0 {
            match &run.result {
                Ok(Value::Null) => break, // the event was dropped: later steps never see it
                Ok(event) => {
                    globals.insert("event".into(), event.clone());
                }
                Err(_) => break,
            }
        }
        let (result, lines, usage, error_at) = run_script(script, &globals, &states, profile);
        run.error_at = error_at;
        run.result = result.map_err(|e| {
            if scripts.len() > 1 {
                format!("{}: {e}", script.path.display())
            } else {
                e
            }
        });
        run.stdout.extend(lines);
        run.usage.steps += usage.steps;
        run.usage.wall_time_us += usage.wall_time_us;
        run.usage.peak_memory = run.usage.peak_memory.max(usage.peak_memory);
        run.usage.host_calls += usage.host_calls;
        run.usage.async_calls += usage.async_calls;
    }
    let keep = kept_log_lines(profile);
    if run.stdout.len() > keep {
        run.dropped_lines = run.stdout.len() - keep;
        run.stdout.truncate(keep);
    }
    run
}

/// What one script of a chain did: its result, printed lines, usage, and the rendered position
/// of its error.
type ScriptRun = (Result<Value, String>, Vec<String>, Usage, Option<String>);

fn run_script(
    script: &Script,
    globals: &serde_json::Map<String, Value>,
    states: &MockStates,
    profile: Option<Profile>,
) -> ScriptRun {
    let mut vm = match Vm::from_json(script.bytecode.clone()) {
        Ok(vm) => vm,
        Err(e) => return (Err(e.to_string()), Vec::new(), Usage::default(), None),
    };
    if let Err(e) = vm.set_globals(Value::Object(globals.clone())) {
        return (Err(e.to_string()), Vec::new(), Usage::default(), None);
    }
    vm.set_limits(limits_for(profile));
    install_mocks(&mut vm, states);
    let mut usage = Usage::default();
    let mut outcome = vm.run();
    let result = loop {
        add_usage(&mut usage, vm.usage());
        match outcome {
            Err(e) => break Err(e.to_string()),
            Ok(Outcome::Finished(v)) => break Ok(v),
            Ok(Outcome::Suspended {
                function,
                args,
                state,
            }) => match answer_async(states, &function, &args) {
                Ok(v) => outcome = vm.resume(state, v),
                Err(e) => break Err(e),
            },
        }
    };
    // The VM has a trace for errors raised while executing; a failed mocked async call has
    // none (the VM was suspended, not failing).
    let error_at = match (&result, &script.origin, vm.error_trace()) {
        (Err(message), Some(origin), Some(trace)) => {
            let text = origin.render_error(message, Some(trace));
            (!text.starts_with("error: ")).then_some(text)
        }
        _ => None,
    };
    (result, vm.take_output(), usage, error_at)
}

/// `vm.usage()` is cumulative over resumptions except for the counters we take the max of.
fn add_usage(total: &mut Usage, now: &Usage) {
    total.steps = total.steps.max(now.steps);
    total.wall_time_us = total.wall_time_us.max(now.wall_time_us);
    total.peak_memory = total.peak_memory.max(now.peak_memory);
    total.host_calls = total.host_calls.max(now.host_calls);
    total.async_calls = total.async_calls.max(now.async_calls);
}
