//! The lexer: source text → [`Tok`]s with byte spans.
//!
//! Plain tokens come from a hand-written scanner ([`raw`]). Around it, a small mode stack handles
//! the context-sensitive parts a context-free scanner cannot: template strings (`f'…{expr}…'`),
//! HogQLX tags (`<a x={1}>text</a>`), tuple indexes (`t.1.2` is not the float `1.2`) and `if` at
//! the start of a statement. Bad input becomes a [`Tok::Error`] token plus a [`ParseError`], and
//! lexing continues after it.
//!
//! Lexing runs before every parse, so the common path is kept short: words and one-byte
//! punctuation are recognised before the general dispatch, context-free tokens come from tables,
//! and what the context rules need to know about the previous token is a set of bit flags
//! ([`Prev`]) computed where the token is built. The token stream is pinned by
//! `tests/lexer_golden.rs` and compared with the earlier logos-based lexer in
//! `tests/lexer_equivalence.rs`.

use crate::ast::Span;
use crate::error::{ErrorKind, ParseError};
use crate::token::{Kw, Tok};
use raw::{Raw, RawTok};

mod raw;

/// Which grammar entry point the token stream is for; it decides the start token and how
/// `if` and template text are lexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Expr,
    Select,
    Program,
    /// A whole text is a template (`hello {name}`): literal text up to the end, with `{expr}`.
    Template,
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
    /// The current mode (top of the mode stack), kept out of the vector because every token
    /// reads it.
    mode: Mode,
    /// The modes below it; empty while in the base mode, which is never popped.
    outer_modes: Vec<Mode>,
    entry: Entry,
    /// The synthetic start token is emitted first.
    started: bool,
    /// What the context rules need to know about the previous token ([`Prev`]).
    prev: Prev,
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
            mode: base,
            outer_modes: Vec::new(),
            entry,
            started: false,
            prev: Prev(Prev::START),
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
        self.mode
    }

    fn set_mode(&mut self, m: Mode) {
        self.mode = m;
    }

    fn push_mode(&mut self, m: Mode) {
        self.outer_modes.push(self.mode);
        self.mode = m;
    }

    /// Returns to the enclosing mode; a no-op in the base mode.
    fn pop_mode(&mut self) {
        if let Some(m) = self.outer_modes.pop() {
            self.mode = m;
        }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    /// Lexes the next token in normal (or tag-attribute) mode.
    fn next_normal(&mut self) -> Option<Spanned<'a>> {
        let bytes = self.src.as_bytes();
        let start = raw::skip_trivia(bytes, self.pos);
        if let Some(e) = raw::word_at(bytes, start) {
            self.pos = e;
            return self.word(start, e);
        }
        // Punctuation that is one byte whatever follows: a table lookup, no jump on the byte.
        let single = bytes.get(start).map_or(0, |&b| SINGLE_BYTE[usize::from(b)]);
        if let Some(&(tok, flags)) = SINGLE_TOKENS.get(usize::from(single).wrapping_sub(1)) {
            self.pos = start + 1;
            return self.emit_with(start, tok, start + 1, flags);
        }
        // Tuple index after `.`: plain digits, never a float. (Only where the token starts with
        // a digit, which is also where the whitespace below ends if it is followed by digits.)
        if self.after_dot && bytes.get(start).is_some_and(u8::is_ascii_digit) {
            let rest = self.rest();
            let ws = rest.len() - rest.trim_start().len();
            let digits = rest[ws..].bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                let start = self.pos + ws;
                self.pos = start + digits;
                return self.emit(start, Tok::Int(&self.src[start..self.pos]), self.pos);
            }
        }
        let RawTok {
            kind,
            start: s,
            end: e,
        } = raw::token_at(self.src, start)?;
        self.pos = e;
        let text = &self.src[s..e];
        // The common tokens first, each returned where it is built (see `emit_with`).
        use Prev as P;
        if let Some(&Some((tok, flags))) = PLAIN_TOKENS.get(kind as usize) {
            return self.emit_with(s, tok, e, flags);
        }
        match kind {
            Raw::Int => return self.emit_with(s, Tok::Int(text), e, P::ENDS_OPERAND | P::RATIO),
            Raw::Str if !self.prev.is(P::INTERVAL) => {
                return self.emit_with(s, Tok::Str(text), e, P::ENDS_OPERAND);
            }
            Raw::QuotedIdent => {
                return self.emit_with(s, Tok::QuotedIdent(text), e, P::ENDS_OPERAND);
            }
            _ => {}
        }
        self.next_normal_rare(kind, s, e)
    }

    /// The rest of [`Self::next_normal`]: tokens that are rarer or need context. Out of line, so
    /// that the common path stays small.
    #[inline(never)]
    fn next_normal_rare(&mut self, kind: Raw, s: usize, e: usize) -> Option<Spanned<'a>> {
        let text = &self.src[s..e];
        let tok = match kind {
            Raw::Error => {
                let ch = text.chars().next().unwrap_or('?');
                self.error(
                    ErrorKind::UnexpectedCharacter,
                    s,
                    e,
                    format!("unexpected character {ch:?} (U+{:04X})", ch as u32),
                );
                Tok::Error
            }
            // In programs a `;` right before `else` ends the `then` branch, not a statement.
            Raw::Semi
                if self.entry == Entry::Program
                    && !self.prev.is(Prev::RETURN)
                    && self.peek_word(e).is_some_and(|(k, _)| k == Kw::Else) =>
            {
                Tok::SemiElse
            }
            Raw::QuotedIdent => Tok::QuotedIdent(text),
            Raw::Str if self.prev.is(Prev::INTERVAL) && interval_string(text) => {
                Tok::IntervalStr(text)
            }
            Raw::Str => Tok::Str(text),
            Raw::BadStr => {
                self.error(
                    ErrorKind::InvalidLiteral,
                    s,
                    e,
                    "invalid escape sequence in string".into(),
                );
                Tok::Error
            }
            Raw::Int => Tok::Int(text),
            Raw::Hex => Tok::Hex(text),
            Raw::Bin => Tok::Bin(text),
            Raw::Octal => {
                self.error(
                    ErrorKind::InvalidLiteral,
                    s,
                    e,
                    format!("invalid number `{text}`"),
                );
                Tok::Error
            }
            Raw::Float => {
                // `.5` directly after an operand is member access `.` + `5` (`t.1.5`, `{}.1`).
                if text.starts_with('.')
                    && s == self.prev_end
                    && self.prev.is(Prev::ENDS_OPERAND | Prev::RBRACE)
                {
                    self.pos = s + 1;
                    Tok::Dot
                } else {
                    Tok::Float(text)
                }
            }
            Raw::TemplateStart => {
                self.push_mode(Mode::Template);
                Tok::TemplateStart
            }
            Raw::UnterminatedStr => {
                self.pos = self.src.len();
                self.error(
                    ErrorKind::Unterminated,
                    s,
                    self.pos,
                    "unterminated string".into(),
                );
                Tok::Error
            }
            Raw::UnterminatedQuoted => {
                self.pos = self.src.len();
                self.error(
                    ErrorKind::Unterminated,
                    s,
                    self.pos,
                    "unterminated quoted identifier".into(),
                );
                Tok::Error
            }
            Raw::UnterminatedComment => {
                self.pos = self.src.len();
                self.error(
                    ErrorKind::Unterminated,
                    s,
                    self.pos,
                    "unterminated block comment".into(),
                );
                Tok::Error
            }
            Raw::Lt => match tag_name(&self.src[e..]) {
                Some(n) if self.mode() != Mode::TagAttrs => {
                    self.pos = e + n;
                    self.push_mode(Mode::TagAttrs);
                    return self.emit(s, Tok::TagOpen(&self.src[e..e + n]), self.pos);
                }
                _ => Tok::Lt,
            },
            Raw::Gt if self.mode() == Mode::TagAttrs => {
                self.set_mode(Mode::TagChildren);
                Tok::TagGt
            }
            // `<a>=</a>`: the `>` closes the opening tag and `=` is the first child text.
            Raw::GtEq if self.mode() == Mode::TagAttrs => {
                self.pos = s + 1;
                self.set_mode(Mode::TagChildren);
                Tok::TagGt
            }
            Raw::Slash if self.mode() == Mode::TagAttrs && self.rest().starts_with('>') => {
                self.pos += 1;
                self.pop_mode();
                return self.emit(s, Tok::TagSelfClose, self.pos);
            }
            Raw::LBrace => {
                match self.mode() {
                    Mode::Normal { braces } => self.set_mode(Mode::Normal { braces: braces + 1 }),
                    _ => self.push_mode(Mode::Normal { braces: 0 }),
                }
                Tok::LBrace
            }
            Raw::RBrace => {
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
            r => punct(r),
        };
        self.emit(s, tok, self.pos)
    }

    /// Returns a token after updating what the context rules remember about it. Every token
    /// goes through here, built in place (the token is not first stored and then copied, which
    /// on x86 stalls on partial store forwarding).
    #[inline(always)]
    fn emit(&mut self, l: usize, mut t: Tok<'a>, r: usize) -> Option<Spanned<'a>> {
        if self.in_sample && t == Tok::Kw(Kw::Offset) {
            t = Tok::SampleOffset;
        }
        let prev = Prev::of(t);
        self.prev_end = r;
        self.after_dot = prev.is(Prev::DOT);
        self.in_sample = prev.is(Prev::SAMPLE) || (self.in_sample && prev.is(Prev::RATIO));
        self.prev = prev;
        Some((l as u32, t, r as u32))
    }

    /// [`Self::emit`] for a token whose [`Prev`] flags are known where it is built; the caller
    /// has already turned an `OFFSET` after `SAMPLE` into [`Tok::SampleOffset`].
    #[inline(always)]
    fn emit_with(&mut self, l: usize, t: Tok<'a>, r: usize, flags: u16) -> Option<Spanned<'a>> {
        debug_assert_eq!(Prev(flags), Prev::of(t));
        let prev = Prev(flags);
        self.prev_end = r;
        self.after_dot = prev.is(Prev::DOT);
        self.in_sample = prev.is(Prev::SAMPLE) || (self.in_sample && prev.is(Prev::RATIO));
        self.prev = prev;
        Some((l as u32, t, r as u32))
    }

    /// The keyword starting at byte `from` (after whitespace and comments), with its end.
    fn peek_word(&self, from: usize) -> Option<(Kw, usize)> {
        match raw::next(self.src, from) {
            Some(RawTok {
                kind: Raw::Word,
                start,
                end,
            }) => Kw::lookup(&self.src[start..end]).map(|k| (k, end)),
            _ => None,
        }
    }

    /// An identifier-shaped word from `s` to `e` (`self.pos` is `e`): a name, a keyword, or one
    /// of the tokens that keywords become in context.
    #[inline(always)]
    fn word(&mut self, s: usize, e: usize) -> Option<Spanned<'a>> {
        let text = &self.src[s..e];
        let Some(k) = Kw::lookup_in(self.src.as_bytes(), s, e) else {
            return self.emit_with(s, Tok::Ident(text), e, Prev::ENDS_OPERAND);
        };
        if !matches!(
            k,
            Kw::If | Kw::And | Kw::Or | Kw::In | Kw::Not | Kw::Return | Kw::Offset
        ) {
            return self.emit_with(s, Tok::Kw(k), e, Prev::of_keyword(k));
        }
        self.contextual_keyword(k, s, e)
    }

    /// The keywords whose token depends on what surrounds them. Out of line: they are rare
    /// next to names and other keywords.
    #[inline(never)]
    fn contextual_keyword(&mut self, k: Kw, s: usize, e: usize) -> Option<Spanned<'a>> {
        let text = &self.src[s..e];
        let tok = match k {
            Kw::If
                if self.entry == Entry::Program
                    && self.if_starts_statement()
                    && !self.if_is_call() =>
            {
                Tok::IfStmt
            }
            Kw::And | Kw::Or | Kw::In if self.operator_word_is_call() => Tok::Ident(text),
            Kw::Not => {
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
                        return self.emit(s, c, end);
                    }
                }
                Tok::Kw(k)
            }
            Kw::Return if self.entry == Entry::Program => {
                let bare = match raw::next(self.src, e).map(|t| t.kind) {
                    None | Some(Raw::RBrace) => true,
                    Some(Raw::Word) => self.peek_word(e).is_some_and(|(k, _)| k == Kw::Else),
                    _ => false,
                };
                if bare {
                    self.pending_semi = Some(e);
                }
                Tok::Kw(k)
            }
            _ => Tok::Kw(k),
        };
        self.emit(s, tok, e)
    }

    /// `and(a, b)`, `or(a, b)`, `in(a, b)` are function calls where an operand starts (PostHog
    /// accepts them): the word is followed by `(` and comes right after a token that can only
    /// be followed by an operand. Called right after the word (which ends at `self.pos`).
    fn operator_word_is_call(&self) -> bool {
        let operand_starts = self.prev.is(Prev::START | Prev::OPERAND_NEXT);
        operand_starts && raw::next(self.src, self.pos).is_some_and(|t| t.kind == Raw::LParen)
    }

    /// In a program, `if` after something that ends an expression or a statement starts an `if`
    /// statement; after an operator, `(`, `,` and the like it is the function `if(c, a, b)`.
    fn if_starts_statement(&self) -> bool {
        self.prev
            .is(Prev::START | Prev::STATEMENT_END | Prev::ENDS_OPERAND)
    }

    /// `if(a, b, c)` where a statement starts is the function `if` (PostHog's parser tries the
    /// `if` statement first and falls back to an expression): the parenthesis after `if` holds
    /// a comma at its top level. Called right after the `if` (which ends at `self.pos`).
    fn if_is_call(&self) -> bool {
        let Some(open) = raw::next(self.src, self.pos).filter(|t| t.kind == Raw::LParen) else {
            return false;
        };
        let mut depth = 1u32;
        // Open HogQLX tags: a comma in their text (`if (<a>,</a>) …`) is not an argument separator.
        let mut tags = 0u32;
        let mut pos = open.end;
        while let Some(t) = raw::next(self.src, pos) {
            pos = t.end;
            let rest = &self.src[pos..];
            match t.kind {
                Raw::Lt if rest.starts_with('/') => tags = tags.saturating_sub(1),
                Raw::Lt if tag_name(rest).is_some() => tags += 1,
                Raw::Slash if tags > 0 && rest.starts_with('>') => tags -= 1,
                _ if tags > 0 => {}
                Raw::LParen | Raw::LBracket | Raw::LBrace => depth += 1,
                Raw::RParen | Raw::RBracket | Raw::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        return false;
                    }
                }
                Raw::Comma if depth == 1 => return true,
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
                self.push_mode(Mode::Normal { braces: 0 });
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
            self.push_mode(Mode::Normal { braces: 0 });
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
            self.push_mode(Mode::TagAttrs);
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
            self.prev = Prev::of(Tok::Semi);
            return Some((at as u32, Tok::Semi, at as u32));
        }
        match self.mode() {
            Mode::Normal { .. } | Mode::TagAttrs => self.next_normal(),
            mode => {
                let (l, t, r) = match mode {
                    Mode::Template => self.next_template(false),
                    Mode::FullTemplate => self.next_template(true),
                    _ => self.next_children(),
                }?;
                self.emit(l as usize, t, r as usize)
            }
        }
    }
}

