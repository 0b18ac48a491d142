//! Hog in the REPL: each Hog entry runs as a program in the VM, and what it defines stays
//! defined for the next entries (`let x := 1`, then `print(x + 1)`).
//!
//! The VM runs whole programs, so the session carries definitions between them itself:
//!
//! * a variable whose value is plain data is kept as that value and handed to the next program
//!   as a global (`__hog_repl`); a prologue `let x := __hog_repl.x` makes it an ordinary,
//!   assignable local again;
//! * a function (`fun f() {...}`) or a variable holding a lambda is kept as its source text and
//!   declared again in the prologue (declaring a function has no side effects);
//! * an epilogue prints the value of a final expression statement (unless null) and returns
//!   the values and `typeof`s of all those names, marked so it is told apart from a `return`
//!   of the user's own.
//!
//! Values cross as JSON, like every host boundary of the VM (tuples come back as arrays).
//! Ctrl-C aborts a running program through the VM's progress callback. `sql(query)` runs HogQL
//! against the REPL's store and returns `{columns, results}`.

use crate::options::SharedStore;
use crate::render::problem::Problem;
use hog_compiler::{CompileOptions, HostFunction, compile_program};
use hog_vm::{Control, Limits, Outcome, Vm};
use hogql_parser::ast::{Program, Span, Stmt, StmtKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The global holding the carried values.
const CARRIED: &str = "__hog_repl";
/// The local holding the value of a final expression statement.
const LAST: &str = "__hog_repl_last";
/// The key marking the epilogue's return value.
const MARK: &str = "__hog_repl_epilogue";

/// One carried definition.
#[derive(Debug, Clone)]
enum Def {
    /// Plain data.
    Value {
        name: String,
        json: serde_json::Value,
    },
    /// A declaration to run again (`fun f() {…}`, `let f := x -> …`).
    Source { name: String, text: String },
}

impl Def {
    fn name(&self) -> &str {
        match self {
            Def::Value { name, .. } | Def::Source { name, .. } => name,
        }
    }
}

pub struct HogSession {
    defs: Vec<Def>,
    store: SharedStore,
    team_id: i64,
    interrupt: Arc<AtomicBool>,
}

impl HogSession {
    pub fn new(store: SharedStore, interrupt: Arc<AtomicBool>) -> HogSession {
        HogSession {
            defs: Vec::new(),
            store,
            team_id: 1,
            interrupt,
        }
    }

    /// The team `sql(...)` reads.
    pub fn set_team(&mut self, team_id: i64) {
        self.team_id = team_id;
    }

    /// Names defined so far, for completion.
    pub fn names(&self) -> Vec<String> {
        self.defs.iter().map(|d| d.name().to_string()).collect()
    }

    /// One line per definition, for `\vars`.
    pub fn describe(&self) -> Vec<String> {
        self.defs
            .iter()
            .map(|d| match d {
                Def::Value { name, json } => format!("{name} = {json}"),
                Def::Source { text, .. } => text.lines().next().unwrap_or("").to_string(),
            })
            .collect()
    }

    /// Runs `text` as a Hog program in the session. Prints (and the value of a final
    /// expression) go to stdout as they happen; the value of a top-level `return` comes back
    /// for display.
    pub fn run(&mut self, text: &str) -> Result<Option<String>, Vec<Problem>> {
        let program = hogql_parser::parse_program(text).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| Problem::error(e.message, Some(e.span.range())).with_hints(e.hints))
                .collect::<Vec<_>>()
        })?;

        // Names this entry declares at the top level.
        let mut declared: Vec<(String, Option<String>)> = Vec::new();
        for stmt in &program.declarations {
            match &stmt.kind {
                StmtKind::VarDecl { name, expr } => {
                    let source = expr
                        .as_ref()
                        .and_then(|e| text.get(e.span.range()))
                        .map(|init| format!("let {name} := {init}"));
                    declared.push((name.clone(), source));
                }
                StmtKind::Function { name, .. } => {
                    declared.push((
                        name.clone(),
                        text.get(stmt.span.range()).map(str::to_string),
                    ));
                }
                _ => {}
            }
        }
        let functions: Vec<&str> = program
            .declarations
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Function { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect();

        // Prologue: earlier definitions this entry does not declare again.
        let carried: Vec<&Def> = self
            .defs
            .iter()
            .filter(|d| !declared.iter().any(|(n, _)| n == d.name()))
            .collect();
        let mut prologue_text = String::new();
        let mut globals = serde_json::Map::new();
        for def in &carried {
            match def {
                Def::Value { name, json } => {
                    prologue_text.push_str(&format!("let {name} := {CARRIED}.{name}\n"));
                    globals.insert(name.clone(), json.clone());
                }
                Def::Source { text, .. } => {
                    prologue_text.push_str(text);
                    prologue_text.push('\n');
                }
            }
        }
        let prologue = hogql_parser::parse_program(&prologue_text).map_err(|_| {
            vec![Problem::error(
                "the session's earlier definitions no longer parse; restart the REPL",
                None,
            )]
        })?;

        // Epilogue: hand back every variable's value (not functions: they are kept as source).
        let mut names: Vec<String> = carried
            .iter()
            .filter(|d| matches!(d, Def::Value { .. }))
            .map(|d| d.name().to_string())
            .collect();
        names.extend(
            declared
                .iter()
                .filter(|(n, _)| !functions.contains(&n.as_str()))
                .map(|(n, _)| n.clone()),
        );
        let mut body = program.declarations.clone();
        let has_last = match body.last_mut() {
            Some(stmt) => match &stmt.kind {
                StmtKind::Expr(Some(e)) => {
                    stmt.kind = StmtKind::VarDecl {
                        name: LAST.to_string(),
                        expr: Some(e.clone()),
                    };
                    true
                }
                _ => false,
            },
            None => false,
        };
        let vars = names
            .iter()
            .map(|n| format!("'{n}': {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let types = names
            .iter()
            .map(|n| format!("'{n}': typeof({n})"))
            .collect::<Vec<_>>()
            .join(", ");
        let show_last = if has_last {
            format!("if ({LAST} != null) {{ print({LAST}) }}\n")
        } else {
            String::new()
        };
        let epilogue_text = format!(
            "{show_last}return {{'{MARK}': true, 'vars': {{{vars}}}, 'types': {{{types}}}}}"
        );
        let epilogue = hogql_parser::parse_program(&epilogue_text)
            .map_err(|_| vec![Problem::error("internal error: bad REPL epilogue", None)])?;

        // The prologue and epilogue come from other texts: give them an empty span at the end of
        // the entry so no error points into the user's text at a wrong place.
        let end = text.len() as u32;
        let mut declarations: Vec<Stmt> = prologue
            .declarations
            .into_iter()
            .map(|s| Stmt::new(s.kind, Span::new(end, end)))
            .collect();
        declarations.extend(body);
        declarations.extend(
            epilogue
                .declarations
                .into_iter()
                .map(|s| Stmt::new(s.kind, Span::new(end, end))),
        );
        let whole = Program {
            declarations,
            span: Span::new(0, end),
        };

        let options = CompileOptions {
            host_functions: vec![HostFunction::new("sql", 1, 1)],
            ..CompileOptions::default()
        };
        let compiled = compile_program(&whole, &options).map_err(|diags| {
            diags
                .into_iter()
                .map(|d| {
                    let span = (d.span.end <= end && d.span.start < end).then(|| d.span.range());
                    Problem::error(d.message, span).with_hints(d.hints)
                })
                .collect::<Vec<_>>()
        })?;

        let mut vm = Vm::from_json(compiled.to_json())
            .map_err(|e| vec![Problem::error(format!("internal error: {e}"), None)])?;
        let mut g = serde_json::Map::new();
        g.insert(CARRIED.to_string(), serde_json::Value::Object(globals));
        vm.set_globals(serde_json::Value::Object(g))
            .map_err(|e| vec![Problem::error(e.to_string(), None)])?;
        vm.set_limits(Limits {
            timeout: Some(Duration::from_secs(300)),
            max_steps: Some(10_000_000_000),
            ..Limits::default()
        });
        vm.on_print(|line| println!("{line}"));
        self.interrupt.store(false, Ordering::SeqCst);
        let interrupt = self.interrupt.clone();
        vm.on_progress(move |_| {
            if interrupt.swap(false, Ordering::SeqCst) {
                Control::Abort
            } else {
                Control::Continue
            }
        });
        let store = self.store.clone();
        let team_id = self.team_id;
        vm.host_functions_mut()
            .register_json("sql", move |args| run_sql(&store, team_id, args));

        let value = match vm.run() {
            Ok(Outcome::Finished(value)) => value,
            Ok(Outcome::Suspended { function, .. }) => {
                return Err(vec![Problem::error(
                    format!("`{function}` is not available in the REPL"),
                    None,
                )]);
            }
            Err(e) => return Err(vec![Problem::error(e.to_string(), None)]),
        };
        let marked = value.get(MARK).is_some();
        if !marked {
            // A top-level `return` of the user's own.
            return Ok((!value.is_null()).then(|| value.to_string()));
        }
        for name in &names {
            let Some(json) = value.get("vars").and_then(|v| v.get(name)) else {
                continue;
            };
            let is_function = value
                .get("types")
                .and_then(|t| t.get(name))
                .and_then(|t| t.as_str())
                == Some("function");
            let def = if is_function {
                match declared.iter().find(|(n, _)| n == name) {
                    Some((_, Some(source))) => Def::Source {
                        name: name.clone(),
                        text: source.clone(),
                    },
                    // A lambda carried from earlier keeps its earlier definition.
                    _ => continue,
                }
            } else {
                Def::Value {
                    name: name.clone(),
                    json: json.clone(),
                }
            };
            self.define(def);
        }
        for name in &functions {
            if let Some((_, Some(source))) = declared.iter().find(|(n, _)| n == name) {
                self.define(Def::Source {
                    name: name.to_string(),
                    text: source.clone(),
                });
            }
        }
        Ok(None)
    }

    /// Adds or replaces a definition; the newest goes last so later ones can use earlier ones.
    fn define(&mut self, def: Def) {
        self.defs.retain(|d| d.name() != def.name());
        self.defs.push(def);
    }
}

/// The `sql(query)` host function: HogQL through the translator into the store.
fn run_sql(
    store: &SharedStore,
    team_id: i64,
    args: &[serde_json::Value],
) -> Result<serde_json::Value, String> {
    let Some(serde_json::Value::String(text)) = args.first() else {
        return Err("sql() takes the HogQL query as a string".into());
    };
    let ctx = hogql_to_clickhouse::Context::new(team_id);
    let (_, result) = crate::render::run::run(store.as_ref(), text, &ctx).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    Ok(serde_json::json!({
        "columns": result.columns,
        "results": result.rows.iter()
            .map(|row| row.iter().map(hog_store::Value::to_json).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
    }))
}
