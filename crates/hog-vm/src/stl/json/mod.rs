//! JSON (hog-stl.md §2.6): `jsonParse`, `jsonStringify`, `isValidJSON`, and the ClickHouse-style
//! extractors `JSONHas`, `JSONLength`, `JSONExtract*`.
//!
//! The extractors take either JSON text (parsed first; invalid text gives the function's "not
//! found" answer) or a Hog value, then follow a path of keys (strings) and 1-based indexes
//! (negative from the end), with the semantics of PostHog's Node VM. Where Node's answer is an
//! accident of JavaScript (`String(map)` = `"[object Map]"`), the ClickHouse meaning is used
//! instead and noted on the function.

pub mod parse;
pub mod stringify;

use super::strings::{arg, type_error};
use super::{NativeCtx, NativeDef, VARIADIC};
use crate::VmError;
use crate::value::{DictKey, Value, float_to_i64_exact};

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "jsonParse",
        min_args: 1,
        max_args: 1,
        call: json_parse,
    },
    NativeDef {
        name: "jsonStringify",
        min_args: 1,
        max_args: 2,
        call: json_stringify,
    },
    NativeDef {
        name: "isValidJSON",
        min_args: 1,
        max_args: 1,
        call: is_valid_json,
    },
    NativeDef {
        name: "JSONHas",
        min_args: 1,
        max_args: VARIADIC,
        call: json_has,
    },
    NativeDef {
        name: "JSONLength",
        min_args: 1,
        max_args: VARIADIC,
        call: json_length,
    },
    NativeDef {
        name: "JSONExtractBool",
        min_args: 1,
        max_args: VARIADIC,
        call: json_extract_bool,
    },
    NativeDef {
        name: "JSONExtractInt",
        min_args: 1,
        max_args: VARIADIC,
        call: json_extract_int,
    },
    NativeDef {
        name: "JSONExtractFloat",
        min_args: 1,
        max_args: VARIADIC,
        call: json_extract_float,
    },
    NativeDef {
        name: "JSONExtractString",
        min_args: 1,
        max_args: VARIADIC,
        call: json_extract_string,
    },
    NativeDef {
        name: "JSONExtractArrayRaw",
        min_args: 1,
        max_args: VARIADIC,
        call: json_extract_array_raw,
    },
    NativeDef {
        name: "JSONExtract",
        min_args: 2,
        max_args: VARIADIC,
        call: json_extract,
    },
];

/// Largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

// ------------------------------------------------------------------------------------------------
// jsonParse, jsonStringify, isValidJSON

/// `jsonParse(s)`: invalid JSON is a runtime error. A number, boolean or `null` parses to
/// itself (its text is JSON, as for `JSON.parse(String(x))` in Node).
fn json_parse(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match &args[0] {
        v @ (Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_)) => Ok(v.clone()),
        Value::Str(s) => parse::parse(ctx, s),
        other => Err(type_error("jsonParse", "a string", other)),
    }
}

/// `jsonStringify(v[, indent])`: compact unless `indent` is a positive number (pretty-printed
/// with up to 10 spaces per level, as `JSON.stringify(v, null, indent)`).
fn json_stringify(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let indent = match arg(args, 1).as_f64() {
        Some(n) if n > 0.0 => n.min(10.0) as usize,
        _ => 0,
    };
    let budget = ctx.text_budget();
    let text = stringify::stringify(&args[0], indent, budget).map_err(|e| ctx.remap(e))?;
    ctx.string(text)
}

/// `isValidJSON(s)`: whether a string parses. Numbers, booleans and `null` are valid (their
/// text is JSON, as for `JSON.parse(String(x))` in Node); containers are not.
fn is_valid_json(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(match &args[0] {
        Value::Str(s) => parse::is_valid(s),
        Value::Null | Value::Int(_) | Value::Float(_) | Value::Bool(_) => true,
        _ => false,
    }))
}

// ------------------------------------------------------------------------------------------------
// Paths

/// The document of an extractor: JSON text is parsed (`None` if invalid), a Hog value is used
/// as it is.
fn document(ctx: &mut NativeCtx<'_>, v: &Value) -> Result<Option<Value>, VmError> {
    match v {
        Value::Str(s) => parse::parse_if_valid(ctx, s),
        other => Ok(Some(other.clone())),
    }
}

