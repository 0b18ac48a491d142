//! JSON function tests: the corpus (`json`, `stl`), the stl-oracle cases, and Node's
//! `JSON.stringify`/`JSON.parse` behaviour.

use super::*;
use crate::env::Env;
use crate::memory::Memory;
use crate::value::dict_map_with_capacity;

fn call_with(mem: &mut Memory, name: &str, args: Vec<Value>) -> Result<Value, VmError> {
    let def = super::super::lookup(name).expect("registered");
    def.check_arity(args.len())?;
    let mut env = Env::new();
    let mut ctx = NativeCtx::new(mem, &[], &mut env);
    (def.call)(&mut ctx, &args)
}

fn call(name: &str, args: Vec<Value>) -> Result<Value, VmError> {
    call_with(&mut Memory::new(None), name, args)
}

fn p(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(v) => crate::print::display(&v, usize::MAX).unwrap(),
        Err(e) => format!("ERROR: {e}"),
    }
}

/// A short description of a result (never the whole value: test values can be huge).
fn outcome(r: &Result<Value, VmError>) -> String {
    match r {
        Ok(v) => format!("Ok({})", v.type_name()),
        Err(e) => format!("Err({e})"),
    }
}

fn s(x: &str) -> Value {
    Value::from(x)
}

fn i(x: i64) -> Value {
    Value::Int(x)
}

fn dict(pairs: Vec<(Value, Value)>) -> Value {
    let mut m = dict_map_with_capacity(pairs.len());
    for (k, v) in pairs {
        m.insert(DictKey(k), v);
    }
    Value::dict(m)
}

fn sample_dict() -> Value {
    dict(vec![
        (s("a"), s("hello")),
        (
            s("b"),
            Value::array(vec![i(-100), Value::Float(200.0), i(300)]),
        ),
    ])
}

const SAMPLE: &str = r#"{"a": "hello", "b": [-100, 200.0, 300]}"#;

