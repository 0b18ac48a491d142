//! Conversions between VM values and JSON (globals in, results and host-call arguments out),
//! and the deep copy `GET_GLOBAL` makes. All bounded by [`MAX_NESTING`](crate::MAX_NESTING).
//!
//! JSON → value: objects become dicts (key order kept); objects tagged `__hogDateTime__`,
//! `__hogDate__` or `__hogError__` become those types (as PostHog's Node VM revives them).
//! Value → JSON: dict keys are stringified (print format for non-strings), tuples become
//! arrays, dates/errors become their tagged objects, functions their `fn<name(n)>` text, a
//! container that contains itself becomes `null`, non-finite floats become `null`.

use crate::error::LimitExceeded;
use crate::value::{
    DateTimeValue, DateValue, DictKey, ErrorValue, HogStr, Value, dict_map_with_capacity,
};
use crate::{MAX_NESTING, VmError};
use serde_json::{Map, Number, Value as Json};
use std::rc::Rc;

fn too_deep() -> VmError {
    VmError::Limit(LimitExceeded::Nesting { limit: MAX_NESTING })
}

/// Converts JSON into a VM value.
pub fn json_to_value(json: &Json) -> Result<Value, VmError> {
    from_json(json, 0)
}

fn from_json(json: &Json, depth: usize) -> Result<Value, VmError> {
    if depth > MAX_NESTING {
        return Err(too_deep());
    }
    Ok(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int(i),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(from_json(item, depth + 1)?);
            }
            Value::array(out)
        }
        Json::Object(map) => {
            if let Some(v) = revive_tagged(map, depth)? {
                return Ok(v);
            }
            let mut out = dict_map_with_capacity(map.len());
            for (k, v) in map {
                out.insert(DictKey::from(k.as_str()), from_json(v, depth + 1)?);
            }
            Value::dict(out)
        }
    })
}

fn revive_tagged(map: &Map<String, Json>, depth: usize) -> Result<Option<Value>, VmError> {
    let flag = |k: &str| map.get(k).and_then(Json::as_bool) == Some(true);
    let text = |k: &str| map.get(k).and_then(Json::as_str).unwrap_or("");
    if flag("__hogDateTime__") {
        let dt = map.get("dt").and_then(Json::as_f64).unwrap_or(f64::NAN);
        let zone = map.get("zone").and_then(Json::as_str).unwrap_or("UTC");
        return Ok(Some(Value::DateTime(Rc::new(DateTimeValue {
            dt,
            zone: zone.into(),
        }))));
    }
    if flag("__hogDate__") {
        let field = |k: &str| map.get(k).and_then(Json::as_i64);
        if let (Some(year), Some(month), Some(day)) = (field("year"), field("month"), field("day"))
            && (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && i32::try_from(year).is_ok()
        {
            return Ok(Some(Value::Date(DateValue {
                year: year as i32,
                month: month as u8,
                day: day as u8,
            })));
        }
        return Ok(None);
    }
    if flag("__hogError__") {
        let payload = match map.get("payload") {
            Some(p) => from_json(p, depth + 1)?,
            None => Value::Null,
        };
        return Ok(Some(Value::Error(Rc::new(ErrorValue {
            error_type: HogStr::from(text("type")),
            message: HogStr::from(text("message")),
            payload,
        }))));
    }
    Ok(None)
}

/// Converts a VM value to JSON.
pub fn value_to_json(v: &Value) -> Result<Json, VmError> {
    let mut path = Vec::new();
    to_json(v, &mut path)
}

fn number(f: f64) -> Json {
    Number::from_f64(f).map(Json::Number).unwrap_or(Json::Null)
}

fn to_json(v: &Value, path: &mut Vec<usize>) -> Result<Json, VmError> {
    if let Some(id) = v.heap_id() {
        if path.contains(&id) {
            return Ok(Json::Null);
        }
        if path.len() >= MAX_NESTING {
            return Err(too_deep());
        }
        path.push(id);
    }
    let out = match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number((*i).into()),
        Value::Float(f) => number(*f),
        Value::Str(s) => Json::String(s.as_str().to_owned()),
        Value::Array(a) => {
            let items = a.borrow();
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(to_json(item, path)?);
            }
            Json::Array(out)
        }
        Value::Tuple(t) => {
            let mut out = Vec::with_capacity(t.len());
            for item in t.iter() {
                out.push(to_json(item, path)?);
            }
            Json::Array(out)
        }
        Value::Dict(d) => {
            let map = d.borrow();
            let mut out = Map::with_capacity(map.len());
            for (k, val) in map.iter() {
                let key = match &k.0 {
                    Value::Str(s) => s.as_str().to_owned(),
                    other => crate::print::display(other, 1 << 20)?,
                };
                out.insert(key, to_json(val, path)?);
            }
            Json::Object(out)
        }
        Value::Closure(c) => {
            let mut s = String::from("fn<");
            crate::print::write_identifier(&mut s, &c.callable.name);
            s.push_str(&format!("({})>", c.callable.arg_count));
            Json::String(s)
        }
        Value::Error(e) => {
            let mut out = Map::new();
            out.insert("__hogError__".into(), Json::Bool(true));
            out.insert(
                "type".into(),
                Json::String(e.error_type.as_str().to_owned()),
            );
            out.insert(
                "message".into(),
                Json::String(e.message.as_str().to_owned()),
            );
            out.insert("payload".into(), to_json(&e.payload, path)?);
            Json::Object(out)
        }
        Value::DateTime(d) => {
            let mut out = Map::new();
            out.insert("__hogDateTime__".into(), Json::Bool(true));
            out.insert("dt".into(), number(d.dt));
            out.insert("zone".into(), Json::String(d.zone.as_str().to_owned()));
            Json::Object(out)
        }
        Value::Date(d) => {
            let mut out = Map::new();
            out.insert("__hogDate__".into(), Json::Bool(true));
            out.insert("year".into(), Json::Number(d.year.into()));
            out.insert("month".into(), Json::Number(d.month.into()));
            out.insert("day".into(), Json::Number(d.day.into()));
            Json::Object(out)
        }
    };
    if v.heap_id().is_some() {
        path.pop();
    }
    Ok(out)
}

