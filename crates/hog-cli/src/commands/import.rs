//! `hog import FILE.jsonl [--team-id N] [--strict] [--batch-size N] [--store DIR]`: load events
//! in PostHog's capture format into the event store, with person and group processing.
//! `hog import --demo [--events N] [--seed S]` imports the generated demo data instead, and
//! `--out FILE` writes that data as JSONL instead of importing it.
//!
//! Output: the summary on stdout; each rejected line on stderr (`line N: reason`, the first 20,
//! then a count); a progress bar on stderr when it is a terminal and the import is long.
//! Exit 0 when every line was imported, 1 when any line was rejected or the store failed
//! (`--strict` stops at the first bad line), 2 for unreadable input files.

use crate::exit;
use hog_store::ingest::{
    ImportError, ImportObserver, ImportOptions, ImportSummary, capture::LineError,
};
use hog_store::{EmbeddedStore, demo};
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Events to import: PostHog capture format, one JSON object per line (`-` for stdin).
    #[arg(required_unless_present = "demo", conflicts_with = "demo")]
    pub file: Option<PathBuf>,
    /// The team (project) the events belong to.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub team_id: i64,
    /// Stop at the first bad line instead of reporting and skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Events per batch handed to the engine. The engine collects 262,144 events before it
    /// writes them into the events table (parts of that size whatever the batch size, so
    /// larger batches no longer save merging); smaller batches hold less memory on our side.
    #[arg(long, default_value_t = 65_536, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=4_194_304))]
    pub batch_size: u32,
    /// Data directory of the embedded store (default: the user's data directory, hog/store).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Import generated demo events instead of a file.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: how many events to generate.
    #[arg(long, default_value_t = 20_000, value_name = "N", requires = "demo")]
    pub events: usize,
    /// With --demo: the generator's seed (the same seed gives the same events).
    #[arg(long, default_value_t = 42, value_name = "S", requires = "demo")]
    pub seed: u64,
    /// With --demo: write the generated JSONL to FILE instead of importing it.
    #[arg(long, value_name = "FILE", requires = "demo")]
    pub out: Option<PathBuf>,
}

/// Rejected lines shown before only counting the rest.
const SHOWN_BAD_LINES: u64 = 20;

pub fn run(args: Args) -> ExitCode {
    if args.demo {
        let options = demo::DemoOptions {
            seed: args.seed,
            events: args.events,
            ..demo::DemoOptions::default()
        };
        if let Some(out) = &args.out {
            return write_demo(options, out);
        }
        return import(&args, Box::new(demo::reader(options)), None);
    }
    let Some(file) = &args.file else {
        eprintln!("hog import: name a JSONL file, `-` for stdin, or --demo");
        return exit::code(exit::USAGE);
    };
    if file.as_os_str() == "-" {
        return import(&args, Box::new(std::io::stdin().lock()), None);
    }
    match std::fs::File::open(file) {
        Ok(handle) => {
            let size = handle.metadata().ok().map(|m| m.len());
            import(
                &args,
                Box::new(BufReader::with_capacity(1 << 20, handle)),
                size,
            )
        }
        Err(e) => {
            eprintln!("hog import: cannot read {}: {e}", file.display());
            exit::code(exit::USAGE)
        }
    }
}

/// Opens the store, imports, prints the summary. The store is closed before returning (the
/// engine must not be open when the process exits).
fn import(args: &Args, input: Box<dyn BufRead + '_>, size: Option<u64>) -> ExitCode {
    let dir = args
        .store
        .clone()
        .unwrap_or_else(hog_store::paths::default_store_dir);
    let store = match EmbeddedStore::open(&dir, &mut |m| eprintln!("{m}")) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("hog import: {e}");
            return exit::code(exit::USER_ERROR);
        }
    };
    let options = ImportOptions {
        team_id: args.team_id,
        strict: args.strict,
        batch_size: args.batch_size as usize,
        ..ImportOptions::default()
    };
    let mut observer = Reporter::new(size);
    let outcome = hog_store::ingest::import_jsonl(&store, input, &options, &mut observer);
    observer.finish_bar();
    // Later opens need not load the parts the import's merges replaced.
    store.remove_outdated_parts_on_close();
    drop(store);
    match outcome {
        Ok(summary) => {
            if summary.bad_lines > SHOWN_BAD_LINES {
                eprintln!(
                    "hog import: ... and {} more bad lines",
                    summary.bad_lines - SHOWN_BAD_LINES
                );
            }
            println!("{}", describe(&summary, args.team_id, &dir));
            if summary.bad_lines > 0 {
                exit::code(exit::USER_ERROR)
            } else {
                exit::code(exit::OK)
            }
        }
        Err(ImportError::Strict { error, events }) => {
            eprintln!(
                "hog import: stopped at the first bad line (--strict): {error}; {events} earlier events were imported"
            );
            exit::code(exit::USER_ERROR)
        }
        Err(e) => {
            eprintln!("hog import: {e}");
            exit::code(exit::USER_ERROR)
        }
    }
}

