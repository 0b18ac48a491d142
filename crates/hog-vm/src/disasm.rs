//! The disassembler behind `hog disasm`: one instruction per line, with its element index in
//! the JSON array, PostHog's opcode name and decoded operands. Jump targets are shown as the
//! element index they land on; function bodies are indented under their `CALLABLE`.

use crate::print::write_quoted;
use crate::program::{Chunk, Op, Program};
use std::fmt::Write as _;

/// Disassembles every chunk of `program`.
pub fn disassemble(program: &Program) -> String {
    let mut out = String::new();
    for (i, chunk) in program.chunks().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        disassemble_chunk(chunk, &mut out);
    }
    out
}

/// Disassembles one chunk into `out`.
pub fn disassemble_chunk(chunk: &Chunk, out: &mut String) {
    let _ = writeln!(
        out,
        "; chunk {:?}, bytecode version {}, {} elements, {} instructions",
        chunk.name,
        chunk.version,
        chunk.len,
        chunk.ops.len()
    );
    // Indentation: one level per enclosing function body.
    let mut body_ends: Vec<u32> = Vec::new();
    let target = |t: u32| -> usize {
        chunk
            .positions
            .get(t as usize)
            .map(|&p| p as usize)
            .unwrap_or(chunk.len)
    };
    for (i, op) in chunk.ops.iter().enumerate() {
        while body_ends.last().is_some_and(|&end| end as usize <= i) {
            body_ends.pop();
        }
        let pos = chunk.positions[i];
        let _ = write!(out, "{pos:>6}  {}", "  ".repeat(body_ends.len()));
        let quoted = |s: &str| {
            let mut q = String::new();
            write_quoted(&mut q, s, '"');
            q
        };
        let text = match *op {
            Op::GetGlobal(n) => format!("GET_GLOBAL {n}"),
            Op::CallGlobal { call, argc } => {
                format!("CALL_GLOBAL {} {argc}", chunk.calls[call as usize].as_str())
            }
            Op::And(n) => format!("AND {n}"),
            Op::Or(n) => format!("OR {n}"),
            Op::Const(c) => match &chunk.consts[c as usize] {
                crate::Value::Str(s) => format!("STRING {}", quoted(s)),
                other => format!("STRING {other:?}"),
            },
            Op::Int(v) => format!("INTEGER {v}"),
            Op::Float(v) => format!("FLOAT {}", crate::print::format_number(v)),
            Op::GetLocal(n) => format!("GET_LOCAL {n}"),
            Op::SetLocal(n) => format!("SET_LOCAL {n}"),
            Op::Jump(t) => format!("JUMP → {}", target(t)),
            Op::JumpIfFalse(t) => format!("JUMP_IF_FALSE → {}", target(t)),
            Op::JumpIfStackNotNull(t) => format!("JUMP_IF_STACK_NOT_NULL → {}", target(t)),
            Op::Try(t) => format!("TRY catch → {}", target(t)),
            Op::DeclareFn(d) => {
                let def = &chunk.declares[d as usize];
                body_ends.push(def.end);
                format!(
                    "DECLARE_FN {} args={} (body to {})",
                    def.name.as_str(),
                    def.arg_count,
                    target(def.end)
                )
            }
            Op::Dict(n) => format!("DICT {n}"),
            Op::Array(n) => format!("ARRAY {n}"),
            Op::Tuple(n) => format!("TUPLE {n}"),
            Op::Callable(c) => {
                let def = &chunk.callables[c as usize];
                body_ends.push(def.end);
                format!(
                    "CALLABLE {} args={} upvalues={} (body to {})",
                    quoted(&def.name),
                    def.arg_count,
                    def.upvalue_count,
                    target(def.end)
                )
            }
            Op::Closure(c) => {
                let captures = &chunk.closures[c as usize];
                let mut s = format!("CLOSURE {}", captures.len());
                for (local, index) in captures {
                    let _ = write!(
                        s,
                        ", ({}, {index})",
                        if *local { "local" } else { "upvalue" }
                    );
                }
                s
            }
            Op::CallLocal(n) => format!("CALL_LOCAL {n}"),
            Op::GetUpvalue(n) => format!("GET_UPVALUE {n}"),
            Op::SetUpvalue(n) => format!("SET_UPVALUE {n}"),
            Op::Nop => "NOP (null)".to_owned(),
            other => simple_name(other).to_owned(),
        };
        out.push_str(&text);
        out.push('\n');
    }
}

fn simple_name(op: Op) -> &'static str {
    match op {
        Op::Not => "NOT",
        Op::Plus => "PLUS",
        Op::Minus => "MINUS",
        Op::Multiply => "MULTIPLY",
        Op::Divide => "DIVIDE",
        Op::Mod => "MOD",
        Op::Eq => "EQ",
        Op::NotEq => "NOT_EQ",
        Op::Gt => "GT",
        Op::GtEq => "GT_EQ",
        Op::Lt => "LT",
        Op::LtEq => "LT_EQ",
        Op::Like => "LIKE",
        Op::ILike => "ILIKE",
        Op::NotLike => "NOT_LIKE",
        Op::NotILike => "NOT_ILIKE",
        Op::In => "IN",
        Op::NotIn => "NOT_IN",
        Op::Regex => "REGEX",
        Op::NotRegex => "NOT_REGEX",
        Op::IRegex => "IREGEX",
        Op::NotIRegex => "NOT_IREGEX",
        Op::InCohort => "IN_COHORT",
        Op::NotInCohort => "NOT_IN_COHORT",
        Op::True => "TRUE",
        Op::False => "FALSE",
        Op::Null => "NULL",
        Op::Pop => "POP",
        Op::Return => "RETURN",
        Op::GetProperty => "GET_PROPERTY",
        Op::SetProperty => "SET_PROPERTY",
        Op::GetPropertyNullish => "GET_PROPERTY_NULLISH",
        Op::Throw => "THROW",
        Op::PopTry => "POP_TRY",
        Op::CloseUpvalue => "CLOSE_UPVALUE",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disassembles_upvalues_example() {
        let p = Program::from_json_str(
            r#"["_H", 1, 52, "returnCallable", 1, 0, 16, 52, "lambda", 1, 1, 6, 55, 0, 36, 0, 8, 38, 53, 1, true, 0, 38, 53, 0, 33, 2, 36, 0, 54, 1, 35]"#,
        )
        .unwrap();
        let text = disassemble(&p);
        let expected = r#"; chunk "root", bytecode version 1, 32 elements, 13 instructions
     2  CALLABLE "returnCallable" args=1 upvalues=0 (body to 23)
     7    CALLABLE "lambda" args=1 upvalues=1 (body to 18)
    12      GET_UPVALUE 0
    14      GET_LOCAL 0
    16      MULTIPLY
    17      RETURN
    18    CLOSURE 1, (local, 0)
    22    RETURN
    23  CLOSURE 0
    25  INTEGER 2
    27  GET_LOCAL 0
    29  CALL_LOCAL 1
    31  POP
"#;
        assert_eq!(text, expected);
    }
}
