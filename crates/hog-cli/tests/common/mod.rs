//! Helpers shared by the end-to-end tests of the store-backed commands (`hog query`,
//! `hog repl`): run `hog` with arguments and optional standard input, and the checks every
//! store flag must pass.
#![allow(dead_code)] // each test binary uses its own subset

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const HOG: &str = env!("CARGO_BIN_EXE_hog");

/// Runs `hog ARGS` without colours, feeding `stdin` (or nothing) and collecting all output.
pub fn hog<S: AsRef<OsStr>>(args: &[S], stdin: Option<&str>) -> Output {
    let mut child = Command::new(HOG)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hog starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    if let Some(text) = stdin {
        input
            .write_all(text.as_bytes())
            .expect("write standard input");
    }
    drop(input);
    child.wait_with_output().expect("hog finishes")
}

/// `hog SUBCOMMAND --url` to a port where no server listens is a clear error (exit 1) within
/// the request timeout, and `--url` with `--store` is a usage error (exit 2).
pub fn assert_server_flags_checked(subcommand: &[&str]) {
    let url = "http://127.0.0.1:9";
    let mut args = subcommand.to_vec();
    args.extend(["--url", url, "--server-timeout", "5"]);
    let out = hog(&args, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot open the ClickHouse server at {url}")),
        "{stderr}"
    );

    let mut args = subcommand.to_vec();
    args.extend(["--url", url, "--store", "/nonexistent/store"]);
    let out = hog(&args, None);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
