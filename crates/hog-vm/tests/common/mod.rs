//! Hand-assembled programs shared by the limit and robustness tests (the Hog source is next to
//! each; element indexes were counted by hand and are checked by the loader's verifier).
#![allow(dead_code)]

use hog_vm::{Limits, Outcome, Vm, VmError};

/// `let i := 0; while (i < n) { i := i + 1 }` — 9 instructions per iteration.
pub fn count_to(n: i64) -> String {
    format!(r#"["_H", 1, 33, 0, 33, {n}, 36, 0, 15, 40, 9, 33, 1, 36, 0, 6, 37, 0, 39, -16, 35]"#)
}

/// `while (true) {}`
pub const ENDLESS: &str = r#"["_H", 1, 39, -2]"#;

/// `fun f() { return f() }; f()`
pub const RECURSE_FOREVER: &str =
    r#"["_H", 1, 52, "f", 0, 1, 5, 55, 0, 54, 0, 38, 53, 1, true, 0, 36, 0, 54, 0, 35]"#;

/// `fun f(n) { if (n > 0) { return f(n - 1) } return 0 }; f(depth)`
pub fn recurse(depth: i64) -> String {
    format!(
        r#"["_H", 1, 52, "f", 1, 1, 20, 33, 0, 36, 0, 13, 40, 10, 33, 1, 36, 0, 7, 55, 0, 54, 1, 38, 33, 0, 38,
            53, 1, true, 0, 33, {depth}, 36, 0, 54, 1, 35, 35]"#
    )
}

/// `let s := 'x'; while (true) { s := concat(s, s) }`
pub const STRING_DOUBLING: &str =
    r#"["_H", 1, 32, "x", 29, 40, 11, 36, 0, 36, 0, 2, "concat", 2, 37, 0, 39, -14, 35]"#;

/// `let a := [1]; while (true) { a := [a, a, a, a] }`
pub const SELF_ARRAYS: &str =
    r#"["_H", 1, 33, 1, 43, 1, 29, 40, 14, 36, 0, 36, 0, 36, 0, 36, 0, 43, 4, 37, 0, 39, -17, 35]"#;

/// `let d := {}; let i := 0; while (true) { d[i] := i; i := i + 1 }`
pub const GROWING_DICT: &str = r#"["_H", 1, 42, 0, 33, 0, 29, 40, 16, 36, 0, 36, 1, 36, 1, 46, 33, 1, 36, 1, 6, 37, 1, 39, -19, 35, 35]"#;

/// `let a := []; let i := 0; while (i < n) { a := [a]; i := i + 1 }; print(a)`
pub fn nested(n: i64) -> String {
    format!(
        r#"["_H", 1, 43, 0, 33, 0, 33, {n}, 36, 1, 15, 40, 15, 36, 0, 43, 1, 37, 0, 33, 1, 36, 1, 6, 37, 1, 39, -22,
            36, 0, 2, "print", 1, 35, 35, 35]"#
    )
}

/// `let a := [1]; a[1] := a; print(a)`
pub const SELF_CONTAINING: &str =
    r#"["_H", 1, 33, 1, 43, 1, 36, 0, 33, 1, 36, 0, 46, 36, 0, 2, "print", 1, 35, 35]"#;

/// Runs `bytecode` with `limits`; returns the printed lines, the result and the VM (for usage).
pub fn run_with(bytecode: &str, limits: Limits) -> (Vec<String>, Result<Outcome, VmError>, Vm) {
    let mut vm = Vm::load(bytecode).expect("test program must verify");
    vm.set_limits(limits);
    let result = vm.run();
    (vm.take_output(), result, vm)
}
