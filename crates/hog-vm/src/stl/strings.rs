//! String functions (hog-stl.md §2.4): case, trimming, searching, splitting, replacing, SQL
//! `LIKE`, URL and base64 coding, `concat`, `generateUUIDv4`.
//!
//! Conventions, following PostHog's Node VM (the production one) unless noted:
//! * a `null` subject gives `null` (`upper(null)`, `trim(null)`, `replaceAll(null, …)`);
//! * other non-string subjects are a runtime error (Node throws a `TypeError` there);
//! * secondary arguments that are not strings (needles, separators, replacements) are converted
//!   with the print format, as JavaScript's `String(x)` would;
//! * positions and lengths count Unicode code points (Node counts UTF-16 units; the two agree
//!   outside the astral planes, and code points never split a character).
//!
//! Results that can be much larger than their inputs (`replaceAll`, `splitByString`) are
//! measured and charged before they are built.

use super::{NativeCtx, NativeDef, VARIADIC};
use crate::VmError;
use crate::memory;
use crate::value::Value;
use std::borrow::Cow;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "concat",
        min_args: 1,
        max_args: VARIADIC,
        call: concat,
    },
    NativeDef {
        name: "lower",
        min_args: 1,
        max_args: 1,
        call: lower,
    },
    NativeDef {
        name: "upper",
        min_args: 1,
        max_args: 1,
        call: upper,
    },
    NativeDef {
        name: "reverse",
        min_args: 1,
        max_args: 1,
        call: reverse,
    },
    NativeDef {
        name: "trim",
        min_args: 1,
        max_args: 2,
        call: trim,
    },
    NativeDef {
        name: "trimLeft",
        min_args: 1,
        max_args: 2,
        call: trim_left,
    },
    NativeDef {
        name: "trimRight",
        min_args: 1,
        max_args: 2,
        call: trim_right,
    },
    NativeDef {
        name: "replaceOne",
        min_args: 3,
        max_args: 3,
        call: replace_one,
    },
    NativeDef {
        name: "replaceAll",
        min_args: 3,
        max_args: 3,
        call: replace_all,
    },
    NativeDef {
        name: "position",
        min_args: 2,
        max_args: 3,
        call: position,
    },
    NativeDef {
        name: "positionCaseInsensitive",
        min_args: 2,
        max_args: 3,
        call: position_case_insensitive,
    },
    NativeDef {
        name: "substring",
        min_args: 2,
        max_args: 3,
        call: substring,
    },
    NativeDef {
        name: "startsWith",
        min_args: 2,
        max_args: 2,
        call: starts_with,
    },
    NativeDef {
        name: "splitByString",
        min_args: 2,
        max_args: 3,
        call: split_by_string,
    },
    NativeDef {
        name: "like",
        min_args: 2,
        max_args: 2,
        call: like,
    },
    NativeDef {
        name: "ilike",
        min_args: 2,
        max_args: 2,
        call: ilike,
    },
    NativeDef {
        name: "notLike",
        min_args: 2,
        max_args: 2,
        call: not_like,
    },
    NativeDef {
        name: "notILike",
        min_args: 2,
        max_args: 2,
        call: not_ilike,
    },
    NativeDef {
        name: "multiSearchAnyCaseInsensitive",
        min_args: 2,
        max_args: 2,
        call: multi_search_any_case_insensitive,
    },
    NativeDef {
        name: "encodeURLComponent",
        min_args: 1,
        max_args: 1,
        call: encode_url_component,
    },
    NativeDef {
        name: "decodeURLComponent",
        min_args: 1,
        max_args: 1,
        call: decode_url_component,
    },
    NativeDef {
        name: "tryDecodeURLComponent",
        min_args: 1,
        max_args: 1,
        call: try_decode_url_component,
    },
    NativeDef {
        name: "base64Encode",
        min_args: 1,
        max_args: 1,
        call: base64_encode,
    },
    NativeDef {
        name: "base64Decode",
        min_args: 1,
        max_args: 1,
        call: base64_decode,
    },
    NativeDef {
        name: "tryBase64Decode",
        min_args: 1,
        max_args: 1,
        call: try_base64_decode,
    },
    NativeDef {
        name: "generateUUIDv4",
        min_args: 0,
        max_args: 0,
        call: generate_uuid_v4,
    },
];

// ------------------------------------------------------------------------------------------------
// Argument helpers (shared with the other modules of this family)

/// Argument `i`, or `Null` when absent (optional arguments).
pub(crate) fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

/// The error for an argument of the wrong type.
pub(crate) fn type_error(function: &str, expected: &str, got: &Value) -> VmError {
    VmError::runtime(format!(
        "{function}() expects {expected}, got {}",
        got.type_name()
    ))
}

/// The subject string of a string function: `Ok(None)` for null, an error for non-strings.
fn subject<'v>(function: &str, v: &'v Value) -> Result<Option<&'v str>, VmError> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => Ok(Some(s)),
        other => Err(type_error(function, "a string", other)),
    }
}

