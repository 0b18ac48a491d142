//! The REPL's state (store, team, time zone, output settings, Hog session) and what it does with
//! each complete entry: meta-commands, HogQL queries, Hog statements.

use super::catalog::{self, Catalog};
use super::hog::HogSession;
use super::meta::{self, Meta};
use super::{input, setup, warnings};
use crate::options::{self, SharedStore, TranslateArgs};
use crate::render::problem::Problem;
use crate::render::{self, Format, run, table};
use hog_store::{Params, QueryResult, Value};
use hogql_parser::ast::Query;
use hogql_parser::lexer::{Entry, tokenize};
use hogql_parser::token::{Kw, Tok};
use hogql_to_clickhouse::{Context, MaterializedProperty, SettingValue, translate_select};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// What completion and highlighting read while the user types; the session keeps it current.
#[derive(Debug, Clone)]
pub struct Completions {
    pub catalog: Catalog,
    pub ctx: Context,
    pub functions: Vec<String>,
    pub session_names: Vec<String>,
}

/// What to do after an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// Output settings changed by meta-commands.
#[derive(Debug, Clone)]
pub struct Settings {
    pub team_id: i64,
    pub timezone: String,
    pub format: Format,
    pub show_sql: bool,
    pub timing: bool,
    pub color: bool,
}

pub struct Session {
    store: SharedStore,
    pub settings: Settings,
    /// Translation flags given on the command line (limits, persons-on-events mode).
    translate: TranslateArgs,
    completions: Arc<RwLock<Completions>>,
    interrupt: Arc<AtomicBool>,
    hog: HogSession,
    queries_run: u64,
    /// Threads of cancelled queries that may still be running in the engine.
    cancelled: Vec<std::thread::JoinHandle<()>>,
    /// The store's materialised property columns, read at start and after `\import`.
    materialized: Vec<MaterializedProperty>,
}

/// How a query run on the worker thread ended.
enum Finished {
    Done(hog_store::Result<QueryResult>, Duration),
    /// Ctrl-C: with how long the engine took to stop the query after the request, or `None`
    /// when it was still running when the REPL stopped waiting.
    Cancelled(Option<Duration>),
}

/// How long the REPL waits for the engine to stop a killed query before giving the prompt
/// back anyway.
const KILL_WAIT: Duration = Duration::from_secs(3);

impl Session {
    pub fn new(
        store: SharedStore,
        settings: Settings,
        translate: TranslateArgs,
        interrupt: Arc<AtomicBool>,
    ) -> Session {
        let mut functions: Vec<String> = hogql_to_clickhouse::functions::all_names()
            .map(str::to_string)
            .collect();
        functions.extend(hog_vm::stl::names().map(str::to_string));
        functions.sort();
        functions.dedup();
        let mut ctx = translate.context_for(settings.team_id, &settings.timezone);
        if let Err(note) = options::add_materialized_columns(&mut ctx, store.as_ref()) {
            eprintln!("note: {note}");
        }
        let materialized = ctx.materialized.clone();
        let completions = Completions {
            catalog: Catalog::load(store.as_ref(), settings.team_id),
            ctx,
            functions,
            session_names: Vec::new(),
        };
        let mut hog = HogSession::new(store.clone(), interrupt.clone());
        hog.set_team(settings.team_id);
        Session {
            store,
            settings,
            translate,
            completions: Arc::new(RwLock::new(completions)),
            interrupt,
            hog,
            queries_run: 0,
            cancelled: Vec::new(),
            materialized,
        }
    }

    /// Shared with the editor's completer.
    pub fn completions(&self) -> Arc<RwLock<Completions>> {
        self.completions.clone()
    }

    /// `team 1 · UTC`, for the prompt.
    pub fn prompt(&self) -> String {
        format!(
            "team {} · {}",
            self.settings.team_id, self.settings.timezone
        )
    }

    fn catalog(&self) -> Catalog {
        self.completions
            .read()
            .map(|c| c.catalog.clone())
            .unwrap_or_default()
    }

