//! Events reach `events` through a per-import staging table, so that the importer can hand
//! ClickHouse the values of the JSON-extraction `MATERIALIZED` columns (`$group_0..4`,
//! `$window_id`, `$session_id`) it already knows: computed by the engine, they are seven JSON
//! parses per row, about a third of the engine's insert cost.
//!
//! Batches are bulk-inserted into an in-memory staging table, and moved together (several
//! batches at a time, see [`super::ImportOptions::events_per_move`]) with
//! `INSERT INTO events (...) SELECT ... SETTINGS insert_allow_materialized_columns = 1`: each move
//! makes one part per partition, so the staging table also lets the Rust side send small batches
//! while the engine writes few, large parts (fewer merges). A row
//! whose values the importer cannot vouch for byte for byte (`hog_given_exact = 0`: a value that
//! is not a plain ASCII string or a small integer) gets the column's own expression, evaluated by
//! the engine only for such rows, so the stored values are exactly what the table's definition
//! gives. The staging table is dropped when the import ends.
//!
//! Sessions (`raw_sessions`) take the same route: the importer's per-batch session rows go
//! through a second staging table ([`EventStaging::insert_sessions`]), and staged events whose
//! session the importer could not work out exactly (`hog_session_engine = 1`) get their rows
//! from the engine's per-event `SELECT` over the staging table ([`crate::sessions`]).

use super::batch::{EVENT_COLUMNS, GIVEN_COLUMNS};
use super::raw::{Entry, RawObject};
use crate::error::Result;
use crate::params::Params;
use crate::store::EventStore;
use arrow_array::{RecordBatch, TimestampMicrosecondArray};
use chrono::Datelike;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The table definition's expression of a JSON-extraction column (`spec/clickhouse-schema.md`).
pub fn materialized_expression(column: &str) -> String {
    format!("replaceRegexpAll(JSONExtractRaw(properties, '{column}'), '^\"|\"$', '')")
}

/// The value `materialized_expression(column)` gives for `properties`, when it is certain:
/// an absent member gives `""`, a string of printable ASCII without `"`, `\` or `/` gives its
/// text, a non-negative integer its digits. Anything else (escapes, other characters the engine
/// may write differently, floats, objects, ...) is left to the engine.
pub fn known_value<'p>(properties: &'p RawObject<'_>, column: &str) -> Option<&'p str> {
    let text = match properties.get(column) {
        None => return Some(""),
        Some(Entry::Raw(raw)) => raw.get(),
        Some(Entry::Set(Value::String(s))) => {
            return s.bytes().all(plain_byte).then_some(s.as_str());
        }
        Some(Entry::Set(_)) => return None,
    };
    let bytes = text.as_bytes();
    match bytes.first()? {
        b'"' => {
            let inner = text.get(1..text.len() - 1)?;
            (text.len() >= 2 && inner.bytes().all(plain_byte)).then_some(inner)
        }
        b'0'..=b'9' => (bytes.len() <= 19 && bytes.iter().all(u8::is_ascii_digit)).then_some(text),
        _ => None,
    }
}

/// Printable ASCII that JSON and ClickHouse's JSON writer both leave as it is.
fn plain_byte(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' && b != b'/'
}

/// Quotes a column name for ClickHouse SQL.
fn quoted(name: &str) -> String {
    format!("`{name}`")
}

/// How many event staging tables an import has: one fills while the other is moved.
pub const STAGES: usize = 2;

/// One event staging table.
struct Stage {
    table: String,
    move_sql: String,
    /// Sessions of the staged events the importer left to the engine.
    engine_sessions_sql: String,
    /// Whether a staged row has `hog_session_engine = 1`.
    engine_sessions_staged: AtomicBool,
    /// The months (`toYYYYMM(timestamp)`) of the staged rows.
    months: Mutex<BTreeSet<u32>>,
}

/// The staging tables of one import (see the module docs); dropped with this value.
/// [`STAGES`] tables for events, so that the events of one can be moved into `events` while
/// the next batches are staged in another, and one for sessions.
pub struct EventStaging<'s> {
    store: &'s dyn EventStore,
    stages: [Stage; STAGES],
    /// The importer's per-batch session rows ([`super::session_rows`]).
    sessions_table: String,
    sessions_sql: String,
}

