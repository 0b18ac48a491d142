//! The standard library: one registry built from per-theme tables.
//!
//! Each themed module (`strings.rs`, `arrays.rs`, …) exports a declarative table
//! `pub(crate) const FUNCTIONS: &[NativeDef]`; [`lookup`] searches all of them through one
//! map built on first use. The interpreter resolves `CALL_GLOBAL` names once, when a program is
//! prepared, so a call never pays for the lookup.
//!
//! # Adding a function
//! 1. Write `fn my_fn(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError>` in the
//!    module of its theme, and add `NativeDef { name: "myFn", min_args: 1, max_args: 2, call:
//!    my_fn }` to that module's `FUNCTIONS` (use [`VARIADIC`] for "no maximum").
//! 2. **Arity is checked by the registry** before the call (`Function myFn requires at least 1
//!    arguments` …), so `args.len()` is always within `min_args..=max_args`. When the function
//!    is called through a closure (`let f := myFn; f(x)`) missing trailing arguments arrive as
//!    `Value::Null`, padded up to `max_args` (PostHog does the same) — treat `Null` like
//!    "absent".
//! 3. **Charge memory for what you allocate**: build results with [`NativeCtx::string`],
//!    [`NativeCtx::array`], [`NativeCtx::tuple`], [`NativeCtx::dict`] (they charge and then
//!    wrap). If a result can be much larger than the inputs, call [`NativeCtx::charge`] with
//!    the expected size *before* building it. Never return `Value::from(String)` for a
//!    computed string: that would bypass the budget.
//! 4. **Errors**: bad arguments are `Err(VmError::runtime("message"))` (a data error; PostHog
//!    makes STL errors uncatchable by Hog `try/catch`). Never panic, never index without a
//!    check; deep recursion over values must stop at [`crate::MAX_NESTING`] levels
//!    (`VmError::Limit(LimitExceeded::Nesting { .. })`).
//! 5. Print-format text (what `toString`/`concat` produce) comes from [`NativeCtx::display`]
//!    and [`NativeCtx::repr`], which are bounded by the remaining memory budget.
//! 6. Time and randomness come from the context ([`NativeCtx::now`], [`NativeCtx::time_zone`],
//!    [`NativeCtx::random_u64`], [`NativeCtx::random_f64`]), so hosts and tests can fix them.
//! 7. Add a test in the module (or in `tests/`) and list the module below if it is new.
//!
//! Functions never call back into the VM (functions that take callbacks, like `arrayMap`, are
//! written in Hog: see `bytecode_stl.rs`).

pub(crate) mod arrays;
pub(crate) mod bytecode_stl;
pub(crate) mod crypto;
pub(crate) mod dates;
pub(crate) mod dicts;
pub(crate) mod errors;
pub(crate) mod ip;
pub(crate) mod json;
pub(crate) mod logic;
pub(crate) mod math;
pub(crate) mod output;
pub(crate) mod regex;
pub(crate) mod strings;
pub(crate) mod types;

use crate::env::Env;
use crate::error::VmError;
use crate::memory::{self, Memory};
use crate::value::{DictMap, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The signature of every native function.
pub type NativeFn = fn(&mut NativeCtx<'_>, &[Value]) -> Result<Value, VmError>;

/// `max_args` of a function without an upper bound.
pub const VARIADIC: usize = usize::MAX;

/// One native function: its Hog name, arity range and implementation.
#[derive(Clone, Copy)]
pub struct NativeDef {
    pub name: &'static str,
    pub min_args: usize,
    /// [`VARIADIC`] for unbounded.
    pub max_args: usize,
    pub call: NativeFn,
}

impl NativeDef {
    /// The argument count PostHog shows for this function as a value (`fn<name(N)>`).
    pub fn display_arity(&self) -> usize {
        if self.max_args == VARIADIC {
            self.min_args
        } else {
            self.max_args
        }
    }

    /// PostHog's arity check and messages.
    pub fn check_arity(&self, argc: usize) -> Result<(), VmError> {
        if argc < self.min_args {
            return Err(VmError::runtime(format!(
                "Function {} requires at least {} arguments",
                self.name, self.min_args
            )));
        }
        if argc > self.max_args {
            return Err(VmError::runtime(format!(
                "Function {} requires at most {} arguments",
                self.name, self.max_args
            )));
        }
        Ok(())
    }
}

impl std::fmt::Debug for NativeDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NativeDef({} {}..{})",
            self.name, self.min_args, self.max_args
        )
    }
}

