//! The compiler proper: statements, blocks, functions and the scope bookkeeping around them.
//! Expressions are in `expr.rs`, SQL/HogQLX AST mode in `sql_ast.rs`.
//!
//! Each construct compiles to its own [`Code`] and is spliced into its parent, exactly in the
//! order PostHog's reference compiler visits the tree: the order matters beyond the jump offsets,
//! because upvalue indexes are handed out in order of first use.

use crate::CompileOptions;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::scope::FnState;
use hog_vm::opcode::Opcode;
use hogql_parser::ast::{Block, CatchClause, Expr, ExprKind, Span, Stmt, StmtKind};

/// Whether expressions are compiled to code that evaluates them (Hog) or to code that builds a
/// dict describing their syntax tree (inside `sql(...)` and `(select …)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Hog,
    Ast,
}

pub(crate) struct Compiler<'o> {
    /// The functions being compiled, outermost (the program) first.
    pub fns: Vec<FnState>,
    pub mode: Mode,
    pub diags: Vec<Diagnostic>,
    pub options: &'o CompileOptions,
}

impl<'o> Compiler<'o> {
    pub fn new(options: &'o CompileOptions) -> Self {
        Compiler {
            fns: vec![FnState::default()],
            mode: Mode::Hog,
            diags: Vec::new(),
            options,
        }
    }

