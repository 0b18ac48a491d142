//! The lexer as it was before the hand-written scanner replaced logos (commit 13c7bab), kept
//! verbatim as the oracle for `tests/lexer_equivalence.rs`: the token stream is the parser's
//! contract, so the rewrite must reproduce it exactly, errors included.
//!
//! When the token stream changes on purpose, change this copy the same way (or delete it and the
//! differential test with it, keeping the golden hashes).
#![allow(dead_code)]

use hogql_parser::ast::Span;
use hogql_parser::lexer::Entry;
use hogql_parser::token::{Kw, Tok};
use hogql_parser::{ErrorKind, ParseError};
use logos::Logos;

/// The logos automaton for one token in normal mode. Whitespace (the Unicode `White_Space` set
/// and the BOM) and the three comment forms are skipped.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\x0B\x0C\u{85}\u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}]+")]
#[logos(skip(r"(--|//)[^\n]*", allow_greedy = true))]
#[logos(skip r"/\*([^*]|\*+[^*/])*\*+/")]
enum Raw {
    #[regex(r"[A-Za-z_$][A-Za-z0-9_$]*")]
    Word,
    #[regex(r"`([^`\\]|``|\\[^\n])*`")]
    #[regex(r#""([^"\\]|""|\\[^\n])*""#)]
    QuotedIdent,
    #[regex(r"'([^'\\]|''|\\[bfrnt0av\\'{}xX])*'", priority = 10)]
    Str,
    /// A string with an escape we do not accept; reported as an error.
    #[regex(r"'([^'\\]|''|\\[^\n])*'", priority = 5)]
    BadStr,
    #[regex(r"[0-9]+")]
    Int,
    #[regex(r"0[xX][0-9a-fA-F]+")]
    Hex,
    #[regex(r"0[bB][01]+")]
    Bin,
    #[regex(r"0[oO][0-7]*")]
    Octal,
    #[regex(r"[0-9]+\.[0-9]*([eE][+-]?[0-9]+)?")]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?")]
    #[regex(r"[0-9]+[eE][+-]?[0-9]+")]
    Float,
    #[token("f'")]
    #[token("F'")]
    TemplateStart,
    #[token("'")]
    UnterminatedStr,
    #[token("`")]
    #[token("\"")]
    UnterminatedQuoted,
    #[token("/*")]
    UnterminatedComment,
    #[token("->")]
    Arrow,
    #[token("*")]
    Star,
    #[token("\\")]
    Backslash,
    #[token("::")]
    DoubleColon,
    #[token(":=")]
    ColonEq,
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token("||")]
    Concat,
    #[token("-")]
    Minus,
    #[token("+")]
    Plus,
    #[token(".")]
    Dot,
    #[token("==")]
    EqEq,
    #[token("=")]
    Eq,
    #[token(">=")]
    GtEq,
    #[token(">")]
    Gt,
    #[token("#")]
    Hash,
    #[token("<=")]
    LtEq,
    #[token("<")]
    Lt,
    #[token("!=")]
    #[token("<>")]
    NotEq,
    #[token("<=>")]
    Spaceship,
    #[token("=~")]
    #[token("~")]
    Regex,
    #[token("=~*")]
    #[token("~*")]
    IRegex,
    #[token("!~")]
    NotRegex,
    #[token("!~*")]
    NotIRegex,
    #[token("?.")]
    NullProp,
    #[token("??")]
    Nullish,
    #[token("?")]
    Question,
    #[token("%")]
    Percent,
    #[token("/")]
    Slash,
    #[token(";")]
    Semi,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Ordinary tokens. `braces` counts `{` opened in this mode; a `}` with none open ends a
    /// `{expr}` that a template or tag pushed.
    Normal { braces: u32 },
    /// Inside `f'…'`.
    Template,
    /// A whole-text template (no closing quote).
    FullTemplate,
    /// Between `<name` and `>` / `/>`.
    TagAttrs,
    /// Between `<name …>` and `</name>`.
    TagChildren,
}

