//! Types and conversions: `typeof`, `toString`, `toUUID`, `toInt`, `toFloat`, `tuple`,
//! `isNull`, `isNotNull`, `empty`, `notEmpty`, `length`, `assumeNotNull`, `coalesce`, `ifNull`.

use super::{NativeCtx, NativeDef, VARIADIC};
use crate::VmError;
use crate::datetime::days_from_civil;
use crate::value::Value;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "typeof",
        min_args: 1,
        max_args: 1,
        call: type_of,
    },
    NativeDef {
        name: "toString",
        min_args: 1,
        max_args: 2,
        call: to_string,
    },
    NativeDef {
        name: "toUUID",
        min_args: 1,
        max_args: 1,
        call: to_string,
    },
    NativeDef {
        name: "toInt",
        min_args: 1,
        max_args: 1,
        call: to_int,
    },
    NativeDef {
        name: "toFloat",
        min_args: 1,
        max_args: 1,
        call: to_float,
    },
    NativeDef {
        name: "tuple",
        min_args: 0,
        max_args: VARIADIC,
        call: tuple,
    },
    NativeDef {
        name: "isNull",
        min_args: 1,
        max_args: 1,
        call: is_null,
    },
    NativeDef {
        name: "isNotNull",
        min_args: 1,
        max_args: 1,
        call: is_not_null,
    },
    NativeDef {
        name: "empty",
        min_args: 1,
        max_args: 1,
        call: empty,
    },
    NativeDef {
        name: "notEmpty",
        min_args: 1,
        max_args: 1,
        call: not_empty,
    },
    NativeDef {
        name: "length",
        min_args: 1,
        max_args: 1,
        call: length,
    },
    NativeDef {
        name: "assumeNotNull",
        min_args: 1,
        max_args: 1,
        call: assume_not_null,
    },
    NativeDef {
        name: "coalesce",
        min_args: 1,
        max_args: VARIADIC,
        call: coalesce,
    },
    NativeDef {
        name: "ifNull",
        min_args: 2,
        max_args: 2,
        call: if_null,
    },
];

fn type_of(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::from(args[0].type_name()))
}

/// `toString(v)`: strings unchanged, dates `YYYY-MM-DD`, datetimes ISO-8601 with milliseconds
/// in their own zone, everything else in print format.
pub(crate) fn to_string(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match &args[0] {
        Value::Str(_) => Ok(args[0].clone()),
        Value::Date(d) => ctx.string(super::dates::date_to_string(d)),
        Value::DateTime(d) => ctx.string(super::dates::datetime_to_string(d)),
        other => {
            let s = ctx.display(other)?;
            Ok(Value::from(s))
        }
    }
}

/// JavaScript `parseInt` on a decimal string: optional whitespace and sign, then digits.
fn parse_leading_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let v: i64 = rest[..digits].parse().ok()?;
    Some(if neg { -v } else { v })
}

/// JavaScript `parseFloat`: the longest numeric prefix.
fn parse_leading_float(s: &str) -> Option<f64> {
    let t = s.trim_start();
    if let Some(rest) = t
        .strip_prefix("Infinity")
        .or_else(|| t.strip_prefix("+Infinity"))
    {
        let _ = rest;
        return Some(f64::INFINITY);
    }
    if t.starts_with("-Infinity") {
        return Some(f64::NEG_INFINITY);
    }
    let b = t.as_bytes();
    let mut end = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        end = 1;
    }
    let digits_start = end;
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    if end < b.len() && b[end] == b'.' {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end == digits_start || (end == digits_start + 1 && b[digits_start] == b'.') {
        return None;
    }
    if end < b.len() && matches!(b[end], b'e' | b'E') {
        let mut e = end + 1;
        if e < b.len() && matches!(b[e], b'-' | b'+') {
            e += 1;
        }
        let exp_digits = b[e..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits > 0 {
            end = e + exp_digits;
        }
    }
    t[..end].parse().ok()
}

fn to_int(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(match &args[0] {
        Value::Int(i) => Value::Int(*i),
        Value::Float(f) if f.is_finite() => Value::Int(f.trunc() as i64),
        Value::Bool(b) => Value::Int(*b as i64),
        Value::Str(s) => parse_leading_int(s).map(Value::Int).unwrap_or(Value::Null),
        Value::DateTime(d) => Value::Int(d.dt.floor() as i64),
        Value::Date(d) => Value::Int(days_from_civil(d.year, d.month, d.day)),
        _ => Value::Null,
    })
}

fn to_float(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(match &args[0] {
        Value::Int(i) => Value::Float(*i as f64),
        Value::Float(f) => Value::Float(*f),
        Value::Bool(b) => Value::Float(*b as i64 as f64),
        Value::Str(s) => parse_leading_float(s)
            .map(Value::Float)
            .unwrap_or(Value::Null),
        Value::DateTime(d) => Value::Float(d.dt),
        Value::Date(d) => Value::Float(days_from_civil(d.year, d.month, d.day) as f64),
        _ => Value::Null,
    })
}

fn tuple(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    ctx.tuple(args.to_vec())
}

fn is_null(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(args[0].is_null()))
}

fn is_not_null(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(!args[0].is_null()))
}

/// `empty(v)`: null, `''` and empty containers are empty; numbers and booleans never are.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Str(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Tuple(t) => t.is_empty(),
        Value::Dict(d) => d.is_empty(),
        _ => false,
    }
}

fn empty(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(is_empty(&args[0])))
}

fn not_empty(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(!is_empty(&args[0])))
}

fn length(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(match &args[0] {
        Value::Str(s) => Value::Int(s.chars().count() as i64),
        Value::Array(a) => Value::Int(a.len() as i64),
        Value::Tuple(t) => Value::Int(t.len() as i64),
        Value::Dict(d) => Value::Int(d.len() as i64),
        _ => Value::Null,
    })
}

fn assume_not_null(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match &args[0] {
        Value::Null => Err(VmError::runtime("Value is null in assumeNotNull")),
        v => Ok(v.clone()),
    }
}

fn coalesce(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(args
        .iter()
        .find(|v| !v.is_null())
        .cloned()
        .unwrap_or_default())
}

fn if_null(_: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(if args[0].is_null() {
        args[1].clone()
    } else {
        args[0].clone()
    })
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test;
    use crate::Value;

    fn call(name: &str, args: &[Value]) -> String {
        format!("{:?}", call_for_test(name, args).0.unwrap())
    }

    #[test]
    fn conversions() {
        assert_eq!(call("toInt", &[Value::from("12abc")]), "12");
        assert_eq!(call("toInt", &[Value::from("bla")]), "null");
        assert_eq!(call("toInt", &[Value::Float(-3.7)]), "-3");
        assert_eq!(call("toFloat", &[Value::from("1.25x")]), "1.25");
        assert_eq!(call("toFloat", &[Value::from(".")]), "null");
        assert_eq!(call("toString", &[Value::Float(1.5)]), "'1.5'");
        assert_eq!(call("length", &[Value::Null]), "null");
        assert_eq!(call("empty", &[Value::Int(0)]), "false");
        assert_eq!(call("coalesce", &[Value::Null, Value::Int(2)]), "2");
        assert_eq!(call("tuple", &[Value::Int(1)]), "tuple(1)");
    }
}
