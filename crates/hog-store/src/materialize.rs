//! Materialised property columns (`spec/hogql-to-clickhouse.md` §5.2, `clickhouse-schema.md`):
//! a property read often (`properties.$browser`) gets its own `Nullable(String)` column on
//! `events` (or, for `person.properties` read through the persons join, on `person`), computed from the JSON text exactly as HogQL's generic property access computes it,
//! so a query can read the column instead of parsing every event's properties.
//!
//! The column's comment records the property name: column names replace characters (`$browser
//! and string` → `mat_$browser_and_string`), so the name alone cannot say which key it holds.
//! [`materialized_properties`] lists them with one `system.columns` query.

use crate::error::{Result, StoreError};
use crate::params::{Param, Params};
use crate::result::Value;
use crate::store::EventStore;

/// Which JSON column a materialised column is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertySource {
    /// `events.properties` → `mat_<key>`.
    Event,
    /// `events.person_properties` (persons on events) → `mat_pp_<key>`.
    PersonOnEvent,
    /// `person.properties` (read through the persons join) → `pmat_<key>` on `person`.
    Person,
}

impl PropertySource {
    fn prefix(self) -> &'static str {
        match self {
            PropertySource::Event => "mat_",
            PropertySource::PersonOnEvent => "mat_pp_",
            PropertySource::Person => "pmat_",
        }
    }

    /// The table that holds the JSON column and gets the materialised one.
    pub fn table(self) -> &'static str {
        match self {
            PropertySource::Event | PropertySource::PersonOnEvent => "events",
            PropertySource::Person => "person",
        }
    }

    fn json_column(self) -> &'static str {
        match self {
            PropertySource::Event | PropertySource::Person => "properties",
            PropertySource::PersonOnEvent => "person_properties",
        }
    }

    /// PostHog's column name for `key`: the prefix, then the key with every character other
    /// than ASCII letters, digits and `$` replaced by `_`.
    pub fn column_name(self, key: &str) -> String {
        let mut name = String::from(self.prefix());
        name.extend(key.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '$' {
                c
            } else {
                '_'
            }
        }));
        name
    }
}

/// One materialised property column (of `events`, or of `person` for [`PropertySource::Person`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterializedColumn {
    pub source: PropertySource,
    /// The property name.
    pub key: String,
    /// The column on [`PropertySource::table`].
    pub column: String,
    /// `Nullable(String)` (what [`materialize_property`] creates) or legacy `String`.
    pub nullable: bool,
}

/// The comment of a materialised column: `hog-property:<source>:<key>`.
const COMMENT_PREFIX: &str = "hog-property:";

fn comment(source: PropertySource, key: &str) -> String {
    let tag = match source {
        PropertySource::Event => "properties",
        PropertySource::PersonOnEvent => "person_properties",
        PropertySource::Person => "person",
    };
    format!("{COMMENT_PREFIX}{tag}:{key}")
}

fn parse_comment(text: &str) -> Option<(PropertySource, &str)> {
    let rest = text.strip_prefix(COMMENT_PREFIX)?;
    if let Some(key) = rest.strip_prefix("person_properties:") {
        Some((PropertySource::PersonOnEvent, key))
    } else if let Some(key) = rest.strip_prefix("person:") {
        Some((PropertySource::Person, key))
    } else {
        rest.strip_prefix("properties:")
            .map(|key| (PropertySource::Event, key))
    }
}