    fn refresh_catalog(&mut self) {
        let mut probe = self.context();
        if let Ok(true) = options::add_materialized_columns(&mut probe, self.store.as_ref()) {
            self.materialized = probe.materialized;
        }
        let catalog = Catalog::load(self.store.as_ref(), self.settings.team_id);
        let ctx = self.context();
        if let Ok(mut c) = self.completions.write() {
            c.catalog = catalog;
            c.ctx = ctx;
        }
    }

    fn context(&self) -> Context {
        let mut ctx = self
            .translate
            .context_for(self.settings.team_id, &self.settings.timezone);
        ctx.materialized = self.materialized.clone();
        ctx
    }

    /// Runs one complete entry.
    pub fn handle(&mut self, entry: &str) -> Flow {
        let trimmed = entry.trim();
        if trimmed.starts_with('\\') {
            return match meta::parse(trimmed) {
                Ok(command) => self.meta(command),
                Err(message) => {
                    self.problem(&Problem::error(message, None), trimmed);
                    Flow::Continue
                }
            };
        }
        let pieces = input::split_statements(entry);
        let mut i = 0;
        while i < pieces.len() {
            let text = &entry[pieces[i].clone()];
            if is_query(text) {
                self.query(text);
                i += 1;
            } else {
                // Consecutive Hog statements run as one program (`if (a) x; else y;`).
                let start = pieces[i].start;
                let mut end = pieces[i].end;
                i += 1;
                while i < pieces.len() && !is_query(&entry[pieces[i].clone()]) {
                    end = pieces[i].end;
                    i += 1;
                }
                self.run_hog(&entry[start..end]);
            }
        }
        Flow::Continue
    }

    fn problem(&self, problem: &Problem, source: &str) {
        eprint!("{}", problem.render(source, self.settings.color));
    }

    fn note(&self, text: &str) {
        if self.settings.color {
            eprintln!("\x1b[2m{text}\x1b[0m");
        } else {
            eprintln!("{text}");
        }
    }

    /// Ends the session: waits a little for cancelled queries to stop, then releases the store,
    /// so the engine closes its data directory before the process exits.
    pub fn close(self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        for handle in self.cancelled {
            while !handle.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if handle.is_finished() {
                let _ = handle.join();
            }
        }
    }

    // --------------------------------------------------------------------------------------
    // HogQL
    // --------------------------------------------------------------------------------------

    fn query(&mut self, text: &str) {
        self.queries_run += 1;
        let marker = format!("hog_repl_{}_{}", std::process::id(), self.queries_run);
        let ctx = self
            .context()
            .with_setting("log_comment", SettingValue::Str(marker.clone()));
        let prepared = match run::prepare(text, &ctx) {
            Ok(p) => p,
            Err(problems) => {
                for p in problems {
                    self.problem(&p, text);
                }
                return;
            }
        };
        for warning in warnings::check(&prepared.ast, &self.catalog(), text) {
            self.problem(&warning, text);
        }
        if self.settings.show_sql {
            self.note(&prepared.clickhouse.inline());
        }
        let params = prepared.params();
        match self.run_cancellable(prepared.clickhouse.sql.clone(), params, marker) {
            Finished::Cancelled(Some(after)) => self.note(&format!(
                "query cancelled (the engine stopped it {} ms after Ctrl-C)",
                after.as_millis()
            )),
            Finished::Cancelled(None) => {
                self.note("query cancelled; the engine has not stopped it yet and finishes it in the background")
            }
            Finished::Done(Err(e), _) => {
                self.problem(&Problem::error(e.to_string(), None), text);
            }
            Finished::Done(Ok(result), elapsed) => self.show(&result, elapsed, &prepared.ast),
        }
    }

