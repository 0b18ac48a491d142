//! Loading and verifying bytecode.
//!
//! PostHog's bytecode is a flat JSON array of opcodes and inline operands. Loading decodes it
//! once into a dense instruction array ([`Op`], 16 bytes, `Copy`) so the interpreter never looks
//! at JSON again, and verifies it on the way: every opcode is known, every operand has the right
//! JSON type and range, every jump, `TRY` and `CALLABLE` body lands on an instruction boundary
//! inside the chunk. Anything else is a [`VmError::Bytecode`] naming the element index — never
//! a panic. What cannot be checked statically (stack depth, local indexes against the live
//! stack) is checked by the interpreter at run time.
//!
//! Jump operands are converted from PostHog's element offsets to instruction indexes.

use crate::VmError;
use crate::opcode::Opcode;
use crate::value::{HogStr, Value};
use serde_json::Value as Json;
use std::rc::Rc;

/// A decoded instruction. Operands that are names or constants index the chunk's tables;
/// jump targets are instruction indexes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    GetGlobal(u32),
    /// `call` indexes [`Chunk::calls`].
    CallGlobal {
        call: u32,
        argc: u32,
    },
    And(u32),
    Or(u32),
    Not,
    Plus,
    Minus,
    Multiply,
    Divide,
    Mod,
    Eq,
    NotEq,
    Gt,
    GtEq,
    Lt,
    LtEq,
    Like,
    ILike,
    NotLike,
    NotILike,
    In,
    NotIn,
    Regex,
    NotRegex,
    IRegex,
    NotIRegex,
    InCohort,
    NotInCohort,
    True,
    False,
    Null,
    /// Push `consts[i]`.
    Const(u32),
    Int(i64),
    Float(f64),
    Pop,
    GetLocal(u32),
    SetLocal(u32),
    Return,
    Jump(u32),
    JumpIfFalse(u32),
    /// Legacy: `declares[i]`.
    DeclareFn(u32),
    Dict(u32),
    Array(u32),
    Tuple(u32),
    GetProperty,
    SetProperty,
    JumpIfStackNotNull(u32),
    GetPropertyNullish,
    Throw,
    /// Catch code at this instruction index.
    Try(u32),
    PopTry,
    /// `callables[i]`.
    Callable(u32),
    /// `closures[i]`: the (isLocal, index) capture list.
    Closure(u32),
    CallLocal(u32),
    GetUpvalue(u32),
    SetUpvalue(u32),
    CloseUpvalue,
    /// A JSON `null` in opcode position (the Node VM skips it).
    Nop,
}

/// A function body declared by `CALLABLE`.
#[derive(Clone, Debug)]
pub(crate) struct CallableDef {
    pub name: HogStr,
    pub arg_count: u32,
    pub upvalue_count: u32,
    /// First body instruction.
    pub body: u32,
    /// First instruction after the body (where `CALLABLE` continues).
    pub end: u32,
}

/// A legacy `DECLARE_FN` (version 0).
#[derive(Clone, Debug)]
pub(crate) struct DeclareDef {
    pub name: HogStr,
    pub arg_count: u32,
    pub body: u32,
    pub end: u32,
}

/// One chunk: a decoded bytecode array.
#[derive(Debug)]
pub struct Chunk {
    pub name: String,
    /// 1 (`_H`, arguments in source order) or 0 (`_h`, arguments reversed).
    pub version: u8,
    pub(crate) ops: Vec<Op>,
    /// Element index (in the JSON array) of each instruction, for disassembly and errors.
    pub(crate) positions: Vec<u32>,
    pub(crate) consts: Vec<Value>,
    /// `CALL_GLOBAL` names, one per call site.
    pub(crate) calls: Vec<HogStr>,
    pub(crate) callables: Vec<CallableDef>,
    pub(crate) closures: Vec<Vec<(bool, u32)>>,
    pub(crate) declares: Vec<DeclareDef>,
    /// Number of JSON elements.
    pub(crate) len: usize,
}

