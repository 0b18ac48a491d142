//! Serialisable VM state for async suspension and resumption.
//!
//! Unlike PostHog's Node VM (which converts the stack to plain JSON and loses sharing, tuple-ness
//! and non-string dict keys), the state keeps the exact object graph: every container, closure
//! and upvalue becomes one node of a flat `heap` table and values refer to nodes by index, so
//! aliasing and cycles survive a round trip. Building and restoring the graph is iterative
//! (no recursion), so arbitrarily deep values are fine. The state carries the program's
//! bytecode, so it can be resumed in another process with nothing else.

use crate::VmError;
use crate::closure::{Callable, CallableKind, Closure, Upvalue, UpvalueState};
use crate::interp::{Declared, Frame, Machine, TryFrame};
use crate::limits::Usage;
use crate::value::{
    DateTimeValue, DateValue, DictKey, ErrorValue, HogArray, HogDict, HogStr, Value,
    dict_map_with_capacity,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::rc::Rc;

/// Everything needed to continue a suspended run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VmState {
    /// The program (root chunk) as loaded.
    pub bytecode: serde_json::Value,
    /// Chunk names by index (`root`, `stl/arrayMap`, …), as frames and closures refer to them.
    pub chunks: Vec<String>,
    pub heap: Vec<Node>,
    pub upvalues: Vec<UpvalueNode>,
    pub stack: Vec<SValue>,
    pub frames: Vec<FrameState>,
    pub tries: Vec<TryState>,
    /// Upvalue ids that are still open, in slot order.
    pub open_upvalues: Vec<u32>,
    pub declared: Vec<DeclaredState>,
    pub steps: u64,
    pub async_steps: u64,
    pub host_calls: u64,
    pub usage: Usage,
}

/// A value in the state: scalars inline, everything else a reference into `heap`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// `NaN`, `Infinity`, `-Infinity` (JSON has no such numbers).
    NonFinite(String),
    Str(String),
    Date {
        year: i32,
        month: u8,
        day: u8,
    },
    Ref(u32),
}

