//! Bytecode under construction: a flat list of elements, each opcode tagged with the source span
//! it was compiled from.
//!
//! PostHog's compiler builds every construct as a separate list and splices them together, using
//! the lengths of the parts for jump offsets. We emit the same elements into one shared list
//! instead (copying every construct into its parent made compiling quadratic in the nesting
//! depth): a forward jump is emitted with a placeholder operand and patched once its target is
//! emitted ([`Code::jump_forward`], [`Code::land`]). Spans ride on the opcode elements, so the
//! source map is extracted once at the end.

use hog_vm::opcode::Opcode;
use hogql_parser::ast::Span;

/// One element of a bytecode array.
#[derive(Debug, Clone, PartialEq)]
pub enum Elem {
    /// An opcode, with the span of the construct that produced it.
    Op(Opcode, Span),
    Int(i64),
    Float(f64),
    Str(String),
    /// `CLOSURE`'s "is local" flags and (PostHog quirk) booleans after `INTEGER` in AST mode.
    Bool(bool),
}

impl Elem {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Elem::Op(op, _) => serde_json::Value::from(*op as u8),
            Elem::Int(i) => serde_json::Value::from(*i),
            // Non-finite floats are rejected by the compiler before they get here; `from_f64`
            // only fails for those, and `null` would then be the honest encoding of "no value".
            Elem::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Elem::Str(s) => serde_json::Value::from(s.as_str()),
            Elem::Bool(b) => serde_json::Value::from(*b),
        }
    }
}

/// A piece of bytecode.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Code {
    pub elems: Vec<Elem>,
}

impl Code {
    pub fn new() -> Self {
        Code { elems: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.elems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// The length as a jump operand.
    pub fn ilen(&self) -> i64 {
        self.elems.len() as i64
    }

    pub fn op(&mut self, op: Opcode, span: Span) -> &mut Self {
        self.elems.push(Elem::Op(op, span));
        self
    }

    pub fn int(&mut self, i: i64) -> &mut Self {
        self.elems.push(Elem::Int(i));
        self
    }

    pub fn count(&mut self, n: usize) -> &mut Self {
        self.elems.push(Elem::Int(n as i64));
        self
    }

    pub fn str(&mut self, s: impl Into<String>) -> &mut Self {
        self.elems.push(Elem::Str(s.into()));
        self
    }

    pub fn boolean(&mut self, b: bool) -> &mut Self {
        self.elems.push(Elem::Bool(b));
        self
    }

    /// `op n`: an opcode with one integer operand.
    pub fn op_n(&mut self, op: Opcode, n: i64, span: Span) -> &mut Self {
        self.op(op, span).int(n)
    }

    pub fn string(&mut self, s: impl Into<String>, span: Span) -> &mut Self {
        self.op(Opcode::String, span).str(s)
    }

    pub fn call_global(&mut self, name: &str, argc: usize, span: Span) -> &mut Self {
        self.op(Opcode::CallGlobal, span).str(name).count(argc)
    }

    /// A placeholder operand, patched later with [`Code::patch`]; its index.
    pub fn placeholder(&mut self) -> usize {
        self.elems.push(Elem::Int(0));
        self.elems.len() - 1
    }

    /// Sets the integer operand at `at` (a [`placeholder`](Code::placeholder)).
    pub fn patch(&mut self, at: usize, value: i64) {
        if let Some(e) = self.elems.get_mut(at) {
            *e = Elem::Int(value);
        }
    }

    /// `op <offset>` with the offset left open; [`land`](Code::land) sets it.
    pub fn jump_forward(&mut self, op: Opcode, span: Span) -> usize {
        self.op(op, span);
        self.placeholder()
    }

    /// Points the forward jump whose operand is at `at` to the current end of the code.
    pub fn land(&mut self, at: usize) {
        let offset = self.elems.len() as i64 - at as i64 - 1;
        self.patch(at, offset);
    }

    /// `op <offset>` jumping back to element `target`.
    pub fn jump_back(&mut self, op: Opcode, target: usize, span: Span) -> &mut Self {
        let after = self.elems.len() as i64 + 2;
        self.op_n(op, target as i64 - after, span)
    }

    /// Removes and returns the elements from `from` on (code compiled before the place it is
    /// emitted at, see [`append`](Code::append)).
    pub fn split_off(&mut self, from: usize) -> Code {
        Code {
            elems: self.elems.split_off(from.min(self.elems.len())),
        }
    }

    pub fn append(&mut self, mut other: Code) -> &mut Self {
        if self.elems.is_empty() {
            self.elems = other.elems;
        } else {
            self.elems.append(&mut other.elems);
        }
        self
    }

    /// The whole array as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(self.elems.iter().map(Elem::to_json).collect())
    }
}

impl From<Vec<Elem>> for Code {
    fn from(elems: Vec<Elem>) -> Self {
        Code { elems }
    }
}

/// Writes a bytecode array the way PostHog's tools print it (`["_H", 1, 32, "x", …]`: one line,
/// `", "` between elements), which is also valid JSON. Strings and floats go through
/// `serde_json`'s own writers, so the text is what serialising the JSON value would give.
pub fn write_json_line(elems: &[Elem]) -> String {
    use std::io::Write;
    let mut out: Vec<u8> = Vec::with_capacity(elems.len() * 6 + 2);
    out.push(b'[');
    for (i, e) in elems.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        // Writing into a Vec<u8> cannot fail, and serde_json's string/float writers only fail
        // for I/O errors; a float that is not finite is written as `null` like `Elem::to_json`.
        let _ = match e {
            Elem::Op(op, _) => {
                write_int(&mut out, i64::from(*op as u8));
                Ok(())
            }
            Elem::Int(n) => {
                write_int(&mut out, *n);
                Ok(())
            }
            Elem::Float(f) if f.is_finite() => {
                serde_json::to_writer(&mut out, f).map_err(std::io::Error::other)
            }
            Elem::Float(_) => out.write_all(b"null"),
            Elem::Str(s) => serde_json::to_writer(&mut out, s).map_err(std::io::Error::other),
            Elem::Bool(b) => out.write_all(if *b { b"true" } else { b"false" }),
        };
    }
    out.push(b']');
    // Only UTF-8 was written: digits, JSON punctuation and serde_json's string output.
    String::from_utf8(out).unwrap_or_default()
}

/// Decimal digits of `n` (the formatting machinery costs more than the digits).
fn write_int(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_line_matches_serde_json() {
        let elems = vec![
            Elem::Str("_H".into()),
            Elem::Int(1),
            Elem::Op(Opcode::Integer, Span::new(0, 0)),
            Elem::Int(i64::MIN),
            Elem::Int(i64::MAX),
            Elem::Int(-7),
            Elem::Int(0),
            Elem::Float(1.0),
            Elem::Float(-2.5e-300),
            Elem::Str("quote \" tab \t é \u{1}".into()),
            Elem::Bool(true),
        ];
        let via_values: Vec<String> = elems
            .iter()
            .map(|e| serde_json::to_string(&e.to_json()).unwrap_or_default())
            .collect();
        assert_eq!(
            write_json_line(&elems),
            format!("[{}]", via_values.join(", "))
        );
    }
}
