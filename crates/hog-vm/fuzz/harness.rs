//! The fuzz harness, shared by the `cargo fuzz` target (`fuzz_targets/load_and_run.rs`) and the
//! stable test that runs the same code on every CI build (`tests/robustness.rs`).
//!
//! Arbitrary bytes are taken as `.hoge` text: loaded, verified and run under tight limits,
//! with an async host function so suspension is reachable. Any outcome but a panic, a hang
//! past the limits or an abort is fine.

use std::time::Duration;

/// Limits small enough that every input finishes in well under a second.
pub fn limits() -> hog_vm::Limits {
    hog_vm::Limits::default()
        .with_max_steps(Some(100_000))
        .with_max_memory(Some(4 << 20))
        .with_timeout(Some(Duration::from_secs(1)))
}

/// Loads `data` as bytecode text and runs it; errors are expected and ignored.
pub fn load_and_run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut vm) = hog_vm::Vm::load(text) else {
        return;
    };
    vm.set_limits(limits());
    vm.set_fixed_time(0.0);
    vm.set_seed(1);
    vm.host_functions_mut().register_async("fetch");
    if vm.run().is_err() {
        // A failed run must still be able to say where it failed, without panicking.
        let _ = vm.error_trace().map(|t| t.to_string());
    }
    let _ = vm.take_output();
}
