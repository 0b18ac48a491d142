//! Builders for syntax trees, so compiler tests can be written without the parser. Spans are
//! empty; the source-map tests use the parser.
#![allow(dead_code)]

use hogql_parser::ast::*;

pub const S: Span = Span { start: 0, end: 0 };

pub fn ex(kind: ExprKind) -> Expr {
    Expr::new(kind, S)
}
pub fn st(kind: StmtKind) -> Stmt {
    Stmt::new(kind, S)
}
pub fn int(i: i64) -> Expr {
    ex(ExprKind::Constant(Constant::Int(i)))
}
pub fn float(f: f64) -> Expr {
    ex(ExprKind::Constant(Constant::Float(f)))
}
pub fn s(v: &str) -> Expr {
    ex(ExprKind::Constant(Constant::String(v.into())))
}
pub fn null() -> Expr {
    ex(ExprKind::Constant(Constant::Null))
}
pub fn boolean(b: bool) -> Expr {
    ex(ExprKind::Constant(Constant::Bool(b)))
}
pub fn f(chain: &[&str]) -> Expr {
    ex(ExprKind::Field(Field {
        chain: chain.iter().map(|c| ChainPart::Name((*c).into())).collect(),
    }))
}
pub fn arith(op: ArithmeticOp, l: Expr, r: Expr) -> Expr {
    ex(ExprKind::ArithmeticOperation(ArithmeticOperation {
        op,
        left: Box::new(l),
        right: Box::new(r),
    }))
}
pub fn add(l: Expr, r: Expr) -> Expr {
    arith(ArithmeticOp::Add, l, r)
}
pub fn sub(l: Expr, r: Expr) -> Expr {
    arith(ArithmeticOp::Sub, l, r)
}
pub fn mul(l: Expr, r: Expr) -> Expr {
    arith(ArithmeticOp::Mult, l, r)
}
pub fn cmp(op: CompareOp, l: Expr, r: Expr) -> Expr {
    ex(ExprKind::CompareOperation(CompareOperation {
        op,
        left: Box::new(l),
        right: Box::new(r),
        is_null_style: false,
    }))
}
pub fn call(name: &str, args: Vec<Expr>) -> Expr {
    ex(ExprKind::Call(Box::new(Call {
        name: name.into(),
        args,
        params: None,
        distinct: false,
        order_by: None,
        filter_expr: None,
        within_group: None,
        desugared: false,
    })))
}
pub fn lambda(args: &[&str], body: Expr) -> Expr {
    ex(ExprKind::Lambda(Box::new(Lambda {
        args: args.iter().map(|a| (*a).into()).collect(),
        body: LambdaBody::Expr(Box::new(body)),
    })))
}
pub fn block(stmts: Vec<Stmt>) -> Block {
    Block {
        declarations: stmts,
        span: S,
    }
}
pub fn let_(name: &str, e: Expr) -> Stmt {
    st(StmtKind::VarDecl {
        name: name.into(),
        expr: Some(e),
    })
}
pub fn assign(left: Expr, right: Expr) -> Stmt {
    st(StmtKind::Assign { left, right })
}
pub fn expr_stmt(e: Expr) -> Stmt {
    st(StmtKind::Expr(Some(e)))
}
pub fn ret(e: Option<Expr>) -> Stmt {
    st(StmtKind::Return(e))
}
pub fn if_(cond: Expr, then: Stmt, else_: Option<Stmt>) -> Stmt {
    st(StmtKind::If {
        cond,
        then: Box::new(then),
        else_: else_.map(Box::new),
    })
}
pub fn while_(cond: Expr, body: Stmt) -> Stmt {
    st(StmtKind::While {
        cond,
        body: Box::new(body),
    })
}
pub fn for_in(key: Option<&str>, value: &str, e: Expr, body: Stmt) -> Stmt {
    st(StmtKind::ForIn {
        key_var: key.map(Into::into),
        value_var: value.into(),
        expr: e,
        body: Box::new(body),
    })
}
pub fn fun(name: &str, params: &[&str], body: Vec<Stmt>) -> Stmt {
    st(StmtKind::Function {
        name: name.into(),
        params: params.iter().map(|p| (*p).into()).collect(),
        body: block(body),
    })
}
pub fn blk(stmts: Vec<Stmt>) -> Stmt {
    st(StmtKind::Block(block(stmts)))
}
pub fn program(stmts: Vec<Stmt>) -> Program {
    Program {
        declarations: stmts,
        span: S,
    }
}
pub fn print(args: Vec<Expr>) -> Stmt {
    expr_stmt(call("print", args))
}

/// Compiles and returns the bytecode as a JSON value.
pub fn compile(p: &Program) -> serde_json::Value {
    match hog_compiler::compile_program(p, &hog_compiler::CompileOptions::default()) {
        Ok(c) => c.to_json(),
        Err(e) => panic!("compile errors: {e:?}"),
    }
}

