//! `hog check FILE.hog...`: compile and lint without running, before deploying.
//!
//! Reports compile errors, calls of unknown functions, wrong argument counts of known functions,
//! globals the host does not provide, `=` used where `:=` was meant, and unreachable code, each
//! with the source underlined. Exit 1 when any file has a problem, 0 when all are clean.

use crate::commands::compile::{self, Profile};
use crate::exit;
use hog_compiler::{Diagnostic, HostFunction};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Hog source files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Check against the host functions and globals of this kind of function.
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// A further global the host provides (repeatable).
    #[arg(long = "global", value_name = "NAME")]
    pub globals: Vec<String>,
    /// A further host function (`NAME` or `NAME/ARITY`, repeatable).
    #[arg(long = "host-fn", value_name = "NAME[/ARITY]")]
    pub host_functions: Vec<String>,
}

pub fn run(args: Args) -> ExitCode {
    let mut problems = 0usize;
    let mut files_with_problems = 0usize;
    for file in &args.files {
        let mut options = compile::options_for(args.profile, file);
        options.check_globals = true;
        options.globals.extend(args.globals.iter().cloned());
        for h in &args.host_functions {
            options.host_functions.push(parse_host_fn(h));
        }
        let source = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                return exit::code(exit::USAGE);
            }
        };
        let diags: Vec<Diagnostic> = match hog_compiler::parse(&source) {
            Err(errors) => errors,
            Ok(program) => {
                let mut d = match hog_compiler::compile_program(&program, &options) {
                    Ok(c) => c.warnings,
                    Err(errors) => errors,
                };
                d.extend(hog_compiler::lint::unreachable_code(&program));
                d.sort_by_key(|d| (d.span.start, d.span.end));
                d
            }
        };
        if !diags.is_empty() {
            files_with_problems += 1;
            problems += diags.len();
            eprint!("{}", compile::render_all(&diags, file, &source));
        }
    }
    if problems == 0 {
        println!("{} file(s) checked, no problems", args.files.len());
        exit::code(exit::OK)
    } else {
        println!(
            "{problems} problem(s) in {files_with_problems} of {} file(s)",
            args.files.len()
        );
        exit::code(exit::USER_ERROR)
    }
}

/// `fetch` (any arity) or `fetch/2` (exactly 2 arguments).
fn parse_host_fn(spec: &str) -> HostFunction {
    match spec.split_once('/') {
        Some((name, n)) => match n.parse::<usize>() {
            Ok(n) => HostFunction::new(name, n, n),
            Err(_) => HostFunction::new(spec, 0, usize::MAX),
        },
        None => HostFunction::new(spec, 0, usize::MAX),
    }
}