/// A secondary argument as text: strings as they are, anything else in print format
/// (JavaScript `String(x)`).
pub(crate) fn text<'v>(ctx: &mut NativeCtx<'_>, v: &'v Value) -> Result<Cow<'v, str>, VmError> {
    match v {
        Value::Str(s) => Ok(Cow::Borrowed(s.as_str())),
        other => Ok(Cow::Owned(ctx.display(other)?)),
    }
}

/// Wraps a string whose cost was already charged.
fn precharged(s: String) -> Value {
    Value::from(s)
}

// ------------------------------------------------------------------------------------------------
// concat, case, reverse

/// Appends one `concat` argument to `out`: strings raw, null nothing, a date `YYYY-MM-DD`, a
/// datetime its ISO-8601 text (as `toString`; Node's `concat` goes through `toString`), anything
/// else in print format. Fails once `out` would exceed `max_len` bytes. Shared with the
/// interpreter's in-place `s := concat(s, …)`.
pub(crate) fn write_concat_arg(out: &mut String, v: &Value, max_len: usize) -> Result<(), VmError> {
    let dated;
    let text = match v {
        Value::Null => return Ok(()),
        Value::Date(d) => {
            dated = super::dates::date_to_string(d);
            &dated
        }
        Value::DateTime(d) => {
            dated = super::dates::datetime_to_string(d);
            &dated
        }
        other => return crate::print::write_display(out, other, max_len),
    };
    let needed = out.len().saturating_add(text.len());
    if needed > max_len {
        return Err(VmError::Limit(crate::LimitExceeded::Memory {
            limit: max_len as u64,
            needed: needed as u64,
        }));
    }
    out.push_str(text);
    Ok(())
}

fn concat(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    // Strings (the common case) are measured first so the result is allocated once.
    if args
        .iter()
        .all(|a| matches!(a, Value::Str(_) | Value::Null))
    {
        let total = args.iter().fold(0usize, |n, a| {
            n.saturating_add(a.as_str().map_or(0, str::len))
        });
        ctx.charge(memory::string_cost(total))?;
        let mut out = String::with_capacity(total);
        for a in args {
            if let Value::Str(s) = a {
                out.push_str(s);
            }
        }
        return Ok(precharged(out));
    }
    let budget = ctx.text_budget();
    let mut out = String::new();
    for a in args {
        write_concat_arg(&mut out, a, budget).map_err(|e| ctx.remap(e))?;
    }
    ctx.string(out)
}

fn lower(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match subject("lower", &args[0])? {
        None => Ok(Value::Null),
        Some(s) => ctx.string(s.to_lowercase()),
    }
}

fn upper(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match subject("upper", &args[0])? {
        None => Ok(Value::Null),
        Some(s) => ctx.string(s.to_uppercase()),
    }
}

fn reverse(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    match subject("reverse", &args[0])? {
        None => Ok(Value::Null),
        Some(s) => {
            ctx.charge(memory::string_cost(s.len()))?;
            Ok(precharged(s.chars().rev().collect()))
        }
    }
}

// ------------------------------------------------------------------------------------------------
// trim family

#[derive(Clone, Copy)]
enum Side {
    Both,
    Left,
    Right,
}

/// `trim(s[, c])`: strips repetitions of one character (default: the space character only, as
/// Node does) from one or both ends. A `c` that is not exactly one character gives `''`.
fn trim_impl(
    ctx: &mut NativeCtx<'_>,
    name: &str,
    args: &[Value],
    side: Side,
) -> Result<Value, VmError> {
    let Some(s) = subject(name, &args[0])? else {
        return Ok(Value::Null);
    };
    let ch = match arg(args, 1) {
        Value::Null => ' ',
        Value::Str(c) => {
            let mut chars = c.chars();
            match (chars.next(), chars.next()) {
                (Some(ch), None) => ch,
                _ => return ctx.string(String::new()),
            }
        }
        _ => return ctx.string(String::new()),
    };
    let trimmed = match side {
        Side::Both => s.trim_matches(ch),
        Side::Left => s.trim_start_matches(ch),
        Side::Right => s.trim_end_matches(ch),
    };
    ctx.string(trimmed.to_owned())
}

fn trim(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    trim_impl(ctx, "trim", args, Side::Both)
}

fn trim_left(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    trim_impl(ctx, "trimLeft", args, Side::Left)
}

fn trim_right(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    trim_impl(ctx, "trimRight", args, Side::Right)
}

// ------------------------------------------------------------------------------------------------
// replace

fn replace_impl(
    ctx: &mut NativeCtx<'_>,
    name: &str,
    args: &[Value],
    all: bool,
) -> Result<Value, VmError> {
    let Some(s) = subject(name, &args[0])? else {
        return Ok(Value::Null);
    };
    let from = text(ctx, &args[1])?;
    let to = text(ctx, &args[2])?;
    // An empty needle matches before every character and at the end (JavaScript semantics).
    let occurrences = if from.is_empty() {
        if all { s.chars().count() + 1 } else { 1 }
    } else if all {
        s.matches(from.as_ref()).count()
    } else {
        usize::from(s.contains(from.as_ref()))
    };
    let len = s
        .len()
        .saturating_add(occurrences.saturating_mul(to.len()))
        .saturating_sub(occurrences.saturating_mul(from.len()));
    ctx.charge(memory::string_cost(len))?;
    let out = if all {
        s.replace(from.as_ref(), &to)
    } else {
        s.replacen(from.as_ref(), &to, 1)
    };
    Ok(precharged(out))
}