/// A deep copy of `v`: new arrays, tuples and dicts all the way down (strings, dates and
/// functions are immutable and shared). Calls `charge` with the byte cost of every container
/// before creating it.
pub(crate) fn deep_copy(
    v: &Value,
    charge: &mut dyn FnMut(u64) -> Result<(), VmError>,
) -> Result<Value, VmError> {
    copy_depth(v, charge, 0)
}

fn copy_depth(
    v: &Value,
    charge: &mut dyn FnMut(u64) -> Result<(), VmError>,
    depth: usize,
) -> Result<Value, VmError> {
    if depth > MAX_NESTING {
        return Err(too_deep());
    }
    Ok(match v {
        Value::Array(a) => {
            let items = a.borrow();
            charge(crate::memory::array_cost(items.len()))?;
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(copy_depth(item, charge, depth + 1)?);
            }
            Value::array(out)
        }
        Value::Tuple(t) => {
            charge(crate::memory::array_cost(t.len()))?;
            let mut out = Vec::with_capacity(t.len());
            for item in t.iter() {
                out.push(copy_depth(item, charge, depth + 1)?);
            }
            Value::tuple(out)
        }
        Value::Dict(d) => {
            let map = d.borrow();
            charge(crate::memory::dict_cost(map.len()))?;
            let mut out = dict_map_with_capacity(map.len());
            for (k, val) in map.iter() {
                out.insert(k.clone(), copy_depth(val, charge, depth + 1)?);
            }
            Value::dict(out)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_tags() {
        let json: Json = serde_json::from_str(
            r#"{"a": [1, 2.5, "x", null, true], "d": {"__hogDateTime__": true, "dt": 1.5, "zone": "UTC"},
                "day": {"__hogDate__": true, "year": 2024, "month": 5, "day": 3}}"#,
        )
        .unwrap();
        let v = json_to_value(&json).unwrap();
        assert_eq!(
            crate::print::display(&v, 1000).unwrap(),
            "{'a': [1, 2.5, 'x', null, true], 'd': DateTime(1.5, 'UTC'), 'day': Date(2024, 5, 3)}"
        );
        assert_eq!(value_to_json(&v).unwrap(), json);
    }

    #[test]
    fn deep_json_is_an_error_not_a_crash() {
        let mut j = Json::Null;
        for _ in 0..(MAX_NESTING + 10) {
            j = Json::Array(vec![j]);
        }
        assert!(json_to_value(&j).is_err());
    }
}