    pub fn error(&mut self, kind: DiagnosticKind, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(kind, span, message));
    }

    pub fn warn(&mut self, kind: DiagnosticKind, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::warning(kind, span, message));
    }

    pub fn cur(&mut self) -> &mut FnState {
        // `fns` starts with the program's state and every push is paired with a pop.
        let last = self.fns.len() - 1;
        &mut self.fns[last]
    }

    // --------------------------------------------------------------------------------------------
    // Scopes and names
    // --------------------------------------------------------------------------------------------

    pub fn start_scope(&mut self) {
        self.cur().scope_depth += 1;
    }

    /// Leaves a scope: one `POP` (or `CLOSE_UPVALUE` for captured variables) per local declared
    /// in it, innermost first.
    pub fn end_scope(&mut self, span: Span) -> Code {
        let f = self.cur();
        f.scope_depth = f.scope_depth.saturating_sub(1);
        let depth = f.scope_depth;
        let mut code = Code::new();
        while let Some(l) = f.locals.last() {
            if l.depth <= depth {
                break;
            }
            let op = if l.captured {
                Opcode::CloseUpvalue
            } else {
                Opcode::Pop
            };
            code.op(op, span);
            f.locals.pop();
        }
        code
    }

    /// Declares a local in the current scope; a second declaration of the same name in the same
    /// scope is an error (the slot is still allocated, so later slots stay right).
    pub fn declare_local(&mut self, name: &str, span: Span) -> usize {
        if self.cur().declared_in_current_scope(name) {
            self.error(
                DiagnosticKind::AlreadyDeclared,
                span,
                format!("Variable `{name}` already declared in this scope"),
            );
        }
        self.cur().push_local(name)
    }

    /// Resolves `name` as an upvalue of function `level` (index into `fns`), capturing it from
    /// the enclosing functions as needed.
    pub fn resolve_upvalue_at(&mut self, level: usize, name: &str) -> Option<usize> {
        if level == 0 {
            return None;
        }
        let enclosing = level - 1;
        if let Some(i) = self.fns[enclosing].resolve_local(name) {
            self.fns[enclosing].locals[i].captured = true;
            return Some(self.fns[level].add_upvalue(i, true));
        }
        let up = self.resolve_upvalue_at(enclosing, name)?;
        Some(self.fns[level].add_upvalue(up, false))
    }

    pub fn resolve_upvalue(&mut self, name: &str) -> Option<usize> {
        self.resolve_upvalue_at(self.fns.len() - 1, name)
    }

    /// `GET_LOCAL i` / `GET_UPVALUE i` for a variable in scope, or `None` for a global.
    pub fn load_variable(&mut self, name: &str, span: Span) -> Option<Code> {
        let mut code = Code::new();
        if let Some(i) = self.cur().resolve_local(name) {
            code.op_n(Opcode::GetLocal, i as i64, span);
            return Some(code);
        }
        let up = self.resolve_upvalue(name)?;
        code.op_n(Opcode::GetUpvalue, up as i64, span);
        Some(code)
    }

    // --------------------------------------------------------------------------------------------
    // Program, blocks, statements
    // --------------------------------------------------------------------------------------------

    /// The top-level statements, as a block at depth 1 (their `let`s are locals of the root
    /// frame). In REPL mode the top-level locals stay on the stack for the next input.
    pub fn program(&mut self, decls: &[Stmt], span: Span) -> Code {
        self.start_scope();
        let mut code = Code::new();
        for s in decls {
            code.append(self.stmt(s));
        }
        if self.options.repl {
            let f = self.cur();
            f.scope_depth = f.scope_depth.saturating_sub(1);
        } else {
            code.append(self.end_scope(span));
        }
        code
    }

    /// A block; with `implicit_return` a `return null` is added as its last statement unless it
    /// already ends with `return` (function bodies).
    pub fn block(&mut self, block: &Block, implicit_return: bool) -> Code {
        self.start_scope();
        let mut code = Code::new();
        for s in &block.declarations {
            code.append(self.stmt(s));
        }
        if implicit_return && !ends_with_return(&block.declarations) {
            let at = Span::new(block.span.end.saturating_sub(1), block.span.end);
            code.op(Opcode::Null, at).op(Opcode::Return, at);
        }
        code.append(self.end_scope(block.span));
        code
    }

    pub fn stmt(&mut self, s: &Stmt) -> Code {
        let span = s.span;
        let mut code = Code::new();
        match &s.kind {
            StmtKind::VarDecl { name, expr } => {
                // Declared before its initialiser is compiled, so a lambda can call itself
                // through the variable (`let fib := n -> … fib(n - 1) …`).
                self.declare_local(name, span);
                match expr {
                    Some(e) => {
                        self.cur().pending += 1;
                        code.append(self.expr(e));
                        self.cur().pending -= 1;
                    }
                    None => {
                        code.op(Opcode::Null, span);
                    }
                };
            }
            StmtKind::Assign { left, right } => {
                code.append(self.assign(left, right, span));
            }
            StmtKind::Expr(None) => {}
            StmtKind::Expr(Some(e)) => {
                if let ExprKind::CompareOperation(c) = &e.kind
                    && c.op == hogql_parser::ast::CompareOp::Eq
                    && !c.is_null_style
                {
                    self.warn(
                        DiagnosticKind::EqualsAsAssignment,
                        span,
                        "You must use ':=' for assignment instead of '='.",
                    );
                }
                code.append(self.expr(e));
                code.op(Opcode::Pop, span);
            }
            StmtKind::Return(e) => {
                match e {
                    Some(e) => {
                        code.append(self.expr(e));
                    }
                    None => {
                        code.op(Opcode::Null, span);
                    }
                };
                code.op(Opcode::Return, span);
            }
            StmtKind::Throw(e) => {
                code.append(self.expr(e));
                code.op(Opcode::Throw, span);
            }
            StmtKind::If { cond, then, else_ } => {
                let c = self.expr(cond);
                let t = self.stmt(then);
                let e = else_.as_ref().map(|e| self.stmt(e));
                code.append(c);
                let extra = if e.is_some() { 2 } else { 0 };
                code.op_n(Opcode::JumpIfFalse, t.ilen() + extra, span);
                code.append(t);
                if let Some(e) = e {
                    code.op_n(Opcode::Jump, e.ilen(), span);
                    code.append(e);
                }
            }
            StmtKind::While { cond, body } => {
                let c = self.expr(cond);
                let b = self.stmt(body);
                code.append(c);
                code.op_n(Opcode::JumpIfFalse, b.ilen() + 2, span);
                code.append(b);
                let back = -code.ilen() - 2;
                code.op_n(Opcode::Jump, back, span);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                code.append(self.for_loop(
                    init.as_deref(),
                    cond.as_ref(),
                    step.as_deref(),
                    body,
                    span,
                ));
            }
            StmtKind::ForIn {
                key_var,
                value_var,
                expr,
                body,
            } => {
                code.append(self.for_in(key_var.as_deref(), value_var, expr, body, span));
            }
            StmtKind::Function { name, params, body } => {
                self.declare_local(name, span);
                code.append(self.function(name, params, FnBody::Block(body), span));
            }
            StmtKind::Block(b) => {
                code.append(self.block(b, false));
            }
            StmtKind::TryCatch {
                try_block,
                catches,
                finally,
            } => {
                code.append(self.try_catch(try_block, catches, finally.as_ref(), span));
            }
            _ => self.error(
                DiagnosticKind::UnsupportedSyntax,
                span,
                "This statement is not supported by the Hog compiler",
            ),
        }
        code
    }

    /// `target := value` (hog-bytecode.md §11.2).
    fn assign(&mut self, left: &Expr, right: &Expr, span: Span) -> Code {
        let mut code = Code::new();
        match &left.kind {
            ExprKind::TupleAccess(t) => {
                code.append(self.expr(&t.tuple));
                code.op_n(Opcode::Integer, t.index, left.span);
                code.append(self.expr_above(right, 2));
                code.op(Opcode::SetProperty, span);
            }
            ExprKind::ArrayAccess(a) => {
                code.append(self.expr(&a.array));
                code.append(self.expr_above(&a.property, 1));
                code.append(self.expr_above(right, 2));
                code.op(Opcode::SetProperty, span);
            }
            ExprKind::Field(f) if !f.chain.is_empty() => {
                let Some(name) = f.chain[0].as_name() else {
                    self.error(
                        DiagnosticKind::InvalidAssignTarget,
                        left.span,
                        "Can not assign to this type of expression",
                    );
                    return code;
                };
                let (get, set) = if let Some(i) = self.cur().resolve_local(name) {
                    ((Opcode::GetLocal, i), (Opcode::SetLocal, i))
                } else if let Some(u) = self.resolve_upvalue(name) {
                    ((Opcode::GetUpvalue, u), (Opcode::SetUpvalue, u))
                } else {
                    let d = Diagnostic::error(
                        DiagnosticKind::AssignToGlobal,
                        left.span,
                        format!(
                            "Variable \"{name}\" not declared in this scope. Can not assign to globals."
                        ),
                    )
                    .with_hint(format!("declare it first: `let {name} := …`"));
                    self.diags.push(d);
                    return code;
                };
                if f.chain.len() == 1 {
                    code.append(self.expr(right));
                    code.op_n(set.0, set.1 as i64, span);
                    return code;
                }
                code.op_n(get.0, get.1 as i64, left.span);
                let last = f.chain.len() - 1;
                for part in &f.chain[1..last] {
                    self.chain_key(&mut code, part, left.span);
                    code.op(Opcode::GetProperty, left.span);
                }
                self.chain_key(&mut code, &f.chain[last], left.span);
                code.append(self.expr_above(right, 2));
                code.op(Opcode::SetProperty, span);
            }
            _ => self.error(
                DiagnosticKind::InvalidAssignTarget,
                left.span,
                "Can not assign to this type of expression",
            ),
        }
        code
    }

    /// `STRING k` or `INTEGER k` for one element of a property chain.
    pub fn chain_key(&mut self, code: &mut Code, part: &hogql_parser::ast::ChainPart, span: Span) {
        match part {
            hogql_parser::ast::ChainPart::Name(n) => code.string(n.clone(), span),
            hogql_parser::ast::ChainPart::Index(i) => code.op_n(Opcode::Integer, *i, span),
        };
    }

    fn for_loop(
        &mut self,
        init: Option<&Stmt>,
        cond: Option<&Expr>,
        step: Option<&Stmt>,
        body: &Stmt,
        span: Span,
    ) -> Code {
        if init.is_some() {
            self.start_scope();
        }
        let i = init.map(|s| self.stmt(s)).unwrap_or_default();
        // PostHog emits nothing for a missing condition, leaving JUMP_IF_FALSE to pop whatever
        // is on the stack; we push `true` so `for (;;)` loops as written.
        let c = match cond {
            Some(c) => self.expr(c),
            None => {
                let mut c = Code::new();
                c.op(Opcode::True, span);
                c
            }
        };
        let s = step.map(|s| self.stmt(s)).unwrap_or_default();
        let b = self.stmt(body);
        let mut code = Code::new();
        let (il, cl, sl, bl) = (i.ilen(), c.ilen(), s.ilen(), b.ilen());
        let _ = il;
        code.append(i);
        code.append(c);
        code.op_n(Opcode::JumpIfFalse, bl + sl + 2, span);
        code.append(b);
        code.append(s);
        code.op_n(Opcode::Jump, -sl - bl - 2 - cl - 2, span);
        if init.is_some() {
            code.append(self.end_scope(span));
        }
        code
    }

    /// `for (let [k,] v in expr) body` (hog-bytecode.md §11.3).
    fn for_in(
        &mut self,
        key_var: Option<&str>,
        value_var: &str,
        expr: &Expr,
        body: &Stmt,
        span: Span,
    ) -> Code {
        let mut code = Code::new();
        self.start_scope();
        let expr_local = self.declare_local("__H_expr_H__", span) as i64;
        self.cur().pending += 1;
        code.append(self.expr(expr));
        self.cur().pending -= 1;
        let keys_local = key_var.map(|_| {
            let l = self.declare_local("__H_keys_H__", span) as i64;
            code.op_n(Opcode::GetLocal, expr_local, span)
                .call_global("keys", 1, span);
            l
        });
        let values_local = self.declare_local("__H_values_H__", span) as i64;
        code.op_n(Opcode::GetLocal, expr_local, span)
            .call_global("values", 1, span);
        let index_local = self.declare_local("__H_index_H__", span) as i64;
        code.op_n(Opcode::Integer, 1, span);
        let limit_local = self.declare_local("__H_limit_H__", span) as i64;
        code.op_n(Opcode::GetLocal, values_local, span)
            .call_global("length", 1, span);
        let key_local = key_var.map(|k| {
            let l = self.declare_local(k, span) as i64;
            code.op(Opcode::Null, span);
            l
        });
        let value_local = self.declare_local(value_var, span) as i64;
        code.op(Opcode::Null, span);

        let mut cond = Code::new();
        cond.op_n(Opcode::GetLocal, limit_local, span)
            .op_n(Opcode::GetLocal, index_local, span)
            .op(Opcode::LtEq, span);
        let mut b = Code::new();
        if let (Some(keys), Some(key)) = (keys_local, key_local) {
            b.op_n(Opcode::GetLocal, keys, span)
                .op_n(Opcode::GetLocal, index_local, span)
                .op(Opcode::GetProperty, span)
                .op_n(Opcode::SetLocal, key, span);
        }
        b.op_n(Opcode::GetLocal, values_local, span)
            .op_n(Opcode::GetLocal, index_local, span)
            .op(Opcode::GetProperty, span)
            .op_n(Opcode::SetLocal, value_local, span);
        b.append(self.stmt(body));
        let mut inc = Code::new();
        inc.op_n(Opcode::GetLocal, index_local, span)
            .op_n(Opcode::Integer, 1, span)
            .op(Opcode::Plus, span)
            .op_n(Opcode::SetLocal, index_local, span);
        let (cl, bl, il) = (cond.ilen(), b.ilen(), inc.ilen());
        code.append(cond);
        code.op_n(Opcode::JumpIfFalse, bl + il + 2, span);
        code.append(b);
        code.append(inc);
        code.op_n(Opcode::Jump, -il - bl - 2 - cl - 2, span);
        code.append(self.end_scope(span));
        code
    }

    /// `try … catch …` (hog-bytecode.md §11.8).
    fn try_catch(
        &mut self,
        try_block: &Block,
        catches: &[CatchClause],
        finally: Option<&Block>,
        span: Span,
    ) -> Code {
        let mut code = Code::new();
        if let Some(f) = finally {
            self.error(
                DiagnosticKind::FinallyUnsupported,
                f.span,
                "finally blocks are not yet supported",
            );
            return code;
        }
        if catches.is_empty() {
            self.error(
                DiagnosticKind::TryWithoutCatch,
                span,
                "try statement must have at least one catch block",
            );
            return code;
        }
        let t = self.block(try_block, false);
        code.op_n(Opcode::Try, t.ilen() + 4, span);
        code.append(t);
        code.op(Opcode::PopTry, span);

        let mut catches_code = Code::new();
        let mut end_jumps = Vec::new();
        self.start_scope();
        let e_local = self.declare_local("e", span) as i64;
        catches_code
            .op_n(Opcode::GetLocal, e_local, span)
            .string("type", span)
            .op(Opcode::GetProperty, span);
        let type_local = self.declare_local("type", span) as i64;
        for clause in catches {
            let var = clause.var.as_deref().unwrap_or("e");
            let ty = clause.error_type.as_deref().unwrap_or("Error");
            let cspan = clause.span;
            self.start_scope();
            let mut compare = Code::new();
            if ty != "Error" {
                compare
                    .string(ty, cspan)
                    .op_n(Opcode::GetLocal, type_local, cspan)
                    .op(Opcode::Eq, cspan);
            }
            let mut body = Code::new();
            if var != "e" {
                self.declare_local(var, cspan);
                body.op_n(Opcode::GetLocal, e_local, cspan);
            }
            body.append(self.block(&clause.body, false));
            body.append(self.end_scope(cspan));
            if ty == "Error" {
                catches_code.append(body);
            } else {
                catches_code.append(compare);
                // Skip this clause's code and its end jump. (PostHog subtracts the clause's
                // scope POPs here, which lands one element short when the clause binds a
                // variable other than `e`; identical output whenever it binds `e`.)
                catches_code.op_n(Opcode::JumpIfFalse, body.ilen() + 2, cspan);
                catches_code.append(body);
            }
            catches_code.op(Opcode::Jump, cspan);
            end_jumps.push(catches_code.len());
            catches_code.int(0);
        }
        catches_code.op(Opcode::Pop, span).op(Opcode::Throw, span);
        let end = self.end_scope(span);
        let target = catches_code.len() as i64;
        for pos in end_jumps {
            catches_code.elems[pos] = crate::code::Elem::Int(target - pos as i64 - 1);
        }
        catches_code.append(end);
        code.op_n(Opcode::Jump, catches_code.ilen(), span);
        code.append(catches_code);
        code
    }

    /// `CALLABLE name argc upvalues len, body, CLOSURE n (isLocal, index)…` for a function or
    /// lambda; the body is compiled by a fresh function state whose locals start with the
    /// parameters.
    pub fn function(
        &mut self,
        name: &str,
        params: &[String],
        body: FnBody<'_>,
        span: Span,
    ) -> Code {
        self.fns.push(FnState::with_params(params));
        let body_code = match body {
            FnBody::Block(b) => self.block(b, true),
            FnBody::Expr(e) => {
                let mut c = self.expr(e);
                c.op(Opcode::Return, e.span);
                c
            }
        };
        // Pushed just above; the program state is never popped.
        let state = self.fns.pop().unwrap_or_default();
        let mut code = Code::new();
        code.op(Opcode::Callable, span)
            .str(name)
            .count(params.len())
            .count(state.upvalues.len())
            .count(body_code.len());
        code.append(body_code);
        code.op_n(Opcode::Closure, state.upvalues.len() as i64, span);
        for u in &state.upvalues {
            code.boolean(u.is_local).count(u.index);
        }
        code
    }
}

/// The body of a function or lambda.
pub(crate) enum FnBody<'a> {
    Block(&'a Block),
    Expr(&'a Expr),
}

fn ends_with_return(decls: &[Stmt]) -> bool {
    matches!(
        decls.last(),
        Some(Stmt {
            kind: StmtKind::Return(_),
            ..
        })
    )
}
