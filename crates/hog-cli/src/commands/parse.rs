//! `hog parse [--select|--expr|--program|--template] [--tree | --json [--positions]] [FILE|-]`
//! and `hog parse --json --batch FILE.jsonl`.
//!
//! By default the parse is printed back as normalised HogQL / Hog text (the parser's printer:
//! one clause or statement per line, keywords in one case, parentheses only where precedence
//! needs them), which shows how the input was understood and doubles as a formatter. `--tree`
//! prints the syntax tree instead, one node per line with its byte span. With `--json` it is
//! PostHog's JSON AST, the
//! shape `@posthog/hogql-parser` returns, so the two parsers can be diffed line by line. Syntax
//! errors are underlined on stderr (with `LINE:COL`) and exit with 1; in `--json` mode the
//! error object also goes to stdout, where a tool comparing outputs expects it.

use crate::exit;
use crate::render::problem::Problem;
use hogql_parser::posthog_json::{self, JsonOptions};
use hogql_parser::print;
use hogql_parser::{ParseError, parse_expr, parse_program, parse_select, parse_template};
use std::io::{BufRead, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").args(["select", "expr", "program", "template"])))]
pub struct Args {
    /// Parse a SELECT query or a set operation of them (the default).
    #[arg(long)]
    pub select: bool,
    /// Parse one expression.
    #[arg(long)]
    pub expr: bool,
    /// Parse a Hog program.
    #[arg(long)]
    pub program: bool,
    /// Parse a template string (text with `{expr}` interpolations).
    #[arg(long)]
    pub template: bool,
    /// Print the syntax tree (one node per line, with byte spans) instead of the normalised
    /// text.
    #[arg(long, conflicts_with = "json")]
    pub tree: bool,
    /// Print PostHog's JSON AST instead of the normalised text.
    #[arg(long)]
    pub json: bool,
    /// With --json: add `start`/`end` positions to every node.
    #[arg(long, requires = "json")]
    pub positions: bool,
    /// With --json: FILE holds one JSON string per line; print one JSON tree or error object
    /// per line, in order.
    #[arg(
        long,
        requires = "json",
        value_name = "FILE.jsonl",
        conflicts_with = "input"
    )]
    pub batch: Option<PathBuf>,
    /// The text to parse: a file, or `-` (the default) for standard input.
    #[arg(value_name = "FILE|-")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Select,
    Expr,
    Program,
    Template,
}

impl Args {
    fn mode(&self) -> Mode {
        if self.expr {
            Mode::Expr
        } else if self.program {
            Mode::Program
        } else if self.template {
            Mode::Template
        } else {
            Mode::Select
        }
    }
}

/// The output forms of a successful parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Normalised HogQL / Hog text.
    Text,
    /// The indented syntax tree.
    Tree,
    /// PostHog's JSON AST.
    Json,
}

/// One parse, in whichever output form was asked for. A template prints as the expression it
/// stands for (`'Hello ' || name`).
fn parse(
    mode: Mode,
    src: &str,
    output: Output,
    positions: bool,
) -> Result<String, Vec<ParseError>> {
    let opts = JsonOptions {
        positions: positions.then_some(src),
    };
    let text = match mode {
        Mode::Select => {
            let q = parse_select(src)?;
            match output {
                Output::Json => posthog_json::query_to_json(&q, &opts),
                Output::Tree => print::tree_query(&q),
                Output::Text => print::print_query(&q),
            }
        }
        Mode::Expr | Mode::Template => {
            let e = match mode {
                Mode::Expr => parse_expr(src)?,
                _ => parse_template(src)?,
            };
            match output {
                Output::Json => posthog_json::expr_to_json(&e, &opts),
                Output::Tree => print::tree_expr(&e),
                Output::Text => print::print_expr(&e),
            }
        }
        Mode::Program => {
            let p = parse_program(src)?;
            match output {
                Output::Json => posthog_json::program_to_json(&p, &opts),
                Output::Tree => print::tree_program(&p),
                Output::Text => print::print_program(&p),
            }
        }
    };
    // `println!` adds the final line break.
    Ok(text.trim_end_matches('\n').to_string())
}

pub fn run(args: Args) -> ExitCode {
    if let Some(batch) = &args.batch {
        return run_batch(&args, batch);
    }
    let (name, src) = match read_input(args.input.as_ref()) {
        Ok(x) => x,
        Err(msg) => {
            eprintln!("hog parse: {msg}");
            return exit::code(exit::USAGE);
        }
    };
    let output = if args.json {
        Output::Json
    } else if args.tree {
        Output::Tree
    } else {
        Output::Text
    };
    match parse(args.mode(), &src, output, args.positions) {
        Ok(out) => {
            println!("{out}");
            exit::code(exit::OK)
        }
        Err(errors) => {
            if args.json
                && let Some(first) = errors.first()
            {
                println!("{}", posthog_json::error_to_json(first, &src));
            }
            report(&name, &src, &errors);
            exit::code(exit::USER_ERROR)
        }
    }
}

/// Every line of FILE is a JSON string; each becomes one output line. A line that is not a
/// JSON string is an error in the input file, reported with its line number.
fn run_batch(args: &Args, path: &PathBuf) -> ExitCode {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("hog parse: cannot read {}: {e}", path.display());
            return exit::code(exit::USAGE);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = false;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line_no = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{}:{line_no}: cannot read line: {e}", path.display());
                return exit::code(exit::USER_ERROR);
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let src: String = match serde_json::from_str(&line) {
            Ok(s) => s,
            Err(e) => {
                let _ = out.flush();
                eprintln!(
                    "{}:{line_no}: each line must be one JSON string: {e}",
                    path.display()
                );
                return exit::code(exit::USER_ERROR);
            }
        };
        let text = match parse(args.mode(), &src, Output::Json, args.positions) {
            Ok(json) => json,
            Err(errors) => {
                failed = true;
                match errors.first() {
                    Some(first) => posthog_json::error_to_json(first, &src),
                    None => String::from("{\"error\":true}"),
                }
            }
        };
        if writeln!(out, "{text}").is_err() {
            // stdout closed (e.g. piped into `head`): nothing more to say.
            return exit::code(exit::OK);
        }
    }
    let _ = out.flush();
    exit::code(if failed { exit::USER_ERROR } else { exit::OK })
}

fn read_input(input: Option<&PathBuf>) -> Result<(String, String), String> {
    match input {
        Some(p) if p.as_os_str() != "-" => std::fs::read_to_string(p)
            .map(|s| (p.display().to_string(), s))
            .map_err(|e| format!("cannot read {}: {e}", p.display())),
        _ => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(("<stdin>".to_string(), s))
        }
    }
}

/// Each error with its `NAME:LINE:COL` and the source underlined.
fn report(name: &str, src: &str, errors: &[ParseError]) {
    let color = std::io::stderr().is_terminal();
    let index = hogql_parser::LineIndex::new(src);
    for e in errors {
        let at = index.line_col(src, e.span.start);
        eprintln!("{name}:{}:{}: {}", at.line, at.column + 1, e.message);
        let problem = Problem::error(&e.message, Some(e.span.start as usize..e.span.end as usize))
            .with_hints(e.hints.iter().cloned());
        eprint!("{}", problem.render(src, color));
    }
}
