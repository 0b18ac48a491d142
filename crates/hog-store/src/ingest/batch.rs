//! Arrow batches in the exact column layout of each table, for the engine's bulk ingest (which
//! inserts every non-`MATERIALIZED` column, by position). UUID columns carry the `arrow.uuid`
//! extension type, without which ClickHouse reads 16 bytes as a `FixedString` and fails to cast.

use super::groups::GroupRow;
use super::persons::{DistinctIdRow, EventPerson, PersonRow};
use crate::error::{Result, StoreError};
use arrow_array::builder::{
    FixedSizeBinaryBuilder, Int8Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
    UInt8Builder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::collections::HashMap;
use std::sync::Arc;

fn uuid_field(name: &str) -> Field {
    Field::new(name, DataType::FixedSizeBinary(16), false).with_metadata(HashMap::from([(
        "ARROW:extension:name".to_string(),
        "arrow.uuid".to_string(),
    )]))
}

fn time_field(name: &str) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        false,
    )
}

fn text_field(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}

fn time_builder(capacity: usize) -> TimestampMicrosecondBuilder {
    TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone("UTC")
}

fn batch(fields: Vec<Field>, columns: Vec<ArrayRef>) -> Result<RecordBatch> {
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| StoreError::Invalid(format!("internal: building an Arrow batch: {e}")))
}

fn append_uuid(builder: &mut FixedSizeBinaryBuilder, id: &uuid::Uuid) -> Result<()> {
    builder
        .append_value(id.as_bytes())
        .map_err(|e| StoreError::Invalid(format!("internal: UUID column: {e}")))
}

/// Group columns of one event row: properties JSON and creation time per group index.
#[derive(Debug, Clone, Default)]
pub struct EventGroups {
    pub properties: [Option<Arc<str>>; 5],
    pub created_at: [i64; 5],
}

/// Accumulates `events` rows.
pub struct EventBatchBuilder {
    len: usize,
    uuid: FixedSizeBinaryBuilder,
    event: StringBuilder,
    properties: StringBuilder,
    timestamp: TimestampMicrosecondBuilder,
    team_id: Int64Builder,
    distinct_id: StringBuilder,
    elements_chain: StringBuilder,
    created_at: TimestampMicrosecondBuilder,
    person_id: FixedSizeBinaryBuilder,
    person_created_at: TimestampMicrosecondBuilder,
    person_properties: StringBuilder,
    group_properties: [StringBuilder; 5],
    group_created_at: [TimestampMicrosecondBuilder; 5],
    person_mode: Int8Builder,
    inserted_timestamp: UInt32Builder,
    offset: UInt64Builder,
    given: [StringBuilder; GIVEN_COLUMNS.len()],
    given_exact: UInt8Builder,
    session_engine: UInt8Builder,
}

/// The columns of `events` that an insert must carry (all but the `MATERIALIZED` ones), in
/// table order: the first columns of [`EventBatchBuilder::finish`]'s batches.
pub const EVENT_COLUMNS: [&str; 24] = [
    "uuid",
    "event",
    "properties",
    "timestamp",
    "team_id",
    "distinct_id",
    "elements_chain",
    "created_at",
    "person_id",
    "person_created_at",
    "person_properties",
    "group0_properties",
    "group1_properties",
    "group2_properties",
    "group3_properties",
    "group4_properties",
    "group0_created_at",
    "group1_created_at",
    "group2_created_at",
    "group3_created_at",
    "group4_created_at",
    "person_mode",
    "_timestamp",
    "_offset",
];

/// The `MATERIALIZED` columns of `events` that are JSON extractions from `properties`, whose
/// values the importer works out itself where it can ([`GivenValues`]), sparing the engine a
/// JSON parse per column and row (see [`super::staging`]).
pub const GIVEN_COLUMNS: [&str; 7] = [
    "$group_0",
    "$group_1",
    "$group_2",
    "$group_3",
    "$group_4",
    "$window_id",
    "$session_id",
];

