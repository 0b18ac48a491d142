//! The print format (hog-stl.md §1): how `print`, `toString`, `concat`, f-strings and error
//! messages turn values into text, byte-identical to PostHog's Node VM.
//!
//! Two entry points: [`display`] (the top-level form: a string prints raw) and [`repr`] (the
//! nested form: strings quoted and escaped). Both are bounded: nesting deeper than
//! [`MAX_NESTING`](crate::MAX_NESTING) or output longer than `max_len` bytes is an error, so a
//! hostile value (an array holding the same 1 MB string a million times) cannot make the host
//! allocate unbounded text.

use crate::error::LimitExceeded;
use crate::value::{Value, float_to_i64_exact};
use crate::{MAX_NESTING, VmError};
use std::fmt::Write as _;

/// The top-level print form: strings raw, everything else as [`repr`].
pub fn display(v: &Value, max_len: usize) -> Result<String, VmError> {
    let mut out = String::new();
    write_display(&mut out, v, max_len)?;
    Ok(out)
}

/// Appends the top-level print form of `v` to `out`, failing once `out` would exceed `max_len`.
pub fn write_display(out: &mut String, v: &Value, max_len: usize) -> Result<(), VmError> {
    match v {
        Value::Str(s) => {
            if out.len().saturating_add(s.len()) > max_len {
                return Err(too_long(max_len, out.len().saturating_add(s.len())));
            }
            out.push_str(s);
            Ok(())
        }
        _ => write_repr(out, v, max_len),
    }
}

/// The nested print form (strings quoted), e.g. `[1, 'a', {'k': null}]`.
pub fn repr(v: &Value, max_len: usize) -> Result<String, VmError> {
    let mut out = String::new();
    write_repr(&mut out, v, max_len)?;
    Ok(out)
}

/// Appends the nested print form of `v` to `out`.
pub fn write_repr(out: &mut String, v: &Value, max_len: usize) -> Result<(), VmError> {
    let mut printer = Printer {
        out,
        max_len,
        path: Vec::new(),
    };
    printer.value(v)
}

fn too_long(limit: usize, needed: usize) -> VmError {
    VmError::Limit(LimitExceeded::Memory {
        limit: limit as u64,
        needed: needed as u64,
    })
}

struct Printer<'a> {
    out: &'a mut String,
    max_len: usize,
    /// Containers currently being printed (cycle detection: a repeat prints as `null`).
    path: Vec<usize>,
}

impl Printer<'_> {
    fn check(&self) -> Result<(), VmError> {
        if self.out.len() > self.max_len {
            Err(too_long(self.max_len, self.out.len()))
        } else {
            Ok(())
        }
    }

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

    fn value(&mut self, v: &Value) -> Result<(), VmError> {
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(true) => self.out.push_str("true"),
            Value::Bool(false) => self.out.push_str("false"),
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) => write_number(self.out, *f),
            Value::Str(s) => {
                if self.out.len().saturating_add(s.len()) > self.max_len {
                    return Err(too_long(
                        self.max_len,
                        self.out.len().saturating_add(s.len()),
                    ));
                }
                write_quoted(self.out, s, '\'')
            }
            Value::Array(a) => {
                if !self.enter(v)? {
                    return Ok(());
                }
                self.out.push('[');
                self.seq(&a.borrow())?;
                self.out.push(']');
                self.path.pop();
            }
            Value::Tuple(t) => {
                if !self.enter(v)? {
                    return Ok(());
                }
                if t.len() < 2 {
                    self.out.push_str("tuple(");
                } else {
                    self.out.push('(');
                }
                self.seq(t)?;
                self.out.push(')');
                self.path.pop();
            }
            Value::Dict(d) => {
                if !self.enter(v)? {
                    return Ok(());
                }
                self.out.push('{');
                for (i, (k, val)) in d.borrow().iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.value(&k.0)?;
                    self.out.push_str(": ");
                    self.value(val)?;
                    self.check()?;
                }
                self.out.push('}');
                self.path.pop();
            }
            Value::Closure(c) => {
                self.out.push_str("fn<");
                write_identifier(self.out, &c.callable.name);
                let _ = write!(self.out, "({})>", c.callable.arg_count);
            }
            Value::Error(e) => {
                if !self.enter(v)? {
                    return Ok(());
                }
                self.out.push_str(&e.error_type);
                self.out.push('(');
                write_quoted(self.out, &e.message, '\'');
                if !e.payload.is_null() {
                    self.out.push_str(", ");
                    self.value(&e.payload)?;
                }
                self.out.push(')');
                self.path.pop();
            }
            Value::DateTime(d) => {
                self.out.push_str("DateTime(");
                write_float_with_point(self.out, d.dt);
                self.out.push_str(", ");
                write_quoted(self.out, &d.zone, '\'');
                self.out.push(')');
            }
            Value::Date(d) => {
                let _ = write!(self.out, "Date({}, {}, {})", d.year, d.month, d.day);
            }
        }
        self.check()
    }

    fn seq(&mut self, items: &[Value]) -> Result<(), VmError> {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.value(item)?;
        }
        Ok(())
    }
}