/// All module tables. The registry is built from exactly this list.
const MODULES: &[&[NativeDef]] = &[
    output::FUNCTIONS,
    types::FUNCTIONS,
    logic::FUNCTIONS,
    arrays::FUNCTIONS,
    dicts::FUNCTIONS,
    errors::FUNCTIONS,
    strings::FUNCTIONS,
    json::FUNCTIONS,
    dates::FUNCTIONS,
    crypto::FUNCTIONS,
    ip::FUNCTIONS,
    regex::FUNCTIONS,
    math::FUNCTIONS,
];

struct Registry {
    by_name: HashMap<&'static str, &'static NativeDef>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut by_name = HashMap::new();
        for table in MODULES {
            for def in table.iter() {
                // The first definition wins; `duplicate_names` (a test) keeps the tables disjoint.
                by_name.entry(def.name).or_insert(def);
            }
        }
        Registry { by_name }
    })
}

/// The native function called `name`, if any.
pub fn lookup(name: &str) -> Option<&'static NativeDef> {
    registry().by_name.get(name).copied()
}

/// Every native function name (unordered).
pub fn names() -> impl Iterator<Item = &'static str> {
    registry().by_name.keys().copied()
}

/// What a native function can reach: the memory ledger, the environment (clock, random
/// source, time zone, print sink) and, for memory re-measurement, the program's live values.
pub struct NativeCtx<'a> {
    pub(crate) mem: &'a mut Memory,
    pub(crate) roots: &'a [Value],
    pub(crate) env: &'a mut Env,
}

impl<'a> NativeCtx<'a> {
    pub(crate) fn new(mem: &'a mut Memory, roots: &'a [Value], env: &'a mut Env) -> Self {
        NativeCtx { mem, roots, env }
    }

    /// Charges `bytes` that are about to be allocated; fails with a memory-limit error.
    pub fn charge(&mut self, bytes: u64) -> Result<(), VmError> {
        self.mem.charge(bytes, self.roots)
    }

    /// Charges and wraps a computed string.
    pub fn string(&mut self, s: String) -> Result<Value, VmError> {
        self.charge(memory::string_cost(s.len()))?;
        Ok(Value::from(s))
    }

    /// Charges and wraps a new array.
    pub fn array(&mut self, items: Vec<Value>) -> Result<Value, VmError> {
        self.charge(memory::array_cost(items.len()))?;
        Ok(Value::array(items))
    }

    /// Charges and wraps a new tuple.
    pub fn tuple(&mut self, items: Vec<Value>) -> Result<Value, VmError> {
        self.charge(memory::array_cost(items.len()))?;
        Ok(Value::tuple(items))
    }

    /// Charges and wraps a new dict.
    pub fn dict(&mut self, map: DictMap) -> Result<Value, VmError> {
        self.charge(memory::dict_cost(map.len()))?;
        Ok(Value::dict(map))
    }

    /// The top-level print form of `v` (strings raw), bounded by the remaining memory budget.
    pub fn display(&mut self, v: &Value) -> Result<String, VmError> {
        let s = crate::print::display(v, self.text_budget()).map_err(|e| self.remap(e))?;
        self.charge(memory::string_cost(s.len()))?;
        Ok(s)
    }

    /// The nested print form of `v` (strings quoted), bounded like [`display`](Self::display).
    pub fn repr(&mut self, v: &Value) -> Result<String, VmError> {
        let s = crate::print::repr(v, self.text_budget()).map_err(|e| self.remap(e))?;
        self.charge(memory::string_cost(s.len()))?;
        Ok(s)
    }

    /// How many bytes of text may be produced before the memory limit is hit.
    pub fn text_budget(&self) -> usize {
        usize::try_from(self.mem.headroom()).unwrap_or(usize::MAX)
    }

