//! Person processing, following PostHog's ingestion semantics:
//!
//! * An event from an unknown distinct id creates a person (its UUID derived from team and
//!   distinct id, as PostHog does) and maps the distinct id to it.
//! * `$set` overwrites person properties, `$set_once` only fills missing ones, `$unset` removes.
//! * `$identify` with `$anon_distinct_id`, `$create_alias` with `alias` (and
//!   `$merge_dangerously`) join two distinct ids into one person. When both already have
//!   different persons, the person of the event's distinct id absorbs the other: its properties
//!   win over the other's, `created_at` is the earlier one, every distinct id of the other moves
//!   over, and the other person is deleted. An already identified person is not merged away except
//!   by `$merge_dangerously`. Ids such as `anonymous`, `null` or `0` never merge.
//! * Rows are versioned as ClickHouse reads them (ReplacingMergeTree + `argMax(..., version)`):
//!   a person changed since it was last written gets a row with the next version, a deleted
//!   person a row with `is_deleted = 1`, a moved distinct id a new `person_distinct_id2` row and
//!   an override row (events already written carry the old person id).
//!
//! State is kept in memory for the team being imported and written in batches by the importer,
//! one row per changed person or distinct id per batch, which reads back identically to writing
//! every intermediate version.

use super::capture::CapturedEvent;
use super::groups::GroupModel;
use super::raw::RawObject;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

/// The namespace of person UUIDs: `uuid5(namespace, "<team>:<distinct id>")`.
const PERSON_NAMESPACE: Uuid = Uuid::from_u128(0x932979b4_65c3_4424_8467_0b66ec27bc22);

/// Distinct ids that SDKs send by mistake; merging on them would join unrelated people.
const ILLEGAL_MERGE_IDS: &[&str] = &[
    "anonymous",
    "guest",
    "distinctid",
    "distinct_id",
    "id",
    "not_authenticated",
    "email",
    "undefined",
    "true",
    "false",
    "[object object]",
    "nan",
    "null",
    "none",
    "0",
];

/// One person's current state.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    /// Microseconds since the epoch.
    pub created_at: i64,
    pub properties: Map<String, Value>,
    pub is_identified: bool,
    /// Version of the last row written, if any.
    pub stored_version: Option<u64>,
    distinct_ids: Vec<String>,
    deleted: bool,
    json: Option<Arc<str>>,
}

impl Person {
    /// The properties as JSON text, cached until they change.
    pub fn properties_json(&mut self) -> Arc<str> {
        if let Some(json) = &self.json {
            return json.clone();
        }
        let json: Arc<str> = Value::Object(self.properties.clone()).to_string().into();
        self.json = Some(json.clone());
        json
    }
}

/// A row for `person`.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub id: Uuid,
    pub created_at: i64,
    pub properties: String,
    pub is_identified: bool,
    pub is_deleted: bool,
    pub version: u64,
}

/// A row for `person_distinct_id2` or `person_distinct_id_overrides`.
#[derive(Debug, Clone, PartialEq)]
pub struct DistinctIdRow {
    pub distinct_id: String,
    pub person_id: Uuid,
    pub version: i64,
}

/// What an event row records about its person at ingestion time (persons on events).
#[derive(Debug, Clone)]
pub struct EventPerson {
    pub id: Uuid,
    pub created_at: i64,
    pub properties: Arc<str>,
}

/// Everything that changed since the last flush.
#[derive(Debug, Default)]
pub struct Writes {
    pub persons: Vec<PersonRow>,
    pub distinct_ids: Vec<DistinctIdRow>,
    pub overrides: Vec<DistinctIdRow>,
}

/// A stored distinct id → person mapping.
#[derive(Debug, Clone)]
struct Mapping {
    person: Uuid,
    stored_version: Option<i64>,
}

