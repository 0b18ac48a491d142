//! Function values: callables, closures and upvalues.
//!
//! A `CALLABLE` instruction describes a function body (where it lives, how many arguments and
//! upvalues it has); `CLOSURE` pairs it with the upvalues it captures. Upvalues follow the Lua
//! design: while the captured local is still on the stack the upvalue is *open* and reads/writes
//! that stack slot; when the slot is popped it is *closed* and keeps the value itself. Two
//! closures capturing the same local share one upvalue cell (shared mutable state).

use crate::value::{HogStr, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// Where a callable's code lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallableKind {
    /// A function compiled into a chunk of the program (or a bytecode-STL chunk).
    Local,
    /// A native standard-library function referenced as a value (`let f := upper`).
    Native,
    /// A function provided by the host (sync or async), referenced as a value.
    Host,
}

/// A function body.
#[derive(Clone, Debug)]
pub struct Callable {
    pub kind: CallableKind,
    pub name: HogStr,
    /// Declared parameter count (for natives: the maximum arity, as PostHog prints it).
    pub arg_count: usize,
    pub upvalue_count: usize,
    /// Index of the chunk holding the body (`Local` only).
    pub chunk: u32,
    /// Index of the first body instruction inside the chunk (`Local` only).
    pub ip: usize,
}

/// A callable plus its captured upvalues.
pub struct Closure {
    pub callable: Callable,
    pub upvalues: Vec<Rc<Upvalue>>,
}

/// A captured variable.
pub struct Upvalue(pub(crate) RefCell<UpvalueState>);

#[derive(Clone)]
pub enum UpvalueState {
    /// Still on the value stack, at this absolute slot.
    Open(usize),
    /// The slot was popped; the value lives here now.
    Closed(Value),
}

impl Upvalue {
    pub(crate) fn open(slot: usize) -> Self {
        Upvalue(RefCell::new(UpvalueState::Open(slot)))
    }
    /// Consumes a uniquely owned upvalue, returning its value if closed (for iterative drops).
    pub(crate) fn into_closed_value(cell: Upvalue) -> Value {
        match std::mem::replace(&mut *cell.0.borrow_mut(), UpvalueState::Open(0)) {
            UpvalueState::Closed(v) => v,
            UpvalueState::Open(_) => Value::Null,
        }
    }
    pub fn state(&self) -> UpvalueState {
        self.0.borrow().clone()
    }
}

impl Drop for Upvalue {
    fn drop(&mut self) {
        if let UpvalueState::Closed(v) = self.0.get_mut() {
            let v = std::mem::take(v);
            crate::value::drop_iteratively(vec![v]);
        }
    }
}