/// The tokens that are one byte whatever follows and need no context, with their [`Prev`] flags.
const SINGLE_TOKENS: [(Tok<'static>, u16); 10] = [
    (Tok::Comma, Prev::OPERAND_NEXT),
    (Tok::LParen, Prev::OPERAND_NEXT),
    (Tok::RParen, Prev::ENDS_OPERAND),
    (Tok::LBracket, Prev::OPERAND_NEXT),
    (Tok::RBracket, Prev::ENDS_OPERAND),
    (Tok::Star, 0),
    (Tok::Plus, 0),
    (Tok::Percent, 0),
    (Tok::Hash, 0),
    (Tok::Backslash, 0),
];

/// [`Raw`] kind → its token and [`Prev`] flags, for the operators and punctuation whose token
/// never depends on context (`<`, `>`, `>=`, `/`, `;`, `{` and `}` do: tags, `;` before `else`,
/// template and tag braces). A table lookup instead of a jump on the kind.
static PLAIN_TOKENS: [Option<(Tok<'static>, u16)>; Raw::RBrace as usize + 1] = {
    let plain = [
        (Raw::Arrow, Tok::Arrow),
        (Raw::Star, Tok::Star),
        (Raw::Backslash, Tok::Backslash),
        (Raw::DoubleColon, Tok::DoubleColon),
        (Raw::ColonEq, Tok::ColonEq),
        (Raw::Colon, Tok::Colon),
        (Raw::Comma, Tok::Comma),
        (Raw::Concat, Tok::Concat),
        (Raw::Minus, Tok::Minus),
        (Raw::Plus, Tok::Plus),
        (Raw::Dot, Tok::Dot),
        (Raw::EqEq, Tok::EqEq),
        (Raw::Eq, Tok::Eq),
        (Raw::Hash, Tok::Hash),
        (Raw::LtEq, Tok::LtEq),
        (Raw::NotEq, Tok::NotEq),
        (Raw::Spaceship, Tok::Spaceship),
        (Raw::Regex, Tok::Regex),
        (Raw::IRegex, Tok::IRegex),
        (Raw::NotRegex, Tok::NotRegex),
        (Raw::NotIRegex, Tok::NotIRegex),
        (Raw::NullProp, Tok::NullProp),
        (Raw::Nullish, Tok::Nullish),
        (Raw::Question, Tok::Question),
        (Raw::Percent, Tok::Percent),
        (Raw::LParen, Tok::LParen),
        (Raw::RParen, Tok::RParen),
        (Raw::LBracket, Tok::LBracket),
        (Raw::RBracket, Tok::RBracket),
    ];
    let mut t = [None; Raw::RBrace as usize + 1];
    let mut i = 0;
    while i < plain.len() {
        let (raw, tok) = plain[i];
        t[raw as usize] = Some((tok, Prev::of(tok).0));
        i += 1;
    }
    t
};

/// Byte → index + 1 in [`SINGLE_TOKENS`] (0: not such a byte).
static SINGLE_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let bytes = *b",()[]*+%#\\";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = (i + 1) as u8;
        i += 1;
    }
    t
};

