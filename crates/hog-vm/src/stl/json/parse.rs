//! JSON text → Hog values, as JavaScript's `JSON.parse` reads it (strict RFC 8259: no comments,
//! no trailing commas, no leading zeros, only space/tab/LF/CR as whitespace).
//!
//! The parser is iterative (an explicit stack of open containers), so nesting depth costs no
//! Rust stack; depth is still capped at [`crate::MAX_NESTING`] like every other walk over
//! values. Parsing runs twice: a first pass validates and computes what the values will cost,
//! that cost is charged in one piece, and only then the second pass builds them — so a small
//! text that expands into many containers is refused before anything is allocated. Objects
//! become dicts in key order (a repeated key keeps its first position and its last value, as
//! in JavaScript); numbers are JavaScript doubles, kept as integers when integral and within
//! ±2^53.

use crate::memory;
use crate::stl::NativeCtx;
use crate::value::{DictKey, DictMap, Value, dict_map_with_capacity};
use crate::{LimitExceeded, MAX_NESTING, VmError};
use std::borrow::Cow;

/// Largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Whether `text` is valid JSON (nothing is built or charged).
pub fn is_valid(text: &str) -> bool {
    Parser::new(text).run(None).is_ok()
}

/// Parses `text`; objects carrying PostHog's `__hogDateTime__` / `__hogDate__` / `__hogError__`
/// markers are revived as those values. Invalid JSON is an error naming the position of the
/// problem.
pub fn parse(ctx: &mut NativeCtx<'_>, text: &str) -> Result<Value, VmError> {
    let mut check = Parser::new(text);
    check.run(None)?;
    ctx.charge(check.cost)?;
    Parser::new(text).run(Some(ctx))
}

/// Like [`parse`], but invalid JSON is `Ok(None)`; only limits (memory, nesting) are errors.
pub fn parse_if_valid(ctx: &mut NativeCtx<'_>, text: &str) -> Result<Option<Value>, VmError> {
    let mut check = Parser::new(text);
    match check.run(None) {
        Ok(_) => {}
        Err(e @ VmError::Limit(_)) => return Err(e),
        Err(_) => return Ok(None),
    }
    ctx.charge(check.cost)?;
    Parser::new(text).run(Some(ctx)).map(Some)
}

enum Frame<'t> {
    Array {
        items: Vec<Value>,
        count: usize,
    },
    Object {
        map: DictMap,
        key: Cow<'t, str>,
        count: usize,
    },
}

struct Parser<'t> {
    bytes: &'t [u8],
    text: &'t str,
    pos: usize,
    /// Bytes the parsed values cost (counted in the validating pass).
    cost: u64,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Self {
        Parser {
            bytes: text.as_bytes(),
            text,
            pos: 0,
            cost: 0,
        }
    }

    fn add_cost(&mut self, bytes: u64) {
        self.cost = self.cost.saturating_add(bytes);
    }

    fn error(&self, what: &str) -> VmError {
        VmError::runtime(format!("Invalid JSON: {what} at position {}", self.pos))
    }

    fn unexpected(&self) -> VmError {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => self.error(&format!("unexpected character {c:?}")),
            None => self.error("unexpected end of input"),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect(&mut self, b: u8) -> Result<(), VmError> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// Parses the whole text. With `ctx`, builds the value (its cost was charged by the caller);
    /// without, validates and adds up the cost.
    fn run(&mut self, mut ctx: Option<&mut NativeCtx<'_>>) -> Result<Value, VmError> {
        let mut stack: Vec<Frame<'t>> = Vec::new();
        'value: loop {
            // A value starts here.
            self.skip_ws();
            let mut value = match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        self.add_cost(memory::dict_cost(0));
                        build_dict(&mut ctx, dict_map_with_capacity(0))?
                    } else {
                        if stack.len() >= MAX_NESTING {
                            return Err(nesting());
                        }
                        let key = self.key()?;
                        stack.push(Frame::Object {
                            map: dict_map_with_capacity(4),
                            key,
                            count: 0,
                        });
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        self.add_cost(memory::array_cost(0));
                        build_array(&mut ctx, Vec::new())
                    } else {
                        if stack.len() >= MAX_NESTING {
                            return Err(nesting());
                        }
                        stack.push(Frame::Array {
                            items: Vec::new(),
                            count: 0,
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let s = self.string()?;
                    self.add_cost(memory::string_cost(s.len()));
                    if ctx.is_some() {
                        Value::from(s.into_owned())
                    } else {
                        Value::Null
                    }
                }
                Some(b't') => self.literal("true", Value::Bool(true))?,
                Some(b'f') => self.literal("false", Value::Bool(false))?,
                Some(b'n') => self.literal("null", Value::Null)?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(self.unexpected()),
            };
            // A value is complete: hand it to the enclosing container, closing containers
            // as long as their closing bracket follows.
            loop {
                let Some(top) = stack.last_mut() else {
                    self.skip_ws();
                    if self.pos < self.bytes.len() {
                        return Err(self.unexpected());
                    }
                    return Ok(value);
                };
                match top {
                    Frame::Array { items, count } => {
                        *count += 1;
                        if ctx.is_some() {
                            items.push(value);
                        }
                    }
                    Frame::Object { map, key, count } => {
                        *count += 1;
                        if ctx.is_some() {
                            let key = std::mem::take(key).into_owned();
                            map.insert(DictKey(Value::from(key)), value);
                        }
                    }
                }
                self.skip_ws();
                match (self.peek(), stack.last_mut()) {
                    (Some(b','), Some(Frame::Array { .. })) => {
                        self.pos += 1;
                        continue 'value;
                    }
                    (Some(b','), Some(Frame::Object { key, .. })) => {
                        self.pos += 1;
                        self.skip_ws();
                        *key = self.key()?;
                        continue 'value;
                    }
                    (Some(b']'), Some(Frame::Array { .. }))
                    | (Some(b'}'), Some(Frame::Object { .. })) => {
                        self.pos += 1;
                        value = match stack.pop() {
                            Some(Frame::Array { items, count }) => {
                                self.add_cost(memory::array_cost(count));
                                build_array(&mut ctx, items)
                            }
                            Some(Frame::Object { map, count, .. }) => {
                                self.add_cost(memory::dict_cost(count));
                                build_dict(&mut ctx, map)?
                            }
                            None => return Err(self.unexpected()),
                        };
                    }
                    _ => return Err(self.unexpected()),
                }
            }
        }
    }

    /// An object key and the `:` after it.
    fn key(&mut self) -> Result<Cow<'t, str>, VmError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected());
        }
        let key = self.string()?;
        self.add_cost(memory::string_cost(key.len()));
        self.expect(b':')?;
        Ok(key)
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, VmError> {
        for &expected in word.as_bytes() {
            if self.peek() != Some(expected) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn number(&mut self) -> Result<Value, VmError> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.unexpected()),
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integral = false;
            if digits(self) == 0 {
                return Err(self.unexpected());
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.unexpected());
            }
        }
        let text = &self.text[start..self.pos];
        let f: f64 = text.parse().map_err(|_| self.error("invalid number"))?;
        Ok(if integral && f.abs() <= MAX_SAFE_INTEGER {
            Value::Int(f as i64)
        } else {
            Value::Float(f)
        })
    }

    /// A string literal (the opening quote is at `pos`); borrowed from the text when it has no
    /// escapes (the common case: no allocation in the validating pass).
    fn string(&mut self) -> Result<Cow<'t, str>, VmError> {
        self.pos += 1;
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            self.pos += 1;
        }
        if self.peek() == Some(b'"') {
            self.pos += 1;
            return Ok(Cow::Borrowed(&self.text[start..self.pos - 1]));
        }
        self.pos = start;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The run stops at ASCII bytes only, so it ends on a character boundary.
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.unexpected())?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            out.push(self.code_point(unit)?);
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.unexpected());
                        }
                    }
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, VmError> {
        let chunk = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("bad \\u escape"))?;
        let mut n = 0u32;
        for &b in chunk {
            let d = (b as char)
                .to_digit(16)
                .ok_or_else(|| self.error("bad \\u escape"))?;
            n = n * 16 + d;
        }
        self.pos += 4;
        Ok(n)
    }

    /// Combines a surrogate pair; a lone surrogate (which JavaScript keeps but UTF-8 can not
    /// hold) becomes U+FFFD.
    fn code_point(&mut self, unit: u32) -> Result<char, VmError> {
        if (0xD800..0xDC00).contains(&unit) && self.bytes[self.pos..].starts_with(b"\\u") {
            let save = self.pos;
            self.pos += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        Ok(char::from_u32(unit).unwrap_or('\u{FFFD}'))
    }
}

