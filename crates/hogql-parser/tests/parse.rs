//! Parser behaviour on small inputs: shapes of the tree, errors, limits.

use hogql_parser::ast::*;
use hogql_parser::posthog_json::{JsonOptions, expr_to_json, program_to_json, query_to_json};
use hogql_parser::{ErrorKind, MAX_DEPTH, parse_expr, parse_program, parse_select, parse_template};

fn ej(src: &str) -> String {
    let e = parse_expr(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    expr_to_json(&e, &JsonOptions { positions: None })
}

#[test]
fn precedence_and_desugaring() {
    assert_eq!(
        ej("1 + 2 * 3"),
        r#"{"left":{"node":"Constant","value":1},"node":"ArithmeticOperation","op":"+","right":{"left":{"node":"Constant","value":2},"node":"ArithmeticOperation","op":"*","right":{"node":"Constant","value":3}}}"#
    );
    assert_eq!(
        ej("a ?? b ?? c"),
        ej("ifNull(a, b) ?? c")
            .replace(r#","distinct":false,"filter_expr":null"#, "")
            .replace(r#","order_by":null,"params":null"#, "")
    );
    assert!(ej("not a = b and c").starts_with(r#"{"exprs":[{"expr":{"left""#));
    assert_eq!(ej("- 1"), r#"{"node":"Constant","value":-1}"#);
    assert!(ej("-(1)").contains(r#""op":"-""#));
    assert_eq!(
        ej("x is not null"),
        r#"{"is_null_comparison_style":true,"left":{"chain":["x"],"node":"Field"},"node":"CompareOperation","op":"!=","right":{"node":"Constant","value":null}}"#
    );
    assert!(ej("a not in (1, 2)").contains(r#""op":"not in""#));
    assert!(ej("(a).b").starts_with(r#"{"array""#));
    assert_eq!(ej("a.b.c"), r#"{"chain":["a","b","c"],"node":"Field"}"#);
    assert_eq!(ej("true"), r#"{"node":"Constant","value":true}"#);
    assert!(
        ej("quantile(0.9)(x)")
            .contains(r#""params":[{"node":"Constant","value":0.90000000000000002}]"#)
    );
    assert!(
        ej(
            "f(x) over (partition by a order by b rows between unbounded preceding and current row)"
        )
        .contains("WindowFunction")
    );
    assert!(ej("interval 1 day").contains("toIntervalDay"));
    assert!(ej("trim(leading 'x' from s)").contains("trimLeft"));
    assert!(ej("case x when 1 then 2 else 3 end").contains("_caseWithExpression"));
}

#[test]
fn select_queries() {
    let q = parse_select("select a, count() c from events e left join persons p on e.pid = p.id where x group by a order by c desc limit 10").unwrap();
    let Query::Select(s) = &q else {
        panic!("not a select")
    };
    assert_eq!(s.select.len(), 2);
    let from = s.select_from.as_ref().unwrap();
    assert_eq!(from.alias.as_deref(), Some("e"));
    assert_eq!(
        from.next_join.as_ref().unwrap().join_type.as_deref(),
        Some("LEFT JOIN")
    );
    assert!(s.limit.is_some());
    let q = parse_select("select 1 union all select 2 except select 3").unwrap();
    let Query::SelectSet(set) = &q else {
        panic!("not a set")
    };
    assert_eq!(set.subsequent_select_queries.len(), 2);
    let j = query_to_json(&q, &JsonOptions { positions: None });
    assert!(j.contains(r#""set_operator":"EXCEPT""#));
    assert!(parse_select("select 1 settings a = 1").unwrap_err()[0].kind == ErrorKind::Unsupported);
    assert!(parse_select("with a as (select 1) select * from a").is_ok());
    assert!(parse_select("select * from events sample 1/10 offset 1/2").is_ok());
    assert!(parse_select("select 1 from a array join b as c").is_ok());
}

#[test]
fn programs() {
    let src = "let x := 1\nfun f(a) { return a + x }\nif (x) print(f(2)) else { throw Error('no') }\nfor (let k, v in [1]) print(k)\ntry { x := if(x, 1, 2) } catch (e: Fish) { return } catch { }\nwhile (x < 3) x := x + 1\nreturn\n";
    let p = parse_program(src).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(p.declarations.len(), 7);
    let j = program_to_json(&p, &JsonOptions { positions: None });
    assert!(j.contains(r#""node":"TryCatchStatement""#));
    // `return` then an expression on the next line returns it
    let p = parse_program("return\n2 + 2").unwrap();
    assert!(matches!(&p.declarations[0].kind, StmtKind::Return(Some(_))));
    // dangling else goes to the inner if
    let p = parse_program("if (a) if (b) c else d").unwrap();
    let StmtKind::If { else_, then, .. } = &p.declarations[0].kind else {
        panic!()
    };
    assert!(else_.is_none());
    assert!(matches!(&then.kind, StmtKind::If { else_: Some(_), .. }));
}

#[test]
fn templates() {
    let e = parse_template("hello {name}!").unwrap();
    let j = expr_to_json(&e, &JsonOptions { positions: None });
    assert!(j.contains("concat"), "{j}");
    assert_eq!(
        expr_to_json(
            &parse_expr("f'{x}'").unwrap(),
            &JsonOptions { positions: None }
        ),
        r#"{"chain":["x"],"node":"Field"}"#
    );
}

#[test]
fn errors_have_spans_and_several_are_reported() {
    let errs = parse_expr("1 +").unwrap_err();
    assert_eq!(errs[0].kind, ErrorKind::UnexpectedEof);
    assert_eq!(errs[0].span.start, 3);
    let errs = parse_expr("1 ! 2").unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].kind, ErrorKind::UnexpectedCharacter);
    let errs = parse_program("let a := 1 +\nlet b := )\nlet c := 3").unwrap_err();
    assert!(errs.len() >= 2, "{errs:?}");
    assert!(parse_select("select x as team_id").is_err());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let errs = parse_expr(&deep).unwrap_err();
    assert!(
        errs.iter().any(|e| e.kind == ErrorKind::TooDeep),
        "{errs:?}"
    );
    let long_sum = vec!["a"; 20_000].join(" + ");
    assert!(parse_expr(&long_sum).is_err());
    let ok_sum = vec!["a"; (MAX_DEPTH / 2) as usize].join(" + ");
    assert!(
        parse_expr(&ok_sum).is_ok(),
        "{:?}",
        parse_expr(&ok_sum).err()
    );
    // flattened operators are not deep
    let ands = vec!["a"; 20_000].join(" and ");
    assert!(parse_expr(&ands).is_ok());
    let blocks = format!("{}{}", "{".repeat(5000), "}".repeat(5000));
    assert!(parse_program(&blocks).is_err());
}

/// Precedence as in PostHog's ANTLR grammar (checked against @posthog/hogql-parser).
#[test]
fn operator_chains_follow_posthog() {
    let same = |a: &str, b: &str| assert_eq!(ej(a), ej(b), "{a} vs {b}");
    same("a IS NULL = b", "(a IS NULL) = b");
    same("a = b IS NULL", "(a = b) IS NULL");
    same("a = NOT b AND c", "(a = NOT b) AND c");
    same("a + NOT b = c", "a + (NOT b = c)");
    same("a * NOT b + c", "a * (NOT b + c)");
    same(
        "a BETWEEN 1 AND 2 BETWEEN 3 AND 4",
        "(a BETWEEN 1 AND 2) BETWEEN 3 AND 4",
    );
    same("a BETWEEN b AND c = d", "a BETWEEN b AND (c = d)");
    same("a BETWEEN b AND c AND d", "(a BETWEEN b AND c) AND d");
    same("a ?? b = c", "a ?? (b = c)");
    assert!(ej("NOT a BETWEEN 1 AND 2").starts_with(r#"{"expr":{"expr""#));
    assert!(ej("NOT -1").contains(r#""node":"Not""#));
    assert!(ej("NOT [1]").contains(r#""node":"Not""#));
    // `NOT (…)` is the function `NOT`
    assert!(ej("NOT (a) = b").contains(r#""name":"NOT""#));
    assert_eq!(
        parse_expr("a BETWEEN 1").unwrap_err()[0].kind,
        ErrorKind::UnexpectedEof
    );
    // a chain of 10,000 prefix NOTs inside operands is an error, not a stack overflow
    let nots = vec!["NOT a"; 10_000].join(" + ");
    assert!(parse_expr(&nots).is_err());
}

#[test]
fn interval_strings() {
    assert_eq!(
        ej("INTERVAL '2 days'"),
        r#"{"args":[{"node":"Constant","value":2}],"name":"toIntervalDay","node":"Call"}"#
    );
    assert!(ej("INTERVAL '1 week'").contains("toIntervalWeek"));
    assert!(ej("INTERVAL '2' day").contains("toIntervalDay"));
    assert!(parse_expr("INTERVAL '2 fortnights'").is_err());
}

#[test]
fn spans_of_statements_and_limits() {
    let p = parse_program("x := 1;\nlet a := 1;\nif (a) b; else c;").unwrap();
    let ends: Vec<u32> = p.declarations.iter().map(|s| s.span.end).collect();
    // the `;` belongs to an assignment/expression statement, not to a declaration
    assert_eq!(ends, vec![7, 18, 37]);
    let StmtKind::If { then, .. } = &p.declarations[2].kind else {
        panic!()
    };
    assert_eq!(then.span.end, 29);
    let q = parse_select("SELECT a FROM t ORDER BY a LIMIT 1 WITH TIES").unwrap();
    let Query::Select(s) = &q else { panic!() };
    assert_eq!(s.span.end, 44);
}

#[test]
fn if_call_at_statement_start() {
    let p = parse_program("if(a, b, c)\nif (a) b\nif ([1, 2][0]) c").unwrap();
    assert!(matches!(&p.declarations[0].kind, StmtKind::Expr(Some(_))));
    assert!(matches!(&p.declarations[1].kind, StmtKind::If { .. }));
    assert!(matches!(&p.declarations[2].kind, StmtKind::If { .. }));
}

#[test]
fn sample_offset_ctes_before_sets_and_soft_keywords() {
    // `OFFSET` right after a SAMPLE ratio is the sample's offset; a JOIN may follow
    let q = parse_select("SELECT a FROM t SAMPLE 1/10 OFFSET 1/2 JOIN b ON 1").unwrap();
    let Query::Select(s) = &q else { panic!() };
    let from = s.select_from.as_ref().unwrap();
    assert!(from.sample.as_ref().unwrap().offset_value.is_some());
    assert!(from.next_join.is_some());
    assert!(s.offset.is_none());
    // the query's OFFSET after LIMIT is still the query's
    let q = parse_select("SELECT a FROM t SAMPLE 0.1 LIMIT 1 OFFSET 5").unwrap();
    let Query::Select(s) = &q else { panic!() };
    assert!(s.offset.is_some());
    // WITH before a parenthesised set: the CTEs go to its first SELECT
    let q = parse_select("WITH x AS (SELECT 1) (SELECT 1 UNION ALL SELECT 2)").unwrap();
    let Query::SelectSet(set) = &q else { panic!() };
    let Query::Select(first) = &set.initial_select_query else {
        panic!()
    };
    assert_eq!(first.ctes.as_ref().map(Vec::len), Some(1));
    // `limit` and `by` as column names
    let q = parse_select("SELECT limit, by FROM t LIMIT 1 BY by").unwrap();
    let Query::Select(s) = &q else { panic!() };
    assert_eq!(s.select.len(), 2);
    assert!(s.limit_by.is_some());
}

#[test]
fn query_span_covers_a_parenthesised_last_clause() {
    let src = "SELECT a FROM t WHERE (a OR b)";
    let Query::Select(s) = parse_select(src).unwrap() else {
        panic!()
    };
    assert_eq!(s.span.end as usize, src.len());
}

#[test]
fn empty_statement_bodies() {
    let p = parse_program("if (x) ;\nif (x) ; else ;\nwhile (x) ;\nif (a) b; else c").unwrap();
    assert_eq!(p.declarations.len(), 4);
    let StmtKind::If { then, else_, .. } = &p.declarations[1].kind else {
        panic!("not an if: {:?}", p.declarations[1].kind)
    };
    assert!(matches!(then.kind, StmtKind::Expr(None)));
    assert!(matches!(
        else_.as_deref().map(|s| &s.kind),
        Some(StmtKind::Expr(None))
    ));
    assert!(matches!(&p.declarations[2].kind, StmtKind::While { .. }));
    // a `;` is still not a statement of its own outside a body
    assert_eq!(parse_program("a;;b").unwrap().declarations.len(), 2);
}

#[test]
fn tag_gt_eq_dict_tuple_access_and_trailing_select_comma() {
    assert!(ej("<a>=</a>").contains(r#""value":"=""#));
    assert_eq!(
        ej("{}.1"),
        r#"{"index":1,"node":"TupleAccess","tuple":{"items":[],"node":"Dict"}}"#
    );
    let Query::Select(s) = parse_select("SELECT a, b, FROM t").unwrap() else {
        panic!()
    };
    assert_eq!(s.select.len(), 2);
    assert!(s.select_from.is_some());
    // `limit` after a comma is still a column
    let Query::Select(s) = parse_select("SELECT a, limit FROM t").unwrap() else {
        panic!()
    };
    assert_eq!(s.select.len(), 2);
}

#[test]
fn comma_inside_a_tag_does_not_make_if_a_call() {
    let p = parse_program("if (<_>,</_>) a := 1\nif(a<b, c, d)").unwrap();
    assert!(matches!(&p.declarations[0].kind, StmtKind::If { .. }));
    assert!(matches!(&p.declarations[1].kind, StmtKind::Expr(Some(_))));
}

#[test]
fn and_or_in_as_function_calls_where_an_operand_starts() {
    assert!(ej("and(a, b)").contains(r#""name":"and","node":"Call""#));
    assert!(ej("f(or(a, b))").contains(r#""name":"or","node":"Call""#));
    assert!(ej("[in(a, b)]").contains(r#""name":"in","node":"Call""#));
    // after an operand they are still operators
    assert!(ej("x in(1, 2) and(b)").starts_with(r#"{"exprs":[{"left""#));
    assert!(ej("{f} and (b)").contains(r#""node":"And""#));
}
