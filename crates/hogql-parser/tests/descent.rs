//! The two parsers agree: the recursive-descent fast path accepts exactly what the LR parser
//! (the grammar in `grammar/hogql.lalrpop`) accepts and builds the same tree, spans included.
//!
//! Inputs: every fixture, the benchmark corpus, every `.hog` file in the repository and in
//! `../shared`, the HogQL and Hog examples of the specs, and generated input (token soups and
//! mutated corpus queries). The printer round trips in `roundtrip.rs` also compare the two
//! parsers on every printed text.

mod common;

use common::agree;
use hogql_parser::lexer::{Entry, Lexer};
use hogql_parser::testing::{descent_only, lr_only};
use hogql_parser::token::Tok;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

/// Runs `agree` over many texts and reports every disagreement at once.
fn agree_all(cases: impl IntoIterator<Item = (String, Entry)>, what: &str) -> usize {
    let mut failures = Vec::new();
    let mut n = 0;
    for (src, entry) in cases {
        n += 1;
        if let Err(e) = agree(&src, entry, true) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{what}: {} of {n} disagree; first:\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n\n")
    );
    n
}

fn entry_of_dir(name: &str) -> Entry {
    match name {
        "expr" => Entry::Expr,
        "select" => Entry::Select,
        "program" => Entry::Program,
        "template" => Entry::Template,
        other => panic!("unknown fixture folder {other}"),
    }
}

/// `(text, entry)` of every fixture under `tests/fixtures/{kind}`.
fn fixtures(kind: &str) -> Vec<(String, Entry)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("fixture folder") {
        let dir = dir.expect("entry").path();
        let entry = entry_of_dir(dir.file_name().and_then(|n| n.to_str()).unwrap_or(""));
        for f in std::fs::read_dir(&dir).expect("fixture folder") {
            let f = f.expect("entry").path();
            out.push((std::fs::read_to_string(&f).expect("fixture text"), entry));
        }
    }
    out
}

#[test]
fn ok_fixtures_agree() {
    let n = agree_all(fixtures("ok"), "ok fixtures");
    assert!(n >= 40);
}

/// On invalid input the descent parser gives up, so the user sees the LR parser's errors.
#[test]
fn err_fixtures_are_left_to_the_lr_parser() {
    let files = fixtures("err");
    assert!(files.len() >= 20);
    for (src, entry) in files {
        assert!(lr_only(&src, entry).is_err(), "{src:?} should fail");
        assert!(
            descent_only(&src, entry).is_none(),
            "descent accepts invalid {src:?}"
        );
    }
}

fn corpus_queries() -> Vec<String> {
    let text = std::fs::read_to_string(format!("{SHARED}/bench/parser/queries.jsonl"))
        .expect("queries.jsonl");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON string per line"))
        .collect()
}

#[test]
fn corpus_agrees() {
    let queries = corpus_queries().into_iter().map(|q| (q, Entry::Select));
    assert_eq!(agree_all(queries, "queries.jsonl"), 1000);
    let program = std::fs::read_to_string(format!("{SHARED}/bench/parser/program_5k.hog"))
        .expect("program_5k.hog");
    agree(&program, Entry::Program, true).unwrap();
}

/// Every `.hog` file under `dir` (build output and node modules skipped).
fn hog_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !matches!(name, "target" | "node_modules" | ".git") {
                hog_files(&p, out);
            }
        } else if name.ends_with(".hog") {
            out.push(p);
        }
    }
}

#[test]
fn hog_files_agree() {
    let mut files = Vec::new();
    hog_files(Path::new(ROOT), &mut files);
    hog_files(Path::new(SHARED), &mut files);
    assert!(files.len() >= 20, "only {} .hog files", files.len());
    let cases = files.iter().map(|f| {
        let src = std::fs::read_to_string(f).unwrap_or_default();
        (src, Entry::Program)
    });
    agree_all(cases, ".hog files");
}

