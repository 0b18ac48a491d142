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

/// Compiles `source`, runs it on our VM and renders the error it fails with.
fn run_and_render(file: &str, source: &str, limits: Option<hog_vm::Limits>) -> String {
    let c = compile_source(source, &CompileOptions::default()).expect("compiles");
    let mut vm = hog_vm::Vm::load(&c.to_json_string()).expect("loads");
    if let Some(l) = limits {
        vm.set_limits(l);
    }
    let err = vm.run().expect_err("the program fails");
    render_runtime_error(
        file,
        source,
        &c.source_map,
        &err.to_string(),
        vm.error_trace(),
    )
}

#[test]
fn runtime_errors_name_the_line_and_the_call_stack() {
    let (json, map) = compiled();
    let mut vm = hog_vm::Vm::from_json(json).expect("loads");
    let err = vm.run().expect_err("upper(s, 1) fails at run time");
    let text = render_runtime_error(
        "shout.hog",
        SOURCE,
        &map,
        &err.to_string(),
        vm.error_trace(),
    );
    assert!(
        text.starts_with("shout.hog:2:12: Function upper requires at most 1 arguments\n"),
        "{text}"
    );
    assert!(text.contains("return upper(s, 1)"), "{text}");
    assert!(text.contains("print(shout('x'))"), "{text}");
    assert!(text.contains("1. called from here"), "{text}");
    assert!(
        text.contains("  at shout.hog:2:12 in shout\n  called from shout.hog:5:7\n"),
        "{text}"
    );
}

#[test]
fn an_uncaught_throw_points_at_the_throw_and_its_callers() {
    let source = "fun check(n) {\n    if (n > 2) {\n        throw Error('too big')\n    }\n    return n\n}\nlet a := check(1)\nlet b := check(5)\n";
    let text = run_and_render("check.hog", source, None);
    assert!(
        text.starts_with("check.hog:3:9: Error('too big')\n"),
        "{text}"
    );
    assert!(text.contains("throw Error('too big')"), "{text}");
    assert!(
        text.contains("  at check.hog:3:9 in check\n  called from check.hog:8:10\n"),
        "{text}"
    );
    // The call on line 7 returned normally: it is not on the stack.
    assert!(!text.contains("check.hog:7"), "{text}");
}

#[test]
fn limit_errors_are_positioned_and_long_stacks_folded() {
    // A step limit inside a loop.
    let source = "let i := 0\nwhile (true) {\n    i := i + 1\n}\n";
    let limits = hog_vm::Limits::default().with_max_steps(Some(1000));
    let text = run_and_render("loop.hog", source, Some(limits));
    assert!(
        text.contains("Step limit of 1000 instructions exceeded"),
        "{text}"
    );
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("loop.hog:2:") || first.starts_with("loop.hog:3:"),
        "{text}"
    );

    // Runaway recursion: a thousand identical frames fold into one line.
    let source = "fun down(n) {\n    return down(n + 1)\n}\nprint(down(0))\n";
    let text = run_and_render("down.hog", source, None);
    assert!(
        text.starts_with("down.hog:2:12: Call stack exceeded maximum length of 1000"),
        "{text}"
    );
    assert!(
        text.contains("called from down.hog:2:12 in down (×"),
        "{text}"
    );
    assert!(text.contains("called from down.hog:4:7\n"), "{text}");
    assert!(text.lines().count() < 40, "{text}");
}

#[test]
fn errors_in_standard_library_callbacks_name_the_library_function() {
    let source =
        "let xs := [1, 2]\nlet ys := arrayMap(x -> {\n    throw Error('bad')\n}, xs)\nprint(ys)\n";
    let text = run_and_render("m.hog", source, None);
    assert!(text.starts_with("m.hog:3:5: Error('bad')\n"), "{text}");
    assert!(
        text.contains("  at m.hog:3:5 in lambda\n  called from the standard library's arrayMap\n  called from m.hog:2:11\n"),
        "{text}"
    );
}

#[test]
fn without_a_trace_only_the_message_is_shown() {
    let (_, map) = compiled();
    assert_eq!(
        render_runtime_error("shout.hog", SOURCE, &map, "boom", None),
        "error: boom\n"
    );
}
