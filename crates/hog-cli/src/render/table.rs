//! Aligned result tables for the terminal.
//!
//! ```text
//! ┌───────────┬─────────┐
//! │ event     │ count() │
//! ├───────────┼─────────┤
//! │ $pageview │   12034 │
//! └───────────┴─────────┘
//! ```
//!
//! Columns are as wide as their widest cell (measured in terminal columns, so CJK text and
//! emoji line up), capped at [`Style::max_width`] with an ellipsis. Numeric columns are
//! right-aligned. Control characters are shown escaped (`\n`), so one row is always one line.

use hog_store::{QueryResult, Value};
use std::time::Duration;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How a table is drawn.
#[derive(Debug, Clone)]
pub struct Style {
    /// The widest a column may be, in terminal columns (at least 4).
    pub max_width: usize,
    /// Use ANSI colours (bold header, dim `null` and borders).
    pub color: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            max_width: 60,
            color: false,
        }
    }
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// One prepared cell: its display text and width.
struct Cell {
    text: String,
    width: usize,
    null: bool,
}

impl Cell {
    fn new(raw: &str, max_width: usize, null: bool) -> Cell {
        let (text, width) = fit(&escape_controls(raw), max_width);
        Cell { text, width, null }
    }
}

/// The table, ending with a newline. A result without columns renders as nothing.
pub fn render(result: &QueryResult, style: &Style) -> String {
    let ncols = result.columns.len();
    if ncols == 0 {
        return String::new();
    }
    let max_width = style.max_width.max(4);
    let header: Vec<Cell> = result
        .columns
        .iter()
        .map(|c| Cell::new(c, max_width, false))
        .collect();
    let rows: Vec<Vec<Cell>> = result
        .rows
        .iter()
        .map(|row| {
            (0..ncols)
                .map(|i| match row.get(i) {
                    Some(Value::Null) | None => Cell::new("null", max_width, true),
                    Some(v) => Cell::new(&v.to_text(), max_width, false),
                })
                .collect()
        })
        .collect();
    let numeric: Vec<bool> = (0..ncols).map(|i| column_is_numeric(result, i)).collect();
    let widths: Vec<usize> = (0..ncols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .chain(header.get(i))
                .map(|c| c.width)
                .max()
                .unwrap_or(0)
        })
        .collect();

    let mut out = String::new();
    border(&mut out, &widths, ('┌', '┬', '┐'), style);
    line(&mut out, &header, &widths, &vec![false; ncols], style, true);
    border(&mut out, &widths, ('├', '┼', '┤'), style);
    for row in &rows {
        line(&mut out, row, &widths, &numeric, style, false);
    }
    border(&mut out, &widths, ('└', '┴', '┘'), style);
    out
}

/// The line under a table: `3 rows in 12 ms`, or without time when `elapsed` is `None`.
pub fn footer(rows: usize, elapsed: Option<Duration>) -> String {
    let noun = if rows == 1 { "row" } else { "rows" };
    match elapsed {
        Some(d) => format!("{rows} {noun} in {}", format_duration(d)),
        None => format!("{rows} {noun}"),
    }
}