/// The token stream of one text, as `(start, token, end)` triples for lalrpop.
pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    modes: Vec<Mode>,
    entry: Entry,
    /// The synthetic start token is emitted first.
    started: bool,
    prev: Option<Tok<'a>>,
    /// End offset of the previous token.
    prev_end: usize,
    /// The previous token was `.` or `?.`, so digits are a tuple index, not a float.
    after_dot: bool,
    /// Only a `SAMPLE` and its ratio (numbers and `/`) since the last other token: an `OFFSET`
    /// now is the sample's offset (PostHog's grammar takes it greedily).
    in_sample: bool,
    /// A zero-width `;` to emit next: a bare `return` before `}`, `else` or the end gets one,
    /// so the grammar knows it has no value.
    pending_semi: Option<usize>,
    errors: Vec<ParseError>,
}

/// A token with its byte span.
pub type Spanned<'a> = (u32, Tok<'a>, u32);

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str, entry: Entry) -> Self {
        let base = if entry == Entry::Template {
            Mode::FullTemplate
        } else {
            Mode::Normal { braces: 0 }
        };
        Lexer {
            src,
            pos: 0,
            modes: vec![base],
            entry,
            started: false,
            prev: None,
            prev_end: 0,
            after_dot: false,
            in_sample: false,
            pending_semi: None,
            errors: Vec::new(),
        }
    }

    /// Lexical errors seen so far (each also produced a [`Tok::Error`]).
    pub fn take_errors(&mut self) -> Vec<ParseError> {
        std::mem::take(&mut self.errors)
    }

    fn error(&mut self, kind: ErrorKind, start: usize, end: usize, message: String) {
        self.errors
            .push(ParseError::new(kind, span(start, end), message));
    }

    fn mode(&self) -> Mode {
        // The stack is never empty: the base mode is never popped (pops check `len() > 1`).
        *self.modes.last().unwrap_or(&Mode::Normal { braces: 0 })
    }

    fn set_mode(&mut self, m: Mode) {
        if let Some(top) = self.modes.last_mut() {
            *top = m;
        }
    }

    fn pop_mode(&mut self) {
        if self.modes.len() > 1 {
            self.modes.pop();
        }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    /// Lexes the next token in normal (or tag-attribute) mode.
    fn next_normal(&mut self) -> Option<Spanned<'a>> {
        // Tuple index after `.`: plain digits, never a float.
        if self.after_dot {
            let rest = self.rest();
            let ws = rest.len() - rest.trim_start().len();
            let digits = rest[ws..].bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                let start = self.pos + ws;
                self.pos = start + digits;
                return Some((
                    start as u32,
                    Tok::Int(&self.src[start..self.pos]),
                    self.pos as u32,
                ));
            }
        }
        let mut lx = Raw::lexer(self.rest());
        let raw = lx.next()?;
        let base = self.pos;
        let (s, e) = (base + lx.span().start, base + lx.span().end);
        self.pos = e;
        let text = &self.src[s..e];
        let tok = match raw {
            Err(()) => {
                let ch = text.chars().next().unwrap_or('?');
                self.error(
                    ErrorKind::UnexpectedCharacter,
                    s,
                    e,
                    format!("unexpected character {ch:?} (U+{:04X})", ch as u32),
                );
                Tok::Error
            }
            Ok(Raw::Word) => {
                let tok = self.word(text);
                match tok {
                    Tok::Kw(Kw::Not) => {
                        if let Some((next, end)) = self.peek_word(e) {
                            let compound = match next {
                                Kw::In => Some(Tok::NotIn),
                                Kw::Like => Some(Tok::NotLike),
                                Kw::ILike => Some(Tok::NotILike),
                                Kw::Between => Some(Tok::NotBetween),
                                _ => None,
                            };
                            if let Some(c) = compound {
                                self.pos = end;
                                return Some((s as u32, c, end as u32));
                            }
                        }
                        tok
                    }
                    Tok::Kw(Kw::Return) if self.entry == Entry::Program => {
                        let next = Raw::lexer(self.rest()).next();
                        let bare = match next {
                            None => true,
                            Some(Ok(Raw::RBrace)) => true,
                            Some(Ok(Raw::Word)) => {
                                self.peek_word(e).is_some_and(|(k, _)| k == Kw::Else)
                            }
                            _ => false,
                        };
                        if bare {
                            self.pending_semi = Some(e);
                        }
                        tok
                    }
                    _ => tok,
                }
            }
            // In programs a `;` right before `else` ends the `then` branch, not a statement.
            Ok(Raw::Semi)
                if self.entry == Entry::Program
                    && self.prev != Some(Tok::Kw(Kw::Return))
                    && self.peek_word(e).is_some_and(|(k, _)| k == Kw::Else) =>
            {
                Tok::SemiElse
            }
            Ok(Raw::QuotedIdent) => Tok::QuotedIdent(text),
            Ok(Raw::Str) if self.prev == Some(Tok::Kw(Kw::Interval)) && interval_string(text) => {
                Tok::IntervalStr(text)
            }
            Ok(Raw::Str) => Tok::Str(text),
            Ok(Raw::BadStr) => {
                self.error(
                    ErrorKind::InvalidLiteral,
                    s,
                    e,
                    "invalid escape sequence in string".into(),
                );
                Tok::Error
            }
            Ok(Raw::Int) => Tok::Int(text),
            Ok(Raw::Hex) => Tok::Hex(text),
            Ok(Raw::Bin) => Tok::Bin(text),
            Ok(Raw::Octal) => {
                self.error(
                    ErrorKind::InvalidLiteral,
                    s,
                    e,
                    format!("invalid number `{text}`"),
                );
                Tok::Error
            }
            Ok(Raw::Float) => {
                // `.5` directly after an operand is member access `.` + `5` (`t.1.5`, `{}.1`).
                if text.starts_with('.')
                    && s == self.prev_end
                    && self
                        .prev
                        .is_some_and(|t| ends_operand(t) || t == Tok::RBrace)
                {
                    self.pos = s + 1;
                    Tok::Dot
                } else {
                    Tok::Float(text)
                }
            }
            Ok(Raw::TemplateStart) => {
                self.modes.push(Mode::Template);
                Tok::TemplateStart
            }
            Ok(Raw::UnterminatedStr) => {
                self.pos = self.src.len();
                self.error(
                    ErrorKind::Unterminated,
                    s,
                    self.pos,
                    "unterminated string".into(),
                );
                Tok::Error
            }
            Ok(Raw::UnterminatedQuoted) => {
                self.pos = self.src.len();
                self.error(
                    ErrorKind::Unterminated,
                    s,
                    self.pos,
                    "unterminated quoted identifier".into(),
                );
                Tok::Error
            }
            Ok(Raw::UnterminatedComment) => {
                self.pos = self.src.len();
                self.error(
                    ErrorKind::Unterminated,
                    s,
                    self.pos,
                    "unterminated block comment".into(),
                );
                Tok::Error
            }
            Ok(Raw::Lt) => match tag_name(&self.src[e..]) {
                Some(n) if self.mode() != Mode::TagAttrs => {
                    self.pos = e + n;
                    self.modes.push(Mode::TagAttrs);
                    return Some((s as u32, Tok::TagOpen(&self.src[e..e + n]), self.pos as u32));
                }
                _ => Tok::Lt,
            },
            Ok(Raw::Gt) if self.mode() == Mode::TagAttrs => {
                self.set_mode(Mode::TagChildren);
                Tok::TagGt
            }
            // `<a>=</a>`: the `>` closes the opening tag and `=` is the first child text.
            Ok(Raw::GtEq) if self.mode() == Mode::TagAttrs => {
                self.pos = s + 1;
                self.set_mode(Mode::TagChildren);
                Tok::TagGt
            }
            Ok(Raw::Slash) if self.mode() == Mode::TagAttrs && self.rest().starts_with('>') => {
                self.pos += 1;
                self.pop_mode();
                return Some((s as u32, Tok::TagSelfClose, self.pos as u32));
            }
            Ok(Raw::LBrace) => {
                match self.mode() {
                    Mode::Normal { braces } => self.set_mode(Mode::Normal { braces: braces + 1 }),
                    _ => self.modes.push(Mode::Normal { braces: 0 }),
                }
                Tok::LBrace
            }
            Ok(Raw::RBrace) => {
                if let Mode::Normal { braces } = self.mode() {
                    if braces > 0 {
                        self.set_mode(Mode::Normal { braces: braces - 1 });
                    } else {
                        // Ends a `{expr}` pushed by a template or tag (no-op at the base).
                        self.pop_mode();
                    }
                }
                Tok::RBrace
            }
            Ok(r) => punct(r),
        };
        Some((s as u32, tok, self.pos as u32))
    }

    /// The keyword starting at byte `from` (after whitespace and comments), with its end.
    fn peek_word(&self, from: usize) -> Option<(Kw, usize)> {
        let mut lx = Raw::lexer(&self.src[from..]);
        match lx.next() {
            Some(Ok(Raw::Word)) => Kw::lookup(lx.slice()).map(|k| (k, from + lx.span().end)),
            _ => None,
        }
    }

    /// Classifies an identifier-shaped word.
    fn word(&self, text: &'a str) -> Tok<'a> {
        match Kw::lookup(text) {
            Some(Kw::If)
                if self.entry == Entry::Program
                    && self.if_starts_statement()
                    && !self.if_is_call() =>
            {
                Tok::IfStmt
            }
            Some(Kw::And | Kw::Or | Kw::In) if self.operator_word_is_call() => Tok::Ident(text),
            Some(k) => Tok::Kw(k),
            None => Tok::Ident(text),
        }
    }

    /// `and(a, b)`, `or(a, b)`, `in(a, b)` are function calls where an operand starts (PostHog
    /// accepts them): the word is followed by `(` and comes right after a token that can only
    /// be followed by an operand. Called right after the word (which ends at `self.pos`).
    fn operator_word_is_call(&self) -> bool {
        let operand_starts = match self.prev {
            None => true,
            Some(t) => matches!(
                t,
                Tok::StartExpr
                    | Tok::StartSelect
                    | Tok::StartProgram
                    | Tok::LParen
                    | Tok::LBracket
                    | Tok::Comma
                    | Tok::ColonEq
                    | Tok::Arrow
                    | Tok::Question
                    | Tok::Kw(
                        Kw::Select
                            | Kw::Distinct
                            | Kw::Return
                            | Kw::Where
                            | Kw::Prewhere
                            | Kw::Having
                            | Kw::Qualify
                            | Kw::When
                            | Kw::Then
                            | Kw::Else
                            | Kw::Not
                    )
            ),
        };
        operand_starts && Raw::lexer(&self.src[self.pos..]).next() == Some(Ok(Raw::LParen))
    }

    /// In a program, `if` after something that ends an expression or a statement starts an `if`
    /// statement; after an operator, `(`, `,` and the like it is the function `if(c, a, b)`.
    fn if_starts_statement(&self) -> bool {
        match self.prev {
            None => true,
            Some(t) => {
                matches!(t, Tok::Semi | Tok::LBrace | Tok::RBrace | Tok::Kw(Kw::Else))
                    || ends_operand(t)
            }
        }
    }

    /// `if(a, b, c)` where a statement starts is the function `if` (PostHog's parser tries the
    /// `if` statement first and falls back to an expression): the parenthesis after `if` holds
    /// a comma at its top level. Called right after the `if` (which ends at `self.pos`).
    fn if_is_call(&self) -> bool {
        let mut lx = Raw::lexer(&self.src[self.pos..]);
        if lx.next() != Some(Ok(Raw::LParen)) {
            return false;
        }
        let mut depth = 1u32;
        // Open HogQLX tags: a comma in their text (`if (<a>,</a>) …`) is not an argument separator.
        let mut tags = 0u32;
        while let Some(t) = lx.next() {
            let rest = lx.remainder();
            match t {
                Ok(Raw::Lt) if rest.starts_with('/') => tags = tags.saturating_sub(1),
                Ok(Raw::Lt) if tag_name(rest).is_some() => tags += 1,
                Ok(Raw::Slash) if tags > 0 && rest.starts_with('>') => tags -= 1,
                Ok(_) if tags > 0 => {}
                Ok(Raw::LParen | Raw::LBracket | Raw::LBrace) => depth += 1,
                Ok(Raw::RParen | Raw::RBracket | Raw::RBrace) => {
                    depth -= 1;
                    if depth == 0 {
                        return false;
                    }
                }
                Ok(Raw::Comma) if depth == 1 => return true,
                _ => {}
            }
        }
        false
    }

    /// Template text up to `{`, the closing quote, or (full templates) the end.
    fn next_template(&mut self, full: bool) -> Option<Spanned<'a>> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'\'' if !full => {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                    } else {
                        break;
                    }
                }
                b'{' => break,
                _ => i += 1,
            }
        }
        let i = i.min(bytes.len());
        if i > start {
            self.pos = i;
            return Some((
                start as u32,
                Tok::TemplateText(&self.src[start..i]),
                i as u32,
            ));
        }
        match bytes.get(i) {
            Some(b'{') => {
                self.pos = i + 1;
                self.modes.push(Mode::Normal { braces: 0 });
                Some((i as u32, Tok::LBrace, self.pos as u32))
            }
            Some(_) => {
                // the closing quote
                self.pos = i + 1;
                self.pop_mode();
                Some((i as u32, Tok::TemplateEnd, self.pos as u32))
            }
            None if full => None,
            None => {
                self.pop_mode();
                self.error(
                    ErrorKind::Unterminated,
                    start,
                    start,
                    "unterminated template string".into(),
                );
                Some((start as u32, Tok::Error, start as u32))
            }
        }
    }

    /// Children of a tag: text, `{expr}`, nested tags, and the closing tag.
    fn next_children(&mut self) -> Option<Spanned<'a>> {
        let start = self.pos;
        let rest = self.rest();
        if rest.is_empty() {
            self.pop_mode();
            return None;
        }
        if rest.starts_with('{') {
            self.pos += 1;
            self.modes.push(Mode::Normal { braces: 0 });
            return Some((start as u32, Tok::LBrace, self.pos as u32));
        }
        if let Some(after) = rest.strip_prefix("</") {
            let n = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
                .count();
            let name = &after[..n];
            let tail = &after[n..];
            let ws = tail.len() - tail.trim_start().len();
            if tail[ws..].starts_with('>') {
                self.pos = start + 2 + n + ws + 1;
                self.pop_mode();
                return Some((start as u32, Tok::TagClose(name), self.pos as u32));
            }
            self.pos = start + 2 + n;
            self.error(
                ErrorKind::UnexpectedToken,
                start,
                self.pos,
                "malformed closing tag".into(),
            );
            return Some((start as u32, Tok::Error, self.pos as u32));
        }
        if let Some(after) = rest.strip_prefix('<')
            && let Some(n) = tag_name(after)
        {
            self.pos = start + 1 + n;
            self.modes.push(Mode::TagAttrs);
            return Some((start as u32, Tok::TagOpen(&after[..n]), self.pos as u32));
        }
        // Text runs to the next `{` or `<` (a `<` that opens nothing is text too).
        let mut end = rest.len();
        for (i, b) in rest.bytes().enumerate().skip(1) {
            if b == b'{' || b == b'<' {
                end = i;
                break;
            }
        }
        if rest.starts_with('<') && end == rest.len() {
            end = 1.max(end);
        }
        let text = &rest[..end];
        self.pos = start + end;
        // Whitespace-only text that spans lines is layout, not content.
        if text.trim().is_empty() && text.contains('\n') {
            return self.next_children();
        }
        Some((start as u32, Tok::TagText(text), self.pos as u32))
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        if !self.started {
            self.started = true;
            let t = match self.entry {
                Entry::Expr => Tok::StartExpr,
                Entry::Select => Tok::StartSelect,
                Entry::Program => Tok::StartProgram,
                Entry::Template => Tok::StartTemplate,
            };
            return Some((0, t, 0));
        }
        if let Some(at) = self.pending_semi.take() {
            self.prev = Some(Tok::Semi);
            return Some((at as u32, Tok::Semi, at as u32));
        }
        let item = match self.mode() {
            Mode::Normal { .. } | Mode::TagAttrs => self.next_normal(),
            Mode::Template => self.next_template(false),
            Mode::FullTemplate => self.next_template(true),
            Mode::TagChildren => self.next_children(),
        };
        let item = match item {
            Some((l, Tok::Kw(Kw::Offset), r)) if self.in_sample => Some((l, Tok::SampleOffset, r)),
            other => other,
        };
        if let Some((_, t, end)) = item {
            self.prev_end = end as usize;
            self.after_dot = matches!(t, Tok::Dot | Tok::NullProp);
            self.in_sample = match t {
                Tok::Kw(Kw::Sample) => true,
                Tok::Int(_) | Tok::Float(_) | Tok::Hex(_) | Tok::Bin(_) | Tok::Slash => {
                    self.in_sample
                }
                Tok::Kw(Kw::Inf | Kw::Nan) => self.in_sample,
                _ => false,
            };
            self.prev = Some(t);
        }
        item
    }
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start as u32, end as u32)
}

