//! `hog materialize PROPERTY... [--person | --person-table] [--store DIR | --url URL | --demo]`,
//! `hog materialize --list`: give event properties their own column (`mat_<key>` on `events`,
//! computed from the JSON on insert and, once, for the rows already stored), so `hog query` and
//! `hog repl` read the column instead of parsing every event's properties. `--person` does the
//! same for person properties stored on events (`mat_pp_<key>`), `--person-table` for those of
//! the `person` table (`pmat_<key>`, read by `person.properties.x` through the persons join).
//! Results do not change: the column holds what the JSON access computes.

use super::repl::setup as demo_setup;
use crate::exit;
use crate::options::StoreArgs;
use hog_store::materialize::{
    MaterializedColumn, PropertySource, materialize_property, materialized_properties,
};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Property names, as written after `properties.` (`$browser`, `plan`).
    #[arg(required_unless_present = "list")]
    pub properties: Vec<String>,
    /// Person properties stored on events (`person_properties`, column `mat_pp_<key>`).
    #[arg(long, conflicts_with = "person_table")]
    pub person: bool,
    /// Properties of the `person` table (column `pmat_<key>` on `person`), which
    /// `person.properties.<key>` reads through the persons join.
    #[arg(long)]
    pub person_table: bool,
    /// Print the materialised columns instead.
    #[arg(long, conflicts_with = "properties")]
    pub list: bool,
    #[command(flatten)]
    pub store: StoreArgs,
    /// The demo store.
    #[arg(long, conflicts_with_all = ["store", "url"])]
    pub demo: bool,
}

pub fn run(args: Args) -> ExitCode {
    let store = match demo_setup::open(&args.store, args.demo) {
        Ok(store) => store,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::code(exit::USER_ERROR);
        }
    };
    let outcome = if args.list {
        materialized_properties(store.as_ref()).map(|columns| {
            for c in columns {
                println!("{}", describe(&c));
            }
        })
    } else {
        let source = if args.person {
            PropertySource::PersonOnEvent
        } else if args.person_table {
            PropertySource::Person
        } else {
            PropertySource::Event
        };
        // Materialising rewrites parts; later opens need not load the replaced ones.
        store.remove_outdated_parts_on_close();
        materialize_all(store.as_ref(), source, &args.properties)
    };
    // Close the store before the process exits (the engine must not be torn down by exit).
    drop(store);
    match outcome {
        Ok(()) => exit::code(exit::OK),
        Err(e) => {
            eprintln!("error: {e}");
            exit::code(exit::USER_ERROR)
        }
    }
}

fn materialize_all(
    store: &dyn hog_store::EventStore,
    source: PropertySource,
    keys: &[String],
) -> hog_store::Result<()> {
    for key in keys {
        let started = Instant::now();
        let (column, created) = materialize_property(store, source, key)?;
        if created {
            println!(
                "{} (computed in {:.1} s)",
                describe(&column),
                started.elapsed().as_secs_f64()
            );
        } else {
            println!("{} (already there)", describe(&column));
        }
    }
    Ok(())
}

/// `properties.$browser → events.mat_$browser Nullable(String)`.
fn describe(c: &MaterializedColumn) -> String {
    let json = match c.source {
        PropertySource::Event => "properties",
        PropertySource::PersonOnEvent => "person_properties",
        PropertySource::Person => "person.properties",
    };
    let ty = if c.nullable {
        "Nullable(String)"
    } else {
        "String"
    };
    format!("{json}.{} → {}.{} {ty}", c.key, c.source.table(), c.column)
}
