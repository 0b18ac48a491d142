//! Arbitrary bytes as `.hoge` text: load, verify and run under tight limits. Any outcome but a
//! panic, a hang or an abort is fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut vm) = hog_vm::Vm::load(text) else {
        return;
    };
    vm.set_limits(
        hog_vm::Limits::default()
            .with_max_steps(Some(100_000))
            .with_max_memory(Some(4 << 20))
            .with_timeout(Some(Duration::from_secs(1))),
    );
    vm.set_fixed_time(0.0);
    let _ = vm.run();
});
