//! Math (hog-stl.md §2.3): `plus`, `minus`, `min2`, `max2`, `floor`, `round`, `range`,
//! `randomFloat`.
//!
//! Integers stay integers where the result is exact (`Int + Int` unless it overflows, `floor` and
//! `round` of a float whose result fits an `i64`); everything else is a float. `round` follows
//! Node's `Math.round` (halves go up: `round(2.5)` = 3, `round(-2.5)` = -2), not Python's banker's
//! rounding. The optional precision argument of `floor`/`round` is accepted and ignored, as in
//! both reference VMs.

use super::strings::{arg, type_error};
use super::{NativeCtx, NativeDef};
use crate::VmError;
use crate::memory;
use crate::value::{Value, float_to_i64_exact};
use std::cmp::Ordering;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "plus",
        min_args: 2,
        max_args: 2,
        call: plus,
    },
    NativeDef {
        name: "minus",
        min_args: 2,
        max_args: 2,
        call: minus,
    },
    NativeDef {
        name: "min2",
        min_args: 2,
        max_args: 2,
        call: min2,
    },
    NativeDef {
        name: "max2",
        min_args: 2,
        max_args: 2,
        call: max2,
    },
    NativeDef {
        name: "floor",
        min_args: 1,
        max_args: 2,
        call: floor,
    },
    NativeDef {
        name: "round",
        min_args: 1,
        max_args: 2,
        call: round,
    },
    NativeDef {
        name: "range",
        min_args: 1,
        max_args: 2,
        call: range,
    },
    NativeDef {
        name: "randomFloat",
        min_args: 0,
        max_args: 0,
        call: random_float,
    },
];

/// Two numeric operands, or a type error naming the function.
fn numbers<'v>(name: &str, a: &'v Value, b: &'v Value) -> Result<(&'v Value, &'v Value), VmError> {
    for v in [a, b] {
        if !v.is_number() {
            return Err(type_error(name, "numbers", v));
        }
    }
    Ok((a, b))
}

fn plus(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(match numbers("plus", &args[0], &args[1])? {
        (Value::Int(a), Value::Int(b)) => match a.checked_add(*b) {
            Some(n) => Value::Int(n),
            None => Value::Float(*a as f64 + *b as f64),
        },
        (a, b) => Value::Float(num(a) + num(b)),
    })
}

fn minus(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(match numbers("minus", &args[0], &args[1])? {
        (Value::Int(a), Value::Int(b)) => match a.checked_sub(*b) {
            Some(n) => Value::Int(n),
            None => Value::Float(*a as f64 - *b as f64),
        },
        (a, b) => Value::Float(num(a) - num(b)),
    })
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Orders two values of one kind: numbers numerically, strings by code point, dates and
/// datetimes by instant. `None` for anything else (mixed kinds, containers, NaN).
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (x, y) if x.is_number() && y.is_number() => num(x).partial_cmp(&num(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.as_str().cmp(y.as_str())),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Date(_) | Value::DateTime(_), Value::Date(_) | Value::DateTime(_)) => {
            super::dates::epoch_seconds(a)?.partial_cmp(&super::dates::epoch_seconds(b)?)
        }
        _ => None,
    }
}

/// `min2`/`max2`: null if either side is null (ClickHouse); an error for values of different
/// kinds, which have no order.
fn pick(name: &str, args: &[Value], want: Ordering) -> Result<Value, VmError> {
    let (a, b) = (&args[0], &args[1]);
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    match order(a, b) {
        Some(o) if o == want => Ok(a.clone()),
        Some(_) => Ok(b.clone()),
        None => Err(VmError::runtime(format!(
            "{name}() can not compare {} with {}",
            a.type_name(),
            b.type_name()
        ))),
    }
}

fn min2(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    pick("min2", args, Ordering::Less)
}

fn max2(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    pick("max2", args, Ordering::Greater)
}

/// An integral float as `Int` when it fits, else the float itself (±∞, NaN, huge values).
fn integral(f: f64) -> Value {
    match float_to_i64_exact(f) {
        Some(i) => Value::Int(i),
        None => Value::Float(f),
    }
}

fn floor(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Float(f) => Ok(integral(f.floor())),
        other => Err(type_error("floor", "a number", other)),
    }
}

/// JavaScript's `Math.round`: the nearest integer, halves rounded toward +∞.
pub fn js_round(f: f64) -> f64 {
    let down = f.floor();
    if f - down >= 0.5 { down + 1.0 } else { down }
}

fn round(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Float(f) => Ok(integral(js_round(*f))),
        other => Err(type_error("round", "a number", other)),
    }
}

/// `range(n)` = `[0 … n-1]`, `range(a, b)` = `[a … b-1]`; empty when the bounds are reversed.
/// The array's memory is charged before it is allocated.
fn range(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let (start, end) = match arg(args, 1) {
        Value::Null => (&Value::Int(0), &args[0]),
        end => (&args[0], end),
    };
    for v in [start, end] {
        if !v.is_number() {
            return Err(type_error("range", "numbers", v));
        }
    }
    let len = num(end) - num(start);
    let len = if len.is_nan() || len <= 0.0 {
        0
    } else {
        len.min(u64::MAX as f64) as u64
    };
    // Saturating: `array_cost` of an absurd length must not overflow before the budget says no.
    let bytes = memory::array_cost(0).saturating_add(memory::SLOT.saturating_mul(len));
    ctx.charge(bytes)?;
    let len = usize::try_from(len).map_err(|_| too_long(len))?;
    let mut items = Vec::new();
    items
        .try_reserve_exact(len)
        .map_err(|_| too_long(len as u64))?;
    match start {
        Value::Int(s) => {
            for i in 0..len {
                match s.checked_add(i as i64) {
                    Some(n) => items.push(Value::Int(n)),
                    None => items.push(Value::Float(*s as f64 + i as f64)),
                }
            }
        }
        other => {
            let s = num(other);
            items.extend((0..len).map(|i| Value::Float(s + i as f64)));
        }
    }
    Ok(Value::array(items))
}