/// The HogQL examples of the specs (`HogQL: \`…\``) as queries and as expressions, and the
/// ```` ```hog ```` blocks as programs.
#[test]
fn spec_examples_agree() {
    let mut cases = Vec::new();
    for f in std::fs::read_dir(format!("{SHARED}/spec")).expect("spec folder") {
        let text = std::fs::read_to_string(f.expect("entry").path()).unwrap_or_default();
        for line in text.lines() {
            if let Some(rest) = line.split("HogQL: `").nth(1)
                && let Some(q) = rest.rsplit_once('`').map(|(q, _)| q)
            {
                cases.push((q.to_string(), Entry::Select));
                cases.push((q.to_string(), Entry::Expr));
            }
        }
        let mut in_hog = None;
        for line in text.lines() {
            match (&mut in_hog, line.trim_start()) {
                (None, l) if l.starts_with("```hog") => in_hog = Some(String::new()),
                (Some(_), l) if l.starts_with("```") => {
                    cases.push((in_hog.take().unwrap_or_default(), Entry::Program));
                }
                (Some(block), _) => {
                    block.push_str(line);
                    block.push('\n');
                }
                (None, _) => {}
            }
        }
    }
    assert!(cases.len() >= 20, "only {} spec examples", cases.len());
    // Some examples are deliberately invalid or need another entry point: only agreement on
    // what is accepted is required here.
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(src, entry)| agree(src, *entry, false).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Deep input on a small (512 KiB) thread: the descent parser grows its stack as needed and
/// gives up past the depth limit (the LR parser then rejects the input); input within the limit
/// it parses itself. (The trees are compared afterwards on a big stack: comparing and printing
/// them recurses.)
#[test]
fn deep_input_falls_back() {
    let mut cases = Vec::new();
    for n in [50, 200, 400, 600, 10_000] {
        cases.extend([
            (format!("{}1{}", "(".repeat(n), ")".repeat(n)), Entry::Expr),
            (format!("{}x{}", "f(".repeat(n), ")".repeat(n)), Entry::Expr),
            (format!("{}1", "-".repeat(n)), Entry::Expr),
            ("not ".repeat(n) + "x", Entry::Expr),
            (
                format!("{}x := 1{}", "{".repeat(n), "}".repeat(n)),
                Entry::Program,
            ),
            (
                format!("{}1{}", "(select ".repeat(n), ")".repeat(n)),
                Entry::Select,
            ),
        ]);
    }
    let inputs = cases.clone();
    let small = std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(move || {
            inputs
                .iter()
                .map(|(src, entry)| (descent_only(src, *entry), lr_only(src, *entry)))
                .collect::<Vec<_>>()
        })
        .expect("spawn");
    let results = match small.join() {
        Ok(r) => r,
        Err(p) => std::panic::resume_unwind(p),
    };
    let big = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            for ((src, entry), (d, l)) in cases.iter().zip(results) {
                let what = format!("{entry:?} {:.40}… ({} bytes)", src, src.len());
                match (d, l) {
                    (Some(d), Ok(l)) => assert!(d == l, "{what}: different trees"),
                    (Some(_), Err(_)) => panic!("{what}: descent accepts what LR rejects"),
                    (None, Ok(_)) => assert!(src.len() > 2000, "{what}: descent gives up"),
                    (None, Err(_)) => {}
                }
            }
        })
        .expect("spawn");
    if let Err(p) = big.join() {
        std::panic::resume_unwind(p);
    }
}

// ------------------------------------------------------------------------------------------------
// Generated input
// ------------------------------------------------------------------------------------------------

/// Token texts for the soups: every kind of token the grammar knows, with the words that
/// decide between alternatives.
const VOCAB: &[&str] = &[
    "a",
    "b",
    "x",
    "`q`",
    "1",
    "2.5",
    "0x1F",
    "'s'",
    "true",
    "null",
    "inf",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "?.",
    "::",
    ":",
    ":=",
    ";",
    "->",
    "?",
    "??",
    "*",
    "/",
    "%",
    "+",
    "-",
    "||",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "<=>",
    "=~",
    "!~*",
    "#",
    "and",
    "or",
    "not",
    "in",
    "like",
    "ilike",
    "between",
    "is",
    "distinct",
    "from",
    "cohort",
    "global",
    "as",
    "select",
    "with",
    "union",
    "all",
    "except",
    "intersect",
    "where",
    "prewhere",
    "group",
    "by",
    "cube",
    "rollup",
    "totals",
    "having",
    "qualify",
    "window",
    "order",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "collate",
    "limit",
    "offset",
    "ties",
    "settings",
    "join",
    "left",
    "inner",
    "cross",
    "any",
    "array",
    "on",
    "using",
    "final",
    "sample",
    "over",
    "partition",
    "rows",
    "range",
    "current",
    "row",
    "unbounded",
    "preceding",
    "following",
    "filter",
    "within",
    "case",
    "when",
    "then",
    "else",
    "end",
    "cast",
    "interval",
    "day",
    "'2 days'",
    "trim",
    "leading",
    "lambda",
    "if",
    "while",
    "for",
    "let",
    "return",
    "throw",
    "fun",
    "try",
    "catch",
    "finally",
    "f'x{",
    "'",
    "<a",
    ">",
    "/>",
    "</a>",
    "top",
];

fn soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(VOCAB), 1..14).prop_map(|v| v.join(" "))
}

/// A corpus query with one token deleted, duplicated, or replaced by a vocabulary word.
fn mutated_query() -> impl Strategy<Value = String> {
    let queries = corpus_queries();
    (
        0..queries.len(),
        any::<prop::sample::Index>(),
        0..3u8,
        proptest::sample::select(VOCAB),
    )
        .prop_map(move |(i, at, how, word)| {
            let q = &queries[i];
            let toks: Vec<(u32, Tok<'_>, u32)> = Lexer::new(q, Entry::Select).skip(1).collect();
            let (l, _, r) = toks[at.index(toks.len())];
            let (l, r) = (l as usize, r as usize);
            match how {
                0 => format!("{}{}", &q[..l], &q[r..]),
                1 => format!("{} {}", &q[..r], &q[l..]),
                _ => format!("{} {word} {}", &q[..l], &q[r..]),
            }
        })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if std::env::var_os("HOG_FULL_TESTS").is_some() {
            20_000
        } else {
            1_000
        },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Random token sequences, under every entry point: whatever the descent parser accepts,
    /// the LR parser accepts with the same tree (and vice versa).
    #[test]
    fn token_soups_agree(src in soup()) {
        for entry in [Entry::Expr, Entry::Select, Entry::Program, Entry::Template] {
            agree(&src, entry, true).map_err(TestCaseError::fail)?;
        }
    }

    /// Near-valid queries: one token of a corpus query deleted, duplicated or replaced.
    #[test]
    fn mutated_queries_agree(src in mutated_query()) {
        agree(&src, Entry::Select, true).map_err(TestCaseError::fail)?;
        agree(&src, Entry::Program, true).map_err(TestCaseError::fail)?;
    }
}
