//! Importing events in PostHog's capture format (one JSON object per line) into a store:
//! lines are checked ([`capture`]), run through person and group processing ([`persons`],
//! [`groups`]), collected into Arrow batches ([`batch`]) and bulk-inserted, with the person,
//! distinct-id and group rows that changed, every `batch_size` events.
//!
//! Bad lines are reported to the [`ImportObserver`] with their line number and reason and counted;
//! with `strict` the import stops at the first one (rows already flushed stay). Memory holds one
//! batch of events plus the team's persons and groups, whatever the size of the input.

pub mod batch;
pub mod capture;
pub mod groups;
pub mod persons;
pub mod raw;
pub mod session_rows;
pub mod staging;

use crate::error::StoreError;
use crate::params::{Param, Params};
use crate::result::Value as Cell;
use crate::store::EventStore;
use arrow_array::RecordBatch;
use batch::{EventBatchBuilder, EventGroups, EventRow};
use capture::{CapturedEvent, LineError};
use groups::GroupModel;
use persons::PersonModel;
use serde_json::Value;
use session_rows::{SessionOf, SessionRows};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::BufRead;
use std::time::Instant;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The team (project) the events belong to.
    pub team_id: i64,
    /// Stop at the first bad line.
    pub strict: bool,
    /// Events per insert.
    pub batch_size: usize,
    /// Sessions folded across batches before they are written to `raw_sessions` (about 300
    /// bytes each): every row written there costs the engine about 5 µs to insert and merge,
    /// and sessions usually span batches, so holding them makes fewer rows and parts.
    pub sessions_held: usize,
    /// Events collected in the engine's staging table before they are moved into `events`
    /// ([`staging`]). Each move writes one part per month the events span, and merging small
    /// parts was the largest cost of an import (measured, 500k demo events over four months:
    /// 65,536-event parts 13.7–15.2 µs CPU/event in all, 262,144-event parts 10.1–10.7 µs),
    /// while the staging table holds the rows once, in the engine's own format.
    pub events_per_move: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            team_id: 1,
            strict: false,
            batch_size: 65_536,
            sessions_held: 100_000,
            events_per_move: 262_144,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    /// Non-blank lines read.
    pub lines: u64,
    pub events: u64,
    pub bad_lines: u64,
    /// Rows written to `person` (new persons, new versions, deletions after merges).
    pub person_rows: u64,
    pub distinct_id_rows: u64,
    pub group_rows: u64,
    pub bytes: u64,
    pub seconds: f64,
}

/// Receives bad lines and progress while importing.
pub trait ImportObserver {
    fn bad_line(&mut self, error: &LineError);
    /// Called every few thousand lines and at the end with bytes read and events accepted.
    fn progress(&mut self, _bytes: u64, _events: u64) {}
}

/// Collects bad lines; for tests and library callers.
#[derive(Debug, Default)]
pub struct CollectBadLines(pub Vec<LineError>);

impl ImportObserver for CollectBadLines {
    fn bad_line(&mut self, error: &LineError) {
        self.0.push(error.clone());
    }
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{error} (stopped by --strict; {events} earlier events were written)")]
    Strict { error: LineError, events: u64 },
    #[error("cannot read the input: {0}")]
    Read(std::io::Error),
}

/// One insert for the writer thread: a table and its rows.
type Insert = (&'static str, RecordBatch);

/// Imports JSONL from `input` into `store` (see the module docs).
///
/// Every insert (events, sessions, persons, distinct ids, groups) runs on a second thread while
/// the next batch is read and processed, so parsing and person processing overlap with
/// ClickHouse's inserts; one batch is inserted while the next is built, which keeps memory flat.
pub fn import_jsonl(
    store: &dyn EventStore,
    input: impl BufRead,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    let staging = staging::EventStaging::create(store)?;
    std::thread::scope(|scope| {
        // No buffer: a flush waits for the writer to finish the previous one, so one batch is
        // inserted while the next is built (and none waits in between).
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Insert>>(0);
        let staging = &staging;
        let events_per_move = options.events_per_move.max(1) as u64;
        let writer = scope.spawn(move || write(store, staging, receiver, events_per_move));
        let mut send = |inserts: Vec<Insert>| {
            sender
                .send(inserts)
                .map_err(|_| StoreError::Invalid("the writer stopped".into()))
        };
        let outcome = import_with(store, input, options, observer, &mut send);
        drop(sender);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(StoreError::Invalid("the writer panicked".into())));
        // A failed insert is the root cause of whatever the reading side saw afterwards.
        let mut summary = written.map_err(ImportError::Store).and(outcome)?;
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    })
}

/// Work for the mover thread, done in order.
enum Move {
    /// Move the events of this staging table into `events`.
    Events(usize),
    /// Write these sessions (after the events sent before them).
    Sessions(RecordBatch),
}

