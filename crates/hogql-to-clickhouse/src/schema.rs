//! The HogQL catalogue: which tables a query may name, their fields, and how each field maps
//! to ClickHouse (spec §2; physical tables in `clickhouse-schema.md`).
//!
//! The catalogue is closed: a name that is not here is "Unknown table", so `system.*`, other
//! databases and table functions other than `numbers` cannot be reached.

use crate::context::{Context, PersonsOnEventsMode};

/// The type of a field, as far as printing decisions need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Int,
    Float,
    Bool,
    DateTime,
    Date,
    Uuid,
    Array,
    /// A String column holding a JSON object: `field.key` is a property access.
    Json,
    Unknown,
}

/// A ClickHouse table the translator reads. Every one of them has a `team_id` column and is
/// guarded by `equals(<ref>.team_id, T)` wherever it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Physical {
    Events,
    Person,
    PersonDistinctId2,
    PersonDistinctIdOverrides,
    Groups,
    CohortPeople,
    PersonStaticCohort,
    /// Sessions v2: one row of aggregate states per session and insert, read only through the
    /// `sessions` lazy table (its columns are states, not values).
    RawSessions,
}

impl Physical {
    /// The ClickHouse table name.
    pub fn clickhouse_name(self) -> &'static str {
        match self {
            Physical::Events => "events",
            Physical::Person => "person",
            Physical::PersonDistinctId2 => "person_distinct_id2",
            Physical::PersonDistinctIdOverrides => "person_distinct_id_overrides",
            Physical::Groups => "groups",
            Physical::CohortPeople => "cohortpeople",
            Physical::PersonStaticCohort => "person_static_cohort",
            Physical::RawSessions => "raw_sessions",
        }
    }

    /// Columns in `SELECT *` order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Physical::Events => EVENTS,
            Physical::Person => PERSON,
            Physical::PersonDistinctId2 | Physical::PersonDistinctIdOverrides => PDI,
            Physical::Groups => GROUPS,
            Physical::CohortPeople => COHORT_PEOPLE,
            Physical::PersonStaticCohort => STATIC_COHORT,
            Physical::RawSessions => RAW_SESSIONS,
        }
    }

    pub fn column(self, name: &str) -> Option<&'static Column> {
        self.columns().iter().find(|c| c.name == name)
    }
}

/// A column: HogQL name, ClickHouse name, type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub clickhouse: &'static str,
    pub ty: FieldType,
    pub nullable: bool,
    /// Part of `SELECT *`.
    pub in_star: bool,
    /// Only on the `raw_` table (`is_deleted`, `version`): the lazy table hides them.
    pub raw_only: bool,
    /// A timestamp the table is sorted by: comparisons against it are never NULL-wrapped.
    pub sort_key_time: bool,
}

const fn col(name: &'static str, clickhouse: &'static str, ty: FieldType) -> Column {
    Column {
        name,
        clickhouse,
        ty,
        nullable: false,
        in_star: true,
        raw_only: false,
        sort_key_time: false,
    }
}

const fn hidden(c: Column) -> Column {
    Column {
        in_star: false,
        ..c
    }
}

const fn raw_only(c: Column) -> Column {
    Column {
        raw_only: true,
        ..c
    }
}

use FieldType as T;

static EVENTS: &[Column] = &[
    col("uuid", "uuid", T::Uuid),
    col("event", "event", T::String),
    col("properties", "properties", T::Json),
    Column {
        sort_key_time: true,
        ..col("timestamp", "timestamp", T::DateTime)
    },
    hidden(col("team_id", "team_id", T::Int)),
    col("distinct_id", "distinct_id", T::String),
    col("elements_chain", "elements_chain", T::String),
    col("created_at", "created_at", T::DateTime),
    col("$session_id", "$session_id", T::String),
    col("$window_id", "$window_id", T::String),
    col("$group_0", "$group_0", T::String),
    col("$group_1", "$group_1", T::String),
    col("$group_2", "$group_2", T::String),
    col("$group_3", "$group_3", T::String),
    col("$group_4", "$group_4", T::String),
    col("elements_chain_href", "elements_chain_href", T::String),
    col("elements_chain_texts", "elements_chain_texts", T::Array),
    col("elements_chain_ids", "elements_chain_ids", T::Array),
    col(
        "elements_chain_elements",
        "elements_chain_elements",
        T::Array,
    ),
    hidden(col("person_mode", "person_mode", T::String)),
];

