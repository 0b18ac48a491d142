//! The exit-code contract shared by every subcommand.

use std::process::ExitCode;

/// Success.
pub const OK: u8 = 0;
/// An error in the user's input or program: syntax, runtime, limits, query errors.
pub const USER_ERROR: u8 = 1;
/// A usage error: bad flags, unreadable files named on the command line.
pub const USAGE: u8 = 2;

pub fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}