/// An integral number usable as an index (`1`, `-2`, `3.0`).
fn index_key(key: &Value) -> Option<i64> {
    match key {
        Value::Int(i) => Some(*i),
        Value::Float(f) => float_to_i64_exact(*f),
        _ => None,
    }
}

/// The element at a 1-based (negative: from the end) index; `None` if out of range or 0.
fn element(items: &[Value], index: i64) -> Option<&Value> {
    let len = items.len() as i64;
    let i = if index < 0 { len + index } else { index - 1 };
    if index == 0 || i < 0 || i >= len {
        return None;
    }
    items.get(usize::try_from(i).ok()?)
}

/// Follows `path` from `doc` the way PostHog's `getNestedValue` does: dict keys by value,
/// array/tuple indexes 1-based (index 0 is an error, as everywhere in Hog); anything missing,
/// or a step into a non-container, gives `null`. A scalar document gives `null` too.
fn nested(doc: &Value, path: &[Value]) -> Result<Value, VmError> {
    if !is_container(doc) {
        return Ok(Value::Null);
    }
    let mut current = doc.clone();
    for key in path {
        if current.is_null() {
            return Ok(Value::Null);
        }
        let next = match (&current, key) {
            (Value::Dict(d), key) => d.borrow().get(&DictKey(key.clone())).cloned(),
            (_, key) if index_key(key) == Some(0) => {
                return Err(VmError::runtime("Hog arrays start from index 1"));
            }
            (Value::Array(a), key) => index_key(key).and_then(|i| element(&a.borrow(), i).cloned()),
            (Value::Tuple(t), key) => index_key(key).and_then(|i| element(t, i).cloned()),
            _ => None,
        };
        current = next.unwrap_or(Value::Null);
    }
    Ok(current)
}

fn is_container(v: &Value) -> bool {
    matches!(v, Value::Array(_) | Value::Tuple(_) | Value::Dict(_))
}

// ------------------------------------------------------------------------------------------------
// JSONHas, JSONLength

