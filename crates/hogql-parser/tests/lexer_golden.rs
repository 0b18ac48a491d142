//! The token stream is the parser's contract: this test pins it for every real input we have.
//!
//! For each input (the benchmark queries and program, every fixture) and each entry point, the
//! tokens (kind, text, span) and the lexical errors (kind, span, message) are hashed; the hashes
//! are in `tests/lexer_golden.txt`, first written by the logos lexer before the hand-written
//! scanner replaced it. A changed hash means a changed token stream: intended changes are
//! recorded with `LEXER_GOLDEN_UPDATE=1 cargo test -p hogql-parser --test lexer_golden`.

use hogql_parser::lexer::{Entry, tokenize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const ENTRIES: [Entry; 4] = [Entry::Expr, Entry::Select, Entry::Program, Entry::Template];

/// 64-bit FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The token streams of `src` under all four entry points, as text.
fn dump(src: &str) -> String {
    let mut out = String::new();
    for entry in ENTRIES {
        let (toks, errors) = tokenize(src, entry);
        let _ = writeln!(out, "{entry:?}");
        for (l, t, r) in toks {
            let _ = writeln!(out, "{l} {t:?} {r}");
        }
        for e in errors {
            let _ = writeln!(out, "E {:?} {:?} {}", e.kind, e.span, e.message);
        }
    }
    out
}

/// `(name, text)` of every input, in a fixed order.
fn inputs() -> Vec<(String, String)> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bench = manifest.join("../../../shared/bench/parser");
    let mut out = Vec::new();
    let queries = std::fs::read_to_string(bench.join("queries.jsonl")).expect("queries.jsonl");
    for (i, line) in queries.lines().enumerate() {
        let q: String = serde_json::from_str(line).expect("a JSON string per line");
        out.push((format!("queries.jsonl:{}", i + 1), q));
    }
    let program = std::fs::read_to_string(bench.join("program_5k.hog")).expect("program_5k.hog");
    out.push(("program_5k.hog".to_string(), program));
    let fixtures = manifest.join("tests/fixtures");
    let mut files = Vec::new();
    collect(&fixtures, &mut files);
    files.sort();
    for f in files {
        let name = f
            .strip_prefix(&fixtures)
            .unwrap_or(&f)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&f).expect("fixture is UTF-8");
        out.push((format!("fixtures/{name}"), text));
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixture dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "snapshots") {
                collect(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

/// One line per input; the 1,000 queries are hashed in groups of 50 to keep the file small.
fn golden() -> String {
    let mut lines = String::new();
    let mut group: Option<(String, String)> = None;
    let flush = |lines: &mut String, g: &mut Option<(String, String)>| {
        if let Some((name, text)) = g.take() {
            let _ = writeln!(lines, "{name} {:016x}", fnv1a(text.as_bytes()));
        }
    };
    for (i, (name, text)) in inputs().into_iter().enumerate() {
        if name.starts_with("queries.jsonl:") {
            let g = group.get_or_insert_with(|| (name.clone(), String::new()));
            g.1.push_str(&dump(&text));
            if (i + 1) % 50 == 0 {
                flush(&mut lines, &mut group);
            }
        } else {
            flush(&mut lines, &mut group);
            let _ = writeln!(lines, "{name} {:016x}", fnv1a(dump(&text).as_bytes()));
        }
    }
    flush(&mut lines, &mut group);
    lines
}

#[test]
fn token_streams_match_the_golden_hashes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lexer_golden.txt");
    let now = golden();
    if std::env::var_os("LEXER_GOLDEN_UPDATE").is_some() {
        std::fs::write(&path, &now).expect("write golden file");
        return;
    }
    let before = std::fs::read_to_string(&path).expect("tests/lexer_golden.txt");
    let changed: Vec<_> = now
        .lines()
        .zip(before.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.split(' ').next().unwrap_or(a))
        .collect();
    assert!(
        changed.is_empty() && now.lines().count() == before.lines().count(),
        "token streams changed for {} input(s) (names are the first of a group of 50 queries): {changed:?}",
        changed.len()
    );
}