/// Appends `s` between `quote` characters with Hog's escapes (`\b \f \r \n \t \0 \v \\` and the
/// quote itself).
pub fn write_quoted(out: &mut String, s: &str, quote: char) {
    out.reserve(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Appends a function name as an identifier: plain when it matches `[A-Za-z_$][A-Za-z0-9_$]*`,
/// otherwise in backticks with escapes.
pub fn write_identifier(out: &mut String, name: &str) {
    let mut chars = name.chars();
    let plain = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        }
        _ => false,
    };
    if plain {
        out.push_str(name);
    } else {
        write_quoted(out, name, '`');
    }
}

/// Formats a float like JavaScript's `Number.prototype.toString` (what PostHog's Node VM prints):
/// shortest round-trip digits, integral values without a decimal point, exponent form below
/// 1e-6 and from 1e21 on, `NaN`, `Infinity`, `-Infinity`.
pub fn format_number(f: f64) -> String {
    let mut s = String::new();
    write_number(&mut s, f);
    s
}

/// Appends [`format_number`]`(f)` to `out`.
pub fn write_number(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if f == 0.0 {
        out.push('0');
        return;
    }
    if let Some(i) = float_to_i64_exact(f) {
        let _ = write!(out, "{i}");
        return;
    }
    // Shortest round-trip digits and decimal exponent, from Rust's `{:e}` (e.g. "-1.2345e-7").
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let n = exp + 1; // position of the decimal point relative to the digits
    if negative {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        let _ = write!(out, "{}", (n - 1).abs());
    }
}

/// A float that always shows a decimal point (`1234334543.0`), as in `DateTime(…)`.
pub fn write_float_with_point(out: &mut String, f: f64) {
    let start = out.len();
    write_number(out, f);
    let written = &out[start..];
    if f.is_finite() && !written.contains(['.', 'e']) {
        out.push_str(".0");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{DateTimeValue, DateValue, DictKey, dict_map_with_capacity};
    use std::rc::Rc;

    fn p(v: &Value) -> String {
        display(v, usize::MAX).unwrap()
    }

    #[test]
    fn numbers_print_like_javascript() {
        for (f, s) in [
            (1.5, "1.5"),
            (1.0, "1"),
            (-7.5, "-7.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (1.5e-10, "1.5e-10"),
            (123456789.125, "123456789.125"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (-0.0, "0"),
        ] {
            assert_eq!(format_number(f), s, "{f}");
        }
    }

    #[test]
    fn containers_and_strings() {
        let mut m = dict_map_with_capacity(2);
        m.insert(DictKey::from("key"), Value::from("it's"));
        m.insert(DictKey(Value::Int(1)), Value::Null);
        let v = Value::array(vec![
            Value::Int(1),
            Value::from("a\n"),
            Value::dict(m),
            Value::tuple(vec![]),
            Value::tuple(vec![Value::Int(1)]),
            Value::tuple(vec![Value::Int(1), Value::Bool(true)]),
        ]);
        assert_eq!(
            p(&v),
            r"[1, 'a\n', {'key': 'it\'s', 1: null}, tuple(), tuple(1), (1, true)]"
        );
        assert_eq!(p(&Value::from("raw 'x'")), "raw 'x'");
    }

    #[test]
    fn dates_and_cycles() {
        let dt = Value::DateTime(Rc::new(DateTimeValue {
            dt: 1234334543.0,
            zone: "UTC".into(),
        }));
        assert_eq!(p(&dt), "DateTime(1234334543.0, 'UTC')");
        let d = Value::Date(DateValue {
            year: 2024,
            month: 5,
            day: 3,
        });
        assert_eq!(p(&d), "Date(2024, 5, 3)");
        let a = Value::array(vec![Value::Int(1)]);
        if let Value::Array(rc) = &a {
            rc.borrow_mut().push(a.clone());
        }
        assert_eq!(p(&a), "[1, null]");
        if let Value::Array(rc) = &a {
            rc.borrow_mut().clear(); // break the cycle so the test does not leak
        }
    }

    #[test]
    fn output_is_bounded() {
        let big = Value::from("x".repeat(1000));
        let arr = Value::array(vec![big; 100]);
        assert!(matches!(display(&arr, 10_000), Err(VmError::Limit(_))));
        assert!(display(&arr, 200_000).is_ok());
    }

    #[test]
    fn identifiers() {
        let mut s = String::new();
        write_identifier(&mut s, "ok_$1");
        write_identifier(&mut s, "not ok`");
        assert_eq!(s, r"ok_$1`not ok\``");
    }
}
