//! The interpreter loop.
//!
//! One flat loop over the current chunk's pre-decoded instructions; calls push a [`Frame`] on
//! a heap-allocated call stack (never Rust recursion), so Hog recursion depth is bounded only
//! by the call-depth limit. Every instruction passes through the step counter; every
//! [`TICK_INTERVAL`] steps (and at budget boundaries) [`Machine::tick`] checks the step budget,
//! the deadline and the host's progress callback — the single choke point for those limits.
//! Memory is charged where values are created (see `memory.rs`).

use crate::closure::{Callable, CallableKind, Closure, Upvalue, UpvalueState};
use crate::env::Env;
use crate::error::{LimitExceeded, VmError};
use crate::host::{HostFunctions, HostImpl};
use crate::limits::{Control, Limits, Progress, TICK_INTERVAL};
use crate::memory::{self, Memory};
use crate::ops;
use crate::program::{Chunk, Op, decode_chunk};
use crate::stl::{self, NativeCtx, NativeDef, VARIADIC};
use crate::value::{DictKey, HogStr, Value, dict_map_with_capacity};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// One activation record.
#[derive(Clone)]
pub(crate) struct Frame {
    pub chunk: u32,
    /// Next instruction to run (for callers: already past the call).
    pub ip: u32,
    /// Absolute stack slot of local 0.
    pub stack_start: u32,
    /// The closure being run (`None` for the root and legacy declared functions).
    pub closure: Option<Rc<Closure>>,
}

/// A `TRY` handler.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TryFrame {
    /// Call-stack length when `TRY` ran.
    pub depth: u32,
    /// Value-stack length when `TRY` ran.
    pub stack_len: u32,
    /// Catch code, an instruction index in the chunk of frame `depth - 1`.
    pub catch_ip: u32,
}

/// What a `CALL_GLOBAL` name resolves to.
#[derive(Clone, Copy, Debug)]
enum Target {
    Unresolved,
    Native(&'static NativeDef),
    /// `concat` from the STL: eligible for in-place appending.
    Concat(&'static NativeDef),
    /// `arrayPushBack` from the STL: eligible for in-place pushing.
    PushBack(&'static NativeDef),
    Host,
    Async,
    BytecodeStl {
        chunk: u32,
        argc: u32,
    },
    Unknown,
}

/// How a run stopped.
pub(crate) enum Exit {
    Finished(Value),
    Suspended { function: String, args: Vec<Value> },
}

/// A legacy `DECLARE_FN` registration.
#[derive(Clone, Debug)]
pub(crate) struct Declared {
    pub chunk: u32,
    pub body: u32,
    pub arg_count: u32,
}

/// All state of one execution.
pub(crate) struct Machine<'a> {
    pub chunks: Vec<Rc<Chunk>>,
    targets: Vec<Vec<Target>>,
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    pub tries: Vec<TryFrame>,
    /// Open upvalues, sorted by slot, with their slots alongside for quick checks.
    pub open: Vec<Rc<Upvalue>>,
    pub open_slots: Vec<usize>,
    pub declared: HashMap<String, Declared>,
    pub mem: Memory,
    pub env: Env,
    pub limits: Limits,
    pub steps: u64,
    tick_at: u64,
    /// Synchronous time spent in earlier resumptions.
    pub prior_time: Duration,
    started: Instant,
    /// The globals as the host gave them; `GET_GLOBAL` converts the part it reads (a fresh
    /// copy every time, as PostHog's VMs do), so unread globals cost nothing.
    pub globals: Rc<serde_json::Value>,
    host: &'a HostFunctions,
    progress: Option<&'a mut dyn FnMut(&Progress) -> Control>,
    pub async_steps: u64,
    pub host_calls: u64,
    pub max_depth_seen: usize,
    stack_reserved: usize,
    /// Bookkeeping bytes (frames, try handlers) already charged.
    bookkeeping_charged: u64,
    /// Objects through which a reference cycle can close: containers that had a container
    /// stored into them, and upvalue cells. Cleared when the machine is dropped, so cycles
    /// (`a[1] := a`, every recursive function capturing itself) do not outlive the run.
    cycle_candidates: Vec<Candidate>,
    /// Object keys shared by JSON conversions (lent by the `Vm`, kept across runs).
    pub keys: crate::convert::KeyCache,
}

/// A weak reference to an object that may be part of a reference cycle.
enum Candidate {
    Array(std::rc::Weak<crate::value::HogArray>),
    Dict(std::rc::Weak<crate::value::HogDict>),
    Upvalue(std::rc::Weak<Upvalue>),
}

impl Drop for Machine<'_> {
    fn drop(&mut self) {
        let mut freed = Vec::new();
        for c in self.cycle_candidates.drain(..) {
            match c {
                // Only containers can close a cycle: take those out (strings and scalars stay
                // and are freed with their owner).
                Candidate::Array(w) => {
                    if let Some(a) = w.upgrade() {
                        let mut items = a.borrow_mut();
                        if items.iter().any(crate::value::is_container) {
                            freed.append(&mut items);
                        }
                    }
                }
                Candidate::Dict(w) => {
                    if let Some(d) = w.upgrade() {
                        let mut map = d.borrow_mut();
                        if map.values().any(crate::value::is_container)
                            || map.keys().any(|k| crate::value::is_container(&k.0))
                        {
                            for (k, v) in std::mem::take(&mut *map) {
                                if crate::value::is_container(&k.0) {
                                    freed.push(k.0);
                                }
                                if crate::value::is_container(&v) {
                                    freed.push(v);
                                }
                            }
                        }
                    }
                }
                Candidate::Upvalue(w) => {
                    if let Some(u) = w.upgrade()
                        && let UpvalueState::Closed(v) = std::mem::replace(
                            &mut *u.0.borrow_mut(),
                            UpvalueState::Closed(Value::Null),
                        )
                    {
                        freed.push(v);
                    }
                }
            }
        }
        crate::value::drop_iteratively(freed);
    }
}

const STACK_CHUNK: usize = 1024;
/// Approximate bytes of one call frame / try handler, for memory accounting.
const FRAME_COST: u64 = 48;
const TRY_COST: u64 = 16;
const CANDIDATE_COST: u64 = 16;
const BOOKKEEPING_CHUNK: u64 = 16 * 1024;

fn underflow() -> VmError {
    VmError::bytecode("Invalid HogQL bytecode, stack is empty, can not pop", None)
}

impl<'a> Machine<'a> {
    pub fn new(
        root: Rc<Chunk>,
        limits: Limits,
        env: Env,
        globals: Rc<serde_json::Value>,
        host: &'a HostFunctions,
        progress: Option<&'a mut dyn FnMut(&Progress) -> Control>,
    ) -> Self {
        let targets = vec![vec![Target::Unresolved; root.calls.len()]];
        Machine {
            chunks: vec![root],
            targets,
            stack: Vec::new(),
            frames: vec![Frame {
                chunk: 0,
                ip: 0,
                stack_start: 0,
                closure: None,
            }],
            tries: Vec::new(),
            open: Vec::new(),
            open_slots: Vec::new(),
            declared: HashMap::new(),
            mem: Memory::new(limits.max_memory),
            env,
            limits,
            steps: 0,
            tick_at: 0,
            prior_time: Duration::ZERO,
            started: Instant::now(),
            globals,
            host,
            progress,
            async_steps: 0,
            host_calls: 0,
            max_depth_seen: 1,
            stack_reserved: 0,
            bookkeeping_charged: 0,
            cycle_candidates: Vec::new(),
            keys: Default::default(),
        }
    }

