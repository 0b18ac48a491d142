//! `hog repl [--demo | --store DIR | --url URL]` (and `hog` alone): the analyst's REPL.
//!
//! Type HogQL and get tables back; type Hog and it runs in a session that remembers its
//! variables. Entries end at `;` or at an empty line. The pieces live in `repl/`:
//! [`input`] (when an entry is complete), [`editor`] (rustyline helper, piped input),
//! [`highlight`], [`complete`] and [`catalog`] (what completion knows), [`meta`]
//! (`\d`, `\format`, ...), [`warnings`] (checks before a query is sent), [`session`] (running entries), [`hog`] (the Hog session) and
//! [`setup`] (store, engine and demo data on first run).

mod catalog;
mod complete;
mod editor;
mod highlight;
mod hog;
mod input;
mod meta;
mod session;
pub(crate) mod setup;
mod warnings;

use crate::exit;
use crate::options::{StoreArgs, TranslateArgs};
use crate::render::Format;
use editor::{PipedReader, ReplHelper};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};
use session::{Flow, Session, Settings};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Open the demo store (generated demo events, imported on the first run).
    #[arg(long, conflicts_with_all = ["store", "url"])]
    pub demo: bool,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub translate: TranslateArgs,
    /// How results are printed.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The history file [default: ~/.local/share/hog/repl_history].
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let interactive = std::io::stdin().is_terminal();
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let team_id = if args.translate.team_id > 0 {
        args.translate.team_id
    } else {
        1
    };
    let store = match setup::open(&args.store, args.demo) {
        Ok(store) => store,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::code(exit::USER_ERROR);
        }
    };
    let location = store.describe_location();

    // From here on Ctrl-C cancels the running query or program instead of ending the process.
    let interrupt = Arc::new(AtomicBool::new(false));
    if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGINT, interrupt.clone()) {
        eprintln!("warning: Ctrl-C will end hog instead of cancelling a query: {e}");
    }
    let settings = Settings {
        team_id,
        timezone: args.translate.timezone.clone(),
        format: args.format,
        show_sql: false,
        timing: true,
        color,
    };
    let mut session = Session::new(store, settings, args.translate.clone(), interrupt);

    let code = if interactive {
        let history = args.history.clone().unwrap_or_else(default_history);
        interactive_loop(&mut session, &history, color, &location)
    } else {
        let mut reader = PipedReader::new(std::io::stdin().lock());
        loop {
            match reader.next_entry() {
                Ok(Some(entry)) => {
                    if session.handle(&entry) == Flow::Quit {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    eprintln!("error: cannot read standard input: {e}");
                    session.close();
                    return exit::code(exit::USAGE);
                }
            }
        }
        exit::code(exit::OK)
    };
    session.close();
    code
}

fn interactive_loop(
    session: &mut Session,
    history: &std::path::Path,
    color: bool,
    location: &str,
) -> ExitCode {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_space(true)
        .max_history_size(10_000)
        .map(|b| b.completion_type(CompletionType::List).build());
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot configure the line editor: {e}");
            return exit::code(exit::USAGE);
        }
    };
    let mut editor: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return exit::code(exit::USAGE);
        }
    };
    editor.set_helper(Some(ReplHelper {
        completions: session.completions(),
        color,
    }));
    if let Some(parent) = history.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = editor.load_history(history);

    println!(
        "hog {} · {location} · \\help for help, Ctrl-D to leave",
        env!("CARGO_PKG_VERSION"),
    );
    loop {
        let raw = format!("{}> ", session.prompt());
        let styled = if color {
            format!("\x1b[1;32m{}\x1b[0m> ", session.prompt())
        } else {
            raw.clone()
        };
        match editor.readline(&(raw.as_str(), styled.as_str())) {
            Ok(entry) => {
                if !entry.trim().is_empty() {
                    let _ = editor.add_history_entry(entry.trim_end());
                    let _ = editor.append_history(history);
                }
                if session.handle(&entry) == Flow::Quit {
                    break;
                }
            }
            // Ctrl-C at the prompt drops what was typed.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::code(exit::USER_ERROR);
            }
        }
    }
    exit::code(exit::OK)
}

/// `repl_history` beside the default store (`~/.local/share/hog/repl_history`).
fn default_history() -> PathBuf {
    hog_store::paths::default_store_dir().with_file_name("repl_history")
}