/// What the context rules ask about the previous token, as bit flags computed once per token
/// (cheaper than keeping and re-matching the token itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Prev(u16);

impl Prev {
    /// No token yet (the synthetic start token does not count).
    const START: u16 = 1;
    /// It can end an operand: a `.5` right after it is member access.
    const ENDS_OPERAND: u16 = 1 << 1;
    const RBRACE: u16 = 1 << 2;
    /// Only an operand can follow it: `and(`, `or(`, `in(` after it are calls.
    const OPERAND_NEXT: u16 = 1 << 3;
    /// `;`, `{`, `}`, `else`: an `if` after it starts a statement.
    const STATEMENT_END: u16 = 1 << 4;
    const RETURN: u16 = 1 << 5;
    const INTERVAL: u16 = 1 << 6;
    /// `.` or `?.`: digits next are a tuple index.
    const DOT: u16 = 1 << 7;
    const SAMPLE: u16 = 1 << 8;
    /// A token of a sample ratio (`1/10`, `0.1`), which keeps a `SAMPLE` open for `OFFSET`.
    const RATIO: u16 = 1 << 9;

    #[inline(always)]
    const fn of(t: Tok<'_>) -> Prev {
        let flags = match t {
            Tok::Ident(_)
            | Tok::QuotedIdent(_)
            | Tok::Str(_)
            | Tok::IntervalStr(_)
            | Tok::TemplateEnd
            | Tok::RParen
            | Tok::RBracket
            | Tok::TagSelfClose
            | Tok::TagClose(_)
            | Tok::Kw(Kw::Null | Kw::End) => Prev::ENDS_OPERAND,
            Tok::Int(_)
            | Tok::Hex(_)
            | Tok::Bin(_)
            | Tok::Float(_)
            | Tok::Kw(Kw::Inf | Kw::Nan) => Prev::ENDS_OPERAND | Prev::RATIO,
            Tok::Slash => Prev::RATIO,
            Tok::RBrace => Prev::RBRACE | Prev::STATEMENT_END,
            Tok::Semi | Tok::LBrace => Prev::STATEMENT_END,
            Tok::Kw(Kw::Else) => Prev::STATEMENT_END | Prev::OPERAND_NEXT,
            Tok::Kw(Kw::Return) => Prev::RETURN | Prev::OPERAND_NEXT,
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
                | Kw::Where
                | Kw::Prewhere
                | Kw::Having
                | Kw::Qualify
                | Kw::When
                | Kw::Then
                | Kw::Not,
            ) => Prev::OPERAND_NEXT,
            Tok::Kw(Kw::Interval) => Prev::INTERVAL,
            Tok::Kw(Kw::Sample) => Prev::SAMPLE,
            Tok::Dot | Tok::NullProp => Prev::DOT,
            _ => 0,
        };
        Prev(flags)
    }

    /// [`Prev::of`] a keyword token; a table lookup rather than a jump.
    fn of_keyword(k: Kw) -> u16 {
        Prev::of(Tok::Kw(k)).0
    }

    fn is(self, flags: u16) -> bool {
        self.0 & flags != 0
    }
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start as u32, end as u32)
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

