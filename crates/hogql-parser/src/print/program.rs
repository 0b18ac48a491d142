//! Hog statements and blocks.
//!
//! Each statement starts at the current position (the caller has written the indentation) and
//! ends without a line break. Simple statements end with `;`; bodies that are not blocks go on
//! their own line, one level deeper.

use super::Printer;
use super::expr::Prec;
use crate::ast::*;

impl Printer {
    pub(super) fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::VarDecl { .. } | StmtKind::Assign { .. } | StmtKind::Expr(_) => {
                self.simple_stmt(s);
                self.push(";");
            }
            StmtKind::Return(e) => {
                self.kw("return");
                if let Some(e) = e {
                    self.push(" ");
                    self.expr(e, Prec::Alias);
                }
                self.push(";");
            }
            StmtKind::Throw(e) => {
                self.kw("throw");
                self.push(" ");
                self.expr(e, Prec::Alias);
                self.push(";");
            }
            StmtKind::If { cond, then, else_ } => {
                self.kw("if");
                self.push(" (");
                self.expr(cond, Prec::Alias);
                self.push(")");
                self.body(then);
                if let Some(e) = else_ {
                    if matches!(then.kind, StmtKind::Block(_)) {
                        self.push(" ");
                    } else {
                        self.newline();
                    }
                    self.kw("else");
                    if matches!(e.kind, StmtKind::If { .. }) {
                        // `else if` stays on one line.
                        self.push(" ");
                        self.stmt(e);
                    } else {
                        self.body(e);
                    }
                }
            }
            StmtKind::While { cond, body } => {
                self.kw("while");
                self.push(" (");
                self.expr(cond, Prec::Alias);
                self.push(")");
                self.body(body);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                self.kw("for");
                self.push(" (");
                if let Some(i) = init {
                    self.simple_stmt(i);
                }
                self.push(";");
                if let Some(c) = cond {
                    self.push(" ");
                    self.expr(c, Prec::Alias);
                }
                self.push(";");
                if let Some(st) = step {
                    self.push(" ");
                    self.simple_stmt(st);
                }
                self.push(")");
                self.body(body);
            }
            StmtKind::ForIn {
                key_var,
                value_var,
                expr,
                body,
            } => {
                self.kw("for");
                self.push(" (");
                self.kw("let");
                self.push(" ");
                if let Some(k) = key_var {
                    self.name(k);
                    self.push(", ");
                }
                self.name(value_var);
                self.push(" ");
                self.kw("in");
                self.push(" ");
                self.expr(expr, Prec::Alias);
                self.push(")");
                self.body(body);
            }
            StmtKind::Function { name, params, body } => {
                self.kw("fun");
                self.push(" ");
                self.name(name);
                self.push("(");
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.name(p);
                }
                self.push(") ");
                self.block(body);
            }
            StmtKind::Block(b) => self.block(b),
            StmtKind::TryCatch {
                try_block,
                catches,
                finally,
            } => {
                self.kw("try");
                self.push(" ");
                self.block(try_block);
                for c in catches {
                    self.push(" ");
                    self.kw("catch");
                    if let Some(v) = &c.var {
                        self.push(" (");
                        self.name(v);
                        if let Some(t) = &c.error_type {
                            self.push(": ");
                            self.name(t);
                        }
                        self.push(")");
                    }
                    self.push(" ");
                    self.block(&c.body);
                }
                if let Some(f) = finally {
                    self.push(" ");
                    self.kw("finally");
                    self.push(" ");
                    self.block(f);
                }
            }
        }
    }

    /// The statements a `for (…)` head holds, without their `;`.
    fn simple_stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::VarDecl { name, expr } => {
                self.kw("let");
                self.push(" ");
                self.name(name);
                if let Some(e) = expr {
                    self.push(" := ");
                    self.expr(e, Prec::Alias);
                }
            }
            StmtKind::Assign { left, right } => {
                self.expr(left, Prec::Alias);
                self.push(" := ");
                self.expr(right, Prec::Alias);
            }
            StmtKind::Expr(Some(e)) => self.expr(e, Prec::Alias),
            // An empty statement: the `;` the caller writes is all of it.
            StmtKind::Expr(None) => {}
            _ => self.stmt(s),
        }
    }

    /// The body of `if`/`while`/`for`: a block on the same line, anything else on the next
    /// line, indented.
    fn body(&mut self, s: &Stmt) {
        if let StmtKind::Block(b) = &s.kind {
            self.push(" ");
            self.block(b);
        } else {
            self.indent += 1;
            self.newline();
            self.stmt(s);
            self.indent -= 1;
        }
    }

    pub(super) fn block(&mut self, b: &Block) {
        if b.declarations.is_empty() {
            self.push("{}");
            return;
        }
        self.push("{");
        self.indent += 1;
        for s in &b.declarations {
            self.newline();
            self.stmt(s);
        }
        self.indent -= 1;
        self.newline();
        self.push("}");
    }
}