/// An event's values of [`GIVEN_COLUMNS`], when the importer knows them exactly.
pub type GivenValues<'a> = Option<[&'a str; GIVEN_COLUMNS.len()]>;

/// One event row's values.
pub struct EventRow<'a> {
    pub uuid: uuid::Uuid,
    pub event: &'a str,
    pub properties: &'a str,
    pub timestamp: i64,
    pub team_id: i64,
    pub distinct_id: &'a str,
    pub elements_chain: &'a str,
    pub created_at: i64,
    pub person: &'a EventPerson,
    pub groups: &'a EventGroups,
    pub inserted_secs: u32,
    pub offset: u64,
    /// `None`: the engine computes the materialised columns of this row.
    pub given: GivenValues<'a>,
    /// The engine works out this row's session (see [`super::session_rows::classify`]).
    pub session_engine: bool,
}

impl EventBatchBuilder {
    pub fn new(capacity: usize) -> EventBatchBuilder {
        EventBatchBuilder {
            len: 0,
            uuid: FixedSizeBinaryBuilder::with_capacity(capacity, 16),
            event: StringBuilder::with_capacity(capacity, capacity * 12),
            properties: StringBuilder::with_capacity(capacity, capacity * 256),
            timestamp: time_builder(capacity),
            team_id: Int64Builder::with_capacity(capacity),
            distinct_id: StringBuilder::with_capacity(capacity, capacity * 16),
            elements_chain: StringBuilder::with_capacity(capacity, capacity),
            created_at: time_builder(capacity),
            person_id: FixedSizeBinaryBuilder::with_capacity(capacity, 16),
            person_created_at: time_builder(capacity),
            person_properties: StringBuilder::with_capacity(capacity, capacity * 64),
            group_properties: std::array::from_fn(|_| {
                StringBuilder::with_capacity(capacity, capacity)
            }),
            group_created_at: std::array::from_fn(|_| time_builder(capacity)),
            person_mode: Int8Builder::with_capacity(capacity),
            inserted_timestamp: UInt32Builder::with_capacity(capacity),
            offset: UInt64Builder::with_capacity(capacity),
            given: std::array::from_fn(|_| StringBuilder::with_capacity(capacity, capacity * 8)),
            given_exact: UInt8Builder::with_capacity(capacity),
            session_engine: UInt8Builder::with_capacity(capacity),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, row: &EventRow<'_>) -> Result<()> {
        append_uuid(&mut self.uuid, &row.uuid)?;
        self.event.append_value(row.event);
        self.properties.append_value(row.properties);
        self.timestamp.append_value(row.timestamp);
        self.team_id.append_value(row.team_id);
        self.distinct_id.append_value(row.distinct_id);
        self.elements_chain.append_value(row.elements_chain);
        self.created_at.append_value(row.created_at);
        append_uuid(&mut self.person_id, &row.person.id)?;
        self.person_created_at.append_value(row.person.created_at);
        self.person_properties.append_value(&*row.person.properties);
        for i in 0..5 {
            self.group_properties[i]
                .append_value(row.groups.properties[i].as_deref().unwrap_or(""));
            self.group_created_at[i].append_value(row.groups.created_at[i]);
        }
        // person_mode 'full'
        self.person_mode.append_value(0);
        self.inserted_timestamp.append_value(row.inserted_secs);
        self.offset.append_value(row.offset);
        match &row.given {
            Some(values) => {
                for (builder, value) in self.given.iter_mut().zip(values) {
                    builder.append_value(value);
                }
                self.given_exact.append_value(1);
            }
            None => {
                for builder in &mut self.given {
                    builder.append_value("");
                }
                self.given_exact.append_value(0);
            }
        }
        self.session_engine
            .append_value(u8::from(row.session_engine));
        self.len += 1;
        Ok(())
    }

    /// The accumulated rows as a batch for the staging table: the columns of `events`, then
    /// [`GIVEN_COLUMNS`], `hog_given_exact` and `hog_session_engine`. The builder is empty afterwards.
    pub fn finish(&mut self) -> Result<RecordBatch> {
        self.len = 0;
        let mut fields = vec![
            uuid_field("uuid"),
            text_field("event"),
            text_field("properties"),
            time_field("timestamp"),
            Field::new("team_id", DataType::Int64, false),
            text_field("distinct_id"),
            text_field("elements_chain"),
            time_field("created_at"),
            uuid_field("person_id"),
            time_field("person_created_at"),
            text_field("person_properties"),
        ];
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.uuid.finish()),
            Arc::new(self.event.finish()),
            Arc::new(self.properties.finish()),
            Arc::new(self.timestamp.finish()),
            Arc::new(self.team_id.finish()),
            Arc::new(self.distinct_id.finish()),
            Arc::new(self.elements_chain.finish()),
            Arc::new(self.created_at.finish()),
            Arc::new(self.person_id.finish()),
            Arc::new(self.person_created_at.finish()),
            Arc::new(self.person_properties.finish()),
        ];
        for i in 0..5 {
            fields.push(text_field(&format!("group{i}_properties")));
            columns.push(Arc::new(self.group_properties[i].finish()));
        }
        for i in 0..5 {
            fields.push(time_field(&format!("group{i}_created_at")));
            columns.push(Arc::new(self.group_created_at[i].finish()));
        }
        fields.push(Field::new("person_mode", DataType::Int8, false));
        columns.push(Arc::new(self.person_mode.finish()));
        fields.push(Field::new("_timestamp", DataType::UInt32, false));
        columns.push(Arc::new(self.inserted_timestamp.finish()));
        fields.push(Field::new("_offset", DataType::UInt64, false));
        columns.push(Arc::new(self.offset.finish()));
        for (name, builder) in GIVEN_COLUMNS.iter().zip(&mut self.given) {
            fields.push(text_field(name));
            columns.push(Arc::new(builder.finish()));
        }
        fields.push(Field::new("hog_given_exact", DataType::UInt8, false));
        columns.push(Arc::new(self.given_exact.finish()));
        fields.push(Field::new("hog_session_engine", DataType::UInt8, false));
        columns.push(Arc::new(self.session_engine.finish()));
        batch(fields, columns)
    }
}