fn replace_one(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    replace_impl(ctx, "replaceOne", args, false)
}

fn replace_all(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    replace_impl(ctx, "replaceAll", args, true)
}

// ------------------------------------------------------------------------------------------------
// position, substring, startsWith

/// 1-based code-point position of `needle` in `haystack` at or after code point `from` (0-based),
/// 0 when absent.
fn find_position(haystack: &str, needle: &str, from: usize) -> i64 {
    if haystack.is_ascii() {
        // Byte offsets are character offsets.
        if from > haystack.len() {
            return 0;
        }
        return haystack[from..]
            .find(needle)
            .map_or(0, |b| (from + b + 1) as i64);
    }
    let start_byte = match haystack.char_indices().nth(from) {
        Some((b, _)) => b,
        None if from == haystack.chars().count() => haystack.len(),
        None => return 0,
    };
    match haystack[start_byte..].find(needle) {
        Some(b) => (haystack[..start_byte + b].chars().count() + 1) as i64,
        None => 0,
    }
}

/// The optional ClickHouse `start` argument of `position`: 1-based, absent/null/below 1 = 1.
/// (Node's VM accepts the argument but ignores it; honouring it is the ClickHouse meaning.)
fn start_offset(name: &str, v: &Value) -> Result<usize, VmError> {
    match v {
        Value::Null => Ok(0),
        other => match other.as_f64() {
            Some(f) if f.is_nan() || f < 1.0 => Ok(0),
            Some(f) => Ok((f.trunc() - 1.0).min(usize::MAX as f64) as usize),
            None => Err(type_error(name, "a number as start position", other)),
        },
    }
}

fn position(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Value::Str(s) = &args[0] else {
        return Ok(Value::Int(0));
    };
    let needle = text(ctx, &args[1])?;
    let from = start_offset("position", arg(args, 2))?;
    Ok(Value::Int(find_position(s, &needle, from)))
}

fn position_case_insensitive(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Value::Str(s) = &args[0] else {
        return Ok(Value::Int(0));
    };
    let needle = text(ctx, &args[1])?.to_lowercase();
    let from = start_offset("positionCaseInsensitive", arg(args, 2))?;
    Ok(Value::Int(find_position(&s.to_lowercase(), &needle, from)))
}

/// `substring(s, start[, len])`: 1-based start; start < 1, len < 0 or start past the end give
/// `''`; a non-string subject gives `''` (Node).
fn substring(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Value::Str(s) = &args[0] else {
        return ctx.string(String::new());
    };
    let Some(start) = args[1].as_f64().filter(|f| !f.is_nan()) else {
        return ctx.string(String::new());
    };
    let start = start.trunc() - 1.0;
    let len = match arg(args, 2).as_f64() {
        Some(f) if !f.is_nan() => f.trunc(),
        _ => f64::INFINITY,
    };
    if start < 0.0 || len < 0.0 {
        return ctx.string(String::new());
    }
    let skip = start.min(usize::MAX as f64) as usize;
    let take = len.min(usize::MAX as f64) as usize;
    let out: String = if s.is_ascii() {
        // One byte per character: slice directly.
        let from = skip.min(s.len());
        s[from..from.saturating_add(take).min(s.len())].to_owned()
    } else {
        s.chars().skip(skip).take(take).collect()
    };
    ctx.string(out)
}

fn starts_with(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(match (&args[0], &args[1]) {
        (Value::Str(s), Value::Str(p)) => s.starts_with(p.as_str()),
        _ => false,
    }))
}

// ------------------------------------------------------------------------------------------------
// splitByString

/// `splitByString(sep, s[, max])`: JavaScript `s.split(sep, max)` — with `max`, only the first
/// `max` pieces are returned (the rest is dropped). An empty separator splits into characters.
fn split_by_string(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Some(s) = subject("splitByString", &args[1])? else {
        return Ok(Value::Null);
    };
    let sep = text(ctx, &args[0])?;
    let max = match arg(args, 2) {
        Value::Null => usize::MAX,
        other => match other.as_f64() {
            // JavaScript's ToUint32: negative limits wrap around to "practically unlimited".
            Some(f) if f.is_nan() => 0,
            Some(f) if f < 0.0 => usize::MAX,
            Some(f) => f.trunc().min(usize::MAX as f64) as usize,
            None => return Err(type_error("splitByString", "a number as max pieces", other)),
        },
    };
    // Count first (no allocation), charge, then build: splitting a long string into characters
    // must be refused before millions of pieces exist.
    let count = if sep.is_empty() {
        s.chars().count().min(max)
    } else {
        s.matches(sep.as_ref()).count().saturating_add(1).min(max)
    };
    let bytes = memory::string_cost(0)
        .saturating_mul(count as u64)
        .saturating_add(s.len() as u64)
        .saturating_add(memory::array_cost(0))
        .saturating_add(memory::SLOT.saturating_mul(count as u64));
    ctx.charge(bytes)?;
    let items: Vec<Value> = if sep.is_empty() {
        s.char_indices()
            .take(count)
            .map(|(i, c)| Value::from(&s[i..i + c.len_utf8()]))
            .collect()
    } else {
        s.split(sep.as_ref()).take(count).map(Value::from).collect()
    };
    Ok(Value::array(items))
}