/// Adds the column of `key` to the source's table (if missing) and computes it for the rows already
/// stored; rows inserted later compute it on insert. Returns the column, and whether it was new.
///
/// The value is HogQL's generic form: `replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(properties,
/// key), ''), 'null'), '^"|"$', '')`: NULL for a missing key or JSON `null`, the raw JSON text
/// otherwise, without the surrounding quotes of strings (escapes are not decoded).
pub fn materialize_property(
    store: &dyn EventStore,
    source: PropertySource,
    key: &str,
) -> Result<(MaterializedColumn, bool)> {
    if key.is_empty() {
        return Err(StoreError::Invalid(
            "a property name to materialise cannot be empty".into(),
        ));
    }
    let column = source.column_name(key);
    let existing = materialized_properties(store)?;
    if let Some(found) = existing
        .iter()
        .find(|m| m.column == column && m.source.table() == source.table())
    {
        if found.key == key && found.source == source {
            return Ok((found.clone(), false));
        }
        return Err(StoreError::Invalid(format!(
            "cannot materialise {key:?}: its column {column} already holds property {:?}",
            found.key
        )));
    }
    let mut params = Params::new();
    params.insert("key".into(), Param::from(key));
    params.insert("comment".into(), Param::from(comment(source, key)));
    // The name holds only [A-Za-z0-9_$] (see `column_name`): back quotes are enough.
    let add = format!(
        "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS `{column}` Nullable(String) \
         MATERIALIZED replaceRegexpAll(nullIf(nullIf(JSONExtractRaw({json}, %(key)s), ''), 'null'), '^\"|\"$', '') \
         COMMENT %(comment)s",
        table = source.table(),
        json = source.json_column()
    );
    store.execute(&add, &params)?;
    // A mutation; `mutations_sync = 1` returns once the existing parts are rewritten.
    store.execute(
        &format!(
            "ALTER TABLE {} MATERIALIZE COLUMN `{column}` SETTINGS mutations_sync = 1",
            source.table()
        ),
        &Params::new(),
    )?;
    Ok((
        MaterializedColumn {
            source,
            key: key.to_string(),
            column,
            nullable: true,
        },
        true,
    ))
}

/// The materialised property columns of `events` and then of `person`, in column order.
pub fn materialized_properties(store: &dyn EventStore) -> Result<Vec<MaterializedColumn>> {
    let result = store.query_plain(
        "SELECT name, type, comment, table FROM system.columns \
         WHERE database = currentDatabase() AND table IN ('events', 'person') \
         AND startsWith(comment, %(prefix)s) ORDER BY table, position",
        &Params::from([("prefix".to_string(), Param::from(COMMENT_PREFIX))]),
    )?;
    let mut columns = Vec::with_capacity(result.rows.len());
    for row in &result.rows {
        let (Some(Value::String(name)), Some(Value::String(ty)), Some(Value::String(text))) =
            (row.first(), row.get(1), row.get(2))
        else {
            return Err(StoreError::Invalid(format!(
                "unexpected system.columns row {row:?}"
            )));
        };
        let Some((source, key)) = parse_comment(text) else {
            continue;
        };
        // A comment that names another table's source was not written by us: skip it.
        if !matches!(row.get(3), Some(Value::String(t)) if t == source.table()) {
            continue;
        }
        columns.push(MaterializedColumn {
            source,
            key: key.to_string(),
            column: name.clone(),
            nullable: ty.starts_with("Nullable("),
        });
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_follow_posthog() {
        let name = |k: &str| PropertySource::Event.column_name(k);
        assert_eq!(name("$browser"), "mat_$browser");
        assert_eq!(name("$browser%%%#@!@"), "mat_$browser_______");
        assert_eq!(name("$browser and string"), "mat_$browser_and_string");
        assert_eq!(PropertySource::PersonOnEvent.column_name("é"), "mat_pp__");
        assert_eq!(PropertySource::Person.column_name("$email"), "pmat_$email");
    }

    #[test]
    fn comments_round_trip() {
        for (source, key) in [
            (PropertySource::Event, "$browser"),
            (PropertySource::PersonOnEvent, "a:b'c\\"),
            (PropertySource::Event, "person_properties:x"),
            (PropertySource::Person, "email"),
            (PropertySource::Event, "person:x"),
        ] {
            assert_eq!(parse_comment(&comment(source, key)), Some((source, key)));
        }
        assert_eq!(parse_comment("something else"), None);
    }
}