/// `person` rows.
pub fn person_batch(team_id: i64, rows: &[PersonRow], now_secs: u32) -> Result<RecordBatch> {
    let n = rows.len();
    let mut id = FixedSizeBinaryBuilder::with_capacity(n, 16);
    let mut created_at = time_builder(n);
    let mut team = Int64Builder::with_capacity(n);
    let mut properties = StringBuilder::with_capacity(n, n * 64);
    let mut identified = Int8Builder::with_capacity(n);
    let mut deleted = Int8Builder::with_capacity(n);
    let mut version = UInt64Builder::with_capacity(n);
    for row in rows {
        append_uuid(&mut id, &row.id)?;
        created_at.append_value(row.created_at);
        team.append_value(team_id);
        properties.append_value(&row.properties);
        identified.append_value(i8::from(row.is_identified));
        deleted.append_value(i8::from(row.is_deleted));
        version.append_value(row.version);
    }
    batch(
        vec![
            uuid_field("id"),
            time_field("created_at"),
            Field::new("team_id", DataType::Int64, false),
            text_field("properties"),
            Field::new("is_identified", DataType::Int8, false),
            Field::new("is_deleted", DataType::Int8, false),
            Field::new("version", DataType::UInt64, false),
            Field::new("_timestamp", DataType::UInt32, false),
            Field::new("_offset", DataType::UInt64, false),
        ],
        vec![
            Arc::new(id.finish()),
            Arc::new(created_at.finish()),
            Arc::new(team.finish()),
            Arc::new(properties.finish()),
            Arc::new(identified.finish()),
            Arc::new(deleted.finish()),
            Arc::new(version.finish()),
            Arc::new(arrow_array::UInt32Array::from(vec![now_secs; n])),
            Arc::new(arrow_array::UInt64Array::from(vec![0u64; n])),
        ],
    )
}

