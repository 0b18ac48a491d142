//! Regular expressions: `match`, `extractRegex`, and the engine behind the `=~` opcodes.
//!
//! PostHog runs these on RE2 in production; the `regex` crate implements the same dialect
//! (no look-around, no backreferences) with the same guarantee: matching is linear in the input,
//! so a hostile pattern cannot backtrack catastrophically. Patterns are hostile input in other
//! ways too, so their length and compiled size are capped, and an invalid or oversized pattern
//! is a runtime error naming the problem. Searches are unanchored; `(?i)` makes them
//! case-insensitive.

use super::strings::{arg, text};
use super::{NativeCtx, NativeDef};
use crate::VmError;
use crate::value::Value;
use regex::{Regex, RegexBuilder};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "match",
        min_args: 2,
        max_args: 2,
        call: match_fn,
    },
    NativeDef {
        name: "extractRegex",
        min_args: 2,
        max_args: 2,
        call: extract_regex,
    },
];

/// Longest accepted pattern, in bytes.
pub const MAX_PATTERN_LEN: usize = 64 * 1024;
/// Largest compiled program (the `regex` crate's `size_limit`) kept in the cache.
const CACHED_SIZE_LIMIT: usize = 256 << 10;
/// Largest compiled program at all (RE2's default budget is of the same order). Patterns
/// between the two limits are compiled for each use and not kept.
const COMPILED_SIZE_LIMIT: usize = 8 << 20;
/// Upper bound on the lazy DFA's cache per regex.
const DFA_SIZE_LIMIT: usize = 1 << 20;
/// Deepest accepted nesting of groups and repetitions.
const NEST_LIMIT: u32 = 100;
/// How many compiled patterns a thread keeps (programs usually reuse a handful in loops). With
/// the limits above, what the cache holds — memory the VM's own budget does not see — stays
/// around 20 MiB even for hostile patterns.
const CACHE_CAPACITY: usize = 16;

thread_local! {
    /// Compiled patterns. Shared through `Rc`, never cloned: cloning a `Regex` gives it a fresh
    /// (empty) matching cache, which would make every search rebuild its DFA states.
    static CACHE: RefCell<HashMap<String, Rc<Regex>>> = RefCell::new(HashMap::new());
}

/// Compiles `pattern` (or takes it from the per-thread cache).
pub fn compile(pattern: &str) -> Result<Rc<Regex>, VmError> {
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(VmError::runtime(format!(
            "Invalid regular expression: pattern is {} bytes long, the limit is {MAX_PATTERN_LEN}",
            pattern.len()
        )));
    }
    let re = match build(pattern, CACHED_SIZE_LIMIT) {
        Ok(re) => Rc::new(re),
        // Too big to keep: compile it for this use only, under the hard limit.
        Err(regex::Error::CompiledTooBig(_)) => {
            return build(pattern, COMPILED_SIZE_LIMIT)
                .map(Rc::new)
                .map_err(invalid);
        }
        Err(e) => return Err(invalid(e)),
    };
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), re.clone());
    });
    Ok(re)
}

fn build(pattern: &str, size_limit: usize) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&ascii_perl_classes(pattern))
        .size_limit(size_limit)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
}

