//! `keys` and `values` (what `for … in` iterates).

use super::{NativeCtx, NativeDef};
use crate::VmError;
use crate::value::Value;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "keys",
        min_args: 1,
        max_args: 1,
        call: keys,
    },
    NativeDef {
        name: "values",
        min_args: 1,
        max_args: 1,
        call: values,
    },
];

/// Dict keys in insertion order; arrays and tuples give **0-based** indexes; else `[]`.
fn keys(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let out = match &args[0] {
        Value::Dict(d) => d.borrow().keys().map(|k| k.0.clone()).collect(),
        Value::Array(a) => (0..a.len() as i64).map(Value::Int).collect(),
        Value::Tuple(t) => (0..t.len() as i64).map(Value::Int).collect(),
        _ => Vec::new(),
    };
    ctx.array(out)
}

/// Dict values; array/tuple elements (as a new array); else `[]`.
fn values(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let out = match &args[0] {
        Value::Dict(d) => d.borrow().values().cloned().collect(),
        Value::Array(a) => a.borrow().clone(),
        Value::Tuple(t) => t.to_vec(),
        _ => Vec::new(),
    };
    ctx.array(out)
}