/// Tokens after which a `.digits` is member access and `if` starts a new statement.
fn ends_operand(t: Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Ident(_)
            | Tok::QuotedIdent(_)
            | Tok::Int(_)
            | Tok::Hex(_)
            | Tok::Bin(_)
            | Tok::Float(_)
            | Tok::Str(_)
            | Tok::IntervalStr(_)
            | Tok::TemplateEnd
            | Tok::RParen
            | Tok::RBracket
            | Tok::TagSelfClose
            | Tok::TagClose(_)
            | Tok::Kw(Kw::Null | Kw::Inf | Kw::Nan | Kw::End)
    )
}

/// Whether a string literal (with its quotes) reads `count unit`, as in `INTERVAL '2 days'`.
fn interval_string(raw: &str) -> bool {
    let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("").trim();
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    let rest = body[digits..].trim_start();
    digits > 0
        && rest.len() < body.len() - digits
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_alphabetic())
}

/// If `s` (the text after a `<`) starts a HogQLX tag, the length of its name.
/// A tag name starts with a letter or `_`, continues with `[A-Za-z0-9_-]`, and is followed by
/// `>` or `/`, or by whitespace and then `>`, `/`, a letter, digit or `_`.
fn tag_name(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return None;
    }
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'-')
        .count();
    match b.get(n) {
        Some(b'>' | b'/') => Some(n),
        Some(c) if c.is_ascii_whitespace() => {
            let next = b[n..].iter().find(|c| !c.is_ascii_whitespace())?;
            (matches!(next, b'>' | b'/' | b'_') || next.is_ascii_alphanumeric()).then_some(n)
        }
        _ => None,
    }
}

