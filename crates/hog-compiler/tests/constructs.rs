//! One snapshot of bytecode (and its disassembly) per construct, built from syntax trees; every
//! program also runs on our VM and its output is asserted, so a snapshot cannot silently
//! encode wrong behaviour.

mod common;
use common::*;
use hogql_parser::ast::{CompareOp, Program};

fn snap(name: &str, p: &Program) -> (Vec<String>, String) {
    let (json, dis, stdout, result) = compile_and_run(p);
    insta::assert_snapshot!(
        name,
        format!(
            "{json}\n\n{dis}\n---- stdout\n{}\n---- result\n{result}",
            stdout.join("\n")
        )
    );
    (stdout, result)
}

#[test]
fn and_or_not() {
    let p = program(vec![
        let_("a", boolean(true)),
        print(vec![
            and(vec![f(&["a"]), boolean(false)]),
            or(vec![boolean(false), f(&["a"]), int(0)]),
            not(f(&["a"])),
            call("and", vec![int(1), int(2)]),
            call("or", vec![int(0), null()]),
            call("not", vec![int(0)]),
        ]),
    ]);
    let (out, _) = snap("and_or_not", &p);
    assert_eq!(out, vec!["false true false true false true"]);
}

#[test]
fn ternary_multi_if_and_if_null() {
    let p = program(vec![
        let_("n", int(7)),
        let_("missing", null()),
        print(vec![
            call(
                "if",
                vec![cmp(CompareOp::Gt, f(&["n"]), int(5)), s("big"), s("small")],
            ),
            call(
                "multiIf",
                vec![
                    cmp(CompareOp::Gt, f(&["n"]), int(10)),
                    s("huge"),
                    cmp(CompareOp::Gt, f(&["n"]), int(5)),
                    s("big"),
                    s("small"),
                ],
            ),
            call("ifNull", vec![f(&["missing"]), s("fallback")]),
            call("ifNull", vec![f(&["n"]), s("unused")]),
        ]),
    ]);
    let (out, _) = snap("ternary_multi_if_if_null", &p);
    assert_eq!(out, vec!["big big fallback 7"]);
}

#[test]
fn collections_and_access() {
    let p = program(vec![
        let_(
            "arr",
            array(vec![int(1), int(2), array(vec![int(3), int(4)])]),
        ),
        let_("t", tuple(vec![int(1), s("two")])),
        let_("key", s("k")),
        let_("d", dict(vec![(s("a"), int(1)), (f(&["key"]), float(2.5))])),
        print(vec![
            index(f(&["arr"]), int(-1), false),
            index(index(f(&["arr"]), int(3), false), int(2), false),
            tuple_at(f(&["t"]), 2, false),
            f(&["d", "k"]),
            index(f(&["d"]), s("a"), true),
            tuple_at(null(), 1, true),
        ]),
    ]);
    let (out, _) = snap("collections_and_access", &p);
    assert_eq!(out, vec!["[3, 4] 4 two 2.5 1 null"]);
}

#[test]
fn property_assignment_chains() {
    let p = program(vec![
        let_(
            "obj",
            dict(vec![(
                s("a"),
                dict(vec![(s("b"), array(vec![int(1), int(2)]))]),
            )]),
        ),
        assign(f(&["obj", "a", "c"]), s("new")),
        assign(index(f(&["obj", "a", "b"]), int(2), false), int(20)),
        assign(tuple_at(f(&["obj", "a", "b"]), 1, false), int(10)),
        fun(
            "viaUpvalue",
            &[],
            vec![assign(f(&["obj", "z"]), boolean(true))],
        ),
        expr_stmt(call("viaUpvalue", vec![])),
        print(vec![f(&["obj"])]),
    ]);
    let (out, _) = snap("property_assignment_chains", &p);
    assert_eq!(out, vec!["{'a': {'b': [10, 20], 'c': 'new'}, 'z': true}"]);
}

#[test]
fn globals_and_functions_as_values() {
    let p = program(vec![
        print(vec![
            f(&["event", "event"]),
            f(&["event", "properties", "$browser"]),
        ]),
        let_("enc", f(&["base64Encode"])),
        print(vec![call("enc", vec![s("hi")])]),
    ]);
    let (out, _) = snap("globals_and_function_values", &p);
    assert_eq!(out, vec!["$pageview Firefox", "aGk="]);
}

#[test]
fn loops() {
    let p = program(vec![
        let_("total", int(0)),
        for_(
            Some(let_("i", int(0))),
            Some(cmp(CompareOp::Lt, f(&["i"]), int(3))),
            Some(assign(f(&["i"]), add(f(&["i"]), int(1)))),
            blk(vec![assign(f(&["total"]), add(f(&["total"]), f(&["i"])))]),
        ),
        for_in(
            Some("k"),
            "v",
            dict(vec![(s("x"), int(1)), (s("y"), int(2))]),
            print(vec![f(&["k"]), f(&["v"])]),
        ),
        for_in(
            Some("i"),
            "v",
            array(vec![s("a")]),
            print(vec![f(&["i"]), f(&["v"])]),
        ),
        print(vec![f(&["total"])]),
    ]);
    let (out, _) = snap("loops", &p);
    assert_eq!(out, vec!["x 1", "y 2", "0 a", "3"]);
}

#[test]
fn for_without_condition_loops_until_return() {
    let p = program(vec![
        fun(
            "first",
            &[],
            vec![for_(
                Some(let_("i", int(0))),
                None,
                Some(assign(f(&["i"]), add(f(&["i"]), int(1)))),
                if_(
                    cmp(CompareOp::Eq, f(&["i"]), int(4)),
                    ret(Some(f(&["i"]))),
                    None,
                ),
            )],
        ),
        print(vec![call("first", vec![])]),
    ]);
    let (out, _) = snap("for_without_condition", &p);
    assert_eq!(out, vec!["4"]);
}