// ------------------------------------------------------------------------------------------------
// LIKE

/// Above this many pattern × input steps, `LIKE` runs on the regex engine (linear in the input)
/// instead of the quadratic table.
const LIKE_TABLE_BUDGET: usize = 4_000_000;

/// SQL `LIKE` as PostHog's VMs implement it: `%` matches any run, `_` any one character (neither
/// matches a line break), no escapes, and the match may start and end **anywhere** in `s`
/// (`like('banana', 'n')` is true). Case-insensitive mode compares upper-cased characters.
///
/// Also used by the `LIKE`/`ILIKE` opcodes.
pub fn like_matches(s: &str, pattern: &str, case_insensitive: bool) -> Result<bool, VmError> {
    if let Some(found) = like_by_pieces(s, pattern, case_insensitive) {
        return Ok(found);
    }
    like_by_table(s, pattern, case_insensitive)
}

/// The common case without a table: no `_` in the pattern and no line break in the input, so
/// the pattern is literal pieces separated by `%` gaps, and because the match is unanchored,
/// finding each piece after the previous one (leftmost) decides it. Case-insensitive only for
/// ASCII text. `None` when the fast path does not apply.
fn like_by_pieces(s: &str, pattern: &str, case_insensitive: bool) -> Option<bool> {
    if pattern.contains('_') || s.chars().any(is_line_break) {
        return None;
    }
    let (s, pattern): (Cow<'_, str>, Cow<'_, str>) = if case_insensitive {
        if !s.is_ascii() || !pattern.is_ascii() {
            return None;
        }
        (
            Cow::Owned(s.to_ascii_uppercase()),
            Cow::Owned(pattern.to_ascii_uppercase()),
        )
    } else {
        (Cow::Borrowed(s), Cow::Borrowed(pattern))
    };
    let mut from = 0;
    for piece in pattern.split('%').filter(|p| !p.is_empty()) {
        match s[from..].find(piece) {
            Some(at) => from += at + piece.len(),
            None => return Some(false),
        }
    }
    Some(true)
}