#[test]
fn corpus_json_has() {
    let cases: Vec<(Vec<Value>, &str)> = vec![
        (vec![s(SAMPLE), s("b")], "true"),
        (vec![s(SAMPLE), s("b"), i(4)], "false"),
        (vec![sample_dict(), s("b")], "true"),
        (vec![sample_dict(), s("b"), i(4)], "false"),
        (vec![sample_dict(), s("b"), i(-2)], "true"),
        (vec![sample_dict(), s("b"), i(-4)], "false"),
        (vec![s("[1,2,3]"), i(0)], "false"),
        (vec![s("[1,2,[1,2]]"), i(-1), i(1)], "true"),
        (vec![s("[1,2,[1,2]]"), i(-1), i(-3)], "false"),
        (vec![s("[1,2,[1,2]]"), i(1), i(1)], "false"),
        (vec![dict(vec![(s("a"), i(1))]), s("a")], "true"),
        (vec![dict(vec![(s("a"), i(1))]), s("z")], "false"),
        (vec![s("not json"), s("a")], "false"),
        (vec![s(r#"{"a": "{\"b\": 1}"}"#), s("a"), s("b")], "true"),
    ];
    for (args, want) in cases {
        assert_eq!(p("JSONHas", args.clone()), want, "JSONHas{args:?}");
    }
}

#[test]
fn corpus_json_length_and_valid() {
    assert_eq!(p("isValidJSON", vec![s(SAMPLE)]), "true");
    assert_eq!(p("isValidJSON", vec![s("not a json")]), "false");
    assert_eq!(p("isValidJSON", vec![s("nope")]), "false");
    assert_eq!(p("isValidJSON", vec![s(r#"{"a":1}"#)]), "true");
    assert_eq!(p("isValidJSON", vec![i(1)]), "true");
    assert_eq!(p("isValidJSON", vec![Value::Null]), "true");
    assert_eq!(p("isValidJSON", vec![Value::array(vec![])]), "false");
    assert_eq!(p("JSONLength", vec![s(SAMPLE), s("b")]), "3");
    assert_eq!(p("JSONLength", vec![s(SAMPLE)]), "2");
    assert_eq!(p("JSONLength", vec![sample_dict(), s("b")]), "3");
    assert_eq!(p("JSONLength", vec![sample_dict()]), "2");
    assert_eq!(p("JSONLength", vec![s("garbage")]), "0");
    assert_eq!(p("JSONLength", vec![s(SAMPLE), s("a")]), "0");
    assert_eq!(
        p("JSONLength", vec![s(SAMPLE), s("b"), i(0)]),
        "ERROR: Hog arrays start from index 1"
    );
}

#[test]
fn corpus_json_extract_bool() {
    let doc = |b: &str| s(&format!(r#"{{"a": "hello", "b": {b}}}"#));
    let cases: Vec<(Vec<Value>, &str)> = vec![
        (vec![doc("true"), s("b")], "true"),
        (vec![doc("false"), s("b")], "false"),
        (vec![doc("1"), s("b")], "false"),
        (vec![doc("0"), s("b")], "false"),
        (vec![doc("\"true\""), s("b")], "false"),
        (vec![doc("\"false\""), s("b")], "false"),
        (vec![Value::Bool(true)], "true"),
        (vec![Value::Bool(false)], "false"),
        (vec![i(1)], "false"),
        (vec![i(0)], "false"),
        (vec![s("true")], "true"),
        (vec![s("false")], "false"),
    ];
    for (args, want) in cases {
        assert_eq!(
            p("JSONExtractBool", args.clone()),
            want,
            "JSONExtractBool{args:?}"
        );
    }
}

#[test]
fn corpus_json_extract() {
    let person = s(r#"{"name": "John", "age": 30}"#);
    assert_eq!(
        p("JSONExtract", vec![person.clone(), s("name"), s("String")]),
        "John"
    );
    assert_eq!(
        p("JSONExtract", vec![person.clone(), s("age"), s("Int")]),
        "30"
    );
    assert_eq!(
        p("JSONExtract", vec![person, s("unknown"), s("String")]),
        "null"
    );
    let nested = s(r#"{"a": {"b": "nested"}}"#);
    assert_eq!(
        p("JSONExtract", vec![nested, s("a"), s("b"), s("String")]),
        "nested"
    );
    let kv = dict(vec![(s("key"), s("value"))]);
    assert_eq!(p("JSONExtract", vec![kv, s("key"), s("String")]), "value");
    assert_eq!(
        p(
            "JSONExtract",
            vec![s("not valid json"), s("key"), s("String")]
        ),
        "null"
    );
    assert_eq!(
        p("JSONExtract", vec![s(r#"{"a": 1}"#), s("String")]),
        "{'a': 1}"
    );
    assert_eq!(
        p("JSONExtract", vec![s(r#"{"a":{"b":7}}"#), s("a"), s("b")]),
        "{'b': 7}"
    );
}

#[test]
fn corpus_stl_json_section() {
    let stringified = |name: &str, doc: &str| {
        let v = call(name, vec![s(doc), s("a")]).unwrap();
        p("jsonStringify", vec![v])
    };
    assert_eq!(stringified("JSONExtractInt", r#"{"a":123.1}"#), "123");
    assert_eq!(stringified("JSONExtractInt", r#"{"a":"hello"}"#), "null");
    assert_eq!(stringified("JSONExtractFloat", r#"{"a":123.1}"#), "123.1");
    assert_eq!(stringified("JSONExtractFloat", r#"{"a":"hello"}"#), "null");
    assert_eq!(
        stringified("JSONExtractString", r#"{"a":123.1}"#),
        r#""123.1""#
    );
    assert_eq!(
        stringified("JSONExtractString", r#"{"a":"hello"}"#),
        r#""hello""#
    );
    assert_eq!(stringified("JSONExtractArrayRaw", r#"{"a":123}"#), "null");
    assert_eq!(
        stringified("JSONExtractArrayRaw", r#"{"a":"hello"}"#),
        "null"
    );
    assert_eq!(stringified("JSONExtractArrayRaw", r#"{"a":[]}"#), "[]");
    assert_eq!(
        stringified("JSONExtractArrayRaw", r#"{"a":["hello"]}"#),
        r#"["hello"]"#
    );
}

#[test]
fn oracle_json() {
    let v = dict(vec![
        (s("a"), i(1)),
        (s("b"), Value::array(vec![i(2), i(3)])),
    ]);
    // Node's compact form (the oracle's Python output has spaces; see the stl-oracle README).
    assert_eq!(p("jsonStringify", vec![v]), r#"{"a":1,"b":[2,3]}"#);
    assert_eq!(
        p("jsonParse", vec![s(r#"{"a":1,"b":[2,3]}"#)]),
        "{'a': 1, 'b': [2, 3]}"
    );
    assert_eq!(p("jsonParse", vec![s("[1,2,3]")]), "[1, 2, 3]");
    assert_eq!(p("JSONExtractString", vec![s(r#"{"a":"x"}"#), s("a")]), "x");
    assert_eq!(p("JSONExtractInt", vec![s(r#"{"a":7}"#), s("a")]), "7");
    assert_eq!(
        p("JSONExtractFloat", vec![s(r#"{"a":1.5}"#), s("a")]),
        "1.5"
    );
    assert_eq!(
        p("JSONExtractBool", vec![s(r#"{"a":true}"#), s("a")]),
        "true"
    );
    assert_eq!(p("JSONExtractArrayRaw", vec![s("[1,2,3]")]), "[1, 2, 3]");
    let event = r#"{"event":"$pageview","properties":{"$browser":"Chrome","$os":"Windows"}}"#;
    let parsed = call("jsonParse", vec![s(event)]).unwrap();
    assert_eq!(
        p(
            "jsonParse",
            vec![call("jsonStringify", vec![parsed]).unwrap()]
        ),
        "{'event': '$pageview', 'properties': {'$browser': 'Chrome', '$os': 'Windows'}}"
    );
}

#[test]
fn stringify_matches_node() {
    // Expected strings produced by Node's JSON.stringify on the same values.
    let keys = dict(vec![
        (s("b"), i(1)),
        (s("2"), i(2)),
        (s("a"), i(3)),
        (i(1), i(4)),
        (s("01"), i(5)),
        (Value::Null, i(6)),
        (Value::Bool(true), i(7)),
        (Value::Float(1.5), i(8)),
    ]);
    assert_eq!(
        p("jsonStringify", vec![keys]),
        r#"{"1":4,"2":2,"b":1,"a":3,"01":5,"null":6,"true":7,"1.5":8}"#
    );
    let dup = dict(vec![(s("x"), i(1)), (i(7), i(2)), (s("7"), i(3))]);
    assert_eq!(p("jsonStringify", vec![dup]), r#"{"7":3,"x":1}"#);
    let text = s("q\"b\\s/\u{1}\u{8}\u{c}\n\r\t\u{1f}é\u{2028}😀");
    assert_eq!(
        p("jsonStringify", vec![text]),
        r#""q\"b\\s/\u0001\b\f\n\r\t\u001fé"#.to_owned() + "\u{2028}😀\""
    );
    assert_eq!(
        p(
            "jsonStringify",
            vec![Value::array(vec![
                Value::Float(f64::NAN),
                Value::Float(f64::INFINITY),
                Value::Float(1e21),
                Value::Float(1.0),
                Value::Float(-0.0),
                Value::Float(1e-7),
                Value::tuple(vec![i(1), s("a")]),
                Value::Null,
                Value::Bool(false),
            ])]
        ),
        r#"[null,null,1e+21,1,0,1e-7,[1,"a"],null,false]"#
    );
    assert_eq!(p("jsonStringify", vec![Value::Null]), "null");
    assert_eq!(p("jsonStringify", vec![s("x")]), r#""x""#);
    assert_eq!(p("jsonStringify", vec![dict(vec![])]), "{}");
}

#[test]
fn stringify_indent() {
    let v = dict(vec![
        (s("a"), i(1)),
        (
            s("b"),
            Value::array(vec![i(2), dict(vec![(s("c"), Value::array(vec![]))])]),
        ),
        (s("d"), dict(vec![])),
    ]);
    assert_eq!(
        p("jsonStringify", vec![v.clone(), i(2)]),
        "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    {\n      \"c\": []\n    }\n  ],\n  \"d\": {}\n}"
    );
    assert_eq!(
        p("jsonStringify", vec![Value::array(vec![i(1)]), i(40)]),
        "[\n          1\n]"
    );
    assert_eq!(
        p("jsonStringify", vec![v.clone(), Value::Float(0.5)]),
        p("jsonStringify", vec![v.clone()])
    );
    assert_eq!(
        p("jsonStringify", vec![v.clone(), i(-1)]),
        p("jsonStringify", vec![v.clone()])
    );
    assert_eq!(
        p("jsonStringify", vec![v.clone(), s("  ")]),
        p("jsonStringify", vec![v])
    );
}

#[test]
fn cycles_and_hog_types() {
    let a = Value::array(vec![i(1)]);
    if let Value::Array(rc) = &a {
        rc.borrow_mut().push(a.clone());
    }
    assert_eq!(p("jsonStringify", vec![a.clone()]), "[1,null]");
    if let Value::Array(rc) = &a {
        rc.borrow_mut().clear();
    }
    // The same (non-cyclic) array twice is written twice.
    let shared = Value::array(vec![i(1)]);
    assert_eq!(
        p(
            "jsonStringify",
            vec![Value::array(vec![shared.clone(), shared])]
        ),
        "[[1],[1]]"
    );
    let dt = Value::DateTime(std::rc::Rc::new(crate::value::DateTimeValue {
        dt: 1234334543.5,
        zone: "Europe/Brussels".into(),
    }));
    let date = Value::Date(crate::value::DateValue {
        year: 2024,
        month: 5,
        day: 3,
    });
    let err = call(
        "HogError",
        vec![s("MyError"), s("boom"), dict(vec![(s("k"), i(1))])],
    )
    .unwrap();
    let all = Value::array(vec![dt, date, err]);
    let text = p("jsonStringify", vec![all]);
    assert_eq!(
        text,
        r#"[{"__hogDateTime__":true,"dt":1234334543.5,"zone":"Europe/Brussels"},{"__hogDate__":true,"year":2024,"month":5,"day":3},{"__hogError__":true,"type":"MyError","message":"boom","payload":{"k":1}}]"#
    );
    // jsonParse revives them.
    assert_eq!(
        p("jsonParse", vec![s(&text)]),
        "[DateTime(1234334543.5, 'Europe/Brussels'), Date(2024, 5, 3), MyError('boom', {'k': 1})]"
    );
    assert_eq!(
        p(
            "jsonParse",
            vec![s(
                r#"{"__hogDate__": true, "year": 2024, "month": 2, "day": 30}"#
            )]
        ),
        "{'__hogDate__': true, 'year': 2024, 'month': 2, 'day': 30}"
    );
    assert_eq!(
        p("jsonParse", vec![s(r#"{"__hogDateTime__": 1, "dt": 5}"#)]),
        "DateTime(5.0, 'UTC')"
    );
}

#[test]
fn parse_matches_json_parse() {
    for (text, want) in [
        (" [ 1 , -0.5e2 , 1E3 , 0 , -0 ] ", "[1, -50, 1000, 0, 0]"),
        (r#""\u00e9\ud83d\ude00\n""#, "é😀\n"),
        (r#"["\ud800"]"#, "['\u{fffd}']"),
        (r#"{"a":1,"a":2,"b":3}"#, "{'a': 2, 'b': 3}"),
        ("9007199254740993", "9007199254740992"),
        ("1.0", "1"),
        ("true", "true"),
        ("null", "null"),
        (r#"{"":{"":[]}}"#, "{'': {'': []}}"),
    ] {
        assert_eq!(p("jsonParse", vec![s(text)]), want, "{text}");
    }
    assert!(matches!(
        call("jsonParse", vec![s("12")]),
        Ok(Value::Int(12))
    ));
    assert!(matches!(
        call("jsonParse", vec![s("1.5")]),
        Ok(Value::Float(_))
    ));
    for bad in [
        "",
        " ",
        "[1,]",
        "{\"a\":1,}",
        "01",
        "1.",
        ".5",
        "+1",
        "[1 2]",
        "{'a':1}",
        "nul",
        "[",
        "{\"a\"}",
        "\"a\nb\"",
        "\"\\x\"",
        "\"\\u12\"",
        "[1]x",
        "NaN",
        "// c\n1",
        "{\"a\":1}}",
    ] {
        let r = p("jsonParse", vec![s(bad)]);
        assert!(r.starts_with("ERROR: Invalid JSON: "), "{bad:?} gave {r}");
        assert_eq!(p("isValidJSON", vec![s(bad)]), "false", "{bad:?}");
    }
    assert_eq!(
        p("jsonParse", vec![s("nope")]),
        "ERROR: Invalid JSON: unexpected character 'o' at position 1"
    );
    assert_eq!(p("jsonParse", vec![Value::Null]), "null");
    assert_eq!(p("jsonParse", vec![i(1)]), "1");
    assert_eq!(p("jsonParse", vec![Value::Bool(true)]), "true");
    assert_eq!(
        p("jsonParse", vec![Value::array(vec![])]),
        "ERROR: jsonParse() expects a string, got array"
    );
}

#[test]
fn deep_and_large_input_is_bounded() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let r = call("jsonParse", vec![s(&deep)]);
    assert!(
        matches!(r, Err(VmError::Limit(crate::LimitExceeded::Nesting { .. }))),
        "{}",
        outcome(&r)
    );
    assert_eq!(p("isValidJSON", vec![s(&deep)]), "false");
    let depth = crate::MAX_NESTING;
    let ok = "[".repeat(depth) + &"]".repeat(depth);
    assert!(call("jsonParse", vec![s(&ok)]).is_ok());
    let too_deep = "[".repeat(depth + 2) + &"]".repeat(depth + 2);
    assert!(call("jsonParse", vec![s(&too_deep)]).is_err());
    // A document whose values cost far more than its text stops at the memory limit.
    let wide = format!("[{}0]", "[],".repeat(200_000));
    let mut small = Memory::new(Some(4 << 20));
    let r = call_with(&mut small, "jsonParse", vec![s(&wide)]);
    assert!(
        matches!(r, Err(VmError::Limit(crate::LimitExceeded::Memory { .. }))),
        "{}",
        outcome(&r)
    );
    // Serializing a value far larger than the budget stops too.
    let big = Value::array(vec![s(&"x".repeat(100_000)); 100]);
    let mut small = Memory::new(Some(1 << 20));
    let r = call_with(&mut small, "jsonStringify", vec![big]);
    assert!(
        matches!(r, Err(VmError::Limit(crate::LimitExceeded::Memory { .. }))),
        "{}",
        outcome(&r)
    );
}

#[test]
fn extract_conversions() {
    for (doc, want) in [
        (r#"{"a":"12abc"}"#, "12"),
        (r#"{"a":"  -7"}"#, "-7"),
        (r#"{"a":"0x1f"}"#, "31"),
        (r#"{"a":1e21}"#, "1"),
        (r#"{"a":true}"#, "null"),
        (r#"{"a":[5]}"#, "null"),
        (r#"{"b":1}"#, "null"),
    ] {
        assert_eq!(p("JSONExtractInt", vec![s(doc), s("a")]), want, "{doc}");
    }
    for (doc, want) in [
        (r#"{"a":"1.5e3xyz"}"#, "1500"),
        (r#"{"a":" .5"}"#, "0.5"),
        (r#"{"a":"-Infinity"}"#, "-Infinity"),
        (r#"{"a":"e5"}"#, "null"),
        (r#"{"a":7}"#, "7"),
    ] {
        assert_eq!(p("JSONExtractFloat", vec![s(doc), s("a")]), want, "{doc}");
    }
    assert_eq!(
        p(
            "JSONExtractString",
            vec![s(r#"{"a":{"b":[1,"x"]}}"#), s("a")]
        ),
        r#"{"b":[1,"x"]}"#
    );
    assert_eq!(
        p("JSONExtractString", vec![s(r#"{"a":false}"#), s("a")]),
        "false"
    );
    assert_eq!(
        p("JSONExtractString", vec![s(r#"{"a":null}"#), s("a")]),
        "null"
    );
    assert_eq!(p("JSONExtractString", vec![s("[1,2]"), i(-1)]), "2");
    assert_eq!(p("JSONExtractString", vec![s("\"top\"")]), "null");
    assert_eq!(
        p("JSONExtractArrayRaw", vec![Value::tuple(vec![i(1)])]),
        "[1]"
    );
    assert_eq!(
        p("JSONExtractInt", vec![s("[1,2]"), i(0)]),
        "ERROR: Hog arrays start from index 1"
    );
}

#[test]
fn js_number_parsing() {
    assert_eq!(js_parse_int("42"), Some(42.0));
    assert_eq!(js_parse_int("bla"), None);
    assert_eq!(js_parse_int("-0x10"), Some(-16.0));
    assert_eq!(js_parse_int("0x"), None);
    assert_eq!(js_parse_int("\u{feff} 9"), Some(9.0));
    assert_eq!(js_parse_float("1."), Some(1.0));
    assert_eq!(js_parse_float("."), None);
    assert_eq!(js_parse_float("1e"), Some(1.0));
    assert_eq!(js_parse_float("+Infinityx"), Some(f64::INFINITY));
}
