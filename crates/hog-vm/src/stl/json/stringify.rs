//! Hog values → JSON text, byte-compatible with PostHog's Node VM (`JSON.stringify` after its
//! value conversion):
//! * dicts become objects whose keys are the keys' string forms, in JavaScript property order:
//!   integer-like keys (`"0"`, `"17"`) first in ascending order, then the others in insertion
//!   order; a key repeated after conversion (`1` and `'1'`) keeps its first place, last value;
//! * arrays and tuples become arrays; a container met again inside itself becomes `null`;
//! * functions become the string `"fn<name(argc)>"`;
//! * datetimes, dates and errors become their marker objects (`{"__hogDateTime__":true,…}`),
//!   which `jsonParse` revives;
//! * `NaN` and infinities become `null`; numbers print as JavaScript prints them;
//! * with `indent` (1–10 spaces) the output is pretty-printed like `JSON.stringify(v, null, n)`.
//!
//! Output is bounded by `max_len` and nesting by [`crate::MAX_NESTING`].

use crate::print::write_number;
use crate::value::Value;
use crate::{LimitExceeded, MAX_NESTING, VmError};
use indexmap::IndexMap;
use std::fmt::Write as _;

/// Serializes `v`; `indent` is the number of spaces per level (0 = compact).
pub fn stringify(v: &Value, indent: usize, max_len: usize) -> Result<String, VmError> {
    let mut w = Writer {
        out: String::new(),
        indent: indent.min(10),
        max_len,
        path: Vec::new(),
    };
    w.value(v, 0)?;
    Ok(w.out)
}

struct Writer {
    out: String,
    indent: usize,
    max_len: usize,
    /// Heap ids of the containers being written (cycle detection).
    path: Vec<usize>,
}

impl Writer {
    fn check(&self) -> Result<(), VmError> {
        if self.out.len() > self.max_len {
            Err(VmError::Limit(LimitExceeded::Memory {
                limit: self.max_len as u64,
                needed: self.out.len() as u64,
            }))
        } else {
            Ok(())
        }
    }

    fn newline(&mut self, depth: usize) {
        if self.indent > 0 {
            self.out.push('\n');
            for _ in 0..depth * self.indent {
                self.out.push(' ');
            }
        }
    }

    /// Enters a container; `false` if it is already open (a cycle: write `null`).
    fn enter(&mut self, v: &Value) -> Result<bool, VmError> {
        let Some(id) = v.heap_id() else {
            return Ok(true);
        };
        if self.path.contains(&id) {
            self.out.push_str("null");
            return Ok(false);
        }
        if self.path.len() >= MAX_NESTING {
            return Err(VmError::Limit(LimitExceeded::Nesting {
                limit: MAX_NESTING,
            }));
        }
        self.path.push(id);
        Ok(true)
    }

