//! `hog query [QUERY|-] [--team-id N] [--timezone TZ] [--format table|json|jsonl|csv]
//! [--store DIR | --url URL | --demo]`: run one HogQL query against the event store and print
//! the result.
//!
//! `--format json` prints PostHog's query-API shape `{"columns": [...], "types": [...],
//! "results": [[...]]}`. JSON, JSON lines and CSV stream: rows are written as the engine
//! produces them, so a large result never sits in memory. Tables need every row to size their
//! columns, so they are collected first. The row count, time and the default-LIMIT note go to
//! stderr so stdout holds only the result. Errors are underlined in the query (exit 1).

use super::repl::setup as demo_setup;
use crate::exit;
use crate::options::{self, SharedStore, StoreArgs, TranslateArgs};
use crate::render::text::{TextFormat, TextWriter};
use crate::render::{self, Format, run, table};
use hog_store::timing;
use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HogQL query; `-` or nothing reads it from standard input.
    pub query: Option<String>,
    #[command(flatten)]
    pub translate: TranslateArgs,
    /// How the result is printed.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Query the demo store (generated demo events, imported on the first run).
    #[arg(long, conflicts_with_all = ["store", "url"])]
    pub demo: bool,
}

pub fn run(args: Args) -> ExitCode {
    timing::mark("hog query: arguments read");
    let text = match options::query_text(args.query.as_deref()) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::code(exit::USAGE);
        }
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut ctx = args.translate.context();

    // Syntax and translation errors need no store: report them before opening one.
    let mut prepared = match run::prepare(&text, &ctx) {
        Ok(p) => p,
        Err(problems) => {
            for p in problems {
                eprint!("{}", p.render(&text, color));
            }
            return exit::code(exit::USER_ERROR);
        }
    };
    timing::mark("query translated");
    let store = match demo_setup::open(&args.store, args.demo) {
        Ok(store) => store,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::code(exit::USER_ERROR);
        }
    };
    // Properties with their own column read it: translate again if the store has any.
    match options::add_materialized_columns(&mut ctx, &*store) {
        Ok(false) => {}
        Ok(true) => match run::prepare(&text, &ctx) {
            Ok(p) => prepared = p,
            Err(problems) => {
                for p in problems {
                    eprint!("{}", p.render(&text, color));
                }
                drop(store);
                return exit::code(exit::USER_ERROR);
            }
        },
        Err(note) => eprintln!("note: {note}"),
    }
    timing::mark("materialised columns listed");
    let started = Instant::now();
    let outcome = match args.format {
        Format::Table => print_table(&store, &prepared),
        Format::Json => stream(&store, &prepared, TextFormat::Json),
        Format::Jsonl => stream(&store, &prepared, TextFormat::Jsonl),
        Format::Csv => stream(&store, &prepared, TextFormat::Csv),
    };
    let elapsed = started.elapsed();
    timing::mark("result printed");
    let status = match outcome {
        Ok(rows) => {
            if args.format == Format::Table {
                eprintln!("{}", table::footer(rows, Some(elapsed)));
            }
            if let Some(note) = run::limit_note(&prepared.ast, rows, &ctx) {
                eprintln!("{note}");
            }
            exit::OK
        }
        Err(Failure::Store(message)) => {
            eprint!(
                "{}",
                render::problem::Problem::error(message, None).render(&text, color)
            );
            exit::USER_ERROR
        }
        // The reader went away (`hog query ... | head`): what it wanted was printed.
        Err(Failure::Closed) => exit::OK,
        Err(Failure::Output(e)) => {
            eprintln!("error: cannot write the result: {e}");
            exit::USER_ERROR
        }
    };
    // Everything is written: end the process here. A query only reads, so the embedded
    // engine is not closed first unless closing has work to do (`finish_read_only`).
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    store.finish_read_only(status)
}

enum Failure {
    Store(String),
    Closed,
    Output(std::io::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Output(e)
        }
    }
}

/// Collects the result and prints it as an aligned table; returns the row count.
fn print_table(store: &SharedStore, prepared: &run::Prepared) -> Result<usize, Failure> {
    let result = store
        .query(&prepared.clickhouse.sql, &prepared.params())
        .map_err(|e| Failure::Store(e.to_string()))?;
    let style = table::Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        ..table::Style::default()
    };
    let mut out = std::io::stdout().lock();
    out.write_all(render::render(&result, Format::Table, &style).as_bytes())?;
    out.flush()?;
    Ok(result.rows.len())
}

/// Writes rows to stdout as the engine produces them; returns the row count.
fn stream(
    store: &SharedStore,
    prepared: &run::Prepared,
    format: TextFormat,
) -> Result<usize, Failure> {
    let mut rows = store
        .query_stream(&prepared.clickhouse.sql, &prepared.params())
        .map_err(|e| Failure::Store(e.to_string()))?;
    let out = BufWriter::new(std::io::stdout().lock());
    let mut writer = TextWriter::begin(format, out, &rows.columns, &rows.types)?;
    while let Some(chunk) = rows.next_chunk() {
        let chunk = chunk.map_err(|e| Failure::Store(e.to_string()))?;
        writer.rows(&chunk)?;
    }
    let written = writer.finish()?;
    Ok(usize::try_from(written).unwrap_or(usize::MAX))
}