    /// Turns a text-length overflow from `print` into a memory error with this run's totals.
    pub(crate) fn remap(&self, e: VmError) -> VmError {
        match e {
            VmError::Limit(crate::LimitExceeded::Memory { needed, .. }) => {
                VmError::Limit(crate::LimitExceeded::Memory {
                    limit: self.mem.limit(),
                    needed: self.mem.used().saturating_add(needed),
                })
            }
            other => other,
        }
    }

    /// Sends one line to the print sink.
    pub fn print_line(&mut self, line: &str) {
        (self.env.print)(line)
    }

    /// Current time, epoch seconds.
    pub fn now(&self) -> f64 {
        self.env.now()
    }

    /// The default time zone of this run (IANA name; `UTC` unless the host set another).
    pub fn time_zone(&self) -> &str {
        &self.env.time_zone
    }

    /// 64 random bits.
    pub fn random_u64(&mut self) -> u64 {
        self.env.next_u64()
    }

    /// A uniform float in `[0, 1)`.
    pub fn random_f64(&mut self) -> f64 {
        (self.env.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Test support for STL modules: calls native function `name` the way `CALL_GLOBAL` does
/// (arity check included) with a 64 MiB budget, the clock fixed at 2024-05-03T12:34:56Z, a fixed
/// random seed and printed lines collected into the returned vector.
#[cfg(test)]
pub(crate) fn call_for_test(name: &str, args: &[Value]) -> (Result<Value, VmError>, Vec<String>) {
    use std::cell::RefCell;
    use std::rc::Rc;
    let def = match lookup(name) {
        Some(def) => def,
        None => {
            return (
                Err(VmError::runtime(format!(
                    "Unsupported function call: {name}"
                ))),
                vec![],
            );
        }
    };
    if let Err(e) = def.check_arity(args.len()) {
        return (Err(e), vec![]);
    }
    let lines = Rc::new(RefCell::new(Vec::new()));
    let sink = lines.clone();
    let mut env = Env::new();
    env.print = Box::new(move |l| sink.borrow_mut().push(l.to_owned()));
    env.clock = crate::env::Clock::Fixed(1_714_739_696.0);
    env.rng = crate::env::seed(42);
    let mut mem = Memory::new(Some(64 << 20));
    let result = (def.call)(&mut NativeCtx::new(&mut mem, args, &mut env), args);
    drop(env);
    let lines = lines.borrow().clone();
    (result, lines)
}

/// [`call_for_test`] with the result in print format (`ERROR: …` for an error): the shape the
/// STL modules' unit tests compare against.
#[cfg(test)]
pub(crate) fn display_call_for_test(name: &str, args: Vec<Value>) -> String {
    match call_for_test(name, &args).0 {
        Ok(v) => crate::print::display(&v, usize::MAX).unwrap_or_else(|e| format!("ERROR: {e}")),
        Err(e) => format!("ERROR: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_and_errors_through_the_registry() {
        let (r, out) = call_for_test(
            "print",
            &[
                Value::from("a"),
                Value::Int(1),
                Value::array(vec![Value::from("b")]),
            ],
        );
        assert!(r.unwrap().is_null());
        assert_eq!(out, vec!["a 1 ['b']".to_owned()]);
        let (r, _) = call_for_test("HogError", &[Value::from("FishError"), Value::from("it's")]);
        assert_eq!(format!("{:?}", r.unwrap()), r"FishError('it\'s')");
        let (r, _) = call_for_test("Error", &[]);
        assert_eq!(format!("{:?}", r.unwrap()), "Error('An error occurred')");
        let (r, _) = call_for_test("HogError", &[]);
        assert_eq!(
            r.unwrap_err().to_string(),
            "Function HogError requires at least 1 arguments"
        );
    }

    #[test]
    fn duplicate_names() {
        let mut seen = std::collections::HashSet::new();
        for table in MODULES {
            for def in table.iter() {
                assert!(seen.insert(def.name), "{} is defined twice", def.name);
                assert!(def.min_args <= def.max_args, "{}", def.name);
            }
        }
    }
}