/// The writer thread: stages events, inserts the other rows, and hands full staging tables
/// and sessions to a mover thread of its own, so that a move (the engine sorting and writing
/// `events` parts) overlaps with staging the next batches and with reading the input. While
/// the mover moves one table the writer fills the other; a send waits until the mover has
/// finished everything sent before, so a table is filled again only once its move is done.
fn write(
    store: &dyn EventStore,
    staging: &staging::EventStaging<'_>,
    receiver: std::sync::mpsc::Receiver<Vec<Insert>>,
    events_per_move: u64,
) -> Result<(), StoreError> {
    std::thread::scope(|scope| {
        let (to_mover, moves) = std::sync::mpsc::sync_channel::<Move>(0);
        let mover = scope.spawn(move || -> Result<(), StoreError> {
            for work in moves {
                match work {
                    Move::Events(slot) => staging.move_staged(slot)?,
                    Move::Sessions(batch) => {
                        staging.insert_sessions(batch)?;
                    }
                }
            }
            Ok(())
        });
        let hand_over = |work: Move| {
            to_mover
                .send(work)
                .map_err(|_| StoreError::Invalid("the mover stopped".into()))
        };
        let mut slot = 0;
        let mut staged = 0u64;
        // Hands the filling table (if it holds anything) to the mover and fills the next one.
        let move_filled = |slot: &mut usize, staged: &mut u64| {
            if *staged > 0 {
                hand_over(Move::Events(*slot))?;
                *slot = (*slot + 1) % staging::STAGES;
                *staged = 0;
            }
            Ok::<(), StoreError>(())
        };
        let written = (|| {
            for inserts in receiver {
                for (table, batch) in inserts {
                    match table {
                        "events" => {
                            staged += staging.stage(slot, batch)?;
                            if staged >= events_per_move {
                                move_filled(&mut slot, &mut staged)?;
                            }
                        }
                        "raw_sessions" => {
                            // Sessions are written only after their events.
                            move_filled(&mut slot, &mut staged)?;
                            hand_over(Move::Sessions(batch))?;
                        }
                        _ => {
                            store.insert(table, batch)?;
                        }
                    }
                }
            }
            // Whatever was sent is written, also when the reading side stopped early.
            move_filled(&mut slot, &mut staged)
        })();
        drop(to_mover);
        let moved = mover
            .join()
            .unwrap_or_else(|_| Err(StoreError::Invalid("the mover panicked".into())));
        // A failed move is the root cause of a failed hand-over.
        moved.and(written)
    })
}

/// The import proper; every insert goes to `send`.
fn import_with(
    store: &dyn EventStore,
    mut input: impl BufRead,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
    send: &mut dyn FnMut(Vec<Insert>) -> Result<(), StoreError>,
) -> Result<ImportSummary, ImportError> {
    let team_id = options.team_id;
    let mut model = load_model(store, team_id)?;
    let batch_size = options.batch_size.max(1);
    let mut events = EventBatchBuilder::new(batch_size.min(65_536));
    // Sessions of the batch being read, and of the batches already sent (see `sessions_held`).
    let mut batch_sessions = SessionRows::default();
    let mut sessions = SessionRows::default();
    let mut summary = ImportSummary::default();
    let import_micros = capture::now_micros();
    let import_secs = u32::try_from(import_micros / 1_000_000).unwrap_or(u32::MAX);
    let mut raw = Vec::with_capacity(4096);
    let mut properties = String::with_capacity(4096);
    let mut line_no: u64 = 0;
    let mut flushed_events: u64 = 0;

    loop {
        raw.clear();
        let n = input
            .read_until(b'\n', &mut raw)
            .map_err(ImportError::Read)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        summary.bytes += n as u64;
        if line_no.is_multiple_of(16_384) {
            observer.progress(summary.bytes, summary.events);
        }
        let trimmed = raw.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        summary.lines += 1;
        let outcome = std::str::from_utf8(trimmed)
            .map_err(|e| format!("not valid UTF-8 ({e})"))
            .and_then(|text| {
                let mut event = capture::parse_line(text, import_micros)?;
                let groups = attach_groups(&mut event, &mut model.groups)?;
                let person = model.process(&mut event)?;
                Ok((event, groups, person, text))
            });
        let (event, mut event_groups, person, text) = match outcome {
            Ok(parts) => parts,
            Err(reason) => {
                let error = LineError {
                    line: line_no,
                    reason,
                };
                summary.bad_lines += 1;
                observer.bad_line(&error);
                if options.strict {
                    // The sessions of the events already sent go too; this batch's stay out
                    // with its events.
                    if !sessions.is_empty() {
                        send(vec![("raw_sessions", sessions.finish(team_id)?)])?;
                    }
                    return Err(ImportError::Strict {
                        error,
                        events: flushed_events,
                    });
                }
                continue;
            }
        };
        fill_group_columns(&event, &mut model.groups, &mut event_groups);
        let mut given = [""; batch::GIVEN_COLUMNS.len()];
        let mut exact = true;
        let mut session_id = None;
        for (value, column) in given.iter_mut().zip(batch::GIVEN_COLUMNS) {
            let known = staging::known_value(&event.properties, column);
            if column == "$session_id" {
                session_id = known;
            }
            match known {
                Some(known) => *value = known,
                None => exact = false,
            }
        }
        let session = session_rows::classify(session_id, &event.properties);
        if let SessionOf::Known(known) = &session {
            batch_sessions.add(known, &event.distinct_id, event.timestamp, &event.event);
        }
        let uuid = event
            .uuid
            .unwrap_or_else(|| derived_uuid(team_id, line_no, text, event.timestamp));
        let elements_chain = event.properties.str_value("$elements_chain");
        properties.clear();
        event.properties.write_json(&mut properties);
        events.push(&EventRow {
            uuid,
            event: &event.event,
            properties: &properties,
            timestamp: event.timestamp,
            team_id,
            distinct_id: &event.distinct_id,
            elements_chain: elements_chain.as_deref().unwrap_or(""),
            created_at: import_micros,
            person: &person,
            groups: &event_groups,
            inserted_secs: import_secs,
            offset: line_no,
            given: exact.then_some(given),
            session_engine: session == SessionOf::Engine,
        })?;
        summary.events += 1;
        if events.len() >= batch_size {
            sessions.absorb(&mut batch_sessions);
            flush(
                send,
                team_id,
                &mut events,
                (sessions.len() >= options.sessions_held).then_some(&mut sessions),
                &mut model,
                import_secs,
                &mut summary,
            )?;
            flushed_events = summary.events;
        }
    }
    sessions.absorb(&mut batch_sessions);
    flush(
        send,
        team_id,
        &mut events,
        Some(&mut sessions),
        &mut model,
        import_secs,
        &mut summary,
    )?;
    observer.progress(summary.bytes, summary.events);
    Ok(summary)
}

