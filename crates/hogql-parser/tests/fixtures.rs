//! Fixture files → insta snapshots.
//!
//! `tests/fixtures/{ok,err}/<rule>/<name>.<ext>`: the folder `<rule>` says which entry point
//! parses the file (`expr`, `select`, `program`, `template`); the extension is only for editors
//! (`.sql`, `.hog`, `.txt`).
//!
//! - `ok/**`: must parse. The snapshot holds the indented tree and the printed text. Every
//!   tree also passes the span check (each child inside its parent, inside the source) and
//!   the round trip (the printed text parses back to the same tree).
//! - `err/**`: must fail. The snapshot holds the rendered errors (ariadne, no colour), each
//!   headed by `FILE:LINE:COL`.
//!
//! Snapshots live in `tests/fixtures/snapshots/`; update them with `INSTA_UPDATE=always`.

use hogql_parser::ast::*;
use hogql_parser::print::{
    print_expr, print_program, print_query, tree_expr, tree_program, tree_query,
};
use hogql_parser::render::render_errors;
use hogql_parser::{
    LineIndex, ParseError, parse_expr, parse_program, parse_select, parse_template,
};
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Expr,
    Select,
    Program,
    Template,
}

impl Rule {
    fn from_dir(name: &str) -> Option<Rule> {
        Some(match name {
            "expr" => Rule::Expr,
            "select" => Rule::Select,
            "program" => Rule::Program,
            "template" => Rule::Template,
            _ => return None,
        })
    }
}

/// A successful parse, kept as the node type of its entry point.
enum Tree {
    Expr(Expr),
    Query(Query),
    Program(Program),
}

fn parse(rule: Rule, src: &str) -> Result<Tree, Vec<ParseError>> {
    Ok(match rule {
        Rule::Expr => Tree::Expr(parse_expr(src)?),
        Rule::Template => Tree::Expr(parse_template(src)?),
        Rule::Select => Tree::Query(parse_select(src)?),
        Rule::Program => Tree::Program(parse_program(src)?),
    })
}