/// Persons and distinct ids of one team.
#[derive(Debug)]
pub struct PersonModel {
    team_id: i64,
    persons: HashMap<Uuid, Person>,
    distinct: HashMap<String, Mapping>,
    dirty_persons: HashSet<Uuid>,
    dirty_ids: HashSet<String>,
    dirty_overrides: HashSet<String>,
    pub groups: GroupModel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MergeKind {
    Identify,
    Alias,
    Dangerous,
}

impl PersonModel {
    /// An empty model for `team_id` (no stored persons).
    pub fn new(team_id: i64) -> PersonModel {
        PersonModel {
            team_id,
            persons: HashMap::new(),
            distinct: HashMap::new(),
            dirty_persons: HashSet::new(),
            dirty_ids: HashSet::new(),
            dirty_overrides: HashSet::new(),
            groups: GroupModel::default(),
        }
    }

    /// Adds a stored person (latest version, not deleted).
    pub fn load_person(
        &mut self,
        id: Uuid,
        created_at: i64,
        properties: Map<String, Value>,
        is_identified: bool,
        version: u64,
    ) {
        self.persons.insert(
            id,
            Person {
                id,
                created_at,
                properties,
                is_identified,
                stored_version: Some(version),
                distinct_ids: Vec::new(),
                deleted: false,
                json: None,
            },
        );
    }

    /// Adds a stored distinct id mapping (latest version, not deleted). Mappings to unknown
    /// persons are kept: events can still be attributed, and a later `$set` recreates the person.
    pub fn load_distinct_id(&mut self, distinct_id: String, person: Uuid, version: i64) {
        if let Some(p) = self.persons.get_mut(&person) {
            p.distinct_ids.push(distinct_id.clone());
        }
        self.distinct.insert(
            distinct_id,
            Mapping {
                person,
                stored_version: Some(version),
            },
        );
    }

    /// Number of live persons known.
    pub fn person_count(&self) -> usize {
        self.persons.values().filter(|p| !p.deleted).count()
    }

