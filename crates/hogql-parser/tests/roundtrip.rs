//! The printer's contract: parse(print(tree)) is the same tree, spans aside.
//!
//! Two sources of trees: the benchmark corpus (`../shared/bench/parser/`: 1,000 real-looking
//! queries and a 5,000-line Hog program) and proptest-generated trees covering the expression
//! forms, SELECT clauses and Hog statements. Generated trees are limited to shapes the parser
//! can build; where a shape is left out, a comment says why. Every printed text is also parsed
//! by both parsers, which must agree (`tests/common`).

mod common;

use common::agree;
use hogql_parser::ast::*;
use hogql_parser::lexer::Entry;
use hogql_parser::print::{print_expr, print_hog_expr, print_program, print_query};
use hogql_parser::{parse_expr, parse_program, parse_select};
use proptest::prelude::*;
use serde_json::Value;

const QUERIES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/bench/parser/queries.jsonl"
);
const PROGRAM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/bench/parser/program_5k.hog"
);

/// A tree as JSON without its spans, so two parses of different texts compare equal when only
/// positions differ. (NaN becomes `null` on both sides, so NaN constants compare equal too.)
fn shape<T: serde::Serialize>(t: &T) -> Value {
    let mut v = serde_json::to_value(t).expect("the AST serialises");
    strip_spans(&mut v);
    v
}

fn strip_spans(v: &mut Value) {
    // Iterative: generated and corpus trees can be a few hundred levels deep.
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                m.remove("span");
                stack.extend(m.values_mut());
            }
            Value::Array(a) => stack.extend(a.iter_mut()),
            _ => {}
        }
    }
}

/// Prints a query, parses the text again and compares; `Err` describes the difference.
fn query_round_trip(q: &Query) -> Result<(), String> {
    let text = print_query(q);
    agree(&text, Entry::Select, true)?;
    let again =
        parse_select(&text).map_err(|e| format!("printed text does not parse: {e:?}\n{text}"))?;
    if shape(q) != shape(&again) {
        return Err(format!(
            "different tree after printing:\n{text}\n--- before\n{:#?}\n--- after\n{:#?}",
            q, again
        ));
    }
    // Printing is stable: the reparsed tree prints to the same text.
    let text2 = print_query(&again);
    if text2 != text {
        return Err(format!("printing is not stable:\n{text}\n---\n{text2}"));
    }
    Ok(())
}

fn expr_round_trip(e: &Expr) -> Result<(), String> {
    let text = print_expr(e);
    agree(&text, Entry::Expr, true)?;
    let again =
        parse_expr(&text).map_err(|err| format!("printed text does not parse: {err:?}\n{text}"))?;
    if shape(e) != shape(&again) {
        return Err(format!(
            "different tree after printing:\n{text}\n--- before\n{e:#?}\n--- after\n{again:#?}"
        ));
    }
    Ok(())
}

fn program_round_trip(p: &Program) -> Result<(), String> {
    let text = print_program(p);
    agree(&text, Entry::Program, true)?;
    let again = parse_program(&text)
        .map_err(|err| format!("printed text does not parse: {err:?}\n{text}"))?;
    if shape(p) != shape(&again) {
        return Err(format!(
            "different tree after printing:\n{text}\n--- before\n{p:#?}\n--- after\n{again:#?}"
        ));
    }
    Ok(())
}

fn full() -> bool {
    std::env::var_os("HOG_FULL_TESTS").is_some()
}

#[test]
fn corpus_queries_round_trip() {
    let text = std::fs::read_to_string(QUERIES).expect("../shared/bench/parser/queries.jsonl");
    // Every 10th query by default (all 1,000 take over ten seconds in a debug build on a busy
    // machine); all of them with HOG_FULL_TESTS=1.
    let step = if full() { 1 } else { 10 };
    let mut checked = 0;
    let mut failures = Vec::new();
    for (i, line) in text.lines().enumerate().step_by(step) {
        let src: String = serde_json::from_str(line).expect("each line is a JSON string");
        let Ok(q) = parse_select(&src) else { continue };
        checked += 1;
        if let Err(e) = query_round_trip(&q) {
            failures.push(format!("line {}: {src}\n{e}", i + 1));
        }
    }
    assert!(
        checked * step > 900,
        "only {checked} of the sampled corpus queries parse"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} queries fail the round trip; first:\n{}",
        failures.len(),
        failures[0]
    );
}

#[test]
fn corpus_program_round_trips() {
    let src = std::fs::read_to_string(PROGRAM).expect("../shared/bench/parser/program_5k.hog");
    let p = parse_program(&src).expect("program_5k.hog parses");
    program_round_trip(&p).unwrap();
}

// ------------------------------------------------------------------------------------------------
// Generated trees
// ------------------------------------------------------------------------------------------------

/// Every generated node gets this span; the comparison ignores spans.
const NO_SPAN: Span = Span { start: 0, end: 0 };

