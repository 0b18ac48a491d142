//! Operator semantics: arithmetic, comparison with PostHog's type unification, membership,
//! and property access. Shared by the interpreter and the STL (`equals`, `has`, `indexOf`…).
//!
//! Arithmetic follows the Node VM (production): operands are converted like JavaScript's
//! `Number()` (null → 0, booleans → 0/1, numeric strings → their value, anything else → NaN),
//! `/` is float division, `%` a truncated remainder, division by zero gives ±Infinity/NaN.
//! Integer operations stay integers until they overflow, then continue as floats (as a JS
//! number would).

use crate::error::LimitExceeded;
use crate::value::{DictKey, Value, float_to_i64_exact};
use crate::{MAX_NESTING, VmError};
use std::cmp::Ordering;

/// A number after JavaScript-style coercion.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn f(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
}

/// JavaScript `Number(v)` for the values arithmetic sees.
pub(crate) fn to_num(v: &Value) -> Num {
    match v {
        Value::Int(i) => Num::I(*i),
        Value::Float(f) => Num::F(*f),
        Value::Null => Num::I(0),
        Value::Bool(b) => Num::I(*b as i64),
        Value::Str(s) => Num::F(js_string_to_number(s)),
        Value::DateTime(d) => Num::F(d.dt * 1000.0),
        Value::Array(a) => {
            // Number([]) = 0, Number([x]) = Number(x), else NaN.
            let items = a.borrow();
            match items.len() {
                0 => Num::I(0),
                1 if !matches!(items[0], Value::Array(_)) => to_num(&items[0]),
                _ => Num::F(f64::NAN),
            }
        }
        _ => Num::F(f64::NAN),
    }
}

/// JavaScript's string → number conversion: surrounding whitespace ignored, empty → 0,
/// decimal/exponent literals, `0x`/`0o`/`0b` prefixes, `Infinity`; anything else NaN.
pub fn js_string_to_number(s: &str) -> f64 {
    let t = s.trim();
    if t.is_empty() {
        return 0.0;
    }
    let (sign, body) = match t.as_bytes()[0] {
        b'-' => (-1.0, &t[1..]),
        b'+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = t.strip_prefix(prefix) {
            return u64::from_str_radix(digits, radix)
                .map(|v| v as f64)
                .unwrap_or(f64::NAN);
        }
    }
    let valid = body
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if !valid {
        return f64::NAN;
    }
    body.parse::<f64>().map(|v| sign * v).unwrap_or(f64::NAN)
}

#[inline]
fn num_value(n: Num) -> Value {
    match n {
        Num::I(i) => Value::Int(i),
        Num::F(f) => Value::Float(f),
    }
}

/// `l + r`.
#[inline]
pub fn add(l: &Value, r: &Value) -> Value {
    if let (Value::Int(a), Value::Int(b)) = (l, r) {
        return match a.checked_add(*b) {
            Some(v) => Value::Int(v),
            None => Value::Float(*a as f64 + *b as f64),
        };
    }
    match (to_num(l), to_num(r)) {
        (Num::I(a), Num::I(b)) => a
            .checked_add(b)
            .map_or(Value::Float(a as f64 + b as f64), Value::Int),
        (a, b) => Value::Float(a.f() + b.f()),
    }
}

/// `l - r`.
#[inline]
pub fn sub(l: &Value, r: &Value) -> Value {
    match (to_num(l), to_num(r)) {
        (Num::I(a), Num::I(b)) => a
            .checked_sub(b)
            .map_or(Value::Float(a as f64 - b as f64), Value::Int),
        (a, b) => Value::Float(a.f() - b.f()),
    }
}

/// `l * r`.
#[inline]
pub fn mul(l: &Value, r: &Value) -> Value {
    match (to_num(l), to_num(r)) {
        (Num::I(a), Num::I(b)) => a
            .checked_mul(b)
            .map_or(Value::Float(a as f64 * b as f64), Value::Int),
        (a, b) => Value::Float(a.f() * b.f()),
    }
}

/// `l / r` (always a float division, as in JavaScript).
#[inline]
pub fn div(l: &Value, r: &Value) -> Value {
    num_value(Num::F(to_num(l).f() / to_num(r).f()))
}

