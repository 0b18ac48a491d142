//! Differential test against PostHog's own parser (`@posthog/hogql-parser`, pinned in
//! `tests/peers`): the same inputs must give the same JSON tree, positions included.
//!
//! Inputs: `../shared/bench/parser/queries.jsonl` (the first 30 by default, all 1,000 with
//! `HOG_FULL_TESTS=1`), `program_5k.hog`, and the fixtures under `tests/fixtures/ok`.
//! The peer runs once, in one node process, over all inputs (it needs ~50 ms per query).

use hogql_parser::posthog_json::{
    JsonOptions, error_to_json, expr_to_json, program_to_json, query_to_json,
};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Case {
    name: String,
    kind: &'static str,
    src: String,
}

fn cases() -> Vec<Case> {
    let full = std::env::var("HOG_FULL_TESTS").is_ok_and(|v| v == "1");
    let shared = root().join("../shared/bench/parser");
    let mut out = Vec::new();
    let queries = std::fs::read_to_string(shared.join("queries.jsonl"))
        .expect("../shared/bench/parser/queries.jsonl");
    for (i, line) in queries
        .lines()
        .enumerate()
        .take(if full { usize::MAX } else { 30 })
    {
        let src: String = serde_json::from_str(line).expect("each line is a JSON string");
        out.push(Case {
            name: format!("queries.jsonl:{}", i + 1),
            kind: "select",
            src,
        });
    }
    let program = std::fs::read_to_string(shared.join("program_5k.hog")).expect("program_5k.hog");
    out.push(Case {
        name: "program_5k.hog".into(),
        kind: "program",
        src: program,
    });
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ok");
    let mut files: Vec<PathBuf> = walk(&fixtures);
    files.sort();
    for f in files {
        let kind = match f.extension().and_then(|e| e.to_str()) {
            Some("hogql") => "select",
            Some("hog") => "program",
            Some("expr") => "expr",
            Some("template") => "template",
            _ => continue,
        };
        let src = std::fs::read_to_string(&f).expect("fixture");
        out.push(Case {
            name: f
                .strip_prefix(&fixtures)
                .unwrap_or(&f)
                .display()
                .to_string(),
            kind,
            src,
        });
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn ours(c: &Case, positions: bool) -> String {
    let opts = JsonOptions {
        positions: positions.then_some(c.src.as_str()),
    };
    let r = match c.kind {
        "expr" => hogql_parser::parse_expr(&c.src).map(|e| expr_to_json(&e, &opts)),
        "program" => hogql_parser::parse_program(&c.src).map(|p| program_to_json(&p, &opts)),
        "template" => hogql_parser::parse_template(&c.src).map(|e| expr_to_json(&e, &opts)),
        _ => hogql_parser::parse_select(&c.src).map(|q| query_to_json(&q, &opts)),
    };
    r.unwrap_or_else(|errs| error_to_json(&errs[0], &c.src))
}

fn peer(cases: &[Case], positions: bool) -> Vec<String> {
    let peers = root().join("tests/peers");
    assert!(
        peers.join("node_modules/@posthog/hogql-parser").is_dir(),
        "the npm peers are not installed: run scripts/install-peers.sh (needs Node.js and npm)"
    );
    let mut child = Command::new("node")
        .arg("parser-oracle.mjs")
        .current_dir(&peers)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node must be on PATH to run the peer parser");
    let mut input = String::new();
    for c in cases {
        let line = serde_json::json!({ "kind": c.kind, "src": c.src, "positions": positions });
        input.push_str(&line.to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("peer output");
    writer
        .join()
        .expect("writer thread")
        .expect("write to peer");
    assert!(out.status.success(), "peer failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(
        lines.len(),
        cases.len(),
        "peer answered a different number of inputs"
    );
    lines
}

/// The first place where two JSON values differ, as a path.
fn first_diff(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => {
                        if let Some(d) = first_diff(va, vb, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                    (va, vb) => {
                        return Some(format!("{path}.{k}: ours {} / peer {}", show(va), show(vb)));
                    }
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() != y.len() => Some(format!(
            "{path}: ours {} items / peer {} items",
            x.len(),
            y.len()
        )),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_diff(va, vb, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!(
            "{path}: ours {} / peer {}",
            show(Some(a)),
            show(Some(b))
        )),
    }
}

fn show(v: Option<&Value>) -> String {
    let s = v.map_or("(absent)".to_string(), Value::to_string);
    if s.len() > 160 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(160).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

#[test]
fn same_trees_as_posthog_parser() {
    let cases = cases();
    let positions = true;
    let theirs = peer(&cases, positions);
    let mut mismatches = Vec::new();
    let mut exact = 0;
    for (c, t) in cases.iter().zip(&theirs) {
        let o = ours(c, positions);
        if &o == t {
            exact += 1;
            continue;
        }
        let ov: Value = serde_json::from_str(&o).expect("our JSON parses");
        let tv: Value = serde_json::from_str(t).unwrap_or(Value::Null);
        // Both failed: error messages and positions differ by design (ANTLR's wording).
        if ov.get("error").is_some() && tv.get("error").is_some() {
            continue;
        }
        if let Some(d) = first_diff(&ov, &tv, "$") {
            mismatches.push(format!("{}: {d}", c.name));
        }
    }
    eprintln!(
        "{} inputs, {} byte-identical, {} different",
        cases.len(),
        exact,
        mismatches.len()
    );
    for m in &mismatches {
        eprintln!("  {m}");
    }
    assert!(
        mismatches.is_empty(),
        "{} inputs parse differently from PostHog's parser",
        mismatches.len()
    );
}
