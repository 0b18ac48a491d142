//! Property tests of the lexer on random text built from the fragments that make lexing hard
//! (quotes, escapes, comments, tags, templates, numbers, keywords in mixed case, multi-byte and
//! Unicode whitespace characters):
//!
//! - it never panics, and spans are in bounds, on char boundaries and in order;
//! - it produces exactly the tokens and errors of the reference lexer (`lexer_reference/`, the
//!   logos-based lexer the hand-written scanner replaced).

mod lexer_reference;

use hogql_parser::lexer::{Entry, tokenize};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    // words and keywords
    "a",
    "x1",
    "$b",
    "_",
    "e",
    "E",
    "f",
    "F",
    "ff",
    "select",
    "SeLeCt",
    "FROM",
    "not",
    "NOT",
    "Not",
    "in",
    "IN",
    "like",
    "iLiKe",
    "between",
    "return",
    "RETURN",
    "else",
    "if",
    "IF",
    "and",
    "or",
    "interval",
    "INTERVAL",
    "sample",
    "SAMPLE",
    "offset",
    "OFFSET",
    "inf",
    "NaN",
    "Infinity",
    "fn",
    "fun",
    "let",
    "end",
    "null",
    "where",
    "then",
    "when",
    "distinct",
    // strings, quoted names, templates
    "'",
    "''",
    "'a'",
    "'2 days'",
    "' 3 week '",
    "\\",
    "\\n",
    "\\'",
    "\\q",
    "\\x",
    "\\{",
    "`",
    "``",
    "\"",
    "f'",
    "F'",
    "{",
    "}",
    "{x}",
    // tags
    "<",
    ">",
    "</",
    "/>",
    "<a",
    "<a>",
    "</a>",
    "<div x=",
    "<a-b ",
    "<_",
    ">=",
    // comments and whitespace
    "--",
    "//",
    "/*",
    "*/",
    "*",
    "/",
    " ",
    "  ",
    "\n",
    "\t",
    "\r\n",
    "\u{a0}",
    "\u{3000}",
    "\u{feff}",
    "\u{2028}",
    "\u{85}",
    "\u{2030}",
    "é",
    "€",
    "😀",
    // numbers
    "0",
    "1",
    "12",
    "1.5",
    ".5",
    "1.",
    "1e3",
    "1e",
    "e+",
    "e-5",
    "0x",
    "0x1F",
    "0xg",
    "0b",
    "0b101",
    "0b2",
    "0o7",
    "0o",
    "0O8",
    "9",
    // operators and punctuation
    "->",
    "::",
    ":=",
    ":",
    "||",
    "|",
    "!",
    "!=",
    "!~",
    "!~*",
    "=~",
    "=~*",
    "~",
    "~*",
    "<=>",
    "<>",
    "<=",
    "?.",
    "??",
    "?",
    ".",
    "..",
    ",",
    ";",
    "(",
    ")",
    "[",
    "]",
    "%",
    "+",
    "-",
    "=",
    "==",
    "#",
    "@",
    "&",
    "^",
];

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        Just(Entry::Expr),
        Just(Entry::Select),
        Just(Entry::Program),
        Just(Entry::Template),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn spans_are_in_bounds_ordered_and_on_char_boundaries(src in text(), entry in entry()) {
        let (toks, errors) = tokenize(&src, entry);
        let mut prev_end = 0u32;
        for (l, t, r) in &toks {
            prop_assert!(l <= r && *r as usize <= src.len(), "{t:?} {l}..{r}");
            prop_assert!(*l >= prev_end, "{t:?} at {l} overlaps the previous token ending at {prev_end}");
            prop_assert!(src.is_char_boundary(*l as usize) && src.is_char_boundary(*r as usize));
            prev_end = *r;
        }
        for e in &errors {
            prop_assert!(e.span.start <= e.span.end && e.span.end as usize <= src.len());
            prop_assert!(src.is_char_boundary(e.span.start as usize));
            prop_assert!(src.is_char_boundary(e.span.end as usize));
        }
    }

    #[test]
    fn tokens_and_errors_equal_the_reference_lexer(src in text(), entry in entry()) {
        let (toks, errors) = tokenize(&src, entry);
        let (ref_toks, ref_errors) = lexer_reference::tokenize(&src, entry);
        prop_assert_eq!(toks, ref_toks);
        prop_assert_eq!(errors, ref_errors);
    }
}