/// Sends the pending events, the sessions when given and every person, distinct id and group row that
/// changed, as one message (the writer takes it when it is done with the previous one, and the
/// next batch is read meanwhile). The row counts in `summary` are of rows handed to the writer
/// (the import fails if one fails).
fn flush(
    send: &mut dyn FnMut(Vec<Insert>) -> Result<(), StoreError>,
    team_id: i64,
    events: &mut EventBatchBuilder,
    sessions: Option<&mut SessionRows>,
    model: &mut PersonModel,
    now_secs: u32,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let mut inserts: Vec<Insert> = Vec::new();
    if !events.is_empty() {
        inserts.push(("events", events.finish()?));
    }
    if let Some(sessions) = sessions.filter(|s| !s.is_empty()) {
        inserts.push(("raw_sessions", sessions.finish(team_id)?));
    }
    let writes = model.take_writes();
    let (group_rows, group_types) = model.groups.take_writes(now_secs);
    if !group_types.is_empty() {
        inserts.push((
            "hog_group_type_mapping",
            batch::group_type_batch(team_id, &group_types)?,
        ));
    }
    if !writes.persons.is_empty() {
        summary.person_rows += writes.persons.len() as u64;
        inserts.push((
            "person",
            batch::person_batch(team_id, &writes.persons, now_secs)?,
        ));
    }
    if !writes.distinct_ids.is_empty() {
        summary.distinct_id_rows += writes.distinct_ids.len() as u64;
        inserts.push((
            "person_distinct_id2",
            batch::distinct_id_batch(team_id, &writes.distinct_ids, now_secs)?,
        ));
    }
    if !writes.overrides.is_empty() {
        inserts.push((
            "person_distinct_id_overrides",
            batch::distinct_id_batch(team_id, &writes.overrides, now_secs)?,
        ));
    }
    if !group_rows.is_empty() {
        summary.group_rows += group_rows.len() as u64;
        inserts.push(("groups", batch::group_batch(team_id, &group_rows)?));
    }
    if inserts.is_empty() {
        return Ok(());
    }
    send(inserts)
}

