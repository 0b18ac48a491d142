//! `hog sql [QUERY|-]`: translate HogQL to the ClickHouse SQL the event store runs.
//!
//! Prints the SQL with `%(hogql_val_N)s` placeholders followed by the parameter values as
//! comments, or with `--inline` the SQL with the values substituted as escaped literals.

use crate::exit;
use crate::options::{self, TranslateArgs};
use hogql_to_clickhouse::translate_select;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HogQL query; `-` or nothing reads it from standard input.
    pub query: Option<String>,
    #[command(flatten)]
    pub translate: TranslateArgs,
    /// Substitute the parameters as escaped literals instead of printing placeholders.
    #[arg(long)]
    pub inline: bool,
}

pub fn run(args: Args) -> ExitCode {
    let text = match options::query_text(args.query.as_deref()) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::code(exit::USAGE);
        }
    };
    let ctx = args.translate.context();
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
