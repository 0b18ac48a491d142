//! Robustness of the string, JSON, date, crypto, IP, regex and math functions: random calls
//! with hostile arguments (wrong types and counts, extreme numbers, NaN, huge and odd strings,
//! nested containers, dates far out of range) must end in a value or a clean error — never a
//! panic, a hang or a runaway allocation.

use hog_vm::Vm;
use proptest::prelude::*;
use serde_json::{Value as Json, json};

/// Every native function of these modules.
const FUNCTIONS: &[&str] = &[
    // strings
    "concat",
    "lower",
    "upper",
    "reverse",
    "trim",
    "trimLeft",
    "trimRight",
    "replaceOne",
    "replaceAll",
    "position",
    "positionCaseInsensitive",
    "substring",
    "startsWith",
    "splitByString",
    "like",
    "ilike",
    "notLike",
    "notILike",
    "multiSearchAnyCaseInsensitive",
    "encodeURLComponent",
    "decodeURLComponent",
    "tryDecodeURLComponent",
    "base64Encode",
    "base64Decode",
    "tryBase64Decode",
    "generateUUIDv4",
    // regex
    "match",
    "extractRegex",
    // json
    "jsonParse",
    "jsonStringify",
    "isValidJSON",
    "JSONHas",
    "JSONLength",
    "JSONExtractBool",
    "JSONExtractInt",
    "JSONExtractFloat",
    "JSONExtractString",
    "JSONExtractArrayRaw",
    "JSONExtract",
    // crypto
    "md5",
    "md5Hex",
    "sha1",
    "sha1Hex",
    "sha256",
    "sha256Hex",
    "sha1HmacChain",
    "sha1HmacChainHex",
    "sha256HmacChain",
    "sha256HmacChainHex",
    // ip
    "isIPAddressInRange",
    // math
    "plus",
    "minus",
    "min2",
    "max2",
    "floor",
    "round",
    "range",
    "randomFloat",
    // dates
    "now",
    "today",
    "toDateTime",
    "toDate",
    "fromUnixTimestamp",
    "fromUnixTimestampMilli",
    "toUnixTimestamp",
    "toUnixTimestampMilli",
    "toTimeZone",
    "formatDateTime",
    "toYear",
    "toMonth",
    "extract",
    "toYYYYMM",
    "toStartOfDay",
    "toStartOfHour",
    "toStartOfMonth",
    "toStartOfWeek",
    "dateTrunc",
    "dateAdd",
    "dateDiff",
    "addDays",
    "toIntervalDay",
    "toIntervalHour",
    "toIntervalMinute",
    "toIntervalMonth",
];

/// Bytecode pushing one hostile value.
fn value_ops() -> impl Strategy<Value = Vec<Json>> {
    let leaf = prop_oneof![
        Just(vec![json!(31)]),
        Just(vec![json!(29)]),
        Just(vec![json!(30)]),
        any::<i64>().prop_map(|i| vec![json!(33), json!(i)]),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(2),
            Just(3),
            Just(1_000_000_000_000)
        ]
        .prop_map(|i| vec![json!(33), json!(i)]),
        prop_oneof![
            Just(0.5f64),
            Just(-2.5),
            Just(1e300),
            Just(-1e-300),
            Just(1714739696.789)
        ]
        .prop_map(|f| vec![json!(34), json!(f)]),
        // NaN (0.0 / 0.0) and infinity (1e308 * 10).
        Just(vec![json!(34), json!(0.0), json!(34), json!(0.0), json!(9)]),
        Just(vec![
            json!(33),
            json!(10),
            json!(34),
            json!(1e308),
            json!(8)
        ]),
        prop_oneof![
            Just(""),
            Just("a"),
            Just("%"),
            Just("%%__%"),
            Just("\\"),
            Just("("),
            Just("[a-"),
            Just("(a+)+$"),
            Just("x{1000}{1000}"),
            Just("day"),
            Just("month"),
            Just("year"),
            Just("week"),
            Just("hour"),
            Just("second"),
            Just("UTC"),
            Just("Europe/Brussels"),
            Just("Mars/Base"),
            Just("%Y-%m-%d %H:%i:%S %z %f %Q"),
            Just("hex"),
            Just("base64"),
            Just("binary"),
            Just("2024-05-03T12:34:56Z"),
            Just("2024-02-30"),
            Just("0000-01-01"),
            Just("9999-12-31 23:59:59.999999999-23:59"),
            Just("{\"a\": [1, {\"b\": null}]}"),
            Just("[[[[[[[[]]]]]]]]"),
            Just("[1,"),
            Just("\"\\ud800\""),
            Just("192.168.1.0/24"),
            Just("::/0"),
            Just("1.2.3.4"),
            Just("%E2%82%AC%"),
            Just("aGVsbG8="),
            Just("😀é\u{0}\n"),
        ]
        .prop_map(|s| vec![json!(32), json!(s)]),
        "[ -~]{0,40}".prop_map(|s| vec![json!(32), json!(s)]),
        (1usize..4).prop_map(|n| vec![json!(32), json!("ab%_".repeat(n * 5000))]),
        // A date and datetimes, including ones far outside the calendar.
        Just(vec![
            json!(32),
            json!("2024-05-03"),
            json!(2),
            json!("toDate"),
            json!(1)
        ]),
        prop_oneof![Just(1_714_739_696.5f64), Just(-1e15), Just(1e17), Just(0.0)].prop_map(
            |f| vec![
                json!(34),
                json!(f),
                json!(2),
                json!("fromUnixTimestamp"),
                json!(1)
            ]
        ),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            // array
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| {
                let n = items.len();
                let mut ops: Vec<Json> = items.into_iter().flatten().collect();
                ops.extend([json!(43), json!(n)]);
                ops
            }),
            // tuple
            prop::collection::vec(inner.clone(), 0..3).prop_map(|items| {
                let n = items.len();
                let mut ops: Vec<Json> = items.into_iter().flatten().collect();
                ops.extend([json!(44), json!(n)]);
                ops
            }),
            // dict with string keys
            prop::collection::vec(inner, 0..3).prop_map(|vals| {
                let n = vals.len();
                let mut ops = Vec::new();
                for (i, v) in vals.into_iter().enumerate() {
                    ops.extend([json!(32), json!(format!("k{i}"))]);
                    ops.extend(v);
                }
                ops.extend([json!(42), json!(n)]);
                ops
            }),
        ]
    })
}

fn call_program() -> impl Strategy<Value = Json> {
    (
        prop::sample::select(FUNCTIONS),
        prop::collection::vec(value_ops(), 0..5),
    )
        .prop_map(|(name, args)| {
            let argc = args.len();
            let mut code = vec![json!("_H"), json!(1)];
            code.extend(args.into_iter().flatten());
            code.extend([
                json!(2),
                json!(name),
                json!(argc),
                json!(2),
                json!("print"),
                json!(1),
            ]);
            Json::Array(code)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn hostile_calls_end_cleanly(code in call_program()) {
        let mut vm = Vm::from_json(code).expect("generated bytecode is valid");
        vm.on_print(|_| {});
        let start = std::time::Instant::now();
        let _ = vm.run();
        prop_assert!(start.elapsed().as_secs() < 5, "a single call took {:?}", start.elapsed());
    }
}