/// All tokens of `src` (without the start token) and the lexical errors, for tests and tools.
pub fn tokenize(src: &str, entry: Entry) -> (Vec<Spanned<'_>>, Vec<ParseError>) {
    let mut lx = Lexer::new(src, entry);
    let toks: Vec<_> = lx.by_ref().skip(1).collect();
    (toks, lx.take_errors())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok<'_>> {
        let (t, e) = tokenize(src, Entry::Program);
        assert!(e.is_empty(), "{e:?}");
        t.into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn words_keywords_and_spans() {
        let (t, _) = tokenize("SELECT event, $browser FROM events", Entry::Select);
        assert_eq!(
            t,
            vec![
                (0, Tok::Kw(Kw::Select), 6),
                (7, Tok::Ident("event"), 12),
                (12, Tok::Comma, 13),
                (14, Tok::Ident("$browser"), 22),
                (23, Tok::Kw(Kw::From), 27),
                (28, Tok::Ident("events"), 34),
            ]
        );
        assert_eq!(
            toks("Infinity nan DATE"),
            vec![Tok::Kw(Kw::Inf), Tok::Kw(Kw::Nan), Tok::Ident("DATE")]
        );
    }

    #[test]
    fn numbers_and_tuple_indexes() {
        assert_eq!(
            toks("1.5 .5 1e3 0x1F 0b101 017"),
            vec![
                Tok::Float("1.5"),
                Tok::Float(".5"),
                Tok::Float("1e3"),
                Tok::Hex("0x1F"),
                Tok::Bin("0b101"),
                Tok::Int("017"),
            ]
        );
        assert_eq!(
            toks("t.1.2"),
            vec![
                Tok::Ident("t"),
                Tok::Dot,
                Tok::Int("1"),
                Tok::Dot,
                Tok::Int("2")
            ]
        );
        assert_eq!(
            toks("t?.1"),
            vec![Tok::Ident("t"), Tok::NullProp, Tok::Int("1")]
        );
    }

    #[test]
    fn operators_maximal_munch() {
        assert_eq!(
            toks("!~* !~ =~* =~ ~* ~ <=> <> <= ?. ?? ? :: :="),
            vec![
                Tok::NotIRegex,
                Tok::NotRegex,
                Tok::IRegex,
                Tok::Regex,
                Tok::IRegex,
                Tok::Regex,
                Tok::Spaceship,
                Tok::NotEq,
                Tok::LtEq,
                Tok::NullProp,
                Tok::Nullish,
                Tok::Question,
                Tok::DoubleColon,
                Tok::ColonEq,
            ]
        );
    }

    #[test]
    fn strings_identifiers_comments() {
        assert_eq!(
            toks("'a''b\\n' `x``y` \"q\" -- c\n// d\n/* e\n */ z"),
            vec![
                Tok::Str("'a''b\\n'"),
                Tok::QuotedIdent("`x``y`"),
                Tok::QuotedIdent("\"q\""),
                Tok::Ident("z"),
            ]
        );
    }

    #[test]
    fn template_strings_nest() {
        assert_eq!(
            toks("f'a{x}b{f'{y}'}'"),
            vec![
                Tok::TemplateStart,
                Tok::TemplateText("a"),
                Tok::LBrace,
                Tok::Ident("x"),
                Tok::RBrace,
                Tok::TemplateText("b"),
                Tok::LBrace,
                Tok::TemplateStart,
                Tok::LBrace,
                Tok::Ident("y"),
                Tok::RBrace,
                Tok::TemplateEnd,
                Tok::RBrace,
                Tok::TemplateEnd,
            ]
        );
        let (t, _) = tokenize("hi {a} it's", Entry::Template);
        let t: Vec<_> = t.into_iter().map(|x| x.1).collect();
        assert_eq!(
            t,
            vec![
                Tok::TemplateText("hi "),
                Tok::LBrace,
                Tok::Ident("a"),
                Tok::RBrace,
                Tok::TemplateText(" it's"),
            ]
        );
    }

    #[test]
    fn tags() {
        assert_eq!(
            toks("<a x='1' y={2} z/>"),
            vec![
                Tok::TagOpen("a"),
                Tok::Ident("x"),
                Tok::Eq,
                Tok::Str("'1'"),
                Tok::Ident("y"),
                Tok::Eq,
                Tok::LBrace,
                Tok::Int("2"),
                Tok::RBrace,
                Tok::Ident("z"),
                Tok::TagSelfClose,
            ]
        );
        assert_eq!(
            toks("<div>hi {x}<b/></div>"),
            vec![
                Tok::TagOpen("div"),
                Tok::TagGt,
                Tok::TagText("hi "),
                Tok::LBrace,
                Tok::Ident("x"),
                Tok::RBrace,
                Tok::TagOpen("b"),
                Tok::TagSelfClose,
                Tok::TagClose("div"),
            ]
        );
        // comparisons are not tags
        assert_eq!(
            toks("a < b"),
            vec![Tok::Ident("a"), Tok::Lt, Tok::Ident("b")]
        );
        assert_eq!(
            toks("a<b)"),
            vec![Tok::Ident("a"), Tok::Lt, Tok::Ident("b"), Tok::RParen]
        );
    }

    #[test]
    fn if_statement_versus_function() {
        assert_eq!(
            toks("if (a) x := if(a, 1, 2)"),
            vec![
                Tok::IfStmt,
                Tok::LParen,
                Tok::Ident("a"),
                Tok::RParen,
                Tok::Ident("x"),
                Tok::ColonEq,
                Tok::Kw(Kw::If),
                Tok::LParen,
                Tok::Ident("a"),
                Tok::Comma,
                Tok::Int("1"),
                Tok::Comma,
                Tok::Int("2"),
                Tok::RParen,
            ]
        );
        let (t, _) = tokenize("if(a, 1, 2)", Entry::Expr);
        assert_eq!(t[0].1, Tok::Kw(Kw::If));
    }

    #[test]
    fn errors_are_tokens_and_lexing_continues() {
        let (t, e) = tokenize("1 ! 2 @", Entry::Expr);
        let kinds: Vec<_> = t.iter().map(|x| x.1).collect();
        assert_eq!(
            kinds,
            vec![Tok::Int("1"), Tok::Error, Tok::Int("2"), Tok::Error]
        );
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].span, Span::new(2, 3));
        assert!(e[0].message.contains("U+0021"), "{}", e[0].message);
        let (_, e) = tokenize("'abc", Entry::Expr);
        assert_eq!(e[0].kind, ErrorKind::Unterminated);
        let (_, e) = tokenize("'a\\qb'", Entry::Expr);
        assert_eq!(e[0].kind, ErrorKind::InvalidLiteral);
        let (_, e) = tokenize("0o17 /* x", Entry::Expr);
        assert_eq!(
            e.iter().map(|e| e.kind).collect::<Vec<_>>(),
            vec![ErrorKind::InvalidLiteral, ErrorKind::Unterminated]
        );
        let (_, e) = tokenize("f'abc", Entry::Expr);
        assert_eq!(e[0].kind, ErrorKind::Unterminated);
    }

    #[test]
    fn unicode_whitespace_and_multibyte() {
        let (t, e) = tokenize("a\u{A0}b\u{3000}'é'", Entry::Expr);
        assert!(e.is_empty());
        assert_eq!(t.len(), 3);
        let (_, e) = tokenize("€", Entry::Expr);
        assert_eq!(e[0].span, Span::new(0, 3));
    }
}
