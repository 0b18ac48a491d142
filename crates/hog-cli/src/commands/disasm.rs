//! `hog disasm FILE.hoge`: print the bytecode one instruction per line (element index,
//! PostHog opcode name, decoded operands; jump targets as element indexes).

use crate::exit;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// PostHog JSON bytecode (`.hoge`).
    pub file: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.file.display());
            return exit::code(exit::USAGE);
        }
    };
    match hog_vm::Program::from_json_str(&text) {
        Ok(program) => {
            print!("{}", hog_vm::disasm::disassemble(&program));
            exit::code(exit::OK)
        }
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            exit::code(exit::USER_ERROR)
        }
    }
}