/// Columns of `events` reachable only through `poe.*` / `goe_N.*` (and the PoE modes).
pub static EVENTS_POE: &[Column] = &[
    col("person_id", "person_id", T::Uuid),
    col("person_created_at", "person_created_at", T::DateTime),
    col("person_properties", "person_properties", T::Json),
];

static PERSON: &[Column] = &[
    col("id", "id", T::Uuid),
    col("created_at", "created_at", T::DateTime),
    hidden(col("team_id", "team_id", T::Int)),
    col("properties", "properties", T::Json),
    col("is_identified", "is_identified", T::Bool),
    raw_only(col("is_deleted", "is_deleted", T::Bool)),
    raw_only(col("version", "version", T::Int)),
];

static PDI: &[Column] = &[
    hidden(col("team_id", "team_id", T::Int)),
    col("distinct_id", "distinct_id", T::String),
    col("person_id", "person_id", T::Uuid),
    raw_only(col("is_deleted", "is_deleted", T::Bool)),
    raw_only(col("version", "version", T::Int)),
];

static GROUPS: &[Column] = &[
    col("index", "group_type_index", T::Int),
    hidden(col("team_id", "team_id", T::Int)),
    col("key", "group_key", T::String),
    col("created_at", "created_at", T::DateTime),
    col("updated_at", "_timestamp", T::DateTime),
    col("properties", "group_properties", T::Json),
];

static COHORT_PEOPLE: &[Column] = &[
    col("person_id", "person_id", T::Uuid),
    col("cohort_id", "cohort_id", T::Int),
    hidden(col("team_id", "team_id", T::Int)),
    col("sign", "sign", T::Int),
    col("version", "version", T::Int),
];

static STATIC_COHORT: &[Column] = &[
    col("person_id", "person_id", T::Uuid),
    col("cohort_id", "cohort_id", T::Int),
    hidden(col("team_id", "team_id", T::Int)),
];

static RAW_SESSIONS: &[Column] = &[
    hidden(col("team_id", "team_id", T::Int)),
    col("session_id_v7", "session_id_v7", T::Int),
];

/// The fields of the `sessions` lazy table (spec §2.5, the v2 subset `raw_sessions` can
/// answer). Each is an aggregate over the session's `raw_sessions` rows, built by
/// `resolve::sessions`; `clickhouse` is the output name in the lazy subquery.
static SESSIONS: &[Column] = &[
    col("session_id", "session_id", T::String),
    hidden(col("session_id_v7", "session_id_v7", T::Int)),
    col("distinct_id", "distinct_id", T::String),
    Column {
        sort_key_time: true,
        ..col("$start_timestamp", "$start_timestamp", T::DateTime)
    },
    Column {
        sort_key_time: true,
        ..col("$end_timestamp", "$end_timestamp", T::DateTime)
    },
    nullable(col("$entry_current_url", "$entry_current_url", T::String)),
    nullable(col("$end_current_url", "$end_current_url", T::String)),
    nullable(col("$entry_pathname", "$entry_pathname", T::String)),
    nullable(col("$end_pathname", "$end_pathname", T::String)),
    nullable(col("$entry_hostname", "$entry_hostname", T::String)),
    nullable(col("$end_hostname", "$end_hostname", T::String)),
    nullable(col(
        "$entry_referring_domain",
        "$entry_referring_domain",
        T::String,
    )),
    nullable(col("$entry_utm_source", "$entry_utm_source", T::String)),
    nullable(col("$entry_utm_campaign", "$entry_utm_campaign", T::String)),
    nullable(col("$entry_utm_medium", "$entry_utm_medium", T::String)),
    col("$urls", "$urls", T::Array),
    col("$num_uniq_urls", "$num_uniq_urls", T::Int),
    col("$pageview_count", "$pageview_count", T::Int),
    col("$autocapture_count", "$autocapture_count", T::Int),
    col("$session_duration", "$session_duration", T::Int),
    // Deprecated name of `$session_duration`.
    hidden(col("duration", "duration", T::Int)),
    nullable(col("$is_bounce", "$is_bounce", T::Bool)),
];