/// `(rule, path)` for every fixture file under `kind` (`ok` / `err`), sorted.
fn fixtures(kind: &str) -> Vec<(Rule, PathBuf)> {
    let mut out = Vec::new();
    let root = Path::new(FIXTURES).join(kind);
    let dirs = std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    for dir in dirs {
        let dir = dir.expect("fixture directory entry").path();
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let rule =
            Rule::from_dir(name).unwrap_or_else(|| panic!("unknown rule folder {}", dir.display()));
        for f in std::fs::read_dir(&dir).expect("fixture folder") {
            let f = f.expect("fixture file").path();
            if f.is_file() {
                out.push((rule, f));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// `ok__select__joins` for `ok/select/joins.sql`.
fn snapshot_name(kind: &str, path: &Path) -> String {
    let rule = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("");
    format!("{kind}__{rule}__{stem}")
}

fn settings(path: &Path) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(FIXTURES).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_input_file(path);
    s.set_omit_expression(true);
    s
}

/// The tree without spans, for comparing two parses of different text.
fn shape<T: serde::Serialize>(t: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(t).expect("the AST serialises");
    let mut stack = vec![&mut v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("span");
                stack.extend(m.values_mut());
            }
            serde_json::Value::Array(a) => stack.extend(a.iter_mut()),
            _ => {}
        }
    }
    v
}

#[test]
fn ok_fixtures() {
    let files = fixtures("ok");
    assert!(files.len() >= 40, "only {} ok fixtures", files.len());
    for (rule, path) in files {
        let src = std::fs::read_to_string(&path).expect("fixture text");
        let tree = parse(rule, &src).unwrap_or_else(|errs| {
            panic!(
                "{} should parse:\n{}",
                path.display(),
                render_errors(&errs, &src, &path.display().to_string(), false)
            )
        });
        let problems = check_spans(&tree, src.len() as u32);
        assert!(
            problems.is_empty(),
            "{}: spans outside their parent:\n{}",
            path.display(),
            problems.join("\n")
        );
        let (tree_text, printed, round_trip) = match &tree {
            Tree::Expr(e) => {
                let p = print_expr(e);
                let again = parse_expr(&p).map(|x| shape(&x) == shape(e));
                (tree_expr(e), p, again)
            }
            Tree::Query(q) => {
                let p = print_query(q);
                let again = parse_select(&p).map(|x| shape(&x) == shape(q));
                (tree_query(q), p, again)
            }
            Tree::Program(prog) => {
                let p = print_program(prog);
                let again = parse_program(&p).map(|x| shape(&x) == shape(prog));
                (tree_program(prog), p, again)
            }
        };
        match round_trip {
            Ok(true) => {}
            Ok(false) => panic!(
                "{}: the printed text parses to a different tree:\n{printed}",
                path.display()
            ),
            Err(e) => panic!(
                "{}: the printed text does not parse: {e:?}\n{printed}",
                path.display()
            ),
        }
        let snap = format!("{tree_text}\n--- printed\n{printed}\n");
        settings(&path).bind(|| {
            insta::assert_snapshot!(snapshot_name("ok", &path), snap);
        });
    }
}

#[test]
fn err_fixtures() {
    let files = fixtures("err");
    assert!(files.len() >= 15, "only {} err fixtures", files.len());
    for (rule, path) in files {
        let src = std::fs::read_to_string(&path).expect("fixture text");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("input")
            .to_string();
        let errors = match parse(rule, &src) {
            Ok(_) => panic!("{} should not parse", path.display()),
            Err(e) => e,
        };
        assert!(
            !errors.is_empty(),
            "{}: an error list is never empty",
            path.display()
        );
        let rendered = render_errors(&errors, &src, &name, false);
        // Each error is headed by `NAME:LINE:COL: error:` with the position of its span.
        let index = LineIndex::new(&src);
        for e in &errors {
            let lc = index.line_col(&src, e.span.start);
            let head = format!("{name}:{}:{}: error: ", lc.line, lc.column + 1);
            assert!(
                rendered.contains(&head),
                "{}: no `{head}` in\n{rendered}",
                path.display()
            );
            assert!(
                e.span.start <= e.span.end && e.span.end as usize <= src.len(),
                "{}: error span {:?} outside the input",
                path.display(),
                e.span
            );
        }
        settings(&path).bind(|| {
            insta::assert_snapshot!(snapshot_name("err", &path), rendered);
        });
    }
}

// ------------------------------------------------------------------------------------------------
// Span check
// ------------------------------------------------------------------------------------------------

/// Walks the tree with the AST visitor and reports every node whose span is not inside its
/// parent's (or, at the top, inside the source).
fn check_spans(tree: &Tree, len: u32) -> Vec<String> {
    let mut c = SpanCheck {
        stack: vec![("source", Span::new(0, len))],
        problems: Vec::new(),
    };
    match tree {
        Tree::Expr(e) => c.visit_expr(e),
        Tree::Query(q) => c.visit_query(q),
        Tree::Program(p) => c.visit_program(p),
    }
    c.problems
}

struct SpanCheck {
    /// The enclosing nodes, innermost last.
    stack: Vec<(&'static str, Span)>,
    problems: Vec<String>,
}

impl SpanCheck {
    /// Visits the parts of a query that lie outside its span against its parent (above the
    /// expression node of a subquery, which has the query's span).
    fn outside(&mut self, span: Span, parts: [&Option<Box<Expr>>; 2]) {
        let mut held = Vec::new();
        while self.stack.len() > 1 && self.stack.last().is_some_and(|&(_, s)| s == span) {
            held.extend(self.stack.pop());
        }
        for e in parts.into_iter().flatten() {
            if !span.contains(e.span) {
                self.visit_expr(e);
            }
        }
        self.stack.extend(held.into_iter().rev());
    }

    /// Checks `span` against the innermost parent, then visits the children inside it.
    fn enter(&mut self, what: &'static str, span: Span, children: impl FnOnce(&mut Self)) {
        if let Some(&(parent, outer)) = self.stack.last()
            && (!outer.contains(span) || span.start > span.end)
        {
            self.problems
                .push(format!("{what} {span:?} is not inside {parent} {outer:?}"));
        }
        self.stack.push((what, span));
        children(self);
        self.stack.pop();
    }
}

impl Visitor for SpanCheck {
    fn visit_expr(&mut self, e: &Expr) {
        self.enter("expression", e.span, |c| {
            // Tag attributes carry spans of their own.
            if let ExprKind::HogQLXTag(tag) = &e.kind {
                for a in &tag.attributes {
                    c.enter("tag attribute", a.span, |c| match &a.value {
                        HogQLXValue::Expr(v) => c.visit_expr(v),
                        HogQLXValue::Children(cs) => cs.iter().for_each(|x| c.visit_expr(x)),
                    });
                }
            } else {
                walk_expr(c, e)
            }
        });
    }
    fn visit_stmt(&mut self, s: &Stmt) {
        self.enter("statement", s.span, |c| {
            if let StmtKind::TryCatch { catches, .. } = &s.kind {
                for cc in catches {
                    c.enter("catch", cc.span, |_| {});
                }
            }
            walk_stmt(c, s)
        });
    }
    fn visit_block(&mut self, b: &Block) {
        self.enter("block", b.span, |c| walk_block(c, b));
    }
    fn visit_program(&mut self, p: &Program) {
        self.enter("program", p.span, |c| walk_program(c, p));
    }
    fn visit_select(&mut self, q: &SelectQuery) {
        self.enter("select", q.span, |c| {
            for cte in q.ctes.iter().flatten() {
                c.enter("cte", cte.span, |c| c.visit_expr(&cte.expr));
            }
            q.select.iter().for_each(|e| c.visit_expr(e));
            if let Some(j) = &q.select_from {
                c.visit_join(j);
            }
            if let Some(aj) = &q.array_join {
                c.enter("array join", aj.span, |c| {
                    aj.exprs.iter().for_each(|e| c.visit_expr(e))
                });
            }
            for e in [&q.prewhere, &q.where_].into_iter().flatten() {
                c.visit_expr(e);
            }
            q.group_by.iter().flatten().for_each(|e| c.visit_expr(e));
            for e in [&q.having, &q.qualify].into_iter().flatten() {
                c.visit_expr(e);
            }
            for w in q.window_exprs.iter().flatten() {
                c.enter("named window", w.span, |c| c.visit_window(&w.window));
            }
            q.order_by.iter().flatten().for_each(|o| c.visit_order(o));
            if let Some(lb) = &q.limit_by {
                c.enter("limit by", lb.span, |c| {
                    c.visit_expr(&lb.n);
                    if let Some(o) = &lb.offset_value {
                        c.visit_expr(o);
                    }
                    lb.exprs.iter().for_each(|e| c.visit_expr(e));
                });
            }
            for e in [&q.limit, &q.offset].into_iter().flatten() {
                if q.span.contains(e.span) {
                    c.visit_expr(e);
                }
            }
        });
        // PostHog ends a query with `LIMIT n OFFSET m` at the end of `n`, and `(SELECT …)
        // LIMIT n` keeps the span of the parenthesised SELECT (the JSON export matches its
        // positions): a LIMIT/OFFSET outside the query is checked against the query's parent.
        self.outside(q.span, [&q.limit, &q.offset]);
    }
    fn visit_select_set(&mut self, q: &SelectSetQuery) {
        self.enter("set query", q.span, |c| {
            c.visit_query(&q.initial_select_query);
            for n in &q.subsequent_select_queries {
                c.enter("set member", n.span, |c| c.visit_query(&n.select_query));
            }
            for e in [&q.limit, &q.offset].into_iter().flatten() {
                if q.span.contains(e.span) {
                    c.visit_expr(e);
                }
            }
        });
        self.outside(q.span, [&q.limit, &q.offset]);
    }
    /// Each table of the chain is checked against the SELECT. A joined table's span covers
    /// the table and its alias, as PostHog's does; its ON/USING constraint has its own span
    /// (checked against the SELECT too), because it lies after the table.
    fn visit_join(&mut self, first: &JoinExpr) {
        let mut current = Some(first);
        while let Some(j) = current {
            let sample = |c: &mut Self, s: &SampleExpr| {
                c.enter("sample", s.span, |c| {
                    for r in std::iter::once(&s.sample_value).chain(&s.offset_value) {
                        c.enter("ratio", r.span, |c| {
                            c.visit_expr(&r.left);
                            if let Some(right) = &r.right {
                                c.visit_expr(right);
                            }
                        });
                    }
                })
            };
            self.enter("table", j.span, |c| {
                c.visit_expr(&j.table);
                j.table_args.iter().flatten().for_each(|e| c.visit_expr(e));
                if let Some(s) = j.sample.as_ref().filter(|s| j.span.contains(s.span)) {
                    sample(c, s);
                }
            });
            // PostHog ends a table with an alias at the alias, and a table function at its
            // `)`: a SAMPLE after them is checked against the query.
            if let Some(s) = j.sample.as_ref().filter(|s| !j.span.contains(s.span)) {
                sample(self, s);
            }
            if let Some(con) = &j.constraint {
                self.enter("join constraint", con.span, |c| c.visit_expr(&con.expr));
            }
            current = j.next_join.as_deref();
        }
    }
    fn visit_window(&mut self, w: &WindowExpr) {
        self.enter("window", w.span, |c| {
            walk_window(c, w);
            for f in [&w.frame_start, &w.frame_end].into_iter().flatten() {
                c.enter("frame bound", f.span, |_| {});
            }
        });
    }
    fn visit_order(&mut self, o: &OrderExpr) {
        self.enter("order", o.span, |c| walk_order(c, o));
    }
}
