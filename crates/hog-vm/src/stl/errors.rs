//! Error constructors: `Error`, `HogError`, `RetryError`, `NotImplementedError`.
//!
//! A missing or empty message becomes `An error occurred`; an empty type becomes `Error`.

use super::{NativeCtx, NativeDef};
use crate::value::{ErrorValue, HogStr};
use crate::{Value, VmError, memory};
use std::rc::Rc;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "Error",
        min_args: 0,
        max_args: 2,
        call: error,
    },
    NativeDef {
        name: "RetryError",
        min_args: 0,
        max_args: 2,
        call: retry_error,
    },
    NativeDef {
        name: "NotImplementedError",
        min_args: 0,
        max_args: 2,
        call: not_implemented,
    },
    NativeDef {
        name: "HogError",
        min_args: 1,
        max_args: 3,
        call: hog_error,
    },
];

/// Builds an error value (shared with the interpreter for errors it raises as values).
pub(crate) fn make_error(
    ctx: &mut NativeCtx<'_>,
    error_type: &Value,
    message: Option<&Value>,
    payload: Option<&Value>,
) -> Result<Value, VmError> {
    let error_type: HogStr = match error_type {
        Value::Str(s) if !s.is_empty() => s.clone(),
        Value::Null => "Error".into(),
        Value::Str(_) => "Error".into(),
        other => ctx.display(other)?.into(),
    };
    let message: HogStr = match message {
        None | Some(Value::Null) => "An error occurred".into(),
        Some(Value::Str(s)) if s.is_empty() => "An error occurred".into(),
        Some(Value::Str(s)) => s.clone(),
        Some(other) => ctx.display(other)?.into(),
    };
    ctx.charge(memory::ERROR)?;
    Ok(Value::Error(Rc::new(ErrorValue {
        error_type,
        message,
        payload: payload.cloned().unwrap_or(Value::Null),
    })))
}

fn error(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    make_error(ctx, &Value::from("Error"), args.first(), args.get(1))
}

fn retry_error(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    make_error(ctx, &Value::from("RetryError"), args.first(), args.get(1))
}

fn not_implemented(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    make_error(
        ctx,
        &Value::from("NotImplementedError"),
        args.first(),
        args.get(1),
    )
}

fn hog_error(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    // min_args = 1 is enforced by the registry before the call.
    make_error(ctx, &args[0], args.get(1), args.get(2))
}