const fn nullable(c: Column) -> Column {
    Column {
        nullable: true,
        ..c
    }
}

/// Tables that are replaced by a de-duplicating subquery of exactly the fields a query uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LazyKind {
    /// `persons` over `person`.
    Persons,
    /// `person_distinct_ids` over `person_distinct_id2`.
    DistinctIds,
    /// `person_distinct_id_overrides`.
    Overrides,
    /// `groups`, optionally of one group type index (the `events.group_N` joins).
    Groups(Option<u8>),
    /// `sessions` over `raw_sessions`, grouped by `session_id_v7`.
    Sessions,
}

impl LazyKind {
    pub fn physical(self) -> Physical {
        match self {
            LazyKind::Persons => Physical::Person,
            LazyKind::DistinctIds => Physical::PersonDistinctId2,
            LazyKind::Overrides => Physical::PersonDistinctIdOverrides,
            LazyKind::Groups(_) => Physical::Groups,
            LazyKind::Sessions => Physical::RawSessions,
        }
    }

    /// The fields a query may read: the physical columns minus the `raw_`-only ones, or the
    /// computed session fields.
    pub fn columns(self) -> impl Iterator<Item = &'static Column> {
        let all: &'static [Column] = match self {
            LazyKind::Sessions => SESSIONS,
            other => other.physical().columns(),
        };
        all.iter().filter(|c| !c.raw_only)
    }

    pub fn column(self, name: &str) -> Option<&'static Column> {
        self.columns().find(|c| c.name == name)
    }

    /// Fields that identify a row of the lazy subquery (its GROUP BY key); always selected.
    pub fn key_fields(self) -> &'static [&'static str] {
        match self {
            LazyKind::Persons => &["id"],
            LazyKind::DistinctIds | LazyKind::Overrides => &["distinct_id"],
            LazyKind::Groups(_) => &["index", "key"],
            LazyKind::Sessions => &["session_id_v7"],
        }
    }
}

/// What a HogQL table name denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// A ClickHouse table read directly (`events`, `raw_persons`, …).
    Raw(Physical),
    Lazy(LazyKind),
    /// The `numbers(n)` table function: no team data, no guard.
    Numbers,
}

/// All table names, for "did you mean" suggestions.
pub const TABLE_NAMES: [&str; 13] = [
    "events",
    "persons",
    "raw_persons",
    "person_distinct_ids",
    "raw_person_distinct_ids",
    "person_distinct_id_overrides",
    "raw_person_distinct_id_overrides",
    "groups",
    "raw_groups",
    "raw_cohort_people",
    "static_cohort_people",
    "sessions",
    "numbers",
];

/// Looks up a table by its HogQL name.
pub fn table(name: &str) -> Option<TableKind> {
    Some(match name {
        "events" => TableKind::Raw(Physical::Events),
        "persons" => TableKind::Lazy(LazyKind::Persons),
        "raw_persons" => TableKind::Raw(Physical::Person),
        "person_distinct_ids" => TableKind::Lazy(LazyKind::DistinctIds),
        "raw_person_distinct_ids" => TableKind::Raw(Physical::PersonDistinctId2),
        "person_distinct_id_overrides" => TableKind::Lazy(LazyKind::Overrides),
        "raw_person_distinct_id_overrides" => TableKind::Raw(Physical::PersonDistinctIdOverrides),
        "groups" => TableKind::Lazy(LazyKind::Groups(None)),
        "raw_groups" => TableKind::Raw(Physical::Groups),
        "raw_cohort_people" => TableKind::Raw(Physical::CohortPeople),
        "static_cohort_people" => TableKind::Raw(Physical::PersonStaticCohort),
        "sessions" => TableKind::Lazy(LazyKind::Sessions),
        "numbers" => TableKind::Numbers,
        _ => return None,
    })
}