/// `l % r`, truncated (sign of the dividend), NaN for a zero divisor.
#[inline]
pub fn rem(l: &Value, r: &Value) -> Value {
    match (to_num(l), to_num(r)) {
        (Num::I(_), Num::I(0)) => Value::Float(f64::NAN),
        (Num::I(a), Num::I(b)) => Value::Int(a.checked_rem(b).unwrap_or(0)),
        (a, b) => Value::Float(a.f() % b.f()),
    }
}

// ------------------------------------------------------------------------------------------------
// Comparison

/// Epoch seconds of a date or datetime.
fn epoch_of(v: &Value) -> Option<f64> {
    match v {
        Value::DateTime(d) => Some(d.dt),
        Value::Date(d) => {
            Some(crate::datetime::days_from_civil(d.year, d.month, d.day) as f64 * 86400.0)
        }
        _ => None,
    }
}

/// Applies PostHog's unification (hog-language.md §5.3) to a pair of operands, returning
/// numbers to compare when one of the numeric rules applies.
fn unify_numeric(l: &Value, r: &Value) -> Option<(f64, f64)> {
    use Value::*;
    match (l, r) {
        (Int(_) | Float(_), Int(_) | Float(_)) => Some((l.as_f64()?, r.as_f64()?)),
        (Int(_) | Float(_), Str(s)) => Some((l.as_f64()?, js_string_to_number(s))),
        (Str(s), Int(_) | Float(_)) => Some((js_string_to_number(s), r.as_f64()?)),
        (Bool(b), Int(_) | Float(_)) => Some((*b as i64 as f64, r.as_f64()?)),
        (Int(_) | Float(_), Bool(b)) => Some((l.as_f64()?, *b as i64 as f64)),
        (Bool(a), Bool(b)) => Some((*a as i64 as f64, *b as i64 as f64)),
        // A string next to a boolean becomes `s == 'true'` (Node).
        (Bool(b), Str(s)) => Some((*b as i64 as f64, (s.as_str() == "true") as i64 as f64)),
        (Str(s), Bool(b)) => Some(((s.as_str() == "true") as i64 as f64, *b as i64 as f64)),
        (DateTime(_) | Date(_), DateTime(_) | Date(_)) => Some((epoch_of(l)?, epoch_of(r)?)),
        (DateTime(_) | Date(_), Str(s)) => Some((
            epoch_of(l)?,
            crate::stl::dates::date_like_string_seconds(s)?,
        )),
        (Str(s), DateTime(_) | Date(_)) => Some((
            crate::stl::dates::date_like_string_seconds(s)?,
            epoch_of(r)?,
        )),
        _ => None,
    }
}

/// `l == r` with unification (the `EQ` opcode).
pub fn loose_eq(l: &Value, r: &Value) -> Result<bool, VmError> {
    match (l, r) {
        (Value::Int(a), Value::Int(b)) => Ok(a == b),
        (Value::Str(a), Value::Str(b)) => Ok(a.as_str() == b.as_str()),
        (Value::Null, Value::Null) => Ok(true),
        (Value::Null, _) | (_, Value::Null) => Ok(false),
        (Value::Bool(b), Value::Str(s)) | (Value::Str(s), Value::Bool(b)) => {
            Ok(*b == (s.as_str() == "true"))
        }
        _ => match unify_numeric(l, r) {
            Some((a, b)) => Ok(a == b),
            None => strict_eq(l, r),
        },
    }
}

/// Equality without string/bool coercion (`equals()`, `has()`, `indexOf()`, `in`): ints and
/// floats are one domain, containers compare structurally, functions by identity.
pub fn strict_eq(l: &Value, r: &Value) -> Result<bool, VmError> {
    eq_depth(l, r, 0)
}

