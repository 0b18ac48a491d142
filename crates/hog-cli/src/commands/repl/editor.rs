//! The line editor: rustyline with our completion, highlighting and entry-completeness rules,
//! and a plain line reader with the same rules for piped input.

use super::complete::{self, Sources};
use super::highlight;
use super::input;
use super::session::Completions;
use rustyline::completion::Completer;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::io::BufRead;
use std::sync::{Arc, RwLock};

/// rustyline's helper: everything it asks while the user types.
pub struct ReplHelper {
    pub completions: Arc<RwLock<Completions>>,
    pub color: bool,
}

impl Completer for ReplHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let Ok(c) = self.completions.read() else {
            return Ok((pos, Vec::new()));
        };
        let sources = Sources {
            catalog: &c.catalog,
            ctx: &c.ctx,
            functions: &c.functions,
            session_names: &c.session_names,
        };
        Ok(complete::complete(line, pos, &sources))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight::highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        // Any edit can change how the rest of the line lexes (an opening quote), so redraw on
        // every change; cursor moves change nothing.
        self.color && kind != CmdKind::MoveCursor
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if input::is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Helper for ReplHelper {}

/// Reads entries from non-terminal input with the same completeness rules as the editor:
/// lines are joined until the entry ends at `;` or at an empty line; the end of input ends the
/// last entry.
pub struct PipedReader<R> {
    input: R,
}

impl<R: BufRead> PipedReader<R> {
    pub fn new(input: R) -> Self {
        PipedReader { input }
    }

    /// The next entry, `None` at the end of the input.
    pub fn next_entry(&mut self) -> std::io::Result<Option<String>> {
        let mut entry = String::new();
        let mut first = true;
        loop {
            let mut line = String::new();
            if self.input.read_line(&mut line)? == 0 {
                return Ok((!entry.trim().is_empty()).then_some(entry));
            }
            let line = line.trim_end_matches(['\n', '\r']);
            if !first {
                entry.push('\n');
            }
            entry.push_str(line);
            first = false;
            if entry.trim().is_empty() {
                entry.clear();
                first = true;
                continue;
            }
            if input::is_complete(&entry) {
                return Ok(Some(entry));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_entries_follow_the_editor_rules() {
        let text = "\n\\d\nselect 1\nfrom events\n\nselect 2; \nlet x := 1\n\nselect (\n1\n)";
        let mut reader = PipedReader::new(text.as_bytes());
        let mut entries = Vec::new();
        while let Some(e) = reader.next_entry().unwrap() {
            entries.push(e);
        }
        assert_eq!(
            entries,
            vec![
                "\\d",
                "select 1\nfrom events\n",
                "select 2; ",
                "let x := 1\n",
                "select (\n1\n)"
            ]
        );
    }
}