fn ex(kind: ExprKind) -> Expr {
    Expr::new(kind, NO_SPAN)
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// Keywords, reserved-looking words and odd characters, so quoting is exercised.
const TRICKY_NAMES: &[&str] = &[
    "select", "from", "if", "left", "limit", "not", "null", "true", "False", "inf", "nan",
    "infinity", "top", "in", "and", "end", "let", "fun", "return", "catch", "cohort", "first",
    "array", "a b", "a`b", "a\\b", "a'b", "1abc", "é", "a\nb", "$browser", "a.b", "day",
];

/// Names for fields, aliases, variables, functions.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z_][a-z0-9_]{0,6}",
        1 => "\\$[a-z]{1,5}",
        2 => proptest::sample::select(TRICKY_NAMES).prop_map(str::to_string),
        1 => "[ -~]{1,4}",
    ]
    .prop_filter("`*` is the star field", |n| n != "*")
}

/// Alias names: the parser rejects `true`, `false`, `null` and `team_id` (quoted or not).
fn alias_name() -> impl Strategy<Value = String> {
    name().prop_filter("reserved alias", |n| {
        !["true", "false", "null", "team_id"]
            .iter()
            .any(|r| n.eq_ignore_ascii_case(r))
    })
}

/// Function names, incl. keywords the grammar accepts bare as function names.
fn call_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-zA-Z0-9_]{0,8}",
        1 => proptest::sample::select(&["if", "left", "any", "range", "not", "trim", "NOT", "first", "select", "true"][..])
            .prop_map(str::to_string),
        1 => "[ -~]{1,4}",
    ]
}

fn string_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,6}",
        // quotes, backslashes, braces, control characters, NUL, non-ASCII
        "[a-z'\"`\\\\{}\n\r\t\u{0}\u{7}\u{8}\u{b}\u{c}é€😀]{0,8}",
        any::<String>(),
    ]
}

fn constant() -> impl Strategy<Value = Constant> {
    prop_oneof![
        Just(Constant::Null),
        any::<bool>().prop_map(Constant::Bool),
        any::<i64>().prop_map(Constant::Int),
        (0i64..100).prop_map(Constant::Int),
        any::<f64>().prop_map(Constant::Float),
        (i64::MAX as u64 + 1..=u64::MAX).prop_map(|v| Constant::BigInt(v.to_string())),
        // beyond i64 on the negative side, and beyond u128
        (i64::MAX as u64 + 2..=u64::MAX).prop_map(|v| Constant::BigInt(format!("-{v}"))),
        "[1-9][0-9]{39,42}".prop_map(Constant::BigInt),
        string_value().prop_map(Constant::String),
    ]
}

fn field() -> impl Strategy<Value = Expr> {
    proptest::collection::vec(name(), 1..=3).prop_map(|names| {
        ex(ExprKind::Field(Field {
            chain: names.into_iter().map(ChainPart::Name).collect(),
        }))
    })
}

fn leaf() -> BoxedStrategy<Expr> {
    prop_oneof![
        3 => constant().prop_map(|c| ex(ExprKind::Constant(c))),
        3 => field(),
        1 => (0i64..50).prop_map(|n| ex(ExprKind::PositionalRef(n))),
    ]
    .boxed()
}

fn call(name: String, args: Vec<Expr>) -> Call {
    Call {
        name,
        args,
        params: None,
        distinct: false,
        order_by: None,
        filter_expr: None,
        within_group: None,
        desugared: false,
    }
}

fn sugar(name: &str, args: Vec<Expr>) -> Expr {
    ex(ExprKind::Call(Box::new(Call {
        desugared: true,
        ..call(name.to_string(), args)
    })))
}

fn is_kind_and(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::And(_))
}

fn is_kind_or(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Or(_))
}

fn order_expr(e: BoxedStrategy<Expr>) -> impl Strategy<Value = OrderExpr> {
    (
        e,
        prop_oneof![Just(Order::Asc), Just(Order::Desc)],
        prop_oneof![
            Just(None),
            Just(Some(NullsOrder::First)),
            Just(Some(NullsOrder::Last))
        ],
    )
        .prop_map(|(e, order, nulls)| OrderExpr {
            expr: bx(e),
            order,
            nulls,
            span: NO_SPAN,
        })
}

fn frame_bound() -> impl Strategy<Value = WindowFrameExpr> {
    (
        prop_oneof![
            Just(FrameType::Preceding),
            Just(FrameType::Following),
            Just(FrameType::CurrentRow)
        ],
        proptest::option::of(0i64..100),
    )
        .prop_map(|(frame_type, v)| WindowFrameExpr {
            frame_type,
            frame_value: if frame_type == FrameType::CurrentRow {
                None
            } else {
                v
            },
            span: NO_SPAN,
        })
}

fn window_expr(e: BoxedStrategy<Expr>) -> impl Strategy<Value = WindowExpr> {
    (
        proptest::option::of(proptest::collection::vec(e.clone(), 1..3)),
        proptest::option::of(proptest::collection::vec(order_expr(e), 1..3)),
        proptest::option::of((
            prop_oneof![Just(FrameMethod::Rows), Just(FrameMethod::Range)],
            frame_bound(),
            proptest::option::of(frame_bound()),
        )),
    )
        .prop_map(|(partition_by, order_by, frame)| WindowExpr {
            partition_by,
            order_by,
            frame_method: frame.as_ref().map(|f| f.0),
            frame_start: frame.as_ref().map(|f| f.1.clone()),
            frame_end: frame.and_then(|f| f.2),
            span: NO_SPAN,
        })
}