/// The general matcher: a table over pattern positions, one row per input character.
fn like_by_table(s: &str, pattern: &str, case_insensitive: bool) -> Result<bool, VmError> {
    let tokens: Vec<char> = pattern
        .chars()
        .map(|c| canonical(c, case_insensitive))
        .collect();
    if tokens.len().saturating_mul(s.len()) > LIKE_TABLE_BUDGET {
        return like_by_regex(s, pattern, case_insensitive);
    }
    // matched[j] = some suffix of the input read so far matches tokens[..j].
    let mut matched = vec![false; tokens.len() + 1];
    matched[0] = true;
    for j in 0..tokens.len() {
        matched[j + 1] = tokens[j] == '%' && matched[j];
    }
    if matched[tokens.len()] {
        return Ok(true);
    }
    for c in s.chars() {
        let c = canonical(c, case_insensitive);
        let wildcard = !is_line_break(c);
        let mut previous = true; // matched[0] of the previous row: a match may start here
        for j in 0..tokens.len() {
            let saved = matched[j + 1];
            matched[j + 1] = if tokens[j] == '%' {
                matched[j] || (saved && wildcard)
            } else {
                previous
                    && if tokens[j] == '_' {
                        wildcard
                    } else {
                        tokens[j] == c
                    }
            };
            previous = saved;
        }
        if matched[tokens.len()] {
            return Ok(true);
        }
    }
    Ok(false)
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// JavaScript's non-Unicode case-insensitive canonicalisation: upper case, unless that maps to
/// several characters or maps a non-ASCII character to an ASCII one.
fn canonical(c: char, case_insensitive: bool) -> char {
    if !case_insensitive {
        return c;
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if !(c as u32 >= 128 && (u as u32) < 128) && (c as u32) < 0x10000 => u,
        _ => c,
    }
}

/// The same match on the regex engine, for inputs too large for the table.
fn like_by_regex(s: &str, pattern: &str, case_insensitive: bool) -> Result<bool, VmError> {
    let mut re = String::with_capacity(pattern.len() * 2 + 8);
    if case_insensitive {
        re.push_str("(?i)");
    }
    let mut buf = [0u8; 4];
    for c in pattern.chars() {
        match c {
            '%' => re.push_str("[^\\n\\r\\u{2028}\\u{2029}]*"),
            '_' => re.push_str("[^\\n\\r\\u{2028}\\u{2029}]"),
            c => re.push_str(&::regex::escape(c.encode_utf8(&mut buf))),
        }
    }
    super::regex::search(&re, s)
}

fn like_impl(ctx: &mut NativeCtx<'_>, args: &[Value], ci: bool) -> Result<bool, VmError> {
    let s = text(ctx, &args[0])?;
    let p = text(ctx, &args[1])?;
    like_matches(&s, &p, ci)
}

fn like(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    like_impl(ctx, args, false).map(Value::Bool)
}

fn ilike(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    like_impl(ctx, args, true).map(Value::Bool)
}

fn not_like(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    like_impl(ctx, args, false).map(|b| Value::Bool(!b))
}

fn not_ilike(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    like_impl(ctx, args, true).map(|b| Value::Bool(!b))
}

/// `multiSearchAnyCaseInsensitive(s, needles)`: ClickHouse semantics, an integer 1 or 0.
fn multi_search_any_case_insensitive(
    ctx: &mut NativeCtx<'_>,
    args: &[Value],
) -> Result<Value, VmError> {
    let Value::Str(s) = &args[0] else {
        return Ok(Value::Int(0));
    };
    let needles: Vec<Value> = match &args[1] {
        Value::Array(a) => a.borrow().clone(),
        Value::Tuple(t) => t.to_vec(),
        _ => return Ok(Value::Int(0)),
    };
    let haystack = s.to_lowercase();
    for n in &needles {
        if haystack.contains(&text(ctx, n)?.to_lowercase()) {
            return Ok(Value::Int(1));
        }
    }
    Ok(Value::Int(0))
}

// ------------------------------------------------------------------------------------------------
// URL components

/// Percent-encodes everything except `A–Z a–z 0–9 - _ . ! ~ * ' ( )`, as JavaScript's
/// `encodeURIComponent` does (over UTF-8).
pub fn encode_url_component_str(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// Percent-decodes like JavaScript's `decodeURIComponent`; `None` where it throws
/// `URIError: URI malformed` (a `%` without two hex digits, or bytes that are not UTF-8).
pub fn decode_url_component_str(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn encode_url_component(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    if args[0].is_null() {
        return Ok(Value::Null);
    }
    let s = text(ctx, &args[0])?;
    // Worst case triples the input; charge that bound before encoding.
    ctx.charge(memory::string_cost(s.len().saturating_mul(3)))?;
    Ok(precharged(encode_url_component_str(&s)))
}

fn decode_url_component(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    if args[0].is_null() {
        return Ok(Value::Null);
    }
    let s = text(ctx, &args[0])?;
    match decode_url_component_str(&s) {
        Some(decoded) => ctx.string(decoded),
        None => Err(VmError::runtime("URI malformed")),
    }
}

fn try_decode_url_component(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    if args[0].is_null() {
        return Ok(Value::Null);
    }
    let s = text(ctx, &args[0])?;
    match decode_url_component_str(&s) {
        Some(decoded) => ctx.string(decoded),
        None => Ok(Value::Null),
    }
}

// ------------------------------------------------------------------------------------------------
// base64

const BASE64_STANDARD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 of `bytes`: the standard alphabet with `=` padding, or the URL-safe alphabet without
/// padding (Node's `base64url`).
pub fn base64_encode_bytes(bytes: &[u8], url_safe: bool) -> String {
    let alphabet = if url_safe {
        BASE64_URL
    } else {
        BASE64_STANDARD
    };
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for (k, sextet) in sextets.iter().enumerate() {
            if k <= chunk.len() {
                out.push(alphabet[(sextet & 63) as usize] as char);
            } else if !url_safe {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes base64 the lenient way Node's `Buffer.from(s, 'base64')` does: both alphabets are
/// accepted, characters outside them are skipped, decoding stops at the first `=`, and a final
/// lone sextet is dropped. Never fails.
pub fn base64_decode_lenient(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn base64_encode(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Some(s) = subject("base64Encode", &args[0])? else {
        return Ok(Value::Null);
    };
    ctx.charge(memory::string_cost(s.len().div_ceil(3).saturating_mul(4)))?;
    Ok(precharged(base64_encode_bytes(s.as_bytes(), false)))
}

fn base64_decode(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Some(s) = subject("base64Decode", &args[0])? else {
        return Ok(Value::Null);
    };
    let bytes = base64_decode_lenient(s);
    ctx.string(String::from_utf8_lossy(&bytes).into_owned())
}

fn try_base64_decode(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let Value::Str(s) = &args[0] else {
        return ctx.string(String::new());
    };
    let bytes = base64_decode_lenient(s);
    ctx.string(String::from_utf8_lossy(&bytes).into_owned())
}

// ------------------------------------------------------------------------------------------------
// generateUUIDv4

fn generate_uuid_v4(ctx: &mut NativeCtx<'_>, _args: &[Value]) -> Result<Value, VmError> {
    let hi = ctx.random_u64();
    let lo = ctx.random_u64();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    ctx.string(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::memory::Memory;

    fn call(name: &str, args: Vec<Value>) -> Result<Value, VmError> {
        let def = super::super::lookup(name).expect("registered");
        def.check_arity(args.len())?;
        let mut mem = Memory::new(None);
        let mut env = Env::new();
        let mut ctx = NativeCtx::new(&mut mem, &[], &mut env);
        (def.call)(&mut ctx, &args)
    }

    fn p(name: &str, args: Vec<Value>) -> String {
        match call(name, args) {
            Ok(v) => crate::print::display(&v, usize::MAX).unwrap(),
            Err(e) => format!("ERROR: {e}"),
        }
    }

    fn s(x: &str) -> Value {
        Value::from(x)
    }

    #[test]
    fn corpus_strings() {
        assert_eq!(p("trim", vec![s("  hello  world  ")]), "hello  world");
        assert_eq!(p("trimLeft", vec![s("  hello world  ")]), "hello world  ");
        assert_eq!(p("trimRight", vec![s("  hello world  ")]), "  hello world");
        assert_eq!(
            p("trim", vec![s("xxxx  hello  world  xx"), s("x")]),
            "  hello  world  "
        );
        assert_eq!(
            p("trimLeft", vec![s("xxxx  hello  world  xx"), s("x")]),
            "  hello  world  xx"
        );
        assert_eq!(
            p("trimRight", vec![s("xxxx  hello  world  xx"), s("x")]),
            "xxxx  hello  world  "
        );
        assert_eq!(p("trim", vec![s("\thi "), Value::Null]), "\thi");
        assert_eq!(p("trim", vec![s("xxhixx"), s("xx")]), "");
        assert_eq!(p("trim", vec![s("xxxx"), s("x")]), "");
        let sentence = s("hello world and more");
        assert_eq!(
            p("splitByString", vec![s(" "), sentence.clone()]),
            "['hello', 'world', 'and', 'more']"
        );
        assert_eq!(
            p(
                "splitByString",
                vec![s(" "), sentence.clone(), Value::Int(1)]
            ),
            "['hello']"
        );
        assert_eq!(
            p(
                "splitByString",
                vec![s(" "), sentence.clone(), Value::Int(2)]
            ),
            "['hello', 'world']"
        );
        assert_eq!(
            p("splitByString", vec![s(" "), sentence, Value::Int(10)]),
            "['hello', 'world', 'and', 'more']"
        );
        assert_eq!(p("splitByString", vec![s(""), s("abc")]), "['a', 'b', 'c']");
        assert_eq!(p("splitByString", vec![s(""), s("")]), "[]");
        assert_eq!(p("splitByString", vec![s(","), s("")]), "['']");
        assert_eq!(
            p("splitByString", vec![s(" "), s("a b c"), Value::Int(0)]),
            "[]"
        );
        assert_eq!(
            p("splitByString", vec![s(" "), s("a b c"), Value::Int(-1)]),
            "['a', 'b', 'c']"
        );
        assert_eq!(p("splitByString", vec![s(" "), Value::Null]), "null");
    }

    #[test]
    fn like_family() {
        for (f, a, b, want) in [
            ("like", "banana", "N", "false"),
            ("like", "baax", "b%x", "true"),
            ("like", "b%x", "b%x", "true"),
            ("like", "banana", "n", "true"),
            ("like", "banana", "naan", "false"),
            ("ilike", "banana", "N", "true"),
            ("ilike", "banana", "n", "true"),
            ("ilike", "banana", "naan", "false"),
            ("notLike", "banana", "N", "true"),
            ("notILike", "banana", "NO", "true"),
            ("like", "", "%", "true"),
            ("like", "", "_", "false"),
            ("like", "a\nb", "a_b", "false"),
            ("like", "a\nb", "a%b", "false"),
            ("like", "axxb", "a__b", "true"),
            ("like", "x.y", "x.y", "true"),
            ("like", "xzy", "x.y", "false"),
            ("ilike", "ÄPFEL", "äpfel", "true"),
        ] {
            assert_eq!(p(f, vec![s(a), s(b)]), want, "{f}({a:?}, {b:?})");
        }
        assert_eq!(p("like", vec![Value::Int(123), s("2")]), "true");
    }

    #[test]
    fn like_large_inputs_use_the_linear_engine() {
        let hay = "ab".repeat(200_000) + "needle";
        let pattern = "a%b%n_e%le";
        assert!(like_matches(&hay, pattern, false).unwrap());
        assert!(!like_matches(&hay, "a%b%z", false).unwrap());
        let big_pattern = "%a".repeat(50) + "%needle";
        assert!(like_matches(&hay, &big_pattern, true).unwrap());
        // Table and regex agree on small inputs.
        for (h, pat) in [
            ("banana", "n"),
            ("a\nb", "a%b"),
            ("axxb", "a__b"),
            ("ABC", "abc"),
        ] {
            for ci in [false, true] {
                assert_eq!(
                    like_by_table(h, pat, ci).unwrap(),
                    like_by_regex(h, pat, ci).unwrap(),
                    "{h} {pat} {ci}"
                );
            }
        }
    }

    #[test]
    fn like_fast_path_agrees_with_the_table() {
        let alphabet = ['a', 'b', 'A', '%', '_', ' ', 'é', '\n'];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..20_000 {
            let hay: String = (0..next(9))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            let pat: String = (0..next(6))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            for ci in [false, true] {
                let table = like_by_table(&hay, &pat, ci).unwrap();
                if let Some(fast) = like_by_pieces(&hay, &pat, ci) {
                    assert_eq!(fast, table, "like({hay:?}, {pat:?}, ci={ci})");
                }
            }
        }
    }

    #[test]
    fn positions() {
        for (f, hay, needle, want) in [
            ("position", "abc", "a", 1),
            ("position", "abc", "b", 2),
            ("position", "abc", "c", 3),
            ("position", "abc", "d", 0),
            ("positionCaseInsensitive", "AbC", "a", 1),
            ("positionCaseInsensitive", "AbC", "b", 2),
            ("positionCaseInsensitive", "AbC", "c", 3),
            ("positionCaseInsensitive", "AbC", "d", 0),
            ("position", "héllo", "l", 3),
            ("position", "abc", "", 1),
        ] {
            assert_eq!(
                p(f, vec![s(hay), s(needle)]),
                want.to_string(),
                "{f}({hay}, {needle})"
            );
        }
        assert_eq!(p("position", vec![Value::Null, s("a")]), "0");
        assert_eq!(p("position", vec![s("a1"), Value::Int(1)]), "2");
        assert_eq!(p("position", vec![s("abcabc"), s("b"), Value::Int(3)]), "5");
        assert_eq!(p("position", vec![s("abcabc"), s("b"), Value::Int(6)]), "0");
        assert_eq!(p("position", vec![s("abc"), s(""), Value::Int(4)]), "4");
        assert_eq!(p("position", vec![s("abc"), s(""), Value::Int(9)]), "0");
    }

    #[test]
    fn substrings() {
        let cases = [
            (vec![s("abcdef"), Value::Int(2), Value::Int(3)], "bcd"),
            (vec![s("abcdef"), Value::Int(2)], "bcdef"),
            (
                vec![s("hello world"), Value::Int(1), Value::Int(5)],
                "hello",
            ),
            (vec![s("abc"), Value::Int(0), Value::Int(2)], ""),
            (vec![s("abc"), Value::Int(2), Value::Int(-1)], ""),
            (vec![s("abc"), Value::Int(4)], ""),
            (vec![s("abc"), Value::Int(2), Value::Int(100)], "bc"),
            (vec![s("abc"), Value::Int(2), Value::Null], "bc"),
            (vec![Value::Int(5), Value::Int(1)], ""),
            (vec![s("héllo"), Value::Int(2), Value::Int(2)], "él"),
            (vec![s("abc"), Value::Float(1.9), Value::Float(2.5)], "ab"),
        ];
        for (args, want) in cases {
            assert_eq!(p("substring", args.clone()), want, "{args:?}");
        }
    }

    #[test]
    fn null_and_type_handling() {
        for f in [
            "lower",
            "upper",
            "reverse",
            "trim",
            "trimLeft",
            "trimRight",
            "base64Encode",
            "base64Decode",
        ] {
            assert_eq!(p(f, vec![Value::Null]), "null", "{f}");
        }
        assert_eq!(p("replaceOne", vec![Value::Null, s("a"), s("b")]), "null");
        assert_eq!(p("replaceAll", vec![Value::Null, s("a"), s("b")]), "null");
        assert_eq!(
            p("upper", vec![Value::Int(1)]),
            "ERROR: upper() expects a string, got integer"
        );
        assert_eq!(p("startsWith", vec![s("hello"), s("he")]), "true");
        assert_eq!(p("startsWith", vec![s("hello"), Value::Null]), "false");
        assert_eq!(p("lower", vec![s("Tdd4gh")]), "tdd4gh");
        assert_eq!(p("upper", vec![s("test")]), "TEST");
        assert_eq!(p("reverse", vec![s("spinner")]), "rennips");
    }

    #[test]
    fn concat_and_replace() {
        assert_eq!(p("concat", vec![s("a"), s("b"), s("c")]), "abc");
        assert_eq!(p("concat", vec![Value::Int(1), Value::Null, s("x")]), "1x");
        assert_eq!(
            p("concat", vec![Value::Bool(true), Value::Bool(false)]),
            "truefalse"
        );
        assert_eq!(
            p(
                "concat",
                vec![Value::array(vec![Value::Int(1), s("a")]), Value::Float(1.5)]
            ),
            "[1, 'a']1.5"
        );
        assert_eq!(
            p("replaceAll", vec![s("hello world"), s("l"), s("L")]),
            "heLLo worLd"
        );
        assert_eq!(
            p("replaceOne", vec![s("hello world"), s("l"), s("L")]),
            "heLlo world"
        );
        assert_eq!(p("replaceAll", vec![s("abc"), s(""), s("-")]), "-a-b-c-");
        assert_eq!(p("replaceOne", vec![s("abc"), s(""), s("-")]), "-abc");
        assert_eq!(p("replaceOne", vec![s("a$b"), s("$"), s("$&$&")]), "a$&$&b");
        assert_eq!(
            p("replaceAll", vec![s("a1b1"), Value::Int(1), Value::Int(2)]),
            "a2b2"
        );
    }

    #[test]
    fn replace_all_growth_is_charged_first() {
        let def = super::super::lookup("replaceAll").unwrap();
        let mut mem = Memory::new(Some(1 << 20));
        let mut env = Env::new();
        let mut ctx = NativeCtx::new(&mut mem, &[], &mut env);
        let big = s(&"x".repeat(10_000));
        let r = (def.call)(&mut ctx, &[big.clone(), s(""), big]);
        assert!(
            matches!(r, Err(VmError::Limit(crate::LimitExceeded::Memory { .. }))),
            "{r:?}"
        );
    }

    #[test]
    fn splitting_into_millions_of_pieces_is_refused_first() {
        let def = super::super::lookup("splitByString").unwrap();
        let mut mem = Memory::new(Some(4 << 20));
        let mut env = Env::new();
        let mut ctx = NativeCtx::new(&mut mem, &[], &mut env);
        let big = s(&"x".repeat(1 << 20));
        let r = (def.call)(&mut ctx, &[s(""), big.clone()]);
        assert!(matches!(
            r,
            Err(VmError::Limit(crate::LimitExceeded::Memory { .. }))
        ));
        // A bounded number of pieces is fine.
        let r = (def.call)(&mut ctx, &[s(""), big, Value::Int(3)]);
        assert_eq!(
            crate::print::display(&r.unwrap(), 100).unwrap(),
            "['x', 'x', 'x']"
        );
    }

    #[test]
    fn url_components() {
        assert_eq!(p("encodeURLComponent", vec![s("a b&c=d")]), "a%20b%26c%3Dd");
        assert_eq!(
            p("encodeURLComponent", vec![s("http://www.google.com")]),
            "http%3A%2F%2Fwww.google.com"
        );
        assert_eq!(
            p("encodeURLComponent", vec![s("tom & jerry")]),
            "tom%20%26%20jerry"
        );
        assert_eq!(
            p("encodeURLComponent", vec![s("a b&c=d/é€😀!*'()~-_.")]),
            "a%20b%26c%3Dd%2F%C3%A9%E2%82%AC%F0%9F%98%80!*'()~-_."
        );
        assert_eq!(p("decodeURLComponent", vec![s("a%20b%26c")]), "a b&c");
        assert_eq!(p("decodeURLComponent", vec![s("%C3%A9+x")]), "é+x");
        for bad in ["%", "%zz", "%E2%82", "%2", "a%20b%2", "%C3é", "%ED%A0%80"] {
            assert_eq!(
                p("decodeURLComponent", vec![s(bad)]),
                "ERROR: URI malformed",
                "{bad}"
            );
            assert_eq!(p("tryDecodeURLComponent", vec![s(bad)]), "null", "{bad}");
        }
        assert_eq!(p("tryDecodeURLComponent", vec![s("a%20b")]), "a b");
    }

    #[test]
    fn base64() {
        assert_eq!(p("base64Encode", vec![s("hello")]), "aGVsbG8=");
        assert_eq!(
            p("base64Encode", vec![s("http://www.google.com")]),
            "aHR0cDovL3d3dy5nb29nbGUuY29t"
        );
        assert_eq!(
            p("base64Encode", vec![s("tom & jerry")]),
            "dG9tICYgamVycnk="
        );
        assert_eq!(p("base64Encode", vec![s("")]), "");
        assert_eq!(base64_encode_bytes(&[0xfb, 0xff], true), "-_8");
        // Node's lenient decoding, case by case.
        for (input, want) in [
            ("aGVsbG8=", "hello"),
            ("aGVsbG8", "hello"),
            ("aGVs bG8=", "hello"),
            ("aGV!sbG8=", "hello"),
            ("aGVsbG8=aGVsbG8=", "hello"),
            ("a", ""),
            ("ab", "i"),
            ("aG=VsbG8", "h"),
            ("_-_-", "\u{fffd}\u{fffd}\u{fffd}"),
        ] {
            assert_eq!(p("base64Decode", vec![s(input)]), want, "{input}");
            assert_eq!(p("tryBase64Decode", vec![s(input)]), want, "{input}");
        }
        assert_eq!(p("tryBase64Decode", vec![Value::Null]), "");
        assert_eq!(p("tryBase64Decode", vec![Value::Int(1)]), "");
    }

    #[test]
    fn search_any() {
        let needles = Value::array(vec![s("foo"), s("world")]);
        assert_eq!(
            p(
                "multiSearchAnyCaseInsensitive",
                vec![s("Hello World"), needles]
            ),
            "1"
        );
        let none = Value::array(vec![s("foo")]);
        assert_eq!(
            p(
                "multiSearchAnyCaseInsensitive",
                vec![s("Hello World"), none]
            ),
            "0"
        );
        assert_eq!(
            p(
                "multiSearchAnyCaseInsensitive",
                vec![Value::Null, Value::Null]
            ),
            "0"
        );
    }

    #[test]
    fn uuids() {
        let a = p("generateUUIDv4", vec![]);
        let b = p("generateUUIDv4", vec![]);
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let bytes = a.as_bytes();
        assert_eq!(bytes[14], b'4');
        assert!(matches!(bytes[19], b'8' | b'9' | b'a' | b'b'));
        assert!(
            a.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
