//! Expressions in Hog mode (hog-bytecode.md §11.5–§11.7, §11.9 for HogQLX tags), including the
//! calls PostHog inlines (`if`, `multiIf`, `ifNull`, `and`, `or`, `not`, `sql`).

use crate::code::{Code, Elem};
use crate::compiler::{Compiler, FnBody, Mode};
use crate::diagnostic::DiagnosticKind;
use crate::functions::stl_arity;
use hog_vm::opcode::Opcode;
use hogql_parser::ast::{
    ArithmeticOp, BetweenExpr, Call, ChainPart, CompareOp, Constant, Expr, ExprKind, HogQLXTag,
    HogQLXValue, LambdaBody, Span,
};

impl Compiler<'_> {
    pub fn expr(&mut self, e: &Expr) {
        if self.mode == Mode::Ast && !matches!(e.kind, ExprKind::Placeholder(_)) {
            return self.ast_node(e);
        }
        let span = e.span;
        match &e.kind {
            ExprKind::Constant(c) => self.constant(c, span),
            ExprKind::Field(f) => {
                let Some(head) = f.chain.first().and_then(ChainPart::as_name) else {
                    self.error(
                        DiagnosticKind::UnsupportedSyntax,
                        span,
                        "A field must start with a name",
                    );
                    return;
                };
                if self.load_variable(head, span) {
                    for part in &f.chain[1..] {
                        self.chain_key(part, span);
                        self.code.op(Opcode::GetProperty, span);
                    }
                    return;
                }
                self.check_global(head, span);
                for part in f.chain.iter().rev() {
                    // PostHog writes every chain element after `STRING`, integers included.
                    self.code.op(Opcode::String, span);
                    match part {
                        ChainPart::Name(n) => self.code.str(n.as_str()),
                        ChainPart::Index(i) => self.code.int(*i),
                    };
                }
                self.code
                    .op_n(Opcode::GetGlobal, f.chain.len() as i64, span);
            }
            ExprKind::Placeholder(inner) => {
                if self.mode == Mode::Ast {
                    self.mode = Mode::Hog;
                    self.expr(inner);
                    self.mode = Mode::Ast;
                } else {
                    self.error(
                        DiagnosticKind::PlaceholderNotAllowed,
                        span,
                        "Placeholders are not allowed in this context",
                    );
                }
            }
            ExprKind::ArithmeticOperation(a) => {
                self.expr(&a.right);
                self.expr_above(&a.left, 1);
                self.code.op(arithmetic_opcode(a.op), span);
            }
            ExprKind::CompareOperation(c) => {
                let Some(op) = self.compare_opcode(c.op, &c.right, span) else {
                    return;
                };
                self.expr(&c.right);
                self.expr_above(&c.left, 1);
                self.code.op(op, span);
            }
            ExprKind::BetweenExpr(b) => self.between(b, span),
            ExprKind::And(items) | ExprKind::Or(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.expr_above(item, i);
                }
                let op = if matches!(e.kind, ExprKind::And(_)) {
                    Opcode::And
                } else {
                    Opcode::Or
                };
                self.code.op_n(op, items.len() as i64, span);
            }
            ExprKind::Not(inner) => {
                self.expr(inner);
                self.code.op(Opcode::Not, span);
            }
            ExprKind::Call(c) => self.call(c, span),
            ExprKind::ExprCall(c) => {
                for (i, a) in c.args.iter().enumerate() {
                    self.expr_above(a, i);
                }
                self.expr_above(&c.expr, c.args.len());
                self.code.op_n(Opcode::CallLocal, c.args.len() as i64, span);
            }
            ExprKind::Lambda(l) => {
                let body = match &l.body {
                    LambdaBody::Expr(e) => FnBody::Expr(e),
                    LambdaBody::Block(b) => FnBody::Block(b),
                };
                self.function("lambda", &l.args, body, span);
            }
            ExprKind::Array(items) | ExprKind::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.expr_above(item, i);
                }
                let op = if matches!(e.kind, ExprKind::Array(_)) {
                    Opcode::Array
                } else {
                    Opcode::Tuple
                };
                self.code.op_n(op, items.len() as i64, span);
            }
            ExprKind::Dict(items) => {
                for (i, (k, v)) in items.iter().enumerate() {
                    self.expr_above(k, 2 * i);
                    self.expr_above(v, 2 * i + 1);
                }
                self.code.op_n(Opcode::Dict, items.len() as i64, span);
            }
            ExprKind::ArrayAccess(a) => {
                if matches!(a.property.kind, ExprKind::Constant(Constant::Int(0))) {
                    self.error(
                        DiagnosticKind::ArrayIndexZero,
                        a.property.span,
                        "Array access starts from 1",
                    );
                }
                self.expr(&a.array);
                self.expr_above(&a.property, 1);
                self.code.op(get_property(a.nullish), span);
            }
            ExprKind::TupleAccess(t) => {
                self.expr(&t.tuple);
                self.code
                    .op_n(Opcode::Integer, t.index, span)
                    .op(get_property(t.nullish), span);
            }
            ExprKind::SelectQuery(_) | ExprKind::SelectSetQuery(_) => {
                let prev = self.mode;
                self.mode = Mode::Ast;
                self.ast_node(e);
                self.mode = prev;
            }
            ExprKind::HogQLXTag(t) => self.hogqlx_tag(t, span),
            other => {
                let what = match other {
                    ExprKind::Alias(_) => "`AS` aliases",
                    ExprKind::WindowFunction(_) => "window functions",
                    ExprKind::ArraySlice(_) => "array slices `a[x:y]`",
                    ExprKind::TypeCast(_) => "type casts (`::` / CAST)",
                    ExprKind::IsDistinctFrom(_) => "`IS DISTINCT FROM` / `<=>`",
                    ExprKind::PositionalRef(_) => "positional references `#n`",
                    _ => "this expression",
                };
                self.error(
                    DiagnosticKind::UnsupportedSyntax,
                    span,
                    format!("Hog does not support {what}"),
                );
            }
        }
    }

    pub fn constant(&mut self, c: &Constant, span: Span) {
        match c {
            Constant::Null => {
                self.code.op(Opcode::Null, span);
            }
            Constant::Bool(true) => {
                self.code.op(Opcode::True, span);
            }
            Constant::Bool(false) => {
                self.code.op(Opcode::False, span);
            }
            Constant::Int(i) => {
                self.code.op_n(Opcode::Integer, *i, span);
            }
            Constant::Float(f) if f.is_finite() => {
                self.code.op(Opcode::Float, span);
                self.code.elems.push(Elem::Float(*f));
            }
            Constant::Float(f) => {
                self.error(
                    DiagnosticKind::UnsupportedConstant,
                    span,
                    format!("Constant `{f}` can not be written in bytecode (JSON has no {f})"),
                );
            }
            Constant::BigInt(digits) => {
                self.error(
                    DiagnosticKind::UnsupportedConstant,
                    span,
                    format!("Integer constant {digits} does not fit in 64 bits"),
                );
            }
            Constant::String(s) => {
                self.code.string(s.as_str(), span);
            }
            _ => {
                self.error(
                    DiagnosticKind::UnsupportedConstant,
                    span,
                    "Constant type is not supported",
                );
            }
        };
    }

    fn compare_opcode(&mut self, op: CompareOp, right: &Expr, span: Span) -> Option<Opcode> {
        Some(match op {
            CompareOp::Eq => Opcode::Eq,
            CompareOp::NotEq => Opcode::NotEq,
            CompareOp::Lt => Opcode::Lt,
            CompareOp::LtEq => Opcode::LtEq,
            CompareOp::Gt => Opcode::Gt,
            CompareOp::GtEq => Opcode::GtEq,
            CompareOp::Like => Opcode::Like,
            CompareOp::ILike => Opcode::ILike,
            CompareOp::NotLike => Opcode::NotLike,
            CompareOp::NotILike => Opcode::NotILike,
            CompareOp::In => Opcode::In,
            CompareOp::NotIn => Opcode::NotIn,
            CompareOp::Regex => Opcode::Regex,
            CompareOp::NotRegex => Opcode::NotRegex,
            CompareOp::IRegex => Opcode::IRegex,
            CompareOp::NotIRegex => Opcode::NotIRegex,
            CompareOp::InCohort | CompareOp::NotInCohort => {
                let which = match &right.kind {
                    ExprKind::Constant(Constant::Int(i)) => format!(" (cohort id={i})"),
                    ExprKind::Constant(Constant::String(s)) => format!(" (cohort: {s})"),
                    _ => String::new(),
                };
                self.error(
                    DiagnosticKind::CohortUnsupported,
                    span,
                    format!(
                        "Can't use cohorts in real-time filters. Please inline the relevant expressions{which}."
                    ),
                );
                return None;
            }
            other => {
                self.error(
                    DiagnosticKind::UnsupportedSyntax,
                    span,
                    format!("Hog does not support the `{}` operator", other.symbol()),
                );
                return None;
            }
        })
    }

    /// `x [not] between lo and hi` through hidden stack slots, false when any operand is null
    /// (the encoding of corpus `between.hoge`). The slots are addressed by their real stack
    /// position: PostHog numbers them as if nothing but locals were on the stack, which breaks
    /// when the expression sits after other call arguments, in a `let` initialiser or inside a
    /// placeholder of `sql(...)`; for the cases PostHog gets right the output is identical.
    fn between(&mut self, b: &BetweenExpr, span: Span) {
        let result = self.cur().height() as i64;
        self.code.op(Opcode::Null, span);
        let (x, lo, hi) = (result + 1, result + 2, result + 3);
        self.expr_above(&b.expr, 1);
        self.expr_above(&b.low, 2);
        self.expr_above(&b.high, 3);
        for slot in [lo, hi, x] {
            self.code
                .op_n(Opcode::GetLocal, slot, span)
                .op(Opcode::Null, span)
                .op(Opcode::NotEq, span);
        }
        self.code
            .op_n(Opcode::And, 3, span)
            .op_n(Opcode::JumpIfFalse, 14, span);
        let (low_op, high_op, join) = if b.negated {
            (Opcode::Lt, Opcode::Gt, Opcode::Or)
        } else {
            (Opcode::GtEq, Opcode::LtEq, Opcode::And)
        };
        self.code
            .op_n(Opcode::GetLocal, lo, span)
            .op_n(Opcode::GetLocal, x, span)
            .op(low_op, span)
            .op_n(Opcode::GetLocal, hi, span)
            .op_n(Opcode::GetLocal, x, span)
            .op(high_op, span)
            .op_n(join, 2, span)
            .op_n(Opcode::Jump, 1, span)
            .op(Opcode::False, span)
            .op_n(Opcode::SetLocal, result, span)
            .op(Opcode::Pop, span)
            .op(Opcode::Pop, span)
            .op(Opcode::Pop, span);
    }

    /// Compiles `e` while `above` more values (operands already evaluated) sit on the stack.
    pub fn expr_above(&mut self, e: &Expr, above: usize) {
        self.cur().temps += above;
        self.expr(e);
        let f = self.cur();
        f.temps = f.temps.saturating_sub(above);
    }

    /// `cond, JUMP_IF_FALSE, then[, JUMP, else]` for the inlined `if(…)`.
    fn if_expr(&mut self, cond: &Expr, then: &Expr, else_: Option<&Expr>, span: Span) {
        self.expr(cond);
        let skip_then = self.code.jump_forward(Opcode::JumpIfFalse, span);
        self.expr(then);
        match else_ {
            Some(e) => {
                let skip_else = self.code.jump_forward(Opcode::Jump, span);
                self.code.land(skip_then);
                self.expr(e);
                self.code.land(skip_else);
            }
            None => self.code.land(skip_then),
        }
    }

    /// A call by name (hog-bytecode.md §11.5, §11.6).
    fn call(&mut self, c: &Call, span: Span) {
        let argc = c.args.len();
        match c.name.as_str() {
            "not" if argc == 1 => {
                self.expr(&c.args[0]);
                self.code.op(Opcode::Not, span);
                return;
            }
            "and" | "or" if argc > 1 => {
                for (i, a) in c.args.iter().enumerate() {
                    self.expr_above(a, i);
                }
                let op = if c.name == "and" {
                    Opcode::And
                } else {
                    Opcode::Or
                };
                self.code.op_n(op, argc as i64, span);
                return;
            }
            "if" if argc >= 2 => {
                let else_ = (argc == 3).then(|| &c.args[2]);
                return self.if_expr(&c.args[0], &c.args[1], else_, span);
            }
            "multiIf" if argc >= 2 => {
                if argc <= 3 {
                    let else_ = (argc == 3).then(|| &c.args[2]);
                    return self.if_expr(&c.args[0], &c.args[1], else_, span);
                }
                // PostHog compiles it from the back (the default first, then each (condition,
                // value) pair, last pair first) and nests the pairs front to back.
                let mut prev =
                    (argc % 2 == 1).then(|| self.detached(|s| s.expr(&c.args[argc - 1])));
                let mut i = argc - 2 - (argc % 2);
                loop {
                    let cond = self.detached(|s| s.expr(&c.args[i]));
                    let then = self.detached(|s| s.expr(&c.args[i + 1]));
                    prev = Some(if_code(cond, then, prev, span));
                    if i < 2 {
                        break;
                    }
                    i -= 2;
                }
                self.code.append(prev.unwrap_or_default());
                return;
            }
            "ifNull" if argc == 2 => {
                self.expr(&c.args[0]);
                let skip = self.code.jump_forward(Opcode::JumpIfStackNotNull, span);
                self.code.op(Opcode::Pop, span);
                self.expr(&c.args[1]);
                self.code.land(skip);
                return;
            }
            "sql" if argc == 1 => {
                let prev = self.mode;
                self.mode = Mode::Ast;
                self.expr(&c.args[0]);
                self.mode = prev;
                return;
            }
            _ => {}
        }
        // `f(params)(args)`: call `f(params)`, then call its result with `args`. PostHog
        // compiles the inner call first and emits it after the outer arguments.
        let first = c.params.as_ref().unwrap_or(&c.args);
        // With parameters, the outer arguments are pushed (at run time) below these.
        let below = if c.params.is_some() { argc } else { 0 };
        let inner_start = self.code.len();
        for (i, a) in first.iter().enumerate() {
            self.expr_above(a, below + i);
        }
        if self.load_variable(&c.name, span) {
            self.code.op_n(Opcode::CallLocal, first.len() as i64, span);
        } else {
            self.check_function(&c.name, first.len(), span);
            self.code.call_global(&c.name, first.len(), span);
        }
        if c.params.is_some() {
            let inner = self.code.split_off(inner_start);
            for (i, a) in c.args.iter().enumerate() {
                self.expr_above(a, i);
            }
            self.code.append(inner);
            self.code.op_n(Opcode::CallLocal, argc as i64, span);
        }
    }

    /// Compile-time checks of a call to a global function: unknown names warn, wrong argument
    /// counts of known STL functions are errors (they would fail every time at run time).
    fn check_function(&mut self, name: &str, argc: usize, span: Span) {
        if let Some(h) = self.options.host_functions.iter().find(|h| h.name == name) {
            if let Some(msg) = h.arity.check(name, argc) {
                self.error(DiagnosticKind::WrongArity, span, msg);
            }
            return;
        }
        if let Some(arity) = stl_arity(name) {
            if let Some(msg) = arity.check(name, argc) {
                self.error(DiagnosticKind::WrongArity, span, msg);
            }
            return;
        }
        if self.options.globals.iter().any(|g| g == name) {
            return;
        }
        self.warn(
            DiagnosticKind::UnknownFunction,
            span,
            format!("Hog function `{name}` is not implemented"),
        );
    }

    /// Warns about a global the host does not declare (only when the host declared its globals).
    fn check_global(&mut self, name: &str, span: Span) {
        if !self.options.check_globals || self.options.globals.iter().any(|g| g == name) {
            return;
        }
        // A function used as a value (`let f := base64Encode`) is a global too.
        if stl_arity(name).is_some() || self.options.host_functions.iter().any(|h| h.name == name) {
            return;
        }
        self.warn(
            DiagnosticKind::UnknownGlobal,
            span,
            format!("Unknown global variable: {name}"),
        );
    }

    /// `<Tag a={…}>…</Tag>`: a call of a local `Tag` with the attributes as one dict, or a dict
    /// `{'__hx_tag': 'Tag', …}`.
    pub fn hogqlx_tag(&mut self, t: &HogQLXTag, span: Span) {
        let callable =
            self.cur().resolve_local(&t.kind).is_some() || self.resolve_upvalue(&t.kind).is_some();
        if !callable {
            self.code
                .string("__hx_tag", span)
                .string(t.kind.as_str(), span);
        }
        let first = if callable { 0 } else { 2 };
        for (i, attr) in t.attributes.iter().enumerate() {
            let above = first + 2 * i + 1;
            self.code.string(attr.name.as_str(), attr.span);
            match &attr.value {
                HogQLXValue::Expr(e) => self.expr_above(e, above),
                HogQLXValue::Children(items) => {
                    for (j, item) in items.iter().enumerate() {
                        self.expr_above(item, above + j);
                    }
                    self.code.op_n(Opcode::Array, items.len() as i64, attr.span);
                }
            };
        }
        if callable {
            self.code
                .op_n(Opcode::Dict, t.attributes.len() as i64, span);
            self.load_variable(&t.kind, span);
            self.code.op_n(Opcode::CallLocal, 1, span);
        } else {
            self.code
                .op_n(Opcode::Dict, t.attributes.len() as i64 + 1, span);
        }
    }
}

/// `c, JUMP_IF_FALSE, then[, JUMP, else]`.
fn if_code(cond: Code, then: Code, else_: Option<Code>, span: Span) -> Code {
    let mut code = cond;
    let extra = if else_.is_some() { 2 } else { 0 };
    code.op_n(Opcode::JumpIfFalse, then.ilen() + extra, span);
    code.append(then);
    if let Some(e) = else_ {
        code.op_n(Opcode::Jump, e.ilen(), span);
        code.append(e);
    }
    code
}

fn arithmetic_opcode(op: ArithmeticOp) -> Opcode {
    match op {
        ArithmeticOp::Add => Opcode::Plus,
        ArithmeticOp::Sub => Opcode::Minus,
        ArithmeticOp::Mult => Opcode::Multiply,
        ArithmeticOp::Div => Opcode::Divide,
        ArithmeticOp::Mod => Opcode::Mod,
    }
}

fn get_property(nullish: bool) -> Opcode {
    if nullish {
        Opcode::GetPropertyNullish
    } else {
        Opcode::GetProperty
    }
}