/// Operands `NOT` can take back from text: the parser reads `NOT (x)` as the call `not(x)`, so
/// the operand of a `Not` node never starts with a bracket or sign, and is never looser than
/// BETWEEN. These shapes satisfy both.
fn not_operand(e: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    prop_oneof![
        field(),
        (call_name(), proptest::collection::vec(e.clone(), 0..3))
            .prop_map(|(n, a)| ex(ExprKind::Call(Box::new(call(n, a))))),
        (field(), e).prop_map(|(l, r)| ex(ExprKind::CompareOperation(CompareOperation {
            op: CompareOp::Lt,
            left: bx(l),
            right: bx(r),
            is_null_style: false,
        }))),
    ]
    .boxed()
}

fn compare_op() -> impl Strategy<Value = CompareOp> {
    proptest::sample::select(vec![
        CompareOp::Eq,
        CompareOp::NotEq,
        CompareOp::Lt,
        CompareOp::LtEq,
        CompareOp::Gt,
        CompareOp::GtEq,
        CompareOp::Like,
        CompareOp::ILike,
        CompareOp::NotLike,
        CompareOp::NotILike,
        CompareOp::In,
        CompareOp::GlobalIn,
        CompareOp::NotIn,
        CompareOp::GlobalNotIn,
        CompareOp::InCohort,
        CompareOp::NotInCohort,
        CompareOp::Regex,
        CompareOp::NotRegex,
        CompareOp::IRegex,
        CompareOp::NotIRegex,
    ])
}

fn arith_op() -> impl Strategy<Value = ArithmeticOp> {
    proptest::sample::select(vec![
        ArithmeticOp::Add,
        ArithmeticOp::Sub,
        ArithmeticOp::Mult,
        ArithmeticOp::Div,
        ArithmeticOp::Mod,
    ])
}

/// A plain call in one of the parser's shapes: `f(args)`, `f(DISTINCT args ORDER BY …)`,
/// `f(params)(args)`, `f(params) WITHIN GROUP (ORDER BY …)`, each optionally with FILTER.
fn plain_call(e: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let args = proptest::collection::vec(e.clone(), 0..3);
    (
        call_name(),
        args.clone(),
        proptest::option::of(args),
        any::<bool>(),
        proptest::option::of(proptest::collection::vec(order_expr(e.clone()), 1..3)),
        proptest::option::of(e),
        0u8..4,
    )
        .prop_map(|(name, args, params, distinct, order, filter, shape)| {
            let mut c = call(name, args);
            // DISTINCT and ORDER BY need at least one argument.
            let has_args = !c.args.is_empty();
            c.distinct = distinct && has_args;
            c.order_by = order.filter(|_| has_args);
            c.filter_expr = filter.map(bx);
            match shape {
                0 => c.params = params,
                1 => {
                    // WITHIN GROUP: the parenthesised values become the parameters.
                    c.params = Some(std::mem::take(&mut c.args));
                    c.within_group = c.order_by.clone().or_else(|| Some(Vec::new()));
                    if c.within_group.as_ref().is_some_and(Vec::is_empty) {
                        c.within_group = None;
                        c.args = c.params.take().unwrap_or_default();
                    }
                }
                _ => {}
            }
            ex(ExprKind::Call(Box::new(c)))
        })
}

/// Calls the parser builds from other syntax, with the argument shapes it gives them.
fn sugared(e: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let v = |n| proptest::collection::vec(e.clone(), n);
    prop_oneof![
        // `a || b`; `||` flattens nested concats, f-strings do not (the printer then writes
        // an f-string).
        v(2..5).prop_map(|a| sugar("concat", a)),
        v(2..3).prop_map(|a| sugar("ifNull", a)),
        v(3..4).prop_map(|a| sugar("if", a)),
        prop_oneof![v(5..6), v(7..8)].prop_map(|a| sugar("multiIf", a)),
        prop_oneof![v(4..5), v(6..7)].prop_map(|a| sugar("_caseWithExpression", a)),
        (
            proptest::sample::select(vec![
                "toIntervalSecond",
                "toIntervalMinute",
                "toIntervalHour",
                "toIntervalDay",
                "toIntervalWeek",
                "toIntervalMonth",
                "toIntervalQuarter",
                "toIntervalYear"
            ]),
            e.clone()
        )
            .prop_map(|(n, x)| sugar(n, vec![x])),
        (
            proptest::sample::select(vec!["trim", "trimLeft", "trimRight"]),
            e,
            string_value()
        )
            .prop_map(|(n, x, s)| sugar(n, vec![x, ex(ExprKind::Constant(Constant::String(s)))])),
    ]
}

