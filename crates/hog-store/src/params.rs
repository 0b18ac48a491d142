//! Query parameters. The HogQL printer emits `%(name)s` placeholders (PostHog's convention) and
//! every user-supplied constant travels as a parameter. The embedded engine cannot bind named
//! parameters (`{name:Type}` is unsupported over ADBC) and old servers lack them too, so values
//! are substituted here as escaped ClickHouse literals, the same on both back ends. The scanner
//! skips quoted strings, quoted identifiers and comments, so a `%(x)s` inside them stays text.

use crate::error::{Result, StoreError};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    String(String),
    Array(Vec<Param>),
    Tuple(Vec<Param>),
}

/// Named parameters of one query.
pub type Params = BTreeMap<String, Param>;

impl From<&str> for Param {
    fn from(s: &str) -> Param {
        Param::String(s.to_string())
    }
}
impl From<String> for Param {
    fn from(s: String) -> Param {
        Param::String(s)
    }
}
impl From<i64> for Param {
    fn from(v: i64) -> Param {
        Param::Int(v)
    }
}
impl From<f64> for Param {
    fn from(v: f64) -> Param {
        Param::Float(v)
    }
}
impl From<bool> for Param {
    fn from(v: bool) -> Param {
        Param::Bool(v)
    }
}

impl Param {
    /// Appends the value as a ClickHouse literal.
    pub fn write_literal(&self, out: &mut String) {
        match self {
            Param::Null => out.push_str("NULL"),
            Param::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Param::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Param::UInt(v) => {
                let _ = write!(out, "{v}");
            }
            Param::Float(v) => {
                if v.is_nan() {
                    out.push_str("nan");
                } else if v.is_infinite() {
                    out.push_str(if *v > 0.0 { "inf" } else { "-inf" });
                } else {
                    let text = format!("{v:?}");
                    out.push_str(&text);
                }
            }
            Param::String(s) => write_string_literal(s, out),
            Param::Array(items) => {
                out.push('[');
                write_list(items, out);
                out.push(']');
            }
            Param::Tuple(items) => {
                out.push_str("tuple(");
                write_list(items, out);
                out.push(')');
            }
        }
    }
}

fn write_list(items: &[Param], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.write_literal(out);
    }
}

/// Appends `s` as a single-quoted ClickHouse string literal.
pub fn write_string_literal(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => out.push(c),
        }
    }
    out.push('\'');
}

/// Replaces every `%(name)s` outside quotes and comments by the literal of `params[name]`.
/// A placeholder without a value is an error naming it.
pub fn substitute(sql: &str, params: &Params) -> Result<String> {
    if !sql.contains("%(") {
        return Ok(sql.to_string());
    }
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 64);
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => i = skip_quoted(bytes, i, quote),
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |p| i + p + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
            }
            b'%' if bytes.get(i + 1) == Some(&b'(') => {
                let name_start = i + 2;
                let Some(close) = sql[name_start..].find(")s") else {
                    return Err(StoreError::Invalid(format!(
                        "unterminated query parameter at byte {i}"
                    )));
                };
                let name = &sql[name_start..name_start + close];
                let value = params.get(name).ok_or_else(|| {
                    StoreError::Invalid(format!("query parameter `{name}` has no value"))
                })?;
                out.push_str(&sql[copied..i]);
                value.write_literal(&mut out);
                i = name_start + close + 2;
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

/// The index just past the quoted section starting at `start` (backslash escapes and doubled
/// quotes both stay inside it); the end of input if it never closes.
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn params(pairs: &[(&str, Param)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn substitutes_outside_quotes_only() {
        let p = params(&[
            ("a", Param::from("it's")),
            ("b", Param::Int(-3)),
            ("c", Param::Array(vec![Param::Float(1.5), Param::Null])),
        ]);
        let sql = "SELECT %(a)s, '%(a)s', `%(b)s`, %(b)s -- %(x)s\n, %(c)s /* %(y)s */";
        assert_eq!(
            substitute(sql, &p).unwrap(),
            "SELECT 'it\\'s', '%(a)s', `%(b)s`, -3 -- %(x)s\n, [1.5, NULL] /* %(y)s */"
        );
    }

    #[test]
    fn missing_parameter_is_named() {
        let err = substitute("SELECT %(nope)s", &Params::new()).unwrap_err();
        assert_eq!(err.to_string(), "query parameter `nope` has no value");
        let err = substitute("SELECT %(nope", &Params::new()).unwrap_err();
        assert!(err.to_string().contains("unterminated"));
    }

    #[test]
    fn floats_keep_their_type() {
        let mut s = String::new();
        Param::Float(2.0).write_literal(&mut s);
        assert_eq!(s, "2.0");
    }

    proptest! {
        /// Whatever the string, its literal is one closed quoted section: the scanner finds its
        /// end exactly where the literal ends (so a value can never break out of its quotes).
        #[test]
        fn string_literals_stay_closed(s in any::<String>()) {
            let mut lit = String::new();
            write_string_literal(&s, &mut lit);
            prop_assert_eq!(skip_quoted(lit.as_bytes(), 0, b'\''), lit.len());
        }
    }
}