/// Rewrites the Perl classes to RE2's meaning: in RE2 (PostHog's production engine) `\d`, `\w`,
/// `\s` and `\b` are ASCII-only even in UTF-8 mode (`\d` is `[0-9]`), where the `regex` crate
/// makes them Unicode-aware. Escaped backslashes are respected, and inside a bracket class the
/// replacement is a nested class (`[a\d]` → `[a[0-9]]`).
fn ascii_perl_classes(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains('\\') {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut depth = 0usize; // nesting of bracket classes
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let class = match e {
                    'd' => Some("[0-9]"),
                    'D' => Some("[^0-9]"),
                    'w' => Some("[0-9A-Za-z_]"),
                    'W' => Some("[^0-9A-Za-z_]"),
                    's' => Some("[\\t\\n\\x0C\\r ]"),
                    'S' => Some("[^\\t\\n\\x0C\\r ]"),
                    'b' if depth == 0 => Some("(?-u:\\b)"),
                    'B' if depth == 0 => Some("(?-u:\\B)"),
                    _ => None,
                };
                match class {
                    Some(text) => out.push_str(text),
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' => {
                depth += 1;
                out.push('[');
                // A `]` first in a class (after an optional `^`) is a literal.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if depth > 0 => {
                depth -= 1;
                out.push(']');
            }
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

fn invalid(e: regex::Error) -> VmError {
    VmError::runtime(format!("Invalid regular expression: {}", error_reason(&e)))
}

/// The useful part of a `regex` error (its last line says what is wrong; the lines above draw
/// the pattern).
fn error_reason(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => {
            format!("compiled pattern exceeds the size limit of {limit} bytes")
        }
        other => {
            let text = other.to_string();
            text.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_owned()
        }
    }
}

/// Unanchored search: does `pattern` match anywhere in `value`?
pub fn search(pattern: &str, value: &str) -> Result<bool, VmError> {
    Ok(compile(pattern)?.is_match(value))
}

/// What the `REGEX`/`IREGEX` opcodes and `match()` compute: `false` if either side is falsy
/// (null, `''`, `0`, `false`: PostHog's null rule), otherwise an unanchored search, `(?i)`-prefixed when
/// case-insensitive. Non-string operands are converted with the print format.
pub fn regex_matches(
    ctx: &mut NativeCtx<'_>,
    value: &Value,
    pattern: &Value,
    case_insensitive: bool,
) -> Result<bool, VmError> {
    if !value.is_truthy() || !pattern.is_truthy() {
        return Ok(false);
    }
    let value = text(ctx, value)?;
    let pattern = text(ctx, pattern)?;
    if case_insensitive {
        search(&format!("(?i){pattern}"), &value)
    } else {
        search(&pattern, &value)
    }
}

fn match_fn(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    regex_matches(ctx, &args[0], &args[1], false).map(Value::Bool)
}

/// `extractRegex(s, pattern)`: the first match's first capture group if the pattern has groups
/// (`''` if that group did not take part), else the whole match; `''` when nothing matches or
/// either argument is null.
fn extract_regex(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    if args[0].is_null() || arg(args, 1).is_null() {
        return ctx.string(String::new());
    }
    let haystack = text(ctx, &args[0])?;
    let pattern = text(ctx, &args[1])?;
    let re = compile(&pattern)?;
    let found = match re.captures(&haystack) {
        None => "",
        Some(caps) if re.captures_len() > 1 => caps.get(1).map_or("", |m| m.as_str()),
        Some(caps) => caps.get(0).map_or("", |m| m.as_str()),
    };
    let found = found.to_owned();
    ctx.string(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, args: Vec<Value>) -> String {
        super::super::display_call_for_test(name, args)
    }

    fn s(x: &str) -> Value {
        Value::from(x)
    }

    #[test]
    fn match_follows_the_null_rule() {
        assert_eq!(p("match", vec![s("fish"), s("fi")]), "true");
        assert_eq!(p("match", vec![s("uu"), s("u")]), "true");
        assert_eq!(p("match", vec![s("uu"), s("b")]), "false");
        assert_eq!(p("match", vec![Value::Null, s("u")]), "false");
        assert_eq!(p("match", vec![s("uu"), Value::Null]), "false");
        assert_eq!(p("match", vec![s("null"), Value::Null]), "false");
        assert_eq!(p("match", vec![s(""), s(".*")]), "false");
        assert_eq!(p("match", vec![s("abc"), s("^b")]), "false");
        assert_eq!(p("match", vec![s("ABC"), s("(?i)b")]), "true");
        assert_eq!(p("match", vec![Value::Int(123), s("^\\d+$")]), "true");
    }

    #[test]
    fn extract() {
        assert_eq!(p("extractRegex", vec![s("abc123"), s("\\d+")]), "123");
        assert_eq!(
            p(
                "extractRegex",
                vec![s("v1.2.3-alpha"), s("(\\d+(\\.\\d+)+)")]
            ),
            "1.2.3"
        );
        assert_eq!(p("extractRegex", vec![s("abc"), s("\\d+")]), "");
        assert_eq!(p("extractRegex", vec![s("abc"), s("a(x)?")]), "");
        assert_eq!(p("extractRegex", vec![Value::Null, s("a")]), "");
    }

    #[test]
    fn ordinary_patterns_fit_the_limits() {
        for pattern in [
            r"\w{20}",
            r"^[\p{L}\d_-]{1,64}@[\w.-]+\.\w{2,}$",
            r"(?i)(chrome|firefox)/(\d+)",
        ] {
            assert!(compile(pattern).is_ok(), "{pattern}");
        }
        assert_eq!(
            p(
                "extractRegex",
                vec![s("Mozilla Firefox/121.0"), s(r"(?i)(chrome|firefox)/(\d+)")]
            ),
            "Firefox"
        );
    }

    #[test]
    fn perl_classes_are_ascii_as_in_re2() {
        assert_eq!(p("match", vec![s("٣"), s(r"\d")]), "false");
        assert_eq!(p("match", vec![s("3"), s(r"^\d$")]), "true");
        assert_eq!(p("match", vec![s("é"), s(r"^\w$")]), "false");
        assert_eq!(p("match", vec![s("é"), s(r"^\W$")]), "true");
        assert_eq!(p("match", vec![s("a\u{a0}b"), s(r"a\sb")]), "false");
        assert_eq!(p("match", vec![s("a b"), s(r"a\sb")]), "true");
        assert_eq!(p("match", vec![s("éa"), s(r"\ba")]), "true");
        assert_eq!(p("match", vec![s("x9"), s(r"^[a-z\d]+$")]), "true");
        assert_eq!(p("match", vec![s("x٣"), s(r"^[a-z\d]+$")]), "false");
        assert_eq!(p("match", vec![s("]"), s(r"[]\d]")]), "true");
        assert_eq!(
            p("match", vec![s("\\d"), s(r"\\d")]),
            "true",
            "an escaped backslash stays"
        );
        assert_eq!(
            p("match", vec![s("٣"), s(r"\p{Nd}")]),
            "true",
            "Unicode classes stay"
        );
        assert_eq!(ascii_perl_classes(r"[^\D]\d\\w"), r"[^[^0-9]][0-9]\\w");
    }

    #[test]
    fn hostile_patterns_are_errors_not_hangs() {
        let bad = p("match", vec![s("a"), s("(a")]);
        assert!(
            bad.starts_with("ERROR: Invalid regular expression: "),
            "{bad}"
        );
        let lookahead = p("match", vec![s("a"), s("a(?=b)")]);
        assert!(
            lookahead.starts_with("ERROR: Invalid regular expression"),
            "{lookahead}"
        );
        let huge = p("match", vec![s("a"), s("a{1000}{1000}")]);
        assert!(
            huge.starts_with("ERROR: Invalid regular expression"),
            "{huge}"
        );
        let long = "a".repeat(MAX_PATTERN_LEN + 1);
        assert!(p("match", vec![s("a"), s(&long)]).contains("the limit is"));
        let nested = "(".repeat(200) + &")".repeat(200);
        assert!(p("match", vec![s("a"), s(&nested)]).starts_with("ERROR: Invalid regular"));
        // The classic catastrophic-backtracking pattern is linear here.
        let input = "a".repeat(100_000) + "!";
        let start = std::time::Instant::now();
        assert_eq!(p("match", vec![s(&input), s("^(a+)+$")]), "false");
        assert!(start.elapsed().as_secs() < 5);
    }
}