fn eq_depth(l: &Value, r: &Value, depth: usize) -> Result<bool, VmError> {
    if depth > MAX_NESTING {
        return Err(VmError::Limit(LimitExceeded::Nesting {
            limit: MAX_NESTING,
        }));
    }
    use Value::*;
    Ok(match (l, r) {
        (Null, Null) => true,
        (Bool(a), Bool(b)) => a == b,
        (Int(a), Int(b)) => a == b,
        (Int(_) | Float(_), Int(_) | Float(_)) => l.as_f64() == r.as_f64(),
        (Str(a), Str(b)) => a.as_str() == b.as_str(),
        (Array(a), Array(b)) => {
            if std::rc::Rc::ptr_eq(a, b) {
                return Ok(true);
            }
            seq_eq(&a.borrow(), &b.borrow(), depth)?
        }
        (Tuple(a), Tuple(b)) => seq_eq(a, b, depth)?,
        (Dict(a), Dict(b)) => {
            if std::rc::Rc::ptr_eq(a, b) {
                return Ok(true);
            }
            let (a, b) = (a.borrow(), b.borrow());
            if a.len() != b.len() {
                return Ok(false);
            }
            for (k, v) in a.iter() {
                match b.get(k) {
                    Some(w) if eq_depth(v, w, depth + 1)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        (Closure(a), Closure(b)) => std::rc::Rc::ptr_eq(a, b),
        (Error(a), Error(b)) => {
            a.error_type == b.error_type
                && a.message == b.message
                && eq_depth(&a.payload, &b.payload, depth + 1)?
        }
        (DateTime(a), DateTime(b)) => a.dt == b.dt,
        (Date(a), Date(b)) => a == b,
        (DateTime(_) | Date(_), DateTime(_) | Date(_)) => epoch_of(l) == epoch_of(r),
        _ => false,
    })
}

fn seq_eq(a: &[Value], b: &[Value], depth: usize) -> Result<bool, VmError> {
    if a.len() != b.len() {
        return Ok(false);
    }
    for (x, y) in a.iter().zip(b) {
        if !eq_depth(x, y, depth + 1)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Ordering for `<`, `<=`, `>`, `>=` after unification; `None` when the operands are not
/// comparable (every ordering test is then false). A null on either side is never ordered.
pub fn loose_cmp(l: &Value, r: &Value) -> Option<Ordering> {
    match (l, r) {
        (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Str(a), Value::Str(b)) => Some(a.as_str().cmp(b.as_str())),
        (Value::Array(_) | Value::Tuple(_), Value::Array(_) | Value::Tuple(_)) => {
            number_seq_cmp(l, r)
        }
        _ => {
            let (a, b) = unify_numeric(l, r)?;
            a.partial_cmp(&b)
        }
    }
}

/// Ordering without coercion (`less()`, `greater()`…, sorting): numbers with numbers, strings
/// with strings, booleans, dates; null or mixed types → `None`.
pub fn strict_cmp(l: &Value, r: &Value) -> Option<Ordering> {
    use Value::*;
    match (l, r) {
        (Int(a), Int(b)) => Some(a.cmp(b)),
        (Int(_) | Float(_), Int(_) | Float(_)) => l.as_f64()?.partial_cmp(&r.as_f64()?),
        (Str(a), Str(b)) => Some(a.as_str().cmp(b.as_str())),
        (Bool(a), Bool(b)) => Some(a.cmp(b)),
        (DateTime(_) | Date(_), DateTime(_) | Date(_)) => epoch_of(l)?.partial_cmp(&epoch_of(r)?),
        (Array(_) | Tuple(_), Array(_) | Tuple(_)) => number_seq_cmp(l, r),
        _ => None,
    }
}

/// Arrays whose elements are all finite numbers compare lexicographically, then by length
/// (newest Node VM; powers `sortableSemver` comparisons).
fn number_seq_cmp(l: &Value, r: &Value) -> Option<Ordering> {
    let collect = |v: &Value| -> Option<Vec<f64>> {
        let items: Vec<Value> = match v {
            Value::Array(a) => a.borrow().clone(),
            Value::Tuple(t) => t.to_vec(),
            _ => return None,
        };
        items
            .iter()
            .map(|x| x.as_f64().filter(|f| f.is_finite()))
            .collect()
    };
    let (a, b) = (collect(l)?, collect(r)?);
    for (x, y) in a.iter().zip(&b) {
        match x.partial_cmp(y)? {
            Ordering::Equal => {}
            other => return Some(other),
        }
    }
    Some(a.len().cmp(&b.len()))
}

/// `l IN r`: element of an array/tuple, substring of a string, key of a dict; otherwise false.
pub fn contains(r: &Value, l: &Value) -> Result<bool, VmError> {
    match r {
        Value::Array(a) => {
            for item in a.borrow().iter() {
                if strict_eq(item, l)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Tuple(t) => {
            for item in t.iter() {
                if strict_eq(item, l)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Str(s) => match l {
            Value::Str(needle) => Ok(s.contains(needle.as_str())),
            Value::Null => Ok(false),
            other => Ok(s.contains(
                crate::print::display(other, s.len() + 64)
                    .unwrap_or_default()
                    .as_str(),
            )),
        },
        Value::Dict(d) => Ok(d.borrow().contains_key(&DictKey(l.clone()))),
        _ => Ok(false),
    }
}

// ------------------------------------------------------------------------------------------------
// Property access

/// An array index from a key: integers and integral floats.
#[inline]
fn index_key(key: &Value) -> Option<i64> {
    match key {
        Value::Int(i) => Some(*i),
        Value::Float(f) => float_to_i64_exact(*f),
        _ => None,
    }
}

/// Resolves a 1-based (or negative, from the end) index into `0..len`.
#[inline]
fn resolve_index(k: i64, len: usize) -> Result<Option<usize>, VmError> {
    if k == 0 {
        return Err(VmError::runtime("Hog arrays start from index 1"));
    }
    if k > 0 {
        let i = (k - 1) as u64;
        Ok(if i < len as u64 {
            Some(i as usize)
        } else {
            None
        })
    } else {
        let back = k.unsigned_abs();
        Ok(if back <= len as u64 {
            Some(len - back as usize)
        } else {
            None
        })
    }
}

/// `obj[key]` (GET_PROPERTY / GET_PROPERTY_NULLISH).
pub fn get_property(obj: &Value, key: &Value) -> Result<Value, VmError> {
    match obj {
        Value::Dict(d) => Ok(d
            .borrow()
            .get(&DictKey(key.clone()))
            .cloned()
            .unwrap_or_default()),
        Value::Array(a) => match index_key(key) {
            Some(k) => {
                let items = a.borrow();
                Ok(resolve_index(k, items.len())?
                    .map(|i| items[i].clone())
                    .unwrap_or_default())
            }
            None => Ok(Value::Null),
        },
        Value::Tuple(t) => match index_key(key) {
            Some(k) => Ok(resolve_index(k, t.len())?
                .map(|i| t[i].clone())
                .unwrap_or_default()),
            None => Ok(Value::Null),
        },
        Value::Error(e) => Ok(match key.as_str() {
            Some("type") => Value::Str(e.error_type.clone()),
            Some("message") => Value::Str(e.message.clone()),
            Some("payload") => e.payload.clone(),
            Some("__hogError__") => Value::Bool(true),
            _ => Value::Null,
        }),
        Value::DateTime(d) => Ok(match key.as_str() {
            Some("dt") => Value::Float(d.dt),
            Some("zone") => Value::Str(d.zone.clone()),
            Some("__hogDateTime__") => Value::Bool(true),
            _ => Value::Null,
        }),
        Value::Date(d) => Ok(match key.as_str() {
            Some("year") => Value::Int(d.year as i64),
            Some("month") => Value::Int(d.month as i64),
            Some("day") => Value::Int(d.day as i64),
            Some("__hogDate__") => Value::Bool(true),
            _ => Value::Null,
        }),
        _ => Ok(Value::Null),
    }
}

/// What `obj[key] := value` must do, decided before anything is mutated so that the caller can
/// charge memory first.
pub(crate) enum SetPlan {
    /// Replace element `i` of the array.
    ArrayReplace(usize),
    /// Grow the array to `new_len` (nulls), then set the last element.
    ArrayGrow(usize),
    /// Insert or replace a dict entry; `true` if the key is new.
    Dict(bool),
}

pub(crate) fn plan_set_property(obj: &Value, key: &Value) -> Result<SetPlan, VmError> {
    match obj {
        Value::Dict(d) => Ok(SetPlan::Dict(
            !d.borrow().contains_key(&DictKey(key.clone())),
        )),
        Value::Array(a) => {
            let len = a.borrow().len();
            let Some(k) = index_key(key) else {
                return Err(VmError::runtime(format!(
                    "Can not set property {} on array",
                    crate::print::repr(key, 256).unwrap_or_default()
                )));
            };
            match resolve_index(k, len)? {
                Some(i) => Ok(SetPlan::ArrayReplace(i)),
                None if k > 0 => {
                    Ok(SetPlan::ArrayGrow(usize::try_from(k).map_err(|_| {
                        VmError::runtime("Array index out of range")
                    })?))
                }
                None => Err(VmError::runtime(format!("Array index {k} out of range"))),
            }
        }
        other => Err(VmError::runtime(format!(
            "Can not set property {} on object of type \"{}\"",
            crate::print::repr(key, 256).unwrap_or_default(),
            other.type_name()
        ))),
    }
}

pub(crate) fn apply_set_property(obj: &Value, key: Value, value: Value, plan: SetPlan) {
    match (obj, plan) {
        (Value::Dict(d), SetPlan::Dict(_)) => {
            d.borrow_mut().insert(DictKey(key), value);
        }
        (Value::Array(a), SetPlan::ArrayReplace(i)) => {
            let mut items = a.borrow_mut();
            if let Some(slot) = items.get_mut(i) {
                *slot = value;
            }
        }
        (Value::Array(a), SetPlan::ArrayGrow(n)) => {
            let mut items = a.borrow_mut();
            items.resize(n, Value::Null);
            if let Some(slot) = items.last_mut() {
                *slot = value;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_matches_node() {
        assert!(matches!(
            add(&Value::Int(i64::MAX), &Value::Int(1)),
            Value::Float(_)
        ));
        assert!(matches!(
            rem(&Value::Int(-7), &Value::Int(3)),
            Value::Int(-1)
        ));
        assert!(matches!(
            rem(&Value::Int(7), &Value::Int(-3)),
            Value::Int(1)
        ));
        assert!(matches!(rem(&Value::Float(-7.5), &Value::Int(2)), Value::Float(f) if f == -1.5));
        assert!(matches!(div(&Value::Int(1), &Value::Int(0)), Value::Float(f) if f.is_infinite()));
        assert!(matches!(add(&Value::from("12"), &Value::Int(1)), Value::Float(f) if f == 13.0));
        assert!(matches!(
            add(&Value::Null, &Value::Bool(true)),
            Value::Int(1)
        ));
    }

    #[test]
    fn comparisons_unify() {
        assert!(loose_eq(&Value::Int(1), &Value::from("1")).unwrap());
        assert!(loose_eq(&Value::from("1.0"), &Value::Int(1)).unwrap());
        assert!(loose_eq(&Value::Bool(true), &Value::Int(1)).unwrap());
        assert!(!loose_eq(&Value::Bool(true), &Value::Int(2)).unwrap());
        assert!(loose_eq(&Value::Bool(true), &Value::from("true")).unwrap());
        assert!(!strict_eq(&Value::Int(1), &Value::from("1")).unwrap());
        assert_eq!(loose_cmp(&Value::Null, &Value::Int(3)), None);
        assert_eq!(
            loose_cmp(&Value::Int(1), &Value::from("2")),
            Some(Ordering::Less)
        );
        assert_eq!(loose_cmp(&Value::Int(1), &Value::from("x")), None);
    }

    #[test]
    fn js_number_parsing() {
        assert_eq!(js_string_to_number(" 12 "), 12.0);
        assert_eq!(js_string_to_number(""), 0.0);
        assert_eq!(js_string_to_number("0x10"), 16.0);
        assert!(js_string_to_number("12abc").is_nan());
        assert_eq!(js_string_to_number("-1.5e3"), -1500.0);
        assert_eq!(js_string_to_number("-Infinity"), f64::NEG_INFINITY);
    }
}