    /// Keeps everything reachable from `v` (a finished value handed to the host as it is) out
    /// of the cycle breaking at drop, which would otherwise empty its containers.
    pub fn keep_alive(&mut self, v: &Value) {
        if self.cycle_candidates.is_empty() || !crate::value::is_container(v) {
            return;
        }
        let mut seen: std::collections::HashSet<usize, crate::value::FxBuildHasher> =
            Default::default();
        let mut work = vec![v.clone()];
        let containers = |items: &mut Vec<Value>, it: &mut dyn Iterator<Item = &Value>| {
            items.extend(it.filter(|x| crate::value::is_container(x)).cloned());
        };
        while let Some(x) = work.pop() {
            let Some(id) = x.heap_id() else { continue };
            if !seen.insert(id) {
                continue;
            }
            match &x {
                Value::Array(a) => containers(&mut work, &mut a.borrow().iter()),
                Value::Tuple(t) => containers(&mut work, &mut t.iter()),
                Value::Dict(d) => {
                    let map = d.borrow();
                    containers(&mut work, &mut map.keys().map(|k| &k.0));
                    containers(&mut work, &mut map.values());
                }
                Value::Closure(c) => {
                    for up in &c.upvalues {
                        if seen.insert(Rc::as_ptr(up) as *const u8 as usize)
                            && let UpvalueState::Closed(val) = &*up.0.borrow()
                            && crate::value::is_container(val)
                        {
                            work.push(val.clone());
                        }
                    }
                }
                Value::Error(e) => containers(&mut work, &mut std::iter::once(&e.payload)),
                _ => {}
            }
        }
        self.cycle_candidates.retain(|c| {
            let id = match c {
                Candidate::Array(w) => w.as_ptr() as *const u8 as usize,
                Candidate::Dict(w) => w.as_ptr() as *const u8 as usize,
                Candidate::Upvalue(w) => w.as_ptr() as *const u8 as usize,
            };
            !seen.contains(&id)
        });
    }

    /// Time spent executing so far (this resumption plus earlier ones).
    pub fn elapsed(&self) -> Duration {
        self.prior_time + self.started.elapsed()
    }

    /// Adds a chunk (a bytecode-STL function or a chunk restored from state); returns its index.
    pub fn add_chunk(&mut self, chunk: Rc<Chunk>) -> u32 {
        self.targets
            .push(vec![Target::Unresolved; chunk.calls.len()]);
        self.chunks.push(chunk);
        (self.chunks.len() - 1) as u32
    }

    /// The index of the bytecode-STL chunk `stl/<name>`, loading it on first use.
    pub fn stl_chunk(&mut self, name: &str) -> Result<Option<(u32, u32)>, VmError> {
        let Some(def) = stl::bytecode_stl::lookup(name) else {
            return Ok(None);
        };
        let chunk_name = format!("stl/{name}");
        if let Some(i) = self.chunks.iter().position(|c| c.name == chunk_name) {
            return Ok(Some((i as u32, def.arg_count)));
        }
        let elements = def.bytecode()?;
        let chunk = decode_chunk(&chunk_name, &elements, false)?;
        Ok(Some((self.add_chunk(Rc::new(chunk)), def.arg_count)))
    }

    // --------------------------------------------------------------------------------------------
    // Stack helpers

    #[inline(always)]
    fn push(&mut self, v: Value) -> Result<(), VmError> {
        if self.stack.len() >= self.stack_reserved {
            self.grow_stack()?;
        }
        self.stack.push(v);
        Ok(())
    }

    #[cold]
    fn grow_stack(&mut self) -> Result<(), VmError> {
        self.mem
            .charge(memory::SLOT * STACK_CHUNK as u64, &self.stack)?;
        self.stack_reserved = self.stack.len() + STACK_CHUNK;
        Ok(())
    }

    #[inline(always)]
    fn pop(&mut self) -> Result<Value, VmError> {
        self.stack.pop().ok_or_else(underflow)
    }

    /// Records `obj` (which is about to hold a container) as a possible cycle member, skipping
    /// a repeat of the last one recorded (loops usually mutate the same object).
    fn note_cycle_candidate(&mut self, obj: &Value) -> Result<(), VmError> {
        let candidate = match obj {
            Value::Array(a) => {
                if let Some(Candidate::Array(last)) = self.cycle_candidates.last()
                    && std::ptr::eq(last.as_ptr(), Rc::as_ptr(a))
                {
                    return Ok(());
                }
                Candidate::Array(Rc::downgrade(a))
            }
            Value::Dict(d) => {
                if let Some(Candidate::Dict(last)) = self.cycle_candidates.last()
                    && std::ptr::eq(last.as_ptr(), Rc::as_ptr(d))
                {
                    return Ok(());
                }
                Candidate::Dict(Rc::downgrade(d))
            }
            _ => return Ok(()),
        };
        self.cycle_candidates.push(candidate);
        self.charge_bookkeeping()
    }

    /// Truncates the value stack to `len`, closing every open upvalue at or above it.
    pub fn truncate_stack(&mut self, len: usize) {
        while let Some(&slot) = self.open_slots.last() {
            if slot < len {
                break;
            }
            let value = self.stack.get(slot).cloned().unwrap_or_default();
            if let Some(up) = self.open.pop() {
                *up.0.borrow_mut() = UpvalueState::Closed(value);
            }
            self.open_slots.pop();
        }
        self.stack.truncate(len);
    }

    /// Charges growth of the call stack and the try-handler stack (in chunks), so that deep
    /// recursion without a depth limit or endless `TRY`s are bounded by the memory budget.
    #[inline]
    fn charge_bookkeeping(&mut self) -> Result<(), VmError> {
        let current = self.frames.len() as u64 * FRAME_COST
            + self.tries.len() as u64 * TRY_COST
            + self.cycle_candidates.len() as u64 * CANDIDATE_COST;
        if current > self.bookkeeping_charged {
            self.mem.set_extra(current);
            let add = current - self.bookkeeping_charged + BOOKKEEPING_CHUNK;
            self.mem.charge(add, &self.stack)?;
            self.bookkeeping_charged = current + BOOKKEEPING_CHUNK;
        }
        Ok(())
    }

    fn charge(&mut self, bytes: u64) -> Result<(), VmError> {
        self.mem.charge(bytes, &self.stack)
    }

    // --------------------------------------------------------------------------------------------
    // The choke point

