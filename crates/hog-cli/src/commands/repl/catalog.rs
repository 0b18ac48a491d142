//! What the REPL knows about the data, for completion, `\d` and warnings: the HogQL tables and
//! fields (from the translator's schema), the function names, and the property keys actually
//! seen in the current team's events and persons (asked from the store).

use hog_store::{EventStore, Params, Value};
use hogql_to_clickhouse::Context;
use hogql_to_clickhouse::schema::{self, FieldDef, FieldType, TABLE_NAMES};

/// Property keys are read from at most this many recent rows, so a large store answers fast.
const SAMPLE_ROWS: u64 = 100_000;
/// At most this many keys are kept per kind.
const MAX_KEYS: u64 = 2_000;

/// A field of a table as `\d` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo {
    pub name: String,
    /// `String`, `DateTime`, `JSON (properties)`, `→ persons` (a lazy join), ...
    pub kind: String,
}

/// The property keys seen in the data of one team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub event_keys: Vec<String>,
    pub person_keys: Vec<String>,
    pub event_names: Vec<String>,
}

impl Catalog {
    /// Reads the keys of `team_id` from the store. A store that cannot answer gives empty lists
    /// (completion and warnings then just know less).
    pub fn load(store: &dyn EventStore, team_id: i64) -> Catalog {
        let keys = |sql: String| -> Vec<String> {
            match store.query(&sql, &Params::new()) {
                Ok(result) => result
                    .rows
                    .into_iter()
                    .filter_map(|row| match row.into_iter().next() {
                        Some(Value::String(s)) if !s.is_empty() => Some(s),
                        _ => None,
                    })
                    .collect(),
                Err(_) => Vec::new(),
            }
        };
        let mut catalog = Catalog {
            event_keys: keys(format!(
                "SELECT DISTINCT arrayJoin(JSONExtractKeys(properties)) AS k FROM \
                 (SELECT properties FROM events WHERE team_id = {team_id} ORDER BY timestamp DESC LIMIT {SAMPLE_ROWS}) \
                 ORDER BY k LIMIT {MAX_KEYS}"
            )),
            person_keys: keys(format!(
                "SELECT DISTINCT arrayJoin(JSONExtractKeys(properties)) AS k FROM \
                 (SELECT properties FROM person WHERE team_id = {team_id} LIMIT {SAMPLE_ROWS}) \
                 ORDER BY k LIMIT {MAX_KEYS}"
            )),
            event_names: keys(format!(
                "SELECT event FROM events WHERE team_id = {team_id} GROUP BY event \
                 ORDER BY count() DESC LIMIT {MAX_KEYS}"
            )),
        };
        catalog.event_keys.sort();
        catalog.person_keys.sort();
        catalog
    }
}

/// The HogQL table names.
pub fn tables() -> &'static [&'static str] {
    &TABLE_NAMES
}

/// The fields of a HogQL table with a word on their type, or `None` for an unknown table.
pub fn fields(table: &str, ctx: &Context) -> Option<Vec<FieldInfo>> {
    let kind = schema::table(table)?;
    let infos = schema::field_names(kind, ctx)
        .into_iter()
        .map(|name| FieldInfo {
            name: name.to_string(),
            kind: match schema::field(kind, name, ctx) {
                Some(FieldDef::Column(c)) => type_name(c.ty).to_string(),
                Some(FieldDef::LazyJoin(j)) => format!("→ {}", lazy_name(j.target)),
                Some(FieldDef::Virtual(_)) => "virtual table (id, created_at, properties)".into(),
                Some(FieldDef::Traverse(path)) => format!("→ {}", path.join(".")),
                Some(FieldDef::PersonIdOverride) => "UUID (override-corrected)".into(),
                None => "?".into(),
            },
        })
        .collect();
    Some(infos)
}

/// Names only, for completion.
pub fn field_names(table: &str, ctx: &Context) -> Vec<String> {
    fields(table, ctx)
        .map(|f| f.into_iter().map(|f| f.name).collect())
        .unwrap_or_default()
}

fn type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String => "String",
        FieldType::Int => "Integer",
        FieldType::Float => "Float",
        FieldType::Bool => "Boolean",
        FieldType::DateTime => "DateTime",
        FieldType::Date => "Date",
        FieldType::Uuid => "UUID",
        FieldType::Array => "Array",
        FieldType::Json => "JSON (properties.KEY)",
        FieldType::Unknown => "?",
    }
}

fn lazy_name(kind: schema::LazyKind) -> &'static str {
    match kind {
        schema::LazyKind::Persons => "persons",
        schema::LazyKind::DistinctIds => "person_distinct_ids",
        schema::LazyKind::Overrides => "person_distinct_id_overrides",
        schema::LazyKind::Groups(_) => "groups",
        schema::LazyKind::Sessions => "sessions",
    }
}

/// Keys close to `key` (for "did you mean"), best first, at most three.
pub fn close_keys<'a>(key: &str, known: &'a [String]) -> Vec<&'a str> {
    let lower = key.to_lowercase();
    // Up to one edit per three characters (a typo, a swapped pair, a missing `$`).
    let allowed = (lower.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = known
        .iter()
        .map(|k| {
            (
                strsim::damerau_levenshtein(&lower, &k.to_lowercase()),
                k.as_str(),
            )
        })
        .filter(|(distance, _)| *distance <= allowed)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fields_have_types() {
        let f = fields("events", &Context::new(1)).unwrap();
        let find = |n: &str| f.iter().find(|x| x.name == n).map(|x| x.kind.clone());
        assert_eq!(find("event").as_deref(), Some("String"));
        assert_eq!(find("timestamp").as_deref(), Some("DateTime"));
        assert!(find("properties").unwrap().starts_with("JSON"));
        assert!(find("person").unwrap().starts_with("→"));
        assert!(fields("nope", &Context::new(1)).is_none());
    }

    #[test]
    fn close_keys_find_typos() {
        let known = vec![
            "$browser".to_string(),
            "$os".to_string(),
            "amount".to_string(),
        ];
        assert_eq!(close_keys("$brwser", &known), vec!["$browser"]);
        assert_eq!(close_keys("$Browser", &known), vec!["$browser"]);
        assert!(close_keys("zzzzzz", &known).is_empty());
    }
}
