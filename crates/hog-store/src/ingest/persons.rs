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

/// Marks a person or distinct id that has no stored row yet (versions themselves never come
/// near it: they count rows written).
const NOT_STORED: u64 = u64::MAX;

/// One person's current state. There is one per person of the input, alive for the whole import,
/// so it is kept small: the properties only as the JSON text event rows carry (parsed again only
/// when an event changes them, which few events do), distinct ids shared with the id map.
#[derive(Debug, Clone)]
struct Person {
    /// Microseconds since the epoch.
    created_at: i64,
    /// The properties as `serde_json` writes a `Map` (insertion order, compact): exactly the text
    /// of the rows, so parsing and writing it again gives the same text.
    properties: Arc<str>,
    /// Version of the last row written, or [`NOT_STORED`].
    stored_version: u64,
    distinct_ids: Box<[Arc<str>]>,
    is_identified: bool,
    deleted: bool,
}

impl Person {
    fn stored_version(&self) -> Option<u64> {
        (self.stored_version != NOT_STORED).then_some(self.stored_version)
    }

    fn add_distinct_id(&mut self, distinct_id: Arc<str>) {
        let mut ids = std::mem::take(&mut self.distinct_ids).into_vec();
        ids.push(distinct_id);
        self.distinct_ids = ids.into_boxed_slice();
    }

    fn remove_distinct_id(&mut self, distinct_id: &str) {
        if self.distinct_ids.iter().any(|d| &**d == distinct_id) {
            let mut ids = std::mem::take(&mut self.distinct_ids).into_vec();
            ids.retain(|d| &**d != distinct_id);
            self.distinct_ids = ids.into_boxed_slice();
        }
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
    /// Version of the last row written, or [`NOT_STORED_ID`].
    stored_version: i64,
}

/// [`NOT_STORED`] for distinct id rows, whose versions are signed.
const NOT_STORED_ID: i64 = i64::MIN;

/// Persons and distinct ids of one team. Distinct id strings are allocated once and shared by
/// the id map, the persons' id lists and the dirty sets.
#[derive(Debug)]
pub struct PersonModel {
    team_id: i64,
    persons: HashMap<Uuid, Person>,
    distinct: HashMap<Arc<str>, Mapping>,
    dirty_persons: HashSet<Uuid>,
    dirty_ids: HashSet<Arc<str>>,
    dirty_overrides: HashSet<Arc<str>>,
    /// The text of no properties, shared by every person without any.
    empty_properties: Arc<str>,
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
            empty_properties: Arc::from("{}"),
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
        let properties = properties_text(&self.empty_properties, &properties);
        self.persons.insert(
            id,
            Person {
                created_at,
                properties,
                is_identified,
                stored_version: version,
                distinct_ids: Box::default(),
                deleted: false,
            },
        );
    }

