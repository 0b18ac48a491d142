//! Bytecode under construction: a flat list of elements, each opcode tagged with the source span
//! it was compiled from.
//!
//! PostHog's compiler builds every construct as a separate list and splices them together, using
//! the lengths of the parts for jump offsets. We do the same (the offsets must match byte for
//! byte), so [`Code`] is cheap to append to another `Code`. Spans ride on the opcode elements, so
//! splicing never has to renumber a side table; the source map is extracted once at the end.

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
/// `", "` between elements), which is also valid JSON.
pub fn write_json_line(elems: &[serde_json::Value]) -> String {
    let mut out = String::with_capacity(elems.len() * 4 + 2);
    out.push('[');
    for (i, e) in elems.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        // Serialising a `serde_json::Value` cannot fail (no maps with non-string keys here).
        out.push_str(&serde_json::to_string(e).unwrap_or_else(|_| "null".into()));
    }
    out.push(']');
    out
}