    fn value(&mut self, v: &Value, depth: usize) -> Result<(), VmError> {
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) if f.is_finite() => write_number(&mut self.out, *f),
            Value::Float(_) => self.out.push_str("null"),
            Value::Str(s) => {
                if self.out.len().saturating_add(s.len()) > self.max_len {
                    return Err(VmError::Limit(LimitExceeded::Memory {
                        limit: self.max_len as u64,
                        needed: self.out.len().saturating_add(s.len()) as u64,
                    }));
                }
                write_json_string(&mut self.out, s)
            }
            Value::Array(a) => {
                if self.enter(v)? {
                    // Nothing mutates values while they are serialized, so the borrow is safe.
                    let items = a.borrow();
                    self.array(&items, depth)?;
                    drop(items);
                    self.path.pop();
                }
            }
            Value::Tuple(t) => {
                if self.enter(v)? {
                    self.array(t, depth)?;
                    self.path.pop();
                }
            }
            Value::Dict(d) => {
                if self.enter(v)? {
                    let entries: Vec<(String, Value)> = {
                        let map = d.borrow();
                        let mut entries = Vec::with_capacity(map.len());
                        for (k, val) in map.iter() {
                            entries.push((property_key(&k.0)?, val.clone()));
                        }
                        entries
                    };
                    self.object(entries, depth)?;
                    self.path.pop();
                }
            }
            Value::Closure(c) => {
                let name = if c.callable.name.is_empty() {
                    "lambda"
                } else {
                    &c.callable.name
                };
                write_json_string(
                    &mut self.out,
                    &format!("fn<{name}({})>", c.callable.arg_count),
                );
            }
            Value::DateTime(d) => {
                let entries = vec![
                    ("__hogDateTime__".to_owned(), Value::Bool(true)),
                    ("dt".to_owned(), Value::Float(d.dt)),
                    ("zone".to_owned(), Value::Str(d.zone.clone())),
                ];
                self.object(entries, depth)?;
            }
            Value::Date(d) => {
                let entries = vec![
                    ("__hogDate__".to_owned(), Value::Bool(true)),
                    ("year".to_owned(), Value::Int(i64::from(d.year))),
                    ("month".to_owned(), Value::Int(i64::from(d.month))),
                    ("day".to_owned(), Value::Int(i64::from(d.day))),
                ];
                self.object(entries, depth)?;
            }
            Value::Error(e) => {
                if self.enter(v)? {
                    let mut entries = vec![
                        ("__hogError__".to_owned(), Value::Bool(true)),
                        ("type".to_owned(), Value::Str(e.error_type.clone())),
                        ("message".to_owned(), Value::Str(e.message.clone())),
                    ];
                    if !e.payload.is_null() {
                        entries.push(("payload".to_owned(), e.payload.clone()));
                    }
                    self.object(entries, depth)?;
                    self.path.pop();
                }
            }
        }
        self.check()
    }

    fn array(&mut self, items: &[Value], depth: usize) -> Result<(), VmError> {
        if items.is_empty() {
            self.out.push_str("[]");
            return Ok(());
        }
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            self.value(item, depth + 1)?;
        }
        self.newline(depth);
        self.out.push(']');
        Ok(())
    }

    fn object(&mut self, entries: Vec<(String, Value)>, depth: usize) -> Result<(), VmError> {
        // JavaScript objects: assignment to an existing key keeps its position.
        let mut props: IndexMap<String, Value> = IndexMap::with_capacity(entries.len());
        for (k, v) in entries {
            props.insert(k, v);
        }
        if props.is_empty() {
            self.out.push_str("{}");
            return Ok(());
        }
        let mut indexed: Vec<(u32, &String, &Value)> = Vec::new();
        let mut named: Vec<(&String, &Value)> = Vec::new();
        for (k, v) in &props {
            match array_index(k) {
                Some(n) => indexed.push((n, k, v)),
                None => named.push((k, v)),
            }
        }
        indexed.sort_by_key(|(n, _, _)| *n);
        let ordered = indexed.into_iter().map(|(_, k, v)| (k, v)).chain(named);
        self.out.push('{');
        for (i, (k, v)) in ordered.enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            write_json_string(&mut self.out, k);
            self.out.push(':');
            if self.indent > 0 {
                self.out.push(' ');
            }
            self.value(v, depth + 1)?;
        }
        self.newline(depth);
        self.out.push('}');
        Ok(())
    }
}

/// A JavaScript array index: the canonical decimal form of an integer below 2^32 − 1.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u64>()
        .ok()
        .filter(|&n| n < u64::from(u32::MAX))
        .map(|n| n as u32)
}

/// The property name a dict key becomes (JavaScript `String(key)`).
fn property_key(key: &Value) -> Result<String, VmError> {
    Ok(match key {
        Value::Str(s) => s.to_string(),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::print::format_number(*f),
        other => crate::print::display(other, 1 << 20)?,
    })
}

/// Writes `s` as a JSON string literal with `JSON.stringify`'s escapes.
pub fn write_json_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