fn tag(e: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let attr_value = prop_oneof![
        string_value().prop_map(|s| ex(ExprKind::Constant(Constant::String(s)))),
        e.clone(),
    ];
    let attr = (
        "[a-z_][a-z0-9_]{0,5}".prop_filter("reserved attribute names", |n| {
            !["children", "not", "null", "inf", "nan", "top"].contains(&n.as_str())
        }),
        attr_value,
    );
    let child = prop_oneof![
        "[a-zA-Z ,.!]{1,8}".prop_map(|s| ex(ExprKind::Constant(Constant::String(s)))),
        string_value().prop_map(|s| ex(ExprKind::Constant(Constant::String(s)))),
        e,
    ];
    (
        "[a-zA-Z_][a-zA-Z0-9_-]{0,5}",
        proptest::collection::vec(attr, 0..3),
        proptest::option::of(proptest::collection::vec(child, 1..4)),
    )
        .prop_map(|(kind, attrs, children)| {
            let mut attributes: Vec<HogQLXAttribute> = attrs
                .into_iter()
                .map(|(name, v)| HogQLXAttribute {
                    name,
                    value: HogQLXValue::Expr(bx(v)),
                    span: NO_SPAN,
                })
                .collect();
            if let Some(c) = children {
                attributes.push(HogQLXAttribute {
                    name: "children".into(),
                    value: HogQLXValue::Children(c),
                    span: NO_SPAN,
                });
            }
            ex(ExprKind::HogQLXTag(Box::new(HogQLXTag {
                kind,
                attributes,
            })))
        })
}

/// Expressions of every kind, nested a few levels.
fn expr() -> BoxedStrategy<Expr> {
    leaf()
        .prop_recursive(3, 24, 4, |inner| {
            let e = inner.clone();
            let list = |n| proptest::collection::vec(inner.clone(), n);
            prop_oneof![
                (e.clone(), alias_name()).prop_map(|(x, alias)| ex(ExprKind::Alias(Alias {
                    expr: bx(x),
                    alias,
                    hidden: false
                }))),
                (arith_op(), e.clone(), e.clone()).prop_map(|(op, l, r)| ex(
                    ExprKind::ArithmeticOperation(ArithmeticOperation {
                        op,
                        left: bx(l),
                        right: bx(r)
                    })
                )),
                (compare_op(), e.clone(), e.clone()).prop_map(|(op, l, r)| ex(
                    ExprKind::CompareOperation(CompareOperation {
                        op,
                        left: bx(l),
                        right: bx(r),
                        is_null_style: false
                    })
                )),
                (any::<bool>(), e.clone()).prop_map(|(neg, l)| ex(ExprKind::CompareOperation(
                    CompareOperation {
                        op: if neg { CompareOp::NotEq } else { CompareOp::Eq },
                        left: bx(l),
                        right: bx(ex(ExprKind::Constant(Constant::Null))),
                        is_null_style: true
                    }
                ))),
                (e.clone(), e.clone(), e.clone(), any::<bool>()).prop_map(
                    |(x, lo, hi, negated)| ex(ExprKind::BetweenExpr(BetweenExpr {
                        expr: bx(x),
                        low: bx(lo),
                        high: bx(hi),
                        negated
                    }))
                ),
                // AND/OR flatten nested AND/OR of the same kind, parenthesised or not.
                list(2..4)
                    .prop_filter("nested AND", |v| !v.iter().any(is_kind_and))
                    .prop_map(|v| ex(ExprKind::And(v))),
                list(2..4)
                    .prop_filter("nested OR", |v| !v.iter().any(is_kind_or))
                    .prop_map(|v| ex(ExprKind::Or(v))),
                not_operand(e.clone()).prop_map(|x| ex(ExprKind::Not(bx(x)))),
                plain_call(e.clone()),
                sugared(e.clone()),
                // Any callee: the printer puts single names and calls in parentheses, so
                // `(f(a))(b)` stays an ExprCall instead of merging into `f(a)(b)`.
                (
                    prop_oneof![
                        // `a.b(1)`: a dotted callee; single names and calls get parentheses
                        field(),
                        e.clone()
                    ],
                    list(0..3)
                )
                    .prop_map(|(callee, args)| {
                        ex(ExprKind::ExprCall(ExprCall {
                            expr: bx(callee),
                            args,
                        }))
                    }),
                (
                    call_name(),
                    list(0..3),
                    list(0..2),
                    prop_oneof![
                        name().prop_map(WindowOver::Name),
                        window_expr(e.clone()).prop_map(|w| WindowOver::Expr(Box::new(w)))
                    ]
                )
                    .prop_map(|(name, exprs, args, over)| ex(
                        ExprKind::WindowFunction(Box::new(WindowFunction {
                            name,
                            exprs,
                            args,
                            over
                        }))
                    )),
                (proptest::collection::vec(name(), 0..3), e.clone()).prop_map(|(args, body)| ex(
                    ExprKind::Lambda(Box::new(Lambda {
                        args,
                        body: LambdaBody::Expr(bx(body))
                    }))
                )),
                list(0..3).prop_map(|v| ex(ExprKind::Array(v))),
                list(1..3).prop_map(|v| ex(ExprKind::Tuple(v))),
                proptest::collection::vec((e.clone(), e.clone()), 0..3)
                    .prop_map(|v| ex(ExprKind::Dict(v))),
                e.clone().prop_map(|x| ex(ExprKind::Placeholder(bx(x)))),
                (e.clone(), e.clone(), any::<bool>()).prop_map(|(a, p, nullish)| ex(
                    ExprKind::ArrayAccess(ArrayAccess {
                        array: bx(a),
                        property: bx(p),
                        nullish
                    })
                )),
                (
                    e.clone(),
                    proptest::option::of(e.clone()),
                    proptest::option::of(e.clone())
                )
                    .prop_map(|(a, s, en)| ex(ExprKind::ArraySlice(ArraySlice {
                        array: bx(a),
                        start: s.map(bx),
                        end: en.map(bx)
                    }))),
                (e.clone(), 0i64..20, any::<bool>()).prop_map(|(t, index, nullish)| ex(
                    ExprKind::TupleAccess(TupleAccess {
                        tuple: bx(t),
                        index,
                        nullish
                    })
                )),
                // The parser lower-cases type names.
                (e.clone(), name()).prop_map(|(x, t)| ex(ExprKind::TypeCast(TypeCast {
                    expr: bx(x),
                    type_name: t.to_lowercase()
                }))),
                (e.clone(), e.clone(), any::<bool>()).prop_map(|(l, r, negated)| ex(
                    ExprKind::IsDistinctFrom(IsDistinctFrom {
                        left: bx(l),
                        right: bx(r),
                        negated
                    })
                )),
                tag(e.clone()),
                small_select().prop_map(|q| ex(ExprKind::SelectQuery(Box::new(q)))),
                // A set operation as a subquery, its first member a SELECT or itself a set
                // (printed in parentheses: `((SELECT 1 UNION ALL SELECT 2) EXCEPT …)`).
                (
                    small_select(),
                    set_operator(),
                    small_select(),
                    proptest::option::of((set_operator(), small_select())),
                )
                    .prop_map(|(a, op, b, outer)| {
                        let set = two_member_set;
                        let inner = set(Query::Select(Box::new(a)), op, b);
                        ex(ExprKind::SelectSetQuery(Box::new(match outer {
                            Some((op2, c)) => set(Query::SelectSet(Box::new(inner)), op2, c),
                            None => inner,
                        })))
                    }),
            ]
        })
        .boxed()
}