/// `JSONHas(json, ...path)`: true if every step exists. A string met along the way is parsed
/// as JSON (as Node does), index 0 and out-of-range indexes are false. With no path the answer
/// is true (Node).
fn json_has(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut current = args[0].clone();
    for key in &args[1..] {
        if let Value::Str(s) = &current {
            match parse::parse_if_valid(ctx, s)? {
                Some(parsed) => current = parsed,
                None => return Ok(Value::Bool(false)),
            }
        }
        let next = match &current {
            Value::Dict(d) => d.borrow().get(&DictKey(key.clone())).cloned(),
            Value::Array(a) => index_key(key).and_then(|i| element(&a.borrow(), i).cloned()),
            Value::Tuple(t) => index_key(key).and_then(|i| element(t, i).cloned()),
            _ => None,
        };
        match next {
            Some(v) => current = v,
            None => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}

/// `JSONLength(json, ...path)`: the size of the array or object at the path, else 0.
fn json_length(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Some(doc) = document(ctx, &args[0])? else {
        return Ok(Value::Int(0));
    };
    let len = match nested(&doc, &args[1..])? {
        Value::Array(a) => a.len(),
        Value::Tuple(t) => t.len(),
        Value::Dict(d) => d.len(),
        _ => 0,
    };
    Ok(Value::Int(len as i64))
}

// ------------------------------------------------------------------------------------------------
// JSONExtract*

/// `JSONExtractBool(json, ...path)`: the value if it is a real boolean, else false
/// (`"true"` the string is false; `JSONExtractBool('true')` is true because it parses).
fn json_extract_bool(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Some(doc) = document(ctx, &args[0])? else {
        return Ok(Value::Bool(false));
    };
    let v = if args.len() > 1 {
        nested(&doc, &args[1..])?
    } else {
        doc
    };
    Ok(Value::Bool(matches!(v, Value::Bool(true))))
}

/// The value at the path of an extractor (`null` for invalid JSON).
fn extract(ctx: &mut NativeCtx<'_>, doc: &Value, path: &[Value]) -> Result<Value, VmError> {
    match document(ctx, doc)? {
        Some(doc) => nested(&doc, path),
        None => Ok(Value::Null),
    }
}

/// A JavaScript number as a Hog number: integral values within ±2^53 as `Int`.
fn js_number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER {
        Value::Int(f as i64)
    } else {
        Value::Float(f)
    }
}

/// `JSONExtractInt(json, ...path)`: JavaScript `parseInt` of the value — numbers truncate
/// (`123.1` → 123), numeric strings parse (`'12abc'` → 12, `'0x1f'` → 31); anything else is
/// `null`.
fn json_extract_int(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(match extract(ctx, &args[0], &args[1..])? {
        Value::Int(i) => Value::Int(i),
        Value::Float(f) => {
            js_parse_int(&crate::print::format_number(f)).map_or(Value::Null, js_number)
        }
        Value::Str(s) => js_parse_int(&s).map_or(Value::Null, js_number),
        _ => Value::Null,
    })
}

/// `JSONExtractFloat(json, ...path)`: JavaScript `parseFloat` of the value; `null` if not
/// numeric.
fn json_extract_float(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(match extract(ctx, &args[0], &args[1..])? {
        v @ (Value::Int(_) | Value::Float(_)) => v,
        Value::Str(s) => js_parse_float(&s).map_or(Value::Null, Value::Float),
        _ => Value::Null,
    })
}

/// `JSONExtractString(json, ...path)`: the value as text (`123.1` → `'123.1'`); `null` if
/// missing. Arrays and objects give their compact JSON (ClickHouse's raw form; Node would give
/// `"[object Map]"`).
fn json_extract_string(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match extract(ctx, &args[0], &args[1..])? {
        Value::Null => Ok(Value::Null),
        s @ Value::Str(_) => Ok(s),
        Value::Int(i) => ctx.string(i.to_string()),
        Value::Float(f) => ctx.string(crate::print::format_number(f)),
        Value::Bool(b) => ctx.string(b.to_string()),
        other => {
            let budget = ctx.text_budget();
            let text = stringify::stringify(&other, 0, budget).map_err(|e| ctx.remap(e))?;
            ctx.string(text)
        }
    }
}

/// `JSONExtractArrayRaw(json, ...path)`: the array at the path (a tuple becomes an array),
/// else `null`.
fn json_extract_array_raw(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match extract(ctx, &args[0], &args[1..])? {
        a @ Value::Array(_) => Ok(a),
        Value::Tuple(t) => ctx.array(t.to_vec()),
        _ => Ok(Value::Null),
    }
}

/// `JSONExtract(json, ...path, type)`: the raw value at the path; the last argument is a
/// ClickHouse type name and is ignored.
fn json_extract(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let path = &args[1..args.len() - 1];
    extract(ctx, &args[0], path)
}

// ------------------------------------------------------------------------------------------------
// JavaScript number parsing

fn is_js_whitespace(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// JavaScript's `parseInt(s)` (radix 10, or 16 after `0x`): leading whitespace, a sign, then
/// the longest run of digits; `None` when there are none.
pub fn js_parse_int(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(is_js_whitespace);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let magnitude = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        let digits: Vec<u32> = hex.chars().map_while(|c| c.to_digit(16)).collect();
        if digits.is_empty() {
            return None;
        }
        digits.iter().fold(0.0, |acc, &d| acc * 16.0 + f64::from(d))
    } else {
        let end = t
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(t.len());
        if end == 0 {
            return None;
        }
        t[..end].parse::<f64>().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// JavaScript's `parseFloat(s)`: leading whitespace, then the longest prefix that is a decimal
/// literal (`Infinity` included); `None` when there is none.
pub fn js_parse_float(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(is_js_whitespace);
    let b = t.as_bytes();
    let mut i = 0;
    if let Some(b'+' | b'-') = b.first() {
        i += 1;
    }
    if t[i..].starts_with("Infinity") {
        let inf = f64::INFINITY;
        return Some(if b.first() == Some(&b'-') { -inf } else { inf });
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        let mut j = i + 1;
        let frac = digits(&mut j);
        if mantissa > 0 || frac > 0 {
            i = j;
            mantissa += frac;
        }
    }
    if mantissa == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        let mut j = i + 1;
        if let Some(b'+' | b'-') = b.get(j) {
            j += 1;
        }
        if digits(&mut j) > 0 {
            i = j;
        }
    }
    t[..i].parse::<f64>().ok()
}

#[cfg(test)]
mod tests;