/// `850 µs`, `12 ms`, `1.25 s`.
pub fn format_duration(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1_000 {
        format!("{micros} µs")
    } else if micros < 10_000_000 {
        format!("{} ms", micros / 1_000)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn column_is_numeric(result: &QueryResult, index: usize) -> bool {
    let mut any = false;
    for row in &result.rows {
        match row.get(index) {
            Some(Value::Int(_) | Value::UInt(_) | Value::BigInt(_) | Value::Float(_)) => any = true,
            Some(Value::Null) | None => {}
            Some(_) => return false,
        }
    }
    any
}

fn border(
    out: &mut String,
    widths: &[usize],
    (left, mid, right): (char, char, char),
    style: &Style,
) {
    if style.color {
        out.push_str(DIM);
    }
    out.push(left);
    for (i, w) in widths.iter().enumerate() {
        if i > 0 {
            out.push(mid);
        }
        out.extend(std::iter::repeat_n('─', w + 2));
    }
    out.push(right);
    if style.color {
        out.push_str(RESET);
    }
    out.push('\n');
}

fn line(
    out: &mut String,
    cells: &[Cell],
    widths: &[usize],
    right: &[bool],
    style: &Style,
    header: bool,
) {
    let bar = if style.color {
        "\x1b[2m│\x1b[0m"
    } else {
        "│"
    };
    out.push_str(bar);
    for (i, width) in widths.iter().enumerate() {
        let (text, w, null) = cells
            .get(i)
            .map_or(("", 0, false), |c| (c.text.as_str(), c.width, c.null));
        let pad = width.saturating_sub(w);
        out.push(' ');
        if right.get(i).copied().unwrap_or(false) {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        let styled = style.color && (header || null);
        if styled {
            out.push_str(if header { BOLD } else { DIM });
        }
        out.push_str(text);
        if styled {
            out.push_str(RESET);
        }
        if !right.get(i).copied().unwrap_or(false) {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out.push(' ');
        out.push_str(bar);
    }
    out.push('\n');
}

/// Shows control characters as escapes so a cell never breaks the line or moves the cursor.
fn escape_controls(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Cuts `s` to at most `max` terminal columns (ending in `…` when cut); returns it with its width.
fn fit(s: &str, max: usize) -> (String, usize) {
    let width = UnicodeWidthStr::width(s);
    if width <= max {
        return (s.to_string(), width);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    (out, used + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(columns: &[&str], rows: Vec<Vec<Value>>) -> QueryResult {
        QueryResult {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            types: columns.iter().map(|_| "String".to_string()).collect(),
            rows,
        }
    }

    #[test]
    fn aligns_text_left_and_numbers_right() {
        let r = result(
            &["event", "count()"],
            vec![
                vec![Value::String("$pageview".into()), Value::UInt(12034)],
                vec![Value::String("signed_up".into()), Value::UInt(7)],
            ],
        );
        let expected = "\
┌───────────┬─────────┐
│ event     │ count() │
├───────────┼─────────┤
│ $pageview │   12034 │
│ signed_up │       7 │
└───────────┴─────────┘
";
        assert_eq!(render(&r, &Style::default()), expected);
    }

    #[test]
    fn wide_characters_and_controls_keep_the_grid() {
        let r = result(
            &["s"],
            vec![
                vec![Value::String("日本".into())],
                vec![Value::String("a\nb".into())],
                vec![Value::Null],
            ],
        );
        let out = render(&r, &Style::default());
        let widths: Vec<usize> = out.lines().map(UnicodeWidthStr::width).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{out}");
        assert!(out.contains("a\\nb"), "{out}");
        assert!(out.contains("null"), "{out}");
    }

    #[test]
    fn long_cells_are_cut_with_an_ellipsis() {
        let r = result(&["s"], vec![vec![Value::String("x".repeat(100))]]);
        let out = render(
            &r,
            &Style {
                max_width: 10,
                color: false,
            },
        );
        assert!(out.contains(&format!("{}…", "x".repeat(9))), "{out}");
        assert!(!out.contains(&"x".repeat(10)), "{out}");
    }

    #[test]
    fn rows_shorter_than_the_header_do_not_panic() {
        let r = result(&["a", "b"], vec![vec![Value::Int(1)]]);
        let out = render(&r, &Style::default());
        assert_eq!(out.lines().count(), 5);
    }

    #[test]
    fn footer_counts_and_times() {
        assert_eq!(footer(1, None), "1 row");
        assert_eq!(
            footer(3, Some(Duration::from_millis(12))),
            "3 rows in 12 ms"
        );
        assert_eq!(format_duration(Duration::from_micros(850)), "850 µs");
        assert_eq!(format_duration(Duration::from_millis(12_500)), "12.50 s");
    }
}
