//! Meta-commands: lines starting with `\` that talk to the REPL instead of the database.

use crate::render::Format;
use std::path::PathBuf;

/// A parsed meta-command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meta {
    /// `\help` / `\?`
    Help,
    /// `\d`: the tables.
    Tables,
    /// `\d NAME`: a table's fields with their types.
    Describe(String),
    /// `\sql [on|off]`: show the ClickHouse SQL of each query (no argument toggles).
    Sql(Option<bool>),
    /// `\format table|json|jsonl|csv` (no argument shows the current one).
    Format(Option<Format>),
    /// `\timing [on|off]`: show the elapsed time under results (no argument toggles).
    Timing(Option<bool>),
    /// `\team N` (no argument shows the current team).
    Team(Option<i64>),
    /// `\tz ZONE`: the project time zone (no argument shows it).
    TimeZone(Option<String>),
    /// `\import FILE`: PostHog capture-format JSONL into the current team.
    Import(PathBuf),
    /// `\vars`: the Hog session's variables and functions.
    Vars,
    /// `\q` / `\quit`
    Quit,
}

/// The commands with their one-line help, in `\help` order; also used for completion.
pub const COMMANDS: &[(&str, &str)] = &[
    ("\\help", "this list"),
    ("\\d", "list the tables"),
    ("\\d TABLE", "the fields of a table with their types"),
    ("\\sql [on|off]", "show the ClickHouse SQL of each query"),
    ("\\format table|json|jsonl|csv", "how results are printed"),
    ("\\timing [on|off]", "show how long each query took"),
    ("\\team N", "query the data of team N"),
    ("\\tz ZONE", "the project time zone (e.g. Europe/Berlin)"),
    (
        "\\import FILE",
        "import PostHog capture-format JSONL into the current team",
    ),
    ("\\vars", "the Hog session's variables and functions"),
    ("\\q", "leave (or Ctrl-D)"),
];

/// The command words, for completion.
pub const WORDS: &[&str] = &[
    "\\help", "\\d", "\\sql", "\\format", "\\timing", "\\team", "\\tz", "\\import", "\\vars",
    "\\q", "\\quit",
];

/// Parses a line starting with `\`. Errors are messages for the user.
pub fn parse(line: &str) -> Result<Meta, String> {
    let line = line.trim();
    let body = line.strip_prefix('\\').unwrap_or(line);
    let (word, arg) = match body.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (body, ""),
    };
    let arg = arg.strip_suffix(';').unwrap_or(arg).trim();
    let none = |meta: Meta| -> Result<Meta, String> {
        if arg.is_empty() {
            Ok(meta)
        } else {
            Err(format!("\\{word} takes no argument"))
        }
    };
    match word {
        "help" | "?" | "h" => none(Meta::Help),
        "q" | "quit" | "exit" => none(Meta::Quit),
        "vars" => none(Meta::Vars),
        "d" | "dt" => Ok(if arg.is_empty() {
            Meta::Tables
        } else {
            Meta::Describe(arg.to_string())
        }),
        "sql" => on_off(word, arg).map(Meta::Sql),
        "timing" => on_off(word, arg).map(Meta::Timing),
        "format" => {
            if arg.is_empty() {
                Ok(Meta::Format(None))
            } else {
                Format::parse(arg)
                    .map(|f| Meta::Format(Some(f)))
                    .ok_or_else(|| {
                        format!("unknown format `{arg}`; choose table, json, jsonl or csv")
                    })
            }
        }
        "team" => {
            if arg.is_empty() {
                Ok(Meta::Team(None))
            } else {
                arg.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(|n| Meta::Team(Some(n)))
                    .ok_or_else(|| format!("\\team needs a positive team id, not `{arg}`"))
            }
        }
        "tz" | "timezone" => Ok(Meta::TimeZone((!arg.is_empty()).then(|| arg.to_string()))),
        "import" => {
            if arg.is_empty() {
                Err("\\import needs a file: \\import events.jsonl".into())
            } else {
                Ok(Meta::Import(PathBuf::from(unquote(arg))))
            }
        }
        "" => Err("a `\\` needs a command after it; try \\help".into()),
        other => {
            let close = WORDS
                .iter()
                .filter(|w| strsim::levenshtein(&w[1..], other) <= 2)
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>();
            if close.is_empty() {
                Err(format!("unknown command `\\{other}`; try \\help"))
            } else {
                Err(format!(
                    "unknown command `\\{other}`; did you mean {}?",
                    close.join(" or ")
                ))
            }
        }
    }
}

