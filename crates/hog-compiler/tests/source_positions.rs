//! The source map: instructions map back to the code they came from, and runtime errors render
//! as `file.hog:LINE:COL` with the source underlined and the Hog call stack.

use hog_compiler::{CompileOptions, SourceMap, compile_source, render_runtime_error};

const SOURCE: &str =
    "fun shout(s) {\n    return upper(s, 1)\n}\nprint('start')\nprint(shout('x'))\n";

fn compiled() -> (serde_json::Value, SourceMap) {
    let c = compile_source(SOURCE, &CompileOptions::default());
    // `upper(s, 1)` is a wrong arity at compile time; compile the program without that check by
    // using a host function of the same name.
    let c = c.or_else(|_| {
        compile_source(
            SOURCE,
            &CompileOptions {
                host_functions: vec![hog_compiler::HostFunction::new("upper", 0, 9)],
                ..CompileOptions::default()
            },
        )
    });
    let c = c.expect("compiles");
    (c.to_json(), c.source_map)
}

/// Element index of the `CALL_GLOBAL name` instruction.
fn call_index(json: &serde_json::Value, name: &str) -> usize {
    let arr = json.as_array().expect("array");
    (0..arr.len() - 1)
        .find(|&i| arr[i] == 2 && arr[i + 1] == name)
        .expect("call present")
}

#[test]
fn every_instruction_maps_into_the_source() {
    let (json, map) = compiled();
    assert_eq!(map.version, 1);
    let arr = json.as_array().expect("array");
    assert!(!map.ops.is_empty());
    for &(ip, start, end) in &map.ops {
        assert!((ip as usize) < arr.len() && ip >= 2);
        assert!(start <= end && end as usize <= SOURCE.len());
    }
    // `upper` is on line 2, column 12; `print('start')` on line 4.
    assert_eq!(
        map.line_col(SOURCE, call_index(&json, "upper")),
        Some((2, 12))
    );
    assert_eq!(
        map.line_col(SOURCE, call_index(&json, "print")),
        Some((4, 1))
    );
    // An operand element maps to its instruction.
    assert_eq!(
        map.line_col(SOURCE, call_index(&json, "upper") + 1),
        Some((2, 12))
    );
    // Round trip through the sidecar's JSON.
    let back = SourceMap::from_json_str(&map.to_json_string()).expect("parses");
    assert_eq!(back, map);
}

#[test]
fn runtime_errors_name_the_line_and_the_call_stack() {
    let (json, map) = compiled();
    let upper = call_index(&json, "upper");
    // The call of `shout` on line 5 is a CALL_LOCAL: find the GET_LOCAL 0 / CALL_LOCAL 1 pair.
    let arr = json.as_array().expect("array");
    let caller = (upper..arr.len() - 1)
        .find(|&i| arr[i] == 54 && arr[i + 1] == 1)
        .expect("CALL_LOCAL 1");
    let text = render_runtime_error(
        "shout.hog",
        SOURCE,
        &map,
        "Function upper requires at most 1 arguments",
        upper,
        &[caller],
    );
    assert!(
        text.starts_with("shout.hog:2:12: error: Function upper requires at most 1 arguments"),
        "{text}"
    );
    assert!(text.contains("return upper(s, 1)"), "{text}");
    assert!(text.contains("called from shout.hog:5:7"), "{text}");
    assert!(text.contains("print(shout('x'))"), "{text}");
}
