//! One module per `hog` subcommand. Each exposes `Args` (clap) and `run(Args) -> ExitCode`.

pub mod check;
pub mod compile;
pub mod disasm;
pub mod import;
pub mod materialize;
pub mod parse;
pub mod query;
pub mod repl;
pub mod run;
pub mod setup;
pub mod sql;
pub mod test;
