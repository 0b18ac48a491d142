//! Arbitrary bytes as `.hoge` text: load, verify and run under tight limits (see
//! `../harness.rs`). Run from `crates/hog-vm`: `cargo +nightly fuzz run load_and_run`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::load_and_run(data));
