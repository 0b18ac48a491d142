//! Syntax colours for the line being edited, from the real lexer, so what is coloured as a
//! keyword is what the parser will treat as one. Only ANSI colour codes are added: the
//! displayed width never changes (rustyline requires that).

use hogql_parser::lexer::{Entry, tokenize};
use hogql_parser::token::Tok;

const KEYWORD: &str = "\x1b[1;34m";
const FUNCTION: &str = "\x1b[35m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[36m";
const NAME: &str = "\x1b[33m";
const COMMENT: &str = "\x1b[2m";
const ERROR: &str = "\x1b[4;31m";
const META: &str = "\x1b[1;35m";
const RESET: &str = "\x1b[0m";

/// `text` with ANSI colours. Meta-commands colour their command word.
pub fn highlight(text: &str) -> String {
    let trimmed = text.trim_start();
    if trimmed.starts_with('\\') {
        let lead = text.len() - trimmed.len();
        let word_end = trimmed
            .find(char::is_whitespace)
            .map_or(text.len(), |i| lead + i);
        return format!(
            "{}{META}{}{RESET}{}",
            &text[..lead],
            &text[lead..word_end],
            &text[word_end..]
        );
    }
    let (tokens, _) = tokenize(text, Entry::Program);
    let mut out = String::with_capacity(text.len() * 2);
    let mut pos = 0usize;
    for (index, &(start, ref tok, end)) in tokens.iter().enumerate() {
        let (start, end) = (start as usize, end as usize);
        if end <= start || start < pos || end > text.len() {
            continue;
        }
        gap(&mut out, &text[pos..start]);
        let next_is_paren = matches!(tokens.get(index + 1), Some((_, Tok::LParen, _)));
        let colour = match tok {
            Tok::Kw(_)
            | Tok::IfStmt
            | Tok::NotIn
            | Tok::NotLike
            | Tok::NotILike
            | Tok::NotBetween
            | Tok::SampleOffset => Some(KEYWORD),
            Tok::Ident(_) if next_is_paren => Some(FUNCTION),
            Tok::Ident(word)
                if word.eq_ignore_ascii_case("true")
                    || word.eq_ignore_ascii_case("false")
                    || word.eq_ignore_ascii_case("null") =>
            {
                Some(NUMBER)
            }
            Tok::QuotedIdent(_) => Some(NAME),
            Tok::Str(_)
            | Tok::IntervalStr(_)
            | Tok::TemplateStart
            | Tok::TemplateText(_)
            | Tok::TemplateEnd => Some(STRING),
            Tok::Int(_) | Tok::Hex(_) | Tok::Bin(_) | Tok::Float(_) => Some(NUMBER),
            Tok::Error => Some(ERROR),
            _ => None,
        };
        match colour {
            Some(c) => {
                out.push_str(c);
                out.push_str(&text[start..end]);
                out.push_str(RESET);
            }
            None => out.push_str(&text[start..end]),
        }
        pos = end;
    }
    gap(&mut out, &text[pos.min(text.len())..]);
    out
}

/// Text between tokens: blanks stay as they are, comments are dimmed.
fn gap(out: &mut String, text: &str) {
    if text.trim().is_empty() {
        out.push_str(text);
    } else {
        out.push_str(COMMENT);
        out.push_str(text);
        out.push_str(RESET);
    }
}

/// `text` without ANSI escape sequences (for width checks in tests).
#[cfg(test)]
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_keep_the_text() {
        for text in [
            "select event, count() from events -- all\nwhere x = 'a' and y > 1.5",
            "let x := f'hi {name}' // comment",
            "select `weird name`, 0x1f, /* c */ true",
            "select 'unterminated",
            "select @ from",
            "\\d events",
            "",
            "fun f(a) { return a ?? 2 }",
        ] {
            assert_eq!(strip_ansi(&highlight(text)), text, "{text}");
        }
    }

    #[test]
    fn keywords_functions_strings_and_comments_get_colours() {
        let out = highlight("select count() from events where e = 'x' -- c");
        assert!(out.contains(&format!("{KEYWORD}select{RESET}")), "{out:?}");
        assert!(out.contains(&format!("{FUNCTION}count{RESET}")), "{out:?}");
        assert!(out.contains(&format!("{STRING}'x'{RESET}")), "{out:?}");
        assert!(out.contains(&format!("{COMMENT} -- c{RESET}")), "{out:?}");
        assert!(!out.contains(&format!("{KEYWORD}events")), "{out:?}");
    }

    #[test]
    fn interval_strings_and_sample_offsets_get_colours() {
        let out = highlight("select now() - interval '2 days' from events sample 0.1 offset 0.5");
        assert!(out.contains(&format!("{STRING}'2 days'{RESET}")), "{out:?}");
        assert!(out.contains(&format!("{KEYWORD}offset{RESET}")), "{out:?}");
    }
}
