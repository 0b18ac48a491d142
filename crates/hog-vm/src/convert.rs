//! Conversions between VM values and JSON (globals in, results and host-call arguments out),
//! and the copy `GET_GLOBAL` makes of what it reads. All bounded by [`MAX_NESTING`](crate::MAX_NESTING).
//!
//! JSON → value: objects become dicts (key order kept); objects tagged `__hogDateTime__`,
//! `__hogDate__` or `__hogError__` become those types (as PostHog's Node VM revives them).
//! Value → JSON: dict keys are stringified (print format for non-strings), tuples become
//! arrays, dates/errors become their tagged objects, functions their `fn<name(n)>` text, a
//! container that contains itself becomes `null`, non-finite floats become `null`.

use crate::error::LimitExceeded;
use crate::value::{
    DateTimeValue, DateValue, DictKey, ErrorValue, FxBuildHasher, HogStr, Value,
    dict_map_with_capacity,
};
use crate::{MAX_NESTING, VmError};
use serde_json::{Map, Number, Value as Json};
use std::collections::HashSet;
use std::rc::Rc;

fn too_deep() -> VmError {
    VmError::Limit(LimitExceeded::Nesting { limit: MAX_NESTING })
}

/// Converts JSON into a VM value.
pub fn json_to_value(json: &Json) -> Result<Value, VmError> {
    let mut conv = Conv {
        charge: &mut |_| Ok(()),
        keys: None,
    };
    from_json(json, 0, &mut conv)
}

/// Converts JSON into a VM value, calling `charge` with the byte cost of every string,
/// container and tagged object before creating it (globals read by `GET_GLOBAL`, results of
/// JSON host functions). Object keys come from `keys` when it has them.
pub(crate) fn json_to_value_charged(
    json: &Json,
    keys: &mut KeyCache,
    charge: &mut dyn FnMut(u64) -> Result<(), VmError>,
) -> Result<Value, VmError> {
    let mut conv = Conv {
        charge,
        keys: Some(keys),
    };
    from_json(json, 0, &mut conv)
}

/// Object keys seen by JSON conversions, kept by a [`crate::Vm`] across runs: every event a
/// transformation reads has mostly the same keys (`properties`, `$ip`, …), and a shared key is
/// one reference-count increment instead of two allocations and a copy. Bounded in entries and
/// key length; keys are immutable strings (the in-place append of `concat` only touches
/// strings nothing else refers to, and the cache always refers to its keys).
#[derive(Default)]
pub(crate) struct KeyCache {
    set: HashSet<HogStr, FxBuildHasher>,
}

impl KeyCache {
    const MAX_ENTRIES: usize = 4096;
    const MAX_KEY_LEN: usize = 64;

    fn key(&mut self, s: &str) -> HogStr {
        if let Some(k) = self.set.get(s) {
            return k.clone();
        }
        let k = HogStr::from(s);
        if s.len() <= Self::MAX_KEY_LEN && self.set.len() < Self::MAX_ENTRIES {
            self.set.insert(k.clone());
        }
        k
    }
}

struct Conv<'a> {
    charge: &'a mut dyn FnMut(u64) -> Result<(), VmError>,
    keys: Option<&'a mut KeyCache>,
}

impl Conv<'_> {
    fn charge(&mut self, bytes: u64) -> Result<(), VmError> {
        (self.charge)(bytes)
    }
}

/// Whether a JSON object is one of the tagged objects [`json_to_value`] revives as a date,
/// datetime or error (walkers that read plain objects key by key stop there).
pub(crate) fn is_tagged(map: &Map<String, Json>) -> bool {
    ["__hogDateTime__", "__hogDate__", "__hogError__"]
        .iter()
        .any(|k| map.contains_key(*k))
}

fn from_json(json: &Json, depth: usize, conv: &mut Conv<'_>) -> Result<Value, VmError> {
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
        Json::String(s) => {
            conv.charge(crate::memory::string_cost(s.len()))?;
            Value::from(s.as_str())
        }
        Json::Array(items) => {
            conv.charge(crate::memory::array_cost(items.len()))?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(from_json(item, depth + 1, conv)?);
            }
            Value::array(out)
        }
        Json::Object(map) => {
            if let Some(v) = revive_tagged(map, depth, conv)? {
                return Ok(v);
            }
            conv.charge(crate::memory::dict_cost(map.len()))?;
            let mut out = dict_map_with_capacity(map.len());
            for (k, v) in map {
                conv.charge(crate::memory::string_cost(k.len()))?;
                let key = match conv.keys.as_deref_mut() {
                    Some(cache) => cache.key(k),
                    None => HogStr::from(k.as_str()),
                };
                out.insert(DictKey(Value::Str(key)), from_json(v, depth + 1, conv)?);
            }
            Value::dict(out)
        }
    })
}

fn revive_tagged(
    map: &Map<String, Json>,
    depth: usize,
    conv: &mut Conv<'_>,
) -> Result<Option<Value>, VmError> {
    let flag = |k: &str| map.get(k).and_then(Json::as_bool) == Some(true);
    let text = |k: &str| map.get(k).and_then(Json::as_str).unwrap_or("");
    if flag("__hogDateTime__") {
        let dt = map.get("dt").and_then(Json::as_f64).unwrap_or(f64::NAN);
        let zone = map.get("zone").and_then(Json::as_str).unwrap_or("UTC");
        conv.charge(crate::memory::DATETIME + crate::memory::string_cost(zone.len()))?;
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
        conv.charge(
            crate::memory::ERROR
                + crate::memory::string_cost(text("type").len())
                + crate::memory::string_cost(text("message").len()),
        )?;
        let payload = match map.get("payload") {
            Some(p) => from_json(p, depth + 1, conv)?,
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