impl<'s> EventStaging<'s> {
    /// Creates the staging tables, named after this process and the time so that concurrent
    /// imports into one server do not meet.
    pub fn create(store: &'s dyn EventStore) -> Result<EventStaging<'s>> {
        if store.is_exclusive() {
            remove_leftovers(store)?;
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("hog_ingest_{}_{nanos}", std::process::id());
        let mut stages = Vec::with_capacity(STAGES);
        for n in 0..STAGES {
            let table = if n == 0 {
                name.clone()
            } else {
                format!("{name}_{n}")
            };
            stages.push(Stage::create(store, table)?);
        }
        let sessions_table = format!("{name}_sessions");
        store.execute(
            &format!(
                "CREATE TABLE {sessions_table} ({}) ENGINE = Memory",
                crate::sessions::STAGING_COLUMNS
            ),
            &Params::new(),
        )?;
        Ok(EventStaging {
            store,
            stages: stages
                .try_into()
                .unwrap_or_else(|_| unreachable!("STAGES stages were made")),
            sessions_sql: crate::sessions::insert_aggregated(&sessions_table),
            sessions_table,
        })
    }

    /// Adds a batch of [`super::batch::EventBatchBuilder`] to the staging table; it reaches
    /// `events` at the next [`EventStaging::move_staged`].
    pub fn stage(&self, slot: usize, batch: RecordBatch) -> Result<u64> {
        let stage = &self.stages[slot];
        let engine_sessions = batch
            .column_by_name("hog_session_engine")
            .and_then(|c| c.as_any().downcast_ref::<arrow_array::UInt8Array>())
            .is_some_and(|flags| flags.values().iter().any(|&f| f != 0));
        let months = batch_months(&batch);
        let rows = self.store.insert(&stage.table, batch)?;
        if engine_sessions {
            stage.engine_sessions_staged.store(true, Ordering::Relaxed);
        }
        stage
            .months
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(months);
        Ok(rows)
    }

    /// Moves the staged events into `events` (one part per partition for all of them) and
    /// empties the staging table. Rows whose session the importer left to the engine
    /// (`hog_session_engine = 1`) also get their `raw_sessions` rows here.
    ///
    /// The rows go month by month (the table's partitions): the engine then sorts and writes
    /// one partition's rows at a time instead of splitting one block of all of them, which
    /// took about three times the staged rows' memory (measured: 830 MB tracked by the engine
    /// for 262,144 demo events over four months). The last statement takes every row not
    /// moved yet, so a row whose month the importer worked out differently still goes exactly
    /// once.
    pub fn move_staged(&self, slot: usize) -> Result<()> {
        let stage = &self.stages[slot];
        let none = Params::new();
        let months = std::mem::take(&mut *stage.months.lock().unwrap_or_else(|p| p.into_inner()));
        let mut months: Vec<u32> = months.into_iter().collect();
        if months.is_empty() {
            // Unknown: one statement for all rows.
            months.push(0);
        }
        // `optimize_on_insert = 0`: the engine would otherwise fold rows with equal sorting
        // keys within each insert (the replacing merge run on the new part), a pass that cost
        // about 0.6 µs per event (4.0-4.2 vs 4.7-4.8 µs/event in the engine); duplicates (an
        // event imported twice) are folded by merges either way, as those of separate inserts
        // always were.
        let settings = "SETTINGS insert_allow_materialized_columns = 1, optimize_on_insert = 0";
        for (i, month) in months.iter().enumerate() {
            let sql = if i + 1 < months.len() {
                format!(
                    "{} WHERE toYYYYMM(timestamp) = {month} {settings}",
                    stage.move_sql
                )
            } else if i == 0 {
                format!("{} {settings}", stage.move_sql)
            } else {
                let moved: Vec<String> = months[..i].iter().map(u32::to_string).collect();
                format!(
                    "{} WHERE toYYYYMM(timestamp) NOT IN ({}) {settings}",
                    stage.move_sql,
                    moved.join(", ")
                )
            };
            self.store.execute(&sql, &none)?;
        }
        if stage.engine_sessions_staged.swap(false, Ordering::Relaxed) {
            self.store.execute(&stage.engine_sessions_sql, &none)?;
        }
        self.store
            .execute(&format!("TRUNCATE TABLE {}", stage.table), &none)
    }

    /// Inserts a batch of [`super::session_rows::SessionRows`] into `raw_sessions`.
    pub fn insert_sessions(&self, batch: RecordBatch) -> Result<u64> {
        let rows = self.store.insert(&self.sessions_table, batch)?;
        let none = Params::new();
        self.store.execute(&self.sessions_sql, &none)?;
        self.store
            .execute(&format!("TRUNCATE TABLE {}", self.sessions_table), &none)?;
        Ok(rows)
    }
}

impl Stage {
    /// Creates the staging table `table` (the columns of `events`, the [`GIVEN_COLUMNS`] and
    /// the importer's two flags).
    fn create(store: &dyn EventStore, table: String) -> Result<Stage> {
        let columns: Vec<String> = EVENT_COLUMNS.iter().map(|c| quoted(c)).collect();
        let given: Vec<String> = GIVEN_COLUMNS.iter().map(|c| quoted(c)).collect();
        store.execute(
            &format!(
                "CREATE TABLE {table} ENGINE = Memory AS SELECT {}, {}, toUInt8(0) AS hog_given_exact, \
                 toUInt8(0) AS hog_session_engine FROM events WHERE 0",
                columns.join(", "),
                given.join(", ")
            ),
            &Params::new(),
        )?;
        let computed: Vec<String> = GIVEN_COLUMNS
            .iter()
            .map(|c| {
                format!(
                    "if(hog_given_exact = 1, {}, {})",
                    quoted(c),
                    materialized_expression(c)
                )
            })
            .collect();
        let move_sql = format!(
            "INSERT INTO events ({}, {}) SELECT {}, {} FROM {table}",
            columns.join(", "),
            given.join(", "),
            columns.join(", "),
            computed.join(", ")
        );
        let session_id = format!(
            "if(events.hog_given_exact = 1, events.`$session_id`, {})",
            materialized_expression("$session_id")
        );
        Ok(Stage {
            engine_sessions_sql: format!(
                "INSERT INTO raw_sessions {}",
                crate::sessions::select_per_event(
                    &table,
                    &session_id,
                    "events.hog_session_engine = 1"
                )
            ),
            table,
            move_sql,
            engine_sessions_staged: AtomicBool::new(false),
            months: Mutex::new(BTreeSet::new()),
        })
    }
}

/// The months (`YYYYMM`, UTC) of a staged batch's `timestamp` column.
fn batch_months(batch: &RecordBatch) -> BTreeSet<u32> {
    let Some(times) = batch
        .column_by_name("timestamp")
        .and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>())
    else {
        return BTreeSet::new();
    };
    let mut months = BTreeSet::new();
    let mut last = None;
    for &micros in times.values() {
        // Rows of one person and day mostly follow each other: skip the repeats cheaply.
        let day = micros.div_euclid(86_400_000_000);
        if last == Some(day) {
            continue;
        }
        last = Some(day);
        if let Some(time) = chrono::DateTime::from_timestamp_micros(micros) {
            months.insert(u32::try_from(time.year()).unwrap_or(0) * 100 + time.month());
        }
    }
    months
}

/// Drops staging tables that a killed import of another process left behind (only for a store
/// no other live process writes: see [`EventStore::is_exclusive`]).
fn remove_leftovers(store: &dyn EventStore) -> Result<()> {
    let none = Params::new();
    let found = store.query(
        "SELECT name FROM system.tables WHERE database = currentDatabase() \
         AND startsWith(name, 'hog_ingest_')",
        &none,
    )?;
    for row in found.rows {
        // Imports running in this process (other threads) keep theirs.
        let Some(crate::Value::String(name)) = row.first() else {
            continue;
        };
        let Some((pid, time)) = name.strip_prefix("hog_ingest_").and_then(|rest| {
            // `<pid>_<time>`, then `_sessions` or a stage number for the other tables.
            let mut fields = rest.split('_');
            Some((fields.next()?, fields.next()?))
        }) else {
            continue;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if digits(pid) && digits(time) && pid != std::process::id().to_string() {
            store.execute(&format!("DROP TABLE IF EXISTS {name}"), &none)?;
        }
    }
    Ok(())
}

impl Drop for EventStaging<'_> {
    fn drop(&mut self) {
        let tables = self.stages.iter().map(|stage| &stage.table);
        for table in tables.chain([&self.sessions_table]) {
            let _ = self
                .store
                .execute(&format!("DROP TABLE IF EXISTS {table}"), &Params::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expressions_are_the_table_definitions() {
        let events = crate::schema::TABLES_V1[0];
        for column in GIVEN_COLUMNS {
            let definition = format!(
                "`{column}` String MATERIALIZED {}",
                materialized_expression(column)
            );
            assert!(events.contains(&definition), "{definition}");
        }
    }

    #[test]
    fn only_certain_values_are_known() {
        let text = r#"{"$session_id":"0190-ab","$window_id":12,"$group_0":"a/b","$group_1":"caf\u00e9","$group_2":"","$group_3":1.5,"$group_4":"x\"y"}"#;
        let props = RawObject::parse(text).unwrap();
        assert_eq!(known_value(&props, "$session_id"), Some("0190-ab"));
        assert_eq!(known_value(&props, "$window_id"), Some("12"));
        assert_eq!(known_value(&props, "$group_0"), None);
        assert_eq!(known_value(&props, "$group_1"), None);
        assert_eq!(known_value(&props, "$group_2"), Some(""));
        assert_eq!(known_value(&props, "$group_3"), None);
        assert_eq!(known_value(&props, "$group_4"), None);
        assert_eq!(known_value(&props, "$missing"), Some(""));
        let mut props = RawObject::parse("{}").unwrap();
        props.insert("$group_0".into(), Value::from("acme"));
        assert_eq!(known_value(&props, "$group_0"), Some("acme"));
    }
}