fn select_of(columns: Vec<Expr>) -> SelectQuery {
    SelectQuery::new(columns, NO_SPAN)
}

/// A small SELECT used as a subquery (kept small so nesting stays cheap).
fn small_select() -> impl Strategy<Value = SelectQuery> {
    (
        proptest::collection::vec(leaf(), 1..3),
        proptest::option::of(field()),
    )
        .prop_map(|(cols, from)| {
            let mut q = select_of(cols);
            q.select_from = from.map(|t| Box::new(join(t, None)));
            q
        })
}

fn join(table: Expr, join_type: Option<String>) -> JoinExpr {
    JoinExpr {
        join_type,
        table: bx(table),
        table_args: None,
        alias: None,
        table_final: false,
        sample: None,
        constraint: None,
        next_join: None,
        span: NO_SPAN,
    }
}

const JOIN_TYPES: &[&str] = &[
    "JOIN",
    "INNER JOIN",
    "LEFT JOIN",
    "LEFT OUTER JOIN",
    "RIGHT JOIN",
    "RIGHT OUTER JOIN",
    "FULL OUTER JOIN",
    "FULL JOIN",
    "ANY INNER JOIN",
    "ALL INNER JOIN",
    "ASOF INNER JOIN",
    "LEFT ANY JOIN",
    "LEFT SEMI JOIN",
    "RIGHT ANTI JOIN",
    "LEFT OUTER ASOF JOIN",
    "FULL ALL JOIN",
    "CROSS JOIN",
];

fn ratio() -> impl Strategy<Value = RatioExpr> {
    let number = prop_oneof![
        (0i64..1000).prop_map(Constant::Int),
        (0.0f64..10.0).prop_map(Constant::Float),
    ]
    .prop_map(|c| ex(ExprKind::Constant(c)));
    (number.clone(), proptest::option::of(number)).prop_map(|(l, r)| RatioExpr {
        left: bx(l),
        right: r.map(bx),
        span: NO_SPAN,
    })
}

/// One table of a FROM clause: a name, a table function, a subquery or a placeholder, with
/// the optional alias, FINAL and SAMPLE.
fn table(e: BoxedStrategy<Expr>) -> impl Strategy<Value = JoinExpr> {
    let base = prop_oneof![
        3 => field().prop_map(|t| (t, None)),
        1 => (name(), proptest::collection::vec(e.clone(), 0..3)).prop_map(|(n, args)| {
            (ex(ExprKind::Field(Field { chain: vec![ChainPart::Name(n)] })), Some(args))
        }),
        1 => small_select().prop_map(|q| (ex(ExprKind::SelectQuery(Box::new(q))), None)),
        1 => e.prop_map(|x| (ex(ExprKind::Placeholder(bx(x))), None)),
    ];
    (
        base,
        proptest::option::of(alias_name()),
        any::<bool>(),
        proptest::option::of(ratio()),
    )
        .prop_map(|((t, args), alias, table_final, sample)| {
            let mut j = join(t, None);
            j.table_args = args;
            j.alias = alias;
            j.table_final = table_final;
            // `SAMPLE r OFFSET o` is left out: OFFSET there parses as the query's OFFSET unless
            // nothing else follows the FROM clause (see the fixtures for that form).
            j.sample = sample.map(|r| SampleExpr {
                sample_value: r,
                offset_value: None,
                span: NO_SPAN,
            });
            j
        })
}

