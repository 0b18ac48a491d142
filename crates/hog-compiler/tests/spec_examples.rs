//! The worked examples of hog-bytecode.md §13, the bytecode STL of hog-stl.md §3 and the VM
//! benchmark programs, built as syntax trees and compiled: the output must equal PostHog's
//! compiler's element for element.

mod common;
use common::*;
use hogql_parser::ast::{CatchClause, CompareOp, StmtKind};

#[test]
fn variables() {
    let p = program(vec![
        print(vec![s("-- test variables --")]),
        blk(vec![
            let_("a", add(int(1), int(2))),
            print(vec![f(&["a"])]),
            let_("b", add(f(&["a"]), int(4))),
            print(vec![f(&["b"])]),
        ]),
        print(vec![s("-- test variable reassignment --")]),
        blk(vec![
            let_("a", int(1)),
            assign(f(&["a"]), add(f(&["a"]), int(3))),
            assign(f(&["a"]), mul(f(&["a"]), int(2))),
            print(vec![f(&["a"])]),
        ]),
    ]);
    let expected = json(
        r#"["_H", 1, 32, "-- test variables --", 2, "print", 1, 35, 33, 2, 33, 1, 6, 36, 0, 2, "print", 1, 35, 33, 4, 36, 0, 6, 36,
1, 2, "print", 1, 35, 35, 35, 32, "-- test variable reassignment --", 2, "print", 1, 35, 33, 1, 33, 3, 36, 0, 6, 37, 0,
33, 2, 36, 0, 8, 37, 0, 36, 0, 2, "print", 1, 35, 35]"#,
    );
    assert_eq!(compile(&p), expected);
}

#[test]
fn upvalues() {
    let p = program(vec![
        fun(
            "returnCallable",
            &["a"],
            vec![ret(Some(lambda(&["x"], mul(f(&["x"]), f(&["a"])))))],
        ),
        let_("double", call("returnCallable", vec![int(2)])),
        let_("triple", call("returnCallable", vec![int(3)])),
        print(vec![call("double", vec![int(2)])]),
        print(vec![call("triple", vec![int(2)])]),
        print(vec![s("----------")]),
        fun(
            "outer",
            &[],
            vec![
                let_("x", s("outside")),
                fun("inner", &[], vec![print(vec![f(&["x"])])]),
                ret(Some(f(&["inner"]))),
            ],
        ),
        let_("closure", call("outer", vec![])),
        expr_stmt(call("closure", vec![])),
    ]);
    let expected = json(
        r#"["_H", 1, 52, "returnCallable", 1, 0, 16, 52, "lambda", 1, 1, 6, 55, 0, 36, 0, 8, 38, 53, 1, true, 0, 38, 53, 0, 33, 2,
36, 0, 54, 1, 33, 3, 36, 0, 54, 1, 33, 2, 36, 1, 54, 1, 2, "print", 1, 35, 33, 2, 36, 2, 54, 1, 2, "print", 1, 35, 32,
"----------", 2, "print", 1, 35, 52, "outer", 0, 0, 24, 32, "outside", 52, "inner", 0, 1, 8, 55, 0, 2, "print", 1, 35,
31, 38, 53, 1, true, 0, 36, 1, 38, 35, 57, 53, 0, 36, 3, 54, 0, 36, 4, 54, 0, 35, 35, 35, 35, 35, 35]"#,
    );
    assert_eq!(compile(&p), expected);
}

fn error_ctor(name: &str) -> hogql_parser::ast::Stmt {
    fun(
        name,
        &["message"],
        vec![ret(Some(call("HogError", vec![s(name), f(&["message"])])))],
    )
}

fn typed_catch(ty: &str, text: &str) -> CatchClause {
    CatchClause {
        var: Some("e".into()),
        error_type: Some(ty.into()),
        body: block(vec![print(vec![call(
            "concat",
            vec![s(text), f(&["e", "message"])],
        )])]),
        span: S,
    }
}

