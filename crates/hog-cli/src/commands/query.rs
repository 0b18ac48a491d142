//! `hog query [QUERY|-] [--team-id N] [--timezone TZ] [--format table|json|jsonl|csv] [--store DIR]`:
//! run one HogQL query against the event store and print the result.
//!
//! `--format json` prints PostHog's query-API shape `{"columns": [...], "types": [...],
//! "results": [[...]]}`. Tables are the REPL's; the row count, time and the default-LIMIT note
//! go to stderr so stdout holds only the result. Errors are underlined in the query (exit 1).

use crate::exit;
use crate::render::{self, Format, run, table};
use hogql_to_clickhouse::Context;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HogQL query; `-` or nothing reads it from standard input.
    pub query: Option<String>,
    /// The team whose data the query reads.
    #[arg(long, default_value_t = 1)]
    pub team_id: i64,
    /// The project time zone (IANA name).
    #[arg(long, default_value = "UTC")]
    pub timezone: String,
    /// How the result is printed.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The embedded store's data directory [default: ~/.local/share/hog/store].
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let text = match args.query.as_deref() {
        None | Some("-") => {
            let mut buf = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut buf) {
                eprintln!("error: cannot read the query from standard input: {e}");
                return exit::code(exit::USAGE);
            }
            buf
        }
        Some(q) => q.to_string(),
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let ctx = Context::new(args.team_id).with_timezone(args.timezone.clone());

    // Syntax and translation errors need no store: report them before opening one.
    let prepared = match run::prepare(&text, &ctx) {
        Ok(p) => p,
        Err(problems) => {
            for p in problems {
                eprint!("{}", p.render(&text, color));
            }
            return exit::code(exit::USER_ERROR);
        }
    };
    let dir = args
        .store
        .unwrap_or_else(hog_store::paths::default_store_dir);
    let store = match hog_store::EmbeddedStore::open(&dir, &mut |m| eprintln!("{m}")) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::code(exit::USER_ERROR);
        }
    };
    let started = Instant::now();
    let result = hog_store::EventStore::query(&store, &prepared.clickhouse.sql, &prepared.params());
    let elapsed = started.elapsed();
    drop(store);
    match result {
        Ok(result) => {
            let style = table::Style {
                color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                ..table::Style::default()
            };
            print!("{}", render::render(&result, args.format, &style));
            if args.format == Format::Table {
                eprintln!("{}", table::footer(result.rows.len(), Some(elapsed)));
            }
            if let Some(note) = run::limit_note(&prepared.ast, result.rows.len(), &ctx) {
                eprintln!("{note}");
            }
            exit::code(exit::OK)
        }
        Err(e) => {
            eprint!(
                "{}",
                render::problem::Problem::error(e.to_string(), None).render(&text, color)
            );
            exit::code(exit::USER_ERROR)
        }
    }
}
