//! `Vm::error_trace`: the Hog call stack of a failed run, with element indexes of the JSON
//! bytecode (the header counts), innermost frame first.

use hog_vm::{ErrorTrace, LimitExceeded, Limits, Outcome, Vm, VmError};

fn run(bytecode: &str, limits: Limits) -> (Result<Outcome, VmError>, Vm) {
    let mut vm = Vm::load(bytecode).expect("loads");
    vm.set_limits(limits);
    let r = vm.run();
    (r, vm)
}

fn frames(trace: &ErrorTrace) -> Vec<(&str, usize, Option<&str>)> {
    trace
        .frames
        .iter()
        .map(|f| (f.chunk.as_str(), f.ip, f.function.as_deref()))
        .collect()
}

/// `fn f() { BODY }  f()` where BODY is `body` (elements from index 7 on). Returns the program
/// and the element index of the `CALL_LOCAL` in root.
fn call_f(body: &str, body_len: usize) -> (String, usize) {
    let text = format!(r#"["_H", 1, 52, "f", 0, 0, {body_len}, {body}, 53, 0, 36, 0, 54, 0, 35]"#);
    (text, 7 + body_len + 4)
}

#[test]
fn runtime_error_in_a_function_called_from_root() {
    // 7: CALL_GLOBAL "nope" 0   10: RETURN
    let (text, call_at) = call_f(r#"2, "nope", 0, 38"#, 4);
    let (r, vm) = run(&text, Limits::default());
    let err = r.expect_err("unknown function");
    assert!(
        matches!(err, VmError::Runtime(ref m) if m.contains("nope")),
        "{err}"
    );
    let trace = vm.error_trace().expect("a trace");
    assert_eq!(
        frames(trace),
        [("root", 7, Some("f")), ("root", call_at, None)]
    );
    assert_eq!(call_at, 15);
}

#[test]
fn uncaught_throw_in_a_function() {
    // 7: STRING "boom"  9: CALL_GLOBAL "Error" 1  12: THROW
    let (text, call_at) = call_f(r#"32, "boom", 2, "Error", 1, 49"#, 6);
    let (r, vm) = run(&text, Limits::default());
    let err = r.expect_err("uncaught");
    assert!(matches!(err, VmError::Uncaught { .. }));
    assert_eq!(err.to_string(), "Error('boom')");
    assert_eq!(
        frames(vm.error_trace().expect("a trace")),
        [("root", 12, Some("f")), ("root", call_at, None)]
    );
}

#[test]
fn step_limit_in_an_endless_loop() {
    // 7: JUMP -2 (to itself)
    let (text, call_at) = call_f("39, -2", 2);
    let (r, vm) = run(&text, Limits::default().with_max_steps(Some(1000)));
    assert!(matches!(
        r,
        Err(VmError::Limit(LimitExceeded::Steps { limit: 1000 }))
    ));
    assert_eq!(
        frames(vm.error_trace().expect("a trace")),
        [("root", 7, Some("f")), ("root", call_at, None)]
    );
}

#[test]
fn call_depth_limit_points_at_the_call_that_went_too_deep() {
    // fn f() { return f() } with f capturing itself:
    // 2: CALLABLE f 0 1 5 | 7: GET_UPVALUE 0  9: CALL_LOCAL 0  11: RETURN | 12: CLOSURE [local 0]
    // 16: GET_LOCAL 0  18: CALL_LOCAL 0  20: POP
    let text = r#"["_H", 1, 52, "f", 0, 1, 5, 55, 0, 54, 0, 38, 53, 1, true, 0, 36, 0, 54, 0, 35]"#;
    let (r, vm) = run(text, Limits::default().with_max_call_depth(Some(4)));
    assert!(matches!(
        r,
        Err(VmError::Limit(LimitExceeded::CallDepth { limit: 4 }))
    ));
    assert_eq!(
        frames(vm.error_trace().expect("a trace")),
        [
            ("root", 9, Some("f")),
            ("root", 9, Some("f")),
            ("root", 9, Some("f")),
            ("root", 18, None)
        ]
    );
}

#[test]
fn error_inside_a_callback_of_a_bytecode_stl_function() {
    // arrayMap(x -> nope(x), [1, 2])
    // 2: CALLABLE lambda 1 0 6 | 7: GET_LOCAL 0  9: CALL_GLOBAL nope 1  12: RETURN | 13: CLOSURE
    // 15: INTEGER 1  17: INTEGER 2  19: ARRAY 2  21: CALL_GLOBAL arrayMap 2  24: POP
    let text = r#"["_H", 1, 52, "lambda", 1, 0, 6, 36, 0, 2, "nope", 1, 38, 53, 0,
        33, 1, 33, 2, 43, 2, 2, "arrayMap", 2, 35]"#;
    let (r, vm) = run(text, Limits::default());
    assert!(r.is_err());
    let trace = vm.error_trace().expect("a trace");
    let got = frames(trace);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0], ("root", 9, Some("lambda")));
    assert_eq!((got[1].0, got[1].2), ("stl/arrayMap", Some("arrayMap")));
    assert_eq!(got[2], ("root", 21, None));
}

#[test]
fn error_at_top_level_has_one_frame_and_success_clears_the_trace() {
    // 2: INTEGER 1  4: CALL_GLOBAL nope 1
    let mut vm = Vm::load(r#"["_H", 1, 33, 1, 2, "nope", 1]"#).unwrap();
    assert!(vm.run().is_err());
    assert_eq!(
        frames(vm.error_trace().expect("a trace")),
        [("root", 4, None)]
    );
    let mut ok = Vm::load(r#"["_H", 1, 33, 1, 38]"#).unwrap();
    ok.run().unwrap();
    assert!(ok.error_trace().is_none());
}

#[test]
fn legacy_declared_functions_are_named() {
    // v0: DECLARE_FN "g" 0 4 { CALL_GLOBAL "nope" 0, RETURN }  CALL_GLOBAL "g" 0
    // 0: _h  1: DECLARE_FN g 0 4 | 5: CALL_GLOBAL nope 0  8: RETURN | 9: CALL_GLOBAL g 0
    let mut vm = Vm::load(r#"["_h", 41, "g", 0, 4, 2, "nope", 0, 38, 2, "g", 0]"#).unwrap();
    assert!(vm.run().is_err());
    assert_eq!(
        frames(vm.error_trace().expect("a trace")),
        [("root", 5, Some("g")), ("root", 9, None)]
    );
}

#[test]
fn host_failure_is_traced_and_the_next_run_clears_the_trace() {
    let (text, call_at) = call_f(r#"2, "nope", 0, 38"#, 4);
    let mut vm = Vm::load(&text).unwrap();
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = calls.clone();
    vm.host_functions_mut().register_json("nope", move |_| {
        seen.set(seen.get() + 1);
        if seen.get() == 1 {
            Err("down".to_owned())
        } else {
            Ok(serde_json::Value::Null)
        }
    });
    let err = vm.run().expect_err("the host fails the first time");
    assert!(matches!(err, VmError::Host { .. }), "{err}");
    assert_eq!(
        frames(vm.error_trace().expect("a trace")),
        [("root", 7, Some("f")), ("root", call_at, None)]
    );
    vm.run().unwrap();
    assert_eq!(calls.get(), 2);
    assert!(vm.error_trace().is_none());
}
