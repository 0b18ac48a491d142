//! Logic and comparison: `if`, `multiIf`, `and`, `or`, `not`, `equals`, `notEquals`,
//! `greater`, `greaterOrEquals`, `less`, `lessOrEquals`, `in`.
//!
//! The comparison functions do not coerce strings or booleans to numbers (unlike the
//! operators) and are false whenever either side is null.

use super::{NativeCtx, NativeDef, VARIADIC};
use crate::VmError;
use crate::ops::{strict_cmp, strict_eq};
use crate::value::Value;
use std::cmp::Ordering;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "if",
        min_args: 3,
        max_args: 3,
        call: if_fn,
    },
    NativeDef {
        name: "multiIf",
        min_args: 3,
        max_args: VARIADIC,
        call: multi_if,
    },
    NativeDef {
        name: "and",
        min_args: 1,
        max_args: VARIADIC,
        call: and,
    },
    NativeDef {
        name: "or",
        min_args: 1,
        max_args: VARIADIC,
        call: or,
    },
    NativeDef {
        name: "not",
        min_args: 1,
        max_args: 1,
        call: not,
    },
    NativeDef {
        name: "equals",
        min_args: 2,
        max_args: 2,
        call: equals,
    },
    NativeDef {
        name: "notEquals",
        min_args: 2,
        max_args: 2,
        call: not_equals,
    },
    NativeDef {
        name: "greater",
        min_args: 2,
        max_args: 2,
        call: greater,
    },
    NativeDef {
        name: "greaterOrEquals",
        min_args: 2,
        max_args: 2,
        call: greater_or_equals,
    },
    NativeDef {
        name: "less",
        min_args: 2,
        max_args: 2,
        call: less,
    },
    NativeDef {
        name: "lessOrEquals",
        min_args: 2,
        max_args: 2,
        call: less_or_equals,
    },
    NativeDef {
        name: "in",
        min_args: 2,
        max_args: 2,
        call: in_fn,
    },
];

fn if_fn(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(if args[0].is_truthy() {
        args[1].clone()
    } else {
        args[2].clone()
    })
}

fn multi_if(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut pairs = args.chunks_exact(2);
    for pair in &mut pairs {
        if pair[0].is_truthy() {
            return Ok(pair[1].clone());
        }
    }
    // Odd count: the last argument is the default; even count: no default (null).
    Ok(pairs.remainder().first().cloned().unwrap_or_default())
}

fn and(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(args.iter().all(Value::is_truthy)))
}

fn or(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(args.iter().any(Value::is_truthy)))
}

fn not(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(!args[0].is_truthy()))
}

fn equals(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(strict_eq(&args[0], &args[1])?))
}

fn not_equals(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(!strict_eq(&args[0], &args[1])?))
}

fn ordered(args: &[Value], test: fn(Ordering) -> bool) -> Value {
    Value::Bool(strict_cmp(&args[0], &args[1]).is_some_and(test))
}

fn greater(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(ordered(args, Ordering::is_gt))
}

fn greater_or_equals(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(ordered(args, Ordering::is_ge))
}

fn less(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(ordered(args, Ordering::is_lt))
}

fn less_or_equals(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(ordered(args, Ordering::is_le))
}

/// `in(v, coll)`: membership in an array or tuple; anything else is false.
fn in_fn(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match &args[1] {
        Value::Array(_) | Value::Tuple(_) => {
            Ok(Value::Bool(crate::ops::contains(&args[1], &args[0])?))
        }
        _ => Ok(Value::Bool(false)),
    }
}