impl Chunk {
    /// Number of decoded instructions.
    pub fn instruction_count(&self) -> usize {
        self.ops.len()
    }
}

/// A loaded, verified program: the root chunk plus bytecode-STL chunks loaded on demand.
#[derive(Debug)]
pub struct Program {
    pub(crate) chunks: Vec<Rc<Chunk>>,
}

impl Program {
    /// Loads bytecode from JSON text (a `.hoge` file).
    pub fn from_json_str(text: &str) -> Result<Program, VmError> {
        let json: Json = serde_json::from_str(text)
            .map_err(|e| VmError::bytecode(format!("Invalid bytecode JSON: {e}"), None))?;
        Program::from_json(&json)
    }

    /// Loads bytecode from a parsed JSON value.
    pub fn from_json(json: &Json) -> Result<Program, VmError> {
        let Json::Array(elements) = json else {
            return Err(VmError::bytecode(
                "Invalid HogQL bytecode, must be a JSON array",
                None,
            ));
        };
        let chunk = decode_chunk("root", elements, true)?;
        Ok(Program {
            chunks: vec![Rc::new(chunk)],
        })
    }

    /// The root chunk.
    pub fn root(&self) -> &Chunk {
        &self.chunks[0] // constructed with the root at index 0, never removed
    }

    /// All chunks loaded so far (root first).
    pub fn chunks(&self) -> impl Iterator<Item = &Chunk> {
        self.chunks.iter().map(|c| &**c)
    }
}