#[test]
fn typed_catch_chain() {
    let p = program(vec![
        error_ctor("FishError"),
        error_ctor("FoodError"),
        st(StmtKind::TryCatch {
            try_block: block(vec![st(StmtKind::Throw(call(
                "FishError",
                vec![s("You forgot to feed your fish")],
            )))]),
            catches: vec![
                typed_catch("FoodError", "Problem with your food: "),
                typed_catch("FishError", "Problem with your fish: "),
            ],
            finally: None,
        }),
    ]);
    let expected = json(
        r#"["_H", 1, 52, "FishError", 1, 0, 8, 32, "FishError", 36, 0, 2, "HogError", 2, 38, 53, 0, 52, "FoodError", 1, 0, 8, 32,
"FoodError", 36, 0, 2, "HogError", 2, 38, 53, 0, 50, 11, 32, "You forgot to feed your fish", 36, 0, 54, 1, 49, 51, 39,
55, 36, 2, 32, "type", 45, 32, "FoodError", 36, 3, 11, 40, 16, 32, "Problem with your food: ", 36, 2, 32, "message", 45,
2, "concat", 2, 2, "print", 1, 35, 39, 25, 32, "FishError", 36, 3, 11, 40, 16, 32, "Problem with your fish: ", 36, 2,
32, "message", 45, 2, "concat", 2, 2, "print", 1, 35, 39, 2, 35, 49, 35, 35, 35, 35]"#,
    );
    assert_eq!(compile(&p), expected);
}

#[test]
fn fib25_benchmark() {
    let p = program(vec![
        fun(
            "fib",
            &["n"],
            vec![
                if_(
                    cmp(CompareOp::Lt, f(&["n"]), int(2)),
                    blk(vec![ret(Some(f(&["n"])))]),
                    None,
                ),
                ret(Some(add(
                    call("fib", vec![sub(f(&["n"]), int(1))]),
                    call("fib", vec![sub(f(&["n"]), int(2))]),
                ))),
            ],
        ),
        print(vec![call("fib", vec![int(25)])]),
    ]);
    assert_eq!(compile(&p), json(&shared("bench/vm/fib25.hoge")));
}

#[test]
fn loop_sum_benchmark() {
    let p = program(vec![
        let_("sum", int(0)),
        let_("i", int(1)),
        while_(
            cmp(CompareOp::LtEq, f(&["i"]), int(1_000_000)),
            blk(vec![
                assign(f(&["sum"]), add(f(&["sum"]), f(&["i"]))),
                assign(f(&["i"]), add(f(&["i"]), int(1))),
            ]),
        ),
        print(vec![f(&["sum"])]),
    ]);
    assert_eq!(compile(&p), json(&shared("bench/vm/loop_sum_1m.hoge")));
}

/// The body of the single function a program declares, as PostHog ships bytecode-STL chunks.
fn function_body(p: &hogql_parser::ast::Program) -> serde_json::Value {
    let all = compile(p);
    let arr = all.as_array().expect("array");
    let len = arr[6].as_u64().expect("body length") as usize;
    serde_json::Value::Array(arr[7..7 + len].to_vec())
}

fn push_back(to: &str, value: hogql_parser::ast::Expr) -> hogql_parser::ast::Stmt {
    assign(f(&[to]), call("arrayPushBack", vec![f(&[to]), value]))
}

