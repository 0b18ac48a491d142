//! The tokens the grammar consumes, and the keyword table.
//!
//! Only words the grammar gives a meaning of their own are keywords here. Words that PostHog's
//! lexer also reserves but that only ever act as names in our grammar (`date`, `timestamp`,
//! `day`, `id`, `key`, …) lex as plain identifiers, which keeps them usable as column names.

use std::fmt;

/// A token. Text-carrying variants borrow the raw source slice (quotes and escapes included);
/// decoding happens in the parser's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok<'a> {
    /// `name`, `$browser`, `true`, and non-keyword reserved words.
    Ident(&'a str),
    /// `` `quoted` `` or `"quoted"`, raw with its quotes.
    QuotedIdent(&'a str),
    Kw(Kw),
    /// `OFFSET` right after `SAMPLE ratio`: the sample's offset, not the query's.
    SampleOffset,
    /// `if` where a statement starts (program mode only); elsewhere `if` is [`Kw::If`], a name.
    IfStmt,
    /// A `;` right before `else` in a program: it ends the `then` branch (`if (a) b; else c`)
    /// or is its empty statement (`if (a) ; else c`), never a statement of its own.
    SemiElse,
    /// `NOT IN`, `NOT LIKE`, `NOT ILIKE`, `NOT BETWEEN` as one token each, so that a `NOT`
    /// after an expression never has to be guessed at (`a` `not b` are two Hog statements).
    NotIn,
    NotLike,
    NotILike,
    NotBetween,
    /// Decimal digits (also with leading zeros).
    Int(&'a str),
    /// `0x…`
    Hex(&'a str),
    /// `0b…`
    Bin(&'a str),
    /// A decimal number with `.` or an exponent.
    Float(&'a str),
    /// `'…'`, raw with its quotes.
    Str(&'a str),
    /// A string right after `INTERVAL` that holds a count and a unit (`INTERVAL '2 days'`),
    /// raw with its quotes.
    IntervalStr(&'a str),
    /// `f'` opening a template string.
    TemplateStart,
    /// Literal text of a template string (raw, escapes undecoded).
    TemplateText(&'a str),
    /// The closing `'` of a template string.
    TemplateEnd,
    /// `<name` opening a HogQLX tag.
    TagOpen(&'a str),
    /// `>` ending an opening tag that has children.
    TagGt,
    /// `/>`
    TagSelfClose,
    /// Raw text between tags.
    TagText(&'a str),
    /// `</name>`
    TagClose(&'a str),
    /// A character sequence that is no token; the lexer also reports a [`crate::ParseError`].
    Error,
    // punctuation and operators
    Arrow,       // ->
    Star,        // *
    Backslash,   // \
    DoubleColon, // ::
    ColonEq,     // :=
    Colon,       // :
    Comma,       // ,
    Concat,      // ||
    Minus,       // -
    Plus,        // +
    Dot,         // .
    EqEq,        // ==
    Eq,          // =
    GtEq,        // >=
    Gt,          // >
    Hash,        // #
    LtEq,        // <=
    Lt,          // <
    NotEq,       // != and <>
    Spaceship,   // <=>
    Regex,       // =~ and ~
    IRegex,      // =~* and ~*
    NotRegex,    // !~
    NotIRegex,   // !~*
    NullProp,    // ?.
    Nullish,     // ??
    Question,    // ?
    Percent,     // %
    Slash,       // /
    Semi,        // ;
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    // synthetic start tokens selecting the grammar's entry point
    StartExpr,
    StartSelect,
    StartProgram,
    StartTemplate,
}

macro_rules! keywords {
    ($($variant:ident = $text:literal),* $(,)?) => {
        /// Keywords (case-insensitive in the source).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kw { $($variant),* }

        impl Kw {
            /// The keyword in lower case, as bytes.
            fn bytes(self) -> &'static [u8] {
                match self { $(Kw::$variant => $text),* }
            }

            /// Every keyword with its text, and the other spellings (`infinity`).
            const SPELLINGS: &'static [(&'static [u8], Kw)] =
                &[$(($text, Kw::$variant),)* (b"infinity", Kw::Inf)];
        }
    };
}

/// A word of at most 16 bytes as one number, with bit 0x20 set in each of its bytes: that
/// lower-cases ASCII letters and leaves digits and `$` as they are (`_` becomes DEL, which no
/// keyword holds). So two words of identifier characters are equal ignoring ASCII case exactly
/// when their keys are equal, and a keyword is found with one comparison.
const fn fold_key(bytes: [u8; 16], len: usize) -> u128 {
    (u128::from_le_bytes(bytes) | 0x2020_2020_2020_2020_2020_2020_2020_2020) & KEY_MASKS[len]
}

/// `KEY_MASKS[n]` keeps the low `n` bytes of a key.
static KEY_MASKS: [u128; 17] = {
    let mut m = [0u128; 17];
    let mut n = 1;
    while n < 17 {
        m[n] = (m[n - 1] << 8) | 0xFF;
        n += 1;
    }
    m
};

/// A perfect hash of the keyword keys: the multiplier was searched for so that no two
/// keywords share a slot (the table below fails to compile if one does), so a lookup is one
/// slot and one comparison.
const fn key_hash(key: u128) -> usize {
    let x = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (x.wrapping_mul(0x2025_BF05_4B75_1985) >> (64 - KEYWORD_TABLE_BITS)) as usize
}

const KEYWORD_TABLE_BITS: u32 = 9;
const KEYWORD_TABLE_SIZE: usize = 1 << KEYWORD_TABLE_BITS;

/// Every spelling as its key ([`fold_key`]), at its index in [`Kw::SPELLINGS`] plus one; index
/// 0 holds key 0, which no word has (its first byte is not zero).
static KEYWORD_KEYS: [u128; Kw::SPELLINGS.len() + 1] = {
    let mut keys = [0u128; Kw::SPELLINGS.len() + 1];
    let mut k = 0;
    while k < Kw::SPELLINGS.len() {
        let text = Kw::SPELLINGS[k].0;
        let mut bytes = [0u8; 16];
        let mut i = 0;
        while i < text.len() {
            bytes[i] = text[i];
            i += 1;
        }
        keys[k + 1] = fold_key(bytes, text.len());
        k += 1;
    }
    keys
};

/// Hash slot → index in [`KEYWORD_KEYS`] (0 for an empty slot, whose key matches no word).
static KEYWORD_SLOTS: [u8; KEYWORD_TABLE_SIZE] = {
    let mut table = [0u8; KEYWORD_TABLE_SIZE];
    let mut k = 1;
    while k < KEYWORD_KEYS.len() {
        let slot = key_hash(KEYWORD_KEYS[k]);
        assert!(
            table[slot] == 0,
            "two keywords share a hash slot: pick another multiplier"
        );
        table[slot] = k as u8;
        k += 1;
    }
    table
};

impl Kw {
    /// Looks up an identifier-shaped word (any case).
    pub fn lookup(word: &str) -> Option<Kw> {
        Kw::lookup_in(word.as_bytes(), 0, word.len())
    }

    /// Looks up the identifier-shaped word `src[start..end]` (any case). Taking the whole
    /// source lets the common case read the word with one 16-byte load.
    #[inline]
    pub fn lookup_in(src: &[u8], start: usize, end: usize) -> Option<Kw> {
        let len = end.checked_sub(start)?;
        // Keywords are 2 to 11 bytes long; shorter words (up to the 16 bytes of a key) just
        // miss in the table, which is cheaper than a hard-to-predict branch on the length.
        if len > 16 {
            return None;
        }
        let bytes: [u8; 16] = match src.get(start..start + 16) {
            Some(b) => b.try_into().ok()?,
            None => {
                let mut b = [0u8; 16];
                b[..len].copy_from_slice(src.get(start..end)?);
                b
            }
        };
        let key = fold_key(bytes, len);
        let k = usize::from(KEYWORD_SLOTS[key_hash(key)]);
        if KEYWORD_KEYS[k] != key {
            return None;
        }
        Some(Kw::SPELLINGS.get(k.wrapping_sub(1))?.1)
    }
}

// Byte-string patterns so `lookup` can match the lower-cased buffer directly.
keywords! {
    All = b"all", And = b"and", Anti = b"anti", Any = b"any", Array = b"array", As = b"as",
    Asc = b"asc", Ascending = b"ascending", Asof = b"asof", Between = b"between", Both = b"both",
    By = b"by", Case = b"case", Cast = b"cast", Catch = b"catch", Cohort = b"cohort",
    Collate = b"collate", Cross = b"cross", Cube = b"cube", Current = b"current", Desc = b"desc",
    Descending = b"descending", Distinct = b"distinct", Else = b"else", End = b"end",
    Except = b"except", Filter = b"filter", Final = b"final", Finally = b"finally",
    First = b"first", Fn = b"fn", Following = b"following", For = b"for", From = b"from",
    Full = b"full", Fun = b"fun", Global = b"global", Group = b"group", Having = b"having",
    If = b"if", ILike = b"ilike", In = b"in", Inf = b"inf", Inner = b"inner",
    Intersect = b"intersect", Interval = b"interval", Is = b"is", Join = b"join",
    Lambda = b"lambda", Last = b"last", Leading = b"leading", Left = b"left", Let = b"let",
    Like = b"like", Limit = b"limit", Nan = b"nan", Not = b"not", Null = b"null",
    Nulls = b"nulls", Offset = b"offset", On = b"on", Or = b"or", Order = b"order",
    Outer = b"outer", Over = b"over", Partition = b"partition", Preceding = b"preceding",
    Prewhere = b"prewhere", Qualify = b"qualify", Range = b"range", Return = b"return",
    Right = b"right", Rollup = b"rollup", Row = b"row", Rows = b"rows", Sample = b"sample",
    Select = b"select", Semi = b"semi", Settings = b"settings", Then = b"then", Throw = b"throw",
    Ties = b"ties", Top = b"top", Totals = b"totals", Trailing = b"trailing", Trim = b"trim",
    Try = b"try", Unbounded = b"unbounded", Union = b"union", Using = b"using", When = b"when",
    Where = b"where", While = b"while", Window = b"window", With = b"with", Within = b"within",
}

impl Kw {
    /// The keyword as text (lower case).
    pub fn text(self) -> &'static str {
        // Every table entry is ASCII, so the fallback is never taken.
        std::str::from_utf8(self.bytes()).unwrap_or("")
    }
}

impl fmt::Display for Tok<'_> {
    /// How a token is named in error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Tok::Ident(s) => return write!(f, "identifier `{s}`"),
            Tok::QuotedIdent(s) => return write!(f, "identifier {s}"),
            Tok::Kw(k) => return write!(f, "keyword `{}`", k.text().to_ascii_uppercase()),
            Tok::IfStmt => "keyword `if`",
            Tok::SemiElse => "`;`",
            Tok::SampleOffset => "keyword `OFFSET`",
            Tok::NotIn => "`NOT IN`",
            Tok::NotLike => "`NOT LIKE`",
            Tok::NotILike => "`NOT ILIKE`",
            Tok::NotBetween => "`NOT BETWEEN`",
            Tok::Int(s) | Tok::Hex(s) | Tok::Bin(s) | Tok::Float(s) => {
                return write!(f, "number `{s}`");
            }
            Tok::Str(_) | Tok::IntervalStr(_) => "string",
            Tok::TemplateStart => "template string",
            Tok::TemplateText(_) => "template text",
            Tok::TemplateEnd => "end of template string",
            Tok::TagOpen(n) => return write!(f, "tag `<{n}`"),
            Tok::TagGt => "`>`",
            Tok::TagSelfClose => "`/>`",
            Tok::TagText(_) => "tag text",
            Tok::TagClose(n) => return write!(f, "closing tag `</{n}>`"),
            Tok::Error => "invalid token",
            Tok::Arrow => "`->`",
            Tok::Star => "`*`",
            Tok::Backslash => "`\\`",
            Tok::DoubleColon => "`::`",
            Tok::ColonEq => "`:=`",
            Tok::Colon => "`:`",
            Tok::Comma => "`,`",
            Tok::Concat => "`||`",
            Tok::Minus => "`-`",
            Tok::Plus => "`+`",
            Tok::Dot => "`.`",
            Tok::EqEq => "`==`",
            Tok::Eq => "`=`",
            Tok::GtEq => "`>=`",
            Tok::Gt => "`>`",
            Tok::Hash => "`#`",
            Tok::LtEq => "`<=`",
            Tok::Lt => "`<`",
            Tok::NotEq => "`!=`",
            Tok::Spaceship => "`<=>`",
            Tok::Regex => "`=~`",
            Tok::IRegex => "`=~*`",
            Tok::NotRegex => "`!~`",
            Tok::NotIRegex => "`!~*`",
            Tok::NullProp => "`?.`",
            Tok::Nullish => "`??`",
            Tok::Question => "`?`",
            Tok::Percent => "`%`",
            Tok::Slash => "`/`",
            Tok::Semi => "`;`",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::StartExpr | Tok::StartSelect | Tok::StartProgram | Tok::StartTemplate => {
                "start of input"
            }
        };
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_found_in_any_case_and_near_misses_are_not() {
        for &(text, kw) in Kw::SPELLINGS {
            let text = std::str::from_utf8(text).unwrap_or_default();
            assert_eq!(Kw::lookup(text), Some(kw), "{text}");
            assert_eq!(Kw::lookup(&text.to_ascii_uppercase()), Some(kw), "{text}");
            let mixed: String = text
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            assert_eq!(Kw::lookup(&mixed), Some(kw), "{mixed}");
            // Found in a longer source, too (the 16-byte read past the word).
            let src = format!("{text} rest of the source");
            assert_eq!(
                Kw::lookup_in(src.as_bytes(), 0, text.len()),
                Some(kw),
                "{text}"
            );
            for near in [
                format!("{text}s"),
                format!("{text}_"),
                text[1..].to_string(),
            ] {
                if Kw::SPELLINGS.iter().all(|(t, _)| *t != near.as_bytes()) {
                    assert_eq!(Kw::lookup(&near), None, "{near}");
                }
            }
        }
        for word in [
            "",
            "a",
            "x",
            "_",
            "$",
            "selectselectselect",
            "date",
            "événement",
        ] {
            assert_eq!(Kw::lookup(word), None, "{word}");
        }
    }

    /// The hash table agrees with the plain definition: a case-insensitive scan of the list.
    fn lookup_by_scan(word: &str) -> Option<Kw> {
        Kw::SPELLINGS
            .iter()
            .find(|(text, _)| text.eq_ignore_ascii_case(word.as_bytes()))
            .map(|&(_, kw)| kw)
    }

    proptest::proptest! {
        #[test]
        fn lookup_equals_a_scan_of_the_keyword_list(
            word in "(?i)(se|lect|in|not|on|or|and|f|inf|inity|nan|[a-z_$0-9]|.){0,6}"
        ) {
            proptest::prop_assert_eq!(Kw::lookup(&word), lookup_by_scan(&word));
        }
    }
}
