//! When is an entry complete? The REPL reads until a statement ends: at a `;` (outside strings
//! and comments), or, once every bracket is closed, at an empty line (Enter pressed twice).
//! A meta-command (`\d events`) is always one line.
//!
//! The scan is lexical only (strings, quoted names, comments, brackets), so it works on
//! half-typed input the parser would reject, and it never decides that broken input is
//! incomplete forever: a closing bracket without its opener counts as balanced, so Enter
//! submits the entry and the parser reports the mistake.

use std::ops::Range;

/// What the scanner found in an entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    /// Brackets opened and not yet closed, innermost last.
    pub open: Vec<char>,
    /// Inside a string, quoted name or block comment at the end of the text.
    pub unterminated: bool,
    /// A closing bracket did not match its opener.
    pub mismatched: bool,
    /// The last thing that is neither blank nor a comment is a `;`.
    pub ends_with_semicolon: bool,
}

/// Scans `text` for brackets, quotes and comments.
pub fn scan(text: &str) -> Scan {
    let mut s = Scan::default();
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                s.ends_with_semicolon = false;
                if !skip_quoted(&mut chars, c) {
                    s.unterminated = true;
                    return s;
                }
            }
            '-' if chars.peek().is_some_and(|(_, d)| *d == '-') => skip_line(&mut chars),
            '/' if chars.peek().is_some_and(|(_, d)| *d == '/') => skip_line(&mut chars),
            '/' if chars.peek().is_some_and(|(_, d)| *d == '*') => {
                chars.next();
                if !skip_block_comment(&mut chars) {
                    s.unterminated = true;
                    return s;
                }
            }
            '(' | '[' | '{' => {
                s.open.push(c);
                s.ends_with_semicolon = false;
            }
            ')' | ']' | '}' => {
                let opener = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if s.open.last() == Some(&opener) {
                    s.open.pop();
                } else {
                    s.mismatched = true;
                }
                s.ends_with_semicolon = false;
            }
            ';' => s.ends_with_semicolon = true,
            c if c.is_whitespace() => {}
            _ => s.ends_with_semicolon = false,
        }
    }
    s
}

/// Skips the rest of a literal opened by `quote` (backslash escapes, and a doubled quote is an
/// escaped quote). Returns whether the literal was closed.
fn skip_quoted(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, quote: char) -> bool {
    while let Some((_, d)) = chars.next() {
        if d == '\\' {
            chars.next();
        } else if d == quote {
            if chars.peek().is_some_and(|(_, e)| *e == quote) {
                chars.next();
            } else {
                return true;
            }
        }
    }
    false
}

/// Skips the rest of a `/* ... */` comment whose `/*` was read. Returns whether it was closed.
fn skip_block_comment(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> bool {
    while let Some((_, d)) = chars.next() {
        if d == '*' && chars.peek().is_some_and(|(_, e)| *e == '/') {
            chars.next();
            return true;
        }
    }
    false
}

fn skip_line(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    for (_, c) in chars.by_ref() {
        if c == '\n' {
            break;
        }
    }
}

/// Whether the entry typed so far is ready to run.
pub fn is_complete(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with('\\') {
        return true;
    }
    let s = scan(text);
    if s.unterminated {
        return false;
    }
    if s.mismatched {
        return true;
    }
    if !s.open.is_empty() {
        return false;
    }
    if s.ends_with_semicolon {
        return true;
    }
    // Enter pressed on an empty line: the text ends with a line holding only blanks.
    let last_line = text.rsplit('\n').next().unwrap_or("");
    text.contains('\n') && last_line.trim().is_empty()
}

/// Splits a complete entry into statements at top-level `;` (outside strings, comments and
/// brackets), dropping empty ones: `select 1; select 2;` runs as two queries. Returns byte
/// ranges of `text`, so neighbouring pieces can be joined again (a Hog `if (a) x; else y;`).
pub fn split_statements(text: &str) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                skip_quoted(&mut chars, c);
            }
            '-' if chars.peek().is_some_and(|(_, d)| *d == '-') => skip_line(&mut chars),
            '/' if chars.peek().is_some_and(|(_, d)| *d == '/') => skip_line(&mut chars),
            '/' if chars.peek().is_some_and(|(_, d)| *d == '*') => {
                chars.next();
                skip_block_comment(&mut chars);
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                parts.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(start..text.len());
    parts
        .into_iter()
        .filter(|p| !is_blank_or_comment(&text[p.clone()]))
        .collect()
}

/// True when `text` holds nothing but whitespace and comments.
pub fn is_blank_or_comment(text: &str) -> bool {
    let mut rest = text.trim_start();
    loop {
        if rest.is_empty() {
            return true;
        }
        if rest.starts_with("--") || rest.starts_with("//") {
            match rest.find('\n') {
                Some(i) => rest = rest[i + 1..].trim_start(),
                None => return true,
            }
        } else if let Some(body) = rest.strip_prefix("/*") {
            match body.find("*/") {
                Some(i) => rest = body[i + 2..].trim_start(),
                None => return true,
            }
        } else {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_ends_a_statement() {
        assert!(is_complete("select 1;"));
        assert!(is_complete("select 1;  -- done"));
        assert!(!is_complete("select ';'"));
        assert!(!is_complete("select 1 -- ;"));
    }

    #[test]
    fn an_empty_line_ends_a_balanced_entry() {
        assert!(!is_complete("select 1"));
        assert!(is_complete("select 1\n"));
        assert!(is_complete("select 1\n  "));
        assert!(!is_complete("select count(\n"));
        assert!(!is_complete("fun f() {\n  return 1\n"));
        assert!(is_complete("fun f() {\n  return 1\n}\n"));
    }

    #[test]
    fn strings_and_comments_hide_brackets() {
        assert!(is_complete("select '(' \n"));
        assert!(is_complete("select `a)` \n"));
        assert!(is_complete("select 1 /* ( */\n"));
        assert!(!is_complete("select 'unterminated\n"));
        assert!(!is_complete("select 1 /* open\n"));
        assert!(is_complete("select 'it''s' \n"));
        assert!(is_complete("select 'a\\'b' \n"));
    }

    #[test]
    fn broken_brackets_are_submitted_for_the_parser_to_report() {
        assert!(is_complete("select (1]\n"));
        assert!(is_complete("select 1)"));
    }

    #[test]
    fn meta_commands_and_empty_entries_are_complete() {
        assert!(is_complete("\\d events"));
        assert!(is_complete(""));
        assert!(is_complete("   "));
    }

    fn pieces(text: &str) -> Vec<&str> {
        split_statements(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn statements_split_at_top_level_semicolons() {
        assert_eq!(
            pieces("select 1; select ';' ;\n-- c\n"),
            vec!["select 1", " select ';' "]
        );
        assert_eq!(
            pieces("fun f() { let a := 1; return a; }\nprint(f());"),
            vec!["fun f() { let a := 1; return a; }\nprint(f())"]
        );
    }
}
