//! Globals: every `GET_GLOBAL` reads a fresh copy of what it names, converted from the host's
//! JSON when read (and charged to the memory budget); reads followed by property accesses are
//! done on the JSON without changing results, step counts or limits.

use hog_vm::{LimitExceeded, Limits, Outcome, Vm, VmError};
use serde_json::{Value as Json, json};

fn event() -> Json {
    json!({
        "event": {
            "properties": {"$ip": "1.2.3.4", "list": [10, 20, 30], "n": 5},
            "when": {"__hogDateTime__": true, "dt": 1.5, "zone": "Europe/Paris"}
        }
    })
}

fn run(bytecode: &str, globals: Json, limits: Limits) -> (Result<Outcome, VmError>, Vm) {
    let mut vm = Vm::load(bytecode).expect("loads");
    vm.set_globals(globals).unwrap();
    vm.set_limits(limits);
    vm.on_print(|_| {});
    let r = vm.run();
    (r, vm)
}

fn finished(r: Result<Outcome, VmError>) -> Json {
    match r {
        Ok(Outcome::Finished(v)) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

// `return event.properties.$ip` as one chain, and as `event.properties` then `.$ip`.
const CHAIN: &str = r#"["_H", 1, 32, "$ip", 32, "properties", 32, "event", 1, 3, 38]"#;
const THEN_PROPERTY: &str = r#"["_H", 1, 32, "properties", 32, "event", 1, 2, 32, "$ip", 45, 38]"#;

#[test]
fn chains_and_property_reads_agree() {
    for text in [CHAIN, THEN_PROPERTY] {
        let (r, _) = run(text, event(), Limits::default());
        assert_eq!(finished(r), json!("1.2.3.4"), "{text}");
    }
    // Nullish reads through missing keys, arrays (1-based) and tagged objects.
    for (text, want) in [
        (
            r#"["_H", 1, 32, "properties", 32, "event", 1, 2, 32, "nope", 48, 32, "x", 48, 38]"#,
            Json::Null,
        ),
        (
            r#"["_H", 1, 32, "properties", 32, "event", 1, 2, 32, "list", 45, 33, 2, 45, 38]"#,
            json!(20),
        ),
        (
            r#"["_H", 1, 32, "2", 32, "list", 32, "properties", 32, "event", 1, 4, 38]"#,
            json!(20),
        ),
        (
            r#"["_H", 1, 32, "event", 1, 1, 32, "when", 45, 32, "zone", 45, 38]"#,
            json!("Europe/Paris"),
        ),
        // A chain does not look into a datetime (only into dicts and arrays).
        (
            r#"["_H", 1, 32, "zone", 32, "when", 32, "event", 1, 3, 38]"#,
            Json::Null,
        ),
    ] {
        let (r, _) = run(text, event(), Limits::default());
        assert_eq!(finished(r), want, "{text}");
    }
}

#[test]
fn each_read_is_a_fresh_copy() {
    // let a := event.properties; a.n := 1; return event.properties.n
    let text = r#"["_H", 1, 32, "properties", 32, "event", 1, 2,
        36, 0, 32, "n", 33, 1, 46,
        32, "n", 32, "properties", 32, "event", 1, 3, 38]"#;
    let (r, _) = run(text, event(), Limits::default());
    assert_eq!(finished(r), json!(5));
}

#[test]
fn fused_reads_count_every_instruction_and_stop_at_the_same_step() {
    let (r, vm) = run(THEN_PROPERTY, event(), Limits::default());
    finished(r);
    assert_eq!(vm.usage().steps, 6);
    for max in 1..6 {
        let limits = Limits::default().with_max_steps(Some(max));
        let (r, vm) = run(THEN_PROPERTY, event(), limits);
        assert!(
            matches!(r, Err(VmError::Limit(LimitExceeded::Steps { limit })) if limit == max),
            "max {max}"
        );
        assert_eq!(vm.usage().steps, max + 1, "max {max}");
    }
}

#[test]
fn reading_a_global_is_charged_before_it_is_built() {
    let globals = json!({"big": "x".repeat(100_000), "small": 1});
    let read_big = r#"["_H", 1, 32, "big", 1, 1, 38]"#;
    let limits = Limits::default().with_max_memory(Some(50_000));
    let (r, _) = run(read_big, globals.clone(), limits.clone());
    assert!(
        matches!(r, Err(VmError::Limit(LimitExceeded::Memory { .. }))),
        "{r:?}"
    );
    // Globals the program does not read cost nothing.
    let (r, _) = run(r#"["_H", 1, 32, "small", 1, 1, 38]"#, globals, limits);
    assert_eq!(finished(r), json!(1));
}

#[test]
fn globals_are_shared_not_cloned_and_visible_after_resume() {
    // fetch('x'); return event.properties.n
    let text = r#"["_H", 1, 32, "x", 2, "fetch", 1, 35,
        32, "n", 32, "properties", 32, "event", 1, 3, 38]"#;
    let mut vm = Vm::load(text).unwrap();
    let shared = std::rc::Rc::new(event());
    vm.set_globals_shared(shared.clone()).unwrap();
    vm.host_functions_mut().register_async("fetch");
    let Outcome::Suspended { state, .. } = vm.run().unwrap() else {
        panic!("expected a suspension")
    };
    let outcome = vm.resume(state, Json::Null).unwrap();
    assert!(matches!(outcome, Outcome::Finished(v) if v == json!(5)));
    assert!(std::rc::Rc::strong_count(&shared) >= 2);
    assert!(vm.set_globals(json!([1])).is_err());
}

#[test]
fn run_value_returns_the_value_intact() {
    // let a := {}; a.x := [1, 2]; a.y := a; return a  (a container stored into a container,
    // and a cycle: both are what the end-of-run cycle breaking looks at)
    let text = r#"["_H", 1, 42, 0, 36, 0, 32, "x", 33, 1, 33, 2, 43, 2, 46,
        36, 0, 32, "y", 36, 0, 46, 36, 0, 38]"#;
    let mut vm = Vm::load(text).unwrap();
    let Outcome::Finished(v) = vm.run_value().unwrap() else {
        panic!("finished expected")
    };
    assert_eq!(
        hog_vm::print::display(&v, 1 << 20).unwrap(),
        "{'x': [1, 2], 'y': null}"
    );
    let Outcome::Finished(j) = vm.run().unwrap() else {
        panic!("finished expected")
    };
    assert_eq!(j, json!({"x": [1, 2], "y": null}));
}