/// How the join key on the parent side of a lazy join is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentKey {
    /// A field of the parent table.
    Field(&'static str),
    /// The override-corrected person id of an event (spec §10.4).
    PersonIdOverride,
    /// An event's `$session_id` as the `UInt128` sessions are keyed by (NULL when it is not a
    /// UUID): `toUInt128(accurateCastOrNull(events.$session_id, 'UUID'))`.
    SessionIdV7,
}

/// A join that is added only when one of its fields is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LazyJoin {
    /// The field name on the parent (`pdi`, `person`, `group_0`, …): the join alias is
    /// `<parent alias>__<field>`.
    pub field: &'static str,
    pub target: LazyKind,
    pub join_type: &'static str,
    pub parent_key: ParentKey,
    pub child_key: &'static str,
}

/// Virtual tables of `events`: columns of the same row under another name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Virtual {
    /// `poe.*`: the person columns stored on the event.
    Poe,
    /// `goe_N.*`: the group columns stored on the event.
    Goe(u8),
}

/// What a field name on a table denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldDef {
    Column(&'static Column),
    LazyJoin(LazyJoin),
    Virtual(Virtual),
    /// Resolve this chain instead, from the same table (`person` → `pdi.person`).
    Traverse(&'static [&'static str]),
    /// The override-corrected person id expression.
    PersonIdOverride,
}

const GROUP_FIELDS: [&str; 5] = ["group_0", "group_1", "group_2", "group_3", "group_4"];
const GROUP_KEYS: [&str; 5] = ["$group_0", "$group_1", "$group_2", "$group_3", "$group_4"];
const GROUP_TRAVERSE: [&[&str]; 5] = [
    &["group_0"],
    &["group_1"],
    &["group_2"],
    &["group_3"],
    &["group_4"],
];

fn group_join(index: u8) -> LazyJoin {
    let i = usize::from(index.min(4));
    LazyJoin {
        field: GROUP_FIELDS[i],
        target: LazyKind::Groups(Some(index)),
        join_type: "LEFT JOIN",
        parent_key: ParentKey::Field(GROUP_KEYS[i]),
        child_key: "key",
    }
}

const PERSON_FROM_PDI: LazyJoin = LazyJoin {
    field: "person",
    target: LazyKind::Persons,
    join_type: "LEFT JOIN",
    parent_key: ParentKey::Field("person_id"),
    child_key: "id",
};

/// Looks up `name` on a table. `raw` tells a `raw_*`/direct table from a lazy one.
pub fn field(kind: TableKind, name: &str, ctx: &Context) -> Option<FieldDef> {
    match kind {
        TableKind::Raw(Physical::Events) => events_field(name, ctx),
        TableKind::Raw(p) => {
            if let Some(c) = p.column(name) {
                return Some(FieldDef::Column(c));
            }
            match (p, name) {
                (Physical::PersonDistinctId2 | Physical::PersonDistinctIdOverrides, "person") => {
                    Some(FieldDef::LazyJoin(PERSON_FROM_PDI))
                }
                _ => None,
            }
        }
        TableKind::Lazy(l) => {
            if let Some(c) = l.column(name) {
                return Some(FieldDef::Column(c));
            }
            match (l, name) {
                (LazyKind::DistinctIds | LazyKind::Overrides, "person") => {
                    Some(FieldDef::LazyJoin(PERSON_FROM_PDI))
                }
                _ => None,
            }
        }
        TableKind::Numbers => (name == "number").then_some(FieldDef::Column(&NUMBER)),
    }
}

static NUMBER: Column = col("number", "number", FieldType::Int);