    /// Checks the step budget, the deadline and the progress callback. Called every
    /// [`TICK_INTERVAL`] instructions.
    #[cold]
    fn tick(&mut self) -> Result<(), VmError> {
        if let Some(max) = self.limits.max_steps
            && self.steps > max
        {
            return Err(LimitExceeded::Steps { limit: max }.into());
        }
        let elapsed = self.elapsed();
        if let Some(timeout) = self.limits.timeout
            && elapsed > timeout
        {
            return Err(LimitExceeded::Time {
                limit_ms: timeout.as_millis() as u64,
                steps: self.steps,
            }
            .into());
        }
        if let Some(cb) = self.progress.as_mut() {
            let p = Progress {
                steps: self.steps,
                memory: self.mem.used(),
                elapsed,
            };
            if cb(&p) == Control::Abort {
                return Err(LimitExceeded::Aborted { steps: self.steps }.into());
            }
        }
        let mut next = self.steps + TICK_INTERVAL;
        if let Some(max) = self.limits.max_steps {
            next = next.min(max + 1);
        }
        self.tick_at = next.max(self.steps + 1);
        Ok(())
    }

    // --------------------------------------------------------------------------------------------
    // Call resolution

    fn resolve(&mut self, name: &str) -> Result<Target, VmError> {
        if let Some(h) = self.host.get(name) {
            return Ok(match h {
                HostImpl::Async => Target::Async,
                _ => Target::Host,
            });
        }
        if name == "sleep" {
            return Ok(Target::Async);
        }
        if let Some(def) = stl::lookup(name) {
            return Ok(match name {
                "concat" => Target::Concat(def),
                "arrayPushBack" => Target::PushBack(def),
                _ => Target::Native(def),
            });
        }
        if let Some((chunk, argc)) = self.stl_chunk(name)? {
            return Ok(Target::BytecodeStl { chunk, argc });
        }
        Ok(Target::Unknown)
    }

    fn target(&mut self, chunk: usize, call: usize) -> Result<Target, VmError> {
        let t = self.targets[chunk][call];
        if !matches!(t, Target::Unresolved) {
            return Ok(t);
        }
        let name = self.chunks[chunk].calls[call].clone();
        let t = self.resolve(&name)?;
        self.targets[chunk][call] = t;
        Ok(t)
    }

    // --------------------------------------------------------------------------------------------
    // Calls

    fn check_argc(&self, argc: usize) -> Result<(), VmError> {
        if let Some(max) = self.limits.max_args
            && argc > max
        {
            return Err(LimitExceeded::Arguments {
                limit: max,
                got: argc,
            }
            .into());
        }
        if argc > self.stack.len() {
            return Err(VmError::bytecode("Not enough arguments on the stack", None));
        }
        Ok(())
    }

    /// Calls a native with the top `argc` stack values (already in source order), replacing
    /// them with the result.
    fn call_native(&mut self, def: &'static NativeDef, argc: usize) -> Result<(), VmError> {
        def.check_arity(argc)?;
        let base = self.stack.len() - argc;
        let result = {
            let (roots, args) = (&self.stack[..], &self.stack[base..]);
            let mut ctx = NativeCtx::new(&mut self.mem, roots, &mut self.env);
            (def.call)(&mut ctx, args)?
        };
        self.stack.truncate(base);
        self.stack.push(result);
        Ok(())
    }

    /// The shared test of the in-place fast paths: the next instruction stores into a local
    /// that holds the very value passed as the call's first argument (`same`), and once the
    /// local's reference is dropped (SET_LOCAL overwrites it next anyway) the argument is the
    /// only one left. Then the value is taken off the stack, to be grown instead of copied, and
    /// returned with its stack index; otherwise the stack is left as it was.
    fn take_accumulator(
        &mut self,
        argc: usize,
        next: Option<Op>,
        base_slot: usize,
        same: fn(&Value, &Value) -> bool,
    ) -> Option<(usize, Value)> {
        let Some(Op::SetLocal(local)) = next else {
            return None;
        };
        let slot = base_slot + local as usize;
        let first = self.stack.len() - argc;
        if slot >= first || !same(&self.stack[slot], &self.stack[first]) {
            return None;
        }
        self.stack[slot] = Value::Null;
        let mut acc = std::mem::take(&mut self.stack[first]);
        let unique = match &mut acc {
            Value::Str(s) => s.get_mut().is_some(),
            Value::Array(a) => Rc::get_mut(a).is_some(),
            _ => false,
        };
        if !unique {
            self.stack[slot] = acc.clone();
            self.stack[first] = acc;
            return None;
        }
        Some((first, acc))
    }

    /// `concat` with the accumulator pattern `s := concat(s, …)`: when the next instruction
    /// stores into the local holding the first argument and nothing else shares that string,
    /// append in place (amortised linear string building). Returns false if not applicable.
    fn concat_in_place(
        &mut self,
        argc: usize,
        next: Option<Op>,
        base_slot: usize,
    ) -> Result<bool, VmError> {
        if argc == 0 {
            return Ok(false);
        }
        let Some((first, mut acc)) =
            self.take_accumulator(argc, next, base_slot, |local, arg| match (local, arg) {
                (Value::Str(a), Value::Str(b)) => HogStr::ptr_eq(a, b),
                _ => false,
            })
        else {
            return Ok(false);
        };
        // Text of the other arguments (strings raw, null skipped, others in print format).
        let mut extra = String::new();
        for i in first + 1..self.stack.len() {
            match &self.stack[i] {
                Value::Null => {}
                Value::Str(s) => extra.push_str(s),
                other => {
                    let budget = usize::try_from(self.mem.headroom()).unwrap_or(usize::MAX);
                    crate::print::write_display(&mut extra, other, budget)?;
                }
            }
        }
        if let Value::Str(s) = &mut acc
            && let Some(buf) = s.get_mut()
        {
            let before = buf.capacity();
            if buf.len() + extra.len() > before {
                let grow = (buf.len() + extra.len()).max(before * 2) - before;
                self.mem.charge(grow as u64, &self.stack)?;
                buf.reserve(grow);
            }
            buf.push_str(&extra);
        }
        self.stack.truncate(first);
        self.stack.push(acc);
        Ok(true)
    }

    /// `arr := arrayPushBack(arr, v)` where nothing else shares `arr`: push in place instead of
    /// copying (arrayMap/arrayFilter build their results this way; copying made them
    /// quadratic). Same conditions as [`Self::concat_in_place`].
    fn push_back_in_place(
        &mut self,
        argc: usize,
        next: Option<Op>,
        base_slot: usize,
    ) -> Result<bool, VmError> {
        if argc != 2 {
            return Ok(false);
        }
        let Some((first, acc)) =
            self.take_accumulator(argc, next, base_slot, |local, arg| match (local, arg) {
                (Value::Array(a), Value::Array(b)) => Rc::ptr_eq(a, b),
                _ => false,
            })
        else {
            return Ok(false);
        };
        let item = self.stack.pop().unwrap_or_default(); // len >= 2 was checked by the caller
        if let Value::Array(a) = &acc {
            let (len, cap) = {
                let items = a.borrow();
                (items.len(), items.capacity())
            };
            if len == cap {
                let grow = cap.max(4);
                self.mem.charge(memory::SLOT * grow as u64, &self.stack)?;
                a.borrow_mut().reserve(grow);
            }
            a.borrow_mut().push(item);
        }
        self.stack[first] = acc;
        Ok(true)
    }