/// Decodes and verifies one chunk. `with_header`: the array starts with `_H`/`_h`
/// (program/module chunks); bytecode-STL chunks have none.
pub(crate) fn decode_chunk(
    name: &str,
    elements: &[Json],
    with_header: bool,
) -> Result<Chunk, VmError> {
    let (version, start) = if with_header {
        match elements.first() {
            Some(Json::String(s)) if s == "_H" => {
                let version = match elements.get(1) {
                    Some(Json::Number(n)) if n.as_f64() == Some(0.0) => 0,
                    _ => 1,
                };
                (version, 2)
            }
            Some(Json::String(s)) if s == "_h" => (0, 1),
            _ => {
                return Err(VmError::bytecode(
                    "Invalid HogQL bytecode, must start with '_H'",
                    Some(0),
                ));
            }
        }
    } else {
        (1, 0)
    };
    if elements.len() > u32::MAX as usize / 2 {
        return Err(VmError::bytecode("Bytecode too large", None));
    }
    let mut chunk = Chunk {
        name: name.to_owned(),
        version,
        ops: Vec::with_capacity(elements.len() / 2),
        positions: Vec::with_capacity(elements.len() / 2),
        consts: Vec::new(),
        calls: Vec::new(),
        callables: Vec::new(),
        closures: Vec::new(),
        declares: Vec::new(),
        len: elements.len(),
    };
    // Jump-like operands are first recorded as element indexes, then mapped to instructions.
    let mut fixups: Vec<Fixup> = Vec::new();
    let mut i = start.min(elements.len());
    while i < elements.len() {
        let at = i;
        let opcode = match &elements[i] {
            Json::Null => {
                push(&mut chunk, Op::Nop, at);
                i += 1;
                continue;
            }
            Json::Number(n) => n.as_i64().and_then(Opcode::from_number),
            _ => None,
        };
        let Some(opcode) = opcode else {
            return Err(VmError::bytecode(
                format!(
                    "Unexpected node while running bytecode in chunk \"{name}\": {}",
                    elements[i]
                ),
                Some(at),
            ));
        };
        i += 1;
        let mut r = Reader { elements, i, name };
        let op = match opcode {
            Opcode::GetGlobal => Op::GetGlobal(r.count()?),
            Opcode::CallGlobal => {
                let fname = r.name()?;
                let argc = r.count()?;
                chunk.calls.push(fname);
                Op::CallGlobal {
                    call: (chunk.calls.len() - 1) as u32,
                    argc,
                }
            }
            Opcode::And => Op::And(r.count()?),
            Opcode::Or => Op::Or(r.count()?),
            Opcode::Not => Op::Not,
            Opcode::Plus => Op::Plus,
            Opcode::Minus => Op::Minus,
            Opcode::Multiply => Op::Multiply,
            Opcode::Divide => Op::Divide,
            Opcode::Mod => Op::Mod,
            Opcode::Eq => Op::Eq,
            Opcode::NotEq => Op::NotEq,
            Opcode::Gt => Op::Gt,
            Opcode::GtEq => Op::GtEq,
            Opcode::Lt => Op::Lt,
            Opcode::LtEq => Op::LtEq,
            Opcode::Like => Op::Like,
            Opcode::ILike => Op::ILike,
            Opcode::NotLike => Op::NotLike,
            Opcode::NotILike => Op::NotILike,
            Opcode::In => Op::In,
            Opcode::NotIn => Op::NotIn,
            Opcode::Regex => Op::Regex,
            Opcode::NotRegex => Op::NotRegex,
            Opcode::IRegex => Op::IRegex,
            Opcode::NotIRegex => Op::NotIRegex,
            Opcode::InCohort => Op::InCohort,
            Opcode::NotInCohort => Op::NotInCohort,
            Opcode::True => Op::True,
            Opcode::False => Op::False,
            Opcode::Null => Op::Null,
            Opcode::String | Opcode::Integer | Opcode::Float => {
                let lit = r.literal()?;
                literal_op(&mut chunk, opcode, lit)
            }
            Opcode::Pop => Op::Pop,
            Opcode::GetLocal => Op::GetLocal(r.count()?),
            Opcode::SetLocal => Op::SetLocal(r.count()?),
            Opcode::Return => Op::Return,
            Opcode::Jump | Opcode::JumpIfFalse | Opcode::JumpIfStackNotNull => {
                let off = r.offset()?;
                let target = r.i as i64 + off;
                fixups.push(Fixup {
                    op: chunk.ops.len(),
                    target,
                    at,
                });
                match opcode {
                    Opcode::Jump => Op::Jump(0),
                    Opcode::JumpIfFalse => Op::JumpIfFalse(0),
                    _ => Op::JumpIfStackNotNull(0),
                }
            }
            Opcode::Try => {
                let off = r.offset()?;
                fixups.push(Fixup {
                    op: chunk.ops.len(),
                    target: at as i64 + 1 + off,
                    at,
                });
                Op::Try(0)
            }
            Opcode::PopTry => Op::PopTry,
            Opcode::DeclareFn => {
                let fname = r.name()?;
                let arg_count = r.count()?;
                let body_len = r.count()?;
                let body_end = r.i as i64 + body_len as i64;
                fixups.push(Fixup {
                    op: chunk.ops.len(),
                    target: body_end,
                    at,
                });
                chunk.declares.push(DeclareDef {
                    name: fname,
                    arg_count,
                    body: 0,
                    end: 0,
                });
                Op::DeclareFn((chunk.declares.len() - 1) as u32)
            }
            Opcode::Dict => Op::Dict(r.count()?),
            Opcode::Array => Op::Array(r.count()?),
            Opcode::Tuple => Op::Tuple(r.count()?),
            Opcode::GetProperty => Op::GetProperty,
            Opcode::SetProperty => Op::SetProperty,
            Opcode::GetPropertyNullish => Op::GetPropertyNullish,
            Opcode::Throw => Op::Throw,
            Opcode::Callable => {
                let fname = r.name()?;
                let arg_count = r.count()?;
                let upvalue_count = r.count()?;
                let body_len = r.count()?;
                let body_end = r.i as i64 + body_len as i64;
                fixups.push(Fixup {
                    op: chunk.ops.len(),
                    target: body_end,
                    at,
                });
                chunk.callables.push(CallableDef {
                    name: fname,
                    arg_count,
                    upvalue_count,
                    body: 0,
                    end: 0,
                });
                Op::Callable((chunk.callables.len() - 1) as u32)
            }
            Opcode::Closure => {
                let n = r.count()?;
                let mut captures = Vec::with_capacity((n as usize).min(1024));
                for _ in 0..n {
                    let is_local = r.boolean()?;
                    let index = r.count()?;
                    captures.push((is_local, index));
                }
                chunk.closures.push(captures);
                Op::Closure((chunk.closures.len() - 1) as u32)
            }
            Opcode::CallLocal => Op::CallLocal(r.count()?),
            Opcode::GetUpvalue => Op::GetUpvalue(r.count()?),
            Opcode::SetUpvalue => Op::SetUpvalue(r.count()?),
            Opcode::CloseUpvalue => Op::CloseUpvalue,
        };
        i = r.i;
        push(&mut chunk, op, at);
    }

    // Map element indexes to instruction indexes; the end of the chunk is a valid target.
    let mut boundary = vec![u32::MAX; elements.len() + 1];
    for (op_index, &pos) in chunk.positions.iter().enumerate() {
        boundary[pos as usize] = op_index as u32;
    }
    boundary[elements.len()] = chunk.ops.len() as u32;
    for f in fixups {
        let target = usize::try_from(f.target)
            .ok()
            .and_then(|t| boundary.get(t).copied())
            .filter(|&t| t != u32::MAX)
            .ok_or_else(|| {
                VmError::bytecode(
                    format!(
                        "Invalid jump target {} in chunk \"{name}\": not the start of an instruction",
                        f.target
                    ),
                    Some(f.at),
                )
            })?;
        match &mut chunk.ops[f.op] {
            Op::Jump(t) | Op::JumpIfFalse(t) | Op::JumpIfStackNotNull(t) | Op::Try(t) => {
                *t = target
            }
            Op::Callable(c) => {
                let def = &mut chunk.callables[*c as usize];
                def.body = f.op as u32 + 1;
                def.end = target;
                if target < def.body {
                    return Err(VmError::bytecode(
                        "Invalid function body length",
                        Some(f.at),
                    ));
                }
            }
            Op::DeclareFn(d) => {
                let def = &mut chunk.declares[*d as usize];
                def.body = f.op as u32 + 1;
                def.end = target;
                if target < def.body {
                    return Err(VmError::bytecode(
                        "Invalid function body length",
                        Some(f.at),
                    ));
                }
            }
            _ => {
                return Err(VmError::bytecode(
                    "internal: fixup on a non-jump",
                    Some(f.at),
                ));
            }
        }
    }
    Ok(chunk)
}