/// The one-line summary, e.g. `imported 9 events (2 bad lines) into team 1 of /data in 0.12s`.
fn describe(summary: &ImportSummary, team_id: i64, dir: &std::path::Path) -> String {
    let rate = if summary.seconds > 0.0 {
        format!(", {:.0} events/s", summary.events as f64 / summary.seconds)
    } else {
        String::new()
    };
    format!(
        "imported {} events ({} bad lines) into team {team_id} of {} in {:.2}s{rate}; \
         {} person rows, {} distinct-id rows, {} group rows written",
        summary.events,
        summary.bad_lines,
        dir.display(),
        summary.seconds,
        summary.person_rows,
        summary.distinct_id_rows,
        summary.group_rows,
    )
}

fn write_demo(options: demo::DemoOptions, out: &std::path::Path) -> ExitCode {
    let write = || -> std::io::Result<()> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
        for line in demo::events(options) {
            file.write_all(line.as_bytes())?;
            file.write_all(b"\n")?;
        }
        file.flush()
    };
    match write() {
        Ok(()) => exit::code(exit::OK),
        Err(e) => {
            eprintln!("hog import: cannot write {}: {e}", out.display());
            exit::code(exit::USAGE)
        }
    }
}

/// Reports bad lines and draws the progress bar.
struct Reporter {
    shown: u64,
    bar: Option<ProgressBar>,
}

impl Reporter {
    fn new(size: Option<u64>) -> Reporter {
        Reporter {
            shown: 0,
            bar: std::io::stderr()
                .is_terminal()
                .then(|| ProgressBar::new(size)),
        }
    }

    fn finish_bar(&mut self) {
        if let Some(bar) = &mut self.bar {
            bar.finish();
        }
    }
}

impl ImportObserver for Reporter {
    fn bad_line(&mut self, error: &LineError) {
        if self.shown < SHOWN_BAD_LINES {
            self.shown += 1;
            if let Some(bar) = &mut self.bar {
                bar.clear();
            }
            eprintln!("hog import: {error}");
        }
    }

    fn progress(&mut self, bytes: u64, events: u64) {
        if let Some(bar) = &mut self.bar {
            bar.update(bytes, events);
        }
    }
}

/// A one-line progress bar on stderr, shown only after the import has run for a moment.
struct ProgressBar {
    total: Option<u64>,
    started: Instant,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl ProgressBar {
    const DELAY: Duration = Duration::from_millis(500);
    const EVERY: Duration = Duration::from_millis(100);
    const WIDTH: u64 = 30;

    fn new(total: Option<u64>) -> ProgressBar {
        ProgressBar {
            total,
            started: Instant::now(),
            last_draw: None,
            drawn: false,
        }
    }

    fn update(&mut self, bytes: u64, events: u64) {
        let now = Instant::now();
        if now.duration_since(self.started) < Self::DELAY
            || self
                .last_draw
                .is_some_and(|t| now.duration_since(t) < Self::EVERY)
        {
            return;
        }
        self.last_draw = Some(now);
        let seconds = now.duration_since(self.started).as_secs_f64();
        let rate = events as f64 / seconds.max(1e-9);
        let line = match self.total.filter(|t| *t > 0) {
            Some(total) => {
                let done = (bytes.min(total) * Self::WIDTH) / total;
                format!(
                    "[{}{}] {:>3}% {events} events, {rate:.0}/s",
                    "#".repeat(done as usize),
                    ".".repeat((Self::WIDTH - done) as usize),
                    bytes.min(total) * 100 / total
                )
            }
            None => format!("{events} events, {rate:.0}/s"),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }

    fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr().lock());
            self.drawn = false;
        }
    }
}
