//! Array helpers: `has`, `indexOf`, `arrayPushBack`, `arrayPushFront`, `arrayPopBack`,
//! `arrayPopFront`, `arraySort`, `arrayReverseSort`, `arrayReverse`, `arrayStringConcat`.
//! They never mutate their argument; non-array inputs behave like an empty array.

use super::{NativeCtx, NativeDef, VARIADIC};
use crate::VmError;
use crate::ops::{strict_cmp, strict_eq};
use crate::value::Value;
use std::cmp::Ordering;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "has",
        min_args: 2,
        max_args: 2,
        call: has,
    },
    NativeDef {
        name: "indexOf",
        min_args: 2,
        max_args: 2,
        call: index_of,
    },
    NativeDef {
        name: "arrayPushBack",
        min_args: 2,
        max_args: 2,
        call: push_back,
    },
    NativeDef {
        name: "arrayPushFront",
        min_args: 2,
        max_args: 2,
        call: push_front,
    },
    NativeDef {
        name: "arrayPopBack",
        min_args: 1,
        max_args: 1,
        call: pop_back,
    },
    NativeDef {
        name: "arrayPopFront",
        min_args: 1,
        max_args: 1,
        call: pop_front,
    },
    NativeDef {
        name: "arraySort",
        min_args: 1,
        max_args: VARIADIC,
        call: sort,
    },
    NativeDef {
        name: "arrayReverseSort",
        min_args: 1,
        max_args: VARIADIC,
        call: reverse_sort,
    },
    NativeDef {
        name: "arrayReverse",
        min_args: 1,
        max_args: 1,
        call: reverse,
    },
    NativeDef {
        name: "arrayStringConcat",
        min_args: 1,
        max_args: 2,
        call: string_concat,
    },
];

/// The elements of an array argument (anything else: none).
fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.borrow().clone(),
        _ => Vec::new(),
    }
}

fn has(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    if let Value::Array(a) = &args[0] {
        for item in a.borrow().iter() {
            if strict_eq(item, &args[1])? {
                return Ok(Value::Bool(true));
            }
        }
    }
    Ok(Value::Bool(false))
}

fn index_of(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    if let Value::Array(a) = &args[0] {
        for (i, item) in a.borrow().iter().enumerate() {
            if strict_eq(item, &args[1])? {
                return Ok(Value::Int(i as i64 + 1));
            }
        }
    }
    Ok(Value::Int(0))
}

fn push_back(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut out = Vec::with_capacity(match &args[0] {
        Value::Array(a) => a.len() + 1,
        _ => 1,
    });
    if let Value::Array(a) = &args[0] {
        out.extend(a.borrow().iter().cloned());
    }
    out.push(args[1].clone());
    ctx.array(out)
}

fn push_front(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut out = vec![args[1].clone()];
    out.extend(items(&args[0]));
    ctx.array(out)
}

fn pop_back(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut out = items(&args[0]);
    out.pop();
    ctx.array(out)
}

fn pop_front(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut out = items(&args[0]);
    if !out.is_empty() {
        out.remove(0);
    }
    ctx.array(out)
}

/// Rank of a type in sorts of mixed arrays (values of one type sort by value).
fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) | Value::Float(_) => 2,
        Value::Str(_) => 3,
        Value::Date(_) | Value::DateTime(_) => 4,
        Value::Array(_) | Value::Tuple(_) => 5,
        Value::Dict(_) => 6,
        _ => 7,
    }
}

fn total_cmp(a: &Value, b: &Value) -> Ordering {
    strict_cmp(a, b).unwrap_or_else(|| rank(a).cmp(&rank(b)))
}

fn sort(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut out = items(&args[0]);
    out.sort_by(total_cmp);
    ctx.array(out)
}

fn reverse_sort(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut out = items(&args[0]);
    out.sort_by(|a, b| total_cmp(b, a));
    ctx.array(out)
}

fn reverse(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut out = items(&args[0]);
    out.reverse();
    ctx.array(out)
}

/// Joins elements with a separator (JavaScript `join`: null → '', others in print format).
fn string_concat(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let sep = match args.get(1) {
        Some(Value::Str(s)) => s.to_string(),
        Some(Value::Null) | None => String::new(),
        Some(other) => ctx.display(other)?,
    };
    let Value::Array(a) = &args[0] else {
        return ctx.string(String::new());
    };
    let mut out = String::new();
    let budget = ctx.text_budget();
    for (i, item) in a.borrow().iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        if !item.is_null() {
            crate::print::write_display(&mut out, item, budget).map_err(|e| ctx.remap(e))?;
        }
        if out.len() > budget {
            return Err(ctx.remap(VmError::Limit(crate::LimitExceeded::Memory {
                limit: budget as u64,
                needed: out.len() as u64,
            })));
        }
    }
    ctx.string(out)
}
