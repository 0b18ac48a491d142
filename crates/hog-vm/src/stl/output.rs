//! `print`: one output line per call, arguments in print format joined by a space.

use super::{NativeCtx, NativeDef, VARIADIC};
use crate::{Value, VmError};

pub(crate) const FUNCTIONS: &[NativeDef] = &[NativeDef {
    name: "print",
    min_args: 0,
    max_args: VARIADIC,
    call: print,
}];

fn print(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    let mut line = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        let budget = ctx.text_budget();
        crate::print::write_display(&mut line, arg, budget).map_err(|e| ctx.remap(e))?;
    }
    ctx.print_line(&line);
    Ok(Value::Null)
}
