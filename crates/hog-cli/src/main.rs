//! The `hog` command line. Each subcommand lives in its own module under `commands/`;
//! this file only wires them to clap and maps their outcome to the exit-code contract:
//! 0 success, 1 an error in the user's input or program, 2 a usage error (clap's own code).

mod commands;
mod exit;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hog", version, about = "The HogQL / Hog toolchain")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse HogQL or Hog and print the tree (or PostHog's JSON AST).
    Parse(commands::parse::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => commands::parse::run(args),
    }
}
