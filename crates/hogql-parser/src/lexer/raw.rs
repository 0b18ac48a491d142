//! The context-free layer of the lexer: one plain token at a byte offset, whitespace and
//! comments skipped.
//!
//! Hand-written rather than generated (it replaced a logos automaton) because lexing is the
//! first cost of every parse: a `match` on the first byte and tight loops over byte classes do
//! the same work with fewer branches and no per-token setup. The rules are those of the
//! automaton it replaced, longest match first:
//!
//! - whitespace is the Unicode `White_Space` set plus the BOM; comments are `-- …`, `// …` (to
//!   the end of the line) and `/* … */` (not nested);
//! - a quoted token ends at the last point where it could end: `'a'' b` is the string `'a'`
//!   followed by an unterminated `' b`, not one unterminated string;
//! - a character that starts no token is an error token spanning that one character.

/// What a plain token is; [`super::Lexer`] turns it into a [`crate::token::Tok`] using context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Raw {
    /// `[A-Za-z_$][A-Za-z0-9_$]*`
    Word,
    /// `` `…` `` or `"…"`, with doubled quotes and any backslash escape except before a newline.
    QuotedIdent,
    /// `'…'` with only the escapes we decode.
    Str,
    /// `'…'` with an escape we do not accept; reported as an error.
    BadStr,
    Int,
    Hex,
    Bin,
    /// `0o…`, which we reject (PostHog reads `017` as decimal and has no octal literal).
    Octal,
    Float,
    /// `f'` or `F'`.
    TemplateStart,
    /// A `'` that starts no complete string.
    UnterminatedStr,
    /// A `` ` `` or `"` that starts no complete quoted identifier.
    UnterminatedQuoted,
    /// A `/*` without its `*/`.
    UnterminatedComment,
    /// A character that starts no token.
    Error,
    Arrow,
    Star,
    Backslash,
    DoubleColon,
    ColonEq,
    Colon,
    Comma,
    Concat,
    Minus,
    Plus,
    Dot,
    EqEq,
    Eq,
    GtEq,
    Gt,
    Hash,
    LtEq,
    Lt,
    NotEq,
    Spaceship,
    Regex,
    IRegex,
    NotRegex,
    NotIRegex,
    NullProp,
    Nullish,
    Question,
    Percent,
    Slash,
    Semi,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    /// The last variant: tables indexed by kind are sized by it.
    RBrace,
}

/// A plain token: its kind and byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RawTok {
    pub kind: Raw,
    pub start: usize,
    pub end: usize,
}

/// Byte classes for the loops that run over many bytes.
const WORD_START: u8 = 1;
const WORD_CONT: u8 = 2;
const DIGIT: u8 = 4;
const ASCII_SPACE: u8 = 8;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut k = 0;
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            k |= WORD_START | WORD_CONT;
        }
        if c.is_ascii_digit() {
            k |= WORD_CONT | DIGIT;
        }
        // `\x0B` (vertical tab) is whitespace too, unlike for `u8::is_ascii_whitespace`.
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C) {
            k |= ASCII_SPACE;
        }
        t[b] = k;
        b += 1;
    }
    t
};

fn is(b: u8, class: u8) -> bool {
    CLASS[b as usize] & class != 0
}

/// The length of the whitespace character starting at `i` if it is one of the non-ASCII
/// whitespace characters (U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F,
/// U+205F, U+3000, U+FEFF), matched on their UTF-8 bytes.
fn unicode_space(s: &[u8], i: usize) -> Option<usize> {
    let at = |k: usize| s.get(i + k).copied().unwrap_or(0);
    match at(0) {
        0xC2 if matches!(at(1), 0x85 | 0xA0) => Some(2),
        0xE1 if at(1) == 0x9A && at(2) == 0x80 => Some(3),
        0xE2 => match (at(1), at(2)) {
            (0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) | (0x81, 0x9F) => Some(3),
            _ => None,
        },
        0xE3 if at(1) == 0x80 && at(2) == 0x80 => Some(3),
        0xEF if at(1) == 0xBB && at(2) == 0xBF => Some(3),
        _ => None,
    }
}

