//! Shared by the test files: comparing the recursive-descent parser with the LR parser.

use hogql_parser::lexer::Entry;
use hogql_parser::testing::{descent_only, lr_only};

/// Compares the parsers on one text. `Err` describes a disagreement: a different tree, the
/// descent parser accepting what the LR parser rejects, or (with `must_accept`) the descent
/// parser giving up on input the LR parser accepts.
pub fn agree(src: &str, entry: Entry, must_accept: bool) -> Result<(), String> {
    let descent = descent_only(src, entry);
    let lr = lr_only(src, entry);
    match (descent, lr) {
        // (NaN constants are unequal to themselves; their dumps are equal.)
        (Some(d), Ok(l)) if d == l || format!("{d:?}") == format!("{l:?}") => Ok(()),
        (Some(d), Ok(l)) => Err(format!(
            "{entry:?} {src:?}: different trees\n{}",
            first_difference(&format!("{d:#?}"), &format!("{l:#?}"))
        )),
        (Some(d), Err(e)) => Err(format!(
            "{entry:?} {src:?}: descent accepts what the LR parser rejects ({e:?})\n{d:#?}"
        )),
        (None, Ok(_)) if must_accept => Err(format!(
            "{entry:?} {src:?}: descent gives up on valid input"
        )),
        (None, _) => Ok(()),
    }
}

/// The first differing line of two tree dumps, with some context (descent `-`, LR `+`).
fn first_difference(d: &str, l: &str) -> String {
    let (dl, ll): (Vec<&str>, Vec<&str>) = (d.lines().collect(), l.lines().collect());
    let at = dl
        .iter()
        .zip(&ll)
        .position(|(a, b)| a != b)
        .unwrap_or(dl.len().min(ll.len()));
    let from = at.saturating_sub(12);
    let mut out = dl[from..at].join("\n");
    for (mark, lines) in [("-", &dl), ("+", &ll)] {
        for line in lines.iter().skip(at).take(4) {
            out.push_str(&format!("\n{mark}{line}"));
        }
    }
    out
}