    /// Runs person processing for one event and returns what its row records about the person.
    pub fn process(&mut self, event: &mut CapturedEvent<'_>) -> Result<EventPerson, String> {
        match &*event.event {
            "$identify" => {
                if let Some(anon) = id_property(&event.properties, "$anon_distinct_id") {
                    let target = event.distinct_id.to_string();
                    self.merge(&anon, &target, MergeKind::Identify, event.timestamp);
                }
            }
            "$create_alias" | "$merge_dangerously" => {
                let kind = if event.event == "$create_alias" {
                    MergeKind::Alias
                } else {
                    MergeKind::Dangerous
                };
                match id_property(&event.properties, "alias") {
                    Some(alias) => {
                        let target = event.distinct_id.to_string();
                        self.merge(&alias, &target, kind, event.timestamp)
                    }
                    None => return Err(format!("`{}` needs an `alias` property", event.event)),
                }
            }
            "$groupidentify" => {
                let group_type = string_property(&event.properties, "$group_type")
                    .ok_or("`$groupidentify` needs a `$group_type` string property")?;
                let key = id_property(&event.properties, "$group_key")
                    .ok_or("`$groupidentify` needs a `$group_key` property")?;
                let set = event
                    .properties
                    .object("$group_set")
                    .map_err(|_| "`$group_set` must be an object".to_string())?
                    .unwrap_or_default();
                self.groups
                    .identify(&group_type, &key, &set, event.timestamp)?;
            }
            _ => {}
        }

        let person_id = self.person_for(&event.distinct_id, event.timestamp);
        let unset: Vec<String> = match event.properties.value("$unset") {
            Some(Value::Array(keys)) => keys
                .iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let identify = event.event == "$identify";
        let person = self
            .persons
            .get_mut(&person_id)
            .ok_or_else(|| "internal: person vanished during processing".to_string())?;
        let mut changed = false;
        if identify && !person.is_identified {
            person.is_identified = true;
            changed = true;
        }
        for (k, v) in &event.set_once {
            if !person.properties.contains_key(k) {
                person.properties.insert(k.clone(), v.clone());
                changed = true;
            }
        }
        for (k, v) in &event.set {
            if person.properties.get(k) != Some(v) {
                person.properties.insert(k.clone(), v.clone());
                changed = true;
            }
        }
        for k in &unset {
            changed |= person.properties.remove(k).is_some();
        }
        if changed {
            person.json = None;
            self.dirty_persons.insert(person_id);
        }
        Ok(EventPerson {
            id: person.id,
            created_at: person.created_at,
            properties: person.properties_json(),
        })
    }

    /// The person of a distinct id, creating both when the id is new.
    fn person_for(&mut self, distinct_id: &str, timestamp: i64) -> Uuid {
        if let Some(mapping) = self.distinct.get(distinct_id) {
            let id = mapping.person;
            if self.persons.get(&id).is_some_and(|p| !p.deleted) {
                return id;
            }
            // A mapping whose person row is missing (or deleted): recreate that person.
            self.create_person(id, timestamp, false);
            if let Some(p) = self.persons.get_mut(&id) {
                p.distinct_ids.push(distinct_id.to_string());
            }
            return id;
        }
        let id = Uuid::new_v5(
            &PERSON_NAMESPACE,
            format!("{}:{}", self.team_id, distinct_id).as_bytes(),
        );
        self.create_person(id, timestamp, false);
        self.assign(distinct_id, id);
        id
    }

    fn create_person(&mut self, id: Uuid, created_at: i64, is_identified: bool) {
        let stored_version = self.persons.get(&id).and_then(|p| p.stored_version);
        self.persons.insert(
            id,
            Person {
                id,
                created_at,
                properties: Map::new(),
                is_identified,
                stored_version,
                distinct_ids: Vec::new(),
                deleted: false,
                json: None,
            },
        );
        self.dirty_persons.insert(id);
    }

    /// Points `distinct_id` at `person`, recording an override when events already carry another.
    fn assign(&mut self, distinct_id: &str, person: Uuid) {
        match self.distinct.get_mut(distinct_id) {
            Some(mapping) if mapping.person == person => return,
            Some(mapping) => {
                let previous = mapping.person;
                mapping.person = person;
                if let Some(p) = self.persons.get_mut(&previous) {
                    p.distinct_ids.retain(|d| d != distinct_id);
                }
                self.dirty_overrides.insert(distinct_id.to_string());
            }
            None => {
                self.distinct.insert(
                    distinct_id.to_string(),
                    Mapping {
                        person,
                        stored_version: None,
                    },
                );
            }
        }
        if let Some(p) = self.persons.get_mut(&person) {
            p.distinct_ids.push(distinct_id.to_string());
        }
        self.dirty_ids.insert(distinct_id.to_string());
    }

    /// Joins `other` into the person of `target` (see the module docs for the rules).
    fn merge(&mut self, other: &str, target: &str, kind: MergeKind, timestamp: i64) {
        if other == target || is_illegal_merge_id(other) || is_illegal_merge_id(target) {
            return;
        }
        let other_person = self.live_person_of(other);
        let target_person = self.live_person_of(target);
        let keep = match (other_person, target_person) {
            (None, None) => {
                let id = self.person_for(target, timestamp);
                self.assign(other, id);
                id
            }
            (Some(id), None) => {
                self.assign(target, id);
                id
            }
            (None, Some(id)) => {
                self.assign(other, id);
                id
            }
            (Some(a), Some(b)) if a == b => a,
            (Some(source), Some(keep)) => {
                let source_identified = self.persons.get(&source).is_some_and(|p| p.is_identified);
                if source_identified && kind != MergeKind::Dangerous {
                    return;
                }
                self.absorb(source, keep);
                keep
            }
        };
        if let Some(p) = self.persons.get_mut(&keep)
            && !p.is_identified
        {
            p.is_identified = true;
            p.json = None;
            self.dirty_persons.insert(keep);
        }
    }

    fn live_person_of(&self, distinct_id: &str) -> Option<Uuid> {
        let id = self.distinct.get(distinct_id)?.person;
        self.persons.get(&id).filter(|p| !p.deleted).map(|p| p.id)
    }

    /// Moves everything of `source` into `keep` and deletes `source`.
    fn absorb(&mut self, source: Uuid, keep: Uuid) {
        let Some(source_person) = self.persons.get_mut(&source) else {
            return;
        };
        source_person.deleted = true;
        let moved_ids = std::mem::take(&mut source_person.distinct_ids);
        let source_properties = source_person.properties.clone();
        let source_created = source_person.created_at;
        self.dirty_persons.insert(source);

        if let Some(target) = self.persons.get_mut(&keep) {
            let mut merged = source_properties;
            for (k, v) in std::mem::take(&mut target.properties) {
                merged.insert(k, v);
            }
            target.properties = merged;
            target.created_at = target.created_at.min(source_created);
            target.is_identified = true;
            target.json = None;
        }
        self.dirty_persons.insert(keep);
        for distinct_id in moved_ids {
            self.assign(&distinct_id, keep);
        }
    }

    /// The rows describing every change since the last call.
    pub fn take_writes(&mut self) -> Writes {
        let mut writes = Writes::default();
        let mut dirty: Vec<Uuid> = self.dirty_persons.drain().collect();
        dirty.sort();
        for id in dirty {
            let Some(person) = self.persons.get_mut(&id) else {
                continue;
            };
            if person.deleted {
                // Never written: nothing to delete. Otherwise a deletion row well above any
                // version the live person could have reached.
                if let Some(version) = person.stored_version {
                    writes.persons.push(PersonRow {
                        id,
                        created_at: person.created_at,
                        properties: person.properties_json().to_string(),
                        is_identified: person.is_identified,
                        is_deleted: true,
                        version: version + 100,
                    });
                }
                self.persons.remove(&id);
                continue;
            }
            let version = person.stored_version.map_or(0, |v| v + 1);
            person.stored_version = Some(version);
            writes.persons.push(PersonRow {
                id,
                created_at: person.created_at,
                properties: person.properties_json().to_string(),
                is_identified: person.is_identified,
                is_deleted: false,
                version,
            });
        }
        let mut ids: Vec<String> = self.dirty_ids.drain().collect();
        ids.sort();
        for distinct_id in ids {
            let Some(mapping) = self.distinct.get_mut(&distinct_id) else {
                continue;
            };
            let version = mapping.stored_version.map_or(0, |v| v + 1);
            mapping.stored_version = Some(version);
            let row = DistinctIdRow {
                distinct_id: distinct_id.clone(),
                person_id: mapping.person,
                version,
            };
            if self.dirty_overrides.remove(&distinct_id) {
                writes.overrides.push(row.clone());
            }
            writes.distinct_ids.push(row);
        }
        self.dirty_overrides.clear();
        writes
    }
}

/// A distinct-id-like property: a non-empty string, or a number as text.
fn id_property(properties: &RawObject<'_>, key: &str) -> Option<String> {
    match properties.value(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn string_property(properties: &RawObject<'_>, key: &str) -> Option<String> {
    match properties.value(key)? {
        Value::String(s) if !s.is_empty() => Some(s),
        _ => None,
    }
}

fn is_illegal_merge_id(id: &str) -> bool {
    let lower = id.trim().to_ascii_lowercase();
    ILLEGAL_MERGE_IDS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::super::capture::parse_line;
    use super::*;

    fn run(model: &mut PersonModel, line: &str) -> EventPerson {
        let mut event = parse_line(line, 0).unwrap();
        model.process(&mut event).unwrap()
    }

    #[test]
    fn new_distinct_id_gets_a_deterministic_person() {
        let mut model = PersonModel::new(7);
        let a = run(&mut model, r#"{"event":"e","distinct_id":"u1"}"#);
        let b = run(&mut model, r#"{"event":"e","distinct_id":"u1"}"#);
        assert_eq!(a.id, b.id);
        let mut other_team = PersonModel::new(8);
        let c = run(&mut other_team, r#"{"event":"e","distinct_id":"u1"}"#);
        assert_ne!(a.id, c.id);
        let writes = model.take_writes();
        assert_eq!(writes.persons.len(), 1);
        assert_eq!(writes.distinct_ids.len(), 1);
        assert_eq!(writes.persons[0].version, 0);
    }

    #[test]
    fn set_once_does_not_overwrite_and_set_does() {
        let mut model = PersonModel::new(1);
        run(
            &mut model,
            r#"{"event":"e","distinct_id":"u","$set_once":{"a":1},"$set":{"b":1}}"#,
        );
        let p = run(
            &mut model,
            r#"{"event":"e","distinct_id":"u","$set_once":{"a":2},"$set":{"b":2}}"#,
        );
        assert_eq!(&*p.properties, r#"{"a":1,"b":2}"#);
        let p = run(
            &mut model,
            r#"{"event":"e","distinct_id":"u","properties":{"$unset":["a"]}}"#,
        );
        assert_eq!(&*p.properties, r#"{"b":2}"#);
    }

    #[test]
    fn identify_merges_anonymous_person_into_identified_one() {
        let mut model = PersonModel::new(1);
        let anon = run(
            &mut model,
            r#"{"event":"$pageview","distinct_id":"anon1","$set":{"from":"anon","x":1}}"#,
        );
        let user = run(
            &mut model,
            r#"{"event":"$pageview","distinct_id":"user1","$set":{"x":2}}"#,
        );
        let first = model.take_writes();
        assert_eq!(first.persons.len(), 2);
        let merged = run(
            &mut model,
            r#"{"event":"$identify","distinct_id":"user1","properties":{"$anon_distinct_id":"anon1"}}"#,
        );
        assert_eq!(merged.id, user.id);
        assert_eq!(&*merged.properties, r#"{"from":"anon","x":2}"#);
        let writes = model.take_writes();
        let deleted: Vec<_> = writes.persons.iter().filter(|p| p.is_deleted).collect();
        assert_eq!(deleted.len(), 1);
        assert_eq!(deleted[0].id, anon.id);
        assert_eq!(deleted[0].version, 100);
        let kept = writes.persons.iter().find(|p| !p.is_deleted).unwrap();
        assert_eq!(
            (kept.id, kept.version, kept.is_identified),
            (user.id, 1, true)
        );
        assert_eq!(
            writes.distinct_ids,
            vec![DistinctIdRow {
                distinct_id: "anon1".into(),
                person_id: user.id,
                version: 1
            }]
        );
        assert_eq!(writes.overrides, writes.distinct_ids);
        // Later events of the anonymous id go to the merged person.
        let later = run(&mut model, r#"{"event":"e","distinct_id":"anon1"}"#);
        assert_eq!(later.id, user.id);
    }

    #[test]
    fn identified_person_is_not_merged_away_except_dangerously() {
        let mut model = PersonModel::new(1);
        let a = run(&mut model, r#"{"event":"$identify","distinct_id":"a"}"#);
        let b = run(&mut model, r#"{"event":"$identify","distinct_id":"b"}"#);
        let kept = run(
            &mut model,
            r#"{"event":"$create_alias","distinct_id":"b","properties":{"alias":"a"}}"#,
        );
        assert_eq!(kept.id, b.id);
        assert_eq!(
            run(&mut model, r#"{"event":"e","distinct_id":"a"}"#).id,
            a.id
        );
        run(
            &mut model,
            r#"{"event":"$merge_dangerously","distinct_id":"b","properties":{"alias":"a"}}"#,
        );
        assert_eq!(
            run(&mut model, r#"{"event":"e","distinct_id":"a"}"#).id,
            b.id
        );
        assert_eq!(model.person_count(), 1);
    }

    #[test]
    fn alias_of_unknown_id_joins_existing_person_and_illegal_ids_never_merge() {
        let mut model = PersonModel::new(1);
        let u = run(&mut model, r#"{"event":"e","distinct_id":"u"}"#);
        run(
            &mut model,
            r#"{"event":"$create_alias","distinct_id":"u","properties":{"alias":"u-alt"}}"#,
        );
        assert_eq!(
            run(&mut model, r#"{"event":"e","distinct_id":"u-alt"}"#).id,
            u.id
        );
        run(
            &mut model,
            r#"{"event":"$identify","distinct_id":"u","properties":{"$anon_distinct_id":"null"}}"#,
        );
        assert_ne!(
            run(&mut model, r#"{"event":"e","distinct_id":"null"}"#).id,
            u.id
        );
    }

    #[test]
    fn groupidentify_needs_type_and_key() {
        let mut model = PersonModel::new(1);
        let mut e = parse_line(
            r#"{"event":"$groupidentify","distinct_id":"u","properties":{"$group_key":"k"}}"#,
            0,
        )
        .unwrap();
        assert!(model.process(&mut e).unwrap_err().contains("$group_type"));
    }
}