struct Fixup {
    op: usize,
    target: i64,
    at: usize,
}

fn push(chunk: &mut Chunk, op: Op, at: usize) {
    chunk.ops.push(op);
    chunk.positions.push(at as u32);
}

/// A scalar literal operand, pushed verbatim whatever its JSON type.
enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(HogStr),
}

fn literal_op(chunk: &mut Chunk, opcode: Opcode, lit: Literal) -> Op {
    match lit {
        Literal::Null => Op::Null,
        Literal::Bool(true) => Op::True,
        Literal::Bool(false) => Op::False,
        Literal::Int(i) if opcode == Opcode::Float => Op::Float(i as f64),
        Literal::Int(i) => Op::Int(i),
        Literal::Float(f) => Op::Float(f),
        Literal::Str(s) => {
            chunk.consts.push(Value::Str(s));
            Op::Const((chunk.consts.len() - 1) as u32)
        }
    }
}

struct Reader<'a> {
    elements: &'a [Json],
    i: usize,
    name: &'a str,
}

impl Reader<'_> {
    fn next(&mut self) -> Result<&Json, VmError> {
        let at = self.i;
        let v = self
            .elements
            .get(at)
            .ok_or_else(|| VmError::bytecode("Unexpected end of bytecode", Some(at)))?;
        self.i += 1;
        Ok(v)
    }

    fn bad(&self, what: &str, got: &Json) -> VmError {
        VmError::bytecode(
            format!(
                "Invalid operand in chunk \"{}\": expected {what}, got {got}",
                self.name
            ),
            Some(self.i - 1),
        )
    }

    fn count(&mut self) -> Result<u32, VmError> {
        let v = self.next()?.clone();
        v.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n < u32::MAX / 2)
            .ok_or_else(|| self.bad("a non-negative integer", &v))
    }

    fn offset(&mut self) -> Result<i64, VmError> {
        let v = self.next()?.clone();
        v.as_i64()
            .filter(|n| n.unsigned_abs() < u32::MAX as u64)
            .ok_or_else(|| self.bad("an integer offset", &v))
    }

    fn name(&mut self) -> Result<HogStr, VmError> {
        let v = self.next()?.clone();
        match v {
            Json::String(s) => Ok(s.into()),
            other => Err(self.bad("a string", &other)),
        }
    }

    fn boolean(&mut self) -> Result<bool, VmError> {
        let v = self.next()?.clone();
        v.as_bool().ok_or_else(|| self.bad("a boolean", &v))
    }

    fn literal(&mut self) -> Result<Literal, VmError> {
        let v = self.next()?.clone();
        Ok(match v {
            Json::Null => Literal::Null,
            Json::Bool(b) => Literal::Bool(b),
            Json::Number(n) => match n.as_i64() {
                Some(i) if !n.is_f64() => Literal::Int(i),
                _ => Literal::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Literal::Str(s.into()),
            other => return Err(self.bad("a string, number, boolean or null", &other)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Program, VmError> {
        Program::from_json_str(text)
    }

    #[test]
    fn decodes_jumps_to_instruction_indexes() {
        // 2 TRUE 3 JUMP_IF_FALSE 2 (→ 7) 5 INTEGER 1 7 NULL
        let p = load(r#"["_H", 1, 29, 40, 2, 33, 1, 31]"#).unwrap();
        assert_eq!(
            p.root().ops,
            vec![Op::True, Op::JumpIfFalse(3), Op::Int(1), Op::Null]
        );
    }

    #[test]
    fn rejects_hostile_bytecode() {
        for (text, needle) in [
            (r#"{}"#, "JSON array"),
            (r#"[]"#, "must start with '_H'"),
            (r#"["_X", 1]"#, "must start with '_H'"),
            (r#"["_H", 1, 99]"#, "Unexpected node"),
            (r#"["_H", 1, "x"]"#, "Unexpected node"),
            (r#"["_H", 1, 36]"#, "Unexpected end of bytecode"),
            (r#"["_H", 1, 36, -1]"#, "non-negative integer"),
            (r#"["_H", 1, 36, "a"]"#, "non-negative integer"),
            (
                r#"["_H", 1, 39, 1, 33, 5]"#,
                "not the start of an instruction",
            ),
            (r#"["_H", 1, 39, 100]"#, "not the start of an instruction"),
            (r#"["_H", 1, 39, -10]"#, "not the start of an instruction"),
            (
                r#"["_H", 1, 52, "f", 0, 0, 99]"#,
                "not the start of an instruction",
            ),
            (r#"["_H", 1, 53, 1, 1, 0]"#, "a boolean"),
            (r#"["_H", 1, 32, [1]]"#, "a string, number"),
            (r#"["_H", 1, 2, 5, 1]"#, "a string"),
            (r#"["_H", 1, 33, 1, 50, 1.5]"#, "integer offset"),
        ] {
            let err = load(text).expect_err(text).to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn legacy_header_and_literals() {
        let p = load(r#"["_h", 33, true, 34, 2, 32, "s", null]"#).unwrap();
        let root = p.root();
        assert_eq!(root.version, 0);
        assert_eq!(
            root.ops,
            vec![Op::True, Op::Float(2.0), Op::Const(0), Op::Nop]
        );
    }

    #[test]
    fn callable_bodies() {
        let p = load(r#"["_H", 1, 52, "f", 1, 0, 3, 36, 0, 38, 53, 0]"#).unwrap();
        let def = &p.root().callables[0];
        assert_eq!((def.body, def.end), (1, 3));
    }
}