fn too_long(len: u64) -> VmError {
    VmError::runtime(format!("range() of {len} elements can not be allocated"))
}

fn random_float(ctx: &mut NativeCtx<'_>, _args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Float(ctx.random_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::memory::Memory;

    fn call_with(mem: &mut Memory, name: &str, args: Vec<Value>) -> Result<Value, VmError> {
        let def = super::super::lookup(name).expect("registered");
        def.check_arity(args.len())?;
        let mut env = Env::new();
        let mut ctx = NativeCtx::new(mem, &[], &mut env);
        (def.call)(&mut ctx, &args)
    }

    fn p(name: &str, args: Vec<Value>) -> String {
        match call_with(&mut Memory::new(None), name, args) {
            Ok(v) => crate::print::display(&v, usize::MAX).unwrap(),
            Err(e) => format!("ERROR: {e}"),
        }
    }

    #[test]
    fn corpus_math() {
        assert_eq!(p("min2", vec![Value::Int(3), Value::Int(5)]), "3");
        assert_eq!(p("max2", vec![Value::Int(3), Value::Int(5)]), "5");
        assert_eq!(p("plus", vec![Value::Int(10), Value::Int(5)]), "15");
        assert_eq!(p("minus", vec![Value::Int(10), Value::Int(5)]), "5");
        assert_eq!(p("floor", vec![Value::Float(3.99)]), "3");
        assert_eq!(p("floor", vec![Value::Float(2.9)]), "2");
        assert_eq!(p("round", vec![Value::Float(3.5)]), "4");
        assert_eq!(
            p("round", vec![Value::Float(2.5)]),
            "3",
            "Node rounds halves up"
        );
        assert_eq!(p("round", vec![Value::Float(2.4)]), "2");
        assert_eq!(p("range", vec![Value::Int(5)]), "[0, 1, 2, 3, 4]");
        assert_eq!(p("range", vec![Value::Int(3), Value::Int(6)]), "[3, 4, 5]");
        assert_eq!(
            p("range", vec![Value::Int(2), Value::Int(6)]),
            "[2, 3, 4, 5]"
        );
    }

    #[test]
    fn rounding_edges() {
        assert_eq!(js_round(-2.5), -2.0);
        assert_eq!(js_round(-2.6), -3.0);
        assert_eq!(js_round(0.49999999999999994), 0.0);
        assert_eq!(js_round(4503599627370495.5), 4503599627370496.0);
        assert_eq!(
            p("round", vec![Value::Float(2.5), Value::Int(2)]),
            "3",
            "precision ignored"
        );
        assert_eq!(p("floor", vec![Value::Float(-0.5)]), "-1");
        assert_eq!(p("floor", vec![Value::Float(1e300)]), "1e+300");
        assert_eq!(p("floor", vec![Value::Null]), "null");
        assert_eq!(
            p("floor", vec![Value::from("x")]),
            "ERROR: floor() expects a number, got string"
        );
        assert!(matches!(
            call_with(&mut Memory::new(None), "round", vec![Value::Float(7.2)]),
            Ok(Value::Int(7))
        ));
    }

    #[test]
    fn arithmetic_and_ordering() {
        assert_eq!(
            p("plus", vec![Value::Int(i64::MAX), Value::Int(1)]),
            "9223372036854776000"
        );
        assert_eq!(
            p("plus", vec![Value::Float(0.1), Value::Float(0.2)]),
            "0.30000000000000004"
        );
        assert_eq!(p("minus", vec![Value::Int(1), Value::Float(0.5)]), "0.5");
        assert_eq!(
            p("plus", vec![Value::from("a"), Value::Int(1)]),
            "ERROR: plus() expects numbers, got string"
        );
        assert_eq!(p("min2", vec![Value::from("b"), Value::from("a")]), "a");
        assert_eq!(p("max2", vec![Value::Float(1.5), Value::Int(1)]), "1.5");
        assert_eq!(p("min2", vec![Value::Null, Value::Int(1)]), "null");
        assert_eq!(
            p("max2", vec![Value::Int(1), Value::from("1")]),
            "ERROR: max2() can not compare integer with string"
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(p("range", vec![Value::Int(6), Value::Int(3)]), "[]");
        assert_eq!(p("range", vec![Value::Int(-3)]), "[]");
        assert_eq!(
            p("range", vec![Value::Float(0.5), Value::Int(3)]),
            "[0.5, 1.5]"
        );
        assert_eq!(p("range", vec![Value::Int(0), Value::Float(2.5)]), "[0, 1]");
        assert_eq!(
            p("range", vec![Value::Null]),
            "ERROR: range() expects numbers, got null"
        );
        let mut small = Memory::new(Some(1 << 20));
        let huge = call_with(&mut small, "range", vec![Value::Int(1_000_000_000_000)]);
        assert!(
            matches!(
                huge,
                Err(VmError::Limit(crate::LimitExceeded::Memory { .. }))
            ),
            "{huge:?}"
        );
    }

    #[test]
    fn random() {
        let a = call_with(&mut Memory::new(None), "randomFloat", vec![]).unwrap();
        let f = a.as_f64().unwrap();
        assert!((0.0..1.0).contains(&f));
    }
}