fn from_clause(e: BoxedStrategy<Expr>) -> impl Strategy<Value = JoinExpr> {
    (
        table(e.clone()),
        proptest::collection::vec(
            (
                table(e.clone()),
                proptest::sample::select(JOIN_TYPES),
                e.clone(),
                any::<bool>(),
            ),
            0..3,
        ),
    )
        .prop_map(|(first, rest)| {
            // Build the chain from the back.
            let mut next: Option<Box<JoinExpr>> = None;
            for (mut j, kind, cond, using) in rest.into_iter().rev() {
                j.join_type = Some(kind.to_string());
                if kind != "CROSS JOIN" {
                    j.constraint = Some(JoinConstraint {
                        expr: bx(cond),
                        constraint_type: if using {
                            ConstraintType::Using
                        } else {
                            ConstraintType::On
                        },
                        span: NO_SPAN,
                    });
                }
                j.next_join = next;
                next = Some(Box::new(j));
            }
            let mut first = first;
            first.next_join = next;
            first
        })
}

/// A SELECT with any subset of its clauses.
fn select() -> impl Strategy<Value = SelectQuery> {
    let e = expr();
    let list = |n| proptest::collection::vec(e.clone(), n);
    let opt = |s: BoxedStrategy<Expr>| proptest::option::of(s.prop_map(bx));
    let ctes = proptest::option::of(proptest::collection::vec(
        prop_oneof![
            (name(), small_select()).prop_map(|(name, q)| Cte {
                name,
                expr: ex(ExprKind::SelectQuery(Box::new(q))),
                cte_type: CteType::Subquery,
                span: NO_SPAN,
            }),
            (e.clone(), name()).prop_map(|(x, name)| Cte {
                name,
                expr: x,
                cte_type: CteType::Column,
                span: NO_SPAN,
            }),
        ],
        1..3,
    ));
    let head = (
        ctes,
        any::<bool>(),
        list(1..4),
        proptest::option::of(from_clause(e.clone())),
    );
    let array_join = proptest::option::of((
        prop_oneof![
            Just(ArrayJoinKind::Array),
            Just(ArrayJoinKind::Left),
            Just(ArrayJoinKind::Inner)
        ],
        list(1..3),
    ));
    let filters = (
        opt(e.clone()),
        opt(e.clone()),
        proptest::option::of((
            list(1..3),
            prop_oneof![
                Just(None),
                Just(Some(GroupByMode::Cube)),
                Just(Some(GroupByMode::Rollup))
            ],
        )),
        opt(e.clone()),
        opt(e.clone()),
    );
    let windows = proptest::option::of(proptest::collection::vec(
        (name(), window_expr(e.clone())).prop_map(|(name, window)| NamedWindow {
            name,
            window,
            span: NO_SPAN,
        }),
        1..3,
    ));
    let tail = (
        proptest::option::of(proptest::collection::vec(order_expr(e.clone()), 1..3)),
        proptest::option::of((e.clone(), opt(e.clone()), list(1..3))),
        opt(e.clone()),
        any::<bool>(),
        opt(e.clone()),
    );
    (head, array_join, filters, windows, tail).prop_map(
        |(
            (ctes, distinct, columns, from),
            array_join,
            (prewhere, where_, group, having, qualify),
            window_exprs,
            (order_by, limit_by, limit, ties, offset),
        )| {
            let mut q = select_of(columns);
            q.ctes = ctes;
            q.distinct = distinct;
            // ARRAY JOIN is part of the FROM clause.
            q.array_join = array_join
                .filter(|_| from.is_some())
                .map(|(kind, exprs)| ArrayJoin {
                    kind,
                    exprs,
                    span: NO_SPAN,
                });
            q.select_from = from.map(Box::new);
            q.prewhere = prewhere;
            q.where_ = where_;
            if let Some((g, mode)) = group {
                q.group_by = Some(g);
                q.group_by_mode = mode;
            }
            q.having = having;
            q.qualify = qualify;
            q.window_exprs = window_exprs;
            q.order_by = order_by;
            q.limit_by = limit_by.map(|(n, offset_value, exprs)| LimitByExpr {
                n: bx(n),
                offset_value,
                exprs,
                span: NO_SPAN,
            });
            // `… SAMPLE r OFFSET n` with nothing between: the parser gives the OFFSET to the
            // sample (as PostHog does), so a query OFFSET without LIMIT goes without samples.
            if offset.is_some() && limit.is_none() {
                let mut j = q.select_from.as_deref_mut();
                while let Some(t) = j {
                    t.sample = None;
                    j = t.next_join.as_deref_mut();
                }
            }
            q.limit_with_ties = ties && limit.is_some();
            q.limit = limit;
            q.offset = offset;
            q
        },
    )
}

fn set_operator() -> impl Strategy<Value = SetOperator> {
    proptest::sample::select(vec![
        SetOperator::UnionAll,
        SetOperator::UnionDistinct,
        SetOperator::Intersect,
        SetOperator::IntersectDistinct,
        SetOperator::Except,
    ])
}

/// `first <op> b`, without a LIMIT/OFFSET of its own.
fn two_member_set(first: Query, op: SetOperator, b: SelectQuery) -> SelectSetQuery {
    SelectSetQuery {
        initial_select_query: first,
        subsequent_select_queries: vec![SelectSetNode {
            set_operator: op,
            select_query: Query::Select(Box::new(b)),
            span: NO_SPAN,
        }],
        limit: None,
        offset: None,
        order_by: None,
        span: NO_SPAN,
    }
}

