//! `hog test [PATH...]`: run Hog scripts against their test cases, offline.
//!
//! Each `NAME.hog` may have a `NAME.test.json` beside it (format: [`format`]); bytecode compiled
//! elsewhere (`NAME.hoge`, e.g. a PostHog template) can be tested the same way. `PATH` is a test
//! file, a script (its test file is used) or a directory (searched recursively for
//! `*.test.json`); the default is the current directory. Every case prints one line with its
//! steps, peak memory and time; a failing case also prints what differed and how the script
//! changed the event. The last line is exactly `N passed, M failed`; the exit code is 1 when
//! anything failed (a test file that cannot be loaded counts as one failure).

mod diff;
pub(crate) mod format;
pub(crate) mod runner;

use crate::commands::compile::{self, CompileFailure, Profile};
use crate::exit;
use format::{Case, TestFile};
use runner::{CaseRun, Script};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Test files (`NAME.test.json`), scripts (`NAME.hog`) or directories. Default: `.`.
    pub paths: Vec<PathBuf>,
    /// Apply PostHog's production limits of this kind of function (overrides the test file's
    /// `profile`).
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
}

const SUFFIX: &str = ".test.json";

/// The test files named by `paths`, sorted, or a usage error.
fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, 0).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        } else if p.to_string_lossy().ends_with(SUFFIX) {
            if !p.is_file() {
                return Err(format!("{}: no such file", p.display()));
            }
            out.push(p.clone());
        } else if p.extension().is_some_and(|e| e == "hog") {
            let t = p.with_extension("test.json");
            if !t.is_file() {
                return Err(format!(
                    "{}: no test file (expected {})",
                    p.display(),
                    t.display()
                ));
            }
            out.push(t);
        } else {
            return Err(format!(
                "{}: expected a directory, a .hog script or a {SUFFIX} file",
                p.display()
            ));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
    if depth > 32 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if path.is_dir() {
            if name.is_some_and(|n| n.starts_with('.') || n == "node_modules" || n == "target") {
                continue;
            }
            walk(&path, out, depth + 1)?;
        } else if name.is_some_and(|n| n.ends_with(SUFFIX)) {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

pub fn run(args: Args) -> ExitCode {
    let files = match discover(&args.paths) {
        Ok(f) => f,
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit::code(exit::USAGE);
        }
    };
    if files.is_empty() {
        eprintln!("no *{SUFFIX} files found");
    }
    let mut tally = Tally::default();
    for file in &files {
        run_file(file, args.profile, &mut tally);
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        exit::code(exit::USER_ERROR)
    } else {
        exit::code(exit::OK)
    }
}

/// Loads a test file and compiles its scripts.
fn load(file: &Path, profile: Option<Profile>) -> Result<(TestFile, Vec<Script>), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let spec: TestFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let script_paths: Vec<PathBuf> = match &spec.chain {
        Some(chain) => chain.iter().map(|c| dir.join(c)).collect(),
        None => {
            let name = file.to_string_lossy();
            let base = name.strip_suffix(SUFFIX).unwrap_or(&name);
            let source = PathBuf::from(format!("{base}.hog"));
            let bytecode = PathBuf::from(format!("{base}.hoge"));
            if !source.exists() && bytecode.exists() {
                vec![bytecode]
            } else {
                vec![source]
            }
        }
    };
    let profile = profile.or(spec.profile);
    let mut scripts = Vec::new();
    for path in script_paths {
        if path.extension().is_some_and(|e| e == "hoge") {
            // Bytecode compiled elsewhere (e.g. a PostHog template): test it as it is.
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let bytecode = serde_json::from_str(&text)
                .map_err(|e| format!("{}: invalid bytecode JSON: {e}", path.display()))?;
            let origin = compile::sidecar_origin(&path);
            scripts.push(Script {
                path,
                bytecode,
                origin,
            });
            continue;
        }
        let options = compile::options_for(profile, &path);
        match compile::compile_file(&path, &options) {
            Ok(c) => scripts.push(Script {
                bytecode: c.compiled.to_json(),
                origin: Some(c.origin()),
                path,
            }),
            Err(CompileFailure::Io(msg)) => return Err(msg),
            Err(CompileFailure::Errors(text)) => {
                return Err(format!("{} does not compile:\n{text}", path.display()));
            }
        }
    }
    Ok((spec, scripts))
}