#[test]
fn bytecode_stl_array_map_filter_count_exists_reduce() {
    let array_map = program(vec![fun(
        "arrayMap",
        &["func", "arr"],
        vec![
            let_(
                "result",
                common::ex(hogql_parser::ast::ExprKind::Array(vec![])),
            ),
            for_in(
                None,
                "x",
                f(&["arr"]),
                blk(vec![push_back("result", call("func", vec![f(&["x"])]))]),
            ),
            ret(Some(f(&["result"]))),
        ],
    )]);
    assert_eq!(
        function_body(&array_map),
        json(
            r#"[43,0, 36,1, 36,3, 2,"values",1, 33,1, 36,4, 2,"length",1, 31, 36,6, 36,5, 16, 40,29,
            36,4, 36,5, 45, 37,7, 36,2, 36,7, 36,0, 54,1, 2,"arrayPushBack",2, 37,2, 36,5, 33,1, 6,
            37,5, 39,-36, 35,35,35,35,35, 36,2, 38, 35]"#
        )
    );
    let array_filter = program(vec![fun(
        "arrayFilter",
        &["func", "arr"],
        vec![
            let_(
                "result",
                common::ex(hogql_parser::ast::ExprKind::Array(vec![])),
            ),
            for_in(
                None,
                "x",
                f(&["arr"]),
                blk(vec![if_(
                    call("func", vec![f(&["x"])]),
                    blk(vec![push_back("result", f(&["x"]))]),
                    None,
                )]),
            ),
            ret(Some(f(&["result"]))),
        ],
    )]);
    assert_eq!(
        function_body(&array_filter),
        json(
            r#"[43,0, 36,1, 36,3, 2,"values",1, 33,1, 36,4, 2,"length",1, 31, 36,6, 36,5, 16, 40,33,
            36,4, 36,5, 45, 37,7, 36,7, 36,0, 54,1, 40,9, 36,2, 36,7, 2,"arrayPushBack",2, 37,2,
            36,5, 33,1, 6, 37,5, 39,-40, 35,35,35,35,35, 36,2, 38, 35]"#
        )
    );
    let array_count = program(vec![fun(
        "arrayCount",
        &["func", "arr"],
        vec![
            let_("count", int(0)),
            for_in(
                None,
                "x",
                f(&["arr"]),
                blk(vec![if_(
                    call("func", vec![f(&["x"])]),
                    blk(vec![assign(f(&["count"]), add(f(&["count"]), int(1)))]),
                    None,
                )]),
            ),
            ret(Some(f(&["count"]))),
        ],
    )]);
    assert_eq!(
        function_body(&array_count),
        json(
            r#"[33,0, 36,1, 36,3, 2,"values",1, 33,1, 36,4, 2,"length",1, 31, 36,6, 36,5, 16, 40,31,
            36,4, 36,5, 45, 37,7, 36,7, 36,0, 54,1, 40,7, 33,1, 36,2, 6, 37,2, 36,5, 33,1, 6, 37,5,
            39,-38, 35,35,35,35,35, 36,2, 38, 35]"#
        )
    );
    let array_exists = program(vec![fun(
        "arrayExists",
        &["func", "arr"],
        vec![
            for_in(
                None,
                "x",
                f(&["arr"]),
                blk(vec![if_(
                    call("func", vec![f(&["x"])]),
                    blk(vec![ret(Some(boolean(true)))]),
                    None,
                )]),
            ),
            ret(Some(boolean(false))),
        ],
    )]);
    assert_eq!(
        function_body(&array_exists),
        json(
            r#"[36,1, 36,2, 2,"values",1, 33,1, 36,3, 2,"length",1, 31, 36,5, 36,4, 16, 40,26, 36,3,
            36,4, 45, 37,6, 36,6, 36,0, 54,1, 40,2, 29, 38, 36,4, 33,1, 6, 37,4, 39,-33,
            35,35,35,35,35, 30, 38]"#
        )
    );
    let array_reduce = program(vec![fun(
        "arrayReduce",
        &["func", "arr", "initial"],
        vec![
            let_("acc", f(&["initial"])),
            for_in(
                None,
                "x",
                f(&["arr"]),
                blk(vec![assign(
                    f(&["acc"]),
                    call("func", vec![f(&["acc"]), f(&["x"])]),
                )]),
            ),
            ret(Some(f(&["acc"]))),
        ],
    )]);
    assert_eq!(
        function_body(&array_reduce),
        json(
            r#"[36,2, 36,1, 36,4, 2,"values",1, 33,1, 36,5, 2,"length",1, 31, 36,7, 36,6, 16, 40,26,
            36,5, 36,6, 45, 37,8, 36,3, 36,8, 36,0, 54,2, 37,3, 36,6, 33,1, 6, 37,6, 39,-33,
            35,35,35,35,35, 36,3, 38, 35]"#
        )
    );
}

#[test]
fn between_matches_corpus_encoding() {
    let between = |x, lo, hi, negated| {
        common::ex(hogql_parser::ast::ExprKind::BetweenExpr(
            hogql_parser::ast::BetweenExpr {
                expr: Box::new(x),
                low: Box::new(lo),
                high: Box::new(hi),
                negated,
            },
        ))
    };
    let p = program(vec![
        print(vec![between(int(5), int(1), int(10), false)]),
        print(vec![between(int(5), int(1), int(10), true)]),
        print(vec![between(null(), int(1), int(10), false)]),
    ]);
    let corpus = json(&shared("conformance/posthog-vm/between.hoge"));
    let c = corpus.as_array().expect("array");
    let got = compile(&p);
    let g = got.as_array().expect("array");
    // Every `print(a [not] between b and c)` statement of between.hog is 47 elements long.
    let stmt = |i: usize| 2 + 47 * i..2 + 47 * (i + 1);
    assert_eq!(g[stmt(0)], c[stmt(0)]); // print(5 between 1 and 10)
    assert_eq!(g[stmt(1)], c[stmt(5)]); // print(5 not between 1 and 10)
    // print(null between 1 and 10): one element shorter (`NULL` instead of `INTEGER 5`).
    assert_eq!(g[96..142], c[2 + 47 * 9..2 + 47 * 9 + 46]);
    assert_eq!(g.len(), 142);
}