/// A query: a SELECT or a set operation whose members may themselves be (parenthesised) sets.
fn query() -> impl Strategy<Value = Query> {
    let member = prop_oneof![
        3 => select().prop_map(|s| Query::Select(Box::new(s))),
        1 => (small_select(), set_operator(), small_select()).prop_map(|(a, op, b)| {
            Query::SelectSet(Box::new(two_member_set(Query::Select(Box::new(a)), op, b)))
        }),
    ];
    // The set's own `LIMIT n OFFSET m` (printed after a parenthesised last member).
    let count = || {
        proptest::option::of(0i64..1000)
            .prop_map(|n| n.map(|n| bx(ex(ExprKind::Constant(Constant::Int(n))))))
    };
    prop_oneof![
        2 => select().prop_map(|s| Query::Select(Box::new(s))),
        1 => (
            member.clone(),
            proptest::collection::vec((set_operator(), member), 1..3),
            count(),
            count(),
            proptest::option::of(proptest::collection::vec(order_expr(leaf()), 1..3)),
        )
            .prop_map(|(first, rest, limit, offset, order_by)| {
                Query::SelectSet(Box::new(SelectSetQuery {
                    initial_select_query: first,
                    subsequent_select_queries: rest
                        .into_iter()
                        .map(|(op, q)| SelectSetNode {
                            set_operator: op,
                            select_query: q,
                            span: NO_SPAN,
                        })
                        .collect(),
                    limit,
                    offset,
                    order_by,
                    span: NO_SPAN,
                }))
            }),
    ]
}

fn st(kind: StmtKind) -> Stmt {
    Stmt::new(kind, NO_SPAN)
}

fn block(stmts: Vec<Stmt>) -> Block {
    Block {
        declarations: stmts,
        span: NO_SPAN,
    }
}

/// Whether a statement ends in an `if` without `else` (directly or as the body of a loop):
/// such a statement cannot be the `then` branch of an `if … else`, where the `else` would
/// attach to the inner `if`.
fn is_open(s: &Stmt) -> bool {
    match &s.kind {
        StmtKind::If { else_: None, .. } => true,
        StmtKind::If { else_: Some(e), .. } => is_open(e),
        StmtKind::While { body, .. }
        | StmtKind::For { body, .. }
        | StmtKind::ForIn { body, .. } => is_open(body),
        _ => false,
    }
}

/// Whether Hog text for `e` may start a statement: the grammar's statement start excludes
/// `{ ( [ - + *` (a statement starting with them would continue the previous one).
fn starts_statement(e: &Expr) -> bool {
    let text = print_hog_expr(e);
    !matches!(
        text.as_bytes().first(),
        Some(b'{' | b'(' | b'[' | b'-' | b'+' | b'*')
    )
}

/// Expressions that may start a statement.
fn stmt_expr() -> BoxedStrategy<Expr> {
    expr()
        .prop_filter("statement start", starts_statement)
        .boxed()
}

/// The simple statements allowed in a `for (…;…;…)` head.
fn for_part() -> impl Strategy<Value = Stmt> {
    prop_oneof![
        (name(), proptest::option::of(expr()))
            .prop_map(|(name, expr)| st(StmtKind::VarDecl { name, expr })),
        (field(), expr()).prop_map(|(left, right)| st(StmtKind::Assign { left, right })),
        expr().prop_map(|e| st(StmtKind::Expr(Some(e)))),
    ]
}