    /// Runs the SQL on a worker thread, so Ctrl-C can give the prompt back at once; the engine
    /// is asked to stop the query (`KILL QUERY` by its `log_comment`).
    fn run_cancellable(&mut self, sql: String, params: Params, marker: String) -> Finished {
        self.interrupt.store(false, Ordering::SeqCst);
        let (tx, rx) = mpsc::channel();
        let store = self.store.clone();
        let started = Instant::now();
        let spawned = std::thread::Builder::new()
            .name("hog-query".into())
            .spawn(move || {
                let result = store.query(&sql, &params);
                let _ = tx.send((result, started.elapsed()));
            });
        let handle = match spawned {
            Ok(handle) => handle,
            Err(e) => {
                return Finished::Done(
                    Err(hog_store::StoreError::Invalid(format!(
                        "cannot start the query: {e}"
                    ))),
                    Duration::ZERO,
                );
            }
        };
        loop {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok((result, elapsed)) => return Finished::Done(result, elapsed),
                Err(RecvTimeoutError::Disconnected) => {
                    return Finished::Done(
                        Err(hog_store::StoreError::Invalid(
                            "the query thread stopped".into(),
                        )),
                        started.elapsed(),
                    );
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.interrupt.swap(false, Ordering::SeqCst) {
                        let asked = Instant::now();
                        self.kill(&marker);
                        // The engine answers KILL QUERY within a block of rows; wait for the
                        // worker so the user learns whether the query really stopped.
                        while !handle.is_finished() && asked.elapsed() < KILL_WAIT {
                            std::thread::sleep(Duration::from_millis(10));
                        }
                        let stopped = handle.is_finished().then(|| asked.elapsed());
                        self.cancelled.retain(|h| !h.is_finished());
                        if stopped.is_some() {
                            let _ = handle.join();
                        } else {
                            self.cancelled.push(handle);
                        }
                        return Finished::Cancelled(stopped);
                    }
                }
            }
        }
    }

    /// Asks the engine to stop the query carrying `marker`, without waiting for it. The
    /// pattern is built with `concat` so this statement does not match itself.
    fn kill(&self, marker: &str) {
        let (head, tail) = marker.split_at(4);
        let store = self.store.clone();
        let sql = format!("KILL QUERY WHERE position(query, concat('{head}', '{tail}')) > 0 ASYNC");
        let _ = std::thread::Builder::new()
            .name("hog-kill".into())
            .spawn(move || {
                let _ = store.execute(&sql, &Params::new());
            });
    }

    fn show(&self, result: &QueryResult, elapsed: Duration, ast: &Query) {
        let style = table::Style {
            color: self.settings.color,
            ..table::Style::default()
        };
        print!("{}", render::render(result, self.settings.format, &style));
        if self.settings.format == Format::Table {
            let footer = table::footer(result.rows.len(), self.settings.timing.then_some(elapsed));
            self.note(&footer);
        }
        if let Some(note) = run::limit_note(ast, result.rows.len(), &self.context()) {
            self.note(&note);
        }
    }

    // --------------------------------------------------------------------------------------
    // Hog
    // --------------------------------------------------------------------------------------

    fn run_hog(&mut self, text: &str) {
        let color = self.settings.color;
        match self.hog.run(text) {
            Ok(Some(value)) => println!("{value}"),
            Ok(None) => {}
            Err(problems) => {
                for p in problems {
                    eprint!("{}", p.render(text, color));
                }
            }
        }
        let names = self.hog.names();
        if let Ok(mut c) = self.completions.write() {
            c.session_names = names;
        }
    }

    // --------------------------------------------------------------------------------------
    // Meta-commands
    // --------------------------------------------------------------------------------------

    fn meta(&mut self, command: Meta) -> Flow {
        match command {
            Meta::Quit => return Flow::Quit,
            Meta::Help => print!("{}", meta::help()),
            Meta::Tables => {
                let rows = catalog::tables()
                    .iter()
                    .map(|t| vec![Value::String(t.to_string())])
                    .collect();
                self.print_table(&["table"], rows);
            }
            Meta::Describe(name) => match catalog::fields(&name, &self.context()) {
                Some(fields) => {
                    let rows = fields
                        .into_iter()
                        .map(|f| vec![Value::String(f.name), Value::String(f.kind)])
                        .collect();
                    self.print_table(&["field", "type"], rows);
                }
                None => {
                    let close: Vec<String> = catalog::tables()
                        .iter()
                        .filter(|t| strsim::jaro_winkler(t, &name) > 0.8)
                        .map(|t| format!("`{t}`"))
                        .collect();
                    let mut p = Problem::error(format!("unknown table `{name}`"), None);
                    if !close.is_empty() {
                        p = p.with_hints([format!("did you mean {}?", close.join(", "))]);
                    }
                    self.problem(&p, &name);
                }
            },
            Meta::Sql(on) => {
                self.settings.show_sql = on.unwrap_or(!self.settings.show_sql);
                println!("ClickHouse SQL is {}", on_off(self.settings.show_sql));
            }
            Meta::Timing(on) => {
                self.settings.timing = on.unwrap_or(!self.settings.timing);
                println!("timing is {}", on_off(self.settings.timing));
            }
            Meta::Format(Some(format)) => {
                self.settings.format = format;
                println!("format: {}", format.name());
            }
            Meta::Format(None) => println!("format: {}", self.settings.format.name()),
            Meta::Team(Some(team)) => {
                self.settings.team_id = team;
                self.hog.set_team(team);
                self.refresh_catalog();
                println!("team {team}");
            }
            Meta::Team(None) => println!("team {}", self.settings.team_id),
            Meta::TimeZone(Some(zone)) => {
                let ctx = self.context().with_timezone(zone.clone());
                match translate_select("select now()", &ctx) {
                    Ok(_) => {
                        self.settings.timezone = zone.clone();
                        self.refresh_catalog();
                        println!("time zone {zone}");
                    }
                    Err(errors) => {
                        let message = errors
                            .into_iter()
                            .next()
                            .map_or_else(|| format!("unknown time zone `{zone}`"), |e| e.message);
                        self.problem(&Problem::error(message, None), &zone);
                    }
                }
            }
            Meta::TimeZone(None) => println!("time zone {}", self.settings.timezone),
            Meta::Import(path) => {
                match setup::import_file(
                    self.store.as_ref(),
                    &path,
                    self.settings.team_id,
                    self.settings.color,
                ) {
                    Ok(summary) => println!("{summary}"),
                    Err(message) => self.problem(&Problem::error(message, None), ""),
                }
                self.refresh_catalog();
            }
            Meta::Vars => {
                let vars = self.hog.describe();
                if vars.is_empty() {
                    println!("no Hog variables yet (try `let x := 1`)");
                } else {
                    for line in vars {
                        println!("{line}");
                    }
                }
            }
        }
        Flow::Continue
    }

    fn print_table(&self, columns: &[&str], rows: Vec<Vec<Value>>) {
        let result = QueryResult {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            types: columns.iter().map(|_| "String".to_string()).collect(),
            rows,
        };
        let style = table::Style {
            color: self.settings.color,
            ..table::Style::default()
        };
        print!("{}", table::render(&result, &style));
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// A HogQL query starts with `SELECT` or `WITH`, possibly inside parentheses; anything else is
/// Hog.
pub fn is_query(text: &str) -> bool {
    let (tokens, _) = tokenize(text, Entry::Select);
    tokens
        .iter()
        .map(|(_, t, _)| t)
        .find(|t| !matches!(t, Tok::LParen))
        .is_some_and(|t| matches!(t, Tok::Kw(Kw::Select | Kw::With)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_hog_are_told_apart() {
        assert!(is_query("select 1"));
        assert!(is_query("  (SELECT 1) union all (select 2)"));
        assert!(is_query("with a as (select 1) select * from a"));
        assert!(!is_query("let x := 1"));
        assert!(!is_query("print(1)"));
        assert!(!is_query("(1 + 2)"));
        assert!(!is_query("fun f() { return 1 }"));
    }
}
