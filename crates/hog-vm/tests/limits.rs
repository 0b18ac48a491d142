//! Every limit fires with the right typed error, can be switched off, and counts
//! deterministically.

mod common;

use common::*;
use hog_vm::{Control, LimitExceeded, Limits, Outcome, VmError};
use std::time::Duration;

fn limit_error(r: Result<Outcome, VmError>) -> LimitExceeded {
    match r {
        Err(VmError::Limit(l)) => l,
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn step_budget_fires_exactly_and_deterministically() {
    let limits = Limits::default().with_max_steps(Some(1000));
    let (_, r1, vm1) = run_with(&count_to(1_000_000), limits.clone());
    let (_, r2, vm2) = run_with(&count_to(1_000_000), limits);
    assert_eq!(limit_error(r1), LimitExceeded::Steps { limit: 1000 });
    assert!(matches!(
        limit_error(r2),
        LimitExceeded::Steps { limit: 1000 }
    ));
    assert_eq!(vm1.usage().steps, 1001);
    assert_eq!(vm1.usage().steps, vm2.usage().steps);
    // The count of a finished run is exact: 1 + 9 per iteration + 4 (last test) + 1 (POP) + 1 (end).
    let (_, r, vm) = run_with(&count_to(100), Limits::default());
    r.unwrap();
    assert_eq!(vm.usage().steps, 1 + 9 * 100 + 4 + 1 + 1);
}

#[test]
fn step_budget_off() {
    let limits = Limits::default().with_max_steps(None);
    let (_, r, vm) = run_with(&count_to(200_000), limits);
    r.unwrap();
    assert!(vm.usage().steps > 1_800_000);
}

#[test]
fn timeout_fires_and_can_be_off() {
    let limits = Limits::default()
        .with_max_steps(None)
        .with_timeout(Some(Duration::from_millis(50)));
    let (_, r, vm) = run_with(ENDLESS, limits);
    assert!(matches!(
        limit_error(r),
        LimitExceeded::Time { limit_ms: 50, .. }
    ));
    assert!(vm.usage().wall_time_us >= 50_000);
    // Off: the step budget ends the endless loop instead.
    let limits = Limits::default()
        .with_max_steps(Some(200_000))
        .with_timeout(None);
    let (_, r, _) = run_with(ENDLESS, limits);
    assert!(matches!(limit_error(r), LimitExceeded::Steps { .. }));
}

#[test]
fn call_depth_fires_and_can_be_off() {
    let (_, r, _) = run_with(RECURSE_FOREVER, Limits::default());
    assert_eq!(limit_error(r), LimitExceeded::CallDepth { limit: 1000 });
    let (_, r, _) = run_with(
        &recurse(100),
        Limits::default().with_max_call_depth(Some(50)),
    );
    assert_eq!(limit_error(r), LimitExceeded::CallDepth { limit: 50 });
    let (_, r, vm) = run_with(&recurse(5000), Limits::default().with_max_call_depth(None));
    assert!(matches!(r.unwrap(), Outcome::Finished(_)));
    assert_eq!(vm.usage().max_call_depth, 5002);
}

#[test]
fn unlimited_recursion_is_still_bounded_by_memory() {
    let limits = Limits::default()
        .with_max_call_depth(None)
        .with_max_memory(Some(1 << 20));
    let (_, r, _) = run_with(RECURSE_FOREVER, limits);
    assert!(matches!(
        limit_error(r),
        LimitExceeded::Memory { limit: 1048576, .. }
    ));
}

#[test]
fn memory_fires_with_limit_and_amount_and_can_be_off() {
    let limits = Limits::default().with_max_memory(Some(1 << 20));
    let (_, r, vm) = run_with(STRING_DOUBLING, limits.clone());
    match limit_error(r) {
        LimitExceeded::Memory { limit, needed } => {
            assert_eq!(limit, 1 << 20);
            assert!(needed > limit);
        }
        other => panic!("{other:?}"),
    }
    assert!(vm.usage().peak_memory <= 1 << 20);
    let steps = vm.usage().steps;
    let (_, _, again) = run_with(STRING_DOUBLING, limits);
    assert_eq!(
        again.usage().steps,
        steps,
        "memory errors happen at the same instruction"
    );
    // Off: 100 doublings of a dict-growing loop worth more than 1 MiB succeed.
    let (_, r, _) = run_with(
        GROWING_DICT,
        Limits::default()
            .with_max_memory(None)
            .with_max_steps(Some(500_000)),
    );
    assert!(matches!(limit_error(r), LimitExceeded::Steps { .. }));
}

#[test]
fn memory_is_charged_on_property_writes() {
    // `d[i] := i` grows a dict: with 256 KiB it must stop long before the step budget.
    let limits = Limits::default()
        .with_max_memory(Some(256 << 10))
        .with_max_steps(Some(10_000_000));
    let (_, r, vm) = run_with(GROWING_DICT, limits);
    assert!(matches!(limit_error(r), LimitExceeded::Memory { .. }));
    assert!(vm.usage().steps < 100_000, "{}", vm.usage().steps);
    // Writing far past the end of an array is charged before the array grows:
    // `let a := []; a[100000000] := 1`
    let far = r#"["_H", 1, 43, 0, 36, 0, 33, 100000000, 33, 1, 46, 35]"#;
    let (_, r, _) = run_with(far, Limits::default());
    assert!(matches!(limit_error(r), LimitExceeded::Memory { .. }));
}

#[test]
fn argument_count_fires_and_can_be_off() {
    let call = |n: usize| {
        let mut s = String::from(r#"["_H", 1"#);
        for _ in 0..n {
            s.push_str(", 31");
        }
        s.push_str(&format!(r#", 2, "tuple", {n}, 35]"#));
        s
    };
    let (_, r, _) = run_with(&call(301), Limits::default());
    assert_eq!(
        limit_error(r),
        LimitExceeded::Arguments {
            limit: 300,
            got: 301
        }
    );
    let (_, r, _) = run_with(&call(300), Limits::default());
    r.unwrap();
    let (_, r, _) = run_with(&call(400), Limits::default().with_max_args(None));
    r.unwrap();
}

#[test]
fn async_steps_fire_and_can_be_off() {
    // `while (true) { fetch() }`
    let program = r#"["_H", 1, 29, 40, 6, 2, "fetch", 0, 35, 39, -9]"#;
    let run = |limit: Option<u64>, rounds: usize| -> Result<usize, VmError> {
        let mut vm = hog_vm::Vm::load(program).unwrap();
        vm.set_limits(Limits::default().with_max_async_steps(limit));
        vm.host_functions_mut().register_async("fetch");
        let mut outcome = vm.run()?;
        for i in 0..rounds {
            match outcome {
                Outcome::Suspended { state, .. } => {
                    outcome = vm.resume(state, serde_json::json!(null))?
                }
                Outcome::Finished(_) => return Ok(i),
            }
        }
        Ok(rounds)
    };
    let err = run(Some(3), 10).unwrap_err();
    assert_eq!(err, VmError::Limit(LimitExceeded::AsyncSteps { limit: 3 }));
    assert_eq!(err.to_string(), "Exceeded maximum number of async steps: 3");
    assert_eq!(run(None, 150).unwrap(), 150);
}

#[test]
fn progress_callback_can_abort() {
    let mut vm = hog_vm::Vm::load(ENDLESS).unwrap();
    let mut calls = 0;
    vm.on_progress(move |p| {
        calls += 1;
        assert!(p.steps > 0);
        if calls == 3 {
            Control::Abort
        } else {
            Control::Continue
        }
    });
    let err = vm.run().unwrap_err();
    assert!(
        matches!(err, VmError::Limit(LimitExceeded::Aborted { .. })),
        "{err}"
    );
}

#[test]
fn error_texts_name_the_limit_and_amount() {
    assert_eq!(
        LimitExceeded::Memory {
            limit: 100,
            needed: 140
        }
        .to_string(),
        "Memory limit of 100 bytes exceeded. Tried to allocate 140 bytes."
    );
    assert_eq!(
        LimitExceeded::CallDepth { limit: 1000 }.to_string(),
        "Call stack exceeded maximum length of 1000"
    );
    assert_eq!(
        LimitExceeded::Time {
            limit_ms: 5000,
            steps: 7
        }
        .to_string(),
        "Execution timed out after 5 seconds. Performed 7 ops."
    );
}

#[test]
fn reference_cycles_are_freed_after_the_run() {
    use std::cell::RefCell;
    use std::rc::{Rc, Weak};
    // let a := [1]; a[1] := a; keep(a)   — and a recursive function (captures itself):
    // fun f(n) { if (n > 0) { return f(n - 1) } return 0 }; keep(f)
    let program = r#"["_H", 1, 33, 1, 43, 1, 36, 0, 33, 1, 36, 0, 46, 36, 0, 2, "keep", 1, 35,
        52, "f", 1, 1, 20, 33, 0, 36, 0, 13, 40, 10, 33, 1, 36, 0, 7, 55, 0, 54, 1, 38, 33, 0, 38,
        53, 1, true, 0, 36, 1, 2, "keep", 1, 35, 35, 35]"#;
    let kept: Rc<RefCell<Vec<Weak<dyn std::any::Any>>>> = Rc::default();
    let mut vm = hog_vm::Vm::load(program).unwrap();
    let sink = kept.clone();
    vm.host_functions_mut().register("keep", move |args| {
        match &args[0] {
            hog_vm::Value::Array(a) => sink
                .borrow_mut()
                .push(Rc::downgrade(&(a.clone() as Rc<dyn std::any::Any>))),
            hog_vm::Value::Closure(c) => sink
                .borrow_mut()
                .push(Rc::downgrade(&(c.clone() as Rc<dyn std::any::Any>))),
            _ => return Err("unexpected".into()),
        }
        Ok(hog_vm::Value::Null)
    });
    vm.run().unwrap();
    assert_eq!(kept.borrow().len(), 2);
    for w in kept.borrow().iter() {
        assert!(w.upgrade().is_none(), "a reference cycle outlived the run");
    }
}