    fn call_host(&mut self, name: &str, argc: usize) -> Result<(), VmError> {
        let base = self.stack.len() - argc;
        self.host_calls += 1;
        let result = match self.host.get(name) {
            Some(HostImpl::Values(f)) => f(&self.stack[base..]).map_err(|m| VmError::Host {
                name: name.to_owned(),
                message: m,
            })?,
            Some(HostImpl::Json(f)) => {
                let args = self.json_args(base)?;
                let out = f(&args).map_err(|m| VmError::Host {
                    name: name.to_owned(),
                    message: m,
                })?;
                return self.push_json_result(base, &out);
            }
            Some(HostImpl::SharedJson(f)) => {
                let args = self.json_args(base)?;
                let out = f(&args).map_err(|m| VmError::Host {
                    name: name.to_owned(),
                    message: m,
                })?;
                return self.push_json_result(base, &out);
            }
            _ => {
                return Err(VmError::runtime(format!(
                    "Invalid host function call: {name}"
                )));
            }
        };
        // Built by the host: measured after the fact.
        let cost = memory::measure(std::slice::from_ref(&result));
        self.charge(cost)?;
        self.stack.truncate(base);
        self.stack.push(result);
        Ok(())
    }

    /// The arguments from `base` up, as JSON for a JSON host function.
    fn json_args(&self, base: usize) -> Result<Vec<serde_json::Value>, VmError> {
        self.stack[base..]
            .iter()
            .map(crate::convert::value_to_json)
            .collect()
    }

    /// Replaces the arguments from `base` up with a host function's JSON result, converted
    /// and charged piece by piece before each allocation.
    fn push_json_result(&mut self, base: usize, out: &serde_json::Value) -> Result<(), VmError> {
        let mem = &mut self.mem;
        let stack = &self.stack;
        let value = crate::convert::json_to_value_charged(out, &mut self.keys, &mut |b| {
            mem.charge(b, stack)
        })?;
        self.stack.truncate(base);
        self.stack.push(value);
        Ok(())
    }

    /// Pops `argc` arguments for an async call and counts the suspension.
    fn suspend(&mut self, name: &str, argc: usize) -> Result<Exit, VmError> {
        if let Some(max) = self.limits.max_async_steps
            && self.async_steps >= max
        {
            return Err(LimitExceeded::AsyncSteps { limit: max }.into());
        }
        self.async_steps += 1;
        let base = self.stack.len() - argc;
        let args = self.stack.split_off(base);
        Ok(Exit::Suspended {
            function: name.to_owned(),
            args,
        })
    }

    /// Enters a function: `argc` arguments are on the stack.
    fn enter(
        &mut self,
        chunk: u32,
        ip: u32,
        arg_count: u32,
        argc: usize,
        closure: Option<Rc<Closure>>,
    ) -> Result<(), VmError> {
        for _ in argc..arg_count as usize {
            self.push(Value::Null)?;
        }
        // Limits are checked with the caller still on top, so an error leaves the call stack
        // as it was (the error trace then points at the call).
        if let Some(max) = self.limits.max_call_depth
            && self.frames.len() >= max
        {
            return Err(LimitExceeded::CallDepth { limit: max }.into());
        }
        let stack_start = (self.stack.len() - arg_count as usize) as u32;
        self.frames.push(Frame {
            chunk,
            ip,
            stack_start,
            closure,
        });
        self.max_depth_seen = self.max_depth_seen.max(self.frames.len());
        if let Err(e) = self.charge_bookkeeping() {
            self.frames.pop();
            return Err(e);
        }
        Ok(())
    }

    fn build_closure(
        &mut self,
        callable: Callable,
        captures: &[(bool, u32)],
    ) -> Result<Value, VmError> {
        if captures.len() != callable.upvalue_count {
            return Err(VmError::bytecode(
                format!(
                    "Invalid upvalue count. Expected {}, got {}",
                    callable.upvalue_count,
                    captures.len()
                ),
                None,
            ));
        }
        self.charge(memory::closure_cost(captures.len()))?;
        let frame = self.frames.last().ok_or_else(underflow)?;
        let stack_start = frame.stack_start as usize;
        let enclosing = frame.closure.clone();
        let mut upvalues = Vec::with_capacity(captures.len());
        for &(is_local, index) in captures {
            if is_local {
                let slot = stack_start + index as usize;
                // `slot == len` is allowed: a function capturing itself (recursion) refers to
                // the slot its own closure is about to be pushed into.
                if slot > self.stack.len() {
                    return Err(VmError::bytecode(
                        format!("Invalid upvalue: local {index} does not exist"),
                        None,
                    ));
                }
                upvalues.push(self.capture(slot)?);
            } else {
                let up = enclosing
                    .as_ref()
                    .and_then(|c| c.upvalues.get(index as usize))
                    .ok_or_else(|| {
                        VmError::bytecode(format!("Invalid upvalue index: {index}"), None)
                    })?;
                upvalues.push(up.clone());
            }
        }
        Ok(Value::Closure(Rc::new(Closure { callable, upvalues })))
    }

    /// The open upvalue for `slot`, created if needed (shared by every closure capturing it).
    fn capture(&mut self, slot: usize) -> Result<Rc<Upvalue>, VmError> {
        let pos = self.open_slots.partition_point(|&s| s < slot);
        if self.open_slots.get(pos) == Some(&slot) {
            return Ok(self.open[pos].clone());
        }
        self.charge(memory::UPVALUE)?;
        let up = Rc::new(Upvalue::open(slot));
        self.cycle_candidates
            .push(Candidate::Upvalue(Rc::downgrade(&up)));
        self.charge_bookkeeping()?;
        self.open.insert(pos, up.clone());
        self.open_slots.insert(pos, slot);
        Ok(up)
    }

    fn upvalue(&self, index: u32) -> Result<Rc<Upvalue>, VmError> {
        self.frames
            .last()
            .and_then(|f| f.closure.as_ref())
            .and_then(|c| c.upvalues.get(index as usize))
            .cloned()
            .ok_or_else(|| VmError::bytecode(format!("Invalid upvalue index: {index}"), None))
    }

    /// Leaves the current frame with `result`. Returns the finished value when it was the root.
    fn leave(&mut self, result: Value) -> Option<Value> {
        let frame = self.frames.pop()?;
        if self.frames.is_empty() {
            return Some(result);
        }
        self.truncate_stack(frame.stack_start as usize);
        let depth = self.frames.len() as u32;
        while self.tries.last().is_some_and(|t| t.depth > depth) {
            self.tries.pop();
        }
        self.stack.push(result);
        None
    }

