//! The compiler proper: statements, blocks, functions and the scope bookkeeping around them.
//! Expressions are in `expr.rs`, SQL/HogQLX AST mode in `sql_ast.rs`.
//!
//! Every construct emits into one shared [`Code`], in the order PostHog's reference compiler
//! visits the tree: the order matters beyond the element order, because upvalue indexes are
//! handed out in order of first use. The few constructs PostHog compiles out of output order
//! (a `for` loop's step, `multiIf`, `f(params)(args)`) are compiled [`detached`](Compiler::detached)
//! and spliced in where they belong.

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
    /// The whole bytecode array so far; every construct emits into it.
    pub code: Code,
}

impl<'o> Compiler<'o> {
    /// A compiler whose code starts with `prefix` (the bytecode header).
    pub fn new(options: &'o CompileOptions, prefix: Code) -> Self {
        Compiler {
            fns: vec![FnState::default()],
            mode: Mode::Hog,
            diags: Vec::new(),
            options,
            code: prefix,
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

    /// Compiles with `f` now but returns the code instead of leaving it in place, for constructs
    /// PostHog compiles before the code that precedes them in the output.
    pub fn detached(&mut self, f: impl FnOnce(&mut Self)) -> Code {
        let start = self.code.len();
        f(self);
        self.code.split_off(start)
    }

    // --------------------------------------------------------------------------------------------
    // Scopes and names
    // --------------------------------------------------------------------------------------------

    pub fn start_scope(&mut self) {
        self.cur().scope_depth += 1;
    }

    /// Leaves a scope: one `POP` (or `CLOSE_UPVALUE` for captured variables) per local declared
    /// in it, innermost first.
    pub fn end_scope(&mut self, span: Span) {
        let last = self.fns.len() - 1;
        let f = &mut self.fns[last];
        f.scope_depth = f.scope_depth.saturating_sub(1);
        let depth = f.scope_depth;
        while let Some(l) = f.locals.last() {
            if l.depth <= depth {
                break;
            }
            let op = if l.captured {
                Opcode::CloseUpvalue
            } else {
                Opcode::Pop
            };
            self.code.op(op, span);
            f.pop_local();
        }
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

    /// Emits `GET_LOCAL i` / `GET_UPVALUE i` for a variable in scope; `false` (nothing emitted)
    /// for a global.
    pub fn load_variable(&mut self, name: &str, span: Span) -> bool {
        if let Some(i) = self.cur().resolve_local(name) {
            self.code.op_n(Opcode::GetLocal, i as i64, span);
            return true;
        }
        match self.resolve_upvalue(name) {
            Some(up) => {
                self.code.op_n(Opcode::GetUpvalue, up as i64, span);
                true
            }
            None => false,
        }
    }

    // --------------------------------------------------------------------------------------------
    // Program, blocks, statements
    // --------------------------------------------------------------------------------------------

    /// The top-level statements, as a block at depth 1 (their `let`s are locals of the root
    /// frame). In REPL mode the top-level locals stay on the stack for the next input.
    pub fn program(&mut self, decls: &[Stmt], span: Span) {
        self.start_scope();
        for s in decls {
            self.stmt(s);
        }
        if self.options.repl {
            let f = self.cur();
            f.scope_depth = f.scope_depth.saturating_sub(1);
        } else {
            self.end_scope(span);
        }
    }

    /// A block; with `implicit_return` a `return null` is added as its last statement unless it
    /// already ends with `return` (function bodies).
    pub fn block(&mut self, block: &Block, implicit_return: bool) {
        self.start_scope();
        for s in &block.declarations {
            self.stmt(s);
        }
        if implicit_return && !ends_with_return(&block.declarations) {
            let at = Span::new(block.span.end.saturating_sub(1), block.span.end);
            self.code.op(Opcode::Null, at).op(Opcode::Return, at);
        }
        self.end_scope(block.span);
    }

    pub fn stmt(&mut self, s: &Stmt) {
        let span = s.span;
        match &s.kind {
            StmtKind::VarDecl { name, expr } => {
                // Declared before its initialiser is compiled, so a lambda can call itself
                // through the variable (`let fib := n -> … fib(n - 1) …`).
                self.declare_local(name, span);
                match expr {
                    Some(e) => {
                        self.cur().pending += 1;
                        self.expr(e);
                        self.cur().pending -= 1;
                    }
                    None => {
                        self.code.op(Opcode::Null, span);
                    }
                };
            }
            StmtKind::Assign { left, right } => self.assign(left, right, span),
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
                self.expr(e);
                self.code.op(Opcode::Pop, span);
            }
            StmtKind::Return(e) => {
                match e {
                    Some(e) => self.expr(e),
                    None => {
                        self.code.op(Opcode::Null, span);
                    }
                };
                self.code.op(Opcode::Return, span);
            }
            StmtKind::Throw(e) => {
                self.expr(e);
                self.code.op(Opcode::Throw, span);
            }
            StmtKind::If { cond, then, else_ } => {
                self.expr(cond);
                let skip_then = self.code.jump_forward(Opcode::JumpIfFalse, span);
                self.stmt(then);
                match else_ {
                    Some(e) => {
                        let skip_else = self.code.jump_forward(Opcode::Jump, span);
                        self.code.land(skip_then);
                        self.stmt(e);
                        self.code.land(skip_else);
                    }
                    None => self.code.land(skip_then),
                }
            }
            StmtKind::While { cond, body } => {
                let start = self.code.len();
                self.expr(cond);
                let exit = self.code.jump_forward(Opcode::JumpIfFalse, span);
                self.stmt(body);
                self.code.jump_back(Opcode::Jump, start, span);
                self.code.land(exit);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => self.for_loop(init.as_deref(), cond.as_ref(), step.as_deref(), body, span),
            StmtKind::ForIn {
                key_var,
                value_var,
                expr,
                body,
            } => self.for_in(key_var.as_deref(), value_var, expr, body, span),
            StmtKind::Function { name, params, body } => {
                self.declare_local(name, span);
                self.function(name, params, FnBody::Block(body), span);
            }
            StmtKind::Block(b) => self.block(b, false),
            StmtKind::TryCatch {
                try_block,
                catches,
                finally,
            } => self.try_catch(try_block, catches, finally.as_ref(), span),
            _ => self.error(
                DiagnosticKind::UnsupportedSyntax,
                span,
                "This statement is not supported by the Hog compiler",
            ),
        }
    }

    /// `target := value` (hog-bytecode.md §11.2).
    fn assign(&mut self, left: &Expr, right: &Expr, span: Span) {
        match &left.kind {
            ExprKind::TupleAccess(t) => {
                self.expr(&t.tuple);
                self.code.op_n(Opcode::Integer, t.index, left.span);
                self.expr_above(right, 2);
                self.code.op(Opcode::SetProperty, span);
            }
            ExprKind::ArrayAccess(a) => {
                self.expr(&a.array);
                self.expr_above(&a.property, 1);
                self.expr_above(right, 2);
                self.code.op(Opcode::SetProperty, span);
            }
            ExprKind::Field(f) if !f.chain.is_empty() => {
                let Some(name) = f.chain[0].as_name() else {
                    self.error(
                        DiagnosticKind::InvalidAssignTarget,
                        left.span,
                        "Can not assign to this type of expression",
                    );
                    return;
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
                    return;
                };
                if f.chain.len() == 1 {
                    self.expr(right);
                    self.code.op_n(set.0, set.1 as i64, span);
                    return;
                }
                self.code.op_n(get.0, get.1 as i64, left.span);
                let last = f.chain.len() - 1;
                for part in &f.chain[1..last] {
                    self.chain_key(part, left.span);
                    self.code.op(Opcode::GetProperty, left.span);
                }
                self.chain_key(&f.chain[last], left.span);
                self.expr_above(right, 2);
                self.code.op(Opcode::SetProperty, span);
            }
            _ => self.error(
                DiagnosticKind::InvalidAssignTarget,
                left.span,
                "Can not assign to this type of expression",
            ),
        }
    }

    /// `STRING k` or `INTEGER k` for one element of a property chain.
    pub fn chain_key(&mut self, part: &hogql_parser::ast::ChainPart, span: Span) {
        match part {
            hogql_parser::ast::ChainPart::Name(n) => self.code.string(n.as_str(), span),
            hogql_parser::ast::ChainPart::Index(i) => self.code.op_n(Opcode::Integer, *i, span),
        };
    }

    fn for_loop(
        &mut self,
        init: Option<&Stmt>,
        cond: Option<&Expr>,
        step: Option<&Stmt>,
        body: &Stmt,
        span: Span,
    ) {
        if init.is_some() {
            self.start_scope();
        }
        if let Some(i) = init {
            self.stmt(i);
        }
        let start = self.code.len();
        match cond {
            Some(c) => self.expr(c),
            // PostHog emits nothing for a missing condition, leaving JUMP_IF_FALSE to pop
            // whatever is on the stack; we push `true` so `for (;;)` loops as written.
            None => {
                self.code.op(Opcode::True, span);
            }
        }
        // PostHog compiles the step before the body (upvalue indexes follow compile order) and
        // emits it after.
        let step_code = match step {
            Some(s) => self.detached(|c| c.stmt(s)),
            None => Code::new(),
        };
        let exit = self.code.jump_forward(Opcode::JumpIfFalse, span);
        self.stmt(body);
        self.code.append(step_code);
        self.code.jump_back(Opcode::Jump, start, span);
        self.code.land(exit);
        if init.is_some() {
            self.end_scope(span);
        }
    }

    /// `for (let [k,] v in expr) body` (hog-bytecode.md §11.3).
    fn for_in(
        &mut self,
        key_var: Option<&str>,
        value_var: &str,
        expr: &Expr,
        body: &Stmt,
        span: Span,
    ) {
        self.start_scope();
        let expr_local = self.declare_local("__H_expr_H__", span) as i64;
        self.cur().pending += 1;
        self.expr(expr);
        self.cur().pending -= 1;
        let keys_local = key_var.map(|_| {
            let l = self.declare_local("__H_keys_H__", span) as i64;
            self.code
                .op_n(Opcode::GetLocal, expr_local, span)
                .call_global("keys", 1, span);
            l
        });
        let values_local = self.declare_local("__H_values_H__", span) as i64;
        self.code
            .op_n(Opcode::GetLocal, expr_local, span)
            .call_global("values", 1, span);
        let index_local = self.declare_local("__H_index_H__", span) as i64;
        self.code.op_n(Opcode::Integer, 1, span);
        let limit_local = self.declare_local("__H_limit_H__", span) as i64;
        self.code
            .op_n(Opcode::GetLocal, values_local, span)
            .call_global("length", 1, span);
        let key_local = key_var.map(|k| {
            let l = self.declare_local(k, span) as i64;
            self.code.op(Opcode::Null, span);
            l
        });
        let value_local = self.declare_local(value_var, span) as i64;
        self.code.op(Opcode::Null, span);

        let start = self.code.len();
        self.code
            .op_n(Opcode::GetLocal, limit_local, span)
            .op_n(Opcode::GetLocal, index_local, span)
            .op(Opcode::LtEq, span);
        let exit = self.code.jump_forward(Opcode::JumpIfFalse, span);
        if let (Some(keys), Some(key)) = (keys_local, key_local) {
            self.code
                .op_n(Opcode::GetLocal, keys, span)
                .op_n(Opcode::GetLocal, index_local, span)
                .op(Opcode::GetProperty, span)
                .op_n(Opcode::SetLocal, key, span);
        }
        self.code
            .op_n(Opcode::GetLocal, values_local, span)
            .op_n(Opcode::GetLocal, index_local, span)
            .op(Opcode::GetProperty, span)
            .op_n(Opcode::SetLocal, value_local, span);
        self.stmt(body);
        self.code
            .op_n(Opcode::GetLocal, index_local, span)
            .op_n(Opcode::Integer, 1, span)
            .op(Opcode::Plus, span)
            .op_n(Opcode::SetLocal, index_local, span);
        self.code.jump_back(Opcode::Jump, start, span);
        self.code.land(exit);
        self.end_scope(span);
    }

    /// `try … catch …` (hog-bytecode.md §11.8).
    fn try_catch(
        &mut self,
        try_block: &Block,
        catches: &[CatchClause],
        finally: Option<&Block>,
        span: Span,
    ) {
        if let Some(f) = finally {
            self.error(
                DiagnosticKind::FinallyUnsupported,
                f.span,
                "finally blocks are not yet supported",
            );
            return;
        }
        if catches.is_empty() {
            self.error(
                DiagnosticKind::TryWithoutCatch,
                span,
                "try statement must have at least one catch block",
            );
            return;
        }
        // TRY's operand is the try block's length + 4 (PostHog's encoding).
        let try_at = self.code.jump_forward(Opcode::Try, span);
        self.block(try_block, false);
        let try_len = self.code.len() as i64 - try_at as i64 - 1;
        self.code.patch(try_at, try_len + 4);
        self.code.op(Opcode::PopTry, span);
        let skip_catches = self.code.jump_forward(Opcode::Jump, span);

        let mut end_jumps = Vec::new();
        self.start_scope();
        let e_local = self.declare_local("e", span) as i64;
        self.code
            .op_n(Opcode::GetLocal, e_local, span)
            .string("type", span)
            .op(Opcode::GetProperty, span);
        let type_local = self.declare_local("type", span) as i64;
        for clause in catches {
            let var = clause.var.as_deref().unwrap_or("e");
            let ty = clause.error_type.as_deref().unwrap_or("Error");
            let cspan = clause.span;
            self.start_scope();
            let typed = ty != "Error";
            let skip_clause = typed.then(|| {
                self.code
                    .string(ty, cspan)
                    .op_n(Opcode::GetLocal, type_local, cspan)
                    .op(Opcode::Eq, cspan);
                self.code.jump_forward(Opcode::JumpIfFalse, cspan)
            });
            if var != "e" {
                self.declare_local(var, cspan);
                self.code.op_n(Opcode::GetLocal, e_local, cspan);
            }
            self.block(&clause.body, false);
            self.end_scope(cspan);
            end_jumps.push(self.code.jump_forward(Opcode::Jump, cspan));
            // Skip this clause's code and its end jump. (PostHog subtracts the clause's scope
            // POPs here, which lands one element short when the clause binds a variable other
            // than `e`; identical output whenever it binds `e`.)
            if let Some(at) = skip_clause {
                self.code.land(at);
            }
        }
        self.code.op(Opcode::Pop, span).op(Opcode::Throw, span);
        for at in end_jumps {
            self.code.land(at);
        }
        self.end_scope(span);
        self.code.land(skip_catches);
    }

    /// `CALLABLE name argc upvalues len, body, CLOSURE n (isLocal, index)…` for a function or
    /// lambda; the body is compiled by a fresh function state whose locals start with the
    /// parameters.
    pub fn function(&mut self, name: &str, params: &[String], body: FnBody<'_>, span: Span) {
        self.fns.push(FnState::with_params(params));
        self.code
            .op(Opcode::Callable, span)
            .str(name)
            .count(params.len());
        let upvalues_at = self.code.placeholder();
        let len_at = self.code.placeholder();
        let body_start = self.code.len();
        match body {
            FnBody::Block(b) => self.block(b, true),
            FnBody::Expr(e) => {
                self.expr(e);
                self.code.op(Opcode::Return, e.span);
            }
        }
        let body_len = self.code.len() - body_start;
        // Pushed just above; the program state is never popped.
        let state = self.fns.pop().unwrap_or_default();
        self.code.patch(upvalues_at, state.upvalues.len() as i64);
        self.code.patch(len_at, body_len as i64);
        self.code
            .op_n(Opcode::Closure, state.upvalues.len() as i64, span);
        for u in &state.upvalues {
            self.code.boolean(u.is_local).count(u.index);
        }
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
