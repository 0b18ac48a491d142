//! One module per `hog` subcommand. Each exposes `Args` (clap) and `run(Args) -> ExitCode`.

pub mod import;
pub mod parse;
pub mod setup;