    /// Unwinds to the innermost `TRY` with `error` (a Hog error value).
    fn throw(&mut self, error: Value) -> Result<(), VmError> {
        let Value::Error(_) = &error else {
            return Err(VmError::runtime(
                "Can not throw: value is not of type Error",
            ));
        };
        let Some(t) = self.tries.pop() else {
            let Value::Error(e) = error else {
                return Err(underflow());
            };
            let payload = if e.payload.is_null() {
                None
            } else {
                Some(crate::print::repr(&e.payload, 1 << 20)?)
            };
            return Err(VmError::Uncaught {
                error_type: e.error_type.to_string(),
                message: e.message.to_string(),
                payload,
            });
        };
        self.truncate_stack(t.stack_len as usize);
        self.frames.truncate(t.depth as usize);
        let frame = self.frames.last_mut().ok_or_else(underflow)?;
        frame.ip = t.catch_ip;
        self.stack.push(error);
        Ok(())
    }

    /// `GET_GLOBAL n`, plus the `STRING k; GET_PROPERTY` pairs that follow it in `then`
    /// (`event.properties` then `.$ip`): while the global's JSON is a plain object, those reads
    /// are done on the JSON, so only the value finally read is converted instead of the whole
    /// `properties`. Returns the value and how many pairs it consumed (their result is the
    /// same as running them; they cannot fail or be observed in between).
    fn get_global(
        &mut self,
        n: usize,
        then: &[Op],
        consts: &[Value],
    ) -> Result<(Value, usize), VmError> {
        if n == 0 || n > self.stack.len() {
            return Err(VmError::bytecode("Invalid GET_GLOBAL chain length", None));
        }
        let chain: Vec<Value> = self
            .stack
            .split_off(self.stack.len() - n)
            .into_iter()
            .rev()
            .collect();
        let head = chain[0].as_str().map(str::to_owned);
        let globals = self.globals.clone();
        let found = match (&*globals, &head) {
            (serde_json::Value::Object(map), Some(h)) => map.get(h.as_str()),
            _ => None,
        };
        if let Some(mut node) = found {
            // Walk plain JSON objects by string keys; convert (and charge) only what is read.
            // Anything else (arrays, tagged objects, non-string keys) continues on values.
            let mut rest = &chain[1..];
            while let (serde_json::Value::Object(map), Some(Value::Str(key))) = (node, rest.first())
            {
                if crate::convert::is_tagged(map) {
                    break;
                }
                node = map.get(key.as_str()).unwrap_or(&serde_json::Value::Null);
                rest = &rest[1..];
            }
            let mut fused = 0;
            if rest.is_empty() {
                while let (
                    serde_json::Value::Object(map),
                    [Op::Const(c), Op::GetProperty | Op::GetPropertyNullish, ..],
                ) = (node, &then[2 * fused..])
                {
                    let Some(Value::Str(key)) = consts.get(*c as usize) else {
                        break;
                    };
                    if crate::convert::is_tagged(map) {
                        break;
                    }
                    node = map.get(key.as_str()).unwrap_or(&serde_json::Value::Null);
                    fused += 1;
                }
            }
            let mem = &mut self.mem;
            let stack = &self.stack;
            let mut current =
                crate::convert::json_to_value_charged(node, &mut self.keys, &mut |b| {
                    mem.charge(b, stack)
                })?;
            for key in rest {
                current = match &current {
                    Value::Null => break,
                    Value::Dict(_) | Value::Array(_) | Value::Tuple(_) => {
                        // Global chains name dict keys; numeric keys index arrays (1-based).
                        let key = match (&current, key) {
                            (Value::Array(_) | Value::Tuple(_), Value::Str(s)) => {
                                s.parse::<i64>().map(Value::Int).unwrap_or(Value::Null)
                            }
                            _ => key.clone(),
                        };
                        match ops::get_property(&current, &key) {
                            Ok(v) => v,
                            Err(_) => Value::Null,
                        }
                    }
                    _ => Value::Null,
                };
            }
            // Converted for this read only: nothing else refers to it, so it is already the
            // copy PostHog's semantics ask for.
            return Ok((current, fused));
        }
        if n == 1
            && let Some(name) = head
            && let Some(v) = self.function_value(&name)?
        {
            return Ok((v, 0));
        }
        let names: Vec<String> = chain
            .iter()
            .map(|k| crate::print::display(k, 1024).unwrap_or_default())
            .collect();
        Err(VmError::runtime(format!(
            "Global variable not found: {}",
            names.join(".")
        )))
    }

    /// A function referenced by name as a value (`let f := upper`).
    fn function_value(&mut self, name: &str) -> Result<Option<Value>, VmError> {
        let callable = |kind, arg_count, chunk, ip| Callable {
            kind,
            name: HogStr::from(name),
            arg_count,
            upvalue_count: 0,
            chunk,
            ip,
        };
        let c = if self.host.contains(name) {
            callable(CallableKind::Host, 0, 0, 0)
        } else if let Some(def) = stl::lookup(name) {
            callable(CallableKind::Native, def.display_arity(), 0, 0)
        } else if let Some((chunk, argc)) = self.stl_chunk(name)? {
            callable(CallableKind::Local, argc as usize, chunk, 0)
        } else {
            return Ok(None);
        };
        self.charge(memory::closure_cost(0))?;
        Ok(Some(Value::Closure(Rc::new(Closure {
            callable: c,
            upvalues: Vec::new(),
        }))))
    }

    // --------------------------------------------------------------------------------------------
    // The loop

    /// Runs until the program finishes or suspends.
    pub fn run(&mut self) -> Result<Exit, VmError> {
        self.started = Instant::now();
        self.tick_at = self.steps + 1; // check limits right away (a resumed run may be over)
        self.run_loop()
    }

    fn run_loop(&mut self) -> Result<Exit, VmError> {
        let frame = self.frames.last().ok_or_else(underflow)?;
        let mut chunk_idx = frame.chunk as usize;
        let mut chunk = self.chunks[chunk_idx].clone();
        let mut ip = frame.ip as usize;
        let mut base = frame.stack_start as usize;
        // The step counter lives in a register; it is written back before anything that
        // leaves the loop or reads it (`save_ip!`, `tick`).
        let mut steps = self.steps;
        let mut tick_at = self.tick_at;

        // Saves the instruction pointer into the current frame before anything that may leave
        // the loop or switch frames.
        macro_rules! save_ip {
            () => {
                self.steps = steps;
                if let Some(f) = self.frames.last_mut() {
                    f.ip = ip as u32;
                }
            };
        }
        macro_rules! tri {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => {
                        save_ip!();
                        return Err(e);
                    }
                }
            };
        }
        // Reloads chunk/ip/base from the (new) current frame.
        macro_rules! switch_frame {
            () => {{
                let f = tri!(self.frames.last().ok_or_else(underflow));
                if f.chunk as usize != chunk_idx {
                    chunk_idx = f.chunk as usize;
                    chunk = self.chunks[chunk_idx].clone();
                }
                ip = f.ip as usize;
                base = f.stack_start as usize;
            }};
        }
        macro_rules! binary {
            ($f:expr) => {{
                let l = tri!(self.pop());
                let r = tri!(self.pop());
                self.stack.push($f(&l, &r));
            }};
        }
        macro_rules! compare {
            ($test:expr) => {{
                let l = tri!(self.pop());
                let r = tri!(self.pop());
                let ord = ops::loose_cmp(&l, &r);
                self.stack.push(Value::Bool(ord.is_some_and($test)));
            }};
        }