/// The offset of the first byte at or after `i` that is not whitespace or inside a comment.
/// An unterminated `/*` is not skipped: it is a token.
#[inline(always)]
pub(super) fn skip_trivia(s: &[u8], mut i: usize) -> usize {
    // Between two tokens there is usually nothing or one space: skip that without a branch.
    i += usize::from(s.get(i) == Some(&b' '));
    let Some(&b) = s.get(i) else { return i };
    let slow = match b {
        b'-' => s.get(i + 1) == Some(&b'-'),
        b'/' => matches!(s.get(i + 1), Some(b'/' | b'*')),
        _ => b >= 0x80 || is(b, ASCII_SPACE),
    };
    if slow { skip_trivia_slow(s, i) } else { i }
}

/// [`skip_trivia`] for more whitespace, comments and non-ASCII whitespace.
#[inline(never)]
fn skip_trivia_slow(s: &[u8], mut i: usize) -> usize {
    loop {
        let Some(&b) = s.get(i) else { return i };
        if is(b, ASCII_SPACE) {
            i += 1;
        } else if b < 0x80 {
            match (b, s.get(i + 1)) {
                (b'-', Some(b'-')) | (b'/', Some(b'/')) => {
                    i = s[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(s.len(), |n| i + n);
                }
                (b'/', Some(b'*')) => match find_comment_end(s, i + 2) {
                    Some(end) => i = end,
                    None => return i,
                },
                _ => return i,
            }
        } else {
            match unicode_space(s, i) {
                Some(n) => i += n,
                None => return i,
            }
        }
    }
}

/// The offset just past the first `*/` at or after `from`.
fn find_comment_end(s: &[u8], from: usize) -> Option<usize> {
    s.get(from..)?
        .windows(2)
        .position(|w| w == b"*/")
        .map(|n| from + n + 2)
}

/// The next plain token at or after byte `pos` of `src` (a char boundary), or `None` at the end.
#[inline(always)]
pub(super) fn next(src: &str, pos: usize) -> Option<RawTok> {
    token_at(src, skip_trivia(src.as_bytes(), pos))
}

/// If a word (`Raw::Word`) starts at byte `start` of `s`, its end. The lexer tries this first:
/// most tokens are words.
#[inline(always)]
pub(super) fn word_at(s: &[u8], start: usize) -> Option<usize> {
    let &b = s.get(start)?;
    if !is(b, WORD_START) || (b | 0x20 == b'f' && s.get(start + 1) == Some(&b'\'')) {
        return None;
    }
    Some(word_end(s, start + 1))
}

/// The end of the run of identifier characters (`[A-Za-z0-9_$]`) from `i`, eight bytes at a
/// time: most words then end without a loop branch to mispredict.
#[inline(always)]
fn word_end(s: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = s.get(i..i + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let other = !word_bytes(u64::from_le_bytes(bytes)) & HIGH_BITS;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + run(s, i, WORD_CONT)
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// `b` in each byte of a `u64`.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// Bit 7 of each byte of the result is set where that byte of `x` is an identifier character
/// (`[A-Za-z0-9_$]`); the other bits are clear. Every sum below stays within its byte (the
/// operands are at most 0x7F and 0x80), so bytes do not disturb each other.
fn word_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let v = x & LOW7;
    // Bit 7 set where lo <= byte <= hi (for bytes below 0x80).
    let in_range = |v: u64, lo: u8, hi: u8| {
        v.wrapping_add(splat(0x80 - lo)) & !v.wrapping_add(splat(0x7F - hi))
    };
    // Bit 7 set where byte == c (for bytes below 0x80).
    let equal = |v: u64, c: u8| {
        let t = v ^ splat(c);
        !((t & LOW7).wrapping_add(LOW7) | t)
    };
    let letter = in_range(v | splat(0x20), b'a', b'z');
    let digit = in_range(v, b'0', b'9');
    (letter | digit | equal(v, b'_') | equal(v, b'$')) & !x & HIGH_BITS
}

/// The plain token starting at byte `start` of `src` (after trivia), or `None` at the end.
#[inline(always)]
pub(super) fn token_at(src: &str, start: usize) -> Option<RawTok> {
    let s = src.as_bytes();
    let &b = s.get(start)?;
    let at = |k: usize| s.get(start + k).copied().unwrap_or(0);
    let (kind, len) = match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$' => {
            if (b == b'f' || b == b'F') && at(1) == b'\'' {
                (Raw::TemplateStart, 2)
            } else {
                (Raw::Word, word_end(s, start + 1) - start)
            }
        }
        b'0'..=b'9' => number(s, start),
        b'\'' => match quoted(s, start, b'\'') {
            Some((end, false)) => (Raw::Str, end - start),
            Some((end, true)) => (Raw::BadStr, end - start),
            None => (Raw::UnterminatedStr, 1),
        },
        b'`' | b'"' => match quoted(s, start, b) {
            Some((end, _)) => (Raw::QuotedIdent, end - start),
            None => (Raw::UnterminatedQuoted, 1),
        },
        b'.' if is(at(1), DIGIT) => {
            let digits = run(s, start + 1, DIGIT);
            (Raw::Float, 1 + digits + exponent(s, start + 1 + digits))
        }
        b'.' => (Raw::Dot, 1),
        b'-' if at(1) == b'>' => (Raw::Arrow, 2),
        b'-' => (Raw::Minus, 1),
        b'*' => (Raw::Star, 1),
        b'\\' => (Raw::Backslash, 1),
        b':' => match at(1) {
            b':' => (Raw::DoubleColon, 2),
            b'=' => (Raw::ColonEq, 2),
            _ => (Raw::Colon, 1),
        },
        b',' => (Raw::Comma, 1),
        b'|' if at(1) == b'|' => (Raw::Concat, 2),
        b'+' => (Raw::Plus, 1),
        b'=' => match (at(1), at(2)) {
            (b'=', _) => (Raw::EqEq, 2),
            (b'~', b'*') => (Raw::IRegex, 3),
            (b'~', _) => (Raw::Regex, 2),
            _ => (Raw::Eq, 1),
        },
        b'>' if at(1) == b'=' => (Raw::GtEq, 2),
        b'>' => (Raw::Gt, 1),
        b'#' => (Raw::Hash, 1),
        b'<' => match (at(1), at(2)) {
            (b'=', b'>') => (Raw::Spaceship, 3),
            (b'=', _) => (Raw::LtEq, 2),
            (b'>', _) => (Raw::NotEq, 2),
            _ => (Raw::Lt, 1),
        },
        b'!' => match (at(1), at(2)) {
            (b'=', _) => (Raw::NotEq, 2),
            (b'~', b'*') => (Raw::NotIRegex, 3),
            (b'~', _) => (Raw::NotRegex, 2),
            _ => (Raw::Error, 1),
        },
        b'~' if at(1) == b'*' => (Raw::IRegex, 2),
        b'~' => (Raw::Regex, 1),
        b'?' => match at(1) {
            b'.' => (Raw::NullProp, 2),
            b'?' => (Raw::Nullish, 2),
            _ => (Raw::Question, 1),
        },
        b'%' => (Raw::Percent, 1),
        // `//` and a terminated `/*` were skipped as comments.
        b'/' if at(1) == b'*' => (Raw::UnterminatedComment, 2),
        b'/' => (Raw::Slash, 1),
        b';' => (Raw::Semi, 1),
        b'(' => (Raw::LParen, 1),
        b')' => (Raw::RParen, 1),
        b'[' => (Raw::LBracket, 1),
        b']' => (Raw::RBracket, 1),
        b'{' => (Raw::LBrace, 1),
        b'}' => (Raw::RBrace, 1),
        _ => {
            // One whole character (non-ASCII whitespace was skipped above).
            let len = src[start..].chars().next().map_or(1, char::len_utf8);
            (Raw::Error, len)
        }
    };
    Some(RawTok {
        kind,
        start,
        end: start + len,
    })
}