fn run_file(file: &Path, profile: Option<Profile>, tally: &mut Tally) {
    println!("{}", file.display());
    let (spec, scripts) = match load(file, profile) {
        Ok(x) => x,
        Err(msg) => {
            println!("  FAIL  (test file)\n{}", indent(&msg, 8));
            tally.failed += 1;
            return;
        }
    };
    let profile = profile.or(spec.profile);
    for case in &spec.cases {
        let mut globals = spec.globals.clone();
        for (k, v) in &case.globals {
            globals.insert(k.clone(), v.clone());
        }
        let mut mocks = spec.mocks.clone();
        for (k, v) in &case.mocks {
            mocks.insert(k.clone(), v.clone());
        }
        let before = globals.get("event").cloned();
        let run = runner::run_case(&scripts, globals, &mocks, profile);
        let problems = check(case, &run);
        let stats = stats(&run);
        if problems.is_empty() {
            tally.passed += 1;
            println!("  ok    {}  ({stats})", case.name);
        } else {
            tally.failed += 1;
            println!("  FAIL  {}  ({stats})", case.name);
            for p in &problems {
                println!("{}", indent(p, 8));
            }
            // Where an unexpected error happened, in the source.
            if case.error.is_none()
                && let Some(at) = &run.error_at
            {
                println!("{}", indent(at.trim_end(), 8));
            }
            if let (Some(before), Ok(after)) = (&before, &run.result) {
                let changes = diff::diff_lines(before, after);
                if after.is_null() {
                    println!("        event before → after: dropped (the script returned null)");
                } else if changes.is_empty() {
                    println!("        event before → after: unchanged");
                } else {
                    println!("        event before → after:");
                    for c in changes {
                        println!("          {c}");
                    }
                }
            }
        }
        if run.dropped_lines > 0 {
            println!(
                "        note: {} ({} print calls not logged: destinations log at most {} entries)",
                runner::LOG_LIMIT_WARNING,
                run.dropped_lines,
                runner::DESTINATION_LOG_LINES
            );
        }
    }
}

/// What is wrong with a run, one message per problem.
fn check(case: &Case, run: &CaseRun) -> Vec<String> {
    let mut problems = Vec::new();
    match (&case.error, &run.result) {
        (Some(expected), Err(actual)) => {
            if !actual.contains(expected.as_str()) {
                problems.push(format!(
                    "expected an error containing {expected:?}, got: {actual}"
                ));
            }
        }
        (Some(expected), Ok(v)) => problems.push(format!(
            "expected an error containing {expected:?}, but the script returned {}",
            show(v)
        )),
        (None, Err(actual)) => problems.push(format!("the script failed: {actual}")),
        (None, Ok(_)) => {}
    }
    if let (Some(expected), Ok(actual)) = (&case.result, &run.result)
        && !diff::json_eq(expected, actual)
    {
        let mut msg = String::from("result differs (expected → actual):");
        for line in diff::diff_lines(expected, actual) {
            msg.push_str("\n  ");
            msg.push_str(&line);
        }
        problems.push(msg);
    }
    if let Some(expected) = &case.stdout
        && expected != &run.stdout
    {
        let mut msg = String::from("printed lines differ:");
        let n = expected.len().max(run.stdout.len());
        for i in 0..n {
            match (expected.get(i), run.stdout.get(i)) {
                (Some(e), Some(a)) if e == a => msg.push_str(&format!("\n    {a}")),
                (e, a) => {
                    if let Some(e) = e {
                        msg.push_str(&format!("\n  - {e}"));
                    }
                    if let Some(a) = a {
                        msg.push_str(&format!("\n  + {a}"));
                    }
                }
            }
        }
        problems.push(msg);
    }
    problems
}

fn stats(run: &CaseRun) -> String {
    let u = &run.usage;
    let mem = if u.peak_memory >= 1 << 20 {
        format!("{:.1} MB", u.peak_memory as f64 / (1 << 20) as f64)
    } else {
        format!("{:.1} KB", u.peak_memory as f64 / 1024.0)
    };
    format!(
        "{} steps, {mem}, {:.2} ms",
        u.steps,
        u.wall_time_us as f64 / 1000.0
    )
}

fn show(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