/// Resolves `$groups: {type: key}` to indexes and records each as a `$group_N` property, as
/// PostHog's ingestion does. Returns the group columns to fill once the groups are known.
fn attach_groups(
    event: &mut CapturedEvent<'_>,
    groups: &mut GroupModel,
) -> Result<EventGroups, String> {
    let mut pairs = Vec::new();
    match event.properties.value("$groups") {
        Some(Value::Object(map)) => {
            for (group_type, key) in map {
                let key = match key {
                    Value::String(s) if !s.is_empty() => s,
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                pairs.push((groups.index_for(&group_type)?, key));
            }
        }
        Some(Value::Null) | None => {}
        Some(_) => return Err("`$groups` must be an object".into()),
    }
    if event.event == "$groupidentify"
        && let Some(group_type) = event.properties.str_value("$group_type")
    {
        groups.index_for(&group_type)?;
    }
    for (index, key) in pairs {
        event
            .properties
            .insert(format!("$group_{index}"), Value::String(key));
    }
    Ok(EventGroups::default())
}

/// Copies each referenced group's properties and creation time into the event's columns.
fn fill_group_columns(
    event: &CapturedEvent<'_>,
    groups: &mut GroupModel,
    columns: &mut EventGroups,
) {
    const KEYS: [&str; 5] = ["$group_0", "$group_1", "$group_2", "$group_3", "$group_4"];
    for (index, name) in (0u8..).zip(KEYS) {
        let Some(key) = event.properties.str_value(name) else {
            continue;
        };
        if let Some(group) = groups.get_mut(index, &key) {
            columns.properties[usize::from(index)] = Some(group.properties_json());
            columns.created_at[usize::from(index)] = group.created_at;
        }
    }
}

/// A UUIDv7 for an event that came without one: its time part from the event's timestamp, the
/// rest from a hash of team, line number and line, so importing a file again yields the same
/// UUIDs (and ClickHouse's ReplacingMergeTree folds the duplicates).
fn derived_uuid(team_id: i64, line_no: u64, text: &str, timestamp: i64) -> uuid::Uuid {
    let mut first = DefaultHasher::new();
    (team_id, line_no, text).hash(&mut first);
    let a = first.finish();
    let mut second = DefaultHasher::new();
    (a, text, line_no).hash(&mut second);
    let b = second.finish();
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&a.to_le_bytes());
    random[8..].copy_from_slice(&b.to_le_bytes()[..2]);
    let millis = u64::try_from(timestamp.div_euclid(1000)).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

/// Reads the team's stored persons, distinct ids, groups and group types.
fn load_model(store: &dyn EventStore, team_id: i64) -> Result<PersonModel, StoreError> {
    let mut params = Params::new();
    params.insert("team".into(), Param::Int(team_id));
    let mut model = PersonModel::new(team_id);

    let types = store.query(
        "SELECT group_type, group_type_index FROM hog_group_type_mapping \
         WHERE team_id = %(team)s GROUP BY group_type, group_type_index",
        &params,
    )?;
    let types: Vec<(String, u8)> = types
        .rows
        .into_iter()
        .filter_map(|row| match (row.first(), row.get(1)) {
            (Some(Cell::String(name)), Some(Cell::UInt(index))) => {
                Some((name.clone(), u8::try_from(*index).ok()?))
            }
            _ => None,
        })
        .collect();
    let stored_groups = store.query(
        "SELECT group_type_index, group_key, argMax(group_properties, _timestamp), \
         argMax(created_at, _timestamp), toUInt32(max(_timestamp)) \
         FROM groups WHERE team_id = %(team)s GROUP BY group_type_index, group_key",
        &params,
    )?;
    let mut groups = Vec::new();
    for row in stored_groups.rows {
        if let [
            Cell::UInt(index),
            Cell::String(key),
            Cell::String(props),
            Cell::DateTime { micros, .. },
            Cell::UInt(ts),
        ] = row.as_slice()
        {
            groups.push((
                u8::try_from(*index).unwrap_or(0),
                key.clone(),
                GroupModel::stored_group(
                    json_object(props),
                    *micros,
                    u32::try_from(*ts).unwrap_or(0),
                ),
            ));
        }
    }
    model.groups = GroupModel::new(types, groups);

    let persons = store.query(
        "SELECT id, argMax(created_at, version), argMax(properties, version), \
         argMax(is_identified, version), max(version) FROM person WHERE team_id = %(team)s \
         GROUP BY id HAVING argMax(is_deleted, version) = 0",
        &params,
    )?;
    for row in persons.rows {
        if let [
            Cell::Uuid(id),
            Cell::DateTime { micros, .. },
            Cell::String(props),
            Cell::Int(identified),
            Cell::UInt(version),
        ] = row.as_slice()
        {
            model.load_person(*id, *micros, json_object(props), *identified != 0, *version);
        }
    }
    let ids = store.query(
        "SELECT distinct_id, argMax(person_id, version), max(version) FROM person_distinct_id2 \
         WHERE team_id = %(team)s GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0",
        &params,
    )?;
    for row in ids.rows {
        if let [
            Cell::String(distinct_id),
            Cell::Uuid(person),
            Cell::Int(version),
        ] = row.as_slice()
        {
            model.load_distinct_id(distinct_id.clone(), *person, *version);
        }
    }
    Ok(model)
}

fn json_object(text: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}
