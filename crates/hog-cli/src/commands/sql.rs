//! `hog sql [QUERY|-]`: translate HogQL to the ClickHouse SQL the event store runs.
//!
//! Prints the SQL with `%(hogql_val_N)s` placeholders followed by the parameter values as
//! comments, or with `--inline` the SQL with the values substituted as escaped literals.

use crate::exit;
use clap::ValueEnum;
use hogql_to_clickhouse::{Context, Limits, PersonsOnEventsMode, translate_select};
use std::io::Read;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PoeMode {
    /// Persons through person_distinct_ids (needs no person data on events).
    Disabled,
    /// Person id and properties stored on the event row.
    OnEvents,
    /// Person id from the event, corrected by overrides; properties from the event row.
    OverrideOnEvents,
    /// Person id corrected by overrides; properties joined from persons.
    OverrideJoined,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HogQL query; `-` or nothing reads it from standard input.
    pub query: Option<String>,
    /// The team whose rows the query may read.
    #[arg(long, default_value_t = 1)]
    pub team_id: i64,
    /// The project time zone (IANA name).
    #[arg(long, default_value = "UTC")]
    pub timezone: String,
    /// Substitute the parameters as escaped literals instead of printing placeholders.
    #[arg(long)]
    pub inline: bool,
    /// How `person` / `person_id` on events are resolved.
    #[arg(long, value_enum, default_value_t = PoeMode::Disabled)]
    pub persons_on_events: PoeMode,
    /// LIMIT added to top-level SELECTs without one.
    #[arg(long, default_value_t = 100)]
    pub default_limit: u64,
    /// The largest LIMIT a top-level SELECT may have.
    #[arg(long, default_value_t = 50_000)]
    pub max_limit: u64,
    /// Omit the global SETTINGS tail.
    #[arg(long)]
    pub no_settings: bool,
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
    let mut ctx = Context::new(args.team_id)
        .with_timezone(args.timezone)
        .with_limits(Limits {
            default_limit: Some(args.default_limit),
            max_limit: Some(args.max_limit),
        })
        .with_persons_on_events(match args.persons_on_events {
            PoeMode::Disabled => PersonsOnEventsMode::Disabled,
            PoeMode::OnEvents => PersonsOnEventsMode::PersonIdNoOverridePropertiesOnEvents,
            PoeMode::OverrideOnEvents => PersonsOnEventsMode::PersonIdOverridePropertiesOnEvents,
            PoeMode::OverrideJoined => PersonsOnEventsMode::PersonIdOverridePropertiesJoined,
        });
    if args.no_settings {
        ctx = ctx.without_settings();
    }
    match translate_select(&text, &ctx) {
        Ok(query) => {
            if args.inline {
                println!("{}", query.inline());
            } else {
                println!("{}", query.sql);
                for p in &query.params {
                    println!("-- {} = {}", p.name, p.value.literal());
                }
            }
            exit::code(exit::OK)
        }
        Err(errors) => {
            for e in errors {
                eprintln!("{}", e.render(&text));
            }
            exit::code(exit::USER_ERROR)
        }
    }
}