fn on_off(word: &str, arg: &str) -> Result<Option<bool>, String> {
    match arg.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "on" | "true" | "1" | "yes" => Ok(Some(true)),
        "off" | "false" | "0" | "no" => Ok(Some(false)),
        _ => Err(format!("\\{word} takes `on` or `off`, not `{arg}`")),
    }
}

/// `'my file.jsonl'` or `"my file.jsonl"` → `my file.jsonl`.
fn unquote(s: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The `\help` text.
pub fn help() -> String {
    let mut out = String::from(
        "Type HogQL (`select event, count() from events group by event`) or Hog (`let x := 1`,\n\
         `print(x)`, `fun f(a) { return a * 2 }`). An entry ends at `;` or at an empty line.\n\
         Tab completes tables, fields, property keys and functions; Ctrl-C cancels, Ctrl-D leaves.\n\n",
    );
    let width = COMMANDS.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    for (command, what) in COMMANDS {
        out.push_str(&format!("  {command:width$}  {what}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_command() {
        assert_eq!(parse("\\help"), Ok(Meta::Help));
        assert_eq!(parse("\\d"), Ok(Meta::Tables));
        assert_eq!(parse("\\d events"), Ok(Meta::Describe("events".into())));
        assert_eq!(parse("\\sql"), Ok(Meta::Sql(None)));
        assert_eq!(parse("\\sql off"), Ok(Meta::Sql(Some(false))));
        assert_eq!(parse("\\format csv"), Ok(Meta::Format(Some(Format::Csv))));
        assert_eq!(parse("\\format"), Ok(Meta::Format(None)));
        assert_eq!(parse("\\timing on"), Ok(Meta::Timing(Some(true))));
        assert_eq!(parse("\\team 2"), Ok(Meta::Team(Some(2))));
        assert_eq!(
            parse("\\tz Europe/Berlin"),
            Ok(Meta::TimeZone(Some("Europe/Berlin".into())))
        );
        assert_eq!(
            parse("\\import 'a b.jsonl'"),
            Ok(Meta::Import("a b.jsonl".into()))
        );
        assert_eq!(parse("  \\q  "), Ok(Meta::Quit));
        assert_eq!(parse("\\d events;"), Ok(Meta::Describe("events".into())));
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        assert_eq!(
            parse("\\team x").unwrap_err(),
            "\\team needs a positive team id, not `x`"
        );
        assert_eq!(
            parse("\\team 0").unwrap_err(),
            "\\team needs a positive team id, not `0`"
        );
        assert!(
            parse("\\format xml")
                .unwrap_err()
                .contains("unknown format `xml`")
        );
        assert!(
            parse("\\timing maybe")
                .unwrap_err()
                .contains("`on` or `off`")
        );
        assert!(parse("\\import").unwrap_err().contains("needs a file"));
        assert!(
            parse("\\help me")
                .unwrap_err()
                .contains("takes no argument")
        );
        assert!(
            parse("\\fromat json")
                .unwrap_err()
                .contains("did you mean `\\format`")
        );
        assert!(parse("\\zzzzzz").unwrap_err().contains("try \\help"));
        assert!(parse("\\").unwrap_err().contains("needs a command"));
    }

    #[test]
    fn help_lists_every_command() {
        let text = help();
        for (command, _) in COMMANDS {
            assert!(text.contains(command), "{command}");
        }
    }
}
