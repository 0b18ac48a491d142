//! Every compile error of hog-bytecode.md §11.10 (and ours), with PostHog's texts.

mod common;
use common::*;
use hogql_parser::ast::{CompareOp, ExprKind, Span, StmtKind};

#[test]
fn already_declared_in_the_same_scope() {
    let p = program(vec![let_("a", int(1)), let_("a", int(2))]);
    assert_eq!(
        errors(&p),
        vec!["AlreadyDeclared: Variable `a` already declared in this scope"]
    );
    // shadowing in an inner block is fine
    let ok = program(vec![let_("a", int(1)), blk(vec![let_("a", int(2))])]);
    assert!(hog_compiler::compile_program(&ok, &Default::default()).is_ok());
}

#[test]
fn assigning_to_globals_and_other_expressions() {
    let p = program(vec![assign(f(&["totl"]), int(1))]);
    assert_eq!(
        errors(&p),
        vec![
            "AssignToGlobal: Variable \"totl\" not declared in this scope. Can not assign to globals."
        ]
    );
    let p = program(vec![assign(f(&["event", "x"]), int(1))]);
    assert_eq!(errors(&p).len(), 1);
    let p = program(vec![assign(call("f", vec![]), int(1))]);
    assert_eq!(
        errors(&p),
        vec!["InvalidAssignTarget: Can not assign to this type of expression"]
    );
}

#[test]
fn array_access_starts_from_one() {
    let p = program(vec![
        let_("a", array(vec![])),
        print(vec![index(f(&["a"]), int(0), false)]),
    ]);
    assert_eq!(
        errors(&p),
        vec!["ArrayIndexZero: Array access starts from 1"]
    );
}

#[test]
fn try_without_catch_and_finally() {
    let p = program(vec![st(StmtKind::TryCatch {
        try_block: block(vec![]),
        catches: vec![],
        finally: None,
    })]);
    assert_eq!(
        errors(&p),
        vec!["TryWithoutCatch: try statement must have at least one catch block"]
    );
    let p = program(vec![st(StmtKind::TryCatch {
        try_block: block(vec![]),
        catches: vec![hogql_parser::ast::CatchClause {
            var: None,
            error_type: None,
            body: block(vec![]),
            span: S,
        }],
        finally: Some(block(vec![])),
    })]);
    assert_eq!(
        errors(&p),
        vec!["FinallyUnsupported: finally blocks are not yet supported"]
    );
}

#[test]
fn placeholders_outside_sql() {
    let p = program(vec![print(vec![placeholder(int(1))])]);
    assert_eq!(
        errors(&p),
        vec!["PlaceholderNotAllowed: Placeholders are not allowed in this context"]
    );
}

#[test]
fn cohorts() {
    let p = program(vec![print(vec![cmp(
        CompareOp::InCohort,
        f(&["person", "id"]),
        int(5),
    )])]);
    assert_eq!(
        errors(&p),
        vec![
            "CohortUnsupported: Can't use cohorts in real-time filters. Please inline the relevant expressions (cohort id=5)."
        ]
    );
}

#[test]
fn constants_the_bytecode_cannot_carry() {
    let big = ex(ExprKind::Constant(hogql_parser::ast::Constant::BigInt(
        "123456789012345678901234567890".into(),
    )));
    let p = program(vec![print(vec![big, float(f64::INFINITY)])]);
    assert_eq!(
        errors(&p),
        vec![
            "UnsupportedConstant: Integer constant 123456789012345678901234567890 does not fit in 64 bits",
            "UnsupportedConstant: Constant `inf` can not be written in bytecode (JSON has no inf)",
        ]
    );
}

#[test]
fn wrong_arity_of_known_functions() {
    let p = program(vec![
        print(vec![call("toString", vec![])]),
        print(vec![call("arrayMap", vec![int(1)])]),
        print(vec![call("upper", vec![s("a"), s("b")])]),
    ]);
    assert_eq!(
        errors(&p),
        vec![
            "WrongArity: Function toString requires at least 1 arguments",
            "WrongArity: Function arrayMap requires exactly 2 arguments",
            "WrongArity: Function upper requires at most 1 arguments",
        ]
    );
    // A local of the same name is called instead: no check.
    let p = program(vec![
        let_("upper", lambda(&["a", "b"], f(&["a"]))),
        print(vec![call("upper", vec![s("a"), s("b")])]),
    ]);
    assert!(hog_compiler::compile_program(&p, &Default::default()).is_ok());
}

#[test]
fn unsupported_syntax() {
    let cast = ex(ExprKind::TypeCast(hogql_parser::ast::TypeCast {
        expr: Box::new(int(1)),
        type_name: "String".into(),
    }));
    let p = program(vec![print(vec![cast])]);
    assert_eq!(
        errors(&p),
        vec!["UnsupportedSyntax: Hog does not support type casts (`::` / CAST)"]
    );
}

#[test]
fn errors_carry_spans_and_are_all_reported() {
    let mut first = let_("a", int(1));
    first.span = Span::new(0, 10);
    let mut second = let_("a", int(2));
    second.span = Span::new(11, 21);
    let mut assign_ = assign(f(&["b"]), int(3));
    if let StmtKind::Assign { left, .. } = &mut assign_.kind {
        left.span = Span::new(22, 23);
    }
    let p = program(vec![first, second, assign_]);
    let errs = hog_compiler::compile_program(&p, &Default::default()).expect_err("errors");
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[0].span, Span::new(11, 21));
    assert_eq!(errs[1].span, Span::new(22, 23));
    let source = "let a := 1\nlet a := 2\nb := 3\n";
    assert_eq!(
        errs[1].short("x.hog", source),
        "x.hog:3:1: error: Variable \"b\" not declared in this scope. Can not assign to globals."
    );
    let rendered = errs[0].render("x.hog", source);
    assert!(rendered.contains("let a := 2"), "{rendered}");
    assert!(rendered.contains("already declared"), "{rendered}");
}

#[test]
fn warnings_do_not_stop_compilation() {
    let p = program(vec![
        expr_stmt(cmp(CompareOp::Eq, f(&["x"]), int(1))),
        expr_stmt(call("sendToSlack", vec![])),
    ]);
    let c = hog_compiler::compile_program(&p, &Default::default()).expect("compiles");
    let w: Vec<_> = c.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(
        w,
        vec![
            "You must use ':=' for assignment instead of '='.",
            "Hog function `sendToSlack` is not implemented"
        ]
    );
}

#[test]
fn unreachable_code_lint() {
    let p = program(vec![fun(
        "f",
        &[],
        vec![ret(Some(int(1))), print(vec![s("never")])],
    )]);
    let w = hog_compiler::lint::unreachable_code(&p);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].kind, hog_compiler::DiagnosticKind::UnreachableCode);
}