fn events_field(name: &str, ctx: &Context) -> Option<FieldDef> {
    if let Some(c) = Physical::Events.column(name) {
        return Some(FieldDef::Column(c));
    }
    let mode = ctx.persons_on_events;
    Some(match name {
        "pdi" => FieldDef::LazyJoin(LazyJoin {
            field: "pdi",
            target: LazyKind::DistinctIds,
            join_type: "INNER JOIN",
            parent_key: ParentKey::Field("distinct_id"),
            child_key: "distinct_id",
        }),
        "override" => FieldDef::LazyJoin(LazyJoin {
            field: "override",
            target: LazyKind::Overrides,
            join_type: "LEFT OUTER JOIN",
            parent_key: ParentKey::Field("distinct_id"),
            child_key: "distinct_id",
        }),
        "poe" => FieldDef::Virtual(Virtual::Poe),
        "session" => FieldDef::LazyJoin(LazyJoin {
            field: "session",
            target: LazyKind::Sessions,
            join_type: "LEFT JOIN",
            parent_key: ParentKey::SessionIdV7,
            child_key: "session_id_v7",
        }),
        "person_id" => match mode {
            PersonsOnEventsMode::Disabled => FieldDef::Traverse(&["pdi", "person_id"]),
            PersonsOnEventsMode::PersonIdNoOverridePropertiesOnEvents => {
                FieldDef::Column(&EVENTS_POE[0])
            }
            _ => FieldDef::PersonIdOverride,
        },
        "person" => match mode {
            PersonsOnEventsMode::Disabled => FieldDef::Traverse(&["pdi", "person"]),
            PersonsOnEventsMode::PersonIdOverridePropertiesJoined => FieldDef::LazyJoin(LazyJoin {
                field: "person",
                target: LazyKind::Persons,
                join_type: "LEFT JOIN",
                parent_key: ParentKey::PersonIdOverride,
                child_key: "id",
            }),
            _ => FieldDef::Virtual(Virtual::Poe),
        },
        _ => {
            if let Some(i) = GROUP_FIELDS.iter().position(|g| *g == name) {
                return Some(FieldDef::LazyJoin(group_join(i as u8)));
            }
            if let Some(i) = ["goe_0", "goe_1", "goe_2", "goe_3", "goe_4"]
                .iter()
                .position(|g| *g == name)
            {
                return Some(FieldDef::Virtual(Virtual::Goe(i as u8)));
            }
            let (_, index) = ctx.group_types.iter().find(|(n, _)| n == name)?;
            FieldDef::Traverse(GROUP_TRAVERSE[usize::from((*index).min(4))])
        }
    })
}

/// Fields of a virtual table: `(hogql name, events column, type)`.
pub fn virtual_field(v: Virtual, name: &str) -> Option<Column> {
    match v {
        Virtual::Poe => Some(match name {
            "id" => col("id", "person_id", T::Uuid),
            "created_at" => col("created_at", "person_created_at", T::DateTime),
            "properties" => col("properties", "person_properties", T::Json),
            _ => return None,
        }),
        Virtual::Goe(i) => {
            let i = usize::from(i.min(4));
            const CREATED: [&str; 5] = [
                "group0_created_at",
                "group1_created_at",
                "group2_created_at",
                "group3_created_at",
                "group4_created_at",
            ];
            const PROPS: [&str; 5] = [
                "group0_properties",
                "group1_properties",
                "group2_properties",
                "group3_properties",
                "group4_properties",
            ];
            Some(match name {
                "key" => col("key", GROUP_KEYS[i], T::String),
                "created_at" => col("created_at", CREATED[i], T::DateTime),
                "properties" => col("properties", PROPS[i], T::Json),
                _ => return None,
            })
        }
    }
}

/// Field names of a table for `*` and suggestions.
pub fn field_names(kind: TableKind, ctx: &Context) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = match kind {
        TableKind::Raw(p) => p.columns().iter().map(|c| c.name).collect(),
        TableKind::Lazy(l) => l.columns().map(|c| c.name).collect(),
        TableKind::Numbers => vec!["number"],
    };
    match kind {
        TableKind::Raw(Physical::Events) => {
            names.extend(["pdi", "person", "person_id", "poe", "override", "session"]);
            names.extend(GROUP_FIELDS);
            let _ = ctx;
        }
        TableKind::Raw(Physical::PersonDistinctId2 | Physical::PersonDistinctIdOverrides)
        | TableKind::Lazy(LazyKind::DistinctIds | LazyKind::Overrides) => names.push("person"),
        _ => {}
    }
    names
}
