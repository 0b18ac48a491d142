//! Tab completion: what could the word under the cursor be?
//!
//! * after `\` at the start of the line: meta-commands;
//! * after `properties.` (also `person.properties.`, `e.properties.`): property keys seen in
//!   the team's data, quoted with backticks when they are not plain names;
//! * after `TABLE.` or `person.`: that table's fields;
//! * otherwise keywords, tables, `events` fields, function names and the Hog session's names.

use super::catalog::{self, Catalog};
use super::meta;
use hogql_to_clickhouse::Context;

/// Words that start or join clauses, offered in the case the user is typing in.
const KEYWORDS: &[&str] = &[
    "select",
    "from",
    "where",
    "group by",
    "order by",
    "having",
    "limit",
    "offset",
    "join",
    "left join",
    "inner join",
    "on",
    "as",
    "and",
    "or",
    "not",
    "in",
    "like",
    "ilike",
    "between",
    "is null",
    "is not null",
    "distinct",
    "union all",
    "with",
    "case",
    "when",
    "then",
    "else",
    "end",
    "desc",
    "asc",
    "interval",
    "let",
    "fun",
    "return",
    "if",
    "for",
    "while",
    "print",
];

/// Everything completion draws on, besides the catalog.
pub struct Sources<'a> {
    pub catalog: &'a Catalog,
    pub ctx: &'a Context,
    /// HogQL function names.
    pub functions: &'a [String],
    /// Names defined in the Hog session.
    pub session_names: &'a [String],
}

/// The start of the word ending at `pos` and the candidates for it (sorted, de-duplicated).
pub fn complete(line: &str, pos: usize, sources: &Sources<'_>) -> (usize, Vec<String>) {
    let pos = clamp_to_boundary(line, pos);
    let before = &line[..pos];
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map_or(pos, |(i, _)| i);
    let word = &line[start..pos];

    // Meta-commands: `\` at the start of the line.
    if before.trim_start().starts_with('\\') && !before.trim_start().contains(char::is_whitespace) {
        let start = before.len() - before.trim_start().len();
        let typed = &line[start..pos];
        return (
            start,
            filter(meta::WORDS.iter().map(|w| w.to_string()), typed, false),
        );
    }
    // `\d TAB`: table names.
    if let Some(rest) = before.trim_start().strip_prefix("\\d ") {
        let typed = rest.trim_start();
        return (pos - typed.len(), filter(tables(), typed, false));
    }

    let mut candidates = match word.rfind('.') {
        Some(dot) => {
            let (owner, partial) = (&word[..dot], &word[dot + 1..]);
            let owner_lower = owner.to_ascii_lowercase();
            let names: Vec<String> =
                if owner_lower == "properties" || owner_lower.ends_with(".properties") {
                    let keys = if owner_lower.contains("person") {
                        &sources.catalog.person_keys
                    } else {
                        &sources.catalog.event_keys
                    };
                    keys.iter().map(|k| quote_key(k)).collect()
                } else {
                    let table = match owner_lower.rsplit('.').next().unwrap_or("") {
                        "person" | "persons" => "persons",
                        other => other,
                    };
                    catalog::field_names(table, sources.ctx)
                };
            let names = filter(names.into_iter(), partial, false);
            names
                .into_iter()
                .map(|n| format!("{owner}.{n}"))
                .collect::<Vec<_>>()
        }
        None => {
            let upper = word.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            let mut all: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
            all.extend(tables());
            all.extend(catalog::field_names("events", sources.ctx));
            all.extend(sources.functions.iter().cloned());
            all.extend(sources.session_names.iter().cloned());
            let mut names = filter(all.into_iter(), word, true);
            if upper {
                for name in &mut names {
                    if KEYWORDS.contains(&name.as_str()) {
                        *name = name.to_ascii_uppercase();
                    }
                }
            }
            names
        }
    };
    if word.is_empty() {
        candidates.truncate(0);
    }
    (start, candidates)
}

fn tables() -> impl Iterator<Item = String> {
    catalog::tables().iter().map(|t| t.to_string())
}

/// Names starting with `typed` (case-insensitive when `fold`), sorted, without duplicates.
fn filter(names: impl Iterator<Item = String>, typed: &str, fold: bool) -> Vec<String> {
    let typed_lower = typed.to_lowercase();
    let mut out: Vec<String> = names
        .filter(|n| {
            if fold {
                n.to_lowercase().starts_with(&typed_lower)
            } else {
                n.starts_with(typed)
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Characters of a completable word: names, `$`, and dots between chain parts.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '.'
}

/// A property key as it must be written after `properties.`.
fn quote_key(key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    if plain {
        key.to_string()
    } else {
        format!("`{}`", key.replace('\\', "\\\\").replace('`', "\\`"))
    }
}

fn clamp_to_boundary(line: &str, pos: usize) -> usize {
    let mut pos = pos.min(line.len());
    while !line.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> (usize, Vec<String>) {
        let catalog = Catalog {
            event_keys: vec!["$browser".into(), "$os".into(), "plan name".into()],
            person_keys: vec!["email".into()],
            event_names: vec![],
        };
        let ctx = Context::new(1);
        let functions = vec![
            "count".to_string(),
            "countIf".to_string(),
            "toFloat".to_string(),
        ];
        let names = vec!["myVar".to_string()];
        let sources = Sources {
            catalog: &catalog,
            ctx: &ctx,
            functions: &functions,
            session_names: &names,
        };
        complete(line, line.len(), &sources)
    }

    #[test]
    fn property_keys_after_properties() {
        assert_eq!(
            run("select properties.$b"),
            (7, vec!["properties.$browser".to_string()])
        );
        let (_, all) = run("select properties.");
        assert!(
            all.contains(&"properties.`plan name`".to_string()),
            "{all:?}"
        );
        assert_eq!(
            run("select person.properties.e").1,
            vec!["person.properties.email".to_string()]
        );
    }

    #[test]
    fn fields_tables_functions_and_keywords() {
        assert!(run("select ev").1.contains(&"event".to_string()));
        assert!(run("select * from ev").1.contains(&"events".to_string()));
        assert_eq!(
            run("select cou").1,
            vec!["count".to_string(), "countIf".to_string()]
        );
        assert_eq!(run("SEL").1, vec!["SELECT".to_string()]);
        assert!(
            run("select person.cr")
                .1
                .contains(&"person.created_at".to_string())
        );
        assert_eq!(run("print(myV").1, vec!["myVar".to_string()]);
    }

    #[test]
    fn meta_commands_and_their_tables() {
        assert_eq!(run("\\fo"), (0, vec!["\\format".to_string()]));
        assert!(run("\\d ev").1.contains(&"events".to_string()));
    }

    #[test]
    fn odd_positions_do_not_panic() {
        let catalog = Catalog::default();
        let ctx = Context::new(1);
        let sources = Sources {
            catalog: &catalog,
            ctx: &ctx,
            functions: &[],
            session_names: &[],
        };
        for (line, pos) in [("é", 1), ("", 5), ("select é", 100)] {
            let _ = complete(line, pos, &sources);
        }
    }
}