/// How many bytes of `class` start at `i`.
fn run(s: &[u8], i: usize, class: u8) -> usize {
    s[i.min(s.len())..]
        .iter()
        .position(|&c| !is(c, class))
        .unwrap_or(s.len().saturating_sub(i))
}

/// The length of an exponent (`e5`, `E+10`, `e-3`) at `i`, or 0 if there is none.
fn exponent(s: &[u8], i: usize) -> usize {
    if !matches!(s.get(i), Some(b'e' | b'E')) {
        return 0;
    }
    let sign = usize::from(matches!(s.get(i + 1), Some(b'+' | b'-')));
    match run(s, i + 1 + sign, DIGIT) {
        0 => 0,
        digits => 1 + sign + digits,
    }
}

/// A number starting with a digit at `start`: its kind and length.
fn number(s: &[u8], start: usize) -> (Raw, usize) {
    let at = |k: usize| s.get(start + k).copied().unwrap_or(0);
    if at(0) == b'0' {
        match at(1) {
            b'x' | b'X' if at(2).is_ascii_hexdigit() => {
                let n = s[start + 2..]
                    .iter()
                    .position(|c| !c.is_ascii_hexdigit())
                    .unwrap_or(s.len() - start - 2);
                return (Raw::Hex, 2 + n);
            }
            b'b' | b'B' if matches!(at(2), b'0' | b'1') => {
                let n = s[start + 2..]
                    .iter()
                    .position(|c| !matches!(c, b'0' | b'1'))
                    .unwrap_or(s.len() - start - 2);
                return (Raw::Bin, 2 + n);
            }
            b'o' | b'O' => {
                let n = s[start + 2..]
                    .iter()
                    .position(|c| !matches!(c, b'0'..=b'7'))
                    .unwrap_or(s.len() - start - 2);
                return (Raw::Octal, 2 + n);
            }
            _ => {}
        }
    }
    let int = run(s, start, DIGIT);
    if at(int) == b'.' {
        let frac = run(s, start + int + 1, DIGIT);
        let len = int + 1 + frac;
        return (Raw::Float, len + exponent(s, start + len));
    }
    match exponent(s, start + int) {
        0 => (Raw::Int, int),
        e => (Raw::Float, int + e),
    }
}