fn punct(r: Raw) -> Tok<'static> {
    match r {
        Raw::Arrow => Tok::Arrow,
        Raw::Star => Tok::Star,
        Raw::Backslash => Tok::Backslash,
        Raw::DoubleColon => Tok::DoubleColon,
        Raw::ColonEq => Tok::ColonEq,
        Raw::Colon => Tok::Colon,
        Raw::Comma => Tok::Comma,
        Raw::Concat => Tok::Concat,
        Raw::Minus => Tok::Minus,
        Raw::Plus => Tok::Plus,
        Raw::Dot => Tok::Dot,
        Raw::EqEq => Tok::EqEq,
        Raw::Eq => Tok::Eq,
        Raw::GtEq => Tok::GtEq,
        Raw::Gt => Tok::Gt,
        Raw::Hash => Tok::Hash,
        Raw::LtEq => Tok::LtEq,
        Raw::Lt => Tok::Lt,
        Raw::NotEq => Tok::NotEq,
        Raw::Spaceship => Tok::Spaceship,
        Raw::Regex => Tok::Regex,
        Raw::IRegex => Tok::IRegex,
        Raw::NotRegex => Tok::NotRegex,
        Raw::NotIRegex => Tok::NotIRegex,
        Raw::NullProp => Tok::NullProp,
        Raw::Nullish => Tok::Nullish,
        Raw::Question => Tok::Question,
        Raw::Percent => Tok::Percent,
        Raw::Slash => Tok::Slash,
        Raw::Semi => Tok::Semi,
        Raw::LParen => Tok::LParen,
        Raw::RParen => Tok::RParen,
        Raw::LBracket => Tok::LBracket,
        Raw::RBracket => Tok::RBracket,
        Raw::LBrace => Tok::LBrace,
        Raw::RBrace => Tok::RBrace,
        // Every other variant is handled by the caller before `punct` is reached.
        _ => Tok::Error,
    }
}

/// All tokens of `src` (without the start token) and the lexical errors.
pub fn tokenize(src: &str, entry: Entry) -> (Vec<Spanned<'_>>, Vec<ParseError>) {
    let mut lx = Lexer::new(src, entry);
    let toks: Vec<_> = lx.by_ref().skip(1).collect();
    (toks, lx.take_errors())
}