    /// Adds a stored distinct id mapping (latest version, not deleted). Mappings to unknown
    /// persons are kept: events can still be attributed, and a later `$set` recreates the person.
    pub fn load_distinct_id(&mut self, distinct_id: String, person: Uuid, version: i64) {
        let distinct_id: Arc<str> = Arc::from(distinct_id);
        if let Some(p) = self.persons.get_mut(&person) {
            p.add_distinct_id(distinct_id.clone());
        }
        self.distinct.insert(
            distinct_id,
            Mapping {
                person,
                stored_version: version,
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
                    self.merge(&anon, &target, MergeKind::Identify, event.timestamp)?;
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
                        self.merge(&alias, &target, kind, event.timestamp)?
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
        if !(event.set_once.is_empty() && event.set.is_empty() && unset.is_empty()) {
            let mut properties = parse_properties(&person.properties)?;
            let mut properties_changed = false;
            for (k, v) in &event.set_once {
                if !properties.contains_key(k) {
                    properties.insert(k.clone(), v.clone());
                    properties_changed = true;
                }
            }
            for (k, v) in &event.set {
                if properties.get(k) != Some(v) {
                    properties.insert(k.clone(), v.clone());
                    properties_changed = true;
                }
            }
            for k in &unset {
                properties_changed |= properties.remove(k).is_some();
            }
            if properties_changed {
                person.properties = properties_text(&self.empty_properties, &properties);
                changed = true;
            }
        }
        if changed {
            self.dirty_persons.insert(person_id);
        }
        Ok(EventPerson {
            id: person_id,
            created_at: person.created_at,
            properties: person.properties.clone(),
        })
    }

    /// The person of a distinct id, creating both when the id is new.
    fn person_for(&mut self, distinct_id: &str, timestamp: i64) -> Uuid {
        if let Some((key, mapping)) = self.distinct.get_key_value(distinct_id) {
            let id = mapping.person;
            if self.persons.get(&id).is_some_and(|p| !p.deleted) {
                return id;
            }
            // A mapping whose person row is missing (or deleted): recreate that person.
            let key = key.clone();
            self.create_person(id, timestamp, false);
            if let Some(p) = self.persons.get_mut(&id) {
                p.add_distinct_id(key);
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
        let stored_version = self
            .persons
            .get(&id)
            .map_or(NOT_STORED, |p| p.stored_version);
        self.persons.insert(
            id,
            Person {
                created_at,
                properties: self.empty_properties.clone(),
                is_identified,
                stored_version,
                distinct_ids: Box::default(),
                deleted: false,
            },
        );
        self.dirty_persons.insert(id);
    }

    /// Points `distinct_id` at `person`, recording an override when events already carry another.
    fn assign(&mut self, distinct_id: &str, person: Uuid) {
        let (key, previous) = match self.distinct.get_key_value(distinct_id) {
            Some((_, mapping)) if mapping.person == person => return,
            Some((key, mapping)) => (key.clone(), Some(mapping.person)),
            None => (Arc::<str>::from(distinct_id), None),
        };
        match previous {
            Some(previous) => {
                if let Some(mapping) = self.distinct.get_mut(distinct_id) {
                    mapping.person = person;
                }
                if let Some(p) = self.persons.get_mut(&previous) {
                    p.remove_distinct_id(distinct_id);
                }
                self.dirty_overrides.insert(key.clone());
            }
            None => {
                self.distinct.insert(
                    key.clone(),
                    Mapping {
                        person,
                        stored_version: NOT_STORED_ID,
                    },
                );
            }
        }
        if let Some(p) = self.persons.get_mut(&person) {
            p.add_distinct_id(key.clone());
        }
        self.dirty_ids.insert(key);
    }

    /// Joins `other` into the person of `target` (see the module docs for the rules).
    fn merge(
        &mut self,
        other: &str,
        target: &str,
        kind: MergeKind,
        timestamp: i64,
    ) -> Result<(), String> {
        if other == target || is_illegal_merge_id(other) || is_illegal_merge_id(target) {
            return Ok(());
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
                    return Ok(());
                }
                self.absorb(source, keep)?;
                keep
            }
        };
        if let Some(p) = self.persons.get_mut(&keep)
            && !p.is_identified
        {
            p.is_identified = true;
            self.dirty_persons.insert(keep);
        }
        Ok(())
    }

    fn live_person_of(&self, distinct_id: &str) -> Option<Uuid> {
        let id = self.distinct.get(distinct_id)?.person;
        self.persons.get(&id).filter(|p| !p.deleted).map(|_| id)
    }

    /// Moves everything of `source` into `keep` and deletes `source`.
    fn absorb(&mut self, source: Uuid, keep: Uuid) -> Result<(), String> {
        let Some(source_person) = self.persons.get_mut(&source) else {
            return Ok(());
        };
        source_person.deleted = true;
        let moved_ids = std::mem::take(&mut source_person.distinct_ids);
        let source_properties = source_person.properties.clone();
        let source_created = source_person.created_at;
        self.dirty_persons.insert(source);

        if let Some(target) = self.persons.get(&keep) {
            // The source's properties first, the kept person's over them (keeping the source's
            // order for keys both have, as inserting into the source's map does).
            let mut merged = parse_properties(&source_properties)?;
            for (k, v) in parse_properties(&target.properties)? {
                merged.insert(k, v);
            }
            let properties = properties_text(&self.empty_properties, &merged);
            if let Some(target) = self.persons.get_mut(&keep) {
                target.properties = properties;
                target.created_at = target.created_at.min(source_created);
                target.is_identified = true;
            }
        }
        self.dirty_persons.insert(keep);
        for distinct_id in moved_ids.iter() {
            self.assign(distinct_id, keep);
        }
        Ok(())
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
                if let Some(version) = person.stored_version() {
                    writes.persons.push(PersonRow {
                        id,
                        created_at: person.created_at,
                        properties: person.properties.to_string(),
                        is_identified: person.is_identified,
                        is_deleted: true,
                        version: version + 100,
                    });
                }
                self.persons.remove(&id);
                continue;
            }
            let version = person.stored_version().map_or(0, |v| v + 1);
            person.stored_version = version;
            writes.persons.push(PersonRow {
                id,
                created_at: person.created_at,
                properties: person.properties.to_string(),
                is_identified: person.is_identified,
                is_deleted: false,
                version,
            });
        }
        let mut ids: Vec<Arc<str>> = self.dirty_ids.drain().collect();
        ids.sort();
        for distinct_id in ids {
            let Some(mapping) = self.distinct.get_mut(&*distinct_id) else {
                continue;
            };
            let version = if mapping.stored_version == NOT_STORED_ID {
                0
            } else {
                mapping.stored_version + 1
            };
            mapping.stored_version = version;
            let row = DistinctIdRow {
                distinct_id: distinct_id.to_string(),
                person_id: mapping.person,
                version,
            };
            if self.dirty_overrides.remove(&*distinct_id) {
                writes.overrides.push(row.clone());
            }
            writes.distinct_ids.push(row);
        }
        self.dirty_overrides.clear();
        writes
    }
}