fn nesting() -> VmError {
    VmError::Limit(LimitExceeded::Nesting { limit: MAX_NESTING })
}

fn build_array(ctx: &mut Option<&mut NativeCtx<'_>>, items: Vec<Value>) -> Value {
    if ctx.is_some() {
        Value::array(items)
    } else {
        Value::Null
    }
}

fn build_dict(ctx: &mut Option<&mut NativeCtx<'_>>, map: DictMap) -> Result<Value, VmError> {
    let Some(c) = ctx else { return Ok(Value::Null) };
    if let Some(revived) = revive(c, &map)? {
        return Ok(revived);
    }
    Ok(Value::dict(map))
}

/// PostHog's markers: `{__hogDateTime__: true, dt, zone}`, `{__hogDate__: true, year, month,
/// day}`, `{__hogError__: true, type, message, payload}` come back as those values (Node VM).
/// A marked object whose fields do not fit stays a plain dict.
fn revive(ctx: &mut NativeCtx<'_>, map: &DictMap) -> Result<Option<Value>, VmError> {
    let get = |k: &str| map.get(&DictKey::from(k));
    let marked = |k: &str| get(k).is_some_and(Value::is_truthy);
    if marked("__hogDateTime__") {
        let Some(dt) = get("dt").and_then(Value::as_f64) else {
            return Ok(None);
        };
        let zone = match get("zone") {
            Some(Value::Str(z)) if !z.is_empty() => z.clone(),
            _ => "UTC".into(),
        };
        return Ok(Some(Value::DateTime(std::rc::Rc::new(
            crate::value::DateTimeValue { dt, zone },
        ))));
    }
    if marked("__hogDate__") {
        let field = |k: &str| get(k).and_then(Value::as_i64);
        let (Some(year), Some(month), Some(day)) = (field("year"), field("month"), field("day"))
        else {
            return Ok(None);
        };
        let (Ok(year), Ok(month), Ok(day)) =
            (i32::try_from(year), u8::try_from(month), u8::try_from(day))
        else {
            return Ok(None);
        };
        if chrono::NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day)).is_none() {
            return Ok(None);
        }
        return Ok(Some(Value::Date(crate::value::DateValue {
            year,
            month,
            day,
        })));
    }
    if marked("__hogError__") {
        let error_type = get("type").cloned().unwrap_or(Value::Null);
        return crate::stl::errors::make_error(ctx, &error_type, get("message"), get("payload"))
            .map(Some);
    }
    Ok(None)
}