/// A heap object.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Node {
    Array(Vec<SValue>),
    Tuple(Vec<SValue>),
    Dict(Vec<(SValue, SValue)>),
    Closure {
        kind: String,
        name: String,
        arg_count: usize,
        upvalue_count: usize,
        chunk: u32,
        ip: usize,
        upvalues: Vec<u32>,
    },
    Error {
        error_type: String,
        message: String,
        payload: SValue,
    },
    DateTime {
        dt: SValue,
        zone: String,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum UpvalueNode {
    Open(usize),
    Closed(SValue),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FrameState {
    pub chunk: u32,
    pub ip: u32,
    pub stack_start: u32,
    /// Heap index of the frame's closure.
    pub closure: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TryState {
    pub depth: u32,
    pub stack_len: u32,
    pub catch_ip: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeclaredState {
    pub name: String,
    pub chunk: u32,
    pub body: u32,
    pub arg_count: u32,
}

// ------------------------------------------------------------------------------------------------
// Capture

struct Capturer {
    ids: HashMap<usize, u32>,
    heap: Vec<Option<Node>>,
    todo: Vec<(u32, Value)>,
    up_ids: HashMap<usize, u32>,
    upvalues: Vec<Option<UpvalueNode>>,
    up_todo: Vec<(u32, Rc<Upvalue>)>,
}

fn float(f: f64) -> SValue {
    if f.is_finite() {
        SValue::Float(f)
    } else {
        SValue::NonFinite(crate::print::format_number(f))
    }
}

impl Capturer {
    fn value(&mut self, v: &Value) -> SValue {
        match v {
            Value::Null => SValue::Null,
            Value::Bool(b) => SValue::Bool(*b),
            Value::Int(i) => SValue::Int(*i),
            Value::Float(f) => float(*f),
            Value::Str(s) => SValue::Str(s.to_string()),
            Value::Date(d) => SValue::Date {
                year: d.year,
                month: d.month,
                day: d.day,
            },
            Value::DateTime(d) => {
                // Immutable and small: one node per reference is fine.
                self.heap.push(Some(Node::DateTime {
                    dt: float(d.dt),
                    zone: d.zone.to_string(),
                }));
                SValue::Ref((self.heap.len() - 1) as u32)
            }
            other => {
                let key = other.heap_id().unwrap_or(0);
                if let Some(&id) = self.ids.get(&key) {
                    return SValue::Ref(id);
                }
                let id = self.heap.len() as u32;
                self.heap.push(None);
                self.ids.insert(key, id);
                self.todo.push((id, other.clone()));
                SValue::Ref(id)
            }
        }
    }

    fn upvalue(&mut self, up: &Rc<Upvalue>) -> u32 {
        let key = Rc::as_ptr(up) as usize;
        if let Some(&id) = self.up_ids.get(&key) {
            return id;
        }
        let id = self.upvalues.len() as u32;
        self.upvalues.push(None);
        self.up_ids.insert(key, id);
        self.up_todo.push((id, up.clone()));
        id
    }

    fn drain(&mut self) {
        loop {
            if let Some((id, v)) = self.todo.pop() {
                let node = match &v {
                    Value::Array(a) => {
                        Node::Array(a.borrow().iter().map(|x| self.value(x)).collect())
                    }
                    Value::Tuple(t) => Node::Tuple(t.iter().map(|x| self.value(x)).collect()),
                    Value::Dict(d) => Node::Dict(
                        d.borrow()
                            .iter()
                            .map(|(k, x)| (self.value(&k.0), self.value(x)))
                            .collect(),
                    ),
                    Value::Closure(c) => Node::Closure {
                        kind: match c.callable.kind {
                            CallableKind::Local => "local",
                            CallableKind::Native => "native",
                            CallableKind::Host => "host",
                        }
                        .to_owned(),
                        name: c.callable.name.to_string(),
                        arg_count: c.callable.arg_count,
                        upvalue_count: c.callable.upvalue_count,
                        chunk: c.callable.chunk,
                        ip: c.callable.ip,
                        upvalues: c.upvalues.iter().map(|u| self.upvalue(u)).collect(),
                    },
                    Value::Error(e) => Node::Error {
                        error_type: e.error_type.to_string(),
                        message: e.message.to_string(),
                        payload: self.value(&e.payload),
                    },
                    _ => continue,
                };
                self.heap[id as usize] = Some(node);
                continue;
            }
            if let Some((id, up)) = self.up_todo.pop() {
                let node = match up.state() {
                    UpvalueState::Open(slot) => UpvalueNode::Open(slot),
                    UpvalueState::Closed(v) => UpvalueNode::Closed(self.value(&v)),
                };
                self.upvalues[id as usize] = Some(node);
                continue;
            }
            break;
        }
    }
}

/// Captures the machine's state (after a suspension: the async call's arguments are popped).
pub(crate) fn capture(
    m: &mut Machine<'_>,
    bytecode: &serde_json::Value,
    usage: Usage,
) -> Result<VmState, VmError> {
    let mut c = Capturer {
        ids: HashMap::new(),
        heap: Vec::new(),
        todo: Vec::new(),
        up_ids: HashMap::new(),
        upvalues: Vec::new(),
        up_todo: Vec::new(),
    };
    let stack: Vec<SValue> = m.stack.iter().map(|v| c.value(v)).collect();
    let mut frames = Vec::with_capacity(m.frames.len());
    for f in &m.frames {
        let closure = f
            .closure
            .as_ref()
            .map(|cl| match c.value(&Value::Closure(cl.clone())) {
                SValue::Ref(id) => id,
                _ => 0,
            });
        frames.push(FrameState {
            chunk: f.chunk,
            ip: f.ip,
            stack_start: f.stack_start,
            closure,
        });
    }
    let open_upvalues: Vec<u32> = m.open.iter().map(|u| c.upvalue(u)).collect();
    c.drain();
    let heap = c
        .heap
        .into_iter()
        .map(|n| n.unwrap_or(Node::Array(Vec::new())))
        .collect();
    let upvalues = c
        .upvalues
        .into_iter()
        .map(|n| n.unwrap_or(UpvalueNode::Closed(SValue::Null)))
        .collect();
    Ok(VmState {
        bytecode: bytecode.clone(),
        chunks: m.chunks.iter().map(|ch| ch.name.clone()).collect(),
        heap,
        upvalues,
        stack,
        frames,
        tries: m
            .tries
            .iter()
            .map(|t| TryState {
                depth: t.depth,
                stack_len: t.stack_len,
                catch_ip: t.catch_ip,
            })
            .collect(),
        open_upvalues,
        declared: m
            .declared
            .iter()
            .map(|(name, d)| DeclaredState {
                name: name.clone(),
                chunk: d.chunk,
                body: d.body,
                arg_count: d.arg_count,
            })
            .collect(),
        steps: m.steps,
        async_steps: m.async_steps,
        host_calls: m.host_calls,
        usage,
    })
}

// ------------------------------------------------------------------------------------------------
// Restore

fn bad(msg: &str) -> VmError {
    VmError::bytecode(format!("Invalid VM state: {msg}"), None)
}

struct Restorer<'s> {
    state: &'s VmState,
    chunk_map: Vec<u32>,
    objects: Vec<Option<Value>>,
    cells: Vec<Rc<Upvalue>>,
}

impl Restorer<'_> {
    fn scalar_or_ref(&self, v: &SValue) -> Result<Value, VmError> {
        Ok(match v {
            SValue::Null => Value::Null,
            SValue::Bool(b) => Value::Bool(*b),
            SValue::Int(i) => Value::Int(*i),
            SValue::Float(f) => Value::Float(*f),
            SValue::NonFinite(s) => Value::Float(crate::ops::js_string_to_number(s)),
            SValue::Str(s) => Value::from(s.as_str()),
            SValue::Date { year, month, day } => Value::Date(DateValue {
                year: *year,
                month: *month,
                day: *day,
            }),
            SValue::Ref(id) => self
                .objects
                .get(*id as usize)
                .and_then(Option::clone)
                .ok_or_else(|| bad("reference to a missing or not yet built object"))?,
        })
    }

    fn chunk(&self, c: u32) -> Result<u32, VmError> {
        self.chunk_map
            .get(c as usize)
            .copied()
            .ok_or_else(|| bad("unknown chunk"))
    }

    /// Builds immutable node `id` after its immutable dependencies (iterative post-order).
    fn build_immutable(&mut self, root: u32) -> Result<(), VmError> {
        let mut stack = vec![(root, false)];
        while let Some((id, expanded)) = stack.pop() {
            if self.objects.get(id as usize).is_some_and(Option::is_some) {
                continue;
            }
            let node = self
                .state
                .heap
                .get(id as usize)
                .ok_or_else(|| bad("dangling reference"))?;
            let deps: Vec<u32> = match node {
                Node::Tuple(items) => refs(items.iter()),
                Node::Error { payload, .. } => refs(std::iter::once(payload)),
                Node::DateTime { .. } | Node::Closure { .. } => Vec::new(),
                Node::Array(_) | Node::Dict(_) => Vec::new(), // built up front
            };
            let missing: Vec<u32> = deps
                .into_iter()
                .filter(|d| self.objects.get(*d as usize).is_some_and(Option::is_none))
                .collect();
            if !missing.is_empty() {
                if expanded {
                    return Err(bad("cycle through immutable values"));
                }
                stack.push((id, true));
                stack.extend(missing.into_iter().map(|d| (d, false)));
                continue;
            }
            let value = match node {
                Node::Tuple(items) => Value::tuple(
                    items
                        .iter()
                        .map(|x| self.scalar_or_ref(x))
                        .collect::<Result<_, _>>()?,
                ),
                Node::Error {
                    error_type,
                    message,
                    payload,
                } => Value::Error(Rc::new(ErrorValue {
                    error_type: HogStr::from(error_type.as_str()),
                    message: HogStr::from(message.as_str()),
                    payload: self.scalar_or_ref(payload)?,
                })),
                Node::DateTime { dt, zone } => {
                    let dt = match self.scalar_or_ref(dt)? {
                        Value::Float(f) => f,
                        Value::Int(i) => i as f64,
                        _ => return Err(bad("datetime without a number")),
                    };
                    Value::DateTime(Rc::new(DateTimeValue {
                        dt,
                        zone: HogStr::from(zone.as_str()),
                    }))
                }
                Node::Closure {
                    kind,
                    name,
                    arg_count,
                    upvalue_count,
                    chunk,
                    ip,
                    upvalues,
                } => {
                    let kind = match kind.as_str() {
                        "local" => CallableKind::Local,
                        "native" => CallableKind::Native,
                        "host" => CallableKind::Host,
                        _ => return Err(bad("unknown callable kind")),
                    };
                    let chunk = if kind == CallableKind::Local {
                        self.chunk(*chunk)?
                    } else {
                        0
                    };
                    let ups = upvalues
                        .iter()
                        .map(|u| {
                            self.cells
                                .get(*u as usize)
                                .cloned()
                                .ok_or_else(|| bad("unknown upvalue"))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Value::Closure(Rc::new(Closure {
                        callable: Callable {
                            kind,
                            name: HogStr::from(name.as_str()),
                            arg_count: *arg_count,
                            upvalue_count: *upvalue_count,
                            chunk,
                            ip: *ip,
                        },
                        upvalues: ups,
                    }))
                }
                Node::Array(_) | Node::Dict(_) => continue,
            };
            self.objects[id as usize] = Some(value);
        }
        Ok(())
    }
}

fn refs<'a>(items: impl Iterator<Item = &'a SValue>) -> Vec<u32> {
    items
        .filter_map(|v| {
            if let SValue::Ref(id) = v {
                Some(*id)
            } else {
                None
            }
        })
        .collect()
}

/// Rebuilds the machine from `state` and pushes the async call's `result`.
pub(crate) fn restore(
    m: &mut Machine<'_>,
    state: &VmState,
    result: &serde_json::Value,
) -> Result<(), VmError> {
    // Chunks: the root is already loaded; bytecode-STL chunks are reloaded by name.
    let mut chunk_map = Vec::with_capacity(state.chunks.len());
    for name in &state.chunks {
        if name == "root" {
            chunk_map.push(0);
        } else if let Some(stl_name) = name.strip_prefix("stl/") {
            let (idx, _) = m
                .stl_chunk(stl_name)?
                .ok_or_else(|| bad("unknown bytecode STL chunk"))?;
            chunk_map.push(idx);
        } else {
            return Err(bad("unknown chunk name"));
        }
    }
    let mut r = Restorer {
        state,
        chunk_map,
        objects: vec![None; state.heap.len()],
        cells: state
            .upvalues
            .iter()
            .map(|_| Rc::new(Upvalue::open(0)))
            .collect(),
    };
    // Mutable containers first (empty), so anything may point at them.
    for (i, node) in state.heap.iter().enumerate() {
        match node {
            Node::Array(_) => r.objects[i] = Some(Value::Array(Rc::new(HogArray::new(Vec::new())))),
            Node::Dict(_) => {
                r.objects[i] = Some(Value::Dict(Rc::new(HogDict::new(dict_map_with_capacity(
                    0,
                )))))
            }
            _ => {}
        }
    }
    for i in 0..state.heap.len() {
        r.build_immutable(i as u32)?;
    }
    // Fill containers and upvalue cells.
    for (i, node) in state.heap.iter().enumerate() {
        match (node, &r.objects[i]) {
            (Node::Array(items), Some(Value::Array(a))) => {
                let values = items
                    .iter()
                    .map(|x| r.scalar_or_ref(x))
                    .collect::<Result<Vec<_>, _>>()?;
                *a.borrow_mut() = values;
            }
            (Node::Dict(entries), Some(Value::Dict(d))) => {
                let mut map = dict_map_with_capacity(entries.len());
                for (k, v) in entries {
                    map.insert(DictKey(r.scalar_or_ref(k)?), r.scalar_or_ref(v)?);
                }
                *d.borrow_mut() = map;
            }
            _ => {}
        }
    }
    for (cell, node) in r.cells.iter().zip(&state.upvalues) {
        *cell.0.borrow_mut() = match node {
            UpvalueNode::Open(slot) => UpvalueState::Open(*slot),
            UpvalueNode::Closed(v) => UpvalueState::Closed(r.scalar_or_ref(v)?),
        };
    }
    m.stack = state
        .stack
        .iter()
        .map(|v| r.scalar_or_ref(v))
        .collect::<Result<_, _>>()?;
    m.frames = Vec::with_capacity(state.frames.len());
    for f in &state.frames {
        let closure = match f.closure {
            Some(id) => match r.objects.get(id as usize).and_then(Option::clone) {
                Some(Value::Closure(c)) => Some(c),
                _ => return Err(bad("frame closure is not a closure")),
            },
            None => None,
        };
        if f.stack_start as usize > m.stack.len() {
            return Err(bad("frame starts above the stack"));
        }
        m.frames.push(Frame {
            chunk: r.chunk(f.chunk)?,
            ip: f.ip,
            stack_start: f.stack_start,
            closure,
        });
    }
    if m.frames.is_empty() {
        return Err(bad("no frames"));
    }
    m.tries = state
        .tries
        .iter()
        .map(|t| TryFrame {
            depth: t.depth,
            stack_len: t.stack_len,
            catch_ip: t.catch_ip,
        })
        .collect();
    m.open.clear();
    m.open_slots.clear();
    for &id in &state.open_upvalues {
        let cell = r
            .cells
            .get(id as usize)
            .cloned()
            .ok_or_else(|| bad("unknown open upvalue"))?;
        let UpvalueState::Open(slot) = cell.state() else {
            return Err(bad("open upvalue is closed"));
        };
        if slot >= m.stack.len() || m.open_slots.last().is_some_and(|&s| s >= slot) {
            return Err(bad("open upvalues out of order"));
        }
        m.open.push(cell);
        m.open_slots.push(slot);
    }
    m.declared = state
        .declared
        .iter()
        .map(|d| {
            Ok((
                d.name.clone(),
                Declared {
                    chunk: r.chunk(d.chunk)?,
                    body: d.body,
                    arg_count: d.arg_count,
                },
            ))
        })
        .collect::<Result<_, VmError>>()?;
    m.steps = state.steps;
    m.async_steps = state.async_steps;
    m.host_calls = state.host_calls;
    m.prior_time = std::time::Duration::from_micros(state.usage.wall_time_us);
    m.stack.push(crate::convert::json_to_value(result)?);
    m.mem.reset_to(&m.stack);
    Ok(())
}