        loop {
            steps += 1;
            if steps >= tick_at {
                self.steps = steps;
                if let Err(e) = self.tick() {
                    // The instruction at `ip` is the one stopped: store it as "being run"
                    // (past it), like every other error, so the trace names it.
                    ip += 1;
                    save_ip!();
                    return Err(e);
                }
                tick_at = self.tick_at;
            }
            let Some(&op) = chunk.ops.get(ip) else {
                // Ran off the end of the chunk: implicit `return null` (root: the top value).
                let result = if self.frames.len() == 1 {
                    self.stack.pop().unwrap_or_default()
                } else {
                    Value::Null
                };
                save_ip!();
                if let Some(v) = self.leave(result) {
                    return Ok(Exit::Finished(v));
                }
                switch_frame!();
                continue;
            };
            ip += 1;
            match op {
                Op::GetLocal(i) => {
                    if self.stack.len() >= self.stack_reserved {
                        tri!(self.grow_stack());
                    }
                    // Integers apart: a plain copy, instead of a generic clone whose result
                    // is moved through memory in pieces.
                    match self.stack.get(base + i as usize) {
                        Some(&Value::Int(n)) => push_int(&mut self.stack, n),
                        Some(v) => {
                            let v = v.clone();
                            self.stack.push(v);
                        }
                        None => {
                            save_ip!();
                            return Err(bad_local(i));
                        }
                    }
                }
                Op::SetLocal(i) => {
                    // An integer into a local holding an integer: payloads copied in place
                    // (no 16-byte move of a value written an instruction ago).
                    let idx = base + i as usize;
                    if idx + 1 < self.stack.len()
                        && let Some(&Value::Int(n)) = self.stack.last()
                        && let Value::Int(slot) = &mut self.stack[idx]
                    {
                        *slot = n;
                        if let Some(top) = self.stack.pop() {
                            std::mem::forget(top); // the integer just copied
                        }
                        continue;
                    }
                    let v = tri!(self.pop());
                    let slot = tri!(
                        self.stack
                            .get_mut(base + i as usize)
                            .ok_or_else(|| bad_local(i))
                    );
                    discard(std::mem::replace(slot, v));
                }
                Op::Int(i) => {
                    if self.stack.len() >= self.stack_reserved {
                        tri!(self.grow_stack());
                    }
                    push_int(&mut self.stack, i);
                }
                Op::Float(f) => tri!(self.push(Value::Float(f))),
                Op::Const(c) => {
                    let v = chunk.consts[c as usize].clone();
                    tri!(self.push(v));
                }
                Op::True => tri!(self.push(Value::Bool(true))),
                Op::False => tri!(self.push(Value::Bool(false))),
                Op::Null => tri!(self.push(Value::Null)),
                Op::Pop => {
                    let len = tri!(self.stack.len().checked_sub(1).ok_or_else(underflow));
                    if self.open_slots.last().is_some_and(|&s| s >= len) {
                        self.truncate_stack(len);
                    } else if let Some(v) = self.stack.pop() {
                        discard(v);
                    }
                }
                Op::Plus => {
                    if let Some(sum) = int_operands(&self.stack).and_then(|(l, r)| l.checked_add(r))
                    {
                        replace_ints(&mut self.stack, Value::Int(sum));
                    } else {
                        binary!(ops::add)
                    }
                }
                Op::Minus => {
                    if let Some(d) = int_operands(&self.stack).and_then(|(l, r)| l.checked_sub(r)) {
                        replace_ints(&mut self.stack, Value::Int(d));
                    } else {
                        binary!(ops::sub)
                    }
                }
                Op::Multiply => binary!(ops::mul),
                Op::Divide => binary!(ops::div),
                Op::Mod => binary!(ops::rem),
                Op::Eq => {
                    let l = tri!(self.pop());
                    let r = tri!(self.pop());
                    let b = tri!(ops::loose_eq(&l, &r));
                    self.stack.push(Value::Bool(b));
                }
                Op::NotEq => {
                    let l = tri!(self.pop());
                    let r = tri!(self.pop());
                    let b = tri!(ops::loose_eq(&l, &r));
                    self.stack.push(Value::Bool(!b));
                }
                Op::Lt => {
                    if let Some((l, r)) = int_operands(&self.stack) {
                        replace_ints(&mut self.stack, Value::Bool(l < r));
                    } else {
                        compare!(|o| o.is_lt())
                    }
                }
                Op::LtEq => {
                    if let Some((l, r)) = int_operands(&self.stack) {
                        replace_ints(&mut self.stack, Value::Bool(l <= r));
                    } else {
                        compare!(|o| o.is_le())
                    }
                }
                Op::Gt => {
                    if let Some((l, r)) = int_operands(&self.stack) {
                        replace_ints(&mut self.stack, Value::Bool(l > r));
                    } else {
                        compare!(|o| o.is_gt())
                    }
                }
                Op::GtEq => {
                    if let Some((l, r)) = int_operands(&self.stack) {
                        replace_ints(&mut self.stack, Value::Bool(l >= r));
                    } else {
                        compare!(|o| o.is_ge())
                    }
                }
                Op::Like | Op::ILike | Op::NotLike | Op::NotILike => {
                    let l = tri!(self.pop());
                    let r = tri!(self.pop());
                    let ci = matches!(op, Op::ILike | Op::NotILike);
                    let negate = matches!(op, Op::NotLike | Op::NotILike);
                    let m = tri!(self.like(&l, &r, ci));
                    self.stack.push(Value::Bool(m != negate));
                }
                Op::In | Op::NotIn => {
                    let l = tri!(self.pop());
                    let r = tri!(self.pop());
                    let m = tri!(ops::contains(&r, &l));
                    self.stack.push(Value::Bool(m != matches!(op, Op::NotIn)));
                }
                Op::Regex | Op::NotRegex | Op::IRegex | Op::NotIRegex => {
                    let value = tri!(self.pop());
                    let pattern = tri!(self.pop());
                    let ci = matches!(op, Op::IRegex | Op::NotIRegex);
                    let negate = matches!(op, Op::NotRegex | Op::NotIRegex);
                    let m = {
                        let mut ctx = NativeCtx::new(&mut self.mem, &self.stack, &mut self.env);
                        tri!(stl::regex::regex_matches(&mut ctx, &value, &pattern, ci))
                    };
                    self.stack.push(Value::Bool(m != negate));
                }
                Op::InCohort | Op::NotInCohort => {
                    save_ip!();
                    return Err(VmError::runtime(
                        "Cohort membership opcodes are not supported",
                    ));
                }
                Op::Not => {
                    let v = tri!(self.pop());
                    self.stack.push(Value::Bool(!v.is_truthy()));
                }
                Op::And(n) | Op::Or(n) => {
                    let n = n as usize;
                    let len = self.stack.len();
                    if n > len {
                        save_ip!();
                        return Err(underflow());
                    }
                    let result = if matches!(op, Op::And(_)) {
                        self.stack[len - n..].iter().all(Value::is_truthy)
                    } else {
                        self.stack[len - n..].iter().any(Value::is_truthy)
                    };
                    self.stack.truncate(len - n);
                    tri!(self.push(Value::Bool(result)));
                }
                Op::Jump(t) => ip = t as usize,
                Op::JumpIfFalse(t) => {
                    // Booleans (what comparisons push) are read in place and forgotten.
                    let truthy = match self.stack.last() {
                        Some(&Value::Bool(b)) => {
                            if let Some(top) = self.stack.pop() {
                                std::mem::forget(top);
                            }
                            b
                        }
                        Some(_) => self.stack.pop().is_some_and(|c| c.is_truthy()),
                        None => {
                            save_ip!();
                            return Err(underflow());
                        }
                    };
                    if !truthy {
                        ip = t as usize;
                    }
                }
                Op::JumpIfStackNotNull(t) => {
                    if self.stack.last().is_some_and(|v| !v.is_null()) {
                        ip = t as usize;
                    }
                }
                Op::GetProperty | Op::GetPropertyNullish => {
                    let key = tri!(self.pop());
                    let obj = tri!(self.pop());
                    let v = tri!(ops::get_property(&obj, &key));
                    self.stack.push(v);
                }
                Op::SetProperty => {
                    let value = tri!(self.pop());
                    let key = tri!(self.pop());
                    let obj = tri!(self.pop());
                    let plan = tri!(ops::plan_set_property(&obj, &key));
                    let cost = match (&plan, &obj) {
                        (ops::SetPlan::Dict(true), _) => memory::DICT_ENTRY,
                        (ops::SetPlan::ArrayGrow(n), Value::Array(a)) => {
                            memory::SLOT.saturating_mul(n.saturating_sub(a.len()) as u64)
                        }
                        _ => 0,
                    };
                    if cost > 0 {
                        tri!(self.charge(cost));
                    }
                    if matches!(
                        value,
                        Value::Array(_)
                            | Value::Dict(_)
                            | Value::Tuple(_)
                            | Value::Closure(_)
                            | Value::Error(_)
                    ) {
                        tri!(self.note_cycle_candidate(&obj));
                    }
                    ops::apply_set_property(&obj, key, value, plan);
                }
                Op::Dict(n) => {
                    let n = n as usize;
                    let len = self.stack.len();
                    if n.saturating_mul(2) > len {
                        save_ip!();
                        return Err(underflow());
                    }
                    tri!(self.charge(memory::dict_cost(n)));
                    let mut map = dict_map_with_capacity(n);
                    let mut items = self.stack.drain(len - 2 * n..);
                    while let (Some(k), Some(v)) = (items.next(), items.next()) {
                        let key = DictKey(k);
                        // A repeated key keeps its first position and takes the last value.
                        map.insert(key, v);
                    }
                    drop(items);
                    self.stack.push(Value::dict(map));
                }
                Op::Array(n) | Op::Tuple(n) => {
                    let n = n as usize;
                    let len = self.stack.len();
                    if n > len {
                        save_ip!();
                        return Err(underflow());
                    }
                    tri!(self.charge(memory::array_cost(n)));
                    let items: Vec<Value> = self.stack.split_off(len - n);
                    self.stack.push(if matches!(op, Op::Array(_)) {
                        Value::array(items)
                    } else {
                        Value::tuple(items)
                    });
                }
                Op::CallGlobal { call, argc } => {
                    let argc = argc as usize;
                    tri!(self.check_argc(argc));
                    if chunk.version == 0 {
                        // Legacy: arguments were pushed last-first.
                        let len = self.stack.len();
                        self.stack[len - argc..].reverse();
                        if !self.declared.is_empty() {
                            let name = chunk.calls[call as usize].as_str();
                            if name != "toString"
                                && let Some(d) = self.declared.get(name).cloned()
                            {
                                save_ip!();
                                if argc > d.arg_count as usize {
                                    return Err(VmError::runtime(format!(
                                        "Too many arguments. Passed {argc}, expected {}",
                                        d.arg_count
                                    )));
                                }
                                tri!(self.enter(d.chunk, d.body, d.arg_count, argc, None));
                                switch_frame!();
                                continue;
                            }
                        }
                    }
                    match tri!(self.target(chunk_idx, call as usize)) {
                        Target::Native(def) => tri!(self.call_native(def, argc)),
                        Target::PushBack(def) => {
                            if !tri!(self.push_back_in_place(
                                argc,
                                chunk.ops.get(ip).copied(),
                                base
                            )) {
                                tri!(self.call_native(def, argc));
                            }
                        }
                        Target::Concat(def) => {
                            if !tri!(self.concat_in_place(argc, chunk.ops.get(ip).copied(), base)) {
                                tri!(self.call_native(def, argc));
                            }
                        }
                        Target::BytecodeStl { chunk: c, argc: n } => {
                            if argc != n as usize {
                                save_ip!();
                                return Err(VmError::runtime(format!(
                                    "Function {} requires exactly {n} arguments",
                                    chunk.calls[call as usize].as_str()
                                )));
                            }
                            save_ip!();
                            tri!(self.enter(c, 0, n, argc, None));
                            switch_frame!();
                        }
                        Target::Host => {
                            let name = chunk.calls[call as usize].clone();
                            tri!(self.call_host(&name, argc));
                        }
                        Target::Async => {
                            save_ip!();
                            let name = chunk.calls[call as usize].clone();
                            return self.suspend(&name, argc);
                        }
                        Target::Unknown | Target::Unresolved => {
                            save_ip!();
                            return Err(VmError::runtime(format!(
                                "Unsupported function call: {}",
                                chunk.calls[call as usize].as_str()
                            )));
                        }
                    }
                }
                Op::CallLocal(argc) => {
                    let argc = argc as usize;
                    let callee = tri!(self.pop());
                    tri!(self.check_argc(argc));
                    let Value::Closure(closure) = callee else {
                        save_ip!();
                        return Err(VmError::runtime(format!(
                            "Invalid closure: {}",
                            crate::print::repr(&callee, 256).unwrap_or_default()
                        )));
                    };
                    let c = &closure.callable;
                    match c.kind {
                        CallableKind::Local => {
                            if argc > c.arg_count {
                                save_ip!();
                                return Err(VmError::runtime(format!(
                                    "Too many arguments. Passed {argc}, expected {}",
                                    c.arg_count
                                )));
                            }
                            if c.chunk as usize >= self.chunks.len() {
                                save_ip!();
                                return Err(VmError::bytecode(
                                    "Invalid callable: unknown chunk",
                                    None,
                                ));
                            }
                            let (cc, cip, n) = (c.chunk, c.ip as u32, c.arg_count as u32);
                            save_ip!();
                            tri!(self.enter(cc, cip, n, argc, Some(closure.clone())));
                            switch_frame!();
                        }
                        CallableKind::Native => {
                            let def = tri!(stl::lookup(&c.name).ok_or_else(|| VmError::runtime(
                                format!("Unsupported function call: {}", c.name.as_str())
                            )));
                            tri!(def.check_arity(argc));
                            let padded = if def.max_args == VARIADIC {
                                argc
                            } else {
                                def.max_args
                            };
                            for _ in argc..padded {
                                tri!(self.push(Value::Null));
                            }
                            tri!(self.call_native(def, padded));
                        }
                        CallableKind::Host => {
                            let name = c.name.clone();
                            match self.host.get(&name) {
                                Some(HostImpl::Async) => {
                                    save_ip!();
                                    return self.suspend(&name, argc);
                                }
                                Some(_) => tri!(self.call_host(&name, argc)),
                                None => {
                                    save_ip!();
                                    return Err(VmError::runtime(format!(
                                        "Unsupported function call: {}",
                                        name.as_str()
                                    )));
                                }
                            }
                        }
                    }
                }
                Op::Return => {
                    let result = tri!(self.pop());
                    save_ip!();
                    if let Some(v) = self.leave(result) {
                        return Ok(Exit::Finished(v));
                    }
                    switch_frame!();
                }
                Op::Callable(c) => {
                    let def = &chunk.callables[c as usize];
                    let callable = Callable {
                        kind: CallableKind::Local,
                        name: def.name.clone(),
                        arg_count: def.arg_count as usize,
                        upvalue_count: def.upvalue_count as usize,
                        chunk: chunk_idx as u32,
                        ip: def.body as usize,
                    };
                    ip = def.end as usize;
                    // CALLABLE is always followed by its CLOSURE: build the closure directly.
                    if let Some(&Op::Closure(k)) = chunk.ops.get(ip) {
                        ip += 1;
                        let v = tri!(self.build_closure(callable, &chunk.closures[k as usize]));
                        tri!(self.push(v));
                    } else {
                        tri!(self.charge(memory::closure_cost(0)));
                        tri!(self.push(Value::Closure(Rc::new(Closure {
                            callable,
                            upvalues: Vec::new()
                        }))));
                    }
                }
                Op::Closure(k) => {
                    let v = tri!(self.pop());
                    let Value::Closure(c) = v else {
                        save_ip!();
                        return Err(VmError::runtime(
                            "Invalid callable: CLOSURE needs a callable",
                        ));
                    };
                    let v =
                        tri!(self.build_closure(c.callable.clone(), &chunk.closures[k as usize]));
                    self.stack.push(v);
                }
                Op::GetUpvalue(i) => {
                    let up = tri!(self.upvalue(i));
                    let v = match &*up.0.borrow() {
                        UpvalueState::Open(slot) => {
                            tri!(self.stack.get(*slot).cloned().ok_or_else(|| {
                                VmError::bytecode("Invalid upvalue: slot out of range", None)
                            }))
                        }
                        UpvalueState::Closed(v) => v.clone(),
                    };
                    tri!(self.push(v));
                }
                Op::SetUpvalue(i) => {
                    let v = tri!(self.pop());
                    let up = tri!(self.upvalue(i));
                    let mut state = up.0.borrow_mut();
                    match &mut *state {
                        UpvalueState::Open(slot) => {
                            let slot = *slot;
                            let target =
                                tri!(self.stack.get_mut(slot).ok_or_else(|| VmError::bytecode(
                                    "Invalid upvalue: slot out of range",
                                    None
                                )));
                            *target = v;
                        }
                        UpvalueState::Closed(c) => *c = v,
                    }
                }
                Op::CloseUpvalue => {
                    let len = tri!(self.stack.len().checked_sub(1).ok_or_else(underflow));
                    self.truncate_stack(len);
                }
                Op::Try(t) => {
                    self.tries.push(TryFrame {
                        depth: self.frames.len() as u32,
                        stack_len: self.stack.len() as u32,
                        catch_ip: t,
                    });
                    tri!(self.charge_bookkeeping());
                }
                Op::PopTry => {
                    if self.tries.pop().is_none() {
                        save_ip!();
                        return Err(VmError::bytecode(
                            "Invalid operation POP_TRY: no try block to pop",
                            None,
                        ));
                    }
                }
                Op::Throw => {
                    let error = tri!(self.pop());
                    save_ip!();
                    tri!(self.throw(error));
                    switch_frame!();
                }
                Op::GetGlobal(n) => {
                    // Fused property reads count their steps; not across a limit check, so
                    // step limits fire at exactly the same instruction.
                    let room = (tick_at.saturating_sub(steps + 1) / 2) as usize;
                    let then = &chunk.ops[ip..chunk.ops.len().min(ip + 2 * room)];
                    let (v, fused) = tri!(self.get_global(n as usize, then, &chunk.consts));
                    ip += 2 * fused;
                    steps += 2 * fused as u64;
                    tri!(self.push(v));
                }
                Op::DeclareFn(d) => {
                    let def = &chunk.declares[d as usize];
                    self.declared.insert(
                        def.name.to_string(),
                        Declared {
                            chunk: chunk_idx as u32,
                            body: def.body,
                            arg_count: def.arg_count,
                        },
                    );
                    ip = def.end as usize;
                }
                Op::Nop => {}
            }
        }
    }

    fn like(&mut self, value: &Value, pattern: &Value, ci: bool) -> Result<bool, VmError> {
        if value.is_null() || pattern.is_null() {
            return Ok(false);
        }
        let mut ctx = NativeCtx::new(&mut self.mem, &self.stack, &mut self.env);
        let v = ctx.display(value)?;
        let p = ctx.display(pattern)?;
        stl::strings::like_matches(&v, &p, ci)
    }
}