pub fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).expect("test JSON")
}

/// Reads a file of the shared specs/corpus, relative to `../shared`.
pub fn shared(path: &str) -> String {
    let p = format!("{}/../../../shared/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

pub fn not(e: Expr) -> Expr {
    ex(ExprKind::Not(Box::new(e)))
}
pub fn and(items: Vec<Expr>) -> Expr {
    ex(ExprKind::And(items))
}
pub fn or(items: Vec<Expr>) -> Expr {
    ex(ExprKind::Or(items))
}
pub fn array(items: Vec<Expr>) -> Expr {
    ex(ExprKind::Array(items))
}
pub fn tuple(items: Vec<Expr>) -> Expr {
    ex(ExprKind::Tuple(items))
}
pub fn dict(items: Vec<(Expr, Expr)>) -> Expr {
    ex(ExprKind::Dict(items))
}
pub fn index(a: Expr, i: Expr, nullish: bool) -> Expr {
    ex(ExprKind::ArrayAccess(ArrayAccess {
        array: Box::new(a),
        property: Box::new(i),
        nullish,
    }))
}
pub fn tuple_at(t: Expr, i: i64, nullish: bool) -> Expr {
    ex(ExprKind::TupleAccess(TupleAccess {
        tuple: Box::new(t),
        index: i,
        nullish,
    }))
}
pub fn expr_call(callee: Expr, args: Vec<Expr>) -> Expr {
    ex(ExprKind::ExprCall(ExprCall {
        expr: Box::new(callee),
        args,
    }))
}
pub fn lambda_block(args: &[&str], body: Vec<Stmt>) -> Expr {
    ex(ExprKind::Lambda(Box::new(Lambda {
        args: args.iter().map(|a| (*a).into()).collect(),
        body: LambdaBody::Block(block(body)),
    })))
}
pub fn for_(init: Option<Stmt>, cond: Option<Expr>, step: Option<Stmt>, body: Stmt) -> Stmt {
    st(StmtKind::For {
        init: init.map(Box::new),
        cond,
        step: step.map(Box::new),
        body: Box::new(body),
    })
}
pub fn tag(kind: &str, attrs: Vec<(&str, HogQLXValue)>) -> Expr {
    ex(ExprKind::HogQLXTag(Box::new(HogQLXTag {
        kind: kind.into(),
        attributes: attrs
            .into_iter()
            .map(|(n, v)| HogQLXAttribute {
                name: n.into(),
                value: v,
                span: S,
            })
            .collect(),
    })))
}
pub fn attr(e: Expr) -> HogQLXValue {
    HogQLXValue::Expr(Box::new(e))
}
pub fn placeholder(e: Expr) -> Expr {
    ex(ExprKind::Placeholder(Box::new(e)))
}
pub fn try_catch(body: Vec<Stmt>, catches: Vec<(Option<&str>, Option<&str>, Vec<Stmt>)>) -> Stmt {
    st(StmtKind::TryCatch {
        try_block: block(body),
        catches: catches
            .into_iter()
            .map(|(v, t, b)| CatchClause {
                var: v.map(Into::into),
                error_type: t.map(Into::into),
                body: block(b),
                span: S,
            })
            .collect(),
        finally: None,
    })
}
pub fn throw(e: Expr) -> Stmt {
    st(StmtKind::Throw(e))
}

/// Compiles, checks the VM accepts the bytecode, runs it and returns
/// (bytecode line, disassembly, printed lines, result or error).
pub fn compile_and_run(p: &Program) -> (String, String, Vec<String>, String) {
    let compiled = match hog_compiler::compile_program(p, &hog_compiler::CompileOptions::default())
    {
        Ok(c) => c,
        Err(e) => panic!("compile errors: {e:?}"),
    };
    let json = compiled.to_json();
    let program = hog_vm::program::Program::from_json(&json).expect("the VM accepts the bytecode");
    let dis = hog_vm::disasm::disassemble(&program);
    let mut vm = hog_vm::Vm::from_json(json).expect("loads");
    vm.set_globals(
        serde_json::json!({"event": {"event": "$pageview", "properties": {"$browser": "Firefox"}}}),
    )
    .expect("globals");
    let result = match vm.run() {
        Ok(hog_vm::Outcome::Finished(v)) => v.to_string(),
        Ok(hog_vm::Outcome::Suspended { function, .. }) => format!("suspended: {function}"),
        Err(e) => format!("error: {e}"),
    };
    (compiled.to_json_string(), dis, vm.take_output(), result)
}

/// The errors a program fails to compile with, as `Kind: message`.
pub fn errors(p: &Program) -> Vec<String> {
    match hog_compiler::compile_program(p, &hog_compiler::CompileOptions::default()) {
        Ok(c) => panic!("compiled: {}", c.to_json_string()),
        Err(e) => e
            .iter()
            .map(|d| format!("{:?}: {}", d.kind, d.message))
            .collect(),
    }
}
