//! Checks that do not change the bytecode, for `hog check`: code that can never run.

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use hogql_parser::ast::{Block, Expr, ExprKind, LambdaBody, Program, Stmt, StmtKind};

/// Warnings for statements that follow a `return` or `throw` in the same block (at any depth,
/// including function and lambda bodies).
pub fn unreachable_code(program: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    stmts(&program.declarations, &mut out);
    out
}

fn stmts(list: &[Stmt], out: &mut Vec<Diagnostic>) {
    let mut ended = false;
    for s in list {
        if ended {
            let what = "Unreachable code: the statement before it always returns or throws";
            out.push(Diagnostic::warning(
                DiagnosticKind::UnreachableCode,
                s.span,
                what,
            ));
            // One warning per block is enough.
            stmt(s, out);
            break;
        }
        stmt(s, out);
        ended = matches!(s.kind, StmtKind::Return(_) | StmtKind::Throw(_));
    }
}

fn block(b: &Block, out: &mut Vec<Diagnostic>) {
    stmts(&b.declarations, out);
}

fn stmt(s: &Stmt, out: &mut Vec<Diagnostic>) {
    match &s.kind {
        StmtKind::VarDecl { expr: Some(e), .. } | StmtKind::Expr(Some(e)) => expr(e, out),
        StmtKind::Return(Some(e)) | StmtKind::Throw(e) => expr(e, out),
        StmtKind::Assign { left, right } => {
            expr(left, out);
            expr(right, out);
        }
        StmtKind::If { cond, then, else_ } => {
            expr(cond, out);
            stmt(then, out);
            if let Some(e) = else_ {
                stmt(e, out);
            }
        }
        StmtKind::While { cond, body } => {
            expr(cond, out);
            stmt(body, out);
        }
        StmtKind::For {
            init,
            cond,
            step,
            body,
        } => {
            if let Some(i) = init {
                stmt(i, out);
            }
            if let Some(c) = cond {
                expr(c, out);
            }
            if let Some(s) = step {
                stmt(s, out);
            }
            stmt(body, out);
        }
        StmtKind::ForIn { expr: e, body, .. } => {
            expr(e, out);
            stmt(body, out);
        }
        StmtKind::Function { body, .. } => block(body, out),
        StmtKind::Block(b) => block(b, out),
        StmtKind::TryCatch {
            try_block,
            catches,
            finally,
        } => {
            block(try_block, out);
            for c in catches {
                block(&c.body, out);
            }
            if let Some(f) = finally {
                block(f, out);
            }
        }
        _ => {}
    }
}

/// Lambdas with block bodies can hide unreachable code inside expressions.
fn expr(e: &Expr, out: &mut Vec<Diagnostic>) {
    struct Lambdas<'a>(&'a mut Vec<Diagnostic>);
    impl hogql_parser::ast::Visitor for Lambdas<'_> {
        fn visit_expr(&mut self, e: &Expr) {
            if let ExprKind::Lambda(l) = &e.kind
                && let LambdaBody::Block(b) = &l.body
            {
                block(b, self.0);
                return;
            }
            hogql_parser::ast::walk_expr(self, e);
        }
    }
    hogql_parser::ast::Visitor::visit_expr(&mut Lambdas(out), e);
}
