//! The outside world as a run sees it: where `print` output goes, the clock, the random
//! source and the default time zone. Hosts replace any of them (tests fix the clock and the
//! seed to make `now()` and `randomFloat()` deterministic).

use std::time::{SystemTime, UNIX_EPOCH};

/// Receives each line printed by the program (one call per `print`).
pub type PrintSink = Box<dyn FnMut(&str)>;

/// Where time comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clock {
    /// The system clock.
    System,
    /// Always this instant (epoch seconds).
    Fixed(f64),
}

/// Run environment shared by the interpreter and native functions.
pub struct Env {
    pub(crate) print: PrintSink,
    pub(crate) clock: Clock,
    pub(crate) rng: u64,
    pub(crate) time_zone: String,
}

impl Env {
    /// Prints to this process's stdout, system clock, seed from the clock, zone UTC.
    pub fn new() -> Self {
        Env {
            print: Box::new(|line| println!("{line}")),
            clock: Clock::System,
            rng: seed_from_clock(),
            time_zone: "UTC".to_owned(),
        }
    }

    /// Current time in epoch seconds.
    pub fn now(&self) -> f64 {
        match self.clock {
            Clock::Fixed(t) => t,
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
        }
    }

    /// Next 64 random bits (xorshift64*; not cryptographic — neither is PostHog's).
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

fn seed_from_clock() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    nanos | 1 // xorshift must not start at zero
}

/// A nonzero seed from any 64-bit value.
pub(crate) fn seed(s: u64) -> u64 {
    if s == 0 { 0x9E37_79B9_7F4A_7C15 } else { s }
}