/// Hog statements. Not generated: the empty statement `StmtKind::Expr(None)` — `if (x) ;`
/// fails in this parser while PostHog's accepts it (parser bug, reported).
fn stmt() -> BoxedStrategy<Stmt> {
    let simple = prop_oneof![
        (name(), proptest::option::of(expr()))
            .prop_map(|(name, expr)| st(StmtKind::VarDecl { name, expr })),
        (
            prop_oneof![
                field(),
                (field(), expr()).prop_map(|(a, p)| ex(ExprKind::ArrayAccess(ArrayAccess {
                    array: bx(a),
                    property: bx(p),
                    nullish: false
                }))),
            ],
            expr()
        )
            .prop_map(|(left, right)| st(StmtKind::Assign { left, right })),
        stmt_expr().prop_map(|e| st(StmtKind::Expr(Some(e)))),
        proptest::option::of(expr()).prop_map(|e| st(StmtKind::Return(e))),
        expr().prop_map(|e| st(StmtKind::Throw(e))),
    ];
    simple
        .prop_recursive(3, 16, 3, |inner| {
            let blk = proptest::collection::vec(inner.clone(), 0..3).prop_map(block);
            prop_oneof![
                (expr(), inner.clone(), proptest::option::of(inner.clone())).prop_map(
                    |(cond, then, else_)| {
                        // The `then` of an if/else must be closed; a block closes it.
                        let then = if else_.is_some() && is_open(&then) {
                            st(StmtKind::Block(block(vec![then])))
                        } else {
                            then
                        };
                        st(StmtKind::If {
                            cond,
                            then: Box::new(then),
                            else_: else_.map(Box::new),
                        })
                    }
                ),
                (expr(), inner.clone()).prop_map(|(cond, body)| st(StmtKind::While {
                    cond,
                    body: Box::new(body)
                })),
                (
                    proptest::option::of(for_part()),
                    proptest::option::of(expr()),
                    proptest::option::of(for_part()),
                    inner.clone()
                )
                    .prop_map(|(init, cond, step, body)| st(StmtKind::For {
                        init: init.map(Box::new),
                        cond,
                        step: step.map(Box::new),
                        body: Box::new(body)
                    })),
                (proptest::option::of(name()), name(), expr(), inner.clone()).prop_map(
                    |(key_var, value_var, expr, body)| st(StmtKind::ForIn {
                        key_var,
                        value_var,
                        expr,
                        body: Box::new(body)
                    })
                ),
                (name(), proptest::collection::vec(name(), 0..3), blk.clone())
                    .prop_map(|(name, params, body)| st(StmtKind::Function { name, params, body })),
                blk.clone().prop_map(|b| st(StmtKind::Block(b))),
                (
                    blk.clone(),
                    proptest::collection::vec(
                        (
                            proptest::option::of((name(), proptest::option::of(name()))),
                            blk.clone()
                        ),
                        0..3
                    ),
                    proptest::option::of(blk.clone())
                )
                    .prop_map(|(try_block, catches, finally)| st(
                        StmtKind::TryCatch {
                            try_block,
                            catches: catches
                                .into_iter()
                                .map(|(v, body)| CatchClause {
                                    var: v.as_ref().map(|v| v.0.clone()),
                                    error_type: v.and_then(|v| v.1),
                                    body,
                                    span: NO_SPAN,
                                })
                                .collect(),
                            finally
                        }
                    )),
                // A lambda with a block body, as an expression statement.
                (name(), name(), blk).prop_map(|(target, arg, body)| st(StmtKind::Assign {
                    left: ex(ExprKind::Field(Field {
                        chain: vec![ChainPart::Name(target)]
                    })),
                    right: ex(ExprKind::Lambda(Box::new(Lambda {
                        args: vec![arg],
                        body: LambdaBody::Block(body)
                    })))
                })),
            ]
        })
        .boxed()
}

fn program() -> impl Strategy<Value = Program> {
    proptest::collection::vec(stmt(), 0..4).prop_map(|declarations| Program {
        declarations,
        span: NO_SPAN,
    })
}

/// Runs `check` on `cases` generated values on a thread with a large stack: proptest's
/// strategy trees for whole SELECTs have big frames in debug builds and overflow the default
/// 2 MiB test thread while generating (the printer and parser are not the deep part).
fn run_generated<S>(strategy: fn() -> S, check: fn(&S::Value) -> Result<(), String>)
where
    S: Strategy + 'static,
    S::Value: std::fmt::Debug,
{
    let handle = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let config = ProptestConfig {
                cases: if full() { 2000 } else { 150 },
                max_shrink_iters: 2000,
                // Failures are reported with their minimal input; no regression files.
                failure_persistence: None,
                ..ProptestConfig::default()
            };
            let mut runner = proptest::test_runner::TestRunner::new(config);
            runner
                .run(&strategy(), |v| check(&v).map_err(TestCaseError::fail))
                .map_err(|e| e.to_string())
        })
        .expect("spawn the test thread");
    match handle.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{e}"),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

#[test]
fn generated_expressions_round_trip() {
    run_generated(expr, expr_round_trip);
}

#[test]
fn generated_queries_round_trip() {
    run_generated(query, query_round_trip);
}

#[test]
fn generated_programs_round_trip() {
    run_generated(program, program_round_trip);
}

/// The deepest trees the parser accepts print and parse back on an ordinary 2 MiB thread
/// (the printer recurses once per level; the parser caps the depth at `MAX_DEPTH`). The
/// comparison (serde_json, recursive) runs on a bigger stack afterwards.
#[test]
fn deepest_trees_round_trip() {
    let depth = hogql_parser::MAX_DEPTH as usize - 2;
    let sources = [
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth)),
        format!("{}x{}", "f(".repeat(depth), ")".repeat(depth)),
        "not ".repeat(depth) + "x",
        // parentheses count as a level of their own
        format!("{}1{}", "(1 + ".repeat(depth / 2), ")".repeat(depth / 2)),
        format!("{}1{}", "{'a': ".repeat(depth), "}".repeat(depth)),
    ];
    let program = format!(
        "{}let x := 1;{}",
        "{".repeat(depth / 2),
        "}".repeat(depth / 2)
    );
    let small = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let exprs: Vec<(Expr, Expr)> = sources
                .iter()
                .map(|src| {
                    let e = parse_expr(src).unwrap_or_else(|err| panic!("{src:.40}…: {err:?}"));
                    let again = parse_expr(&print_expr(&e)).expect("printed text parses");
                    (e, again)
                })
                .collect();
            let p = parse_program(&program).unwrap_or_else(|err| panic!("{err:?}"));
            let again = parse_program(&print_program(&p)).expect("printed program parses");
            (exprs, (p, again))
        })
        .expect("spawn");
    let (exprs, programs) = match small.join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let big = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            for (a, b) in &exprs {
                assert!(shape(a) == shape(b), "deep expression changed");
            }
            assert!(
                shape(&programs.0) == shape(&programs.1),
                "deep program changed"
            );
        })
        .expect("spawn");
    if let Err(panic) = big.join() {
        std::panic::resume_unwind(panic);
    }
}