/// Properties as the rows carry them (`empty` is the model's shared text of no properties).
fn properties_text(empty: &Arc<str>, properties: &Map<String, Value>) -> Arc<str> {
    if properties.is_empty() {
        return empty.clone();
    }
    // Writing a map of JSON values to a String cannot fail (string keys, finite numbers).
    serde_json::to_string(properties)
        .map(Arc::from)
        .unwrap_or_else(|_| empty.clone())
}

/// Parses properties text this model wrote (see [`Person::properties`]).
fn parse_properties(text: &str) -> Result<Map<String, Value>, String> {
    if text == "{}" {
        return Ok(Map::new());
    }
    serde_json::from_str(text).map_err(|e| format!("internal: stored person properties: {e}"))
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
    fn properties_text_keeps_serde_json_order_and_values_across_updates() {
        let mut model = PersonModel::new(1);
        run(
            &mut model,
            r#"{"event":"e","distinct_id":"u","$set":{"a":1,"b":-0.0,"c":{"z":1,"a":[1.5,"é\n"]},"d":18446744073709551615}}"#,
        );
        // An equal nested object in another key order is no change; `$unset` removes as
        // serde_json's ordered map does (the last key takes the removed one's place).
        let p = run(
            &mut model,
            r#"{"event":"e","distinct_id":"u","$set":{"c":{"a":[1.5,"é\n"],"z":1}},"properties":{"$unset":["a"]}}"#,
        );
        assert_eq!(
            &*p.properties,
            r#"{"d":18446744073709551615,"b":-0.0,"c":{"z":1,"a":[1.5,"é\n"]}}"#
        );
        // Merged: the absorbed person's keys first, the kept person's values over them.
        run(
            &mut model,
            r#"{"event":"e","distinct_id":"v","$set":{"x":1,"b":2}}"#,
        );
        let p = run(
            &mut model,
            r#"{"event":"$identify","distinct_id":"v","properties":{"$anon_distinct_id":"u"}}"#,
        );
        assert_eq!(
            &*p.properties,
            r#"{"d":18446744073709551615,"b":2,"c":{"z":1,"a":[1.5,"é\n"]},"x":1}"#
        );
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