/// `person_distinct_id2` / `person_distinct_id_overrides` rows.
pub fn distinct_id_batch(
    team_id: i64,
    rows: &[DistinctIdRow],
    now_secs: u32,
) -> Result<RecordBatch> {
    let n = rows.len();
    let mut team = Int64Builder::with_capacity(n);
    let mut distinct_id = StringBuilder::with_capacity(n, n * 16);
    let mut person = FixedSizeBinaryBuilder::with_capacity(n, 16);
    let mut version = Int64Builder::with_capacity(n);
    for row in rows {
        team.append_value(team_id);
        distinct_id.append_value(&row.distinct_id);
        append_uuid(&mut person, &row.person_id)?;
        version.append_value(row.version);
    }
    batch(
        vec![
            Field::new("team_id", DataType::Int64, false),
            text_field("distinct_id"),
            uuid_field("person_id"),
            Field::new("is_deleted", DataType::Int8, false),
            Field::new("version", DataType::Int64, false),
            Field::new("_timestamp", DataType::UInt32, false),
            Field::new("_offset", DataType::UInt64, false),
            Field::new("_partition", DataType::UInt64, false),
        ],
        vec![
            Arc::new(team.finish()),
            Arc::new(distinct_id.finish()),
            Arc::new(person.finish()),
            Arc::new(arrow_array::Int8Array::from(vec![0i8; n])),
            Arc::new(version.finish()),
            Arc::new(arrow_array::UInt32Array::from(vec![now_secs; n])),
            Arc::new(arrow_array::UInt64Array::from(vec![0u64; n])),
            Arc::new(arrow_array::UInt64Array::from(vec![0u64; n])),
        ],
    )
}

/// `groups` rows.
pub fn group_batch(team_id: i64, rows: &[GroupRow]) -> Result<RecordBatch> {
    let n = rows.len();
    let mut index = UInt8Builder::with_capacity(n);
    let mut key = StringBuilder::with_capacity(n, n * 16);
    let mut created_at = time_builder(n);
    let mut team = Int64Builder::with_capacity(n);
    let mut properties = StringBuilder::with_capacity(n, n * 64);
    let mut timestamp = UInt32Builder::with_capacity(n);
    for row in rows {
        index.append_value(row.group_type_index);
        key.append_value(&row.group_key);
        created_at.append_value(row.created_at);
        team.append_value(team_id);
        properties.append_value(&row.properties);
        timestamp.append_value(row.timestamp);
    }
    batch(
        vec![
            Field::new("group_type_index", DataType::UInt8, false),
            text_field("group_key"),
            time_field("created_at"),
            Field::new("team_id", DataType::Int64, false),
            text_field("group_properties"),
            Field::new("_timestamp", DataType::UInt32, false),
            Field::new("_offset", DataType::UInt64, false),
        ],
        vec![
            Arc::new(index.finish()),
            Arc::new(key.finish()),
            Arc::new(created_at.finish()),
            Arc::new(team.finish()),
            Arc::new(properties.finish()),
            Arc::new(timestamp.finish()),
            Arc::new(arrow_array::UInt64Array::from(vec![0u64; n])),
        ],
    )
}

/// `hog_group_type_mapping` rows.
pub fn group_type_batch(team_id: i64, rows: &[(String, u8)]) -> Result<RecordBatch> {
    let n = rows.len();
    let mut name = StringBuilder::with_capacity(n, n * 12);
    let mut index = UInt8Builder::with_capacity(n);
    for (group_type, i) in rows {
        name.append_value(group_type);
        index.append_value(*i);
    }
    batch(
        vec![
            Field::new("team_id", DataType::Int64, false),
            text_field("group_type"),
            Field::new("group_type_index", DataType::UInt8, false),
        ],
        vec![
            Arc::new(arrow_array::Int64Array::from(vec![team_id; n])),
            Arc::new(name.finish()),
            Arc::new(index.finish()),
        ],
    )
}
