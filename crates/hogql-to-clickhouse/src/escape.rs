//! ClickHouse escaping of identifiers and string literals.
//!
//! User strings never reach the SQL text: they are bound parameters (see [`crate::params`]).
//! These functions are used for identifiers (always), for the few literals the translator writes
//! itself (`''`, `'null'`, `'^"|"$'`), and for the *inline* display form of a query, where the
//! bound values are substituted back as escaped literals.

use crate::error::TranslateError;

/// `true` when `name` can be printed without backticks: `^[A-Za-z_][A-Za-z0-9_]*$`.
///
/// `$` always forces quoting (the conservative legacy rule): ClickHouse accepts `$` in bare
/// identifiers only in some positions.
pub fn is_bare_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Prints an identifier for ClickHouse: bare when possible, otherwise in backticks with
/// backslash escapes for control characters and backslashes and a doubled backtick.
///
/// `%` is refused: it is reserved for parameter placeholders (`%(hogql_val_0)s`), so an
/// identifier containing it could be confused with one.
pub fn escape_identifier(name: &str) -> Result<String, TranslateError> {
    let mut out = String::with_capacity(name.len() + 2);
    push_identifier(&mut out, name)?;
    Ok(out)
}

/// [`escape_identifier`] appended to `out` (the printer writes into one buffer).
pub fn push_identifier(out: &mut String, name: &str) -> Result<(), TranslateError> {
    // One pass over the bytes for the common case (a bare name), as this runs for every
    // column and alias printed.
    let bytes = name.as_bytes();
    let bare = match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_'),
        _ => false,
    };
    if bare {
        out.push_str(name);
        return Ok(());
    }
    if name.contains('%') {
        return Err(TranslateError::invalid(format!(
            "The HogQL identifier \"{name}\" is not permitted as it contains the \"%\" character"
        )));
    }
    out.push('`');
    for c in name.chars() {
        match c {
            '`' => out.push_str("``"),
            '\\' => out.push_str("\\\\"),
            _ => push_escaped_char(out, c),
        }
    }
    out.push('`');
    Ok(())
}

/// A ClickHouse string literal: single quotes, with backslash escapes for the quote, the
/// backslash and every control character. Non-ASCII text is kept as UTF-8.
pub fn quote_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            _ => push_escaped_char(&mut out, c),
        }
    }
    out.push('\'');
    out
}

fn push_escaped_char(out: &mut String, c: char) {
    match c {
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        '\u{7}' => out.push_str("\\a"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            out.push_str(&format!("\\x{:02X}", c as u32));
        }
        c => out.push(c),
    }
}

/// A float the way PostHog prints it (Python's `repr`): always with a `.` or exponent,
/// `NaN`, `Inf`, `-Inf` for the special values.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    let s = format!("{v:?}");
    // Rust's Debug for f64 prints `1.0`, `0.1`, `1e100`; make the exponent ClickHouse-friendly.
    if s.contains('e') && !s.contains('.') {
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        return format!("{mantissa}.0e{exp}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(escape_identifier("event").unwrap(), "event");
        assert_eq!(escape_identifier("$browser").unwrap(), "`$browser`");
        assert_eq!(escape_identifier("mat_$browser").unwrap(), "`mat_$browser`");
        assert_eq!(
            escape_identifier("-- select team_id").unwrap(),
            "`-- select team_id`"
        );
        assert_eq!(escape_identifier("a`b").unwrap(), "`a``b`");
        assert_eq!(escape_identifier("a\\`b").unwrap(), "`a\\\\``b`");
        assert_eq!(escape_identifier("new\nline").unwrap(), "`new\\nline`");
        assert_eq!(escape_identifier("1abc").unwrap(), "`1abc`");
        assert!(escape_identifier("as%d").is_err());
    }

    #[test]
    fn strings() {
        assert_eq!(quote_string("a'b"), "'a\\'b'");
        assert_eq!(quote_string("a\\'b"), "'a\\\\\\'b'");
        assert_eq!(quote_string("x\0y\n"), "'x\\0y\\n'");
        assert_eq!(quote_string("héllo ✓"), "'héllo ✓'");
        assert_eq!(quote_string("\u{1}"), "'\\x01'");
    }

    #[test]
    fn floats() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(2.66), "2.66");
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_float(f64::NAN), "NaN");
        assert_eq!(format_float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_float(1e100), "1.0e100");
    }
}