/// A string or quoted identifier opened by `quote` at `start`: the end of the longest complete
/// one, and whether it holds a backslash escape other than `\b \f \r \n \t \0 \a \v \\ \' \{ \}
/// \x \X` (only strings care). `None` if it is never closed.
fn quoted(s: &[u8], start: usize, quote: u8) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut bad = false;
    let mut best = None;
    while let Some(&c) = s.get(i) {
        if c == quote {
            best = Some((i + 1, bad));
            if s.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                break;
            }
        } else if c == b'\\' {
            match s.get(i + 1) {
                None | Some(b'\n') => break,
                Some(e) => {
                    bad |= !matches!(
                        e,
                        b'b' | b'f'
                            | b'r'
                            | b'n'
                            | b't'
                            | b'0'
                            | b'a'
                            | b'v'
                            | b'\\'
                            | b'\''
                            | b'{'
                            | b'}'
                            | b'x'
                            | b'X'
                    );
                    i += 2;
                }
            }
        } else {
            i += 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Raw, &str)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(t) = next(src, pos) {
            out.push((t.kind, &src[t.start..t.end]));
            pos = t.end;
        }
        out
    }

    #[test]
    fn longest_match_backs_off_to_the_last_complete_token() {
        assert_eq!(
            kinds("1e+x 0x 0b2 0o8 1.e 1..2"),
            vec![
                (Raw::Int, "1"),
                (Raw::Word, "e"),
                (Raw::Plus, "+"),
                (Raw::Word, "x"),
                (Raw::Int, "0"),
                (Raw::Word, "x"),
                (Raw::Int, "0"),
                (Raw::Word, "b2"),
                (Raw::Octal, "0o"),
                (Raw::Int, "8"),
                (Raw::Float, "1."),
                (Raw::Word, "e"),
                (Raw::Float, "1."),
                (Raw::Float, ".2"),
            ]
        );
        assert_eq!(
            kinds("'a'' b"),
            vec![
                (Raw::Str, "'a'"),
                (Raw::UnterminatedStr, "'"),
                (Raw::Word, "b")
            ]
        );
        assert_eq!(kinds("'x'' \\q'"), vec![(Raw::BadStr, "'x'' \\q'")]);
    }

    #[test]
    fn word_bytes_agrees_with_the_byte_classes() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut bytes = [b'-'; 8];
                bytes[lane] = b;
                let mask = word_bytes(u64::from_le_bytes(bytes));
                let expect = if is(b, WORD_CONT) {
                    0x80u64 << (8 * lane)
                } else {
                    0
                };
                assert_eq!(mask, expect, "byte {b:#x} in lane {lane}");
            }
        }
        assert_eq!(
            kinds("a_b$9Zz_abcdefgh x"),
            vec![(Raw::Word, "a_b$9Zz_abcdefgh"), (Raw::Word, "x")]
        );
    }

    #[test]
    fn trivia_and_errors() {
        assert_eq!(
            kinds("\u{feff}a /*/ b */ -- c\n\u{3000}!x €/*"),
            vec![
                (Raw::Word, "a"),
                (Raw::Error, "!"),
                (Raw::Word, "x"),
                (Raw::Error, "€"),
                (Raw::UnterminatedComment, "/*"),
            ]
        );
    }
}