#[test]
fn closures_share_captured_variables() {
    let p = program(vec![
        fun(
            "counter",
            &[],
            vec![
                let_("n", int(0)),
                ret(Some(dict(vec![
                    (
                        s("inc"),
                        lambda_block(&[], vec![assign(f(&["n"]), add(f(&["n"]), int(1)))]),
                    ),
                    (s("get"), lambda(&[], f(&["n"]))),
                ]))),
            ],
        ),
        let_("c", call("counter", vec![])),
        expr_stmt(expr_call(f(&["c", "inc"]), vec![])),
        expr_stmt(expr_call(f(&["c", "inc"]), vec![])),
        print(vec![expr_call(f(&["c", "get"]), vec![])]),
        // a lambda two functions deep forwards the outer capture (isLocal = false)
        fun(
            "outer",
            &["x"],
            vec![
                fun("middle", &[], vec![ret(Some(lambda(&[], f(&["x"]))))]),
                ret(Some(call("middle", vec![]))),
            ],
        ),
        print(vec![expr_call(call("outer", vec![s("deep")]), vec![])]),
    ]);
    let (out, _) = snap("closures", &p);
    assert_eq!(out, vec!["2", "deep"]);
}

#[test]
fn parametric_call_calls_the_result() {
    let mut call_ = call("makeAdder", vec![int(2)]);
    if let hogql_parser::ast::ExprKind::Call(c) = &mut call_.kind {
        c.params = Some(vec![int(40)]);
    }
    let p = program(vec![
        fun(
            "makeAdder",
            &["a"],
            vec![ret(Some(lambda(&["b"], add(f(&["a"]), f(&["b"])))))],
        ),
        print(vec![call_]),
    ]);
    let (out, _) = snap("parametric_call", &p);
    assert_eq!(out, vec!["42"]);
}

#[test]
fn try_catch_binding_another_name_reaches_the_next_clause() {
    // PostHog's compiler jumps one element short here; ours lands on the next clause.
    let p = program(vec![try_catch(
        vec![throw(call("HogError", vec![s("FoodError"), s("hungry")]))],
        vec![
            (Some("err"), Some("FishError"), vec![print(vec![s("fish")])]),
            (
                Some("err"),
                Some("FoodError"),
                vec![print(vec![s("food"), f(&["err", "message"])])],
            ),
        ],
    )]);
    let (out, _) = snap("typed_catch_other_name", &p);
    assert_eq!(out, vec!["food hungry"]);
}

#[test]
fn uncaught_typed_errors_are_rethrown() {
    let p = program(vec![try_catch(
        vec![throw(call("HogError", vec![s("Other"), s("boom")]))],
        vec![(None, Some("FishError"), vec![print(vec![s("fish")])])],
    )]);
    let (out, result) = snap("rethrow", &p);
    assert!(out.is_empty());
    assert_eq!(result, "error: Other('boom')");
}

#[test]
fn hogqlx_tags() {
    let p = program(vec![
        let_(
            "Hello",
            lambda(
                &["props"],
                tag(
                    "span",
                    vec![(
                        "children",
                        hogql_parser::ast::HogQLXValue::Children(vec![
                            s("hello: "),
                            f(&["props", "value"]),
                        ]),
                    )],
                ),
            ),
        ),
        print(vec![tag("Hello", vec![("value", attr(s("world")))])]),
        print(vec![tag("hr", vec![])]),
    ]);
    let (out, _) = snap("hogqlx", &p);
    assert_eq!(
        out,
        vec![
            "{'__hx_tag': 'span', 'children': ['hello: ', 'world']}",
            "{'__hx_tag': 'hr'}"
        ]
    );
}

#[test]
fn sql_ast_mode_with_placeholders() {
    let p = program(vec![
        let_("x", s("John")),
        let_(
            "q",
            call(
                "sql",
                vec![and(vec![
                    boolean(true),
                    cmp(
                        CompareOp::Eq,
                        f(&["properties", "name"]),
                        placeholder(f(&["x"])),
                    ),
                ])],
            ),
        ),
        print(vec![call("jsonStringify", vec![f(&["q"])])]),
    ]);
    let (out, _) = snap("sql_ast", &p);
    // The same dict PostHog's compiler builds (corpus hogqlx.stdout).
    assert_eq!(
        out,
        vec![
            r#"{"__hx_ast":"And","exprs":[{"__hx_ast":"Constant","value":true},{"__hx_ast":"CompareOperation","left":{"__hx_ast":"Field","chain":["properties","name"],"from_asterisk":false},"right":"John","op":"=="}]}"#
        ]
    );
}

#[test]
fn between_after_other_operands_and_in_let() {
    let between = |x, lo, hi, negated| {
        ex(hogql_parser::ast::ExprKind::BetweenExpr(
            hogql_parser::ast::BetweenExpr {
                expr: Box::new(x),
                low: Box::new(lo),
                high: Box::new(hi),
                negated,
            },
        ))
    };
    let p = program(vec![
        let_(
            "inRange",
            between(int(3), add(int(1), int(1)), int(4), false),
        ),
        print(vec![
            s("x"),
            between(int(5), int(1), int(10), false),
            between(int(5), int(1), int(10), true),
            between(null(), int(1), int(2), false),
            f(&["inRange"]),
            array(vec![
                between(int(0), int(0), int(0), false),
                between(
                    between(int(2), int(1), int(3), false),
                    int(0),
                    int(1),
                    false,
                ),
            ]),
        ]),
    ]);
    let (out, _) = snap("between_positions", &p);
    assert_eq!(out, vec!["x true false false true [true, true]"]);
}