/// The two top stack values when both are integers: (top, below) — the left and right
/// operands of a binary operator.
#[inline(always)]
fn int_operands(stack: &[Value]) -> Option<(i64, i64)> {
    match stack {
        [.., Value::Int(r), Value::Int(l)] => Some((*l, *r)),
        _ => None,
    }
}

/// Replaces the two top values, integers checked by [`int_operands`], with `result`. Integers
/// own nothing, so they are forgotten rather than dropped (skipping the drop glue in the
/// hottest instructions; nothing is leaked).
#[inline(always)]
fn replace_ints(stack: &mut Vec<Value>, result: Value) {
    if let Some(top) = stack.pop() {
        debug_assert!(matches!(top, Value::Int(_)));
        std::mem::forget(top);
    }
    if let Some(slot) = stack.last_mut() {
        let old = std::mem::replace(slot, result);
        debug_assert!(matches!(old, Value::Int(_)));
        std::mem::forget(old);
    }
}

/// Pushes an integer (room is reserved by the caller). Not inlined on purpose: inlined, the
/// value was assembled in a temporary shared by several instructions and copied into the
/// stack with a wide load that could not be forwarded from the narrow stores that built it
/// (a store-forwarding stall on every `GET_LOCAL`/`INTEGER`; measured ~15% of `loop_sum`).
#[inline(never)]
fn push_int(stack: &mut Vec<Value>, n: i64) {
    stack.push(Value::Int(n));
}

/// Drops a value, skipping the out-of-line drop glue for scalars (which own nothing).
#[inline(always)]
fn discard(v: Value) {
    match v {
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Date(_) => {
            std::mem::forget(v)
        }
        other => drop(other),
    }
}

fn bad_local(i: u32) -> VmError {
    VmError::bytecode(format!("Invalid local index {i}: no such stack slot"), None)
}
